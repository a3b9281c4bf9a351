/* pipeline.h - the stages of an analysis, in order. Each stage owns one
** source file of src/analysis/ and fills part of an rq_dataset:
**
**   load       (load.c)       commune table, passage table, EPCI table,
**                             départements
**   harmonise  (harmonise.c)  boundaries -> current communes; density grid;
**                             rurality
**   locate     (locate*.c)    structures file -> sites, structures, zones
**
** Every stage reports input problems all at once (RQ_ERR_INPUT with every
** message) and leaves the dataset safe to destroy whatever happens.
*/
#ifndef RQ_PIPELINE_H
#define RQ_PIPELINE_H

#include "raquette/config.h"
#include "raquette/crs.h"
#include "raquette/model.h"

/* load.c */
rq_status rq_load_cog(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;
/* Needs the commune table. */
rq_status rq_load_passage(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;
/* Needs the commune and passage tables: harmonises the members. */
rq_status rq_load_epci(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;
rq_status rq_load_departements(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;
/* 1 when a table row of this région/département is in the study area. */
int rq_in_study_area(const rq_config *cfg, const char *region, const char *dep);

/* harmonise.c */
/* Starts reading the boundaries on a thread of their own (or at once when
** no thread can be had): nothing in them depends on the tables, so they
** load meanwhile. */
typedef struct rq_bnd_read rq_bnd_read;
rq_bnd_read *rq_boundaries_read_begin(const rq_config *cfg);
/* Waits for the reading and frees it; for a run that stops early. NULL is
** a no-op. */
void rq_boundaries_read_discard(rq_bnd_read *rd);
/* Harmonises the boundaries read by rd (NULL: reads them now) into the
** current communes; needs the tables loaded. Always frees rd. */
rq_status rq_harmonise_boundaries(rq_dataset *ds, rq_bnd_read *rd, rq_err *err) RQ_MUST_CHECK;
rq_status rq_harmonise_density(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;
/* polygons.c: every input polygon (boundaries, study units) in the metric
** CRS, valid. */
typedef enum rq_metric_status {
    RQ_METRIC_OK,       /* reprojected, valid as it was */
    RQ_METRIC_REPAIRED, /* reprojected, then repaired (why: GEOS's reason) */
    RQ_METRIC_FAILED    /* cannot be projected (why NULL) or repaired (why says what is invalid) */
} rq_metric_status;
typedef struct rq_metric_out {
    rq_metric_status status;
    char *why; /* owned; NULL when GEOS had nothing to say */
} rq_metric_out;
/* Reprojects geoms[0..n) from srs to crs, repairing invalid ones, on worker
** threads: geoms[i] is replaced by its metric polygon (the old one
** destroyed), or left as it was when out[i].status is RQ_METRIC_FAILED.
** The results do not depend on the number of threads. Fails (err set) when
** the transformation cannot be made; some polygons may then be replaced. */
rq_status rq_metric_polygons(const char *srs, const char *crs, rq_geom **geoms, size_t n,
                             rq_metric_out *out, rq_err *err) RQ_MUST_CHECK;
/* Frees out[0..n) and out; NULL is a no-op. */
void rq_metric_outs_free(rq_metric_out *out, size_t n);
/* Sets rural / rural_fallback of each study-area commune (method.md §3.2). */
void rq_classify_rurality(rq_dataset *ds);

/* locate.c, locate_place.c, locate_group.c */
rq_status rq_locate_sites(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;

/* units.c ([units] set; a no-op otherwise) */
/* Reads the study units, maps each to its commune (harmonised codes), and
** checks them: unique ids, a known commune with a boundary, a population,
** a polygon. Needs the communes. */
rq_status rq_units_load(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;
/* Puts the units in place of the communes (see rq_unitset), after the
** reach stage: zone memberships and sites follow. Once only. */
void rq_units_apply(rq_dataset *ds);

/* Runs load, harmonise and locate: everything `raquette check` validates. */
rq_status rq_pipeline_prepare(rq_dataset *ds, rq_err *err) RQ_MUST_CHECK;

#endif
