/* pdf_raster — the raster mode of charts (--chart-dpi N, off by default):
 * the path items of one chart (those sharing a parent structure element on a
 * page) are painted with Cairo on one image surface at N dots per inch and
 * embedded as one image with its alpha as an SMask, at the place of the
 * chart's first path item in drawing order. Text items stay text (searchable,
 * drawn over the image). Kept for comparison with the vector route: size and
 * time of both are in docs/render.md. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/mem.h"
#include "render/img.h" /* the decoder's size limits */
#include "render/pdf.h"

static void replay(cairo_t *cr, const rp_item *it) {
  for (size_t k = 0; k < it->u.path.n_ops; k++) {
    const rp_path_op *o = &it->u.path.ops[k];
    switch (o->op) {
      case RP_PATH_MOVE:
        cairo_move_to(cr, o->x[0], o->y[0]);
        break;
      case RP_PATH_LINE:
        cairo_line_to(cr, o->x[0], o->y[0]);
        break;
      case RP_PATH_CURVE:
        cairo_curve_to(cr, o->x[0], o->y[0], o->x[1], o->y[1], o->x[2], o->y[2]);
        break;
      case RP_PATH_CLOSE:
        cairo_close_path(cr);
        break;
    }
  }
}

static void paint(cairo_t *cr, const rp_item *it) {
  rp_color f = it->u.path.fill, s = it->u.path.stroke;
  double lw = it->u.path.stroke_width;
  cairo_new_path(cr);
  replay(cr, it);
  cairo_set_fill_rule(cr, it->u.path.even_odd ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING);
  if (f.a > 0) {
    cairo_set_source_rgba(cr, f.r, f.g, f.b, f.a);
    cairo_fill_preserve(cr);
  }
  if (s.a > 0 && lw > 0) {
    cairo_set_source_rgba(cr, s.r, s.g, s.b, s.a);
    cairo_set_line_width(cr, lw);
    double dash[2] = {it->u.path.dash[0], it->u.path.dash[1]};
    cairo_set_dash(cr, dash, dash[0] > 0 && dash[1] > 0 ? 2 : 0, 0);
    cairo_stroke_preserve(cr);
  }
  cairo_new_path(cr);
}

/* Viewers sample an image and its SMask separately when scaling; a
 * transparent pixel next to a thin line must not be black, or the line
 * darkens. Transparent pixels take the colour of the nearest painted pixel
 * within 3 px (down, up, then right, left). */
static void bleed(uint8_t *rgb, const uint8_t *alpha, int w, int h) {
  static const int d[][2] = {{0, 1}, {0, -1}, {1, 0}, {-1, 0}, {0, 2}, {0, -2},
                             {2, 0}, {-2, 0}, {0, 3}, {0, -3}, {3, 0}, {-3, 0}};
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      size_t at = (size_t)y * (size_t)w + (size_t)x;
      if (alpha[at]) continue;
      for (size_t k = 0; k < sizeof d / sizeof d[0]; k++) {
        int xx = x + d[k][0], yy = y + d[k][1];
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        size_t from = (size_t)yy * (size_t)w + (size_t)xx;
        if (alpha[from] < 128) continue;
        rgb[at * 3] = rgb[from * 3], rgb[at * 3 + 1] = rgb[from * 3 + 1];
        rgb[at * 3 + 2] = rgb[from * 3 + 2];
        break;
      }
    }
}

static bool same_chart(const rp_item *a, const rp_item *b) {
  return b->kind == RP_ITEM_PATH && a->parent_id != 0 && b->parent_id == a->parent_id;
}

void rp_pdf_draw_path_raster(rp_pdf *p, const rp_item *items, size_t i, size_t n) {
  const rp_item *first = &items[i];
  for (size_t j = 0; j < i; j++)
    if (same_chart(first, &items[j])) return; /* drawn with the chart's first path */
  /* the chart's extent, strokes included */
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (size_t j = i; j < n; j++) {
    const rp_item *it = &items[j];
    if (j != i && !same_chart(first, it)) continue;
    double m = it->u.path.stroke.a > 0 ? it->u.path.stroke_width / 2 + 1 : 1;
    double v[4] = {it->x, it->y, it->w, it->h};
    if (!rp_pdf_finite(v, 4)) continue;
    x0 = fmin(x0, it->x - m), y0 = fmin(y0, it->y - m);
    x1 = fmax(x1, it->x + it->w + m), y1 = fmax(y1, it->y + it->h + m);
  }
  if (!(x1 > x0 && y1 > y0)) return;
  double dpi = p->chart_dpi, w = x1 - x0, h = y1 - y0;
  /* within the decoder's limits: a lower resolution for a huge chart */
  double k = dpi / 72;
  k = fmin(k, RP_IMG_MAX_SIDE / fmax(w, h));
  k = fmin(k, sqrt(RP_IMG_MAX_PIXELS / (w * h)));
  int wpx = (int)ceil(w * k), hpx = (int)ceil(h * k);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, wpx, hpx);
  cairo_t *cr = cairo_create(s);
  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, first, "cannot rasterise a chart: %s",
                      cairo_status_to_string(cairo_status(cr)));
    goto out;
  }
  cairo_scale(cr, k, k);
  cairo_translate(cr, -x0, -y0);
  for (size_t j = i; j < n; j++)
    if (j == i || same_chart(first, &items[j])) paint(cr, &items[j]);
  cairo_surface_flush(s);
  /* Cairo's premultiplied native-endian ARGB → colour and alpha planes */
  size_t npx = (size_t)wpx * (size_t)hpx;
  uint8_t *rgb = rp_mem_alloc(npx * 3), *alpha = rp_mem_alloc(npx);
  if (!rgb || !alpha) {
    rp_mem_free(rgb);
    rp_mem_free(alpha);
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    goto out;
  }
  const unsigned char *data = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < hpx; y++)
    for (int x = 0; x < wpx; x++) {
      uint32_t px = *(const uint32_t *)(data + (size_t)y * (size_t)stride + (size_t)x * 4);
      size_t at = (size_t)y * (size_t)wpx + (size_t)x;
      unsigned a = px >> 24;
      alpha[at] = (uint8_t)a;
      for (int c = 0; c < 3; c++) {
        unsigned v = (px >> (16 - 8 * c)) & 0xFF;
        rgb[at * 3 + c] = (uint8_t)(a ? (v * 255 + a / 2) / a : 0);
      }
    }
  bleed(rgb, alpha, wpx, hpx);
  HPDF_Image img =
      HPDF_LoadRawImageFromMem(p->pdf, rgb, (HPDF_UINT)wpx, (HPDF_UINT)hpx, HPDF_CS_DEVICE_RGB, 8);
  HPDF_Image mask = img ? HPDF_LoadRawImageFromMem(p->pdf, alpha, (HPDF_UINT)wpx, (HPDF_UINT)hpx,
                                                   HPDF_CS_DEVICE_GRAY, 8)
                        : NULL;
  if (mask) HPDF_Image_AddSMask(img, mask);
  p->needs_v14 = true;
  rp_mem_free(rgb);
  rp_mem_free(alpha);
  if (!img || !mask || !rp_pdf_ok(p, "embed a chart image", &first->src)) {
    if (p->status == RP_OK)
      rp_pdf_item_error(p, RP_ERR_INTERNAL, first, "cannot embed a chart image");
    goto out;
  }
  /* placed at its pixel size, so that no pixel is stretched */
  double pw = wpx / k, ph = hpx / k;
  HPDF_Page_DrawImage(p->page, img, (HPDF_REAL)x0, (HPDF_REAL)rp_pdf_y(p, y0 + ph), (HPDF_REAL)pw,
                      (HPDF_REAL)ph);
  rp_pdf_ok(p, "draw a chart image", &first->src);
out:
  cairo_destroy(cr);
  cairo_surface_destroy(s);
}
