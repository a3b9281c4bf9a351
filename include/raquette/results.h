/* results.h - what the reach, indicators, gaps and aggregates stages
** compute, handed to the outputs stage. Owned by an rq_results; indices of
** communes refer to ds->communes (only study-area communes carry values).
*/
#ifndef RQ_RESULTS_H
#define RQ_RESULTS_H

#include "raquette/model.h"

/* Indicators of one study-area commune (method.md §3). Arrays indexed by
** category k have cfg->n_categories entries. */
typedef struct rq_commune_ind {
    size_t commune;         /* index into ds->communes */
    double *couv;           /* couv_<k>, in [0, 1] */
    int *nb;                /* nb_<k> */
    double *dist_km;        /* dist_<k>_km, NAN when no site's zone holds the commune */
    double *temps_min;      /* temps_<k>_min, NAN likewise */
    unsigned char phase[4]; /* phase_<p> */
    int nb_phases;
    int parcours_complet;
    double acces_e2sfca;
    int rural;
    int trou;
    unsigned missing; /* bit p: required phase p with phase_<p> = 0 */
    int nb_phases_manquantes;
    long zone_trou;      /* index into res->gaps, -1 when none */
    long zone_trou_p[4]; /* per required phase, -1 when none */
} rq_commune_ind;

/* A gap zone (method.md §4). */
typedef struct rq_gap_zone {
    char id[16];      /* T001, EM001, ... */
    int phase;        /* -1 for the overall zones ("toutes"), else the phase */
    size_t *communes; /* indices into ds->communes, ascending by code */
    size_t n_communes;
    long population;
    double area_km2;
    unsigned missing;   /* union of the missing required phases */
    char *departements; /* "09|11", sorted */
    rq_geom *geom;      /* union of the communes, metric CRS */
} rq_gap_zone;

/* A structure reaching a study commune: the share of the commune's area
** inside the structure's reach (method.md §3), > 0. */
typedef struct rq_cover {
    size_t pos;       /* index into res->ind */
    size_t structure; /* index into ds->structures */
    double ratio;     /* unrounded, in (0, 1] */
    size_t site;      /* the structure's site nearest to the commune's point */
    double dist_km;   /* crow-fly distance to it */
} rq_cover;

/* One aggregate row (method.md §5). */
typedef struct rq_aggregate {
    char *code, *name;
    size_t communes;
    long population;
    double part_phase[4]; /* share of the population with phase_<p> = 1 */
    double part_parcours; /* share with parcours_complet = 1 */
    long pop_rurale;
    size_t communes_trou;
    long pop_trou;
    double acces_moyen; /* population-weighted mean acces_e2sfca */
    rq_geom *geom;      /* union of its communes (metric); NULL for the study area */
} rq_aggregate;

/* A stage's wall and CPU seconds (every thread of the process); a product
** of the outputs stage (product = 1) has the CPU seconds of the worker that
** wrote it, and is not in run.json. */
typedef struct rq_timing {
    const char *stage;
    double seconds, cpu;
    int product;
} rq_timing;

typedef struct rq_results {
    rq_commune_ind *ind; /* one per study-area commune, in ds->area order */
    size_t n_ind;
    rq_cover *covers; /* every positive share, sorted by commune then structure */
    size_t n_covers;
    rq_wkb *zone_wkb; /* per zone: the union of a zone some site names, metric WKB; or len 0 */
    size_t n_zone_wkb;
    rq_gap_zone *gaps; /* overall zones first (by rank), then per phase */
    size_t n_gaps;
    rq_aggregate *agg_dep, *agg_epci, agg_area;
    size_t n_agg_dep, n_agg_epci;
    double supply_reached; /* Σ capacities of sites that reach someone */
    double fca_identity;   /* Σ P·A / 10,000 */
    rq_timing timings[32];
    size_t n_timings;
} rq_results;

#endif
