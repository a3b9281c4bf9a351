/* geom.h - the GEOS wrapper: the only module that includes geos_c.h.
**
** An rq_geos owns one GEOS reentrant context (one per thread), its WKB
** reader and the last error GEOS reported. Geometries are opaque rq_geom
** pointers (GEOSGeometry underneath). A geometry belongs to no context in
** particular: any context may read or destroy it, but never two threads at
** once (GEOS caches envelopes inside const geometries), so threads work
** on their own clones. Functions that return a new rq_geom give ownership to the
** caller (free with rq_geom_destroy); none of them takes ownership of its
** arguments unless its name ends in _take.
*/
#ifndef RQ_GEOM_H
#define RQ_GEOM_H

#include "raquette/core.h"

typedef struct rq_geos rq_geos;
typedef struct rq_geom rq_geom;         /* a GEOSGeometry */
typedef struct rq_prepared rq_prepared; /* a GEOSPreparedGeometry */
typedef struct rq_index rq_index;       /* an STRtree of item indices */

typedef struct rq_bbox {
    double minx, miny, maxx, maxy;
} rq_bbox;

/* A geometry as ISO WKB (little endian), the form geometries take between
** threads and in and out of files and databases; data NULL (len 0): none. */
typedef struct rq_wkb {
    unsigned char *data;
    size_t len;
} rq_wkb;

rq_geos *rq_geos_create(void);
void rq_geos_destroy(rq_geos *g);
/* Last message GEOS reported in this context ("" when none). */
const char *rq_geos_last_error(const rq_geos *g);

/* ---- Construction and conversion -------------------------------------- */

/* Reads ISO/OGC WKB; NULL with err set on failure. */
rq_geom *rq_geom_from_wkb(rq_geos *g, const unsigned char *wkb, size_t len, rq_err *err);
rq_geom *rq_geom_from_wkt(rq_geos *g, const char *wkt, rq_err *err);
/* WKB (ISO, little endian) of geom in a newly allocated buffer (free()). */
unsigned char *rq_geom_to_wkb(rq_geos *g, const rq_geom *geom, size_t *len_out);
rq_geom *rq_geom_point(rq_geos *g, double x, double y);
void rq_geom_destroy(rq_geos *g, rq_geom *geom);
rq_geom *rq_geom_clone(rq_geos *g, const rq_geom *geom);

/* ---- Properties ------------------------------------------------------- */

typedef enum {
    RQ_GT_OTHER = 0,
    RQ_GT_POINT,
    RQ_GT_POLYGON,    /* Polygon or MultiPolygon */
    RQ_GT_COLLECTION, /* a collection holding polygons and others */
} rq_geom_kind;

rq_geom_kind rq_geom_kind_of(rq_geos *g, const rq_geom *geom);
int rq_geom_is_empty(rq_geos *g, const rq_geom *geom);
/* 1 valid, 0 invalid (reason copied into why, if not NULL), -1 on error. */
int rq_geom_is_valid(rq_geos *g, const rq_geom *geom, char *why, size_t whysz);
double rq_geom_area(rq_geos *g, const rq_geom *geom);
int rq_geom_bbox(rq_geos *g, const rq_geom *geom, rq_bbox *out);
/* Coordinates of a point geometry. */
int rq_geom_xy(rq_geos *g, const rq_geom *geom, double *x, double *y);

/* ---- Operations (new geometry, NULL with err on failure) -------------- */

/* Repairs an invalid geometry (GEOSMakeValid, structure method, keeping
** collapsed parts out) and keeps only its polygonal part. */
rq_geom *rq_geom_make_valid_polygonal(rq_geos *g, const rq_geom *geom, rq_err *err);
/* The polygons of geom (a collection may also hold points and lines),
** unioned; an empty geometry when it holds none. */
rq_geom *rq_geom_polygonal_part(rq_geos *g, const rq_geom *geom, rq_err *err);
/* The point of geom nearest to (x, y): 1, or 0 on failure. */
int rq_geom_nearest_point(rq_geos *g, const rq_geom *geom, double x, double y, double *nx,
                          double *ny);
/* Union of n geometries (borrowed). */
rq_geom *rq_geom_union(rq_geos *g, const rq_geom *const *geoms, size_t n, rq_err *err);
/* The same, taking parts[0..n-1] (not the array), also on failure. */
rq_geom *rq_geom_union_take(rq_geos *g, rq_geom **parts, size_t n, rq_err *err);
/* Union of n polygonal geometries, fast when they form a coverage (no
** overlaps, shared edges with the same vertices on both sides, as commune
** boundaries do): GEOS CoverageUnion in linear time, kept only when its
** result is valid and has the parts' total area (1e-9 relative);
** otherwise the general GEOSUnaryUnion. Either way the result is the union.
** Takes ownership of parts[0..n-1] (not of the array), also on failure.
** *used_coverage (may be NULL) tells which path gave the result. */
rq_geom *rq_geom_union_coverage_take(rq_geos *g, rq_geom **parts, size_t n, int *used_coverage,
                                     rq_err *err);
rq_geom *rq_geom_intersection(rq_geos *g, const rq_geom *a, const rq_geom *b, rq_err *err);
/* The part of geom inside rectangle r (GEOSClipByRect: linear in geom's
** vertices, no overlay); NULL with err set on failure. */
rq_geom *rq_geom_clip_rect(rq_geos *g, const rq_geom *geom, const rq_bbox *r, rq_err *err);
/* GEOS buffer with quadsegs segments per quarter circle. */
rq_geom *rq_geom_buffer(rq_geos *g, const rq_geom *geom, double radius, int quadsegs, rq_err *err);
rq_geom *rq_geom_point_on_surface(rq_geos *g, const rq_geom *geom, rq_err *err);
/* Applies fn to every vertex (x,y) in place in a copy of geom. fn returns 0
** to abort (then NULL is returned with err set by fn through ud). */
typedef int (*rq_xy_fn)(double *x, double *y, void *ud);
rq_geom *rq_geom_transform(rq_geos *g, const rq_geom *geom, rq_xy_fn fn, void *ud, rq_err *err);
double rq_geom_distance(rq_geos *g, const rq_geom *a, const rq_geom *b);

/* ---- Collections, rings and coverages (geom_cover.c) ------------------- */

/* Number of parts of a collection (1 for a simple geometry), and part i
** (borrowed from geom). */
size_t rq_geom_n_parts(rq_geos *g, const rq_geom *geom);
const rq_geom *rq_geom_part(rq_geos *g, const rq_geom *geom, size_t i);
/* Calls fn for every ring of the polygons of geom (a Polygon, MultiPolygon
** or collection): its n points as xy[0..2n), exterior 1 for an outer ring.
** 0 when GEOS fails. */
typedef void (*rq_ring_fn)(const double *xy, size_t n, int exterior, void *ud);
int rq_geom_rings(rq_geos *g, const rq_geom *geom, rq_ring_fn fn, void *ud);
/* The polygons polys[0..n) (a coverage: neighbours share their edges; NULL
** entries skipped) simplified with tolerance tol so that neighbours still
** share their simplified edges: no gap, no overlap. Returns the faces, a
** collection of polygons, one per polygon part of the input (a part that
** collapses is dropped); *face_of (newly allocated) gives for each face the
** index of the polygon it belongs to. */
rq_geom *rq_coverage_simplify(rq_geos *g, const rq_geom *const *polys, size_t n, double tol,
                              long **face_of, rq_err *err);

/* ---- Prepared geometries (predicates against one geometry many times) - */

/* Prepares base (borrowed: it must outlive the prepared geometry). */
rq_prepared *rq_prepared_create(rq_geos *g, const rq_geom *base, rq_err *err);
void rq_prepared_destroy(rq_geos *g, rq_prepared *p);
/* 1 true, 0 false, -1 on GEOS exception. */
int rq_prepared_contains(rq_geos *g, const rq_prepared *p, const rq_geom *other);
int rq_prepared_covers(rq_geos *g, const rq_prepared *p, const rq_geom *other);
int rq_prepared_intersects(rq_geos *g, const rq_prepared *p, const rq_geom *other);
int rq_geom_covers(rq_geos *g, const rq_geom *a, const rq_geom *b);

/* ---- STRtree index of items 0..n-1 ------------------------------------ */

rq_index *rq_index_create(rq_geos *g);
void rq_index_destroy(rq_geos *g, rq_index *ix);
/* Inserts item (an index >= 0) with the envelope of geom (borrowed; only the
** envelope is kept). Insert everything before the first query. */
void rq_index_insert(rq_geos *g, rq_index *ix, const rq_geom *geom, size_t item);
/* Calls fn for every item whose envelope intersects geom's. Items come in
** tree order: callers sort when order matters. */
typedef void (*rq_index_fn)(size_t item, void *ud);
void rq_index_query(rq_geos *g, rq_index *ix, const rq_geom *geom, rq_index_fn fn, void *ud);
/* Collects the query result, sorted ascending, into a newly allocated array. */
size_t *rq_index_query_sorted(rq_geos *g, rq_index *ix, const rq_geom *geom, size_t *n_out);
/* Nearest item to geom by the distance dist(item, ud) computes (it must be
** >= the distance between the item's envelope and geom, so that the tree
** can prune; return INFINITY to skip an item). Returns the item, or -1 when
** every item was skipped or the tree is empty. */
typedef double (*rq_item_dist_fn)(size_t item, void *ud);
long rq_index_nearest(rq_geos *g, rq_index *ix, const rq_geom *geom, rq_item_dist_fn dist,
                      void *ud);
/* Axis-aligned rectangle polygon. */
rq_geom *rq_geom_rectangle(rq_geos *g, double minx, double miny, double maxx, double maxy);

/* ---- Work on worker threads (work.c) ------------------------------------ */

/* item(g, local, i, ud, err) for every i in [0, n), on worker threads (at
** most rq_thread_count()), each with its own GEOS context g and, when
** local_create is set, its own state local (made by local_create(g, ud),
** NULL with err set on failure; freed by local_destroy(g, local, ud)). Workers take
** chunk items at a time (0: 1). A failing item sets err and stops every
** worker; its error is the one returned. With n = 0 one worker still makes
** its local state, so that a state that cannot be made is said. */
typedef struct rq_geos_work {
    size_t n, chunk;
    rq_status (*item)(rq_geos *g, void *local, size_t i, void *ud, rq_err *err);
    void *(*local_create)(rq_geos *g, void *ud, rq_err *err);
    void (*local_destroy)(rq_geos *g, void *local, void *ud);
    void *ud;
} rq_geos_work;

rq_status rq_geos_work_run(const rq_geos_work *w, rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_GEOM_H */
