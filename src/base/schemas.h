/* schemas — the RelaxNG schemas compiled into the binary (src/base/embed.cmake
 * generates their definitions from data/schema/ and layouts/schema/). */
#ifndef RP_BASE_SCHEMAS_H
#define RP_BASE_SCHEMAS_H

#include <stddef.h>

extern const char rp_schema_review[];
extern const size_t rp_schema_review_len;
extern const char rp_schema_layout[];
extern const size_t rp_schema_layout_len;
/* The same languages in a form libxml2 validates faster (made by
 * tests/schema/make_fast.py; test_schema checks they agree): the first check
 * of a document, the schemas above giving the messages. */
extern const char rp_schema_review_fast[];
extern const size_t rp_schema_review_fast_len;
extern const char rp_schema_layout_fast[];
extern const size_t rp_schema_layout_fast_len;

#endif
