/* test_bench.c - the generated national directory of config/france.ini:
** tests/bench/check_directory.py regenerates it with bench/gen-directory
** (the same bytes as bench/data/structures-france.csv) and checks its rules
** against the COG tables, recomputed on their own. */
#include "rq_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_national_directory(void **state)
{
    (void)state;
    const char *geodata = rq_test_geodata("cog");
    char *tmp = rq_test_tmpdir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/bench/check_directory.py' '%s' '%s/..' '%s' 2>&1",
             getenv("RQ_SOURCE_DIR"), getenv("RQ_SOURCE_DIR"), geodata, tmp);
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0)
        fail_msg("%s", out ? out : "");
    assert_non_null(strstr(out, "0 failure(s)"));
    free(out);
    rq_test_rm_rf(tmp);
    free(tmp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_national_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
