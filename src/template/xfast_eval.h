/* xfast_eval — evaluates the expressions xfast_parse.c compiles, from a
 * context node, without libxml2's evaluator (xpath.c rp_xeval_run tries it
 * first). Its values are libxml2's for the same expression; where it cannot
 * be sure of that (a node, variable or label it does not expect) it
 * declines, and libxml2 evaluates the expression. */
#ifndef RP_TEMPLATE_XFAST_EVAL_H
#define RP_TEMPLATE_XFAST_EVAL_H

#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdbool.h>

#include "template/xfast_parse.h"

struct rp_xeval; /* def.h */

/* Evaluates e from `node` into *out as libxml2 would (a boolean, a node
 * set in document order, a count, a string, a variable's value; *out NULL:
 * out of memory) with x's document as "/", its variables and its labels;
 * false when the node, a variable or a label is one e leaves to libxml2. */
bool rp_xfast_eval(const rp_xfast *e, xmlNodePtr node, struct rp_xeval *x, xmlXPathObjectPtr *out);

/* boolean() of what rp_xfast_eval would give, without making it: 1 or 0,
 * -1 when libxml2's. */
int rp_xfast_truth(const rp_xfast *e, xmlNodePtr node, struct rp_xeval *x);

#endif
