/* outdir.c - the atomic output folder and checked file writes.
**
** A run writes every output into "<target>.tmp-XXXXXX" beside the target
** and only then swaps folders by rename, so that a run that fails (bad
** input found late, full disk, crash) leaves the previous outputs as they
** were, and nobody ever sees a half-written set of files under target.
** The temporary folder has the same parent as target, hence is on the same
** filesystem, which is what makes rename(2) atomic.
**
** A run that runs out of memory ends in rq_out_of_memory, which runs no
** cleanup of the callers: the open temporary folders are registered here
** and its fatal cleanup hook removes them (see "Fatal cleanup" below).
*/
#include "raquette/writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rq_outdir {
    char *target; /* without trailing slashes */
    char *tmp;
};

/* What the user can do about errno e. */
static const char *
fix_hint(int e)
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

static char *
parent_of(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s)
        return rq_xstrdup(".");
    if (s == path)
        return rq_xstrdup("/");
    char *p = rq_xstrdup(path);
    p[s - path] = '\0';
    return p;
}

/* mkdir -p of path, the parent of the output folder target; errors name
** target and the folder at fault. */
static rq_status
make_dirs(const char *path, const char *target, rq_err *err)
{
    rq_status rc = RQ_OK;
    char *p = rq_xstrdup(path);
    size_t n = strlen(p);
    for (size_t i = 1; i <= n && rc == RQ_OK; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        if (p[i - 1] == '/') /* repeated slashes */
            continue;
        char saved = p[i];
        p[i] = '\0';
        struct stat st;
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                rc = rq_err_set(err, RQ_ERR_IO,
                                "cannot create the output folder %s: %s is a file, not a "
                                "folder; choose another output folder",
                                target, p);
        } else if (errno != ENOENT) {
            int e = errno;
            rc = rq_err_set(err, RQ_ERR_IO, "cannot create the output folder %s: %s: %s; %s",
                            target, p, strerror(e), fix_hint(e));
        } else if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            char *parent = parent_of(p);
            rc = rq_err_set(err, RQ_ERR_IO,
                            "cannot create the output folder %s: cannot create a folder in "
                            "%s (%s); %s",
                            target, parent, strerror(e), fix_hint(e));
            free(parent);
        }
        p[i] = saved;
    }
    free(p);
    return rc;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : errno;
}

/* rm -rf without following symbolic links; 0 or an errno value. */
static int
remove_tree(const char *path)
{
    int r = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return r == 0 ? 0 : r > 0 ? r : errno;
}

/* ---- Fatal cleanup ---------------------------------------------------
** The temporary folders of the outdirs still open, for rq_out_of_memory:
** it may run on any thread (the communes.geojson writer, a GEOS worker)
** and ends the process with _exit, so nothing else would remove them. By
** then memory has run out, and other threads may take whatever is freed,
** so the removal must not allocate: nftw and opendir do, hence each folder
** is opened (opendir) when registered, and the fatal cleanup only reads
** that DIR and unlinks. The folder is flat (output files only). The lock
** is never held while calling rq_x* allocators, so the thread that runs
** out of memory never holds it. A crash inside a library (SIGSEGV, abort)
** or the kernel's OOM killer still leaves the folder behind; the previous
** outputs are untouched either way. */
#define MAX_OPEN 8 /* a run opens one; beyond this, a folder is not registered */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    const char *path; /* borrowed: the outdir's tmp */
    DIR *dir;
} reg[MAX_OPEN];

/* Empties and removes a registered folder without allocating; 0 or errno. */
static int
remove_flat(const char *path, DIR *d)
{
    /* Another thread may still add a file: read again until a pass finds
    ** nothing left, then rmdir. */
    for (int pass = 0; pass < 5; pass++) {
        int removed = 0;
        rewinddir(d);
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if (unlinkat(dirfd(d), e->d_name, 0) == 0 ||
                unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0)
                removed++;
        }
        if (rmdir(path) == 0)
            return 0;
        if (errno != ENOTEMPTY && errno != EEXIST)
            return errno;
        if (!removed && pass > 0)
            break;
    }
    return ENOTEMPTY;
}

static void
remove_registered(void)
{
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < MAX_OPEN; i++) {
        if (!reg[i].path)
            continue;
        int e = remove_flat(reg[i].path, reg[i].dir);
        if (e != 0 && e != ENOENT)
            fprintf(stderr, "raquette: could not remove the temporary folder %s (%s)\n",
                    reg[i].path, strerror(e));
    }
    pthread_mutex_unlock(&reg_lock);
}

static void
register_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d)
        return; /* the run will fail on its first write there anyway */
    pthread_mutex_lock(&reg_lock);
    size_t i = 0;
    while (i < MAX_OPEN && reg[i].path)
        i++;
    if (i < MAX_OPEN) {
        reg[i].path = tmp;
        reg[i].dir = d;
        d = NULL;
    }
    rq_set_fatal_cleanup(remove_registered);
    pthread_mutex_unlock(&reg_lock);
    if (d)
        closedir(d);
}

static void
unregister_tmp(const char *tmp)
{
    if (!tmp)
        return;
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < MAX_OPEN; i++) {
        if (reg[i].path == tmp) {
            closedir(reg[i].dir);
            reg[i].path = NULL;
            reg[i].dir = NULL;
        }
    }
    pthread_mutex_unlock(&reg_lock);
}

static void
outdir_free(rq_outdir *o)
{
    unregister_tmp(o->tmp);
    free(o->target);
    free(o->tmp);
    free(o);
}

/* Makes the data durable and the renames visible after a crash; a failure
** here changes nothing the user can act on, so it is only logged. */
static void
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        rq_log(RQ_LOG_DEBUG, "cannot sync folder %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
}

rq_outdir *
rq_outdir_begin(const char *target_dir, rq_err *err)
{
    rq_outdir *o = NULL;
    char *parent = NULL;
    rq_status rc = RQ_OK;
    if (!target_dir || !*target_dir) {
        rc = rq_err_set(err, RQ_ERR_IO, "no output folder given");
        goto cleanup;
    }
    o = rq_xcalloc(1, sizeof *o);
    o->target = rq_xstrdup(target_dir);
    for (size_t n = strlen(o->target); n > 1 && o->target[n - 1] == '/'; n--)
        o->target[n - 1] = '\0';
    const char *base = strrchr(o->target, '/');
    base = base ? base + 1 : o->target;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        rc = rq_err_set(err, RQ_ERR_IO, "%s cannot be an output folder: name a folder of its own",
                        target_dir);
        goto cleanup;
    }
    parent = parent_of(o->target);
    if ((rc = make_dirs(parent, o->target, err)) != RQ_OK)
        goto cleanup;

    struct stat st;
    if (lstat(o->target, &st) == 0 && !S_ISDIR(st.st_mode)) {
        rc = rq_err_set(err, RQ_ERR_IO,
                        "the output folder %s exists and is not a folder; remove it or "
                        "choose another output folder",
                        o->target);
        goto cleanup;
    }
    o->tmp = rq_xasprintf("%s.tmp-XXXXXX", o->target);
    if (!mkdtemp(o->tmp)) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        rc = rq_err_set(err, RQ_ERR_IO, "cannot write in the folder %s (%s); %s", parent,
                        strerror(e), fix_hint(e));
        goto cleanup;
    }
    register_tmp(o->tmp);
    /* mkdtemp makes a private 0700 folder; outputs are meant to be shared
    ** like any folder mkdir would make. umask() has no reader, so read it by
    ** setting it back (single-threaded at this point). */
    mode_t mask = umask(022);
    umask(mask);
    if (chmod(o->tmp, 0777 & ~mask) != 0) {
        rc = rq_err_set(err, RQ_ERR_IO, "%s: cannot set permissions (%s)", o->tmp, strerror(errno));
        goto cleanup;
    }

cleanup:
    free(parent);
    if (rc != RQ_OK && o) {
        rq_outdir_abort(o);
        o = NULL;
    }
    return o;
}

const char *
rq_outdir_path(const rq_outdir *o)
{
    return o->tmp;
}

char *
rq_outdir_file(const rq_outdir *o, const char *name)
{
    return rq_xasprintf("%s/%s", o->tmp, name);
}

rq_status
rq_outdir_commit(rq_outdir *o, rq_err *err)
{
    if (!o)
        return rq_err_set(err, RQ_ERR_INTERNAL, "no output folder to commit");
    rq_status rc = RQ_OK;
    char *old = NULL;
    char *parent = parent_of(o->target);
    struct stat st;
    if (lstat(o->target, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            rc = rq_err_set(err, RQ_ERR_IO,
                            "the output folder %s exists and is not a folder; remove it or "
                            "choose another output folder",
                            o->target);
            goto cleanup;
        }
        /* mkdtemp reserves a unique name; rename(2) may replace an empty
        ** folder, so the old target moves onto it. */
        old = rq_xasprintf("%s.old-XXXXXX", o->target);
        if (!mkdtemp(old)) {
            int e = errno;
            free(old);
            old = NULL;
            rc = rq_err_set(err, RQ_ERR_IO, "cannot write in the folder %s (%s); %s", parent,
                            strerror(e), fix_hint(e));
            goto cleanup;
        }
        if (rename(o->target, old) != 0) {
            int e = errno;
            (void)rmdir(old);
            rc = rq_err_set(err, RQ_ERR_IO, "cannot move the previous outputs %s aside (%s); %s",
                            o->target, strerror(e), fix_hint(e));
            goto cleanup;
        }
    } else if (errno != ENOENT) {
        rc = rq_err_set(err, RQ_ERR_IO, "%s: %s", o->target, strerror(errno));
        goto cleanup;
    }
    /* From here on the fatal cleanup must leave the folder alone: once
    ** renamed, it is the new target. (No other thread runs at commit.) */
    unregister_tmp(o->tmp);
    if (rename(o->tmp, o->target) != 0) {
        int e = errno;
        if (old && rename(old, o->target) != 0)
            rq_log(RQ_LOG_ERROR, "could not put the previous outputs back: they are in %s", old);
        rc = rq_err_set(err, RQ_ERR_IO, "cannot rename %s to %s (%s); %s", o->tmp, o->target,
                        strerror(e), fix_hint(e));
        goto cleanup;
    }
    sync_dir(parent);
    if (old) {
        int e = remove_tree(old);
        if (e != 0)
            rq_log(RQ_LOG_WARN, "the previous outputs are in %s and could not be removed (%s)", old,
                   strerror(e));
    }
    free(o->tmp);
    o->tmp = NULL; /* now the target: nothing left to remove */

cleanup:
    free(old);
    free(parent);
    rq_outdir_abort(o);
    return rc;
}

void
rq_outdir_abort(rq_outdir *o)
{
    if (!o)
        return;
    if (o->tmp) {
        int e = remove_tree(o->tmp);
        if (e != 0 && e != ENOENT)
            rq_log(RQ_LOG_WARN, "could not remove the temporary folder %s (%s)", o->tmp,
                   strerror(e));
    }
    outdir_free(o);
}

rq_status
rq_io_write_file(const char *path, const void *data, size_t len, rq_err *err)
{
    rq_status rc = RQ_OK;
    const unsigned char *p = data;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        return rq_err_set(err, RQ_ERR_IO, "%s: cannot create the file (%s); %s", path, strerror(e),
                          fix_hint(e));
    }
    /* On failure only a regular file is removed: path might name a device. */
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    while (len > 0) {
        ssize_t w = write(fd, p, len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            rc = rq_err_set(err, RQ_ERR_IO, "%s: write failed (%s); %s", path, strerror(e),
                            fix_hint(e));
            goto cleanup;
        }
        p += w;
        len -= (size_t)w;
    }
    /* Delayed allocation can report a full disk only here. EINVAL/EROFS
    ** mean a special file (a device) that cannot be synced: not an error. */
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
        int e = errno;
        rc =
            rq_err_set(err, RQ_ERR_IO, "%s: write failed (%s); %s", path, strerror(e), fix_hint(e));
        goto cleanup;
    }

cleanup:
    if (close(fd) != 0 && rc == RQ_OK) {
        int e = errno;
        rc =
            rq_err_set(err, RQ_ERR_IO, "%s: write failed (%s); %s", path, strerror(e), fix_hint(e));
    }
    if (rc != RQ_OK && regular)
        (void)unlink(path);
    return rc;
}
