/* store.c - opening the history database: recognising it, creating it, and
** the transaction that records a run (store.h).
**
** Recognising: a raquette history has PRAGMA application_id RQ_STORE_APP_ID
** and PRAGMA user_version RQ_STORE_SCHEMA. Anything else (another program's
** SQLite file, a damaged file, a file that is no database, a history of
** another schema version) is refused before anything is written, with a
** message naming the file and what to do. There is no older schema to
** upgrade from: schema 1 is the first.
**
** Creating: the schema (SpatiaLite's metadata and raquette's own tables),
** or a whole history recorded in memory (SQLite's backup API, page by page:
** a run's first history is not recorded twice), is written into a
** temporary file of the same folder, which is linked into place only once
** complete (link(2) fails if another run created the database meanwhile:
** that one is then used). A database is never seen half-created.
**
** Writing: BEGIN IMMEDIATE takes the write lock at once (a deferred
** transaction that upgrades later can deadlock against another writer);
** the busy handler waits up to RQ_STORE_BUSY_MS for a run recording into
** the same database. The default rollback journal makes a killed run's
** transaction vanish at the next opening.
*/
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spatialite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_once_t spatialite_once = PTHREAD_ONCE_INIT;

static void
spatialite_start(void)
{
    spatialite_initialize();
}

rq_status
rq_store_fail(rq_store *s, int sqlite_rc, const char *what, rq_err *err)
{
    int primary = sqlite_rc & 0xff;
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(sqlite_rc);
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s: the history database is damaged or is not an SQLite database "
                          "(%s, while %s); move it away or give another path with "
                          "[output] history",
                          s->path, msg, what);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return rq_err_set(err, RQ_ERR_SQL,
                          "%s: another raquette is writing into the history database (waited "
                          "%d s while %s); run again once it is done",
                          s->path, RQ_STORE_BUSY_MS / 1000, what);
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        return rq_err_set(err, RQ_ERR_IO, "%s: cannot write the history database (%s, while %s)",
                          s->path, msg, what);
    return rq_err_set(err, RQ_ERR_SQL, "%s: SQLite failed while %s: %s", s->path, what, msg);
}

rq_status
rq_store_exec(rq_store *s, const char *sql, rq_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    return rc == SQLITE_OK ? RQ_OK : rq_store_fail(s, rc, sql, err);
}

sqlite3_stmt *
rq_store_prepare(rq_store *s, const char *sql, rq_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rq_store_fail(s, rc, "preparing a statement", err);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *
rq_store_run_row(rq_store *s, const char *columns, long long id, rq_err *err)
{
    char *sql = rq_xasprintf("SELECT %s FROM runs WHERE id = ?", columns);
    sqlite3_stmt *st = rq_store_prepare(s, sql, err);
    free(sql);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return st;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        rq_err_set(err, RQ_ERR_INPUT, "%s: no run %lld in the history", s->path, id);
    else
        rq_store_fail(s, rc, "reading a run", err);
    return NULL;
}

char *
rq_store_column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return rq_xstrdup(t ? (const char *)t : "");
}

/* A PRAGMA's integer value; SQLite's code on failure. */
static int
pragma_int(rq_store *s, const char *pragma, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int
rq_store_srid(rq_store *s)
{
    sqlite3_stmt *st = NULL;
    int srid = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT valeur FROM raquette_meta WHERE cle = 'srid'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        srid = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return srid;
}

static rq_store *
connect(const char *path, int flags, rq_err *err)
{
    pthread_once(&spatialite_once, spatialite_start);
    rq_store *s = rq_xcalloc(1, sizeof *s);
    s->path = rq_xstrdup(path);
    int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_CANTOPEN)
            rq_err_set(err, RQ_ERR_INPUT, "%s: cannot open the history database (%s)", path,
                       s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        else
            rq_store_fail(s, rc, "opening", err);
        rq_store_close(s);
        return NULL;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, RQ_STORE_BUSY_MS);
    s->spatialite = spatialite_alloc_connection();
    spatialite_init_ex(s->db, s->spatialite, 0);
    return s;
}

/* Refuses what is not a raquette history of this schema. */
static rq_status
check_ours(rq_store *s, rq_err *err)
{
    long long app = 0, version = 0;
    int rc = pragma_int(s, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = pragma_int(s, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return rq_store_fail(s, rc, "reading its header", err);
    if (app != RQ_STORE_APP_ID)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s: not a raquette history database (another program's SQLite "
                          "file); give another path with [output] history, or --no-history",
                          s->path);
    if (version != RQ_STORE_SCHEMA)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s: a raquette history of schema %lld, and this raquette reads and "
                          "writes schema %d only; %s",
                          s->path, version, RQ_STORE_SCHEMA,
                          version > RQ_STORE_SCHEMA
                              ? "use the newer raquette that wrote it, or another history file"
                              : "no upgrade exists from it: keep it and start another history "
                                "file");
    return RQ_OK;
}

static const char *const schema_sql[] = {
    "PRAGMA application_id = 1381061957", /* RQ_STORE_APP_ID */
    "PRAGMA user_version = 1",            /* RQ_STORE_SCHEMA */
    "SELECT InitSpatialMetadata(0, 'NONE')",
    "CREATE TABLE raquette_meta (cle TEXT PRIMARY KEY, valeur TEXT NOT NULL)",
    "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, nom TEXT NOT NULL, "
    "date TEXT NOT NULL, enregistre_le TEXT NOT NULL, millesime_cog TEXT, crs TEXT NOT NULL, "
    "dossier TEXT, licence TEXT, configuration_chemin TEXT, configuration TEXT, entrees TEXT, "
    "parametres TEXT, seuil_couverture REAL, phases_requises TEXT, run_json TEXT, "
    "outil_version TEXT, methode_version TEXT, contours_sha256 TEXT, communes INTEGER, "
    "population INTEGER, communes_trou INTEGER, population_trou INTEGER, zones_trou INTEGER, "
    "sites INTEGER, structures INTEGER, part_parcours_complet REAL)",
    "CREATE INDEX runs_nom ON runs (nom, id)",
};

/* Writes the schema into the new database s. */
static rq_status
create_schema(rq_store *s, rq_err *err)
{
    rq_status rc = rq_store_exec(s, "BEGIN", err);
    for (size_t i = 0; rc == RQ_OK && i < sizeof schema_sql / sizeof schema_sql[0]; i++)
        rc = rq_store_exec(s, schema_sql[i], err);
    if (rc == RQ_OK) {
        char *sql = rq_xasprintf("INSERT INTO raquette_meta VALUES ('outil', 'raquette %s'), "
                                 "('schema', '%d')",
                                 RQ_VERSION, RQ_STORE_SCHEMA);
        rc = rq_store_exec(s, sql, err);
        free(sql);
    }
    if (rc == RQ_OK)
        rc = rq_store_exec(s, "COMMIT", err);
    return rc;
}

/* Copies the whole database src into dst, a new one, page by page. */
static rq_status
copy_database(rq_store *dst, const rq_store *src, rq_err *err)
{
    sqlite3_backup *b = sqlite3_backup_init(dst->db, "main", src->db, "main");
    if (!b)
        return rq_store_fail(dst, sqlite3_extended_errcode(dst->db), "copying the run into it",
                             err);
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b); /* after a failed step, its code again */
    if (rc == SQLITE_DONE)
        rc = fin;
    return rc == SQLITE_OK ? RQ_OK : rq_store_fail(dst, rc, "copying the run into it", err);
}

/* Makes the database at path in a temporary file of its folder: the schema
** alone, or a copy of src. The file is linked into place only once complete
** and synced, and only if nothing is there: *linked is 0 when another run
** made the database meanwhile (that one stays as it is). */
static rq_status
create_database(const char *path, const rq_store *src, int *linked, rq_err *err)
{
    *linked = 0;
    char *tmp = rq_xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rq_status rc = rq_err_set(err, RQ_ERR_IO, "%s: cannot create the history database: %s",
                                  path, strerror(errno));
        free(tmp);
        return rc;
    }
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask); /* as a file created the usual way */
    close(fd);
    rq_store *s = connect(tmp, SQLITE_OPEN_READWRITE, err);
    if (s) { /* its messages name the database the user asked for */
        free(s->path);
        s->path = rq_xstrdup(path);
    }
    rq_status rc = !s ? rq_err_code(err) : src ? copy_database(s, src, err) : create_schema(s, err);
    rq_store_close(s); /* SQLite synced the file at the commit */
    if (rc == RQ_OK && link(tmp, path) == 0)
        *linked = 1;
    else if (rc == RQ_OK && errno != EEXIST)
        rc = rq_err_set(err, RQ_ERR_IO, "%s: cannot create the history database: %s", path,
                        strerror(errno));
    unlink(tmp);
    char *journal = rq_xasprintf("%s-journal", tmp); /* left by a failed copy */
    unlink(journal);
    free(journal);
    free(tmp);
    return rc;
}

rq_store *
rq_store_open(const char *path, int create, rq_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT || !create) {
            rq_err_set(err, RQ_ERR_INPUT, "%s: cannot open the history database: %s", path,
                       strerror(errno));
            return NULL;
        }
        int linked; /* 0: another run made it meanwhile, opened below */
        if (create_database(path, NULL, &linked, err) != RQ_OK)
            return NULL;
    } else if (!S_ISREG(st.st_mode)) {
        rq_err_set(err, RQ_ERR_INPUT, "%s: the history database must be a regular file", path);
        return NULL;
    }
    rq_store *s = connect(path, SQLITE_OPEN_READWRITE, err);
    if (s && check_ours(s, err) != RQ_OK) {
        rq_store_close(s);
        s = NULL;
    }
    return s;
}

rq_store *
rq_store_open_memory(rq_err *err)
{
    rq_store *s = connect(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, err);
    if (s && create_schema(s, err) != RQ_OK) {
        rq_store_close(s);
        s = NULL;
    }
    return s;
}

rq_status
rq_store_save_new(const rq_store *s, const char *path, int *saved, rq_err *err)
{
    return create_database(path, s, saved, err);
}

void
rq_store_close(rq_store *s)
{
    if (!s)
        return;
    if (s->in_tx)
        rq_store_rollback(s);
    if (s->db)
        sqlite3_close_v2(s->db);
    if (s->spatialite)
        spatialite_cleanup_ex(s->spatialite);
    free(s->path);
    free(s);
}

const char *
rq_store_path(const rq_store *s)
{
    return s->path;
}

rq_status
rq_store_begin(rq_store *s, rq_err *err)
{
    rq_status rc = rq_store_exec(s, "BEGIN IMMEDIATE", err);
    s->in_tx = rc == RQ_OK;
    return rc;
}

rq_status
rq_store_commit(rq_store *s, rq_err *err)
{
    rq_status rc = rq_store_exec(s, "COMMIT", err);
    if (rc == RQ_OK)
        s->in_tx = 0;
    return rc;
}

void
rq_store_rollback(rq_store *s)
{
    if (s && s->in_tx) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->in_tx = 0;
    }
}
