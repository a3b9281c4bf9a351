/* test_config.c - the configuration module: the real Occitanie file,
** defaults, path expansion and resolution, and every kind of error message.
**
** Error tests check the message a user reads, not only the status: it must
** name file:line, the key and the expected form (method.md §1.3).
*/
#include "rq_test.h"

#include "raquette/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each test gets a folder holding the four required inputs (empty files:
** the configuration only checks that they exist). */
typedef struct fixture {
    char *dir;
} fixture;

/* The smallest valid configuration; error tests append to it, so its line
** numbers matter: [categories] is line 11, incubateur line 12. */
#define BASE                                                                                       \
    "[study]\n"                                                                                    \
    "region = 76\n"                                                                                \
    "[communes]\n"                                                                                 \
    "path = communes.geojson\n"                                                                    \
    "[cog]\n"                                                                                      \
    "path = cog.csv\n"                                                                             \
    "[epci]\n"                                                                                     \
    "path = epci.csv\n"                                                                            \
    "[structures]\n"                                                                               \
    "path = structures.csv\n"                                                                      \
    "[categories]\n"                                                                               \
    "incubateur = 40\n"

#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (!h_ || !strstr(h_, n_))                                                                \
            fail_msg("expected to find\n  <%s>\nin\n  <%s>", n_, h_ ? h_ : "(null)");              \
    } while (0)

#define assert_not_contains(haystack, needle)                                                      \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (strstr(h_, n_))                                                                        \
            fail_msg("did not expect\n  <%s>\nin\n  <%s>", n_, h_);                                \
    } while (0)

static void
touch(const char *dir, const char *name)
{
    char *p = rq_test_path(dir, name);
    rq_test_write_file(p, "x\n");
    free(p);
}

static void
remove_tree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(rq_test_run(cmd, NULL), 0);
}

static int
setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = rq_test_tmpdir();
    touch(fx->dir, "communes.geojson");
    touch(fx->dir, "cog.csv");
    touch(fx->dir, "epci.csv");
    touch(fx->dir, "structures.csv");
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    fixture *fx = *state;
    remove_tree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static int
is_zeroed(const rq_config *cfg)
{
    static const rq_config zero;
    return memcmp(cfg, &zero, sizeof zero) == 0;
}

/* Loads text (named t.ini, in the fixture folder), expects RQ_ERR_INPUT and
** an empty cfg, and returns the message in err. */
static void
load_fails(const fixture *fx, const char *text, rq_err *err)
{
    rq_config cfg;
    rq_err_clear(err);
    rq_status rc = rq_config_load_string(text, "t.ini", fx->dir, &cfg, err);
    if (rc != RQ_ERR_INPUT)
        fail_msg("expected RQ_ERR_INPUT, got %d: %s", (int)rc, err->msg);
    assert_int_equal(err->code, RQ_ERR_INPUT);
    assert_true(is_zeroed(&cfg));
    rq_config_fini(&cfg); /* harmless on an emptied config */
}

static void
load_ok(const fixture *fx, const char *text, rq_config *cfg)
{
    rq_err err = {0};
    rq_err_clear(&err);
    rq_status rc = rq_config_load_string(text, "t.ini", fx->dir, cfg, &err);
    if (rc != RQ_OK)
        fail_msg("load failed (%d): %s", (int)rc, err.msg);
}

/* Saves and restores an environment variable around a test. */
typedef struct saved_env {
    const char *name;
    char *value; /* NULL when unset */
} saved_env;

static saved_env
env_save(const char *name)
{
    saved_env s = {name, NULL};
    const char *v = getenv(name);
    if (v)
        s.value = strdup(v);
    return s;
}

static void
env_restore(saved_env *s)
{
    if (s->value)
        setenv(s->name, s->value, 1);
    else
        unsetenv(s->name);
    free(s->value);
    s->value = NULL;
}

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
    assert_true(is_zeroed(&cfg));
    free(path);
}

/* ---- Valid configurations -------------------------------------------------- */

static void
test_minimal_defaults(void **state)
{
    fixture *fx = *state;
    rq_config cfg;
    load_ok(fx, BASE, &cfg);

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
    fixture *fx = *state;
    rq_config cfg;
    load_ok(fx,
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
    fixture *fx = *state;
    saved_env geo = env_save("RAQUETTE_GEODATA"), var = env_save("RQ_TEST_OUT");
    char *conf = rq_test_path(fx->dir, "conf");
    char *data = rq_test_path(fx->dir, "conf/data");
    char *geodata = rq_test_path(fx->dir, "geo");
    assert_int_equal(mkdir(conf, 0700), 0);
    assert_int_equal(mkdir(data, 0700), 0);
    assert_int_equal(mkdir(geodata, 0700), 0);
    touch(data, "communes.geojson");
    touch(geodata, "cog.csv");
    touch(geodata, "epci.csv");
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

    env_restore(&geo);
    env_restore(&var);
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
    fixture *fx = *state;
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
    load_ok(fx, text, &cfg);
    char *want = rq_test_path(fx->dir, longpath);
    assert_string_equal(cfg.communes.path, want);
    assert_float_equal(cfg.threshold, 0.25, 0);
    free(want);
    rq_config_fini(&cfg);
    free(text);
}

/* ---- Errors ---------------------------------------------------------------- */

static void
test_unknown_key(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, BASE "[coverage]\ntreshold = 0.4\n", &err);
    assert_contains(err.msg, "1 error in t.ini:");
    assert_contains(err.msg, "t.ini:14: unknown key 'treshold' in [coverage] (did you mean "
                             "'threshold'?)");

    /* A key of another section says where it belongs. */
    load_fails(fx, BASE "[travel]\nthreshold = 0.4\n", &err);
    assert_contains(err.msg, "t.ini:14: unknown key 'threshold' in [travel] (it belongs in "
                             "[coverage])");

    /* Far from everything: the valid keys are listed. */
    load_fails(fx, BASE "[travel]\nvitesse_moyenne = 30\n", &err);
    assert_contains(err.msg, "t.ini:14: unknown key 'vitesse_moyenne' in [travel] (valid keys: "
                             "detour, speed_kmh)");
}

static void
test_unknown_section(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    /* Keys under an unknown section are not reported one by one. */
    load_fails(fx, BASE "[structure]\nlist_separator = ;\nfoo = 1\n", &err);
    assert_contains(err.msg, "1 error in t.ini:");
    assert_contains(err.msg, "t.ini:13: unknown section [structure] (did you mean [structures]?)");

    load_fails(fx, BASE "[zzzzzzzzzz]\n", &err);
    assert_contains(err.msg, "t.ini:13: unknown section [zzzzzzzzzz] (sections: [study]");
}

static void
test_bad_number(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, BASE "[travel]\nspeed_kmh = fast\n", &err);
    assert_contains(err.msg, "t.ini:14: [travel] speed_kmh = 'fast': expected a number > 0 (km/h)");
    load_fails(fx, BASE "[travel]\ndetour = 0.9\n", &err);
    assert_contains(err.msg, "t.ini:14: [travel] detour = '0.9': expected a number >= 1");
    load_fails(fx, BASE "[coverage]\nthreshold = 0\n", &err);
    assert_contains(err.msg, "t.ini:14: [coverage] threshold = '0': expected a number > 0 and "
                             "<= 1 (share of the commune's area)");
    load_fails(fx, BASE "[coverage]\nthreshold = inf\n", &err);
    assert_contains(err.msg, "threshold = 'inf'");
    load_fails(fx, BASE "[rurality]\nfallback_max_population = 2000.5\n", &err);
    assert_contains(err.msg, "t.ini:14: [rurality] fallback_max_population = '2000.5': expected "
                             "an integer >= 0 (inhabitants)");
    load_fails(fx, BASE "[structures]\nskip_bad_rows = maybe\n", &err);
    assert_contains(err.msg, "t.ini:14: [structures] skip_bad_rows = 'maybe': expected true or "
                             "false");
    load_fails(fx, BASE "[accessibility]\nweight = linear\n", &err);
    assert_contains(err.msg, "t.ini:14: [accessibility] weight = 'linear': expected step, "
                             "gaussian or gravity");
}

static void
test_radius_bounds(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, BASE "cae = 0\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] cae = '0': expected a number > 0 and <= "
                             "1000 (kilometres)");
    load_fails(fx, BASE "cae = 5000\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] cae = '5000': expected a number > 0 and <= "
                             "1000 (kilometres)");
    load_fails(fx, BASE "cae = 30km\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] cae = '30km': expected a number");
    load_fails(fx, BASE "Tiers-Lieu = 20\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] 'Tiers-Lieu' is not a valid category name: "
                             "expected lower-case letters, digits or '_'");
}

static void
test_missing_required(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    /* BASE without its [epci] section. */
    load_fails(fx,
               "[study]\nregion = 76\n[communes]\npath = communes.geojson\n[cog]\npath = "
               "cog.csv\n[structures]\npath = structures.csv\n[categories]\ncae = 30\n",
               &err);
    assert_contains(err.msg, "t.ini: missing section [epci] with its required key path (the EPCI "
                             "table)");
    /* Section present, key absent; key present but empty. */
    load_fails(fx,
               "[study]\nregion = 76\n[communes]\nlayer = x\n[cog]\npath =\n[epci]\npath = "
               "epci.csv\n[structures]\npath = structures.csv\n[categories]\ncae = 30\n",
               &err);
    assert_contains(err.msg, "2 errors in t.ini:");
    assert_contains(err.msg, "t.ini:3: [communes] has no path: the path of the commune "
                             "boundaries is required");
    assert_contains(err.msg, "t.ini:6: [cog] path is empty: the path of the commune table, COG "
                             "is required");
    /* No category at all. */
    load_fails(fx,
               "[study]\nregion = 76\n[communes]\npath = communes.geojson\n[cog]\npath = "
               "cog.csv\n[epci]\npath = epci.csv\n[structures]\npath = structures.csv\n",
               &err);
    assert_contains(err.msg, "t.ini: [categories] is missing: give at least one category as "
                             "name = radius_km");
}

static void
test_region_xor_departements(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, BASE "[study]\ndepartements = 09|11\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] region (line 2) and departements (line 14) are "
                             "both set: give exactly one of them");

    load_fails(fx,
               "[study]\nname = x\n[communes]\npath = communes.geojson\n[cog]\npath = cog.csv\n"
               "[epci]\npath = epci.csv\n[structures]\npath = structures.csv\n"
               "[categories]\ncae = 30\n",
               &err);
    assert_contains(err.msg, "t.ini:1: [study] has neither region nor departements: give exactly "
                             "one of them");

    load_fails(fx, BASE "[study]\nregion =\ndepartements = 09,11\n", &err);
    assert_contains(err.msg, "t.ini:14: duplicate key 'region' in [study] (first given at line "
                             "2)");
    assert_contains(err.msg, "t.ini:15: [study] departements = '09,11': expected département "
                             "codes separated by '|'");
}

static void
test_duplicate_key(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, BASE "[travel]\ndetour = 1.2\nspeed_kmh = 50\ndetour = 1.4\n", &err);
    assert_contains(err.msg, "1 error in t.ini:");
    assert_contains(err.msg, "t.ini:16: duplicate key 'detour' in [travel] (first given at line "
                             "14)");
    load_fails(fx, BASE "incubateur = 30\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] duplicate key 'incubateur' (first given at "
                             "line 12)");
}

static void
test_unset_geodata(void **state)
{
    fixture *fx = *state;
    saved_env geo = env_save("RAQUETTE_GEODATA");
    const char *text = "[study]\nregion = 76\n"
                       "[communes]\npath = ${RAQUETTE_GEODATA}/occitanie/communes-2018.geojson\n"
                       "[cog]\npath = ${RAQUETTE_GEODATA}/cog/communes-cog2026.csv\n"
                       "[epci]\npath = epci.csv\n[structures]\npath = structures.csv\n"
                       "[categories]\ncae = 30\n";
    rq_err err = {0};

    unsetenv("RAQUETTE_GEODATA");
    load_fails(fx, text, &err);
    assert_contains(err.msg, "2 errors in t.ini:");
    assert_contains(err.msg,
                    "t.ini:4: [communes] path uses ${RAQUETTE_GEODATA} but the environment "
                    "variable RAQUETTE_GEODATA is not set; set it to the folder of the data "
                    "(e.g. ../shared/geodata)");
    assert_contains(err.msg, "t.ini:6: [cog] path uses ${RAQUETTE_GEODATA}, which is not set "
                             "either (see line 4)");

    /* Empty counts as unset. */
    setenv("RAQUETTE_GEODATA", "", 1);
    load_fails(fx, text, &err);
    assert_contains(err.msg, "t.ini:4: [communes] path uses ${RAQUETTE_GEODATA} but the "
                             "environment variable RAQUETTE_GEODATA is not set");

    /* Other variables, and malformed references. */
    unsetenv("RQ_TEST_NOPE");
    load_fails(fx, BASE "[output]\ndir = ${RQ_TEST_NOPE}/x\n", &err);
    assert_contains(err.msg, "t.ini:14: [output] dir uses ${RQ_TEST_NOPE} but the environment "
                             "variable RQ_TEST_NOPE is not set; set it, or write the path out in "
                             "full");
    load_fails(fx, BASE "[output]\ndir = ${HOME/x\n", &err);
    assert_contains(err.msg, "t.ini:14: [output] dir = '${HOME/x': malformed ${...}");

    env_restore(&geo);
}

static void
test_missing_input_file(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, BASE "[density]\npath = grille.csv\n", &err);
    char *want = rq_xasprintf("t.ini:14: [density] path: file not found: %s/grille.csv", fx->dir);
    assert_contains(err.msg, want);
    free(want);
}

static void
test_many_errors_at_once(void **state)
{
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx,
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
    fixture *fx = *state;
    rq_err err = {0};
    load_fails(fx, "region = 76\n" BASE, &err);
    assert_contains(err.msg, "t.ini:1: key 'region' comes before any [section] (it belongs in "
                             "[study])");
    load_fails(fx, BASE "[coverage\n", &err);
    assert_contains(err.msg, "t.ini:13: section header '[coverage' lacks its closing ']'");
    load_fails(fx, BASE "= 3\n", &err);
    assert_contains(err.msg, "t.ini:13: '= 3' has no key before '='");
    load_fails(fx, BASE "[accessibility]\nbands = 10:1|20:1.5\n", &err);
    assert_contains(err.msg, "t.ini:14: [accessibility] bands = '10:1|20:1.5': band 2: weight "
                             "'1.5' is not a number from 0 to 1; expected upper_km:weight pairs");
    load_fails(fx, BASE "[density]\nrural_levels = 5|8\n", &err);
    assert_contains(err.msg, "t.ini:14: [density] rural_levels = '5|8': expected density levels");
    load_fails(fx, BASE "[study]\nname = ..\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] name = '..'");
    load_fails(fx, BASE "[study]\nname = mon analyse\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] name = 'mon analyse': a character other than a "
                             "letter, a digit, '.', '_' or '-'; expected letters, digits");
    load_fails(fx, BASE "[study]\nname = -rf\n", &err);
    assert_contains(err.msg, "t.ini:14: [study] name = '-rf': it starts with '-' or '.'");
    /* An indented line is a key of its own, not a continuation. */
    load_fails(fx, BASE "  bogus = x\n", &err);
    assert_contains(err.msg, "t.ini:13: [categories] bogus = 'x'");
    assert_not_contains(err.msg, "incubateur");
}

static void
test_config_file_errors(void **state)
{
    fixture *fx = *state;
    rq_config cfg;
    rq_err err = {0};
    char *missing = rq_test_path(fx->dir, "none.ini");
    assert_int_equal(rq_config_load(missing, &cfg, &err), RQ_ERR_INPUT);
    assert_contains(err.msg, "none.ini: file not found");
    assert_true(is_zeroed(&cfg));
    free(missing);

    assert_int_equal(rq_config_load(fx->dir, &cfg, &err), RQ_ERR_INPUT);
    assert_contains(err.msg, "is a folder");

    /* Errors read from a file name the file as given. */
    char *ini = rq_test_path(fx->dir, "bad.ini");
    rq_test_write_file(ini, BASE "[coverage]\nthreshold = 2\n");
    assert_int_equal(rq_config_load(ini, &cfg, &err), RQ_ERR_INPUT);
    char *want = rq_xasprintf("%s:14: [coverage] threshold = '2'", ini);
    assert_contains(err.msg, want);
    assert_true(is_zeroed(&cfg));
    free(want);
    free(ini);
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
        cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test(test_paths_dot_and_virtual),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_radius_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_xor_departements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unset_geodata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_input_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_errors_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_file_errors, setup, teardown),
        cmocka_unit_test(test_phases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
