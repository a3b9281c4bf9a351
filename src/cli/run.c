/* run.c - `raquette run CONFIG`: the whole analysis, outputs written
** atomically into <output dir>/<run name>/, and a one-screen summary. */
#include "cli.h"

#include "raquette/analysis.h"
#include "raquette/io.h"
#include "raquette/outputs.h"

#include <stdlib.h>
#include <string.h>

static const char run_usage[] =
    "usage: raquette run [-q|--quiet] [-v|--verbose] [--all] [--out DIR] [--name NAME]\n"
    "                    [--no-history] [--pdf] [--threads N] [--timings] CONFIG\n"
    "\n"
    "Runs the whole analysis (load, harmonise, locate, reach, indicators, gaps,\n"
    "aggregates) and writes into DIR/NAME/ the GeoJSON layers and CSV tables of\n"
    "the method, NAME.gpkg (every layer, styled), NAME.qgs (a QGIS project),\n"
    "NAME.xlsx, the orientation directory (annuaire.csv, structures_couverture.csv,\n"
    "recouvrements.csv), QGIS styles (*.qml), rapport.html (the report for public\n"
    "authorities, in French) and run.json; docs/outputs.md lists\n"
    "them. DIR is the configuration's [output] dir, NAME its [study] name. The\n"
    "files appear all at once when the run succeeds; a failed or interrupted run\n"
    "leaves earlier outputs untouched. DIR/NAME/ must be new, empty, or an earlier\n"
    "output of raquette.\n"
    "\n"
    "The run is then recorded in the history ([output] history, by default\n"
    "DIR/historique.sqlite) and compared with the previous run of the same name:\n"
    "the summary says what changed and why, the GeoPackage and the project show it.\n"
    "\n"
    "  --out DIR    the folder receiving NAME/ (as [output] dir)\n"
    "  --name NAME  run name (default: [study] name)\n"
    "  -q, --quiet  no progress, no warnings and no summary\n"
    "  --all        print every error and every warning in full\n"
    "  --no-history record nothing in the history, compare with nothing\n"
    "  --pdf        also rapport.pdf, printed by headless Chromium (needed)\n"
    "  --threads N  worker threads, 1 to 64 (default: one per CPU, or\n"
    "               RAQUETTE_THREADS); the outputs do not depend on it\n"
    "  --timings    print each stage's (and each product's) wall and CPU time\n"
    "Exit status: 0 success, 2 input or usage error, 1 internal or system failure.\n";

/* --timings: every stage with its wall and CPU seconds, then each product
** of the outputs stage (CPU of the worker that wrote it). */
static void
print_timings(FILE *f, double load_wall, double load_cpu, const rq_results *res, double total)
{
    fprintf(f, "timings (%zu threads)            wall s    CPU s\n", rq_thread_count());
    fprintf(f, "  %-28s %8.3f %8.3f\n", "loading", load_wall, load_cpu);
    for (size_t i = 0; i < res->n_timings; i++)
        fprintf(f, "  %s%-*s %8.3f %8.3f\n", res->timings[i].product ? "  " : "",
                res->timings[i].product ? 26 : 28, res->timings[i].stage, res->timings[i].seconds,
                res->timings[i].cpu);
    fprintf(f, "  %-28s %8.3f %8.3f\n", "total", total, rq_cpu_now());
}

/* "--threads N": N from 1 to RQ_MAX_THREADS; 0 with a message otherwise. */
static size_t
threads_option(const char *text)
{
    long v;
    if (text && rq_parse_long(text, &v) && v >= 1 && v <= RQ_MAX_THREADS)
        return (size_t)v;
    fprintf(stderr, "raquette run: --threads '%.40s': expected a whole number from 1 to %d\n",
            text ? text : "", RQ_MAX_THREADS);
    return 0;
}

static double
share(const rq_aggregate *g, int p)
{
    return p < 0 ? g->part_parcours : g->part_phase[p];
}

static void
print_summary(FILE *f, const rq_dataset *ds, const rq_results *res, const char *out)
{
    const rq_aggregate *g = &res->agg_area;
    const rq_stats *st = &ds->stats;
    fprintf(f, "raquette %s: %s\n", RQ_VERSION, out);
    /* The analysis covers the communes with a boundary; the table may hold
    ** more (method.md §1.1): both figures, named, never one for the other. */
    /* With [units], each row is a study unit (method.md §1.4). */
    const char *unit = ds->units.applied ? "units" : "communes";
    if (ds->units.applied)
        fprintf(f, "  units analysed %zu, in %zu communes of the commune table\n", g->communes,
                st->n_communes_area);
    else
        fprintf(f, "  communes analysed %zu of %zu in the commune table\n", g->communes,
                st->n_communes_area);
    fprintf(f, "  population analysed %ld of %ld\n", g->population, st->population_area);
    if (st->n_communes_no_boundary)
        fprintf(f, "  left out: %zu communes without a boundary (%ld inhabitants)\n",
                st->n_communes_no_boundary, st->population_no_boundary);
    if (st->n_boundaries_unmatched)
        fprintf(f, "  left out: %zu boundaries whose code no table knows (%.1f km2)\n",
                st->n_boundaries_unmatched, st->km2_unmatched);
    for (int p = 0; p < RQ_NPHASES; p++)
        fprintf(f, "  population with %-14s support: %5.1f %%\n", rq_phase_names[p],
                100.0 * share(g, p));
    fprintf(f, "  population with the complete path:    %5.1f %%\n", 100.0 * share(g, -1));
    size_t rural = 0;
    for (size_t a = 0; a < res->n_ind; a++)
        rural += (size_t)res->ind[a].rural;
    fprintf(f, "  rural %s %zu (population %ld)\n", unit, rural, g->pop_rurale);
    fprintf(f, "  gap %s %zu (population %ld)\n", unit, g->communes_trou, g->pop_trou);
    size_t shown = 0;
    for (size_t i = 0; i < res->n_gaps && shown < 5; i++) {
        const rq_gap_zone *z = &res->gaps[i];
        if (z->phase >= 0)
            continue;
        fprintf(f, "  %s %5zu %s %8ld inhabitants %9.1f km2  départements %s\n", z->id,
                z->n_communes, unit, z->population, z->area_km2, z->departements);
        shown++;
    }
}

/* Checks the command line's values before anything is loaded: a bad
** --name or --out must not wait for the whole analysis to be refused. */
static int
check_options(const char *out, const char *name)
{
    const char *why = name ? rq_run_name_problem(name) : NULL;
    if (why) {
        fprintf(stderr,
                "raquette run: --name '%.60s%s': %s; expected letters, digits, '.', '_' or "
                "'-', starting with a letter, a digit or '_', at most %d bytes\n",
                name, strlen(name) > 60 ? "..." : "", why, RQ_MAX_RUN_NAME);
        return 2;
    }
    if (out && !*out) {
        fprintf(stderr, "raquette run: --out '': expected the folder receiving the run's "
                        "folder\n");
        return 2;
    }
    rq_err err = {0};
    if (rq_thread_count_check(&err) != RQ_OK) {
        fprintf(stderr, "raquette run: %s\n", err.msg);
        return 2;
    }
    return 0;
}

int
rq_cli_run(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *name = NULL;
    int quiet = 0, all = 0, history = 1, pdf = 0, timings = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(run_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--all") == 0) {
            all = 1;
        } else if (strcmp(argv[i], "--no-history") == 0) {
            history = 0;
        } else if (strcmp(argv[i], "--pdf") == 0) {
            pdf = 1;
        } else if (strcmp(argv[i], "--timings") == 0) {
            timings = 1;
        } else if (strcmp(argv[i], "--threads") == 0) {
            size_t n = threads_option(i + 1 < argc ? argv[++i] : NULL);
            if (!n)
                return 2;
            rq_thread_count_set(n);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            quiet = 1;
            rq_log_set_level(RQ_LOG_ERROR);
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            rq_log_set_level(RQ_LOG_DEBUG);
        } else if ((strcmp(argv[i], "--out") == 0 || strcmp(argv[i], "--name") == 0) &&
                   i + 1 < argc) {
            *(argv[i][2] == 'o' ? &out : &name) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-' || config) {
            fprintf(stderr, "raquette run: unexpected argument '%s'\n%s", argv[i], run_usage);
            return 2;
        } else {
            config = argv[i];
        }
    }
    if (!config) {
        fprintf(stderr, "raquette run: missing CONFIG\n%s", run_usage);
        return 2;
    }
    int status = check_options(out, name);
    if (status != 0)
        return status;
    char why[512];
    if (pdf && !rq_report_pdf_available(why, sizeof why)) {
        fprintf(stderr, "raquette run: %s\n", why);
        return 2;
    }
    rq_io_init();
    rq_config cfg = {0};
    rq_dataset *ds = NULL;
    rq_outdir *od = NULL;
    rq_history_job hist = {0};
    char *history_path = NULL;
    rq_results res;
    rq_err err = {0};
    char *target = NULL;
    memset(&res, 0, sizeof res);
    double t0 = rq_now();
    rq_progress pr;
    rq_progress_begin(&pr, "loading", quiet);
    if ((status = rq_cli_load_config(config, all, &cfg)) != 0)
        goto done;
    if (!name)
        name = cfg.name;
    /* The output folder is taken before anything is loaded: a folder that
    ** is not ours, or another run on it, is said at once. */
    target = rq_xasprintf("%s/%s", out ? out : cfg.output_dir, name);
    if (!(od = rq_outdir_open(target, &err))) {
        rq_cli_report_error(&err, all);
        status = rq_status_exit_code(err.code);
        goto done;
    }
    /* So is a history file that is not ours, before the analysis. */
    if (history) {
        history_path = cfg.history_path
                           ? rq_xstrdup(cfg.history_path)
                           : rq_xasprintf("%s/historique.sqlite", out ? out : cfg.output_dir);
        if (rq_history_open(&hist, history_path, &err) != RQ_OK) {
            rq_cli_report_error(&err, all);
            status = rq_status_exit_code(err.code);
            goto done;
        }
    }
    status = rq_cli_load_inputs(&cfg, all, &ds);
    double t_prep = rq_progress_end(&pr, status == 0), cpu_prep = pr.cpu;
    if (status != 0)
        goto done;
    /* Warnings change what the figures mean (an empty capacity counts as
    ** 0...): they go to stderr unless --quiet, and always into run.json. */
    if (!quiet)
        rq_warnings_print(stderr, &ds->warnings, "warning: ", all ? 0 : RQ_WARN_DETAILS,
                          "all of them in run.json, or run again with --all");
    rq_run_meta meta = {
        .config_path = config, .run_name = name, .pdf = pdf, .seconds_prepare = t_prep};
    rq_run_meta_date(&meta);
    rq_status rc = rq_analysis_run(ds, &res, quiet, &err);
    if (rc == RQ_OK)
        rc = rq_outputs_write(ds, &res, &meta, od, &hist, quiet, &err);
    if (rc != RQ_OK) {
        rq_cli_report_error(&err, all);
        status = rq_status_exit_code(rc);
        goto done;
    }
    if (!quiet) {
        print_summary(stderr, ds, &res, target);
        if (history)
            fprintf(stderr, "  recorded as run %lld in %s\n", hist.run_id, history_path);
        fprintf(stderr, "  done in %.2f s\n", rq_now() - t0);
        if (hist.has_report && hist.report.has_previous)
            rq_comparison_print(stderr, &hist.report.cmp);
    }
    if (timings)
        print_timings(stderr, t_prep, cpu_prep, &res, rq_now() - t0);
done:
    rq_history_job_fini(&hist);
    free(history_path);
    rq_outdir_close(od);
    if (ds) {
        rq_results_fini(ds->geos, &res);
        rq_dataset_destroy(ds);
    }
    rq_config_fini(&cfg);
    free(target);
    rq_err_fini(&err);
    rq_io_cleanup();
    return status;
}
