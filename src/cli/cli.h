/* cli.h - the commands of the raquette executable. Each takes the
** arguments after the program name (argv[0] is the command) and returns the
** process exit status. */
#ifndef RQ_CLI_H
#define RQ_CLI_H

#include "raquette/core.h"
#include "raquette/model.h"

int rq_cli_check(int argc, char **argv);
int rq_cli_run(int argc, char **argv);

/* Loads the configuration and every input into a new dataset (what check
** validates). Returns the exit status; *ds_out and cfg are filled on 0. */
int rq_cli_prepare(const char *config_path, rq_config *cfg, rq_dataset **ds_out);
/* Prints the check summary of ds to f. */
void rq_cli_print_summary(FILE *f, const rq_dataset *ds);

#endif
