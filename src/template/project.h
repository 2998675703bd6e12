/* project — which parts of a streamed run's items a layout reads from
 * outside that run (model/projection.h), so that the content loader may keep
 * only those parts of each item between its sections.
 *
 * The analysis reads the layout's tree (after XInclude) and walks every XPath
 * it holds that is evaluated outside the streamed run's own template: other
 * runs' templates (and those they apply by mode), masters' running texts,
 * the document's info, parameters. It follows each expression's steps over
 * element names from the root (contexts as name paths, `*` a wildcard) and
 * collects the names that step into an item, and whether their string value
 * (or rich text) is read. It is conservative: anything it cannot bound (a
 * wildcard, node() or // into or above an item, an unknown context, an axis
 * such as following::, syntax it does not know) means no projection, and
 * the content is loaded whole, as before. */
#ifndef RP_TEMPLATE_PROJECT_H
#define RP_TEMPLATE_PROJECT_H

#include "base/arena.h"
#include "base/diag.h"
#include "model/projection.h"
#include "template/template.h"

/* The projection of layout `l`, allocated from `a`, into *out; *out is NULL
 * when the layout has no streamed run or cannot be projected, and then *why
 * (when given) says why, arena-allocated. Returns RP_ERR_INTERNAL only when
 * memory runs out. */
rp_status rp_project_analyse(rp_arena *a, const rp_layout_def *l, rp_projection **out,
                             const char **why);

/* The same on a layout's tree (for tests: no fonts, no schema). */
rp_status rp_project_analyse_doc(rp_arena *a, const xmlDoc *doc, rp_projection **out,
                                 const char **why);

#endif
