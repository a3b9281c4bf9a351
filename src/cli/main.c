/* main.c - command line of raquette: argument parsing and wiring.
**
** Exit status: 0 success, 2 bad input or usage, 1 internal or system
** failure (rq_status_exit_code).
*/
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: raquette [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "Finds the rural communes that ESS support structures leave uncovered.\n"
    "\n"
    "commands:\n"
    "  check CONFIG   load and validate every input, print a summary\n"
    "  run CONFIG     run the whole analysis, write the outputs, record the run\n"
    "  history [DB]   list the runs recorded in a history database\n"
    "  compare [DB] RUN_A RUN_B   what changed between two recorded runs, and why\n"
    "  report RUN_DIR | DB RUN    rebuild the report (rapport.html) of a recorded run\n"
    "\n"
    "Run 'raquette COMMAND --help' for the options of a command.\n"
    "Environment: RAQUETTE_GEODATA names the data folder used by ${RAQUETTE_GEODATA}\n"
    "in configuration paths; RAQUETTE_THREADS (1 to 64) the number of worker threads.\n"
    "Exit status: 0 success, 2 input or usage error, 1 system or internal failure,\n"
    "130 or 143 when stopped by Ctrl-C or kill.\n";

int
main(int argc, char **argv)
{
    /* Past a file size limit (ulimit -f) the default action of SIGXFSZ
    ** kills the process mid-write. Ignored, write() fails with EFBIG
    ** instead, and the run stops with a message, its previous outputs
    ** untouched (docs/errors.md). */
    signal(SIGXFSZ, SIG_IGN);
    /* Before any thread exists: every thread inherits the blocked signals,
    ** and one thread turns Ctrl-C or kill into a clean stop. */
    if (rq_signals_install() != 0)
        fputs("raquette: cannot handle signals: an interrupted run may leave a temporary "
              "folder behind\n",
              stderr);
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("raquette %s\n", RQ_VERSION);
        return 0;
    }
    if (strcmp(cmd, "check") == 0)
        return rq_cli_check(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return rq_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "history") == 0)
        return rq_cli_history(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return rq_cli_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return rq_cli_report(argc - 1, argv + 1);
    fprintf(stderr,
            "raquette: unknown command '%s'; expected check, run, history, compare or report (see "
            "raquette --help)\n",
            cmd);
    return 2;
}
