/* xfast_parse — the simplest XPath a layout tests and selects with, evaluated
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
#ifndef RP_TEMPLATE_XFAST_PARSE_H
#define RP_TEMPLATE_XFAST_PARSE_H

/* The expression tree both halves read: xfast_parse.c builds it
 * (rp_xfast_compile), xfast_eval.c walks it (xfast_eval.h). Callers outside
 * those two treat rp_xfast as opaque. */

#include <libxml/xmlstring.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

#define MAX_PREDS 8    /* predicates of a step, each with its own count of positions */
#define MAX_BRANCHES 8 /* steps of a union selected at the top */

typedef struct rp_xfast rp_xfast;

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

/* An expression of the simple forms above (tests with or, and, not(),
 * attributes compared to strings; paths with predicates; the values at the
 * top), compiled into `a`; NULL for any other (libxml2's). */
const rp_xfast *rp_xfast_compile(rp_arena *a, const char *text);

#endif
