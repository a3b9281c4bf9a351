/* outdir_internal.h - what outdir.c (the output folder: lock, temporary
** folder, commit) shares with outdir_leftovers.c (what killed runs left
** beside it). Not a public header. */
#ifndef RQ_OUTDIR_INTERNAL_H
#define RQ_OUTDIR_INTERNAL_H

#include "raquette/writer.h"

#include <sys/types.h>

/* In a temporary folder from its creation until its commit: which run
** it belongs to, so that only that run's next run removes it. */
#define RQ_OUTDIR_PENDING ".raquette-tmp"

struct rq_outdir {
    char *target; /* without trailing slashes */
    char *parent;
    char *name; /* base name of target */
    char *tmp;  /* the private temporary folder, NULL once committed */
    int lock_fd;
    mode_t umask; /* read at open, applied to the folder at commit */
};

/* rm -rf without following symbolic links; 0 or an errno value. */
int rq_outdir_remove_tree(const char *path);

/* With the lock held, the temporary or old folders of this run beside the
** target are left by a run that is dead: removed; or, when the target is
** missing, an old one is put back. Anything only named like them stays. */
void rq_outdir_remove_leftovers(const rq_outdir *o);
/* Writes RQ_OUTDIR_PENDING into the new temporary folder; 0 or an errno. */
int rq_outdir_write_pending(const rq_outdir *o);

#endif
