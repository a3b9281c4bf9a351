/* products.c - the outputs stage: the table of products, walked by a pool
** of worker threads, then run.json, then the commit of the output folder
** (rq_outdir_commit), in this one place.
**
** Adding a product is one file (its write function) and one row below.
**
** Threads: before the products start, the calling thread turns every
** geometry they need into WKB (rq_out_geoms): GEOS objects are never
** shared between threads, even read-only (GEOS caches envelopes lazily).
** Each worker has its own GEOS context and its own PROJ transformation to
** lon/lat, takes the next product of the table that it may start, and
** writes its files with GDAL on datasets of its own. The recording of the
** run in its history (rq_history_start: the run read back and compared
** with the previous one) is a job of the pool too, taken first: only the
** products that show the comparison (AFTER_HISTORY) wait for it, the
** others are written meanwhile. The files do not depend on the number of
** threads.
*/
#include "outputs/products.h"

#include "raquette/io.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Products that read ctx->report or ctx->cmp, made by rq_history_start. */
#define AFTER_HISTORY 1

/* Largest first, so that the longest does not start last; the history job
** goes before them all. */
const rq_product rq_products[] = {
    {"communes.geojson", rq_product_communes_geojson, 0},
    {"report", rq_product_report, AFTER_HISTORY},
    {"geopackage", rq_product_gpkg, AFTER_HISTORY},
    {"workbook", rq_product_xlsx, 0},
    {"csv", rq_product_csv, 0},
    {"trous.geojson", rq_product_trous_geojson, 0},
    {"annuaire", rq_product_annuaire, 0},
    {"qgis project", rq_product_qgis, AFTER_HISTORY},
    {"sites.geojson", rq_product_sites_geojson, 0},
};

void
rq_run_meta_date(rq_run_meta *meta)
{
    /* SOURCE_DATE_EPOCH (reproducible-builds.org): the same date whenever
    ** the run happens, for files that must compare equal. */
    const char *env = getenv("SOURCE_DATE_EPOCH");
    long epoch;
    time_t t = env && rq_parse_long(env, &epoch) && epoch >= 0 ? (time_t)epoch : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(meta->date, sizeof meta->date, "%Y-%m-%d", &tm);
}

/* ---- Geometries as WKB ----------------------------------------------------- */

static void
to_wkb(rq_geos *g, const rq_geom *geom, rq_wkb *out)
{
    out->data = geom ? rq_geom_to_wkb(g, geom, &out->len) : NULL;
    if (!out->data)
        out->len = 0;
}

static rq_wkb *
wkb_array(size_t n)
{
    return rq_xcalloc(n + 1, sizeof(rq_wkb));
}

static void
geoms_init(rq_out_geoms *o, const rq_dataset *ds, const rq_results *res)
{
    rq_geos *g = ds->geos;
    memset(o, 0, sizeof *o);
    o->communes = wkb_array(res->n_ind);
    o->gaps = wkb_array(res->n_gaps);
    o->deps = wkb_array(res->n_agg_dep);
    o->epcis = wkb_array(res->n_agg_epci);
    o->extent = (rq_bbox){0, 0, 0, 0};
    for (size_t a = 0; a < res->n_ind; a++) {
        const rq_geom *c = ds->communes[res->ind[a].commune].geom;
        rq_bbox b;
        to_wkb(g, c, &o->communes[a]);
        if (rq_geom_bbox(g, c, &b)) {
            if (a == 0)
                o->extent = b;
            o->extent.minx = b.minx < o->extent.minx ? b.minx : o->extent.minx;
            o->extent.miny = b.miny < o->extent.miny ? b.miny : o->extent.miny;
            o->extent.maxx = b.maxx > o->extent.maxx ? b.maxx : o->extent.maxx;
            o->extent.maxy = b.maxy > o->extent.maxy ? b.maxy : o->extent.maxy;
        }
    }
    for (size_t i = 0; i < res->n_gaps; i++)
        to_wkb(g, res->gaps[i].geom, &o->gaps[i]);
    for (size_t i = 0; i < res->n_agg_dep; i++)
        to_wkb(g, res->agg_dep[i].geom, &o->deps[i]);
    for (size_t i = 0; i < res->n_agg_epci; i++)
        to_wkb(g, res->agg_epci[i].geom, &o->epcis[i]);
}

static void
free_wkbs(rq_wkb *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].data);
    free(v);
}

static void
geoms_fini(rq_out_geoms *o, const rq_results *res)
{
    free_wkbs(o->communes, res->n_ind);
    free_wkbs(o->gaps, res->n_gaps);
    free_wkbs(o->deps, res->n_agg_dep);
    free_wkbs(o->epcis, res->n_agg_epci);
    memset(o, 0, sizeof *o);
}

/* ---- The pool ------------------------------------------------------------- */

#define N_PRODUCTS (sizeof rq_products / sizeof rq_products[0])

/* The history job's progress. */
enum { HISTORY_NONE, HISTORY_WAITING, HISTORY_RUNNING, HISTORY_DONE };

struct pool {
    rq_product_ctx base;  /* g set per worker; report and cmp
                          ** set by the history job, under lock */
    rq_history_job *hist; /* NULL: no history job */
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t ready; /* a product may start, or the pool failed */
    int history;          /* HISTORY_* */
    unsigned char taken[N_PRODUCTS];
    int failed;
    rq_status rc;
    rq_err err;
    double wall[N_PRODUCTS + 1]; /* per product, then the history job */
    double cpu[N_PRODUCTS + 1];
};

/* Called with p->lock held. */
static void
fail_locked(struct pool *p, rq_status rc, rq_err *err)
{
    if (!p->failed) {
        p->failed = 1;
        p->rc = rc;
        rq_err_move(&p->err, err);
    }
    pthread_cond_broadcast(&p->ready);
}

/* The next job for a worker, with p->lock held: N_PRODUCTS for the history
** job, a product's index, or -1 when nothing is left. Waits while the only
** products left need the history and it is being recorded. */
static long
next_job(struct pool *p)
{
    for (;;) {
        if (p->failed)
            return -1;
        if (p->history == HISTORY_WAITING) {
            p->history = HISTORY_RUNNING;
            return (long)N_PRODUCTS;
        }
        int left = 0;
        for (size_t k = 0; k < N_PRODUCTS; k++) {
            if (p->taken[k])
                continue;
            left = 1;
            if (rq_products[k].after_history && p->history == HISTORY_RUNNING)
                continue;
            p->taken[k] = 1;
            return (long)k;
        }
        if (!left)
            return -1;
        pthread_cond_wait(&p->ready, &p->lock);
    }
}

/* Runs job k (next_job) with the worker's context; returns its status. */
static rq_status
run_job(struct pool *p, long k, rq_product_ctx *ctx, rq_err *err)
{
    if (k < (long)N_PRODUCTS)
        return rq_products[k].write(ctx, err);
    rq_status rc = rq_history_start(ctx, p->hist, err);
    pthread_mutex_lock(&p->lock);
    p->base.report = ctx->report;
    p->base.cmp = ctx->cmp;
    p->history = HISTORY_DONE;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static void *
worker(void *arg)
{
    struct pool *p = arg;
    rq_product_ctx ctx = p->base;
    rq_err err = {0};
    ctx.g = rq_geos_create();
    pthread_mutex_lock(&p->lock);
    if (!ctx.g)
        fail_locked(p, rq_err_set(&err, RQ_ERR_GEOS, "cannot create a GEOS context"), &err);
    long k;
    while ((k = next_job(p)) >= 0) {
        ctx.report = p->base.report; /* set once the history job is done */
        ctx.cmp = p->base.cmp;
        pthread_mutex_unlock(&p->lock);
        double t0 = rq_now(), c0 = rq_thread_cpu_now();
        rq_status rc = run_job(p, k, &ctx, &err);
        p->wall[k] = rq_now() - t0; /* each k is run by one worker only */
        p->cpu[k] = rq_thread_cpu_now() - c0;
        rq_log(RQ_LOG_DEBUG, "wrote %s in %.3f s",
               k < (long)N_PRODUCTS ? rq_products[k].name : "history", p->wall[k]);
        pthread_mutex_lock(&p->lock);
        if (rc != RQ_OK)
            fail_locked(p, rc, &err);
    }
    pthread_mutex_unlock(&p->lock);
    rq_geos_destroy(ctx.g);
    rq_err_fini(&err);
    return NULL;
}

static rq_status
run_products(struct pool *p, rq_err *err)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    p->history = p->hist ? HISTORY_WAITING : HISTORY_NONE;
    rq_workers_run(worker, p, rq_thread_count());
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->lock);
    if (!p->failed)
        return RQ_OK;
    rq_err_move(err, &p->err);
    return p->rc;
}

/* The outputs stage's timing, then each product's. */
static void
record_timings(rq_results *res, const struct pool *p, double wall, double cpu)
{
    const size_t cap = sizeof res->timings / sizeof res->timings[0];
    if (res->n_timings < cap)
        res->timings[res->n_timings++] = (rq_timing){"outputs", wall, cpu, 0};
    if (p->hist && res->n_timings < cap)
        res->timings[res->n_timings++] =
            (rq_timing){"history", p->wall[N_PRODUCTS], p->cpu[N_PRODUCTS], 1};
    for (size_t k = 0; k < N_PRODUCTS && res->n_timings < cap; k++)
        res->timings[res->n_timings++] = (rq_timing){rq_products[k].name, p->wall[k], p->cpu[k], 1};
}

/* Messages about files of the temporary folder name the folder the user
** asked for: the temporary one is gone once the run is aborted. */
static void
name_target(rq_err *err, const char *tmp, const char *target)
{
    size_t lt = strlen(tmp);
    char *at = strstr(err->msg, tmp);
    if (!at || lt == 0)
        return;
    char rest[sizeof err->msg];
    rq_strlcpy(rest, at + lt, sizeof rest);
    size_t head = (size_t)(at - err->msg);
    snprintf(at, sizeof err->msg - head, "%s%s", target, rest);
}

/* run.json; its text is kept in *text for the history. */
static rq_status
write_runjson(const rq_product_ctx *ctx, char **text, rq_err *err)
{
    *text = rq_runjson_text(ctx);
    char *path = rq_product_path(ctx, "run.json");
    rq_status rc = rq_io_write_file(path, *text, strlen(*text), err);
    free(path);
    return rc;
}

static rq_status
commit_folder(rq_outdir *od, const rq_run_meta *meta, rq_err *err)
{
    char *marker = rq_xasprintf(
        "This folder holds the outputs of a raquette run (raquette %s, run %s).\n"
        "The next run of the same name replaces it as a whole: keep no file of your own "
        "in it.\n",
        RQ_VERSION, meta->run_name);
    rq_status rc = rq_outdir_commit(od, marker, err);
    free(marker);
    return rc;
}

rq_status
rq_outputs_write(const rq_dataset *ds, rq_results *res, const rq_run_meta *meta, rq_outdir *od,
                 rq_history_job *h, int quiet, rq_err *err)
{
    rq_progress pr;
    rq_out_geoms geoms;
    struct pool p;
    memset(&p, 0, sizeof p);
    rq_progress_begin(&pr, "outputs", quiet);
    geoms_init(&geoms, ds, res);
    p.base = (rq_product_ctx){
        .crs = ds->cfg->crs,
        .csv = ds->cfg->csv_format == RQ_CSV_FR ? RQ_OUT_CSV_FR : RQ_OUT_CSV,
        .ds = ds,
        .res = res,
        .meta = meta,
        .od = od,
        .geoms = &geoms,
    };
    char *json = NULL;
    p.hist = h; /* recorded by the pool (in memory when no history file exists yet) */
    rq_status rc = run_products(&p, err);
    double t = rq_progress_end(&pr, rc == RQ_OK);
    if (rc == RQ_OK) {
        record_timings(res, &p, t, pr.cpu);
        rq_product_ctx ctx = p.base;
        ctx.g = ds->geos;
        rc = write_runjson(&ctx, &json, err);
    }
    if (rc == RQ_OK)
        rc = commit_folder(od, meta, err);
    if (h) {
        if (rc == RQ_OK) {
            rq_product_ctx ctx = p.base;
            ctx.g = ds->geos;
            rc = rq_history_finish(&ctx, h, json, err);
        } else {
            rq_history_abort(h);
        }
    }
    free(json);
    geoms_fini(&geoms, res);
    rq_err_fini(&p.err);
    if (rc != RQ_OK && rq_outdir_path(od))
        name_target(err, rq_outdir_path(od), rq_outdir_target(od));
    return rc;
}

rq_status
rq_outputs_write_comparison(const rq_comparison *cmp, const char *crs, int csv_fr,
                            const rq_run_meta *meta, rq_outdir *od, rq_err *err)
{
    rq_product_ctx ctx = {
        .crs = crs,
        .csv = csv_fr ? RQ_OUT_CSV_FR : RQ_OUT_CSV,
        .meta = meta,
        .od = od,
        .cmp = cmp,
        .g = rq_geos_create(),
    };
    rq_status rc = RQ_OK;
    if (!ctx.g)
        rc = rq_err_set(err, RQ_ERR_GEOS, "cannot create a GEOS context");
    if (rc == RQ_OK)
        rc = rq_product_comparison(&ctx, err);
    if (rc == RQ_OK)
        rc = commit_folder(od, meta, err);
    rq_geos_destroy(ctx.g);
    if (rc != RQ_OK && rq_outdir_path(od))
        name_target(err, rq_outdir_path(od), rq_outdir_target(od));
    return rc;
}
