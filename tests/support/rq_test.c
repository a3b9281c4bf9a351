/* rq_test.c - shared helpers for the cmocka tests. */
#include "rq_test.h"

#include "raquette/analysis.h"
#include "raquette/io.h"
#include "raquette/model.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
rq_test_fixture(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("RQ_FIXTURES");
    if (!dir)
        fail_msg("RQ_FIXTURES is not set: run the tests through ctest");
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

const char *
rq_test_geodata(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("RAQUETTE_GEODATA");
    struct stat st;
    if (!dir || stat(dir, &st) != 0)
        fail_msg(
            "RAQUETTE_GEODATA (%s) is not a folder: the real data must sit in ../shared/geodata",
            dir ? dir : "unset");
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

int
rq_test_run(const char *cmd, char **out)
{
    char *full = NULL;
    size_t n = strlen(cmd) + 16;
    full = malloc(n);
    snprintf(full, n, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    if (!p)
        return -1;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += r;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    buf[len] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

void
rq_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

char *
rq_test_tmpdir(void)
{
    char tmpl[] = "/tmp/rqtest.XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

char *
rq_test_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *
rq_test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t cap = 4096, len = 0, r;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

int
rq_test_io_setup(void **state)
{
    (void)state;
    rq_io_init();
    return 0;
}

int
rq_test_io_teardown(void **state)
{
    (void)state;
    rq_io_cleanup();
    return 0;
}

char *
rq_test_shell(const char *cmd)
{
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0)
        fail_msg("command failed (status %d): %s\n%s", st, cmd, out ? out : "");
    return out;
}

int
rq_test_setup_run(const char *cmd)
{
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "setup command failed (status %d): %s\n%s\n", st, cmd, out ? out : "");
    free(out);
    return st == 0 ? 0 : -1;
}

int
rq_test_teardown_dir(char **dir)
{
    if (*dir)
        rq_test_rm_rf(*dir);
    free(*dir);
    *dir = NULL;
    return 0;
}

double
rq_test_shell_number(const char *cmd)
{
    char *out = rq_test_shell(cmd);
    double v = atof(out);
    free(out);
    return v;
}

const rq_site *
rq_test_site(const rq_dataset *ds, const char *id)
{
    for (size_t i = 0; i < ds->n_sites; i++)
        if (strcmp(ds->sites[i].site_id, id) == 0)
            return &ds->sites[i];
    fail_msg("no site %s", id);
    return NULL;
}

const rq_warn_group *
rq_test_warnings(const rq_dataset *ds, const char *kind)
{
    for (size_t i = 0; i < ds->warnings.n; i++)
        if (strcmp(ds->warnings.groups[i].kind, kind) == 0)
            return &ds->warnings.groups[i];
    return NULL;
}

int
rq_test_count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

int
rq_test_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

void
rq_test_rm_rf(const char *path)
{
    char *cmd = rq_xasprintf("rm -rf '%s'", path);
    assert_int_equal(rq_test_run(cmd, NULL), 0);
    free(cmd);
}

int
rq_test_analysis_run(const char *ini, rq_config *cfg, rq_dataset **ds, rq_results *res)
{
    rq_err err = {0};
    rq_io_init();
    memset(res, 0, sizeof *res);
    *ds = NULL;
    if (rq_config_load(ini, cfg, &err) != RQ_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *ds = rq_dataset_create(cfg);
    if (rq_pipeline_prepare(*ds, &err) != RQ_OK || rq_analysis_run(*ds, res, 1, &err) != RQ_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

void
rq_test_analysis_fini(rq_config *cfg, rq_dataset *ds, rq_results *res)
{
    if (ds) {
        rq_results_fini(ds->geos, res);
        rq_dataset_destroy(ds);
    }
    rq_config_fini(cfg);
    rq_io_cleanup();
}

void
rq_test_under_fsize_limit(unsigned long limit, int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {limit, limit};
        signal(SIGXFSZ, SIG_IGN);
        _exit(setrlimit(RLIMIT_FSIZE, &lim) != 0 ? 100 : fn(arg));
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("under a file size limit of %lu bytes: check %d failed", limit,
                 WEXITSTATUS(status));
}

/* ---- WKB ------------------------------------------------------------------ */

static unsigned char *
put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

static unsigned char *
put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

size_t
rq_test_wkb_polygon(unsigned char *buf, const double *xy, uint32_t n)
{
    unsigned char *p = buf;
    *p++ = 1;
    p = put_u32(p, 3);
    p = put_u32(p, 1);
    p = put_u32(p, n);
    for (uint32_t i = 0; i < 2 * n; i++)
        p = put_f64(p, xy[i]);
    return (size_t)(p - buf);
}

size_t
rq_test_wkb_point(unsigned char *buf, double x, double y)
{
    unsigned char *p = buf;
    *p++ = 1;
    p = put_u32(p, 1);
    p = put_f64(p, x);
    p = put_f64(p, y);
    return (size_t)(p - buf);
}

size_t
rq_test_wkb_multipolygon(unsigned char *buf, const double *xy, const uint32_t *rings,
                         uint32_t n_polys)
{
    unsigned char *p = buf;
    *p++ = 1;
    p = put_u32(p, 6);
    p = put_u32(p, n_polys);
    for (uint32_t k = 0; k < n_polys; k++) {
        *p++ = 1;
        p = put_u32(p, 3);
        p = put_u32(p, rings[k]);
        for (uint32_t r = 0; r < rings[k]; r++) {
            p = put_u32(p, 5);
            for (uint32_t i = 0; i < 10; i++)
                p = put_f64(p, *xy++);
        }
    }
    return (size_t)(p - buf);
}
