/* locate_place.c - placing the sites of the locate stage (method.md §1.3).
**
** Each site is placed at its lon/lat, projected to the metric CRS, else at
** the representative point of its commune, and the commune it falls in is
** found through the STRtree of the communes, never by testing them all. A
** position just off its own commune (a simplified coastline) is moved onto
** that commune's edge; further away it is a problem of its row, which says
** how far the position is and whether swapped columns would explain it.
**
** Kept apart from the rest of the stage (locate.c, locate_group.c), which
** works on text and codes: this is its only geometric work, the only part
** that builds geometries (geom.h) and transforms positions (crs.h).
*/
#include "analysis/locate_internal.h"

#include "raquette/crs.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <stdio.h>

/* ---- Placement ---------------------------------------------------------- */

static long
commune_at(rq_dataset *ds, double x, double y)
{
    return rq_commune_at(ds->geos, ds->commune_index, ds->communes, x, y);
}

struct near_commune {
    rq_dataset *ds;
    rq_geom *pt;
};

static double
commune_distance(size_t item, void *ud)
{
    struct near_commune *n = ud;
    double d = rq_geom_distance(n->ds->geos, n->ds->communes[item].geom, n->pt);
    return d < 0 ? INFINITY : d;
}

/* Describes, for a position in no commune, how far it is from its own
** commune and from the nearest one. */
static void
describe_miss(rq_dataset *ds, double x, double y, long home, char *buf, size_t sz)
{
    struct near_commune n = {ds, rq_geom_point(ds->geos, x, y)};
    long ni = rq_commune_nearest(ds->geos, ds->commune_index, ds->communes, x, y);
    size_t len = 0;
    buf[0] = '\0';
    if (home >= 0)
        len += (size_t)snprintf(buf, sz, "; it lies %.0f m from its commune %s %s",
                                commune_distance((size_t)home, &n), ds->communes[home].code,
                                ds->communes[home].name);
    if (ni >= 0 && ni != home && len < sz)
        snprintf(buf + len, sz - len, "; the nearest commune is %s %s, %.0f m away",
                 ds->communes[ni].code, ds->communes[ni].name, commune_distance((size_t)ni, &n));
    rq_geom_destroy(ds->geos, n.pt);
}

/* Places site i: at lon/lat, else at its commune's representative point.
** A position just off its own commune (a simplified coastline) is moved
** onto that commune's edge; further away it is an error. */
void
rq_locate_place_site(struct loc_ctx *c, size_t i, const struct pending *p)
{
    rq_dataset *ds = c->ds;
    const rq_config *cfg = ds->cfg;
    rq_site *s = &ds->sites[i];
    long home = rq_commune_find(ds, s->commune_code);
    if (!p->has_xy) {
        if (home < 0) {
            rq_locate_bad(c, i, E_COMMUNE, F_COMMUNE,
                          "commune %s has no boundary in the loaded communes; give lon/lat or load "
                          "boundaries that hold it",
                          s->commune_code);
            return;
        }
        s->commune = (size_t)home;
        s->x = ds->communes[home].rx;
        s->y = ds->communes[home].ry;
        return;
    }
    s->by_coords = 1;
    if (!c->xf && c->xf_rc == RQ_OK &&
        !(c->xf = rq_xform_create("EPSG:4326", cfg->crs, &c->xf_err)))
        c->xf_rc = c->xf_err.code ? c->xf_err.code : RQ_ERR_PROJ;
    if (!c->xf)
        return; /* the stage fails with xf_err */
    double x = s->lon, y = s->lat;
    int projected = rq_xform_point(c->xf, &x, &y);
    long at = projected ? commune_at(ds, x, y) : -1;
    if (at >= 0) {
        s->x = x;
        s->y = y;
        s->commune = (size_t)at;
        if (home >= 0 && at != home)
            rq_warn(&ds->warnings, "site-hors-commune",
                    "sites whose position lies in another commune than their commune_code",
                    "%s: %s (site %s) lies in %s, not in %s", c->path, s->where, s->site_id,
                    ds->communes[at].code, s->commune_code);
        return;
    }
    if (projected && home >= 0) {
        struct near_commune n = {ds, rq_geom_point(ds->geos, x, y)};
        double d = commune_distance((size_t)home, &n);
        rq_geom_destroy(ds->geos, n.pt);
        double nx, ny;
        if (d <= cfg->edge_tolerance_m &&
            rq_geom_nearest_point(ds->geos, ds->communes[home].geom, x, y, &nx, &ny)) {
            s->x = nx;
            s->y = ny;
            s->commune = (size_t)home;
            ds->stats.n_sites_snapped++;
            rq_warn(&ds->warnings, "site-recale",
                    "sites just outside their commune (a simplified coastline or border), "
                    "placed on its edge at the nearest point",
                    "%s: %s (site %s), %.0f m from %s %s", c->path, s->where, s->site_id, d,
                    ds->communes[home].code, ds->communes[home].name);
            return;
        }
    }
    char where[300] = "";
    if (projected)
        describe_miss(ds, x, y, home, where, sizeof where);
    double sx = s->lat, sy = s->lon;
    int swapped = rq_xform_point(c->xf, &sx, &sy) && commune_at(ds, sx, sy) >= 0;
    if (swapped)
        rq_locate_bad(
            c, i, E_POSITION, -1,
            "fields '%s'/'%s': position (%g, %g) falls in no loaded commune; it does once "
            "longitude and latitude are swapped: are the columns inverted?",
            cfg->f_lon, cfg->f_lat, s->lon, s->lat);
    else
        rq_locate_bad(
            c, i, E_POSITION, -1,
            "fields '%s'/'%s': position (%g, %g) falls in no loaded commune%s; expected WGS 84 "
            "longitude/latitude inside the communes, or within %g m ([structures] "
            "edge_tolerance_m) of the commune of '%s'",
            cfg->f_lon, cfg->f_lat, s->lon, s->lat, where, cfg->edge_tolerance_m,
            cfg->f_commune_code);
}
