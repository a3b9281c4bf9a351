/* test_writer.c - GeoJSON/CSV layers and JSON documents (src/io/writer.c, writer_vout.c,
** json.c). The output folder is tested in test_outdir.c, its checked
** writes in test_checked_writes.c, the numbers the writers print
** (decimals, coordinates, ring orientation) in test_numbers.c.
**
** The square of the GeoJSON test is x 700-701 km, y 6300-6301 km in
** EPSG:2154. Its corners in lon/lat were computed independently with
** PROJ 9.1.1's CLI:
**   printf "700000 6300000\n701000 6300000\n701000 6301000\n700000 6301000\n" |
**     cs2cs -f "%.9f" EPSG:2154 EPSG:4326
** which prints lat lon: 43.799015750 3.000000000 / 43.799015042 3.012424054 /
** 43.808013887 3.012426009 / 43.808014595 3.000000000.
** Expected CSV text and JSON text are written by hand from docs/outputs.md.
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/writer.h"

#include <dirent.h>
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the test layer --------------------------------------------------- */

static const rq_field_def fields[] = {
    {"code", RQ_FT_STRING, 0, NULL},         {"nom", RQ_FT_STRING, 0, NULL},
    {"population", RQ_FT_INT, 0, NULL},      {"part", RQ_FT_REAL, 4, NULL},
    {"superficie_km2", RQ_FT_REAL, 2, NULL}, {"vide", RQ_FT_REAL, 4, NULL},
    {"epci", RQ_FT_STRING, 0, NULL},         {"indice", RQ_FT_REAL, 4, NULL},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

/* Writes the two test features; the first has the square (ring given
** clockwise, so RFC 7946's right-hand rule must turn it), the second none. */
static void
write_layer(const char *path, rq_out_format fmt)
{
    rq_err err = {0};
    rq_out_geom g = fmt == RQ_OUT_GEOJSON ? RQ_OUT_POLYGON : RQ_OUT_NOGEOM;
    rq_writer *w = rq_writer_open(path, fmt, "communes", fields, N_FIELDS, g,
                                  g == RQ_OUT_NOGEOM ? NULL : "EPSG:2154", &err);
    if (!w)
        fail_msg("%s", err.msg);

    rq_writer_set_string(w, 0, "01001");
    rq_writer_set_string(w, 1, "L'Abergement-Clémenciat");
    rq_writer_set_int(w, 2, 779);
    rq_writer_set_real(w, 3, 0.123456789);
    rq_writer_set_real(w, 4, 1234567.891);
    rq_writer_set_real(w, 5, NAN);
    rq_writer_set_string(w, 6, "200069193");
    rq_writer_set_real(w, 7, 3968439.57261); /* %.17g would print ...5726000001 */
    if (g == RQ_OUT_POLYGON) {
        const double ring[] = {700000,  6300000, 700000,  6301000, 701000,
                               6301000, 701000,  6300000, 700000,  6300000};
        unsigned char wkb[128];
        size_t len = rq_test_wkb_polygon(wkb, ring, 5);
        if (rq_writer_set_geometry_wkb(w, wkb, len, &err) != RQ_OK)
            fail_msg("%s", err.msg);
    }
    if (rq_writer_add(w, &err) != RQ_OK)
        fail_msg("%s", err.msg);

    rq_writer_set_string(w, 0, "01002");
    rq_writer_set_string(w, 1, "Ambérieux, en \"Dombes\"");
    rq_writer_set_int(w, 2, 0);
    rq_writer_set_real(w, 3, 0.5);
    rq_writer_set_real(w, 4, 1.0);
    rq_writer_set_real(w, 5, -0.00001); /* rounds to -0, written as 0 */
    rq_writer_set_string(w, 6, NULL);
    rq_writer_set_real(w, 7, 1234.5);
    if (rq_writer_add(w, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(rq_writer_count(w), 2);
    if (rq_writer_close(w, &err) != RQ_OK)
        fail_msg("%s", err.msg);
}

static void
test_geojson(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/communes.geojson", dir);
    write_layer(path, RQ_OUT_GEOJSON);

    /* Number formats, exactly as documented (docs/outputs.md). */
    char *text = rq_test_slurp(path);
    assert_non_null(strstr(text, "\"properties\": { \"code\": \"01001\", \"nom\": "
                                 "\"L'Abergement-Clémenciat\", \"population\": 779, "
                                 "\"part\": 0.1235, \"superficie_km2\": 1234567.89, "
                                 "\"vide\": null, \"epci\": \"200069193\", "
                                 "\"indice\": 3968439.5726 }"));
    assert_non_null(strstr(text, "\"properties\": { \"code\": \"01002\", \"nom\": "
                                 "\"Ambérieux, en \\\"Dombes\\\"\", \"population\": 0, "
                                 "\"part\": 0.5, \"superficie_km2\": 1.0, \"vide\": 0.0, "
                                 "\"epci\": null, \"indice\": 1234.5 }, \"geometry\": null }"));
    assert_null(strstr(text, "\"crs\"")); /* RFC 7946 has no crs member */
    assert_null(strstr(text, "\"bbox\""));

    struct json_object *doc = json_tokener_parse(text);
    assert_non_null(doc);
    struct json_object *feats, *f0, *geom, *props, *v, *coords;
    assert_true(json_object_object_get_ex(doc, "features", &feats));
    assert_int_equal(json_object_array_length(feats), 2);
    f0 = json_object_array_get_idx(feats, 0);
    assert_true(json_object_object_get_ex(f0, "properties", &props));
    assert_true(json_object_object_get_ex(props, "code", &v));
    assert_true(json_object_is_type(v, json_type_string));
    assert_string_equal(json_object_get_string(v), "01001");
    assert_true(json_object_object_get_ex(props, "part", &v));
    assert_true(json_object_get_double(v) == 0.1235);
    assert_true(json_object_object_get_ex(props, "superficie_km2", &v));
    assert_true(json_object_get_double(v) == round(1234567.891 * 100) / 100);
    assert_true(json_object_object_get_ex(props, "indice", &v));
    assert_true(json_object_get_double(v) == round(3968439.57261 * 1e4) / 1e4);
    assert_true(json_object_object_get_ex(props, "vide", &v));
    assert_null(v); /* present and null */

    assert_true(json_object_object_get_ex(f0, "geometry", &geom));
    assert_true(json_object_object_get_ex(geom, "type", &v));
    assert_string_equal(json_object_get_string(v), "MultiPolygon");
    assert_true(json_object_object_get_ex(geom, "coordinates", &coords));
    assert_int_equal(json_object_array_length(coords), 1);
    struct json_object *ring = json_object_array_get_idx(json_object_array_get_idx(coords, 0), 0);
    assert_int_equal(json_object_array_length(ring), 5);
    /* cs2cs lon/lat of each metric corner, matched in whatever order and
    ** orientation the writer chose; the ring must be closed and
    ** counterclockwise (positive shoelace area in lon/lat). */
    const double want[4][2] = {{3.000000000, 43.799015750},
                               {3.012424054, 43.799015042},
                               {3.012426009, 43.808013887},
                               {3.000000000, 43.808014595}};
    double lon[5], lat[5], area = 0;
    for (size_t i = 0; i < 5; i++) {
        struct json_object *pt = json_object_array_get_idx(ring, i);
        assert_int_equal(json_object_array_length(pt), 2);
        lon[i] = json_object_get_double(json_object_array_get_idx(pt, 0));
        lat[i] = json_object_get_double(json_object_array_get_idx(pt, 1));
    }
    assert_true(lon[0] == lon[4] && lat[0] == lat[4]);
    for (size_t i = 0; i < 4; i++) {
        int matched = 0;
        for (size_t k = 0; k < 4; k++)
            matched += fabs(lon[i] - want[k][0]) <= 1e-6 && fabs(lat[i] - want[k][1]) <= 1e-6;
        if (matched != 1)
            fail_msg("vertex %zu (%.9f %.9f) is not one of the cs2cs corners", i, lon[i], lat[i]);
        area += lon[i] * lat[i + 1] - lon[i + 1] * lat[i];
        /* 6 decimals at most (src/io/writer_lonlat.c). */
        assert_float_equal(lon[i] * 1e6, round(lon[i] * 1e6), 1e-6);
        assert_float_equal(lat[i] * 1e6, round(lat[i] * 1e6), 1e-6);
    }
    assert_true(area > 0);
    json_object_put(doc);

    /* Writing again gives the same bytes. */
    char *path2 = rq_xasprintf("%s/again.geojson", dir);
    write_layer(path2, RQ_OUT_GEOJSON);
    char *text2 = rq_test_slurp(path2);
    assert_string_equal(text, text2);

    free(text2);
    free(text);
    free(path2);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* Text cells a spreadsheet would run as formulas (OWASP "CSV injection")
** get a leading quote in CSV; GeoJSON keeps them verbatim. */
static void
test_formula_cells(void **state)
{
    (void)state;
    static const struct {
        const char *in, *csv;
    } cells[] = {
        {"=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
        {"+33 1", "'+33 1"},
        {"-rf", "'-rf"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tTab", "\"'\tTab\""}, /* GDAL quotes a cell holding a tab */
        {"Saint-Affrique", "Saint-Affrique"},
        {"a=b", "a=b"},
    };
    char *dir = rq_test_tmpdir();
    char *csv = rq_xasprintf("%s/t.csv", dir);
    char *geojson = rq_xasprintf("%s/t.geojson", dir);
    const rq_field_def f[] = {{"nom", RQ_FT_STRING, 0, NULL}};
    rq_err err = {0};
    rq_writer *wc = rq_writer_open(csv, RQ_OUT_CSV, "t", f, 1, RQ_OUT_NOGEOM, NULL, &err);
    rq_writer *wg = rq_writer_open(geojson, RQ_OUT_GEOJSON, "t", f, 1, RQ_OUT_NOGEOM, NULL, &err);
    assert_non_null(wc);
    assert_non_null(wg);
    for (size_t i = 0; i < NELEM(cells); i++) {
        rq_writer_set_string(wc, 0, cells[i].in);
        rq_writer_set_string(wg, 0, cells[i].in);
        assert_int_equal(rq_writer_add(wc, &err), RQ_OK);
        assert_int_equal(rq_writer_add(wg, &err), RQ_OK);
    }
    assert_int_equal(rq_writer_close(wc, &err), RQ_OK);
    assert_int_equal(rq_writer_close(wg, &err), RQ_OK);
    char *tc = rq_test_slurp(csv), *tg = rq_test_slurp(geojson);
    const char *line = strchr(tc, '\n') + 1; /* after the header */
    for (size_t i = 0; i < NELEM(cells); i++) {
        size_t n = strlen(cells[i].csv);
        if (strncmp(line, cells[i].csv, n) != 0 || line[n] != '\n')
            fail_msg("cell %zu: expected %s in CSV line %.40s", i, cells[i].csv, line);
        line += n + 1;
    }
    assert_non_null(strstr(tg, "\"nom\": \"=HYPERLINK(\\\"x\\\")\""));
    assert_non_null(strstr(tg, "\"nom\": \"-rf\""));
    assert_non_null(strstr(tg, "\"nom\": \"\\tTab\""));
    free(tc);
    free(tg);
    free(csv);
    free(geojson);
    rq_test_rm_rf(dir);
    free(dir);
}

static void
test_csv(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/communes.csv", dir);
    char *csvt = rq_xasprintf("%s/communes.csvt", dir);
    write_layer(path, RQ_OUT_CSV);

    char *text = rq_test_slurp(path);
    assert_string_equal(text, "code,nom,population,part,superficie_km2,vide,epci,indice\n"
                              "01001,L'Abergement-Clémenciat,779,0.1235,1234567.89,,200069193,"
                              "3968439.5726\n"
                              "01002,\"Ambérieux, en \"\"Dombes\"\"\",0,0.5000,1.00,0.0000,,"
                              "1234.5000\n");
    char *types = rq_test_slurp(csvt);
    /* Types QGIS 3.22's delimited-text provider knows (docs/gis-facts). */
    assert_string_equal(types, "String,String,Integer,Real,Real,Real,String,Real\n");
    free(types);

    unlink(path); /* the writer creates its files and never overwrites one */
    unlink(csvt);
    write_layer(path, RQ_OUT_CSV); /* same inputs: same bytes */
    char *text2 = rq_test_slurp(path);
    assert_string_equal(text, text2);

    free(text2);
    free(text);
    free(csvt);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* The dialect for French spreadsheets: the same two rows as test_csv with
** ';', decimal commas (a decimal then holds a comma: GDAL quotes it) and a
** byte order mark; the same .csvt. */
static void
test_csv_fr(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/communes.csv", dir);
    char *csvt = rq_xasprintf("%s/communes.csvt", dir);
    write_layer(path, RQ_OUT_CSV_FR);
    char *text = rq_test_slurp(path);
    assert_string_equal(text, "\xEF\xBB\xBF"
                              "code;nom;population;part;superficie_km2;vide;epci;indice\n"
                              "01001;L'Abergement-Clémenciat;779;\"0,1235\";\"1234567,89\";;"
                              "200069193;\"3968439,5726\"\n"
                              "01002;\"Ambérieux, en \"\"Dombes\"\"\";0;\"0,5000\";\"1,00\";"
                              "\"0,0000\";;\"1234,5000\"\n");
    char *types = rq_test_slurp(csvt);
    assert_string_equal(types, "String,String,Integer,Real,Real,Real,String,Real\n");
    free(types);
    free(text);
    free(csvt);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* Two layers, SQL and metadata in one GeoPackage; one sheet per layer in a
** workbook. Read back by ogrinfo, as an analyst's tools would. */
static void
test_datasets(void **state)
{
    (void)state;
    static const rq_field_def f[] = {{"code", RQ_FT_STRING, 0, "Code INSEE"},
                                     {"population", RQ_FT_INT, 0, "Habitants"},
                                     {"part", RQ_FT_REAL, 4, "Part (0 à 1)"}};
    char *dir = rq_test_tmpdir();
    for (int fmt = RQ_VOUT_GPKG; fmt <= RQ_VOUT_XLSX; fmt++) {
        char *path = rq_xasprintf("%s/t.%s", dir, fmt == RQ_VOUT_GPKG ? "gpkg" : "xlsx");
        rq_err err = {0};
        rq_vout *v = rq_vout_create(path, (rq_vout_format)fmt, "2026-01-15", &err);
        if (!v)
            fail_msg("%s", err.msg);
        static const char *const layers[] = {"a", "b"};
        for (size_t k = 0; k < 2; k++) {
            rq_writer *w = rq_vout_layer(v, layers[k], f, 3, RQ_OUT_NOGEOM, NULL, NULL, &err);
            if (!w)
                fail_msg("%s", err.msg);
            rq_writer_set_string(w, 0, "09001");
            rq_writer_set_int(w, 1, 59 + (long)k);
            rq_writer_set_real(w, 2, 0.123456); /* rounded to 4 decimals, as in CSV */
            assert_int_equal(rq_writer_add(w, &err), RQ_OK);
            rq_writer_set_string(w, 0, "=1+1");
            assert_int_equal(rq_writer_add(w, &err), RQ_OK);
            assert_int_equal(rq_writer_close(w, &err), RQ_OK);
        }
        if (fmt == RQ_VOUT_GPKG) {
            const char *const md[] = {"DATE=2026-01-15", NULL};
            assert_int_equal(rq_vout_set_metadata(v, "a", md, &err), RQ_OK);
            assert_int_equal(rq_vout_exec(v, "UPDATE b SET population = 7", &err), RQ_OK);
            assert_int_equal(rq_vout_exec(v, "NOT SQL", &err), RQ_ERR_GDAL);
            assert_non_null(strstr(err.msg, path));
        }
        assert_int_equal(rq_vout_close(v, &err), RQ_OK);
        char cmd[4096], *out = NULL;
        snprintf(cmd, sizeof cmd, "ogrinfo -al '%s'", path);
        assert_int_equal(rq_test_run(cmd, &out), 0);
        assert_non_null(strstr(out, "Layer name: a"));
        assert_non_null(strstr(out, "Layer name: b"));
        assert_non_null(strstr(out, "code (String) = 09001"));
        assert_non_null(strstr(out, "part (Real) = 0.1235\n"));
        if (fmt == RQ_VOUT_GPKG) {
            /* Verbatim in a database; the UPDATE landed; metadata kept. */
            assert_non_null(strstr(out, "code (String) = =1+1"));
            assert_non_null(strstr(out, "population (Integer64) = 7"));
            assert_non_null(strstr(out, "DATE=2026-01-15"));
        } else {
            /* A spreadsheet would run =1+1: neutralised as in CSV. */
            assert_non_null(strstr(out, "code (String) = '=1+1"));
            assert_non_null(strstr(out, "population (Integer) = 60"));
        }
        free(out);
        free(path);
    }
    rq_test_rm_rf(dir);
    free(dir);
}

static void
test_point_layer(void **state)
{
    (void)state;
    rq_err err = {0};
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/sites.geojson", dir);
    const rq_field_def f[] = {{"site_id", RQ_FT_STRING, 0, NULL}};
    rq_writer *w =
        rq_writer_open(path, RQ_OUT_GEOJSON, "sites", f, 1, RQ_OUT_POINT, "EPSG:2154", &err);
    if (!w)
        fail_msg("%s", err.msg);
    unsigned char wkb[64];
    size_t len = rq_test_wkb_point(wkb, 700000, 6300000);
    rq_writer_set_string(w, 0, "s1");
    assert_int_equal(rq_writer_set_geometry_wkb(w, wkb, len, &err), RQ_OK);
    assert_int_equal(rq_writer_add(w, &err), RQ_OK);

    /* A polygon does not go in a point layer; bad WKB is refused. */
    const double ring[] = {0, 0, 1, 0, 1, 1, 0, 0};
    unsigned char poly[128];
    len = rq_test_wkb_polygon(poly, ring, 4);
    assert_int_equal(rq_writer_set_geometry_wkb(w, poly, len, &err), RQ_ERR_INTERNAL);
    if (!strstr(err.msg, "Polygon"))
        fail_msg("%s", err.msg);
    assert_int_equal(rq_writer_set_geometry_wkb(w, poly, 7, &err), RQ_ERR_GDAL);
    /* A point PROJ cannot take to lon/lat. */
    len = rq_test_wkb_point(wkb, INFINITY, INFINITY);
    assert_int_equal(rq_writer_set_geometry_wkb(w, wkb, len, &err), RQ_ERR_PROJ);
    if (!strstr(err.msg, "sites.geojson: a point cannot be reprojected"))
        fail_msg("%s", err.msg);
    assert_int_equal(rq_writer_close(w, &err), RQ_OK);

    char *text = rq_test_slurp(path);
    assert_non_null(strstr(text, "\"properties\": { \"site_id\": \"s1\" }, \"geometry\": { "
                                 "\"type\": \"Point\", \"coordinates\": [ 3.0, 43.799016 ] }"));
    free(text);

    /* Abort writes nothing. */
    char *p2 = rq_xasprintf("%s/none.geojson", dir);
    w = rq_writer_open(p2, RQ_OUT_GEOJSON, "none", f, 1, RQ_OUT_NOGEOM, NULL, &err);
    assert_non_null(w);
    rq_writer_set_string(w, 0, "x");
    assert_int_equal(rq_writer_add(w, &err), RQ_OK);
    rq_writer_abort(w);
    assert_false(rq_test_exists(p2));
    free(p2);

    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

static void
test_writer_errors(void **state)
{
    (void)state;
    rq_err err = {0};
    const rq_field_def f[] = {{"a", RQ_FT_REAL, 2, NULL}};
    const rq_field_def twice[] = {{"a", RQ_FT_INT, 0, NULL}, {"a", RQ_FT_INT, 0, NULL}};

    assert_null(rq_writer_open("/tmp/x.txt", RQ_OUT_CSV, "x", f, 1, RQ_OUT_NOGEOM, NULL, &err));
    assert_int_equal(err.code, RQ_ERR_INTERNAL);
    assert_null(
        rq_writer_open("/tmp/x.csv", RQ_OUT_CSV, "x", f, 1, RQ_OUT_POINT, "EPSG:2154", &err));
    assert_int_equal(err.code, RQ_ERR_INTERNAL);
    assert_null(rq_writer_open("/tmp/x.csv", RQ_OUT_CSV, "x", twice, 2, RQ_OUT_NOGEOM, NULL, &err));
    assert_non_null(strstr(err.msg, "defined twice"));
    assert_null(rq_writer_open("/nonexistent-folder-rq/x.csv", RQ_OUT_CSV, "x", f, 1, RQ_OUT_NOGEOM,
                               NULL, &err));
    assert_int_equal(err.code, RQ_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent-folder-rq/"));

    /* A GeoJSON file in a CRS PROJ does not know: an input error naming
    ** the file and the CRS, and no file left. */
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/x.geojson", dir);
    assert_null(rq_writer_open(path, RQ_OUT_GEOJSON, "x", f, 1, RQ_OUT_POINT, "EPSG:999999", &err));
    assert_int_equal(err.code, RQ_ERR_INPUT);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "EPSG:999999"));
    assert_false(rq_test_exists(path));
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* ---- JSON -------------------------------------------------------------- */

static void
test_json(void **state)
{
    (void)state;
    rq_err err = {0};
    rq_json *root = rq_json_object();
    rq_json_set_string(root, "outil", "raquette");
    rq_json_set_string(root, "chemin", "/data/a b/Pézenas.csv");
    rq_json_set_int(root, "n", 4446);
    rq_json_set_double(root, "population", 6124653.0, 0);
    rq_json_set_double(root, "part", 0.123456, 3);
    rq_json_set_double(root, "negatif", -0.0001, 2);
    rq_json_set_double(root, "nan", NAN, 2);
    rq_json_set_bool(root, "ok", 1);
    rq_json_set_null(root, "rien");
    rq_json *codes = rq_json_set_array(root, "non_apparies");
    rq_json_append_string(codes, "30157");
    rq_json_append_string(codes, "30190");
    rq_json_set_array(root, "vide");
    rq_json *p = rq_json_set_object(root, "parametres");
    rq_json_set_int(p, "rayon_km", 40);
    rq_json_set_string(p, "texte", "a\"b\\c\n\t\x01");
    rq_json_set_object(root, "vide_o");
    rq_json_set_int(root, "n", 4447); /* replaced in place */
    rq_json *t = rq_json_set_array(root, "durees");
    rq_json *s = rq_json_append_object(t);
    rq_json_set_string(s, "etape", "load");
    rq_json_set_double(s, "secondes", 1.5, 3);
    rq_json *nested = rq_json_append_array(t);
    rq_json_append_int(nested, -3);
    rq_json_append_double(nested, 2.675, 2);

    const char *want = "{\n"
                       "  \"outil\": \"raquette\",\n"
                       "  \"chemin\": \"/data/a b/Pézenas.csv\",\n"
                       "  \"n\": 4447,\n"
                       "  \"population\": 6124653,\n"
                       "  \"part\": 0.123,\n"
                       "  \"negatif\": 0.00,\n"
                       "  \"nan\": null,\n"
                       "  \"ok\": true,\n"
                       "  \"rien\": null,\n"
                       "  \"non_apparies\": [\n"
                       "    \"30157\",\n"
                       "    \"30190\"\n"
                       "  ],\n"
                       "  \"vide\": [],\n"
                       "  \"parametres\": {\n"
                       "    \"rayon_km\": 40,\n"
                       "    \"texte\": \"a\\\"b\\\\c\\n\\t\\u0001\"\n"
                       "  },\n"
                       "  \"vide_o\": {},\n"
                       "  \"durees\": [\n"
                       "    {\n"
                       "      \"etape\": \"load\",\n"
                       "      \"secondes\": 1.500\n"
                       "    },\n"
                       "    [\n"
                       "      -3,\n"
                       "      2.68\n"
                       "    ]\n"
                       "  ]\n"
                       "}\n";
    char *text = rq_json_to_string(root);
    assert_string_equal(text, want);
    free(text);

    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/run.json", dir);
    assert_int_equal(rq_io_write_json(path, root, &err), RQ_OK);
    text = rq_test_slurp(path);
    assert_string_equal(text, want);
    free(text);
    /* The file exists now: a second write is refused (O_EXCL), never
    ** overwrites it. */
    assert_int_equal(rq_io_write_json(path, root, &err), RQ_ERR_IO);
    assert_non_null(strstr(err.msg, "File exists"));
    rq_json_free(root);
    rq_json_free(NULL);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geojson),       cmocka_unit_test(test_csv),
        cmocka_unit_test(test_formula_cells), cmocka_unit_test(test_point_layer),
        cmocka_unit_test(test_writer_errors), cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv_fr),        cmocka_unit_test(test_datasets),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
