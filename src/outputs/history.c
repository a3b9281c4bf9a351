/* history.c - the run as the history database keeps it (store.h): its row
** of the runs table, then its layers filled by the same functions as the
** files (layers.c, through a sink), the coverage shares that the
** comparison needs to explain a change, and the redirections of its
** commune table that let a later run match communes across vintages.
**
** When the history exists, the run is recorded before the products are
** written, in a transaction, so that the run can be compared with the
** previous one of the same name (read back by the loader the `compare`
** command uses); the transaction is committed once the output folder is in
** place. A history that does not exist yet has no previous run: the run
** is recorded in memory, and that database saved as the history file only
** once the folder is in place, so that a failed run never leaves a history
** behind. Either way a failed run leaves the database as it was.
** rq_history_start runs on a worker of the products' pool (products.c),
** beside the products that do not need the comparison; rq_history_finish
** on the calling thread, after the pool.
*/
#include "outputs/products.h"

#include "raquette/io.h"
#include "raquette/store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Configuration files are small (config.c refuses more than 1 MiB). */
#define RQ_CONFIG_MAX (1024 * 1024)

static rq_status
record_layer(rq_store *s, long long id, const rq_product_ctx *ctx, rq_layer_kind kind, int phase,
             const char *table, rq_err *err)
{
    rq_layer l;
    rq_layer_init(&l, kind, phase, ctx);
    rq_store_ins *ins = rq_store_ins_open(s, table, l.fields, l.n_fields, l.gtype, id, err);
    rq_status rc = RQ_OK;
    if (ins) {
        rq_sink sink = rq_store_ins_sink(ins);
        rc = rq_layer_fill(&l, ctx, &sink, RQ_GEOM_METRIC, err);
    }
    rc = rq_store_ins_close(ins, rc, err);
    rq_layer_fini(&l);
    return rc;
}

/* Every structure's share of every study commune it reaches. */
static rq_status
record_covers(rq_store *s, long long id, const rq_product_ctx *ctx, rq_err *err)
{
    static const rq_field_def f[] = {{"code_insee", RQ_FT_STRING, 0, NULL},
                                     {"structure_id", RQ_FT_STRING, 0, NULL},
                                     {"part", RQ_FT_REAL, 6, NULL}};
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    rq_store_ins *ins = rq_store_ins_open(s, "couvertures", f, 3, RQ_OUT_NOGEOM, id, err);
    rq_status rc = RQ_OK;
    rq_sink k = ins ? rq_store_ins_sink(ins) : (rq_sink){0};
    for (size_t q = 0; ins && q < res->n_covers && rc == RQ_OK; q++) {
        const rq_cover *v = &res->covers[q];
        rq_sink_string(&k, 0, ds->communes[res->ind[v->pos].commune].code);
        rq_sink_string(&k, 1, ds->structures[v->structure].id);
        rq_sink_real(&k, 2, v->ratio);
        rc = k.add(k.h, err);
    }
    return rq_store_ins_close(ins, rc, err);
}

/* The codes of the commune table that are not current communes, with the
** current commune each belongs to (method.md §1.1). */
static rq_status
record_redirections(rq_store *s, long long id, const rq_product_ctx *ctx, rq_err *err)
{
    static const rq_field_def f[] = {{"code", RQ_FT_STRING, 0, NULL},
                                     {"code_actuel", RQ_FT_STRING, 0, NULL},
                                     {"regle", RQ_FT_STRING, 0, NULL}};
    const rq_dataset *ds = ctx->ds;
    rq_store_ins *ins = rq_store_ins_open(s, "codes_redirections", f, 3, RQ_OUT_NOGEOM, id, err);
    rq_status rc = RQ_OK;
    rq_sink k = ins ? rq_store_ins_sink(ins) : (rq_sink){0};
    size_t n = ds->n_cog + ds->n_passage;
    for (size_t i = 0; ins && i < n && rc == RQ_OK; i++) {
        const char *code = i < ds->n_cog ? ds->cog[i].code : ds->passage[i - ds->n_cog].old_code;
        if (i < ds->n_cog && ds->cog[i].type == RQ_COG_ACTUELLE)
            continue;
        /* A code on two rows (a commune nouvelle and its delegated commune)
        ** is current: nothing to redirect. */
        if (i < ds->n_cog && rq_cog_find(ds, code)->type == RQ_COG_ACTUELLE)
            continue;
        rq_rule rule;
        const char *to = rq_code_resolve(ds, code, &rule);
        if (!to || strcmp(to, code) == 0)
            continue;
        rq_sink_string(&k, 0, code);
        rq_sink_string(&k, 1, to);
        rq_sink_string(&k, 2, rq_rule_names[rule]);
        rc = k.add(k.h, err);
    }
    return rq_store_ins_close(ins, rc, err);
}

/* The runs row. */
static void
run_row(const rq_product_ctx *ctx, rq_store_run *r)
{
    const rq_dataset *ds = ctx->ds;
    const rq_results *res = ctx->res;
    const rq_config *cfg = ds->cfg;
    char sha[65] = "", phases[128];
    memset(r, 0, sizeof *r);
    r->name = rq_xstrdup(ctx->meta->run_name);
    r->date = rq_xstrdup(ctx->meta->date);
    r->vintage = cfg->cog_vintage ? rq_xstrdup(cfg->cog_vintage) : NULL;
    r->crs = rq_xstrdup(cfg->crs);
    r->folder = rq_xstrdup(rq_outdir_target(ctx->od));
    r->licence = rq_xstrdup(cfg->data_licence);
    r->config_path = rq_xstrdup(ctx->meta->config_path);
    rq_err ignored = {0}; /* the configuration was read moments ago */
    r->config_text = rq_io_read_text(ctx->meta->config_path, RQ_CONFIG_MAX, &ignored);
    rq_err_fini(&ignored);
    r->inputs = rq_runjson_part(ctx, "entrees");
    r->params = rq_runjson_part(ctx, "parametres");
    r->tool_version = rq_xstrdup(RQ_VERSION);
    r->method_version = rq_xstrdup(RQ_METHOD_VERSION);
    if (rq_io_sha256_file(cfg->communes.path, sha))
        r->boundaries_sha = rq_xstrdup(sha);
    r->threshold = cfg->threshold;
    unsigned req = 0;
    for (int p = 0; p < RQ_NPHASES; p++)
        req |= cfg->required[p] ? 1u << p : 0;
    rq_phase_list(req, phases, sizeof phases);
    r->required = rq_xstrdup(phases);
    r->communes = (long)res->n_ind;
    r->population = res->agg_area.population;
    r->communes_trou = (long)res->agg_area.communes_trou;
    r->population_trou = res->agg_area.pop_trou;
    for (size_t i = 0; i < res->n_gaps; i++)
        r->zones_trou += res->gaps[i].phase < 0;
    r->sites = (long)ds->n_sites;
    r->structures = (long)ds->n_structures;
    r->part_parcours_complet = res->agg_area.part_parcours;
}

rq_status
rq_history_record(const rq_product_ctx *ctx, rq_store *s, long long *run_id, rq_err *err)
{
    rq_store_run r;
    run_row(ctx, &r);
    rq_status rc = rq_store_add_run(s, &r, run_id, err);
    rq_store_run_fini(&r);
    static const struct {
        rq_layer_kind kind;
        int phase;
        const char *table;
    } layers[] = {
        {RQ_LAYER_COMMUNES, 0, "communes"},  {RQ_LAYER_TROUS, RQ_GAPS_EVERY, "trous"},
        {RQ_LAYER_SITES, 0, "sites"},        {RQ_LAYER_DEPARTEMENTS, 0, "agregats_departements"},
        {RQ_LAYER_EPCI, 0, "agregats_epci"}, {RQ_LAYER_ZONE_ETUDE, 0, "agregats_zone_etude"},
    };
    for (size_t i = 0; rc == RQ_OK && i < sizeof layers / sizeof layers[0]; i++)
        rc = record_layer(s, *run_id, ctx, layers[i].kind, layers[i].phase, layers[i].table, err);
    if (rc == RQ_OK)
        rc = record_covers(s, *run_id, ctx, err);
    if (rc == RQ_OK)
        rc = record_redirections(s, *run_id, ctx, err);
    return rc;
}

/* ---- The history of a run ---------------------------------------------------- */

rq_status
rq_history_open(rq_history_job *h, const char *path, rq_err *err)
{
    struct stat st;
    h->path = path;
    if (lstat(path, &st) != 0)
        return RQ_OK; /* made once the run's folder is in place */
    return (h->store = rq_store_open(path, 0, err)) ? RQ_OK : rq_err_code(err);
}

void
rq_history_job_fini(rq_history_job *h)
{
    if (h->has_report)
        rq_report_fini(&h->report);
    rq_store_close(h->store);
    rq_store_close(h->memory);
    memset(h, 0, sizeof *h);
}

rq_status
rq_history_start(rq_product_ctx *ctx, rq_history_job *h, rq_err *err)
{
    rq_store *s = h->store;
    rq_status rc = RQ_OK;
    if (!s && !(s = h->memory = rq_store_open_memory(err)))
        return rq_err_code(err);
    long long id = 0;
    if ((rc = rq_store_begin(s, err)) == RQ_OK)
        rc = rq_history_record(ctx, s, &id, err);
    if (rc == RQ_OK && (rc = rq_store_report(s, id, ctx->g, &h->report, err)) == RQ_OK) {
        h->has_report = 1;
        ctx->report = &h->report;
        if (h->report.has_previous)
            ctx->cmp = &h->report.cmp;
    }
    h->run_id = id; /* in memory, the id it keeps once saved as a new history */
    return rc;
}

/* A new history: the run recorded in memory (rq_history_start) is saved as
** the file, whole, in one step; *saved is 0 when another run made the file
** meanwhile, and the run is then recorded into that one. */
static rq_status
save_new(const rq_product_ctx *ctx, rq_history_job *h, const char *run_json, int *saved,
         rq_err *err)
{
    *saved = 0;
    rq_status rc = rq_store_set_run_json(h->memory, h->run_id, run_json, err);
    if (rc == RQ_OK)
        rc = rq_store_commit(h->memory, err);
    if (rc == RQ_OK)
        rc = rq_store_save_new(h->memory, h->path, saved, err);
    if (rc != RQ_OK || *saved)
        return rc;
    if (!(h->store = rq_store_open(h->path, 1, err)))
        return rq_err_code(err);
    if ((rc = rq_store_begin(h->store, err)) == RQ_OK)
        rc = rq_history_record(ctx, h->store, &h->run_id, err);
    return rc;
}

rq_status
rq_history_finish(const rq_product_ctx *ctx, rq_history_job *h, const char *run_json, rq_err *err)
{
    rq_err e = {0};
    rq_status rc = RQ_OK;
    int saved = 0;
    if (!h->path)
        return RQ_OK; /* --no-history: the memory only served the report */
    if (!h->store)
        rc = save_new(ctx, h, run_json, &saved, &e);
    if (rc == RQ_OK && !saved)
        rc = rq_store_set_run_json(h->store, h->run_id, run_json, &e);
    if (rc == RQ_OK && !saved)
        rc = rq_store_commit(h->store, &e);
    if (rc != RQ_OK) {
        rq_history_abort(h);
        rq_err_set(err, rc,
                   "the outputs are in %s, but the run could not be recorded in the history: %s",
                   rq_outdir_target(ctx->od), e.msg);
    }
    rq_err_fini(&e);
    return rc;
}

void
rq_history_abort(rq_history_job *h)
{
    if (h->store)
        rq_store_rollback(h->store);
}
