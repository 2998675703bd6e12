/* bar — vertical (RP_CHART_BAR) and horizontal (RP_CHART_HBAR) bar charts:
 * one bar per category and series, grouped side by side or stacked, on a
 * value axis that starts at zero with ticks at nice steps and light grid
 * lines; category labels along the other axis, value labels at the bars'
 * ends (inside the segments when stacked, with the stack's total at its
 * end), a legend when several series.
 *
 * Both orientations share one layout: "along" is the value axis (up for
 * bars, right for hbars), "across" the categories. */
#include <math.h>
#include <stdio.h>

#include "charts/draw.h"
#include "charts/kinds.h"
#include "charts/scale.h"

typedef struct bar_geom {
  bool horiz;
  double v0, v1; /* value axis: page coordinate of scale lo and hi */
  double c0, c1; /* category axis: page coordinate of the first and last edge */
  rp_chart_scale s;
} bar_geom;

static double at(const bar_geom *g, double v) {
  return g->v0 + (g->v1 - g->v0) * (v - g->s.lo) / (g->s.hi - g->s.lo);
}

/* A rectangle between values a and b across [p, q] of the category axis. */
static void bar_rect(rp_chart_out *o, const bar_geom *g, double a, double b, double p, double q) {
  double va = at(g, a), vb = at(g, b);
  if (g->horiz)
    cairo_rectangle(o->cr, fmin(va, vb), p, fabs(vb - va), q - p);
  else
    cairo_rectangle(o->cr, p, fmin(va, vb), q - p, fabs(vb - va));
}

static const char *value_text(const rp_chart *c, size_t s, size_t i, int dec, char *buf,
                              size_t cap) {
  if (c->displays && c->n_series == 1 && c->displays[i]) return c->displays[i];
  return rp_chart_format(c->series[s].values[i], dec, c->unit, c->number, buf, cap);
}

rp_status rp_chart_draw_bar(rp_chart_out *o, const rp_chart *c) {
  rp_status st = rp_chart_check_values(o, c);
  if (st != RP_OK) return st;
  rp_chart_check_contrast(o, c, true);
  bar_geom g = {.horiz = c->kind == RP_CHART_HBAR};
  size_t nc = c->n_categories, ns = c->n_series;
  bool stacked = c->stacked && ns > 1;

  /* the data's extent: stacked bars add up their positive and negative parts */
  double lo = 0, hi = 0;
  for (size_t i = 0; i < nc; i++) {
    double pos = 0, neg = 0;
    for (size_t s = 0; s < ns; s++) {
      double v = c->series[s].values[i];
      if (isnan(v)) continue;
      if (stacked)
        v >= 0 ? (pos += v) : (neg += v);
      else
        hi = fmax(hi, v), lo = fmin(lo, v);
    }
    hi = fmax(hi, pos), lo = fmin(lo, neg);
  }
  if (!(rp_chart_all_whole(c) ? rp_chart_scale_whole : rp_chart_scale_nice)(lo, hi, 5, &g.s))
    return rp_chart_input_error(o, c,
                                "its values are too large to draw (beyond 1e308): check the "
                                "data, or chart them in a larger unit");

  int vdec = rp_chart_value_decimals(c);
  rp_chart_area r = rp_chart_title(o, c);
  const rp_chart_text *lt = &c->label, *vt = &c->value;

  /* legend at the bottom when several series */
  rp_chart_series_legend lg;
  rp_status lst = rp_chart_series_legend_measure(o, c, &r, &lg);
  if (lst != RP_OK) return lst;
  double legend_h = lg.h;

  /* tick labels and their room */
  char buf[480];
  double tick_w = 0;
  for (int i = 0; i < g.s.n_ticks; i++) {
    rp_chart_format(rp_chart_scale_tick(&g.s, i), g.s.decimals, c->unit, c->number, buf,
                    sizeof buf);
    tick_w = fmax(tick_w, rp_chart_text_width(o, lt, buf));
  }
  double lab_h = lt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT);
  double val_h = vt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + 2;
  double pad = lt->size * 0.5;
  bool has_neg = g.s.lo < 0;
  bool has_pos = g.s.hi > 0;

  double px, py, pw, ph; /* the plot: bars and grid */
  double cat_w = 0;      /* hbar: the category labels' column */
  double val_w = 0;      /* hbar: room for value labels beyond the bars */
  if (!g.horiz) {
    px = r.x + tick_w + pad;
    pw = r.x + r.w - px;
    py = r.y + (has_pos ? val_h : lab_h / 2);
    ph = r.y + r.h - legend_h - lab_h - pad - (has_neg ? val_h : 0) - py;
  } else {
    for (size_t i = 0; i < nc; i++)
      cat_w = fmax(cat_w, rp_chart_text_width(o, lt, c->categories[i]));
    cat_w = fmin(cat_w, r.w * 0.35);
    for (size_t i = 0; i < nc; i++) {
      double pos = 0, neg = 0;
      for (size_t s = 0; s < ns; s++) {
        double v = c->series[s].values[i];
        if (isnan(v)) continue;
        if (!stacked)
          val_w =
              fmax(val_w, rp_chart_text_width(o, vt, value_text(c, s, i, vdec, buf, sizeof buf)));
        v >= 0 ? (pos += v) : (neg += v);
      }
      if (stacked) /* the stacks' totals */
        for (int k = 0; k < 2; k++)
          val_w = fmax(val_w, rp_chart_text_width(o, vt,
                                                  rp_chart_format(k ? neg : pos, vdec, c->unit,
                                                                  c->number, buf, sizeof buf)));
    }
    val_w = fmin(val_w + pad, r.w * 0.25);
    px = r.x + cat_w + pad + (has_neg ? val_w : 0);
    /* the last tick label is centred on the plot's end: keep half inside */
    pw = r.x + r.w - fmax(has_pos ? val_w : 0, tick_w / 2) - px;
    py = r.y;
    ph = r.y + r.h - legend_h - lab_h - pad - py;
  }
  if (pw < 10 || ph < 10)
    return rp_chart_input_error(o, c,
                                "its box is too small for its labels (%.0f × %.0f pt left for "
                                "the bars): give the chart more room or smaller text",
                                pw, ph);
  if (g.horiz)
    g.v0 = px, g.v1 = px + pw, g.c0 = py, g.c1 = py + ph;
  else
    g.v0 = py + ph, g.v1 = py, g.c0 = px, g.c1 = px + pw;

  /* grid lines and tick labels */
  for (int i = 0; i < g.s.n_ticks; i++) {
    double v = rp_chart_scale_tick(&g.s, i), p = at(&g, v);
    if (c->grid.a > 0 && v != 0) {
      if (g.horiz)
        cairo_move_to(o->cr, p, py), cairo_line_to(o->cr, p, py + ph);
      else
        cairo_move_to(o->cr, px, p), cairo_line_to(o->cr, px + pw, p);
      rp_chart_emit_path(o, (rp_color){0}, c->grid, 0.5);
    }
    rp_chart_format(v, g.s.decimals, c->unit, c->number, buf, sizeof buf);
    if (g.horiz)
      rp_chart_emit_text(o, lt, buf, p, py + ph + pad + lt->size * RP_CHART_ASCENT,
                         RP_CHART_CENTRE);
    else
      rp_chart_emit_text(o, lt, buf, px - pad, p + lt->size * 0.35, RP_CHART_RIGHT);
  }

  /* bars */
  double slot = (g.c1 - g.c0) / (double)nc;
  double group = slot * (ns > 1 && !stacked ? 0.8 : 0.66);
  double bw = stacked ? group : group / (double)ns;
  size_t stride = rp_chart_label_stride(o, c, slot, g.horiz);
  for (size_t i = 0; i < nc; i++) {
    double c_start = g.c0 + slot * (double)i + (slot - group) / 2;
    double pos = 0, neg = 0;
    int parts[2] = {0, 0}, inside[2] = {0, 0}; /* per sign: segments, labels drawn in them */
    for (size_t s = 0; s < ns; s++) {
      double v = c->series[s].values[i];
      if (isnan(v)) continue;
      rp_color fill = rp_chart_series_color(c, s);
      double p = stacked ? c_start : c_start + bw * (double)s, q = p + bw;
      double a = 0, b = v;
      if (stacked) {
        a = v >= 0 ? pos : neg;
        b = a + v;
        v >= 0 ? (pos = b) : (neg = b);
      }
      if (v == 0) continue;
      bar_rect(o, &g, a, b, p, q);
      rp_chart_emit_path(o, fill, (rp_color){0}, 0);
      const char *txt = value_text(c, s, i, vdec, buf, sizeof buf);
      double tw = rp_chart_text_width(o, vt, txt), len = fabs(at(&g, b) - at(&g, a));
      double mid = (p + q) / 2;
      if (stacked) { /* inside the segment, when it fits */
        rp_chart_text in = *vt;
        in.color = rp_chart_text_on(c, fill);
        double vm = (at(&g, a) + at(&g, b)) / 2;
        bool fits =
            g.horiz ? tw + 4 <= len && vt->size * 1.1 <= bw : vt->size * 1.2 <= len && tw + 2 <= bw;
        parts[v < 0]++;
        inside[v < 0] += fits;
        if (fits)
          rp_chart_emit_text(o, &in, txt, g.horiz ? vm : mid,
                             (g.horiz ? mid : vm) + vt->size * 0.35, RP_CHART_CENTRE);
      } else if (g.horiz) {
        if (vt->size * 0.9 <= bw)
          rp_chart_emit_fit(o, vt, txt, v >= 0 ? at(&g, b) + 3 : at(&g, b) - 3,
                            mid + vt->size * 0.35, v >= 0 ? RP_CHART_LEFT : RP_CHART_RIGHT,
                            val_w - 3);
      } else if (tw <= slot / (double)ns * 1.05) {
        double e = at(&g, b);
        rp_chart_emit_text(
            o, vt, txt, mid,
            v >= 0 ? e - 2 - vt->size * RP_CHART_DESCENT : e + 2 + vt->size * RP_CHART_ASCENT,
            RP_CHART_CENTRE);
      }
    }
    /* at each end of a stack its total: of several parts, or of one part
     * too small to hold its own label */
    for (int k = 0; stacked && k < 2; k++) {
      double t = k ? neg : pos;
      if (t == 0 || !(parts[k] > 1 || (parts[k] == 1 && inside[k] == 0))) continue;
      const char *txt = rp_chart_format(t, vdec, c->unit, c->number, buf, sizeof buf);
      double e = at(&g, t), mid = c_start + group / 2;
      if (g.horiz)
        rp_chart_emit_fit(o, vt, txt, t > 0 ? e + 3 : e - 3, mid + vt->size * 0.35,
                          t > 0 ? RP_CHART_LEFT : RP_CHART_RIGHT, val_w - 3);
      else if (rp_chart_text_width(o, vt, txt) <= slot * 1.05)
        rp_chart_emit_text(
            o, vt, txt, mid,
            t > 0 ? e - 2 - vt->size * RP_CHART_DESCENT : e + 2 + vt->size * RP_CHART_ASCENT,
            RP_CHART_CENTRE);
    }
    /* the category's label */
    const char *cat = c->categories[i] ? c->categories[i] : "";
    if (i % stride) continue;
    if (g.horiz)
      rp_chart_emit_fit(
          o, lt, cat, r.x + cat_w,
          fmin(fmax(c_start + group / 2 + lt->size * 0.35, r.y + lt->size * RP_CHART_ASCENT),
               py + ph - lt->size * RP_CHART_DESCENT),
          RP_CHART_RIGHT, cat_w);
    else if (stride == 1)
      rp_chart_emit_fit(o, lt, cat, g.c0 + slot * ((double)i + 0.5),
                        r.y + r.h - legend_h - lab_h + lt->size * RP_CHART_ASCENT, RP_CHART_CENTRE,
                        slot - 2);
    else /* every few: from its bar's left edge, within the plot */
      rp_chart_emit_fit(o, lt, cat, g.c0 + slot * (double)i,
                        r.y + r.h - legend_h - lab_h + lt->size * RP_CHART_ASCENT, RP_CHART_LEFT,
                        fmin(slot * (double)stride - 2, g.c1 - (g.c0 + slot * (double)i)));
  }

  /* the zero line over the bars' bases */
  if (c->axis.a > 0) {
    double z = at(&g, 0);
    if (g.horiz)
      cairo_move_to(o->cr, z, py), cairo_line_to(o->cr, z, py + ph);
    else
      cairo_move_to(o->cr, px, z), cairo_line_to(o->cr, px + pw, z);
    rp_chart_emit_path(o, (rp_color){0}, c->axis, 0.75);
  }
  rp_chart_series_legend_draw(o, c, &r, &lg);
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
