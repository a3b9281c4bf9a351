/* test_interrupt.c - a run never destroys what is not its own, even when it
** is killed or meets another run: `raquette run` on the real Occitanie data,
** stopped by SIGTERM, SIGINT and SIGKILL at several points of the run, two
** runs at once on one output folder, and a planted symbolic link.
**
** After every stop the output folder holds a complete set of outputs: the
** previous one, or the new one when the run finished before the signal
** (same inputs: the same bytes, run.json aside, which differs only by its
** timings). SIGTERM, SIGINT and SIGHUP leave nothing beside it and end
** with the conventional status (143, 130, 129), saying whether the previous
** outputs are untouched (then the folder is the same one, same inode);
** SIGKILL may leave a temporary folder, which the next run removes.
*/
#include "rq_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;       /* fresh temporary folder */
static double run_secs; /* how long a whole run takes here */
static char *reference; /* "file sha256" lines of a complete output, run.json aside */

/* The command of a run into dir/out/occitanie (without a history: its
** recording is tested in test_history.c). */
static void
run_cmd(char *buf, size_t sz)
{
    snprintf(buf, sz, "'%s' run -q --no-history --out '%s/out' '%s/config/occitanie.ini'",
             getenv("RQ_BINARY"), dir, getenv("RQ_SOURCE_DIR"));
}

/* SHA-256 of every file of the output folder but run.json, sorted. */
static char *
digest(void)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s/out/occitanie' && ls -A | grep -v '^run.json$' | sort | xargs sha256sum", dir);
    return rq_test_shell(cmd);
}

/* The output folder is a complete output and nothing but its lock file
** stands beside it (leftovers allowed: the temporary folder of a run
** killed by SIGKILL). */
static void
assert_complete(int leftovers_allowed, const char *what)
{
    char *d = digest();
    if (strcmp(d, reference) != 0)
        fail_msg("%s: the output folder is not a complete output:\n%s", what, d);
    free(d);
    char path[4096];
    snprintf(path, sizeof path, "%s/out/occitanie/run.json", dir);
    char *j = rq_test_slurp(path);
    if (!strstr(j, "\"durees_s\""))
        fail_msg("%s: run.json is incomplete", what);
    free(j);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "ls -A '%s/out' | grep -v -E '^(occitanie|\\.occitanie\\.lock)$' || true", dir);
    char *rest = rq_test_shell(cmd);
    if (!leftovers_allowed && *rest)
        fail_msg("%s: left beside the output folder:\n%s", what, rest);
    free(rest);
}

static int
setup(void **state)
{
    (void)state;
    (void)rq_test_geodata("occitanie");
    dir = rq_test_tmpdir();
    char cmd[4096];
    run_cmd(cmd, sizeof cmd);
    double t0 = rq_now();
    if (rq_test_run(cmd, NULL) != 0)
        return -1;
    run_secs = rq_now() - t0;
    reference = digest();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    rq_test_run(cmd, NULL);
    free(reference);
    free(dir);
    return 0;
}

/* Inode of the output folder: an exchange gives the target a new one. */
static unsigned long
folder_inode(void)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/out/occitanie", dir);
    assert_int_equal(stat(path, &st), 0);
    return (unsigned long)st.st_ino;
}

/* Starts a run, sends sig after `at` (a share of a whole run's time) and
** returns its exit status; *said gets what it printed on stderr. */
static int
run_and_kill(const char *sig, double at, char **said)
{
    char run[4096], cmd[8192];
    run_cmd(run, sizeof run);
    snprintf(cmd, sizeof cmd,
             "%s 2>'%s/stderr' & pid=$!; sleep %.2f; kill -%s $pid 2>/dev/null; wait $pid; "
             "echo $?",
             run, dir, at * run_secs, sig);
    char *out = rq_test_shell(cmd);
    int st = atoi(out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s/stderr", dir);
    *said = rq_test_slurp(cmd);
    snprintf(cmd, sizeof cmd, "rm -f '%s/stderr'", dir);
    rq_test_run(cmd, NULL);
    return st;
}

static void
test_signals_at_several_points(void **state)
{
    (void)state;
    static const struct {
        const char *sig;
        double at;
        int status;
    } cases[] = {
        {"TERM", 0.15, 143}, {"INT", 0.5, 130},  {"HUP", 0.4, 129},
        {"TERM", 0.8, 143},  {"KILL", 0.3, 137}, {"KILL", 0.7, 137},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char what[64], *said;
        snprintf(what, sizeof what, "SIG%s at %.0f %%", cases[i].sig, 100 * cases[i].at);
        unsigned long before = folder_inode();
        int st = run_and_kill(cases[i].sig, cases[i].at, &said);
        /* 0: the run ended before the signal came, possible only late. */
        if (st != cases[i].status && !(st == 0 && cases[i].at >= 0.7))
            fail_msg("%s: exit status %d, expected %d", what, st, cases[i].status);
        assert_complete(cases[i].status == 137, what);
        /* When the run says the previous outputs are untouched, they are
        ** the very same folder, not an identical new one. */
        if (strstr(said, "the previous outputs are untouched") && folder_inode() != before)
            fail_msg("%s: said the previous outputs are untouched, but they were replaced", what);
        if (st == cases[i].status && cases[i].status != 137 && !strstr(said, "stopped by a signal"))
            fail_msg("%s: no message on stderr:\n%s", what, said);
        free(said);
    }
    /* The next run removes what SIGKILL left, and only that. */
    char cmd[4096];
    run_cmd(cmd, sizeof cmd);
    char *out = rq_test_shell(cmd);
    free(out);
    assert_complete(0, "the run after the kills");
}

/* Two runs at once on one folder: the second is refused at once (exit 1,
** naming the first), the first completes. The second starts once the
** first holds the lock (its process id in the lock file), not after a
** fixed delay: on a loaded machine the first may take longer to start. */
static void
test_two_runs_at_once(void **state)
{
    (void)state;
    char run[4096], cmd[16384];
    run_cmd(run, sizeof run);
    snprintf(cmd, sizeof cmd,
             "%s 2>'%s/first.txt' & a=$!; i=0; "
             "while [ $i -lt 600 ] && ! grep -qx \"$a\" '%s/out/.occitanie.lock' 2>/dev/null; "
             "do sleep 0.05; i=$((i+1)); done; "
             "%s 2>'%s/second.txt'; b=$?; wait $a; echo $? $b",
             run, dir, dir, run, dir);
    char *out = rq_test_shell(cmd);
    int a = -1, b = -1;
    if (sscanf(out, "%d %d", &a, &b) != 2)
        fail_msg("no statuses: %s", out);
    free(out);
    char path[4096];
    snprintf(path, sizeof path, "%s/second.txt", dir);
    char *second = rq_test_slurp(path);
    int ok = a == 0 && b == 1 && strstr(second, "another raquette run (process ");
    if (!ok)
        print_error("statuses %d and %d, expected 0 and 1; second run said:\n%s\n", a, b, second);
    free(second);
    assert_true(ok);
    assert_complete(0, "two runs at once");
}

/* While a run writes, its temporary folder is private (0700): another user
** cannot plant a link in it to make the run write elsewhere. */
static void
test_private_temporary_folder(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip(); /* trying as another user needs root */
    char run[4096], cmd[16384];
    run_cmd(run, sizeof run);
    /* Wait for the temporary folder, then look at it and try as nobody. */
    snprintf(cmd, sizeof cmd,
             "%s & pid=$!; for i in $(seq 1 400); do t=$(ls -d '%s'/out/occitanie.tmp-* "
             "2>/dev/null | head -n 1); [ -n \"$t\" ] && break; sleep 0.05; done; "
             "stat -c %%a \"$t\"; setpriv --reuid=65534 --regid=65534 --clear-groups -- "
             "ln -s /etc/hostname \"$t/communes.csv\" 2>/dev/null && echo planted || "
             "echo refused; wait $pid; echo $?",
             run, dir);
    char *out = rq_test_shell(cmd);
    if (strncmp(out, "700\nrefused\n0\n", 14) != 0)
        fail_msg("expected mode 700, a refused link and a run that succeeds; got:\n%s", out);
    free(out);
    assert_complete(0, "a link planted by another user");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signals_at_several_points),
        cmocka_unit_test(test_two_runs_at_once),
        cmocka_unit_test(test_private_temporary_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
