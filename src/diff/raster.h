/* raster — the diff module's inside: PDFs opened with poppler and drawn
 * onto Cairo image surfaces, goldens read and written as PNGs, and two
 * images compared. Shared by diff.c and the unit tests (which also measure
 * anti-aliasing noise by drawing with a sub-pixel offset). */
#ifndef RP_DIFF_RASTER_H
#define RP_DIFF_RASTER_H

#include <cairo.h>
#include <stdbool.h>

#include "base/diag.h"
#include "diff/diff.h"

/* The largest image rasterised, in pixels (a 600 dpi A0 page is ~ 2e8). */
#define RP_DIFF_MAX_PIXELS 100000000L

typedef struct rp_diff_pdf rp_diff_pdf;

/* Opens a PDF. On error records it (file unreadable, not a PDF, no pages)
 * and sets *out to NULL. Free with rp_diff_pdf_free. */
rp_status rp_diff_pdf_open(const char *path, rp_diff_pdf **out, rp_diag *d);
void rp_diff_pdf_free(rp_diff_pdf *p);
int rp_diff_pdf_pages(const rp_diff_pdf *p);
/* Page i's (0-based) size in points. */
void rp_diff_pdf_size(const rp_diff_pdf *p, int i, double *w_pt, double *h_pt);
/* The size in pixels a page of w_pt × h_pt gets at dpi; 0 for a side that
 * is empty or larger than RP_DIFF_MAX_PIXELS. */
void rp_diff_px(double w_pt, double h_pt, int dpi, int *w_px, int *h_px);
/* How a page is drawn: NULL (or all zero) when comparing; the rest lets
 * tests measure anti-aliasing noise as another rasteriser would make it. */
typedef struct rp_diff_draw {
  double dx, dy;               /* px: the page shifted by a fraction of a pixel */
  cairo_antialias_t antialias; /* CAIRO_ANTIALIAS_DEFAULT (0), or FAST, GRAY… */
  bool no_hint_metrics;        /* glyph metrics not rounded to whole pixels */
} rp_diff_draw;

/* Draws page i on a new opaque (RGB24) white image at dpi. The caller
 * destroys *out. */
rp_status rp_diff_pdf_render(rp_diff_pdf *p, int i, int dpi, const rp_diff_draw *how,
                             cairo_surface_t **out, rp_diag *d);

/* Reads a PNG as an opaque RGB24 image (transparency over white). */
rp_status rp_diff_png_read(const char *path, cairo_surface_t **out, rp_diag *d);
/* Writes an image as a PNG, all-or-nothing (base/outfile). */
rp_status rp_diff_png_write(cairo_surface_t *s, const char *path, rp_diag *d);

typedef struct rp_diff_stats {
  long differing, total;
  int max_delta;
  int x0, y0, x1, y1; /* box of the differing pixels; x1 < x0 when none */
} rp_diff_stats;

/* Whether pixel (x, y) differs: a channel differs by more than threshold,
 * and either by more than rp_diff_ink(threshold) or (radius > 0) with no
 * pixel of the other image within radius px to explain it — an anti-aliased
 * edge takes values between its neighbours' (compare.c). Both images RGB24
 * of the same size. */
int rp_diff_ink(int threshold);
bool rp_diff_pixel_differs(cairo_surface_t *expected, cairo_surface_t *actual, int x, int y,
                           int threshold, int radius);
/* Compares two RGB24 images of the same size. */
void rp_diff_compare(cairo_surface_t *expected, cairo_surface_t *actual, int threshold, int radius,
                     rp_diff_stats *st);
/* The diff image: expected faded to a light grey, each differing pixel red,
 * the box of them outlined in blue. NULL when out of memory. */
cairo_surface_t *rp_diff_image(cairo_surface_t *expected, cairo_surface_t *actual, int threshold,
                               int radius, const rp_diff_stats *st);

#endif
