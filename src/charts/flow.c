/* flow — RP_CHART_FLOW, a figure flow: headline figures in a row, each
 * printed large (its display, "£9.5bn", or its value formatted) with its
 * label under it, joined by arrows; the whole row scaled down to fit the box
 * and centred in it. */
#include <math.h>

#include "charts/kinds.h"
#include "charts/scale.h"

/* A filled arrow from (x0, y) to (x1, y): a shaft and a head. */
static void arrow(rp_chart_out *o, double x0, double x1, double y, double size, rp_color col) {
  double head = fmin(size * 0.55, (x1 - x0) * 0.6), half = size * 0.3, shaft = size * 0.08;
  cairo_move_to(o->cr, x0, y - shaft);
  cairo_line_to(o->cr, x1 - head, y - shaft);
  cairo_line_to(o->cr, x1 - head, y - half);
  cairo_line_to(o->cr, x1, y);
  cairo_line_to(o->cr, x1 - head, y + half);
  cairo_line_to(o->cr, x1 - head, y + shaft);
  cairo_line_to(o->cr, x0, y + shaft);
  cairo_close_path(o->cr);
  rp_chart_emit_path(o, col, (rp_color){0}, 0);
}

rp_status rp_chart_draw_flow(rp_chart_out *o, const rp_chart *c) {
  size_t n = c->n_categories;
  if (n == 0 || !c->categories)
    return rp_chart_input_error(o, c,
                                "a figure flow needs at least one figure: check that its data "
                                "selects some, or leave the chart out");
  const char **figs = rp_arena_alloc(o->a, n * sizeof *figs);
  if (!figs) return rp_diag_oom(o->d);
  char buf[480];
  for (size_t i = 0; i < n; i++) {
    double v = c->n_series && c->series[0].values ? c->series[0].values[i] : NAN;
    if (c->displays && c->displays[i] && *c->displays[i])
      figs[i] = c->displays[i];
    else if (isfinite(v))
      figs[i] = rp_arena_strdup(o->a, rp_chart_format(v, -1, c->unit, c->number, buf, sizeof buf));
    else
      return rp_chart_input_error(o, c,
                                  "the figure \"%s\" has no value to print: give it a number "
                                  "or a display",
                                  c->categories[i] ? c->categories[i] : "");
    if (!figs[i]) return rp_diag_oom(o->d);
  }
  rp_chart_check_contrast(o, c, true);
  rp_chart_area r = rp_chart_title(o, c);
  rp_chart_text ft = c->value, lt = c->label;
  /* natural sizes, then one scale for the whole row */
  double gap = ft.size * 1.6, natural = gap * (double)(n - 1);
  for (size_t i = 0; i < n; i++)
    natural +=
        fmax(rp_chart_text_width(o, &ft, figs[i]), rp_chart_text_width(o, &lt, c->categories[i]));
  double tall = ft.size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + lt.size * 1.5;
  double k = fmin(1, fmin(r.w / natural, r.h / tall));
  if (k < 0.2) k = 0.2; /* labels beyond that are fitted one by one below */
  ft.size *= k, lt.size *= k, gap *= k;
  double total = gap * (double)(n - 1), cw[64];
  double *w = n <= 64 ? cw : rp_arena_alloc(o->a, n * sizeof *w);
  if (!w) return rp_diag_oom(o->d);
  for (size_t i = 0; i < n; i++) {
    w[i] =
        fmax(rp_chart_text_width(o, &ft, figs[i]), rp_chart_text_width(o, &lt, c->categories[i]));
    total += w[i];
  }
  double each = total > r.w ? (r.w - gap * (double)(n - 1)) / (double)n : 0;
  double x = r.x + fmax(0, (r.w - total) / 2);
  double base = r.y + (r.h - ft.size * (RP_CHART_ASCENT + RP_CHART_DESCENT) - lt.size * 1.5) / 2 +
                ft.size * RP_CHART_ASCENT;
  rp_color arrow_col = c->axis.a > 0 ? c->axis : (rp_color){0.45f, 0.45f, 0.48f, 1};
  for (size_t i = 0; i < n; i++) {
    double cw_i = each > 0 ? each : w[i], mid = x + cw_i / 2;
    rp_chart_emit_fit(o, &ft, figs[i], mid, base, RP_CHART_CENTRE, cw_i);
    rp_chart_emit_fit(o, &lt, c->categories[i] ? c->categories[i] : "", mid,
                      base + ft.size * RP_CHART_DESCENT + lt.size * 1.2, RP_CHART_CENTRE, cw_i);
    x += cw_i;
    if (i + 1 < n) {
      arrow(o, x + gap * 0.2, x + gap * 0.8, base - ft.size * 0.35, ft.size, arrow_col);
      x += gap;
    }
  }
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
