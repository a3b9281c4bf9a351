/* schema.c - the schema of the configuration: every section and key,
** with its kind, where it goes in rq_config, its default, its bounds and
** the expected form that messages quote; and the lookups in it, with the
** "did you mean" hints for near misses.
**
** Validation is table-driven: each known key is converted as soon as it is
** read (convert.c), defaults and required keys are applied after the whole
** file was read (config.c), and rq_config_fini frees what the table says
** is owned. A new key is one line here, plus its field in rq_config and
** its entry in docs/configuration.md.
*/
#include "config/config_internal.h"

#include <float.h>
#include <string.h>

/* Suggestions beyond this edit distance are more confusing than helpful. */
#define MAX_HINT_DISTANCE 3

/* The initialiser macros stay on one line each: clang-format would spread
** each over four. */
/* clang-format off */
#define OFF(field) offsetof(rq_config, field)
#define TEXT(n, field, d) {n, K_TEXT, OFF(field), d, 0, 0, 0, 0, 0, "a text"}
#define INPUT_PATH(field, req)                                                                     \
    {"path", K_INPUT, OFF(field.path), NULL, req, 0, 0, 0, 0,                                      \
     "a path to a file or folder GDAL opens"}
#define INPUT_LAYER(field) {"layer", K_TEXT, OFF(field.layer), NULL, 0, 0, 0, 0, 0, "a layer name"}
#define NUMBER(n, field, d, lo, lo_incl, hi, hi_incl, form)                                        \
    {n, K_NUMBER, OFF(field), d, 0, lo, hi, lo_incl, hi_incl, form}
/* clang-format on */

static const keyspec study_keys[] = {
    {"name", K_NAME, OFF(name), "analyse", 0, 0, 0, 0, 0,
     "letters, digits, '.', '_' or '-', starting with a letter, a digit or '_', at most 200 "
     "bytes (it names the output folder)"},
    {"region", K_REGIONS, OFF(regions), NULL, 0, 0, 0, 0, 0,
     "région codes separated by '|', such as 76 or 76|75, or metropole for all of "
     "metropolitan France"},
    {"departements", K_CODES, OFF(departements), NULL, 0, 0, 0, 0, 0,
     "département codes separated by '|', such as 09|11|31"},
    TEXT("crs", crs, "EPSG:2154"),
};

static const keyspec communes_keys[] = {
    INPUT_PATH(communes, 1),
    INPUT_LAYER(communes),
    TEXT("code", communes_code, "code"),
    TEXT("name", communes_name, "nom"),
};

static const keyspec units_keys[] = {
    INPUT_PATH(units, 0),
    INPUT_LAYER(units),
    TEXT("id", units_id, "id"),
    TEXT("commune", units_commune, "code_commune"),
    TEXT("population", units_population, "population"),
};

static const keyspec cog_keys[] = {
    INPUT_PATH(cog, 1),
    INPUT_LAYER(cog),
    {"vintage", K_TEXT, OFF(cog_vintage), NULL, 0, 0, 0, 0, 0,
     "the year of the commune table, such as 2026"},
    TEXT("code", cog_code, "code"),
    TEXT("name", cog_name, "nom"),
    TEXT("type", cog_type, "type"),
    TEXT("departement", cog_departement, "departement"),
    TEXT("region", cog_region, "region"),
    TEXT("epci", cog_epci, "epci"),
    TEXT("population", cog_population, "population"),
    TEXT("chef_lieu", cog_chef_lieu, "chef_lieu"),
};

static const keyspec epci_keys[] = {
    INPUT_PATH(epci, 1),
    INPUT_LAYER(epci),
    TEXT("code", epci_code, "code"),
    TEXT("name", epci_name, "nom"),
    TEXT("members", epci_members, "membres"),
};

static const keyspec passage_keys[] = {
    INPUT_PATH(passage, 0),
    INPUT_LAYER(passage),
    TEXT("old", passage_old, "ancien_code"),
    TEXT("new", passage_new, "code"),
    TEXT("nature", passage_nature, "nature"),
};

static const keyspec deps_keys[] = {
    INPUT_PATH(deps, 0),
    INPUT_LAYER(deps),
    TEXT("code", deps_code, "code"),
    TEXT("name", deps_name, "nom"),
};

static const keyspec density_keys[] = {
    INPUT_PATH(density, 0),
    INPUT_LAYER(density),
    TEXT("code", density_code, "code"),
    TEXT("level", density_level, "dens"),
    TEXT("population", density_population, "pmun19"),
    {"rural_levels", K_LEVELS, OFF(rural_levels), "5|6|7", 0, 0, 0, 0, 0,
     "density levels separated by '|', each an integer from 1 to 7, such as 5|6|7"},
};

static const keyspec structures_keys[] = {
    INPUT_PATH(structures, 1),
    INPUT_LAYER(structures),
    TEXT("structure_id", f_structure_id, "structure_id"),
    TEXT("site_id", f_site_id, "site_id"),
    TEXT("name", f_name, "nom"),
    TEXT("category", f_category, "categorie"),
    TEXT("phases", f_phases, "phases"),
    TEXT("zone_type", f_zone_type, "zone_type"),
    TEXT("zone_codes", f_zone_codes, "zone_codes"),
    TEXT("site_type", f_site_type, "site_type"),
    TEXT("commune_code", f_commune_code, "commune_code"),
    TEXT("lon", f_lon, "lon"),
    TEXT("lat", f_lat, "lat"),
    TEXT("capacity", f_capacity, "capacite"),
    TEXT("radius", f_radius, "rayon_km"),
    TEXT("itinerant", f_itinerant, "itinerant"),
    {"list_separator", K_SEPARATOR, OFF(list_separator), "|", 0, 0, 0, 0, 0,
     "one character other than a comma, such as |"},
    {"skip_bad_rows", K_BOOL, OFF(skip_bad_rows), "false", 0, 0, 0, 0, 0,
     "true or false (also yes/no, on/off, 1/0)"},
    NUMBER("edge_tolerance_m", edge_tolerance_m, "500", 0, 1, 5000, 1,
           "a number of metres from 0 to 5000"),
};

static const keyspec phases_keys[] = {
    {"required", K_PHASES, OFF(required), "emergence|creation|consolidation", 0, 0, 0, 0, 0,
     "phase names separated by '|' (emergence, creation, consolidation, developpement)"},
};

static const keyspec travel_keys[] = {
    NUMBER("detour", detour, "1.3", 1, 1, DBL_MAX, 0,
           "a number >= 1 (road distance / crow-fly distance)"),
    NUMBER("speed_kmh", speed_kmh, "40", 0, 0, DBL_MAX, 0, "a number > 0 (km/h)"),
};

static const keyspec coverage_keys[] = {
    NUMBER("threshold", threshold, "0.5", 0, 0, 1, 1,
           "a number > 0 and <= 1 (share of the commune's area)"),
};

static const keyspec accessibility_keys[] = {
    {"variant", K_VARIANT, OFF(fca_variant), "e2sfca", 0, 0, 0, 0, 0, "e2sfca or 2sfca"},
    {"weight", K_WEIGHT, OFF(weight), "step", 0, 0, 0, 0, 0, "step, gaussian or gravity"},
    {"bands", K_BANDS, OFF(band_km), "10:1.0|20:0.66|30:0.33", 0, 0, 0, 0, 0,
     "upper_km:weight pairs separated by '|', such as 10:1.0|20:0.66|30:0.33"},
    NUMBER("max_km", max_km, "30", 0, 0, DBL_MAX, 0, "a number > 0 (kilometres)"),
    NUMBER("sigma_km", gauss_sigma_km, "10", 0, 0, DBL_MAX, 0, "a number > 0 (kilometres)"),
    NUMBER("beta", gravity_beta, "1", 0, 0, 10, 1, "a number > 0 and <= 10"),
};

static const keyspec rurality_keys[] = {
    {"fallback_max_population", K_INTEGER, OFF(fallback_max_population), "2000", 0, 0, 0, 1, 0,
     "an integer >= 0 (inhabitants)"},
    NUMBER("fallback_min_density", fallback_min_density, "60", 0, 1, DBL_MAX, 0,
           "a number >= 0 (inhabitants per km2)"),
};

static const keyspec output_keys[] = {
    {"dir", K_DIR, OFF(output_dir), "../reports", 0, 0, 0, 0, 0, "a folder path"},
    {"history", K_DIR, OFF(history_path), NULL, 0, 0, 0, 0, 0, "a file path"},
    {"csv_format", K_CSV, OFF(csv_format), "standard", 0, 0, 0, 0, 0,
     "standard (',' and '.', for GIS tools) or fr (';', decimal comma, for French "
     "spreadsheets)"},
    TEXT("licence", data_licence,
         "Licence Ouverte / Open Licence 2.0 (Etalab) pour les données publiques (INSEE, "
         "IGN, DGCL) ; l'annuaire des structures selon sa source"),
};

/* The category radius is not in a keyspec table ([categories] has free
** keys) but is checked like one. */
const keyspec rq_cfg_category_radius = {
    "radius", K_NUMBER, 0, NULL, 0, 0, 1000, 0, 1, "a number > 0 and <= 1000 (kilometres)"};

/* clang-format off */
#define SECTION(n, keys, what) {n, keys, sizeof keys / sizeof keys[0], what}
/* clang-format on */

/* The parser keeps a state per key in fixed arrays of MAX_KEYS. */
_Static_assert(sizeof structures_keys / sizeof structures_keys[0] <= MAX_KEYS,
               "[structures] has more keys than MAX_KEYS");
_Static_assert(sizeof cog_keys / sizeof cog_keys[0] <= MAX_KEYS, "[cog] exceeds MAX_KEYS");

const section rq_cfg_sections[NSEC] = {
    SECTION("study", study_keys, NULL),
    SECTION("communes", communes_keys, "the commune boundaries"),
    SECTION("units", units_keys, "the study units"),
    SECTION("cog", cog_keys, "the commune table, COG"),
    SECTION("epci", epci_keys, "the EPCI table"),
    SECTION("passage", passage_keys, "the passage table"),
    SECTION("departements", deps_keys, "the table of départements"),
    SECTION("density", density_keys, "the density grid"),
    SECTION("structures", structures_keys, "the table of structure sites"),
    {"categories", NULL, 0, NULL},
    SECTION("phases", phases_keys, NULL),
    SECTION("travel", travel_keys, NULL),
    SECTION("coverage", coverage_keys, NULL),
    SECTION("accessibility", accessibility_keys, NULL),
    SECTION("rurality", rurality_keys, NULL),
    SECTION("output", output_keys, NULL),
};

/* ---- Lookups ----------------------------------------------------------- */

/* Index of the entry of names nearest to s, or -1 when none is close
** enough: within MAX_HINT_DISTANCE, and fewer edits than s has letters (so
** that "x" does not suggest "lat"). */
int
rq_cfg_nearest(const char *s, const char *const *names, size_t n)
{
    int best = -1;
    size_t best_d = MAX_HINT_DISTANCE + 1;
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        size_t d = rq_edit_distance(s, names[i]);
        if (d < best_d && d < strlen(s)) {
            best_d = d;
            best = (int)i;
        }
    }
    return best;
}

int
rq_cfg_find_key(int sec, const char *key)
{
    for (size_t i = 0; i < rq_cfg_sections[sec].n_keys; i++)
        if (strcmp(rq_cfg_sections[sec].keys[i].name, key) == 0)
            return (int)i;
    return -1;
}

int
rq_cfg_find_section(const char *name)
{
    for (int i = 0; i < NSEC; i++)
        if (strcmp(rq_cfg_sections[i].name, name) == 0)
            return i;
    return -1;
}

/* The section, other than sec, where key is valid, or -1. */
int
rq_cfg_section_of_key(int sec, const char *key)
{
    for (int s = 0; s < NSEC; s++)
        if (s != sec && rq_cfg_find_key(s, key) >= 0)
            return s;
    return -1;
}
