/* snapshot.c - a run as the history keeps it (rq_snapshot, compare.h):
** releasing it, and the order and links the comparison relies on, made once
** by whoever loaded it (src/store/snapshot.c).
*/
#include "raquette/compare.h"

#include <stdlib.h>
#include <string.h>

void
rq_snapshot_fini(rq_snapshot *s)
{
    for (size_t i = 0; i < s->n_communes; i++) {
        rq_snap_commune *c = &s->communes[i];
        free(c->code);
        free(c->name);
        free(c->dep);
        free(c->epci);
        free(c->geom.data);
    }
    for (size_t i = 0; i < s->n_structures; i++) {
        rq_snap_structure *t = &s->structures[i];
        free(t->id);
        free(t->category);
        free(t->zone_type);
        free(t->zone_codes);
    }
    for (size_t i = 0; i < s->n_sites; i++) {
        rq_snap_site *t = &s->sites[i];
        free(t->site_id);
        free(t->structure_id);
        free(t->name);
        free(t->commune_code);
    }
    for (size_t i = 0; i < s->n_gaps; i++) {
        free(s->gaps[i].id);
        free(s->gaps[i].geom.data);
    }
    for (size_t i = 0; i < s->n_redirects; i++) {
        free(s->redirects[i].code);
        free(s->redirects[i].to);
    }
    free(s->communes);
    free(s->covers);
    free(s->structures);
    free(s->sites);
    free(s->gaps);
    free(s->redirects);
    free(s->name);
    free(s->date);
    free(s->vintage);
    free(s->crs);
    free(s->params);
    free(s->boundaries_sha);
    memset(s, 0, sizeof *s);
}

static int
cmp_commune(const void *a, const void *b)
{
    return strcmp(((const rq_snap_commune *)a)->code, ((const rq_snap_commune *)b)->code);
}

static int
cmp_structure(const void *a, const void *b)
{
    return strcmp(((const rq_snap_structure *)a)->id, ((const rq_snap_structure *)b)->id);
}

static int
cmp_site(const void *a, const void *b)
{
    return strcmp(((const rq_snap_site *)a)->site_id, ((const rq_snap_site *)b)->site_id);
}

static int
cmp_redirect(const void *a, const void *b)
{
    return strcmp(((const rq_snap_redirect *)a)->code, ((const rq_snap_redirect *)b)->code);
}

static int
cmp_cover(const void *a, const void *b)
{
    const rq_snap_cover *x = a, *y = b;
    if (x->commune != y->commune)
        return x->commune < y->commune ? -1 : 1;
    return (x->structure > y->structure) - (x->structure < y->structure);
}

long
rq_snapshot_commune(const rq_snapshot *s, const char *code)
{
    rq_snap_commune key = {.code = (char *)code};
    const rq_snap_commune *c =
        s->n_communes ? bsearch(&key, s->communes, s->n_communes, sizeof key, cmp_commune) : NULL;
    return c ? (long)(c - s->communes) : -1;
}

long
rq_snapshot_structure(const rq_snapshot *s, const char *id)
{
    rq_snap_structure key = {.id = (char *)id};
    const rq_snap_structure *t =
        s->n_structures ? bsearch(&key, s->structures, s->n_structures, sizeof key, cmp_structure)
                        : NULL;
    return t ? (long)(t - s->structures) : -1;
}

void
rq_snapshot_index(rq_snapshot *s)
{
    if (s->n_communes > 1)
        qsort(s->communes, s->n_communes, sizeof *s->communes, cmp_commune);
    if (s->n_structures > 1)
        qsort(s->structures, s->n_structures, sizeof *s->structures, cmp_structure);
    if (s->n_sites > 1)
        qsort(s->sites, s->n_sites, sizeof *s->sites, cmp_site);
    if (s->n_redirects > 1)
        qsort(s->redirects, s->n_redirects, sizeof *s->redirects, cmp_redirect);
    for (size_t i = 0; i < s->n_sites; i++) {
        long t = rq_snapshot_structure(s, s->sites[i].structure_id);
        s->sites[i].structure = t < 0 ? (size_t)-1 : (size_t)t;
    }
    if (s->n_covers > 1)
        qsort(s->covers, s->n_covers, sizeof *s->covers, cmp_cover);
}
