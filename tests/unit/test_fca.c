/* test_fca.c - unit tests of the floating catchment engine (src/analysis/fca.c).
**
** Expected values are exact fractions worked out by hand (or, for the PySAL
** conformance case, by evaluating the reference formula of the PySAL test
** in exact rational arithmetic); each test states where its numbers come
** from so that a failure can be checked without running anything else.
*/
#include "raquette/fca.h"

#include <math.h>
#include <string.h>

#include "rq_test.h"

/* The default bands of method.md §3.1: d <= 10 km -> 1.0, <= 20 -> 0.66,
** <= 30 -> 0.33, beyond -> 0. */
static const double default_upper[] = {10.0, 20.0, 30.0};
static const double default_w[] = {1.0, 0.66, 0.33};

static rq_fca_weight
step_default(void)
{
    rq_fca_weight w = {.kind = RQ_WEIGHT_STEP,
                       .band_upper = default_upper,
                       .band_w = default_w,
                       .n_bands = NELEM(default_upper)};
    return w;
}

/* ---- PySAL `access` conformance ----------------------------------------
**
** Source: repository pysal/access, file access/tests/test_hospital_example.py,
** class TestHospitalExample, tests test_simple_2sfca_scenario_0 ..
** test_simple_2sfca_scenario_3 (values) and test_scenario_0_v_1 ..
** test_scenario_0_v_3 (orderings).
**
** Setup there: three tracts that are both demand and supply locations
**   geoid 1: pop 100, doc 15;  geoid 2: pop 50, doc 20;  geoid 3: pop 10, doc 100
** a cost table origin -> dest (origin = where people live, dest = where the
** doctors are) per scenario, and
**   Access(...).two_stage_fca(weight_fn = weights.gravity(1, -1), max_cost = 61)
** whose raw column "2sfca_s<n>_doc" is compared with the test's own
** reference simple_2sfca(): D_h = sum_r pop_r / cost(r->h), R_h = doc_h / D_h,
** A_r = sum_h R_h / cost(r->h), both sums over pairs with cost < 61.
** The test file publishes no literal numbers; the values below are that
** reference formula evaluated in exact fractions (access values in "doctors
** per person", scale 1). In raquette terms this is the E2SFCA variant (the
** weight enters both steps) with a gravity kernel, beta = 1, max_cost = 61.
** Costs are 1, 20, 40 or 80, so PySAL's strict "< 61" and our inclusive
** "<= 61" select the same pairs.
*/
static void
hospital_pairs(double inbound, double outbound, double cross, rq_fca_pair pairs[9])
{
    /* Indices are geoid - 1; demand = origin, supply = dest. */
    const rq_fca_pair p[9] = {
        {0, 0, 1.0},      {1, 1, 1.0},      {2, 2, 1.0}, /* self */
        {0, 2, inbound},  {1, 2, inbound},               /* into the city (3) */
        {2, 0, outbound}, {2, 1, outbound},              /* out of the city */
        {0, 1, cross},    {1, 0, cross},                 /* cross-city */
    };
    memcpy(pairs, p, sizeof p);
}

static const double hosp_pop[3] = {100.0, 50.0, 10.0};
static const double hosp_doc[3] = {15.0, 20.0, 100.0};
/* (inbound, outbound, cross) costs of scenarios 0..3. */
static const double hosp_costs[4][3] = {
    {40.0, 40.0, 80.0}, /* 0: gridlock */
    {20.0, 40.0, 80.0}, /* 1: faster into the city */
    {40.0, 20.0, 80.0}, /* 2: faster out of the city */
    {20.0, 20.0, 40.0}, /* 3: symmetric, faster */
};

static void
hospital_run(int scenario, rq_fca_variant variant, double access[3], double ratio[3])
{
    rq_fca_pair pairs[9];
    rq_fca_weight w = {.kind = RQ_WEIGHT_GRAVITY, .beta = 1.0, .max_cost = 61.0};
    rq_err err = {0};
    unsigned char reached[3];

    hospital_pairs(hosp_costs[scenario][0], hosp_costs[scenario][1], hosp_costs[scenario][2],
                   pairs);
    assert_int_equal(rq_fca_compute(variant, hosp_pop, 3, hosp_doc, 3, pairs, 9, &w, 1.0, access,
                                    ratio, reached, NULL, &err),
                     RQ_OK);
    for (int j = 0; j < 3; j++)
        assert_int_equal(reached[j], 1);
}

static void
test_pysal_hospital_gravity(void **state)
{
    /* Exact values of simple_2sfca (see above), access per geoid 1, 2, 3,
    ** and the stage-one ratios R_h that lead to them. */
    static const double expect_a[4][3] = {
        {1462.0 / 4411.0, 1282.0 / 2211.0, 12920437.0 / 1773222.0},
        {1222.0 / 2807.0, 962.0 / 1407.0, 6463529.0 / 1128414.0},
        {244.0 / 737.0, 642.0 / 1111.0, 1086779.0 / 148874.0},
        {133653.0 / 301994.0, 201357.0 / 301994.0, 866802.0 / 150997.0},
    };
    static const double expect_r[4][3] = {
        {60.0 / 401.0, 80.0 / 201.0, 80.0 / 11.0},
        {60.0 / 401.0, 80.0 / 201.0, 40.0 / 7.0},
        {10.0 / 67.0, 40.0 / 101.0, 80.0 / 11.0},
        {60.0 / 407.0, 20.0 / 53.0, 40.0 / 7.0},
    };
    (void)state;

    for (int n = 0; n < 4; n++) {
        double a[3], r[3];
        hospital_run(n, RQ_FCA_E2SFCA, a, r);
        for (int i = 0; i < 3; i++) {
            assert_close(a[i], expect_a[n][i], 1e-9);
            assert_close(r[i], expect_r[n][i], 1e-12);
        }
    }
    /* Scenario 0 by hand, geoid 1: D_1 = 100/1 + 10/40 = 100.25 (geoid 2 is
    ** 80 away, beyond 61), R_1 = 15/100.25 = 60/401; D_3 = 100/40 + 50/40 +
    ** 10/1 = 13.75, R_3 = 100/13.75 = 80/11; A_1 = R_1/1 + R_3/40
    ** = 60/401 + 2/11 = 1462/4411. */
    {
        double a[3], r[3];
        hospital_run(0, RQ_FCA_E2SFCA, a, r);
        assert_close(a[0], 60.0 / 401.0 + 2.0 / 11.0, 1e-12);
    }
}

static void
test_pysal_hospital_orderings(void **state)
{
    /* The qualitative assertions of test_scenario_0_v_1 .. _v_3. */
    double a[4][3], r[3];
    (void)state;

    for (int n = 0; n < 4; n++)
        hospital_run(n, RQ_FCA_E2SFCA, a[n], r);
    assert_true(a[1][0] > a[0][0]);
    assert_true(a[1][1] > a[0][1]);
    assert_true(a[1][2] < a[0][2]);
    assert_true(a[2][0] < a[0][0]);
    assert_true(a[2][1] < a[0][1]);
    assert_true(a[2][2] > a[0][2]);
    assert_true(a[3][0] > a[0][0]);
    assert_true(a[3][1] > a[0][1]);
    assert_true(a[3][2] < a[0][2]);
}

static void
test_pysal_hospital_classic(void **state)
{
    /* PySAL two_stage_fca without weight_fn, max_cost = 61 (pysal/access
    ** access/fca.py: weighted_catchment keeps cost < max_cost and multiplies
    ** by nothing) is the classic 2SFCA; here the gravity kernel only sets
    ** the catchment. By hand, scenario 0 (cross-city pairs cost 80, out):
    **   D_1 = 100 + 10 = 110, D_2 = 50 + 10 = 60, D_3 = 100 + 50 + 10 = 160
    **   R = 15/110 = 3/22, 20/60 = 1/3, 100/160 = 5/8
    **   A_1 = 3/22 + 5/8 = 67/88, A_2 = 1/3 + 5/8 = 23/24,
    **   A_3 = 3/22 + 1/3 + 5/8 = 289/264. */
    double a[3], r[3];
    (void)state;

    hospital_run(0, RQ_FCA_2SFCA, a, r);
    assert_close(r[0], 3.0 / 22.0, 1e-15);
    assert_close(r[1], 1.0 / 3.0, 1e-15);
    assert_close(r[2], 5.0 / 8.0, 1e-15);
    assert_close(a[0], 67.0 / 88.0, 1e-12);
    assert_close(a[1], 23.0 / 24.0, 1e-12);
    assert_close(a[2], 289.0 / 264.0, 1e-12);
}

/* ---- Hand-computed step-band cases -------------------------------------
**
** Two communes, two sites, default bands, scale 10,000:
**   commune 0: P = 1000      site 0: S = 10
**   commune 1: P =  500      site 1: S =  4
**   pairs: (c0, s0)  5 km -> W 1.0     (c1, s0) 15 km -> W 0.66
**          (c0, s1) 25 km -> W 0.33    (c1, s1)  8 km -> W 1.0
** E2SFCA:
**   D_0 = 1000*1.0 + 500*0.66 = 1330      R_0 = 10/1330 = 1/133
**   D_1 = 1000*0.33 + 500*1.0 =  830      R_1 =  4/830  = 2/415
**   A_0 = 10000 (1/133 + 0.33 * 2/415)  = 1005560/11039 ~ 91.0915844
**   A_1 = 10000 (0.66/133 + 2/415)      = 1079800/11039 ~ 97.8168312
**   check: 1000 A_0 + 500 A_1 = 1,400,000 = 10000 (10 + 4).
** Classic 2SFCA (every pair within 30 km weighs 1):
**   D_0 = D_1 = 1500, R_0 = 10/1500, R_1 = 4/1500,
**   A_0 = A_1 = 10000 * 14/1500 = 280/3 ~ 93.33.
*/
static const double hand_pop[2] = {1000.0, 500.0};
static const double hand_cap[2] = {10.0, 4.0};
static const rq_fca_pair hand_pairs[4] = {{0, 0, 5.0}, {1, 0, 15.0}, {0, 1, 25.0}, {1, 1, 8.0}};

static void
test_step_hand_e2sfca(void **state)
{
    rq_fca_weight w = step_default();
    double a[2], r[2];
    unsigned char reached[2] = {9, 9};
    rq_err err = {0};
    (void)state;

    assert_int_equal(rq_fca_compute(RQ_FCA_E2SFCA, hand_pop, 2, hand_cap, 2, hand_pairs, 4, &w,
                                    10000.0, a, r, reached, NULL, &err),
                     RQ_OK);
    assert_close(r[0], 1.0 / 133.0, 1e-15);
    assert_close(r[1], 2.0 / 415.0, 1e-15);
    assert_close(a[0], 1005560.0 / 11039.0, 1e-9);
    assert_close(a[1], 1079800.0 / 11039.0, 1e-9);
    assert_int_equal(reached[0], 1);
    assert_int_equal(reached[1], 1);
    assert_close((hand_pop[0] * a[0] + hand_pop[1] * a[1]) / 10000.0, 14.0, 1e-9);
}

static void
test_step_hand_classic(void **state)
{
    rq_fca_weight w = step_default();
    double a[2], r[2];
    rq_err err = {0};
    (void)state;

    assert_int_equal(rq_fca_compute(RQ_FCA_2SFCA, hand_pop, 2, hand_cap, 2, hand_pairs, 4, &w,
                                    10000.0, a, r, NULL, NULL, &err),
                     RQ_OK);
    assert_close(r[0], 10.0 / 1500.0, 1e-15);
    assert_close(r[1], 4.0 / 1500.0, 1e-15);
    assert_close(a[0], 280.0 / 3.0, 1e-9);
    assert_close(a[1], 280.0 / 3.0, 1e-9);
}

static void
test_step_band_edges(void **state)
{
    rq_fca_weight w = step_default();
    (void)state;

    /* Bounds are inclusive and compared without tolerance. */
    assert_close(rq_fca_weight_eval(&w, 0.0), 1.0, 0.0);
    assert_close(rq_fca_weight_eval(&w, 10.0), 1.0, 0.0);
    assert_close(rq_fca_weight_eval(&w, 10.0001), 0.66, 0.0);
    assert_close(rq_fca_weight_eval(&w, nextafter(10.0, 11.0)), 0.66, 0.0);
    assert_close(rq_fca_weight_eval(&w, 20.0), 0.66, 0.0);
    assert_close(rq_fca_weight_eval(&w, 20.0001), 0.33, 0.0);
    assert_close(rq_fca_weight_eval(&w, 30.0), 0.33, 0.0);
    assert_close(rq_fca_weight_eval(&w, 30.0001), 0.0, 0.0);
    assert_close(rq_fca_weight_eval(&w, 1e9), 0.0, 0.0);
    assert_close(rq_fca_weight_eval(&w, -1.0), 0.0, 0.0);
    assert_close(rq_fca_weight_eval(&w, NAN), 0.0, 0.0);

    /* Through the engine: one commune, P = 100, two sites of capacity 1 at
    ** exactly 10 km and at 10.0001 km. Each site sees only this commune, so
    ** R_j = 1 / (100 W_j) and A = 10000 * sum_j R_j W_j = 10000 * 2/100 = 200
    ** whatever the weights; the ratios expose the weights:
    ** R_0 = 1/(100 * 1.0) = 0.01, R_1 = 1/(100 * 0.66). */
    {
        const double pop[1] = {100.0};
        const double cap[2] = {1.0, 1.0};
        const rq_fca_pair pairs[2] = {{0, 0, 10.0}, {0, 1, 10.0001}};
        double a[1], r[2];
        rq_err err = {0};
        assert_int_equal(
            rq_fca_compute(RQ_FCA_E2SFCA, pop, 1, cap, 2, pairs, 2, &w, 10000.0, a, r, NULL, NULL, &err),
            RQ_OK);
        assert_close(r[0], 0.01, 1e-15);
        assert_close(r[1], 1.0 / 66.0, 1e-15);
        assert_close(a[0], 200.0, 1e-9);
    }
}

static void
test_smooth_kernels(void **state)
{
    rq_fca_weight g = {.kind = RQ_WEIGHT_GRAVITY, .beta = 1.0, .max_cost = 61.0};
    rq_fca_weight gs = {.kind = RQ_WEIGHT_GAUSSIAN, .sigma = 20.0, .max_cost = 60.0};
    rq_err err = {0};
    (void)state;

    assert_int_equal(rq_fca_weight_check(&g, &err), RQ_OK);
    /* Cost 0 (a site at its own commune's point) is floored at the default
    ** minimum cost of 1: W = 1, not infinity. */
    assert_close(rq_fca_weight_eval(&g, 0.0), 1.0, 0.0);
    assert_close(rq_fca_weight_eval(&g, 0.5), 1.0, 0.0);
    assert_close(rq_fca_weight_eval(&g, 4.0), 0.25, 1e-15);
    /* max_cost is inclusive here (PySAL: strict). */
    assert_close(rq_fca_weight_eval(&g, 61.0), 1.0 / 61.0, 1e-15);
    assert_close(rq_fca_weight_eval(&g, nextafter(61.0, 62.0)), 0.0, 0.0);
    g.min_cost = 2.0;
    g.beta = 2.0;
    assert_close(rq_fca_weight_eval(&g, 0.0), 0.25, 1e-15);
    assert_close(rq_fca_weight_eval(&g, 10.0), 0.01, 1e-15);
    g.beta = 0.0; /* W = 1 inside the cut-off */
    assert_close(rq_fca_weight_eval(&g, 50.0), 1.0, 0.0);
    g.max_cost = INFINITY;
    assert_int_equal(rq_fca_weight_check(&g, &err), RQ_OK);
    assert_close(rq_fca_weight_eval(&g, 1e12), 1.0, 0.0);

    /* PySAL weights.gaussian(sigma = 20) docstring: 20 -> 0.6065306597126334,
    ** 40 -> 0.1353352832366127, 60 -> 0.011108996538242306. */
    assert_int_equal(rq_fca_weight_check(&gs, &err), RQ_OK);
    assert_close(rq_fca_weight_eval(&gs, 0.0), 1.0, 0.0);
    assert_close(rq_fca_weight_eval(&gs, 20.0), 0.6065306597126334, 1e-15);
    assert_close(rq_fca_weight_eval(&gs, 40.0), 0.1353352832366127, 1e-15);
    assert_close(rq_fca_weight_eval(&gs, 60.0), 0.011108996538242306, 1e-15);
    assert_close(rq_fca_weight_eval(&gs, 60.5), 0.0, 0.0);
}

static void
test_unreached_supply(void **state)
{
    /* The hand case plus three sites that reach nobody with weight:
    **   site 2 (S = 7): no pair at all;
    **   site 3 (S = 5): its only pair is 31 km away (beyond the last band);
    **   site 4 (S = 3): its only pair goes to commune 2 whose P = 0.
    ** They must get R = 0, reached = 0, and leave communes 0 and 1 exactly
    ** as in test_step_hand_e2sfca; commune 2 reaches only site 4, which has
    ** no weighted demand, so its access is 0. No division by zero. */
    const double pop[3] = {1000.0, 500.0, 0.0};
    const double cap[5] = {10.0, 4.0, 7.0, 5.0, 3.0};
    const rq_fca_pair pairs[6] = {{0, 0, 5.0}, {1, 0, 15.0}, {0, 1, 25.0},
                                  {1, 1, 8.0}, {0, 3, 31.0}, {2, 4, 2.0}};
    rq_fca_weight w = step_default();
    double a[3], r[5];
    unsigned char reached[5];
    rq_err err = {0};
    (void)state;

    for (int v = 0; v < 2; v++) {
        rq_fca_variant variant = v ? RQ_FCA_2SFCA : RQ_FCA_E2SFCA;
        assert_int_equal(
            rq_fca_compute(variant, pop, 3, cap, 5, pairs, 6, &w, 10000.0, a, r, reached, NULL, &err),
            RQ_OK);
        for (int j = 2; j < 5; j++) {
            assert_close(r[j], 0.0, 0.0);
            assert_int_equal(reached[j], 0);
        }
        assert_int_equal(reached[0], 1);
        assert_int_equal(reached[1], 1);
        assert_close(a[2], 0.0, 0.0);
        if (variant == RQ_FCA_E2SFCA) {
            assert_close(a[0], 1005560.0 / 11039.0, 1e-9);
            assert_close(a[1], 1079800.0 / 11039.0, 1e-9);
        } else {
            assert_close(a[0], 280.0 / 3.0, 1e-9);
            assert_close(a[1], 280.0 / 3.0, 1e-9);
        }
        /* Identity over reached sites only: 10 + 4, not 10 + 4 + 7 + 5 + 3. */
        assert_close((pop[0] * a[0] + pop[1] * a[1] + pop[2] * a[2]) / 10000.0, 14.0, 1e-9);
    }
}

/* A small deterministic generator so that the identity test covers a few
** thousand irregular pairs without depending on the C library's rand(). */
static unsigned long
lcg_next(unsigned long *s)
{
    *s = (*s * 6364136223846793005UL + 1442695040888963407UL) & 0xffffffffffffffffUL;
    return *s >> 33;
}

static void
test_identity_and_determinism(void **state)
{
    enum { ND = 300, NS = 40, NP = 6000 };
    static double pop[ND], cap[NS], a1[ND], a2[ND], r[NS];
    static rq_fca_pair pairs[NP];
    static unsigned char reached[NS];
    unsigned long seed = 42;
    rq_fca_weight kernels[3] = {
        step_default(),
        {.kind = RQ_WEIGHT_GAUSSIAN, .sigma = 12.0, .max_cost = 35.0},
        {.kind = RQ_WEIGHT_GRAVITY, .beta = 1.5, .max_cost = 30.0},
    };
    rq_err err = {0};
    (void)state;

    for (size_t i = 0; i < ND; i++)
        pop[i] = (double)(lcg_next(&seed) % 20000); /* some communes have P = 0 */
    for (size_t j = 0; j < NS; j++)
        cap[j] = (double)(lcg_next(&seed) % 50) / 4.0;
    for (size_t k = 0; k < NP; k++) {
        pairs[k].demand = lcg_next(&seed) % ND;
        pairs[k].supply = lcg_next(&seed) % (NS - 3); /* the last 3 sites get no pair */
        pairs[k].cost = (double)(lcg_next(&seed) % 40000) / 1000.0;
    }

    for (int kk = 0; kk < 3; kk++) {
        for (int v = 0; v < 2; v++) {
            rq_fca_variant variant = v ? RQ_FCA_2SFCA : RQ_FCA_E2SFCA;
            double lhs = 0.0, rhs = 0.0;
            assert_int_equal(rq_fca_compute(variant, pop, ND, cap, NS, pairs, NP, &kernels[kk],
                                            10000.0, a1, r, reached, NULL, &err),
                             RQ_OK);
            for (size_t i = 0; i < ND; i++)
                lhs += pop[i] * a1[i];
            lhs /= 10000.0;
            for (size_t j = 0; j < NS; j++)
                if (reached[j])
                    rhs += cap[j];
            assert_true(rhs > 0.0);
            assert_close(lhs, rhs, 1e-9 * rhs);
            for (size_t j = NS - 3; j < NS; j++)
                assert_int_equal(reached[j], 0);

            /* Same input, same bits. */
            assert_int_equal(rq_fca_compute(variant, pop, ND, cap, NS, pairs, NP, &kernels[kk],
                                            10000.0, a2, NULL, NULL, NULL, &err),
                             RQ_OK);
            assert_memory_equal(a1, a2, sizeof a1);
        }
    }
}

static void
test_empty(void **state)
{
    const double pop[2] = {10.0, 20.0};
    const double cap[1] = {3.0};
    double a[2] = {-1.0, -1.0}, r[1] = {-1.0};
    unsigned char reached[1] = {7};
    rq_fca_weight w = step_default();
    rq_err err = {0};
    (void)state;

    assert_int_equal(
        rq_fca_compute(RQ_FCA_E2SFCA, pop, 2, cap, 1, NULL, 0, &w, 10000.0, a, r, reached, NULL, &err),
        RQ_OK);
    assert_close(a[0], 0.0, 0.0);
    assert_close(a[1], 0.0, 0.0);
    assert_close(r[0], 0.0, 0.0);
    assert_int_equal(reached[0], 0);
    /* No points at all is not an error either. */
    assert_int_equal(rq_fca_compute(RQ_FCA_E2SFCA, NULL, 0, NULL, 0, NULL, 0, &w, 10000.0, NULL,
                                    NULL, NULL, NULL, &err),
                     RQ_OK);
}

/* Runs the hand case with one thing changed and checks the status, that the
** message holds `needle`, and that the outputs were not touched. */
static void
expect_error(const double *pop, const double *cap, const rq_fca_pair *pairs, size_t n_pairs,
             const rq_fca_weight *w, double scale, rq_status want, const char *needle)
{
    double a[2] = {-7.0, -7.0}, r[2] = {-7.0, -7.0};
    unsigned char reached[2] = {7, 7};
    rq_err err = {0};

    assert_int_equal(rq_fca_compute(RQ_FCA_E2SFCA, pop, 2, cap, 2, pairs, n_pairs, w, scale, a, r,
                                    reached, NULL, &err),
                     want);
    assert_int_equal(err.code, want);
    if (!strstr(err.msg, needle)) {
        print_error("message \"%s\" lacks \"%s\"\n", err.msg, needle);
        fail();
    }
    assert_close(a[0], -7.0, 0.0);
    assert_close(a[1], -7.0, 0.0);
    assert_close(r[0], -7.0, 0.0);
    assert_int_equal(reached[0], 7);
}

static void
test_errors(void **state)
{
    rq_fca_weight w = step_default();
    rq_fca_pair bad[4];
    double p[2], c[2];
    (void)state;

    /* Out-of-range indices, named by pair index. */
    memcpy(bad, hand_pairs, sizeof bad);
    bad[1].demand = 2;
    expect_error(hand_pop, hand_cap, bad, 4, &w, 1e4, RQ_ERR_INPUT, "pair 1 names demand point 2");
    memcpy(bad, hand_pairs, sizeof bad);
    bad[3].supply = 5;
    expect_error(hand_pop, hand_cap, bad, 4, &w, 1e4, RQ_ERR_INPUT, "pair 3 names supply point 5");

    /* Bad costs. */
    memcpy(bad, hand_pairs, sizeof bad);
    bad[2].cost = -0.5;
    expect_error(hand_pop, hand_cap, bad, 4, &w, 1e4, RQ_ERR_INPUT, "pair 2 (demand 0, supply 1)");
    bad[2].cost = NAN;
    expect_error(hand_pop, hand_cap, bad, 4, &w, 1e4, RQ_ERR_INPUT, "pair 2");
    bad[2].cost = INFINITY;
    expect_error(hand_pop, hand_cap, bad, 4, &w, 1e4, RQ_ERR_INPUT, "pair 2");

    /* Bad populations and capacities, named by point index. */
    memcpy(p, hand_pop, sizeof p);
    p[1] = -1.0;
    expect_error(p, hand_cap, hand_pairs, 4, &w, 1e4, RQ_ERR_INPUT, "demand point 1");
    p[1] = NAN;
    expect_error(p, hand_cap, hand_pairs, 4, &w, 1e4, RQ_ERR_INPUT, "demand point 1");
    memcpy(c, hand_cap, sizeof c);
    c[0] = -3.0;
    expect_error(hand_pop, c, hand_pairs, 4, &w, 1e4, RQ_ERR_INPUT, "supply point 0");
    c[0] = NAN;
    expect_error(hand_pop, c, hand_pairs, 4, &w, 1e4, RQ_ERR_INPUT, "supply point 0");

    /* Scale. */
    expect_error(hand_pop, hand_cap, hand_pairs, 4, &w, 0.0, RQ_ERR_INPUT, "scale");
    expect_error(hand_pop, hand_cap, hand_pairs, 4, &w, NAN, RQ_ERR_INPUT, "scale");

    /* Kernels. */
    {
        const double up_bad[3] = {10.0, 10.0, 30.0};
        const double w_bad[3] = {1.0, -0.5, 0.33};
        rq_fca_weight k = step_default();
        k.n_bands = 0;
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "no band");
        k = step_default();
        k.band_upper = up_bad;
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "band 2");
        k = step_default();
        k.band_w = w_bad;
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT,
                     "band 2 has weight -0.5");
        k = (rq_fca_weight){.kind = RQ_WEIGHT_GAUSSIAN, .sigma = 0.0, .max_cost = 30.0};
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "sigma");
        k = (rq_fca_weight){.kind = RQ_WEIGHT_GAUSSIAN, .sigma = 10.0}; /* max_cost forgotten */
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "maximum cost");
        k = (rq_fca_weight){.kind = RQ_WEIGHT_GRAVITY, .beta = -1.0, .max_cost = 30.0};
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "beta");
        k = (rq_fca_weight){
            .kind = RQ_WEIGHT_GRAVITY, .beta = 1.0, .max_cost = 30.0, .min_cost = -1.0};
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "minimum cost");
        k = (rq_fca_weight){.kind = (rq_weight_kind)42, .max_cost = 30.0};
        expect_error(hand_pop, hand_cap, hand_pairs, 4, &k, 1e4, RQ_ERR_INPUT, "unknown weight");
    }

    /* Programmer errors. */
    expect_error(hand_pop, hand_cap, NULL, 4, &w, 1e4, RQ_ERR_INTERNAL, "NULL array");
    expect_error(hand_pop, hand_cap, hand_pairs, 4, NULL, 1e4, RQ_ERR_INTERNAL, "no weight");
    {
        double a[2];
        rq_err err = {0};
        assert_int_equal(rq_fca_compute((rq_fca_variant)9, hand_pop, 2, hand_cap, 2, hand_pairs, 4,
                                        &w, 1e4, a, NULL, NULL, NULL, &err),
                         RQ_ERR_INTERNAL);
        assert_non_null(strstr(err.msg, "unknown variant"));
    }
}

static void
test_overflow(void **state)
{
    /* Two communes of 1e308 inhabitants each reaching the same site:
    ** D_0 = 2e308 is not a double. */
    const double pop[2] = {1e308, 1e308};
    rq_fca_pair pairs[4];
    rq_fca_weight w = step_default();
    (void)state;

    memcpy(pairs, hand_pairs, sizeof pairs);
    pairs[1].cost = 5.0; /* both communes at W = 1 from site 0 */
    expect_error(pop, hand_cap, pairs, 4, &w, 1e4, RQ_ERR_INPUT,
                 "weighted demand of supply point 0 overflows");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pysal_hospital_gravity),
        cmocka_unit_test(test_pysal_hospital_orderings),
        cmocka_unit_test(test_pysal_hospital_classic),
        cmocka_unit_test(test_step_hand_e2sfca),
        cmocka_unit_test(test_step_hand_classic),
        cmocka_unit_test(test_step_band_edges),
        cmocka_unit_test(test_smooth_kernels),
        cmocka_unit_test(test_unreached_supply),
        cmocka_unit_test(test_identity_and_determinism),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
