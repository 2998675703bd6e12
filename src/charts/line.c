/* line — RP_CHART_LINE: one line per series over the categories, a marker
 * on each value, a gap where a value is missing (NaN); the value axis with
 * ticks at nice steps and light grid lines like bars', value labels over the
 * markers of a lone series, a legend when several. */
#include <math.h>

#include "charts/kinds.h"
#include "charts/scale.h"

rp_status rp_chart_draw_line(rp_chart_out *o, const rp_chart *c) {
  rp_status st = rp_chart_check_values(o, c);
  if (st != RP_OK) return st;
  rp_chart_check_contrast(o, c, c->n_series == 1);
  size_t nc = c->n_categories, ns = c->n_series;
  double lo = 0, hi = 0;
  for (size_t s = 0; s < ns; s++)
    for (size_t i = 0; i < nc; i++)
      if (!isnan(c->series[s].values[i]))
        lo = fmin(lo, c->series[s].values[i]), hi = fmax(hi, c->series[s].values[i]);
  rp_chart_scale sc;
  if (!(rp_chart_all_whole(c) ? rp_chart_scale_whole : rp_chart_scale_nice)(lo, hi, 5, &sc))
    return rp_chart_input_error(o, c,
                                "its values are too large to draw (beyond 1e308): check the "
                                "data, or chart them in a larger unit");
  int vdec = rp_chart_value_decimals(c);
  rp_chart_area r = rp_chart_title(o, c);
  const rp_chart_text *lt = &c->label, *vt = &c->value;
  char buf[480];

  /* legend at the bottom when several series */
  rp_chart_series_legend lg;
  rp_status lst = rp_chart_series_legend_measure(o, c, &r, &lg);
  if (lst != RP_OK) return lst;
  double legend_h = lg.h;
  double tick_w = 0;
  for (int i = 0; i < sc.n_ticks; i++) {
    rp_chart_format(rp_chart_scale_tick(&sc, i), sc.decimals, c->unit, c->number, buf, sizeof buf);
    tick_w = fmax(tick_w, rp_chart_text_width(o, lt, buf));
  }
  double pad = lt->size * 0.5, lab_h = lt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT);
  double val_h = ns == 1 ? vt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + 7 : lab_h / 2;
  double px = r.x + tick_w + pad, pw = r.x + r.w - px;
  double py = r.y + fmax(val_h, 4), ph = r.y + r.h - legend_h - lab_h - pad - py;
  if (pw < 10 || ph < 10)
    return rp_chart_input_error(o, c,
                                "its box is too small for its labels: give the chart more room "
                                "or smaller text");
#define Y(v) (py + ph * (sc.hi - (v)) / (sc.hi - sc.lo))
  for (int i = 0; i < sc.n_ticks; i++) {
    double v = rp_chart_scale_tick(&sc, i), y = Y(v);
    rp_color line = v == 0 && c->axis.a > 0 ? c->axis : c->grid;
    if (line.a > 0) {
      cairo_move_to(o->cr, px, y), cairo_line_to(o->cr, px + pw, y);
      rp_chart_emit_path(o, (rp_color){0}, line, v == 0 ? 0.75 : 0.5);
    }
    rp_chart_format(v, sc.decimals, c->unit, c->number, buf, sizeof buf);
    rp_chart_emit_text(o, lt, buf, px - pad, y + lt->size * 0.35, RP_CHART_RIGHT);
  }
  double slot = pw / (double)nc, mr = fmin(3, slot / 4);
  size_t stride = rp_chart_label_stride(o, c, slot, false);
  for (size_t i = 0; i < nc; i += stride) {
    /* under its point; every few from the point, within the plot */
    double x = px + slot * ((double)i + 0.5);
    rp_chart_emit_fit(o, lt, c->categories[i] ? c->categories[i] : "", x,
                      r.y + r.h - legend_h - lab_h + lt->size * RP_CHART_ASCENT,
                      stride == 1 ? RP_CHART_CENTRE : RP_CHART_LEFT,
                      stride == 1 ? slot - 2 : fmin(slot * (double)stride - 2, px + pw - x));
  }
  for (size_t s = 0; s < ns; s++) {
    rp_color col = rp_chart_series_color(c, s);
    const double *v = c->series[s].values;
    bool open = false;
    for (size_t i = 0; i < nc; i++) {
      if (isnan(v[i])) {
        open = false;
        continue;
      }
      double x = px + slot * ((double)i + 0.5);
      open ? cairo_line_to(o->cr, x, Y(v[i])) : cairo_move_to(o->cr, x, Y(v[i]));
      open = true;
    }
    cairo_set_line_join(o->cr, CAIRO_LINE_JOIN_ROUND);
    rp_chart_emit_path(o, (rp_color){0}, col, 2);
    for (size_t i = 0; i < nc; i++) {
      if (isnan(v[i])) continue;
      double x = px + slot * ((double)i + 0.5), y = Y(v[i]);
      cairo_new_sub_path(o->cr);
      cairo_arc(o->cr, x, y, mr, 0, 2 * M_PI);
      rp_chart_emit_path(o, col, c->background.a > 0 ? c->background : (rp_color){1, 1, 1, 1}, 1);
      if (ns == 1) {
        const char *t = c->displays && c->displays[i]
                            ? c->displays[i]
                            : rp_chart_format(v[i], vdec, c->unit, c->number, buf, sizeof buf);
        /* above a peak, below a dip: away from the line */
        double before = i > 0 && !isnan(v[i - 1]) ? v[i - 1] : v[i];
        double after = i + 1 < nc && !isnan(v[i + 1]) ? v[i + 1] : v[i];
        double below_base = y + mr + 3 + vt->size * RP_CHART_ASCENT;
        bool below =
            v[i] < (before + after) / 2 && below_base + vt->size * RP_CHART_DESCENT <= py + ph - 1;
        if (rp_chart_text_width(o, vt, t) <= slot)
          rp_chart_emit_text(o, vt, t, x,
                             below ? below_base : y - mr - 3 - vt->size * RP_CHART_DESCENT,
                             RP_CHART_CENTRE);
      }
    }
  }
#undef Y
  rp_chart_series_legend_draw(o, c, &r, &lg);
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
