/* comparison.c - what `raquette compare` writes (docs/outputs.md,
** "Comparison"): the communes and the gap zones of the two runs compared,
** as GeoJSON (RFC 7946) with their QGIS styles and as CSV, the causes as
** CSV, and the French summary it prints, as resume.txt.
*/
#include "outputs/products.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The French summary, as a file. */
static rq_status
write_summary(const rq_product_ctx *ctx, rq_err *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return rq_err_set(err, RQ_ERR_IO, "cannot write the summary in memory");
    rq_comparison_print(f, ctx->cmp);
    fclose(f);
    char *path = rq_product_path(ctx, "resume.txt");
    rq_status rc = rq_io_write_file(path, text, len, err);
    free(path);
    free(text);
    return rc;
}

static rq_status
write_style(const rq_product_ctx *ctx, rq_layer_kind kind, int phase, const char *file, rq_err *err)
{
    rq_layer l;
    rq_layer_init(&l, kind, phase, ctx);
    char *qml = rq_style_qml(&l, ctx, 0);
    char *path = rq_product_path(ctx, file);
    rq_status rc = rq_io_write_file(path, qml, strlen(qml), err);
    free(path);
    free(qml);
    rq_layer_fini(&l);
    return rc;
}

rq_status
rq_product_comparison(const rq_product_ctx *ctx, rq_err *err)
{
    static const struct {
        rq_layer_kind kind;
        const char *name;
        int map; /* also a GeoJSON layer with its style */
    } files[] = {
        {RQ_LAYER_EVOLUTION, "comparaison_communes", 1},
        {RQ_LAYER_EVOLUTION_ZONES, "comparaison_trous", 1},
        {RQ_LAYER_CAUSES, "comparaison_causes", 0},
    };
    rq_status rc = RQ_OK;
    for (size_t i = 0; i < sizeof files / sizeof files[0] && rc == RQ_OK; i++) {
        char file[64];
        snprintf(file, sizeof file, "%s.csv", files[i].name);
        rc = rq_layer_save(ctx, files[i].kind, RQ_GAPS_EVERY, file, rq_csv_format(ctx), err);
        if (rc != RQ_OK || !files[i].map)
            continue;
        snprintf(file, sizeof file, "%s.geojson", files[i].name);
        rc = rq_layer_save(ctx, files[i].kind, RQ_GAPS_EVERY, file, RQ_OUT_GEOJSON, err);
        snprintf(file, sizeof file, "%s.qml", files[i].name);
        if (rc == RQ_OK)
            rc = write_style(ctx, files[i].kind, RQ_GAPS_EVERY, file, err);
    }
    if (rc == RQ_OK)
        rc = write_summary(ctx, err);
    return rc;
}
