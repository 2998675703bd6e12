/* xml_explain — schema errors that say what is wrong and what is allowed.
 *
 * libxml2's RelaxNG validator names the element at fault but not the bad
 * value nor what the schema allows, and stops at the first mistake inside an
 * element. When it reports an element, base/xml.c asks this module to check
 * that element on its own against the schema's definitions of its name, read
 * from the .rng tree, so every mistake in it is reported, each once:
 * attributes the element does not take, attribute values and the text of a
 * value-only element that fit no allowed pattern, and required attributes
 * missing. Internal to base/. */
#ifndef RP_BASE_XML_EXPLAIN_H
#define RP_BASE_XML_EXPLAIN_H

#include <libxml/tree.h>
#include <stddef.h>

#include "base/diag.h"

/* Namespace of the schema annotations read here (docs/loading.md, "Schema
 * errors"): rp:expect="a date YYYY-MM-DD" on an <attribute>, <element>,
 * <define>, <ref>, <data>, <value> or <choice> says in words what the
 * pattern under it accepts. */
#define RP_XML_EXPLAIN_NS "urn:x-reviewpdf:schema"

typedef struct rp_xml_explain rp_xml_explain;

/* Reads the RelaxNG schema `text` (XML syntax). Returns a handle to free with
 * rp_xml_explain_free, or NULL when memory runs out or the text is not XML. */
rp_xml_explain *rp_xml_explain_new(const char *text, size_t len);
void rp_xml_explain_free(rp_xml_explain *x);

/* Checks element `n` against the schema's definitions of its name and
 * records one error per mistake in `d`, at `file` and n's line, each message
 * ending with `suffix` (may be NULL). Returns how many were recorded, and in
 * *n_text (may be NULL) how many of them concern the element's text.
 * Conservative: where the schema defines the name in several places, only
 * what no applicable definition allows is reported. */
size_t rp_xml_explain_element(rp_xml_explain *x, const xmlNode *n, const char *file,
                              const char *suffix, rp_diag *d, size_t *n_text);

#endif
