/* projection — the parts of a content document's streamed items that a
 * layout can reach from outside the run that streams them (plain data: the
 * analysis is template/project.c, the loading model/content.c).
 *
 * A layout's run whose items are bound one section at a time
 * (`<run select="/review/case-studies/case-study">`) reads each item whole
 * only while its own section binds, or while the item is the context of an
 * element or expression elsewhere (an index row); everything else (other
 * runs, masters, the index) reaches into the items across them only
 * through the names listed here. The content loader can then keep, of each
 * item, only its element and these parts, and read the item whole again
 * while it is used. */
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

/* Uses of an expression evaluated a batch of items at a time. */
#define RP_PROJ_NODES 1u /* a select (of a block element or a group): items */
#define RP_PROJ_TEST 2u  /* a test */
#define RP_PROJ_ATTRS 4u /* it reads only the items' own attributes: their start tags do */

/* An expression that reads into items only in a way that can be answered a
 * batch of items at a time, each read whole (template/project.c): a path
 * of names to the items, predicates on them that read inside each (no
 * position), and for a test a path on into them. Bind evaluates it so
 * (bind.c), and what it (and a group's keys on what it selects) reads is
 * not kept. */
typedef struct rp_projection_batched {
  const char *text;
  unsigned uses; /* RP_PROJ_* it is evaluated for */
} rp_projection_batched;

typedef struct rp_projection {
  const char **item; /* element names from the root element down to the item */
  size_t n_item;
  rp_projection_keep *keep; /* sorted by path, unique */
  size_t n_keep;
  rp_projection_batched *batched; /* in the order first met */
  size_t n_batched;
} rp_projection;

/* "review/case-studies/case-study: @theme title(all) (2 batched)", arena-allocated;
 * NULL when out of memory. For tests and --verbose messages. */
char *rp_projection_describe(rp_arena *a, const rp_projection *p);

/* The entry for `path` (relative to the item), or NULL. */
const rp_projection_keep *rp_projection_find(const rp_projection *p, const char *path, size_t len);

#endif
