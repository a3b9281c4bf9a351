/* core.h - status codes, error and diagnostic lists, logging, checked allocation.
**
** Every module of raquette reports failure through an rq_status return value
** and an rq_err passed explicitly as the last parameter (no global error
** buffer). Input problems that must be reported "all at once" (method.md §1.3)
** are collected in an rq_diag list and turned into one RQ_ERR_INPUT at the end
** of the stage that found them.
*/
#ifndef RQ_CORE_H
#define RQ_CORE_H

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define RQ_MUST_CHECK __attribute__((warn_unused_result))
#define RQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RQ_MUST_CHECK
#define RQ_PRINTF(f, a)
#endif

#define RQ_VERSION "0.2.0"

/* Most threads a stage uses. */
#define RQ_MAX_THREADS 4

/* Result codes. RQ_ERR_INPUT and RQ_ERR_USAGE map to exit status 2 (the user
** can fix them); every other error maps to exit status 1. */
typedef enum {
    RQ_OK = 0,
    RQ_ERR_USAGE,    /* bad command line */
    RQ_ERR_INPUT,    /* bad input file or configuration value */
    RQ_ERR_IO,       /* system error while reading or writing */
    RQ_ERR_GDAL,     /* unexpected GDAL/OGR failure */
    RQ_ERR_PROJ,     /* unexpected PROJ failure */
    RQ_ERR_GEOS,     /* unexpected GEOS failure */
    RQ_ERR_SQL,      /* unexpected SQLite failure */
    RQ_ERR_INTERNAL  /* bug or resource exhaustion */
} rq_status;

typedef struct rq_err {
    rq_status code;
    char msg[1024];
} rq_err;

/* Sets err (which may be NULL) and returns code, so that callers can write
** `return rq_err_set(err, RQ_ERR_INPUT, "...")`. */
rq_status rq_err_set(rq_err *err, rq_status code, const char *fmt, ...) RQ_PRINTF(3, 4);
void rq_err_clear(rq_err *err);
/* Exit status for a command that ended with this code: 0, 1 or 2. */
int rq_status_exit_code(rq_status code);

/* ---- Diagnostics: a growable list of messages ------------------------- */

typedef struct rq_diag {
    char **items;
    size_t n, cap;
} rq_diag;

void rq_diag_init(rq_diag *d);
void rq_diag_fini(rq_diag *d);
void rq_diag_add(rq_diag *d, const char *fmt, ...) RQ_PRINTF(2, 3);
/* When d holds messages, fills err with RQ_ERR_INPUT, a count and every
** message (one per line; truncated with "..." if too long) and returns
** RQ_ERR_INPUT. Otherwise returns RQ_OK. */
rq_status rq_diag_to_err(const rq_diag *d, const char *what, rq_err *err);

/* ---- Logging (stderr only; stdout carries data) ------------------------ */

typedef enum { RQ_LOG_ERROR = 0, RQ_LOG_WARN, RQ_LOG_INFO, RQ_LOG_DEBUG } rq_log_level;

void rq_log_set_level(rq_log_level level);
rq_log_level rq_log_get_level(void);
void rq_log(rq_log_level level, const char *fmt, ...) RQ_PRINTF(2, 3);

/* ---- Checked allocation: exit with a message when memory runs out ---- */

/* The rq_x* allocators never return NULL: when memory runs out, or a size
** computation n*size would overflow, they call rq_out_of_memory. */
void *rq_xmalloc(size_t size);
void *rq_xcalloc(size_t n, size_t size);
/* Resizes p to n elements of size bytes, checking n*size for overflow. */
void *rq_xreallocarray(void *p, size_t n, size_t size);
char *rq_xstrdup(const char *s);
char *rq_xasprintf(const char *fmt, ...) RQ_PRINTF(1, 2);

/* Grows *items (of *cap elements of size bytes) so that it holds at least
** need elements. Doubling keeps appends amortised O(1). */
void rq_grow(void **items, size_t *cap, size_t need, size_t size);

/* Ends the process for lack of memory: prints "raquette: out of memory
** while allocating <size> bytes; the inputs are too large..." on stderr
** (size 0: unknown, e.g. a library's std::bad_alloc; SIZE_MAX: a size that
** overflowed), runs the fatal cleanup hook and _exits with status 1. Safe
** to call from any thread; when several call it, one message is printed. */
_Noreturn void rq_out_of_memory(size_t size);
/* Sets the function rq_out_of_memory runs before exiting (NULL: none). It
** may run on any thread while others still work, and memory has run out:
** it must not allocate. src/io/outdir.c sets it to remove the temporary
** output folders. */
void rq_set_fatal_cleanup(void (*fn)(void));
/* Test hook: from now on the rq_x* allocators hand out at most bytes in
** total (frees are not counted back), then behave as if memory ran out.
** 0 removes the limit. Not for production use. */
void rq_alloc_set_budget(size_t bytes);

/* ---- Small string helpers --------------------------------------------- */

/* Copies at most dstsz-1 bytes and always terminates; returns strlen(src). */
size_t rq_strlcpy(char *dst, const char *src, size_t dstsz);
/* Trims ASCII white space in place and returns s. */
char *rq_strtrim(char *s);
/* Splits s on sep into a NULL-terminated array of trimmed, non-empty,
** newly allocated strings; *n_out receives the count. Free with
** rq_strv_free. */
char **rq_strsplit(const char *s, char sep, size_t *n_out);
void rq_strv_free(char **v);
/* Strict number parsing: the whole string must be a number. 1 on success. */
int rq_parse_double(const char *s, double *out);
int rq_parse_long(const char *s, long *out);
/* Levenshtein distance, for "did you mean" hints. */
size_t rq_edit_distance(const char *a, const char *b);
/* qsort/bsearch comparator for arrays of char *. */
int rq_cmp_strp(const void *a, const void *b);

/* ---- Progress on stderr ------------------------------------------------ */

/* Same signature as GDALProgressFunc, so that GDAL can call it directly.
** Returns 1 to go on. */
typedef int (*rq_progress_fn)(double complete, const char *msg, void *ud);

/* A stage reporter: prints "stage... NN%" on stderr, but only once the stage
** has lasted a second (short stages stay silent), and nothing when quiet. */
typedef struct rq_progress {
    const char *stage;
    double t0;
    int shown, quiet, last_pct;
} rq_progress;

void rq_progress_begin(rq_progress *p, const char *stage, int quiet);
/* rq_progress_fn to pass along with a rq_progress * as ud. */
int rq_progress_update(double complete, const char *msg, void *ud);
/* Ends the stage; returns its duration in seconds. */
double rq_progress_end(rq_progress *p);
/* Monotonic clock in seconds. */
/* Threads a stage may use: RAQUETTE_THREADS when set to 1..RQ_MAX_THREADS,
** else the online CPUs, at most RQ_MAX_THREADS and at least 1. */
size_t rq_thread_count(void);
double rq_now(void);

#endif /* RQ_CORE_H */
