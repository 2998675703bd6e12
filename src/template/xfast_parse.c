/* xfast_parse — reads an XPath expression of the forms xfast_parse.h lists
 * into its tree (rp_xfast, allocated from the caller's arena), or gives NULL
 * for any other, which libxml2 then compiles and evaluates. Recursive
 * descent, a function a grammar level, nesting bounded by MAX_DEPTH. What
 * the tree means when evaluated is xfast_eval.c's. */
#include <stdlib.h>
#include <string.h>

#include "template/xfast_parse.h"

#define MAX_DEPTH 32 /* nesting; a layout's tests nest two or three deep */

typedef struct parser {
  rp_arena *a;
  const char *p;
  int depth;
  int tops; /* count() and join() calls read: one, at the top, is all xfast evaluates */
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
  if (*ps->p != *w) return false; /* most tries: before strlen and strncmp */
  size_t n = strlen(w);
  if (strncmp(ps->p, w, n) != 0 || name_char((unsigned char)ps->p[n]) || ps->p[n] == ':')
    return false;
  ps->p += n;
  return true;
}

static bool punct(parser *ps, const char *s) {
  ws(ps);
  if (*ps->p != *s) return false;
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

/* Operands of `sub` joined left to right by operator `op` (a keyword, or
 * punctuation when !word) into `k` nodes: union, and, or. */
static const rp_xfast *parse_chain(parser *ps, const rp_xfast *(*sub)(parser *), const char *op,
                                   bool word, xkind k) {
  const rp_xfast *l = sub(ps);
  while (l && (word ? keyword(ps, op) : punct(ps, op))) {
    const rp_xfast *r = sub(ps);
    l = r ? node(ps, k, l, r) : NULL;
  }
  return l;
}

static const rp_xfast *parse_or(parser *ps);
static const rp_xfast *parse_union(parser *ps);

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

/* Consumes one of = != < <= > >= into *cmp; false when none stands at
 * the cursor. */
static bool comparison(parser *ps, xcmp *cmp) {
  static const struct {
    const char *op;
    xcmp cmp;
  } ops[] = {{"!=", C_NE}, {"<=", C_LE}, {">=", C_GE}, {"=", C_EQ}, {"<", C_LT}, {">", C_GT}};
  for (size_t k = 0; k < sizeof ops / sizeof *ops; k++)
    if (punct(ps, ops[k].op)) {
      *cmp = ops[k].cmp;
      return true;
    }
  return false;
}

/* A predicate that is a position alone: "[2]", "[position() > 1]" (an
 * integer after any of = != < <= > >=); NULL, the cursor kept, for any
 * other. */
static const rp_xfast *parse_pos(parser *ps) {
  const char *at = ps->p;
  xcmp cmp = C_EQ;
  ws(ps);
  if (strncmp(ps->p, "position", 8) == 0 && !name_char((unsigned char)ps->p[8])) {
    ps->p += 8;
    if (!punct(ps, "(") || !punct(ps, ")")) goto none;
    if (!comparison(ps, &cmp)) goto none;
    ws(ps);
  }
  if (*ps->p < '0' || *ps->p > '9') goto none;
  double v = 0;
  while (*ps->p >= '0' && *ps->p <= '9' && v < 1e9) v = v * 10 + (*ps->p++ - '0');
  if ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.') goto none;
  ws(ps);
  if (*ps->p != ']') goto none;
  rp_xfast *e = node(ps, X_POS, NULL, NULL);
  if (e) e->cmp = cmp, e->num = v;
  return e;
none:
  ps->p = at;
  return NULL;
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
  ws(ps);
  if (*ps->p == '*' && st->axis != AX_ATTR) {
    ps->p++;
    st->wild = true;
  } else if (!(st->name = name_test(ps))) {
    return false;
  }
  rp_vec preds = {0};
  while (punct(ps, "[")) {
    if (preds.len == MAX_PREDS) return false;
    const rp_xfast *pe = parse_pos(ps);
    if (!pe) pe = parse_or(ps);
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
  ws(ps);
  bool abs = ps->p[0] == '/' && ps->p[1] != '/';
  if (abs) ps->p++;
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
  e->abs = abs;
  return e;
}

/* Adds predicate pe to the last step of each path of union e (made by
 * this parser, so still its to change); false when out of memory or a
 * step has its MAX_PREDS. */
static bool add_pred(parser *ps, const rp_xfast *e, const rp_xfast *pe) {
  if (e->kind == X_UNION) return add_pred(ps, e->l, pe) && add_pred(ps, e->r, pe);
  xstep *st = &e->steps[e->n_steps - 1];
  if (st->n_preds == MAX_PREDS) return false;
  const rp_xfast **preds = rp_arena_alloc(ps->a, (st->n_preds + 1) * sizeof *preds);
  if (!preds) return false;
  if (st->n_preds) memcpy(preds, st->preds, st->n_preds * sizeof *preds);
  preds[st->n_preds++] = pe;
  st->preds = preds;
  return true;
}

/* "(union)[pred]...", the "(" read: each predicate, no position, given to
 * every branch's last step — the nodes of the union that pass it are those
 * of each branch that do. Nothing may follow but predicates ("(a | b)/c"
 * is libxml2's). */
static const rp_xfast *parse_filter(parser *ps) {
  const rp_xfast *u = parse_union(ps);
  if (!u || !punct(ps, ")")) return NULL;
  while (punct(ps, "[")) {
    if (parse_pos(ps)) return NULL; /* positions count over the union: libxml2's */
    const rp_xfast *pe = parse_or(ps);
    if (!pe || !punct(ps, "]") || !add_pred(ps, u, pe)) return NULL;
  }
  ws(ps);
  return *ps->p == '/' ? NULL : u;
}

/* A path, or a union in brackets with its predicates. */
static const rp_xfast *parse_branch(parser *ps) {
  if (!punct(ps, "(")) return parse_path(ps);
  if (++ps->depth > MAX_DEPTH) return NULL;
  const rp_xfast *e = parse_filter(ps);
  ps->depth--;
  return e;
}

static const rp_xfast *parse_union(parser *ps) {
  return parse_chain(ps, parse_branch, "|", false, X_UNION);
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

/* "$name": its name; NULL, the cursor kept, when none. */
static const xmlChar *variable(parser *ps) {
  ws(ps);
  if (*ps->p != '$') return NULL;
  size_t n = ncname(ps->p + 1);
  if (n == 0 || ps->p[1 + n] == ':') return NULL; /* a prefixed name: libxml2's */
  const char *s = ps->p + 1;
  ps->p += 1 + n;
  return (const xmlChar *)rp_arena_strndup(ps->a, s, n);
}

/* A literal, a variable or a number ("3", "0.5") into *o; false, the
 * cursor kept, for anything else. */
static bool parse_scalar(parser *ps, xopnd *o) {
  ws(ps);
  memset(o, 0, sizeof *o);
  const char *at = ps->p;
  if ((o->s = literal(ps))) {
    o->kind = O_LIT;
    return true;
  }
  if ((o->s = variable(ps))) {
    o->kind = O_VAR;
    return true;
  }
  if (*ps->p >= '0' && *ps->p <= '9') {
    char *end;
    o->num = strtod(ps->p, &end);
    /* digits with one point at most, as XPath writes a number */
    size_t d = strspn(ps->p, "0123456789");
    if (ps->p[d] == '.') d += 1 + strspn(ps->p + d + 1, "0123456789");
    if (end != ps->p + d || name_char((unsigned char)*end)) {
      ps->p = at;
      return false;
    }
    ps->p = end;
    o->kind = O_NUM;
    return true;
  }
  ps->p = at;
  return false;
}

/* Whether path e ends at an attribute: its nodes' values are the
 * attributes' text (xfast compares no element's string value). */
static bool attr_last(const rp_xfast *e) {
  return e->kind == X_PATH && e->steps[e->n_steps - 1].axis == AX_ATTR;
}

static bool ordered_path(const rp_xfast *e);
static bool node_set_form(const rp_xfast *e);

/* An argument of starts-with() or contains(): a string literal, a
 * variable, or an ordered path ending at an attribute (its first node's
 * value, as string() gives it). */
static bool parse_string_arg(parser *ps, xopnd *o) {
  if (parse_scalar(ps, o)) return o->kind != O_NUM; /* a number's text: libxml2's */
  const rp_xfast *p = parse_path(ps);
  if (!p || !attr_last(p) || !ordered_path(p)) return false;
  o->kind = O_PATH;
  o->path = p;
  return true;
}

#define MAX_ARGS 16 /* of concat() */

/* An argument of concat() or normalize-space(): either of those, a literal,
 * a variable or an ordered path (its first node's string value). */
static const rp_xfast *parse_string(parser *ps) {
  if (++ps->depth > MAX_DEPTH) return NULL;
  const rp_xfast *r = NULL;
  const char *at = ps->p;
  rp_xfast *e = NULL;
  if (keyword(ps, "concat") && punct(ps, "(")) {
    rp_vec args = {0};
    do {
      const rp_xfast **slot = args.len < MAX_ARGS ? rp_vec_push(ps->a, &args, sizeof *slot) : NULL;
      if (!slot || !(*slot = parse_string(ps))) goto done;
    } while (punct(ps, ","));
    if (args.len < 2 || !punct(ps, ")") || !(e = node(ps, X_CONCAT, NULL, NULL))) goto done;
    e->args = args.data;
    e->n_args = args.len;
  } else if ((ps->p = at, keyword(ps, "normalize-space")) && punct(ps, "(")) {
    const rp_xfast *in = parse_string(ps);
    if (!in || !punct(ps, ")") || !(e = node(ps, X_NORM, in, NULL))) goto done;
  } else if ((ps->p = at, keyword(ps, "label")) && punct(ps, "(")) {
    const xmlChar *name = literal(ps); /* a computed name: libxml2's */
    if (!name || !punct(ps, ")") || !(e = node(ps, X_LABEL, NULL, NULL))) goto done;
    e->lit = name;
  } else {
    ps->p = at;
    xopnd o;
    if (!parse_scalar(ps, &o)) {
      const rp_xfast *p = parse_path(ps);
      if (!p || !ordered_path(p)) goto done;
      o = (xopnd){.kind = O_PATH, .path = p};
    }
    if (o.kind == O_NUM || !(e = node(ps, X_STR, NULL, NULL)))
      goto done; /* a number's text: libxml2's */
    e->a = o;
  }
  r = e;
done:
  ps->depth--;
  return r;
}

/* An argument of choose() after its test, or what is at the top: choose()
 * itself, a variable (its value), a string of parse_string's, or a path or
 * union (its node set). */
static const rp_xfast *parse_value(parser *ps) {
  if (++ps->depth > MAX_DEPTH) return NULL;
  const rp_xfast *r = NULL;
  const char *at = ps->p;
  xopnd o;
  if (keyword(ps, "choose") && punct(ps, "(")) {
    const rp_xfast *t = parse_or(ps);
    const rp_xfast *a = t && punct(ps, ",") ? parse_value(ps) : NULL;
    const rp_xfast *b = a && punct(ps, ",") ? parse_value(ps) : NULL;
    rp_xfast *e = b && punct(ps, ")") ? node(ps, X_CHOOSE, t, NULL) : NULL;
    const rp_xfast **args = e ? rp_arena_alloc(ps->a, 2 * sizeof *args) : NULL;
    if (args) {
      args[0] = a;
      args[1] = b;
      e->args = args;
      e->n_args = 2;
      r = e;
    }
  } else if ((ps->p = at, parse_scalar(ps, &o)) && o.kind == O_VAR) {
    rp_xfast *e = node(ps, X_VAR, NULL, NULL);
    if (e) e->lit = o.s;
    r = e;
  } else {
    ps->p = at;
    ws(ps);
    bool text = *ps->p == '\'' || *ps->p == '"' || keyword(ps, "concat") ||
                keyword(ps, "normalize-space") || keyword(ps, "label");
    ps->p = at;
    if (text) {
      r = parse_string(ps);
    } else {
      const rp_xfast *u = parse_union(ps);
      r = u && node_set_form(u) ? u : NULL;
    }
  }
  ps->depth--;
  return r;
}

/* starts-with(a, b), contains(a, b), count(...), the name read. */
static const rp_xfast *parse_call(parser *ps, xkind k) {
  rp_xfast *e = node(ps, k, NULL, NULL);
  if (!e) return NULL;
  if (k == X_JOIN) {
    ps->tops++;
    e->l = parse_union(ps);
    if (!e->l || !punct(ps, ",") || !(e->lit = literal(ps)) || !punct(ps, ")")) return NULL;
    return node_set_form(e->l) ? e : NULL;
  }
  if (k == X_COUNT) {
    ps->tops++;
    if ((e->lit = variable(ps))) return punct(ps, ")") ? e : NULL;
    e->l = parse_union(ps);
    return e->l && punct(ps, ")") && node_set_form(e->l) ? e : NULL;
  }
  if (!parse_string_arg(ps, &e->a) || !punct(ps, ",") || !parse_string_arg(ps, &e->b) ||
      !punct(ps, ")"))
    return NULL;
  return e;
}

static const rp_xfast *parse_unary(parser *ps) {
  if (++ps->depth > MAX_DEPTH) return NULL;
  const rp_xfast *e = NULL;
  const char *at = ps->p;
  if (keyword(ps, "not") && punct(ps, "(")) {
    const rp_xfast *in = parse_or(ps);
    e = in && punct(ps, ")") ? node(ps, X_NOT, in, NULL) : NULL;
  } else if ((ps->p = at, keyword(ps, "starts-with")) && punct(ps, "(")) {
    e = parse_call(ps, X_STARTS);
  } else if ((ps->p = at, keyword(ps, "contains")) && punct(ps, "(")) {
    e = parse_call(ps, X_CONTAINS);
  } else if ((ps->p = at, keyword(ps, "count")) && punct(ps, "(")) {
    e = parse_call(ps, X_COUNT);
  } else if ((ps->p = at, keyword(ps, "join")) && punct(ps, "(")) {
    e = parse_call(ps, X_JOIN);
  } else if ((ps->p = at,
              keyword(ps, "concat") || keyword(ps, "normalize-space") || keyword(ps, "label")) &&
             punct(ps, "(")) {
    ps->p = at;
    ps->tops++;
    e = parse_string(ps);
  } else if ((ps->p = at, keyword(ps, "choose")) && punct(ps, "(")) {
    ps->p = at;
    ps->tops++;
    e = parse_value(ps);
  } else if ((ps->p = at, punct(ps, "(")) && (e = parse_or(ps)) && punct(ps, ")") &&
             (ws(ps), *ps->p != '[' && *ps->p != '/' && *ps->p != '|')) {
    /* a test in brackets: "(self::p or self::quote) and ..." */
  } else {
    ps->p = at; /* a union in brackets, with predicates: parse_union's */
    e = parse_union(ps);
  }
  ps->depth--;
  return e;
}

/* "string-length(s) op n", "string-length(" read: the length of a string
 * of parse_string's (characters, as libxml2's xmlUTF8Strlen counts them)
 * against a number, by any of = != < <= > >=. */
static const rp_xfast *parse_slen(parser *ps) {
  const rp_xfast *in = parse_string(ps);
  if (!in || !punct(ps, ")")) return NULL;
  xcmp cmp;
  xopnd n;
  if (!comparison(ps, &cmp) || !parse_scalar(ps, &n) || n.kind != O_NUM) return NULL;
  rp_xfast *e = node(ps, X_SLEN, in, NULL);
  if (e) e->cmp = cmp, e->num = n.num;
  return e;
}

/* A comparison (=, !=), or what parse_unary reads. Its operands: a path
 * ending at an attribute, against a literal (X_EQ, X_NE), a variable or
 * another such path; or two of literals, variables and numbers, one a
 * variable at least. */
static const rp_xfast *parse_eq(parser *ps) {
  xopnd a, b;
  const rp_xfast *l = NULL;
  const char *at = ps->p;
  if (keyword(ps, "string-length") && punct(ps, "(")) return parse_slen(ps);
  ps->p = at;
  bool scalar = parse_scalar(ps, &a);
  if (!scalar && !(l = parse_unary(ps))) return NULL;
  bool ne;
  if (punct(ps, "!="))
    ne = true;
  else if (punct(ps, "="))
    ne = false;
  else if (!scalar)
    return l;
  else if (a.kind != O_VAR)
    return NULL; /* a literal or number alone: libxml2's */
  else {
    rp_xfast *v = node(ps, X_VAR, NULL, NULL);
    if (v) v->lit = a.s;
    return v;
  }
  if (!scalar) {
    if (!attr_last(l)) return NULL;
    a = (xopnd){.kind = O_PATH, .path = l};
  }
  if (!parse_scalar(ps, &b)) {
    const rp_xfast *r = parse_path(ps);
    if (!r || !attr_last(r)) return NULL;
    b = (xopnd){.kind = O_PATH, .path = r};
  }
  if (a.kind != O_PATH && b.kind == O_PATH) { /* = and != read the same both ways */
    xopnd t = a;
    a = b;
    b = t;
  }
  if (a.kind == O_PATH && b.kind == O_LIT) { /* the common form */
    rp_xfast *e = node(ps, ne ? X_NE : X_EQ, a.path, NULL);
    if (e) e->lit = b.s;
    return e;
  }
  if (a.kind == O_PATH && b.kind == O_NUM) return NULL; /* values as numbers: libxml2's */
  if (a.kind != O_PATH && a.kind != O_VAR && b.kind != O_VAR) return NULL;
  rp_xfast *e = node(ps, X_CMP, NULL, NULL);
  if (e) e->a = a, e->b = b, e->ne = ne;
  return e;
}

static const rp_xfast *parse_and(parser *ps) {
  return parse_chain(ps, parse_eq, "and", true, X_AND);
}

static const rp_xfast *parse_or(parser *ps) { return parse_chain(ps, parse_and, "or", true, X_OR); }

/* Whether a union selected at the top has only named child and self steps
 * of one step each (document order: the node, then its children), at most
 * MAX_BRANCHES; counts them into *n. */
static bool plain_union(const rp_xfast *e, size_t *n) {
  if (e->kind == X_UNION) return plain_union(e->l, n) && plain_union(e->r, n);
  return e->kind == X_PATH && !e->abs && e->n_steps == 1 && e->steps[0].name &&
         (e->steps[0].axis == AX_CHILD || e->steps[0].axis == AX_SELF) && ++*n <= MAX_BRANCHES;
}

/* Whether path e selects in document order, without duplicates, walked
 * depth first (select_steps): from one node, ".." and self steps give one
 * node at most; once a child step has given several, only child and self
 * steps keep them in order, and an attribute step ends the path. */
static bool ordered_path(const rp_xfast *e) {
  if (e->kind != X_PATH) return false;
  bool down = false;
  for (size_t i = 0; i < e->n_steps; i++) {
    xaxis ax = e->steps[i].axis;
    if ((ax == AX_PARENT && down) || (ax == AX_ATTR && i + 1 < e->n_steps)) return false;
    down |= ax == AX_CHILD || ax == AX_ATTR;
  }
  return true;
}

/* Whether every branch of union e is an ordered path, at most
 * MAX_BRANCHES; counts them into *n. */
static bool ordered_union(const rp_xfast *e, size_t *n) {
  if (e->kind == X_UNION) return ordered_union(e->l, n) && ordered_union(e->r, n);
  return ordered_path(e) && ++*n <= MAX_BRANCHES;
}

/* Whether e, a path or union, selects a node set this evaluator puts in
 * document order (select_nodes); marks a union that needs sorting. */
static bool node_set_form(const rp_xfast *e) {
  if (e->kind == X_PATH) return ordered_path(e); /* else document order over steps: libxml2's */
  if (e->kind != X_UNION) return false;
  size_t n = 0, m = 0;
  bool merge = !plain_union(e, &n);
  if (merge && !ordered_union(e, &m)) return false;
  ((rp_xfast *)e)->merge = merge;
  return true;
}

const rp_xfast *rp_xfast_compile(rp_arena *a, const char *text) {
  parser ps = {a, text, 0, 0};
  const rp_xfast *e = parse_or(&ps);
  ws(&ps);
  bool top = e && (e->kind == X_COUNT || e->kind == X_JOIN || e->kind == X_CONCAT ||
                   e->kind == X_NORM || e->kind == X_LABEL || e->kind == X_CHOOSE);
  if (!e || *ps.p || ps.tops > top) return NULL; /* a number or string elsewhere: libxml2's */
  xres res = R_BOOL;
  if (e->kind == X_PATH || e->kind == X_UNION) {
    if (!node_set_form(e)) return NULL;
    res = R_NODES;
  } else if (e->kind == X_COUNT) {
    res = R_COUNT;
  } else if (e->kind == X_VAR) {
    res = R_VAR;
  } else if (e->kind == X_JOIN) {
    res = R_JOIN;
  } else if (e->kind == X_CONCAT || e->kind == X_NORM) {
    res = R_STRING;
  } else if (e->kind == X_LABEL || e->kind == X_CHOOSE) {
    res = R_VALUE;
  }
  ((rp_xfast *)e)->res = res;
  return e;
}
