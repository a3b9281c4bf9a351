/* crs.h - coordinate transformation with PROJ: the only module that
** includes proj.h.
**
** An rq_xform owns its own PJ_CONTEXT (one per thread) and a transformation
** normalised for visualisation, so that coordinates are always x = easting
** or longitude, y = northing or latitude, whatever the axis order of the
** EPSG definition (PROJ >= 6 follows the authority: EPSG:4326 is lat/lon).
*/
#ifndef RQ_CRS_H
#define RQ_CRS_H

#include "raquette/core.h"

typedef struct rq_xform rq_xform;

/* Creates a transformation from src to dst, each any string PROJ accepts
** (e.g. "EPSG:4326", WKT, PROJJSON). NULL with err on failure. */
rq_xform *rq_xform_create(const char *src, const char *dst, rq_err *err);
void rq_xform_destroy(rq_xform *xf);
/* Transforms one point in place; 0 when PROJ cannot (point out of the
** domain of the projection). */
int rq_xform_point(rq_xform *xf, double *x, double *y);
/* Transforms n points in place (x and y arrays); returns how many failed. */
size_t rq_xform_points(rq_xform *xf, double *x, double *y, size_t n);

/* Describes crs: 1 when it is projected with metre units, 0 when it is
** geographic or not in metres (unit name in unit_out), -1 when PROJ does not
** know it (message in err). */
int rq_crs_is_metric(const char *crs, char *unit_out, size_t unitsz, rq_err *err);

/* The WKT (WKT2:2019, one line) of crs, newly allocated (free()); NULL
** when PROJ does not know it. */
char *rq_crs_wkt(const char *crs);

/* The area where crs is meant to be used, in degrees of longitude and
** latitude (WGS 84): for EPSG:2154, France (mainland and Corsica). */
typedef struct rq_lonlat_box {
    double west, south, east, north;
} rq_lonlat_box;
/* Fills box (and name, its description) from PROJ's database: 1, or 0 when
** PROJ gives no area for crs. */
int rq_crs_area_of_use(const char *crs, rq_lonlat_box *box, char *name, size_t namesz);

#endif
