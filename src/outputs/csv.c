/* csv.c - the tables of method.md §6 without geometry: communes.csv and
** agregats_departements.csv, agregats_epci.csv, agregats_zone_etude.csv,
** each with its .csvt. [output] csv_format = fr writes them for French
** spreadsheets: ';', decimal comma, UTF-8 with a byte order mark
** (docs/outputs.md). */
#include "outputs/products.h"

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
        rc = rq_layer_save(ctx, tables[i].kind, 0, tables[i].file, rq_csv_format(ctx), err);
    return rc;
}
