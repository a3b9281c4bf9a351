/* report.c - what a report needs of a run, read from the history
** (report.h): the run's snapshot, the fields of its gap zones a table
** shows, its aggregates, the reach of each structure, the texts of its
** parameters and inputs, and the comparison with the previous run of the
** same name.
*/
#include "store_internal.h"

#include "raquette/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
rq_report_fini(rq_report *r)
{
    for (size_t i = 0; r->zones && i < r->run.n_gaps; i++) {
        free(r->zones[i].missing);
        free(r->zones[i].departements);
        free(r->zones[i].communes);
    }
    for (size_t i = 0; i < r->n_deps; i++) {
        free(r->deps[i].code);
        free(r->deps[i].name);
    }
    free(r->area.code);
    free(r->area.name);
    free(r->zones);
    free(r->deps);
    free(r->structures);
    free(r->params_json);
    free(r->inputs_json);
    free(r->licence);
    free(r->tool_version);
    free(r->method_version);
    if (r->has_previous)
        rq_comparison_fini(&r->cmp);
    rq_snapshot_fini(&r->before);
    rq_snapshot_fini(&r->run);
    memset(r, 0, sizeof *r);
}

/* The zones' fields, matched to the snapshot's zones by id. */
static rq_status
zones(rq_store *s, long long id, rq_report *r, rq_err *err)
{
    sqlite3_stmt *st = rq_store_prepare(
        s, "SELECT id, phases_manquantes, departements, communes FROM trous WHERE run_id = ?", err);
    if (!st)
        return rq_err_code(err);
    r->zones = rq_xcalloc(r->run.n_gaps + 1, sizeof *r->zones);
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *zid = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; zid && i < r->run.n_gaps; i++)
            if (!r->zones[i].missing && strcmp(r->run.gaps[i].id, zid) == 0) {
                r->zones[i].missing = rq_store_column_text(st, 1);
                r->zones[i].departements = rq_store_column_text(st, 2);
                r->zones[i].communes = rq_store_column_text(st, 3);
                break;
            }
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < r->run.n_gaps; i++)
        if (!r->zones[i].missing) {
            r->zones[i].missing = rq_xstrdup("");
            r->zones[i].departements = rq_xstrdup("");
            r->zones[i].communes = rq_xstrdup("");
        }
    return rc == SQLITE_DONE ? RQ_OK : rq_store_fail(s, rc, "reading gap zones", err);
}

static void
agg_row(sqlite3_stmt *st, rq_report_agg *a)
{
    a->code = rq_store_column_text(st, 0);
    a->name = rq_store_column_text(st, 1);
    a->communes = (size_t)sqlite3_column_int64(st, 2);
    a->population = (long)sqlite3_column_int64(st, 3);
    for (int p = 0; p < RQ_NPHASES; p++)
        a->part_phase[p] = sqlite3_column_double(st, 4 + p);
    a->part_parcours = sqlite3_column_double(st, 8);
    a->pop_rurale = (long)sqlite3_column_int64(st, 9);
    a->communes_trou = (size_t)sqlite3_column_int64(st, 10);
    a->pop_trou = (long)sqlite3_column_int64(st, 11);
    a->acces = sqlite3_column_type(st, 12) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 12);
}

static rq_status
aggregates(rq_store *s, long long id, rq_report *r, rq_err *err)
{
    static const char *const tables[] = {"agregats_departements", "agregats_zone_etude"};
    for (int t = 0; t < 2; t++) {
        char *sql = rq_xasprintf(
            "SELECT code, nom, communes, population, part_phase_emergence, part_phase_creation, "
            "part_phase_consolidation, part_phase_developpement, part_parcours_complet, "
            "population_rurale, communes_trou, population_trou, acces_e2sfca_moyen FROM %s "
            "WHERE run_id = ? ORDER BY code",
            tables[t]);
        sqlite3_stmt *st = rq_store_prepare(s, sql, err);
        free(sql);
        if (!st)
            return rq_err_code(err);
        sqlite3_bind_int64(st, 1, id);
        size_t cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (t == 1) {
                if (!r->area.code)
                    agg_row(st, &r->area);
                continue;
            }
            rq_grow((void **)&r->deps, &cap, r->n_deps + 1, sizeof *r->deps);
            agg_row(st, &r->deps[r->n_deps++]);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return rq_store_fail(s, rc, "reading aggregates", err);
    }
    if (!r->area.code) {
        r->area.code = rq_xstrdup("");
        r->area.name = rq_xstrdup("");
    }
    return RQ_OK;
}

/* Per structure: its sites, and the communes (and their population) its
** reach covers at least at the threshold (method.md §3). */
static void
structures(rq_report *r)
{
    const rq_snapshot *s = &r->run;
    r->structures = rq_xcalloc(s->n_structures + 1, sizeof *r->structures);
    for (size_t k = 0; k < s->n_structures; k++) {
        r->structures[k].id = s->structures[k].id;
        r->structures[k].category = s->structures[k].category;
        r->structures[k].phases = s->structures[k].phases;
    }
    for (size_t i = 0; i < s->n_sites; i++)
        if (s->sites[i].structure < s->n_structures)
            r->structures[s->sites[i].structure].sites++;
    for (size_t q = 0; q < s->n_covers; q++) {
        const rq_snap_cover *c = &s->covers[q];
        if (c->ratio < s->threshold)
            continue;
        r->structures[c->structure].communes++;
        r->structures[c->structure].population += s->communes[c->commune].population;
    }
}

static rq_status
texts(rq_store *s, long long id, rq_report *r, rq_err *err)
{
    sqlite3_stmt *st = rq_store_run_row(
        s, "parametres, entrees, licence, outil_version, methode_version", id, err);
    if (!st)
        return rq_err_code(err);
    r->params_json = rq_store_column_text(st, 0);
    r->inputs_json = rq_store_column_text(st, 1);
    r->licence = rq_store_column_text(st, 2);
    r->tool_version = rq_store_column_text(st, 3);
    r->method_version = rq_store_column_text(st, 4);
    sqlite3_finalize(st);
    return RQ_OK;
}

rq_status
rq_store_report(rq_store *s, long long id, rq_geos *g, rq_report *r, rq_err *err)
{
    memset(r, 0, sizeof *r);
    long long prev = 0;
    rq_status rc = rq_store_snapshot(s, id, &r->run, err);
    if (rc == RQ_OK)
        rc = zones(s, id, r, err);
    if (rc == RQ_OK)
        rc = aggregates(s, id, r, err);
    if (rc == RQ_OK)
        rc = texts(s, id, r, err);
    if (rc == RQ_OK) {
        structures(r);
        rc = rq_store_previous(s, r->run.name, id, &prev, err);
    }
    if (rc == RQ_OK && prev) {
        rc = rq_store_snapshot(s, prev, &r->before, err);
        if (rc == RQ_OK && (rc = rq_compare(g, &r->before, &r->run, &r->cmp, err)) == RQ_OK)
            r->has_previous = 1;
    }
    if (rc != RQ_OK)
        rq_report_fini(r);
    return rc;
}
