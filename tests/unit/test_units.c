/* test_units.c - study units finer than communes ([units], method.md
** §1.4) on tests/fixtures/units: the mini fixture's communes cut into
** seven units by hand.
**
** Units (EPSG:2154, km), sorted by id: U-A1 [700,705]x[6300,6305], U-A2
** [705,710]x[6300,6305], U-A3 [700,705]x[6305,6310], U-A4
** [705,710]x[6305,6310] in Alpha 99001 (300, 400, 500, 300 inhabitants:
** Alpha's 1,500); U-B1 [710,720]x[6300,6310] in Beta 99002 (6,000); U-B2
** [720,730]x[6300,6310] named by Gamma 99003, delegated to Beta (2,000);
** U-E1 [730,740]x[6300,6310] in Epsilon 98001, outside the study area (50).
** A square's representative point is its centre. Sites (test_stages.c):
** S1-A incubateur at (705,6305); S2-B and S2-C, cae, at Beta's point
** (720,6305), zone {Alpha, Beta}. Every expected value is worked out by
** hand from these numbers.
*/
#include "rq_test.h"

#include "raquette/analysis.h"
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <string.h>

static long
unit_index(const rq_commune *c, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].code, id) == 0)
            return (long)i;
    fail_msg("no unit %s", id);
    return -1;
}

static rq_dataset *
prepare(const char *ini, rq_config *cfg, rq_err *err, rq_status *rc)
{
    rq_err_clear(err);
    if ((*rc = rq_config_load(rq_test_fixture(ini), cfg, err)) != RQ_OK)
        fail_msg("%s", err->msg);
    rq_dataset *ds = rq_dataset_create(cfg);
    *rc = rq_pipeline_prepare(ds, err);
    return ds;
}

/* Read and checked: counts, order, what each unit takes from its commune. */
static void
test_units_load(void **state)
{
    (void)state;
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_dataset *ds = prepare("units/units.ini", &cfg, &err, &rc);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    const rq_unitset *us = &ds->units;
    assert_int_equal(ds->stats.n_units, 7);
    assert_int_equal(ds->stats.n_units_area, 6);
    assert_int_equal(ds->stats.population_units, 1500 + 8000);
    assert_int_equal(ds->stats.n_communes_no_unit, 0);
    assert_null(rq_test_warnings(ds, "unites-population"));
    assert_null(rq_test_warnings(ds, "commune-sans-unite"));
    /* Sorted by id whatever the file's order. */
    static const char *const ids[] = {"U-A1", "U-A2", "U-A3", "U-A4", "U-B1", "U-B2", "U-E1"};
    for (size_t i = 0; i < NELEM(ids); i++)
        assert_string_equal(us->c[i].code, ids[i]);
    long b = rq_commune_find(ds, "99002");
    const rq_commune *b2 = &us->c[5];
    assert_int_equal(us->parent[5], b);
    assert_string_equal(b2->insee, "99002"); /* 99003 is delegated to Beta */
    assert_string_equal(b2->dep, "99");
    assert_int_equal(b2->population, 2000);
    assert_float_equal(b2->area_km2, 100.0, 1e-9);
    assert_float_equal(b2->rx, 725000.0, 1e-6);
    assert_int_equal(b2->rural, 0);      /* Beta: density level 2 */
    assert_int_equal(us->c[0].rural, 1); /* Alpha: level 6 */
    assert_float_equal(us->c[0].area_km2, 25.0, 1e-9);
    assert_int_equal(us->c[6].in_area, 0); /* Epsilon, région 97 */
    /* Until the reach stage the communes are still in place. */
    assert_int_equal(ds->n_area, 2);
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
}

/* After the analysis every row is a unit: zones, sites and distances follow. */
static void
test_units_analysis(void **state)
{
    (void)state;
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_results res;
    memset(&res, 0, sizeof res);
    rq_dataset *ds = prepare("units/units.ini", &cfg, &err, &rc);
    if (rc != RQ_OK || (rc = rq_analysis_run(ds, &res, 1, &err)) != RQ_OK)
        fail_msg("%s", err.msg);
    assert_true(ds->units.applied);
    assert_int_equal(ds->n_communes, 7);
    assert_int_equal(ds->n_area, 6);
    assert_int_equal(res.n_ind, 6);
    /* The communes are kept for their polygons; Beta is still 200 km2. */
    assert_int_equal(ds->units.n, 3);

    /* S2's zone {Alpha, Beta} holds the six units of the area, not U-E1. */
    const rq_site *s2b = rq_test_site(ds, "S2-B");
    const rq_zone *z = &ds->zones[s2b->zone];
    assert_int_equal(z->n_communes, 6);
    assert_false(z->member[unit_index(ds->communes, ds->n_communes, "U-E1")]);
    /* S2-B at (720,6305) lies on the edge of U-B1 and U-B2: the first. */
    assert_int_equal(s2b->commune, unit_index(ds->communes, ds->n_communes, "U-B1"));

    /* Distances from each unit's own centre, no longer from Alpha's:
    ** U-A1 (702.5,6302.5) to (720,6305) = hypot(17.5, 2.5) = 17.67767 km;
    ** U-A4 (707.5,6307.5): hypot(12.5, 2.5) = 12.74755 km; U-B2 (725,6305)
    ** to the incubator at (705,6305): 20 km (within a metre: lon/lat). */
    int cae = rq_config_category(&cfg, "cae"), inc = rq_config_category(&cfg, "incubateur");
    const rq_commune_ind *a1 = NULL, *a4 = NULL, *bb = NULL;
    long pop = 0, rural_pop = 0;
    for (size_t a = 0; a < res.n_ind; a++) {
        const rq_commune *u = &ds->communes[res.ind[a].commune];
        a1 = strcmp(u->code, "U-A1") == 0 ? &res.ind[a] : a1;
        a4 = strcmp(u->code, "U-A4") == 0 ? &res.ind[a] : a4;
        bb = strcmp(u->code, "U-B2") == 0 ? &res.ind[a] : bb;
        pop += u->population;
        rural_pop += res.ind[a].rural ? u->population : 0;
    }
    assert_non_null(a1);
    assert_non_null(a4);
    assert_non_null(bb);
    assert_float_equal(a1->dist_km[cae], hypot(17.5, 2.5), 1e-9);
    assert_float_equal(a4->dist_km[cae], hypot(12.5, 2.5), 1e-9);
    assert_float_equal(a1->temps_min[cae], hypot(17.5, 2.5) * 1.3 / 40 * 60, 1e-9);
    assert_float_equal(bb->dist_km[inc], 20.0, 1e-3);
    /* S2-C (30 km) covers all of U-A1: its farthest corner is 20.6 km away. */
    assert_float_equal(a1->couv[cae], 1.0, 1e-12);
    /* The study area's figures add up the units. */
    assert_int_equal(pop, 9500);
    assert_int_equal(res.agg_area.communes, 6);
    assert_int_equal(res.agg_area.population, 9500);
    assert_int_equal(res.agg_area.pop_rurale, 1500); /* Alpha's four units */
    assert_int_equal(rural_pop, 1500);

    rq_results_fini(ds->geos, &res);
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
}

/* Every problem of the units file at once, each with its feature and field. */
static void
test_units_errors(void **state)
{
    (void)state;
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_dataset *ds = prepare("units/bad-units.ini", &cfg, &err, &rc);
    assert_int_equal(rc, RQ_ERR_INPUT);
    const char *all = err.full ? err.full : err.msg;
    static const char *const expected[] = {
        "5 errors in",
        "features 1 and 2 both have id X",
        "feature 3 (unit Y), field 'code_commune': '12345' is no commune",
        "feature 4 (unit Z), field 'population': '-3' is not a population",
        "feature 5 (unit W): not a polygon",
        "feature 6 (unit V), field 'code_commune': '99006' is a commune without a boundary",
    };
    for (size_t i = 0; i < NELEM(expected); i++)
        if (!strstr(all, expected[i]))
            fail_msg("no '%s' in:\n%s", expected[i], all);
    rq_err_fini(&err);
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
}

int
main(void)
{
    rq_io_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_load),
        cmocka_unit_test(test_units_analysis),
        cmocka_unit_test(test_units_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rq_io_cleanup();
    return rc;
}
