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

/* A current commune with its harmonised boundary. */
typedef struct rq_commune {
    char *code, *name, *dep, *region, *epci; /* borrowed from the COG row */
    long population;
    rq_geom *geom;       /* harmonised polygon, metric CRS, valid */
    double area_km2;
    double rx, ry;       /* representative point (point on surface), metric CRS */
    size_t n_parts;      /* boundaries merged into it (1 when unchanged) */
    int in_area;         /* 1 when in the study area */
    int dens_level;      /* INSEE density level 1..7, 0 when unknown */
    int rural;           /* method.md §3.2 */
    int rural_fallback;  /* 1 when decided by the fallback rule */
} rq_commune;

typedef enum { RQ_ZONE_REGION = 0, RQ_ZONE_DEPARTEMENT, RQ_ZONE_EPCI, RQ_ZONE_COMMUNES } rq_zone_type;

/* An intervention zone, shared by every site that names the same one. */
typedef struct rq_zone {
    rq_zone_type type;
    char *key;         /* "departement:12|46|48", codes sorted: identifies the zone */
    size_t *communes;  /* indices into ds->communes, ascending */
    size_t n_communes;
    unsigned char *member; /* member[i] = 1 when commune i lies in the zone */
} rq_zone;

typedef struct rq_site {
    char *site_id, *structure_id, *name, *site_type, *commune_code;
    size_t line;          /* row position in the structures file (for messages) */
    char *where;          /* "line 12" */
    int category;         /* index into cfg->categories */
    unsigned phases;      /* bit p set when the structure serves phase p */
    size_t structure;     /* index into ds->structures */
    size_t zone;          /* index into ds->zones */
    int by_coords;        /* 1 when placed by lon/lat, 0 at its commune's point */
    double lon, lat;      /* WGS 84 position */
    double x, y;          /* metric CRS position */
    size_t commune;       /* index of the commune it falls in */
    int in_area;          /* 1 when that commune is in the study area */
    double capacity;      /* projects per year; 0 when empty */
    int capacity_missing;
    double radius_km;     /* row's rayon_km or the category default */
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
    char *side; /* "boundaries", "table", "density", "passage" */
} rq_unmatched;

typedef struct rq_stats {
    size_t n_boundaries;      /* features read from the boundaries */
    size_t n_boundaries_used; /* kept after harmonisation (in a current commune) */
    size_t n_boundaries_other;/* current communes' boundaries outside the study area */
    size_t n_codes_merged;    /* boundary codes merged into their chef-lieu */
    size_t n_codes_passage;   /* boundary codes redirected by the passage table */
    size_t n_repaired;        /* invalid geometries repaired */
    size_t n_communes_area;   /* current communes of the study area (table) */
    long population_area;     /* their population */
    size_t n_density_rows;    /* density grid rows read */
    size_t n_density_merged;  /* grid codes redirected to a chef-lieu */
    size_t n_fallback;        /* study-area communes without a grid level */
    size_t n_rural;
    size_t n_sites_area;      /* sites located inside the study area */
    size_t n_structures_area; /* structures with at least one such site */
    size_t n_skipped_rows;    /* faulty rows skipped on request */
} rq_stats;

typedef struct rq_epci {
    char *code, *name;
    char **members; /* NULL-terminated member codes as listed */
    size_t n_members;
} rq_epci;

/* One row of the optional passage table. */
typedef struct rq_passage {
    char *old_code, *new_code;
} rq_passage;

typedef struct rq_dataset {
    const rq_config *cfg; /* borrowed */
    rq_geos *geos;

    rq_cog_row *cog; /* current and delegated rows, sorted by code */
    size_t n_cog;

    rq_epci *epcis; /* sorted by code */
    size_t n_epcis;
    rq_passage *passage; /* sorted by old code */
    size_t n_passage;

    rq_commune *communes; /* current communes with a boundary, sorted by code */
    size_t n_communes;
    size_t *area;         /* indices of the study-area communes, ascending */
    size_t n_area;
    rq_index *commune_index; /* STRtree over communes */

    rq_zone *zones;
    size_t n_zones;
    rq_structure *structures;
    size_t n_structures;
    rq_site *sites;
    size_t n_sites;

    rq_unmatched *unmatched;
    size_t n_unmatched, cap_unmatched;
    rq_diag warnings;
    char *rurality_rule; /* how rurality was decided, for the summary and run.json */
    rq_stats stats;
} rq_dataset;

rq_dataset *rq_dataset_create(const rq_config *cfg);
void rq_dataset_destroy(rq_dataset *ds);
/* Frees what locate added (sites, structures, zones) and empties those
** arrays, so that locate can run again on the same dataset. */
void rq_dataset_clear_sites(rq_dataset *ds);

/* Looks up code in the sorted COG table: the commune-actuelle row when the
** code stands on two rows. NULL when absent. */
const rq_cog_row *rq_cog_find(const rq_dataset *ds, const char *code);
/* Resolves a code to the code of the current commune it belongs to now
** (itself, or its chef-lieu), or NULL. */
const char *rq_cog_current(const rq_dataset *ds, const char *code);
/* Same, and codes absent from the table go through the passage table. */
const char *rq_resolve_code(const rq_dataset *ds, const char *code);
const rq_epci *rq_epci_find(const rq_dataset *ds, const char *code);
/* Index of the current commune with this code in ds->communes, or -1. */
long rq_commune_find(const rq_dataset *ds, const char *code);

void rq_dataset_add_unmatched(rq_dataset *ds, const char *side, const char *code,
                              const char *name);

#endif /* RQ_MODEL_H */
