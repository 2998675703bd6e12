/* flate — libdeflate behind one small interface (flate.h). */
#include "render/flate.h"

#include <libdeflate.h>

#include "base/mem.h"

struct rp_flate {
  struct libdeflate_compressor *c;
};

rp_flate *rp_flate_new(void) {
  /* libdeflate's own allocations counted and failed like ours (base/mem.h);
   * the same two functions every time, so compressors already made keep
   * theirs. */
  libdeflate_set_memory_allocator(rp_mem_alloc, rp_mem_free);
  rp_flate *f = rp_mem_calloc(1, sizeof *f);
  if (!f) return NULL;
  f->c = libdeflate_alloc_compressor(RP_FLATE_LEVEL);
  if (!f->c) {
    rp_mem_free(f);
    return NULL;
  }
  return f;
}

void rp_flate_free(rp_flate *f) {
  if (!f) return;
  libdeflate_free_compressor(f->c);
  rp_mem_free(f);
}

bool rp_flate_deflate(rp_flate *f, const void *in, size_t len, uint8_t **out, size_t *out_len) {
  size_t cap = libdeflate_zlib_compress_bound(f->c, len);
  *out = rp_mem_alloc(cap ? cap : 1);
  *out_len = 0;
  if (!*out) return false;
  *out_len = libdeflate_zlib_compress(f->c, in, len, *out, cap);
  if (*out_len == 0) { /* cannot happen within the bound */
    rp_mem_free(*out);
    *out = NULL;
    return false;
  }
  return true;
}
