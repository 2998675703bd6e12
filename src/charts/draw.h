/* draw — internal to charts/: the one way chart code emits items. Geometry is
 * built on a Cairo context whose user space is page points (so arcs, curves,
 * transforms and dashes come from Cairo) and copied out with
 * cairo_copy_path as path items; text becomes text items measured with the
 * layout's font metrics, so what is measured is what render draws. */
#ifndef RP_CHARTS_DRAW_H
#define RP_CHARTS_DRAW_H

#include <cairo.h>
#include <stdbool.h>

#include "charts/charts.h"

typedef struct rp_chart_out {
  rp_arena *a;
  rp_page *page;
  const rp_fontset *fonts;
  rp_diag *d;
  const rp_chart_box *box;
  cairo_t *cr;                /* a context on a 1×1 surface: only its paths are used */
  bool failed;                /* out of memory or a Cairo error: the status is in d */
  struct rp_map_ahead *ahead; /* outlines read ahead (map.h), or NULL */
} rp_chart_out;

typedef enum rp_chart_align { RP_CHART_LEFT, RP_CHART_CENTRE, RP_CHART_RIGHT } rp_chart_align;

/* Sets up / releases the Cairo context. */
rp_status rp_chart_out_init(rp_chart_out *o, rp_arena *a, const rp_fontset *fonts,
                            const rp_chart_box *box, rp_page *page, rp_diag *d);
void rp_chart_out_fini(rp_chart_out *o);

/* Emits o->cr's current path as one path item (fill and/or stroke; a == 0
 * for none) and clears the path. Returns the item, NULL when nothing was
 * emitted (an empty path) or on failure (o->failed set). */
rp_item *rp_chart_emit_path(rp_chart_out *o, rp_color fill, rp_color stroke, double width);

/* Emits closed polylines — ring i has n[i] points in rings[i] (x0, y0, x1,
 * y1, … in pt) — as one path item: the same item, to the bit, as each
 * ring's move_to, line_to… and close_path on o->cr, then
 * rp_chart_emit_path, would make (worked out without building Cairo's
 * path; built that way when o->cr has a matrix, a path or a dash already,
 * or memory is short). Returns the item, NULL when there are no points or
 * on failure (o->failed set). */
rp_item *rp_chart_emit_rings(rp_chart_out *o, const double *const *rings, const size_t *n,
                             size_t count, rp_color fill, rp_color stroke, double width);

/* Width in pt of `s` in text style t. */
double rp_chart_text_width(const rp_chart_out *o, const rp_chart_text *t, const char *s);

/* Emits `s` as one text item with its baseline at y, aligned on x. Returns
 * the item (NULL on failure). The string is copied. */
rp_item *rp_chart_emit_text(rp_chart_out *o, const rp_chart_text *t, const char *s, double x,
                            double y, rp_chart_align align);

/* The i-th colour of the chart's palette (cycled), or a built-in
 * colour-blind-safe one when the chart has none. */
rp_color rp_chart_palette(const rp_chart *c, size_t i);

/* rp_charts_draw with the outlines a worker read ahead (`ahead`, map.h;
 * NULL: none): the same items and messages. */
rp_status rp_charts_draw_ahead(rp_arena *a, const rp_chart *c, const rp_fontset *fonts,
                               const rp_chart_box *box, rp_page *page, rp_diag *d,
                               struct rp_map_ahead *ahead);

/* The drawing function of each chart kind (one file each: bar.c, line.c,
 * pie.c, flow.c, timeline.c, delta.c, map.c). They draw inside o->box. */
typedef rp_status (*rp_chart_draw_fn)(rp_chart_out *o, const rp_chart *c);

/* ---- shared by the chart kinds ------------------------------------------ */

/* A series' colour: its own, else the palette's i-th. */
rp_color rp_chart_series_color(const rp_chart *c, size_t i);

/* WCAG 2 relative luminance of a colour and the contrast ratio (1..21) of two. */
double rp_chart_luminance(rp_color c);
double rp_chart_contrast(rp_color a, rp_color b);

/* A text colour for a label drawn on `fill`: the chart's label colour when it
 * has at least 4.5:1 contrast with fill, else white or black, whichever has
 * more. */
rp_color rp_chart_text_on(const rp_chart *c, rp_color fill);

/* Warns when a text style the chart draws on its background (label; value
 * when `values`; heading when it has a title) has less than 4.5:1 contrast
 * with the chart's background (when it has one). */
void rp_chart_check_contrast(rp_chart_out *o, const rp_chart *c, bool values);

/* Emits `s` fitted into max_w: set smaller (down to 70 % of t's size, not
 * below 5 pt), then shortened with an ellipsis — with a warning, since the
 * reader loses text. Returns the item (NULL for an empty string, on failure,
 * or when not even one character and the ellipsis fit). */
rp_item *rp_chart_emit_fit(rp_chart_out *o, const rp_chart_text *t, const char *s, double x,
                           double y, rp_chart_align align, double max_w);

/* Records an input error at the chart block's layout line, naming its
 * content line and the chart, and returns RP_ERR_INPUT. */
rp_status rp_chart_input_error(rp_chart_out *o, const rp_chart *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Checks the categories and series of a bar, line, pie or donut: at least one
 * category and series, no infinite value, at least one value that is not NaN
 * (NaN = no value, drawn as a gap). Records the error. */
rp_status rp_chart_check_values(rp_chart_out *o, const rp_chart *c);

/* Every how many categories a label is printed along a category axis whose
 * slots are `slot` pt apart: 1 when the widest label fits one slot (at the
 * smallest size rp_chart_emit_fit would set), else enough slots to hold it
 * (dense charts: every other month…). `across` measures labels' heights
 * instead (a vertical axis). */
size_t rp_chart_label_stride(rp_chart_out *o, const rp_chart *c, double slot, bool across);

/* Where a chart's parts go: the box less the title. */
typedef struct rp_chart_area {
  double x, y, w, h;
} rp_chart_area;

/* Draws the chart's title (heading style) at the top of the box and returns
 * the area left below it. */
rp_chart_area rp_chart_title(rp_chart_out *o, const rp_chart *c);

/* A legend: coloured swatches with their labels in rows across w, starting
 * at (x, y) (top). Draws only when `draw`; returns the height it takes. */
double rp_chart_legend(rp_chart_out *o, const rp_chart *c, const char *const *labels,
                       const rp_color *colors, size_t n, double x, double y, double w, bool draw);

/* The legend of a chart's series, kept below its plot: names and colours
 * gathered once, the height measured (0 with a lone series, or when it
 * would take over 40 % of the area) and the legend drawn at the end. */
typedef struct rp_chart_series_legend {
  const char **names;
  rp_color *colors;
  size_t n;
  double h; /* pt, the room it takes at the bottom of the area */
} rp_chart_series_legend;
rp_status rp_chart_series_legend_measure(rp_chart_out *o, const rp_chart *c, const rp_chart_area *r,
                                         rp_chart_series_legend *lg);
void rp_chart_series_legend_draw(rp_chart_out *o, const rp_chart *c, const rp_chart_area *r,
                                 const rp_chart_series_legend *lg);

/* Text extents used for placement: a label's top and bottom relative to its
 * baseline (cap height plus room, descenders). */
#define RP_CHART_ASCENT 0.8
#define RP_CHART_DESCENT 0.25

#endif
