/* outputs.h - the outputs part (src/outputs/): every file a run writes,
** one product per file or family of files, walked from one table
** (src/outputs/products.c), and the commit of the output folder.
**
** A product reads the results; it never computes an indicator. Products
** run on worker threads; each has its own GEOS context and reprojection,
** and reads the geometries as WKB made once before they start.
*/
#ifndef RQ_OUTPUTS_H
#define RQ_OUTPUTS_H

#include "raquette/indicators.h"
#include "raquette/writer.h"

/* What run.json and the products record about the invocation. */
typedef struct rq_run_meta {
    const char *config_path;
    const char *run_name;
    double seconds_prepare;
    /* The run's date, YYYY-MM-DD: today, or SOURCE_DATE_EPOCH's when that
    ** variable is set (reproducible files: docs/outputs.md). */
    char date[16];
} rq_run_meta;

/* Fills meta->date (see rq_run_meta). */
void rq_run_meta_date(rq_run_meta *meta);

/* Writes every output into the temporary folder of od (rq_outdir_open),
** then commits it: od's target is replaced in one step, and a failure
** leaves the previous outputs untouched (the caller then closes od, which
** removes the temporary folder). Records the stage's timing in res. */
rq_status rq_outputs_write(const rq_dataset *ds, rq_results *res, const rq_run_meta *meta,
                           rq_outdir *od, int quiet, rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_OUTPUTS_H */
