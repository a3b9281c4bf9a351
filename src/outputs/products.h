/* products.h - what the products of src/outputs/ share: the context they
** read, the table that lists them, and the layers that several formats
** write (GeoJSON, CSV, GeoPackage, workbook). Internal to src/outputs/.
*/
#ifndef RQ_OUTPUTS_PRODUCTS_H
#define RQ_OUTPUTS_PRODUCTS_H

#include "raquette/outputs.h"

/* Every geometry a product writes, as WKB in the metric CRS, made once on
** the calling thread before the products start, but the sites' reaches,
** which only the GeoPackage shows and which its job makes (gpkg.c): a
** product never touches a GEOS object of the dataset or the results (they
** are not safe to share between threads, even read-only). */
typedef struct rq_out_geoms {
    rq_wkb *communes; /* per res->ind */
    rq_wkb *gaps;     /* per res->gaps */
    rq_wkb *reach;    /* per site, while gpkg.c writes portees; else NULL */
    rq_wkb *deps;     /* per res->agg_dep */
    rq_wkb *epcis;    /* per res->agg_epci */
    rq_bbox extent;   /* of the study area's communes, metric */
} rq_out_geoms;

/* What a product reads. g belongs to the worker thread that runs the
** product. */
typedef struct rq_product_ctx {
    const char *crs;      /* the metric CRS of the geometries */
    rq_out_format csv;    /* the CSV dialect (rq_csv_format) */
    const rq_dataset *ds; /* NULL for a comparison of recorded runs */
    const rq_results *res;
    const rq_run_meta *meta;
    const rq_outdir *od;
    const rq_out_geoms *geoms;
    const rq_comparison *cmp; /* with the previous run; NULL when none */
    const rq_report *report;  /* what rapport.html shows; NULL: no report */
    rq_geos *g;
} rq_product_ctx;

/* One product: a file or a family of files. */
typedef struct rq_product {
    const char *name; /* for timings and messages */
    rq_status (*write)(const rq_product_ctx *ctx, rq_err *err);
    int after_history; /* reads ctx->report or ctx->cmp: waits for rq_history_start */
} rq_product;

/* The products, largest first (products.c). */
extern const rq_product rq_products[];

/* The products themselves (one file each). */
rq_status rq_product_communes_geojson(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_trous_geojson(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_sites_geojson(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_csv(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_gpkg(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_qgis(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_xlsx(const rq_product_ctx *ctx, rq_err *err);
rq_status rq_product_annuaire(const rq_product_ctx *ctx, rq_err *err);
/* rapport.html and, when asked, rapport.pdf (report.c). */
rq_status rq_product_report(const rq_product_ctx *ctx, rq_err *err);
/* The files of `raquette compare` (comparison.c). */
rq_status rq_product_comparison(const rq_product_ctx *ctx, rq_err *err);
/* run.json's text, newly allocated (products.c writes it after every
** other product: it records their time); and one part of it as a JSON
** object of its own: "parametres" (the analysis' parameters only) or
** "entrees". */
char *rq_runjson_text(const rq_product_ctx *ctx);
char *rq_runjson_part(const rq_product_ctx *ctx, const char *part);

/* The history of the run (history.c): rq_history_start opens the
** transaction (in memory when the history file does not exist yet),
** records the run and compares it with the previous run of the same name
** (ctx->cmp), on a worker of the products' pool with that worker's GEOS
** context (ctx->g); rq_history_finish, once the folder is committed,
** commits, or saves the memory as the new history file; rq_history_abort
** rolls back. */
rq_status rq_history_record(const rq_product_ctx *ctx, rq_store *s, long long *run_id,
                            rq_err *err) RQ_MUST_CHECK;
rq_status rq_history_start(rq_product_ctx *ctx, rq_history_job *h, rq_err *err) RQ_MUST_CHECK;
rq_status rq_history_finish(const rq_product_ctx *ctx, rq_history_job *h, const char *run_json,
                            rq_err *err) RQ_MUST_CHECK;
void rq_history_abort(rq_history_job *h);

/* ---- Layers (layers.c) -------------------------------------------------- */

/* The gap zones a layer holds: every zone (trous.geojson), the overall
** zones, or those of one phase (0..3). */
#define RQ_GAPS_EVERY (-2)
#define RQ_GAPS_OVERALL (-1)

typedef enum {
    RQ_LAYER_COMMUNES,
    RQ_LAYER_SITES,
    RQ_LAYER_PORTEES,
    RQ_LAYER_TROUS,
    RQ_LAYER_DEPARTEMENTS,
    RQ_LAYER_EPCI,
    RQ_LAYER_ZONE_ETUDE,
    /* The comparison with an earlier run (layers_cmp.c, from ctx->cmp). */
    RQ_LAYER_EVOLUTION,       /* communes */
    RQ_LAYER_EVOLUTION_ZONES, /* gap zones */
    RQ_LAYER_CAUSES           /* what changed in the directory (no geometry) */
} rq_layer_kind;

/* A layer: its name, title, fields (with their documentation) and rows. */
typedef struct rq_layer {
    rq_layer_kind kind;
    char name[48];  /* "communes", "trous_emergence" */
    char title[96]; /* French, for QGIS and the metadata */
    char description[256];
    rq_field_def *fields;
    size_t n_fields;
    char **owned; /* names and docs made at run time */
    size_t n_owned;
    size_t *rows; /* row i -> index into the source array */
    size_t n_rows;
    rq_out_geom gtype;
    int phase; /* RQ_LAYER_TROUS: RQ_GAPS_EVERY, RQ_GAPS_OVERALL or a phase */
} rq_layer;

void rq_layer_init(rq_layer *l, rq_layer_kind kind, int phase, const rq_product_ctx *ctx);
void rq_layer_fini(rq_layer *l);
/* Building a layer: a field (its name and doc borrowed), a string the layer
** owns from now on, rows 0..n-1, names. */
size_t rq_layer_field(rq_layer *l, const char *name, rq_field_type t, int decimals,
                      const char *doc);
const char *rq_layer_own(rq_layer *l, char *s);
void rq_layer_rows(rq_layer *l, size_t n);
void rq_layer_name(rq_layer *l, const char *name, const char *title, const char *description);

/* The comparison layers (layers_cmp.c). */
void rq_layer_init_cmp(rq_layer *l, const rq_product_ctx *ctx);
void rq_layer_cmp_row(const rq_layer *l, const rq_product_ctx *ctx, size_t i, const rq_sink *s);
const rq_wkb *rq_layer_cmp_wkb(const rq_layer *l, const rq_product_ctx *ctx, size_t i);
/* How rq_layer_write_take writes geometries: none (a table), or in the
** metric CRS (a GeoJSON writer turns them to lon/lat itself). */
typedef enum { RQ_GEOM_NONE, RQ_GEOM_METRIC } rq_geom_mode;
/* Sends every row of l to sink s (made for l's fields). */
rq_status rq_layer_fill(const rq_layer *l, const rq_product_ctx *ctx, const rq_sink *s,
                        rq_geom_mode mode, rq_err *err) RQ_MUST_CHECK;
/* Writes every row of l into w (opened with l's fields) and finishes w
** (rq_writer_finish): takes w, which may be NULL when its opening failed
** with err set. */
rq_status rq_layer_write_take(const rq_layer *l, const rq_product_ctx *ctx, rq_writer *w,
                              rq_geom_mode mode, rq_err *err) RQ_MUST_CHECK;

/* Writes the layer (kind, phase) as `file`: GeoJSON (RFC 7946, lon/lat) or
** CSV (fmt, no geometry). */
rq_status rq_layer_save(const rq_product_ctx *ctx, rq_layer_kind kind, int phase, const char *file,
                        rq_out_format fmt, rq_err *err) RQ_MUST_CHECK;
/* A newly allocated path of name in the temporary output folder. */
char *rq_product_path(const rq_product_ctx *ctx, const char *name);
/* The format of every CSV of the run: [output] csv_format, or the compare
** command's --csv-format. */
#define rq_csv_format(ctx) ((ctx)->csv)

/* ---- Styles (styles.c) -------------------------------------------------- */

/* The QGIS style (QML document, newly allocated) of a layer: variant 0 its
** default style, 1 the second one (communes: acces_e2sfca). NULL when the
** layer has no such variant. */
char *rq_style_qml(const rq_layer *l, const rq_product_ctx *ctx, int variant);
/* Name and description of a style variant, in French. */
const char *rq_style_name(const rq_layer *l, int variant);
/* 1 when the layer's style shows labels. */
int rq_style_labels(const rq_layer *l);
/* The body of the style (renderer, labels, aliases) as XML, for a QGIS
** project's map layer: the QML without its <qgis> root. */
void rq_style_write(void *xml, const rq_layer *l, const rq_product_ctx *ctx, int variant);

#endif /* RQ_OUTPUTS_PRODUCTS_H */
