/* roman — the one roman-numeral formatter and reader (page labels, the
 * layout's number formats, PDF page-label styles). */
#ifndef RP_BASE_ROMAN_H
#define RP_BASE_ROMAN_H

#include <stdbool.h>
#include <stddef.h>

/* Writes v (1..3999) as a canonical roman numeral, lower or upper case, into
 * out (cap bytes, 16 always suffice). False, with out empty, when v is out of
 * range or out is too small. */
bool rp_roman_format(long v, bool upper, char *out, size_t cap);

/* The value of a canonical roman numeral (1..3999) written wholly in one
 * case ("xiv", "XIV"; not "xIv", "iiii" or "IM"), or 0. */
long rp_roman_value(const char *s, bool upper);

#endif
