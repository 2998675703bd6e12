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

typedef struct rp_content {
  xmlDocPtr doc;   /* owned; freed by rp_content_free */
  rp_model *model; /* allocated from the arena given to rp_content_load */
  const char *path;
  const char *root; /* project root: asset paths must stay inside it */
} rp_content;

/* Loads `path`. On success *out must be freed with rp_content_free (before
 * the arena is freed is not required: the arena only holds the model). On
 * failure every problem found is in `d`, *out is NULL, status RP_ERR_INPUT. */
rp_status rp_content_load(rp_arena *a, const char *path, rp_diag *d, rp_content **out);
void rp_content_free(rp_content *c);

/* The content language's schema, with its quicker variant (base/xml.h). */
rp_xml_schema rp_content_schema(void);

#endif
