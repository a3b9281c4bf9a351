/* geojson.c - the GeoJSON products of method.md §6: communes.geojson,
** trous.geojson (every gap zone, the field `phase` telling which) and
** sites.geojson. RFC 7946: lon/lat on WGS 84, reprojected here with PROJ
** rather than by GDAL's writer: a batch of coordinates through one
** transformation costs a third of the driver's per-feature reprojection
** (docs/performance.md). */
#include "outputs/products.h"

/* Writes layer (kind, phase) as the GeoJSON file `file`. */
static rq_status
write_geojson(const rq_product_ctx *ctx, rq_layer_kind kind, int phase, const char *file,
              rq_err *err)
{
    return rq_layer_save(ctx, kind, phase, file, RQ_OUT_GEOJSON, err);
}

rq_status
rq_product_communes_geojson(const rq_product_ctx *ctx, rq_err *err)
{
    return write_geojson(ctx, RQ_LAYER_COMMUNES, 0, "communes.geojson", err);
}

rq_status
rq_product_trous_geojson(const rq_product_ctx *ctx, rq_err *err)
{
    return write_geojson(ctx, RQ_LAYER_TROUS, RQ_GAPS_EVERY, "trous.geojson", err);
}

rq_status
rq_product_sites_geojson(const rq_product_ctx *ctx, rq_err *err)
{
    return write_geojson(ctx, RQ_LAYER_SITES, 0, "sites.geojson", err);
}
