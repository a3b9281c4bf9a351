/* layers_cmp.c - the layers of a comparison between two runs (compare.h):
** the communes with their evolution and its causes, the gap zones matched
** by overlap, and the changes of the directory that explain them. The
** `compare` command writes them as GeoJSON and CSV; a run that has a
** previous run in its history adds the first two to its GeoPackage and
** project. Field names and meanings: docs/outputs.md, "Comparison".
**
** Only ctx->cmp is read: the compare command has no dataset.
*/
#include "outputs/products.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
evolution_fields(rq_layer *l)
{
    rq_layer_field(l, "code_insee", RQ_FT_STRING, 0,
                   "Code INSEE de la commune dans le code officiel géographique le plus récent "
                   "des deux runs");
    rq_layer_field(l, "nom", RQ_FT_STRING, 0, "Nom de la commune");
    rq_layer_field(l, "codes_avant", RQ_FT_STRING, 0,
                   "Codes de la commune au premier run, séparés par | (plusieurs : fusion)");
    rq_layer_field(l, "fusion", RQ_FT_INT, 0,
                   "1 si la commune est comparée à l'union de plusieurs anciennes communes");
    rq_layer_field(l, "population_avant", RQ_FT_INT, 0, "Population au premier run (habitants)");
    rq_layer_field(l, "population_apres", RQ_FT_INT, 0, "Population au second run (habitants)");
    rq_layer_field(l, "phases_avant", RQ_FT_STRING, 0, "Phases couvertes au premier run");
    rq_layer_field(l, "phases_apres", RQ_FT_STRING, 0, "Phases couvertes au second run");
    rq_layer_field(l, "phases_gagnees", RQ_FT_STRING, 0,
                   "Phases couvertes au second run seulement");
    rq_layer_field(l, "phases_perdues", RQ_FT_STRING, 0,
                   "Phases couvertes au premier run seulement");
    rq_layer_field(l, "trou_avant", RQ_FT_INT, 0, "1 si la commune était en trou au premier run");
    rq_layer_field(l, "trou_apres", RQ_FT_INT, 0, "1 si la commune est en trou au second run");
    rq_layer_field(l, "evolution", RQ_FT_STRING, 0,
                   "entree_trou, sortie_trou, gain, perte, gain_et_perte, inchangee, nouvelle "
                   "ou disparue");
    rq_layer_field(l, "acces_avant", RQ_FT_REAL, 4, "Indice E2SFCA au premier run");
    rq_layer_field(l, "acces_apres", RQ_FT_REAL, 4, "Indice E2SFCA au second run");
    rq_layer_field(l, "acces_variation", RQ_FT_REAL, 4, "Variation de l'indice E2SFCA");
    rq_layer_field(l, "causes", RQ_FT_STRING, 0,
                   "Causes du changement de statut (identifiants de comparaison_causes.csv), "
                   "séparées par |");
}

static void
zone_fields(rq_layer *l)
{
    rq_layer_field(l, "phase", RQ_FT_STRING, 0, "toutes (toutes phases requises) ou la phase");
    rq_layer_field(l, "id_apres", RQ_FT_STRING, 0, "Identifiant de la zone au second run");
    rq_layer_field(l, "ids_avant", RQ_FT_STRING, 0,
                   "Zones du premier run qu'elle recouvre, séparées par |");
    rq_layer_field(l, "statut", RQ_FT_STRING, 0,
                   "stable, agrandie, reduite, modifiee, fusion, scission, apparue ou disparue");
    rq_layer_field(l, "population_avant", RQ_FT_INT, 0,
                   "Population des zones du premier run qu'elle recouvre (habitants)");
    rq_layer_field(l, "population_apres", RQ_FT_INT, 0, "Population de la zone (habitants)");
    rq_layer_field(l, "superficie_avant_km2", RQ_FT_REAL, 4,
                   "Superficie des zones du premier run qu'elle recouvre (km²)");
    rq_layer_field(l, "superficie_apres_km2", RQ_FT_REAL, 4, "Superficie de la zone (km²)");
    rq_layer_field(l, "gagnee_km2", RQ_FT_REAL, 4, "Superficie gagnée (km²)");
    rq_layer_field(l, "perdue_km2", RQ_FT_REAL, 4, "Superficie perdue (km²)");
}

static void
cause_fields(rq_layer *l)
{
    rq_layer_field(l, "id", RQ_FT_STRING, 0, "Identifiant de la cause (C01…)");
    rq_layer_field(l, "type", RQ_FT_STRING, 0, "Nature du changement");
    rq_layer_field(l, "structure_id", RQ_FT_STRING, 0, "Structure concernée");
    rq_layer_field(l, "site_id", RQ_FT_STRING, 0, "Site concerné");
    rq_layer_field(l, "categorie", RQ_FT_STRING, 0, "Catégorie de la structure");
    rq_layer_field(l, "detail", RQ_FT_STRING, 0, "Le changement, en clair");
    rq_layer_field(l, "nb_communes", RQ_FT_INT, 0, "Communes dont le statut a changé par elle");
    rq_layer_field(l, "population", RQ_FT_INT, 0, "Leur population (habitants)");
    rq_layer_field(l, "communes", RQ_FT_STRING, 0, "Leurs codes INSEE, séparés par |");
}

void
rq_layer_init_cmp(rq_layer *l, const rq_product_ctx *ctx)
{
    const rq_comparison *cmp = ctx->cmp;
    switch (l->kind) {
    case RQ_LAYER_EVOLUTION:
        rq_layer_name(l, "evolution_communes", "Évolution des communes",
                      "Communes dont l'accompagnement a changé depuis le run précédent");
        l->gtype = RQ_OUT_POLYGON;
        evolution_fields(l);
        rq_layer_rows(l, cmp->n_communes);
        break;
    case RQ_LAYER_EVOLUTION_ZONES: /* phase: RQ_GAPS_EVERY, or RQ_GAPS_OVERALL only */
        if (l->phase == RQ_GAPS_OVERALL)
            rq_layer_name(l, "evolution_trous",
                          "Évolution des zones de trou (toutes phases requises)",
                          "Zones de trou comparées à celles du run précédent, par recouvrement");
        else
            rq_layer_name(l, "comparaison_trous", "Évolution des zones de trou",
                          "Zones de trou de chaque sens comparées à celles du premier run, par "
                          "recouvrement");
        l->gtype = RQ_OUT_POLYGON;
        zone_fields(l);
        l->rows = rq_xcalloc(cmp->n_zones + 1, sizeof *l->rows);
        for (size_t i = 0; i < cmp->n_zones; i++)
            if (l->phase != RQ_GAPS_OVERALL || cmp->zones[i].phase < 0)
                l->rows[l->n_rows++] = i;
        break;
    default:
        rq_layer_name(l, "causes", "Causes des changements",
                      "Changements de l'annuaire et de l'analyse, avec les communes dont ils ont "
                      "changé le statut");
        l->gtype = RQ_OUT_NOGEOM;
        cause_fields(l);
        rq_layer_rows(l, cmp->n_causes);
    }
}

static void
phase_text(const rq_sink *s, size_t f, unsigned mask)
{
    char buf[128];
    rq_phase_list(mask, buf, sizeof buf);
    rq_sink_string(s, f, buf);
}

static void
commune_row(const rq_comparison *cmp, const rq_cmp_commune *r, const rq_sink *s)
{
    size_t f = 0;
    rq_sink_string(s, f++, r->code);
    rq_sink_string(s, f++, r->name);
    rq_sink_string(s, f++, r->codes_before);
    rq_sink_int(s, f++, r->merged);
    int in_a = r->evolution != RQ_EVO_NEW, in_b = r->evolution != RQ_EVO_GONE;
    if (in_a)
        rq_sink_int(s, f, r->population_a);
    f++;
    if (in_b)
        rq_sink_int(s, f, r->population_b);
    f++;
    if (in_a)
        phase_text(s, f, r->phases_a);
    f++;
    if (in_b)
        phase_text(s, f, r->phases_b);
    f++;
    phase_text(s, f++, in_a && in_b ? r->phases_b & ~r->phases_a : 0);
    phase_text(s, f++, in_a && in_b ? r->phases_a & ~r->phases_b : 0);
    if (in_a)
        rq_sink_int(s, f, r->trou_a);
    f++;
    if (in_b)
        rq_sink_int(s, f, r->trou_b);
    f++;
    rq_sink_string(s, f++, rq_evolution_names[r->evolution]);
    rq_sink_real(s, f++, r->acces_a);
    rq_sink_real(s, f++, r->acces_b);
    rq_sink_real(s, f++, r->acces_b - r->acces_a); /* NAN when either is unknown */
    rq_buf b = {0};
    for (size_t k = 0; k < r->n_causes; k++)
        rq_buf_join(&b, "|", cmp->causes[r->causes[k]].id);
    char *causes = rq_buf_take(&b);
    rq_sink_string(s, f++, causes);
    free(causes);
}

static void
zone_row(const rq_cmp_zone *z, const rq_sink *s)
{
    rq_sink_string(s, 0, z->phase < 0 ? "toutes" : rq_phase_names[z->phase]);
    rq_sink_string(s, 1, z->id_b);
    rq_sink_string(s, 2, z->ids_a);
    rq_sink_string(s, 3, rq_zone_status_names[z->status]);
    rq_sink_int(s, 4, z->population_a);
    rq_sink_int(s, 5, z->population_b);
    rq_sink_real(s, 6, z->area_a);
    rq_sink_real(s, 7, z->area_b);
    rq_sink_real(s, 8, z->gained_km2);
    rq_sink_real(s, 9, z->lost_km2);
}

static void
cause_row(const rq_comparison *cmp, const rq_cause *c, const rq_sink *s)
{
    rq_sink_string(s, 0, c->id);
    rq_sink_string(s, 1, rq_cause_names[c->type]);
    rq_sink_string(s, 2, c->structure_id);
    rq_sink_string(s, 3, c->site_id);
    rq_sink_string(s, 4, c->category);
    rq_sink_string(s, 5, c->detail);
    rq_sink_int(s, 6, (long)c->n_communes);
    rq_sink_int(s, 7, c->population);
    rq_buf b = {0};
    for (size_t k = 0; k < c->n_communes; k++)
        rq_buf_join(&b, "|", cmp->communes[c->communes[k]].code);
    char *codes = rq_buf_take(&b);
    rq_sink_string(s, 8, codes);
    free(codes);
}

void
rq_layer_cmp_row(const rq_layer *l, const rq_product_ctx *ctx, size_t i, const rq_sink *s)
{
    const rq_comparison *cmp = ctx->cmp;
    if (l->kind == RQ_LAYER_EVOLUTION)
        commune_row(cmp, &cmp->communes[i], s);
    else if (l->kind == RQ_LAYER_EVOLUTION_ZONES)
        zone_row(&cmp->zones[i], s);
    else
        cause_row(cmp, &cmp->causes[i], s);
}

const rq_wkb *
rq_layer_cmp_wkb(const rq_layer *l, const rq_product_ctx *ctx, size_t i)
{
    if (l->kind == RQ_LAYER_EVOLUTION)
        return ctx->cmp->communes[i].geom;
    if (l->kind == RQ_LAYER_EVOLUTION_ZONES)
        return ctx->cmp->zones[i].geom;
    return NULL;
}
