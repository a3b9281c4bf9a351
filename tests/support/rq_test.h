/* rq_test.h - shared helpers for the cmocka tests.
**
** Include the four headers cmocka needs before cmocka.h, as its header asks.
*/
#ifndef RQ_TEST_H
#define RQ_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Path of a file under tests/fixtures (RQ_FIXTURES), in a static buffer
** that the next call overwrites. */
const char *rq_test_fixture(const char *name);
/* Path of a file under the real data folder (RAQUETTE_GEODATA). Fails the
** test when the folder is missing: integration tests never pass silently. */
const char *rq_test_geodata(const char *name);
/* Runs a shell command, captures stdout+stderr into a newly allocated
** string (*out, may be NULL) and returns the exit status (or -1). */
int rq_test_run(const char *cmd, char **out);
/* Writes text to path (truncating). */
void rq_test_write_file(const char *path, const char *text);
/* Makes a fresh temporary folder; caller frees the string. */
char *rq_test_tmpdir(void);

#endif
