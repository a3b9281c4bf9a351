/* writer_vout.c - the dataset behind an output file (outds, used by every
** output layer), and the multi-layer datasets built on it: GeoPackage and
** XLSX workbook (rq_vout_*). Their layers are rq_writer layers, made and
** filled by writer.c: this file is about files, writer.c about layers and
** values. What they share is in writer_internal.h.
**
** Where GDAL writes (writer_internal.h lists the three places):
**  - GeoJSON and CSV are streamed to disk through raquette's checked
**    writes (writer_vsi.c says why and how): GDAL's drivers ignore or hide
**    their write errors, and these are the largest text files (1 GB of
**    communes.geojson over France's 1 km cells).
**  - The GeoPackage is written in place: it is the largest file at scale
**    (1.7 GB with 200,000 sites). GDAL opens a GeoPackage on a local path
**    with SQLite's own file layer (not GDAL's VSI layer), which checks
**    every write: a full disk or a file size limit fails the next feature,
**    commit or GDALClose (checked with ulimit -f and a full tmpfs;
**    test_checked_writes). The file is made in the run's private folder
**    (mode 0700, outdir.c) where nothing stood before; SQLite's syncs at every
**    commit are off (OGR_SQLITE_SYNCHRONOUS) and the finished file is
**    synced once.
**  - The workbook is built in memory (/vsimem/) and then written by
**    rq_io_write_file: the XLSX driver writes a zip, seeking back into it,
**    and it is small.
** A file that is not finished is removed.
*/
#include "io/writer_internal.h"

#include "io/filewrite.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Commit every this many features in datasets with transactions (GPKG). */
#define COMMIT_EVERY 100000

static const char *
base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Folder part of path with its trailing slash ("" for a bare name), so that
** folder + name rebuilds a sibling path. */
static char *
dir_prefix(const char *path)
{
    const char *s = strrchr(path, '/');
    size_t n = s ? (size_t)(s - path) + 1 : 0;
    char *d = rq_xmalloc(n + 1);
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

/* ---- The dataset behind a file ------------------------------------------- */

/* GDAL would happily write a workbook to memory: catch a missing folder
** now rather than after the whole dataset has been built, and say it the
** same way for every file. */
static rq_status
check_folder(const char *path, rq_err *err)
{
    if (!path || !*path || !*base_name(path))
        return rq_err_set(err, RQ_ERR_INTERNAL, "output path '%s' is not a file name",
                          path ? path : "(null)");
    char *dir = dir_prefix(path);
    struct stat st;
    int ok = stat(*dir ? dir : ".", &st) == 0 && S_ISDIR(st.st_mode);
    rq_status rc =
        ok ? RQ_OK
           : rq_err_set(err, RQ_ERR_IO, "%s: the folder %s does not exist", path, *dir ? dir : ".");
    free(dir);
    return rc;
}

/* Nothing may stand at path: a new file only, never over a file or
** through a link (the private folder makes this belt and braces). */
static rq_status
check_new(const char *path, rq_err *err)
{
    struct stat st;
    if (lstat(path, &st) == 0 || errno != ENOENT)
        return rq_err_set(err, RQ_ERR_IO,
                          "%s: cannot create the file: something already stands there; choose "
                          "another output folder",
                          path);
    return RQ_OK;
}

/* Where GDAL creates the dataset (newly allocated), by m's place. */
static char *
gdal_name(outds *m, const char *driver, const void *owner, rq_err *err)
{
    if (strcmp(driver, "GPKG") == 0) {
        m->in_place = 1;
        return rq_xstrdup(m->path);
    }
    if (strcmp(driver, "GeoJSON") == 0 || strcmp(driver, "CSV") == 0) {
        m->vf = rq_vsifile_create(m->path);
        return rq_xstrdup(rq_vsifile_name(m->vf));
    }
    /* The owner's address makes the folder unique among live datasets. */
    m->mem_dir = rq_xasprintf("/vsimem/raquette-%p", owner);
    /* The CSV driver checks that the folder of a new file exists, and a
    ** /vsimem/ folder exists only once made. */
    if (VSIMkdir(m->mem_dir, 0777) != 0) {
        rq_err_set(err, RQ_ERR_GDAL, "%s: cannot create %s", m->path, m->mem_dir);
        return NULL;
    }
    return rq_xasprintf("%s/%s", m->mem_dir, base_name(m->path));
}

rq_status
rq_outds_create(outds *m, const char *path, const char *driver, const void *owner, rq_err *err)
{
    memset(m, 0, sizeof *m);
    rq_status rc = check_folder(path, err);
    if (rc == RQ_OK)
        rc = check_new(path, err);
    if (rc != RQ_OK)
        return rc;
    m->path = rq_xstrdup(path);
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv)
        return rq_err_set(err, RQ_ERR_GDAL, "%s: the GDAL %s driver is not available", path,
                          driver);
    char *name = gdal_name(m, driver, owner, err);
    if (!name)
        return rq_err_code(err);
    /* In place, synced once finished (rq_io_sync_file): a sync at every
    ** commit would only wait for the disk. Thread-local: other products
    ** are written meanwhile. */
    if (m->in_place)
        CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
    CPLErrorReset();
    m->ds = GDALCreate(drv, name, 0, 0, 0, GDT_Unknown, NULL);
    if (m->in_place)
        CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", NULL);
    free(name);
    if (!m->ds)
        return rq_outds_error(m, err, "GDAL cannot create the file");
    if (GDALDatasetTestCapability(m->ds, ODsCTransactions)) {
        if (GDALDatasetStartTransaction(m->ds, FALSE) != OGRERR_NONE)
            return rq_outds_error(m, err, "cannot start a transaction");
        m->in_txn = 1;
    }
    return RQ_OK;
}

rq_status
rq_outds_error(const outds *m, rq_err *err, const char *what)
{
    if (m->vf && rq_vsifile_failed(m->vf))
        return rq_vsifile_check(m->vf, err);
    return rq_writer_gdal_error(err, m->path, what);
}

/* Commits in batches (style.md §3.12): one transaction of millions of rows
** would hold them all in SQLite's journal. */
rq_status
rq_outds_feature_added(outds *m, rq_err *err)
{
    if (!m->in_txn || ++m->pending < COMMIT_EVERY)
        return RQ_OK;
    m->pending = 0;
    m->in_txn = 0;
    if (GDALDatasetCommitTransaction(m->ds) != OGRERR_NONE)
        return rq_outds_error(m, err, "cannot commit the transaction");
    if (GDALDatasetStartTransaction(m->ds, FALSE) != OGRERR_NONE)
        return rq_outds_error(m, err, "cannot start a transaction");
    m->in_txn = 1;
    return RQ_OK;
}

/* Copies every file GDAL made in the memory folder beside m->path. */
static rq_status
flush_to_disk(const outds *m, rq_err *err)
{
    rq_status rc = RQ_OK;
    char *dir = dir_prefix(m->path);
    char **names = VSIReadDir(m->mem_dir);
    int n = CSLCount(names), found = 0;
    /* A fixed order keeps the sequence of writes the same on every run. */
    if (n > 1)
        qsort(names, (size_t)n, sizeof *names, rq_cmp_strp);
    for (int i = 0; i < n && rc == RQ_OK; i++) {
        if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0)
            continue;
        char *src = rq_xasprintf("%s/%s", m->mem_dir, names[i]);
        char *dst = rq_xasprintf("%s%s", dir, names[i]);
        vsi_l_offset len = 0;
        GByte *buf = VSIGetMemFileBuffer(src, &len, FALSE);
        if (!buf && len != 0)
            rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: lost the file GDAL wrote in memory", dst);
        else if (len > SIZE_MAX)
            rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: file too large", dst);
        else
            rc = rq_io_write_file(dst, buf ? (const void *)buf : "", (size_t)len, err);
        found += strcmp(names[i], base_name(m->path)) == 0;
        free(src);
        free(dst);
    }
    if (rc == RQ_OK && !found)
        rc = rq_err_set(err, RQ_ERR_GDAL, "%s: GDAL wrote no file", m->path);
    CSLDestroy(names);
    free(dir);
    return rc;
}

/* Removes what SQLite made at path: the file and its journals, all ours
** (rq_outds_create checked that nothing stood there). */
static void
remove_in_place(const char *path)
{
    static const char *const sidecars[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++) {
        char *p = rq_xasprintf("%s%s", path, sidecars[i]);
        (void)unlink(p);
        free(p);
    }
}

/* Once GDAL has closed m's dataset: makes the file complete and durable
** on disk, by its place. */
static rq_status
finish_file(const outds *m, rq_err *err)
{
    if (m->vf)
        return rq_vsifile_check(m->vf, err);
    if (m->in_place)
        return rq_io_sync_file(m->path, err);
    return flush_to_disk(m, err);
}

/* Closes the dataset and, when ok, finishes its file on disk; a file not
** finished is removed. Always frees what m holds. */
rq_status
rq_outds_finish(outds *m, int ok, rq_err *err)
{
    rq_status rc = RQ_OK;
    if (m->ds && m->in_txn) {
        m->in_txn = 0;
        CPLErrorReset();
        if (!ok)
            (void)GDALDatasetRollbackTransaction(m->ds);
        else if (GDALDatasetCommitTransaction(m->ds) != OGRERR_NONE)
            rc = rq_outds_error(m, err, "cannot commit the transaction");
    }
    if (m->ds) {
        /* GDALClose returns void in 3.6 and drivers write at close: a
        ** failure shows only in the error state (style.md §3.7). */
        CPLErrorReset();
        GDALClose(m->ds);
        m->ds = NULL;
        if (ok && rc == RQ_OK && CPLGetLastErrorType() >= CE_Failure)
            rc = rq_outds_error(m, err, "GDAL failed to finish the file");
    }
    if (ok && rc == RQ_OK)
        rc = finish_file(m, err);
    int keep = ok && rc == RQ_OK;
    if (m->in_place && !keep)
        remove_in_place(m->path);
    rq_vsifile_destroy(m->vf, !keep);
    if (m->mem_dir)
        VSIRmdirRecursive(m->mem_dir);
    free(m->mem_dir);
    free(m->path);
    memset(m, 0, sizeof *m);
    /* Do not leave a warning (e.g. no CRS on a table) as the error state. */
    CPLErrorReset();
    return ok ? rc : RQ_OK;
}

/* ---- Multi-layer datasets -------------------------------------------------- */

rq_vout *
rq_vout_create(const char *path, rq_vout_format fmt, const char *date, rq_err *err)
{
    rq_vout *v = rq_xcalloc(1, sizeof *v);
    v->fmt = fmt;
    /* The GeoPackage driver stamps gpkg_contents.last_change with the
    ** current time unless OGR_CURRENT_DATE says otherwise; thread-local:
    ** other products write meanwhile. */
    if (date) {
        char stamp[40];
        snprintf(stamp, sizeof stamp, "%.10sT00:00:00Z", date);
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", stamp);
    }
    if (rq_outds_create(&v->m, path, fmt == RQ_VOUT_GPKG ? "GPKG" : "XLSX", v, err) != RQ_OK) {
        rq_vout_abort(v);
        return NULL;
    }
    return v;
}

rq_writer *
rq_vout_layer(rq_vout *v, const char *layer_name, const rq_field_def *fields, size_t n_fields,
              rq_out_geom gtype, const char *srs, const char *const *options, rq_err *err)
{
    if (rq_writer_check_fields(v->m.path, fields, n_fields, err) != RQ_OK)
        return NULL;
    rq_writer *w = rq_xcalloc(1, sizeof *w);
    w->vout = v;
    w->path = v->m.path;
    w->gtype = gtype;
    w->n_fields = n_fields;
    if (rq_writer_open_layer(w, v->m.ds, layer_name, fields, srs, options, err) != RQ_OK) {
        rq_writer_free(w);
        return NULL;
    }
    return w;
}

rq_status
rq_vout_exec(rq_vout *v, const char *sql, rq_err *err)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(v->m.ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(v->m.ds, r);
    if (CPLGetLastErrorType() >= CE_Failure)
        return rq_writer_gdal_error(err, v->m.path, "SQL failed");
    return RQ_OK;
}

rq_status
rq_vout_set_metadata(rq_vout *v, const char *layer_name, const char *const *kv, rq_err *err)
{
    GDALMajorObjectH obj = layer_name ? GDALDatasetGetLayerByName(v->m.ds, layer_name) : v->m.ds;
    if (!obj)
        return rq_err_set(err, RQ_ERR_INTERNAL, "%s: no layer %s", v->m.path, layer_name);
    CPLErrorReset();
    if (GDALSetMetadata(obj, (char **)(uintptr_t)kv, NULL) != CE_None)
        return rq_writer_gdal_error(err, v->m.path, "cannot write the metadata");
    return RQ_OK;
}

rq_status
rq_vout_close(rq_vout *v, rq_err *err)
{
    if (!v)
        return RQ_OK;
    rq_status rc = rq_outds_finish(&v->m, 1, err);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    free(v);
    return rc;
}

void
rq_vout_abort(rq_vout *v)
{
    if (!v)
        return;
    (void)rq_outds_finish(&v->m, 0, NULL);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    free(v);
}
