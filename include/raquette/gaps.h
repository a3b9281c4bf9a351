/* gaps.h - the gaps stage: gap communes grouped into gap zones (method.md §4).
**
** A gap zone is one connected group of flagged communes, where two communes
** are connected when their polygons touch (a shared boundary segment or a
** single shared point both count). The caller decides which communes are
** flagged: the overall gap communes (`trou` = 1, method.md §3) or, per
** required phase p, the rural communes with phase_<p> = 0. This module only
** groups, measures, ranks and names the zones.
*/
#ifndef RQ_GAPS_H
#define RQ_GAPS_H

#include "raquette/core.h"
#include "raquette/model.h"
#include "raquette/results.h"

/* Groups the flagged communes of ds into gap zones and appends them to
** *zones (n_zones used, cap allocated; a growable array the caller frees
** with rq_gap_zone_fini on each zone, then free()).
**
** flag[i] = 1 marks commune i (index into ds->communes) as a gap commune;
** missing[i] is its mask of missing phases (read for flagged communes only;
** missing may be NULL, then every mask is 0).
** Each zone gets: the indices of its communes, ascending (ds->communes is
** sorted by code, so this is ascending by code); their population and area
** (sum of area_km2); the union of their missing masks; their distinct
** départements sorted and '|'-joined; phase (-1 for the overall zones, else
** the phase index 0..3). Its polygon is left NULL: rq_gaps_union computes
** the polygons of all the zones at once.
**
** Ranking: population descending, ties broken by the smallest commune code
** of the zone. Ids are prefix + rank with at least three digits ("T001",
** ..., "T999", "T1000"); ranks restart at 1 on every call.
**
** zone_of (may be NULL): for each flagged commune i, zone_of[i] receives
** the index of its zone in *zones (after the append); other entries are
** left untouched.
**
** Output does not depend on the STRtree's internal order: identical inputs
** give identical zones and ids.
**
** On error (RQ_ERR_GEOS for a GEOS exception, RQ_ERR_INTERNAL for a bad
** argument or a flagged commune without geometry) err is set and *zones,
** *n_zones, *cap and zone_of are left unchanged. */
rq_status rq_gaps_group(rq_dataset *ds, const unsigned char *flag, const unsigned *missing,
                        const char *prefix, int phase, rq_gap_zone **zones, size_t *n_zones,
                        size_t *cap, long *zone_of, rq_err *err) RQ_MUST_CHECK;

/* Sets the polygon of every zone without one: the union of its communes'
** polygons (metric CRS, owned by the zone; release with rq_gap_zone_fini),
** on worker threads (rq_union_batch, unions.c); the result does not depend
** on the number of threads. On error (RQ_ERR_GEOS) some zones may hold a
** polygon and others not. */
rq_status rq_gaps_union(const rq_dataset *ds, rq_gap_zone *zones, size_t n_zones,
                        rq_err *err) RQ_MUST_CHECK;

/* Releases what z owns (communes, departements, geom, made in g's context)
** and zeroes it. Accepts NULL and an already released zone. */
void rq_gap_zone_fini(rq_geos *g, rq_gap_zone *z);

/* Writes the id of the zone of rank `rank` (1-based): prefix followed by the
** rank with at least three digits ("T001", "EM042", "T1000"). Returns 1 when
** it fits in bufsz bytes (with the terminating NUL), 0 when it was
** truncated (or bufsz is 0). */
int rq_gaps_format_id(char *buf, size_t bufsz, const char *prefix, size_t rank);

#endif /* RQ_GAPS_H */
