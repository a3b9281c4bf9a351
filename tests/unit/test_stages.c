/* test_stages.c - load, harmonise and locate on the hand-made fixture
** tests/fixtures/mini, and the input errors they must report.
**
** The fixture (EPSG:2154, squares of 10 km): Alpha 99001 at x 700-710 km,
** Beta 99002 at 710-720 km, Gamma 99003 (delegated, chef-lieu Beta) at
** 720-730 km, Delta 99004 (in no table) above Alpha, Epsilon 98001 (région
** 97) at 730-740 km; all at y 6300-6310 km. Study area: région 98 = Alpha,
** Beta and Zeta 99006 (in the table, no boundary). Expected values below are
** worked out by hand from these numbers.
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static rq_dataset *
prepare(const char *ini, rq_config *cfg, rq_status *rc_out, rq_err *err)
{
    rq_err_clear(err);
    rq_status rc = rq_config_load(ini, cfg, err);
    if (rc != RQ_OK) {
        *rc_out = rc;
        return NULL;
    }
    rq_dataset *ds = rq_dataset_create(cfg);
    assert_non_null(ds);
    *rc_out = rq_pipeline_prepare(ds, err);
    return ds;
}

/* The warnings of one kind, which must exist. */
static const rq_warn_group *
warn_group(const rq_dataset *ds, const char *kind)
{
    const rq_warn_group *g = rq_test_warnings(ds, kind);
    if (!g)
        fail_msg("no warning of kind %s", kind);
    return g;
}

static void
test_mini_harmonise(void **state)
{
    (void)state;
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_dataset *ds = prepare(rq_test_fixture("mini/mini.ini"), &cfg, &rc, &err);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);

    assert_int_equal(ds->stats.n_boundaries, 5);
    /* Alpha, Beta, Epsilon as they are; Gamma -> Beta; Delta in no table. */
    const size_t *bnd = ds->stats.redirects[RQ_CODES_BOUNDARIES];
    assert_int_equal(bnd[RQ_RULE_CURRENT], 3);
    assert_int_equal(bnd[RQ_RULE_DELEGATED], 1);
    assert_int_equal(bnd[RQ_RULE_PASSAGE] + bnd[RQ_RULE_ARRONDISSEMENT], 0);
    assert_int_equal(bnd[RQ_RULE_UNKNOWN], 1);
    assert_int_equal(ds->stats.n_repaired, 0);
    /* Current communes with a boundary: Epsilon, Alpha, Beta; in the area: 2. */
    assert_int_equal(ds->n_communes, 3);
    assert_int_equal(ds->n_area, 2);
    assert_int_equal(ds->stats.n_communes_area, 3);
    assert_int_equal(ds->stats.population_area, 1500 + 8000 + 100);
    assert_int_equal(ds->n_unmatched, 2);
    assert_string_equal(ds->unmatched[0].side, "boundaries");
    assert_string_equal(ds->unmatched[0].code, "99004");
    assert_string_equal(ds->unmatched[1].side, "table");
    assert_string_equal(ds->unmatched[1].code, "99006");
    /* Both are warnings, with what they weigh: Delta's 100 km2, Zeta's 100
    ** inhabitants (method.md §1.1: never silently dropped). */
    assert_close(ds->unmatched[0].area_km2, 100.0, 1e-9);
    assert_int_equal(ds->unmatched[1].population, 100);
    assert_non_null(strstr(warn_group(ds, "contour-non-apparie")->details[0], "99004"));
    assert_non_null(
        strstr(warn_group(ds, "commune-sans-contour")->details[0], "99006 Zeta (100 inhabitants)"));
    assert_int_equal(ds->stats.n_communes_no_boundary, 1);
    assert_int_equal(ds->stats.population_no_boundary, 100);

    long a = rq_commune_find(ds, "99001"), b = rq_commune_find(ds, "99002");
    assert_true(a >= 0 && b >= 0);
    assert_float_equal(ds->communes[a].area_km2, 100.0, 1e-9);
    assert_float_equal(ds->communes[b].area_km2, 200.0, 1e-9); /* Beta + Gamma */
    assert_int_equal(ds->communes[b].n_parts, 2);
    assert_int_equal(ds->communes[b].population, 8000); /* the commune-actuelle row */
    /* Point on surface of the 20 x 10 km rectangle: its centre. */
    assert_float_equal(ds->communes[b].rx, 720000.0, 1e-6);
    assert_float_equal(ds->communes[b].ry, 6305000.0, 1e-6);

    /* Density: Alpha level 6 (rural); Beta takes the level of its most
    ** populous 2022 part, Beta itself (pmun19 7600 > Gamma's 310): level 2. */
    assert_int_equal(ds->communes[a].dens_level, 6);
    assert_int_equal(ds->communes[b].dens_level, 2);
    assert_int_equal(ds->communes[a].rural, 1);
    assert_int_equal(ds->communes[b].rural, 0);
    assert_int_equal(ds->stats.redirects[RQ_CODES_DENSITY][RQ_RULE_DELEGATED], 1);
    assert_int_equal(ds->stats.n_rural, 1);
    assert_int_equal(ds->stats.n_fallback, 0);

    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
}

static void
test_mini_locate(void **state)
{
    (void)state;
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_dataset *ds = prepare(rq_test_fixture("mini/mini.ini"), &cfg, &rc, &err);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    long a = rq_commune_find(ds, "99001"), b = rq_commune_find(ds, "99002");

    assert_int_equal(ds->n_sites, 3);
    assert_int_equal(ds->n_structures, 2);
    assert_int_equal(ds->n_zones, 2); /* region 98; communes 99001|99003 = 99001|99002 */
    assert_int_equal(ds->stats.n_sites_area, 3);
    assert_int_equal(ds->stats.n_structures_area, 2);

    /* S1-A by lon/lat: cs2cs EPSG:2154 -> EPSG:4326 of (705000, 6305000)
    ** gave 3.062169, 43.843993 (6 decimals: within a metre). */
    const rq_site *s = rq_test_site(ds, "S1-A");
    assert_int_equal(s->by_coords, 1);
    assert_int_equal(s->commune, a);
    assert_float_equal(s->x, 705000.0, 1.0);
    assert_float_equal(s->y, 6305000.0, 1.0);
    assert_float_equal(s->radius_km, 40.0, 0); /* category default */
    assert_float_equal(s->capacity, 10.0, 0);

    /* S2-B by code: 99003 is delegated, so it stands at Beta's point. */
    s = rq_test_site(ds, "S2-B");
    assert_int_equal(s->by_coords, 0);
    assert_string_equal(s->commune_code, "99002");
    assert_int_equal(s->commune, b);
    assert_float_equal(s->x, 720000.0, 1e-6);
    assert_float_equal(s->radius_km, 12.0, 0); /* row's rayon_km */
    assert_int_equal(s->phases, (1u << 1) | (1u << 2));

    /* S2-C: empty capacity counts as 0 with a warning; itinerant. */
    s = rq_test_site(ds, "S2-C");
    assert_int_equal(s->capacity_missing, 1);
    assert_float_equal(s->capacity, 0.0, 0);
    assert_int_equal(s->itinerant, 1);
    assert_float_equal(s->radius_km, 30.0, 0);
    const rq_warn_group *g = warn_group(ds, "capacite-vide");
    assert_int_equal(g->n, 1);
    assert_non_null(strstr(g->details[0], "line 4"));

    /* Both S2 sites share the zone {Alpha, Beta}; S1's région-98 zone holds
    ** the same communes but is a different zone (another key). */
    const rq_site *s2b = rq_test_site(ds, "S2-B"), *s2c = rq_test_site(ds, "S2-C");
    assert_int_equal(s2b->zone, s2c->zone);
    assert_int_equal(s2b->structure, s2c->structure);
    const rq_zone *z = &ds->zones[s2b->zone];
    assert_int_equal(z->n_communes, 2);
    assert_int_equal(z->communes[0], a);
    assert_int_equal(z->communes[1], b);
    assert_string_equal(z->key, "communes:99001|99002");

    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
}

/* ---- Broken inputs -------------------------------------------------------- */

/* Loads a copy of mini.ini for the study area region whose structures
** file has the given content; the dataset (NULL when the configuration
** fails) and *rc, the status of the stages. */
static rq_dataset *
prepare_with(const char *region, const char *csv, rq_config *cfg, rq_status *rc, rq_err *err)
{
    char *dir = rq_test_tmpdir();
    char ini[512], data[512], text[4096];
    snprintf(data, sizeof data, "%s/structures.csv", dir);
    snprintf(ini, sizeof ini, "%s/t.ini", dir);
    rq_test_write_file(data, csv);
    char fx[512];
    rq_strlcpy(fx, rq_test_fixture("mini"), sizeof fx);
    snprintf(text, sizeof text,
             "[study]\nregion = %s\n[communes]\npath = %s/communes.geojson\n"
             "[cog]\npath = %s/cog.csv\n[epci]\npath = %s/epci.csv\n"
             "[structures]\npath = %s\n[categories]\nincubateur = 40\ncae = 30\n",
             region, fx, fx, fx, data);
    rq_test_write_file(ini, text);
    rq_dataset *ds = prepare(ini, cfg, rc, err);
    unlink(data);
    unlink(ini);
    rmdir(dir);
    free(dir);
    return ds;
}

/* The status of loading mini.ini with the given structures file. */
static rq_status
load_with_structures(const char *csv, rq_err *err)
{
    rq_config cfg;
    rq_status rc;
    rq_dataset *ds = prepare_with("98", csv, &cfg, &rc, err);
    if (ds) {
        rq_dataset_destroy(ds);
        rq_config_fini(&cfg);
    }
    return rc;
}

#define HEADER                                                                                     \
    "structure_id,site_id,nom,categorie,phases,zone_type,zone_codes,site_type,commune_code,lon,"   \
    "lat,capacite,rayon_km,itinerant\n"

static void
expect_error(const char *csv, const char *const *needles)
{
    rq_err err = {0};
    rq_status rc = load_with_structures(csv, &err);
    assert_int_equal(rc, RQ_ERR_INPUT);
    for (const char *const *n = needles; *n; n++)
        if (!strstr(err.msg, *n))
            fail_msg("expected '%s' in:\n%s", *n, err.msg);
    rq_err_fini(&err);
}

static void
test_bad_category(void **state)
{
    (void)state;
    const char *n[] = {"structures.csv",
                       "line 2",
                       "'categorie'",
                       "unknown category 'incubator'",
                       "expected one of incubateur, cae ([categories])",
                       NULL};
    expect_error(HEADER "S,S1,x,incubator,emergence,region,98,siege,99001,,,1,,0\n", n);
}

static void
test_bad_zone_code(void **state)
{
    (void)state;
    const char *n[] = {"line 2", "'zone_codes'", "departement code '77' does not exist", NULL};
    expect_error(HEADER "S,S1,x,cae,emergence,departement,77,siege,99001,,,1,,0\n", n);
}

static void
test_swapped_lonlat(void **state)
{
    (void)state;
    const char *n[] = {"line 2", "falls in no loaded commune", "swapped", NULL};
    expect_error(HEADER "S,S1,x,cae,emergence,region,98,siege,99001,43.843993,3.062169,1,,0\n", n);
}

static void
test_duplicate_site(void **state)
{
    (void)state;
    const char *n[] = {"line 3, field 'site_id': site id 'S1' is already used on line 2", NULL};
    expect_error(HEADER "S,S1,x,cae,emergence,region,98,siege,99001,,,1,,0\n"
                        "S,S1,y,cae,emergence,region,98,siege,99002,,,1,,0\n",
                 n);
}

static void
test_unknown_commune_and_phase_all_at_once(void **state)
{
    (void)state;
    /* Three faults on two rows: all are reported, each with its line. */
    const char *n[] = {"3 errors", "line 2, field 'commune_code': '12345' is not a commune",
                       "line 3, field 'phases': unknown phase 'lancement'",
                       "line 3, field 'capacite': '-2'", NULL};
    expect_error(HEADER "S,S1,x,cae,emergence,region,98,siege,12345,,,1,,0\n"
                        "S,S2,x,cae,lancement,region,98,siege,99001,,,-2,,0\n",
                 n);
}

static void
test_half_coordinates(void **state)
{
    (void)state;
    const char *n[] = {"line 2, field 'lat': empty while the other coordinate is given", NULL};
    expect_error(HEADER "S,S1,x,cae,emergence,region,98,siege,99001,3.06,,1,,0\n", n);
}

static void
test_missing_column(void **state)
{
    (void)state;
    const char *n[] = {"no field 'categorie'", "[structures] category", NULL};
    expect_error("structure_id,site_id,phases,zone_type,zone_codes,commune_code\n"
                 "S,S1,emergence,region,98,99001\n",
                 n);
}

static void
test_not_utf8(void **state)
{
    (void)state;
    const char *n[] = {"line 2", "'nom'", "not valid UTF-8", NULL};
    expect_error(HEADER "S,S1,Caf\xe9,cae,emergence,region,98,siege,99001,,,1,,0\n", n);
}

static void
test_empty_file(void **state)
{
    (void)state;
    const char *n[] = {"structures.csv", "empty", NULL};
    expect_error("", n);
}

static void
test_inconsistent_structure(void **state)
{
    (void)state;
    const char *n[] = {"line 3 (site S2): structure S: category unlike its first row (line 2)",
                       NULL};
    expect_error(HEADER "S,S1,x,cae,emergence,region,98,siege,99001,,,1,,0\n"
                        "S,S2,x,incubateur,emergence,region,98,siege,99001,,,1,,0\n",
                 n);
}

static void
test_truncated_boundaries(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char ini[512], text[4096], fx[512];
    rq_strlcpy(fx, rq_test_fixture("mini"), sizeof fx);
    snprintf(ini, sizeof ini, "%s/t.ini", dir);
    snprintf(text, sizeof text,
             "[study]\nregion = 98\n[communes]\npath = %s\n"
             "[cog]\npath = %s/cog.csv\n[epci]\npath = %s/epci.csv\n"
             "[structures]\npath = %s/structures.csv\n[categories]\nincubateur = 40\ncae = 30\n",
             rq_test_fixture("broken/truncated.geojson"), fx, fx, fx);
    rq_test_write_file(ini, text);
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_dataset *ds = prepare(ini, &cfg, &rc, &err);
    assert_int_equal(rc, RQ_ERR_INPUT);
    assert_non_null(strstr(err.msg, "truncated.geojson"));
    rq_dataset_destroy(ds);
    if (ds)
        rq_config_fini(&cfg);
    unlink(ini);
    rmdir(dir);
    free(dir);
}

/* A list of régions, a national zone and a structure of more than 255
** sites (the per-structure count once wrapped at 256): région 98 (Alpha,
** Beta) plus 97 (Epsilon) makes 3 study-area communes; the national zone
** holds every commune of the table with a boundary, the same 3; S has 300
** sites, all placed at Alpha's point. */
static void
test_regions_national_zone_many_sites(void **state)
{
    (void)state;
    size_t cap = 64 * 400, len = 0;
    char *csv = rq_xmalloc(cap);
    len += (size_t)snprintf(csv, cap, "%s", HEADER);
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(csv + len, cap - len,
                                "S,S-%03d,x,cae,emergence,national,,siege,99001,,,1,,0\n", i);
    rq_config cfg;
    rq_err err = {0};
    rq_status rc;
    rq_dataset *ds = prepare_with("98|97", csv, &cfg, &rc, &err);
    free(csv);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(cfg.n_regions, 2);
    assert_int_equal(ds->n_area, 3);
    assert_int_equal(ds->stats.n_communes_area, 4); /* Zeta has no boundary */
    assert_int_equal(ds->n_structures, 1);
    assert_int_equal(ds->structures[0].n_sites, 300);
    assert_int_equal(ds->stats.n_sites_area, 300);
    assert_int_equal(ds->n_zones, 1);
    assert_int_equal(ds->zones[0].type, RQ_ZONE_NATIONAL);
    assert_int_equal(ds->zones[0].n_communes, 3);
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mini_harmonise),
        cmocka_unit_test(test_mini_locate),
        cmocka_unit_test(test_regions_national_zone_many_sites),
        cmocka_unit_test(test_bad_category),
        cmocka_unit_test(test_bad_zone_code),
        cmocka_unit_test(test_swapped_lonlat),
        cmocka_unit_test(test_duplicate_site),
        cmocka_unit_test(test_unknown_commune_and_phase_all_at_once),
        cmocka_unit_test(test_half_coordinates),
        cmocka_unit_test(test_missing_column),
        cmocka_unit_test(test_not_utf8),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_inconsistent_structure),
        cmocka_unit_test(test_truncated_boundaries),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
