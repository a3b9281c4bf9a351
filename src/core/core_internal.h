/* core_internal.h - what the files of src/core/ share. Internal to
** src/core/: the public API is raquette/core.h.
**
** The core module is split by concern:
**   - errors.c: rq_err, the exit status of a code, rq_diag lists and
**     grouped warnings;
**   - alloc.c: the checked allocators (rq_x*, rq_grow), the test budget,
**     and the early end of the process (out of memory, signals) with its
**     fatal cleanup hook;
**   - core.c: logging, string helpers and strict number parsing, the
**     clock, stage progress and the thread count.
*/
#ifndef RQ_CORE_INTERNAL_H
#define RQ_CORE_INTERNAL_H

#include "raquette/core.h"

#include <stdarg.h>

/* A newly allocated string of fmt and ap, however long: a message is
** never cut. vsnprintf counts in an int: a text of 2 GiB or more fails
** with EOVERFLOW, which must not pass for an empty string. (alloc.c) */
char *rq_xvasprintf(const char *fmt, va_list ap) RQ_PRINTF(1, 0);

#endif /* RQ_CORE_INTERNAL_H */
