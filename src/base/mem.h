/* mem — the one allocator behind everything reviewpdf allocates outside an
 * arena (and behind the arenas' chunks): diagnostics, fonts, images, the
 * output file's names, and the libraries that accept an allocator (libxml2,
 * libharu, FreeType; see docs/robustness.md for those that do not).
 *
 * Fault injection (sqlite's test_malloc.c): rp_mem_fail_after(n) makes the
 * nth allocation from now fail, and with `sticky` every later one too. Every
 * arena allocation counts as one (base/arena.c asks rp_mem_fail_now), so one
 * counter covers the whole run. Whether any allocation has failed since the
 * start is remembered (rp_mem_failed): base/outfile refuses to commit an
 * output after that, so a run that ran out of memory never writes a file,
 * even where a caller swallowed the failure. */
#ifndef RP_BASE_MEM_H
#define RP_BASE_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* RP_ASAN: defined in a build with AddressSanitizer (gcc's macro, clang's
 * feature test), whose allocator and leak check the heap's tuning and the
 * quick exit (cli/exit.c) leave alone. */
#if defined(__SANITIZE_ADDRESS__)
#define RP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RP_ASAN 1
#endif
#endif

/* malloc, calloc, realloc, strdup and free through one point. NULL when out
 * of memory (or failed on purpose); calloc also on overflow. rp_mem_realloc
 * leaves the old block as it was when it fails. rp_mem_free accepts NULL. */
void *rp_mem_alloc(size_t size);
void *rp_mem_calloc(size_t n, size_t size);
void *rp_mem_realloc(void *p, size_t size);
/* realloc to n * size, NULL on overflow (the old block kept). */
void *rp_mem_reallocarray(void *p, size_t n, size_t size);
char *rp_mem_strdup(const char *s);
char *rp_mem_strndup(const char *s, size_t n);
void rp_mem_free(void *p);

/* The same for a library's own allocations (libxml2's): while shielded
 * (rp_mem_shield) these are counted but never failed on purpose; a fault
 * due there falls on the next allocation that is not. libxml2 2.9's XPath
 * evaluator and RelaxNG validator dereference allocations that failed
 * (xmlXPathCompiledEval's value stack; the schema's regexps), its XPath
 * compiler reads past one (a literal's copy: template/def.h), so injected
 * faults there would test libxml2, not reviewpdf (docs/robustness.md). */
void *rp_mem_lib_alloc(size_t size);
void *rp_mem_lib_realloc(void *p, size_t size);
char *rp_mem_lib_strdup(const char *s);
/* Raises (true) or lowers (false) the shield; nests. */
void rp_mem_shield(bool on);

/* Counts one allocation for fault injection and says whether it must fail
 * (for allocators built on top: the arena). Records the failure. */
bool rp_mem_fail_now(void);

/* Fault injection: the nth allocation from now (1-based) fails, and with
 * `sticky` all later ones; 0 turns it off. */
void rp_mem_fail_after(unsigned long n, bool sticky);
/* True while an injected fault is still to come (or failing, sticky):
 * allocations must then happen in one order, on one thread. */
bool rp_mem_faults_armed(void);
/* Reads RP_FAIL_ALLOC ("N": the Nth allocation fails, "N+": and every later
 * one) — for the tests in tests/faults; ignored when unset or malformed. */
void rp_mem_fail_from_env(void);
/* Allocations counted since the start (the range to loop N over). */
unsigned long rp_mem_count(void);
/* Stops counting allocations, for a process that will neither inject
 * faults nor ask rp_mem_count (the command line, unless RP_FAIL_ALLOC is
 * set): the count is an atomic add on every allocation. Bytes are still
 * held to the memory limit. rp_mem_fail_after counts again. No effect
 * while a fault is armed. */
void rp_mem_uncounted(void);
/* True once any allocation has failed. */
bool rp_mem_failed(void);
/* Forgets a failure (and the memory limit being hit): for a process that
 * starts a new render after one ran out of memory (watch). */
void rp_mem_forget_failure(void);

/* The memory limit (base/limits.h, RP_MAX_MEMORY_MIB): an allocation that
 * would take the bytes held through base/mem past `bytes` fails, and
 * rp_mem_limit_hit says so. 0 removes the limit. Counted with
 * malloc_usable_size; cairo's, HarfBuzz's and libjpeg's own allocations are
 * outside it (they take no allocator). */
void rp_mem_set_limit(size_t bytes);
size_t rp_mem_live(void);
/* Rough (true): keeps no bytes per block, for a process that sets no limit
 * of its own (the command line without RP_MAX_MEMORY_MIB) and injects no
 * faults. The limit (the default's 4 GiB) is then checked against the
 * heap's bytes in use, all of them (Cairo's and HarfBuzz's too), each time
 * a thread has asked for a 64th of it (at most 64 MiB) since its last
 * check; rp_mem_live says the heap's bytes in use. Blocks allocated in one
 * mode should be freed in the same one (false: exact again, for tests). No
 * effect while a fault is armed. */
void rp_mem_rough(bool on);
bool rp_mem_limit_hit(void);
/* Gives freed memory the allocator keeps back to the system (glibc keeps
 * freed chunks below the top of its heap resident): for a phase that ends
 * having freed much, before one that allocates anew. Nothing when the heap
 * holds under 2 MiB free: the next phase would fault those pages in again. */
void rp_mem_trim(void);
/* For a process (the command line): glibc's defaults serve each block over
 * 128 KiB (a page's deflated stream, a font file) with mmap, unmap it when
 * freed, and give the heap's top back once 128 KiB of it is free, so the
 * next such block faults its pages in afresh (~1-3 us a page here). This
 * serves blocks up to 1 MiB from the heap and keeps up to 8 MiB of its top;
 * rp_mem_trim still gives memory back between phases. Before threads. */
void rp_mem_tune_heap(void);
/* For the command line, after rp_mem_tune_heap and once (later calls do
 * nothing): the heap's next 8 MiB (about what a short review's heap
 * fills) in transparent huge pages, 2 MiB each, where the kernel gives
 * them on advice (THP "madvise", Debian's default): one page fault where
 * there were 512, and a quicker exit (a huge page is freed at once). The
 * heap below the first 2 MiB boundary is taken by a block never written,
 * so that allocations start in the span. The review: ~1,900 faults fewer
 * (ru_minflt; the main thread's heap faults ~700 -> ~50), ~4 ms of CPU,
 * its median peak RSS +0.4 MiB (18.7). Not further: a huge page partly
 * used is resident whole (over all of the heap the review's peak RSS
 * passed 20 MiB). Keeps 14 MiB of the heap's top when freeing
 * (M_TOP_PAD), so that the span stays mapped. Nothing where the kernel
 * gives no huge pages ("[never]" in sysfs). Returns the bytes advised (0:
 * none, as under ASan's heap). Not for tests measuring page faults: a
 * block there faults 2 MiB at once. */
size_t rp_mem_huge_heap(void);
/* Faults in `bytes` (at most 16 MiB) of heap and frees them again, so that
 * the next allocations find their pages resident: a page fault costs ~1-3
 * us here, and the main thread takes ~1,300 of them in a review. The
 * blocks are given back first and then faulted in (MADV_POPULATE_WRITE,
 * which leaves bytes as they are): another thread allocating meanwhile
 * takes them, warm or soon warm, not fresh pages beyond them. For a
 * thread with a core to itself while the main thread works on, and only
 * after rp_mem_tune_heap (which keeps the freed top) and with one malloc
 * arena for all threads (M_ARENA_MAX 1, as pipeline.c's load sets): from
 * an arena of its own the pages would serve nobody. Allocates outside the
 * count and the limit, and holds nothing on return. */
void rp_mem_prefault(size_t bytes);

#endif
