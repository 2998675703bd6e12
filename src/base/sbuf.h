/* sbuf — a bounded string builder over a caller's buffer: appends that would
 * not fit set `overflow` and leave the text as it was, always NUL-terminated.
 * Used by the formatters that write into fixed buffers (numbers, dates). */
#ifndef RP_BASE_SBUF_H
#define RP_BASE_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct rp_sbuf {
  char *p;
  size_t cap, len;
  bool overflow;
} rp_sbuf;

static inline void rp_sbuf_put(rp_sbuf *o, const char *s, size_t n) {
  if (o->len + n >= o->cap) {
    o->overflow = true;
    return;
  }
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = '\0';
}

static inline void rp_sbuf_puts(rp_sbuf *o, const char *s) { rp_sbuf_put(o, s, strlen(s)); }

#endif
