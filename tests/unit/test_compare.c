/* test_compare.c - the comparison of two runs (src/analysis/compare*.c) on
** two small snapshots written by hand, every expected value worked out
** below.
**
** Run A (COG 2025) and run B (COG 2026); threshold 0.5; required phases
** emergence, creation, consolidation. Communes (code: population A → B):
**   99001 X (1000 → 1010, 100 km², rural)
**   99002 Y (300, 30 km², rural) and 99003 Z (100, 70 km², not rural) of A
**         merged into 99004 W of B (410, 100 km², rural): B's table
**         redirects 99002 and 99003 to 99004
**   99005 V (50), 99006 U (60), 99007 S (70): not rural, in both
** Structures (phases A → B): CAE cr|co (site CAE-1 moved 5 km), INC em|cr →
** em|cr|co (site INC-2 added), NEW em (added in B), OLD co|de (removed in
** B), STA cr (unchanged).
** Shares A: X CAE 1.0, OLD 0.6; Y INC 0.8, CAE 0.9, OLD 0.7; Z INC 0.4,
**           OLD 0.3; V OLD 0.8; U CAE 0.6; S STA 0.7.
** Shares B: X CAE 1.0, NEW 0.7; W INC 0.9, CAE 0.9; U CAE 0.4; S STA 0.3.
**
** X: A cr|co|de (trou: emergence missing), B em|cr|co (no trou): it left
**    the gap; gained emergence (NEW covers it) and lost developpement (OLD
**    did): causes NEW added, OLD removed.
** W against Y ∪ Z: shares INC (0.8·30 + 0.4·70)/100 = 0.52, CAE
**    0.9·30/100 = 0.27, OLD (0.7·30 + 0.3·70)/100 = 0.42, so em|cr only;
**    rural as Y, its most populous part; consolidation missing: a gap. B:
**    em|cr|co, no gap: it left the gap, having gained consolidation, which
**    CAE and INC give in B: causes CAE-1 moved, INC's phases, INC-2 added.
**    Access (300·5 + 100·1)/400 = 4.
** V: A co|de (OLD), B nothing: loss, cause OLD removed.
** U: A cr|co (CAE 0.6), B nothing (0.4): loss, cause CAE-1 moved.
** S: A cr (STA 0.7), B nothing (0.3), STA unchanged and nothing else
**    changed: loss, unexplained.
**
** Gap zones (squares, km): A T001 [0,10]x[0,10], T002 [40,50], T003
** [60,80], EM001 [0,10]; B T001 [0,15] (grew 50 km²), T002 [60,70] and
** T003 [70,80] (T003 split), T004 [100,110] (appeared), EM001 [0,10]
** (stable; it overlaps T001 but is of another meaning); A's T002 vanished.
*/
#include "rq_test.h"

#include "raquette/compare.h"

#include <stdlib.h>
#include <string.h>

#define EM 1u
#define CR 2u
#define CO 4u
#define DE 8u

static void
add_commune(rq_snapshot *s, const char *code, const char *name, long pop, double km2, int rural,
            unsigned phases, int trou, double acces)
{
    s->communes = rq_xreallocarray(s->communes, s->n_communes + 1, sizeof *s->communes);
    rq_snap_commune *c = &s->communes[s->n_communes++];
    memset(c, 0, sizeof *c);
    c->code = rq_xstrdup(code);
    c->name = rq_xstrdup(name);
    c->dep = rq_xstrdup("99");
    c->epci = rq_xstrdup("");
    c->population = pop;
    c->area_km2 = km2;
    c->rural = rural;
    c->phases = phases;
    c->trou = trou;
    c->acces = acces;
}

static void
add_structure(rq_snapshot *s, const char *id, unsigned phases)
{
    s->structures = rq_xreallocarray(s->structures, s->n_structures + 1, sizeof *s->structures);
    rq_snap_structure *t = &s->structures[s->n_structures++];
    t->id = rq_xstrdup(id);
    t->category = rq_xstrdup("cat");
    t->zone_type = rq_xstrdup("region");
    t->zone_codes = rq_xstrdup("99");
    t->phases = phases;
}

static void
add_site(rq_snapshot *s, const char *id, const char *structure, double x, const char *commune)
{
    s->sites = rq_xreallocarray(s->sites, s->n_sites + 1, sizeof *s->sites);
    rq_snap_site *t = &s->sites[s->n_sites++];
    memset(t, 0, sizeof *t);
    t->site_id = rq_xstrdup(id);
    t->structure_id = rq_xstrdup(structure);
    t->name = rq_xstrdup(id);
    t->commune_code = rq_xstrdup(commune);
    t->x = x;
    t->radius_km = 30;
}

static void
add_cover(rq_snapshot *s, const char *code, const char *structure, double ratio)
{
    long c = rq_snapshot_commune(s, code), k = rq_snapshot_structure(s, structure);
    assert_true(c >= 0 && k >= 0);
    s->covers = rq_xreallocarray(s->covers, s->n_covers + 1, sizeof *s->covers);
    s->covers[s->n_covers++] = (rq_snap_cover){(size_t)c, (size_t)k, ratio};
}

/* A square gap zone [x0, x1] x [0, 10] km. */
static void
add_gap(rq_geos *g, rq_snapshot *s, const char *id, int phase, long pop, double x0, double x1)
{
    char wkt[256];
    snprintf(wkt, sizeof wkt, "POLYGON((%g 0, %g 0, %g 10000, %g 10000, %g 0))", x0 * 1000,
             x1 * 1000, x1 * 1000, x0 * 1000, x0 * 1000);
    rq_err err = {0};
    rq_geom *geom = rq_geom_from_wkt(g, wkt, &err);
    assert_non_null(geom);
    s->gaps = rq_xreallocarray(s->gaps, s->n_gaps + 1, sizeof *s->gaps);
    rq_snap_gap *z = &s->gaps[s->n_gaps++];
    memset(z, 0, sizeof *z);
    z->id = rq_xstrdup(id);
    z->phase = phase;
    z->population = pop;
    z->geom.data = rq_geom_to_wkb(g, geom, &z->geom.len);
    rq_geom_destroy(g, geom);
}

static void
header(rq_snapshot *s, long long id, const char *vintage)
{
    s->run_id = id;
    s->name = rq_xstrdup("test");
    s->date = rq_xstrdup("2026-01-01");
    s->vintage = rq_xstrdup(vintage);
    s->crs = rq_xstrdup("EPSG:2154");
    s->params = rq_xstrdup("{}");
    s->boundaries_sha = rq_xstrdup("same");
    s->threshold = 0.5;
    s->required = EM | CR | CO;
}

static void
build_a(rq_geos *g, rq_snapshot *a)
{
    header(a, 1, "2025");
    add_commune(a, "99001", "X", 1000, 100, 1, CR | CO | DE, 1, 2.0);
    add_commune(a, "99002", "Y", 300, 30, 1, EM | CR | CO | DE, 0, 5.0);
    add_commune(a, "99003", "Z", 100, 70, 0, 0, 0, 1.0);
    add_commune(a, "99005", "V", 50, 10, 0, CO | DE, 0, 1.0);
    add_commune(a, "99006", "U", 60, 10, 0, CR | CO, 0, 1.0);
    add_commune(a, "99007", "S", 70, 10, 0, CR, 0, 1.0);
    add_structure(a, "CAE", CR | CO);
    add_structure(a, "INC", EM | CR);
    add_structure(a, "OLD", CO | DE);
    add_structure(a, "STA", CR);
    add_site(a, "CAE-1", "CAE", 0, "99001");
    add_site(a, "INC-1", "INC", 50000, "99002");
    add_site(a, "OLD-1", "OLD", 10000, "99001");
    add_site(a, "STA-1", "STA", 90000, "99007");
    rq_snapshot_index(a);
    add_cover(a, "99001", "CAE", 1.0);
    add_cover(a, "99001", "OLD", 0.6);
    add_cover(a, "99002", "INC", 0.8);
    add_cover(a, "99002", "CAE", 0.9);
    add_cover(a, "99002", "OLD", 0.7);
    add_cover(a, "99003", "INC", 0.4);
    add_cover(a, "99003", "OLD", 0.3);
    add_cover(a, "99005", "OLD", 0.8);
    add_cover(a, "99006", "CAE", 0.6);
    add_cover(a, "99007", "STA", 0.7);
    add_gap(g, a, "T001", -1, 1000, 0, 10);
    add_gap(g, a, "T002", -1, 200, 40, 50);
    add_gap(g, a, "T003", -1, 300, 60, 80);
    add_gap(g, a, "EM001", 0, 1000, 0, 10);
    rq_snapshot_index(a);
}

static void
build_b(rq_geos *g, rq_snapshot *b)
{
    header(b, 2, "2026");
    add_commune(b, "99001", "X", 1010, 100, 1, EM | CR | CO, 0, 2.5);
    add_commune(b, "99004", "W", 410, 100, 1, EM | CR | CO, 0, 4.5);
    add_commune(b, "99005", "V", 50, 10, 0, 0, 0, 0.0);
    add_commune(b, "99006", "U", 60, 10, 0, 0, 0, 0.0);
    add_commune(b, "99007", "S", 70, 10, 0, 0, 0, 0.0);
    b->redirects = rq_xcalloc(2, sizeof *b->redirects);
    b->redirects[0] = (rq_snap_redirect){rq_xstrdup("99002"), rq_xstrdup("99004")};
    b->redirects[1] = (rq_snap_redirect){rq_xstrdup("99003"), rq_xstrdup("99004")};
    b->n_redirects = 2;
    add_structure(b, "CAE", CR | CO);
    add_structure(b, "INC", EM | CR | CO);
    add_structure(b, "NEW", EM);
    add_structure(b, "STA", CR);
    add_site(b, "CAE-1", "CAE", 5000, "99001");
    add_site(b, "INC-1", "INC", 50000, "99004");
    add_site(b, "INC-2", "INC", 60000, "99004");
    add_site(b, "NEW-1", "NEW", 20000, "99001");
    add_site(b, "STA-1", "STA", 90000, "99007");
    rq_snapshot_index(b);
    add_cover(b, "99001", "CAE", 1.0);
    add_cover(b, "99001", "NEW", 0.7);
    add_cover(b, "99004", "INC", 0.9);
    add_cover(b, "99004", "CAE", 0.9);
    add_cover(b, "99006", "CAE", 0.4);
    add_cover(b, "99007", "STA", 0.3);
    add_gap(g, b, "T001", -1, 1100, 0, 15);
    add_gap(g, b, "T002", -1, 150, 60, 70);
    add_gap(g, b, "T003", -1, 140, 70, 80);
    add_gap(g, b, "T004", -1, 80, 100, 110);
    add_gap(g, b, "EM001", 0, 1000, 0, 10);
    rq_snapshot_index(b);
}

static const rq_cmp_commune *
row(const rq_comparison *cmp, const char *code)
{
    for (size_t i = 0; i < cmp->n_communes; i++)
        if (strcmp(cmp->communes[i].code, code) == 0)
            return &cmp->communes[i];
    fail_msg("no row for %s", code);
    return NULL;
}

/* The ids of r's causes, "C01|C04". */
static void
cause_ids(const rq_comparison *cmp, const rq_cmp_commune *r, char *buf, size_t sz)
{
    buf[0] = '\0';
    for (size_t k = 0; k < r->n_causes; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sz - len, "%s%s", k ? "|" : "", cmp->causes[r->causes[k]].id);
    }
}

static void
test_communes_and_causes(void **state)
{
    (void)state;
    rq_geos *g = rq_geos_create();
    rq_snapshot a = {0}, b = {0};
    rq_comparison cmp;
    rq_err err = {0};
    build_a(g, &a);
    build_b(g, &b);
    assert_int_equal(rq_compare(g, &a, &b, &cmp, &err), RQ_OK);
    assert_true(cmp.across_vintages);
    assert_int_equal(cmp.n_communes, 5);
    assert_int_equal(cmp.n_merged, 1);
    assert_int_equal(cmp.n_recoded, 0);

    /* The causes, in structure order, then the unexplained one. */
    static const struct {
        rq_cause_type type;
        const char *structure, *site, *detail;
        size_t n;
        long population;
    } causes[] = {
        {RQ_CAUSE_SITE_MOVED, "CAE", "CAE-1", "de X (99001) à X (99001), 5,0 km", 2, 410 + 60},
        {RQ_CAUSE_PHASES, "INC", "", "phases emergence|creation → emergence|creation|consolidation",
         1, 410},
        {RQ_CAUSE_SITE_ADDED, "INC", "INC-2", "site INC-2 (INC-2) ajouté", 1, 410},
        {RQ_CAUSE_STRUCTURE_ADDED, "NEW", "", "structure NEW ajoutée (sites NEW-1)", 1, 1010},
        {RQ_CAUSE_STRUCTURE_REMOVED, "OLD", "", "structure OLD supprimée (sites OLD-1)", 2,
         1010 + 50},
        {RQ_CAUSE_UNEXPLAINED, "", "", NULL, 1, 70},
    };
    assert_int_equal(cmp.n_causes, NELEM(causes));
    for (size_t k = 0; k < NELEM(causes); k++) {
        const rq_cause *c = &cmp.causes[k];
        assert_int_equal(c->type, causes[k].type);
        assert_string_equal(c->structure_id, causes[k].structure);
        assert_string_equal(c->site_id, causes[k].site);
        if (causes[k].detail)
            assert_string_equal(c->detail, causes[k].detail);
        assert_int_equal(c->n_communes, causes[k].n);
        assert_int_equal(c->population, causes[k].population);
    }

    char ids[64];
    const rq_cmp_commune *x = row(&cmp, "99001");
    assert_int_equal(x->evolution, RQ_EVO_GAP_LEFT);
    assert_int_equal(x->phases_a, CR | CO | DE);
    assert_int_equal(x->phases_b, EM | CR | CO);
    cause_ids(&cmp, x, ids, sizeof ids);
    assert_string_equal(ids, "C04|C05"); /* emergence from NEW, developpement lost with OLD */

    const rq_cmp_commune *w = row(&cmp, "99004");
    assert_string_equal(w->codes_before, "99002|99003");
    assert_true(w->merged);
    assert_int_equal(w->population_a, 400);
    assert_int_equal(w->phases_a, EM | CR); /* INC 0.52, CAE 0.27, OLD 0.42 */
    assert_int_equal(w->trou_a, 1);         /* rural as Y, consolidation missing */
    assert_close(w->acces_a, 4.0, 1e-12);
    assert_int_equal(w->evolution, RQ_EVO_GAP_LEFT);
    cause_ids(&cmp, w, ids, sizeof ids);
    assert_string_equal(ids, "C01|C02|C03"); /* CAE, then INC: structure order */

    static const struct {
        const char *code, *causes;
    } losses[] = {{"99005", "C05"}, {"99006", "C01"}, {"99007", "C06"}};
    for (size_t i = 0; i < NELEM(losses); i++) {
        const rq_cmp_commune *r = row(&cmp, losses[i].code);
        assert_int_equal(r->evolution, RQ_EVO_LOSS);
        cause_ids(&cmp, r, ids, sizeof ids);
        assert_string_equal(ids, losses[i].causes);
    }
    assert_int_equal(cmp.n_evo[RQ_EVO_GAP_LEFT], 2);
    assert_int_equal(cmp.pop_evo[RQ_EVO_GAP_LEFT], 1010 + 410);
    assert_int_equal(cmp.n_evo[RQ_EVO_LOSS], 3);
    assert_int_equal(cmp.n_evo[RQ_EVO_UNCHANGED], 0);

    rq_comparison_fini(&cmp);
    rq_snapshot_fini(&a);
    rq_snapshot_fini(&b);
    rq_geos_destroy(g);
}

static void
test_zones(void **state)
{
    (void)state;
    rq_geos *g = rq_geos_create();
    rq_snapshot a = {0}, b = {0};
    rq_comparison cmp;
    rq_err err = {0};
    build_a(g, &a);
    build_b(g, &b);
    assert_int_equal(rq_compare(g, &a, &b, &cmp, &err), RQ_OK);
    static const struct {
        int phase;
        const char *id_b, *ids_a;
        rq_zone_status status;
        double gained, lost;
        long pop_a;
    } zones[] = {
        {-1, "T001", "T001", RQ_ZONE_GREW, 50, 0, 1000},
        {-1, "T002", "T003", RQ_ZONE_SPLIT, 0, 100, 300},
        {-1, "T003", "T003", RQ_ZONE_SPLIT, 0, 100, 300},
        {-1, "T004", "", RQ_ZONE_APPEARED, 100, 0, 0},
        {-1, "", "T002", RQ_ZONE_VANISHED, 0, 100, 200},
        {0, "EM001", "EM001", RQ_ZONE_STABLE, 0, 0, 1000},
    };
    assert_int_equal(cmp.n_zones, NELEM(zones));
    for (size_t i = 0; i < NELEM(zones); i++) {
        const rq_cmp_zone *z = &cmp.zones[i];
        assert_int_equal(z->phase, zones[i].phase);
        assert_string_equal(z->id_b, zones[i].id_b);
        assert_string_equal(z->ids_a, zones[i].ids_a);
        assert_int_equal(z->status, zones[i].status);
        assert_close(z->gained_km2, zones[i].gained, 1e-6);
        assert_close(z->lost_km2, zones[i].lost, 1e-6);
        assert_int_equal(z->population_a, zones[i].pop_a);
    }
    rq_comparison_fini(&cmp);
    rq_snapshot_fini(&a);
    rq_snapshot_fini(&b);
    rq_geos_destroy(g);
}

/* The same run on both sides: nothing changed, nothing to explain. */
static void
test_identity(void **state)
{
    (void)state;
    rq_geos *g = rq_geos_create();
    rq_snapshot a = {0}, b = {0};
    rq_comparison cmp;
    rq_err err = {0};
    build_b(g, &a);
    build_b(g, &b);
    assert_int_equal(rq_compare(g, &a, &b, &cmp, &err), RQ_OK);
    assert_false(cmp.across_vintages);
    assert_int_equal(cmp.n_causes, 0);
    assert_int_equal(cmp.n_evo[RQ_EVO_UNCHANGED], 5);
    for (size_t i = 0; i < cmp.n_zones; i++)
        assert_int_equal(cmp.zones[i].status, RQ_ZONE_STABLE);
    rq_comparison_fini(&cmp);
    rq_snapshot_fini(&a);
    rq_snapshot_fini(&b);
    rq_geos_destroy(g);
}

/* Two runs on study units (rows U1, U2, ids that are not commune codes),
** COG 2026 on both sides with 99002 redirected to 99004. Structure ZON has
** a zone of type communes, its site in 99001, unmoved. */
static void
build_units(rq_snapshot *s, long long id, const char *zone_codes)
{
    header(s, id, "2026");
    s->units = 1;
    add_commune(s, "U1", "X", 100, 1, 1, CR, 0, 1.0);
    add_commune(s, "U2", "W", 100, 1, 1, CR, 0, 1.0);
    s->redirects = rq_xcalloc(1, sizeof *s->redirects);
    s->redirects[0] = (rq_snap_redirect){rq_xstrdup("99002"), rq_xstrdup("99004")};
    s->n_redirects = 1;
    add_structure(s, "ZON", CR);
    free(s->structures[0].zone_type);
    free(s->structures[0].zone_codes);
    s->structures[0].zone_type = rq_xstrdup("communes");
    s->structures[0].zone_codes = rq_xstrdup(zone_codes);
    add_site(s, "ZON-1", "ZON", 0, "99001");
    rq_snapshot_index(s);
}

/* A zone of type communes compared by its communes when the rows are
** units: 99001 → 99001|99004|99005 is 2 communes more, none less; 99002
** (redirected to 99004) → 99004 is no change; and the unmoved site is not
** a cause. */
static void
test_units_zone_of_communes(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b, *detail; /* NULL: no cause */
    } cases[] = {
        {"99001", "99001|99004|99005",
         "zone communes 99001 → 99001|99004|99005 : 2 communes en plus, 0 en moins"},
        {"99001|99005", "99005",
         "zone communes 99001|99005 → 99005 : 0 commune en plus, 1 en moins"},
        {"99002|99001", "99001|99004", NULL},
    };
    for (size_t k = 0; k < NELEM(cases); k++) {
        rq_geos *g = rq_geos_create();
        rq_snapshot a = {0}, b = {0};
        rq_comparison cmp;
        rq_err err = {0};
        build_units(&a, 1, cases[k].a);
        build_units(&b, 2, cases[k].b);
        assert_int_equal(rq_compare(g, &a, &b, &cmp, &err), RQ_OK);
        assert_int_equal(cmp.n_causes, cases[k].detail ? 1 : 0);
        if (cases[k].detail) {
            assert_int_equal(cmp.causes[0].type, RQ_CAUSE_ZONE);
            assert_string_equal(cmp.causes[0].detail, cases[k].detail);
        }
        rq_comparison_fini(&cmp);
        rq_snapshot_fini(&a);
        rq_snapshot_fini(&b);
        rq_geos_destroy(g);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_communes_and_causes),
        cmocka_unit_test(test_zones),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_units_zone_of_communes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
