/* indicators_internal.h - what the two files of the indicators stage share:
** indicators.c (coverage ratios, phases, the accessibility index) and
** proximity.c (everything that needs only the distance between a commune's
** point and the sites). Internal to src/analysis/: the public API of the
** stage is rq_indicators_compute in raquette/indicators.h.
*/
#ifndef RQ_ANALYSIS_INDICATORS_INTERNAL_H
#define RQ_ANALYSIS_INDICATORS_INTERNAL_H

#include "raquette/fca.h"
#include "raquette/indicators.h"

#include <stddef.h>

/* For every study commune a of res->ind:
**   - dist_km[k] and temps_min[k], from the nearest site of category k
**     whose zone holds the commune (NAN when there is none);
**   - the covers cv[cover_begin[a] .. cover_begin[a + 1]) of a get the site
**     of their structure nearest to the commune's point (site, dist_km);
**   - the accessibility pairs (method.md §3.1): every site within the
**     cutoff whose zone holds the commune, in commune order then site
**     order, into *pairs (n_pairs of them, to free by the caller).
** Runs on rq_thread_count() threads; the result does not depend on it. */
rq_status rq_proximity_compute(const rq_dataset *ds, rq_results *res, rq_cover *cv,
                               const size_t *cover_begin, rq_fca_pair **pairs, size_t *n_pairs,
                               rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_ANALYSIS_INDICATORS_INTERNAL_H */
