/* xfast — the simplest XPath a layout tests and selects with, evaluated
 * directly (xpath.c rp_xeval_run) instead of by libxml2's evaluator, whose
 * generality costs thousands of instructions an expression: tests such as
 * `@place or @region`, `not(@href)`, `@position and @position != 'member'`,
 * `self::p[@role = 'lead' or parent::section[@role = 'about']]`, and
 * selections such as `member[@lat]` or `p | heading | list`.
 *
 * The forms: `or`, `and`, not(), a test in brackets; = and != (an
 * attribute path against a string literal, a variable or another attribute
 * path; a variable against a literal, a number or a variable: XPath 1.0's
 * rules, a node set comparing true when some value does, numbers when
 * either side is one); starts-with() and contains() of attribute paths,
 * literals and string variables; string-length() of a string (below)
 * against a number by any comparison; a variable alone; and paths of
 * steps, from the context or from the root ("/review/title") — ".", "..",
 * "@name", "name", "*", and self::, child::, parent::, attribute:: with
 * an unprefixed name or (but attribute::) "*" — each step with predicates
 * of these forms or a position alone ("[2]", "[position() > 1]", counted
 * per predicate in axis order); a union in brackets with predicates that
 * are no position ("(p | list)[@role]": each branch takes them). At the
 * top only: count() of a path, a union or a variable; join() of a path or
 * union with a literal separator (join()'s own code, xpathfn.c); strings —
 * concat(), normalize-space() and label('name') of literals, variables,
 * ordered paths (their first node's string value) and each other; and
 * choose(test, value, value) of these values, paths and variables (all
 * three evaluated, as libxml2 does). The value is libxml2's: a boolean;
 * for a path that goes down once it has gone down (no ".." after a child
 * step, an attribute step last) or a union of such paths, the node set in
 * document order (a union sorted by libxml2's own xmlXPathNodeSetSort); a
 * count; a string; a variable's value copied. Anything else — other
 * functions, arithmetic, other comparisons of numbers, last(), "//",
 * prefixed names, "@*", elements' string values compared — is left to
 * libxml2 (rp_xfast_compile gives NULL), and so is a node, variable or
 * label the evaluator does not expect (an attribute made of entity
 * references, a namespace node, a parent libxml2 treats specially, a
 * variable unbound or of a type the form does not read, a label the
 * layout lacks, which libxml2's label() reports): rp_xfast_eval returns
 * false and libxml2 evaluates the expression. "/" is the document the
 * context evaluates in (libxml2's context->doc). Invariant: whatever
 * rp_xfast_eval gives, libxml2 gives the same (test_template checks both on
 * every kind of context node, with variables of each type bound). */
#include <libxml/xpathInternals.h>
#include <string.h>

#include "base/mem.h"
#include "template/def.h"

typedef enum xkind {
  X_OR,
  X_AND,
  X_NOT,
  X_EQ,
  X_NE,
  X_PATH,
  X_UNION,
  X_POS,
  X_CMP,      /* a = b, a != b, of operands (xopnd) */
  X_STARTS,   /* starts-with(a, b) */
  X_CONTAINS, /* contains(a, b) */
  X_COUNT,    /* count(path or union), count($var): at the top */
  X_JOIN,     /* join(path or union, 'sep'): at the top */
  X_CONCAT,   /* concat(s, s, ...) of strings (X_CONCAT, X_NORM, X_STR): at the top */
  X_NORM,     /* normalize-space(s): at the top */
  X_STR,      /* string(a) of an operand, an argument of the two above */
  X_LABEL,    /* label('name'): at the top, or an argument of the above */
  X_CHOOSE,   /* choose(test l, value, value): at the top */
  X_SLEN,     /* string-length(string l) cmp num: a test */
  X_VAR       /* $var */
} xkind;
typedef enum xcmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE } xcmp;
typedef enum xaxis { AX_SELF, AX_CHILD, AX_ATTR, AX_PARENT } xaxis;
typedef enum xres { R_BOOL, R_NODES, R_COUNT, R_VAR, R_JOIN, R_STRING, R_VALUE } xres;

/* An operand of =, !=, starts-with() and contains(): a path ending at an
 * attribute (its nodes' values), a string literal, a variable (a string,
 * or for = and != a number too) or a number. */
typedef enum okind { O_PATH, O_LIT, O_VAR, O_NUM } okind;
typedef struct xopnd {
  okind kind;
  const struct rp_xfast *path; /* O_PATH */
  const xmlChar *s;            /* O_LIT: the text; O_VAR: the name */
  double num;                  /* O_NUM */
} xopnd;

typedef struct xstep {
  xaxis axis;
  const xmlChar *name; /* NULL: any node ("." and ".."), or any element (wild) */
  bool wild;           /* "*": any element, in any namespace */
  const rp_xfast **preds;
  size_t n_preds;
} xstep;

struct rp_xfast {
  xkind kind;
  const rp_xfast *l, *r; /* OR, AND, UNION: both; NOT, EQ, NE, COUNT: l (EQ, NE: a path) */
  const xmlChar *lit;    /* EQ, NE, JOIN; VAR, COUNT of a variable: its name */
  xopnd a, b;            /* CMP, STARTS, CONTAINS; STR: a */
  const rp_xfast **args; /* CONCAT; CHOOSE: its two values */
  size_t n_args;
  bool ne;      /* CMP: != */
  xstep *steps; /* PATH */
  size_t n_steps;
  bool abs;   /* PATH: from the root ("/review") */
  bool merge; /* UNION at the top, not plain: branches sorted together */
  xcmp cmp;   /* POS: position() cmp num, a predicate of its own ([2], [position() > 1]) */
  double num; /* POS */
  xres res;   /* at the top: the value's kind */
};

/* ---- compiling ----------------------------------------------------------- */

#define MAX_DEPTH 32   /* nesting; a layout's tests nest two or three deep */
#define MAX_PREDS 8    /* predicates of a step, each with its own count of positions */
#define MAX_BRANCHES 8 /* steps of a union selected at the top */

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
    static const struct {
      const char *op;
      xcmp cmp;
    } ops[] = {{"!=", C_NE}, {"<=", C_LE}, {">=", C_GE}, {"=", C_EQ}, {"<", C_LT}, {">", C_GT}};
    size_t k = 0;
    while (k < sizeof ops / sizeof *ops && !punct(ps, ops[k].op)) k++;
    if (k == sizeof ops / sizeof *ops) goto none;
    cmp = ops[k].cmp;
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
  static const struct {
    const char *op;
    xcmp cmp;
  } ops[] = {{"!=", C_NE}, {"<=", C_LE}, {">=", C_GE}, {"=", C_EQ}, {"<", C_LT}, {">", C_GT}};
  size_t k = 0;
  while (k < sizeof ops / sizeof *ops && !punct(ps, ops[k].op)) k++;
  xopnd n;
  if (k == sizeof ops / sizeof *ops || !parse_scalar(ps, &n) || n.kind != O_NUM) return NULL;
  rp_xfast *e = node(ps, X_SLEN, in, NULL);
  if (e) e->cmp = ops[k].cmp, e->num = n.num;
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

/* ---- evaluating ---------------------------------------------------------- */

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
