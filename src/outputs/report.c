/* report.c - rapport.html, the report for public authorities (report.h),
** made from the run as its history has it (ctx->report, loaded before the
** products start), and rapport.pdf when the run asked for it: Chromium
** prints the report from the temporary folder, before the folder is
** committed, so that the two always go together.
*/
#include "outputs/products.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

rq_status
rq_product_report(const rq_product_ctx *ctx, rq_err *err)
{
    if (!ctx->report)
        return RQ_OK; /* a run written without its history (tests) */
    size_t len = 0;
    char *html = rq_report_html(ctx->report, ctx->g, &len, err);
    if (!html)
        return rq_err_code(err);
    char *path = rq_product_path(ctx, "rapport.html");
    rq_status rc = rq_io_write_file(path, html, len, err);
    if (rc == RQ_OK && ctx->meta->pdf) {
        char *pdf = rq_product_path(ctx, "rapport.pdf");
        rc = rq_report_pdf(path, pdf, err);
        free(pdf);
    }
    free(path);
    free(html);
    return rc;
}

/* Writes text as dir/name through a temporary file renamed into place:
** a reader never sees half a report. */
static rq_status
replace_file(const char *dir, const char *name, const char *text, size_t len, rq_err *err)
{
    char *tmp = rq_xasprintf("%s/.%s.tmp-%ld", dir, name, (long)getpid());
    char *path = rq_xasprintf("%s/%s", dir, name);
    unlink(tmp); /* a leftover of a killed rebuild of the same process id */
    rq_status rc = rq_io_write_file(tmp, text, len, err);
    if (rc == RQ_OK && rename(tmp, path) != 0)
        rc = rq_err_set(err, RQ_ERR_IO, "cannot move %s into place as %s: %s", tmp, path,
                        strerror(errno));
    if (rc != RQ_OK)
        unlink(tmp);
    free(tmp);
    free(path);
    return rc;
}

rq_status
rq_outputs_write_report(const rq_report *r, const char *dir, int pdf, rq_err *err)
{
    rq_geos *g = rq_geos_create();
    size_t len = 0;
    char *html = g ? rq_report_html(r, g, &len, err) : NULL;
    rq_status rc = html ? RQ_OK
                   : g  ? rq_err_code(err)
                        : rq_err_set(err, RQ_ERR_GEOS, "cannot create a GEOS context");
    if (rc == RQ_OK && pdf) {
        /* Chromium prints a copy, then the two files replace the old ones. */
        char *tmp_html = rq_xasprintf("%s/.rapport-%ld.html", dir, (long)getpid());
        char *tmp_pdf = rq_xasprintf("%s/.rapport-%ld.pdf", dir, (long)getpid());
        char *final_pdf = rq_xasprintf("%s/rapport.pdf", dir);
        unlink(tmp_html);
        unlink(tmp_pdf);
        rc = rq_io_write_file(tmp_html, html, len, err);
        if (rc == RQ_OK)
            rc = rq_report_pdf(tmp_html, tmp_pdf, err);
        if (rc == RQ_OK && rename(tmp_pdf, final_pdf) != 0)
            rc = rq_err_set(err, RQ_ERR_IO, "cannot move %s into place: %s", final_pdf,
                            strerror(errno));
        unlink(tmp_html);
        unlink(tmp_pdf);
        free(tmp_html);
        free(tmp_pdf);
        free(final_pdf);
    }
    if (rc == RQ_OK)
        rc = replace_file(dir, "rapport.html", html, len, err);
    free(html);
    rq_geos_destroy(g);
    return rc;
}
