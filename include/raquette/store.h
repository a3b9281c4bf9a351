/* store.h - the history of runs: one SpatiaLite database that every
** successful run appends to (src/store/, the only part that includes
** sqlite3.h and spatialite.h).
**
** Tables (docs/outputs.md, "History"): runs (one row per run: name, dates,
** COG vintage, configuration, inputs with their SHA-256, versions,
** headline counts, run.json), and per run: communes, trous, sites,
** agregats_departements, agregats_epci, agregats_zone_etude (the fields of
** the run's layers, geometries in the metric CRS with spatial indexes),
** couvertures (every structure's share of every commune it reaches) and
** codes_redirections (the commune table's codes that are not current
** communes, and where they go), each row carrying its run_id.
**
** Safety: a database is recognised by its application_id and carries its
** schema version in user_version; anything else is refused, never written.
** A run is recorded in one transaction (BEGIN IMMEDIATE, waiting up to
** RQ_STORE_BUSY_MS for another writer), committed only after its output
** folder is in place: a run that fails or is killed leaves the database as
** it was. A new database is made in a temporary file and linked into place
** once complete: its schema alone, or a whole run recorded in memory.
*/
#ifndef RQ_STORE_H
#define RQ_STORE_H

#include "raquette/compare.h"
#include "raquette/table.h"

/* The schema this raquette writes and reads (PRAGMA user_version). */
#define RQ_STORE_SCHEMA 1
/* How long a run waits for another one recording into the same database. */
#define RQ_STORE_BUSY_MS 120000

typedef struct rq_store rq_store;

/* Opens the history at path. Missing: created when create is 1, else an
** input error. A file that is not a raquette history, is damaged, or has
** another schema version: RQ_ERR_INPUT naming the file and what to do. */
rq_store *rq_store_open(const char *path, int create, rq_err *err);
/* A history in memory, with the schema of a file: for a run recorded
** nowhere (--no-history) or before its history file exists, so that its
** report is made from a history like any other. */
rq_store *rq_store_open_memory(rq_err *err);
/* Saves the whole of s (a history in memory whose run is committed) as the
** new history file path, made like any new database: *saved is 0, and
** nothing written, when another run made a history at path meanwhile. */
rq_status rq_store_save_new(const rq_store *s, const char *path, int *saved,
                            rq_err *err) RQ_MUST_CHECK;
void rq_store_close(rq_store *s);
const char *rq_store_path(const rq_store *s);

rq_status rq_store_begin(rq_store *s, rq_err *err) RQ_MUST_CHECK;
rq_status rq_store_commit(rq_store *s, rq_err *err) RQ_MUST_CHECK;
/* Rolls the open transaction back (none: no-op). */
void rq_store_rollback(rq_store *s);

/* One row of the runs table. */
typedef struct rq_store_run {
    long long id;
    char *name, *date, *recorded_at, *vintage, *crs, *folder, *licence;
    char *config_path, *config_text, *inputs, *params, *run_json;
    char *tool_version, *method_version, *boundaries_sha;
    double threshold; /* seuil_couverture */
    char *required;   /* required phases, "emergence|creation|consolidation" */
    long communes, population, communes_trou, population_trou, zones_trou, sites, structures;
    double part_parcours_complet;
} rq_store_run;
void rq_store_run_fini(rq_store_run *r);

/* Adds the runs row (r->id and r->recorded_at are ignored: set here) and
** returns its id in *id. r->crs must be "EPSG:<code>": the database keeps
** the geometries of every run in one SRID, that of its first run. */
rq_status rq_store_add_run(rq_store *s, const rq_store_run *r, long long *id,
                           rq_err *err) RQ_MUST_CHECK;
/* Replaces the run.json text of run id (the final one, with the timings of
** the outputs). */
rq_status rq_store_set_run_json(rq_store *s, long long id, const char *text,
                                rq_err *err) RQ_MUST_CHECK;

/* Rows of a table for run run_id, given through a sink (table.h). The table
** is created at first use, with a geometry column of gtype and its spatial
** index; fields a later run brings are added as columns. Reals are kept at
** full precision. */
typedef struct rq_store_ins rq_store_ins;
rq_store_ins *rq_store_ins_open(rq_store *s, const char *table, const rq_field_def *fields,
                                size_t n_fields, rq_out_geom gtype, long long run_id, rq_err *err);
rq_sink rq_store_ins_sink(rq_store_ins *ins);
/* Ends the insertion after calls that returned rc, and returns rc or the
** error of ending it. A NULL ins is an opening that failed, err set. */
rq_status rq_store_ins_close(rq_store_ins *ins, rq_status rc, rq_err *err) RQ_MUST_CHECK;

/* Every run, by id (the large texts left out). */
rq_status rq_store_runs(rq_store *s, rq_store_run **runs, size_t *n, rq_err *err) RQ_MUST_CHECK;
/* The run that ident names: an id, or a name (its latest run). Unknown:
** RQ_ERR_INPUT listing what there is. */
rq_status rq_store_find(rq_store *s, const char *ident, long long *id, rq_err *err) RQ_MUST_CHECK;
/* The run whose run.json is exactly run_json (as its folder holds it). */
rq_status rq_store_find_run_json(rq_store *s, const char *run_json, long long *id,
                                 rq_err *err) RQ_MUST_CHECK;
/* The folder run id was written to, and its run.json (newly allocated). */
rq_status rq_store_run_folder(rq_store *s, long long id, char **folder, char **run_json,
                              rq_err *err) RQ_MUST_CHECK;
/* The latest run named name before run `before` made on the same kind of
** rows (communes, or study units: method.md §1.4); *id = 0 when none. */
rq_status rq_store_previous(rq_store *s, const char *name, long long before, long long *id,
                            rq_err *err) RQ_MUST_CHECK;
/* Loads run id as an rq_snapshot (compare.h). */
rq_status rq_store_snapshot(rq_store *s, long long id, rq_snapshot *snap,
                            rq_err *err) RQ_MUST_CHECK;
/* Loads what the report of run id needs (report.h), its comparison with
** the previous run of the same name included (computed in g). */
struct rq_report;
rq_status rq_store_report(rq_store *s, long long id, rq_geos *g, struct rq_report *r,
                          rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_STORE_H */
