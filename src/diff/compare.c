/* compare — two opaque images compared pixel by pixel, and the image that
 * shows where they differ. See raster.h. Pixels are Cairo RGB24: one native
 * uint32 each, 0x00RRGGBB. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "diff/raster.h"

static int channel_delta(uint32_t a, uint32_t b) {
  int m = 0;
  for (int shift = 0; shift <= 16; shift += 8) {
    int x = (int)((a >> shift) & 0xFF) - (int)((b >> shift) & 0xFF);
    if (x < 0) x = -x;
    if (x > m) m = x;
  }
  return m;
}

static const uint32_t *row(cairo_surface_t *s, int y) {
  return (const uint32_t *)(cairo_image_surface_get_data(s) +
                            (size_t)y * (size_t)cairo_image_surface_get_stride(s));
}

void rp_diff_compare(cairo_surface_t *expected, cairo_surface_t *actual, int threshold,
                     rp_diff_stats *st) {
  int w = cairo_image_surface_get_width(expected), h = cairo_image_surface_get_height(expected);
  *st = (rp_diff_stats){.total = (long)w * h, .x0 = w, .y0 = h, .x1 = -1, .y1 = -1};
  for (int y = 0; y < h; y++) {
    const uint32_t *e = row(expected, y), *a = row(actual, y);
    for (int x = 0; x < w; x++) {
      if (e[x] == a[x]) continue;
      int delta = channel_delta(e[x], a[x]);
      if (delta > st->max_delta) st->max_delta = delta;
      if (delta <= threshold) continue;
      st->differing++;
      if (x < st->x0) st->x0 = x;
      if (x > st->x1) st->x1 = x;
      if (y < st->y0) st->y0 = y;
      if (y > st->y1) st->y1 = y;
    }
  }
}

/* The expected page as a light grey: luminance kept at a quarter of its
 * contrast, so the page is recognisable and the red stands out. */
static uint32_t faded(uint32_t p) {
  int r = (int)((p >> 16) & 0xFF), g = (int)((p >> 8) & 0xFF), b = (int)(p & 0xFF);
  int lum = (r * 54 + g * 183 + b * 19) >> 8;
  uint32_t v = (uint32_t)(255 - (255 - lum) / 4);
  return v << 16 | v << 8 | v;
}

#define RED 0xE00000u
#define BLUE 0x0050FFu
#define BOX_MARGIN 3 /* px between the changed pixels and their outline */

cairo_surface_t *rp_diff_image(cairo_surface_t *expected, cairo_surface_t *actual, int threshold,
                               const rp_diff_stats *st) {
  int w = cairo_image_surface_get_width(expected), h = cairo_image_surface_get_height(expected);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return NULL;
  }
  cairo_surface_flush(s);
  unsigned char *data = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < h; y++) {
    const uint32_t *e = row(expected, y), *a = row(actual, y);
    uint32_t *o = (uint32_t *)(data + (size_t)y * (size_t)stride);
    for (int x = 0; x < w; x++) o[x] = channel_delta(e[x], a[x]) > threshold ? RED : faded(e[x]);
  }
  if (st->x1 >= st->x0) {
    int x0 = st->x0 - BOX_MARGIN, y0 = st->y0 - BOX_MARGIN;
    int x1 = st->x1 + BOX_MARGIN, y1 = st->y1 + BOX_MARGIN;
    for (int y = y0; y <= y1; y++) {
      if (y < 0 || y >= h) continue;
      uint32_t *o = (uint32_t *)(data + (size_t)y * (size_t)stride);
      for (int x = x0; x <= x1; x++) {
        bool edge = y == y0 || y == y1 || x == x0 || x == x1;
        if (edge && x >= 0 && x < w && o[x] != RED) o[x] = BLUE;
      }
    }
  }
  cairo_surface_mark_dirty(s);
  return s;
}
