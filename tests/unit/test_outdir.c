/* test_outdir.c - the output folder of a run (src/io/outdir.c): only what
** is ours is replaced, one run at a time, leftovers of dead runs removed,
** a private temporary folder, one atomic swap. The files written in it
** (never through a link or over an existing file, a full disk) are tested
** in test_checked_writes.c.
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MARKER[] = "a previous output\n";

static void
put(const char *dir, const char *name, const char *text)
{
    char *p = rq_xasprintf("%s/%s", dir, name);
    rq_test_write_file(p, text);
    free(p);
}

/* A committed output folder at target holding one file. */
static void
commit_one(const char *target, const char *name, const char *text)
{
    rq_err err = {0};
    rq_outdir *o = rq_outdir_open(target, &err);
    if (!o)
        fail_msg("%s", err.msg);
    put(rq_outdir_path(o), name, text);
    assert_int_equal(rq_outdir_commit(o, MARKER, &err), RQ_OK);
    assert_null(rq_outdir_path(o));
    rq_outdir_close(o);
}

static void
test_commit_replaces_the_whole_folder(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *parent = rq_xasprintf("%s/a/b", root);
    char *target = rq_xasprintf("%s/run", parent); /* parents made as needed */
    commit_one(target, "old.txt", "v1\n");
    char *old = rq_xasprintf("%s/old.txt", target);
    char *marker = rq_xasprintf("%s/" RQ_OUTDIR_MARKER, target);
    assert_true(rq_test_exists(old));
    char *text = rq_test_slurp(marker);
    /* The caller's text, then the line naming the run (the leftover check). */
    assert_string_equal(text, "a previous output\nrun: run\n");
    free(text);
    char *pending = rq_xasprintf("%s/.raquette-tmp", target);
    assert_false(rq_test_exists(pending)); /* only until the commit */
    free(pending);

    /* A second run: a private temporary folder beside the target, then the
    ** folder's whole content is replaced. */
    rq_outdir *o = rq_outdir_open(target, &err);
    assert_non_null(o);
    const char *tmp = rq_outdir_path(o);
    assert_int_equal(strncmp(tmp, target, strlen(target)), 0);
    assert_int_equal(strncmp(tmp + strlen(target), ".tmp-", 5), 0);
    struct stat st;
    assert_int_equal(stat(tmp, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    put(tmp, "new.txt", "v2\n");
    assert_true(rq_test_exists(old)); /* untouched until commit */
    assert_int_equal(rq_outdir_commit(o, MARKER, &err), RQ_OK);
    rq_outdir_close(o);
    char *neu = rq_xasprintf("%s/new.txt", target);
    assert_true(rq_test_exists(neu));
    assert_false(rq_test_exists(old));
    /* Committed, it has the permissions of any new folder. */
    mode_t mask = umask(022);
    umask(mask);
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0777 & ~mask);
    /* Nothing beside it but the lock file. */
    assert_int_equal(rq_test_count_prefixed(parent, "run.tmp-"), 0);
    assert_int_equal(rq_test_count_prefixed(parent, "run.old-"), 0);
    assert_int_equal(rq_test_count_prefixed(parent, "run"), 1);
    assert_int_equal(rq_test_count_prefixed(parent, ".run.lock"), 1);

    free(neu);
    free(old);
    free(marker);
    free(parent);
    free(target);
    rq_test_rm_rf(root);
    free(root);
}

static void
test_close_without_commit_keeps_previous(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *target = rq_xasprintf("%s/run/", root); /* a trailing slash is fine */
    char *run = rq_xasprintf("%s/run", root);
    commit_one(run, "keep.txt", "previous\n");

    rq_outdir *o = rq_outdir_open(target, &err);
    if (!o)
        fail_msg("%s", err.msg);
    put(rq_outdir_path(o), "keep.txt", "half-written");
    char *inner = rq_outdir_file(o, "sub");
    assert_int_equal(mkdir(inner, 0755), 0); /* removal is recursive */
    free(inner);
    rq_outdir_close(o);

    char *file = rq_xasprintf("%s/keep.txt", run);
    char *text = rq_test_slurp(file);
    assert_string_equal(text, "previous\n");
    free(text);
    assert_int_equal(rq_test_count_prefixed(root, "run"), 1);

    free(file);
    free(run);
    free(target);
    rq_test_rm_rf(root);
    free(root);
}

/* Folders that are not ours are refused before anything is written, with
** exit status 2, and left as they were; an empty one is taken. */
static void
test_only_our_folders_are_replaced(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *foreign = rq_xasprintf("%s/foreign", root);
    assert_int_equal(mkdir(foreign, 0755), 0);
    put(foreign, "notes.txt", "mine\n");
    assert_null(rq_outdir_open(foreign, &err));
    assert_int_equal(rq_status_exit_code(err.code), 2);
    assert_non_null(strstr(err.msg, "holds files that raquette did not write (such as "
                                    "notes.txt)"));
    char *notes = rq_xasprintf("%s/notes.txt", foreign);
    char *text = rq_test_slurp(notes);
    assert_string_equal(text, "mine\n");
    free(text);
    free(notes);
    assert_int_equal(rq_test_count_prefixed(root, "foreign."), 0);

    /* A marker that is a link to somewhere is not a marker. */
    char *fake = rq_xasprintf("%s/" RQ_OUTDIR_MARKER, foreign);
    assert_int_equal(symlink("/etc/hostname", fake), 0);
    assert_null(rq_outdir_open(foreign, &err));
    free(fake);

    /* A link to a folder is refused too: the swap would replace the link. */
    char *link = rq_xasprintf("%s/link", root);
    assert_int_equal(symlink(foreign, link), 0);
    assert_null(rq_outdir_open(link, &err));
    assert_non_null(strstr(err.msg, "is a symbolic link"));
    free(link);

    /* An empty folder is taken. */
    char *empty = rq_xasprintf("%s/empty", root);
    assert_int_equal(mkdir(empty, 0755), 0);
    commit_one(empty, "a.txt", "x");
    free(empty);

    free(foreign);
    rq_test_rm_rf(root);
    free(root);
}

/* A second run on the same folder fails at once, naming the process that
** holds it; once that one is closed, the folder is free again. */
static void
test_one_run_at_a_time(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *target = rq_xasprintf("%s/run", root);
    rq_outdir *first = rq_outdir_open(target, &err);
    assert_non_null(first);
    /* flock locks belong to open file descriptions: a second open in this
    ** process conflicts like another process would. */
    assert_null(rq_outdir_open(target, &err));
    assert_int_equal(rq_status_exit_code(err.code), 1);
    char want[96];
    snprintf(want, sizeof want, "another raquette run (process %ld) is writing", (long)getpid());
    assert_non_null(strstr(err.msg, want));
    /* The refused open left the first run's temporary folder alone. */
    assert_true(rq_test_exists(rq_outdir_path(first)));
    rq_outdir_close(first);
    rq_outdir *again = rq_outdir_open(target, &err);
    assert_non_null(again);
    rq_outdir_close(again);
    free(target);
    rq_test_rm_rf(root);
    free(root);
}

/* What killed runs left beside the target goes at the next open, and only
** that. */
static void
test_leftovers_of_dead_runs_are_removed(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *target = rq_xasprintf("%s/run", root);
    commit_one(target, "a.txt", "x");
    /* A killed run's temporary folder (its pending file), the previous
    ** outputs a kill left aside (their marker), an empty one. */
    static const char *const stale[] = {"run.tmp-Ab12Cd", "run.old-xY34zW", "run.tmp-Ef56Gh"};
    static const char *const stale_file[] = {".raquette-tmp", ".raquette", NULL};
    static const char *const stale_text[] = {"run run\n", "a previous output\nrun: run\n", NULL};
    /* Names alone prove nothing: another run called "run.old-2025v1", a
    ** user's folder "run.tmp-Zz99Zz" are not this run's. */
    static const char *const kept[] = {"run.tmp-short", "other.tmp-Ab12Cd", "run.csv",
                                       "run.old-2025v1", "run.tmp-Zz99Zz"};
    static const char *const kept_file[] = {NULL, NULL, NULL, ".raquette", "notes.txt"};
    static const char *const kept_text[] = {NULL, NULL, NULL,
                                            "a previous output\nrun: run.old-2025v1\n", "mine"};
    for (size_t i = 0; i < NELEM(stale); i++) {
        char *p = rq_xasprintf("%s/%s", root, stale[i]);
        assert_int_equal(mkdir(p, 0700), 0);
        if (stale_file[i]) {
            put(p, "communes.csv", "partial");
            put(p, stale_file[i], stale_text[i]);
        }
        free(p);
    }
    for (size_t i = 0; i < NELEM(kept); i++) {
        char *p = rq_xasprintf("%s/%s", root, kept[i]);
        assert_int_equal(mkdir(p, 0700), 0);
        if (kept_file[i])
            put(p, kept_file[i], kept_text[i]);
        free(p);
    }
    rq_outdir *o = rq_outdir_open(target, &err);
    assert_non_null(o);
    rq_outdir_close(o);
    for (size_t i = 0; i < NELEM(stale); i++) {
        char *p = rq_xasprintf("%s/%s", root, stale[i]);
        assert_false(rq_test_exists(p));
        free(p);
    }
    for (size_t i = 0; i < NELEM(kept); i++) {
        char *p = rq_xasprintf("%s/%s", root, kept[i]);
        assert_true(rq_test_exists(p));
        free(p);
    }
    free(target);
    rq_test_rm_rf(root);
    free(root);
}

/* A kill between the two renames of the fallback swap leaves the target
** missing and the previous outputs in "<name>.old-XXXXXX": the next run
** puts them back rather than removing them. */
static void
test_previous_outputs_put_back(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *target = rq_xasprintf("%s/run", root);
    char *old = rq_xasprintf("%s/run.old-Qw12Er", root);
    assert_int_equal(mkdir(old, 0755), 0);
    put(old, ".raquette", "a previous output\nrun: run\n");
    put(old, "a.txt", "previous");
    rq_outdir *o = rq_outdir_open(target, &err);
    assert_non_null(o);
    rq_outdir_close(o);
    assert_false(rq_test_exists(old));
    char *a = rq_xasprintf("%s/a.txt", target);
    assert_true(rq_test_exists(a));
    free(a);
    free(old);
    free(target);
    rq_test_rm_rf(root);
    free(root);
}

static void
test_open_errors(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *file = rq_xasprintf("%s/afile", root);
    rq_test_write_file(file, "x");

    /* A parent below a regular file: the error names that file. Tests run
    ** as root, so a chmod 0500 folder would not fail. */
    char *target = rq_xasprintf("%s/x/out", file);
    assert_null(rq_outdir_open(target, &err));
    assert_int_equal(rq_status_exit_code(err.code), 1);
    assert_non_null(strstr(err.msg, file));
    assert_non_null(strstr(err.msg, "is a file, not a folder"));
    free(target);

    /* The target itself is a file: not ours. */
    assert_null(rq_outdir_open(file, &err));
    assert_int_equal(rq_status_exit_code(err.code), 2);
    assert_non_null(strstr(err.msg, "is not a folder"));

    static const char *const unusable[] = {"", "/", ".", "..", "a/.."};
    for (size_t i = 0; i < NELEM(unusable); i++) {
        assert_null(rq_outdir_open(unusable[i], &err));
        assert_int_equal(rq_status_exit_code(err.code), 2);
    }
    /* 201 bytes: "<name>.tmp-XXXXXX" would not fit NAME_MAX. */
    char long_name[512];
    snprintf(long_name, sizeof long_name, "%s/%0201d", root, 7);
    assert_null(rq_outdir_open(long_name, &err));
    assert_non_null(strstr(err.msg, "expected at most 200"));

    assert_int_equal(rq_test_count_prefixed(root, "afile."), 0);
    free(file);
    rq_test_rm_rf(root);
    free(root);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_replaces_the_whole_folder),
        cmocka_unit_test(test_close_without_commit_keeps_previous),
        cmocka_unit_test(test_only_our_folders_are_replaced),
        cmocka_unit_test(test_one_run_at_a_time),
        cmocka_unit_test(test_leftovers_of_dead_runs_are_removed),
        cmocka_unit_test(test_previous_outputs_put_back),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
