/* fca.h - two-step floating catchment area (2SFCA / E2SFCA) accessibility engine.
**
** Pure arithmetic over a sparse list of (demand point, supply point, cost)
** pairs: no GDAL, no GEOS. The caller decides which pairs exist (method.md
** §3.1: only pairs where the commune lies in the site's zone), computes
** their costs (crow-fly km, travel minutes, anything non-negative) and
** hands them over; this module turns them into one accessibility value per
** demand point. docs/fca.md explains the method, the two variants, the
** weight kernels and how they relate to PySAL `access`.
**
** Ownership: no function here keeps a pointer to its arguments or allocates
** memory that outlives the call. Output arrays are allocated by the caller.
*/
#ifndef RQ_FCA_H
#define RQ_FCA_H

#include <stddef.h>

#include "raquette/config.h" /* rq_weight_kind, rq_fca_variant */
#include "raquette/core.h"

/* One candidate trip: demand point `demand` may use supply point `supply`
** at cost `cost` (>= 0, finite; any unit, km in raquette). Only listed
** pairs count; a pair listed twice counts twice. */
typedef struct rq_fca_pair {
    size_t demand;
    size_t supply;
    double cost;
} rq_fca_pair;

/* Gravity weights use max(cost, min_cost); a min_cost of 0 selects this
** default (one cost unit, 1 km), so that W(0) is finite and W <= 1. */
#define RQ_FCA_GRAVITY_MIN_COST 1.0

/* Distance-decay weight W(cost). Borrowed arrays: band_upper and band_w
** must stay valid while the struct is used. Costs are compared with no
** tolerance, so a cost of exactly 10.0 falls in a band whose upper bound
** is 10.0.
**
** RQ_WEIGHT_STEP      W = band_w[i] for the first i with cost <= band_upper[i];
**                     0 beyond band_upper[n_bands-1]. band_upper is strictly
**                     increasing and >= 0; band_w >= 0. max_cost is ignored.
** RQ_WEIGHT_GAUSSIAN  W = exp(-cost^2 / (2 sigma^2)) for cost <= max_cost,
**                     else 0 (W(0) = 1; no 1/sqrt(2 pi) factor).
** RQ_WEIGHT_GRAVITY   W = max(cost, min_cost)^-beta for cost <= max_cost,
**                     else 0. At cost 0, W = min_cost^-beta (1 with the
**                     default), never infinity. beta = 0 gives W = 1 inside
**                     max_cost. min_cost = 0 means RQ_FCA_GRAVITY_MIN_COST.
**
** max_cost is inclusive (cost == max_cost still weighs) and may be INFINITY
** for no cut-off; it must be > 0. PySAL `access` uses a strict cost <
** max_cost; pass nextafter(max_cost, 0) to reproduce that exactly. */
typedef struct rq_fca_weight {
    rq_weight_kind kind;
    const double *band_upper;
    const double *band_w;
    size_t n_bands;
    double max_cost;
    double sigma;
    double beta;
    double min_cost;
} rq_fca_weight;

/* Checks that w describes a usable kernel (see rq_fca_weight). Returns RQ_OK,
** or RQ_ERR_INPUT with err naming the offending field (and band index). */
rq_status rq_fca_weight_check(const rq_fca_weight *w, rq_err *err) RQ_MUST_CHECK;

/* W(cost) for a kernel that passes rq_fca_weight_check. Returns 0 for a
** negative or NaN cost. Pure: same inputs, same bits. */
double rq_fca_weight_eval(const rq_fca_weight *w, double cost);

/* Computes the floating catchment accessibility of n_demand demand points
** (population pop[i]) to n_supply supply points (capacity cap[j]) over the
** n_pairs pairs.
**
** RQ_FCA_E2SFCA  (enhanced, Luo & Qi 2009; PySAL two_stage_fca with a
**                weight_fn): the weight enters both steps.
**                  D_j = sum_i P_i W(d_ij)          over the pairs of j
**                  R_j = S_j / D_j
**                  A_i = scale * sum_j R_j W(d_ij)  over the pairs of i
** RQ_FCA_2SFCA   (classic, Luo & Wang 2003; PySAL two_stage_fca without a
**                weight_fn): same formulas with W replaced by the catchment
**                indicator 1 if W(d_ij) > 0 else 0, so every pair inside the
**                kernel's support counts fully.
**
** A supply point whose D_j is 0 (no pair, or only pairs with zero weight or
** zero population) is "unreached": R_j = 0, it contributes nothing and no
** division by zero happens. A demand point with no weighted pair gets 0.
** Identity (both variants): sum_i P_i A_i / scale = sum of S_j over reached j.
**
** Inputs: pop[n_demand], cap[n_supply] finite and >= 0; pairs[n_pairs] with
** in-range indices and finite costs >= 0; w passes rq_fca_weight_check;
** scale finite and > 0 (10000 for "per 10,000 inhabitants"). Arrays may be
** NULL only when their count is 0.
**
** Outputs (caller-allocated): access_out[n_demand] (required); ratio_out
** [n_supply] receives R_j (may be NULL); reached_out[n_supply] receives 1
** when D_j > 0, else 0 (may be NULL).
**
** Sums are compensated (Neumaier) and taken in pair order, so the result is
** deterministic for a given pair order. O(n_pairs * n_bands + n_demand +
** n_supply) time (n_bands <= RQ_MAX_BANDS, 1 for the smooth kernels),
** O(n_demand + n_supply) temporary memory.
**
** Returns RQ_OK; RQ_ERR_INPUT naming the first offending pair, point or
** weight field, or the supply/demand point whose sum overflows the double
** range; RQ_ERR_INTERNAL for a NULL array with a non-zero count or an
** unknown variant. On error the output arrays are left untouched, and
** fault_out (may be NULL) receives the point at fault, for the caller to
** name the input it came from. */
typedef struct rq_fca_fault {
    long demand; /* index of the demand point at fault, -1 when none */
    long supply; /* index of the supply point at fault, -1 when none */
} rq_fca_fault;
rq_status rq_fca_compute(rq_fca_variant variant, const double *pop, size_t n_demand,
                         const double *cap, size_t n_supply, const rq_fca_pair *pairs,
                         size_t n_pairs, const rq_fca_weight *w, double scale, double *access_out,
                         double *ratio_out, unsigned char *reached_out, rq_fca_fault *fault_out,
                         rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_FCA_H */
