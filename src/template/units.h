/* units — the values a layout writes in attributes: lengths, colours, page
 * sizes. Pure functions, no allocation, used by the template loader and by
 * tests. Each parser returns NULL on success, or a short static message saying
 * what is wrong with the value (the caller adds the file, line and attribute).
 *
 * Lengths are converted to points: 1pt = 1/72in, 1in = 25.4mm, 1px = 0.75pt
 * (CSS: 96px per inch). A length may be a sum or difference of terms,
 * "100% - 12mm", so that page decorations can be anchored to the far edge. */
#ifndef RP_TEMPLATE_UNITS_H
#define RP_TEMPLATE_UNITS_H

#include <stdbool.h>

#include "base/types.h"

/* What 100% means in rp_length_parse when percentages are not allowed. */
#define RP_NO_PERCENT (-1.0)

/* The longest length, either way: 200in, the largest page. Nothing on a page
 * can be longer, and a bound keeps sums and products of lengths finite. */
#define RP_LENGTH_MAX 14400.0

/* Parses "12pt", "18mm", "2.5cm", "1in", "16px", "50%", "0", "100% - 12mm".
 * `percent_of` is the length (pt) that 100% stands for, or RP_NO_PERCENT.
 * The result lies within ±RP_LENGTH_MAX. */
const char *rp_length_parse(const char *s, double percent_of, double *out_pt);

/* Parses one to four lengths, CSS-style (top, right, bottom, left):
 * "6pt" → all four; "6pt 12pt" → vertical, horizontal; "1 2 3" → top,
 * horizontal, bottom. No percentages. */
const char *rp_lengths4_parse(const char *s, double out_pt[4]);

/* Parses a literal colour: "#rgb", "#rrggbb", "#rrggbbaa", or one of the
 * names black, white, none, transparent. Named brand colours are looked up by
 * the caller first. */
const char *rp_color_parse(const char *s, rp_color *out);

/* Parses a page size: a name (A3, A4, A5, A6, B5, Letter, Legal, 16:9, 4:3),
 * optionally followed by "landscape" or "portrait", or two lengths
 * "210mm 297mm" (width, height). */
const char *rp_page_size_parse(const char *s, double *w_pt, double *h_pt);

/* "true"/"1" → true, "false"/"0" → false; NULL message on success. */
const char *rp_bool_parse(const char *s, bool *out);

#endif
