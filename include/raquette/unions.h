/* unions.h - batches of polygon unions on worker threads (unions.c): the
** gap zones, the sites' reaches, the départements and EPCI.
*/
#ifndef RQ_UNIONS_H
#define RQ_UNIONS_H

#include "raquette/geom.h"

typedef struct rq_union_batch rq_union_batch;

typedef enum {
    RQ_UNION_COVERAGE, /* commune polygons: coverage union, checked (see geom.h) */
    RQ_UNION_OVERLAY   /* overlapping polygons: GEOS's cascaded unary union */
} rq_union_kind;

/* A new empty batch; g (the calling thread's context) frees what a failed
** run leaves. */
rq_union_batch *rq_union_batch_create(rq_geos *g, rq_union_kind kind);
/* Adds a job: *out will receive the union of parts[0..n-1], borrowed until
** rq_union_batch_run returns (it clones them on the workers, each by one
** thread only), and not used meanwhile by another thread. n = 0 leaves *out
** NULL; one part gives its clone. */
void rq_union_batch_add(rq_union_batch *b, const rq_geom *const *parts, size_t n, rq_geom **out,
                        const char *label);
/* Adds a job as rq_union_batch_add does, taking parts[0..n-1] (made in any
** context, and used by no other thread until rq_union_batch_run returns)
** instead of cloning them; the array itself stays the caller's. One part is
** *out at once, with no job. */
void rq_union_batch_add_take(rq_union_batch *b, rq_geom **parts, size_t n, rq_geom **out,
                             const char *label);
/* Makes the clones, then runs every job on up to RQ_MAX_THREADS threads,
** largest first, and frees b. On error (the first failing job's, naming
** its label, or a failed clone's) some outputs may be set and others not:
** the caller frees what it finds. */
rq_status rq_union_batch_run(rq_union_batch *b, rq_err *err) RQ_MUST_CHECK;
/* Frees b without running it. NULL is a no-op. */
void rq_union_batch_destroy(rq_union_batch *b);

#endif /* RQ_UNIONS_H */
