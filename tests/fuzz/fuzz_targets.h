/* fuzz_targets.h - what each fuzz harness does with one input.
**
** The libFuzzer entry points (tests/fuzz/fuzz_*.c) and the replay of the
** seed corpus and of every crash found (tests/unit/test_fuzz_regressions.c)
** call the same functions, so that a regression input goes through exactly
** the path that crashed. Nothing here depends on libFuzzer: the replay is
** built by GCC in the ordinary sanitizer build.
**
** Each rq_fuzz_<harness>_one returns the status of the call it fuzzes (for
** the replay to check), and aborts when an invariant of our own code does
** not hold, so that libFuzzer reports it as a crash.
*/
#ifndef RQ_FUZZ_TARGETS_H
#define RQ_FUZZ_TARGETS_H

#include "raquette/core.h"

#include <stddef.h>

/* config: the text is an INI file; relative paths resolve against
** fixtures/mini, so that the seeds can load completely. */
void rq_fuzz_config_init(const char *fixtures);
rq_status rq_fuzz_config_one(const unsigned char *data, size_t size);

/* structures: the data is the structures file of the mini fixture (a CSV
** in practice), read by the load, harmonise and locate stages. Needs
** rq_io_init first. Returns -1 when the temporary folder cannot be made or
** the fixture configuration does not load (then nothing is to be freed). */
int rq_fuzz_structures_init(const char *fixtures);
rq_status rq_fuzz_structures_one(const unsigned char *data, size_t size);
void rq_fuzz_structures_fini(void);

/* text: the small parsers of src/core/ (numbers, lists, trimming, edit
** distance, diagnostics). Byte 0 picks the list separator and a buffer
** size; the rest is the text. Always returns RQ_OK. */
rq_status rq_fuzz_text_one(const unsigned char *data, size_t size);

#endif /* RQ_FUZZ_TARGETS_H */
