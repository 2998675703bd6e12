/* raster — the diff module's inside: PDFs opened with poppler and drawn
 * onto Cairo image surfaces, goldens read and written as PNGs, and two
 * images compared. Shared by diff.c and the unit tests (which also measure
 * anti-aliasing noise by drawing with a sub-pixel offset). */
#ifndef RP_DIFF_RASTER_H
#define RP_DIFF_RASTER_H

#include <cairo.h>

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
/* The size in pixels a page of w_pt × h_pt gets at dpi. */
void rp_diff_px(double w_pt, double h_pt, int dpi, int *w_px, int *h_px);
/* Draws page i on a new opaque (RGB24) white image at dpi, shifted by
 * (dx, dy) px (0 but in tests). The caller destroys *out. */
rp_status rp_diff_pdf_render(rp_diff_pdf *p, int i, int dpi, double dx, double dy,
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

/* Compares two RGB24 images of the same size. */
void rp_diff_compare(cairo_surface_t *expected, cairo_surface_t *actual, int threshold,
                     rp_diff_stats *st);
/* The diff image: expected faded to a light grey, each differing pixel red,
 * the box of them outlined in blue. NULL when out of memory. */
cairo_surface_t *rp_diff_image(cairo_surface_t *expected, cairo_surface_t *actual, int threshold,
                               const rp_diff_stats *st);

#endif
