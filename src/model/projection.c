/* projection — see projection.h. */
#include "model/projection.h"

#include <stdio.h>
#include <string.h>

char *rp_projection_describe(rp_arena *a, const rp_projection *p) {
  size_t len = 2;
  for (size_t i = 0; i < p->n_item; i++) len += strlen(p->item[i]) + 1;
  for (size_t i = 0; i < p->n_keep; i++) len += strlen(p->keep[i].path) + 6;
  len += 32; /* " (N batched)" */
  char *s = rp_arena_alloc(a, len + 1), *w = s;
  if (!s) return NULL;
  for (size_t i = 0; i < p->n_item; i++) {
    size_t n = strlen(p->item[i]);
    if (i) *w++ = '/';
    memcpy(w, p->item[i], n);
    w += n;
  }
  *w++ = ':';
  for (size_t i = 0; i < p->n_keep; i++) {
    size_t n = strlen(p->keep[i].path);
    *w++ = ' ';
    memcpy(w, p->keep[i].path, n);
    w += n;
    if (p->keep[i].whole) memcpy(w, "(all)", 5), w += 5;
  }
  *w = '\0';
  if (p->n_batched) sprintf(w, " (%zu batched)", p->n_batched);
  return s;
}

const rp_projection_keep *rp_projection_find(const rp_projection *p, const char *path, size_t len) {
  size_t lo = 0, hi = p->n_keep;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *k = p->keep[mid].path;
    int c = strncmp(k, path, len);
    if (c == 0) c = k[len] ? 1 : 0;
    if (c == 0) return &p->keep[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}
