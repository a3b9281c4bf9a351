/* store_internal.h - what the files of the history share (store.c: opening,
** creating, transactions; insert.c: writing runs and rows; read.c: listing
** runs and loading snapshots). The only headers of raquette that see
** sqlite3.h.
*/
#ifndef RQ_STORE_INTERNAL_H
#define RQ_STORE_INTERNAL_H

#include "raquette/store.h"

#include <sqlite3.h>

/* 'RQUE': PRAGMA application_id of a raquette history. */
#define RQ_STORE_APP_ID 0x52515545

struct rq_store {
    sqlite3 *db;
    void *spatialite; /* SpatiaLite's per-connection cache */
    char *path;
    int in_tx;
};

/* Sets err from the last SQLite error of s while doing `what`: a damaged
** file or one that is not a database is an input error (exit 2), a busy
** database or anything else RQ_ERR_SQL. Returns the code. */
rq_status rq_store_fail(rq_store *s, int sqlite_rc, const char *what, rq_err *err);
/* Runs sql (no result rows expected). */
rq_status rq_store_exec(rq_store *s, const char *sql, rq_err *err) RQ_MUST_CHECK;
/* Prepares sql, or sets err. */
sqlite3_stmt *rq_store_prepare(rq_store *s, const char *sql, rq_err *err);
/* The SRID of the database's geometries, 0 before its first run. */
int rq_store_srid(rq_store *s);
/* The runs row of run id with these columns, the statement on its row (the
** caller finalizes it); NULL with err set when there is no such run (input
** error) or SQLite fails. */
sqlite3_stmt *rq_store_run_row(rq_store *s, const char *columns, long long id, rq_err *err);
/* Text of column i, or "" when NULL; newly allocated. */
char *rq_store_column_text(sqlite3_stmt *st, int i);

#endif /* RQ_STORE_INTERNAL_H */
