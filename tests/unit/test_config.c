/* test_config.c - the configuration module: the real Occitanie file,
** defaults, values, path expansion and resolution, the phases. Its error
** messages are tested in test_config_errors.c; the fixture both share is
** tests/support/rq_test_config.c.
*/
#include "rq_test.h"
#include "rq_test_config.h"

#include "raquette/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- The real configuration ---------------------------------------------- */

static void
test_occitanie_ini(void **state)
{
    (void)state;
    const char *src = getenv("RQ_SOURCE_DIR");
    if (!src)
        fail_msg("RQ_SOURCE_DIR is not set: run the tests through ctest");
    (void)rq_test_geodata("cog"); /* fails unless RAQUETTE_GEODATA is a folder */
    char *path = rq_test_path(src, "config/occitanie.ini");
    rq_config cfg;
    rq_err err = {0};
    rq_status rc = rq_config_load(path, &cfg, &err);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);

    static const struct {
        const char *name;
        double km;
    } expect[] = {{"incubateur", 40}, {"fabrique_initiatives", 30}, {"cae", 30},
                  {"couveuse", 30},   {"reseau_creation", 30},      {"dla", 40},
                  {"financeur", 40},  {"accelerateur", 60},         {"pole_territorial", 25},
                  {"tiers_lieu", 20}};
    assert_int_equal(cfg.n_categories, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(cfg.categories[i].name, expect[i].name);
        assert_float_equal(cfg.categories[i].radius_km, expect[i].km, 0);
        assert_int_equal(rq_config_category(&cfg, expect[i].name), (int)i);
    }
    assert_string_equal(cfg.name, "occitanie");
    assert_int_equal(cfg.n_regions, 1);
    assert_string_equal(cfg.regions[0], "76");
    assert_int_equal(cfg.metropole, 0);
    assert_non_null(cfg.passage.path);
    assert_non_null(cfg.deps.path);
    assert_float_equal(cfg.edge_tolerance_m, 500, 0);
    assert_null(cfg.departements);
    assert_string_equal(cfg.crs, "EPSG:2154");
    assert_float_equal(cfg.threshold, 0.5, 0);
    assert_float_equal(cfg.detour, 1.3, 0);
    assert_float_equal(cfg.speed_kmh, 40, 0);
    assert_int_equal(cfg.n_bands, 3);
    assert_float_equal(cfg.band_km[0], 10, 0);
    assert_float_equal(cfg.band_w[0], 1.0, 0);
    assert_float_equal(cfg.band_km[1], 20, 0);
    assert_float_equal(cfg.band_w[1], 0.66, 0);
    assert_float_equal(cfg.band_km[2], 30, 0);
    assert_float_equal(cfg.band_w[2], 0.33, 0);
    assert_int_equal(cfg.required[0], 1);
    assert_int_equal(cfg.required[1], 1);
    assert_int_equal(cfg.required[2], 1);
    assert_int_equal(cfg.required[3], 0);
    assert_int_equal(cfg.fca_variant, RQ_FCA_E2SFCA);
    assert_int_equal(cfg.weight, RQ_WEIGHT_STEP);
    assert_int_equal(cfg.rural_levels[4], 0);
    assert_int_equal(cfg.rural_levels[5], 1);
    assert_int_equal(cfg.rural_levels[6], 1);
    assert_int_equal(cfg.rural_levels[7], 1);
    assert_int_equal(cfg.fallback_max_population, 2000);
    assert_float_equal(cfg.fallback_min_density, 60, 0);
    assert_int_equal(cfg.list_separator, '|');
    assert_int_equal(cfg.skip_bad_rows, 0);
    assert_null(cfg.communes.layer);
    assert_string_equal(cfg.density_level, "dens");
    assert_string_equal(cfg.density_population, "pmun19");
    assert_string_equal(cfg.epci_members, "membres");
    assert_string_equal(cfg.f_capacity, "capacite");
    assert_string_equal(cfg.f_radius, "rayon_km");

    /* Inputs come from RAQUETTE_GEODATA; output goes next to config/. */
    char *want = rq_test_path(getenv("RAQUETTE_GEODATA"), "occitanie/communes-2018.geojson");
    assert_string_equal(cfg.communes.path, want);
    free(want);
    assert_non_null(cfg.density.path);
    char *dir = rq_test_path(src, "config");
    assert_string_equal(cfg.dir, dir);
    free(dir);
    char *out = rq_test_path(src, "config/../reports");
    assert_string_equal(cfg.output_dir, out);
    free(out);

    rq_config_fini(&cfg);
    assert_true(rq_test_config_is_zeroed(&cfg));
    free(path);
}

/* ---- Valid configurations -------------------------------------------------- */

static void
test_minimal_defaults(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_config cfg;
    rq_test_config_ok(fx, RQ_TEST_BASE_INI, &cfg);

    assert_string_equal(cfg.file, "t.ini");
    assert_string_equal(cfg.dir, fx->dir);
    assert_string_equal(cfg.name, "analyse");
    assert_int_equal(cfg.n_regions, 1);
    assert_string_equal(cfg.regions[0], "76");
    assert_null(cfg.regions[1]);
    assert_null(cfg.departements);
    assert_int_equal(cfg.n_departements, 0);
    assert_string_equal(cfg.crs, "EPSG:2154");
    char *p = rq_test_path(fx->dir, "communes.geojson");
    assert_string_equal(cfg.communes.path, p);
    free(p);
    assert_null(cfg.communes.layer);
    assert_string_equal(cfg.communes_code, "code");
    assert_string_equal(cfg.communes_name, "nom");
    assert_string_equal(cfg.cog_chef_lieu, "chef_lieu");
    assert_string_equal(cfg.epci_members, "membres");
    assert_null(cfg.passage.path);
    assert_string_equal(cfg.passage_old, "ancien_code");
    assert_string_equal(cfg.passage_new, "code");
    assert_string_equal(cfg.passage_nature, "nature");
    assert_null(cfg.deps.path);
    assert_string_equal(cfg.deps_code, "code");
    assert_string_equal(cfg.deps_name, "nom");
    assert_float_equal(cfg.edge_tolerance_m, 500, 0);
    assert_null(cfg.density.path);
    assert_string_equal(cfg.density_level, "dens");
    assert_int_equal(cfg.rural_levels[5] + cfg.rural_levels[6] + cfg.rural_levels[7], 3);
    assert_int_equal(
        cfg.rural_levels[1] + cfg.rural_levels[2] + cfg.rural_levels[3] + cfg.rural_levels[4], 0);
    assert_string_equal(cfg.f_structure_id, "structure_id");
    assert_string_equal(cfg.f_name, "nom");
    assert_string_equal(cfg.f_category, "categorie");
    assert_string_equal(cfg.f_itinerant, "itinerant");
    assert_int_equal(cfg.list_separator, '|');
    assert_int_equal(cfg.skip_bad_rows, 0);
    assert_int_equal(cfg.n_categories, 1);
    assert_string_equal(cfg.categories[0].name, "incubateur");
    assert_float_equal(cfg.categories[0].radius_km, 40, 0);
    assert_int_equal(rq_config_category(&cfg, "cae"), -1);
    assert_int_equal(cfg.required[0] + cfg.required[1] + cfg.required[2], 3);
    assert_int_equal(cfg.required[3], 0);
    assert_float_equal(cfg.detour, 1.3, 0);
    assert_float_equal(cfg.speed_kmh, 40, 0);
    assert_float_equal(cfg.threshold, 0.5, 0);
    assert_int_equal(cfg.fca_variant, RQ_FCA_E2SFCA);
    assert_int_equal(cfg.weight, RQ_WEIGHT_STEP);
    assert_int_equal(cfg.n_bands, 3);
    assert_float_equal(cfg.band_w[2], 0.33, 0);
    assert_float_equal(cfg.max_km, 30, 0);
    assert_float_equal(cfg.gauss_sigma_km, 10, 0);
    assert_float_equal(cfg.gravity_beta, 1, 0);
    assert_int_equal(cfg.fallback_max_population, 2000);
    assert_float_equal(cfg.fallback_min_density, 60, 0);
    char *out = rq_test_path(fx->dir, "../reports");
    assert_string_equal(cfg.output_dir, out);
    free(out);
    rq_config_fini(&cfg);
}

static void
test_values_parsed(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_config cfg;
    rq_test_config_ok(fx,
                      "; a comment\n"
                      "# another\n"
                      "[ study ]\n"
                      "  name = Occ-2026_v1.b   ; inline comment\n"
                      "departements = 09 | 11|2A\n"
                      "[communes]\n"
                      "path = communes.geojson\n"
                      "layer = communes\n"
                      "[cog]\n"
                      "path: cog.csv\n"
                      "[epci]\n"
                      "path = epci.csv\n"
                      "[density]\n"
                      "path = cog.csv\n"
                      "rural_levels = 4|5\n"
                      "[structures]\n"
                      "path = structures.csv\n"
                      "list_separator = /\n"
                      "skip_bad_rows = Yes\n"
                      "lon =\n"
                      "[categories]\n"
                      "cae = 30\n"
                      "tiers_lieu = 12.5\n"
                      "[phases]\n"
                      "required = developpement|emergence\n"
                      "[accessibility]\n"
                      "variant = 2sfca\n"
                      "weight = gaussian\n"
                      "bands = 5:1|15:0.5\n"
                      "[coverage]\n"
                      "threshold = 1\n"
                      "[travel]\n"
                      "detour = 1.2\n"
                      "    speed_kmh = 50\n"
                      "[rurality]\n"
                      "fallback_max_population = 0\n"
                      "fallback_min_density = 0\n"
                      "[output]\n"
                      "dir = /tmp/rq-out\n",
                      &cfg);
    assert_string_equal(cfg.name, "Occ-2026_v1.b");
    assert_null(cfg.regions);
    assert_int_equal(cfg.metropole, 0);
    assert_int_equal(cfg.n_departements, 3);
    assert_string_equal(cfg.departements[0], "09");
    assert_string_equal(cfg.departements[1], "11");
    assert_string_equal(cfg.departements[2], "2A");
    assert_null(cfg.departements[3]);
    assert_string_equal(cfg.communes.layer, "communes");
    assert_non_null(cfg.density.path);
    assert_int_equal(cfg.rural_levels[4] + cfg.rural_levels[5], 2);
    assert_int_equal(cfg.rural_levels[6] + cfg.rural_levels[7], 0);
    assert_int_equal(cfg.list_separator, '/');
    assert_int_equal(cfg.skip_bad_rows, 1);
    assert_string_equal(cfg.f_lon, "lon"); /* empty value = unset = default */
    assert_int_equal(cfg.n_categories, 2);
    assert_string_equal(cfg.categories[1].name, "tiers_lieu");
    assert_float_equal(cfg.categories[1].radius_km, 12.5, 0);
    assert_int_equal(rq_config_category(&cfg, "tiers_lieu"), 1);
    assert_int_equal(cfg.required[0], 1);
    assert_int_equal(cfg.required[1] + cfg.required[2], 0);
    assert_int_equal(cfg.required[3], 1);
    assert_int_equal(cfg.fca_variant, RQ_FCA_2SFCA);
    assert_int_equal(cfg.weight, RQ_WEIGHT_GAUSSIAN);
    assert_int_equal(cfg.n_bands, 2);
    assert_float_equal(cfg.band_km[1], 15, 0);
    assert_float_equal(cfg.band_w[1], 0.5, 0);
    assert_float_equal(cfg.threshold, 1, 0);
    /* An indented line is a key of its own, not a continuation of detour. */
    assert_float_equal(cfg.detour, 1.2, 0);
    assert_float_equal(cfg.speed_kmh, 50, 0);
    assert_int_equal(cfg.fallback_max_population, 0);
    assert_string_equal(cfg.output_dir, "/tmp/rq-out");
    rq_config_fini(&cfg);
}

/* ${RAQUETTE_GEODATA} and other variables are expanded; relative paths are
** taken from the configuration file's folder, not from the cwd. */
static void
test_paths(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_test_env geo = rq_test_env_save("RAQUETTE_GEODATA"), var = rq_test_env_save("RQ_TEST_OUT");
    char *conf = rq_test_path(fx->dir, "conf");
    char *data = rq_test_path(fx->dir, "conf/data");
    char *geodata = rq_test_path(fx->dir, "geo");
    assert_int_equal(mkdir(conf, 0700), 0);
    assert_int_equal(mkdir(data, 0700), 0);
    assert_int_equal(mkdir(geodata, 0700), 0);
    rq_test_touch(data, "communes.geojson");
    rq_test_touch(geodata, "cog.csv");
    rq_test_touch(geodata, "epci.csv");
    setenv("RAQUETTE_GEODATA", geodata, 1);
    setenv("RQ_TEST_OUT", "/tmp/rq-results", 1);

    char *ini = rq_test_path(conf, "x.ini");
    char *text = rq_xasprintf("[study]\nregion = 76\n"
                              "[communes]\npath = data/communes.geojson\n"
                              "[cog]\npath = ${RAQUETTE_GEODATA}/cog.csv\n"
                              "[epci]\npath = ${RAQUETTE_GEODATA}/epci.csv\n"
                              "[structures]\npath = %s/structures.csv\n"
                              "[categories]\ncae = 30\n"
                              "[output]\ndir = ${RQ_TEST_OUT}/run\n",
                              fx->dir);
    rq_test_write_file(ini, text);

    rq_config cfg;
    rq_err err = {0};
    rq_status rc = rq_config_load(ini, &cfg, &err);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.file, ini);
    assert_string_equal(cfg.dir, conf);
    char *want = rq_test_path(conf, "data/communes.geojson");
    assert_string_equal(cfg.communes.path, want);
    free(want);
    want = rq_test_path(geodata, "cog.csv");
    assert_string_equal(cfg.cog.path, want);
    free(want);
    want = rq_test_path(fx->dir, "structures.csv");
    assert_string_equal(cfg.structures.path, want);
    free(want);
    assert_string_equal(cfg.output_dir, "/tmp/rq-results/run");
    rq_config_fini(&cfg);

    /* The default output folder is relative to the configuration too. */
    char *text2 = rq_xasprintf("%.*s", (int)(strstr(text, "[output]") - text), text);
    rq_test_write_file(ini, text2);
    rc = rq_config_load(ini, &cfg, &err);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    want = rq_test_path(conf, "../reports");
    assert_string_equal(cfg.output_dir, want);
    free(want);
    rq_config_fini(&cfg);

    /* A relative variable value is relative to the cwd, as in the shell
    ** where it was set, not to the configuration folder. */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->dir), 0);
    setenv("RAQUETTE_GEODATA", "geo", 1);
    rc = rq_config_load(ini, &cfg, &err);
    assert_int_equal(chdir(cwd), 0);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.cog.path, "geo/cog.csv");
    rq_config_fini(&cfg);

    rq_test_env_restore(&geo);
    rq_test_env_restore(&var);
    free(text2);
    free(text);
    free(ini);
    free(geodata);
    free(data);
    free(conf);
}

/* A file named without a folder resolves against "."; a virtual GDAL path
** is left alone. */
static void
test_paths_dot_and_virtual(void **state)
{
    (void)state;
    rq_config cfg;
    rq_err err = {0};
    char text[8192];
    const char *src = getenv("RQ_SOURCE_DIR");
    snprintf(text, sizeof text,
             "[study]\nregion = 76\n[communes]\npath = /vsizip/nowhere.zip/a.shp\n"
             "[cog]\npath = %s/README.md\n[epci]\npath = %s/README.md\n"
             "[structures]\npath = %s/README.md\n[categories]\ncae = 30\n",
             src, src, src);
    rq_status rc = rq_config_load_string(text, NULL, NULL, &cfg, &err);
    if (rc != RQ_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.file, "<string>");
    assert_string_equal(cfg.dir, ".");
    assert_string_equal(cfg.communes.path, "/vsizip/nowhere.zip/a.shp");
    assert_string_equal(cfg.output_dir, "../reports");
    rq_config_fini(&cfg);

    /* A device (or a FIFO, a folder) is no input: reading it would block
    ** or never end. */
    rc = rq_config_load_string("[study]\nregion = 76\n[communes]\npath = /dev/null\n"
                               "[cog]\npath = /\n[epci]\npath = /dev/zero\n"
                               "[structures]\npath = /dev/null\n[categories]\ncae = 30\n",
                               NULL, NULL, &cfg, &err);
    assert_int_equal(rc, RQ_ERR_INPUT);
    assert_contains(err.msg, "<string>:4: [communes] path: /dev/null is a device or special "
                             "file; expected a regular file");
    assert_contains(err.msg, "<string>:6: [cog] path: / is a folder; expected a regular file");
    rq_err_fini(&err);
}

/* Lines longer than inih's 200-byte buffer are read whole. */
static void
test_long_line(void **state)
{
    rq_test_cfgdir *fx = *state;
    char longpath[600] = "";
    for (int i = 0; i < 120; i++)
        strcat(longpath, "./");
    strcat(longpath, "communes.geojson");
    char *text = rq_xasprintf("[study]\nregion = 76\n[communes]\n"
                              "path = %s   ; a comment that inih would strip\n"
                              "[cog]\npath = cog.csv\n[epci]\npath = epci.csv\n"
                              "[structures]\npath = structures.csv\n[categories]\ncae = 30\n"
                              "[coverage]\nthreshold = 0.25\n",
                              longpath);
    rq_config cfg;
    rq_test_config_ok(fx, text, &cfg);
    char *want = rq_test_path(fx->dir, longpath);
    assert_string_equal(cfg.communes.path, want);
    assert_float_equal(cfg.threshold, 0.25, 0);
    free(want);
    rq_config_fini(&cfg);
    free(text);
}

static void
test_phases(void **state)
{
    (void)state;
    assert_int_equal(rq_phase_index("emergence"), 0);
    assert_int_equal(rq_phase_index("creation"), 1);
    assert_int_equal(rq_phase_index("consolidation"), 2);
    assert_int_equal(rq_phase_index("developpement"), 3);
    assert_int_equal(rq_phase_index("Emergence"), -1);
    assert_int_equal(rq_phase_index(NULL), -1);
    assert_string_equal(rq_phase_prefix[0], "EM");
    assert_string_equal(rq_phase_prefix[1], "CR");
    assert_string_equal(rq_phase_prefix[2], "CO");
    assert_string_equal(rq_phase_prefix[3], "DE");
    assert_string_equal(rq_phase_names[3], "developpement");
    assert_int_equal(rq_config_category(NULL, "x"), -1);
    rq_config_fini(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_occitanie_ini),
        cmocka_unit_test_setup_teardown(test_minimal_defaults, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_values_parsed, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test_setup_teardown(test_paths, rq_test_cfgdir_setup, rq_test_cfgdir_teardown),
        cmocka_unit_test(test_paths_dot_and_virtual),
        cmocka_unit_test_setup_teardown(test_long_line, rq_test_cfgdir_setup,
                                        rq_test_cfgdir_teardown),
        cmocka_unit_test(test_phases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
