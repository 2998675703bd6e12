/* charts — charts and the membership map as geometry and text: a chart of the
 * bound document (bound/chart.h) placed in a box becomes path items (built
 * with Cairo, copied out as segments) and text items (labels in the layout's
 * fonts, real searchable text) on a page (page/items.h).
 *
 * Nothing here knows libharu: render/ draws the items like any others, and
 * the tests read them without a PDF. Layout calls rp_charts_draw when it
 * places a chart block. */
#ifndef RP_CHARTS_CHARTS_H
#define RP_CHARTS_CHARTS_H

#include "base/arena.h"
#include "base/diag.h"
#include "bound/chart.h"
#include "font/font.h"
#include "page/items.h"

/* Where a chart goes and what its items carry. */
typedef struct rp_chart_box {
  double x, y, w, h; /* pt, page coordinates (top-left origin, y down) */
  int struct_id;     /* the chart's figure: its items are its children */
  rp_src src;        /* the chart block's layout and content lines */
} rp_chart_box;

/* Draws chart `c` into `box` on `page`, appending items allocated from `a`.
 * Data that cannot be charted (no values, NaN or infinite values, a map
 * outline that cannot be read) is an input error recorded in `d` with the
 * chart's source lines and what to do; a fallback applied (a label set
 * smaller, a dense cluster grouped) is a warning. */
rp_status rp_charts_draw(rp_arena *a, const rp_chart *c, const rp_fontset *fonts,
                         const rp_chart_box *box, rp_page *page, rp_diag *d);

/* Alternative text for chart `c` from its data, for a chart the layout gave
 * no alt: "Bar chart, Events per month, Sep 2018 to Jul 2019: highest 3 in
 * Jun 2019". Arena-allocated; NULL when out of memory. */
const char *rp_charts_alt(rp_arena *a, const rp_chart *c);

/* The graphics library and its version, for `reviewpdf --version`. */
void rp_charts_library(char *buf, size_t n);

#endif
