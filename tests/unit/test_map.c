/* test_map — the membership map (charts/map*.c) checked on its positioned
 * items: the projection places towns where they are relative to each other
 * with the UK's proportions; every label lies inside the box, clear of every
 * other label and of every marker, for the 2018–19 members and for the
 * second sample's 44 places in Wales and Scotland (and a denser synthetic
 * set); bad outlines and bad places are refused with where and why. One map
 * is rendered to a PDF and read back. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "base/arena.h"
#include "base/mem.h"
#include "charts/charts.h"
#include "charts/map.h"
#include "charts/memo.h"
#include "font/font.h"
#include "page/items.h"
#include "render/render.h"

typedef struct place {
  const char *name, *kind;
  double lat, lon;
} place;

/* data/ccin-2018-19.xml, membership/member[@lat] */
static const place members_2018[] = {
    {"Stevenage Borough Council", "member", 51.9020, -0.2000},
    {"Cardiff Council", "member", 51.4816, -3.1791},
    {"Croydon Council", "member", 51.3714, -0.0977},
    {"Rochdale Borough Council", "member", 53.6097, -2.1561},
    {"Newcastle City Council", "member", 54.9783, -1.6100},
    {"Sunderland City Council", "member", 54.9061, -1.3811},
    {"Oldham Council", "member", 53.5409, -2.1114},
    {"Plymouth City Council", "member", 50.3755, -4.1427},
    {"South Tyneside Council", "member", 54.9986, -1.4323},
    {"Knowsley Metropolitan Borough Council", "member", 53.4110, -2.8390},
    {"Salford City Council", "member", 53.4875, -2.2901},
    {"Lambeth Council", "member", 51.4613, -0.1157},
    {"Liverpool City Council", "member", 53.4075, -2.9775},
    {"Kirklees Council", "member", 53.6458, -1.7850},
    {"Preston City Council", "member", 53.7590, -2.6990},
    {"Rotherham Metropolitan Borough Council", "member", 53.4326, -1.3635},
    {"Telford and Wrekin Council", "member", 52.6784, -2.4453},
    {"Glasgow City Council", "member", 55.8611, -4.2502},
    {"City of Edinburgh Council", "member", 55.9533, -3.1883},
    {"Bristol City Council", "member", 51.4524, -2.6003},
    {"Sheffield City Council", "member", 53.3811, -1.4701},
    {"Barnsley Metropolitan Borough Council", "member", 53.5526, -1.4797},
    {"Sefton Council", "member", 53.4460, -2.9920},
    {"Calderdale Council", "member", 53.7248, -1.8658},
    {"Redcar and Cleveland Borough Council", "member", 54.6130, -1.0720},
    {"Swansea Council", "member", 51.6214, -3.9436},
    {"Vale of Glamorgan Council", "member", 51.4000, -3.2750},
    {"Cheshire West and Chester Council", "member", 53.1934, -2.8931},
    {"Halewood Town Council", "associate", 53.3590, -2.8310},
    {"North Warwickshire Labour Group", "associate", 52.5785, -1.5463},
    {"Staffordshire Labour & Co-operative Group", "associate", 52.8067, -2.1170},
    {"Hillingdon Labour & Co-operative Group", "associate", 51.5463, -0.4786},
    {"Gloucestershire County Council", "associate", 51.8642, -2.2447},
    {"Brighton and Hove City Council", "associate", 50.8225, -0.1372},
};

/* The second sample (data/seren-solas-2024-25.xml), membership/member[@lat]:
 * 44 places in Wales and Scotland, two in Inverness 2 km apart. */
static const place members_seren[] = {
    {"Cydweithfa Ynni Caseg", "energy-coop", 53.1797, -4.0594},
    {"Pŵer Pentref Llanberis", "energy-coop", 53.1183, -4.1299},
    {"Egni Tref Caernarfon", "cbs", 53.1396, -4.2739},
    {"Cydweithfa Haul Pen Llŷn", "energy-coop", 52.8883, -4.4168},
    {"Cydweithfa Dŵr Moelwyn", "energy-coop", 52.9946, -3.9380},
    {"Pŵer Môn Community Benefit Society", "cbs", 53.2560, -4.3110},
    {"Ymddiriedolaeth Gwres Dyffryn Dyfi", "charity", 52.5903, -3.8513},
    {"Ynni Mawddach", "energy-coop", 52.7431, -3.8856},
    {"Cymdeithas Budd Cymunedol Ynni Adnewyddadwy Dyffryn Teifi ac Aeron", "cbs", 52.0430, -4.3110},
    {"Ynni Bro Teifi", "energy-coop", 52.0833, -4.6607},
    {"Pembrokeshire Coast Sun and Wind Co-operative", "energy-coop", 51.8812, -5.2660},
    {"Narberth and District Development Trust", "development-trust", 51.7990, -4.7430},
    {"Egni Dyffryn Tywi", "cbs", 51.8840, -3.9930},
    {"Ymddiriedolaeth Cwm Tawe", "charity", 51.7810, -3.7510},
    {"Mumbles Head Solar Co-operative", "energy-coop", 51.5700, -4.1000},
    {"Rhondda Fach and Fawr Hydro", "cbs", 51.6590, -3.5060},
    {"Cymdeithas Ynni’r Bannau", "cbs", 51.8241, -3.0170},
    {"Monnow Valley Community Solar", "energy-coop", 51.8116, -2.7163},
    {"Cwlwm Credit Union", "credit-union", 51.4816, -3.1791},
    {"Ymddiriedolaeth Datblygu’r Drenewydd", "development-trust", 52.5132, -3.3141},
    {"Ynni Dyffryn Clwyd", "energy-coop", 53.1148, -3.3108},
    {"Prifysgol Glannau Dyfi, Rural Energy Research Centre", "supporter", 52.4153, -4.0829},
    {"Urras Lùth Steòrnabhaigh (Stornoway Energy Trust)", "cbs", 58.2090, -6.3880},
    {"Urras Tìr Bharraigh (Barra Land Trust)", "cbs", 56.9550, -7.4880},
    {"Scarinish Wind and Wave Trust", "cbs", 56.5000, -6.8000},
    {"Tobermory Harbour Energy", "cbs", 56.6230, -6.0670},
    {"Urras Leasachaidh an Eilein Sgitheanaich", "development-trust", 57.4120, -6.1960},
    {"Galmisdale Hydro Society", "cbs", 56.8790, -6.1320},
    {"Loch Broom Community Wind Co-operative", "energy-coop", 57.8950, -5.1600},
    {"Glen Nevis Hydro Community Benefit Society", "cbs", 56.8198, -5.1052},
    {"Lorn and Oban Development Trust", "development-trust", 56.4150, -5.4720},
    {"Caledonian Crofters’ Credit Union", "credit-union", 57.4778, -4.2247},
    {"Oilthigh nan Eilean Energy Research Group", "supporter", 57.4700, -4.2000},
    {"Caithness Community Wind Co-operative", "energy-coop", 58.5930, -3.5220},
    {"Orkney Tidal Community Society", "cbs", 58.9810, -2.9600},
    {"Shetland Community Wind", "cbs", 60.1550, -1.1450},
    {"Cairngorms Warm Homes", "charity", 57.1950, -3.8260},
    {"Findhorn Bay Solar Co-operative", "energy-coop", 57.6090, -3.6180},
    {"Forth Valley Solar Co-operative", "energy-coop", 56.1165, -3.9369},
    {"Tay Valley Development Trust", "development-trust", 56.3950, -3.4308},
    {"Kintyre Community Power", "cbs", 55.4250, -5.6060},
    {"Dumfries and Galloway Community Wind Co-operative", "energy-coop", 55.0700, -3.6050},
    {"Borders Fuel Poverty Action", "charity", 55.6170, -2.8060},
    {"Govan Rooftop Solar Co-operative", "energy-coop", 55.8642, -4.2518},
};

/* ---- fixture ------------------------------------------------------------- */

typedef struct fixture {
  rp_arena *a;
  rp_fontset fs;
  int regular, bold;
  rp_diag d;
  rp_page page;
  rp_chart_box box;
  bool inset;           /* draw with London in an inset */
  rp_color label_color; /* a == 0: dark grey */
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  fx->a = rp_arena_new();
  rp_fontset_init(&fx->fs);
  rp_diag_init(&fx->d);
  fx->regular = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Regular.ttf");
  fx->bold = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Bold.ttf");
  fx->page.width = 595.2756, fx->page.height = 841.8898;
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

static rp_chart_key keys_2018[] = {{"member", "Member councils", {0, 0, 0, 0}},
                                   {"associate", "Associate members", {0, 0, 0, 0}}};
static rp_chart_key keys_seren[] = {
    {"energy-coop", "Energy co-operative", {0.122f, 0.435f, 0.361f, 1}},
    {"cbs", "Community benefit society", {0.788f, 0.510f, 0.169f, 1}},
    {"development-trust", "Development trust", {0.231f, 0.357f, 0.647f, 1}},
    {"charity", "Community charity", {0.612f, 0.239f, 0.329f, 1}},
    {"credit-union", "Credit union", {0.416f, 0.416f, 0.416f, 1}},
    {"supporter", "Supporting member", {0.541f, 0.651f, 0.227f, 1}},
};

/* Draws the places into a w × h box at (50, 60) of the fixture's page. */
static rp_status draw(fixture *fx, const place *pl, size_t n, rp_chart_key *keys, size_t n_keys,
                      double w, double h, const char *outline) {
  rp_chart *c = rp_arena_alloc(fx->a, sizeof *c);
  c->kind = RP_CHART_MAP;
  c->points = rp_arena_calloc(fx->a, n + 1, sizeof *c->points);
  for (size_t i = 0; i < n; i++)
    c->points[i] = (rp_map_point){pl[i].name, pl[i].kind, pl[i].lat, pl[i].lon};
  c->n_points = n;
  c->outline_path = outline ? outline : rp_test_src("data/map/uk-outline.txt");
  c->keys = keys, c->n_keys = n_keys;
  c->label = (rp_chart_text){.font = fx->regular, .size = 7, .color = {0.25f, 0.25f, 0.25f, 1}};
  if (fx->label_color.a > 0) c->label.color = fx->label_color;
  c->value = (rp_chart_text){.font = fx->bold, .size = 7, .color = {0, 0, 0, 1}};
  c->heading = (rp_chart_text){.font = fx->bold, .size = 10, .color = {0, 0, 0, 1}};
  c->background = (rp_color){1, 1, 1, 1};
  if (fx->inset) {
    c->has_inset = true;
    c->inset_lat[0] = 51.28, c->inset_lat[1] = 51.69;
    c->inset_lon[0] = -0.51, c->inset_lon[1] = 0.33;
  }
  fx->page.items = (rp_vec){0};
  fx->box = (rp_chart_box){50, 60, w, h, 7, {"layout.xml", 12, "content.xml", 34}};
  return rp_charts_draw(fx->a, c, &fx->fs, &fx->box, &fx->page, &fx->d);
}

static rp_item *item(fixture *fx, size_t i) { return &RP_VEC_AT(fx->page.items, rp_item, i); }

/* Markers and dots are the circles: path items as wide as they are tall. */
static bool is_circle(const rp_item *it) {
  return it->kind == RP_ITEM_PATH && fabs(it->w - it->h) < 0.02 && it->w < 30 &&
         it->u.path.fill.a > 0;
}

typedef struct rect {
  double x0, y0, x1, y1;
} rect;

/* The ink of a text item: cap height and accents above the baseline, the
 * descenders below. */
static rect text_rect(const rp_item *it) {
  return (rect){it->x, it->y - 0.75 * it->h, it->x + it->w, it->y + 0.2 * it->h};
}

static bool overlap(rect a, rect b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/* A group's count, drawn inside its marker: not a label. */
static bool inside_circle(const rp_item *t, const rp_item *c) {
  double cx = c->x + c->w / 2, cy = c->y + c->h / 2;
  return fabs(t->x + t->w / 2 - cx) < 0.5 && t->w < c->w && fabs(t->y - t->h * 0.36 - cy) < 1;
}

/* Every label inside the box, none over another or over a marker; every
 * place named by some label (a long name on two lines). */
static void check_labels(fixture *fx, const place *pl, size_t n) {
  size_t ni = fx->page.items.len, labels = 0, circles = 0;
  const rp_chart_box *b = &fx->box;
  for (size_t i = 0; i < ni; i++) {
    rp_item *t = item(fx, i);
    if (t->kind != RP_ITEM_TEXT) continue;
    bool count = false;
    for (size_t j = 0; j < ni; j++)
      if (is_circle(item(fx, j)) && inside_circle(t, item(fx, j))) count = true;
    if (count) continue;
    labels++;
    rect r = text_rect(t);
    if (!(r.x0 >= b->x - 0.01 && r.x1 <= b->x + b->w + 0.01 && t->y - t->h * 0.8 >= b->y - 0.01 &&
          t->y + t->h * 0.25 <= b->y + b->h + 0.01))
      fail_msg("label \"%s\" leaves the box", t->u.text.text);
    for (size_t j = i + 1; j < ni; j++) {
      rp_item *u = item(fx, j);
      if (u->kind == RP_ITEM_TEXT && overlap(r, text_rect(u)))
        fail_msg("labels \"%s\" and \"%s\" overlap", t->u.text.text, u->u.text.text);
    }
    for (size_t j = 0; j < ni; j++) {
      rp_item *c = item(fx, j);
      if (!is_circle(c)) continue;
      rect cr = {c->x, c->y, c->x + c->w, c->y + c->h};
      if (overlap(r, cr)) fail_msg("label \"%s\" covers a marker", t->u.text.text);
    }
  }
  for (size_t j = 0; j < ni; j++) circles += is_circle(item(fx, j));
  assert_true(labels >= n / 2);
  assert_true(circles >= 2);
  for (size_t p = 0; p < n; p++) {
    bool found = false;
    for (size_t i = 0; i < ni && !found; i++) {
      rp_item *t = item(fx, i);
      if (t->kind != RP_ITEM_TEXT) continue;
      if (strcmp(t->u.text.text, pl[p].name) == 0) found = true;
      for (size_t j = i + 1; j < ni && !found; j++) {
        rp_item *u = item(fx, j);
        if (u->kind != RP_ITEM_TEXT) continue;
        size_t lt = strlen(t->u.text.text);
        if (strncmp(pl[p].name, t->u.text.text, lt) == 0 && pl[p].name[lt] == ' ' &&
            strcmp(pl[p].name + lt + 1, u->u.text.text) == 0)
          found = true;
        break;
      }
    }
    if (!found) fail_msg("place \"%s\" has no label", pl[p].name);
  }
}

/* ---- projection ---------------------------------------------------------- */

static const place towns[] = {
    {"Plymouth", "member", 50.3755, -4.1427},  {"Newcastle", "member", 54.9783, -1.6100},
    {"Glasgow", "member", 55.8611, -4.2502},   {"Cardiff", "member", 51.4816, -3.1791},
    {"Edinburgh", "member", 55.9533, -3.1883}, {"London", "member", 51.5074, -0.1278},
};

/* The centre of the i-th marker (markers come first among the circles, in
 * the order of their places when none is grouped). */
static void marker(fixture *fx, size_t i, double *x, double *y) {
  for (size_t j = 0, k = 0; j < fx->page.items.len; j++) {
    rp_item *c = item(fx, j);
    if (!is_circle(c)) continue;
    if (k++ == i) {
      *x = c->x + c->w / 2, *y = c->y + c->h / 2;
      return;
    }
  }
  fail_msg("no marker %zu", i);
}

static void test_projection_places_towns(void **state) {
  fixture *fx = *state;
  assert_int_equal(draw(fx, towns, 6, keys_2018, 2, 400, 520, NULL), RP_OK);
  double x[6], y[6];
  for (size_t i = 0; i < 6; i++) marker(fx, i, &x[i], &y[i]);
  /* y grows downwards on the page */
  assert_true(x[0] < x[1] && y[0] > y[1]); /* Plymouth south-west of Newcastle */
  assert_true(y[2] < y[3]);                /* Glasgow north of Cardiff */
  assert_true(x[2] < x[4]);                /* Glasgow west of Edinburgh */
  assert_true(x[3] < x[5]);                /* Cardiff west of London */
  /* and roughly where they belong: 1° of latitude is about as many points
   * everywhere, Glasgow–Cardiff 4.38° apart */
  double per_deg = (y[3] - y[2]) / (55.8611 - 51.4816);
  assert_true(fabs((y[0] - y[3]) / per_deg - (51.4816 - 50.3755)) < 0.01);
  check_labels(fx, towns, 6);
}

static void test_projection_aspect(void **state) {
  fixture *fx = *state;
  const place p[] = {{"A", "member", 54, -3}, {"B", "member", 55, -3}, {"C", "member", 54, -2}};
  assert_int_equal(draw(fx, p, 3, keys_2018, 2, 400, 520, NULL), RP_OK);
  double ax, ay, bx, by, cx, cy;
  marker(fx, 0, &ax, &ay), marker(fx, 1, &bx, &by), marker(fx, 2, &cx, &cy);
  double lat_pt = ay - by, lon_pt = cx - ax;
  assert_true(lat_pt > 10 && fabs(ax - bx) < 1e-6 && fabs(ay - cy) < 1e-6);
  /* Longitude is scaled by the cosine of the mean latitude shown: the UK's
   * extent (Great Britain and Northern Ireland, 49.91 to 60.85 N) gives
   * 55.38 N. Unscaled (plate carrée) would give 1, Mercator 1/cos(54°)·cos. */
  double expect = cos((49.9098 + 60.8484) / 2 * M_PI / 180);
  assert_true(fabs(lon_pt / lat_pt - expect) < 0.003);
  assert_true(fabs(lon_pt / lat_pt - cos(54 * M_PI / 180)) < 0.03);
}

/* ---- labels -------------------------------------------------------------- */

static void test_labels_2018_members(void **state) {
  fixture *fx = *state;
  size_t n = sizeof members_2018 / sizeof members_2018[0];
  assert_int_equal(n, 34);
  rp_status st = draw(fx, members_2018, n, keys_2018, 2, 482, 360, NULL);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  check_labels(fx, members_2018, n);
  assert_int_equal(fx->d.warnings, 0); /* at the style's size */
}

static void test_labels_second_sample(void **state) {
  fixture *fx = *state;
  size_t n = sizeof members_seren / sizeof members_seren[0];
  assert_int_equal(n, 44);
  rp_status st = draw(fx, members_seren, n, keys_seren, 6, 482, 480, NULL);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  check_labels(fx, members_seren, n);
  assert_int_equal(fx->d.warnings, 0); /* at the style's size */
}

/* 45 places around nine towns of South Wales, the Highlands and the Central
 * Belt, five to a town, each within 5 km of its town. */
static void test_labels_dense_synthetic(void **state) {
  fixture *fx = *state;
  static const place towns9[] = {
      {"Cardiff", NULL, 51.4816, -3.1791},   {"Newport", NULL, 51.5842, -2.9977},
      {"Swansea", NULL, 51.6214, -3.9436},   {"Merthyr", NULL, 51.7487, -3.3816},
      {"Inverness", NULL, 57.4778, -4.2247}, {"Fort William", NULL, 56.8198, -5.1052},
      {"Glasgow", NULL, 55.8611, -4.2502},   {"Edinburgh", NULL, 55.9533, -3.1883},
      {"Stirling", NULL, 56.1165, -3.9369},
  };
  place p[45];
  static char names[45][48];
  for (size_t i = 0; i < 45; i++) {
    const place *t = &towns9[i % 9];
    size_t k = i / 9;
    snprintf(names[i], sizeof names[i], "%s place %zu", t->name, k + 1);
    p[i] = (place){names[i], k % 2 ? "cbs" : "energy-coop",
                   t->lat + 0.012 * (double)k * (k % 2 ? 1 : -1), t->lon + 0.02 * (double)k};
  }
  rp_status st = draw(fx, p, 45, keys_seren, 6, 482, 480, NULL);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  check_labels(fx, p, 45);
  /* that dense, some places are grouped: a numbered marker, and no warning
   * (grouping is how the map shows a cluster, not a fallback) */
  size_t counts = 0;
  for (size_t i = 0; i < fx->page.items.len; i++)
    for (size_t j = 0; j < fx->page.items.len; j++)
      if (item(fx, i)->kind == RP_ITEM_TEXT && is_circle(item(fx, j)) &&
          inside_circle(item(fx, i), item(fx, j)))
        counts++;
  assert_true(counts >= 1);
  assert_int_equal(fx->d.warnings, 0);
}

/* The 2018–19 members and four more London boroughs (data/map/uk-councils.tsv),
 * with London in an inset. */
static const place london_more[] = {
    {"Royal Borough of Greenwich", "member", 51.4893, 0.0648},
    {"London Borough of Tower Hamlets", "member", 51.5188, -0.0596},
    {"London Borough of Lewisham", "member", 51.4451, -0.0206},
    {"London Borough of Southwark", "member", 51.5020, -0.0780},
};

static size_t with_london(place *p) {
  size_t n = 0;
  for (size_t i = 0; i < 34; i++) p[n++] = members_2018[i];
  for (size_t i = 0; i < 4; i++) p[n++] = london_more[i];
  return n;
}

static void test_inset_london(void **state) {
  fixture *fx = *state;
  place p[40];
  size_t n = with_london(p);
  fx->inset = true;
  rp_status st = draw(fx, p, n, keys_2018, 2, 482, 360, NULL);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  assert_int_equal(fx->d.warnings, 0);
  check_labels(fx, p, n);
  /* the inset: a framed area (a stroked rectangle) in the box, holding
   * London's seven markers with their names */
  rp_item *frame = NULL;
  for (size_t i = 0; i < fx->page.items.len; i++) {
    rp_item *it = item(fx, i);
    if (it->kind == RP_ITEM_PATH && it->u.path.n_ops <= 6 && it->u.path.fill.a == 0 &&
        it->u.path.stroke.a > 0 && it->w > 100 && it->h > 50)
      frame = it;
  }
  assert_non_null(frame);
  assert_true(frame->x >= fx->box.x && frame->x + frame->w <= fx->box.x + fx->box.w + 0.01);
  size_t inside = 0;
  for (size_t i = 0; i < fx->page.items.len; i++) {
    rp_item *c = item(fx, i);
    if (is_circle(c) && c->w > 4 && c->x > frame->x && c->x + c->w < frame->x + frame->w &&
        c->y > frame->y && c->y + c->h < frame->y + frame->h)
      inside++;
  }
  assert_true(inside >= 3); /* seven places: markers, or groups of them */
}

/* Every place in the inset: the main map keeps the legend. */
static void test_inset_only(void **state) {
  fixture *fx = *state;
  fx->inset = true;
  assert_int_equal(draw(fx, london_more, 4, keys_2018, 2, 482, 360, NULL), RP_OK);
  check_labels(fx, london_more, 4);
  bool legend = false;
  for (size_t i = 0; i < fx->page.items.len; i++)
    if (item(fx, i)->kind == RP_ITEM_TEXT &&
        strcmp(item(fx, i)->u.text.text, "Member councils (4)") == 0)
      legend = true;
  assert_true(legend);
}

/* The legend's first line ("Member councils (28)"), NULL when not drawn. */
static rp_item *legend_line(fixture *fx, const char *text) {
  for (size_t i = 0; i < fx->page.items.len; i++)
    if (item(fx, i)->kind == RP_ITEM_TEXT && strcmp(item(fx, i)->u.text.text, text) == 0)
      return item(fx, i);
  return NULL;
}

/* The legend keeps in from the frame's edges (a full-bleed map's edge is
 * trimmed) and, in a frame wider than the map, sits beside the land, off it;
 * it covers no marker and no label (check_labels). */
static void test_legend_place(void **state) {
  fixture *fx = *state;
  size_t n = sizeof members_2018 / sizeof members_2018[0];
  const double sizes[3][2] = {{482, 360}, {700, 330}, {300, 420}};
  for (int k = 0; k < 3; k++) {
    assert_int_equal(draw(fx, members_2018, n, keys_2018, 2, sizes[k][0], sizes[k][1], NULL),
                     RP_OK);
    check_labels(fx, members_2018, n);
    rp_item *t = legend_line(fx, "Member councils (28)");
    assert_non_null(t);
    const rp_chart_box *b = &fx->box;
    double in = 3 + 7 * 1.1; /* 3 pt at least, and the legend's marker before its text */
    assert_true(t->x >= b->x + in - 0.01 && t->x + t->w <= b->x + b->w - 3 + 0.01);
    assert_true(t->y - t->h >= b->y + 3 - 0.01 && t->y + t->h * 1.5 <= b->y + b->h - 3 + 0.01);
    if (k != 1) continue;
    /* wide: the legend lies beside the land (the largest path: Great Britain) */
    rp_item *land = NULL;
    for (size_t i = 0; i < fx->page.items.len; i++) {
      rp_item *it = item(fx, i);
      if (it->kind == RP_ITEM_PATH && (!land || it->w * it->h > land->w * land->h)) land = it;
    }
    assert_non_null(land);
    assert_true(t->x + t->w <= land->x || t->x - 7 * 1.1 >= land->x + land->w);
  }
}

/* ---- the outline and the look --------------------------------------------- */

/* The land paths' vertices (a move or line that starts or continues a
 * ring) and their closes, in paths of at least `min_ops` operators. */
static void count_vertices(fixture *fx, size_t min_ops, size_t *drawn, size_t *closes) {
  *drawn = *closes = 0;
  for (size_t i = 0; i < fx->page.items.len; i++) {
    rp_item *it = item(fx, i);
    if (it->kind != RP_ITEM_PATH || it->u.path.n_ops < min_ops) continue;
    for (size_t k = 0; k < it->u.path.n_ops; k++) {
      rp_path_op_kind op = it->u.path.ops[k].op;
      bool starts = op == RP_PATH_MOVE && k + 1 < it->u.path.n_ops &&
                    it->u.path.ops[k + 1].op == RP_PATH_LINE;
      *drawn += op == RP_PATH_LINE || starts;
      *closes += op == RP_PATH_CLOSE;
    }
  }
}

/* Every ring of the outline file is drawn, with the detail its printed size
 * shows: fewer points than the file has on a map of the review's size (about
 * 200 × 260 pt), more on a map four times as large. */
static void test_outline_all_rings(void **state) {
  fixture *fx = *state;
  FILE *f = fopen(rp_test_src("data/map/uk-outline.txt"), "r");
  assert_non_null(f);
  char line[300];
  size_t points = 0, rings = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    if (strncmp(line, "ring ", 5) == 0)
      rings++;
    else
      points++;
  }
  fclose(f);
  assert_true(points > 3900 && rings > 60);
  size_t small, large, closes;
  assert_int_equal(draw(fx, towns, 6, keys_2018, 2, 200, 260, NULL), RP_OK);
  count_vertices(fx, 100, &small, &closes);
  assert_int_equal(closes, rings);
  assert_true(small < points * 9 / 10 && small > points / 4);
  assert_int_equal(draw(fx, towns, 6, keys_2018, 2, 800, 1040, NULL), RP_OK);
  count_vertices(fx, 100, &large, &closes);
  assert_int_equal(closes, rings);
  assert_true(large > small && large <= points);
}

/* A square ring of 4 × 50 points on straight sides, with a bump of 0.05°
 * (several points on this map) on its south side and one of 0.0002° (a
 * fortieth of a point) on its north side: the sides' inner points and the
 * small bump go, the corners and the large bump stay. */
static void test_outline_simplified(void **state) {
  fixture *fx = *state;
  char *text = rp_arena_alloc(fx->a, 64 * 1024), *o = text;
  o += sprintf(o, "ring GB 200\n");
  for (int i = 0; i < 50; i++) /* south, west to east; the bump at i = 25 */
    o += sprintf(o, "%.4f %.4f\n", -5 + 0.1 * i, i == 25 ? 51.95 : 52.0);
  for (int i = 0; i < 50; i++) o += sprintf(o, "%.4f %.4f\n", 0.0, 52 + 0.08 * i);
  for (int i = 0; i < 50; i++) /* north, east to west; the small bump at i = 25 */
    o += sprintf(o, "%.4f %.4f\n", -0.1 * i, i == 25 ? 56.0002 : 56.0);
  for (int i = 0; i < 50; i++) o += sprintf(o, "%.4f %.4f\n", -5.0, 56 - 0.08 * i);
  const char *path = rp_test_write("square-outline.txt", text);
  static const place inside[] = {{"Middle", "member", 54.0, -2.5}};
  assert_int_equal(draw(fx, inside, 1, keys_2018, 2, 400, 520, path), RP_OK);
  const rp_item *land = NULL;
  for (size_t i = 0; i < fx->page.items.len; i++) {
    const rp_item *it = item(fx, i);
    if (it->kind == RP_ITEM_PATH && (!land || it->u.path.n_ops > land->u.path.n_ops)) land = it;
  }
  assert_non_null(land);
  /* m at the south-west corner, then l to the bump's three points and the
   * other three corners, h */
  size_t lines = 0, moves = 0;
  double bottom = -INFINITY;
  for (size_t k = 0; k < land->u.path.n_ops; k++) {
    lines += land->u.path.ops[k].op == RP_PATH_LINE;
    moves += land->u.path.ops[k].op == RP_PATH_MOVE && k + 1 < land->u.path.n_ops &&
             land->u.path.ops[k + 1].op == RP_PATH_LINE;
    if (land->u.path.ops[k].op != RP_PATH_CLOSE) bottom = fmax(bottom, land->u.path.ops[k].y[0]);
  }
  assert_int_equal(moves, 1);
  assert_int_equal(lines, 6);
  assert_true(bottom > land->u.path.ops[0].y[0] + 1); /* the bump's tip, below the corner */
}

static double lin(double c) { return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4); }
static double lum(rp_color c) { return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b); }
static double contrast(rp_color a, rp_color b) {
  double x = lum(a), y = lum(b);
  return (fmax(x, y) + 0.05) / (fmin(x, y) + 0.05);
}

/* Labels read at 4.5:1 on the land and on the sea, even when the style asks
 * for a pale grey. */
static void test_label_contrast(void **state) {
  fixture *fx = *state;
  fx->label_color = (rp_color){0.7f, 0.7f, 0.7f, 1}; /* 2.3:1 on white */
  assert_int_equal(draw(fx, members_2018, 34, keys_2018, 2, 482, 360, NULL), RP_OK);
  rp_color land = {0}, white = {1, 1, 1, 1};
  size_t most = 0;
  for (size_t i = 0; i < fx->page.items.len; i++) {
    rp_item *it = item(fx, i);
    if (it->kind == RP_ITEM_PATH && it->u.path.n_ops > most)
      most = it->u.path.n_ops, land = it->u.path.fill; /* Great Britain */
  }
  assert_true(land.a > 0 && contrast(land, white) > 1.1); /* a visible land tone */
  size_t labels = 0;
  for (size_t i = 0; i < fx->page.items.len; i++) {
    rp_item *it = item(fx, i);
    if (it->kind != RP_ITEM_TEXT || it->u.text.font != fx->regular) continue;
    labels++;
    assert_true(contrast(it->u.text.color, land) >= 4.5);
    assert_true(contrast(it->u.text.color, white) >= 4.5);
  }
  assert_true(labels >= 20);
}

/* 80 places scattered over Wales and the West of England (a fixed
 * pseudo-random set): all named, nothing overlapping, no fallback. */
static void test_many_places(void **state) {
  fixture *fx = *state;
  static place p[80];
  static char names[80][40];
  unsigned r = 12345;
  for (size_t i = 0; i < 80; i++) {
    r = r * 1103515245u + 12345u;
    double a = (r >> 8) % 10000 / 10000.0;
    r = r * 1103515245u + 12345u;
    double b = (r >> 8) % 10000 / 10000.0;
    snprintf(names[i], sizeof names[i], "Place number %zu", i);
    p[i] = (place){names[i], i % 3 ? "member" : "associate", 51.0 + a * 4.5, -3.5 + b * 3.5};
  }
  rp_status st = draw(fx, p, 80, keys_2018, 2, 482, 500, NULL);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  check_labels(fx, p, 80);
  assert_int_equal(fx->d.warnings, 0);
}

/* The outline's numbers are read exactly as strtod reads them (map_outline.c
 * parses plain decimals itself): every point of the stock outline, and a
 * ring of the forms it leaves to strtod. */
static void expect_points_as_strtod(fixture *fx, const char *path) {
  rp_map_outline o;
  rp_src src = {0};
  assert_int_equal(rp_map_outline_read(fx->a, path, &src, &fx->d, &o), RP_OK);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[300];
  size_t r = 0, k = 0, checked = 0;
  while (fgets(line, sizeof line, f)) {
    const char *s = line + strspn(line, " \t");
    if (*s == '#' || *s == '\n' || *s == '\0') continue;
    if (strncmp(s, "ring ", 5) == 0) {
      if (checked) r++;
      k = 0;
      checked = 1;
      continue;
    }
    char *end;
    double lon = strtod(s, &end), lat = strtod(end, NULL);
    assert_true(r < o.n_rings && k < o.rings[r].n);
    /* bit for bit */
    assert_memory_equal(&o.rings[r].pt[2 * k], &lon, sizeof lon);
    assert_memory_equal(&o.rings[r].pt[2 * k + 1], &lat, sizeof lat);
    k++;
  }
  fclose(f);
  assert_int_equal(r + 1, o.n_rings);
}

static void test_outline_numbers_as_strtod(void **state) {
  fixture *fx = *state;
  expect_points_as_strtod(fx, rp_test_src("data/map/uk-outline.txt"));
  const char *path = rp_test_write("odd-numbers.txt",
                                   "ring GB 9\n"
                                   "-3.1234567890123456789 51.0000000000000000001\n"
                                   "  +2.5\t.5\n"
                                   "-0 -0.0\n"
                                   "1e1 5E-1\n"
                                   "0x1p3 -0X1.8p1\n"
                                   "179.99999999999999 -89.999999999999999\n"
                                   "0.1 0.30000000000000004\n"
                                   "5. -5.\n"
                                   "00012.50 -000.000125\n");
  expect_points_as_strtod(fx, path);
  /* fifteen digits and 22 after the point (the fast path's edges), one
   * more (strtod's); CRLF lines, and a last line without its newline */
  path = rp_test_write("edge-numbers.txt",
                       "ring GB 4\r\n"
                       "0.12345678901234 0.0000000000000000000001\r\n"
                       "1.23456789012345 -1.234567890123456\r\n"
                       "0.000000000000000000001 -0.0000000000000000000000001\n"
                       "-179.5 89.5");
  expect_points_as_strtod(fx, path);
}

/* Outlines read ahead (map.h rp_map_ahead): each distinct file once, at
 * most RP_MAP_AHEAD; one read is bit for bit what rp_map_outline_read
 * reads; a missing or corrupt file is dropped with its message (found
 * NULL, so the map reads it itself and says it). */
static void test_outline_ahead(void **state) {
  fixture *fx = *state;
  const char *good = rp_arena_strdup(fx->a, rp_test_src("data/map/uk-outline.txt"));
  const char *bad =
      rp_arena_strdup(fx->a, rp_test_write("ahead-bad.txt", "ring GB 3\n-3 51\n-2 oops\n-2 52\n"));
  const char *paths[] = {good, "/nonexistent/outline.txt", bad, good, NULL};
  rp_map_ahead *x = rp_map_ahead_new(paths, 5);
  assert_non_null(x);
  assert_null(rp_map_ahead_find(x, good)); /* not read yet */
  size_t reads = 1;
  while (rp_map_ahead_next(x)) reads++;
  assert_int_equal(reads, 3); /* the good file once */
  assert_false(rp_map_ahead_next(x));
  const rp_map_outline *o = rp_map_ahead_find(x, good);
  assert_non_null(o);
  assert_null(rp_map_ahead_find(x, "/nonexistent/outline.txt"));
  assert_null(rp_map_ahead_find(x, bad));
  assert_null(rp_map_ahead_find(x, NULL));
  assert_int_equal(rp_map_ahead_used(x), 1);
  rp_map_outline r;
  rp_src src = {"layout.xml", 1, NULL, 0};
  assert_int_equal(rp_map_outline_read(fx->a, good, &src, &fx->d, &r), RP_OK);
  assert_int_equal(o->n_rings, r.n_rings);
  for (size_t i = 0; i < r.n_rings; i++) {
    assert_string_equal(o->rings[i].country, r.rings[i].country);
    assert_int_equal(o->rings[i].n, r.rings[i].n);
    assert_memory_equal(o->rings[i].pt, r.rings[i].pt, 2 * r.rings[i].n * sizeof *r.rings[i].pt);
  }
  rp_map_ahead_free(x);
  /* none given, and more than it keeps */
  assert_null(rp_map_ahead_new(paths, 0));
  assert_null(rp_map_ahead_new(&paths[4], 1));
  const char *many[RP_MAP_AHEAD + 2];
  char names[RP_MAP_AHEAD + 2][32];
  for (size_t i = 0; i < RP_MAP_AHEAD + 2; i++) {
    snprintf(names[i], sizeof names[i], "/nonexistent/%zu.txt", i);
    many[i] = names[i];
  }
  x = rp_map_ahead_new(many, RP_MAP_AHEAD + 2);
  for (reads = 1; rp_map_ahead_next(x);) reads++;
  assert_int_equal(reads, RP_MAP_AHEAD);
  rp_map_ahead_free(x);
  rp_map_ahead_free(NULL);
}

/* rp_chart_emit_rings makes, to the bit, what building the rings on the
 * Cairo context and rp_chart_emit_path make: random rings on a fine grid
 * (points repeated, in line going on and going back, halfway between two
 * 1/256 pt steps, empty and one- and two-point rings, far out), the ops,
 * their count and the bounds; and so too with a matrix set on the context
 * (drawn Cairo's way then). */
static void test_rings_as_cairo(void **state) {
  fixture *fx = *state;
  unsigned long seed = 12345;
  double pts[4][2 * 12];
  const double *rings[4];
  size_t n[4];
  for (int round = 0; round < 3000; round++) {
    size_t count = (size_t)(round % 4) + 1;
    for (size_t i = 0; i < count; i++) {
      seed = seed * 6364136223846793005u + 1442695040888963407u;
      n[i] = (size_t)(seed >> 33) % 13;
      double far = round % 7 == 0 ? 1e5 : 0;
      for (size_t j = 0; j < n[i]; j++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        unsigned r = (unsigned)(seed >> 33);
        /* a coarse grid makes lines that go on, back, and repeat */
        double x = far + (r % 5) * 3.0 + ((r >> 3) % 3 == 0 ? ((r >> 5) % 7) / 512.0 : 0);
        double y = 40 + ((r >> 8) % 5) * 3.0 + ((r >> 11) % 4 == 0 ? ((r >> 13) % 9) / 1024.0 : 0);
        if ((r >> 17) % 5 == 0 && j > 0) x = pts[i][2 * j - 2], y = pts[i][2 * j - 1];
        pts[i][2 * j] = x, pts[i][2 * j + 1] = y;
      }
      rings[i] = pts[i];
    }
    for (int moved = 0; moved < 2; moved++) {
      rp_page pa = {0}, pb = {0};
      rp_chart_out a, b;
      rp_chart_box box = {0, 0, 100, 100, 3, {"layout.xml", 1, NULL, 0}};
      assert_int_equal(rp_chart_out_init(&a, fx->a, &fx->fs, &box, &pa, &fx->d), RP_OK);
      assert_int_equal(rp_chart_out_init(&b, fx->a, &fx->fs, &box, &pb, &fx->d), RP_OK);
      if (moved) cairo_translate(a.cr, 10.3, -2.7), cairo_translate(b.cr, 10.3, -2.7);
      for (size_t i = 0; i < count; i++) {
        for (size_t j = 0; j < n[i]; j++) {
          if (j == 0)
            cairo_move_to(a.cr, rings[i][0], rings[i][1]);
          else
            cairo_line_to(a.cr, rings[i][2 * j], rings[i][2 * j + 1]);
        }
        if (n[i]) cairo_close_path(a.cr);
      }
      rp_color fill = {0.5f, 0.5f, 0.5f, 1}, stroke = {0, 0, 0, 1};
      rp_item *ia = rp_chart_emit_path(&a, fill, stroke, 0.4);
      rp_item *ib = rp_chart_emit_rings(&b, rings, n, count, fill, stroke, 0.4);
      assert_false(a.failed || b.failed);
      assert_int_equal(pa.items.len, pb.items.len);
      assert_true((ia == NULL) == (ib == NULL));
      if (ia) {
        if (ia->u.path.n_ops != ib->u.path.n_ops)
          fprintf(stderr, "round %d: %zu ops, not %zu\n", round, ib->u.path.n_ops,
                  ia->u.path.n_ops);
        assert_int_equal(ia->u.path.n_ops, ib->u.path.n_ops);
        assert_memory_equal(ia->u.path.ops, ib->u.path.ops,
                            ia->u.path.n_ops * sizeof *ia->u.path.ops);
        double ba[4] = {ia->x, ia->y, ia->w, ia->h}, bb[4] = {ib->x, ib->y, ib->w, ib->h};
        assert_memory_equal(ba, bb, sizeof ba);
        assert_int_equal(ia->u.path.even_odd, ib->u.path.even_odd);
        assert_int_equal(ia->parent_id, ib->parent_id);
      }
      rp_chart_out_fini(&a), rp_chart_out_fini(&b);
    }
  }
}

/* ---- bad input ----------------------------------------------------------- */

static void test_malformed_outline(void **state) {
  fixture *fx = *state;
  const char *path = rp_test_write("bad-outline.txt",
                                   "# a comment\n"
                                   "ring GB 4\n"
                                   "-3.0 51.0\n"
                                   "-2.0 51.0\n"
                                   "-2.0 oops\n"
                                   "-3.0 52.0\n");
  size_t items = fx->page.items.len;
  assert_int_equal(draw(fx, towns, 6, keys_2018, 2, 400, 520, path), RP_ERR_INPUT);
  assert_int_equal(fx->page.items.len, items); /* no partial map */
  assert_true(fx->d.count >= 1);
  assert_non_null(strstr(fx->d.entries[0].file, "bad-outline.txt"));
  assert_int_equal(fx->d.entries[0].line, 5);
  assert_true(rp_test_diag_has(&fx->d, "expected a point"));
}

static void test_outline_short_ring_and_missing_file(void **state) {
  fixture *fx = *state;
  const char *path = rp_test_write("short-outline.txt", "ring GB 5\n-3 51\n-2 51\n-2 52\n");
  assert_int_equal(draw(fx, towns, 6, keys_2018, 2, 400, 520, path), RP_ERR_INPUT);
  assert_int_equal(fx->d.entries[0].line, 5);
  assert_true(rp_test_diag_has(&fx->d, "ends inside a ring"));
  rp_diag_fini(&fx->d);
  rp_diag_init(&fx->d);
  assert_int_equal(draw(fx, towns, 6, keys_2018, 2, 400, 520, "/nonexistent/outline.txt"),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "/nonexistent/outline.txt"));
  assert_int_equal(fx->d.entries[0].line, 12); /* the chart's layout line */
}

static void test_bad_places(void **state) {
  fixture *fx = *state;
  const place p[] = {{"New York", "member", 40.7128, -74.006},
                     {"Nowhere", "member", NAN, -3},
                     {"Cardiff", "member", 51.4816, -3.1791}};
  assert_int_equal(draw(fx, p, 3, keys_2018, 2, 400, 520, NULL), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "\"New York\""));
  assert_true(rp_test_diag_has(&fx->d, "outside the map's outline"));
  assert_true(rp_test_diag_has(&fx->d, "\"Nowhere\""));
  assert_int_equal(fx->d.errors, 2);
  assert_int_equal(fx->page.items.len, 0);
}

static void test_no_places(void **state) {
  fixture *fx = *state;
  assert_int_equal(draw(fx, NULL, 0, keys_2018, 2, 300, 400, NULL), RP_OK);
  assert_true(rp_test_diag_has(&fx->d, "no places"));
  size_t paths = 0;
  for (size_t i = 0; i < fx->page.items.len; i++) paths += item(fx, i)->kind == RP_ITEM_PATH;
  assert_int_equal(paths, 2); /* the outline: the UK, and the context */
}

static void test_too_small(void **state) {
  fixture *fx = *state;
  rp_status st = draw(fx, members_seren, 44, keys_seren, 6, 120, 90, NULL);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "too small"));
}

/* ---- a PDF --------------------------------------------------------------- */

static void test_render_pdf(void **state) {
  fixture *fx = *state;
  rp_layout_doc doc = {.fonts = &fx->fs};
  rp_page *p = rp_vec_push(fx->a, &doc.pages, sizeof *p);
  p->width = 595.2756, p->height = 841.8898, p->master = "body";
  assert_int_equal(draw(fx, members_2018, 34, keys_2018, 2, 482, 360, NULL), RP_OK);
  p->items = fx->page.items;
  rp_page *q = rp_vec_push(fx->a, &doc.pages, sizeof *q);
  *q = (rp_page){.width = 595.2756, .height = 841.8898, .master = "body"};
  assert_int_equal(draw(fx, members_seren, 44, keys_seren, 6, 482, 480, NULL), RP_OK);
  q->items = fx->page.items;
  rp_page *r3 = rp_vec_push(fx->a, &doc.pages, sizeof *r3);
  *r3 = (rp_page){.width = 595.2756, .height = 841.8898, .master = "body"};
  place lp[40];
  size_t ln = with_london(lp);
  fx->inset = true;
  assert_int_equal(draw(fx, lp, ln, keys_2018, 2, 482, 360, NULL), RP_OK);
  r3->items = fx->page.items;
  char out[4200];
  snprintf(out, sizeof out, "%s/map.pdf", rp_test_tmpdir());
  assert_int_equal(rp_render_pdf(&doc, NULL, out, &fx->d), RP_OK);
  rp_test_output r = rp_test_run("pdftotext -layout '%s' -", out);
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "Plymouth City Council"));
  assert_non_null(strstr(r.out, "Member councils (28)"));
  assert_non_null(strstr(r.out, "Caledonian Crofters"));
  rp_test_output_free(&r);
}

/* ---- drawn on a worker (charts/memo.h rp_charts_draw_memo_later) ---------- */

/* The map of places pl[0..n) as the fixture's draw makes it. */
static rp_chart *map_of(fixture *fx, const place *pl, size_t n, rp_chart_key *keys, size_t n_keys) {
  rp_chart *c = rp_arena_calloc(fx->a, 1, sizeof *c);
  c->kind = RP_CHART_MAP;
  c->points = rp_arena_calloc(fx->a, n + 1, sizeof *c->points);
  for (size_t i = 0; i < n; i++)
    c->points[i] = (rp_map_point){pl[i].name, pl[i].kind, pl[i].lat, pl[i].lon};
  c->n_points = n;
  c->outline_path = rp_test_src("data/map/uk-outline.txt");
  c->keys = keys, c->n_keys = n_keys;
  c->title = "Members";
  c->label = (rp_chart_text){.font = fx->regular, .size = 7, .color = {0.25f, 0.25f, 0.25f, 1}};
  c->value = (rp_chart_text){.font = fx->bold, .size = 7, .color = {0, 0, 0, 1}};
  c->heading = (rp_chart_text){.font = fx->bold, .size = 10, .color = {0, 0, 0, 1}};
  c->background = (rp_color){1, 1, 1, 1};
  return c;
}

static void *serve(void *w) {
  rp_chart_worker_serve(w);
  return NULL;
}

/* A diag's entries as one string, "line:message|" each. */
static void said_of(const rp_diag *d, char *out, size_t cap) {
  out[0] = 0;
  for (size_t i = 0; i < d->count; i++) {
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%d:%s|", d->entries[i].line, d->entries[i].message);
  }
}

/* What a layout that places charts cs[0..n) in boxes bs makes, with a
 * message recorded before the first and one after each placement that
 * went on: its diag's entries as one string, its status, the memo's counts
 * and, in `again`, each chart as the next layout copies it from the memo
 * (or draws it). `later`: drawn through rp_charts_draw_memo_later, on a
 * worker thread. */
typedef struct outcome {
  char said[8192];
  rp_status st;
  size_t draws, hits, later;
  rp_page again;
} outcome;

/* lay_out with outline files read ahead by the worker (`ahead`, n_ahead;
 * `later` only): *used says how many maps found theirs read. */
static void lay_out_ahead(fixture *fx, rp_chart **cs, const rp_chart_box *bs, size_t n, bool later,
                          outcome *out, const char *const *ahead, size_t n_ahead, size_t *used) {
  rp_chart_memo *m = rp_chart_memo_new();
  assert_non_null(m);
  rp_chart_worker *w = later ? rp_chart_worker_new() : NULL;
  rp_chart_worker_ahead(w, ahead, n_ahead);
  pthread_t t;
  if (w) assert_int_equal(pthread_create(&t, NULL, serve, w), 0);
  rp_chart_memo_serve(m, w);
  rp_chart_memo_keep(m, true);
  rp_diag d;
  rp_diag_init(&d);
  rp_chart_memo_begin(m, &d);
  rp_diag_warn(&d, "layout.xml", 1, 0, "before");
  rp_page page = {0};
  rp_status st = RP_OK;
  for (size_t i = 0; i < n && st == RP_OK; i++) {
    st = later ? rp_charts_draw_memo_later(m, fx->a, cs[i], &fx->fs, &bs[i], &page, &d)
               : rp_charts_draw_memo(m, fx->a, cs[i], &fx->fs, &bs[i], &page, &d);
    if (st == RP_OK) rp_diag_warn(&d, "layout.xml", 100 + (int)i, 0, "after %zu", i);
  }
  st = rp_chart_memo_collect(m, st);
  if (later) assert_int_equal(page.items.len, 0); /* left off the measuring pages */
  out->st = st;
  said_of(&d, out->said, sizeof out->said);
  out->draws = rp_chart_memo_draws(m), out->hits = rp_chart_memo_hits(m);
  out->later = rp_chart_memo_later(m);
  out->again = (rp_page){0};
  rp_chart_memo_keep(m, false);
  for (size_t i = 0; i < n && st == RP_OK; i++)
    assert_int_equal(rp_charts_draw_memo(m, fx->a, cs[i], &fx->fs, &bs[i], &out->again, &d), RP_OK);
  rp_chart_memo_free(m);
  rp_chart_worker_close(w);
  if (w) assert_int_equal(pthread_join(t, NULL), 0);
  if (used) *used = rp_chart_worker_ahead_used(w);
  rp_chart_worker_free(w);
  rp_diag_fini(&d);
}

static void lay_out(fixture *fx, rp_chart **cs, const rp_chart_box *bs, size_t n, bool later,
                    outcome *out) {
  lay_out_ahead(fx, cs, bs, n, later, out, NULL, 0, NULL);
}

static bool same_items(const rp_page *x, const rp_page *y) {
  if (x->items.len != y->items.len) return false;
  for (size_t i = 0; i < x->items.len; i++) {
    const rp_item *a = &RP_VEC_AT(x->items, rp_item, i), *b = &RP_VEC_AT(y->items, rp_item, i);
    if (a->kind != b->kind || a->x != b->x || a->y != b->y || a->w != b->w || a->h != b->h)
      return false;
    if (a->kind == RP_ITEM_TEXT &&
        (strcmp(a->u.text.text, b->u.text.text) != 0 || a->u.text.font != b->u.text.font ||
         a->u.text.size != b->u.text.size))
      return false;
    if (a->kind == RP_ITEM_PATH &&
        (a->u.path.n_ops != b->u.path.n_ops ||
         memcmp(a->u.path.ops, b->u.path.ops, a->u.path.n_ops * sizeof *a->u.path.ops) != 0))
      return false;
  }
  return true;
}

/* Maps drawn on a worker while the layout goes on make what drawing them
 * where placed makes: a quiet map (the 2018 members), one whose labels are
 * set smaller (a warning, put where it was placed, before what was
 * recorded after), the same chart again (copied from the first), and one
 * too small to draw (an error: what was recorded after it dropped, the
 * error the layout's status); the next layout's copies are the same items.
 * And with a fault to come, the drawing stays on this thread, the fault
 * falling in it. */
static void test_drawn_later(void **state) {
  fixture *fx = *state;
  rp_chart *quiet =
      map_of(fx, members_2018, sizeof members_2018 / sizeof members_2018[0], keys_2018, 2);
  rp_chart *dense = map_of(fx, members_seren, 44, keys_seren, 6);
  rp_chart_box big = {56.69, 337.86, 481.89, 354.33, 7, {"layout.xml", 12, "content.xml", 34}};
  rp_chart_box mid = {56.69, 60, 360, 300, 8, {"layout.xml", 13, "content.xml", 35}};
  rp_chart_box tiny = {56.69, 400, 120, 90, 9, {"layout.xml", 14, "content.xml", 36}};
  struct {
    rp_chart *cs[4];
    rp_chart_box bs[4];
    size_t n;
    rp_status st;
    bool warns;
  } cases[] = {
      {{quiet}, {big}, 1, RP_OK, false},
      {{quiet, dense, quiet}, {big, mid, big}, 3, RP_OK, true},
      {{quiet, dense, dense, quiet}, {big, tiny, mid, mid}, 4, RP_ERR_INPUT, false},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    outcome *here = calloc(1, sizeof *here), *there = calloc(1, sizeof *there);
    lay_out(fx, cases[k].cs, cases[k].bs, cases[k].n, false, here);
    lay_out(fx, cases[k].cs, cases[k].bs, cases[k].n, true, there);
    if (here->st != cases[k].st) fprintf(stderr, "case %zu: %s\n", k, here->said);
    assert_int_equal(here->st, cases[k].st);
    assert_int_equal(there->st, here->st);
    assert_string_equal(there->said, here->said);
    if (cases[k].warns) assert_non_null(strstr(here->said, "labels set at"));
    assert_int_equal(there->draws, here->draws);
    assert_int_equal(there->hits, here->hits);
    assert_int_equal(here->later, 0);
    assert_true(there->later > 0);
    assert_true(same_items(&there->again, &here->again));
    free(here), free(there);
  }
  /* faces not read yet when handed over: the worker's copies cannot read
   * them, and the map is drawn again here, the same */
  rp_fontset_fini(&fx->fs);
  rp_fontset_init(&fx->fs);
  assert_int_equal(rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Regular.ttf"), fx->regular);
  assert_int_equal(rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Bold.ttf"), fx->bold);
  assert_true(rp_fontset_get(&fx->fs, fx->regular)->unread);
  {
    outcome *there = calloc(1, sizeof *there), *here = calloc(1, sizeof *here);
    lay_out(fx, &quiet, &big, 1, true, there);
    lay_out(fx, &quiet, &big, 1, false, here);
    assert_int_equal(there->st, RP_OK);
    assert_string_equal(there->said, here->said);
    assert_int_equal(there->draws, 1);
    assert_int_equal(there->later, 0); /* drawn again here */
    assert_true(same_items(&there->again, &here->again));
    free(here), free(there);
  }
  /* a fault to come: drawn here, where the fault falls */
  rp_chart_memo *m = rp_chart_memo_new();
  rp_chart_worker *w = rp_chart_worker_new();
  assert_non_null(m), assert_non_null(w);
  rp_chart_memo_serve(m, w); /* never served: a drawing handed over would hang */
  rp_chart_memo_keep(m, true);
  rp_diag d;
  rp_diag_init(&d);
  rp_chart_memo_begin(m, &d);
  rp_page page = {0};
  unsigned long before = rp_mem_count();
  assert_int_equal(rp_charts_draw(fx->a, quiet, &fx->fs, &big, &page, &d), RP_OK);
  unsigned long allocs = rp_mem_count() - before;
  assert_true(allocs > 10);
  rp_mem_fail_after(allocs / 2, false);
  rp_status st = rp_charts_draw_memo_later(m, fx->a, quiet, &fx->fs, &big, &page, &d);
  rp_mem_fail_after(0, false);
  rp_mem_forget_failure();
  assert_int_equal(st, RP_ERR_INTERNAL);
  assert_true(rp_test_diag_has(&d, "out of memory"));
  assert_int_equal(rp_chart_memo_collect(m, st), RP_ERR_INTERNAL);
  assert_int_equal(rp_chart_memo_later(m), 0);
  rp_chart_memo_free(m);
  rp_chart_worker_free(w);
  rp_diag_fini(&d);
}

/* ---- held pages (charts/memo.h rp_charts_draw_memo_held) ---------------- */

/* A chart's frame, as layout/block.c places it, on page p. */
static size_t place_frame(fixture *fx, rp_page *pg, const rp_chart_box *b) {
  rp_item *it = rp_page_add(fx->a, pg, RP_ITEM_CHART);
  assert_non_null(it);
  *it = (rp_item){.kind = RP_ITEM_CHART, .x = b->x, .y = b->y, .w = b->w, .h = b->h};
  it->role = RP_ROLE_FIGURE, it->struct_id = b->struct_id, it->u.chart.drawn = true;
  return pg->items.len - 1;
}

static void place_rect(fixture *fx, rp_page *pg, double y) {
  rp_item *it = rp_page_add(fx->a, pg, RP_ITEM_RECT);
  assert_non_null(it);
  it->y = y, it->w = 10, it->h = 10, it->role = RP_ROLE_ARTIFACT;
}

/* As rp_flow_make_artifacts: items from `from` on made artifacts. */
static void make_artifacts(rp_page *pg, size_t from) {
  for (size_t i = from; i < pg->items.len; i++) {
    rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
    it->role = RP_ROLE_ARTIFACT;
    it->struct_id = it->parent_id = 0;
  }
}

/* Chart c in box b, its frame on page p, drawn there or (held) on the worker. */
static rp_status place_chart(fixture *fx, rp_chart_memo *m, rp_page *pages, size_t p,
                             const rp_chart *c, const rp_chart_box *b, bool held, rp_diag *d) {
  size_t at = place_frame(fx, &pages[p], b);
  unsigned token = 0;
  rp_status st = held ? rp_charts_draw_memo_held(m, fx->a, c, &fx->fs, b, &pages[p], p, d, &token)
                      : rp_charts_draw_memo(m, fx->a, c, &fx->fs, b, &pages[p], d);
  if (held && st == RP_OK) {
    assert_true(token != 0);
    assert_int_equal(pages[p].items.len, at + 1); /* left off for now */
    RP_VEC_AT(pages[p].items, rp_item, at).u.chart.later = token;
  }
  return st;
}

static bool same_pages(const rp_page *x, const rp_page *y, size_t n) {
  for (size_t p = 0; p < n; p++) {
    if (!same_items(&x[p], &y[p])) return false;
    for (size_t i = 0; i < x[p].items.len; i++) {
      const rp_item *a = &RP_VEC_AT(x[p].items, rp_item, i),
                    *b = &RP_VEC_AT(y[p].items, rp_item, i);
      if (a->role != b->role || a->struct_id != b->struct_id || a->parent_id != b->parent_id ||
          (a->kind == RP_ITEM_CHART && a->u.chart.later != b->u.chart.later))
        return false;
    }
  }
  return true;
}

/* Two pages as a held layout makes them: rects between the charts; a
 * quiet map, a dense one (a warning) and one too small (`fail`: an error,
 * the layout stopping there); a placement undone (the frame cut off, as a
 * block moved to the next page) and placed again; a frame made an artifact
 * after (the items drawn in it too); page 0 handed on before page 1 is
 * done. Its pages, its messages, its status, its counts. */
typedef struct held_outcome {
  rp_page pages[2];
  char said[8192];
  rp_status st;
  size_t draws, later;
} held_outcome;

static void lay_out_held(fixture *fx, bool held, bool fail, held_outcome *out) {
  rp_chart_memo *m = rp_chart_memo_new();
  assert_non_null(m);
  rp_chart_worker *w = held ? rp_chart_worker_new() : NULL;
  pthread_t t;
  if (w) assert_int_equal(pthread_create(&t, NULL, serve, w), 0);
  rp_chart_memo_serve(m, w);
  rp_chart_memo_keep(m, false); /* the one and only layout */
  rp_diag d;
  rp_diag_init(&d);
  rp_chart_memo_begin(m, &d);
  rp_diag_warn(&d, "layout.xml", 1, 0, "before");
  rp_chart *quiet =
      map_of(fx, members_2018, sizeof members_2018 / sizeof members_2018[0], keys_2018, 2);
  rp_chart *dense = map_of(fx, members_seren, 44, keys_seren, 6);
  rp_chart_box big = {56.69, 337.86, 481.89, 354.33, 7, {"layout.xml", 12, "content.xml", 34}};
  rp_chart_box mid = {56.69, 60, 360, 300, 8, {"layout.xml", 13, "content.xml", 35}};
  rp_chart_box tiny = {56.69, 400, 120, 90, 9, {"layout.xml", 14, "content.xml", 36}};
  rp_chart_box moved = {56.69, 30, 360, 300, 10, {"layout.xml", 15, "content.xml", 37}};
  rp_page *pg = out->pages;
  memset(pg, 0, sizeof out->pages);
  rp_status st = RP_OK;
  place_rect(fx, &pg[0], 1);
  st = place_chart(fx, m, pg, 0, quiet, &big, held, &d);
  if (st == RP_OK) rp_diag_warn(&d, "layout.xml", 100, 0, "after quiet");
  if (st == RP_OK) place_rect(fx, &pg[0], 2);
  if (st == RP_OK)
    st = place_chart(fx, m, pg, 0, fail ? dense : quiet, fail ? &tiny : &mid, held, &d);
  if (st == RP_OK) rp_diag_warn(&d, "layout.xml", 101, 0, "after second");
  if (st == RP_OK) place_rect(fx, &pg[0], 3);
  /* page 0 final: handed on once its charts are in */
  if (st == RP_OK) st = rp_chart_memo_place(m, pg, 2, 0);
  /* on page 1: a block tried, then undone (its items cut off) and placed
   * again lower, its frame then made an artifact */
  size_t mark = pg[1].items.len;
  if (st == RP_OK) st = place_chart(fx, m, pg, 1, dense, &mid, held, &d);
  if (st == RP_OK) pg[1].items.len = mark;
  if (st == RP_OK) place_rect(fx, &pg[1], 4);
  size_t from = pg[1].items.len;
  if (st == RP_OK) st = place_chart(fx, m, pg, 1, dense, &moved, held, &d);
  if (st == RP_OK) make_artifacts(&pg[1], from);
  if (st == RP_OK) place_rect(fx, &pg[1], 5);
  if (st == RP_OK) st = rp_chart_memo_place(m, pg, 2, SIZE_MAX);
  st = rp_chart_memo_collect(m, st);
  out->st = st;
  said_of(&d, out->said, sizeof out->said);
  out->draws = rp_chart_memo_draws(m), out->later = rp_chart_memo_later(m);
  rp_chart_memo_free(m);
  rp_chart_worker_close(w);
  if (w) assert_int_equal(pthread_join(t, NULL), 0);
  rp_chart_worker_free(w);
  rp_diag_fini(&d);
}

/* A held layout's charts drawn on a worker are put into their pages where
 * drawing them there puts them (the same items, in the same places among
 * the page's others, the same roles and ids), with the same messages
 * where they were placed and the same counts; an undone placement leaves
 * nothing; a chart that fails stops the layout with its error, what was
 * recorded after it dropped. With a fault to come, drawn here. */
/* Maps drawn on a worker that read their outlines ahead make what drawing
 * them where placed makes, reading the file there: several maps sharing
 * one outline (read once, used by each), no map, a map whose outline
 * file is missing and one whose file is corrupt (each not kept ahead: the
 * map reads it and says so, the same file, line and message). */
static void test_drawn_ahead(void **state) {
  fixture *fx = *state;
  /* copied: the test helpers' buffers are reused */
  const char *good = rp_arena_strdup(fx->a, rp_test_src("data/map/uk-outline.txt"));
  const char *bad = rp_arena_strdup(
      fx->a, rp_test_write("ahead-corrupt.txt", "ring GB 4\n-3 51\n-2 51\n-2 x\n-3 52\n"));
  const char *missing = "/nonexistent/ahead-outline.txt";
  rp_chart *quiet =
      map_of(fx, members_2018, sizeof members_2018 / sizeof members_2018[0], keys_2018, 2);
  rp_chart *dense = map_of(fx, members_seren, 44, keys_seren, 6);
  rp_chart *lost = map_of(fx, members_2018, 5, keys_2018, 2);
  lost->outline_path = missing;
  rp_chart *broken = map_of(fx, members_2018, 5, keys_2018, 2);
  broken->outline_path = bad;
  rp_chart *bar = rp_arena_calloc(fx->a, 1, sizeof *bar);
  *bar = *quiet;
  bar->kind = RP_CHART_BAR; /* no map: no outline read */
  static const char *cats[] = {"2018", "2019"};
  static double values[] = {3, 5};
  static rp_chart_series series = {.name = "Members", .values = values};
  bar->categories = cats, bar->n_categories = 2;
  bar->series = &series, bar->n_series = 1;
  rp_chart_box big = {56.69, 337.86, 481.89, 354.33, 7, {"layout.xml", 12, "content.xml", 34}};
  rp_chart_box mid = {56.69, 60, 360, 300, 8, {"layout.xml", 13, "content.xml", 35}};
  const char *ahead[] = {good, missing, bad};
  struct {
    rp_chart *cs[3];
    rp_chart_box bs[3];
    size_t n;
    rp_status st;
    size_t used;
    const char *says;
  } cases[] = {
      {{quiet, dense, quiet}, {big, mid, mid}, 3, RP_OK, 3, "labels set at"},
      {{bar}, {mid}, 1, RP_OK, 0, NULL},
      {{quiet, lost}, {big, mid}, 2, RP_ERR_INPUT, 1, "cannot read the map outline"},
      {{broken, quiet}, {mid, big}, 2, RP_ERR_INPUT, 1, "malformed map outline"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    outcome *here = calloc(1, sizeof *here), *there = calloc(1, sizeof *there);
    size_t used = 99;
    lay_out(fx, cases[k].cs, cases[k].bs, cases[k].n, false, here);
    lay_out_ahead(fx, cases[k].cs, cases[k].bs, cases[k].n, true, there, ahead, 3, &used);
    assert_int_equal(here->st, cases[k].st);
    assert_int_equal(there->st, here->st);
    assert_string_equal(there->said, here->said);
    if (cases[k].says) assert_non_null(strstr(here->said, cases[k].says));
    assert_int_equal(used, cases[k].used);
    assert_int_equal(there->draws, here->draws);
    assert_int_equal(there->hits, here->hits);
    assert_true(same_items(&there->again, &here->again));
    free(here), free(there);
  }
}

static void test_drawn_held(void **state) {
  fixture *fx = *state;
  for (int fail = 0; fail < 2; fail++) {
    held_outcome *here = calloc(1, sizeof *here), *there = calloc(1, sizeof *there);
    lay_out_held(fx, false, fail, here);
    lay_out_held(fx, true, fail, there);
    if (here->st != (fail ? RP_ERR_INPUT : RP_OK)) fprintf(stderr, "%s\n", here->said);
    assert_int_equal(here->st, fail ? RP_ERR_INPUT : RP_OK);
    assert_int_equal(there->st, here->st);
    assert_string_equal(there->said, here->said);
    if (fail)
      assert_null(strstr(here->said, "101:")); /* never recorded: it stopped */
    else
      assert_non_null(strstr(here->said, "labels set at"));
    assert_non_null(strstr(here->said, "100:after quiet"));
    assert_int_equal(there->draws, here->draws);
    assert_int_equal(here->later, 0);
    assert_true(there->later > 0);
    if (!fail) {
      assert_true(same_pages(there->pages, here->pages, 2));
      assert_true(here->pages[1].items.len > 3); /* the artifact's items */
    }
    free(here), free(there);
  }
  /* a fault to come: drawn here, where the fault falls */
  rp_chart *quiet =
      map_of(fx, members_2018, sizeof members_2018 / sizeof members_2018[0], keys_2018, 2);
  rp_chart_box big = {56.69, 337.86, 481.89, 354.33, 7, {"layout.xml", 12, "content.xml", 34}};
  rp_chart_memo *m = rp_chart_memo_new();
  rp_chart_worker *w = rp_chart_worker_new();
  assert_non_null(m), assert_non_null(w);
  rp_chart_memo_serve(m, w); /* never served: a drawing handed over would hang */
  rp_diag d;
  rp_diag_init(&d);
  rp_chart_memo_begin(m, &d);
  rp_page page = {0};
  unsigned long before = rp_mem_count();
  assert_int_equal(rp_charts_draw(fx->a, quiet, &fx->fs, &big, &page, &d), RP_OK);
  unsigned long allocs = rp_mem_count() - before;
  rp_mem_fail_after(allocs / 2, false);
  unsigned token = 1;
  rp_status st = rp_charts_draw_memo_held(m, fx->a, quiet, &fx->fs, &big, &page, 0, &d, &token);
  rp_mem_fail_after(0, false);
  rp_mem_forget_failure();
  assert_int_equal(st, RP_ERR_INTERNAL);
  assert_int_equal(token, 0);
  assert_true(rp_test_diag_has(&d, "out of memory"));
  assert_int_equal(rp_chart_memo_collect(m, st), RP_ERR_INTERNAL);
  assert_int_equal(rp_chart_memo_later(m), 0);
  rp_chart_memo_free(m);
  rp_chart_worker_free(w);
  rp_diag_fini(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_projection_places_towns, setup, teardown),
      cmocka_unit_test_setup_teardown(test_projection_aspect, setup, teardown),
      cmocka_unit_test_setup_teardown(test_labels_2018_members, setup, teardown),
      cmocka_unit_test_setup_teardown(test_legend_place, setup, teardown),
      cmocka_unit_test_setup_teardown(test_labels_second_sample, setup, teardown),
      cmocka_unit_test_setup_teardown(test_labels_dense_synthetic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inset_london, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inset_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_outline_all_rings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_outline_simplified, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_places, setup, teardown),
      cmocka_unit_test_setup_teardown(test_label_contrast, setup, teardown),
      cmocka_unit_test_setup_teardown(test_outline_numbers_as_strtod, setup, teardown),
      cmocka_unit_test_setup_teardown(test_malformed_outline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_outline_short_ring_and_missing_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_places, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_places, setup, teardown),
      cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
      cmocka_unit_test_setup_teardown(test_render_pdf, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drawn_later, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drawn_held, setup, teardown),
      cmocka_unit_test_setup_teardown(test_outline_ahead, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rings_as_cairo, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drawn_ahead, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
