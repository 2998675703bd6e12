/* schemas — the RelaxNG schemas compiled into the binary (src/base/embed.cmake
 * generates their definitions from data/schema/ and layouts/schema/). */
#ifndef RP_BASE_SCHEMAS_H
#define RP_BASE_SCHEMAS_H

#include <stddef.h>

extern const char rp_schema_review[];
extern const size_t rp_schema_review_len;
extern const char rp_schema_layout[];
extern const size_t rp_schema_layout_len;

#endif
