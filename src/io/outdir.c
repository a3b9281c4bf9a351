/* outdir.c - the output folder of a run, and checked file writes.
**
** A run never destroys what is not its own, and never leaves half a result:
**
**  - It writes only into a folder that is missing, empty, or a previous
**    raquette output, recognised by the marker file (RQ_OUTDIR_MARKER) each
**    run writes into its folder. Anything else is refused before anything
**    is loaded: the folder is replaced as a whole, and the user's files in
**    it would go with it.
**  - One run at a time per output folder: an advisory lock (flock) on
**    "<parent>/.<name>.lock", held from open to close. A second run fails
**    at once with the process id of the first. Holding the lock also proves
**    that every "<name>.tmp-*" or "<name>.old-*" folder beside the target
**    belongs to a run that is dead (killed). Such a folder is removed at
**    open only when it proves to be this run's own: a temporary folder
**    holds RQ_OUTDIR_PENDING ("run NAME") from its creation, a previous
**    output holds the marker, whose last line is "run: NAME"; an empty one is removed too.
**    Anything else that only looks like one (another run named
**    "NAME.old-2025v1", a user's folder) is left alone. When the target is
**    missing and an ".old-" folder of its run is there (a kill between the
**    two renames below), it is put back instead (outdir_leftovers.c).
**  - Files are written into "<target>.tmp-XXXXXX" (mode 0700: nobody else
**    can plant a link in it), each created with O_CREAT|O_EXCL|O_NOFOLLOW
**    (the GeoPackage, which SQLite creates, once lstat shows nothing at its
**    path: writer_vout.c), checked and synced. The commit swaps that folder with the target in
**    one atomic step (renameat2 RENAME_EXCHANGE): a reader sees the previous
**    complete set of files, then the new complete set, never a mix and never
**    no folder. The previous outputs, now in the temporary folder's place,
**    are then removed. On a filesystem without RENAME_EXCHANGE the swap
**    falls back to two renames (target -> "<target>.old-XXXXXX", temporary
**    -> target), and a kill between them leaves the target missing for the
**    next run to find in ".old-" (docs/outputs.md).
**  - SIGINT, SIGTERM and SIGHUP (core.c's signal thread) and running out of
**    memory run the fatal cleanup registered here, which removes the
**    temporary folders still open.
*/
#define _GNU_SOURCE /* renameat2 */
#include "io/outdir_internal.h"

#include "io/filewrite.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
                            target, p, strerror(e), rq_io_fix_hint(e));
        } else if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            char *parent = parent_of(p);
            rc = rq_err_set(err, RQ_ERR_IO,
                            "cannot create the output folder %s: cannot create a folder in "
                            "%s (%s); %s",
                            target, parent, strerror(e), rq_io_fix_hint(e));
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

int
rq_outdir_remove_tree(const char *path)
{
    int r = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return r == 0 ? 0 : r > 0 ? r : errno;
}

/* ---- Fatal cleanup ---------------------------------------------------
** The temporary folders of the outdirs still open, for rq_out_of_memory and
** the signal thread: they may run on any thread while others still work,
** and end the process with _exit or the signal, so nothing else would
** remove them. Memory may have run out and other threads may take whatever
** is freed, so the removal must not allocate: nftw and opendir do, hence
** each folder is opened (opendir) when registered, and the fatal cleanup
** only reads that DIR and unlinks. The folder is flat (output files only).
** The lock is never held while calling rq_x* allocators, so the thread that
** runs out of memory never holds it. A crash inside a library (SIGSEGV,
** abort), SIGKILL or the kernel's OOM killer still leave the folder behind:
** the next run on the same output folder removes it (rq_outdir_open). */
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

/* The fatal cleanup: removes the folders still registered (not committed:
** the previous outputs are still in place) and returns how many there were.
** A folder that cannot be removed is said here, by name. */
static size_t
remove_registered(void)
{
    size_t n = 0;
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < MAX_OPEN; i++) {
        if (!reg[i].path)
            continue;
        n++;
        int e = remove_flat(reg[i].path, reg[i].dir);
        if (e != 0 && e != ENOENT)
            fprintf(stderr, "raquette: could not remove the temporary folder %s (%s)\n",
                    reg[i].path, strerror(e));
    }
    pthread_mutex_unlock(&reg_lock);
    return n;
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

/* ---- Opening -------------------------------------------------------------- */

/* Takes the lock of the output folder: "<parent>/.<name>.lock", kept (never
** removed, which would let two runs lock two different files). */
static rq_status
take_lock(rq_outdir *o, rq_err *err)
{
    char *path = rq_xasprintf("%s/.%s.lock", o->parent, o->name);
    rq_status rc = RQ_OK;
    struct stat st;
    o->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0666);
    if (o->lock_fd < 0) {
        int e = errno;
        rc = rq_err_set(err, e == ELOOP ? RQ_ERR_USAGE : RQ_ERR_IO,
                        "cannot create the lock file %s (%s); %s", path, strerror(e),
                        e == ELOOP ? "it is a symbolic link: remove it" : rq_io_fix_hint(e));
    } else if (fstat(o->lock_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = rq_err_set(err, RQ_ERR_USAGE, "the lock file %s is not a regular file; remove it",
                        path);
    } else if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = e == EWOULDBLOCK ? pread(o->lock_fd, pid, sizeof pid - 1, 0) : -1;
        pid[n > 0 ? n : 0] = '\0';
        rq_strtrim(pid);
        if (e == EWOULDBLOCK)
            rc = rq_err_set(err, RQ_ERR_IO,
                            "another raquette run%s%s%s is writing the output folder %s; wait "
                            "until it ends, or give this run another --name or --out",
                            *pid ? " (process " : "", pid, *pid ? ")" : "", o->target);
        else
            rc = rq_err_set(err, RQ_ERR_IO, "cannot lock %s (%s)", path, strerror(e));
    } else {
        /* Who holds it, for the message of a second run. */
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(o->lock_fd, 0) != 0 || pwrite(o->lock_fd, pid, (size_t)n, 0) != n)
            rq_log(RQ_LOG_DEBUG, "cannot write the process id into %s", path);
    }
    free(path);
    return rc;
}

/* The target must be missing, an empty folder, or a previous output of
** raquette (its marker file): anything else holds files that are not ours. */
static rq_status
check_ours(const rq_outdir *o, rq_err *err)
{
    struct stat st;
    if (lstat(o->target, &st) != 0)
        return errno == ENOENT ? RQ_OK
                               : rq_err_set(err, RQ_ERR_IO, "%s: %s", o->target, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return rq_err_set(err, RQ_ERR_USAGE,
                          "the output folder %s is a symbolic link; raquette replaces its output "
                          "folder as a whole: give the folder itself, or another --out or --name",
                          o->target);
    if (!S_ISDIR(st.st_mode))
        return rq_err_set(err, RQ_ERR_USAGE,
                          "the output folder %s exists and is not a folder; remove it or give "
                          "another --out or --name",
                          o->target);
    DIR *d = opendir(o->target);
    if (!d)
        return rq_err_set(err, RQ_ERR_IO, "cannot read the output folder %s (%s); %s", o->target,
                          strerror(errno), rq_io_fix_hint(errno));
    char first[256] = "";
    int marker = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strcmp(e->d_name, RQ_OUTDIR_MARKER) == 0 &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            marker = 1;
        else if (!first[0])
            rq_strlcpy(first, e->d_name, sizeof first);
    }
    closedir(d);
    if (marker || !first[0])
        return RQ_OK;
    return rq_err_set(err, RQ_ERR_USAGE,
                      "the output folder %s holds files that raquette did not write (such as "
                      "%s); raquette replaces its output folder as a whole, so it writes only "
                      "into a new or empty folder or into one of its previous outputs (which "
                      "hold a %s file): give another --out or --name, or move those files away",
                      o->target, first, RQ_OUTDIR_MARKER);
}

rq_outdir *
rq_outdir_open(const char *target_dir, rq_err *err)
{
    rq_outdir *o = rq_xcalloc(1, sizeof *o);
    rq_status rc = RQ_OK;
    o->lock_fd = -1;
    o->target = rq_xstrdup(target_dir ? target_dir : "");
    for (size_t n = strlen(o->target); n > 1 && o->target[n - 1] == '/'; n--)
        o->target[n - 1] = '\0';
    const char *base = strrchr(o->target, '/');
    base = base ? base + 1 : o->target;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        rc = rq_err_set(err, RQ_ERR_USAGE,
                        "'%s' cannot be an output folder: it must end with a folder name of "
                        "its own",
                        o->target);
        goto cleanup;
    }
    /* "<name>.tmp-XXXXXX" must fit in a file name (NAME_MAX, 255 bytes). */
    if (strlen(base) > RQ_MAX_RUN_NAME) {
        rc = rq_err_set(err, RQ_ERR_USAGE,
                        "the output folder name '%.40s...' is %zu bytes long; expected at most %d",
                        base, strlen(base), RQ_MAX_RUN_NAME);
        goto cleanup;
    }
    o->name = rq_xstrdup(base);
    o->parent = parent_of(o->target);
    /* umask() has no reader: read it by setting it back. Called before the
    ** run starts its threads, so nobody creates a file meanwhile. */
    o->umask = umask(022);
    umask(o->umask);
    if ((rc = make_dirs(o->parent, o->target, err)) != RQ_OK || (rc = take_lock(o, err)) != RQ_OK ||
        (rc = check_ours(o, err)) != RQ_OK)
        goto cleanup;
    rq_outdir_remove_leftovers(o);
    o->tmp = rq_xasprintf("%s.tmp-XXXXXX", o->target);
    if (!mkdtemp(o->tmp)) { /* mode 0700 */
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        rc = rq_err_set(err, RQ_ERR_IO, "cannot write in the folder %s (%s); %s", o->parent,
                        strerror(e), rq_io_fix_hint(e));
        goto cleanup;
    }
    register_tmp(o->tmp);
    int e = rq_outdir_write_pending(o);
    if (e)
        rc = rq_err_set(err, RQ_ERR_IO, "cannot write in the folder %s (%s); %s", o->tmp,
                        strerror(e), rq_io_fix_hint(e));
cleanup:
    if (rc != RQ_OK) {
        rq_outdir_close(o);
        o = NULL;
    }
    return o;
}

const char *
rq_outdir_path(const rq_outdir *o)
{
    return o->tmp;
}

const char *
rq_outdir_target(const rq_outdir *o)
{
    return o->target;
}

char *
rq_outdir_file(const rq_outdir *o, const char *name)
{
    return rq_xasprintf("%s/%s", o->tmp, name);
}

/* ---- Commit -------------------------------------------------------------- */

/* The swap by two renames, where the filesystem cannot exchange. */
static rq_status
swap_by_renames(rq_outdir *o, int exists, rq_err *err)
{
    rq_status rc = RQ_OK;
    char *old = NULL;
    if (exists) {
        /* mkdtemp reserves a unique name; rename(2) may replace an empty
        ** folder, so the old target moves onto it. */
        old = rq_xasprintf("%s.old-XXXXXX", o->target);
        if (!mkdtemp(old)) {
            int e = errno;
            rc = rq_err_set(err, RQ_ERR_IO, "cannot write in the folder %s (%s); %s", o->parent,
                            strerror(e), rq_io_fix_hint(e));
            goto cleanup;
        }
        if (rename(o->target, old) != 0) {
            int e = errno;
            (void)rmdir(old);
            rc = rq_err_set(err, RQ_ERR_IO, "cannot move the previous outputs %s aside (%s); %s",
                            o->target, strerror(e), rq_io_fix_hint(e));
            goto cleanup;
        }
    }
    if (rename(o->tmp, o->target) != 0) {
        int e = errno;
        if (old && rename(old, o->target) != 0)
            rq_log(RQ_LOG_ERROR, "could not put the previous outputs back: they are in %s", old);
        rc = rq_err_set(err, RQ_ERR_IO, "cannot rename %s to %s (%s); %s", o->tmp, o->target,
                        strerror(e), rq_io_fix_hint(e));
        goto cleanup;
    }
    /* The previous outputs now in the temporary folder's place, as after
    ** an exchange. */
    if (old && rename(old, o->tmp) != 0)
        rq_log(RQ_LOG_WARN, "the previous outputs are in %s", old);
cleanup:
    free(old);
    return rc;
}

rq_status
rq_outdir_commit(rq_outdir *o, const char *marker_text, rq_err *err)
{
    if (!o || !o->tmp)
        return rq_err_set(err, RQ_ERR_INTERNAL, "no output folder to commit");
    /* The last line names the run, for rq_outdir_open's leftover check. */
    char *marker = rq_outdir_file(o, RQ_OUTDIR_MARKER);
    size_t len = strlen(marker_text);
    char *text = rq_xasprintf("%s%srun: %s\n", marker_text,
                              len && marker_text[len - 1] == '\n' ? "" : "\n", o->name);
    rq_status rc = rq_io_write_file(marker, text, strlen(text), err);
    free(text);
    free(marker);
    if (rc != RQ_OK)
        return rc;
    /* The marker names the run now: the pending file goes. */
    char *pending = rq_outdir_file(o, RQ_OUTDIR_PENDING);
    int gone = unlink(pending) == 0 || errno == ENOENT;
    free(pending);
    if (!gone)
        return rq_err_set(err, RQ_ERR_IO, "%s: cannot remove %s (%s)", o->tmp, RQ_OUTDIR_PENDING,
                          strerror(errno));
    /* Private while it was written; shared like any folder once it is the
    ** output folder. */
    if (chmod(o->tmp, 0777 & ~o->umask) != 0)
        return rq_err_set(err, RQ_ERR_IO, "%s: cannot set permissions (%s)", o->tmp,
                          strerror(errno));
    sync_dir(o->tmp);
    struct stat st;
    int exists = lstat(o->target, &st) == 0;
    /* From here on the fatal cleanup must leave the folder alone: once
    ** swapped, it is the target. (No other thread runs at commit.) */
    unregister_tmp(o->tmp);
    int r = renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target,
                      exists ? RENAME_EXCHANGE : RENAME_NOREPLACE);
    if (r != 0 && (errno == EINVAL || errno == ENOSYS)) {
        rq_log(RQ_LOG_DEBUG, "%s: no atomic exchange on this filesystem: two renames", o->target);
        rc = swap_by_renames(o, exists, err);
    } else if (r != 0) {
        int e = errno;
        rc = rq_err_set(err, RQ_ERR_IO, "cannot move %s into place as %s (%s); %s", o->tmp,
                        o->target, strerror(e), rq_io_fix_hint(e));
    }
    if (rc != RQ_OK) {
        register_tmp(o->tmp); /* still ours: close removes it */
        return rc;
    }
    sync_dir(o->parent);
    /* The previous outputs, if any, are where the temporary folder was. */
    if (exists) {
        int e = rq_outdir_remove_tree(o->tmp);
        if (e != 0 && e != ENOENT)
            rq_log(RQ_LOG_WARN, "the previous outputs are in %s and could not be removed (%s)",
                   o->tmp, strerror(e));
    }
    free(o->tmp);
    o->tmp = NULL;
    return RQ_OK;
}

void
rq_outdir_close(rq_outdir *o)
{
    if (!o)
        return;
    if (o->tmp) {
        unregister_tmp(o->tmp);
        int e = rq_outdir_remove_tree(o->tmp);
        if (e != 0 && e != ENOENT)
            rq_log(RQ_LOG_WARN, "could not remove the temporary folder %s (%s)", o->tmp,
                   strerror(e));
        free(o->tmp);
    }
    if (o->lock_fd >= 0)
        close(o->lock_fd); /* releases the lock; the file stays */
    free(o->target);
    free(o->parent);
    free(o->name);
    free(o);
}
