/* writer.c - one-layer GeoJSON and CSV outputs through OGR.
**
** Why GDAL writes into /vsimem/ first: in GDAL 3.6.2 the GeoJSON driver
** ignores the result of its writes (checked: on a full 1 MB tmpfs it
** returns OGRERR_NONE for every feature, reports no error at GDALClose and
** leaves a truncated file), and the CSV driver fails CreateFeature without
** any message. Writing the finished file ourselves with rq_io_write_file
** turns a full disk into a clear error. Outputs are a few tens of MB at
** most (a région's communes), so holding one file in memory is fine.
**
** Number formats (checked on GDAL 3.6.2, restated in docs/outputs.md):
** values are rounded here to the field's decimals. GeoJSON ignores the OGR
** width and precision and prints "%.15g" (SIGNIFICANT_FIGURES=15 below),
** with ".0" added to whole numbers: 0.5, 1.0, 0.1235, 1234567.89. CSV
** prints "%.<d>f" when the field has a width, so every real field gets one
** and the CSV holds exactly d decimals: 0.5000, 1.0000, 0.1235, and
** 1234567.89 for d = 2.
*/
#include "raquette/writer.h"

#include <assert.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Commit every this many features when the driver has transactions (none
** of GeoJSON and CSV do today; kept for GPKG-like drivers, style.md §3.12). */
#define COMMIT_EVERY 100000
/* Width given to real fields: it only switches the CSV driver to "%.<d>f"
** and appears in the .csvt as Real(24.d); values are never padded or cut. */
#define REAL_WIDTH 24
#define MAX_DECIMALS 15

struct rq_writer {
    char *path;    /* final file on disk */
    char *mem_dir; /* private /vsimem/ folder that GDAL writes into */
    rq_out_format fmt;
    rq_out_geom gtype;
    rq_field_type *types;
    double *scale; /* 10^decimals, real fields only */
    size_t n_fields;
    GDALDatasetH ds;
    OGRLayerH lyr;    /* borrowed from ds */
    OGRFeatureH feat; /* the feature being filled */
    int in_txn;
    size_t pending; /* features since the last commit */
    size_t count;
};

static rq_status
gdal_error(rq_err *err, const char *path, const char *what)
{
    const char *m = CPLGetLastErrorMsg();
    return rq_err_set(err, RQ_ERR_GDAL, "%s: %s (%s)", path, what,
                      m && *m ? m : "GDAL gave no detail");
}

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

static int
ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && EQUAL(s + n - m, suffix);
}

static rq_status
check_definition(const char *path, rq_out_format fmt, const rq_field_def *fields, size_t n_fields,
                 rq_out_geom gtype, const char *srs, rq_err *err)
{
    if (!path || !*path || !*base_name(path))
        return rq_err_set(err, RQ_ERR_INTERNAL, "output path '%s' is not a file name",
                          path ? path : "(null)");
    if (fmt == RQ_OUT_CSV && gtype != RQ_OUT_NOGEOM)
        return rq_err_set(err, RQ_ERR_INTERNAL, "%s: CSV outputs carry no geometry", path);
    /* The CSV driver turns a path without .csv into a folder of layers. */
    if (fmt == RQ_OUT_CSV && !ends_with_ci(path, ".csv"))
        return rq_err_set(err, RQ_ERR_INTERNAL, "%s: a CSV output must end in .csv", path);
    if ((gtype == RQ_OUT_NOGEOM) != (srs == NULL))
        return rq_err_set(err, RQ_ERR_INTERNAL,
                          "%s: a CRS must be given exactly when the layer has geometries", path);
    if (n_fields > INT32_MAX)
        return rq_err_set(err, RQ_ERR_INTERNAL, "%s: too many fields", path);
    for (size_t i = 0; i < n_fields; i++) {
        if (!fields[i].name || !*fields[i].name)
            return rq_err_set(err, RQ_ERR_INTERNAL, "%s: field %zu has no name", path, i);
        if (fields[i].type == RQ_FT_REAL &&
            (fields[i].decimals < 0 || fields[i].decimals > MAX_DECIMALS))
            return rq_err_set(err, RQ_ERR_INTERNAL, "%s: field %s: decimals must be 0..%d", path,
                              fields[i].name, MAX_DECIMALS);
        for (size_t j = 0; j < i; j++)
            if (strcmp(fields[i].name, fields[j].name) == 0)
                return rq_err_set(err, RQ_ERR_INTERNAL, "%s: field %s is defined twice", path,
                                  fields[i].name);
    }
    /* GDAL would happily write to memory; catch a missing folder now rather
    ** than after the whole layer has been built. */
    char *dir = dir_prefix(path);
    struct stat st;
    int ok = stat(*dir ? dir : ".", &st) == 0 && S_ISDIR(st.st_mode);
    rq_status rc =
        ok ? RQ_OK
           : rq_err_set(err, RQ_ERR_IO, "%s: the folder %s does not exist", path, *dir ? dir : ".");
    free(dir);
    return rc;
}

/* Starts a fresh feature with every field null: OGR leaves unset fields out
** of GeoJSON properties, and each feature must carry every key. */
static rq_status
new_feature(rq_writer *w, rq_err *err)
{
    w->feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
    if (!w->feat)
        return gdal_error(err, w->path, "cannot create a feature");
    for (size_t i = 0; i < w->n_fields; i++)
        OGR_F_SetFieldNull(w->feat, (int)i);
    return RQ_OK;
}

static rq_status
create_fields(rq_writer *w, const rq_field_def *fields, rq_err *err)
{
    for (size_t i = 0; i < w->n_fields; i++) {
        OGRFieldType t = fields[i].type == RQ_FT_STRING ? OFTString
                         : fields[i].type == RQ_FT_INT  ? OFTInteger64
                                                        : OFTReal;
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, t);
        if (t == OFTReal) {
            OGR_Fld_SetWidth(fd, REAL_WIDTH);
            OGR_Fld_SetPrecision(fd, fields[i].decimals);
        }
        CPLErrorReset();
        /* bApproxOK = FALSE: a driver must not rename or retype our field. */
        OGRErr e = OGR_L_CreateField(w->lyr, fd, FALSE);
        OGR_Fld_Destroy(fd); /* CreateField copies the definition */
        if (e != OGRERR_NONE) {
            char what[300];
            snprintf(what, sizeof what, "cannot create field %s", fields[i].name);
            return gdal_error(err, w->path, what);
        }
    }
    return RQ_OK;
}

static OGRwkbGeometryType
ogr_geom_type(rq_out_geom g)
{
    return g == RQ_OUT_POINT ? wkbPoint : g == RQ_OUT_POLYGON ? wkbMultiPolygon : wkbNone;
}

/* Frees everything; the caller has already closed or abandoned ds. */
static void
free_writer(rq_writer *w)
{
    if (w->feat)
        OGR_F_Destroy(w->feat);
    if (w->ds) {
        if (w->in_txn)
            (void)GDALDatasetRollbackTransaction(w->ds);
        GDALClose(w->ds);
    }
    if (w->mem_dir)
        VSIRmdirRecursive(w->mem_dir);
    free(w->mem_dir);
    free(w->path);
    free(w->types);
    free(w->scale);
    free(w);
}

rq_writer *
rq_writer_open(const char *path, rq_out_format fmt, const char *layer_name,
               const rq_field_def *fields, size_t n_fields, rq_out_geom gtype, const char *srs,
               rq_err *err)
{
    rq_writer *w = NULL;
    OGRSpatialReferenceH hsrs = NULL;
    char **lco = NULL;
    char *mem_path = NULL;
    rq_status rc = check_definition(path, fmt, fields, n_fields, gtype, srs, err);
    if (rc != RQ_OK)
        goto cleanup;

    w = rq_xcalloc(1, sizeof *w);
    w->path = rq_xstrdup(path);
    w->fmt = fmt;
    w->gtype = gtype;
    w->n_fields = n_fields;
    w->types = rq_xcalloc(n_fields ? n_fields : 1, sizeof *w->types);
    w->scale = rq_xcalloc(n_fields ? n_fields : 1, sizeof *w->scale);
    for (size_t i = 0; i < n_fields; i++) {
        w->types[i] = fields[i].type;
        w->scale[i] = pow(10.0, fields[i].type == RQ_FT_REAL ? fields[i].decimals : 0);
    }
    /* The writer's address makes the folder unique among live writers. */
    w->mem_dir = rq_xasprintf("/vsimem/raquette-writer-%p", (void *)w);
    mem_path = rq_xasprintf("%s/%s", w->mem_dir, base_name(path));

    GDALDriverH drv = GDALGetDriverByName(fmt == RQ_OUT_GEOJSON ? "GeoJSON" : "CSV");
    if (!drv) {
        rc = rq_err_set(err, RQ_ERR_GDAL, "%s: the GDAL %s driver is not available", path,
                        fmt == RQ_OUT_GEOJSON ? "GeoJSON" : "CSV");
        goto cleanup;
    }
    if (srs) {
        hsrs = OSRNewSpatialReference(NULL);
        CPLErrorReset();
        if (OSRSetFromUserInput(hsrs, srs) != OGRERR_NONE) {
            rc = rq_err_set(err, RQ_ERR_INPUT, "%s: unknown CRS '%s' (%s)", path, srs,
                            CPLGetLastErrorMsg());
            goto cleanup;
        }
        /* GDAL 3 would otherwise take EPSG axis order (style.md §3.1). */
        OSRSetAxisMappingStrategy(hsrs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    if (fmt == RQ_OUT_GEOJSON) {
        /* RFC 7946: lon/lat WGS 84, right-hand rule. 6 decimals of a degree
        ** is about 0.11 m in latitude, below the accuracy of the boundaries. */
        lco = CSLSetNameValue(lco, "RFC7946", "YES");
        lco = CSLSetNameValue(lco, "COORDINATE_PRECISION", "6");
        lco = CSLSetNameValue(lco, "WRITE_BBOX", "NO");
        /* Reals are printed with %.17g by default, so 3968439.5726 comes
        ** out as 3968439.5726000001 (checked: about one 4-decimal value in
        ** eight below 1e7). With 15 significant figures every value rounded
        ** to d decimals below 10^(15-d) prints as its short decimal (checked
        ** on 300,000 random values per d). Coordinates keep
        ** COORDINATE_PRECISION. */
        lco = CSLSetNameValue(lco, "SIGNIFICANT_FIGURES", "15");
        /* With the default WRAPDATELINE=YES, 3.6.2 turns a one-part
        ** MultiPolygon back into a Polygon while reprojecting (checked);
        ** our areas are far from the antimeridian, so nothing is lost. */
        lco = CSLSetNameValue(lco, "WRAPDATELINE", "NO");
    } else {
        /* IF_NEEDED quotes only cells with a separator, quote or newline, so
        ** that "01001" stays 01001; the .csvt tells QGIS it is a String. */
        lco = CSLSetNameValue(lco, "SEPARATOR", "COMMA");
        lco = CSLSetNameValue(lco, "LINEFORMAT", "LF");
        lco = CSLSetNameValue(lco, "STRING_QUOTING", "IF_NEEDED");
        lco = CSLSetNameValue(lco, "CREATE_CSVT", "YES");
        lco = CSLSetNameValue(lco, "WRITE_BOM", "NO");
    }

    /* The CSV driver checks that the folder of a new file exists, and a
    ** /vsimem/ folder exists only once made. */
    if (VSIMkdir(w->mem_dir, 0777) != 0) {
        rc = rq_err_set(err, RQ_ERR_GDAL, "%s: cannot create %s", path, w->mem_dir);
        goto cleanup;
    }
    CPLErrorReset();
    w->ds = GDALCreate(drv, mem_path, 0, 0, 0, GDT_Unknown, NULL);
    if (!w->ds) {
        rc = gdal_error(err, path, "GDAL cannot create the file");
        goto cleanup;
    }
    w->lyr = GDALDatasetCreateLayer(w->ds, layer_name ? layer_name : "", hsrs, ogr_geom_type(gtype),
                                    lco);
    if (!w->lyr) {
        rc = gdal_error(err, path, "GDAL cannot create the layer");
        goto cleanup;
    }
    if ((rc = create_fields(w, fields, err)) != RQ_OK)
        goto cleanup;
    if (GDALDatasetTestCapability(w->ds, ODsCTransactions)) {
        if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
            rc = gdal_error(err, path, "cannot start a transaction");
            goto cleanup;
        }
        w->in_txn = 1;
    }
    rc = new_feature(w, err);

cleanup:
    CSLDestroy(lco);
    if (hsrs)
        OSRRelease(hsrs); /* the layer keeps its own reference */
    free(mem_path);
    if (rc != RQ_OK && w) {
        free_writer(w);
        w = NULL;
    }
    return w;
}

/* A spreadsheet runs a cell that starts with one of these as a formula
** (OWASP "CSV injection"): =HYPERLINK("http://...") in a commune's name. */
static int
starts_formula(const char *v)
{
    return strchr("=+-@\t\r", v[0]) != NULL;
}

void
rq_writer_set_string(rq_writer *w, size_t field, const char *v)
{
    assert(field < w->n_fields && w->types[field] == RQ_FT_STRING);
    /* Null and "" are the same empty cell in CSV; GeoJSON gets null. */
    if (!v || !*v) {
        OGR_F_SetFieldNull(w->feat, (int)field);
    } else if (w->fmt == RQ_OUT_CSV && starts_formula(v)) {
        /* Neutralised as OWASP recommends: a leading quote makes it text.
        ** GeoJSON keeps every value verbatim (docs/outputs.md). */
        char *safe = rq_xasprintf("'%s", v);
        OGR_F_SetFieldString(w->feat, (int)field, safe);
        free(safe);
    } else {
        OGR_F_SetFieldString(w->feat, (int)field, v);
    }
}

void
rq_writer_set_int(rq_writer *w, size_t field, long v)
{
    assert(field < w->n_fields && w->types[field] == RQ_FT_INT);
    OGR_F_SetFieldInteger64(w->feat, (int)field, (GIntBig)v);
}

void
rq_writer_set_real(rq_writer *w, size_t field, double v)
{
    assert(field < w->n_fields && w->types[field] == RQ_FT_REAL);
    double s = w->scale[field];
    /* Beyond 2^53 / 10^d a double has no decimals left to round, and v * s
    ** could overflow to infinity: v is then written as it is. */
    double r = isfinite(v) && fabs(v) < 9007199254740992.0 / s ? round(v * s) / s : v;
    if (!isfinite(r)) {
        OGR_F_SetFieldNull(w->feat, (int)field);
        return;
    }
    if (r == 0.0)
        r = 0.0; /* -0 would print as -0.0 / -0.0000 */
    OGR_F_SetFieldDouble(w->feat, (int)field, r);
}

void
rq_writer_set_null(rq_writer *w, size_t field)
{
    assert(field < w->n_fields);
    OGR_F_SetFieldNull(w->feat, (int)field);
}

rq_status
rq_writer_set_geometry_wkb(rq_writer *w, const unsigned char *wkb, size_t len, rq_err *err)
{
    OGRGeometryH g = NULL;
    rq_status rc = RQ_OK;
    if (w->gtype == RQ_OUT_NOGEOM) {
        rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: the layer has no geometry", w->path);
        goto cleanup;
    }
    CPLErrorReset();
    if (OGR_G_CreateFromWkbEx(wkb, NULL, &g, len) != OGRERR_NONE || !g) {
        rc = gdal_error(err, w->path, "invalid WKB geometry");
        goto cleanup;
    }
    OGR_G_FlattenTo2D(g);
    if (w->gtype == RQ_OUT_POLYGON)
        g = OGR_G_ForceToMultiPolygon(g); /* takes g, returns the result */
    OGRwkbGeometryType want = ogr_geom_type(w->gtype);
    if (!g || wkbFlatten(OGR_G_GetGeometryType(g)) != want) {
        rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: a %s geometry cannot go in a %s layer", w->path,
                        g ? OGRGeometryTypeToName(OGR_G_GetGeometryType(g)) : "null",
                        OGRGeometryTypeToName(want));
        goto cleanup;
    }
    /* SetGeometryDirectly owns g from here, even when it fails. */
    OGRErr e = OGR_F_SetGeometryDirectly(w->feat, g);
    g = NULL;
    if (e != OGRERR_NONE)
        rc = gdal_error(err, w->path, "cannot set the geometry");

cleanup:
    if (g)
        OGR_G_DestroyGeometry(g);
    return rc;
}

rq_status
rq_writer_add(rq_writer *w, rq_err *err)
{
    CPLErrorReset();
    if (OGR_L_CreateFeature(w->lyr, w->feat) != OGRERR_NONE) {
        char what[64];
        snprintf(what, sizeof what, "cannot write feature %zu", w->count + 1);
        return gdal_error(err, w->path, what);
    }
    OGR_F_Destroy(w->feat); /* CreateFeature does not take it */
    w->feat = NULL;
    w->count++;
    if (w->in_txn && ++w->pending >= COMMIT_EVERY) {
        w->pending = 0;
        w->in_txn = 0;
        if (GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
            return gdal_error(err, w->path, "cannot commit the transaction");
        if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE)
            return gdal_error(err, w->path, "cannot start a transaction");
        w->in_txn = 1;
    }
    return new_feature(w, err);
}

size_t
rq_writer_count(const rq_writer *w)
{
    return w ? w->count : 0;
}

/* Copies every file GDAL made in the memory folder (the layer file and, for
** CSV, its .csvt) beside w->path. */
static rq_status
flush_to_disk(rq_writer *w, rq_err *err)
{
    rq_status rc = RQ_OK;
    char *dir = dir_prefix(w->path);
    char **names = VSIReadDir(w->mem_dir);
    int n = CSLCount(names), found = 0;
    /* A fixed order keeps the sequence of writes the same on every run. */
    if (n > 1)
        qsort(names, (size_t)n, sizeof *names, rq_cmp_strp);
    for (int i = 0; i < n && rc == RQ_OK; i++) {
        if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0)
            continue;
        char *src = rq_xasprintf("%s/%s", w->mem_dir, names[i]);
        char *dst = rq_xasprintf("%s%s", dir, names[i]);
        vsi_l_offset len = 0;
        GByte *buf = VSIGetMemFileBuffer(src, &len, FALSE);
        if (!buf && len != 0)
            rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: lost the file GDAL wrote in memory", dst);
        else if (len > SIZE_MAX)
            rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: file too large", dst);
        else
            rc = rq_io_write_file(dst, buf ? (const void *)buf : "", (size_t)len, err);
        found += strcmp(names[i], base_name(w->path)) == 0;
        free(src);
        free(dst);
    }
    if (rc == RQ_OK && !found)
        rc = rq_err_set(err, RQ_ERR_GDAL, "%s: GDAL wrote no file", w->path);
    CSLDestroy(names);
    free(dir);
    return rc;
}

rq_status
rq_writer_close(rq_writer *w, rq_err *err)
{
    rq_status rc = RQ_OK;
    if (!w)
        return RQ_OK;
    OGR_F_Destroy(w->feat);
    w->feat = NULL;
    if (w->in_txn) {
        w->in_txn = 0;
        CPLErrorReset();
        if (GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE) {
            rc = gdal_error(err, w->path, "cannot commit the transaction");
            (void)GDALDatasetRollbackTransaction(w->ds);
        }
    }
    /* GDALClose returns void in 3.6 and drivers write at close: a failure
    ** shows only in the error state (style.md §3.7). Warnings do not count. */
    CPLErrorReset();
    GDALClose(w->ds);
    w->ds = NULL;
    if (rc == RQ_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = gdal_error(err, w->path, "GDAL failed to finish the file");
    if (rc == RQ_OK)
        rc = flush_to_disk(w, err);
    free_writer(w);
    /* Do not leave a warning (e.g. no CRS on a table) as the error state. */
    if (rc == RQ_OK)
        CPLErrorReset();
    return rc;
}

void
rq_writer_abort(rq_writer *w)
{
    if (!w)
        return;
    free_writer(w);
    CPLErrorReset();
}
