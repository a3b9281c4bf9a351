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

#include "raquette/compare.h"
#include "raquette/indicators.h"
#include "raquette/report.h"
#include "raquette/store.h"
#include "raquette/writer.h"

/* What run.json and the products record about the invocation. */
typedef struct rq_run_meta {
    const char *config_path;
    const char *run_name;
    int pdf; /* also rapport.pdf, through headless Chromium */
    double seconds_prepare;
    /* The run's date, YYYY-MM-DD: today, or SOURCE_DATE_EPOCH's when that
    ** variable is set (reproducible files: docs/outputs.md). */
    char date[16];
} rq_run_meta;

/* Fills meta->date (see rq_run_meta). */
void rq_run_meta_date(rq_run_meta *meta);

/* The run's history: the database it is recorded into (NULL: none), and
** what the recording gives back, the comparison with the previous run of
** the same name included. */
typedef struct rq_history_job {
    const char *path;  /* the database; NULL for --no-history */
    rq_store *store;   /* open when the database existed before the run */
    rq_store *memory;  /* else the run is first recorded in memory */
    long long run_id;  /* the run's id in its history, 0 when none */
    int has_report;
    rq_report report;  /* the run as the history has it, and the comparison
                       ** with the previous run (report.has_previous) */
} rq_history_job;
/* Sets h for the history at path: opened now when it exists (so that a file
** that is not a raquette history is refused before the analysis), else
** made once the run's folder is in place. */
rq_status rq_history_open(rq_history_job *h, const char *path, rq_err *err) RQ_MUST_CHECK;
void rq_history_job_fini(rq_history_job *h);

/* Writes every output into the temporary folder of od (rq_outdir_open),
** then commits it: od's target is replaced in one step, and a failure
** leaves the previous outputs untouched (the caller then closes od, which
** removes the temporary folder). With a history (h->path), the run is
** recorded in one transaction committed after the folder; a history that
** existed before the run is compared with (history.c): a failed run leaves
** the database as it was. Records the stage's timing in res. */
rq_status rq_outputs_write(const rq_dataset *ds, rq_results *res, const rq_run_meta *meta,
                           rq_outdir *od, rq_history_job *h, int quiet, rq_err *err) RQ_MUST_CHECK;

/* The files of `raquette compare` for cmp (docs/outputs.md, "Comparison"),
** into the temporary folder of od, then committed as rq_outputs_write
** does. crs: the metric CRS of the runs' geometries; csv_fr: French CSV. */
rq_status rq_outputs_write_comparison(const rq_comparison *cmp, const char *crs, int csv_fr,
                                      const rq_run_meta *meta, rq_outdir *od,
                                      rq_err *err) RQ_MUST_CHECK;

/* rapport.html of r (and rapport.pdf when pdf) into the existing folder
** dir, each replacing the previous one in one rename: `raquette report`. */
rq_status rq_outputs_write_report(const rq_report *r, const char *dir, int pdf,
                                  rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_OUTPUTS_H */
