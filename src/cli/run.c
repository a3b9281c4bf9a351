/* run.c - `raquette run CONFIG`: the whole analysis, outputs written
** atomically into <output dir>/<run name>/, and a one-screen summary. */
#include "cli.h"

#include "raquette/analysis.h"
#include "raquette/io.h"

#include <stdlib.h>
#include <string.h>

static const char run_usage[] =
    "usage: raquette run [-q|--quiet] [-v|--verbose] [--out DIR] [--name NAME] CONFIG\n"
    "\n"
    "Runs the whole analysis (load, harmonise, locate, reach, indicators, gaps,\n"
    "aggregates) and writes communes.geojson, communes.csv, trous.geojson,\n"
    "sites.geojson, agregats_*.csv and run.json into DIR (default: the\n"
    "configuration's [output] dir followed by the run name). The files appear all\n"
    "at once when the run succeeds; a failed run leaves earlier outputs untouched.\n"
    "\n"
    "  --out DIR    write into DIR instead\n"
    "  --name NAME  run name (default: [study] name)\n"
    "  -q, --quiet  no progress and no summary\n"
    "Exit status: 0 success, 2 input or usage error, 1 internal or system failure.\n";

static double
share(const rq_aggregate *g, int p)
{
    return p < 0 ? g->part_parcours : g->part_phase[p];
}

static void
print_summary(FILE *f, const rq_dataset *ds, const rq_results *res, const char *out)
{
    const rq_aggregate *g = &res->agg_area;
    fprintf(f, "raquette %s: %s\n", RQ_VERSION, out);
    fprintf(f, "  communes %zu, population %ld\n", g->communes, g->population);
    for (int p = 0; p < RQ_NPHASES; p++)
        fprintf(f, "  population with %-14s support: %5.1f %%\n", rq_phase_names[p],
                100.0 * share(g, p));
    fprintf(f, "  population with the complete path:    %5.1f %%\n", 100.0 * share(g, -1));
    size_t rural = 0;
    for (size_t a = 0; a < res->n_ind; a++)
        rural += (size_t)res->ind[a].rural;
    fprintf(f, "  rural communes %zu (population %ld)\n", rural, g->pop_rurale);
    fprintf(f, "  gap communes %zu (population %ld)\n", g->communes_trou, g->pop_trou);
    size_t shown = 0;
    for (size_t i = 0; i < res->n_gaps && shown < 5; i++) {
        const rq_gap_zone *z = &res->gaps[i];
        if (z->phase >= 0)
            continue;
        char first[64] = "";
        if (z->n_communes)
            snprintf(first, sizeof first, "%s", ds->communes[z->communes[0]].name);
        fprintf(f, "  %s %5zu communes %8ld inhabitants %9.1f km2  départements %s\n", z->id,
                z->n_communes, z->population, z->area_km2, z->departements);
        shown++;
    }
}

int
rq_cli_run(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *name = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(run_usage, stdout);
            return 0;
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
    if (name && (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)) {
        fprintf(stderr, "raquette run: --name '%s': expected a plain folder name\n", name);
        return 2;
    }
    rq_io_init();
    rq_config cfg;
    rq_dataset *ds = NULL;
    rq_results res;
    rq_err err;
    char *target = NULL;
    memset(&res, 0, sizeof res);
    rq_err_clear(&err);
    double t0 = rq_now();
    rq_progress pr;
    rq_progress_begin(&pr, "loading", quiet);
    int status = rq_cli_prepare(config, &cfg, &ds);
    double t_prep = rq_progress_end(&pr);
    if (status != 0)
        goto done;
    /* Warnings change what the figures mean (an empty capacity counts as
    ** 0...): they go to stderr unless --quiet, and always into run.json. */
    for (size_t i = 0; i < ds->warnings.n; i++)
        rq_log(RQ_LOG_WARN, "%s", ds->warnings.items[i]);
    if (!name)
        name = cfg.name;
    target = out ? rq_xstrdup(out) : rq_xasprintf("%s/%s", cfg.output_dir, name);
    rq_run_meta meta = {config, name, t_prep};
    rq_status rc = rq_analysis_run(ds, &res, quiet, &err);
    if (rc == RQ_OK)
        rc = rq_outputs_write(ds, &res, &meta, target, quiet, &err);
    if (rc != RQ_OK) {
        rq_log(RQ_LOG_ERROR, "%s", err.msg);
        status = rq_status_exit_code(rc);
        goto done;
    }
    if (!quiet) {
        print_summary(stderr, ds, &res, target);
        fprintf(stderr, "  done in %.2f s\n", rq_now() - t0);
    }
done:
    if (ds) {
        rq_results_fini(ds->geos, &res);
        rq_dataset_destroy(ds);
        rq_config_fini(&cfg);
    }
    free(target);
    rq_io_cleanup();
    return status;
}
