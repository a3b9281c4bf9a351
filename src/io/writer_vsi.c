/* writer_vsi.c - the files GDAL's GeoJSON and CSV drivers write, streamed
** to disk through raquette's checked writes.
**
** Why: in GDAL 3.6.2 the GeoJSON driver ignores the result of its writes
** (on a full 1 MB tmpfs it returns OGRERR_NONE for every feature, reports
** no error at GDALClose and leaves a truncated file), and the CSV driver
** fails CreateFeature without a message. These files used to be built
** whole in memory (/vsimem/) and written by rq_io_write_file: a 1 GB
** communes.geojson over France's 1 km cells cost 1 GB of memory, and
** GDAL grows a memory file by a tenth at a time with realloc, which any
** allocator but glibc's copies (docs/performance.md).
**
** How: GDAL's drivers open "/vsiraquette/<n>/<name>", a virtual file
** system of GDAL's plugin interface (VSIInstallPluginHandler, GDAL 3.0)
** installed once. Its callbacks write the real file registered under that
** name by rq_vsifile_create, as rq_io_write_file does: created new
** (O_CREAT|O_EXCL|O_NOFOLLOW, never through a link), every write checked
** and retried, a 64 KiB buffer (the drivers write a feature or a line at a
** time), fsync at close. The first failure's errno is kept in the file's
** record, which the caller reads after GDALClose (rq_vsifile_check),
** whatever the driver made of it. Only registered names open, once each,
** for writing.
*/
#define _LARGEFILE64_SOURCE /* VSIStatBufL is a struct stat64 */
#include "io/writer_internal.h"

#include "io/filewrite.h"

#include <cpl_vsi.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "/vsiraquette/"
#define BUF_SIZE 65536

struct rq_vsifile {
    char *dir;        /* PREFIX "<n>": the folder GDAL sees */
    char *name;       /* dir "/" base name: the file GDAL opens */
    const char *path; /* the real file (borrowed) */
    int fd;           /* while GDAL has it open, else -1 */
    int created;      /* path was created here: ours to remove */
    int err;          /* first errno of a failed create, write, seek, sync, close */
    vsi_l_offset pos; /* GDAL's position: written + buffered */
    unsigned char *buf;
    size_t n_buf;
    rq_vsifile *next; /* in the registry */
};

/* The registered files; the drivers of several products write at once. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static rq_vsifile *reg_head;
static unsigned long reg_seq;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

/* The callbacks see names without the prefix: "<n>/<name>" and "<n>". */
#define BARE(p) ((p) + sizeof PREFIX - 1)

static rq_vsifile *
lookup(const char *name)
{
    rq_vsifile *f;
    pthread_mutex_lock(&reg_lock);
    for (f = reg_head; f; f = f->next)
        if (strcmp(BARE(f->name), name) == 0 || strcmp(BARE(f->dir), name) == 0)
            break;
    pthread_mutex_unlock(&reg_lock);
    return f;
}

/* Keeps e (an errno, 0 for none) when it is the first failure. */
static void
fail(rq_vsifile *f, int e)
{
    if (!f->err)
        f->err = e;
}

/* Writes len bytes at the file's offset; 0, or -1 with f->err set. */
static int
write_all(rq_vsifile *f, const unsigned char *p, size_t len)
{
    if (!f->err)
        fail(f, rq_io_write_fd(f->fd, p, len));
    return f->err ? -1 : 0;
}

/* Writes the buffer out; 0, or -1 with f->err set. */
static int
drain(rq_vsifile *f)
{
    size_t n = f->n_buf;
    f->n_buf = 0;
    return f->err ? -1 : write_all(f, f->buf, n);
}

/* ---- The callbacks ------------------------------------------------------- */

/* Creating ("w", "wb", or "w+b" for the CSV driver); an opening for
** reading only is refused: before creation there is nothing to read
** (the GeoJSON driver probes first), after it the drivers never read. */
static void *
cb_open(void *ud, const char *name, const char *access)
{
    (void)ud;
    rq_vsifile *f = lookup(name);
    if (!f || strcmp(BARE(f->name), name) != 0) {
        errno = ENOENT;
        return NULL;
    }
    if (!strchr(access, 'w') || f->created) {
        errno = f->created ? EACCES : ENOENT;
        return NULL;
    }
    int mode = strchr(access, '+') ? O_RDWR : O_WRONLY;
    f->fd = open(f->path, mode | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (f->fd < 0) {
        fail(f, errno);
        return NULL;
    }
    f->created = 1;
    f->buf = rq_xmalloc(BUF_SIZE);
    return f;
}

static size_t
cb_write(void *h, const void *data, size_t size, size_t count)
{
    rq_vsifile *f = h;
    if (size == 0 || count == 0)
        return 0;
    if (count > SIZE_MAX / size) {
        fail(f, EFBIG);
        return 0;
    }
    size_t len = size * count;
    if (f->err)
        return 0;
    if (f->n_buf + len > BUF_SIZE && drain(f) != 0)
        return 0;
    if (len >= BUF_SIZE) { /* straight through */
        if (write_all(f, data, len) != 0)
            return 0;
    } else {
        memcpy(f->buf + f->n_buf, data, len);
        f->n_buf += len;
    }
    f->pos += len;
    return count;
}

static vsi_l_offset
cb_tell(void *h)
{
    return ((rq_vsifile *)h)->pos;
}

static int
cb_seek(void *h, vsi_l_offset off, int whence)
{
    rq_vsifile *f = h;
    if (whence == SEEK_CUR && off == 0)
        return 0;
    if (whence == SEEK_SET && off == f->pos)
        return 0;
    if (drain(f) != 0)
        return -1;
    off_t r = lseek(f->fd, (off_t)off, whence);
    if (r < 0) {
        fail(f, errno);
        return -1;
    }
    f->pos = (vsi_l_offset)r;
    return 0;
}

/* Reading back (a "w+" opening): what was written, buffer included. */
static size_t
cb_read(void *h, void *data, size_t size, size_t count)
{
    rq_vsifile *f = h;
    if (size == 0 || count == 0 || drain(f) != 0)
        return 0;
    size_t len = count > SIZE_MAX / size ? SIZE_MAX : size * count, got = 0;
    while (got < len) {
        ssize_t r = read(f->fd, (unsigned char *)data + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    f->pos += got;
    return got / size;
}

static int
cb_eof(void *h)
{
    rq_vsifile *f = h;
    struct stat st;
    return fstat(f->fd, &st) != 0 || (vsi_l_offset)st.st_size <= f->pos;
}

static int
cb_flush(void *h)
{
    return drain(h);
}

static int
cb_truncate(void *h, vsi_l_offset size)
{
    rq_vsifile *f = h;
    if (drain(f) != 0)
        return -1;
    if (ftruncate(f->fd, (off_t)size) != 0) {
        fail(f, errno);
        return -1;
    }
    return 0;
}

static int
cb_close(void *h)
{
    rq_vsifile *f = h;
    (void)drain(f);
    fail(f, rq_io_sync_close(f->fd));
    f->fd = -1;
    free(f->buf);
    f->buf = NULL;
    return f->err ? -1 : 0;
}

static int
cb_stat(void *ud, const char *name, VSIStatBufL *st, int flags)
{
    (void)ud;
    (void)flags;
    rq_vsifile *f = lookup(name);
    memset(st, 0, sizeof *st);
    if (f && strcmp(BARE(f->dir), name) == 0) {
        st->st_mode = S_IFDIR | 0700;
        return 0;
    }
    if (f && f->created) {
        st->st_mode = S_IFREG | 0600;
        st->st_size = f->pos;
        return 0;
    }
    errno = ENOENT;
    return -1;
}

static void
install(void)
{
    VSIFilesystemPluginCallbacksStruct *cb = VSIAllocFilesystemPluginCallbacksStruct();
    cb->open = cb_open;
    cb->write = cb_write;
    cb->tell = cb_tell;
    cb->seek = cb_seek;
    cb->read = cb_read;
    cb->eof = cb_eof;
    cb->flush = cb_flush;
    cb->truncate = cb_truncate;
    cb->close = cb_close;
    cb->stat = cb_stat;
    /* GDAL copies the callbacks. */
    if (VSIInstallPluginHandler(PREFIX, cb) != 0)
        rq_log(RQ_LOG_WARN, "cannot install GDAL's file system %s", PREFIX);
    VSIFreeFilesystemPluginCallbacksStruct(cb);
}

/* ---- Registration ---------------------------------------------------------- */

rq_vsifile *
rq_vsifile_create(const char *path)
{
    pthread_once(&install_once, install);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    rq_vsifile *f = rq_xcalloc(1, sizeof *f);
    f->path = path;
    f->fd = -1;
    /* Named before it is listed: other threads' look-ups read the names. */
    pthread_mutex_lock(&reg_lock);
    f->dir = rq_xasprintf(PREFIX "%lu", ++reg_seq);
    f->name = rq_xasprintf("%s/%s", f->dir, base);
    f->next = reg_head;
    reg_head = f;
    pthread_mutex_unlock(&reg_lock);
    return f;
}

const char *
rq_vsifile_name(const rq_vsifile *f)
{
    return f->name;
}

int
rq_vsifile_failed(const rq_vsifile *f)
{
    return f->err != 0;
}

rq_status
rq_vsifile_check(const rq_vsifile *f, rq_err *err)
{
    if (f->err)
        return rq_err_set(err, RQ_ERR_IO, "%s: write failed (%s); %s", f->path, strerror(f->err),
                          rq_io_fix_hint(f->err));
    if (!f->created)
        return rq_err_set(err, RQ_ERR_GDAL, "%s: GDAL wrote no file", f->path);
    if (f->fd >= 0)
        return rq_err_set(err, RQ_ERR_INTERNAL, "%s: GDAL did not close the file", f->path);
    return RQ_OK;
}

void
rq_vsifile_destroy(rq_vsifile *f, int remove)
{
    if (!f)
        return;
    pthread_mutex_lock(&reg_lock);
    rq_vsifile **p = &reg_head;
    while (*p && *p != f)
        p = &(*p)->next;
    if (*p)
        *p = f->next;
    pthread_mutex_unlock(&reg_lock);
    if (f->fd >= 0) /* GDAL never closed it: cannot happen after GDALClose */
        close(f->fd);
    if (remove && f->created)
        (void)unlink(f->path); /* ours: created new by cb_open */
    free(f->buf);
    free(f->name);
    free(f->dir);
    free(f);
}
