/* geojson_writers.c - an experiment for issue 13, not part of raquette:
** how long GDAL's GeoJSON driver takes to write raquette's
** communes.geojson, against a streaming writer (yajl's generator, numbers
** formatted here), on the same features in memory.
**
** raquette writes every file through GDAL (the project's rule); this
** program measures what that rule costs on the longest product of a
** national run, so that the team can decide with figures. It reads a
** communes.geojson made by raquette (lon/lat, RFC 7946), keeps its
** features in memory, then writes them N times with each writer into
** /vsimem/ (GDAL: the options of src/io/writer.c) or a memory buffer
** (streaming), interleaved, and prints the median times. The two outputs
** are read back with GDAL and compared value by value (strings and
** integers equal, reals equal, coordinates within 5e-7 degrees): the
** streaming file is only worth its time if it says the same.
**
** Build and run: bench/writers/run (installs libyajl-dev when missing).
*/
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yajl_gen.h>

typedef struct feats {
    OGRFeatureH *f;
    size_t n;
    OGRFeatureDefnH defn;
} feats;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
load(const char *path, feats *fs)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!ds) {
        fprintf(stderr, "%s: GDAL cannot open it\n", path);
        return -1;
    }
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    size_t cap = 1024;
    fs->f = malloc(cap * sizeof *fs->f);
    fs->n = 0;
    fs->defn = OGR_L_GetLayerDefn(l); /* kept past the dataset's close */
    OGR_FD_Reference(fs->defn);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        if (fs->n == cap)
            fs->f = realloc(fs->f, (cap *= 2) * sizeof *fs->f);
        fs->f[fs->n++] = f;
    }
    GDALClose(ds);
    return 0;
}

/* ---- GDAL's GeoJSON driver, with raquette's options (src/io/writer.c) ---- */

static double
write_gdal(const feats *fs, const char *out)
{
    double t0 = now();
    GDALDriverH drv = GDALGetDriverByName("GeoJSON");
    GDALDatasetH ds = GDALCreate(drv, "/vsimem/gdal.geojson", 0, 0, 0, GDT_Unknown, NULL);
    /* Since the eighth session raquette rounds and orients the lon/lat
    ** itself (src/io/writer_lonlat.c) and runs the driver in its plain
    ** mode, layer without CRS; the file read here is already so. */
    char **lco = NULL;
    lco = CSLSetNameValue(lco, "WRITE_BBOX", "NO");
    lco = CSLSetNameValue(lco, "SIGNIFICANT_FIGURES", "15");
    OGRLayerH l = GDALDatasetCreateLayer(ds, "communes", NULL, wkbMultiPolygon, lco);
    CSLDestroy(lco);
    for (int i = 0; i < OGR_FD_GetFieldCount(fs->defn); i++)
        OGR_L_CreateField(l, OGR_FD_GetFieldDefn(fs->defn, i), TRUE);
    OGRFeatureDefnH ld = OGR_L_GetLayerDefn(l);
    for (size_t k = 0; k < fs->n; k++) {
        OGRFeatureH f = OGR_F_Create(ld);
        if (OGR_F_SetFrom(f, fs->f[k], TRUE) != OGRERR_NONE ||
            OGR_L_CreateFeature(l, f) != OGRERR_NONE)
            fprintf(stderr, "GDAL: feature %zu not written\n", k);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    double t = now() - t0;
    vsi_l_offset len = 0;
    GByte *buf = VSIGetMemFileBuffer("/vsimem/gdal.geojson", &len, TRUE);
    FILE *fp = fopen(out, "wb");
    if (fp) {
        fwrite(buf, 1, (size_t)len, fp);
        fclose(fp);
    }
    CPLFree(buf);
    return t;
}

/* ---- The streaming writer ----------------------------------------------- */

/* x rounded to 6 decimals, trailing zeros dropped (GDAL's coordinates with
** COORDINATE_PRECISION=6). Exact for |x| < 2^53 / 1e6. */
static int
fmt_coord(double x, char *buf)
{
    long long v = llround(x * 1e6);
    char *p = buf;
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    long long ip = v / 1000000, fp = v % 1000000;
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + ip % 10);
    while ((ip /= 10) > 0);
    while (n)
        *p++ = tmp[--n];
    if (fp) {
        *p++ = '.';
        char d[6];
        for (int i = 5; i >= 0; i--, fp /= 10)
            d[i] = (char)('0' + fp % 10);
        int last = 5;
        while (d[last] == '0')
            last--;
        for (int i = 0; i <= last; i++)
            *p++ = d[i];
    }
    return (int)(p - buf);
}

/* A real as GDAL writes it with SIGNIFICANT_FIGURES=15: %.15g, ".0" added
** to a whole number. */
static int
fmt_real(double x, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%.15g", x);
    if (!strpbrk(buf, ".eEn"))
        n += snprintf(buf + n, cap - (size_t)n, ".0");
    return n;
}

static void
gen_ring(yajl_gen y, OGRGeometryH ring)
{
    char b[40];
    int n = OGR_G_GetPointCount(ring);
    yajl_gen_array_open(y);
    for (int i = 0; i < n; i++) {
        yajl_gen_array_open(y);
        yajl_gen_number(y, b, (size_t)fmt_coord(OGR_G_GetX(ring, i), b));
        yajl_gen_number(y, b, (size_t)fmt_coord(OGR_G_GetY(ring, i), b));
        yajl_gen_array_close(y);
    }
    yajl_gen_array_close(y);
}

static void
gen_polygon(yajl_gen y, OGRGeometryH poly)
{
    yajl_gen_array_open(y);
    for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++)
        gen_ring(y, OGR_G_GetGeometryRef(poly, r));
    yajl_gen_array_close(y);
}

/* A Polygon or a MultiPolygon, the types of raquette's communes. */
static void
gen_geometry(yajl_gen y, OGRGeometryH g)
{
    int multi = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon;
    yajl_gen_map_open(y);
    yajl_gen_string(y, (const unsigned char *)"type", 4);
    if (multi)
        yajl_gen_string(y, (const unsigned char *)"MultiPolygon", 12);
    else
        yajl_gen_string(y, (const unsigned char *)"Polygon", 7);
    yajl_gen_string(y, (const unsigned char *)"coordinates", 11);
    if (multi) {
        yajl_gen_array_open(y);
        for (int p = 0; p < OGR_G_GetGeometryCount(g); p++)
            gen_polygon(y, OGR_G_GetGeometryRef(g, p));
        yajl_gen_array_close(y);
    } else {
        gen_polygon(y, g);
    }
    yajl_gen_map_close(y);
}

static void
gen_feature(yajl_gen y, const feats *fs, OGRFeatureH f)
{
    char b[64];
    yajl_gen_map_open(y);
    yajl_gen_string(y, (const unsigned char *)"type", 4);
    yajl_gen_string(y, (const unsigned char *)"Feature", 7);
    yajl_gen_string(y, (const unsigned char *)"properties", 10);
    yajl_gen_map_open(y);
    for (int i = 0; i < OGR_FD_GetFieldCount(fs->defn); i++) {
        OGRFieldDefnH d = OGR_FD_GetFieldDefn(fs->defn, i);
        const char *name = OGR_Fld_GetNameRef(d);
        yajl_gen_string(y, (const unsigned char *)name, strlen(name));
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) {
            yajl_gen_null(y);
            continue;
        }
        switch (OGR_Fld_GetType(d)) {
        case OFTInteger:
        case OFTInteger64:
            yajl_gen_integer(y, OGR_F_GetFieldAsInteger64(f, i));
            break;
        case OFTReal:
            yajl_gen_number(y, b, (size_t)fmt_real(OGR_F_GetFieldAsDouble(f, i), b, sizeof b));
            break;
        default: {
            const char *s = OGR_F_GetFieldAsString(f, i);
            yajl_gen_string(y, (const unsigned char *)s, strlen(s));
        }
        }
    }
    yajl_gen_map_close(y);
    yajl_gen_string(y, (const unsigned char *)"geometry", 8);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g)
        gen_geometry(y, g);
    else
        yajl_gen_null(y);
    yajl_gen_map_close(y);
}

static double
write_stream(const feats *fs, const char *out)
{
    double t0 = now();
    yajl_gen y = yajl_gen_alloc(NULL);
    yajl_gen_config(y, yajl_gen_validate_utf8, 0);
    yajl_gen_map_open(y);
    yajl_gen_string(y, (const unsigned char *)"type", 4);
    yajl_gen_string(y, (const unsigned char *)"FeatureCollection", 17);
    yajl_gen_string(y, (const unsigned char *)"name", 4);
    yajl_gen_string(y, (const unsigned char *)"communes", 8);
    yajl_gen_string(y, (const unsigned char *)"features", 8);
    yajl_gen_array_open(y);
    /* The generator's buffer is emptied into one growing buffer per
    ** feature, as a file writer would hand it to write(2). */
    size_t cap = 1 << 20, len = 0;
    char *all = malloc(cap);
    for (size_t k = 0; k < fs->n; k++) {
        gen_feature(y, fs, fs->f[k]);
        const unsigned char *b;
        size_t n;
        yajl_gen_get_buf(y, &b, &n);
        if (len + n > cap) {
            while (len + n > cap)
                cap *= 2;
            all = realloc(all, cap);
        }
        memcpy(all + len, b, n);
        len += n;
        yajl_gen_clear(y);
    }
    yajl_gen_array_close(y);
    yajl_gen_map_close(y);
    const unsigned char *b;
    size_t n;
    yajl_gen_get_buf(y, &b, &n);
    all = realloc(all, len + n);
    memcpy(all + len, b, n);
    len += n;
    yajl_gen_free(y);
    double t = now() - t0;
    FILE *fp = fopen(out, "wb");
    if (fp) {
        fwrite(all, 1, len, fp);
        fclose(fp);
    }
    free(all);
    return t;
}

/* ---- The two files, read back and compared --------------------------------- */

static int
same_points(OGRGeometryH a, OGRGeometryH b)
{
    if (OGR_G_GetGeometryCount(a) != OGR_G_GetGeometryCount(b))
        return 0;
    if (OGR_G_GetGeometryCount(a) > 0) {
        for (int i = 0; i < OGR_G_GetGeometryCount(a); i++)
            if (!same_points(OGR_G_GetGeometryRef(a, i), OGR_G_GetGeometryRef(b, i)))
                return 0;
        return 1;
    }
    int n = OGR_G_GetPointCount(a);
    if (n != OGR_G_GetPointCount(b))
        return 0;
    for (int i = 0; i < n; i++)
        if (fabs(OGR_G_GetX(a, i) - OGR_G_GetX(b, i)) > 5e-7 ||
            fabs(OGR_G_GetY(a, i) - OGR_G_GetY(b, i)) > 5e-7)
            return 0;
    return 1;
}

/* Returns the number of features that differ. */
static long
compare_files(const char *pa, const char *pb, size_t *n_read)
{
    GDALDatasetH da = GDALOpenEx(pa, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH db = GDALOpenEx(pb, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!da || !db)
        return -1;
    OGRLayerH la = GDALDatasetGetLayer(da, 0), lb = GDALDatasetGetLayer(db, 0);
    long bad = 0;
    *n_read = 0;
    OGRFeatureH fa, fb;
    while ((fa = OGR_L_GetNextFeature(la)) != NULL) {
        fb = OGR_L_GetNextFeature(lb);
        (*n_read)++;
        int same = fb != NULL && OGR_F_GetFieldCount(fa) == OGR_F_GetFieldCount(fb);
        for (int i = 0; same && i < OGR_F_GetFieldCount(fa); i++) {
            int na = OGR_F_IsFieldSetAndNotNull(fa, i), nb = OGR_F_IsFieldSetAndNotNull(fb, i);
            same = na == nb && (!na || strcmp(OGR_F_GetFieldAsString(fa, i),
                                              OGR_F_GetFieldAsString(fb, i)) == 0);
        }
        if (same) { /* the same shapes, whether written Polygon or MultiPolygon */
            OGRGeometryH ga = OGR_G_ForceToMultiPolygon(OGR_F_StealGeometry(fa));
            OGRGeometryH gb = OGR_G_ForceToMultiPolygon(OGR_F_StealGeometry(fb));
            same = ga && gb && same_points(ga, gb);
            OGR_G_DestroyGeometry(ga);
            OGR_G_DestroyGeometry(gb);
        }
        bad += !same;
        OGR_F_Destroy(fa);
        if (fb)
            OGR_F_Destroy(fb);
    }
    if ((fb = OGR_L_GetNextFeature(lb)) != NULL) {
        bad++;
        OGR_F_Destroy(fb);
    }
    GDALClose(da);
    GDALClose(db);
    return bad;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s COMMUNES.geojson OUT_DIR [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    if (runs < 1 || runs > 50)
        runs = 3;
    GDALAllRegister();
    feats fs = {0};
    if (load(argv[1], &fs) != 0)
        return 1;
    char *pa = CPLStrdup(CPLSPrintf("%s/gdal.geojson", argv[2]));
    char *pb = CPLStrdup(CPLSPrintf("%s/stream.geojson", argv[2]));
    double *ta = calloc((size_t)runs, sizeof *ta), *tb = calloc((size_t)runs, sizeof *tb);
    for (int r = 0; r < runs; r++) { /* interleaved */
        ta[r] = write_gdal(&fs, pa);
        tb[r] = write_stream(&fs, pb);
    }
    qsort(ta, (size_t)runs, sizeof *ta, cmp_double);
    qsort(tb, (size_t)runs, sizeof *tb, cmp_double);
    struct stat sa = {0}, sb = {0};
    stat(pa, &sa);
    stat(pb, &sb);
    size_t n_read = 0;
    long bad = compare_files(pa, pb, &n_read);
    printf("features\t%zu\n", fs.n);
    printf("gdal_s\t%.3f\tbytes\t%lld\n", ta[runs / 2], (long long)sa.st_size);
    printf("stream_s\t%.3f\tbytes\t%lld\n", tb[runs / 2], (long long)sb.st_size);
    printf("ratio\t%.1f\n", ta[runs / 2] / tb[runs / 2]);
    printf("features_compared\t%zu\tdiffering\t%ld\n", n_read, bad);
    for (size_t k = 0; k < fs.n; k++)
        OGR_F_Destroy(fs.f[k]);
    free(fs.f);
    OGR_FD_Release(fs.defn);
    free(ta);
    free(tb);
    CPLFree(pa);
    CPLFree(pb);
    return bad == 0 ? 0 : 1;
}
