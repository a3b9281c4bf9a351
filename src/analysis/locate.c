/* locate.c - the locate stage (method.md §1.3, §2 "zone").
**
** Reads the structures file (one row per site), validates every field,
** places each site (lon/lat, else the representative point of its commune
** in the metric CRS), finds the commune it falls in with the STRtree, groups
** sites into structures, and resolves each distinct intervention zone once
** into the set of current communes it holds (membership by code).
*/
#include "raquette/crs.h"
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
    F_STRUCT,
    F_SITE,
    F_NAME,
    F_CAT,
    F_PHASES,
    F_ZTYPE,
    F_ZCODES,
    F_STYPE,
    F_COMMUNE,
    F_LON,
    F_LAT,
    F_CAP,
    F_RADIUS,
    F_ITIN,
    F_COUNT
};

static const char *const field_keys[F_COUNT] = {
    "structure_id", "site_id",      "name", "category", "phases",   "zone_type", "zone_codes",
    "site_type",    "commune_code", "lon",  "lat",      "capacity", "radius",    "itinerant"};
/* Columns a minimal directory may leave out. */
static const unsigned char field_optional[F_COUNT] = {0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1};

static const char *const zone_type_names[] = {"region", "departement", "epci", "communes"};
static const char *const site_type_names[] = {"siege", "antenne", "permanence"};

/* What a row asks for; the zone is resolved after reading. */
struct pending {
    rq_zone_type ztype;
    char *zcodes; /* normalised: sorted, '|'-joined */
    int has_xy;
};

struct loc_ctx {
    rq_dataset *ds;
    const char *path;
    const char *const *fnames;
    size_t cap;
    struct pending *pend;
    size_t pend_cap;
    int row_failed;
};

static void bad(struct loc_ctx *c, rq_diag *diag, const rq_row *row, int f, const char *fmt, ...)
    RQ_PRINTF(5, 6);

/* Records a problem with field f of row: "file: line N, field 'x': what". */
static void
bad(struct loc_ctx *c, rq_diag *diag, const rq_row *row, int f, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    rq_diag_add(diag, "%s: %s, field '%s': %s", c->path, row->where, c->fnames[f], what);
    c->row_failed = 1;
}

static int
index_of(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static void
check_category(struct loc_ctx *c, const rq_row *row, rq_diag *diag, rq_site *s)
{
    const rq_config *cfg = c->ds->cfg;
    s->category = rq_config_category(cfg, row->v[F_CAT]);
    if (s->category >= 0)
        return;
    char list[400] = "";
    size_t len = 0;
    for (size_t k = 0; k < cfg->n_categories && len < sizeof list; k++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                cfg->categories[k].name);
    bad(c, diag, row, F_CAT, "unknown category '%s'; expected one of %s ([categories])",
        row->v[F_CAT], list);
}

static void
check_phases(struct loc_ctx *c, const rq_row *row, rq_diag *diag, rq_site *s)
{
    size_t n = 0;
    char **v = rq_strsplit(row->v[F_PHASES], c->ds->cfg->list_separator, &n);
    for (size_t i = 0; i < n; i++) {
        int p = rq_phase_index(v[i]);
        if (p < 0)
            bad(c, diag, row, F_PHASES,
                "unknown phase '%s'; expected emergence, creation, consolidation or "
                "developpement",
                v[i]);
        else
            s->phases |= 1u << p;
    }
    if (n == 0)
        bad(c, diag, row, F_PHASES, "empty; expected at least one phase");
    rq_strv_free(v);
}

/* Validates the zone codes by membership source and normalises them. */
static void
check_zone(struct loc_ctx *c, const rq_row *row, rq_diag *diag, struct pending *p)
{
    rq_dataset *ds = c->ds;
    int zt = index_of(zone_type_names, 4, row->v[F_ZTYPE]);
    if (zt < 0) {
        bad(c, diag, row, F_ZTYPE,
            "'%s'; expected region, departement, epci or communes", row->v[F_ZTYPE]);
        return;
    }
    p->ztype = (rq_zone_type)zt;
    size_t n = 0;
    char **v = rq_strsplit(row->v[F_ZCODES], ds->cfg->list_separator, &n);
    if (n == 0)
        bad(c, diag, row, F_ZCODES, "empty; expected codes separated by '%c'", ds->cfg->list_separator);
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        if (p->ztype == RQ_ZONE_EPCI) {
            found = rq_epci_find(ds, v[i]) != NULL;
        } else if (p->ztype == RQ_ZONE_COMMUNES) {
            const char *cur = rq_resolve_code(ds, v[i]);
            if (cur) {
                free(v[i]);
                v[i] = rq_xstrdup(cur); /* redirected to its chef-lieu */
                found = 1;
            }
        } else {
            for (size_t k = 0; k < ds->n_cog && !found; k++) {
                const rq_cog_row *r = &ds->cog[k];
                found = r->type == RQ_COG_ACTUELLE &&
                        strcmp(p->ztype == RQ_ZONE_REGION ? r->region : r->dep, v[i]) == 0;
            }
        }
        if (!found)
            bad(c, diag, row, F_ZCODES, "%s code '%s' does not exist in the %s table",
                zone_type_names[zt], v[i], p->ztype == RQ_ZONE_EPCI ? "EPCI" : "commune");
    }
    qsort(v, n, sizeof *v, rq_cmp_strp);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    p->zcodes = rq_xcalloc(len, 1);
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(v[i], v[i - 1]) == 0)
            continue; /* a code listed twice is one member */
        if (*p->zcodes)
            strcat(p->zcodes, "|");
        strcat(p->zcodes, v[i]);
    }
    rq_strv_free(v);
}

static void
check_numbers(struct loc_ctx *c, const rq_row *row, rq_diag *diag, rq_site *s, struct pending *p)
{
    const rq_config *cfg = c->ds->cfg;
    const char *lon = row->v[F_LON], *lat = row->v[F_LAT];
    if (*lon || *lat) {
        if (!*lon || !*lat)
            bad(c, diag, row, *lon ? F_LAT : F_LON,
                "empty while the other coordinate is given; expected both lon and lat "
                "(WGS 84 degrees) or neither");
        else if (!rq_parse_double(lon, &s->lon) || s->lon < -180 || s->lon > 180)
            bad(c, diag, row, F_LON, "'%s'; expected a longitude in degrees (-180 to 180)", lon);
        else if (!rq_parse_double(lat, &s->lat) || s->lat < -90 || s->lat > 90)
            bad(c, diag, row, F_LAT, "'%s'; expected a latitude in degrees (-90 to 90)", lat);
        else
            p->has_xy = 1;
    }
    const char *cap = row->v[F_CAP];
    if (!*cap) {
        s->capacity_missing = 1;
        rq_diag_add(&c->ds->warnings, "%s: %s (site %s): empty capacity counts as 0",
                    c->path, row->where, s->site_id);
    } else if (!rq_parse_double(cap, &s->capacity) || !isfinite(s->capacity) ||
               s->capacity < 0) {
        /* strtod reads "inf": check would call the file usable and fca
        ** would then stop the run on an infinite supply. */
        bad(c, diag, row, F_CAP, "'%s'; expected a number of projects per year >= 0", cap);
    } else if (s->capacity == 0) {
        /* Allowed (a site may be listed before it opens) but worth saying:
        ** the site then adds nothing to acces_e2sfca. */
        rq_diag_add(&c->ds->warnings,
                    "%s: %s (site %s): capacity 0: the site adds nothing to acces_e2sfca",
                    c->path, row->where, s->site_id);
    }
    const char *r = row->v[F_RADIUS];
    if (!*r) {
        s->radius_km = s->category >= 0 ? cfg->categories[s->category].radius_km : 0;
    } else if (!rq_parse_double(r, &s->radius_km) || s->radius_km <= 0 || s->radius_km > 1000) {
        bad(c, diag, row, F_RADIUS, "'%s'; expected a radius in km, > 0 and <= 1000", r);
    }
    const char *it = row->v[F_ITIN];
    if (*it && strcmp(it, "0") != 0 && strcmp(it, "1") != 0)
        bad(c, diag, row, F_ITIN, "'%s'; expected 0, 1 or empty", it);
    s->itinerant = strcmp(it, "1") == 0;
}

static rq_status
site_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct loc_ctx *c = ud;
    rq_dataset *ds = c->ds;
    const char *const *v = row->v;
    c->row_failed = 0;
    rq_grow((void **)&ds->sites, &c->cap, ds->n_sites + 1, sizeof *ds->sites);
    rq_grow((void **)&c->pend, &c->pend_cap, ds->n_sites + 1, sizeof *c->pend);
    rq_site *s = &ds->sites[ds->n_sites];
    struct pending *p = &c->pend[ds->n_sites];
    memset(s, 0, sizeof *s);
    memset(p, 0, sizeof *p);
    s->line = row->index;
    s->where = rq_xstrdup(row->where);
    s->structure_id = rq_xstrdup(v[F_STRUCT]);
    s->site_id = rq_xstrdup(v[F_SITE]);
    s->name = rq_xstrdup(v[F_NAME]);
    s->site_type = rq_xstrdup(v[F_STYPE]);
    s->commune_code = rq_xstrdup(v[F_COMMUNE]);
    ds->n_sites++;
    if (!*v[F_STRUCT])
        bad(c, diag, row, F_STRUCT, "empty; expected the id of the structure");
    if (!*v[F_SITE])
        bad(c, diag, row, F_SITE, "empty; expected a unique site id");
    check_category(c, row, diag, s);
    check_phases(c, row, diag, s);
    check_zone(c, row, diag, p);
    if (*v[F_STYPE] && index_of(site_type_names, 3, v[F_STYPE]) < 0)
        bad(c, diag, row, F_STYPE, "'%s'; expected siege, antenne or permanence", v[F_STYPE]);
    const char *cur = *v[F_COMMUNE] ? rq_resolve_code(ds, v[F_COMMUNE]) : NULL;
    if (!cur)
        bad(c, diag, row, F_COMMUNE, "'%s' is not a commune of the commune table; expected an "
                                     "INSEE commune code",
            v[F_COMMUNE]);
    else if (strcmp(cur, v[F_COMMUNE]) != 0) {
        free(s->commune_code);
        s->commune_code = rq_xstrdup(cur);
    }
    check_numbers(c, row, diag, s, p);
    if (c->row_failed && ds->cfg->skip_bad_rows) {
        /* Move this row's messages to the warnings and forget the row. */
        rq_diag_add(&ds->warnings, "%s: %s: row skipped (skip_bad_rows = true)", c->path,
                    row->where);
        ds->stats.n_skipped_rows++;
        while (diag->n && strstr(diag->items[diag->n - 1], row->where)) {
            rq_diag_add(&ds->warnings, "%s", diag->items[diag->n - 1]);
            free(diag->items[--diag->n]);
        }
        free(p->zcodes);
        ds->n_sites--;
        free(s->where);
        free(s->structure_id);
        free(s->site_id);
        free(s->name);
        free(s->site_type);
        free(s->commune_code);
    }
    return RQ_OK;
}

/* ---- Placement ---------------------------------------------------------- */

struct hit {
    rq_dataset *ds;
    rq_geom *pt;
    long found;
};

static void
hit_cb(size_t item, void *ud)
{
    struct hit *h = ud;
    /* Covers, not contains: a site on a shared boundary still falls in a
    ** commune; the smallest index wins so the answer is deterministic. */
    if ((h->found < 0 || (long)item < h->found) &&
        rq_geom_covers(h->ds->geos, h->ds->communes[item].geom, h->pt) == 1)
        h->found = (long)item;
}

static long
commune_at(rq_dataset *ds, double x, double y)
{
    struct hit h = {ds, rq_geom_point(ds->geos, x, y), -1};
    rq_index_query(ds->geos, ds->commune_index, h.pt, hit_cb, &h);
    rq_geom_destroy(ds->geos, h.pt);
    return h.found;
}

static void
place_site(rq_dataset *ds, rq_xform *xf, size_t i, const struct pending *p, const char *path,
           rq_diag *diag)
{
    rq_site *s = &ds->sites[i];
    long home = rq_commune_find(ds, s->commune_code);
    if (!p->has_xy) {
        if (home < 0) {
            rq_diag_add(diag,
                        "%s: %s (site %s), field '%s': commune %s has no boundary in the loaded "
                        "communes; give lon/lat or load boundaries that hold it",
                        path, s->where, s->site_id, ds->cfg->f_commune_code, s->commune_code);
            return;
        }
        s->commune = (size_t)home;
        s->x = ds->communes[home].rx;
        s->y = ds->communes[home].ry;
        return;
    }
    s->by_coords = 1;
    double x = s->lon, y = s->lat;
    long at = -1;
    if (rq_xform_point(xf, &x, &y))
        at = commune_at(ds, x, y);
    if (at < 0) {
        double sx = s->lat, sy = s->lon;
        int swapped = rq_xform_point(xf, &sx, &sy) && commune_at(ds, sx, sy) >= 0;
        rq_diag_add(diag,
                    "%s: %s (site %s), fields '%s'/'%s': position (%g, %g) falls in no loaded "
                    "commune%s",
                    path, s->where, s->site_id, ds->cfg->f_lon, ds->cfg->f_lat, s->lon, s->lat,
                    swapped ? "; it does once longitude and latitude are swapped: are the "
                              "columns inverted?"
                            : "; expected WGS 84 longitude/latitude inside the communes");
        return;
    }
    s->x = x;
    s->y = y;
    s->commune = (size_t)at;
    if (home >= 0 && at != home)
        rq_diag_add(&ds->warnings, "%s: %s (site %s): position lies in commune %s, not in %s",
                    path, s->where, s->site_id, ds->communes[at].code, s->commune_code);
}

/* ---- Zones and structures ----------------------------------------------- */

static size_t
zone_for(rq_dataset *ds, const struct pending *p, size_t *cap)
{
    char *key = rq_xasprintf("%s:%s", zone_type_names[p->ztype], p->zcodes);
    for (size_t z = 0; z < ds->n_zones; z++)
        if (strcmp(ds->zones[z].key, key) == 0) {
            free(key);
            return z;
        }
    rq_grow((void **)&ds->zones, cap, ds->n_zones + 1, sizeof *ds->zones);
    rq_zone *z = &ds->zones[ds->n_zones];
    memset(z, 0, sizeof *z);
    z->type = p->ztype;
    z->key = key;
    z->member = rq_xcalloc(ds->n_communes + 1, 1);
    size_t n = 0;
    char **codes = rq_strsplit(p->zcodes, '|', &n);
    for (size_t i = 0; i < n; i++) {
        if (p->ztype == RQ_ZONE_COMMUNES) {
            long ci = rq_commune_find(ds, codes[i]);
            if (ci >= 0)
                z->member[ci] = 1;
        } else if (p->ztype == RQ_ZONE_EPCI) {
            const rq_epci *e = rq_epci_find(ds, codes[i]);
            for (size_t m = 0; e && m < e->n_members; m++) {
                const char *cur = rq_resolve_code(ds, e->members[m]);
                long ci = cur ? rq_commune_find(ds, cur) : -1;
                if (ci >= 0)
                    z->member[ci] = 1;
            }
        } else {
            for (size_t ci = 0; ci < ds->n_communes; ci++) {
                const rq_commune *cm = &ds->communes[ci];
                if (strcmp(p->ztype == RQ_ZONE_REGION ? cm->region : cm->dep, codes[i]) == 0)
                    z->member[ci] = 1;
            }
        }
    }
    rq_strv_free(codes);
    for (size_t ci = 0; ci < ds->n_communes; ci++)
        z->n_communes += z->member[ci];
    z->communes = rq_xcalloc(z->n_communes + 1, sizeof *z->communes);
    for (size_t ci = 0, k = 0; ci < ds->n_communes; ci++)
        if (z->member[ci])
            z->communes[k++] = ci;
    ds->n_zones++;
    return ds->n_zones - 1;
}

/* Groups sites by structure id (first appearance order) and checks that
** the rows of one structure agree on category, phases and zone. */
static void
group_structures(rq_dataset *ds, const char *path, rq_diag *diag)
{
    size_t cap = 0;
    for (size_t i = 0; i < ds->n_sites; i++) {
        rq_site *s = &ds->sites[i];
        size_t k = 0;
        while (k < ds->n_structures && strcmp(ds->structures[k].id, s->structure_id) != 0)
            k++;
        if (k == ds->n_structures) {
            rq_grow((void **)&ds->structures, &cap, k + 1, sizeof *ds->structures);
            rq_structure *st = &ds->structures[k];
            memset(st, 0, sizeof *st);
            st->id = rq_xstrdup(s->structure_id);
            st->category = s->category;
            st->phases = s->phases;
            st->zone = s->zone;
            ds->n_structures++;
        }
        rq_structure *st = &ds->structures[k];
        if (st->category != s->category || st->phases != s->phases || st->zone != s->zone)
            rq_diag_add(diag,
                        "%s: %s (site %s): structure %s has another category, phases or zone on "
                        "an earlier row; expected the same on every row of a structure",
                        path, s->where, s->site_id, st->id);
        st->sites = rq_xreallocarray(st->sites, st->n_sites + 1, sizeof *st->sites);
        st->sites[st->n_sites++] = i;
        s->structure = k;
    }
}

/* Site ids sorted with their rows, so that a repeated id names both rows. */
static int
cmp_site_ptr(const void *a, const void *b)
{
    const rq_site *x = *(const rq_site *const *)a, *y = *(const rq_site *const *)b;
    int c = strcmp(x->site_id, y->site_id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void
check_unique_sites(rq_dataset *ds, const char *path, rq_diag *diag)
{
    const rq_site **v = rq_xcalloc(ds->n_sites + 1, sizeof *v);
    for (size_t i = 0; i < ds->n_sites; i++)
        v[i] = &ds->sites[i];
    qsort(v, ds->n_sites, sizeof *v, cmp_site_ptr);
    for (size_t i = 1; i < ds->n_sites; i++) {
        /* Each later row of a repeated id is reported against the first. */
        size_t first = i - 1;
        while (first > 0 && strcmp(v[first - 1]->site_id, v[i]->site_id) == 0)
            first--;
        if (*v[i]->site_id && strcmp(v[i]->site_id, v[first]->site_id) == 0)
            rq_diag_add(diag,
                        "%s: %s, field '%s': site id '%s' is already used on %s; expected "
                        "unique site ids",
                        path, v[i]->where, ds->cfg->f_site_id, v[i]->site_id, v[first]->where);
    }
    free(v);
}

rq_status
rq_locate_sites(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    const char *names[F_COUNT] = {cfg->f_structure_id, cfg->f_site_id,   cfg->f_name,
                                  cfg->f_category,     cfg->f_phases,    cfg->f_zone_type,
                                  cfg->f_zone_codes,   cfg->f_site_type, cfg->f_commune_code,
                                  cfg->f_lon,          cfg->f_lat,       cfg->f_capacity,
                                  cfg->f_radius,       cfg->f_itinerant};
    rq_read_spec spec = {"structures", &cfg->structures, names, field_keys, field_optional,
                         F_COUNT, 0};
    struct loc_ctx c = {ds, cfg->structures.path, names, 0, NULL, 0, 0};
    rq_read_info info;
    rq_diag diag;
    rq_xform *xf = NULL;
    size_t zcap = 0;
    rq_diag_init(&diag);
    rq_status rc = rq_io_read(&spec, site_row, &c, &diag, &info, err);
    if (rc != RQ_OK)
        goto cleanup;
    if (info.n_features == 0)
        rq_diag_add(&diag, "%s: no site; expected one row per site", cfg->structures.path);
    check_unique_sites(ds, cfg->structures.path, &diag);
    if ((rc = rq_diag_to_err(&diag, cfg->structures.path, err)) != RQ_OK)
        goto cleanup;
    if (!(xf = rq_xform_create("EPSG:4326", cfg->crs, err))) {
        rc = RQ_ERR_INPUT;
        goto cleanup;
    }
    for (size_t i = 0; i < ds->n_sites; i++) {
        place_site(ds, xf, i, &c.pend[i], cfg->structures.path, &diag);
        ds->sites[i].zone = zone_for(ds, &c.pend[i], &zcap);
    }
    group_structures(ds, cfg->structures.path, &diag);
    if ((rc = rq_diag_to_err(&diag, cfg->structures.path, err)) != RQ_OK)
        goto cleanup;
    unsigned char *seen = rq_xcalloc(ds->n_structures + 1, 1);
    for (size_t i = 0; i < ds->n_sites; i++) {
        rq_site *s = &ds->sites[i];
        s->in_area = ds->communes[s->commune].in_area;
        if (s->in_area) {
            ds->stats.n_sites_area++;
            if (!seen[s->structure]++)
                ds->stats.n_structures_area++;
        }
    }
    free(seen);
cleanup:
    for (size_t i = 0; i < ds->n_sites && c.pend; i++)
        free(c.pend[i].zcodes);
    free(c.pend);
    rq_xform_destroy(xf);
    rq_read_info_fini(&info);
    rq_diag_fini(&diag);
    return rc;
}
