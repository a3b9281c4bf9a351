/* writer.c - output layers through OGR: one-layer GeoJSON and CSV files,
** and layers of multi-layer datasets (GeoPackage, XLSX workbook): the
** layer and its fields, value formatting, the .csvt of a CSV.
**
** Every layer is written into a dataset (outds) that GDAL streams to disk
** through raquette's checked writes (GeoJSON, CSV), that SQLite writes in
** place (GeoPackage) or that is built in memory and then written (XLSX).
** That dataset, why and where it is written, and the multi-layer datasets
** (rq_vout_*) are in writer_vout.c and writer_vsi.c: they are about files,
** this is about layers and values. What the three files share is in
** writer_internal.h.
**
** Number formats (checked on GDAL 3.6.2, restated in docs/outputs.md):
** values are rounded here to the field's decimals. GeoJSON ignores the OGR
** width and precision and prints "%.15g" (SIGNIFICANT_FIGURES=15 below),
** with ".0" added to whole numbers: 0.5, 1.0, 0.1235, 1234567.89. CSV real
** cells are formatted here, "%.<d>f" (decimal comma for the French
** dialect), and handed to GDAL as text, so CSV holds exactly d decimals:
** 0.5000, 1.0000, 0.1235. GeoPackage and XLSX store the rounded double.
**
** The .csvt beside a CSV is written here, not by GDAL: QGIS 3.22 rejects a
** whole .csvt that names Integer64 (docs/gis-facts), so integers are
** "Integer", reals "Real" and texts "String".
*/
#include "io/writer_internal.h"

#include "io/filewrite.h"

#include <assert.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Width given to real fields: the GeoPackage and XLSX drivers keep it as a
** hint; values are never padded or cut. */
#define REAL_WIDTH 24
#define MAX_DECIMALS 15

rq_status
rq_writer_gdal_error(rq_err *err, const char *path, const char *what)
{
    const char *m = CPLGetLastErrorMsg();
    if (!m || !*m)
        m = "GDAL gave no detail";
    /* SQLite's texts for SQLITE_FULL and SQLITE_IOERR: a file written in
    ** place (the GeoPackage) could not be written. Say why and what to do,
    ** as for the files raquette writes itself. */
    if (strstr(m, "disk is full") || strstr(m, "disk I/O error")) {
        int e = rq_io_write_errno(path);
        return rq_err_set(err, RQ_ERR_IO, "%s: %s: write failed (%s); %s (GDAL: %s)", path, what,
                          strerror(e), rq_io_fix_hint(e), m);
    }
    return rq_err_set(err, RQ_ERR_GDAL, "%s: %s (%s)", path, what, m);
}

static int
ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && EQUAL(s + n - m, suffix);
}

/* ---- Layers ---------------------------------------------------------------- */

rq_status
rq_writer_check_fields(const char *path, const rq_field_def *fields, size_t n_fields, rq_err *err)
{
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
    return RQ_OK;
}

static int
is_csv(const rq_writer *w)
{
    return !w->vout && (w->fmt == RQ_OUT_CSV || w->fmt == RQ_OUT_CSV_FR);
}

/* Starts a fresh feature with every field null: OGR leaves unset fields out
** of GeoJSON properties, and each feature must carry every key. */
static rq_status
new_feature(rq_writer *w, rq_err *err)
{
    w->feat = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
    if (!w->feat)
        return rq_writer_gdal_error(err, w->path, "cannot create a feature");
    for (size_t i = 0; i < w->n_fields; i++)
        OGR_F_SetFieldNull(w->feat, (int)i);
    return RQ_OK;
}

static rq_status
create_fields(rq_writer *w, const rq_field_def *fields, rq_err *err)
{
    size_t len = 0, cap = 0;
    for (size_t i = 0; i < w->n_fields; i++) {
        OGRFieldType t = fields[i].type == RQ_FT_STRING ? OFTString
                         : fields[i].type == RQ_FT_INT  ? OFTInteger64
                                                        : OFTReal;
        /* CSV reals are formatted here and handed over as text. */
        if (is_csv(w) && t == OFTReal)
            t = OFTString;
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
            return rq_writer_gdal_error(err, w->path, what);
        }
        if (is_csv(w)) {
            static const char *const csvt[] = {"String", "Integer", "Real"};
            const char *type = csvt[fields[i].type];
            rq_grow((void **)&w->csvt, &cap, len + strlen(type) + 3, 1);
            len += (size_t)snprintf(w->csvt + len, cap - len, "%s%s", i ? "," : "", type);
        }
    }
    if (is_csv(w)) {
        rq_grow((void **)&w->csvt, &cap, len + 2, 1);
        memcpy(w->csvt + len, "\n", 2);
    }
    return RQ_OK;
}

static OGRwkbGeometryType
ogr_geom_type(rq_out_geom g)
{
    return g == RQ_OUT_POINT ? wkbPoint : g == RQ_OUT_POLYGON ? wkbMultiPolygon : wkbNone;
}

void
rq_writer_free(rq_writer *w)
{
    if (w->feat)
        OGR_F_Destroy(w->feat);
    if (w->own) {
        (void)rq_outds_finish(w->own, 0, NULL);
        free(w->own);
    }
    free(w->types);
    free(w->scale);
    free(w->decimals);
    free(w->csvt);
    rq_xform_destroy(w->to_lonlat);
    free(w->ll);
    free(w);
}

/* The layer creation options of w's format and the caller's extra ones
** (a NULL-terminated list to free with CSLDestroy). */
static char **
layer_options(const rq_writer *w, const char *const *extra)
{
    char **lco = NULL;
    if (!w->vout && w->fmt == RQ_OUT_GEOJSON) {
        /* RFC 7946 (lon/lat WGS 84, right-hand rule, 6 decimals of a degree:
        ** about 0.11 m in latitude, below the accuracy of the boundaries)
        ** is made by writer_lonlat.c, not by the driver's RFC7946 mode,
        ** which formats numbers several times slower. No bbox member. */
        lco = CSLSetNameValue(lco, "WRITE_BBOX", "NO");
        /* Reals are printed with %.17g by default, so 3968439.5726 comes
        ** out as 3968439.5726000001 (checked: about one 4-decimal value in
        ** eight below 1e7). With 15 significant figures every value rounded
        ** to d decimals below 10^(15-d) prints as its short decimal (checked
        ** on 300,000 random values per d). So are coordinates, rounded to
        ** 6 decimals by writer_lonlat.c. */
        lco = CSLSetNameValue(lco, "SIGNIFICANT_FIGURES", "15");
    } else if (is_csv(w)) {
        /* IF_NEEDED quotes only cells with a separator, quote or newline, so
        ** that "01001" stays 01001; the .csvt tells QGIS it is a String.
        ** French spreadsheets expect ';', and a byte order mark to read
        ** UTF-8 (docs/gis-facts). */
        int fr = w->fmt == RQ_OUT_CSV_FR;
        lco = CSLSetNameValue(lco, "SEPARATOR", fr ? "SEMICOLON" : "COMMA");
        lco = CSLSetNameValue(lco, "LINEFORMAT", "LF");
        lco = CSLSetNameValue(lco, "STRING_QUOTING", "IF_NEEDED");
        lco = CSLSetNameValue(lco, "CREATE_CSVT", "NO");
        lco = CSLSetNameValue(lco, "WRITE_BOM", fr ? "YES" : "NO");
    }
    for (const char *const *e = extra; e && *e; e++)
        lco = CSLAddString(lco, *e);
    return lco;
}

/* Creates the layer of w in ds (borrowed) with its fields. */
rq_status
rq_writer_open_layer(rq_writer *w, GDALDatasetH ds, const char *layer_name,
                     const rq_field_def *fields, const char *srs, const char *const *options,
                     rq_err *err)
{
    OGRSpatialReferenceH hsrs = NULL;
    char **lco = layer_options(w, options);
    rq_status rc = RQ_OK;
    w->types = rq_xcalloc(w->n_fields + 1, sizeof *w->types);
    w->scale = rq_xcalloc(w->n_fields + 1, sizeof *w->scale);
    w->decimals = rq_xcalloc(w->n_fields + 1, sizeof *w->decimals);
    for (size_t i = 0; i < w->n_fields; i++) {
        w->types[i] = fields[i].type;
        w->decimals[i] = fields[i].type == RQ_FT_REAL ? fields[i].decimals : 0;
        w->scale[i] = pow(10.0, w->decimals[i]);
    }
    if (srs && !w->vout && w->fmt == RQ_OUT_GEOJSON) {
        /* Coordinates reach GDAL in lon/lat already (writer_lonlat.c); the
        ** layer has no CRS, so that no crs member is written. */
        rq_err perr = {0};
        if (!(w->to_lonlat = rq_xform_create(srs, "EPSG:4326", &perr)))
            rc = rq_err_set(err, rq_err_code(&perr), "%s: %s", w->path, rq_err_text(&perr));
        rq_err_fini(&perr);
        if (rc != RQ_OK)
            goto cleanup;
    } else if (srs) {
        hsrs = OSRNewSpatialReference(NULL);
        CPLErrorReset();
        if (OSRSetFromUserInput(hsrs, srs) != OGRERR_NONE) {
            rc = rq_err_set(err, RQ_ERR_INPUT, "%s: unknown CRS '%s' (%s)", w->path, srs,
                            CPLGetLastErrorMsg());
            goto cleanup;
        }
        /* GDAL 3 would otherwise take EPSG axis order (style.md §3.1). */
        OSRSetAxisMappingStrategy(hsrs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    CPLErrorReset();
    w->lyr = GDALDatasetCreateLayer(ds, layer_name ? layer_name : "", hsrs, ogr_geom_type(w->gtype),
                                    lco);
    if (!w->lyr) {
        rc = rq_writer_gdal_error(err, w->path, "GDAL cannot create the layer");
        goto cleanup;
    }
    if ((rc = create_fields(w, fields, err)) == RQ_OK)
        rc = new_feature(w, err);
cleanup:
    CSLDestroy(lco);
    if (hsrs)
        OSRRelease(hsrs); /* the layer keeps its own reference */
    return rc;
}

rq_writer *
rq_writer_open(const char *path, rq_out_format fmt, const char *layer_name,
               const rq_field_def *fields, size_t n_fields, rq_out_geom gtype, const char *srs,
               rq_err *err)
{
    rq_writer *w = NULL;
    rq_status rc = rq_writer_check_fields(path, fields, n_fields, err);
    int csv = fmt == RQ_OUT_CSV || fmt == RQ_OUT_CSV_FR;
    if (rc != RQ_OK)
        return NULL;
    if (csv && gtype != RQ_OUT_NOGEOM) {
        rq_err_set(err, RQ_ERR_INTERNAL, "%s: CSV outputs carry no geometry", path);
        return NULL;
    }
    /* The CSV driver turns a path without .csv into a folder of layers. */
    if (csv && !ends_with_ci(path, ".csv")) {
        rq_err_set(err, RQ_ERR_INTERNAL, "%s: a CSV output must end in .csv", path);
        return NULL;
    }
    if ((gtype == RQ_OUT_NOGEOM) != (srs == NULL)) {
        rq_err_set(err, RQ_ERR_INTERNAL,
                   "%s: a CRS must be given exactly when the layer has geometries", path);
        return NULL;
    }
    w = rq_xcalloc(1, sizeof *w);
    w->fmt = fmt;
    w->gtype = gtype;
    w->n_fields = n_fields;
    w->own = rq_xcalloc(1, sizeof *w->own);
    if ((rc = rq_outds_create(w->own, path, fmt == RQ_OUT_GEOJSON ? "GeoJSON" : "CSV", w, err)) ==
        RQ_OK) {
        w->path = w->own->path;
        rc = rq_writer_open_layer(w, w->own->ds, layer_name, fields, srs, NULL, err);
    }
    if (rc != RQ_OK) {
        rq_writer_free(w);
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
    } else if ((is_csv(w) || (w->vout && w->vout->fmt == RQ_VOUT_XLSX)) && starts_formula(v)) {
        /* Neutralised as OWASP recommends: a leading quote makes it text.
        ** GeoJSON and GeoPackage keep every value verbatim (docs/outputs.md). */
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

/* The decimal q × 10^-d (p = 10^d, the field's scale), q a whole number
** below 2^53, with sep for the decimal point: made from q's digits, without
** formatting a double, which costs glibc several times more. printf's
** "%.<d>f" of the double q / 10^d prints the same while |q| < 2^52
** (test_csv_decimals), far beyond any field's values. */
static void
format_decimal(char *buf, size_t size, double q, int d, unsigned long long p, char sep)
{
    long long n = (long long)q;
    unsigned long long a = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    const char *sign = n < 0 ? "-" : "";
    if (d == 0)
        snprintf(buf, size, "%s%llu", sign, a);
    else
        snprintf(buf, size, "%s%llu%c%0*llu", sign, a / p, sep, d, a % p);
}

void
rq_writer_set_real(rq_writer *w, size_t field, double v)
{
    assert(field < w->n_fields && w->types[field] == RQ_FT_REAL);
    double s = w->scale[field];
    /* Beyond 2^53 / 10^d a double has no decimals left to round, and v * s
    ** could overflow to infinity: v is then written as it is. */
    int rounded = isfinite(v) && fabs(v) < 9007199254740992.0 / s;
    double q = rounded ? round(v * s) : 0.0;
    double r = rounded ? q / s : v;
    if (!isfinite(r)) {
        OGR_F_SetFieldNull(w->feat, (int)field);
        return;
    }
    if (r == 0.0)
        r = 0.0; /* -0 would print as -0.0 / -0.0000 */
    if (!is_csv(w)) {
        OGR_F_SetFieldDouble(w->feat, (int)field, r);
        return;
    }
    char buf[400];
    char sep = w->fmt == RQ_OUT_CSV_FR ? ',' : '.';
    if (rounded) {
        format_decimal(buf, sizeof buf, q, w->decimals[field], (unsigned long long)s, sep);
    } else { /* CPLsnprintf ignores the locale */
        CPLsnprintf(buf, sizeof buf, "%.*f", w->decimals[field], r);
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = sep;
    }
    OGR_F_SetFieldString(w->feat, (int)field, buf);
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
        rc = rq_writer_gdal_error(err, w->path, "invalid WKB geometry");
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
    if (w->to_lonlat && (rc = rq_writer_lonlat(w, g, err)) != RQ_OK)
        goto cleanup;
    /* SetGeometryDirectly owns g from here, even when it fails. */
    OGRErr e = OGR_F_SetGeometryDirectly(w->feat, g);
    g = NULL;
    if (e != OGRERR_NONE)
        rc = rq_writer_gdal_error(err, w->path, "cannot set the geometry");

cleanup:
    if (g)
        OGR_G_DestroyGeometry(g);
    return rc;
}

rq_status
rq_writer_add(rq_writer *w, rq_err *err)
{
    outds *m = w->vout ? &w->vout->m : w->own;
    CPLErrorReset();
    if (OGR_L_CreateFeature(w->lyr, w->feat) != OGRERR_NONE) {
        char what[64];
        snprintf(what, sizeof what, "cannot write feature %zu", w->count + 1);
        return rq_outds_error(m, err, what);
    }
    OGR_F_Destroy(w->feat); /* CreateFeature does not take it */
    w->feat = NULL;
    w->count++;
    /* The GeoJSON driver goes on after a failed write: stop at once. */
    if (m->vf && rq_vsifile_failed(m->vf))
        return rq_vsifile_check(m->vf, err);
    rq_status rc = rq_outds_feature_added(m, err);
    return rc == RQ_OK ? new_feature(w, err) : rc;
}

size_t
rq_writer_count(const rq_writer *w)
{
    return w ? w->count : 0;
}

/* ---- As a sink ------------------------------------------------------------ */

static void
sink_string(void *h, size_t f, const char *v)
{
    rq_writer_set_string(h, f, v);
}

static void
sink_int(void *h, size_t f, long v)
{
    rq_writer_set_int(h, f, v);
}

static void
sink_real(void *h, size_t f, double v)
{
    rq_writer_set_real(h, f, v);
}

static void
sink_null(void *h, size_t f)
{
    rq_writer_set_null(h, f);
}

static rq_status
sink_geometry(void *h, const unsigned char *wkb, size_t len, rq_err *err)
{
    return rq_writer_set_geometry_wkb(h, wkb, len, err);
}

static rq_status
sink_add(void *h, rq_err *err)
{
    return rq_writer_add(h, err);
}

rq_sink
rq_writer_sink(rq_writer *w)
{
    return (rq_sink){w, sink_string, sink_int, sink_real, sink_null, sink_geometry, sink_add};
}

rq_status
rq_writer_close(rq_writer *w, rq_err *err)
{
    rq_status rc = RQ_OK;
    if (!w)
        return RQ_OK;
    OGR_F_Destroy(w->feat);
    w->feat = NULL;
    if (w->own) {
        /* The .csvt goes beside the file once the file is there; finishing
        ** frees the path, so its name is made first. */
        char *csvt = w->csvt ? rq_xasprintf("%st", w->own->path) : NULL;
        rc = rq_outds_finish(w->own, 1, err);
        if (rc == RQ_OK && csvt)
            rc = rq_io_write_file(csvt, w->csvt, strlen(w->csvt), err);
        free(csvt);
    }
    rq_writer_free(w);
    return rc;
}

void
rq_writer_abort(rq_writer *w)
{
    if (!w)
        return;
    rq_writer_free(w);
    CPLErrorReset();
}

rq_status
rq_writer_finish(rq_writer *w, rq_status rc, rq_err *err)
{
    if (!w)
        return rc != RQ_OK ? rc : rq_err_code(err);
    if (rc == RQ_OK)
        return rq_writer_close(w, err);
    rq_writer_abort(w);
    return rc;
}
