/* test_config_errors.c - every kind of error message of the configuration
** module (the valid files are tested in test_config.c).
**
** Error tests check the message a user reads, not only the status: it must
** name file:line, the key and the expected form (method.md §1.3).
*/
#include "rq_test.h"
#include "rq_test_config.h"

#include "raquette/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Errors ---------------------------------------------------------------- */

static void
test_unknown_key(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[coverage]\ntreshold = 0.4\n", &err);
    assert_contains(err.msg, "1 error in t.ini:");
    assert_contains(err.msg, "t.ini:14: unknown key 'treshold' in [coverage] (did you mean "
                             "'threshold'?)");

    /* A key of another section says where it belongs. */
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[travel]\nthreshold = 0.4\n", &err);
    assert_contains(err.msg, "t.ini:14: unknown key 'threshold' in [travel] (it belongs in "
                             "[coverage])");

    /* Far from everything: the valid keys are listed. */
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[travel]\nvitesse_moyenne = 30\n", &err);
    assert_contains(err.msg, "t.ini:14: unknown key 'vitesse_moyenne' in [travel] (valid keys: "
                             "detour, speed_kmh)");
}

static void
test_unknown_section(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    /* Keys under an unknown section are not reported one by one. */
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[structure]\nlist_separator = ;\nfoo = 1\n", &err);
    assert_contains(err.msg, "1 error in t.ini:");
    assert_contains(err.msg, "t.ini:13: unknown section [structure] (did you mean [structures]?)");

    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[zzzzzzzzzz]\n", &err);
    assert_contains(err.msg, "t.ini:13: unknown section [zzzzzzzzzz] (sections: [study]");
}

static void
test_bad_number(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[travel]\nspeed_kmh = fast\n", &err);
    assert_contains(err.msg, "t.ini:14: [travel] speed_kmh = 'fast': expected a number > 0 (km/h)");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[travel]\ndetour = 0.9\n", &err);
    assert_contains(err.msg, "t.ini:14: [travel] detour = '0.9': expected a number >= 1");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[coverage]\nthreshold = 0\n", &err);
    assert_contains(err.msg, "t.ini:14: [coverage] threshold = '0': expected a number > 0 and "
                             "<= 1 (share of the commune's area)");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[coverage]\nthreshold = inf\n", &err);
    assert_contains(err.msg, "threshold = 'inf'");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[rurality]\nfallback_max_population = 2000.5\n",
                         &err);
    assert_contains(err.msg, "t.ini:14: [rurality] fallback_max_population = '2000.5': expected "
                             "an integer >= 0 (inhabitants)");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[structures]\nskip_bad_rows = maybe\n", &err);
    assert_contains(err.msg, "t.ini:14: [structures] skip_bad_rows = 'maybe': expected true or "
                             "false");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[accessibility]\nweight = linear\n", &err);
    assert_contains(err.msg, "t.ini:14: [accessibility] weight = 'linear': expected step, "
                             "gaussian or gravity");
}

static void
test_radius_bounds(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "cae = 0\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] cae = '0': expected a number > 0 and <= "
                             "1000 (kilometres)");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "cae = 5000\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] cae = '5000': expected a number > 0 and <= "
                             "1000 (kilometres)");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "cae = 30km\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] cae = '30km': expected a number");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "Tiers-Lieu = 20\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] 'Tiers-Lieu' is not a valid category name: "
                             "expected lower-case letters, digits or '_'");
}

static void
test_missing_required(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    /* RQ_TEST_BASE_INI without its [epci] section. */
    rq_test_config_fails(fx,
                         "[study]\nregion = 76\n[communes]\npath = communes.geojson\n[cog]\npath = "
                         "cog.csv\n[structures]\npath = structures.csv\n[categories]\ncae = 30\n",
                         &err);
    assert_contains(err.msg, "t.ini: missing section [epci] with its required key path (the EPCI "
                             "table)");
    /* Section present, key absent; key present but empty. */
    rq_test_config_fails(
        fx,
        "[study]\nregion = 76\n[communes]\nlayer = x\n[cog]\npath =\n[epci]\npath = "
        "epci.csv\n[structures]\npath = structures.csv\n[categories]\ncae = 30\n",
        &err);
    assert_contains(err.msg, "2 errors in t.ini:");
    assert_contains(err.msg, "t.ini:3: [communes] has no path: the path of the commune "
                             "boundaries is required");
    assert_contains(err.msg, "t.ini:6: [cog] path is empty: the path of the commune table, COG "
                             "is required");
    /* No category at all. */
    rq_test_config_fails(fx,
                         "[study]\nregion = 76\n[communes]\npath = communes.geojson\n[cog]\npath = "
                         "cog.csv\n[epci]\npath = epci.csv\n[structures]\npath = structures.csv\n",
                         &err);
    assert_contains(err.msg, "t.ini: [categories] is missing: give at least one category as "
                             "name = radius_km");
}

static void
test_region_xor_departements(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[study]\ndepartements = 09|11\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] region (line 2) and departements (line 14) are "
                             "both set: give exactly one of them");

    rq_test_config_fails(
        fx,
        "[study]\nname = x\n[communes]\npath = communes.geojson\n[cog]\npath = cog.csv\n"
        "[epci]\npath = epci.csv\n[structures]\npath = structures.csv\n"
        "[categories]\ncae = 30\n",
        &err);
    assert_contains(err.msg, "t.ini:1: [study] has neither region nor departements: give exactly "
                             "one of them");

    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[study]\nregion =\ndepartements = 09,11\n", &err);
    assert_contains(err.msg, "t.ini:14: duplicate key 'region' in [study] (first given at line "
                             "2)");
    assert_contains(err.msg, "t.ini:15: [study] departements = '09,11': expected département "
                             "codes separated by '|'");
}

static void
test_duplicate_key(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(
        fx, RQ_TEST_BASE_INI "[travel]\ndetour = 1.2\nspeed_kmh = 50\ndetour = 1.4\n", &err);
    assert_contains(err.msg, "1 error in t.ini:");
    assert_contains(err.msg, "t.ini:16: duplicate key 'detour' in [travel] (first given at line "
                             "14)");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "incubateur = 30\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] duplicate key 'incubateur' (first given at "
                             "line 12)");
}

static void
test_unset_geodata(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_test_env geo = rq_test_env_save("RAQUETTE_GEODATA");
    const char *text = "[study]\nregion = 76\n"
                       "[communes]\npath = ${RAQUETTE_GEODATA}/occitanie/communes-2018.geojson\n"
                       "[cog]\npath = ${RAQUETTE_GEODATA}/cog/communes-cog2026.csv\n"
                       "[epci]\npath = epci.csv\n[structures]\npath = structures.csv\n"
                       "[categories]\ncae = 30\n";
    rq_err err = {0};

    unsetenv("RAQUETTE_GEODATA");
    rq_test_config_fails(fx, text, &err);
    assert_contains(err.msg, "2 errors in t.ini:");
    assert_contains(err.msg,
                    "t.ini:4: [communes] path uses ${RAQUETTE_GEODATA} but the environment "
                    "variable RAQUETTE_GEODATA is not set; set it to the folder of the data "
                    "(e.g. ../shared/geodata)");
    assert_contains(err.msg, "t.ini:6: [cog] path uses ${RAQUETTE_GEODATA}, which is not set "
                             "either (see line 4)");

    /* Empty counts as unset. */
    setenv("RAQUETTE_GEODATA", "", 1);
    rq_test_config_fails(fx, text, &err);
    assert_contains(err.msg, "t.ini:4: [communes] path uses ${RAQUETTE_GEODATA} but the "
                             "environment variable RAQUETTE_GEODATA is not set");

    /* Other variables, and malformed references. */
    unsetenv("RQ_TEST_NOPE");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[output]\ndir = ${RQ_TEST_NOPE}/x\n", &err);
    assert_contains(err.msg, "t.ini:14: [output] dir uses ${RQ_TEST_NOPE} but the environment "
                             "variable RQ_TEST_NOPE is not set; set it, or write the path out in "
                             "full");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[output]\ndir = ${HOME/x\n", &err);
    assert_contains(err.msg, "t.ini:14: [output] dir = '${HOME/x': malformed ${...}");

    rq_test_env_restore(&geo);
}

static void
test_missing_input_file(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[density]\npath = grille.csv\n", &err);
    char *want = rq_xasprintf("t.ini:14: [density] path: file not found: %s/grille.csv", fx->dir);
    assert_contains(err.msg, want);
    free(want);
}

static void
test_many_errors_at_once(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx,
                         "[study]\n"                    /* 1 */
                         "region = 76\n"                /* 2 */
                         "departements = 09\n"          /* 3: both set */
                         "[communes]\n"                 /* 4 */
                         "path = nope.geojson\n"        /* 5: not found */
                         "[cog]\n"                      /* 6 */
                         "path = cog.csv\n"             /* 7 */
                         "[epci]\n"                     /* 8 */
                         "path = epci.csv\n"            /* 9 */
                         "[structures]\n"               /* 10 */
                         "path = structures.csv\n"      /* 11 */
                         "list_separator = ,\n"         /* 12: comma */
                         "this line is wrong\n"         /* 13: syntax */
                         "[categories]\n"               /* 14 */
                         "cae = -3\n"                   /* 15: radius */
                         "[phases]\n"                   /* 16 */
                         "required = emergense\n"       /* 17: unknown phase */
                         "[accessibility]\n"            /* 18 */
                         "bands = 10:1|10:0.5\n"        /* 19: not increasing */
                         "[coverage] threshold = 0.5\n" /* 20: text after header */
                         ,
                         &err);
    assert_contains(err.msg, "8 errors in t.ini:");
    /* The bad radius is the only category: no "no category" error on top. */
    assert_not_contains(err.msg, "at least one category");
    assert_contains(err.msg, "t.ini:5: [communes] path: file not found:");
    assert_contains(err.msg, "t.ini:12: [structures] list_separator = ',': a comma would clash "
                             "with CSV columns; expected one character other than a comma");
    assert_contains(err.msg, "t.ini:13: 'this line is wrong' is not 'key = value', a [section] "
                             "header or a comment");
    assert_contains(err.msg, "t.ini:15: [categories] cae = '-3'");
    assert_contains(err.msg, "t.ini:17: [phases] required = 'emergense': unknown phase "
                             "'emergense' (did you mean 'emergence'?)");
    assert_contains(err.msg, "t.ini:19: [accessibility] bands = '10:1|10:0.5': band 2: upper "
                             "bound 10 does not exceed 10");
    assert_contains(err.msg, "t.ini:20: unexpected text 'threshold = 0.5' after [coverage]");
    assert_contains(err.msg, "t.ini:3: [study] region (line 2) and departements (line 3)");
    /* File order: line 5 comes before line 12. */
    assert_true(strstr(err.msg, "t.ini:5:") < strstr(err.msg, "t.ini:12:"));
}

static void
test_syntax_errors(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_err err = {0};
    rq_test_config_fails(fx, "region = 76\n" RQ_TEST_BASE_INI, &err);
    assert_contains(err.msg, "t.ini:1: key 'region' comes before any [section] (it belongs in "
                             "[study])");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[coverage\n", &err);
    assert_contains(err.msg, "t.ini:13: section header '[coverage' lacks its closing ']'");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "= 3\n", &err);
    assert_contains(err.msg, "t.ini:13: '= 3' has no key before '='");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[accessibility]\nbands = 10:1|20:1.5\n", &err);
    assert_contains(err.msg, "t.ini:14: [accessibility] bands = '10:1|20:1.5': band 2: weight "
                             "'1.5' is not a number from 0 to 1; expected upper_km:weight pairs");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[density]\nrural_levels = 5|8\n", &err);
    assert_contains(err.msg, "t.ini:14: [density] rural_levels = '5|8': expected density levels");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[study]\nname = ..\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] name = '..'");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[study]\nname = mon analyse\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] name = 'mon analyse': a character other than a "
                             "letter, a digit, '.', '_' or '-'; expected letters, digits");
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "[study]\nname = -rf\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] name = '-rf': it starts with '-' or '.'");
    /* An indented line is a key of its own, not a continuation. */
    rq_test_config_fails(fx, RQ_TEST_BASE_INI "  bogus = x\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] bogus = 'x'");
    assert_not_contains(err.msg, "incubateur");
}

static void
test_config_file_errors(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_config cfg;
    rq_err err = {0};
    char *missing = rq_test_path(fx->dir, "none.ini");
    assert_int_equal(rq_config_load(missing, &cfg, &err), RQ_ERR_INPUT);
    assert_contains(err.msg, "none.ini: file not found");
    assert_true(rq_test_config_is_zeroed(&cfg));
    free(missing);

    assert_int_equal(rq_config_load(fx->dir, &cfg, &err), RQ_ERR_INPUT);
    assert_contains(err.msg, "is a folder");

    /* Errors read from a file name the file as given. */
    char *ini = rq_test_path(fx->dir, "bad.ini");
    rq_test_write_file(ini, RQ_TEST_BASE_INI "[coverage]\nthreshold = 2\n");
    assert_int_equal(rq_config_load(ini, &cfg, &err), RQ_ERR_INPUT);
    char *want = rq_xasprintf("%s:14: [coverage] threshold = '2'", ini);
    assert_contains(err.msg, want);
    assert_true(rq_test_config_is_zeroed(&cfg));
    free(want);
    free(ini);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_key, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_section, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_bad_number, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_radius_bounds, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_missing_required, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_region_xor_departements, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_key, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_unset_geodata, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_missing_input_file, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_many_errors_at_once, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_config_file_errors, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
