/* test_outdir.c - the output folder of a run (src/io/outdir.c): only what
** is ours is replaced, one run at a time, leftovers of dead runs removed,
** a private temporary folder, one atomic swap, and files that are never
** written through a link or over an existing file.
**
** A full disk is simulated by wrapping write(2) (-Wl,--wrap=write, see
** tests/CMakeLists.txt): the calls from raquette's own objects go through
** __wrap_write, which fails with ENOSPC while g_disk_full is set: also
** the writes of the GeoJSON and CSV files that GDAL streams through
** raquette (src/io/writer_vsi.c). The GeoPackage, which SQLite writes in
** place (src/io/writer_vout.c), meets a real limit instead: a child process under a file size limit
** (RLIMIT_FSIZE, as `ulimit -f`, with SIGXFSZ ignored as raquette does).
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/writer.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);

static int g_disk_full;

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
    if (g_disk_full) {
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, buf, n);
}

static const char MARKER[] = "a previous output\n";

/* Number of entries of dir whose name starts with prefix. */
static int
count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

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
    assert_int_equal(count_prefixed(parent, "run.tmp-"), 0);
    assert_int_equal(count_prefixed(parent, "run.old-"), 0);
    assert_int_equal(count_prefixed(parent, "run"), 1);
    assert_int_equal(count_prefixed(parent, ".run.lock"), 1);

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
    assert_int_equal(count_prefixed(root, "run"), 1);

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
    assert_int_equal(count_prefixed(root, "foreign."), 0);

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

    assert_int_equal(count_prefixed(root, "afile."), 0);
    free(file);
    rq_test_rm_rf(root);
    free(root);
}

/* ---- Checked file writes ------------------------------------------------- */

static void
test_write_file_never_follows_links(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *victim = rq_xasprintf("%s/victim.txt", root);
    char *planted = rq_xasprintf("%s/communes.csv", root);
    rq_test_write_file(victim, "precious\n");
    assert_int_equal(symlink(victim, planted), 0);
    assert_int_equal(rq_io_write_file(planted, "evil", 4, &err), RQ_ERR_IO);
    assert_non_null(strstr(err.msg, planted));
    char *text = rq_test_slurp(victim);
    assert_string_equal(text, "precious\n");
    free(text);
    /* An existing file is not overwritten either, nor removed. */
    assert_int_equal(rq_io_write_file(victim, "evil", 4, &err), RQ_ERR_IO);
    text = rq_test_slurp(victim);
    assert_string_equal(text, "precious\n");
    free(text);
    free(planted);
    free(victim);
    rq_test_rm_rf(root);
    free(root);
}

static void
test_write_file_full_disk(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/communes.csv", root);
    g_disk_full = 1;
    rq_status rc = rq_io_write_file(path, "abc", 3, &err);
    g_disk_full = 0;
    assert_int_equal(rc, RQ_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No space left on device"));
    assert_non_null(strstr(err.msg, "the disk is full"));
    assert_false(rq_test_exists(path)); /* no partial file */
    assert_int_equal(rq_io_write_file("/nonexistent-folder-rq/f", "abc", 3, &err), RQ_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent-folder-rq/f"));
    free(path);
    rq_test_rm_rf(root);
    free(root);
}

/* The layer writer reports a full disk at close, naming the file (GDAL's
** GeoJSON driver alone would leave a truncated file and report success). */
static void
test_writer_full_disk(void **state)
{
    (void)state;
    rq_err err = {0};
    char *root = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/x.geojson", root);
    const rq_field_def f[] = {{"a", RQ_FT_REAL, 2, NULL}};
    rq_writer *w = rq_writer_open(path, RQ_OUT_GEOJSON, "x", f, 1, RQ_OUT_NOGEOM, NULL, &err);
    if (!w)
        fail_msg("%s", err.msg);
    rq_writer_set_real(w, 0, 1.5);
    assert_int_equal(rq_writer_add(w, &err), RQ_OK);
    g_disk_full = 1;
    rq_status rc = rq_writer_close(w, &err);
    g_disk_full = 0;
    assert_int_equal(rc, RQ_ERR_IO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "disk is full"));
    assert_false(rq_test_exists(path));
    free(path);
    rq_test_rm_rf(root);
    free(root);
}

/* Writes a GeoPackage of n features of 1 KiB of text each at path through
** rq_vout, as the GeoPackage product does; the first failure's status. */
static rq_status
write_gpkg(const char *path, int n, rq_err *err)
{
    static const rq_field_def f[] = {{"texte", RQ_FT_STRING, 0, NULL}};
    char text[1024];
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    rq_vout *v = rq_vout_create(path, RQ_VOUT_GPKG, "2026-01-15", err);
    if (!v)
        return rq_err_code(err);
    rq_status rc = RQ_OK;
    rq_writer *w = rq_vout_layer(v, "t", f, 1, RQ_OUT_NOGEOM, NULL, NULL, err);
    if (!w)
        rc = rq_err_code(err);
    for (int i = 0; i < n && rc == RQ_OK; i++) {
        rq_writer_set_string(w, 0, text);
        rc = rq_writer_add(w, err);
    }
    if (rc == RQ_OK) {
        rc = rq_writer_close(w, err);
    } else {
        rq_writer_abort(w);
    }
    if (rc == RQ_OK)
        return rq_vout_close(v, err);
    rq_vout_abort(v);
    return rc;
}

/* The GeoPackage under the limit: 0 when its failure reads as such and no
** file is left. */
static int
gpkg_fails(void *path_arg)
{
    const char *path = path_arg;
    rq_err err = {0};
    rq_status rc = write_gpkg(path, 2000, &err);
    int st = rc != RQ_ERR_IO                                     ? 11
             : !strstr(err.msg, path)                            ? 12
             : !strstr(err.msg, "write failed (File too large)") ? 13
             : !strstr(err.msg, "ulimit -f")                     ? 14
             : rq_test_exists(path)                              ? 15
                                                                 : 0;
    if (st)
        fprintf(stderr, "status %d: %s\n", (int)rc, err.msg);
    return st;
}

/* The GeoPackage, written in place by SQLite, under a file size limit of
** 256 KiB: 2,000 features of 1 KiB cannot fit, whether the limit strikes
** at a feature (SQLite's page cache spilling) or at the commit. */
static void
test_gpkg_file_size_limit(void **state)
{
    (void)state;
    char *root = rq_test_tmpdir();
    char *path = rq_xasprintf("%s/run.gpkg", root);
    rq_test_under_fsize_limit(256 * 1024, gpkg_fails, path);
    /* Nothing else left beside it either: no journal. */
    assert_int_equal(count_prefixed(root, "run.gpkg"), 0);
    /* Without the limit the same file is written whole: 2,000 rows. */
    rq_err err = {0};
    if (write_gpkg(path, 2000, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'SELECT count(*), sum(length(texte)) FROM t'", path);
    assert_int_equal(rq_test_run(cmd, &out), 0);
    assert_string_equal(out, "2000|2046000\n");
    free(out);
    assert_int_equal(count_prefixed(root, "run.gpkg"), 1);
    free(path);
    rq_test_rm_rf(root);
    free(root);
}

/* The four ways a file is written (streamed GeoJSON and CSV, the
** GeoPackage in place, the workbook from memory). */
static const struct {
    const char *name;
    int vout; /* rq_vout_format + 1, or 0 for a one-layer rq_writer */
    rq_out_format fmt;
    int on_disk_while_written; /* not only from close on */
} kinds[] = {
    {"x.geojson", 0, RQ_OUT_GEOJSON, 1},
    {"x.csv", 0, RQ_OUT_CSV, 1},
    {"x.gpkg", RQ_VOUT_GPKG + 1, 0, 1},
    {"x.xlsx", RQ_VOUT_XLSX + 1, 0, 0},
};

static const rq_field_def one_text[] = {{"texte", RQ_FT_STRING, 0, NULL}};

/* Opens kind k at path: a one-layer writer, or a dataset with one layer
** (*v set). NULL with err set on failure. */
static rq_writer *
open_kind(size_t k, const char *path, rq_vout **v, rq_err *err)
{
    *v = NULL;
    if (!kinds[k].vout)
        return rq_writer_open(path, kinds[k].fmt, "x", one_text, 1, RQ_OUT_NOGEOM, NULL, err);
    if (!(*v = rq_vout_create(path, (rq_vout_format)(kinds[k].vout - 1), NULL, err)))
        return NULL;
    return rq_vout_layer(*v, "x", one_text, 1, RQ_OUT_NOGEOM, NULL, NULL, err);
}

/* Never over what stands at the path, nor through a link: refused, and
** the thing there (a link to a user's file) left as it was. A file given
** up half-way is removed. */
static void
test_new_files_only(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char *root = rq_test_tmpdir();
        char *victim = rq_xasprintf("%s/victim.txt", root);
        char *path = rq_xasprintf("%s/%s", root, kinds[k].name);
        rq_test_write_file(victim, "the user's file\n");
        assert_int_equal(symlink(victim, path), 0);
        rq_err err = {0};
        rq_vout *v = NULL;
        assert_null(open_kind(k, path, &v, &err));
        assert_null(v);
        assert_int_equal(err.code, RQ_ERR_IO);
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, "something already stands there"));
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        char *text = rq_io_read_text(victim, 1000, &err);
        assert_string_equal(text, "the user's file\n");
        free(text);
        assert_int_equal(unlink(path), 0);

        rq_writer *w = open_kind(k, path, &v, &err);
        if (!w)
            fail_msg("%s: %s", kinds[k].name, err.msg);
        rq_writer_set_string(w, 0, "a");
        assert_int_equal(rq_writer_add(w, &err), RQ_OK);
        assert_int_equal(rq_test_exists(path), kinds[k].on_disk_while_written);
        rq_writer_abort(w);
        rq_vout_abort(v);
        assert_int_equal(count_prefixed(root, "x."), 0);
        free(path);
        free(victim);
        rq_test_rm_rf(root);
        free(root);
    }
}

/* GeoJSON and CSV go to disk as they are written, not at close: 3,000
** features of 100 bytes are on disk but for the last 64 KiB buffer before
** close; then the file is whole (3,000 lines of text and a header). And a
** disk that fills up midway stops the writing at the next feature, with a
** clear error, whatever the driver makes of the failed write (the GeoJSON
** driver ignores it), and leaves no file. */
static void
test_streamed_files(void **state)
{
    (void)state;
    char text[101];
    memset(text, 'a', 100);
    text[100] = '\0';
    for (size_t k = 0; k < 2; k++) {
        char *root = rq_test_tmpdir();
        char *path = rq_xasprintf("%s/%s", root, kinds[k].name);
        rq_err err = {0};
        rq_vout *v = NULL;
        rq_writer *w = open_kind(k, path, &v, &err);
        if (!w)
            fail_msg("%s: %s", kinds[k].name, err.msg);
        for (int i = 0; i < 3000; i++) {
            rq_writer_set_string(w, 0, text);
            assert_int_equal(rq_writer_add(w, &err), RQ_OK);
        }
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size > 3000 * 100 - 65536);
        assert_int_equal(rq_writer_close(w, &err), RQ_OK);
        char *all = rq_io_read_text(path, 10000000, &err);
        assert_non_null(all);
        size_t n = 0;
        for (const char *p = all; (p = strstr(p, text)) != NULL; p += 100)
            n++;
        assert_int_equal(n, 3000);
        free(all);
        assert_int_equal(unlink(path), 0);
        if (k == 1) {
            char *csvt = rq_xasprintf("%st", path);
            assert_int_equal(unlink(csvt), 0);
            free(csvt);
        }

        /* Full after 10 features: the buffer's first write fails. */
        w = open_kind(k, path, &v, &err);
        if (!w)
            fail_msg("%s: %s", kinds[k].name, err.msg);
        rq_status rc = RQ_OK;
        int i;
        for (i = 0; i < 3000 && rc == RQ_OK; i++) {
            g_disk_full = i >= 10;
            rq_writer_set_string(w, 0, text);
            rc = rq_writer_add(w, &err);
        }
        g_disk_full = 0;
        assert_int_equal(rc, RQ_ERR_IO);
        assert_true(i < 1000); /* stopped at the first 64 KiB */
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, "write failed (No space left on device)"));
        assert_non_null(strstr(err.msg, "the disk is full"));
        rq_writer_abort(w);
        assert_int_equal(count_prefixed(root, "x."), 0);
        free(path);
        rq_test_rm_rf(root);
        free(root);
    }
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
        cmocka_unit_test(test_write_file_never_follows_links),
        cmocka_unit_test(test_write_file_full_disk),
        cmocka_unit_test(test_writer_full_disk),
        cmocka_unit_test(test_gpkg_file_size_limit),
        cmocka_unit_test(test_new_files_only),
        cmocka_unit_test(test_streamed_files),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
