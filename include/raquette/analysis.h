/* analysis.h - an analysis from loaded inputs to written outputs:
**
**   rq_pipeline_prepare (pipeline.h)  load -> harmonise -> locate
**   rq_analysis_run                    reach -> indicators -> gaps -> aggregates
**   rq_outputs_write                   gap zone polygons, outputs (method.md §6), atomically
*/
#ifndef RQ_ANALYSIS_H
#define RQ_ANALYSIS_H

#include "raquette/indicators.h"
#include "raquette/pipeline.h"
#include "raquette/writer.h"

/* Runs the computing stages; res must be zeroed. Records stage timings. */
rq_status rq_analysis_run(rq_dataset *ds, rq_results *res, int quiet, rq_err *err) RQ_MUST_CHECK;

/* What run.json records about the invocation. */
typedef struct rq_run_meta {
    const char *config_path;
    const char *run_name;
    double seconds_prepare;
} rq_run_meta;

/* Writes every output file of method.md §6 into the temporary folder of
** od (rq_outdir_open), then commits it: od's target is replaced in one
** step, and a failure leaves the previous outputs untouched (the caller
** then closes od, which removes the temporary folder). The gap zones'
** polygons are made here (rq_gaps_union), while another thread writes
** communes.geojson; they stay in res->gaps. */
rq_status rq_outputs_write(const rq_dataset *ds, rq_results *res, const rq_run_meta *meta,
                           rq_outdir *od, int quiet, rq_err *err) RQ_MUST_CHECK;

/* Writes run.json: parameters, inputs with their SHA-256, counts,
** unmatched codes, warnings, tool version and stage timings. */
rq_status rq_runjson_write(const rq_dataset *ds, const rq_results *res, const rq_run_meta *meta,
                           const char *path, rq_err *err) RQ_MUST_CHECK;

#endif
