/* polygons.c - every input polygon (commune boundaries, study units) on
** its way into the analysis: reprojected to the metric CRS and, when GEOS
** finds it invalid, repaired to its polygonal part, in one place so that
** both inputs get the same treatment and the same counts.
**
** It is the longest part of loading after the reading itself (France's
** 35,228 boundaries: 0.74 s on one thread), and each polygon is on its
** own, so the polygons are shared out to worker threads, each with its
** own GEOS and PROJ contexts (rq_geos_work_run). A polygon made by one
** context and handed to another is never used by two threads at once.
*/
#include "raquette/crs.h"
#include "raquette/pipeline.h"

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

/* What every worker reads; each polygon's slot is one worker's only. */
struct metric_job {
    const char *srs, *crs;
    rq_geom **geoms;
    rq_metric_out *out;
};

/* A worker's own PROJ transformation. */
static void *
metric_local_create(rq_geos *g, void *ud, rq_err *err)
{
    const struct metric_job *j = ud;
    (void)g;
    return rq_xform_create(j->srs, j->crs, err);
}

static void
metric_local_destroy(rq_geos *g, void *local, void *ud)
{
    (void)g;
    (void)ud;
    rq_xform_destroy(local);
}

static rq_status
metric_one(rq_geos *g, void *xf, size_t i, void *ud, rq_err *err)
{
    const struct metric_job *j = ud;
    char why[256];
    int repaired;
    (void)err; /* a polygon that cannot be made metric is an outcome, not a failure */
    rq_geom *m = metric_polygon(g, j->geoms[i], xf, &repaired, why, sizeof why);
    j->out[i].status = !m ? RQ_METRIC_FAILED : repaired ? RQ_METRIC_REPAIRED : RQ_METRIC_OK;
    j->out[i].why = why[0] ? rq_xstrdup(why) : NULL;
    if (m) {
        rq_geom_destroy(g, j->geoms[i]);
        j->geoms[i] = m;
    }
    return RQ_OK;
}

rq_status
rq_metric_polygons(const char *srs, const char *crs, rq_geom **geoms, size_t n, rq_metric_out *out,
                   rq_err *err)
{
    struct metric_job j = {srs, crs, geoms, out};
    rq_geos_work w = {.n = n,
                      .chunk = RQ_METRIC_CHUNK,
                      .item = metric_one,
                      .local_create = metric_local_create,
                      .local_destroy = metric_local_destroy,
                      .ud = &j};
    memset(out, 0, n * sizeof *out);
    return rq_geos_work_run(&w, err);
}

void
rq_metric_outs_free(rq_metric_out *out, size_t n)
{
    for (size_t i = 0; out && i < n; i++)
        free(out[i].why);
    free(out);
}
