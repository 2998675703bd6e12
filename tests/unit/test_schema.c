/* test_schema — each built-in schema's fast twin (layout-fast.rng,
 * review-fast.rng, made by tests/schema/make_fast.py) accepts the same
 * language as the schema, and validating through the twin first (as
 * reviewpdf does) says the same as the schema alone: every layout and content
 * document in the tree, and mutants of each (an attribute dropped, added,
 * emptied or given an odd value, an element renamed, removed, doubled or
 * moved, stray text), get the same verdict from both, and the same status
 * and messages from rp_xml_validate with and without the twin.
 *
 * RP_SCHEMA_MUTANTS=N mutates N elements per document (default 4). */
#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/schemas.h"
#include "base/xml.h"
#include "model/content.h"
#include "template/template.h"
#include "testutil.h"

/* The schema alone (what gives the messages), the twin alone (for its
 * verdict) and both as reviewpdf uses them. */
typedef struct pair {
  rp_xml_schema ref, twin, used;
} pair;

static pair layout_pair, content_pair;
static size_t n_docs, n_mutants, n_invalid;

static pair make_pair(rp_xml_schema used, const char *twin, size_t twin_len) {
  pair p = {.used = used};
  /* the fast path exists (its pattern variant was found) */
  assert_non_null(used.fast_text);
  assert_non_null(used.fast_ok);
  p.ref = (rp_xml_schema){
      .name = used.name, .text = used.text, .len = used.len, .doc_hint = used.doc_hint};
  p.twin = p.ref;
  p.twin.text = twin;
  p.twin.len = twin_len;
  return p;
}

static bool same_diag(const rp_diag *a, const rp_diag *b) {
  if (a->count != b->count || a->errors != b->errors) return false;
  for (size_t i = 0; i < a->count; i++) {
    const rp_diag_entry *x = &a->entries[i], *y = &b->entries[i];
    if (x->severity != y->severity || x->line != y->line || x->col != y->col ||
        x->status != y->status)
      return false;
    if (strcmp(x->message ? x->message : "", y->message ? y->message : "") != 0) return false;
    if (strcmp(x->file ? x->file : "", y->file ? y->file : "") != 0) return false;
  }
  return true;
}

/* libxml2 marks each element it validated with the definition it matched
 * and skips it when validating against that schema again: each validation
 * here starts from a clean tree, as reviewpdf's one validation does. */
static void clear_marks(xmlNodePtr n) {
  for (; n; n = n->next) {
    n->psvi = NULL;
    if (n->type == XML_ELEMENT_NODE) clear_marks(n->children);
  }
}

/* The schema and its twin give `doc` the same verdict, and the schema says
 * the same with and without the twin. */
static void compare(xmlDocPtr doc, const char *path, const pair *p, const char *what) {
  rp_diag a, b, c;
  rp_diag_init(&a);
  rp_diag_init(&b);
  rp_diag_init(&c);
  clear_marks(doc->children);
  rp_status sa = rp_xml_validate(doc, path, &p->ref, &a);
  clear_marks(doc->children);
  rp_status sb = rp_xml_validate(doc, path, &p->used, &b);
  clear_marks(doc->children);
  rp_status sc = rp_xml_validate(doc, path, &p->twin, &c);
  if (sa != sb || !same_diag(&a, &b) || sa != sc) {
    print_error("%s (%s): the schema says %d:\n", path, what, sa);
    rp_test_diag_dump(&a);
    print_error("through its twin %d:\n", sb);
    rp_test_diag_dump(&b);
    print_error("the twin alone %d\n", sc);
    fail();
  }
  if (sa != RP_OK) n_invalid++;
  rp_diag_fini(&a);
  rp_diag_fini(&b);
  rp_diag_fini(&c);
}

static xmlNodePtr nth_element(xmlDocPtr doc, size_t k) {
  xmlNodePtr root = xmlDocGetRootElement(doc), n = root;
  size_t i = 0;
  while (n) {
    if (n->type == XML_ELEMENT_NODE && i++ == k) return n;
    if (n->children) {
      n = n->children;
      continue;
    }
    while (n != root && !n->next) n = n->parent;
    if (n == root) break;
    n = n->next;
  }
  return NULL;
}

static size_t count_elements(xmlDocPtr doc) {
  size_t n = 0;
  while (nth_element(doc, n)) n++;
  return n;
}

/* Names and values the mutants use: ones the schemas know, in places where
 * they may or may not be allowed, and ones they do not know. */
static const char *const ATTRS[] = {"name", "style", "select", "height", "id",   "kind",
                                    "role", "level", "value",  "test",   "bogus"};
static const char *const VALUES[] = {"x y", "0", "true", "-1", "{", "Ab_c", "2", "", "a-b"};
static const char *const ELEMENTS[] = {"paragraph", "style", "p",      "section",  "bogus",
                                       "box",       "title", "item",   "template", "figure",
                                       "span",      "name",  "heading"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Applies mutation `m` to `e`; false when it does not apply. */
static bool mutate(xmlNodePtr e, int m, size_t salt) {
  switch (m) {
    case 0: /* an attribute dropped */
      if (!e->properties) return false;
      xmlRemoveProp(e->properties->next ? e->properties->next : e->properties);
      return true;
    case 1: /* an attribute added */
      if (xmlHasProp(e, (const xmlChar *)ATTRS[salt % COUNT(ATTRS)])) return false;
      xmlSetProp(e, (const xmlChar *)ATTRS[salt % COUNT(ATTRS)],
                 (const xmlChar *)VALUES[salt % COUNT(VALUES)]);
      return true;
    case 2: /* an attribute emptied */
      if (!e->properties) return false;
      xmlSetProp(e, e->properties->name, (const xmlChar *)"");
      return true;
    case 3: { /* an odd value */
      xmlAttrPtr a = e->properties;
      if (!a) return false;
      for (size_t i = 0; a->next && i < salt % 3; i++) a = a->next;
      xmlSetProp(e, a->name, (const xmlChar *)VALUES[(salt / 3) % COUNT(VALUES)]);
      return true;
    }
    case 4: /* renamed */
      xmlNodeSetName(e, (const xmlChar *)ELEMENTS[salt % COUNT(ELEMENTS)]);
      return true;
    case 5: /* removed */
      if (!e->parent || e->parent->type != XML_ELEMENT_NODE) return false;
      xmlUnlinkNode(e);
      xmlFreeNode(e);
      return true;
    case 6: { /* doubled */
      if (!e->parent || e->parent->type != XML_ELEMENT_NODE) return false;
      xmlNodePtr c = xmlDocCopyNode(e, e->doc, 1);
      assert_non_null(c);
      xmlAddNextSibling(e, c);
      return true;
    }
    case 7: { /* moved: before the element before it, or to its parent's end */
      if (!e->parent || e->parent->type != XML_ELEMENT_NODE) return false;
      xmlNodePtr p = e->prev, parent = e->parent;
      while (p && p->type != XML_ELEMENT_NODE) p = p->prev;
      xmlUnlinkNode(e);
      if (p)
        xmlAddPrevSibling(p, e);
      else
        xmlAddChild(parent, e);
      return true;
    }
    case 8: { /* stray text */
      xmlNodePtr t = xmlNewDocText(e->doc, (const xmlChar *)"stray");
      assert_non_null(t);
      if (e->children)
        xmlAddPrevSibling(e->children, t);
      else
        xmlAddChild(e, t);
      return true;
    }
    default:
      return false;
  }
}

static void check_file(const char *path, size_t per_doc) {
  xmlDocPtr doc =
      xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) return; /* not well-formed on purpose: no schema sees it */
  xmlNodePtr root = xmlDocGetRootElement(doc);
  const pair *p =
      root && strcmp((const char *)root->name, "review") == 0 ? &content_pair : &layout_pair;
  n_docs++;
  compare(doc, path, p, "as it is");
  size_t n = count_elements(doc);
  size_t stride = n > per_doc ? n / per_doc : 1;
  for (size_t k = 0, picked = 0; k < n && picked < per_doc; k += stride, picked++) {
    for (int m = 0; m < 9; m++) {
      xmlDocPtr copy = xmlCopyDoc(doc, 1);
      assert_non_null(copy);
      xmlNodePtr e = nth_element(copy, k);
      if (e && mutate(e, m, k * 9 + (size_t)m)) {
        char what[64];
        snprintf(what, sizeof what, "mutation %d of element %zu", m, k);
        compare(copy, path, p, what);
        n_mutants++;
      }
      xmlFreeDoc(copy);
    }
  }
  xmlFreeDoc(doc);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.xml under `dir` (recursive), sorted. */
static void check_dir(const char *dir, size_t per_doc) {
  DIR *d = opendir(dir);
  if (!d) return;
  char **names = NULL;
  size_t n = 0;
  for (struct dirent *de; (de = readdir(d));) {
    if (de->d_name[0] == '.') continue;
    names = realloc(names, (n + 1) * sizeof *names);
    assert_non_null(names);
    names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
    assert_non_null(names[n]);
    sprintf(names[n], "%s/%s", dir, de->d_name);
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(names[i]);
    DIR *sub = opendir(names[i]);
    if (sub) {
      closedir(sub);
      check_dir(names[i], per_doc);
    } else if (len > 4 && strcmp(names[i] + len - 4, ".xml") == 0) {
      check_file(names[i], per_doc);
    }
    free(names[i]);
  }
  free(names);
}

/* Each twin was made from the schema as it is now (make_fast.py writes the
 * schema's FNV-1a hash into the twin): a twin left behind by a change to its
 * schema would accept what the schema no longer does. */
static void test_twins_current(void **state) {
  (void)state;
  const struct {
    const char *text, *twin;
    size_t len;
  } pairs[] = {{rp_schema_layout, rp_schema_layout_fast, rp_schema_layout_len},
               {rp_schema_review, rp_schema_review_fast, rp_schema_review_len}};
  for (size_t i = 0; i < COUNT(pairs); i++) {
    unsigned long long h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < pairs[i].len; k++)
      h = (h ^ (unsigned char)pairs[i].text[k]) * 0x100000001b3ull;
    char mark[64];
    snprintf(mark, sizeof mark, "Made from fnv1a64:%016llx.", h);
    if (!strstr(pairs[i].twin, mark)) {
      print_error("a fast twin is older than its schema: run tests/schema/make_fast.py (%s)\n",
                  mark);
      fail();
    }
  }
}

/* Whether `n` is text libxml2 drops while compiling a schema (blank, but
 * inside <value> and <param>), or a comment. */
static bool dropped(const xmlNode *n) {
  if (n->type == XML_COMMENT_NODE) return true;
  if (n->type != XML_TEXT_NODE) return false;
  const char *p = (const char *)n->parent->name;
  if (strcmp(p, "value") == 0 || strcmp(p, "param") == 0) return false;
  return strspn((const char *)n->content, " \t\r\n") == strlen((const char *)n->content);
}

static const xmlNode *kept(const xmlNode *n) {
  while (n && dropped(n)) n = n->next;
  return n;
}

/* The same elements, attributes and kept text, in the same order. */
static bool same_tree(const xmlNode *a, const xmlNode *b) {
  for (a = kept(a), b = kept(b); a && b; a = kept(a->next), b = kept(b->next)) {
    if (a->type != b->type) return false;
    if (a->type == XML_TEXT_NODE) {
      if (strcmp((const char *)a->content, (const char *)b->content) != 0) return false;
      continue;
    }
    if (strcmp((const char *)a->name, (const char *)b->name) != 0) return false;
    const xmlAttr *x = a->properties, *y = b->properties;
    for (; x && y; x = x->next, y = y->next) {
      xmlChar *vx = xmlNodeGetContent((const xmlNode *)x),
              *vy = xmlNodeGetContent((const xmlNode *)y);
      bool same = strcmp((const char *)x->name, (const char *)y->name) == 0 && vx && vy &&
                  strcmp((const char *)vx, (const char *)vy) == 0;
      xmlFree(vx);
      xmlFree(vy);
      if (!same) return false;
    }
    if (x || y || !same_tree(a->children, b->children)) return false;
  }
  return !a && !b;
}

/* The twins are embedded bare (src/base/embed.cmake): no line break (what
 * tells xml.c not to strip them again), no comment but the mark, and every
 * element, attribute and meaningful text of the file, in order. */
static void test_twins_bare(void **state) {
  (void)state;
  const struct {
    const char *file, *text;
    size_t len;
  } twins[] = {{"layouts/schema/layout-fast.rng", rp_schema_layout_fast, rp_schema_layout_fast_len},
               {"data/schema/review-fast.rng", rp_schema_review_fast, rp_schema_review_fast_len}};
  for (size_t i = 0; i < COUNT(twins); i++) {
    assert_int_equal(strlen(twins[i].text), twins[i].len);
    assert_null(memchr(twins[i].text, '\n', twins[i].len));
    const char *c = strstr(twins[i].text, "<!--");
    assert_non_null(c);
    assert_null(strstr(c + 4, "<!--"));
    xmlDocPtr bare = xmlReadMemory(twins[i].text, (int)twins[i].len, NULL, NULL, XML_PARSE_NONET);
    xmlDocPtr file = xmlReadFile(rp_test_src(twins[i].file), NULL, XML_PARSE_NONET);
    assert_non_null(bare);
    assert_non_null(file);
    /* the file is the longer by its comments and indentation */
    struct stat sb;
    assert_int_equal(stat(rp_test_src(twins[i].file), &sb), 0);
    assert_true((size_t)sb.st_size > twins[i].len + twins[i].len / 4);
    if (!same_tree(bare->children, file->children)) {
      print_error("%s: the embedded twin differs from the file\n", twins[i].file);
      fail();
    }
    xmlFreeDoc(bare);
    xmlFreeDoc(file);
  }
}

static void test_same_language(void **state) {
  (void)state;
  layout_pair = make_pair(rp_layout_schema(), rp_schema_layout_fast, rp_schema_layout_fast_len);
  content_pair = make_pair(rp_content_schema(), rp_schema_review_fast, rp_schema_review_fast_len);
  const char *env = getenv("RP_SCHEMA_MUTANTS");
  size_t per_doc = env ? (size_t)strtoul(env, NULL, 10) : 4;
  static const char *const DIRS[] = {"layouts", "tests/layouts", "data", "tests/data"};
  for (size_t i = 0; i < COUNT(DIRS); i++) check_dir(rp_test_src(DIRS[i]), per_doc);
  print_message("%zu documents, %zu mutants, %zu refused: same verdicts, same messages\n", n_docs,
                n_mutants, n_invalid);
  /* it looked at real documents, valid and invalid ones */
  assert_true(n_docs >= 50);
  assert_true(n_mutants >= 1000);
  assert_true(n_invalid >= n_mutants / 3);
  assert_true(n_invalid < n_docs + n_mutants);
  rp_xml_schemas_release();
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_twins_current),
                                     cmocka_unit_test(test_twins_bare),
                                     cmocka_unit_test(test_same_language)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
