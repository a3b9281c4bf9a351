/* model.h - the data passed between the stages of the pipeline.
**
** load -> harmonise -> locate -> reach -> indicators -> gaps -> outputs
**
** An rq_dataset owns everything it points to: strings, geometries (in its
** own GEOS context), indexes. Stages fill it in order; rq_dataset_destroy
** releases all of it. Geometries are in the metric CRS of the
** configuration, except where a field name says otherwise.
*/
#ifndef RQ_MODEL_H
#define RQ_MODEL_H

#include "raquette/config.h"
#include "raquette/core.h"
#include "raquette/geom.h"

typedef enum { RQ_COG_ACTUELLE = 0, RQ_COG_DELEGUEE, RQ_COG_ASSOCIEE } rq_cog_type;

/* One row of the commune table (COG) that matters for the run. */
typedef struct rq_cog_row {
    char *code, *name, *dep, *region, *epci, *chef_lieu;
    rq_cog_type type;
    long population;
    size_t seq; /* position among the rows kept, in file order */
} rq_cog_row;

/* A current commune with its harmonised boundary; or, once [units] stand
** in for the communes (units.c), a study unit: code is then the unit's id
** (owned by the rq_unitset), the rest its commune's. */
typedef struct rq_commune {
    char *code, *name, *dep, *region, *epci; /* borrowed from the COG row */
    char *insee; /* the commune's code: code itself, or a unit's commune */
    long population;
    rq_geom *geom; /* harmonised polygon, metric CRS, valid */
    double area_km2;
    double rx, ry;      /* representative point (point on surface), metric CRS */
    size_t n_parts;     /* boundaries merged into it (1 when unchanged) */
    int in_area;        /* 1 when in the study area */
    int dens_level;     /* INSEE density level 1..7, 0 when unknown */
    int rural;          /* method.md §3.2 */
    int rural_fallback; /* 1 when decided by the fallback rule */
} rq_commune;

typedef enum {
    RQ_ZONE_REGION = 0,
    RQ_ZONE_DEPARTEMENT,
    RQ_ZONE_EPCI,
    RQ_ZONE_COMMUNES,
    RQ_ZONE_NATIONAL /* every commune of the commune table */
} rq_zone_type;

/* An intervention zone, shared by every site that names the same one. */
typedef struct rq_zone {
    rq_zone_type type;
    char *key;        /* "departement:12|46|48", codes sorted: identifies the zone */
    size_t *communes; /* indices into ds->communes, ascending */
    size_t n_communes;
    unsigned char *member; /* member[i] = 1 when commune i lies in the zone */
} rq_zone;

typedef struct rq_site {
    char *site_id, *structure_id, *name, *site_type, *commune_code;
    size_t line;      /* row position in the structures file (for messages) */
    char *where;      /* "line 12" */
    int category;     /* index into cfg->categories */
    unsigned phases;  /* bit p set when the structure serves phase p */
    size_t structure; /* index into ds->structures */
    size_t zone;      /* index into ds->zones */
    int by_coords;    /* 1 when placed by lon/lat, 0 at its commune's point */
    double lon, lat;  /* WGS 84 position */
    double x, y;      /* metric CRS position */
    size_t commune;   /* index of the commune it falls in */
    int in_area;      /* 1 when that commune is in the study area */
    double capacity;  /* projects per year; 0 when empty */
    int capacity_missing;
    double radius_km; /* row's rayon_km or the category default */
    int itinerant;
} rq_site;

typedef struct rq_structure {
    char *id;
    int category;
    unsigned phases;
    size_t zone;
    size_t *sites; /* indices into ds->sites */
    size_t n_sites;
} rq_structure;

/* An input code that could not be matched, kept for the log and run.json. */
typedef struct rq_unmatched {
    char *code, *name;
    char *side;      /* "boundaries", "table", "density" */
    long population; /* table side: the commune's population; else -1 */
    double area_km2; /* boundaries side: the area left out; else NAN */
} rq_unmatched;

/* How a commune code reached its current commune (method.md §1.1). */
typedef enum {
    RQ_RULE_CURRENT = 0,    /* a current commune already */
    RQ_RULE_DELEGATED,      /* a delegated or associated commune: its chef-lieu */
    RQ_RULE_PASSAGE,        /* a code that vanished in a merger: the passage table */
    RQ_RULE_ARRONDISSEMENT, /* a municipal arrondissement: its commune */
    RQ_RULE_UNKNOWN,        /* no table knows it */
    RQ_N_RULES
} rq_rule;
extern const char *const rq_rule_names[RQ_N_RULES];

/* The inputs that carry commune codes, each harmonised the same way. */
typedef enum {
    RQ_CODES_BOUNDARIES = 0,
    RQ_CODES_DENSITY,
    RQ_CODES_EPCI,
    RQ_CODES_SITES, /* the sites' commune_code */
    RQ_CODES_ZONES, /* the sites' zone_codes of zone_type communes */
    RQ_N_CODE_INPUTS
} rq_code_input;
extern const char *const rq_code_input_names[RQ_N_CODE_INPUTS];

typedef struct rq_stats {
    size_t n_boundaries;           /* features read from the boundaries */
    size_t n_boundaries_used;      /* kept after harmonisation (in a current commune) */
    size_t n_boundaries_other;     /* current communes' boundaries outside the study area */
    size_t n_boundaries_unmatched; /* left out: no table knows their code */
    double km2_unmatched;          /* their area */
    size_t n_duplicates_merged;    /* features sharing a code with another, disjoint: merged */
    /* Codes of each input by the rule that harmonised them (method.md §1.1). */
    size_t redirects[RQ_N_CODE_INPUTS][RQ_N_RULES];
    size_t n_repaired;             /* invalid geometries repaired */
    size_t n_communes_area;        /* current communes of the study area (table) */
    long population_area;          /* their population (table) */
    size_t n_communes_no_boundary; /* of which without a boundary: left out */
    long population_no_boundary;   /* their population */
    size_t n_density_rows;         /* density grid rows read */
    size_t n_fallback;             /* study-area communes without a grid level */
    size_t n_rural;
    size_t n_sites_area;      /* sites located inside the study area */
    size_t n_structures_area; /* structures with at least one such site */
    size_t n_skipped_rows;    /* faulty rows skipped on request */
    size_t n_sites_snapped;   /* sites just off their commune, placed on its edge */
    /* [units] (zero without): units read, in the study area, their
    ** population, and study-area communes that no unit names */
    size_t n_units, n_units_area, n_communes_no_unit;
    long population_units;
} rq_stats;

typedef struct rq_epci {
    char *code, *name;
    char **members; /* NULL-terminated member codes as listed */
    size_t n_members;
} rq_epci;

/* One row of the optional passage table. */
typedef struct rq_passage {
    char *old_code, *new_code;
    rq_rule rule; /* RQ_RULE_PASSAGE or RQ_RULE_ARRONDISSEMENT (its nature) */
} rq_passage;

/* One row of the optional table of départements. */
typedef struct rq_dep {
    char *code, *name;
} rq_dep;

/* Study units finer than communes ([units], docs/method.md §1.4). Read and
** checked with the inputs (rq_units_load); after the reach stage, which
** needs the communes' polygons for the zones, rq_units_apply swaps them
** with ds->communes, so that indicators, gaps, aggregates and outputs work
** on units. The communes then live here, and the dataset frees both. */
typedef struct rq_unitset {
    rq_commune *c; /* units (sorted by id) before the swap, communes after */
    size_t n;
    size_t *area; /* indices of c in the study area */
    size_t n_area;
    rq_index *index; /* STRtree over c */
    char **ids;      /* the units' ids, owned */
    size_t *parent;  /* unit -> index of its commune (as locate saw them) */
    size_t n_units;
    int applied; /* 1 once the units stand in ds->communes */
} rq_unitset;

typedef struct rq_dataset {
    const rq_config *cfg; /* borrowed */
    rq_geos *geos;

    rq_cog_row *cog; /* current and delegated rows, sorted by code */
    size_t n_cog;

    rq_epci *epcis; /* sorted by code */
    size_t n_epcis;
    rq_passage *passage; /* sorted by old code */
    size_t n_passage;
    rq_dep *deps; /* sorted by code */
    size_t n_deps;
    char **area_deps; /* départements of the study area (commune table), sorted */
    size_t n_area_deps;

    rq_commune *communes; /* current communes with a boundary, sorted by code */
    size_t n_communes;
    size_t *area; /* indices of the study-area communes, ascending */
    size_t n_area;
    rq_index *commune_index; /* STRtree over communes */
    rq_unitset units;        /* empty unless [units] is set */

    rq_zone *zones;
    size_t n_zones;
    rq_structure *structures;
    size_t n_structures;
    rq_site *sites;
    size_t n_sites;

    rq_unmatched *unmatched;
    size_t n_unmatched, cap_unmatched;
    rq_warnings warnings;
    char *rurality_rule; /* how rurality was decided, for the summary and run.json */
    rq_stats stats;
} rq_dataset;

rq_dataset *rq_dataset_create(const rq_config *cfg);
/* Frees the strings of one site. */
void rq_site_fini(rq_site *s);
void rq_dataset_destroy(rq_dataset *ds);
/* Frees what locate added (sites, structures, zones) and empties those
** arrays, so that locate can run again on the same dataset. */
void rq_dataset_clear_sites(rq_dataset *ds);

/* Looks up code in the sorted COG table: the commune-actuelle row when the
** code stands on two rows. NULL when absent. */
const rq_cog_row *rq_cog_find(const rq_dataset *ds, const char *code);
/* The current commune code belongs to (method.md §1.1): itself when
** current; a delegated or associated commune's chef-lieu; through the
** passage table for a code the table does not know (a chain of redirections
** is followed, at most RQ_MAX_REDIRECTS steps). NULL when nothing knows it.
** *rule_out (may be NULL) receives the rule of the first step. The string
** belongs to the COG table. */
#define RQ_MAX_REDIRECTS 8
const char *rq_code_resolve(const rq_dataset *ds, const char *code, rq_rule *rule_out);
/* rq_code_resolve, counted in ds->stats.redirects[in] under its rule. */
const char *rq_code_harmonise(rq_dataset *ds, rq_code_input in, const char *code);
const rq_epci *rq_epci_find(const rq_dataset *ds, const char *code);
/* The name of département code, "" when no table of départements names it. */
const char *rq_dep_name(const rq_dataset *ds, const char *code);
/* 1 when commune code, judged by its département prefix (2 characters, 3
** for 97x), belongs to a département of the study area: an unknown code
** there may be a commune of the study area lost, one elsewhere is not. */
int rq_code_in_area_deps(const rq_dataset *ds, const char *code);
/* Index of the current commune with this code in ds->communes, or -1. */
long rq_commune_find(const rq_dataset *ds, const char *code);
/* Index in c (polygons indexed by ix, an STRtree over c) of the polygon
** covering point (x, y), or -1; the smallest index when several do (a
** point on a shared boundary), so that the answer is deterministic. */
long rq_commune_at(rq_geos *g, rq_index *ix, const rq_commune *c, double x, double y);
/* Index in c of the polygon nearest to point (x, y), or -1 when none. */
long rq_commune_nearest(rq_geos *g, rq_index *ix, const rq_commune *c, double x, double y);

/* Records an unmatched code; population < 0 and area NAN when unknown. */
void rq_dataset_add_unmatched(rq_dataset *ds, const char *side, const char *code, const char *name,
                              long population, double area_km2);

#endif /* RQ_MODEL_H */
