/* fuzz_targets.c - what each fuzz harness does with one input (see
** fuzz_targets.h).
**
** The structures target keeps one temporary folder for the whole run and
** rewrites one file in it per input: GDAL opens inputs by path (and the
** reader stats them first), so an in-memory /vsimem/ file would not do.
*/
#include "fuzz_targets.h"

#include "raquette/config.h"
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Aborts with a message: libFuzzer saves the input, the replay test fails. */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of the input: the parsers take C strings, and
** libFuzzer's data is not terminated. */
static char *
text_of(const unsigned char *data, size_t size)
{
    char *s = rq_xmalloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* ---- config --------------------------------------------------------------- */

static char g_config_dir[4096];

void
rq_fuzz_config_init(const char *fixtures)
{
    snprintf(g_config_dir, sizeof g_config_dir, "%s/mini", fixtures);
    /* ${RAQUETTE_GEODATA} in a seed should expand to something, whatever
    ** the environment of the run; an existing value is kept. */
    setenv("RAQUETTE_GEODATA", g_config_dir, 0);
}

rq_status
rq_fuzz_config_one(const unsigned char *data, size_t size)
{
    char *text = text_of(data, size);
    rq_config cfg;
    rq_err err = {0};
    rq_err_clear(&err);
    rq_status rc = rq_config_load_string(text, "fuzz.ini", g_config_dir, &cfg, &err);
    CHECK(rc == RQ_OK || rc == RQ_ERR_INPUT);
    CHECK((rc == RQ_OK) == (err.code == RQ_OK));
    CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL);
    if (rc == RQ_OK) {
        /* What the rest of the pipeline relies on after a successful load. */
        CHECK(cfg.n_categories >= 1 && cfg.n_categories <= RQ_MAX_CATEGORIES);
        CHECK(cfg.n_bands <= RQ_MAX_BANDS);
        CHECK((cfg.regions != NULL || cfg.metropole) != (cfg.departements != NULL));
        CHECK(cfg.structures.path && cfg.communes.path && cfg.cog.path && cfg.epci.path);
        CHECK(cfg.list_separator != '\0' && cfg.list_separator != ',');
        for (size_t i = 0; i < cfg.n_categories; i++)
            CHECK(cfg.categories[i].radius_km > 0 && cfg.categories[i].radius_km <= 1000);
    }
    /* fini also runs after a failure: the header says cfg then holds
    ** nothing to free, and fini on it must be harmless. */
    rq_config_fini(&cfg);
    rq_err_fini(&err);
    free(text);
    return rc;
}

/* ---- structures ------------------------------------------------------------ */

/* Two configurations over the same file: faulty rows stop the stage
** (strict) or are skipped with a warning, which is another code path.
**
** The stages before locate read the fixture, never the fuzzed file, and
** cost a hundred times more than locate (PROJ builds a transformation for
** the boundaries): each configuration gets one dataset loaded once, and
** every input runs only rq_locate_sites on it, after which forget_sites
** takes the dataset back to its state before locate. */
#define MAX_GROUPS 16
typedef struct base {
    rq_config cfg;
    rq_dataset *ds;
    /* Warnings of the stages before locate: groups and their sizes. */
    size_t n_groups, group_n[MAX_GROUPS];
    rq_stats stats;
} base;

static struct {
    char *dir, *csv;
    base strict, skip;
} g_st;

/* Undoes what rq_locate_sites added to b->ds: sites, structures, zones
** (rq_dataset_clear_sites), its warnings and its counts. */
static void
forget_sites(base *b)
{
    rq_dataset *ds = b->ds;
    rq_warnings *w = &ds->warnings;
    rq_dataset_clear_sites(ds);
    for (size_t i = 0; i < w->n; i++) {
        rq_warn_group *g = &w->groups[i];
        size_t keep = i < b->n_groups ? b->group_n[i] : 0;
        while (g->n > keep)
            free(g->details[--g->n]);
        if (i >= b->n_groups) {
            free(g->details);
            free(g->kind);
            free(g->text);
        }
    }
    if (w->n > b->n_groups)
        w->n = b->n_groups;
    ds->stats = b->stats;
}

static void
base_fini(base *b)
{
    rq_dataset_destroy(b->ds);
    rq_config_fini(&b->cfg);
    memset(b, 0, sizeof *b);
}

/* Loads the mini fixture with the structures path set to the fuzzed file,
** and runs the stages of rq_pipeline_prepare that come before locate. */
static int
base_init(base *b, const char *mini, int skip)
{
    char text[8192];
    rq_err err = {0};
    rq_status rc;
    memset(b, 0, sizeof *b);
    snprintf(text, sizeof text,
             "[study]\nname = fuzz\nregion = 98\n"
             "[communes]\npath = %s/communes.geojson\n"
             "[cog]\npath = %s/cog.csv\n"
             "[epci]\npath = %s/epci.csv\n"
             "[density]\npath = %s/density.csv\n"
             "[structures]\npath = %s\nskip_bad_rows = %s\n"
             "[categories]\nincubateur = 40\ncae = 30\n",
             mini, mini, mini, mini, g_st.csv, skip ? "true" : "false");
    if ((rc = rq_config_load_string(text, "fuzz-structures.ini", mini, &b->cfg, &err)) != RQ_OK)
        goto fail;
    if (!(b->ds = rq_dataset_create(&b->cfg))) {
        rc = rq_err_set(&err, RQ_ERR_GEOS, "cannot create a dataset");
        goto fail;
    }
    if ((rc = rq_load_cog(b->ds, &err)) != RQ_OK || (rc = rq_load_passage(b->ds, &err)) != RQ_OK ||
        (rc = rq_load_epci(b->ds, &err)) != RQ_OK ||
        (rc = rq_harmonise_boundaries(b->ds, NULL, &err)) != RQ_OK ||
        (rc = rq_harmonise_density(b->ds, &err)) != RQ_OK)
        goto fail;
    rq_classify_rurality(b->ds);
    if (b->ds->warnings.n > MAX_GROUPS) {
        rc = rq_err_set(&err, RQ_ERR_INTERNAL, "more than %d kinds of warnings", MAX_GROUPS);
        goto fail;
    }
    b->n_groups = b->ds->warnings.n;
    for (size_t i = 0; i < b->n_groups; i++)
        b->group_n[i] = b->ds->warnings.groups[i].n;
    b->stats = b->ds->stats;
    return 0;

fail:
    fprintf(stderr, "fuzz_structures: the mini fixture does not load: %s\n", rq_err_text(&err));
    rq_err_fini(&err);
    base_fini(b);
    return -1;
}

static int
write_csv(const unsigned char *data, size_t size)
{
    FILE *f = fopen(g_st.csv, "wb");
    if (!f)
        return -1;
    size_t put = size ? fwrite(data, 1, size, f) : 0;
    return fclose(f) == 0 && put == size ? 0 : -1;
}

void
rq_fuzz_structures_fini(void)
{
    base_fini(&g_st.strict);
    base_fini(&g_st.skip);
    if (g_st.csv)
        unlink(g_st.csv);
    if (g_st.dir)
        rmdir(g_st.dir);
    free(g_st.csv);
    free(g_st.dir);
    memset(&g_st, 0, sizeof g_st);
}

int
rq_fuzz_structures_init(const char *fixtures)
{
    char tmpl[] = "/tmp/rqfuzz.XXXXXX";
    char mini[4096];
    /* One thread: the fuzzer measures one input at a time. */
    setenv("RAQUETTE_THREADS", "1", 1);
    if (!mkdtemp(tmpl))
        return -1;
    g_st.dir = rq_xstrdup(tmpl);
    g_st.csv = rq_xasprintf("%s/structures.csv", g_st.dir);
    snprintf(mini, sizeof mini, "%s/mini", fixtures);
    /* The configuration checks that the file exists. */
    if (write_csv((const unsigned char *)"", 0) != 0 || base_init(&g_st.strict, mini, 0) != 0 ||
        base_init(&g_st.skip, mini, 1) != 0) {
        rq_fuzz_structures_fini();
        return -1;
    }
    return 0;
}

/* Runs locate over the current file on b's dataset, checks what the later
** stages rely on, and forgets the sites. */
static rq_status
locate(base *b)
{
    rq_err err = {0};
    rq_err_clear(&err);
    rq_dataset *ds = b->ds;
    rq_status rc = rq_locate_sites(ds, &err);
    CHECK(rc == RQ_OK || rc == RQ_ERR_INPUT);
    if (rc == RQ_OK) {
        /* What the later stages index without checking. */
        for (size_t i = 0; i < ds->n_sites; i++) {
            const rq_site *s = &ds->sites[i];
            CHECK(s->commune < ds->n_communes && s->zone < ds->n_zones);
            CHECK(s->structure < ds->n_structures);
            CHECK(s->category >= 0 && (size_t)s->category < b->cfg.n_categories);
            CHECK(s->phases != 0 && s->phases < (1u << RQ_NPHASES));
            CHECK(isfinite(s->capacity) && s->capacity >= 0);
            CHECK(s->radius_km > 0 && s->radius_km <= 1000);
        }
    }
    rq_err_fini(&err);
    forget_sites(b);
    return rc;
}

rq_status
rq_fuzz_structures_one(const unsigned char *data, size_t size)
{
    CHECK(g_st.strict.ds && g_st.skip.ds);
    CHECK(write_csv(data, size) == 0);
    rq_status rc = locate(&g_st.strict);
    rq_status rc_skip = locate(&g_st.skip);
    /* Skipping bad rows can only turn a failure into a success. */
    CHECK(rc != RQ_OK || rc_skip == RQ_OK);
    return rc;
}

/* ---- text ------------------------------------------------------------------ */

/* Checks one token of a list: the number parsers agree with each other and
** trimming leaves no white space at either end. */
static void
check_token(const char *tok, char sep)
{
    size_t n = strlen(tok);
    CHECK(n > 0);
    CHECK(!strchr(tok, sep));
    CHECK(!strchr(" \t\n\v\f\r", tok[0]) && !strchr(" \t\n\v\f\r", tok[n - 1]));

    double d;
    long l;
    int dok = rq_parse_double(tok, &d), lok = rq_parse_long(tok, &l);
    if (dok)
        CHECK(!isnan(d));
    /* A decimal integer that fits a long is also a double, and close to it. */
    if (lok) {
        CHECK(dok);
        CHECK(fabs(d - (double)l) <= fabs(d) * 1e-15);
    }
}

rq_status
rq_fuzz_text_one(const unsigned char *data, size_t size)
{
    if (size == 0)
        return RQ_OK;
    /* A separator that is never a NUL: rq_strsplit takes a char that the
    ** configuration guarantees is one real character. */
    char sep = (char)(data[0] & 0x7f ? data[0] & 0x7f : '|');
    size_t small = data[0] >> 4; /* 0..15: buffer size for rq_strlcpy */
    char *text = text_of(data + 1, size - 1);

    size_t n = 0;
    char **v = rq_strsplit(text, sep, &n);
    CHECK(v != NULL && v[n] == NULL);
    for (size_t i = 0; i < n; i++)
        check_token(v[i], sep);

    /* Edit distance: symmetric, and between the length difference and the
    ** longer length. Past 64 bytes it returns the longer length on purpose
    ** (no hint is that far), so 0 means equal only for shorter strings. */
    for (size_t i = 0; i + 1 < n; i++) {
        size_t a = strlen(v[i]), b = strlen(v[i + 1]);
        size_t ab = rq_edit_distance(v[i], v[i + 1]), ba = rq_edit_distance(v[i + 1], v[i]);
        CHECK(ab == ba);
        CHECK(ab <= (a > b ? a : b));
        CHECK(ab >= (a > b ? a - b : b - a));
        if (a <= 64 && b <= 64)
            CHECK((ab == 0) == (strcmp(v[i], v[i + 1]) == 0));
    }

    /* Diagnostics: every token a message; the error always fits and ends. */
    rq_diag diag;
    rq_err err = {0};
    rq_diag_init(&diag);
    for (size_t i = 0; i < n; i++)
        rq_diag_add(&diag, "%s", v[i]);
    rq_status rc = rq_diag_to_err(&diag, text, &err);
    CHECK(rc == (n ? RQ_ERR_INPUT : RQ_OK));
    if (n) {
        CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL);
        /* The whole text is the header and every message, one per line;
        ** msg is a prefix of it made of whole lines, then at most one
        ** "... and N more". */
        size_t cap = strlen(text) + 64, len = 0;
        for (size_t k = 0; k < n; k++)
            cap += strlen(v[k]) + 3;
        char *want = rq_xmalloc(cap);
        len = (size_t)snprintf(want, cap, "%zu error%s in %s:", n, n > 1 ? "s" : "", text);
        size_t head = len;
        for (size_t k = 0; k < n; k++)
            len += (size_t)snprintf(want + len, cap - len, "\n  %s", v[k]);
        CHECK(strcmp(rq_err_text(&err), want) == 0);
        CHECK((err.full != NULL) == (strcmp(err.msg, want) != 0));
        if (err.full) {
            const char *more = NULL; /* the last "... and", which ends msg */
            for (const char *q = err.msg; (q = strstr(q, "\n  ... and ")) != NULL; q++)
                more = q;
            size_t kept = more ? (size_t)(more - err.msg) : strlen(err.msg);
            CHECK(more != NULL && strncmp(err.msg, want, kept) == 0);
            CHECK(want[kept] == '\n' || kept <= head);
        }
        free(want);
    }
    rq_err_fini(&err);
    rq_diag_fini(&diag);
    rq_strv_free(v);

    /* Trimming in place and bounded copies of the whole text. */
    char buf[16];
    size_t len = strlen(text);
    CHECK(rq_strlcpy(buf, text, small) == len);
    if (small)
        CHECK(strlen(buf) == (len < small ? len : small - 1));
    rq_strtrim(text);
    size_t tl = strlen(text);
    CHECK(tl <= len);
    if (tl)
        CHECK(!strchr(" \t\n\v\f\r", text[0]) && !strchr(" \t\n\v\f\r", text[tl - 1]));
    free(text);
    return RQ_OK;
}
