/* proximity.c - what the indicators need of distances alone (method.md §3,
** §3.1), per study commune:
**   - the nearest site of each category whose zone holds the commune
**     (dist_<k>_km, temps_<k>_min): an STRtree per category and zone of
**     the sites' points; the nearest in each tree of a zone holding the
**     commune, the nearest of those. (One tree per category, with a
**     distance callback skipping the sites of other zones, visited every
**     such site nearer than the first valid one: with 200,000 sites, most
**     of the indicators' time.)
**   - the sites within the accessibility cutoff whose zone holds it (the
**     pairs of the E2SFCA): an STRtree of every site point, queried with
**     the square around the commune's point;
**   - for each structure that covers part of it, the structure's site
**     nearest to its point (the orientation directory).
**
** Communes are independent of one another, so worker threads take them in
** chunks (rq_geos_work_run). Each worker has its own GEOS context and
** its own trees (GEOS objects are never shared between threads). Only
** distances come out of the nearest-site searches, so a tie between two
** sites changes nothing. Pairs are kept per commune and
** joined in commune order: the result does not depend on the number of
** threads. On one thread this took 15-20 s of a 200,000-site run
** (docs/performance.md).
*/
#include "indicators_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Communes a worker takes at a time: small enough to share the load of
** communes with many sites around, large enough to touch the counter
** rarely. */
#define CHUNK 16

/* One commune's accessibility pairs. */
struct pair_list {
    rq_fca_pair *v;
    size_t n;
};

/* A worker's own trees of site points (a tree keeps only the envelopes).
** The trees of category k and zone z are at k * n_zones + z (NULL when no
** site of k has zone z). */
struct site_trees {
    rq_index *all;    /* every site, item = site index */
    rq_index **kz;    /* per (category, zone): its sites, item = rank in site_of */
    size_t **site_of; /* per (category, zone): tree item -> site index */
};

struct prox_pool {
    const rq_dataset *ds;
    rq_results *res;
    rq_cover *cv;
    const size_t *cover_begin;
    const size_t *zone_begin, *zone_of; /* per commune: the zones holding it */
    double cutoff_km;
    struct pair_list *per; /* per study commune */
};

static rq_status
trees_build(rq_geos *g, const rq_dataset *ds, struct site_trees *t, rq_err *err)
{
    size_t n_kz = ds->cfg->n_categories * ds->n_zones;
    rq_status rc = RQ_OK;
    t->kz = rq_xcalloc(n_kz + 1, sizeof *t->kz);
    t->site_of = rq_xcalloc(n_kz + 1, sizeof *t->site_of);
    size_t *count = rq_xcalloc(n_kz + 1, sizeof *count);
    for (size_t i = 0; i < ds->n_sites; i++)
        count[(size_t)ds->sites[i].category * ds->n_zones + ds->sites[i].zone]++;
    for (size_t j = 0; j < n_kz; j++) {
        if (count[j]) {
            t->kz[j] = rq_index_create(g);
            t->site_of[j] = rq_xcalloc(count[j], sizeof **t->site_of);
        }
        count[j] = 0; /* from here, the sites placed in each tree */
    }
    t->all = rq_index_create(g);
    for (size_t i = 0; i < ds->n_sites && rc == RQ_OK; i++) {
        const rq_site *s = &ds->sites[i];
        rq_geom *pt = rq_geom_point(g, s->x, s->y);
        if (!pt) {
            rc = rq_err_set(err, RQ_ERR_GEOS, "cannot make the point of site %s: %s", s->site_id,
                            rq_geos_last_error(g));
            break;
        }
        rq_index_insert(g, t->all, pt, i);
        size_t j = (size_t)s->category * ds->n_zones + s->zone;
        t->site_of[j][count[j]] = i;
        rq_index_insert(g, t->kz[j], pt, count[j]++);
        rq_geom_destroy(g, pt);
    }
    free(count);
    return rc;
}

static void
trees_free(rq_geos *g, const rq_dataset *ds, struct site_trees *t)
{
    size_t n_kz = ds->cfg->n_categories * ds->n_zones;
    for (size_t j = 0; t->kz && j < n_kz; j++) {
        rq_index_destroy(g, t->kz[j]);
        free(t->site_of[j]);
    }
    rq_index_destroy(g, t->all);
    free(t->kz);
    free(t->site_of);
}

/* ---- Per commune -------------------------------------------------------------- */

struct near {
    const rq_dataset *ds;
    const size_t *site_of; /* tree item -> site index */
    size_t ci;
};

/* Every site of a tree lies in a zone that holds the commune. */
static double
site_distance(size_t item, void *ud)
{
    const struct near *n = ud;
    const rq_site *s = &n->ds->sites[n->site_of[item]];
    const rq_commune *c = &n->ds->communes[n->ci];
    return hypot(s->x - c->rx, s->y - c->ry);
}

/* dist_km[k] and temps_min[k] of study commune a. */
static rq_status
nearest_sites(rq_geos *g, const struct site_trees *t, struct prox_pool *p, size_t a, rq_err *err)
{
    const rq_dataset *ds = p->ds;
    const rq_config *cfg = ds->cfg;
    rq_commune_ind *ind = &p->res->ind[a];
    size_t ci = ind->commune;
    const rq_commune *c = &ds->communes[ci];
    rq_geom *q = rq_geom_point(g, c->rx, c->ry);
    if (!q)
        return rq_err_set(err, RQ_ERR_GEOS, "cannot make the point of commune %s: %s", c->code,
                          rq_geos_last_error(g));
    for (size_t k = 0; k < cfg->n_categories; k++) {
        double best = INFINITY;
        for (size_t zi = p->zone_begin[ci]; zi < p->zone_begin[ci + 1]; zi++) {
            size_t j = k * ds->n_zones + p->zone_of[zi];
            if (!t->kz[j])
                continue;
            struct near nr = {ds, t->site_of[j], ci};
            long item = rq_index_nearest(g, t->kz[j], q, site_distance, &nr);
            double d = item < 0 ? INFINITY : site_distance((size_t)item, &nr);
            best = d < best ? d : best;
        }
        double km = best / 1000.0;
        ind->dist_km[k] = isfinite(km) ? km : NAN;
        ind->temps_min[k] = isfinite(km) ? km * cfg->detour / cfg->speed_kmh * 60.0 : NAN;
    }
    rq_geom_destroy(g, q);
    return RQ_OK;
}

/* A site within the cutoff of the commune being worked on. */
struct cand {
    size_t site;
    double km;
};

/* A worker's scratch: the candidates of one commune, and room to sort them. */
struct scratch {
    struct cand *v, *tmp;
    size_t n, cap, tmp_cap;
};

/* The query's visit of one site: kept when its zone holds the commune and
** it lies within the cutoff. */
struct visit {
    const rq_dataset *ds;
    const rq_commune *c;
    size_t ci;
    double cutoff_km, far2; /* far2: a squared distance surely beyond the cutoff */
    struct scratch *sc;
};

static void
visit_site(size_t item, void *ud)
{
    struct visit *v = ud;
    const rq_site *s = &v->ds->sites[item];
    if (!v->ds->zones[s->zone].member[v->ci])
        return; /* only pairs where the commune lies in the site's zone */
    double dx = s->x - v->c->rx, dy = s->y - v->c->ry;
    if (dx * dx + dy * dy > v->far2)
        return; /* the square's corners: no need for hypot */
    double km = hypot(dx, dy) / 1000.0;
    if (km > v->cutoff_km)
        return;
    struct scratch *sc = v->sc;
    rq_grow((void **)&sc->v, &sc->cap, sc->n + 1, sizeof *sc->v);
    sc->v[sc->n++] = (struct cand){item, km};
}

/* Sorts sc->v by site index; returns the sorted array (sc->v or sc->tmp,
** grown here to sc->n).
** Small lists by insertion; others by a radix sort on the index's bytes
** (least significant first, each pass stable), as many passes as the
** largest index has bytes: qsort's comparison callback was 40 % of this
** stage with 50,000 sites. Indices are distinct, so any correct sort gives
** the same order. */
static struct cand *
sort_by_site(struct scratch *sc, size_t max_site)
{
    size_t n = sc->n;
    struct cand *v = sc->v;
    if (n < 48) {
        for (size_t i = 1; i < n; i++) {
            struct cand x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1].site > x.site; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return v;
    }
    rq_grow((void **)&sc->tmp, &sc->tmp_cap, n, sizeof *sc->tmp);
    struct cand *tmp = sc->tmp;
    for (unsigned shift = 0; shift < 64 && (max_site >> shift) != 0; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((v[i].site >> shift) & 0xff) + 1]++;
        for (size_t d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i].site >> shift) & 0xff]++] = v[i];
        struct cand *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

/* The accessibility pairs of study commune a, in site order. */
static rq_status
commune_pairs(rq_geos *g, const struct site_trees *t, struct prox_pool *p, size_t a,
              struct scratch *sc, rq_err *err)
{
    const rq_dataset *ds = p->ds;
    size_t ci = p->res->ind[a].commune;
    const rq_commune *c = &ds->communes[ci];
    double m = p->cutoff_km * 1000.0;
    rq_geom *box = rq_geom_rectangle(g, c->rx - m, c->ry - m, c->rx + m, c->ry + m);
    if (!box)
        return rq_err_set(err, RQ_ERR_GEOS, "cannot make the search box of commune %s: %s", c->code,
                          rq_geos_last_error(g));
    /* 1e-6 relative: far above hypot's rounding, so no pair within the
    ** cutoff is dropped before hypot decides. */
    struct visit v = {ds, c, ci, p->cutoff_km, m * m * (1.0 + 1e-6), sc};
    sc->n = 0;
    rq_index_query(g, t->all, box, visit_site, &v);
    rq_geom_destroy(g, box);
    if (!sc->n)
        return RQ_OK;
    const struct cand *sorted = sort_by_site(sc, ds->n_sites);
    struct pair_list *out = &p->per[a];
    out->v = rq_xcalloc(sc->n, sizeof *out->v);
    out->n = sc->n;
    for (size_t i = 0; i < sc->n; i++)
        out->v[i] = (rq_fca_pair){a, sorted[i].site, sorted[i].km};
    return RQ_OK;
}

/* Each cover of study commune a gets its structure's nearest site (the
** first of the structure's list among equals). hypot only for a site that
** may be nearer than the best so far: squared distances rule out the
** others (a structure may have thousands of sites). */
static void
covers_nearest_site(struct prox_pool *p, size_t a)
{
    const rq_dataset *ds = p->ds;
    const rq_commune *c = &ds->communes[p->res->ind[a].commune];
    for (size_t q = p->cover_begin[a]; q < p->cover_begin[a + 1]; q++) {
        rq_cover *v = &p->cv[q];
        const rq_structure *st = &ds->structures[v->structure];
        double far2 = INFINITY; /* beyond it, surely farther than the best */
        v->dist_km = INFINITY;
        for (size_t i = 0; i < st->n_sites; i++) {
            const rq_site *s = &ds->sites[st->sites[i]];
            double dx = s->x - c->rx, dy = s->y - c->ry;
            if (dx * dx + dy * dy > far2)
                continue;
            double km = hypot(dx, dy) / 1000.0;
            if (km < v->dist_km) {
                v->dist_km = km;
                v->site = st->sites[i];
                far2 = km * km * 1e6 * (1.0 + 1e-6);
            }
        }
    }
}

/* ---- Workers (rq_geos_work_run) ------------------------------------------- */

/* A worker's own trees and scratch space. */
struct prox_local {
    struct site_trees t;
    struct scratch sc;
};

static void *
prox_local_create(rq_geos *g, void *ud, rq_err *err)
{
    const struct prox_pool *p = ud;
    struct prox_local *l = rq_xcalloc(1, sizeof *l);
    if (trees_build(g, p->ds, &l->t, err) != RQ_OK) {
        trees_free(g, p->ds, &l->t);
        free(l);
        return NULL;
    }
    return l;
}

static void
prox_local_destroy(rq_geos *g, void *local, void *ud)
{
    const struct prox_pool *p = ud;
    struct prox_local *l = local;
    trees_free(g, p->ds, &l->t);
    free(l->sc.v);
    free(l->sc.tmp);
    free(l);
}

static rq_status
prox_one(rq_geos *g, void *local, size_t a, void *ud, rq_err *err)
{
    struct prox_pool *p = ud;
    struct prox_local *l = local;
    rq_status rc = nearest_sites(g, &l->t, p, a, err);
    if (rc == RQ_OK)
        rc = commune_pairs(g, &l->t, p, a, &l->sc, err);
    covers_nearest_site(p, a);
    return rc;
}

/* Joins the communes' pairs in commune order, freeing each list once
** copied. */
static void
join_pairs(struct prox_pool *p, rq_fca_pair **pairs, size_t *n_pairs)
{
    size_t n_ind = p->res->n_ind, total = 0;
    for (size_t a = 0; a < n_ind; a++)
        total += p->per[a].n;
    rq_fca_pair *v = rq_xcalloc(total + 1, sizeof *v);
    size_t n = 0;
    for (size_t a = 0; a < n_ind; a++) {
        if (p->per[a].n)
            memcpy(v + n, p->per[a].v, p->per[a].n * sizeof *v);
        n += p->per[a].n;
        free(p->per[a].v);
        p->per[a].v = NULL;
    }
    *pairs = v;
    *n_pairs = n;
}

/* Per commune i, the zones holding it: zone_of[begin[i] .. begin[i + 1]). */
static void
zones_of_communes(const rq_dataset *ds, size_t **begin_out, size_t **zone_of_out)
{
    size_t *begin = rq_xcalloc(ds->n_communes + 2, sizeof *begin);
    size_t total = 0;
    for (size_t z = 0; z < ds->n_zones; z++) {
        for (size_t m = 0; m < ds->zones[z].n_communes; m++)
            begin[ds->zones[z].communes[m] + 1]++;
        total += ds->zones[z].n_communes;
    }
    for (size_t i = 0; i < ds->n_communes; i++)
        begin[i + 1] += begin[i];
    size_t *fill = rq_xcalloc(ds->n_communes + 1, sizeof *fill);
    size_t *zone_of = rq_xcalloc(total + 1, sizeof *zone_of);
    for (size_t z = 0; z < ds->n_zones; z++)
        for (size_t m = 0; m < ds->zones[z].n_communes; m++) {
            size_t i = ds->zones[z].communes[m];
            zone_of[begin[i] + fill[i]++] = z;
        }
    free(fill);
    *begin_out = begin;
    *zone_of_out = zone_of;
}

rq_status
rq_proximity_compute(const rq_dataset *ds, rq_results *res, rq_cover *cv, const size_t *cover_begin,
                     rq_fca_pair **pairs, size_t *n_pairs, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    struct prox_pool p;
    memset(&p, 0, sizeof p);
    p.ds = ds;
    p.res = res;
    p.cv = cv;
    p.cover_begin = cover_begin;
    /* The farthest distance with a positive weight (method.md §3.1). */
    p.cutoff_km = cfg->weight == RQ_WEIGHT_STEP && cfg->n_bands ? cfg->band_km[cfg->n_bands - 1]
                                                                : cfg->max_km;
    p.per = rq_xcalloc(res->n_ind + 1, sizeof *p.per);
    size_t *zone_begin = NULL, *zone_of = NULL;
    zones_of_communes(ds, &zone_begin, &zone_of);
    p.zone_begin = zone_begin;
    p.zone_of = zone_of;
    rq_geos_work w = {.n = res->n_ind,
                      .chunk = CHUNK,
                      .item = prox_one,
                      .local_create = prox_local_create,
                      .local_destroy = prox_local_destroy,
                      .ud = &p};
    rq_status rc = rq_geos_work_run(&w, err);
    *pairs = NULL;
    *n_pairs = 0;
    if (rc != RQ_OK) {
        for (size_t a = 0; a < res->n_ind; a++)
            free(p.per[a].v);
    } else {
        join_pairs(&p, pairs, n_pairs);
    }
    free(p.per);
    free(zone_begin);
    free(zone_of);
    return rc;
}
