/* load.c - the load stage: commune table (COG), EPCI table, passage table.
**
** Tables are read through GDAL (rq_io_read) and kept as arrays sorted by
** code, so that every later look-up is a binary search.
*/
#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdlib.h>
#include <string.h>

int
rq_in_study_area(const rq_config *cfg, const char *region, const char *dep)
{
    if (cfg->region)
        return region && strcmp(region, cfg->region) == 0;
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

/* Two current communes with one code would make every look-up ambiguous
** (rows of other types may share a current commune's code). ds->cog is
** sorted by code then type, so repeats are adjacent. */
static void
check_unique_current(const struct cog_ctx *c, rq_diag *diag)
{
    const rq_dataset *ds = c->ds;
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
    rq_read_spec spec = {"cog", &cfg->cog, names, keys, NULL, 8, 0};
    struct cog_ctx c = {ds, 0, cfg->cog.path, NULL, 0};
    rq_read_info info;
    rq_diag diag;
    rq_diag_init(&diag);
    rq_status rc = rq_io_read(&spec, cog_row, &c, &diag, &info, err);
    rq_read_info_fini(&info);
    if (rc == RQ_OK) {
        qsort(ds->cog, ds->n_cog, sizeof *ds->cog, cmp_cog);
        check_unique_current(&c, &diag);
        rc = rq_diag_to_err(&diag, cfg->cog.path, err);
    }
    rq_diag_fini(&diag);
    free(c.where);
    if (rc != RQ_OK)
        return rc;
    /* Study-area totals come from the table (method.md §1.1). */
    for (size_t i = 0; i < ds->n_cog; i++) {
        const rq_cog_row *r = &ds->cog[i];
        if (r->type == RQ_COG_ACTUELLE && rq_in_study_area(cfg, r->region, r->dep)) {
            ds->stats.n_communes_area++;
            ds->stats.population_area += r->population;
        }
    }
    if (ds->stats.n_communes_area == 0)
        return rq_err_set(err, RQ_ERR_INPUT,
                          "%s: no current commune of the study area ([study] %s = %s); "
                          "check the code against the '%s' or '%s' column",
                          cfg->cog.path, cfg->region ? "region" : "departements",
                          cfg->region ? cfg->region : (cfg->departements ? cfg->departements[0] : ""),
                          cfg->cog_region, cfg->cog_departement);
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

rq_status
rq_load_epci(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    const char *names[] = {cfg->epci_code, cfg->epci_name, cfg->epci_members};
    const char *keys[] = {"code", "name", "members"};
    rq_read_spec spec = {"epci", &cfg->epci, names, keys, NULL, 3, 0};
    struct epci_ctx c = {ds, 0};
    rq_read_info info;
    rq_diag diag;
    rq_diag_init(&diag);
    rq_status rc = rq_io_read(&spec, epci_row, &c, &diag, &info, err);
    rq_read_info_fini(&info);
    if (rc == RQ_OK)
        rc = rq_diag_to_err(&diag, cfg->epci.path, err);
    rq_diag_fini(&diag);
    if (rc == RQ_OK)
        qsort(ds->epcis, ds->n_epcis, sizeof *ds->epcis, cmp_epci);
    return rc;
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
    if (!*row->v[0] || !*row->v[1]) {
        rq_diag_add(diag, "%s: %s: empty code; expected '%s,%s' with two commune codes",
                    ds->cfg->passage.path, row->where, ds->cfg->passage_old,
                    ds->cfg->passage_new);
        return RQ_OK;
    }
    rq_grow((void **)&ds->passage, &c->cap, ds->n_passage + 1, sizeof *ds->passage);
    ds->passage[ds->n_passage].old_code = rq_xstrdup(row->v[0]);
    ds->passage[ds->n_passage].new_code = rq_xstrdup(row->v[1]);
    ds->n_passage++;
    return RQ_OK;
}

static int
cmp_passage(const void *a, const void *b)
{
    return strcmp(((const rq_passage *)a)->old_code, ((const rq_passage *)b)->old_code);
}

rq_status
rq_load_passage(rq_dataset *ds, rq_err *err)
{
    const rq_config *cfg = ds->cfg;
    if (!cfg->passage.path)
        return RQ_OK;
    const char *names[] = {cfg->passage_old, cfg->passage_new};
    const char *keys[] = {"old", "new"};
    rq_read_spec spec = {"passage", &cfg->passage, names, keys, NULL, 2, 0};
    struct passage_ctx c = {ds, 0};
    rq_read_info info;
    rq_diag diag;
    rq_diag_init(&diag);
    rq_status rc = rq_io_read(&spec, passage_row, &c, &diag, &info, err);
    rq_read_info_fini(&info);
    if (rc == RQ_OK) {
        qsort(ds->passage, ds->n_passage, sizeof *ds->passage, cmp_passage);
        for (size_t i = 1; i < ds->n_passage; i++)
            if (strcmp(ds->passage[i - 1].old_code, ds->passage[i].old_code) == 0)
                rq_diag_add(&diag, "%s: old code %s appears twice; expected one new code per "
                                   "old code",
                            cfg->passage.path, ds->passage[i].old_code);
        rc = rq_diag_to_err(&diag, cfg->passage.path, err);
    }
    rq_diag_fini(&diag);
    return rc;
}
