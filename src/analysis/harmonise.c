/* harmonise.c - the harmonise stage (method.md §1.1, §1.2, §3.2).
**
** Boundaries are older than the commune table. Each boundary is mapped to
** the current commune it belongs to now (itself, its chef-lieu, or the
** passage table's new code), reprojected to the metric CRS, repaired when
** invalid, and the pieces of one current commune are dissolved by a GEOS
** union. The INSEE density grid is harmonised the same way.
*/
#include "raquette/crs.h"
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A boundary as read, before its code is resolved. */
struct raw {
    char *code, *name;
    rq_geom *geom; /* source CRS */
    size_t index;  /* feature position, for messages */
    int mixed;     /* a collection whose points or lines were dropped */
};

/* A boundary waiting to be merged into its current commune. */
struct piece {
    const char *target;    /* current commune code (borrowed from the COG), NULL: unmatched */
    const struct raw *src; /* the feature it comes from */
    rq_geom *geom;         /* source CRS until reprojected */
};

struct bnd_ctx {
    rq_dataset *ds;
    struct piece *pieces;
    size_t n, cap;
};

static void
free_pieces(rq_geos *g, struct piece *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rq_geom_destroy(g, p[i].geom);
    free(p);
}

/* ---- Reading, on a thread of its own ----------------------------------
**
** Reading the boundaries through GDAL is the longest part of loading, and
** it needs nothing from the tables: a thread reads them into raw pieces
** while the calling thread loads the tables; codes are resolved after.
** The thread has its own GEOS context; the geometries it makes are handed
** over at the join and never used by two threads at once. */
struct rq_bnd_read {
    const rq_config *cfg;
    rq_geos *g;
    struct raw *raw;
    size_t n, cap;
    rq_diag diag;
    rq_read_info info;
    rq_status rc;
    rq_err err;
    pthread_t th;
    int threaded;
};

/* The polygons of a boundary; NULL after adding an error when it has none
** (a point, a line, an empty geometry, a collection without polygons). */
static rq_geom *
polygons_of(rq_bnd_read *rd, const rq_row *row, rq_diag *diag, int *mixed)
{
    const rq_config *cfg = rd->cfg;
    const char *code = row->v[0];
    rq_err gerr = {0};
    rq_geom *geom = rq_geom_from_wkb(rd->g, row->wkb, row->wkb_len, &gerr);
    if (!geom) {
        rq_diag_add(diag, "%s: %s (code %s): unreadable geometry: %s", cfg->communes.path,
                    row->where, code, gerr.msg);
        return NULL;
    }
    rq_geom_kind kind = rq_geom_kind_of(rd->g, geom);
    if (kind == RQ_GT_COLLECTION) {
        /* Polygons with stray points or lines: keep the polygons. */
        rq_geom *poly = rq_geom_polygonal_part(rd->g, geom, &gerr);
        rq_geom_destroy(rd->g, geom);
        geom = poly;
        *mixed = 1;
    }
    if (!geom || rq_geom_is_empty(rd->g, geom) || (kind != RQ_GT_POLYGON && !*mixed)) {
        rq_diag_add(diag, "%s: %s (code %s): %s; expected a Polygon or MultiPolygon",
                    cfg->communes.path, row->where, code,
                    kind == RQ_GT_COLLECTION ? "a geometry collection without any polygon"
                    : geom && rq_geom_is_empty(rd->g, geom) ? "empty geometry"
                                                            : "non-polygonal geometry");
        rq_geom_destroy(rd->g, geom);
        return NULL;
    }
    return geom;
}

static rq_status
raw_row(const rq_row *row, void *ud, rq_diag *diag)
{
    rq_bnd_read *rd = ud;
    const rq_config *cfg = rd->cfg;
    const char *code = row->v[0];
    if (!*code) {
        rq_diag_add(diag, "%s: %s, field '%s': empty; expected an INSEE commune code",
                    cfg->communes.path, row->where, cfg->communes_code);
        return RQ_OK;
    }
    if (!row->wkb) {
        rq_diag_add(diag, "%s: %s (code %s): no geometry; expected a polygon", cfg->communes.path,
                    row->where, code);
        return RQ_OK;
    }
    int mixed = 0;
    rq_geom *geom = polygons_of(rd, row, diag, &mixed);
    if (!geom)
        return RQ_OK;
    rq_grow((void **)&rd->raw, &rd->cap, rd->n + 1, sizeof *rd->raw);
    struct raw *r = &rd->raw[rd->n++];
    r->code = rq_xstrdup(code);
    r->name = rq_xstrdup(row->v[1]);
    r->geom = geom;
    r->index = row->index;
    r->mixed = mixed;
    return RQ_OK;
}

static void *
read_boundaries(void *arg)
{
    rq_bnd_read *rd = arg;
    const rq_config *cfg = rd->cfg;
    const char *names[] = {cfg->communes_code, cfg->communes_name};
    const char *keys[] = {"code", "name"};
    const unsigned char optional[] = {0, 1};
    rq_read_spec spec = {"communes", &cfg->communes, names, keys, optional, 2, 1, 0};
    rd->rc = rq_io_read(&spec, raw_row, rd, &rd->diag, &rd->info, &rd->err);
    return NULL;
}

rq_bnd_read *
rq_boundaries_read_begin(const rq_config *cfg)
{
    rq_bnd_read *rd = rq_xcalloc(1, sizeof *rd);
    rd->cfg = cfg;
    rd->g = rq_geos_create();
    rq_diag_init(&rd->diag);
    rq_err_clear(&rd->err);
    rd->threaded = pthread_create(&rd->th, NULL, read_boundaries, rd) == 0;
    if (!rd->threaded) /* no thread to be had: read now */
        read_boundaries(rd);
    return rd;
}

static void
bnd_read_join(rq_bnd_read *rd)
{
    if (rd->threaded) {
        pthread_join(rd->th, NULL);
        rd->threaded = 0;
    }
}

void
rq_boundaries_read_discard(rq_bnd_read *rd)
{
    if (!rd)
        return;
    bnd_read_join(rd);
    for (size_t i = 0; i < rd->n; i++) {
        free(rd->raw[i].code);
        free(rd->raw[i].name);
        rq_geom_destroy(rd->g, rd->raw[i].geom);
    }
    free(rd->raw);
    rq_diag_fini(&rd->diag);
    rq_read_info_fini(&rd->info);
    rq_err_fini(&rd->err);
    rq_geos_destroy(rd->g);
    free(rd);
}

/* Maps a raw boundary to its current commune (method.md §1.1), taking its
** geometry; an unmatched one keeps a NULL target until its area is known. */
static void
resolve_raw(struct bnd_ctx *c, struct raw *r)
{
    rq_dataset *ds = c->ds;
    const char *target = rq_code_harmonise(ds, RQ_CODES_BOUNDARIES, r->code);
    if (r->mixed)
        rq_warn(&ds->warnings, "contour-non-polygonal",
                "boundaries holding points or lines besides their polygons: only the polygons "
                "are kept",
                "%s feature %zu (code %s)", ds->cfg->communes.path, r->index, r->code);
    rq_grow((void **)&c->pieces, &c->cap, c->n + 1, sizeof *c->pieces);
    c->pieces[c->n++] = (struct piece){target, r, r->geom};
    r->geom = NULL;
}

static int
in_box(const rq_lonlat_box *b, double lon, double lat, double margin)
{
    return lon >= b->west - margin && lon <= b->east + margin && lat >= b->south - margin &&
           lat <= b->north + margin;
}

/* Boundaries whose coordinates are read the wrong way round (latitude
** first) land far from where the metric CRS is meant for, and every site
** would then be blamed for falling in no commune. The centre of their
** extent, in lon/lat, must lie in the CRS's area of use (one degree of
** margin); otherwise it is an error on the boundaries, which says when
** swapping the coordinates would put them there. */
static void
check_extent(rq_dataset *ds, const rq_bnd_read *rd, rq_diag *diag)
{
    const rq_config *cfg = ds->cfg;
    rq_lonlat_box area, all = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    char name[160];
    if (!rd->n || !rq_crs_area_of_use(cfg->crs, &area, name, sizeof name))
        return;
    for (size_t i = 0; i < rd->n; i++) {
        rq_bbox b;
        if (!rq_geom_bbox(ds->geos, rd->raw[i].geom, &b))
            continue;
        all.west = fmin(all.west, b.minx);
        all.south = fmin(all.south, b.miny);
        all.east = fmax(all.east, b.maxx);
        all.north = fmax(all.north, b.maxy);
    }
    rq_err xerr = {0};
    rq_xform *xf = rq_xform_create(rd->info.srs, "EPSG:4326", &xerr);
    if (!xf)
        return; /* reprojecting will say what is wrong */
    double cx = (all.west + all.east) / 2, cy = (all.south + all.north) / 2;
    double lon = cx, lat = cy, slon = cy, slat = cx;
    int ok = rq_xform_point(xf, &lon, &lat) && in_box(&area, lon, lat, 1.0);
    int swapped = !ok && rq_xform_point(xf, &slon, &slat) && in_box(&area, slon, slat, 1.0);
    rq_xform_destroy(xf);
    if (ok)
        return;
    if (swapped)
        rq_diag_add(diag,
                    "%s: the boundaries lie around (%g, %g), far from the area of %s (%s); they "
                    "fall inside it once the two coordinates are swapped: are they written "
                    "latitude first? expected longitude, then latitude (or x, then y)",
                    cfg->communes.path, cx, cy, cfg->crs, name);
    else
        rq_diag_add(diag,
                    "%s: the boundaries lie around (%g, %g) in their CRS, outside the area of "
                    "%s (%s); expected boundaries in the area of [study] crs, or another crs",
                    cfg->communes.path, cx, cy, cfg->crs, name);
}

/* Reprojects every piece to the metric CRS and repairs invalid ones (on
** worker threads); what went wrong is said in the pieces' order. */
static rq_status
reproject_pieces(rq_dataset *ds, struct bnd_ctx *c, const char *srs, rq_diag *diag, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    rq_geom **geoms = rq_xcalloc(c->n ? c->n : 1, sizeof *geoms);
    rq_metric_out *out = rq_xcalloc(c->n ? c->n : 1, sizeof *out);
    for (size_t i = 0; i < c->n; i++)
        geoms[i] = c->pieces[i].geom;
    rq_status rc = rq_metric_polygons(srs, cfg->crs, geoms, c->n, out, err);
    for (size_t i = 0; i < c->n; i++) {
        struct piece *pc = &c->pieces[i];
        pc->geom = geoms[i]; /* replaced or not, it is the piece's now */
        if (rc != RQ_OK)
            continue;
        if (out[i].status == RQ_METRIC_FAILED && !out[i].why)
            rq_diag_add(diag,
                        "%s: feature %zu (code %s): coordinates cannot be projected to %s; "
                        "expected positions in the layer's CRS",
                        cfg->communes.path, pc->src->index, pc->src->code, cfg->crs);
        else if (out[i].status == RQ_METRIC_FAILED)
            rq_diag_add(diag, "%s: feature %zu: invalid polygon that cannot be repaired (%s)",
                        cfg->communes.path, pc->src->index, out[i].why);
        else if (out[i].status == RQ_METRIC_REPAIRED) {
            rq_log(RQ_LOG_DEBUG, "%s: feature %zu: repaired invalid polygon (%s)",
                   cfg->communes.path, pc->src->index, out[i].why ? out[i].why : "");
            ds->stats.n_repaired++;
        }
    }
    rq_metric_outs_free(out, c->n);
    free(geoms);
    return rc;
}

/* Boundaries no table knows are left out, with their area (method.md
** §1.1: their area belongs to no commune, and the user must know it). */
static void
drop_unmatched(rq_dataset *ds, struct bnd_ctx *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        struct piece *pc = &c->pieces[i];
        if (pc->target) {
            c->pieces[k++] = *pc;
            continue;
        }
        double km2 = rq_geom_area(ds->geos, pc->geom) / 1e6;
        rq_dataset_add_unmatched(ds, "boundaries", pc->src->code, pc->src->name, -1, km2);
        ds->stats.n_boundaries_unmatched++;
        ds->stats.km2_unmatched += km2;
        rq_warn(&ds->warnings, "contour-non-apparie",
                "boundaries whose code no table knows, left out: their area belongs to no "
                "commune",
                "%s %s (%s feature %zu, %.2f km2)", pc->src->code, pc->src->name,
                ds->cfg->communes.path, pc->src->index, km2);
        rq_geom_destroy(ds->geos, pc->geom);
    }
    c->n = k;
}

static int
cmp_piece(const void *a, const void *b)
{
    const struct piece *x = a, *y = b;
    int c = strcmp(x->target, y->target);
    if (!c)
        c = strcmp(x->src->code, y->src->code);
    if (c)
        return c;
    return x->src->index < y->src->index ? -1 : x->src->index > y->src->index;
}

/* Share of the smaller of two features of one code that they have in
** common above which they are two versions of one commune, not two parts
** of it: an input error. Below it (slivers of simplified boundaries), the
** parts are merged. docs/method.md §1.1. */
#define RQ_DUPLICATE_OVERLAP 0.01

/* Features that give one code to two polygons: disjoint parts of one
** commune are merged (counted, warned); overlapping ones are an error
** naming both. Pieces are sorted, so features of one code are adjacent. */
static void
check_duplicates(rq_dataset *ds, struct bnd_ctx *c, rq_diag *diag)
{
    rq_geos *g = ds->geos;
    for (size_t i = 0; i < c->n;) {
        size_t j = i + 1;
        while (j < c->n && strcmp(c->pieces[j].src->code, c->pieces[i].src->code) == 0 &&
               c->pieces[j].target == c->pieces[i].target)
            j++;
        for (size_t a = i; a < j; a++) {
            for (size_t b = a + 1; b < j; b++) {
                const struct piece *pa = &c->pieces[a], *pb = &c->pieces[b];
                rq_err gerr = {0};
                rq_geom *in = rq_geom_intersection(g, pa->geom, pb->geom, &gerr);
                double common = in ? rq_geom_area(g, in) : 0;
                rq_geom_destroy(g, in);
                double aa = rq_geom_area(g, pa->geom), ab = rq_geom_area(g, pb->geom);
                double smaller = aa < ab ? aa : ab;
                if (smaller > 0 && common > RQ_DUPLICATE_OVERLAP * smaller)
                    rq_diag_add(diag,
                                "%s: features %zu and %zu both have code %s and overlap on "
                                "%.0f %% of the smaller; expected one feature per commune, or "
                                "disjoint parts of it",
                                ds->cfg->communes.path, pa->src->index, pb->src->index,
                                pa->src->code, 100.0 * common / smaller);
                else if (b == a + 1) {
                    ds->stats.n_duplicates_merged++;
                    rq_warn(&ds->warnings, "contour-doublon",
                            "features that share one code and do not overlap, merged as parts "
                            "of one commune",
                            "code %s: features %zu and %zu", pa->src->code, pa->src->index,
                            pb->src->index);
                }
            }
        }
        i = j;
    }
}

/* Dissolves the sorted pieces into one commune per target code. */
static rq_status
build_communes(rq_dataset *ds, struct bnd_ctx *c, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    ds->communes = rq_xcalloc(c->n ? c->n : 1, sizeof *ds->communes);
    const rq_geom **group = rq_xcalloc(c->n ? c->n : 1, sizeof *group);
    rq_status rc = RQ_OK;
    for (size_t i = 0; i < c->n;) {
        size_t j = i;
        while (j < c->n && strcmp(c->pieces[j].target, c->pieces[i].target) == 0) {
            group[j - i] = c->pieces[j].geom;
            j++;
        }
        rq_geom *u;
        if (j - i == 1) {
            u = c->pieces[i].geom; /* take it: no copy */
            c->pieces[i].geom = NULL;
        } else if (!(u = rq_geom_union(ds->geos, group, j - i, err))) {
            rc = rq_err_code(err);
            break;
        }
        const rq_cog_row *r = rq_cog_find(ds, c->pieces[i].target);
        rq_commune *cm = &ds->communes[ds->n_communes++];
        cm->code = r->code;
        cm->insee = r->code;
        cm->name = r->name;
        cm->dep = r->dep;
        cm->region = r->region;
        cm->epci = r->epci;
        cm->population = r->population;
        cm->geom = u;
        cm->n_parts = j - i;
        cm->area_km2 = rq_geom_area(ds->geos, u) / 1e6;
        cm->in_area = rq_in_study_area(cfg, r->region, r->dep);
        rq_geom *pos = rq_geom_point_on_surface(ds->geos, u, err);
        if (!pos || !rq_geom_xy(ds->geos, pos, &cm->rx, &cm->ry)) {
            rq_geom_destroy(ds->geos, pos);
            rc = pos ? rq_err_set(err, RQ_ERR_GEOS, "no representative point for commune %s: %s",
                                  cm->code, rq_geos_last_error(ds->geos))
                     : rq_err_code(err);
            break;
        }
        rq_geom_destroy(ds->geos, pos);
        i = j;
    }
    free(group);
    return rc;
}

/* Index, study-area list and the table side of the unmatched codes: a
** current commune of the study area without a boundary is left out of the
** indicators, and said so with its population (method.md §1.1). */
static void
finish_communes(rq_dataset *ds)
{
    rq_stats *st = &ds->stats;
    ds->commune_index = rq_index_create(ds->geos);
    ds->area = rq_xcalloc(ds->n_communes ? ds->n_communes : 1, sizeof *ds->area);
    for (size_t i = 0; i < ds->n_communes; i++) {
        rq_index_insert(ds->geos, ds->commune_index, ds->communes[i].geom, i);
        if (ds->communes[i].in_area) {
            ds->area[ds->n_area++] = i;
            st->n_boundaries_used += ds->communes[i].n_parts;
        } else {
            st->n_boundaries_other += ds->communes[i].n_parts;
        }
    }
    for (size_t i = 0; i < ds->n_cog; i++) {
        const rq_cog_row *r = &ds->cog[i];
        if (r->type != RQ_COG_ACTUELLE || !rq_in_study_area(ds->cfg, r->region, r->dep) ||
            rq_commune_find(ds, r->code) >= 0)
            continue;
        rq_dataset_add_unmatched(ds, "table", r->code, r->name, r->population, NAN);
        st->n_communes_no_boundary++;
        st->population_no_boundary += r->population;
        rq_warn(&ds->warnings, "commune-sans-contour",
                "current communes of the study area without a boundary, left out of the "
                "indicators and totals",
                "%s %s (%ld inhabitants)", r->code, r->name, r->population);
    }
}

rq_status
rq_harmonise_boundaries(rq_dataset *ds, rq_bnd_read *rd, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    struct bnd_ctx c = {ds, NULL, 0, 0};
    rq_diag diag;
    rq_status rc;
    rq_diag_init(&diag);
    if (!rd)
        rd = rq_boundaries_read_begin(cfg);
    bnd_read_join(rd);
    ds->stats.n_boundaries += rd->info.n_features;
    if ((rc = rd->rc) != RQ_OK) {
        rq_err_move(err, &rd->err);
        goto cleanup;
    }
    if (rd->info.n_features == 0)
        rq_diag_add(&rd->diag, "%s: the layer holds no commune; expected commune polygons",
                    cfg->communes.path);
    else if (!rd->info.srs)
        rq_diag_add(&rd->diag,
                    "%s: the layer has no CRS; expected a layer with a declared coordinate "
                    "reference system (e.g. a .prj file or a GeoJSON in EPSG:4326)",
                    cfg->communes.path);
    else
        check_extent(ds, rd, &rd->diag);
    if ((rc = rq_diag_to_err(&rd->diag, cfg->communes.path, err)) != RQ_OK)
        goto cleanup;
    for (size_t i = 0; i < rd->n; i++)
        resolve_raw(&c, &rd->raw[i]);
    if ((rc = reproject_pieces(ds, &c, rd->info.srs, &diag, err)) != RQ_OK)
        goto cleanup;
    if ((rc = rq_diag_to_err(&diag, cfg->communes.path, err)) != RQ_OK)
        goto cleanup;
    drop_unmatched(ds, &c);
    qsort(c.pieces, c.n, sizeof *c.pieces, cmp_piece);
    check_duplicates(ds, &c, &diag);
    if ((rc = rq_diag_to_err(&diag, cfg->communes.path, err)) != RQ_OK)
        goto cleanup;
    if ((rc = build_communes(ds, &c, err)) != RQ_OK)
        goto cleanup;
    finish_communes(ds);
cleanup:
    /* The pieces point into rd's features: free them first. */
    free_pieces(ds->geos, c.pieces, c.n);
    rq_boundaries_read_discard(rd);
    rq_diag_fini(&diag);
    return rc;
}

/* ---- Density grid (method.md §3.2) ------------------------------------- */

struct dens_ctx {
    rq_dataset *ds;
    long *best_pop; /* per commune: pmun19 of the part that set the level */
    const char **best_code;
};

static rq_status
density_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct dens_ctx *c = ud;
    rq_dataset *ds = c->ds;
    const rq_config *cfg = ds->cfg;
    const char *code = row->v[0];
    long level = 0, pop = 0;
    ds->stats.n_density_rows++;
    if (!rq_parse_long(row->v[1], &level) || level < 1 || level > 7) {
        rq_diag_add(diag, "%s: %s, field '%s': '%s'; expected a density level from 1 to 7",
                    cfg->density.path, row->where, cfg->density_level, row->v[1]);
        return RQ_OK;
    }
    if (*row->v[2] && (!rq_parse_long(row->v[2], &pop) || pop < 0)) {
        rq_diag_add(diag, "%s: %s, field '%s': '%s'; expected a whole number >= 0",
                    cfg->density.path, row->where, cfg->density_population, row->v[2]);
        return RQ_OK;
    }
    const char *target = rq_code_harmonise(ds, RQ_CODES_DENSITY, code);
    long ci = target ? rq_commune_find(ds, target) : -1;
    if (ci < 0) {
        /* The grid is national: list only the codes of the study area's
        ** départements. */
        if (!target && rq_code_in_area_deps(ds, code))
            rq_dataset_add_unmatched(ds, "density", code, row->v[3], pop, NAN);
        return RQ_OK;
    }
    rq_commune *cm = &ds->communes[ci];
    /* The part with the largest population sets the level; equal
    ** populations: the smallest code, so the result never depends on the
    ** order of the file. */
    if (cm->dens_level == 0 || pop > c->best_pop[ci] ||
        (pop == c->best_pop[ci] && strcmp(code, c->best_code[ci]) < 0)) {
        cm->dens_level = (int)level;
        c->best_pop[ci] = pop;
        /* The code string lives only during the callback: keep the COG one
        ** when it exists, else remember that a tie must compare. */
        const rq_cog_row *r = rq_cog_find(ds, code);
        c->best_code[ci] = r ? r->code : target;
    }
    return RQ_OK;
}

rq_status
rq_harmonise_density(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    if (!cfg->density.path)
        return RQ_OK;
    const char *names[] = {cfg->density_code, cfg->density_level, cfg->density_population, "nom"};
    const char *keys[] = {"code", "level", "population", "(name)"};
    const unsigned char optional[] = {0, 0, 1, 1};
    rq_read_spec spec = {"density", &cfg->density, names, keys, optional, 4, 0, 0};
    struct dens_ctx c = {ds, rq_xcalloc(ds->n_communes + 1, sizeof(long)),
                         rq_xcalloc(ds->n_communes + 1, sizeof(char *))};
    rq_status rc = rq_io_load(&spec, density_row, NULL, &c, err);
    free(c.best_pop);
    free(c.best_code);
    return rc;
}

void
rq_classify_rurality(rq_dataset *ds)
{
    const rq_config *cfg = ds->cfg;
    ds->stats.n_rural = ds->stats.n_fallback = 0;
    for (size_t k = 0; k < ds->n_area; k++) {
        rq_commune *c = &ds->communes[ds->area[k]];
        if (c->dens_level > 0) {
            c->rural = cfg->rural_levels[c->dens_level] ? 1 : 0;
            c->rural_fallback = 0;
        } else {
            double dens = c->area_km2 > 0 ? (double)c->population / c->area_km2 : 0;
            c->rural =
                c->population < cfg->fallback_max_population || dens < cfg->fallback_min_density;
            c->rural_fallback = 1;
            ds->stats.n_fallback++;
        }
        ds->stats.n_rural += (size_t)c->rural;
    }
    free(ds->rurality_rule);
    char levels[32] = "";
    size_t len = 0;
    for (int l = 1; l <= 7 && len + 3 < sizeof levels; l++)
        if (cfg->rural_levels[l])
            len += (size_t)snprintf(levels + len, sizeof levels - len, "%s%d", len ? "," : "", l);
    char fallback[160];
    snprintf(fallback, sizeof fallback, "population < %ld or density < %g inhab./km2",
             cfg->fallback_max_population, cfg->fallback_min_density);
    if (cfg->density.path)
        ds->rurality_rule = rq_xasprintf(
            "INSEE density grid, levels %s rural; fallback (%s) for %zu communes without a level",
            levels, fallback, ds->stats.n_fallback);
    else
        ds->rurality_rule = rq_xasprintf("fallback rule for every commune: %s", fallback);
}
