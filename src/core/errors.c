/* errors.c - errors, diagnostics and grouped warnings: how raquette says
** what went wrong.
**
** Every module reports failure through an rq_status return value and an
** rq_err passed explicitly (no global error buffer). Input problems that
** must be reported all at once are collected in an rq_diag and turned into
** one RQ_ERR_INPUT; warnings that repeat for thousands of rows are grouped
** by kind in rq_warnings. These are plain data with their printers: the
** allocation they need comes from alloc.c, which ends the process when
** memory runs out, so nothing here fails.
*/
#include "raquette/core.h"

#include "core_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void
rq_diag_add(rq_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = rq_xvasprintf(fmt, ap);
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
        size_t at =
            (size_t)snprintf(full, total, "%zu error%s in %s:", d->n, d->n > 1 ? "s" : "", what);
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
    char *detail = rq_xvasprintf(detail_fmt, ap);
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
