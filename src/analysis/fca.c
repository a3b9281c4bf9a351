/* fca.c - two-step floating catchment area accessibility (method.md §3.1).
**
** The engine works on a sparse pair list rather than a dense cost matrix:
** the zone rule of method.md keeps only a small fraction of the
** commune x site pairs, and a list keeps memory and time linear in what the
** caller actually found. Three passes over the pairs: validate everything
** (so that a bad input never leaves half-written outputs), sum the weighted
** demand per supply point, then sum the ratios per demand point.
**
** Numerics: every sum is compensated (Neumaier's variant of Kahan, which
** stays exact when a term is larger than the running sum) and taken in
** pair order, so results do not depend on anything but the input order and
** the identity sum P_i A_i / scale = sum S_j holds to a few ulps even with
** hundreds of thousands of pairs. Scale is applied once per demand point,
** after the sum.
*/
#include "raquette/fca.h"

#include <math.h>
#include <stdlib.h>

/* A running compensated sum: the value is s + c. */
typedef struct {
    double s;
    double c;
} ksum;

static void
ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    /* Recover the low-order bits lost in t from whichever operand was
    ** smaller in magnitude (Neumaier 1974). */
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static double
ksum_value(const ksum *k)
{
    return k->s + k->c;
}

/* A value the method accepts as a population, capacity or cost. */
static int
is_nonneg_finite(double x)
{
    return isfinite(x) && x >= 0.0;
}

static const char *
kind_name(rq_weight_kind kind)
{
    switch (kind) {
    case RQ_WEIGHT_STEP:
        return "step";
    case RQ_WEIGHT_GAUSSIAN:
        return "gaussian";
    case RQ_WEIGHT_GRAVITY:
        return "gravity";
    }
    return "unknown";
}

/* max_cost of the smooth kernels: > 0, INFINITY allowed (no cut-off). A 0
** here is almost always a field the caller forgot to fill, hence an error. */
static rq_status
check_max_cost(const rq_fca_weight *w, rq_err *err)
{
    if (isnan(w->max_cost) || w->max_cost <= 0.0)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s weight: maximum cost is %g, expected a number > 0 (or infinity)",
                          kind_name(w->kind), w->max_cost);
    return RQ_OK;
}

rq_status
rq_fca_weight_check(const rq_fca_weight *w, rq_err *err)
{
    if (!w)
        return rq_err_set(err, RQ_ERR_INTERNAL, "fca: no weight given");
    switch (w->kind) {
    case RQ_WEIGHT_STEP:
        if (w->n_bands == 0)
            return rq_err_set(err, RQ_ERR_INPUT,
                              "step weight: no band given (every weight would be 0)");
        if (!w->band_upper || !w->band_w)
            return rq_err_set(err, RQ_ERR_INTERNAL, "step weight: %zu bands but no band array",
                              w->n_bands);
        for (size_t i = 0; i < w->n_bands; i++) {
            if (!is_nonneg_finite(w->band_upper[i]))
                return rq_err_set(err, RQ_ERR_INPUT,
                                  "step weight: band %zu has upper bound %g, expected a "
                                  "finite number >= 0",
                                  i + 1, w->band_upper[i]);
            /* Strictly increasing bounds make "the first band with cost <=
            ** bound" the band the user meant; equal bounds would hide one. */
            if (i > 0 && !(w->band_upper[i] > w->band_upper[i - 1]))
                return rq_err_set(err, RQ_ERR_INPUT,
                                  "step weight: band %zu has upper bound %g, not above "
                                  "band %zu's %g (bounds must increase)",
                                  i + 1, w->band_upper[i], i, w->band_upper[i - 1]);
            if (!is_nonneg_finite(w->band_w[i]))
                return rq_err_set(err, RQ_ERR_INPUT,
                                  "step weight: band %zu has weight %g, expected a finite "
                                  "number >= 0",
                                  i + 1, w->band_w[i]);
        }
        return RQ_OK;
    case RQ_WEIGHT_GAUSSIAN:
        if (!isfinite(w->sigma) || w->sigma <= 0.0)
            return rq_err_set(err, RQ_ERR_INPUT,
                              "gaussian weight: sigma is %g, expected a finite number > 0",
                              w->sigma);
        return check_max_cost(w, err);
    case RQ_WEIGHT_GRAVITY:
        if (!is_nonneg_finite(w->beta))
            return rq_err_set(err, RQ_ERR_INPUT,
                              "gravity weight: beta is %g, expected a finite number >= 0", w->beta);
        if (!is_nonneg_finite(w->min_cost))
            return rq_err_set(err, RQ_ERR_INPUT,
                              "gravity weight: minimum cost is %g, expected a finite "
                              "number >= 0",
                              w->min_cost);
        return check_max_cost(w, err);
    }
    return rq_err_set(err, RQ_ERR_INPUT, "unknown weight kind %d", (int)w->kind);
}

double
rq_fca_weight_eval(const rq_fca_weight *w, double cost)
{
    /* Written as a negated >= so that NaN also lands here. */
    if (!(cost >= 0.0))
        return 0.0;
    switch (w->kind) {
    case RQ_WEIGHT_STEP:
        for (size_t i = 0; i < w->n_bands; i++)
            if (cost <= w->band_upper[i])
                return w->band_w[i];
        return 0.0;
    case RQ_WEIGHT_GAUSSIAN:
        if (cost > w->max_cost)
            return 0.0;
        return exp(-(cost * cost) / (2.0 * w->sigma * w->sigma));
    case RQ_WEIGHT_GRAVITY: {
        if (cost > w->max_cost)
            return 0.0;
        /* The floor keeps W(0) finite: a site placed at its own commune's
        ** representative point is at distance exactly 0 (method.md §1.3). */
        double floor_cost = w->min_cost > 0.0 ? w->min_cost : RQ_FCA_GRAVITY_MIN_COST;
        double d = cost < floor_cost ? floor_cost : cost;
        return pow(d, -w->beta);
    }
    }
    return 0.0;
}

/* The weight a pair carries in the chosen variant. */
static double
pair_weight(rq_fca_variant variant, const rq_fca_weight *w, double cost)
{
    double wt = rq_fca_weight_eval(w, cost);
    if (variant == RQ_FCA_2SFCA)
        return wt > 0.0 ? 1.0 : 0.0;
    return wt;
}

/* Validates every input before any output is written. */
static rq_status
check_inputs(rq_fca_variant variant, const double *pop, size_t n_demand, const double *cap,
             size_t n_supply, const rq_fca_pair *pairs, size_t n_pairs, const rq_fca_weight *w,
             double scale, const double *access_out, rq_fca_fault *fault, rq_err *err)
{
    rq_status rc;

    if (variant != RQ_FCA_E2SFCA && variant != RQ_FCA_2SFCA)
        return rq_err_set(err, RQ_ERR_INTERNAL, "fca: unknown variant %d", (int)variant);
    if ((n_demand && (!pop || !access_out)) || (n_supply && !cap) || (n_pairs && !pairs))
        return rq_err_set(err, RQ_ERR_INTERNAL, "fca: NULL array with a non-zero count");
    if ((rc = rq_fca_weight_check(w, err)) != RQ_OK)
        return rc;
    if (!isfinite(scale) || scale <= 0.0)
        return rq_err_set(err, RQ_ERR_INPUT, "fca: scale is %g, expected a finite number > 0",
                          scale);
    for (size_t i = 0; i < n_demand; i++)
        if (!is_nonneg_finite(pop[i]) && (fault->demand = (long)i) >= 0)
            return rq_err_set(err, RQ_ERR_INPUT,
                              "fca: demand point %zu has population %g, expected a finite "
                              "number >= 0",
                              i, pop[i]);
    for (size_t j = 0; j < n_supply; j++)
        if (!is_nonneg_finite(cap[j]) && (fault->supply = (long)j) >= 0)
            return rq_err_set(err, RQ_ERR_INPUT,
                              "fca: supply point %zu has capacity %g, expected a finite "
                              "number >= 0",
                              j, cap[j]);
    for (size_t k = 0; k < n_pairs; k++) {
        const rq_fca_pair *p = &pairs[k];
        if (p->demand >= n_demand)
            return rq_err_set(err, RQ_ERR_INPUT,
                              "fca: pair %zu names demand point %zu, but there are only %zu", k,
                              p->demand, n_demand);
        if (p->supply >= n_supply)
            return rq_err_set(err, RQ_ERR_INPUT,
                              "fca: pair %zu names supply point %zu, but there are only %zu", k,
                              p->supply, n_supply);
        if (!is_nonneg_finite(p->cost))
            return rq_err_set(err, RQ_ERR_INPUT,
                              "fca: pair %zu (demand %zu, supply %zu) has cost %g, expected "
                              "a finite number >= 0",
                              k, p->demand, p->supply, p->cost);
    }
    return RQ_OK;
}

rq_status
rq_fca_compute(rq_fca_variant variant, const double *pop, size_t n_demand, const double *cap,
               size_t n_supply, const rq_fca_pair *pairs, size_t n_pairs, const rq_fca_weight *w,
               double scale, double *access_out, double *ratio_out, unsigned char *reached_out,
               rq_fca_fault *fault_out, rq_err *err)
{
    ksum *dsum = NULL;    /* per supply point: weighted demand D_j */
    ksum *asum = NULL;    /* per demand point: sum of R_j W_ij */
    double *ratio = NULL; /* per supply point: R_j */
    rq_fca_fault fault = {-1, -1};
    rq_status rc;

    rc = check_inputs(variant, pop, n_demand, cap, n_supply, pairs, n_pairs, w, scale, access_out,
                      &fault, err);
    if (rc != RQ_OK)
        goto cleanup;

    /* calloc gives all-zero sums; +1 keeps the size non-zero so that an
    ** empty problem is not a special case. */
    dsum = rq_xcalloc(n_supply + 1, sizeof *dsum);
    asum = rq_xcalloc(n_demand + 1, sizeof *asum);
    ratio = rq_xcalloc(n_supply + 1, sizeof *ratio);

    /* Step 1: D_j = sum_i P_i W(d_ij), in pair order. */
    for (size_t k = 0; k < n_pairs; k++) {
        const rq_fca_pair *p = &pairs[k];
        double wt = pair_weight(variant, w, p->cost);
        if (wt > 0.0)
            ksum_add(&dsum[p->supply], pop[p->demand] * wt);
    }
    for (size_t j = 0; j < n_supply; j++) {
        double d = ksum_value(&dsum[j]);
        if (!isfinite(d)) {
            fault.supply = (long)j;
            rc = rq_err_set(err, RQ_ERR_INPUT,
                            "fca: weighted demand of supply point %zu overflows the double range "
                            "(populations too large?)",
                            j);
            goto cleanup;
        }
        /* D_j == 0: no one in reach. The ratio stays 0 so that the supply
        ** point drops out of step 2 instead of dividing by zero. */
        if (d > 0.0) {
            ratio[j] = cap[j] / d;
            if (!isfinite(ratio[j])) {
                fault.supply = (long)j;
                rc = rq_err_set(err, RQ_ERR_INPUT,
                                "fca: ratio of supply point %zu overflows (capacity %g over "
                                "weighted demand %g)",
                                j, cap[j], d);
                goto cleanup;
            }
        }
    }

    /* Step 2: A_i = scale * sum_j R_j W(d_ij), in pair order. */
    for (size_t k = 0; k < n_pairs; k++) {
        const rq_fca_pair *p = &pairs[k];
        double wt = pair_weight(variant, w, p->cost);
        if (wt > 0.0 && ratio[p->supply] > 0.0)
            ksum_add(&asum[p->demand], ratio[p->supply] * wt);
    }
    for (size_t i = 0; i < n_demand; i++) {
        double a = scale * ksum_value(&asum[i]);
        if (!isfinite(a)) {
            fault.demand = (long)i;
            rc = rq_err_set(err, RQ_ERR_INPUT,
                            "fca: accessibility of demand point %zu overflows the double range "
                            "(scale too large?)",
                            i);
            goto cleanup;
        }
    }

    /* Everything is finite: only now touch the caller's arrays. */
    for (size_t i = 0; i < n_demand; i++)
        access_out[i] = scale * ksum_value(&asum[i]);
    for (size_t j = 0; j < n_supply; j++) {
        if (ratio_out)
            ratio_out[j] = ratio[j];
        if (reached_out)
            reached_out[j] = ksum_value(&dsum[j]) > 0.0;
    }
    rc = RQ_OK;

cleanup:
    if (fault_out)
        *fault_out = fault;
    free(ratio);
    free(asum);
    free(dsum);
    return rc;
}
