/* flow — RP_CHART_FLOW, a figure flow: headline figures in a row, each
 * printed large (its display, "£9.5bn", or its value formatted) with its
 * label under it on up to three lines, joined by arrows; the whole row scaled
 * down to fit the box and centred in it. */
#include <math.h>
#include <string.h>

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

#define MAX_LINES 3 /* a label's lines under its figure */

/* A label broken into at most `lines` lines at spaces, the widest line as
 * narrow as it can be. */
typedef struct wrapped {
  size_t n;                     /* lines */
  const char *start[MAX_LINES]; /* into the label */
  size_t len[MAX_LINES];
  double width; /* the widest line */
} wrapped;

#define MAX_WORDS 48 /* a longer label is set on one line, fitted */

static double span_width(const rp_chart_out *o, const rp_chart_text *t, const char *s, size_t len,
                         char *buf, size_t cap) {
  if (len >= cap) return INFINITY;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return rp_chart_text_width(o, t, buf);
}

/* The label split at the spaces cuts[0..k) into k + 1 lines, measured. */
static wrapped split_at(const rp_chart_out *o, const rp_chart_text *t, const char *s,
                        const size_t *cuts, size_t k) {
  char buf[480];
  wrapped w = {0};
  const char *from = s, *end = s + strlen(s);
  for (size_t j = 0; j <= k; j++) {
    const char *to = j < k ? s + cuts[j] : end;
    w.start[w.n] = from, w.len[w.n] = (size_t)(to - from), w.n++;
    w.width = fmax(w.width, span_width(o, t, from, (size_t)(to - from), buf, sizeof buf));
    from = to + 1;
  }
  return w;
}

/* Greedy filling to `width` from words of widths wd (a space sp between):
 * the number of lines, and the spaces (word indexes) lines end before. */
static size_t fill(const double *wd, size_t n, double sp, double width, size_t *ends) {
  size_t lines = 1, k = 0;
  double x = wd[0];
  for (size_t i = 1; i < n; i++) {
    if (x + sp + wd[i] > width + 1e-6) {
      if (k < MAX_LINES - 1) ends[k++] = i;
      lines++, x = wd[i];
    } else {
      x += sp + wd[i];
    }
  }
  return lines;
}

/* The narrowest width at which greedy filling takes at most `lines` lines
 * is the narrowest any split achieves (greedy uses fewest lines for a
 * width): found by bisection over widths, each word measured once. */
static wrapped wrap_label(const rp_chart_out *o, const rp_chart_text *t, const char *s,
                          size_t lines) {
  wrapped one = split_at(o, t, s, NULL, 0);
  size_t at[MAX_WORDS], n = 0; /* word starts */
  for (size_t i = 0; s[i]; i++)
    if (i == 0 || (s[i - 1] == ' ' && s[i] != ' ')) {
      if (n == MAX_WORDS) return one;
      at[n++] = i;
    }
  if (lines < 2 || n < 2) return one;
  char buf[480];
  double wd[MAX_WORDS], lo = 0, hi = 0, sp = span_width(o, t, " ", 1, buf, sizeof buf);
  for (size_t i = 0; i < n; i++) {
    size_t len = 0;
    while (s[at[i] + len] && s[at[i] + len] != ' ') len++;
    wd[i] = span_width(o, t, s + at[i], len, buf, sizeof buf);
    lo = fmax(lo, wd[i]);
    hi += wd[i] + (i ? sp : 0);
  }
  size_t ends[MAX_LINES];
  if (fill(wd, n, sp, lo, ends) > lines)
    for (int k = 0; k < 40 && hi - lo > 0.05; k++) {
      double mid = (lo + hi) / 2;
      *(fill(wd, n, sp, mid, ends) <= lines ? &hi : &lo) = mid;
    }
  else
    hi = lo;
  size_t used = fill(wd, n, sp, hi, ends), cuts[MAX_LINES];
  if (used > lines) return one;
  for (size_t k = 0; k + 1 < used; k++) cuts[k] = at[ends[k]] - 1; /* the space before */
  wrapped w = split_at(o, t, s, cuts, used - 1);
  return w.width < one.width - 0.01 ? w : one;
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
  wrapped *lab = rp_arena_alloc(o->a, n * sizeof *lab);
  double *fw = rp_arena_alloc(o->a, n * sizeof *fw);
  if (!lab || !fw) return rp_diag_oom(o->d);
  for (size_t i = 0; i < n; i++) fw[i] = rp_chart_text_width(o, &ft, figs[i]);
  /* natural sizes with labels on 1, 2 or 3 lines; the row takes the
   * number of lines that lets it be set largest, then one scale for all */
  double k = 0, gap = ft.size * 1.6;
  size_t lines = 1;
  for (size_t l = 1; l <= MAX_LINES; l++) {
    double natural = gap * (double)(n - 1);
    size_t used = 1;
    for (size_t i = 0; i < n; i++) {
      wrapped w = wrap_label(o, &lt, c->categories[i] ? c->categories[i] : "", l);
      natural += fmax(fw[i], w.width);
      if (w.n > used) used = w.n;
    }
    double tall = ft.size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + lt.size * (0.3 + 1.2 * used);
    double kl = fmin(1, fmin(r.w / natural, r.h / tall));
    if (kl > k + 0.01) k = kl, lines = l;
  }
  if (k < 0.2) k = 0.2; /* labels beyond that are fitted one by one below */
  ft.size *= k, lt.size *= k, gap *= k;
  double total = gap * (double)(n - 1), cw[64];
  double *w = n <= 64 ? cw : rp_arena_alloc(o->a, n * sizeof *w);
  if (!w) return rp_diag_oom(o->d);
  size_t used = 1;
  for (size_t i = 0; i < n; i++) {
    const char *label = c->categories[i] ? c->categories[i] : "";
    lab[i] = wrap_label(o, &lt, label, lines);
    w[i] = fmax(fw[i] * k, lab[i].width);
    /* as few lines as the column's width allows: a wide figure leaves room */
    for (size_t l = 1; l < lab[i].n; l++) {
      wrapped fewer = wrap_label(o, &lt, label, l);
      if (fewer.width <= w[i] + 0.01) {
        lab[i] = fewer;
        break;
      }
    }
    if (lab[i].n > used) used = lab[i].n;
    total += w[i];
  }
  double each = total > r.w ? (r.w - gap * (double)(n - 1)) / (double)n : 0;
  double x = r.x + fmax(0, (r.w - total) / 2);
  double block = ft.size * (RP_CHART_ASCENT + RP_CHART_DESCENT) + lt.size * (0.3 + 1.2 * used);
  double base = r.y + (r.h - block) / 2 + ft.size * RP_CHART_ASCENT;
  rp_color arrow_col = c->axis.a > 0 ? c->axis : (rp_color){0.45f, 0.45f, 0.48f, 1};
  char line[480];
  for (size_t i = 0; i < n; i++) {
    double cw_i = each > 0 ? each : w[i], mid = x + cw_i / 2;
    rp_chart_emit_fit(o, &ft, figs[i], mid, base, RP_CHART_CENTRE, cw_i);
    for (size_t j = 0; j < lab[i].n; j++) {
      size_t len = lab[i].len[j] < sizeof line ? lab[i].len[j] : sizeof line - 1;
      memcpy(line, lab[i].start[j], len);
      line[len] = '\0';
      rp_chart_emit_fit(o, &lt, line, mid,
                        base + ft.size * RP_CHART_DESCENT + lt.size * 1.2 * (double)(j + 1),
                        RP_CHART_CENTRE, cw_i);
    }
    x += cw_i;
    if (i + 1 < n) {
      arrow(o, x + gap * 0.2, x + gap * 0.8, base - ft.size * 0.35, ft.size, arrow_col);
      x += gap;
    }
  }
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
