/* template — the layout language (docs/layout.md): loading a layout document
 * and binding it to content.
 *
 * Loading (rp_layout_def_load) parses the layout safely, validates it against
 * the built-in schema (layouts/schema/layout.rng), loads its fonts, resolves
 * its colours, styles and page masters, and compiles every XPath expression
 * it holds. Everything that can be checked without content is checked here,
 * and every problem is reported, each with the layout file and line.
 *
 * Binding (rp_bind) evaluates the layout's sequence against a content
 * document by XPath and produces the bound document of bound/blocks.h:
 * sections of blocks with final text and resolved styles, ready for layout/.
 *
 * Pipeline: content (model/) → bind (here) → layout/ → render/. */
#ifndef RP_TEMPLATE_TEMPLATE_H
#define RP_TEMPLATE_TEMPLATE_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/xml.h"
#include "bound/blocks.h"
#include "model/content.h"

/* A loaded, validated layout: its XML tree, brand (colours, fonts, styles),
 * page masters, templates and compiled XPath expressions. */
typedef struct rp_layout_def rp_layout_def;

/* Loads the layout at `path`. Structures are allocated from `a` (which must
 * outlive the result and everything bound with it); the XML tree, the fonts
 * and the compiled expressions are owned by *out and released by
 * rp_layout_def_free. On failure returns RP_ERR_INPUT (or RP_ERR_INTERNAL)
 * with every problem found recorded in `d`, and *out is NULL. */
rp_status rp_layout_def_load(rp_arena *a, const char *path, rp_diag *d, rp_layout_def **out);

/* The layout's XPath expressions compiled ahead, on another thread, while
 * this one loads the layout: compiling them is a third of compiling the
 * templates. The other thread runs rp_xpath_ahead_run once it has nothing
 * else to do; it waits there for the layout's validated trees, compiles
 * what their attributes and texts hold as expressions (those of select=,
 * test=, match=, by= and group-by=, and the {…} parts of patterns), and
 * returns once it has compiled them all or the loading is over.
 * rp_layout_def_load_ahead takes each one it needs (compiling it itself
 * when it is not there yet), so the def is the same as without. Mistakes
 * are never kept: the loading compiles those itself, for their message.
 * rp_xpath_ahead_new gives NULL when out of memory (then: none). */
typedef struct rp_xpath_ahead rp_xpath_ahead;
rp_xpath_ahead *rp_xpath_ahead_new(void);
void rp_xpath_ahead_run(rp_xpath_ahead *x);
/* The loading is over (its trees may be freed once this returns): waits
 * for the other thread to be out of them (it copies what it compiles out
 * of them first), and stops it compiling; may be called more than once. */
void rp_xpath_ahead_close(rp_xpath_ahead *x);
/* The faces the layout's styles draw with (indices into `fs`), for the
 * other thread to read (rp_font_read_ahead) once it is idle, in
 * rp_xpath_ahead_read_faces: the first measure then finds them read. Given
 * once the fonts are loaded; the fontset is the other thread's to use
 * until rp_xpath_ahead_close (which waits for a face being read), so the
 * loading touches no face meanwhile. A face read there is read as on first
 * use; one that fails there is left for its first use. */
void rp_xpath_ahead_give_faces(rp_xpath_ahead *x, rp_fontset *fs, const int *faces, size_t n);
/* On the other thread: waits for the faces (or the close) and reads them
 * in order till all are read or the loading is over. */
void rp_xpath_ahead_read_faces(rp_xpath_ahead *x);
/* Frees what was compiled and not taken; once closed, and run returned or
 * never to come. Accepts NULL. */
void rp_xpath_ahead_free(rp_xpath_ahead *x);

/* rp_layout_def_load, its expressions taken from `ahead` (NULL: none) when
 * compiled there first; closes it before returning. */
rp_status rp_layout_def_load_ahead(rp_arena *a, const char *path, rp_diag *d, rp_xpath_ahead *ahead,
                                   rp_layout_def **out);

/* The layout language's schema, with its quicker variant (base/xml.h). */
rp_xml_schema rp_layout_schema(void);

/* Hands over the layout's XML trees (the document and the one it extends,
 * either NULL), which served loading: nothing reads them after it but
 * rp_project_analyse, which must not be called once they are taken. The
 * caller frees them (xmlFreeDoc), on any thread (pipeline.c: on the
 * content's, while this one lays out). */
void rp_layout_def_take_trees(rp_layout_def *l, xmlDocPtr trees[2]);

/* Frees what rp_layout_def_load owns; accepts NULL. Bound documents made from
 * the layout must no longer be used (they borrow its fonts and styles). */
void rp_layout_def_free(rp_layout_def *l);

/* Finds a layout. A value holding a '/' or ending in ".xml" is a path and is
 * used as given. Otherwise it is a name, looked up as <name>.xml in
 * ./layouts, then RP_SOURCE_DIR/layouts, then RP_SHARE_DIR/layouts. On
 * success *path is arena-allocated; on failure an input error lists the
 * places searched. */
rp_status rp_layout_find(rp_arena *a, const char *name_or_path, rp_diag *d, const char **path);

/* Binds `l` to the content `c` (only c->doc, c->path and c->root are read;
 * a NULL root is worked out from the path). On success
 * *out and all it holds are allocated from `a`, and borrow the fontset and
 * styles of `l`. Evaluation problems (XPath errors at run time, a select that
 * gives a string instead of nodes, functions given bad dates) are all
 * recorded; the status is the first error's, and *out is NULL on error. */
rp_status rp_bind(rp_arena *a, const rp_layout_def *l, const rp_content *c, rp_diag *d,
                  rp_bound_doc **out);

/* Items (docs/layout.md, "Items: --select and --split"): the nodes the
 * layout's item runs (<run item="true">) select. `node` is the content's
 * element (an xmlNode, valid while the content is loaded). */
typedef struct rp_item_ref {
  const void *node;
  int line; /* its content line, for messages */
} rp_item_ref;

typedef struct rp_item_list {
  rp_item_ref *v;
  size_t n;
} rp_item_list;

/* The layout's items, each once, in run order and then document order;
 * with `select` (an XPath evaluated on the content's root element) only
 * those among the nodes it gives. On success *out is arena-allocated and
 * not empty. A layout without item runs, item runs that select nothing, an
 * XPath that does not compile or gives no nodes, or a select that keeps no
 * item is an input error naming the problem. */
rp_status rp_items_find(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                        const char *select, rp_diag *d, rp_item_list *out);

/* One output path per item from `pattern` (-o of --split): literal text
 * with {xpath} parts evaluated per item (the item as context), each value
 * made safe for a file name — white space collapsed, path separators and
 * control characters as "_", leading dots as "_", 120 bytes at most. On
 * success *out holds items->n distinct names (compared without ASCII case),
 * arena-allocated. A value that comes out empty, a pattern without {…} for
 * several items, or two items with the same name is an input error. */
rp_status rp_items_names(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                         const rp_item_list *items, const char *pattern, rp_diag *d,
                         const char ***out);

/* Page labels of the sections with ids, from a previous layout of the same
 * document: what page('id') prints. Without them (a first pass) page()
 * prints a stand-in of two figures; with `final`, an id no section has is an
 * error at the expression's line. */
typedef struct rp_page_refs {
  const char *const *ids;
  const char *const *labels;
  size_t n;
  bool final;
  size_t pages; /* pages() : how many that layout had */
} rp_page_refs;

/* page('id') from the layout running while the document is bound lazily:
 * `label` writes the label of the page where id starts into buf when that
 * page can no longer change (a backward reference), and returns false
 * otherwise. Binding counts in `others` the page() answers that did not come
 * from it (from rp_page_refs, or a stand-in) and every pages(): a layout
 * none of whose answers were others needs no other layout for its page
 * references. */
typedef struct rp_live_refs {
  bool (*label)(void *user, const char *id, char *buf, size_t cap);
  void *user;
  size_t others;
} rp_live_refs;

/* The values of the expressions that call page() or pages(), as a binding
 * met them: recorded while a layout's document is bound (those that got an
 * answer from elsewhere than the layout running: every pages(), a page()
 * from rp_page_refs or a stand-in), then checked by a binding with that
 * layout's own page labels. A check that meets every recorded value equal
 * (rp_reftrace_met) proves that binding again with those labels binds what
 * that layout was made from: every other expression sees the same values
 * before it (a page() answered from the layout running gets the label that
 * layout's rp_page_refs holds), so that layout is the one laying out again
 * would make, and final. Values are compared exactly (strings byte for
 * byte, node sets by node: the content's tree must be the one bound). */
typedef struct rp_reftrace rp_reftrace;
rp_reftrace *rp_reftrace_new(void); /* NULL when out of memory */
void rp_reftrace_free(rp_reftrace *t);
/* True when t recorded every value it was given (memory, and kinds of
 * value it compares) and has not been checked yet. */
bool rp_reftrace_usable(const rp_reftrace *t);
/* From now on a binding given t compares with what was recorded. */
void rp_reftrace_check(rp_reftrace *t);
/* Checking: a value differed, or one recorded was not met in its turn. */
bool rp_reftrace_differs(const rp_reftrace *t);
/* Checking: every value recorded was met, equal (a binding can stop). */
bool rp_reftrace_met(const rp_reftrace *t);

typedef struct rp_bind_opts {
  const rp_item_list *items; /* non-NULL: item runs bind only these nodes */
  const rp_page_refs *refs;  /* for page(); NULL: none known yet */
  rp_live_refs *live;        /* for page() first; NULL: none */
  /* lazy binding: a section's blocks are bound a piece at a time as layout
   * asks for them (rp_bind_piece), not by rp_bind_body */
  bool pieces;
  rp_reftrace *trace; /* records or checks the values of page()/pages(); NULL: none */
} rp_bind_opts;

/* True when the layout calls page(): rendering it takes a second layout. */
bool rp_layout_def_uses_page_refs(const rp_layout_def *l);

/* rp_bind with options (NULL: none). Nodes of item runs keep the position
 * and size they have in the run's whole selection. */
rp_status rp_bind_ex(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                     const rp_bind_opts *o, rp_diag *d, rp_bound_doc **out);

/* Lazy binding: the document a section at a time, so that a long document
 * never holds all its bound blocks. rp_bind_begin binds what every section
 * shares (masters, document info, parameters) into `a`, which must outlive
 * the binding and everything bound by it; *doc has no sections. Each
 * rp_bind_next binds the next section (the same sections, in the same order,
 * as rp_bind_ex makes) into the arena given, which the caller frees once
 * nothing points into it, unless the section keeps_notes; *out NULL: the
 * runs are done — endnotes no <endnotes/> printed were then added to the
 * last section given, which must not have been laid out yet (nor freed).
 * Problems are recorded as rp_bind_ex records them; rp_bind_next returns
 * the first error's status once any was recorded since rp_bind_begin (its
 * section may still be given). rp_bind_rest binds what is left, each section
 * thrown away, so that every problem is recorded; it returns the same
 * status. libxml's generic error handler is the evaluator's only inside
 * these calls. The content's tree must stay until rp_bind_free, which
 * accepts NULL. */
typedef struct rp_binding rp_binding;
rp_status rp_bind_begin(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                        const rp_bind_opts *o, rp_diag *d, rp_binding **out,
                        const rp_bound_doc **doc);
rp_status rp_bind_next(rp_binding *bn, rp_arena *a, const rp_section **out);
/* The section rp_bind_next gave has its head only (master, new_page, label
 * style, anchors: what layout needs to end the flow of the one before) until
 * rp_bind_body binds the rest (title, bookmark, blocks) into the same arena;
 * the next rp_bind_next does it if the caller has not, so that binding
 * section by section reports as binding whole does. Layout binds the body
 * just before laying the section out, so that page() can answer from what is
 * already laid out (rp_live_refs). */
rp_status rp_bind_body(rp_binding *bn, const rp_section *s);
/* With rp_bind_opts.pieces, rp_bind_body binds a section's title and
 * bookmark only and marks it streamed; its blocks come from rp_bind_piece,
 * each call binding the next piece of its body into `a` (which the caller
 * frees once nothing points into it, unless *keeps: it holds notes, which
 * must live as long as the layout): the next top-level element of its
 * template, or the next context of one with a select, or the next key of a
 * top-level <group>, with the following ones while the last block keeps
 * with the next; the section's endnotes (and, after the last section, those
 * no <endnotes/> printed) come with the last piece. *first NULL: the body
 * is done. The pieces, joined in order, are the blocks rp_bind_body binds
 * whole, with the same problems recorded in the same order. Returns what
 * rp_bind_next returns. */
rp_status rp_bind_piece(rp_binding *bn, const rp_section *s, rp_arena *a, rp_block **first,
                        bool *keeps);
/* True once the runs are done and no body is left to give (the content's
 * tree is no longer needed); true for NULL. */
bool rp_bind_done(const rp_binding *bn);
rp_status rp_bind_rest(rp_binding *bn);
void rp_bind_free(rp_binding *bn);

/* Read access for tools and tests: the resolved style or colour of that
 * name, NULL / false when the layout has none. */
const rp_style *rp_layout_def_style(const rp_layout_def *l, const char *name);
bool rp_layout_def_color(const rp_layout_def *l, const char *name, rp_color *out);
const rp_fontset *rp_layout_def_fonts(const rp_layout_def *l);
const char *rp_layout_def_path(const rp_layout_def *l);
/* The outline files of the layout's maps (<chart kind="map" outline>),
 * resolved, each once, in the order compiled: what a chart worker may read
 * ahead of the first map (charts/memo.h rp_chart_worker_ahead). Owned by
 * the layout; *n is 0 for a layout without maps. */
const char *const *rp_layout_def_outlines(const rp_layout_def *l, size_t *n);
/* The layout's print settings (its <print>, or the defaults: 3 mm bleed, 5 mm
 * safe area, no crop marks, FOGRA39); `on` is false — the caller decides. */
rp_print rp_layout_def_print(const rp_layout_def *l);

#endif
