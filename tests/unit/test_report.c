/* test_report.c - the report's maps and wording (src/report/): the SVG
** projection and the scale bar on frames whose numbers are worked out by
** hand below; the coverage simplification keeping neighbours together
** (small cases by hand, and Occitanie's communes without overlap or gap);
** French figures and dates.
*/
#include "rq_test.h"

#include "report/report_internal.h"

#include "raquette/config.h"
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdlib.h>
#include <string.h>

/* A frame of 1,000 px with 10 px margins over x 700,000-800,000 and
** y 6,200,000-6,300,000 (metres, Lambert-93): 980 px for 100 km, so
** 0.0098 px per metre, and a height of 100,000 x 0.0098 + 20 = 1,000 px.
** The corner (700,000, 6,300,000) is at (10, 10); (750,000, 6,250,000) at
** (10 + 490, 10 + 490); y grows downwards. */
static void
test_projection(void **state)
{
    (void)state;
    rq_frame f;
    rq_frame_init(&f, 700000, 6200000, 800000, 6300000, 1000, 10);
    assert_close(f.scale, 0.0098, 1e-15);
    assert_close(f.height, 1000, 1e-9);
    static const struct {
        double x, y, px, py;
    } points[] = {
        {700000, 6300000, 10, 10},
        {800000, 6200000, 990, 990},
        {750000, 6250000, 500, 500},
        {725000, 6290000, 255, 108},
    };
    for (size_t i = 0; i < NELEM(points); i++) {
        double px, py;
        rq_frame_project(&f, points[i].x, points[i].y, &px, &py);
        assert_close(px, points[i].px, 1e-9);
        assert_close(py, points[i].py, 1e-9);
    }
    /* A wide extent: 400 km over 800 px with 12 px margins keeps its
    ** proportions, 776 / 400,000 px per metre, 300 km high: 582 + 24. */
    rq_frame_init(&f, 0, 0, 400000, 300000, 800, 12);
    assert_close(f.height, 606, 1e-9);
}

/* The scale bar is the largest of 1, 2 or 5 times a power of ten not above
** a fifth of the drawn width. */
static void
test_scalebar(void **state)
{
    (void)state;
    static const struct {
        double width_m, metres;
        const char *label;
    } cases[] = {
        {420000, 50000, "50 km"},    /* a fifth: 84 km */
        {100000, 20000, "20 km"},    /* 20 km exactly */
        {1000000, 200000, "200 km"}, /* 200 km exactly */
        {24000, 2000, "2 km"},       /* 4.8 km */
        {3000, 500, "500 m"},        /* 600 m */
        {990000, 100000, "100 km"},  /* 198 km */
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        rq_frame f;
        rq_frame_init(&f, 0, 0, cases[i].width_m, cases[i].width_m / 2, 820, 10);
        double metres, px;
        char label[32];
        rq_frame_scalebar(&f, &metres, &px);
        rq_scalebar_label(metres, label, sizeof label);
        assert_close(metres, cases[i].metres, 1e-6);
        assert_close(px, metres * 800 / cases[i].width_m, 1e-9);
        assert_string_equal(label, cases[i].label);
    }
}

/* Two squares sharing an edge, the shared edge wiggling by less than the
** tolerance: simplified as a coverage, both keep one and the same edge (the
** faces cover the whole without gap or overlap: areas add up to the
** union's), each face is given to its square. */
static void
test_coverage_simplify(void **state)
{
    (void)state;
    rq_geos *g = rq_geos_create();
    rq_err err = {0};
    const char *wkt[] = {
        "POLYGON((0 0, 100 0, 100 40, 101 50, 100 60, 100 100, 0 100, 0 0))",
        "POLYGON((100 0, 200 0, 200 100, 100 100, 100 60, 101 50, 100 40, 100 0))",
    };
    rq_geom *p[2];
    for (int i = 0; i < 2; i++)
        assert_non_null(p[i] = rq_geom_from_wkt(g, wkt[i], &err));
    long *face_of = NULL;
    rq_geom *faces = rq_coverage_simplify(g, (const rq_geom *const *)p, 2, 5, &face_of, &err);
    assert_non_null(faces);
    assert_int_equal(rq_geom_n_parts(g, faces), 2);
    double total = 0;
    int seen[2] = {0, 0};
    for (size_t i = 0; i < 2; i++) {
        const rq_geom *f = rq_geom_part(g, faces, i);
        total += rq_geom_area(g, f);
        assert_true(face_of[i] == 0 || face_of[i] == 1);
        seen[face_of[i]]++;
        /* The wiggle is gone: each face is its square, 10,000 m². */
        assert_close(rq_geom_area(g, f), 10000, 1e-9);
    }
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 1);
    assert_close(total, 20000, 1e-9);
    free(face_of);
    rq_geom_destroy(g, faces);
    for (int i = 0; i < 2; i++)
        rq_geom_destroy(g, p[i]);
    rq_geos_destroy(g);
}

/* Three communes: A, a 200 m square with an enclave C (a 50 m square) and
** a neighbour B (100 m by 200 m) on its right. The A/B edge and C's whole
** ring wiggle by 1 m, less than the 5 m tolerance. Simplified as a
** coverage, C's ring (a closed edge, with no node: it starts at its
** smallest vertex) comes out the same as A's hole, and the A/B edge the
** same on both sides: by hand, A = 40,000 - 2,500 m², B = 20,000 m²,
** C = 2,500 m², which add up to the 300 m by 200 m rectangle. */
static void
test_coverage_enclave(void **state)
{
    (void)state;
    rq_geos *g = rq_geos_create();
    rq_err err = {0};
    const char *wkt[] = {
        "POLYGON((0 0, 200 0, 201 100, 200 200, 0 200, 0 0),"
        " (50 50, 50 100, 100 100, 101 75, 100 50, 50 50))",
        "POLYGON((200 0, 300 0, 300 200, 200 200, 201 100, 200 0))",
        "POLYGON((50 50, 100 50, 101 75, 100 100, 50 100, 50 50))",
    };
    const double expect[] = {37500, 20000, 2500};
    rq_geom *p[3];
    for (int i = 0; i < 3; i++)
        assert_non_null(p[i] = rq_geom_from_wkt(g, wkt[i], &err));
    long *face_of = NULL;
    rq_geom *faces = rq_coverage_simplify(g, (const rq_geom *const *)p, 3, 5, &face_of, &err);
    assert_non_null(faces);
    assert_int_equal(rq_geom_n_parts(g, faces), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(face_of[i] >= 0 && face_of[i] < 3);
        assert_close(rq_geom_area(g, rq_geom_part(g, faces, i)), expect[face_of[i]], 1e-9);
    }
    /* No gap, no overlap: the faces' union is the rectangle. */
    rq_geom *parts[3];
    for (size_t i = 0; i < 3; i++)
        parts[i] = rq_geom_clone(g, rq_geom_part(g, faces, i));
    rq_geom *u = rq_geom_union_coverage_take(g, parts, 3, NULL, &err);
    assert_non_null(u);
    assert_close(rq_geom_area(g, u), 60000, 1e-9);
    rq_geom_destroy(g, u);
    free(face_of);
    rq_geom_destroy(g, faces);
    for (int i = 0; i < 3; i++)
        rq_geom_destroy(g, p[i]);
    rq_geos_destroy(g);
}

/* The 4,446 communes of Occitanie (the data README), simplified as a
** coverage at 200 m, much coarser than the report's half pixel so that a
** shared boundary simplified differently on its two sides would show: the
** faces must not overlap (their areas add up to the area of their union,
** made by GEOS's overlay) and must cover what the communes cover (the
** union of the faces and that of the communes differ by less than 0.1 %).
** Each commune keeps at least one face. */
static void
test_coverage_occitanie(void **state)
{
    (void)state;
    (void)rq_test_geodata("occitanie");
    char ini[4096];
    snprintf(ini, sizeof ini, "%s/config/occitanie.ini", getenv("RQ_SOURCE_DIR"));
    rq_config cfg;
    rq_err err = {0};
    rq_io_init();
    if (rq_config_load(ini, &cfg, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    rq_dataset *ds = rq_dataset_create(&cfg);
    if (rq_pipeline_prepare(ds, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    rq_geos *g = ds->geos;
    size_t n = ds->n_communes;
    assert_int_equal(n, 4446);
    const rq_geom **polys = rq_xcalloc(n, sizeof *polys);
    for (size_t i = 0; i < n; i++)
        polys[i] = ds->communes[i].geom;
    long *face_of = NULL;
    rq_geom *faces = rq_coverage_simplify(g, polys, n, 200, &face_of, &err);
    if (!faces)
        fail_msg("%s", err.msg);
    size_t n_faces = rq_geom_n_parts(g, faces);
    unsigned char *kept = rq_xcalloc(n, 1);
    double sum = 0;
    for (size_t i = 0; i < n_faces; i++) {
        assert_true(face_of[i] >= 0 && (size_t)face_of[i] < n);
        kept[face_of[i]] = 1;
        sum += rq_geom_area(g, rq_geom_part(g, faces, i));
    }
    for (size_t i = 0; i < n; i++)
        if (!kept[i])
            fail_msg("commune %s has no face", ds->communes[i].code);
    rq_geom *u_faces = rq_geom_union(g, (const rq_geom *const *)&faces, 1, &err);
    rq_geom *u_communes = rq_geom_union(g, polys, n, &err);
    assert_non_null(u_faces);
    assert_non_null(u_communes);
    double a_faces = rq_geom_area(g, u_faces), a_communes = rq_geom_area(g, u_communes);
    if (fabs(sum - a_faces) > 1e-6 * a_faces)
        fail_msg("faces overlap: their areas add up to %.0f m2, their union is %.0f m2", sum,
                 a_faces);
    if (fabs(a_faces - a_communes) > 1e-3 * a_communes)
        fail_msg("faces cover %.0f m2, the communes %.0f m2", a_faces, a_communes);
    rq_geom_destroy(g, u_faces);
    rq_geom_destroy(g, u_communes);
    rq_geom_destroy(g, faces);
    free(kept);
    free(face_of);
    free(polys);
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
    rq_err_fini(&err);
    rq_io_cleanup();
}

static void
test_wording(void **state)
{
    (void)state;
    char buf[64];
    rq_fr_date("2026-12-02", buf, sizeof buf);
    assert_string_equal(buf, "2 décembre 2026");
    rq_fr_date("2025-01-01", buf, sizeof buf);
    assert_string_equal(buf, "1er janvier 2025");
    /* French typography: a narrow no-break space (U+202F, UTF-8 E2 80 AF)
    ** groups thousands and comes before %, so that no line breaks a figure. */
    assert_string_equal(rq_fr_percent(0.40834, buf, sizeof buf), "40,8\xe2\x80\xaf%");
    assert_string_equal(rq_fr_percent(1, buf, sizeof buf), "100,0\xe2\x80\xaf%");
    assert_string_equal(rq_fr_int(1387386, buf, sizeof buf), "1\xe2\x80\xaf"
                                                             "387\xe2\x80\xaf"
                                                             "386");
    assert_string_equal(rq_fr_int(-999, buf, sizeof buf), "-999");
    assert_string_equal(rq_fr_real(12345.678, 2, buf, sizeof buf), "12\xe2\x80\xaf"
                                                                   "345,68");
    /* Too small a buffer cuts between characters, never inside one. */
    char small[6];
    assert_string_equal(rq_fr_int(1387386, small, sizeof small), "1\xe2\x80\xaf"
                                                                 "3");
    char *words = rq_phase_words("emergence|developpement");
    assert_string_equal(words, "émergence, développement");
    free(words);
    assert_string_equal(rq_category_label("fabrique_initiatives", buf, sizeof buf),
                        "fabrique initiatives");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_projection),         cmocka_unit_test(test_scalebar),
        cmocka_unit_test(test_coverage_simplify),  cmocka_unit_test(test_coverage_enclave),
        cmocka_unit_test(test_coverage_occitanie), cmocka_unit_test(test_wording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
