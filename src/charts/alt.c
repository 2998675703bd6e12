/* alt — alternative text for a chart the layout gave none: what kind of chart
 * it is, what it shows and what stands out, in words, from its data. Kept for
 * the accessible PDF (the figure's /Alt) and read by tests. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "charts/charts.h"

typedef struct sbuf {
  char s[1024];
  size_t n;
} sbuf;

static void add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(sbuf *b, const char *fmt, ...) {
  if (b->n >= sizeof b->s - 1) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
  va_end(ap);
  if (k > 0) b->n += (size_t)k < sizeof b->s - b->n ? (size_t)k : sizeof b->s - 1 - b->n;
}

/* A category's value as printed: its display, else the number. */
static void value(sbuf *b, const rp_chart *c, size_t i, double v) {
  if (c->displays && c->displays[i])
    add(b, "%s", c->displays[i]);
  else
    add(b, "%.10g", v);
  if (c->unit && !(c->displays && c->displays[i])) add(b, " %s", c->unit);
}

static const char *const kind_words[] = {"Bar chart", "Bar chart",   "Line chart",
                                         "Pie chart", "Donut chart", "Figures",
                                         "Timeline",  "Change",      "Map"};

static void date(sbuf *b, const int d[3]) {
  static const char *const months[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
  if (d[1] >= 1 && d[1] <= 12)
    add(b, "%s %d", months[d[1] - 1], d[0]);
  else
    add(b, "%d", d[0]);
}

const char *rp_charts_alt(rp_arena *a, const rp_chart *c) {
  sbuf b = {.n = 0};
  b.s[0] = '\0';
  add(&b, "%s", kind_words[c->kind]);
  if (c->title) add(&b, ", %s", c->title);
  switch (c->kind) {
    case RP_CHART_BAR:
    case RP_CHART_HBAR:
    case RP_CHART_LINE: {
      if (c->n_categories == 0 || c->n_series == 0) break;
      add(&b, ", %s to %s", c->categories[0], c->categories[c->n_categories - 1]);
      if (c->n_series > 1) add(&b, ", %zu series", c->n_series);
      const double *v = c->series[0].values;
      size_t hi = c->n_categories;
      for (size_t i = 0; i < c->n_categories; i++)
        if (!isnan(v[i]) && (hi == c->n_categories || v[i] > v[hi])) hi = i;
      if (hi < c->n_categories) {
        add(&b, ": highest ");
        value(&b, c, hi, v[hi]);
        add(&b, " in %s", c->categories[hi]);
      }
      break;
    }
    case RP_CHART_PIE:
    case RP_CHART_DONUT:
    case RP_CHART_FLOW: {
      if (c->n_series == 0 && c->kind != RP_CHART_FLOW) break;
      add(&b, ": ");
      for (size_t i = 0; i < c->n_categories; i++) {
        double v = c->n_series ? c->series[0].values[i] : NAN;
        if (c->kind == RP_CHART_FLOW) {
          if (i) add(&b, " → ");
          value(&b, c, i, v);
          add(&b, " %s", c->categories[i]);
        } else {
          add(&b, "%s%s ", i ? ", " : "", c->categories[i]);
          value(&b, c, i, v);
        }
      }
      break;
    }
    case RP_CHART_TIMELINE:
      if (c->n_events == 0) break;
      add(&b, ", %zu events from ", c->n_events);
      date(&b, c->events[0].start);
      add(&b, " to ");
      const rp_chart_event *last = &c->events[c->n_events - 1];
      date(&b, last->end[0] ? last->end : last->start);
      break;
    case RP_CHART_DELTA:
      add(&b, ": ");
      if (c->delta_display)
        add(&b, "%s", c->delta_display);
      else
        add(&b, "%+.10g", c->delta);
      if (c->delta_compared) add(&b, " %s", c->delta_compared); /* its own words: "on 2023–24" */
      break;
    case RP_CHART_MAP: {
      add(&b, " of %zu places", c->n_points);
      bool first = true;
      for (size_t k = 0; k < c->n_keys; k++) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_points; i++)
          n += c->points[i].kind && strcmp(c->points[i].kind, c->keys[k].id) == 0;
        if (!n) continue;
        add(&b, "%s %zu %s", first ? ":" : ",", n, c->keys[k].label);
        first = false;
      }
      break;
    }
  }
  return rp_arena_strdup(a, b.s);
}
