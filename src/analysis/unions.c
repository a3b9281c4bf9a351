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
** Threads: a job owns clones of its inputs, made on the calling thread
** when it is added; each worker has its own GEOS context. No GEOS object is
** ever shared between threads (GEOS caches envelopes lazily inside const
** geometries). The largest jobs go first. Results do not depend on the
** number of threads: each union has the same inputs in the same order.
*/
#include "raquette/unions.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct job {
    rq_geom **parts; /* clones owned by the job */
    size_t n_parts;
    rq_geom **out;  /* receives the result */
    char label[64]; /* for messages */
};

struct rq_union_batch {
    rq_geos *g; /* the calling thread's context, for the clones */
    rq_union_kind kind;
    struct job *jobs;
    size_t n_jobs, cap;
    atomic_size_t next; /* next job to take */
    rq_pool_error fail; /* during rq_union_batch_run */
};

static void
job_release(rq_geos *g, struct job *j)
{
    for (size_t i = 0; i < j->n_parts; i++)
        rq_geom_destroy(g, j->parts[i]);
    free(j->parts);
    j->parts = NULL;
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
    free(b);
}

rq_status
rq_union_batch_add(rq_union_batch *b, const rq_geom *const *parts, size_t n, rq_geom **out,
                   const char *label, rq_err *err)
{
    rq_geos *g = b->g;
    *out = NULL;
    if (n == 0)
        return RQ_OK; /* nothing: out stays NULL */
    /* One part: the part itself, no job. */
    if (n == 1) {
        if (!(*out = rq_geom_clone(g, parts[0])))
            return rq_err_set(err, RQ_ERR_GEOS, "GEOS clone failed: %s", rq_geos_last_error(g));
        return RQ_OK;
    }
    rq_grow((void **)&b->jobs, &b->cap, b->n_jobs + 1, sizeof *b->jobs);
    struct job *j = &b->jobs[b->n_jobs];
    memset(j, 0, sizeof *j);
    j->out = out;
    rq_strlcpy(j->label, label ? label : "", sizeof j->label);
    j->parts = rq_xcalloc(n, sizeof *j->parts);
    for (size_t i = 0; i < n; i++) {
        if (!(j->parts[i] = rq_geom_clone(g, parts[i]))) {
            job_release(g, j);
            return rq_err_set(err, RQ_ERR_GEOS, "GEOS clone failed: %s", rq_geos_last_error(g));
        }
        j->n_parts = i + 1;
    }
    b->n_jobs++;
    return RQ_OK;
}

/* Runs one job in context g: the job no longer owns its parts after. */
static rq_status
run_job(rq_geos *g, rq_union_kind kind, struct job *j, rq_err *err)
{
    double t0 = rq_now();
    int coverage = 0;
    size_t n = j->n_parts;
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

static void *
worker(void *arg)
{
    rq_union_batch *b = arg;
    rq_err err = {0};
    rq_geos *g = rq_geos_create();
    rq_status rc = g ? RQ_OK : rq_err_set(&err, RQ_ERR_GEOS, "cannot create a GEOS context");
    while (rc == RQ_OK && !rq_pool_error_seen(&b->fail)) {
        size_t k = atomic_fetch_add(&b->next, 1);
        if (k >= b->n_jobs)
            break;
        struct job *j = &b->jobs[k];
        if ((rc = run_job(g, b->kind, j, &err)) != RQ_OK) {
            char why[sizeof err.msg];
            snprintf(why, sizeof why, "%s", err.msg);
            rq_err_set(&err, rc, "%s: %s", j->label, why);
        }
    }
    if (rc != RQ_OK)
        rq_pool_error_record(&b->fail, &err);
    rq_geos_destroy(g);
    return NULL;
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
    size_t n_workers = rq_thread_count();
    if (n_workers > b->n_jobs)
        n_workers = b->n_jobs;
    if (b->n_jobs > 1)
        qsort(b->jobs, b->n_jobs, sizeof *b->jobs, cmp_job);
    atomic_init(&b->next, 0);
    rq_pool_error_init(&b->fail);
    if (b->n_jobs)
        rq_workers_run(worker, b, n_workers);
    rq_status rc = rq_pool_error_fini(&b->fail, err);
    rq_union_batch_destroy(b);
    return rc;
}
