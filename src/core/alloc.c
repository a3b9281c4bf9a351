/* alloc.c - checked allocation, and the two ways the process ends early:
** memory runs out, or a signal asks it to stop.
**
** The allocation policy is git's: a batch tool that runs out of memory
** cannot do anything useful, so rq_x* allocators print a clear message and
** end the process instead of returning NULL to hundreds of call sites. It
** ends with exit status 1 (a system failure, like any other), not abort():
** running out of memory on large inputs is not a crash, and the fatal
** cleanup hook first removes the run's temporary output folder.
**
** The signal thread lives here too because it ends the process the same
** way, through the same fatal cleanup hook: the hook stays a static of
** this one file.
*/
#include "raquette/core.h"

#include "core_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set once, read from any thread when memory runs out. */
static size_t (*_Atomic g_fatal_cleanup)(void);

/* Test hook (rq_alloc_set_budget): 0, or the bytes rq_x* may still hand out. */
static atomic_size_t g_budget_on;
static atomic_size_t g_budget_left;

void
rq_set_fatal_cleanup(size_t (*fn)(void))
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
    size_t (*fn)(void) = atomic_load(&g_fatal_cleanup);
    if (fn)
        (void)fn();
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
    /* What the message may promise depends on whether a temporary folder
    ** was still being written: after the commit, the new outputs are in
    ** place, complete. */
    static const char removed[] = "raquette: stopped by a signal; the temporary output folder "
                                  "is removed and the previous outputs are untouched\n";
    static const char none[] = "raquette: stopped by a signal; no output folder was being "
                               "written: the output folder holds complete outputs\n";
    size_t (*fn)(void) = atomic_load(&g_fatal_cleanup);
    size_t n = fn ? fn() : 0;
    if (write(STDERR_FILENO, n ? removed : none, n ? sizeof removed - 1 : sizeof none - 1) < 0) {
        /* nothing to do: stderr is gone */
    }
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

/* Not static: errors.c builds its messages with it (core_internal.h). */
char *
rq_xvasprintf(const char *fmt, va_list ap)
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

char *
rq_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = rq_xvasprintf(fmt, ap);
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
