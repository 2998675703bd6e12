/* numfmt — format-number pictures, locale-independent ("#,##0" → "33,000",
 * "£#,##0.0" → "£9.5"): a pure helper shared by the template's XPath
 * function and the charts' value labels. */
#ifndef RP_BASE_NUMFMT_H
#define RP_BASE_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

/* Formats v by `picture`: a prefix, a number part of # 0 , . and a suffix
 * (a % multiplies by 100). False when the picture has no number part or out
 * is too small. A negative number starts with a minus sign (U+2212). The
 * grouping separator may be a thin space (U+2009) or a narrow no-break
 * space (U+202F) instead of the comma, between digits of the picture
 * ("#\u202F##0" → "33 000"); either before a suffix is part of the suffix
 * ("0.0\u2009m" → "7.4 m"). */
bool rp_format_number(double v, const char *picture, char *out, size_t cap);

#endif
