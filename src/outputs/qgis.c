/* qgis.c - <name>.qgs, a QGIS project that opens every layer of the
** GeoPackage, styled, grouped and ordered, with French names and title;
** and the same styles as .qml files beside the GeoJSON layers, which QGIS
** applies when it opens a file with a .qml of the same name.
**
** The project holds only what QGIS 3.22 needs to open it (checked by
** tests/qgis/check_outputs.py): the project CRS (WKT and authority code;
** with ProjectionsEnabled, else QGIS ignores it), the layer tree, each map
** layer with its data source, CRS, renderer and labels, the map extent,
** and relative paths (<Paths><Absolute>false), so that the folder can be
** moved as a whole.
*/
#include "outputs/products.h"

#include "raquette/crs.h"
#include "raquette/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QGS_DOCTYPE "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"

/* One entry of the project: a GeoPackage layer with a style. */
struct entry {
    rq_layer layer;
    int variant; /* style variant */
    char id[64];
    char title[96];
    int visible;
};

/* A group of the layer tree and its entries, top to bottom. */
struct group {
    const char *title;
    struct entry *e;
    size_t n;
};

static void
spatialrefsys(rq_xml *x, const char *wkt, const char *authid)
{
    rq_xml_start(x, "spatialrefsys");
    rq_xml_leaf(x, "wkt", "%s", wkt ? wkt : "");
    rq_xml_leaf(x, "authid", "%s", authid);
    rq_xml_end(x);
}

static void
datasource(char *buf, size_t sz, const rq_product_ctx *ctx, const rq_layer *l)
{
    snprintf(buf, sz, "./%s.gpkg|layername=%s", ctx->meta->run_name, l->name);
}

static void
tree(rq_xml *x, const struct group *g, size_t n_groups, const rq_product_ctx *ctx)
{
    char src[512];
    rq_xml_start(x, "layer-tree-group");
    for (size_t k = 0; k < n_groups; k++) {
        if (!g[k].n)
            continue; /* no comparison without a previous run */
        rq_xml_start(x, "layer-tree-group");
        rq_xml_attr(x, "name", "%s", g[k].title);
        rq_xml_attr(x, "checked", "Qt::Checked");
        rq_xml_attr(x, "expanded", "1");
        for (size_t i = 0; i < g[k].n; i++) {
            const struct entry *e = &g[k].e[i];
            datasource(src, sizeof src, ctx, &e->layer);
            rq_xml_start(x, "layer-tree-layer");
            rq_xml_attr(x, "id", "%s", e->id);
            rq_xml_attr(x, "name", "%s", e->title);
            rq_xml_attr(x, "source", "%s", src);
            rq_xml_attr(x, "providerKey", "ogr");
            rq_xml_attr(x, "checked", e->visible ? "Qt::Checked" : "Qt::Unchecked");
            rq_xml_attr(x, "expanded", "%d", e->visible);
            rq_xml_end(x);
        }
        rq_xml_end(x);
    }
    rq_xml_end(x);
}

static void
map_layer(rq_xml *x, const struct entry *e, const rq_product_ctx *ctx, const char *wkt)
{
    const rq_layer *l = &e->layer;
    char src[512];
    datasource(src, sizeof src, ctx, l);
    rq_xml_start(x, "maplayer");
    rq_xml_attr(x, "type", "vector");
    rq_xml_attr(x, "geometry", l->gtype == RQ_OUT_POINT ? "Point" : "Polygon");
    rq_xml_attr(x, "wkbType", l->gtype == RQ_OUT_POINT ? "Point" : "MultiPolygon");
    rq_xml_attr(x, "labelsEnabled", "%d", rq_style_labels(l));
    rq_xml_leaf(x, "id", "%s", e->id);
    rq_xml_leaf(x, "datasource", "%s", src);
    rq_xml_leaf(x, "layername", "%s", e->title);
    rq_xml_start(x, "srs");
    spatialrefsys(x, wkt, ctx->crs);
    rq_xml_end(x);
    rq_xml_start(x, "provider");
    rq_xml_attr(x, "encoding", "UTF-8");
    rq_xml_text(x, "ogr");
    rq_xml_end(x);
    rq_style_write(x, l, ctx, e->variant);
    rq_xml_end(x);
}

static char *
project_text(const struct group *g, size_t n_groups, const rq_product_ctx *ctx)
{
    const rq_bbox *b = &ctx->geoms->extent;
    char *wkt = rq_crs_wkt(ctx->crs);
    char title[256];
    snprintf(title, sizeof title, "Trous dans la raquette : %s (%s)", ctx->meta->run_name,
             ctx->meta->date);
    rq_xml *x = rq_xml_create(QGS_DOCTYPE, 1);
    rq_xml_start(x, "qgis");
    rq_xml_attr(x, "projectname", "%s", title);
    rq_xml_attr(x, "version", "3.22.16-Białowieża");
    rq_xml_leaf(x, "title", "%s", title);
    rq_xml_start(x, "projectCrs");
    spatialrefsys(x, wkt, ctx->crs);
    rq_xml_end(x);
    tree(x, g, n_groups, ctx);
    rq_xml_start(x, "mapcanvas");
    rq_xml_attr(x, "name", "theMapCanvas");
    rq_xml_leaf(x, "units", "meters");
    rq_xml_start(x, "extent");
    rq_xml_leaf(x, "xmin", "%.0f", b->minx);
    rq_xml_leaf(x, "ymin", "%.0f", b->miny);
    rq_xml_leaf(x, "xmax", "%.0f", b->maxx);
    rq_xml_leaf(x, "ymax", "%.0f", b->maxy);
    rq_xml_end(x);
    rq_xml_start(x, "destinationsrs");
    spatialrefsys(x, wkt, ctx->crs);
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_start(x, "projectlayers");
    for (size_t k = 0; k < n_groups; k++)
        for (size_t i = 0; i < g[k].n; i++)
            map_layer(x, &g[k].e[i], ctx, wkt);
    rq_xml_end(x);
    rq_xml_start(x, "properties");
    rq_xml_start(x, "Paths");
    rq_xml_start(x, "Absolute");
    rq_xml_attr(x, "type", "bool");
    rq_xml_text(x, "false");
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_start(x, "SpatialRefSys");
    rq_xml_start(x, "ProjectionsEnabled");
    rq_xml_attr(x, "type", "int");
    rq_xml_text(x, "1");
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_end(x);
    free(wkt);
    return rq_xml_finish(x, NULL);
}

static void
entry(struct group *g, const rq_product_ctx *ctx, rq_layer_kind kind, int phase, int variant,
      const char *title, int visible)
{
    struct entry *e = &g->e[g->n++];
    rq_layer_init(&e->layer, kind, phase, ctx);
    e->variant = variant;
    e->visible = visible;
    char name[sizeof e->layer.name];
    rq_strlcpy(name, e->layer.name, sizeof name);
    rq_strlcpy(e->title, title ? title : e->layer.title, sizeof e->title);
    snprintf(e->id, sizeof e->id, "%s_%d", name, variant);
}

/* The .qml files beside the GeoJSON layers. */
static rq_status
write_qml_files(const rq_product_ctx *ctx, rq_err *err)
{
    static const struct {
        rq_layer_kind kind;
        int phase, variant;
        const char *file;
    } files[] = {
        {RQ_LAYER_COMMUNES, 0, 0, "communes.qml"},
        {RQ_LAYER_COMMUNES, 0, 1, "communes_acces.qml"},
        {RQ_LAYER_TROUS, RQ_GAPS_EVERY, 0, "trous.qml"},
        {RQ_LAYER_SITES, 0, 0, "sites.qml"},
    };
    rq_status rc = RQ_OK;
    for (size_t i = 0; i < sizeof files / sizeof files[0] && rc == RQ_OK; i++) {
        rq_layer l;
        rq_layer_init(&l, files[i].kind, files[i].phase, ctx);
        char *qml = rq_style_qml(&l, ctx, files[i].variant);
        char *path = rq_product_path(ctx, files[i].file);
        rc = rq_io_write_file(path, qml, strlen(qml), err);
        free(path);
        free(qml);
        rq_layer_fini(&l);
    }
    return rc;
}

rq_status
rq_product_qgis(const rq_product_ctx *ctx, rq_err *err)
{
    struct entry offer[2], gaps[1 + RQ_NPHASES], limits[2], communes[2], evolution[2];
    char evolution_title[96] = "";
    if (ctx->cmp)
        snprintf(evolution_title, sizeof evolution_title, "Évolution depuis le run %lld (%s)",
                 ctx->cmp->a->run_id, ctx->cmp->a->date);
    struct group g[] = {
        {evolution_title, evolution, 0},     {"Offre d'accompagnement", offer, 0},
        {"Trous dans la raquette", gaps, 0}, {"Limites administratives", limits, 0},
        {"Communes", communes, 0},
    };
    const size_t n_groups = sizeof g / sizeof g[0];
    if (ctx->cmp) {
        entry(&g[0], ctx, RQ_LAYER_EVOLUTION_ZONES, RQ_GAPS_OVERALL, 0, NULL, 0);
        entry(&g[0], ctx, RQ_LAYER_EVOLUTION, 0, 0, NULL, 0);
    }
    entry(&g[1], ctx, RQ_LAYER_SITES, 0, 0, NULL, 1);
    entry(&g[1], ctx, RQ_LAYER_PORTEES, 0, 0, NULL, 0);
    entry(&g[2], ctx, RQ_LAYER_TROUS, RQ_GAPS_OVERALL, 0, NULL, 1);
    for (int p = 0; p < RQ_NPHASES; p++)
        if (ctx->ds->cfg->required[p])
            entry(&g[2], ctx, RQ_LAYER_TROUS, p, 0, NULL, 0);
    entry(&g[3], ctx, RQ_LAYER_DEPARTEMENTS, 0, 0, NULL, 1);
    entry(&g[3], ctx, RQ_LAYER_EPCI, 0, 0, NULL, 0);
    entry(&g[4], ctx, RQ_LAYER_COMMUNES, 0, 0, "Communes : phases requises manquantes", 1);
    entry(&g[4], ctx, RQ_LAYER_COMMUNES, 0, 1, "Communes : accessibilité (E2SFCA)", 0);
    char *text = project_text(g, n_groups, ctx);
    char *file = rq_xasprintf("%s.qgs", ctx->meta->run_name);
    char *path = rq_product_path(ctx, file);
    rq_status rc = rq_io_write_file(path, text, strlen(text), err);
    free(path);
    free(file);
    free(text);
    for (size_t k = 0; k < n_groups; k++)
        for (size_t i = 0; i < g[k].n; i++)
            rq_layer_fini(&g[k].e[i].layer);
    if (rc == RQ_OK)
        rc = write_qml_files(ctx, err);
    return rc;
}
