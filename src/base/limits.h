/* limits — the limits on what one render may take that can be raised, each
 * enforced by counting where the thing is made (docs/limits.md has the whole
 * table, fixed limits too). Each has a default and an environment variable
 * that raises (or lowers) it, read once by the cli (rp_limits_from_env). */
#ifndef RP_BASE_LIMITS_H
#define RP_BASE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"

typedef enum rp_limit_kind {
  RP_LIMIT_DEPTH,       /* element nesting of one document (after XInclude) */
  RP_LIMIT_PAGES,       /* pages of one PDF */
  RP_LIMIT_ITEMS,       /* positioned items (text runs, shapes…) of one PDF */
  RP_LIMIT_FONTS,       /* font files loaded by one layout */
  RP_LIMIT_XPATH_NODES, /* nodes one XPath selection may return */
  RP_LIMIT_MEMORY_MIB,  /* live memory through base/mem, MiB */
  RP_LIMIT_COUNT
} rp_limit_kind;

/* The limit's value now. */
size_t rp_limit(rp_limit_kind k);
/* Sets it (tests, the cli); 0 keeps the default. */
void rp_limit_set(rp_limit_kind k, size_t v);
/* True when it was set (from the environment, or rp_limit_set), not the default. */
bool rp_limit_given(rp_limit_kind k);
/* Reads RP_MAX_DEPTH, RP_MAX_PAGES, RP_MAX_ITEMS, RP_MAX_FONTS,
 * RP_MAX_XPATH_NODES and RP_MAX_MEMORY_MIB. A malformed value records a usage
 * error in `d` and returns RP_ERR_USAGE. */
rp_status rp_limits_from_env(rp_diag *d);

/* Records that `found` is over limit k at file:line (file may be NULL) as an
 * input error naming the limit and the variable that raises it; returns
 * RP_ERR_INPUT. `what` says what was counted ("pages"). */
rp_status rp_limit_exceeded(rp_diag *d, rp_limit_kind k, const char *file, int line, size_t found,
                            const char *what);

/* The message for a run that stopped at the memory limit (main prints it). */
void rp_limit_memory_message(char *buf, size_t n);

#endif
