/* reach.c - the reach stage (method.md §2).
**
** reach(S) = zone(S) ∩ ⋃ buffer(s) over the sites s of structure S. The
** indicators need, per structure, only the union of its sites' buffers,
** prepared once: the zone applies by membership (see indicators.c). The
** GeoPackage shows the reach of each site as a polygon, zone(s) ∩ buffer(s):
** the union of the zone's communes that the disc touches, clipped by the
** disc, made on worker threads (rq_union_batch).
*/
#include "raquette/indicators.h"

#include "raquette/gaps.h"
#include "raquette/unions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
rq_reach_fini(rq_geos *g, rq_reach *r)
{
    for (size_t i = 0; i < r->n; i++) {
        rq_prepared_destroy(g, r->prep[i]); /* before its base geometry */
        rq_geom_destroy(g, r->buf[i]);
    }
    free(r->prep);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* The disc of site s: 16 segments per quarter circle (method.md §2); NULL
** with err set on failure. */
static rq_geom *
site_disc(rq_geos *g, const rq_site *s, rq_err *err)
{
    rq_geom *pt = rq_geom_point(g, s->x, s->y);
    if (!pt) {
        rq_err_set(err, RQ_ERR_GEOS, "cannot make the point of site %s: %s", s->site_id,
                   rq_geos_last_error(g));
        return NULL;
    }
    rq_geom *disc = rq_geom_buffer(g, pt, s->radius_km * 1000.0, 16, err);
    rq_geom_destroy(g, pt);
    return disc;
}

rq_status
rq_reach_build(rq_dataset *ds, rq_reach *r, rq_err *err)
{
    rq_geos *g = ds->geos;
    rq_status rc = RQ_OK;
    memset(r, 0, sizeof *r);
    r->n = ds->n_structures;
    r->buf = rq_xcalloc(r->n + 1, sizeof *r->buf);
    r->prep = rq_xcalloc(r->n + 1, sizeof *r->prep);
    for (size_t k = 0; k < ds->n_structures && rc == RQ_OK; k++) {
        const rq_structure *st = &ds->structures[k];
        rq_geom **discs = rq_xcalloc(st->n_sites + 1, sizeof *discs);
        size_t n = 0;
        for (size_t j = 0; j < st->n_sites; j++) {
            if (!(discs[n] = site_disc(g, &ds->sites[st->sites[j]], err))) {
                rc = rq_err_code(err);
                break;
            }
            n++;
        }
        if (rc == RQ_OK) {
            r->buf[k] = rq_geom_union(g, (const rq_geom *const *)discs, n, err);
            if (!r->buf[k] || !(r->prep[k] = rq_prepared_create(g, r->buf[k], err)))
                rc = rq_err_code(err);
        }
        for (size_t j = 0; j < n; j++)
            rq_geom_destroy(g, discs[j]);
        free(discs);
    }
    if (rc != RQ_OK)
        rq_reach_fini(g, r);
    return rc;
}

rq_status
rq_reach_sites(const rq_dataset *ds, rq_results *res, rq_err *err)
{
    rq_geos *g = ds->geos;
    rq_status rc = RQ_OK;
    rq_union_batch *b = rq_union_batch_create(g);
    const rq_geom **parts = NULL;
    size_t cap = 0;
    res->site_reach = rq_xcalloc(ds->n_sites + 1, sizeof *res->site_reach);
    res->n_site_reach = ds->n_sites;
    for (size_t i = 0; i < ds->n_sites && rc == RQ_OK; i++) {
        const rq_site *s = &ds->sites[i];
        const rq_zone *z = &ds->zones[s->zone];
        rq_geom *disc = site_disc(g, s, err);
        if (!disc) {
            rc = rq_err_code(err);
            break;
        }
        size_t n_cand = 0, n = 0;
        size_t *cand = rq_index_query_sorted(g, ds->commune_index, disc, &n_cand);
        rq_grow((void **)&parts, &cap, n_cand + 1, sizeof *parts);
        for (size_t k = 0; k < n_cand; k++)
            if (z->member[cand[k]])
                parts[n++] = ds->communes[cand[k]].geom;
        char label[96];
        snprintf(label, sizeof label, "reach of site %.60s", s->site_id);
        rc = rq_union_batch_add(b, parts, n, disc, &res->site_reach[i], label, err);
        free(cand);
        rq_geom_destroy(g, disc);
    }
    free(parts);
    if (rc != RQ_OK) {
        rq_union_batch_destroy(b);
        return rc;
    }
    return rq_union_batch_run(b, err);
}
