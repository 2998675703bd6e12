/* svg — SVG logos and icons as vector paths, for render/ to draw like the
 * charts' path items (docs/svg.md).
 *
 * A documented subset of SVG 1.1 is read with the project's safe XML loader
 * (base/xml.h: no network, no DTD, no entities): path, rect, circle, ellipse,
 * line, polyline, polygon, g, a and use, with transforms, flat fill and stroke
 * colours, opacities, fill rules and two-value dashes, given as presentation
 * attributes, simple <style> sheet rules or style="". What cannot be drawn
 * faithfully as flat vector paths — text, gradients and patterns, filters,
 * clips and masks, embedded rasters, markers,
 * CSS beyond simple selectors — is refused
 * with the SVG file and line and what to do, never dropped silently.
 *
 * The result is the drawing in the SVG's own intrinsic size (CSS px, y down,
 * 0..width × 0..height: the viewBox already mapped with preserveAspectRatio),
 * allocated in the caller's arena; rp_svg_items places it into a box. Sizes,
 * element counts, nesting and path lengths are bounded (hostile files). */
#ifndef RP_SVG_SVG_H
#define RP_SVG_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/types.h"
#include "page/items.h"

#define RP_SVG_MAX_BYTES (8u * 1024u * 1024u) /* file size */
#define RP_SVG_MAX_ELEMENTS 50000             /* elements in the file */
#define RP_SVG_MAX_DEPTH 64                   /* element nesting */
#define RP_SVG_MAX_OPS 500000                 /* path segments in all */
#define RP_SVG_MAX_SIDE 100000.0              /* px: intrinsic width or height */
#define RP_SVG_MAX_CSS_WORK 100000000u        /* <style> rules × elements × class lists */

/* One painted path, in the drawing's px (see above). */
typedef struct rp_svg_shape {
  const rp_path_op *ops;
  size_t n_ops;
  rp_color fill, stroke; /* a == 0: none */
  double stroke_width;   /* px */
  double dash[2];        /* on, off (px); 0 = solid */
  bool even_odd;
  int cap;      /* stroke-linecap: 0 butt, 1 round, 2 square (PDF's numbers) */
  int join;     /* stroke-linejoin: 0 miter, 1 round, 2 bevel (PDF's numbers) */
  double miter; /* stroke-miterlimit (SVG's default 4) */
  int line;     /* of its element in the SVG file */
} rp_svg_shape;

typedef struct rp_svg {
  const char *path;     /* as given */
  double width, height; /* px, the intrinsic size (96 px = 1 in) */
  rp_svg_shape *shapes; /* painted in order */
  size_t n_shapes;
} rp_svg;

/* True when the first bytes look like an XML document (after a BOM and
 * white space, a '<'): what is neither PNG nor JPEG is read as SVG. */
bool rp_svg_sniff(const uint8_t *data, size_t len);

/* Reads `path`. On success *out is arena-allocated. On failure returns
 * RP_ERR_INPUT (RP_ERR_INTERNAL when out of memory) with every problem found
 * recorded in d at the SVG's file and line; *out is then NULL, but when the
 * size could be read, *width and *height (may be NULL) hold it (else 0). */
rp_status rp_svg_load(rp_arena *a, const char *path, rp_diag *d, rp_svg **out, double *width,
                      double *height);

/* The drawing as path items scaled into the box x, y, w × h (page points, y
 * down; a box of another aspect than the drawing's stretches it). Line
 * widths scale by the square root of the area scale. *items (n_shapes of
 * them, arena-allocated) carry `src`. False when out of memory. */
bool rp_svg_items(rp_arena *a, const rp_svg *svg, double x, double y, double w, double h,
                  const rp_src *src, rp_item **items);

#endif
