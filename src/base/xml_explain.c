/* xml_explain — see xml_explain.h.
 *
 * The schema is read as a plain XML tree and indexed once (every <define>,
 * <ref> and <element>). For an element of the document:
 *
 * - its definitions are the schema's <element name="…"> of that name,
 *   narrowed to those that can stand inside the element's parent (walking
 *   up the schema from each definition, through the <ref>s to its <define>);
 * - their attributes are the <attribute> patterns reachable without entering
 *   another <element> (through <ref>, <group>, <optional>, <choice>…); an
 *   attribute is required when it is under no <optional>, <zeroOrMore> or
 *   <choice>, or when it is in one with another attribute that is there
 *   (an optional pair such as lat and lon);
 * - a value is checked by libxml2 itself against a one-element schema made
 *   of just that attribute's pattern (refs copied in, datatypeLibrary made
 *   explicit), so datatypes, params and choices mean exactly what they mean
 *   to the validator; compiled once per pattern;
 * - what is allowed is said from the pattern: the <value>s, and for the rest
 *   the rp:expect annotation nearest the pattern, else the datatype in words
 *   with its params.
 *
 * Nothing here decides validity: it explains mistakes libxml2 has found.
 * When in doubt (several definitions, a name class, a pattern it cannot copy)
 * it reports nothing rather than something false. */
#include "base/xml_explain.h"
#include "base/mem.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define MAX_DEPTH 32  /* refs followed inside one pattern */
#define MAX_DEFS 64   /* definitions of one element name considered */
#define MAX_ATTRS 128 /* attribute patterns of one definition */
#define MAX_WORDS 48  /* alternatives said in one message */

#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlErrorPtr error_ptr;
#endif

typedef struct compiled {
  const xmlNode *key; /* the <attribute>, or the text pattern */
  xmlRelaxNGPtr rng;  /* NULL: could not be built; every value passes */
} compiled;

struct rp_xml_explain {
  xmlDocPtr doc;
  const xmlNode **defines, **refs, **elements;
  size_t n_defines, n_refs, n_elements;
  compiled *cache;
  size_t n_cache;
};

/* ---- the schema tree -------------------------------------------------------- */

static bool is_rng(const xmlNode *n, const char *name) {
  return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         strcmp((const char *)n->ns->href, RNG_NS) == 0 &&
         (!name || strcmp((const char *)n->name, name) == 0);
}

/* An unqualified attribute's value, pointing into the tree; NULL if absent. */
static const char *prop(const xmlNode *n, const char *name) {
  xmlAttrPtr a = xmlHasNsProp(n, (const xmlChar *)name, NULL);
  if (!a) return NULL;
  return a->children && a->children->content ? (const char *)a->children->content : "";
}

static const char *expect(const xmlNode *n) {
  xmlAttrPtr a = xmlHasNsProp(n, (const xmlChar *)"expect", (const xmlChar *)RP_XML_EXPLAIN_NS);
  return a && a->children && a->children->content ? (const char *)a->children->content : NULL;
}

/* The name an <element> or <attribute> pattern gives (its name attribute or
 * a <name> child), NULL for a name class (anyName, nsName, choice). */
static const char *pattern_name(const xmlNode *n) {
  const char *name = prop(n, "name");
  if (name) return name;
  for (const xmlNode *c = n->children; c; c = c->next) {
    if (!is_rng(c, NULL)) continue;
    if (is_rng(c, "name") && c->children && c->children->content)
      return (const char *)c->children->content;
    return NULL;
  }
  return NULL;
}

/* The first RNG child of an element or attribute pattern is its name class
 * when it has no name attribute: not part of its content. */
static const xmlNode *content_start(const xmlNode *n) {
  const xmlNode *c = n->children;
  if (prop(n, "name")) return c;
  for (; c; c = c->next)
    if (is_rng(c, NULL)) return c->next;
  return NULL;
}

static int push(const xmlNode ***arr, size_t *n, const xmlNode *node) {
  if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4 …: grow to the next power of two */
    const xmlNode **grown = rp_mem_realloc((void *)*arr, (*n ? *n * 2 : 1) * sizeof **arr);
    if (!grown) return -1;
    *arr = grown;
  }
  (*arr)[(*n)++] = node;
  return 0;
}

static int index_tree(rp_xml_explain *x, const xmlNode *n) {
  for (; n; n = n->next) {
    if (is_rng(n, "define") && push(&x->defines, &x->n_defines, n)) return -1;
    if ((is_rng(n, "ref") || is_rng(n, "parentRef")) && push(&x->refs, &x->n_refs, n)) return -1;
    if (is_rng(n, "element") && push(&x->elements, &x->n_elements, n)) return -1;
    if (n->type == XML_ELEMENT_NODE && index_tree(x, n->children)) return -1;
  }
  return 0;
}

rp_xml_explain *rp_xml_explain_new(const char *text, size_t len) {
  rp_xml_explain *x = rp_mem_calloc(1, sizeof *x);
  if (!x) return NULL;
  x->doc = xmlReadMemory(text, (int)len, "schema.rng", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!x->doc || index_tree(x, x->doc->children)) {
    rp_xml_explain_free(x);
    return NULL;
  }
  return x;
}

void rp_xml_explain_free(rp_xml_explain *x) {
  if (!x) return;
  for (size_t i = 0; i < x->n_cache; i++) xmlRelaxNGFree(x->cache[i].rng);
  rp_mem_free(x->cache);
  rp_mem_free((void *)x->defines);
  rp_mem_free((void *)x->refs);
  rp_mem_free((void *)x->elements);
  xmlFreeDoc(x->doc);
  rp_mem_free(x);
}

/* ---- definitions of an element ---------------------------------------------- */

typedef struct names {
  const char *v[MAX_DEFS];
  size_t n;
} names;

static void add_name(names *s, const char *name) {
  if (!name) return;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i], name) == 0) return;
  if (s->n < MAX_DEFS) s->v[s->n++] = name;
}

/* Adds the names of the elements that can hold pattern `n`: "" for the
 * document element, "*" for an element with a name class. */
static void parents(const rp_xml_explain *x, const xmlNode *n, names *out, int depth) {
  if (depth > MAX_DEPTH) {
    add_name(out, "*");
    return;
  }
  for (const xmlNode *p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
    if (is_rng(p, "element")) {
      const char *name = pattern_name(p);
      add_name(out, name ? name : "*");
      return;
    }
    if (is_rng(p, "start")) {
      add_name(out, "");
      return;
    }
    if (is_rng(p, "define")) {
      const char *def = prop(p, "name");
      for (size_t i = 0; def && i < x->n_refs; i++) {
        const char *ref = prop(x->refs[i], "name");
        if (ref && strcmp(ref, def) == 0) parents(x, x->refs[i], out, depth + 1);
      }
      return;
    }
  }
  add_name(out, ""); /* a schema that is one <element>: the document element */
}

/* The schema's definitions of element `n`: those that can stand in n's
 * parent, or all of them when none can (the document is wrong higher up). */
static size_t definitions(const rp_xml_explain *x, const xmlNode *n, const xmlNode **out) {
  const char *parent =
      n->parent && n->parent->type == XML_ELEMENT_NODE ? (const char *)n->parent->name : "";
  size_t all = 0, fit = 0;
  const xmlNode *every[MAX_DEFS];
  for (size_t i = 0; i < x->n_elements && all < MAX_DEFS; i++) {
    const char *name = pattern_name(x->elements[i]);
    if (!name || strcmp(name, (const char *)n->name) != 0) continue;
    every[all++] = x->elements[i];
    names p = {.n = 0};
    parents(x, x->elements[i], &p, 0);
    for (size_t j = 0; j < p.n; j++) {
      if (strcmp(p.v[j], parent) == 0 || strcmp(p.v[j], "*") == 0) {
        out[fit++] = x->elements[i];
        break;
      }
    }
  }
  if (fit) return fit;
  memcpy(out, every, all * sizeof *every);
  return all;
}

typedef struct attr_def {
  const char *name;    /* NULL: a name class (any attribute may match) */
  const xmlNode *attr; /* the <attribute> */
  /* 0: required by the element; else the <optional>, <zeroOrMore> or
   * branch of a <choice> it is in, and required when another attribute of
   * that group is there (lat with lon) */
  int group;
} attr_def;

typedef struct attr_set {
  attr_def v[MAX_ATTRS];
  size_t n;
  bool open;  /* an attribute pattern with a name class */
  int groups; /* group ids given so far */
} attr_set;

static void each_define(const rp_xml_explain *x, const char *name,
                        void (*fn)(const rp_xml_explain *, const xmlNode *, void *, int),
                        void *user, int depth) {
  for (size_t i = 0; name && i < x->n_defines; i++) {
    const char *def = prop(x->defines[i], "name");
    if (def && strcmp(def, name) == 0) fn(x, x->defines[i], user, depth);
  }
}

typedef struct collect_state {
  attr_set *set;
  int group;
} collect_state;

static void collect(const rp_xml_explain *x, const xmlNode *parent, void *user, int depth);
static void collect_one(const rp_xml_explain *x, const xmlNode *c, collect_state *cs, int depth);

/* Adds the attribute patterns under `parent`, stopping at nested elements. */
static void collect(const rp_xml_explain *x, const xmlNode *parent, void *user, int depth) {
  collect_state *cs = user;
  if (depth > MAX_DEPTH) {
    cs->set->open = true;
    return;
  }
  for (const xmlNode *c = parent->children; c; c = c->next) collect_one(x, c, cs, depth);
}

static void collect_one(const rp_xml_explain *x, const xmlNode *c, collect_state *cs, int depth) {
  attr_set *set = cs->set;
  if (!is_rng(c, NULL) || is_rng(c, "element")) return;
  if (is_rng(c, "attribute")) {
    const char *name = pattern_name(c);
    if (!name || set->n == MAX_ATTRS) set->open = true;
    if (set->n < MAX_ATTRS) set->v[set->n++] = (attr_def){name, c, cs->group};
  } else if (is_rng(c, "optional") || is_rng(c, "zeroOrMore")) {
    collect_state inner = {set, ++set->groups};
    collect(x, c, &inner, depth + 1);
  } else if (is_rng(c, "choice")) {
    for (const xmlNode *b = c->children; b; b = b->next) {
      collect_state inner = {set, ++set->groups};
      collect_one(x, b, &inner, depth + 1);
    }
  } else if (is_rng(c, "ref") || is_rng(c, "parentRef")) {
    each_define(x, prop(c, "name"), collect, cs, depth + 1);
  } else {
    collect(x, c, cs, depth + 1);
  }
}

/* Whether pattern `n` holds only attributes (nothing for text or elements). */
static bool attr_only(const rp_xml_explain *x, const xmlNode *n, int depth);

typedef struct all_state {
  bool (*test)(const rp_xml_explain *, const xmlNode *, int);
  bool ok, any;
} all_state;

static void all_children(const rp_xml_explain *x, const xmlNode *parent, void *user, int depth) {
  all_state *as = user;
  for (const xmlNode *c = parent->children; c; c = c->next) {
    if (!is_rng(c, NULL)) continue;
    as->any = true;
    if (!as->test(x, c, depth + 1)) as->ok = false;
  }
}

static bool every_child(const rp_xml_explain *x, const xmlNode *n, int depth,
                        bool (*test)(const rp_xml_explain *, const xmlNode *, int)) {
  all_state as = {test, true, false};
  if (depth > MAX_DEPTH) return false;
  if (is_rng(n, "ref") || is_rng(n, "parentRef"))
    each_define(x, prop(n, "name"), all_children, &as, depth);
  else
    all_children(x, n, &as, depth);
  return as.ok && as.any;
}

static bool attr_only(const rp_xml_explain *x, const xmlNode *n, int depth) {
  if (is_rng(n, "attribute") || is_rng(n, "empty")) return true;
  if (is_rng(n, "optional") || is_rng(n, "zeroOrMore") || is_rng(n, "oneOrMore") ||
      is_rng(n, "group") || is_rng(n, "interleave") || is_rng(n, "choice") || is_rng(n, "ref") ||
      is_rng(n, "parentRef"))
    return every_child(x, n, depth, attr_only);
  return false;
}

/* Whether pattern `n` matches a value and nothing else (no element, no
 * mixed text). */
static bool value_only(const rp_xml_explain *x, const xmlNode *n, int depth) {
  if (is_rng(n, "value") || is_rng(n, "data") || is_rng(n, "list")) return true;
  if (is_rng(n, "choice") || is_rng(n, "ref") || is_rng(n, "parentRef"))
    return every_child(x, n, depth, value_only);
  if (is_rng(n, "group")) { /* a group of one value */
    size_t count = 0;
    for (const xmlNode *c = n->children; c; c = c->next) count += is_rng(c, NULL);
    return count == 1 && every_child(x, n, depth, value_only);
  }
  return false;
}

/* The pattern of a value-only element's text (e.g. <kind> holding one of a
 * choice of <value>s), or NULL when its content is anything else. */
static const xmlNode *text_pattern(const rp_xml_explain *x, const xmlNode *def) {
  const xmlNode *found = NULL;
  for (const xmlNode *c = content_start(def); c; c = c->next) {
    if (!is_rng(c, NULL) || attr_only(x, c, 0)) continue;
    if (found) return NULL;
    found = c;
  }
  return found && value_only(x, found, 0) ? found : NULL;
}

/* ---- checking a value --------------------------------------------------------- */

static void quiet(void *user, error_ptr e) {}

static const char *datatype_library(const xmlNode *n) {
  for (const xmlNode *p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
    const char *lib = prop(p, "datatypeLibrary");
    if (lib) return lib;
  }
  return "";
}

/* Copies pattern `src` under `parent` with every ref replaced by the
 * patterns it names and every datatype library written out. Returns -1 when
 * the pattern is too deep to copy. */
static int copy_pattern(const rp_xml_explain *x, const xmlNode *src, xmlNodePtr parent, xmlNsPtr ns,
                        int depth) {
  if (!is_rng(src, NULL)) return 0; /* annotations */
  if (depth > MAX_DEPTH) return -1;
  if (is_rng(src, "ref") || is_rng(src, "parentRef")) {
    xmlNodePtr choice = xmlNewChild(parent, ns, (const xmlChar *)"choice", NULL);
    if (!choice) return -1;
    const char *name = prop(src, "name");
    for (size_t i = 0; name && i < x->n_defines; i++) {
      const char *def = prop(x->defines[i], "name");
      if (!def || strcmp(def, name) != 0) continue;
      xmlNodePtr group = xmlNewChild(choice, ns, (const xmlChar *)"group", NULL);
      if (!group) return -1;
      for (const xmlNode *c = x->defines[i]->children; c; c = c->next)
        if (copy_pattern(x, c, group, ns, depth + 1)) return -1;
    }
    if (!choice->children && !xmlNewChild(choice, ns, (const xmlChar *)"notAllowed", NULL))
      return -1;
    return 0;
  }
  xmlNodePtr e = xmlNewChild(parent, ns, src->name, NULL);
  if (!e) return -1;
  for (const xmlAttr *a = src->properties; a; a = a->next) {
    if (a->ns || strcmp((const char *)a->name, "datatypeLibrary") == 0) continue;
    xmlChar *v = xmlNodeListGetString(src->doc, a->children, 1);
    xmlAttrPtr copy = xmlNewProp(e, a->name, v ? v : (const xmlChar *)"");
    xmlFree(v);
    if (!copy) return -1;
  }
  /* A <value> without a type is a built-in token: no library. */
  if (is_rng(src, "data") || (is_rng(src, "value") && prop(src, "type")))
    if (!xmlNewProp(e, (const xmlChar *)"datatypeLibrary", (const xmlChar *)datatype_library(src)))
      return -1;
  for (const xmlNode *c = src->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      xmlNodeAddContent(e, c->content);
    else if (copy_pattern(x, c, e, ns, depth + 1))
      return -1;
  }
  return 0;
}

/* Compiles `<element name="v">PATTERN</element>` from the patterns in the
 * list starting at `first` (only `first` itself when `one`). NULL if it
 * cannot be built. */
static xmlRelaxNGPtr compile(const rp_xml_explain *x, const xmlNode *first, bool one) {
  xmlRelaxNGPtr rng = NULL;
  xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
  xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, (const xmlChar *)"element", NULL) : NULL;
  xmlNsPtr ns = root ? xmlNewNs(root, (const xmlChar *)RNG_NS, NULL) : NULL;
  if (!ns) goto done;
  xmlSetNs(root, ns);
  xmlDocSetRootElement(doc, root);
  if (!xmlNewProp(root, (const xmlChar *)"name", (const xmlChar *)"v")) goto done;
  for (const xmlNode *c = first; c; c = one ? NULL : c->next)
    if (copy_pattern(x, c, root, ns, 0)) goto done;
  if (!root->children && !xmlNewChild(root, ns, (const xmlChar *)"text", NULL)) goto done;
  xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewDocParserCtxt(doc);
  if (!pctx) goto done;
  xmlRelaxNGSetParserStructuredErrors(pctx, quiet, NULL);
  rng = xmlRelaxNGParse(pctx);
  xmlRelaxNGFreeParserCtxt(pctx);
done:
  xmlFreeDoc(doc);
  return rng;
}

/* Whether `value` fits the pattern keyed by `key`: an <attribute> (its
 * content), or a text pattern. True when that cannot be told. */
static bool fits(rp_xml_explain *x, const xmlNode *key, const char *value) {
  compiled *c = NULL;
  for (size_t i = 0; i < x->n_cache; i++)
    if (x->cache[i].key == key) c = &x->cache[i];
  if (!c) {
    compiled *grown = rp_mem_realloc(x->cache, (x->n_cache + 1) * sizeof *grown);
    if (!grown) return true;
    x->cache = grown;
    c = &x->cache[x->n_cache++];
    c->key = key;
    c->rng =
        is_rng(key, "attribute") ? compile(x, content_start(key), false) : compile(x, key, true);
  }
  if (!c->rng) return true;
  bool ok = true;
  xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
  xmlNodePtr v = doc ? xmlNewDocNode(doc, NULL, (const xmlChar *)"v", NULL) : NULL;
  xmlRelaxNGValidCtxtPtr vctx = v ? xmlRelaxNGNewValidCtxt(c->rng) : NULL;
  if (vctx) {
    xmlDocSetRootElement(doc, v);
    if (*value) xmlNodeAddContent(v, (const xmlChar *)value);
    xmlRelaxNGSetValidStructuredErrors(vctx, quiet, NULL);
    ok = xmlRelaxNGValidateDoc(vctx, doc) == 0;
  }
  xmlRelaxNGFreeValidCtxt(vctx);
  xmlFreeDoc(doc);
  return ok;
}

/* ---- saying what is allowed --------------------------------------------------- */

/* The alternatives a pattern allows: literal values, and descriptions. */
typedef struct words {
  char *values[MAX_WORDS], *descs[MAX_WORDS];
  size_t n_values, n_descs;
} words;

static void add_word(char **list, size_t *n, const char *w) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp(list[i], w) == 0) return;
  if (*n < MAX_WORDS && (list[*n] = rp_mem_strdup(w))) (*n)++;
}

static void words_fini(words *w) {
  for (size_t i = 0; i < w->n_values; i++) rp_mem_free(w->values[i]);
  for (size_t i = 0; i < w->n_descs; i++) rp_mem_free(w->descs[i]);
}

static const struct {
  const char *type, *words;
} type_words[] = {
    {"integer", "an integer"},
    {"int", "an integer"},
    {"long", "an integer"},
    {"short", "an integer"},
    {"byte", "an integer"},
    {"nonNegativeInteger", "a whole number (0 or more)"},
    {"unsignedLong", "a whole number (0 or more)"},
    {"unsignedInt", "a whole number (0 or more)"},
    {"unsignedShort", "a whole number (0 or more)"},
    {"unsignedByte", "a whole number (0 or more)"},
    {"positiveInteger", "a whole number (1 or more)"},
    {"nonPositiveInteger", "an integer (0 or less)"},
    {"negativeInteger", "an integer (-1 or less)"},
    {"decimal", "a number"},
    {"double", "a number"},
    {"float", "a number"},
    {"boolean", "true or false"},
    {"date", "a date YYYY-MM-DD"},
    {"dateTime", "a date and time YYYY-MM-DDThh:mm:ss"},
    {"time", "a time hh:mm:ss"},
    {"gYear", "a year YYYY"},
    {"gYearMonth", "a month YYYY-MM"},
    {"duration", "a duration such as P1Y2M"},
    {"language", "a language tag such as en-GB or cy"},
    {"anyURI", "a URI"},
    {"string", "text"},
    {"normalizedString", "text"},
    {"token", "text"},
    {"NMTOKEN", "a name"},
    {"Name", "a name"},
    {"NCName", "a name"},
    {"ID", "a name"},
    {"IDREF", "a name"},
    {"QName", "a qualified name"},
};

static const struct {
  const char *param, *words;
} param_words[] = {
    {"pattern", "matching the pattern %s"},
    {"minInclusive", "from %s"},
    {"maxInclusive", "up to %s"},
    {"minExclusive", "above %s"},
    {"maxExclusive", "below %s"},
    {"length", "of exactly %s characters"},
    {"minLength", "of at least %s characters"},
    {"maxLength", "of at most %s characters"},
    {"totalDigits", "of at most %s digits"},
    {"fractionDigits", "with at most %s decimal places"},
};

/* "a number from 0", "text matching the pattern [A-Z]{3}" … */
static void describe_data(const xmlNode *data, words *w) {
  const char *type = prop(data, "type");
  char buf[1024];
  const char *base = NULL;
  for (size_t i = 0; type && i < sizeof type_words / sizeof type_words[0]; i++)
    if (strcmp(type_words[i].type, type) == 0) base = type_words[i].words;
  if (base)
    snprintf(buf, sizeof buf, "%s", base);
  else
    snprintf(buf, sizeof buf, "a value of type %s", type ? type : "?");
  for (const xmlNode *p = data->children; p; p = p->next) {
    const char *param = is_rng(p, "param") ? prop(p, "name") : NULL;
    for (size_t i = 0; param && i < sizeof param_words / sizeof param_words[0]; i++) {
      if (strcmp(param_words[i].param, param) != 0) continue;
      xmlChar *v = xmlNodeGetContent(p);
      size_t len = strlen(buf);
      if (len + 2 < sizeof buf) {
        buf[len] = ' ';
        snprintf(buf + len + 1, sizeof buf - len - 1, param_words[i].words,
                 v ? (const char *)v : "");
      }
      xmlFree(v);
    }
  }
  add_word(w->descs, &w->n_descs, buf);
}

static void describe(const rp_xml_explain *x, const xmlNode *n, words *w, int depth);

static void describe_define(const rp_xml_explain *x, const xmlNode *def, void *user, int depth) {
  const char *hint = expect(def);
  if (hint) {
    add_word(((words *)user)->descs, &((words *)user)->n_descs, hint);
    return;
  }
  for (const xmlNode *c = def->children; c; c = c->next) describe(x, c, user, depth);
}

static void describe(const rp_xml_explain *x, const xmlNode *n, words *w, int depth) {
  if (!is_rng(n, NULL) || depth > MAX_DEPTH) return;
  const char *hint = expect(n);
  if (hint) {
    add_word(w->descs, &w->n_descs, hint);
  } else if (is_rng(n, "value")) {
    xmlChar *v = xmlNodeGetContent(n);
    add_word(w->values, &w->n_values, v ? (const char *)v : "");
    xmlFree(v);
  } else if (is_rng(n, "data")) {
    describe_data(n, w);
  } else if (is_rng(n, "text")) {
    add_word(w->descs, &w->n_descs, "any text");
  } else if (is_rng(n, "empty")) {
    add_word(w->descs, &w->n_descs, "nothing");
  } else if (is_rng(n, "list")) {
    words inner = {.n_values = 0};
    for (const xmlNode *c = n->children; c; c = c->next) describe(x, c, &inner, depth + 1);
    char buf[1024] = "a space-separated list of";
    for (size_t i = 0; i < inner.n_values; i++)
      snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s %s", i ? "," : "", inner.values[i]);
    for (size_t i = 0; i < inner.n_descs; i++)
      snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s %s",
               i || inner.n_values ? " or" : "", inner.descs[i]);
    words_fini(&inner);
    add_word(w->descs, &w->n_descs, buf);
  } else if (is_rng(n, "ref") || is_rng(n, "parentRef")) {
    each_define(x, prop(n, "name"), describe_define, w, depth + 1);
  } else {
    for (const xmlNode *c = n->children; c; c = c->next) describe(x, c, w, depth + 1);
  }
}

/* Describes what an <attribute> accepts. */
static void describe_attr(const rp_xml_explain *x, const xmlNode *attr, words *w) {
  const char *hint = expect(attr);
  if (hint) {
    add_word(w->descs, &w->n_descs, hint);
    return;
  }
  bool any = false;
  for (const xmlNode *c = content_start(attr); c; c = c->next) {
    any |= is_rng(c, NULL);
    describe(x, c, w, 0);
  }
  if (!any) add_word(w->descs, &w->n_descs, "any text");
}

/* "allowed: GBP, EUR, %", "expected a number", "allowed: %, or a currency
 * code" into buf. */
static void say(const words *w, char *buf, size_t size) {
  size_t o = 0;
  buf[0] = '\0';
#define PUT(...)                                                         \
  do {                                                                   \
    if (o < size) o += (size_t)snprintf(buf + o, size - o, __VA_ARGS__); \
  } while (0)
  if (w->n_values) {
    PUT("allowed: ");
    for (size_t i = 0; i < w->n_values; i++)
      PUT("%s%s", i ? ", " : "", w->values[i][0] ? w->values[i] : "\"\" (empty)");
  } else {
    PUT("expected ");
  }
  for (size_t i = 0; i < w->n_descs; i++)
    PUT("%s%s", i ? " or " : w->n_values ? ", or " : "", w->descs[i]);
  if (!w->n_values && !w->n_descs) PUT("nothing: the schema allows no value here");
#undef PUT
}

/* ---- checking an element -------------------------------------------------------- */

static void qualified(const xmlAttr *a, char *buf, size_t size) {
  if (a->ns && a->ns->prefix)
    snprintf(buf, size, "%s:%s", (const char *)a->ns->prefix, (const char *)a->name);
  else
    snprintf(buf, size, "%s", (const char *)a->name);
}

static bool has_element_children(const xmlNode *n) {
  for (const xmlNode *c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

/* One element being checked: its definitions and where to say what. */
typedef struct check {
  rp_xml_explain *x;
  const xmlNode *n;
  const xmlNode *defs[MAX_DEFS];
  attr_set *sets; /* the attributes of each definition */
  size_t n_defs;
  const char *el, *file, *end;
  int line;
  rp_diag *d;
} check;

static bool has_attr(const xmlNode *n, const char *name) {
  char q[256];
  for (const xmlAttr *a = n->properties; a; a = a->next) {
    qualified(a, q, sizeof q);
    if (strcmp(q, name) == 0) return true;
  }
  return false;
}

/* Whether `set` requires attribute `name` of element `n`: always (group 0),
 * or because another attribute of its group is there (*with is set to it). */
static bool requires(const attr_set *set, const char *name, const xmlNode *n, const char **with) {
  *with = NULL;
  for (size_t k = 0; k < set->n; k++) {
    const attr_def *ad = &set->v[k];
    if (!ad->name || strcmp(ad->name, name) != 0) continue;
    if (ad->group == 0) return true;
    for (size_t m = 0; m < set->n; m++) {
      const attr_def *o = &set->v[m];
      if (o->group == ad->group && o->name && strcmp(o->name, name) != 0 && has_attr(n, o->name)) {
        *with = o->name;
        return true;
      }
    }
  }
  return false;
}

/* Attribute `a` of the element: is it taken, and does its value fit? */
static size_t check_attr(check *c, const xmlAttr *a) {
  char name[256], said[2048];
  qualified(a, name, sizeof name);
  bool declared = false, open = false, ok = false;
  xmlChar *v = xmlNodeListGetString(c->n->doc, a->children, 1);
  const char *value = v ? (const char *)v : "";
  words w = {.n_values = 0};
  for (size_t i = 0; i < c->n_defs; i++) {
    open |= c->sets[i].open;
    for (size_t j = 0; j < c->sets[i].n && !ok; j++) {
      const attr_def *ad = &c->sets[i].v[j];
      if (!ad->name || strcmp(ad->name, name) != 0) continue;
      declared = true;
      ok = fits(c->x, ad->attr, value);
      if (!ok) describe_attr(c->x, ad->attr, &w);
    }
  }
  size_t found = 0;
  if (declared && !ok) {
    say(&w, said, sizeof said);
    rp_diag_error(c->d, RP_ERR_INPUT, c->file, c->line, 0,
                  "Element %s: %s=\"%s\" is not allowed here; %s%s", c->el, name, value, said,
                  c->end);
    found = 1;
  } else if (!declared && !open) {
    names seen = {.n = 0};
    for (size_t i = 0; i < c->n_defs; i++)
      for (size_t j = 0; j < c->sets[i].n; j++) add_name(&seen, c->sets[i].v[j].name);
    size_t o = 0;
    said[0] = '\0';
    for (size_t i = 0; i < seen.n && o < sizeof said; i++)
      o += (size_t)snprintf(said + o, sizeof said - o, "%s%s", i ? ", " : "", seen.v[i]);
    rp_diag_error(c->d, RP_ERR_INPUT, c->file, c->line, 0,
                  "Element %s: attribute %s is not allowed; %s%s%s", c->el, name,
                  seen.n ? "allowed attributes: " : "it takes no attributes", said, c->end);
    found = 1;
  }
  words_fini(&w);
  xmlFree(v);
  return found;
}

/* Required attributes missing: only those every definition requires. */
static size_t check_required(check *c) {
  size_t found = 0;
  char said[2048], with_said[300] = "";
  const attr_set *first = &c->sets[0];
  for (size_t j = 0; j < first->n; j++) {
    const attr_def *ad = &first->v[j];
    if (!ad->name || has_attr(c->n, ad->name)) continue;
    bool again = false; /* the same name twice in the definition: said once */
    for (size_t k = 0; k < j && !again; k++)
      again = first->v[k].name && strcmp(first->v[k].name, ad->name) == 0;
    const char *with = NULL, *other;
    bool everywhere = !again && requires(first, ad->name, c->n, &with);
    for (size_t i = 1; i < c->n_defs && everywhere; i++)
    everywhere = requires(&c->sets[i], ad->name, c->n, &other);
    if (!everywhere) continue;
    if (with) snprintf(with_said, sizeof with_said, " (it goes with %s)", with);
    words w = {.n_values = 0};
    describe_attr(c->x, ad->attr, &w);
    /* "expected any text" says nothing about a missing attribute */
    bool any = !w.n_values && w.n_descs == 1 && strcmp(w.descs[0], "any text") == 0;
    say(&w, said, sizeof said);
    words_fini(&w);
    rp_diag_error(c->d, RP_ERR_INPUT, c->file, c->line, 0,
                  "Element %s: attribute %s is required but missing%s%s%s%s", c->el, ad->name,
                  with ? with_said : "", any ? "" : "; ", any ? "" : said, c->end);
    found++;
  }
  return found;
}

/* The text of a value-only element, when every definition is one. */
static size_t check_text(check *c) {
  const xmlNode *texts[MAX_DEFS];
  if (has_element_children(c->n)) return 0;
  for (size_t i = 0; i < c->n_defs; i++)
    if (!(texts[i] = text_pattern(c->x, c->defs[i]))) return 0;
  xmlChar *v = xmlNodeGetContent(c->n);
  const char *value = v ? (const char *)v : "";
  bool ok = false;
  for (size_t i = 0; i < c->n_defs && !ok; i++) ok = fits(c->x, texts[i], value);
  if (!ok) {
    char said[2048];
    words w = {.n_values = 0};
    for (size_t i = 0; i < c->n_defs; i++) {
      const char *hint = expect(c->defs[i]);
      if (hint)
        add_word(w.descs, &w.n_descs, hint);
      else
        describe(c->x, texts[i], &w, 0);
    }
    say(&w, said, sizeof said);
    words_fini(&w);
    rp_diag_error(c->d, RP_ERR_INPUT, c->file, c->line, 0,
                  "Element %s: \"%s\" is not allowed here; %s%s", c->el, value, said, c->end);
  }
  xmlFree(v);
  return ok ? 0 : 1;
}

size_t rp_xml_explain_element(rp_xml_explain *x, const xmlNode *n, const char *file,
                              const char *suffix, rp_diag *d, size_t *n_text) {
  if (n_text) *n_text = 0;
  if (!x || !n || n->type != XML_ELEMENT_NODE) return 0;
  check c = {.x = x,
             .n = n,
             .el = (const char *)n->name,
             .file = file,
             .end = suffix ? suffix : "",
             .line = (int)xmlGetLineNo(n),
             .d = d};
  c.n_defs = definitions(x, n, c.defs);
  if (!c.n_defs || !(c.sets = rp_mem_calloc(c.n_defs, sizeof *c.sets))) return 0;
  for (size_t i = 0; i < c.n_defs; i++) {
    collect_state cs = {&c.sets[i], 0};
    collect(x, c.defs[i], &cs, 0);
  }
  size_t found = 0;
  for (const xmlAttr *a = n->properties; a; a = a->next) found += check_attr(&c, a);
  found += check_required(&c);
  size_t text = check_text(&c);
  if (n_text) *n_text = text;
  rp_mem_free(c.sets);
  return found + text;
}
