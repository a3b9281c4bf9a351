/* test_check_occitanie.c - `raquette check` on the real Occitanie data and
** the command line's exit statuses.
**
** Expected figures are the facts of ../shared/geodata/README.md: 4,485
** boundaries, 4,446 current communes of région 76, population 6,124,653, 38
** codes merged, 30157 and 30190 unmatched, 76 sites of 55 structures. The
** rural count (4,079: levels 5/6/7 = 567 + 1,829 + 1,683) was computed
** independently with a short Python script over the COG 2026 table and the
** 2022 grid (delegated codes -> chef-lieu, level of the part with the
** largest pmun19), not taken from raquette's output.
*/
#include "rq_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
run(const char *args, int *status)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", getenv("RQ_BINARY"), args);
    char *out = NULL;
    *status = rq_test_run(cmd, &out);
    return out;
}

/* Asserts that out holds a line with label followed by value. */
static void
assert_figure(const char *out, const char *label, const char *value)
{
    const char *p = strstr(out, label);
    if (!p)
        fail_msg("no '%s' in:\n%s", label, out);
    p += strlen(label);
    while (*p == ' ')
        p++;
    if (strncmp(p, value, strlen(value)) != 0 || (p[strlen(value)] != '\n'))
        fail_msg("'%s' is not %s in:\n%s", label, value, out);
}

static void
test_check_real_data(void **state)
{
    (void)state;
    rq_test_geodata("README.md"); /* fails clearly when the data is missing */
    char args[1024];
    snprintf(args, sizeof args, "check '%s/config/occitanie.ini'", getenv("RQ_SOURCE_DIR"));
    int st;
    char *out = run(args, &st);
    if (st != 0)
        fail_msg("exit %d:\n%s", st, out);
    assert_figure(out, "boundaries read", "4485");
    assert_figure(out, "codes merged into their chef-lieu", "38");
    assert_figure(out, "unmatched boundary codes (left out)", "2");
    assert_non_null(strstr(out, "    30157 Mars\n"));
    assert_non_null(strstr(out, "    30190 Notre-Dame-de-la-Rouvière\n"));
    assert_figure(out, "current communes in the study area (table)", "4446");
    assert_figure(out, "current communes with a boundary", "4446");
    assert_figure(out, "current communes without a boundary", "0");
    assert_figure(out, "population (table)", "6124653");
    assert_figure(out, "population of communes with a boundary", "6124653");
    assert_figure(out, "rural communes", "4079");
    assert_figure(out, "communes without a level (fallback rule)", "0");
    assert_figure(out, "sites read", "76");
    assert_figure(out, "structures read", "55");
    assert_figure(out, "sites located inside the study area", "76");
    assert_figure(out, "structures with a site inside", "55");
    free(out);
}

static void
test_cli_statuses(void **state)
{
    (void)state;
    int st;
    char *out = run("--help", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "check CONFIG"));
    free(out);
    out = run("--version", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "raquette 0."));
    free(out);
    out = run("check --help", &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "usage: raquette check"));
    free(out);
    out = run("", &st);
    assert_int_equal(st, 2);
    free(out);
    out = run("frobnicate", &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "unknown command 'frobnicate'"));
    free(out);
    out = run("check /nonexistent/raquette.ini", &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "/nonexistent/raquette.ini"));
    free(out);
}

static void
test_check_broken_config(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char ini[512], args[1024];
    snprintf(ini, sizeof ini, "%s/bad.ini", dir);
    rq_test_write_file(ini, "[study]\nregion = 76\n[coverage]\ntreshold = 0.5\n");
    snprintf(args, sizeof args, "check '%s'", ini);
    int st;
    char *out = run(args, &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "bad.ini:4"));
    assert_non_null(strstr(out, "threshold"));
    free(out);
    remove(ini);
    remove(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_real_data),
        cmocka_unit_test(test_cli_statuses),
        cmocka_unit_test(test_check_broken_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
