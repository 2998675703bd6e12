/* mem — see mem.h. Process-wide state: reviewpdf renders one document per
 * process at a time (watch re-renders in sequence), and the libraries'
 * allocator hooks are process-wide too. The content and the layout may be
 * loaded on two threads at once (pipeline.c), and render may compress on
 * another. The shield, raised around a thread's own libxml2 calls, is the
 * thread's. Fault injection counts in one order only with one thread: the
 * pipeline loads on one while it is armed (rp_mem_faults_armed).
 *
 * Cheap on the common path (some 280,000 allocations and frees in a short
 * review, libxml2's included): the bytes held are kept per thread and
 * added to the shared total only once they move by FLUSH bytes, so that
 * most calls touch no shared memory (a locked add drains the store buffer:
 * two per allocation cost ~1 ms of a review). A thread sees its own bytes
 * exactly and the others' to within FLUSH each: the default limit is
 * gigabytes, and under a budget the user sets the pipeline allocates on
 * one thread. Allocations are counted (for fault injection and
 * rp_mem_count) unless rp_mem_uncounted said nobody will ask.
 *
 * Rough mode (rp_mem_rough: the command line with no RP_MAX_MEMORY_MIB
 * given, nothing injected) keeps no bytes per block at all: a malloc
 * passes straight through but for a per-thread sum of the sizes asked, and
 * a free is free. Once a thread has asked for a 64th of the limit it is
 * checked against the heap's bytes in use (mallinfo2: every thread's
 * arena, mmapped blocks too). Exactness costs malloc_usable_size on every
 * malloc and free, ~9 M instructions in a review; the default limit, 4 GiB,
 * is a safety net that a few MiB either way does not change. */
#define _DEFAULT_SOURCE /* madvise */
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static atomic_ulong counted;  /* allocations so far */
static bool uncounted;        /* rp_mem_uncounted: no count kept */
static unsigned long fail_at; /* the count that fails; 0 = off */
static bool fail_sticky;      /* and every one after it */
static atomic_bool any_failed;
static _Thread_local int shielded;      /* depth of rp_mem_shield, this thread's */
static atomic_llong live;               /* bytes held now, but for each thread's `pending` */
static _Thread_local long long pending; /* this thread's bytes not yet in `live` */
static _Thread_local bool registered;   /* `pending` given to `live` at thread exit */
static size_t limit;                    /* the most allowed (0: none) */
static atomic_bool limit_hit;
static bool rough;                 /* rp_mem_rough: no bytes kept per block */
static _Thread_local size_t asked; /* rough: bytes this thread asked since its last check */
static size_t step = SIZE_MAX;     /* rough: bytes asked between two checks of the limit */

#define RELAXED memory_order_relaxed
#define FLUSH (64 << 10)

static void flush(void) {
  atomic_fetch_add_explicit(&live, pending, RELAXED);
  pending = 0;
}

static pthread_key_t exit_key;
static bool key_made;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* A thread's last bytes (those it allocated and another freed, or the
 * reverse) join the total when it ends. */
static void at_exit(void *unused) { flush(); }
static void make_key(void) { key_made = pthread_key_create(&exit_key, at_exit) == 0; }

/* A thread's first allocation or free. */
static __attribute__((noinline)) void register_thread(void) {
  registered = true;
  pthread_once(&exit_once, make_key);
  if (key_made) pthread_setspecific(exit_key, &registered); /* non-NULL: at_exit runs */
}

static inline void moved(long long bytes) {
  if (__builtin_expect(!registered, 0)) register_thread();
  pending += bytes;
  if (pending > FLUSH || pending < -FLUSH) flush();
}

bool rp_mem_fail_now(void) {
  if (uncounted) return false;
  unsigned long n = atomic_fetch_add_explicit(&counted, 1, RELAXED) + 1;
  if (fail_at && (n == fail_at || (fail_sticky && n > fail_at))) {
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

/* Bytes held now: exact for this thread's, the others' to within FLUSH. */
static inline size_t held(void) {
  long long n = atomic_load_explicit(&live, RELAXED) + pending;
  return n > 0 ? (size_t)n : 0; /* blocks from before the count began */
}

/* The memory limit (base/limits.h): `grow` more bytes over `held` would
 * pass it. Not while shielded: that failure would crash the library as
 * surely. */
static inline bool over_limit(size_t now, size_t grow) {
  if (!limit || shielded || (now <= limit && grow <= limit - now)) return false;
  limit_hit = any_failed = true;
  return true;
}

/* Under AddressSanitizer (RP_ASAN) malloc is ASan's, and glibc's heap is idle. */
#ifdef RP_ASAN
size_t __sanitizer_get_current_allocated_bytes(void); /* <sanitizer/allocator_interface.h> */
#endif

/* Rough mode: the heap's bytes in use, all threads' (malloc's own count). */
static size_t heap_in_use(void) {
#ifdef RP_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#endif
}

/* Rough mode: the limit checked once this thread has asked for `step`
 * bytes since its last check, and at every allocation while the heap is
 * over it. */
static __attribute__((noinline)) bool rough_check(size_t size) {
  asked = 0;
  if (!over_limit(heap_in_use(), size)) return false;
  asked = step;
  return true;
}

static inline bool rough_over_limit(size_t size) {
  asked += size;
  return __builtin_expect(asked >= step, 0) && rough_check(size);
}

static void *counted_malloc(size_t size) {
  if (rough) return rough_over_limit(size) ? NULL : checked(malloc(size ? size : 1));
  if (over_limit(held(), size)) return NULL;
  void *p = checked(malloc(size ? size : 1));
  if (p) moved((long long)malloc_usable_size(p));
  return p;
}

static void *counted_realloc(void *p, size_t size) {
  if (rough) return rough_over_limit(size) ? NULL : checked(realloc(p, size ? size : 1));
  size_t old = p ? malloc_usable_size(p) : 0, now = held();
  if (over_limit(now > old ? now - old : 0, size)) return NULL;
  void *q = checked(realloc(p, size ? size : 1));
  if (q) moved((long long)malloc_usable_size(q) - (long long)old);
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
  if (rough ? rough_over_limit(n * size) : over_limit(held(), n * size)) return NULL;
  void *p = checked(n && size ? calloc(n, size) : malloc(1));
  if (p && !rough) moved((long long)malloc_usable_size(p));
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
  if (p && !rough) moved(-(long long)malloc_usable_size(p));
  free(p);
}

void rp_mem_shield(bool on) { shielded += on ? 1 : -1; }

/* A library allocation: counted, and failed on purpose unless shielded. */
static bool lib_fail_now(void) {
  if (!shielded || uncounted) return rp_mem_fail_now();
  unsigned long n = atomic_fetch_add_explicit(&counted, 1, RELAXED) + 1;
  if (fail_at && n == fail_at) fail_at++; /* the next unshielded one fails instead */
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

bool rp_mem_faults_armed(void) { return fail_at != 0; }

void rp_mem_fail_after(unsigned long n, bool sticky) {
  if (n) uncounted = false;
  fail_at = n ? atomic_load(&counted) + n : 0;
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

unsigned long rp_mem_count(void) { return atomic_load(&counted); }

bool rp_mem_failed(void) { return any_failed; }

void rp_mem_set_limit(size_t bytes) {
  limit = bytes;
  /* rough: a 64th of the limit, at most 64 MiB, between checks */
  step = !bytes ? SIZE_MAX : bytes / 64 < (64u << 20) ? bytes / 64 + 1 : (64u << 20);
}

size_t rp_mem_live(void) { return rough ? heap_in_use() : held(); }

void rp_mem_rough(bool on) {
  if (!fail_at || !on) rough = on;
}

#define MMAP_FROM (1 << 20) /* bytes: larger blocks mmapped (rp_mem_tune_heap) */

void rp_mem_tune_heap(void) {
  mallopt(M_MMAP_THRESHOLD, MMAP_FROM);
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
}

#define HUGE_PAGE ((uintptr_t)2 << 20) /* x86-64's PMD */
#define HUGE_SPAN (8u << 20)           /* of the heap in huge pages */
/* the heap's top kept: the span whole past the block below it, never unmapped */
#define HUGE_PAD (HUGE_SPAN + (6u << 20))

#if defined(MADV_HUGEPAGE) && !defined(RP_ASAN)
/* Whether the kernel gives huge pages on advice ("[always]" or
 * "[madvise]"): with "[never]" (or no THP) the span would only keep more
 * of the heap's top resident. A read of sysfs: ~10 us. */
static bool huge_pages_advisable(void) {
  char mode[96] = "";
  int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, mode, sizeof mode - 1);
  close(fd);
  if (n <= 0) return false;
  mode[n] = '\0';
  return strstr(mode, "[always]") || strstr(mode, "[madvise]");
}
#endif

size_t rp_mem_huge_heap(void) {
#if defined(MADV_HUGEPAGE) && !defined(RP_ASAN)
  static void *below_span; /* held to the end */
  if (below_span || !huge_pages_advisable()) return 0;
  /* The heap grown by HUGE_PAD at once (one mapping to advise), and kept
   * so: a trim down into the span would unmap it, and the heap regrown
   * there is a new mapping, not advised. malloc_trim (rp_mem_trim) still
   * gives everything back. */
  mallopt(M_TOP_PAD, HUGE_PAD);
  struct mallinfo2 mi = mallinfo2();
  size_t grow = mi.fordblks + (64u << 10); /* more than any free block: from the top */
  if (grow >= MMAP_FROM) return 0;
  uintptr_t end = (uintptr_t)sbrk(0);
  void *volatile grown = malloc(grow); /* volatile: not elided */
  uintptr_t top = (uintptr_t)grown;    /* where the heap's top starts once it is freed */
  free(grown);
  /* From the first boundary past the block: pages written already (its
   * header at the old end, the top's past it) would give that huge page's
   * range small pages only. */
  uintptr_t from = (end + grow + HUGE_PAGE) & ~(HUGE_PAGE - 1);
  uintptr_t to = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
  if (to > from + HUGE_SPAN) to = from + HUGE_SPAN;
  if (!top || to <= from || madvise((void *)from, to - from, MADV_HUGEPAGE) != 0) return 0;
  /* The heap below the span (up to 2 MiB, as the heap's start falls) taken
   * by one block never written nor freed, so that what is allocated next
   * starts in the span: ~250 faults fewer on average, and a review's RSS
   * no larger (the pages below stay untouched). Its size is what lies
   * between the top's start and the span, give or
   * take a chunk's header: either way the next block starts at the
   * boundary, within a page. */
  mallopt(M_MMAP_THRESHOLD, (int)HUGE_PAD); /* from the heap, not mmapped */
  below_span = malloc(from - top);
  mallopt(M_MMAP_THRESHOLD, MMAP_FROM);
  return to - from;
#else
  return 0;
#endif
}

/* Pages [p, p + n) made resident without a write: MADV_POPULATE_WRITE
 * (Linux 5.14) faults them in as a write would and leaves their bytes as
 * they are, so it may run on memory another thread has since allocated.
 * False if the kernel has no such advice. */
static bool populate(uintptr_t p, size_t n, uintptr_t page) {
#ifdef MADV_POPULATE_WRITE
  uintptr_t from = (p + page - 1) & ~(page - 1), to = (p + n) & ~(page - 1);
  if (to <= from) return madvise((void *)from, 0, MADV_POPULATE_WRITE) == 0;
  /* ENOMEM: given back meanwhile (a trim); nothing to fault in there */
  return madvise((void *)from, to - from, MADV_POPULATE_WRITE) == 0 || errno != EINVAL;
#else
  (void)p, (void)n, (void)page;
  return false;
#endif
}

void rp_mem_prefault(size_t bytes) {
  enum { BLOCK = 512 << 10, MAX = 32 }; /* under rp_mem_tune_heap's mmap threshold: from the top */
  void *blocks[MAX];
  size_t n = 0;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) page = 4096;
  /* The blocks are taken untouched (the heap's top grows) and given back
   * at once, then faulted in where they lie: the other threads, allocating
   * meanwhile, take them from the heap rather than from beyond them (fresh
   * pages again), and the first of them are theirs soonest. */
  for (; n < MAX && n * BLOCK < bytes; n++)
    if (!(blocks[n] = malloc(BLOCK))) break; /* plain: not counted, never refused */
  uintptr_t at[MAX];
  for (size_t i = 0; i < n; i++) at[i] = (uintptr_t)blocks[i];
  for (size_t i = n; i; i--) free(blocks[i - 1]);
  size_t i = 0;
  while (i < n && populate(at[i], BLOCK, (uintptr_t)page)) i++;
  if (i == n) return;
  /* no such advice: the blocks taken again, written, held till all are */
  for (n = 0; n < MAX && n * BLOCK < bytes; n++) {
    volatile char *b = blocks[n] = malloc(BLOCK);
    if (!b) break;
    for (size_t k = 0; k < BLOCK; k += (size_t)page) b[k] = 0; /* the fault, taken here */
  }
  while (n) free(blocks[--n]);
}

/* Below this much free in the heap a trim gives back little and costs
 * more: madvise calls, and a page fault (~1-3 us here) for each page given
 * back that the next phase uses again (the review's save: ~300 of them). */
#define TRIM_MIN (2u << 20)

void rp_mem_trim(void) {
  struct mallinfo2 mi = mallinfo2();
  if (mi.fordblks >= TRIM_MIN) malloc_trim(0);
}

void rp_mem_uncounted(void) {
  if (!fail_at) uncounted = true;
}

bool rp_mem_limit_hit(void) { return limit_hit; }

void rp_mem_forget_failure(void) { any_failed = limit_hit = false; }
