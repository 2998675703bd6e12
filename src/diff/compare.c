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

/* Whether pixel (x, y) of `a` is explained by `b` around it: each channel of
 * a's pixel lies within b's range over the (2r+1)² neighbourhood, widened by
 * the threshold. An edge drawn a fraction of a pixel elsewhere, or with other
 * anti-aliasing, takes values between those of its neighbours; a new word,
 * a moved box or a new colour does not. */
static bool explained(cairo_surface_t *a, cairo_surface_t *b, int x, int y, int r, int threshold) {
  int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
  uint32_t p = row(a, y)[x];
  for (int shift = 0; shift <= 16; shift += 8) {
    int v = (int)((p >> shift) & 0xFF), lo = 255, hi = 0;
    for (int yy = y - r; yy <= y + r; yy++) {
      if (yy < 0 || yy >= h) continue;
      const uint32_t *br = row(b, yy);
      for (int xx = x - r; xx <= x + r; xx++) {
        if (xx < 0 || xx >= w) continue;
        int c = (int)((br[xx] >> shift) & 0xFF);
        if (c < lo) lo = c;
        if (c > hi) hi = c;
      }
    }
    if (v < lo - threshold || v > hi + threshold) return false;
  }
  return true;
}

int rp_diff_ink(int threshold) { return threshold * 4 < 255 ? threshold * 4 : 255; }

bool rp_diff_pixel_differs(cairo_surface_t *expected, cairo_surface_t *actual, int x, int y,
                           int threshold, int radius) {
  uint32_t e = row(expected, y)[x], a = row(actual, y)[x];
  int delta = channel_delta(e, a);
  if (delta <= threshold) return false;
  /* Anti-aliasing never turns paper into ink: a difference this large is a
   * changed glyph or shape, even where a neighbour could explain it. */
  if (radius == 0 || delta > rp_diff_ink(threshold)) return true;
  return !explained(expected, actual, x, y, radius, threshold) ||
         !explained(actual, expected, x, y, radius, threshold);
}

void rp_diff_compare(cairo_surface_t *expected, cairo_surface_t *actual, int threshold, int radius,
                     rp_diff_stats *st) {
  int w = cairo_image_surface_get_width(expected), h = cairo_image_surface_get_height(expected);
  *st = (rp_diff_stats){.total = (long)w * h, .x0 = w, .y0 = h, .x1 = -1, .y1 = -1};
  for (int y = 0; y < h; y++) {
    const uint32_t *e = row(expected, y), *a = row(actual, y);
    for (int x = 0; x < w; x++) {
      if (e[x] == a[x]) continue;
      int delta = channel_delta(e[x], a[x]);
      if (delta > st->max_delta) st->max_delta = delta;
      if (!rp_diff_pixel_differs(expected, actual, x, y, threshold, radius)) continue;
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
                               int radius, const rp_diff_stats *st) {
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
    for (int x = 0; x < w; x++)
      o[x] = e[x] != a[x] && rp_diff_pixel_differs(expected, actual, x, y, threshold, radius)
                 ? RED
                 : faded(e[x]);
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
