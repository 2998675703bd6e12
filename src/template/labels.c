/* labels — printed words that come from the layout, per language, and from
 * the content's vocabulary (docs/layout.md, "Labels" and "Functions").
 *
 * Loading collects each <labels xml:lang> into one table per language, in
 * the order languages first appear: the first is the default. Tables of the
 * same language add up (a shared lib/labels.xml and a layout's own); a name
 * given twice in one language is an error.
 *
 * Binding chooses the table for the content's language (the root's
 * xml:lang: the same tag, then its primary subtag, then a table whose
 * primary subtag is the same; otherwise the default) and builds hash tables
 * once, on first use: label() looks names up in the chosen table, then in
 * the default one. Month and day names for format-date and date-range come
 * from the chosen table only (month-1…12, month-short-1…12, day-1…7), so a
 * document in a language without them gets English rather than another
 * language's names. kind-label() reads /review/vocabulary/kinds, indexed by
 * (of, id) on first use, picking a kind's translation for the document's
 * language. */
#include <libxml/hash.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "template/def.h"

/* ---- loading ------------------------------------------------------------- */

static rp_label_table *table_for(rp_layout_def *l, const char *lang) {
  for (size_t i = 0; i < l->label_tables.len; i++) {
    rp_label_table *t = RP_VEC_AT(l->label_tables, rp_label_table *, i);
    if (strcasecmp(t->lang, lang) == 0) return t;
  }
  rp_label_table *t = rp_arena_calloc(l->a, 1, sizeof *t);
  rp_label_table **slot = t ? rp_vec_push(l->a, &l->label_tables, sizeof *slot) : NULL;
  if (!slot) return NULL;
  *slot = t;
  t->lang = lang;
  return t;
}

/* White space collapsed and trimmed, in place. */
static char *collapse(char *s) {
  size_t o = 0;
  bool space = true;
  for (size_t i = 0; s[i]; i++) {
    bool ws = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
    if (ws && !space) s[o++] = ' ';
    if (!ws) s[o++] = s[i];
    space = ws;
  }
  if (o > 0 && s[o - 1] == ' ') o--;
  s[o] = '\0';
  return s;
}

static size_t label_hash(const char *s, size_t len) {
  size_t h = 14695981039346656037u; /* FNV-1a */
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
  return h;
}

static bool name_is(const char *n, const char *name, size_t len) {
  return strncmp(n, name, len) == 0 && n[len] == '\0';
}

/* The index's slot for `name` (len bytes): its label's, or the free one it
 * would take. */
static size_t index_slot(const rp_label_table *t, const uint32_t *slots, size_t cap,
                         const char *name, size_t len) {
  size_t mask = cap - 1, i = label_hash(name, len) & mask;
  while (slots[i] && !name_is(RP_VEC_AT(t->labels, rp_label_def, slots[i] - 1).name, name, len))
    i = (i + 1) & mask;
  return i;
}

/* t's label called `name` (len bytes), or NULL. */
static const rp_label_def *label_in(const rp_label_table *t, const char *name, size_t len) {
  if (t->index.off) {
    for (size_t k = 0; k < t->labels.len; k++)
      if (name_is(RP_VEC_AT(t->labels, rp_label_def, k).name, name, len))
        return &RP_VEC_AT(t->labels, rp_label_def, k);
    return NULL;
  }
  if (!t->index.cap) return NULL;
  uint32_t k = t->index.slots[index_slot(t, t->index.slots, t->index.cap, name, len)];
  return k ? &RP_VEC_AT(t->labels, rp_label_def, k - 1) : NULL;
}

/* Indexes t's last label, whose name no other there has. The index stays at
 * most half full; when it cannot grow, the list is searched from then on
 * (the same answers, more slowly). */
static void index_last(rp_layout_def *l, rp_label_table *t) {
  if (t->index.off) return;
  size_t used = t->labels.len;
  if (used * 2 > t->index.cap) {
    size_t cap = t->index.cap ? t->index.cap * 2 : 256;
    uint32_t *slots = used < UINT32_MAX ? rp_arena_calloc(l->a, cap, sizeof *slots) : NULL;
    if (!slots) {
      t->index.off = true;
      return;
    }
    for (size_t k = 0; k + 1 < used; k++) {
      const char *n = RP_VEC_AT(t->labels, rp_label_def, k).name;
      slots[index_slot(t, slots, cap, n, strlen(n))] = (uint32_t)k + 1;
    }
    t->index.slots = slots;
    t->index.cap = cap;
  }
  const char *n = RP_VEC_AT(t->labels, rp_label_def, used - 1).name;
  t->index.slots[index_slot(t, t->index.slots, t->index.cap, n, strlen(n))] = (uint32_t)used;
}

rp_status rp_labels_load(rp_layout_def *l, xmlNode *n) {
  size_t errors = l->d->errors;
  xmlChar *lang = xmlGetNsProp(n, (const xmlChar *)"lang", XML_XML_NAMESPACE);
  const char *tag = lang ? rp_arena_strdup(l->a, (const char *)lang) : NULL;
  xmlFree(lang);
  if (!tag || !tag[0])
    return rp_def_error(l, n, "<labels> needs the language its words are in: xml:lang=\"en-GB\"");
  rp_label_table *t = table_for(l, tag);
  if (!t) return rp_def_out_of_memory(l), RP_ERR_INTERNAL;
  if (!t->file) {
    t->file = rp_def_file(l, n);
    t->line = (int)xmlGetLineNo(n);
  }
  for (xmlNode *c = n->children; c; c = c->next) {
    if (!rp_is_element(c, "label")) continue;
    const char *name = rp_def_attr(l, c, "name");
    if (!name) continue; /* the schema requires it */
    const rp_label_def *dup = label_in(t, name, strlen(name));
    if (dup) {
      rp_def_error(l, c,
                   "label \"%s\" is given twice for xml:lang=\"%s\" (first at %s:%d); remove "
                   "one",
                   name, t->lang, dup->file, dup->line);
      continue;
    }
    xmlChar *text = xmlNodeGetContent(c);
    char *copy = rp_arena_strdup(l->a, text ? (const char *)text : "");
    xmlFree(text);
    rp_label_def *d = copy ? rp_vec_push(l->a, &t->labels, sizeof *d) : NULL;
    if (!d) return rp_def_out_of_memory(l), RP_ERR_INTERNAL;
    *d = (rp_label_def){name, collapse(copy), rp_def_file(l, c), (int)xmlGetLineNo(c)};
    index_last(l, t);
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}

/* The language of a table that has `name` (len bytes), preferring the
 * default table's; NULL when none has it. */
static const char *table_having(const rp_layout_def *l, const char *name, size_t len) {
  for (size_t i = 0; i < l->label_tables.len; i++) {
    const rp_label_table *t = RP_VEC_AT(l->label_tables, rp_label_table *, i);
    if (label_in(t, name, len)) return t->lang;
  }
  return NULL;
}

bool rp_labels_check(rp_layout_def *l, const xmlNode *n, const char *where, const char *name,
                     size_t len) {
  const char *lang = table_having(l, name, len);
  const char *dflt =
      l->label_tables.len ? RP_VEC_AT(l->label_tables, rp_label_table *, 0)->lang : NULL;
  if (lang && lang == dflt) return true;
  if (lang)
    rp_def_error(l, n,
                 "label('%.*s') in %s is only in <labels xml:lang=\"%s\">; add it to the default "
                 "table, <labels xml:lang=\"%s\"> (the first in the layout)",
                 (int)len, name, where, lang, dflt);
  else if (dflt)
    rp_def_error(l, n,
                 "label('%.*s') in %s: no <labels> of the layout has this name; add <label "
                 "name=\"%.*s\">…</label> to <labels xml:lang=\"%s\">",
                 (int)len, name, where, (int)len, name, dflt);
  else
    rp_def_error(l, n,
                 "label('%.*s') in %s: the layout has no <labels>; add <labels "
                 "xml:lang=\"en-GB\"><label name=\"%.*s\">…</label></labels>",
                 (int)len, name, where, (int)len, name);
  return false;
}

/* ---- binding ------------------------------------------------------------- */

static size_t primary_len(const char *tag) { return strcspn(tag, "-_"); }

/* The table for the document's language; the default when none fits. */
static const rp_label_table *choose(const rp_layout_def *l, const char *doc) {
  if (!l || l->label_tables.len == 0) return NULL;
  const rp_label_table *dflt = RP_VEC_AT(l->label_tables, rp_label_table *, 0);
  if (!doc || !doc[0]) return dflt;
  size_t p = primary_len(doc);
  for (int pass = 0; pass < 3; pass++)
    for (size_t i = 0; i < l->label_tables.len; i++) {
      const rp_label_table *t = RP_VEC_AT(l->label_tables, rp_label_table *, i);
      bool hit = pass == 0   ? strcasecmp(t->lang, doc) == 0
                 : pass == 1 ? strlen(t->lang) == p && strncasecmp(t->lang, doc, p) == 0
                             : primary_len(t->lang) == p && strncasecmp(t->lang, doc, p) == 0;
      if (hit) return t;
    }
  return dflt;
}

/* A table's labels by name: open addressing over a power of two of
 * slots, at least twice the labels (names are unique in a table: loading
 * refuses a second). Made once per binding in its arena; building
 * libxml2's hash copied every name (~300 labels, ~130,000 instructions)
 * for the few label() calls a document makes. */
typedef struct label_index {
  const rp_label_def **slot;
  size_t mask;
} label_index;

static size_t name_hash(const char *s) {
  uint64_t h = 14695981039346656037u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)(h ^ (h >> 32));
}

static label_index *index_table(rp_arena *a, const rp_label_table *t) {
  label_index *ix = rp_arena_calloc(a, 1, sizeof *ix);
  size_t n = t ? t->labels.len : 0, cap = 8;
  while (cap < 2 * n) cap *= 2;
  if (ix) ix->slot = rp_arena_calloc(a, cap, sizeof *ix->slot);
  if (!ix || !ix->slot) return NULL;
  ix->mask = cap - 1;
  for (size_t i = 0; i < n; i++) {
    const rp_label_def *d = &RP_VEC_AT(t->labels, rp_label_def, i);
    size_t h = name_hash(d->name) & ix->mask;
    while (ix->slot[h]) h = (h + 1) & ix->mask;
    ix->slot[h] = d;
  }
  return ix;
}

static const char *index_find(const label_index *ix, const char *name) {
  for (size_t h = name_hash(name) & ix->mask; ix->slot[h]; h = (h + 1) & ix->mask)
    if (strcmp(ix->slot[h]->name, name) == 0) return ix->slot[h]->text;
  return NULL;
}

static bool ready(rp_xeval *x) {
  if (x->label_index[0]) return true;
  const rp_label_table *chosen = choose(x->layout, x->lang);
  const rp_label_table *dflt = x->layout && x->layout->label_tables.len
                                   ? RP_VEC_AT(x->layout->label_tables, rp_label_table *, 0)
                                   : NULL;
  rp_arena *a = x->keep ? x->keep : x->a;
  label_index *c = index_table(a, chosen), *f = c ? index_table(a, dflt) : NULL;
  if (!c || !f) return false;
  x->label_index[0] = c;
  x->label_index[1] = f;
  return true;
}

const char *rp_label_find(rp_xeval *x, const char *name, bool chosen_only) {
  if (!ready(x)) return NULL;
  const char *s = index_find(x->label_index[0], name);
  if (!s && !chosen_only) s = index_find(x->label_index[1], name);
  return s;
}

const char *rp_label_lang(rp_xeval *x, bool chosen) {
  const rp_layout_def *l = x->layout;
  if (!l || l->label_tables.len == 0) return NULL;
  return chosen ? choose(l, x->lang)->lang : RP_VEC_AT(l->label_tables, rp_label_table *, 0)->lang;
}

const char *rp_label_elsewhere(rp_xeval *x, const char *name) {
  const rp_layout_def *l = x->layout;
  for (size_t i = 0; l && i < l->label_tables.len; i++) {
    const rp_label_table *t = RP_VEC_AT(l->label_tables, rp_label_table *, i);
    for (size_t k = 0; k < t->labels.len; k++)
      if (strcmp(RP_VEC_AT(t->labels, rp_label_def, k).name, name) == 0) return t->lang;
  }
  return NULL;
}

bool rp_label_first_miss(rp_xeval *x, const char *name) {
  if (!x->label_missing) x->label_missing = xmlHashCreate(8);
  if (!x->label_missing) return true;
  return xmlHashAddEntry(x->label_missing, (const xmlChar *)name, (void *)1) == 0;
}

bool rp_label_date_names(rp_xeval *x, const rp_date_names **out) {
  *out = x->date_names;
  if (x->date_names_done) return true;
  rp_date_names *n = rp_arena_calloc(x->keep ? x->keep : x->a, 1, sizeof *n);
  if (!n) return false;
  bool any = false;
  char key[32];
  for (int i = 0; i < 12; i++) {
    snprintf(key, sizeof key, "month-%d", i + 1);
    n->month[i] = rp_label_find(x, key, true);
    snprintf(key, sizeof key, "month-short-%d", i + 1);
    n->month_short[i] = rp_label_find(x, key, true);
    any |= n->month[i] || n->month_short[i];
  }
  for (int i = 0; i < 7; i++) {
    snprintf(key, sizeof key, "day-%d", i + 1); /* day-1 is Monday; day[] counts from Sunday */
    n->day[(i + 1) % 7] = rp_label_find(x, key, true);
    any |= n->day[(i + 1) % 7] != NULL;
  }
  x->date_names = any ? n : NULL;
  x->date_names_done = true;
  *out = x->date_names;
  return true;
}

/* ---- kinds from the content's vocabulary ---------------------------------- */

static xmlHashTablePtr kinds(rp_xeval *x) {
  if (x->kinds) return x->kinds;
  xmlHashTablePtr h = xmlHashCreate(32);
  xmlNodePtr root = xmlDocGetRootElement(x->doc);
  x->kinds = h;
  if (!h || !root) return h;
  for (xmlNodePtr v = root->children; v; v = v->next) {
    if (!rp_is_element(v, "vocabulary")) continue;
    for (xmlNodePtr ks = v->children; ks; ks = ks->next) {
      if (!rp_is_element(ks, "kinds")) continue;
      xmlChar *of = xmlGetNoNsProp(ks, (const xmlChar *)"of");
      for (xmlNodePtr k = ks->children; of && k; k = k->next) {
        if (!rp_is_element(k, "kind")) continue;
        xmlChar *id = xmlGetNoNsProp(k, (const xmlChar *)"id");
        if (id) xmlHashAddEntry2(h, id, of, k); /* the first of duplicates wins */
        xmlFree(id);
      }
      xmlFree(of);
    }
  }
  return h;
}

/* The attribute, or NULL when absent or empty; xmlFree the result. */
static xmlChar *attr(xmlNodePtr n, const char *name) {
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  if (v && !v[0]) {
    xmlFree(v);
    v = NULL;
  }
  return v;
}

/* label or plural (defaulting to label) of a kind or a translation. */
static xmlChar *printed(xmlNodePtr n, bool plural) {
  xmlChar *v = plural ? attr(n, "plural") : NULL;
  return v ? v : attr(n, "label");
}

/* The kind's translation for the document's language: the same tag, then
 * the same primary subtag. */
static xmlNodePtr translation(xmlNodePtr kind, const char *doc) {
  if (!doc || !doc[0]) return NULL;
  size_t p = primary_len(doc);
  for (int pass = 0; pass < 2; pass++)
    for (xmlNodePtr t = kind->children; t; t = t->next) {
      if (!rp_is_element(t, "translation")) continue;
      xmlChar *lang = xmlGetNsProp(t, (const xmlChar *)"lang", XML_XML_NAMESPACE);
      const char *s = (const char *)lang;
      bool hit = s && (pass == 0 ? strcasecmp(s, doc) == 0
                                 : primary_len(s) == p && strncasecmp(s, doc, p) == 0);
      xmlFree(lang);
      if (hit) return t;
    }
  return NULL;
}

xmlChar *rp_kind_label(rp_xeval *x, const char *of, const char *id, bool plural) {
  xmlHashTablePtr h = kinds(x);
  xmlNodePtr k = h ? xmlHashLookup2(h, (const xmlChar *)id, (const xmlChar *)of) : NULL;
  if (!k) return xmlStrdup((const xmlChar *)id);
  /* a document in the vocabulary's own language has no translation to pick */
  xmlNodePtr t = translation(k, x->lang);
  xmlChar *v = t ? printed(t, plural) : NULL;
  if (!v) v = printed(k, plural);
  return v ? v : xmlStrdup((const xmlChar *)id);
}

void rp_labels_fini(rp_xeval *x) {
  x->label_index[0] = x->label_index[1] = NULL; /* in the binding's arena */
  xmlHashFree(x->label_missing, NULL);
  x->label_missing = NULL;
  xmlHashFree(x->kinds, NULL);
  x->kinds = NULL;
}
