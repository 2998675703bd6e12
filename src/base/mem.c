/* mem — see mem.h. Process-wide state: reviewpdf renders one document per
 * process at a time (watch re-renders in sequence), and the libraries'
 * allocator hooks are process-wide too. */
#include "base/mem.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned long counted; /* allocations so far */
static unsigned long fail_at; /* the count that fails; 0 = off */
static bool fail_sticky;      /* and every one after it */
static bool any_failed;
static int shielded;       /* depth of rp_mem_shield */
static size_t live, limit; /* bytes held now; the most allowed (0: none) */
static bool limit_hit;

bool rp_mem_fail_now(void) {
  counted++;
  if (fail_at && (counted == fail_at || (fail_sticky && counted > fail_at))) {
    any_failed = true;
    return true;
  }
  return false;
}

/* A real failure of the system allocator counts as one too. */
static void *checked(void *p) {
  if (!p) any_failed = true;
  return p;
}

/* The memory limit (base/limits.h): `grow` more bytes would pass it. Not
 * while shielded: that failure would crash the library as surely. */
static bool over_limit(size_t held, size_t grow) {
  if (!limit || shielded || (held <= limit && grow <= limit - held)) return false;
  limit_hit = any_failed = true;
  return true;
}

static void *counted_malloc(size_t size) {
  if (over_limit(live, size)) return NULL;
  void *p = checked(malloc(size ? size : 1));
  if (p) live += malloc_usable_size(p);
  return p;
}

static void *counted_realloc(void *p, size_t size) {
  size_t old = p ? malloc_usable_size(p) : 0;
  if (over_limit(live - old, size)) return NULL;
  void *q = checked(realloc(p, size ? size : 1));
  if (q) live += malloc_usable_size(q) - old;
  return q;
}

void *rp_mem_alloc(size_t size) {
  if (rp_mem_fail_now()) return NULL;
  return counted_malloc(size);
}

void *rp_mem_calloc(size_t n, size_t size) {
  if (rp_mem_fail_now()) return NULL;
  if (size && n > SIZE_MAX / size) {
    any_failed = true;
    return NULL;
  }
  /* calloc, not malloc and memset: a large block comes zeroed from the
   * system, its pages untouched until used (a font's kerning table) */
  if (over_limit(live, n * size)) return NULL;
  void *p = checked(n && size ? calloc(n, size) : malloc(1));
  if (p) live += malloc_usable_size(p);
  return p;
}

void *rp_mem_realloc(void *p, size_t size) {
  if (rp_mem_fail_now()) return NULL;
  return counted_realloc(p, size);
}

void *rp_mem_reallocarray(void *p, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) {
    any_failed = true;
    return NULL;
  }
  return rp_mem_realloc(p, n * size);
}

char *rp_mem_strndup(const char *s, size_t n) {
  char *p = rp_mem_alloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

char *rp_mem_strdup(const char *s) { return s ? rp_mem_strndup(s, strlen(s)) : NULL; }

void rp_mem_free(void *p) {
  if (!p) return;
  size_t n = malloc_usable_size(p);
  live = n < live ? live - n : 0;
  free(p);
}

void rp_mem_shield(bool on) { shielded += on ? 1 : -1; }

/* A library allocation: counted, and failed on purpose unless shielded. */
static bool lib_fail_now(void) {
  if (!shielded) return rp_mem_fail_now();
  counted++;
  if (fail_at && counted == fail_at) fail_at++; /* the next unshielded one fails instead */
  return false;
}

void *rp_mem_lib_alloc(size_t size) {
  if (lib_fail_now()) return NULL;
  return counted_malloc(size);
}

void *rp_mem_lib_realloc(void *p, size_t size) {
  if (lib_fail_now()) return NULL;
  return counted_realloc(p, size);
}

char *rp_mem_lib_strdup(const char *s) {
  if (lib_fail_now()) return NULL;
  size_t n = strlen(s) + 1;
  char *p = counted_malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

void rp_mem_fail_after(unsigned long n, bool sticky) {
  fail_at = n ? counted + n : 0;
  fail_sticky = sticky;
}

void rp_mem_fail_from_env(void) {
  const char *v = getenv("RP_FAIL_ALLOC");
  if (!v || !*v) return;
  char *end;
  unsigned long n = strtoul(v, &end, 10);
  if (end == v || (*end && strcmp(end, "+") != 0)) return;
  rp_mem_fail_after(n, *end == '+');
}

unsigned long rp_mem_count(void) { return counted; }

bool rp_mem_failed(void) { return any_failed; }

void rp_mem_set_limit(size_t bytes) { limit = bytes; }

size_t rp_mem_live(void) { return live; }

bool rp_mem_limit_hit(void) { return limit_hit; }

void rp_mem_forget_failure(void) { any_failed = limit_hit = false; }
