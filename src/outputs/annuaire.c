/* annuaire.c - the orientation directory ("qui m'accompagne ici ?"), for
** the people who orient project holders and for the structures:
**
**  annuaire.csv                one row per commune, phase and structure that
**                              covers the commune (its reach holds at least
**                              seuil_couverture of it) and serves the phase:
**                              the structure's nearest site, its distance and
**                              estimated travel time;
**  structures_couverture.csv   per structure, the communes and population it
**                              covers, per phase it serves;
**  recouvrements.csv           pairs of structures whose coverage overlaps:
**                              the communes and population in common, and
**                              whether they serve a phase in common.
**
** Everything comes from res->covers (the indicators stage): a structure
** "covers" a commune exactly when it counts in nb_<k> and phase_<p>. The
** pairs are counted structure by structure with one array of structures,
** never with a table of every pair.
*/
#include "outputs/products.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A CSV of the directory: opens it, or sets err. */
static rq_writer *
open_csv(const rq_product_ctx *ctx, const char *file, const char *layer, const rq_field_def *f,
         size_t n, rq_err *err)
{
    char *path = rq_product_path(ctx, file);
    rq_writer *w = rq_writer_open(path, rq_csv_format(ctx), layer, f, n, RQ_OUT_NOGEOM, NULL, err);
    free(path);
    return w;
}

static int
covers_enough(const rq_product_ctx *ctx, const rq_cover *v)
{
    return v->ratio >= ctx->ds->cfg->threshold; /* inclusive, unrounded (method.md §3) */
}

/* ---- annuaire.csv ------------------------------------------------------- */

static rq_status
write_directory(const rq_product_ctx *ctx, rq_err *err)
{
    static const rq_field_def f[] = {
        {"code_insee", RQ_FT_STRING, 0, NULL}, {"commune", RQ_FT_STRING, 0, NULL},
        {"phase", RQ_FT_STRING, 0, NULL},      {"structure_id", RQ_FT_STRING, 0, NULL},
        {"categorie", RQ_FT_STRING, 0, NULL},  {"site_id", RQ_FT_STRING, 0, NULL},
        {"site", RQ_FT_STRING, 0, NULL},       {"site_commune", RQ_FT_STRING, 0, NULL},
        {"distance_km", RQ_FT_REAL, 3, NULL},  {"temps_min", RQ_FT_REAL, 1, NULL},
    };
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    const rq_config *cfg = ds->cfg;
    rq_writer *w = open_csv(ctx, "annuaire.csv", "annuaire", f, sizeof f / sizeof f[0], err);
    if (!w)
        return rq_err_code(err);
    rq_status rc = RQ_OK;
    /* res->covers is sorted by commune then structure; for each commune and
    ** phase, its structures by distance (then by their order). */
    size_t *order = rq_xcalloc(ds->n_structures + 1, sizeof *order);
    for (size_t b = 0, e = 0; b < res->n_covers && rc == RQ_OK; b = e) {
        while (e < res->n_covers && res->covers[e].pos == res->covers[b].pos)
            e++;
        const rq_commune *c = &ds->communes[res->ind[res->covers[b].pos].commune];
        for (int p = 0; p < RQ_NPHASES && rc == RQ_OK; p++) {
            size_t n = 0;
            for (size_t q = b; q < e; q++)
                if (covers_enough(ctx, &res->covers[q]) &&
                    (ds->structures[res->covers[q].structure].phases & (1u << p)))
                    order[n++] = q;
            /* Few per commune: insertion sort by distance keeps it stable. */
            for (size_t i = 1; i < n; i++)
                for (size_t j = i;
                     j > 0 && res->covers[order[j]].dist_km < res->covers[order[j - 1]].dist_km;
                     j--) {
                    size_t t = order[j];
                    order[j] = order[j - 1];
                    order[j - 1] = t;
                }
            for (size_t i = 0; i < n && rc == RQ_OK; i++) {
                const rq_cover *v = &res->covers[order[i]];
                const rq_structure *st = &ds->structures[v->structure];
                const rq_site *s = &ds->sites[v->site];
                rq_writer_set_string(w, 0, c->code);
                rq_writer_set_string(w, 1, c->name);
                rq_writer_set_string(w, 2, rq_phase_names[p]);
                rq_writer_set_string(w, 3, st->id);
                rq_writer_set_string(w, 4, cfg->categories[st->category].name);
                rq_writer_set_string(w, 5, s->site_id);
                rq_writer_set_string(w, 6, s->name);
                rq_writer_set_string(w, 7, s->commune_code);
                rq_writer_set_real(w, 8, v->dist_km);
                rq_writer_set_real(w, 9, v->dist_km * cfg->detour / cfg->speed_kmh * 60.0);
                rc = rq_writer_add(w, err);
            }
        }
    }
    free(order);
    return rq_writer_finish(w, rc, err);
}

/* ---- structures_couverture.csv ------------------------------------------ */

static rq_status
write_structures(const rq_product_ctx *ctx, rq_err *err)
{
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    rq_field_def f[6 + 2 * RQ_NPHASES];
    char names[2 * RQ_NPHASES][48];
    size_t nf = 0;
    f[nf++] = (rq_field_def){"structure_id", RQ_FT_STRING, 0, NULL};
    f[nf++] = (rq_field_def){"categorie", RQ_FT_STRING, 0, NULL};
    f[nf++] = (rq_field_def){"phases", RQ_FT_STRING, 0, NULL};
    f[nf++] = (rq_field_def){"sites", RQ_FT_INT, 0, NULL};
    f[nf++] = (rq_field_def){"communes_couvertes", RQ_FT_INT, 0, NULL};
    f[nf++] = (rq_field_def){"population_couverte", RQ_FT_INT, 0, NULL};
    for (int p = 0; p < RQ_NPHASES; p++) {
        snprintf(names[2 * p], sizeof names[0], "communes_%s", rq_phase_names[p]);
        snprintf(names[2 * p + 1], sizeof names[0], "population_%s", rq_phase_names[p]);
        f[nf++] = (rq_field_def){names[2 * p], RQ_FT_INT, 0, NULL};
        f[nf++] = (rq_field_def){names[2 * p + 1], RQ_FT_INT, 0, NULL};
    }
    size_t *communes = rq_xcalloc(ds->n_structures + 1, sizeof *communes);
    long *pop = rq_xcalloc(ds->n_structures + 1, sizeof *pop);
    for (size_t q = 0; q < res->n_covers; q++) {
        const rq_cover *v = &res->covers[q];
        if (!covers_enough(ctx, v))
            continue;
        communes[v->structure]++;
        pop[v->structure] += ds->communes[res->ind[v->pos].commune].population;
    }
    rq_status rc = RQ_OK;
    rq_writer *w = open_csv(ctx, "structures_couverture.csv", "structures_couverture", f, nf, err);
    if (!w)
        rc = rq_err_code(err);
    for (size_t k = 0; k < ds->n_structures && rc == RQ_OK; k++) {
        const rq_structure *st = &ds->structures[k];
        char phases[128];
        rq_phase_list(st->phases, phases, sizeof phases);
        rq_writer_set_string(w, 0, st->id);
        rq_writer_set_string(w, 1, ds->cfg->categories[st->category].name);
        rq_writer_set_string(w, 2, phases);
        rq_writer_set_int(w, 3, (long)st->n_sites);
        rq_writer_set_int(w, 4, (long)communes[k]);
        rq_writer_set_int(w, 5, pop[k]);
        for (int p = 0; p < RQ_NPHASES; p++) {
            int serves = (st->phases >> p) & 1u;
            rq_writer_set_int(w, 6 + 2 * (size_t)p, serves ? (long)communes[k] : 0);
            rq_writer_set_int(w, 7 + 2 * (size_t)p, serves ? pop[k] : 0);
        }
        rc = rq_writer_add(w, err);
    }
    free(communes);
    free(pop);
    return rq_writer_finish(w, rc, err);
}

/* ---- recouvrements.csv -------------------------------------------------- */

/* For each structure, the positions (in res->covers) of the communes it
** covers enough: by_structure[start[s] .. start[s+1]). */
static size_t *
index_by_structure(const rq_product_ctx *ctx, size_t **start_out)
{
    const rq_results *res = ctx->res;
    size_t ns = ctx->ds->n_structures;
    size_t *start = rq_xcalloc(ns + 2, sizeof *start);
    size_t *fill = rq_xcalloc(ns + 1, sizeof *fill);
    size_t *v = rq_xcalloc(res->n_covers + 1, sizeof *v);
    for (size_t q = 0; q < res->n_covers; q++)
        if (covers_enough(ctx, &res->covers[q]))
            start[res->covers[q].structure + 1]++;
    for (size_t s = 0; s < ns; s++)
        start[s + 1] += start[s];
    for (size_t q = 0; q < res->n_covers; q++)
        if (covers_enough(ctx, &res->covers[q])) {
            size_t s = res->covers[q].structure;
            v[start[s] + fill[s]++] = q;
        }
    free(fill);
    *start_out = start;
    return v;
}

static rq_status
write_overlaps(const rq_product_ctx *ctx, rq_err *err)
{
    static const rq_field_def f[] = {
        {"structure_a", RQ_FT_STRING, 0, NULL},     {"categorie_a", RQ_FT_STRING, 0, NULL},
        {"phases_a", RQ_FT_STRING, 0, NULL},        {"structure_b", RQ_FT_STRING, 0, NULL},
        {"categorie_b", RQ_FT_STRING, 0, NULL},     {"phases_b", RQ_FT_STRING, 0, NULL},
        {"communes_en_commun", RQ_FT_INT, 0, NULL}, {"population_en_commun", RQ_FT_INT, 0, NULL},
        {"meme_phase", RQ_FT_INT, 0, NULL},         {"phases_en_commun", RQ_FT_STRING, 0, NULL},
    };
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    size_t ns = ds->n_structures;
    size_t *start = NULL;
    size_t *by_s = index_by_structure(ctx, &start);
    size_t *n_common = rq_xcalloc(ns + 1, sizeof *n_common);
    long *pop_common = rq_xcalloc(ns + 1, sizeof *pop_common);
    size_t *touched = rq_xcalloc(ns + 1, sizeof *touched);
    rq_status rc = RQ_OK;
    rq_writer *w =
        open_csv(ctx, "recouvrements.csv", "recouvrements", f, sizeof f / sizeof f[0], err);
    if (!w)
        rc = rq_err_code(err);
    for (size_t a = 0; a < ns && rc == RQ_OK; a++) {
        size_t n_touched = 0;
        /* Every commune a covers, then every other structure covering it. */
        for (size_t i = start[a]; i < start[a + 1]; i++) {
            size_t pos = res->covers[by_s[i]].pos;
            long p = ds->communes[res->ind[pos].commune].population;
            /* covers is sorted by commune then structure: the ones after
            ** a's are the structures b > a, each pair counted once. */
            for (size_t q = by_s[i] + 1; q < res->n_covers && res->covers[q].pos == pos; q++) {
                size_t b = res->covers[q].structure;
                if (!covers_enough(ctx, &res->covers[q]))
                    continue;
                if (!n_common[b]++)
                    touched[n_touched++] = b;
                pop_common[b] += p;
            }
        }
        qsort(touched, n_touched, sizeof *touched, rq_cmp_size);
        for (size_t t = 0; t < n_touched && rc == RQ_OK; t++) {
            size_t b = touched[t];
            const rq_structure *sa = &ds->structures[a], *sb = &ds->structures[b];
            char pa[128], pb[128], pc[128];
            rq_phase_list(sa->phases, pa, sizeof pa);
            rq_phase_list(sb->phases, pb, sizeof pb);
            rq_phase_list(sa->phases & sb->phases, pc, sizeof pc);
            rq_writer_set_string(w, 0, sa->id);
            rq_writer_set_string(w, 1, ds->cfg->categories[sa->category].name);
            rq_writer_set_string(w, 2, pa);
            rq_writer_set_string(w, 3, sb->id);
            rq_writer_set_string(w, 4, ds->cfg->categories[sb->category].name);
            rq_writer_set_string(w, 5, pb);
            rq_writer_set_int(w, 6, (long)n_common[b]);
            rq_writer_set_int(w, 7, pop_common[b]);
            rq_writer_set_int(w, 8, (sa->phases & sb->phases) != 0);
            rq_writer_set_string(w, 9, pc);
            rc = rq_writer_add(w, err);
        }
        for (size_t t = 0; t < n_touched; t++) {
            n_common[touched[t]] = 0;
            pop_common[touched[t]] = 0;
        }
    }
    free(touched);
    free(pop_common);
    free(n_common);
    free(by_s);
    free(start);
    return rq_writer_finish(w, rc, err);
}

rq_status
rq_product_annuaire(const rq_product_ctx *ctx, rq_err *err)
{
    rq_status rc = write_directory(ctx, err);
    if (rc == RQ_OK)
        rc = write_structures(ctx, err);
    if (rc == RQ_OK)
        rc = write_overlaps(ctx, err);
    return rc;
}
