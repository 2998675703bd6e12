/* test_xml — the safe XML loader (src/base/xml.c): parse errors with their
 * position, entity declarations refused, XInclude confined to the
 * document's folder (nested includes too) and limited, provenance of included
 * content, RelaxNG errors all reported, and the text helpers.
 *
 * Documents are written into a scratch folder per run (rp_test_tmpdir). */
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/schemas.h"
#include "base/xml.h"
#include "testutil.h"

#define XI "xmlns:xi=\"http://www.w3.org/2001/XInclude\""

/* Writes `text` to <tmp>/<rel>, creating folders; returns the path (one of 8
 * rotating buffers). */
static const char *put(const char *rel, const char *text) {
  static char bufs[8][4096];
  static int slot;
  char *path = bufs[slot++ % 8];
  snprintf(path, 4096, "%s/%s", rp_test_tmpdir(), rel);
  for (char *p = path + strlen(rp_test_tmpdir()) + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(path, 0777);
    *p = '/';
  }
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

/* The first diagnostic containing `needle`, or NULL. */
static const rp_diag_entry *find_entry(const rp_diag *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (d->entries[i].message && strstr(d->entries[i].message, needle)) return &d->entries[i];
  return NULL;
}

/* Loads `path` (no schema) expecting failure with a message containing
 * `fragment`; returns how many errors were recorded. */
static size_t expect_refused(const char *path, const char *fragment) {
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = (xmlDocPtr)1;
  rp_status st = rp_xml_load(path, NULL, &d, &doc);
  if (st != RP_ERR_INPUT || !find_entry(&d, fragment)) {
    print_error("%s: expected \"%s\", got status %d:\n", path, fragment, st);
    rp_test_diag_dump(&d);
  }
  assert_int_equal(st, RP_ERR_INPUT);
  assert_null(doc);
  assert_non_null(find_entry(&d, fragment));
  size_t n = d.errors;
  rp_diag_fini(&d);
  return n;
}

static xmlDocPtr expect_loaded(const char *path, const rp_xml_schema *schema) {
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = NULL;
  rp_status st = rp_xml_load(path, schema, &d, &doc);
  if (st != RP_OK) rp_test_diag_dump(&d);
  assert_int_equal(st, RP_OK);
  assert_non_null(doc);
  assert_int_equal(d.count, 0);
  rp_diag_fini(&d);
  return doc;
}

static xmlNode *first_child(xmlNode *n, const char *name) {
  for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) return c;
  return NULL;
}

/* ---- parsing -------------------------------------------------------------- */

static void test_load_plain(void **state) {
  const char *path =
      put("plain/doc.xml", "<?xml version=\"1.0\"?>\n<r>\n  <a x=\"1\">text</a>\n</r>\n");
  xmlDocPtr doc = expect_loaded(path, NULL);
  xmlNode *a = first_child(xmlDocGetRootElement(doc), "a");
  assert_non_null(a);
  assert_int_equal(rp_xml_line(a), 3);
  assert_string_equal(rp_xml_file(a, "fallback"), "fallback");
  char *x = rp_xml_attr(a, "x");
  assert_string_equal(x, "1");
  free(x);
  assert_null(rp_xml_attr(a, "y"));
  assert_int_equal(rp_xml_line(NULL), 0);
  xmlFreeDoc(doc);
}

static void test_malformed_has_line_and_column(void **state) {
  const char *path = put("bad/malformed.xml", "<r>\n  <a>text</b>\n</r>\n");
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc;
  assert_int_equal(rp_xml_load(path, NULL, &d, &doc), RP_ERR_INPUT);
  assert_null(doc);
  const rp_diag_entry *e = find_entry(&d, "mismatch");
  assert_non_null(e);
  assert_string_equal(e->file, path);
  assert_int_equal(e->line, 2);
  assert_true(e->col > 0);
  rp_diag_fini(&d);
}

static void test_missing_empty_and_odd_files(void **state) {
  char path[4200];
  snprintf(path, sizeof path, "%s/no-such-file.xml", rp_test_tmpdir());
  expect_refused(path, "cannot open the file");
  expect_refused(put("odd/empty.xml", ""), "Document is empty");
  expect_refused(rp_test_tmpdir(), "is not a regular file");
  /* Over the size limit: refused from its size, before reading (a sparse file). */
  const char *big = put("odd/big.xml", "");
  assert_int_equal(truncate(big, (off_t)RP_XML_MAX_BYTES + 1), 0);
  expect_refused(big, "over the limit");
}

/* ---- entities and DTDs ---------------------------------------------------- */

static const char *laughs =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE r [\n"
    " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
    " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
    " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
    "]>\n"
    "<r>&g;&g;&g;&g;&g;&g;&g;&g;</r>\n";

static void test_entities_refused_at_first_declaration(void **state) {
  const char *path = put("ent/laughs.xml", laughs);
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc;
  clock_t t0 = clock();
  assert_int_equal(rp_xml_load(path, NULL, &d, &doc), RP_ERR_INPUT);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
  assert_int_equal(d.count, 1); /* one clear message, not a cascade */
  assert_non_null(strstr(d.entries[0].message, "entity declarations are not allowed"));
  assert_int_equal(d.entries[0].line, 3);
  assert_string_equal(d.entries[0].file, path);
  rp_diag_fini(&d);

  expect_refused(
      put("ent/external.xml", "<!DOCTYPE r [<!ENTITY x SYSTEM \"/etc/passwd\">]>\n<r>&x;</r>\n"),
      "entity declarations are not allowed");
  expect_refused(put("ent/parameter.xml", "<!DOCTYPE r [<!ENTITY % p \"x\">]>\n<r/>\n"),
                 "entity declarations are not allowed");
  expect_refused(put("ent/unparsed.xml",
                     "<!DOCTYPE r [<!NOTATION n SYSTEM \"n\"><!ENTITY u SYSTEM \"u\" NDATA n>]>"
                     "<r/>\n"),
                 "entity declarations are not allowed");
}

static void test_doctype(void **state) {
  /* A bare DOCTYPE is harmless; one naming an external DTD is not. */
  xmlFreeDoc(expect_loaded(put("dtd/bare.xml", "<!DOCTYPE r>\n<r/>\n"), NULL));
  expect_refused(put("dtd/system.xml", "<!DOCTYPE r SYSTEM \"r.dtd\">\n<r/>\n"),
                 "naming an external DTD");
}

/* ---- XInclude ------------------------------------------------------------- */

static void test_xinclude_same_folder(void **state) {
  put("inc1/part.xml",
      "<?xml version=\"1.0\"?>\n<!-- a part -->\n<part>\n  <b k=\"v\"/>\n</part>\n");
  const char *path =
      put("inc1/doc.xml", "<r " XI ">\n  <a/>\n  <xi:include href=\"part.xml\"/>\n</r>\n");
  xmlDocPtr doc = expect_loaded(path, NULL);
  xmlNode *root = xmlDocGetRootElement(doc);
  xmlNode *part = first_child(root, "part");
  assert_non_null(part);
  assert_null(first_child(root, "include"));
  /* Provenance: the included file (as opened) and its own line numbers. */
  xmlNode *b = first_child(part, "b");
  char expected[4200];
  snprintf(expected, sizeof expected, "%s/inc1/part.xml", rp_test_tmpdir());
  assert_string_equal(rp_xml_file(b, path), expected);
  assert_string_equal(rp_xml_file(part, path), expected);
  assert_int_equal(rp_xml_line(b), 4);
  assert_string_equal(rp_xml_file(part->children, path), expected); /* a text node */
  assert_string_equal(rp_xml_file((xmlNode *)xmlHasProp(b, (const xmlChar *)"k"), path), expected);
  assert_string_equal(rp_xml_file(first_child(root, "a"), path), path);
  /* No xml:base attribute is left for a strict schema to trip on. */
  assert_false(xmlHasNsProp(part, (const xmlChar *)"base", XML_XML_NAMESPACE));
  xmlFreeDoc(doc);
}

/* An included tree is moved, not copied: its xml: attributes must then name
 * this document's xml namespace (the part's own is freed with the part),
 * its elements keep their namespaces and lines, and the included names are
 * in the document's dictionary. */
static void test_xinclude_moved_tree(void **state) {
  put("inc5/part.xml",
      "<part xmlns:q=\"urn:q\">\n  <q:b xml:lang=\"cy\" q:k=\"v\">\n"
      "    <c xml:space=\"preserve\"> t </c>\n  </q:b>\n</part>\n");
  const char *path = put("inc5/doc.xml", "<r " XI
                                         " xml:lang=\"en\">\n\n"
                                         "  <xi:include href=\"part.xml\"/>\n</r>\n");
  xmlDocPtr doc = expect_loaded(path, NULL);
  xmlNode *part = first_child(xmlDocGetRootElement(doc), "part");
  assert_non_null(part);
  xmlNode *b = first_child(part, "b");
  assert_non_null(b);
  xmlNode *c = first_child(b, "c");
  assert_non_null(c);
  assert_int_equal(rp_xml_line(part), 1);
  assert_int_equal(rp_xml_line(b), 2);
  assert_int_equal(rp_xml_line(c), 3);
  assert_ptr_equal(b->doc, doc);
  assert_ptr_equal(c->children->doc, doc);
  assert_string_equal((const char *)b->ns->href, "urn:q");
  xmlAttr *lang = xmlHasNsProp(b, (const xmlChar *)"lang", XML_XML_NAMESPACE);
  assert_non_null(lang);
  assert_ptr_equal(lang->ns, doc->oldNs);
  assert_ptr_equal(lang->doc, doc);
  xmlAttr *space = xmlHasNsProp(c, (const xmlChar *)"space", XML_XML_NAMESPACE);
  assert_non_null(space);
  assert_ptr_equal(space->ns, doc->oldNs);
  xmlChar *k = xmlGetNsProp(b, (const xmlChar *)"k", (const xmlChar *)"urn:q");
  assert_string_equal((const char *)k, "v");
  xmlFree(k);
  assert_true(xmlDictOwns(doc->dict, c->name) == 1);
  xmlFreeDoc(doc);
}

static void test_xinclude_subfolder_and_nested(void **state) {
  put("inc2/parts/leaf.xml", "<leaf/>\n");
  put("inc2/parts/mid.xml", "<mid " XI ">\n  <xi:include href=\"leaf.xml\"/>\n</mid>\n");
  const char *path = put("inc2/doc.xml", "<r " XI "><xi:include href=\"parts/mid.xml\"/></r>\n");
  xmlDocPtr doc = expect_loaded(path, NULL);
  xmlNode *mid = first_child(xmlDocGetRootElement(doc), "mid");
  assert_non_null(mid);
  xmlNode *leaf = first_child(mid, "leaf");
  assert_non_null(leaf);
  assert_non_null(strstr(rp_xml_file(leaf, NULL), "inc2/parts/leaf.xml"));
  assert_non_null(strstr(rp_xml_file(mid, NULL), "inc2/parts/mid.xml"));
  xmlFreeDoc(doc);
}

static void test_xinclude_refusals(void **state) {
  put("inc3/secret.xml", "<secret/>\n");
  put("inc3/data/sub/escape.xml",
      "<part " XI ">\n  <xi:include href=\"../../secret.xml\"/>\n</part>\n");
  /* The bug this guards against: a nested include leaving the folder. */
  expect_refused(
      put("inc3/data/nested.xml", "<r " XI "><xi:include href=\"sub/escape.xml\"/></r>\n"),
      "lies outside the document's folder");
  expect_refused(put("inc3/data/up.xml", "<r " XI "><xi:include href=\"../secret.xml\"/></r>\n"),
                 "lies outside the document's folder");
  expect_refused(put("inc3/data/abs.xml", "<r " XI "><xi:include href=\"/etc/hostname\"/></r>\n"),
                 "must be a relative path");
  expect_refused(
      put("inc3/data/url.xml", "<r " XI "><xi:include href=\"http://example.com/x.xml\"/></r>\n"),
      "must be a relative path");
  expect_refused(put("inc3/data/nohref.xml", "<r " XI "><xi:include/></r>\n"),
                 "must be a relative path");
  expect_refused(
      put("inc3/data/text.xml", "<r " XI "><xi:include href=\"up.xml\" parse=\"text\"/></r>\n"),
      "is not supported");
  expect_refused(
      put("inc3/data/xptr.xml", "<r " XI "><xi:include href=\"up.xml\" xpointer=\"x\"/></r>\n"),
      "xpointer> is not supported");
  expect_refused(put("inc3/data/missing.xml", "<r " XI "><xi:include href=\"nope.xml\"/></r>\n"),
                 "cannot find \"nope.xml\"");
  expect_refused(put("inc3/data/dir.xml", "<r " XI "><xi:include href=\"sub\"/></r>\n"),
                 "is not a regular file");
}

static void test_xinclude_every_error_reported(void **state) {
  size_t n = expect_refused(put("inc4/doc.xml", "<r " XI ">\n<xi:include href=\"a.xml\"/>\n"
                                                "<xi:include href=\"../b.xml\"/>\n</r>\n"),
                            "cannot find");
  assert_int_equal(n, 2);
}

static void test_xinclude_cycles_and_depth(void **state) {
  expect_refused(put("inc5/self.xml", "<r " XI "><xi:include href=\"self.xml\"/></r>\n"),
                 "(a cycle)");
  put("inc5/b.xml", "<b " XI "><xi:include href=\"a.xml\"/></b>\n");
  expect_refused(put("inc5/a.xml", "<a " XI "><xi:include href=\"b.xml\"/></a>\n"), "(a cycle)");
  /* A chain of ten files: deeper than the limit of 8. */
  for (int i = 0; i < 10; i++) {
    char name[64], text[256];
    snprintf(name, sizeof name, "inc5/chain%d.xml", i);
    snprintf(text, sizeof text, "<c%d " XI "><xi:include href=\"chain%d.xml\"/></c%d>\n", i, i + 1,
             i);
    put(name, text);
  }
  put("inc5/chain10.xml", "<end/>\n");
  char path[4200];
  snprintf(path, sizeof path, "%s/inc5/chain0.xml", rp_test_tmpdir());
  expect_refused(path, "levels deep");
}

/* XInclude amplifies like entities: 20 × 20 inclusions of one file. */
static void test_xinclude_amplification_limited(void **state) {
  put("inc6/leaf.xml", "<leaf/>\n");
  char mid[4096] = "<m " XI ">";
  for (int i = 0; i < 20; i++) strcat(mid, "<xi:include href=\"row.xml\"/>");
  strcat(mid, "</m>\n");
  char row[4096] = "<row " XI ">";
  for (int i = 0; i < 20; i++) strcat(row, "<xi:include href=\"leaf.xml\"/>");
  strcat(row, "</row>\n");
  put("inc6/row.xml", row);
  size_t n = expect_refused(put("inc6/doc.xml", mid), "too much is included");
  assert_int_equal(n, 1); /* said once */
}

static void test_xinclude_unsafe_part_refused(void **state) {
  put("inc7/laughs.xml", laughs);
  put("inc7/dtd.xml", "<!DOCTYPE p SYSTEM \"/etc/p.dtd\">\n<p/>\n");
  put("inc7/bad.xml", "<p>\n<q></p>\n");
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc;
  const char *path = put("inc7/doc.xml", "<r " XI
                                         ">\n<xi:include href=\"laughs.xml\"/>\n"
                                         "<xi:include href=\"dtd.xml\"/>\n"
                                         "<xi:include href=\"bad.xml\"/>\n</r>\n");
  assert_int_equal(rp_xml_load(path, NULL, &d, &doc), RP_ERR_INPUT);
  const rp_diag_entry *e = find_entry(&d, "entity declarations are not allowed");
  assert_non_null(e);
  assert_non_null(strstr(e->file, "inc7/laughs.xml"));
  assert_int_equal(e->line, 3);
  e = find_entry(&d, "naming an external DTD");
  assert_non_null(e);
  assert_non_null(strstr(e->file, "inc7/dtd.xml"));
  e = find_entry(&d, "mismatch");
  assert_non_null(e);
  assert_non_null(strstr(e->file, "inc7/bad.xml"));
  assert_int_equal(e->line, 2);
  rp_diag_fini(&d);
}

/* ---- RelaxNG -------------------------------------------------------------- */

static const char small_rng[] =
    "<element name=\"r\" xmlns=\"http://relaxng.org/ns/structure/1.0\">"
    "<oneOrMore><element name=\"a\"><attribute name=\"n\"/><empty/></element></oneOrMore>"
    "</element>";

static void test_schema(void **state) {
  rp_xml_schema schema = {.name = "small.rng",
                          .text = small_rng,
                          .len = sizeof small_rng - 1,
                          .doc_hint = "docs/small.md"};
  /* Included content validates like any other (no xml:base in the way). */
  put("rng/sub/part.xml", "<a n=\"2\"/>\n");
  xmlFreeDoc(expect_loaded(
      put("rng/good.xml", "<r " XI "><a n=\"1\"/><xi:include href=\"sub/part.xml\"/></r>\n"),
      &schema));

  /* Errors already in the record (from an earlier document) do not fail this one. */
  rp_diag d;
  rp_diag_init(&d);
  rp_diag_error(&d, RP_ERR_INPUT, "earlier.xml", 1, 0, "an earlier problem");
  xmlDocPtr doc = NULL;
  assert_int_equal(rp_xml_load(put("rng/good2.xml", "<r><a n=\"1\"/></r>"), &schema, &d, &doc),
                   RP_OK);
  assert_non_null(doc);
  xmlFreeDoc(doc);
  rp_diag_fini(&d);

  const char *path = put("rng/bad.xml", "<r>\n<a/>\n<b/>\n</r>\n");
  rp_diag_init(&d);
  assert_int_equal(rp_xml_load(path, &schema, &d, &doc), RP_ERR_INPUT);
  assert_null(doc);
  assert_true(d.errors >= 2);
  for (size_t i = 0; i < d.count; i++) {
    assert_string_equal(d.entries[i].file, path);
    assert_non_null(strstr(d.entries[i].message, "(the language is described in docs/small.md)"));
  }
  const rp_diag_entry *e = find_entry(&d, "Element a");
  assert_non_null(e);
  assert_int_equal(e->line, 2);
  rp_diag_fini(&d);

  rp_xml_schema broken = {.name = "broken.rng", .text = "<nope/>", .len = 7, .doc_hint = NULL};
  rp_diag_init(&d);
  assert_int_equal(rp_xml_load(put("rng/any.xml", "<r/>"), &broken, &d, &doc), RP_ERR_INTERNAL);
  assert_true(rp_test_diag_has(&d, "built-in schema cannot be loaded"));
  rp_diag_fini(&d);
}

/* Released schemas are compiled again: the same verdicts after
 * rp_xml_schemas_release, good and bad (the pipeline releases them once its
 * content and layout are loaded). */
static void test_schemas_released(void **state) {
  (void)state;
  rp_xml_schema schema = {.name = "small.rng", .text = small_rng, .len = sizeof small_rng - 1};
  const char *good = put("rel/good.xml", "<r><a n=\"1\"/></r>\n");
  const char *bad = put("rel/bad.xml", "<r>\n<b/>\n</r>\n");
  char first[512] = "";
  for (int round = 0; round < 3; round++) {
    rp_diag d;
    rp_diag_init(&d);
    xmlDocPtr doc = NULL;
    assert_int_equal(rp_xml_load(good, &schema, &d, &doc), RP_OK);
    xmlFreeDoc(doc);
    assert_int_equal(rp_xml_load(bad, &schema, &d, &doc), RP_ERR_INPUT);
    assert_null(doc);
    assert_true(d.count >= 1);
    if (round == 0) snprintf(first, sizeof first, "%s", d.entries[0].message);
    assert_string_equal(d.entries[0].message, first);
    assert_int_equal(d.entries[0].line, 2);
    rp_diag_fini(&d);
    rp_xml_schemas_release();
  }
  rp_xml_schemas_release(); /* twice: nothing left to free */
}

/* A release on one thread while another validates (pipeline.c releases on
 * the content's thread): a schema in use is freed by its last user, not
 * under it (the sanitizer pass runs this too), and verdicts hold. */
typedef struct validating {
  const rp_xml_schema *schema;
  const char *good, *bad;
  int wrong;
} validating;

static void *validate_many(void *user) {
  validating *v = user;
  for (int i = 0; i < 40; i++) {
    rp_diag d;
    rp_diag_init(&d);
    xmlDocPtr doc = NULL;
    if (rp_xml_load(v->good, v->schema, &d, &doc) != RP_OK) v->wrong++;
    xmlFreeDoc(doc);
    if (rp_xml_load(v->bad, v->schema, &d, &doc) != RP_ERR_INPUT || doc) v->wrong++;
    rp_diag_fini(&d);
  }
  return NULL;
}

static void test_schemas_released_while_used(void **state) {
  (void)state;
  rp_xml_init();
  rp_xml_schema schema = {.name = "small.rng", .text = small_rng, .len = sizeof small_rng - 1};
  validating v = {&schema, put("relt/good.xml", "<r><a n=\"1\"/></r>\n"),
                  put("relt/bad.xml", "<r>\n<b/>\n</r>\n"), 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, validate_many, &v), 0);
  for (int i = 0; i < 200; i++) {
    rp_xml_schemas_release();
    rp_xml_schema_prepare(&schema);
  }
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(v.wrong, 0);
  rp_xml_schemas_release();
}

/* A schema compiles into a region apart (xml.c: its blocks from the heap,
 * not through malloc one by one) on whichever thread: it gives the verdicts
 * and messages of one compiled without, read from another thread, and the
 * region's blocks go back to the heap once the schema is released. (None
 * under AddressSanitizer, which sees each block.) */
#ifdef RP_ASAN
#define RP_ASAN_BUILD 1
#else
#define RP_ASAN_BUILD 0
#endif

/* libxml2 set up and no schema compiled: the regions' counts start from 0. */
static rp_xml_schema fresh_small_schema(void) {
  rp_xml_init();
  rp_xml_schemas_release();
  return (rp_xml_schema){.name = "small.rng", .text = small_rng, .len = sizeof small_rng - 1};
}

static void *prepare_schema(void *schema) {
  rp_xml_schema_prepare(schema);
  return NULL;
}

static void test_schema_region_given_back(void **state) {
  (void)state;
  rp_xml_schema schema = fresh_small_schema();
  assert_int_equal(rp_xml_region_blocks(), 0);
  const char *good = put("reg/good.xml", "<r><a n=\"1\"/></r>\n");
  const char *bad = put("reg/bad.xml", "<r>\n<b/>\n</r>\n");
  char plain[512] = "";
  for (int round = 0; round < 2; round++) {
    /* round 0 without the region (none with faults armed), 1 with it */
    rp_mem_fail_after(round == 0 ? 1ul << 40 : 0, false);
    if (round == 1) { /* compiled on another thread */
      pthread_t t;
      assert_int_equal(pthread_create(&t, NULL, prepare_schema, &schema), 0);
      assert_int_equal(pthread_join(t, NULL), 0);
    }
    rp_diag d;
    rp_diag_init(&d);
    xmlDocPtr doc = NULL;
    assert_int_equal(rp_xml_load(good, &schema, &d, &doc), RP_OK);
    xmlFreeDoc(doc);
    assert_int_equal(rp_xml_load(bad, &schema, &d, &doc), RP_ERR_INPUT);
    assert_int_equal(d.entries[0].line, 2);
    if (round == 0) snprintf(plain, sizeof plain, "%s", d.entries[0].message);
    assert_string_equal(d.entries[0].message, plain);
    rp_diag_fini(&d);
    assert_int_equal(rp_xml_region_blocks() > 0, round == 1 && !RP_ASAN_BUILD);
    rp_xml_schemas_release();
    assert_int_equal(rp_xml_region_blocks(), 0);
  }
}

/* A layout loaded apart (rp_xml_load_apart: its tree in a region, xml.c)
 * is the tree rp_xml_load makes, with the same messages for a bad one; the
 * region's blocks go back to the heap once the tree is freed, on another
 * thread as pipeline.c does. */
static void *free_tree(void *doc) {
  xmlFreeDoc(doc);
  return NULL;
}

static void test_load_apart(void **state) {
  (void)state;
  rp_xml_schema schema = fresh_small_schema();
  put("apart/part.xml", "<a n=\"2\"/>\n");
  const char *good = put("apart/good.xml",
                         "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n<a n=\"1\"/>\n"
                         "<xi:include href=\"part.xml\"/>\n</r>\n");
  const char *bad = put("apart/bad.xml", "<r>\n<b/>\n</r>\n");
  const char *broken = put("apart/broken.xml", "<r>\n<a n=\"1\">\n</r>\n");
  rp_xml_schema_prepare(&schema); /* its own region: apart from the trees' */
  int schemas = rp_xml_region_blocks();
  for (int i = 0; i < 3; i++) {
    const char *path = i == 0 ? good : i == 1 ? bad : broken;
    rp_diag d1, d2;
    rp_diag_init(&d1);
    rp_diag_init(&d2);
    xmlDocPtr plain = NULL, apart = NULL;
    rp_status s1 = rp_xml_load(path, &schema, &d1, &plain);
    rp_status s2 = rp_xml_load_apart(path, &schema, &d2, &apart);
    assert_int_equal(s1, i == 0 ? RP_OK : RP_ERR_INPUT);
    assert_int_equal(s1, s2);
    assert_int_equal(d1.count, d2.count);
    for (size_t k = 0; k < d1.count; k++) {
      assert_string_equal(d1.entries[k].message, d2.entries[k].message);
      assert_int_equal(d1.entries[k].line, d2.entries[k].line);
    }
    if (i == 0) {
      xmlChar *a = NULL, *b = NULL;
      int na = 0, nb = 0;
      xmlDocDumpMemory(plain, &a, &na);
      xmlDocDumpMemory(apart, &b, &nb);
      assert_int_equal(na, nb);
      assert_memory_equal(a, b, (size_t)na);
      xmlFree(a);
      xmlFree(b);
      assert_int_equal(rp_xml_region_blocks() > schemas, !RP_ASAN_BUILD);
      pthread_t t;
      assert_int_equal(pthread_create(&t, NULL, free_tree, apart), 0);
      assert_int_equal(pthread_join(t, NULL), 0);
    }
    assert_int_equal(rp_xml_region_blocks(), schemas);
    xmlFreeDoc(plain);
    rp_diag_fini(&d1);
    rp_diag_fini(&d2);
  }
  rp_xml_schemas_release();
  assert_int_equal(rp_xml_region_blocks(), 0);
}

/* Both regions at once, as the pipeline has them: one thread compiles and
 * releases a schema over and over while another loads a tree apart and
 * frees it; every verdict holds, and in the end no region holds a block. */
typedef struct churning {
  const rp_xml_schema *schema;
  const char *good;
  int wrong;
} churning;

static void *compile_many(void *user) {
  churning *c = user;
  for (int i = 0; i < 60; i++) {
    rp_xml_schema_prepare(c->schema);
    rp_xml_schemas_release();
  }
  return NULL;
}

static void test_regions_together(void **state) {
  (void)state;
  rp_xml_init();
  rp_xml_schema schema = {.name = "small.rng", .text = small_rng, .len = sizeof small_rng - 1};
  churning c = {&schema, put("churn/good.xml", "<r><a n=\"1\"/></r>\n"), 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, compile_many, &c), 0);
  for (int i = 0; i < 60; i++) {
    rp_diag d;
    rp_diag_init(&d);
    xmlDocPtr doc = NULL;
    if (rp_xml_load_apart(c.good, NULL, &d, &doc) != RP_OK || !doc) c.wrong++;
    xmlFreeDoc(doc);
    rp_diag_fini(&d);
  }
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(c.wrong, 0);
  rp_xml_schemas_release();
  assert_int_equal(rp_xml_region_blocks(), 0);
}

/* One mistake deep in a document is one message, not libxml2's cascade of
 * "failed to validate content" up to the root; independent mistakes further
 * on are each reported. */
static void test_schema_cascade_collapsed(void **state) {
  rp_xml_schema schema = {.name = "layout.rng",
                          .text = rp_schema_layout,
                          .len = rp_schema_layout_len,
                          .doc_hint = "docs/layout.md"};
  const char *text =
      "<?xml version=\"1.0\"?>\n<layout version=\"1\">\n"
      "  <brand><font role=\"body\" regular=\"a.ttf\"/><style name=\"body\" font=\"body\"/>"
      "</brand>\n"
      "  <master name=\"m\"/>\n  <sequence><run template=\"t\"/></sequence>\n"
      "  <template name=\"t\">\n    <list>\n"
      "      <item><strong>x</strong><list><item>y</item></list></item>\n"
      "    </list>\n  </template>\n</layout>\n";
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = NULL;
  assert_int_equal(rp_xml_load(put("cascade/one.xml", text), &schema, &d, &doc), RP_ERR_INPUT);
  if (d.count != 1) rp_test_diag_dump(&d);
  assert_int_equal(d.count, 1);
  assert_int_equal(d.entries[0].line, 8);
  rp_diag_fini(&d);

  /* Independent mistakes on later lines are each reported. */
  rp_xml_schema review = {.name = "review.rng",
                          .text = rp_schema_review,
                          .len = rp_schema_review_len,
                          .doc_hint = "docs/content.md"};
  const char *two =
      "<?xml version=\"1.0\"?>\n<review version=\"2\" xml:lang=\"en\">\n"
      "<organisation><name>X</name><bogus/></organisation>\n"
      "<period from=\"2019-01-01\" to=\"2019-02-01\">p</period>\n<title>T</title>\n"
      "<people><person id=\"p\"><name>P</name></person></people>\n"
      "<section id=\"f\" person=\"p\"><title>F</title><quote><p>q</p><wrong/></quote>"
      "</section>\n"
      "<highlights id=\"h\"><title>H</title><item ref=\"f\">A</item></highlights></review>\n";
  rp_diag_init(&d);
  assert_int_equal(rp_xml_load(put("cascade/two.xml", two), &review, &d, &doc), RP_ERR_INPUT);
  if (d.count != 2) rp_test_diag_dump(&d);
  assert_int_equal(d.count, 2);
  assert_int_equal(d.entries[0].line, 3);
  assert_int_equal(d.entries[1].line, 7);
  rp_diag_fini(&d);
}

/* ---- text ----------------------------------------------------------------- */

/* Schema errors point at the element at fault, in the file it came from:
 * an included file's own name and line (libxml2 names the top document),
 * and a line even where libxml2's tree validation loses the element (an
 * interleave: "Element member failed to validate attributes"). Both were
 * found by tests/e2e/test_mutations.sh. */
static void test_schema_errors_located(void **state) {
  rp_xml_schema schema = {.name = "small.rng",
                          .text = small_rng,
                          .len = sizeof small_rng - 1,
                          .doc_hint = "docs/small.md"};
  const char *part = put("located/sub/part.xml", "<!-- a part -->\n\n<a bogus=\"1\"/>\n");
  const char *top = put("located/top.xml",
                        "<r " XI ">\n<a n=\"1\"/>\n<xi:include href=\"sub/part.xml\"/>\n</r>\n");
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = NULL;
  assert_int_equal(rp_xml_load(top, &schema, &d, &doc), RP_ERR_INPUT);
  const rp_diag_entry *e = find_entry(&d, "Element a: attribute bogus is not allowed");
  if (!e) rp_test_diag_dump(&d);
  assert_non_null(e);
  assert_non_null(strstr(e->file, "located/sub/part.xml"));
  assert_int_equal(e->line, 3);
  (void)part;
  rp_diag_fini(&d);

  /* A member without its kind, among the review's sections (an interleave). */
  rp_xml_schema review = {.name = "review.rng",
                          .text = rp_schema_review,
                          .len = rp_schema_review_len,
                          .doc_hint = "docs/content.md"};
  const char *text =
      "<?xml version=\"1.0\"?>\n<review version=\"2\" xml:lang=\"en\">\n"
      "<organisation><name>X</name></organisation>\n"
      "<period from=\"2019-01-01\" to=\"2019-02-01\">p</period>\n<title>T</title>\n"
      "<people><person id=\"p\"><name>P</name></person></people>\n"
      "<section id=\"about\"><title>A</title><p>x</p></section>\n"
      "<section id=\"f\" person=\"p\"><title>F</title><quote><p>q</p></quote></section>\n"
      "<highlights id=\"h\"><title>H</title><item ref=\"about\">A</item></highlights>\n"
      "<members id=\"m\"><title>M</title>\n"
      "<member kind=\"member\">A</member>\n"
      "<member region=\"Wales\">B</member>\n"
      "</members>\n</review>\n";
  const char *path = put("located/review.xml", text);
  rp_diag_init(&d);
  assert_int_equal(rp_xml_load(path, &review, &d, &doc), RP_ERR_INPUT);
  e = find_entry(&d, "Element member: attribute kind is required but missing");
  if (!e) rp_test_diag_dump(&d);
  assert_non_null(e);
  assert_string_equal(e->file, path);
  assert_int_equal(e->line, 12);
  for (size_t i = 0; i < d.count; i++) {
    if (d.entries[i].line == 0) rp_test_diag_dump(&d);
    assert_int_not_equal(d.entries[i].line, 0);
  }
  rp_diag_fini(&d);
}

/* Elements with many attributes validate at once, valid or not. libxml2
 * tried the combinations of a plain run of optional attributes: a style with
 * all 18 took minutes, an image with 17 and a misspelt one half a minute
 * (found by tests/e2e/test_mutations.sh); layout.rng now groups them in
 * <interleave>. */
static void test_schema_many_attributes(void **state) {
  rp_xml_schema schema = {.name = "layout.rng",
                          .text = rp_schema_layout,
                          .len = rp_schema_layout_len,
                          .doc_hint = "docs/layout.md"};
  const char *style =
      "<style name=\"a\" parent=\"b\" font=\"body\" bold=\"true\" italic=\"true\" "
      "size=\"1pt\" leading=\"1pt\" tracking=\"1\" color=\"c\" align=\"left\" "
      "space-before=\"1pt\" space-after=\"1pt\" indent=\"1pt\" uppercase=\"true\" "
      "underline=\"true\" keep-with-next=\"true\" max-lines=\"1\" min-size=\"1pt\"/>";
  const char *image =
      "<image select=\".\" test=\"1\" required=\"true\" keep-with-next=\"true\" "
      "keep-together=\"true\" style=\"s\" src=\"a\" base=\"content\" alt=\"b\" fit=\"cover\" "
      "focal=\"0.5\" clip=\"circle\" radius=\"1pt\" width=\"1mm\" height=\"1mm\" "
      "initials=\"x\" initials-style=\"i\" placeholder=\"p\" fill=\"f\" stroke=\"s\" "
      "stroke-width=\"1pt\"%s/>";
  char text[4096], img[1024];
  for (int bad = 0; bad < 2; bad++) {
    snprintf(img, sizeof img, image, bad ? " bogus=\"1\"" : "");
    snprintf(text, sizeof text,
             "<layout version=\"1\">\n<brand>%s</brand>\n<master name=\"m\"/>\n"
             "<sequence><run template=\"t\"/></sequence>\n<template name=\"t\">\n"
             "<grid columns=\"2\"><card>\n%s\n<paragraph>x</paragraph></card></grid>\n"
             "</template>\n</layout>\n",
             style, img);
    rp_diag d;
    rp_diag_init(&d);
    xmlDocPtr doc = NULL;
    clock_t t0 = clock();
    rp_status st = rp_xml_load(put("many/layout.xml", text), &schema, &d, &doc);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (secs > 2.0) fail_msg("validation took %.1f s", secs);
    if (st != (bad ? RP_ERR_INPUT : RP_OK)) rp_test_diag_dump(&d);
    assert_int_equal(st, bad ? RP_ERR_INPUT : RP_OK);
    if (bad) {
      /* libxml2 names the card ("has extra content: image"), at the image's line */
      const rp_diag_entry *e = find_entry(&d, "image");
      if (!e) rp_test_diag_dump(&d);
      assert_non_null(e);
      assert_int_equal(e->line, 7);
    }
    xmlFreeDoc(doc);
    rp_diag_fini(&d);
  }
}

/* A schema in the shape of ours (grammar, defines, refs, datatypeLibrary
 * inherited, attributes in an interleave) to test what errors say. */
static const char explain_rng[] =
    "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\" xmlns:rp=\"urn:x-reviewpdf:schema\""
    " datatypeLibrary=\"http://www.w3.org/2001/XMLSchema-datatypes\">\n"
    "<start><element name=\"r\"><zeroOrMore><choice>"
    "<ref name=\"figure\"/><ref name=\"kind\"/><ref name=\"x\"/><ref name=\"y\"/>"
    "<ref name=\"note\"/><ref name=\"person\"/>"
    "</choice></zeroOrMore></element></start>\n"
    "<define name=\"currency\" rp:expect=\"a currency code such as GBP\">"
    "<data type=\"token\"><param name=\"pattern\">[A-Z]{3}</param></data></define>\n"
    "<define name=\"figure\"><element name=\"figure\"><interleave>"
    "<attribute name=\"value\"><data type=\"decimal\"/></attribute>"
    "<optional><attribute name=\"unit\"><choice>"
    "<value>GBP</value><value>EUR</value><value>%</value></choice></attribute></optional>"
    "<optional><attribute name=\"currency\"><ref name=\"currency\"/></attribute></optional>"
    "<optional><attribute name=\"slug\"><data type=\"token\">"
    "<param name=\"pattern\">[a-z]+</param></data></attribute></optional>"
    "<optional><attribute name=\"on\"><data type=\"date\"/></attribute></optional>"
    "<optional><attribute name=\"count\"><data type=\"nonNegativeInteger\">"
    "<param name=\"maxInclusive\">99</param></data></attribute></optional>"
    "<optional><attribute name=\"lat\"><data type=\"decimal\"/></attribute>"
    "<attribute name=\"lon\"><data type=\"decimal\"/></attribute></optional>"
    "</interleave><text/></element></define>\n"
    /* attributes in sequence: libxml2 loses the element of their errors */
    "<define name=\"note\"><element name=\"note\"><attribute name=\"id\"/>"
    "<optional><attribute name=\"lang\"><data type=\"language\"/></attribute></optional>"
    "<text/></element></define>\n"
    "<define name=\"common\"><optional><attribute name=\"xml:lang\">"
    "<data type=\"language\"/></attribute></optional></define>\n"
    "<define name=\"person\"><element name=\"person\"><ref name=\"common\"/>"
    "<attribute name=\"id\" rp:expect=\"a slug such as ann-lee\"><data type=\"token\">"
    "<param name=\"pattern\">[a-z]+(-[a-z]+)*</param></data></attribute>"
    "<element name=\"name\"><text/></element></element></define>\n"
    "<define name=\"kind\"><element name=\"kind\"><choice>"
    "<value>charity</value><value>council</value></choice></element></define>\n"
    /* <item> means one thing in <x> and another in <y> */
    "<define name=\"x\"><element name=\"x\"><zeroOrMore><element name=\"item\">"
    "<attribute name=\"section\"><choice><value>about</value><value>people</value></choice>"
    "</attribute><empty/></element></zeroOrMore></element></define>\n"
    "<define name=\"y\"><element name=\"y\"><zeroOrMore><element name=\"item\">"
    "<attribute name=\"n\"><data type=\"integer\"/></attribute><empty/></element>"
    "</zeroOrMore></element></define>\n"
    "</grammar>\n";

/* Loads `text` against explain_rng expecting it refused; the caller reads
 * and frees `d`. */
static void load_explained(const char *name, const char *text, rp_diag *d) {
  rp_xml_schema schema = {.name = "explain.rng",
                          .text = explain_rng,
                          .len = sizeof explain_rng - 1,
                          .doc_hint = "docs/x.md"};
  xmlDocPtr doc = NULL;
  rp_diag_init(d);
  assert_int_equal(rp_xml_load(put(name, text), &schema, d, &doc), RP_ERR_INPUT);
  assert_null(doc);
}

/* Entries of `d` on `line`. */
static size_t on_line(const rp_diag *d, int line) {
  size_t n = 0;
  for (size_t i = 0; i < d->count; i++) n += d->entries[i].line == line;
  return n;
}

static void expect_message(const rp_diag *d, int line, const char *message) {
  const rp_diag_entry *e = find_entry(d, message);
  if (!e || e->line != line) {
    print_error("expected on line %d: %s\n", line, message);
    rp_test_diag_dump(d);
  }
  assert_non_null(e);
  assert_int_equal(e->line, line);
  assert_non_null(strstr(e->message, "(the language is described in docs/x.md)"));
}

/* A value outside an enumeration: the message has the value and every
 * allowed value, in place of libxml2's "Invalid attribute unit for element
 * figure". */
static void test_schema_enumeration_named(void **state) {
  rp_diag d;
  load_explained("explain/enum.xml", "<r>\n<figure value=\"1\" unit=\"MWh\">x</figure>\n</r>\n",
                 &d);
  expect_message(&d, 2, "Element figure: unit=\"MWh\" is not allowed here; allowed: GBP, EUR, %");
  assert_int_equal(d.count, 1);
  assert_false(rp_test_diag_has(&d, "Invalid attribute"));
  rp_diag_fini(&d);

  /* The text of an element that holds one of a choice of values. */
  load_explained("explain/text.xml", "<r>\n<kind>credit union</kind>\n</r>\n", &d);
  expect_message(&d, 2,
                 "Element kind: \"credit union\" is not allowed here; allowed: charity, council");
  assert_int_equal(d.count, 1);
  rp_diag_fini(&d);
}

/* A datatype or pattern: what is expected, in the schema's words
 * (rp:expect) where it gives them, else the type and its params. */
static void test_schema_expected_said(void **state) {
  rp_diag d;
  load_explained("explain/data.xml",
                 "<r>\n<figure value=\"1\" currency=\"pounds\"/>\n"
                 "<figure value=\"twelve\"/>\n"
                 "<figure value=\"1\" on=\"2019-02-30\"/>\n"
                 "<figure value=\"1\" slug=\"Not-a-slug\"/>\n"
                 "<figure value=\"1\" count=\"100\"/>\n</r>\n",
                 &d);
  expect_message(&d, 2,
                 "Element figure: currency=\"pounds\" is not allowed here; expected a currency "
                 "code such as GBP");
  expect_message(&d, 3, "Element figure: value=\"twelve\" is not allowed here; expected a number");
  expect_message(&d, 4,
                 "Element figure: on=\"2019-02-30\" is not allowed here; expected a date "
                 "YYYY-MM-DD");
  expect_message(&d, 5,
                 "Element figure: slug=\"Not-a-slug\" is not allowed here; expected text "
                 "matching the pattern [a-z]+");
  expect_message(&d, 6,
                 "Element figure: count=\"100\" is not allowed here; expected a whole number (0 "
                 "or more) up to 99");
  for (int line = 2; line <= 6; line++) assert_int_equal(on_line(&d, line), 1);
  assert_int_equal(d.count, 5);
  rp_diag_fini(&d);
}

/* Every mistake in an element, each once, where libxml2 stops at the first:
 * two bad values, an attribute the element does not take, and a required
 * one missing. */
static void test_schema_every_mistake_in_element(void **state) {
  rp_diag d;
  load_explained("explain/two.xml",
                 "<r>\n<figure value=\"x\" unit=\"MWh\">a</figure>\n"
                 "<figure unit=\"kWh\" bogus=\"1\" on=\"soon\">b</figure>\n</r>\n",
                 &d);
  expect_message(&d, 2, "Element figure: value=\"x\" is not allowed here; expected a number");
  expect_message(&d, 2, "Element figure: unit=\"MWh\" is not allowed here; allowed: GBP, EUR, %");
  assert_int_equal(on_line(&d, 2), 2);
  expect_message(&d, 3, "Element figure: unit=\"kWh\" is not allowed here; allowed: GBP, EUR, %");
  expect_message(&d, 3,
                 "Element figure: attribute bogus is not allowed; allowed attributes: value, "
                 "unit, currency, slug, on, count, lat, lon");
  expect_message(&d, 3, "Element figure: on=\"soon\" is not allowed here; expected a date");
  expect_message(&d, 3,
                 "Element figure: attribute value is required but missing; expected a "
                 "number");
  if (on_line(&d, 3) != 4) rp_test_diag_dump(&d);
  assert_int_equal(on_line(&d, 3), 4);
  assert_int_equal(d.count, 6);
  /* In the order of the document, and of the attributes in each element. */
  assert_non_null(strstr(d.entries[0].message, "value=\"x\""));
  assert_non_null(strstr(d.entries[1].message, "unit=\"MWh\""));
  assert_non_null(strstr(d.entries[2].message, "unit=\"kWh\""));
  rp_diag_fini(&d);
}

/* libxml2 loses the element of some errors (here a missing attribute) and
 * a second pass finds it: the messages still come in document order. */
static void test_schema_explained_in_order(void **state) {
  rp_diag d;
  load_explained("explain/order.xml",
                 "<r>\n<note lang=\"en\"/>\n<figure value=\"1\" unit=\"?\"/>\n"
                 "<kind>x</kind>\n<note id=\"n\" lang=\"!\"/>\n</r>\n",
                 &d);
  if (d.count != 4) rp_test_diag_dump(&d);
  assert_int_equal(d.count, 4);
  int lines[] = {2, 3, 4, 5};
  for (size_t i = 0; i < 4; i++) assert_int_equal(d.entries[i].line, lines[i]);
  expect_message(&d, 2, "Element note: attribute id is required but missing (the language");
  expect_message(&d, 3, "Element figure: unit=\"?\" is not allowed here");
  expect_message(&d, 5,
                 "Element note: lang=\"!\" is not allowed here; expected a language tag such as "
                 "en-GB or cy");
  rp_diag_fini(&d);
}

/* Attributes that go together (an optional pair): one without the other is
 * a missing attribute, named with the one it goes with. */
static void test_schema_pair_of_attributes(void **state) {
  rp_diag d;
  load_explained("explain/pair.xml",
                 "<r>\n<figure value=\"1\" lat=\"52.1\"/>\n<figure value=\"1\" lon=\"x\"/>\n"
                 "</r>\n",
                 &d);
  expect_message(&d, 2,
                 "Element figure: attribute lon is required but missing (it goes with lat); "
                 "expected a number");
  expect_message(&d, 3, "Element figure: lon=\"x\" is not allowed here; expected a number");
  expect_message(&d, 3,
                 "Element figure: attribute lat is required but missing (it goes with lon); "
                 "expected a number");
  assert_int_equal(d.count, 3);
  rp_diag_fini(&d);
}

/* libxml2 may name the right element but pass its first child ("Element
 * person failed to validate attributes" with the <name> right inside it):
 * the message is still explained. */
static void test_schema_element_named_not_passed(void **state) {
  rp_diag d;
  load_explained("explain/child.xml",
                 "<r>\n<person id=\"Ann Lee\" xml:lang=\"en_GB\"><name>Ann</name>\n</person>\n"
                 "</r>\n",
                 &d);
  expect_message(&d, 2,
                 "Element person: id=\"Ann Lee\" is not allowed here; expected a slug such as "
                 "ann-lee");
  expect_message(&d, 2,
                 "Element person: xml:lang=\"en_GB\" is not allowed here; expected a language "
                 "tag");
  assert_int_equal(d.count, 2);
  rp_diag_fini(&d);
}

/* After a mistake, libxml2's push interface (used to locate errors the
 * tree pass gives without their element) loses step and blames every
 * element after it; only the errors it was run to locate are taken. And the
 * same message at the same place is said once. */
static void test_schema_no_repeats(void **state) {
  rp_diag d;
  load_explained("explain/push.xml",
                 "<r>\n<note lang=\"en\"/>\n<person id=\"a\"><name>x</name><bad/></person>\n"
                 "<figure value=\"1\"/>\n<kind>charity</kind>\n</r>\n",
                 &d);
  if (d.count != 2) rp_test_diag_dump(&d);
  assert_int_equal(d.count, 2);
  expect_message(&d, 2, "Element note: attribute id is required but missing");
  expect_message(&d, 3, "Did not expect element bad there");
  rp_diag_fini(&d);

  load_explained("explain/repeat.xml", "<r>\n<y><item/><item/><item/></y>\n</r>\n", &d);
  if (d.count != 1) rp_test_diag_dump(&d);
  assert_int_equal(d.count, 1);
  expect_message(&d, 2, "Element item: attribute n is required but missing; expected an integer");
  rp_diag_fini(&d);
}

/* An element name the schema defines twice is judged by the definition
 * that fits where it stands, not by the union of both. */
static void test_schema_definition_by_parent(void **state) {
  rp_diag d;
  load_explained("explain/parent.xml",
                 "<r>\n<x><item section=\"awards\"/></x>\n<y>\n<item section=\"about\"/>\n"
                 "<item n=\"one\"/></y>\n</r>\n",
                 &d);
  expect_message(&d, 2,
                 "Element item: section=\"awards\" is not allowed here; allowed: about, people");
  expect_message(&d, 4, "Element item: attribute section is not allowed; allowed attributes: n");
  expect_message(&d, 4, "Element item: attribute n is required but missing; expected an integer");
  expect_message(&d, 5, "Element item: n=\"one\" is not allowed here; expected an integer");
  rp_diag_fini(&d);
}

/* Every diagnostic prints as one line of readable length: libxml2's
 * two-line messages ("…encoding !\nBytes: 0xF8…") and quoted content with
 * line breaks are joined, and a very long quoted value (a 100,000-character
 * colour name) is cut in the middle, keeping what to do at the end. */
static void test_messages_one_line(void **state) {
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = NULL;
  assert_int_equal(
      rp_xml_load(put("oneline/bad.xml", "<r>\n<a>\xf8\x88\x80\x80</a>\n</r>\n"), NULL, &d, &doc),
      RP_ERR_INPUT);
  const rp_diag_entry *e = find_entry(&d, "Bytes: 0xF8");
  if (!e) rp_test_diag_dump(&d);
  assert_non_null(e);
  assert_int_equal(e->line, 2);
  for (size_t i = 0; i < d.count; i++) assert_null(strchr(d.entries[i].message, '\n'));
  rp_diag_fini(&d);

  char *big = malloc(100001);
  assert_non_null(big);
  memset(big, 'A', 100000);
  big[100000] = '\0';
  /* an é at the start, and one on each side of the cut: never split in two */
  big[1] = big[343] = big[99822] = '\xc3';
  big[2] = big[344] = big[99823] = '\xa9';
  rp_diag_init(&d);
  rp_diag_error(&d, RP_ERR_INPUT, "x.xml", 3, 0, "unknown colour \"%s\"\n  in <style>; define it",
                big);
  e = &d.entries[0];
  assert_in_range(strlen(e->message), 100, 600);
  assert_non_null(strstr(e->message,
                         "unknown colour \"A\xc3\xa9"
                         "AAA"));
  assert_non_null(strstr(e->message, "AAA…AAA"));
  assert_null(strchr(strchr(e->message, '\xc3') + 1, '\xc3')); /* the first é only */
  assert_non_null(strstr(e->message, "AAA\" in <style>; define it"));
  free(big);
  rp_diag_fini(&d);
}

static void test_text_collapsed(void **state) {
  const char *path = put("text/doc.xml",
                         "<r><p>  Open to\n\t <em>all</em>   ideas,\r\n the  more "
                         "<strong>the <a href='x'>better</a></strong>!  </p>"
                         "<q/><s>\xc2\xa0nbsp\xc2\xa0 kept</s><t>\n  \n</t></r>");
  xmlDocPtr doc = expect_loaded(path, NULL);
  xmlNode *root = xmlDocGetRootElement(doc);
  static const char *cases[][2] = {
      {"p", "Open to all ideas, the more the better!"},
      {"q", ""},
      {"s", "\xc2\xa0nbsp\xc2\xa0 kept"}, /* only XML white space collapses */
      {"t", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *t = rp_xml_text_collapsed(first_child(root, cases[i][0]));
    assert_non_null(t);
    assert_string_equal(t, cases[i][1]);
    free(t);
  }
  xmlFreeDoc(doc);
}

static bool only_ok(const char *s, size_t n) { return n == 2 && memcmp(s, "ok", 2) == 0; }

/* rp_xml_attrs_all against a plain search of its list: an attribute is
 * checked exactly when its name is in the list (names that share a first
 * letter or a length with one there, or are 64 bytes and longer, too), and
 * the list attribute word by word. */
static void test_attrs_all_as_search(void **state) {
  (void)state;
  static const char L64[] = "long-name-of-sixty-four-bytes-or-more-for-the-length-table-edge-x";
  static const char L65[] = "long-name-of-sixty-four-bytes-or-more-for-the-length-table-edge-xy";
  const char *attrs[] = {"font", L64, "mode", "name", "role", "style"}; /* sorted */
  const size_t n_attrs = sizeof attrs / sizeof attrs[0];
  assert_true(strlen(L64) >= 64);
  const char *names[] = {"font", "fond",  "fonts",  "f",    "mode",  "more",  "name",
                         "nam",  "names", "role",   "rule", "style", "stile", "size",
                         "s",    "x",     "select", L64,    L65,     "list",  "lis"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    for (int bad = 0; bad < 2; bad++) {
      char xml[512];
      snprintf(xml, sizeof xml, "<r><e a='ok'/><e %s='%s' b='ok'/></r>", names[i],
               bad ? "ok no" : "ok");
      xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
      assert_non_null(doc);
      bool listed = false;
      for (size_t k = 0; k < n_attrs; k++) listed |= strcmp(attrs[k], names[i]) == 0;
      bool is_list = strcmp(names[i], "list") == 0;
      bool want = !bad || (!listed && !is_list);
      /* the list attribute: each word must pass ("ok no" has "no") */
      if (rp_xml_attrs_all(doc, attrs, n_attrs, "list", only_ok) != want)
        fail_msg("%s='%s': expected %s", names[i], bad ? "ok no" : "ok", want ? "true" : "false");
      xmlFreeDoc(doc);
    }
  }
}

int main(void) {
  rp_xml_use_rp_mem(); /* as the program does: the schemas' region (xml.c) needs it */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_plain),
      cmocka_unit_test(test_schemas_released),
      cmocka_unit_test(test_schemas_released_while_used),
      cmocka_unit_test(test_schema_region_given_back),
      cmocka_unit_test(test_load_apart),
      cmocka_unit_test(test_regions_together),
      cmocka_unit_test(test_malformed_has_line_and_column),
      cmocka_unit_test(test_missing_empty_and_odd_files),
      cmocka_unit_test(test_entities_refused_at_first_declaration),
      cmocka_unit_test(test_doctype),
      cmocka_unit_test(test_xinclude_same_folder),
      cmocka_unit_test(test_xinclude_moved_tree),
      cmocka_unit_test(test_xinclude_subfolder_and_nested),
      cmocka_unit_test(test_xinclude_refusals),
      cmocka_unit_test(test_xinclude_every_error_reported),
      cmocka_unit_test(test_xinclude_cycles_and_depth),
      cmocka_unit_test(test_xinclude_amplification_limited),
      cmocka_unit_test(test_xinclude_unsafe_part_refused),
      cmocka_unit_test(test_schema),
      cmocka_unit_test(test_schema_cascade_collapsed),
      cmocka_unit_test(test_schema_errors_located),
      cmocka_unit_test(test_schema_many_attributes),
      cmocka_unit_test(test_schema_enumeration_named),
      cmocka_unit_test(test_schema_expected_said),
      cmocka_unit_test(test_schema_every_mistake_in_element),
      cmocka_unit_test(test_schema_definition_by_parent),
      cmocka_unit_test(test_schema_explained_in_order),
      cmocka_unit_test(test_schema_pair_of_attributes),
      cmocka_unit_test(test_schema_element_named_not_passed),
      cmocka_unit_test(test_schema_no_repeats),
      cmocka_unit_test(test_messages_one_line),
      cmocka_unit_test(test_text_collapsed),
      cmocka_unit_test(test_attrs_all_as_search),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
