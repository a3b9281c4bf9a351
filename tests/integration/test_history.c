/* test_history.c - the history of runs and the comparison of two runs, on
** the real Occitanie data, as planners use them:
**
**  - an annual rerun: the 2025 commune table with the directory as it stood
**    in 2025, then the 2026 table with the current directory. The data
**    README lists what changed in the directory; `compare` must give those
**    changes as its causes, nothing else, and for each the communes whose
**    status it changed, recomputed independently from the two runs' own
**    communes.csv and annuaire.csv (tests/history/check_comparison.py);
**  - a change of commune vintage: the 2022 table against 2026. The nine
**    codes current in 2022 and not in 2026 (the README names 12076
**    Conques-en-Rouergue) must each be matched to their commune of 2026,
**    read from the 2026 table by the checker; no commune new or gone;
**  - the database in the tools of an analyst (sqlite3, spatialite, ogrinfo,
**    QGIS), the comparison layers in the run's GeoPackage and project;
**  - a run killed while it records leaves the database byte for byte as it
**    was; two runs at once are both recorded (the second waits) or one
**    fails with a clear message, and two first runs at once both make it
**    into the new history; --no-history records nothing.
*/
#include "rq_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

static const char EXPECTED_CAUSES[] =
    "site_ajoute:INC-RUR:INC-RUR-48B,structure_ajoutee:TL-BAG:,structure_ajoutee:TL-LIM:,"
    "structure_supprimee:CAE-32:,phases_modifiees:PTC-COU:,site_deplace:RC-11:RC-11B";

static char *
file_text(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return rq_test_slurp(path);
}

static int
setup(void **state)
{
    (void)state;
    (void)rq_test_geodata("occitanie");
    dir = rq_test_tmpdir();
    const char *bin = getenv("RQ_BINARY"), *src = getenv("RQ_SOURCE_DIR");
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; export SOURCE_DATE_EPOCH=1764633600; "
             "sed 's/cog2026/cog2022/' '%s/config/occitanie.ini' > 2022.ini; "
             "grep -q cog2022 2022.ini; "
             "'%s' run -q --out . --name occitanie '%s/config/occitanie-2025.ini'; "
             "cp -r occitanie run1; "
             "'%s' run --out . --name occitanie '%s/config/occitanie.ini' 2> run2.log; "
             "'%s' run -q --out . --name occ2022 2022.ini; "
             "'%s' compare historique.sqlite 1 2 > cmp12.txt; "
             "'%s' compare historique.sqlite occ2022 occitanie > cmp32.txt",
             dir, src, bin, src, bin, src, bin, bin, bin);
    return rq_test_setup_run(cmd);
}

static int
teardown(void **state)
{
    (void)state;
    return rq_test_teardown_dir(&dir);
}

/* Facts of the data README: 4,446 communes and 6,124,653 inhabitants with
** the 2026 table, 4,454 and 5,973,969 with the 2022 one. */
static void
test_history_listing(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' history '%s/historique.sqlite'", getenv("RQ_BINARY"), dir);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "   1  occitanie            2025-12-02 2025        4446    6124653"));
    assert_non_null(strstr(t, "   2  occitanie            2025-12-02 2026        4446    6124653"));
    assert_non_null(strstr(t, "   3  occ2022              2025-12-02 2022        4454    5973969"));
    free(t);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/historique.sqlite' 'PRAGMA integrity_check; SELECT run_id, count(*) "
             "FROM communes GROUP BY run_id; SELECT count(*) FROM sites GROUP BY run_id'",
             dir);
    t = rq_test_shell(cmd);
    assert_string_equal(t, "ok\n1|4446\n2|4446\n3|4454\n74\n76\n76\n");
    free(t);
}

static void
test_annual_rerun(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && python3 '%s/tests/history/check_comparison.py' causes run1 occitanie "
             "comparaison-1-2 '%s'",
             dir, getenv("RQ_SOURCE_DIR"), EXPECTED_CAUSES);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "0 problem(s)"));
    free(t);
    /* The printed summary: the run says it, compare says it, resume.txt
    ** keeps it; the move is named with the communes of the README. */
    char *cmp = file_text("cmp12.txt"), *run = file_text("run2.log");
    char *kept = file_text("comparaison-1-2/resume.txt");
    assert_string_equal(cmp, kept);
    assert_non_null(strstr(run, cmp));
    assert_non_null(strstr(cmp, "Comparaison du run 1 « occitanie » (2025-12-02, COG 2025) au "
                                "run 2 « occitanie » (2025-12-02, COG 2026)"));
    assert_non_null(strstr(cmp, "site déplacé RC-11B (structure RC-11) : de Quillan (11304) à "
                                "Limoux (11206)"));
    assert_non_null(strstr(cmp, "structure supprimée CAE-32"));
    assert_null(strstr(cmp, "inexpliqué"));
    free(cmp);
    free(run);
    free(kept);
}

static void
test_vintage_change(void **state)
{
    (void)state;
    char cmd[8192];
    const char *g = getenv("RAQUETTE_GEODATA");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && python3 '%s/tests/history/check_comparison.py' vintage "
             "'%s/cog/communes-cog2022.csv' '%s/cog/communes-cog2026.csv' "
             "'%s/cog/passage-cog2026.csv' 76 comparaison-3-2",
             dir, getenv("RQ_SOURCE_DIR"), g, g, g);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "codes current in the old table only: 9 "));
    assert_non_null(strstr(t, "12076"));
    assert_non_null(strstr(t, "0 problem(s)"));
    free(t);
    /* Six communes nouvelles (32365 Cap d'Astarac from four former ones),
    ** and Conques-en-Rouergue, whose code went from 12076 to 12218; the
    ** same directory and parameters: nothing to explain. */
    char *cmp = file_text("cmp32.txt");
    assert_non_null(strstr(cmp, "6 communes nouvelles comparées à l'union de leurs anciennes "
                                "communes, 1 changement de code"));
    assert_non_null(strstr(cmp, "Causes : aucune modification"));
    free(cmp);
    char *rows = file_text("comparaison-3-2/comparaison_communes.csv");
    assert_non_null(strstr(rows, "\n32365,Cap d'Astarac,32067|32260|32365|32413,1,"));
    assert_non_null(strstr(rows, "\n12218,Conques-en-Rouergue,12076,0,"));
    free(rows);
}

static void
test_clients(void **state)
{
    (void)state;
    char cmd[8192];
    const char *src = getenv("RQ_SOURCE_DIR");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && spatialite -batch historique.sqlite 'SELECT count(*), "
             "sum(ST_Area(geom)) > 7e10 FROM communes WHERE run_id = 3;' && "
             "ogrinfo -ro -q historique.sqlite | grep -E ': (communes|sites|trous) '",
             dir);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "4454|1"));
    assert_non_null(strstr(t, "communes (Multi Polygon)"));
    assert_non_null(strstr(t, "sites (Point)"));
    free(t);
    snprintf(cmd, sizeof cmd,
             "QT_QPA_PLATFORM=offscreen /usr/bin/python3 '%s/tests/qgis/check_history.py' "
             "'%s/historique.sqlite' 2 2>&1 | grep -v '^Warning'; "
             "QT_QPA_PLATFORM=offscreen /usr/bin/python3 '%s/tests/qgis/check_outputs.py' "
             "'%s/occitanie' occitanie 2>&1 | grep -E '^(FAIL|ok   evolution)|failure'",
             src, dir, src, dir);
    char *out = NULL;
    rq_test_run(cmd, &out);
    if (strstr(out, "FAIL") || !strstr(out, "ok   evolution layers: their group") ||
        !strstr(out, "ok   trous of run 2: 62 features"))
        fail_msg("QGIS checks:\n%s", out);
    free(out);
}

/* A run killed while its transaction is open (the journal exists) leaves
** the database as it was, byte for byte once SQLite rolled it back. */
static void
test_kill_while_recording(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; mkdir k; cp historique.sqlite k/; "
             "before=$(md5sum < k/historique.sqlite); "
             "'%s' run -q --out k --name occitanie '%s/config/occitanie.ini' & pid=$!; "
             "for i in $(seq 1 2400); do [ -e k/historique.sqlite-journal ] && break; "
             "sleep 0.05; done; [ -e k/historique.sqlite-journal ]; kill -9 $pid; "
             "wait $pid || true; "
             "sqlite3 k/historique.sqlite 'PRAGMA integrity_check; SELECT count(*) FROM runs'; "
             "[ \"$(md5sum < k/historique.sqlite)\" = \"$before\" ] && echo same bytes",
             dir, getenv("RQ_BINARY"), getenv("RQ_SOURCE_DIR"));
    char *t = rq_test_shell(cmd);
    assert_string_equal(t, "ok\n3\nsame bytes\n");
    free(t);
}

/* Runs "one" and "two" at once on Occitanie into folder f of dir, after
** setup (shell, in dir); then prints their exit statuses and messages and
** what query (shell, in dir) prints. What the shell printed, newly
** allocated. */
static char *
two_runs_at_once(const char *f, const char *setup, const char *query)
{
    char cmd[8192];
    const char *bin = getenv("RQ_BINARY"), *src = getenv("RQ_SOURCE_DIR");
    snprintf(cmd, sizeof cmd,
             "cd '%s'; mkdir %s; %s; "
             "'%s' run -q --out %s --name one '%s/config/occitanie.ini' 2> %s/one.log & a=$!; "
             "'%s' run -q --out %s --name two '%s/config/occitanie.ini' 2> %s/two.log & b=$!; "
             "wait $a; echo \"one $?\"; wait $b; echo \"two $?\"; cat %s/one.log %s/two.log; %s",
             dir, f, setup, bin, f, src, f, bin, f, src, f, f, f, query);
    return rq_test_shell(cmd);
}

/* Two runs at once into one history: both recorded (the second waits for
** the first), or one recorded and the other stopped with a clear message. */
static void
test_concurrent_runs(void **state)
{
    (void)state;
    char *t = two_runs_at_once("c", "cp historique.sqlite c/",
                               "sqlite3 c/historique.sqlite 'PRAGMA integrity_check; SELECT "
                               "group_concat(nom) FROM runs WHERE id > 3'");
    /* Either may take the history first: the second waits for it. */
    int both =
        strstr(t, "one 0\ntwo 0\n") && (strstr(t, "ok\none,two\n") || strstr(t, "ok\ntwo,one\n"));
    int one = (strstr(t, "one 0\ntwo 1\n") && strstr(t, "ok\none\n")) ||
              (strstr(t, "one 1\ntwo 0\n") && strstr(t, "ok\ntwo\n"));
    if (!both && !(one && strstr(t, "another raquette is writing into the history")))
        fail_msg("two runs at once:\n%s", t);
    free(t);
}

/* Two first runs at once into a folder without a history: each records in
** memory, the first to end saves its history as the file, and the other,
** finding it there, records into it: both runs, each whole. */
static void
test_concurrent_first_runs(void **state)
{
    (void)state;
    char *t = two_runs_at_once(
        "f", "true",
        "ls -A f | grep -c tmp; "
        "sqlite3 f/historique.sqlite 'PRAGMA integrity_check; SELECT group_concat(t, \" \") "
        "FROM (SELECT r.id || \":\" || (SELECT count(*) FROM communes c WHERE c.run_id = "
        "r.id) || \":\" || (SELECT count(*) FROM sites s WHERE s.run_id = r.id) AS t FROM "
        "runs r ORDER BY r.id)'");
    /* 4,446 communes and 76 sites each (the data README); no temporary
     * file left. */
    if (!strstr(t, "one 0\ntwo 0\n0\nok\n1:4446:76 2:4446:76\n"))
        fail_msg("two first runs at once:\n%s", t);
    free(t);
}

static void
test_no_history(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' run -q --no-history --out n --name mini '%s/mini/mini.ini' && "
             "ls -A n && grep -c 'Chiffres clés' n/mini/rapport.html",
             dir, getenv("RQ_BINARY"), getenv("RQ_FIXTURES"));
    char *t = rq_test_shell(cmd);
    /* No database next to the run, and still a report (with no comparison). */
    assert_string_equal(t, ".mini.lock\nmini\n1\n");
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_listing),       cmocka_unit_test(test_annual_rerun),
        cmocka_unit_test(test_vintage_change),        cmocka_unit_test(test_clients),
        cmocka_unit_test(test_kill_while_recording),  cmocka_unit_test(test_concurrent_runs),
        cmocka_unit_test(test_concurrent_first_runs), cmocka_unit_test(test_no_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
