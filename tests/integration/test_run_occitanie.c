/* test_run_occitanie.c - `raquette run` on the real Occitanie data.
**
** Checks the invariants of method.md on the written files (4,446 communes,
** every couv_* in [0, 1], nb_phases = Σ phase_*, trou ⇒ rural, the E2SFCA
** identity of §3.1), that the files
** open in ogrinfo with the documented fields, and that two runs give
** byte-identical data files (run.json differs only by its timings).
*/
#include "rq_test.h"

#include "raquette/io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

static int
run_into(const char *name)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' run -q --out '%s/%s' '%s/config/occitanie.ini'",
             getenv("RQ_BINARY"), dir, name, getenv("RQ_SOURCE_DIR"));
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "%s\n", out);
    free(out);
    return st;
}

static int
setup(void **state)
{
    (void)state;
    rq_io_init();
    dir = rq_test_tmpdir();
    return run_into("a") == 0 && run_into("b") == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    rq_test_run(cmd, NULL);
    free(dir);
    rq_io_cleanup();
    return 0;
}

struct check {
    size_t rows, trou, rural_trou_violations, phase_violations, couv_violations;
    long pop;
    int idx_couv_first, idx_couv_last;
};

static rq_status
commune_row(const rq_row *row, void *ud, rq_diag *diag)
{
    (void)diag;
    struct check *c = ud;
    const char *const *v = row->v;
    c->rows++;
    c->pop += atol(v[0]);
    /* v[1..4] phase_*, v[5] nb_phases, v[6] rural, v[7] trou, v[8..] couv */
    long sum = atol(v[1]) + atol(v[2]) + atol(v[3]) + atol(v[4]);
    if (sum != atol(v[5]))
        c->phase_violations++;
    if (atol(v[7]) == 1) {
        c->trou++;
        if (atol(v[6]) != 1)
            c->rural_trou_violations++;
    }
    for (int i = 8; i < 18; i++) {
        double x = atof(v[i]);
        if (!(x >= 0.0 && x <= 1.0) || !*v[i])
            c->couv_violations++;
    }
    return RQ_OK;
}

static void
test_communes_invariants(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/a/communes.csv", dir);
    const char *names[] = {"population",   "phase_emergence", "phase_creation",
                           "phase_consolidation", "phase_developpement", "nb_phases",
                           "rural",        "trou",            "couv_incubateur",
                           "couv_fabrique_initiatives", "couv_cae", "couv_couveuse",
                           "couv_reseau_creation", "couv_dla", "couv_financeur",
                           "couv_accelerateur", "couv_pole_territorial", "couv_tiers_lieu"};
    rq_input in = {path, NULL};
    rq_read_spec spec = {"test", &in, names, names, NULL, 18, 0};
    struct check c;
    memset(&c, 0, sizeof c);
    rq_diag d;
    rq_diag_init(&d);
    rq_read_info info;
    rq_err err;
    assert_int_equal(rq_io_read(&spec, commune_row, &c, &d, &info, &err), RQ_OK);
    rq_read_info_fini(&info);
    assert_int_equal(d.n, 0);
    rq_diag_fini(&d);
    assert_int_equal(c.rows, 4446);
    assert_int_equal(c.pop, 6124653); /* data README */
    assert_int_equal(c.phase_violations, 0);
    assert_int_equal(c.rural_trou_violations, 0);
    assert_int_equal(c.couv_violations, 0);
    assert_true(c.trou > 0);
}

/* Counts the features of a file with ogrinfo (an independent reader). */
static long
ogr_count(const char *file, char **listing)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -so -al '%s/a/%s'", dir, file);
    char *out = NULL;
    assert_int_equal(rq_test_run(cmd, &out), 0);
    const char *p = strstr(out, "Feature Count: ");
    long n = p ? atol(p + 15) : -1;
    *listing = out;
    return n;
}

static void
test_layers_open_in_ogrinfo(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(ogr_count("communes.geojson", &out), 4446);
    assert_non_null(strstr(out, "code_insee: String"));
    assert_non_null(strstr(out, "acces_e2sfca: Real"));
    assert_non_null(strstr(out, "zone_trou_emergence: String"));
    free(out);
    assert_int_equal(ogr_count("sites.geojson", &out), 76);
    free(out);
    assert_true(ogr_count("trous.geojson", &out) > 0);
    assert_non_null(strstr(out, "phase: String"));
    assert_non_null(strstr(out, "population: Integer"));
    free(out);
    assert_int_equal(ogr_count("agregats_departements.csv", &out), 13);
    free(out);
}

static double
json_number(const char *text, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(text, pat);
    if (!p)
        fail_msg("no %s in run.json", key);
    return strtod(p + strlen(pat), NULL);
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

static void
test_fca_identity_and_counts(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/a/run.json", dir);
    char *j = slurp(path);
    double s = json_number(j, "somme_capacites_atteignant");
    double pa = json_number(j, "somme_population_acces");
    assert_true(s > 0);
    assert_true(fabs(pa - s) <= 1e-6 * s);
    assert_true(json_number(j, "contours_lus") == 4485);
    assert_true(json_number(j, "codes_fusionnes") == 38);
    assert_true(json_number(j, "communes") == 4446);
    assert_non_null(strstr(j, "\"code\": \"30157\""));
    assert_non_null(strstr(j, "\"code\": \"30190\""));
    assert_non_null(strstr(j, "\"sha256\": \""));
    free(j);
}

static void
test_byte_identical(void **state)
{
    (void)state;
    const char *files[] = {"communes.geojson", "communes.csv", "trous.geojson", "sites.geojson",
                           "agregats_departements.csv", "agregats_epci.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "cmp '%s/a/%s' '%s/b/%s'", dir, files[i], dir, files[i]);
        if (rq_test_run(cmd, NULL) != 0)
            fail_msg("%s differs between two runs", files[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_communes_invariants),
        cmocka_unit_test(test_layers_open_in_ogrinfo),
        cmocka_unit_test(test_fca_identity_and_counts),
        cmocka_unit_test(test_byte_identical),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
