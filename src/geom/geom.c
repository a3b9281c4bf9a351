/* geom.c - GEOS wrapper (reentrant _r API only).
**
** rq_geom is a GEOSGeometry under another name so that the rest of the
** program never includes geos_c.h. GEOS predicates answer 0, 1 or 2
** (exception); every wrapper maps 2 to -1 so callers cannot mistake an
** exception for "true".
*/
#include "geom_internal.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
on_error(const char *msg, void *ud)
{
    rq_geos *g = ud;
    /* GEOS turns a failed C++ allocation into this error message and a
    ** NULL or exception result; out of memory is fatal for us too, with the
    ** same message and cleanup as our own allocators. */
    if (strcmp(msg, "std::bad_alloc") == 0)
        rq_out_of_memory(0);
    rq_strlcpy(g->last_err, msg, sizeof g->last_err);
}

static void
on_notice(const char *msg, void *ud)
{
    (void)ud;
    rq_log(RQ_LOG_DEBUG, "GEOS: %s", msg);
}

rq_geos *
rq_geos_create(void)
{
    rq_geos *g = rq_xcalloc(1, sizeof *g);
    g->h = GEOS_init_r();
    GEOSContext_setErrorMessageHandler_r(g->h, on_error, g);
    GEOSContext_setNoticeMessageHandler_r(g->h, on_notice, g);
    g->rd = GEOSWKBReader_create_r(g->h);
    g->wr = GEOSWKBWriter_create_r(g->h);
    g->wkt = GEOSWKTReader_create_r(g->h);
    if (!g->h || !g->rd || !g->wr || !g->wkt) {
        rq_geos_destroy(g);
        return NULL;
    }
    /* ISO flavour, little endian, 2D: what OGR reads back without surprise. */
    GEOSWKBWriter_setByteOrder_r(g->h, g->wr, GEOS_WKB_NDR);
    GEOSWKBWriter_setOutputDimension_r(g->h, g->wr, 2);
    return g;
}

void
rq_geos_destroy(rq_geos *g)
{
    if (!g)
        return;
    if (g->h) {
        if (g->rd)
            GEOSWKBReader_destroy_r(g->h, g->rd);
        if (g->wr)
            GEOSWKBWriter_destroy_r(g->h, g->wr);
        if (g->wkt)
            GEOSWKTReader_destroy_r(g->h, g->wkt);
        GEOS_finish_r(g->h);
    }
    free(g);
}

const char *
rq_geos_last_error(const rq_geos *g)
{
    return g->last_err;
}

rq_geom *
rq_geos_fail(rq_geos *g, rq_err *err, const char *what)
{
    rq_err_set(err, RQ_ERR_GEOS, "GEOS %s failed: %s", what,
               g->last_err[0] ? g->last_err : "unknown error");
    g->last_err[0] = '\0';
    return NULL;
}

rq_geom *
rq_geom_from_wkb(rq_geos *g, const unsigned char *wkb, size_t len, rq_err *err)
{
    GEOSGeometry *r = GEOSWKBReader_read_r(g->h, g->rd, wkb, len);
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "WKB reading");
}

rq_geom *
rq_geom_from_wkt(rq_geos *g, const char *wkt, rq_err *err)
{
    GEOSGeometry *r = GEOSWKTReader_read_r(g->h, g->wkt, wkt);
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "WKT reading");
}

unsigned char *
rq_geom_to_wkb(rq_geos *g, const rq_geom *geom, size_t *len_out)
{
    size_t len = 0;
    unsigned char *w = GEOSWKBWriter_write_r(g->h, g->wr, CG(geom), &len);
    if (!w)
        return NULL;
    /* Copy into our own allocation: GEOS memory must go back through GEOSFree_r. */
    unsigned char *out = rq_xmalloc(len);
    memcpy(out, w, len);
    GEOSFree_r(g->h, w);
    *len_out = len;
    return out;
}

rq_geom *
rq_geom_point(rq_geos *g, double x, double y)
{
    return (rq_geom *)GEOSGeom_createPointFromXY_r(g->h, x, y);
}

void
rq_geom_destroy(rq_geos *g, rq_geom *geom)
{
    if (geom)
        GEOSGeom_destroy_r(g->h, G(geom));
}

rq_geom *
rq_geom_clone(rq_geos *g, const rq_geom *geom)
{
    return (rq_geom *)GEOSGeom_clone_r(g->h, CG(geom));
}

rq_geom_kind
rq_geom_kind_of(rq_geos *g, const rq_geom *geom)
{
    switch (GEOSGeomTypeId_r(g->h, CG(geom))) {
    case GEOS_POINT:
        return RQ_GT_POINT;
    case GEOS_POLYGON:
    case GEOS_MULTIPOLYGON:
        return RQ_GT_POLYGON;
    case GEOS_GEOMETRYCOLLECTION:
        return RQ_GT_COLLECTION;
    default:
        return RQ_GT_OTHER;
    }
}

int
rq_geom_is_empty(rq_geos *g, const rq_geom *geom)
{
    return GEOSisEmpty_r(g->h, CG(geom)) == 1;
}

int
rq_geom_is_valid(rq_geos *g, const rq_geom *geom, char *why, size_t whysz)
{
    char v = GEOSisValid_r(g->h, CG(geom));
    if (v == 2)
        return -1;
    if (v == 0 && why && whysz) {
        char *r = GEOSisValidReason_r(g->h, CG(geom));
        rq_strlcpy(why, r ? r : "invalid", whysz);
        if (r)
            GEOSFree_r(g->h, r);
    }
    return v;
}

double
rq_geom_area(rq_geos *g, const rq_geom *geom)
{
    double a = 0;
    if (!GEOSArea_r(g->h, CG(geom), &a))
        return 0;
    return a;
}

int
rq_geom_bbox(rq_geos *g, const rq_geom *geom, rq_bbox *out)
{
    return GEOSGeom_getXMin_r(g->h, CG(geom), &out->minx) &&
           GEOSGeom_getYMin_r(g->h, CG(geom), &out->miny) &&
           GEOSGeom_getXMax_r(g->h, CG(geom), &out->maxx) &&
           GEOSGeom_getYMax_r(g->h, CG(geom), &out->maxy);
}

int
rq_geom_xy(rq_geos *g, const rq_geom *geom, double *x, double *y)
{
    return GEOSGeomGetX_r(g->h, CG(geom), x) && GEOSGeomGetY_r(g->h, CG(geom), y);
}

/* Keeps the polygons of a (possibly mixed) geometry: MakeValid may return a
** collection with lines or points where a ring collapsed. */
static GEOSGeometry *
polygonal_part(GEOSContextHandle_t h, GEOSGeometry *in)
{
    int t = GEOSGeomTypeId_r(h, in);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        return in;
    int n = GEOSGetNumGeometries_r(h, in);
    GEOSGeometry **parts = rq_xcalloc((size_t)(n > 0 ? n : 1), sizeof *parts);
    unsigned k = 0;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, in, i);
        int pt = GEOSGeomTypeId_r(h, p);
        if (pt == GEOS_POLYGON || pt == GEOS_MULTIPOLYGON)
            parts[k++] = GEOSGeom_clone_r(h, p);
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, k);
    free(parts);
    GEOSGeom_destroy_r(h, in);
    if (!coll)
        return NULL;
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return u;
}

rq_geom *
rq_geom_make_valid_polygonal(rq_geos *g, const rq_geom *geom, rq_err *err)
{
    GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(g->h);
    GEOSGeometry *r = NULL;
    if (p) {
        GEOSMakeValidParams_setMethod_r(g->h, p, GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(g->h, p, 0);
        r = GEOSMakeValidWithParams_r(g->h, CG(geom), p);
        GEOSMakeValidParams_destroy_r(g->h, p);
    }
    if (r)
        r = polygonal_part(g->h, r);
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "MakeValid");
}

rq_geom *
rq_geom_polygonal_part(rq_geos *g, const rq_geom *geom, rq_err *err)
{
    GEOSGeometry *c = GEOSGeom_clone_r(g->h, CG(geom));
    GEOSGeometry *r = c ? polygonal_part(g->h, c) : NULL;
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "polygonal part");
}

int
rq_geom_nearest_point(rq_geos *g, const rq_geom *geom, double x, double y, double *nx, double *ny)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->h, x, y);
    GEOSCoordSequence *cs = pt ? GEOSNearestPoints_r(g->h, CG(geom), pt) : NULL;
    /* The first point of the pair lies on geom. */
    int ok = cs && GEOSCoordSeq_getXY_r(g->h, cs, 0, nx, ny);
    if (cs)
        GEOSCoordSeq_destroy_r(g->h, cs);
    if (pt)
        GEOSGeom_destroy_r(g->h, pt);
    return ok;
}

rq_geom *
rq_geom_union_take(rq_geos *g, rq_geom **parts, size_t n, rq_err *err)
{
    if (n == 1)
        return parts[0];
    if (n > UINT_MAX) { /* GEOS counts the parts in an unsigned int */
        for (size_t j = 0; j < n; j++)
            GEOSGeom_destroy_r(g->h, G(parts[j]));
        return rq_err_set(err, RQ_ERR_GEOS, "GEOS union: %zu parts, at most %u", n, UINT_MAX), NULL;
    }
    /* createCollection takes the parts, even when it fails. */
    GEOSGeometry *coll = GEOSGeom_createCollection_r(g->h, GEOS_GEOMETRYCOLLECTION,
                                                     (GEOSGeometry **)parts, (unsigned)n);
    if (!coll)
        return rq_geos_fail(g, err, "collection");
    GEOSGeometry *u = GEOSUnaryUnion_r(g->h, coll);
    GEOSGeom_destroy_r(g->h, coll);
    return u ? (rq_geom *)u : rq_geos_fail(g, err, "union");
}

rq_geom *
rq_geom_union(rq_geos *g, const rq_geom *const *geoms, size_t n, rq_err *err)
{
    rq_geom **parts = rq_xcalloc(n ? n : 1, sizeof *parts);
    for (size_t i = 0; i < n; i++)
        parts[i] = rq_geom_clone(g, geoms[i]);
    rq_geom *u = rq_geom_union_take(g, parts, n, err);
    free(parts);
    return u;
}

/* The coverage union is exact only on a true coverage. A coverage union
** whose result is valid and holds exactly the parts' total area is the
** union: overlapping parts would lose area in a true union, and edges
** that do not match vertex for vertex leave rings the validity check
** rejects. Anything else falls back to the general overlay. */
static int
coverage_result_ok(rq_geos *g, const GEOSGeometry *r, double parts_area)
{
    double a = 0;
    if (GEOSisValid_r(g->h, r) != 1 || !GEOSArea_r(g->h, r, &a))
        return 0;
    return fabs(a - parts_area) <= 1e-9 * (parts_area > 1 ? parts_area : 1);
}

rq_geom *
rq_geom_union_coverage_take(rq_geos *g, rq_geom **parts, size_t n, int *used_coverage, rq_err *err)
{
    double parts_area = 0;
    GEOSGeometry *coll = NULL, *u = NULL;
    if (used_coverage)
        *used_coverage = 0;
    if (n > UINT_MAX) { /* GEOS counts the parts in an unsigned int */
        for (size_t j = 0; j < n; j++)
            GEOSGeom_destroy_r(g->h, G(parts[j]));
        return rq_err_set(err, RQ_ERR_GEOS, "GEOS union: %zu parts, at most %u", n, UINT_MAX), NULL;
    }
    for (size_t i = 0; i < n; i++) {
        double a = 0;
        if (!GEOSArea_r(g->h, CG(parts[i]), &a)) {
            for (size_t j = 0; j < n; j++)
                GEOSGeom_destroy_r(g->h, G(parts[j]));
            return rq_geos_fail(g, err, "area");
        }
        parts_area += a;
    }
    /* createCollection takes the parts, even when it fails. */
    coll = GEOSGeom_createCollection_r(g->h, GEOS_GEOMETRYCOLLECTION, (GEOSGeometry **)parts,
                                       (unsigned)n);
    if (!coll)
        return rq_geos_fail(g, err, "collection");
    u = GEOSCoverageUnion_r(g->h, coll);
    if (u && coverage_result_ok(g, u, parts_area)) {
        if (used_coverage)
            *used_coverage = 1;
    } else {
        if (u)
            GEOSGeom_destroy_r(g->h, u);
        g->last_err[0] = '\0'; /* an expected refusal, not an error */
        u = GEOSUnaryUnion_r(g->h, coll);
    }
    GEOSGeom_destroy_r(g->h, coll);
    return u ? (rq_geom *)u : rq_geos_fail(g, err, "union");
}

rq_geom *
rq_geom_intersection(rq_geos *g, const rq_geom *a, const rq_geom *b, rq_err *err)
{
    GEOSGeometry *r = GEOSIntersection_r(g->h, CG(a), CG(b));
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "intersection");
}

rq_geom *
rq_geom_clip_rect(rq_geos *g, const rq_geom *geom, const rq_bbox *r, rq_err *err)
{
    GEOSGeometry *c = GEOSClipByRect_r(g->h, CG(geom), r->minx, r->miny, r->maxx, r->maxy);
    return c ? (rq_geom *)c : rq_geos_fail(g, err, "clip by rectangle");
}

rq_geom *
rq_geom_buffer(rq_geos *g, const rq_geom *geom, double radius, int quadsegs, rq_err *err)
{
    GEOSGeometry *r = GEOSBuffer_r(g->h, CG(geom), radius, quadsegs);
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "buffer");
}

rq_geom *
rq_geom_point_on_surface(rq_geos *g, const rq_geom *geom, rq_err *err)
{
    GEOSGeometry *r = GEOSPointOnSurface_r(g->h, CG(geom));
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "point on surface");
}

struct xy_ctx {
    rq_xy_fn fn;
    void *ud;
};

static int
xy_cb(double *x, double *y, void *ud)
{
    struct xy_ctx *c = ud;
    return c->fn(x, y, c->ud);
}

rq_geom *
rq_geom_transform(rq_geos *g, const rq_geom *geom, rq_xy_fn fn, void *ud, rq_err *err)
{
    struct xy_ctx c = {fn, ud};
    GEOSGeometry *r = GEOSGeom_transformXY_r(g->h, CG(geom), xy_cb, &c);
    if (!r && err && err->code == RQ_OK)
        return rq_geos_fail(g, err, "coordinate transformation");
    return (rq_geom *)r;
}

double
rq_geom_distance(rq_geos *g, const rq_geom *a, const rq_geom *b)
{
    double d = -1;
    if (!GEOSDistance_r(g->h, CG(a), CG(b), &d))
        return -1;
    return d;
}

rq_prepared *
rq_prepared_create(rq_geos *g, const rq_geom *base, rq_err *err)
{
    const GEOSPreparedGeometry *p = GEOSPrepare_r(g->h, CG(base));
    if (!p) {
        rq_geos_fail(g, err, "prepare");
        return NULL;
    }
    return (rq_prepared *)p;
}

void
rq_prepared_destroy(rq_geos *g, rq_prepared *p)
{
    if (p)
        GEOSPreparedGeom_destroy_r(g->h, (const GEOSPreparedGeometry *)p);
}

static int
tri(char v)
{
    return v == 2 ? -1 : v;
}

int
rq_prepared_contains(rq_geos *g, const rq_prepared *p, const rq_geom *other)
{
    return tri(GEOSPreparedContains_r(g->h, (const GEOSPreparedGeometry *)p, CG(other)));
}

int
rq_prepared_covers(rq_geos *g, const rq_prepared *p, const rq_geom *other)
{
    return tri(GEOSPreparedCovers_r(g->h, (const GEOSPreparedGeometry *)p, CG(other)));
}

int
rq_prepared_intersects(rq_geos *g, const rq_prepared *p, const rq_geom *other)
{
    return tri(GEOSPreparedIntersects_r(g->h, (const GEOSPreparedGeometry *)p, CG(other)));
}

int
rq_geom_covers(rq_geos *g, const rq_geom *a, const rq_geom *b)
{
    return tri(GEOSCovers_r(g->h, CG(a), CG(b)));
}

/* ---- STRtree ---------------------------------------------------------- */

/* Items are stored as (item + 1) cast to a pointer: the tree never
** dereferences them, and +1 keeps item 0 distinct from NULL. */

rq_index *
rq_index_create(rq_geos *g)
{
    return (rq_index *)GEOSSTRtree_create_r(g->h, 10);
}

void
rq_index_destroy(rq_geos *g, rq_index *ix)
{
    if (ix)
        GEOSSTRtree_destroy_r(g->h, (GEOSSTRtree *)ix);
}

void
rq_index_insert(rq_geos *g, rq_index *ix, const rq_geom *geom, size_t item)
{
    GEOSSTRtree_insert_r(g->h, (GEOSSTRtree *)ix, CG(geom), (void *)(uintptr_t)(item + 1));
}

struct q_ctx {
    rq_index_fn fn;
    void *ud;
};

static void
q_cb(void *item, void *ud)
{
    struct q_ctx *c = ud;
    c->fn((size_t)(uintptr_t)item - 1, c->ud);
}

void
rq_index_query(rq_geos *g, rq_index *ix, const rq_geom *geom, rq_index_fn fn, void *ud)
{
    struct q_ctx c = {fn, ud};
    GEOSSTRtree_query_r(g->h, (GEOSSTRtree *)ix, CG(geom), q_cb, &c);
}

struct collect {
    size_t *v;
    size_t n, cap;
};

static void
collect_cb(size_t item, void *ud)
{
    struct collect *c = ud;
    rq_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v);
    c->v[c->n++] = item;
}

struct near_ctx {
    rq_item_dist_fn fn;
    void *ud;
};

static int
near_cb(const void *item1, const void *item2, double *distance, void *ud)
{
    /* GEOS passes the query item and a tree item; ours is the non-NULL
    ** one that is not the sentinel of the query. */
    const struct near_ctx *c = ud;
    const void *it = item1 == (const void *)c ? item2 : item1;
    *distance = c->fn((size_t)(uintptr_t)it - 1, c->ud);
    return 1;
}

long
rq_index_nearest(rq_geos *g, rq_index *ix, const rq_geom *geom, rq_item_dist_fn dist, void *ud)
{
    struct near_ctx c = {dist, ud};
    const void *r =
        GEOSSTRtree_nearest_generic_r(g->h, (GEOSSTRtree *)ix, &c, CG(geom), near_cb, &c);
    if (!r)
        return -1;
    size_t item = (size_t)(uintptr_t)r - 1;
    return isinf(dist(item, ud)) ? -1 : (long)item;
}

rq_geom *
rq_geom_rectangle(rq_geos *g, double minx, double miny, double maxx, double maxy)
{
    return (rq_geom *)GEOSGeom_createRectangle_r(g->h, minx, miny, maxx, maxy);
}

size_t *
rq_index_query_sorted(rq_geos *g, rq_index *ix, const rq_geom *geom, size_t *n_out)
{
    struct collect c = {NULL, 0, 0};
    rq_index_query(g, ix, geom, collect_cb, &c);
    if (c.n > 1)
        qsort(c.v, c.n, sizeof *c.v, rq_cmp_size);
    *n_out = c.n;
    return c.v;
}
