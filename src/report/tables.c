/* tables.c - the tables of a report: by département, the ranked gap zones,
** the structures with the population they reach, the causes of the changes
** since the previous run, the parameters and the sources. Every table has
** a caption and header cells (<th scope>), numbers right-aligned in
** French format.
*/
#include "report_internal.h"

#include "raquette/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The zones listed: the first 20 of the ranking. */
#define TOP_ZONES 20
/* The structures listed per category, by population reached: a table
** that fits on a page. */
#define TOP_PER_CATEGORY 25

void
rq_table_start(rq_xml *x, const char *caption, const char *const *heads, size_t n)
{
    rq_xml_start(x, "table");
    rq_xml_leaf(x, "caption", "%s", caption);
    rq_xml_start(x, "thead");
    rq_xml_start(x, "tr");
    for (size_t i = 0; i < n; i++) {
        rq_xml_start(x, "th");
        rq_xml_attr(x, "scope", "col");
        rq_xml_text(x, "%s", heads[i]);
        rq_xml_end(x);
    }
    rq_xml_end(x);
    rq_xml_end(x);
    rq_xml_start(x, "tbody");
}

void
rq_table_end(rq_xml *x)
{
    rq_xml_end(x); /* tbody */
    rq_xml_end(x); /* table */
}

void
rq_th_row(rq_xml *x, const char *text)
{
    rq_xml_start(x, "th");
    rq_xml_attr(x, "scope", "row");
    rq_xml_text(x, "%s", text);
    rq_xml_end(x);
}

static void
td(rq_xml *x, const char *text)
{
    rq_xml_start(x, "td");
    rq_xml_text(x, "%s", text);
    rq_xml_end(x);
}

static void
td_num(rq_xml *x, const char *text)
{
    rq_xml_start(x, "td");
    rq_xml_attr(x, "class", "n");
    rq_xml_text(x, "%s", text);
    rq_xml_end(x);
}

static void
td_int(rq_xml *x, long v)
{
    char b[48];
    td_num(x, rq_fr_int(v, b, sizeof b));
}

static void
td_pct(rq_xml *x, double share)
{
    char b[48];
    td_num(x, isfinite(share) ? rq_fr_percent(share, b, sizeof b) : "");
}

void
rq_table_departements(rq_xml *x, const rq_report *r)
{
    const rq_fr_noun *n = rq_fr_rows(r);
    char in_gap[48];
    snprintf(in_gap, sizeof in_gap, "%s en trou", n->Many);
    const char *const heads[] = {
        "Département", n->Many,         "Population",    "Parcours complet",
        "Émergence",   "Création",      "Consolidation", "Population rurale en trou",
        in_gap,        "Accès (E2SFCA)"};
    rq_table_start(x, "Par département : part de la population accompagnée à chaque phase", heads,
                   sizeof heads / sizeof heads[0]);
    for (size_t d = 0; d <= r->n_deps; d++) {
        const rq_report_agg *a = d < r->n_deps ? &r->deps[d] : &r->area;
        char name[160], acc[48];
        if (d < r->n_deps)
            snprintf(name, sizeof name, "%s %s", a->code, a->name);
        else
            snprintf(name, sizeof name, "Ensemble de la zone d'étude");
        rq_xml_start(x, "tr");
        if (d == r->n_deps)
            rq_xml_attr(x, "class", "total");
        rq_th_row(x, name);
        td_int(x, (long)a->communes);
        td_int(x, a->population);
        td_pct(x, a->part_parcours);
        for (int p = 0; p < 3; p++)
            td_pct(x, a->part_phase[p]);
        td_int(x, a->pop_trou);
        td_int(x, (long)a->communes_trou);
        td_num(x, isfinite(a->acces) ? rq_fr_real(a->acces, 2, acc, sizeof acc) : "");
        rq_xml_end(x);
    }
    rq_table_end(x);
}

void
rq_table_zones(rq_xml *x, const rq_report *r)
{
    const char *const heads[] = {"Zone", "Population", rq_fr_rows(r)->Many, "Phases manquantes",
                                 "Départements"};
    char caption[128];
    size_t n_overall = 0;
    for (size_t z = 0; z < r->run.n_gaps; z++)
        n_overall += r->run.gaps[z].phase < 0;
    if (n_overall > TOP_ZONES)
        snprintf(caption, sizeof caption,
                 "Les %d zones de trou les plus peuplées sur %zu (toutes phases requises)",
                 TOP_ZONES, n_overall);
    else
        snprintf(caption, sizeof caption,
                 "Les %zu zones de trou (toutes phases requises), de la plus peuplée à la moins "
                 "peuplée",
                 n_overall);
    rq_table_start(x, caption, heads, sizeof heads / sizeof heads[0]);
    size_t shown = 0;
    for (size_t z = 0; z < r->run.n_gaps && shown < TOP_ZONES; z++) {
        const rq_snap_gap *g = &r->run.gaps[z];
        if (g->phase >= 0)
            continue;
        shown++;
        rq_xml_start(x, "tr");
        rq_th_row(x, g->id);
        td_int(x, g->population);
        td_int(x, (long)g->n_communes);
        char *missing = rq_phase_words(r->zones[z].missing);
        td(x, missing);
        free(missing);
        rq_buf deps = {0};
        size_t n = 0;
        char **codes = rq_strsplit(r->zones[z].departements, '|', &n);
        for (size_t k = 0; k < n; k++) {
            const char *name = rq_dep_label(r, codes[k]);
            rq_buf_join(&deps, ", ", *name ? name : codes[k]);
        }
        rq_strv_free(codes);
        char *text = rq_buf_take(&deps);
        td(x, text);
        free(text);
        rq_xml_end(x);
    }
    rq_table_end(x);
}

static int
by_population(const void *a, const void *b)
{
    const rq_report_structure *s = *(const rq_report_structure *const *)a;
    const rq_report_structure *t = *(const rq_report_structure *const *)b;
    if (s->population != t->population)
        return s->population > t->population ? -1 : 1;
    return strcmp(s->id, t->id);
}

/* One table per category, so that each fits on a page, the categories by
** the population their largest structure reaches. */
void
rq_table_structures(rq_xml *x, const rq_report *r)
{
    char covered[48];
    snprintf(covered, sizeof covered, "%s couvertes", rq_fr_rows(r)->Many);
    const char *const heads[] = {"Structure", "Phases", "Sites", covered, "Population atteinte"};
    size_t n = r->run.n_structures;
    const rq_report_structure **order = rq_xcalloc(n + 1, sizeof *order);
    for (size_t k = 0; k < n; k++)
        order[k] = &r->structures[k];
    if (n > 1)
        qsort(order, n, sizeof *order, by_population);
    unsigned char *done = rq_xcalloc(n + 1, 1);
    for (size_t first = 0; first < n; first++) {
        if (done[first])
            continue;
        const char *cat = order[first]->category;
        size_t in_cat = 0;
        for (size_t k = first; k < n; k++)
            in_cat += strcmp(order[k]->category, cat) == 0;
        char label[64], caption[160];
        rq_category_label(cat, label, sizeof label);
        snprintf(caption, sizeof caption, "Catégorie %s : %zu structure%s%s", label, in_cat,
                 in_cat > 1 ? "s" : "", in_cat > TOP_PER_CATEGORY ? ", les plus étendues" : "");
        rq_table_start(x, caption, heads, sizeof heads / sizeof heads[0]);
        size_t shown = 0;
        for (size_t k = first; k < n; k++) {
            const rq_report_structure *st = order[k];
            if (strcmp(st->category, cat) != 0)
                continue;
            done[k] = 1;
            if (shown++ >= TOP_PER_CATEGORY)
                continue;
            char phases[128];
            rq_phase_list(st->phases, phases, sizeof phases);
            char *words = rq_phase_words(phases);
            rq_xml_start(x, "tr");
            rq_th_row(x, st->id);
            td(x, words);
            td_int(x, (long)st->sites);
            td_int(x, (long)st->communes);
            td_int(x, st->population);
            rq_xml_end(x);
            free(words);
        }
        rq_table_end(x);
    }
    free(done);
    free(order);
}

static const char *const cause_words[RQ_N_CAUSES] = {
    "structure ajoutée", "structure supprimée", "site ajouté",         "site supprimé",
    "site déplacé",      "phases modifiées",    "zone modifiée",       "catégorie modifiée",
    "rayon modifié",     "capacité modifiée",   "paramètres modifiés", "contours modifiés",
    "ruralité modifiée", "inexpliqué"};

void
rq_table_causes(rq_xml *x, const rq_report *r)
{
    char changed[64];
    snprintf(changed, sizeof changed, "%s dont le statut change", rq_fr_rows(r)->Many);
    const char *const heads[] = {"Changement", "Structure", "Détail", changed, "Population"};
    rq_table_start(x, "Ce qui explique les changements", heads, sizeof heads / sizeof heads[0]);
    for (size_t k = 0; k < r->cmp.n_causes; k++) {
        const rq_cause *c = &r->cmp.causes[k];
        char who[160];
        snprintf(who, sizeof who, "%s%s%s", c->site_id, *c->site_id ? " / " : "", c->structure_id);
        rq_xml_start(x, "tr");
        rq_th_row(x, cause_words[c->type]);
        td(x, who);
        td(x, c->detail);
        td_int(x, (long)c->n_communes);
        td_int(x, c->population);
        rq_xml_end(x);
    }
    rq_table_end(x);
}
