/* geom_cover.c - simplifying a coverage for maps, and reading rings.
**
** Communes form a coverage: neighbours share their boundary, vertex for
** vertex. Simplifying each polygon on its own would move a shared boundary
** differently on its two sides, and the map would show slivers and
** overlaps. GEOS 3.12 has GEOSCoverageSimplifyVW for this; Debian 12's
** GEOS 3.11 has not. The equivalent here is the one of TopoJSON: cut the
** rings into edges, each edge the stretch of boundary between two nodes
** that one pair of polygons shares (or one polygon and the outside), and
** simplify each edge on its own with GEOS's Douglas-Peucker (GEOSSimplify,
** which keeps the edge's ends). Both sides of an edge see the same
** vertices in the same canonical order, so they get the same simplified
** edge: neighbours still meet exactly.
**
**   1. Vertices are grouped by position (sorted): each position gets a
**      number, and one where three polygons or more meet is a node.
**   2. Segments are grouped by their (unordered) ends: a segment found in
**      two rings is shared, and each side learns its neighbour.
**   3. A vertex is also a node where the neighbour changes along a ring;
**      a ring with no node gets one at its smallest vertex.
**   4. Each edge is simplified in its canonical direction (smaller end
**      first) and the rings are rebuilt from the simplified edges. A ring
**      that would collapse below four points is kept as it was.
**
** No overlay and no noding of the whole boundary set: an earlier version
** noded it (GEOSNode, GEOSLineMerge, GEOSTopologyPreserveSimplify,
** GEOSPolygonize) and took 20 s on the 34,739 communes of France, 2 s on
** Occitanie (docs/performance.md). Edges are simplified independently, so
** two edges may cross by less than the tolerance (a fraction of a pixel):
** invisible on a map, and rq_geom_union_coverage_take falls back to the
** overlay for the outlines made from such faces.
*/
#include "geom_internal.h"

#include <math.h>
#include <stdint.h>
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

/* A point of a ring; rings are stored one after the other. */
typedef struct {
    double x, y;
} pt;

static int
pt_cmp(const pt *a, const pt *b)
{
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return 0;
}

typedef struct {
    size_t poly;   /* index of the input polygon */
    size_t part;   /* polygon part of a multipolygon */
    int hole;      /* 0 for the shell */
    size_t off, n; /* its points c[off..off+n), the last one repeats the first */
} cring;

typedef struct {
    pt *c; /* every ring's points */
    size_t n_c, cap_c;
    cring *r;
    size_t n_r, cap_r;
    size_t *ring_of; /* per point: its ring */
    long *nb;        /* per point k: the polygon across segment (k, k+1); -1 none */
    unsigned char *node;
} topo;

/* Adds ring lr; 0 when GEOS fails. *added tells whether it was kept. */
static int
add_ring(rq_geos *g, topo *t, const GEOSGeometry *lr, size_t poly, size_t part, int hole,
         int *added)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(g->h, lr);
    unsigned n = 0;
    *added = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(g->h, seq, &n))
        return 0;
    if (n < 4)
        return 1; /* a degenerate ring: nothing to draw */
    rq_grow((void **)&t->c, &t->cap_c, t->n_c + n, sizeof *t->c);
    if (!GEOSCoordSeq_copyToBuffer_r(g->h, seq, (double *)(t->c + t->n_c), 0, 0))
        return 0;
    rq_grow((void **)&t->r, &t->cap_r, t->n_r + 1, sizeof *t->r);
    t->r[t->n_r++] = (cring){poly, part, hole, t->n_c, n};
    t->n_c += n;
    *added = 1;
    return 1;
}

static int
add_polygon(rq_geos *g, topo *t, const GEOSGeometry *p, size_t poly, size_t part)
{
    int added;
    if (!add_ring(g, t, GEOSGetExteriorRing_r(g->h, p), poly, part, 0, &added))
        return 0;
    int nh = added ? GEOSGetNumInteriorRings_r(g->h, p) : 0; /* no shell: no holes */
    for (int h = 0; h < nh; h++)
        if (!add_ring(g, t, GEOSGetInteriorRingN_r(g->h, p, h), poly, part, 1, &added))
            return 0;
    return 1;
}

/* Equal points and equal segments are found by sorting integer keys with
** a stable radix sort (8 bits a pass, a pass skipped when every key has
** the same digit there): over France's 2.2 million vertices, qsort on the
** coordinates took about 2 s of CPU, most of the report's time. Only which
** items are equal matters, and a stable sort keeps equal items in the
** order of their index, that is by polygon, as rings are stored. */
typedef struct {
    uint64_t key;
    size_t k;
} item;

static void
radix_sort(item *a, size_t n)
{
    item *tmp = rq_xmalloc((n + 1) * sizeof *tmp);
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i].key >> shift) & 0xff) + 1]++;
        if (count[((a[0].key >> shift) & 0xff) + 1] == n)
            continue; /* one digit for all: nothing moves */
        for (int d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & 0xff]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
    free(tmp);
}

/* An integer with the order of the double d (-0 as +0, so that equal
** coordinates get equal keys). */
static uint64_t
dkey(double d)
{
    uint64_t u;
    d = d == 0 ? 0.0 : d;
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

/* The vertices of every ring (the closing point left out), sorted by
** position; returns their count. */
static size_t
sorted_vertices(const topo *t, item *v)
{
    size_t n = 0;
    for (size_t r = 0; r < t->n_r; r++)
        for (size_t k = t->r[r].off; k + 1 < t->r[r].off + t->r[r].n; k++)
            v[n++] = (item){dkey(t->c[k].y), k};
    if (!n)
        return 0;
    radix_sort(v, n); /* by y, then stably by x: by (x, y) */
    for (size_t i = 0; i < n; i++)
        v[i].key = dkey(t->c[v[i].k].x);
    radix_sort(v, n);
    return n;
}

/* Step 1: each vertex's position gets a number (id), and a vertex where
** three polygons or more meet is a node. */
static uint32_t *
positions(topo *t)
{
    uint32_t *id = rq_xcalloc(t->n_c + 1, sizeof *id);
    item *v = rq_xmalloc((t->n_c + 1) * sizeof *v);
    size_t n = sorted_vertices(t, v);
    uint32_t next = 0;
    for (size_t i = 0, j; i < n; i = j, next++) {
        size_t polys = 1;
        for (j = i + 1; j < n && !pt_cmp(&t->c[v[j].k], &t->c[v[i].k]); j++)
            polys += t->r[t->ring_of[v[j].k]].poly != t->r[t->ring_of[v[j - 1].k]].poly;
        for (size_t m = i; m < j; m++) {
            id[v[m].k] = next;
            t->node[v[m].k] |= polys >= 3;
        }
    }
    free(v);
    /* The closing point of each ring is its first. */
    for (size_t r = 0; r < t->n_r; r++)
        id[t->r[r].off + t->r[r].n - 1] = id[t->r[r].off];
    return id;
}

/* Step 2: the segments of every ring, by their unordered ends: a segment
** found in two rings is shared, and each side learns its neighbour. */
static void
neighbours(topo *t, const uint32_t *id)
{
    item *s = rq_xmalloc((t->n_c + 1) * sizeof *s);
    size_t n = 0;
    for (size_t r = 0; r < t->n_r; r++)
        for (size_t k = t->r[r].off; k + 1 < t->r[r].off + t->r[r].n; k++) {
            uint64_t a = id[k], b = id[k + 1];
            s[n++] = (item){a < b ? a << 32 | b : b << 32 | a, k};
        }
    if (n)
        radix_sort(s, n);
    for (size_t i = 0; i < t->n_c; i++)
        t->nb[i] = -1;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && s[j].key == s[i].key; j++)
            ;
        if (j - i != 2)
            continue; /* not shared, or shared by more than two: outline-like */
        size_t p0 = t->r[t->ring_of[s[i].k]].poly, p1 = t->r[t->ring_of[s[i + 1].k]].poly;
        t->nb[s[i].k] = (long)p1;
        t->nb[s[i + 1].k] = (long)p0;
    }
    free(s);
}

/* Step 3: the other nodes: where the neighbour changes along a ring; a
** ring with no node gets one at its smallest vertex. */
static void
nodes(topo *t)
{
    for (size_t r = 0; r < t->n_r; r++) {
        const cring *rg = &t->r[r];
        size_t last = rg->off + rg->n - 2, any = 0, min = rg->off;
        for (size_t k = rg->off; k <= last; k++) {
            long before = t->nb[k == rg->off ? last : k - 1];
            if (before != t->nb[k])
                t->node[k] = 1;
            any |= t->node[k];
            if (pt_cmp(&t->c[k], &t->c[min]) < 0)
                min = k;
        }
        if (!any)
            t->node[min] = 1;
    }
}

/* Step 4: edge e[0..n) simplified, in its canonical direction, appended to
** out (without its first point when skip_first). */
static int
simplify_edge(rq_geos *g, pt *e, size_t n, double tol, pt **out, size_t *n_out, size_t *cap,
              int skip_first)
{
    int rev = pt_cmp(&e[0], &e[n - 1]) > 0 ||
              (pt_cmp(&e[0], &e[n - 1]) == 0 && n > 3 && pt_cmp(&e[1], &e[n - 2]) > 0);
    for (size_t i = 0; rev && i < n / 2; i++) {
        pt tmp = e[i];
        e[i] = e[n - 1 - i];
        e[n - 1 - i] = tmp;
    }
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromBuffer_r(g->h, (const double *)e, (unsigned)n, 0, 0);
    GEOSGeometry *line = seq ? GEOSGeom_createLineString_r(g->h, seq) : NULL;
    GEOSGeometry *simple = line ? GEOSSimplify_r(g->h, line, tol) : NULL;
    const GEOSCoordSequence *ss = simple ? GEOSGeom_getCoordSeq_r(g->h, simple) : NULL;
    unsigned m = 0;
    int ok = ss && GEOSCoordSeq_getSize_r(g->h, ss, &m) && m >= 2;
    /* A closed edge must stay a ring of four points or more. */
    int keep = ok && (pt_cmp(&e[0], &e[n - 1]) != 0 || m >= 4);
    size_t count = keep ? m : n;
    rq_grow((void **)out, cap, *n_out + count + 1, sizeof **out);
    pt *dst = *out + *n_out;
    if (keep && !GEOSCoordSeq_copyToBuffer_r(g->h, ss, (double *)dst, 0, 0))
        ok = 0;
    else if (!keep)
        memcpy(dst, e, n * sizeof *e);
    for (size_t i = 0; rev && i < count / 2; i++) {
        pt tmp = dst[i];
        dst[i] = dst[count - 1 - i];
        dst[count - 1 - i] = tmp;
    }
    if (skip_first) {
        memmove(dst, dst + 1, (count - 1) * sizeof *dst);
        count--;
    }
    *n_out += count;
    GEOSGeom_destroy_r(g->h, simple);
    GEOSGeom_destroy_r(g->h, line);
    return ok || !keep;
}

/* Ring r rebuilt from its simplified edges, as a GEOS linear ring (NULL
** when it collapses). */
static GEOSGeometry *
simplify_ring(rq_geos *g, const topo *t, const cring *r, double tol, pt **buf, size_t *cap_buf,
              pt **out, size_t *cap_out)
{
    size_t m = r->n - 1, first = 0, n_out = 0;
    while (!t->node[r->off + first])
        first++;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && !t->node[r->off + (first + j) % m])
            j++;
        rq_grow((void **)buf, cap_buf, j - i + 1, sizeof **buf);
        for (size_t k = i; k <= j; k++)
            (*buf)[k - i] = t->c[r->off + (first + k) % m];
        if (!simplify_edge(g, *buf, j - i + 1, tol, out, &n_out, cap_out, i > 0))
            return NULL;
        i = j;
    }
    if (n_out < 4)
        return NULL;
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromBuffer_r(g->h, (const double *)*out, (unsigned)n_out, 0, 0);
    return seq ? GEOSGeom_createLinearRing_r(g->h, seq) : NULL;
}

/* The faces: one polygon per polygon part of the input, rebuilt. */
static GEOSGeometry *
rebuild(rq_geos *g, const topo *t, double tol, long **face_of)
{
    size_t cap_f = 0, cap_fo = 0, n_f = 0, cap_buf = 0, cap_out = 0, cap_holes = 0;
    GEOSGeometry **faces = NULL, **holes = NULL;
    pt *buf = NULL, *out = NULL;
    *face_of = NULL;
    for (size_t r = 0; r < t->n_r;) {
        size_t end = r + 1, n_h = 0;
        while (end < t->n_r && t->r[end].hole)
            end++;
        GEOSGeometry *shell = simplify_ring(g, t, &t->r[r], tol, &buf, &cap_buf, &out, &cap_out);
        for (size_t h = r + 1; shell && h < end; h++) {
            rq_grow((void **)&holes, &cap_holes, n_h + 1, sizeof *holes);
            if ((holes[n_h] = simplify_ring(g, t, &t->r[h], tol, &buf, &cap_buf, &out, &cap_out)) !=
                NULL)
                n_h++;
        }
        GEOSGeometry *poly =
            shell ? GEOSGeom_createPolygon_r(g->h, shell, holes, (unsigned)n_h) : NULL;
        if (poly) {
            rq_grow((void **)&faces, &cap_f, n_f + 1, sizeof *faces);
            rq_grow((void **)face_of, &cap_fo, n_f + 1, sizeof **face_of);
            faces[n_f] = poly;
            (*face_of)[n_f++] = (long)t->r[r].poly;
        }
        r = end;
    }
    free(buf);
    free(out);
    free(holes);
    GEOSGeometry *all =
        GEOSGeom_createCollection_r(g->h, GEOS_GEOMETRYCOLLECTION, faces, (unsigned)n_f);
    free(faces);
    return all;
}

rq_geom *
rq_coverage_simplify(rq_geos *g, const rq_geom *const *polys, size_t n, double tol, long **face_of,
                     rq_err *err)
{
    topo t;
    memset(&t, 0, sizeof t);
    *face_of = NULL;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        if (!polys[i])
            continue;
        int type = GEOSGeomTypeId_r(g->h, CG(polys[i]));
        int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(g->h, CG(polys[i]));
        for (int k = 0; k < parts && ok; k++) {
            const GEOSGeometry *p =
                type == GEOS_POLYGON ? CG(polys[i]) : GEOSGetGeometryN_r(g->h, CG(polys[i]), k);
            if (GEOSGeomTypeId_r(g->h, p) == GEOS_POLYGON)
                ok = add_polygon(g, &t, p, i, (size_t)k);
        }
    }
    GEOSGeometry *faces = NULL;
    if (ok) {
        t.ring_of = rq_xcalloc(t.n_c + 1, sizeof *t.ring_of);
        t.nb = rq_xcalloc(t.n_c + 1, sizeof *t.nb);
        t.node = rq_xcalloc(t.n_c + 1, 1);
        for (size_t r = 0; r < t.n_r; r++)
            for (size_t k = 0; k < t.r[r].n; k++)
                t.ring_of[t.r[r].off + k] = r;
        uint32_t *id = positions(&t);
        neighbours(&t, id);
        free(id);
        nodes(&t);
        faces = rebuild(g, &t, tol, face_of);
    }
    free(t.c);
    free(t.r);
    free(t.ring_of);
    free(t.nb);
    free(t.node);
    if (!faces) {
        free(*face_of);
        *face_of = NULL;
        return rq_geos_fail(g, err, "coverage simplification");
    }
    return (rq_geom *)faces;
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
