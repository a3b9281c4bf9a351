/* shapes.c - the geometries every map of a report draws, made once: the
** communes simplified as a coverage (rq_coverage_simplify: neighbours keep
** sharing their simplified boundary, so the map shows neither gap nor
** overlap), and built from those faces the outline of the study area, of
** each département and of each gap zone, so that every outline falls
** exactly on commune boundaries.
**
** The tolerance is 0.8 px in metres: less than a pixel, invisible, and it
** takes the Occitanie communes from about 1.3 million vertices to a few
** tens of thousands. Coordinates are written to a tenth of a pixel, as
** relative moves: the report of 4,446 communes stays well under 3 MB.
** For a run on study units (such as 1 km cells: run.units) no path is
** made per row: the rows' polygons are kept, and each map draws the
** union of each class (rq_shapes_class_paths).
*/
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN_PX 12.0
#define TOLERANCE_PX 0.8

void
rq_frame_init(rq_frame *f, double minx, double miny, double maxx, double maxy, double width,
              double margin)
{
    f->minx = minx;
    f->miny = miny;
    f->maxx = maxx;
    f->maxy = maxy;
    f->margin = margin;
    f->width = width;
    double w = maxx - minx, h = maxy - miny;
    f->scale = w > 0 ? (width - 2 * margin) / w : 1;
    f->height = h * f->scale + 2 * margin;
}

void
rq_frame_project(const rq_frame *f, double x, double y, double *px, double *py)
{
    *px = f->margin + (x - f->minx) * f->scale;
    *py = f->margin + (f->maxy - y) * f->scale;
}

void
rq_frame_scalebar(const rq_frame *f, double *metres, double *px)
{
    double target = (f->width - 2 * f->margin) / 5 / f->scale; /* metres */
    double p = pow(10, floor(log10(target)));
    double best = p;
    static const double steps[] = {1, 2, 5};
    for (int i = 0; i < 3; i++)
        if (steps[i] * p <= target)
            best = steps[i] * p;
    *metres = best;
    *px = best * f->scale;
}

void
rq_scalebar_label(double metres, char *buf, size_t sz)
{
    if (metres >= 1000)
        snprintf(buf, sz, "%g km", metres / 1000);
    else
        snprintf(buf, sz, "%g m", metres);
}

/* ---- Path data --------------------------------------------------------------- */

/* A number to a tenth, without a useless ".0". */
static void
num(rq_buf *b, double v)
{
    char t[48];
    long tenths = lround(v * 10);
    if (tenths % 10 == 0)
        snprintf(t, sizeof t, "%ld", tenths / 10);
    else
        snprintf(t, sizeof t, "%s%ld.%ld", tenths < 0 ? "-" : "", labs(tenths) / 10,
                 labs(tenths) % 10);
    rq_buf_add(b, t);
}

struct path_ctx {
    const rq_frame *f;
    rq_buf *b;
};

/* One ring: an absolute move, then relative lines in tenths of a pixel. */
static void
ring_path(const double *xy, size_t n, int exterior, void *ud)
{
    (void)exterior;
    struct path_ctx *c = ud;
    long px = 0, py = 0;
    size_t drawn = 0;
    for (size_t i = 0; i + 1 < n || (i < n && n == 1); i++) { /* the last repeats the first */
        double x, y;
        rq_frame_project(c->f, xy[2 * i], xy[2 * i + 1], &x, &y);
        long tx = lround(x * 10), ty = lround(y * 10);
        if (drawn == 0) {
            rq_buf_add(c->b, "M");
            num(c->b, tx / 10.0);
            rq_buf_add(c->b, " ");
            num(c->b, ty / 10.0);
        } else if (tx != px || ty != py) {
            rq_buf_add(c->b, drawn == 1 ? "l" : " ");
            num(c->b, (tx - px) / 10.0);
            if (ty - py >= 0)
                rq_buf_add(c->b, " ");
            num(c->b, (ty - py) / 10.0);
        } else {
            continue;
        }
        px = tx;
        py = ty;
        drawn++;
    }
    if (drawn)
        rq_buf_add(c->b, "z");
}

/* The path data of geom (polygons), newly allocated. */
static char *
path_of(rq_geos *g, const rq_geom *geom, const rq_frame *f)
{
    rq_buf b = {0};
    struct path_ctx c = {f, &b};
    rq_geom_rings(g, geom, ring_path, &c);
    return rq_buf_take(&b);
}

/* The union of the faces of some communes, its path data and where its
** label goes. */
static char *
union_path(rq_geos *g, const rq_geom *faces, const long *face_of, size_t n_faces,
           const unsigned char *member, const rq_frame *f, double *lx, double *ly, rq_err *err)
{
    size_t n = 0;
    rq_geom **parts = rq_xcalloc(n_faces + 1, sizeof *parts);
    for (size_t i = 0; i < n_faces; i++)
        if (member[face_of[i]])
            parts[n++] = rq_geom_clone(g, rq_geom_part(g, faces, i));
    char *path = NULL;
    rq_geom *u = n ? rq_geom_union_coverage_take(g, parts, n, NULL, err) : NULL;
    free(parts);
    if (u) {
        path = path_of(g, u, f);
        rq_geom *pt = lx ? rq_geom_point_on_surface(g, u, err) : NULL;
        double x, y;
        if (pt && rq_geom_xy(g, pt, &x, &y))
            rq_frame_project(f, x, y, lx, ly);
        rq_geom_destroy(g, pt);
        rq_geom_destroy(g, u);
    }
    return path ? path : rq_xstrdup("");
}

/* ---- The shapes ------------------------------------------------------------- */

static rq_status
frame_of(const rq_report *r, rq_geos *g, rq_geom **polys, double width, rq_frame *f, rq_err *err)
{
    rq_bbox all = {0, 0, 0, 0};
    int first = 1;
    for (size_t i = 0; i < r->run.n_communes; i++) {
        const rq_wkb *w = &r->run.communes[i].geom;
        if (!w->data)
            continue;
        if (!(polys[i] = rq_geom_from_wkb(g, w->data, w->len, err)))
            return rq_err_code(err);
        rq_bbox b;
        if (!rq_geom_bbox(g, polys[i], &b))
            continue;
        if (first)
            all = b;
        all.minx = fmin(all.minx, b.minx);
        all.miny = fmin(all.miny, b.miny);
        all.maxx = fmax(all.maxx, b.maxx);
        all.maxy = fmax(all.maxy, b.maxy);
        first = 0;
    }
    rq_frame_init(f, all.minx, all.miny, all.maxx, all.maxy, width, MARGIN_PX);
    return RQ_OK;
}

rq_status
rq_shapes_make(const rq_report *r, rq_geos *g, double width, rq_shapes *s, rq_err *err)
{
    const rq_snapshot *run = &r->run;
    size_t n = run->n_communes;
    memset(s, 0, sizeof *s);
    rq_geom **polys = rq_xcalloc(n + 1, sizeof *polys);
    long *face_of = NULL;
    rq_geom *faces = NULL;
    unsigned char *member = rq_xcalloc(n + 1, 1);
    rq_status rc = frame_of(r, g, polys, width, &s->frame, err);
    if (rc == RQ_OK &&
        !(faces = rq_coverage_simplify(g, (const rq_geom *const *)polys, n,
                                       TOLERANCE_PX / s->frame.scale, &face_of, err)))
        rc = rq_err_code(err);
    if (rc != RQ_OK)
        goto cleanup;
    size_t n_faces = rq_geom_n_parts(g, faces);
    rq_log(RQ_LOG_DEBUG, "report: %zu communes simplified into %zu faces", n, n_faces);
    s->commune_path = rq_xcalloc(n + 1, sizeof *s->commune_path);
    if (!run->units) {
        /* Each commune's faces, as one path. */
        rq_buf *paths = rq_xcalloc(n + 1, sizeof *paths);
        for (size_t i = 0; i < n_faces; i++) {
            struct path_ctx c = {&s->frame, &paths[face_of[i]]};
            rq_geom_rings(g, rq_geom_part(g, faces, i), ring_path, &c);
        }
        for (size_t i = 0; i < n; i++)
            s->commune_path[i] = paths[i].len ? rq_buf_take(&paths[i]) : NULL;
        free(paths);
    }
    memset(member, 1, n);
    s->area_path = union_path(g, faces, face_of, n_faces, member, &s->frame, NULL, NULL, err);
    s->dep_path = rq_xcalloc(r->n_deps + 1, sizeof *s->dep_path);
    s->dep_lx = rq_xcalloc(r->n_deps + 1, sizeof *s->dep_lx);
    s->dep_ly = rq_xcalloc(r->n_deps + 1, sizeof *s->dep_ly);
    for (size_t d = 0; d < r->n_deps; d++) {
        for (size_t i = 0; i < n; i++)
            member[i] = strcmp(run->communes[i].dep, r->deps[d].code) == 0;
        s->dep_path[d] = union_path(g, faces, face_of, n_faces, member, &s->frame, &s->dep_lx[d],
                                    &s->dep_ly[d], err);
    }
    s->zone_path = rq_xcalloc(run->n_gaps + 1, sizeof *s->zone_path);
    s->zone_lx = rq_xcalloc(run->n_gaps + 1, sizeof *s->zone_lx);
    s->zone_ly = rq_xcalloc(run->n_gaps + 1, sizeof *s->zone_ly);
    for (size_t z = 0; z < run->n_gaps; z++) {
        if (run->gaps[z].phase >= 0)
            continue;
        memset(member, 0, n);
        size_t n_codes = 0;
        char **codes = rq_strsplit(r->zones[z].communes, '|', &n_codes);
        for (size_t k = 0; k < n_codes; k++) {
            long i = rq_snapshot_commune(run, codes[k]);
            if (i >= 0)
                member[i] = 1;
        }
        rq_strv_free(codes);
        s->zone_path[z] = union_path(g, faces, face_of, n_faces, member, &s->frame, &s->zone_lx[z],
                                     &s->zone_ly[z], err);
    }
    if (run->units) { /* the maps dissolve their classes: keep the rows */
        s->g = g;
        s->polys = polys;
        s->n_rows = n;
        polys = NULL;
    }
cleanup:
    for (size_t i = 0; polys && i < n; i++)
        rq_geom_destroy(g, polys[i]);
    free(polys);
    free(member);
    free(face_of);
    rq_geom_destroy(g, faces);
    if (rc != RQ_OK)
        rq_shapes_fini(r, s);
    return rc;
}

rq_status
rq_shapes_class_paths(const rq_shapes *s, const int *class_of, int top, char **paths, rq_err *err)
{
    rq_geos *g = s->g;
    size_t n = s->n_rows, n_cls = (size_t)(top + 2);
    rq_geom **cls = rq_xcalloc(n_cls, sizeof *cls);
    rq_geom **parts = rq_xcalloc(n + 1, sizeof *parts);
    rq_status rc = RQ_OK;
    /* The union of each class, from the recorded rows: a valid coverage
    ** (the simplified faces are not always valid for an overlay). */
    for (size_t c = 0; c < n_cls && rc == RQ_OK; c++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (class_of[i] + 1 == (int)c && s->polys[i])
                parts[m++] = rq_geom_clone(g, s->polys[i]);
        if (m && !(cls[c] = rq_geom_union_coverage_take(g, parts, m, NULL, err)))
            rc = rq_err_code(err);
    }
    long *face_of = NULL;
    rq_geom *faces = NULL;
    if (rc == RQ_OK &&
        !(faces = rq_coverage_simplify(g, (const rq_geom *const *)cls, n_cls,
                                       TOLERANCE_PX / s->frame.scale, &face_of, err)))
        rc = rq_err_code(err);
    rq_buf *b = rq_xcalloc(n_cls, sizeof *b);
    size_t n_faces = faces ? rq_geom_n_parts(g, faces) : 0;
    for (size_t i = 0; i < n_faces; i++) {
        struct path_ctx c = {&s->frame, &b[face_of[i]]};
        rq_geom_rings(g, rq_geom_part(g, faces, i), ring_path, &c);
    }
    for (size_t c = 0; c < n_cls; c++)
        paths[c] = b[c].len ? rq_buf_take(&b[c]) : rq_xstrdup("");
    free(b);
    free(face_of);
    rq_geom_destroy(g, faces);
    for (size_t c = 0; c < n_cls; c++)
        rq_geom_destroy(g, cls[c]);
    free(cls);
    free(parts);
    return rc;
}

void
rq_shapes_fini(const rq_report *r, rq_shapes *s)
{
    for (size_t i = 0; s->commune_path && i < r->run.n_communes; i++)
        free(s->commune_path[i]);
    for (size_t i = 0; s->dep_path && i < r->n_deps; i++)
        free(s->dep_path[i]);
    for (size_t i = 0; s->zone_path && i < r->run.n_gaps; i++)
        free(s->zone_path[i]);
    free(s->commune_path);
    free(s->area_path);
    free(s->dep_path);
    free(s->dep_lx);
    free(s->dep_ly);
    free(s->zone_path);
    free(s->zone_lx);
    free(s->zone_ly);
    for (size_t i = 0; s->polys && i < s->n_rows; i++)
        rq_geom_destroy(s->g, s->polys[i]);
    free(s->polys);
    memset(s, 0, sizeof *s);
}
