/* arena — see arena.h. Chunks of at least 64 KiB are chained; a request larger
 * than a chunk gets a chunk of its own. */
#include "base/arena.h"

#include "base/mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define ALIGN alignof(max_align_t)

typedef struct chunk {
  struct chunk *next;
  size_t size, used;
  alignas(max_align_t) unsigned char data[];
} chunk;

struct rp_arena {
  chunk *head;
  size_t total;
  unsigned long fail_countdown; /* 0 = off */
  int failing;
  rp_arena *faults;       /* whose fault injection applies: a parent's, or NULL (its own) */
  rp_arena *adopted;      /* arenas freed with this one */
  rp_arena *next_adopted; /* the next of its adopter's */
  rp_arena *kept;         /* an emptied scratch child for the next rp_arena_scratch */
};

rp_arena *rp_arena_new(void) { return rp_mem_calloc(1, sizeof(rp_arena)); }

static int should_fail(rp_arena *a);

rp_arena *rp_arena_new_child(rp_arena *parent) {
  /* its creation counts as one of the parent's allocations (fault injection) */
  rp_arena *child = should_fail(parent) ? NULL : rp_arena_new();
  if (child) child->faults = parent->faults ? parent->faults : parent;
  return child;
}

void rp_arena_adopt(rp_arena *parent, rp_arena *child) {
  child->next_adopted = parent->adopted;
  parent->adopted = child;
}

static void free_adopted(rp_arena *a) {
  for (rp_arena *c = a->adopted, *next; c; c = next) {
    next = c->next_adopted;
    rp_arena_free(c);
  }
  a->adopted = NULL;
}

rp_arena *rp_arena_scratch(rp_arena *parent) {
  rp_arena *s = parent->kept;
  if (!s) return rp_arena_new_child(parent);
  if (should_fail(parent)) return NULL; /* counted as rp_arena_new_child counts */
  parent->kept = NULL;
  return s;
}

void rp_arena_scratch_end(rp_arena *parent, rp_arena *s) {
  if (!s) return;
  if (parent->kept) {
    rp_arena_free(s);
    return;
  }
  free_adopted(s);
  /* one chunk of the usual size kept, emptied; the rest freed (and with
   * RP_ARENA_MALLOC all, so that AddressSanitizer sees any use after) */
  chunk *keep = NULL;
  for (chunk *c = s->head, *next; c; c = next) {
    next = c->next;
#ifndef RP_ARENA_MALLOC
    if (!keep && c->size == CHUNK_SIZE) {
      keep = c;
      continue;
    }
#endif
    rp_mem_free(c);
  }
  if (keep) keep->used = 0, keep->next = NULL;
  s->head = keep;
  s->total = 0;
  parent->kept = s;
}

void rp_arena_free(rp_arena *a) {
  if (!a) return;
  free_adopted(a);
  rp_arena_free(a->kept);
  chunk *c = a->head;
  while (c) {
    chunk *next = c->next;
    rp_mem_free(c);
    c = next;
  }
  rp_mem_free(a);
}

void rp_arena_fail_after(rp_arena *a, unsigned long n) {
  a->fail_countdown = n;
  a->failing = 0;
}

bool rp_arena_faults_armed(const rp_arena *a) {
  if (a->faults) a = a->faults;
  return a->failing || a->fail_countdown != 0;
}

static int should_fail(rp_arena *a) {
  if (rp_mem_fail_now()) return 1; /* the process-wide injection (base/mem.h) */
  if (a->faults) a = a->faults;
  if (a->failing) return 1;
  if (a->fail_countdown == 0) return 0;
  if (--a->fail_countdown == 0) {
    a->failing = 1;
    return 1;
  }
  return 0;
}

static chunk *new_chunk(rp_arena *a, size_t need) {
  size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;
#ifdef RP_ARENA_MALLOC
  size = need; /* one object per chunk: ASan sees exact bounds */
#endif
  chunk *c = rp_mem_alloc(sizeof(chunk) + size);
  if (!c) return NULL;
  c->size = size;
  c->used = 0;
  c->next = a->head;
  a->head = c;
  return c;
}

/* size bytes, not zeroed, once should_fail has said no. */
static void *bump_unchecked(rp_arena *a, size_t size) {
  if (size == 0) size = 1;
  if (size > SIZE_MAX - ALIGN) return NULL;
  size_t rounded = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  chunk *c = a->head;
#ifdef RP_ARENA_MALLOC
  c = NULL;
  rounded = size;
#endif
  if (!c || c->size - c->used < rounded) {
    c = new_chunk(a, rounded);
    if (!c) return NULL;
  }
  void *p = c->data + c->used;
  c->used += rounded;
  a->total += size;
  return p;
}

/* size bytes, not zeroed. */
static void *bump(rp_arena *a, size_t size) {
  return should_fail(a) ? NULL : bump_unchecked(a, size);
}

void *rp_arena_alloc(rp_arena *a, size_t size) {
  void *p = bump(a, size);
  if (p) memset(p, 0, size ? size : 1);
  return p;
}

void *rp_arena_alloc_raw(rp_arena *a, size_t size) { return bump(a, size); }

void *rp_arena_calloc(rp_arena *a, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return NULL;
  return rp_arena_alloc(a, n * size);
}

/* Grows `old` where it lies, when it is the last allocation of the newest
 * chunk and the chunk has room: a vector doubling in an arena otherwise
 * leaves every smaller copy behind, doubling its memory. Its address stays
 * (a chunk is never moved: a pointer into a vector kept across a push reads
 * what it read before). The bytes counted (rp_arena_used) are the same. */
static void *grow_in_place(rp_arena *a, void *old, size_t old_size, size_t new_size, bool zero) {
#ifdef RP_ARENA_MALLOC
  (void)a, (void)old, (void)old_size, (void)new_size, (void)zero;
  return NULL; /* one object per chunk: ASan sees exact bounds */
#else
  chunk *c = a->head;
  if (!c || !old || old_size == 0 || new_size > SIZE_MAX - ALIGN) return NULL;
  size_t old_r = (old_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  size_t new_r = (new_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  if ((unsigned char *)old + old_r != c->data + c->used) return NULL; /* not the last */
  if (new_r - old_r > c->size - c->used) return NULL;
  c->used += new_r - old_r;
  if (zero) memset((unsigned char *)old + old_size, 0, new_size - old_size);
  a->total += new_size;
  return old;
#endif
}

/* rp_arena_grow; `zero`: the bytes past old_size zeroed (else left as
 * they are, for a vector that clears each slot it hands out). */
static void *grow(rp_arena *a, void *old, size_t old_size, size_t new_size, bool zero) {
  if (should_fail(a)) return NULL;
  void *q = old && new_size > old_size ? grow_in_place(a, old, old_size, new_size, zero) : NULL;
  if (q) return q;
  unsigned char *p = bump_unchecked(a, new_size); /* only what is not copied is zeroed */
  if (!p) return NULL;
  size_t keep = old ? (old_size < new_size ? old_size : new_size) : 0;
  if (keep) memcpy(p, old, keep);
  if (zero) memset(p + keep, 0, new_size - keep);
  return p;
}

void *rp_arena_grow(rp_arena *a, void *old, size_t old_size, size_t new_size) {
  return grow(a, old, old_size, new_size, true);
}

char *rp_arena_strndup(rp_arena *a, const char *s, size_t n) {
  char *p = bump(a, n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

char *rp_arena_strdup(rp_arena *a, const char *s) {
  return s ? rp_arena_strndup(a, s, strlen(s)) : NULL;
}

char *rp_arena_vprintf(rp_arena *a, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *p = bump(a, (size_t)n + 1);
  if (p) vsnprintf(p, (size_t)n + 1, fmt, ap);
  return p;
}

char *rp_arena_printf(rp_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = rp_arena_vprintf(a, fmt, ap);
  va_end(ap);
  return p;
}

size_t rp_arena_used(const rp_arena *a) { return a->total; }

void *rp_vec_push(rp_arena *a, rp_vec *v, size_t elem_size) {
  if (v->len == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    /* unzeroed: each slot is cleared as it is handed out, below */
    void *d = grow(a, v->data, v->len * elem_size, cap * elem_size, false);
    if (!d) return NULL;
    v->data = d;
    v->cap = cap;
  }
  void *slot = (unsigned char *)v->data + v->len * elem_size;
  memset(slot, 0, elem_size);
  v->len++;
  return slot;
}
