/* csv.c - the tables of method.md §6 without geometry: communes.csv and
** agregats_departements.csv, agregats_epci.csv, agregats_zone_etude.csv,
** each with its .csvt. [output] csv_format = fr writes them for French
** spreadsheets: ';', decimal comma, UTF-8 with a byte order mark
** (docs/outputs.md). */
#include "outputs/products.h"

#include <stdlib.h>

/* The format of every CSV of the run. */
rq_out_format
rq_csv_format(const rq_product_ctx *ctx)
{
    return ctx->ds->cfg->csv_format == RQ_CSV_FR ? RQ_OUT_CSV_FR : RQ_OUT_CSV;
}

static rq_status
write_csv(const rq_product_ctx *ctx, rq_layer_kind kind, const char *file, rq_err *err)
{
    rq_layer l;
    rq_layer_init(&l, kind, 0, ctx);
    char *path = rq_product_path(ctx, file);
    rq_writer *w = rq_writer_open(path, rq_csv_format(ctx), l.name, l.fields, l.n_fields,
                                  RQ_OUT_NOGEOM, NULL, err);
    rq_status rc = rq_layer_write_take(&l, ctx, w, RQ_GEOM_NONE, err);
    free(path);
    rq_layer_fini(&l);
    return rc;
}

rq_status
rq_product_csv(const rq_product_ctx *ctx, rq_err *err)
{
    static const struct {
        rq_layer_kind kind;
        const char *file;
    } tables[] = {
        {RQ_LAYER_COMMUNES, "communes.csv"},
        {RQ_LAYER_DEPARTEMENTS, "agregats_departements.csv"},
        {RQ_LAYER_EPCI, "agregats_epci.csv"},
        {RQ_LAYER_ZONE_ETUDE, "agregats_zone_etude.csv"},
    };
    rq_status rc = RQ_OK;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == RQ_OK; i++)
        rc = write_csv(ctx, tables[i].kind, tables[i].file, err);
    return rc;
}
