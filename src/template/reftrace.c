/* reftrace — see template.h rp_reftrace.
 *
 * An entry per evaluation recorded: its ordinal among the evaluations of
 * expressions that call page() or pages(), the expression and context node
 * (so that a check meets the same evaluation, not only the same place in
 * the count), then the value: a type byte and the value's bytes (a
 * boolean's byte, a number's eight, a string's length and bytes, a node
 * set's count and node addresses: the tree is the same one; a namespace
 * node, which libxml2 copies into each set, is not compared). */
#include <string.h>

#include "base/mem.h"
#include "template/def.h"

typedef struct entry {
  size_t ordinal;
  const void *expr, *node;
  size_t len; /* bytes of value after this header */
} entry;

struct rp_reftrace {
  unsigned char *buf; /* entries, one after the other */
  size_t len, cap;
  size_t calls; /* evaluations of expressions calling page() or pages() */
  size_t at;    /* checking: the next entry's offset */
  bool checking, differs, lost;
  unsigned char *val; /* a value as bytes, before it is stored or compared */
  size_t vlen, vcap;
};

rp_reftrace *rp_reftrace_new(void) { return rp_mem_calloc(1, sizeof(rp_reftrace)); }

void rp_reftrace_free(rp_reftrace *t) {
  if (!t) return;
  rp_mem_free(t->buf);
  rp_mem_free(t->val);
  rp_mem_free(t);
}

void rp_reftrace_check(rp_reftrace *t) {
  t->checking = true;
  t->differs = false;
  t->calls = 0;
  t->at = 0;
}

bool rp_reftrace_usable(const rp_reftrace *t) { return t && !t->lost && !t->checking; }
bool rp_reftrace_differs(const rp_reftrace *t) { return t->differs || t->lost; }
bool rp_reftrace_met(const rp_reftrace *t) { return t->checking && !t->differs && t->at == t->len; }

static bool grow(unsigned char **b, size_t *cap, size_t need) {
  if (need <= *cap) return true;
  size_t n = *cap ? *cap : 256;
  while (n < need) n *= 2;
  unsigned char *nb = rp_mem_realloc(*b, n);
  if (!nb) return false;
  *b = nb;
  *cap = n;
  return true;
}

static bool put(rp_reftrace *t, const void *p, size_t n) {
  if (!grow(&t->val, &t->vcap, t->vlen + n)) return false;
  memcpy(t->val + t->vlen, p, n);
  t->vlen += n;
  return true;
}

/* r as bytes in t->val; false when out of memory or of a kind not compared. */
static bool value_bytes(rp_reftrace *t, xmlXPathObjectPtr r) {
  t->vlen = 0;
  unsigned char type = r ? (unsigned char)r->type : 0xFF;
  if (!put(t, &type, 1)) return false;
  if (!r) return true; /* an error: the run stops on it anyway */
  switch (r->type) {
    case XPATH_BOOLEAN: {
      unsigned char v = r->boolval != 0;
      return put(t, &v, 1);
    }
    case XPATH_NUMBER:
      return put(t, &r->floatval, sizeof r->floatval);
    case XPATH_STRING: {
      size_t n = r->stringval ? strlen((const char *)r->stringval) : 0;
      return put(t, &n, sizeof n) && put(t, r->stringval, n);
    }
    case XPATH_NODESET: {
      size_t n = r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
      for (size_t i = 0; i < n; i++) /* copies made for the set: their addresses say nothing */
        if (r->nodesetval->nodeTab[i]->type == XML_NAMESPACE_DECL) return false;
      return put(t, &n, sizeof n) &&
             (n == 0 || put(t, r->nodesetval->nodeTab, n * sizeof *r->nodesetval->nodeTab));
    }
    default:
      return false;
  }
}

size_t rp_reftrace_begin(rp_reftrace *t) { return t->calls++; }

void rp_reftrace_value(rp_reftrace *t, size_t ordinal, const void *expr, const void *node,
                       xmlXPathObjectPtr r, bool others) {
  if (t->lost || t->differs) return;
  if (t->checking) {
    if (t->at == t->len) return; /* past the last one recorded: equal, as argued */
    entry e;
    memcpy(&e, t->buf + t->at, sizeof e);
    if (e.ordinal != ordinal) {
      t->differs = e.ordinal < ordinal; /* the one recorded was not met */
      return;
    }
    t->differs = e.expr != expr || e.node != node || !value_bytes(t, r) || t->vlen != e.len ||
                 memcmp(t->val, t->buf + t->at + sizeof e, e.len) != 0;
    t->at += sizeof e + e.len;
    return;
  }
  if (!others) return;
  entry e = {ordinal, expr, node, 0};
  if (!value_bytes(t, r) || !grow(&t->buf, &t->cap, t->len + sizeof e + t->vlen)) {
    t->lost = true;
    return;
  }
  e.len = t->vlen;
  memcpy(t->buf + t->len, &e, sizeof e);
  memcpy(t->buf + t->len + sizeof e, t->val, t->vlen);
  t->len += sizeof e + t->vlen;
}
