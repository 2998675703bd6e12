/* exec — subcommands that live in a helper executable beside reviewpdf.
 * `diff` needs poppler, and linking poppler into reviewpdf would load it
 * (with glib, libstdc++, nss… 23 more libraries) at every start: about
 * 4.5 ms more CPU and 10–20 ms more wall time per `render`, measured
 * (docs/diff.md). So reviewpdf replaces itself with reviewpdf-diff, found
 * beside its own executable, and the exit status is the helper's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define HELPER "reviewpdf-diff"

int rp_cli_diff_exec(int argc, char **argv) {
  (void)argc;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  char path[PATH_MAX + sizeof HELPER];
  if (n > 0) {
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) slash[1] = '\0';
    snprintf(path, sizeof path, "%s%s", slash ? self : "", HELPER);
    argv[0] = path;
    execv(path, argv);
  } else {
    /* no /proc: the helper on PATH */
    snprintf(path, sizeof path, "%s", HELPER);
    argv[0] = path;
    execvp(HELPER, argv);
  }
  fprintf(stderr,
          "reviewpdf diff: cannot run %s: %s; it is built and installed beside reviewpdf "
          "(cmake target reviewpdf-diff)\n",
          path, strerror(errno));
  return 2;
}
