/* aggregate.c - the aggregates stage (method.md §5): per département, per
** EPCI and for the whole study area. Shares are fractions of the
** population (0 to 1); the mean accessibility is weighted by population.
** The départements and EPCI also get their polygon, the union of their
** study-area communes (for the GeoPackage and the report's maps); where a
** site names the same communes as its zone, the reach stage has made that
** union already, and it is taken from there (res->zone_wkb). */
#include "raquette/indicators.h"

#include "raquette/unions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Running sums of one aggregate. */
struct acc {
    long pop_phase[4], pop_parcours;
    double acces_w;
};

static void
add(rq_aggregate *g, struct acc *s, const rq_commune *c, const rq_commune_ind *ind)
{
    g->communes++;
    g->population += c->population;
    for (int p = 0; p < 4; p++)
        if (ind->phase[p])
            s->pop_phase[p] += c->population;
    if (ind->parcours_complet)
        s->pop_parcours += c->population;
    if (ind->rural)
        g->pop_rurale += c->population;
    if (ind->trou) {
        g->communes_trou++;
        g->pop_trou += c->population;
    }
    s->acces_w += (double)c->population * ind->acces_e2sfca;
}

static void
finish(rq_aggregate *g, const struct acc *s)
{
    double P = (double)g->population;
    for (int p = 0; p < 4; p++)
        g->part_phase[p] = P > 0 ? (double)s->pop_phase[p] / P : 0;
    g->part_parcours = P > 0 ? (double)s->pop_parcours / P : 0;
    g->acces_moyen = P > 0 ? s->acces_w / P : 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A zone of one code (a département or an EPCI) that some site names and
** whose union the reach stage made. */
struct zref {
    rq_zone_type type;
    const char *code; /* after the "type:" of its key */
    size_t z;         /* index into ds->zones */
};

static int
cmp_zref(const void *a, const void *b)
{
    const struct zref *x = a, *y = b;
    return x->type != y->type ? (x->type < y->type ? -1 : 1) : strcmp(x->code, y->code);
}

/* Those zones, sorted by type and code; none when study units stand in for
** the communes (the zones were united from the communes). */
static struct zref *
united_zones(const rq_dataset *ds, const rq_results *res, size_t *n)
{
    *n = 0;
    if (ds->units.applied || res->n_zone_wkb != ds->n_zones)
        return NULL;
    struct zref *z = rq_xcalloc(ds->n_zones + 1, sizeof *z);
    for (size_t i = 0; i < ds->n_zones; i++) {
        const rq_zone *zn = &ds->zones[i];
        const char *code = strchr(zn->key, ':');
        if ((zn->type == RQ_ZONE_DEPARTEMENT || zn->type == RQ_ZONE_EPCI) && code &&
            !strchr(code, '|') && res->zone_wkb[i].len)
            z[(*n)++] = (struct zref){zn->type, code + 1, i};
    }
    qsort(z, *n, sizeof *z, cmp_zref);
    return z;
}

/* *out: the union of the communes idx[0..n) of the group of code, when a
** zone of that code has exactly these communes (the same coverage union of
** the same polygons in the same order, both ascending), read back from
** the reach stage's WKB; NULL otherwise. */
static rq_status
zone_union(const rq_dataset *ds, const rq_results *res, const struct zref *zones, size_t n_zones,
           struct zref probe, const size_t *idx, size_t n, rq_geom **out, rq_err *err)
{
    const struct zref *hit =
        n_zones ? bsearch(&probe, zones, n_zones, sizeof *zones, cmp_zref) : NULL;
    *out = NULL;
    if (!hit || ds->zones[hit->z].n_communes != n ||
        memcmp(ds->zones[hit->z].communes, idx, n * sizeof *idx) != 0)
        return RQ_OK;
    const rq_wkb *w = &res->zone_wkb[hit->z];
    *out = rq_geom_from_wkb(ds->geos, w->data, w->len, err);
    return *out ? RQ_OK : rq_err_code(err);
}

/* Builds one aggregate per distinct key (sorted), key_of(c) giving the
** commune's key; the union of each group's communes goes into batch b. */
static rq_aggregate *
group_by(const rq_dataset *ds, const rq_results *res, int by_epci, rq_union_batch *b, size_t *n_out,
         rq_status *rc, rq_err *err)
{
    const char **keys = rq_xcalloc(res->n_ind + 1, sizeof *keys);
    size_t nk = 0;
    for (size_t a = 0; a < res->n_ind; a++) {
        const rq_commune *c = &ds->communes[res->ind[a].commune];
        keys[nk++] = by_epci ? c->epci : c->dep;
    }
    qsort(keys, nk, sizeof *keys, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < nk; i++)
        if (u == 0 || strcmp(keys[u - 1], keys[i]) != 0)
            keys[u++] = keys[i];
    rq_aggregate *out = rq_xcalloc(u + 1, sizeof *out);
    struct acc *sums = rq_xcalloc(u + 1, sizeof *sums);
    for (size_t i = 0; i < u; i++) {
        out[i].code = rq_xstrdup(keys[i]);
        const char *name;
        if (by_epci) {
            const rq_epci *e = rq_epci_find(ds, keys[i]);
            name = e ? e->name : "";
        } else {
            name = rq_dep_name(ds, keys[i]);
        }
        out[i].name = rq_xstrdup(name);
    }
    /* group[a]: the aggregate of indicator row a; start[i] .. start[i + 1]:
    ** aggregate i's rows in member[], in ds->area order (a counting sort). */
    size_t *group = rq_xcalloc(res->n_ind + 1, sizeof *group);
    size_t *start = rq_xcalloc(u + 2, sizeof *start);
    size_t *member = rq_xcalloc(res->n_ind + 1, sizeof *member);
    for (size_t a = 0; a < res->n_ind; a++) {
        const rq_commune *c = &ds->communes[res->ind[a].commune];
        const char *k = by_epci ? c->epci : c->dep;
        const char **hit = bsearch(&k, keys, u, sizeof *keys, cmp_str);
        size_t i = (size_t)(hit - keys);
        group[a] = i;
        start[i + 2]++;
        add(&out[i], &sums[i], c, &res->ind[a]);
    }
    for (size_t i = 0; i < u; i++)
        finish(&out[i], &sums[i]);
    for (size_t i = 2; i < u + 2; i++)
        start[i] += start[i - 1];
    for (size_t a = 0; a < res->n_ind; a++) /* start[i + 1] ends as start of i + 1 */
        member[start[group[a] + 1]++] = a;
    /* The polygons: the communes of each group, in ds->area order; the
    ** union of a zone the reach stage made when its communes are the same
    ** (always over France, where the départements and EPCIs named by sites
    ** are whole). */
    const rq_geom **parts = rq_xcalloc(res->n_ind + 1, sizeof *parts);
    size_t *idx = rq_xcalloc(res->n_ind + 1, sizeof *idx), n_zones;
    struct zref *zones = united_zones(ds, res, &n_zones);
    for (size_t i = 0; i < u && *rc == RQ_OK; i++) {
        size_t n = 0;
        for (size_t m = start[i]; m < start[i + 1]; m++) {
            size_t commune = res->ind[member[m]].commune;
            idx[n] = commune;
            parts[n++] = ds->communes[commune].geom;
        }
        struct zref probe = {by_epci ? RQ_ZONE_EPCI : RQ_ZONE_DEPARTEMENT, keys[i], 0};
        *rc = zone_union(ds, res, zones, n_zones, probe, idx, n, &out[i].geom, err);
        if (*rc == RQ_OK && !out[i].geom) {
            char label[64];
            snprintf(label, sizeof label, "%s %.40s", by_epci ? "EPCI" : "département", keys[i]);
            rq_union_batch_add(b, parts, n, &out[i].geom, label);
        }
    }
    free(zones);
    free(idx);
    free(parts);
    free(member);
    free(start);
    free(group);
    free(sums);
    free(keys);
    *n_out = u;
    return out;
}

rq_status
rq_aggregates_compute(const rq_dataset *ds, rq_results *res, rq_err *err)
{
    rq_status rc = RQ_OK;
    rq_union_batch *b = rq_union_batch_create(ds->geos, RQ_UNION_COVERAGE);
    res->agg_dep = group_by(ds, res, 0, b, &res->n_agg_dep, &rc, err);
    if (rc == RQ_OK)
        res->agg_epci = group_by(ds, res, 1, b, &res->n_agg_epci, &rc, err);
    struct acc s;
    memset(&s, 0, sizeof s);
    memset(&res->agg_area, 0, sizeof res->agg_area);
    const rq_config *cfg = ds->cfg;
    res->agg_area.code = rq_config_area_text(cfg);
    res->agg_area.name = rq_xstrdup(cfg->name ? cfg->name : "");
    for (size_t a = 0; a < res->n_ind; a++)
        add(&res->agg_area, &s, &ds->communes[res->ind[a].commune], &res->ind[a]);
    finish(&res->agg_area, &s);
    if (rc != RQ_OK) {
        rq_union_batch_destroy(b);
        return rc;
    }
    return rq_union_batch_run(b, err);
}

static void
free_aggs(rq_geos *g, rq_aggregate *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].code);
        free(v[i].name);
        rq_geom_destroy(g, v[i].geom);
    }
    free(v);
}

void
rq_aggregates_fini(rq_geos *g, rq_results *res)
{
    free_aggs(g, res->agg_dep, res->n_agg_dep);
    free_aggs(g, res->agg_epci, res->n_agg_epci);
    free(res->agg_area.code);
    free(res->agg_area.name);
    res->agg_dep = res->agg_epci = NULL;
    res->agg_area.code = res->agg_area.name = NULL;
    res->n_agg_dep = res->n_agg_epci = 0;
}
