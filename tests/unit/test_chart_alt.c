/* rp_charts_alt: the words a chart without alt text is given, per kind, from
 * its data (charts/alt.c). */
#include <math.h>
#include <string.h>

#include "testutil.h"

#include "base/arena.h"
#include "charts/charts.h"

static rp_arena *arena;

static int setup(void **state) {
  (void)state;
  arena = rp_arena_new();
  return arena ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  rp_arena_free(arena);
  return 0;
}

static void test_bar(void **state) {
  (void)state;
  const char *cats[] = {"Sep 2018", "Oct 2018", "Nov 2018"};
  double v[] = {2, NAN, 3};
  rp_chart_series s = {.values = v};
  rp_chart c = {.kind = RP_CHART_BAR,
                .title = "Events per month",
                .categories = cats,
                .n_categories = 3,
                .series = &s,
                .n_series = 1};
  assert_string_equal(rp_charts_alt(arena, &c),
                      "Bar chart, Events per month, Sep 2018 to Nov 2018: highest 3 in Nov 2018");
  c.n_series = 0; /* no values: what it is, no claim */
  assert_string_equal(rp_charts_alt(arena, &c), "Bar chart, Events per month");
}

static void test_flow_and_donut(void **state) {
  (void)state;
  const char *cats[] = {"Councils", "residents"};
  const char *shown[] = {"28", "7.4m"};
  double v[] = {28, 7.4e6};
  rp_chart_series s = {.values = v};
  rp_chart c = {.kind = RP_CHART_FLOW,
                .categories = cats,
                .displays = shown,
                .n_categories = 2,
                .series = &s,
                .n_series = 1};
  assert_string_equal(rp_charts_alt(arena, &c), "Figures: 28 Councils → 7.4m residents");
  c.kind = RP_CHART_DONUT;
  c.displays = NULL;
  c.title = "Members";
  assert_string_equal(rp_charts_alt(arena, &c),
                      "Donut chart, Members: Councils 28, residents 7400000");
}

static void test_timeline_delta_map(void **state) {
  (void)state;
  rp_chart_event ev[] = {{"A", {2018, 9, 23}, {2018, 9, 26}}, {"B", {2019, 7, 2}, {0, 0, 0}}};
  rp_chart c = {.kind = RP_CHART_TIMELINE, .events = ev, .n_events = 2};
  assert_string_equal(rp_charts_alt(arena, &c),
                      "Timeline, 2 events from September 2018 to July 2019");
  rp_chart d = {.kind = RP_CHART_DELTA,
                .delta = -3.2,
                .delta_display = "−3.2 %",
                .delta_compared = "on 2023–24"};
  assert_string_equal(rp_charts_alt(arena, &d), "Change: −3.2 % on 2023–24");
  rp_map_point pts[] = {{"Cardiff", "member", 51.5, -3.2},
                        {"Swansea", "member", 51.6, -3.9},
                        {"Halewood", "associate", 53.4, -2.8}};
  rp_chart_key keys[] = {{"member", "Member councils", {0, 0, 0, 0}},
                         {"associate", "Associate members", {0, 0, 0, 0}},
                         {"affiliate", "Affiliates", {0, 0, 0, 0}}};
  rp_chart m = {.kind = RP_CHART_MAP, .points = pts, .n_points = 3, .keys = keys, .n_keys = 3};
  assert_string_equal(rp_charts_alt(arena, &m),
                      "Map of 3 places: 2 Member councils, 1 Associate members");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bar),
      cmocka_unit_test(test_flow_and_donut),
      cmocka_unit_test(test_timeline_delta_map),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
