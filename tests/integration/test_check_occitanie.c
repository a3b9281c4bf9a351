/* test_check_occitanie.c - `raquette check` on the real Occitanie and
** France data, and the command line's exit statuses.
**
** Expected figures are the facts of ../shared/geodata/README.md: 4,485
** boundaries, 4,446 current communes of région 76, population 6,124,653, 38
** codes merged into their chef-lieu, 30157 and 30190 sent by the passage
** table to 30052 and 30339 (so no unmatched boundary), 76 sites of 55
** structures; on France, all 35,228 boundaries matched. The
** rural count (4,079: levels 5/6/7 = 567 + 1,829 + 1,683) was computed
** independently with a short Python script over the COG 2026 table and the
** 2022 grid (delegated codes -> chef-lieu, level of the part with the
** largest pmun19), not taken from raquette's output.
*/
#include "rq_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs raquette with args; *out receives its output (the caller's variable,
** so that GCC 12 does not take strstr results for pointers into a dead
** local at -O3). */
static int
run(const char *args, char **out)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", getenv("RQ_BINARY"), args);
    *out = NULL;
    return rq_test_run(cmd, out);
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
    char *out;
    int st = run(args, &out);
    if (st != 0)
        fail_msg("exit %d:\n%s", st, out);
    assert_figure(out, "boundaries read", "4485");
    /* 4,445 current + 38 delegated + 2 through the passage table. */
    assert_non_null(strstr(out, "  boundaries                         4445             38"
                                "              2              0              0\n"));
    assert_figure(out, "unmatched boundary codes (left out)", "0");
    assert_figure(out, "current communes in the study area (table)", "4446");
    assert_figure(out, "current communes with a boundary", "4446");
    assert_figure(out, "current communes without a boundary (left out)", "0");
    assert_figure(out, "population (table)", "6124653");
    assert_figure(out, "population of communes with a boundary", "6124653");
    assert_figure(out, "population left out (no boundary)", "0");
    assert_figure(out, "rural communes", "4079");
    assert_figure(out, "communes without a level (fallback rule)", "0");
    assert_figure(out, "sites read", "76");
    assert_figure(out, "structures read", "55");
    assert_figure(out, "sites located inside the study area", "76");
    assert_figure(out, "structures with a site inside", "55");
    free(out);
}

/* The line "    CODE name ... (POP inhabitants)" of a commune left out. */
static void
assert_left_out(const char *out, const char *code, long pop)
{
    char head[64], tail[64];
    snprintf(head, sizeof head, "\n    %s ", code);
    snprintf(tail, sizeof tail, "(%ld inhabitants)\n", pop);
    const char *start = strstr(out, head);
    if (!start)
        fail_msg("commune %s is not listed as left out:\n%s", code, out);
    size_t len = strcspn(start + 1, "\n") + 2; /* the line and its newline */
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)len, start);
    if (!strstr(line, tail))
        fail_msg("commune %s is not listed with its %ld inhabitants: %s", code, pop, line);
}

/* All of metropolitan France: every boundary matched, the 7 communes
** created after 2018 listed with their populations, and the figures adding
** up to the commune table's (summed here with awk, not by raquette). */
static void
test_check_france(void **state)
{
    (void)state;
    const char *cog = rq_test_geodata("cog/communes-cog2026.csv");
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "awk -F, 'NR > 1 && $3 == \"commune-actuelle\" {n++} END {print n}' '%s'", cog);
    long n_table = (long)rq_test_shell_number(cmd);
    snprintf(cmd, sizeof cmd,
             "awk -F, 'NR > 1 && $3 == \"commune-actuelle\" {p += $7} END {print p}' '%s'", cog);
    long pop_table = (long)rq_test_shell_number(cmd);
    assert_int_equal(n_table, 34746); /* the table is metropolitan France only */

    char args[1024];
    snprintf(args, sizeof args, "check '%s/config/france.ini'", getenv("RQ_SOURCE_DIR"));
    char *out;
    int st = run(args, &out);
    if (st != 0)
        fail_msg("exit %d:\n%s", st, out);
    assert_figure(out, "boundaries read", "35228");
    assert_figure(out, "unmatched boundary codes (left out)", "0");
    char want[64];
    snprintf(want, sizeof want, "%ld", n_table);
    assert_figure(out, "current communes in the study area (table)", want);
    assert_figure(out, "current communes with a boundary", "34739");
    assert_figure(out, "current communes without a boundary (left out)", "7");
    snprintf(want, sizeof want, "%ld", pop_table);
    assert_figure(out, "population (table)", want);
    assert_figure(out, "population left out (no boundary)", "5245");
    snprintf(want, sizeof want, "%ld", pop_table - 5245);
    assert_figure(out, "population of communes with a boundary", want);
    /* Each commune left out is listed with its population from the table. */
    static const char *const left_out[] = {"14666", "15031", "15035", "15047",
                                           "15171", "85165", "85212"};
    long sum = 0;
    for (size_t i = 0; i < NELEM(left_out); i++) {
        snprintf(cmd, sizeof cmd,
                 "awk -F, '$1 == \"%s\" && $3 == \"commune-actuelle\" {print $7}' '%s'",
                 left_out[i], cog);
        long pop = (long)rq_test_shell_number(cmd);
        assert_left_out(out, left_out[i], pop);
        sum += pop;
    }
    assert_int_equal(sum, 5245);
    free(out);
}

static void
test_cli_statuses(void **state)
{
    (void)state;
    char *out;
    int st = run("--help", &out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "check CONFIG"));
    free(out);
    st = run("--version", &out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "raquette 0."));
    free(out);
    st = run("check --help", &out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "usage: raquette check"));
    free(out);
    st = run("", &out);
    assert_int_equal(st, 2);
    free(out);
    st = run("frobnicate", &out);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "unknown command 'frobnicate'"));
    free(out);
    st = run("check /nonexistent/raquette.ini", &out);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "/nonexistent/raquette.ini"));
    free(out);
}

/* Redirected stderr (not a terminal) gets one line per stage, never the
** '\r' progress updates of a terminal: on the mini fixture, each stage of
** a run says "STAGE: done in". The same run shows the two populations
** named apart: the table's study area holds Alpha 1,500, Beta 8,000 and
** Zeta 100 (no boundary: left out), so 9,500 analysed of 9,600, in the
** summary and in run.json alike. */
static void
test_progress_in_logs(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir();
    char args[2048];
    snprintf(args, sizeof args, "run --no-history --out '%s' '%s'", dir,
             rq_test_fixture("mini/mini.ini"));
    char *out;
    int st = run(args, &out);
    if (st != 0)
        fail_msg("exit %d:\n%s", st, out);
    assert_null(strchr(out, '\r'));
    assert_non_null(strstr(out, "population analysed 9500 of 9600\n"));
    assert_non_null(strstr(out, "left out: 1 communes without a boundary (100 inhabitants)"));
    char path[4096];
    snprintf(path, sizeof path, "%s/mini/run.json", dir);
    char *j = rq_test_slurp(path);
    static const char *const figures[] = {"\"population_table\": 9600", "\"population\": 9500",
                                          "\"population_sans_contour\": 100"};
    for (size_t i = 0; i < NELEM(figures); i++)
        if (!strstr(j, figures[i]))
            fail_msg("no %s in run.json:\n%s", figures[i], j);
    free(j);
    static const char *const stages[] = {"loading", "reach",      "indicators",
                                         "gaps",    "aggregates", "outputs"};
    for (size_t i = 0; i < NELEM(stages); i++) {
        char line[64];
        snprintf(line, sizeof line, "\n%s: done in ", stages[i]);
        if (!strstr(out, line) && strncmp(out, line + 1, strlen(line + 1)) != 0)
            fail_msg("no line '%s' in:\n%s", line + 1, out);
    }
    free(out);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    rq_test_run(cmd, NULL);
    free(dir);
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
    char *out;
    int st = run(args, &out);
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
        cmocka_unit_test(test_check_real_data),  cmocka_unit_test(test_check_france),
        cmocka_unit_test(test_cli_statuses),     cmocka_unit_test(test_check_broken_config),
        cmocka_unit_test(test_progress_in_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
