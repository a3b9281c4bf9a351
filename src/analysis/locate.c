/* locate.c - the locate stage (method.md §1.3, §2 "zone").
**
** Reads the structures file (one row per site), validates every field,
** places each site (lon/lat, else the representative point of its commune
** in the metric CRS), finds the commune it falls in with the STRtree, groups
** sites into structures, and resolves each distinct intervention zone once
** into the set of current communes it holds (membership by code).
**
** Every problem is tied to its row (struct row_err), so that the whole
** list comes out in file order, and skip_bad_rows can drop exactly the
** faulty rows, whatever the problem: a field, a code, a position, a
** repeated site id or a row that contradicts its structure's first row.
**
** Nothing here is quadratic in the number of rows: codes are found by
** binary search, positions through the STRtree, and repeated ids,
** structures and zones by sorting.
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

#define N_ZONE_TYPES 5
static const char *const zone_type_names[N_ZONE_TYPES] = {"region", "departement", "epci",
                                                          "communes", "national"};
static const char *const site_type_names[] = {"siege", "antenne", "permanence"};

/* Most projects a site may accompany per year: a thousand times the
** largest real figures, small enough that no sum of the index overflows. */
#define RQ_MAX_CAPACITY 1000000

/* The kinds of row problems, for the grouped warnings of skipped rows. */
typedef enum { E_FIELD, E_COMMUNE, E_POSITION, E_DUPLICATE, E_STRUCTURE, E_NKINDS } err_kind;
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

/* What a row asks for; the zone is resolved once every row is read. */
struct pending {
    rq_zone_type ztype;
    char *zkey; /* "type:codes", codes sorted and '|'-joined: identifies the zone */
    int has_xy;
};

/* A problem of one row. */
struct row_err {
    size_t site; /* index of the row in ds->sites */
    size_t seq;  /* order in which it was found */
    err_kind kind;
    char *text;
};

struct loc_ctx {
    rq_dataset *ds;
    const char *path;
    const char *const *fnames;
    rq_xform *xf; /* WGS 84 -> metric CRS, made at the first position (costly) */
    rq_status xf_rc;
    rq_err xf_err;
    size_t cap, pend_cap, failed_cap;
    struct pending *pend;
    unsigned char *failed; /* per row */
    struct row_err *errs;
    size_t n_errs, errs_cap;
    /* Distinct région and département codes of the current communes,
    ** sorted, borrowed from the COG: zone codes are checked against them. */
    const char **regions, **deps;
    size_t n_regions, n_deps;
};

static void bad(struct loc_ctx *c, size_t site, err_kind kind, int f, const char *fmt, ...)
    RQ_PRINTF(5, 6);
static void bad_text(struct loc_ctx *c, size_t site, err_kind kind, const char *text);

/* Records a problem of row `site`: "file: line N, field 'x': what", or
** "file: line N (site S): what" for a problem of the whole row (f < 0). */
static void
bad(struct loc_ctx *c, size_t site, err_kind kind, int f, const char *fmt, ...)
{
    char what[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const rq_site *s = &c->ds->sites[site];
    char *text = f >= 0 ? rq_xasprintf("%s: %s, field '%s': %s", c->path, s->where,
                                       c->fnames[f], what)
                        : rq_xasprintf("%s: %s (site %s): %s", c->path, s->where, s->site_id,
                                       what);
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
    bad(c, i, E_FIELD, F_CAT, "unknown category '%.80s'; expected one of %s ([categories])",
        row->v[F_CAT], list);
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
            bad(c, i, E_FIELD, F_PHASES,
                "unknown phase '%.80s'; expected emergence, creation, consolidation or "
                "developpement",
                v[k]);
        else
            s->phases |= 1u << p;
    }
    if (n == 0)
        bad(c, i, E_FIELD, F_PHASES, "empty; expected at least one phase");
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
        bad(c, i, E_FIELD, F_ZTYPE,
            "'%.80s'; expected region, departement, epci, communes or "
            "national",
            row->v[F_ZTYPE]);
        return;
    }
    p->ztype = (rq_zone_type)zt;
    size_t n = 0;
    char **v = rq_strsplit(row->v[F_ZCODES], ds->cfg->list_separator, &n);
    if (p->ztype == RQ_ZONE_NATIONAL && n > 0)
        bad(c, i, E_FIELD, F_ZCODES, "'%.80s'; expected no code for zone_type national",
            row->v[F_ZCODES]);
    else if (p->ztype != RQ_ZONE_NATIONAL && n == 0)
        bad(c, i, E_FIELD, F_ZCODES, "empty; expected codes separated by '%c'",
            ds->cfg->list_separator);
    for (size_t k = 0; k < n && p->ztype != RQ_ZONE_NATIONAL; k++)
        if (!zone_code_exists(c, p->ztype, &v[k]))
            bad(c, i, E_FIELD, F_ZCODES, "%s code '%.40s' does not exist in the %s table",
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
            bad(c, i, E_FIELD, *lon ? F_LAT : F_LON,
                "empty while the other coordinate is given; expected both lon and lat "
                "(WGS 84 degrees) or neither");
        else if (!rq_parse_double(lon, &s->lon) || s->lon < -180 || s->lon > 180)
            bad(c, i, E_FIELD, F_LON, "'%.40s'; expected a longitude in degrees (-180 to 180)",
                lon);
        else if (!rq_parse_double(lat, &s->lat) || s->lat < -90 || s->lat > 90)
            bad(c, i, E_FIELD, F_LAT, "'%.40s'; expected a latitude in degrees (-90 to 90)", lat);
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
        bad(c, i, E_FIELD, F_CAP, "'%.40s'; expected a number of projects per year from 0 to %d",
            cap, RQ_MAX_CAPACITY);
    }
    const char *r = row->v[F_RADIUS];
    if (!*r) {
        s->radius_km = s->category >= 0 ? cfg->categories[s->category].radius_km : 0;
    } else if (!rq_parse_double(r, &s->radius_km) || s->radius_km <= 0 || s->radius_km > 1000) {
        bad(c, i, E_FIELD, F_RADIUS, "'%.40s'; expected a radius in km, > 0 and <= 1000", r);
    }
    const char *it = row->v[F_ITIN];
    if (*it && strcmp(it, "0") != 0 && strcmp(it, "1") != 0)
        bad(c, i, E_FIELD, F_ITIN, "'%.40s'; expected 0, 1 or empty", it);
    s->itinerant = strcmp(it, "1") == 0;
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

struct near_commune {
    rq_dataset *ds;
    rq_geom *pt;
};

static double
commune_distance(size_t item, void *ud)
{
    struct near_commune *n = ud;
    double d = rq_geom_distance(n->ds->geos, n->ds->communes[item].geom, n->pt);
    return d < 0 ? INFINITY : d;
}

/* Describes, for a position in no commune, how far it is from its own
** commune and from the nearest one. */
static void
describe_miss(rq_dataset *ds, double x, double y, long home, char *buf, size_t sz)
{
    struct near_commune n = {ds, rq_geom_point(ds->geos, x, y)};
    long ni = rq_index_nearest(ds->geos, ds->commune_index, n.pt, commune_distance, &n);
    size_t len = 0;
    buf[0] = '\0';
    if (home >= 0)
        len += (size_t)snprintf(buf, sz, "; it lies %.0f m from its commune %s %s",
                                commune_distance((size_t)home, &n), ds->communes[home].code,
                                ds->communes[home].name);
    if (ni >= 0 && ni != home && len < sz)
        snprintf(buf + len, sz - len, "; the nearest commune is %s %s, %.0f m away",
                 ds->communes[ni].code, ds->communes[ni].name, commune_distance((size_t)ni, &n));
    rq_geom_destroy(ds->geos, n.pt);
}

/* Places site i: at lon/lat, else at its commune's representative point.
** A position just off its own commune (a simplified coastline) is moved
** onto that commune's edge; further away it is an error. */
static void
place_site(struct loc_ctx *c, size_t i, const struct pending *p)
{
    rq_dataset *ds = c->ds;
    const rq_config *cfg = ds->cfg;
    rq_site *s = &ds->sites[i];
    long home = rq_commune_find(ds, s->commune_code);
    if (!p->has_xy) {
        if (home < 0) {
            bad(c, i, E_COMMUNE, F_COMMUNE,
                "commune %s has no boundary in the loaded communes; give lon/lat or load "
                "boundaries that hold it",
                s->commune_code);
            return;
        }
        s->commune = (size_t)home;
        s->x = ds->communes[home].rx;
        s->y = ds->communes[home].ry;
        return;
    }
    s->by_coords = 1;
    if (!c->xf && c->xf_rc == RQ_OK &&
        !(c->xf = rq_xform_create("EPSG:4326", cfg->crs, &c->xf_err)))
        c->xf_rc = c->xf_err.code ? c->xf_err.code : RQ_ERR_PROJ;
    if (!c->xf)
        return; /* the stage fails with xf_err */
    double x = s->lon, y = s->lat;
    int projected = rq_xform_point(c->xf, &x, &y);
    long at = projected ? commune_at(ds, x, y) : -1;
    if (at >= 0) {
        s->x = x;
        s->y = y;
        s->commune = (size_t)at;
        if (home >= 0 && at != home)
            rq_warn(&ds->warnings, "site-hors-commune",
                    "sites whose position lies in another commune than their commune_code",
                    "%s: %s (site %s) lies in %s, not in %s", c->path, s->where, s->site_id,
                    ds->communes[at].code, s->commune_code);
        return;
    }
    if (projected && home >= 0) {
        struct near_commune n = {ds, rq_geom_point(ds->geos, x, y)};
        double d = commune_distance((size_t)home, &n);
        rq_geom_destroy(ds->geos, n.pt);
        double nx, ny;
        if (d <= cfg->edge_tolerance_m &&
            rq_geom_nearest_point(ds->geos, ds->communes[home].geom, x, y, &nx, &ny)) {
            s->x = nx;
            s->y = ny;
            s->commune = (size_t)home;
            ds->stats.n_sites_snapped++;
            rq_warn(&ds->warnings, "site-recale",
                    "sites just outside their commune (a simplified coastline or border), "
                    "placed on its edge at the nearest point",
                    "%s: %s (site %s), %.0f m from %s %s", c->path, s->where, s->site_id, d,
                    ds->communes[home].code, ds->communes[home].name);
            return;
        }
    }
    char where[300] = "";
    if (projected)
        describe_miss(ds, x, y, home, where, sizeof where);
    double sx = s->lat, sy = s->lon;
    int swapped = rq_xform_point(c->xf, &sx, &sy) && commune_at(ds, sx, sy) >= 0;
    if (swapped)
        bad(c, i, E_POSITION, -1,
            "fields '%s'/'%s': position (%g, %g) falls in no loaded commune; it does once "
            "longitude and latitude are swapped: are the columns inverted?",
            cfg->f_lon, cfg->f_lat, s->lon, s->lat);
    else
        bad(c, i, E_POSITION, -1,
            "fields '%s'/'%s': position (%g, %g) falls in no loaded commune%s; expected WGS 84 "
            "longitude/latitude inside the communes, or within %g m ([structures] "
            "edge_tolerance_m) of the commune of '%s'",
            cfg->f_lon, cfg->f_lat, s->lon, s->lat, where, cfg->edge_tolerance_m,
            cfg->f_commune_code);
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
        bad(c, i, E_FIELD, F_STRUCT, "empty; expected the id of the structure");
    if (!*v[F_SITE])
        bad(c, i, E_FIELD, F_SITE, "empty; expected a unique site id");
    check_category(c, row, i);
    check_phases(c, row, i);
    check_zone(c, row, i, p);
    if (*v[F_STYPE] && index_of(site_type_names, 3, v[F_STYPE]) < 0)
        bad(c, i, E_FIELD, F_STYPE, "'%.40s'; expected siege, antenne or permanence", v[F_STYPE]);
    check_numbers(c, row, i, p);
    const char *cur = *v[F_COMMUNE] ? rq_code_harmonise(ds, RQ_CODES_SITES, v[F_COMMUNE]) : NULL;
    if (!cur) {
        bad(c, i, E_COMMUNE, F_COMMUNE,
            "'%.40s' is not a commune of the commune table; expected an INSEE commune code",
            v[F_COMMUNE]);
    } else if (strcmp(cur, v[F_COMMUNE]) != 0) {
        free(s->commune_code);
        s->commune_code = rq_xstrdup(cur);
    }
    if (!c->failed[i])
        place_site(c, i, p);
    return RQ_OK;
}

/* ---- Checks across rows ------------------------------------------------- */

struct by_key {
    const char *key;
    size_t site;
};

static int
cmp_by_key(const void *a, const void *b)
{
    const struct by_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->site > y->site) - (x->site < y->site);
}

/* The sites (all, or only those not failed) sorted by key, then by row. */
static struct by_key *
sorted_by(struct loc_ctx *c, int which, int only_ok, size_t *n_out)
{
    rq_dataset *ds = c->ds;
    struct by_key *v = rq_xcalloc(ds->n_sites + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < ds->n_sites; i++) {
        if (only_ok && c->failed[i])
            continue;
        const char *k = which == F_SITE     ? ds->sites[i].site_id
                        : which == F_STRUCT ? ds->sites[i].structure_id
                                            : c->pend[i].zkey;
        v[n++] = (struct by_key){k, i};
    }
    qsort(v, n, sizeof *v, cmp_by_key);
    *n_out = n;
    return v;
}

/* A site id used again: every later row is reported against the first. */
static void
check_unique_sites(struct loc_ctx *c)
{
    size_t n = 0;
    struct by_key *v = sorted_by(c, F_SITE, 0, &n);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(v[i].key, v[first].key) != 0) {
            first = i;
            continue;
        }
        if (*v[i].key)
            bad(c, v[i].site, E_DUPLICATE, F_SITE,
                "site id '%.60s' is already used on %s; expected unique site ids", v[i].key,
                c->ds->sites[v[first].site].where);
    }
    free(v);
}

/* The rows of one structure must agree on category, phases and zone (the
** zone belongs to the structure, method.md §2): its first usable row sets
** them, and a later row that differs is a problem of that row. */
static void
check_structures(struct loc_ctx *c)
{
    rq_dataset *ds = c->ds;
    size_t n = 0;
    struct by_key *v = sorted_by(c, F_STRUCT, 1, &n);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(v[i].key, v[first].key) != 0) {
            first = i;
            continue;
        }
        const rq_site *a = &ds->sites[v[first].site], *b = &ds->sites[v[i].site];
        const char *what = a->category != b->category ? "category"
                           : a->phases != b->phases   ? "phases"
                           : strcmp(c->pend[v[first].site].zkey, c->pend[v[i].site].zkey) != 0
                               ? "zone"
                               : NULL;
        if (what)
            bad(c, v[i].site, E_STRUCTURE, -1,
                "structure %.60s: %s unlike its first row (%s); expected the same category, "
                "phases and zone on every row of a structure",
                a->structure_id, what, a->where);
    }
    free(v);
}

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

/* ---- Zones and structures ----------------------------------------------- */

/* Resolves the zone of key into its member communes (indices into
** ds->communes), by code. */
static void
build_zone(rq_dataset *ds, rq_zone *z, rq_zone_type type, const char *key)
{
    memset(z, 0, sizeof *z);
    z->type = type;
    z->key = rq_xstrdup(key);
    z->member = rq_xcalloc(ds->n_communes + 1, 1);
    size_t n = 0;
    char **codes = rq_strsplit(strchr(key, ':') + 1, '|', &n);
    if (type == RQ_ZONE_NATIONAL)
        memset(z->member, 1, ds->n_communes);
    for (size_t i = 0; i < n; i++) {
        if (type == RQ_ZONE_COMMUNES) {
            long ci = rq_commune_find(ds, codes[i]);
            if (ci >= 0)
                z->member[ci] = 1;
        } else if (type == RQ_ZONE_EPCI) {
            const rq_epci *e = rq_epci_find(ds, codes[i]);
            for (size_t m = 0; e && m < e->n_members; m++) {
                long ci = rq_commune_find(ds, e->members[m]); /* harmonised at load */
                if (ci >= 0)
                    z->member[ci] = 1;
            }
        } else {
            for (size_t ci = 0; ci < ds->n_communes; ci++) {
                const rq_commune *cm = &ds->communes[ci];
                if (strcmp(type == RQ_ZONE_REGION ? cm->region : cm->dep, codes[i]) == 0)
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
}

/* Groups of sites sharing a key (zone or structure id), numbered in the
** order of their first row: group_of[site] receives the number. Returns
** the number of groups; first[g] (allocated) is the first row of g. */
static size_t
number_groups(struct loc_ctx *c, int which, size_t *group_of, size_t **first_out)
{
    size_t n = 0, n_groups = 0;
    struct by_key *v = sorted_by(c, which, 0, &n);
    size_t *first = rq_xcalloc(n + 1, sizeof *first);
    /* Each group's first row (v is sorted by key, then row). */
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i].key, v[i - 1].key) != 0)
            first[n_groups++] = v[i].site;
    qsort(first, n_groups, sizeof *first, rq_cmp_size);
    /* Rank of each group by first row, then every member gets it. */
    for (size_t i = 0, g = 0; i < n; i++) {
        if (i == 0 || strcmp(v[i].key, v[i - 1].key) != 0) {
            size_t *at = bsearch(&v[i].site, first, n_groups, sizeof *first, rq_cmp_size);
            g = (size_t)(at - first);
        }
        group_of[v[i].site] = g;
    }
    free(v);
    *first_out = first;
    return n_groups;
}

static void
build_zones(struct loc_ctx *c)
{
    rq_dataset *ds = c->ds;
    size_t *zone_of = rq_xcalloc(ds->n_sites + 1, sizeof *zone_of);
    size_t *first = NULL;
    ds->n_zones = number_groups(c, F_ZTYPE, zone_of, &first);
    ds->zones = rq_xcalloc(ds->n_zones + 1, sizeof *ds->zones);
    for (size_t z = 0; z < ds->n_zones; z++)
        build_zone(ds, &ds->zones[z], c->pend[first[z]].ztype, c->pend[first[z]].zkey);
    for (size_t i = 0; i < ds->n_sites; i++)
        ds->sites[i].zone = zone_of[i];
    free(first);
    free(zone_of);
}

static void
build_structures(struct loc_ctx *c)
{
    rq_dataset *ds = c->ds;
    size_t *first = NULL;
    size_t *st_of = rq_xcalloc(ds->n_sites + 1, sizeof *st_of);
    ds->n_structures = number_groups(c, F_STRUCT, st_of, &first);
    ds->structures = rq_xcalloc(ds->n_structures + 1, sizeof *ds->structures);
    for (size_t k = 0; k < ds->n_structures; k++) {
        const rq_site *s = &ds->sites[first[k]];
        rq_structure *st = &ds->structures[k];
        st->id = rq_xstrdup(s->structure_id);
        st->category = s->category;
        st->phases = s->phases;
        st->zone = s->zone;
    }
    for (size_t i = 0; i < ds->n_sites; i++)
        ds->structures[st_of[i]].n_sites++;
    for (size_t k = 0; k < ds->n_structures; k++) {
        ds->structures[k].sites =
            rq_xcalloc(ds->structures[k].n_sites + 1, sizeof *ds->structures[k].sites);
        ds->structures[k].n_sites = 0;
    }
    for (size_t i = 0; i < ds->n_sites; i++) {
        rq_structure *st = &ds->structures[st_of[i]];
        st->sites[st->n_sites++] = i;
        ds->sites[i].structure = st_of[i];
    }
    free(first);
    free(st_of);
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
    rq_read_spec spec = {"structures", &cfg->structures, names, field_keys, field_optional,
                         F_COUNT, 0, 1};
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
    check_unique_sites(&c);
    check_structures(&c);
    settle_errors(&c, &diag);
    if (info.n_features == 0)
        rq_diag_add(&diag, "%s: no site; expected one row per site", c.path);
    else if (ds->n_sites == 0)
        rq_diag_add(&diag, "%s: every one of the %zu rows was skipped; expected usable rows",
                    c.path, info.n_features);
    if ((rc = rq_diag_to_err(&diag, c.path, err)) != RQ_OK)
        goto cleanup;
    build_zones(&c);
    build_structures(&c);
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
