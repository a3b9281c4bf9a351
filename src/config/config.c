/* config.c - loading and validating the analysis configuration (INI).
**
** The file is parsed by libinih, fed through our own line reader. The
** reader exists for three reasons:
**   - inih does not pass line numbers to the handler (INI_HANDLER_LINENO is
**     0 in the Debian build), and every message must name file:line;
**   - inih reports only the first syntax error, and we report them all: the
**     reader classifies each line itself and hands inih a blank line in
**     place of a bad one;
**   - inih silently splits lines longer than its 200-byte buffer and
**     truncates keys at 50 bytes; the reader keeps the whole key, and
**     handles over-long lines (long absolute paths) itself.
** The reader also strips leading white space, which turns off inih's
** "indented line continues the previous value" rule: an indented
** `key = value` is an ordinary key, never a silent continuation.
**
** Validation is table-driven (the schema below): each known key is
** converted into rq_config as soon as it is read, so errors come out in
** file order; defaults, required keys and rules between keys are applied
** after the whole file was read. Every problem goes to one rq_diag, turned
** into a single RQ_ERR_INPUT at the end (method.md §1.3: all at once).
*/
#include "raquette/config.h"
#include "raquette/crs.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const rq_phase_names[RQ_NPHASES] = {"emergence", "creation", "consolidation",
                                                "developpement"};
const char *const rq_phase_prefix[RQ_NPHASES] = {"EM", "CR", "CO", "DE"};

/* Config files are a few kilobytes; anything much larger is the wrong file
** (a GeoJSON given as --config), and would only produce thousands of
** syntax errors. */
#define MAX_FILE_SIZE (1024L * 1024L)
/* Suggestions beyond this edit distance are more confusing than helpful. */
#define MAX_HINT_DISTANCE 3
#define MAX_KEYS 20
/* Values are quoted in messages up to this length. */
#define MAX_QUOTED 120

/* ---- Schema ------------------------------------------------------------ */

typedef enum {
    K_TEXT,      /* free text: field names, layer, crs */
    K_NAME,      /* run name: [A-Za-z0-9._-]+ */
    K_CODES,     /* |-separated département codes */
    K_REGIONS,   /* |-separated région codes, or "metropole" */
    K_INPUT,     /* input path: ${VAR} expanded, resolved, must exist */
    K_DIR,       /* output folder: ${VAR} expanded, resolved, not checked */
    K_BOOL,      /* true/false/yes/no/1/0/on/off */
    K_NUMBER,    /* finite double within bounds */
    K_INTEGER,   /* long >= lo */
    K_SEPARATOR, /* one character, not a comma */
    K_VARIANT,   /* e2sfca | 2sfca */
    K_WEIGHT,    /* step | gaussian | gravity */
    K_BANDS,     /* upper_km:weight|... */
    K_LEVELS,    /* density levels 1..7 */
    K_PHASES     /* phase names */
} kind;

typedef struct keyspec {
    const char *name;
    kind kind;
    size_t off;      /* where the value goes in rq_config */
    const char *def; /* default, as text (converted like user text); NULL: unset */
    int required;
    double lo, hi; /* K_NUMBER bounds (hi = DBL_MAX: none); K_INTEGER uses lo */
    int lo_incl, hi_incl;
    const char *form; /* expected form, for messages */
} keyspec;

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

static const keyspec cog_keys[] = {
    INPUT_PATH(cog, 1),
    INPUT_LAYER(cog),
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
};

/* The category radius is not in a keyspec table ([categories] has free
** keys) but is checked like one. */
static const keyspec category_radius = {
    "radius", K_NUMBER, 0, NULL, 0, 0, 1000, 0, 1, "a number > 0 and <= 1000 (kilometres)"};

enum {
    S_STUDY,
    S_COMMUNES,
    S_COG,
    S_EPCI,
    S_PASSAGE,
    S_DEPS,
    S_DENSITY,
    S_STRUCTURES,
    S_CATEGORIES,
    S_PHASES,
    S_TRAVEL,
    S_COVERAGE,
    S_ACCESSIBILITY,
    S_RURALITY,
    S_OUTPUT,
    NSEC,
    SEC_NONE = -1,   /* before the first header */
    SEC_UNKNOWN = -2 /* under a header already reported as unknown */
};

typedef struct section {
    const char *name;
    const keyspec *keys;
    size_t n_keys;
    const char *what; /* what the section's path points to, for messages */
} section;

/* clang-format off */
#define SECTION(n, keys, what) {n, keys, sizeof keys / sizeof keys[0], what}
/* clang-format on */

/* The parser keeps a state per key in fixed arrays of MAX_KEYS. */
_Static_assert(sizeof structures_keys / sizeof structures_keys[0] <= MAX_KEYS,
               "[structures] has more keys than MAX_KEYS");
_Static_assert(sizeof cog_keys / sizeof cog_keys[0] <= MAX_KEYS, "[cog] exceeds MAX_KEYS");

static const section sections[NSEC] = {
    SECTION("study", study_keys, NULL),
    SECTION("communes", communes_keys, "the commune boundaries"),
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

/* ---- Parser state -------------------------------------------------------- */

typedef enum { ST_UNSEEN = 0, ST_EMPTY, ST_BAD, ST_OK } key_state;

typedef struct parser {
    rq_config *cfg;
    rq_diag *diag;
    const char *file; /* for messages */

    /* Reader: the text and the current line. */
    const char *pos, *end;
    int lineno;
    char *line; /* current line, leading white space stripped */
    size_t line_cap;
    char *key; /* key of the current key = value line */

    int sec; /* current section, SEC_NONE or SEC_UNKNOWN */
    int sec_line[NSEC];
    key_state state[NSEC][MAX_KEYS];
    int key_line[NSEC][MAX_KEYS];
    int cat_line[RQ_MAX_CATEGORIES];
    int too_many_categories; /* reported once */
    int n_category_lines;    /* valid or not: "no category" would be noise */

    /* Environment variables already reported as unset, so that five paths
    ** using ${RAQUETTE_GEODATA} give one full message and four short ones. */
    char *unset_var[8];
    int unset_line[8];
    size_t n_unset;
} parser;

/* Adds "file:line: <message>" to the diagnostics. */
static void errl(parser *p, int line, const char *fmt, ...) RQ_PRINTF(3, 4);

static void
errl(parser *p, int line, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (line > 0)
        rq_diag_add(p->diag, "%s:%d: %s", p->file, line, buf);
    else
        rq_diag_add(p->diag, "%s: %s", p->file, buf);
}

/* How many bytes of s to quote, at most max, without cutting a UTF-8
** character in two (names such as "Incubateur régional" are common). */
static int
clip(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

/* "file:line: [sec] key = 'value': why; expected form". */
static void
bad_value(parser *p, int line, int sec, const char *key, const char *value, const char *why,
          const char *form)
{
    int n = clip(value, MAX_QUOTED);
    errl(p, line, "[%s] %s = '%.*s%s': %s%sexpected %s", sections[sec].name, key, n, value,
         value[n] ? "..." : "", why ? why : "", why ? "; " : "", form);
}

/* ---- Small helpers --------------------------------------------------------- */

static int
is_code(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]))
            return 0;
    return n >= 1 && n <= 3;
}

static int
parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "1", "on"};
    static const char *const no[] = {"false", "no", "0", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 1;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

static int
parse_number(const char *s, double *out)
{
    double v;
    if (!rq_parse_double(s, &v) || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int
in_bounds(const keyspec *k, double v)
{
    if (k->lo_incl ? v < k->lo : v <= k->lo)
        return 0;
    if (k->hi != DBL_MAX && (k->hi_incl ? v > k->hi : v >= k->hi))
        return 0;
    return 1;
}

/* Index of the entry of names nearest to s, or -1 when none is close
** enough: within MAX_HINT_DISTANCE, and fewer edits than s has letters (so
** that "x" does not suggest "lat"). */
static int
nearest(const char *s, const char *const *names, size_t n)
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

static int
find_key(int sec, const char *key)
{
    for (size_t i = 0; i < sections[sec].n_keys; i++)
        if (strcmp(sections[sec].keys[i].name, key) == 0)
            return (int)i;
    return -1;
}

static int
find_section(const char *name)
{
    for (int i = 0; i < NSEC; i++)
        if (strcmp(sections[i].name, name) == 0)
            return i;
    return -1;
}

/* Appends n bytes of s to the growable string *buf. */
static void
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    rq_grow((void **)buf, cap, *len + n + 1, 1);
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* GDAL also opens virtual files (/vsizip/...) and connection strings
** (PG:..., WFS:..., https://...): those are neither resolved nor checked. */
static int
is_gdal_virtual(const char *path)
{
    if (strncmp(path, "/vsi", 4) == 0)
        return 1;
    size_t n = 0;
    while (isalnum((unsigned char)path[n]) || path[n] == '_')
        n++;
    return n >= 2 && path[n] == ':' && isalpha((unsigned char)path[0]);
}

/* ---- Paths ---------------------------------------------------------------- */

/* Expands every ${NAME} of value from the environment. Returns a new
** string, or NULL after adding an error. */
static char *
expand_vars(parser *p, int line, int sec, const char *key, const char *value)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    const char *s = value;
    append(&out, &len, &cap, "", 0);
    for (;;) {
        const char *d = strstr(s, "${");
        if (!d) {
            append(&out, &len, &cap, s, strlen(s));
            break;
        }
        append(&out, &len, &cap, s, (size_t)(d - s));
        const char *close = strchr(d + 2, '}');
        size_t nlen = close ? (size_t)(close - d - 2) : 0;
        int valid = close && nlen > 0 && !isdigit((unsigned char)d[2]);
        for (size_t i = 0; valid && i < nlen; i++)
            valid = isalnum((unsigned char)d[2 + i]) || d[2 + i] == '_';
        if (!valid) {
            bad_value(p, line, sec, key, value, "malformed ${...}",
                      "${NAME} with NAME an environment variable (letters, digits, '_')");
            goto fail;
        }
        char name[256];
        if (nlen >= sizeof name) {
            bad_value(p, line, sec, key, value, "variable name too long",
                      "${NAME} with NAME an environment variable");
            goto fail;
        }
        memcpy(name, d + 2, nlen);
        name[nlen] = '\0';
        const char *v = getenv(name);
        if (!v || !*v) {
            size_t i = 0;
            while (i < p->n_unset && strcmp(p->unset_var[i], name) != 0)
                i++;
            if (i < p->n_unset) {
                errl(p, line, "[%s] %s uses ${%s}, which is not set either (see line %d)",
                     sections[sec].name, key, name, p->unset_line[i]);
            } else {
                int geodata = strcmp(name, "RAQUETTE_GEODATA") == 0;
                errl(p, line, "[%s] %s uses ${%s} but the environment variable %s is not set; %s",
                     sections[sec].name, key, name, name,
                     geodata ? "set it to the folder of the data (e.g. ../shared/geodata)"
                             : "set it, or write the path out in full");
                if (p->n_unset < sizeof p->unset_var / sizeof p->unset_var[0]) {
                    p->unset_var[p->n_unset] = rq_xstrdup(name);
                    p->unset_line[p->n_unset++] = line;
                }
            }
            goto fail;
        }
        if (len + strlen(v) > RQ_MAX_PATH_BYTES) {
            errl(p, line, "[%s] %s: ${%s} makes the path longer than %d bytes; expected a "
                          "path",
                 sections[sec].name, key, name, RQ_MAX_PATH_BYTES);
            goto fail;
        }
        append(&out, &len, &cap, v, strlen(v));
        s = close + 1;
    }
    return out;

fail:
    free(out);
    return NULL;
}

/* Expands value and resolves it against the configuration folder. When
** check is set, the result must exist. Returns a new string or NULL after
** adding an error.
**
** A value that starts with ${VAR} is not resolved: the variable holds a
** path the user typed in a shell, relative to the cwd when relative. With
** RAQUETTE_GEODATA=../shared/geodata, run from the project root, joining it
** to config/ would point at config/../shared/geodata, which does not exist.
** Only a relative path written out in the file is the file's business. */
static char *
resolve_path(parser *p, int line, int sec, const char *key, const char *value, int check)
{
    char *exp = expand_vars(p, line, sec, key, value);
    char *path = NULL;
    if (!exp)
        return NULL;
    const char *dir = p->cfg->dir;
    int from_var = strncmp(value, "${", 2) == 0;
    if (from_var || exp[0] == '/' || is_gdal_virtual(exp) || strcmp(dir, ".") == 0) {
        path = exp;
        exp = NULL;
    } else {
        size_t dl = strlen(dir);
        path = rq_xasprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", exp);
    }
    free(exp);

    if (strlen(path) > RQ_MAX_PATH_BYTES) {
        errl(p, line, "[%s] %s: the path is %zu bytes long once expanded; expected at most %d",
             sections[sec].name, key, strlen(path), RQ_MAX_PATH_BYTES);
        free(path);
        return NULL;
    }
    if (check && !is_gdal_virtual(path)) {
        struct stat st;
        if (stat(path, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                errl(p, line, "[%s] %s: file not found: %s", sections[sec].name, key, path);
            else
                errl(p, line, "[%s] %s: cannot access %s: %s", sections[sec].name, key, path,
                     strerror(errno));
            free(path);
            return NULL;
        }
        /* A FIFO or a device would block or never end; a folder is not a
        ** table. */
        if (!S_ISREG(st.st_mode)) {
            errl(p, line, "[%s] %s: %s is %s; expected a regular file", sections[sec].name, key,
                 path,
                 S_ISDIR(st.st_mode)    ? "a folder"
                 : S_ISFIFO(st.st_mode) ? "a named pipe (FIFO)"
                                        : "a device or special file");
            free(path);
            return NULL;
        }
    }
    return path;
}

/* ---- Conversions ------------------------------------------------------------ */

static int
convert_bands(parser *p, int line, int sec, const keyspec *k, const char *value)
{
    rq_config *cfg = p->cfg;
    size_t n = 0;
    char **items = rq_strsplit(value, '|', &n);
    double km[RQ_MAX_BANDS], w[RQ_MAX_BANDS];
    char why[160];
    int ok = 0;

    if (n == 0) {
        bad_value(p, line, sec, k->name, value, "no band", k->form);
        goto cleanup;
    }
    if (n > RQ_MAX_BANDS) {
        snprintf(why, sizeof why, "%zu bands, at most %d allowed", n, RQ_MAX_BANDS);
        bad_value(p, line, sec, k->name, value, why, k->form);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        char *colon = strchr(items[i], ':');
        if (!colon || strchr(colon + 1, ':')) {
            snprintf(why, sizeof why, "band %zu '%.*s' is not upper_km:weight", i + 1,
                     clip(items[i], 40), items[i]);
            bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        *colon = '\0';
        if (!parse_number(items[i], &km[i]) || km[i] <= 0) {
            snprintf(why, sizeof why, "band %zu: upper bound '%.*s' is not a number > 0", i + 1,
                     clip(items[i], 40), items[i]);
            bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        if (i > 0 && km[i] <= km[i - 1]) {
            snprintf(why, sizeof why, "band %zu: upper bound %g does not exceed %g", i + 1, km[i],
                     km[i - 1]);
            bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        if (!parse_number(colon + 1, &w[i]) || w[i] < 0 || w[i] > 1) {
            snprintf(why, sizeof why, "band %zu: weight '%.*s' is not a number from 0 to 1", i + 1,
                     clip(colon + 1, 40), colon + 1);
            bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
    }
    memcpy(cfg->band_km, km, n * sizeof km[0]);
    memcpy(cfg->band_w, w, n * sizeof w[0]);
    cfg->n_bands = n;
    ok = 1;

cleanup:
    rq_strv_free(items);
    return ok;
}

static int
convert_levels(parser *p, int line, int sec, const keyspec *k, const char *value)
{
    size_t n = 0;
    char **items = rq_strsplit(value, '|', &n);
    int levels[8] = {0};
    int ok = n > 0;
    for (size_t i = 0; ok && i < n; i++) {
        long l;
        ok = rq_parse_long(items[i], &l) && l >= 1 && l <= 7;
        if (ok)
            levels[l] = 1;
    }
    if (ok)
        memcpy(p->cfg->rural_levels, levels, sizeof levels);
    else
        bad_value(p, line, sec, k->name, value, NULL, k->form);
    rq_strv_free(items);
    return ok;
}

static int
convert_phases(parser *p, int line, int sec, const keyspec *k, const char *value)
{
    size_t n = 0;
    char **items = rq_strsplit(value, '|', &n);
    int req[RQ_NPHASES] = {0};
    int ok = 0;
    char why[160];

    if (n == 0) {
        bad_value(p, line, sec, k->name, value, "no phase", k->form);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        int ph = rq_phase_index(items[i]);
        if (ph < 0) {
            int h = nearest(items[i], rq_phase_names, RQ_NPHASES);
            if (h >= 0)
                snprintf(why, sizeof why, "unknown phase '%.*s' (did you mean '%s'?)",
                         clip(items[i], 40), items[i], rq_phase_names[h]);
            else
                snprintf(why, sizeof why, "unknown phase '%.*s'", clip(items[i], 40), items[i]);
            bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        req[ph] = 1;
    }
    memcpy(p->cfg->required, req, sizeof req);
    ok = 1;

cleanup:
    rq_strv_free(items);
    return ok;
}

/* Converts value (non-empty, trimmed) of key k into the configuration.
** Returns 1, or 0 after adding an error; on error the field is untouched. */
static int
convert(parser *p, int line, int sec, const keyspec *k, const char *value)
{
    void *field = (char *)p->cfg + k->off;
    char **str = field;

    switch (k->kind) {
    case K_TEXT:
        *str = rq_xstrdup(value);
        return 1;
    case K_NAME: {
        const char *why = rq_run_name_problem(value);
        if (why) {
            bad_value(p, line, sec, k->name, value, why, k->form);
            return 0;
        }
        *str = rq_xstrdup(value);
        return 1;
    }
    case K_CODES: {
        size_t n = 0;
        char **codes = rq_strsplit(value, '|', &n);
        int ok = n > 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = is_code(codes[i]);
        if (!ok) {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            rq_strv_free(codes);
            return 0;
        }
        *(char ***)field = codes;
        p->cfg->n_departements = n;
        return 1;
    }
    case K_REGIONS: {
        if (strcasecmp(value, RQ_METROPOLE) == 0) {
            p->cfg->metropole = 1;
            return 1;
        }
        size_t n = 0;
        char **codes = rq_strsplit(value, '|', &n);
        int ok = n > 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = is_code(codes[i]);
        if (!ok) {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            rq_strv_free(codes);
            return 0;
        }
        *(char ***)field = codes;
        p->cfg->n_regions = n;
        return 1;
    }
    case K_INPUT:
    case K_DIR: {
        char *path = resolve_path(p, line, sec, k->name, value, k->kind == K_INPUT);
        if (!path)
            return 0;
        *str = path;
        return 1;
    }
    case K_BOOL:
        if (!parse_bool(value, (int *)field)) {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        return 1;
    case K_NUMBER: {
        double v;
        if (!parse_number(value, &v) || !in_bounds(k, v)) {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        *(double *)field = v;
        return 1;
    }
    case K_INTEGER: {
        long v;
        if (!rq_parse_long(value, &v) || v < (long)k->lo) {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        *(long *)field = v;
        return 1;
    }
    case K_SEPARATOR:
        if (strlen(value) != 1 || value[0] == ',') {
            bad_value(p, line, sec, k->name, value,
                      value[0] == ',' ? "a comma would clash with CSV columns" : NULL, k->form);
            return 0;
        }
        *(char *)field = value[0];
        return 1;
    case K_VARIANT:
        if (strcasecmp(value, "e2sfca") == 0)
            *(rq_fca_variant *)field = RQ_FCA_E2SFCA;
        else if (strcasecmp(value, "2sfca") == 0)
            *(rq_fca_variant *)field = RQ_FCA_2SFCA;
        else {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        return 1;
    case K_WEIGHT:
        if (strcasecmp(value, "step") == 0)
            *(rq_weight_kind *)field = RQ_WEIGHT_STEP;
        else if (strcasecmp(value, "gaussian") == 0)
            *(rq_weight_kind *)field = RQ_WEIGHT_GAUSSIAN;
        else if (strcasecmp(value, "gravity") == 0)
            *(rq_weight_kind *)field = RQ_WEIGHT_GRAVITY;
        else {
            bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        return 1;
    case K_BANDS:
        return convert_bands(p, line, sec, k, value);
    case K_LEVELS:
        return convert_levels(p, line, sec, k, value);
    case K_PHASES:
        return convert_phases(p, line, sec, k, value);
    }
    return 0;
}

/* ---- Key = value pairs --------------------------------------------------- */

static int
valid_category_name(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

static void
on_category(parser *p, int line, const char *name, const char *value)
{
    rq_config *cfg = p->cfg;
    int ok = 1;

    p->n_category_lines++;
    if (!valid_category_name(name)) {
        errl(p, line,
             "[categories] '%s' is not a valid category name: expected lower-case letters, "
             "digits or '_' (it becomes part of output field names such as couv_<name>)",
             name);
        ok = 0;
    }
    int dup = rq_config_category(cfg, name);
    if (dup >= 0) {
        errl(p, line, "[categories] duplicate key '%s' (first given at line %d)", name,
             p->cat_line[dup]);
        return;
    }
    double r = 0;
    if (!*value) {
        bad_value(p, line, S_CATEGORIES, name, value, "no radius", category_radius.form);
        ok = 0;
    } else if (!parse_number(value, &r) || !in_bounds(&category_radius, r)) {
        bad_value(p, line, S_CATEGORIES, name, value, NULL, category_radius.form);
        ok = 0;
    }
    if (!ok)
        return;
    if (cfg->n_categories == RQ_MAX_CATEGORIES) {
        if (!p->too_many_categories)
            errl(p, line, "[categories] '%s': too many categories, at most %d are allowed", name,
                 RQ_MAX_CATEGORIES);
        p->too_many_categories = 1;
        return;
    }
    p->cat_line[cfg->n_categories] = line;
    cfg->categories[cfg->n_categories].name = rq_xstrdup(name);
    cfg->categories[cfg->n_categories].radius_km = r;
    cfg->n_categories++;
}

/* The section, other than sec, where key is valid, or -1. */
static int
section_of_key(int sec, const char *key)
{
    for (int s = 0; s < NSEC; s++)
        if (s != sec && find_key(s, key) >= 0)
            return s;
    return -1;
}

static void
unknown_key(parser *p, int line, int sec, const char *key)
{
    const section *S = &sections[sec];
    const char *names[MAX_KEYS];
    for (size_t i = 0; i < S->n_keys; i++)
        names[i] = S->keys[i].name;
    int h = nearest(key, names, S->n_keys);
    if (h >= 0) {
        errl(p, line, "unknown key '%s' in [%s] (did you mean '%s'?)", key, S->name, names[h]);
        return;
    }
    int other = section_of_key(sec, key);
    if (other >= 0) {
        errl(p, line, "unknown key '%s' in [%s] (it belongs in [%s])", key, S->name,
             sections[other].name);
        return;
    }
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < S->n_keys && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    errl(p, line, "unknown key '%s' in [%s] (valid keys: %s)", key, S->name, list);
}

static void
on_pair(parser *p, const char *key, const char *value)
{
    int line = p->lineno;
    int sec = p->sec;

    if (sec == SEC_UNKNOWN)
        return; /* the header was reported; its keys would only add noise */
    if (sec == SEC_NONE) {
        int other = section_of_key(-1, key);
        if (other >= 0)
            errl(p, line, "key '%s' comes before any [section] (it belongs in [%s])", key,
                 sections[other].name);
        else
            errl(p, line, "key '%s' comes before any [section]", key);
        return;
    }
    if (sec == S_CATEGORIES) {
        on_category(p, line, key, value);
        return;
    }
    int ki = find_key(sec, key);
    if (ki < 0) {
        unknown_key(p, line, sec, key);
        return;
    }
    if (p->state[sec][ki] != ST_UNSEEN) {
        errl(p, line, "duplicate key '%s' in [%s] (first given at line %d)", key,
             sections[sec].name, p->key_line[sec][ki]);
        return;
    }
    p->key_line[sec][ki] = line;
    if (!*value)
        p->state[sec][ki] = ST_EMPTY; /* empty means unset: the default applies */
    else
        p->state[sec][ki] = convert(p, line, sec, &sections[sec].keys[ki], value) ? ST_OK : ST_BAD;
}

/* inih handler. section and name are ignored: the reader tracked both
** without inih's truncation (50 bytes). */
static int
ini_handler_cb(void *user, const char *section_name, const char *name, const char *value)
{
    parser *p = user;
    (void)section_name;
    (void)name;
    on_pair(p, p->key, value);
    return 1; /* errors are collected, never stop inih */
}

/* ---- Line reader ----------------------------------------------------------- */

/* Mirrors inih: the first of chars, or an inline ';' comment (a ';' after
** white space), or the end of s. */
static char *
find_chars_or_comment(char *s, const char *chars)
{
    int was_space = 0;
    while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* A [section] line: updates p->sec. Returns 1 when the line is well formed. */
static int
on_header(parser *p)
{
    char *l = p->line;
    char *close = find_chars_or_comment(l + 1, "]");
    if (*close != ']') {
        errl(p, p->lineno, "section header '%.*s' lacks its closing ']'", clip(l, 60), l);
        p->sec = SEC_UNKNOWN;
        return 0;
    }
    *close = '\0';
    char *rest = close + 1;
    while (isspace((unsigned char)*rest))
        rest++;
    char *name = rq_strtrim(l + 1);
    int sec = find_section(name);
    if (!*name) {
        errl(p, p->lineno, "empty section name []");
        p->sec = SEC_UNKNOWN;
    } else if (sec < 0) {
        const char *names[NSEC];
        for (int i = 0; i < NSEC; i++)
            names[i] = sections[i].name;
        int h = nearest(name, names, NSEC);
        if (h >= 0) {
            errl(p, p->lineno, "unknown section [%s] (did you mean [%s]?)", name, names[h]);
        } else {
            char list[256];
            size_t len = 0;
            list[0] = '\0';
            for (int i = 0; i < NSEC && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s[%s]", i ? " " : "",
                                        names[i]);
            errl(p, p->lineno, "unknown section [%s] (sections: %s)", name, list);
        }
        p->sec = SEC_UNKNOWN;
    } else {
        p->sec = sec;
        if (!p->sec_line[sec])
            p->sec_line[sec] = p->lineno;
    }
    /* inih ignores text after ']'; "[study] name = x" would silently lose
    ** the key. */
    if (*rest && *rest != ';' && *rest != '#') {
        errl(p, p->lineno, "unexpected text '%.*s' after [%s]: put each key on its own line",
             clip(rest, 60), rest, name);
        return 0;
    }
    return 1;
}

/* ini_reader: hands inih one physical line per call, so that p->lineno is
** the line of the pair the handler receives. */
static char *
read_line(char *buf, int num, void *stream)
{
    parser *p = stream;
    if (p->pos >= p->end)
        return NULL;

    const char *s = p->pos;
    const char *nl = memchr(s, '\n', (size_t)(p->end - s));
    size_t len = (size_t)((nl ? nl : p->end) - s);
    p->pos = nl ? nl + 1 : p->end;
    p->lineno++;
    free(p->key);
    p->key = NULL;

    const char *give = ""; /* what inih gets: blank unless a valid pair */
    if (len && s[len - 1] == '\r')
        len--;
    if (p->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3; /* UTF-8 byte order mark */
        len -= 3;
    }
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (memchr(s, '\0', len)) {
        errl(p, p->lineno, "contains a NUL byte: is this a text file?");
        goto emit;
    }
    rq_grow((void **)&p->line, &p->line_cap, len + 1, 1);
    memcpy(p->line, s, len);
    p->line[len] = '\0';
    char *l = p->line;

    if (!*l || *l == ';' || *l == '#')
        goto emit;
    if (*l == '[') {
        /* The handler uses p->sec, so inih needs no section line. */
        on_header(p);
        goto emit;
    }
    char *sep = find_chars_or_comment(l, "=:");
    if (*sep != '=' && *sep != ':') {
        errl(p, p->lineno, "'%.*s' is not 'key = value', a [section] header or a comment",
             clip(l, 60), l);
        goto emit;
    }
    p->key = rq_xstrdup(l);
    p->key[sep - l] = '\0';
    rq_strtrim(p->key);
    if (!*p->key) {
        errl(p, p->lineno, "'%.*s' has no key before '%c'", clip(l, 60), l, *sep);
        goto emit;
    }
    if (len + 2 <= (size_t)num) {
        give = l;
        goto emit;
    }
    /* Too long for inih's buffer: split the value as inih would (inline
    ** comment, trimming) and handle the pair here. */
    {
        char *value = sep + 1;
        char *c = value;
        int was_space = 0;
        while (*c && !(was_space && *c == ';')) {
            was_space = isspace((unsigned char)*c);
            c++;
        }
        *c = '\0';
        on_pair(p, p->key, rq_strtrim(value));
    }

emit:
    snprintf(buf, (size_t)num, "%s\n", give);
    return buf;
}

/* ---- Whole-file checks ------------------------------------------------------- */

static void
check_required_and_defaults(parser *p)
{
    for (int sec = 0; sec < NSEC; sec++) {
        const section *S = &sections[sec];
        for (size_t i = 0; i < S->n_keys; i++) {
            const keyspec *k = &S->keys[i];
            key_state st = p->state[sec][i];
            if (k->required && st == ST_UNSEEN) {
                if (p->sec_line[sec])
                    errl(p, p->sec_line[sec], "[%s] has no %s: the %s of %s is required", S->name,
                         k->name, k->name, S->what);
                else
                    errl(p, 0, "missing section [%s] with its required key %s (%s)", S->name,
                         k->name, S->what);
            } else if (k->required && st == ST_EMPTY) {
                errl(p, p->key_line[sec][i], "[%s] %s is empty: the %s of %s is required", S->name,
                     k->name, k->name, S->what);
            }
            if (st != ST_OK && k->def)
                (void)convert(p, 0, sec, k, k->def);
        }
    }
}

/* Areas and distances are computed in [study] crs (method.md §1.2): a CRS in
** degrees would give areas in square degrees and radii of 40 degrees. */
static void
check_metric_crs(parser *p)
{
    int ic = find_key(S_STUDY, "crs");
    int line = p->state[S_STUDY][ic] >= ST_BAD ? p->key_line[S_STUDY][ic] : p->sec_line[S_STUDY];
    const char *crs = p->cfg->crs;
    char unit[64] = "";
    rq_err err = {0};
    rq_err_clear(&err);
    if (!crs || p->state[S_STUDY][ic] == ST_BAD)
        return; /* missing or already reported */
    int m = rq_crs_is_metric(crs, unit, sizeof unit, &err);
    if (m < 0)
        errl(p, line, "[study] crs = %s: %s; expected a projected CRS in metres (e.g. EPSG:2154)",
             crs, err.msg);
    else if (m == 0)
        errl(p, line,
             "[study] crs = %s is in %s; expected a projected CRS in metres, such as EPSG:2154 "
             "(Lambert-93) for metropolitan France",
             crs, unit[0] ? unit : "non-metric units");
}

static void
check_rules(parser *p)
{
    int ir = find_key(S_STUDY, "region"), id = find_key(S_STUDY, "departements");
    int has_r = p->state[S_STUDY][ir] >= ST_BAD, has_d = p->state[S_STUDY][id] >= ST_BAD;
    if (has_r && has_d) {
        int lr = p->key_line[S_STUDY][ir], ld = p->key_line[S_STUDY][id];
        errl(p, lr > ld ? lr : ld,
             "[study] region (line %d) and departements (line %d) are both set: give exactly "
             "one of them",
             lr, ld);
    } else if (!has_r && !has_d) {
        errl(p, p->sec_line[S_STUDY],
             "[study] has neither region nor departements: give exactly one of them "
             "(e.g. region = 76, or departements = 09|11|31)");
    }
    check_metric_crs(p);
    if (p->n_category_lines == 0) {
        errl(p, p->sec_line[S_CATEGORIES],
             "[categories] %s: give at least one category as name = radius_km "
             "(e.g. incubateur = 40)",
             p->sec_line[S_CATEGORIES] ? "is empty" : "is missing");
    }
}

/* ---- Public API ------------------------------------------------------------ */

const char *
rq_run_name_problem(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return "empty";
    if (n > RQ_MAX_RUN_NAME)
        return "too long";
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return "a character other than a letter, a digit, '.', '_' or '-'";
    /* "-rf" reads as an option; ".." would name the parent folder. */
    if (name[0] == '-' || name[0] == '.')
        return "it starts with '-' or '.'";
    return NULL;
}

int
rq_phase_index(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < RQ_NPHASES; i++)
        if (strcmp(name, rq_phase_names[i]) == 0)
            return i;
    return -1;
}

char *
rq_config_area_text(const rq_config *cfg)
{
    if (cfg->metropole)
        return rq_xstrdup(RQ_METROPOLE);
    char **v = cfg->regions ? cfg->regions : cfg->departements;
    size_t len = 1;
    for (size_t i = 0; v && v[i]; i++)
        len += strlen(v[i]) + 1;
    char *out = rq_xcalloc(len, 1);
    for (size_t i = 0; v && v[i]; i++) {
        if (i)
            strcat(out, "|");
        strcat(out, v[i]);
    }
    return out;
}

int
rq_config_category(const rq_config *cfg, const char *name)
{
    if (!cfg || !name)
        return -1;
    for (size_t i = 0; i < cfg->n_categories; i++)
        if (strcmp(cfg->categories[i].name, name) == 0)
            return (int)i;
    return -1;
}

void
rq_config_fini(rq_config *cfg)
{
    if (!cfg)
        return;
    /* The schema knows every owned string, so fini cannot miss one. */
    for (int sec = 0; sec < NSEC; sec++) {
        for (size_t i = 0; i < sections[sec].n_keys; i++) {
            const keyspec *k = &sections[sec].keys[i];
            void *field = (char *)cfg + k->off;
            switch (k->kind) {
            case K_TEXT:
            case K_NAME:
            case K_INPUT:
            case K_DIR:
                free(*(char **)field);
                break;
            case K_CODES:
            case K_REGIONS:
                rq_strv_free(*(char ***)field);
                break;
            default:
                break;
            }
        }
    }
    for (size_t i = 0; i < cfg->n_categories; i++)
        free(cfg->categories[i].name);
    free(cfg->file);
    free(cfg->dir);
    memset(cfg, 0, sizeof *cfg);
}

/* Parses len bytes of text into cfg, whose file and dir are set. */
static rq_status
load_text(const char *text, size_t len, rq_config *cfg, rq_err *err)
{
    rq_diag diag;
    parser p;
    rq_status rc = RQ_OK;

    rq_diag_init(&diag);
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.diag = &diag;
    p.file = cfg->file;
    p.pos = text;
    p.end = text + len;
    p.sec = SEC_NONE;

    int r = ini_parse_stream(read_line, &p, ini_handler_cb, &p);
    if (r > 0)
        errl(&p, r, "syntax error"); /* the reader should have caught it */
    else if (r < 0) {
        rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: the INI parser failed (%d)", cfg->file, r);
        goto cleanup;
    }
    check_required_and_defaults(&p);
    check_rules(&p);
    rc = rq_diag_to_err(&diag, cfg->file, err);

cleanup:
    for (size_t i = 0; i < p.n_unset; i++)
        free(p.unset_var[i]);
    free(p.line);
    free(p.key);
    rq_diag_fini(&diag);
    if (rc != RQ_OK)
        rq_config_fini(cfg);
    return rc;
}

rq_status
rq_config_load_string(const char *text, const char *name, const char *base_dir, rq_config *cfg,
                      rq_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->file = rq_xstrdup(name && *name ? name : "<string>");
    cfg->dir = rq_xstrdup(base_dir && *base_dir ? base_dir : ".");
    if (!text)
        text = "";
    return load_text(text, strlen(text), cfg, err);
}

rq_status
rq_config_load(const char *path, rq_config *cfg, rq_err *err)
{
    FILE *f = NULL;
    char *text = NULL;
    rq_status rc = RQ_OK;
    struct stat st;

    memset(cfg, 0, sizeof *cfg);
    if (!path || !*path)
        return rq_err_set(err, RQ_ERR_USAGE, "no configuration file given");
    /* O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = rq_err_set(err, RQ_ERR_INPUT, "configuration file %s: %s", path,
                        errno == ENOENT ? "file not found" : strerror(errno));
        if (fd >= 0)
            close(fd);
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = rq_err_set(err, RQ_ERR_INPUT, "configuration file %s is %s; expected the .ini file",
                        path,
                        S_ISDIR(st.st_mode)    ? "a folder"
                        : S_ISFIFO(st.st_mode) ? "a named pipe (FIFO)"
                                               : "a device or special file");
        close(fd);
        goto cleanup;
    }
    if (st.st_size > MAX_FILE_SIZE) {
        rc = rq_err_set(err, RQ_ERR_INPUT,
                        "configuration file %s is %lld bytes: too large for an INI "
                        "configuration (at most %ld); is it the right file?",
                        path, (long long)st.st_size, MAX_FILE_SIZE);
        goto cleanup;
    }
    f = fdopen(fd, "rb");
    if (!f) {
        rc = rq_err_set(err, RQ_ERR_INPUT, "cannot open configuration file %s: %s", path,
                        strerror(errno));
        close(fd);
        goto cleanup;
    }
    /* Read in chunks rather than trusting st_size: a pipe reports none. */
    size_t len = 0, cap = 0, got;
    do {
        rq_grow((void **)&text, &cap, len + 4096 + 1, 1);
        got = fread(text + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0 && len <= (size_t)MAX_FILE_SIZE);
    if (ferror(f)) {
        rc = rq_err_set(err, RQ_ERR_IO, "cannot read configuration file %s: %s", path,
                        strerror(errno));
        goto cleanup;
    }
    if (len > (size_t)MAX_FILE_SIZE) {
        rc = rq_err_set(err, RQ_ERR_INPUT,
                        "configuration file %s is too large for an INI configuration", path);
        goto cleanup;
    }
    text[len] = '\0';

    cfg->file = rq_xstrdup(path);
    const char *slash = strrchr(path, '/');
    if (!slash)
        cfg->dir = rq_xstrdup(".");
    else if (slash == path)
        cfg->dir = rq_xstrdup("/");
    else {
        size_t n = (size_t)(slash - path);
        cfg->dir = rq_xmalloc(n + 1);
        memcpy(cfg->dir, path, n);
        cfg->dir[n] = '\0';
    }
    rc = load_text(text, len, cfg, err);

cleanup:
    if (f)
        fclose(f);
    free(text);
    if (rc != RQ_OK)
        rq_config_fini(cfg);
    return rc;
}
