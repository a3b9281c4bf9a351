/* gpkg.c - <name>.gpkg, one GeoPackage per run for GIS analysts: every
** layer in the metric CRS, with a spatial index (GDAL's default R-tree),
** a data dictionary (the schema extension's gpkg_data_columns: GDAL 3.6
** writes none from field aliases, checked), layer metadata
** (gpkg_metadata: sources, date, tool and method versions, licence) and
** each layer's default QGIS style in layer_styles, which QGIS applies when
** it loads the layer (docs/gis-facts).
**
** Layers: communes, sites, portees (each site's reach), trous (overall gap
** zones), trous_<phase> (one per required phase), departements and epci
** (polygons with their aggregates), evolution_communes and evolution_trous
** (the comparison with the previous run, when the history has one),
** zone_etude (the study area's row).
**
** The reach of each site (portees) is made here, on worker threads, from
** the zones the reach stage made (rq_reach_sites), just before its layer
** is written, and freed once written: only this file shows it, and with
** 200,000 sites it is 1.5 GB of WKB. */
#include "outputs/products.h"

#include "raquette/indicators.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 'text' with its quotes doubled, for SQL (newly allocated). */
static char *
sql_quote(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *out = rq_xmalloc(n);
    char *o = out;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            *o++ = '\'';
        *o++ = *p;
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

/* The schema extension's tables, then one row per field of each layer. */
static rq_status
write_data_columns(rq_vout *v, const rq_layer *layers, size_t n, rq_err *err)
{
    static const char *const ddl[] = {
        "CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
        "name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
        "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
        "CONSTRAINT gdc_tn UNIQUE (table_name, name))",
        "CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
        "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
        "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
        "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
        "'http://www.geopackage.org/spec/#extension_schema', 'read-write')",
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) VALUES ('gpkg_data_column_constraints', NULL, 'gpkg_schema', "
        "'http://www.geopackage.org/spec/#extension_schema', 'read-write')",
    };
    rq_status rc = RQ_OK;
    for (size_t i = 0; i < sizeof ddl / sizeof ddl[0] && rc == RQ_OK; i++)
        rc = rq_vout_exec(v, ddl[i], err);
    for (size_t k = 0; k < n && rc == RQ_OK; k++) {
        for (size_t f = 0; f < layers[k].n_fields && rc == RQ_OK; f++) {
            const rq_field_def *fd = &layers[k].fields[f];
            char *table = sql_quote(layers[k].name), *col = sql_quote(fd->name);
            char *doc = sql_quote(fd->doc ? fd->doc : "");
            char *sql = rq_xasprintf("INSERT INTO gpkg_data_columns (table_name, column_name, "
                                     "name, title, description) VALUES (%s, %s, %s, %s, %s)",
                                     table, col, col, col, doc);
            rc = rq_vout_exec(v, sql, err);
            free(sql);
            free(doc);
            free(col);
            free(table);
        }
    }
    return rc;
}

/* The metadata every layer carries: where the data come from, when, by
** what, under which licence. */
static rq_status
write_metadata(rq_vout *v, const rq_layer *l, const rq_product_ctx *ctx, rq_err *err)
{
    const rq_config *cfg = ctx->ds->cfg;
    char *items[16];
    size_t n = 0;
    items[n++] = rq_xasprintf("TITRE=%s", l->title);
    items[n++] = rq_xasprintf("DESCRIPTION=%s", l->description);
    items[n++] = rq_xasprintf("DATE=%s", ctx->meta->date);
    items[n++] = rq_xasprintf("OUTIL=raquette %s", RQ_VERSION);
    items[n++] = rq_xasprintf("VERSION_METHODE=%s", RQ_METHOD_VERSION);
    items[n++] = rq_xasprintf("MILLESIME_COG=%s", cfg->cog_vintage ? cfg->cog_vintage : "");
    items[n++] = rq_xasprintf("SOURCE_CONTOURS=%s", cfg->communes.path);
    items[n++] = rq_xasprintf("SOURCE_COG=%s", cfg->cog.path);
    items[n++] = rq_xasprintf("SOURCE_EPCI=%s", cfg->epci.path);
    if (cfg->density.path)
        items[n++] = rq_xasprintf("SOURCE_DENSITE=%s", cfg->density.path);
    items[n++] = rq_xasprintf("SOURCE_STRUCTURES=%s", cfg->structures.path);
    items[n++] = rq_xasprintf("LICENCE=%s", cfg->data_licence);
    items[n] = NULL;
    rq_status rc = rq_vout_set_metadata(v, l->name, (const char *const *)items, err);
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    return rc;
}

/* layer_styles, QGIS's table of styles: an attribute table (GDAL registers
** it in gpkg_contents as "attributes", as QGIS expects) with the default
** style of every spatial layer, and the communes' second style. */
static rq_status
write_styles(rq_vout *v, const rq_layer *layers, size_t n, const rq_product_ctx *ctx, rq_err *err)
{
    static const rq_field_def f[] = {
        {"f_table_catalog", RQ_FT_STRING, 0, NULL},
        {"f_table_schema", RQ_FT_STRING, 0, NULL},
        {"f_table_name", RQ_FT_STRING, 0, NULL},
        {"f_geometry_column", RQ_FT_STRING, 0, NULL},
        {"styleName", RQ_FT_STRING, 0, NULL},
        {"styleQML", RQ_FT_STRING, 0, NULL},
        {"styleSLD", RQ_FT_STRING, 0, NULL},
        {"useAsDefault", RQ_FT_INT, 0, NULL},
        {"description", RQ_FT_STRING, 0, NULL},
        {"owner", RQ_FT_STRING, 0, NULL},
        {"ui", RQ_FT_STRING, 0, NULL},
        {"update_time", RQ_FT_STRING, 0, NULL},
    };
    const char *const options[] = {"FID=id", "DESCRIPTION=Styles QGIS des couches", NULL};
    rq_writer *w = rq_vout_layer(v, "layer_styles", f, sizeof f / sizeof f[0], RQ_OUT_NOGEOM, NULL,
                                 options, err);
    if (!w)
        return rq_err_code(err);
    rq_status rc = RQ_OK;
    for (size_t k = 0; k < n && rc == RQ_OK; k++) {
        for (int variant = 0; variant < 2 && rc == RQ_OK; variant++) {
            char *qml = rq_style_qml(&layers[k], ctx, variant);
            if (!qml)
                continue;
            rq_writer_set_string(w, 2, layers[k].name);
            rq_writer_set_string(w, 3, "geom");
            rq_writer_set_string(w, 4, rq_style_name(&layers[k], variant));
            rq_writer_set_string(w, 5, qml);
            rq_writer_set_int(w, 7, variant == 0);
            rq_writer_set_string(w, 8, rq_style_name(&layers[k], variant));
            rq_writer_set_string(w, 9, "raquette");
            rq_writer_set_string(w, 11, ctx->meta->date);
            rc = rq_writer_add(w, err);
            free(qml);
        }
    }
    if ((rc = rq_writer_finish(w, rc, err)) != RQ_OK)
        return rc;
    /* QGIS looks the style up by catalog and schema equal to '' (checked
    ** on 3.22: NULL does not match), and the writer turns "" into NULL. */
    return rq_vout_exec(v, "UPDATE layer_styles SET f_table_catalog = '', f_table_schema = ''",
                        err);
}

/* The layers of the GeoPackage, in the order they are written; n_out is
** their number. */
static rq_layer *
gpkg_layers(const rq_product_ctx *ctx, size_t *n_out)
{
    rq_layer *l = rq_xcalloc(10 + RQ_NPHASES, sizeof *l);
    size_t n = 0;
    rq_layer_init(&l[n++], RQ_LAYER_COMMUNES, 0, ctx);
    rq_layer_init(&l[n++], RQ_LAYER_SITES, 0, ctx);
    rq_layer_init(&l[n++], RQ_LAYER_PORTEES, 0, ctx);
    rq_layer_init(&l[n++], RQ_LAYER_TROUS, RQ_GAPS_OVERALL, ctx);
    for (int p = 0; p < RQ_NPHASES; p++)
        if (ctx->ds->cfg->required[p])
            rq_layer_init(&l[n++], RQ_LAYER_TROUS, p, ctx);
    rq_layer_init(&l[n++], RQ_LAYER_DEPARTEMENTS, 0, ctx);
    rq_layer_init(&l[n++], RQ_LAYER_EPCI, 0, ctx);
    if (ctx->cmp) { /* the comparison with the previous run */
        rq_layer_init(&l[n++], RQ_LAYER_EVOLUTION, 0, ctx);
        rq_layer_init(&l[n++], RQ_LAYER_EVOLUTION_ZONES, RQ_GAPS_OVERALL, ctx);
    }
    rq_layer_init(&l[n++], RQ_LAYER_ZONE_ETUDE, 0, ctx);
    *n_out = n;
    return l;
}

static rq_status
write_layer(rq_vout *v, const rq_layer *l, const rq_product_ctx *ctx, rq_err *err)
{
    char *id = rq_xasprintf("IDENTIFIER=%s", l->title);
    char *desc = rq_xasprintf("DESCRIPTION=%s", l->description);
    const char *const options[] = {id, desc, NULL};
    rq_writer *w = rq_vout_layer(v, l->name, l->fields, l->n_fields, l->gtype,
                                 l->gtype == RQ_OUT_NOGEOM ? NULL : ctx->crs, options, err);
    free(id);
    free(desc);
    rq_status rc = rq_layer_write_take(l, ctx, w, RQ_GEOM_METRIC, err);
    if (rc == RQ_OK)
        rc = write_metadata(v, l, ctx, err);
    return rc;
}

/* The portees layer: each site's reach, made for it and freed once it is
** written (see the header). */
static rq_status
write_portees(rq_vout *v, const rq_layer *l, const rq_product_ctx *ctx, rq_err *err)
{
    const rq_dataset *ds = ctx->ds;
    rq_out_geoms geoms = *ctx->geoms;
    rq_product_ctx with_reach = *ctx;
    with_reach.geoms = &geoms;
    geoms.reach = rq_xcalloc(ds->n_sites + 1, sizeof *geoms.reach);
    rq_status rc = rq_reach_sites(ds, ctx->res->zone_wkb, geoms.reach, err);
    if (rc == RQ_OK)
        rc = write_layer(v, l, &with_reach, err);
    for (size_t i = 0; i < ds->n_sites; i++)
        free(geoms.reach[i].data);
    free(geoms.reach);
    return rc;
}

rq_status
rq_product_gpkg(const rq_product_ctx *ctx, rq_err *err)
{
    size_t n = 0;
    rq_layer *layers = gpkg_layers(ctx, &n);
    char *file = rq_xasprintf("%s.gpkg", ctx->meta->run_name);
    char *path = rq_product_path(ctx, file);
    rq_status rc = RQ_OK;
    rq_vout *v = rq_vout_create(path, RQ_VOUT_GPKG, ctx->meta->date, err);
    if (!v)
        rc = rq_err_code(err);
    for (size_t k = 0; k < n && rc == RQ_OK; k++)
        rc = layers[k].kind == RQ_LAYER_PORTEES ? write_portees(v, &layers[k], ctx, err)
                                                : write_layer(v, &layers[k], ctx, err);
    if (rc == RQ_OK)
        rc = write_data_columns(v, layers, n, err);
    if (rc == RQ_OK)
        rc = write_styles(v, layers, n, ctx, err);
    if (rc == RQ_OK)
        rc = rq_vout_close(v, err);
    else
        rq_vout_abort(v);
    for (size_t k = 0; k < n; k++)
        rq_layer_fini(&layers[k]);
    free(layers);
    free(path);
    free(file);
    return rc;
}
