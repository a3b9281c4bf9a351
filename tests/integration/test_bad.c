/* test_bad.c - the catalogue of bad inputs (tests/bad/, one folder each).
**
** Every case is a folder of tests/bad/ holding the files that replace those
** of the mini fixture (tests/fixtures/mini: mini.ini, communes.geojson,
** cog.csv, epci.csv, density.csv, structures.csv) and an expect.ini:
**
**   [case]
**   about   = what is wrong (one line, for the failure message)
**   command = run | check          (default run)
**   status  = 0 | 1 | 2            (exit status raquette must return)
**   message = text that stderr must contain   (repeatable)
**   absent  = text that stderr must not contain (repeatable)
**   output  = FILE:TEXT, a file of the run's output folder (out/mini/) and
**             text it must contain (repeatable)
**   setup   = none | out-under-file | file-size-limit | foreign-out |
**             fifo-structures | long-variable | history-foreign |
**             history-damaged | history-newer   (default none)
**   env     = NAME=VALUE set for the command
**   args    = arguments replacing "[--out out] mini.ini" (usage errors)
**
** For each case the runner copies the fixture and the case's files into a
** fresh folder, puts "previous outputs" in out/mini/ (a previous output of
** raquette: its marker and two files; with setup = foreign-out, a file of
** the user's instead), runs `raquette COMMAND [--out out] mini.ini` there
** (under a timeout: a hang fails the case), and checks: the exit status;
** every message (file, row or line, field, expected form); that neither a
** sanitizer nor a signal went off; and, when the run fails, that out/mini/
** still holds exactly what it held, unchanged, with nothing left beside it
** but its lock file. A history-* setup puts a history database that must
** be refused in out/historique.sqlite; it must be left byte for byte.
*/
#include "rq_test.h"

#include <dirent.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXTS 16

struct expect {
    char about[256];
    char command[16];
    char setup[32];
    char args[256];
    char env[256];
    int status;
    char *message[MAX_TEXTS];
    size_t n_message;
    char *absent[MAX_TEXTS];
    size_t n_absent;
    char *output[MAX_TEXTS];
    size_t n_output;
};

static int
on_key(void *ud, const char *section, const char *key, const char *value)
{
    struct expect *e = ud;
    if (strcmp(section, "case") != 0)
        return 0;
    if (strcmp(key, "about") == 0)
        snprintf(e->about, sizeof e->about, "%s", value);
    else if (strcmp(key, "command") == 0)
        snprintf(e->command, sizeof e->command, "%s", value);
    else if (strcmp(key, "setup") == 0)
        snprintf(e->setup, sizeof e->setup, "%s", value);
    else if (strcmp(key, "args") == 0)
        snprintf(e->args, sizeof e->args, "%s", value);
    else if (strcmp(key, "env") == 0)
        snprintf(e->env, sizeof e->env, "%s", value);
    else if (strcmp(key, "output") == 0 && e->n_output < MAX_TEXTS)
        e->output[e->n_output++] = strdup(value);
    else if (strcmp(key, "status") == 0)
        e->status = atoi(value);
    else if (strcmp(key, "message") == 0 && e->n_message < MAX_TEXTS)
        e->message[e->n_message++] = strdup(value);
    else if (strcmp(key, "absent") == 0 && e->n_absent < MAX_TEXTS)
        e->absent[e->n_absent++] = strdup(value);
    else
        return 0;
    return 1;
}

static void
expect_fini(struct expect *e)
{
    for (size_t i = 0; i < e->n_message; i++)
        free(e->message[i]);
    for (size_t i = 0; i < e->n_absent; i++)
        free(e->absent[i]);
    for (size_t i = 0; i < e->n_output; i++)
        free(e->output[i]);
}

/* What out/mini/ holds before the run, listed as the check lists it. */
static const char PREVIOUS[] = ".raquette:a previous output of raquette\ncommunes.csv:previous "
                               "run\nrun.json:{}\n";
static const char FOREIGN[] = "notes.txt:the user's own notes\n";

/* Checks that output file FILE:TEXT of out/mini/ holds TEXT. */
static void
check_output(const char *w, const char *spec, const char *case_dir)
{
    const char *colon = strchr(spec, ':');
    if (!colon)
        fail_msg("%s: output = '%s' is not FILE:TEXT", case_dir, spec);
    char path[4096];
    snprintf(path, sizeof path, "%s/out/mini/%.*s", w, (int)(colon - spec), spec);
    char *text = rq_test_slurp(path);
    if (!strstr(text, colon + 1))
        fail_msg("%s: %s does not hold \"%s\"", case_dir, path, colon + 1);
    free(text);
}

static void
run_case(void **state)
{
    const char *case_dir = *state;
    struct expect e;
    memset(&e, 0, sizeof e);
    snprintf(e.command, sizeof e.command, "run");
    snprintf(e.setup, sizeof e.setup, "none");
    char path[4096];
    snprintf(path, sizeof path, "%s/expect.ini", case_dir);
    if (ini_parse(path, on_key, &e) != 0)
        fail_msg("%s: unreadable or unknown key", path);
    if (e.n_message == 0 && e.status != 0)
        fail_msg("%s: a failing case must name the message it expects", path);
    int foreign = strcmp(e.setup, "foreign-out") == 0;

    char *w = rq_test_tmpdir();
    char cmd[16384];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/.' '%s/' && cp -r '%s/.' '%s/' && rm '%s/expect.ini' && "
             "mkdir -p '%s/out/mini' && cd '%s/out/mini' && %s",
             rq_test_fixture("mini"), w, case_dir, w, w, w, w,
             foreign ? "printf \"the user's own notes\\n\" > notes.txt"
                     : "printf 'a previous output of raquette\\n' > .raquette && "
                       "printf 'previous run\\n' > communes.csv && printf '{}\\n' > run.json");
    free(rq_test_shell(cmd));

    /* The command, with what the setup asks around it. */
    const char *bin = getenv("RQ_BINARY");
    char out_opt[512] = "";
    char prefix[8192] = "";
    if (strcmp(e.command, "run") == 0)
        snprintf(out_opt, sizeof out_opt, "--out out");
    if (strcmp(e.setup, "out-under-file") == 0) {
        snprintf(out_opt, sizeof out_opt, "--out out/mini/run.json/results");
    } else if (strcmp(e.setup, "file-size-limit") == 0) {
        /* 2 KiB per file: communes.geojson of the fixture is larger. */
        snprintf(prefix, sizeof prefix, "ulimit -f 2; ");
    } else if (strcmp(e.setup, "fifo-structures") == 0) {
        snprintf(cmd, sizeof cmd, "cd '%s' && rm structures.csv && mkfifo structures.csv", w);
        free(rq_test_shell(cmd));
    } else if (strcmp(e.setup, "long-variable") == 0) {
        /* A value of 5,000 bytes, beyond any path. */
        snprintf(prefix, sizeof prefix, "RQ_LONG=$(head -c 5000 /dev/zero | tr '\\0' a) ");
    } else if (strncmp(e.setup, "history-", 8) == 0) {
        static const struct {
            const char *setup, *make;
        } histories[] = {
            {"history-foreign", "sqlite3 out/historique.sqlite 'CREATE TABLE notes (x)'"},
            {"history-damaged", "{ printf 'SQLite format 3\\000'; head -c 4080 /dev/zero | "
                                "tr '\\0' '\\377'; } > out/historique.sqlite"},
            {"history-newer", "sqlite3 out/historique.sqlite 'PRAGMA application_id = "
                              "1381061957; PRAGMA user_version = 9; CREATE TABLE t (x)'"},
        };
        size_t k = 0;
        while (k < NELEM(histories) && strcmp(histories[k].setup, e.setup) != 0)
            k++;
        if (k == NELEM(histories))
            fail_msg("%s: unknown setup '%s'", path, e.setup);
        snprintf(cmd, sizeof cmd, "cd '%s' && %s && md5sum out/historique.sqlite > history.md5", w,
                 histories[k].make);
        free(rq_test_shell(cmd));
    } else if (strcmp(e.setup, "none") != 0 && !foreign) {
        fail_msg("%s: unknown setup '%s'", path, e.setup);
    }
    /* A hang (a FIFO read for ever...) fails the case instead of the suite. */
    if (e.args[0])
        snprintf(cmd, sizeof cmd, "cd '%s' && %s%s timeout -s KILL 120 '%s' %s %s", w, prefix,
                 e.env, bin, e.command, e.args);
    else
        snprintf(cmd, sizeof cmd, "cd '%s' && %s%s timeout -s KILL 120 '%s' %s %s mini.ini", w,
                 prefix, e.env, bin, e.command, out_opt);
    char *out = NULL;
    int st = rq_test_run(cmd, &out);

    if (st != e.status)
        fail_msg("%s (%s): exit status %d, expected %d; output:\n%s", case_dir, e.about, st,
                 e.status, out);
    for (size_t i = 0; i < e.n_message; i++)
        if (!strstr(out, e.message[i]))
            fail_msg("%s (%s): expected \"%s\" in:\n%s", case_dir, e.about, e.message[i], out);
    for (size_t i = 0; i < e.n_absent; i++)
        if (strstr(out, e.absent[i]))
            fail_msg("%s (%s): did not expect \"%s\" in:\n%s", case_dir, e.about, e.absent[i], out);
    static const char *const alarms[] = {"AddressSanitizer",   "LeakSanitizer", "runtime error:",
                                         "Segmentation fault", "Aborted",       "core dumped"};
    for (size_t i = 0; i < sizeof alarms / sizeof alarms[0]; i++)
        if (strstr(out, alarms[i]))
            fail_msg("%s (%s): \"%s\" in:\n%s", case_dir, e.about, alarms[i], out);
    for (size_t i = 0; i < e.n_output; i++)
        check_output(w, e.output[i], case_dir);

    if (strncmp(e.setup, "history-", 8) == 0) {
        snprintf(cmd, sizeof cmd, "cd '%s' && md5sum -c --quiet history.md5", w);
        if (rq_test_run(cmd, NULL) != 0)
            fail_msg("%s (%s): the history database changed", case_dir, e.about);
    }
    if (e.status != 0) {
        /* The previous outputs are intact and nothing was left beside them
        ** (but the history database a case put there). */
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && for f in $(ls -A out/mini); do printf '%%s:' \"$f\"; "
                 "cat \"out/mini/$f\"; done; ls -A out | "
                 "grep -v -E '^(mini|\\.mini\\.lock|historique\\.sqlite)$' || true",
                 w);
        char *listing = rq_test_shell(cmd);
        if (strcmp(listing, foreign ? FOREIGN : PREVIOUS) != 0)
            fail_msg("%s (%s): the previous outputs changed:\n%s", case_dir, e.about, listing);
        free(listing);
    }
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w);
    free(rq_test_shell(cmd));
    free(w);
    expect_fini(&e);
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/bad", getenv("RQ_SOURCE_DIR"));
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    char **paths = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *p = malloc(strlen(dir) + strlen(de->d_name) + 2);
        sprintf(p, "%s/%s", dir, de->d_name);
        paths = realloc(paths, (n + 1) * sizeof *paths);
        paths[n++] = p;
    }
    closedir(d);
    qsort(paths, n, sizeof *paths, cmp_names);
    struct CMUnitTest *tests = calloc(n ? n : 1, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        tests[i].name = strrchr(paths[i], '/') + 1;
        tests[i].test_func = run_case;
        tests[i].initial_state = paths[i];
    }
    int failed = _cmocka_run_group_tests("bad inputs", tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(tests);
    return failed;
}
