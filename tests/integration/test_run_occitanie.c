/* test_run_occitanie.c - `raquette run` on the real Occitanie data.
**
** Checks the invariants of method.md on the written files (4,446 communes,
** every couv_* in [0, 1], nb_phases = Σ phase_*, trou ⇒ rural, the E2SFCA
** identity of §3.1), that the files
** open in ogrinfo with the documented fields, and that two runs give
** byte-identical data files (run.json differs only by its timings), one
** with three worker threads (--threads 3, more than the cores of CI) and one
** with a single thread; and so do two reruns, whose products compare with
** the previous run (the history job runs beside the other products, and
** the report, the GeoPackage and the QGIS project wait for it). Last, that
** the executable, not glibc, answers libquadmath's printf hooks.
*/
#include "rq_test.h"

#include "raquette/io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

/* Runs a shell command; its output is shown only when it fails. */
static int
run_cmd(const char *cmd)
{
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "%s\n", out);
    free(out);
    return st;
}

/* Runs the demo configuration into out/a with the given number of worker
** threads: results must not depend on it. One date for both runs, that
** the products carry. */
static int
run_into(const char *out, int threads)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && SOURCE_DATE_EPOCH=1764633600 '%s' run -q --threads %d "
             "--out '%s' --name a '%s/config/occitanie.ini'",
             out, getenv("RQ_BINARY"), threads, out, getenv("RQ_SOURCE_DIR"));
    return run_cmd(cmd);
}

/* The demo configuration without its [density] section: rurality then
** follows the fallback rule of method.md §3.2. */
static int
run_fallback(void)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "awk '/^\\[/{skip=($0==\"[density]\")} !skip' '%s/config/occitanie.ini' "
             "> '%s/fallback.ini' && '%s' run -q --out '%s' --name fallback '%s/fallback.ini'",
             getenv("RQ_SOURCE_DIR"), dir, getenv("RQ_BINARY"), dir, dir);
    return run_cmd(cmd);
}

static int
setup(void **state)
{
    (void)state;
    rq_io_init();
    dir = rq_test_tmpdir();
    char *other = rq_xasprintf("%s/b", dir);
    int st = run_into(dir, 3) == 0 && run_into(other, 1) == 0 && run_fallback() == 0 ? 0 : -1;
    free(other);
    return st;
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
    size_t phase_count[4], rural;
    long pop;
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
    for (int p = 0; p < 4; p++)
        c->phase_count[p] += atol(v[1 + p]) == 1;
    c->rural += atol(v[6]) == 1;
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

/* Reads every row of path's fields (names) through rq_io_read, which must
** find no problem. */
static void
read_all(char *path, const char *const *names, size_t n, rq_row_fn fn, void *ud)
{
    rq_input in = {path, NULL};
    rq_read_spec spec = {"test", &in, names, names, NULL, n, 0, 0};
    rq_diag d;
    rq_read_info info;
    rq_err err = {0};
    rq_diag_init(&d);
    assert_int_equal(rq_io_read(&spec, fn, ud, &d, &info, &err), RQ_OK);
    rq_read_info_fini(&info);
    assert_int_equal(d.n, 0);
    rq_diag_fini(&d);
}

static void
read_communes(const char *run, struct check *c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/communes.csv", dir, run);
    const char *names[] = {"population",
                           "phase_emergence",
                           "phase_creation",
                           "phase_consolidation",
                           "phase_developpement",
                           "nb_phases",
                           "rural",
                           "trou",
                           "couv_incubateur",
                           "couv_fabrique_initiatives",
                           "couv_cae",
                           "couv_couveuse",
                           "couv_reseau_creation",
                           "couv_dla",
                           "couv_financeur",
                           "couv_accelerateur",
                           "couv_pole_territorial",
                           "couv_tiers_lieu"};
    memset(c, 0, sizeof *c);
    read_all(path, names, sizeof names / sizeof names[0], commune_row, c);
}

static void
test_communes_invariants(void **state)
{
    (void)state;
    struct check c;
    read_communes("a", &c);
    assert_int_equal(c.rows, 4446);
    assert_int_equal(c.pop, 6124653); /* data README */
    assert_int_equal(c.phase_violations, 0);
    assert_int_equal(c.rural_trou_violations, 0);
    assert_int_equal(c.couv_violations, 0);
    assert_true(c.trou > 0);
    /* Communes with each phase, as recomputed from method.md §2-§3 by an
    ** independent program (tools/crosscheck/phases.py: shapely, its own
    ** buffers, zones and overlay): 1,790 / 3,789 / 3,275 / 3,357. */
    assert_int_equal(c.phase_count[0], 1790);
    assert_int_equal(c.phase_count[1], 3789);
    assert_int_equal(c.phase_count[2], 3275);
    assert_int_equal(c.phase_count[3], 3357);
    assert_int_equal(c.rural, 4079); /* INSEE grid levels 5-7, checked in issue 2 */
}

/* ---- Gap zones -------------------------------------------------------- */

struct zone_ref {
    char id[16], phase[16];
    long n_communes, seen;
};

struct zones {
    struct zone_ref v[512];
    size_t n;
    size_t bad_rows; /* gap commune without zone, or zone without gap */
    size_t unknown;  /* zone_trou naming no zone of trous.geojson */
};

static rq_status
zone_row(const rq_row *row, void *ud, rq_diag *diag)
{
    (void)diag;
    struct zones *z = ud;
    assert_true(z->n < sizeof z->v / sizeof z->v[0]);
    struct zone_ref *r = &z->v[z->n++];
    rq_strlcpy(r->id, row->v[0], sizeof r->id);
    rq_strlcpy(r->phase, row->v[1], sizeof r->phase);
    r->n_communes = atol(row->v[2]);
    return RQ_OK;
}

static rq_status
member_row(const rq_row *row, void *ud, rq_diag *diag)
{
    (void)diag;
    struct zones *z = ud;
    int trou = atoi(row->v[0]);
    const char *id = row->v[1];
    if (trou != (*id != '\0'))
        z->bad_rows++;
    if (!*id)
        return RQ_OK;
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->v[i].id, id) == 0 && strcmp(z->v[i].phase, "toutes") == 0) {
            z->v[i].seen++;
            return RQ_OK;
        }
    z->unknown++;
    return RQ_OK;
}

static void
read_zones(const char *run, struct zones *z)
{
    char path[4096];
    const char *znames[] = {"id", "phase", "nb_communes"};
    const char *mnames[] = {"trou", "zone_trou"};
    memset(z, 0, sizeof *z);
    snprintf(path, sizeof path, "%s/%s/trous.geojson", dir, run);
    read_all(path, znames, 3, zone_row, z);
    snprintf(path, sizeof path, "%s/%s/communes.csv", dir, run);
    read_all(path, mnames, 2, member_row, z);
}

/* The overall zones partition the gap communes: every gap commune names one
** zone of trous.geojson, every other commune none, and each zone is named by
** exactly its nb_communes communes. The largest, T001, holds 2,639 communes:
** an independent grouping of the same gap communes (shapely STRtree +
** intersects, tools/crosscheck/groups.py) finds the same size. */
static void
test_gap_zones_partition(void **state)
{
    (void)state;
    struct zones z;
    read_zones("a", &z);
    assert_int_equal(z.bad_rows, 0);
    assert_int_equal(z.unknown, 0);
    long total = 0;
    for (size_t i = 0; i < z.n; i++)
        if (strcmp(z.v[i].phase, "toutes") == 0) {
            assert_int_equal(z.v[i].seen, z.v[i].n_communes);
            total += z.v[i].n_communes;
        }
    assert_int_equal(total, 2746);
    assert_string_equal(z.v[0].id, "T001");
    assert_int_equal(z.v[0].n_communes, 2639);
}

/* method.md §4 says the demo data make "one zone of 2,562 communes". That
** figure holds with the fallback rurality rule (P < 2,000 or density < 60),
** not with the INSEE grid the demo configuration uses: 3,931 communes are
** rural by that rule (counted independently from the table's populations
** and the areas), and T001 then holds 2,562 of them. */
static void
test_method_figure_with_fallback_rule(void **state)
{
    (void)state;
    struct check c;
    read_communes("fallback", &c);
    assert_int_equal(c.rows, 4446);
    assert_int_equal(c.rural, 3931);
    assert_int_equal(c.rural_trou_violations, 0);
    struct zones z;
    read_zones("fallback", &z);
    assert_int_equal(z.bad_rows, 0);
    assert_int_equal(z.unknown, 0);
    assert_string_equal(z.v[0].id, "T001");
    assert_int_equal(z.v[0].n_communes, 2562);
    assert_int_equal(z.v[0].seen, 2562);
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

static void
test_fca_identity_and_counts(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/a/run.json", dir);
    char *j = rq_test_slurp(path);
    double s = json_number(j, "somme_capacites_atteignant");
    double pa = json_number(j, "somme_population_acces");
    assert_true(s > 0);
    assert_true(fabs(pa - s) <= 1e-6 * s);
    assert_true(json_number(j, "contours_lus") == 4485);
    assert_true(json_number(j, "contours_non_apparies") == 0);
    assert_true(json_number(j, "communes") == 4446);
    /* One population, the same in the table and in the analysis. */
    assert_true(json_number(j, "population_table") == 6124653);
    assert_true(json_number(j, "population") == 6124653);
    /* The boundaries' codes by rule: 38 delegated, 2 by the passage table. */
    const char *b = strstr(j, "\"contours\": {");
    assert_non_null(b);
    assert_true(json_number(b, "delegated") == 38);
    assert_true(json_number(b, "passage") == 2);
    assert_true(json_number(b, "unknown") == 0);
    assert_non_null(strstr(j, "\"codes_non_apparies\": []"));
    assert_non_null(strstr(j, "\"sha256\": \""));
    free(j);
}

/* superficie_km2 of a commune in communes.csv. */
static double
area_of(const char *run, const char *code)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "awk -F, '$1 == \"%s\" {print $6}' '%s/%s/communes.csv'", code, dir,
             run);
    return rq_test_shell_number(cmd);
}

/* The passage table gives 30052 Bréau-Mars and 30339 Val-d'Aigoual their
** whole territory: the areas of the source features of 30052 + 30157 and
** 30339 + 30190, measured here by SpatiaLite (GDAL's SQLite dialect) in
** Lambert-93, not by raquette. */
static void
test_merged_communes_areas(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "ogrinfo -q -dialect sqlite -sql \"SELECT code, "
             "ST_Area(ST_Transform(geometry, 2154)) / 1e6 AS km2 FROM communes WHERE code IN "
             "('30052', '30157', '30339', '30190') ORDER BY code\" '%s' | "
             "awk -F' = ' '/km2/ {printf \"%%s \", $2}'",
             rq_test_geodata("occitanie/communes-2018.geojson"));
    char *out = NULL;
    assert_int_equal(rq_test_run(cmd, &out), 0);
    double a052, a157, a190, a339;
    if (sscanf(out, "%lf %lf %lf %lf", &a052, &a157, &a190, &a339) != 4)
        fail_msg("cannot read the source areas: %s", out);
    free(out);
    assert_close(area_of("a", "30052"), a052 + a157, 1e-4);
    assert_close(area_of("a", "30339"), a339 + a190, 1e-4);
    /* Both gained a real territory, not a sliver. */
    assert_true(a157 > 1.0 && a190 > 1.0);
}

/* Aggregates by département carry the names of the département table. */
static void
test_departement_names(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/a/agregats_departements.csv", dir);
    char *t = rq_test_slurp(path);
    assert_non_null(strstr(t, "\n09,Ariège,"));
    assert_non_null(strstr(t, "\n48,Lozère,"));
    free(t);
}

/* A run writes these files and no others (docs/outputs.md); all but
** run.json, which holds timings, are the same bytes whatever the number
** of threads. */
static void
test_byte_identical(void **state)
{
    (void)state;
    static const char *const files[] = {".raquette",
                                        "a.gpkg",
                                        "a.qgs",
                                        "a.xlsx",
                                        "agregats_departements.csv",
                                        "agregats_departements.csvt",
                                        "agregats_epci.csv",
                                        "agregats_epci.csvt",
                                        "agregats_zone_etude.csv",
                                        "agregats_zone_etude.csvt",
                                        "annuaire.csv",
                                        "annuaire.csvt",
                                        "communes.csv",
                                        "communes.csvt",
                                        "communes.geojson",
                                        "communes.qml",
                                        "communes_acces.qml",
                                        "rapport.html",
                                        "recouvrements.csv",
                                        "recouvrements.csvt",
                                        "run.json",
                                        "sites.geojson",
                                        "sites.qml",
                                        "structures_couverture.csv",
                                        "structures_couverture.csvt",
                                        "trous.geojson",
                                        "trous.qml"};
    size_t n = sizeof files / sizeof files[0];
    char cmd[4096];
    char *listing = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s/a' && ls -A | LC_ALL=C sort", dir);
    assert_int_equal(rq_test_run(cmd, &listing), 0);
    char *save = NULL;
    size_t i = 0;
    for (char *f = strtok_r(listing, "\n", &save); f; f = strtok_r(NULL, "\n", &save), i++) {
        if (i >= n || strcmp(f, files[i]) != 0)
            fail_msg("unexpected file %s in the output folder (expected %s)", f,
                     i < n ? files[i] : "nothing");
    }
    free(listing);
    assert_int_equal(i, n);
    for (i = 0; i < n; i++) {
        if (strcmp(files[i], "run.json") == 0)
            continue;
        snprintf(cmd, sizeof cmd, "cmp '%s/a/%s' '%s/b/a/%s'", dir, files[i], dir, files[i]);
        if (rq_test_run(cmd, NULL) != 0)
            fail_msg("%s differs between two runs", files[i]);
    }
}

/* A rerun under the same name compares with the previous run: the same
** bytes with three worker threads and with one. */
static void
test_rerun_byte_identical(void **state)
{
    (void)state;
    char *r3 = rq_xasprintf("%s/r3", dir), *r1 = rq_xasprintf("%s/r1", dir);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(run_into(r3, 3), 0);
        assert_int_equal(run_into(r1, 1), 0);
    }
    char cmd[4096];
    char *layers = NULL;
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -q '%s/a/a.gpkg'", r3);
    assert_int_equal(rq_test_run(cmd, &layers), 0);
    assert_non_null(strstr(layers, "evolution_communes"));
    assert_non_null(strstr(layers, "evolution_trous"));
    free(layers);
    /* The same names in both folders, and the same bytes but run.json. */
    snprintf(cmd, sizeof cmd, "diff <(cd '%s/a' && ls -A) <(cd '%s/a' && ls -A)", r3, r1);
    char *bash = rq_xasprintf("bash -c \"%s\"", cmd);
    assert_int_equal(run_cmd(bash), 0);
    free(bash);
    snprintf(cmd, sizeof cmd,
             "cd '%s/a' && for f in $(ls -A); do [ \"$f\" = run.json ] || "
             "cmp \"$f\" '%s/a/'\"$f\" || exit 1; done",
             r3, r1);
    assert_int_equal(run_cmd(cmd), 0);
    free(r3);
    free(r1);
}

/* The executable refuses libquadmath's printf hooks (src/cli/printf_hooks.c):
** glibc's dynamic linker says where it bound each call (LD_DEBUG). A call
** bound to glibc would have slowed down every printf of the run. */
static void
test_printf_hooks_refused(void **state)
{
    (void)state;
    char cmd[4096], *out = NULL, *libs = NULL, *save = NULL;
    snprintf(cmd, sizeof cmd, "LD_DEBUG=bindings '%s' --version", getenv("RQ_BINARY"));
    assert_int_equal(rq_test_run(cmd, &out), 0);
    snprintf(cmd, sizeof cmd, "ldd '%s'", getenv("RQ_BINARY"));
    assert_int_equal(rq_test_run(cmd, &libs), 0);
    size_t to_raquette = 0;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strstr(line, "`register_printf_"))
            continue;
        assert_null(strstr(line, "libc.so")); /* never glibc's */
        to_raquette += strstr(line, "/raquette [0]") != NULL;
    }
    /* libquadmath comes with GDAL (armadillo, LAPACK, libgfortran). */
    if (strstr(libs, "libquadmath"))
        assert_true(to_raquette >= 1);
    free(out);
    free(libs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_communes_invariants),
        cmocka_unit_test(test_gap_zones_partition),
        cmocka_unit_test(test_method_figure_with_fallback_rule),
        cmocka_unit_test(test_layers_open_in_ogrinfo),
        cmocka_unit_test(test_fca_identity_and_counts),
        cmocka_unit_test(test_merged_communes_areas),
        cmocka_unit_test(test_departement_names),
        cmocka_unit_test(test_byte_identical),
        cmocka_unit_test(test_rerun_byte_identical),
        cmocka_unit_test(test_printf_hooks_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
