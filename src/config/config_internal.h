/* config_internal.h - what the files of src/config/ share: the schema
** types, the parser state and the functions that one file calls in
** another. Internal to src/config/.
**
** The configuration module is split by concern:
**   - config.c: the public API (load, fini, lookups), the checks made once
**     the whole file was read, and the phase tables;
**   - schema.c: the table of sections and keys (kinds, defaults, bounds,
**     expected forms) and the lookups in it, "did you mean" hints included;
**   - convert.c: turning a value into its rq_config field (paths with
**     ${VAR}, lists, numbers, bands, phases, [categories] lines);
**   - reader.c: the line reader that feeds libinih, the handler of each
**     [section] and key = value line, and the file:line messages.
** Only functions and tables, which the linker sees, carry the rq_cfg_
** prefix; the types and constants below are seen by src/config/ alone.
*/
#ifndef RQ_CONFIG_INTERNAL_H
#define RQ_CONFIG_INTERNAL_H

#include "raquette/config.h"

#include <stddef.h>

/* Keys per section at most: the parser keeps a state per key in fixed
** arrays (schema.c checks the tables against it). */
#define MAX_KEYS 20

/* ---- Schema (schema.c) --------------------------------------------------- */

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
    K_CSV,       /* standard | fr */
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

enum {
    S_STUDY,
    S_COMMUNES,
    S_UNITS,
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

/* Every section, in the order of enum S_*; keys of [categories] are free
** (keys NULL). */
extern const section rq_cfg_sections[NSEC];
/* The radius of a [categories] line, checked like a key. */
extern const keyspec rq_cfg_category_radius;

/* Index of the entry of names nearest to s, or -1 when none is close
** enough (schema.c says how close). NULL entries are skipped. */
int rq_cfg_nearest(const char *s, const char *const *names, size_t n);
/* Index of key in section sec, or -1. */
int rq_cfg_find_key(int sec, const char *key);
/* Index of the section called name, or -1. */
int rq_cfg_find_section(const char *name);
/* The section, other than sec, where key is valid, or -1. */
int rq_cfg_section_of_key(int sec, const char *key);

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

/* ---- Reader (reader.c) ------------------------------------------------- */

/* Adds "file:line: <message>" to the diagnostics (no line when line <= 0). */
void rq_cfg_errl(parser *p, int line, const char *fmt, ...) RQ_PRINTF(3, 4);
/* How many bytes of s to quote, at most max, without cutting a UTF-8
** character in two. */
int rq_cfg_clip(const char *s, size_t max);
/* Adds "file:line: [sec] key = 'value': why; expected form" (why may be
** NULL). */
void rq_cfg_bad_value(parser *p, int line, int sec, const char *key, const char *value,
                      const char *why, const char *form);
/* Feeds the text from p->pos to p->end to libinih, line by line, converting
** each pair into p->cfg and every problem into p->diag. Returns what
** ini_parse_stream returns: 0, the line of a syntax error the reader missed,
** or < 0 when inih itself failed. */
int rq_cfg_read(parser *p);

/* ---- Conversions (convert.c) --------------------------------------------- */

/* Converts value (non-empty, trimmed) of key k of section sec, given at
** line (0 for a default), into p->cfg. Returns 1, or 0 after adding an
** error; on error the field is untouched. */
int rq_cfg_convert(parser *p, int line, int sec, const keyspec *k, const char *value);
/* Adds the [categories] line name = value (value trimmed, maybe empty) to
** p->cfg, or adds an error. */
void rq_cfg_convert_category(parser *p, int line, const char *name, const char *value);

#endif /* RQ_CONFIG_INTERNAL_H */
