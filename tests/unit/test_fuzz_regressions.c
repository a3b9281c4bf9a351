/* test_fuzz_regressions.c - replays the fuzz seed corpus and every input a
** fuzzer found (tests/fuzz/corpus/<harness>/, tests/fuzz/regressions/
** <harness>/) through the functions the libFuzzer harnesses call, in the
** ordinary sanitizer build. Nothing may crash, leak or hit undefined
** behaviour; a few seeds also have a known status.
**
** Why fuzz_targets.c is included rather than linked: tests/CMakeLists.txt
** builds each unit test from its own source and rq_test.c, and the replay
** must go through exactly the code the harness ran.
*/
#include "rq_test.h"

#include "../fuzz/fuzz_targets.c"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inputs whose outcome is known: a change that turns a valid file into an
** error (or the reverse) should be seen here, not only a crash. */
static const struct {
    const char *harness, *file;
    rq_status expect;
} known[] = {
    {"config", "mini.ini", RQ_OK},
    {"config", "minimal.ini", RQ_OK},
    {"config", "bom-crlf.ini", RQ_OK},
    {"config", "syntax-errors.ini", RQ_ERR_INPUT},
    {"config", "value-errors.ini", RQ_ERR_INPUT},
    {"config", "paths-and-numbers.ini", RQ_ERR_INPUT},
    {"config", "long-lines.ini", RQ_ERR_INPUT},
    {"config", "edge-values.ini", RQ_ERR_INPUT},
    {"config", "empty-lists.ini", RQ_ERR_INPUT},
    {"structures", "mini.csv", RQ_OK},
    {"structures", "zones.csv", RQ_OK},
    {"structures", "quoted.csv", RQ_OK},
    {"structures", "bad-category.csv", RQ_ERR_INPUT},
    {"structures", "missing-column.csv", RQ_ERR_INPUT},
    {"structures", "header-only.csv", RQ_ERR_INPUT},
    {"structures", "no-boundary.csv", RQ_ERR_INPUT},
    /* Regressions. */
    {"structures", "capacity-inf.csv", RQ_ERR_INPUT},
};

typedef rq_status (*one_fn)(const unsigned char *data, size_t size);

static unsigned char *
read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t len = 0, cap = 4096;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    *size = len;
    return buf;
}

/* Feeds every file of tests/fuzz/<kind>/<harness>/ to fn; returns how many. */
static int
replay_dir(const char *kind, const char *harness, one_fn fn)
{
    const char *src = getenv("RQ_SOURCE_DIR");
    char dir[4096], path[8192];
    if (!src)
        fail_msg("RQ_SOURCE_DIR is not set: run the tests through ctest");
    snprintf(dir, sizeof dir, "%s/tests/fuzz/%s/%s", src, kind, harness);
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* no regression yet for this harness */
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t size = 0;
        unsigned char *data = read_all(path, &size);
        rq_status rc = fn(data, size);
        free(data);
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(known[i].harness, harness) == 0 && strcmp(known[i].file, e->d_name) == 0 &&
                rc != known[i].expect)
                fail_msg("%s: status %d, expected %d", path, (int)rc, (int)known[i].expect);
        n++;
    }
    closedir(d);
    return n;
}

static void
test_config(void **state)
{
    (void)state;
    rq_fuzz_config_init(getenv("RQ_FIXTURES"));
    assert_true(replay_dir("corpus", "config", rq_fuzz_config_one) > 0);
    replay_dir("regressions", "config", rq_fuzz_config_one);
}

static void
test_structures(void **state)
{
    (void)state;
    assert_int_equal(rq_fuzz_structures_init(getenv("RQ_FIXTURES")), 0);
    assert_true(replay_dir("corpus", "structures", rq_fuzz_structures_one) > 0);
    replay_dir("regressions", "structures", rq_fuzz_structures_one);
    rq_fuzz_structures_fini();
}

static void
test_text(void **state)
{
    (void)state;
    assert_true(replay_dir("corpus", "text", rq_fuzz_text_one) > 0);
    replay_dir("regressions", "text", rq_fuzz_text_one);
}

static int
setup(void **state)
{
    (void)state;
    if (!getenv("RQ_FIXTURES"))
        return -1;
    rq_io_init();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    rq_io_cleanup();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_structures),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
