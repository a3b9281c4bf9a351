/* config.c - loading and validating the analysis configuration (INI).
**
** The file is parsed by libinih, fed through our own line reader (reader.c
** says why the reader exists).
**
** Validation is table-driven (the schema, schema.c): each known key is
** converted into rq_config as soon as it is read (convert.c), so errors
** come out in file order; defaults, required keys and rules between keys
** are applied after the whole file was read (here). Every problem goes to
** one rq_diag, turned into a single RQ_ERR_INPUT at the end (method.md
** §1.3: all at once).
**
** This file holds the public API: loading a file or a string, the checks
** of the whole file, freeing, and the phase tables. The other parts of the
** module are listed in config_internal.h.
*/
#include "raquette/config.h"
#include "config/config_internal.h"
#include "raquette/crs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const rq_phase_names[RQ_NPHASES] = {"emergence", "creation", "consolidation",
                                                "developpement"};
const char *const rq_phase_labels[RQ_NPHASES] = {"émergence", "création", "consolidation",
                                                 "développement"};
const char *const rq_phase_prefix[RQ_NPHASES] = {"EM", "CR", "CO", "DE"};

/* Config files are a few kilobytes; anything much larger is the wrong file
** (a GeoJSON given as --config), and would only produce thousands of
** syntax errors. */
#define MAX_FILE_SIZE (1024L * 1024L)

/* ---- Whole-file checks ------------------------------------------------------- */

static void
check_required_and_defaults(parser *p)
{
    for (int sec = 0; sec < NSEC; sec++) {
        const section *S = &rq_cfg_sections[sec];
        for (size_t i = 0; i < S->n_keys; i++) {
            const keyspec *k = &S->keys[i];
            key_state st = p->state[sec][i];
            if (k->required && st == ST_UNSEEN) {
                if (p->sec_line[sec])
                    rq_cfg_errl(p, p->sec_line[sec], "[%s] has no %s: the %s of %s is required",
                                S->name, k->name, k->name, S->what);
                else
                    rq_cfg_errl(p, 0, "missing section [%s] with its required key %s (%s)", S->name,
                                k->name, S->what);
            } else if (k->required && st == ST_EMPTY) {
                rq_cfg_errl(p, p->key_line[sec][i], "[%s] %s is empty: the %s of %s is required",
                            S->name, k->name, k->name, S->what);
            }
            if (st != ST_OK && k->def)
                (void)rq_cfg_convert(p, 0, sec, k, k->def);
        }
    }
}

/* Areas and distances are computed in [study] crs (method.md §1.2): a CRS in
** degrees would give areas in square degrees and radii of 40 degrees. */
static void
check_metric_crs(parser *p)
{
    int ic = rq_cfg_find_key(S_STUDY, "crs");
    int line = p->state[S_STUDY][ic] >= ST_BAD ? p->key_line[S_STUDY][ic] : p->sec_line[S_STUDY];
    const char *crs = p->cfg->crs;
    char unit[64] = "";
    rq_err err = {0};
    rq_err_clear(&err);
    if (!crs || p->state[S_STUDY][ic] == ST_BAD)
        return; /* missing or already reported */
    int m = rq_crs_is_metric(crs, unit, sizeof unit, &err);
    if (m < 0)
        rq_cfg_errl(p, line,
                    "[study] crs = %s: %s; expected a projected CRS in metres (e.g. EPSG:2154)",
                    crs, err.msg);
    else if (m == 0)
        rq_cfg_errl(
            p, line,
            "[study] crs = %s is in %s; expected a projected CRS in metres, such as EPSG:2154 "
            "(Lambert-93) for metropolitan France",
            crs, unit[0] ? unit : "non-metric units");
}

static void
check_rules(parser *p)
{
    int ir = rq_cfg_find_key(S_STUDY, "region"), id = rq_cfg_find_key(S_STUDY, "departements");
    int has_r = p->state[S_STUDY][ir] >= ST_BAD, has_d = p->state[S_STUDY][id] >= ST_BAD;
    if (has_r && has_d) {
        int lr = p->key_line[S_STUDY][ir], ld = p->key_line[S_STUDY][id];
        rq_cfg_errl(
            p, lr > ld ? lr : ld,
            "[study] region (line %d) and departements (line %d) are both set: give exactly "
            "one of them",
            lr, ld);
    } else if (!has_r && !has_d) {
        rq_cfg_errl(p, p->sec_line[S_STUDY],
                    "[study] has neither region nor departements: give exactly one of them "
                    "(e.g. region = 76, or departements = 09|11|31)");
    }
    check_metric_crs(p);
    if (p->n_category_lines == 0) {
        rq_cfg_errl(p, p->sec_line[S_CATEGORIES],
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

void
rq_phase_list(unsigned mask, char *buf, size_t sz)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int p = 0; p < RQ_NPHASES; p++)
        if (mask & (1u << p))
            len += (size_t)snprintf(buf + len, len < sz ? sz - len : 0, "%s%s", len ? "|" : "",
                                    rq_phase_names[p]);
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
        for (size_t i = 0; i < rq_cfg_sections[sec].n_keys; i++) {
            const keyspec *k = &rq_cfg_sections[sec].keys[i];
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

/* Without [cog] vintage, the year in the table's file name ("...cog2026.csv"
** gives 2026): the last four digits starting with 19 or 20. */
static void
guess_vintage(rq_config *cfg)
{
    if (cfg->cog_vintage || !cfg->cog.path)
        return;
    const char *name = strrchr(cfg->cog.path, '/');
    name = name ? name + 1 : cfg->cog.path;
    const char *found = NULL;
    for (const char *q = name; q[0] && q[1] && q[2] && q[3]; q++)
        if ((strncmp(q, "19", 2) == 0 || strncmp(q, "20", 2) == 0) &&
            isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]) &&
            !isdigit((unsigned char)q[4]) && (q == name || !isdigit((unsigned char)q[-1])))
            found = q;
    if (found) {
        cfg->cog_vintage = rq_xmalloc(5);
        memcpy(cfg->cog_vintage, found, 4);
        cfg->cog_vintage[4] = '\0';
    }
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

    int r = rq_cfg_read(&p);
    if (r > 0)
        rq_cfg_errl(&p, r, "syntax error"); /* the reader should have caught it */
    else if (r < 0) {
        rc = rq_err_set(err, RQ_ERR_INTERNAL, "%s: the INI parser failed (%d)", cfg->file, r);
        goto cleanup;
    }
    check_required_and_defaults(&p);
    check_rules(&p);
    guess_vintage(cfg);
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
