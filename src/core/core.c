/* core.c - errors, diagnostics, logging, checked allocation, string helpers.
**
** The allocation policy is git's: a batch tool that runs out of memory
** cannot do anything useful, so rq_x* allocators print a clear message and
** end the process instead of returning NULL to hundreds of call sites. It
** ends with exit status 1 (a system failure, like any other), not abort():
** running out of memory on large inputs is not a crash, and the fatal
** cleanup hook first removes the run's temporary output folder.
*/
#include "raquette/core.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

static rq_log_level g_log_level = RQ_LOG_INFO;

rq_status
rq_err_set(rq_err *err, rq_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void
rq_err_clear(rq_err *err)
{
    if (err) {
        err->code = RQ_OK;
        err->msg[0] = '\0';
    }
}

int
rq_status_exit_code(rq_status code)
{
    switch (code) {
    case RQ_OK:
        return 0;
    case RQ_ERR_USAGE:
    case RQ_ERR_INPUT:
        return 2;
    default:
        return 1;
    }
}

void
rq_diag_init(rq_diag *d)
{
    d->items = NULL;
    d->n = d->cap = 0;
}

void
rq_diag_fini(rq_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->items[i]);
    free(d->items);
    rq_diag_init(d);
}

void
rq_diag_add(rq_diag *d, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rq_grow((void **)&d->items, &d->cap, d->n + 1, sizeof *d->items);
    d->items[d->n++] = rq_xstrdup(buf);
}

rq_status
rq_diag_to_err(const rq_diag *d, const char *what, rq_err *err)
{
    if (d->n == 0)
        return RQ_OK;
    if (!err)
        return RQ_ERR_INPUT;
    err->code = RQ_ERR_INPUT;
    int len = snprintf(err->msg, sizeof err->msg, "%zu error%s in %s:", d->n,
                       d->n > 1 ? "s" : "", what);
    for (size_t i = 0; i < d->n && len >= 0 && (size_t)len < sizeof err->msg; i++) {
        size_t room = sizeof err->msg - (size_t)len;
        int w = snprintf(err->msg + len, room, "\n  %s", d->items[i]);
        if (w < 0 || (size_t)w >= room) {
            /* Out of room: end with an ellipsis that says how many remain. */
            char tail[64];
            snprintf(tail, sizeof tail, "\n  ... and %zu more", d->n - i);
            size_t at = sizeof err->msg - strlen(tail) - 1;
            memcpy(err->msg + at, tail, strlen(tail) + 1);
            break;
        }
        len += w;
    }
    return RQ_ERR_INPUT;
}

void
rq_log_set_level(rq_log_level level)
{
    g_log_level = level;
}

rq_log_level
rq_log_get_level(void)
{
    return g_log_level;
}

void
rq_log(rq_log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
    if (level > g_log_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs(prefix[level], stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Set once, read from any thread when memory runs out. */
static void (*_Atomic g_fatal_cleanup)(void);

/* Test hook (rq_alloc_set_budget): 0, or the bytes rq_x* may still hand out. */
static atomic_size_t g_budget_on;
static atomic_size_t g_budget_left;

void
rq_set_fatal_cleanup(void (*fn)(void))
{
    atomic_store(&g_fatal_cleanup, fn);
}

void
rq_out_of_memory(size_t size)
{
    /* One message even when several threads run out at once: the others
    ** wait here until the first one ends the process. */
    static atomic_flag once = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&once))
        for (;;)
            pause();
    if (size == SIZE_MAX)
        fputs("raquette: out of memory: a size computation overflowed (an input far too "
              "large for this machine's memory)",
              stderr);
    else if (size)
        fprintf(stderr, "raquette: out of memory while allocating %zu bytes", size);
    else
        fputs("raquette: out of memory", stderr);
    fputs("; the inputs are too large for this machine's memory: analyse fewer "
          "départements or use a machine with more memory\n",
          stderr);
    void (*fn)(void) = atomic_load(&g_fatal_cleanup);
    if (fn)
        fn();
    /* _exit, not exit: this may run on a worker thread while others still
    ** use GDAL, GEOS and PROJ, and exit() would run the libraries' static
    ** destructors and atexit handlers under their feet (a crash instead of
    ** a clean status). Nothing is lost: stderr is unbuffered, stdout
    ** carries no result of a failed command, and outputs are written with
    ** write(2) into the temporary folder the cleanup has just removed. */
    _exit(1);
}

void
rq_alloc_set_budget(size_t bytes)
{
    atomic_store(&g_budget_left, bytes);
    atomic_store(&g_budget_on, bytes != 0);
}

/* 1 when the test budget allows size more bytes (always without one). */
static int
within_budget(size_t size)
{
    if (!atomic_load_explicit(&g_budget_on, memory_order_relaxed))
        return 1;
    size_t left = atomic_load(&g_budget_left);
    do {
        if (size > left)
            return 0;
    } while (!atomic_compare_exchange_weak(&g_budget_left, &left, left - size));
    return 1;
}

void *
rq_xmalloc(size_t size)
{
    void *p = within_budget(size) ? malloc(size ? size : 1) : NULL;
    if (!p)
        rq_out_of_memory(size);
    return p;
}

void *
rq_xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        rq_out_of_memory(SIZE_MAX);
    void *p = within_budget(n * size) ? calloc(n ? n : 1, size ? size : 1) : NULL;
    if (!p)
        rq_out_of_memory(n * size);
    return p;
}

void *
rq_xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        rq_out_of_memory(SIZE_MAX);
    size_t total = n * size;
    void *q = within_budget(total) ? realloc(p, total ? total : 1) : NULL;
    if (!q)
        rq_out_of_memory(total);
    return q;
}

char *
rq_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = rq_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

char *
rq_xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    /* vsnprintf counts in an int: a text of 2 GiB or more fails with
    ** EOVERFLOW, which must not pass for an empty string. */
    if (n < 0)
        rq_out_of_memory(SIZE_MAX);
    char *p = rq_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void
rq_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            rq_out_of_memory(SIZE_MAX);
        ncap *= 2;
    }
    *items = rq_xreallocarray(*items, ncap, size);
    *cap = ncap;
}

size_t
rq_strlcpy(char *dst, const char *src, size_t dstsz)
{
    size_t n = strlen(src);
    if (dstsz) {
        size_t c = n < dstsz - 1 ? n : dstsz - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

char *
rq_strtrim(char *s)
{
    char *b = s;
    while (*b && isspace((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n && isspace((unsigned char)b[n - 1]))
        n--;
    memmove(s, b, n);
    s[n] = '\0';
    return s;
}

char **
rq_strsplit(const char *s, char sep, size_t *n_out)
{
    size_t n = 0, cap = 0;
    char **v = NULL;
    const char *p = s ? s : "";
    for (;;) {
        const char *e = strchr(p, sep);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *tok = rq_xmalloc(len + 1);
        memcpy(tok, p, len);
        tok[len] = '\0';
        rq_strtrim(tok);
        if (*tok) {
            rq_grow((void **)&v, &cap, n + 2, sizeof *v);
            v[n++] = tok;
        } else {
            free(tok);
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (!v)
        v = rq_xcalloc(1, sizeof *v);
    v[n] = NULL;
    if (n_out)
        *n_out = n;
    return v;
}

void
rq_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

int
rq_parse_double(const char *s, double *out)
{
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (errno == ERANGE || !end || *end != '\0' || v != v)
        return 0;
    *out = v;
    return 1;
}

int
rq_parse_long(const char *s, long *out)
{
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (end && isspace((unsigned char)*end))
        end++;
    if (errno == ERANGE || !end || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

size_t
rq_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return la > lb ? la : lb;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int
rq_cmp_strp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

double
rq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
rq_progress_begin(rq_progress *p, const char *stage, int quiet)
{
    p->stage = stage;
    p->t0 = rq_now();
    p->shown = 0;
    p->quiet = quiet;
    p->last_pct = -1;
}

int
rq_progress_update(double complete, const char *msg, void *ud)
{
    rq_progress *p = ud;
    (void)msg;
    if (p->quiet || rq_now() - p->t0 < 1.0)
        return 1;
    int pct = (int)(complete * 100.0 + 0.5);
    if (pct != p->last_pct) {
        fprintf(stderr, "\r%s... %3d%%", p->stage, pct);
        fflush(stderr);
        p->last_pct = pct;
        p->shown = 1;
    }
    return 1;
}

double
rq_progress_end(rq_progress *p)
{
    double dt = rq_now() - p->t0;
    /* A stage that never reported progress still gets its line once it
    ** lasted a second, so a long silent stage is visible afterwards. */
    if (!p->quiet && (p->shown || dt >= 1.0))
        fprintf(stderr, "\r%s... done in %.1f s\n", p->stage, dt);
    return dt;
}

size_t
rq_thread_count(void)
{
    const char *env = getenv("RAQUETTE_THREADS");
    if (env && *env) {
        char *end = NULL;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 1 && v <= RQ_MAX_THREADS)
            return (size_t)v;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        return 1;
    return cpus > RQ_MAX_THREADS ? RQ_MAX_THREADS : (size_t)cpus;
}
