/* check.c - `raquette check CONFIG`: load and validate everything, print
** what was read, what was merged and what could not be matched. */
#include "cli.h"

#include "raquette/io.h"
#include "raquette/pipeline.h"

#include <stdlib.h>
#include <string.h>

static const char check_usage[] =
    "usage: raquette check [-q|--quiet] [-v|--verbose] CONFIG\n"
    "\n"
    "Loads the configuration and every input it names, harmonises the commune\n"
    "codes, locates the sites and prints a summary. Writes nothing.\n"
    "Exit status: 0 usable, 2 input or usage error, 1 internal failure.\n";

int
rq_cli_prepare(const char *config_path, rq_config *cfg, rq_dataset **ds_out)
{
    rq_err err;
    rq_err_clear(&err);
    *ds_out = NULL;
    rq_status rc = rq_config_load(config_path, cfg, &err);
    if (rc != RQ_OK) {
        rq_log(RQ_LOG_ERROR, "%s", err.msg);
        return rq_status_exit_code(rc);
    }
    rq_dataset *ds = rq_dataset_create(cfg);
    if (!ds) {
        rq_log(RQ_LOG_ERROR, "cannot create a GEOS context");
        rq_config_fini(cfg);
        return 1;
    }
    rc = rq_pipeline_prepare(ds, &err);
    if (rc != RQ_OK) {
        rq_log(RQ_LOG_ERROR, "%s", err.msg);
        rq_dataset_destroy(ds);
        rq_config_fini(cfg);
        return rq_status_exit_code(rc);
    }
    *ds_out = ds;
    return 0;
}

static void
print_unmatched(FILE *f, const rq_dataset *ds, const char *side, const char *label)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->n_unmatched; i++)
        n += strcmp(ds->unmatched[i].side, side) == 0;
    fprintf(f, "  %-44s %zu\n", label, n);
    for (size_t i = 0; i < ds->n_unmatched; i++)
        if (strcmp(ds->unmatched[i].side, side) == 0)
            fprintf(f, "    %s %s\n", ds->unmatched[i].code, ds->unmatched[i].name);
}

void
rq_cli_print_summary(FILE *f, const rq_dataset *ds)
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
    fprintf(f, "study area: %s %s, metric CRS %s\n", cfg->region ? "région" : "départements",
            cfg->region ? cfg->region : "(list)", cfg->crs);
    fprintf(f, "boundaries (%s)\n", cfg->communes.path);
    fprintf(f, "  %-44s %zu\n", "boundaries read", st->n_boundaries);
    fprintf(f, "  %-44s %zu\n", "codes merged into their chef-lieu", st->n_codes_merged);
    fprintf(f, "  %-44s %zu\n", "codes redirected by the passage table", st->n_codes_passage);
    fprintf(f, "  %-44s %zu\n", "invalid geometries repaired", st->n_repaired);
    print_unmatched(f, ds, "boundaries", "unmatched boundary codes (left out)");
    fprintf(f, "communes (%s)\n", cfg->cog.path);
    fprintf(f, "  %-44s %zu\n", "current communes in the study area (table)", st->n_communes_area);
    fprintf(f, "  %-44s %zu\n", "current communes with a boundary", ds->n_area);
    print_unmatched(f, ds, "table", "current communes without a boundary");
    fprintf(f, "  %-44s %ld\n", "population (table)", st->population_area);
    fprintf(f, "  %-44s %ld\n", "population of communes with a boundary", pop);
    fprintf(f, "rurality: %s\n", ds->rurality_rule ? ds->rurality_rule : "not computed");
    if (cfg->density.path) {
        fprintf(f, "  %-44s %zu\n", "density grid rows read", st->n_density_rows);
        fprintf(f, "  %-44s %zu\n", "grid codes merged into a current commune",
                st->n_density_merged);
        print_unmatched(f, ds, "density", "grid codes of the area without a commune");
        for (int l = 1; l <= 7; l++)
            fprintf(f, "  level %d%-36s %zu\n", l, cfg->rural_levels[l] ? " (rural)" : "",
                    by_level[l]);
    }
    fprintf(f, "  %-44s %zu\n", "communes without a level (fallback rule)", st->n_fallback);
    fprintf(f, "  %-44s %zu\n", "rural communes", st->n_rural);
    fprintf(f, "  %-44s %zu\n", "non-rural communes", ds->n_area - st->n_rural);
    fprintf(f, "structures (%s)\n", cfg->structures.path);
    fprintf(f, "  %-44s %zu\n", "sites read", ds->n_sites);
    fprintf(f, "  %-44s %zu\n", "structures read", ds->n_structures);
    fprintf(f, "  %-44s %zu\n", "sites located inside the study area", st->n_sites_area);
    fprintf(f, "  %-44s %zu\n", "structures with a site inside", st->n_structures_area);
    fprintf(f, "  %-44s %zu\n", "distinct intervention zones", ds->n_zones);
    if (st->n_skipped_rows)
        fprintf(f, "  %-44s %zu\n", "faulty rows skipped", st->n_skipped_rows);
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
    fprintf(f, "warnings: %zu\n", ds->warnings.n);
    for (size_t i = 0; i < ds->warnings.n; i++)
        fprintf(f, "  %s\n", ds->warnings.items[i]);
}

int
rq_cli_check(int argc, char **argv)
{
    const char *config = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(check_usage, stdout);
            return 0;
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
    double t0 = rq_now();
    rq_io_init();
    rq_config cfg;
    rq_dataset *ds = NULL;
    int status = rq_cli_prepare(config, &cfg, &ds);
    if (status == 0) {
        rq_cli_print_summary(stdout, ds);
        printf("checked in %.2f s: usable\n", rq_now() - t0);
        rq_dataset_destroy(ds);
        rq_config_fini(&cfg);
    }
    rq_io_cleanup();
    return status;
}
