/* timeline — RP_CHART_TIMELINE: dated items on a month axis running from
 * the first event's month to the last one's; a one-day event is a marker on
 * the axis, a range a bar along it. Labels stand on leader lines on both
 * sides of the axis, in rows counted out from it: in an order that puts
 * the labels whose markers another label spans nearer the axis, each takes
 * the lowest row, on either side, where it meets no other label or leader
 * (above when both are free) — so long names pack into half the height
 * instead of climbing into a staircase. A label starts at its marker, or
 * ends at it near the right edge. Leaders under the axis pass round its
 * month and year names. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Where an event's label goes: a side of the axis, a row counted out from
 * it, and its left end and width; room is what is left for a label
 * shortened to fit (INFINITY: whole; 0: no label). */
enum { ABOVE = 0, BELOW = 1 };
/* pt: the least room between a leader and a label it passes */
#define LEADER_GAP 1.2
typedef struct slot {
  int side;
  size_t row;
  double x, w, room;
} slot;

/* True when label t (for the event whose marker is at x) fits among the
 * labels placed before it: it meets no label of its row, its
 * leader (at x, through the rows nearer the axis) crosses no label, and no
 * leader from further out crosses it. Labels not placed (room < 0) or left
 * out (room 0) are passed over. */
static bool free_slot(const slot *sl, const double *xs, size_t n, const slot *t, double x,
                      double gapx) {
  for (size_t i = 0; i < n; i++) {
    const slot *u = &sl[i];
    if (u->room <= 0 || u->side != t->side) continue;
    if (u->row == t->row && t->x < u->x + u->w + gapx && u->x < t->x + t->w + gapx) return false;
    if (u->row < t->row && x > u->x - LEADER_GAP && x < u->x + u->w + LEADER_GAP) return false;
    if (u->row > t->row && xs[i] > t->x - LEADER_GAP && xs[i] < t->x + t->w + LEADER_GAP)
      return false;
  }
  return true;
}

/* Room from t's left end to the next label or leader in its row, or to `end`. */
static double room_right(const slot *sl, const double *xs, size_t n, const slot *t, double end,
                         double gapx) {
  double stop = end;
  for (size_t i = 0; i < n; i++) {
    const slot *u = &sl[i];
    if (u->room <= 0 || u->side != t->side) continue;
    if (u->row == t->row && u->x >= t->x) stop = fmin(stop, u->x - gapx);
    if (u->row > t->row && xs[i] >= t->x) stop = fmin(stop, xs[i] - LEADER_GAP);
  }
  return stop - t->x;
}

/* What placing labels needs: the events' markers and label widths (in date
 * order), the order of placing, and the room. */
typedef struct lane {
  const double *xs, *ws;
  const size_t *seq;
  size_t n, max_rows;
  double left, right, gapx, size; /* pt: the box's ends, label gap, label size */
} lane;

/* Ways of choosing a label's row: the lowest on either side (above first,
 * or under first), or the lowest above before any under the axis. */
enum { WAY_ABOVE_FIRST, WAY_UNDER_FIRST, WAY_ABOVE_THEN_UNDER, N_WAYS };

/* Places every label of l one way into sl; returns how many are left out
 * and the rows each side uses in used[]. */
static size_t place_labels(const lane *l, int way, slot *sl, size_t used[2]) {
  size_t left_out = 0, n = l->n, max_rows = l->max_rows;
  for (size_t j = 0; j < n; j++) sl[j] = (slot){.room = -1}; /* not placed yet */
  for (size_t q0 = 0; q0 < n; q0++) {
    size_t j = l->seq[q0];
    double w = l->ws[j], x = l->xs[j];
    slot t = {.x = x + w > l->right ? fmax(l->left, x - w) : x, .w = w, .room = INFINITY};
    /* the rows of both sides together must fit the box */
    bool placed = false;
    size_t outer = way == WAY_ABOVE_THEN_UNDER ? 2 : max_rows, inner = 2 + max_rows - outer;
    for (size_t a = 0; a < outer && !placed; a++)
      for (size_t b = 0; b < inner && !placed; b++) {
        size_t k = way == WAY_ABOVE_THEN_UNDER ? b : a;
        int side = (int)(way == WAY_ABOVE_THEN_UNDER ? a : b);
        if (way == WAY_UNDER_FIRST) side = 1 - side;
        if (k + 1 + used[1 - side] > max_rows) continue;
        t.side = side, t.row = k;
        if (free_slot(sl, l->xs, n, &t, x, l->gapx)) placed = true;
      }
    if (!placed) { /* the outermost row of a side, shortened; or no label */
      slot best = {0};
      for (int side = 0; side < 2; side++) {
        size_t k = max_rows - used[1 - side];
        if (k == 0) continue;
        slot u = {.side = side, .row = k - 1, .x = x, .w = 0};
        if (!free_slot(sl, l->xs, n, &u, x, l->gapx)) continue;
        u.room = room_right(sl, l->xs, n, &u, l->right, l->gapx);
        if (u.room > best.room) best = u;
      }
      if (best.room < fmax(l->size * 2, w * 0.6)) { /* "Eve…" tells nothing */
        sl[j] = (slot){.room = 0};
        left_out++;
        continue; /* a marker without a label, and no leader */
      }
      best.w = fmin(w, best.room);
      t = best;
    }
    sl[j] = t;
    if (t.row + 1 > used[t.side]) used[t.side] = t.row + 1;
  }
  return left_out;
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
  double lab = lt->size * (RP_CHART_ASCENT + RP_CHART_DESCENT);
  double row_h = lt->size * 1.35, bar_h = fmax(4, lt->size * 0.6), gapx = lt->size * 0.6;
  /* Height: the rows above the axis, the axis (markers, month names and
   * years: `band`), the rows under it. */
  double above0 = 8 + lt->size * RP_CHART_ASCENT, band = 3 + 2 * lab + 7;
  size_t max_rows = (size_t)fmax(1, floor((r.h - above0 - band + row_h) / row_h));
  if (max_rows > 64) max_rows = 64;

  slot *sl = rp_arena_alloc(o->a, n * sizeof *sl);
  double *xs = rp_arena_alloc(o->a, n * sizeof *xs), *ws = rp_arena_alloc(o->a, n * sizeof *ws);
  size_t *seq = rp_arena_alloc(o->a, n * sizeof *seq);
  if (!sl || !xs || !ws || !seq) return rp_diag_oom(o->d);
  /* The order of placing: labels that start at their marker from right to
   * left, then those that end at theirs (near the right edge) from left to
   * right — each one placed after every label whose leader it would span,
   * so that those take the rows nearer the axis. */
  size_t n_seq = 0;
  for (size_t j = 0; j < n; j++) {
    const rp_chart_event *e = &c->events[order[j]];
    xs[j] = x0 + mw * months_from(first, e->start);
    ws[j] = rp_chart_text_width(o, lt, e->label ? e->label : "");
  }
  for (size_t j = n; j-- > 0;)
    if (xs[j] + ws[j] <= x1 + pad) seq[n_seq++] = j;
  for (size_t j = 0; j < n; j++)
    if (xs[j] + ws[j] > x1 + pad) seq[n_seq++] = j;
  /* the best of three ways of choosing rows: fewest labels left out, then
   * fewest rows */
  lane ln = {.xs = xs,
             .ws = ws,
             .seq = seq,
             .n = n,
             .max_rows = max_rows,
             .left = r.x,
             .right = x1 + pad,
             .gapx = gapx,
             .size = lt->size};
  slot *try = rp_arena_alloc(o->a, n * sizeof *try);
  if (!try) return rp_diag_oom(o->d);
  size_t used[2] = {0, 0}, left_out = SIZE_MAX;
  for (int way = 0; way < N_WAYS; way++) {
    size_t u[2] = {0, 0};
    size_t out = place_labels(&ln, way, try, u);
    if (out < left_out || (out == left_out && u[0] + u[1] < used[0] + used[1])) {
      left_out = out, used[0] = u[0], used[1] = u[1];
      memcpy(sl, try, n * sizeof *sl);
    }
  }

  /* the whole timeline sits at the top of its area */
  double axis_y = r.y + (used[ABOVE] ? above0 + row_h * (double)(used[ABOVE] - 1) : bar_h);
  double under = axis_y + band; /* top of the first row under the axis */
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
  /* the axis's own words, kept so that leaders under the axis pass round them */
  size_t n_words = 0, cap_words = (size_t)(last - first + 2) * 2;
  double *words = rp_arena_alloc(o->a, cap_words * 2 * sizeof *words);
  if (!words) return rp_diag_oom(o->d);
  char year[24];
  for (long m = first; m <= last + 1; m++) {
    double x = x0 + mw * (double)(m - first);
    bool jan = m % 12 == 0;
    if (every < 12 || jan || m == first || m == last + 1) {
      cairo_move_to(o->cr, x, axis_y), cairo_line_to(o->cr, x, axis_y + (jan ? 5 : 3));
      rp_chart_emit_path(o, (rp_color){0}, axis, 0.5);
    }
    if (m > last) continue;
    rp_item *it = NULL, *yr = NULL;
    if (every >= 12) { /* years only, at their Januarys */
      if (jan && (m / 12) % (every / 12) == 0 && x + need_y <= x1 + pad) {
        snprintf(year, sizeof year, "%ld", m / 12);
        it = rp_chart_emit_text(o, lt, year, x + 1, axis_y + 3 + lt->size * RP_CHART_ASCENT,
                                RP_CHART_LEFT);
      }
    } else if ((m - first) % every == 0) {
      it = rp_chart_emit_fit(o, lt, month_abbr[m % 12], x + mw * every / 2,
                             axis_y + 3 + lt->size * RP_CHART_ASCENT, RP_CHART_CENTRE, mw * every);
      if (m == first || jan) {
        snprintf(year, sizeof year, "%ld", m / 12);
        yr = rp_chart_emit_text(o, lt, year, x + (m == first ? 0 : 1),
                                axis_y + 3 + lab + lt->size * RP_CHART_ASCENT, RP_CHART_LEFT);
      }
    }
    rp_item *got[2] = {it, yr};
    for (int q = 0; q < 2; q++)
      if (got[q] && n_words < cap_words) {
        words[2 * n_words] = got[q]->x;
        words[2 * n_words++ + 1] = got[q]->x + got[q]->w;
      }
  }
  rp_color leader = c->grid.a > 0 ? c->grid : axis;
  for (size_t j = 0; j < n; j++) {
    const rp_chart_event *e = &c->events[order[j]];
    bool range = e->end[0] != 0;
    double xe = range ? x0 + mw * (months_from(first, e->end) + 1.0 / days_in(e->end[0], e->end[1]))
                      : xs[j];
    const slot *t = &sl[j];
    if (t->room > 0) {
      double base;
      if (t->side == ABOVE) {
        base = axis_y - 8 - row_h * (double)t->row;
        cairo_move_to(o->cr, xs[j], axis_y - bar_h / 2);
        cairo_line_to(o->cr, xs[j], base + lt->size * RP_CHART_DESCENT);
      } else {
        /* down from the marker, round the month and year names it would cross */
        base = under + lt->size * RP_CHART_ASCENT + row_h * (double)t->row;
        bool crosses = false;
        for (size_t q = 0; q < n_words && !crosses; q++)
          crosses = xs[j] > words[2 * q] - 1.5 && xs[j] < words[2 * q + 1] + 1.5;
        cairo_move_to(o->cr, xs[j], axis_y + bar_h / 2);
        if (crosses) {
          cairo_line_to(o->cr, xs[j], axis_y + 2.5);
          cairo_move_to(o->cr, xs[j], under - 5.5);
        }
        cairo_line_to(o->cr, xs[j], base - lt->size * RP_CHART_ASCENT - 1);
      }
      rp_chart_emit_path(o, (rp_color){0}, leader, 0.5);
      rp_chart_emit_fit(o, lt, e->label ? e->label : "", t->x, base, RP_CHART_LEFT,
                        fmin(x1 + pad - t->x, t->room));
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
