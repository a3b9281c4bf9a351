/* work.c - a loop over items on worker threads, each thread with its own
** GEOS context (rq_geos_work_run).
**
** Stages that share independent items between threads (the input
** polygons, the sites' discs, the clones and unions of a union batch, the
** coverage shares and the distances of the indicators) had each written
** the same worker: make a context, take items from a shared counter,
** record the first failure, stop the others, free the context. It is
** written once here.
*/
#include "raquette/geom.h"

#include <stdatomic.h>

struct work_pool {
    const rq_geos_work *w;
    atomic_size_t next;
    rq_pool_error fail;
};

static void *
work_worker(void *arg)
{
    struct work_pool *p = arg;
    const rq_geos_work *w = p->w;
    size_t chunk = w->chunk ? w->chunk : 1;
    rq_err err = {0};
    void *local = NULL;
    rq_geos *g = rq_geos_create();
    rq_status rc = g ? RQ_OK : rq_err_set(&err, RQ_ERR_GEOS, "cannot create a GEOS context");
    if (rc == RQ_OK && w->local_create && !(local = w->local_create(g, w->ud, &err)))
        rc = rq_err_code(&err);
    while (rc == RQ_OK && !rq_pool_error_seen(&p->fail)) {
        size_t i = atomic_fetch_add(&p->next, chunk);
        if (i >= w->n)
            break;
        size_t end = i + chunk < w->n ? i + chunk : w->n;
        for (; i < end && rc == RQ_OK; i++)
            rc = w->item(g, local, i, w->ud, &err);
    }
    if (rc != RQ_OK)
        rq_pool_error_record(&p->fail, &err);
    if (local)
        w->local_destroy(g, local, w->ud);
    rq_geos_destroy(g);
    rq_err_fini(&err);
    return NULL;
}

rq_status
rq_geos_work_run(const rq_geos_work *w, rq_err *err)
{
    struct work_pool p = {.w = w};
    size_t chunk = w->chunk ? w->chunk : 1, useful = (w->n + chunk - 1) / chunk;
    size_t threads = rq_thread_count() < useful ? rq_thread_count() : useful;
    atomic_init(&p.next, 0);
    rq_pool_error_init(&p.fail);
    /* One worker even for no item: its local_create may be what fails. */
    rq_workers_run(work_worker, &p, threads ? threads : 1);
    return rq_pool_error_fini(&p.fail, err);
}
