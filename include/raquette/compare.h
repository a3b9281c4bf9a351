/* compare.h - what changed between two runs, and why (src/analysis/compare.c).
**
** A run is seen through an rq_snapshot: the per-commune indicators, the
** coverage shares of every structure, the sites and the gap zones, as the
** history database keeps them (src/store/). Both sides of a comparison come
** from the same loader, the run being recorded included, so that the
** comparison never depends on where a run comes from.
**
** Across commune vintages, communes are matched through the harmonisation
** of the newer run: every code of the older run is sent to the current
** commune it belongs to in the newer run's commune table (its redirections,
** kept with the run). A commune that merged is compared with the union of
** its former parts: population and area add up, the share of the union
** inside a structure's reach is the area-weighted mean of its parts' shares
** (exact, the parts being disjoint), rurality is that of the most populous
** part (method.md §3.2), accessibility the population-weighted mean
** (method.md §5).
*/
#ifndef RQ_COMPARE_H
#define RQ_COMPARE_H

#include "raquette/config.h"
#include "raquette/core.h"
#include "raquette/geom.h"

/* ---- A run as the history keeps it --------------------------------------- */

typedef struct rq_snap_commune {
    char *code, *name, *dep, *epci;
    long population;
    double area_km2;
    int rural, trou;
    unsigned phases; /* bit p: phase_<p> = 1 */
    double acces;    /* acces_e2sfca, NAN when unknown */
    rq_wkb geom;
} rq_snap_commune;

/* A share of a commune inside a structure's reach (> 0). */
typedef struct rq_snap_cover {
    size_t commune;   /* index into communes */
    size_t structure; /* index into structures */
    double ratio;
} rq_snap_cover;

typedef struct rq_snap_structure {
    char *id, *category, *zone_type, *zone_codes;
    unsigned phases;
} rq_snap_structure;

typedef struct rq_snap_site {
    char *site_id, *structure_id, *name, *commune_code;
    size_t structure; /* index into structures */
    double x, y;      /* metric CRS */
    double radius_km, capacity;
    int capacity_missing;
} rq_snap_site;

typedef struct rq_snap_gap {
    char *id;
    int phase; /* -1: every required phase ("toutes") */
    long population;
    size_t n_communes;
    double area_km2;
    rq_wkb geom;
} rq_snap_gap;

/* A code of the run's commune table that is not a current commune, and
** the current commune it belongs to (delegated, associated, passage). */
typedef struct rq_snap_redirect {
    char *code, *to;
} rq_snap_redirect;

typedef struct rq_snapshot {
    long long run_id;
    char *name, *date, *vintage, *crs;
    char *params;              /* parametres of run.json (JSON text) */
    char *boundaries_sha;      /* SHA-256 of the boundaries read, "" when unknown */
    double threshold;          /* seuil_couverture */
    unsigned required;         /* bit p: phase p required */
    int units;                 /* 1 when the rows are study units ([units], method.md §1.4) */
    rq_snap_commune *communes; /* sorted by code */
    size_t n_communes;
    rq_snap_cover *covers; /* sorted by commune then structure */
    size_t n_covers;
    rq_snap_structure *structures; /* sorted by id */
    size_t n_structures;
    rq_snap_site *sites; /* sorted by site id */
    size_t n_sites;
    rq_snap_gap *gaps;
    size_t n_gaps;
    rq_snap_redirect *redirects; /* sorted by code */
    size_t n_redirects;
} rq_snapshot;

void rq_snapshot_fini(rq_snapshot *s);
/* Sorts the arrays as rq_snapshot promises and links each site to its
** structure. A loader calls it once the communes and structures are in,
** then adds the covers by index (rq_snapshot_commune, _structure) and calls
** it again to sort them: sorted arrays stay as they are. */
void rq_snapshot_index(rq_snapshot *s);
long rq_snapshot_commune(const rq_snapshot *s, const char *code);
long rq_snapshot_structure(const rq_snapshot *s, const char *id);

/* ---- The comparison ----------------------------------------------------- */

typedef enum {
    RQ_EVO_UNCHANGED = 0,
    RQ_EVO_GAP_ENTERED, /* became a gap commune */
    RQ_EVO_GAP_LEFT,    /* was one, is not any more */
    RQ_EVO_GAIN,        /* gained a phase, lost none */
    RQ_EVO_LOSS,        /* lost a phase, gained none */
    RQ_EVO_MIXED,       /* gained and lost phases */
    RQ_EVO_NEW,         /* only in the newer run */
    RQ_EVO_GONE,        /* only in the older run */
    RQ_N_EVO
} rq_evolution;
/* The French values of the field `evolution` (docs/outputs.md). */
extern const char *const rq_evolution_names[RQ_N_EVO];

typedef enum {
    RQ_CAUSE_STRUCTURE_ADDED = 0,
    RQ_CAUSE_STRUCTURE_REMOVED,
    RQ_CAUSE_SITE_ADDED,
    RQ_CAUSE_SITE_REMOVED,
    RQ_CAUSE_SITE_MOVED,
    RQ_CAUSE_PHASES,
    RQ_CAUSE_ZONE,
    RQ_CAUSE_CATEGORY,
    RQ_CAUSE_RADIUS,
    RQ_CAUSE_CAPACITY,
    RQ_CAUSE_PARAMETERS, /* the analysis' parameters differ */
    RQ_CAUSE_BOUNDARIES, /* other commune boundaries were read */
    RQ_CAUSE_RURALITY,   /* the commune's rurality changed */
    RQ_CAUSE_UNEXPLAINED,
    RQ_N_CAUSES
} rq_cause_type;
extern const char *const rq_cause_names[RQ_N_CAUSES];

typedef struct rq_cause {
    char id[16]; /* C01, C02... */
    rq_cause_type type;
    char *structure_id; /* "" for the analysis-wide causes */
    char *site_id;      /* "" when not about one site */
    char *category;
    char *detail;     /* French: "consolidation → emergence|consolidation" */
    size_t *communes; /* rows (rq_cmp_commune) whose status it changed */
    size_t n_communes, cap;
    long population; /* of those communes, newer run */
} rq_cause;

/* One commune of the newer run (or of the older one, when gone). */
typedef struct rq_cmp_commune {
    char *code, *name;
    char *codes_before; /* the older run's codes: "12076|12218" for a merger */
    int merged;         /* 1 when compared with the union of several parts */
    long population_a, population_b;
    unsigned phases_a, phases_b;
    int trou_a, trou_b;
    double acces_a, acces_b;
    rq_evolution evolution;
    size_t *causes; /* indices into causes */
    size_t n_causes, cap;
    const rq_wkb *geom; /* borrowed from a snapshot */
} rq_cmp_commune;

typedef enum {
    RQ_ZONE_STABLE = 0,
    RQ_ZONE_GREW,
    RQ_ZONE_SHRANK,
    RQ_ZONE_CHANGED, /* gained and lost ground */
    RQ_ZONE_MERGED,  /* overlaps several earlier zones */
    RQ_ZONE_SPLIT,   /* its earlier zone overlaps several later ones */
    RQ_ZONE_APPEARED,
    RQ_ZONE_VANISHED,
    RQ_N_ZONE_STATUS
} rq_zone_status;
extern const char *const rq_zone_status_names[RQ_N_ZONE_STATUS];

/* A gap zone of the newer run and the zones of the older run it overlaps
** (same meaning), or a vanished zone of the older run. */
typedef struct rq_cmp_zone {
    int phase;   /* -1: "toutes" */
    char *id_b;  /* "" for a vanished zone */
    char *ids_a; /* "T001|T004", "" for a new zone */
    size_t n_a;  /* zones of the older run it overlaps */
    long population_a, population_b;
    double area_a, area_b;       /* km²; area_a: the union of the ids_a zones */
    double gained_km2, lost_km2; /* ground gained and lost */
    rq_zone_status status;
    const rq_wkb *geom; /* borrowed */
} rq_cmp_zone;

typedef struct rq_comparison {
    const rq_snapshot *a, *b; /* borrowed: a the older (first) run */
    int across_vintages;      /* 1 when the commune tables differ */
    rq_cmp_commune *communes;
    size_t n_communes;
    rq_cmp_zone *zones;
    size_t n_zones;
    rq_cause *causes;
    size_t n_causes;
    size_t n_merged;  /* communes compared with a union of parts */
    size_t n_recoded; /* communes matched under another code */
    /* Counts and populations by evolution. */
    size_t n_evo[RQ_N_EVO];
    long pop_evo[RQ_N_EVO];
} rq_comparison;

/* Compares run a (the earlier) with run b; both stay borrowed by cmp.
** Geometries are read from the snapshots' WKB in g. */
rq_status rq_compare(rq_geos *g, const rq_snapshot *a, const rq_snapshot *b, rq_comparison *cmp,
                     rq_err *err) RQ_MUST_CHECK;
void rq_comparison_fini(rq_comparison *cmp);
/* "émergence|création" style lists use rq_phase_names; this prints the
** French summary of cmp (the one `raquette compare` prints) to f. */
void rq_comparison_print(FILE *f, const rq_comparison *cmp);

#endif /* RQ_COMPARE_H */
