/* cli.h - the commands of the raquette executable. Each takes the
** arguments after the program name (argv[0] is the command) and returns the
** process exit status. */
#ifndef RQ_CLI_H
#define RQ_CLI_H

#include "raquette/core.h"
#include "raquette/model.h"

int rq_cli_check(int argc, char **argv);
int rq_cli_run(int argc, char **argv);
int rq_cli_history(int argc, char **argv);
int rq_cli_compare(int argc, char **argv);
int rq_cli_report(int argc, char **argv);

/* Details of one kind of warning printed before "and N more". */
#define RQ_WARN_DETAILS 3

/* Loads the configuration into cfg; returns the exit status. Errors are
** printed in full when all is set, else a screenful. cfg is to be freed
** (rq_config_fini) whatever happens. */
int rq_cli_load_config(const char *config_path, int all, rq_config *cfg);
/* Loads every input of cfg into a new dataset (what check validates);
** returns the exit status, *ds_out set on 0. */
int rq_cli_load_inputs(const rq_config *cfg, int all, rq_dataset **ds_out);
/* Prints err on stderr: a screenful, or all of it. */
void rq_cli_report_error(const rq_err *err, int all);
/* Prints the check summary of ds to f (every warning detail when all). */
void rq_cli_print_summary(FILE *f, const rq_dataset *ds, int all);

#endif
