/* test_units_occitanie.c - study units finer than communes on the real
** Occitanie data, the way a planner makes and uses them (method.md §1.4):
** a run on the communes, bench/gen-cells cutting its GeoPackage into 2 km
** cells, then a run with the cells as [units], whose report draws its maps
** by class.
**
** Expected values come from outside raquette's cell run: the cells file
** itself, summed with sqlite3 (features, population by the département
** of each cell's commune), the population of région 76 in the data README
** (6,124,653), and the rurality of each commune from the commune run
** (checked against an independent computation in test_check_occitanie).
*/
#include "rq_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir; /* base/ (commune run), cells.gpkg, cells.ini, out/ (cell run) */

static int
setup(void **state)
{
    (void)state;
    (void)rq_test_geodata("occitanie");
    dir = rq_test_tmpdir();
    const char *src = getenv("RQ_SOURCE_DIR"), *bin = getenv("RQ_BINARY");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' run -q --no-history --out '%s/base' '%s/config/occitanie.ini' && "
             "'%s/bench/gen-cells' 2000 '%s/base/occitanie/occitanie.gpkg' '%s/cells.gpkg' && "
             "sed -e 's/^name = occitanie$/name = cells/' "
             "-e 's|^\\[cog\\]$|[units]\\npath = %s/cells.gpkg\\nlayer = cellules\\n\\n[cog]|' "
             "-e 's|^path = \\${RAQUETTE_GEODATA}|path = %s|' '%s/config/occitanie.ini' "
             "> '%s/cells.ini' && "
             "'%s' run -q --no-history --out '%s/out' '%s/cells.ini'",
             bin, dir, src, src, dir, dir, dir, getenv("RAQUETTE_GEODATA"), src, dir, bin, dir,
             dir);
    return rq_test_setup_run(cmd);
}

static int
teardown(void **state)
{
    (void)state;
    return rq_test_teardown_dir(&dir);
}

static double
cells_sql(const char *sql)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/cells.gpkg' \"%s\"", dir, sql);
    return rq_test_shell_number(cmd);
}

/* One row per cell in communes.csv, the cell's id first and its commune
** second; every inhabitant of région 76 counted once. */
static void
test_rows_are_cells(void **state)
{
    (void)state;
    double n = cells_sql("SELECT COUNT(*) FROM cellules");
    assert_true(n > 18000 && n < 21000); /* 72,724 km2 in 4 km2 squares, plus edges */
    assert_close(cells_sql("SELECT SUM(population) FROM cellules"), 6124653, 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); "
             "print(len(r) if list(r[0])[:2] == ['id_unite','code_insee'] else -1)\" "
             "'%s/out/cells/communes.csv'",
             dir);
    assert_close(rq_test_shell_number(cmd), n, 0);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import csv,sys; "
             "print(sum(int(r['population']) for r in csv.DictReader(open(sys.argv[1]))))\" "
             "'%s/out/cells/communes.csv'",
             dir);
    assert_close(rq_test_shell_number(cmd), 6124653, 0);
    /* run.json names both: the communes of the area and the units. */
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import json,sys; c=json.load(open(sys.argv[1]))['comptes']; "
             "print(c['unites'] if (c['communes'], c['population_unites']) == (4446, 6124653) "
             "else -1)\" '%s/out/cells/run.json'",
             dir);
    assert_close(rq_test_shell_number(cmd), n, 0);
}

/* Aggregates add cells: each département's population is the sum of the
** cells whose commune lies in it (sqlite3 on the cells file). */
static void
test_departements_add_cells(void **state)
{
    (void)state;
    static const char *const deps[] = {"09", "11", "12", "30", "31", "32", "34",
                                       "46", "48", "65", "66", "81", "82"};
    for (size_t i = 0; i < NELEM(deps); i++) {
        char sql[512], cmd[4096];
        snprintf(sql, sizeof sql,
                 "SELECT SUM(population) FROM cellules WHERE substr(code_commune, 1, 2) = '%s'",
                 deps[i]);
        double want = cells_sql(sql);
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"import csv,sys; print([r['population'] for r in "
                 "csv.DictReader(open(sys.argv[1])) if r['code'] == '%s'][0])\" "
                 "'%s/out/cells/agregats_departements.csv'",
                 deps[i], dir);
        double got = rq_test_shell_number(cmd);
        if (got != want)
            fail_msg("département %s: %.0f in the aggregates, %.0f in its cells", deps[i], got,
                     want);
    }
}

/* A cell is rural when its commune is: the rural population of the cell run
** is the population of the cells whose commune the commune run calls
** rural. */
static void
test_rurality_from_communes(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import csv,sqlite3,sys; "
             "rural={r['code_insee'] for r in csv.DictReader(open(sys.argv[1])) "
             "if r['rural'] == '1'}; "
             "db=sqlite3.connect(sys.argv[2]); "
             "print(sum(p for c,p in db.execute('SELECT code_commune, population FROM cellules') "
             "if c in rural))\" "
             "'%s/base/occitanie/communes.csv' '%s/cells.gpkg'",
             dir, dir);
    double want = rq_test_shell_number(cmd);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import csv,sys; "
             "print(next(csv.DictReader(open(sys.argv[1])))['population_rurale'])\" "
             "'%s/out/cells/agregats_zone_etude.csv'",
             dir);
    assert_close(rq_test_shell_number(cmd), want, 0);
    assert_true(want > 1000000); /* about 2.4 of the 6.1 million */
}

/* The report of a run on cells: its maps draw each class as one path, so
** it stays small (under the 3 MB of a commune report: docs/outputs.md); the
** gap zones, found by their member ids in the history, are drawn and
** labelled where they are (a zone whose members were not found would get
** an empty path and a label at 0,0). */
static void
test_report_on_cells(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "stat -c %%s '%s/out/cells/rapport.html'", dir);
    double size = rq_test_shell_number(cmd);
    assert_true(size > 100000 && size < 3e6);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import re,sys; s=open(sys.argv[1]).read(); "
             "z=s[s.index('class=\\\"trous\\\"'):]; z=z[:z.index('</g>')]; "
             "print(len(re.findall('<path d=\\\"M', z)) if "
             "not re.search('x=\\\"0.0\\\" y=\\\"0.0\\\" class=\\\"zonelab', s) "
             "else -1)\" '%s/out/cells/rapport.html'",
             dir);
    double drawn = rq_test_shell_number(cmd);
    /* Every zone of 1 km2 or more is drawn; a sliver of a coastal cell
    ** (0.05 km2 here) may simplify to nothing at the scale of the map. */
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/out/cells/cells.gpkg' \"SELECT COUNT(*) FROM trous WHERE "
             "superficie_km2 >= 1\"",
             dir);
    double big = rq_test_shell_number(cmd);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/out/cells/cells.gpkg' \"SELECT COUNT(*) FROM trous\"",
             dir);
    double all = rq_test_shell_number(cmd);
    if (!(big > 0 && drawn >= big && drawn <= all))
        fail_msg("%.0f gap zones drawn; %.0f zones, %.0f of 1 km2 or more", drawn, all, big);
    /* The map of missing phases draws one non-empty path per class that
    ** has rows: per distinct nb_phases_manquantes of communes.csv. */
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import csv,re,sys; s=open(sys.argv[1]).read(); "
             "m=s[s.index('id=\\\"carte-phases'):]; m=m[:m.index('</figure>')]; "
             "k={r['nb_phases_manquantes'] for r in csv.DictReader(open(sys.argv[2]))}; "
             "print(len(re.findall('<path class=\\\"ph[0-4]\\\" d=\\\"M', m)) - len(k))\" "
             "'%s/out/cells/rapport.html' '%s/out/cells/communes.csv'",
             dir, dir);
    assert_close(rq_test_shell_number(cmd), 0, 0);
}

/* Counts the lines of `file` (under dir) holding the fixed string `text`. */
static double
grep_count(const char *file, const char *text)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "grep -c -F -- '%s' '%s/%s' || true", text, dir, file);
    return rq_test_shell_number(cmd);
}

/* The report names its rows as what they are: "mailles" for the cells,
** "communes" for the communes (the run of the same configuration on its
** communes says 4446, the number of communes of the data README). */
static void
test_report_words_on_cells(void **state)
{
    (void)state;
    char text[128];
    snprintf(text, sizeof text, "Carte des %.0f mailles selon",
             cells_sql("SELECT COUNT(*) FROM cellules"));
    static const char *const cells = "out/cells/rapport.html", *const base =
                                                                   "base/occitanie/rapport.html";
    assert_true(grep_count(cells, text) >= 1);
    assert_true(grep_count(cells, "mailles sans aucun accompagnement") >= 1);
    assert_true(grep_count(cells, "<th scope=\"col\">Mailles en trou") >= 1);
    assert_true(grep_count(cells, "Une maille rurale (dans une commune rurale") >= 1);
    assert_close(grep_count(cells, "communes sans aucun accompagnement"), 0, 0);
    assert_close(grep_count(cells, "Carte des communes"), 0, 0);
    assert_true(grep_count(base, "Carte des 4446 communes selon") >= 1);
    assert_true(grep_count(base, "communes sans aucun accompagnement") >= 1);
    assert_close(grep_count(base, "maille"), 0, 0);
}

/* The history compares a run with the previous one of its name only when
** both are on the same kind of rows: a run on cells after a run on
** communes of the same name is not compared with it; the next run on
** cells is compared with the first (method.md §1.4), and finds nothing
** changed. */
static void
test_history_compares_like_with_like(void **state)
{
    (void)state;
    const char *src = getenv("RQ_SOURCE_DIR"), *bin = getenv("RQ_BINARY");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' run --name cells --out '%s/h' '%s/config/occitanie.ini'", bin,
             dir, src);
    char *out = rq_test_shell(cmd);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' run --out '%s/h' '%s/cells.ini'", bin, dir, dir);
    out = rq_test_shell(cmd);
    if (!strstr(out, "recorded as run 2") || strstr(out, "Comparaison du run"))
        fail_msg("the run on cells is compared with the run on communes:\n%s", out);
    free(out);
    out = rq_test_shell(cmd);
    if (!strstr(out, "recorded as run 3") || !strstr(out, "Comparaison du run 2 "))
        fail_msg("the second run on cells is not compared with the first:\n%s", out);
    /* Nothing changed between the two: no site is said to have moved (a
    ** site's commune code is not a unit's id). */
    if (!strstr(out, "Causes : aucune modification"))
        fail_msg("a rerun on cells finds changes:\n%s", out);
    if (!strstr(out, "\nMailles :\n") || !strstr(out, "  mailles disparues ") ||
        !strstr(out, "en hausse dans 0 mailles"))
        fail_msg("the summary of a rerun on cells does not call them mailles:\n%s", out);
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_cells),
        cmocka_unit_test(test_departements_add_cells),
        cmocka_unit_test(test_rurality_from_communes),
        cmocka_unit_test(test_report_on_cells),
        cmocka_unit_test(test_report_words_on_cells),
        cmocka_unit_test(test_history_compares_like_with_like),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
