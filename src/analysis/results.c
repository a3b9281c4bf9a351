/* results.c - the lifetime of rq_results: everything the computing stages
** made, freed in one place. */
#include "raquette/indicators.h"

#include "raquette/gaps.h"

#include <stdlib.h>
#include <string.h>

void
rq_results_fini(rq_geos *g, rq_results *res)
{
    for (size_t a = 0; a < res->n_ind; a++) {
        free(res->ind[a].couv);
        free(res->ind[a].nb);
        free(res->ind[a].dist_km);
        free(res->ind[a].temps_min);
    }
    free(res->ind);
    free(res->covers);
    for (size_t i = 0; i < res->n_zone_wkb; i++)
        free(res->zone_wkb[i].data);
    free(res->zone_wkb);
    for (size_t i = 0; i < res->n_gaps; i++)
        rq_gap_zone_fini(g, &res->gaps[i]);
    free(res->gaps);
    rq_aggregates_fini(g, res);
    memset(res, 0, sizeof *res);
}
