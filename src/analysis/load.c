/* load.c - the load stage: commune table (COG), passage table, EPCI table,
** table of départements.
**
** Tables are read through GDAL (rq_io_read) and kept as arrays sorted by
** code, so that every later look-up is a binary search. The EPCI members
** are harmonised here, once (method.md §1.1): they are codes like any
** other, and the zones of type epci read them.
*/
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdlib.h>
#include <string.h>

/* Overseas régions are 01 to 06 and their départements 971 to 976; every
** other code of the COG is metropolitan France. */
static int
is_overseas(const char *region, const char *dep)
{
    return (region && region[0] == '0') || (dep && dep[0] == '9' && dep[1] == '7');
}

int
rq_in_study_area(const rq_config *cfg, const char *region, const char *dep)
{
    if (cfg->metropole)
        return region && *region && !is_overseas(region, dep);
    for (size_t i = 0; i < cfg->n_regions; i++)
        if (region && strcmp(region, cfg->regions[i]) == 0)
            return 1;
    for (size_t i = 0; i < cfg->n_departements; i++)
        if (dep && strcmp(dep, cfg->departements[i]) == 0)
            return 1;
    return 0;
}

/* ---- COG ---------------------------------------------------------------- */

struct cog_ctx {
    rq_dataset *ds;
    size_t cap;
    const char *path;
    char (*where)[24]; /* where[i]: position of the i-th row kept, for messages */
    size_t where_cap;
};

static rq_status
cog_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct cog_ctx *c = ud;
    rq_dataset *ds = c->ds;
    const char *const *v = row->v;
    rq_cog_type type;
    if (strcmp(v[2], "commune-actuelle") == 0)
        type = RQ_COG_ACTUELLE;
    else if (strcmp(v[2], "commune-deleguee") == 0)
        type = RQ_COG_DELEGUEE;
    else if (strcmp(v[2], "commune-associee") == 0)
        type = RQ_COG_ASSOCIEE;
    else {
        /* Other kinds (arrondissements municipaux...) play no part. */
        return RQ_OK;
    }
    if (!*v[0]) {
        rq_diag_add(diag, "%s: %s, field '%s': empty code; expected an INSEE commune code",
                    c->path, row->where, ds->cfg->cog_code);
        return RQ_OK;
    }
    long pop = 0;
    /* The bound keeps every sum of populations far from LONG_MAX. */
    if (type == RQ_COG_ACTUELLE && (!rq_parse_long(v[6], &pop) || pop < 0 || pop > 1000000000)) {
        rq_diag_add(diag,
                    "%s: %s, field '%s': '%s' is not a population; expected a whole number "
                    "from 0 to 1000000000",
                    c->path, row->where, ds->cfg->cog_population, v[6]);
        return RQ_OK;
    }
    if (type != RQ_COG_ACTUELLE && !*v[7]) {
        rq_diag_add(diag, "%s: %s, field '%s': empty; a %s row needs the code of its commune",
                    c->path, row->where, ds->cfg->cog_chef_lieu, v[2]);
        return RQ_OK;
    }
    rq_grow((void **)&ds->cog, &c->cap, ds->n_cog + 1, sizeof *ds->cog);
    rq_grow((void **)&c->where, &c->where_cap, ds->n_cog + 1, sizeof *c->where);
    rq_strlcpy(c->where[ds->n_cog], row->where, sizeof c->where[0]);
    rq_cog_row *r = &ds->cog[ds->n_cog];
    r->seq = ds->n_cog++;
    r->code = rq_xstrdup(v[0]);
    r->name = rq_xstrdup(v[1]);
    r->type = type;
    r->dep = rq_xstrdup(v[3]);
    r->region = rq_xstrdup(v[4]);
    r->epci = rq_xstrdup(v[5]);
    r->population = pop;
    r->chef_lieu = rq_xstrdup(v[7]);
    return RQ_OK;
}

/* By code; for one code the commune-actuelle row comes first. */
static int
cmp_cog(const void *a, const void *b)
{
    const rq_cog_row *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    if (c)
        return c;
    return (int)x->type - (int)y->type;
}

/* Sorts the table by code, then type, and checks that no two current
** communes share a code: that would make every look-up ambiguous (rows of
** other types may share a current commune's code). Repeats are adjacent. */
static void
check_unique_current(void *ud, rq_diag *diag)
{
    const struct cog_ctx *c = ud;
    const rq_dataset *ds = c->ds;
    qsort(ds->cog, ds->n_cog, sizeof *ds->cog, cmp_cog);
    for (size_t i = 1; i < ds->n_cog; i++) {
        const rq_cog_row *a = &ds->cog[i - 1], *b = &ds->cog[i];
        if (a->type == RQ_COG_ACTUELLE && b->type == RQ_COG_ACTUELLE &&
            strcmp(a->code, b->code) == 0) {
            const rq_cog_row *first = a->seq < b->seq ? a : b, *later = a->seq < b->seq ? b : a;
            rq_diag_add(diag,
                        "%s: %s, field '%s': code %s is already a current commune on %s; "
                        "expected one commune-actuelle row per code",
                        c->path, c->where[later->seq], ds->cfg->cog_code, b->code,
                        c->where[first->seq]);
        }
    }
}

rq_status
rq_load_cog(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    const char *names[] = {cfg->cog_code,   cfg->cog_name,   cfg->cog_type,
                           cfg->cog_departement, cfg->cog_region, cfg->cog_epci,
                           cfg->cog_population, cfg->cog_chef_lieu};
    const char *keys[] = {"code", "name", "type", "departement", "region", "epci",
                          "population", "chef_lieu"};
    rq_read_spec spec = {"cog", &cfg->cog, names, keys, NULL, 8, 0, 0};
    struct cog_ctx c = {ds, 0, cfg->cog.path, NULL, 0};
    rq_status rc = rq_io_load(&spec, cog_row, check_unique_current, &c, err);
    free(c.where);
    if (rc != RQ_OK)
        return rc;
    /* Study-area totals come from the table (method.md §1.1). */
    ds->area_deps = rq_xcalloc(ds->n_cog + 1, sizeof *ds->area_deps);
    for (size_t i = 0; i < ds->n_cog; i++) {
        const rq_cog_row *r = &ds->cog[i];
        if (r->type == RQ_COG_ACTUELLE && rq_in_study_area(cfg, r->region, r->dep)) {
            ds->stats.n_communes_area++;
            ds->stats.population_area += r->population;
            size_t k = ds->n_area_deps;
            if (k == 0 || strcmp(ds->area_deps[k - 1], r->dep) != 0)
                ds->area_deps[ds->n_area_deps++] = rq_xstrdup(r->dep);
        }
    }
    /* Rows are sorted by code, whose prefix is the département: repeats
    ** are adjacent, except where a code does not start with its
    ** département; sorting and removing repeats once settles both. */
    qsort(ds->area_deps, ds->n_area_deps, sizeof *ds->area_deps, rq_cmp_strp);
    size_t u = 0;
    for (size_t i = 0; i < ds->n_area_deps; i++) {
        if (u && strcmp(ds->area_deps[u - 1], ds->area_deps[i]) == 0)
            free(ds->area_deps[i]);
        else
            ds->area_deps[u++] = ds->area_deps[i];
    }
    ds->area_deps[u] = NULL;
    ds->n_area_deps = u;
    if (ds->stats.n_communes_area == 0) {
        char *area = rq_config_area_text(cfg);
        rq_err_set(err, RQ_ERR_INPUT,
                   "%s: no current commune of the study area ([study] %s = %s); "
                   "check the code against the '%s' or '%s' column",
                   cfg->cog.path, cfg->departements ? "departements" : "region", area,
                   cfg->cog_region, cfg->cog_departement);
        free(area);
        return RQ_ERR_INPUT;
    }
    return RQ_OK;
}

/* ---- EPCI --------------------------------------------------------------- */

struct epci_ctx {
    rq_dataset *ds;
    size_t cap;
};

static rq_status
epci_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct epci_ctx *c = ud;
    rq_dataset *ds = c->ds;
    if (!*row->v[0]) {
        rq_diag_add(diag, "%s: %s, field '%s': empty; expected an EPCI SIREN code",
                    ds->cfg->epci.path, row->where, ds->cfg->epci_code);
        return RQ_OK;
    }
    rq_grow((void **)&ds->epcis, &c->cap, ds->n_epcis + 1, sizeof *ds->epcis);
    rq_epci *e = &ds->epcis[ds->n_epcis++];
    e->code = rq_xstrdup(row->v[0]);
    e->name = rq_xstrdup(row->v[1]);
    e->members = rq_strsplit(row->v[2], ds->cfg->list_separator, &e->n_members);
    return RQ_OK;
}

static int
cmp_epci(const void *a, const void *b)
{
    return strcmp(((const rq_epci *)a)->code, ((const rq_epci *)b)->code);
}

/* Replaces every member code of e by its current commune's (method.md
** §1.1), once each: two delegated communes of one commune are one member.
** Codes no table knows are dropped with a warning. */
static void
harmonise_members(rq_dataset *ds, rq_epci *e)
{
    size_t n = 0;
    for (size_t m = 0; m < e->n_members; m++) {
        const char *cur = rq_code_harmonise(ds, RQ_CODES_EPCI, e->members[m]);
        if (!cur && rq_code_in_area_deps(ds, e->members[m]))
            rq_warn(&ds->warnings, "membre-epci-inconnu",
                    "EPCI members of the study area's départements that no commune table "
                    "knows, left out of their EPCI",
                    "EPCI %s: %s", e->code, e->members[m]);
        if (!cur) {
            free(e->members[m]);
            continue;
        }
        int dup = 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(e->members[k], cur) == 0;
        free(e->members[m]);
        if (!dup)
            e->members[n++] = rq_xstrdup(cur);
    }
    e->members[n] = NULL;
    e->n_members = n;
}

rq_status
rq_load_epci(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    const char *names[] = {cfg->epci_code, cfg->epci_name, cfg->epci_members};
    const char *keys[] = {"code", "name", "members"};
    rq_read_spec spec = {"epci", &cfg->epci, names, keys, NULL, 3, 0, 0};
    struct epci_ctx c = {ds, 0};
    rq_status rc = rq_io_load(&spec, epci_row, NULL, &c, err);
    if (rc != RQ_OK)
        return rc;
    qsort(ds->epcis, ds->n_epcis, sizeof *ds->epcis, cmp_epci);
    for (size_t i = 0; i < ds->n_epcis; i++)
        harmonise_members(ds, &ds->epcis[i]);
    return RQ_OK;
}

/* ---- Passage table (optional) ------------------------------------------- */

struct passage_ctx {
    rq_dataset *ds;
    size_t cap;
};

static rq_status
passage_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct passage_ctx *c = ud;
    rq_dataset *ds = c->ds;
    const rq_config *cfg = ds->cfg;
    if (!*row->v[0] || !*row->v[1]) {
        rq_diag_add(diag, "%s: %s, field '%s': empty code; expected two commune codes, '%s' and '%s'",
                    cfg->passage.path, row->where, *row->v[0] ? cfg->passage_new : cfg->passage_old,
                    cfg->passage_old, cfg->passage_new);
        return RQ_OK;
    }
    rq_rule rule;
    if (!*row->v[2] || strcmp(row->v[2], "ancien-code") == 0)
        rule = RQ_RULE_PASSAGE;
    else if (strcmp(row->v[2], "arrondissement-municipal") == 0)
        rule = RQ_RULE_ARRONDISSEMENT;
    else {
        rq_diag_add(diag,
                    "%s: %s, field '%s': '%.60s'; expected ancien-code, arrondissement-municipal "
                    "or empty",
                    cfg->passage.path, row->where, cfg->passage_nature, row->v[2]);
        return RQ_OK;
    }
    rq_grow((void **)&ds->passage, &c->cap, ds->n_passage + 1, sizeof *ds->passage);
    ds->passage[ds->n_passage].old_code = rq_xstrdup(row->v[0]);
    ds->passage[ds->n_passage].new_code = rq_xstrdup(row->v[1]);
    ds->passage[ds->n_passage].rule = rule;
    ds->n_passage++;
    return RQ_OK;
}

static int
cmp_passage(const void *a, const void *b)
{
    return strcmp(((const rq_passage *)a)->old_code, ((const rq_passage *)b)->old_code);
}

/* Sorts the table by old code. A repeated old code is an error; so is a
** code the table sends on and on without reaching a current commune
** (a -> b -> a) is an error; a new code that no table of this year knows
** (a passage table of another year than the commune table) is a warning:
** the codes sent there stay unmatched and are listed. */
static void
check_passage_targets(void *ud, rq_diag *diag)
{
    rq_dataset *ds = ((struct passage_ctx *)ud)->ds;
    const rq_config *cfg = ds->cfg;
    qsort(ds->passage, ds->n_passage, sizeof *ds->passage, cmp_passage);
    for (size_t i = 0; i < ds->n_passage; i++) {
        const rq_passage *p = &ds->passage[i];
        if (i && strcmp(ds->passage[i - 1].old_code, p->old_code) == 0) {
            rq_diag_add(diag, "%s: old code %s appears twice; expected one new code per old code",
                        cfg->passage.path, p->old_code);
            continue;
        }
        if (rq_code_resolve(ds, p->old_code, NULL))
            continue;
        /* Unresolved: a cycle, or a target unknown to the commune table. */
        const char *cur = p->new_code;
        int steps = 0;
        while (steps <= RQ_MAX_REDIRECTS && !rq_cog_find(ds, cur)) {
            const rq_passage key = {(char *)cur, NULL, RQ_RULE_PASSAGE};
            const rq_passage *next =
                bsearch(&key, ds->passage, ds->n_passage, sizeof *ds->passage, cmp_passage);
            if (!next)
                break;
            cur = next->new_code;
            steps++;
        }
        if (steps > RQ_MAX_REDIRECTS)
            rq_diag_add(diag,
                        "%s: old code %s: following the table from it never reaches a commune "
                        "(a cycle, or more than %d steps); expected each old code to lead to a "
                        "current commune",
                        cfg->passage.path, p->old_code, RQ_MAX_REDIRECTS);
        else
            rq_warn(&ds->warnings, "passage-cible-inconnue",
                    "passage table rows whose new code the commune table does not know (is the "
                    "passage table of the same year as the commune table?)",
                    "%s -> %s", p->old_code, p->new_code);
    }
}

rq_status
rq_load_passage(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    if (!cfg->passage.path)
        return RQ_OK;
    const char *names[] = {cfg->passage_old, cfg->passage_new, cfg->passage_nature};
    const char *keys[] = {"old", "new", "nature"};
    const unsigned char optional[] = {0, 0, 1};
    rq_read_spec spec = {"passage", &cfg->passage, names, keys, optional, 3, 0, 0};
    struct passage_ctx c = {ds, 0};
    return rq_io_load(&spec, passage_row, check_passage_targets, &c, err);
}

/* ---- Table of départements (optional) ----------------------------------- */

struct dep_ctx {
    rq_dataset *ds;
    size_t cap;
};

static rq_status
dep_row(const rq_row *row, void *ud, rq_diag *diag)
{
    struct dep_ctx *c = ud;
    rq_dataset *ds = c->ds;
    if (!*row->v[0]) {
        rq_diag_add(diag, "%s: %s, field '%s': empty; expected a département code",
                    ds->cfg->deps.path, row->where, ds->cfg->deps_code);
        return RQ_OK;
    }
    rq_grow((void **)&ds->deps, &c->cap, ds->n_deps + 1, sizeof *ds->deps);
    ds->deps[ds->n_deps].code = rq_xstrdup(row->v[0]);
    ds->deps[ds->n_deps].name = rq_xstrdup(row->v[1]);
    ds->n_deps++;
    return RQ_OK;
}

static int
cmp_dep(const void *a, const void *b)
{
    return strcmp(((const rq_dep *)a)->code, ((const rq_dep *)b)->code);
}

static void
check_unique_deps(void *ud, rq_diag *diag)
{
    rq_dataset *ds = ((struct dep_ctx *)ud)->ds;
    qsort(ds->deps, ds->n_deps, sizeof *ds->deps, cmp_dep);
    for (size_t i = 1; i < ds->n_deps; i++)
        if (strcmp(ds->deps[i - 1].code, ds->deps[i].code) == 0)
            rq_diag_add(diag, "%s: département %s appears twice; expected one row per code",
                        ds->cfg->deps.path, ds->deps[i].code);
}

rq_status
rq_load_departements(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    if (!cfg->deps.path)
        return RQ_OK;
    const char *names[] = {cfg->deps_code, cfg->deps_name};
    const char *keys[] = {"code", "name"};
    rq_read_spec spec = {"departements", &cfg->deps, names, keys, NULL, 2, 0, 0};
    struct dep_ctx c = {ds, 0};
    return rq_io_load(&spec, dep_row, check_unique_deps, &c, err);
}
