/* geom_cover.c - simplifying a coverage for maps, and reading rings.
**
** Communes form a coverage: neighbours share their boundary, vertex for
** vertex. Simplifying each polygon on its own would move a shared boundary
** differently on its two sides, and the map would show slivers and
** overlaps. GEOS 3.12 has GEOSCoverageSimplifyVW for this; Debian 12's
** GEOS 3.11 has not, so the equivalent is built from what it has:
**   1. the polygons' boundaries are noded (GEOSNode): every shared stretch
**      becomes one line, cut where three polygons meet;
**   2. the pieces are merged into edges between such nodes (GEOSLineMerge);
**   3. the edges are simplified together by GEOSTopologyPreserveSimplify,
**      which keeps each edge's ends and never lets two edges cross;
**   4. the simplified edges are polygonized back into faces, each shared
**      edge bounding both its neighbours.
** Each face is then given to the polygon that holds its interior point
** (an STRtree of the input polygons; the nearest candidate for a face so
** thin that the point falls just outside). Faces that no polygon holds are
** holes of the coverage (an enclave of another territory) and are dropped.
*/
#include "geom_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t
rq_geom_n_parts(rq_geos *g, const rq_geom *geom)
{
    int n = GEOSGetNumGeometries_r(g->h, CG(geom));
    return n > 0 ? (size_t)n : 0;
}

const rq_geom *
rq_geom_part(rq_geos *g, const rq_geom *geom, size_t i)
{
    return (const rq_geom *)GEOSGetGeometryN_r(g->h, CG(geom), (int)i);
}

/* The boundaries of polys[0..n) as one collection of lines. */
static GEOSGeometry *
boundaries(rq_geos *g, const rq_geom *const *polys, size_t n)
{
    GEOSGeometry **lines = rq_xcalloc(n + 1, sizeof *lines);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (polys[i] && (lines[m] = GEOSBoundary_r(g->h, CG(polys[i]))) != NULL)
            m++;
    GEOSGeometry *all =
        GEOSGeom_createCollection_r(g->h, GEOS_GEOMETRYCOLLECTION, lines, (unsigned)m);
    if (!all)
        for (size_t i = 0; i < m; i++)
            GEOSGeom_destroy_r(g->h, lines[i]);
    free(lines);
    return all;
}

/* The input polygon holding face f (see the header), or -1. */
static long
owner(rq_geos *g, rq_index *ix, const rq_geom *const *polys, const GEOSGeometry *f)
{
    GEOSGeometry *pt = GEOSPointOnSurface_r(g->h, f);
    if (!pt)
        return -1;
    size_t n = 0;
    size_t *cand = rq_index_query_sorted(g, ix, (const rq_geom *)pt, &n);
    long best = -1;
    double best_d = INFINITY;
    for (size_t k = 0; k < n; k++) {
        const GEOSGeometry *p = CG(polys[cand[k]]);
        if (GEOSCovers_r(g->h, p, pt) == 1) {
            best = (long)cand[k];
            best_d = 0;
            break;
        }
        double d;
        if (GEOSDistance_r(g->h, p, pt, &d) && d < best_d) {
            best_d = d;
            best = (long)cand[k];
        }
    }
    /* A point of the face farther than its own width from every polygon
    ** lies in a hole of the coverage. */
    double area = 0, len = 0;
    GEOSArea_r(g->h, f, &area);
    GEOSLength_r(g->h, f, &len);
    if (best >= 0 && best_d < INFINITY && best_d > (len > 0 ? 2 * area / len : 0))
        best = -1;
    free(cand);
    GEOSGeom_destroy_r(g->h, pt);
    return best;
}

rq_geom *
rq_coverage_simplify(rq_geos *g, const rq_geom *const *polys, size_t n, double tol, long **face_of,
                     rq_err *err)
{
    *face_of = NULL;
    GEOSGeometry *lines = boundaries(g, polys, n), *noded = NULL, *edges = NULL;
    GEOSGeometry *simple = NULL, *faces = NULL;
    if (!lines || !(noded = GEOSNode_r(g->h, lines)))
        goto cleanup;
    if (!(edges = GEOSLineMerge_r(g->h, noded)))
        goto cleanup;
    if (!(simple = GEOSTopologyPreserveSimplify_r(g->h, edges, tol)))
        goto cleanup;
    const GEOSGeometry *in[] = {simple};
    faces = GEOSPolygonize_r(g->h, in, 1);
cleanup:
    GEOSGeom_destroy_r(g->h, lines);
    GEOSGeom_destroy_r(g->h, noded);
    GEOSGeom_destroy_r(g->h, edges);
    GEOSGeom_destroy_r(g->h, simple);
    if (!faces)
        return rq_geos_fail(g, err, "coverage simplification");
    rq_index *ix = rq_index_create(g);
    for (size_t i = 0; i < n; i++)
        if (polys[i])
            rq_index_insert(g, ix, polys[i], i);
    size_t nf = rq_geom_n_parts(g, (rq_geom *)faces);
    *face_of = rq_xcalloc(nf + 1, sizeof **face_of);
    for (size_t i = 0; i < nf; i++)
        (*face_of)[i] = owner(g, ix, polys, GEOSGetGeometryN_r(g->h, faces, (int)i));
    rq_index_destroy(g, ix);
    return (rq_geom *)faces;
}

rq_geom *
rq_geom_simplify(rq_geos *g, const rq_geom *geom, double tol, rq_err *err)
{
    GEOSGeometry *r = GEOSTopologyPreserveSimplify_r(g->h, CG(geom), tol);
    return r ? (rq_geom *)r : rq_geos_fail(g, err, "simplification");
}

/* Calls fn for each ring of polygon p. */
static int
polygon_rings(rq_geos *g, const GEOSGeometry *p, rq_ring_fn fn, void *ud, double **buf, size_t *cap)
{
    int n_holes = GEOSGetNumInteriorRings_r(g->h, p);
    for (int r = -1; r < n_holes; r++) {
        const GEOSGeometry *ring =
            r < 0 ? GEOSGetExteriorRing_r(g->h, p) : GEOSGetInteriorRingN_r(g->h, p, r);
        const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(g->h, ring) : NULL;
        unsigned size = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(g->h, seq, &size))
            return 0;
        rq_grow((void **)buf, cap, 2 * (size_t)size + 2, sizeof **buf);
        if (size && !GEOSCoordSeq_copyToBuffer_r(g->h, seq, *buf, 0, 0))
            return 0;
        fn(*buf, size, r < 0, ud);
    }
    return 1;
}

int
rq_geom_rings(rq_geos *g, const rq_geom *geom, rq_ring_fn fn, void *ud)
{
    double *buf = NULL;
    size_t cap = 0;
    int ok = 1;
    int type = GEOSGeomTypeId_r(g->h, CG(geom));
    if (type == GEOS_POLYGON) {
        ok = polygon_rings(g, CG(geom), fn, ud, &buf, &cap);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(g->h, CG(geom));
        for (int i = 0; i < n && ok; i++) {
            const GEOSGeometry *p = GEOSGetGeometryN_r(g->h, CG(geom), i);
            if (GEOSGeomTypeId_r(g->h, p) == GEOS_POLYGON)
                ok = polygon_rings(g, p, fn, ud, &buf, &cap);
        }
    }
    free(buf);
    return ok;
}
