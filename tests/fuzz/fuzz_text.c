/* fuzz_text.c - libFuzzer harness for the small text parsers of src/core/
** (numbers, lists, trimming, edit distance, diagnostics). See README.md.
*/
#include "fuzz_targets.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)rq_fuzz_text_one(data, size);
    return 0;
}
