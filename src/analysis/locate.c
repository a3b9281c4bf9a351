/* locate.c - the locate stage (method.md §1.3, §2 "zone").
**
** Reads the structures file (one row per site), validates every field,
** places each site (lon/lat, else the representative point of its commune
** in the metric CRS), finds the commune it falls in with the STRtree, groups
** sites into structures, and resolves each distinct intervention zone once
** into the set of current communes it holds (membership by code).
**
** This file holds the entry point, the reading and checking of each row's
** fields, and the bookkeeping of row problems. Placing a site, the only
** geometric work, is in locate_place.c; the checks across rows and the
** building of zones and structures, which all work on rows sorted by a
** key, are in locate_group.c. What the three share is locate_internal.h.
**
** Every problem is tied to its row (struct row_err), so that the whole
** list comes out in file order, and skip_bad_rows can drop exactly the
** faulty rows, whatever the problem: a field, a code, a position, a
** repeated site id or a row that contradicts its structure's first row.
**
** Nothing in the stage is quadratic in the number of rows: codes are found
** by binary search, positions through the STRtree, and repeated ids,
** structures and zones by sorting.
*/
#include "analysis/locate_internal.h"

#include "raquette/crs.h"
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_keys[F_COUNT] = {
    "structure_id", "site_id",      "name", "category", "phases",   "zone_type", "zone_codes",
    "site_type",    "commune_code", "lon",  "lat",      "capacity", "radius",    "itinerant"};
/* Columns a minimal directory may leave out. */
static const unsigned char field_optional[F_COUNT] = {0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1};

#define N_ZONE_TYPES 5
static const char *const zone_type_names[N_ZONE_TYPES] = {"region", "departement", "epci",
                                                          "communes", "national"};
static const char *const site_type_names[] = {"siege", "antenne", "permanence"};

/* Most projects a site may accompany per year: a thousand times the
** largest real figures, small enough that no sum of the index overflows. */
#define RQ_MAX_CAPACITY 1000000

/* Slug and summary of each kind of row problem (err_kind), for the
** grouped warnings of skipped rows. */
static const char *const err_slug[E_NKINDS] = {"ligne-ignoree-champ", "ligne-ignoree-commune",
                                               "ligne-ignoree-position", "ligne-ignoree-doublon",
                                               "ligne-ignoree-structure"};
static const char *const err_text[E_NKINDS] = {
    "rows of the structures file skipped (skip_bad_rows): a field of the wrong form",
    "rows of the structures file skipped (skip_bad_rows): a commune code no table knows or "
    "without a boundary",
    "rows of the structures file skipped (skip_bad_rows): a position in no commune",
    "rows of the structures file skipped (skip_bad_rows): a site id already used",
    "rows of the structures file skipped (skip_bad_rows): category, phases or zone unlike the "
    "structure's first row"};

/* A problem of one row. */
struct row_err {
    size_t site; /* index of the row in ds->sites */
    size_t seq;  /* order in which it was found */
    err_kind kind;
    char *text;
};

static void bad_text(struct loc_ctx *c, size_t site, err_kind kind, const char *text);

/* Records a problem of row `site`: "file: line N, field 'x': what", or
** "file: line N (site S): what" for a problem of the whole row (f < 0). */
void
rq_locate_bad(struct loc_ctx *c, size_t site, err_kind kind, int f, const char *fmt, ...)
{
    char what[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const rq_site *s = &c->ds->sites[site];
    char *text = f >= 0
                     ? rq_xasprintf("%s: %s, field '%s': %s", c->path, s->where, c->fnames[f], what)
                     : rq_xasprintf("%s: %s (site %s): %s", c->path, s->where, s->site_id, what);
    bad_text(c, site, kind, text);
    free(text);
}

/* Records a problem of row `site` that is already a whole message. */
static void
bad_text(struct loc_ctx *c, size_t site, err_kind kind, const char *text)
{
    rq_grow((void **)&c->errs, &c->errs_cap, c->n_errs + 1, sizeof *c->errs);
    c->errs[c->n_errs] = (struct row_err){site, c->n_errs, kind, rq_xstrdup(text)};
    c->n_errs++;
    c->failed[site] = 1;
}

static int
index_of(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

/* Sorted distinct values of one column of the current communes. */
static const char **
distinct_codes(const rq_dataset *ds, int by_region, size_t *n_out)
{
    const char **v = rq_xcalloc(ds->n_cog + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < ds->n_cog; i++)
        if (ds->cog[i].type == RQ_COG_ACTUELLE)
            v[n++] = by_region ? ds->cog[i].region : ds->cog[i].dep;
    qsort(v, n, sizeof *v, rq_cmp_strp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    *n_out = u;
    return v;
}

static int
has_code(const char **v, size_t n, const char *code)
{
    return bsearch(&code, v, n, sizeof *v, rq_cmp_strp) != NULL;
}

/* ---- Fields ------------------------------------------------------------- */

static void
check_category(struct loc_ctx *c, const rq_row *row, size_t i)
{
    const rq_config *cfg = c->ds->cfg;
    rq_site *s = &c->ds->sites[i];
    s->category = rq_config_category(cfg, row->v[F_CAT]);
    if (s->category >= 0)
        return;
    char list[400] = "";
    size_t len = 0;
    for (size_t k = 0; k < cfg->n_categories && len < sizeof list; k++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                cfg->categories[k].name);
    rq_locate_bad(c, i, E_FIELD, F_CAT,
                  "unknown category '%.80s'; expected one of %s ([categories])", row->v[F_CAT],
                  list);
}

static void
check_phases(struct loc_ctx *c, const rq_row *row, size_t i)
{
    rq_site *s = &c->ds->sites[i];
    size_t n = 0;
    char **v = rq_strsplit(row->v[F_PHASES], c->ds->cfg->list_separator, &n);
    for (size_t k = 0; k < n; k++) {
        int p = rq_phase_index(v[k]);
        if (p < 0)
            rq_locate_bad(c, i, E_FIELD, F_PHASES,
                          "unknown phase '%.80s'; expected emergence, creation, consolidation or "
                          "developpement",
                          v[k]);
        else
            s->phases |= 1u << p;
    }
    if (n == 0)
        rq_locate_bad(c, i, E_FIELD, F_PHASES, "empty; expected at least one phase");
    rq_strv_free(v);
}

/* 1 when code exists for zone type zt; codes of type communes are
** replaced by their current commune's. */
static int
zone_code_exists(struct loc_ctx *c, rq_zone_type zt, char **code)
{
    rq_dataset *ds = c->ds;
    switch (zt) {
    case RQ_ZONE_EPCI:
        return rq_epci_find(ds, *code) != NULL;
    case RQ_ZONE_COMMUNES: {
        const char *cur = rq_code_harmonise(ds, RQ_CODES_ZONES, *code);
        if (cur) {
            free(*code);
            *code = rq_xstrdup(cur); /* redirected to its current commune */
        }
        return cur != NULL;
    }
    case RQ_ZONE_REGION:
        return has_code(c->regions, c->n_regions, *code);
    case RQ_ZONE_DEPARTEMENT:
        return has_code(c->deps, c->n_deps, *code);
    default:
        return 0;
    }
}

/* Validates the zone codes by membership source and builds the zone key. */
static void
check_zone(struct loc_ctx *c, const rq_row *row, size_t i, struct pending *p)
{
    rq_dataset *ds = c->ds;
    int zt = index_of(zone_type_names, N_ZONE_TYPES, row->v[F_ZTYPE]);
    if (zt < 0) {
        rq_locate_bad(c, i, E_FIELD, F_ZTYPE,
                      "'%.80s'; expected region, departement, epci, communes or "
                      "national",
                      row->v[F_ZTYPE]);
        return;
    }
    p->ztype = (rq_zone_type)zt;
    size_t n = 0;
    char **v = rq_strsplit(row->v[F_ZCODES], ds->cfg->list_separator, &n);
    if (p->ztype == RQ_ZONE_NATIONAL && n > 0)
        rq_locate_bad(c, i, E_FIELD, F_ZCODES, "'%.80s'; expected no code for zone_type national",
                      row->v[F_ZCODES]);
    else if (p->ztype != RQ_ZONE_NATIONAL && n == 0)
        rq_locate_bad(c, i, E_FIELD, F_ZCODES, "empty; expected codes separated by '%c'",
                      ds->cfg->list_separator);
    for (size_t k = 0; k < n && p->ztype != RQ_ZONE_NATIONAL; k++)
        if (!zone_code_exists(c, p->ztype, &v[k]))
            rq_locate_bad(c, i, E_FIELD, F_ZCODES, "%s code '%.40s' does not exist in the %s table",
                          zone_type_names[zt], v[k], p->ztype == RQ_ZONE_EPCI ? "EPCI" : "commune");
    qsort(v, n, sizeof *v, rq_cmp_strp);
    size_t len = strlen(zone_type_names[zt]) + 2;
    for (size_t k = 0; k < n; k++)
        len += strlen(v[k]) + 1;
    p->zkey = rq_xcalloc(len, 1);
    size_t at = (size_t)snprintf(p->zkey, len, "%s:", zone_type_names[zt]);
    for (size_t k = 0; k < n && p->ztype != RQ_ZONE_NATIONAL; k++) {
        if (k && strcmp(v[k], v[k - 1]) == 0)
            continue; /* a code listed twice is one member */
        at += (size_t)snprintf(p->zkey + at, len - at, "%s%s", p->zkey[at - 1] == ':' ? "" : "|",
                               v[k]);
    }
    rq_strv_free(v);
}

static void
check_numbers(struct loc_ctx *c, const rq_row *row, size_t i, struct pending *p)
{
    rq_dataset *ds = c->ds;
    const rq_config *cfg = ds->cfg;
    rq_site *s = &ds->sites[i];
    const char *lon = row->v[F_LON], *lat = row->v[F_LAT];
    if (*lon || *lat) {
        if (!*lon || !*lat)
            rq_locate_bad(c, i, E_FIELD, *lon ? F_LAT : F_LON,
                          "empty while the other coordinate is given; expected both lon and lat "
                          "(WGS 84 degrees) or neither");
        else if (!rq_parse_double(lon, &s->lon) || s->lon < -180 || s->lon > 180)
            rq_locate_bad(c, i, E_FIELD, F_LON,
                          "'%.40s'; expected a longitude in degrees (-180 to 180)", lon);
        else if (!rq_parse_double(lat, &s->lat) || s->lat < -90 || s->lat > 90)
            rq_locate_bad(c, i, E_FIELD, F_LAT,
                          "'%.40s'; expected a latitude in degrees (-90 to 90)", lat);
        else
            p->has_xy = 1;
    }
    const char *cap = row->v[F_CAP];
    if (!*cap) {
        s->capacity_missing = 1;
    } else if (!rq_parse_double(cap, &s->capacity) || s->capacity < 0 ||
               s->capacity > RQ_MAX_CAPACITY) {
        /* The bound keeps every sum of the accessibility index finite and
        ** far from overflowing (docs/errors.md). */
        rq_locate_bad(c, i, E_FIELD, F_CAP,
                      "'%.40s'; expected a number of projects per year from 0 to %d", cap,
                      RQ_MAX_CAPACITY);
    }
    const char *r = row->v[F_RADIUS];
    if (!*r) {
        s->radius_km = s->category >= 0 ? cfg->categories[s->category].radius_km : 0;
    } else if (!rq_parse_double(r, &s->radius_km) || s->radius_km <= 0 || s->radius_km > 1000) {
        rq_locate_bad(c, i, E_FIELD, F_RADIUS, "'%.40s'; expected a radius in km, > 0 and <= 1000",
                      r);
    }
    const char *it = row->v[F_ITIN];
    if (*it && strcmp(it, "0") != 0 && strcmp(it, "1") != 0)
        rq_locate_bad(c, i, E_FIELD, F_ITIN, "'%.40s'; expected 0, 1 or empty", it);
    s->itinerant = strcmp(it, "1") == 0;
}

static rq_status
site_row(const rq_row *row, void *ud, rq_diag *diag)
{
    (void)diag; /* problems are kept per row, in c->errs */
    struct loc_ctx *c = ud;
    rq_dataset *ds = c->ds;
    const char *const *v = row->v;
    size_t i = ds->n_sites;
    rq_grow((void **)&ds->sites, &c->cap, i + 1, sizeof *ds->sites);
    rq_grow((void **)&c->pend, &c->pend_cap, i + 1, sizeof *c->pend);
    rq_grow((void **)&c->failed, &c->failed_cap, i + 1, 1);
    rq_site *s = &ds->sites[i];
    struct pending *p = &c->pend[i];
    memset(s, 0, sizeof *s);
    memset(p, 0, sizeof *p);
    c->failed[i] = 0;
    s->line = row->index;
    s->where = rq_xstrdup(row->where);
    s->structure_id = rq_xstrdup(v[F_STRUCT]);
    s->site_id = rq_xstrdup(v[F_SITE]);
    s->name = rq_xstrdup(v[F_NAME]);
    s->site_type = rq_xstrdup(v[F_STYPE]);
    s->commune_code = rq_xstrdup(v[F_COMMUNE]);
    ds->n_sites++;
    if (row->problems) { /* values that could not be read: nothing more to check */
        for (size_t k = 0; k < row->problems->n; k++)
            bad_text(c, i, E_FIELD, row->problems->items[k]);
        return RQ_OK;
    }
    if (!*v[F_STRUCT])
        rq_locate_bad(c, i, E_FIELD, F_STRUCT, "empty; expected the id of the structure");
    if (!*v[F_SITE])
        rq_locate_bad(c, i, E_FIELD, F_SITE, "empty; expected a unique site id");
    check_category(c, row, i);
    check_phases(c, row, i);
    check_zone(c, row, i, p);
    if (*v[F_STYPE] && index_of(site_type_names, 3, v[F_STYPE]) < 0)
        rq_locate_bad(c, i, E_FIELD, F_STYPE, "'%.40s'; expected siege, antenne or permanence",
                      v[F_STYPE]);
    check_numbers(c, row, i, p);
    const char *cur = *v[F_COMMUNE] ? rq_code_harmonise(ds, RQ_CODES_SITES, v[F_COMMUNE]) : NULL;
    if (!cur) {
        rq_locate_bad(
            c, i, E_COMMUNE, F_COMMUNE,
            "'%.40s' is not a commune of the commune table; expected an INSEE commune code",
            v[F_COMMUNE]);
    } else if (strcmp(cur, v[F_COMMUNE]) != 0) {
        free(s->commune_code);
        s->commune_code = rq_xstrdup(cur);
    }
    if (!c->failed[i])
        rq_locate_place_site(c, i, p);
    return RQ_OK;
}

/* ---- Row problems ------------------------------------------------------- */

/* File order: by row, then in the order found within a row. */
static int
cmp_row_err(const void *a, const void *b)
{
    const struct row_err *x = a, *y = b;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every problem, in file order: into diag, or, with skip_bad_rows, into
** the warnings, and the faulty rows are dropped. */
static void
settle_errors(struct loc_ctx *c, rq_diag *diag)
{
    rq_dataset *ds = c->ds;
    if (c->n_errs > 1)
        qsort(c->errs, c->n_errs, sizeof *c->errs, cmp_row_err);
    for (size_t k = 0; k < c->n_errs; k++) {
        const struct row_err *e = &c->errs[k];
        if (ds->cfg->skip_bad_rows)
            rq_warn(&ds->warnings, err_slug[e->kind], err_text[e->kind], "%s", e->text);
        else
            rq_diag_add(diag, "%s", e->text);
    }
    if (!ds->cfg->skip_bad_rows)
        return;
    size_t k = 0;
    for (size_t i = 0; i < ds->n_sites; i++) {
        if (c->failed[i]) {
            rq_site_fini(&ds->sites[i]);
            free(c->pend[i].zkey);
            ds->stats.n_skipped_rows++;
            continue;
        }
        ds->sites[k] = ds->sites[i];
        c->pend[k] = c->pend[i];
        k++;
    }
    ds->n_sites = k;
}

/* Sites and structures inside the study area; one warning for every site
** with an empty capacity (method.md §3.1: it counts as 0). */
static void
count_sites(rq_dataset *ds)
{
    unsigned char *seen = rq_xcalloc(ds->n_structures + 1, 1);
    for (size_t i = 0; i < ds->n_sites; i++) {
        rq_site *s = &ds->sites[i];
        s->in_area = ds->communes[s->commune].in_area;
        if (s->in_area) {
            ds->stats.n_sites_area++;
            if (!seen[s->structure]) {
                seen[s->structure] = 1;
                ds->stats.n_structures_area++;
            }
        }
        if (s->capacity_missing)
            rq_warn(&ds->warnings, "capacite-vide",
                    "sites with an empty capacity, counted as 0 (they add nothing to "
                    "acces_e2sfca)",
                    "%s: %s (site %s)", ds->cfg->structures.path, s->where, s->site_id);
        else if (s->capacity == 0)
            rq_warn(&ds->warnings, "capacite-nulle",
                    "sites with a capacity of 0 (they add nothing to acces_e2sfca)",
                    "%s: %s (site %s)", ds->cfg->structures.path, s->where, s->site_id);
    }
    free(seen);
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
    /* keep_bad_rows: a row whose text cannot be read is a row problem too,
    ** which skip_bad_rows may skip. */
    rq_read_spec spec = {"structures",   &cfg->structures, names, field_keys,
                         field_optional, F_COUNT,          0,     1};
    struct loc_ctx c;
    rq_read_info info;
    rq_diag diag;
    rq_status rc;
    memset(&c, 0, sizeof c);
    memset(&info, 0, sizeof info);
    c.ds = ds;
    c.path = cfg->structures.path;
    c.fnames = names;
    rq_diag_init(&diag);
    c.regions = distinct_codes(ds, 1, &c.n_regions);
    c.deps = distinct_codes(ds, 0, &c.n_deps);
    if ((rc = rq_io_read(&spec, site_row, &c, &diag, &info, err)) != RQ_OK)
        goto cleanup;
    if ((rc = c.xf_rc) != RQ_OK) {
        rq_err_move(err, &c.xf_err);
        goto cleanup;
    }
    rq_locate_check_unique_sites(&c);
    rq_locate_check_structures(&c);
    settle_errors(&c, &diag);
    if (info.n_features == 0)
        rq_diag_add(&diag, "%s: no site; expected one row per site", c.path);
    else if (ds->n_sites == 0)
        rq_diag_add(&diag, "%s: every one of the %zu rows was skipped; expected usable rows",
                    c.path, info.n_features);
    if ((rc = rq_diag_to_err(&diag, c.path, err)) != RQ_OK)
        goto cleanup;
    rq_locate_build_zones(&c);
    rq_locate_build_structures(&c);
    count_sites(ds);
cleanup:
    for (size_t k = 0; k < c.n_errs; k++)
        free(c.errs[k].text);
    free(c.errs);
    for (size_t i = 0; i < ds->n_sites && c.pend; i++)
        free(c.pend[i].zkey);
    free(c.pend);
    free(c.failed);
    free(c.regions);
    free(c.deps);
    rq_xform_destroy(c.xf);
    rq_read_info_fini(&info);
    rq_diag_fini(&diag);
    return rc;
}
