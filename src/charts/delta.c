/* delta — RP_CHART_DELTA: a figure's signed change as printed ("−3.2 %"),
 * after a direction mark (a triangle drawn as a path: up, down, or a bar
 * for no change) coloured good or bad by `better`, with the compared period
 * under it ("on 2017–18"). The mark's direction carries the meaning for
 * readers who cannot tell the colours apart. */
#include <math.h>
#include <stdio.h>

#include "charts/kinds.h"
#include "charts/scale.h"

rp_status rp_chart_draw_delta(rp_chart_out *o, const rp_chart *c) {
  if (isnan(c->delta) || isinf(c->delta))
    return rp_chart_input_error(o, c,
                                "its change is not a finite number: check the figure's change "
                                "in the content");
  char buf[480];
  const char *text = c->delta_display && *c->delta_display
                         ? c->delta_display
                         : rp_chart_format(c->delta, -1, c->unit, c->number, buf, sizeof buf);
  char signed_buf[500];
  if (text == buf && c->delta > 0) { /* a rise shows its sign too */
    snprintf(signed_buf, sizeof signed_buf, "+%s", buf);
    text = signed_buf;
  }
  rp_chart_check_contrast(o, c, true);
  rp_chart_area r = rp_chart_title(o, c);
  rp_chart_text vt = c->value, lt = c->label;
  int dir = c->delta > 0 ? 1 : c->delta < 0 ? -1 : 0;
  double mark = vt.size * 0.7, gap = vt.size * 0.25;
  bool compared = c->delta_compared && *c->delta_compared;
  double tall = vt.size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + (compared ? lt.size * 1.5 : 0);
  double wide = mark + gap + rp_chart_text_width(o, &vt, text);
  double k = fmin(1, fmin(r.w / wide, r.h / tall));
  vt.size *= k, lt.size *= k, mark *= k, gap *= k, wide *= k, tall *= k;
  double x = r.x, base = r.y + (r.h - tall) / 2 + vt.size * RP_CHART_ASCENT;
  /* the mark, its middle at the figures' mid-height */
  double my = base - vt.size * 0.36, h = mark * 0.87;
  if (dir > 0) {
    cairo_move_to(o->cr, x, my + h / 2);
    cairo_line_to(o->cr, x + mark / 2, my - h / 2);
    cairo_line_to(o->cr, x + mark, my + h / 2);
  } else if (dir < 0) {
    cairo_move_to(o->cr, x, my - h / 2);
    cairo_line_to(o->cr, x + mark / 2, my + h / 2);
    cairo_line_to(o->cr, x + mark, my - h / 2);
  } else {
    cairo_rectangle(o->cr, x, my - mark * 0.12, mark, mark * 0.24);
  }
  cairo_close_path(o->cr);
  static const rp_color good = {0.0f, 0.55f, 0.40f, 1}, bad = {0.80f, 0.30f, 0.0f, 1},
                        neutral = {0.45f, 0.45f, 0.48f, 1};
  int verdict = dir * c->better;
  rp_chart_emit_path(o, verdict > 0 ? good : verdict < 0 ? bad : neutral, (rp_color){0}, 0);
  rp_chart_emit_text(o, &vt, text, x + mark + gap, base, RP_CHART_LEFT);
  if (compared)
    rp_chart_emit_fit(o, &lt, c->delta_compared, x,
                      base + vt.size * RP_CHART_DESCENT + lt.size * 1.2, RP_CHART_LEFT, r.w);
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
