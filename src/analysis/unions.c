/* unions.c - batches of polygon unions run on worker threads: the gap
** zones (gaps stage), the intervention zones (reach stage) and the
** polygons of the départements and EPCI (aggregates stage).
**
** Each job is the union of some commune polygons (RQ_UNION_COVERAGE), or
** of overlapping polygons such as a structure's discs (RQ_UNION_OVERLAY).
** Commune boundaries form a coverage (neighbours share their edges vertex
** for vertex), so the linear-time coverage union applies;
** rq_geom_union_coverage_take checks its result and falls back to the
** general overlay when the parts are not a clean coverage.
**
** Threads: a job owns clones of its inputs (GEOS's unions take their
** parts); each worker has its own GEOS context. No GEOS object is ever
** used by two threads at once (GEOS caches envelopes lazily inside const
** geometries), and one commune is a part of several jobs (its
** département, its EPCI, its région...). So the clones are made in a
** first pass, on the workers too, each source polygon by exactly one
** worker: the clones are sorted by source and cut into a few runs per
** worker that never split one source's clones. (Made on the calling
** thread when the jobs were added, they took 0.7 s on one thread of
** France's 1.7 s reach stage.) The unions follow, the largest jobs first.
** Results do not depend on the number of threads: each union has the same
** inputs in the same order.
*/
#include "raquette/unions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Runs of clones per worker in the first pass. */
#define RQ_CLONE_RUNS 4

struct job {
    const rq_geom **src; /* borrowed sources to clone into parts, or NULL */
    rq_geom **parts;     /* owned by the job (NULL until cloned) */
    size_t n_parts;
    rq_geom **out;  /* receives the result */
    char label[64]; /* for messages */
};

/* A clone to make: part i of job k from source src. */
struct ref {
    const rq_geom *src;
    size_t job, i;
};

struct rq_union_batch {
    rq_geos *g; /* the calling thread's context, to free what is left */
    rq_union_kind kind;
    struct job *jobs;
    size_t n_jobs, cap;
    struct ref *refs; /* the first pass's clones, sorted by source */
    size_t n_refs;
    size_t *cut; /* run c is refs[cut[c] .. cut[c + 1]) */
    size_t n_cuts;
};

static void
job_release(rq_geos *g, struct job *j)
{
    for (size_t i = 0; i < j->n_parts; i++)
        rq_geom_destroy(g, j->parts[i]);
    free(j->parts);
    free(j->src);
    j->parts = NULL;
    j->src = NULL;
    j->n_parts = 0;
}

rq_union_batch *
rq_union_batch_create(rq_geos *g, rq_union_kind kind)
{
    rq_union_batch *b = rq_xcalloc(1, sizeof *b);
    b->g = g;
    b->kind = kind;
    return b;
}

void
rq_union_batch_destroy(rq_union_batch *b)
{
    if (!b)
        return;
    for (size_t k = 0; k < b->n_jobs; k++)
        job_release(b->g, &b->jobs[k]);
    free(b->jobs);
    free(b->refs);
    free(b->cut);
    free(b);
}

/* A new job for *out of n parts, its parts not yet set. */
static struct job *
job_new(rq_union_batch *b, size_t n, rq_geom **out, const char *label)
{
    rq_grow((void **)&b->jobs, &b->cap, b->n_jobs + 1, sizeof *b->jobs);
    struct job *j = &b->jobs[b->n_jobs++];
    memset(j, 0, sizeof *j);
    j->out = out;
    rq_strlcpy(j->label, label ? label : "", sizeof j->label);
    j->parts = rq_xcalloc(n, sizeof *j->parts);
    return j;
}

void
rq_union_batch_add(rq_union_batch *b, const rq_geom *const *parts, size_t n, rq_geom **out,
                   const char *label)
{
    *out = NULL;
    if (n == 0)
        return; /* nothing: out stays NULL */
    struct job *j = job_new(b, n, out, label);
    j->src = rq_xcalloc(n, sizeof *j->src);
    memcpy(j->src, parts, n * sizeof *parts);
    j->n_parts = n;
}

void
rq_union_batch_add_take(rq_union_batch *b, rq_geom **parts, size_t n, rq_geom **out,
                        const char *label)
{
    *out = n == 1 ? parts[0] : NULL; /* one part: the part itself, no job */
    if (n < 2)
        return;
    struct job *j = job_new(b, n, out, label);
    memcpy(j->parts, parts, n * sizeof *parts);
    j->n_parts = n;
}

/* Runs one job in context g: the job no longer owns its parts after. */
static rq_status
run_job(rq_geos *g, rq_union_kind kind, struct job *j, rq_err *err)
{
    double t0 = rq_now();
    int coverage = 0;
    size_t n = j->n_parts;
    if (n == 1) { /* one part: the part itself */
        *j->out = j->parts[0];
        j->parts[0] = NULL;
        return RQ_OK;
    }
    rq_geom *u = kind == RQ_UNION_COVERAGE
                     ? rq_geom_union_coverage_take(g, j->parts, n, &coverage, err)
                     : rq_geom_union_take(g, j->parts, n, err);
    j->n_parts = 0; /* taken, also on failure */
    job_release(g, j);
    rq_log(RQ_LOG_DEBUG, "%s: union of %zu parts by %s in %.3f s", j->label, n,
           coverage ? "coverage union" : "overlay", rq_now() - t0);
    *j->out = u;
    return u ? RQ_OK : rq_err_code(err);
}

/* The first pass's item c: run c of clones, each source in one run only,
** so read by this thread only. */
static rq_status
clone_run(rq_geos *g, void *local, size_t c, void *ud, rq_err *err)
{
    rq_union_batch *b = ud;
    (void)local;
    for (size_t r = b->cut[c]; r < b->cut[c + 1]; r++) {
        const struct ref *f = &b->refs[r];
        if (!(b->jobs[f->job].parts[f->i] = rq_geom_clone(g, f->src)))
            return rq_err_set(err, RQ_ERR_GEOS, "GEOS clone failed: %s", rq_geos_last_error(g));
    }
    return RQ_OK;
}

/* The second pass's item k: job k's union, the failure naming its label. */
static rq_status
union_run(rq_geos *g, void *local, size_t k, void *ud, rq_err *err)
{
    rq_union_batch *b = ud;
    struct job *j = &b->jobs[k];
    (void)local;
    rq_status rc = run_job(g, b->kind, j, err);
    if (rc != RQ_OK) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        rq_err_set(err, rc, "%s: %s", j->label, why);
    }
    return rc;
}

static int
cmp_ref(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    uintptr_t p = (uintptr_t)x->src, q = (uintptr_t)y->src;
    return (p > q) - (p < q);
}

/* Lists the clones to make, sorted by source, and cuts them into runs of
** about equal length that never split one source's clones. */
static void
plan_clones(rq_union_batch *b, size_t n_workers)
{
    size_t n = 0;
    for (size_t k = 0; k < b->n_jobs; k++)
        n += b->jobs[k].src ? b->jobs[k].n_parts : 0;
    b->refs = rq_xcalloc(n ? n : 1, sizeof *b->refs);
    for (size_t k = 0; k < b->n_jobs; k++)
        for (size_t i = 0; b->jobs[k].src && i < b->jobs[k].n_parts; i++)
            b->refs[b->n_refs++] = (struct ref){b->jobs[k].src[i], k, i};
    qsort(b->refs, b->n_refs, sizeof *b->refs, cmp_ref);
    /* A few runs per worker, so that a slow one does not hold the rest. */
    size_t want = n_workers ? n_workers * RQ_CLONE_RUNS : 1;
    size_t len = (b->n_refs + want - 1) / want; /* >= 1 when there is a clone to make */
    b->cut = rq_xcalloc(want + 2, sizeof *b->cut);
    size_t at = 0;
    while (at < b->n_refs) {
        size_t end = at + len < b->n_refs ? at + len : b->n_refs;
        while (end < b->n_refs && b->refs[end].src == b->refs[end - 1].src)
            end++;
        b->cut[++b->n_cuts] = end;
        at = end;
    }
}

static int
cmp_job(const void *a, const void *b)
{
    const struct job *x = a, *y = b;
    if (x->n_parts != y->n_parts)
        return x->n_parts > y->n_parts ? -1 : 1;
    return strcmp(x->label, y->label);
}

rq_status
rq_union_batch_run(rq_union_batch *b, rq_err *err)
{
    if (b->n_jobs > 1)
        qsort(b->jobs, b->n_jobs, sizeof *b->jobs, cmp_job);
    plan_clones(b, rq_thread_count());
    rq_geos_work clones = {.n = b->n_cuts, .item = clone_run, .ud = b};
    rq_geos_work unions = {.n = b->n_jobs, .item = union_run, .ud = b};
    rq_status rc = rq_geos_work_run(&clones, err);
    if (rc == RQ_OK)
        rc = rq_geos_work_run(&unions, err);
    rq_union_batch_destroy(b);
    return rc;
}
