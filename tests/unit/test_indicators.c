/* test_indicators.c - reach, indicators, E2SFCA wiring, gaps and aggregates
** on tests/fixtures/cover, with every expected value worked out by hand.
**
** Fixture (EPSG:2154, km): A 99001 = [700,710]x[6300,6310] pop 1000;
** B 99002 = [710,720]x[6300,6310] pop 2000; C 99003 = two squares
** [700,710]x[6400,6410] and [900,910]x[6400,6410] pop 500; D 99004 =
** [740,750]x[6300,6310] pop 100. All rural (level 7). Representative points
** of the squares are their centres: A (705,6305), B (715,6305), D (745,6305).
** Sites:
**   INC-A  incubateur, région 98, at A's centre, r 10, capacity 10
**   CAE-A  cae, zone {B} only, at A's centre, r 30, capacity 20
**   DLA-1  dla, région 98, at A's centre, r 5, capacity 4  } one structure
**   DLA-2  dla, région 98, at D's centre, r 5, capacity 4  }
**   TL-C   tiers_lieu, zone {C}, at the centre of C's first square, r 10
** A GEOS buffer with 16 segments per quarter is a regular 64-gon whose
** vertices lie on the circle: area 32 r² sin(π/32); its inscribed radius is
** r cos(π/64) = 0.9988 r.
*/
#include "rq_test.h"

#include "raquette/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static rq_config cfg;
static rq_dataset *ds;
static rq_results res;

static int
setup(void **state)
{
    (void)state;
    return rq_test_analysis_run(rq_test_fixture("cover/cover.ini"), &cfg, &ds, &res);
}

static int
teardown(void **state)
{
    (void)state;
    rq_test_analysis_fini(&cfg, ds, &res);
    return 0;
}

static const rq_commune_ind *
ind(const char *code)
{
    for (size_t a = 0; a < res.n_ind; a++)
        if (strcmp(ds->communes[res.ind[a].commune].code, code) == 0)
            return &res.ind[a];
    fail_msg("no commune %s", code);
    return NULL;
}

static int
cat(const char *name)
{
    int k = rq_config_category(&cfg, name);
    assert_true(k >= 0);
    return k;
}

static void
test_coverage(void **state)
{
    (void)state;
    int inc = cat("incubateur"), cae = cat("cae"), dla = cat("dla"), tl = cat("tiers_lieu");
    double disc5 = 32.0 * 25.0 * sin(M_PI / 32.0); /* km², 64-gon of radius 5 */
    /* r = 10 around A's centre: inscribed radius 9.988 km > half-diagonal
    ** 7.07 km, so A is wholly inside: exactly 1. */
    assert_true(ind("99001")->couv[inc] == 1.0);
    /* The zone cuts the buffer: CAE's disc (r 30) covers A and B, but its
    ** zone is {B}: A gets 0, B gets 1. */
    assert_true(ind("99001")->couv[cae] == 0.0);
    assert_true(ind("99002")->couv[cae] == 1.0);
    /* A structure with two sites: DLA's discs of r 5 lie inside A and D. */
    assert_close(ind("99001")->couv[dla], disc5 / 100.0, 1e-9);
    assert_close(ind("99004")->couv[dla], disc5 / 100.0, 1e-9);
    assert_close(ind("99002")->couv[dla], 0.0, 1e-12); /* touches B at one point */
    assert_int_equal(ind("99001")->nb[dla], 1);
    assert_int_equal(ind("99004")->nb[dla], 1);
    /* Half inside: C's first square (100 km²) is inside TL's disc, the
    ** second is 200 km away: 100 / 200. 0.5 meets the threshold (inclusive). */
    assert_close(ind("99003")->couv[tl], 0.5, 1e-12);
    assert_int_equal(ind("99003")->nb[tl], 1);
    /* INC's disc reaches only x <= 715 km of B: less than half of it. */
    assert_true(ind("99002")->couv[inc] > 0.0 && ind("99002")->couv[inc] < 0.5);
    assert_int_equal(ind("99002")->nb[inc], 0);
    for (size_t a = 0; a < res.n_ind; a++)
        for (size_t k = 0; k < cfg.n_categories; k++)
            assert_true(res.ind[a].couv[k] >= 0.0 && res.ind[a].couv[k] <= 1.0);
}

static void
test_distances(void **state)
{
    (void)state;
    int inc = cat("incubateur"), cae = cat("cae"), dla = cat("dla");
    /* A is not in CAE's zone: no distance, whatever the radius. */
    assert_true(isnan(ind("99001")->dist_km[cae]));
    assert_close(ind("99002")->dist_km[cae], 10.0, 1e-9);
    /* Nearest DLA site of B: DLA-1 at 10 km (DLA-2 is at 30 km). */
    assert_close(ind("99002")->dist_km[dla], 10.0, 1e-9);
    assert_close(ind("99004")->dist_km[dla], 0.0, 1e-9);
    /* D to INC-A: 40 km although INC's radius is 10 km; 40 x 1.3 / 40 x 60 = 78 min. */
    assert_close(ind("99004")->dist_km[inc], 40.0, 1e-9);
    assert_close(ind("99004")->temps_min[inc], 78.0, 1e-9);
}

static void
test_phases_and_gaps(void **state)
{
    (void)state;
    /* A: INC (1.0) gives emergence + creation, DLA (0.784) consolidation +
    ** developpement: the complete path. */
    const rq_commune_ind *a = ind("99001");
    assert_int_equal(a->nb_phases, 4);
    assert_int_equal(a->parcours_complet, 1);
    assert_int_equal(a->trou, 0);
    /* B: CAE only -> creation, consolidation; emergence missing. */
    const rq_commune_ind *b = ind("99002");
    assert_int_equal(b->phase[0], 0);
    assert_int_equal(b->phase[1], 1);
    assert_int_equal(b->phase[2], 1);
    assert_int_equal(b->phase[3], 0);
    assert_int_equal(b->nb_phases, 2);
    assert_int_equal(b->missing, 1u);
    assert_int_equal(b->nb_phases_manquantes, 1);
    assert_int_equal(b->trou, 1);
    /* D: DLA -> consolidation, developpement; missing emergence, creation. */
    assert_int_equal(ind("99004")->missing, 3u);
    /* C: TL -> emergence; missing creation, consolidation. */
    assert_int_equal(ind("99003")->missing, 6u);
    /* Gap communes B, C, D touch nothing of each other: three zones, by
    ** population B 2000 > C 500 > D 100. */
    size_t overall = 0;
    for (size_t i = 0; i < res.n_gaps; i++)
        overall += res.gaps[i].phase < 0;
    assert_int_equal(overall, 3);
    assert_string_equal(res.gaps[b->zone_trou].id, "T001");
    assert_string_equal(res.gaps[ind("99003")->zone_trou].id, "T002");
    assert_string_equal(res.gaps[ind("99004")->zone_trou].id, "T003");
    assert_int_equal(a->zone_trou, -1);
    /* Emergence zones: B and D lack it (C has it): EM001 = B, EM002 = D. */
    assert_string_equal(res.gaps[b->zone_trou_p[0]].id, "EM001");
    assert_string_equal(res.gaps[ind("99004")->zone_trou_p[0]].id, "EM002");
    assert_int_equal(ind("99003")->zone_trou_p[0], -1);
}

static void
test_accessibility(void **state)
{
    (void)state;
    /* Pairs within 30 km and in the zone (weights 1 up to 10 km inclusive,
    ** 0.33 up to 30 km inclusive): INC-A: A(0) B(10); CAE-A: B(10); DLA-1:
    ** A(0) B(10); DLA-2: D(0) B(30, weight 0.33).
    ** R_INC = 10/3000, R_CAE = 20/2000, R_DLA1 = 4/3000,
    ** R_DLA2 = 4/(100 + 0.33 x 2000) = 4/760. */
    double r_inc = 10.0 / 3000, r_cae = 0.01, r_d1 = 4.0 / 3000, r_d2 = 4.0 / 760;
    assert_close(ind("99001")->acces_e2sfca, 1e4 * (r_inc + r_d1), 1e-9);
    assert_close(ind("99002")->acces_e2sfca, 1e4 * (r_inc + r_cae + r_d1 + 0.33 * r_d2), 1e-9);
    assert_close(ind("99004")->acces_e2sfca, 1e4 * r_d2, 1e-9);
    /* Identity of method.md §3.1: Σ P·A / 10,000 = Σ capacities reached. */
    assert_close(res.fca_identity, res.supply_reached, 1e-9 * res.supply_reached);
    assert_true(res.supply_reached >= 38.0); /* 10 + 20 + 4 + 4 (+ 6 for TL-C) */
}

static void
test_aggregates(void **state)
{
    (void)state;
    /* One département (99): 3,600 inhabitants; emergence reaches A and C
    ** (1,500), creation A and B (3,000), the complete path A (1,000); gap
    ** communes B, C, D (2,600). */
    assert_int_equal(res.n_agg_dep, 1);
    const rq_aggregate *g = &res.agg_dep[0];
    assert_string_equal(g->code, "99");
    assert_int_equal(g->communes, 4);
    assert_int_equal(g->population, 3600);
    assert_close(g->part_phase[0], 1500.0 / 3600, 1e-12);
    assert_close(g->part_phase[1], 3000.0 / 3600, 1e-12);
    assert_close(g->part_parcours, 1000.0 / 3600, 1e-12);
    assert_int_equal(g->communes_trou, 3);
    assert_int_equal(g->pop_trou, 2600);
    assert_int_equal(res.n_agg_epci, 2);
    assert_string_equal(res.agg_epci[0].code, "200000001");
    assert_string_equal(res.agg_epci[0].name, "CC Ouest");
    assert_int_equal(res.agg_epci[0].population, 3000);
}

/* The polygons of the aggregates when sites name the département and an
** EPCI as their zones: the aggregates then take the unions the reach stage
** made for those zones (same communes), and the EPCI no site names is
** united on its own. By hand from the fixture: département 99 = A, B, C
** (two squares) and D, 500 km2 in 4 polygons (A and B touch); EPCI
** 200000001 = A and B, the 200 km2 rectangle; EPCI 200000002 = C and D,
** 300 km2 in 3 squares. */
static void
test_aggregate_polygons(void **state)
{
    (void)state;
    char *dir = rq_test_tmpdir(), cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s'/* '%s'/", rq_test_fixture("cover"), dir);
    assert_int_equal(rq_test_run(cmd, NULL), 0);
    char *structures = rq_test_path(dir, "structures.csv");
    rq_test_write_file(structures,
                       "structure_id,site_id,nom,categorie,phases,zone_type,zone_codes,site_type,"
                       "commune_code,lon,lat,capacite,rayon_km,itinerant\n"
                       "DEP,DEP-A,DLA,dla,consolidation,departement,99,siege,99001,,,4,5,0\n"
                       "EP,EP-A,CAE,cae,creation,epci,200000001,siege,99001,,,4,5,0\n");
    char *ini = rq_test_path(dir, "cover.ini");
    rq_config c;
    rq_dataset *d = NULL;
    rq_results r;
    assert_int_equal(rq_test_analysis_run(ini, &c, &d, &r), 0);
    static const struct {
        int epci;
        const char *code;
        double km2;
        size_t parts;
    } expect[] = {{0, "99", 500, 4}, {1, "200000001", 200, 1}, {1, "200000002", 300, 3}};
    assert_int_equal(r.n_agg_dep, 1);
    assert_int_equal(r.n_agg_epci, 2);
    for (size_t i = 0; i < NELEM(expect); i++) {
        const rq_aggregate *g = expect[i].epci ? &r.agg_epci[i - 1] : &r.agg_dep[0];
        assert_string_equal(g->code, expect[i].code);
        assert_non_null(g->geom);
        assert_close(rq_geom_area(d->geos, g->geom), expect[i].km2 * 1e6, 1e-6);
        assert_int_equal(rq_geom_n_parts(d->geos, g->geom), expect[i].parts);
    }
    rq_test_analysis_fini(&c, d, &r);
    free(ini);
    free(structures);
    rq_test_teardown_dir(&dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage),        cmocka_unit_test(test_distances),
        cmocka_unit_test(test_phases_and_gaps), cmocka_unit_test(test_accessibility),
        cmocka_unit_test(test_aggregates),      cmocka_unit_test(test_aggregate_polygons),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
