/* compare_print.c - the French summary of a comparison, as `raquette
** compare` and `raquette run` print it for planners: what changed, for how
** many inhabitants, and why.
*/
#include "raquette/compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* French labels of the evolutions and zone statuses, in print order. */
static const struct {
    rq_evolution evo;
    const char *label;
} evolutions[] = {
    {RQ_EVO_GAP_ENTERED, "entrées en trou"},
    {RQ_EVO_GAP_LEFT, "sorties de trou"},
    {RQ_EVO_GAIN, "phase gagnée (hors trou)"},
    {RQ_EVO_LOSS, "phase perdue (hors trou)"},
    {RQ_EVO_MIXED, "phases gagnées et perdues"},
    {RQ_EVO_NEW, "nouvelles"},
    {RQ_EVO_GONE, "disparues"},
    {RQ_EVO_UNCHANGED, "inchangées"},
};

/* The rows' noun: communes, or "mailles" for runs on study units (the
** report's word, src/report/figures.c); both feminine. */
typedef struct rows_noun {
    const char *one, *title; /* "commune", "Communes" */
} rows_noun;

static const rows_noun *
rows_of(const rq_comparison *cmp)
{
    static const rows_noun communes = {"commune", "Communes"}, mailles = {"maille", "Mailles"};
    return cmp->b->units ? &mailles : &communes;
}

static const char *const cause_labels[RQ_N_CAUSES] = {
    "structure ajoutée", "structure supprimée", "site ajouté",         "site supprimé",
    "site déplacé",      "phases modifiées",    "zone modifiée",       "catégorie modifiée",
    "rayon modifié",     "capacité modifiée",   "paramètres modifiés", "contours modifiés",
    "ruralité modifiée", "inexpliqué"};

static const char *
vintage(const rq_snapshot *s)
{
    return s->vintage && *s->vintage ? s->vintage : "?";
}

static void
print_access(FILE *f, const rq_comparison *cmp)
{
    size_t up = 0, down = 0;
    double weighted = 0, weight = 0;
    for (size_t i = 0; i < cmp->n_communes; i++) {
        const rq_cmp_commune *r = &cmp->communes[i];
        if (!isfinite(r->acces_a) || !isfinite(r->acces_b))
            continue;
        double d = r->acces_b - r->acces_a;
        up += d > 5e-5;
        down += d < -5e-5;
        weighted += d * (double)r->population_b;
        weight += (double)r->population_b;
    }
    char x[32];
    fprintf(f,
            "Accessibilité (E2SFCA) : en hausse dans %zu %ss, en baisse dans %zu ; "
            "variation moyenne pondérée par la population : %s\n",
            up, rows_of(cmp)->one, down,
            rq_fmt_real_fr(weight > 0 ? weighted / weight : 0.0, 4, x, sizeof x));
}

static const char *const zone_labels[RQ_N_ZONE_STATUS] = {"stables",
                                                          "agrandies",
                                                          "réduites",
                                                          "modifiées",
                                                          "issues d'une fusion",
                                                          "issues d'une scission",
                                                          "apparues",
                                                          "disparues"};
static const char *const zone_label[RQ_N_ZONE_STATUS] = {
    "stable", "agrandie", "réduite", "modifiée", "fusion de", "scission de", "apparue", "disparue"};

static void
print_zones(FILE *f, const rq_comparison *cmp)
{
    size_t n[RQ_N_ZONE_STATUS] = {0};
    for (size_t i = 0; i < cmp->n_zones; i++)
        if (cmp->zones[i].phase < 0)
            n[cmp->zones[i].status]++;
    fprintf(f, "Zones de trou (toutes phases requises) :");
    const char *sep = " ";
    for (int k = 0; k < RQ_N_ZONE_STATUS; k++)
        if (n[k]) {
            fprintf(f, "%s%zu %s", sep, n[k], zone_labels[k]);
            sep = ", ";
        }
    fprintf(f, "%s\n", *sep == ' ' ? " aucune" : "");
    for (size_t i = 0; i < cmp->n_zones; i++) {
        const rq_cmp_zone *z = &cmp->zones[i];
        if (z->phase >= 0 || z->status == RQ_ZONE_STABLE)
            continue;
        char pa[32], pb[32];
        if (!*z->id_b)
            fprintf(f, "  %s disparue : %s habitants\n", z->ids_a,
                    rq_fmt_int_fr(z->population_a, pa, sizeof pa));
        else if (!*z->ids_a)
            fprintf(f, "  %s apparue : %s habitants\n", z->id_b,
                    rq_fmt_int_fr(z->population_b, pb, sizeof pb));
        else
            fprintf(f, "  %s %s %s : %s → %s habitants\n", z->id_b, zone_label[z->status], z->ids_a,
                    rq_fmt_int_fr(z->population_a, pa, sizeof pa),
                    rq_fmt_int_fr(z->population_b, pb, sizeof pb));
    }
}

void
rq_comparison_print(FILE *f, const rq_comparison *cmp)
{
    const rq_snapshot *a = cmp->a, *b = cmp->b;
    char x[32];
    fprintf(f, "Comparaison du run %lld « %s » (%s, COG %s) au run %lld « %s » (%s, COG %s)\n",
            a->run_id, a->name, a->date, vintage(a), b->run_id, b->name, b->date, vintage(b));
    if (cmp->across_vintages) {
        fprintf(f, "Communes rapprochées par le code officiel géographique %s : ",
                strcmp(vintage(a), vintage(b)) < 0 ? vintage(b) : vintage(a));
        if (cmp->n_merged)
            fprintf(f, "%zu commune%s nouvelle%s comparée%s à l'union de %s anciennes communes",
                    cmp->n_merged, cmp->n_merged > 1 ? "s" : "", cmp->n_merged > 1 ? "s" : "",
                    cmp->n_merged > 1 ? "s" : "", cmp->n_merged > 1 ? "leurs" : "ses");
        else
            fprintf(f, "aucune fusion");
        if (cmp->n_recoded)
            fprintf(f, ", %zu changement%s de code\n", cmp->n_recoded,
                    cmp->n_recoded > 1 ? "s" : "");
        else
            fprintf(f, "%s\n",
                    cmp->n_merged ? ", aucun changement de code" : " ni changement de code");
    }
    const char *noun = rows_of(cmp)->one;
    fprintf(f, "%s :\n", rows_of(cmp)->title);
    for (size_t i = 0; i < sizeof evolutions / sizeof evolutions[0]; i++) {
        rq_evolution e = evolutions[i].evo;
        char label[64];
        if (e == RQ_EVO_NEW || e == RQ_EVO_GONE)
            snprintf(label, sizeof label, "%ss %s", noun, evolutions[i].label);
        else
            snprintf(label, sizeof label, "%s", evolutions[i].label);
        fprintf(f, "  %-28s %6zu  (%s habitants)\n", label, cmp->n_evo[e],
                rq_fmt_int_fr(cmp->pop_evo[e], x, sizeof x));
    }
    print_access(f, cmp);
    print_zones(f, cmp);
    fprintf(f, "Causes :%s\n", cmp->n_causes ? "" : " aucune modification");
    for (size_t k = 0; k < cmp->n_causes; k++) {
        const rq_cause *c = &cmp->causes[k];
        fprintf(f, "  %s %s %s%s%s%s : %s ; ", c->id, cause_labels[c->type],
                *c->site_id ? c->site_id : c->structure_id, *c->site_id ? " (structure " : "",
                *c->site_id ? c->structure_id : "", *c->site_id ? ")" : "", c->detail);
        if (c->n_communes == 0)
            fprintf(f, "aucune %s ne change de statut\n", noun);
        else
            fprintf(f, "%zu %s%s change%s de statut (%s habitants)\n", c->n_communes, noun,
                    c->n_communes > 1 ? "s" : "", c->n_communes > 1 ? "nt" : "",
                    rq_fmt_int_fr(c->population, x, sizeof x));
    }
}
