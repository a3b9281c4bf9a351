/* rq_test_config.h - the fixture of the configuration tests (test_config.c,
** test_config_errors.c): a folder holding the four required inputs (empty
** files: the configuration only checks that they exist), the smallest
** valid configuration, and loads that must succeed or fail.
*/
#ifndef RQ_TEST_CONFIG_H
#define RQ_TEST_CONFIG_H

#include "raquette/config.h"

typedef struct rq_test_cfgdir {
    char *dir;
} rq_test_cfgdir;

/* The smallest valid configuration; error tests append to it, so its line
** numbers matter: [categories] is line 11, incubateur line 12. */
#define RQ_TEST_BASE_INI                                                                           \
    "[study]\n"                                                                                    \
    "region = 76\n"                                                                                \
    "[communes]\n"                                                                                 \
    "path = communes.geojson\n"                                                                    \
    "[cog]\n"                                                                                      \
    "path = cog.csv\n"                                                                             \
    "[epci]\n"                                                                                     \
    "path = epci.csv\n"                                                                            \
    "[structures]\n"                                                                               \
    "path = structures.csv\n"                                                                      \
    "[categories]\n"                                                                               \
    "incubateur = 40\n"

/* Group-less setup and teardown of one test: *state is a new
** rq_test_cfgdir, its folder removed afterwards. */
int rq_test_cfgdir_setup(void **state);
int rq_test_cfgdir_teardown(void **state);
/* Writes a one-line file dir/name. */
void rq_test_touch(const char *dir, const char *name);
/* 1 when every byte of cfg is zero (what a failed load leaves). */
int rq_test_config_is_zeroed(const rq_config *cfg);
/* Loads text (named t.ini, in the fixture folder), expects RQ_ERR_INPUT and
** an emptied cfg; the message is left in err. */
void rq_test_config_fails(const rq_test_cfgdir *fx, const char *text, rq_err *err);
/* Loads text (named t.ini, in the fixture folder); fails the test unless it
** loads. */
void rq_test_config_ok(const rq_test_cfgdir *fx, const char *text, rq_config *cfg);

/* An environment variable saved, to be restored after a test. */
typedef struct rq_test_env {
    const char *name;
    char *value; /* NULL when unset */
} rq_test_env;
rq_test_env rq_test_env_save(const char *name);
void rq_test_env_restore(rq_test_env *s);

#endif
