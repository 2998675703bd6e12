/* raster — PDFs drawn with poppler-glib onto Cairo image surfaces, and PNGs
 * read and written with Cairo. See raster.h. */
#include "diff/raster.h"
#include "base/mem.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/outfile.h"

struct rp_diff_pdf {
  PopplerDocument *doc;
  int n_pages;
};

rp_status rp_diff_pdf_open(const char *path, rp_diff_pdf **out, rp_diag *d) {
  *out = NULL;
  gchar *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  /* Read here rather than by URI: the message then names what went wrong. */
  if (!g_file_get_contents(path, &data, &len, &err)) {
    rp_status st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot read the PDF: %s",
                                 err ? err->message : "unknown error");
    g_clear_error(&err);
    return st;
  }
  GBytes *bytes = g_bytes_new_take(data, len);
  PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
  g_bytes_unref(bytes); /* the document holds its own reference */
  if (!doc) {
    rp_status st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                                 "not a readable PDF (%s); render it again or check the path",
                                 err ? err->message : "unknown error");
    g_clear_error(&err);
    return st;
  }
  int n = poppler_document_get_n_pages(doc);
  if (n <= 0) {
    g_object_unref(doc);
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "the PDF has no pages; it is damaged or not a rendered document");
  }
  rp_diff_pdf *p = rp_mem_calloc(1, sizeof *p);
  if (!p) {
    g_object_unref(doc);
    return rp_diag_oom(d);
  }
  p->doc = doc;
  p->n_pages = n;
  *out = p;
  return RP_OK;
}

void rp_diff_pdf_free(rp_diff_pdf *p) {
  if (!p) return;
  g_object_unref(p->doc);
  rp_mem_free(p);
}

int rp_diff_pdf_pages(const rp_diff_pdf *p) { return p->n_pages; }

void rp_diff_pdf_size(const rp_diff_pdf *p, int i, double *w_pt, double *h_pt) {
  *w_pt = *h_pt = 0;
  PopplerPage *page = poppler_document_get_page(p->doc, i);
  if (!page) return;
  poppler_page_get_size(page, w_pt, h_pt);
  g_object_unref(page);
}

/* ceil, less a hair so that an exact fit does not gain a pixel (as pdftoppm);
 * 0 for no page or one past any image size. */
static int px_of(double pt, int dpi) {
  double v = ceil(pt * dpi / 72.0 - 1e-6);
  return v >= 1 && v <= (double)RP_DIFF_MAX_PIXELS ? (int)v : 0;
}

void rp_diff_px(double w_pt, double h_pt, int dpi, int *w_px, int *h_px) {
  *w_px = px_of(w_pt, dpi);
  *h_px = px_of(h_pt, dpi);
}

rp_status rp_diff_pdf_render(rp_diff_pdf *p, int i, int dpi, const rp_diff_draw *how,
                             cairo_surface_t **out, rp_diag *d) {
  *out = NULL;
  PopplerPage *page = poppler_document_get_page(p->doc, i);
  if (!page)
    return rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0, "page %d cannot be read from the PDF", i + 1);
  double w_pt, h_pt;
  int w, h;
  poppler_page_get_size(page, &w_pt, &h_pt);
  rp_diff_px(w_pt, h_pt, dpi, &w, &h);
  if (w <= 0 || h <= 0 || (double)w * h > (double)RP_DIFF_MAX_PIXELS) {
    g_object_unref(page);
    return rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0,
                         "page %d is %.0f × %.0f pt: at %d dpi that is no image or too large "
                         "(at most %ld pixels); use a lower --dpi",
                         i + 1, w_pt, h_pt, dpi, RP_DIFF_MAX_PIXELS);
  }
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  if (how) {
    cairo_translate(cr, how->dx, how->dy);
    cairo_set_antialias(cr, how->antialias);
    if (how->no_hint_metrics) {
      cairo_font_options_t *fo = cairo_font_options_create();
      cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
      cairo_set_font_options(cr, fo);
      cairo_font_options_destroy(fo);
    }
  }
  cairo_scale(cr, dpi / 72.0, dpi / 72.0);
  poppler_page_render(page, cr);
  cairo_status_t cst = cairo_status(cr);
  cairo_destroy(cr);
  g_object_unref(page);
  cairo_surface_flush(s);
  if (cst == CAIRO_STATUS_SUCCESS) cst = cairo_surface_status(s);
  if (cst != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    if (cst == CAIRO_STATUS_NO_MEMORY) return rp_diag_oom(d);
    return rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0, "page %d could not be drawn: %s", i + 1,
                         cairo_status_to_string(cst));
  }
  *out = s;
  return RP_OK;
}

/* Reads the PNG signature and IHDR's size, so that a file that is no PNG or
 * would decode to a huge image is refused before Cairo allocates it. */
static rp_status png_check(const char *path, rp_diag *d) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "cannot read the golden PNG: %s; regenerate the goldens with --update",
                         strerror(errno));
  unsigned char h[24];
  size_t n = fread(h, 1, sizeof h, f);
  fclose(f);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (n < sizeof h || memcmp(h, sig, 8) != 0 || memcmp(h + 12, "IHDR", 4) != 0)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "not a PNG file; regenerate the goldens with --update");
  unsigned long w =
      (unsigned long)h[16] << 24 | (unsigned long)h[17] << 16 | (unsigned long)h[18] << 8 | h[19];
  unsigned long ht =
      (unsigned long)h[20] << 24 | (unsigned long)h[21] << 16 | (unsigned long)h[22] << 8 | h[23];
  if (w == 0 || ht == 0 || (double)w * (double)ht > (double)RP_DIFF_MAX_PIXELS)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "the PNG is %lu × %lu px: no image, or larger than any page diff "
                         "compares (%ld pixels)",
                         w, ht, RP_DIFF_MAX_PIXELS);
  return RP_OK;
}

rp_status rp_diff_png_read(const char *path, cairo_surface_t **out, rp_diag *d) {
  *out = NULL;
  rp_status st = png_check(path, d);
  if (st) return st;
  cairo_surface_t *png = cairo_image_surface_create_from_png(path);
  cairo_status_t cst = cairo_surface_status(png);
  if (cst != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(png);
    /* Cairo reports every libpng error as NO_MEMORY (render/img_png.c); the
     * size is checked, so a corrupt file is far more likely. */
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "the golden PNG cannot be decoded (%s); regenerate the goldens with "
                         "--update",
                         cst == CAIRO_STATUS_NO_MEMORY ? "corrupt data, or out of memory"
                                                       : cairo_status_to_string(cst));
  }
  if (cairo_image_surface_get_format(png) == CAIRO_FORMAT_RGB24) {
    *out = png;
    return RP_OK;
  }
  /* Anything else (alpha, grey) flattened over white, as pages are drawn. */
  int w = cairo_image_surface_get_width(png), h = cairo_image_surface_get_height(png);
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_surface(cr, png, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_destroy(png);
  cairo_surface_flush(s);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return rp_diag_oom(d);
  }
  *out = s;
  return RP_OK;
}

static cairo_status_t write_fd(void *closure, const unsigned char *data, unsigned int length) {
  int fd = *(int *)closure;
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n <= 0) return CAIRO_STATUS_WRITE_ERROR;
    data += n;
    length -= (unsigned int)n;
  }
  return CAIRO_STATUS_SUCCESS;
}

rp_status rp_diff_png_write(cairo_surface_t *s, const char *path, rp_diag *d) {
  rp_outfile of;
  rp_status st = rp_outfile_open(&of, path, d);
  if (st) return st;
  cairo_status_t cst = cairo_surface_write_to_png_stream(s, write_fd, &of.fd);
  if (cst != CAIRO_STATUS_SUCCESS) {
    rp_outfile_abort(&of);
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot write the PNG: %s",
                         cairo_status_to_string(cst));
  }
  return rp_outfile_commit(&of, d);
}
