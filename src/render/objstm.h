/* objstm — a finished PDF repacked with its small objects in compressed
 * object streams and a cross-reference stream (ISO 32000-1 §7.5.7, §7.5.8;
 * PDF 1.5).
 *
 * libharu writes every object as plain text, each structure element, outline
 * item, annotation and stream /Length its own `N 0 obj … endobj` with a
 * 20-byte cross-reference entry: in a tagged file most of the bytes. Here
 * every object that is not a stream (and has generation 0) moves into object
 * streams of at most RP_OBJSTM_PER_STREAM objects, deflated; streams stay as
 * they are, byte for byte; the cross-reference table and trailer become one
 * deflated cross-reference stream. Object numbers do not change, so every
 * reference stays valid. The header's version is raised to 1.5 when lower.
 *
 * Bytes in, bytes out; no libharu. Output is deterministic. */
#ifndef RP_RENDER_OBJSTM_H
#define RP_RENDER_OBJSTM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_OBJSTM_PER_STREAM 200

typedef enum rp_objstm_result {
  RP_OBJSTM_PACKED,    /* *out holds the repacked file */
  RP_OBJSTM_UNCHANGED, /* not a file this packer reads (an unexpected
                          layout, an encrypted file…): use the input */
  RP_OBJSTM_NOMEM,     /* out of memory */
} rp_objstm_result;

/* Repacks `in` (a complete PDF with a classic cross-reference table, as
 * libharu writes it). On RP_OBJSTM_PACKED *out (malloc'd through base/mem,
 * the caller frees it with rp_mem_free) and *out_len hold the new file;
 * otherwise *out is NULL. */
rp_objstm_result rp_objstm_pack(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);

#endif
