/* args — see args.h. */
#include "cli/args.h"

#include <stdio.h>
#include <string.h>

static const rp_opt *find_long(const rp_opt *opts, int n, const char *name, size_t len) {
  for (int i = 0; i < n; i++)
    if (strlen(opts[i].long_name) == len && strncmp(opts[i].long_name, name, len) == 0)
      return &opts[i];
  return NULL;
}

static const rp_opt *find_short(const rp_opt *opts, int n, char c) {
  for (int i = 0; i < n; i++)
    if (opts[i].short_name == c) return &opts[i];
  return NULL;
}

int rp_args_parse(const char *cmd, int argc, char **argv, const rp_opt *opts, int n_opts,
                  const char **pos, int max_pos, int *n_pos) {
  *n_pos = 0;
  bool only_pos = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const rp_opt *o = NULL;
    const char *inline_value = NULL;
    if (!only_pos && strcmp(a, "--") == 0) {
      only_pos = true;
      continue;
    }
    if (!only_pos && a[0] == '-' && a[1] == '-') {
      const char *eq = strchr(a + 2, '=');
      size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
      o = find_long(opts, n_opts, a + 2, len);
      if (eq) inline_value = eq + 1;
    } else if (!only_pos && a[0] == '-' && a[1] && !a[2]) {
      o = find_short(opts, n_opts, a[1]);
    } else {
      if (*n_pos >= max_pos) {
        fprintf(stderr, "reviewpdf %s: unexpected argument '%s'; see 'reviewpdf %s --help'\n", cmd,
                a, cmd);
        return 2;
      }
      pos[(*n_pos)++] = a;
      continue;
    }
    if (!o) {
      fprintf(stderr, "reviewpdf %s: unknown option '%s'; see 'reviewpdf %s --help'\n", cmd, a,
              cmd);
      return 2;
    }
    if (o->takes_value) {
      if (!inline_value) {
        if (i + 1 >= argc) {
          fprintf(stderr, "reviewpdf %s: option '%s' needs a value\n", cmd, a);
          return 2;
        }
        inline_value = argv[++i];
      }
      *o->value = inline_value;
    } else {
      if (inline_value) {
        fprintf(stderr, "reviewpdf %s: option '--%s' takes no value\n", cmd, o->long_name);
        return 2;
      }
      *o->flag = true;
    }
  }
  return 0;
}

int rp_args_one(const char *cmd, int argc, char **argv, const rp_opt *opts, int n_opts,
                const char *usage, const bool *help, const char **arg) {
  const char *pos[1];
  int n_pos;
  int rc = rp_args_parse(cmd, argc, argv, opts, n_opts, pos, 1, &n_pos);
  if (rc) return rc;
  if (*help) {
    fputs(usage, stdout);
    return 0;
  }
  if (n_pos != 1) {
    fputs(usage, stderr);
    return 2;
  }
  *arg = pos[0];
  return -1;
}
