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

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define RQ_MUST_CHECK __attribute__((warn_unused_result))
#define RQ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RQ_MUST_CHECK
#define RQ_PRINTF(f, a)
#endif

#define RQ_VERSION "0.3.0"
/* Version of the reference method implemented (shared/docs/method.md). */
#define RQ_METHOD_VERSION "1.1"

/* Longest run name: the output folder's own name, and "<name>.tmp-XXXXXX"
** must fit in a file name (255 bytes). */
#define RQ_MAX_RUN_NAME 200
/* Longest value of one field of an input table, in bytes (docs/errors.md):
** the longest real one is an EPCI's member list (948 bytes in 2026). */
#define RQ_MAX_FIELD_BYTES 16384
/* Longest path once ${VAR} is expanded. */
#define RQ_MAX_PATH_BYTES 4096

/* Most threads a stage uses. */
#define RQ_MAX_THREADS 64

/* Result codes. RQ_ERR_INPUT and RQ_ERR_USAGE map to exit status 2 (the user
** can fix them); every other error maps to exit status 1. */
typedef enum {
    RQ_OK = 0,
    RQ_ERR_USAGE,   /* bad command line */
    RQ_ERR_INPUT,   /* bad input file or configuration value */
    RQ_ERR_IO,      /* system error while reading or writing */
    RQ_ERR_GDAL,    /* unexpected GDAL/OGR failure */
    RQ_ERR_PROJ,    /* unexpected PROJ failure */
    RQ_ERR_GEOS,    /* unexpected GEOS failure */
    RQ_ERR_SQL,     /* unexpected SQLite failure */
    RQ_ERR_INTERNAL /* bug or resource exhaustion */
} rq_status;

/* An error: its code and its message. msg holds whole lines only; when a
** list of input errors does not fit in it, full holds the whole text (heap,
** owned by the rq_err: rq_err_fini frees it). Only rq_diag_to_err sets
** full, so an rq_err that never received a diagnostic list owns nothing. */
typedef struct rq_err {
    rq_status code;
    char msg[1024];
    char *full;
} rq_err;

/* Sets err (which may be NULL) and returns code, so that callers can write
** `return rq_err_set(err, RQ_ERR_INPUT, "...")`. The message replaces the
** previous one; a full list it held is released. */
rq_status rq_err_set(rq_err *err, rq_status code, const char *fmt, ...) RQ_PRINTF(3, 4);
/* The code of a call that failed: the callee set err (the contract of
** every function that takes an rq_err), so the caller returns err->code
** rather than guess one. A callee that failed without setting err is a bug,
** caught here in debug builds and reported as RQ_ERR_INTERNAL otherwise. */
rq_status rq_err_code(const rq_err *err);
/* Initialises err to "no error" (owns nothing). */
void rq_err_clear(rq_err *err);
/* Releases what err owns (its full list) and clears it. NULL is a no-op. */
void rq_err_fini(rq_err *err);
/* Moves src into dst (releasing what dst held); src is left cleared. */
void rq_err_move(rq_err *dst, rq_err *src);
/* The whole message: full when set, else msg. */
const char *rq_err_text(const rq_err *err);
/* Prints the message of err to f, prefixed with "error: ", one line per
** line of the message. At most max_lines lines are printed (0: all); the
** rest is announced with how to see it (hint, e.g. "run again with
** --all-errors"). A line is never cut. */
void rq_err_print(FILE *f, const rq_err *err, size_t max_lines, const char *hint);
/* Lines printed by default before "... and N more": about a screenful. */
#define RQ_ERR_SCREENFUL 40
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
/* When d holds messages, fills err with RQ_ERR_INPUT, "N errors in WHAT:"
** and every message, one per line, and returns RQ_ERR_INPUT; otherwise
** returns RQ_OK. msg gets as many whole lines as fit and the count of the
** others; err->full gets the whole text when msg could not. */
rq_status rq_diag_to_err(const rq_diag *d, const char *what, rq_err *err);

/* ---- Warnings, grouped by kind ------------------------------------------
** A run may give the same warning for thousands of rows (2,726 sites with
** an empty capacity): warnings of one kind share one sentence and differ
** by a detail (file and line, code...). They are printed one line per
** kind, with the count and the first few details; run.json keeps them all. */

typedef struct rq_warn_group {
    char *kind;     /* stable slug, e.g. "capacite-vide" (run.json "type") */
    char *text;     /* the sentence shared by the group */
    char **details; /* one per occurrence, in order */
    size_t n, cap;
} rq_warn_group;

typedef struct rq_warnings {
    rq_warn_group *groups; /* in order of first occurrence */
    size_t n, cap;
} rq_warnings;

void rq_warnings_init(rq_warnings *w);
void rq_warnings_fini(rq_warnings *w);
/* Adds one occurrence of the warning kind (text is used for the first
** occurrence of that kind). */
void rq_warn(rq_warnings *w, const char *kind, const char *text, const char *detail_fmt, ...)
    RQ_PRINTF(4, 5);
/* Total number of occurrences. */
size_t rq_warnings_count(const rq_warnings *w);
/* Prints one line per group to f: "PREFIXtext: d1" or "PREFIXtext (N
** times): d1; d2; d3; and N-3 more (HINT)", with at most max_details
** details (0: all); hint says where the others are ("all of them in
** run.json"). */
void rq_warnings_print(FILE *f, const rq_warnings *w, const char *prefix, size_t max_details,
                       const char *hint);

/* ---- Logging (stderr only; stdout carries data) ------------------------ */

typedef enum { RQ_LOG_ERROR = 0, RQ_LOG_WARN, RQ_LOG_INFO, RQ_LOG_DEBUG } rq_log_level;

void rq_log_set_level(rq_log_level level);
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
** output folders; it returns how many it removed. */
void rq_set_fatal_cleanup(size_t (*fn)(void));
/* Handles SIGINT, SIGTERM and SIGHUP: blocks them in the calling thread
** (call it first thing in main, before any thread exists, so that every
** thread inherits the mask) and starts a thread that waits for them, runs
** the fatal cleanup hook (the temporary output folder goes), then ends the
** process by the same signal, so that the shell sees the conventional
** status (130 for Ctrl-C, 143 for kill). Returns 0, or -1 when the thread
** could not start (the signals keep their default action). A child process
** must unblock them before exec (rq_signals_mask). */
int rq_signals_install(void);
/* The signals rq_signals_install blocks (to unblock in a child). */
void rq_signals_mask(void *sigset_out);
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
/* Strict number parsing: the whole string (white space around it aside)
** must be a decimal number; no hex float, "inf" or "nan". 1 on success. */
int rq_parse_double(const char *s, double *out);
int rq_parse_long(const char *s, long *out);
/* Levenshtein distance, for "did you mean" hints. */
size_t rq_edit_distance(const char *a, const char *b);
/* qsort/bsearch comparator for arrays of char *. */
int rq_cmp_strp(const void *a, const void *b);
/* qsort/bsearch comparator for arrays of size_t. */
int rq_cmp_size(const void *a, const void *b);

/* A growable string: appends never fail (memory exhaustion aborts). Start
** from {0}; rq_buf_take hands the text over ("" when nothing was added). */
typedef struct rq_buf {
    char *s;
    size_t len, cap;
} rq_buf;
void rq_buf_add(rq_buf *b, const char *s);
void rq_buf_printf(rq_buf *b, const char *fmt, ...) RQ_PRINTF(2, 3);
/* Appends s after sep unless b is empty: lists such as "a|b|c". */
void rq_buf_join(rq_buf *b, const char *sep, const char *s);
char *rq_buf_take(rq_buf *b);
void rq_buf_fini(rq_buf *b);

/* Numbers as French readers write them: "1 301 533" (a space between
** thousands) and "0,25" (decimal comma). Returns buf. */
char *rq_fmt_int_fr(long v, char *buf, size_t sz);
char *rq_fmt_real_fr(double v, int decimals, char *buf, size_t sz);

/* ---- Progress on stderr ------------------------------------------------ */

/* A stage reporter, one line per stage on stderr at its end. On a terminal
** only a stage that lasted a second gets its "stage... done in S s" line
** (short stages stay silent); when stderr is not a terminal (a log file, a
** pipe) every stage gets a "stage: done in S s" line. Nothing when quiet. */
typedef struct rq_progress {
    const char *stage;
    double t0, c0; /* wall and process CPU clocks at the start */
    double cpu;    /* process CPU seconds of the stage, set by rq_progress_end */
    int quiet, tty;
} rq_progress;

void rq_progress_begin(rq_progress *p, const char *stage, int quiet);
/* Ends the stage; returns its duration in seconds. ok = 0: the stage
** failed, nothing says it is done. */
double rq_progress_end(rq_progress *p, int ok);
/* Threads a stage may use: the count set by rq_thread_count_set (--threads),
** else RAQUETTE_THREADS when set to 1..RQ_MAX_THREADS, else the online CPUs,
** at most RQ_MAX_THREADS and at least 1. */
size_t rq_thread_count(void);
/* Sets the count for the rest of the process (1..RQ_MAX_THREADS; 0 goes
** back to the environment and the CPUs). */
void rq_thread_count_set(size_t n);
/* Checks RAQUETTE_THREADS (unset, or a whole number from 1 to
** RQ_MAX_THREADS): RQ_ERR_USAGE with what was expected otherwise. */
rq_status rq_thread_count_check(rq_err *err) RQ_MUST_CHECK;
/* Runs fn(arg) on n threads (at most RQ_MAX_THREADS), the calling thread
** being one of them, and returns when all have returned. A thread that
** cannot start is not an error: fn takes its work from a shared counter,
** so the others do it. */
void rq_workers_run(void *(*fn)(void *), void *arg, size_t n);

/* The failure that stops the workers of an rq_workers_run pool: each
** worker records its own; the first recorded is kept, and every worker
** stops taking work once one is (rq_pool_error_seen). */
typedef struct rq_pool_error {
    atomic_int seen;
    pthread_mutex_t lock; /* guards err */
    rq_err err;
} rq_pool_error;

void rq_pool_error_init(rq_pool_error *pe);
/* Records err, set by a worker's failed call: moved into pe when it is
** the first, released otherwise; err is left clear either way. */
void rq_pool_error_record(rq_pool_error *pe, rq_err *err);
/* Whether some worker has failed. */
int rq_pool_error_seen(rq_pool_error *pe);
/* Moves the first failure into err and returns its code, or RQ_OK when
** none was recorded; then releases pe. */
rq_status rq_pool_error_fini(rq_pool_error *pe, rq_err *err);
/* Monotonic clock in seconds. */
double rq_now(void);
/* CPU seconds used so far by the whole process (every thread), and by the
** calling thread. */
double rq_cpu_now(void);
double rq_thread_cpu_now(void);

#endif /* RQ_CORE_H */
