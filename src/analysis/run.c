/* run.c - the analysis after check: reach -> indicators -> gaps ->
** aggregates, with a timing per stage (run.json) and a progress line for
** stages that last more than a second. */
#include "raquette/analysis.h"

#include "raquette/gaps.h"

#include <stdlib.h>
#include <string.h>

/* Ends stage pr and records its timing. */
static void
timing(rq_results *res, rq_progress *pr, int ok)
{
    double s = rq_progress_end(pr, ok);
    if (res->n_timings < sizeof res->timings / sizeof res->timings[0])
        res->timings[res->n_timings++] = (rq_timing){pr->stage, s, pr->cpu, 0};
}

rq_status
rq_gaps_compute(rq_dataset *ds, rq_results *res, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    unsigned char *flag = rq_xcalloc(ds->n_communes + 1, 1);
    unsigned *missing = rq_xcalloc(ds->n_communes + 1, sizeof *missing);
    long *zone_of = rq_xcalloc(ds->n_communes + 1, sizeof *zone_of);
    size_t cap = 0;
    rq_status rc = RQ_OK;
    /* Overall zones: every gap commune (trou = 1). */
    for (size_t a = 0; a < res->n_ind; a++) {
        const rq_commune_ind *ind = &res->ind[a];
        flag[ind->commune] = (unsigned char)ind->trou;
        missing[ind->commune] = ind->missing;
    }
    rc = rq_gaps_group(ds, flag, missing, "T", -1, &res->gaps, &res->n_gaps, &cap, zone_of, err);
    for (size_t a = 0; a < res->n_ind && rc == RQ_OK; a++)
        if (res->ind[a].trou)
            res->ind[a].zone_trou = zone_of[res->ind[a].commune];
    /* Per required phase: rural communes with phase_<p> = 0. */
    for (int p = 0; p < RQ_NPHASES && rc == RQ_OK; p++) {
        if (!cfg->required[p])
            continue;
        for (size_t a = 0; a < res->n_ind; a++) {
            const rq_commune_ind *ind = &res->ind[a];
            flag[ind->commune] = (unsigned char)(ind->rural && !ind->phase[p]);
            missing[ind->commune] = 1u << p;
        }
        rc = rq_gaps_group(ds, flag, missing, rq_phase_prefix[p], p, &res->gaps, &res->n_gaps, &cap,
                           zone_of, err);
        for (size_t a = 0; a < res->n_ind && rc == RQ_OK; a++)
            if (flag[res->ind[a].commune])
                res->ind[a].zone_trou_p[p] = zone_of[res->ind[a].commune];
    }
    if (rc == RQ_OK)
        rc = rq_gaps_union(ds, res->gaps, res->n_gaps, err);
    free(flag);
    free(missing);
    free(zone_of);
    return rc;
}

rq_status
rq_analysis_run(rq_dataset *ds, rq_results *res, int quiet, rq_err *err)
{
    rq_reach reach;
    rq_progress pr;
    rq_status rc;
    memset(&reach, 0, sizeof reach);

    rq_progress_begin(&pr, "reach", quiet);
    double t0 = rq_now();
    rc = rq_reach_build(ds, &reach, err);
    rq_log(RQ_LOG_DEBUG, "reach: the structures' buffers in %.3f s", rq_now() - t0);
    if (rc == RQ_OK)
        rc = rq_reach_zones(ds, res, err);
    timing(res, &pr, rc == RQ_OK);
    if (rc != RQ_OK)
        goto cleanup;
    /* From here on the study units (when [units] is set) stand in for the
    ** communes; zones and reaches were made from the communes. */
    rq_units_apply(ds);

    rq_progress_begin(&pr, "indicators", quiet);
    rc = rq_indicators_compute(ds, &reach, res, err);
    timing(res, &pr, rc == RQ_OK);
    if (rc != RQ_OK)
        goto cleanup;

    rq_progress_begin(&pr, "gaps", quiet);
    rc = rq_gaps_compute(ds, res, err);
    timing(res, &pr, rc == RQ_OK);
    if (rc != RQ_OK)
        goto cleanup;

    rq_progress_begin(&pr, "aggregates", quiet);
    rc = rq_aggregates_compute(ds, res, err);
    timing(res, &pr, rc == RQ_OK);
cleanup:
    rq_reach_fini(ds->geos, &reach);
    return rc;
}
