/* crs.c - PROJ wrapper (one context per rq_xform). */
#include "raquette/crs.h"

#include <math.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

struct rq_xform {
    PJ_CONTEXT *ctx;
    PJ *pj;
};

static void
quiet_log(void *ud, int level, const char *msg)
{
    (void)ud;
    (void)level;
    rq_log(RQ_LOG_DEBUG, "PROJ: %s", msg);
}

rq_xform *
rq_xform_create(const char *src, const char *dst, rq_err *err)
{
    rq_xform *xf = rq_xcalloc(1, sizeof *xf);
    PJ *raw = NULL;
    xf->ctx = proj_context_create();
    if (!xf->ctx) {
        rq_err_set(err, RQ_ERR_PROJ, "PROJ: cannot create a context");
        goto fail;
    }
    proj_log_func(xf->ctx, NULL, quiet_log);
    raw = proj_create_crs_to_crs(xf->ctx, src, dst, NULL);
    if (!raw) {
        int e = proj_context_errno(xf->ctx);
        rq_err_set(err, RQ_ERR_INPUT, "PROJ cannot transform from '%.200s' to '%.200s': %s", src,
                   dst, proj_context_errno_string(xf->ctx, e));
        goto fail;
    }
    /* Traditional GIS order (x = lon/easting) whatever the authority says. */
    xf->pj = proj_normalize_for_visualization(xf->ctx, raw);
    proj_destroy(raw);
    if (!xf->pj) {
        rq_err_set(err, RQ_ERR_PROJ, "PROJ cannot normalise the axis order of '%.200s'", src);
        goto fail;
    }
    return xf;
fail:
    rq_xform_destroy(xf);
    return NULL;
}

void
rq_xform_destroy(rq_xform *xf)
{
    if (!xf)
        return;
    if (xf->pj)
        proj_destroy(xf->pj);
    if (xf->ctx)
        proj_context_destroy(xf->ctx);
    free(xf);
}

int
rq_xform_point(rq_xform *xf, double *x, double *y)
{
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    proj_errno_reset(xf->pj);
    PJ_COORD r = proj_trans(xf->pj, PJ_FWD, c);
    if (r.xy.x == HUGE_VAL || !isfinite(r.xy.x) || !isfinite(r.xy.y))
        return 0;
    *x = r.xy.x;
    *y = r.xy.y;
    return 1;
}

size_t
rq_xform_points(rq_xform *xf, double *x, double *y, size_t n)
{
    proj_errno_reset(xf->pj);
    proj_trans_generic(xf->pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0, NULL, 0, 0);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] == HUGE_VAL)
            bad++;
    return bad;
}

int
rq_crs_is_metric(const char *crs, char *unit_out, size_t unitsz, rq_err *err)
{
    int rc = -1;
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *pj = NULL, *cs = NULL;
    if (!ctx)
        return rq_err_set(err, RQ_ERR_PROJ, "PROJ: cannot create a context"), -1;
    proj_log_func(ctx, NULL, quiet_log);
    pj = proj_create(ctx, crs);
    if (!pj) {
        rq_err_set(err, RQ_ERR_INPUT, "PROJ does not know the CRS '%.200s': %s", crs,
                   proj_context_errno_string(ctx, proj_context_errno(ctx)));
        goto cleanup;
    }
    PJ_TYPE t = proj_get_type(pj);
    if (t != PJ_TYPE_PROJECTED_CRS) {
        rq_strlcpy(unit_out, "degree", unitsz);
        rc = 0;
        goto cleanup;
    }
    cs = proj_crs_get_coordinate_system(ctx, pj);
    const char *unit = NULL;
    double factor = 0;
    if (!cs || !proj_cs_get_axis_info(ctx, cs, 0, NULL, NULL, NULL, &factor, &unit, NULL, NULL)) {
        rq_err_set(err, RQ_ERR_PROJ, "PROJ cannot read the axes of '%.200s'", crs);
        goto cleanup;
    }
    rq_strlcpy(unit_out, unit ? unit : "?", unitsz);
    rc = fabs(factor - 1.0) < 1e-12 ? 1 : 0;
cleanup:
    if (cs)
        proj_destroy(cs);
    if (pj)
        proj_destroy(pj);
    proj_context_destroy(ctx);
    return rc;
}

int
rq_crs_area_of_use(const char *crs, rq_lonlat_box *box, char *name, size_t namesz)
{
    int ok = 0;
    const char *area = NULL;
    PJ_CONTEXT *ctx = proj_context_create();
    if (!ctx)
        return 0;
    proj_log_func(ctx, NULL, quiet_log);
    PJ *pj = proj_create(ctx, crs);
    if (pj && proj_get_area_of_use(ctx, pj, &box->west, &box->south, &box->east, &box->north,
                                   &area) &&
        box->west > -1000) { /* -1000: PROJ's "unknown" */
        ok = 1;
        if (name && namesz)
            rq_strlcpy(name, area ? area : "", namesz);
    }
    if (pj)
        proj_destroy(pj);
    proj_context_destroy(ctx);
    return ok;
}

char *
rq_crs_wkt(const char *crs)
{
    char *out = NULL;
    PJ_CONTEXT *ctx = proj_context_create();
    if (!ctx)
        return NULL;
    proj_log_func(ctx, NULL, quiet_log);
    PJ *pj = proj_create(ctx, crs);
    const char *const opts[] = {"MULTILINE=NO", NULL};
    const char *wkt = pj ? proj_as_wkt(ctx, pj, PJ_WKT2_2019, opts) : NULL;
    if (wkt)
        out = rq_xstrdup(wkt);
    if (pj)
        proj_destroy(pj);
    proj_context_destroy(ctx);
    return out;
}
