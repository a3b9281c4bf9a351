/* indicators.c - the indicators stage (method.md §3).
**
** Reach. reach(S) = zone(S) ∩ ⋃ buffer(s) over the sites s of structure S.
** The zone is a set of whole communes chosen by code (method.md §2), kept as
** a membership table built once per distinct zone (locate.c). For a study
** commune c, c ∩ zone(S) is c itself when c is a member and has zero area
** otherwise (communes do not overlap), so
**     area(c ∩ reach(S)) = area(c ∩ ⋃ buffer(s))  if c ∈ zone(S), else 0.
** The geometry kept per structure is therefore the union of its sites'
** buffers, prepared once; the zone applies by membership. This is exact, and
** it spares unions of thousands of commune polygons (région-wide zones).
**
** Coverage. An STRtree over the communes gives, per structure, the few
** communes its buffers touch: a prepared "covers" settles whole communes
** (ratio exactly 1), an intersection measures the others. couv_<k> needs
** the union of the reaches of category k within c: when a single structure
** of k reaches c its ratio is reused, otherwise the buffers of those
** structures are intersected with c together.
**
** Distances (nearest site of each category, accessibility pairs) need no
** geometry but points: proximity.c, on worker threads.
*/
#include "indicators_internal.h"

#include "raquette/gaps.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Coverage ratios -------------------------------------------------------- */

/* The shares found by one worker, or all of them. */
struct covers {
    rq_cover *v;
    size_t n, cap;
};

static int
cmp_cover(const void *a, const void *b)
{
    const rq_cover *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->structure < y->structure ? -1 : x->structure > y->structure;
}

/* area(c ∩ geom) / area(c), clamped to [0, 1]. */
static int
share_of(rq_geos *g, const rq_commune *c, const rq_geom *geom, double *out, rq_err *err)
{
    rq_geom *inter = rq_geom_intersection(g, c->geom, geom, err);
    if (!inter)
        return 0;
    double a = rq_geom_area(g, inter) / (c->area_km2 * 1e6);
    rq_geom_destroy(g, inter);
    *out = a < 0 ? 0 : a > 1 ? 1 : a;
    return 1;
}

/* One share of the coverage work: the study communes whose position in
** ds->area is part modulo n_parts, against every structure. The shares
** are the items of rq_geos_work_run, one per thread.
**
** Workers share no GEOS object: each has its own context, its own STRtree
** over its communes (which no other worker reads) and its own clones of
** the structures' buffers, prepared here (prepared geometries build their
** indexes lazily, and GEOS caches envelopes inside const geometries). The
** result does not depend on the number of workers: covers are sorted by
** (commune, structure) after. */
struct cover_job {
    const rq_dataset *ds;
    const rq_reach *r;
    const long *pos_of;
    size_t n_parts;
    struct covers *out; /* out[part]: that share's, written by its worker only */
};

static rq_status
cover_structure(rq_geos *g, const struct cover_job *j, struct covers *out, rq_index *ix, size_t s,
                const rq_geom *buf, const rq_prepared *prep, rq_err *err)
{
    const rq_dataset *ds = j->ds;
    const rq_zone *z = &ds->zones[ds->structures[s].zone];
    size_t n = 0;
    rq_status rc = RQ_OK;
    size_t *cand = rq_index_query_sorted(g, ix, buf, &n);
    for (size_t i = 0; i < n && rc == RQ_OK; i++) {
        size_t ci = cand[i];
        const rq_commune *c = &ds->communes[ci];
        if (!z->member[ci] || c->area_km2 <= 0)
            continue;
        double ratio = 0;
        int cov = rq_prepared_covers(g, prep, c->geom);
        int hit = cov == 1 ? 1 : cov == 0 ? rq_prepared_intersects(g, prep, c->geom) : -1;
        if (cov < 0 || hit < 0) {
            rc = rq_err_set(err, RQ_ERR_GEOS, "GEOS predicate failed on commune %s: %s", c->code,
                            rq_geos_last_error(g));
            break;
        }
        if (cov == 1)
            ratio = 1.0; /* a commune wholly inside gets exactly 1 */
        else if (hit == 1 && !share_of(g, c, buf, &ratio, err))
            rc = rq_err_code(err);
        if (rc != RQ_OK || ratio <= 0)
            continue;
        rq_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
        out->v[out->n++] = (rq_cover){(size_t)j->pos_of[ci], s, ratio, 0, 0};
    }
    free(cand);
    return rc;
}

static rq_status
cover_part(rq_geos *g, void *local, size_t part, void *ud, rq_err *err)
{
    const struct cover_job *j = ud;
    const rq_dataset *ds = j->ds;
    rq_index *ix = rq_index_create(g);
    rq_status rc = RQ_OK;
    (void)local;
    for (size_t a = part; a < ds->n_area; a += j->n_parts)
        rq_index_insert(g, ix, ds->communes[ds->area[a]].geom, ds->area[a]);
    for (size_t s = 0; s < ds->n_structures && rc == RQ_OK; s++) {
        rq_geom *buf = rq_geom_clone(g, j->r->buf[s]);
        rq_prepared *prep = buf ? rq_prepared_create(g, buf, err) : NULL;
        if (!prep)
            rc = rq_err_set(err, RQ_ERR_GEOS, "cannot prepare the reach of structure %s: %s",
                            ds->structures[s].id, rq_geos_last_error(g));
        else
            rc = cover_structure(g, j, &j->out[part], ix, s, buf, prep, err);
        rq_prepared_destroy(g, prep); /* before its base geometry */
        rq_geom_destroy(g, buf);
    }
    rq_index_destroy(g, ix);
    return rc;
}

/* Every (study commune, structure) pair with a positive share, sorted by
** commune then structure. */
static rq_status
structure_covers(const rq_dataset *ds, const rq_reach *r, const long *pos_of, struct covers *out,
                 rq_err *err)
{
    size_t n = rq_thread_count();
    struct covers *part = rq_xcalloc(n, sizeof *part);
    struct cover_job j = {ds, r, pos_of, n, part};
    rq_geos_work w = {.n = n, .item = cover_part, .ud = &j};
    rq_status rc = rq_geos_work_run(&w, err);
    for (size_t t = 0; t < n; t++) {
        rq_grow((void **)&out->v, &out->cap, out->n + part[t].n + 1, sizeof *out->v);
        if (part[t].n)
            memcpy(out->v + out->n, part[t].v, part[t].n * sizeof *out->v);
        out->n += part[t].n;
        free(part[t].v);
    }
    free(part);
    qsort(out->v, out->n, sizeof *out->v, cmp_cover);
    return rc;
}

/* couv_<k> of one commune from the covers [b, e) of that commune. */
static rq_status
category_share(rq_dataset *ds, const rq_reach *r, const rq_commune *c, const rq_cover *b,
               const rq_cover *e, int k, double *out, rq_err *err)
{
    const rq_geom **parts = NULL;
    size_t n = 0, cap = 0;
    double best = 0;
    rq_status rc = RQ_OK;
    for (const rq_cover *p = b; p < e; p++) {
        if (ds->structures[p->structure].category != k)
            continue;
        best = p->ratio > best ? p->ratio : best;
        rq_grow((void **)&parts, &cap, n + 1, sizeof *parts);
        parts[n++] = r->buf[p->structure];
    }
    *out = best;
    if (n > 1 && best < 1.0) {
        /* Several structures of k reach part of c: measure their union. */
        rq_geom *u = rq_geom_union(ds->geos, parts, n, err);
        if (!u || !share_of(ds->geos, c, u, out, err))
            rc = rq_err_code(err);
        rq_geom_destroy(ds->geos, u);
    }
    free(parts);
    return rc;
}

/* ---- Accessibility (method.md §3.1) ----------------------------------------- */

/* Rewrites a failure of the engine, which knows only point numbers, in
** terms of the inputs: the site (file, line, capacity) or the commune at
** fault, and the parameters that weigh them. */
static void
name_fault(const rq_dataset *ds, const rq_results *res, const rq_fca_fault *f, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    char what[320] = "";
    if (f->supply >= 0) {
        const rq_site *s = &ds->sites[f->supply];
        snprintf(what, sizeof what, "%s: %s (site %s), field '%s' = %g", cfg->structures.path,
                 s->where, s->site_id, cfg->f_capacity, s->capacity);
    } else if (f->demand >= 0) {
        const rq_commune *c = &ds->communes[res->ind[f->demand].commune];
        snprintf(what, sizeof what, "commune %s %s (population %ld)", c->code, c->name,
                 c->population);
    }
    char engine[sizeof err->msg];
    rq_strlcpy(engine, err->msg, sizeof engine);
    rq_err_set(err, err->code,
               "the accessibility index (method.md §3.1) cannot be computed for %s: %s; "
               "expected capacities and [accessibility] weights that keep it finite",
               *what ? what : "these inputs", engine);
}

/* acces_e2sfca of every study commune from the pairs rq_proximity_compute
** found, and the run's supply reached and identity check. */
static rq_status
accessibility(rq_dataset *ds, rq_results *res, const rq_fca_pair *pairs, size_t n_pairs,
              rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    rq_fca_weight w = {cfg->weight, cfg->band_km,        cfg->band_w,       cfg->n_bands,
                       cfg->max_km, cfg->gauss_sigma_km, cfg->gravity_beta, 0};
    double *pop = rq_xcalloc(res->n_ind + 1, sizeof *pop);
    double *acc = rq_xcalloc(res->n_ind + 1, sizeof *acc);
    double *capa = rq_xcalloc(ds->n_sites + 1, sizeof *capa);
    unsigned char *reached = rq_xcalloc(ds->n_sites + 1, 1);
    for (size_t i = 0; i < ds->n_sites; i++)
        capa[i] = ds->sites[i].capacity;
    for (size_t a = 0; a < res->n_ind; a++)
        pop[a] = (double)ds->communes[res->ind[a].commune].population;
    rq_fca_fault fault;
    rq_status rc = rq_fca_compute(cfg->fca_variant, pop, res->n_ind, capa, ds->n_sites, pairs,
                                  n_pairs, &w, 10000.0, acc, NULL, reached, &fault, err);
    if (rc != RQ_OK)
        name_fault(ds, res, &fault, err);
    if (rc == RQ_OK) {
        res->supply_reached = 0;
        res->fca_identity = 0;
        for (size_t i = 0; i < ds->n_sites; i++)
            if (reached[i])
                res->supply_reached += capa[i];
        for (size_t a = 0; a < res->n_ind; a++) {
            res->ind[a].acces_e2sfca = acc[a];
            res->fca_identity += pop[a] * acc[a] / 10000.0;
        }
    }
    free(pop);
    free(acc);
    free(capa);
    free(reached);
    return rc;
}

/* ---- Assembly ---------------------------------------------------------------- */

static void
alloc_indicators(const rq_dataset *ds, rq_results *res)
{
    size_t nk = ds->cfg->n_categories;
    res->n_ind = ds->n_area;
    res->ind = rq_xcalloc(ds->n_area + 1, sizeof *res->ind);
    for (size_t a = 0; a < ds->n_area; a++) {
        rq_commune_ind *ind = &res->ind[a];
        ind->commune = ds->area[a];
        ind->couv = rq_xcalloc(nk + 1, sizeof *ind->couv);
        ind->nb = rq_xcalloc(nk + 1, sizeof *ind->nb);
        ind->dist_km = rq_xcalloc(nk + 1, sizeof *ind->dist_km);
        ind->temps_min = rq_xcalloc(nk + 1, sizeof *ind->temps_min);
        ind->zone_trou = -1;
        for (int p = 0; p < RQ_NPHASES; p++)
            ind->zone_trou_p[p] = -1;
    }
}

/* phase_<p>, nb_phases, parcours_complet, rural, trou, missing phases. */
static void
derive_flags(const rq_dataset *ds, rq_commune_ind *ind, unsigned phases)
{
    const rq_config *cfg = ds->cfg;
    ind->nb_phases = 0;
    ind->missing = 0;
    ind->nb_phases_manquantes = 0;
    for (int p = 0; p < RQ_NPHASES; p++) {
        ind->phase[p] = (phases >> p) & 1u;
        ind->nb_phases += ind->phase[p];
        if (cfg->required[p] && !ind->phase[p]) {
            ind->missing |= 1u << p;
            ind->nb_phases_manquantes++;
        }
    }
    ind->parcours_complet = ind->nb_phases == RQ_NPHASES;
    ind->rural = ds->communes[ind->commune].rural;
    ind->trou = ind->rural && ind->missing != 0;
}

rq_status
rq_indicators_compute(rq_dataset *ds, const rq_reach *r, rq_results *res, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    struct covers cv = {NULL, 0, 0};
    long *pos_of = rq_xcalloc(ds->n_communes + 1, sizeof *pos_of);
    size_t *cover_begin = rq_xcalloc(ds->n_area + 2, sizeof *cover_begin);
    rq_fca_pair *pairs = NULL;
    size_t n_pairs = 0;
    rq_status rc;
    for (size_t i = 0; i < ds->n_communes; i++)
        pos_of[i] = -1;
    for (size_t a = 0; a < ds->n_area; a++)
        pos_of[ds->area[a]] = (long)a;
    alloc_indicators(ds, res);
    if ((rc = structure_covers(ds, r, pos_of, &cv, err)) != RQ_OK)
        goto cleanup;
    size_t j = 0;
    for (size_t a = 0; a < res->n_ind && rc == RQ_OK; a++) {
        rq_commune_ind *ind = &res->ind[a];
        const rq_commune *c = &ds->communes[ind->commune];
        size_t b = j;
        while (j < cv.n && cv.v[j].pos == a)
            j++;
        cover_begin[a] = b;
        cover_begin[a + 1] = j;
        unsigned phases = 0;
        for (size_t q = b; q < j; q++) {
            const rq_structure *st = &ds->structures[cv.v[q].structure];
            /* Inclusive threshold on the unrounded ratio (method.md §3). */
            if (cv.v[q].ratio >= cfg->threshold) {
                ind->nb[st->category]++;
                phases |= st->phases;
            }
        }
        for (size_t k = 0; k < cfg->n_categories && rc == RQ_OK; k++)
            rc = category_share(ds, r, c, cv.v + b, cv.v + j, (int)k, &ind->couv[k], err);
        derive_flags(ds, ind, phases);
    }
    if (rc != RQ_OK)
        goto cleanup;
    /* Distances, the nearest site of each cover (for the orientation
    ** directory, src/outputs/annuaire.c) and the accessibility pairs. */
    if ((rc = rq_proximity_compute(ds, res, cv.v, cover_begin, &pairs, &n_pairs, err)) != RQ_OK)
        goto cleanup;
    if ((rc = accessibility(ds, res, pairs, n_pairs, err)) != RQ_OK)
        goto cleanup;
    res->covers = cv.v;
    res->n_covers = cv.n;
    cv.v = NULL;
cleanup:
    free(cv.v);
    free(pairs);
    free(cover_begin);
    free(pos_of);
    return rc;
}
