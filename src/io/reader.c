/* reader.c - streams the features of one OGR layer to a callback.
**
** Why a callback rather than a table: the loaders keep only what they need
** (the commune table has 37,000 rows of which a few thousand matter), and
** the GDAL feature is released before the next one is read.
*/
#include "raquette/io.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_multiproc.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void CPL_STDCALL
gdal_to_log(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    /* Failures are reported by the caller with its own context, from
    ** CPLGetLastErrorMsg(); only debug output goes straight to the log. */
    if (cls == CE_Debug)
        rq_log(RQ_LOG_DEBUG, "GDAL: %s", msg);
    else if (cls == CE_Warning)
        rq_log(RQ_LOG_DEBUG, "GDAL warning: %s", msg);
}

void
rq_io_init(void)
{
    GDALAllRegister();
    CPLSetErrorHandler(gdal_to_log);
    /* GDAL 3.6 builds a GeoPackage layer's R-tree on a background thread
    ** in a temporary attached database; with 200,000 features its DETACH
    ** failed ("database ... is locked") and the run with it. The R-tree is
    ** then built in the main connection: the same index, a little slower. */
    CPLSetConfigOption("OGR_GPKG_ALLOW_THREADED_RTREE", "NO");
}

void
rq_io_cleanup(void)
{
    GDALDestroyDriverManager();
    OSRCleanup();
    CPLCleanupTLS();
}

void
rq_read_info_fini(rq_read_info *info)
{
    if (!info)
        return;
    CPLFree(info->srs);
    free(info->driver);
    info->srs = NULL;
    info->driver = NULL;
}

/* Lists the layer's fields for a "no such field" message. */
static void
list_fields(OGRFeatureDefnH defn, char *buf, size_t sz)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < OGR_FD_GetFieldCount(defn) && len + 4 < sz; i++) {
        const char *n = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        int w = snprintf(buf + len, sz - len, "%s%s", i ? ", " : "", n);
        if (w < 0 || (size_t)w >= sz - len)
            break;
        len += (size_t)w;
    }
}

static GDALDatasetH
open_vector(const rq_read_spec *spec, rq_err *err)
{
    const char *path = spec->input->path;
    struct stat st;
    if (!path)
        return rq_err_set(err, RQ_ERR_INPUT, "[%s] path is not set", spec->section), NULL;
    if (stat(path, &st) != 0)
        return rq_err_set(err, RQ_ERR_INPUT, "%s: file not found (set [%s] path)", path,
                          spec->section),
               NULL;
    /* A FIFO or a device would block or never end; a folder is not a table. */
    if (!S_ISREG(st.st_mode))
        return rq_err_set(err, RQ_ERR_INPUT, "%s: %s; expected a regular file (set [%s] path)",
                          path,
                          S_ISDIR(st.st_mode)    ? "a folder"
                          : S_ISFIFO(st.st_mode) ? "a named pipe (FIFO)"
                                                 : "a device or special file",
                          spec->section),
               NULL;
    if (st.st_size == 0)
        return rq_err_set(err, RQ_ERR_INPUT, "%s: the file is empty (set [%s] path)", path,
                          spec->section),
               NULL;
    /* Keep CSV columns as text: codes such as 01001 must not become numbers. */
    const char *const opts[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=NO", NULL};
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, opts, NULL);
    if (!ds) {
        const char *m = CPLGetLastErrorMsg();
        rq_err_set(err, RQ_ERR_INPUT,
                   "%s: GDAL cannot open it as a vector layer (%s); expected a format GDAL "
                   "reads (GeoJSON, GeoPackage, Shapefile, CSV...) for [%s] path",
                   path, m && *m ? m : "unrecognised format", spec->section);
    }
    return ds;
}

static OGRLayerH
pick_layer(GDALDatasetH ds, const rq_read_spec *spec, rq_err *err)
{
    const char *name = spec->input->layer;
    OGRLayerH lyr = name ? GDALDatasetGetLayerByName(ds, name) : GDALDatasetGetLayer(ds, 0);
    if (!lyr) {
        if (name)
            rq_err_set(err, RQ_ERR_INPUT, "%s: no layer named '%s' (set [%s] layer)",
                       spec->input->path, name, spec->section);
        else
            rq_err_set(err, RQ_ERR_INPUT, "%s: the file holds no layer", spec->input->path);
    }
    return lyr;
}

/* Maps each requested field to its index in the layer; -1 when optional
** and absent. Every missing required field is reported. */
static rq_status
map_fields(OGRLayerH lyr, const rq_read_spec *spec, int *idx, rq_diag *diag)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    rq_status rc = RQ_OK;
    for (size_t i = 0; i < spec->n_fields; i++) {
        idx[i] = OGR_FD_GetFieldIndex(defn, spec->field_names[i]);
        if (idx[i] < 0 && !(spec->optional && spec->optional[i])) {
            char avail[512];
            list_fields(defn, avail, sizeof avail);
            rq_diag_add(diag,
                        "%s: no field '%s' (set [%s] %s to the name of the column); the "
                        "fields are: %s",
                        spec->input->path, spec->field_names[i], spec->section,
                        spec->field_keys[i], avail);
            rc = RQ_ERR_INPUT;
        }
    }
    return rc;
}

rq_status
rq_io_read(const rq_read_spec *spec, rq_row_fn fn, void *ud, rq_diag *diag, rq_read_info *info,
           rq_err *err)
{
    rq_status rc = RQ_OK;
    GDALDatasetH ds = NULL;
    OGRFeatureH feat = NULL;
    int *idx = rq_xcalloc(spec->n_fields ? spec->n_fields : 1, sizeof *idx);
    const char **vals = rq_xcalloc(spec->n_fields ? spec->n_fields : 1, sizeof *vals);
    char **copies = rq_xcalloc(spec->n_fields ? spec->n_fields : 1, sizeof *copies);
    unsigned char *wkb = NULL;
    size_t wkb_cap = 0;
    rq_diag row_problems;
    rq_diag_init(&row_problems);
    memset(info, 0, sizeof *info);

    if (!(ds = open_vector(spec, err))) {
        rc = rq_err_code(err);
        goto cleanup;
    }
    OGRLayerH lyr = pick_layer(ds, spec, err);
    if (!lyr) {
        rc = rq_err_code(err);
        goto cleanup;
    }
    info->driver = rq_xstrdup(GDALGetDriverShortName(GDALGetDatasetDriver(ds)));
    int is_csv = strcmp(info->driver, "CSV") == 0;
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (srs && OSRExportToWkt(srs, &info->srs) != OGRERR_NONE) {
        CPLFree(info->srs);
        info->srs = NULL;
    }
    if (map_fields(lyr, spec, idx, diag) != RQ_OK) {
        rc = rq_diag_to_err(diag, spec->input->path, err);
        goto cleanup;
    }

    OGR_L_ResetReading(lyr);
    size_t n = 0;
    while ((feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        char where[48];
        n++;
        /* CSV: line 1 is the header, so data row n sits on line n+1. */
        snprintf(where, sizeof where, is_csv ? "line %zu" : "feature %zu", is_csv ? n + 1 : n);
        rq_diag *into = spec->keep_bad_rows ? &row_problems : diag;
        int bad_text = 0;
        for (size_t i = 0; i < spec->n_fields; i++) {
            /* GetFieldAsString may return a buffer that the next call on a
            ** non-string field frees: keep our own copy of every value. */
            free(copies[i]);
            copies[i] = rq_xstrdup(idx[i] >= 0 && OGR_F_IsFieldSetAndNotNull(feat, idx[i])
                                       ? OGR_F_GetFieldAsString(feat, idx[i])
                                       : "");
            vals[i] = copies[i];
            size_t len = strlen(vals[i]);
            if (len > RQ_MAX_FIELD_BYTES) {
                rq_diag_add(into, "%s: %s, field '%s': a value of %zu bytes; expected at most %d",
                            spec->input->path, where, spec->field_names[i], len,
                            RQ_MAX_FIELD_BYTES);
                bad_text = 1;
            } else if (!CPLIsUTF8(vals[i], -1)) {
                rq_diag_add(into,
                            "%s: %s, field '%s': the text is not valid UTF-8; expected a file "
                            "saved as UTF-8",
                            spec->input->path, where, spec->field_names[i]);
                bad_text = 1;
            }
        }
        rq_row row = {n, where, vals, NULL, 0, bad_text ? &row_problems : NULL};
        OGRGeometryH geom = spec->want_geometry ? OGR_F_GetGeometryRef(feat) : NULL;
        if (geom) {
            size_t len = OGR_G_WkbSizeEx(geom); /* not WkbSize: an int, negative past 2 GiB */
            rq_grow((void **)&wkb, &wkb_cap, len, 1);
            if (OGR_G_ExportToIsoWkb(geom, wkbNDR, wkb) != OGRERR_NONE) {
                rq_diag_add(into, "%s: %s: the geometry cannot be converted",
                            spec->input->path, where);
                bad_text = 1;
            }
            row.wkb = wkb;
            row.wkb_len = len;
        }
        if ((!bad_text || spec->keep_bad_rows) && (rc = fn(&row, ud, diag)) != RQ_OK) {
            if (err && err->code == RQ_OK)
                rq_err_set(err, rc, "%s: %s: reading stopped", spec->input->path, where);
            goto cleanup;
        }
        rq_diag_fini(&row_problems);
        OGR_F_Destroy(feat);
        feat = NULL;
    }
    /* GDAL signals a truncated or corrupt file by an error after the last
    ** feature it could read. */
    if (CPLGetLastErrorType() == CE_Failure) {
        rq_diag_add(diag, "%s: reading failed after %zu features: %s", spec->input->path, n,
                    CPLGetLastErrorMsg());
    }
    info->n_features = n;

cleanup:
    rq_diag_fini(&row_problems);
    if (feat)
        OGR_F_Destroy(feat);
    if (ds)
        GDALClose(ds);
    free(wkb);
    for (size_t i = 0; i < spec->n_fields; i++)
        free(copies[i]);
    free(copies);
    free(vals);
    free(idx);
    return rc;
}

rq_status
rq_io_load(const rq_read_spec *spec, rq_row_fn fn, rq_check_fn check, void *ud, rq_err *err)
{
    rq_read_info info;
    rq_diag diag;
    rq_diag_init(&diag);
    rq_status rc = rq_io_read(spec, fn, ud, &diag, &info, err);
    rq_read_info_fini(&info);
    if (rc == RQ_OK) {
        if (check)
            check(ud, &diag);
        rc = rq_diag_to_err(&diag, spec->input->path, err);
    }
    rq_diag_fini(&diag);
    return rc;
}

int
rq_io_sha256_file(const char *path, char out[65])
{
    int ok = 0;
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char buf[65536], dig[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    size_t r;
    if (!f || !md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        goto cleanup;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
        if (EVP_DigestUpdate(md, buf, r) != 1)
            goto cleanup;
    if (ferror(f) || EVP_DigestFinal_ex(md, dig, &dlen) != 1)
        goto cleanup;
    for (unsigned i = 0; i < dlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", dig[i]);
    out[64] = '\0';
    ok = 1;
cleanup:
    EVP_MD_CTX_free(md);
    if (f)
        fclose(f);
    return ok;
}

char *
rq_io_read_text(const char *path, size_t max, rq_err *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (!f) {
        rq_err_set(err, RQ_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    text = rq_xmalloc(max + 2);
    len = fread(text, 1, max + 1, f);
    if (ferror(f) || len > max) {
        rq_err_set(err, RQ_ERR_IO, "%s: %s", path,
                   len > max ? "larger than expected" : "cannot read");
        free(text);
        text = NULL;
    } else {
        text[len] = '\0';
    }
    fclose(f);
    return text;
}
