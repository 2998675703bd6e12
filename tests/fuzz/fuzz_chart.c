/* fuzz_chart — chart data as binding hands it to charts/ (bound/chart.h):
 * any kind, any number of categories and series (within what a layout can
 * bind), values that are NaN, infinite, huge or tiny, odd strings, odd
 * dates, map points anywhere, boxes of any size. The chart is built from
 * the input's bytes and drawn onto a page as path and text items. */
#include <math.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "bound/chart.h"
#include "charts/charts.h"
#include "font/font.h"
#include "fuzz.h"
#include "page/items.h"

static rp_fontset fs;
static int regular = -1, bold = -1;

static void load_fonts(void) {
  rp_diag d;
  rp_diag_init(&d);
  rp_fontset_init(&fs);
  if (rp_fontset_load(&fs, rp_fuzz_path("fonts/OpenSans-Regular.ttf"), "fuzz", 1, &d, &regular) !=
          RP_OK ||
      rp_fontset_load(&fs, rp_fuzz_path("fonts/OpenSans-Bold.ttf"), "fuzz", 1, &d, &bold) != RP_OK)
    abort();
  rp_diag_fini(&d);
}

static rp_color color(rp_fuzz_bytes *b) {
  uint8_t v = rp_fuzz_u8(b);
  return (rp_color){(v & 3) / 3.0f, (v >> 2 & 3) / 3.0f, (v >> 4 & 3) / 3.0f, (v >> 6) / 3.0f};
}

static rp_chart_text text(rp_fuzz_bytes *b) {
  double sizes[] = {8, 0.5, 72, 11, 1e-9, 400};
  uint8_t v = rp_fuzz_u8(b);
  return (rp_chart_text){
      .font = v & 1 ? bold : regular, .size = sizes[(v >> 1) % 6], .color = color(b)};
}

static void date(rp_fuzz_bytes *b, int out[3]) {
  out[0] = 1990 + (int)rp_fuzz_range(b, 60);
  out[1] = (int)rp_fuzz_range(b, 13);
  out[2] = (int)rp_fuzz_range(b, 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (regular < 0) load_fonts();
  rp_fuzz_bytes b = {data, size};
  rp_arena *a = rp_arena_new();
  if (!a) return 0;
  rp_chart c = {.kind = (rp_chart_kind)(rp_fuzz_u8(&b) % (RP_CHART_MAP + 1))};
  uint8_t flags = rp_fuzz_u8(&b);
  c.title = flags & 1 ? rp_fuzz_str(&b, 80) : NULL;
  c.stacked = flags & 2;
  c.unit = flags & 4 ? rp_fuzz_str(&b, 8) : NULL;
  c.number = flags & 8 ? rp_fuzz_str(&b, 16) : NULL;
  c.centre = flags & 16 ? rp_fuzz_str(&b, 8) : NULL;
  c.centre_label = flags & 32 ? rp_fuzz_str(&b, 20) : NULL;
  c.better = (int)rp_fuzz_range(&b, 2) - 1;

  c.n_categories = rp_fuzz_range(&b, 40);
  c.n_series = rp_fuzz_range(&b, 6);
  c.categories = rp_arena_calloc(a, c.n_categories + 1, sizeof *c.categories);
  for (size_t i = 0; i < c.n_categories; i++) c.categories[i] = rp_fuzz_str(&b, 40);
  if (flags & 64) {
    c.displays = rp_arena_calloc(a, c.n_categories + 1, sizeof *c.displays);
    for (size_t i = 0; i < c.n_categories; i++) c.displays[i] = rp_fuzz_str(&b, 12);
  }
  c.series = rp_arena_calloc(a, c.n_series + 1, sizeof *c.series);
  for (size_t s = 0; s < c.n_series; s++) {
    c.series[s].name = rp_fuzz_u8(&b) & 1 ? rp_fuzz_str(&b, 30) : NULL;
    c.series[s].color = color(&b);
    c.series[s].values = rp_arena_calloc(a, c.n_categories + 1, sizeof(double));
    for (size_t i = 0; i < c.n_categories; i++) c.series[s].values[i] = rp_fuzz_double(&b);
  }
  c.delta = rp_fuzz_double(&b);
  c.delta_display = rp_fuzz_str(&b, 12);
  c.delta_compared = flags & 128 ? rp_fuzz_str(&b, 20) : NULL;

  c.n_events = rp_fuzz_range(&b, 30);
  c.events = rp_arena_calloc(a, c.n_events + 1, sizeof *c.events);
  for (size_t i = 0; i < c.n_events; i++) {
    c.events[i].label = rp_fuzz_str(&b, 40);
    date(&b, c.events[i].start);
    if (rp_fuzz_u8(&b) & 1) date(&b, c.events[i].end);
  }
  c.n_keys = rp_fuzz_range(&b, 6);
  c.keys = rp_arena_calloc(a, c.n_keys + 1, sizeof *c.keys);
  static const char *const kinds[] = {"council", "school", "group", "x", ""};
  for (size_t i = 0; i < c.n_keys; i++)
    c.keys[i] = (rp_chart_key){kinds[rp_fuzz_u8(&b) % 5], rp_fuzz_str(&b, 20), color(&b)};
  c.n_points = rp_fuzz_range(&b, 30);
  c.points = rp_arena_calloc(a, c.n_points + 1, sizeof *c.points);
  for (size_t i = 0; i < c.n_points; i++) {
    c.points[i].name = rp_fuzz_str(&b, 30);
    c.points[i].kind = kinds[rp_fuzz_u8(&b) % 5];
    c.points[i].lat = rp_fuzz_u8(&b) & 1 ? 50 + rp_fuzz_range(&b, 900) / 100.0 : rp_fuzz_double(&b);
    c.points[i].lon =
        rp_fuzz_u8(&b) & 1 ? -8 + rp_fuzz_range(&b, 1000) / 100.0 : rp_fuzz_double(&b);
  }
  c.outline_path = rp_fuzz_path("data/map/uk-outline.txt");
  c.has_inset = rp_fuzz_u8(&b) & 1;
  for (int i = 0; i < 2; i++) c.inset_lat[i] = 49 + rp_fuzz_range(&b, 1200) / 100.0;
  for (int i = 0; i < 2; i++) c.inset_lon[i] = -10 + rp_fuzz_range(&b, 1200) / 100.0;
  c.n_palette = rp_fuzz_range(&b, 8);
  c.palette = rp_arena_calloc(a, c.n_palette + 1, sizeof *c.palette);
  for (size_t i = 0; i < c.n_palette; i++) c.palette[i] = color(&b);
  c.label = text(&b);
  c.value = text(&b);
  c.heading = text(&b);
  c.axis = color(&b);
  c.grid = color(&b);
  c.background = color(&b);

  double sides[] = {360, 220, 0, 1, 2000, 40, 1e6, 0.01};
  rp_chart_box box = {.x = 40, .y = 60, .struct_id = 3, .src = {"fuzz.xml", 1, "fuzz-data.xml", 1}};
  box.w = sides[rp_fuzz_u8(&b) % 8];
  box.h = sides[rp_fuzz_u8(&b) % 8];
  rp_page *page = rp_arena_calloc(a, 1, sizeof *page);
  rp_diag d;
  rp_diag_init(&d);
  if (page) {
    page->width = 595.3, page->height = 841.9;
    rp_charts_draw(a, &c, &fs, &box, page, &d);
    rp_charts_alt(a, &c);
  }
  rp_fuzz_no_internal(&d);
  rp_diag_fini(&d);
  rp_arena_free(a);
  rp_fuzz_strings_free();
  return 0;
}
