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
                    rc = RQ_ERR_GEOS;
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

/* ---- Zone polygons: unions on worker threads ----------------------------
**
** The unions are most of the stage's time (the Occitanie overall zone alone
** is a union of 2,639 communes). Two things make them cheaper:
**
**  - Commune boundaries form a coverage (neighbours share their edges
**    vertex for vertex), so the linear-time coverage union applies; it is
**    checked and falls back to the general overlay when the data are not a
**    clean coverage (rq_geom_union_coverage_take). On Occitanie it takes
**    0.1 s for the 2,340 communes of EM001, where the overlay took 0.5 s.
**  - Jobs run on worker threads, largest first, each worker with its own
**    GEOS context. A job owns clones of its inputs, made by the calling
**    thread before the workers start: no GEOS object is ever shared between
**    threads (GEOS caches envelopes lazily inside const geometries).
**
** Results do not depend on the number of threads or on which worker takes a
** job: each union has the same inputs in the same order either way. */

#include <pthread.h>
#include <stdatomic.h>

struct union_job {
    rq_geom **parts;  /* clones owned by the job */
    size_t n_parts;
    rq_gap_zone *zone; /* receives the union */
};

struct union_pool {
    struct union_job *jobs; /* sorted by decreasing n_parts */
    size_t n_jobs;
    atomic_size_t next;     /* next job to take */
    atomic_int failed;      /* set by the first failing worker */
    pthread_mutex_t lock;   /* guards err */
    rq_status rc;
    rq_err err;
};

static void
job_release(rq_geos *g, struct union_job *j)
{
    for (size_t i = 0; i < j->n_parts; i++)
        rq_geom_destroy(g, j->parts[i]);
    free(j->parts);
    j->parts = NULL;
    j->n_parts = 0;
}

static void *
union_worker(void *arg)
{
    struct union_pool *pool = arg;
    rq_geos *g = rq_geos_create();
    for (;;) {
        size_t k = atomic_fetch_add(&pool->next, 1);
        if (k >= pool->n_jobs || atomic_load(&pool->failed))
            break;
        struct union_job *j = &pool->jobs[k];
        rq_err err = {0};
        rq_err_clear(&err);
        double t0 = rq_now();
        int coverage = 0;
        size_t n_parts = j->n_parts;
        /* The union takes the parts: the job no longer owns them. */
        j->zone->geom = rq_geom_union_coverage_take(g, j->parts, n_parts, &coverage, &err);
        j->n_parts = 0;
        job_release(g, j);
        rq_log(RQ_LOG_DEBUG, "gap zone %s: union of %zu parts by %s in %.3f s", j->zone->id,
               n_parts, coverage ? "coverage union" : "overlay", rq_now() - t0);
        if (!j->zone->geom) {
            pthread_mutex_lock(&pool->lock);
            if (!atomic_exchange(&pool->failed, 1)) {
                pool->rc = err.code ? err.code : RQ_ERR_GEOS;
                rq_err_set(&pool->err, pool->rc, "union of gap zone %s (%zu parts): %s",
                           j->zone->id, n_parts, err.msg);
            }
            pthread_mutex_unlock(&pool->lock);
            break;
        }
    }
    rq_geos_destroy(g);
    return NULL;
}

static int
cmp_job(const void *a, const void *b)
{
    const struct union_job *x = a, *y = b;
    if (x->n_parts != y->n_parts)
        return x->n_parts > y->n_parts ? -1 : 1;
    return strcmp(x->zone->id, y->zone->id);
}

static size_t
worker_count(size_t n_jobs)
{
    size_t n = rq_thread_count();
    return n < n_jobs ? n : n_jobs;
}

/* Runs the jobs (and releases their inputs whatever happens). A worker
** that cannot start is not an error: the calling thread then runs the
** remaining jobs itself. */
static rq_status
run_jobs(rq_geos *g, struct union_job *jobs, size_t n_jobs, rq_err *err)
{
    struct union_pool pool;
    pthread_t th[RQ_MAX_THREADS];
    size_t n_started = 0, n_workers = worker_count(n_jobs);
    rq_status rc = RQ_OK;

    if (n_jobs == 0)
        return RQ_OK;
    qsort(jobs, n_jobs, sizeof *jobs, cmp_job);
    memset(&pool, 0, sizeof pool);
    pool.jobs = jobs;
    pool.n_jobs = n_jobs;
    atomic_init(&pool.next, 0);
    atomic_init(&pool.failed, 0);
    pthread_mutex_init(&pool.lock, NULL);
    /* The calling thread is one of the workers. */
    for (size_t t = 1; t < n_workers; t++) {
        if (pthread_create(&th[n_started], NULL, union_worker, &pool) != 0)
            break;
        n_started++;
    }
    union_worker(&pool);
    for (size_t t = 0; t < n_started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&pool.lock);
    if (atomic_load(&pool.failed)) {
        rc = pool.rc;
        rq_err_move(err, &pool.err);
    }
    for (size_t k = 0; k < n_jobs; k++)
        job_release(g, &jobs[k]);
    return rc;
}

/* A job over clones of geoms[0..n-1]; on failure nothing is left to
** release. */
static rq_status
job_init(rq_geos *g, struct union_job *j, rq_gap_zone *z, const rq_geom *const *geoms, size_t n,
         rq_err *err)
{
    j->zone = z;
    j->parts = rq_xcalloc(n ? n : 1, sizeof *j->parts);
    for (size_t i = 0; i < n; i++) {
        if (!(j->parts[i] = rq_geom_clone(g, geoms[i]))) {
            job_release(g, j);
            return rq_err_set(err, RQ_ERR_GEOS, "GEOS clone failed: %s", rq_geos_last_error(g));
        }
        j->n_parts = i + 1;
    }
    return RQ_OK;
}

/* Zones of one commune are their commune's polygon; other zones without a
** polygon get a job over their communes' polygons. */
static rq_status
commune_jobs(const rq_dataset *ds, rq_gap_zone *zones, size_t n_zones, struct union_job *jobs,
             size_t *n_jobs, rq_err *err)
{
    rq_geos *g = ds->geos;
    const rq_geom **geoms = NULL;
    size_t cap = 0;
    rq_status rc = RQ_OK;
    for (size_t z = 0; z < n_zones && rc == RQ_OK; z++) {
        rq_gap_zone *zn = &zones[z];
        if (zn->geom)
            continue;
        rq_grow((void **)&geoms, &cap, zn->n_communes, sizeof *geoms);
        for (size_t i = 0; i < zn->n_communes; i++)
            geoms[i] = ds->communes[zn->communes[i]].geom;
        if (zn->n_communes > 1) {
            rc = job_init(g, &jobs[*n_jobs], zn, geoms, zn->n_communes, err);
            *n_jobs += rc == RQ_OK;
        } else if (!(zn->geom = rq_geom_clone(g, geoms[0]))) {
            rc = rq_err_set(err, RQ_ERR_GEOS, "GEOS clone failed: %s", rq_geos_last_error(g));
        }
    }
    free(geoms);
    return rc;
}

struct rq_union_plan {
    rq_geos *g;
    struct union_job *jobs;
    size_t n_jobs;
};

rq_union_plan *
rq_gaps_union_plan(const rq_dataset *ds, rq_gap_zone *zones, size_t n_zones, rq_err *err)
{
    rq_union_plan *p = rq_xcalloc(1, sizeof *p);
    p->g = ds->geos;
    p->jobs = rq_xcalloc(n_zones + 1, sizeof *p->jobs);
    if (commune_jobs(ds, zones, n_zones, p->jobs, &p->n_jobs, err) != RQ_OK) {
        rq_gaps_union_discard(p);
        return NULL;
    }
    return p;
}

void
rq_gaps_union_discard(rq_union_plan *p)
{
    if (!p)
        return;
    for (size_t k = 0; k < p->n_jobs; k++)
        job_release(p->g, &p->jobs[k]);
    free(p->jobs);
    free(p);
}

rq_status
rq_gaps_union_run(rq_union_plan *p, rq_err *err)
{
    rq_status rc = run_jobs(p->g, p->jobs, p->n_jobs, err);
    rq_gaps_union_discard(p);
    return rc;
}

rq_status
rq_gaps_union(const rq_dataset *ds, rq_gap_zone *zones, size_t n_zones, rq_err *err)
{
    rq_union_plan *p = rq_gaps_union_plan(ds, zones, n_zones, err);
    return p ? rq_gaps_union_run(p, err) : (err && err->code ? err->code : RQ_ERR_GEOS);
}
