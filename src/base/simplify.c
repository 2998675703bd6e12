/* simplify — see simplify.h. */
#include "base/simplify.h"

#include <math.h>
#include <string.h>

#include "base/mem.h"

/* Marks the points of the span i..j (j may be n: point 0 again) that the
 * thinned line needs. `stack` has room for 2n entries: the spans waiting
 * are disjoint, at most one per point kept. */
static void mark(const double *pt, size_t n, size_t i, size_t j, double tol, unsigned char *keep,
                 size_t *stack) {
  size_t top = 0;
  stack[top++] = i, stack[top++] = j;
  while (top) {
    size_t b = stack[--top], a = stack[--top];
    const double *p = &pt[2 * a], *q = &pt[2 * (b % n)];
    double dx = q[0] - p[0], dy = q[1] - p[1], len = hypot(dx, dy), worst = -1;
    size_t at = a;
    for (size_t k = a + 1; k < b; k++) {
      double ex = pt[2 * k] - p[0], ey = pt[2 * k + 1] - p[1];
      double d = len > 0 ? fabs(dx * ey - dy * ex) / len : hypot(ex, ey);
      if (d > worst) worst = d, at = k;
    }
    if (worst > tol) {
      keep[at] = 1;
      stack[top++] = a, stack[top++] = at;
      stack[top++] = at, stack[top++] = b;
    }
  }
}

bool rp_simplify(double *pt, size_t *n, double tol, bool closed) {
  size_t count = *n;
  if (count < (closed ? 4u : 3u)) return true;
  unsigned char *keep = rp_mem_calloc(count, 1);
  size_t *stack = rp_mem_alloc((2 * count + 4) * sizeof *stack);
  if (!keep || !stack) {
    rp_mem_free(keep), rp_mem_free(stack);
    return false;
  }
  keep[0] = 1;
  if (closed) {
    /* a ring is two lines: from point 0 to the point farthest from it, and
     * on back to point 0 */
    size_t far = 0;
    double best = -1;
    for (size_t i = 1; i < count; i++) {
      double d = hypot(pt[2 * i] - pt[0], pt[2 * i + 1] - pt[1]);
      if (d > best) best = d, far = i;
    }
    keep[far] = 1;
    mark(pt, count, 0, far, tol, keep, stack);
    mark(pt, count, far, count, tol, keep, stack);
  } else {
    keep[count - 1] = 1;
    mark(pt, count, 0, count - 1, tol, keep, stack);
  }
  size_t m = 0;
  for (size_t i = 0; i < count; i++) m += keep[i];
  if (!closed || m >= 3) {
    m = 0;
    for (size_t i = 0; i < count; i++)
      if (keep[i]) pt[2 * m] = pt[2 * i], pt[2 * m + 1] = pt[2 * i + 1], m++;
    *n = m;
  }
  rp_mem_free(keep), rp_mem_free(stack);
  return true;
}
