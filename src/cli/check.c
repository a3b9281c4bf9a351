/* check.c - `raquette check CONFIG`: load and validate everything, print
** what was read, what was merged and what could not be matched. */
#include "cli.h"

#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char check_usage[] =
    "usage: raquette check [-q|--quiet] [-v|--verbose] [--all] CONFIG\n"
    "\n"
    "Loads the configuration and every input it names, harmonises the commune\n"
    "codes, locates the sites and prints a summary. Writes nothing.\n"
    "\n"
    "  --all        print every error and every warning in full (by default a\n"
    "               long list shows its first lines and says how many remain)\n"
    "Exit status: 0 usable, 2 input or usage error, 1 internal failure.\n";

void
rq_cli_report_error(const rq_err *err, int all)
{
    rq_err_print(stderr, err, all ? 0 : RQ_ERR_SCREENFUL,
                 "run again with --all to see them all (e.g. --all 2> errors.txt)");
}

int
rq_cli_load_config(const char *config_path, int all, rq_config *cfg)
{
    rq_err err = {0};
    rq_status rc = rq_config_load(config_path, cfg, &err);
    if (rc != RQ_OK)
        rq_cli_report_error(&err, all);
    rq_err_fini(&err);
    return rq_status_exit_code(rc);
}

int
rq_cli_load_inputs(const rq_config *cfg, int all, rq_dataset **ds_out)
{
    rq_err err = {0};
    *ds_out = NULL;
    rq_dataset *ds = rq_dataset_create(cfg);
    if (!ds) {
        rq_log(RQ_LOG_ERROR, "cannot create a GEOS context");
        return 1;
    }
    rq_status rc = rq_pipeline_prepare(ds, &err);
    if (rc != RQ_OK) {
        rq_cli_report_error(&err, all);
        rq_err_fini(&err);
        rq_dataset_destroy(ds);
        return rq_status_exit_code(rc);
    }
    *ds_out = ds;
    return 0;
}

/* The codes left out of the analysis on one side, with what they weigh. */
static void
print_unmatched(FILE *f, const rq_dataset *ds, const char *side, const char *label)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->n_unmatched; i++)
        n += strcmp(ds->unmatched[i].side, side) == 0;
    fprintf(f, "  %-48s %zu\n", label, n);
    for (size_t i = 0; i < ds->n_unmatched; i++) {
        const rq_unmatched *u = &ds->unmatched[i];
        if (strcmp(u->side, side) != 0)
            continue;
        fprintf(f, "    %s %s", u->code, u->name);
        if (u->population >= 0)
            fprintf(f, " (%ld inhabitants)", u->population);
        if (!isnan(u->area_km2))
            fprintf(f, " (%.2f km2)", u->area_km2);
        fputc('\n', f);
    }
}

/* How each input's commune codes reached a current commune (method.md §1.1). */
static void
print_harmonisation(FILE *f, const rq_dataset *ds)
{
    const rq_config *cfg = ds->cfg;
    fprintf(f, "code harmonisation (passage table: %s)\n",
            cfg->passage.path ? cfg->passage.path : "none");
    fprintf(f, "  %-24s", "codes of");
    for (int r = 0; r < RQ_N_RULES; r++)
        fprintf(f, " %14s", rq_rule_names[r]);
    fputc('\n', f);
    for (int in = 0; in < RQ_N_CODE_INPUTS; in++) {
        fprintf(f, "  %-24s", rq_code_input_names[in]);
        for (int r = 0; r < RQ_N_RULES; r++)
            fprintf(f, " %14zu", ds->stats.redirects[in][r]);
        fputc('\n', f);
    }
}

void
rq_cli_print_summary(FILE *f, const rq_dataset *ds, int all)
{
    const rq_config *cfg = ds->cfg;
    const rq_stats *st = &ds->stats;
    long pop = 0;
    size_t by_level[8] = {0};
    for (size_t k = 0; k < ds->n_area; k++) {
        const rq_commune *c = &ds->communes[ds->area[k]];
        pop += c->population;
        by_level[c->dens_level]++;
    }
    char *area = rq_config_area_text(cfg);
    if (cfg->metropole)
        fprintf(f, "study area: metropolitan France (region = %s), metric CRS %s\n", area,
                cfg->crs);
    else
        fprintf(f, "study area: %s %s, metric CRS %s\n",
                cfg->departements ? "départements" : "région", area, cfg->crs);
    free(area);
    fprintf(f, "boundaries (%s)\n", cfg->communes.path);
    fprintf(f, "  %-48s %zu\n", "boundaries read", st->n_boundaries);
    fprintf(f, "  %-48s %zu\n", "invalid geometries repaired", st->n_repaired);
    fprintf(f, "  %-48s %zu\n", "features sharing a code, merged (disjoint)",
            st->n_duplicates_merged);
    print_unmatched(f, ds, "boundaries", "unmatched boundary codes (left out)");
    fprintf(f, "communes (%s)\n", cfg->cog.path);
    fprintf(f, "  %-48s %zu\n", "current communes in the study area (table)", st->n_communes_area);
    fprintf(f, "  %-48s %zu\n", "current communes with a boundary", ds->n_area);
    print_unmatched(f, ds, "table", "current communes without a boundary (left out)");
    fprintf(f, "  %-48s %ld\n", "population (table)", st->population_area);
    fprintf(f, "  %-48s %ld\n", "population of communes with a boundary", pop);
    fprintf(f, "  %-48s %ld\n", "population left out (no boundary)", st->population_no_boundary);
    if (cfg->units.path) {
        fprintf(f, "study units (%s)\n", cfg->units.path);
        fprintf(f, "  %-48s %zu\n", "units read", st->n_units);
        fprintf(f, "  %-48s %zu\n", "units in the study area", st->n_units_area);
        fprintf(f, "  %-48s %ld\n", "population of the units in the study area",
                st->population_units);
        fprintf(f, "  %-48s %zu\n", "communes of the study area without a unit",
                st->n_communes_no_unit);
    }
    print_harmonisation(f, ds);
    fprintf(f, "rurality: %s\n", ds->rurality_rule ? ds->rurality_rule : "not computed");
    if (cfg->density.path) {
        fprintf(f, "  %-48s %zu\n", "density grid rows read", st->n_density_rows);
        print_unmatched(f, ds, "density", "grid codes of the area without a commune");
        for (int l = 1; l <= 7; l++)
            fprintf(f, "  level %d%-40s %zu\n", l, cfg->rural_levels[l] ? " (rural)" : "",
                    by_level[l]);
    }
    fprintf(f, "  %-48s %zu\n", "communes without a level (fallback rule)", st->n_fallback);
    fprintf(f, "  %-48s %zu\n", "rural communes", st->n_rural);
    fprintf(f, "  %-48s %zu\n", "non-rural communes", ds->n_area - st->n_rural);
    fprintf(f, "structures (%s)\n", cfg->structures.path);
    fprintf(f, "  %-48s %zu\n", "sites read", ds->n_sites);
    fprintf(f, "  %-48s %zu\n", "structures read", ds->n_structures);
    fprintf(f, "  %-48s %zu\n", "sites located inside the study area", st->n_sites_area);
    fprintf(f, "  %-48s %zu\n", "structures with a site inside", st->n_structures_area);
    fprintf(f, "  %-48s %zu\n", "distinct intervention zones", ds->n_zones);
    fprintf(f, "  %-48s %zu\n", "sites placed on their commune's edge", st->n_sites_snapped);
    fprintf(f, "  %-48s %zu\n", "faulty rows skipped", st->n_skipped_rows);
    fprintf(f, "  %-22s %9s %9s %11s %9s\n", "category", "sites", "by lon/lat", "structures",
            "radius km");
    for (size_t k = 0; k < cfg->n_categories; k++) {
        size_t ns = 0, nxy = 0, nst = 0;
        for (size_t i = 0; i < ds->n_sites; i++)
            if (ds->sites[i].category == (int)k) {
                ns++;
                nxy += (size_t)ds->sites[i].by_coords;
            }
        for (size_t i = 0; i < ds->n_structures; i++)
            nst += ds->structures[i].category == (int)k;
        fprintf(f, "  %-22s %9zu %9zu %11zu %9g\n", cfg->categories[k].name, ns, nxy, nst,
                cfg->categories[k].radius_km);
    }
    /* The warnings themselves go to stderr, as run's do (what is left out
    ** must reach the user even when the report goes to a file). */
    size_t nw = rq_warnings_count(&ds->warnings);
    fprintf(f, "warnings: %zu%s\n", nw, nw ? " (on stderr)" : "");
    rq_warnings_print(stderr, &ds->warnings, "warning: ", all ? 0 : RQ_WARN_DETAILS,
                      "run again with --all to see them all");
}

int
rq_cli_check(int argc, char **argv)
{
    const char *config = NULL;
    int all = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(check_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--all") == 0) {
            all = 1;
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            rq_log_set_level(RQ_LOG_ERROR);
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            rq_log_set_level(RQ_LOG_DEBUG);
        } else if (argv[i][0] == '-' || config) {
            fprintf(stderr, "raquette check: unexpected argument '%s'\n%s", argv[i], check_usage);
            return 2;
        } else {
            config = argv[i];
        }
    }
    if (!config) {
        fprintf(stderr, "raquette check: missing CONFIG\n%s", check_usage);
        return 2;
    }
    rq_err terr = {0};
    if (rq_thread_count_check(&terr) != RQ_OK) {
        fprintf(stderr, "raquette check: %s\n", terr.msg);
        return 2;
    }
    double t0 = rq_now();
    rq_io_init();
    rq_config cfg = {0};
    rq_dataset *ds = NULL;
    int status = rq_cli_load_config(config, all, &cfg);
    if (status == 0 && (status = rq_cli_load_inputs(&cfg, all, &ds)) == 0) {
        rq_cli_print_summary(stdout, ds, all);
        printf("checked in %.2f s: usable\n", rq_now() - t0);
    }
    rq_dataset_destroy(ds);
    rq_config_fini(&cfg);
    rq_io_cleanup();
    return status;
}
