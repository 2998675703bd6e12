/* exit — how a run that succeeded ends (main.c), its output committed and
 * its messages printed: at once, without freeing what it holds. The
 * kernel takes the whole address space back in one go; freeing it piece
 * by piece first (arenas, libharu's and libxml2's objects, exit's handlers
 * and the libraries' destructors) only delays the caller's wait, as
 * clang's -disable-free says of a compiler. The streams are flushed first,
 * so that nothing printed is lost.
 *
 * A failure still ends through main's return, freeing everything, as do
 * the sanitizer build (ASan's leak check), a process with a library
 * preloaded (valgrind's memcheck, heaptrack: their leak checks) and one
 * with RP_FULL_EXIT set. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/mem.h"
#include "cli/cli.h"

/* Whether this run may end without freeing (see above). */
static bool may_skip_teardown(int rc) {
#ifdef RP_ASAN
  (void)rc;
  return false;
#else
  const char *preload = getenv("LD_PRELOAD"), *full = getenv("RP_FULL_EXIT");
  return rc == 0 && !(preload && *preload) && !(full && *full);
#endif
}

bool rp_cli_may_leave(void) { return may_skip_teardown(0); }

int rp_cli_exit(int rc) {
  if (!may_skip_teardown(rc)) return rc;
  /* a stream that cannot be written: main's return says nothing either */
  if (fflush(stdout) != 0 || fflush(stderr) != 0) return rc;
  _exit(rc);
}
