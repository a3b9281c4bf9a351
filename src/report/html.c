/* html.c - rapport.html: one self-contained document in French for public
** authorities (report.h). Key figures first, then the maps, what changed
** since the previous run, the tables, the method with its sources, and the
** limits.
**
** Self-contained: the stylesheet and the maps are inline, and a Content
** Security Policy forbids the page from fetching anything at all (no
** script, font, image or tile), so that it reads the same offline, in ten
** years, or from an e-mail. Accessible: lang="fr", headings in order, each
** map an SVG with role="img", a title and a text alternative giving its key
** figures; tables with captions and header cells; dark text on white. The
** print stylesheet lays it out on A4 and keeps every map on one page.
*/
#include "report_internal.h"

#include "raquette/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_WIDTH 820.0

static const char CSS[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#1a1a1a;background:#fff;"
    "max-width:62rem;margin:0 auto;padding:1rem 1.2rem;line-height:1.45}"
    "h1{font-size:1.7rem;color:#0b4f8a;margin:.2rem 0}"
    "h2{font-size:1.3rem;color:#0b4f8a;border-bottom:2px solid #0b4f8a;margin-top:2rem}"
    "h3{font-size:1.05rem;margin:1.2rem 0 .4rem}"
    ".sous-titre{color:#404040;margin:0 0 1rem}"
    ".chiffres{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.8rem;"
    "margin:1rem 0}"
    ".chiffre{border:1px solid #b8b8b8;border-radius:4px;padding:.6rem .8rem}"
    ".chiffre strong{display:block;font-size:1.7rem;color:#0b4f8a}"
    ".phrases li{margin:.2rem 0}"
    "figure{margin:1.2rem 0}"
    "figure.carte{break-inside:avoid;page-break-inside:avoid}"
    "figure.carte svg{width:100%;height:auto;display:block}"
    "figcaption{font-size:.8rem;color:#404040}"
    "svg.defs{position:absolute;width:0;height:0;overflow:hidden}"
    "table{border-collapse:collapse;width:100%;font-size:.82rem;margin:.6rem 0 1.4rem}"
    "caption{text-align:left;font-weight:bold;padding:.3rem 0}"
    "th,td{border:1px solid #b8b8b8;padding:.2rem .4rem;vertical-align:top}"
    "thead th{background:#e8eef5}tbody th{text-align:left;font-weight:normal}"
    "td.n{text-align:right;white-space:nowrap}tr.total th,tr.total td{font-weight:bold}"
    "dl.parametres dt{font-weight:bold}dl.parametres dd{margin:0 0 .4rem 1rem}"
    ".communes{stroke:#fff;stroke-width:.25}.vide{fill:#ddd}"
    ".dep{fill:none;stroke:#2b2b2b;stroke-width:1}"
    ".deplab{font-size:11px;font-weight:bold;fill:#1a1a1a;text-anchor:middle;"
    "paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
    ".zonelab{font-size:10px;font-weight:bold;fill:#7a2e00;text-anchor:middle;"
    "paint-order:stroke;stroke:#fff;stroke-width:3px}"
    ".fond{fill:#eeeeee;stroke:none}"
    ".trous path,.trou-leg{fill:#fdae6b;stroke:#d95f02;stroke-width:1.2}"
    ".leg{font-size:11px;fill:#1a1a1a}.leg-titre{font-size:11px;font-weight:bold;fill:#1a1a1a}"
    ".nord path{fill:#1a1a1a}.nord text{font-size:11px;font-weight:bold;text-anchor:middle}"
    ".echelle path{fill:none;stroke:#1a1a1a;stroke-width:1.5}"
    ".echelle text{font-size:11px;text-anchor:middle}"
    /* ColorBrewer YlOrRd: required phases missing, none to all. */
    ".ph0{fill:#ffffb2}.ph1{fill:#fecc5c}.ph2{fill:#fd8d3c}.ph3{fill:#f03b20}.ph4{fill:#bd0026}"
    /* ColorBrewer YlGnBu, grey for no access. */
    ".ac0{fill:#bdbdbd}.ac1{fill:#a1dab4}.ac2{fill:#41b6c4}.ac3{fill:#2c7fb8}.ac4{fill:#253494}"
    /* ColorBrewer RdBu: worse in red, better in blue, both in purple. */
    ".ev0{fill:#ca0020}.ev1{fill:#f4a582}.ev2{fill:#9970ab}.ev3{fill:#92c5de}"
    ".ev4{fill:#0571b0}.ev5{fill:#f7f7f7}"
    /* Paul Tol's muted palette for the categories of structures. */
    ".k0{fill:#332288}.k1{fill:#88ccee}.k2{fill:#44aa99}.k3{fill:#117733}.k4{fill:#999933}"
    ".k5{fill:#ddcc77}.k6{fill:#cc6677}.k7{fill:#882255}.k8{fill:#aa4499}.k9{fill:#dddddd}"
    ".portees circle{fill-opacity:.1;stroke-opacity:.55;stroke-width:.8}"
    ".portees .k0{stroke:#332288}.portees .k1{stroke:#88ccee}.portees .k2{stroke:#44aa99}"
    ".portees .k3{stroke:#117733}.portees .k4{stroke:#999933}.portees .k5{stroke:#ddcc77}"
    ".portees .k6{stroke:#cc6677}.portees .k7{stroke:#882255}.portees .k8{stroke:#aa4499}"
    ".portees .k9{stroke:#999999}"
    ".sites circle{stroke:#1a1a1a;stroke-width:.7}"
    "@media print{@page{size:A4;margin:14mm}body{max-width:none;padding:0;font-size:10pt}"
    "h2{break-after:avoid}h3{break-after:avoid}table{font-size:7.5pt}"
    "table,.chiffres,figure{break-inside:avoid;page-break-inside:avoid}"
    "figure.carte svg{max-height:225mm}}";

/* "à l'émergence", "au développement". */
static const char *const phase_to[RQ_NPHASES] = {"à l'émergence", "à la création",
                                                 "à la consolidation", "au développement"};

static void
figure_box(rq_xml *x, const char *key, long value, const char *big, const char *text)
{
    rq_xml_start(x, "div");
    rq_xml_attr(x, "class", "chiffre");
    rq_xml_attr(x, "data-chiffre", "%s", key);
    rq_xml_attr(x, "data-valeur", "%ld", value);
    rq_xml_leaf(x, "strong", "%s", big);
    rq_xml_text(x, "%s", text);
    rq_xml_end(x);
}

static void
key_figures(rq_xml *x, const rq_report *r)
{
    rq_report_figures f;
    rq_report_figures_of(r, &f);
    char big[64], text[256], a[48], b[48];
    rq_xml_start(x, "section");
    rq_xml_attr(x, "id", "chiffres-cles");
    rq_xml_leaf(x, "h2", "Chiffres clés");
    rq_xml_start(x, "div");
    rq_xml_attr(x, "class", "chiffres");
    double share = f.population > 0 ? (double)f.population_parcours / f.population : 0;
    rq_fr_percent(share, big, sizeof big);
    snprintf(text, sizeof text,
             "des habitants ont un parcours complet à portée (les quatre phases) : %s sur %s",
             rq_fr_int(f.population_parcours, a, sizeof a), rq_fr_int(f.population, b, sizeof b));
    figure_box(x, "population_parcours_complet", f.population_parcours, big, text);
    const rq_fr_noun *n = rq_fr_rows(r);
    rq_fr_int(f.population_rurale_trou, big, sizeof big);
    snprintf(text, sizeof text,
             "habitants de %s rurales vivent dans un trou : une phase requise y manque", n->many);
    figure_box(x, "population_rurale_trou", f.population_rurale_trou, big, text);
    snprintf(big, sizeof big, "%zu", f.zones_trou);
    snprintf(text, sizeof text, "zones de trou, groupes de %s rurales contiguës", n->many);
    figure_box(x, "zones_trou", (long)f.zones_trou, big, text);
    snprintf(big, sizeof big, "%zu", f.communes_sans);
    snprintf(text, sizeof text, "%s sans aucun accompagnement à portée (%s habitants)", n->many,
             rq_fr_int(f.population_sans, a, sizeof a));
    figure_box(x, "communes_sans_accompagnement", (long)f.communes_sans, big, text);
    rq_xml_end(x);
    rq_xml_start(x, "ul");
    rq_xml_attr(x, "class", "phrases");
    for (int p = 0; p < RQ_NPHASES; p++) {
        rq_xml_start(x, "li");
        rq_xml_attr(x, "data-phase", "%s", rq_phase_names[p]);
        rq_xml_leaf(x, "strong", "%s", rq_fr_percent(f.part_sans[p], a, sizeof a));
        rq_xml_text(x, " des habitants n'ont aucun accompagnement %s à portée%s.", phase_to[p],
                    r->run.required & (1u << p) ? "" : " (phase non requise)");
        rq_xml_end(x);
    }
    rq_xml_end(x);
    rq_xml_end(x);
}

static void
para(rq_xml *x, const char *text)
{
    rq_xml_leaf(x, "p", "%s", text);
}

static void
changes(rq_xml *x, const rq_report *r, const rq_shapes *s)
{
    rq_xml_start(x, "section");
    rq_xml_attr(x, "id", "evolution");
    rq_xml_leaf(x, "h2", "Ce qui a changé depuis le run précédent");
    if (!r->has_previous) {
        para(x, "L'historique ne contient pas de run précédent de ce nom : ce rapport est le "
                "premier, il n'y a rien à comparer.");
        rq_xml_end(x);
        return;
    }
    const rq_comparison *c = &r->cmp;
    char date[64], text[512], a[48], b[48], d[48];
    rq_fr_date(c->a->date, date, sizeof date);
    snprintf(text, sizeof text,
             "Comparaison avec le run %lld du %s (code officiel géographique %s). %zu %s "
             "sont entrées dans un trou (%s habitants) et %zu en sont sorties (%s habitants) ; "
             "%zu ont gagné une phase (%s habitants) et %zu en ont perdu une.",
             c->a->run_id, date, c->a->vintage && *c->a->vintage ? c->a->vintage : "?",
             c->n_evo[RQ_EVO_GAP_ENTERED], rq_fr_rows(r)->many,
             rq_fr_int(c->pop_evo[RQ_EVO_GAP_ENTERED], a, sizeof a), c->n_evo[RQ_EVO_GAP_LEFT],
             rq_fr_int(c->pop_evo[RQ_EVO_GAP_LEFT], b, sizeof b), c->n_evo[RQ_EVO_GAIN],
             rq_fr_int(c->pop_evo[RQ_EVO_GAIN], d, sizeof d), c->n_evo[RQ_EVO_LOSS]);
    para(x, text);
    if (c->across_vintages) {
        snprintf(text, sizeof text,
                 "Les communes des deux runs sont rapprochées par le code officiel géographique "
                 "le plus récent : %zu communes nouvelles sont comparées à l'union de leurs "
                 "anciennes communes, %zu communes ont changé de code.",
                 c->n_merged, c->n_recoded);
        para(x, text);
    }
    rq_map_changes(x, r, s);
    if (c->n_causes)
        rq_table_causes(x, r);
    else
        para(x, "Ni l'annuaire ni les paramètres de l'analyse n'ont changé.");
    rq_xml_end(x);
}

static void
limits(rq_xml *x, const rq_report *r)
{
    rq_xml_start(x, "section");
    rq_xml_attr(x, "id", "limites");
    rq_xml_leaf(x, "h2", "Limites");
    rq_xml_start(x, "ul");
    const rq_fr_noun *n = rq_fr_rows(r);
    rq_xml_leaf(x, "li",
                "Les distances sont mesurées à vol d'oiseau, du point représentatif de la "
                "%s au site ; les temps de trajet en sont déduits par un coefficient de "
                "détour et une vitesse moyenne, sans réseau routier ni transports en commun.",
                n->one);
    rq_xml_leaf(x, "li",
                "Une structure compte pour une %s quand sa portée couvre au moins le seuil "
                "de couverture de la superficie de la %s : la portée est un disque, pas "
                "une zone de chalandise observée.",
                n->one, n->one);
    if (r->run.units)
        rq_xml_leaf(x, "li", "%s",
                    "Les mailles de ce rapport sont des unités d'étude plus fines que les "
                    "communes : chacune prend de la commune qui la contient son département, "
                    "son EPCI et sa ruralité ; sa population est celle que lui donne le "
                    "fichier des mailles. Les cartes dessinent chaque classe d'un seul tenant, "
                    "sans le contour de chaque maille.");
    else
        rq_xml_leaf(x, "li", "%s",
                    "Les contours des communes sont simplifiés ; les cartes de ce rapport les "
                    "simplifient encore, au pixel près, sans trou ni chevauchement entre "
                    "communes.");
    if (rq_report_is_demo(r))
        rq_xml_leaf(x, "li", "%s",
                    "L'annuaire des structures utilisé ici est un annuaire illustratif, écrit "
                    "pour la démonstration de l'outil : ce n'est pas une liste officielle, et "
                    "les chiffres qui en découlent ne décrivent pas l'offre réelle.");
    rq_xml_end(x);
    rq_xml_end(x);
}

char *
rq_report_html(const rq_report *r, rq_geos *g, size_t *len_out, rq_err *err)
{
    rq_shapes s;
    if (rq_shapes_make(r, g, MAP_WIDTH, &s, err) != RQ_OK)
        return NULL;
    char *area = rq_area_label(r), date[64];
    rq_fr_date(r->run.date, date, sizeof date);
    rq_xml *x = rq_xml_create_html();
    rq_xml_start(x, "html");
    rq_xml_attr(x, "lang", "fr");
    rq_xml_start(x, "head");
    rq_xml_raw(x, "<meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; img-src data:\">");
    rq_xml_leaf(x, "title", "Trous dans la raquette : %s, %s", area, date);
    rq_xml_leaf(x, "style", "%s", CSS);
    rq_xml_end(x);
    rq_xml_start(x, "body");
    rq_xml_start(x, "header");
    rq_xml_leaf(x, "h1", "L'accompagnement des projets de l'ESS : %s", area);
    rq_xml_start(x, "p");
    rq_xml_attr(x, "class", "sous-titre");
    rq_xml_text(x,
                "Où un porteur de projet de l'économie sociale et solidaire trouve-t-il un "
                "accompagnement, à chaque phase de la vie de son projet ? Rapport du %s (run "
                "« %s »), établi par raquette %s.",
                date, r->run.name, r->tool_version);
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_start(x, "main");
    key_figures(x, r);
    rq_xml_start(x, "section");
    rq_xml_attr(x, "id", "cartes");
    rq_xml_leaf(x, "h2", "Cartes");
    rq_map_defs(x, r, &s);
    rq_map_phases(x, r, &s);
    rq_map_zones(x, r, &s);
    rq_map_sites(x, r, &s);
    rq_map_access(x, r, &s);
    rq_xml_end(x);
    changes(x, r, &s);
    rq_xml_start(x, "section");
    rq_xml_attr(x, "id", "tableaux");
    rq_xml_leaf(x, "h2", "Tableaux");
    rq_xml_leaf(x, "h3", "Par département");
    rq_table_departements(x, r);
    rq_xml_leaf(x, "h3", "Les zones de trou");
    rq_table_zones(x, r);
    rq_xml_leaf(x, "h3", "Les structures");
    rq_table_structures(x, r);
    rq_xml_end(x);
    rq_method_section(x, r);
    limits(x, r);
    rq_xml_end(x); /* main */
    rq_xml_start(x, "footer");
    rq_xml_leaf(x, "p", "raquette %s, méthode %s : %s, %s.", r->tool_version, r->method_version,
                area, date);
    rq_xml_end(x);
    free(area);
    rq_shapes_fini(r, &s);
    return rq_xml_finish(x, len_out);
}
