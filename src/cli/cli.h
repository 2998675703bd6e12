/* cli — the subcommands. Each parses its arguments into an options struct,
 * calls the engine, prints diagnostics, and returns the process exit status
 * (0 ok, 1 input refused, 2 usage, 3 internal). Only cli/ prints. */
#ifndef RP_CLI_CLI_H
#define RP_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

int rp_cli_render(int argc, char **argv);
int rp_cli_check(int argc, char **argv);
int rp_cli_schema(int argc, char **argv);
int rp_cli_init(int argc, char **argv);
int rp_cli_watch(int argc, char **argv);
/* Ends the process with exit status `rc` if the run succeeded (rc 0),
 * without freeing what it holds (cli/exit.c); otherwise, and in the
 * sanitizer build, under a preloaded library or with RP_FULL_EXIT set,
 * returns rc for main to return. Stdout and stderr are flushed first. */
int rp_cli_exit(int rc);
/* Whether rp_cli_exit ends a run that succeeded without freeing: then a
 * command need not free what it holds either. */
bool rp_cli_may_leave(void);
/* The libraries this binary was built with, one line (cli/version.c). */
void rp_cli_libraries(FILE *out);
/* diff: the command itself (cli/diff.c, in reviewpdf-diff only), and what
 * reviewpdf runs for it: exec reviewpdf-diff beside itself (cli/exec.c). */
int rp_cli_diff(int argc, char **argv);
int rp_cli_diff_exec(int argc, char **argv);

#endif
