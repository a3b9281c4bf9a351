/* test_core.c - small helpers of src/core/ that the summaries and reports
** rely on: French number formatting and growable strings. Expected texts
** are written by hand from the French typographic rules: a space between
** groups of three digits, a decimal comma, the sign in front. Also the
** failure of a pool of workers (rq_pool_error), which the stages on
** worker threads share. */
#include "rq_test.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void
test_int_fr(void **state)
{
    (void)state;
    static const struct {
        long v;
        const char *text;
    } cases[] = {
        {0, "0"},          {7, "7"},          {999, "999"},
        {1000, "1 000"},   {12345, "12 345"}, {1301533, "1 301 533"},
        {-1000, "-1 000"}, {-999, "-999"},    {LONG_MIN, "-9 223 372 036 854 775 808"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char buf[64];
        assert_string_equal(rq_fmt_int_fr(cases[i].v, buf, sizeof buf), cases[i].text);
    }
    char small[6]; /* truncated, always terminated */
    assert_string_equal(rq_fmt_int_fr(1301533, small, sizeof small), "1 30");
}

static void
test_real_fr(void **state)
{
    (void)state;
    static const struct {
        double v;
        int d;
        const char *text;
    } cases[] = {
        {0.0, 1, "0,0"},
        {24.849, 1, "24,8"},
        {0.12345, 4, "0,1235"}, /* printf rounding: 0.12345 is 0.123450000000000004 */
        {1234.5, 2, "1 234,50"},
        {-1234567.25, 1, "-1 234 567,2"}, /* exactly representable: round half even */
        {12.0, 0, "12"},
        {-0.5, 1, "-0,5"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char buf[64];
        assert_string_equal(rq_fmt_real_fr(cases[i].v, cases[i].d, buf, sizeof buf), cases[i].text);
    }
}

static void
test_buf(void **state)
{
    (void)state;
    rq_buf b = {0};
    char *empty = rq_buf_take(&b);
    assert_string_equal(empty, "");
    free(empty);
    rq_buf_join(&b, "|", "emergence");
    rq_buf_join(&b, "|", "creation");
    rq_buf_printf(&b, " (%d)", 2);
    assert_int_equal(b.len, strlen("emergence|creation (2)"));
    char *s = rq_buf_take(&b);
    assert_string_equal(s, "emergence|creation (2)");
    assert_null(b.s);
    free(s);
    for (int i = 0; i < 1000; i++) /* grows past any initial capacity */
        rq_buf_add(&b, "abc");
    assert_int_equal(b.len, 3000);
    rq_buf_fini(&b);
    assert_null(b.s);
}

/* The first failure recorded is kept, later ones released (their full
** text too: LeakSanitizer would see it), a failure without a code becomes
** an internal error, and no failure is RQ_OK. */
static void
test_pool_error(void **state)
{
    (void)state;
    rq_pool_error pe;
    rq_err err = {0}, out = {0};
    rq_pool_error_init(&pe);
    assert_false(rq_pool_error_seen(&pe));
    assert_int_equal(rq_pool_error_fini(&pe, &out), RQ_OK);
    assert_int_equal(out.code, RQ_OK);

    rq_pool_error_init(&pe);
    rq_err_set(&err, RQ_ERR_GEOS, "first");
    rq_pool_error_record(&pe, &err);
    assert_true(rq_pool_error_seen(&pe));
    assert_int_equal(err.code, RQ_OK); /* moved out */
    rq_err_set(&err, RQ_ERR_IO, "second");
    err.full = rq_xstrdup("second, in full");
    rq_pool_error_record(&pe, &err);
    assert_null(err.full);
    assert_int_equal(rq_pool_error_fini(&pe, &out), RQ_ERR_GEOS);
    assert_string_equal(out.msg, "first");

    rq_pool_error_init(&pe);
    rq_err silent = {0};
    rq_pool_error_record(&pe, &silent);
    assert_int_equal(rq_pool_error_fini(&pe, &out), RQ_ERR_INTERNAL);
    rq_err_fini(&out);
}

/* Workers of rq_workers_run take tasks from a counter; task 500 of 1,000
** fails, and its failure is what the pool returns. (How many tasks the
** others take meanwhile depends on the scheduler: not asserted.) */
struct tasks {
    atomic_size_t next;
    rq_pool_error fail;
};

static void *
task_worker(void *arg)
{
    struct tasks *t = arg;
    rq_err err = {0};
    while (!rq_pool_error_seen(&t->fail)) {
        size_t k = atomic_fetch_add(&t->next, 1);
        if (k >= 1000)
            break;
        if (k == 500) {
            rq_err_set(&err, RQ_ERR_GEOS, "task %zu failed", k);
            rq_pool_error_record(&t->fail, &err);
            break;
        }
    }
    return NULL;
}

static void
test_pool_error_workers(void **state)
{
    (void)state;
    struct tasks t;
    atomic_init(&t.next, 0);
    rq_pool_error_init(&t.fail);
    rq_workers_run(task_worker, &t, 4);
    rq_err err = {0};
    assert_int_equal(rq_pool_error_fini(&t.fail, &err), RQ_ERR_GEOS);
    assert_string_equal(err.msg, "task 500 failed");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_fr),
        cmocka_unit_test(test_real_fr),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_pool_error),
        cmocka_unit_test(test_pool_error_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
