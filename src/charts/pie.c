/* pie — RP_CHART_PIE and RP_CHART_DONUT: the first series as segments
 * clockwise from twelve o'clock, each large segment labelled inside with its
 * share (in a text colour readable on its fill), and a legend beside the
 * pie naming every segment with its value — so small segments, too thin for
 * a label, are still read. A donut holds its centre figure and label in the
 * hole. Negative values cannot be shares of a whole: an input error. */
#include <math.h>
#include <stdio.h>

#include "charts/kinds.h"
#include "charts/scale.h"

/* True when the rectangle (x, y, w, h) lies inside the segment from angle a
 * sweeping `sweep` between radii r0 and r1 around (cx, cy): all its corners
 * and edge midpoints are. */
static bool fits(double x, double y, double w, double h, double cx, double cy, double r0, double r1,
                 double a, double sweep) {
  for (int i = 0; i < 9; i++) {
    double px = x + w * (i % 3) / 2, py = y + h * (i / 3) / 2.0;
    double dx = px - cx, dy = py - cy, d = sqrt(dx * dx + dy * dy);
    if (d > r1 || d < r0) return false;
    if (sweep >= 2 * M_PI - 1e-9) continue;
    double t = fmod(atan2(dy, dx) - a, 2 * M_PI);
    if (t < 0) t += 2 * M_PI;
    if (t > sweep) return false;
  }
  return true;
}

rp_status rp_chart_draw_pie(rp_chart_out *o, const rp_chart *c) {
  rp_status st = rp_chart_check_values(o, c);
  if (st != RP_OK) return st;
  rp_chart_check_contrast(o, c, true);
  size_t n = c->n_categories;
  const double *v = c->series[0].values;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(v[i])) continue;
    if (v[i] < 0)
      return rp_chart_input_error(o, c,
                                  "the value for \"%s\" is negative and a pie shows shares of "
                                  "a whole: use a bar chart for signed values",
                                  c->categories[i] ? c->categories[i] : "");
    sum += v[i];
  }
  if (!(sum > 0))
    return rp_chart_input_error(o, c,
                                "all its values are zero, so there are no shares to show: "
                                "check its data, or leave the chart out");
  if (!isfinite(sum))
    return rp_chart_input_error(o, c,
                                "its values add up beyond 1e308: chart them in a larger unit");
  int vdec = rp_chart_value_decimals(c);
  rp_chart_area r = rp_chart_title(o, c);
  const rp_chart_text *lt = &c->label, *vt = &c->value;
  char num[480];

  /* the legend's entries: name, and the value right-aligned in a column */
  const char **vals = rp_arena_alloc(o->a, n * sizeof *vals);
  rp_color *cols = rp_arena_alloc(o->a, n * sizeof *cols);
  if (!vals || !cols) return rp_diag_oom(o->d);
  double name_w = 0, val_w = 0;
  for (size_t i = 0; i < n; i++) {
    vals[i] = c->displays && c->displays[i]
                  ? c->displays[i]
                  : rp_arena_strdup(
                        o->a, rp_chart_format(v[i], vdec, c->unit, c->number, num, sizeof num));
    if (!vals[i]) return rp_diag_oom(o->d);
    cols[i] = n == 1 && c->series[0].color.a > 0 ? c->series[0].color : rp_chart_palette(c, i);
    name_w = fmax(name_w, rp_chart_text_width(o, lt, c->categories[i]));
    val_w = fmax(val_w, rp_chart_text_width(o, lt, vals[i]));
  }
  double natural = lt->size * 1.2 + name_w + lt->size + val_w, leg_w = natural;
  double gap = lt->size * 1.5;
  leg_w = fmin(leg_w + 2, r.w * 0.5);
  double d = fmin(r.h, r.w - leg_w - gap);
  if (d < 20) { /* no room beside: legend below */
    leg_w = 0;
    d = fmin(r.w, r.h * 0.6);
  }
  double R = d / 2 - 1, cx = r.x + R + 1, cy = r.y + r.h / 2;
  if (leg_w == 0) cy = r.y + R + 1;
  double hole = c->kind == RP_CHART_DONUT ? R * 0.58 : 0;

  double a = -M_PI / 2;
  for (size_t i = 0; i < n; i++) {
    if (isnan(v[i]) || v[i] == 0) continue;
    double sweep = 2 * M_PI * (v[i] / sum), b = a + sweep; /* 2π·v overflows near 1e308 */
    if (hole > 0) {
      cairo_arc(o->cr, cx, cy, R, a, b);
      cairo_arc_negative(o->cr, cx, cy, hole, b, a);
    } else {
      if (sweep < 2 * M_PI - 1e-9) cairo_move_to(o->cr, cx, cy);
      cairo_arc(o->cr, cx, cy, R, a, b);
    }
    cairo_close_path(o->cr);
    /* a thin line of the background between segments */
    rp_color sep = c->background.a > 0 ? c->background : (rp_color){1, 1, 1, 1};
    rp_chart_emit_path(o, cols[i], n > 1 ? sep : (rp_color){0}, n > 1 ? 1 : 0);
    double share = 100 * v[i] / sum;
    snprintf(num, sizeof num, share >= 9.5 ? "%.0f%%" : "%.1f%%", share);
    double mid = (a + b) / 2, rr = hole > 0 ? (R + hole) / 2 : R * 0.62;
    double tw = rp_chart_text_width(o, vt, num);
    double lx = cx + rr * cos(mid), base = cy + rr * sin(mid) + vt->size * 0.35;
    if (fits(lx - tw / 2 - 1, base - vt->size * RP_CHART_ASCENT - 1, tw + 2,
             vt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + 2, cx, cy, hole, R, a, sweep)) {
      rp_chart_text in = *vt;
      in.color = rp_chart_text_on(c, cols[i]);
      rp_chart_emit_text(o, &in, num, lx, base, RP_CHART_CENTRE);
    }
    a = b;
  }
  if (hole > 0 && c->centre && *c->centre) {
    rp_chart_text big = *vt;
    big.size = fmin(vt->size * 2.4, hole * 0.8);
    double w = rp_chart_text_width(o, &big, c->centre);
    if (w > hole * 1.6) big.size *= hole * 1.6 / w;
    bool two = c->centre_label && *c->centre_label;
    double base = cy + (two ? 0 : big.size * 0.35);
    rp_chart_emit_text(o, &big, c->centre, cx, base, RP_CHART_CENTRE);
    /* The label's line sits under the figure's descent, not just under its
     * ink: a reader's tools (pdftotext -bbox) see each word as ascent to
     * descent, and the two lines must not read as overlapping. */
    if (two)
      rp_chart_emit_fit(o, lt, c->centre_label, cx, base + big.size * 0.30 + lt->size * 0.95,
                        RP_CHART_CENTRE, hole * 1.7);
  }
  /* the legend: beside the pie, centred on it; or below */
  double lx = leg_w > 0 ? r.x + d + gap : r.x, lw = leg_w > 0 ? r.x + r.w - lx : r.w;
  double row = lt->size * 1.4, lh = row * (double)n;
  double ly = leg_w > 0 ? cy - lh / 2 : cy + R + lt->size;
  if (ly + lh > r.y + r.h) ly = r.y + r.h - lh;
  if (ly < r.y) ly = r.y;
  for (size_t i = 0; i < n && ly + row * (double)(i + 1) <= r.y + r.h + 0.01; i++) {
    double y = ly + row * (double)i;
    double sw = lt->size * 0.8;
    cairo_rectangle(o->cr, lx, y + (row - sw) / 2, sw, sw);
    rp_chart_emit_path(o, cols[i], (rp_color){0}, 0);
    double nx = lx + sw + lt->size * 0.4, base = y + row / 2 + lt->size * 0.35;
    double vx = lx + fmin(natural, lw);
    rp_chart_emit_fit(o, lt, c->categories[i] ? c->categories[i] : "", nx, base, RP_CHART_LEFT,
                      vx - rp_chart_text_width(o, lt, vals[i]) - lt->size * 0.6 - nx);
    rp_chart_emit_text(o, lt, vals[i], vx, base, RP_CHART_RIGHT);
  }
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
