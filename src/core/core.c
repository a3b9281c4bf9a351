/* core.c - logging, string helpers, strict number parsing, the clock,
** stage progress and the thread count.
**
** Small services that every module uses and that share no state but the
** log level: each function stands alone. Errors and diagnostics are in
** errors.c, allocation and the early end of the process in alloc.c (see
** core_internal.h).
*/
#include "raquette/core.h"

#include "core_internal.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static rq_log_level g_log_level = RQ_LOG_INFO;

void
rq_log_set_level(rq_log_level level)
{
    g_log_level = level;
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

/* ---- Growable strings and French numbers ------------------------------- */

void
rq_buf_add(rq_buf *b, const char *s)
{
    size_t n = strlen(s);
    rq_grow((void **)&b->s, &b->cap, b->len + n + 1, 1);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void
rq_buf_printf(rq_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = rq_xvasprintf(fmt, ap);
    va_end(ap);
    rq_buf_add(b, s);
    free(s);
}

void
rq_buf_join(rq_buf *b, const char *sep, const char *s)
{
    if (b->len)
        rq_buf_add(b, sep);
    rq_buf_add(b, s);
}

char *
rq_buf_take(rq_buf *b)
{
    char *s = b->s ? b->s : rq_xstrdup("");
    memset(b, 0, sizeof *b);
    return s;
}

void
rq_buf_fini(rq_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

char *
rq_fmt_int_fr(long v, char *buf, size_t sz)
{
    char digits[32];
    unsigned long mag = v < 0 ? (unsigned long)(-(v + 1)) + 1UL : (unsigned long)v;
    int n = snprintf(digits, sizeof digits, "%lu", mag);
    size_t at = 0;
    if (v < 0 && at + 1 < sz)
        buf[at++] = '-';
    for (int i = 0; i < n && at + 2 < sz; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[at++] = ' ';
        buf[at++] = digits[i];
    }
    buf[sz ? (at < sz ? at : sz - 1) : 0] = '\0';
    return buf;
}

char *
rq_fmt_real_fr(double v, int decimals, char *buf, size_t sz)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    char *dot = strchr(tmp, '.');
    if (dot)
        *dot = ',';
    /* Thousands of the integer part, as rq_fmt_int_fr. */
    char *digits = tmp[0] == '-' ? tmp + 1 : tmp;
    size_t int_len = dot ? (size_t)(dot - digits) : strlen(digits);
    size_t at = 0;
    if (digits != tmp && at + 1 < sz)
        buf[at++] = '-';
    for (size_t i = 0; digits[i] && at + 2 < sz; i++) {
        if (i > 0 && i < int_len && (int_len - i) % 3 == 0)
            buf[at++] = ' ';
        buf[at++] = digits[i];
    }
    buf[sz ? (at < sz ? at : sz - 1) : 0] = '\0';
    return buf;
}

double
rq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
clock_seconds(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
rq_cpu_now(void)
{
    return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

double
rq_thread_cpu_now(void)
{
    return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

void
rq_progress_begin(rq_progress *p, const char *stage, int quiet)
{
    p->stage = stage;
    p->t0 = rq_now();
    p->c0 = rq_cpu_now();
    p->cpu = 0;
    p->quiet = quiet;
    p->tty = isatty(fileno(stderr));
}

double
rq_progress_end(rq_progress *p, int ok)
{
    double dt = rq_now() - p->t0;
    p->cpu = rq_cpu_now() - p->c0;
    if (!ok || p->quiet) /* a failed stage: the error follows, nothing done */
        return dt;
    if (!p->tty)
        fprintf(stderr, "%s: done in %.2f s\n", p->stage, dt);
    else if (dt >= 1.0)
        fprintf(stderr, "%s... done in %.1f s\n", p->stage, dt);
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

void
rq_workers_run(void *(*fn)(void *), void *arg, size_t n)
{
    pthread_t th[RQ_MAX_THREADS];
    size_t started = 0;
    for (size_t t = 1; t < n && t < RQ_MAX_THREADS; t++)
        if (pthread_create(&th[started], NULL, fn, arg) == 0)
            started++;
    fn(arg);
    for (size_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

void
rq_pool_error_init(rq_pool_error *pe)
{
    atomic_init(&pe->seen, 0);
    pthread_mutex_init(&pe->lock, NULL);
    rq_err_clear(&pe->err);
}

void
rq_pool_error_record(rq_pool_error *pe, rq_err *err)
{
    pthread_mutex_lock(&pe->lock);
    if (!atomic_exchange(&pe->seen, 1)) {
        rq_err_move(&pe->err, err);
        if (pe->err.code == RQ_OK) /* a callee that failed without saying why */
            pe->err.code = RQ_ERR_INTERNAL;
    }
    pthread_mutex_unlock(&pe->lock);
    rq_err_fini(err);
}

int
rq_pool_error_seen(rq_pool_error *pe)
{
    return atomic_load(&pe->seen);
}

rq_status
rq_pool_error_fini(rq_pool_error *pe, rq_err *err)
{
    rq_status rc = RQ_OK;
    if (atomic_load(&pe->seen)) {
        rc = pe->err.code;
        rq_err_move(err, &pe->err);
    }
    pthread_mutex_destroy(&pe->lock);
    rq_err_fini(&pe->err);
    return rc;
}

/* --threads: set once by the CLI before any thread starts; atomic so that
** reading it from a worker is never a data race. */
static atomic_size_t thread_override;

void
rq_thread_count_set(size_t n)
{
    atomic_store(&thread_override, n <= RQ_MAX_THREADS ? n : RQ_MAX_THREADS);
}

rq_status
rq_thread_count_check(rq_err *err)
{
    const char *env;
    if (atomic_load(&thread_override) || threads_from_env(&env) || !env || !*env)
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
    size_t n = atomic_load(&thread_override);
    if (n)
        return n;
    n = threads_from_env(&env);
    if (n)
        return n;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        return 1;
    return cpus > RQ_MAX_THREADS ? RQ_MAX_THREADS : (size_t)cpus;
}
