/* compare_zones.c - gap zones of two runs matched by overlap, never by id:
** ids are ranks by population and change whenever a zone grows past
** another.
**
** For each meaning (every required phase, or one phase), each zone of the
** later run is matched with the zones of the earlier run that overlap it by
** more than RQ_OVERLAP_KM2, found through an STRtree of the earlier zones;
** the ground it gained is its area outside them, the ground lost theirs
** outside it (zones of one meaning never overlap each other, so areas of
** intersections add up). A zone of the earlier run that no later zone
** overlaps has vanished; one that several later zones overlap was split;
** a later zone that overlaps several earlier ones is a merger.
*/
#include "compare_internal.h"

#include <stdlib.h>
#include <string.h>

const char *const rq_zone_status_names[RQ_N_ZONE_STATUS] = {
    "stable", "agrandie", "reduite", "modifiee", "fusion", "scission", "apparue", "disparue"};

/* Zones are unions of whole communes: a real overlap or change is at least
** a commune (tens of hectares); less is numerical noise along shared
** boundaries. km². */
#define RQ_OVERLAP_KM2 1e-3

typedef struct zone_geoms {
    rq_geom **g; /* per zone of the snapshot, NULL for other meanings */
    double *km2;
} zone_geoms;

static rq_status
load_zones(rq_geos *g, const rq_snapshot *s, int phase, zone_geoms *z, rq_err *err)
{
    z->g = rq_xcalloc(s->n_gaps + 1, sizeof *z->g);
    z->km2 = rq_xcalloc(s->n_gaps + 1, sizeof *z->km2);
    for (size_t i = 0; i < s->n_gaps; i++) {
        const rq_snap_gap *gap = &s->gaps[i];
        if (gap->phase != phase || !gap->geom.data)
            continue;
        if (!(z->g[i] = rq_geom_from_wkb(g, gap->geom.data, gap->geom.len, err)))
            return rq_err_code(err);
        z->km2[i] = rq_geom_area(g, z->g[i]) / 1e6;
    }
    return RQ_OK;
}

static void
free_zones(rq_geos *g, const rq_snapshot *s, zone_geoms *z)
{
    for (size_t i = 0; z->g && i < s->n_gaps; i++)
        rq_geom_destroy(g, z->g[i]);
    free(z->g);
    free(z->km2);
}

/* Zone j of b and zone i of a are the same zone: it has not changed
** between the runs, and has the same WKB in both. */
static int
same_zone(const rq_snapshot *a, size_t i, const rq_snapshot *b, size_t j)
{
    const rq_wkb *wa = &a->gaps[i].geom, *wb = &b->gaps[j].geom;
    return wa->len == wb->len && memcmp(wa->data, wb->data, wa->len) == 0;
}

/* Keeps, of the n candidates of zone j, the one of a that is the same zone
** when there is one: the zones of a do not overlap each other, so it is
** the only one zone j overlaps, by its whole area, and the overlays of the
** neighbours whose boxes it meets are not needed (on a rerun of France,
** with 99 gap zones, they took 6 s). Returns 1 when it found it (then
** *n is 1). */
static int
keep_same_zone(const rq_snapshot *a, const rq_snapshot *b, size_t j, size_t *cand, size_t *n)
{
    for (size_t k = 0; k < *n; k++)
        if (same_zone(a, cand[k], b, j)) {
            cand[0] = cand[k];
            *n = 1;
            return 1;
        }
    return 0;
}

/* The area common to zone i of a and zone j of b, km²; same: they are the
** same zone (keep_same_zone). */
static rq_status
overlap_km2(rq_geos *g, const zone_geoms *za, size_t i, const zone_geoms *zb, size_t j, int same,
            double *km2, rq_err *err)
{
    if (same) {
        *km2 = za->km2[i];
        return RQ_OK;
    }
    rq_geom *inter = rq_geom_intersection(g, zb->g[j], za->g[i], err);
    if (!inter)
        return rq_err_code(err);
    *km2 = rq_geom_area(g, inter) / 1e6;
    rq_geom_destroy(g, inter);
    return RQ_OK;
}

static rq_cmp_zone *
new_row(rq_comparison *cmp, size_t *cap, int phase)
{
    rq_grow((void **)&cmp->zones, cap, cmp->n_zones + 1, sizeof *cmp->zones);
    rq_cmp_zone *r = &cmp->zones[cmp->n_zones++];
    memset(r, 0, sizeof *r);
    r->phase = phase;
    return r;
}

/* The zones of one meaning. */
static rq_status
zones_of_phase(rq_geos *g, rq_comparison *cmp, int phase, size_t *cap, rq_err *err)
{
    const rq_snapshot *a = cmp->a, *b = cmp->b;
    zone_geoms za = {0}, zb = {0};
    rq_index *ix = rq_index_create(g);
    size_t *matched = rq_xcalloc(a->n_gaps + 1, sizeof *matched); /* later zones overlapping */
    size_t first_row = cmp->n_zones;
    rq_status rc = load_zones(g, a, phase, &za, err);
    if (rc == RQ_OK)
        rc = load_zones(g, b, phase, &zb, err);
    for (size_t i = 0; rc == RQ_OK && i < a->n_gaps; i++)
        if (za.g[i])
            rq_index_insert(g, ix, za.g[i], i);
    for (size_t j = 0; rc == RQ_OK && j < b->n_gaps; j++) {
        if (!zb.g[j])
            continue;
        rq_cmp_zone *r = new_row(cmp, cap, phase);
        r->id_b = rq_xstrdup(b->gaps[j].id);
        r->population_b = b->gaps[j].population;
        r->area_b = zb.km2[j];
        r->geom = &b->gaps[j].geom;
        size_t n_cand = 0;
        size_t *cand = rq_index_query_sorted(g, ix, zb.g[j], &n_cand);
        int same = keep_same_zone(a, b, j, cand, &n_cand);
        double common = 0;
        rq_buf ids = {0};
        for (size_t k = 0; k < n_cand && rc == RQ_OK; k++) {
            double km2 = 0;
            if ((rc = overlap_km2(g, &za, cand[k], &zb, j, same, &km2, err)) != RQ_OK)
                break;
            if (km2 <= RQ_OVERLAP_KM2)
                continue;
            matched[cand[k]]++;
            common += km2;
            r->n_a++;
            r->area_a += za.km2[cand[k]];
            r->population_a += a->gaps[cand[k]].population;
            rq_buf_join(&ids, "|", a->gaps[cand[k]].id);
        }
        free(cand);
        r->ids_a = rq_buf_take(&ids);
        r->gained_km2 = r->area_b - common;
        r->lost_km2 = r->area_a - common;
        int gained = r->gained_km2 > RQ_OVERLAP_KM2, lost = r->lost_km2 > RQ_OVERLAP_KM2;
        r->status = !r->n_a          ? RQ_ZONE_APPEARED
                    : gained && lost ? RQ_ZONE_CHANGED
                    : gained         ? RQ_ZONE_GREW
                    : lost           ? RQ_ZONE_SHRANK
                                     : RQ_ZONE_STABLE;
    }
    /* One earlier zone into several later ones, several into one. */
    for (size_t r = first_row; rc == RQ_OK && r < cmp->n_zones; r++) {
        rq_cmp_zone *z = &cmp->zones[r];
        if (z->n_a > 1) {
            z->status = RQ_ZONE_MERGED;
            continue;
        }
        for (size_t i = 0; z->n_a == 1 && i < a->n_gaps; i++)
            if (matched[i] > 1 && strcmp(a->gaps[i].id, z->ids_a) == 0)
                z->status = RQ_ZONE_SPLIT;
    }
    for (size_t i = 0; rc == RQ_OK && i < a->n_gaps; i++) {
        if (!za.g[i] || matched[i])
            continue;
        rq_cmp_zone *r = new_row(cmp, cap, phase);
        r->id_b = rq_xstrdup("");
        r->ids_a = rq_xstrdup(a->gaps[i].id);
        r->n_a = 1;
        r->population_a = a->gaps[i].population;
        r->area_a = r->lost_km2 = za.km2[i];
        r->geom = &a->gaps[i].geom;
        r->status = RQ_ZONE_VANISHED;
    }
    free(matched);
    rq_index_destroy(g, ix);
    free_zones(g, a, &za);
    free_zones(g, b, &zb);
    return rc;
}

rq_status
rq_cmp_zones(rq_geos *g, rq_cmp_ctx *c, rq_err *err)
{
    rq_comparison *cmp = c->cmp;
    size_t cap = 0;
    rq_status rc = RQ_OK;
    for (int phase = -1; phase < RQ_NPHASES && rc == RQ_OK; phase++)
        rc = zones_of_phase(g, cmp, phase, &cap, err);
    return rc;
}
