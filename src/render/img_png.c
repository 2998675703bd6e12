/* img_png — PNG decoding through Cairo, which reports corrupt and truncated
 * files as a surface status instead of aborting (libharu's loader aborts the
 * process). Any PNG libpng reads is accepted: palette, gray, 16-bit and
 * interlaced files arrive as Cairo ARGB32 (premultiplied, native-endian
 * 32-bit words) or RGB24; other formats are painted onto ARGB32. The size in
 * the header is checked before decoding (decompression bombs).
 *
 * An opaque 8-bit gray or RGB PNG, or a palette one, needs no decoding to go
 * into a PDF: its IDAT data is a zlib stream of predictor-filtered rows that
 * PDF's FlateDecode with /Predictor 15 reads as it is. rp_png_raw_data finds
 * those files and joins their IDAT chunks (after rp_png_decode has decoded
 * the file once, so the data is known to be sound). */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "render/img.h"

typedef struct mem_reader {
  const uint8_t *data;
  size_t len, pos;
} mem_reader;

static cairo_status_t read_mem(void *closure, unsigned char *buf, unsigned int n) {
  mem_reader *r = closure;
  if (r->len - r->pos < n) return CAIRO_STATUS_READ_ERROR;
  memcpy(buf, r->data + r->pos, n);
  r->pos += n;
  return CAIRO_STATUS_SUCCESS;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Converts any image surface to ARGB32 by painting it (rare formats). */
static cairo_surface_t *to_argb32(cairo_surface_t *s) {
  int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  cairo_surface_t *t = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create(t);
  cairo_set_source_surface(cr, s, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return t;
}

bool rp_png_decode(const uint8_t *data, size_t len, rp_pixmap *out, char *err, size_t errlen) {
  if (len < 24 || memcmp(data + 12, "IHDR", 4) != 0) {
    snprintf(err, errlen, "the PNG file is truncated or has no header");
    return false;
  }
  uint32_t hw = be32(data + 16), hh = be32(data + 20);
  if (hw == 0 || hh == 0 || hw > RP_IMG_MAX_SIDE || hh > RP_IMG_MAX_SIDE ||
      (double)hw * hh > RP_IMG_MAX_PIXELS) {
    snprintf(err, errlen, "the PNG image is %u x %u px; at most %d px a side and %.0f million px",
             hw, hh, RP_IMG_MAX_SIDE, RP_IMG_MAX_PIXELS / 1e6);
    return false;
  }
  mem_reader r = {data, len, 0};
  cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_mem, &r);
  cairo_status_t st = cairo_surface_status(s);
  if (st != CAIRO_STATUS_SUCCESS) {
    /* Cairo reports every libpng error (bad CRC, bad compressed data, bad
     * chunk) as NO_MEMORY, its "most likely error" (cairo-png.c,
     * png_simple_error_callback); the size is already checked, so it is far
     * more likely to be a corrupt file. */
    snprintf(err, errlen, "the PNG file cannot be decoded (%s)",
             st == CAIRO_STATUS_READ_ERROR  ? "truncated or unreadable"
             : st == CAIRO_STATUS_NO_MEMORY ? "corrupt data, or out of memory"
                                            : cairo_status_to_string(st));
    cairo_surface_destroy(s);
    return false;
  }
  cairo_format_t fmt = cairo_image_surface_get_format(s);
  if (fmt != CAIRO_FORMAT_ARGB32 && fmt != CAIRO_FORMAT_RGB24) s = to_argb32(s);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    snprintf(err, errlen, "out of memory decoding the PNG file");
    cairo_surface_destroy(s);
    return false;
  }
  cairo_surface_flush(s);
  fmt = cairo_image_surface_get_format(s);
  int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  int stride = cairo_image_surface_get_stride(s);
  const unsigned char *px = cairo_image_surface_get_data(s);
  uint8_t *rgba = px ? rp_mem_alloc((size_t)w * (size_t)h * 4) : NULL;
  if (!rgba) {
    snprintf(err, errlen, "out of memory decoding the PNG file");
    cairo_surface_destroy(s);
    return false;
  }
  for (int y = 0; y < h; y++) {
    const unsigned char *row = px + (size_t)y * (size_t)stride;
    uint8_t *o = rgba + (size_t)y * (size_t)w * 4;
    for (int x = 0; x < w; x++, o += 4) {
      uint32_t v;
      memcpy(&v, row + (size_t)x * 4, 4); /* native-endian 0xAARRGGBB */
      o[0] = (uint8_t)(v >> 16);
      o[1] = (uint8_t)(v >> 8);
      o[2] = (uint8_t)v;
      o[3] = fmt == CAIRO_FORMAT_RGB24 ? 255 : (uint8_t)(v >> 24);
    }
  }
  cairo_surface_destroy(s);
  out->w = w;
  out->h = h;
  out->rgba = rgba;
  return true;
}

/* ---- pass-through -------------------------------------------------- */

void rp_png_raw_fini(rp_png_raw *r) {
  rp_mem_free(r->idat);
  memset(r, 0, sizeof *r);
}

bool rp_png_raw_data(const uint8_t *data, size_t len, rp_png_raw *out) {
  memset(out, 0, sizeof *out);
  if (len < 33 || memcmp(data, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(data + 12, "IHDR", 4) != 0)
    return false;
  const uint8_t *ihdr = data + 16;
  int bits = ihdr[8], type = ihdr[9], interlace = ihdr[12];
  bool gray_rgb = (type == 0 || type == 2) && bits == 8;
  bool palette = type == 3 && (bits == 1 || bits == 2 || bits == 4 || bits == 8);
  if (interlace != 0 || !(gray_rgb || palette)) return false;
  /* the chunks: IDAT data joined; a tRNS (transparency) refuses */
  size_t total = 0;
  const uint8_t *plte = NULL;
  uint32_t plte_len = 0;
  for (size_t pos = 8; pos + 12 <= len;) {
    uint32_t n = be32(data + pos);
    if (n > len - pos - 12) return false;
    const uint8_t *tag = data + pos + 4;
    if (memcmp(tag, "tRNS", 4) == 0) return false;
    if (memcmp(tag, "PLTE", 4) == 0) plte = data + pos + 8, plte_len = n;
    if (memcmp(tag, "IDAT", 4) == 0) total += n;
    if (memcmp(tag, "IEND", 4) == 0) break;
    pos += 12 + (size_t)n;
  }
  if (total == 0 || (palette && (!plte || plte_len % 3 || plte_len == 0 || plte_len > 768)))
    return false;
  uint8_t *idat = rp_mem_alloc(total);
  if (!idat) return false;
  size_t at = 0;
  for (size_t pos = 8; pos + 12 <= len;) {
    uint32_t n = be32(data + pos);
    if (memcmp(data + pos + 4, "IDAT", 4) == 0) {
      memcpy(idat + at, data + pos + 8, n);
      at += n;
    }
    if (memcmp(data + pos + 4, "IEND", 4) == 0) break;
    pos += 12 + (size_t)n;
  }
  *out = (rp_png_raw){.w = (int)be32(ihdr),
                      .h = (int)be32(ihdr + 4),
                      .bits = bits,
                      .colors = type == 2 ? 3 : 1,
                      .plte = palette ? plte : NULL,
                      .n_plte = palette ? (int)(plte_len / 3) : 0,
                      .idat = idat,
                      .idat_len = total};
  return true;
}
