/* dataset.c - lifetime of the rq_dataset and code look-ups.
**
** Look-ups are binary searches over arrays sorted once by code: the tables
** are read once and never change afterwards, so a sorted array is as fast
** as a hash table here and keeps every iteration deterministic.
*/
#include "raquette/model.h"

#include <stdlib.h>
#include <string.h>

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
    rq_diag_init(&ds->warnings);
    return ds;
}

static void
free_zone(rq_zone *z)
{
    free(z->key);
    free(z->communes);
    free(z->member);
}

static void
free_site(rq_site *s)
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
        free_site(&ds->sites[i]);
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
    rq_dataset_clear_sites(ds);
    for (size_t i = 0; i < ds->n_unmatched; i++) {
        free(ds->unmatched[i].code);
        free(ds->unmatched[i].name);
        free(ds->unmatched[i].side);
    }
    free(ds->unmatched);
    rq_diag_fini(&ds->warnings);
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

const char *
rq_cog_current(const rq_dataset *ds, const char *code)
{
    const rq_cog_row *r = rq_cog_find(ds, code);
    if (!r)
        return NULL;
    if (r->type == RQ_COG_ACTUELLE)
        return r->code;
    const rq_cog_row *c = r->chef_lieu ? rq_cog_find(ds, r->chef_lieu) : NULL;
    return c && c->type == RQ_COG_ACTUELLE ? c->code : NULL;
}

const char *
rq_resolve_code(const rq_dataset *ds, const char *code)
{
    const char *cur = rq_cog_current(ds, code);
    if (cur || !ds->n_passage)
        return cur;
    size_t lo = 0, hi = ds->n_passage;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ds->passage[mid].old_code, code);
        if (c == 0)
            return rq_cog_current(ds, ds->passage[mid].new_code);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const rq_epci *
rq_epci_find(const rq_dataset *ds, const char *code)
{
    size_t lo = 0, hi = ds->n_epcis;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ds->epcis[mid].code, code);
        if (c == 0)
            return &ds->epcis[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

long
rq_commune_find(const rq_dataset *ds, const char *code)
{
    size_t lo = 0, hi = ds->n_communes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ds->communes[mid].code, code);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void
rq_dataset_add_unmatched(rq_dataset *ds, const char *side, const char *code, const char *name)
{
    rq_grow((void **)&ds->unmatched, &ds->cap_unmatched, ds->n_unmatched + 1,
            sizeof *ds->unmatched);
    rq_unmatched *u = &ds->unmatched[ds->n_unmatched++];
    u->side = rq_xstrdup(side);
    u->code = rq_xstrdup(code);
    u->name = rq_xstrdup(name ? name : "");
}
