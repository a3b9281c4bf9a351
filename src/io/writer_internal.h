/* writer_internal.h - what the three files of the layer writer share:
** writer.c (one-layer GeoJSON and CSV files: layers, fields, value
** formatting, the .csvt), writer_vout.c (the dataset behind an output
** file, and the multi-layer datasets, GeoPackage and XLSX, built on it) and
** writer_vsi.c (the files GDAL streams through raquette's checked
** writes). Internal to src/io/: the public API is raquette/writer.h.
**
** A layer of a multi-layer dataset is an rq_writer like a one-layer file,
** filled by the same setters: hence rq_vout_layer needs the writer's
** internals (rq_writer_check_fields, rq_writer_open_layer, rq_writer_free),
** and a one-layer file needs the dataset behind it (rq_outds_*). Only the
** functions, which the linker sees, carry the rq_ prefix; the types below
** are seen by src/io/ alone. Like every file of src/io/, this one may
** include GDAL headers; it must not be included outside src/io/.
*/
#ifndef RQ_IO_WRITER_INTERNAL_H
#define RQ_IO_WRITER_INTERNAL_H

#include "raquette/crs.h"
#include "raquette/writer.h"

#include <gdal.h>
#include <ogr_api.h>
#include <stddef.h>

/* A file that GDAL's GeoJSON or CSV driver writes through raquette's
** checked writes (writer_vsi.c). */
typedef struct rq_vsifile rq_vsifile;

/* The dataset behind an output file, in one of three places:
**  - streamed (GeoJSON, CSV): GDAL opens rq_vsifile_name(vf), which writes
**    `path` through checked writes; finish reads what failed;
**  - in place (a GeoPackage): GDAL's SQLite writes `path` itself, and
**    finish makes it durable;
**  - in memory (the XLSX workbook, whose driver seeks back into its zip):
**    GDAL writes a private /vsimem/ folder, copied beside `path` at finish.
** In the first two, a file not finished is removed. */
typedef struct outds {
    char *path;     /* final file on disk */
    rq_vsifile *vf; /* streamed, else NULL */
    int in_place;   /* path is being written by SQLite: remove it if not finished */
    char *mem_dir;  /* in memory: the private /vsimem/ folder, else NULL */
    GDALDatasetH ds;
    int in_txn;
    size_t pending; /* features since the last commit */
} outds;

struct rq_writer {
    outds *own;        /* the one-layer file it writes, NULL in an rq_vout */
    rq_vout *vout;     /* the dataset it is a layer of, or NULL */
    const char *path;  /* for messages: own->path or the vout's */
    rq_out_format fmt; /* of a one-layer file */
    rq_out_geom gtype;
    rq_field_type *types;
    double *scale; /* 10^decimals, real fields only */
    int *decimals;
    size_t n_fields;
    OGRLayerH lyr;    /* borrowed from the dataset */
    OGRFeatureH feat; /* the feature being filled */
    size_t count;
    char *csvt; /* the .csvt line of a CSV */
    /* A GeoJSON file: its CRS to WGS 84 lon/lat (writer_lonlat.c), and
    ** room for the x then the y of a ring's points. */
    rq_xform *to_lonlat;
    double *ll;
    size_t ll_cap;
};

struct rq_vout {
    outds m;
    rq_vout_format fmt;
};

/* ---- writer.c ------------------------------------------------------------ */

/* Sets err to RQ_ERR_GDAL "<path>: <what> (<GDAL's last message>)" and
** returns RQ_ERR_GDAL; or, when SQLite could not write path (a GeoPackage
** written in place), to RQ_ERR_IO "<path>: <what>: write failed (<why>);
** <what to do> (GDAL: <message>)", as rq_io_write_file's errors. */
rq_status rq_writer_gdal_error(rq_err *err, const char *path, const char *what) RQ_MUST_CHECK;
/* Checks a field list before anything is created: names present and
** distinct, decimals of reals within 0..15. path is for messages. */
rq_status rq_writer_check_fields(const char *path, const rq_field_def *fields, size_t n_fields,
                                 rq_err *err) RQ_MUST_CHECK;
/* Creates the layer of w in ds (borrowed) with its fields, and its first
** feature. w must already have its vout or fmt, path, gtype and n_fields
** set. options: extra layer creation options, NULL-terminated, may be NULL.
** On failure w holds what was made so far: free it with rq_writer_free. */
rq_status rq_writer_open_layer(rq_writer *w, GDALDatasetH ds, const char *layer_name,
                               const rq_field_def *fields, const char *srs,
                               const char *const *options, rq_err *err) RQ_MUST_CHECK;
/* Frees w and all it owns; its own one-layer file, if any, is dropped
** without writing anything to disk. A layer of an rq_vout leaves v as is. */
void rq_writer_free(rq_writer *w);

/* ---- writer_lonlat.c ----------------------------------------------------- */

/* Makes g (a point, polygon or multipolygon in w's CRS) what RFC 7946
** wants, in place: lon/lat on WGS 84 through w->to_lonlat, rounded to 6
** decimals, outer rings counterclockwise and holes clockwise. */
rq_status rq_writer_lonlat(rq_writer *w, OGRGeometryH g, rq_err *err) RQ_MUST_CHECK;

/* ---- writer_vout.c: the dataset behind a file ---------------------------- */

/* Fills m (caller-owned storage) with a new dataset of the GDAL driver
** `driver`, at path, where nothing may exist yet: streamed for "GeoJSON"
** and "CSV", in place for "GPKG", else in memory. Starts a transaction
** when the driver has them. owner's address names the memory folder, so
** it must be live as long as m. On failure err is set and m
** holds what was made so far: finish it with ok = 0. */
rq_status rq_outds_create(outds *m, const char *path, const char *driver, const void *owner,
                          rq_err *err) RQ_MUST_CHECK;
/* rq_writer_gdal_error for m, unless a write of its streamed file failed
** (the reason a driver failed, or will fail at close): then RQ_ERR_IO
** saying why, as rq_io_write_file's errors. */
rq_status rq_outds_error(const outds *m, rq_err *err, const char *what) RQ_MUST_CHECK;
/* Counts a feature written in m, committing every so many in datasets with
** transactions. */
rq_status rq_outds_feature_added(outds *m, rq_err *err) RQ_MUST_CHECK;
/* Closes the dataset and, when ok, finishes its file on disk (see outds);
** a file not finished is removed. Always frees what m holds. With ok = 0
** it writes nothing and returns RQ_OK (err may be NULL), hence no
** RQ_MUST_CHECK: aborts ignore it. */
rq_status rq_outds_finish(outds *m, int ok, rq_err *err);

/* ---- writer_vsi.c: streamed files ---------------------------------------- */

/* Registers path, a file to be created new, under a name GDAL opens
** (rq_vsifile_name); path is borrowed and must outlive f. */
rq_vsifile *rq_vsifile_create(const char *path);
const char *rq_vsifile_name(const rq_vsifile *f);
/* Once GDAL has closed the file: RQ_OK, or RQ_ERR_IO naming path with the
** first failed write, sync or close (and what to do), or RQ_ERR_GDAL when
** GDAL created no file. */
rq_status rq_vsifile_check(const rq_vsifile *f, rq_err *err) RQ_MUST_CHECK;
/* Whether a write of f has failed so far. */
int rq_vsifile_failed(const rq_vsifile *f);
/* Unregisters and frees f (NULL is a no-op); with remove, also removes
** the file it created. */
void rq_vsifile_destroy(rq_vsifile *f, int remove);

#endif /* RQ_IO_WRITER_INTERNAL_H */
