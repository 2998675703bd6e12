/* scale — see scale.h. */
#include "charts/scale.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/numfmt.h"
#include "bound/chart.h"

#define MINUS "\xE2\x88\x92" /* U+2212 */

static int tick_decimals(const rp_chart_scale *s) {
  double t[32];
  int n = s->n_ticks < 32 ? s->n_ticks : 32;
  for (int i = 0; i < n; i++) t[i] = s->lo + s->step * i;
  return rp_chart_decimals(t, (size_t)n);
}

bool rp_chart_scale_nice(double min, double max, int target, rp_chart_scale *s) {
  *s = (rp_chart_scale){0, 1, 0.2, 6, 1};
  if (!isfinite(min) || !isfinite(max)) return false;
  if (min > max) {
    double t = min;
    min = max, max = t;
  }
  if (min > 0) min = 0; /* bars start at zero */
  if (max < 0) max = 0;
  if (target < 1) target = 1;
  double span = max - min;
  if (!isfinite(span)) return false;
  if (span == 0) span = 1, max = 1; /* all zero */
  double raw = span / target;
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag, nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  double step = nice * mag;
  if (!(step > 0) || !isfinite(step)) return false;
  double lo = floor(min / step) * step, hi = ceil(max / step) * step;
  /* floating-point noise: 0.30000000000000004 / 0.1 */
  if (hi - max > step * (1 - 1e-9)) hi -= step;
  if (min - lo > step * (1 - 1e-9)) lo += step;
  if (!isfinite(lo) || !isfinite(hi) || hi > DBL_MAX || lo < -DBL_MAX) return false;
  if (hi <= lo) hi = lo + step;
  s->lo = lo, s->hi = hi, s->step = step;
  s->n_ticks = (int)lround((hi - lo) / step) + 1;
  s->decimals = tick_decimals(s);
  return true;
}

bool rp_chart_scale_whole(double min, double max, int target, rp_chart_scale *s) {
  if (!rp_chart_scale_nice(min, max, target, s)) return false;
  if (s->step >= 1) return true;
  s->lo = floor(s->lo), s->hi = ceil(s->hi), s->step = 1, s->decimals = 0;
  if (s->hi <= s->lo) s->hi = s->lo + 1;
  s->n_ticks = (int)lround(s->hi - s->lo) + 1;
  return true;
}

bool rp_chart_all_whole(const rp_chart *c) {
  for (size_t s = 0; s < c->n_series; s++)
    for (size_t i = 0; i < c->n_categories; i++) {
      double v = c->series[s].values[i];
      if (!isnan(v) && (fabs(v) > 1e15 || v != floor(v))) return false;
    }
  return true;
}

int rp_chart_value_decimals(const rp_chart *c) {
  int most = 0;
  for (size_t s = 0; s < c->n_series; s++)
    if (c->series[s].values) {
      int d = rp_chart_decimals(c->series[s].values, c->n_categories);
      if (d > most) most = d;
    }
  return most;
}

double rp_chart_scale_tick(const rp_chart_scale *s, int i) {
  double v = s->lo + s->step * i;
  if (fabs(v) < s->step * 1e-9) v = 0; /* no "−0" */
  return v;
}

/* Digits of a (≥ 0) with `dec` decimals, thousands grouped, trailing zeros
 * of an automatic choice trimmed. */
static void digits(double a, int dec, bool trim, char *out, size_t cap) {
  char raw[400];
  snprintf(raw, sizeof raw, "%.*f", dec, a);
  char *dot = strchr(raw, '.');
  if (dot && trim) {
    char *e = raw + strlen(raw);
    while (e > dot + 1 && e[-1] == '0') *--e = '\0';
    if (e == dot + 1) *dot = '\0';
  }
  dot = strchr(raw, '.');
  size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw), k = 0;
  for (size_t i = 0; i < ilen && k + 2 < cap; i++) {
    out[k++] = raw[i];
    size_t left = ilen - i - 1;
    if (left > 0 && left % 3 == 0 && ilen > 3) out[k++] = ',';
  }
  out[k] = '\0';
  if (dot) snprintf(out + k, cap - k, "%s", dot);
}

static bool is_currency(const char *u) {
  return !strncmp(u, "\xC2\xA3", 2) || !strncmp(u, "$", 1) || !strncmp(u, "\xE2\x82\xAC", 3);
}

/* The unit a number is written in: 1, or a million, billion, trillion. */
static double regime(double a, const char **suffix) {
  *suffix = "";
  if (a >= 999.95e9) return *suffix = "tn", 1e12;
  if (a >= 999.95e6) return *suffix = "bn", 1e9;
  if (a >= 1e6 - 0.5) return *suffix = "m", 1e6;
  return 1;
}

int rp_chart_decimals(const double *v, size_t n) {
  int most = 0;
  for (size_t i = 0; i < n; i++) {
    double a = fabs(v[i]);
    if (!isfinite(a) || a == 0 || a >= 1e15) continue;
    const char *sfx;
    double x = a / regime(a, &sfx);
    int cap = *sfx ? 1 : x >= 1000 ? 0 : x >= 1 ? 2 : 3;
    int d = 0;
    while (d < cap && fabs(x * pow(10, d) - round(x * pow(10, d))) > 1e-6 * pow(10, d)) d++;
    if (d > most) most = d;
  }
  return most;
}

char *rp_chart_format(double v, int decimals, const char *unit, const char *picture, char *out,
                      size_t cap) {
  char num[440];
  double a = fabs(v);
  const char *suffix = "";
  if (isnan(v)) {
    snprintf(out, cap, "%s", "\xE2\x80\x93"); /* en dash: no value */
    return out;
  }
  if (isinf(v)) {
    snprintf(out, cap, "%s\xE2\x88\x9E", v < 0 ? MINUS : "");
    return out;
  }
  if (picture && *picture && rp_format_number(a, picture, num, sizeof num)) {
    /* the picture decides */
  } else if (a >= 1e15) {
    int e = (int)floor(log10(a));
    snprintf(num, sizeof num,
             "%.1f\xC3\x97"
             "10^%d",
             a / pow(10, e), e);
    char *z = strstr(num, ".0\xC3\x97");
    if (z) memmove(z, z + 2, strlen(z + 2) + 1);
  } else if (a == 0) {
    snprintf(num, sizeof num, "0");
  } else {
    double unit_of = regime(a, &suffix);
    int dec = decimals;
    if (*suffix && dec < 0) dec = 1;
    if (dec < 0) dec = a < 1 ? (int)-floor(log10(a)) + 1 : a < 100 ? 1 : 0;
    if (dec > 12) dec = 12;
    digits(a / unit_of, dec, decimals < 0, num, sizeof num);
  }
  bool neg = v < 0 && strspn(num, "0.,") != strlen(num);
  const char *u = unit && *unit ? unit : NULL;
  bool pre = u && is_currency(u), closed = u && !strcmp(u, "%");
  snprintf(out, cap, "%s%s%s%s%s%s", neg ? MINUS : "", pre ? u : "", num, suffix,
           u && !pre && !closed ? " " : "", u && !pre ? u : "");
  return out;
}
