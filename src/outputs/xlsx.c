/* xlsx.c - <name>.xlsx, the workbook for spreadsheets: the communes and
** the aggregates, one sheet each, through GDAL's XLSX driver. Codes are
** text cells (09001 keeps its zero, which a CSV opened in a spreadsheet
** loses), numbers are numbers; text cells that start like a formula are
** neutralised as in CSV. */
#include "outputs/products.h"

#include <stdlib.h>

rq_status
rq_product_xlsx(const rq_product_ctx *ctx, rq_err *err)
{
    static const struct {
        rq_layer_kind kind;
        const char *sheet;
    } sheets[] = {
        {RQ_LAYER_COMMUNES, "communes"},
        {RQ_LAYER_DEPARTEMENTS, "agregats_departements"},
        {RQ_LAYER_EPCI, "agregats_epci"},
        {RQ_LAYER_ZONE_ETUDE, "agregats_zone_etude"},
    };
    char *file = rq_xasprintf("%s.xlsx", ctx->meta->run_name);
    char *path = rq_product_path(ctx, file);
    rq_status rc = RQ_OK;
    rq_vout *v = rq_vout_create(path, RQ_VOUT_XLSX, NULL, err);
    if (!v)
        rc = rq_err_code(err);
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0] && rc == RQ_OK; i++) {
        rq_layer l;
        rq_layer_init(&l, sheets[i].kind, 0, ctx);
        rq_writer *w =
            rq_vout_layer(v, sheets[i].sheet, l.fields, l.n_fields, RQ_OUT_NOGEOM, NULL, NULL, err);
        rc = rq_layer_write_take(&l, ctx, w, RQ_GEOM_NONE, err);
        rq_layer_fini(&l);
    }
    if (rc == RQ_OK)
        rc = rq_vout_close(v, err);
    else
        rq_vout_abort(v);
    free(path);
    free(file);
    return rc;
}
