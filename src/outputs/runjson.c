/* runjson.c - run.json: what a planner needs to know how a result was made
** (parameters, inputs and their SHA-256, counts, unmatched codes, warnings,
** tool version, stage timings). Everything but the timings is a function of
** the inputs, so two runs differ only in "durees_s". */
#include "outputs/products.h"

#include "raquette/io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
input(rq_json *arr, const char *role, const rq_input *in)
{
    if (!in->path)
        return;
    char sha[65] = "";
    rq_json *o = rq_json_append_object(arr);
    rq_json_set_string(o, "role", role);
    rq_json_set_string(o, "chemin", in->path);
    if (in->layer)
        rq_json_set_string(o, "couche", in->layer);
    if (rq_io_sha256_file(in->path, sha))
        rq_json_set_string(o, "sha256", sha);
    else
        rq_json_set_null(o, "sha256");
}

/* The analysis' parameters; with_output adds those of the files (the CSV
** dialect), which do not change a result. */
static void
parameters(rq_json *root, const rq_dataset *ds, int with_output)
{
    const rq_config *cfg = ds->cfg;
    rq_json *p = rq_json_set_object(root, "parametres");
    if (cfg->metropole)
        rq_json_set_string(p, "region", RQ_METROPOLE);
    if (cfg->regions) {
        rq_json *r = rq_json_set_array(p, "regions");
        for (size_t i = 0; i < cfg->n_regions; i++)
            rq_json_append_string(r, cfg->regions[i]);
    }
    if (cfg->departements) {
        rq_json *d = rq_json_set_array(p, "departements");
        for (size_t i = 0; i < cfg->n_departements; i++)
            rq_json_append_string(d, cfg->departements[i]);
    }
    rq_json_set_string(p, "crs_metrique", cfg->crs);
    rq_json_set_double(p, "tolerance_bord_m", cfg->edge_tolerance_m, 1);
    rq_json *cats = rq_json_set_object(p, "rayons_km");
    for (size_t k = 0; k < cfg->n_categories; k++)
        rq_json_set_double(cats, cfg->categories[k].name, cfg->categories[k].radius_km, 3);
    rq_json *req = rq_json_set_array(p, "phases_requises");
    for (int q = 0; q < RQ_NPHASES; q++)
        if (cfg->required[q])
            rq_json_append_string(req, rq_phase_names[q]);
    rq_json_set_double(p, "seuil_couverture", cfg->threshold, 6);
    rq_json_set_double(p, "detour", cfg->detour, 6);
    rq_json_set_double(p, "vitesse_kmh", cfg->speed_kmh, 6);
    rq_json *acc = rq_json_set_object(p, "accessibilite");
    rq_json_set_string(acc, "variante", cfg->fca_variant == RQ_FCA_2SFCA ? "2sfca" : "e2sfca");
    static const char *const wname[] = {"step", "gaussian", "gravity"};
    rq_json_set_string(acc, "poids", wname[cfg->weight]);
    rq_json *bands = rq_json_set_array(acc, "bandes");
    for (size_t i = 0; i < cfg->n_bands; i++) {
        rq_json *b = rq_json_append_object(bands);
        rq_json_set_double(b, "jusqu_a_km", cfg->band_km[i], 6);
        rq_json_set_double(b, "poids", cfg->band_w[i], 6);
    }
    rq_json_set_double(acc, "max_km", cfg->max_km, 6);
    rq_json *rur = rq_json_set_object(p, "ruralite");
    rq_json_set_bool(rur, "grille_densite", cfg->density.path != NULL);
    rq_json *levels = rq_json_set_array(rur, "niveaux_ruraux");
    for (int l = 1; l <= 7; l++)
        if (cfg->rural_levels[l])
            rq_json_append_int(levels, l);
    rq_json_set_int(rur, "repli_population_max", cfg->fallback_max_population);
    rq_json_set_double(rur, "repli_densite_min", cfg->fallback_min_density, 6);
    /* The sentence counts the communes the fallback decided: a result of the
    ** run, left out of what two runs compare (with_output 0). */
    if (with_output)
        rq_json_set_string(p, "regle_ruralite", ds->rurality_rule ? ds->rurality_rule : "");
    if (with_output)
        rq_json_set_string(p, "format_csv", cfg->csv_format == RQ_CSV_FR ? "fr" : "standard");
}

/* Every input with its SHA-256, the configuration last. */
static void
inputs(rq_json *in, const rq_product_ctx *ctx)
{
    const rq_config *cfg = ctx->ds->cfg;
    input(in, "communes", &cfg->communes);
    input(in, "unites", &cfg->units);
    input(in, "cog", &cfg->cog);
    input(in, "epci", &cfg->epci);
    input(in, "passage", &cfg->passage);
    input(in, "departements", &cfg->deps);
    input(in, "densite", &cfg->density);
    input(in, "structures", &cfg->structures);
    char sha[65] = "";
    rq_json *o = rq_json_append_object(in);
    rq_json_set_string(o, "role", "configuration");
    rq_json_set_string(o, "chemin", ctx->meta->config_path);
    if (rq_io_sha256_file(ctx->meta->config_path, sha))
        rq_json_set_string(o, "sha256", sha);
}

static void
counts(rq_json *root, const rq_dataset *ds, const rq_results *res)
{
    const rq_stats *st = &ds->stats;
    rq_json *c = rq_json_set_object(root, "comptes");
    rq_json_set_int(c, "contours_lus", (long long)st->n_boundaries);
    rq_json_set_int(c, "contours_non_apparies", (long long)st->n_boundaries_unmatched);
    rq_json_set_double(c, "superficie_non_appariee_km2", st->km2_unmatched, 4);
    rq_json_set_int(c, "contours_doublons_fusionnes", (long long)st->n_duplicates_merged);
    rq_json_set_int(c, "geometries_reparees", (long long)st->n_repaired);
    /* The table's study area and what the analysis covers: named apart,
    ** never one figure for the other (method.md §1.1). */
    rq_json_set_int(c, "communes_table", (long long)st->n_communes_area);
    /* With [units], ds->communes holds the units by now; the communes are
    ** in ds->units (method.md §1.4). */
    const rq_unitset *us = &ds->units;
    rq_json_set_int(c, "communes", (long long)(us->applied ? us->n_area : ds->n_area));
    if (us->n_units) {
        rq_json_set_int(c, "unites", (long long)st->n_units_area);
        rq_json_set_int(c, "population_unites", st->population_units);
        rq_json_set_int(c, "communes_sans_unite", (long long)st->n_communes_no_unit);
    }
    rq_json_set_int(c, "communes_sans_contour", (long long)st->n_communes_no_boundary);
    rq_json_set_int(c, "population_table", st->population_area);
    rq_json_set_int(c, "population", st->population_area - st->population_no_boundary);
    rq_json_set_int(c, "population_sans_contour", st->population_no_boundary);
    static const char *const input_key[RQ_N_CODE_INPUTS] = {
        "contours", "grille_densite", "membres_epci", "sites_commune", "sites_zone"};
    rq_json *h = rq_json_set_object(c, "harmonisation_codes");
    for (int in = 0; in < RQ_N_CODE_INPUTS; in++) {
        rq_json *o = rq_json_set_object(h, input_key[in]);
        for (int r = 0; r < RQ_N_RULES; r++)
            rq_json_set_int(o, rq_rule_names[r], (long long)st->redirects[in][r]);
    }
    rq_json_set_int(c, "communes_rurales", (long long)st->n_rural);
    rq_json_set_int(c, "communes_ruralite_par_defaut", (long long)st->n_fallback);
    rq_json_set_int(c, "sites", (long long)ds->n_sites);
    rq_json_set_int(c, "structures", (long long)ds->n_structures);
    rq_json_set_int(c, "sites_dans_zone_etude", (long long)st->n_sites_area);
    rq_json_set_int(c, "sites_recales_sur_bord", (long long)st->n_sites_snapped);
    rq_json_set_int(c, "lignes_ignorees", (long long)st->n_skipped_rows);
    size_t n_trou = 0, per_phase[RQ_NPHASES + 1] = {0};
    long pop_trou = 0;
    for (size_t a = 0; a < res->n_ind; a++)
        if (res->ind[a].trou) {
            n_trou++;
            pop_trou += ds->communes[res->ind[a].commune].population;
        }
    for (size_t i = 0; i < res->n_gaps; i++)
        per_phase[res->gaps[i].phase + 1]++;
    rq_json_set_int(c, "communes_trou", (long long)n_trou);
    rq_json_set_int(c, "population_trou", pop_trou);
    rq_json *z = rq_json_set_object(c, "zones_trou");
    rq_json_set_int(z, "toutes", (long long)per_phase[0]);
    for (int p = 0; p < RQ_NPHASES; p++)
        if (ds->cfg->required[p])
            rq_json_set_int(z, rq_phase_names[p], (long long)per_phase[p + 1]);
    /* The key figures the report shows first (report.h). */
    rq_json *k = rq_json_set_object(root, "chiffres_cles");
    long pop = 0, parcours = 0, sans_pop = 0, without[RQ_NPHASES] = {0};
    size_t sans = 0;
    for (size_t a = 0; a < res->n_ind; a++) {
        const rq_commune_ind *ind = &res->ind[a];
        long p = ds->communes[ind->commune].population;
        pop += p;
        parcours += ind->parcours_complet ? p : 0;
        if (ind->nb_phases == 0) {
            sans++;
            sans_pop += p;
        }
        for (int q = 0; q < RQ_NPHASES; q++)
            without[q] += ind->phase[q] ? 0 : p;
    }
    rq_json_set_int(k, "population", pop);
    rq_json_set_int(k, "population_parcours_complet", parcours);
    rq_json_set_int(k, "population_rurale_trou", pop_trou);
    rq_json_set_int(k, "zones_trou", (long long)per_phase[0]);
    rq_json_set_int(k, "communes_sans_accompagnement", (long long)sans);
    rq_json_set_int(k, "population_sans_accompagnement", sans_pop);
    for (int q = 0; q < RQ_NPHASES; q++) {
        char key[64];
        snprintf(key, sizeof key, "part_sans_%s", rq_phase_names[q]);
        rq_json_set_double(k, key, pop > 0 ? (double)without[q] / (double)pop : 0, 4);
    }
    rq_json *f = rq_json_set_object(root, "controle_e2sfca");
    rq_json_set_double(f, "somme_capacites_atteignant", res->supply_reached, 6);
    rq_json_set_double(f, "somme_population_acces", res->fca_identity, 6);
}

char *
rq_runjson_text(const rq_product_ctx *ctx)
{
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    const rq_run_meta *meta = ctx->meta;
    const rq_config *cfg = ds->cfg;
    rq_json *root = rq_json_object();
    rq_json_set_string(root, "outil", "raquette");
    rq_json_set_string(root, "version", RQ_VERSION);
    rq_json_set_string(root, "version_methode", RQ_METHOD_VERSION);
    rq_json_set_string(root, "nom", meta->run_name);
    rq_json_set_string(root, "date", meta->date);
    if (cfg->cog_vintage)
        rq_json_set_string(root, "millesime_cog", cfg->cog_vintage);
    else
        rq_json_set_null(root, "millesime_cog");
    rq_json_set_string(root, "licence", cfg->data_licence);
    rq_json_set_string(root, "configuration", meta->config_path);
    parameters(root, ds, 1);
    inputs(rq_json_set_array(root, "entrees"), ctx);
    counts(root, ds, res);
    rq_json *um = rq_json_set_array(root, "codes_non_apparies");
    for (size_t i = 0; i < ds->n_unmatched; i++) {
        rq_json *o = rq_json_append_object(um);
        rq_json_set_string(o, "cote", ds->unmatched[i].side);
        rq_json_set_string(o, "code", ds->unmatched[i].code);
        rq_json_set_string(o, "nom", ds->unmatched[i].name);
        if (ds->unmatched[i].population >= 0)
            rq_json_set_int(o, "population", ds->unmatched[i].population);
        if (!isnan(ds->unmatched[i].area_km2))
            rq_json_set_double(o, "superficie_km2", ds->unmatched[i].area_km2, 4);
    }
    rq_json *w = rq_json_set_array(root, "avertissements");
    for (size_t i = 0; i < ds->warnings.n; i++) {
        const rq_warn_group *g = &ds->warnings.groups[i];
        rq_json *o = rq_json_append_object(w);
        rq_json_set_string(o, "type", g->kind);
        rq_json_set_string(o, "message", g->text);
        rq_json_set_int(o, "nombre", (long long)g->n);
        rq_json *d = rq_json_set_array(o, "details");
        for (size_t j = 0; j < g->n; j++)
            rq_json_append_string(d, g->details[j]);
    }
    rq_json *t = rq_json_set_object(root, "durees_s");
    rq_json_set_double(t, "chargement", meta->seconds_prepare, 3);
    for (size_t i = 0; i < res->n_timings; i++)
        if (!res->timings[i].product)
            rq_json_set_double(t, res->timings[i].stage, res->timings[i].seconds, 3);
    char *text = rq_json_to_string(root);
    rq_json_free(root);
    return text;
}

char *
rq_runjson_part(const rq_product_ctx *ctx, const char *part)
{
    rq_json *root = rq_json_object();
    if (strcmp(part, "parametres") == 0)
        parameters(root, ctx->ds, 0);
    else
        inputs(rq_json_set_array(root, part), ctx);
    char *text = rq_json_to_string(root);
    rq_json_free(root);
    return text;
}
