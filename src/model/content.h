/* content — loading a content document: parse safely, validate against the
 * built-in review schema, check what the schema cannot (ids, references,
 * dates, assets), and build the model.
 *
 * rp_content owns the validated libxml2 tree (kept for XPath binding) and the
 * model (arena-allocated). */
#ifndef RP_MODEL_CONTENT_H
#define RP_MODEL_CONTENT_H

#include <libxml/tree.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/xml.h"
#include "model/model.h"
#include "model/projection.h"

/* A projected document's items: where each is in the file (stream.c). */
typedef struct rp_content_items rp_content_items;

typedef struct rp_content {
  xmlDocPtr doc;   /* owned; freed by rp_content_free */
  rp_model *model; /* allocated from the arena given to rp_content_load */
  const char *path;
  const char *root; /* project root: asset paths must stay inside it */
  /* Loaded projected (rp_content_load_projected): doc is a skeleton whose
   * items are read whole by rp_content_expand; NULL when doc is whole. */
  rp_content_items *items;
  size_t text_bytes; /* projected: the whole document's text, bytes (else 0) */
} rp_content;

/* Loads `path`. On success *out must be freed with rp_content_free (before
 * the arena is freed is not required: the arena only holds the model). On
 * failure every problem found is in `d`, *out is NULL, status RP_ERR_INPUT. */
rp_status rp_content_load(rp_arena *a, const char *path, rp_diag *d, rp_content **out);
void rp_content_free(rp_content *c);

/* Loads `path` keeping, of each item of projection `p`, only its element
 * and what `p` names (model/stream.c); the rest of an item is read again
 * while it is expanded. A document this cannot load so, or that is not clean
 * (any error or warning), is loaded by rp_content_load instead, with its
 * messages: the result and the diagnostics are rp_content_load's then, but
 * for the model, which is NULL when projected. */
rp_status rp_content_load_projected(rp_arena *a, const char *path, const rp_projection *p,
                                    rp_diag *d, rp_content **out);

/* Reads item `node` (an element of the skeleton) whole from the file, in
 * place of its kept parts, with the file's line numbers. Expansions nest:
 * an item expanded again only counts, and each rp_content_expand that
 * succeeds is matched by one rp_content_collapse. RP_OK and nothing done
 * when `it` is NULL or node is not an item. An error (the file changed, out
 * of memory) is recorded in `d` against `path`, and nothing is expanded. */
rp_status rp_content_expand(rp_content_items *it, const char *path, xmlNodePtr node, rp_diag *d);
/* Ends one expansion; the last gives back what expanding read and puts the
 * kept parts back (what pointed into the whole item is then gone). */
void rp_content_collapse(rp_content_items *it, xmlNodePtr node);
/* True when node is an item's element. */
bool rp_content_is_item(const rp_content_items *it, const xmlNode *node);
/* True when node is an item that is not expanded (only its kept parts). */
bool rp_content_dormant(const rp_content_items *it, const xmlNode *node);
/* Lending: bind expands an item it uses as a context (the projection counts
 * on it: template/project.c) and gives it back when that use ends.
 * rp_content_lend expands node when it is a dormant item (else does
 * nothing), to be collapsed by the rp_content_release of a mark taken
 * before; errors as rp_content_expand. */
rp_status rp_content_lend(rp_content_items *it, const char *path, xmlNodePtr node, rp_diag *d);
size_t rp_content_mark(const rp_content_items *it);
void rp_content_release(rp_content_items *it, size_t mark);
/* The RP_PROJ_* uses for which expression `text` is evaluated a batch of
 * items at a time (model/projection.h), 0 when it is not. */
unsigned rp_content_batched(const rp_content_items *it, const char *text);
/* Batches: every item out of the tree, then rp_content_batch_next puts the
 * next batch back in (in place, read whole, or with `light` its start tag
 * only: its attributes) until it returns false (the items are done, or *st
 * an error, recorded); rp_content_batches_end puts every item back as it
 * was. An expression evaluated between them sees the batch's items only:
 * its context must not be an item or inside one. Not nested; nothing may
 * expand an item (whole) meanwhile. */
rp_status rp_content_batches_begin(rp_content_items *it, rp_diag *d);
bool rp_content_batch_next(rp_content_items *it, const char *path, bool light, rp_diag *d,
                           rp_status *st);
void rp_content_batches_end(rp_content_items *it);
void rp_content_items_free(rp_content_items *it);
/* Ends every expansion and forgets the items' elements: for the tree about
 * to be freed, after which expanding, collapsing and lending do nothing. */
void rp_content_items_forget(rp_content_items *it);
/* Frees the content's tree (doc NULL after), its items forgotten first. */
void rp_content_drop_tree(rp_content *c);
/* Nodes in the content's tree (for tests of the skeleton's size). */
size_t rp_content_nodes(const rp_content *c);

/* Bytes of text in the nodes and under them: what the content holds (bind's
 * budget for the text it may make). */
size_t rp_content_text_bytes(const xmlNode *n);

/* A space as the text of each empty <br/> under the nodes (see content.c);
 * false when memory runs out. */
bool rp_content_space_breaks(xmlNode *n);

/* The content language's schema, with its quicker variant (base/xml.h). */
rp_xml_schema rp_content_schema(void);

#endif
