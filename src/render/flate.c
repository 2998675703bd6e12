/* flate — libdeflate behind one small interface (flate.h). */
#include "render/flate.h"

#include <libdeflate.h>
#include <pthread.h>

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

bool rp_flate_deflate_within(rp_flate *f, const void *in, size_t len, size_t cap, uint8_t **out,
                             size_t *out_len) {
  *out = rp_mem_alloc(cap ? cap : 1);
  *out_len = 0;
  if (!*out) return false;
  *out_len = libdeflate_zlib_compress(f->c, in, len, *out, cap);
  if (*out_len == 0) { /* did not fit (cannot happen within the bound) */
    rp_mem_free(*out);
    *out = NULL;
    return false;
  }
  return true;
}

bool rp_flate_deflate(rp_flate *f, const void *in, size_t len, uint8_t **out, size_t *out_len) {
  return rp_flate_deflate_within(f, in, len, libdeflate_zlib_compress_bound(f->c, len), out,
                                 out_len);
}

/* ---- the worker ---------------------------------------------------------- */

struct rp_flate_worker {
  rp_flate *f;   /* the caller's: a job it takes is done with it */
  rp_flate *own; /* the thread's */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t work;       /* a job queued, or stop */
  pthread_cond_t done;       /* a job done */
  rp_flate_job *head, *tail; /* queued, not started */
  bool stop;
};

/* Does `j` with `f` (the thread's compressor, or the caller's for a job it took). */
static void run(rp_flate *f, rp_flate_job *j) {
  uint8_t *out = NULL;
  size_t out_len = 0;
  bool ok = !j->make || j->make(j);
  if (ok && j->in) ok = rp_flate_deflate(f, j->in, j->len, &out, &out_len);
  j->out = out, j->out_len = out_len, j->ok = ok;
}

static void *work(void *user) {
  rp_flate_worker *w = user;
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (!w->head && !w->stop) pthread_cond_wait(&w->work, &w->lock);
    rp_flate_job *j = w->head;
    if (!j) break; /* stop, with nothing left */
    w->head = j->next;
    if (!w->head) w->tail = NULL;
    pthread_mutex_unlock(&w->lock);
    run(w->own, j);
    pthread_mutex_lock(&w->lock);
    j->done = true;
    pthread_cond_broadcast(&w->done);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

static _Atomic unsigned long started;

unsigned long rp_flate_workers_started(void) { return started; }

rp_flate_worker *rp_flate_worker_new(rp_flate *f) {
  rp_flate_worker *w = f ? rp_mem_calloc(1, sizeof *w) : NULL;
  if (w && !(w->own = rp_flate_new())) rp_mem_free(w), w = NULL;
  if (!w) return NULL;
  w->f = f;
  bool lock = pthread_mutex_init(&w->lock, NULL) == 0;
  bool cw = lock && pthread_cond_init(&w->work, NULL) == 0;
  bool cd = cw && pthread_cond_init(&w->done, NULL) == 0;
  if (cd && pthread_create(&w->thread, NULL, work, w) == 0) {
    started++;
    return w;
  }
  if (cd) pthread_cond_destroy(&w->done);
  if (cw) pthread_cond_destroy(&w->work);
  if (lock) pthread_mutex_destroy(&w->lock);
  rp_flate_free(w->own);
  rp_mem_free(w);
  return NULL;
}

void rp_flate_worker_push(rp_flate_worker *w, rp_flate_job *job) {
  job->out = NULL, job->out_len = 0, job->ok = false, job->done = false, job->next = NULL;
  pthread_mutex_lock(&w->lock);
  if (w->tail)
    w->tail->next = job;
  else
    w->head = job;
  w->tail = job;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->lock);
}

/* Takes `job` out of the queue if it is there (not started); with NULL,
 * the newest job queued. The job taken, or NULL. Under the lock. */
static rp_flate_job *unqueue(rp_flate_worker *w, rp_flate_job *job) {
  rp_flate_job **at = &w->head, *prev = NULL;
  while (*at && (job ? *at != job : (*at)->next != NULL)) prev = *at, at = &(*at)->next;
  rp_flate_job *j = *at;
  if (!j) return NULL;
  *at = j->next;
  if (w->tail == j) w->tail = prev;
  return j;
}

bool rp_flate_worker_wait(rp_flate_worker *w, rp_flate_job *job) {
  pthread_mutex_lock(&w->lock);
  while (!job->done) {
    /* `job` if the thread has not started it; else, while the thread does
     * it, the newest job it has not started (all are waited for before the
     * end): done here, with the caller's compressor, rather than sitting
     * idle while the thread has a queue (or has had no processor since) */
    rp_flate_job *j = unqueue(w, job);
    if (!j) j = unqueue(w, NULL);
    if (!j) {
      pthread_cond_wait(&w->done, &w->lock);
      continue;
    }
    pthread_mutex_unlock(&w->lock);
    run(w->f, j);
    pthread_mutex_lock(&w->lock);
    j->done = true;
    pthread_cond_broadcast(&w->done);
  }
  pthread_mutex_unlock(&w->lock);
  return job->ok;
}

bool rp_flate_worker_done(rp_flate_worker *w, rp_flate_job *job) {
  pthread_mutex_lock(&w->lock);
  bool done = job->done;
  pthread_mutex_unlock(&w->lock);
  return done;
}

void rp_flate_worker_free(rp_flate_worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->stop = true;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->done);
  pthread_cond_destroy(&w->work);
  pthread_mutex_destroy(&w->lock);
  rp_flate_free(w->own);
  rp_mem_free(w);
}
