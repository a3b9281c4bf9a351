/* locate_group.c - the rows of the locate stage grouped by key (method.md
** §2 "zone").
**
** Checks across rows: a site id used twice, the rows of one structure that
** disagree on category, phases or zone. Then, once the faulty rows are
** settled (locate.c), groups the sites into structures and resolves each
** distinct intervention zone once into the set of current communes it
** holds (membership by code).
**
** All of it works on the rows sorted by a key (site id, structure id or
** zone key), then by row: nothing is quadratic in the number of rows, and
** groups are numbered in the order of their first row, so the numbers
** depend only on the file.
*/
#include "analysis/locate_internal.h"

#include "raquette/pipeline.h"

#include <stdlib.h>
#include <string.h>

/* ---- Checks across rows ------------------------------------------------- */

struct by_key {
    const char *key;
    size_t site;
};

static int
cmp_by_key(const void *a, const void *b)
{
    const struct by_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->site > y->site) - (x->site < y->site);
}

/* The sites (all, or only those not failed) sorted by key, then by row. */
static struct by_key *
sorted_by(struct loc_ctx *c, int which, int only_ok, size_t *n_out)
{
    rq_dataset *ds = c->ds;
    struct by_key *v = rq_xcalloc(ds->n_sites + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < ds->n_sites; i++) {
        if (only_ok && c->failed[i])
            continue;
        const char *k = which == F_SITE     ? ds->sites[i].site_id
                        : which == F_STRUCT ? ds->sites[i].structure_id
                                            : c->pend[i].zkey;
        v[n++] = (struct by_key){k, i};
    }
    qsort(v, n, sizeof *v, cmp_by_key);
    *n_out = n;
    return v;
}

/* A site id used again: every later row is reported against the first. */
void
rq_locate_check_unique_sites(struct loc_ctx *c)
{
    size_t n = 0;
    struct by_key *v = sorted_by(c, F_SITE, 0, &n);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(v[i].key, v[first].key) != 0) {
            first = i;
            continue;
        }
        if (*v[i].key)
            rq_locate_bad(c, v[i].site, E_DUPLICATE, F_SITE,
                          "site id '%.60s' is already used on %s; expected unique site ids",
                          v[i].key, c->ds->sites[v[first].site].where);
    }
    free(v);
}

/* The rows of one structure must agree on category, phases and zone (the
** zone belongs to the structure, method.md §2): its first usable row sets
** them, and a later row that differs is a problem of that row. */
void
rq_locate_check_structures(struct loc_ctx *c)
{
    rq_dataset *ds = c->ds;
    size_t n = 0;
    struct by_key *v = sorted_by(c, F_STRUCT, 1, &n);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(v[i].key, v[first].key) != 0) {
            first = i;
            continue;
        }
        const rq_site *a = &ds->sites[v[first].site], *b = &ds->sites[v[i].site];
        const char *what = a->category != b->category ? "category"
                           : a->phases != b->phases   ? "phases"
                           : strcmp(c->pend[v[first].site].zkey, c->pend[v[i].site].zkey) != 0
                               ? "zone"
                               : NULL;
        if (what)
            rq_locate_bad(
                c, v[i].site, E_STRUCTURE, -1,
                "structure %.60s: %s unlike its first row (%s); expected the same category, "
                "phases and zone on every row of a structure",
                a->structure_id, what, a->where);
    }
    free(v);
}

/* ---- Zones and structures ----------------------------------------------- */

/* Resolves the zone of key into its member communes (indices into
** ds->communes), by code. */
static void
build_zone(rq_dataset *ds, rq_zone *z, rq_zone_type type, const char *key)
{
    memset(z, 0, sizeof *z);
    z->type = type;
    z->key = rq_xstrdup(key);
    z->member = rq_xcalloc(ds->n_communes + 1, 1);
    size_t n = 0;
    char **codes = rq_strsplit(strchr(key, ':') + 1, '|', &n);
    if (type == RQ_ZONE_NATIONAL)
        memset(z->member, 1, ds->n_communes);
    for (size_t i = 0; i < n; i++) {
        if (type == RQ_ZONE_COMMUNES) {
            long ci = rq_commune_find(ds, codes[i]);
            if (ci >= 0)
                z->member[ci] = 1;
        } else if (type == RQ_ZONE_EPCI) {
            const rq_epci *e = rq_epci_find(ds, codes[i]);
            for (size_t m = 0; e && m < e->n_members; m++) {
                long ci = rq_commune_find(ds, e->members[m]); /* harmonised at load */
                if (ci >= 0)
                    z->member[ci] = 1;
            }
        } else {
            for (size_t ci = 0; ci < ds->n_communes; ci++) {
                const rq_commune *cm = &ds->communes[ci];
                if (strcmp(type == RQ_ZONE_REGION ? cm->region : cm->dep, codes[i]) == 0)
                    z->member[ci] = 1;
            }
        }
    }
    rq_strv_free(codes);
    for (size_t ci = 0; ci < ds->n_communes; ci++)
        z->n_communes += z->member[ci];
    z->communes = rq_xcalloc(z->n_communes + 1, sizeof *z->communes);
    for (size_t ci = 0, k = 0; ci < ds->n_communes; ci++)
        if (z->member[ci])
            z->communes[k++] = ci;
}

/* Groups of sites sharing a key (zone or structure id), numbered in the
** order of their first row: group_of[site] receives the number. Returns
** the number of groups; first[g] (allocated) is the first row of g. */
static size_t
number_groups(struct loc_ctx *c, int which, size_t *group_of, size_t **first_out)
{
    size_t n = 0, n_groups = 0;
    struct by_key *v = sorted_by(c, which, 0, &n);
    size_t *first = rq_xcalloc(n + 1, sizeof *first);
    /* Each group's first row (v is sorted by key, then row). */
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i].key, v[i - 1].key) != 0)
            first[n_groups++] = v[i].site;
    qsort(first, n_groups, sizeof *first, rq_cmp_size);
    /* Rank of each group by first row, then every member gets it. */
    for (size_t i = 0, g = 0; i < n; i++) {
        if (i == 0 || strcmp(v[i].key, v[i - 1].key) != 0) {
            size_t *at = bsearch(&v[i].site, first, n_groups, sizeof *first, rq_cmp_size);
            g = (size_t)(at - first);
        }
        group_of[v[i].site] = g;
    }
    free(v);
    *first_out = first;
    return n_groups;
}

void
rq_locate_build_zones(struct loc_ctx *c)
{
    rq_dataset *ds = c->ds;
    size_t *zone_of = rq_xcalloc(ds->n_sites + 1, sizeof *zone_of);
    size_t *first = NULL;
    ds->n_zones = number_groups(c, F_ZTYPE, zone_of, &first);
    ds->zones = rq_xcalloc(ds->n_zones + 1, sizeof *ds->zones);
    for (size_t z = 0; z < ds->n_zones; z++)
        build_zone(ds, &ds->zones[z], c->pend[first[z]].ztype, c->pend[first[z]].zkey);
    for (size_t i = 0; i < ds->n_sites; i++)
        ds->sites[i].zone = zone_of[i];
    free(first);
    free(zone_of);
}

void
rq_locate_build_structures(struct loc_ctx *c)
{
    rq_dataset *ds = c->ds;
    size_t *first = NULL;
    size_t *st_of = rq_xcalloc(ds->n_sites + 1, sizeof *st_of);
    ds->n_structures = number_groups(c, F_STRUCT, st_of, &first);
    ds->structures = rq_xcalloc(ds->n_structures + 1, sizeof *ds->structures);
    for (size_t k = 0; k < ds->n_structures; k++) {
        const rq_site *s = &ds->sites[first[k]];
        rq_structure *st = &ds->structures[k];
        st->id = rq_xstrdup(s->structure_id);
        st->category = s->category;
        st->phases = s->phases;
        st->zone = s->zone;
    }
    for (size_t i = 0; i < ds->n_sites; i++)
        ds->structures[st_of[i]].n_sites++;
    for (size_t k = 0; k < ds->n_structures; k++) {
        ds->structures[k].sites =
            rq_xcalloc(ds->structures[k].n_sites + 1, sizeof *ds->structures[k].sites);
        ds->structures[k].n_sites = 0;
    }
    for (size_t i = 0; i < ds->n_sites; i++) {
        rq_structure *st = &ds->structures[st_of[i]];
        st->sites[st->n_sites++] = i;
        ds->sites[i].structure = st_of[i];
    }
    free(first);
    free(st_of);
}
