/* test_harmonise.c - every commune accounted for: the harmonisation of
** commune codes through the commune table and the passage table, features
** sharing a code, sites just off their commune, skip_bad_rows on each kind
** of row problem, and complete error lists.
**
** The fixture tests/fixtures/codes (see codes.ini) is made of 10 km squares
** in Lambert-93, so every expected area, count and position below is worked
** out by hand from its files:
**   Neuf 99010 (x 700-710 km) + 99011 (710-720), which the passage table
**     sends to 99012, and 99012 to 99010: a chain of two steps;
**   Ville 99020: no feature of its own, its arrondissements 99021 (720-730)
**     and 99022 (730-740);
**   Doublon 99030: two features 740-750 and 760-770, disjoint;
**   Côte 99050 (770-780), the sea beyond x = 780 km.
** Lon/lat of the sites: cs2cs EPSG:2154 -> EPSG:4326 of the metric points
** named next to them (7 decimals, about 1 cm).
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* (780100, 6305000): 100 m east of Côte. */
#define OFF_100M "3.9958974,43.8394648"
/* (790000, 6305000): 10 km east of Côte. */
#define OFF_10KM "4.1189703,43.8382718"

#define HEADER                                                                                     \
    "structure_id,site_id,nom,categorie,phases,zone_type,zone_codes,site_type,commune_code,lon,"   \
    "lat,capacite,rayon_km,itinerant\n"
/* The fixture's three sites, all valid. */
#define GOOD_ROWS                                                                                  \
    "S1,S1-A,a,cae,creation,communes,99022|99011,siege,99021,,,5,,0\n"                             \
    "S1,S1-B,b,cae,creation,communes,99011|99022,antenne,99011,,,5,,0\n"                           \
    "S2,S2-A,c,incubateur,emergence,epci,200000010,siege,99050," OFF_100M ",10,,0\n"

/* A run of the stages on the fixture, with the structures file and
** optionally the boundaries replaced. */
struct run {
    char *dir;
    rq_config cfg;
    rq_dataset *ds;
    rq_status rc;
    rq_err err;
};

static void
run_open(struct run *r, const char *structures, const char *communes, int skip)
{
    memset(r, 0, sizeof *r);
    r->dir = rq_test_tmpdir();
    char fx[512], path[1024], text[4096];
    rq_strlcpy(fx, rq_test_fixture("codes"), sizeof fx);
    snprintf(path, sizeof path, "%s/structures.csv", r->dir);
    rq_test_write_file(path, structures);
    if (communes) {
        snprintf(path, sizeof path, "%s/communes.geojson", r->dir);
        rq_test_write_file(path, communes);
    }
    snprintf(text, sizeof text,
             "[study]\nregion = 98\n[communes]\npath = %s/communes.geojson\n"
             "[cog]\npath = %s/cog.csv\n[epci]\npath = %s/epci.csv\n"
             "[passage]\npath = %s/passage.csv\n[departements]\npath = %s/departements.csv\n"
             "[density]\npath = %s/density.csv\n"
             "[structures]\npath = structures.csv\nskip_bad_rows = %s\n"
             "[categories]\nincubateur = 40\ncae = 30\n",
             communes ? r->dir : fx, fx, fx, fx, fx, fx, skip ? "true" : "false");
    snprintf(path, sizeof path, "%s/t.ini", r->dir);
    rq_test_write_file(path, text);
    r->rc = rq_config_load(path, &r->cfg, &r->err);
    assert_int_equal(r->rc, RQ_OK);
    r->ds = rq_dataset_create(&r->cfg);
    assert_non_null(r->ds);
    r->rc = rq_pipeline_prepare(r->ds, &r->err);
}

static void
run_close(struct run *r)
{
    char cmd[1100];
    rq_dataset_destroy(r->ds);
    rq_config_fini(&r->cfg);
    rq_err_fini(&r->err);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
    assert_int_equal(rq_test_run(cmd, NULL), 0);
    free(r->dir);
}

static const rq_commune *
commune(const rq_dataset *ds, const char *code)
{
    long i = rq_commune_find(ds, code);
    if (i < 0)
        fail_msg("no commune %s", code);
    return &ds->communes[i];
}

static void
assert_redirects(const rq_dataset *ds, rq_code_input in, size_t current, size_t delegated,
                 size_t passage, size_t arrondissement, size_t unknown)
{
    const size_t *r = ds->stats.redirects[in];
    const size_t want[RQ_N_RULES] = {current, delegated, passage, arrondissement, unknown};
    for (int k = 0; k < RQ_N_RULES; k++)
        if (r[k] != want[k])
            fail_msg("%s, rule %s: %zu codes, expected %zu", rq_code_input_names[in],
                     rq_rule_names[k], r[k], want[k]);
}

/* ---- Passage table ------------------------------------------------------ */

static void
test_passage_chain_and_arrondissements(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, HEADER GOOD_ROWS, NULL, 0);
    if (r.rc != RQ_OK)
        fail_msg("%s", rq_err_text(&r.err));
    const rq_dataset *ds = r.ds;

    rq_rule rule;
    assert_string_equal(rq_code_resolve(ds, "99011", &rule), "99010");
    assert_int_equal(rule, RQ_RULE_PASSAGE); /* the rule of the first step */
    assert_string_equal(rq_code_resolve(ds, "99012", &rule), "99010");
    assert_string_equal(rq_code_resolve(ds, "99022", &rule), "99020");
    assert_int_equal(rule, RQ_RULE_ARRONDISSEMENT);
    assert_string_equal(rq_code_resolve(ds, "99050", &rule), "99050");
    assert_int_equal(rule, RQ_RULE_CURRENT);
    assert_null(rq_code_resolve(ds, "99999", &rule));
    assert_int_equal(rule, RQ_RULE_UNKNOWN);

    /* Every feature found its commune: 4 current communes, each with its
    ** whole territory. */
    assert_int_equal(ds->n_communes, 4);
    assert_int_equal(ds->n_unmatched, 0);
    assert_close(commune(ds, "99010")->area_km2, 200.0, 1e-9); /* 99010 + 99011 */
    assert_int_equal(commune(ds, "99010")->n_parts, 2);
    assert_close(commune(ds, "99020")->area_km2, 200.0, 1e-9); /* 99021 + 99022 */
    assert_int_equal(commune(ds, "99020")->n_parts, 2);
    /* Boundaries: 99010, 99030 twice, 99050 as they are; 99011 by passage;
    ** 99021 and 99022 as arrondissements. */
    assert_redirects(ds, RQ_CODES_BOUNDARIES, 4, 0, 1, 2, 0);
    /* Density grid: 99011's row joins 99010, whose own part is the most
    ** populous (900 > 100): level 5. */
    assert_redirects(ds, RQ_CODES_DENSITY, 4, 0, 1, 0, 0);
    assert_int_equal(commune(ds, "99010")->dens_level, 5);
    /* EPCI members 99011|99021|99022|99030|99050: one member per commune. */
    assert_redirects(ds, RQ_CODES_EPCI, 2, 0, 1, 2, 0);
    const rq_epci *e = rq_epci_find(ds, "200000010");
    assert_non_null(e);
    assert_int_equal(e->n_members, 4);
    assert_string_equal(e->members[0], "99010");
    assert_string_equal(e->members[1], "99020");
    /* Sites: 99021 (arrondissement), 99011 (passage), 99050. */
    assert_redirects(ds, RQ_CODES_SITES, 1, 0, 1, 1, 0);
    assert_string_equal(rq_test_site(ds, "S1-A")->commune_code, "99020");
    assert_string_equal(rq_test_site(ds, "S1-B")->commune_code, "99010");
    /* Zone codes 99022|99011 on two rows: one zone, {99010, 99020}. */
    assert_redirects(ds, RQ_CODES_ZONES, 0, 0, 2, 2, 0);
    const rq_zone *z = &ds->zones[rq_test_site(ds, "S1-A")->zone];
    assert_string_equal(z->key, "communes:99010|99020");
    assert_int_equal(z->n_communes, 2);
    /* The département's name comes from its table. */
    assert_string_equal(rq_dep_name(ds, "99"), "Fictif");
    run_close(&r);
}

static void
test_passage_cycle_is_an_error(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char path[1024], text[4096], fx[512];
    rq_strlcpy(fx, rq_test_fixture("codes"), sizeof fx);
    snprintf(path, sizeof path, "%s/passage.csv", dir);
    rq_test_write_file(path, "ancien_code,code,nature\n99011,99012,\n99012,99011,\n");
    snprintf(text, sizeof text,
             "[study]\nregion = 98\n[communes]\npath = %s/communes.geojson\n"
             "[cog]\npath = %s/cog.csv\n[epci]\npath = %s/epci.csv\n"
             "[passage]\npath = passage.csv\n[structures]\npath = %s/structures.csv\n"
             "[categories]\ncae = 30\n",
             fx, fx, fx, fx);
    snprintf(path, sizeof path, "%s/t.ini", dir);
    rq_test_write_file(path, text);
    rq_config cfg;
    rq_err err = {0};
    assert_int_equal(rq_config_load(path, &cfg, &err), RQ_OK);
    rq_dataset *ds = rq_dataset_create(&cfg);
    assert_int_equal(rq_pipeline_prepare(ds, &err), RQ_ERR_INPUT);
    assert_non_null(strstr(err.msg, "old code 99011: following the table from it never reaches "
                                    "a commune"));
    assert_non_null(strstr(err.msg, "old code 99012"));
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
    rq_err_fini(&err);
    snprintf(text, sizeof text, "rm -rf '%s'", dir);
    assert_int_equal(rq_test_run(text, NULL), 0);
    free(dir);
}

/* ---- Features sharing a code -------------------------------------------- */

static void
test_disjoint_duplicates_are_merged(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, HEADER GOOD_ROWS, NULL, 0);
    assert_int_equal(r.rc, RQ_OK);
    assert_close(commune(r.ds, "99030")->area_km2, 200.0, 1e-9);
    assert_int_equal(commune(r.ds, "99030")->n_parts, 2);
    assert_int_equal(r.ds->stats.n_duplicates_merged, 1);
    const rq_warn_group *w = rq_test_warnings(r.ds, "contour-doublon");
    assert_non_null(w);
    assert_int_equal(w->n, 1);
    assert_string_equal(w->details[0], "code 99030: features 5 and 6");
    run_close(&r);
}

/* The fixture's boundaries with Doublon's second feature moved to x
** 745-755 km: it covers half of the first (50 km2 of 100). */
static char *
overlapping_boundaries(void)
{
    char *text = rq_test_slurp(rq_test_fixture("codes/communes.geojson"));
    char *at = strstr(text, "\"Doublon (partie est)\"");
    assert_non_null(at);
    /* Its four x values are 760000 and 770000: shift them by 15 km. */
    for (int k = 0; k < 5; k++) {
        char *a = strstr(at, "760000"), *b = strstr(at, "770000");
        char *p = a && (!b || a < b) ? a : b;
        assert_non_null(p);
        memcpy(p, p == a ? "745000" : "755000", 6);
    }
    return text;
}

static void
test_overlapping_duplicates_are_an_error(void **state)
{
    (void)state;
    char *geojson = overlapping_boundaries();
    struct run r;
    run_open(&r, HEADER GOOD_ROWS, geojson, 0);
    assert_int_equal(r.rc, RQ_ERR_INPUT);
    assert_non_null(strstr(r.err.msg, "communes.geojson: features 5 and 6 both have code 99030 "
                                      "and overlap on 50 % of the smaller"));
    run_close(&r);
    free(geojson);
}

/* ---- Sites near an edge ------------------------------------------------- */

static void
test_site_100m_off_the_coast_is_placed_on_it(void **state)
{
    (void)state;
    struct run r;
    run_open(&r, HEADER GOOD_ROWS, NULL, 0);
    assert_int_equal(r.rc, RQ_OK);
    const rq_site *s = rq_test_site(r.ds, "S2-A");
    /* The nearest point of Côte to (780100, 6305000) is on its edge x = 780 km. */
    assert_close(s->x, 780000.0, 1e-6);
    assert_close(s->y, 6305000.0, 0.05);
    assert_string_equal(r.ds->communes[s->commune].code, "99050");
    assert_int_equal(r.ds->stats.n_sites_snapped, 1);
    const rq_warn_group *w = rq_test_warnings(r.ds, "site-recale");
    assert_non_null(w);
    assert_non_null(strstr(w->details[0], "(site S2-A), 100 m from 99050 Côte"));
    run_close(&r);
}

static void
test_site_10km_off_the_coast_is_an_error(void **state)
{
    (void)state;
    struct run r;
    run_open(
        &r, HEADER "S2,S2-A,c,incubateur,emergence,epci,200000010,siege,99050," OFF_10KM ",10,,0\n",
        NULL, 0);
    assert_int_equal(r.rc, RQ_ERR_INPUT);
    const char *m = r.err.msg;
    assert_non_null(strstr(m, "line 2 (site S2-A): fields 'lon'/'lat': position (4.11897, "
                              "43.8383) falls in no loaded commune; it lies 10000 m from its "
                              "commune 99050 Côte;"));
    assert_non_null(strstr(m, "within 500 m ([structures] edge_tolerance_m)"));
    run_close(&r);
}

/* ---- skip_bad_rows, one kind of row problem at a time ------------------- */

struct bad_row {
    const char *row;     /* added after the good rows (line 5) */
    const char *message; /* what the error, then the warning, says */
    const char *kind;    /* the kind of warning when skipped */
};

static const struct bad_row bad_rows[] = {
    {"S3,S3-A,d,cae,creation,communes,99050,siege,99050," OFF_10KM ",1,,0\n",
     "line 5 (site S3-A): fields 'lon'/'lat': position (4.11897, 43.8383) falls in no loaded "
     "commune",
     "ligne-ignoree-position"},
    {"S3,S3-A,d,cae,creation,communes,99050,siege,99999,,,1,,0\n",
     "line 5, field 'commune_code': '99999' is not a commune of the commune table",
     "ligne-ignoree-commune"},
    {"S3,S3-A,d,incubator,creation,communes,99050,siege,99050,,,1,,0\n",
     "line 5, field 'categorie': unknown category 'incubator'", "ligne-ignoree-champ"},
    {"S3,S1-A,d,cae,creation,communes,99050,siege,99050,,,1,,0\n",
     "line 5, field 'site_id': site id 'S1-A' is already used on line 2", "ligne-ignoree-doublon"},
    {"S1,S1-C,d,incubateur,creation,communes,99010|99020,siege,99050,,,1,,0\n",
     "line 5 (site S1-C): structure S1: category unlike its first row (line 2)",
     "ligne-ignoree-structure"},
};

static void
test_skip_bad_rows_each_kind(void **state)
{
    (void)state;
    for (size_t i = 0; i < NELEM(bad_rows); i++) {
        const struct bad_row *b = &bad_rows[i];
        char csv[2048];
        snprintf(csv, sizeof csv, "%s%s%s", HEADER, GOOD_ROWS, b->row);
        struct run strict, skip;
        run_open(&strict, csv, NULL, 0);
        if (strict.rc != RQ_ERR_INPUT || !strstr(strict.err.msg, b->message))
            fail_msg("case %zu: expected the error \"%s\", got (%d):\n%s", i, b->message, strict.rc,
                     rq_err_text(&strict.err));
        run_close(&strict);

        run_open(&skip, csv, NULL, 1);
        if (skip.rc != RQ_OK)
            fail_msg("case %zu: skip_bad_rows failed:\n%s", i, rq_err_text(&skip.err));
        assert_int_equal(skip.ds->n_sites, 3);
        assert_int_equal(skip.ds->stats.n_skipped_rows, 1);
        const rq_warn_group *w = rq_test_warnings(skip.ds, b->kind);
        if (!w || w->n != 1 || !strstr(w->details[0], b->message))
            fail_msg("case %zu: no warning %s saying \"%s\"", i, b->kind, b->message);
        /* The skipped row left no trace: S1 is still a cae of 2 sites. */
        const rq_structure *s1 = &skip.ds->structures[rq_test_site(skip.ds, "S1-A")->structure];
        assert_int_equal(s1->n_sites, 2);
        assert_int_equal(s1->category, rq_config_category(&skip.cfg, "cae"));
        run_close(&skip);
    }
}

/* ---- Complete error lists ----------------------------------------------- */

static void
test_long_error_list_is_complete(void **state)
{
    (void)state;
    /* 60 rows with an unknown category: far more than msg holds. */
    size_t n = 60, len = 0, cap = 8192;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv, cap, "%s", HEADER);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, cap - len,
                                "S%zu,S%zu-A,d,incubator,creation,communes,99050,siege,99050,,,"
                                "1,,0\n",
                                i, i);
    struct run r;
    run_open(&r, csv, NULL, 0);
    assert_int_equal(r.rc, RQ_ERR_INPUT);
    assert_non_null(r.err.full);
    assert_non_null(strstr(r.err.msg, "60 errors in "));
    /* msg: whole lines, then how many more. */
    const char *more = strstr(r.err.msg, "\n  ... and ");
    assert_non_null(more);
    assert_null(strchr(more + 1, '\n'));
    /* The whole text: every row, each on a line of its own. */
    for (size_t i = 0; i < n; i++) {
        char needle[128];
        snprintf(needle, sizeof needle, "\n  %s: line %zu, field 'categorie': unknown category",
                 r.cfg.structures.path, i + 2);
        if (!strstr(r.err.full, needle))
            fail_msg("row %zu missing from the full list", i);
    }
    run_close(&r);
    free(csv);
}

/* ---- rq_metric_polygons: every input polygon on worker threads ----------
**
** 100 polygons, so that they span several of the workers' chunks, in
** Lambert-93 kept in Lambert-93 (the identity), so that every expected
** value is plain arithmetic:
**   i % 10 == 3: a bow-tie of 10 m, repaired by MakeValid into its two
**     triangles, 2 x (10 x 5 / 2) = 50 m2;
**   i % 10 == 7: three points on one line, no area: cannot be repaired;
**   otherwise a 1 km square whose west side is at x = 700 km + i km.
** The same polygons with 1 and with 3 threads give the same results. */
#define N_POLYGONS 100

static rq_geom *
nth_polygon(rq_geos *g, size_t i)
{
    char wkt[256];
    double x = 700000.0 + 1000.0 * (double)i, y = 6600000.0;
    if (i % 10 == 3)
        snprintf(wkt, sizeof wkt, "POLYGON((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", x,
                 y, x + 10, y + 10, x + 10, y, x, y + 10, x, y);
    else if (i % 10 == 7)
        snprintf(wkt, sizeof wkt, "POLYGON((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", x, y,
                 x + 10, y, x + 20, y, x, y);
    else
        snprintf(wkt, sizeof wkt, "POLYGON((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))", x,
                 y, x + 1000, y, x + 1000, y + 1000, x, y + 1000, x, y);
    rq_err err = {0};
    rq_geom *geom = rq_geom_from_wkt(g, wkt, &err);
    assert_non_null(geom);
    return geom;
}

static void
check_metric_polygons(size_t threads)
{
    rq_geos *g = rq_geos_create();
    rq_geom *geoms[N_POLYGONS];
    rq_metric_out out[N_POLYGONS];
    rq_err err = {0};
    for (size_t i = 0; i < N_POLYGONS; i++)
        geoms[i] = nth_polygon(g, i);
    rq_thread_count_set(threads);
    assert_int_equal(rq_metric_polygons("EPSG:2154", "EPSG:2154", geoms, N_POLYGONS, out, &err),
                     RQ_OK);
    for (size_t i = 0; i < N_POLYGONS; i++) {
        rq_bbox b;
        if (i % 10 == 3) {
            assert_int_equal(out[i].status, RQ_METRIC_REPAIRED);
            assert_non_null(out[i].why);
            assert_true(fabs(rq_geom_area(g, geoms[i]) - 50.0) < 1e-6);
        } else if (i % 10 == 7) {
            assert_int_equal(out[i].status, RQ_METRIC_FAILED);
            assert_non_null(out[i].why); /* what is invalid, not "cannot be projected" */
        } else {
            assert_int_equal(out[i].status, RQ_METRIC_OK);
            assert_null(out[i].why);
            assert_true(fabs(rq_geom_area(g, geoms[i]) - 1e6) < 1e-3);
            assert_true(rq_geom_bbox(g, geoms[i], &b));
            assert_true(fabs(b.minx - (700000.0 + 1000.0 * (double)i)) < 1e-6);
        }
        rq_geom_destroy(g, geoms[i]);
    }
    for (size_t i = 0; i < N_POLYGONS; i++)
        free(out[i].why);
    rq_geos_destroy(g);
}

static void
test_metric_polygons_on_threads(void **state)
{
    (void)state;
    check_metric_polygons(1);
    check_metric_polygons(3);
    rq_thread_count_set(0);
}

/* A real projection: Lambert-93's origin, 3 degrees E on 46.5 degrees N, is
** (700,000, 6,600,000) by its definition. A 0.01-degree square from there
** has its west side on the central meridian (x = 700 km) and its south
** side's lowest point on it too (the parallels curve up away from it). An
** unknown CRS is an input error, even with no polygon to project. */
static void
test_metric_polygons_project(void **state)
{
    (void)state;
    rq_geos *g = rq_geos_create();
    rq_err err = {0};
    rq_geom *geom =
        rq_geom_from_wkt(g, "POLYGON((3 46.5,3.01 46.5,3.01 46.51,3 46.51,3 46.5))", &err);
    rq_metric_out out[1];
    rq_bbox b;
    assert_int_equal(rq_metric_polygons("EPSG:4326", "EPSG:2154", &geom, 1, out, &err), RQ_OK);
    assert_int_equal(out[0].status, RQ_METRIC_OK);
    assert_true(rq_geom_bbox(g, geom, &b));
    assert_true(fabs(b.minx - 700000.0) < 1e-3);
    assert_true(fabs(b.miny - 6600000.0) < 1e-3);
    rq_geom_destroy(g, geom);
    assert_int_equal(rq_metric_polygons("EPSG:99999", "EPSG:2154", NULL, 0, out, &err),
                     RQ_ERR_INPUT);
    assert_non_null(strstr(err.msg, "EPSG:99999"));
    rq_err_fini(&err);
    rq_geos_destroy(g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passage_chain_and_arrondissements),
        cmocka_unit_test(test_passage_cycle_is_an_error),
        cmocka_unit_test(test_disjoint_duplicates_are_merged),
        cmocka_unit_test(test_overlapping_duplicates_are_an_error),
        cmocka_unit_test(test_site_100m_off_the_coast_is_placed_on_it),
        cmocka_unit_test(test_site_10km_off_the_coast_is_an_error),
        cmocka_unit_test(test_skip_bad_rows_each_kind),
        cmocka_unit_test(test_long_error_list_is_complete),
        cmocka_unit_test(test_metric_polygons_on_threads),
        cmocka_unit_test(test_metric_polygons_project),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
