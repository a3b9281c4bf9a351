/* writer_lonlat.c - the geometry of a GeoJSON feature as RFC 7946 wants
** it: WGS 84 longitude and latitude, 6 decimals, rings by the right-hand
** rule (outer rings counterclockwise, holes clockwise).
**
** Why here and not in GDAL's GeoJSON driver: the driver's RFC 7946 mode
** prints every coordinate through OGRFormatDouble, which builds a C++
** string stream per number (GDAL 3.6.2): 13 % of the CPU of a whole France
** run (docs/performance.md). Its plain mode, given a value already rounded
** to 6 decimals, prints it with 15 significant figures (the writer's
** SIGNIFICANT_FIGURES=15), which for any such value below 10^9 is that
** decimal with its trailing zeros dropped, and "x.0" for a whole one:
** what RFC 7946 mode printed, but for a value closer to 0 than 1e-4,
** which now has an exponent (5e-05 for 0.00005; docs/outputs.md). Checked
** on Occitanie and France: the same values, the same text otherwise.
**
** The orientation is tested on the lon/lat coordinates before rounding,
** with the ring's signed area; GDAL's RFC 7946 mode tested the same
** coordinates. They differ only for a ring of no area, left as it is. */
#include "io/writer_internal.h"

#include <math.h>
#include <stdlib.h>

#define LONLAT_SCALE 1e6 /* 6 decimals: about 0.11 m in latitude */

/* v rounded to 6 decimals, as printf("%.6f") rounds it: to the nearest,
** exact ties to even. v * 1e6 is rounded once by the multiplication, which
** can carry it across a half; the remainder taken again with fma is exact
** for |v| >= 2^-7, where every tie lies (v = k / 2^7, k odd), and puts r
** right. An exact tie leaves a remainder of 0.5 beside the even r that
** nearbyint chose (ties to even, in the default rounding mode). */
static double
round_lonlat(double v)
{
    double r = nearbyint(v * LONLAT_SCALE);
    double rest = fma(v, LONLAT_SCALE, -r);
    if (rest > 0.5)
        r += 1.0;
    else if (rest < -0.5)
        r -= 1.0;
    return r / LONLAT_SCALE;
}

/* Twice the signed area of the closed ring (x, y)[0..n), positive when
** counterclockwise; relative to the first point, so that large coordinates
** do not drown a small ring. */
static double
ring_area2(const double *x, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 1; i + 1 < n; i++)
        s += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
    return s;
}

static void
reverse(double *a, size_t n)
{
    for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static rq_status
unprojectable(const rq_writer *w, rq_err *err)
{
    return rq_err_set(err, RQ_ERR_PROJ,
                      "%s: a point cannot be reprojected to WGS 84 longitude and latitude",
                      w->path);
}

/* Ring (or point) g in place: to lon/lat, turned when its orientation is
** not the one wanted (outer: counterclockwise; < 0: a point), rounded. */
static rq_status
curve_to_lonlat(rq_writer *w, OGRGeometryH g, int outer, rq_err *err)
{
    int count = OGR_G_GetPointCount(g);
    size_t n = count > 0 ? (size_t)count : 0;
    if (!n)
        return RQ_OK;
    rq_grow((void **)&w->ll, &w->ll_cap, 2 * n, sizeof *w->ll);
    double *x = w->ll, *y = w->ll + n;
    OGR_G_GetPoints(g, x, sizeof *x, y, sizeof *y, NULL, 0);
    if (rq_xform_points(w->to_lonlat, x, y, n) != 0)
        return unprojectable(w, err);
    if (outer >= 0) {
        double a = ring_area2(x, y, n);
        if (outer ? a < 0 : a > 0) {
            reverse(x, n);
            reverse(y, n);
        }
    }
    for (size_t i = 0; i < n; i++) {
        x[i] = round_lonlat(x[i]);
        y[i] = round_lonlat(y[i]);
    }
    if (outer < 0)
        OGR_G_SetPoint_2D(g, 0, x[0], y[0]);
    else
        OGR_G_SetPoints(g, count, x, sizeof *x, y, sizeof *y, NULL, 0);
    return RQ_OK;
}

static rq_status
polygon_to_lonlat(rq_writer *w, OGRGeometryH poly, rq_err *err)
{
    rq_status rc = RQ_OK;
    int rings = OGR_G_GetGeometryCount(poly);
    for (int k = 0; k < rings && rc == RQ_OK; k++)
        rc = curve_to_lonlat(w, OGR_G_GetGeometryRef(poly, k), k == 0, err);
    return rc;
}

rq_status
rq_writer_lonlat(rq_writer *w, OGRGeometryH g, rq_err *err)
{
    rq_status rc = RQ_OK;
    switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
    case wkbPoint:
        if (!OGR_G_IsEmpty(g))
            rc = curve_to_lonlat(w, g, -1, err);
        break;
    case wkbPolygon:
        rc = polygon_to_lonlat(w, g, err);
        break;
    case wkbMultiPolygon: {
        int parts = OGR_G_GetGeometryCount(g);
        for (int p = 0; p < parts && rc == RQ_OK; p++)
            rc = polygon_to_lonlat(w, OGR_G_GetGeometryRef(g, p), err);
        break;
    }
    default:
        rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: no lon/lat for a %s geometry", w->path,
                        OGRGeometryTypeToName(OGR_G_GetGeometryType(g)));
    }
    return rc;
}
