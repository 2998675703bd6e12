/* content — loading a content document (see content.h): the first stage of
 * the pipeline, feeding template/ (which binds to both the model and the
 * tree).
 *
 * Steps: rp_xml_load (safe parse, XInclude within the document's folder);
 * the root's version (a version 1 document gets one error pointing at the
 * migration guide, not a cascade of schema errors); rp_xml_validate with the
 * built-in review schema (RelaxNG); then rp_model_build (build.c: the model,
 * and the checks the schema cannot make). Any error in a
 * step fails the load with every problem recorded; warnings (a missing photo)
 * do not, unless the diagnostics are strict.
 *
 * Ownership: the rp_content and its strings are one malloc block; the tree is
 * libxml2's; the model is the caller's arena's. */
#include "model/content.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

#include "base/path.h"
#include "base/schemas.h"
#include "base/xml.h"
#include "model/build.h"

/* The content language version this program reads. */
#define RP_CONTENT_VERSION "2"

/* Refuses a document whose root is a <review> of another version, with one
 * error at the root's line. Anything else (not a <review>) is left to the
 * schema, which says what the root must be. */
static rp_status check_version(xmlDocPtr doc, const char *path, rp_diag *d) {
  xmlNode *root = xmlDocGetRootElement(doc);
  if (!root || root->ns || !xmlStrEqual(root->name, (const xmlChar *)"review")) return RP_OK;
  xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)"version");
  const char *file = rp_xml_file(root, path);
  int line = rp_xml_line(root);
  rp_status st = RP_OK;
  if (!v || xmlStrEqual(v, (const xmlChar *)"1"))
    st = rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                       "this is a version 1 content document; reviewpdf reads version "
                       "%s: see docs/content.md, \"Migrating from version 1\"",
                       RP_CONTENT_VERSION);
  else if (!xmlStrEqual(v, (const xmlChar *)RP_CONTENT_VERSION))
    st = rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                       "<review version=\"%s\"> is not a version reviewpdf reads; it reads "
                       "version %s (docs/content.md): write version=\"%s\"",
                       (const char *)v, RP_CONTENT_VERSION, RP_CONTENT_VERSION);
  xmlFree(v);
  return st;
}

/* A <br/> separates words, but XPath's string value of "Isles:<br/>power"
 * is "Isles:power" (titles, bookmarks, alt text built with {…}). After
 * validation each br gets a space as its text; rich text sets a br as a line
 * break and never reads its children. False when memory runs out. */
size_t rp_content_text_bytes(const xmlNode *n) {
  size_t k = 0;
  for (; n; n = n->next) {
    if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
      k += strlen((const char *)n->content);
    else if (n->type == XML_ELEMENT_NODE)
      k += rp_content_text_bytes(n->children);
  }
  return k;
}

bool rp_content_space_breaks(xmlNode *n) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (!n->ns && !n->children && xmlStrEqual(n->name, (const xmlChar *)"br")) {
      if (!xmlAddChild(n, xmlNewText((const xmlChar *)" "))) return false;
    } else if (!rp_content_space_breaks(n->children)) {
      return false;
    }
  }
  return true;
}

/* The schema's ids and roles (id.type, role.type) are tokens matching
 * [a-z0-9]+(-[a-z0-9]+)*, a pattern libxml2 compiles again for each value it
 * checks: most of the cost of validating a long document. Where every
 * attribute that may hold one holds one of that form, with no space (a list
 * of ids: each word), the schema gives the same verdict with the pattern
 * left out, and checks the document that way. */
static const char ID_PATTERN[] = "<param name=\"pattern\">[a-z0-9]+(-[a-z0-9]+)*</param>";

/* Attributes the schema gives an id or a role, sorted (and "figures", a list
 * of ids); test_model checks them against the schema. */
static const char *const ID_ATTRS[] = {"id", "kind", "person", "ref", "role"};
#define ID_LIST "figures"

static bool is_id(const char *s, size_t n) {
  bool after_hyphen = true; /* nor at the start */
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      after_hyphen = false;
    else if (c == '-' && !after_hyphen)
      after_hyphen = true;
    else
      return false;
  }
  return n > 0 && !after_hyphen;
}

static bool ids_plain(const xmlDoc *doc) {
  return rp_xml_attrs_all(doc, ID_ATTRS, sizeof ID_ATTRS / sizeof ID_ATTRS[0], ID_LIST, is_id);
}

rp_xml_schema rp_content_schema(void) {
  rp_xml_schema s = {.name = "data/schema/review.rng",
                     .text = rp_schema_review,
                     .len = rp_schema_review_len,
                     .doc_hint = "docs/content.md"};
  s.fast_text = rp_xml_schema_variant(rp_schema_review_fast, rp_schema_review_fast_len, ID_PATTERN,
                                      "", &s.fast_len);
  if (s.fast_text) s.fast_ok = ids_plain;
  return s;
}

rp_status rp_content_load(rp_arena *a, const char *path, rp_diag *d, rp_content **out) {
  *out = NULL;
  const rp_xml_schema schema = rp_content_schema();
  xmlDocPtr doc = NULL;
  rp_model *m = NULL;
  rp_status st = rp_xml_load(path, NULL, d, &doc);
  if (st != RP_OK) goto fail;
  st = rp_xml_check_depth(doc, path, d);
  if (st != RP_OK) goto fail;
  st = check_version(doc, path, d);
  if (st != RP_OK) goto fail;
  st = rp_xml_validate(doc, path, &schema, d);
  if (st != RP_OK) goto fail;
  if (!rp_content_space_breaks(xmlDocGetRootElement(doc))) {
    st = rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0, "out of memory while loading");
    goto fail;
  }

  /* Content at data/x.xml may use ../images/…: the project is the folder
   * above the document's own. The document exists, so only memory fails. */
  const char *root = rp_path_project_root(a, path);
  if (!root) {
    st = rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0,
                       "cannot find the project folder (the folder above this file's)");
    goto fail;
  }
  st = rp_model_build(a, doc, path, root, d, &m);
  if (st != RP_OK) goto fail;

  size_t path_len = strlen(path) + 1, root_len = strlen(root) + 1;
  rp_content *c = rp_mem_alloc(sizeof *c + path_len + root_len);
  if (!c) {
    st = rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0, "out of memory while loading");
    goto fail;
  }
  char *strings = (char *)(c + 1);
  memcpy(strings, path, path_len);
  memcpy(strings + path_len, root, root_len);
  *c = (rp_content){0};
  c->doc = doc;
  c->model = m;
  c->path = strings;
  c->root = strings + path_len;
  *out = c;
  return RP_OK;

fail:
  xmlFreeDoc(doc);
  return st != RP_OK ? st : RP_ERR_INPUT;
}

void rp_content_drop_tree(rp_content *c) {
  if (!c) return;
  rp_content_items_forget(c->items);
  xmlFreeDoc(c->doc);
  c->doc = NULL;
}

void rp_content_free(rp_content *c) {
  if (!c) return;
  rp_content_items_free(c->items);
  xmlFreeDoc(c->doc);
  rp_mem_free(c);
}
