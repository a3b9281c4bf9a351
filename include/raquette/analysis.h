/* analysis.h - an analysis from loaded inputs to its results:
**
**   rq_pipeline_prepare (pipeline.h)  load -> harmonise -> locate
**   rq_analysis_run                    reach -> indicators -> gaps -> aggregates
**   rq_outputs_write (outputs.h)       every output file, atomically
*/
#ifndef RQ_ANALYSIS_H
#define RQ_ANALYSIS_H

#include "raquette/indicators.h"
#include "raquette/pipeline.h"

/* Runs the computing stages; res must be zeroed. Records stage timings. */
rq_status rq_analysis_run(rq_dataset *ds, rq_results *res, int quiet, rq_err *err) RQ_MUST_CHECK;

#endif
