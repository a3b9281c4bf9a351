/* report.c - `raquette report`: rebuilds rapport.html (and rapport.pdf) of
** a run from its history, with the loader `raquette run` uses, so that a
** rebuilt report is the report the run wrote.
**
** The run is found from its folder (the history beside it holds a run
** whose run.json is the folder's, byte for byte) or named in a history.
** The report goes into the run's folder, or into --out DIR; each file
** replaces the previous one in one rename, and a folder that is not an
** output of raquette never has a rapport.html overwritten.
*/
#include "cli.h"

#include "raquette/io.h"
#include "raquette/outputs.h"
#include "raquette/report.h"
#include "raquette/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUN_JSON_MAX (64 * 1024 * 1024)

static const char report_usage[] =
    "usage: raquette report [--pdf] [--out DIR] [--history DB] RUN_DIR\n"
    "       raquette report [--pdf] [--out DIR] DB RUN\n"
    "\n"
    "Rebuilds rapport.html, the report for public authorities, of a run recorded\n"
    "in a history: the run of the output folder RUN_DIR (found in RUN_DIR/../\n"
    "historique.sqlite, or --history DB), or run RUN (an id, or a name for its\n"
    "latest run) of DB. The report goes into the run's folder, or into --out DIR.\n"
    "\n"
    "  --pdf         also rapport.pdf, printed by headless Chromium (needed)\n"
    "  --out DIR     the folder receiving the report\n"
    "  --history DB  the history holding the run of RUN_DIR\n"
    "Exit status: 0 success, 2 input or usage error, 1 internal or system failure.\n";

struct report_args {
    const char *pos[2];
    int n_pos, pdf;
    const char *out, *history;
};

static int
parse(int argc, char **argv, struct report_args *o)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(report_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--pdf") == 0) {
            o->pdf = 1;
        } else if ((strcmp(argv[i], "--out") == 0 || strcmp(argv[i], "--history") == 0) &&
                   i + 1 < argc && *argv[i + 1]) {
            *(argv[i][2] == 'o' ? &o->out : &o->history) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-' || o->n_pos == 2) {
            fprintf(stderr, "raquette report: unexpected argument '%s'\n%s", argv[i], report_usage);
            return 2;
        } else {
            o->pos[o->n_pos++] = argv[i];
        }
    }
    if (o->n_pos == 0 || (o->n_pos == 2 && o->history)) {
        fprintf(stderr, "raquette report: expected RUN_DIR, or DB and RUN\n%s", report_usage);
        return 2;
    }
    return -1;
}

static int
is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* 1 when dir is an output folder of raquette (its marker). */
static int
is_ours(const char *dir)
{
    char *marker = rq_xasprintf("%s/.raquette", dir);
    int ok = access(marker, F_OK) == 0;
    free(marker);
    return ok;
}

/* The folder of run id in s: where the history says it was written, if it
** still holds that run. */
static rq_status
recorded_folder(rq_store *s, long long id, char **dir, rq_err *err)
{
    char *folder = NULL, *json = NULL;
    rq_status rc = rq_store_run_folder(s, id, &folder, &json, err);
    if (rc != RQ_OK)
        return rc;
    char *path = rq_xasprintf("%s/run.json", folder);
    rq_err ignored = {0};
    char *text = rq_io_read_text(path, RUN_JSON_MAX, &ignored);
    rq_err_fini(&ignored);
    if (text && strcmp(text, json) == 0 && is_ours(folder)) {
        *dir = folder;
        folder = NULL;
    } else {
        rc = rq_err_set(err, RQ_ERR_INPUT,
                        "run %lld was written to %s, which no longer holds it; give the folder "
                        "receiving the report with --out DIR",
                        id, folder);
    }
    free(text);
    free(path);
    free(json);
    free(folder);
    return rc;
}

/* Finds the run and the folder receiving its report. */
static rq_status
locate(const struct report_args *o, rq_store **s, long long *id, char **dir, rq_err *err)
{
    rq_status rc = RQ_OK;
    if (o->n_pos == 1) {
        const char *run_dir = o->pos[0];
        char *json_path = rq_xasprintf("%s/run.json", run_dir);
        char *db =
            o->history ? rq_xstrdup(o->history) : rq_xasprintf("%s/../historique.sqlite", run_dir);
        char *json = NULL;
        if (!is_folder(run_dir) || !is_ours(run_dir))
            rc = rq_err_set(err, RQ_ERR_INPUT,
                            "%s: not an output folder of raquette (no .raquette marker)", run_dir);
        else if (!(json = rq_io_read_text(json_path, RUN_JSON_MAX, err)))
            rc = rq_err_code(err);
        if (rc == RQ_OK && !(*s = rq_store_open(db, 0, err)))
            rc = rq_err_code(err);
        if (rc == RQ_OK)
            rc = rq_store_find_run_json(*s, json, id, err);
        if (rc == RQ_OK)
            *dir = rq_xstrdup(o->out ? o->out : run_dir);
        free(json);
        free(db);
        free(json_path);
        return rc;
    }
    if (!(*s = rq_store_open(o->pos[0], 0, err)))
        return rq_err_code(err);
    if ((rc = rq_store_find(*s, o->pos[1], id, err)) != RQ_OK)
        return rc;
    if (o->out) {
        *dir = rq_xstrdup(o->out);
        return RQ_OK;
    }
    return recorded_folder(*s, *id, dir, err);
}

int
rq_cli_report(int argc, char **argv)
{
    struct report_args o = {{NULL, NULL}, 0, 0, NULL, NULL};
    int status = parse(argc, argv, &o);
    if (status >= 0)
        return status;
    char why[512];
    if (o.pdf && !rq_report_pdf_available(why, sizeof why)) {
        fprintf(stderr, "raquette report: %s\n", why);
        return 2;
    }
    rq_io_init();
    rq_err err = {0};
    rq_store *s = NULL;
    rq_report r;
    int loaded = 0;
    long long id = 0;
    char *dir = NULL;
    rq_geos *g = rq_geos_create();
    rq_status rc = locate(&o, &s, &id, &dir, &err);
    if (rc == RQ_OK && !is_folder(dir))
        rc = rq_err_set(&err, RQ_ERR_INPUT, "%s: no such folder", dir);
    if (rc == RQ_OK && !is_ours(dir)) {
        char *existing = rq_xasprintf("%s/rapport.html", dir);
        if (access(existing, F_OK) == 0)
            rc = rq_err_set(&err, RQ_ERR_INPUT,
                            "%s holds a rapport.html that raquette did not write (the folder "
                            "is not one of its outputs); give another --out",
                            dir);
        free(existing);
    }
    if (rc == RQ_OK && (rc = rq_store_report(s, id, g, &r, &err)) == RQ_OK)
        loaded = 1;
    if (rc == RQ_OK)
        rc = rq_outputs_write_report(&r, dir, o.pdf, &err);
    if (rc == RQ_OK)
        fprintf(stderr, "raquette report: run %lld: %s/rapport.html%s\n", id, dir,
                o.pdf ? " and rapport.pdf" : "");
    else
        rq_cli_report_error(&err, 0);
    if (loaded)
        rq_report_fini(&r);
    rq_store_close(s);
    rq_geos_destroy(g);
    free(dir);
    rq_err_fini(&err);
    rq_io_cleanup();
    return rq_status_exit_code(rc);
}
