/* io.h - reading vector and tabular inputs through GDAL/OGR: the only
** module (with io/writer.c, writer_vout.c) that includes gdal.h and ogr_api.h.
**
** Any source GDAL opens works (GeoJSON, GeoPackage, Shapefile, CSV,
** SpatiaLite...). A reader streams the features of one layer to a callback
** as plain strings and an optional WKB geometry, so the loaders never see a
** GDAL type. CSV goes through GDAL's CSV driver with every column kept as
** text: commune codes keep their leading zeros.
*/
#ifndef RQ_IO_H
#define RQ_IO_H

#include "raquette/config.h"
#include "raquette/core.h"

/* Registers GDAL drivers and routes GDAL messages to rq_log. Call once. */
void rq_io_init(void);
/* Releases GDAL's global state (for leak-free exits). */
void rq_io_cleanup(void);

/* One feature handed to a row callback. Everything is borrowed for the
** duration of the call. */
typedef struct rq_row {
    size_t index;         /* 1-based position of the feature in the layer */
    const char *where;    /* "line 12" for CSV, "feature 12" otherwise */
    const char *const *v; /* the requested fields, "" when null or unset */
    const unsigned char *wkb; /* geometry (ISO WKB), NULL when none or not requested */
    size_t wkb_len;
    /* With spec->keep_bad_rows: the problems of a row whose values could not
    ** be read (text not UTF-8, a value too long), which the callback must
    ** report; NULL for a sound row. */
    const rq_diag *problems;
} rq_row;

/* Called once per feature. Input problems go into diag (reported all at
** once by the caller); a non-RQ_OK return stops the reading. */
typedef rq_status (*rq_row_fn)(const rq_row *row, void *ud, rq_diag *diag);

/* A reading request. field_keys[i] names the configuration key that maps
** field_names[i], for messages ("[cog] population"). optional[i] = 1 lets
** a field be absent from the layer (its value is then ""). */
typedef struct rq_read_spec {
    const char *section;       /* configuration section, e.g. "cog" */
    const rq_input *input;     /* path and layer */
    const char *const *field_names;
    const char *const *field_keys;
    const unsigned char *optional;
    size_t n_fields;
    int want_geometry;
    /* 0: a row whose values cannot be read (text not UTF-8, a value longer
    ** than RQ_MAX_FIELD_BYTES) goes into diag and not to the callback. 1:
    ** it goes to the callback with row->problems, for a loader that may
    ** skip faulty rows. */
    int keep_bad_rows;
} rq_read_spec;

/* What a reading found out about the layer. */
typedef struct rq_read_info {
    size_t n_features;
    char *srs;     /* layer CRS as WKT (newly allocated), NULL when none */
    char *driver;  /* GDAL driver short name */
} rq_read_info;

/* Reads every feature of the layer. Errors name the file, the setting to fix
** and what was expected: missing file, unknown layer, missing field, text
** that is not UTF-8. The caller frees info with rq_read_info_fini. */
rq_status rq_io_read(const rq_read_spec *spec, rq_row_fn fn, void *ud, rq_diag *diag,
                     rq_read_info *info, rq_err *err) RQ_MUST_CHECK;
void rq_read_info_fini(rq_read_info *info);

/* rq_io_read for the loaders of tables, which report every problem at
** once: reads every feature through fn; when the reading went well, calls
** check (may be NULL) to add the problems found across rows (repeated
** codes...); then turns the problems into one RQ_ERR_INPUT naming the
** file. */
typedef void (*rq_check_fn)(void *ud, rq_diag *diag);
rq_status rq_io_load(const rq_read_spec *spec, rq_row_fn fn, rq_check_fn check, void *ud,
                     rq_err *err) RQ_MUST_CHECK;

/* SHA-256 of a file as 64 hex digits plus NUL; 0 on failure. */
int rq_io_sha256_file(const char *path, char out[65]);
/* The whole text of a small file (at most max bytes), newly allocated;
** NULL with err set (RQ_ERR_IO) when it cannot be read or is larger. */
char *rq_io_read_text(const char *path, size_t max, rq_err *err);

#endif
