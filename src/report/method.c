/* method.c - the "Méthode et sources" section of a report: the method in
** plain words, the parameters the run used and its data sources with their
** vintages, fingerprints and licence, read from the texts the history keeps
** (the parametres and entrees parts of run.json, and run.json itself).
*/
#include "report_internal.h"

#include "raquette/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
entry(rq_xml *x, const char *term, const char *text)
{
    rq_xml_leaf(x, "dt", "%s", term);
    rq_xml_leaf(x, "dd", "%s", text);
}

struct radii {
    rq_buf b;
};

static void
radius(const char *key, const rq_json *v, void *ud)
{
    struct radii *r = ud;
    char km[48], cat[64];
    rq_buf_join(&r->b, ", ", rq_category_label(key, cat, sizeof cat));
    rq_buf_printf(&r->b, " %s km", rq_fr_real(rq_json_num(v), 0, km, sizeof km));
}

static void
parameters(rq_xml *x, const rq_report *r)
{
    rq_json *root = rq_json_parse(r->params_json);
    const rq_json *p = rq_json_get(root, "parametres");
    char a[64], b[64], text[512];
    rq_xml_start(x, "dl");
    rq_xml_attr(x, "class", "parametres");
    char list[128];
    rq_phase_list(r->run.required, list, sizeof list);
    char *words = rq_phase_words(list);
    entry(x, "Phases requises", words);
    free(words);
    snprintf(text, sizeof text, "%s de la superficie de la %s",
             rq_fr_percent(rq_json_num(rq_json_get(p, "seuil_couverture")), a, sizeof a),
             rq_fr_rows(r)->one);
    entry(x, "Seuil de couverture", text);
    struct radii rad = {{0}};
    rq_json_each(rq_json_get(p, "rayons_km"), radius, &rad);
    char *radii = rq_buf_take(&rad.b);
    entry(x, "Rayon de portée par catégorie", radii);
    free(radii);
    snprintf(text, sizeof text, "distance à vol d'oiseau × %s, à %s km/h",
             rq_fr_real(rq_json_num(rq_json_get(p, "detour")), 2, a, sizeof a),
             rq_fr_real(rq_json_num(rq_json_get(p, "vitesse_kmh")), 0, b, sizeof b));
    entry(x, "Temps de trajet estimé", text);
    const rq_json *acc = rq_json_get(p, "accessibilite");
    snprintf(text, sizeof text, "%s, pondération %s",
             rq_json_str(rq_json_get(acc, "variante")) ? rq_json_str(rq_json_get(acc, "variante"))
                                                       : "?",
             rq_json_str(rq_json_get(acc, "poids")) ? rq_json_str(rq_json_get(acc, "poids")) : "?");
    entry(x, "Indice d'accessibilité", text);
    const rq_json *rur = rq_json_get(p, "ruralite");
    const rq_json *levels = rq_json_get(rur, "niveaux_ruraux");
    rq_buf lv = {0};
    for (size_t i = 0; i < rq_json_len(levels); i++)
        rq_buf_printf(&lv, "%s%.0f", i ? (i + 1 == rq_json_len(levels) ? " et " : ", ") : "",
                      rq_json_num(rq_json_at(levels, i)));
    char *lvs = rq_buf_take(&lv);
    int grid = rq_json_true(rq_json_get(rur, "grille_densite")) && *lvs;
    snprintf(text, sizeof text,
             "%s%s%s ; une commune sans niveau est rurale si elle compte moins de %s habitants "
             "ou moins de %s habitants par km²",
             grid ? "grille communale de densité de l'INSEE, niveaux "
                  : "règle de repli pour toutes les communes",
             grid ? lvs : "", grid ? " ruraux" : "",
             rq_fr_real(rq_json_num(rq_json_get(rur, "repli_population_max")), 0, a, sizeof a),
             rq_fr_real(rq_json_num(rq_json_get(rur, "repli_densite_min")), 0, b, sizeof b));
    free(lvs);
    entry(x, "Ruralité", text);
    const char *crs = rq_json_str(rq_json_get(p, "crs_metrique"));
    entry(x, "Système de coordonnées des calculs", crs ? crs : "");
    rq_xml_end(x);
    rq_json_free(root);
}

static const struct {
    const char *role, *label;
} roles[] = {
    {"communes", "Contours des communes"},
    {"cog", "Table des communes (code officiel géographique)"},
    {"epci", "EPCI à fiscalité propre"},
    {"passage", "Table de passage des codes"},
    {"departements", "Départements"},
    {"densite", "Grille communale de densité (INSEE)"},
    {"structures", "Annuaire des structures"},
    {"configuration", "Configuration de l'analyse"},
};

static void
sources(rq_xml *x, const rq_report *r)
{
    rq_json *in = rq_json_parse(r->inputs_json);
    const rq_json *arr = rq_json_get(in, "entrees");
    static const char *const heads[] = {"Donnée", "Fichier", "Empreinte SHA-256"};
    rq_table_start(x, "Les données de ce run", heads, sizeof heads / sizeof heads[0]);
    for (size_t i = 0; i < rq_json_len(arr); i++) {
        const rq_json *o = rq_json_at(arr, i);
        const char *role = rq_json_str(rq_json_get(o, "role"));
        const char *path = rq_json_str(rq_json_get(o, "chemin"));
        const char *sha = rq_json_str(rq_json_get(o, "sha256"));
        const char *label = role;
        for (size_t k = 0; role && k < sizeof roles / sizeof roles[0]; k++)
            if (strcmp(roles[k].role, role) == 0)
                label = roles[k].label;
        const char *base = path ? strrchr(path, '/') : NULL;
        rq_xml_start(x, "tr");
        rq_th_row(x, label ? label : "");
        rq_xml_leaf(x, "td", "%s", base ? base + 1 : path ? path : "");
        rq_xml_leaf(x, "td", "%.16s", sha ? sha : "");
        rq_xml_end(x);
    }
    rq_table_end(x);
    const char *vintage = r->run.vintage && *r->run.vintage ? r->run.vintage : NULL;
    const char *licence = r->licence && *r->licence ? r->licence : NULL;
    char text[1024];
    snprintf(text, sizeof text,
             "Millésime du code officiel géographique : %s. Licence des données : %s. Les "
             "chemins complets et les empreintes entières sont dans run.json.",
             vintage ? vintage : "inconnu", licence ? licence : "non précisée");
    rq_xml_leaf(x, "p", "%s", text);
    rq_json_free(in);
}

void
rq_method_section(rq_xml *x, const rq_report *r)
{
    char date[64];
    rq_fr_date(r->run.date, date, sizeof date);
    rq_xml_start(x, "section");
    rq_xml_attr(x, "id", "methode");
    rq_xml_leaf(x, "h2", "Méthode et sources");
    static const char *const paragraphs[] = {
        "Chaque structure d'accompagnement déclare ses sites, les phases de la vie d'un projet "
        "qu'elle accompagne (émergence, création, consolidation, développement) et sa zone "
        "d'intervention. Autour de chaque site, un disque dont le rayon dépend de la catégorie "
        "de la structure dessine sa portée, limitée à sa zone d'intervention.",
        "L'indice d'accessibilité (E2SFCA) rapporte la capacité des sites, en projets "
        "accompagnés par an, à la population qui peut les atteindre, en tenant compte de la "
        "distance : il s'exprime en projets par an pour 10 000 habitants.",
    };
    const rq_fr_noun *n = rq_fr_rows(r);
    rq_xml_leaf(x, "p", "%s", paragraphs[0]);
    rq_xml_leaf(x, "p",
                "Une %s est couverte pour une phase quand la portée d'une structure qui "
                "accompagne cette phase recouvre au moins le seuil de couverture de sa "
                "superficie. Une %s rurale (%s) à laquelle manque une phase requise est une %s "
                "en trou ; les %s en trou qui se touchent forment une zone de trou.",
                n->one, n->one,
                r->run.units ? "dans une commune rurale de la grille communale de densité de "
                               "l'INSEE"
                             : "grille communale de densité de l'INSEE",
                n->one, n->many);
    for (size_t i = 1; i < sizeof paragraphs / sizeof paragraphs[0]; i++)
        rq_xml_leaf(x, "p", "%s", paragraphs[i]);
    rq_xml_leaf(x, "h3", "%s", "Paramètres");
    parameters(x, r);
    rq_xml_leaf(x, "h3", "%s", "Sources");
    sources(x, r);
    rq_xml_leaf(x, "p", "Rapport établi le %s par raquette %s (méthode %s), run « %s ».", date,
                r->tool_version, r->method_version, r->run.name);
    rq_xml_end(x);
}
