/* filewrite.c - checked file writes. raquette's own files go through
** rq_io_write_file (a new file, never through a link, each write checked,
** then fsync); the GeoJSON and CSV files GDAL's drivers stream go through
** the same writes (rq_io_write_fd, rq_io_sync_close) from writer_vsi.c;
** the GeoPackage, which SQLite writes in place (writer_vout.c says why),
** is made durable by rq_io_sync_file. A full disk or a file size limit
** must read as such in the message, whoever wrote: hence the hints here,
** and rq_io_write_errno for the libraries that do not pass errno on.
*/
#include "io/filewrite.h"

#include "raquette/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

const char *
rq_io_fix_hint(int e)
{
    switch (e) {
    case EACCES:
    case EPERM:
        return "give your user write permission on it (chmod/chown) or choose another "
               "output folder";
    case EROFS:
        return "the filesystem is read-only: choose another output folder";
    case ENOSPC:
    case EDQUOT:
        return "the disk is full: free some space or choose another output folder";
    case EFBIG:
        return "the file exceeds the file size limit (ulimit -f) or the filesystem's: raise "
               "the limit or choose another output folder";
    default:
        return "choose another output folder";
    }
}

static rq_status
write_failed(const char *path, int e, rq_err *err)
{
    return rq_err_set(err, RQ_ERR_IO, "%s: write failed (%s); %s", path, strerror(e),
                      rq_io_fix_hint(e));
}

int
rq_io_write_fd(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : ENOSPC;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int
rq_io_sync_close(int fd)
{
    /* Delayed allocation can report a full disk only at fsync. */
    int e = fsync(fd) == 0 ? 0 : errno;
    if (close(fd) != 0 && !e)
        e = errno;
    return e;
}

rq_status
rq_io_write_file(const char *path, const void *data, size_t len, rq_err *err)
{
    /* A new file only, never through a link: in a folder another user
    ** could write into, a planted symbolic link would otherwise redirect
    ** the write (the output folders are private, this is belt and braces). */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        return rq_err_set(err, RQ_ERR_IO, "%s: cannot create the file (%s); %s", path, strerror(e),
                          e == EEXIST ? "something already stands there: choose another output "
                                        "folder"
                                      : rq_io_fix_hint(e));
    }
    int e = rq_io_write_fd(fd, data, len);
    if (e)
        (void)close(fd);
    else
        e = rq_io_sync_close(fd);
    if (!e)
        return RQ_OK;
    (void)unlink(path); /* ours: created by this open */
    return write_failed(path, e, err);
}

rq_status
rq_io_sync_file(const char *path, rq_err *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int e = fd < 0 ? errno : rq_io_sync_close(fd);
    return e ? write_failed(path, e, err) : RQ_OK;
}

int
rq_io_write_errno(const char *path)
{
    struct statvfs fs;
    if (statvfs(path, &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize < 1048576.0)
        return ENOSPC;
    /* SQLite rolls a failed commit back, truncating the file: its size no
    ** longer shows that it reached the limit; a limit set at all does. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        return EFBIG;
    return EIO;
}
