/* test_base — the small shared codecs and the allocator of src/base: the one
 * UTF-8 decoder and encoder (utf8.c) checked against a simple model over
 * every code point and every short byte string, the roman numerals
 * (roman.c) round-tripped over their whole range, and base/mem's fault
 * injection (the count, one-shot and sticky failures, the shield). */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/mem.h"
#include "base/roman.h"
#include "base/utf8.h"
#include "testutil.h"

static uint32_t dec(const char *s, size_t len, size_t *used) {
  uint32_t cp = 0;
  *used = rp_utf8_decode(s, len, &cp);
  return cp;
}

static void test_utf8_valid(void **state) {
  (void)state;
  size_t n;
  assert_int_equal(dec("A", 1, &n), 'A');
  assert_int_equal(n, 1);
  assert_int_equal(dec("\xC3\xA9", 2, &n), 0xE9);
  assert_int_equal(n, 2);
  assert_int_equal(dec("\xE2\x80\x94", 3, &n), 0x2014);
  assert_int_equal(n, 3);
  assert_int_equal(dec("\xF0\x9F\x98\x80", 4, &n), 0x1F600);
  assert_int_equal(n, 4);
  assert_int_equal(dec("\xF4\x8F\xBF\xBF", 4, &n), 0x10FFFF);
  assert_int_equal(n, 4);
  assert_int_equal(dec("", 0, &n), 0xFFFD); /* nothing left still advances */
  assert_int_equal(n, 1);
}

static void test_utf8_malformed(void **state) {
  (void)state;
  size_t n;
  /* overlong forms */
  assert_int_equal(dec("\xC0\xAF", 2, &n), 0xFFFD);
  assert_int_equal(n, 1);
  assert_int_equal(dec("\xC1\xBF", 2, &n), 0xFFFD);
  assert_int_equal(dec("\xE0\x80\xAF", 3, &n), 0xFFFD);
  assert_int_equal(n, 1);
  assert_int_equal(dec("\xF0\x80\x80\xAF", 4, &n), 0xFFFD);
  assert_int_equal(n, 1);
  /* surrogates */
  assert_int_equal(dec("\xED\xA0\x80", 3, &n), 0xFFFD);
  assert_int_equal(n, 1);
  assert_int_equal(dec("\xED\xBF\xBF", 3, &n), 0xFFFD);
  /* past U+10FFFF */
  assert_int_equal(dec("\xF4\x90\x80\x80", 4, &n), 0xFFFD);
  assert_int_equal(n, 1);
  assert_int_equal(dec("\xF5\x80\x80\x80", 4, &n), 0xFFFD);
  assert_int_equal(n, 1);
  assert_int_equal(dec("\xFF", 1, &n), 0xFFFD);
  /* truncated: the valid prefix is one U+FFFD, the next byte starts anew */
  assert_int_equal(dec("\xE2\x80", 2, &n), 0xFFFD);
  assert_int_equal(n, 2);
  assert_int_equal(dec("\xE2\x80x", 3, &n), 0xFFFD);
  assert_int_equal(n, 2);
  assert_int_equal(dec("\xF0\x9F\x98", 3, &n), 0xFFFD);
  assert_int_equal(n, 3);
  assert_int_equal(dec("\xE2\x80\x94", 2, &n), 0xFFFD); /* len cuts it */
  assert_int_equal(n, 2);
  /* a stray continuation byte */
  assert_int_equal(dec("\x80", 1, &n), 0xFFFD);
  assert_int_equal(n, 1);
}

/* Every scalar value encodes to what the decoder reads back, at the length
 * the standard gives; surrogates and values past U+10FFFF encode as U+FFFD. */
static void test_utf8_round_trip_every_code_point(void **state) {
  (void)state;
  char buf[4];
  for (uint32_t c = 0; c <= 0x110010; c++) {
    size_t n = rp_utf8_encode(c, buf), used;
    bool bad = c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF);
    uint32_t want = bad ? 0xFFFD : c;
    size_t len = want < 0x80 ? 1 : want < 0x800 ? 2 : want < 0x10000 ? 3 : 4;
    assert_int_equal(n, len);
    assert_int_equal(dec(buf, n, &used), want);
    assert_int_equal(used, n);
    assert_int_equal(rp_utf8_last_len(buf, n), n);
  }
}

/* The simple model: a sequence is valid iff it is the encoding of a scalar
 * value. Every string of 1–3 bytes drawn from the bytes that matter is
 * decoded as valid exactly when the model says so. */
static void test_utf8_against_model(void **state) {
  (void)state;
  static const unsigned char pick[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                       0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                       0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF};
  size_t k = sizeof pick;
  for (size_t a = 0; a < k; a++)
    for (size_t b = 0; b < k; b++)
      for (size_t c = 0; c < k; c++)
        for (size_t d = 0; d < 3; d++) {
          char s[4] = {(char)pick[a], (char)pick[b], (char)pick[c], (char)(0x80 + d * 0x10)};
          size_t used;
          uint32_t cp = dec(s, 4, &used);
          assert_true(used >= 1 && used <= 4);
          if (cp == 0xFFFD && !(used == 3 && memcmp(s, "\xEF\xBF\xBD", 3) == 0)) {
            /* no prefix of s of any length is a valid encoding */
            for (size_t len = 1; len <= 4; len++) {
              size_t u2;
              uint32_t c2 = dec(s, len, &u2);
              assert_false(c2 != 0xFFFD && u2 == len);
            }
            continue;
          }
          char re[4];
          assert_int_equal(rp_utf8_encode(cp, re), used);
          assert_memory_equal(re, s, used);
        }
}

static void test_roman(void **state) {
  (void)state;
  char buf[16];
  assert_true(rp_roman_format(1, false, buf, sizeof buf));
  assert_string_equal(buf, "i");
  assert_true(rp_roman_format(1994, true, buf, sizeof buf));
  assert_string_equal(buf, "MCMXCIV");
  assert_true(rp_roman_format(3888, false, buf, sizeof buf));
  assert_string_equal(buf, "mmmdccclxxxviii");
  assert_false(rp_roman_format(0, false, buf, sizeof buf));
  assert_string_equal(buf, "");
  assert_false(rp_roman_format(4000, false, buf, sizeof buf));
  assert_false(rp_roman_format(8, false, buf, 4)); /* "viii" needs 5 */
  assert_string_equal(buf, "");
  for (long v = 1; v <= 3999; v++) {
    assert_true(rp_roman_format(v, false, buf, sizeof buf));
    assert_int_equal(rp_roman_value(buf, false), v);
    assert_int_equal(rp_roman_value(buf, true), 0);
    assert_true(rp_roman_format(v, true, buf, sizeof buf));
    assert_int_equal(rp_roman_value(buf, true), v);
  }
  assert_int_equal(rp_roman_value("iiii", false), 0);
  assert_int_equal(rp_roman_value("im", false), 0);
  assert_int_equal(rp_roman_value("xIv", false), 0);
  assert_int_equal(rp_roman_value("", false), 0);
  assert_int_equal(rp_roman_value("x1", false), 0);
}

static void test_mem_fault_injection(void **state) {
  (void)state;
  unsigned long before = rp_mem_count();
  void *p = rp_mem_alloc(10);
  assert_non_null(p);
  assert_int_equal(rp_mem_count(), before + 1);
  rp_mem_free(p);

  /* one-shot: the 2nd allocation fails, the 3rd succeeds */
  rp_mem_fail_after(2, false);
  void *a = rp_mem_alloc(1), *b = rp_mem_calloc(2, 2), *c = rp_mem_strdup("x");
  assert_non_null(a);
  assert_null(b);
  assert_non_null(c);
  assert_true(rp_mem_failed());
  rp_mem_free(a);
  rp_mem_free(c);

  /* sticky: every one from the 1st on, the arena's too */
  rp_mem_fail_after(1, true);
  assert_null(rp_mem_realloc(NULL, 8));
  assert_null(rp_mem_strndup("abc", 2));
  assert_null(rp_arena_new());
  rp_mem_fail_after(0, false);
  rp_arena *ar = rp_arena_new();
  assert_non_null(ar);
  rp_mem_fail_after(1, false);
  assert_null(rp_arena_alloc(ar, 4));
  assert_non_null(rp_arena_alloc(ar, 4));
  rp_arena_free(ar);

  /* a library's allocation due to fail while shielded passes the fault on */
  rp_mem_fail_after(1, false);
  rp_mem_shield(true);
  void *lib = rp_mem_lib_alloc(4);
  rp_mem_shield(false);
  assert_non_null(lib);
  rp_mem_free(lib);
  assert_null(rp_mem_alloc(4));
  assert_non_null(p = rp_mem_alloc(4));
  rp_mem_free(p);

  rp_mem_forget_failure();
  assert_false(rp_mem_failed());

  /* overflow */
  rp_mem_fail_after(0, false);
  assert_null(rp_mem_calloc(SIZE_MAX / 2, 4));
  assert_null(rp_mem_reallocarray(NULL, SIZE_MAX / 2, 4));
  assert_true(rp_mem_failed());

  /* the memory limit: held bytes, not bytes ever allocated */
  rp_mem_forget_failure();
  rp_mem_set_limit(rp_mem_live() + 100000);
  void *big = rp_mem_alloc(60000);
  assert_non_null(big);
  assert_null(rp_mem_alloc(60000));
  assert_true(rp_mem_limit_hit());
  rp_mem_free(big);
  assert_non_null(big = rp_mem_alloc(60000));
  rp_mem_free(big);
  rp_mem_set_limit(0);
  rp_mem_forget_failure();
}

/* Another thread's bytes: held per thread and joined to the total by FLUSH
 * steps, the rest when the thread ends (base/mem.c). */
static void *hold_bytes(void *out) {
  void **kept = out;
  kept[0] = rp_mem_alloc(1000);      /* kept: less than a flush */
  void *gone = rp_mem_alloc(300000); /* over a flush, then freed */
  rp_mem_free(gone);
  return NULL;
}

static void test_mem_threads_bytes(void **state) {
  (void)state;
  size_t before = rp_mem_live();
  void *kept[1] = {NULL};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, hold_bytes, kept), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_non_null(kept[0]);
  size_t with = rp_mem_live();
  assert_true(with >= before + 1000 && with < before + 1100);
  rp_mem_free(kept[0]); /* freed here: this thread's count goes down */
  assert_int_equal(rp_mem_live(), before);
}

/* rp_mem_uncounted: no count, but the limit still holds; a fault armed
 * counts again. */
static void test_mem_uncounted(void **state) {
  (void)state;
  rp_mem_uncounted();
  unsigned long n = rp_mem_count();
  void *p = rp_mem_alloc(10);
  assert_non_null(p);
  assert_int_equal(rp_mem_count(), n);
  rp_mem_set_limit(rp_mem_live() + 100000);
  assert_null(rp_mem_alloc(200000));
  assert_true(rp_mem_limit_hit());
  rp_mem_set_limit(0);
  rp_mem_forget_failure();
  rp_mem_fail_after(2, false);
  void *a = rp_mem_alloc(1), *b = rp_mem_alloc(1);
  assert_non_null(a);
  assert_null(b);
  assert_int_equal(rp_mem_count(), n + 2);
  rp_mem_fail_after(0, false);
  rp_mem_forget_failure();
  rp_mem_free(a);
  rp_mem_free(p);
}

/* rp_mem_rough: no bytes kept per block, yet the limit holds, checked
 * against the heap within a 64th of it; freed memory is seen as freed (the
 * heap's count, not ours), and a failure repeats while the heap is over. */
static void test_mem_rough(void **state) {
  (void)state;
  enum { BLOCK = 64 << 10, MAX = 512 };
  rp_mem_rough(true);
  size_t base = rp_mem_live(), budget = 8u << 20;
  rp_mem_set_limit(base + budget);
  void **held = calloc(MAX, sizeof *held);
  assert_non_null(held);
  size_t n = 0;
  while (n < MAX && (held[n] = rp_mem_alloc(BLOCK))) n++;
  assert_true(n < MAX);
  assert_true(rp_mem_limit_hit());
  /* refused within a step (a 64th of the limit, plus a block) of the budget */
  size_t got = n * (size_t)BLOCK, slack = (base + budget) / 64 + 2 * BLOCK;
  assert_true(got + slack >= budget && got <= budget + slack);
  assert_true(rp_mem_live() >= base + got);
  assert_null(rp_mem_alloc(BLOCK)); /* still over: refused again */
  for (size_t i = 0; i < n; i++) rp_mem_free(held[i]);
  assert_true(rp_mem_live() < base + BLOCK * 4);
  rp_mem_forget_failure();
  void *again = rp_mem_alloc(BLOCK); /* checked at once, and under now */
  assert_non_null(again);
  assert_false(rp_mem_limit_hit());
  rp_mem_free(again);
  rp_mem_set_limit(0);
  /* no limit: nothing refused, nothing checked */
  void *big = rp_mem_alloc(32u << 20);
  assert_non_null(big);
  rp_mem_free(big);
  free(held);
  rp_mem_rough(false);
  assert_false(rp_mem_failed());
}

static long minor_faults(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

/* rp_mem_prefault: memory allocated and written after it takes (almost) no
 * page faults, where the same without it takes one a page; and it holds
 * nothing afterwards. */
static void test_mem_prefault(void **state) {
  (void)state;
  enum { SIZE = 768 << 10, PAGES = SIZE / 4096 };
  rp_mem_tune_heap();
  size_t live = rp_mem_live();
  long before = minor_faults();
  char *cold = rp_mem_alloc(SIZE); /* the heap's top, never touched yet */
  assert_non_null(cold);
  memset(cold, 1, SIZE);
  long cold_faults = minor_faults() - before;
  rp_mem_free(cold);
  malloc_trim(0); /* those pages given back: the next block is cold again */
  rp_mem_prefault(2 * SIZE);
  assert_int_equal(rp_mem_live(), live);
  before = minor_faults();
  char *warm = rp_mem_alloc(SIZE);
  assert_non_null(warm);
  memset(warm, 1, SIZE);
  long warm_faults = minor_faults() - before;
  rp_mem_free(warm);
#ifndef __SANITIZE_ADDRESS__ /* ASan's allocator quarantines what is freed */
  assert_true(cold_faults > PAGES / 2);
  assert_true(warm_faults < PAGES / 8);
#else
  (void)cold_faults, (void)warm_faults;
#endif
}

/* Whether the kernel gives transparent huge pages on advice. */
static bool thp_advisable(void) {
  char mode[128] = "";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f) {
    if (!fgets(mode, sizeof mode, f)) mode[0] = 0;
    fclose(f);
  }
  return strstr(mode, "[always]") || strstr(mode, "[madvise]");
}

/* A fresh process (this program run again: its heap all but empty, as at
 * reviewpdf's start) writes 8 MiB in blocks the heap serves, with the
 * heap's first MiBs in huge pages (`huge`) or not; exits with the page
 * faults that took, in 32nds of the pages written (capped at 254), or 255
 * when the span advised is not 8 MiB. */
#define HUGE_CHILD "--huge-heap-child"
static int huge_heap_child(bool huge) {
  enum { BLOCK = 512 << 10, N = 16, PAGES = N * BLOCK / 4096 }; /* under the mmap threshold */
  rp_mem_tune_heap();
  if (huge) {
    size_t advised = rp_mem_huge_heap();
    if (advised != (8u << 20)) return 255;
  }
  char *blocks[N];
  long before = minor_faults();
  for (int i = 0; i < N; i++) {
    if (!(blocks[i] = malloc(BLOCK))) return 255;
    memset(blocks[i], 1, BLOCK);
  }
  long faults = minor_faults() - before;
  for (int i = N; i; i--) free(blocks[i - 1]);
  long parts = faults * 32 / PAGES;
  return parts > 254 ? 254 : (int)parts;
}

static int run_huge_child(bool huge) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    execl("/proc/self/exe", "test_base", HUGE_CHILD, huge ? "1" : "0", (char *)NULL);
    _exit(253);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* rp_mem_huge_heap: the heap's next 8 MiB come in huge pages — the 2,048
 * pages written there take a few faults (the heap below the first huge
 * page boundary left unused), where without it each page takes one. Skipped where the kernel gives
 * no huge pages on advice; under ASan (its own heap) nothing is advised. */
static void test_mem_huge_heap(void **state) {
  (void)state;
#ifdef __SANITIZE_ADDRESS__
  bool asan = true;
#else
  bool asan = false;
#endif
  if (asan) { /* ASan's own heap: nothing advised */
    assert_int_equal(rp_mem_huge_heap(), 0);
    return;
  }
  if (!thp_advisable()) {
    skip();
    return;
  }
  int plain = run_huge_child(false), huge = run_huge_child(true);
  assert_true(plain >= 28); /* a fault a page, near enough */
  assert_true(huge <= 1);   /* under 128 faults: four huge pages and a few */
}

/* The messages of d, "w:A1 e:F1 …" (w warning, e error). */
static void said(const rp_diag *d, char *buf, size_t n) {
  buf[0] = 0;
  for (size_t i = 0; i < d->count; i++) {
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%s%c:%s", i ? " " : "",
             d->entries[i].severity == RP_SEV_ERROR ? 'e' : 'w', d->entries[i].message);
  }
}

/* rp_diag_insert: what another thread recorded put where its work began,
 * as if recorded then — within the limit of entries, the ones recorded
 * after it dropped first; with `cut`, what was recorded after the mark
 * gone; a later mark moved with it. */
static void test_diag_insert(void **state) {
  (void)state;
  char buf[512];
  for (int cut = 0; cut < 2; cut++) {
    rp_diag d, f;
    rp_diag_init(&d), rp_diag_init(&f);
    d.max_entries = f.max_entries = 5;
    rp_diag_warn(&d, NULL, 0, 0, "A1");
    rp_diag_warn(&d, NULL, 0, 0, "A2");
    rp_diag_mark m = rp_diag_mark_of(&d);
    rp_diag_warn(&d, NULL, 0, 0, "B1");
    rp_diag_mark later = rp_diag_mark_of(&d); /* after B1 */
    rp_diag_warn(&d, NULL, 0, 0, "B2");
    rp_diag_error(&d, RP_ERR_USAGE, NULL, 0, 0, "B3");
    rp_diag_warn(&d, NULL, 0, 0, "B4"); /* dropped: the limit */
    assert_int_equal(d.count, 5), assert_int_equal(d.dropped, 1);
    rp_diag_warn(&f, NULL, 0, 0, "F1");
    if (cut)
      rp_diag_error(&f, RP_ERR_INPUT, NULL, 0, 0, "F2");
    else
      rp_diag_warn(&f, NULL, 0, 0, "F2");
    rp_diag_mark fm = rp_diag_mark_of(&f);
    size_t added = rp_diag_insert(&d, &m, &f, cut);
    assert_int_equal(added, 2);
    assert_int_equal(f.count + f.errors + f.warnings, 0); /* emptied */
    said(&d, buf, sizeof buf);
    if (cut) {
      assert_string_equal(buf, "w:A1 w:A2 w:F1 e:F2");
      assert_int_equal(d.errors, 1), assert_int_equal(d.warnings, 3);
      assert_int_equal(d.dropped, 0);
      assert_int_equal(rp_diag_status(&d), RP_ERR_INPUT);
    } else {
      /* as recorded in that order: A1 A2 F1 F2 B1, then B2 B3 B4 over the limit */
      assert_string_equal(buf, "w:A1 w:A2 w:F1 w:F2 w:B1");
      assert_int_equal(d.dropped, 3);
      assert_int_equal(d.errors, 1), assert_int_equal(d.warnings, 7);
      assert_int_equal(rp_diag_status(&d), RP_ERR_USAGE);
      rp_diag_mark_moved(&later, &d, &m, &fm, added);
      assert_int_equal(later.count, 5); /* A1 A2 F1 F2 B1 */
      assert_int_equal(later.warnings, 5), assert_int_equal(later.dropped, 0);
    }
    rp_diag_fini(&d), rp_diag_fini(&f);
  }
}

/* A scratch child ended is kept by its parent, emptied, and handed out
 * again with its chunk (the same memory, zeroed when allocated), one at a
 * time, its own kept scratch with it; an oversized chunk is not kept; what
 * is kept goes with the parent; taking one counts, for fault injection, as
 * making a child. */
static void test_arena_scratch(void **state) {
  (void)state;
  rp_arena *p = rp_arena_new();
  assert_non_null(p);
  rp_arena *s = rp_arena_scratch(p);
  assert_non_null(s);
  char *x = rp_arena_alloc(s, 100);
  assert_non_null(x);
  memset(x, 'x', 100);
  rp_arena *inner = rp_arena_scratch(s);
  assert_non_null(rp_arena_alloc(inner, 10));
  rp_arena_scratch_end(s, inner);
  assert_non_null(rp_arena_alloc(s, 200000)); /* a chunk of its own */
  assert_true(rp_arena_used(s) >= 200100);
  rp_arena_scratch_end(p, s);

  rp_arena *t = rp_arena_scratch(p);
  assert_ptr_equal(t, s);
  assert_int_equal(rp_arena_used(t), 0);
  char *y = rp_arena_alloc(t, 100);
  assert_non_null(y);
#ifndef RP_ARENA_MALLOC
  assert_ptr_equal(y, x); /* the kept chunk, from its start */
#endif
  for (int i = 0; i < 100; i++) assert_int_equal(y[i], 0);
  rp_arena *t2 = rp_arena_scratch(t);
  assert_ptr_equal(t2, inner);
  rp_arena_scratch_end(t, t2);
  rp_arena *u = rp_arena_scratch(p); /* a second at once: a new one */
  assert_non_null(u);
  assert_true(u != t);
  assert_non_null(rp_arena_alloc(u, 10));
  rp_arena_scratch_end(p, t);
  rp_arena_scratch_end(p, u); /* p keeps one already: freed */
  assert_ptr_equal(rp_arena_scratch(p), t);
  rp_arena_scratch_end(p, t);
  rp_arena_scratch_end(p, NULL);

  rp_arena_fail_after(p, 1);
  assert_null(rp_arena_scratch(p)); /* though one is kept */
  rp_arena_fail_after(p, 0);
  assert_ptr_equal(rp_arena_scratch(p), t);
  rp_arena_scratch_end(p, t);
  rp_arena_free(p); /* with what it keeps (ASan, valgrind: no leak) */
}

/* A vector's elements are zero when handed out, whatever the memory held
 * before: a reused scratch chunk full of bytes, growth in place (the
 * vector last in its chunk) and by moving (something allocated after it),
 * and pushes after its length was cut back. (Growth leaves the capacity
 * past the length as it was: each push clears its slot.) */
static void test_vec_push_zeroed(void **state) {
  (void)state;
  rp_arena *p = rp_arena_new();
  assert_non_null(p);
  rp_arena *s = rp_arena_scratch(p);
  assert_non_null(s);
  unsigned char *dirty = rp_arena_alloc_raw(s, 60000);
  assert_non_null(dirty);
  memset(dirty, 0xA5, 60000);
  rp_arena_scratch_end(p, s);
  s = rp_arena_scratch(p); /* the same chunk, its bytes left as they were */
  typedef struct elem {
    uint64_t a, b, c;
  } elem;
  rp_vec v = {0};
  for (size_t i = 0; i < 1000; i++) {
    elem *e = rp_vec_push(s, &v, sizeof(elem));
    assert_non_null(e);
    assert_true(e->a == 0 && e->b == 0 && e->c == 0);
    e->a = e->b = e->c = ~(uint64_t)0;
    if (i == 20) assert_non_null(rp_arena_alloc_raw(s, 8)); /* the next growth moves it */
    if (i == 500) v.len = 100;                              /* cut back: pushed again */
  }
  for (size_t i = 0; i < v.len; i++) assert_true(RP_VEC_AT(v, elem, i).a == ~(uint64_t)0);
  rp_arena_scratch_end(p, s);
  rp_arena_free(p);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], HUGE_CHILD) == 0) return huge_heap_child(argv[2][0] == '1');
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_utf8_valid),
      cmocka_unit_test(test_utf8_malformed),
      cmocka_unit_test(test_utf8_round_trip_every_code_point),
      cmocka_unit_test(test_utf8_against_model),
      cmocka_unit_test(test_roman),
      cmocka_unit_test(test_mem_fault_injection),
      cmocka_unit_test(test_mem_threads_bytes),
      cmocka_unit_test(test_mem_uncounted),
      cmocka_unit_test(test_mem_rough),
      cmocka_unit_test(test_mem_prefault),
      cmocka_unit_test(test_mem_huge_heap),
      cmocka_unit_test(test_diag_insert),
      cmocka_unit_test(test_arena_scratch),
      cmocka_unit_test(test_vec_push_zeroed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
