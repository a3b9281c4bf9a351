/* test_proximity_occitanie.c - the distances of the indicators stage
** (src/analysis/proximity.c) on the real Occitanie data, against a brute
** force written here: every site against every study commune.
**
** proximity.c answers with trees (one per category and zone), worker
** threads taking communes in chunks, and a radix sort; the brute force
** below is the definition of method.md §3 and §3.1 read literally, one
** loop per indicator, on one thread. The demo directory has what makes the
** trees' shortcuts matter: incubators of a région zone and of département
** zones (a commune in two zones of one category), cooperatives whose zones
** list several départements, structures with several sites. Three worker
** threads on this 2-core machine, so that the chunks interleave.
*/
#include "rq_test.h"

#include "analysis/indicators_internal.h"
#include "raquette/analysis.h"
#include "raquette/fca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rq_config cfg;
static rq_dataset *ds;
static rq_results res;

static int
setup(void **state)
{
    (void)state;
    char ini[4096];
    const char *src = getenv("RQ_SOURCE_DIR");
    snprintf(ini, sizeof ini, "%s/config/occitanie.ini", src ? src : ".");
    rq_thread_count_set(3);
    return rq_test_analysis_run(ini, &cfg, &ds, &res);
}

static int
teardown(void **state)
{
    (void)state;
    rq_test_analysis_fini(&cfg, ds, &res);
    return 0;
}

static double
km_between(const rq_site *s, const rq_commune *c)
{
    return hypot(s->x - c->rx, s->y - c->ry) / 1000.0;
}

/* dist_<k>_km: the nearest site of category k whose zone holds the commune;
** temps_<k>_min from it. */
static void
test_nearest_site_of_each_category(void **state)
{
    (void)state;
    size_t with_distance = 0, without = 0;
    assert_int_equal(res.n_ind, 4446); /* the data README's count */
    for (size_t a = 0; a < res.n_ind; a++) {
        size_t ci = res.ind[a].commune;
        const rq_commune *c = &ds->communes[ci];
        for (size_t k = 0; k < cfg.n_categories; k++) {
            double best = INFINITY;
            for (size_t i = 0; i < ds->n_sites; i++) {
                const rq_site *s = &ds->sites[i];
                if (s->category == (int)k && ds->zones[s->zone].member[ci]) {
                    double km = km_between(s, c);
                    best = km < best ? km : best;
                }
            }
            if (isinf(best)) {
                if (!isnan(res.ind[a].dist_km[k]))
                    fail_msg("commune %s, category %s: distance %g, expected none", c->code,
                             cfg.categories[k].name, res.ind[a].dist_km[k]);
                without++;
                continue;
            }
            if (res.ind[a].dist_km[k] != best)
                fail_msg("commune %s, category %s: distance %.17g, expected %.17g", c->code,
                         cfg.categories[k].name, res.ind[a].dist_km[k], best);
            assert_true(res.ind[a].temps_min[k] == best * cfg.detour / cfg.speed_kmh * 60.0);
            with_distance++;
        }
    }
    /* Both cases occur: the test is not vacuous. */
    assert_true(with_distance > 0 && without > 0);
}

/* The site of a covering structure nearest to the commune: the first of
** the structure's list among equals. */
static void
test_nearest_site_of_each_cover(void **state)
{
    (void)state;
    size_t several = 0;
    assert_true(res.n_covers > 0);
    for (size_t q = 0; q < res.n_covers; q++) {
        const rq_cover *v = &res.covers[q];
        const rq_structure *st = &ds->structures[v->structure];
        const rq_commune *c = &ds->communes[res.ind[v->pos].commune];
        size_t best = st->sites[0];
        for (size_t i = 1; i < st->n_sites; i++)
            if (km_between(&ds->sites[st->sites[i]], c) < km_between(&ds->sites[best], c))
                best = st->sites[i];
        several += st->n_sites > 1;
        if (v->site != best)
            fail_msg("commune %s, structure %s: site %s, expected %s", c->code, st->id,
                     ds->sites[v->site].site_id, ds->sites[best].site_id);
        assert_true(v->dist_km == km_between(&ds->sites[best], c));
    }
    assert_true(several > 0); /* structures with several sites are covered */
}

/* The accessibility pairs (method.md §3.1): every site within the cutoff
** whose zone holds the commune, in commune order then site order, compared
** pair by pair with the list rq_proximity_compute makes; then acces_e2sfca
** through the engine (tested on its own in test_fca) from the list made
** here. */
static void
test_accessibility_pairs(void **state)
{
    (void)state;
    double cutoff =
        cfg.weight == RQ_WEIGHT_STEP && cfg.n_bands ? cfg.band_km[cfg.n_bands - 1] : cfg.max_km;
    rq_fca_weight w = {cfg.weight, cfg.band_km,        cfg.band_w,       cfg.n_bands,
                       cfg.max_km, cfg.gauss_sigma_km, cfg.gravity_beta, 0};
    rq_fca_pair *pairs = NULL, *got = NULL;
    size_t n = 0, cap = 0, n_got = 0;
    double *pop = calloc(res.n_ind, sizeof *pop), *acc = calloc(res.n_ind, sizeof *acc);
    double *capa = calloc(ds->n_sites, sizeof *capa);
    size_t *cover_begin = calloc(res.n_ind + 1, sizeof *cover_begin);
    assert_true(pop && acc && capa && cover_begin);
    for (size_t i = 0; i < ds->n_sites; i++)
        capa[i] = ds->sites[i].capacity;
    for (size_t a = 0; a < res.n_ind; a++) {
        size_t ci = res.ind[a].commune;
        pop[a] = (double)ds->communes[ci].population;
        for (size_t i = 0; i < ds->n_sites; i++) {
            const rq_site *s = &ds->sites[i];
            double km = km_between(s, &ds->communes[ci]);
            if (!ds->zones[s->zone].member[ci] || km > cutoff)
                continue;
            rq_grow((void **)&pairs, &cap, n + 1, sizeof *pairs);
            pairs[n++] = (rq_fca_pair){a, i, km};
        }
    }
    assert_true(n > res.n_ind); /* communes reach several sites */
    /* The stage's own list (the covers are sorted by commune). */
    for (size_t q = 0; q < res.n_covers; q++)
        cover_begin[res.covers[q].pos + 1] = q + 1;
    for (size_t a = 0; a < res.n_ind; a++)
        if (cover_begin[a + 1] < cover_begin[a])
            cover_begin[a + 1] = cover_begin[a];
    rq_err err = {0};
    assert_int_equal(rq_proximity_compute(ds, &res, res.covers, cover_begin, &got, &n_got, &err),
                     RQ_OK);
    assert_int_equal(n_got, n);
    for (size_t j = 0; j < n; j++)
        if (got[j].demand != pairs[j].demand || got[j].supply != pairs[j].supply ||
            got[j].cost != pairs[j].cost)
            fail_msg("pair %zu: (%zu, %zu, %g), expected (%zu, %zu, %g)", j, got[j].demand,
                     got[j].supply, got[j].cost, pairs[j].demand, pairs[j].supply, pairs[j].cost);
    assert_int_equal(rq_fca_compute(cfg.fca_variant, pop, res.n_ind, capa, ds->n_sites, pairs, n,
                                    &w, 10000.0, acc, NULL, NULL, NULL, &err),
                     RQ_OK);
    size_t positive = 0;
    for (size_t a = 0; a < res.n_ind; a++) {
        if (res.ind[a].acces_e2sfca != acc[a])
            fail_msg("commune %s: acces_e2sfca %.17g, expected %.17g",
                     ds->communes[res.ind[a].commune].code, res.ind[a].acces_e2sfca, acc[a]);
        positive += acc[a] > 0;
    }
    assert_true(positive > 0 && positive < res.n_ind);
    free(got);
    free(pairs);
    free(pop);
    free(acc);
    free(capa);
    free(cover_begin);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_site_of_each_category),
        cmocka_unit_test(test_nearest_site_of_each_cover),
        cmocka_unit_test(test_accessibility_pairs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
