/* history.c - `raquette history` (the runs a history database holds) and
** `raquette compare` (what changed between two of them, and why).
**
** Both read the database only: `compare` writes its files into a folder of
** its own (the same atomic, marked folder as a run's), never into the
** database.
*/
#include "cli.h"

#include "raquette/compare.h"
#include "raquette/io.h"
#include "raquette/outputs.h"
#include "raquette/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RQ_DEFAULT_HISTORY "reports/historique.sqlite"

static const char history_usage[] =
    "usage: raquette history [DB]\n"
    "\n"
    "Lists the runs recorded in the history database DB (default\n" RQ_DEFAULT_HISTORY
    "): id, name, date, commune table vintage and headline\n"
    "counts.\n"
    "Exit status: 0 success, 2 input or usage error, 1 internal or system failure.\n";

static const char compare_usage[] =
    "usage: raquette compare [-q] [--out DIR] [--csv-format standard|fr] [DB] RUN_A RUN_B\n"
    "\n"
    "Compares two runs of the history database DB (default " RQ_DEFAULT_HISTORY "):\n"
    "communes that gained or lost a phase, entered or left a gap, their change of\n"
    "accessibility; gap zones matched by overlap; and why: the sites and\n"
    "structures added, removed, moved, or whose phases or zone changed, each with\n"
    "the communes whose status it changed. Across commune vintages, communes are\n"
    "matched through the newer run's commune table. RUN is a run id or a run name\n"
    "(its latest run). Prints a French summary and writes GeoJSON, CSV and QGIS\n"
    "styles into DIR/comparaison-A-B/ (DIR: the folder of DB by default).\n"
    "\n"
    "  --out DIR         the folder receiving comparaison-A-B/\n"
    "  --csv-format fr   CSV for French spreadsheets (';', decimal comma, BOM)\n"
    "  -q, --quiet       no summary\n"
    "Exit status: 0 success, 2 input or usage error, 1 internal or system failure.\n";

static void
print_runs(FILE *f, const rq_store_run *runs, size_t n)
{
    fprintf(f, "%4s  %-20s %-10s %-7s %8s %10s %8s %10s %6s %6s %10s\n", "id", "name", "date",
            "COG", "communes", "population", "gap com.", "gap pop.", "zones", "sites",
            "complete %");
    for (size_t i = 0; i < n; i++) {
        const rq_store_run *r = &runs[i];
        fprintf(f, "%4lld  %-20s %-10s %-7s %8ld %10ld %8ld %10ld %6ld %6ld %10.1f\n", r->id,
                r->name, r->date, *r->vintage ? r->vintage : "?", r->communes, r->population,
                r->communes_trou, r->population_trou, r->zones_trou, r->sites,
                100.0 * r->part_parcours_complet);
    }
    if (n == 0)
        fprintf(f, "(no run recorded yet)\n");
}

int
rq_cli_history(int argc, char **argv)
{
    const char *db = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(history_usage, stdout);
            return 0;
        }
        if (argv[i][0] == '-' || db) {
            fprintf(stderr, "raquette history: unexpected argument '%s'\n%s", argv[i],
                    history_usage);
            return 2;
        }
        db = argv[i];
    }
    rq_err err = {0};
    rq_store_run *runs = NULL;
    size_t n = 0;
    rq_store *s = rq_store_open(db ? db : RQ_DEFAULT_HISTORY, 0, &err);
    rq_status rc = s ? rq_store_runs(s, &runs, &n, &err) : rq_err_code(&err);
    if (rc == RQ_OK) {
        printf("%s\n", rq_store_path(s));
        print_runs(stdout, runs, n);
    } else {
        rq_cli_report_error(&err, 0);
    }
    for (size_t i = 0; i < n; i++)
        rq_store_run_fini(&runs[i]);
    free(runs);
    rq_store_close(s);
    rq_err_fini(&err);
    return rq_status_exit_code(rc);
}

/* The folder of path ("." when it has none), newly allocated. */
static char *
folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return rq_xstrdup(".");
    if (slash == path)
        return rq_xstrdup("/");
    return rq_xasprintf("%.*s", (int)(slash - path), path);
}

struct compare_args {
    const char *db, *a, *b, *out;
    int quiet, csv_fr;
};

/* Parses the arguments; returns -1 to go on, else the exit status. */
static int
parse_compare(int argc, char **argv, struct compare_args *o)
{
    const char *pos[3];
    int n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(compare_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && *argv[i + 1]) {
            o->out = argv[++i];
        } else if (strcmp(argv[i], "--csv-format") == 0 && i + 1 < argc &&
                   (strcmp(argv[i + 1], "fr") == 0 || strcmp(argv[i + 1], "standard") == 0)) {
            o->csv_fr = strcmp(argv[++i], "fr") == 0;
        } else if (argv[i][0] == '-' || n_pos == 3) {
            fprintf(stderr, "raquette compare: unexpected argument '%s'\n%s", argv[i],
                    compare_usage);
            return 2;
        } else {
            pos[n_pos++] = argv[i];
        }
    }
    if (n_pos < 2) {
        fprintf(stderr, "raquette compare: expected two runs\n%s", compare_usage);
        return 2;
    }
    o->db = n_pos == 3 ? pos[0] : RQ_DEFAULT_HISTORY;
    o->a = pos[n_pos - 2];
    o->b = pos[n_pos - 1];
    return -1;
}

int
rq_cli_compare(int argc, char **argv)
{
    struct compare_args o = {0};
    int status = parse_compare(argc, argv, &o);
    if (status >= 0)
        return status;
    rq_io_init();
    rq_err err = {0};
    rq_snapshot a = {0}, b = {0};
    rq_comparison cmp = {0};
    int compared = 0;
    rq_outdir *od = NULL;
    char *target = NULL, *parent = NULL;
    long long ia = 0, ib = 0;
    rq_geos *g = rq_geos_create();
    rq_store *s = rq_store_open(o.db, 0, &err);
    rq_status rc = s ? RQ_OK : rq_err_code(&err);
    if (rc == RQ_OK && (rc = rq_store_find(s, o.a, &ia, &err)) == RQ_OK)
        rc = rq_store_find(s, o.b, &ib, &err);
    if (rc == RQ_OK) {
        parent = o.out ? rq_xstrdup(o.out) : folder_of(o.db);
        target = rq_xasprintf("%s/comparaison-%lld-%lld", parent, ia, ib);
        if (!(od = rq_outdir_open(target, &err)))
            rc = rq_err_code(&err);
    }
    if (rc == RQ_OK && (rc = rq_store_snapshot(s, ia, &a, &err)) == RQ_OK)
        rc = rq_store_snapshot(s, ib, &b, &err);
    if (rc == RQ_OK && (rc = rq_compare(g, &a, &b, &cmp, &err)) == RQ_OK)
        compared = 1;
    if (rc == RQ_OK) {
        char name[64];
        snprintf(name, sizeof name, "comparaison-%lld-%lld", ia, ib);
        rq_run_meta meta = {.config_path = o.db, .run_name = name};
        rq_run_meta_date(&meta);
        rc = rq_outputs_write_comparison(&cmp, b.crs, o.csv_fr, &meta, od, &err);
    }
    if (rc == RQ_OK) {
        if (!o.quiet)
            rq_comparison_print(stdout, &cmp);
        fprintf(stderr, "raquette compare: written to %s\n", target);
    } else {
        rq_cli_report_error(&err, 0);
    }
    if (compared)
        rq_comparison_fini(&cmp);
    rq_snapshot_fini(&a);
    rq_snapshot_fini(&b);
    rq_outdir_close(od);
    rq_store_close(s);
    rq_geos_destroy(g);
    free(target);
    free(parent);
    rq_err_fini(&err);
    rq_io_cleanup();
    return rq_status_exit_code(rc);
}
