/* timeline — RP_CHART_TIMELINE: dated items on a month axis running from
 * the first event's month to the last one's; a one-day event is a marker on
 * the axis, a range a bar along it. Labels stand above the axis on leader
 * lines, in staggered rows: each goes into the lowest row where it overlaps
 * no other label (set at its marker, or ending at it near the right edge). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "charts/kinds.h"

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int days_in(int y, int m) {
  static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : d[m - 1];
}

static bool valid(const int *d) {
  return d[0] >= 1 && d[0] <= 9999 && d[1] >= 1 && d[1] <= 12 && d[2] >= 1 &&
         d[2] <= days_in(d[0], d[1]);
}

static long month_no(const int *d) { return (long)d[0] * 12 + d[1] - 1; }

/* Months (fractional) from month m0 to the start of day d. */
static double months_from(long m0, const int *d) {
  return (double)(month_no(d) - m0) + (d[2] - 1) / (double)days_in(d[0], d[1]);
}

static int cmp_date(const int *a, const int *b) {
  for (int i = 0; i < 3; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/* An event's place in date order: its start and its index (ties keep the
 * content's order; no global state for qsort). */
typedef struct dated {
  const int *start;
  size_t i;
} dated;

static int by_start(const void *x, const void *y) {
  const dated *a = x, *b = y;
  int c = cmp_date(a->start, b->start);
  return c ? c : (a->i < b->i ? -1 : a->i > b->i);
}

rp_status rp_chart_draw_timeline(rp_chart_out *o, const rp_chart *c) {
  size_t n = c->n_events;
  if (n == 0 || !c->events)
    return rp_chart_input_error(o, c,
                                "a timeline needs at least one dated event: check that its "
                                "data selects some, or leave the chart out");
  long first = 0, last = 0;
  for (size_t i = 0; i < n; i++) {
    const rp_chart_event *e = &c->events[i];
    bool range = e->end[0] != 0;
    if (!valid(e->start) || (range && !valid(e->end)))
      return rp_chart_input_error(o, c,
                                  "the event \"%s\" has no valid date: give it a date as "
                                  "YYYY-MM-DD",
                                  e->label ? e->label : "");
    if (range && cmp_date(e->end, e->start) < 0)
      return rp_chart_input_error(o, c, "the event \"%s\" ends before it starts: check its dates",
                                  e->label ? e->label : "");
    long a = month_no(e->start), b = month_no(range ? e->end : e->start);
    if (i == 0 || a < first) first = a;
    if (i == 0 || b > last) last = b;
  }
  if (last - first > 12 * 50)
    return rp_chart_input_error(o, c, "its events span more than 50 years: check their dates");
  dated *sorted = rp_arena_alloc(o->a, n * sizeof *sorted);
  size_t *order = rp_arena_alloc(o->a, n * sizeof *order);
  if (!sorted || !order) return rp_diag_oom(o->d);
  for (size_t i = 0; i < n; i++) sorted[i] = (dated){c->events[i].start, i};
  qsort(sorted, n, sizeof *sorted, by_start);
  for (size_t i = 0; i < n; i++) order[i] = sorted[i].i;

  rp_chart_check_contrast(o, c, false);
  rp_chart_area r = rp_chart_title(o, c);
  const rp_chart_text *lt = &c->label;
  double months = (double)(last - first + 1);
  double pad = lt->size * 0.6, x0 = r.x + pad, x1 = r.x + r.w - pad, mw = (x1 - x0) / months;
  /* the axis near the bottom: month names, and the year under January and the first month */
  double lab = lt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT);
  double axis_y = r.y + r.h - lab * 2 - pad;
  rp_color axis = c->axis.a > 0 ? c->axis : (rp_color){0.35f, 0.35f, 0.38f, 1};
  rp_color ev_col = rp_chart_palette(c, 0), range_col = rp_chart_palette(c, 1);
  cairo_move_to(o->cr, x0, axis_y), cairo_line_to(o->cr, x1, axis_y);
  rp_chart_emit_path(o, (rp_color){0}, axis, 0.75);
  /* month names every 1, 2, 3 or 6 months as room allows; beyond that only
   * the years, every 1, 2, 5… years */
  static const int steps[] = {1, 2, 3, 6, 12, 24, 60, 120, 240, 600};
  double need = rp_chart_text_width(o, lt, "May") + 3,
         need_y = rp_chart_text_width(o, lt, "2000") + 4;
  int every = 600;
  for (size_t q = 0; q < sizeof steps / sizeof steps[0]; q++)
    if (mw * steps[q] >= (steps[q] < 12 ? need : need_y)) {
      every = steps[q];
      break;
    }
  char year[24];
  for (long m = first; m <= last + 1; m++) {
    double x = x0 + mw * (double)(m - first);
    bool jan = m % 12 == 0;
    if (every < 12 || jan || m == first || m == last + 1) {
      cairo_move_to(o->cr, x, axis_y), cairo_line_to(o->cr, x, axis_y + (jan ? 5 : 3));
      rp_chart_emit_path(o, (rp_color){0}, axis, 0.5);
    }
    if (m > last) continue;
    if (every >= 12) { /* years only, at their Januarys */
      if (jan && (m / 12) % (every / 12) == 0 && x + need_y <= x1 + pad) {
        snprintf(year, sizeof year, "%ld", m / 12);
        rp_chart_emit_text(o, lt, year, x + 1, axis_y + 3 + lt->size * RP_CHART_ASCENT,
                           RP_CHART_LEFT);
      }
      continue;
    }
    if ((m - first) % every) continue;
    rp_chart_emit_fit(o, lt, month_abbr[m % 12], x + mw * every / 2,
                      axis_y + 3 + lt->size * RP_CHART_ASCENT, RP_CHART_CENTRE, mw * every);
    if (m == first || jan) {
      snprintf(year, sizeof year, "%ld", m / 12);
      rp_chart_emit_text(o, lt, year, x + (m == first ? 0 : 1),
                         axis_y + 3 + lab + lt->size * RP_CHART_ASCENT, RP_CHART_LEFT);
    }
  }
  /* labels in rows above the axis, placed right to left: a label takes the
   * lowest row where it ends before that row's leftmost label or leader, and
   * its leader then blocks the rows below it at its marker */
  double row_h = lt->size * 1.35, bar_h = fmax(4, lt->size * 0.6), gapx = lt->size * 0.6;
  size_t max_rows = (size_t)fmax(1, floor((axis_y - 8 - r.y - lt->size) / row_h) + 1);
  if (max_rows > 64) max_rows = 64;
  double row_start[64];
  for (size_t k = 0; k < max_rows; k++) row_start[k] = INFINITY;
  size_t *row = rp_arena_alloc(o->a, n * sizeof *row);
  double *lx = rp_arena_alloc(o->a, n * sizeof *lx), *xs = rp_arena_alloc(o->a, n * sizeof *xs);
  if (!row || !lx || !xs) return rp_diag_oom(o->d);
  double *room = rp_arena_alloc(o->a, n * sizeof *room);
  if (!room) return rp_diag_oom(o->d);
  size_t used = 1, left_out = 0;
  for (size_t j = n; j-- > 0;) {
    const rp_chart_event *e = &c->events[order[j]];
    xs[j] = x0 + mw * months_from(first, e->start);
    double w = rp_chart_text_width(o, lt, e->label ? e->label : "");
    lx[j] = xs[j] + w > x1 + pad ? fmax(r.x, xs[j] - w) : xs[j];
    size_t k = 0;
    while (k < max_rows && lx[j] + w + gapx > row_start[k]) k++;
    room[j] = INFINITY;
    if (k == max_rows) { /* no free row: the top one, shortened, or no label */
      k = max_rows - 1;
      room[j] = row_start[k] - gapx - lx[j];
      if (room[j] < fmax(lt->size * 2, w * 0.6)) { /* "Eve…" tells nothing */
        room[j] = 0;
        left_out++;
        row[j] = 0;
        continue; /* a marker without a label, and no leader */
      }
    }
    row[j] = k;
    row_start[k] = fmin(row_start[k], lx[j]);
    for (size_t q = 0; q < k; q++) row_start[q] = fmin(row_start[q], xs[j] - 1);
    if (k + 1 > used) used = k + 1;
  }
  /* the whole timeline sits at the top of its area, the axis under its rows */
  double shift = (axis_y - 8 - row_h * (double)(used - 1)) - (r.y + lt->size * RP_CHART_ASCENT);
  if (shift > 0) {
    for (size_t i = 0; i < o->page->items.len; i++) {
      rp_item *it = &RP_VEC_AT(o->page->items, rp_item, i);
      if (it->y < axis_y - 1) continue; /* the title */
      if (it->parent_id != o->box->struct_id) continue;
      it->y -= shift;
      if (it->kind == RP_ITEM_PATH) {
        rp_path_op *ops = (rp_path_op *)it->u.path.ops;
        for (size_t q = 0; q < it->u.path.n_ops; q++)
          for (int z = 0; z < 3; z++) ops[q].y[z] -= shift;
      }
    }
    axis_y -= shift;
  }
  for (size_t j = 0; j < n; j++) {
    const rp_chart_event *e = &c->events[order[j]];
    bool range = e->end[0] != 0;
    double xe = range ? x0 + mw * (months_from(first, e->end) + 1.0 / days_in(e->end[0], e->end[1]))
                      : xs[j];
    double base = axis_y - 8 - row_h * (double)row[j];
    if (room[j] > 0) {
      cairo_move_to(o->cr, xs[j], axis_y - bar_h / 2);
      cairo_line_to(o->cr, xs[j], base + lt->size * RP_CHART_DESCENT);
      rp_chart_emit_path(o, (rp_color){0}, c->grid.a > 0 ? c->grid : axis, 0.5);
      rp_chart_emit_fit(o, lt, e->label ? e->label : "", lx[j], base, RP_CHART_LEFT,
                        fmin(x1 + pad - lx[j], room[j]));
    }
    if (range) {
      cairo_rectangle(o->cr, xs[j], axis_y - bar_h / 2, fmax(xe - xs[j], 2), bar_h);
      rp_chart_emit_path(o, range_col, (rp_color){0}, 0);
    } else {
      cairo_arc(o->cr, xs[j], axis_y, bar_h * 0.6, 0, 2 * M_PI);
      rp_chart_emit_path(o, ev_col, c->background.a > 0 ? c->background : (rp_color){1, 1, 1, 1},
                         0.75);
    }
  }
  if (left_out)
    rp_diag_warn(o->d, o->box->src.layout_file, o->box->src.layout_line, 0,
                 "timeline: %zu of %zu events are too crowded to label and show only their "
                 "markers: give the chart more height or width, or chart fewer events",
                 left_out, n);
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
