/* dataset.c - lifetime of the rq_dataset and code look-ups.
**
** Look-ups are binary searches over arrays sorted once by code: the tables
** are read once and never change afterwards, so a sorted array is as fast
** as a hash table here and keeps every iteration deterministic.
*/
#include "raquette/model.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *const rq_rule_names[RQ_N_RULES] = {"current", "delegated", "passage", "arrondissement",
                                               "unknown"};
const char *const rq_code_input_names[RQ_N_CODE_INPUTS] = {
    "boundaries", "density grid", "EPCI members", "sites' commune_code", "sites' zone_codes"};

rq_dataset *
rq_dataset_create(const rq_config *cfg)
{
    rq_dataset *ds = rq_xcalloc(1, sizeof *ds);
    ds->cfg = cfg;
    ds->geos = rq_geos_create();
    if (!ds->geos) {
        free(ds);
        return NULL;
    }
    rq_warnings_init(&ds->warnings);
    return ds;
}

static void
free_zone(rq_zone *z)
{
    free(z->key);
    free(z->communes);
    free(z->member);
}

void
rq_site_fini(rq_site *s)
{
    free(s->site_id);
    free(s->structure_id);
    free(s->name);
    free(s->site_type);
    free(s->commune_code);
    free(s->where);
}

void
rq_dataset_clear_sites(rq_dataset *ds)
{
    for (size_t i = 0; i < ds->n_zones; i++)
        free_zone(&ds->zones[i]);
    free(ds->zones);
    ds->zones = NULL;
    ds->n_zones = 0;
    for (size_t i = 0; i < ds->n_structures; i++) {
        free(ds->structures[i].id);
        free(ds->structures[i].sites);
    }
    free(ds->structures);
    ds->structures = NULL;
    ds->n_structures = 0;
    for (size_t i = 0; i < ds->n_sites; i++)
        rq_site_fini(&ds->sites[i]);
    free(ds->sites);
    ds->sites = NULL;
    ds->n_sites = 0;
}

void
rq_dataset_destroy(rq_dataset *ds)
{
    if (!ds)
        return;
    rq_index_destroy(ds->geos, ds->commune_index);
    for (size_t i = 0; i < ds->n_communes; i++)
        rq_geom_destroy(ds->geos, ds->communes[i].geom);
    free(ds->communes);
    free(ds->area);
    rq_unitset *us = &ds->units;
    rq_index_destroy(ds->geos, us->index);
    for (size_t i = 0; i < us->n; i++)
        rq_geom_destroy(ds->geos, us->c[i].geom);
    free(us->c);
    free(us->area);
    free(us->parent);
    for (size_t i = 0; i < us->n_units; i++)
        free(us->ids[i]);
    free(us->ids);
    for (size_t i = 0; i < ds->n_cog; i++) {
        rq_cog_row *r = &ds->cog[i];
        free(r->code);
        free(r->name);
        free(r->dep);
        free(r->region);
        free(r->epci);
        free(r->chef_lieu);
    }
    free(ds->cog);
    for (size_t i = 0; i < ds->n_epcis; i++) {
        free(ds->epcis[i].code);
        free(ds->epcis[i].name);
        rq_strv_free(ds->epcis[i].members);
    }
    free(ds->epcis);
    for (size_t i = 0; i < ds->n_passage; i++) {
        free(ds->passage[i].old_code);
        free(ds->passage[i].new_code);
    }
    free(ds->passage);
    for (size_t i = 0; i < ds->n_deps; i++) {
        free(ds->deps[i].code);
        free(ds->deps[i].name);
    }
    free(ds->deps);
    rq_strv_free(ds->area_deps);
    rq_dataset_clear_sites(ds);
    for (size_t i = 0; i < ds->n_unmatched; i++) {
        free(ds->unmatched[i].code);
        free(ds->unmatched[i].name);
        free(ds->unmatched[i].side);
    }
    free(ds->unmatched);
    rq_warnings_fini(&ds->warnings);
    free(ds->rurality_rule);
    rq_geos_destroy(ds->geos);
    free(ds);
}

const rq_cog_row *
rq_cog_find(const rq_dataset *ds, const char *code)
{
    size_t lo = 0, hi = ds->n_cog;
    /* Lower bound: the first row of that code, which is the commune-actuelle
    ** row when there are two (the sort puts it first). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ds->cog[mid].code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ds->n_cog && strcmp(ds->cog[lo].code, code) == 0)
        return &ds->cog[lo];
    return NULL;
}

/* The element of base[0..n) (each size bytes, sorted by the string whose
** pointer sits at offset off) whose string is code, or NULL. */
static const void *
find_code(const void *base, size_t n, size_t size, size_t off, const char *code)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *const *key = (const void *)((const char *)base + mid * size + off);
        int c = strcmp(*key, code);
        if (c == 0)
            return (const char *)base + mid * size;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const rq_passage *
passage_find(const rq_dataset *ds, const char *code)
{
    return find_code(ds->passage, ds->n_passage, sizeof *ds->passage,
                     offsetof(rq_passage, old_code), code);
}

const char *
rq_code_resolve(const rq_dataset *ds, const char *code, rq_rule *rule_out)
{
    rq_rule rule = RQ_RULE_CURRENT;
    const char *cur = code;
    const char *found = NULL;
    /* Each step follows one table; a bounded number of steps ends any
    ** cycle of a faulty passage table (rq_load_passage reports them). */
    for (int step = 0; cur && step <= RQ_MAX_REDIRECTS; step++) {
        const rq_cog_row *r = rq_cog_find(ds, cur);
        if (r && r->type == RQ_COG_ACTUELLE) {
            found = r->code;
            break;
        }
        if (r) {
            if (step == 0)
                rule = RQ_RULE_DELEGATED;
            cur = r->chef_lieu && *r->chef_lieu ? r->chef_lieu : NULL;
            continue;
        }
        const rq_passage *p = passage_find(ds, cur);
        if (step == 0 && p)
            rule = p->rule;
        cur = p ? p->new_code : NULL;
    }
    if (rule_out)
        *rule_out = found ? rule : RQ_RULE_UNKNOWN;
    return found;
}

const char *
rq_code_harmonise(rq_dataset *ds, rq_code_input in, const char *code)
{
    rq_rule rule;
    const char *cur = rq_code_resolve(ds, code, &rule);
    ds->stats.redirects[in][rule]++;
    return cur;
}

const char *
rq_dep_name(const rq_dataset *ds, const char *code)
{
    const rq_dep *d =
        find_code(ds->deps, ds->n_deps, sizeof *ds->deps, offsetof(rq_dep, code), code);
    return d ? d->name : "";
}

const rq_epci *
rq_epci_find(const rq_dataset *ds, const char *code)
{
    return find_code(ds->epcis, ds->n_epcis, sizeof *ds->epcis, offsetof(rq_epci, code), code);
}

long
rq_commune_find(const rq_dataset *ds, const char *code)
{
    const rq_commune *c = find_code(ds->communes, ds->n_communes, sizeof *ds->communes,
                                    offsetof(rq_commune, code), code);
    return c ? (long)(c - ds->communes) : -1;
}

struct point_query {
    rq_geos *g;
    const rq_commune *c;
    rq_geom *pt;
    long found;
};

static void
covering_cb(size_t item, void *ud)
{
    struct point_query *q = ud;
    if ((q->found < 0 || (long)item < q->found) &&
        rq_geom_covers(q->g, q->c[item].geom, q->pt) == 1)
        q->found = (long)item;
}

long
rq_commune_at(rq_geos *g, rq_index *ix, const rq_commune *c, double x, double y)
{
    struct point_query q = {g, c, rq_geom_point(g, x, y), -1};
    rq_index_query(g, ix, q.pt, covering_cb, &q);
    rq_geom_destroy(g, q.pt);
    return q.found;
}

static double
distance_cb(size_t item, void *ud)
{
    struct point_query *q = ud;
    double d = rq_geom_distance(q->g, q->c[item].geom, q->pt);
    return d < 0 ? INFINITY : d;
}

long
rq_commune_nearest(rq_geos *g, rq_index *ix, const rq_commune *c, double x, double y)
{
    struct point_query q = {g, c, rq_geom_point(g, x, y), -1};
    long found = rq_index_nearest(g, ix, q.pt, distance_cb, &q);
    rq_geom_destroy(g, q.pt);
    return found;
}

int
rq_code_in_area_deps(const rq_dataset *ds, const char *code)
{
    char dep[4] = "";
    rq_strlcpy(dep, code, strncmp(code, "97", 2) == 0 ? 4 : 3);
    const char *key = dep;
    return ds->n_area_deps &&
           bsearch(&key, ds->area_deps, ds->n_area_deps, sizeof *ds->area_deps, rq_cmp_strp);
}

void
rq_dataset_add_unmatched(rq_dataset *ds, const char *side, const char *code, const char *name,
                         long population, double area_km2)
{
    rq_grow((void **)&ds->unmatched, &ds->cap_unmatched, ds->n_unmatched + 1,
            sizeof *ds->unmatched);
    rq_unmatched *u = &ds->unmatched[ds->n_unmatched++];
    u->side = rq_xstrdup(side);
    u->code = rq_xstrdup(code);
    u->name = rq_xstrdup(name ? name : "");
    u->population = population;
    u->area_km2 = area_km2;
}
