/* args — the small option parser the subcommands share: long options with
 * values ("--layout X" or "--layout=X"), short flags, positional arguments.
 * Errors are usage errors (exit 2). */
#ifndef RP_CLI_ARGS_H
#define RP_CLI_ARGS_H

#include <stdbool.h>

typedef struct rp_opt {
  const char *long_name; /* "layout" */
  char short_name;       /* 'o' or 0 */
  bool takes_value;
  const char **value; /* set when takes_value */
  bool *flag;         /* set when !takes_value */
} rp_opt;

/* Parses argv[1..]; positional arguments go to pos (at most max_pos).
 * Returns 0 on success, 2 on bad usage (message printed to stderr). */
int rp_args_parse(const char *cmd, int argc, char **argv, const rp_opt *opts, int n_opts,
                  const char **pos, int max_pos, int *n_pos);

/* rp_args_parse for a subcommand of one positional argument: with *help set
 * (after parsing) prints usage to stdout (exit 0); without exactly one
 * positional, to stderr (exit 2). Returns -1 to go on, *arg set; else the
 * exit status. */
int rp_args_one(const char *cmd, int argc, char **argv, const rp_opt *opts, int n_opts,
                const char *usage, const bool *help, const char **arg);

#endif
