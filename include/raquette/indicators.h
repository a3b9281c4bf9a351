/* indicators.h - the reach (reach.c), indicators (indicators.c) and
** aggregates (aggregate.c) stages (method.md §2, §3, §5). See reach.c and
** indicators.c for how reaches are represented.
*/
#ifndef RQ_INDICATORS_H
#define RQ_INDICATORS_H

#include "raquette/results.h"

/* Reach of every structure: the union of its sites' buffers (radius of
** the row or of the category, 16 segments per quarter circle), prepared;
** its zone applies by membership (ds->zones[].member). */
typedef struct rq_reach {
    rq_geom **buf;      /* per structure */
    rq_prepared **prep; /* per structure, prepared on buf */
    size_t n;
} rq_reach;

rq_status rq_reach_build(rq_dataset *ds, rq_reach *r, rq_err *err) RQ_MUST_CHECK;
void rq_reach_fini(rq_geos *g, rq_reach *r);
/* res->zone_wkb: the union of each zone that some site names, as WKB. */
rq_status rq_reach_zones(const rq_dataset *ds, rq_results *res, rq_err *err) RQ_MUST_CHECK;
/* out[i] (ds->n_sites entries, zeroed by the caller, freed by the caller
** with free(out[i].data)): the reach of site i, zone(s) ∩ buffer(s)
** (method.md §2), from zone_wkb (res->zone_wkb); len 0 where the zone does
** not meet the disc. On worker threads, each with its own GEOS context: it
** reads only plain data of ds, so it may run on any thread. */
rq_status rq_reach_sites(const rq_dataset *ds, const rq_wkb *zone_wkb, rq_wkb *out,
                         rq_err *err) RQ_MUST_CHECK;

/* Fills res->ind (one entry per study-area commune, in ds->area order):
** couv, nb, dist, temps, phases, acces_e2sfca, rural, trou, missing
** phases. Gap zone ids are filled by the gaps stage. */
rq_status rq_indicators_compute(rq_dataset *ds, const rq_reach *r, rq_results *res,
                                rq_err *err) RQ_MUST_CHECK;

/* Gap zones: overall (T...) then per required phase (EM..., CR...). */
rq_status rq_gaps_compute(rq_dataset *ds, rq_results *res, rq_err *err) RQ_MUST_CHECK;

/* Aggregates per département, per EPCI and for the study area, with the
** polygons of the départements and EPCI (unions of their communes, on
** worker threads). */
rq_status rq_aggregates_compute(const rq_dataset *ds, rq_results *res, rq_err *err) RQ_MUST_CHECK;
void rq_aggregates_fini(rq_geos *g, rq_results *res);

/* Frees everything res owns (geometries in g). */
void rq_results_fini(rq_geos *g, rq_results *res);

#endif
