/* color — WCAG 2 colour contrast, shared by charts/ (label colours) and the
 * preflight report (pipeline/preflight.c: text on the box or band under it). */
#ifndef RP_BASE_COLOR_H
#define RP_BASE_COLOR_H

#include "base/types.h"

/* The least contrast body text needs (WCAG 2, AA). */
#define RP_MIN_CONTRAST 4.5

/* Relative luminance of c (0 black .. 1 white); alpha is ignored. */
double rp_color_luminance(rp_color c);
/* Contrast ratio of two colours, 1..21, whichever is lighter. */
double rp_color_contrast(rp_color a, rp_color b);

#endif
