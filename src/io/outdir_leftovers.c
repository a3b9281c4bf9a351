/* outdir_leftovers.c - what runs that were killed left beside an output
** folder, and how a folder proves it is one of them (outdir.c's header
** says why a name is no proof): the pending file of a temporary folder,
** the marker's last line, or nothing in it at all.
*/
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY with openat */
#include "io/outdir_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 when name is "<base>.tmp-XXXXXX" or "<base>.old-XXXXXX". */
static int
is_leftover(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0)
        return 0;
    name += n;
    if (strncmp(name, ".tmp-", 5) != 0 && strncmp(name, ".old-", 5) != 0)
        return 0;
    return strlen(name + 5) == 6;
}

/* 1 when the regular file dir/file (not followed) holds text: exactly for
** the pending file, as part of it for the marker. */
static int
file_says(int dir, const char *file, const char *text, int exact)
{
    char buf[512];
    int fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
    close(fd);
    if (n < 0)
        return 0;
    buf[n] = '\0';
    return exact ? strcmp(buf, text) == 0 : strstr(buf, text) != NULL;
}

/* What a folder named like a leftover of run name is. */
enum leftover {
    LEFT_FOREIGN, /* anything else: left alone */
    LEFT_OURS,    /* the pending file or the marker names the run */
    LEFT_EMPTY
};

static enum leftover
leftover_kind(int parent, const char *entry, const char *name)
{
    int fd = openat(parent, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return LEFT_FOREIGN;
    char pending[300], marker[300];
    snprintf(pending, sizeof pending, "run %s\n", name);
    snprintf(marker, sizeof marker, "\nrun: %s\n", name);
    enum leftover kind =
        file_says(fd, RQ_OUTDIR_PENDING, pending, 1) || file_says(fd, RQ_OUTDIR_MARKER, marker, 0)
            ? LEFT_OURS
            : LEFT_FOREIGN;
    DIR *d = kind == LEFT_OURS ? NULL : fdopendir(fd);
    if (d) {
        kind = LEFT_EMPTY;
        for (struct dirent *e; kind == LEFT_EMPTY && (e = readdir(d)) != NULL;)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                kind = LEFT_FOREIGN;
        closedir(d); /* closes fd */
    } else {
        close(fd);
    }
    return kind;
}

void
rq_outdir_remove_leftovers(const rq_outdir *o)
{
    DIR *d = opendir(o->parent);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_leftover(e->d_name, o->name))
            continue;
        enum leftover kind = leftover_kind(dirfd(d), e->d_name, o->name);
        char *path = rq_xasprintf("%s/%s", o->parent, e->d_name);
        struct stat st;
        int old = strstr(e->d_name + strlen(o->name), ".old-") != NULL;
        if (kind == LEFT_FOREIGN)
            rq_log(RQ_LOG_INFO,
                   "left %s alone: its name looks like a leftover of run %s, but it "
                   "is not one of that run's folders",
                   path, o->name);
        else if (kind == LEFT_OURS && old && lstat(o->target, &st) != 0 && errno == ENOENT &&
                 rename(path, o->target) == 0)
            rq_log(RQ_LOG_WARN,
                   "put the previous outputs back from %s: a run was killed while "
                   "it replaced them",
                   path);
        else {
            int err =
                kind == LEFT_EMPTY ? (rmdir(path) == 0 ? 0 : errno) : rq_outdir_remove_tree(path);
            if (err == 0)
                rq_log(RQ_LOG_INFO, "removed %s, left by a run that was killed", path);
            else
                rq_log(RQ_LOG_WARN, "cannot remove %s, left by a run that was killed (%s)", path,
                       strerror(err));
        }
        free(path);
    }
    closedir(d);
}

int
rq_outdir_write_pending(const rq_outdir *o)
{
    char *path = rq_xasprintf("%s/%s", o->tmp, RQ_OUTDIR_PENDING);
    char text[300];
    int n = snprintf(text, sizeof text, "run %s\n", o->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int e = fd < 0 ? errno : write(fd, text, (size_t)n) == n ? 0 : errno ? errno : EIO;
    if (fd >= 0 && close(fd) != 0 && !e)
        e = errno;
    free(path);
    return e;
}
