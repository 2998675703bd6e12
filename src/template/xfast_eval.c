/* xfast_eval — evaluates a tree of xfast_parse.c's from a context node,
 * giving what libxml2's evaluator gives for the same expression (the
 * invariant test_template checks), or declining (-1, false) where libxml2
 * must decide: a node, variable or label it does not expect. */
#include <libxml/xpathInternals.h>
#include <string.h>

#include "base/mem.h"
#include "template/def.h"
#include "template/xfast_eval.h"

/* What an evaluation reads besides the tree: the document "/" is (the
 * XPath context's) and the variables (rp_xvar, innermost last). */
typedef struct env {
  xmlDocPtr doc;
  const rp_vec *vars;
  rp_xeval *x; /* label() */
} env;

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

static int truth(const rp_xfast *e, xmlNodePtr n, const env *ev);

/* Whether candidate c passes step st's name test and predicates, the
 * next in axis order after those counted in count[] (count[i]: the
 * candidates that reached predicate i so far, zero for the first). */
static int passes(const xstep *st, xmlNodePtr c, size_t *count, const env *ev) {
  if (!plain_node(c)) return -1;
  if (st->name && !named(c, st->name)) return 0;
  if (st->wild && c->type != XML_ELEMENT_NODE) return 0;
  for (size_t i = 0; i < st->n_preds; i++) {
    const rp_xfast *pe = st->preds[i];
    double pos = (double)++count[i];
    int t;
    if (pe->kind == X_POS) {
      switch (pe->cmp) {
        case C_EQ:
          t = pos == pe->num;
          break;
        case C_NE:
          t = pos != pe->num;
          break;
        case C_LT:
          t = pos < pe->num;
          break;
        case C_LE:
          t = pos <= pe->num;
          break;
        case C_GT:
          t = pos > pe->num;
          break;
        default:
          t = pos >= pe->num;
          break;
      }
    } else {
      t = truth(pe, c, ev);
    }
    if (t != 1) return t;
  }
  return 1;
}

typedef enum want { W_ANY, W_EQ, W_NE } want;

/* Whether some node reached from n by steps[i..] is wanted: any (W_ANY),
 * or, at the last step, an attribute whose value is (W_EQ) or is not
 * (W_NE) `lit`. */
static int reach(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr n, want w,
                 const xmlChar *lit, const env *ev);

static int candidate(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr c, want w,
                     const xmlChar *lit, size_t *count, const env *ev) {
  int t = passes(&steps[i], c, count, ev);
  if (t != 1) return t;
  if (i + 1 < n_steps) return reach(steps, i + 1, n_steps, c, w, lit, ev);
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
                 const xmlChar *lit, const env *ev) {
  if (!plain_node(n)) return -1;
  const xstep *st = &steps[i];
  bool test = st->name || st->wild; /* a name test: elements only on self and parent */
  int res = 0;
  size_t count[MAX_PREDS] = {0};
  switch (st->axis) {
    case AX_SELF:
      if (test && n->type != XML_ELEMENT_NODE) return 0;
      return candidate(steps, i, n_steps, n, w, lit, count, ev);
    case AX_PARENT: {
      int t;
      xmlNodePtr p = parent_of(n, &t);
      if (!p) return t;
      if (test && p->type != XML_ELEMENT_NODE) return 0;
      return candidate(steps, i, n_steps, p, w, lit, count, ev);
    }
    case AX_CHILD:
      if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return 0;
      for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        int t = candidate(steps, i, n_steps, c, w, lit, count, ev);
        if (t == 1) return 1;
        if (t < 0) res = -1;
      }
      return res;
    case AX_ATTR:
      if (n->type != XML_ELEMENT_NODE) return 0;
      for (xmlAttrPtr at = n->properties; at; at = at->next) {
        int t = candidate(steps, i, n_steps, (xmlNodePtr)at, w, lit, count, ev);
        if (t == 1) return 1;
        if (t < 0) res = -1;
      }
      return res;
  }
  return -1;
}

static int select_steps(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr n, const env *ev,
                        xmlNodeSetPtr set);

/* A variable's value, the innermost of the name; NULL when there is none
 * (libxml2 reports it). */
static xmlXPathObjectPtr var_value(const env *ev, const xmlChar *name) {
  for (size_t i = ev->vars ? ev->vars->len : 0; i-- > 0;) {
    const rp_xvar *v = &RP_VEC_AT(*ev->vars, rp_xvar, i);
    if (strcmp(v->name, (const char *)name) == 0) return v->value;
  }
  return NULL;
}

/* Operand o when no path: a string (*s) or a number (*num, *is_num);
 * -1 for a variable of another type or none (libxml2's). */
static int scalar_of(const xopnd *o, const env *ev, const xmlChar **s, double *num, bool *is_num) {
  *is_num = o->kind == O_NUM;
  *num = o->num;
  *s = o->s;
  if (o->kind != O_VAR) return 1;
  xmlXPathObjectPtr v = var_value(ev, o->s);
  if (!v || (v->type != XPATH_STRING && v->type != XPATH_NUMBER)) return -1;
  *is_num = v->type == XPATH_NUMBER;
  *num = v->floatval;
  *s = v->stringval ? v->stringval : (const xmlChar *)"";
  return 1;
}

/* Where path e starts from n: n, or the root (NULL: libxml2's). */
static xmlNodePtr start(const rp_xfast *e, xmlNodePtr n, const env *ev) {
  return e->abs ? (xmlNodePtr)ev->doc : n;
}

static xmlChar *string_value(const rp_xfast *e, xmlNodePtr n, const env *ev, int *t);

/* a cmp b on numbers, as XPath compares them (NaN compares false, but !=). */
static int compare_num(double a, xcmp cmp, double b) {
  switch (cmp) {
    case C_EQ:
      return a == b;
    case C_NE:
      return a != b;
    case C_LT:
      return a < b;
    case C_LE:
      return a <= b;
    case C_GT:
      return a > b;
    default:
      return a >= b;
  }
}

/* The value string() gives operand o from n: its first node's (the path
 * ordered, parse_string_arg), "" for none, or the literal's or string
 * variable's; -1 when libxml2's. */
static int string_of(const xopnd *o, xmlNodePtr n, const env *ev, const xmlChar **out) {
  if (o->kind != O_PATH) {
    double num;
    bool is_num;
    return scalar_of(o, ev, out, &num, &is_num) < 0 || is_num ? -1 : 1;
  }
  const xstep *st = o->path->steps;
  if (o->path->n_steps == 1 && !o->path->abs && st->n_preds == 0) {
    /* "@name", the common argument: read in place */
    if (!plain_node(n)) return -1;
    *out = (const xmlChar *)"";
    for (xmlAttrPtr at = n->type == XML_ELEMENT_NODE ? n->properties : NULL; at; at = at->next)
      if (named((const xmlNode *)at, st->name)) return attr_value((xmlNodePtr)at, out);
    return 1;
  }
  xmlNodePtr from = start(o->path, n, ev);
  xmlNodeSetPtr set = from ? xmlXPathNodeSetCreate(NULL) : NULL;
  if (!set) return -1;
  int t = select_steps(o->path->steps, 0, o->path->n_steps, from, ev, set);
  *out = (const xmlChar *)"";
  if (t == 1 && set->nodeNr > 0) t = attr_value(set->nodeTab[0], out);
  xmlXPathFreeNodeSet(set);
  return t == 1 ? 1 : -1;
}

/* a = b or a != b (X_CMP) as XPath 1.0 compares: a node set against a
 * string, a variable's or another node set's values, true when some pair
 * compares so; else numbers when either is one, else strings. */
static int compare(const rp_xfast *e, xmlNodePtr n, const env *ev) {
  want w = e->ne ? W_NE : W_EQ;
  if (e->a.kind == O_PATH) {
    const rp_xfast *p = e->a.path;
    xmlNodePtr from = start(p, n, ev);
    if (!from) return -1;
    if (e->b.kind != O_PATH) {
      const xmlChar *s;
      double num;
      bool is_num;
      if (scalar_of(&e->b, ev, &s, &num, &is_num) < 0 || is_num) return -1;
      return reach(p->steps, 0, p->n_steps, from, w, s, ev);
    }
    xmlNodePtr bfrom = start(e->b.path, n, ev);
    xmlNodeSetPtr set = bfrom ? xmlXPathNodeSetCreate(NULL) : NULL;
    if (!set) return -1;
    int res = select_steps(e->b.path->steps, 0, e->b.path->n_steps, bfrom, ev, set) == 1 ? 0 : -1;
    for (int i = 0; res == 0 && i < set->nodeNr; i++) {
      const xmlChar *v;
      res =
          attr_value(set->nodeTab[i], &v) < 0 ? -1 : reach(p->steps, 0, p->n_steps, from, w, v, ev);
    }
    xmlXPathFreeNodeSet(set);
    return res;
  }
  const xmlChar *as, *bs;
  double an, bn;
  bool anum, bnum;
  if (scalar_of(&e->a, ev, &as, &an, &anum) < 0 || scalar_of(&e->b, ev, &bs, &bn, &bnum) < 0)
    return -1;
  if (anum || bnum) {
    double x = anum ? an : xmlXPathCastStringToNumber(as);
    double y = bnum ? bn : xmlXPathCastStringToNumber(bs);
    return e->ne ? x != y : x == y; /* NaN: equal to nothing, unequal to all */
  }
  return xmlStrEqual(as, bs) != e->ne;
}

static int truth(const rp_xfast *e, xmlNodePtr n, const env *ev) {
  switch (e->kind) {
    case X_OR:
    case X_AND: {
      int l = truth(e->l, n, ev);
      if (l < 0) return -1;
      if (l == (e->kind == X_OR)) return l; /* decided by the left, as libxml2 decides */
      return truth(e->r, n, ev);
    }
    case X_NOT: {
      int t = truth(e->l, n, ev);
      return t < 0 ? -1 : !t;
    }
    case X_EQ:
    case X_NE: {
      xmlNodePtr from = start(e->l, n, ev);
      if (!from) return -1;
      return reach(e->l->steps, 0, e->l->n_steps, from, e->kind == X_EQ ? W_EQ : W_NE, e->lit, ev);
    }
    case X_PATH: {
      xmlNodePtr from = start(e, n, ev);
      if (!from) return -1;
      return reach(e->steps, 0, e->n_steps, from, W_ANY, NULL, ev);
    }
    case X_UNION: {
      int l = truth(e->l, n, ev);
      if (l != 0) return l;
      return truth(e->r, n, ev);
    }
    case X_CMP:
      return compare(e, n, ev);
    case X_STARTS:
    case X_CONTAINS: {
      const xmlChar *hay, *needle;
      if (string_of(&e->a, n, ev, &hay) < 0 || string_of(&e->b, n, ev, &needle) < 0) return -1;
      if (e->kind == X_CONTAINS) return xmlStrstr(hay, needle) != NULL;
      return xmlStrncmp(hay, needle, xmlStrlen(needle)) == 0;
    }
    case X_VAR: {
      xmlXPathObjectPtr v = var_value(ev, e->lit);
      return v ? xmlXPathCastToBoolean(v) != 0 : -1;
    }
    case X_SLEN: {
      int t;
      xmlChar *s = string_value(e->l, n, ev, &t);
      if (!s) return -1;
      double len = xmlUTF8Strlen(s); /* as string-length(): -1 for bad UTF-8 */
      xmlFree(s);
      return compare_num(len, e->cmp, e->num);
    }
    case X_COUNT: /* a number: a predicate's position, a test's count() > 0 — libxml2's */
    case X_JOIN:
    case X_CONCAT:
    case X_NORM:
    case X_STR:
    case X_LABEL:
    case X_CHOOSE:
    case X_POS: /* a predicate alone: passes() */
      return -1;
  }
  return -1;
}

/* The branches of a plain union, left to right, into br[] (*n of them). */
static void branches(const rp_xfast *e, const xstep **br, size_t *n) {
  if (e->kind == X_UNION) {
    branches(e->l, br, n);
    branches(e->r, br, n);
  } else {
    br[(*n)++] = &e->steps[0];
  }
}

/* Adds c to set when it passes: 1 done, -1 libxml2's, -2 out of memory. */
static int add_if(int pass, xmlNodeSetPtr set, xmlNodePtr c) {
  if (pass < 0) return -1;
  if (pass == 1 && xmlXPathNodeSetAddUnique(set, c) < 0) return -2;
  return 1;
}

/* Adds to set, in document order, the nodes a plain union selects from n. */
static int select_plain(const rp_xfast *e, xmlNodePtr n, const env *ev, xmlNodeSetPtr set) {
  if (!plain_node(n)) return -1;
  /* the node itself first (its self steps), then its children (any child
   * step), each branch counting its own positions */
  const xstep *br[MAX_BRANCHES];
  size_t nb = 0;
  branches(e, br, &nb);
  size_t count[MAX_BRANCHES][MAX_PREDS];
  memset(count, 0, sizeof count);
  int self = 0;
  for (size_t b = 0; b < nb; b++) {
    if (br[b]->axis != AX_SELF || n->type != XML_ELEMENT_NODE) continue;
    int t = passes(br[b], n, count[b], ev);
    if (t < 0) return -1;
    self |= t;
  }
  if (add_if(self, set, n) < 0) return -2;
  if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return 1;
  for (xmlNodePtr c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    int in = 0;
    for (size_t b = 0; b < nb; b++) { /* every branch: each counts the child */
      if (br[b]->axis != AX_CHILD) continue;
      int t = passes(br[b], c, count[b], ev);
      if (t < 0) return -1;
      in |= t;
    }
    if (add_if(in, set, c) < 0) return -2;
  }
  return 1;
}

static int select_steps(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr n, const env *ev,
                        xmlNodeSetPtr set);

/* Candidate c of step i: added when the last step passes it, else the
 * next step from it. */
static int select_next(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr c, size_t *count,
                       const env *ev, xmlNodeSetPtr set) {
  int t = passes(&steps[i], c, count, ev);
  if (t != 1) return t < 0 ? -1 : 1;
  if (i + 1 < n_steps) return select_steps(steps, i + 1, n_steps, c, ev, set);
  return add_if(1, set, c);
}

/* Adds to set the nodes an ordered path's steps[i..] select from n, depth
 * first: in document order (ordered_path). 1 done, -1 libxml2's, -2 out
 * of memory. */
static int select_steps(const xstep *steps, size_t i, size_t n_steps, xmlNodePtr n, const env *ev,
                        xmlNodeSetPtr set) {
  if (!plain_node(n)) return -1;
  const xstep *st = &steps[i];
  bool test = st->name || st->wild; /* a name test: elements only on self and parent */
  size_t count[MAX_PREDS] = {0};
  switch (st->axis) {
    case AX_SELF:
      if (test && n->type != XML_ELEMENT_NODE) return 1;
      return select_next(steps, i, n_steps, n, count, ev, set);
    case AX_PARENT: {
      int t;
      xmlNodePtr p = parent_of(n, &t);
      if (!p) return t < 0 ? -1 : 1;
      if (test && p->type != XML_ELEMENT_NODE) return 1;
      return select_next(steps, i, n_steps, p, count, ev, set);
    }
    case AX_CHILD:
      if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return 1;
      for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        int r = select_next(steps, i, n_steps, c, count, ev, set);
        if (r != 1) return r;
      }
      return 1;
    case AX_ATTR:
      if (n->type != XML_ELEMENT_NODE) return 1;
      for (xmlAttrPtr at = n->properties; at; at = at->next) {
        int r = select_next(steps, i, n_steps, (xmlNodePtr)at, count, ev, set);
        if (r != 1) return r;
      }
      return 1;
  }
  return -1;
}

/* Adds to set the nodes each branch of union e (or path e) selects from
 * n, each branch in document order. */
static int select_branches(const rp_xfast *e, xmlNodePtr n, const env *ev, xmlNodeSetPtr set) {
  if (e->kind == X_UNION) {
    int l = select_branches(e->l, n, ev, set);
    return l == 1 ? select_branches(e->r, n, ev, set) : l;
  }
  xmlNodePtr from = start(e, n, ev);
  return from ? select_steps(e->steps, 0, e->n_steps, from, ev, set) : -1;
}

/* Adds to the empty set, in document order, the nodes node-set expression
 * e selects from n: a union that is not plain, its branches' nodes sorted
 * as libxml2 sorts a union (xmlXPathNodeSetSort) and each kept once. */
static int select_nodes(const rp_xfast *e, xmlNodePtr n, const env *ev, xmlNodeSetPtr set) {
  if (e->kind == X_UNION && !e->merge) return select_plain(e, n, ev, set);
  int t = select_branches(e, n, ev, set);
  if (t != 1 || !e->merge || set->nodeNr < 2) return t;
  xmlXPathNodeSetSort(set);
  int k = 1;
  for (int i = 1; i < set->nodeNr; i++)
    if (set->nodeTab[i] != set->nodeTab[k - 1]) set->nodeTab[k++] = set->nodeTab[i];
  set->nodeNr = k;
  return 1;
}

/* IS_BLANK_CH's white space, as normalize-space() collapses it. */
static bool blank(xmlChar c) { return c == 0x20 || c == 0x9 || c == 0xA || c == 0xD; }

/* The string e (X_CONCAT, X_NORM, X_STR) gives from n, as string(),
 * concat() and normalize-space() make it, allocated (xmlFree); NULL with
 * *t -1 when libxml2's, -2 when out of memory. */
static xmlChar *string_value(const rp_xfast *e, xmlNodePtr n, const env *ev, int *t) {
  *t = 1;
  if (e->kind == X_CONCAT) {
    xmlChar *acc = xmlStrdup((const xmlChar *)"");
    for (size_t i = 0; acc && i < e->n_args; i++) {
      xmlChar *v = string_value(e->args[i], n, ev, t);
      if (!v) {
        xmlFree(acc);
        return NULL;
      }
      acc = xmlStrcat(acc, v);
      xmlFree(v);
    }
    if (!acc) *t = -2;
    return acc;
  }
  if (e->kind == X_NORM) {
    xmlChar *v = string_value(e->l, n, ev, t);
    if (!v) return NULL;
    /* leading and trailing white space dropped, each run inside one space */
    xmlChar *o = v, *p = v;
    bool gap = false;
    while (blank(*p)) p++;
    for (; *p; p++) {
      if (blank(*p)) {
        gap = true;
        continue;
      }
      if (gap) *o++ = ' ';
      gap = false;
      *o++ = *p;
    }
    *o = '\0';
    return v;
  }
  xmlChar *v = NULL;
  if (e->kind == X_LABEL) {
    /* the layout's word; a missing one is libxml2's, which reports it */
    const char *text = rp_label_find(ev->x, (const char *)e->lit, false);
    if (!text) {
      *t = -1;
      return NULL;
    }
    v = xmlStrdup((const xmlChar *)text);
  } else if (e->a.kind == O_LIT) {
    v = xmlStrdup(e->a.s);
  } else if (e->a.kind == O_VAR) {
    xmlXPathObjectPtr x = var_value(ev, e->a.s);
    if (!x || (x->type != XPATH_STRING && x->type != XPATH_NUMBER && x->type != XPATH_BOOLEAN)) {
      *t = -1; /* a node set's first node: libxml2 sorts the copy it reads */
      return NULL;
    }
    v = xmlXPathCastToString(x);
  } else {
    xmlNodePtr from = start(e->a.path, n, ev);
    xmlNodeSetPtr set = from ? xmlXPathNodeSetCreate(NULL) : NULL;
    if (!set) {
      *t = from ? -2 : -1;
      return NULL;
    }
    *t = select_steps(e->a.path->steps, 0, e->a.path->n_steps, from, ev, set);
    if (*t == 1)
      v = set->nodeNr ? xmlXPathCastNodeToString(set->nodeTab[0]) : xmlStrdup((const xmlChar *)"");
    xmlXPathFreeNodeSet(set);
    if (*t != 1) return NULL;
  }
  if (!v) *t = -2;
  return v;
}

/* A variable's value at the top, as libxml2 gives it: a copy, a node set
 * sorted (the sort libxml2's compiler puts after an expression). */
static bool var_copy(const rp_xfast *e, const env *ev, xmlXPathObjectPtr *out) {
  xmlXPathObjectPtr v = var_value(ev, e->lit);
  if (!v) return false;
  *out = xmlXPathObjectCopy(v);
  if (*out && (*out)->type == XPATH_NODESET && (*out)->nodesetval && (*out)->nodesetval->nodeNr > 1)
    xmlXPathNodeSetSort((*out)->nodesetval);
  return true;
}

/* The object value v (parse_value's) gives from n, as libxml2 gives it:
 * choose() evaluates its three arguments and gives one of its values;
 * NULL with *t -1 when libxml2's, -2 when out of memory. */
static xmlXPathObjectPtr value_of(const rp_xfast *v, xmlNodePtr n, const env *ev, int *t) {
  *t = 1;
  xmlXPathObjectPtr o = NULL;
  if (v->kind == X_CHOOSE) {
    int yes = truth(v->l, n, ev);
    xmlXPathObjectPtr a = yes < 0 ? NULL : value_of(v->args[0], n, ev, t);
    xmlXPathObjectPtr b = a ? value_of(v->args[1], n, ev, t) : NULL;
    if (yes < 0) *t = -1;
    if (!b) {
      xmlXPathFreeObject(a);
      return NULL;
    }
    xmlXPathFreeObject(yes ? b : a);
    return yes ? a : b;
  }
  if (v->kind == X_VAR) {
    if (!var_copy(v, ev, &o))
      *t = -1;
    else if (!o)
      *t = -2;
    return o;
  }
  if (v->kind == X_PATH || v->kind == X_UNION) {
    o = xmlXPathNewNodeSet(NULL);
    *t = o && o->nodesetval ? select_nodes(v, n, ev, o->nodesetval) : -2;
  } else {
    xmlChar *s = string_value(v, n, ev, t);
    o = s ? xmlXPathWrapString(s) : NULL;
    if (s && !o) {
      xmlFree(s);
      *t = -2;
    }
  }
  if (*t == 1) return o;
  xmlXPathFreeObject(o);
  return NULL;
}

int rp_xfast_truth(const rp_xfast *e, xmlNodePtr node, rp_xeval *x) {
  if (!e || !node) return -1;
  const env ev = {x->ctx->doc, &x->vars, x};
  return truth(e, node, &ev); /* a node set's: whether it has a node (reach) */
}

bool rp_xfast_eval(const rp_xfast *e, xmlNodePtr node, rp_xeval *x, xmlXPathObjectPtr *out) {
  if (!e || !node) return false;
  const env ev_ = {x->ctx->doc, &x->vars, x}, *ev = &ev_;
  if (e->res == R_BOOL) {
    int t = truth(e, node, ev);
    if (t < 0) return false;
    *out = xmlXPathNewBoolean(t); /* NULL: out of memory, as libxml2 would say */
    return true;
  }
  if (e->res == R_VAR) return var_copy(e, ev, out);
  if (e->res == R_VALUE) {
    int t;
    *out = value_of(e, node, ev, &t);
    return t != -1; /* -2: *out NULL, out of memory */
  }
  if (e->res == R_STRING) {
    int t;
    xmlChar *v = string_value(e, node, ev, &t);
    if (t == -1) return false;
    *out = v ? xmlXPathWrapString(v) : NULL; /* the object takes v */
    if (!*out) xmlFree(v);
    return true;
  }
  if (e->res == R_COUNT && e->lit) {
    xmlXPathObjectPtr v = var_value(ev, e->lit);
    if (!v || v->type != XPATH_NODESET) return false; /* libxml2's error */
    *out = xmlXPathNewFloat(v->nodesetval ? v->nodesetval->nodeNr : 0);
    return true;
  }
  xmlXPathObjectPtr r = xmlXPathNewNodeSet(NULL);
  if (!r) {
    *out = NULL;
    return true;
  }
  const rp_xfast *sel = e->res == R_COUNT || e->res == R_JOIN ? e->l : e;
  int t = r->nodesetval ? select_nodes(sel, node, ev, r->nodesetval) : -2;
  if (t == 1 && e->res == R_COUNT) {
    double c = r->nodesetval->nodeNr;
    xmlXPathFreeObject(r);
    *out = xmlXPathNewFloat(c);
    return true;
  }
  if (t == 1 && e->res == R_JOIN) { /* the text join() makes (xpathfn.c) */
    char *text = rp_xpathfn_join(r->nodesetval, (const char *)e->lit);
    xmlXPathFreeObject(r);
    *out = text ? xmlXPathNewString((const xmlChar *)text) : NULL;
    rp_mem_free(text);
    return true;
  }
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
