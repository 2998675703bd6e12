/* items — the items of a layout (docs/layout.md, "Items: --select and
 * --split"): the nodes its item runs (<run item="true">) select, each once,
 * in the order the runs and their selections give them. `render --select`
 * keeps the items a command-line XPath matches; `render --split` makes one
 * PDF per item, named by a pattern evaluated per item.
 *
 * The expressions come from the command line, not the layout, so they are
 * compiled here against the content's XPath context (with the layout's
 * functions, labels and parameters) and reported without a layout line.
 * Item nodes point into the content's libxml2 tree: valid while the content
 * is loaded. */
#include <libxml/xpathInternals.h>
#include <string.h>

#include "template/def.h"
#include "template/template.h"

/* The longest a value may add to a file name: file systems allow 255 bytes
 * per name, and the pattern's literal text needs room too. */
#define NAME_PART_MAX 120

/* An evaluation context on the content, as binding has it: the content's
 * language for label(), the layout's parameters as variables. */
static rp_status eval_begin(rp_xeval *x, rp_arena *a, const rp_layout_def *l, const rp_content *c,
                            rp_diag *d) {
  rp_status st = rp_xeval_init(x, a, d, c->doc, c->path ? c->path : "content");
  if (st != RP_OK) return st;
  x->layout = l;
  xmlChar *lang = xmlNodeGetLang(xmlDocGetRootElement(c->doc));
  x->lang = lang ? rp_arena_strdup(a, (const char *)lang) : NULL;
  bool lost = lang && !x->lang;
  xmlFree(lang);
  for (size_t i = 0; i < l->params.len && !lost; i++) {
    const rp_param_def *p = &RP_VEC_AT(l->params, rp_param_def, i);
    lost = !rp_xeval_push(x, p->name, xmlXPathNewString((const xmlChar *)p->value));
  }
  return lost ? rp_diag_oom(d) : RP_OK;
}

/* A command-line expression compiled on x's context; NULL (reported) when
 * it does not compile. `fmt` names it in messages, with %s for the text:
 * "--select \"%s\"". */
static rp_xexpr *compile(rp_xeval *x, const char *fmt, const char *text) {
  rp_xexpr *e = rp_arena_alloc(x->a, sizeof *e);
  char *where = rp_arena_alloc(x->a, strlen(fmt) + strlen(text) + 1);
  if (!e || !where) {
    rp_diag_oom(x->d);
    return NULL;
  }
  sprintf(where, fmt, text);
  *e = (rp_xexpr){.text = text, .where = where, .file = NULL, .line = 0};
  x->err[0] = '\0';
  e->comp = rp_xpath_compile(x->ctx, text);
  if (!e->comp) {
    rp_diag_error(x->d, RP_ERR_INPUT, NULL, 0, 0, "XPath error in %s: %s; check the expression",
                  where, x->err[0] ? x->err : "invalid expression");
    return NULL;
  }
  return e;
}

static bool has_node(const rp_item_list *items, const xmlNode *n) {
  for (size_t i = 0; i < items->n; i++)
    if (items->v[i].node == n) return true;
  return false;
}

static bool add_item(rp_arena *a, rp_vec *v, xmlNodePtr n) {
  rp_item_list seen = {v->data, v->len};
  if (has_node(&seen, n)) return true;
  rp_item_ref *it = rp_vec_push(a, v, sizeof *it);
  if (!it) return false;
  long line = xmlGetLineNo(n);
  *it = (rp_item_ref){n, line > 0 ? (int)line : 0};
  return true;
}

/* Every item, once each, in run order. */
static rp_status all_items(rp_xeval *x, const rp_layout_def *l, xmlNodePtr root, rp_vec *v,
                           bool *declared) {
  *declared = false;
  for (size_t i = 0; i < l->runs.len; i++) {
    const rp_run_def *r = &RP_VEC_AT(l->runs, rp_run_def, i);
    if (!r->item) continue;
    *declared = true;
    if (!r->select) {
      if (!add_item(x->a, v, root)) return rp_diag_oom(x->d);
      continue;
    }
    xmlXPathObjectPtr set;
    rp_status st = rp_xeval_nodes(x, r->select, root, 1, 1, &set);
    if (st != RP_OK) return st;
    int n = set->nodesetval ? set->nodesetval->nodeNr : 0;
    bool ok = true;
    for (int k = 0; k < n && ok; k++) ok = add_item(x->a, v, set->nodesetval->nodeTab[k]);
    xmlXPathFreeObject(set);
    if (!ok) return rp_diag_oom(x->d);
  }
  return RP_OK;
}

rp_status rp_items_find(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                        const char *select, rp_diag *d, rp_item_list *out) {
  *out = (rp_item_list){0};
  rp_xeval x;
  rp_status st = eval_begin(&x, a, l, c, d);
  xmlNodePtr root = xmlDocGetRootElement(c->doc);
  rp_vec all = {0};
  bool declared = false;
  if (st == RP_OK) st = all_items(&x, l, root, &all, &declared);
  if (st == RP_OK && !declared)
    st = rp_diag_error(d, RP_ERR_INPUT, l->path, 0, 0,
                       "the layout has no items, so --select and --split have nothing to pick "
                       "from; mark the run whose nodes are items with item=\"true\" "
                       "(docs/layout.md, \"Items\")");
  if (st == RP_OK && all.len == 0)
    st = rp_diag_error(d, RP_ERR_INPUT, x.content_file, 0, 0,
                       "the layout's item runs select nothing in this content; there is no "
                       "item to render");
  rp_item_list items = {all.data, all.len};
  if (st == RP_OK && select) {
    const rp_xexpr *e = compile(&x, "--select \"%s\"", select);
    xmlXPathObjectPtr set = NULL;
    st = e ? rp_xeval_nodes(&x, e, root, 1, 1, &set) : RP_ERR_INPUT;
    rp_vec kept = {0};
    int n = st == RP_OK && set->nodesetval ? set->nodesetval->nodeNr : 0;
    for (size_t i = 0; i < items.n && st == RP_OK; i++)
      for (int k = 0; k < n; k++) /* n × items: a few thousand at most */
        if (set->nodesetval->nodeTab[k] == items.v[i].node) {
          rp_item_ref *it = rp_vec_push(a, &kept, sizeof *it);
          if (!it) st = rp_diag_oom(d);
          if (it) *it = items.v[i];
          break;
        }
    if (e) xmlXPathFreeCompExpr(e->comp);
    if (st == RP_OK && kept.len == 0)
      st = rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0,
                         "--select \"%s\" matches %s of the layout's %zu items in %s; select "
                         "items as the layout's item runs do (e.g. //person[@id = 'x'])",
                         select, n ? "nodes but none" : "none", items.n, x.content_file);
    xmlXPathFreeObject(set);
    items = (rp_item_list){kept.data, kept.len};
  }
  rp_xeval_fini(&x);
  if (st == RP_OK) *out = items;
  return st;
}

/* A pattern's value made safe as part of a file name, into out (cap >
 * NAME_PART_MAX): white space collapsed and trimmed, path separators and
 * control characters (C0, DEL, C1) as "_", leading dots as "_", at most
 * NAME_PART_MAX bytes of whole characters. False when nothing is left. */
static bool name_part(const char *v, char *out) {
  size_t o = 0;
  bool space = true, lead = true;
  const unsigned char *s = (const unsigned char *)v;
  while (*s) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
      s++;
      if (!space && o < NAME_PART_MAX) out[o++] = ' ';
      space = true;
      continue;
    }
    size_t n = 1;
    if (*s >= 0xf0)
      n = 4;
    else if (*s >= 0xe0)
      n = 3;
    else if (*s >= 0xc0)
      n = 2;
    for (size_t k = 1; k < n; k++)
      if (!s[k]) n = k; /* a cut sequence: libxml2 gives none, but stay in bounds */
    bool unsafe = *s < 0x20 || *s == 0x7f || *s == '/' || *s == '\\' || (lead && *s == '.') ||
                  (n == 2 && *s == 0xc2 && s[1] <= 0x9f); /* C1: U+0080–U+009F */
    size_t put = unsafe ? 1 : n;
    if (o + put > NAME_PART_MAX) break;
    if (unsafe)
      out[o++] = '_';
    else
      memcpy(out + o, s, n), o += n;
    lead = lead && *s == '.'; /* every leading dot: ".." too */
    s += n;
    space = false;
  }
  while (o > 0 && out[o - 1] == ' ') o--;
  out[o] = '\0';
  return o > 0;
}

/* The end of the expression that starts at p (just after "{"): its "}",
 * skipping braces inside string literals; NULL when there is none. */
static const char *expr_end(const char *p) {
  char quote = 0;
  for (; *p; p++) {
    if (quote) {
      if (*p == quote) quote = 0;
    } else if (*p == '\'' || *p == '"') {
      quote = *p;
    } else if (*p == '}') {
      return p;
    }
  }
  return NULL;
}

/* The pattern compiled: literal parts (braces unescaped) and expressions. */
static rp_status compile_pattern(rp_xeval *x, const char *pattern, rp_avt *out) {
  rp_vec parts = {0};
  const char *p = pattern;
  while (*p) {
    rp_avt_part *part = rp_vec_push(x->a, &parts, sizeof *part);
    if (!part) return rp_diag_oom(x->d);
    *part = (rp_avt_part){0};
    *out = (rp_avt){parts.data, parts.len, NULL}; /* so far: the caller frees what compiled */
    if (*p == '{' && p[1] != '{') {
      const char *end = expr_end(p + 1);
      if (!end)
        return rp_diag_error(x->d, RP_ERR_INPUT, NULL, 0, 0,
                             "-o \"%s\": a \"{\" without its \"}\"; write {{ for a brace in "
                             "the name",
                             pattern);
      char *text = rp_arena_strndup(x->a, p + 1, (size_t)(end - p - 1));
      if (!text) return rp_diag_oom(x->d);
      if (!(part->expr = compile(x, "{%s} of -o", text))) return RP_ERR_INPUT;
      p = end + 1;
      continue;
    }
    size_t cap = strlen(p) + 1, n = 0;
    char *lit = rp_arena_alloc(x->a, cap);
    if (!lit) return rp_diag_oom(x->d);
    while (*p && !(*p == '{' && p[1] != '{')) {
      if ((*p == '{' || *p == '}') && p[1] == *p) {
        lit[n++] = *p;
        p += 2;
      } else if (*p == '}') {
        return rp_diag_error(x->d, RP_ERR_INPUT, NULL, 0, 0,
                             "-o \"%s\": a \"}\" without its \"{\"; write }} for a brace in "
                             "the name",
                             pattern);
      } else {
        lit[n++] = *p++;
      }
    }
    lit[n] = '\0';
    part->lit = lit;
  }
  return RP_OK;
}

/* ASCII letters compared without case: names that differ only so are the
 * same file on case-insensitive file systems. */
static bool same_name(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
    char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
    if (ca != cb) return false;
  }
  return *a == *b;
}

static char *put(char *o, const char *s) {
  size_t n = strlen(s);
  memcpy(o, s, n + 1);
  return o + n;
}

/* The name of item i_item of n_items: position() and last() count the items. */
static rp_status item_name(rp_xeval *x, const rp_avt *t, const char *pattern, const rp_item_ref *it,
                           size_t i_item, size_t n_items, char **out) {
  size_t cap = strlen(pattern) + 1;
  for (size_t i = 0; i < t->n; i++)
    if (t->parts[i].expr) cap += NAME_PART_MAX;
  char *name = rp_arena_alloc(x->a, cap), *o = name;
  if (!name) return rp_diag_oom(x->d);
  for (size_t i = 0; i < t->n; i++) {
    if (t->parts[i].lit) {
      o = put(o, t->parts[i].lit);
      continue;
    }
    xmlXPathObjectPtr r =
        rp_xeval_run(x, t->parts[i].expr, (xmlNodePtr)it->node, (int)i_item + 1, (int)n_items);
    if (!r) return RP_ERR_INPUT;
    xmlChar *v = xmlXPathCastToString(r);
    xmlXPathFreeObject(r);
    if (!v) return rp_diag_oom(x->d);
    char part[NAME_PART_MAX + 1];
    bool some = name_part((const char *)v, part);
    xmlFree(v);
    if (!some)
      return rp_diag_error(x->d, RP_ERR_INPUT, x->content_file, it->line, 0,
                           "%s gives no name for the item <%s> here; use an expression every "
                           "item has a value for (e.g. {@id})",
                           t->parts[i].expr->where, ((xmlNodePtr)it->node)->name);
    o = put(o, part);
  }
  *out = name;
  return RP_OK;
}

rp_status rp_items_names(rp_arena *a, const rp_layout_def *l, const rp_content *c,
                         const rp_item_list *items, const char *pattern, rp_diag *d,
                         const char ***out) {
  *out = NULL;
  rp_xeval x;
  rp_status st = eval_begin(&x, a, l, c, d);
  rp_avt t = {0};
  if (st == RP_OK) st = compile_pattern(&x, pattern, &t);
  bool varies = false;
  for (size_t i = 0; i < t.n; i++) varies |= t.parts[i].expr != NULL;
  if (st == RP_OK && !varies && items->n > 1)
    st = rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0,
                       "-o \"%s\" names one file for %zu items; with --split it is a pattern "
                       "with {xpath} parts evaluated per item (e.g. -o 'out/{@id}.pdf')",
                       pattern, items->n);
  char **names = st == RP_OK ? rp_arena_calloc(a, items->n + 1, sizeof *names) : NULL;
  if (st == RP_OK && !names) st = rp_diag_oom(d);
  /* every name first, then collisions: nothing is written unless all are distinct */
  for (size_t i = 0; i < items->n && st == RP_OK; i++)
    st = item_name(&x, &t, pattern, &items->v[i], i, items->n, &names[i]);
  for (size_t i = 0; i < items->n && st == RP_OK; i++)
    for (size_t k = 0; k < i && st == RP_OK; k++)
      if (same_name(names[i], names[k]))
        st = rp_diag_error(d, RP_ERR_INPUT, x.content_file, items->v[i].line, 0,
                           "--split: this item and the one at line %d both make \"%s\"; make "
                           "the -o pattern tell them apart (e.g. {@id}); nothing was written",
                           items->v[k].line, names[i]);
  for (size_t i = 0; i < t.n; i++)
    if (t.parts[i].expr) xmlXPathFreeCompExpr(t.parts[i].expr->comp);
  rp_xeval_fini(&x);
  if (st == RP_OK) *out = (const char **)names;
  return st;
}
