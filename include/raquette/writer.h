/* writer.h - writing the output files: OGR layers (GeoJSON, CSV), the
** atomic output folder, checked file writes and small JSON documents.
**
** This layer knows nothing about indicators: callers describe their fields
** and hand over plain values and ISO WKB geometries. GDAL and json-c types
** never appear here (implementation in src/io/writer.c, writer_vout.c,
** outdir.c, filewrite.c, json.c).
**
** Number formats and coordinates are documented for users in
** docs/outputs.md; the guarantees are restated next to each function.
*/
#ifndef RQ_WRITER_H
#define RQ_WRITER_H

#include "raquette/core.h"
#include "raquette/table.h"

/* ---- Layer writer over OGR -------------------------------------------- */

/* GeoJSON (RFC 7946), CSV (comma, '.', UTF-8 without BOM), or CSV for
** French spreadsheets (';', decimal comma, UTF-8 with a BOM). CSV takes
** RQ_OUT_NOGEOM only. */
typedef enum { RQ_OUT_GEOJSON, RQ_OUT_CSV, RQ_OUT_CSV_FR } rq_out_format;

typedef struct rq_writer rq_writer;

/* Opens a one-layer output file. GeoJSON is written as RFC 7946
** (coordinates reprojected from srs to EPSG:4326 lon/lat, 6 decimals,
** right-hand-rule rings, no bbox); srs is any CRS string GDAL accepts
** ("EPSG:2154") and must be NULL for RQ_OUT_NOGEOM. A CSV path must end in
** ".csv"; a companion ".csvt" giving the column types (String, Integer,
** Real: types QGIS 3.22 knows) is written beside it. A CSV text cell that
** starts with = + - @, a tab or a carriage return gets a leading quote
** (formula injection). Nothing may exist at path yet: the file is created
** new, never through a link.
**
** GDAL's driver writes the file through raquette's checked writes, as it
** goes (a 64 KiB buffer): GDAL 3.6's GeoJSON driver ignores write errors,
** so a full disk would otherwise leave a silently truncated file. A failed
** write fails the next rq_writer_add or rq_writer_close (RQ_ERR_IO, "write
** failed (No space left on device); the disk is full..."), and the file is
** removed.
**
** The fields array is copied (names included). Returns NULL with err set
** on failure (RQ_ERR_GDAL, or RQ_ERR_INTERNAL for a bad definition). */
rq_writer *rq_writer_open(const char *path, rq_out_format fmt, const char *layer_name,
                          const rq_field_def *fields, size_t n_fields, rq_out_geom gtype,
                          const char *srs, rq_err *err);

/* Setters fill the current feature; every field starts as null. Calling
** a setter whose type does not match the field's type is a bug (assert). */
/* NULL or "" gives null in GeoJSON and an empty cell in CSV. */
void rq_writer_set_string(rq_writer *w, size_t field, const char *v);
void rq_writer_set_int(rq_writer *w, size_t field, long v);
/* Non-finite values (NAN, infinities) give null / an empty cell. Others are
** rounded half away from zero to the field's decimals, round(v*10^d)/10^d,
** and -0 becomes 0. */
void rq_writer_set_real(rq_writer *w, size_t field, double v);
void rq_writer_set_null(rq_writer *w, size_t field);
/* Sets the geometry of the current feature from ISO WKB in the srs given at
** open (copied). Polygons become MultiPolygons in a polygon layer; Z and M
** are dropped. A type that does not fit the layer is RQ_ERR_INTERNAL, bad
** WKB RQ_ERR_GDAL. */
rq_status rq_writer_set_geometry_wkb(rq_writer *w, const unsigned char *wkb, size_t len,
                                     rq_err *err) RQ_MUST_CHECK;
/* Writes the current feature and starts a fresh one (all fields null, no
** geometry). */
rq_status rq_writer_add(rq_writer *w, rq_err *err) RQ_MUST_CHECK;
/* Number of features added so far. */
size_t rq_writer_count(const rq_writer *w);
/* The setters above as a sink (table.h), for code that fills rows without
** knowing where they go. */
rq_sink rq_writer_sink(rq_writer *w);
/* Finishes the file(s) on disk, synced. Always frees w (NULL is a no-op
** returning RQ_OK). On failure the file at path is removed (its .csvt may
** be missing): write inside an rq_outdir and abort it. */
rq_status rq_writer_close(rq_writer *w, rq_err *err) RQ_MUST_CHECK;
/* Frees w, leaving no file (one begun is removed). NULL is a no-op. */
void rq_writer_abort(rq_writer *w);
/* Ends w after calls that returned rc: closes it when rc is RQ_OK, else
** aborts it and returns rc. A NULL w is an opening that failed, err set:
** its code is returned. */
rq_status rq_writer_finish(rq_writer *w, rq_status rc, rq_err *err) RQ_MUST_CHECK;

/* ---- Multi-layer datasets: GeoPackage, XLSX workbook ------------------ */

/* Several layers in one file: a workbook is written in memory like a
** one-layer file and copied to disk at rq_vout_close; a GeoPackage, the
** largest file at scale, is written in place by SQLite, which checks its
** writes (nothing may exist at path yet). Reals are rounded to their field's
** decimals as in every format, so that all give the same numbers. In a
** GeoPackage text is kept as it is; in a workbook, text cells starting
** like a formula are neutralised as in CSV (a layer is a sheet). */
typedef struct rq_vout rq_vout;
typedef enum { RQ_VOUT_GPKG, RQ_VOUT_XLSX } rq_vout_format;

/* date (YYYY-MM-DD, may be NULL: today) is the date a GeoPackage records
** as its layers' last change: the same inputs and date give the same
** bytes. */
rq_vout *rq_vout_create(const char *path, rq_vout_format fmt, const char *date, rq_err *err);
/* A new layer (or sheet) of v, filled with the rq_writer setters and
** rq_writer_add, ended by rq_writer_close, which leaves v open. options
** (NULL-terminated, may be NULL) are GDAL layer creation options, such as
** "DESCRIPTION=..." or "FID=id". */
rq_writer *rq_vout_layer(rq_vout *v, const char *layer_name, const rq_field_def *fields,
                         size_t n_fields, rq_out_geom gtype, const char *srs,
                         const char *const *options, rq_err *err);
/* Runs one SQL statement on v (a GeoPackage: SQLite's dialect). */
rq_status rq_vout_exec(rq_vout *v, const char *sql, rq_err *err) RQ_MUST_CHECK;
/* Sets metadata items ("KEY=VALUE", NULL-terminated) of a layer (NULL:
** the dataset); a GeoPackage keeps them in gpkg_metadata. */
rq_status rq_vout_set_metadata(rq_vout *v, const char *layer_name, const char *const *kv,
                               rq_err *err) RQ_MUST_CHECK;
/* Finishes v and writes its file to disk (checked, as rq_io_write_file;
** a GeoPackage is written in place as it is filled, then synced). Always
** frees v; NULL is a no-op. */
rq_status rq_vout_close(rq_vout *v, rq_err *err) RQ_MUST_CHECK;
/* Frees v, leaving no file (a GeoPackage begun in place is removed). NULL
** is a no-op. */
void rq_vout_abort(rq_vout *v);

/* ---- The output folder of a run -------------------------------------- */

/* Files are written into a private temporary folder beside the target
** ("<target>.tmp-XXXXXX", same parent, hence same filesystem, mode 0700)
** that replaces the target in one atomic step at commit. A run that fails,
** or is stopped by SIGINT/SIGTERM, leaves the previous outputs untouched
** and no temporary folder; SIGKILL leaves one, which the next run on the
** same output folder removes. See src/io/outdir.c for the whole model. */
typedef struct rq_outdir rq_outdir;

/* The file marking a folder as raquette's output: only such a folder, an
** empty one or a missing one is ever replaced. */
#define RQ_OUTDIR_MARKER ".raquette"

/* Opens the output folder target for a run, before anything is computed:
** creates its parent folders (mkdir -p); takes the lock
** "<parent>/.<name>.lock" (a second run on the same folder fails at once,
** RQ_ERR_IO naming the process that holds it); refuses a target that is
** not ours (a folder holding other files, a file, a symbolic link:
** RQ_ERR_USAGE, with what to do); removes the temporary and old folders
** that killed runs left beside it; makes the private temporary folder.
** Other errors are RQ_ERR_IO naming the folder at fault. */
rq_outdir *rq_outdir_open(const char *target_dir, rq_err *err);
/* The temporary folder where files are to be written (borrowed; NULL once
** committed). */
const char *rq_outdir_path(const rq_outdir *o);
/* The output folder as given (borrowed). */
const char *rq_outdir_target(const rq_outdir *o);
/* Newly allocated path of name inside the temporary folder (free()). */
char *rq_outdir_file(const rq_outdir *o, const char *name);
/* Writes the marker file (marker_text), gives the folder the permissions
** of a new folder (0777 minus the umask), and swaps it with the target in
** one atomic step (renameat2 RENAME_EXCHANGE; two renames on filesystems
** without it); then removes the previous outputs. On failure the target is
** as it was and close removes the temporary folder. The lock is kept until
** close. */
rq_status rq_outdir_commit(rq_outdir *o, const char *marker_text, rq_err *err) RQ_MUST_CHECK;
/* Removes the temporary folder when not committed, releases the lock and
** frees o. NULL is a no-op. */
void rq_outdir_close(rq_outdir *o);

/* Writes len bytes to path, a new file (O_CREAT|O_EXCL|O_NOFOLLOW, mode
** 0666 minus umask): an existing file or a symbolic link at path is an
** error, never followed or overwritten. Every write is checked, then fsync
** and close. Errors are RQ_ERR_IO naming the file; a full disk says so. On
** failure the partial file is removed. */
rq_status rq_io_write_file(const char *path, const void *data, size_t len,
                           rq_err *err) RQ_MUST_CHECK;

/* ---- JSON documents (run.json) ---------------------------------------- */

/* A JSON value (a json-c object underneath). Output is deterministic:
** 2-space indentation, "key": value, keys in insertion order (setting an
** existing key replaces its value in place), "/" not escaped, non-ASCII
** UTF-8 written as is, empty containers as {} and [], doubles with a fixed
** number of decimals (non-finite -> null), and a final newline. */
typedef struct rq_json rq_json;

rq_json *rq_json_object(void);
/* Frees a value created by rq_json_object with everything in
** it. Children obtained from the _object/_array adders below belong to
** their parent and must not be freed. NULL is a no-op. */
void rq_json_free(rq_json *j);

/* Object members. v == NULL gives null. */
void rq_json_set_string(rq_json *obj, const char *key, const char *v);
void rq_json_set_int(rq_json *obj, const char *key, long long v);
void rq_json_set_double(rq_json *obj, const char *key, double v, int decimals);
void rq_json_set_bool(rq_json *obj, const char *key, int v);
void rq_json_set_null(rq_json *obj, const char *key);
/* New empty object / array stored under key; borrowed, owned by obj. */
rq_json *rq_json_set_object(rq_json *obj, const char *key);
rq_json *rq_json_set_array(rq_json *obj, const char *key);

/* Array elements, appended at the end. */
void rq_json_append_string(rq_json *arr, const char *v);
void rq_json_append_int(rq_json *arr, long long v);
void rq_json_append_double(rq_json *arr, double v, int decimals);
rq_json *rq_json_append_object(rq_json *arr);
rq_json *rq_json_append_array(rq_json *arr);

/* The document as text (newly allocated, free()). */
char *rq_json_to_string(const rq_json *j);
/* Writes the document to path with rq_io_write_file (same errors). The
** file is atomic as part of an rq_outdir, not on its own. */
rq_status rq_io_write_json(const char *path, const rq_json *root, rq_err *err) RQ_MUST_CHECK;

/* Reading a document raquette wrote (run.json, the history's JSON texts).
** rq_json_parse returns NULL for text that is not JSON; free the result
** with rq_json_free. The getters take NULL and return NULL (or NAN) for a
** missing key or a value of another type, so that chains need no checks. */
rq_json *rq_json_parse(const char *text);
const rq_json *rq_json_get(const rq_json *obj, const char *key);
const char *rq_json_str(const rq_json *v);
double rq_json_num(const rq_json *v);
/* 1 for the boolean true, else 0. */
int rq_json_true(const rq_json *v);
size_t rq_json_len(const rq_json *arr);
const rq_json *rq_json_at(const rq_json *arr, size_t i);
/* Calls fn for every member of obj, in order. */
void rq_json_each(const rq_json *obj, void (*fn)(const char *key, const rq_json *v, void *ud),
                  void *ud);

#endif /* RQ_WRITER_H */
