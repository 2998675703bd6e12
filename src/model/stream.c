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

typedef struct item_rec {
  xmlNodePtr node;   /* the skeleton's element */
  long begin, end;   /* the element's bytes [begin, end) in the file */
  int line;          /* the file's line where it begins */
  xmlNodePtr parent; /* pass 2: where it goes back */
  xmlNodePtr prev;
} item_rec;

struct rp_content_items {
  int fd;
  item_rec *v;
  size_t n, cap;
  size_t cursor;              /* the item expanded last, where the next is looked for */
  xmlNodePtr open;            /* the item expanded, or NULL */
  xmlNodePtr kept, kept_last; /* the skeleton's parts of the item open */
  xmlAttrPtr kept_attrs;
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
 * names (and an item's id: sections are anchored by it), into `out`. */
static int kept_attrs(const sax_state *s, bool item, int nb_attrs, const xmlChar **attrs,
                      const xmlChar **out) {
  char key[1100];
  size_t len = strlen(s->rel);
  int n = 0;
  for (int i = 0; i < nb_attrs && i < 64; i++) {
    const char *name = (const char *)attrs[5 * i];
    bool keep = item && !attrs[5 * i + 1] && strcmp(name, "id") == 0;
    int k = snprintf(key, sizeof key, "%s%s@%s", s->rel, len ? "/" : "", name);
    keep = keep || (k > 0 && (size_t)k < sizeof key && !attrs[5 * i + 1] &&
                    rp_projection_find(s->p, key, (size_t)k));
    if (keep) memcpy(out + 5 * n++, attrs + 5 * i, 5 * sizeof *out);
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
      int n = kept_attrs(s, true, nb_attrs, attrs, kept);
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
      r.begin = offset_of(ctxt, at);
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
      int na = kept_attrs(s, false, nb_attrs, attrs, kept);
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
    s->items->v[s->items->n - 1].end = offset_of(ctxt, ctxt->input->cur); /* after '>' */
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

/* The item whole, parsed in the context of element `in`, unlinked; NULL
 * when it cannot be read (the file changed) or memory runs out. */
static xmlNodePtr read_item(const rp_content_items *it, const item_rec *r, xmlNodePtr in) {
  if (r->end <= r->begin) return NULL;
  size_t len = (size_t)(r->end - r->begin);
  char *buf = rp_mem_alloc(len);
  bool ok = buf && pread(it->fd, buf, len, (off_t)r->begin) == (ssize_t)len;
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

static const item_rec *find(rp_content_items *it, const xmlNode *node) {
  for (size_t k = 0; k < it->n; k++) {
    size_t i = (it->cursor + k) % it->n;
    if (it->v[i].node == node) {
      it->cursor = i;
      return &it->v[i];
    }
  }
  return NULL;
}

rp_status rp_content_expand(rp_content_items *it, const char *path, xmlNodePtr node, rp_diag *d) {
  if (!it || !node || it->open || !node->parent) return RP_OK;
  const item_rec *r = find(it, node);
  if (!r) return RP_OK;
  xmlNodePtr full = read_item(it, r, node->parent);
  if (!full || !rp_content_space_breaks(full->children)) {
    xmlFreeNode(full);
    return rp_diag_error(d, RP_ERR_INPUT, path, r->line, 0,
                         "the content file changed while it was being rendered (or memory ran "
                         "out reading it again); render it again");
  }
  it->kept = node->children;
  it->kept_last = node->last;
  it->kept_attrs = node->properties;
  attach(node, full->children);
  node->properties = full->properties;
  for (xmlAttrPtr at = node->properties; at; at = at->next) at->parent = node;
  full->children = full->last = NULL;
  full->properties = NULL;
  xmlFreeNode(full);
  it->open = node;
  return RP_OK;
}

void rp_content_collapse(rp_content_items *it, xmlNodePtr node) {
  if (!it || !node || it->open != node) return;
  xmlFreeNodeList(node->children);
  xmlFreePropList(node->properties);
  node->children = it->kept;
  node->last = it->kept_last;
  node->properties = it->kept_attrs;
  it->open = NULL;
  it->kept = it->kept_last = NULL;
  it->kept_attrs = NULL;
}

void rp_content_items_free(rp_content_items *it) {
  if (!it) return;
  if (it->open) rp_content_collapse(it, it->open);
  if (it->fd >= 0) close(it->fd);
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

/* Puts n back where item r was taken from. Items go back last first, so
 * that two with the same neighbour keep their order. */
static void put_back(const item_rec *r, xmlNodePtr n) {
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
  for (size_t i = 0; i < it->n; i++) {
    item_rec *r = &it->v[i];
    r->parent = r->node->parent;
    r->prev = r->node->prev;
    xmlUnlinkNode(r->node);
  }
  const rp_xml_schema schema = rp_content_schema();
  idset ids = {0};
  bool ok = true;
  xmlNodePtr batch[BATCH];
  for (size_t b = 0; ok && b < it->n; b += BATCH) {
    size_t n = it->n - b < BATCH ? it->n - b : BATCH;
    for (size_t k = 0; k < n; k++) batch[k] = NULL;
    for (size_t k = 0; ok && k < n; k++) {
      const item_rec *r = &it->v[b + k];
      ok = (batch[k] = read_item(it, r, r->parent)) != NULL;
    }
    for (size_t k = n; ok && k-- > 0;) put_back(&it->v[b + k], batch[k]);
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
  for (size_t i = it->n; i-- > 0;) put_back(&it->v[i], it->v[i].node);
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
