/* test_numbers.c - the numbers the writers print (src/io/writer.c,
** writer_lonlat.c): real fields rounded to their decimals in GeoJSON and
** in CSV, GeoJSON coordinates rounded to 6 decimals in lon/lat, and the
** right-hand rule of RFC 7946. Every expected text is worked out by hand
** (each case says how) or, for the series of random values, is glibc's
** printf of the same value, an independent exact conversion. The layers
** themselves are tested in test_writer.c.
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/writer.h"

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The next of a fixed sequence of values in [0, 1) (a 64-bit linear
** congruential generator, its top 53 bits): the same values on every run. */
static double
uniform(unsigned long long *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*state >> 11) / 9007199254740992.0;
}

/* A value rounded to d decimals prints as its short decimal in GeoJSON
** (docs/outputs.md): values chosen where a plain %.17g would show a long
** tail (0.1, 40932.8469, 99999.9999...). */
static void
test_geojson_short_decimals(void **state)
{
    (void)state;
    static const struct {
        double v;
        int d;
        const char *text;
    } cases[] = {
        {0.1, 4, "0.1"},
        {0.1235, 4, "0.1235"},
        {8.0158, 4, "8.0158"},
        {40932.8469, 4, "40932.8469"},
        {99999.9999, 4, "99999.9999"},
        {61.686, 3, "61.686"},
        {0.3333, 4, "0.3333"},
        {120.3, 1, "120.3"},
        {20345.67, 2, "20345.67"},
        {2.0, 3, "2.0"},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/n.geojson", dir);
    rq_err err = {0};
    rq_err_clear(&err);
    for (size_t i = 0; i < n; i++) {
        rq_field_def f[] = {{"x", RQ_FT_REAL, cases[i].d, NULL}};
        rq_writer *w =
            rq_writer_open(path, RQ_OUT_GEOJSON, "n", f, 1, RQ_OUT_POINT, "EPSG:4326", &err);
        assert_non_null(w);
        rq_writer_set_real(w, 0, cases[i].v);
        assert_int_equal(rq_writer_add(w, &err), RQ_OK);
        assert_int_equal(rq_writer_close(w, &err), RQ_OK);
        char *text = rq_test_slurp(path);
        char want[64];
        snprintf(want, sizeof want, "\"x\": %s }", cases[i].text);
        if (!strstr(text, want))
            fail_msg("%.17g with %d decimals: expected %s in %s", cases[i].v, cases[i].d, want,
                     text);
        free(text);
        unlink(path);
    }
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* A GeoJSON file of points at (x[i], 45) in EPSG:4326, whose lon/lat are
** the points themselves (PROJ's noop): what the writer rounds. */
static char *
write_lonlat_points(const char *path, const double *x, size_t n)
{
    rq_err err = {0};
    const rq_field_def f[] = {{"i", RQ_FT_INT, 0, NULL}};
    rq_writer *w = rq_writer_open(path, RQ_OUT_GEOJSON, "p", f, 1, RQ_OUT_POINT, "EPSG:4326", &err);
    if (!w)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        unsigned char wkb[64];
        rq_writer_set_int(w, 0, (long long)i);
        if (rq_writer_set_geometry_wkb(w, wkb, rq_test_wkb_point(wkb, x[i], 45), &err) != RQ_OK ||
            rq_writer_add(w, &err) != RQ_OK)
            fail_msg("%s", err.msg);
    }
    if (rq_writer_close(w, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    return rq_test_slurp(path);
}

/* Coordinates are rounded to 6 decimals as printf's "%.6f" rounds: the
** binary value to the nearest, exact ties to even. Each expected text was
** worked out from the exact decimal value of the double (Python's
** decimal.Decimal(v)), e.g. 1.0000005 is 1.00000050000000007 (up) and
** 9.9999995 is 9.99999949999999949 (down); 0.0078125 = 1/128 and
** 0.0234375 = 3/128 are exact ties. 15 significant figures print a value
** below 1e-4 with an exponent, as JSON allows. */
static void
test_geojson_lonlat_rounding(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.0078125, "0.007812"},   {0.0234375, "0.023438"},
        {-0.0234375, "-0.023438"}, {1.0000005, "1.000001"},
        {9.9999995, "9.999999"},   {-5.1234565, "-5.123456"},
        {43.8453, "43.8453"},      {2.0, "2.0"},
        {179.9999996, "180.0"},    {-1e-7, "-0.0"},
        {5e-05, "5e-05"},          {3.0000004999, "3.0"},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    double x[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < n; i++)
        x[i] = cases[i].v;
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/p.geojson", dir);
    char *text = write_lonlat_points(path, x, n);
    const char *at = text;
    for (size_t i = 0; i < n; i++) {
        char want[96];
        snprintf(want, sizeof want, "\"coordinates\": [ %s, 45.0 ]", cases[i].text);
        const char *hit = strstr(at, want);
        if (!hit)
            fail_msg("%.17g: expected %s after byte %zu", cases[i].v, want, (size_t)(at - text));
        at = hit + strlen(want);
    }
    free(text);

    /* 20,000 values spread over [-180, 180]: each reads back as strtod of
    ** printf's "%.6f" (glibc's exact conversion, the oracle). */
    enum { N_RANDOM = 20000 };
    double *r = rq_xcalloc(N_RANDOM, sizeof *r);
    unsigned long long s = 12345;
    for (size_t i = 0; i < N_RANDOM; i++)
        r[i] = uniform(&s) * 360.0 - 180.0;
    unlink(path);
    text = write_lonlat_points(path, r, N_RANDOM);
    struct json_object *doc = json_tokener_parse(text), *feats;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "features", &feats));
    assert_int_equal(json_object_array_length(feats), N_RANDOM);
    for (size_t i = 0; i < N_RANDOM; i++) {
        struct json_object *geom, *coords;
        assert_true(
            json_object_object_get_ex(json_object_array_get_idx(feats, i), "geometry", &geom));
        assert_true(json_object_object_get_ex(geom, "coordinates", &coords));
        double got = json_object_get_double(json_object_array_get_idx(coords, 0));
        char buf[64];
        snprintf(buf, sizeof buf, "%.6f", r[i]);
        if (got != strtod(buf, NULL))
            fail_msg("%.17g written as %.17g, printf says %s", r[i], got, buf);
    }
    json_object_put(doc);
    free(text);
    free(r);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* RFC 7946's right-hand rule: outer rings counterclockwise, holes
** clockwise, whatever the order given; a ring already right is kept as
** it is, and a turned one keeps its first point. */
static void
test_geojson_right_hand_rule(void **state)
{
    (void)state;
    const double xy[] = {
        0,  0, 0,  10, 10, 10, 10, 0,  0,  0, /* outer, clockwise */
        2,  2, 8,  2,  8,  8,  2,  8,  2,  2, /* hole, counterclockwise */
        20, 0, 30, 0,  30, 10, 20, 10, 20, 0, /* outer, counterclockwise */
        22, 2, 22, 8,  28, 8,  28, 2,  22, 2, /* hole, clockwise */
    };
    const uint32_t rings[] = {2, 2};
    unsigned char wkb[512];
    size_t len = rq_test_wkb_multipolygon(wkb, xy, rings, 2);
    rq_err err = {0};
    const rq_field_def f[] = {{"i", RQ_FT_INT, 0, NULL}};
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/r.geojson", dir);
    rq_writer *w =
        rq_writer_open(path, RQ_OUT_GEOJSON, "r", f, 1, RQ_OUT_POLYGON, "EPSG:4326", &err);
    if (!w)
        fail_msg("%s", err.msg);
    rq_writer_set_int(w, 0, 1);
    assert_int_equal(rq_writer_set_geometry_wkb(w, wkb, len, &err), RQ_OK);
    assert_int_equal(rq_writer_add(w, &err), RQ_OK);
    assert_int_equal(rq_writer_close(w, &err), RQ_OK);
    char *text = rq_test_slurp(path);
    const char *want =
        "\"coordinates\": [ "
        "[ [ [ 0.0, 0.0 ], [ 10.0, 0.0 ], [ 10.0, 10.0 ], [ 0.0, 10.0 ], [ 0.0, 0.0 ] ], "
        "[ [ 2.0, 2.0 ], [ 2.0, 8.0 ], [ 8.0, 8.0 ], [ 8.0, 2.0 ], [ 2.0, 2.0 ] ] ], "
        "[ [ [ 20.0, 0.0 ], [ 30.0, 0.0 ], [ 30.0, 10.0 ], [ 20.0, 10.0 ], [ 20.0, 0.0 ] ], "
        "[ [ 22.0, 2.0 ], [ 22.0, 8.0 ], [ 28.0, 8.0 ], [ 28.0, 2.0 ], [ 22.0, 2.0 ] ] ] ]";
    if (!strstr(text, want))
        fail_msg("expected %s in %s", want, text);
    free(text);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

/* CSV real cells: "%.<d>f" of the value rounded to d decimals (halves
** away from zero, as round() does), made from the digits of the rounded
** whole number. Hand-made cases, then 20,000 values of every magnitude
** against glibc's printf of the rounded double (the oracle). */
static void
test_csv_decimals(void **state)
{
    (void)state;
    static const rq_field_def f[] = {
        {"d0", RQ_FT_REAL, 0, NULL}, {"d1", RQ_FT_REAL, 1, NULL}, {"d2", RQ_FT_REAL, 2, NULL},
        {"d3", RQ_FT_REAL, 3, NULL}, {"d4", RQ_FT_REAL, 4, NULL}, {"d5", RQ_FT_REAL, 5, NULL},
        {"d6", RQ_FT_REAL, 6, NULL},
    };
    enum { N_FIELDS_D = 7, N_RANDOM = 20000 };
    static const struct {
        double v;
        const char *text; /* the row, fields d0 .. d6 */
    } cases[] = {
        {-0.00005, "0,0.0,0.00,0.000,-0.0001,-0.00005,-0.000050"},
        {-0.00004, "0,0.0,0.00,0.000,0.0000,-0.00004,-0.000040"},
        {2.5, "3,2.5,2.50,2.500,2.5000,2.50000,2.500000"},
        {-1234.5678, "-1235,-1234.6,-1234.57,-1234.568,-1234.5678,-1234.56780,-1234.567800"},
        {0.000001, "0,0.0,0.00,0.000,0.0000,0.00000,0.000001"},
        {1e20, "100000000000000000000,100000000000000000000.0,100000000000000000000.00,"
               "100000000000000000000.000,100000000000000000000.0000,"
               "100000000000000000000.00000,100000000000000000000.000000"},
    };
    const size_t n_cases = sizeof cases / sizeof cases[0];
    double *v = rq_xcalloc(n_cases + N_RANDOM, sizeof *v);
    for (size_t i = 0; i < n_cases; i++)
        v[i] = cases[i].v;
    unsigned long long seed = 777;
    for (size_t i = n_cases; i < n_cases + N_RANDOM; i++) {
        double u = uniform(&seed);
        v[i] = (seed & 1 ? -1 : 1) * pow(10.0, -6.0 + 15.0 * u);
    }
    char *dir = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/d.csv", dir);
    rq_err err = {0};
    rq_writer *w = rq_writer_open(path, RQ_OUT_CSV, "d", f, N_FIELDS_D, RQ_OUT_NOGEOM, NULL, &err);
    if (!w)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < n_cases + N_RANDOM; i++) {
        for (size_t k = 0; k < N_FIELDS_D; k++)
            rq_writer_set_real(w, k, v[i]);
        assert_int_equal(rq_writer_add(w, &err), RQ_OK);
    }
    assert_int_equal(rq_writer_close(w, &err), RQ_OK);
    char *text = rq_test_slurp(path);
    char *line = strchr(text, '\n') + 1; /* after the header */
    for (size_t i = 0; i < n_cases + N_RANDOM; i++) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        if (i < n_cases) {
            if (strcmp(line, cases[i].text) != 0)
                fail_msg("%.17g: expected %s, got %s", v[i], cases[i].text, line);
        } else {
            char want[512] = "", cell[64];
            for (int d = 0; d < N_FIELDS_D; d++) {
                double s = pow(10.0, d), r = round(v[i] * s) / s;
                snprintf(cell, sizeof cell, "%s%.*f", d ? "," : "", d, r == 0.0 ? 0.0 : r);
                strcat(want, cell);
            }
            if (strcmp(line, want) != 0)
                fail_msg("%.17g: printf gives %s, the CSV %s", v[i], want, line);
        }
        line = end + 1;
    }
    free(text);
    free(v);
    free(path);
    rq_test_rm_rf(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geojson_short_decimals),
        cmocka_unit_test(test_geojson_lonlat_rounding),
        cmocka_unit_test(test_geojson_right_hand_rule),
        cmocka_unit_test(test_csv_decimals),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
