/* styles.c - QGIS styles of the layers (QML), for the GeoPackage's
** layer_styles table, the .qml files beside the GeoJSON layers and the
** QGIS project.
**
** What an analyst sees (docs/outputs.md, "QGIS"):
**  - communes: categorised by the number of *required* phases missing
**    (nb_phases_manquantes; nb_phases would count developpement, which is
**    not required, and show gap communes as well served), ColorBrewer
**    YlOrRd, which stays readable for colour-blind readers; a second style
**    grades acces_e2sfca (ColorBrewer YlGnBu, "none" in grey);
**  - gap zones: outlined, labelled with their id and population;
**    trous.geojson, which holds the zones of every meaning, by phase, with
**    only the overall zones ticked;
**  - sites: by category (Paul Tol's "muted" palette, colour-blind safe, and
**    a marker shape per category), labelled with their name at close scales;
**  - reaches: translucent, by category;
**  - départements and EPCI: outlines, labelled with their names.
** Only the elements QGIS 3.22 needs are written; the QGIS test loads every
** style and checks its renderer (tests/qgis/check_outputs.py).
*/
#include "outputs/products.h"

#include "raquette/xml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QML_DOCTYPE "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"

/* ColorBrewer YlOrRd (5 classes): no phase missing to all missing. */
static const char *const severity[] = {"255,255,178", "254,204,92", "253,141,60", "240,59,32",
                                       "189,0,38"};
/* ColorBrewer YlGnBu (4 classes) for acces_e2sfca above 0. */
static const char *const access[] = {"161,218,180", "65,182,196", "44,127,184", "37,52,148"};
/* Paul Tol's "muted" palette, then grey. */
static const char *const category_colour[] = {
    "51,34,136",   "136,204,238", "68,170,153", "17,119,51",  "153,153,51",
    "221,204,119", "204,102,119", "136,34,85",  "170,68,153", "221,221,221"};
static const char *const category_shape[] = {"circle",    "square",     "triangle", "diamond",
                                             "pentagon",  "star",       "hexagon",  "cross_fill",
                                             "arrowhead", "semi_circle"};
#define N_COLOURS (sizeof category_colour / sizeof category_colour[0])
/* Gap zones: ColorBrewer Dark2 orange for the overall zones, its purple
** for the zones of one phase. */
#define GAP_RGB "217,95,2"
#define GAP_PHASE_RGB "117,112,179"

/* An <Option type="QString" name=k value=v/>. */
static void
option(rq_xml *x, const char *k, const char *v)
{
    rq_xml_start(x, "Option");
    rq_xml_attr(x, "type", "QString");
    rq_xml_attr(x, "name", "%s", k);
    rq_xml_attr(x, "value", "%s", v);
    rq_xml_end(x);
}

/* A symbol of one symbol layer: kv holds its options as name, value pairs
** (NULL-terminated). */
static void
symbol(rq_xml *x, const char *type, size_t name, const char *layer_class, const char *const *kv)
{
    rq_xml_start(x, "symbol");
    rq_xml_attr(x, "type", "%s", type);
    rq_xml_attr(x, "name", "%zu", name);
    rq_xml_attr(x, "alpha", "1");
    rq_xml_attr(x, "clip_to_extent", "1");
    rq_xml_attr(x, "force_rhr", "0");
    rq_xml_start(x, "layer");
    rq_xml_attr(x, "class", "%s", layer_class);
    rq_xml_attr(x, "enabled", "1");
    rq_xml_attr(x, "locked", "0");
    rq_xml_attr(x, "pass", "0");
    rq_xml_start(x, "Option");
    rq_xml_attr(x, "type", "Map");
    for (const char *const *p = kv; p[0]; p += 2)
        option(x, p[0], p[1]);
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_end(x);
}

static void
fill(rq_xml *x, size_t name, const char *rgb, int fill_alpha, const char *outline,
     const char *width)
{
    char colour[48], line[48];
    snprintf(colour, sizeof colour, "%s,%d", rgb, fill_alpha);
    snprintf(line, sizeof line, "%s", outline);
    const char *kv[] = {
        "color", colour,          "outline_color", line,    "outline_width",
        width,   "outline_style", "solid",         "style", fill_alpha ? "solid" : "no",
        NULL};
    symbol(x, "fill", name, "SimpleFill", kv);
}

static void
renderer_start(rq_xml *x, const char *type, const char *attr)
{
    rq_xml_start(x, "renderer-v2");
    rq_xml_attr(x, "type", "%s", type);
    if (attr)
        rq_xml_attr(x, "attr", "%s", attr);
    rq_xml_attr(x, "symbollevels", "0");
    rq_xml_attr(x, "enableorderby", "0");
    rq_xml_attr(x, "forceraster", "0");
}

/* A category of a categorised renderer; render 0 leaves it unticked in
** the legend (not drawn until the user ticks it). */
static void
category(rq_xml *x, const char *value, size_t symbol, const char *label, int render)
{
    rq_xml_start(x, "category");
    rq_xml_attr(x, "value", "%s", value);
    rq_xml_attr(x, "symbol", "%zu", symbol);
    rq_xml_attr(x, "label", "%s", label);
    rq_xml_attr(x, "render", render ? "true" : "false");
    rq_xml_end(x);
}

/* Labels: an expression, at most at 1:max_scale when max_scale > 0. */
static void
labels(rq_xml *x, const char *expression, int size, int max_scale)
{
    rq_xml_start(x, "labeling");
    rq_xml_attr(x, "type", "simple");
    rq_xml_start(x, "settings");
    rq_xml_attr(x, "calloutType", "simple");
    rq_xml_start(x, "text-style");
    rq_xml_attr(x, "fieldName", "%s", expression);
    rq_xml_attr(x, "isExpression", "1");
    rq_xml_attr(x, "fontSize", "%d", size);
    rq_xml_attr(x, "fontWeight", "63");
    rq_xml_attr(x, "textColor", "35,35,35,255");
    rq_xml_start(x, "text-buffer");
    rq_xml_attr(x, "bufferDraw", "1");
    rq_xml_attr(x, "bufferSize", "1");
    rq_xml_attr(x, "bufferColor", "255,255,255,255");
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_start(x, "placement");
    rq_xml_attr(x, "placement", "1"); /* over the point / the centroid */
    rq_xml_attr(x, "centroidInside", "1");
    rq_xml_attr(x, "priority", "8");
    rq_xml_end(x);
    rq_xml_start(x, "rendering");
    rq_xml_attr(x, "scaleVisibility", "%d", max_scale > 0);
    rq_xml_attr(x, "scaleMin", "1");
    rq_xml_attr(x, "scaleMax", "%d", max_scale > 0 ? max_scale : 0);
    rq_xml_attr(x, "obstacle", "1");
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_end(x);
}

/* ---- Communes ----------------------------------------------------------- */

static void
communes_severity(rq_xml *x, const rq_product_ctx *ctx)
{
    int n_req = 0;
    for (int p = 0; p < RQ_NPHASES; p++)
        n_req += ctx->ds->cfg->required[p];
    renderer_start(x, "categorizedSymbol", "nb_phases_manquantes");
    rq_xml_start(x, "categories");
    for (int v = 0; v <= n_req; v++) {
        char value[16], label[96];
        snprintf(value, sizeof value, "%d", v);
        if (v == 0)
            snprintf(label, sizeof label, "Toutes les phases requises couvertes");
        else
            snprintf(label, sizeof label, "%d phase%s requise%s manquante%s", v, v > 1 ? "s" : "",
                     v > 1 ? "s" : "", v > 1 ? "s" : "");
        category(x, value, (size_t)v, label, 1);
    }
    rq_xml_end(x);
    rq_xml_start(x, "symbols");
    /* Spread over the palette: 3 required phases use classes 0, 1, 3, 4. */
    for (int v = 0; v <= n_req; v++) {
        size_t c = n_req ? (size_t)lround(4.0 * v / n_req) : 0;
        fill(x, (size_t)v, severity[c], 255, "110,110,110,160", "0.06");
    }
    rq_xml_end(x);
    rq_xml_end(x);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void
range(rq_xml *x, double lo, double hi, size_t sym, const char *label)
{
    rq_xml_start(x, "range");
    rq_xml_attr(x, "lower", "%.4f", lo);
    rq_xml_attr(x, "upper", "%.4f", hi);
    rq_xml_attr(x, "symbol", "%zu", sym);
    rq_xml_attr(x, "label", "%s", label);
    rq_xml_attr(x, "render", "true");
    rq_xml_end(x);
}

/* acces_e2sfca: "none" (0), then the quartiles of the positive values. */
static void
communes_access(rq_xml *x, const rq_product_ctx *ctx)
{
    const rq_results *res = ctx->res;
    double *v = rq_xcalloc(res->n_ind + 1, sizeof *v);
    size_t n = 0;
    for (size_t a = 0; a < res->n_ind; a++)
        if (res->ind[a].acces_e2sfca > 0)
            v[n++] = round(res->ind[a].acces_e2sfca * 1e4) / 1e4;
    qsort(v, n, sizeof *v, cmp_double);
    double b[5] = {0, 0, 0, 0, 0};
    for (int q = 1; q <= 4 && n; q++)
        b[q] = v[(n - 1) * (size_t)q / 4];
    free(v);
    renderer_start(x, "graduatedSymbol", "acces_e2sfca");
    rq_xml_attr(x, "graduatedMethod", "GraduatedColor");
    rq_xml_start(x, "ranges");
    range(x, 0, 0, 0, "Aucun accompagnement à portée (0)");
    for (int q = 1; q <= 4; q++) {
        char label[96];
        snprintf(label, sizeof label, "%.2f à %.2f projets / an / 10 000 hab.", b[q - 1], b[q]);
        range(x, q == 1 ? 0.00005 : b[q - 1], b[q], (size_t)q, label);
    }
    rq_xml_end(x);
    rq_xml_start(x, "symbols");
    fill(x, 0, "217,217,217", 255, "110,110,110,160", "0.06");
    for (size_t q = 0; q < 4; q++)
        fill(x, q + 1, access[q], 255, "110,110,110,160", "0.06");
    rq_xml_end(x);
    rq_xml_end(x);
}

/* ---- Sites and reaches -------------------------------------------------- */

static void
by_category(rq_xml *x, const rq_product_ctx *ctx, int reach)
{
    const rq_config *cfg = ctx->ds->cfg;
    renderer_start(x, "categorizedSymbol", "categorie");
    rq_xml_start(x, "categories");
    for (size_t k = 0; k < cfg->n_categories; k++)
        category(x, cfg->categories[k].name, k, cfg->categories[k].name, 1);
    rq_xml_end(x);
    rq_xml_start(x, "symbols");
    for (size_t k = 0; k < cfg->n_categories; k++) {
        const char *rgb = category_colour[k < N_COLOURS ? k : N_COLOURS - 1];
        if (reach) {
            char line[48];
            snprintf(line, sizeof line, "%s,200", rgb);
            fill(x, k, rgb, 30, line, "0.4");
        } else {
            char colour[48];
            snprintf(colour, sizeof colour, "%s,255", rgb);
            const char *kv[] = {"name",
                                category_shape[k % N_COLOURS],
                                "color",
                                colour,
                                "outline_color",
                                "35,35,35,255",
                                "outline_width",
                                "0.2",
                                "size",
                                "3",
                                NULL};
            symbol(x, "marker", k, "SimpleMarker", kv);
        }
    }
    rq_xml_end(x);
    rq_xml_end(x);
}

/* ---- Outlines ------------------------------------------------------------- */

static void
outline(rq_xml *x, const char *rgba, const char *width, int fill_alpha)
{
    renderer_start(x, "singleSymbol", NULL);
    rq_xml_start(x, "symbols");
    char rgb[32];
    rq_strlcpy(rgb, rgba, sizeof rgb);
    char *last = strrchr(rgb, ',');
    if (last)
        *last = '\0';
    fill(x, 0, rgb, fill_alpha, rgba, width);
    rq_xml_end(x);
    rq_xml_end(x);
}

/* trous.geojson holds the zones of every meaning, told apart by `phase`:
** one category each, the overall zones drawn, the zones of each required
** phase in the legend, unticked, so that they do not pile up. */
static void
gaps_by_phase(rq_xml *x, const rq_product_ctx *ctx)
{
    renderer_start(x, "categorizedSymbol", "phase");
    rq_xml_start(x, "categories");
    category(x, "toutes", 0, "Zones de trou (toutes phases requises)", 1);
    size_t n = 1;
    for (int p = 0; p < RQ_NPHASES; p++)
        if (ctx->ds->cfg->required[p]) {
            char label[96];
            snprintf(label, sizeof label, "Sans accompagnement : %s", rq_phase_labels[p]);
            category(x, rq_phase_names[p], n++, label, 0);
        }
    rq_xml_end(x);
    rq_xml_start(x, "symbols");
    fill(x, 0, GAP_RGB, 35, GAP_RGB ",255", "0.6");
    for (size_t i = 1; i < n; i++)
        fill(x, i, GAP_PHASE_RGB, 35, GAP_PHASE_RGB ",255", "0.6");
    rq_xml_end(x);
    rq_xml_end(x);
}

/* ---- Comparison with an earlier run ----------------------------------------- */

/* A categorised style on attr: value, label, colour (r,g,b) of each class;
** filled classes when fill_alpha > 0, outlines otherwise. */
struct class_style {
    const char *value, *label, *rgb;
};

static void
by_class(rq_xml *x, const char *attr, const struct class_style *c, size_t n, int fill_alpha,
         const char *width)
{
    renderer_start(x, "categorizedSymbol", attr);
    rq_xml_start(x, "categories");
    for (size_t i = 0; i < n; i++)
        category(x, c[i].value, i, c[i].label, 1);
    rq_xml_end(x);
    rq_xml_start(x, "symbols");
    for (size_t i = 0; i < n; i++) {
        char line[48];
        snprintf(line, sizeof line, "%s,255", fill_alpha ? "110,110,110" : c[i].rgb);
        fill(x, i, c[i].rgb, fill_alpha, line, width);
    }
    rq_xml_end(x);
    rq_xml_end(x);
}

/* ColorBrewer RdBu (colour-blind safe): reds for what got worse, blues for
** what got better, purple for both; unchanged communes nearly white. */
static const struct class_style evolution_classes[] = {
    {"entree_trou", "Entrée en trou", "202,0,32"},
    {"perte", "Phase perdue", "244,165,130"},
    {"gain_et_perte", "Phases gagnées et perdues", "153,112,171"},
    {"gain", "Phase gagnée", "146,197,222"},
    {"sortie_trou", "Sortie de trou", "5,113,176"},
    {"inchangee", "Inchangée", "247,247,247"},
    {"nouvelle", "Commune nouvelle", "255,255,191"},
    {"disparue", "Commune disparue", "191,191,191"},
};

static const struct class_style zone_classes[] = {
    {"apparue", "Zone apparue", "202,0,32"},       {"agrandie", "Zone agrandie", "244,109,67"},
    {"fusion", "Zones fusionnées", "153,112,171"}, {"modifiee", "Zone modifiée", "253,174,97"},
    {"scission", "Zone scindée", "128,205,193"},   {"reduite", "Zone réduite", "67,147,195"},
    {"disparue", "Zone disparue", "5,113,176"},    {"stable", "Zone stable", "150,150,150"},
};

/* ---- Public ------------------------------------------------------------- */

const char *
rq_style_name(const rq_layer *l, int variant)
{
    if (l->kind == RQ_LAYER_COMMUNES)
        return variant ? "Accessibilité (indice E2SFCA)" : "Phases requises manquantes";
    return "Style par défaut";
}

/* 1 when the layer's style shows labels. */
static int
has_labels(const rq_layer *l)
{
    return l->kind != RQ_LAYER_COMMUNES && l->kind != RQ_LAYER_PORTEES &&
           l->kind != RQ_LAYER_EVOLUTION;
}

void
rq_style_write(void *xml, const rq_layer *l, const rq_product_ctx *ctx, int variant)
{
    rq_xml *x = xml;
    switch (l->kind) {
    case RQ_LAYER_COMMUNES:
        if (variant)
            communes_access(x, ctx);
        else
            communes_severity(x, ctx);
        break;
    case RQ_LAYER_SITES:
        by_category(x, ctx, 0);
        labels(x, "\"nom\"", 8, 250000);
        break;
    case RQ_LAYER_PORTEES:
        by_category(x, ctx, 1);
        break;
    case RQ_LAYER_TROUS:
        if (l->phase == RQ_GAPS_EVERY)
            gaps_by_phase(x, ctx);
        else
            outline(x, l->phase < 0 ? GAP_RGB ",255" : GAP_PHASE_RGB ",255", "0.6", 35);
        labels(x, "\"id\" || '\\n' || format_number(\"population\", 0) || ' hab.'", 9, 0);
        break;
    case RQ_LAYER_DEPARTEMENTS:
        outline(x, "40,40,40,255", "0.5", 0);
        labels(x, "\"nom\"", 10, 0);
        break;
    case RQ_LAYER_EPCI:
        outline(x, "120,120,120,255", "0.25", 0);
        labels(x, "\"nom\"", 7, 400000);
        break;
    case RQ_LAYER_EVOLUTION:
        by_class(x, "evolution", evolution_classes,
                 sizeof evolution_classes / sizeof evolution_classes[0], 255, "0.06");
        break;
    case RQ_LAYER_EVOLUTION_ZONES:
        by_class(x, "statut", zone_classes, sizeof zone_classes / sizeof zone_classes[0], 0, "0.8");
        labels(x, "coalesce(nullif(\"id_apres\", ''), \"ids_avant\") || ' ' || \"statut\"", 9, 0);
        break;
    case RQ_LAYER_ZONE_ETUDE:
    case RQ_LAYER_CAUSES:
        break;
    }
}

char *
rq_style_qml(const rq_layer *l, const rq_product_ctx *ctx, int variant)
{
    if (l->gtype == RQ_OUT_NOGEOM || (variant && l->kind != RQ_LAYER_COMMUNES))
        return NULL;
    rq_xml *x = rq_xml_create(QML_DOCTYPE, 1);
    rq_xml_start(x, "qgis");
    rq_xml_attr(x, "version", "3.22.16-Białowieża");
    rq_xml_attr(x, "styleCategories", "Symbology|Labeling");
    rq_xml_attr(x, "labelsEnabled", "%d", has_labels(l));
    rq_style_write(x, l, ctx, variant);
    return rq_xml_finish(x, NULL);
}

int
rq_style_labels(const rq_layer *l)
{
    return has_labels(l);
}
