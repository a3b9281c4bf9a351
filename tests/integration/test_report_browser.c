/* test_report_browser.c - rapport.html and rapport.pdf on the real Occitanie data,
** opened by the clients their readers have:
**
**  - the 2025 run, then the 2026 run with --pdf: the report shows the
**    comparison with the 2025 run;
**  - Debian's headless Chromium opens it with no network
**    (tests/report/check_report.py, over the DevTools protocol): nothing
**    fetched, no console error, no blank map, the key figures equal to
**    run.json's and to those recomputed from communes.csv, accessible;
**  - the PDF read back by pdftotext: A4, the key figures, no map cut;
**  - `raquette report` rebuilds the same report byte for byte from the
**    history, and refuses what it must;
**  - a run without a history still writes its report.
*/
#include "rq_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

static int
setup(void **state)
{
    (void)state;
    (void)rq_test_geodata("occitanie");
    dir = rq_test_tmpdir();
    const char *bin = getenv("RQ_BINARY"), *src = getenv("RQ_SOURCE_DIR");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; export SOURCE_DATE_EPOCH=1764633600; "
             "'%s' run -q --out . --name occitanie '%s/config/occitanie-2025.ini'; "
             "'%s' run -q --pdf --out . --name occitanie '%s/config/occitanie.ini'",
             dir, bin, src, bin, src);
    return rq_test_setup_run(cmd);
}

static int
teardown(void **state)
{
    (void)state;
    return rq_test_teardown_dir(&dir);
}

static void
test_in_the_browser(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/report/check_report.py' '%s/occitanie' "
             "'%s/premier-ecran.png' 2>&1",
             getenv("RQ_SOURCE_DIR"), dir, dir);
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    /* Five maps, the comparison with the 2025 run among them. */
    if (st != 0 || !strstr(out, "0 failure(s)") || !strstr(out, "ok   5 maps") ||
        !strstr(out, "carte-evolution: not blank"))
        fail_msg("the report in Chromium:\n%s", out);
    free(out);
}

static void
test_pdf(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/report/check_report.py' --pdf '%s/occitanie' 2>&1",
             getenv("RQ_SOURCE_DIR"), dir);
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0 || !strstr(out, "0 failure(s)"))
        fail_msg("rapport.pdf:\n%s", out);
    free(out);
    /* The words a reader looks for first. */
    snprintf(cmd, sizeof cmd, "pdftotext -f 1 -l 1 '%s/occitanie/rapport.pdf' -", dir);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "Chiffres clés"));
    assert_non_null(strstr(t, "des habitants n'ont aucun accompagnement à l'émergence"));
    free(t);
}

static void
test_rebuild(void **state)
{
    (void)state;
    char cmd[8192];
    const char *bin = getenv("RQ_BINARY");
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; cp occitanie/rapport.html made-by-run.html; "
             "'%s' report occitanie; cmp made-by-run.html occitanie/rapport.html; "
             "mkdir elsewhere; '%s' report --out elsewhere historique.sqlite 2; "
             "cmp made-by-run.html elsewhere/rapport.html; echo same",
             dir, bin, bin);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "same"));
    free(t);
    /* Run 1's folder now holds run 2: said, nothing written. A folder that is
    ** not raquette's keeps its own rapport.html. */
    snprintf(cmd, sizeof cmd,
             "cd '%s'; '%s' report historique.sqlite 1 2>&1; echo \"status $?\"; mkdir mine; "
             "echo mine > mine/rapport.html; '%s' report --out mine historique.sqlite 1 2>&1; "
             "echo \"status $?\"; cat mine/rapport.html",
             dir, bin, bin);
    t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "run 1 was written to ./occitanie, which no longer holds it; give "
                              "the folder receiving the report with --out DIR"));
    assert_non_null(strstr(t, "mine holds a rapport.html that raquette did not write"));
    assert_non_null(strstr(t, "status 2\n"));
    assert_null(strstr(t, "status 0"));
    assert_non_null(strstr(t, "\nmine\n"));
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_the_browser),
        cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_rebuild),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
