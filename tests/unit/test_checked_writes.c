/* test_checked_writes.c - the files a run writes (src/io/outdir.c,
** writer_vsi.c, writer_vout.c): never through a link or over an existing
** file, and a full disk is an error that leaves no half-written file. The
** output folder itself is tested in test_outdir.c.
**
** A full disk is simulated by wrapping write(2) (-Wl,--wrap=write, see
** tests/CMakeLists.txt): the calls from raquette's own objects go through
** __wrap_write, which fails with ENOSPC while g_disk_full is set: also
** the writes of the GeoJSON and CSV files that GDAL streams through
** raquette (src/io/writer_vsi.c). The GeoPackage, which SQLite writes in
** place (src/io/writer_vout.c), meets a real limit instead: a child
** process under a file size limit (RLIMIT_FSIZE, as `ulimit -f`, with
** SIGXFSZ ignored as raquette does).
*/
#include "rq_test.h"

#include "raquette/io.h"
#include "raquette/writer.h"

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
    assert_int_equal(rq_test_count_prefixed(root, "run.gpkg"), 0);
    /* Without the limit the same file is written whole: 2,000 rows. */
    rq_err err = {0};
    if (write_gpkg(path, 2000, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'SELECT count(*), sum(length(texte)) FROM t'", path);
    assert_int_equal(rq_test_run(cmd, &out), 0);
    assert_string_equal(out, "2000|2046000\n");
    free(out);
    assert_int_equal(rq_test_count_prefixed(root, "run.gpkg"), 1);
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
        assert_int_equal(rq_test_count_prefixed(root, "x."), 0);
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
        assert_int_equal(rq_test_count_prefixed(root, "x."), 0);
        free(path);
        rq_test_rm_rf(root);
        free(root);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_file_never_follows_links),
        cmocka_unit_test(test_write_file_full_disk),
        cmocka_unit_test(test_writer_full_disk),
        cmocka_unit_test(test_gpkg_file_size_limit),
        cmocka_unit_test(test_new_files_only),
        cmocka_unit_test(test_streamed_files),
    };
    return cmocka_run_group_tests(tests, rq_test_io_setup, rq_test_io_teardown);
}
