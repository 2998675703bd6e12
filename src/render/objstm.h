/* objstm — a PDF written with its small objects in compressed object
 * streams and a cross-reference stream (ISO 32000-1 §7.5.7, §7.5.8;
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
 * The writer below makes such a file as it comes (pdf_doc.c's save);
 * rp_objstm_pack repacks a finished one with it.
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

/* ---- the writer: a file with object streams, written as it comes ----
 *
 * The caller hands over the objects (the packed ones in any order, the
 * streams in the file's order): a stream object
 * is written to the file at once (rp_objstm_direct, then its bytes through
 * rp_objstm_write: `N 0 obj … endobj` and a newline), any other object's
 * value goes into the current object stream (rp_objstm_packed), which is
 * deflated once it holds RP_OBJSTM_PER_STREAM objects and kept (io.keep:
 * out of memory; else in memory) until rp_objstm_end writes them all after
 * the streams, numbered from the document's size on, then the
 * cross-reference stream. Memory: one object stream's text (its buffer
 * freed after a large one), its deflated bytes, and the cross-reference
 * stream's data as it grows (7 bytes an object number), deflated at the end. */
typedef struct rp_flate rp_flate;
struct rp_flate_job;

typedef struct rp_objstm_io {
  void *user;
  /* Optional: the compressor to use (render/flate.h); else the writer's own. */
  rp_flate *flate;
  /* Optional, both or neither: a full object stream deflated on another
   * thread while the next is filled (render/flate.h's worker). `start`
   * takes the job (false: it is deflated here); `wait` waits for it and
   * gives its ok. At most two are out; every one is waited for before the
   * writer ends or is freed, so `wait` must work until then. */
  bool (*start)(void *user, struct rp_flate_job *job);
  bool (*wait)(void *user, struct rp_flate_job *job);
  /* The file, in order; false on failure. */
  bool (*write)(void *user, const void *data, size_t n);
  /* Optional: keeps n bytes until fetched back (*at: where); false on failure. */
  bool (*keep)(void *user, const void *data, size_t n, uint64_t *at);
  bool (*fetch)(void *user, uint64_t at, void *data, size_t n);
} rp_objstm_io;

typedef struct rp_objstm rp_objstm;

/* Starts the file with `header` (libharu's two lines; a version below 1.5
 * raised to 1.5). NULL when out of memory or the write failed. */
rp_objstm *rp_objstm_begin(const rp_objstm_io *io, const uint8_t *header, size_t len);
/* The same in two steps: a writer that packs objects before the file
 * begins (render packs what is final while pages are still drawn: full
 * object streams are deflated meanwhile, io.keep holding them), NULL when
 * out of memory; then the header, before the first byte of the file (false:
 * the writer has failed, or the file had begun). */
rp_objstm *rp_objstm_new(const rp_objstm_io *io);
bool rp_objstm_header(rp_objstm *w, const uint8_t *header, size_t len);
/* Whether object `num` is in an object stream already (packed). */
bool rp_objstm_has(const rp_objstm *w, size_t num);
/* Room for the rows of objects 0 … objects-1 (the caller's count so far),
 * so the table is not grown step by step; false when out of memory (the
 * writer has then failed). */
bool rp_objstm_reserve(rp_objstm *w, size_t objects);
/* Bytes to the file (a direct object's). */
bool rp_objstm_write(rp_objstm *w, const void *data, size_t n);
/* Object `num` (generation `gen`) starts here in the file. */
bool rp_objstm_direct(rp_objstm *w, size_t num, unsigned gen);
/* Object `num`'s value, into an object stream. */
bool rp_objstm_packed(rp_objstm *w, size_t num, const uint8_t *value, size_t len);
/* The same in pieces, straight into the object stream (a large value is
 * not gathered first): bytes of the value being written, then its end, as
 * object `num` (white space at its end dropped). */
bool rp_objstm_value(rp_objstm *w, const void *data, size_t n);
bool rp_objstm_value_end(rp_objstm *w, size_t num);
/* Writes the object streams, then the cross-reference stream for objects
 * 0 … size-1 and those streams, with `trailer` (its entries besides /Type,
 * /Size and /W, e.g. "/Root 1 0 R /Info 2 0 R"), and startxref. */
bool rp_objstm_end(rp_objstm *w, size_t size, const char *trailer);
/* True when a failure was out of memory (not the io). */
bool rp_objstm_nomem(const rp_objstm *w);
void rp_objstm_free(rp_objstm *w);

/* Repacks `in` (a complete PDF with a classic cross-reference table, as
 * libharu writes it). On RP_OBJSTM_PACKED *out (malloc'd through base/mem,
 * the caller frees it with rp_mem_free) and *out_len hold the new file;
 * otherwise *out is NULL. */
rp_objstm_result rp_objstm_pack(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);

#endif
