/* exit — how a run that succeeded ends (main.c), its output committed and
 * its messages printed. Ending a process frees its memory in the kernel:
 * every page unmapped and uncharged, ~0.7 ms of the review's wall time
 * between main's end and the shell seeing the exit, with nothing left to
 * do. So the address space is handed to a holder — a task sharing it
 * (CLONE_VM), not a thread of the process — and the process ends without
 * freeing anything: its own exit then drops only a reference, and the
 * holder, killed when the process has ended (PR_SET_PDEATHSIG), frees the
 * memory after it, off the caller's wait. (The mold linker likewise lets
 * its caller go before its memory is unmapped, working in a child.)
 * Everything else is as exit(3) leaves it: the streams flushed, and every
 * descriptor closed before the holder exists, so that a reader of our
 * output sees its end when we end. Exit's handlers (the libraries'
 * destructors, freeing their caches) are skipped, as clang's -disable-free
 * skips freeing.
 *
 * A failure still ends through main's return, freeing everything, as do
 * the sanitizer build (ASan's leak check), a process with a library
 * preloaded (valgrind's memcheck, heaptrack: their leak checks) and one
 * with RP_FULL_EXIT set. The holder, orphaned, is reaped by init (or the
 * nearest subreaper) like any orphan. */
#define _GNU_SOURCE /* clone, close_range */
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/cli.h"

#if defined(__SANITIZE_ADDRESS__)
#define RP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RP_ASAN 1
#endif
#endif

#ifndef RP_ASAN
static pid_t held_for; /* the process whose memory is held */
static char holder_stack[16 << 10] __attribute__((aligned(16))); /* in the memory held */

/* Holds the address space until the process has ended: a signal then (or
 * at once, if it ended before this could ask for one) ends the holder. */
static int hold(void *unused) {
  (void)unused;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() == held_for)
    for (;;) pause();
  return 0;
}
#endif

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

int rp_cli_exit(int rc) {
  if (!may_skip_teardown(rc)) return rc;
  /* a stream that cannot be written: main's return says nothing either */
  if (fflush(stdout) != 0 || fflush(stderr) != 0) return rc;
#ifndef RP_ASAN
  held_for = getpid();
  /* every descriptor closed first: the holder shares none to keep open */
  if (close_range(0, ~0U, 0) == 0)
    clone(hold, holder_stack + sizeof holder_stack, CLONE_VM | CLONE_FILES | SIGCHLD, NULL);
#endif
  _exit(rc); /* no holder (clone failed): the kernel frees it all here */
}
