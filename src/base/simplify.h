/* simplify — Douglas–Peucker thinning of a polyline or a ring of points:
 * the points kept are those that lie more than `tol` from the chord of the
 * span they sit in, so the thinned line stays within `tol` of the original.
 * Used where a line carries more detail than is printed: the map's outline
 * at its printed size (charts/map.c), runs of straight segments in a path
 * (render/pdf_shape.c). */
#ifndef RP_BASE_SIMPLIFY_H
#define RP_BASE_SIMPLIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Thins the *n points of `pt` (x0, y0, x1, y1, …) in place and sets *n to
 * how many are kept. An open line keeps its two ends; a closed ring (the
 * last point joined to the first) keeps at least three points, and is left
 * whole when it would fall under three. False when out of memory (the
 * points untouched). */
bool rp_simplify(double *pt, size_t *n, double tol, bool closed);

#endif
