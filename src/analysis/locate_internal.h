/* locate_internal.h - what the files of the locate stage share: locate.c
** (the entry point, reading and checking each row), locate_place.c
** (placing the sites) and locate_group.c (checks across rows, zones and
** structures). Internal to src/analysis/: the public API of the stage is
** rq_locate_sites in raquette/pipeline.h.
**
** A problem of a row is recorded against that row with rq_locate_bad, not
** reported at once: locate.c sorts and settles them all at the end, so
** that they come out in file order and skip_bad_rows drops exactly the
** faulty rows.
*/
#ifndef RQ_ANALYSIS_LOCATE_INTERNAL_H
#define RQ_ANALYSIS_LOCATE_INTERNAL_H

#include "raquette/crs.h"
#include "raquette/pipeline.h"

#include <stddef.h>

/* The columns of the structures file, in the order of field_keys (locate.c). */
enum {
    F_STRUCT,
    F_SITE,
    F_NAME,
    F_CAT,
    F_PHASES,
    F_ZTYPE,
    F_ZCODES,
    F_STYPE,
    F_COMMUNE,
    F_LON,
    F_LAT,
    F_CAP,
    F_RADIUS,
    F_ITIN,
    F_COUNT
};

/* The kinds of row problems, for the grouped warnings of skipped rows. */
typedef enum { E_FIELD, E_COMMUNE, E_POSITION, E_DUPLICATE, E_STRUCTURE, E_NKINDS } err_kind;

/* What a row asks for; the zone is resolved once every row is read. */
struct pending {
    rq_zone_type ztype;
    char *zkey; /* "type:codes", codes sorted and '|'-joined: identifies the zone */
    int has_xy;
};

/* A problem of one row; defined in locate.c, which alone reads it. */
struct row_err;

struct loc_ctx {
    rq_dataset *ds;
    const char *path;
    const char *const *fnames;
    rq_xform *xf; /* WGS 84 -> metric CRS, made at the first position (costly) */
    rq_status xf_rc;
    rq_err xf_err;
    size_t cap, pend_cap, failed_cap;
    struct pending *pend;
    unsigned char *failed; /* per row */
    struct row_err *errs;
    size_t n_errs, errs_cap;
    /* Distinct région and département codes of the current communes,
    ** sorted, borrowed from the COG: zone codes are checked against them. */
    const char **regions, **deps;
    size_t n_regions, n_deps;
};

/* locate.c */
/* Records a problem of row `site` and marks the row failed. f is the
** field at fault (its column, F_*), or < 0 for a problem of the whole row. */
void rq_locate_bad(struct loc_ctx *c, size_t site, err_kind kind, int f, const char *fmt, ...)
    RQ_PRINTF(5, 6);

/* locate_place.c */
/* Places site i (at lon/lat, else at its commune's representative point)
** and sets the commune it falls in; a site that cannot be placed is a
** problem of row i. Creates c->xf at the first position; when that fails,
** c->xf_rc and c->xf_err say why and the stage fails with them. */
void rq_locate_place_site(struct loc_ctx *c, size_t i, const struct pending *p);

/* locate_group.c */
/* A site id used again: every later row is a problem against the first. */
void rq_locate_check_unique_sites(struct loc_ctx *c);
/* A usable row whose category, phases or zone differ from its structure's
** first usable row is a problem of that row. */
void rq_locate_check_structures(struct loc_ctx *c);
/* Numbers the distinct zones in the order of their first row, resolves
** each into its member communes (ds->zones) and sets each site's zone.
** Needs the faulty rows settled (c->pend aligned with ds->sites). */
void rq_locate_build_zones(struct loc_ctx *c);
/* Numbers the structures in the order of their first row (ds->structures),
** lists their sites and sets each site's structure. Needs the zones. */
void rq_locate_build_structures(struct loc_ctx *c);

#endif
