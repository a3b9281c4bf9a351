/* convert.c - turning the text of a value into its rq_config field.
**
** The reader hands each known key over as soon as it is read, and the
** kind its keyspec gives (schema.c) says how to convert it: texts, code
** lists, booleans, bounded numbers, enumerations, bands, density levels,
** phases, and paths, whose ${VAR} are expanded from the environment and
** which are resolved against the configuration's folder. [categories]
** lines, whose keys are free, are converted here too. A bad value adds one
** message (file:line, the key, the value quoted, the expected form) and
** leaves the field untouched, so that the default applies.
*/
#include "config/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
            rq_cfg_bad_value(p, line, sec, key, value, "malformed ${...}",
                             "${NAME} with NAME an environment variable (letters, digits, '_')");
            goto fail;
        }
        char name[256];
        if (nlen >= sizeof name) {
            rq_cfg_bad_value(p, line, sec, key, value, "variable name too long",
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
                rq_cfg_errl(p, line, "[%s] %s uses ${%s}, which is not set either (see line %d)",
                            rq_cfg_sections[sec].name, key, name, p->unset_line[i]);
            } else {
                int geodata = strcmp(name, "RAQUETTE_GEODATA") == 0;
                rq_cfg_errl(p, line,
                            "[%s] %s uses ${%s} but the environment variable %s is not set; %s",
                            rq_cfg_sections[sec].name, key, name, name,
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
            rq_cfg_errl(p, line,
                        "[%s] %s: ${%s} makes the path longer than %d bytes; expected a "
                        "path",
                        rq_cfg_sections[sec].name, key, name, RQ_MAX_PATH_BYTES);
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
        rq_cfg_errl(p, line,
                    "[%s] %s: the path is %zu bytes long once expanded; expected at most %d",
                    rq_cfg_sections[sec].name, key, strlen(path), RQ_MAX_PATH_BYTES);
        free(path);
        return NULL;
    }
    if (check && !is_gdal_virtual(path)) {
        struct stat st;
        if (stat(path, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                rq_cfg_errl(p, line, "[%s] %s: file not found: %s", rq_cfg_sections[sec].name, key,
                            path);
            else
                rq_cfg_errl(p, line, "[%s] %s: cannot access %s: %s", rq_cfg_sections[sec].name,
                            key, path, strerror(errno));
            free(path);
            return NULL;
        }
        /* A FIFO or a device would block or never end; a folder is not a
        ** table. */
        if (!S_ISREG(st.st_mode)) {
            rq_cfg_errl(p, line, "[%s] %s: %s is %s; expected a regular file",
                        rq_cfg_sections[sec].name, key, path,
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
        rq_cfg_bad_value(p, line, sec, k->name, value, "no band", k->form);
        goto cleanup;
    }
    if (n > RQ_MAX_BANDS) {
        snprintf(why, sizeof why, "%zu bands, at most %d allowed", n, RQ_MAX_BANDS);
        rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        char *colon = strchr(items[i], ':');
        if (!colon || strchr(colon + 1, ':')) {
            snprintf(why, sizeof why, "band %zu '%.*s' is not upper_km:weight", i + 1,
                     rq_cfg_clip(items[i], 40), items[i]);
            rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        *colon = '\0';
        if (!parse_number(items[i], &km[i]) || km[i] <= 0) {
            snprintf(why, sizeof why, "band %zu: upper bound '%.*s' is not a number > 0", i + 1,
                     rq_cfg_clip(items[i], 40), items[i]);
            rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        if (i > 0 && km[i] <= km[i - 1]) {
            snprintf(why, sizeof why, "band %zu: upper bound %g does not exceed %g", i + 1, km[i],
                     km[i - 1]);
            rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
            goto cleanup;
        }
        if (!parse_number(colon + 1, &w[i]) || w[i] < 0 || w[i] > 1) {
            snprintf(why, sizeof why, "band %zu: weight '%.*s' is not a number from 0 to 1", i + 1,
                     rq_cfg_clip(colon + 1, 40), colon + 1);
            rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
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
        rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
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
        rq_cfg_bad_value(p, line, sec, k->name, value, "no phase", k->form);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        int ph = rq_phase_index(items[i]);
        if (ph < 0) {
            int h = rq_cfg_nearest(items[i], rq_phase_names, RQ_NPHASES);
            if (h >= 0)
                snprintf(why, sizeof why, "unknown phase '%.*s' (did you mean '%s'?)",
                         rq_cfg_clip(items[i], 40), items[i], rq_phase_names[h]);
            else
                snprintf(why, sizeof why, "unknown phase '%.*s'", rq_cfg_clip(items[i], 40),
                         items[i]);
            rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
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
/* A keyword among words (case does not matter): its value into *out;
** 0 after adding an error when value is none of them. */
struct word {
    const char *name;
    int value;
};

static int
convert_word(parser *p, int line, int sec, const keyspec *k, const char *value,
             const struct word *w, size_t n, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(value, w[i].name) == 0) {
            *out = w[i].value;
            return 1;
        }
    rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
    return 0;
}

int
rq_cfg_convert(parser *p, int line, int sec, const keyspec *k, const char *value)
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
            rq_cfg_bad_value(p, line, sec, k->name, value, why, k->form);
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
            rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
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
            rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
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
            rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        return 1;
    case K_NUMBER: {
        double v;
        if (!parse_number(value, &v) || !in_bounds(k, v)) {
            rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        *(double *)field = v;
        return 1;
    }
    case K_INTEGER: {
        long v;
        if (!rq_parse_long(value, &v) || v < (long)k->lo) {
            rq_cfg_bad_value(p, line, sec, k->name, value, NULL, k->form);
            return 0;
        }
        *(long *)field = v;
        return 1;
    }
    case K_SEPARATOR:
        if (strlen(value) != 1 || value[0] == ',') {
            rq_cfg_bad_value(p, line, sec, k->name, value,
                             value[0] == ',' ? "a comma would clash with CSV columns" : NULL,
                             k->form);
            return 0;
        }
        *(char *)field = value[0];
        return 1;
    case K_VARIANT: {
        static const struct word w[] = {{"e2sfca", RQ_FCA_E2SFCA}, {"2sfca", RQ_FCA_2SFCA}};
        int v;
        if (!convert_word(p, line, sec, k, value, w, sizeof w / sizeof w[0], &v))
            return 0;
        *(rq_fca_variant *)field = (rq_fca_variant)v;
        return 1;
    }
    case K_WEIGHT: {
        static const struct word w[] = {{"step", RQ_WEIGHT_STEP},
                                        {"gaussian", RQ_WEIGHT_GAUSSIAN},
                                        {"gravity", RQ_WEIGHT_GRAVITY}};
        int v;
        if (!convert_word(p, line, sec, k, value, w, sizeof w / sizeof w[0], &v))
            return 0;
        *(rq_weight_kind *)field = (rq_weight_kind)v;
        return 1;
    }
    case K_CSV: {
        static const struct word w[] = {{"standard", RQ_CSV_STANDARD}, {"fr", RQ_CSV_FR}};
        int v;
        if (!convert_word(p, line, sec, k, value, w, sizeof w / sizeof w[0], &v))
            return 0;
        *(rq_csv_dialect *)field = (rq_csv_dialect)v;
        return 1;
    }
    case K_BANDS:
        return convert_bands(p, line, sec, k, value);
    case K_LEVELS:
        return convert_levels(p, line, sec, k, value);
    case K_PHASES:
        return convert_phases(p, line, sec, k, value);
    }
    return 0;
}

/* ---- [categories] -------------------------------------------------------- */

static int
valid_category_name(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

/* A [categories] line, name = radius_km. Its keys are free, so no keyspec
** table lists them: the name is checked here, the radius like a key (the
** keyspec rq_cfg_category_radius). */
void
rq_cfg_convert_category(parser *p, int line, const char *name, const char *value)
{
    rq_config *cfg = p->cfg;
    int ok = 1;

    p->n_category_lines++;
    if (!valid_category_name(name)) {
        rq_cfg_errl(p, line,
                    "[categories] '%s' is not a valid category name: expected lower-case letters, "
                    "digits or '_' (it becomes part of output field names such as couv_<name>)",
                    name);
        ok = 0;
    }
    int dup = rq_config_category(cfg, name);
    if (dup >= 0) {
        rq_cfg_errl(p, line, "[categories] duplicate key '%s' (first given at line %d)", name,
                    p->cat_line[dup]);
        return;
    }
    double r = 0;
    if (!*value) {
        rq_cfg_bad_value(p, line, S_CATEGORIES, name, value, "no radius",
                         rq_cfg_category_radius.form);
        ok = 0;
    } else if (!parse_number(value, &r) || !in_bounds(&rq_cfg_category_radius, r)) {
        rq_cfg_bad_value(p, line, S_CATEGORIES, name, value, NULL, rq_cfg_category_radius.form);
        ok = 0;
    }
    if (!ok)
        return;
    if (cfg->n_categories == RQ_MAX_CATEGORIES) {
        if (!p->too_many_categories)
            rq_cfg_errl(p, line, "[categories] '%s': too many categories, at most %d are allowed",
                        name, RQ_MAX_CATEGORIES);
        p->too_many_categories = 1;
        return;
    }
    p->cat_line[cfg->n_categories] = line;
    cfg->categories[cfg->n_categories].name = rq_xstrdup(name);
    cfg->categories[cfg->n_categories].radius_km = r;
    cfg->n_categories++;
}
