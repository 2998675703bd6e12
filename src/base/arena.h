/* arena — bump allocation for everything that lives as long as one render:
 * the model, bound blocks, layout boxes and their strings. Dropped once at the
 * end, so error paths cannot leak.
 *
 * Built with RP_ARENA_MALLOC every allocation is a separate malloc, so that
 * AddressSanitizer sees each object's bounds. For fault injection an arena can
 * be told to fail its Nth allocation (rp_arena_fail_after). */
#ifndef RP_BASE_ARENA_H
#define RP_BASE_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rp_arena rp_arena;

/* Returns a new arena, or NULL when out of memory. Free with rp_arena_free. */
rp_arena *rp_arena_new(void);
/* Frees the arena and everything allocated from it, and the arenas it
 * adopted; accepts NULL. */
void rp_arena_free(rp_arena *a);
/* A new arena for work that may be thrown away (a layout pass), sharing the
 * parent's fault injection: free it, or hand it to the parent with
 * rp_arena_adopt. NULL when out of memory. */
rp_arena *rp_arena_new_child(rp_arena *parent);
/* A child arena for scratch work thrown away within the call that makes it
 * (a paragraph's lines, a text measured): the one `parent` kept from its
 * last rp_arena_scratch_end, emptied, with its first chunk, when there is
 * one (a child made and freed per paragraph cost a 64 KiB malloc and free
 * each, and malloc consolidating its small bins for both), else a new one.
 * Counts as one of the parent's allocations, as rp_arena_new_child. NULL
 * when out of memory. */
rp_arena *rp_arena_scratch(rp_arena *parent);
/* Ends scratch arena s: everything allocated from it, and the arenas it
 * adopted, are gone; parent keeps it for its next rp_arena_scratch (or it is
 * freed when parent keeps one already). Accepts NULL. Both on the thread
 * that uses parent. */
void rp_arena_scratch_end(rp_arena *parent, rp_arena *s);
/* Makes `parent` free `child` when it is freed. */
void rp_arena_adopt(rp_arena *parent, rp_arena *child);

/* Zeroed memory aligned for any type; NULL when out of memory. */
void *rp_arena_alloc(rp_arena *a, size_t size);
/* Like rp_arena_alloc but not zeroed: for a buffer written before it is
 * read (a paragraph's text), where zeroing cost more than the writing. */
void *rp_arena_alloc_raw(rp_arena *a, size_t size);
/* Zeroed array of n elements; NULL on overflow or out of memory. */
void *rp_arena_calloc(rp_arena *a, size_t n, size_t size);
/* Copies into a block of new_size (old contents kept); old block is abandoned. */
void *rp_arena_grow(rp_arena *a, void *old, size_t old_size, size_t new_size);
char *rp_arena_strdup(rp_arena *a, const char *s);
char *rp_arena_strndup(rp_arena *a, const char *s, size_t n);
char *rp_arena_printf(rp_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *rp_arena_vprintf(rp_arena *a, const char *fmt, va_list ap);

/* Bytes handed out so far (for benchmarks and limits). */
size_t rp_arena_used(const rp_arena *a);

/* Fault injection: the nth allocation from now (1-based) and all later ones
 * fail. 0 turns it off. */
void rp_arena_fail_after(rp_arena *a, unsigned long n);
/* True while a's injected fault (its own, or its parent's) is to come or
 * failing: its children then count in one order only on one thread. */
bool rp_arena_faults_armed(const rp_arena *a);

/* A growable array allocated from an arena. Elements are copied on growth; the
 * old block is abandoned to the arena (bounded waste, no separate free). */
typedef struct rp_vec {
  void *data;
  size_t len, cap;
} rp_vec;

/* Appends one zeroed element of elem_size and returns it, NULL on out of memory. */
void *rp_vec_push(rp_arena *a, rp_vec *v, size_t elem_size);
#define RP_VEC_AT(v, type, i) (((type *)(v).data)[i])

#endif
