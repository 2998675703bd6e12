/* charts — see charts.h: checks the box, sets up the output and dispatches
 * on the chart's kind through one table. */
#include "charts/charts.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>

#include "charts/draw.h"
#include "charts/kinds.h"
#include "charts/map.h"

/* One entry per rp_chart_kind; NULL: not drawn yet, a labelled frame. */
static const rp_chart_draw_fn draw_fns[] = {
    [RP_CHART_BAR] = rp_chart_draw_bar,           [RP_CHART_HBAR] = rp_chart_draw_bar,
    [RP_CHART_LINE] = rp_chart_draw_line,         [RP_CHART_PIE] = rp_chart_draw_pie,
    [RP_CHART_DONUT] = rp_chart_draw_pie,         [RP_CHART_FLOW] = rp_chart_draw_flow,
    [RP_CHART_TIMELINE] = rp_chart_draw_timeline, [RP_CHART_DELTA] = rp_chart_draw_delta,
    [RP_CHART_MAP] = rp_chart_draw_map,
};
_Static_assert(sizeof draw_fns / sizeof draw_fns[0] == RP_CHART_MAP + 1,
               "every chart kind has an entry");

/* A kind with no drawing yet: a light frame with the chart's title or alt. */
static rp_status placeholder(rp_chart_out *o, const rp_chart *c) {
  const rp_chart_box *b = o->box;
  cairo_rectangle(o->cr, b->x, b->y, b->w, b->h);
  rp_color fill = {0.96f, 0.96f, 0.96f, 1}, stroke = {0.75f, 0.75f, 0.75f, 1};
  rp_chart_emit_path(o, fill, stroke, 0.75);
  const char *label = c->title ? c->title : c->alt;
  if (label) {
    rp_chart_text t = c->label;
    double w = rp_chart_text_width(o, &t, label);
    if (w > b->w * 0.9 && w > 0) t.size *= b->w * 0.9 / w;
    rp_chart_emit_text(o, &t, label, b->x + b->w / 2, b->y + b->h / 2 + t.size * 0.35,
                       RP_CHART_CENTRE);
  }
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}

rp_status rp_charts_draw(rp_arena *a, const rp_chart *c, const rp_fontset *fonts,
                         const rp_chart_box *box, rp_page *page, rp_diag *d) {
  return rp_charts_draw_ahead(a, c, fonts, box, page, d, NULL);
}

rp_status rp_charts_draw_ahead(rp_arena *a, const rp_chart *c, const rp_fontset *fonts,
                               const rp_chart_box *box, rp_page *page, rp_diag *d,
                               struct rp_map_ahead *ahead) {
  if (!(isfinite(box->x) && isfinite(box->y) && box->w > 0 && box->h > 0 && isfinite(box->w) &&
        isfinite(box->h)))
    return rp_diag_error(d, RP_ERR_INPUT, box->src.layout_file, box->src.layout_line, 0,
                         "a chart needs a width and a height greater than 0: give the chart "
                         "block a height");
  rp_chart_out o;
  rp_status st = rp_chart_out_init(&o, a, fonts, box, page, d);
  if (st != RP_OK) return st;
  o.ahead = ahead;
  rp_chart_draw_fn fn =
      (unsigned)c->kind < sizeof draw_fns / sizeof draw_fns[0] ? draw_fns[c->kind] : NULL;
  st = (fn ? fn : placeholder)(&o, c);
  if (st == RP_OK && o.failed)
    st = rp_diag_status(d) != RP_OK ? rp_diag_status(d) : RP_ERR_INTERNAL;
  rp_chart_out_fini(&o);
  return st;
}

void rp_charts_library(char *buf, size_t n) {
  snprintf(buf, n, "Cairo %s", cairo_version_string());
}
