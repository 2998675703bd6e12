/* limits — see limits.h. */
#include "base/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/mem.h"

static const struct {
  const char *env;
  size_t dflt;
} table[RP_LIMIT_COUNT] = {
    [RP_LIMIT_DEPTH] = {"RP_MAX_DEPTH", 100},
    [RP_LIMIT_PAGES] = {"RP_MAX_PAGES", 5000},
    [RP_LIMIT_ITEMS] = {"RP_MAX_ITEMS", 2000000},
    [RP_LIMIT_FONTS] = {"RP_MAX_FONTS", 64},
    [RP_LIMIT_XPATH_NODES] = {"RP_MAX_XPATH_NODES", 1000000},
    [RP_LIMIT_MEMORY_MIB] = {"RP_MAX_MEMORY_MIB", 4096},
};

static size_t value[RP_LIMIT_COUNT];

size_t rp_limit(rp_limit_kind k) { return value[k] ? value[k] : table[k].dflt; }

bool rp_limit_given(rp_limit_kind k) { return value[k] != 0; }

void rp_limit_set(rp_limit_kind k, size_t v) {
  value[k] = v;
  if (k == RP_LIMIT_MEMORY_MIB) rp_mem_set_limit(rp_limit(k) * 1024 * 1024);
}

rp_status rp_limits_from_env(rp_diag *d) {
  for (int k = 0; k < RP_LIMIT_COUNT; k++) {
    const char *v = getenv(table[k].env);
    if (!v || !*v) {
      rp_limit_set((rp_limit_kind)k, 0);
      continue;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*end || errno || n == 0 || n > (size_t)-1 / (1024 * 1024))
      return rp_diag_error(d, RP_ERR_USAGE, NULL, 0, 0,
                           "%s=\"%s\" is not a limit: give a whole number from 1", table[k].env, v);
    rp_limit_set((rp_limit_kind)k, (size_t)n);
  }
  return RP_OK;
}

rp_status rp_limit_exceeded(rp_diag *d, rp_limit_kind k, const char *file, int line, size_t found,
                            const char *what) {
  return rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                       "%zu %s, over the limit of %zu (%s=N raises it; docs/limits.md)", found,
                       what, rp_limit(k), table[k].env);
}

void rp_limit_memory_message(char *buf, size_t n) {
  snprintf(buf, n, "over the memory limit of %zu MiB (%s=N raises it; docs/limits.md)",
           rp_limit(RP_LIMIT_MEMORY_MIB), table[RP_LIMIT_MEMORY_MIB].env);
}
