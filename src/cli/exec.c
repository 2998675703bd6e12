/* exec — subcommands that live in a helper executable beside reviewpdf.
 * `diff` needs poppler, and linking poppler into reviewpdf would load it
 * (with glib, libstdc++, nss… 23 more libraries) at every start: about
 * 4.5 ms more CPU and 10–20 ms more wall time per `render`, measured
 * (docs/diff.md). So reviewpdf replaces itself with reviewpdf-diff, and the
 * exit status is the helper's. The helper is looked for beside reviewpdf's
 * own executable (a build tree), then where an install puts a program that
 * users do not run themselves (../libexec/reviewpdf/, Debian policy 9.1.1). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define HELPER "reviewpdf-diff"
#define LIBEXEC "../libexec/reviewpdf/"

int rp_cli_diff_exec(int argc, char **argv) {
  (void)argc;
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  char path[PATH_MAX + sizeof LIBEXEC + sizeof HELPER];
  if (n > 0) {
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) slash[1] = '\0';
    const char *dir = slash ? self : "";
    snprintf(path, sizeof path, "%s%s", dir, HELPER);
    argv[0] = path;
    execv(path, argv);
    if (errno == ENOENT) {
      snprintf(path, sizeof path, "%s" LIBEXEC "%s", dir, HELPER);
      execv(path, argv);
    }
  } else {
    /* no /proc: the helper on PATH */
    snprintf(path, sizeof path, "%s", HELPER);
    argv[0] = path;
    execvp(HELPER, argv);
  }
  fprintf(stderr,
          "reviewpdf diff: cannot run %s: %s; it is built beside reviewpdf and installed in "
          "libexec/reviewpdf (cmake target reviewpdf-diff)\n",
          path, strerror(errno));
  return 2;
}
