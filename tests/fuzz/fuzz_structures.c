/* fuzz_structures.c - libFuzzer harness for the structures loader: the
** input is the structures file of the mini fixture, read by the load,
** harmonise and locate stages (rq_pipeline_prepare). See README.md.
*/
#include "fuzz_targets.h"

#include "raquette/io.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer ends a run with exit(): remove the temporary folder then.
** GDAL is not released here. exit() destroys thread_local objects before
** it calls atexit handlers, and OSRCleanup() would then clear GDAL's
** per-thread PROJ cache after its destruction (a heap-use-after-free as
** soon as an input made GDAL cache a CRS). What GDAL holds at exit is
** reachable, so LeakSanitizer does not count it, and GDAL's own library
** destructor releases it. */
static void
at_exit(void)
{
    rq_fuzz_structures_fini();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rq_io_init();
    if (rq_fuzz_structures_init(RQ_FUZZ_FIXTURES) != 0) {
        fprintf(stderr, "fuzz_structures: cannot set up the mini fixture\n");
        exit(1);
    }
    atexit(at_exit);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)rq_fuzz_structures_one(data, size);
    return 0;
}
