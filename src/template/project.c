/* project — the projection analysis (see project.h).
 *
 * A context is a set of positions; a position is a path of names from the
 * document node: "" (the document), "/review/case-studies", with `*` for an
 * element of any name, `**` for any depth below, `@name` / `@*` for an
 * attribute and `#text` for text (or other non-element) children; "?" is a
 * context nothing is known about. Against the streamed run's item path I a
 * position is unrelated, a proper ancestor of I, I itself, inside I, or
 * unknown. Stepping through a position inside I records its path relative
 * to I; reading the string value (or rich text) of one records it whole.
 * Reading the string value of I or of an ancestor, or a wildcard, `//`,
 * node() or an unbounded axis at or into I, gives up. The streamed run's own
 * template is walked too, from "!" + I (the item being bound, whole while
 * its section binds): what it reaches by leaving that item (`..`, siblings,
 * absolute paths) into other items counts as outside. Anywhere else, an
 * item that is the context of an element or of an expression is "!" too
 * (whole_items: bind reads it whole while it is), so only what is read
 * across items is kept: predicates and paths through them, groups' keys.
 *
 * The XPath reader is XPath 1.0's grammar (recursive descent over a token
 * list), evaluated on positions instead of nodes. Anything it does not know
 * gives up too: giving up only costs memory, never output. */
#include "template/project.h"

#include <stdlib.h>
#include <string.h>

#include "template/def.h"

/* A path longer than this is cut to WIDEN_KEEP names and `**` (modes that
 * apply themselves: a list in a list…), so the walk ends. */
#define MAX_DEPTH 8
#define WIDEN_KEEP 5
/* More positions than this in one context: give up. */
#define MAX_SET 512

typedef struct pset {
  const char **v;
  size_t n, cap;
} pset;

typedef struct seen {
  const xmlNode *t;
  const char *pos;
} seen;

typedef struct an {
  rp_arena *a;
  const char *item; /* "/review/case-studies/case-study" */
  const char *why;  /* the first reason to give up, or NULL */
  bool oom;
  rp_vec keep; /* rp_projection_keep */
  rp_vec tmpl; /* xmlNode *: every <template> */
  rp_vec seen; /* (template, position) already walked */
  const pset *group;
  rp_vec buckets; /* bucket: the expressions that may be evaluated a batch at a time */
  long pending;   /* the bucket keep() records into, or -1: A->keep */
} an;

/* An expression's text and what it reads into items, kept (in A->keep)
 * only if some place it is evaluated cannot be answered a batch of items
 * at a time (batch_shape). */
typedef struct bucket {
  const char *text;
  unsigned uses; /* RP_PROJ_* */
  bool failed;
  rp_vec keeps; /* rp_projection_keep */
} bucket;

static bool ok(const an *A) { return !A->why && !A->oom; }

static void give_up(an *A, const char *why, const char *what) {
  if (A->why || A->oom) return;
  A->why = what ? rp_arena_printf(A->a, "%s: %s", why, what) : why;
  if (!A->why) A->oom = true;
}

static size_t depth(const char *p);

static void add(an *A, pset *s, const char *p) {
  if (!p) {
    A->oom = true;
    return;
  }
  /* out of the item being bound, upwards: a plain position again */
  if (*p == '!' && A->item && depth(p + 1) < depth(A->item)) p++;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i], p) == 0) return;
  if (s->n == MAX_SET) {
    give_up(A, "too many contexts", NULL);
    return;
  }
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    const char **v = rp_arena_grow(A->a, s->v, s->cap * sizeof *v, cap * sizeof *v);
    if (!v) {
      A->oom = true;
      return;
    }
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = p;
}

static void add_all(an *A, pset *to, const pset *from) {
  for (size_t i = 0; from && i < from->n; i++) add(A, to, from->v[i]);
}

/* ---- positions ------------------------------------------------------------- */

static const char *last_comp(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static const char *parent_of(an *A, const char *p) {
  const char *s = strrchr(p, '/');
  return rp_arena_strndup(A->a, p, s ? (size_t)(s - p) : 0);
}

static size_t depth(const char *p) {
  size_t n = 0;
  for (; *p; p++) n += *p == '/';
  return n;
}

static bool is_element_comp(const char *c, size_t n) { return n > 0 && c[0] != '@' && c[0] != '#'; }

enum rel { UNRELATED, ANCESTOR, ITEM, INSIDE, UNKNOWN };

/* How p stands to the item; for INSIDE, *rel is the part below the item. */
static enum rel relate(const an *A, const char *p, const char **rel) {
  if (strcmp(p, "?") == 0) return UNKNOWN;
  if (*p == '!') return UNRELATED; /* in the item being bound: read whole */
  const char *q = A->item;
  /* both start with '/' per component, except the document "" */
  while (*q) {
    if (!*p) return ANCESTOR;
    q++, p++; /* the '/' */
    const char *qe = strchr(q, '/'), *pe = strchr(p, '/');
    size_t qn = qe ? (size_t)(qe - q) : strlen(q), pn = pe ? (size_t)(pe - p) : strlen(p);
    if (pn == 2 && strncmp(p, "**", 2) == 0) return UNKNOWN;
    if (!is_element_comp(p, pn)) return UNRELATED;
    if (!(pn == 1 && *p == '*') && (pn != qn || strncmp(p, q, qn) != 0)) return UNRELATED;
    q += qn, p += pn;
  }
  if (!*p) return ITEM;
  *rel = p + 1;
  return INSIDE;
}

static void keep_into(an *A, rp_vec *into, const char *path, size_t n, bool whole) {
  for (size_t i = 0; i < into->len; i++) {
    rp_projection_keep *k = &RP_VEC_AT(*into, rp_projection_keep, i);
    if (strlen(k->path) == n && strncmp(k->path, path, n) == 0) {
      k->whole |= whole;
      return;
    }
  }
  rp_projection_keep *k = rp_vec_push(A->a, into, sizeof *k);
  const char *s = rp_arena_strndup(A->a, path, n);
  if (!k || !s) {
    A->oom = true;
    return;
  }
  k->path = s;
  k->whole = whole;
}

static void keep_one(an *A, const char *path, size_t n, bool whole) {
  rp_vec *into =
      A->pending >= 0 ? &RP_VEC_AT(A->buckets, bucket, (size_t)A->pending).keeps : &A->keep;
  keep_into(A, into, path, n, whole);
}

/* Records a path below the item, its elements on the way too. */
static void keep(an *A, const char *rel, bool whole) {
  if (strchr(rel, '*')) {
    give_up(A, "a wildcard steps into an item", rel);
    return;
  }
  size_t n = strlen(rel);
  const char *last = last_comp(rel);
  if (*last == '#') { /* text or other children: the element's whole content */
    if (last == rel) {
      give_up(A, "the item's own text is read", NULL);
      return;
    }
    n = (size_t)(last - 1 - rel);
    whole = true;
  } else if (*last == '@') {
    whole = false;
  }
  for (size_t i = 0; i < n; i++)
    if (rel[i] == '/') keep_one(A, rel, i, false);
  keep_one(A, rel, n, whole);
}

/* A node at p is visited (a step, a test). */
static void touch(an *A, const char *p) {
  const char *rel = NULL;
  switch (relate(A, p, &rel)) {
    case UNKNOWN:
      give_up(A, "a step from a context that cannot be bounded", p);
      break;
    case INSIDE:
      keep(A, rel, false);
      break;
    default:
      break;
  }
}

/* The string value or rich text of the nodes at p is read. */
static void need_pos(an *A, const char *p) {
  const char *rel = NULL;
  switch (relate(A, p, &rel)) {
    case UNRELATED:
      break;
    case INSIDE:
      keep(A, rel, true);
      break;
    default:
      give_up(A, "the text of an item (or around one) is read", p);
      break;
  }
}

static void need(an *A, const pset *s) {
  for (size_t i = 0; s && i < s->n; i++) need_pos(A, s->v[i]);
}

/* ---- steps ------------------------------------------------------------------ */

enum axis {
  AX_CHILD,
  AX_ATTR,
  AX_SELF,
  AX_PARENT,
  AX_ANC,
  AX_ANC_SELF,
  AX_DESC,
  AX_DESC_SELF,
  AX_FSIB,
  AX_PSIB,
  AX_OTHER
};

/* test: a name, "*", or "node()", "text()", "comment()", "processing-instruction()" */
static bool is_node_type(const char *t) { return strchr(t, '(') != NULL; }

static void put(an *A, pset *out, const char *p) {
  if (!p) {
    A->oom = true;
    return;
  }

  if (depth(p) > MAX_DEPTH) {
    const char *rel = NULL;
    if (relate(A, p, &rel) != UNRELATED) {
      give_up(A, "a path too deep to follow", p);
      return;
    }
    const char *s = p;
    for (int i = 0; i <= WIDEN_KEEP; i++) s = strchr(s + 1, '/');
    p = rp_arena_printf(A->a, "%.*s/**", (int)(s - p), p);
    if (!p) {
      A->oom = true;
      return;
    }
  }
  touch(A, p);
  add(A, out, p);
}

static void child(an *A, const char *p, const char *test, pset *out) {
  if (*last_comp(p) == '@' || *last_comp(p) == '#') return;
  if (strcmp(test, "node()") == 0) {
    put(A, out, rp_arena_printf(A->a, "%s/*", p));
    put(A, out, rp_arena_printf(A->a, "%s/#text", p));
  } else if (is_node_type(test)) {
    put(A, out, rp_arena_printf(A->a, "%s/#text", p));
  } else {
    put(A, out, rp_arena_printf(A->a, "%s/%s", p, test));
  }
}

/* p itself if it passes the node test of a self-like axis. */
static void self(an *A, const char *p, const char *test, pset *out) {
  const char *l = last_comp(p);
  if (strcmp(test, "node()") == 0) {
    put(A, out, p);
  } else if (is_node_type(test)) {
    if (*l == '#') put(A, out, p);
  } else if (*l == '@' || *l == '#' || !*p) {
    return;
  } else if (strcmp(test, "*") == 0 || strcmp(l, "**") == 0 || strcmp(l, test) == 0) {
    put(A, out, p);
  } else if (strcmp(l, "*") == 0) {
    put(A, out, rp_arena_printf(A->a, "%.*s%s", (int)(l - p), p, test));
  }
}

static void parents(an *A, const char *p, pset *out) {
  if (!*p) return;
  if (strcmp(last_comp(p), "**") == 0) add(A, out, p);
  add(A, out, parent_of(A, p));
}

static void step(an *A, const pset *in, enum axis ax, const char *test, pset *out) {
  for (size_t i = 0; i < in->n && ok(A); i++) {
    const char *p = in->v[i];
    const char *rel = NULL;
    if (strcmp(p, "?") == 0) {
      give_up(A, "a step from a context that cannot be bounded", test);
      return;
    }
    pset up = {0};
    switch (ax) {
      case AX_CHILD:
        child(A, p, test, out);
        break;
      case AX_ATTR:
        if (*last_comp(p) != '@' && *last_comp(p) != '#')
          put(A, out,
              rp_arena_printf(A->a, "%s/@%s", p,
                              strcmp(test, "node()") == 0 || strcmp(test, "*") == 0 ? "*" : test));
        break;
      case AX_SELF:
        self(A, p, test, out);
        break;
      case AX_PARENT:
        parents(A, p, &up);
        for (size_t j = 0; j < up.n; j++) self(A, up.v[j], test, out);
        break;
      case AX_ANC:
      case AX_ANC_SELF:
        if (ax == AX_ANC_SELF) self(A, p, test, out);
        for (const char *q = p; *q;) {
          q = parent_of(A, q);
          if (!q) {
            A->oom = true;
            return;
          }
          if (*q || strcmp(test, "node()") == 0) self(A, q, test, out);
        }
        break;
      case AX_DESC:
      case AX_DESC_SELF:
        if (relate(A, p, &rel) != UNRELATED) {
          give_up(A, "a descendant step (//) at or above an item", p);
          return;
        }
        if (ax == AX_DESC_SELF) self(A, p, test, out);
        child(A, rp_arena_printf(A->a, "%s/**", p), test, out);
        break;
      case AX_FSIB:
      case AX_PSIB:
        if (*last_comp(p) == '@') break;
        parents(A, p, &up);
        for (size_t j = 0; j < up.n; j++) child(A, up.v[j], test, out);
        break;
      default:
        give_up(A, "an axis that cannot be bounded", test);
        return;
    }
  }
}

/* ---- tokens ------------------------------------------------------------------ */

enum tok {
  T_END,
  T_NAME,
  T_FUNC,
  T_TYPE,
  T_AXIS,
  T_VAR,
  T_LIT,
  T_OP,
  T_SLASH,
  T_DSLASH,
  T_LP,
  T_RP,
  T_LB,
  T_RB,
  T_COMMA,
  T_AT,
  T_DOT,
  T_DDOT
};

typedef struct token {
  enum tok t;
  const char *s; /* names, operators: arena copy */
} token;

typedef struct parser {
  an *A;
  const pset *top; /* the context of the whole expression: current() */
  token *v;
  size_t n, i;
  const char *text;
} parser;

static bool name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c >= 0x80;
}

static bool name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Splits an expression into tokens (XPath 1.0, 3.7: `*` and and/or/div/mod
 * are operators after an operand). False when it is not one it can read. */
static bool tokenize(parser *P, const char *s, size_t len) {
  an *A = P->A;
  const char *end = s + len;
  size_t cap = 16;
  P->v = rp_arena_alloc(A->a, cap * sizeof *P->v);
  P->n = P->i = 0;
  while (P->v) {
    while (s < end && space(*s)) s++;
    if (P->n + 1 >= cap) {
      token *v = rp_arena_grow(A->a, P->v, cap * sizeof *v, 2 * cap * sizeof *v);
      cap *= 2;
      P->v = v;
      if (!v) break;
    }
    token *k = &P->v[P->n];
    bool operand = P->n > 0 && P->v[P->n - 1].t != T_AT && P->v[P->n - 1].t != T_AXIS &&
                   P->v[P->n - 1].t != T_LP && P->v[P->n - 1].t != T_LB &&
                   P->v[P->n - 1].t != T_COMMA && P->v[P->n - 1].t != T_OP &&
                   P->v[P->n - 1].t != T_SLASH && P->v[P->n - 1].t != T_DSLASH;
    k->s = NULL;
    if (s >= end) {
      k->t = T_END;
      P->n++;
      return true;
    }
    char c = *s;
    const char *start = s;
    if (c == '\'' || c == '"') {
      const char *q = memchr(s + 1, c, (size_t)(end - s - 1));
      if (!q) return false;
      k->t = T_LIT;
      s = q + 1;
    } else if ((c >= '0' && c <= '9') || (c == '.' && s + 1 < end && s[1] >= '0' && s[1] <= '9')) {
      while (s < end && ((*s >= '0' && *s <= '9') || *s == '.')) s++;
      k->t = T_LIT;
    } else if (c == '$') {
      s++;
      while (s < end && (name_char((unsigned char)*s) || *s == ':')) s++;
      k->t = T_VAR;
      k->s = rp_arena_strndup(A->a, start + 1, (size_t)(s - start - 1));
    } else if (c == '*' && operand) {
      k->t = T_OP, k->s = "*", s++;
    } else if (name_start((unsigned char)c) || c == '*') {
      if (c == '*')
        s++;
      else {
        while (s < end && name_char((unsigned char)*s)) s++;
        if (s + 1 < end && *s == ':' && s[1] != ':') { /* a prefix */
          s++;
          if (*s == '*')
            s++;
          else
            while (s < end && name_char((unsigned char)*s)) s++;
        }
      }
      size_t n = (size_t)(s - start);
      const char *after = s;
      while (after < end && space(*after)) after++;
      k->s = rp_arena_strndup(A->a, start, n);
      if (!k->s) break;
      if (operand && (strcmp(k->s, "and") == 0 || strcmp(k->s, "or") == 0 ||
                      strcmp(k->s, "div") == 0 || strcmp(k->s, "mod") == 0)) {
        k->t = T_OP;
      } else if (after + 1 < end && after[0] == ':' && after[1] == ':') {
        k->t = T_AXIS;
        s = after + 2;
      } else if (c != '*' && after < end && *after == '(') {
        k->t = strcmp(k->s, "node") == 0 || strcmp(k->s, "text") == 0 ||
                       strcmp(k->s, "comment") == 0 || strcmp(k->s, "processing-instruction") == 0
                   ? T_TYPE
                   : T_FUNC;
      } else {
        k->t = T_NAME;
      }
    } else if (c == '/') {
      bool two = s + 1 < end && s[1] == '/';
      k->t = two ? T_DSLASH : T_SLASH;
      s += two ? 2 : 1;
    } else if (c == '.') {
      bool two = s + 1 < end && s[1] == '.';
      k->t = two ? T_DDOT : T_DOT;
      s += two ? 2 : 1;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '@') {
      k->t = c == '('   ? T_LP
             : c == ')' ? T_RP
             : c == '[' ? T_LB
             : c == ']' ? T_RB
             : c == ',' ? T_COMMA
                        : T_AT;
      s++;
    } else if (c == '!' || c == '<' || c == '>') {
      s++;
      if (s < end && *s == '=') s++;
      if (c == '!' && s - start != 2) return false;
      k->t = T_OP;
      k->s = rp_arena_strndup(A->a, start, (size_t)(s - start));
    } else if (c == '=' || c == '+' || c == '-' || c == '|') {
      s++;
      k->t = T_OP;
      k->s = rp_arena_strndup(A->a, start, 1);
    } else {
      return false;
    }
    if ((k->t == T_OP || k->t == T_VAR) && !k->s) break;
    P->n++;
  }
  A->oom = true;
  return false;
}

/* ---- expressions ------------------------------------------------------------ */

typedef struct val {
  pset s;
  bool nodes;
} val;

static token *peek(parser *P) { return &P->v[P->i]; }
static bool is_op(parser *P, const char *op) {
  return peek(P)->t == T_OP && strcmp(peek(P)->s, op) == 0;
}

static void expr(parser *P, const pset *ctx, val *out);

static void syntax(parser *P) { give_up(P->A, "an expression it cannot read", P->text); }

static void predicates(parser *P, pset *s) {
  while (peek(P)->t == T_LB && ok(P->A)) {
    P->i++;
    val v = {0};
    expr(P, s, &v); /* existence or a position: no text read */
    if (peek(P)->t != T_RB) {
      syntax(P);
      return;
    }
    P->i++;
  }
}

static bool starts_step(enum tok t) {
  return t == T_NAME || t == T_AXIS || t == T_AT || t == T_DOT || t == T_DDOT || t == T_TYPE;
}

static enum axis axis_of(const char *s) {
  static const struct {
    const char *name;
    enum axis ax;
  } axes[] = {{"child", AX_CHILD},
              {"attribute", AX_ATTR},
              {"self", AX_SELF},
              {"parent", AX_PARENT},
              {"ancestor", AX_ANC},
              {"ancestor-or-self", AX_ANC_SELF},
              {"descendant", AX_DESC},
              {"descendant-or-self", AX_DESC_SELF},
              {"following-sibling", AX_FSIB},
              {"preceding-sibling", AX_PSIB}};
  for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++)
    if (strcmp(s, axes[i].name) == 0) return axes[i].ax;
  return AX_OTHER;
}

/* One step from `in` into `out`. */
static void one_step(parser *P, const pset *in, pset *out) {
  an *A = P->A;
  token *k = peek(P);
  if (k->t == T_DOT || k->t == T_DDOT) {
    P->i++;
    step(A, in, k->t == T_DOT ? AX_SELF : AX_PARENT, "node()", out);
    return;
  }
  enum axis ax = AX_CHILD;
  if (k->t == T_AXIS) {
    ax = axis_of(k->s);
    P->i++;
  } else if (k->t == T_AT) {
    ax = AX_ATTR;
    P->i++;
  }
  k = peek(P);
  const char *test = NULL;
  if (k->t == T_NAME) {
    test = k->s;
    P->i++;
  } else if (k->t == T_TYPE) {
    test = rp_arena_printf(A->a, "%s()", k->s);
    P->i++;
    if (peek(P)->t != T_LP) return syntax(P);
    P->i++;
    if (peek(P)->t == T_LIT) P->i++; /* processing-instruction('name') */
    if (peek(P)->t != T_RP) return syntax(P);
    P->i++;
  } else {
    return syntax(P);
  }
  if (!test) {
    A->oom = true;
    return;
  }
  step(A, in, ax, test, out);
  predicates(P, out);
}

/* A relative location path from `in`. */
static void relative(parser *P, const pset *in, val *out) {
  pset cur = *in;
  for (;;) {
    pset next = {0};
    one_step(P, &cur, &next);
    cur = next;
    if (!ok(P->A)) break;
    if (peek(P)->t == T_SLASH) {
      P->i++;
    } else if (peek(P)->t == T_DSLASH) {
      P->i++;
      pset d = {0};
      step(P->A, &cur, AX_DESC_SELF, "node()", &d);
      cur = d;
    } else {
      break;
    }
  }
  out->s = cur;
  out->nodes = true;
}

static const char *const NO_TEXT_FNS[] = {"boolean", "count",      "false", "lang",
                                          "last",    "local-name", "name",  "namespace-uri",
                                          "not",     "position",   "true"};

static void call(parser *P, const pset *ctx, const char *fn, val *out) {
  an *A = P->A;
  P->i++; /* the name */
  if (peek(P)->t != T_LP) return syntax(P);
  P->i++;
  /* figure() finds figures anywhere (and keeps them for the binding) */
  if (strcmp(fn, "id") == 0 || strcmp(fn, "key") == 0 || strcmp(fn, "document") == 0 ||
      strcmp(fn, "figure") == 0)
    give_up(A, "a function that cannot be bounded", fn);
  /* the nodes template/xpathfn.c's lookups return */
  const char *gives = strcmp(fn, "person") == 0    ? "/review/people/person"
                      : strcmp(fn, "section") == 0 ? "/review/*"
                                                   : NULL;
  if (gives) {
    add(A, &out->s, gives);
    out->nodes = true;
  }
  if (strcmp(fn, "current") == 0) {
    add_all(A, &out->s, P->top);
    out->nodes = true;
  }
  bool no_text = false;
  for (size_t i = 0; i < sizeof NO_TEXT_FNS / sizeof NO_TEXT_FNS[0]; i++)
    no_text |= strcmp(fn, NO_TEXT_FNS[i]) == 0;
  bool choose = strcmp(fn, "choose") == 0;
  int arg = 0;
  /* string(), normalize-space()… with no argument read the context's text */
  bool none = peek(P)->t == T_RP;
  while (peek(P)->t != T_RP && ok(A)) {
    val v = {0};
    expr(P, ctx, &v);
    if (v.nodes) {
      if (choose && arg > 0) {
        add_all(A, &out->s, &v.s); /* chooses one of its values: read as its caller reads */
        out->nodes = true;
      } else if (!no_text && !choose) {
        need(A, &v.s);
      }
    }
    arg++;
    if (peek(P)->t == T_COMMA)
      P->i++;
    else if (peek(P)->t != T_RP)
      return syntax(P);
  }
  if (none && !no_text && !choose && strcmp(fn, "label") != 0 && strcmp(fn, "pages") != 0)
    need(A, ctx);
  P->i++;
}

static void primary(parser *P, const pset *ctx, val *out) {
  an *A = P->A;
  token *k = peek(P);
  switch (k->t) {
    case T_VAR:
      P->i++;
      /* $group is the nodes of a group; every other variable is a string */
      if (strcmp(k->s, "group") == 0) {
        if (!A->group) return give_up(A, "$group outside a group", NULL);
        out->s = *A->group;
        out->nodes = true;
      }
      break;
    case T_LIT:
      P->i++;
      break;
    case T_LP:
      P->i++;
      expr(P, ctx, out);
      if (peek(P)->t != T_RP) return syntax(P);
      P->i++;
      break;
    case T_FUNC:
      call(P, ctx, k->s, out);
      break;
    default:
      syntax(P);
  }
}

static void path(parser *P, const pset *ctx, val *out) {
  token *k = peek(P);
  if (k->t == T_SLASH || k->t == T_DSLASH) {
    P->i++;
    pset root = {0};
    add(P->A, &root, "");
    if (k->t == T_DSLASH) {
      pset d = {0};
      step(P->A, &root, AX_DESC_SELF, "node()", &d);
      root = d;
    } else if (!starts_step(peek(P)->t)) {
      out->s = root;
      out->nodes = true;
      return;
    }
    relative(P, &root, out);
  } else if (starts_step(k->t)) {
    relative(P, ctx, out);
  } else {
    primary(P, ctx, out);
    if (!ok(P->A)) return;
    if (peek(P)->t == T_LB) {
      if (!out->nodes) return syntax(P);
      predicates(P, &out->s);
    }
    if (peek(P)->t == T_SLASH || peek(P)->t == T_DSLASH) {
      if (!out->nodes) return syntax(P);
      pset from = out->s;
      if (peek(P)->t == T_DSLASH) {
        pset d = {0};
        step(P->A, &from, AX_DESC_SELF, "node()", &d);
        from = d;
      }
      P->i++;
      relative(P, &from, out);
    }
  }
}

static void unary(parser *P, const pset *ctx, val *out) {
  bool minus = false;
  while (is_op(P, "-")) P->i++, minus = true;
  path(P, ctx, out);
  while (is_op(P, "|") && ok(P->A)) {
    P->i++;
    val r = {0};
    path(P, ctx, &r);
    if (!out->nodes || !r.nodes) return syntax(P);
    add_all(P->A, &out->s, &r.s);
  }
  if (minus && out->nodes) {
    need(P->A, &out->s);
    *out = (val){0};
  }
}

/* Binary operators by precedence, lowest first; a level's operands are read
 * as strings (comparisons, arithmetic) or as booleans (and, or). */
static const char *const LEVELS[][4] = {
    {"or"}, {"and"}, {"=", "!="}, {"<", "<=", ">", ">="}, {"+", "-"}, {"*", "div", "mod"}};
#define N_LEVELS (sizeof LEVELS / sizeof LEVELS[0])

static bool level_op(parser *P, size_t level) {
  for (size_t i = 0; i < 4 && LEVELS[level][i]; i++)
    if (is_op(P, LEVELS[level][i])) return true;
  return false;
}

static void binary(parser *P, const pset *ctx, size_t level, val *out) {
  if (level == N_LEVELS) return unary(P, ctx, out);
  binary(P, ctx, level + 1, out);
  bool text = level >= 2;
  while (level_op(P, level) && ok(P->A)) {
    P->i++;
    val r = {0};
    binary(P, ctx, level + 1, &r);
    if (text) need(P->A, out->nodes ? &out->s : NULL), need(P->A, r.nodes ? &r.s : NULL);
    *out = (val){0};
  }
}

static void expr(parser *P, const pset *ctx, val *out) { binary(P, ctx, 0, out); }

/* How an expression's value is read. */
enum use { USE_TEXT, USE_TEST, USE_NODES };

static void eval_n(an *A, const char *text, size_t len, const pset *ctx, enum use use, pset *out) {
  if (!ok(A)) return;
  parser P = {.A = A, .top = ctx, .text = rp_arena_strndup(A->a, text, len)};
  if (!P.text) {
    A->oom = true;
    return;
  }
  if (!tokenize(&P, text, len)) {
    if (!A->oom) syntax(&P);
    return;
  }
  val v = {0};
  expr(&P, ctx, &v);
  if (!ok(A)) return;
  if (peek(&P)->t != T_END) return syntax(&P);
  if (use == USE_TEXT && v.nodes) need(A, &v.s);
  if (use == USE_NODES && out && v.nodes) add_all(A, out, &v.s);
}

static void eval(an *A, const char *text, const pset *ctx, enum use use, pset *out) {
  eval_n(A, text, strlen(text), ctx, use, out);
}

/* A text pattern: each {…} part read as a string ({{ and }} are braces). */
static void pattern(an *A, const char *s, const pset *ctx) {
  while (*s && ok(A)) {
    if (s[0] == '{' && s[1] == '{') {
      s += 2;
    } else if (s[0] == '{') {
      const char *e = s + 1;
      char quote = 0;
      for (; *e && (quote || *e != '}'); e++)
        if (quote && *e == quote)
          quote = 0;
        else if (!quote && (*e == '\'' || *e == '"'))
          quote = *e;
      if (!*e) return give_up(A, "a pattern it cannot read", s);
      eval_n(A, s + 1, (size_t)(e - s - 1), ctx, USE_TEXT, NULL);
      s = e + 1;
    } else {
      s++;
    }
  }
}

/* ---- the layout's tree ----------------------------------------------------- */

static bool named(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, (const xmlChar *)name);
}

static char *attr(const xmlNode *n, const char *name) {
  return (char *)xmlGetNoNsProp(n, (const xmlChar *)name);
}

/* Elements that copy their context node's text when empty (docs/layout.md,
 * "Copying the content's text"). */
static const char *const COPIES_WHEN_EMPTY[] = {"box",  "card",      "cell",  "columns", "heading",
                                                "item", "paragraph", "quote", "span"};

static bool empty(const xmlNode *n) {
  for (const xmlNode *c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return false;
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      for (const xmlChar *s = c->content; s && *s; s++)
        if (!space((char)*s)) return false;
  }
  return true;
}

static void tmpl(an *A, const xmlNode *t, const pset *ctx);

static bool same_mode(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Every template with a match in `mode` (NULL: the default) on ctx. */
static void apply_mode(an *A, const char *mode, const pset *ctx) {
  for (size_t i = 0; i < A->tmpl.len && ok(A); i++) {
    const xmlNode *t = RP_VEC_AT(A->tmpl, const xmlNode *, i);
    char *m = attr(t, "mode"), *match = attr(t, "match");
    if (match && same_mode(m, mode)) tmpl(A, t, ctx);
    xmlFree(m);
    xmlFree(match);
  }
}

static const char *const OWN_ATTRS[] = {"select", "test", "match", "by", "group-by", "mode"};

/* ---- expressions answered a batch of items at a time ------------------------
 * Bind evaluates an expression a batch of items at a time (bind.c,
 * batch_nodes and batch_test: every item out of the tree but a batch, read
 * whole) when the union of the batches' answers is the answer: a path of
 * names from a context outside the items to them, predicates on the items
 * that read inside each (no position, no other item), and, for a test, a
 * path on into them. What such an expression reads into items needs no
 * keeping. Only for the elements whose select and test bind evaluates
 * itself (blocks and groups; not inline elements, a chart's parts, cols). */

static const char *const BATCH_KINDS[] = {
    "heading", "paragraph", "list",    "item",     "quote", "box",          "shape", "spacer",
    "chart",   "grid",      "columns", "card",     "table", "row",          "cell",  "stat",
    "image",   "endnotes",  "if",      "for-each", "group", "column-break", "apply", "page-break"};

static bool batch_kind(const xmlNode *e) {
  for (const xmlNode *p = e->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
    if (named(p, "chart") || named(p, "span") || named(p, "link")) return false;
  for (size_t i = 0; i < sizeof BATCH_KINDS / sizeof BATCH_KINDS[0]; i++)
    if (named(e, BATCH_KINDS[i])) return true;
  return false;
}

static const char *skip_ws(const char *s) {
  while (space(*s)) s++;
  return s;
}

static const char *name_end(const char *s) {
  if (!name_start((unsigned char)*s)) return s;
  while (name_char((unsigned char)*s)) s++;
  return s;
}

/* [s, e): a predicate that reads only inside its item, and no position:
 * a path of names (its last step may be an attribute), compared or not
 * with a literal, in not() or not. */
static bool local_pred(const char *s, const char *e) {
  s = skip_ws(s);
  while (e > s && space(e[-1])) e--;
  if (strncmp(s, "not", 3) == 0 && *skip_ws(s + 3) == '(') {
    if (e[-1] != ')') return false;
    return local_pred(skip_ws(s + 3) + 1, e - 1);
  }
  for (;;) {
    bool attr = *s == '@';
    const char *n = name_end(s + attr);
    if (n == s + attr) return false;
    s = n;
    if (attr || *s != '/') break;
    s++;
  }
  s = skip_ws(s);
  if (s == e) return true;
  if (*s == '=')
    s++;
  else if (s[0] == '!' && s[1] == '=')
    s += 2;
  else
    return false;
  s = skip_ws(s);
  if (*s != '\'' && *s != '"') return false;
  const char *close = memchr(s + 1, *s, (size_t)(e - s - 1));
  return close && skip_ws(close + 1) == e;
}

/* Whether every position of ps is an item (1), none is and none is in
 * one (0), or neither (-1). */
static int all_items(an *A, const pset *ps) {
  int items = 0;
  for (size_t i = 0; i < ps->n; i++) {
    const char *rel = NULL, *p = ps->v[i];
    enum rel r = *p == '!' ? INSIDE : relate(A, p, &rel);
    if (r == INSIDE || r == UNKNOWN) return -1;
    items += r == ITEM;
  }
  return items == 0 ? 0 : (size_t)items == ps->n ? 1 : -1;
}

/* text on ctx: the shape above, for `use`. */
static bool batch_shape(an *A, const char *text, const pset *ctx, unsigned use) {
  if (!ctx->n || all_items(A, ctx) != 0) return false;
  const char *s = skip_ws(text);
  if (*s == '/') s++;
  bool item = false, after = false;
  for (;;) {
    bool attr = *s == '@';
    const char *n = name_end(s + attr);
    if (n == s + attr || (attr && !item)) return false;
    if (item) {
      after = true;
      if (use != RP_PROJ_TEST) return false;
    } else {
      pset out = {0};
      eval_n(A, text, (size_t)(n - text), ctx, USE_NODES, &out);
      int at = ok(A) ? all_items(A, &out) : -1;
      if (at < 0) return false;
      item = at == 1;
    }
    s = n;
    while (*s == '[') {
      if (!item || after) return false;
      int depth = 0;
      char quote = 0;
      const char *c = s;
      for (; *c; c++) {
        if (quote) {
          quote = *c == quote ? 0 : quote;
        } else if (*c == '\'' || *c == '"') {
          quote = *c;
        } else if (*c == '[') {
          depth++;
        } else if (*c == ']' && --depth == 0) {
          break;
        }
      }
      if (!*c || !local_pred(s + 1, c)) return false;
      s = c + 1;
    }
    if (*s != '/') break;
    s++;
  }
  return item && !*skip_ws(s);
}

/* One place text is evaluated for `use` on ctx: its bucket's index, or -1
 * when this place cannot be answered a batch at a time (then nothing of
 * the bucket is, and its reads are kept). */
static long occurrence(an *A, const xmlNode *e, const char *text, unsigned use, const pset *ctx) {
  size_t i = 0;
  while (i < A->buckets.len && strcmp(RP_VEC_AT(A->buckets, bucket, i).text, text) != 0) i++;
  if (i == A->buckets.len) {
    bucket *k = rp_vec_push(A->a, &A->buckets, sizeof *k);
    const char *t = rp_arena_strdup(A->a, text);
    if (!k || !t) {
      A->oom = true;
      return -1;
    }
    *k = (bucket){.text = t};
  }
  long saved = A->pending;
  A->pending = -1; /* the shape's own steps reach no further than the items */
  bool fits = batch_kind(e) && batch_shape(A, text, ctx, use);
  A->pending = saved;
  bucket *k = &RP_VEC_AT(A->buckets, bucket, i);
  k->uses |= use;
  k->failed |= !fits;
  return k->failed ? -1 : (long)i;
}

/* text evaluated as an expression of element e for `use` (USE_NODES: a
 * select; USE_TEST), its reads held by its bucket when it may be batched. */
static void eval_at(an *A, const xmlNode *e, const char *text, const pset *ctx, enum use use,
                    pset *out, long *bucket_out) {
  long k = occurrence(A, e, text, use == USE_NODES ? RP_PROJ_NODES : RP_PROJ_TEST, ctx);
  long saved = A->pending;
  A->pending = k;
  eval(A, text, ctx, use, out);
  A->pending = saved;
  if (bucket_out) *bucket_out = k;
}

/* ctx with each item position made "!" + it (read whole). Bind reads an item
 * whole while it is the context of an element or of an expression (bind.c:
 * lend_scope, lend_context), so what is read from it there needs no
 * keeping. Not so for a group's keys (read from the kept parts) or the
 * nodes a select gives to <copy> and to an empty element (their text is
 * read without them being a context). */
static const pset *whole_items(an *A, const pset *ctx, pset *buf) {
  const char *rel = NULL;
  size_t i = 0;
  while (i < ctx->n && relate(A, ctx->v[i], &rel) != ITEM) i++;
  if (i == ctx->n) return ctx;
  *buf = (pset){0};
  for (i = 0; i < ctx->n && ok(A); i++)
    add(A, buf,
        relate(A, ctx->v[i], &rel) == ITEM ? rp_arena_printf(A->a, "!%s", ctx->v[i]) : ctx->v[i]);
  return buf;
}

static void element(an *A, const xmlNode *e, const pset *outer) {
  pset own_buf, inner_buf;
  const pset *ctx = whole_items(A, outer, &own_buf);
  pset inner = *ctx;
  char *sel = attr(e, "select"), *test = attr(e, "test"), *by = attr(e, "by");
  char *gby = attr(e, "group-by"), *mode = attr(e, "mode");
  const pset *outer_group = A->group;
  long sel_bucket = -1;
  if (sel) {
    inner = (pset){0};
    eval_at(A, e, sel, ctx, USE_NODES, &inner, &sel_bucket);
  }
  const pset *each = whole_items(A, &inner, &inner_buf); /* each context, lent */
  if (test) {
    eval_at(A, e, test, ctx, USE_TEST, NULL, NULL);
    if (sel) eval_at(A, e, test, each, USE_TEST, NULL, NULL);
  }
  pset *grp = NULL;
  if (by || gby) {
    /* a group's keys on what a batched select gives are read in its
     * batches, the items whole; with no position (its size is not known
     * then) */
    const char *key = by ? by : gby;
    if (sel_bucket >= 0 &&
        (!by || !named(e, "group") || strstr(key, "position") || strstr(key, "last"))) {
      RP_VEC_AT(A->buckets, bucket, (size_t)sel_bucket).failed = true;
      sel_bucket = -1;
    }
    long saved = A->pending;
    A->pending = sel_bucket;
    eval(A, by ? by : gby, &inner, USE_TEXT, NULL);
    A->pending = saved;
    grp = rp_arena_alloc(A->a, sizeof *grp);
    if (grp) *grp = inner, A->group = grp;
  }
  for (const xmlAttr *at = e->properties; at && ok(A); at = at->next) {
    bool own = false;
    for (size_t i = 0; i < sizeof OWN_ATTRS / sizeof OWN_ATTRS[0]; i++)
      own |= xmlStrEqual(at->name, (const xmlChar *)OWN_ATTRS[i]);
    if (!own && at->children && at->children->content &&
        strchr((const char *)at->children->content, '{'))
      pattern(A, (const char *)at->children->content, each);
  }
  xmlFree(sel), xmlFree(test), xmlFree(by), xmlFree(gby);
  if (named(e, "apply")) {
    apply_mode(A, mode, each);
  } else {
    bool copies = named(e, "copy");
    for (size_t i = 0; i < sizeof COPIES_WHEN_EMPTY / sizeof COPIES_WHEN_EMPTY[0]; i++)
      copies |= named(e, COPIES_WHEN_EMPTY[i]) && empty(e);
    if (copies) need(A, &inner);
    for (const xmlNode *c = e->children; c && ok(A); c = c->next) {
      if (c->type == XML_ELEMENT_NODE)
        element(A, c, &inner);
      else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
               strchr((const char *)c->content, '{'))
        pattern(A, (const char *)c->content, each);
    }
  }
  xmlFree(mode);
  A->group = outer_group;
}

/* A template applied to ctx: its match narrows, then its body. Each
 * (template, position) is walked once. */
static void tmpl(an *A, const xmlNode *t, const pset *ctx) {
  pset fresh = {0};
  for (size_t i = 0; i < ctx->n && ok(A); i++) {
    bool done = false;
    for (size_t j = 0; j < A->seen.len && !done; j++) {
      const seen *s = &RP_VEC_AT(A->seen, seen, j);
      done = s->t == t && strcmp(s->pos, ctx->v[i]) == 0;
    }
    if (done) continue;
    seen *s = rp_vec_push(A->a, &A->seen, sizeof *s);
    if (!s) {
      A->oom = true;
      return;
    }
    *s = (seen){t, ctx->v[i]};
    add(A, &fresh, ctx->v[i]);
  }
  if (!fresh.n || !ok(A)) return;
  pset buf; /* a template's context is lent (an <apply>'s) or a section's: whole */
  fresh = *whole_items(A, &fresh, &buf);
  char *match = attr(t, "match");
  if (match) {
    eval(A, match, &fresh, USE_TEST, NULL);
    /* match="self::p": only the positions that can be a p */
    const char *m = match;
    if (strncmp(m, "self::", 6) == 0) {
      m += 6;
      bool plain = *m != '\0';
      for (const char *c = m; *c; c++) plain &= name_char((unsigned char)*c);
      if (plain) {
        pset narrow = {0};
        step(A, &fresh, AX_SELF, m, &narrow);
        fresh = narrow;
      }
    }
    xmlFree(match);
  }
  /* section=, bookmark=: patterns on the template's context */
  for (const xmlAttr *at = t->properties; at && ok(A); at = at->next)
    if (!xmlStrEqual(at->name, (const xmlChar *)"match") && at->children && at->children->content &&
        strchr((const char *)at->children->content, '{'))
      pattern(A, (const char *)at->children->content, &fresh);
  for (const xmlNode *c = t->children; c && ok(A); c = c->next)
    if (c->type == XML_ELEMENT_NODE) element(A, c, &fresh);
}

static void collect(an *A, const xmlNode *n, const char *name, rp_vec *out) {
  for (; n && !A->oom; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (named(n, name)) {
      const xmlNode **p = rp_vec_push(A->a, out, sizeof *p);
      if (!p) A->oom = true;
      if (p) *p = n;
    } else {
      collect(A, n->children, name, out);
    }
  }
}

/* A select that names one path of elements from the root, "/a/b/c". */
static bool plain_path(const char *s) {
  if (!s || *s != '/') return false;
  int steps = 0;
  while (*s == '/') {
    s++;
    if (!name_start((unsigned char)*s)) return false;
    while (name_char((unsigned char)*s)) s++;
    steps++;
  }
  return !*s && steps >= 2;
}

static const xmlNode *template_named(an *A, const char *name) {
  for (size_t i = 0; i < A->tmpl.len; i++) {
    const xmlNode *t = RP_VEC_AT(A->tmpl, const xmlNode *, i);
    char *n = attr(t, "name");
    bool same = n && strcmp(n, name) == 0;
    xmlFree(n);
    if (same) return t;
  }
  return NULL;
}

/* A run outside the streamed one: its template(s) on its selection. */
static void outside_run(an *A, const xmlNode *run) {
  char *sel = attr(run, "select"), *name = attr(run, "template"), *mode = attr(run, "mode");
  pset ctx = {0};
  if (sel) {
    pset doc = {0};
    add(A, &doc, "");
    eval(A, sel, &doc, USE_NODES, &ctx);
  } else {
    add(A, &ctx, "");
    const char *root = strchr(A->item + 1, '/');
    add(A, &ctx, rp_arena_strndup(A->a, A->item, (size_t)(root - A->item)));
  }
  if (name && *name) {
    const xmlNode *t = template_named(A, name);
    if (t)
      tmpl(A, t, &ctx);
    else
      give_up(A, "a run whose template is not found", name);
  } else {
    apply_mode(A, mode, &ctx);
  }
  xmlFree(sel), xmlFree(name), xmlFree(mode);
}

/* Everything outside templates and runs that may hold expressions (masters,
 * info, parameters, notes), with a context nothing is known about. */
static void others(an *A, const xmlNode *n, const pset *unknown) {
  for (; n && ok(A); n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (named(n, "template") || named(n, "run") || named(n, "labels")) continue;
    if (named(n, "sequence")) {
      others(A, n->children, unknown);
      continue;
    }
    element(A, n, unknown);
  }
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const rp_projection_keep *)a)->path, ((const rp_projection_keep *)b)->path);
}

static rp_status finish(rp_arena *a, an *A, rp_projection **out) {
  rp_projection *p = rp_arena_calloc(a, 1, sizeof *p);
  if (!p) return RP_ERR_INTERNAL;
  p->batched = rp_arena_calloc(a, A->buckets.len + 1, sizeof *p->batched);
  if (!p->batched) return RP_ERR_INTERNAL;
  for (size_t i = 0; i < A->buckets.len; i++) {
    const bucket *k = &RP_VEC_AT(A->buckets, bucket, i);
    if (!k->keeps.len) continue; /* reads nothing in items: as it is */
    if (!k->failed) {
      const char *t = rp_arena_strdup(a, k->text);
      if (!t) return RP_ERR_INTERNAL;
      unsigned uses = k->uses | RP_PROJ_ATTRS;
      for (size_t j = 0; j < k->keeps.len; j++) {
        const char *path = RP_VEC_AT(k->keeps, rp_projection_keep, j).path;
        if (*path != '@' || strchr(path, '/')) uses &= ~RP_PROJ_ATTRS;
      }
      p->batched[p->n_batched++] = (rp_projection_batched){t, uses};
      continue;
    }
    for (size_t j = 0; j < k->keeps.len; j++) {
      const rp_projection_keep *kk = &RP_VEC_AT(k->keeps, rp_projection_keep, j);
      keep_into(A, &A->keep, kk->path, strlen(kk->path), kk->whole);
    }
    if (A->oom) return RP_ERR_INTERNAL;
  }
  for (const char *s = A->item; *s; s++) p->n_item += *s == '/';
  p->item = rp_arena_calloc(a, p->n_item, sizeof *p->item);
  p->keep = rp_arena_calloc(a, A->keep.len + 1, sizeof *p->keep);
  if (!p->item || !p->keep) return RP_ERR_INTERNAL;
  const char *s = A->item;
  for (size_t i = 0; i < p->n_item; i++) {
    const char *e = strchr(s + 1, '/');
    size_t n = e ? (size_t)(e - s - 1) : strlen(s + 1);
    if (!(p->item[i] = rp_arena_strndup(a, s + 1, n))) return RP_ERR_INTERNAL;
    s += n + 1;
  }
  for (size_t i = 0; i < A->keep.len; i++) {
    p->keep[i] = RP_VEC_AT(A->keep, rp_projection_keep, i);
    if (!(p->keep[i].path = rp_arena_strdup(a, p->keep[i].path))) return RP_ERR_INTERNAL;
  }
  p->n_keep = A->keep.len;
  qsort(p->keep, p->n_keep, sizeof *p->keep, by_path);
  *out = p;
  return RP_OK;
}

rp_status rp_project_analyse(rp_arena *a, const rp_layout_def *l, rp_projection **out,
                             const char **why) {
  if (l->base_doc) {
    *out = NULL;
    if (why) *why = "a layout that extends another";
    return RP_OK;
  }
  return rp_project_analyse_doc(a, l->doc, out, why);
}

rp_status rp_project_analyse_doc(rp_arena *a, const xmlDoc *doc, rp_projection **out,
                                 const char **why) {
  *out = NULL;
  if (why) *why = NULL;
  rp_arena *scratch = rp_arena_new_child(a);
  if (!scratch) return RP_ERR_INTERNAL;
  an A = {.a = scratch, .pending = -1};
  xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
  rp_vec runs = {0};
  const xmlNode *streamed = NULL;
  if (!root) {
    give_up(&A, "no layout", NULL);
  } else {
    collect(&A, root->children, "template", &A.tmpl);
    collect(&A, root->children, "run", &runs);
  }
  /* the streamed run: the first whose items one path names */
  for (size_t i = 0; i < runs.len && ok(&A) && !streamed; i++) {
    const xmlNode *r = RP_VEC_AT(runs, const xmlNode *, i);
    char *sel = attr(r, "select"), *item = attr(r, "item"), *name = attr(r, "template");
    if (plain_path(sel) && !(item && strcmp(item, "true") == 0) && name && *name) {
      streamed = r;
      A.item = rp_arena_strdup(scratch, sel);
      if (!A.item) A.oom = true;
    }
    xmlFree(sel), xmlFree(item), xmlFree(name);
  }
  if (ok(&A) && !streamed) give_up(&A, "no run streams items named by one path", NULL);
  for (size_t i = 0; i < runs.len && ok(&A); i++) {
    const xmlNode *r = RP_VEC_AT(runs, const xmlNode *, i);
    if (r != streamed) outside_run(&A, r);
  }
  if (ok(&A)) { /* the streamed run's template, on the item it binds */
    char *name = attr(streamed, "template");
    pset own = {0};
    add(&A, &own, rp_arena_printf(scratch, "!%s", A.item));
    const xmlNode *t = name ? template_named(&A, name) : NULL;
    if (t)
      tmpl(&A, t, &own);
    else
      give_up(&A, "a run whose template is not found", name);
    xmlFree(name);
  }
  if (ok(&A)) {
    pset unknown = {0};
    add(&A, &unknown, "?");
    others(&A, root->children, &unknown);
  }
  rp_status st = RP_OK;
  if (A.oom)
    st = RP_ERR_INTERNAL;
  else if (A.why && why)
    *why = rp_arena_strdup(a, A.why);
  else if (!A.why)
    st = finish(a, &A, out);
  if (st != RP_OK) *out = NULL;
  rp_arena_free(scratch);
  return st;
}
