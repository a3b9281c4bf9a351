/* geom_internal.h - what the files of the GEOS wrapper share (geom.c:
** geometries, predicates, indexes; geom_cover.c: simplifying a coverage
** and reading rings). The only headers of raquette that see geos_c.h.
*/
#ifndef RQ_GEOM_INTERNAL_H
#define RQ_GEOM_INTERNAL_H

#include "raquette/geom.h"

#include <geos_c.h>

struct rq_geos {
    GEOSContextHandle_t h;
    GEOSWKBReader *rd;
    GEOSWKBWriter *wr;
    GEOSWKTReader *wkt;
    char last_err[512];
};

#define G(x) ((GEOSGeometry *)(x))
#define CG(x) ((const GEOSGeometry *)(x))

/* Sets err from GEOS's last message while doing `what`; returns NULL. */
rq_geom *rq_geos_fail(rq_geos *g, rq_err *err, const char *what);

#endif /* RQ_GEOM_INTERNAL_H */
