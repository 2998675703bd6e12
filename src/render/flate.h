/* flate — whole buffers deflated in the zlib format (a PDF's FlateDecode)
 * with libdeflate: about three times faster than zlib's deflate at its
 * default level, and a little smaller (the review's streams: 101,178 bytes
 * by zlib level 6, 99,313 by libdeflate level 6). Every compressed stream
 * render writes goes through here: pages' content, fonts, form XObjects,
 * object streams, the cross-reference stream. One compressor per document,
 * reused (zlib set up ~270 KB and cleared a hash table per stream).
 * Deterministic: same bytes in, same bytes out. */
#ifndef RP_RENDER_FLATE_H
#define RP_RENDER_FLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libdeflate's level: 6 is zlib's default trade; 9 saved 1.7 % more of the
 * review's stream bytes for three times the time, 12 about 9 % for fifteen. */
#define RP_FLATE_LEVEL 6

typedef struct rp_flate rp_flate;

/* NULL when out of memory. Allocates through base/mem. */
rp_flate *rp_flate_new(void);
void rp_flate_free(rp_flate *f);

/* Deflates in[0, len) into *out (allocated through base/mem: the caller
 * frees it with rp_mem_free) and *out_len; false when out of memory. */
bool rp_flate_deflate(rp_flate *f, const void *in, size_t len, uint8_t **out, size_t *out_len);

#endif
