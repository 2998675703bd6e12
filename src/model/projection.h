/* projection — the parts of a content document's streamed items that a
 * layout can reach from outside the run that streams them (plain data: the
 * analysis is template/project.c, the loading model/content.c).
 *
 * A layout's run whose items are bound one section at a time
 * (`<run select="/review/case-studies/case-study">`) reads each item whole
 * only while its own section binds; everything else (other runs, masters,
 * the index) reaches into the items only through the names listed here. The
 * content loader can then keep, of each item, only these parts between its
 * sections, and read the item whole again when its section binds. */
#ifndef RP_MODEL_PROJECTION_H
#define RP_MODEL_PROJECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

/* One part of an item outside code may reach, relative to the item element:
 * "title" (an element), "figures/figure/@unit" (an attribute), "@id". */
typedef struct rp_projection_keep {
  const char *path;
  bool whole; /* an element whose string value or rich text is read: kept with its subtree */
} rp_projection_keep;

typedef struct rp_projection {
  const char **item; /* element names from the root element down to the item */
  size_t n_item;
  rp_projection_keep *keep; /* sorted by path, unique */
  size_t n_keep;
} rp_projection;

/* "review/case-studies/case-study: @id @theme title(all)", arena-allocated;
 * NULL when out of memory. For tests and --verbose messages. */
char *rp_projection_describe(rp_arena *a, const rp_projection *p);

/* The entry for `path` (relative to the item), or NULL. */
const rp_projection_keep *rp_projection_find(const rp_projection *p, const char *path, size_t len);

#endif
