/* compare_internal.h - what the files of the comparison share
** (compare.c: communes and attribution; compare_causes.c: the changes of
** the directory and of the analysis; compare_zones.c: gap zones matched by
** overlap; compare_print.c: the French summary). Not a public header.
*/
#ifndef RQ_COMPARE_INTERNAL_H
#define RQ_COMPARE_INTERNAL_H

#include "raquette/compare.h"

/* A cause filed under the structure it concerns, for the attribution. */
typedef struct rq_cause_key {
    const char *structure_id;
    size_t cause;
} rq_cause_key;

typedef struct rq_cmp_ctx {
    rq_comparison *cmp;
    /* ref: the run whose commune table is the newer one (b on a tie); old:
    ** the other, whose codes are sent to ref's communes. */
    const rq_snapshot *ref, *old;
    int ref_is_b;
    long *old_to_ref;   /* per old commune: ref commune index, -1 when gone */
    size_t *part_start; /* old communes of ref commune j: */
    size_t *parts;      /*   parts[part_start[j] .. part_start[j + 1]) */
    rq_cause_key *keys; /* sorted by structure id */
    size_t n_keys, cap_keys;
    long global[2];             /* PARAMETERS, BOUNDARIES causes, -1 when none */
    long rurality, unexplained; /* made when first needed, -1 before */
} rq_cmp_ctx;

/* The current commune of ref that old's code belongs to: itself, or where
** ref's redirections send it; NULL when ref does not know it. */
const char *rq_cmp_map_code(const rq_cmp_ctx *c, const char *code);
/* The same for a commune code that is not a row's key: a site's commune.
** In a run on study units the rows are units, keyed by their own ids, so
** the code is only sent through the redirections (method.md §1.4). */
const char *rq_cmp_map_commune(const rq_cmp_ctx *c, const char *code);

/* compare_causes.c */
/* Files every change between the two runs' directories and analyses as a
** cause (cmp->causes), and indexes them by structure. */
void rq_cmp_causes(rq_cmp_ctx *c);
/* Adds a cause (strings copied) and returns its index. */
size_t rq_cmp_cause_add(rq_cmp_ctx *c, rq_cause_type type, const char *structure_id,
                        const char *site_id, const char *category, const char *detail);
/* Links row to every cause filed under structure_id; returns how many. */
size_t rq_cmp_blame_structure(rq_cmp_ctx *c, size_t row, const char *structure_id);
/* Links row to cause (once). */
void rq_cmp_blame(rq_cmp_ctx *c, size_t row, size_t cause);

/* compare_zones.c */
rq_status rq_cmp_zones(rq_geos *g, rq_cmp_ctx *c, rq_err *err) RQ_MUST_CHECK;

#endif /* RQ_COMPARE_INTERNAL_H */
