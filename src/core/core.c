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

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

static rq_log_level g_log_level = RQ_LOG_INFO;

rq_status
rq_err_code(const rq_err *err)
{
    assert(err->code != RQ_OK);
    return err->code != RQ_OK ? err->code : RQ_ERR_INTERNAL;
}

rq_status
rq_err_set(rq_err *err, rq_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        free(err->full);
        err->full = NULL;
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
        err->full = NULL;
    }
}

void
rq_err_fini(rq_err *err)
{
    if (err) {
        free(err->full);
        rq_err_clear(err);
    }
}

void
rq_err_move(rq_err *dst, rq_err *src)
{
    if (dst == src)
        return;
    free(dst->full);
    *dst = *src;
    rq_err_clear(src);
}

const char *
rq_err_text(const rq_err *err)
{
    return err->full ? err->full : err->msg;
}

void
rq_err_print(FILE *f, const rq_err *err, size_t max_lines, const char *hint)
{
    const char *p = rq_err_text(err);
    size_t total = 1, shown = 0;
    for (const char *q = p; *q; q++)
        total += *q == '\n';
    fputs("error: ", f);
    while (*p && (max_lines == 0 || shown < max_lines)) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fwrite(p, 1, len, f);
        fputc('\n', f);
        shown++;
        p = nl ? nl + 1 : p + len;
    }
    if (shown < total && *p)
        fprintf(f, "  ... and %zu more lines not shown%s%s\n", total - shown, hint ? "; " : "",
                hint ? hint : "");
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

/* A newly allocated string of fmt and ap, however long: a message is
** never cut. vsnprintf counts in an int: a text of 2 GiB or more fails
** with EOVERFLOW, which must not pass for an empty string. */
static char *xvasprintf(const char *fmt, va_list ap) RQ_PRINTF(1, 0);

static char *
xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        rq_out_of_memory(SIZE_MAX);
    char *p = rq_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void
rq_diag_add(rq_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    rq_grow((void **)&d->items, &d->cap, d->n + 1, sizeof *d->items);
    d->items[d->n++] = msg;
}

rq_status
rq_diag_to_err(const rq_diag *d, const char *what, rq_err *err)
{
    if (d->n == 0)
        return RQ_OK;
    if (!err)
        return RQ_ERR_INPUT;
    rq_err_set(err, RQ_ERR_INPUT, "%zu error%s in %s:", d->n, d->n > 1 ? "s" : "", what);
    /* The whole text, then msg: whole lines while they fit, keeping room
    ** for the line that counts the others. */
    int head = snprintf(NULL, 0, "%zu error%s in %s:", d->n, d->n > 1 ? "s" : "", what);
    size_t total = (head > 0 ? (size_t)head : 0) + 1;
    for (size_t i = 0; i < d->n; i++)
        total += strlen(d->items[i]) + 3;
    char tail[80];
    size_t len = strlen(err->msg), kept = 0;
    /* A header too long to leave room for the count of the others (a very
    ** long path) is cut, at a character boundary. */
    size_t max_head = sizeof err->msg - sizeof tail;
    int cut = len > max_head;
    if (cut) {
        len = max_head;
        while (len > 0 && ((unsigned char)err->msg[len] & 0xC0) == 0x80)
            len--;
        err->msg[len] = '\0';
    }
    for (size_t i = 0; i < d->n && !cut; i++) {
        size_t need = strlen(d->items[i]) + 3;
        size_t rest = d->n - i - 1;
        snprintf(tail, sizeof tail, "\n  ... and %zu more", rest + 1);
        if (len + need + (rest ? strlen(tail) : 0) >= sizeof err->msg)
            break;
        len += (size_t)snprintf(err->msg + len, sizeof err->msg - len, "\n  %s", d->items[i]);
        kept++;
    }
    if (kept < d->n) {
        snprintf(tail, sizeof tail, "\n  ... and %zu more", d->n - kept);
        rq_strlcpy(err->msg + len, tail, sizeof err->msg - len);
        char *full = rq_xmalloc(total);
        size_t at = (size_t)snprintf(full, total, "%zu error%s in %s:", d->n, d->n > 1 ? "s" : "",
                                     what);
        for (size_t i = 0; i < d->n; i++)
            at += (size_t)snprintf(full + at, total - at, "\n  %s", d->items[i]);
        err->full = full;
    }
    return RQ_ERR_INPUT;
}

/* ---- Grouped warnings ---------------------------------------------------- */

void
rq_warnings_init(rq_warnings *w)
{
    memset(w, 0, sizeof *w);
}

void
rq_warnings_fini(rq_warnings *w)
{
    for (size_t i = 0; i < w->n; i++) {
        rq_warn_group *g = &w->groups[i];
        for (size_t j = 0; j < g->n; j++)
            free(g->details[j]);
        free(g->details);
        free(g->kind);
        free(g->text);
    }
    free(w->groups);
    rq_warnings_init(w);
}

void
rq_warn(rq_warnings *w, const char *kind, const char *text, const char *detail_fmt, ...)
{
    size_t i = 0;
    while (i < w->n && strcmp(w->groups[i].kind, kind) != 0)
        i++;
    if (i == w->n) {
        rq_grow((void **)&w->groups, &w->cap, w->n + 1, sizeof *w->groups);
        memset(&w->groups[i], 0, sizeof w->groups[i]);
        w->groups[i].kind = rq_xstrdup(kind);
        w->groups[i].text = rq_xstrdup(text);
        w->n++;
    }
    rq_warn_group *g = &w->groups[i];
    va_list ap;
    va_start(ap, detail_fmt);
    char *detail = xvasprintf(detail_fmt, ap);
    va_end(ap);
    rq_grow((void **)&g->details, &g->cap, g->n + 1, sizeof *g->details);
    g->details[g->n++] = detail;
}

size_t
rq_warnings_count(const rq_warnings *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += w->groups[i].n;
    return n;
}

void
rq_warnings_print(FILE *f, const rq_warnings *w, const char *prefix, size_t max_details,
                  const char *hint)
{
    for (size_t i = 0; i < w->n; i++) {
        const rq_warn_group *g = &w->groups[i];
        size_t shown = max_details && g->n > max_details ? max_details : g->n;
        if (g->n == 1)
            fprintf(f, "%s%s: %s", prefix, g->text, g->details[0]);
        else
            fprintf(f, "%s%s (%zu times): ", prefix, g->text, g->n);
        for (size_t j = 0; g->n > 1 && j < shown; j++)
            fprintf(f, "%s%s", j ? "; " : "", g->details[j]);
        if (shown < g->n)
            fprintf(f, "; and %zu more (%s)", g->n - shown, hint);
        fputc('\n', f);
    }
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

/* ---- Signals ------------------------------------------------------------ */

static sigset_t g_signals;

void
rq_signals_mask(void *sigset_out)
{
    sigset_t *set = sigset_out;
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

/* Waits for one of the signals, cleans up and dies of it. A plain thread,
** not a handler: the cleanup may take locks and read folders, which a
** signal handler must not. */
static void *
signal_thread(void *arg)
{
    (void)arg;
    int sig = 0;
    if (sigwait(&g_signals, &sig) != 0)
        return NULL;
    static const char msg[] = "raquette: stopped by a signal; the temporary output folder is "
                              "removed and the previous outputs are untouched\n";
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* nothing to do: stderr is gone */
    }
    void (*fn)(void) = atomic_load(&g_fatal_cleanup);
    if (fn)
        fn();
    signal(sig, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &g_signals, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached: the default action ends the process */
}

int
rq_signals_install(void)
{
    pthread_t th;
    rq_signals_mask(&g_signals);
    if (pthread_sigmask(SIG_BLOCK, &g_signals, NULL) != 0)
        return -1;
    if (pthread_create(&th, NULL, signal_thread, NULL) != 0) {
        pthread_sigmask(SIG_UNBLOCK, &g_signals, NULL);
        return -1;
    }
    pthread_detach(th);
    return 0;
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
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
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

/* 1 when s (white space trimmed at both ends) is a plain decimal number:
** [+-]digits[.digits][(e|E)[+-]digits], with at least one digit before
** the exponent. strtod alone would also take "inf", "nan" and hex floats
** ("0x1.8p1"), which no table of ours means. */
static int
is_decimal(const char *s)
{
    size_t digits = 0;
    if (*s == '+' || *s == '-')
        s++;
    for (; isdigit((unsigned char)*s); s++)
        digits++;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            digits++;
    if (!digits)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

int
rq_parse_double(const char *s, double *out)
{
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || !is_decimal(s))
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

int
rq_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
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
    p->tty = isatty(fileno(stderr));
}

int
rq_progress_update(double complete, const char *msg, void *ud)
{
    rq_progress *p = ud;
    (void)msg;
    if (p->quiet || !p->tty || rq_now() - p->t0 < 1.0)
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
rq_progress_end(rq_progress *p, int ok)
{
    double dt = rq_now() - p->t0;
    if (!ok) {
        /* The error follows: end a percentage line, claim nothing done. */
        if (!p->quiet && p->shown)
            fputc('\n', stderr);
        return dt;
    }
    /* A stage that never reported progress still gets its line once it
    ** lasted a second, so a long silent stage is visible afterwards. In a
    ** log (not a terminal) every stage gets one plain line. */
    if (p->quiet)
        return dt;
    if (!p->tty)
        fprintf(stderr, "%s: done in %.2f s\n", p->stage, dt);
    else if (p->shown || dt >= 1.0)
        fprintf(stderr, "\r%s... done in %.1f s\n", p->stage, dt);
    return dt;
}

/* RAQUETTE_THREADS as a number, 0 when unset or not a whole number from 1
** to RQ_MAX_THREADS. */
static size_t
threads_from_env(const char **text)
{
    const char *env = getenv("RAQUETTE_THREADS");
    long v;
    *text = env;
    if (env && *env && rq_parse_long(env, &v) && v >= 1 && v <= RQ_MAX_THREADS)
        return (size_t)v;
    return 0;
}

rq_status
rq_thread_count_check(rq_err *err)
{
    const char *env;
    if (threads_from_env(&env) || !env || !*env)
        return RQ_OK;
    return rq_err_set(err, RQ_ERR_USAGE,
                      "RAQUETTE_THREADS = '%.40s'; expected a whole number from 1 to %d, or "
                      "unset (one thread per CPU)",
                      env, RQ_MAX_THREADS);
}

size_t
rq_thread_count(void)
{
    const char *env;
    size_t n = threads_from_env(&env);
    if (n)
        return n;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        return 1;
    return cpus > RQ_MAX_THREADS ? RQ_MAX_THREADS : (size_t)cpus;
}
