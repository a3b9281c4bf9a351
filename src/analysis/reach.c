/* reach.c - the reach stage (method.md §2).
**
** reach(S) = zone(S) ∩ ⋃ buffer(s) over the sites s of structure S. The
** indicators need, per structure, only the union of its sites' buffers,
** prepared once: the zone applies by membership (see indicators.c). The
** GeoPackage shows the reach of each site as a polygon, zone(s) ∩ buffer(s):
** the reach stage makes the zones (WKB), and the GeoPackage's job makes the
** reaches from them (rq_reach_sites) just before writing them, and drops
** them once written: with 200,000 sites they are 1.5 GB of WKB,
** held from the reach stage to the GeoPackage before (peak memory 2.93 ->
** 1.82 GB).
**
** The sites' discs are made on worker threads, then each structure's are
** united on worker threads (rq_union_batch, overlay unions: thousands of
** discs for a national network), taken rather than cloned. Each zone
** that a site names is united once (coverage unions) and handed to the
** site workers as WKB; each worker makes and prepares its own copy of a
** zone when one of its sites first needs it. A disc inside its zone is its
** own reach. Otherwise the zone is cut to the disc's bounding box
** (GEOSClipByRect: linear, no overlay) and that small piece is intersected
** with the disc. The cost is linear in the number of sites: before, every
** site cloned and united the communes of its zone that its disc touches
** (20,000 sites on Occitanie: 144 s and 9 GB). Cutting each zone into
** tiles once, so that a site cuts a tile rather than its whole zone, was
** measured: 15 % less on the reach stage at 20,000 sites (7.8 s to 6.6 s),
** the overlay of each piece with its disc being the larger part; not kept.
** A fixed-precision overlay (GEOSIntersectionPrec_r), which skips the
** validation of OverlayNG's noding (half of each overlay), was slower:
** 14.3 s to 23.6 s at 50,000 sites.
*/
#include "raquette/indicators.h"

#include "raquette/gaps.h"
#include "raquette/unions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
rq_reach_fini(rq_geos *g, rq_reach *r)
{
    for (size_t i = 0; i < r->n; i++) {
        rq_prepared_destroy(g, r->prep[i]); /* before its base geometry */
        rq_geom_destroy(g, r->buf[i]);
    }
    free(r->prep);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* The disc of site s: 16 segments per quarter circle (method.md §2); NULL
** with err set on failure. */
static rq_geom *
site_disc(rq_geos *g, const rq_site *s, rq_err *err)
{
    rq_geom *pt = rq_geom_point(g, s->x, s->y);
    if (!pt) {
        rq_err_set(err, RQ_ERR_GEOS, "cannot make the point of site %s: %s", s->site_id,
                   rq_geos_last_error(g));
        return NULL;
    }
    rq_geom *disc = rq_geom_buffer(g, pt, s->radius_km * 1000.0, 16, err);
    rq_geom_destroy(g, pt);
    return disc;
}

/* The discs of every site, made on worker threads (rq_geos_work_run: 200,000
** sites take 2 s on one thread); each disc is then one thread's at a time. */
struct disc_job {
    const rq_dataset *ds;
    rq_geom **disc; /* disc[i]: site i's */
};

/* Sites a worker takes at a time. */
#define RQ_DISC_CHUNK 64

static rq_status
disc_one(rq_geos *g, void *local, size_t i, void *ud, rq_err *err)
{
    const struct disc_job *j = ud;
    (void)local;
    return (j->disc[i] = site_disc(g, &j->ds->sites[i], err)) ? RQ_OK : rq_err_code(err);
}

static rq_status
make_discs(const rq_dataset *ds, rq_geom **disc, rq_err *err)
{
    struct disc_job j = {ds, disc};
    rq_geos_work w = {.n = ds->n_sites, .chunk = RQ_DISC_CHUNK, .item = disc_one, .ud = &j};
    return rq_geos_work_run(&w, err);
}

rq_status
rq_reach_build(rq_dataset *ds, rq_reach *r, rq_err *err)
{
    rq_geos *g = ds->geos;
    rq_union_batch *b = rq_union_batch_create(g, RQ_UNION_OVERLAY);
    rq_geom **disc = rq_xcalloc(ds->n_sites + 1, sizeof *disc);
    rq_geom **parts = NULL;
    size_t cap = 0;
    memset(r, 0, sizeof *r);
    r->n = ds->n_structures;
    r->buf = rq_xcalloc(r->n + 1, sizeof *r->buf);
    r->prep = rq_xcalloc(r->n + 1, sizeof *r->prep);
    /* One union per structure, on worker threads: thousands of discs for a
    ** national network. */
    rq_status rc = make_discs(ds, disc, err);
    for (size_t k = 0; k < ds->n_structures && rc == RQ_OK; k++) {
        const rq_structure *st = &ds->structures[k];
        rq_grow((void **)&parts, &cap, st->n_sites + 1, sizeof *parts);
        for (size_t j = 0; j < st->n_sites; j++) {
            parts[j] = disc[st->sites[j]];
            disc[st->sites[j]] = NULL; /* taken by the batch */
        }
        char label[96];
        snprintf(label, sizeof label, "buffers of structure %.60s", st->id);
        rq_union_batch_add_take(b, parts, st->n_sites, &r->buf[k], label);
    }
    for (size_t i = 0; i < ds->n_sites; i++) /* a failure's, or a site of no structure */
        rq_geom_destroy(g, disc[i]);
    free(disc);
    free(parts);
    if (rc == RQ_OK)
        rc = rq_union_batch_run(b, err);
    else
        rq_union_batch_destroy(b);
    for (size_t k = 0; k < ds->n_structures && rc == RQ_OK; k++)
        if (r->buf[k] && !(r->prep[k] = rq_prepared_create(g, r->buf[k], err)))
            rc = rq_err_code(err);
    if (rc != RQ_OK)
        rq_reach_fini(g, r);
    return rc;
}

/* The union of each zone that some site names (NULL for the others). */
static rq_status
zone_unions(const rq_dataset *ds, rq_geom **zone, rq_err *err)
{
    rq_geos *g = ds->geos;
    rq_union_batch *b = rq_union_batch_create(g, RQ_UNION_COVERAGE);
    unsigned char *named = rq_xcalloc(ds->n_zones + 1, 1);
    const rq_geom **parts = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < ds->n_sites; i++)
        named[ds->sites[i].zone] = 1;
    for (size_t z = 0; z < ds->n_zones; z++) {
        const rq_zone *zn = &ds->zones[z];
        if (!named[z])
            continue;
        rq_grow((void **)&parts, &cap, zn->n_communes + 1, sizeof *parts);
        for (size_t k = 0; k < zn->n_communes; k++)
            parts[k] = ds->communes[zn->communes[k]].geom;
        char label[96];
        snprintf(label, sizeof label, "zone %.80s", zn->key);
        rq_union_batch_add(b, parts, zn->n_communes, &zone[z], label);
    }
    free(parts);
    free(named);
    return rq_union_batch_run(b, err);
}

/* ---- The sites, on worker threads ---------------------------------------- */

/* What the workers share: read-only but for out[i], site i's worker's. */
struct site_job {
    const rq_dataset *ds; /* its sites only: plain data, no GEOS object */
    const rq_wkb *zone;   /* zone[z]: the union of zone z as WKB, or empty */
    rq_wkb *out;          /* out[i]: the reach of site i as WKB */
};

/* A worker's own copy of a zone, made from WKB when a site first needs it:
** GEOS objects are never shared between threads. */
struct zone_copy {
    rq_geom *geom;
    rq_prepared *prep;
};

/* Site s's reach in context g, into *out (NULL when the disc misses its
** zone): see the header. */
static rq_status
site_reach(rq_geos *g, const rq_site *s, const struct zone_copy *z, rq_geom **out, rq_err *err)
{
    rq_geom *disc = site_disc(g, s, err), *piece = NULL;
    rq_bbox box;
    *out = NULL;
    if (!disc)
        return rq_err_code(err);
    if (rq_prepared_contains(g, z->prep, disc) == 1) {
        *out = disc;
        return RQ_OK;
    }
    rq_status rc = RQ_OK;
    if (rq_prepared_intersects(g, z->prep, disc) == 1 && rq_geom_bbox(g, disc, &box)) {
        if (!(piece = rq_geom_clip_rect(g, z->geom, &box, err)))
            rc = rq_err_code(err);
        else if (!rq_geom_is_empty(g, piece) && !(*out = rq_geom_intersection(g, piece, disc, err)))
            rc = rq_err_code(err);
    }
    rq_geom_destroy(g, piece);
    rq_geom_destroy(g, disc);
    return rc;
}

/* Takes reach and keeps it as WKB: 16 bytes a vertex instead of a GEOS
** object's 24 and more, and nothing more to convert for the GeoPackage,
** the only product that shows it (200,000 sites: millions of vertices). */
static rq_status
reach_to_wkb(rq_geos *g, const rq_site *s, rq_geom *reach, rq_wkb *out, rq_err *err)
{
    out->data = rq_geom_to_wkb(g, reach, &out->len);
    rq_geom_destroy(g, reach);
    if (!out->data) {
        out->len = 0;
        return rq_err_set(err, RQ_ERR_GEOS, "cannot write the reach of site %s as WKB: %s",
                          s->site_id, rq_geos_last_error(g));
    }
    return RQ_OK;
}

static rq_status
zone_copy_make(rq_geos *g, const rq_wkb *w, struct zone_copy *z, rq_err *err)
{
    if (!(z->geom = rq_geom_from_wkb(g, w->data, w->len, err)))
        return rq_err_code(err);
    if (!(z->prep = rq_prepared_create(g, z->geom, err)))
        return rq_err_code(err);
    return RQ_OK;
}

/* A worker's own copies of the zones (struct zone_copy per zone), made
** as its sites first need them. */
static void *
zone_copies_create(rq_geos *g, void *ud, rq_err *err)
{
    const struct site_job *j = ud;
    (void)g;
    (void)err;
    return rq_xcalloc(j->ds->n_zones + 1, sizeof(struct zone_copy));
}

static void
zone_copies_destroy(rq_geos *g, void *local, void *ud)
{
    const struct site_job *j = ud;
    struct zone_copy *zc = local;
    for (size_t z = 0; z < j->ds->n_zones; z++) {
        rq_prepared_destroy(g, zc[z].prep); /* before its base geometry */
        rq_geom_destroy(g, zc[z].geom);
    }
    free(zc);
}

static rq_status
site_one(rq_geos *g, void *local, size_t i, void *ud, rq_err *err)
{
    const struct site_job *j = ud;
    struct zone_copy *zc = local;
    const rq_site *s = &j->ds->sites[i];
    if (!j->zone[s->zone].data)
        return RQ_OK; /* a zone with no commune: no reach */
    rq_status rc = RQ_OK;
    if (!zc[s->zone].prep)
        rc = zone_copy_make(g, &j->zone[s->zone], &zc[s->zone], err);
    rq_geom *reach = NULL;
    if (rc == RQ_OK)
        rc = site_reach(g, s, &zc[s->zone], &reach, err);
    if (rc == RQ_OK && reach)
        rc = reach_to_wkb(g, s, reach, &j->out[i], err);
    return rc;
}

rq_status
rq_reach_zones(const rq_dataset *ds, rq_results *res, rq_err *err)
{
    rq_geos *g = ds->geos;
    rq_geom **zone = rq_xcalloc(ds->n_zones + 1, sizeof *zone);
    res->zone_wkb = rq_xcalloc(ds->n_zones + 1, sizeof *res->zone_wkb);
    res->n_zone_wkb = ds->n_zones;
    rq_status rc = zone_unions(ds, zone, err);
    for (size_t z = 0; z < ds->n_zones; z++) {
        rq_wkb *w = &res->zone_wkb[z];
        if (rc == RQ_OK && zone[z] && !(w->data = rq_geom_to_wkb(g, zone[z], &w->len)))
            rc = rq_err_set(err, RQ_ERR_GEOS, "cannot write zone %s as WKB: %s", ds->zones[z].key,
                            rq_geos_last_error(g));
        rq_geom_destroy(g, zone[z]);
    }
    free(zone);
    return rc;
}

rq_status
rq_reach_sites(const rq_dataset *ds, const rq_wkb *zone_wkb, rq_wkb *out, rq_err *err)
{
    struct site_job j = {ds, zone_wkb, out};
    rq_geos_work w = {.n = ds->n_sites,
                      .item = site_one,
                      .local_create = zone_copies_create,
                      .local_destroy = zone_copies_destroy,
                      .ud = &j};
    return rq_geos_work_run(&w, err);
}
