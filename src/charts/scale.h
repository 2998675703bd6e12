/* scale — internal to charts/: axis ticks at nice steps and numbers written
 * as people write them. Pure functions, no Cairo, tested on their own. */
#ifndef RP_CHARTS_SCALE_H
#define RP_CHARTS_SCALE_H

#include <stdbool.h>
#include <stddef.h>

/* An axis from lo to hi in steps of `step` (1, 2 or 5 × 10ⁿ); lo and hi are
 * multiples of step, and n_ticks = (hi − lo) / step + 1. */
typedef struct rp_chart_scale {
  double lo, hi, step;
  int n_ticks;
  int decimals; /* digits after the point that tell the ticks apart, as written */
} rp_chart_scale;

/* A scale covering [min, max] and zero (bars start at zero), with about
 * `target` steps (at most 2 × target). A single value or all zeros still give
 * a scale (0..1 when everything is zero). False when min or max is not
 * finite or the scale would overflow a double (values near 1.8e308). */
bool rp_chart_scale_nice(double min, double max, int target, rp_chart_scale *s);

/* The same for counts: a step of at least 1 (no "0.5 events"). */
bool rp_chart_scale_whole(double min, double max, int target, rp_chart_scale *s);

/* True when every value of the chart's series is whole (or NaN). */
struct rp_chart;
bool rp_chart_all_whole(const struct rp_chart *c);
/* rp_chart_decimals over all the chart's values: its value labels' digits. */
int rp_chart_value_decimals(const struct rp_chart *c);

/* The value of tick i. */
double rp_chart_scale_tick(const rp_chart_scale *s, int i);

/* The digits after the point that every value of v[0..n) needs, written
 * as rp_chart_format writes it (in millions for 7.4m): at most 1 in
 * millions and above, 0 from 1,000, 2 from 1, 3 below. One count for all of
 * a chart's labels keeps them alike (£9.0m beside £9.5m). */
int rp_chart_decimals(const double *v, size_t n);

/* Writes v as people write numbers, locale-independently: 7.4m, 9.5bn,
 * 33,000, 0.31, −3.2 (U+2212 minus); zero is "0". `decimals` ≥ 0 fixes the
 * digits after the point of the number as written (in millions for 7.4m);
 * −1 chooses them from the size and drops trailing zeros.
 * `picture` (a format-number picture, "#,##0.0") replaces the automatic
 * style; `unit` is set before the number when it is a currency sign (£ $ €),
 * closed up when "%", else after a space. Returns out. */
char *rp_chart_format(double v, int decimals, const char *unit, const char *picture, char *out,
                      size_t cap);

#endif
