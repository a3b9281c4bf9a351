/* read.c - reading the history: the list of runs, a run by id or name, and
** a run as an rq_snapshot for the comparison (compare.h).
**
** A snapshot reads the columns of the method's fields by name (they are
** the documented output fields, method.md §6), the geometries as WKB
** (AsBinary), and the structures from the sites' rows: a structure's
** category, phases and zone are on each of its sites.
*/
#include "store_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char RUN_COLUMNS[] =
    "id, nom, date, enregistre_le, millesime_cog, crs, dossier, communes, population, "
    "communes_trou, population_trou, zones_trou, sites, structures, part_parcours_complet";

static void
read_run_row(sqlite3_stmt *st, rq_store_run *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->name = rq_store_column_text(st, 1);
    r->date = rq_store_column_text(st, 2);
    r->recorded_at = rq_store_column_text(st, 3);
    r->vintage = rq_store_column_text(st, 4);
    r->crs = rq_store_column_text(st, 5);
    r->folder = rq_store_column_text(st, 6);
    long *counts[] = {&r->communes,   &r->population, &r->communes_trou, &r->population_trou,
                      &r->zones_trou, &r->sites,      &r->structures};
    for (int i = 0; i < 7; i++)
        *counts[i] = (long)sqlite3_column_int64(st, 7 + i);
    r->part_parcours_complet = sqlite3_column_double(st, 14);
}

rq_status
rq_store_runs(rq_store *s, rq_store_run **runs, size_t *n, rq_err *err)
{
    char *sql = rq_xasprintf("SELECT %s FROM runs ORDER BY id", RUN_COLUMNS);
    sqlite3_stmt *st = rq_store_prepare(s, sql, err);
    free(sql);
    *runs = NULL;
    *n = 0;
    if (!st)
        return rq_err_code(err);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rq_grow((void **)runs, &cap, *n + 1, sizeof **runs);
        read_run_row(st, &(*runs)[(*n)++]);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RQ_OK : rq_store_fail(s, rc, "listing the runs", err);
}

/* One integer from sql with one text or integer parameter; 0 when no row
** or NULL. */
static rq_status
query_id(rq_store *s, const char *sql, const char *text, long long num, long long *out, rq_err *err)
{
    sqlite3_stmt *st = rq_store_prepare(s, sql, err);
    if (!st)
        return rq_err_code(err);
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, num);
    if (text && num)
        sqlite3_bind_int64(st, 2, num);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? RQ_OK
                                                 : rq_store_fail(s, rc, "finding a run", err);
}

static int
all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

rq_status
rq_store_find(rq_store *s, const char *ident, long long *id, rq_err *err)
{
    rq_status rc;
    if (all_digits(ident) && strlen(ident) < 18)
        rc = query_id(s, "SELECT id FROM runs WHERE id = ?", NULL, atoll(ident), id, err);
    else
        rc = query_id(s, "SELECT max(id) FROM runs WHERE nom = ?", ident, 0, id, err);
    if (rc != RQ_OK || *id)
        return rc;
    rq_store_run *runs = NULL;
    size_t n = 0;
    if ((rc = rq_store_runs(s, &runs, &n, err)) != RQ_OK)
        return rc;
    rq_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        rq_buf_printf(&b, "%s%lld (%s, %s)", i ? ", " : "", runs[i].id, runs[i].name, runs[i].date);
        rq_store_run_fini(&runs[i]);
    }
    free(runs);
    char *list = rq_buf_take(&b);
    rc = rq_err_set(err, RQ_ERR_INPUT, "%s: no run '%s' in the history; it holds %s", s->path,
                    ident, *list ? list : "no run yet");
    free(list);
    return rc;
}

/* 1 when the run row r was made on study units ([units] among its inputs,
** method.md §1.4); 0 for communes, and for inputs that are not JSON. */
#define ON_UNITS(r)                                                                                \
    "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(" r ".entrees) THEN " r                  \
    ".entrees ELSE '{}' END, '$.entrees') WHERE json_extract(value, '$.role') = 'unites')"

rq_status
rq_store_previous(rq_store *s, const char *name, long long before, long long *id, rq_err *err)
{
    /* Only a run of the same kind of rows: communes are not compared with
    ** cells, even under one run name. */
    return query_id(s,
                    "SELECT max(r.id) FROM runs r, runs b WHERE r.nom = ?1 AND r.id < ?2 AND "
                    "b.id = ?2 AND " ON_UNITS("r") " = " ON_UNITS("b"),
                    name, before, id, err);
}

/* ---- Snapshots -------------------------------------------------------------- */

static unsigned
phases_of(const char *list)
{
    unsigned mask = 0;
    size_t n = 0;
    char **v = rq_strsplit(list, '|', &n);
    for (size_t i = 0; i < n; i++) {
        int p = rq_phase_index(v[i]);
        if (p >= 0)
            mask |= 1u << p;
    }
    rq_strv_free(v);
    return mask;
}

static void
blob(sqlite3_stmt *st, int i, rq_wkb *out)
{
    const void *b = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    out->data = NULL;
    out->len = 0;
    if (b && n > 0) {
        out->data = rq_xmalloc((size_t)n);
        memcpy(out->data, b, (size_t)n);
        out->len = (size_t)n;
    }
}

static double
column_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* A snapshot being read: the arrays' capacities, and the structure fields
** of each site until the structures are made from them. */
typedef struct loader {
    rq_snapshot *snap;
    size_t cap_communes, cap_sites, cap_extra, cap_gaps, cap_redirects, cap_covers;
    struct site_extra {
        char *category, *phases, *zone_type, *zone_codes;
    } * extra;
} loader;

/* Runs sql (with run id as its one parameter) and calls row for each row;
** a table no run has filled yet reads as empty. */
static rq_status
each_row(rq_store *s, const char *sql, long long id, void (*row)(sqlite3_stmt *, loader *),
         loader *ld, rq_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        /* "no such table": nothing recorded of that kind yet. */
        if (strstr(sqlite3_errmsg(s->db), "no such table"))
            return RQ_OK;
        return rq_store_fail(s, rc, "reading a run", err);
    }
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        row(st, ld);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RQ_OK : rq_store_fail(s, rc, "reading a run", err);
}

static void
commune_row(sqlite3_stmt *st, loader *ld)
{
    rq_snapshot *snap = ld->snap;
    rq_grow((void **)&snap->communes, &ld->cap_communes, snap->n_communes + 1,
            sizeof *snap->communes);
    rq_snap_commune *c = &snap->communes[snap->n_communes++];
    memset(c, 0, sizeof *c);
    c->code = rq_store_column_text(st, 0);
    c->name = rq_store_column_text(st, 1);
    c->dep = rq_store_column_text(st, 2);
    c->epci = rq_store_column_text(st, 3);
    c->population = (long)sqlite3_column_int64(st, 4);
    c->area_km2 = sqlite3_column_double(st, 5);
    c->rural = sqlite3_column_int(st, 6);
    c->trou = sqlite3_column_int(st, 7);
    for (int p = 0; p < RQ_NPHASES; p++)
        if (sqlite3_column_int(st, 8 + p))
            c->phases |= 1u << p;
    c->acces = column_real(st, 12);
    blob(st, 13, &c->geom);
}

static void
site_row(sqlite3_stmt *st, loader *ld)
{
    rq_snapshot *snap = ld->snap;
    rq_grow((void **)&snap->sites, &ld->cap_sites, snap->n_sites + 1, sizeof *snap->sites);
    rq_grow((void **)&ld->extra, &ld->cap_extra, snap->n_sites + 1, sizeof *ld->extra);
    struct site_extra *x = &ld->extra[snap->n_sites];
    rq_snap_site *t = &snap->sites[snap->n_sites++];
    memset(t, 0, sizeof *t);
    t->site_id = rq_store_column_text(st, 0);
    t->structure_id = rq_store_column_text(st, 1);
    t->name = rq_store_column_text(st, 2);
    x->category = rq_store_column_text(st, 3);
    x->phases = rq_store_column_text(st, 4);
    x->zone_type = rq_store_column_text(st, 5);
    x->zone_codes = rq_store_column_text(st, 6);
    t->commune_code = rq_store_column_text(st, 7);
    t->capacity = column_real(st, 8);
    t->capacity_missing = isnan(t->capacity);
    if (t->capacity_missing)
        t->capacity = 0;
    t->radius_km = sqlite3_column_double(st, 9);
    t->x = sqlite3_column_double(st, 10);
    t->y = sqlite3_column_double(st, 11);
}

/* Sites by structure id, then in file order. */
static int
cmp_site_structure(const void *a, const void *b)
{
    const rq_snap_site *x = *(const rq_snap_site *const *)a;
    const rq_snap_site *y = *(const rq_snap_site *const *)b;
    int d = strcmp(x->structure_id, y->structure_id);
    return d ? d : (x > y) - (x < y);
}

/* One structure per structure id of the sites, with the fields of its
** first site (every site of a structure carries the same). */
static void
make_structures(loader *ld)
{
    rq_snapshot *snap = ld->snap;
    const rq_snap_site **order = rq_xcalloc(snap->n_sites + 1, sizeof *order);
    for (size_t i = 0; i < snap->n_sites; i++)
        order[i] = &snap->sites[i];
    if (snap->n_sites > 1)
        qsort(order, snap->n_sites, sizeof *order, cmp_site_structure);
    snap->structures = rq_xcalloc(snap->n_sites + 1, sizeof *snap->structures);
    for (size_t i = 0; i < snap->n_sites; i++) {
        if (i && strcmp(order[i]->structure_id, order[i - 1]->structure_id) == 0)
            continue;
        const struct site_extra *x = &ld->extra[order[i] - snap->sites];
        rq_snap_structure *u = &snap->structures[snap->n_structures++];
        u->id = rq_xstrdup(order[i]->structure_id);
        u->category = rq_xstrdup(x->category);
        u->phases = phases_of(x->phases);
        u->zone_type = rq_xstrdup(x->zone_type);
        u->zone_codes = rq_xstrdup(x->zone_codes);
    }
    free(order);
}

static void
gap_row(sqlite3_stmt *st, loader *ld)
{
    rq_snapshot *snap = ld->snap;
    rq_grow((void **)&snap->gaps, &ld->cap_gaps, snap->n_gaps + 1, sizeof *snap->gaps);
    rq_snap_gap *z = &snap->gaps[snap->n_gaps++];
    memset(z, 0, sizeof *z);
    z->id = rq_store_column_text(st, 0);
    const char *phase = (const char *)sqlite3_column_text(st, 1);
    z->phase = phase && strcmp(phase, "toutes") != 0 ? rq_phase_index(phase) : -1;
    z->population = (long)sqlite3_column_int64(st, 2);
    z->n_communes = (size_t)sqlite3_column_int64(st, 3);
    z->area_km2 = sqlite3_column_double(st, 4);
    blob(st, 5, &z->geom);
}

static void
redirect_row(sqlite3_stmt *st, loader *ld)
{
    rq_snapshot *snap = ld->snap;
    rq_grow((void **)&snap->redirects, &ld->cap_redirects, snap->n_redirects + 1,
            sizeof *snap->redirects);
    rq_snap_redirect *r = &snap->redirects[snap->n_redirects++];
    r->code = rq_store_column_text(st, 0);
    r->to = rq_store_column_text(st, 1);
}

static void
cover_row(sqlite3_stmt *st, loader *ld)
{
    rq_snapshot *snap = ld->snap;
    long c = rq_snapshot_commune(snap, (const char *)sqlite3_column_text(st, 0));
    long k = rq_snapshot_structure(snap, (const char *)sqlite3_column_text(st, 1));
    if (c < 0 || k < 0)
        return; /* cannot happen for a run recorded by raquette */
    rq_grow((void **)&snap->covers, &ld->cap_covers, snap->n_covers + 1, sizeof *snap->covers);
    snap->covers[snap->n_covers++] =
        (rq_snap_cover){(size_t)c, (size_t)k, sqlite3_column_double(st, 2)};
}

/* The runs row of the snapshot. */
static rq_status
run_header(rq_store *s, long long id, rq_snapshot *snap, rq_err *err)
{
    sqlite3_stmt *st = rq_store_run_row(
        s,
        "nom, date, millesime_cog, crs, parametres, contours_sha256, seuil_couverture, "
        "phases_requises, " ON_UNITS("runs"),
        id, err);
    if (!st)
        return rq_err_code(err);
    snap->run_id = id;
    snap->name = rq_store_column_text(st, 0);
    snap->date = rq_store_column_text(st, 1);
    snap->vintage = rq_store_column_text(st, 2);
    snap->crs = rq_store_column_text(st, 3);
    snap->params = rq_store_column_text(st, 4);
    snap->boundaries_sha = rq_store_column_text(st, 5);
    snap->threshold = sqlite3_column_double(st, 6);
    char *req = rq_store_column_text(st, 7);
    snap->required = phases_of(req);
    free(req);
    snap->units = sqlite3_column_int(st, 8);
    sqlite3_finalize(st);
    return RQ_OK;
}

rq_status
rq_store_snapshot(rq_store *s, long long id, rq_snapshot *snap, rq_err *err)
{
    /* A row's identity: its commune's code, or a unit's id (the key of the
    ** couvertures and of the gap zones' member lists); a run on units made
    ** the column id_unite. */
    static const char *const communes_sql[2] = {
        "SELECT code_insee, nom, departement, epci, population, superficie_km2, rural, trou, "
        "phase_emergence, phase_creation, phase_consolidation, phase_developpement, "
        "acces_e2sfca, AsBinary(geom) FROM communes WHERE run_id = ?",
        "SELECT id_unite, nom, departement, epci, population, superficie_km2, rural, trou, "
        "phase_emergence, phase_creation, phase_consolidation, phase_developpement, "
        "acces_e2sfca, AsBinary(geom) FROM communes WHERE run_id = ?"};
    static const char *const sites_sql =
        "SELECT site_id, structure_id, nom, categorie, phases, zone_type, zone_codes, "
        "commune_code, capacite, rayon_km, ST_X(geom), ST_Y(geom) FROM sites WHERE run_id = ? "
        "ORDER BY pk";
    static const char *const gaps_sql =
        "SELECT id, phase, population, nb_communes, superficie_km2, AsBinary(geom) FROM trous "
        "WHERE run_id = ? ORDER BY pk";
    static const char *const redirects_sql =
        "SELECT code, code_actuel FROM codes_redirections WHERE run_id = ?";
    static const char *const covers_sql =
        "SELECT code_insee, structure_id, part FROM couvertures WHERE run_id = ?";
    memset(snap, 0, sizeof *snap);
    loader ld = {.snap = snap};
    rq_status rc = run_header(s, id, snap, err);
    if (rc == RQ_OK)
        rc = each_row(s, communes_sql[snap->units != 0], id, commune_row, &ld, err);
    if (rc == RQ_OK)
        rc = each_row(s, sites_sql, id, site_row, &ld, err);
    if (rc == RQ_OK)
        rc = each_row(s, gaps_sql, id, gap_row, &ld, err);
    if (rc == RQ_OK)
        rc = each_row(s, redirects_sql, id, redirect_row, &ld, err);
    if (rc == RQ_OK) {
        make_structures(&ld);
        rq_snapshot_index(snap); /* before the covers, which look communes up */
        rc = each_row(s, covers_sql, id, cover_row, &ld, err);
        rq_snapshot_index(snap);
    }
    for (size_t i = 0; ld.extra && i < snap->n_sites; i++) {
        free(ld.extra[i].category);
        free(ld.extra[i].phases);
        free(ld.extra[i].zone_type);
        free(ld.extra[i].zone_codes);
    }
    free(ld.extra);
    if (rc != RQ_OK)
        rq_snapshot_fini(snap);
    return rc;
}

rq_status
rq_store_find_run_json(rq_store *s, const char *run_json, long long *id, rq_err *err)
{
    rq_status rc = query_id(s, "SELECT max(id) FROM runs WHERE run_json = ?", run_json, 0, id, err);
    if (rc == RQ_OK && !*id)
        rc = rq_err_set(err, RQ_ERR_INPUT,
                        "%s: no run of the history has this run.json: the folder was written "
                        "by a run that is not recorded there (--no-history, or another history)",
                        s->path);
    return rc;
}

rq_status
rq_store_run_folder(rq_store *s, long long id, char **folder, char **run_json, rq_err *err)
{
    sqlite3_stmt *st = rq_store_run_row(s, "dossier, run_json", id, err);
    if (!st)
        return rq_err_code(err);
    *folder = rq_store_column_text(st, 0);
    *run_json = rq_store_column_text(st, 1);
    sqlite3_finalize(st);
    return RQ_OK;
}
