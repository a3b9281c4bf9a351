/* layers.c - the layers that several formats write: the communes, the
** sites, their reaches, the gap zones, the départements, the EPCI and the
** study area. One definition of each layer's fields (names of method.md
** §6, their documentation in French for the GeoPackage's data dictionary
** and QGIS aliases) and one function filling a row serve GeoJSON, CSV,
** GeoPackage and the workbook alike, so that they cannot drift apart.
**
** Units and decimals are listed in docs/outputs.md, which must change with
** this file.
*/
#include "outputs/products.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimals of each kind of number (docs/outputs.md, "Number formats"). */
enum { D_SHARE = 4, D_KM2 = 4, D_DENS = 2, D_KM = 3, D_MIN = 1, D_ACCES = 4 };

/* ---- Building the field list ---------------------------------------------- */

size_t
rq_layer_field(rq_layer *l, const char *name, rq_field_type t, int decimals, const char *doc)
{
    l->fields = rq_xreallocarray(l->fields, l->n_fields + 1, sizeof *l->fields);
    l->fields[l->n_fields] = (rq_field_def){name, t, decimals, doc};
    return l->n_fields++;
}

const char *
rq_layer_own(rq_layer *l, char *s)
{
    l->owned = rq_xreallocarray(l->owned, l->n_owned + 1, sizeof *l->owned);
    l->owned[l->n_owned++] = s;
    return s;
}

/* A field named prefix + arg + suffix ("couv_" "cae" ""), documented by doc
** with its "%s" replaced by arg. */
static size_t
fieldf(rq_layer *l, rq_field_type t, int decimals, const char *prefix, const char *arg,
       const char *suffix, const char *doc)
{
    const char *name = rq_layer_own(l, rq_xasprintf("%s%s%s", prefix, arg, suffix));
    const char *at = strstr(doc, "%s");
    int head = at ? (int)(at - doc) : (int)strlen(doc);
    const char *text =
        rq_layer_own(l, rq_xasprintf("%.*s%s%s", head, doc, at ? arg : "", at ? at + 2 : ""));
    return rq_layer_field(l, name, t, decimals, text);
}

/* ---- Communes --------------------------------------------------------------- */

static void
communes_fields(rq_layer *l, const rq_config *cfg)
{
    if (cfg->units.path) /* each row is a study unit of the commune code_insee */
        rq_layer_field(l, "id_unite", RQ_FT_STRING, 0,
                       "Identifiant de l'unité d'étude (maille), dans la commune code_insee");
    rq_layer_field(l, "code_insee", RQ_FT_STRING, 0,
                   "Code INSEE de la commune (table des communes de l'année, après harmonisation)");
    rq_layer_field(l, "nom", RQ_FT_STRING, 0, "Nom de la commune");
    rq_layer_field(l, "departement", RQ_FT_STRING, 0, "Code du département");
    rq_layer_field(l, "epci", RQ_FT_STRING, 0, "Code SIREN de l'EPCI à fiscalité propre");
    rq_layer_field(l, "population", RQ_FT_INT, 0, "Population municipale (habitants)");
    rq_layer_field(l, "superficie_km2", RQ_FT_REAL, D_KM2,
                   "Superficie du contour harmonisé, calculée dans le système métrique (km²)");
    rq_layer_field(l, "densite_hab_km2", RQ_FT_REAL, D_DENS,
                   "Densité : population / superficie (habitants par km²)");
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(l, RQ_FT_REAL, D_SHARE, "couv_", cfg->categories[k].name, "",
               "Part de la superficie de la commune dans la portée des structures « %s » "
               "(0 à 1)");
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(l, RQ_FT_INT, 0, "nb_", cfg->categories[k].name, "",
               "Nombre de structures « %s » dont la portée couvre au moins le seuil de "
               "couverture de la commune");
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(l, RQ_FT_REAL, D_KM, "dist_", cfg->categories[k].name, "_km",
               "Distance à vol d'oiseau au site « %s » le plus proche dont la zone "
               "d'intervention contient la commune (km) ; vide s'il n'y en a pas");
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(l, RQ_FT_REAL, D_MIN, "temps_", cfg->categories[k].name, "_min",
               "Temps de trajet estimé jusqu'au site « %s » le plus proche : distance × détour / "
               "vitesse (minutes)");
    for (int p = 0; p < RQ_NPHASES; p++)
        fieldf(l, RQ_FT_INT, 0, "phase_", rq_phase_names[p], "",
               "1 si une structure accompagnant la phase « %s » couvre la commune (au moins le "
               "seuil de couverture), sinon 0");
    rq_layer_field(l, "nb_phases", RQ_FT_INT, 0,
                   "Nombre de phases couvertes, requises ou non (0 à 4)");
    rq_layer_field(l, "parcours_complet", RQ_FT_INT, 0, "1 si les quatre phases sont couvertes");
    rq_layer_field(
        l, "acces_e2sfca", RQ_FT_REAL, D_ACCES,
        "Indice d'accessibilité E2SFCA : projets accompagnés par an pour 10 000 habitants");
    rq_layer_field(
        l, "rural", RQ_FT_INT, 0,
        "1 si la commune est rurale (grille communale de densité INSEE, ou règle de repli)");
    rq_layer_field(l, "trou", RQ_FT_INT, 0,
                   "1 si la commune est rurale et qu'une phase requise y manque");
    rq_layer_field(l, "phases_manquantes", RQ_FT_STRING, 0,
                   "Phases requises non couvertes, séparées par |, dans l'ordre des phases");
    rq_layer_field(l, "nb_phases_manquantes", RQ_FT_INT, 0,
                   "Nombre de phases requises non couvertes : la gravité du manque");
    rq_layer_field(
        l, "zone_trou", RQ_FT_STRING, 0,
        "Identifiant de la zone de trou (toutes phases requises) qui contient la commune");
    for (int p = 0; p < RQ_NPHASES; p++)
        if (cfg->required[p])
            fieldf(l, RQ_FT_STRING, 0, "zone_trou_", rq_phase_names[p], "",
                   "Identifiant de la zone de trou de la phase « %s » qui contient la commune");
}

static void
communes_row(const rq_layer *l, const rq_product_ctx *ctx, size_t a, const rq_sink *w)
{
    (void)l;
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    const rq_config *cfg = ds->cfg;
    const rq_commune_ind *ind = &res->ind[a];
    const rq_commune *cm = &ds->communes[ind->commune];
    size_t f = 0, nk = cfg->n_categories;
    char buf[128];
    if (cfg->units.path)
        rq_sink_string(w, f++, cm->code);
    rq_sink_string(w, f++, cm->insee);
    rq_sink_string(w, f++, cm->name);
    rq_sink_string(w, f++, cm->dep);
    rq_sink_string(w, f++, cm->epci);
    rq_sink_int(w, f++, cm->population);
    rq_sink_real(w, f++, cm->area_km2);
    rq_sink_real(w, f++, cm->area_km2 > 0 ? (double)cm->population / cm->area_km2 : NAN);
    for (size_t k = 0; k < nk; k++)
        rq_sink_real(w, f + k, ind->couv[k]);
    for (size_t k = 0; k < nk; k++)
        rq_sink_int(w, f + nk + k, ind->nb[k]);
    for (size_t k = 0; k < nk; k++)
        rq_sink_real(w, f + 2 * nk + k, ind->dist_km[k]);
    for (size_t k = 0; k < nk; k++)
        rq_sink_real(w, f + 3 * nk + k, ind->temps_min[k]);
    f += 4 * nk;
    for (int p = 0; p < RQ_NPHASES; p++)
        rq_sink_int(w, f++, ind->phase[p]);
    rq_sink_int(w, f++, ind->nb_phases);
    rq_sink_int(w, f++, ind->parcours_complet);
    rq_sink_real(w, f++, ind->acces_e2sfca);
    rq_sink_int(w, f++, ind->rural);
    rq_sink_int(w, f++, ind->trou);
    rq_phase_list(ind->missing, buf, sizeof buf);
    rq_sink_string(w, f++, buf);
    rq_sink_int(w, f++, ind->nb_phases_manquantes);
    rq_sink_string(w, f++, ind->zone_trou >= 0 ? res->gaps[ind->zone_trou].id : NULL);
    for (int p = 0; p < RQ_NPHASES; p++)
        if (cfg->required[p])
            rq_sink_string(w, f++,
                           ind->zone_trou_p[p] >= 0 ? res->gaps[ind->zone_trou_p[p]].id : NULL);
}

/* ---- Sites and their reaches ------------------------------------------------ */

static void
sites_fields(rq_layer *l)
{
    rq_layer_field(l, "site_id", RQ_FT_STRING, 0, "Identifiant du site");
    rq_layer_field(l, "structure_id", RQ_FT_STRING, 0,
                   "Identifiant de la structure dont il est un site");
    rq_layer_field(l, "nom", RQ_FT_STRING, 0, "Nom du site");
    rq_layer_field(l, "categorie", RQ_FT_STRING, 0, "Catégorie de la structure");
    rq_layer_field(l, "phases", RQ_FT_STRING, 0,
                   "Phases de la vie d'un projet que la structure accompagne, séparées par |");
    rq_layer_field(l, "zone_type", RQ_FT_STRING, 0,
                   "Type de zone d'intervention : region, departement, epci, communes ou national");
    rq_layer_field(
        l, "zone_codes", RQ_FT_STRING, 0,
        "Codes de la zone d'intervention (codes actuels, après harmonisation), séparés par |");
    if (l->kind == RQ_LAYER_PORTEES) {
        rq_layer_field(l, "rayon_km", RQ_FT_REAL, 3, "Rayon de la portée (km)");
        return;
    }
    rq_layer_field(l, "site_type", RQ_FT_STRING, 0, "Type de site : siege, antenne ou permanence");
    rq_layer_field(l, "commune_code", RQ_FT_STRING, 0, "Code INSEE actuel de la commune du site");
    rq_layer_field(
        l, "capacite", RQ_FT_REAL, 2,
        "Capacité : projets accompagnés par an sur ce site ; vide si non renseignée (comptée 0)");
    rq_layer_field(
        l, "rayon_km", RQ_FT_REAL, 3,
        "Rayon de la portée : celui de la ligne, ou à défaut celui de la catégorie (km)");
    rq_layer_field(l, "itinerant", RQ_FT_INT, 0, "1 pour un service itinérant");
    rq_layer_field(
        l, "localisation", RQ_FT_STRING, 0,
        "Comment le site est placé : coordonnees (lon/lat donnés) ou commune (point de la "
        "commune)");
    rq_layer_field(l, "dans_zone_etude", RQ_FT_INT, 0, "1 si le site est dans la zone d'étude");
}

static void
sites_row(const rq_layer *l, const rq_product_ctx *ctx, size_t i, const rq_sink *w)
{
    const rq_dataset *ds = ctx->ds;
    const rq_site *s = &ds->sites[i];
    const rq_zone *z = &ds->zones[s->zone];
    char phases[128], ztype[16];
    const char *colon = strchr(z->key, ':');
    size_t tl = colon ? (size_t)(colon - z->key) : 0;
    rq_strlcpy(ztype, z->key, tl + 1 < sizeof ztype ? tl + 1 : sizeof ztype);
    rq_phase_list(s->phases, phases, sizeof phases);
    size_t f = 0;
    rq_sink_string(w, f++, s->site_id);
    rq_sink_string(w, f++, s->structure_id);
    rq_sink_string(w, f++, s->name);
    rq_sink_string(w, f++, ds->cfg->categories[s->category].name);
    rq_sink_string(w, f++, phases);
    rq_sink_string(w, f++, ztype);
    rq_sink_string(w, f++, colon ? colon + 1 : "");
    if (l->kind == RQ_LAYER_PORTEES) {
        rq_sink_real(w, f++, s->radius_km);
        return;
    }
    rq_sink_string(w, f++, s->site_type);
    rq_sink_string(w, f++, s->commune_code);
    if (s->capacity_missing)
        rq_sink_null(w, f++);
    else
        rq_sink_real(w, f++, s->capacity);
    rq_sink_real(w, f++, s->radius_km);
    rq_sink_int(w, f++, s->itinerant);
    rq_sink_string(w, f++, s->by_coords ? "coordonnees" : "commune");
    rq_sink_int(w, f++, s->in_area);
}

/* ---- Gap zones -------------------------------------------------------------- */

static void
gaps_fields(rq_layer *l)
{
    rq_layer_field(
        l, "id", RQ_FT_STRING, 0,
        "Identifiant de la zone : T001… (toutes phases requises), EM, CR, CO, DE… par phase ; "
        "rang par population");
    rq_layer_field(l, "phase", RQ_FT_STRING, 0, "Phase de la zone : toutes, ou la phase manquante");
    rq_layer_field(l, "nb_communes", RQ_FT_INT, 0, "Nombre de communes de la zone");
    rq_layer_field(l, "population", RQ_FT_INT, 0, "Population municipale de la zone (habitants)");
    rq_layer_field(l, "superficie_km2", RQ_FT_REAL, D_KM2,
                   "Somme des superficies des communes (km²)");
    rq_layer_field(
        l, "phases_manquantes", RQ_FT_STRING, 0,
        "Phases requises manquantes dans au moins une commune de la zone, séparées par |");
    rq_layer_field(l, "departements", RQ_FT_STRING, 0, "Départements de la zone, séparés par |");
    rq_layer_field(l, "communes", RQ_FT_STRING, 0,
                   "Codes INSEE des communes de la zone, séparés par |");
}

static void
gaps_row(const rq_layer *l, const rq_product_ctx *ctx, size_t i, const rq_sink *w)
{
    (void)l;
    const rq_dataset *ds = ctx->ds;
    const rq_gap_zone *z = &ctx->res->gaps[i];
    char miss[128];
    rq_phase_list(z->missing, miss, sizeof miss);
    /* The member codes, for a join without a spatial query. */
    size_t len = 1;
    for (size_t j = 0; j < z->n_communes; j++)
        len += strlen(ds->communes[z->communes[j]].code) + 1;
    char *codes = rq_xmalloc(len);
    size_t at = 0;
    codes[0] = '\0';
    for (size_t j = 0; j < z->n_communes; j++)
        at += (size_t)snprintf(codes + at, len - at, "%s%s", j ? "|" : "",
                               ds->communes[z->communes[j]].code);
    rq_sink_string(w, 0, z->id);
    rq_sink_string(w, 1, z->phase < 0 ? "toutes" : rq_phase_names[z->phase]);
    rq_sink_int(w, 2, (long)z->n_communes);
    rq_sink_int(w, 3, z->population);
    rq_sink_real(w, 4, z->area_km2);
    rq_sink_string(w, 5, miss);
    rq_sink_string(w, 6, z->departements);
    rq_sink_string(w, 7, codes);
    free(codes);
}

/* ---- Aggregates ------------------------------------------------------------- */

static void
aggregates_fields(rq_layer *l)
{
    rq_layer_field(l, "code", RQ_FT_STRING, 0,
                   "Code du département, SIREN de l'EPCI, ou zone d'étude telle que configurée");
    rq_layer_field(l, "nom", RQ_FT_STRING, 0, "Nom");
    rq_layer_field(l, "communes", RQ_FT_INT, 0, "Nombre de communes (dans la zone d'étude)");
    rq_layer_field(l, "population", RQ_FT_INT, 0, "Population municipale (habitants)");
    for (int p = 0; p < RQ_NPHASES; p++)
        fieldf(l, RQ_FT_REAL, D_SHARE, "part_phase_", rq_phase_names[p], "",
               "Part de la population dans les communes où la phase « %s » est couverte (0 à 1)");
    rq_layer_field(l, "part_parcours_complet", RQ_FT_REAL, D_SHARE,
                   "Part de la population dans les communes au parcours complet (0 à 1)");
    rq_layer_field(l, "population_rurale", RQ_FT_INT, 0,
                   "Population des communes rurales (habitants)");
    rq_layer_field(l, "communes_trou", RQ_FT_INT, 0, "Nombre de communes en trou");
    rq_layer_field(l, "population_trou", RQ_FT_INT, 0,
                   "Population des communes en trou (habitants)");
    rq_layer_field(
        l, "acces_e2sfca_moyen", RQ_FT_REAL, D_ACCES,
        "Indice E2SFCA moyen pondéré par la population (projets par an pour 10 000 habitants)");
}

static const rq_aggregate *
aggregate_of(const rq_layer *l, const rq_product_ctx *ctx, size_t i)
{
    const rq_results *res = ctx->res;
    return l->kind == RQ_LAYER_DEPARTEMENTS ? &res->agg_dep[i]
           : l->kind == RQ_LAYER_EPCI       ? &res->agg_epci[i]
                                            : &res->agg_area;
}

static void
aggregates_row(const rq_layer *l, const rq_product_ctx *ctx, size_t i, const rq_sink *w)
{
    const rq_aggregate *g = aggregate_of(l, ctx, i);
    rq_sink_string(w, 0, g->code);
    rq_sink_string(w, 1, g->name);
    rq_sink_int(w, 2, (long)g->communes);
    rq_sink_int(w, 3, g->population);
    for (int p = 0; p < RQ_NPHASES; p++)
        rq_sink_real(w, 4 + (size_t)p, g->part_phase[p]);
    rq_sink_real(w, 8, g->part_parcours);
    rq_sink_int(w, 9, g->pop_rurale);
    rq_sink_int(w, 10, (long)g->communes_trou);
    rq_sink_int(w, 11, g->pop_trou);
    rq_sink_real(w, 12, g->acces_moyen);
}

/* ---- Layers ----------------------------------------------------------------- */

void
rq_layer_rows(rq_layer *l, size_t n)
{
    l->rows = rq_xcalloc(n + 1, sizeof *l->rows);
    for (size_t i = 0; i < n; i++)
        l->rows[l->n_rows++] = i;
}

void
rq_layer_name(rq_layer *l, const char *name, const char *title, const char *description)
{
    rq_strlcpy(l->name, name, sizeof l->name);
    rq_strlcpy(l->title, title, sizeof l->title);
    rq_strlcpy(l->description, description, sizeof l->description);
}

static void
init_gaps(rq_layer *l, int phase, const rq_product_ctx *ctx)
{
    const rq_results *res = ctx->res;
    l->gtype = RQ_OUT_POLYGON;
    gaps_fields(l);
    l->rows = rq_xcalloc(res->n_gaps + 1, sizeof *l->rows);
    for (size_t i = 0; i < res->n_gaps; i++)
        if (phase == RQ_GAPS_EVERY || res->gaps[i].phase == phase)
            l->rows[l->n_rows++] = i;
    if (phase == RQ_GAPS_EVERY) {
        rq_layer_name(
            l, "trous", "Zones de trou",
            "Zones de trou : groupes de communes rurales contiguës sans une phase requise");
    } else if (phase == RQ_GAPS_OVERALL) {
        rq_layer_name(l, "trous", "Zones de trou (toutes phases requises)",
                      "Groupes de communes rurales contiguës auxquelles manque au moins une phase "
                      "requise");
    } else {
        char name[48], title[96], desc[256];
        snprintf(name, sizeof name, "trous_%s", rq_phase_names[phase]);
        snprintf(title, sizeof title, "Zones sans accompagnement : %s", rq_phase_labels[phase]);
        snprintf(desc, sizeof desc,
                 "Groupes de communes rurales contiguës sans structure pour la phase « %s »",
                 rq_phase_labels[phase]);
        rq_layer_name(l, name, title, desc);
    }
}

void
rq_layer_init(rq_layer *l, rq_layer_kind kind, int phase, const rq_product_ctx *ctx)
{
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->phase = phase;
    switch (kind) {
    case RQ_LAYER_COMMUNES:
        rq_layer_name(l, "communes", "Communes",
                      "Indicateurs d'accompagnement par commune (method.md §3)");
        l->gtype = RQ_OUT_POLYGON;
        communes_fields(l, ctx->ds->cfg);
        rq_layer_rows(l, ctx->res->n_ind);
        break;
    case RQ_LAYER_SITES:
    case RQ_LAYER_PORTEES:
        if (kind == RQ_LAYER_SITES)
            rq_layer_name(l, "sites", "Sites des structures",
                          "Sites des structures d'accompagnement, placés");
        else
            rq_layer_name(l, "portees", "Portée des sites",
                          "Portée de chaque site : zone d'intervention ∩ disque du rayon du site");
        l->gtype = kind == RQ_LAYER_SITES ? RQ_OUT_POINT : RQ_OUT_POLYGON;
        sites_fields(l);
        rq_layer_rows(l, ctx->ds->n_sites);
        break;
    case RQ_LAYER_TROUS:
        init_gaps(l, phase, ctx);
        break;
    case RQ_LAYER_DEPARTEMENTS:
    case RQ_LAYER_EPCI:
    case RQ_LAYER_ZONE_ETUDE:
        if (kind == RQ_LAYER_DEPARTEMENTS)
            rq_layer_name(l, "departements", "Départements", "Agrégats par département");
        else if (kind == RQ_LAYER_EPCI)
            rq_layer_name(l, "epci", "EPCI", "Agrégats par EPCI à fiscalité propre");
        else
            rq_layer_name(l, "zone_etude", "Zone d'étude", "Agrégats de toute la zone d'étude");
        l->gtype = kind == RQ_LAYER_ZONE_ETUDE ? RQ_OUT_NOGEOM : RQ_OUT_POLYGON;
        aggregates_fields(l);
        rq_layer_rows(l, kind == RQ_LAYER_DEPARTEMENTS ? ctx->res->n_agg_dep
                         : kind == RQ_LAYER_EPCI       ? ctx->res->n_agg_epci
                                                       : 1);
        break;
    case RQ_LAYER_EVOLUTION:
    case RQ_LAYER_EVOLUTION_ZONES:
    case RQ_LAYER_CAUSES:
        rq_layer_init_cmp(l, ctx);
        break;
    }
}

void
rq_layer_fini(rq_layer *l)
{
    for (size_t i = 0; i < l->n_owned; i++)
        free(l->owned[i]);
    free(l->owned);
    free(l->fields);
    free(l->rows);
    memset(l, 0, sizeof *l);
}

/* The metric WKB of row i; NULL for a point layer or no geometry. */
static const rq_wkb *
row_wkb(const rq_layer *l, const rq_product_ctx *ctx, size_t i)
{
    const rq_out_geoms *g = ctx->geoms;
    switch (l->kind) {
    case RQ_LAYER_COMMUNES:
        return &g->communes[i];
    case RQ_LAYER_PORTEES:
        return &g->reach[i];
    case RQ_LAYER_TROUS:
        return &g->gaps[i];
    case RQ_LAYER_DEPARTEMENTS:
        return &g->deps[i];
    case RQ_LAYER_EPCI:
        return &g->epcis[i];
    case RQ_LAYER_EVOLUTION:
    case RQ_LAYER_EVOLUTION_ZONES:
        return rq_layer_cmp_wkb(l, ctx, i);
    default:
        return NULL;
    }
}

/* Sets row i's geometry, in the metric CRS: a point from the site's
** position, else its WKB. */
static rq_status
set_geometry(const rq_layer *l, const rq_product_ctx *ctx, size_t i, const rq_sink *w, rq_err *err)
{
    rq_geos *g = ctx->g;
    if (l->kind != RQ_LAYER_SITES) {
        const rq_wkb *wkb = row_wkb(l, ctx, i);
        if (!wkb || !wkb->len)
            return RQ_OK; /* no geometry: null */
        return w->set_geometry_wkb(w->h, wkb->data, wkb->len, err);
    }
    const rq_site *s = &ctx->ds->sites[i];
    rq_geom *geom = rq_geom_point(g, s->x, s->y);
    size_t len = 0;
    unsigned char *wkb = geom ? rq_geom_to_wkb(g, geom, &len) : NULL;
    rq_geom_destroy(g, geom);
    if (!wkb)
        return rq_err_set(err, RQ_ERR_GEOS, "cannot make the point of site %s: %s", s->site_id,
                          rq_geos_last_error(g));
    rq_status rc = w->set_geometry_wkb(w->h, wkb, len, err);
    free(wkb);
    return rc;
}

rq_status
rq_layer_fill(const rq_layer *l, const rq_product_ctx *ctx, const rq_sink *w, rq_geom_mode mode,
              rq_err *err)
{
    rq_status rc = RQ_OK;
    for (size_t r = 0; r < l->n_rows && rc == RQ_OK; r++) {
        size_t i = l->rows[r];
        switch (l->kind) {
        case RQ_LAYER_COMMUNES:
            communes_row(l, ctx, i, w);
            break;
        case RQ_LAYER_SITES:
        case RQ_LAYER_PORTEES:
            sites_row(l, ctx, i, w);
            break;
        case RQ_LAYER_TROUS:
            gaps_row(l, ctx, i, w);
            break;
        case RQ_LAYER_EVOLUTION:
        case RQ_LAYER_EVOLUTION_ZONES:
        case RQ_LAYER_CAUSES:
            rq_layer_cmp_row(l, ctx, i, w);
            break;
        default:
            aggregates_row(l, ctx, i, w);
        }
        if (mode != RQ_GEOM_NONE && l->gtype != RQ_OUT_NOGEOM)
            rc = set_geometry(l, ctx, i, w, err);
        if (rc == RQ_OK)
            rc = w->add(w->h, err);
    }
    return rc;
}

rq_status
rq_layer_write_take(const rq_layer *l, const rq_product_ctx *ctx, rq_writer *w, rq_geom_mode mode,
                    rq_err *err)
{
    if (!w)
        return rq_err_code(err);
    rq_sink sink = rq_writer_sink(w);
    return rq_writer_finish(w, rq_layer_fill(l, ctx, &sink, mode, err), err);
}

rq_status
rq_layer_save(const rq_product_ctx *ctx, rq_layer_kind kind, int phase, const char *file,
              rq_out_format fmt, rq_err *err)
{
    rq_layer l;
    rq_layer_init(&l, kind, phase, ctx);
    char *path = rq_product_path(ctx, file);
    int geojson = fmt == RQ_OUT_GEOJSON;
    rq_writer *w =
        rq_writer_open(path, fmt, l.name, l.fields, l.n_fields, geojson ? l.gtype : RQ_OUT_NOGEOM,
                       geojson && l.gtype != RQ_OUT_NOGEOM ? ctx->crs : NULL, err);
    rq_status rc = rq_layer_write_take(&l, ctx, w, geojson ? RQ_GEOM_METRIC : RQ_GEOM_NONE, err);
    free(path);
    rq_layer_fini(&l);
    return rc;
}

char *
rq_product_path(const rq_product_ctx *ctx, const char *name)
{
    return rq_outdir_file(ctx->od, name);
}
