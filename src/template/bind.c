/* bind — evaluating a compiled layout against content: rp_bind.
 *
 * Each <run> of the sequence applies a template to the nodes its select
 * matches (or to the content's root element), one section per node. Within a
 * template, every element may carry select (the element is produced once per
 * matched node, with that node as context) and test (it is produced only when
 * true); <group> makes one pass per distinct key with $key and $group bound.
 * Text is evaluated into spans with resolved styles; masters get their texts
 * evaluated once, against the root element, with page variables left for
 * layout/. The layout's parameters (<param>) are variables for every
 * expression.
 *
 * Grids, tables, stat tiles and images become the part-2 blocks layout/
 * expects (docs/layout-engine.md): a grid's children are its cards (boxes
 * that never split); a table's children are rows, the first header_rows of
 * them from <header> (cells tagged TH); an image's src is resolved against
 * the layout or the content file, must stay inside that project, and is
 * NULL when empty (layout then draws the placeholder, silently). Grids,
 * tables and rows that come out empty, and tiles without a value, are left
 * out.
 *
 * Each element is bound by its kind's function from the table of kinds
 * (kinds.c): emit_nodes applies select and test (except for kinds that apply
 * select themselves, <group>) and calls rp_bind_<kind>, which appends the
 * blocks it makes; inline elements bind into spans the same way.
 *
 * Problems found here are evaluation problems (an XPath error that only shows
 * with data, a select that gives a string, a function given a bad date). Each
 * is recorded once per expression and the element is skipped, so that every
 * problem shows in one run; rp_bind fails if any was recorded. */
#include <libxml/hash.h>
#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/roman.h"
#include "base/xml.h"
#include "template/def.h"
#include "template/units.h"

/* A section whose head is bound (section_head): what its body needs. */
typedef struct section_todo {
  rp_section *s;
  const rp_template_def *t;
  xmlNodePtr node;
  int pos, size;
} section_todo;

struct rp_binder {
  rp_arena *a;    /* what is bound: the section's arena (lazy binding), or the document's */
  rp_arena *keep; /* what outlives a section: masters, styles, caches */
  rp_diag *d;
  const rp_layout_def *l;
  rp_xeval x;
  rp_vec style_cache;
  rp_master **masters;       /* bound, parallel to l->masters */
  const char *content_dir;   /* images named by the content are relative to it */
  const char *content_root;  /* … and stay inside it (the content's project) */
  rp_vec reported;           /* const void * (a tnode, a col): a failing element is reported once */
  int apply_depth;           /* <apply> nesting, against a template that applies itself */
  int level_offset;          /* <apply level-offset>s around: headings this much lower */
  rp_vec aligned;            /* aligned_style: styles with a column's alignment */
  const rp_item_list *items; /* --select, --split: the items item runs keep */
  /* the style a style="{…}" chose for the element being bound: what its
   * content that names no style of its own is set in (build) */
  const rp_style_def *dyn_style;
  bool making_parts;   /* binding a grid's cards, a table's rows, a row's cells: no breaks there */
  size_t text_left;    /* bytes of text binding may still make (RP_BIND_TEXT_FACTOR) */
  rp_note_state notes; /* notes' numbers; endnotes waiting to be printed (notes.c) */
  section_todo head;   /* the section whose head is bound, its body not yet */
  bool oom;
  bool stop;                /* a runaway <apply>: binding gives up (reported) */
  rp_content_items *stream; /* projected content: an item is read whole while it binds */
  bool no_lend;             /* a group's keys: read from the items' kept parts */
};
typedef rp_binder binder;

/* Deeper than any sensible prose (a list in a quote in a callout in a
 * section): beyond it a template is applying itself without end. */
#define APPLY_DEPTH_MAX 32

/* The text a binding makes is at most this many times the content's own text
 * plus RP_BIND_TEXT_SLACK bytes. The stock layouts bind about as much text as
 * the content holds (×0.93 for both samples); a selection of the whole
 * document for every item (<copy select="//node()"/> in a list) makes items
 * × document, which would need memory and time quadratic in the input. */
#define RP_BIND_TEXT_FACTOR 4
#define RP_BIND_TEXT_SLACK (256u * 1024u)

typedef rp_blist blist;

static void blist_init(blist *bl) {
  bl->head = NULL;
  bl->tail = &bl->head;
}

static void blist_add(blist *bl, rp_block *b) {
  *bl->tail = b;
  bl->tail = &b->next;
}

static bool oom(binder *b) {
  if (!b->oom) rp_diag_error(b->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory while binding");
  b->oom = true;
  return false;
}

static bool halted(const binder *b) { return b->oom || b->stop; }

/* ---- projected content (model/stream.c): items read whole while used ------
 * An item of a projected content holds only the parts the projection keeps
 * (what is read of it from elsewhere: template/project.c). Used as a context
 * (an expression run on it: the evaluator's hook, lend_context; an element
 * bound on it: lend_scope) it is read whole, and given back when the use
 * that took it ends (unlend). The section of an item holds it whole from
 * its head to the end of its body (section_head, section_body,
 * cursor_close). */
static bool lend_context(void *user, xmlNodePtr node) {
  binder *b = user;
  return b->no_lend || rp_content_lend(b->stream, b->x.content_file, node, b->d) == RP_OK;
}

/* A mark for unlend, node read whole if it is an item; *ok false when it
 * could not be (recorded). */
static size_t lend_scope(binder *b, xmlNodePtr node, bool *ok) {
  size_t mark = rp_content_mark(b->stream);
  *ok = !b->stream || lend_context(b, node);
  return mark;
}

static void unlend(binder *b, size_t mark) { rp_content_release(b->stream, mark); }

/* Whether e is evaluated for `use` a batch of items at a time (the
 * projection says it may: model/projection.h). Its context is never an
 * item or in one (template/project.c, batch_shape); if it were, the batch
 * would take it out of the tree: an internal error, recorded. */
static bool batched(binder *b, const rp_xexpr *e, xmlNodePtr node, unsigned use, bool *bad) {
  *bad = false;
  if (!b->stream || !(rp_content_batched(b->stream, e->text) & use)) return false;
  for (const xmlNode *n = node; n; n = n->parent)
    if (rp_content_is_item(b->stream, n)) {
      *bad = true;
      rp_diag_error(b->d, RP_ERR_INTERNAL, e->file, e->line, 0,
                    "%s is evaluated in an item of a projected content; render with "
                    "RP_NO_PROJECT=1 and report it",
                    e->where);
      return false;
    }
  return true;
}

/* e's nodes (items), a batch of items at a time, as rp_xeval_nodes; with
 * `by`, each node's key too (*keys_out: xmlFree'd strings, rp_mem_free'd
 * array), read while its batch is whole. */
static rp_status batch_nodes(binder *b, const rp_xexpr *e, const rp_xexpr *by, xmlNodePtr node,
                             int pos, int size, xmlXPathObjectPtr *out, xmlChar ***keys_out) {
  *out = NULL;
  if (keys_out) *keys_out = NULL;
  xmlXPathObjectPtr all = xmlXPathNewNodeSet(NULL);
  xmlChar **keys = NULL;
  size_t cap = 0;
  rp_status st = RP_ERR_INTERNAL;
  if (!all || !all->nodesetval)
    oom(b);
  else
    st = rp_content_batches_begin(b->stream, b->d);
  bool begun = st == RP_OK;
  bool light = rp_content_batched(b->stream, e->text) & RP_PROJ_ATTRS;
  while (st == RP_OK && rp_content_batch_next(b->stream, b->x.content_file, light, b->d, &st)) {
    xmlXPathObjectPtr r;
    if ((st = rp_xeval_nodes(&b->x, e, node, pos, size, &r)) != RP_OK) break;
    for (int i = 0; r->nodesetval && i < r->nodesetval->nodeNr && st == RP_OK; i++) {
      xmlNodePtr c = r->nodesetval->nodeTab[i];
      size_t n = (size_t)all->nodesetval->nodeNr;
      if (n + 1 > rp_limit(RP_LIMIT_XPATH_NODES)) {
        st = rp_limit_exceeded(b->d, RP_LIMIT_XPATH_NODES, e->file, e->line, n + 1,
                               "nodes selected at once");
        break;
      }
      if (by && n == cap) {
        size_t ncap = cap ? 2 * cap : 64;
        xmlChar **v = rp_mem_reallocarray(keys, ncap, sizeof *v);
        if (!v) {
          st = RP_ERR_INTERNAL;
          oom(b);
          break;
        }
        keys = v;
        cap = ncap;
      }
      if (xmlXPathNodeSetAddUnique(all->nodesetval, c) < 0) {
        st = RP_ERR_INTERNAL;
        oom(b);
        break;
      }
      if (by) {
        /* by reads no position (batch_shape): its context size is not known yet */
        xmlXPathObjectPtr k = rp_xeval_run(&b->x, by, c, (int)n + 1, (int)n + 1);
        keys[n] = k ? xmlXPathCastToString(k) : NULL;
        xmlXPathFreeObject(k);
        if (!keys[n]) {
          if (k) oom(b);
          st = RP_ERR_INPUT;
          all->nodesetval->nodeNr--; /* no key: not kept */
        }
      }
    }
    xmlXPathFreeObject(r);
  }
  if (begun) rp_content_batches_end(b->stream);
  if (st != RP_OK) {
    for (int i = 0; keys && all && i < all->nodesetval->nodeNr; i++) xmlFree(keys[i]);
    rp_mem_free(keys);
    xmlXPathFreeObject(all);
    return st;
  }
  *out = all;
  if (keys_out) *keys_out = keys;
  return RP_OK;
}

/* e as a test, a batch of items at a time: true at the first batch where
 * it is (a path: true when it gives nodes). */
static rp_status batch_test(binder *b, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                            bool *out) {
  *out = false;
  rp_status st = rp_content_batches_begin(b->stream, b->d);
  if (st != RP_OK) return st;
  bool light = rp_content_batched(b->stream, e->text) & RP_PROJ_ATTRS;
  while (!*out && rp_content_batch_next(b->stream, b->x.content_file, light, b->d, &st))
    if ((st = rp_xeval_bool(&b->x, e, node, pos, size, out)) != RP_OK) break;
  rp_content_batches_end(b->stream);
  return st;
}

/* A select or test of an element: rp_xeval_nodes and rp_xeval_bool, or
 * their batched forms. */
static rp_status x_nodes(binder *b, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                         xmlXPathObjectPtr *out) {
  bool bad;
  if (batched(b, e, node, RP_PROJ_NODES, &bad))
    return batch_nodes(b, e, NULL, node, pos, size, out, NULL);
  if (bad) return RP_ERR_INTERNAL;
  return rp_xeval_nodes(&b->x, e, node, pos, size, out);
}

static rp_status x_test(binder *b, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                        bool *out) {
  bool bad;
  if (batched(b, e, node, RP_PROJ_TEST, &bad)) return batch_test(b, e, node, pos, size, out);
  if (bad) return RP_ERR_INTERNAL;
  return rp_xeval_bool(&b->x, e, node, pos, size, out);
}

static int content_line(const xmlNode *n) {
  if (n && n->type != XML_ELEMENT_NODE && n->parent) n = n->parent;
  long line = n ? xmlGetLineNo(n) : 0;
  return line > 0 ? (int)line : 0;
}

static rp_src src_of(binder *b, const rp_tnode *t, const xmlNode *node) {
  return (rp_src){t->file, t->line, b->x.content_file, content_line(node)};
}

/* A selection the layout marks required matched nothing: a warning the
 * preflight report lists as "empty-selection", at layout line `line` and the
 * content line of `node` (the context it was evaluated in). */
static void warn_empty(binder *b, const char *file, int line, const xmlNode *node, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));
static void warn_empty(binder *b, const char *file, int line, const xmlNode *node, const char *fmt,
                       ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rp_diag_about ab = {.code = RP_DIAG_EMPTY_SELECT,
                      .src = {file, line, b->x.content_file, content_line(node)}};
  rp_diag_warn_about(b->d, &ab, "%s", msg);
}

/* A grid, table or list whose items' selections all matched nothing: left
 * out silently, as layouts rely on, but a preflight finding (only then). */
static void expected_content(binder *b, const rp_tnode *t, const xmlNode *node, const char *what) {
  rp_diag_about ab = {.code = RP_DIAG_EMPTY_SELECT,
                      .src = {t->file, t->line, b->x.content_file, content_line(node)},
                      .finding_only = true};
  rp_diag_warn_about(b->d, &ab,
                     "<%s> has no %s (at %s:%d): its selections matched nothing, so it is left out",
                     rp_tkinds[t->kind].name, what, b->x.content_file, content_line(node));
}

static rp_block *new_block(binder *b, const rp_tnode *t, const xmlNode *node, rp_block_kind k,
                           rp_role role) {
  rp_block *blk = rp_arena_alloc(b->a, sizeof *blk);
  if (!blk) {
    oom(b);
    return NULL;
  }
  blk->kind = k;
  blk->role = role;
  if (t->tag == RP_ROLE_ARTIFACT) {
    blk->artifact = true;
  } else if (t->tag != RP_ROLE_NONE) {
    blk->role = t->tag;
    blk->tagged = true;
  }
  blk->src = src_of(b, t, node);
  blk->keep_together = t->keep_together;
  if (t->keep_with_next >= 0) blk->keep_with_next = t->keep_with_next;
  return blk;
}

/* Collapses white space and trims: for titles, bookmarks, alt text. */
static char *normalize(char *s) {
  size_t o = 0;
  bool space = true;
  for (size_t i = 0; s[i]; i++) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!space) s[o++] = ' ';
      space = true;
    } else {
      s[o++] = c;
      space = false;
    }
  }
  if (o > 0 && s[o - 1] == ' ') o--;
  s[o] = '\0';
  return s;
}

/* A pattern's value, normalized, or NULL when absent, empty or failing. */
static const char *eval_text(binder *b, const rp_avt *t, xmlNodePtr node, int pos, int size) {
  if (!t) return NULL;
  char *s;
  if (rp_avt_eval(&b->x, t, node, pos, size, &s) != RP_OK) return NULL;
  if (s == t->constant) s = rp_arena_strdup(b->a, s);
  if (!s) {
    oom(b);
    return NULL;
  }
  normalize(s);
  return s[0] ? s : NULL;
}

/* ---- inline content --------------------------------------------------------- */

static void builder_init(binder *b, rp_span_builder *sb, const rp_style_def *para) {
  memset(sb, 0, sizeof *sb);
  sb->a = b->a;
  sb->keep = b->keep;
  sb->d = b->d;
  sb->l = b->l;
  sb->style_cache = &b->style_cache;
  sb->x = &b->x;
  rp_spans_begin(sb, para);
  sb->text_left = &b->text_left;
  sb->notes = &b->notes;
}

static void push_char(rp_span_builder *sb, const rp_style_def *s) {
  if (s && sb->n_chars < sizeof sb->chars / sizeof sb->chars[0]) sb->chars[sb->n_chars++] = s;
}

static void copy_nodes(binder *b, rp_span_builder *sb, const rp_xexpr *e, xmlNodePtr node, int pos,
                       int size) {
  xmlXPathObjectPtr r = rp_xeval_run(&b->x, e, node, pos, size);
  if (!r) return;
  if (r->type == XPATH_NODESET) {
    for (int i = 0; r->nodesetval && i < r->nodesetval->nodeNr; i++) {
      if (i > 0) rp_spans_text(sb, " ", 1);
      rp_spans_rich(sb, r->nodesetval->nodeTab[i]);
    }
  } else {
    xmlChar *s = xmlXPathCastToString(r);
    if (s) rp_spans_text(sb, (const char *)s, strlen((const char *)s));
    xmlFree(s);
  }
  xmlXPathFreeObject(r);
}

static void inline_nodes(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size);

/* One pass of a <span>: its test, style and content for one context. */
static void span_once(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node, int pos,
                      int size, bool *first) {
  bool yes = true;
  if (t->test && rp_xeval_bool(&b->x, t->test, node, pos, size, &yes) != RP_OK) return;
  if (!yes) return;
  if (!*first && t->u.span.separator)
    rp_spans_text(sb, t->u.span.separator, strlen(t->u.span.separator));
  *first = false;
  size_t depth = sb->n_chars;
  push_char(sb, t->style);
  inline_nodes(b, sb, t->children, node, pos, size);
  sb->n_chars = depth;
}

/* <span>: once, or once per selected node with the separator between. */
void rp_bind_inline_span(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size) {
  bool first = true;
  if (!t->select) {
    span_once(b, sb, t, node, pos, size, &first);
    return;
  }
  xmlXPathObjectPtr set;
  if (rp_xeval_nodes(&b->x, t->select, node, pos, size, &set) != RP_OK) return;
  int n = set->nodesetval ? set->nodesetval->nodeNr : 0;
  for (int i = 0; i < n && !sb->failed; i++) {
    bool ok;
    size_t mark = lend_scope(b, set->nodesetval->nodeTab[i], &ok);
    if (ok) span_once(b, sb, t, set->nodesetval->nodeTab[i], i + 1, n, &first);
    unlend(b, mark);
  }
  xmlXPathFreeObject(set);
}

/* ---- the inline bind functions of the table of kinds (kinds.c) -------------- */

void rp_bind_inline_text(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size) {
  char *s;
  if (rp_avt_eval(&b->x, t->u.text.text, node, pos, size, &s) == RP_OK)
    rp_spans_text(sb, s, strlen(s));
}

/* em, strong: their text in the character style of that name */
void rp_bind_inline_char(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size) {
  push_char(sb, rp_style_char(b->l, t->kind == RP_T_EM ? "em" : "strong"));
  inline_nodes(b, sb, t->children, node, pos, size);
}

void rp_bind_inline_link(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size) {
  const char *target = eval_text(b, t->u.link.href, node, pos, size);
  if (b->oom) {
    sb->failed = true;
    return;
  }
  sb->href = target;
  push_char(sb, rp_style_char(b->l, t->style ? t->style->name : "link"));
  if (t->children) {
    inline_nodes(b, sb, t->children, node, pos, size);
  } else if (target) {
    /* no text: show the address, without its scheme for e-mail and phone */
    const char *shown = strncmp(target, "mailto:", 7) == 0 ? target + 7
                        : strncmp(target, "tel:", 4) == 0  ? target + 4
                                                           : target;
    rp_spans_text(sb, shown, strlen(shown));
  }
}

void rp_bind_inline_copy(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size) {
  copy_nodes(b, sb, t->select, node, pos, size);
}

/* Each inline element by its kind; the character styles and link each one
 * pushes end with it. */
static void inline_nodes(binder *b, rp_span_builder *sb, const rp_tnode *t, xmlNodePtr node,
                         int pos, int size) {
  for (; t && !sb->failed; t = t->next) {
    size_t depth = sb->n_chars;
    const char *href = sb->href;
    const rp_tkind_def *k = &rp_tkinds[t->kind];
    if (k->inlined) k->inlined(b, sb, t, node, pos, size);
    sb->n_chars = depth;
    sb->href = href;
  }
}

/* The binding ran out of text (RP_BIND_TEXT_FACTOR): reported once, at the
 * element that went over, and binding stops there. */
static void text_limit(binder *b, const rp_tnode *t, xmlNodePtr node) {
  if (!b->stop)
    rp_diag_error(b->d, RP_ERR_INPUT, t ? t->file : b->l->path, t ? t->line : 0, 0,
                  "the layout makes more than %d times the content's text (at %s:%d): does a "
                  "selection take the whole document for every item (<copy select=\"//node()\"/>)? "
                  "Select only the item's own nodes (the limit is RP_BIND_TEXT_FACTOR in "
                  "src/template/bind.c)",
                  RP_BIND_TEXT_FACTOR, b->x.content_file, content_line(node));
  b->stop = true;
}

/* A paragraph (or heading) block of style `st` from inline tnodes, or from
 * the rich text of `copy` when non-NULL. NULL when the text is empty. */
static rp_block *text_block(binder *b, const rp_tnode *t, const rp_style_def *st,
                            const rp_tnode *inl, const xmlNode *copy, xmlNodePtr node, int pos,
                            int size, rp_block_kind kind) {
  rp_span_builder sb;
  builder_init(b, &sb, st);
  rp_spans_source(&sb, node); /* {expr} text: the context node's line */
  if (copy)
    rp_spans_rich(&sb, copy);
  else
    inline_nodes(b, &sb, inl, node, pos, size);
  if (sb.over_limit) {
    text_limit(b, t, node);
    return NULL;
  }
  if (sb.failed) {
    b->oom = true;
    return NULL;
  }
  rp_span *spans = rp_spans_end(&sb);
  if (!spans) return NULL;
  rp_block *blk = new_block(b, t, node, kind, kind == RP_BLOCK_HEADING ? RP_ROLE_H1 : RP_ROLE_P);
  if (!blk) return NULL;
  blk->style = st->style;
  blk->spans = spans;
  return blk;
}

/* The content of a container that holds no layout content: one paragraph per
 * <p> child of the node, or one paragraph of its rich text. */
static void copy_paragraphs(binder *b, const rp_tnode *t, xmlNodePtr node, blist *out) {
  bool has_p = false;
  for (xmlNode *c = node->children; c; c = c->next)
    if (rp_is_element(c, "p")) has_p = true;
  if (!has_p) {
    rp_block *blk = text_block(b, t, t->style, NULL, node, node, 1, 1, RP_BLOCK_PARAGRAPH);
    if (blk) blist_add(out, blk);
    return;
  }
  for (xmlNode *c = node->children; c; c = c->next) {
    if (!rp_is_element(c, "p")) continue;
    rp_block *blk = text_block(b, t, t->style, NULL, c, c, 1, 1, RP_BLOCK_PARAGRAPH);
    if (blk) blist_add(out, blk);
  }
}

/* ---- blocks ----------------------------------------------------------------- */

static void emit_nodes(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                       int depth);

/* The cards of a grid, rows of a table, cells of a row: not blocks in the
 * flow, so break-before does not apply to them (build). */
static void emit_parts(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                       int depth) {
  bool saved = b->making_parts;
  b->making_parts = true;
  emit_nodes(b, t, node, pos, size, out, depth);
  b->making_parts = saved;
}

/* Container content: inline → one paragraph, blocks, or a copy. */
static void container(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                      int depth) {
  if (t->inline_content) {
    rp_block *blk =
        text_block(b, t, t->style, t->children, NULL, node, pos, size, RP_BLOCK_PARAGRAPH);
    if (blk) blist_add(out, blk);
  } else if (t->copy_context) {
    copy_paragraphs(b, t, node, out);
  } else {
    emit_nodes(b, t->children, node, pos, size, out, depth);
  }
}

static const char *roman(rp_arena *a, int v, bool upper) {
  char buf[16];
  if (!rp_roman_format(v, upper, buf, sizeof buf)) return rp_arena_printf(a, "%d", v);
  return rp_arena_strdup(a, buf);
}

static const char *alpha(rp_arena *a, int v, bool upper) {
  char buf[16];
  size_t o = sizeof buf;
  if (v <= 0) return rp_arena_printf(a, "%d", v);
  buf[--o] = '\0';
  while (v > 0 && o > 0) {
    v--;
    buf[--o] = (char)((upper ? 'A' : 'a') + v % 26);
    v /= 26;
  }
  return rp_arena_strdup(a, buf + o);
}

/* The marker of item number n: the list's pattern with its counter
 * (1, a, A, i or I) replaced; a pattern without one is used as it is. */
static const char *marker_text(binder *b, const char *pattern, int n) {
  if (!pattern) return NULL;
  const char *c = pattern;
  while (*c && !strchr("1aAiI", *c)) c++;
  if (!*c) return pattern;
  const char *num = *c == '1'   ? rp_arena_printf(b->a, "%d", n)
                    : *c == 'a' ? alpha(b->a, n, false)
                    : *c == 'A' ? alpha(b->a, n, true)
                                : roman(b->a, n, *c == 'I');
  if (!num) return NULL;
  return rp_arena_printf(b->a, "%.*s%s%s", (int)(c - pattern), pattern, num, c + 1);
}

/* Quotation marks around a quote's text: glued to its first and last spans. */
static bool add_marks(binder *b, rp_block *first, rp_block *last, const char *open,
                      const char *close) {
  rp_span *head = first->spans;
  char *t = rp_arena_printf(b->a, "%s%s", open, head->text);
  if (!t) return oom(b);
  head->text = t;
  rp_span *end = last->spans;
  while (end->next) end = end->next;
  t = rp_arena_printf(b->a, "%s%s", end->text, close);
  if (!t) return oom(b);
  end->text = t;
  return true;
}

/* ---- part 2: grids, tables, stat tiles, images -------------------------------- */

/* True the first time element t fails: a failure repeated for every node a
 * select matches says nothing new. */
static bool first_report(binder *b, const void *t) {
  for (size_t i = 0; i < b->reported.len; i++)
    if (RP_VEC_AT(b->reported, const void *, i) == t) return false;
  const void **slot = rp_vec_push(b->keep, &b->reported, sizeof *slot);
  if (slot) *slot = t;
  return true;
}

static size_t count_blocks(const rp_block *k) {
  size_t n = 0;
  for (; k; k = k->next) n++;
  return n;
}

/* columns="{…}": a whole number from 1 to 12 for this grid; 0 on error. */
static int grid_columns(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size) {
  if (!t->u.grid.columns_avt) return t->u.grid.columns;
  char *v;
  if (rp_avt_eval(&b->x, t->u.grid.columns_avt, node, pos, size, &v) != RP_OK) return 0;
  char *end;
  long n = strtol(v, &end, 10);
  while (*end == ' ') end++;
  if (end != v && !*end && n >= 1 && n <= 12) return (int)n;
  if (first_report(b, t))
    rp_diag_error(b->d, RP_ERR_INPUT, t->file, t->line, 0,
                  "<grid columns> gives \"%s\" (at %s:%d): expected a whole number from 1 to 12", v,
                  b->x.content_file, content_line(node));
  return 0;
}

void rp_bind_grid(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                  int depth) {
  int columns = grid_columns(b, t, node, pos, size);
  if (columns == 0) return;
  blist cards;
  blist_init(&cards);
  emit_parts(b, t->children, node, pos, size, &cards, depth);
  if (!cards.head) { /* no cards: no grid */
    expected_content(b, t, node, "cards");
    return;
  }
  rp_block *blk = new_block(b, t, node, RP_BLOCK_GRID, RP_ROLE_NONE);
  if (!blk) return;
  blk->style = t->style ? t->style->style : NULL;
  blk->u.grid.columns = columns;
  blk->u.grid.gap_x = t->u.grid.gap_x;
  blk->u.grid.gap_y = t->u.grid.gap_y;
  blk->width = t->width;
  blk->u.grid.fill_rows = t->u.grid.fill_rows;
  blk->children = cards.head;
  blist_add(out, blk);
}

/* columns: left out when its content comes out empty */
void rp_bind_columns(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                     int depth) {
  blist kids;
  blist_init(&kids);
  container(b, t, node, pos, size, &kids, depth);
  if (!kids.head) return;
  rp_block *blk = new_block(b, t, node, RP_BLOCK_COLUMNS, RP_ROLE_NONE);
  if (!blk) return;
  blk->style = t->style->style;
  blk->width = t->width;
  blk->u.columns.count = t->u.columns.count;
  blk->u.columns.gap = t->u.columns.gap;
  blk->u.columns.balance = t->u.columns.balance;
  blk->children = kids.head;
  blist_add(out, blk);
}

/* ---- table columns from the content, and their alignment ----------------------- */

typedef struct aligned_style {
  const rp_style *base;
  rp_align align;
  const rp_style *result; /* base itself when its style sets an alignment of its own */
} aligned_style;

/* Style st with the column's alignment, unless the style itself (not a
 * parent) sets one: the paragraph's own word wins, inherited ones give way. */
static const rp_style *with_align(binder *b, const rp_style *st, rp_align align) {
  for (size_t i = 0; i < b->aligned.len; i++) {
    const aligned_style *e = &RP_VEC_AT(b->aligned, aligned_style, i);
    if (e->base == st && e->align == align) return e->result;
  }
  const rp_style_def *d = rp_style_find(b->l, st->name);
  const rp_style *result = st;
  if (st->align != align && !(d && d->style == st && (d->own.set & (1u << RP_SP_ALIGN)))) {
    rp_style *copy = rp_arena_alloc(b->keep, sizeof *copy);
    if (!copy) {
      oom(b);
      return st;
    }
    *copy = *st;
    copy->align = align;
    result = copy;
  }
  aligned_style *e = rp_vec_push(b->keep, &b->aligned, sizeof *e);
  if (e) *e = (aligned_style){st, align, result};
  return result;
}

/* The paragraphs and headings of a cell, at any depth but nested tables'. */
static void align_blocks(binder *b, rp_block *k, rp_align align) {
  for (; k; k = k->next) {
    if (k->kind == RP_BLOCK_TABLE) continue;
    if (k->spans && k->style) k->style = with_align(b, k->style, align);
    align_blocks(b, k->children, align);
  }
}

/* A table's columns for one context: widths for layout, alignments for bind. */
typedef struct table_cols {
  rp_table_col *cols;
  const rp_align *align; /* per column: NULL, or … */
  const bool *align_set; /* … whether it has one */
  size_t n;
} table_cols;

/* A <col align="{…}"> for one column: its value, or none when empty. */
static bool eval_col_align(binder *b, const rp_col_def *cd, xmlNodePtr node, int pos, int size,
                           bool *set, rp_align *align) {
  *set = cd->align_set;
  *align = cd->align;
  if (!cd->align_avt) return true;
  const char *v = eval_text(b, cd->align_avt, node, pos, size);
  if (!v) return !b->oom;
  static const char *const names[] = {"left", "right", "center"};
  for (int i = 0; i < 3; i++)
    if (strcmp(v, names[i]) == 0) {
      *set = true;
      *align = i == 0 ? RP_ALIGN_LEFT : i == 1 ? RP_ALIGN_RIGHT : RP_ALIGN_CENTER;
      return true;
    }
  if (first_report(b, cd))
    rp_diag_error(b->d, RP_ERR_INPUT, cd->file, cd->line, 0,
                  "<col align> gives \"%s\" (at %s:%d): expected left, right, center or nothing", v,
                  b->x.content_file, content_line(node));
  return false;
}

/* The table's columns for this context: each <col> once, or once per node
 * its select matches. false on error (reported). */
static bool make_cols(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                      table_cols *out) {
  size_t cap = t->u.table.cols_dynamic ? 0 : t->u.table.n_col_defs;
  for (size_t i = 0; t->u.table.cols_dynamic && i < t->u.table.n_col_defs; i++) {
    const rp_col_def *cd = &t->u.table.col_defs[i];
    xmlXPathObjectPtr set;
    if (!cd->select) {
      cap++;
    } else if (rp_xeval_nodes(&b->x, cd->select, node, pos, size, &set) == RP_OK) {
      cap += set->nodesetval ? (size_t)set->nodesetval->nodeNr : 0;
      xmlXPathFreeObject(set);
    } else {
      return false;
    }
  }
  *out = (table_cols){t->u.table.cols, NULL, NULL, t->u.table.cols_dynamic ? 0 : t->u.table.n_cols};
  bool aligned = false;
  for (size_t i = 0; i < t->u.table.n_col_defs; i++) aligned |= t->u.table.col_defs[i].align_set;
  if (cap == 0 || (!t->u.table.cols_dynamic && !aligned))
    return true; /* the layout's, as they are */
  rp_table_col *cols =
      t->u.table.cols_dynamic ? rp_arena_calloc(b->a, cap, sizeof *cols) : t->u.table.cols;
  rp_align *align = rp_arena_calloc(b->a, cap, sizeof *align);
  bool *set = rp_arena_calloc(b->a, cap, sizeof *set);
  if (!cols || !align || !set) return oom(b);
  size_t n = 0;
  bool ok = true;
  for (size_t i = 0; i < t->u.table.n_col_defs && ok; i++) {
    const rp_col_def *cd = &t->u.table.col_defs[i];
    xmlXPathObjectPtr nodes = NULL;
    if (cd->select && t->u.table.cols_dynamic &&
        rp_xeval_nodes(&b->x, cd->select, node, pos, size, &nodes) != RP_OK)
      return false;
    int k_n = nodes ? (nodes->nodesetval ? nodes->nodesetval->nodeNr : 0) : 1;
    for (int k = 0; k < k_n && ok && n < cap; k++, n++) {
      xmlNodePtr at = nodes ? nodes->nodesetval->nodeTab[k] : node;
      if (t->u.table.cols_dynamic) cols[n] = cd->col; /* else the layout's own, as they are */
      ok = eval_col_align(b, cd, at, nodes ? k + 1 : pos, nodes ? k_n : size, &set[n], &align[n]);
    }
    xmlXPathFreeObject(nodes);
  }
  *out = (table_cols){cols, align, set, n};
  return ok;
}

/* Every row spans exactly the table's columns; then each cell's paragraphs
 * take their column's alignment (a spanning cell: its first column's). */
static bool fit_rows(binder *b, const rp_tnode *t, rp_block *rows, const table_cols *tc) {
  if (tc->n == 0) return true;
  for (rp_block *r = rows; r; r = r->next) {
    size_t count = 0;
    for (const rp_block *c = r->children; c; c = c->next)
      count += rp_block_span(c) > 1 ? (size_t)rp_block_span(c) : 1;
    if (count != tc->n) {
      if (first_report(b, t))
        rp_diag_error(b->d, RP_ERR_INPUT, r->src.layout_file, r->src.layout_line, 0,
                      "this <row> has %zu cells (at %s:%d, counting spans) and the table %zu "
                      "columns (its <col> elements, at line %d); give every row one cell per "
                      "column",
                      count, r->src.content_file ? r->src.content_file : "?", r->src.content_line,
                      tc->n, t->line);
      return false;
    }
    size_t col = 0;
    for (rp_block *c = r->children; c; c = c->next) {
      if (tc->align_set && tc->align_set[col]) align_blocks(b, c->children, tc->align[col]);
      col += rp_block_span(c) > 1 ? (size_t)rp_block_span(c) : 1;
    }
  }
  return true;
}

/* A table: header rows (counted: layout repeats them on every page), then
 * body rows. Left out when no body row comes out. */
void rp_bind_table(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                   int depth) {
  blist rows;
  blist_init(&rows);
  const rp_tnode *body = t->children;
  size_t head = 0;
  if (body && body->kind == RP_T_HEADER) {
    emit_parts(b, body->children, node, pos, size, &rows, depth);
    head = count_blocks(rows.head);
    for (rp_block *r = rows.head; r; r = r->next)
      for (rp_block *c = r->children; c; c = c->next) c->role = RP_ROLE_TABLE_HEADER;
    body = body->next;
  }
  emit_parts(b, body, node, pos, size, &rows, depth);
  if (count_blocks(rows.head) == head) {
    expected_content(b, t, node, "rows");
    return;
  }
  table_cols tc;
  if (!make_cols(b, t, node, pos, size, &tc)) return;
  if (!fit_rows(b, t, rows.head, &tc)) return;
  rp_block *blk = new_block(b, t, node, RP_BLOCK_TABLE, RP_ROLE_TABLE);
  if (!blk) return;
  blk->style = t->style->style;
  blk->box = t->box;
  blk->width = t->width;
  blk->u.table.cols = tc.cols;
  blk->u.table.n_cols = tc.n;
  blk->u.table.header_rows = (int)head;
  blk->u.table.zebra = t->u.table.zebra;
  blk->u.table.rule = t->u.table.rule;
  blk->u.table.rule_width = t->u.table.rule_width;
  blk->children = rows.head;
  blist_add(out, blk);
}

void rp_bind_row(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                 int depth) {
  blist cells;
  blist_init(&cells);
  emit_parts(b, t->children, node, pos, size, &cells, depth);
  if (!cells.head) return;
  rp_block *blk = new_block(b, t, node, RP_BLOCK_ROW, RP_ROLE_TABLE_ROW);
  if (!blk) return;
  blk->style = t->style->style;
  blk->box.fill = t->box.fill;
  blk->height = t->height;
  blk->children = cells.head;
  blist_add(out, blk);
}

void rp_bind_stat(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                  int depth) {
  (void)depth;
  const char *value = eval_text(b, t->u.stat.value, node, pos, size);
  if (!value) return; /* no figure, no tile */
  rp_block *blk = new_block(b, t, node, RP_BLOCK_STAT, RP_ROLE_P);
  if (!blk) return;
  blk->style = t->style ? t->style->style : NULL;
  blk->u.stat.value = value;
  blk->u.stat.unit = eval_text(b, t->u.stat.unit, node, pos, size);
  blk->u.stat.label = eval_text(b, t->u.stat.label, node, pos, size);
  blk->u.stat.value_style = t->u.stat.value_style->style;
  blk->u.stat.label_style = t->u.stat.label_style ? t->u.stat.label_style->style : NULL;
  blk->box = t->box;
  blk->width = t->width;
  blk->height = t->height;
  blist_add(out, blk);
}

/* The file an image shows, or NULL for none (an empty src: a person without
 * a photo). *ok is cleared when the path leaves its project. */
static const char *image_path(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                              bool *ok) {
  if (t->u.image.path) return t->u.image.path; /* a literal path, resolved at load */
  const char *src = eval_text(b, t->u.image.src, node, pos, size);
  if (!src) return NULL;
  size_t scheme = strspn(src, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
  if (scheme > 1 && src[scheme] == ':') {
    *ok = false;
    if (first_report(b, t))
      rp_diag_error(b->d, RP_ERR_INPUT, t->file, t->line, 0,
                    "<image src> gives \"%s\" (at %s:%d), a URL; images are read from files in "
                    "the project",
                    src, b->x.content_file, content_line(node));
    return NULL;
  }
  const char *dir = t->u.image.src_from_layout ? rp_path_dir(b->a, t->file) : b->content_dir;
  const char *root = t->u.image.src_from_layout ? b->l->root : b->content_root;
  bool inside = false;
  const char *path = dir ? rp_asset_resolve(b->a, dir, src, root, &inside) : NULL;
  if (!path) {
    oom(b);
    return NULL;
  }
  if (!inside) {
    *ok = false;
    if (first_report(b, t))
      rp_diag_error(b->d, RP_ERR_INPUT, t->file, t->line, 0,
                    "<image src> gives \"%s\" (at %s:%d), which lies outside the %s's project "
                    "(%s); keep images inside it (the path is relative to the %s file%s)",
                    src, b->x.content_file, content_line(node),
                    t->u.image.src_from_layout ? "layout" : "content", root ? root : "?",
                    t->u.image.src_from_layout ? "layout" : "content",
                    t->u.image.src_from_layout ? ", base=\"layout\"" : "");
    return NULL;
  }
  return path;
}

void rp_bind_image(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                   int depth) {
  (void)depth;
  bool ok = true;
  const char *path = image_path(b, t, node, pos, size, &ok);
  if (!ok || b->oom) return;
  rp_block *blk = new_block(b, t, node, RP_BLOCK_IMAGE, RP_ROLE_FIGURE);
  if (!blk) return;
  blk->style = t->style ? t->style->style : NULL;
  blk->u.image.path = path;
  blk->alt = eval_text(b, t->alt, node, pos, size);
  blk->u.image.fit = t->u.image.fit;
  blk->u.image.focal_x = t->u.image.focal_x;
  blk->u.image.focal_y = t->u.image.focal_y;
  blk->u.image.clip = t->u.image.clip;
  blk->u.image.initials = eval_text(b, t->u.image.initials, node, pos, size);
  blk->u.image.initials_style = t->u.image.initials_style ? t->u.image.initials_style->style : NULL;
  blk->u.image.placeholder_fill = t->u.image.placeholder;
  blk->u.image.omit_missing = t->u.image.omit_missing;
  blk->box = t->box;
  blk->width = t->width;
  blk->height = t->height;
  blist_add(out, blk);
}

/* ---- dispatch by match ------------------------------------------------------ */

/* Nodes that need no template: white space between elements, comments. */
static bool ignorable(const xmlNode *n) {
  if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) return true;
  if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE) return false;
  const char *s = (const char *)n->content;
  return !s || strspn(s, " \t\r\n") == strlen(s);
}

/* The first template of `mode`, in the layout's order, whose match holds for
 * node; NULL when none does (a warning against the layout line that asked,
 * naming the content line, unless the node is white space). */
static const rp_template_def *match_template(binder *b, const char *mode, xmlNodePtr node, int pos,
                                             int size, const char *file, int line) {
  for (size_t i = 0; i < b->l->templates.len && !halted(b); i++) {
    const rp_template_def *t = RP_VEC_AT(b->l->templates, rp_template_def *, i);
    if (!t->match || !rp_mode_eq(t->mode, mode)) continue;
    bool yes = false;
    if (rp_xeval_bool(&b->x, t->match, node, pos, size, &yes) != RP_OK) continue;
    if (yes) return t;
  }
  if (ignorable(node) || halted(b)) return NULL;
  /* an element by name and the test that would match it; text, attributes */
  bool element = node->type == XML_ELEMENT_NODE, attribute = node->type == XML_ATTRIBUTE_NODE;
  const char *name = element || attribute ? (const char *)node->name : "text()";
  const char *m = mode ? mode : "";
  if (element)
    rp_diag_warn(b->d, file, line, 0,
                 "no template%s%s%s matches <%s> (at %s:%d); it is skipped: add a <template "
                 "match=\"self::%s\"%s%s%s>, or a catch-all match=\"self::*\"",
                 mode ? " of mode \"" : "", m, mode ? "\"" : "", name, b->x.content_file,
                 content_line(node), name, mode ? " mode=\"" : "", m, mode ? "\"" : "");
  else
    rp_diag_warn(b->d, file, line, 0,
                 "no template%s%s%s matches %s%s (at %s:%d); it is skipped: select elements, or "
                 "add a template whose match holds for it (self::node())",
                 mode ? " of mode \"" : "", m, mode ? "\"" : "", attribute ? "@" : "", name,
                 b->x.content_file, content_line(node));
  return NULL;
}

/* <apply>: the body of the first matching template, bound in place with the
 * node as context. Its master, section and bookmark are not used. */
void rp_bind_apply(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                   int depth) {
  if (b->apply_depth >= APPLY_DEPTH_MAX) {
    rp_diag_error(b->d, RP_ERR_INPUT, t->file, t->line, 0,
                  "<apply> nested %d deep (at %s:%d): a template applies itself without end; "
                  "make its select pick children (\"*\"), not the node itself (\".\")",
                  APPLY_DEPTH_MAX, b->x.content_file, content_line(node));
    b->stop = true;
    return;
  }
  const rp_template_def *tm = match_template(b, t->u.apply.mode, node, pos, size, t->file, t->line);
  if (!tm) return;
  b->apply_depth++;
  b->level_offset += t->u.apply.level_offset;
  const rp_style_def *saved = b->dyn_style; /* a template's defaults are its own */
  b->dyn_style = NULL;
  emit_nodes(b, tm->body, node, pos, size, out, depth);
  b->dyn_style = saved;
  b->level_offset -= t->u.apply.level_offset;
  b->apply_depth--;
}

/* ---- the block bind functions of the table of kinds (kinds.c) --------------- */

/* heading, paragraph: left out when the text comes out empty */
void rp_bind_text(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                  int depth) {
  (void)depth;
  bool heading = t->kind == RP_T_HEADING;
  rp_block *blk = text_block(b, t, t->style, t->children, t->copy_context ? node : NULL, node, pos,
                             size, heading ? RP_BLOCK_HEADING : RP_BLOCK_PARAGRAPH);
  if (!blk) return;
  blk->height = t->height; /* a limit for shrink-to-fit */
  if (heading) {
    /* the structure's level, shifted by <apply level-offset>; the style stays */
    int level = t->u.heading.level + b->level_offset;
    blk->level = level > 6 ? 6 : level;
    blk->role = (rp_role)(RP_ROLE_H1 + blk->level - 1);
    blk->bookmark = eval_text(b, t->u.heading.bookmark, node, pos, size);
    blk->bookmark_level = t->u.heading.bookmark_level;
  }
  blist_add(out, blk);
}

/* box, quote: a quote with nothing to quote is left out */
void rp_bind_box(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                 int depth) {
  bool quote = t->kind == RP_T_QUOTE;
  rp_block *blk = new_block(b, t, node, quote ? RP_BLOCK_QUOTE : RP_BLOCK_BOX,
                            quote ? RP_ROLE_QUOTE : RP_ROLE_NONE);
  if (!blk) return;
  blk->style = t->style->style;
  blk->box = t->box;
  blk->width = t->width;
  blk->height = t->height;
  blist kids;
  blist_init(&kids);
  container(b, t, node, pos, size, &kids, depth);
  blk->children = kids.head;
  if (quote && t->u.quote.marks != RP_MARKS_NONE && kids.head) {
    const char *open = t->u.quote.marks == RP_MARKS_SINGLE ? "\xE2\x80\x98" : "\xE2\x80\x9C";
    const char *close = t->u.quote.marks == RP_MARKS_SINGLE ? "\xE2\x80\x99" : "\xE2\x80\x9D";
    rp_block *first = NULL, *last = NULL;
    for (rp_block *k = kids.head; k; k = k->next)
      if (k->spans) {
        if (!first) first = k;
        last = k;
      }
    if (first && !add_marks(b, first, last, open, close)) return;
  }
  if (quote && !blk->children) return; /* nothing to quote */
  blist_add(out, blk);
}

void rp_bind_shape(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                   int depth) {
  (void)pos, (void)size, (void)depth;
  rp_block *blk = new_block(b, t, node, RP_BLOCK_SHAPE, RP_ROLE_ARTIFACT);
  if (!blk) return;
  blk->u.shape.kind = t->u.shape.kind;
  blk->box = t->box;
  blk->width = t->width;
  blk->height = t->height;
  blist_add(out, blk);
}

void rp_bind_spacer(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                    int depth) {
  (void)pos, (void)size, (void)depth;
  rp_block *blk = new_block(b, t, node, RP_BLOCK_SPACER, RP_ROLE_NONE);
  if (!blk) return;
  blk->height = t->height;
  blist_add(out, blk);
}

/* ---- for kinds bound in a file of their own (chart.c) ------------------------ */

rp_arena *rp_binder_arena(binder *b) { return b->a; }
rp_diag *rp_binder_diag(binder *b) { return b->d; }
rp_xeval *rp_binder_xeval(binder *b) { return &b->x; }
const rp_layout_def *rp_binder_layout(const binder *b) { return b->l; }
const char *rp_binder_text(binder *b, const rp_avt *t, xmlNodePtr node, int pos, int size) {
  return eval_text(b, t, node, pos, size);
}
rp_block *rp_binder_block(binder *b, const rp_tnode *t, const xmlNode *node, rp_block_kind k,
                          rp_role role) {
  return new_block(b, t, node, k, role);
}
void rp_binder_add(blist *out, rp_block *blk) { blist_add(out, blk); }
bool rp_binder_first_report(binder *b, const void *key) { return first_report(b, key); }
bool rp_binder_oom(binder *b) { return oom(b); }
int rp_binder_line(const xmlNode *n) { return content_line(n); }

/* page-break, column-break */
/* <endnotes/>: the endnotes met so far and not yet printed, under their title
 * (notes.c). */
void rp_bind_endnotes(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                      int depth) {
  (void)pos, (void)size, (void)depth;
  if (!rp_notes_endnotes(b, &b->notes, t, node, out)) oom(b);
}

void rp_bind_break(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                   int depth) {
  (void)pos, (void)size, (void)depth;
  rp_block *blk = new_block(
      b, t, node, t->kind == RP_T_PAGE_BREAK ? RP_BLOCK_PAGE_BREAK : RP_BLOCK_COLUMN_BREAK,
      RP_ROLE_NONE);
  if (!blk) return;
  blist_add(out, blk);
}

/* card (a box that never splits), cell */
void rp_bind_cell(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                  int depth) {
  bool card = t->kind == RP_T_CARD;
  rp_block *blk = new_block(b, t, node, card ? RP_BLOCK_BOX : RP_BLOCK_CELL,
                            card ? RP_ROLE_NONE : RP_ROLE_TABLE_CELL);
  if (!blk) return;
  blk->style = t->style->style;
  blk->box = t->box;
  blk->height = t->height;
  if (!card) {
    blk->u.cell.span = t->u.cell.span;
    blk->u.cell.leader = t->u.cell.leader;
  }
  blist kids;
  blist_init(&kids);
  container(b, t, node, pos, size, &kids, depth);
  blk->children = kids.head;
  blist_add(out, blk);
}

/* for-each, if: their blocks, in place */
void rp_bind_children(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                      int depth) {
  emit_nodes(b, t->children, node, pos, size, out, depth);
}

/* The style a style="{…}" gives for this node: NULL (*ok kept) when it
 * gives nothing, so the element keeps its default; an unknown name is an
 * error at the layout line and the content line (*ok cleared). */
static const rp_style_def *pattern_style(binder *b, const rp_tnode *t, xmlNodePtr node, int pos,
                                         int size, bool *ok) {
  const char *v = eval_text(b, t->style_avt, node, pos, size);
  if (!v) return NULL;
  const rp_style_def *s = rp_style_find(b->l, v);
  if (s) return s;
  *ok = false;
  if (first_report(b, t->style_avt))
    rp_diag_error(b->d, RP_ERR_INPUT, t->file, t->line, 0,
                  "<%s style=\"{…}\"> gives \"%s\" (at %s:%d), which is not a style of the "
                  "layout; define it in <brand> with <style name=\"%s\" …/>, or change the "
                  "pattern",
                  rp_tkinds[t->kind].name, v, b->x.content_file, content_line(node), v);
  return NULL;
}

/* A width="{…}" or height="{…}" for this node into *out (kept when the
 * pattern gives nothing); false, reported, when it is not a length. */
static bool pattern_length(binder *b, const rp_tnode *t, const char *attr, const rp_avt *e,
                           xmlNodePtr node, int pos, int size, double *out) {
  if (!e) return true;
  const char *v = eval_text(b, e, node, pos, size);
  if (!v) return true;
  double len;
  const char *err = rp_length_parse(v, RP_NO_PERCENT, &len);
  if (!err && len >= 0 && len < 14400) {
    *out = len;
    return true;
  }
  if (first_report(b, e))
    rp_diag_error(b->d, RP_ERR_INPUT, t->file, t->line, 0,
                  "<%s %s=\"{…}\"> gives \"%s\" (at %s:%d): %s", rp_tkinds[t->kind].name, attr, v,
                  b->x.content_file, content_line(node),
                  err ? err : "more than 200in, or negative; expected a length such as \"40mm\"");
  return false;
}

/* Builds one element for one context node (select and test already applied)
 * by its kind's bind function; `user` is the blist to append to. An element
 * with style, width or height patterns is bound as a copy holding their
 * values; content whose style is the enclosing default takes the style a
 * pattern chose for its container. */
static void build_one(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, void *user,
                      int depth);

/* break-before: a page or column break in front of what the element makes
 * for this node, when it makes anything (a break at the top of a page or
 * column is ignored by layout, so the first item does not leave a blank). */
/* anchor="{@id}": the first block the element made for this node carries the
 * id, so page('id') and links to "#id" find where it lands (layout/flow.c). */
static void set_anchor(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                       rp_block *first) {
  if (!t->anchor || !first || first->anchor || halted(b)) return;
  first->anchor = eval_text(b, t->anchor, node, pos, size);
}

static void build(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, void *user,
                  int depth) {
  /* for-each, if, group and apply make what their parent holds; anything
   * else holds blocks in the flow (a card's content) */
  bool parts = b->making_parts;
  if (t->kind != RP_T_FOR_EACH && t->kind != RP_T_IF && t->kind != RP_T_GROUP &&
      t->kind != RP_T_APPLY)
    b->making_parts = false;
  blist *out = user;
  rp_block **at = out->tail;
  build_one(b, t, node, pos, size, user, depth);
  b->making_parts = parts;
  set_anchor(b, t, node, pos, size, *at);
  if (!t->break_before || parts || !*at || halted(b)) return;
  rp_block *brk =
      new_block(b, t, node,
                t->break_before == RP_T_COLUMN_BREAK ? RP_BLOCK_COLUMN_BREAK : RP_BLOCK_PAGE_BREAK,
                RP_ROLE_NONE);
  if (!brk) return;
  brk->keep_together = false;
  brk->keep_with_next = false;
  brk->next = *at;
  *at = brk;
}

static void build_one(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, void *user,
                      int depth) {
  const rp_tkind_def *k = &rp_tkinds[t->kind];
  if (!k->bind) return;
  const rp_style_def *saved = b->dyn_style;
  bool inherit = t->style_inherited && b->dyn_style;
  if (!t->style_avt && !t->width_avt && !t->height_avt && !inherit) {
    if (t->style) b->dyn_style = NULL; /* a style of its own: its content's default */
    k->bind(b, t, node, pos, size, user, depth);
    b->dyn_style = saved;
    return;
  }
  /* in the arena, not on the stack: bind functions key their reports by
   * the element's address, which must not be another element's later */
  rp_tnode *copy = rp_arena_alloc(b->a, sizeof *copy);
  if (!copy) {
    oom(b);
    return;
  }
  *copy = *t;
  bool ok = true;
  if (inherit) copy->style = b->dyn_style;
  if (t->style_avt) {
    const rp_style_def *s = pattern_style(b, t, node, pos, size, &ok);
    if (s) copy->style = s;
    b->dyn_style = s;
  }
  ok &= pattern_length(b, t, "width", t->width_avt, node, pos, size, &copy->width);
  ok &= pattern_length(b, t, "height", t->height_avt, node, pos, size, &copy->height);
  if (ok) k->bind(b, copy, node, pos, size, user, depth);
  b->dyn_style = saved;
}

/* A <group>'s selection split by key (group_collect): the node sets, in
 * order of first appearance, with their keys; emitted one at a time
 * (group_emit) by rp_bind_group, or a piece at a time (rp_bind_piece). */
typedef struct group_set {
  xmlXPathObjectPtr set;
  xmlHashTablePtr index;
  xmlNodeSetPtr *groups;
  const char **keys;
  int n, n_groups;
} group_set;

static void group_free(group_set *gs) {
  for (int g = 0; g < gs->n_groups && gs->groups; g++) xmlXPathFreeNodeSet(gs->groups[g]);
  xmlHashFree(gs->index, NULL);
  xmlXPathFreeObject(gs->set);
  *gs = (group_set){0};
}

/* The groups of t's selection, their arrays in `a`; false (gs freed) when
 * the selection fails or memory runs out (recorded). */
static bool group_collect(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                          rp_arena *a, group_set *gs) {
  *gs = (group_set){0};
  xmlChar **keys = NULL; /* batched: the keys, read with the items' batches */
  bool bad, batch = batched(b, t->select, node, RP_PROJ_NODES, &bad);
  if (bad) return false;
  if ((batch ? batch_nodes(b, t->select, t->u.group.by, node, pos, size, &gs->set, &keys)
             : rp_xeval_nodes(&b->x, t->select, node, pos, size, &gs->set)) != RP_OK) {
    gs->set = NULL;
    return false;
  }
  int n = gs->n = gs->set->nodesetval ? gs->set->nodesetval->nodeNr : 0;
  if (n == 0 && t->required)
    warn_empty(b, t->file, t->line, node, "%s matched nothing (at %s:%d); the group is left out",
               t->select->where, b->x.content_file, content_line(node));
  gs->index = xmlHashCreate(16);
  gs->groups = n ? rp_arena_calloc(a, (size_t)n, sizeof *gs->groups) : NULL;
  gs->keys = n ? rp_arena_calloc(a, (size_t)n, sizeof *gs->keys) : NULL;
  if (!gs->index || (n && (!gs->groups || !gs->keys))) {
    oom(b);
    goto fail;
  }
  for (int i = 0; i < n; i++) {
    xmlNodePtr item = gs->set->nodesetval->nodeTab[i];
    xmlChar *key = NULL;
    if (keys) {
      key = keys[i];
      keys[i] = NULL;
    } else {
      /* keys come from the kept parts (the projection keeps what by reads) */
      b->no_lend = true;
      xmlXPathObjectPtr k = rp_xeval_run(&b->x, t->u.group.by, item, i + 1, n);
      b->no_lend = false;
      if (!k) goto fail;
      key = xmlXPathCastToString(k);
      xmlXPathFreeObject(k);
      if (!key) {
        oom(b);
        goto fail;
      }
    }
    void *found = xmlHashLookup(gs->index, key);
    int g;
    if (found) {
      g = (int)((intptr_t)found - 1);
    } else {
      g = gs->n_groups++;
      gs->keys[g] = rp_arena_strdup(a, (const char *)key);
      gs->groups[g] = xmlXPathNodeSetCreate(NULL);
      if (!gs->keys[g] || !gs->groups[g] ||
          xmlHashAddEntry(gs->index, key, (void *)(intptr_t)(g + 1)) != 0) {
        xmlFree(key);
        oom(b);
        goto fail;
      }
    }
    xmlFree(key);
    xmlXPathNodeSetAdd(gs->groups[g], item);
  }
  rp_mem_free(keys);
  return true;
fail:
  for (int i = 0; keys && i < n; i++) xmlFree(keys[i]);
  rp_mem_free(keys);
  group_free(gs);
  return false;
}

/* Group g of gs: t's children with $key and $group bound; false when
 * memory runs out (recorded). */
static bool group_emit(binder *b, const rp_tnode *t, xmlNodePtr node, group_set *gs, int g,
                       blist *out, int depth) {
  xmlNodePtr first = gs->groups[g]->nodeNr ? gs->groups[g]->nodeTab[0] : node;
  bool pushed = rp_xeval_push(&b->x, "key", xmlXPathNewString((const xmlChar *)gs->keys[g]));
  bool pushed2 = false;
  if (pushed) {
    /* the set passes to the object (freed with it), and the object to
     * the variable (freed by a failing push); a failing wrap frees the
     * set only from libxml2 2.11 on */
    xmlXPathObjectPtr set_obj = xmlXPathWrapNodeSet(gs->groups[g]);
#if LIBXML_VERSION < 21100
    if (!set_obj) xmlXPathFreeNodeSet(gs->groups[g]);
#endif
    gs->groups[g] = NULL;
    pushed2 = rp_xeval_push(&b->x, "group", set_obj);
  }
  if (!pushed || !pushed2) {
    if (pushed) rp_xeval_pop(&b->x);
    return oom(b);
  }
  bool ok;
  size_t mark = lend_scope(b, first, &ok);
  if (ok) emit_nodes(b, t->children, first, g + 1, gs->n_groups, out, depth);
  unlend(b, mark);
  rp_xeval_pop(&b->x);
  rp_xeval_pop(&b->x);
  return true;
}

/* <group>: one pass per distinct key, in order of first appearance. */
void rp_bind_group(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                   int depth) {
  group_set gs;
  if (!group_collect(b, t, node, pos, size, b->a, &gs)) return;
  for (int g = 0; g < gs.n_groups && group_emit(b, t, node, &gs, g, out, depth); g++) {
  }
  group_free(&gs);
}

typedef void (*build_fn)(binder *, const rp_tnode *, xmlNodePtr, int, int, void *, int);

/* One context of t's select (pos of size), as each_context binds it: an
 * item lent while bound, t's test, then fn; false when the contexts after
 * it are not bound (it could not be lent, or its test failed). */
static bool one_context(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, void *out,
                        int depth, build_fn fn) {
  bool yes = true, ok;
  size_t mark = lend_scope(b, node, &ok);
  bool go = ok && !(t->test && x_test(b, t->test, node, pos, size, &yes) != RP_OK);
  if (go && yes) fn(b, t, node, pos, size, out, depth);
  unlend(b, mark);
  return go;
}

/* Applies select and test, then calls fn once per context that passes. */
static void each_context(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                         void *out, int depth, build_fn fn) {
  if (!t->select) {
    bool yes = true;
    if (t->test && x_test(b, t->test, node, pos, size, &yes) != RP_OK) return;
    if (yes) fn(b, t, node, pos, size, out, depth);
    return;
  }
  xmlXPathObjectPtr set;
  if (x_nodes(b, t->select, node, pos, size, &set) != RP_OK) return;
  int n = set->nodesetval ? set->nodesetval->nodeNr : 0;
  if (n == 0 && t->required)
    warn_empty(b, t->file, t->line, node, "%s matched nothing (at %s:%d); the element is left out",
               t->select->where, b->x.content_file, content_line(node));
  for (int i = 0; i < n && !halted(b); i++)
    if (!one_context(b, t, set->nodesetval->nodeTab[i], i + 1, n, out, depth, fn)) break;
  xmlXPathFreeObject(set);
}

/* Element t (not its siblings) for one context, as emit_nodes binds it. */
static void emit_one(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                     int depth) {
  const rp_tkind_def *k = &rp_tkinds[t->kind];
  if (k->own_select) {
    bool yes = true;
    if (t->test && x_test(b, t->test, node, pos, size, &yes) != RP_OK) return;
    if (yes && k->bind) k->bind(b, t, node, pos, size, out, depth);
    return;
  }
  each_context(b, t, node, pos, size, out, depth, build);
}

static void emit_nodes(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                       int depth) {
  for (; t && !halted(b); t = t->next) emit_one(b, t, node, pos, size, out, depth);
}

typedef struct list_state {
  rp_block *list;
  blist items;
  int counter;
  const rp_tnode *list_t;
  const char *marker; /* the pattern, evaluated */
} list_state;

static void build_item(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, void *user,
                       int depth) {
  list_state *ls = user;
  rp_block *it = new_block(b, t, node, RP_BLOCK_ITEM, RP_ROLE_LIST_ITEM);
  if (!it) return;
  it->style = t->u.item.marker_style->style;
  it->u.item.marker = marker_text(b, ls->marker, ls->counter++);
  if (ls->marker && !it->u.item.marker) {
    oom(b);
    return;
  }
  it->level = depth;
  blist kids;
  blist_init(&kids);
  container(b, t, node, pos, size, &kids, depth);
  it->children = kids.head;
  set_anchor(b, t, node, pos, size, it);
  blist_add(&ls->items, it);
}

void rp_bind_list(binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size, blist *out,
                  int depth) {
  list_state ls = {.counter = t->u.list.start, .list_t = t, .marker = t->u.list.marker};
  if (t->u.list.marker_avt) {
    char *m;
    if (rp_avt_eval(&b->x, t->u.list.marker_avt, node, pos, size, &m) != RP_OK) return;
    ls.marker = rp_marker_pattern(m);
  }
  blist_init(&ls.items);
  ls.list = new_block(b, t, node, RP_BLOCK_LIST, RP_ROLE_LIST);
  if (!ls.list) return;
  ls.list->style = t->style->style;
  ls.list->level = depth + 1;
  if (t->u.list.has_indent) {
    ls.list->box.padding[3] = t->u.list.indent;
    ls.list->box.padding_set = true;
  }
  for (const rp_tnode *c = t->children; c && !halted(b); c = c->next)
    if (c->kind == RP_T_ITEM) each_context(b, c, node, pos, size, &ls, depth + 1, build_item);
  ls.list->children = ls.items.head;
  if (ls.list->children)
    blist_add(out, ls.list);
  else
    expected_content(b, t, node, "items");
}

/* ---- masters, sections, the document ---------------------------------------- */

static bool bind_variant(binder *b, const rp_variant_def *vd, xmlNodePtr root,
                         rp_page_variant *out) {
  *out = vd->v;
  if (vd->v.n_decorations) {
    rp_decoration *decs = rp_arena_calloc(b->a, vd->v.n_decorations, sizeof *decs);
    if (!decs) return oom(b);
    for (size_t i = 0; i < vd->v.n_decorations; i++) {
      decs[i] = vd->v.decorations[i];
      if (vd->dec_text && vd->dec_text[i]) {
        char *s;
        if (rp_avt_eval(&b->x, vd->dec_text[i], root, 1, 1, &s) != RP_OK) return false;
        char *copy = rp_arena_strdup(b->a, s);
        if (!copy) return oom(b);
        decs[i].text = normalize(copy);
      }
    }
    out->decorations = decs;
  }
  const rp_avt *texts[2] = {vd->header_text, vd->footer_text};
  rp_decoration *const *srcs[2] = {&vd->v.header, &vd->v.footer};
  rp_decoration **dsts[2] = {&out->header, &out->footer};
  for (int i = 0; i < 2; i++) {
    if (!*srcs[i] || !texts[i]) {
      *dsts[i] = NULL;
      continue;
    }
    rp_decoration *d = rp_arena_alloc(b->a, sizeof *d);
    char *s;
    if (!d) return oom(b);
    *d = **srcs[i];
    if (rp_avt_eval(&b->x, texts[i], root, 1, 1, &s) != RP_OK) return false;
    char *copy = rp_arena_strdup(b->a, s);
    if (!copy) return oom(b);
    d->text = normalize(copy);
    *dsts[i] = d;
  }
  return true;
}

static rp_master *bind_master(binder *b, const rp_master_def *md, xmlNodePtr root) {
  rp_master *m = rp_arena_alloc(b->a, sizeof *m);
  if (!m) {
    oom(b);
    return NULL;
  }
  m->name = md->name;
  m->width = md->width;
  m->height = md->height;
  m->baseline = md->baseline;
  m->src = (rp_src){md->file, md->line, NULL, 0};
  bool ok = bind_variant(b, &md->any, root, &m->any);
  const rp_variant_def *vds[3] = {md->first, md->left, md->right};
  rp_page_variant **slots[3] = {&m->first, &m->left, &m->right};
  for (int i = 0; i < 3; i++) {
    if (!vds[i]) continue;
    *slots[i] = rp_arena_alloc(b->a, sizeof **slots[i]);
    if (!*slots[i]) {
      oom(b);
      return NULL;
    }
    ok &= bind_variant(b, vds[i], root, *slots[i]);
  }
  return ok ? m : NULL;
}

static const rp_master *master_for(binder *b, const rp_master_def *md) {
  for (size_t i = 0; i < b->l->masters.len; i++)
    if (RP_VEC_AT(b->l->masters, rp_master_def *, i) == md) return b->masters[i];
  return NULL;
}

/* A section's head: what layout needs to know before it lays out the one
 * before (its master, whether it starts a page), without evaluating
 * anything; section_body binds the rest (the template and node kept in b). */
static void section_head(binder *b, const rp_run_def *r, const rp_template_def *t, xmlNodePtr node,
                         int pos, int size, rp_section ***tail) {
  rp_section *s = rp_arena_alloc(b->a, sizeof *s);
  if (!s) {
    oom(b);
    return;
  }
  /* a projected content's item, whole until its body is bound (its id,
   * its line) */
  if (rp_content_expand(b->stream, b->x.content_file, node, b->d) != RP_OK) return;
  const rp_master_def *md = r->master ? r->master : t->master;
  s->master = master_for(b, md);
  s->new_page = r->new_page;
  xmlChar *id = node && node->type == XML_ELEMENT_NODE ? xmlGetNoNsProp(node, BAD_CAST "id") : NULL;
  if (id) {
    s->anchor = rp_arena_strdup(b->a, (const char *)id);
    xmlFree(id);
  }
  /* A section per board: the boards element starts where its first board does. */
  xmlNodePtr up = node ? node->parent : NULL;
  xmlChar *up_id = up && up->type == XML_ELEMENT_NODE ? xmlGetNoNsProp(up, BAD_CAST "id") : NULL;
  if (up_id) {
    s->outer_anchor = rp_arena_strdup(b->a, (const char *)up_id);
    xmlFree(up_id);
  }
  s->page_label_style = t->page_labels;
  s->src = (rp_src){t->file, t->line, b->x.content_file, content_line(node)};
  b->head = (section_todo){s, t, node, pos, size};
  **tail = s;
  *tail = &s->next;
}

/* The title and bookmark of the section of b->head (*h), whose blocks are
 * bound next (section_body, or a piece at a time: rp_bind_piece). A
 * projected content's item is whole from the section's head until they
 * are (model/stream.c). */
static bool section_open(binder *b, section_todo *h) {
  *h = b->head;
  b->head = (section_todo){0};
  rp_section *s = h->s;
  const rp_template_def *t = h->t;
  s->title = eval_text(b, t->section, h->node, h->pos, h->size);
  s->bookmark = eval_text(b, t->bookmark, h->node, h->pos, h->size);
  b->notes.n_section = 0;
  return true;
}

/* The rest of the section of b->head: title, bookmark, blocks. */
static void section_body(binder *b) {
  section_todo h;
  if (!section_open(b, &h)) return;
  rp_section *s = h.s;
  const rp_template_def *t = h.t;
  blist blocks;
  blist_init(&blocks);
  emit_nodes(b, t->body, h.node, h.pos, h.size, &blocks, 0);
  /* endnotes of the section that no <endnotes/> printed: at its end */
  if (b->l->notes.placement == RP_NOTES_SECTION &&
      !rp_notes_endnotes(b, &b->notes, NULL, h.node, &blocks))
    oom(b);
  s->blocks = blocks.head;
  unlend(b, 0); /* what the body's uses left lent (nothing of it is held now) */
  rp_content_collapse(b->stream, h.node);
}

/* One section for a run's node: its template, or the first that matches. */
static void run_node(binder *b, const rp_run_def *r, xmlNodePtr node, int pos, int size,
                     rp_section ***tail) {
  const rp_template_def *t = r->tmpl;
  if (!t) t = match_template(b, r->mode, node, pos, size, r->file, r->line);
  if (t) section_head(b, r, t, node, pos, size, tail);
}

static bool item_kept(const rp_item_list *items, const xmlNode *n) {
  for (size_t i = 0; i < items->n; i++)
    if (items->v[i].node == n) return true;
  return false;
}

/* ---- the document, section by section ---------------------------------------- */

/* A long table given in parts (table_give): its rows bound a batch at a
 * time, each batch a part (bound/blocks.h, rp_block.u.table.part), so that
 * a table of every study is never held whole. Its header rows are bound
 * once, into the section head's arena, and shared by the parts. */
typedef struct table_cursor {
  const rp_tnode *t; /* the table; NULL: none open */
  xmlNodePtr node;   /* its context */
  int pos, size;
  rp_block *head; /* its header rows */
  int n_head;
  const rp_tnode *rt;    /* the body element being bound, or the next */
  bool begun;            /* rt's selection is evaluated: */
  xmlXPathObjectPtr set; /* … its contexts, */
  int i, n;              /* … the next, how many */
  int rows;              /* body rows given in parts so far */
  bool given;            /* its first part is given */
  bool failed;           /* a batch's rows did not fit the columns: no more parts but the last */
} table_cursor;

/* Body rows in a part of a table given in parts: enough that a part's own
 * cost (a piece, a table block) is small beside its rows', few enough that
 * a part stays small (an index row's blocks take about 1.9 KB). */
#define TABLE_BATCH 64

/* A section's body bound a piece at a time (rp_bind_piece): the template's
 * top-level elements in turn, an element with a select one context at a
 * time, a <group> one element for one key at a time, a long table a batch
 * of rows at a time (table_cursor), then the section's endnotes. What
 * lives from piece to piece (the selection, the groups) is in the arena
 * of the section's head, or libxml's (freed by cursor_close). */
typedef struct body_cursor {
  rp_section *s; /* NULL: none open */
  section_todo h;
  const rp_tnode *tn;    /* the top-level element being bound, or the next */
  int mode;              /* 0: tn not begun; 1: tn's contexts; 2: tn's groups */
  xmlXPathObjectPtr set; /* mode 1: tn's selection */
  int i, n;              /* mode 1: the next context, how many; mode 2: the next group */
  group_set gs;          /* mode 2 */
  int g;                 /* mode 2: the group being bound, an element at a time: */
  const rp_tnode *gc;    /* … its next element, or NULL */
  table_cursor tbl;      /* a table given in parts (top level, or a group's element) */
  rp_arena *arena;       /* the section head's */
  bool trailing;         /* the runs ended: endnotes no <endnotes/> printed come last */
} body_cursor;

struct rp_binding {
  binder b;
  rp_bound_doc *doc;
  xmlNodePtr root;
  size_t run;            /* the run being bound */
  xmlXPathObjectPtr set; /* its selection once evaluated, else NULL */
  int k;                 /* the next node of it */
  bool in_run;           /* set is the current run's */
  bool ended;
  rp_section *last; /* the last section bound whole, and its arena: trailing endnotes join it */
  rp_arena *last_arena;
  rp_arena *head_arena; /* the arena of the section whose body is pending */
  size_t errors;        /* errors recorded by this binding so far */
  /* libxml's generic error handler: the evaluator's while a section binds,
   * the caller's in between (layout and render run between sections) */
  xmlGenericErrorFunc eval_err, caller_err;
  void *eval_err_ctx, *caller_err_ctx;
  void *vars_data, *xreported_data; /* the evaluator's vectors before a section */
  int notes_before;                 /* notes bound before it */
  bool pieces;                      /* rp_bind_opts.pieces */
  body_cursor cur;                  /* the body given a piece at a time */
  /* what rp_bind_next records while a body is open (layout asks for the
   * next section's head before the body's pieces): given after the body,
   * where binding whole records it */
  rp_diag held;
  rp_diag *real;
};

/* Binds the next node of the runs (its section, if its template makes one,
 * goes to *tail); false when the runs are done. */
static bool step(rp_binding *bn, rp_section ***tail) {
  binder *b = &bn->b;
  while (!halted(b) && bn->run < b->l->runs.len) {
    const rp_run_def *r = &RP_VEC_AT(b->l->runs, rp_run_def, bn->run);
    if (!r->tmpl && r->template_name[0]) {
      bn->run++;
      continue;
    }
    if (!r->select) {
      bn->run++;
      if (!r->item || !b->items || item_kept(b->items, bn->root))
        run_node(b, r, bn->root, 1, 1, tail);
      return true;
    }
    if (!bn->in_run) {
      if (rp_xeval_nodes(&b->x, r->select, bn->root, 1, 1, &bn->set) != RP_OK) {
        bn->set = NULL;
        bn->run++;
        continue;
      }
      bn->in_run = true;
      bn->k = 0;
      int n = bn->set && bn->set->nodesetval ? bn->set->nodesetval->nodeNr : 0;
      if (n == 0 && r->required)
        warn_empty(b, r->file, r->line, bn->root, "%s matched nothing in %s; %s%s%s is left out",
                   r->select->where, b->x.content_file, r->tmpl ? "template \"" : "the run",
                   r->tmpl ? r->template_name : "", r->tmpl ? "\"" : "");
    }
    int n = bn->set && bn->set->nodesetval ? bn->set->nodesetval->nodeNr : 0;
    if (bn->k < n) {
      xmlNodePtr node = bn->set->nodesetval->nodeTab[bn->k++];
      if (!r->item || !b->items || item_kept(b->items, node)) run_node(b, r, node, bn->k, n, tail);
      return true;
    }
    xmlXPathFreeObject(bn->set);
    bn->set = NULL;
    bn->in_run = false;
    bn->run++;
  }
  return false;
}

/* A vector the evaluator grew while a section was bound lives in that
 * section's arena: moved to the binding's. */
static bool keep_vec(rp_arena *keep, rp_vec *v, void *before, size_t elem) {
  if (v->data == before || !v->data) return true;
  void *data = rp_arena_alloc(keep, v->cap * elem);
  if (!data) return false;
  memcpy(data, v->data, v->len * elem);
  v->data = data;
  return true;
}

static void enter(rp_binding *bn, rp_arena *a) {
  bn->b.a = bn->b.x.a = a;
  bn->vars_data = bn->b.x.vars.data;
  bn->xreported_data = bn->b.x.reported.data;
  bn->notes_before = bn->b.notes.n_document;
  bn->caller_err = xmlGenericError;
  bn->caller_err_ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(bn->eval_err_ctx, bn->eval_err);
}

static void leave(rp_binding *bn, rp_section *made) {
  binder *b = &bn->b;
  xmlSetGenericErrorFunc(bn->caller_err_ctx, bn->caller_err);
  if (!keep_vec(b->keep, &b->x.vars, bn->vars_data, sizeof(rp_xvar)) ||
      !keep_vec(b->keep, &b->x.reported, bn->xreported_data, sizeof(const rp_xexpr *)))
    oom(b);
  /* endnotes waiting for a later section live in this one's arena */
  if (b->notes.pending.len == 0) b->notes.pending = (rp_vec){0};
  if (made && (b->notes.pending.len > 0 || b->notes.n_document != bn->notes_before))
    made->keeps_notes = true;
  b->a = b->x.a = b->keep;
}

static rp_status bind_status(const rp_binding *bn) {
  if (bn->errors == 0) return RP_OK;
  rp_status st = rp_diag_status(bn->b.d);
  return st != RP_OK ? st : RP_ERR_INPUT;
}

/* The masters the runs may start sections on, each once, into doc: a run's
 * own, its template's, or, dispatching by mode, any matching template's. */
static void used_masters(binder *b, rp_bound_doc *doc) {
  const rp_layout_def *l = b->l;
  bool *used = rp_arena_calloc(b->keep, l->masters.len ? l->masters.len : 1, sizeof *used);
  const rp_master **out =
      rp_arena_calloc(b->keep, l->masters.len ? l->masters.len : 1, sizeof *out);
  if (!used || !out) {
    oom(b);
    return;
  }
  for (size_t i = 0; i < l->runs.len; i++) {
    const rp_run_def *r = &RP_VEC_AT(l->runs, rp_run_def, i);
    if (!r->tmpl && r->template_name[0]) continue;
    for (size_t t = 0; t < (r->tmpl ? 1 : l->templates.len); t++) {
      const rp_template_def *td = r->tmpl ? r->tmpl : RP_VEC_AT(l->templates, rp_template_def *, t);
      if (!r->tmpl && (!td->match || !rp_mode_eq(td->mode, r->mode))) continue;
      const rp_master_def *md = r->master ? r->master : td->master;
      for (size_t m = 0; m < l->masters.len; m++)
        if (RP_VEC_AT(l->masters, rp_master_def *, m) == md) used[m] = true;
    }
  }
  size_t n = 0;
  for (size_t m = 0; m < l->masters.len; m++)
    if (used[m] && b->masters[m]) out[n++] = b->masters[m];
  doc->masters = out;
  doc->n_masters = n;
}

rp_status rp_bind_begin(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                        const rp_bind_opts *o, rp_diag *d, rp_binding **out,
                        const rp_bound_doc **doc_out) {
  *out = NULL;
  *doc_out = NULL;
  xmlNodePtr root = c && c->doc ? xmlDocGetRootElement(c->doc) : NULL;
  if (!l || !root)
    return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "rp_bind: no layout or no content");
  rp_binding *bn = rp_arena_alloc(a, sizeof *bn);
  if (!bn) return rp_diag_oom(d);
  bn->root = root;
  size_t errors = d->errors;
  binder *bp = &bn->b;
  *bp = (binder){.a = a, .keep = a, .d = d, .l = l, .items = o ? o->items : NULL};
  bn->pieces = o && o->pieces;
  bn->cur = (body_cursor){0};
  bp->text_left = RP_BIND_TEXT_FACTOR * (c->items ? c->text_bytes : rp_content_text_bytes(root)) +
                  RP_BIND_TEXT_SLACK;
  bp->stream = c->items;
  xmlGenericErrorFunc caller_err = xmlGenericError;
  void *caller_err_ctx = xmlGenericErrorContext;
  rp_status st = rp_xeval_init(&bp->x, a, d, c->doc, c->path ? c->path : "content");
  if (st != RP_OK) return st;
  bp->x.keep = a;
  if (bp->stream) {
    bp->x.enter = lend_context;
    bp->x.enter_user = bp;
  }
  bn->eval_err = xmlGenericError;
  bn->eval_err_ctx = xmlGenericErrorContext;
  /* the language first: labels in masters' texts depend on it */
  xmlChar *lang = xmlNodeGetLang(root);
  bp->x.layout = l;
  bp->x.refs = o ? o->refs : NULL;
  bp->x.live = o ? o->live : NULL;
  bp->x.trace = o ? o->trace : NULL;
  bp->x.lang = lang ? rp_arena_strdup(a, (const char *)lang) : NULL;
  bool lang_lost = lang && !bp->x.lang;
  xmlFree(lang);
  rp_bound_doc *doc = rp_arena_alloc(a, sizeof *doc);
  bp->masters = rp_arena_calloc(a, l->masters.len ? l->masters.len : 1, sizeof *bp->masters);
  if (!doc || !bp->masters || lang_lost) {
    oom(bp);
    rp_xeval_fini(&bp->x);
    xmlSetGenericErrorFunc(caller_err_ctx, caller_err);
    return RP_ERR_INTERNAL;
  }
  bn->doc = doc;
  /* Parameters first: every expression may read them. */
  for (size_t i = 0; i < l->params.len && !bp->oom; i++) {
    const rp_param_def *p = &RP_VEC_AT(l->params, rp_param_def, i);
    if (!rp_xeval_push(&bp->x, p->name, xmlXPathNewString((const xmlChar *)p->value))) oom(bp);
  }
  bp->content_dir = rp_path_dir(a, bp->x.content_file);
  bp->content_root = c->root ? c->root : rp_path_project_root(a, bp->x.content_file);
  for (size_t i = 0; i < l->masters.len; i++)
    bp->masters[i] = bind_master(bp, RP_VEC_AT(l->masters, rp_master_def *, i), root);
  used_masters(bp, doc);
  doc->fonts = &l->fonts;
  doc->layout_path = l->path;
  doc->info.title = eval_text(bp, l->info_title, root, 1, 1);
  doc->info.author = eval_text(bp, l->info_author, root, 1, 1);
  doc->info.subject = eval_text(bp, l->info_subject, root, 1, 1);
  doc->info.keywords = eval_text(bp, l->info_keywords, root, 1, 1);
  doc->info.creator = "reviewpdf " RP_VERSION;
  doc->info.lang = bp->x.lang;
  doc->notes = l->notes.area;
  if (!l->notes.rule_color_set)
    doc->notes.rule_color = l->notes.style && l->notes.style->style ? l->notes.style->style->color
                                                                    : (rp_color){0, 0, 0, 1};
  /* between sections, libxml's errors go where they went before */
  xmlSetGenericErrorFunc(caller_err_ctx, caller_err);
  bn->errors = d->errors - errors;
  *out = bn;
  *doc_out = doc;
  return RP_OK;
}

/* Records entry e in d again, as it was recorded. */
static void rerecord(rp_diag *d, const rp_diag_entry *e) {
  const char *msg = e->message ? e->message : "";
  if (e->severity == RP_SEV_ERROR) {
    rp_diag_error(d, e->status, e->file, e->line, e->col, "%s", msg);
    return;
  }
  if (!e->layout_file && !e->content_file && e->code == RP_DIAG_GENERAL && !e->page) {
    rp_diag_warn(d, e->file, e->line, e->col, "%s", msg);
    return;
  }
  bool content_first =
      e->file && e->content_file && strcmp(e->file, e->content_file) == 0 &&
      e->line == e->content_line &&
      !(e->layout_file && strcmp(e->file, e->layout_file) == 0 && e->line == e->layout_line);
  rp_diag_about ab = {.code = e->code,
                      .page = e->page,
                      .src = {e->layout_file, e->layout_line, e->content_file, e->content_line},
                      .content_first = content_first};
  rp_diag_warn_about(d, &ab, "%s", msg);
}

/* Binding's records go to bn->held (hold) or back to the real record. */
static void hold_diag(rp_binding *bn, bool hold) {
  binder *b = &bn->b;
  if (hold) {
    if (!bn->real) {
      bn->real = b->d;
      rp_diag_init(&bn->held);
      bn->held.strict = bn->real->strict;
      bn->held.preflight = bn->real->preflight;
      bn->held.max_entries = SIZE_MAX;
    }
    b->d = b->x.d = &bn->held;
  } else if (!hold && bn->real && b->d == &bn->held) {
    b->d = b->x.d = bn->real;
  }
}

/* What was held, recorded after the open body's problems. */
static void give_held(rp_binding *bn) {
  if (!bn->real) return;
  hold_diag(bn, false);
  for (size_t i = 0; i < bn->held.count; i++) rerecord(bn->real, &bn->held.entries[i]);
  rp_diag_fini(&bn->held);
  bn->real = NULL;
}

static void table_close(table_cursor *tc) {
  xmlXPathFreeObject(tc->set);
  *tc = (table_cursor){0};
}

static void cursor_close(rp_binding *bn) {
  body_cursor *c = &bn->cur;
  table_close(&c->tbl);
  xmlXPathFreeObject(c->set);
  group_free(&c->gs);
  if (c->s) {
    unlend(&bn->b, 0);
    rp_content_collapse(bn->b.stream, c->h.node);
  }
  *c = (body_cursor){0};
  give_held(bn);
}

/* $key and $group of group g while one of its elements binds (a step of
 * the cursor): the set stays gs's, lent to the variable (group_vars_pop
 * takes it back). false when memory runs out (recorded; nothing pushed). */
static bool group_vars_push(binder *b, group_set *gs, int g) {
  if (!rp_xeval_push(&b->x, "key", xmlXPathNewString((const xmlChar *)gs->keys[g]))) return oom(b);
  xmlXPathObjectPtr lent = xmlMalloc(sizeof *lent);
  if (lent) {
    memset(lent, 0, sizeof *lent);
    lent->type = XPATH_NODESET;
    lent->nodesetval = gs->groups[g];
  }
  if (!rp_xeval_push(&b->x, "group", lent)) {
    rp_xeval_pop(&b->x);
    return oom(b);
  }
  return true;
}

static void group_vars_pop(binder *b) {
  RP_VEC_AT(b->x.vars, rp_xvar, b->x.vars.len - 1).value->nodesetval = NULL; /* gs's */
  rp_xeval_pop(&b->x);
  rp_xeval_pop(&b->x);
}

/* Whether table t, about to be bound for one context, can come in parts:
 * bound as build binds it (no patterns, a style of its own), moving as rows
 * do (not kept together or with what follows, no break before it, not an
 * artifact, nothing drawn behind it per column) and with column widths its
 * rows' content cannot change (fixed ones and at most one share: layout/
 * table.c then gives the share what the fixed ones leave, however wide its
 * words are), so that its parts place exactly as the whole table would. */
static bool table_streams(const binder *b, const rp_tnode *t) {
  if (t->kind != RP_T_TABLE || t->select || t->break_before || t->style_avt || t->width_avt ||
      t->height_avt || (t->style_inherited && b->dyn_style) || !t->style || !t->style->style)
    return false;
  if (t->keep_together || t->keep_with_next > 0 || t->style->style->keep_with_next ||
      t->tag == RP_ROLE_ARTIFACT || t->box.fill.a > 0 || t->box.stroke.a > 0)
    return false;
  if (t->u.table.cols_dynamic || t->u.table.n_cols == 0 || !t->u.table.cols) return false;
  int shares = 0;
  for (size_t i = 0; i < t->u.table.n_cols; i++) {
    if (t->u.table.cols[i].kind == RP_COL_AUTO) return false;
    shares += t->u.table.cols[i].kind == RP_COL_SHARE;
  }
  return shares <= 1;
}

/* Binds the next of the table's body elements for one context (as
 * emit_parts binds them) into rows; false when they are done. */
static bool table_row_step(binder *b, table_cursor *tc, blist *rows) {
  while (!halted(b) && tc->rt) {
    const rp_tnode *r = tc->rt;
    if (!tc->begun) {
      if (rp_tkinds[r->kind].own_select || !r->select) {
        tc->rt = r->next;
        emit_one(b, r, tc->node, tc->pos, tc->size, rows, 0);
        return true;
      }
      if (x_nodes(b, r->select, tc->node, tc->pos, tc->size, &tc->set) != RP_OK) {
        tc->set = NULL;
        tc->rt = r->next;
        continue;
      }
      tc->n = tc->set->nodesetval ? tc->set->nodesetval->nodeNr : 0;
      if (tc->n == 0 && r->required)
        warn_empty(b, r->file, r->line, tc->node,
                   "%s matched nothing (at %s:%d); the element is left out", r->select->where,
                   b->x.content_file, content_line(tc->node));
      tc->begun = true;
      tc->i = 0;
    }
    if (tc->i < tc->n) { /* one context, as each_context */
      xmlNodePtr node = tc->set->nodesetval->nodeTab[tc->i++];
      if (!one_context(b, r, node, tc->i, tc->n, rows, 0, build)) {
        tc->i = tc->n;
        continue;
      }
      return true;
    }
    xmlXPathFreeObject(tc->set);
    tc->set = NULL;
    tc->begun = false;
    tc->rt = r->next;
  }
  return false;
}

/* Gives the next part of the open table into out: a batch of its body
 * rows (every one with more header rows than layout keeps), as
 * rp_bind_table binds them; the last part says so (possibly with no rows:
 * rows that came out empty). A table with no body row is left out, as
 * rp_bind_table leaves it. */
static void table_give(binder *b, table_cursor *tc, blist *out) {
  const rp_tnode *t = tc->t;
  const rp_style_def *dyn = b->dyn_style;
  bool parts = b->making_parts;
  b->dyn_style = NULL; /* a style of its own (table_streams) */
  b->making_parts = true;
  blist rows;
  blist_init(&rows);
  int got = 0, limit = tc->n_head > RP_TABLE_PART_HEAD ? INT32_MAX : TABLE_BATCH;
  while (got < limit && !halted(b)) {
    rp_block **from = rows.tail;
    if (!table_row_step(b, tc, &rows)) break;
    for (const rp_block *r = *from; r; r = r->next) got++;
  }
  b->making_parts = parts;
  b->dyn_style = dyn;
  if (tc->begun && tc->i >= tc->n) { /* its last context is bound: the next element */
    xmlXPathFreeObject(tc->set);
    tc->set = NULL;
    tc->begun = false;
    tc->rt = tc->rt->next;
  }
  bool more = tc->rt && !halted(b);
  table_cols cols;
  if (rows.head && !tc->failed &&
      !(make_cols(b, t, tc->node, tc->pos, tc->size, &cols) && fit_rows(b, t, rows.head, &cols)))
    tc->failed = true;
  if (tc->failed) rows.head = NULL;
  if (!tc->given && !rows.head && !more && !tc->failed && !halted(b))
    expected_content(b, t, tc->node, "rows");
  if ((rows.head || (tc->given && !more)) && !halted(b)) {
    rp_block *blk = new_block(b, t, tc->node, RP_BLOCK_TABLE, RP_ROLE_TABLE);
    if (blk) {
      blk->style = t->style->style;
      blk->box = t->box;
      blk->width = t->width;
      blk->u.table.cols = t->u.table.cols;
      blk->u.table.n_cols = t->u.table.n_cols;
      blk->u.table.header_rows = tc->n_head;
      blk->u.table.zebra = t->u.table.zebra;
      blk->u.table.rule = t->u.table.rule;
      blk->u.table.rule_width = t->u.table.rule_width;
      blk->u.table.head = tc->head;
      blk->u.table.row0 = tc->rows;
      blk->u.table.part = (unsigned char)(RP_TABLE_PART | (tc->given ? 0 : RP_TABLE_FIRST) |
                                          (more ? 0 : RP_TABLE_LAST));
      blk->children = rows.head;
      if (!tc->given) set_anchor(b, t, tc->node, tc->pos, tc->size, blk);
      blist_add(out, blk);
      tc->given = true;
      tc->rows += got;
    }
  }
  if (!more || halted(b)) table_close(tc);
}

/* Opens table t for one context, to be given in parts: its header rows
 * bound into the arena `keep` (the section head's), which outlives them. */
static void table_open(binder *b, table_cursor *tc, const rp_tnode *t, xmlNodePtr node, int pos,
                       int size, rp_arena *keep) {
  *tc = (table_cursor){.t = t, .node = node, .pos = pos, .size = size};
  const rp_tnode *body = t->children;
  if (body && body->kind == RP_T_HEADER) {
    rp_arena *a = b->a;
    const rp_style_def *dyn = b->dyn_style;
    b->a = b->x.a = keep;
    b->dyn_style = NULL;
    blist rows;
    blist_init(&rows);
    emit_parts(b, body->children, node, pos, size, &rows, 0);
    b->a = b->x.a = a;
    b->dyn_style = dyn;
    tc->head = rows.head;
    for (rp_block *r = rows.head; r; r = r->next) {
      tc->n_head++;
      for (rp_block *c = r->children; c; c = c->next) c->role = RP_ROLE_TABLE_HEADER;
    }
    body = body->next;
  }
  tc->rt = body;
}

/* Element t of the body for one context (a group's element: the group's
 * first node, its number and the count of groups): a table that can come
 * in parts is opened and its first part given, anything else bound whole. */
static void cursor_element(binder *b, body_cursor *c, const rp_tnode *t, xmlNodePtr node, int pos,
                           int size, blist *out) {
  if (!table_streams(b, t)) {
    emit_one(b, t, node, pos, size, out, 0);
    return;
  }
  bool yes = true;
  if (t->test && x_test(b, t->test, node, pos, size, &yes) != RP_OK) return;
  if (!yes) return;
  table_open(b, &c->tbl, t, node, pos, size, c->arena);
  if (!halted(b)) table_give(b, &c->tbl, out);
}

/* Binds the cursor's next item into out (an element, one context of its
 * select, one element of a group, a part of a long table), as emit_nodes
 * would; false when the body's elements are done. */
static bool cursor_step(rp_binding *bn, blist *out) {
  binder *b = &bn->b;
  body_cursor *c = &bn->cur;
  const section_todo *h = &c->h;
  if (c->tbl.t && !halted(b)) { /* the next part of a table */
    bool vars = c->mode == 2;
    if (vars && !group_vars_push(b, &c->gs, c->g)) return false;
    table_give(b, &c->tbl, out);
    if (vars) group_vars_pop(b);
    return true;
  }
  while (!halted(b) && c->tn) {
    const rp_tnode *t = c->tn;
    const rp_tkind_def *k = &rp_tkinds[t->kind];
    if (c->mode == 1) { /* the contexts of t's select, as each_context */
      if (c->i < c->n) {
        xmlNodePtr node = c->set->nodesetval->nodeTab[c->i++];
        if (!one_context(b, t, node, c->i, c->n, out, 0, build)) {
          c->i = c->n;
          continue;
        }
        return true;
      }
      xmlXPathFreeObject(c->set);
      c->set = NULL;
    } else if (c->mode == 2) { /* a group an element at a time, as rp_bind_group */
      if (!c->gc && c->i < c->gs.n_groups) {
        c->g = c->i++;
        c->gc = t->children;
        continue;
      }
      if (c->gc) {
        const rp_tnode *e = c->gc;
        c->gc = e->next;
        xmlNodePtr first = c->gs.groups[c->g]->nodeNr ? c->gs.groups[c->g]->nodeTab[0] : h->node;
        if (!group_vars_push(b, &c->gs, c->g)) return false;
        bool ok;
        size_t mark = lend_scope(b, first, &ok); /* as group_emit */
        if (ok) cursor_element(b, c, e, first, c->g + 1, c->gs.n_groups, out);
        unlend(b, mark);
        group_vars_pop(b);
        return true;
      }
      group_free(&c->gs);
    } else {
      bool yes = true, gave = false;
      if (k->own_select || !t->select) {
        if (t->test && x_test(b, t->test, h->node, h->pos, h->size, &yes) != RP_OK) yes = false;
      }
      if (yes && k->own_select && k->bind && t->kind == RP_T_GROUP) {
        if (group_collect(b, t, h->node, h->pos, h->size, c->arena, &c->gs)) {
          c->mode = 2;
          c->i = 0;
          continue;
        }
      } else if (yes && k->own_select) {
        if (k->bind) k->bind(b, t, h->node, h->pos, h->size, out, 0);
        gave = true;
      } else if (yes && !t->select && table_streams(b, t)) {
        table_open(b, &c->tbl, t, h->node, h->pos, h->size, c->arena);
        if (!halted(b)) table_give(b, &c->tbl, out);
        gave = true;
      } else if (yes && !t->select) {
        build(b, t, h->node, h->pos, h->size, out, 0);
        gave = true;
      } else if (yes) {
        if (x_nodes(b, t->select, h->node, h->pos, h->size, &c->set) == RP_OK) {
          c->n = c->set->nodesetval ? c->set->nodesetval->nodeNr : 0;
          if (c->n == 0 && t->required)
            warn_empty(b, t->file, t->line, h->node,
                       "%s matched nothing (at %s:%d); the element is left out", t->select->where,
                       b->x.content_file, content_line(h->node));
          c->mode = 1;
          c->i = 0;
          continue;
        }
        c->set = NULL;
      }
      c->tn = t->next;
      if (gave) return true;
      continue;
    }
    c->mode = 0;
    c->tn = t->next;
  }
  return false;
}

rp_status rp_bind_piece(rp_binding *bn, const rp_section *s, rp_arena *a, rp_block **first,
                        bool *keeps) {
  *first = NULL;
  *keeps = false;
  binder *b = &bn->b;
  body_cursor *c = &bn->cur;
  if (!c->s || c->s != s) return bind_status(bn);
  size_t errors = b->d->errors;
  enter(bn, a);
  blist out;
  blist_init(&out);
  rp_block *last = NULL;
  for (;;) {
    if (!cursor_step(bn, &out)) {
      /* the section's endnotes; then, after the last section, those no
       * <endnotes/> printed */
      xmlNodePtr node = c->h.node;
      if (b->l->notes.placement == RP_NOTES_SECTION &&
          !rp_notes_endnotes(b, &b->notes, NULL, node, &out))
        oom(b);
      if (c->trailing && b->notes.pending.len > 0 && !halted(b) &&
          !rp_notes_endnotes(b, &b->notes, NULL, bn->root, &out))
        oom(b);
      cursor_close(bn);
      break;
    }
    if (!last) last = out.head;
    while (last && last->next) last = last->next;
    /* a block kept with the next one is given with it (layout looks ahead) */
    if (last && !rp_block_keeps_with_next(last)) break;
  }
  leave(bn, NULL);
  *keeps = b->notes.pending.len > 0 || b->notes.n_document != bn->notes_before;
  *first = out.head;
  bn->errors += b->d->errors - errors;
  return bind_status(bn);
}

/* Binds what is left of an open body, thrown away (rp_bind_rest). */
static void cursor_drain(rp_binding *bn) {
  while (bn->cur.s) {
    rp_arena *scratch = rp_arena_new_child(bn->b.keep);
    if (!scratch) {
      oom(&bn->b);
      cursor_close(bn);
      return;
    }
    rp_block *first;
    bool keeps;
    rp_bind_piece(bn, bn->cur.s, scratch, &first, &keeps);
    rp_arena_free(scratch);
  }
}

/* The body of the section whose head was given last, if not bound yet. */
static void pending_body(rp_binding *bn) {
  binder *b = &bn->b;
  if (!b->head.s) return;
  rp_section *s = b->head.s;
  if (bn->pieces) {   /* its blocks are bound as layout asks for them */
    cursor_drain(bn); /* the one before, when its caller left it */
    enter(bn, bn->head_arena);
    bn->cur = (body_cursor){.s = s, .arena = bn->head_arena};
    if (section_open(b, &bn->cur.h))
      bn->cur.tn = bn->cur.h.t->body;
    else
      bn->cur.s = NULL; /* nothing to give: rp_bind_piece says why */
    s->streamed = true;
    leave(bn, s);
    bn->last = s;
    bn->last_arena = bn->head_arena;
    return;
  }
  enter(bn, bn->head_arena);
  section_body(b);
  leave(bn, s);
  bn->last = s;
  bn->last_arena = bn->head_arena;
}

rp_status rp_bind_body(rp_binding *bn, const rp_section *s) {
  size_t errors = bn->b.d->errors;
  if (bn->b.head.s == s) pending_body(bn);
  bn->errors += bn->b.d->errors - errors;
  return bind_status(bn);
}

rp_status rp_bind_next(rp_binding *bn, rp_arena *a, const rp_section **out) {
  *out = NULL;
  if (bn->ended) return bind_status(bn);
  binder *b = &bn->b;
  size_t errors = b->d->errors;
  pending_body(bn); /* a caller that binds no bodies itself */
  bn->errors += b->d->errors - errors;
  hold_diag(bn, bn->cur.s != NULL);
  errors = b->d->errors;
  enter(bn, a);
  rp_section *s = NULL, **tail = &s;
  while (!s && step(bn, &tail)) {
  }
  if (!s) {
    bn->ended = true;
    if (bn->cur.s && bn->cur.s == bn->last) {
      bn->cur.trailing = true; /* at the end of its last piece */
    } else if (b->notes.pending.len > 0 && !halted(b) && bn->last) {
      /* endnotes no <endnotes/> printed: at the end of the last section
       * (not laid out yet: layout asks for the next before it does) */
      b->a = b->x.a = bn->last_arena;
      rp_section *last = bn->last;
      blist tail_blocks = {last->blocks, NULL};
      tail_blocks.tail = &tail_blocks.head;
      while (*tail_blocks.tail) tail_blocks.tail = &(*tail_blocks.tail)->next;
      if (!rp_notes_endnotes(b, &b->notes, NULL, bn->root, &tail_blocks)) oom(b);
      last->blocks = tail_blocks.head;
    }
  }
  leave(bn, s);
  bn->head_arena = a;
  *out = s;
  bn->errors += b->d->errors - errors;
  hold_diag(bn, false);
  return bind_status(bn);
}

bool rp_bind_done(const rp_binding *bn) {
  return !bn || (bn->ended && !bn->cur.s && !bn->b.head.s);
}

rp_status rp_bind_rest(rp_binding *bn) {
  cursor_drain(bn);
  rp_bind_body(bn, bn->b.head.s); /* its arena is the caller's, still there */
  cursor_drain(bn);
  const rp_section *s;
  do {
    rp_arena *scratch = rp_arena_new_child(bn->b.keep);
    if (!scratch) return rp_diag_oom(bn->b.d);
    bn->last = NULL; /* thrown away: no trailing endnotes */
    rp_bind_next(bn, scratch, &s);
    if (s) rp_bind_body(bn, s);
    cursor_drain(bn);
    bn->last = NULL;
    rp_arena_free(scratch);
  } while (s);
  return bind_status(bn);
}

void rp_bind_free(rp_binding *bn) {
  if (!bn) return;
  xmlXPathFreeObject(bn->set);
  bn->set = NULL;
  cursor_close(bn);
  xmlGenericErrorFunc caller_err = xmlGenericError;
  void *caller_err_ctx = xmlGenericErrorContext;
  rp_xeval_fini(&bn->b.x);
  xmlSetGenericErrorFunc(caller_err_ctx, caller_err);
}

rp_status rp_bind(rp_arena *a, const rp_layout_def *l, const rp_content *c, rp_diag *d,
                  rp_bound_doc **out) {
  return rp_bind_ex(a, l, c, NULL, d, out);
}

rp_status rp_bind_ex(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                     const rp_bind_opts *o, rp_diag *d, rp_bound_doc **out) {
  *out = NULL;
  size_t errors = d->errors;
  rp_binding *bn;
  const rp_bound_doc *cdoc;
  rp_status st = rp_bind_begin(a, l, c, o, d, &bn, &cdoc);
  if (st != RP_OK) return st;
  rp_bound_doc *doc = (rp_bound_doc *)cdoc;
  rp_section **tail = &doc->sections;
  const rp_section *s;
  do {
    rp_bind_next(bn, a, &s);
    *tail = (rp_section *)s;
    if (s) tail = &(*tail)->next;
  } while (s);
  rp_bind_free(bn);
  if (d->errors != errors) {
    st = rp_diag_status(d);
    return st != RP_OK ? st : RP_ERR_INPUT;
  }
  *out = doc;
  return RP_OK;
}
