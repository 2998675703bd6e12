/* stream — loading a content document projected (content.h,
 * rp_content_load_projected): a skeleton tree that holds everything outside
 * the streamed run's items, and of each item its id and the parts the
 * projection names (model/projection.h); the rest of an item is read
 * again from the file, by its byte range, while its section binds.
 *
 * Pass 1 parses the file once with libxml2's SAX2 tree builder, passing on
 * only what the skeleton keeps, and notes each item's byte range and the
 * line it starts on. Pass 2 checks the document as rp_content_load
 * would, a batch of items at a time: the skeleton's outside with BATCH items
 * read whole is validated against the schema and built into a model; any
 * message at all (error or warning), an id repeated across batches, or
 * anything the passes cannot do (a DOCTYPE, namespaces, XInclude, another
 * encoding) sends the load back to rp_content_load, so that a document that
 * is not clean gets exactly the messages it always got. Memory: the skeleton
 * plus one batch, whatever the number of items.
 *
 * Expanding parses an item's bytes in the context of its parent
 * (xmlParseInNodeContext, the document's dictionary), moves its line numbers
 * to the file's, and swaps its attributes and children in for the kept ones,
 * which come back when it is collapsed: the element itself never moves, so node
 * sets and sections that hold it stay good. */
#include <fcntl.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/path.h"
#include "model/build.h"
#include "model/content.h"

/* As base/xml.c's parser. */
#define PARSE_OPTIONS \
  (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)
/* Items read whole at once by pass 2. */
#define BATCH 64
/* libxml2 2.12 made the structured error callback take a const pointer. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlErrorPtr error_ptr;
#endif
/* Deepest element pass 1 follows (libxml2's own limit is 256). */
#define MAX_DEPTH 512

/* An item: 24 bytes beside its element (the skeleton's cost per item). */
typedef struct item_rec {
  xmlNodePtr node;    /* the skeleton's element; its psvi is the item's index + 1 */
  uint32_t begin;     /* the element's bytes [begin, begin + len) in the file */
  uint32_t len;       /* (files are at most RP_XML_MAX_BYTES) */
  int line;           /* the file's line where it begins */
  uint32_t refs : 31; /* expansions open (rp_content_expand) */
  uint32_t light : 1; /* expanded to its start tag only (a batch's: its attributes) */
} item_rec;

/* An item expanded: the skeleton's parts of it, put back when it collapses. */
typedef struct open_rec {
  size_t i;
  xmlNodePtr kept, kept_last;
  xmlAttrPtr kept_attrs;
} open_rec;

/* Where an item was taken from (pass 2, batches). */
typedef struct place {
  xmlNodePtr parent, prev;
} place;

struct rp_content_items {
  int fd;
  item_rec *v;
  size_t n, cap;
  open_rec *open; /* the items expanded (few: a section's, the next one's, a row's) */
  size_t n_open, cap_open;
  size_t *lent; /* the items rp_content_lend expanded, in order */
  size_t n_lent, cap_lent;
  /* the projection's expressions evaluated a batch at a time: texts, uses */
  char **batched;
  unsigned *batched_uses;
  size_t n_batched;
  place *at;       /* batches: every item out of the tree, where it goes back */
  size_t next, in; /* batches: the first item of the batch in the tree, how many */
};

/* ---- pass 1 --------------------------------------------------------------- */

typedef struct sax_state {
  xmlSAXHandler base; /* libxml2's tree builder */
  const rp_projection *p;
  rp_content_items *items;
  int depth;   /* of the element open last; the root is 1 */
  int matched; /* leading names of the item path the open elements follow */
  int item;    /* depth of the item open, else 0 */
  int skip;    /* elements open in a dropped subtree */
  int whole;   /* depth of a kept-whole element open, else 0 */
  char rel[1024];
  size_t rel_len[MAX_DEPTH + 1];
  bool abort;
} sax_state;

static sax_state *state_of(void *ctx) { return ((xmlParserCtxtPtr)ctx)->_private; }

static void stop(void *ctx) {
  state_of(ctx)->abort = true;
  xmlStopParser(ctx);
}

static long offset_of(xmlParserCtxtPtr ctxt, const xmlChar *at) {
  return (long)ctxt->input->consumed + (long)(at - ctxt->input->base);
}

static bool push_item(rp_content_items *it, item_rec r) {
  if (it->n == it->cap) {
    size_t cap = it->cap ? it->cap * 2 : 64;
    item_rec *v = rp_mem_realloc(it->v, cap * sizeof *v);
    if (!v) return false;
    it->v = v;
    it->cap = cap;
  }
  it->v[it->n++] = r;
  return true;
}

/* Of an element of an item not kept whole, the attributes the projection
 * names, into `out`. (An item's id is read with the item: its section's
 * head expands it.) */
static int kept_attrs(const sax_state *s, int nb_attrs, const xmlChar **attrs,
                      const xmlChar **out) {
  char key[1100];
  size_t len = strlen(s->rel);
  int n = 0;
  for (int i = 0; i < nb_attrs && i < 64; i++) {
    const char *name = (const char *)attrs[5 * i];
    int k = snprintf(key, sizeof key, "%s%s@%s", s->rel, len ? "/" : "", name);
    if (k > 0 && (size_t)k < sizeof key && !attrs[5 * i + 1] &&
        rp_projection_find(s->p, key, (size_t)k))
      memcpy(out + 5 * n++, attrs + 5 * i, 5 * sizeof *out);
  }
  return n;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_attrs, int nb_def,
                     const xmlChar **attrs) {
  xmlParserCtxtPtr ctxt = ctx;
  sax_state *s = state_of(ctx);
  if (s->abort) return;
  if (uri || nb_ns || ++s->depth > MAX_DEPTH) return stop(ctx);
  if (s->skip) {
    s->skip++;
    return;
  }
  const rp_projection *p = s->p;
  if (!s->item) {
    if (s->depth == 1) {
      /* another version (or none) is refused by rp_content_load */
      bool v2 = false;
      for (int i = 0; i < nb_attrs; i++)
        if (!attrs[5 * i + 1] && xmlStrEqual(attrs[5 * i], BAD_CAST "version"))
          v2 = attrs[5 * i + 4] - attrs[5 * i + 3] == 1 && attrs[5 * i + 3][0] == '2';
      /* offsets are bytes of the file only when nothing converts it */
      if (!v2 || (ctxt->input->buf && ctxt->input->buf->encoder)) return stop(ctx);
    }
    bool on_path = s->matched == s->depth - 1 && (size_t)s->depth <= p->n_item &&
                   xmlStrEqual(name, BAD_CAST p->item[s->depth - 1]);
    if (on_path) s->matched = s->depth;
    bool item = on_path && (size_t)s->depth == p->n_item;
    if (item) {
      const xmlChar *kept[5 * 64];
      s->rel[0] = '\0';
      if (nb_attrs > 64) return stop(ctx);
      int n = kept_attrs(s, nb_attrs, attrs, kept);
      s->base.startElementNs(ctx, name, prefix, uri, nb_ns, ns, n, 0, kept);
    } else {
      s->base.startElementNs(ctx, name, prefix, uri, nb_ns, ns, nb_attrs, nb_def, attrs);
    }
    if (item) {
      const xmlChar *cur = ctxt->input->cur;
      item_rec r = {.node = ctxt->node, .line = ctxt->input->line};
      if (cur[0] != '>' && !(cur[0] == '/' && cur[1] == '>')) return stop(ctx);
      /* back to the start tag's '<' (none inside a tag), lines with it */
      const xmlChar *at = cur;
      while (at > ctxt->input->base && *at != '<') r.line -= *at-- == '\n';
      if (*at != '<') return stop(ctx);
      long begin = offset_of(ctxt, at);
      if (begin < 0 || begin > (long)RP_XML_MAX_BYTES) return stop(ctx);
      r.begin = (uint32_t)begin;
      if (!r.node || !push_item(s->items, r)) return stop(ctx);
      s->item = s->depth;
      s->rel_len[s->depth] = 0;
      s->rel[0] = '\0';
    }
    return;
  }
  /* inside an item: its path below the item */
  size_t len = s->rel_len[s->depth - 1], n = strlen((const char *)name);
  if (len + n + 2 >= sizeof s->rel) return stop(ctx);
  if (len) s->rel[len++] = '/';
  memcpy(s->rel + len, name, n + 1);
  len += n;
  s->rel_len[s->depth] = len;
  if (!s->whole) {
    const rp_projection_keep *k = rp_projection_find(p, s->rel, len);
    if (!k) {
      s->skip = 1;
      return;
    }
    if (k->whole) {
      s->whole = s->depth;
    } else {
      const xmlChar *kept[5 * 64];
      if (nb_attrs > 64) return stop(ctx);
      int na = kept_attrs(s, nb_attrs, attrs, kept);
      s->base.startElementNs(ctx, name, prefix, uri, nb_ns, ns, na, 0, kept);
      return;
    }
  }
  s->base.startElementNs(ctx, name, prefix, uri, nb_ns, ns, nb_attrs, nb_def, attrs);
}

static void on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri) {
  xmlParserCtxtPtr ctxt = ctx;
  sax_state *s = state_of(ctx);
  if (s->abort) return;
  if (s->skip) {
    s->skip--;
    s->depth--;
    return;
  }
  if (s->item && s->depth == s->item) {
    item_rec *r = &s->items->v[s->items->n - 1];
    long end = offset_of(ctxt, ctxt->input->cur); /* after '>' */
    if (end <= (long)r->begin || end > (long)RP_XML_MAX_BYTES) return stop(ctx);
    r->len = (uint32_t)(end - (long)r->begin);
    s->item = 0;
  }
  if (s->whole == s->depth) s->whole = 0;
  s->base.endElementNs(ctx, name, prefix, uri);
  if (s->matched == s->depth) s->matched--;
  s->depth--;
}

/* Text, comments and instructions: outside items, and in kept-whole parts. */
/* Text outside the items is kept, except the blanks between them: the
 * analysis gives up on anything that reads the items' parent's text or
 * steps over its node()s, and each would cost a node per item, walked by
 * every batch's checks (check_all). */
static bool keeps_node(const sax_state *s) {
  return !s->abort && !s->skip && (!s->item || s->whole);
}

static bool keeps_text(const sax_state *s, const xmlChar *ch, int len) {
  if (!keeps_node(s)) return false;
  if (s->item || s->depth + 1 != (int)s->p->n_item || s->matched != s->depth) return true;
  for (int i = 0; i < len; i++)
    if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\n' && ch[i] != '\r') return true;
  return false;
}

static void on_text(void *ctx, const xmlChar *ch, int len) {
  sax_state *s = state_of(ctx);
  if (keeps_text(s, ch, len)) s->base.characters(ctx, ch, len);
}

static void on_space(void *ctx, const xmlChar *ch, int len) {
  sax_state *s = state_of(ctx);
  if (keeps_text(s, ch, len)) s->base.ignorableWhitespace(ctx, ch, len);
}

static void on_comment(void *ctx, const xmlChar *value) {
  sax_state *s = state_of(ctx);
  if (keeps_node(s)) s->base.comment(ctx, value);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data) {
  sax_state *s = state_of(ctx);
  if (keeps_node(s)) s->base.processingInstruction(ctx, target, data);
}

static void on_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys) {
  (void)name, (void)ext, (void)sys;
  stop(ctx);
}

static void on_reference(void *ctx, const xmlChar *name) {
  (void)name;
  stop(ctx);
}

static void quiet(void *user, error_ptr e) { (void)user, (void)e; }

/* The skeleton, or NULL when pass 1 cannot make it (not an error: the
 * caller loads the document whole). */
static xmlDocPtr skeleton(const char *path, const rp_projection *p, rp_content_items *items) {
  xmlParserCtxtPtr ctxt = xmlCreateURLParserCtxt(path, PARSE_OPTIONS);
  if (!ctxt) return NULL;
  sax_state *s = rp_mem_calloc(1, sizeof *s);
  if (!s) {
    xmlFreeParserCtxt(ctxt);
    return NULL;
  }
  s->p = p;
  s->items = items;
  s->base = *ctxt->sax;
  ctxt->_private = s;
  ctxt->sax->startElementNs = on_start;
  ctxt->sax->endElementNs = on_end;
  ctxt->sax->characters = on_text;
  ctxt->sax->ignorableWhitespace = on_space;
  ctxt->sax->comment = on_comment;
  ctxt->sax->processingInstruction = on_pi;
  ctxt->sax->internalSubset = on_subset;
  ctxt->sax->reference = on_reference;
  ctxt->sax->serror = quiet;
  xmlSetStructuredErrorFunc(NULL, quiet);
  xmlParseDocument(ctxt);
  xmlSetStructuredErrorFunc(NULL, NULL);
  xmlDocPtr doc = ctxt->myDoc;
  ctxt->myDoc = NULL;
  bool ok = ctxt->wellFormed && !s->abort && doc && xmlDocGetRootElement(doc);
  xmlFreeParserCtxt(ctxt);
  rp_mem_free(s);
  if (!ok) {
    xmlFreeDoc(doc);
    return NULL;
  }
  return doc;
}

/* ---- expanding an item ------------------------------------------------------ */

/* Lines counted from the item's first byte, moved to the file's (as the
 * parser stores them: 65535 and, for text, the line in psvi beyond). */
static void move_lines(xmlNodePtr n, int by) {
  for (; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE || n->type == XML_TEXT_NODE || n->type == XML_COMMENT_NODE ||
        n->type == XML_PI_NODE) {
      long line = (long)n->line + by;
      if (line < 65535) {
        n->line = (unsigned short)line;
      } else {
        n->line = 65535;
        if (n->type == XML_TEXT_NODE) n->psvi = (void *)(ptrdiff_t)line;
      }
    }
    if (n->type == XML_ELEMENT_NODE) move_lines(n->children, by);
  }
}

/* The length of the start tag at buf[0] ('<'), or 0 when it ends an
 * empty element ("/>") or is not found. */
static size_t start_tag(const char *buf, size_t len) {
  char quote = 0;
  for (size_t i = 1; i < len; i++) {
    if (quote)
      quote = buf[i] == quote ? 0 : quote;
    else if (buf[i] == '"' || buf[i] == '\'')
      quote = buf[i];
    else if (buf[i] == '>')
      return buf[i - 1] == '/' ? 0 : i + 1;
  }
  return 0;
}

/* The item whole, parsed in the context of element `in`, unlinked; with
 * `light`, its start tag only (its attributes, no children). NULL when it
 * cannot be read (the file changed) or memory runs out. */
static xmlNodePtr read_item(const rp_content_items *it, const item_rec *r, xmlNodePtr in,
                            bool light) {
  if (!r->len) return NULL;
  size_t len = r->len, name = strlen((const char *)r->node->name);
  char *buf = rp_mem_alloc(len + name + 3);
  bool ok = buf && pread(it->fd, buf, len, (off_t)r->begin) == (ssize_t)len;
  size_t tag = ok && light ? start_tag(buf, len) : 0;
  if (tag) { /* the start tag, closed at once */
    len = tag + (size_t)sprintf(buf + tag, "</%s>", (const char *)r->node->name);
  }
  xmlNodePtr lst = NULL;
  if (ok) {
    xmlStructuredErrorFunc serr = xmlStructuredError;
    void *serr_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, quiet);
    /* libxml2 2.9's parser in a node's context reads through a failed
     * allocation (docs/limits.md): its own are not failed on purpose */
    rp_mem_shield(true);
    ok = xmlParseInNodeContext(in, buf, (int)len, PARSE_OPTIONS, &lst) == XML_ERR_OK;
    rp_mem_shield(false);
    xmlSetStructuredErrorFunc(serr_ctx, serr);
  }
  rp_mem_free(buf);
  /* one element, as the skeleton's */
  if (!ok || !lst || lst->next || lst->type != XML_ELEMENT_NODE ||
      !xmlStrEqual(lst->name, r->node->name)) {
    xmlFreeNodeList(lst);
    return NULL;
  }
  move_lines(lst, r->line - 1);
  return lst;
}

static void attach(xmlNodePtr parent, xmlNodePtr lst) {
  parent->children = lst;
  parent->last = NULL;
  for (xmlNodePtr c = lst; c; c = c->next) {
    c->parent = parent;
    parent->last = c;
  }
}

/* The item whose element is `node`, or NULL. */
static item_rec *item_of(const rp_content_items *it, const xmlNode *node) {
  /* after rp_content_items_forget (the tree freed): nothing is an item */
  if (!it || !it->n || !node || node->type != XML_ELEMENT_NODE || !node->psvi) return NULL;
  size_t i = (size_t)(uintptr_t)node->psvi - 1;
  return i < it->n && it->v[i].node == node ? &it->v[i] : NULL;
}

/* Expands node (whole, or with `light` its start tag only), from `given`
 * when not NULL (read already: taken, freed in every case). */
static rp_status expand(rp_content_items *it, const char *path, xmlNodePtr node, rp_diag *d,
                        bool light, xmlNodePtr given) {
  item_rec *r = item_of(it, node);
  if (!r || !node->parent || r->refs) xmlFreeNode(given);
  if (!r || !node->parent) return RP_OK;
  if (r->refs) {
    /* only a batch reads an item in part, and nothing else runs then */
    if (r->light && !light)
      return rp_diag_error(d, RP_ERR_INTERNAL, path, r->line, 0,
                           "an item read in part is needed whole; render with RP_NO_PROJECT=1");
    r->refs++;
    return RP_OK;
  }
  if (it->n_open == it->cap_open) {
    size_t cap = it->cap_open ? 2 * it->cap_open : 4;
    open_rec *v = rp_mem_reallocarray(it->open, cap, sizeof *v);
    if (!v) {
      xmlFreeNode(given);
      return rp_diag_oom(d);
    }
    it->open = v;
    it->cap_open = cap;
  }
  xmlNodePtr full = given ? given : read_item(it, r, node->parent, light);
  if (!full || !rp_content_space_breaks(full->children)) {
    xmlFreeNode(full);
    return rp_diag_error(d, RP_ERR_INPUT, path, r->line, 0,
                         "the content file changed while it was being rendered (or memory ran "
                         "out reading it again); render it again");
  }
  it->open[it->n_open++] =
      (open_rec){(size_t)(r - it->v), node->children, node->last, node->properties};
  attach(node, full->children);
  node->properties = full->properties;
  for (xmlAttrPtr at = node->properties; at; at = at->next) at->parent = node;
  full->children = full->last = NULL;
  full->properties = NULL;
  xmlFreeNode(full);
  r->refs = 1;
  r->light = light;
  return RP_OK;
}

rp_status rp_content_expand(rp_content_items *it, const char *path, xmlNodePtr node, rp_diag *d) {
  return expand(it, path, node, d, false, NULL);
}

void rp_content_collapse(rp_content_items *it, xmlNodePtr node) {
  item_rec *r = item_of(it, node);
  if (!r || !r->refs || --r->refs) return;
  r->light = 0;
  size_t i = (size_t)(r - it->v), k = 0;
  while (k < it->n_open && it->open[k].i != i) k++;
  if (k == it->n_open) return;
  xmlFreeNodeList(node->children);
  xmlFreePropList(node->properties);
  node->children = it->open[k].kept;
  node->last = it->open[k].kept_last;
  node->properties = it->open[k].kept_attrs;
  it->open[k] = it->open[--it->n_open];
}

bool rp_content_is_item(const rp_content_items *it, const xmlNode *node) {
  return item_of(it, node) != NULL;
}

bool rp_content_dormant(const rp_content_items *it, const xmlNode *node) {
  const item_rec *r = item_of(it, node);
  return r && !r->refs;
}

rp_status rp_content_lend(rp_content_items *it, const char *path, xmlNodePtr node, rp_diag *d) {
  if (!rp_content_dormant(it, node)) return RP_OK;
  if (it->n_lent == it->cap_lent) {
    size_t cap = it->cap_lent ? 2 * it->cap_lent : 8;
    size_t *v = rp_mem_reallocarray(it->lent, cap, sizeof *v);
    if (!v) return rp_diag_oom(d);
    it->lent = v;
    it->cap_lent = cap;
  }
  rp_status st = rp_content_expand(it, path, node, d);
  if (st == RP_OK) it->lent[it->n_lent++] = (size_t)(item_of(it, node) - it->v);
  return st;
}

size_t rp_content_mark(const rp_content_items *it) { return it ? it->n_lent : 0; }

void rp_content_release(rp_content_items *it, size_t mark) {
  while (it && it->n_lent > mark) rp_content_collapse(it, it->v[it->lent[--it->n_lent]].node);
}

/* ---- batches ------------------------------------------------------------------ */

unsigned rp_content_batched(const rp_content_items *it, const char *text) {
  for (size_t i = 0; it && i < it->n_batched; i++)
    if (strcmp(it->batched[i], text) == 0) return it->batched_uses[i];
  return 0;
}

static void put_back(const place *r, xmlNodePtr n);

/* The batch in the tree, collapsed and out of it again. */
static void batch_out(rp_content_items *it) {
  for (size_t k = 0; k < it->in; k++) {
    xmlNodePtr n = it->v[it->next + k].node;
    rp_content_collapse(it, n);
    xmlUnlinkNode(n);
  }
  it->next += it->in;
  it->in = 0;
}

rp_status rp_content_batches_begin(rp_content_items *it, rp_diag *d) {
  if (it->at) return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "batches of items nested");
  it->at = rp_mem_calloc(it->n ? it->n : 1, sizeof *it->at);
  if (!it->at) return rp_diag_oom(d);
  for (size_t i = 0; i < it->n; i++) {
    it->at[i] = (place){it->v[i].node->parent, it->v[i].node->prev};
    xmlUnlinkNode(it->v[i].node);
  }
  it->next = it->in = 0;
  return RP_OK;
}

/* Start tags are read up to this many bytes (else the item is read whole). */
#define TAG_MAX 2048

/* The start tags of items [i, i + n), one parent's, parsed at once (one
 * parser, not n): their elements in order, unlinked, with no children and
 * no lines of their own (only their attributes are taken); NULL when they
 * cannot be read so (then one at a time). */
static xmlNodePtr read_tags(const rp_content_items *it, size_t i, size_t n) {
  xmlNodePtr parent = it->v[i].node->parent;
  size_t cap = 1, len = 0;
  for (size_t k = 0; k < n; k++) {
    const item_rec *r = &it->v[i + k];
    if (r->node->parent != parent || r->refs) return NULL;
    cap += (r->len < TAG_MAX ? r->len : TAG_MAX) + strlen((const char *)r->node->name) + 3;
  }
  char *buf = rp_mem_alloc(cap);
  bool ok = buf != NULL;
  for (size_t k = 0; ok && k < n; k++) {
    const item_rec *r = &it->v[i + k];
    size_t want = r->len < TAG_MAX ? r->len : TAG_MAX;
    ok = pread(it->fd, buf + len, want, (off_t)r->begin) == (ssize_t)want;
    size_t tag = ok ? start_tag(buf + len, want) : 0;
    ok = tag > 0;
    if (ok) len += tag + (size_t)sprintf(buf + len + tag, "</%s>", (const char *)r->node->name);
  }
  xmlNodePtr lst = NULL;
  if (ok) {
    xmlStructuredErrorFunc serr = xmlStructuredError;
    void *serr_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, quiet);
    rp_mem_shield(true); /* as read_item */
    ok = xmlParseInNodeContext(parent, buf, (int)len, PARSE_OPTIONS, &lst) == XML_ERR_OK;
    rp_mem_shield(false);
    xmlSetStructuredErrorFunc(serr_ctx, serr);
  }
  rp_mem_free(buf);
  size_t k = 0;
  for (xmlNodePtr c = lst; ok && c; c = c->next, k++)
    ok = k < n && c->type == XML_ELEMENT_NODE && !c->children &&
         xmlStrEqual(c->name, it->v[i + k].node->name);
  if (!ok || k != n) {
    xmlFreeNodeList(lst);
    return NULL;
  }
  return lst;
}

bool rp_content_batch_next(rp_content_items *it, const char *path, bool light, rp_diag *d,
                           rp_status *st) {
  *st = RP_OK;
  batch_out(it);
  if (it->next >= it->n) return false;
  size_t n = it->n - it->next < BATCH ? it->n - it->next : BATCH;
  for (size_t k = n; k-- > 0;) put_back(&it->at[it->next + k], it->v[it->next + k].node);
  xmlNodePtr tags = light ? read_tags(it, it->next, n) : NULL;
  for (size_t k = 0; k < n; k++) {
    xmlNodePtr one = tags;
    if (one) {
      tags = one->next;
      one->next = one->prev = one->parent = NULL;
    }
    *st = expand(it, path, it->v[it->next + k].node, d, light, one);
    if (*st != RP_OK) {
      xmlFreeNodeList(tags);
      /* the ones expanded, then every one of the batch, out again */
      for (size_t j = 0; j < k; j++) rp_content_collapse(it, it->v[it->next + j].node);
      for (size_t j = 0; j < n; j++) xmlUnlinkNode(it->v[it->next + j].node);
      it->next += n;
      return false;
    }
  }
  it->in = n;
  return true;
}

void rp_content_batches_end(rp_content_items *it) {
  if (!it->at) return;
  batch_out(it);
  for (size_t i = it->n; i-- > 0;) put_back(&it->at[i], it->v[i].node);
  rp_mem_free(it->at);
  it->at = NULL;
  it->next = it->in = 0;
}

void rp_content_items_forget(rp_content_items *it) {
  if (!it) return;
  rp_content_batches_end(it);
  while (it->n_open) {
    item_rec *r = &it->v[it->open[0].i];
    r->refs = 1;
    rp_content_collapse(it, r->node);
  }
  it->n_lent = 0;
  it->n = 0;
}

void rp_content_items_free(rp_content_items *it) {
  if (!it) return;
  rp_content_batches_end(it);
  for (size_t i = 0; i < it->n_batched; i++) rp_mem_free(it->batched[i]);
  rp_mem_free(it->batched);
  rp_mem_free(it->batched_uses);
  while (it->n_open) {
    item_rec *r = &it->v[it->open[0].i];
    r->refs = 1;
    rp_content_collapse(it, r->node);
  }
  if (it->fd >= 0) close(it->fd);
  rp_mem_free(it->open);
  rp_mem_free(it->lent);
  rp_mem_free(it->v);
  rp_mem_free(it);
}

/* ---- pass 2 ------------------------------------------------------------------ */

/* Every id attribute in the items, across batches: a repeat is left to
 * rp_content_load to report. Open addressing over malloc'd copies. */
typedef struct idset {
  char **slots;
  size_t cap, n;
} idset;

static size_t hash(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)h;
}

/* False on a repeat or when memory runs out. */
static bool id_new(idset *s, const char *id) {
  if (2 * (s->n + 1) > s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 1024;
    char **slots = rp_mem_calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->slots[i]) continue;
      size_t j = hash(s->slots[i]) & (cap - 1);
      while (slots[j]) j = (j + 1) & (cap - 1);
      slots[j] = s->slots[i];
    }
    rp_mem_free(s->slots);
    s->slots = slots;
    s->cap = cap;
  }
  size_t j = hash(id) & (s->cap - 1);
  for (; s->slots[j]; j = (j + 1) & (s->cap - 1))
    if (strcmp(s->slots[j], id) == 0) return false;
  size_t n = strlen(id) + 1;
  if (!(s->slots[j] = rp_mem_alloc(n))) return false;
  memcpy(s->slots[j], id, n);
  s->n++;
  return true;
}

static void idset_fini(idset *s) {
  for (size_t i = 0; i < s->cap; i++) rp_mem_free(s->slots[i]);
  rp_mem_free(s->slots);
}

static bool ids_new(idset *s, const xmlNode *n) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    xmlChar *id = xmlGetNoNsProp(n, BAD_CAST "id");
    bool ok = !id || id_new(s, (const char *)id);
    xmlFree(id);
    if (!ok || !ids_new(s, n->children)) return false;
  }
  return true;
}

/* Puts n back where it was taken from. Items go back last first, so that
 * two with the same neighbour keep their order. */
static void put_back(const place *r, xmlNodePtr n) {
  if (r->prev)
    xmlAddNextSibling(r->prev, n);
  else if (r->parent->children)
    xmlAddPrevSibling(r->parent->children, n);
  else
    xmlAddChild(r->parent, n);
}

/* The checks of rp_content_load on the skeleton's outside with each batch
 * of items read whole; true when they all pass without a message. Adds the
 * text of the whole document to *text. The skeleton's items are out of the
 * tree meanwhile, and back in it after. */
static bool check_all(rp_content_items *it, xmlDocPtr doc, const char *path, const char *root,
                      size_t *text) {
  xmlNodePtr top = xmlDocGetRootElement(doc);
  place *at = rp_mem_calloc(it->n ? it->n : 1, sizeof *at);
  if (!at) return false;
  for (size_t i = 0; i < it->n; i++) {
    at[i] = (place){it->v[i].node->parent, it->v[i].node->prev};
    xmlUnlinkNode(it->v[i].node);
  }
  const rp_xml_schema schema = rp_content_schema();
  idset ids = {0};
  bool ok = true;
  xmlNodePtr batch[BATCH];
  for (size_t b = 0; ok && b < it->n; b += BATCH) {
    size_t n = it->n - b < BATCH ? it->n - b : BATCH;
    for (size_t k = 0; k < n; k++) batch[k] = NULL;
    for (size_t k = 0; ok && k < n; k++) {
      ok = (batch[k] = read_item(it, &it->v[b + k], at[b + k].parent, false)) != NULL;
    }
    for (size_t k = n; ok && k-- > 0;) put_back(&at[b + k], batch[k]);
    rp_diag q;
    rp_diag_init(&q);
    rp_arena *ma = ok ? rp_arena_new() : NULL;
    rp_model *m = NULL;
    ok = ma && rp_xml_check_depth(doc, path, &q) == RP_OK &&
         rp_xml_validate(doc, path, &schema, &q) == RP_OK;
    for (size_t k = 0; ok && k < n; k++) ok = rp_content_space_breaks(batch[k]->children);
    ok = ok && rp_model_build(ma, doc, path, root, &q, &m) == RP_OK && q.count == 0 &&
         q.dropped == 0;
    rp_arena_free(ma);
    rp_diag_fini(&q);
    for (size_t k = 0; k < n; k++) {
      if (!batch[k]) continue;
      if (ok) {
        xmlChar *id = xmlGetNoNsProp(batch[k], BAD_CAST "id");
        ok = (!id || id_new(&ids, (const char *)id)) && ids_new(&ids, batch[k]->children);
        xmlFree(id);
        *text += rp_content_text_bytes(batch[k]->children);
      }
      xmlUnlinkNode(batch[k]);
      xmlFreeNode(batch[k]);
    }
  }
  idset_fini(&ids);
  /* the outside's <br/>s, after validation as in rp_content_load */
  if (ok) ok = rp_content_space_breaks(top);
  *text += rp_content_text_bytes(top);
  for (size_t i = it->n; i-- > 0;) put_back(&at[i], it->v[i].node);
  rp_mem_free(at);
  /* kept-whole parts of items may hold <br/>s too */
  for (size_t i = 0; ok && i < it->n; i++) ok = rp_content_space_breaks(it->v[i].node->children);
  return ok;
}

/* ---- the load ------------------------------------------------------------------ */

rp_status rp_content_load_projected(rp_arena *a, const char *path, const rp_projection *p,
                                    rp_diag *d, rp_content **out) {
  *out = NULL;
  struct stat sb;
  if (!p || !p->n_item || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
      (unsigned long long)sb.st_size > RP_XML_MAX_BYTES)
    return rp_content_load(a, path, d, out);
  rp_content_items *it = rp_mem_calloc(1, sizeof *it);
  xmlDocPtr doc = NULL;
  const char *root = NULL;
  size_t text = 0;
  if (it) it->fd = open(path, O_RDONLY | O_CLOEXEC);
  bool ok = it && it->fd >= 0 && (doc = skeleton(path, p, it)) != NULL;
  /* Content at data/x.xml may use ../images/…: as rp_content_load */
  if (ok) ok = (root = rp_path_project_root(a, path)) != NULL;
  if (ok) ok = check_all(it, doc, path, root, &text);
  if (ok && p->n_batched) {
    ok = (it->batched = rp_mem_calloc(p->n_batched, sizeof *it->batched)) != NULL &&
         (it->batched_uses = rp_mem_calloc(p->n_batched, sizeof *it->batched_uses)) != NULL;
    for (size_t i = 0; ok && i < p->n_batched; i++, it->n_batched++) {
      ok = (it->batched[i] = rp_mem_strdup(p->batched[i].text)) != NULL;
      it->batched_uses[i] = p->batched[i].uses;
    }
  }
  /* each item's element knows its index (item_of) */
  for (size_t i = 0; ok && i < it->n; i++) it->v[i].node->psvi = (void *)(uintptr_t)(i + 1);
  rp_content *c = NULL;
  if (ok) {
    size_t path_len = strlen(path) + 1, root_len = strlen(root) + 1;
    c = rp_mem_alloc(sizeof *c + path_len + root_len);
    if (c) {
      char *strings = (char *)(c + 1);
      memcpy(strings, path, path_len);
      memcpy(strings + path_len, root, root_len);
      *c = (rp_content){
          .doc = doc, .path = strings, .root = strings + path_len, .items = it, .text_bytes = text};
    }
  }
  if (!c) {
    xmlFreeDoc(doc);
    rp_content_items_free(it);
    return rp_content_load(a, path, d, out);
  }
  *out = c;
  return RP_OK;
}

size_t rp_content_nodes(const rp_content *c) {
  size_t n = 0;
  const xmlNode *root = c && c->doc ? xmlDocGetRootElement(c->doc) : NULL, *x = root;
  while (x) {
    n++;
    if (x->type == XML_ELEMENT_NODE && x->children) {
      x = x->children;
      continue;
    }
    while (x != root && !x->next) x = x->parent;
    if (x == root) break;
    x = x->next;
  }
  return n;
}
