/* xfast — the simplest XPath a layout tests and selects with, evaluated
 * directly (xpath.c rp_xeval_run) instead of by libxml2's evaluator, whose
 * generality costs thousands of instructions an expression: tests such as
 * `@place or @region`, `not(@href)`, `@position and @position != 'member'`,
 * `self::p[@role = 'lead' or parent::section[@role = 'about']]`, and
 * selections such as `member[@lat]` or `p | heading | list`.
 *
 * The forms: `or`, `and`, not(), a path compared with = or != to a string
 * literal (the path ending at an attribute: its value is compared), and
 * paths of steps — ".", "..", "@name", "name", and self::, child::,
 * parent::, attribute:: with an unprefixed name — each step with predicates
 * of these forms. The value is libxml2's: a boolean, or, for one step (or a
 * union of child steps, or of self steps, without predicates), the node set
 * in document order. Anything else — numbers, variables, other functions,
 * positions, wildcards, prefixed names, paths of several steps outside a
 * test — is left to libxml2 (rp_xfast_compile gives NULL), and so is a node
 * the evaluator does not expect (an attribute made of entity references, a
 * namespace node, a parent libxml2 treats specially): rp_xfast_eval returns
 * false and libxml2 evaluates the expression. Invariant: whatever
 * rp_xfast_eval gives, libxml2 gives the same (test_template checks both on
 * every kind of context node). */
#include <libxml/xpathInternals.h>
#include <string.h>

#include "template/def.h"

typedef enum xkind { X_OR, X_AND, X_NOT, X_EQ, X_NE, X_PATH, X_UNION } xkind;
typedef enum xaxis { AX_SELF, AX_CHILD, AX_ATTR, AX_PARENT } xaxis;

typedef struct xstep {
  xaxis axis;
  const xmlChar *name; /* NULL: any node ("." and "..") */
  const rp_xfast **preds;
  size_t n_preds;
} xstep;

struct rp_xfast {
  xkind kind;
  const rp_xfast *l, *r; /* OR, AND, UNION: both; NOT, EQ, NE: l (EQ, NE: a path) */
  const xmlChar *lit;    /* EQ, NE */
  xstep *steps;          /* PATH */
  size_t n_steps;
  bool nodes; /* at the top: the value is a node set (else a boolean) */
};

/* ---- compiling ----------------------------------------------------------- */

#define MAX_DEPTH 32 /* nesting; a layout's tests nest two or three deep */

typedef struct parser {
  rp_arena *a;
  const char *p;
  int depth;
} parser;

static bool name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static bool name_char(unsigned char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static void ws(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

/* The NCName at the cursor (no prefix), its length; 0 when none. */
static size_t ncname(const char *p) {
  if (!name_start((unsigned char)*p)) return 0;
  size_t n = 1;
  while (name_char((unsigned char)p[n])) n++;
  return n;
}

static bool is_word(const char *p, size_t n, const char *w) {
  return strlen(w) == n && strncmp(p, w, n) == 0;
}

/* Consumes keyword w (an operator name) when it stands at the cursor. */
static bool keyword(parser *ps, const char *w) {
  ws(ps);
  size_t n = strlen(w);
  if (strncmp(ps->p, w, n) != 0 || name_char((unsigned char)ps->p[n]) || ps->p[n] == ':')
    return false;
  ps->p += n;
  return true;
}

static bool punct(parser *ps, const char *s) {
  ws(ps);
  size_t n = strlen(s);
  if (strncmp(ps->p, s, n) != 0) return false;
  ps->p += n;
  return true;
}

static rp_xfast *node(parser *ps, xkind k, const rp_xfast *l, const rp_xfast *r) {
  rp_xfast *e = rp_arena_calloc(ps->a, 1, sizeof *e);
  if (!e) return NULL;
  e->kind = k;
  e->l = l;
  e->r = r;
  return e;
}

static const rp_xfast *parse_or(parser *ps);

/* A name test: an unprefixed name that is no operator or node type. */
static const xmlChar *name_test(parser *ps) {
  ws(ps);
  size_t n = ncname(ps->p);
  if (n == 0 || ps->p[n] == ':') return NULL; /* none, or a prefix */
  static const char *const reserved[] = {
      "and", "or", "div", "mod", "not", "node", "text", "comment", "processing-instruction"};
  for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
    if (is_word(ps->p, n, reserved[i])) return NULL;
  const char *s = ps->p;
  ps->p += n;
  const char *after = ps->p;
  ws(ps);
  if (*ps->p == '(') return NULL; /* a function call */
  ps->p = after;
  return (const xmlChar *)rp_arena_strndup(ps->a, s, n);
}

static bool parse_step(parser *ps, xstep *st) {
  ws(ps);
  memset(st, 0, sizeof *st);
  if (ps->p[0] == '.' && ps->p[1] == '.') {
    ps->p += 2;
    st->axis = AX_PARENT;
    return true; /* no predicates after an abbreviated step */
  }
  if (ps->p[0] == '.') {
    if (ps->p[1] >= '0' && ps->p[1] <= '9') return false; /* a number */
    ps->p++;
    st->axis = AX_SELF;
    return true;
  }
  if (ps->p[0] == '@') {
    ps->p++;
    st->axis = AX_ATTR;
  } else {
    size_t n = ncname(ps->p);
    const char *q = ps->p + n;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
    if (n > 0 && q[0] == ':' && q[1] == ':') {
      if (is_word(ps->p, n, "self"))
        st->axis = AX_SELF;
      else if (is_word(ps->p, n, "child"))
        st->axis = AX_CHILD;
      else if (is_word(ps->p, n, "parent"))
        st->axis = AX_PARENT;
      else if (is_word(ps->p, n, "attribute"))
        st->axis = AX_ATTR;
      else
        return false;
      ps->p = q + 2;
    } else {
      st->axis = AX_CHILD;
    }
  }
  st->name = name_test(ps);
  if (!st->name) return false;
  rp_vec preds = {0};
  while (punct(ps, "[")) {
    const rp_xfast *pe = parse_or(ps);
    const rp_xfast **slot = pe ? rp_vec_push(ps->a, &preds, sizeof *slot) : NULL;
    if (!slot || !punct(ps, "]")) return false;
    *slot = pe;
  }
  st->preds = preds.data;
  st->n_preds = preds.len;
  return true;
}

static const rp_xfast *parse_path(parser *ps) {
  rp_vec steps = {0};
  do {
    ws(ps);
    if (*ps->p == '/') return NULL; /* "//" */
    xstep *st = rp_vec_push(ps->a, &steps, sizeof *st);
    if (!st || !parse_step(ps, st)) return NULL;
  } while (punct(ps, "/"));
  rp_xfast *e = node(ps, X_PATH, NULL, NULL);
  if (!e) return NULL;
  e->steps = steps.data;
  e->n_steps = steps.len;
  return e;
}

static const rp_xfast *parse_union(parser *ps) {
  const rp_xfast *l = parse_path(ps);
  while (l && punct(ps, "|")) {
    const rp_xfast *r = parse_path(ps);
    l = r ? node(ps, X_UNION, l, r) : NULL;
  }
  return l;
}

static const rp_xfast *parse_unary(parser *ps) {
  if (++ps->depth > MAX_DEPTH) return NULL;
  const rp_xfast *e = NULL;
  const char *at = ps->p;
  if (keyword(ps, "not") && punct(ps, "(")) {
    const rp_xfast *in = parse_or(ps);
    e = in && punct(ps, ")") ? node(ps, X_NOT, in, NULL) : NULL;
  } else {
    ps->p = at;
    e = parse_union(ps);
  }
  ps->depth--;
  return e;
}

static const xmlChar *literal(parser *ps) {
  ws(ps);
  char q = *ps->p;
  if (q != '\'' && q != '"') return NULL;
  const char *end = strchr(ps->p + 1, q);
  if (!end) return NULL;
  const char *s = ps->p + 1;
  ps->p = end + 1;
  return (const xmlChar *)rp_arena_strndup(ps->a, s, (size_t)(end - s));
}

static const rp_xfast *parse_eq(parser *ps) {
  const rp_xfast *l = parse_unary(ps);
  if (!l) return NULL;
  xkind k;
  if (punct(ps, "!="))
    k = X_NE;
  else if (punct(ps, "="))
    k = X_EQ;
  else
    return l;
  /* a path that ends at an attribute, against a string */
  if (l->kind != X_PATH || l->steps[l->n_steps - 1].axis != AX_ATTR) return NULL;
  const xmlChar *lit = literal(ps);
  rp_xfast *e = lit ? node(ps, k, l, NULL) : NULL;
  if (e) e->lit = lit;
  return e;
}

static const rp_xfast *parse_and(parser *ps) {
  const rp_xfast *l = parse_eq(ps);
  while (l && keyword(ps, "and")) {
    const rp_xfast *r = parse_eq(ps);
    l = r ? node(ps, X_AND, l, r) : NULL;
  }
  return l;
}

static const rp_xfast *parse_or(parser *ps) {
  const rp_xfast *l = parse_and(ps);
  while (l && keyword(ps, "or")) {
    const rp_xfast *r = parse_and(ps);
    l = r ? node(ps, X_OR, l, r) : NULL;
  }
  return l;
}

/* A union whose branches are all one step of `axis` without predicates. */
static bool plain_union(const rp_xfast *e, xaxis axis) {
  if (e->kind == X_UNION) return plain_union(e->l, axis) && plain_union(e->r, axis);
  return e->kind == X_PATH && e->n_steps == 1 && e->steps[0].axis == axis &&
         e->steps[0].n_preds == 0 && e->steps[0].name;
}

const rp_xfast *rp_xfast_compile(rp_arena *a, const char *text) {
  parser ps = {a, text, 0};
  const rp_xfast *e = parse_or(&ps);
  ws(&ps);
  if (!e || *ps.p) return NULL;
  bool nodes = false;
  if (e->kind == X_PATH) {
    if (e->n_steps != 1) return NULL; /* document order over several steps: libxml2's */
    nodes = true;
  } else if (e->kind == X_UNION) {
    if (!plain_union(e, AX_CHILD) && !plain_union(e, AX_SELF)) return NULL;
    nodes = true;
  }
  ((rp_xfast *)e)->nodes = nodes;
  return e;
}

/* ---- evaluating ---------------------------------------------------------- */

/* Results: 1 true, 0 false, -1 not for this evaluator (libxml2 decides). */

/* An unprefixed element or attribute named `name`, as a name test without
 * a prefix matches it (no namespace). */
static bool named(const xmlNode *n, const xmlChar *name) {
  return n->ns == NULL && xmlStrEqual(n->name, name);
}

/* Whether this evaluator knows n's axes as libxml2 walks them. */
static bool plain_node(const xmlNode *n) {
  switch (n->type) {
    case XML_ELEMENT_NODE:
    case XML_ATTRIBUTE_NODE:
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
    case XML_COMMENT_NODE:
    case XML_PI_NODE:
    case XML_DOCUMENT_NODE:
      return true;
    default:
      return false;
  }
}

/* An attribute's value as libxml2 reads it, when it is plain text. */
static int attr_value(const xmlNode *at, const xmlChar **out) {
  const xmlNode *c = at->children;
  if (!c) {
    *out = (const xmlChar *)"";
    return 1;
  }
  if (c->next || c->type != XML_TEXT_NODE) return -1;
  *out = c->content ? c->content : (const xmlChar *)"";
  return 1;
}

static int truth(const rp_xfast *e, xmlNodePtr n);

/* Whether candidate c passes step st's name test and predicates. */
static int passes(const xstep *st, xmlNodePtr c) {
  if (!plain_node(c)) return -1;
  if (st->name && !named(c, st->name)) return 0;
  for (size_t i = 0; i < st->n_preds; i++) {
    int t = truth(st->preds[i], c);
    if (t != 1) return t;
  }
  return 1;
}

typedef enum want { W_ANY, W_EQ, W_NE } want;

/* Whether some node reached from n by steps[i..] is wanted: any (W_ANY),
 * or, at the last step, an attribute whose value is (W_EQ) or is not
 * (W_NE) `lit`. */
static int reach(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr n, want w,
                 const xmlChar *lit);

static int candidate(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr c, want w,
                     const xmlChar *lit) {
  int t = passes(&steps[i], c);
  if (t != 1) return t;
  if (i + 1 < n_steps) return reach(steps, i + 1, n_steps, c, w, lit);
  if (w == W_ANY) return 1;
  if (c->type != XML_ATTRIBUTE_NODE) return -1;
  const xmlChar *v;
  if (attr_value(c, &v) < 0) return -1;
  return xmlStrEqual(v, lit) == (w == W_EQ);
}

/* The parent libxml2's parent axis gives n, or NULL with *t -1 when this
 * evaluator leaves n to it. */
static xmlNodePtr parent_of(xmlNodePtr n, int *t) {
  *t = 0;
  if (n->type == XML_DOCUMENT_NODE) return NULL;
  xmlNodePtr p = n->type == XML_ATTRIBUTE_NODE ? ((xmlAttrPtr)n)->parent : n->parent;
  if (!p || (p->type != XML_ELEMENT_NODE && p->type != XML_DOCUMENT_NODE) ||
      (p->type == XML_ELEMENT_NODE && (!p->name || p->name[0] == ' '))) {
    *t = -1; /* libxml2's own rules: a detached node, a fake one of XSLT's */
    return NULL;
  }
  return p;
}

static int reach(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr n, want w,
                 const xmlChar *lit) {
  if (!plain_node(n)) return -1;
  const xstep *st = &steps[i];
  int res = 0;
  switch (st->axis) {
    case AX_SELF:
      if (st->name && n->type != XML_ELEMENT_NODE) return 0; /* self::name: elements only */
      return candidate(steps, i, n_steps, n, w, lit);
    case AX_PARENT: {
      int t;
      xmlNodePtr p = parent_of(n, &t);
      if (!p) return t;
      if (st->name && p->type != XML_ELEMENT_NODE) return 0;
      return candidate(steps, i, n_steps, p, w, lit);
    }
    case AX_CHILD:
      if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return 0;
      for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        int t = candidate(steps, i, n_steps, c, w, lit);
        if (t == 1) return 1;
        if (t < 0) res = -1;
      }
      return res;
    case AX_ATTR:
      if (n->type != XML_ELEMENT_NODE) return 0;
      for (xmlAttrPtr at = n->properties; at; at = at->next) {
        int t = candidate(steps, i, n_steps, (xmlNodePtr)at, w, lit);
        if (t == 1) return 1;
        if (t < 0) res = -1;
      }
      return res;
  }
  return -1;
}

static int truth(const rp_xfast *e, xmlNodePtr n) {
  switch (e->kind) {
    case X_OR:
    case X_AND: {
      int l = truth(e->l, n);
      if (l < 0) return -1;
      if (l == (e->kind == X_OR)) return l; /* decided by the left, as libxml2 decides */
      return truth(e->r, n);
    }
    case X_NOT: {
      int t = truth(e->l, n);
      return t < 0 ? -1 : !t;
    }
    case X_EQ:
    case X_NE:
      return reach(e->l->steps, 0, e->l->n_steps, n, e->kind == X_EQ ? W_EQ : W_NE, e->lit);
    case X_PATH:
      return reach(e->steps, 0, e->n_steps, n, W_ANY, NULL);
    case X_UNION: {
      int l = truth(e->l, n);
      if (l != 0) return l;
      return truth(e->r, n);
    }
  }
  return -1;
}

/* Whether element c has one of the names of a plain union's steps. */
static bool union_has(const rp_xfast *e, const xmlNode *c) {
  if (e->kind == X_UNION) return union_has(e->l, c) || union_has(e->r, c);
  return named(c, e->steps[0].name);
}

/* Adds c to set when it passes: 1 done, -1 libxml2's, -2 out of memory. */
static int add_if(int pass, xmlNodeSetPtr set, xmlNodePtr c) {
  if (pass < 0) return -1;
  if (pass == 1 && xmlXPathNodeSetAddUnique(set, c) < 0) return -2;
  return 1;
}

/* Adds to set, in document order, the nodes a node-set expression (one
 * step, or a plain union) selects from n. */
static int select_nodes(const rp_xfast *e, xmlNodePtr n, xmlNodeSetPtr set) {
  if (!plain_node(n)) return -1;
  if (e->kind == X_UNION) {
    const rp_xfast *leaf = e;
    while (leaf->kind == X_UNION) leaf = leaf->l;
    if (leaf->steps[0].axis == AX_SELF)
      return n->type == XML_ELEMENT_NODE && union_has(e, n) ? add_if(1, set, n) : 1;
    if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return 1;
    for (xmlNodePtr c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || !union_has(e, c)) continue;
      if (add_if(1, set, c) < 0) return -2;
    }
    return 1;
  }
  const xstep *st = &e->steps[0];
  switch (st->axis) {
    case AX_SELF:
      if (st->name && n->type != XML_ELEMENT_NODE) return 1;
      return add_if(passes(st, n), set, n);
    case AX_PARENT: {
      int t;
      xmlNodePtr p = parent_of(n, &t);
      if (!p) return t < 0 ? -1 : 1;
      if (st->name && p->type != XML_ELEMENT_NODE) return 1;
      return add_if(passes(st, p), set, p);
    }
    case AX_CHILD:
      if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return 1;
      for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        int r = add_if(passes(st, c), set, c);
        if (r != 1) return r;
      }
      return 1;
    case AX_ATTR:
      if (n->type != XML_ELEMENT_NODE) return 1;
      for (xmlAttrPtr at = n->properties; at; at = at->next) {
        int r = add_if(passes(st, (xmlNodePtr)at), set, (xmlNodePtr)at);
        if (r != 1) return r;
      }
      return 1;
  }
  return -1;
}

bool rp_xfast_eval(const rp_xfast *e, xmlNodePtr node, xmlXPathObjectPtr *out) {
  if (!e || !node) return false;
  if (!e->nodes) {
    int t = truth(e, node);
    if (t < 0) return false;
    *out = xmlXPathNewBoolean(t); /* NULL: out of memory, as libxml2 would say */
    return true;
  }
  xmlXPathObjectPtr r = xmlXPathNewNodeSet(NULL);
  if (!r) {
    *out = NULL;
    return true;
  }
  int t = r->nodesetval ? select_nodes(e, node, r->nodesetval) : -2;
  if (t == -1) {
    xmlXPathFreeObject(r);
    return false;
  }
  if (t == -2) {
    xmlXPathFreeObject(r);
    r = NULL;
  }
  *out = r;
  return true;
}
