/* filewrite.h - checked file writes, shared inside src/io/: the advice a
** message gives for an errno, the writes and the sync themselves, a
** library's finished file made durable, and why a library's write may
** have failed. rq_io_write_file itself is public
** (raquette/writer.h). Not a public header.
*/
#ifndef RQ_IO_FILEWRITE_H
#define RQ_IO_FILEWRITE_H

#include "raquette/core.h"

#include <stddef.h>

/* What the user can do about errno e, for the end of a message ("the disk
** is full: free some space or choose another output folder"). */
const char *rq_io_fix_hint(int e);

/* Writes len bytes to fd, retrying short and interrupted writes: 0, or
** the errno of the failure (ENOSPC for a write that wrote nothing). */
int rq_io_write_fd(int fd, const void *data, size_t len);
/* fsync then close fd, which is closed either way: 0, or the errno of the
** first failure (delayed allocation reports a full disk only at fsync). */
int rq_io_sync_close(int fd);

/* Makes the file at path, which a library wrote itself (SQLite writes the
** GeoPackage), durable: fsync, where delayed allocation reports a full
** disk. Errors are RQ_ERR_IO naming the file, as rq_io_write_file's. */
rq_status rq_io_sync_file(const char *path, rq_err *err) RQ_MUST_CHECK;

/* Why a library that does not pass errno on failed to write the file at
** path (SQLite says only "database or disk is full" or "disk I/O error"):
** ENOSPC when its filesystem has less than 1 MiB left for this user, EFBIG
** when a file size limit is set (ulimit -f), else EIO. */
int rq_io_write_errno(const char *path);

#endif
