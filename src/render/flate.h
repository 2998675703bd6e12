/* flate — whole buffers deflated in the zlib format (a PDF's FlateDecode)
 * with libdeflate: about three times faster than zlib's deflate at its
 * default level, and a little smaller (the review's streams: 101,178 bytes
 * by zlib level 6, 99,313 by libdeflate level 6). Every compressed stream
 * render writes goes through here: pages' content, fonts, form XObjects,
 * object streams, the cross-reference stream. One compressor per thread
 * that deflates (a document's, its worker's), reused (zlib set up ~270 KB
 * and cleared a hash table per stream).
 * Deterministic: same bytes in, same bytes out. */
#ifndef RP_RENDER_FLATE_H
#define RP_RENDER_FLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libdeflate's level: 6 is zlib's default trade; 9 saved 1.7 % more of the
 * review's stream bytes for three times the time, 12 about 9 % for fifteen.
 * 5 (session 12): 8 % fewer instructions than 6 deflating the review's
 * 304 KB (19.6 -> 18.0 M, most of them its worker's, which the end of the
 * render waits for), for 1.2 % more bytes (+779 in the file: the Up
 * predictor of the cross-reference stream had saved 899). */
#define RP_FLATE_LEVEL 5

typedef struct rp_flate rp_flate;

/* NULL when out of memory. Allocates through base/mem. */
rp_flate *rp_flate_new(void);
void rp_flate_free(rp_flate *f);

/* Deflates in[0, len) into *out (allocated through base/mem: the caller
 * frees it with rp_mem_free) and *out_len; false when out of memory. */
bool rp_flate_deflate(rp_flate *f, const void *in, size_t len, uint8_t **out, size_t *out_len);
/* The same into at most `cap` bytes (a guess for data known to deflate
 * well: no room for the worst case held beside a large input); false, with
 * *out NULL, when they do not fit or memory runs out. */
bool rp_flate_deflate_within(rp_flate *f, const void *in, size_t len, size_t cap, uint8_t **out,
                             size_t *out_len);

/* A second thread deflating while the caller goes on (render's finished
 * pages while the next is drawn): jobs are done one at a time in the order
 * given, with a compressor of the thread's own (made with it); `f`, the
 * caller's, does a job the caller waits for before the thread started it.
 * Output is what rp_flate_deflate gives for the same bytes. */
typedef struct rp_flate_worker rp_flate_worker;

/* A job: `in`, `len` set by the caller, who keeps `in` alive and the job
 * unmoved until rp_flate_worker_wait returns for it. With `make`, the
 * worker first runs it (it may set in and len; the job is then ok when it
 * returns true), and deflates only when `in` is set. */
typedef struct rp_flate_job {
  const uint8_t *in;
  size_t len;
  bool (*make)(struct rp_flate_job *job);
  uint8_t *out; /* base/mem, the caller's once waited for (NULL if !ok) */
  size_t out_len;
  bool ok;   /* false: out of memory */
  bool done; /* (the worker's, under its lock) */
  struct rp_flate_job *next;
} rp_flate_job;

/* A worker thread, its compressor, `f` the caller's (kept by the caller);
 * NULL when out of memory or no thread could be started (the caller then
 * deflates as before, on its thread). */
rp_flate_worker *rp_flate_worker_new(rp_flate *f);
/* Queues `job` (its in and len set). */
void rp_flate_worker_push(rp_flate_worker *w, rp_flate_job *job);
/* Waits until `job` is done; returns job->ok (job->out is then the caller's).
 * A job not started yet is done here instead, on the caller's thread with
 * its compressor, while the thread does others (and a worker that had no
 * processor costs no more than having none); while the thread does `job`,
 * the caller does the jobs queued, newest first, rather than wait idle
 * (every job is waited for in the end: it only changes who does it). */
bool rp_flate_worker_wait(rp_flate_worker *w, rp_flate_job *job);
/* Whether `job` is done (then rp_flate_worker_wait returns at once). */
bool rp_flate_worker_done(rp_flate_worker *w, rp_flate_job *job);
/* Workers started since the process began (tests: was the thread used?). */
unsigned long rp_flate_workers_started(void);
/* Finishes the jobs queued, stops the thread and frees w and its
 * compressor (not the jobs' outputs, nor `f`); NULL is fine. */
void rp_flate_worker_free(rp_flate_worker *w);

#endif
