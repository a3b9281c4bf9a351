/* test_gaps.c - unit tests of the gaps stage (src/analysis/gaps.c).
**
** Every fixture is built by hand: communes are squares (or triangles) given
** in metres in a metric CRS, so that areas, adjacency and populations can be
** worked out on paper. "[x0,x1]x[y0,y1]" below is in km. Commune strings
** are static literals: rq_dataset_destroy frees the geometries and the
** commune array, not the strings (normally borrowed from the COG table).
*/
#include "raquette/gaps.h"
#include "raquette/unions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rq_test.h"

/* One hand-made commune: a square of side km with its lower-left corner at
** (x0, y0) km, unless wkt (metres) is given. Codes must come ascending, as
** in ds->communes. */
struct fx {
    const char *code, *dep;
    long pop;
    double x0, y0, side;
    const char *wkt;
};

/* The dataset borrows its configuration: a zeroed one outlives every test. */
static const rq_config zero_cfg;

static rq_dataset *
make_ds(const struct fx *f, size_t n)
{
    rq_dataset *ds = rq_dataset_create(&zero_cfg);
    assert_non_null(ds);
    ds->communes = rq_xcalloc(n, sizeof *ds->communes);
    ds->n_communes = n;
    for (size_t i = 0; i < n; i++) {
        rq_commune *c = &ds->communes[i];
        char buf[256];
        const char *wkt = f[i].wkt;
        if (!wkt) {
            double x0 = f[i].x0 * 1000, y0 = f[i].y0 * 1000, s = f[i].side * 1000;
            snprintf(buf, sizeof buf,
                     "POLYGON((%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f))", x0, y0, x0 + s,
                     y0, x0 + s, y0 + s, x0, y0 + s, x0, y0);
            wkt = buf;
        }
        if (i > 0)
            assert_true(strcmp(f[i - 1].code, f[i].code) < 0);
        rq_err err = {0};
        rq_err_clear(&err);
        c->code = (char *)f[i].code;
        c->name = (char *)f[i].code;
        c->dep = (char *)f[i].dep;
        c->population = f[i].pop;
        c->geom = rq_geom_from_wkt(ds->geos, wkt, &err);
        if (!c->geom)
            fail_msg("%s: %s", wkt, err.msg);
        c->area_km2 = rq_geom_area(ds->geos, c->geom) / 1e6;
        c->in_area = 1;
        c->rural = 1;
    }
    return ds;
}

/* What rq_gaps_group appends to. */
struct out {
    rq_gap_zone *z;
    size_t n, cap;
};

static void
finish(rq_dataset *ds, struct out *o)
{
    for (size_t i = 0; i < o->n; i++)
        rq_gap_zone_fini(ds->geos, &o->z[i]);
    free(o->z);
    /* Nothing GEOS reported may be left pending. */
    assert_string_equal(rq_geos_last_error(ds->geos), "");
    rq_dataset_destroy(ds);
}

static void
group_ok(rq_dataset *ds, const unsigned char *flag, const unsigned *missing, const char *prefix,
         int phase, struct out *o, long *zone_of)
{
    rq_err err = {0};
    rq_err_clear(&err);
    size_t before = o->n;
    rq_status rc =
        rq_gaps_group(ds, flag, missing, prefix, phase, &o->z, &o->n, &o->cap, zone_of, &err);
    if (rc != RQ_OK)
        fail_msg("rq_gaps_group: %s", err.msg);
    for (size_t i = before; i < o->n; i++)
        assert_null(o->z[i].geom); /* grouping alone makes no polygon */
}

static void
union_ok(rq_dataset *ds, struct out *o)
{
    rq_err err = {0};
    rq_err_clear(&err);
    if (rq_gaps_union(ds, o->z, o->n, &err) != RQ_OK)
        fail_msg("rq_gaps_union: %s", err.msg);
}

/* Checks what every zone must satisfy whatever the fixture: the union of
** non-overlapping communes has the sum of their areas. */
static void
check_zone(rq_dataset *ds, const rq_gap_zone *z, const char *id, int phase, size_t n_communes,
           long pop, double area_km2, unsigned missing, const char *deps)
{
    assert_string_equal(z->id, id);
    assert_int_equal(z->phase, phase);
    assert_int_equal(z->n_communes, n_communes);
    assert_int_equal(z->population, pop);
    assert_close(z->area_km2, area_km2, 1e-9);
    assert_int_equal(z->missing, missing);
    assert_string_equal(z->departements, deps);
    assert_non_null(z->geom);
    assert_close(rq_geom_area(ds->geos, z->geom) / 1e6, area_km2, 1e-6);
    for (size_t i = 1; i < z->n_communes; i++)
        assert_true(z->communes[i - 1] < z->communes[i]);
}

/* Two communes sharing an edge (01001 at [0,10]x[0,10], 02001 at
** [10,20]x[0,10]), one isolated (03001 at [40,50]), one not flagged
** (03002 at [60,70]) with the largest population, which must not count. */
static const struct fx four[] = {
    {"01001", "01", 100, 0, 0, 10, NULL},
    {"02001", "02", 300, 10, 0, 10, NULL},
    {"03001", "03", 500, 40, 0, 10, NULL},
    {"03002", "03", 9999, 60, 0, 10, NULL},
};
static const unsigned four_missing[] = {1u, 2u, 4u, 7u};

static void
test_touching_and_isolated(void **state)
{
    (void)state;
    rq_dataset *ds = make_ds(four, NELEM(four));
    const unsigned char flag[] = {1, 1, 1, 0};
    long zone_of[] = {-1, -1, -1, -1};
    struct out o = {0};

    group_ok(ds, flag, four_missing, "T", -1, &o, zone_of);

    assert_int_equal(o.n, 2);
    assert_true(o.cap >= 2);
    /* 03001 alone (500) outranks 01001+02001 (100+300 = 400). */
    union_ok(ds, &o);
    check_zone(ds, &o.z[0], "T001", -1, 1, 500, 100.0, 4u, "03");
    assert_int_equal(o.z[0].communes[0], 2);
    check_zone(ds, &o.z[1], "T002", -1, 2, 400, 200.0, 1u | 2u, "01|02");
    assert_int_equal(o.z[1].communes[0], 0);
    assert_int_equal(o.z[1].communes[1], 1);
    assert_int_equal(zone_of[0], 1);
    assert_int_equal(zone_of[1], 1);
    assert_int_equal(zone_of[2], 0);
    assert_int_equal(zone_of[3], -1); /* not flagged: untouched */
    finish(ds, &o);
}

/* Point contacts. 01001 [0,10]x[0,10]; 01002 [10,20]x[10,20] meets it at the
** corner (10,10) only; 01003 is the triangle (5,0) (0,-10) (10,-10) whose
** apex touches the middle of 01001's bottom edge (area 50 km²); 01004 is
** the triangle (19.5,21) (30,21) (30,10.5): its bounding box overlaps
** 01002's, but it lies in x + y >= 40.5 while 01002 reaches only x + y = 40,
** so it touches nothing (area 10.5 * 10.5 / 2 = 55.125 km²). */
static void
test_point_contacts(void **state)
{
    (void)state;
    const struct fx f[] = {
        {"01001", "01", 10, 0, 0, 10, NULL},
        {"01002", "01", 20, 10, 10, 10, NULL},
        {"01003", "01", 30, 0, 0, 0, "POLYGON((5000 0,0 -10000,10000 -10000,5000 0))"},
        {"01004", "01", 1000, 0, 0, 0,
         "POLYGON((19500 21000,30000 21000,30000 10500,19500 21000))"},
    };
    rq_dataset *ds = make_ds(f, NELEM(f));
    const unsigned char flag[] = {1, 1, 1, 1};
    const unsigned missing[] = {1u, 1u, 1u, 1u};
    long zone_of[] = {-1, -1, -1, -1};
    struct out o = {0};

    group_ok(ds, flag, missing, "T", -1, &o, zone_of);

    assert_int_equal(o.n, 2);
    union_ok(ds, &o);
    check_zone(ds, &o.z[0], "T001", -1, 1, 1000, 55.125, 1u, "01");
    check_zone(ds, &o.z[1], "T002", -1, 3, 60, 250.0, 1u, "01");
    assert_int_equal(zone_of[0], 1);
    assert_int_equal(zone_of[1], 1);
    assert_int_equal(zone_of[2], 1);
    assert_int_equal(zone_of[3], 0);
    finish(ds, &o);
}

/* 09001 [0,10], 09002 [10,20] (not flagged), 09003 [20,30]: the commune in
** between is no gap, so the two flagged ones make two zones. */
static void
test_unflagged_separates(void **state)
{
    (void)state;
    const struct fx f[] = {
        {"09001", "09", 50, 0, 0, 10, NULL},
        {"09002", "09", 1, 10, 0, 10, NULL},
        {"09003", "09", 70, 20, 0, 10, NULL},
    };
    rq_dataset *ds = make_ds(f, NELEM(f));
    const unsigned char flag[] = {1, 0, 1};
    const unsigned missing[] = {2u, 0u, 6u};
    long zone_of[] = {-1, -1, -1};
    struct out o = {0};

    group_ok(ds, flag, missing, "T", -1, &o, zone_of);

    assert_int_equal(o.n, 2);
    union_ok(ds, &o);
    check_zone(ds, &o.z[0], "T001", -1, 1, 70, 100.0, 6u, "09");
    assert_int_equal(o.z[0].communes[0], 2);
    check_zone(ds, &o.z[1], "T002", -1, 1, 50, 100.0, 2u, "09");
    assert_int_equal(o.z[1].communes[0], 0);
    assert_int_equal(zone_of[0], 1);
    assert_int_equal(zone_of[1], -1);
    assert_int_equal(zone_of[2], 0);
    finish(ds, &o);
}

/* Ties. 05001 [0,10] (120) and 05003 [10,20] (80) touch: 200. 05002 [40,50]
** and 05004 [70,80] alone: 200 each. 05005 [100,110] alone: 300, first.
** Among the three zones of 200 the smallest codes are 05001 < 05002 <
** 05004, whatever the zones' sizes. */
static void
test_tie_smallest_code(void **state)
{
    (void)state;
    const struct fx f[] = {
        {"05001", "05", 120, 0, 0, 10, NULL},   {"05002", "05", 200, 40, 0, 10, NULL},
        {"05003", "05", 80, 10, 0, 10, NULL},   {"05004", "05", 200, 70, 0, 10, NULL},
        {"05005", "05", 300, 100, 0, 10, NULL},
    };
    rq_dataset *ds = make_ds(f, NELEM(f));
    const unsigned char flag[] = {1, 1, 1, 1, 1};
    const unsigned missing[] = {1u, 1u, 1u, 1u, 1u};
    struct out o = {0};

    group_ok(ds, flag, missing, "T", -1, &o, NULL);

    assert_int_equal(o.n, 4);
    union_ok(ds, &o);
    check_zone(ds, &o.z[0], "T001", -1, 1, 300, 100.0, 1u, "05");
    assert_int_equal(o.z[0].communes[0], 4);
    check_zone(ds, &o.z[1], "T002", -1, 2, 200, 200.0, 1u, "05");
    assert_int_equal(o.z[1].communes[0], 0);
    assert_int_equal(o.z[1].communes[1], 2);
    check_zone(ds, &o.z[2], "T003", -1, 1, 200, 100.0, 1u, "05");
    assert_int_equal(o.z[2].communes[0], 1);
    check_zone(ds, &o.z[3], "T004", -1, 1, 200, 100.0, 1u, "05");
    assert_int_equal(o.z[3].communes[0], 3);
    finish(ds, &o);
}

/* Connectivity through a later commune: 31001 [0,10] and 31002 [20,30] do
** not touch, but 31003 [10,20] touches both, so the three make one zone
** (which only a transitive merge finds, pairs being tested i < j). */
static void
test_transitive(void **state)
{
    (void)state;
    const struct fx f[] = {
        {"31001", "31", 1, 0, 0, 10, NULL},
        {"31002", "31", 2, 20, 0, 10, NULL},
        {"31003", "31", 4, 10, 0, 10, NULL},
    };
    rq_dataset *ds = make_ds(f, NELEM(f));
    const unsigned char flag[] = {1, 1, 1};
    long zone_of[] = {-1, -1, -1};
    struct out o = {0};

    group_ok(ds, flag, NULL, "T", -1, &o, zone_of);

    assert_int_equal(o.n, 1);
    union_ok(ds, &o);
    check_zone(ds, &o.z[0], "T001", -1, 3, 7, 300.0, 0u, "31");
    assert_int_equal(zone_of[0], 0);
    assert_int_equal(zone_of[1], 0);
    assert_int_equal(zone_of[2], 0);
    finish(ds, &o);
}

/* Per-phase zones are appended after the overall ones, with their own
** prefix, phase and rank numbering; zone_of gives the index in the whole
** array. Emergence gaps here: 01001 and 03001 only. */
static void
test_phase_prefix_append(void **state)
{
    (void)state;
    rq_dataset *ds = make_ds(four, NELEM(four));
    const unsigned char flag_all[] = {1, 1, 1, 0};
    const unsigned char flag_em[] = {1, 0, 1, 0};
    long zone_all[] = {-1, -1, -1, -1};
    long zone_em[] = {-1, -1, -1, -1};
    struct out o = {0};

    group_ok(ds, flag_all, four_missing, "T", -1, &o, zone_all);
    group_ok(ds, flag_em, four_missing, "EM", 0, &o, zone_em);

    assert_int_equal(o.n, 4);
    union_ok(ds, &o);
    check_zone(ds, &o.z[0], "T001", -1, 1, 500, 100.0, 4u, "03");
    check_zone(ds, &o.z[1], "T002", -1, 2, 400, 200.0, 3u, "01|02");
    check_zone(ds, &o.z[2], "EM001", 0, 1, 500, 100.0, 4u, "03");
    assert_int_equal(o.z[2].communes[0], 2);
    check_zone(ds, &o.z[3], "EM002", 0, 1, 100, 100.0, 1u, "01");
    assert_int_equal(o.z[3].communes[0], 0);
    assert_int_equal(zone_em[0], 3);
    assert_int_equal(zone_em[1], -1);
    assert_int_equal(zone_em[2], 2);
    assert_int_equal(zone_em[3], -1);
    assert_int_equal(zone_all[0], 1); /* the second call leaves it alone */
    finish(ds, &o);
}

/* Overall and phase zones side by side, their polygons made in one call:
** 01001-02001-03001 in a row (emergence missing in the first two, creation
** in the third) form T001, 300 km2 in one piece, and EM001, CR001 inside
** it; 04001 is a creation gap outside every overall zone (the API allows
** it); T002 = 05001 + 05002. */
static void
test_overall_and_phase_zones(void **state)
{
    (void)state;
    static const struct fx row[] = {
        {"01001", "01", 100, 0, 0, 10, NULL},  {"02001", "01", 200, 10, 0, 10, NULL},
        {"03001", "01", 300, 20, 0, 10, NULL}, {"04001", "04", 50, 60, 0, 10, NULL},
        {"05001", "05", 10, 90, 0, 10, NULL},  {"05002", "05", 10, 100, 0, 10, NULL},
    };
    rq_dataset *ds = make_ds(row, NELEM(row));
    const unsigned char flag_all[] = {1, 1, 1, 0, 1, 1};
    const unsigned char flag_em[] = {1, 1, 0, 0, 0, 0};
    const unsigned char flag_cr[] = {0, 0, 1, 1, 1, 0};
    const unsigned miss[] = {1u, 1u, 2u, 2u, 2u, 2u};
    struct out o = {0};

    group_ok(ds, flag_all, miss, "T", -1, &o, NULL);
    group_ok(ds, flag_em, miss, "EM", 0, &o, NULL);
    group_ok(ds, flag_cr, miss, "CR", 1, &o, NULL);
    union_ok(ds, &o);

    assert_int_equal(o.n, 6);
    check_zone(ds, &o.z[0], "T001", -1, 3, 600, 300.0, 3u, "01");
    check_zone(ds, &o.z[1], "T002", -1, 2, 20, 200.0, 2u, "05");
    check_zone(ds, &o.z[2], "EM001", 0, 2, 300, 200.0, 1u, "01");
    check_zone(ds, &o.z[3], "CR001", 1, 1, 300, 100.0, 2u, "01");
    check_zone(ds, &o.z[4], "CR002", 1, 1, 50, 100.0, 2u, "04");
    check_zone(ds, &o.z[5], "CR003", 1, 1, 10, 100.0, 2u, "05");
    /* One piece each: the inner edges are dissolved, not kept as slivers. */
    for (size_t i = 0; i < 2; i++) {
        rq_bbox b;
        assert_true(rq_geom_bbox(ds->geos, o.z[i].geom, &b));
        assert_close((b.maxx - b.minx) * (b.maxy - b.miny) / 1e6, o.z[i].area_km2, 1e-6);
    }
    finish(ds, &o);
}

static void
test_no_gap(void **state)
{
    (void)state;
    rq_dataset *ds = make_ds(four, NELEM(four));
    const unsigned char flag[] = {0, 0, 0, 0};
    long zone_of[] = {-1, -1, -1, -1};
    struct out o = {0};

    group_ok(ds, flag, four_missing, "T", -1, &o, zone_of);

    assert_int_equal(o.n, 0);
    assert_null(o.z);
    for (size_t i = 0; i < NELEM(zone_of); i++)
        assert_int_equal(zone_of[i], -1);
    finish(ds, &o);
}

/* Bad arguments fail without touching the output. */
static void
test_bad_arguments(void **state)
{
    (void)state;
    rq_dataset *ds = make_ds(four, NELEM(four));
    const unsigned char flag[] = {1, 1, 1, 0};
    long zone_of[] = {-1, -1, -1, -1};
    struct out o = {0};
    rq_err err = {0};

    rq_err_clear(&err);
    assert_int_equal(
        rq_gaps_group(ds, flag, four_missing, NULL, -1, &o.z, &o.n, &o.cap, zone_of, &err),
        RQ_ERR_INTERNAL);
    rq_err_clear(&err);
    assert_int_equal(
        rq_gaps_group(ds, flag, four_missing, "XX", 4, &o.z, &o.n, &o.cap, zone_of, &err),
        RQ_ERR_INTERNAL);
    /* "ABCDEFGHIJKLM" + "001" needs 17 bytes, id holds 16. */
    rq_err_clear(&err);
    assert_int_equal(rq_gaps_group(ds, flag, four_missing, "ABCDEFGHIJKLM", -1, &o.z, &o.n, &o.cap,
                                   zone_of, &err),
                     RQ_ERR_INTERNAL);
    assert_non_null(strstr(err.msg, "do not fit"));
    assert_int_equal(o.n, 0);
    assert_null(o.z);
    for (size_t i = 0; i < NELEM(zone_of); i++)
        assert_int_equal(zone_of[i], -1);
    finish(ds, &o);
}

static void
test_format_id(void **state)
{
    (void)state;
    char buf[16];
    assert_true(rq_gaps_format_id(buf, sizeof buf, "T", 1));
    assert_string_equal(buf, "T001");
    assert_true(rq_gaps_format_id(buf, sizeof buf, "EM", 42));
    assert_string_equal(buf, "EM042");
    assert_true(rq_gaps_format_id(buf, sizeof buf, "T", 999));
    assert_string_equal(buf, "T999");
    assert_true(rq_gaps_format_id(buf, sizeof buf, "T", 1000));
    assert_string_equal(buf, "T1000");
    assert_true(rq_gaps_format_id(buf, sizeof buf, "CO", 123456));
    assert_string_equal(buf, "CO123456");
    char small[5];
    assert_false(rq_gaps_format_id(small, sizeof small, "T", 1000)); /* "T1000" needs 6 */
    assert_false(rq_gaps_format_id(buf, 0, "T", 1));
}

/* 1,000 isolated 1 km squares, 3 km apart, equal populations: ranks follow
** the codes, and the last id is "T1000". */
static void
test_thousand_zones(void **state)
{
    (void)state;
    enum { N = 1000 };
    static char codes[N][8];
    struct fx *f = rq_xcalloc(N, sizeof *f);
    unsigned char *flag = rq_xcalloc(N, 1);
    for (size_t i = 0; i < N; i++) {
        snprintf(codes[i], sizeof codes[i], "%zu", 10000 + i);
        f[i] = (struct fx){codes[i], "10", 10, 3.0 * (double)(i % 40), 3.0 * (double)(i / 40),
                           1,        NULL};
        flag[i] = 1;
    }
    rq_dataset *ds = make_ds(f, N);
    struct out o = {0};

    group_ok(ds, flag, NULL, "T", -1, &o, NULL);

    assert_int_equal(o.n, N);
    assert_string_equal(o.z[0].id, "T001");
    assert_string_equal(o.z[998].id, "T999");
    assert_string_equal(o.z[999].id, "T1000");
    for (size_t r = 0; r < N; r++) {
        assert_int_equal(o.z[r].n_communes, 1);
        assert_int_equal(o.z[r].communes[0], r);
    }
    union_ok(ds, &o);
    check_zone(ds, &o.z[999], "T1000", -1, 1, 10, 1.0, 0u, "10");
    finish(ds, &o);
    free(flag);
    free(f);
}

/* ---- rq_union_batch: the unions of the three stages ---------------------
**
** Four 1 km squares in a row, A [0,1], B [1,2], C [2,3], D [3,4] (x, km;
** y [0,1]): a coverage. The jobs share sources, as zones do (a commune is
** in its département, its EPCI and its région):
**   {A, B}: 2 km2, x from 0 to 2 km;   {B, C, D}: 3 km2, x from 1 to 4 km;
**   {A}: A's clone, 1 km2;   {}: no union, NULL;
**   {A, B, C, D}: 4 km2, one polygon (the shared edges gone);
**   then 50 more jobs {C, D}, 2 km2 each, so that the 100 clones of C and D
**   outnumber the runs the clones are cut into: a run must still hold all
**   the clones of one source.
** Taken (not cloned) parts, overlay kind: the 2 km squares [0,2]x[0,2] and
** [1,3]x[0,2] overlap on [1,2]x[0,2]: 4 + 4 - 2 = 6 km2. The sources are
** left whole (still 1 km2 each), with 1 and with 3 threads. */
#define N_REPEAT 50

static rq_geom *
square(rq_geos *g, double x0_km, double side_km)
{
    char wkt[160];
    double a = x0_km * 1000, b = (x0_km + side_km) * 1000, h = side_km * 1000;
    snprintf(wkt, sizeof wkt, "POLYGON((%.0f 0,%.0f 0,%.0f %.0f,%.0f %.0f,%.0f 0))", a, b, b, h, a,
             h, a);
    rq_err err = {0};
    rq_geom *geom = rq_geom_from_wkt(g, wkt, &err);
    assert_non_null(geom);
    return geom;
}

static void
check_km2(rq_geos *g, const rq_geom *geom, double km2, double minx_km, double maxx_km)
{
    rq_bbox b;
    assert_non_null(geom);
    assert_true(fabs(rq_geom_area(g, geom) - km2 * 1e6) < 1e-6);
    assert_true(rq_geom_bbox(g, geom, &b));
    assert_true(fabs(b.minx - minx_km * 1000) < 1e-9 && fabs(b.maxx - maxx_km * 1000) < 1e-9);
}

static void
check_union_batch(size_t threads)
{
    rq_geos *g = rq_geos_create();
    rq_err err = {0};
    const rq_geom *sq[4];
    for (int i = 0; i < 4; i++)
        sq[i] = square(g, i, 1);
    rq_geom *ab, *bcd, *a, *none = (rq_geom *)sq[0], *abcd, *cd[N_REPEAT], *taken;
    rq_union_batch *b = rq_union_batch_create(g, RQ_UNION_COVERAGE);
    rq_union_batch_add(b, (const rq_geom *const[]){sq[0], sq[1]}, 2, &ab, "A B");
    rq_union_batch_add(b, (const rq_geom *const[]){sq[1], sq[2], sq[3]}, 3, &bcd, "B C D");
    rq_union_batch_add(b, sq, 1, &a, "A");
    rq_union_batch_add(b, sq, 0, &none, "nothing");
    rq_union_batch_add(b, sq, 4, &abcd, "A B C D");
    for (int k = 0; k < N_REPEAT; k++)
        rq_union_batch_add(b, &sq[2], 2, &cd[k], "C D");
    rq_thread_count_set(threads);
    assert_int_equal(rq_union_batch_run(b, &err), RQ_OK);
    check_km2(g, ab, 2, 0, 2);
    check_km2(g, bcd, 3, 1, 4);
    check_km2(g, a, 1, 0, 1);
    assert_ptr_not_equal(a, sq[0]); /* a clone, not the source */
    assert_null(none);
    check_km2(g, abcd, 4, 0, 4);
    assert_int_equal(rq_geom_n_parts(g, abcd), 1);
    for (int k = 0; k < N_REPEAT; k++) {
        check_km2(g, cd[k], 2, 2, 4);
        rq_geom_destroy(g, cd[k]);
    }
    for (int i = 0; i < 4; i++) {
        check_km2(g, sq[i], 1, i, i + 1);
        rq_geom_destroy(g, (rq_geom *)sq[i]);
    }
    rq_geom *parts[2] = {square(g, 0, 2), square(g, 1, 2)};
    b = rq_union_batch_create(g, RQ_UNION_OVERLAY);
    rq_union_batch_add_take(b, parts, 2, &taken, "overlapping");
    assert_int_equal(rq_union_batch_run(b, &err), RQ_OK);
    check_km2(g, taken, 6, 0, 3);
    rq_thread_count_set(0);
    rq_geom_destroy(g, taken);
    rq_geom_destroy(g, ab);
    rq_geom_destroy(g, bcd);
    rq_geom_destroy(g, a);
    rq_geom_destroy(g, abcd);
    rq_geos_destroy(g);
}

static void
test_union_batch(void **state)
{
    (void)state;
    check_union_batch(1);
    check_union_batch(3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touching_and_isolated),
        cmocka_unit_test(test_point_contacts),
        cmocka_unit_test(test_unflagged_separates),
        cmocka_unit_test(test_tie_smallest_code),
        cmocka_unit_test(test_transitive),
        cmocka_unit_test(test_phase_prefix_append),
        cmocka_unit_test(test_overall_and_phase_zones),
        cmocka_unit_test(test_no_gap),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_format_id),
        cmocka_unit_test(test_thousand_zones),
        cmocka_unit_test(test_union_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
