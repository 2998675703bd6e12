/* test_charts — charts/: tick choice and number formatting (scale.c), each
 * chart kind drawn into a box on a page and checked on its items (inside the
 * box, labels as text items, bar lengths proportional to values, pie angles
 * summing to 360°…), bad data refused or drawn sensibly, and a gallery PDF
 * with one chart per page read back with pdftotext and rasterised with
 * pdftoppm against the reference PNGs in tests/golden/charts/ (with a
 * tolerance for anti-aliasing). RP_UPDATE_GOLDEN=1 rewrites the references. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"
/* after testutil.h (cmocka) */
#include "base/arena.h"
#include "base/numfmt.h"
#include "charts/charts.h"
#include "charts/draw.h"
#include "charts/scale.h"
#include "font/font.h"
#include "page/items.h"
#include "render/render.h"

#define A4_W 595.2756
#define A4_H 841.8898

typedef struct fixture {
  rp_arena *a;
  rp_fontset fs;
  int regular, bold;
  rp_diag d;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  fx->a = rp_arena_new();
  rp_fontset_init(&fx->fs);
  rp_diag_init(&fx->d);
  fx->regular = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Regular.ttf");
  fx->bold = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Bold.ttf");
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  rp_diag_fini(&fx->d);
  rp_fontset_fini(&fx->fs);
  rp_arena_free(fx->a);
  free(fx);
  return 0;
}

/* ---- building charts by hand ------------------------------------------- */

static const rp_color dark = {0.13f, 0.13f, 0.16f, 1};

static rp_chart base_chart(fixture *fx, rp_chart_kind kind) {
  return (rp_chart){
      .kind = kind,
      .label = {.font = fx->regular, .size = 8, .color = dark},
      .value = {.font = fx->bold, .size = 8.5, .color = dark},
      .heading = {.font = fx->bold, .size = 11, .color = dark},
      .axis = {0.35f, 0.35f, 0.38f, 1},
      .grid = {0.86f, 0.86f, 0.88f, 1},
      .background = {1, 1, 1, 1},
  };
}

static double *vals(fixture *fx, size_t n, const double *v) {
  double *p = rp_arena_alloc(fx->a, n * sizeof *p);
  memcpy(p, v, n * sizeof *p);
  return p;
}

/* Categories and one series. */
static void set_data(fixture *fx, rp_chart *c, size_t n, const char *const *cats, const double *v) {
  c->categories = (const char **)cats;
  c->n_categories = n;
  c->series = rp_arena_calloc(fx->a, 1, sizeof *c->series);
  c->series[0].values = vals(fx, n, v);
  c->n_series = 1;
}

static void add_series(fixture *fx, rp_chart *c, const char *name, const double *v) {
  rp_chart_series *s = rp_arena_calloc(fx->a, c->n_series + 1, sizeof *s);
  if (c->n_series) memcpy(s, c->series, c->n_series * sizeof *s);
  s[c->n_series].name = name;
  s[c->n_series].values = vals(fx, c->n_categories, v);
  c->series = s;
  c->n_series++;
}

static const rp_chart_box box_std = {.x = 60,
                                     .y = 80,
                                     .w = 360,
                                     .h = 220,
                                     .struct_id = 7,
                                     .src = {"layouts/test.xml", 12, "data/test.xml", 34}};

static rp_page *new_page(fixture *fx) {
  rp_page *p = rp_arena_calloc(fx->a, 1, sizeof *p);
  p->width = A4_W, p->height = A4_H;
  return p;
}

static rp_status draw(fixture *fx, const rp_chart *c, const rp_chart_box *b, rp_page **out) {
  *out = new_page(fx);
  return rp_charts_draw(fx->a, c, &fx->fs, b, *out, &fx->d);
}

static rp_item *item(rp_page *p, size_t i) { return &RP_VEC_AT(p->items, rp_item, i); }

/* Every item lies in the box: paths by their bounds, text by its advance and
 * the extents the charts place by. */
static void assert_inside(rp_page *p, const rp_chart_box *b) {
  const double e = 0.01;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    double top = it->y, bottom = it->y + it->h;
    if (it->kind == RP_ITEM_TEXT)
      top = it->y - it->u.text.size * RP_CHART_ASCENT,
      bottom = it->y + it->u.text.size * RP_CHART_DESCENT;
    if (it->x < b->x - e || it->x + it->w > b->x + b->w + e || top < b->y - e ||
        bottom > b->y + b->h + e) {
      fprintf(stderr, "item %zu (%s) outside: %.1f %.1f %.1f %.1f\n", i,
              it->kind == RP_ITEM_TEXT ? it->u.text.text : "path", it->x, top, it->w, bottom - top);
      fail();
    }
    assert_int_equal(it->parent_id, b->struct_id);
  }
}

static rp_item *find_text(rp_page *p, const char *s) {
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    if (it->kind == RP_ITEM_TEXT && !strcmp(it->u.text.text, s)) return it;
  }
  return NULL;
}

static rp_item *find_text_after(rp_page *p, rp_item *after, const char *s) {
  for (size_t i = (size_t)(after - item(p, 0)) + 1; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    if (it->kind == RP_ITEM_TEXT && !strcmp(it->u.text.text, s)) return it;
  }
  return NULL;
}

__attribute__((unused)) static size_t count_kind(rp_page *p, rp_item_kind k) {
  size_t n = 0;
  for (size_t i = 0; i < p->items.len; i++) n += item(p, i)->kind == k;
  return n;
}

static bool same_color(rp_color a, rp_color b) {
  return fabsf(a.r - b.r) < 1e-4f && fabsf(a.g - b.g) < 1e-4f && fabsf(a.b - b.b) < 1e-4f &&
         a.a > 0 && b.a > 0;
}

/* Filled paths of colour col, in item order. */
static size_t filled(rp_page *p, rp_color col, rp_item **out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    if (it->kind == RP_ITEM_PATH && same_color(it->u.path.fill, col)) {
      if (n < cap) out[n] = it;
      n++;
    }
  }
  return n;
}

/* ---- the sample charts (the gallery and the kinds' tests) -------------- */

static const char *const months[] = {"Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                     "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"};

static rp_chart chart_bar(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_BAR);
  c.title = "Events per month, 2018–19";
  static const double v[] = {1, 0, 2, 1, 3, 0, 1, 2, 1, 0, 0, 1};
  set_data(fx, &c, 12, months, v);
  return c;
}

static rp_chart chart_hbar(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_HBAR);
  c.title = "Board seats by kind of organisation";
  static const char *const k[] = {"County councils", "District councils", "Unitary authorities",
                                  "Associate members"};
  static const double v[] = {7, 5, 3, 2};
  set_data(fx, &c, 4, k, v);
  return c;
}

static rp_chart chart_grouped(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_BAR);
  c.title = "Income and spending";
  c.unit = "\xC2\xA3";
  static const char *const y[] = {"2015–16", "2016–17", "2017–18", "2018–19"};
  static const double inc[] = {8.1e6, 8.6e6, 9.2e6, 9.5e6}, sp[] = {7.9e6, 8.8e6, 9.0e6, 9.1e6};
  c.categories = (const char **)y;
  c.n_categories = 4;
  add_series(fx, &c, "Income", inc);
  add_series(fx, &c, "Spending", sp);
  return c;
}

static rp_chart chart_stacked(fixture *fx) {
  rp_chart c = chart_grouped(fx);
  c.title = "Income by source";
  c.stacked = true;
  static const double a[] = {5.1e6, 5.3e6, 5.6e6, 5.8e6}, b[] = {2.0e6, 2.2e6, 2.4e6, 2.5e6},
                      d[] = {1.0e6, 1.1e6, 1.2e6, 1.2e6};
  c.series = NULL, c.n_series = 0;
  add_series(fx, &c, "Subscriptions", a);
  add_series(fx, &c, "Grants", b);
  add_series(fx, &c, "Events", d);
  return c;
}

static rp_chart chart_line(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_LINE);
  c.title = "Members and associates";
  static const char *const y[] = {"2014", "2015", "2016", "2017", "2018", "2019"};
  static const double m[] = {26, 27, 27, 28, 28, 29}, s[] = {9, 11, 12, 14, 15, 19};
  c.categories = (const char **)y;
  c.n_categories = 6;
  add_series(fx, &c, "Members", m);
  add_series(fx, &c, "Associates", s);
  return c;
}

static const char *const kinds[] = {"County councils", "District councils", "Unitary authorities",
                                    "Associates", "Observers"};

static rp_chart chart_pie(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_PIE);
  c.title = "Members by kind";
  static const double v[] = {14, 12, 6, 9, 2};
  set_data(fx, &c, 5, kinds, v);
  return c;
}

static rp_chart chart_donut(fixture *fx) {
  rp_chart c = chart_pie(fx);
  c.kind = RP_CHART_DONUT;
  c.centre = "43";
  c.centre_label = "members";
  return c;
}

static rp_chart chart_flow(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_FLOW);
  c.value.size = 28;
  static const char *const l[] = {"Councils", "residents", "budget"};
  static const char *const d[] = {"28", "7.4m",
                                  "\xC2\xA3"
                                  "9.5bn"};
  static const double v[] = {28, 7.4e6, 9.5e9};
  set_data(fx, &c, 3, l, v);
  c.displays = (const char **)d;
  return c;
}

static rp_chart chart_timeline(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_TIMELINE);
  c.title = "Events, 2018–19";
  static rp_chart_event ev[] = {
      {"Annual conference", {2018, 9, 23}, {2018, 9, 26}},
      {"Board meeting", {2018, 6, 12}, {0}},
      {"Housing summit", {2018, 11, 8}, {0}},
      {"Spring seminar", {2019, 3, 14}, {0}},
      {"Board meeting", {2018, 12, 4}, {0}},
      {"Skills roadshow", {2019, 1, 15}, {2019, 2, 20}},
      {"Leaders' dinner", {2018, 9, 20}, {0}},
      {"AGM", {2018, 4, 10}, {0}},
  };
  c.events = ev;
  c.n_events = sizeof ev / sizeof ev[0];
  return c;
}

static rp_chart chart_delta(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_DELTA);
  c.value.size = 24;
  c.delta = -3.2;
  c.delta_display =
      "\xE2\x88\x92"
      "3.2 %";
  c.delta_compared = "on 2017–18";
  c.better = -1; /* spending down: good */
  return c;
}

static rp_chart chart_map(fixture *fx) {
  rp_chart c = base_chart(fx, RP_CHART_MAP);
  c.label.size = 7;
  static rp_map_point pts[] = {
      {"Plymouth", "member", 50.3755, -4.1427},   {"Cardiff", "member", 51.4816, -3.1791},
      {"Newcastle", "member", 54.9783, -1.6100},  {"Glasgow", "associate", 55.8611, -4.2502},
      {"Edinburgh", "member", 55.9533, -3.1883},  {"Croydon", "member", 51.3714, -0.0977},
      {"Lambeth", "associate", 51.4613, -0.1157},
  };
  static rp_chart_key keys[] = {{"member", "Members", {0, 0, 0, 0}},
                                {"associate", "Associates", {0, 0, 0, 0}}};
  c.points = pts;
  c.n_points = sizeof pts / sizeof pts[0];
  c.keys = keys;
  c.n_keys = 2;
  c.outline_path = rp_arena_strdup(fx->a, rp_test_src("data/map/uk-outline.txt"));
  return c;
}

typedef rp_chart (*chart_fn)(fixture *);
static const struct {
  const char *name;
  chart_fn make;
  const char *label; /* a label pdftotext must find */
} gallery[] = {
    {"bar", chart_bar, "Sep"},
    {"hbar", chart_hbar, "District councils"},
    {"grouped", chart_grouped, "Spending"},
    {"stacked", chart_stacked, "Subscriptions"},
    {"line", chart_line, "Associates"},
    {"pie", chart_pie, "Observers"},
    {"donut", chart_donut, "members"},
    {"flow", chart_flow, "residents"},
    {"timeline", chart_timeline, "Housing summit"},
    {"delta", chart_delta, "on 2017–18"},
    {"map", chart_map, "Glasgow"},
};
#define N_GALLERY (sizeof gallery / sizeof gallery[0])

/* ---- scale.c ------------------------------------------------------------- */

static void check_scale(double lo, double hi, double want_lo, double want_hi, double want_step) {
  rp_chart_scale s;
  assert_true(rp_chart_scale_nice(lo, hi, 5, &s));
  if (fabs(s.lo - want_lo) > 1e-9 * fmax(1, fabs(want_lo)) ||
      fabs(s.hi - want_hi) > 1e-9 * fmax(1, fabs(want_hi)) ||
      fabs(s.step - want_step) > 1e-9 * want_step) {
    fprintf(stderr, "[%g, %g] → %g..%g by %g, wanted %g..%g by %g\n", lo, hi, s.lo, s.hi, s.step,
            want_lo, want_hi, want_step);
    fail();
  }
  assert_int_equal(s.n_ticks, (int)lround((s.hi - s.lo) / s.step) + 1);
  /* nice: 1, 2 or 5 × 10ⁿ; covers the data and zero */
  double m = s.step / pow(10, floor(log10(s.step) + 1e-12));
  assert_true(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9);
  assert_true(s.lo <= fmin(lo, 0) && s.hi >= fmax(hi, 0));
  assert_true(s.n_ticks >= 2 && s.n_ticks <= 11);
}

static void test_ticks(void **state) {
  check_scale(0, 7, 0, 7, 1);
  check_scale(0, 33000, 0, 35000, 5000);
  check_scale(0, 27000, 0, 30000, 5000);
  check_scale(-3.2, 19.7, -5, 20, 5);
  check_scale(0, 1e9, 0, 1e9, 2e8);
  check_scale(7, 7, 0, 7, 1);       /* a single value: from zero */
  check_scale(0, 0, 0, 1, 0.2);     /* all zero */
  check_scale(-40, -3, -40, 0, 10); /* all negative: up to zero */
  check_scale(0, 0.31, 0, 0.35, 0.05);
  check_scale(0, 1e300, 0, 1e300, 2e299);
  check_scale(0, 0.3, 0, 0.3, 0.05); /* 0.1 + 0.2 noise does not add a step */
  rp_chart_scale s;
  assert_true(rp_chart_scale_whole(0, 3, 5, &s)); /* counts: whole steps */
  assert_true(s.step == 1 && s.hi == 3 && s.n_ticks == 4 && s.decimals == 0);
  assert_true(rp_chart_scale_whole(0, 0, 5, &s));
  assert_true(s.step == 1 && s.hi == 1);
  assert_false(rp_chart_scale_nice(0, INFINITY, 5, &s));
  assert_false(rp_chart_scale_nice(NAN, 1, 5, &s));
  assert_false(rp_chart_scale_nice(0, 1.7e308, 5, &s)); /* the top tick would overflow */
  assert_true(rp_chart_scale_nice(-3.2, 19.7, 5, &s));
  assert_true(rp_chart_scale_tick(&s, 1) == 0); /* exactly zero, never −0 */
}

static void check_fmt(double v, int dec, const char *unit, const char *pic, const char *want) {
  char out[128];
  rp_chart_format(v, dec, unit, pic, out, sizeof out);
  if (strcmp(out, want)) {
    fprintf(stderr, "%g → \"%s\", wanted \"%s\"\n", v, out, want);
    fail();
  }
}

/* rp_format_number, the layout's format-number(): real minus signs, thin
 * and narrow no-break spaces as grouping separators or before a unit. */
static void check_pic(double v, const char *pic, const char *want) {
  char out[128];
  assert_true(rp_format_number(v, pic, out, sizeof out));
  if (strcmp(out, want)) {
    fprintf(stderr, "%g by \"%s\" → \"%s\", wanted \"%s\"\n", v, pic, out, want);
    fail();
  }
}

#define THIN "\xE2\x80\x89"  /* U+2009 */
#define NNBSP "\xE2\x80\xAF" /* U+202F */
#define MINUS_SIGN "\xE2\x88\x92"

static void test_format_number(void **state) {
  (void)state;
  check_pic(-3.2, "0.0", MINUS_SIGN "3.2");
  check_pic(-1500, "#,##0", MINUS_SIGN "1,500");
  check_pic(-0.0001, "0.0", "0.0"); /* rounds to zero: no sign */
  check_pic(-INFINITY, "0", MINUS_SIGN "Infinity");
  check_pic(33000, "#" NNBSP "##0", "33" NNBSP "000");
  check_pic(1234567.5, "#" THIN "##0.0", "1" THIN "234" THIN "567.5");
  check_pic(7.4, "0.0" THIN "m", "7.4" THIN "m"); /* a unit: the space is the suffix's */
  check_pic(12, "#,##0" NNBSP "MW", "12" NNBSP "MW");
  check_pic(-0.074, "0.0" NNBSP "%", MINUS_SIGN "7.4" NNBSP "%");
  check_pic(999, "#" NNBSP "##0", "999");
  char out[8];
  assert_false(rp_format_number(1, "m" THIN "s", out, sizeof out)); /* no number part */
  assert_false(rp_format_number(-12345, "#,##0", out, 7));          /* "−12,345" needs 10 bytes */
}

/* Chart labels are kerned as body text is: "AVAST Today" is narrower than
 * its plain advances, measured as render will draw it (the item's kern). */
static void test_label_kerning(void **state) {
  fixture *fx = *state;
  rp_chart c = base_chart(fx, RP_CHART_HBAR);
  static const char *const cats[] = {"AVAST Today", "Wo"};
  static const double v[] = {3, 5};
  set_data(fx, &c, 2, cats, v);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  rp_item *t = find_text(p, "AVAST Today");
  assert_non_null(t);
  assert_true(t->u.text.kern);
  const rp_font *f = rp_fontset_get(&fx->fs, t->u.text.font);
  double kerned = rp_font_measure(f, "AVAST Today", 11, t->u.text.size, 0, true);
  assert_true(fabs(t->w - kerned) < 1e-9);
  assert_true(kerned < rp_font_width(f, "AVAST Today", 11, t->u.text.size, 0) - 0.5);
}

static void test_format(void **state) {
  check_fmt(7.4e6, -1, NULL, NULL, "7.4m");
  check_fmt(9.5e9, -1, "\xC2\xA3", NULL,
            "\xC2\xA3"
            "9.5bn");
  check_fmt(33000, -1, NULL, NULL, "33,000");
  check_fmt(10000, -1, "\xC2\xA3", NULL,
            "\xC2\xA3"
            "10,000");
  check_fmt(0.31, -1, NULL, NULL, "0.31");
  check_fmt(-3.2, -1, NULL, NULL,
            "\xE2\x88\x92"
            "3.2");
  check_fmt(-3.2, -1, "%", NULL,
            "\xE2\x88\x92"
            "3.2%");
  check_fmt(12, -1, "MW", NULL, "12 MW");
  check_fmt(19.7, -1, NULL, NULL, "19.7");
  check_fmt(28, -1, NULL, NULL, "28");
  check_fmt(1500, -1, NULL, NULL, "1,500");
  check_fmt(12e6, -1, NULL, NULL, "12m");
  check_fmt(999999, -1, NULL, NULL, "999,999");
  check_fmt(2.5e12, -1, NULL, NULL, "2.5tn");
  check_fmt(0, -1, NULL, NULL, "0");
  check_fmt(-0.0, -1, NULL, NULL, "0");
  check_fmt(0.5, 1, NULL, NULL, "0.5"); /* ticks: fixed decimals */
  check_fmt(9e6, 1, "\xC2\xA3", NULL,
            "\xC2\xA3"
            "9.0m"); /* as written, in millions */
  check_fmt(0, 2, NULL, NULL, "0");
  static const double a[] = {8.1e6, 9e6, 250}, b[] = {1, 2, 3}, d[] = {19.7, -3.2, 8},
                      e[] = {0.31, 0.5}, f[] = {33000, 1500.5};
  assert_int_equal(rp_chart_decimals(a, 3), 1);
  assert_int_equal(rp_chart_decimals(b, 3), 0);
  assert_int_equal(rp_chart_decimals(d, 3), 1);
  assert_int_equal(rp_chart_decimals(e, 2), 2);
  assert_int_equal(rp_chart_decimals(f, 2), 0);
  check_fmt(1, 1, NULL, NULL, "1.0");
  check_fmt(1e300, -1, NULL, NULL,
            "1\xC3\x97"
            "10^300");
  check_fmt(33000, -1, NULL, "#,##0.00", "33,000.00");
  check_fmt(-1234.6, -1, "\xC2\xA3", "#,##0",
            "\xE2\x88\x92\xC2\xA3"
            "1,235");
  check_fmt(NAN, -1, NULL, NULL, "\xE2\x80\x93");
  check_fmt(-INFINITY, -1, NULL, NULL, "\xE2\x88\x92\xE2\x88\x9E");
}

/* ---- draw.c ------------------------------------------------------------- */

static void test_contrast(void **state) {
  rp_color white = {1, 1, 1, 1}, black = {0, 0, 0, 1};
  assert_true(fabs(rp_chart_contrast(white, black) - 21) < 0.01);
  assert_true(fabs(rp_chart_contrast(white, white) - 1) < 0.01);
  rp_chart c = {.label = {.font = 0, .size = 8, .color = dark}};
  /* every default palette colour gets a readable text colour */
  for (size_t i = 0; i < 8; i++) {
    rp_color f = rp_chart_palette(&c, i);
    assert_true(rp_chart_contrast(rp_chart_text_on(&c, f), f) >= 4.5 ||
                rp_chart_contrast(white, f) < 4.5); /* yellow: dark text is the best */
    assert_true(rp_chart_contrast(rp_chart_text_on(&c, f), f) >= 4.5);
  }
  rp_color navy = {0.05f, 0.1f, 0.3f, 1};
  /* the chart's own text against its background: a warning when too faint */
  fixture *fx = *state;
  rp_chart b = chart_bar(fx);
  b.label.color = (rp_color){0.7f, 0.7f, 0.7f, 1};
  rp_page *p;
  assert_int_equal(draw(fx, &b, &box_std, &p), RP_OK);
  assert_true(rp_test_diag_has(&fx->d, "label text has a contrast of"));
  assert_int_equal(fx->d.warnings, 1);
  /* only what is drawn: a faint heading style without a title is no matter */
  b = chart_bar(fx);
  b.title = NULL;
  b.heading.color = (rp_color){0.8f, 0.8f, 0.8f, 1};
  rp_diag_fini(&fx->d);
  rp_diag_init(&fx->d);
  assert_int_equal(draw(fx, &b, &box_std, &p), RP_OK);
  assert_int_equal(fx->d.warnings, 0);
  b.title = "Now with a title";
  assert_int_equal(draw(fx, &b, &box_std, &p), RP_OK);
  assert_true(rp_test_diag_has(&fx->d, "heading text has a contrast of"));
  rp_color on = rp_chart_text_on(&c, navy);
  assert_true(on.r == 1 && on.g == 1 && on.b == 1);
}

/* ---- bar and hbar --------------------------------------------------------- */

static void test_bar(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_bar(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  for (size_t i = 0; i < 12; i++) assert_non_null(find_text(p, months[i]));
  assert_non_null(find_text(p, "Events per month, 2018–19"));
  /* ticks 0..3 by 1, no decimals */
  assert_non_null(find_text(p, "0"));
  assert_null(find_text(p, "0.5"));
  /* bars: one per non-zero value, heights proportional to values, common base */
  rp_item *bars[16];
  assert_int_equal(filled(p, rp_chart_palette(&c, 0), bars, 16), 8);
  double unit = bars[0]->h / 1;                       /* Apr = 1 */
  static const double v[] = {1, 2, 1, 3, 1, 2, 1, 1}; /* the non-zero values */
  for (size_t i = 0; i < 8; i++) {
    assert_true(fabs(bars[i]->h - v[i] * unit) < 0.01);
    assert_true(fabs(bars[i]->y + bars[i]->h - (bars[0]->y + bars[0]->h)) < 0.01);
    if (i) assert_true(bars[i]->x > bars[i - 1]->x);
  }
  /* value labels above the bars */
  rp_item *three = find_text(p, "3");
  while (three && three->u.text.font != fx->bold) three = find_text_after(p, three, "3");
  assert_non_null(three);
  assert_true(three->y < bars[3]->y);
  assert_int_equal(fx->d.warnings, 0);
}

static void test_hbar(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_hbar(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *bars[8];
  assert_int_equal(filled(p, rp_chart_palette(&c, 0), bars, 8), 4);
  for (size_t i = 0; i < 4; i++) {
    assert_true(fabs(bars[i]->w - bars[0]->w * c.series[0].values[i] / 7) < 0.02);
    assert_true(fabs(bars[i]->x - bars[0]->x) < 0.01); /* from the same zero */
    assert_non_null(find_text(p, c.categories[i]));
  }
  assert_true(bars[1]->y > bars[0]->y); /* first category on top */
}

static void test_bar_grouped_stacked(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_grouped(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  assert_non_null(find_text(p, "Income")); /* the legend */
  assert_non_null(find_text(p,
                            "\xC2\xA3"
                            "9.5m"));
  rp_item *a[8], *b[8];
  assert_int_equal(filled(p, rp_chart_palette(&c, 0), a, 8), 4 + 1); /* + legend swatch */
  assert_int_equal(filled(p, rp_chart_palette(&c, 1), b, 8), 4 + 1);
  assert_true(a[0]->x + a[0]->w <= b[0]->x + 0.01); /* side by side */

  c = chart_stacked(fx);
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *s[3][8];
  for (size_t k = 0; k < 3; k++)
    assert_int_equal(filled(p, rp_chart_palette(&c, k), s[k], 8), 4 + 1);
  for (size_t i = 0; i < 4; i++) {
    /* each segment sits on the one below; the stack's height is the sum */
    assert_true(fabs(s[1][i]->y + s[1][i]->h - s[0][i]->y) < 0.01);
    assert_true(fabs(s[2][i]->y + s[2][i]->h - s[1][i]->y) < 0.01);
    double sum = 0, h = 0;
    for (size_t k = 0; k < 3; k++) sum += c.series[k].values[i], h += s[k][i]->h;
    assert_true(fabs(h - sum * s[0][0]->h / c.series[0].values[0]) < 0.05);
  }
  /* each stack's total above it */
  rp_item *total = find_text(p,
                             "\xC2\xA3"
                             "8.1m");
  assert_non_null(total);
  assert_true(total->y < s[2][0]->y);
  assert_true(fabs(total->x + total->w / 2 - (s[2][0]->x + s[2][0]->w / 2)) < 0.01);
  /* labels inside segments are readable on their fill */
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *t = item(p, i);
    if (t->kind != RP_ITEM_TEXT) continue;
    for (size_t k = 0; k < 3; k++)
      for (size_t j = 0; j < 4; j++)
        if (t->x >= s[k][j]->x && t->x + t->w <= s[k][j]->x + s[k][j]->w && t->y > s[k][j]->y &&
            t->y < s[k][j]->y + s[k][j]->h)
          assert_true(rp_chart_contrast(t->u.text.color, s[k][j]->u.path.fill) >= 4.5);
  }
}

static void test_bar_negative(void **state) {
  fixture *fx = *state;
  rp_chart c = base_chart(fx, RP_CHART_BAR);
  static const char *const k[] = {"A", "B", "C"};
  static const double v[] = {-3.2, 19.7, 8};
  set_data(fx, &c, 3, k, v);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *bars[4];
  assert_int_equal(filled(p, rp_chart_palette(&c, 0), bars, 4), 3);
  /* the negative bar hangs from zero, where the positive ones stand */
  assert_true(fabs(bars[0]->y - (bars[1]->y + bars[1]->h)) < 0.01);
  assert_true(fabs(bars[0]->h - bars[1]->h * 3.2 / 19.7) < 0.02);
  assert_non_null(find_text(p,
                            "\xE2\x88\x92"
                            "3.2"));
  assert_non_null(find_text(p,
                            "\xE2\x88\x92"
                            "5")); /* the bottom tick */
}

/* Bad data: a clear error at the chart's lines, or a sensible chart. */
static void test_bar_bad_data(void **state) {
  fixture *fx = *state;
  rp_page *p;
  rp_chart c = base_chart(fx, RP_CHART_BAR);
  c.title = "Empty";
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "no categories"));
  assert_true(rp_test_diag_has(&fx->d, "data/test.xml:34"));
  assert_string_equal(fx->d.entries[0].file, "layouts/test.xml");
  assert_int_equal(fx->d.entries[0].line, 12);

  static const char *const k[] = {"A", "B", "C"};
  static const double inf[] = {1, INFINITY, 2}, nan3[] = {NAN, NAN, NAN}, zero[] = {0, 0, 0},
                      huge[] = {1e300, 2e300, 5e299}, over[] = {1.7e308, 1, 1}, one[] = {42},
                      gap[] = {3, NAN, 5};
  rp_chart_kind kinds2[] = {RP_CHART_BAR, RP_CHART_HBAR, RP_CHART_LINE, RP_CHART_PIE,
                            RP_CHART_DONUT};
  for (size_t k2 = 0; k2 < sizeof kinds2 / sizeof kinds2[0]; k2++) {
    rp_diag_fini(&fx->d);
    rp_diag_init(&fx->d);
    c = base_chart(fx, kinds2[k2]);
    set_data(fx, &c, 3, k, inf);
    assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
    assert_true(rp_test_diag_has(&fx->d, "infinite"));
    set_data(fx, &c, 3, k, nan3);
    assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
    assert_true(rp_test_diag_has(&fx->d, "none of its values"));
    rp_diag_fini(&fx->d);
    rp_diag_init(&fx->d);
    /* all zero: bars an axis without bars; pie: an error (nothing to share) */
    set_data(fx, &c, 3, k, zero);
    rp_status st = draw(fx, &c, &box_std, &p);
    if (kinds2[k2] == RP_CHART_PIE || kinds2[k2] == RP_CHART_DONUT) {
      assert_int_equal(st, RP_ERR_INPUT);
      assert_true(rp_test_diag_has(&fx->d, "zero"));
    } else {
      assert_int_equal(st, RP_OK);
      assert_inside(p, &box_std);
      assert_non_null(find_text(p, "B"));
    }
    rp_diag_fini(&fx->d);
    rp_diag_init(&fx->d);
    set_data(fx, &c, 3, k, huge);
    assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
    assert_inside(p, &box_std);
    set_data(fx, &c, 3, k, gap); /* NaN: no value, a gap */
    assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
    assert_inside(p, &box_std);
    set_data(fx, &c, 1, k, one);
    assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
    assert_inside(p, &box_std);
    assert_non_null(find_text(p, "42"));
    if (kinds2[k2] != RP_CHART_PIE && kinds2[k2] != RP_CHART_DONUT) {
      set_data(fx, &c, 3, k, over);
      assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
      assert_true(rp_test_diag_has(&fx->d, "too large"));
    }
  }
}

static void test_bar_long_label(void **state) {
  fixture *fx = *state;
  rp_chart c = base_chart(fx, RP_CHART_BAR);
  static const char *const k[] = {"A", "A very long category name that cannot fit", "C"};
  static const double v[] = {1, 2, 3};
  set_data(fx, &c, 3, k, v);
  rp_chart_box b = box_std;
  b.w = 200;
  rp_page *p;
  assert_int_equal(draw(fx, &c, &b, &p), RP_OK);
  assert_inside(p, &b);
  assert_null(find_text(p, k[1]));
  assert_true(rp_test_diag_has(&fx->d, "shortened"));
  bool cut = false;
  for (size_t i = 0; i < p->items.len; i++)
    if (item(p, i)->kind == RP_ITEM_TEXT && strstr(item(p, i)->u.text.text, "\xE2\x80\xA6"))
      cut = true;
  assert_true(cut);
  /* a slightly long label is set smaller, without a warning */
  rp_diag_fini(&fx->d);
  rp_diag_init(&fx->d);
  static const char *const k2[] = {"Alpha", "Bravo", "Charlie"};
  set_data(fx, &c, 3, k2, v);
  b.w = 80;
  assert_int_equal(draw(fx, &c, &b, &p), RP_OK);
  assert_inside(p, &b);
  assert_non_null(find_text(p, "Charlie"));
  assert_true(find_text(p, "Charlie")->u.text.size < c.label.size);
  assert_int_equal(fx->d.warnings, 0);
}

/* Many categories: a label for every few, none overlapping, no warnings. */
static void assert_no_text_overlap(rp_page *p) {
  for (size_t i = 0; i < p->items.len; i++)
    for (size_t j = i + 1; j < p->items.len; j++) {
      rp_item *a = item(p, i), *b = item(p, j);
      if (a->kind != RP_ITEM_TEXT || b->kind != RP_ITEM_TEXT) continue;
      bool apart =
          a->x + a->w <= b->x + 0.01 || b->x + b->w <= a->x + 0.01 ||
          fabs(a->y - b->y) >= fmax(a->h, b->h) * (RP_CHART_ASCENT + RP_CHART_DESCENT) - 0.01;
      if (!apart) fprintf(stderr, "\"%s\" overlaps \"%s\"\n", a->u.text.text, b->u.text.text);
      assert_true(apart);
    }
}

static void test_bar_dense(void **state) {
  fixture *fx = *state;
  enum { N = 60 };
  static char names[N][16];
  static const char *cats[N];
  double v[N];
  for (int i = 0; i < N; i++) {
    snprintf(names[i], sizeof names[i], "Week %d", i + 1);
    cats[i] = names[i];
    v[i] = (i * 37) % 11;
  }
  rp_chart_kind ks[] = {RP_CHART_BAR, RP_CHART_HBAR, RP_CHART_LINE};
  for (size_t k = 0; k < 3; k++) {
    rp_chart c = base_chart(fx, ks[k]);
    set_data(fx, &c, N, cats, v);
    rp_page *p;
    assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
    assert_inside(p, &box_std);
    assert_no_text_overlap(p);
    assert_non_null(find_text(p, "Week 1"));
    assert_null(find_text(p, "Week 2"));
    assert_int_equal(fx->d.warnings, 0);
  }
}

/* ---- line, pie, flow, timeline, delta ----------------------------------- */

static void test_line(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_line(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  assert_non_null(find_text(p, "Members"));
  assert_non_null(find_text(p, "Associates"));
  for (size_t i = 0; i < 6; i++) assert_non_null(find_text(p, c.categories[i]));
  /* one stroked line per series through its values, in x order */
  size_t lines = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    if (it->kind != RP_ITEM_PATH || it->u.path.fill.a > 0 || it->u.path.stroke_width != 2) continue;
    assert_int_equal(it->u.path.n_ops, 6);
    for (size_t k = 1; k < 6; k++) assert_true(it->u.path.ops[k].x[0] > it->u.path.ops[k - 1].x[0]);
    lines++;
  }
  assert_int_equal(lines, 2);
  /* markers: 6 per series */
  rp_item *m[16];
  assert_int_equal(filled(p, rp_chart_palette(&c, 1), m, 16), 6 + 1);
  /* the associates rise: 9 → 19, higher on the page is smaller y */
  assert_true(m[5]->y < m[0]->y);
}

/* A lone series' value labels: above a peak, below a dip. */
static void test_line_labels(void **state) {
  fixture *fx = *state;
  rp_chart c = base_chart(fx, RP_CHART_LINE);
  static const char *const k[] = {"A", "B", "C", "D"};
  static const double v[] = {12000, 33000, 9800, 27500};
  set_data(fx, &c, 4, k, v);
  c.unit = "\xC2\xA3";
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *m[8];
  assert_int_equal(filled(p, rp_chart_palette(&c, 0), m, 8), 4);
  rp_item *peak = find_text(p,
                            "\xC2\xA3"
                            "33,000"),
          *dip = find_text(p,
                           "\xC2\xA3"
                           "9,800");
  assert_non_null(peak);
  assert_non_null(dip);
  assert_true(peak->y < m[1]->y);                         /* baseline above the marker */
  assert_true(dip->y - dip->h * 0.8 > m[2]->y + m[2]->h); /* top below it */
  assert_non_null(find_text(p,
                            "\xC2\xA3"
                            "35,000")); /* the top tick */
}

/* The angle swept by a pie segment (its first and last point around the centre). */
static double sweep(const rp_item *it, double cx, double cy) {
  const rp_path_op *a = &it->u.path.ops[1], *b = NULL;
  for (size_t k = 0; k < it->u.path.n_ops; k++) /* the last curve (a close adds a move) */
    if (it->u.path.ops[k].op == RP_PATH_CURVE) b = &it->u.path.ops[k];
  assert_non_null(b);
  double a0 = atan2(a->y[0] - cy, a->x[0] - cx);
  double a1 = atan2(b->y[2] - cy, b->x[2] - cx);
  double d = (a1 - a0) * 180 / M_PI;
  while (d <= 0) d += 360;
  return d;
}

static void test_pie(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_pie(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  double total = 0, sum = 43;
  rp_item *seg[5];
  for (size_t i = 0; i < 5; i++) {
    assert_int_equal(filled(p, rp_chart_palette(&c, i), &seg[i], 1), 2); /* + legend swatch */
    assert_int_equal(seg[i]->u.path.ops[0].op, RP_PATH_MOVE);
  }
  double cx = seg[0]->u.path.ops[0].x[0], cy = seg[0]->u.path.ops[0].y[0];
  for (size_t i = 0; i < 5; i++) {
    double a = sweep(seg[i], cx, cy);
    if (fabs(a - 360 * c.series[0].values[i] / sum) >= 0.05)
      fprintf(stderr, "segment %zu: %.3f°\n", i, a);
    assert_true(fabs(a - 360 * c.series[0].values[i] / sum) < 0.05);
    total += a;
    assert_non_null(find_text(p, kinds[i]));
  }
  assert_true(fabs(total - 360) < 0.1);
  assert_non_null(find_text(p, "33%")); /* 14 of 43, inside its segment */
  assert_non_null(find_text(p, "14"));  /* in the legend */

  c = chart_donut(fx);
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *big = find_text(p, "43"), *lab = find_text(p, "members");
  assert_non_null(big);
  assert_non_null(lab);
  assert_true(big->u.text.size > c.value.size);
  assert_true(lab->y > big->y);

  /* share labels lie inside the ring, in a small donut too */
  rp_chart_box small = box_std;
  small.w = 200;
  for (int pass = 0; pass < 2; pass++) {
    assert_int_equal(draw(fx, &c, pass ? &small : &box_std, &p), RP_OK);
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < 5; i++) {
      rp_item *sg = NULL;
      assert_true(filled(p, rp_chart_palette(&c, i), &sg, 1) >= 1);
      x0 = fmin(x0, sg->x), x1 = fmax(x1, sg->x + sg->w);
      y0 = fmin(y0, sg->y), y1 = fmax(y1, sg->y + sg->h);
    }
    double R = (x1 - x0) / 2, ox = x0 + R, oy = y0 + (y1 - y0) / 2;
    size_t shares = 0;
    for (size_t i = 0; i < p->items.len; i++) {
      rp_item *t = item(p, i);
      if (t->kind != RP_ITEM_TEXT || !strchr(t->u.text.text, '%')) continue;
      shares++;
      for (int k = 0; k < 4; k++) {
        double px = t->x + t->w * (k % 2), py = t->y + t->h * (k / 2 ? RP_CHART_DESCENT : -0.7);
        double d = hypot(px - ox, py - oy);
        assert_true(d <= R + 0.01 && d >= R * 0.58 - 0.01);
      }
    }
    assert_true(shares >= 1);
  }

  /* negative: not a share */
  static const double neg[] = {3, -1, 2, 1, 1};
  set_data(fx, &c, 5, kinds, neg);
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "negative"));
}

static void test_flow(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_flow(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *f[3] = {find_text(p, "28"), find_text(p, "7.4m"),
                   find_text(p,
                             "\xC2\xA3"
                             "9.5bn")};
  rp_item *l[3] = {find_text(p, "Councils"), find_text(p, "residents"), find_text(p, "budget")};
  for (size_t i = 0; i < 3; i++) {
    assert_non_null(f[i]);
    assert_non_null(l[i]);
    assert_true(l[i]->y > f[i]->y); /* label under its figure */
    assert_true(fabs((l[i]->x + l[i]->w / 2) - (f[i]->x + f[i]->w / 2)) < 0.01);
  }
  /* an arrow between each pair of figures, pointing right */
  size_t arrows = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    if (it->kind != RP_ITEM_PATH) continue;
    bool between = false;
    for (size_t k = 0; k < 2; k++)
      between |= it->x >= f[k]->x + f[k]->w && it->x + it->w <= f[k + 1]->x;
    assert_true(between);
    assert_true(it->u.path.ops[3].x[0] == it->x + it->w); /* the tip is rightmost */
    arrows++;
  }
  assert_int_equal(arrows, 2);
  /* scaled to fit a narrow box: smaller, still inside */
  rp_chart_box narrow = box_std;
  narrow.w = 150;
  assert_int_equal(draw(fx, &c, &narrow, &p), RP_OK);
  assert_inside(p, &narrow);
  assert_true(find_text(p, "7.4m")->u.text.size < c.value.size);
  assert_int_equal(fx->d.warnings, 0);
  /* a long label goes onto lines under its figure, in order, each centred,
   * rather than shrinking the whole row */
  static const char *const longer[] = {"Councils", "installed capacity owned by the community",
                                       "budget"};
  set_data(fx, &c, 3, longer, (const double[]){28, 7.4e6, 9.5e9});
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  rp_item *fig = find_text(p, "7.4m");
  assert_non_null(fig);
  char joined[200] = "";
  size_t lines = 0;
  double last_y = fig->y, mid = fig->x + fig->w / 2;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = item(p, i);
    if (it->kind != RP_ITEM_TEXT || it == fig || fabs(it->x + it->w / 2 - mid) > 0.01) continue;
    assert_true(it->y > last_y); /* each line below the one before */
    last_y = it->y;
    if (lines++) strcat(joined, " ");
    strncat(joined, it->u.text.text, sizeof joined - strlen(joined) - 1);
  }
  assert_true(lines >= 2 && lines <= 3);
  assert_string_equal(joined, longer[1]);
  assert_int_equal(fx->d.warnings, 0);
  /* a figure with neither a value nor a display */
  static const double none[] = {NAN, 1, 2};
  set_data(fx, &c, 3, c.categories, none);
  c.displays = NULL;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "no value"));
  c.n_categories = 0;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
}

static void test_timeline(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_timeline(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  for (size_t i = 0; i < c.n_events; i++) assert_non_null(find_text(p, c.events[i].label));
  /* months from April 2018 to March 2019 */
  assert_non_null(find_text(p, "Apr"));
  assert_non_null(find_text(p, "Mar"));
  assert_non_null(find_text(p, "2019"));
  /* markers in date order along the axis */
  rp_item *m[16];
  size_t nm = filled(p, rp_chart_palette(&c, 0), m, 16);
  assert_int_equal(nm, 6); /* one-day events */
  for (size_t i = 1; i < nm; i++) assert_true(m[i]->x > m[i - 1]->x);
  assert_int_equal(filled(p, rp_chart_palette(&c, 1), m, 16), 2); /* ranges */
  /* the conference (4 days) is shorter than the roadshow (5 weeks) */
  assert_true(m[0]->w < m[1]->w);
  /* no two labels overlap */
  for (size_t i = 0; i < p->items.len; i++)
    for (size_t j = i + 1; j < p->items.len; j++) {
      rp_item *a = item(p, i), *b = item(p, j);
      if (a->kind != RP_ITEM_TEXT || b->kind != RP_ITEM_TEXT) continue;
      bool apart =
          a->x + a->w <= b->x || b->x + b->w <= a->x ||
          fabs(a->y - b->y) >= fmax(a->h, b->h) * (RP_CHART_ASCENT + RP_CHART_DESCENT) - 0.01;
      if (!apart) fprintf(stderr, "\"%s\" overlaps \"%s\"\n", a->u.text.text, b->u.text.text);
      assert_true(apart);
    }
  /* crowded: 60 events in one month; labels never overlap, the rest are
   * markers only, with a warning */
  rp_chart_event *many = rp_arena_calloc(fx->a, 60, sizeof *many);
  for (int i = 0; i < 60; i++) {
    many[i] = (rp_chart_event){
        rp_arena_printf(fx->a, "Event number %d", i + 1), {2019, 5, 1 + i % 30}, {0}};
  }
  c.events = many, c.n_events = 60;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  assert_no_text_overlap(p);
  assert_int_equal(filled(p, rp_chart_palette(&c, 0), m, 16), 60);
  assert_true(rp_test_diag_has(&fx->d, "too crowded"));
  /* thirty years: years only on the axis, no overlaps */
  rp_chart_event span[] = {
      {"Founded", {1990, 3, 1}, {0}}, {"Merger", {2005, 7, 9}, {0}}, {"Today", {2020, 1, 31}, {0}}};
  c.events = span, c.n_events = 3;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  assert_no_text_overlap(p);
  assert_null(find_text(p, "Jan"));
  assert_non_null(find_text(p, "2000"));

  /* twelve long names over a year, several near the right edge: all named,
   * on both sides of the axis, no staircase */
  rp_chart_event year[] = {
      {"Labour Party Conference", {2018, 9, 23}, {2018, 9, 26}},
      {"CCIN Annual Conference and Co-operative Showcase", {2018, 10, 3}, {2018, 10, 4}},
      {"Co-operative Party Centenary Conference", {2018, 10, 12}, {2018, 10, 14}},
      {"Towards a Co-operative Gloucestershire presentation", {2018, 11, 10}, {0}},
      {"Strategy Session for Member Councils", {2019, 1, 9}, {0}},
      {"Labour Local Government Conference", {2019, 2, 8}, {2019, 2, 9}},
      {"Scottish Labour Conference", {2019, 3, 8}, {2019, 3, 10}},
      {"Ways Forward Conference", {2019, 4, 5}, {0}},
      {"Co-operative Party Local Government Conference", {2019, 6, 8}, {0}},
      {"PSTA State of Transformation Conference", {2019, 6, 18}, {0}},
      {"Co-operative Congress and Co-operative of the Year Awards", {2019, 6, 20}, {2019, 6, 21}},
      {"Local Government Association Annual Conference & Exhibition", {2019, 7, 2}, {2019, 7, 4}},
  };
  c.events = year, c.n_events = sizeof year / sizeof year[0];
  c.title = NULL;
  rp_chart_box wide = box_std;
  wide.w = 480, wide.h = 170; /* an A4 column, 60 mm */
  size_t warned = fx->d.warnings;
  assert_int_equal(draw(fx, &c, &wide, &p), RP_OK);
  assert_int_equal(fx->d.warnings, warned);
  assert_inside(p, &wide);
  assert_no_text_overlap(p);
  double axis_y = find_text(p, "Oct")->y - c.label.size * RP_CHART_ASCENT - 3;
  size_t up = 0, down = 0;
  double top = INFINITY, bottom = -INFINITY;
  for (size_t i = 0; i < c.n_events; i++) {
    rp_item *t = find_text(p, year[i].label);
    assert_non_null(t);
    if (t->y < axis_y) up++, top = fmin(top, t->y);
    if (t->y > axis_y + 2 * c.label.size) down++, bottom = fmax(bottom, t->y);
  }
  assert_int_equal(up + down, c.n_events);
  assert_true(up > 0 && down > 0);
  /* both sides together are no taller than half the old staircase's 12 rows */
  double row = c.label.size * 1.35;
  assert_true(axis_y - top < row * 6 + 10 && bottom - axis_y < row * 6 + 30);
  /* no leader (a stroked vertical line) crosses a label */
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *l = item(p, i);
    if (l->kind != RP_ITEM_PATH || l->u.path.stroke.a == 0) continue;
    const rp_path_op *ops = l->u.path.ops;
    for (size_t q = 1; q < l->u.path.n_ops; q++) {
      if (ops[q].op != RP_PATH_LINE || fabs(ops[q].x[0] - ops[q - 1].x[0]) > 0.01) continue;
      double x = ops[q].x[0], y0 = fmin(ops[q].y[0], ops[q - 1].y[0]),
             y1 = fmax(ops[q].y[0], ops[q - 1].y[0]);
      for (size_t k = 0; k < p->items.len; k++) {
        rp_item *t = item(p, k);
        if (t->kind != RP_ITEM_TEXT) continue;
        double tt = t->y - t->u.text.size * RP_CHART_ASCENT,
               tb = t->y + t->u.text.size * RP_CHART_DESCENT;
        bool crosses = x > t->x + 0.5 && x < t->x + t->w - 0.5 && y0 < tb - 0.5 && y1 > tt + 0.5;
        if (crosses) fprintf(stderr, "a leader at x %.1f crosses \"%s\"\n", x, t->u.text.text);
        assert_false(crosses);
      }
    }
  }
  c.title = "Events, 2018–19";

  /* bad dates */
  rp_chart_event bad[] = {{"X", {2018, 13, 1}, {0}}};
  c.events = bad, c.n_events = 1;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "YYYY-MM-DD"));
  rp_chart_event back[] = {{"Y", {2018, 5, 3}, {2018, 5, 1}}};
  c.events = back;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "ends before"));
  c.n_events = 0;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
  /* a single event */
  rp_chart_event one[] = {{"Only", {2019, 2, 28}, {0}}};
  c.events = one, c.n_events = 1;
  rp_diag_fini(&fx->d);
  rp_diag_init(&fx->d);
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  assert_non_null(find_text(p, "Only"));
}

static void test_delta(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_delta(fx);
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  assert_inside(p, &box_std);
  assert_non_null(find_text(p,
                            "\xE2\x88\x92"
                            "3.2 %"));
  assert_non_null(find_text(p, "on 2017–18"));
  /* the mark points down (its apex is lowest) and is good (down is better) */
  rp_item *mark = item(p, 0);
  assert_int_equal(mark->kind, RP_ITEM_PATH);
  assert_true(mark->u.path.ops[1].y[0] > mark->u.path.ops[0].y[0]);
  assert_true(mark->u.path.fill.g > mark->u.path.fill.r);
  /* a rise where down is better: up, bad; formatted with its sign */
  c.delta = 4.5, c.delta_display = NULL, c.unit = "%";
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  mark = item(p, 0);
  assert_true(mark->u.path.ops[1].y[0] < mark->u.path.ops[0].y[0]);
  assert_true(mark->u.path.fill.r > mark->u.path.fill.g);
  assert_non_null(find_text(p, "+4.5%"));
  c.delta = NAN;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_ERR_INPUT);
}

/* Chart text falls back like body text: "₂" in a label is set in the
 * style's fallback face, the rest in its own, one run after the other. */
static void test_label_fallback_face(void **state) {
  fixture *fx = *state;
  int dejavu;
  dejavu = rp_test_font(&fx->fs, &fx->d, "fonts/DejaVuSans.ttf");
  rp_chart c = chart_hbar(fx);
  static const char *const k[] = {
      "t CO\xE2\x82\x82"
      "e saved",
      "MWh", "kWh", "Homes"};
  c.categories = (const char **)k;
  c.label.fallback[0] = dejavu;
  c.label.n_fallback = 1;
  rp_page *p;
  assert_int_equal(draw(fx, &c, &box_std, &p), RP_OK);
  const rp_item *co = find_text(p, "t CO"), *sub = find_text(p, "\xE2\x82\x82"),
                *rest = find_text(p, "e saved");
  assert_non_null(co);
  assert_non_null(sub);
  assert_non_null(rest);
  assert_int_equal(co->u.text.font, fx->regular);
  assert_int_equal(sub->u.text.font, dejavu);
  assert_int_equal(rest->u.text.font, fx->regular);
  assert_true(fabs(co->x + co->w - sub->x) < 1e-6 && fabs(sub->x + sub->w - rest->x) < 1e-6);
  assert_true(fabs(sub->y - co->y) < 1e-9);
}

/* ---- the gallery: rendered, read back, compared with the references ----- */

/* Compares two PNGs: mean absolute difference per channel < 2 and fewer than
 * 1 % of pixels differing by more than 64 in any channel. */
static bool png_close(const char *got, const char *want, double *mean, double *far) {
  cairo_surface_t *a = cairo_image_surface_create_from_png(got);
  cairo_surface_t *b = cairo_image_surface_create_from_png(want);
  bool ok = cairo_surface_status(a) == CAIRO_STATUS_SUCCESS &&
            cairo_surface_status(b) == CAIRO_STATUS_SUCCESS &&
            cairo_image_surface_get_width(a) == cairo_image_surface_get_width(b) &&
            cairo_image_surface_get_height(a) == cairo_image_surface_get_height(b);
  *mean = *far = 1e9;
  if (ok) {
    cairo_surface_flush(a), cairo_surface_flush(b);
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    int sa = cairo_image_surface_get_stride(a), sb = cairo_image_surface_get_stride(b);
    const unsigned char *pa = cairo_image_surface_get_data(a),
                        *pb = cairo_image_surface_get_data(b);
    double sum = 0;
    long n_far = 0;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        int worst = 0;
        for (int k = 0; k < 3; k++) {
          int d = abs(pa[y * sa + x * 4 + k] - pb[y * sb + x * 4 + k]);
          sum += d;
          if (d > worst) worst = d;
        }
        n_far += worst > 64;
      }
    *mean = sum / (3.0 * w * h);
    *far = (double)n_far / ((double)w * h);
    ok = *mean < 2 && *far < 0.01;
  }
  cairo_surface_destroy(a);
  cairo_surface_destroy(b);
  return ok;
}

/* Renders the given charts one per page into pdf. */
static void render_charts_opts(fixture *fx, const rp_chart *charts, size_t n, const char *pdf,
                               const rp_render_opts *opts) {
  rp_layout_doc doc = {.fonts = &fx->fs};
  for (size_t i = 0; i < n; i++) {
    rp_page *p = rp_vec_push(fx->a, &doc.pages, sizeof *p);
    p->width = 480, p->height = 300;
    rp_chart_box b = {.x = 20, .y = 20, .w = 440, .h = 260, .struct_id = 1};
    assert_int_equal(rp_charts_draw(fx->a, &charts[i], &fx->fs, &b, p, &fx->d), RP_OK);
  }
  assert_int_equal(rp_render_pdf(&doc, opts, pdf, &fx->d), RP_OK);
}

static void render_charts(fixture *fx, const rp_chart *charts, size_t n, const char *pdf) {
  render_charts_opts(fx, charts, n, pdf, NULL);
}

static void test_gallery(void **state) {
  fixture *fx = *state;
  rp_chart charts[N_GALLERY];
  for (size_t i = 0; i < N_GALLERY; i++) charts[i] = gallery[i].make(fx);
  char pdf[4200];
  snprintf(pdf, sizeof pdf, "%s/charts.pdf", rp_test_tmpdir());
  render_charts(fx, charts, N_GALLERY, pdf);
  if (fx->d.count) rp_test_diag_dump(&fx->d);
  assert_int_equal(fx->d.warnings, 0);

  rp_test_output t = rp_test_run("pdftotext -enc UTF-8 '%s' -", pdf);
  assert_int_equal(t.status, 0);
  for (size_t i = 0; i < N_GALLERY; i++) {
    if (!strstr(t.out, gallery[i].label)) fprintf(stderr, "no \"%s\"\n", gallery[i].label);
    assert_non_null(strstr(t.out, gallery[i].label));
  }
  rp_test_output_free(&t);

  t = rp_test_run("pdftoppm -r 72 -png '%s' '%s/page'", pdf, rp_test_tmpdir());
  assert_int_equal(t.status, 0);
  rp_test_output_free(&t);
  bool update = getenv("RP_UPDATE_GOLDEN") && *getenv("RP_UPDATE_GOLDEN") == '1';
  for (size_t i = 0; i < N_GALLERY; i++) {
    char got[4300], want[4300];
    snprintf(got, sizeof got, "%s/page-%02zu.png", rp_test_tmpdir(), i + 1);
    snprintf(want, sizeof want, "%s", rp_test_src("tests/golden/charts/"));
    snprintf(want + strlen(want), sizeof want - strlen(want), "%s.png", gallery[i].name);
    if (update) {
      rp_test_output cp = rp_test_run("cp '%s' '%s'", got, want);
      assert_int_equal(cp.status, 0);
      rp_test_output_free(&cp);
      continue;
    }
    double mean, far;
    bool ok = png_close(got, want, &mean, &far);
    if (!ok)
      fprintf(stderr, "%s differs from %s: mean %.2f, %.2f %% far\n", got, want, mean, far * 100);
    assert_true(ok);
  }
}

/* The comparison rejects a real change: the bar chart with one bar moved
 * (Aug 3 → 2, Jan 0 → 1) against the bar chart's reference. */
static void test_gallery_rejects_change(void **state) {
  fixture *fx = *state;
  rp_chart c = chart_bar(fx);
  c.series[0].values[4] = 2, c.series[0].values[9] = 1;
  char pdf[4200], got[4300];
  snprintf(pdf, sizeof pdf, "%s/changed.pdf", rp_test_tmpdir());
  render_charts(fx, &c, 1, pdf);
  rp_test_output t = rp_test_run("pdftoppm -r 72 -png '%s' '%s/changed'", pdf, rp_test_tmpdir());
  assert_int_equal(t.status, 0);
  rp_test_output_free(&t);
  snprintf(got, sizeof got, "%s/changed-1.png", rp_test_tmpdir());
  double mean, far;
  assert_false(png_close(got, rp_test_src("tests/golden/charts/bar.png"), &mean, &far));
  fprintf(stderr, "changed bar chart: mean %.2f, %.2f %% far\n", mean, far * 100);
  assert_true(far >= 0.01 || mean >= 2);
  /* and the unchanged chart passes */
  c = chart_bar(fx);
  render_charts(fx, &c, 1, pdf);
  t = rp_test_run("pdftoppm -r 72 -png '%s' '%s/changed'", pdf, rp_test_tmpdir());
  rp_test_output_free(&t);
  assert_true(png_close(got, rp_test_src("tests/golden/charts/bar.png"), &mean, &far));
}

/* Raster mode (--chart-dpi): each chart's paths become one image with an
 * SMask, its labels stay text, and the pages look like the vector ones. */
static void test_gallery_raster(void **state) {
  fixture *fx = *state;
  rp_chart charts[N_GALLERY];
  for (size_t i = 0; i < N_GALLERY; i++) charts[i] = gallery[i].make(fx);
  char pdf[4200];
  snprintf(pdf, sizeof pdf, "%s/raster.pdf", rp_test_tmpdir());
  rp_render_opts ro = {.chart_dpi = 150};
  /* size and time of both modes, for the record (docs/render.md) */
  char vec[4200];
  snprintf(vec, sizeof vec, "%s/vector.pdf", rp_test_tmpdir());
  struct timespec t0, t1, t2;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  render_charts(fx, charts, N_GALLERY, vec);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  render_charts_opts(fx, charts, N_GALLERY, pdf, &ro);
  clock_gettime(CLOCK_MONOTONIC, &t2);
  struct stat sv, sr;
  assert_int_equal(stat(vec, &sv), 0);
  assert_int_equal(stat(pdf, &sr), 0);
  fprintf(stderr, "%zu charts: vector %lld bytes %.1f ms, raster at 150 dpi %lld bytes %.1f ms\n",
          N_GALLERY, (long long)sv.st_size,
          (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, (long long)sr.st_size,
          (t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6);
  assert_true(sr.st_size > sv.st_size);
  rp_test_output t = rp_test_run("pdfimages -list '%s'", pdf);
  assert_int_equal(t.status, 0);
  size_t images = 0, smasks = 0;
  for (const char *l = t.out; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    int page, num;
    char type[16];
    if (sscanf(l, "%d %d %15s", &page, &num, type) != 3) continue;
    images += !strcmp(type, "image");
    smasks += !strcmp(type, "smask");
  }
  assert_int_equal(images, N_GALLERY);
  assert_int_equal(smasks, N_GALLERY);
  rp_test_output_free(&t);
  t = rp_test_run("pdftotext -enc UTF-8 '%s' -", pdf);
  for (size_t i = 0; i < N_GALLERY; i++) assert_non_null(strstr(t.out, gallery[i].label));
  rp_test_output_free(&t);
  t = rp_test_run("pdftoppm -r 72 -png '%s' '%s/raster'", pdf, rp_test_tmpdir());
  assert_int_equal(t.status, 0);
  rp_test_output_free(&t);
  for (size_t i = 0; i < N_GALLERY; i++) {
    char got[4300], want[4300];
    snprintf(got, sizeof got, "%s/raster-%02zu.png", rp_test_tmpdir(), i + 1);
    snprintf(want, sizeof want, "%s%s.png", rp_test_src("tests/golden/charts/"), gallery[i].name);
    double mean, far;
    png_close(got, want, &mean, &far);
    fprintf(stderr, "raster %s: mean %.2f, %.2f %% far\n", gallery[i].name, mean, far * 100);
    /* poppler snaps images to its pixels: edges move by up to a pixel, so
     * looser than vector against vector, yet far below a changed chart
     * (test_gallery_rejects_change: mean 11.5, 7.2 % far) */
    assert_true(mean < 3 && far < 0.03);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ticks),
      cmocka_unit_test(test_format),
      cmocka_unit_test_setup_teardown(test_label_kerning, setup, teardown),
      cmocka_unit_test(test_format_number),
      cmocka_unit_test_setup_teardown(test_contrast, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bar, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hbar, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bar_grouped_stacked, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bar_negative, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bar_bad_data, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bar_long_label, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bar_dense, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_labels, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pie, setup, teardown),
      cmocka_unit_test_setup_teardown(test_flow, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delta, setup, teardown),
      cmocka_unit_test_setup_teardown(test_label_fallback_face, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gallery, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gallery_rejects_change, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gallery_raster, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
