/* outfile — see outfile.h. The temporary is created with mkstemp in the same
 * folder as the target so that rename(2) is atomic (same file system). */
#include "base/outfile.h"

#include "base/mem.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

rp_status rp_outfile_open(rp_outfile *of, const char *target, rp_diag *d) {
  memset(of, 0, sizeof *of);
  of->fd = -1;
  /* Renaming over a device, a pipe or a folder would replace it (root can
   * rename over /dev/full): only regular files, or new ones, are targets. */
  struct stat st;
  if (stat(target, &st) == 0 && !S_ISREG(st.st_mode))
    return rp_diag_error(d, RP_ERR_INPUT, target, 0, 0,
                         "the output is not a regular file (%s); reviewpdf writes a new file "
                         "and renames it into place: give a file's path",
                         S_ISDIR(st.st_mode) ? "a folder" : "a device, pipe or socket");
  char *copy = rp_mem_strdup(target);
  char *copy2 = rp_mem_strdup(target);
  if (!copy || !copy2) {
    rp_mem_free(copy);
    rp_mem_free(copy2);
    return rp_diag_oom(d);
  }
  const char *dir = dirname(copy);
  const char *base = basename(copy2);
  size_t n = strlen(dir) + strlen(base) + 16;
  of->tmp_path = rp_mem_alloc(n);
  of->target = rp_mem_strdup(target);
  if (!of->tmp_path || !of->target) {
    rp_mem_free(copy);
    rp_mem_free(copy2);
    rp_outfile_abort(of);
    return rp_diag_oom(d);
  }
  snprintf(of->tmp_path, n, "%s/.%s.XXXXXX", dir, base);
  rp_mem_free(copy);
  rp_mem_free(copy2);
  of->fd = mkstemp(of->tmp_path);
  if (of->fd < 0) {
    int err = errno;
    rp_mem_free(of->tmp_path);
    of->tmp_path = NULL;
    rp_outfile_abort(of);
    return rp_diag_error(d, RP_ERR_INPUT, target, 0, 0,
                         "cannot create the output file: %s; check that the folder exists and "
                         "is writable",
                         strerror(err));
  }
  /* mkstemp makes 0600; a PDF is an ordinary document. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(of->fd, 0666 & ~mask);
  return RP_OK;
}

FILE *rp_outfile_stream(rp_outfile *of, const char *target, const char *what, rp_diag *d) {
  if (rp_outfile_open(of, target, d) != RP_OK) return NULL;
  FILE *f = fdopen(of->fd, "w");
  if (!f) {
    rp_outfile_abort(of);
    rp_diag_error(d, RP_ERR_INPUT, target, 0, 0, "cannot write the %s", what);
    return NULL;
  }
  of->fd = -1; /* the stream owns it now */
  return f;
}

rp_status rp_outfile_commit(rp_outfile *of, rp_diag *d) {
  if (!of->tmp_path) return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "outfile not open");
  /* A run that ran out of memory anywhere writes nothing, even where the
   * failure was absorbed on the way (base/mem.h). */
  if (rp_mem_failed()) {
    rp_outfile_abort(of);
    return rp_diag_oom(d);
  }
  int err = 0;
  if (of->fd >= 0) {
    if (fsync(of->fd) != 0 && errno != EINVAL) err = errno;
    if (close(of->fd) != 0 && !err) err = errno;
    of->fd = -1;
  }
  if (!err && rename(of->tmp_path, of->target) != 0) err = errno;
  if (err) {
    rp_status st = rp_diag_error(d, RP_ERR_INPUT, of->target, 0, 0,
                                 "cannot write the output file: %s", strerror(err));
    rp_outfile_abort(of);
    return st;
  }
  rp_mem_free(of->tmp_path);
  of->tmp_path = NULL;
  rp_outfile_abort(of);
  return RP_OK;
}

void rp_outfile_abort(rp_outfile *of) {
  if (of->fd >= 0) close(of->fd);
  of->fd = -1;
  if (of->tmp_path) unlink(of->tmp_path);
  rp_mem_free(of->tmp_path);
  rp_mem_free(of->target);
  of->tmp_path = NULL;
  of->target = NULL;
}
