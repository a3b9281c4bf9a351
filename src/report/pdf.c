/* pdf.c - rapport.pdf: the report printed by Debian's headless Chromium,
** which lays it out with the report's own print stylesheet (A4, maps kept
** on one page).
**
** Chromium runs as a child process (posix_spawn) with the signals the
** parent blocks unblocked, a profile in a temporary folder of its own
** (removed after), no network (the page fetches nothing anyway), and a
** time limit: a hung browser stops the run with a message, not for ever.
*/
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define TIME_LIMIT_S 180

/* Debian's Chromium, or the browser RAQUETTE_CHROMIUM names. */
static const char *
chromium(void)
{
    const char *env = getenv("RAQUETTE_CHROMIUM");
    return env && *env ? env : "/usr/bin/chromium";
}

int
rq_report_pdf_available(char *why, size_t sz)
{
    if (access(chromium(), X_OK) == 0)
        return 1;
    snprintf(why, sz,
             "--pdf prints the report with headless Chromium, and %s is not installed: install "
             "it (apt-get install chromium) or run without --pdf (rapport.html is written "
             "either way)",
             chromium());
    return 0;
}

/* Removes the folder made for Chromium's profile. */
static void
remove_tree(const char *dir)
{
    char *cmd[] = {"rm", "-rf", (char *)dir, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "rm", NULL, NULL, cmd, environ) == 0)
        waitpid(pid, NULL, 0);
}

/* Waits for pid, at most TIME_LIMIT_S; its exit status, or -1 when killed. */
static int
wait_limited(pid_t pid)
{
    for (int tenths = 0; tenths < TIME_LIMIT_S * 10; tenths++) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (r < 0 && errno != EINTR)
            return -1;
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -2;
}

rq_status
rq_report_pdf(const char *html_path, const char *pdf_path, rq_err *err)
{
    char why[256];
    if (!rq_report_pdf_available(why, sizeof why))
        return rq_err_set(err, RQ_ERR_IO, "%s", why);
    const char *tmp = getenv("TMPDIR");
    char *base = rq_xasprintf("%s/raquette-chromium-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base)) {
        rq_status rc =
            rq_err_set(err, RQ_ERR_IO, "cannot make a folder for Chromium: %s", strerror(errno));
        free(base);
        return rc;
    }
    char *abs_html = realpath(html_path, NULL);
    char *url = rq_xasprintf("file://%s", abs_html ? abs_html : html_path);
    char *out = rq_xasprintf("--print-to-pdf=%s", pdf_path);
    char *data = rq_xasprintf("--user-data-dir=%s", base);
    char *argv[] = {(char *)chromium(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--no-pdf-header-footer",
                    "--proxy-server=127.0.0.1:9",
                    data,
                    out,
                    url,
                    NULL};
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    posix_spawn_file_actions_init(&fa);
    /* Chromium chats on stderr; what matters is its status and the file. */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int sp = posix_spawn(&pid, chromium(), &fa, &attr, argv, environ);
    int status = sp == 0 ? wait_limited(pid) : -1;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    struct stat st;
    rq_status rc = RQ_OK;
    if (sp != 0)
        rc = rq_err_set(err, RQ_ERR_IO, "cannot start %s: %s", chromium(), strerror(sp));
    else if (status == -2)
        rc = rq_err_set(err, RQ_ERR_IO, "%s did not print %s within %d s; stopped", chromium(),
                        pdf_path, TIME_LIMIT_S);
    else if (status != 0 || stat(pdf_path, &st) != 0 || st.st_size == 0)
        rc = rq_err_set(err, RQ_ERR_IO,
                        "%s --headless --print-to-pdf failed (status %d): no %s; try the command "
                        "by hand to see why",
                        chromium(), status, pdf_path);
    remove_tree(base);
    free(base);
    free(abs_html);
    free(url);
    free(out);
    free(data);
    return rc;
}
