/* xml — the one safe way reviewpdf reads XML documents (content and layout).
 *
 * libxml2 with no network, no DTD loading, no external entities; documents
 * that declare entities are refused outright (entity expansion attacks).
 * XInclude is processed only for files inside the document's own folder
 * (whole files, parse="xml"; nested includes too; depth and size limited).
 * The result is validated against a RelaxNG schema compiled into the binary.
 * Every parser, XInclude and schema error is recorded with file, line and
 * column — all of them, not only the first. A schema error about an element
 * is said as each of its mistakes, with the bad value and what the schema
 * allows (base/xml_explain.h). */
#ifndef RP_BASE_XML_H
#define RP_BASE_XML_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"

/* A RelaxNG schema held in memory (see CMake: schemas are embedded). */
typedef struct rp_xml_schema {
  const char *name; /* shown in messages, e.g. "data/schema/review.rng" */
  const char *text;
  size_t len;
  const char *doc_hint; /* where the user reads about the language */
  /* Optional, for speed: a schema that gives the same verdict as `text` on
   * every document `fast_ok` passes, and checks it quicker (libxml2
   * compiles a pattern facet again at every value it checks). A document
   * it refuses, or one `fast_ok` does not pass, is validated against `text`,
   * which alone gives the messages. */
  const char *fast_text;
  size_t fast_len;
  bool (*fast_ok)(const xmlDoc *doc);
} rp_xml_schema;

/* Whether every attribute of `doc` named in `attrs` (sorted by strcmp) has a
 * value `word` accepts whole, and every one named `list` has only words it
 * accepts between XML spaces: the test a fast_ok makes. */
bool rp_xml_attrs_all(const xmlDoc *doc, const char *const *attrs, size_t n_attrs, const char *list,
                      bool (*word)(const char *s, size_t n));

/* A built-in schema's text with each `from` replaced by `to` (for
 * rp_xml_schema.fast_text), made once per process and kept until exit, as
 * compiled schemas are; NULL if `from` is not in it or memory ran out. */
const char *rp_xml_schema_variant(const char *text, size_t len, const char *from, const char *to,
                                  size_t *out_len);

/* Largest document accepted, bytes. */
#define RP_XML_MAX_BYTES (64u * 1024u * 1024u)

/* Parses, expands XIncludes and validates `path`. On success *out owns the
 * tree (free with xmlFreeDoc). On failure returns RP_ERR_INPUT with every
 * problem in `d`, and *out is NULL. `schema` may be NULL (no validation). */
rp_status rp_xml_load(const char *path, const rp_xml_schema *schema, rp_diag *d, xmlDocPtr *out);

/* rp_xml_load, the tree made in a region apart (xml.c): for a tree made
 * beside another thread's loading and freed soon after (pipeline.c's
 * layout, freed once loaded), whose region's blocks go back to the heap
 * only once the whole tree is freed. */
rp_status rp_xml_load_apart(const char *path, const rp_xml_schema *schema, rp_diag *d,
                            xmlDocPtr *out);

/* Validates a tree rp_xml_load gave (without a schema) against `schema`, so a
 * caller can look at the root first — content.c reads the version — without
 * parsing twice. Errors as rp_xml_load's; the tree is left as it was. */
rp_status rp_xml_validate(xmlDocPtr doc, const char *path, const rp_xml_schema *schema, rp_diag *d);

/* Frees the schemas compiled so far (rp_xml_validate keeps each for the
 * next document it checks): a render whose content and layout are loaded
 * gives their memory back to the layout and the render. A later
 * validation compiles its schema again. */
void rp_xml_schemas_release(void);

/* Compiles `schema` (its quicker variant when it has one) ahead of the
 * documents it will check, to be kept as rp_xml_validate keeps it: on
 * another thread while this one parses them (pipeline.c). A validation
 * that needs it meanwhile waits for it rather than compiling it again. */
void rp_xml_schema_prepare(const rp_xml_schema *schema);

/* Line of a node (0 if unknown) and the file it came from: `fallback` (pass
 * the document's path) unless the node came through XInclude, in which case
 * the included file's path as opened (its href joined to the including
 * file's folder). That string belongs to the document and lives as long as
 * it. The line is counted in that file. rp_xml_load marks included trees
 * through the _private field of their root elements: nothing else may set
 * _private on nodes of a loaded document. */
int rp_xml_line(const xmlNode *n);
const char *rp_xml_file(const xmlNode *n, const char *fallback);

/* Text content of a node, whitespace-collapsed (runs of XML whitespace become
 * one space, ends trimmed). Returns malloc'd memory, or NULL. */
char *rp_xml_text_collapsed(const xmlNode *n);

/* Attribute value as a C string pointer into a malloc'd copy; NULL if absent. */
char *rp_xml_attr(const xmlNode *n, const char *name);

/* The XML library and its version, for `reviewpdf --version`. */
const char *rp_xml_library(void);
/* Refuses (RP_ERR_INPUT, located) elements nested deeper than the limit
 * (base/limits.h RP_LIMIT_DEPTH), counted after XInclude. For content and
 * layout documents; SVG images have their own (svg.h). */
rp_status rp_xml_check_depth(xmlDocPtr doc, const char *path, rp_diag *d);

/* Makes libxml2 allocate through base/mem (fault injection, one count),
 * but for a schema being compiled, whose blocks come from a region apart
 * (xml.c). Call once, before any other libxml2 call. */
void rp_xml_use_rp_mem(void);

/* How many heap blocks that region holds now (tests: none once every
 * compiled schema is released). */
int rp_xml_region_blocks(void);

/* libxml2's global set-up, made once: call it on the main thread before
 * any other thread uses libxml2 (pipeline.c loads on two). */
void rp_xml_init(void);

#endif
