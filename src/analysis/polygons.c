/* polygons.c - every input polygon (commune boundaries, study units) on
** its way into the analysis: reprojected to the metric CRS and, when GEOS
** finds it invalid, repaired to its polygonal part, in one place so that
** both inputs get the same treatment and the same counts.
**
** It is the longest part of loading after the reading itself (France's
** 35,228 boundaries: 0.74 s on one thread), and each polygon is on its
** own, so the polygons are shared out to worker threads, each with its
** own GEOS and PROJ contexts. A polygon made by one context and handed to
** another is never used by two threads at once.
*/
#include "raquette/crs.h"
#include "raquette/pipeline.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Polygons a worker takes at a time: few enough to share out 35,000
** boundaries evenly, enough that the shared counter is not contended by
** 550,000 cells of five points. */
#define RQ_METRIC_CHUNK 32

static int
to_metric(double *x, double *y, void *ud)
{
    return rq_xform_point(ud, x, y);
}

/* geom (in the source CRS of xf) in the metric CRS, valid when it is not
** (*repaired = 1, why = GEOS's reason). NULL when it cannot be projected
** (why = "") or repaired (why says what was invalid). */
static rq_geom *
metric_polygon(rq_geos *g, const rq_geom *geom, rq_xform *xf, int *repaired, char *why,
               size_t whysz)
{
    rq_err gerr = {0};
    *repaired = 0;
    why[0] = '\0';
    rq_geom *m = rq_geom_transform(g, geom, to_metric, xf, &gerr);
    if (!m || rq_geom_is_valid(g, m, why, whysz) == 1)
        return m;
    rq_geom *fixed = rq_geom_make_valid_polygonal(g, m, &gerr);
    rq_geom_destroy(g, m);
    if (!fixed || rq_geom_is_empty(g, fixed)) {
        rq_geom_destroy(g, fixed);
        if (!why[0])
            rq_strlcpy(why, "invalid", whysz);
        return NULL;
    }
    *repaired = 1;
    return fixed;
}

/* What the workers share: read-only but for the counter, the slots each
** worker owns once it has taken them, and the failure. */
struct metric_pool {
    const char *srs, *crs;
    rq_geom **geoms;
    rq_metric_out *out;
    size_t n;
    atomic_size_t next;
    rq_pool_error fail;
};

static void
metric_one(rq_geos *g, rq_xform *xf, rq_geom **slot, rq_metric_out *out)
{
    char why[256];
    int repaired;
    rq_geom *m = metric_polygon(g, *slot, xf, &repaired, why, sizeof why);
    out->status = !m ? RQ_METRIC_FAILED : repaired ? RQ_METRIC_REPAIRED : RQ_METRIC_OK;
    out->why = why[0] ? rq_xstrdup(why) : NULL;
    if (m) {
        rq_geom_destroy(g, *slot);
        *slot = m;
    }
}

static void *
metric_worker(void *arg)
{
    struct metric_pool *p = arg;
    rq_err err = {0};
    rq_geos *g = rq_geos_create();
    rq_xform *xf = g ? rq_xform_create(p->srs, p->crs, &err) : NULL;
    if (!g)
        rq_err_set(&err, RQ_ERR_GEOS, "cannot create a GEOS context");
    if (!xf) {
        rq_pool_error_record(&p->fail, &err);
        goto done;
    }
    while (!rq_pool_error_seen(&p->fail)) {
        size_t i = atomic_fetch_add(&p->next, RQ_METRIC_CHUNK);
        if (i >= p->n)
            break;
        size_t end = i + RQ_METRIC_CHUNK < p->n ? i + RQ_METRIC_CHUNK : p->n;
        for (; i < end; i++)
            metric_one(g, xf, &p->geoms[i], &p->out[i]);
    }
done:
    rq_xform_destroy(xf);
    rq_geos_destroy(g);
    rq_err_fini(&err);
    return NULL;
}

rq_status
rq_metric_polygons(const char *srs, const char *crs, rq_geom **geoms, size_t n, rq_metric_out *out,
                   rq_err *err)
{
    struct metric_pool p = {.srs = srs, .crs = crs, .geoms = geoms, .out = out, .n = n};
    memset(out, 0, n * sizeof *out);
    atomic_init(&p.next, 0);
    rq_pool_error_init(&p.fail);
    size_t threads = rq_thread_count();
    size_t useful = (n + RQ_METRIC_CHUNK - 1) / RQ_METRIC_CHUNK;
    rq_workers_run(metric_worker, &p, threads < useful ? threads : useful ? useful : 1);
    return rq_pool_error_fini(&p.fail, err);
}

void
rq_metric_outs_free(rq_metric_out *out, size_t n)
{
    for (size_t i = 0; out && i < n; i++)
        free(out[i].why);
    free(out);
}
