/* gaps.c - the gaps stage: gap communes grouped into gap zones (method.md §4).
**
** Touching communes are found with an STRtree over the flagged communes and
** an exact prepared `intersects` on each candidate pair, never by comparing
** every pair: the largest Occitanie zone holds 2,639 communes, and a
** quadratic loop over them would dominate the run. Communes do not overlap,
** so `intersects` is exactly "share a boundary segment or a point", which
** is the adjacency method.md §4 asks for (a corner contact counts).
**
** Connected groups come from a union-find whose root is always the
** smallest member, so grouping, ranking and ids depend only on the input,
** not on the order in which the tree returns candidates.
*/
#include "raquette/gaps.h"

#include "raquette/unions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
rq_gaps_format_id(char *buf, size_t bufsz, const char *prefix, size_t rank)
{
    /* The number goes into a buffer wide enough for any size_t first, and
    ** the lengths are checked by hand, so that no snprintf can truncate
    ** (which -Wformat-truncation rightly flags on a 16-byte id). */
    char num[24];
    if (!buf || bufsz == 0)
        return 0;
    snprintf(num, sizeof num, "%03zu", rank);
    size_t lp = strlen(prefix), ln = strlen(num);
    if (lp + ln >= bufsz) {
        rq_strlcpy(buf, prefix, bufsz);
        return 0;
    }
    memcpy(buf, prefix, lp);
    memcpy(buf + lp, num, ln + 1);
    return 1;
}

void
rq_gap_zone_fini(rq_geos *g, rq_gap_zone *z)
{
    if (!z)
        return;
    free(z->communes);
    free(z->departements);
    if (z->geom)
        rq_geom_destroy(g, z->geom);
    memset(z, 0, sizeof *z);
}

/* ---- Union-find over the positions 0..n-1 of the flagged communes ------ */

static size_t
uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]]; /* path halving keeps the trees flat */
        x = parent[x];
    }
    return x;
}

/* The smaller root wins, so every root is its set's smallest position:
** that makes group numbering independent of the order of the unions. */
static void
uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

/* Unions every pair of flagged communes (pos[k], pos[m]) whose polygons
** intersect. Each pair is tested once (m > k), and not at all when the two
** are already connected through others. */
static rq_status
link_touching(rq_dataset *ds, const size_t *pos, size_t n, size_t *parent, rq_err *err)
{
    rq_status rc = RQ_OK;
    rq_geos *g = ds->geos;
    rq_index *ix = NULL;
    rq_prepared *prep = NULL;
    size_t *cand = NULL;

    ix = rq_index_create(g);
    if (!ix) {
        rc =
            rq_err_set(err, RQ_ERR_GEOS, "GEOS STRtree creation failed: %s", rq_geos_last_error(g));
        goto cleanup;
    }
    for (size_t k = 0; k < n; k++)
        rq_index_insert(g, ix, ds->communes[pos[k]].geom, k);

    for (size_t k = 0; k < n; k++) {
        const rq_commune *ck = &ds->communes[pos[k]];
        size_t n_cand = 0;
        cand = rq_index_query_sorted(g, ix, ck->geom, &n_cand);
        for (size_t c = 0; c < n_cand; c++) {
            size_t m = cand[c];
            if (m <= k || uf_find(parent, m) == uf_find(parent, k))
                continue;
            /* Prepared lazily: a commune whose neighbours are all already
            ** connected to it needs no preparation at all. */
            if (!prep) {
                prep = rq_prepared_create(g, ck->geom, err);
                if (!prep) {
                    rc = rq_err_code(err);
                    goto cleanup;
                }
            }
            const rq_commune *cm = &ds->communes[pos[m]];
            int t = rq_prepared_intersects(g, prep, cm->geom);
            if (t < 0) {
                rc = rq_err_set(
                    err, RQ_ERR_GEOS, "GEOS intersects failed between communes %s and %s: %s",
                    ck->code ? ck->code : "?", cm->code ? cm->code : "?", rq_geos_last_error(g));
                goto cleanup;
            }
            if (t == 1)
                uf_union(parent, k, m);
        }
        rq_prepared_destroy(g, prep);
        prep = NULL;
        free(cand);
        cand = NULL;
    }

cleanup:
    rq_prepared_destroy(g, prep);
    free(cand);
    rq_index_destroy(g, ix);
    return rc;
}

/* Distinct non-empty strings of v (n of them; v is sorted in place),
** '|'-joined in a new string. */
static char *
join_distinct(const char **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, rq_cmp_strp);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *out = rq_xmalloc(len);
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
            continue;
        if (p != out)
            *p++ = '|';
        size_t l = strlen(v[i]);
        memcpy(p, v[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

/* Fills z from the communes idx[0..n-1] (ascending indices into
** ds->communes); its polygon comes later, from rq_gaps_union. */
static void
build_zone(const rq_dataset *ds, const size_t *idx, size_t n, const unsigned *missing, int phase,
           rq_gap_zone *z)
{
    const char **deps = rq_xcalloc(n, sizeof *deps);
    size_t n_deps = 0;

    z->phase = phase;
    z->communes = rq_xcalloc(n, sizeof *z->communes);
    memcpy(z->communes, idx, n * sizeof *idx);
    z->n_communes = n;
    for (size_t i = 0; i < n; i++) {
        const rq_commune *c = &ds->communes[idx[i]];
        z->population += c->population;
        z->area_km2 += c->area_km2;
        if (missing)
            z->missing |= missing[idx[i]];
        if (c->dep && c->dep[0])
            deps[n_deps++] = c->dep;
    }
    z->departements = join_distinct(deps, n_deps);

    free(deps);
}

/* Rank order: population descending, then smallest commune code. Each
** zone's communes[0] is its smallest index, and ds->communes is sorted by
** code, so comparing it compares the smallest codes. Zones are disjoint, so
** this is a total order and qsort's instability cannot show. */
static int
cmp_rank(const void *a, const void *b)
{
    const rq_gap_zone *x = a, *y = b;
    if (x->population != y->population)
        return x->population > y->population ? -1 : 1;
    return x->communes[0] < y->communes[0] ? -1 : x->communes[0] > y->communes[0];
}

rq_status
rq_gaps_group(rq_dataset *ds, const unsigned char *flag, const unsigned *missing,
              const char *prefix, int phase, rq_gap_zone **zones, size_t *n_zones, size_t *cap,
              long *zone_of, rq_err *err)
{
    rq_status rc = RQ_OK;
    size_t *pos = NULL;      /* flagged communes, ascending */
    size_t *parent = NULL;   /* union-find over positions in pos */
    size_t *group_of = NULL; /* group number of each position */
    size_t *start = NULL;    /* members of group g: members[start[g] .. start[g+1]) */
    size_t *fill = NULL;
    size_t *members = NULL; /* commune indices, grouped, ascending within a group */
    rq_gap_zone *made = NULL;
    size_t n = 0, n_groups = 0;

    if (!ds || !flag || !prefix || !zones || !n_zones || !cap || phase < -1 || phase > 3) {
        rc = rq_err_set(err, RQ_ERR_INTERNAL, "rq_gaps_group: invalid argument");
        goto cleanup;
    }

    for (size_t i = 0; i < ds->n_communes; i++) {
        if (!flag[i])
            continue;
        if (!ds->communes[i].geom) {
            rc = rq_err_set(err, RQ_ERR_INTERNAL, "gap commune %s has no geometry",
                            ds->communes[i].code ? ds->communes[i].code : "?");
            goto cleanup;
        }
        n++;
    }
    if (n == 0)
        goto cleanup;

    pos = rq_xcalloc(n, sizeof *pos);
    parent = rq_xcalloc(n, sizeof *parent);
    for (size_t i = 0, k = 0; i < ds->n_communes; i++)
        if (flag[i])
            pos[k++] = i;
    for (size_t k = 0; k < n; k++)
        parent[k] = k;

    rc = link_touching(ds, pos, n, parent, err);
    if (rc != RQ_OK)
        goto cleanup;

    /* Number the groups by their smallest position (the root): a root comes
    ** before the rest of its set, so its number is known when they come. */
    group_of = rq_xcalloc(n, sizeof *group_of);
    for (size_t k = 0; k < n; k++) {
        size_t r = uf_find(parent, k);
        group_of[k] = r == k ? n_groups++ : group_of[r];
    }

    /* The longest id is the one of the last rank: check it fits now rather
    ** than truncate it silently later. */
    {
        char probe[sizeof made->id];
        if (!rq_gaps_format_id(probe, sizeof probe, prefix, n_groups)) {
            rc =
                rq_err_set(err, RQ_ERR_INTERNAL, "gap zone ids \"%s%03zu\" do not fit in %zu bytes",
                           prefix, n_groups, sizeof probe);
            goto cleanup;
        }
    }

    /* Counting sort of positions by group; filling in position order keeps
    ** each group's communes ascending. */
    start = rq_xcalloc(n_groups + 1, sizeof *start);
    fill = rq_xcalloc(n_groups, sizeof *fill);
    members = rq_xcalloc(n, sizeof *members);
    for (size_t k = 0; k < n; k++)
        start[group_of[k] + 1]++;
    for (size_t g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    for (size_t k = 0; k < n; k++) {
        size_t g = group_of[k];
        members[start[g] + fill[g]++] = pos[k];
    }

    made = rq_xcalloc(n_groups, sizeof *made);
    for (size_t g = 0; g < n_groups; g++)
        build_zone(ds, &members[start[g]], start[g + 1] - start[g], missing, phase, &made[g]);

    qsort(made, n_groups, sizeof *made, cmp_rank);
    for (size_t r = 0; r < n_groups; r++)
        rq_gaps_format_id(made[r].id, sizeof made[r].id, prefix, r + 1);

    /* Nothing can fail past this point: hand the zones over. */
    rq_grow((void **)zones, cap, *n_zones + n_groups, sizeof **zones);
    memcpy(*zones + *n_zones, made, n_groups * sizeof *made);
    if (zone_of)
        for (size_t r = 0; r < n_groups; r++)
            for (size_t c = 0; c < made[r].n_communes; c++)
                zone_of[made[r].communes[c]] = (long)(*n_zones + r);
    *n_zones += n_groups;
    free(made);
    made = NULL;

cleanup:
    if (made)
        for (size_t g = 0; g < n_groups; g++)
            rq_gap_zone_fini(ds->geos, &made[g]);
    free(made);
    free(members);
    free(fill);
    free(start);
    free(group_of);
    free(parent);
    free(pos);
    return rc;
}

/* ---- Zone polygons ------------------------------------------------------ */

rq_status
rq_gaps_union(const rq_dataset *ds, rq_gap_zone *zones, size_t n_zones, rq_err *err)
{
    rq_union_batch *b = rq_union_batch_create(ds->geos, RQ_UNION_COVERAGE);
    const rq_geom **geoms = NULL;
    size_t cap = 0;
    for (size_t z = 0; z < n_zones; z++) {
        rq_gap_zone *zn = &zones[z];
        if (zn->geom)
            continue;
        rq_grow((void **)&geoms, &cap, zn->n_communes + 1, sizeof *geoms);
        for (size_t i = 0; i < zn->n_communes; i++)
            geoms[i] = ds->communes[zn->communes[i]].geom;
        char label[48];
        snprintf(label, sizeof label, "gap zone %s", zn->id);
        rq_union_batch_add(b, geoms, zn->n_communes, &zn->geom, label);
    }
    free(geoms);
    return rq_union_batch_run(b, err);
}
