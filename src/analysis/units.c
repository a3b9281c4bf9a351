/* units.c - study units finer than communes (docs/method.md §1.4).
**
** A planner may analyse square cells of 1 km (bench/gen-cells) or any
** other partition finer than the communes. Each unit names the commune
** that holds it: the unit takes that commune's département, EPCI, density
** level, rurality and zone memberships; its own polygon and population
** stand in for the commune's in coverage, distances, accessibility, gaps,
** aggregates and outputs.
**
** Zones and reaches are still made from the communes (one polygon per
** commune rather than hundreds of cells), and sites are placed in
** communes, so the units are read and checked with the other inputs but
** take the communes' place only after the reach stage (rq_units_apply).
*/
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdlib.h>
#include <string.h>

/* A unit id names a feature in every output: short enough for a cell
** name such as "1kmN6270E0580" with room to spare. */
#define RQ_MAX_UNIT_ID 64

struct raw_unit {
    char *id;
    size_t commune; /* index into ds->communes */
    long population;
    rq_geom *geom; /* source CRS until reprojected */
    size_t index;  /* feature position, for messages */
};

struct unit_ctx {
    rq_dataset *ds;
    struct raw_unit *u;
    size_t n, cap;
};

static void
free_raw(rq_geos *g, struct unit_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->u[i].id);
        rq_geom_destroy(g, c->u[i].geom);
    }
    free(c->u);
}

static rq_status
unit_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct unit_ctx *c = ud;
    rq_dataset *ds = c->ds;
    const rq_config *cfg = ds->cfg;
    const char *path = cfg->units.path, *id = row->v[0], *code = row->v[1];
    if (!*id || strlen(id) > RQ_MAX_UNIT_ID) {
        rq_diag_add(diag, "%s: %s, field '%s': %s; expected a unit id of 1 to %d bytes", path,
                    row->where, cfg->units_id, *id ? "too long" : "empty", RQ_MAX_UNIT_ID);
        return RQ_OK;
    }
    const char *target = *code ? rq_code_resolve(ds, code, NULL) : NULL;
    long commune = target ? rq_commune_find(ds, target) : -1;
    if (commune < 0) {
        rq_diag_add(diag,
                    "%s: %s (unit %s), field '%s': '%s' %s; expected the code of a commune "
                    "of the loaded boundaries",
                    path, row->where, id, cfg->units_commune, code,
                    !target ? "is no commune of the commune table or the passage table"
                            : "is a commune without a boundary");
        return RQ_OK;
    }
    long pop;
    if (!rq_parse_long(row->v[2], &pop) || pop < 0 || pop > 1000000000) {
        rq_diag_add(diag,
                    "%s: %s (unit %s), field '%s': '%s' is not a population; expected a whole "
                    "number from 0 to 1000000000",
                    path, row->where, id, cfg->units_population, row->v[2]);
        return RQ_OK;
    }
    rq_err gerr = {0};
    rq_geom *geom = row->wkb ? rq_geom_from_wkb(ds->geos, row->wkb, row->wkb_len, &gerr) : NULL;
    if (!geom || rq_geom_kind_of(ds->geos, geom) != RQ_GT_POLYGON ||
        rq_geom_is_empty(ds->geos, geom)) {
        rq_diag_add(diag, "%s: %s (unit %s): %s; expected a Polygon or MultiPolygon", path,
                    row->where, id,
                    !row->wkb ? "no geometry"
                    : !geom   ? "unreadable geometry"
                              : "not a polygon, or an empty one");
        rq_geom_destroy(ds->geos, geom);
        return RQ_OK;
    }
    rq_grow((void **)&c->u, &c->cap, c->n + 1, sizeof *c->u);
    c->u[c->n++] = (struct raw_unit){rq_xstrdup(id), (size_t)commune, pop, geom, row->index};
    return RQ_OK;
}

static int
cmp_unit(const void *a, const void *b)
{
    const struct raw_unit *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Reprojects every unit to the metric CRS, repairing invalid ones (on
** worker threads); what went wrong is said in the units' order. */
static rq_status
reproject(rq_dataset *ds, struct unit_ctx *c, const char *srs, rq_diag *diag, rq_err *err)
{
    rq_geom **geoms = rq_xcalloc(c->n ? c->n : 1, sizeof *geoms);
    rq_metric_out *out = rq_xcalloc(c->n ? c->n : 1, sizeof *out);
    for (size_t i = 0; i < c->n; i++)
        geoms[i] = c->u[i].geom;
    rq_status rc = rq_metric_polygons(srs, ds->cfg->crs, geoms, c->n, out, err);
    for (size_t i = 0; i < c->n; i++) {
        struct raw_unit *u = &c->u[i];
        const char *why = out[i].why ? out[i].why : "";
        u->geom = geoms[i]; /* replaced or not, it is the unit's now */
        if (rc != RQ_OK)
            continue;
        if (out[i].status == RQ_METRIC_FAILED)
            rq_diag_add(diag,
                        "%s: feature %zu (unit %s): cannot be projected to %s or repaired%s%s%s; "
                        "expected a valid polygon in the layer's CRS",
                        ds->cfg->units.path, u->index, u->id, ds->cfg->crs, why[0] ? " (" : "", why,
                        why[0] ? ")" : "");
        ds->stats.n_repaired += out[i].status == RQ_METRIC_REPAIRED;
    }
    rq_metric_outs_free(out, c->n);
    free(geoms);
    return rc;
}

/* Units sorted by id: a repeated id is an error naming both features. */
static void
check_ids(rq_dataset *ds, struct unit_ctx *c, rq_diag *diag)
{
    qsort(c->u, c->n, sizeof *c->u, cmp_unit);
    for (size_t i = 1; i < c->n; i++)
        if (strcmp(c->u[i].id, c->u[i - 1].id) == 0)
            rq_diag_add(diag, "%s: features %zu and %zu both have id %s; expected one id per unit",
                        ds->cfg->units.path, c->u[i - 1].index, c->u[i].index, c->u[i].id);
}

/* The units as communes: their commune's attributes, their own id,
** polygon, population and representative point. Takes the geometries. */
static rq_status
build_units(rq_dataset *ds, struct unit_ctx *c, rq_err *err)
{
    rq_unitset *us = &ds->units;
    us->c = rq_xcalloc(c->n + 1, sizeof *us->c);
    us->ids = rq_xcalloc(c->n + 1, sizeof *us->ids);
    us->parent = rq_xcalloc(c->n + 1, sizeof *us->parent);
    us->area = rq_xcalloc(c->n + 1, sizeof *us->area);
    us->index = rq_index_create(ds->geos);
    for (size_t i = 0; i < c->n; i++) {
        struct raw_unit *r = &c->u[i];
        const rq_commune *p = &ds->communes[r->commune];
        rq_commune *u = &us->c[us->n++];
        *u = *p;
        us->ids[i] = r->id;
        us->n_units = i + 1; /* the ids the dataset frees, even on an error below */
        r->id = NULL;
        u->code = us->ids[i];
        u->population = r->population;
        u->geom = r->geom;
        r->geom = NULL;
        u->n_parts = 1;
        u->area_km2 = rq_geom_area(ds->geos, u->geom) / 1e6;
        us->parent[i] = r->commune;
        rq_index_insert(ds->geos, us->index, u->geom, i);
        if (u->in_area)
            us->area[us->n_area++] = i;
        rq_geom *pos = rq_geom_point_on_surface(ds->geos, u->geom, err);
        if (!pos || !rq_geom_xy(ds->geos, pos, &u->rx, &u->ry)) {
            rq_geom_destroy(ds->geos, pos);
            return pos ? rq_err_set(err, RQ_ERR_GEOS, "no representative point for unit %s: %s",
                                    u->code, rq_geos_last_error(ds->geos))
                       : rq_err_code(err);
        }
        rq_geom_destroy(ds->geos, pos);
    }
    return RQ_OK;
}

/* Counts for check and run.json. A study-area commune that no unit names
** is said (grouped): with cells, a commune smaller than a cell may hold no
** cell's centre, and its territory then counts only in its neighbours'
** cells; with any other partition it is not analysed. The units'
** population is compared with the table's as a whole: cells apportion a
** commune's inhabitants to cells that other communes hold (method.md §1.4). */
static void
count_units(rq_dataset *ds)
{
    rq_unitset *us = &ds->units;
    rq_stats *st = &ds->stats;
    size_t *count = rq_xcalloc(ds->n_communes + 1, sizeof *count);
    for (size_t i = 0; i < us->n; i++)
        count[us->parent[i]]++;
    st->n_units = us->n;
    st->n_units_area = us->n_area;
    for (size_t k = 0; k < us->n_area; k++)
        st->population_units += us->c[us->area[k]].population;
    long pop_area = st->population_area - st->population_no_boundary;
    for (size_t k = 0; k < ds->n_area; k++) {
        const rq_commune *cm = &ds->communes[ds->area[k]];
        if (count[ds->area[k]])
            continue;
        st->n_communes_no_unit++;
        rq_warn(&ds->warnings, "commune-sans-unite",
                "communes of the study area that no unit names: their territory counts only "
                "where other communes' units cover it",
                "%s %s (%ld inhabitants)", cm->code, cm->name, cm->population);
    }
    if (st->population_units != pop_area)
        rq_warn(&ds->warnings, "unites-population",
                "the units of the study area hold another population than its communes (the "
                "units' figures are used)",
                "%ld in the units, %ld in the communes with a boundary", st->population_units,
                pop_area);
    free(count);
}

rq_status
rq_units_load(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    if (!cfg->units.path)
        return RQ_OK;
    const char *names[] = {cfg->units_id, cfg->units_commune, cfg->units_population};
    const char *keys[] = {"id", "commune", "population"};
    const unsigned char optional[] = {0, 0, 0};
    rq_read_spec spec = {"units", &cfg->units, names, keys, optional, 3, 1, 0};
    struct unit_ctx c = {ds, NULL, 0, 0};
    rq_diag diag;
    rq_read_info info = {0};
    rq_diag_init(&diag);
    rq_status rc = rq_io_read(&spec, unit_row, &c, &diag, &info, err);
    if (rc == RQ_OK && !diag.n && c.n)
        rc = reproject(ds, &c, info.srs, &diag, err);
    if (rc == RQ_OK) {
        check_ids(ds, &c, &diag);
        if (!c.n)
            rq_diag_add(&diag, "%s: no unit; expected at least one polygon", cfg->units.path);
        rc = rq_diag_to_err(&diag, cfg->units.path, err);
    }
    if (rc == RQ_OK && (rc = build_units(ds, &c, err)) == RQ_OK)
        count_units(ds);
    free_raw(ds->geos, &c);
    rq_read_info_fini(&info);
    rq_diag_fini(&diag);
    return rc;
}

/* Each site's unit: the one covering its position, else the nearest (a
** site on its commune's edge may lie where no cell was drawn). */
static void
place_sites(rq_dataset *ds)
{
    const rq_unitset *us = &ds->units;
    for (size_t i = 0; i < ds->n_sites; i++) {
        rq_site *s = &ds->sites[i];
        long at = rq_commune_at(ds->geos, us->index, us->c, s->x, s->y);
        if (at < 0)
            at = rq_commune_nearest(ds->geos, us->index, us->c, s->x, s->y);
        s->commune = at < 0 ? 0 : (size_t)at;
    }
}

/* Zone memberships of the units: those of their communes. */
static void
remap_zones(rq_dataset *ds)
{
    const rq_unitset *us = &ds->units;
    for (size_t z = 0; z < ds->n_zones; z++) {
        rq_zone *zone = &ds->zones[z];
        unsigned char *member = rq_xcalloc(us->n + 1, 1);
        size_t *list = rq_xcalloc(us->n + 1, sizeof *list), n = 0;
        for (size_t i = 0; i < us->n; i++)
            if (zone->member[us->parent[i]]) {
                member[i] = 1;
                list[n++] = i;
            }
        free(zone->member);
        free(zone->communes);
        zone->member = member;
        zone->communes = list;
        zone->n_communes = n;
    }
}

#define SWAP(T, a, b)                                                                              \
    do {                                                                                           \
        T t_ = (a);                                                                                \
        (a) = (b);                                                                                 \
        (b) = t_;                                                                                  \
    } while (0)

void
rq_units_apply(rq_dataset *ds)
{
    rq_unitset *us = &ds->units;
    if (!us->n_units || us->applied)
        return;
    remap_zones(ds);
    place_sites(ds);
    SWAP(rq_commune *, ds->communes, us->c);
    SWAP(size_t, ds->n_communes, us->n);
    SWAP(size_t *, ds->area, us->area);
    SWAP(size_t, ds->n_area, us->n_area);
    SWAP(rq_index *, ds->commune_index, us->index);
    us->applied = 1;
}
