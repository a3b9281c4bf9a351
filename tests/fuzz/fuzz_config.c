/* fuzz_config.c - libFuzzer harness for the configuration parser
** (rq_config_load_string): the input is an INI file. See README.md.
**
** The metric-CRS check asks PROJ about [study] crs on every load, and
** PROJ takes nine tenths of the time (a context, then database look-ups):
** the harness would explore the parser ten times slower. So this
** executable links with -Wl,--wrap=rq_crs_is_metric, and the wrapper below
** remembers the answers for the last CRS strings; a string not seen yet
** still goes to PROJ. The replay in test_fuzz_regressions.c calls PROJ
** every time.
*/
#include "fuzz_targets.h"

#include "raquette/crs.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __real_rq_crs_is_metric(const char *crs, char *unit_out, size_t unitsz, rq_err *err);
int __wrap_rq_crs_is_metric(const char *crs, char *unit_out, size_t unitsz, rq_err *err);

/* Fixed storage, no allocation: a growing cache would make every input
** look like a leak candidate to libFuzzer. */
#define MEMO_SIZE 64
static struct memo {
    char crs[256];
    int rc;
    char unit[64];
    rq_err err;
} g_memo[MEMO_SIZE];
static size_t g_memo_next;

int
__wrap_rq_crs_is_metric(const char *crs, char *unit_out, size_t unitsz, rq_err *err)
{
    size_t n = strlen(crs);
    if (n >= sizeof g_memo[0].crs)
        return __real_rq_crs_is_metric(crs, unit_out, unitsz, err);
    for (size_t i = 0; i < MEMO_SIZE; i++) {
        const struct memo *m = &g_memo[i];
        if (m->crs[0] && strcmp(m->crs, crs) == 0) {
            rq_strlcpy(unit_out, m->unit, unitsz);
            if (m->rc < 0 && err)
                *err = m->err;
            return m->rc;
        }
    }
    struct memo *m = &g_memo[g_memo_next++ % MEMO_SIZE];
    rq_err_clear(&m->err);
    m->unit[0] = '\0';
    m->rc = __real_rq_crs_is_metric(crs, m->unit, sizeof m->unit, &m->err);
    memcpy(m->crs, crs, n + 1);
    rq_strlcpy(unit_out, m->unit, unitsz);
    if (m->rc < 0 && err)
        *err = m->err;
    return m->rc;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    rq_fuzz_config_init(RQ_FUZZ_FIXTURES);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)rq_fuzz_config_one(data, size);
    return 0;
}
