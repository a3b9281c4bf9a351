/* polygons.c - every input polygon (commune boundaries, study units) on
** its way into the analysis: reprojected to the metric CRS and, when GEOS
** finds it invalid, repaired to its polygonal part, in one place so that
** both inputs get the same treatment and the same counts.
*/
#include "raquette/pipeline.h"

#include <string.h>

static int
to_metric(double *x, double *y, void *ud)
{
    return rq_xform_point(ud, x, y);
}

rq_geom *
rq_metric_polygon(rq_geos *g, const rq_geom *geom, rq_xform *xf, int *repaired, char *why,
                  size_t whysz)
{
    rq_err gerr = {0};
    *repaired = 0;
    why[0] = '\0';
    rq_geom *m = rq_geom_transform(g, geom, to_metric, xf, &gerr);
    if (!m || rq_geom_is_valid(g, m, why, whysz) == 1)
        return m;
    rq_geom *fixed = rq_geom_make_valid_polygonal(g, m, &gerr);
    rq_geom_destroy(g, m);
    if (!fixed || rq_geom_is_empty(g, fixed)) {
        rq_geom_destroy(g, fixed);
        if (!why[0])
            rq_strlcpy(why, "invalid", whysz);
        return NULL;
    }
    *repaired = 1;
    return fixed;
}
