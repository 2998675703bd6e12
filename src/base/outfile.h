/* outfile — all-or-nothing output. A file is written under a temporary name
 * in the target's folder and renamed over the target only on success, so a
 * failed run never leaves a partial file and never touches an existing one. */
#ifndef RP_BASE_OUTFILE_H
#define RP_BASE_OUTFILE_H

#include <stdio.h>

#include "base/diag.h"

typedef struct rp_outfile {
  char *target;   /* final path */
  char *tmp_path; /* temporary path beside it, exists while open */
  int fd;         /* open descriptor on tmp_path, -1 when closed */
} rp_outfile;

/* Creates the temporary file. On error records it in `d` and leaves `of` closed. */
rp_status rp_outfile_open(rp_outfile *of, const char *target, rp_diag *d);
/* rp_outfile_open with a stdio stream on the temporary, which then owns the
 * descriptor (of->fd is -1): the caller writes, closes the stream, and
 * commits or aborts. NULL (recorded, naming `what`) when either fails. */
FILE *rp_outfile_stream(rp_outfile *of, const char *target, const char *what, rp_diag *d);
/* Flushes and renames the temporary over the target; on failure removes it. */
rp_status rp_outfile_commit(rp_outfile *of, rp_diag *d);
/* Removes the temporary file (if any) and releases `of`; safe to call twice. */
void rp_outfile_abort(rp_outfile *of);

#endif
