/* maps.c - the maps of a report, as inline SVG drawn from the shapes
** (shapes.c). The commune paths are written once, in a hidden SVG's
** <defs>, and each map refers to them with <use>: five maps of 4,446
** communes cost one set of shapes. A run on study units (1 km cells) draws
** each class as one path instead (class_paths). Every map has its title, a text
** alternative giving its key figures (<title>, <desc>), the département
** outlines and names, a legend, a scale bar and a north arrow. Colours are
** ColorBrewer's and Paul Tol's colour-blind-safe palettes, as in the QGIS
** styles (src/outputs/styles.c); the classes are in html.c's stylesheet.
**
** Lambert-93 is conformal and its grid north is within about 3 degrees of
** true north across metropolitan France: the arrow points up.
*/
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEGEND_BAND 86.0 /* px below the map for the legend and scale bar */

/* ---- Parts every map shares ------------------------------------------------ */

void
rq_map_defs(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    rq_xml_start(x, "svg");
    rq_xml_attr(x, "class", "defs");
    rq_xml_attr(x, "aria-hidden", "true");
    rq_xml_attr(x, "width", "0");
    rq_xml_attr(x, "height", "0");
    rq_xml_start(x, "defs");
    for (size_t i = 0; i < r->run.n_communes; i++) {
        if (!s->commune_path[i])
            continue;
        rq_xml_start(x, "path");
        rq_xml_attr(x, "id", "c%zu", i);
        rq_xml_attr(x, "d", "%s", s->commune_path[i]);
        rq_xml_end(x);
    }
    rq_xml_start(x, "path");
    rq_xml_attr(x, "id", "zone");
    rq_xml_attr(x, "d", "%s", s->area_path);
    rq_xml_end(x);
    rq_xml_start(x, "clipPath");
    rq_xml_attr(x, "id", "clip-zone");
    rq_xml_start(x, "use");
    rq_xml_attr(x, "href", "#zone");
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_start(x, "g");
    rq_xml_attr(x, "id", "deps");
    rq_xml_attr(x, "class", "dep");
    for (size_t d = 0; d < r->n_deps; d++) {
        rq_xml_start(x, "path");
        rq_xml_attr(x, "d", "%s", s->dep_path[d]);
        rq_xml_end(x);
    }
    rq_xml_end(x);
    rq_xml_start(x, "g");
    rq_xml_attr(x, "id", "deplabels");
    rq_xml_attr(x, "class", "deplab");
    for (size_t d = 0; d < r->n_deps; d++) {
        rq_xml_start(x, "text");
        rq_xml_attr(x, "x", "%.1f", s->dep_lx[d]);
        rq_xml_attr(x, "y", "%.1f", s->dep_ly[d]);
        rq_xml_text(x, "%s", *r->deps[d].name ? r->deps[d].name : r->deps[d].code);
        rq_xml_end(x);
    }
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_end(x);
}

/* Opens the figure and its SVG: title (h3), text alternative. */
static void
map_start(rq_xml *x, const rq_shapes *s, const char *id, const char *title, const char *desc)
{
    rq_xml_start(x, "figure");
    rq_xml_attr(x, "class", "carte");
    rq_xml_attr(x, "id", "carte-%s", id);
    rq_xml_start(x, "h3");
    rq_xml_attr(x, "id", "titre-%s", id);
    rq_xml_text(x, "%s", title);
    rq_xml_end(x);
    rq_xml_start(x, "svg");
    rq_xml_attr(x, "xmlns", "http://www.w3.org/2000/svg");
    rq_xml_attr(x, "viewBox", "0 0 %.0f %.0f", s->frame.width, s->frame.height + LEGEND_BAND);
    rq_xml_attr(x, "role", "img");
    rq_xml_attr(x, "aria-labelledby", "titre-%s desc-%s", id, id);
    rq_xml_leaf(x, "title", "%s", title);
    rq_xml_start(x, "desc");
    rq_xml_attr(x, "id", "desc-%s", id);
    rq_xml_text(x, "%s", desc);
    rq_xml_end(x);
}

static void
text_at(rq_xml *x, double px, double py, const char *cls, const char *text)
{
    rq_xml_start(x, "text");
    rq_xml_attr(x, "x", "%.1f", px);
    rq_xml_attr(x, "y", "%.1f", py);
    if (cls)
        rq_xml_attr(x, "class", "%s", cls);
    rq_xml_text(x, "%s", text);
    rq_xml_end(x);
}

static void
use(rq_xml *x, const char *href, const char *cls)
{
    rq_xml_start(x, "use");
    rq_xml_attr(x, "href", "%s", href);
    if (cls)
        rq_xml_attr(x, "class", "%s", cls);
    rq_xml_end(x);
}

/* The north arrow (top right), the scale bar and the legend (below). */
static void
furniture(rq_xml *x, const rq_shapes *s, const char *const *labels, const char *const *classes,
          size_t n, const char *caption)
{
    const rq_frame *f = &s->frame;
    double ax = f->width - 22, ay = 14;
    rq_xml_start(x, "g");
    rq_xml_attr(x, "class", "nord");
    rq_xml_start(x, "path");
    rq_xml_attr(x, "d", "M%.1f %.1fl8 24-8-6-8 6z", ax, ay + 10);
    rq_xml_end(x);
    text_at(x, ax, ay + 6, NULL, "N");
    rq_xml_end(x);
    /* Legend: one swatch per class, in two columns. */
    double y0 = f->height + 8;
    text_at(x, f->margin, y0 + 8, "leg-titre", caption);
    for (size_t i = 0; i < n; i++) {
        double lx = f->margin + (double)(i / 4) * 220, ly = y0 + 18 + (double)(i % 4) * 15;
        rq_xml_start(x, "rect");
        rq_xml_attr(x, "x", "%.1f", lx);
        rq_xml_attr(x, "y", "%.1f", ly);
        rq_xml_attr(x, "width", "16");
        rq_xml_attr(x, "height", "11");
        rq_xml_attr(x, "class", "%s", classes[i]);
        rq_xml_end(x);
        text_at(x, lx + 22, ly + 9.5, "leg", labels[i]);
    }
    /* Scale bar, bottom right. */
    double metres, px;
    char label[48];
    rq_frame_scalebar(f, &metres, &px);
    rq_scalebar_label(metres, label, sizeof label);
    double sx = f->width - f->margin - px, sy = f->height + 30;
    rq_xml_start(x, "g");
    rq_xml_attr(x, "class", "echelle");
    rq_xml_start(x, "path");
    rq_xml_attr(x, "d", "M%.1f %.1fv6h%.1fv-6", sx, sy - 6, px);
    rq_xml_end(x);
    text_at(x, sx + px / 2, sy + 14, NULL, label);
    rq_xml_end(x);
}

/* The classes of a map with many rows: one path per class, the union of
** its rows (a run on study units). When the union fails (memory aside, it
** cannot on the recorded rows, a valid coverage), the map shows no class,
** with a warning. */
static void
class_paths(rq_xml *x, const rq_report *r, const rq_shapes *s, int (*class_of)(size_t, void *),
            void *ud, const char *const *classes)
{
    size_t n = r->run.n_communes;
    int *k = rq_xcalloc(n + 1, sizeof *k), top = -1;
    for (size_t i = 0; i < n; i++) {
        k[i] = class_of(i, ud);
        top = k[i] > top ? k[i] : top;
    }
    char **paths = rq_xcalloc((size_t)top + 2, sizeof *paths);
    rq_err err = {0};
    if (rq_shapes_class_paths(s, k, top, paths, &err) != RQ_OK)
        rq_log(RQ_LOG_WARN, "report: the classes of a map are not drawn: %s", err.msg);
    for (int c = -1; c <= top; c++) {
        if (paths[c + 1] && *paths[c + 1]) {
            rq_xml_start(x, "path");
            rq_xml_attr(x, "class", "%s", c >= 0 ? classes[c] : "vide");
            rq_xml_attr(x, "d", "%s", paths[c + 1]);
            rq_xml_end(x);
        }
        free(paths[c + 1]);
    }
    rq_err_fini(&err);
    free(paths);
    free(k);
}

/* A map of the communes, coloured by class_of (index into classes). */
static void
communes_layer(rq_xml *x, const rq_report *r, const rq_shapes *s, int (*class_of)(size_t, void *),
               void *ud, const char *const *classes)
{
    rq_xml_start(x, "g");
    rq_xml_attr(x, "class", "communes");
    if (s->polys)
        class_paths(x, r, s, class_of, ud, classes);
    for (size_t i = 0; !s->polys && i < r->run.n_communes; i++) {
        if (!s->commune_path[i])
            continue;
        char href[48];
        snprintf(href, sizeof href, "#c%zu", i);
        int k = class_of(i, ud);
        use(x, href, k >= 0 ? classes[k] : "vide");
    }
    rq_xml_end(x);
    use(x, "#deps", NULL);
    use(x, "#deplabels", NULL);
}

static void
map_end(rq_xml *x, const char *source)
{
    rq_xml_end(x); /* svg */
    rq_xml_start(x, "figcaption");
    rq_xml_text(x, "%s", source);
    rq_xml_end(x);
    rq_xml_end(x); /* figure */
}

/* ---- The maps ------------------------------------------------------------------ */

static int
required_missing(size_t i, void *ud)
{
    const rq_report *r = ud;
    unsigned missing = r->run.required & ~r->run.communes[i].phases;
    return __builtin_popcount(missing);
}

void
rq_map_phases(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    static const char *const classes[] = {"ph0", "ph1", "ph2", "ph3", "ph4"};
    int n_req = __builtin_popcount(r->run.required);
    char labels[5][64], desc[512], pct[48];
    const char *lab[5], *cls[5];
    size_t n_com[5] = {0};
    for (size_t i = 0; i < r->run.n_communes; i++)
        n_com[required_missing(i, (void *)r) > 4 ? 4 : required_missing(i, (void *)r)]++;
    for (int k = 0; k <= n_req && k < 5; k++) {
        if (k == 0)
            snprintf(labels[k], sizeof labels[k], "toutes les phases requises (%zu)", n_com[k]);
        else
            snprintf(labels[k], sizeof labels[k], "%d phase%s requise%s manquante%s (%zu)", k,
                     k > 1 ? "s" : "", k > 1 ? "s" : "", k > 1 ? "s" : "", n_com[k]);
        lab[k] = labels[k];
        /* Spread over the palette as in QGIS: 3 classes use 0, 1, 3, 4. */
        cls[k] = classes[n_req ? (int)lround(4.0 * k / n_req) : 0];
    }
    rq_report_figures f;
    rq_report_figures_of(r, &f);
    snprintf(desc, sizeof desc,
             "Carte des %zu %s selon le nombre de phases requises sans accompagnement à "
             "portée : %zu ont toutes les phases requises, %zu en manquent au moins une. %s des "
             "habitants ont un parcours complet.",
             r->run.n_communes, rq_fr_rows(r)->many, n_com[0], r->run.n_communes - n_com[0],
             rq_fr_percent(f.population > 0 ? (double)f.population_parcours / f.population : 0, pct,
                           sizeof pct));
    char title[96];
    snprintf(title, sizeof title, "%s selon les phases requises couvertes", rq_fr_rows(r)->Many);
    map_start(x, s, "phases", title, desc);
    communes_layer(x, r, s, required_missing, (void *)r, cls);
    furniture(x, s, lab, cls, (size_t)n_req + 1,
              "Phases requises (émergence, création, "
              "consolidation) sans accompagnement à portée");
    map_end(x, r->run.units ? "Source : raquette, d'après l'annuaire des structures, les mailles "
                              "d'étude, les contours des communes et la grille de densité de "
                              "l'INSEE."
                            : "Source : raquette, d'après l'annuaire des structures, les contours "
                              "des communes et la grille de densité de l'INSEE.");
}

struct access_ctx {
    const rq_report *r;
    double q[3];
};

static int
access_class(size_t i, void *ud)
{
    const struct access_ctx *a = ud;
    double v = a->r->run.communes[i].acces;
    if (!isfinite(v))
        return -1;
    if (v <= 0)
        return 0;
    return v <= a->q[0] ? 1 : v <= a->q[1] ? 2 : v <= a->q[2] ? 3 : 4;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void
rq_map_access(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    static const char *const cls[] = {"ac0", "ac1", "ac2", "ac3", "ac4"};
    struct access_ctx a = {r, {0, 0, 0}};
    double *v = rq_xcalloc(r->run.n_communes + 1, sizeof *v);
    size_t n = 0, zero = 0;
    for (size_t i = 0; i < r->run.n_communes; i++) {
        double w = r->run.communes[i].acces;
        if (isfinite(w) && w > 0)
            v[n++] = w;
        else if (isfinite(w))
            zero++;
    }
    qsort(v, n, sizeof *v, cmp_double);
    for (int k = 0; k < 3 && n; k++) {
        size_t at = (size_t)(k + 1) * n / 4;
        a.q[k] = v[at < n ? at : n - 1];
    }
    char labels[5][128], desc[512], q[3][48];
    for (int k = 0; k < 3; k++)
        rq_fr_real(a.q[k], 2, q[k], sizeof q[k]);
    snprintf(labels[0], sizeof labels[0], "aucun accès (%zu %s)", zero, rq_fr_rows(r)->many);
    snprintf(labels[1], sizeof labels[1], "jusqu'à %s", q[0]);
    snprintf(labels[2], sizeof labels[2], "de %s à %s", q[0], q[1]);
    snprintf(labels[3], sizeof labels[3], "de %s à %s", q[1], q[2]);
    snprintf(labels[4], sizeof labels[4], "plus de %s", q[2]);
    const char *lab[] = {labels[0], labels[1], labels[2], labels[3], labels[4]};
    snprintf(desc, sizeof desc,
             "Carte de l'indice d'accessibilité E2SFCA (projets accompagnés par an pour 10 000 "
             "habitants), en quartiles : %zu %s sans accès, la médiane des autres est %s.",
             zero, rq_fr_rows(r)->many, q[1]);
    map_start(x, s, "acces", "Accessibilité de l'accompagnement (indice E2SFCA)", desc);
    communes_layer(x, r, s, access_class, &a, cls);
    furniture(x, s, lab, cls, 5, "Projets accompagnés par an pour 10 000 habitants (quartiles)");
    map_end(x, "Source : raquette ; indice E2SFCA (méthode, § 3.1) sur les capacités déclarées "
               "par les structures.");
    free(v);
}

void
rq_map_zones(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    const rq_snapshot *run = &r->run;
    rq_report_figures f;
    rq_report_figures_of(r, &f);
    char desc[512], pop[48];
    const rq_snap_gap *first = NULL;
    for (size_t z = 0; z < run->n_gaps && !first; z++)
        if (run->gaps[z].phase < 0)
            first = &run->gaps[z];
    snprintf(desc, sizeof desc,
             "Carte des %zu zones de trou, groupes de %s rurales contiguës auxquelles "
             "manque au moins une phase requise : %s habitants ruraux y vivent%s%s%s.",
             f.zones_trou, rq_fr_rows(r)->many,
             rq_fr_int(f.population_rurale_trou, pop, sizeof pop),
             first ? " ; la plus grande, " : "", first ? first->id : "",
             first ? ", est étiquetée avec les suivantes" : "");
    map_start(x, s, "zones", "Zones de trou (toutes phases requises)", desc);
    use(x, "#zone", "fond");
    rq_xml_start(x, "g");
    rq_xml_attr(x, "class", "trous");
    for (size_t z = 0; z < run->n_gaps; z++)
        if (s->zone_path[z] && *s->zone_path[z]) {
            rq_xml_start(x, "path");
            rq_xml_attr(x, "d", "%s", s->zone_path[z]);
            rq_xml_end(x);
        }
    rq_xml_end(x);
    use(x, "#deps", NULL);
    use(x, "#deplabels", NULL);
    /* The five largest zones (ranked by population: T001 first). */
    size_t shown = 0;
    for (size_t z = 0; z < run->n_gaps && shown < 5; z++) {
        if (run->gaps[z].phase >= 0 || !s->zone_path[z])
            continue;
        char label[96];
        snprintf(label, sizeof label, "%s : %s hab.", run->gaps[z].id,
                 rq_fr_int(run->gaps[z].population, pop, sizeof pop));
        text_at(x, s->zone_lx[z], s->zone_ly[z], "zonelab", label);
        shown++;
    }
    static const char *const lab[] = {"zone de trou", "zone d'étude"};
    static const char *const cls[] = {"trou-leg", "fond"};
    furniture(x, s, lab, cls, 2, "Zones de trou : les cinq plus peuplées sont étiquetées");
    map_end(x, "Source : raquette (méthode, § 4).");
}

void
rq_map_sites(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    const rq_snapshot *run = &r->run;
    /* Categories in order of first appearance among the structures (by id). */
    const char *cats[10];
    char names[10][64];
    const char *labels[10];
    size_t n_cats = 0;
    for (size_t k = 0; k < run->n_structures && n_cats < 10; k++) {
        size_t c = 0;
        while (c < n_cats && strcmp(cats[c], run->structures[k].category) != 0)
            c++;
        if (c == n_cats)
            cats[n_cats++] = run->structures[k].category;
    }
    char desc[512];
    snprintf(desc, sizeof desc,
             "Carte des %zu sites de %zu structures, par catégorie (%zu catégories), avec le "
             "disque de leur portée à vol d'oiseau, limité à la zone d'étude.",
             run->n_sites, run->n_structures, n_cats);
    map_start(x, s, "sites", "Sites des structures et leur portée", desc);
    use(x, "#zone", "fond");
    for (int pass = 0; pass < 2; pass++) {
        rq_xml_start(x, "g");
        rq_xml_attr(x, "class", pass ? "sites" : "portees");
        if (!pass)
            rq_xml_attr(x, "clip-path", "url(#clip-zone)");
        for (size_t i = 0; i < run->n_sites; i++) {
            const rq_snap_site *t = &run->sites[i];
            if (t->structure >= run->n_structures)
                continue;
            size_t c = 0;
            while (c < n_cats && strcmp(cats[c], run->structures[t->structure].category) != 0)
                c++;
            double px, py;
            rq_frame_project(&s->frame, t->x, t->y, &px, &py);
            rq_xml_start(x, "circle");
            rq_xml_attr(x, "cx", "%.1f", px);
            rq_xml_attr(x, "cy", "%.1f", py);
            rq_xml_attr(x, "r", "%.1f", pass ? 3.2 : t->radius_km * 1000 * s->frame.scale);
            rq_xml_attr(x, "class", "k%zu", c < 10 ? c : 9);
            rq_xml_end(x);
        }
        rq_xml_end(x);
    }
    use(x, "#deps", NULL);
    use(x, "#deplabels", NULL);
    static const char *const cls[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"};
    for (size_t c = 0; c < n_cats; c++)
        labels[c] = rq_category_label(cats[c], names[c], sizeof names[c]);
    furniture(x, s, labels, cls, n_cats,
              "Catégories des structures (point : site ; disque : portée)");
    map_end(x, "Source : annuaire des structures ; portées : rayon de la catégorie ou du site.");
}

static int
evolution_class(size_t i, void *ud)
{
    const int *cls = ud;
    return cls[i];
}

void
rq_map_changes(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    static const char *const cls[] = {"ev0", "ev1", "ev2", "ev3", "ev4", "ev5"};
    static const char *const lab[] = {"entrée en trou", "phase perdue",   "gains et pertes",
                                      "phase gagnée",   "sortie de trou", "inchangée"};
    const rq_comparison *cmp = &r->cmp;
    int *of = rq_xcalloc(r->run.n_communes + 1, sizeof *of);
    for (size_t i = 0; i < r->run.n_communes; i++)
        of[i] = 5;
    for (size_t k = 0; k < cmp->n_communes; k++) {
        long i = rq_snapshot_commune(&r->run, cmp->communes[k].code);
        if (i < 0)
            continue;
        switch (cmp->communes[k].evolution) {
        case RQ_EVO_GAP_ENTERED:
            of[i] = 0;
            break;
        case RQ_EVO_LOSS:
            of[i] = 1;
            break;
        case RQ_EVO_MIXED:
            of[i] = 2;
            break;
        case RQ_EVO_GAIN:
            of[i] = 3;
            break;
        case RQ_EVO_GAP_LEFT:
            of[i] = 4;
            break;
        default:
            of[i] = 5;
        }
    }
    char desc[512];
    snprintf(desc, sizeof desc,
             "Carte des %s dont l'accompagnement a changé depuis le run %lld : %zu entrées "
             "en trou, %zu sorties de trou, %zu avec une phase gagnée, %zu avec une phase "
             "perdue.",
             rq_fr_rows(r)->many, cmp->a->run_id, cmp->n_evo[RQ_EVO_GAP_ENTERED],
             cmp->n_evo[RQ_EVO_GAP_LEFT], cmp->n_evo[RQ_EVO_GAIN], cmp->n_evo[RQ_EVO_LOSS]);
    char title[96];
    snprintf(title, sizeof title, "%s dont l'accompagnement a changé", rq_fr_rows(r)->Many);
    map_start(x, s, "evolution", title, desc);
    communes_layer(x, r, s, evolution_class, of, cls);
    furniture(x, s, lab, cls, 6, "Évolution depuis le run précédent");
    map_end(x, "Source : raquette, comparaison de deux runs de l'historique.");
    free(of);
}
