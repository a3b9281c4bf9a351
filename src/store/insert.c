/* insert.c - recording a run: its row of the runs table, then the rows of
** its tables through a sink (table.h), so that the layers fill the history
** with the same functions that fill the files (src/outputs/layers.c).
**
** Tables are made when a run first needs them: a geometry column in the
** database's SRID with SpatiaLite's spatial index, an index on run_id; a
** field that a later run brings (a new category gives couv_<k>...) becomes
** a new column, left NULL for earlier runs. Column names come from the
** field definitions of raquette itself and are quoted; values are always
** bound, never pasted into SQL.
*/
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
rq_store_run_fini(rq_store_run *r)
{
    char **texts[] = {
        &r->name,     &r->date,         &r->recorded_at,    &r->vintage,        &r->crs,
        &r->folder,   &r->config_path,  &r->config_text,    &r->inputs,         &r->params,
        &r->run_json, &r->tool_version, &r->method_version, &r->boundaries_sha, &r->required,
        &r->licence};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(*texts[i]);
    memset(r, 0, sizeof *r);
}

/* The EPSG code of "EPSG:2154"; 0 when crs is not of that form. */
static int
epsg_code(const char *crs)
{
    long code;
    if (!crs || strncasecmp(crs, "EPSG:", 5) != 0 || !rq_parse_long(crs + 5, &code) || code <= 0 ||
        code > 999999)
        return 0;
    return (int)code;
}

/* Fixes the database's SRID at its first run; refuses a run in another. */
static rq_status
check_srid(rq_store *s, const char *crs, rq_err *err)
{
    int code = epsg_code(crs), srid = rq_store_srid(s);
    if (!code)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s: the history keeps geometries by EPSG code, and [study] crs is "
                          "'%s': write it EPSG:<code>, or run with --no-history",
                          s->path, crs ? crs : "");
    if (srid && srid != code)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s: this history keeps its geometries in EPSG:%d and the run uses "
                          "EPSG:%d; give another history file with [output] history",
                          s->path, srid, code);
    if (srid)
        return RQ_OK;
    char *sql = rq_xasprintf("SELECT InsertEpsgSrid(%d)", code);
    rq_status rc = rq_store_exec(s, sql, err);
    free(sql);
    if (rc == RQ_OK) {
        sql = rq_xasprintf("INSERT INTO raquette_meta VALUES ('srid', '%d')", code);
        rc = rq_store_exec(s, sql, err);
        free(sql);
    }
    if (rc == RQ_OK && rq_store_srid(s) != code)
        rc = rq_err_set(err, RQ_ERR_SQL, "%s: cannot record the SRID %d", s->path, code);
    return rc;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

rq_status
rq_store_add_run(rq_store *s, const rq_store_run *r, long long *id, rq_err *err)
{
    rq_status rc = check_srid(s, r->crs, err);
    if (rc != RQ_OK)
        return rc;
    sqlite3_stmt *st = rq_store_prepare(
        s,
        "INSERT INTO runs (nom, date, enregistre_le, millesime_cog, crs, dossier, licence, "
        "configuration_chemin, configuration, entrees, parametres, seuil_couverture, "
        "phases_requises, run_json, outil_version, methode_version, contours_sha256, communes, "
        "population, communes_trou, population_trou, zones_trou, sites, structures, "
        "part_parcours_complet) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        err);
    if (!st)
        return rq_err_code(err);
    const char *texts[] = {r->name,    r->date,        r->vintage,     r->crs,    r->folder,
                           r->licence, r->config_path, r->config_text, r->inputs, r->params};
    int i = 1;
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        bind_text(st, i++, texts[k]);
    sqlite3_bind_double(st, i++, r->threshold);
    bind_text(st, i++, r->required);
    bind_text(st, i++, r->run_json);
    bind_text(st, i++, r->tool_version);
    bind_text(st, i++, r->method_version);
    bind_text(st, i++, r->boundaries_sha);
    const long counts[] = {r->communes,   r->population, r->communes_trou, r->population_trou,
                           r->zones_trou, r->sites,      r->structures};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        sqlite3_bind_int64(st, i++, counts[k]);
    sqlite3_bind_double(st, i++, r->part_parcours_complet);
    int src = sqlite3_step(st);
    sqlite3_finalize(st);
    if (src != SQLITE_DONE)
        return rq_store_fail(s, src, "recording the run", err);
    *id = sqlite3_last_insert_rowid(s->db);
    return RQ_OK;
}

rq_status
rq_store_set_run_json(rq_store *s, long long id, const char *text, rq_err *err)
{
    sqlite3_stmt *st = rq_store_prepare(s, "UPDATE runs SET run_json = ? WHERE id = ?", err);
    if (!st)
        return rq_err_code(err);
    bind_text(st, 1, text);
    sqlite3_bind_int64(st, 2, id);
    int src = sqlite3_step(st);
    sqlite3_finalize(st);
    return src == SQLITE_DONE ? RQ_OK : rq_store_fail(s, src, "recording run.json", err);
}

/* ---- Tables ----------------------------------------------------------------- */

struct rq_store_ins {
    rq_store *s;
    sqlite3_stmt *st;
    const rq_field_def *fields;
    size_t n_fields;
    long long run_id;
    int geom_param; /* parameter of the geometry, 0 when none */
};

static const char *
sql_type(rq_field_type t)
{
    return t == RQ_FT_STRING ? "TEXT" : t == RQ_FT_INT ? "INTEGER" : "REAL";
}

/* 1 when table has a column named name (its columns listed in cols). */
static int
has_column(char **cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return 1;
    return 0;
}

/* Creates table when missing, and adds the fields it lacks. */
static rq_status
ensure_table(rq_store *s, const char *table, const rq_field_def *f, size_t n, rq_out_geom gtype,
             rq_err *err)
{
    char *sql = rq_xasprintf("PRAGMA table_info(\"%s\")", table);
    sqlite3_stmt *st = rq_store_prepare(s, sql, err);
    free(sql);
    if (!st)
        return rq_err_code(err);
    char **cols = NULL;
    size_t n_cols = 0, cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rq_grow((void **)&cols, &cap, n_cols + 1, sizeof *cols);
        cols[n_cols++] = rq_store_column_text(st, 1);
    }
    sqlite3_finalize(st);
    rq_status rc = RQ_OK;
    if (n_cols == 0) {
        rq_buf b = {0};
        rq_buf_printf(&b,
                      "CREATE TABLE \"%s\" (pk INTEGER PRIMARY KEY, run_id INTEGER NOT NULL "
                      "REFERENCES runs (id)",
                      table);
        for (size_t i = 0; i < n; i++)
            rq_buf_printf(&b, ", \"%s\" %s", f[i].name, sql_type(f[i].type));
        rq_buf_add(&b, ")");
        char *create = rq_buf_take(&b);
        rc = rq_store_exec(s, create, err);
        free(create);
        if (rc == RQ_OK) {
            sql = rq_xasprintf("CREATE INDEX \"%s_run\" ON \"%s\" (run_id)", table, table);
            rc = rq_store_exec(s, sql, err);
            free(sql);
        }
        if (rc == RQ_OK && gtype != RQ_OUT_NOGEOM) {
            sql = rq_xasprintf("SELECT AddGeometryColumn('%s', 'geom', %d, '%s', 'XY'), "
                               "CreateSpatialIndex('%s', 'geom')",
                               table, rq_store_srid(s),
                               gtype == RQ_OUT_POINT ? "POINT" : "MULTIPOLYGON", table);
            rc = rq_store_exec(s, sql, err);
            free(sql);
        }
    } else {
        for (size_t i = 0; i < n && rc == RQ_OK; i++) {
            if (has_column(cols, n_cols, f[i].name))
                continue;
            sql = rq_xasprintf("ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", table, f[i].name,
                               sql_type(f[i].type));
            rc = rq_store_exec(s, sql, err);
            free(sql);
        }
    }
    for (size_t i = 0; i < n_cols; i++)
        free(cols[i]);
    free(cols);
    return rc;
}

rq_store_ins *
rq_store_ins_open(rq_store *s, const char *table, const rq_field_def *fields, size_t n_fields,
                  rq_out_geom gtype, long long run_id, rq_err *err)
{
    if (ensure_table(s, table, fields, n_fields, gtype, err) != RQ_OK)
        return NULL;
    rq_buf cols = {0}, vals = {0};
    rq_buf_add(&cols, "run_id");
    rq_buf_add(&vals, "?");
    for (size_t i = 0; i < n_fields; i++) {
        rq_buf_printf(&cols, ", \"%s\"", fields[i].name);
        rq_buf_add(&vals, ", ?");
    }
    if (gtype != RQ_OUT_NOGEOM) {
        rq_buf_add(&cols, ", geom");
        rq_buf_printf(&vals,
                      gtype == RQ_OUT_POINT ? ", GeomFromWKB(?, %d)"
                                            : ", CastToMulti(GeomFromWKB(?, %d))",
                      rq_store_srid(s));
    }
    char *c = rq_buf_take(&cols), *v = rq_buf_take(&vals);
    char *sql = rq_xasprintf("INSERT INTO \"%s\" (%s) VALUES (%s)", table, c, v);
    free(c);
    free(v);
    sqlite3_stmt *st = rq_store_prepare(s, sql, err);
    free(sql);
    if (!st)
        return NULL;
    rq_store_ins *ins = rq_xcalloc(1, sizeof *ins);
    ins->s = s;
    ins->st = st;
    ins->fields = fields;
    ins->n_fields = n_fields;
    ins->run_id = run_id;
    ins->geom_param = gtype != RQ_OUT_NOGEOM ? (int)n_fields + 2 : 0;
    sqlite3_bind_int64(st, 1, run_id);
    return ins;
}

/* ---- The sink ------------------------------------------------------------- */

static void
ins_string(void *h, size_t f, const char *v)
{
    rq_store_ins *ins = h;
    bind_text(ins->st, (int)f + 2, v && *v ? v : NULL);
}

static void
ins_int(void *h, size_t f, long v)
{
    rq_store_ins *ins = h;
    sqlite3_bind_int64(ins->st, (int)f + 2, v);
}

static void
ins_real(void *h, size_t f, double v)
{
    rq_store_ins *ins = h;
    if (isfinite(v))
        sqlite3_bind_double(ins->st, (int)f + 2, v);
    else
        sqlite3_bind_null(ins->st, (int)f + 2);
}

static void
ins_null(void *h, size_t f)
{
    rq_store_ins *ins = h;
    sqlite3_bind_null(ins->st, (int)f + 2);
}

static rq_status
ins_geometry(void *h, const unsigned char *wkb, size_t len, rq_err *err)
{
    rq_store_ins *ins = h;
    if (!ins->geom_param)
        return rq_err_set(err, RQ_ERR_INTERNAL, "%s: the table has no geometry", ins->s->path);
    sqlite3_bind_blob(ins->st, ins->geom_param, wkb, (int)len, SQLITE_TRANSIENT);
    return RQ_OK;
}

static rq_status
ins_add(void *h, rq_err *err)
{
    rq_store_ins *ins = h;
    int rc = sqlite3_step(ins->st);
    sqlite3_reset(ins->st);
    sqlite3_clear_bindings(ins->st);
    sqlite3_bind_int64(ins->st, 1, ins->run_id);
    return rc == SQLITE_DONE ? RQ_OK : rq_store_fail(ins->s, rc, "recording a row", err);
}

rq_sink
rq_store_ins_sink(rq_store_ins *ins)
{
    return (rq_sink){ins, ins_string, ins_int, ins_real, ins_null, ins_geometry, ins_add};
}

rq_status
rq_store_ins_close(rq_store_ins *ins, rq_status rc, rq_err *err)
{
    if (!ins)
        return rc != RQ_OK ? rc : rq_err_code(err);
    sqlite3_finalize(ins->st);
    free(ins);
    return rc;
}
