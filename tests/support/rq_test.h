/* rq_test.h - shared helpers for the cmocka tests.
**
** Include the four headers cmocka needs before cmocka.h, as its header asks.
*/
#ifndef RQ_TEST_H
#define RQ_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "raquette/indicators.h"
#include "raquette/model.h"

/* Path of a file under tests/fixtures (RQ_FIXTURES), in a static buffer
** that the next call overwrites. */
const char *rq_test_fixture(const char *name);
/* Path of a file under the real data folder (RAQUETTE_GEODATA). Fails the
** test when the folder is missing: integration tests never pass silently. */
const char *rq_test_geodata(const char *name);
/* Runs a shell command, captures stdout+stderr into a newly allocated
** string (*out, may be NULL) and returns the exit status (or -1). */
int rq_test_run(const char *cmd, char **out);
/* Writes text to path (truncating). */
void rq_test_write_file(const char *path, const char *text);
/* Makes a fresh temporary folder; caller frees the string. */
char *rq_test_tmpdir(void);
/* "dir/name", newly allocated. */
char *rq_test_path(const char *dir, const char *name);
/* The whole file as a NUL-terminated string (newly allocated); fails the
** test when it cannot be read. */
char *rq_test_slurp(const char *path);
/* Number of entries of dir whose name starts with prefix. */
int rq_test_count_prefixed(const char *dir, const char *prefix);
/* 1 when something (a file, a folder, a link) stands at path. */
int rq_test_exists(const char *path);
/* Runs fn(arg) in a child process under a file size limit of limit bytes
** (RLIMIT_FSIZE, as `ulimit -f`, with SIGXFSZ ignored as raquette does);
** fails the test unless fn returns 0 (it returns which check failed). */
void rq_test_under_fsize_limit(unsigned long limit, int (*fn)(void *), void *arg);
/* rm -rf path; fails the test when it cannot. */
void rq_test_rm_rf(const char *path);
/* What a shell command prints (stdout+stderr, newly allocated); fails the
** test, with the command and its output, when the command fails. */
char *rq_test_shell(const char *cmd);
/* For a group setup: runs a shell command, prints its output when it
** fails; 0 on success, -1 otherwise (cmocka then skips the group). */
int rq_test_setup_run(const char *cmd);
/* For a group teardown: removes the folder *dir and frees its name. */
int rq_test_teardown_dir(char **dir);
/* The number a shell command prints (its whole output read as a double);
** fails the test when the command fails. */
double rq_test_shell_number(const char *cmd);
/* The site of ds with this id; fails the test when there is none. */
const rq_site *rq_test_site(const rq_dataset *ds, const char *id);
/* The warnings of ds of one kind, NULL when there are none. */
const rq_warn_group *rq_test_warnings(const rq_dataset *ds, const char *kind);
/* For a group setup: rq_io_init, then loads the configuration ini into
** *cfg, prepares *ds and runs the analysis into *res (quiet); prints the
** error and returns -1 when something fails (cmocka then skips the group).
** rq_test_analysis_fini undoes it all. */
int rq_test_analysis_run(const char *ini, rq_config *cfg, rq_dataset **ds, rq_results *res);
void rq_test_analysis_fini(rq_config *cfg, rq_dataset *ds, rq_results *res);
/* Group setup and teardown for tests that read or write through GDAL:
** rq_io_init / rq_io_cleanup. */
int rq_test_io_setup(void **state);
int rq_test_io_teardown(void **state);

/* Little-endian WKB, built byte by byte, into buf (large enough); each
** returns the length written. A point; a polygon of one ring of n points
** (x, y pairs in xy); a multipolygon of n_polys polygons, polygon k of
** rings[k] rings of 5 points (closed) each, taken in turn from xy. */
size_t rq_test_wkb_point(unsigned char *buf, double x, double y);
size_t rq_test_wkb_polygon(unsigned char *buf, const double *xy, uint32_t n);
size_t rq_test_wkb_multipolygon(unsigned char *buf, const double *xy, const uint32_t *rings,
                                uint32_t n_polys);

/* Fails the test unless haystack holds needle (or, for the second, does
** not), printing both. */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (!h_ || !strstr(h_, n_))                                                                \
            fail_msg("expected to find\n  <%s>\nin\n  <%s>", n_, h_ ? h_ : "(null)");              \
    } while (0)

#define assert_not_contains(haystack, needle)                                                      \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (strstr(h_, n_))                                                                        \
            fail_msg("did not expect\n  <%s>\nin\n  <%s>", n_, h_);                                \
    } while (0)

/* Number of elements of an array. */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Compares doubles within an absolute tolerance. cmocka 1.1.5's
** assert_float_equal goes through float (about 7 significant digits), too
** coarse for areas in m2 or checks at 1e-9, and does not parenthesise its
** arguments; this prints both values on failure. */
#define assert_close(actual, expected, tol)                                                        \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected), t_ = (tol);                                         \
        if (!(fabs(a_ - e_) <= t_)) {                                                              \
            print_error("%s = %.17g, expected %.17g (tolerance %g)\n", #actual, a_, e_, t_);       \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#endif
