/* test_limits.c - running out of memory is a clean failure, not a crash.
**
** When an allocation fails, raquette must print a clear message, exit with
** status 1, remove the run's temporary output folder and leave the previous
** outputs untouched. A real memory limit (ulimit -v) cannot be used here:
** AddressSanitizer reserves terabytes of address space, and without it the
** point of failure moves between third-party libraries from run to run.
** So each case runs in a forked child that sets the allocation budget of
** the rq_x* allocators (rq_alloc_set_budget) and then allocates; the last
** case does so in the middle of writing the Occitanie outputs, while the
** communes.geojson writer thread runs. The child never uses cmocka: a
** failed assertion there would longjmp into the child's copy of the test
** runner. It reports through its exit status and stderr instead.
*/
#include "rq_test.h"

#include "raquette/analysis.h"
#include "raquette/config.h"
#include "raquette/io.h"
#include "raquette/outputs.h"
#include "raquette/writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER "outputs of the previous run\n"
#define OOM_HINT                                                                                   \
    "; the inputs are too large for this machine's memory: analyse fewer départements or use a "  \
    "machine with more memory"

/* Exit statuses of a child that did not run out of memory as expected. */
enum { CHILD_RETURNED = 90, CHILD_SETUP_FAILED = 91 };

struct fixture {
    char *dir;    /* fresh temporary folder */
    char *target; /* dir/out, holding the previous outputs */
};

typedef void (*child_fn)(const char *target);

static int
setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->dir = rq_test_tmpdir();
    fx->target = rq_test_path(fx->dir, "out");
    if (mkdir(fx->target, 0777) != 0)
        return -1;
    /* A previous output of raquette: its marker file. */
    char *marker = rq_test_path(fx->target, RQ_OUTDIR_MARKER);
    rq_test_write_file(marker, MARKER);
    free(marker);
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    rq_test_run(cmd, NULL);
    free(fx->target);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Runs fn(target) in a child whose stderr goes to dir/stderr.txt; returns
** its exit status (fails the test if it died of a signal) and its stderr in
** *err_out. */
static int
run_child(const struct fixture *fx, child_fn fn, char **err_out)
{
    char *log = rq_test_path(fx->dir, "stderr.txt");
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
            _exit(CHILD_SETUP_FAILED);
        fn(fx->target);
        fprintf(stderr, "the child returned: memory never ran out\n");
        _exit(CHILD_RETURNED);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    *err_out = rq_test_slurp(log);
    free(log);
    if (!WIFEXITED(st))
        fail_msg("the child died of signal %d; its stderr:\n%s", WTERMSIG(st), *err_out);
    return WEXITSTATUS(st);
}

/* The previous outputs are as they were, and nothing else is left beside
** them (no <target>.tmp-XXXXXX, no <target>.old-XXXXXX). */
static void
assert_previous_outputs_intact(const struct fixture *fx)
{
    char *marker = rq_test_path(fx->target, RQ_OUTDIR_MARKER);
    char *text = rq_test_slurp(marker);
    assert_string_equal(text, MARKER);
    free(text);
    free(marker);
    DIR *d = opendir(fx->target);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(n, 1);

    d = opendir(fx->dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strcmp(e->d_name, "out") != 0 && strcmp(e->d_name, "stderr.txt") != 0 &&
            strcmp(e->d_name, ".out.lock") != 0)
            fail_msg("%s/%s was left behind", fx->dir, e->d_name);
    }
    closedir(d);
}

/* Opens the output folder (as a run does before writing) with one file in
** it; the caller then runs out of memory. */
static void
begin_outputs(const char *target)
{
    rq_err err = {0};
    rq_err_clear(&err);
    rq_outdir *od = rq_outdir_open(target, &err);
    char *f = od ? rq_outdir_file(od, "communes.csv") : NULL;
    if (!od || rq_io_write_file(f, "code\n", 5, &err) != RQ_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        _exit(CHILD_SETUP_FAILED);
    }
    free(f);
    /* od stays open: the process ends before it is committed. */
}

static void
child_malloc(const char *target)
{
    begin_outputs(target);
    rq_alloc_set_budget(4096);
    (void)rq_xmalloc(1 << 20);
}

static void
child_calloc_overflow(const char *target)
{
    begin_outputs(target);
    (void)rq_xcalloc(SIZE_MAX / 4, 8);
}

static void
child_grow(const char *target)
{
    begin_outputs(target);
    /* Blocks of 8, 16, ... 256 bytes use 504 of the 1000: 512 is too many. */
    rq_alloc_set_budget(1000);
    char *v = NULL;
    size_t cap = 0;
    for (size_t need = 1; need < 1u << 20; need *= 2)
        rq_grow((void **)&v, &cap, need, 1);
}

static void
test_malloc_failure(void **state)
{
    struct fixture *fx = *state;
    char *err = NULL;
    assert_int_equal(run_child(fx, child_malloc, &err), 1);
    assert_string_equal(err,
                        "raquette: out of memory while allocating 1048576 bytes" OOM_HINT "\n");
    free(err);
    assert_previous_outputs_intact(fx);
}

static void
test_size_overflow(void **state)
{
    struct fixture *fx = *state;
    char *err = NULL;
    assert_int_equal(run_child(fx, child_calloc_overflow, &err), 1);
    assert_non_null(strstr(err, "raquette: out of memory: a size computation overflowed"));
    assert_non_null(strstr(err, OOM_HINT));
    free(err);
    assert_previous_outputs_intact(fx);
}

static void
test_grow_failure(void **state)
{
    struct fixture *fx = *state;
    char *err = NULL;
    assert_int_equal(run_child(fx, child_grow, &err), 1);
    assert_non_null(strstr(err, "raquette: out of memory while allocating 512 bytes"));
    free(err);
    assert_previous_outputs_intact(fx);
}

/* The whole Occitanie analysis, then the outputs with 256 KiB left: the
** reprojected communes alone need megabytes, so memory runs out while the
** communes.geojson writer thread is running (on the main thread, which
** reprojects them, as it happens). */
static void
child_occitanie(const char *target)
{
    char config[4096];
    const char *src = getenv("RQ_SOURCE_DIR");
    snprintf(config, sizeof config, "%s/config/occitanie.ini", src ? src : ".");
    rq_config cfg;
    rq_results res;
    rq_err err = {0};
    memset(&res, 0, sizeof res);
    rq_err_clear(&err);
    rq_log_set_level(RQ_LOG_ERROR);
    rq_io_init();
    if (rq_config_load(config, &cfg, &err) != RQ_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        _exit(CHILD_SETUP_FAILED);
    }
    rq_dataset *ds = rq_dataset_create(&cfg);
    if (!ds || rq_pipeline_prepare(ds, &err) != RQ_OK ||
        rq_analysis_run(ds, &res, 1, &err) != RQ_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        _exit(CHILD_SETUP_FAILED);
    }
    rq_run_meta meta = {.config_path = config, .run_name = "occitanie", .date = "2026-12-02"};
    rq_outdir *od = rq_outdir_open(target, &err);
    if (!od) {
        fprintf(stderr, "setup: %s\n", err.msg);
        _exit(CHILD_SETUP_FAILED);
    }
    rq_alloc_set_budget(256 * 1024);
    rq_status rc = rq_outputs_write(ds, &res, &meta, od, NULL, 1, &err);
    fprintf(stderr, "rq_outputs_write returned %d: %s\n", (int)rc, err.msg);
}

static void
test_occitanie_outputs_out_of_memory(void **state)
{
    struct fixture *fx = *state;
    (void)rq_test_geodata("occitanie"); /* fails the test when the data is missing */
    char *err = NULL;
    int st = run_child(fx, child_occitanie, &err);
    if (st != 1)
        fail_msg("exit status %d, expected 1; stderr:\n%s", st, err);
    if (!strstr(err, "raquette: out of memory while allocating") || !strstr(err, OOM_HINT))
        fail_msg("no out-of-memory message; stderr:\n%s", err);
    free(err);
    assert_previous_outputs_intact(fx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_malloc_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grow_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_occitanie_outputs_out_of_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
