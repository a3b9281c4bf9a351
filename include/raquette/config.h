/* config.h - the analysis configuration (an INI file, parsed with libinih).
**
** Every parameter of method.md has a key here; docs/configuration.md
** documents each one. Parsing is strict: an unknown section or key, a bad
** value or a missing required key is an error naming file:line, the key and
** the expected form, with a "did you mean" hint for near misses. All errors
** of a file are reported at once.
*/
#ifndef RQ_CONFIG_H
#define RQ_CONFIG_H

#include "raquette/core.h"

#define RQ_NPHASES 4
#define RQ_MAX_CATEGORIES 32
#define RQ_MAX_BANDS 16

/* Phases are fixed by method.md §3: their order is the output order. */
extern const char *const rq_phase_names[RQ_NPHASES];
/* The same phases as French readers write them, for titles and reports. */
extern const char *const rq_phase_labels[RQ_NPHASES];
/* "emergence|creation" for the phases set in mask, in phase order. */
void rq_phase_list(unsigned mask, char *buf, size_t sz);
/* Gap-zone id prefixes per phase (method.md §4): EM, CR, CO, DE. */
extern const char *const rq_phase_prefix[RQ_NPHASES];
/* Returns the phase index of name, or -1. */
int rq_phase_index(const char *name);

typedef struct rq_category {
    char *name;       /* e.g. "incubateur" */
    double radius_km; /* default reach radius, > 0 */
} rq_category;

typedef enum { RQ_WEIGHT_STEP = 0, RQ_WEIGHT_GAUSSIAN, RQ_WEIGHT_GRAVITY } rq_weight_kind;
/* CSV for GIS tools (',' and '.'), or for French spreadsheets (';', decimal
** comma, byte order mark). */
typedef enum { RQ_CSV_STANDARD = 0, RQ_CSV_FR } rq_csv_dialect;
typedef enum { RQ_FCA_E2SFCA = 0, RQ_FCA_2SFCA } rq_fca_variant;

/* A field mapping: which attribute of an input holds a value. */
typedef struct rq_input {
    char *path;  /* resolved path (absolute or relative to the cwd), NULL if unset */
    char *layer; /* layer name, NULL for the first layer */
} rq_input;

typedef struct rq_config {
    char *file; /* path of the configuration file, as given */
    char *dir;  /* folder of the configuration file */

    /* [study] */
    char *name;         /* run name, default "analyse" */
    char **regions;     /* NULL-terminated région codes, or NULL */
    size_t n_regions;
    int metropole;      /* region = metropole: every commune of metropolitan France */
    char **departements;  /* NULL-terminated list, or NULL */
    size_t n_departements;
    char *crs;          /* metric CRS, default "EPSG:2154" */

    /* [communes] boundaries */
    rq_input communes;
    char *communes_code, *communes_name;

    /* [units] optional study units finer than communes (cells): each with
    ** its id, the code of the commune holding it and its population */
    rq_input units;
    char *units_id, *units_commune, *units_population;

    /* [cog] commune table */
    rq_input cog;
    char *cog_vintage; /* its year ("2026"): given, or read from the file name; NULL */
    char *cog_code, *cog_name, *cog_type, *cog_departement, *cog_region, *cog_epci,
        *cog_population, *cog_chef_lieu;

    /* [epci] */
    rq_input epci;
    char *epci_code, *epci_name, *epci_members;

    /* [passage] optional table: old code -> current code, with its nature */
    rq_input passage;
    char *passage_old, *passage_new, *passage_nature;

    /* [departements] optional table of département names */
    rq_input deps;
    char *deps_code, *deps_name;

    /* [density] optional INSEE density grid */
    rq_input density;
    char *density_code, *density_level, *density_population;
    int rural_levels[8]; /* rural_levels[l] = 1 when level l is rural */

    /* [structures] */
    rq_input structures;
    char *f_structure_id, *f_site_id, *f_name, *f_category, *f_phases, *f_zone_type,
        *f_zone_codes, *f_site_type, *f_commune_code, *f_lon, *f_lat, *f_capacity,
        *f_radius, *f_itinerant;
    char list_separator; /* separator of multi-valued cells, default '|' */
    int skip_bad_rows;   /* 1: skip faulty structure rows with a warning */
    double edge_tolerance_m; /* a site this close to its commune is placed on it */

    /* [categories] name = radius_km, in file order */
    rq_category categories[RQ_MAX_CATEGORIES];
    size_t n_categories;

    /* [phases] */
    int required[RQ_NPHASES]; /* required[p] = 1 when phase p is required */

    /* [travel] */
    double detour;    /* default 1.3 */
    double speed_kmh; /* default 40 */

    /* [coverage] */
    double threshold; /* seuil_couverture, default 0.5 */

    /* [accessibility] */
    rq_fca_variant fca_variant;
    rq_weight_kind weight;
    double band_km[RQ_MAX_BANDS]; /* upper bounds, increasing */
    double band_w[RQ_MAX_BANDS];
    size_t n_bands;
    double max_km;        /* cut-off for gaussian/gravity weights */
    double gauss_sigma_km; /* sigma of the gaussian weight */
    double gravity_beta;   /* exponent of the gravity weight 1/d^beta */

    /* [rurality] fallback rule */
    long fallback_max_population; /* rural when P < this, default 2000 */
    double fallback_min_density;  /* or when P/A < this, default 60 */

    /* [output] */
    char *output_dir; /* resolved folder receiving <run-name>/ */
    char *history_path; /* the history database; NULL: <output dir>/historique.sqlite */
    rq_csv_dialect csv_format; /* standard, or fr: French spreadsheets */
    char *data_licence;        /* the licence the outputs' metadata names */
} rq_config;

/* Loads and validates path into cfg (which the function initialises).
** On error returns RQ_ERR_INPUT with every problem in err, and cfg holds
** nothing to free. On success the caller owns cfg and frees it with
** rq_config_fini. */
rq_status rq_config_load(const char *path, rq_config *cfg, rq_err *err) RQ_MUST_CHECK;

/* Same, from a string (for tests and fuzzing); relative paths resolve
** against base_dir. */
rq_status rq_config_load_string(const char *text, const char *name, const char *base_dir,
                                rq_config *cfg, rq_err *err) RQ_MUST_CHECK;

void rq_config_fini(rq_config *cfg);

/* Index of the category called name, or -1. */
int rq_config_category(const rq_config *cfg, const char *name);

/* NULL when name is a valid run name (letters, digits, '.', '_', '-',
** starting with a letter, a digit or '_', at most RQ_MAX_RUN_NAME bytes: it
** names the output folder), else what is wrong with it. */
const char *rq_run_name_problem(const char *name);

/* The word of [study] region for all of metropolitan France. */
#define RQ_METROPOLE "metropole"
/* The study area as text: "76", "76|75", "metropole" or "09|11" (the
** départements); newly allocated. */
char *rq_config_area_text(const rq_config *cfg);

#endif /* RQ_CONFIG_H */
