/* Unit tests: hyphenation points (layout/hyphen.h, with Debian's en-GB
 * patterns) and the line breaker's use of them (layout/inline.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "base/arena.h"
#include "layout/hyphen.h"
#include "layout/inline.h"

typedef struct fixture {
  rp_arena *a;
  rp_fontset fs;
  rp_diag d;
  rp_hyphen *hy;
  rp_style body, heading;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx) return -1;
  fx->a = rp_arena_new();
  rp_fontset_init(&fx->fs);
  rp_diag_init(&fx->d);
  int r = -1;
  if (rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Regular.ttf"), "t", 1, &fx->d, &r)) {
    rp_test_diag_dump(&fx->d);
    return -1;
  }
  fx->hy = rp_hyphen_new(NULL, "en-GB");
  rp_style s = {.name = "body", .font = r, .size = 10, .leading = 14, .src_file = "t.xml"};
  s.color.a = 1;
  s.align = RP_ALIGN_JUSTIFY;
  s.hyphenate = true;
  fx->body = s;
  fx->heading = s;
  fx->heading.name = "heading";
  fx->heading.hyphenate = false;
  *state = fx;
  return fx->hy ? 0 : -1;
}

static int teardown(void **state) {
  fixture *fx = *state;
  rp_hyphen_free(fx->hy);
  rp_arena_free(fx->a);
  rp_fontset_fini(&fx->fs);
  rp_diag_fini(&fx->d);
  free(fx);
  return 0;
}

/* word with a '-' at each break point rp_hyphen_points gives, in lang. */
static const char *marked(fixture *fx, const char *lang, const char *word) {
  size_t pos[32], n = rp_hyphen_points(fx->hy, lang, word, strlen(word), pos, 32);
  char *out = rp_arena_alloc(fx->a, strlen(word) + n + 1), *o = out;
  size_t from = 0;
  for (size_t k = 0; k < n; k++) {
    assert_true(pos[k] > from && pos[k] < strlen(word));
    memcpy(o, word + from, pos[k] - from);
    o += pos[k] - from;
    *o++ = '-';
    from = pos[k];
  }
  strcpy(o, word + from);
  return out;
}

static void test_break_points(void **state) {
  fixture *fx = *state;
  assert_string_equal(marked(fx, NULL, "hyphenation"), "hy-phen-a-tion");
  assert_string_equal(marked(fx, "en-GB", "representation"), "rep-res-ent-a-tion");
  assert_string_equal(marked(fx, NULL, "organisation"), "or-gan-isa-tion");
  /* the existing hyphen is the text's; "co" is too short, "operative" breaks */
  assert_string_equal(marked(fx, NULL, "co-operative"), "co-op-er-at-ive");
  /* capitals and punctuation around the word */
  assert_string_equal(marked(fx, NULL, "(Membership),"), "(Mem-ber-ship),");
  /* words under six letters are kept whole */
  assert_string_equal(marked(fx, NULL, "table"), "table");
  assert_string_equal(marked(fx, NULL, "houses"), "houses"); /* no point 2 + 3 from the ends */
  /* words with digits are kept whole */
  assert_string_equal(marked(fx, NULL, "naïveté"), "naïveté"); /* the patterns find no point */
  assert_string_equal(marked(fx, NULL, "representation2"), "representation2");
  /* letters beyond ASCII go to the UTF-8 patterns; breaks fall between
   * characters, never inside one's bytes */
  assert_string_equal(marked(fx, NULL, "coöperative"), "coöpe-ra-tive");
  assert_string_equal(marked(fx, NULL, "Rééducation"), "Ré-é-du-cation");
  assert_string_equal(marked(fx, NULL, "COÖRDINATION"), "COÖRDI-N-ATION");
  /* a non-breaking hyphen (U+2011) is the text's own, like "-" */
  assert_string_equal(marked(fx, NULL, "co\u2011operative"), "co\u2011op-er-at-ive");
  /* a curly apostrophe inside a word belongs to it: no break beside it,
   * and "s" after it counts towards the three letters after a break */
  assert_string_equal(marked(fx, NULL, "organisation\u2019s"), "or-gan-isa-tion\u2019s");
  assert_string_equal(marked(fx, NULL, "‘representation’"), "‘rep-res-ent-a-tion’");
  /* a tag with more subtags than any file: the longest that has one */
  assert_string_equal(marked(fx, "en-GB-oxendict", "development"), "de-vel-op-ment");
  /* no dictionary (Debian has no Welsh patterns), or a tag that is no
   * file name: no hyphenation, no warning */
  assert_string_equal(marked(fx, "cy", "cymdeithasol"), "cymdeithasol");
  assert_string_equal(marked(fx, "../en_GB", "development"), "development");
  assert_int_equal(fx->d.count, 0);
}

static void test_missing_dictionary_folder(void **state) {
  (void)state;
  rp_hyphen *h = rp_hyphen_new("/nonexistent", "en-GB");
  size_t pos[8];
  assert_int_equal(rp_hyphen_points(h, NULL, "development", 11, pos, 8), 0);
  rp_hyphen_free(h);
  rp_hyphen_free(NULL);
}

static rp_span *span(fixture *fx, const char *text, const rp_style *st) {
  rp_span *sp = rp_arena_alloc(fx->a, sizeof *sp);
  sp->text = text;
  sp->style = st;
  return sp;
}

static rp_lines brk(fixture *fx, rp_hyphen *hy, const rp_span *sp, double width, rp_align al) {
  rp_lines ls;
  rp_status st = rp_inline_break_hy(fx->a, &fx->fs, hy, sp, width, 0, al, &ls, &fx->d);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  return ls;
}

static double W(fixture *fx, const char *s, size_t n) {
  return rp_font_width(rp_fontset_get(&fx->fs, fx->body.font), s, n, 10, 0);
}

static const char *const TEXT =
    "The organisation represents independent community broadcasters across the nations, "
    "offering development programmes, representation in government consultations and "
    "practical volunteering opportunities for thousands of participants every year.";

/* The rules inline.h promises, checked on every line of ls. */
static void check_limits(fixture *fx, const rp_lines *ls, double width) {
  size_t run = 0;
  for (size_t j = 0; j < ls->n; j++) {
    const rp_line *ln = &ls->lines[j];
    const rp_frag *last = &ln->frags[ln->n_frags - 1];
    assert_true(ln->width <= width + 1e-6);
    assert_int_equal(ln->hyphenated, last->len > 0 && last->text[last->len - 1] == '-' &&
                                         !last->space_after && j + 1 < ls->n);
    run = ln->hyphenated ? run + 1 : 0;
    assert_true(run <= 2);                            /* never three in a row */
    if (j + 2 >= ls->n) assert_false(ln->hyphenated); /* nor before the last line */
    if (ln->hyphenated) {
      /* the part before the hyphen has at least 2 letters and is measured
       * with the hyphen */
      double sum = 0;
      for (size_t i = 0; i < ln->n_frags; i++) sum += ln->frags[i].width;
      assert_true(last->len >= 3);
      assert_true(fabs(last->width - W(fx, last->text, last->len)) < 1e-6 || ln->n_frags > 1 ||
                  sum > 0);
    }
  }
}

static void test_narrow_justified_paragraph(void **state) {
  fixture *fx = *state;
  double width = 120;
  rp_lines plain = brk(fx, NULL, span(fx, TEXT, &fx->body), width, RP_ALIGN_JUSTIFY);
  rp_lines hy = brk(fx, fx->hy, span(fx, TEXT, &fx->body), width, RP_ALIGN_JUSTIFY);
  size_t n_hy = 0;
  for (size_t j = 0; j < hy.n; j++) n_hy += hy.lines[j].hyphenated;
  for (size_t j = 0; j < plain.n; j++) assert_false(plain.lines[j].hyphenated);
  assert_true(n_hy > 0);
  assert_true(hy.demerits < plain.demerits);
  check_limits(fx, &hy, width);
  /* the hyphen drawn is part of the measured width and the fragment's text */
  for (size_t j = 0; j < hy.n; j++) {
    const rp_line *ln = &hy.lines[j];
    if (!ln->hyphenated) continue;
    const rp_frag *fr = &ln->frags[ln->n_frags - 1];
    assert_true(fabs(fr->width - W(fx, fr->text, fr->len)) < 0.05);
    assert_true(fabs(fr->x + fr->width - width) < 1e-6); /* justified to the edge */
  }
}

static void test_limits_over_many_widths(void **state) {
  fixture *fx = *state;
  for (double width = 60; width <= 300; width += 3.5) {
    rp_lines ls = brk(fx, fx->hy, span(fx, TEXT, &fx->body), width, RP_ALIGN_JUSTIFY);
    check_limits(fx, &ls, width);
  }
}

static void test_no_hyphens_when_style_says_no(void **state) {
  fixture *fx = *state;
  for (double width = 60; width <= 200; width += 7) {
    rp_lines ls = brk(fx, fx->hy, span(fx, TEXT, &fx->heading), width, RP_ALIGN_LEFT);
    for (size_t j = 0; j < ls.n; j++) assert_false(ls.lines[j].hyphenated);
  }
  /* a language without patterns */
  rp_span *cy = span(fx, TEXT, &fx->body);
  cy->lang = "cy";
  rp_lines ls = brk(fx, fx->hy, cy, 120, RP_ALIGN_JUSTIFY);
  for (size_t j = 0; j < ls.n; j++) assert_false(ls.lines[j].hyphenated);
}

/* Re-breaking the rest of a hyphenated paragraph gives the words whole. */
static void test_rest_removes_hyphens(void **state) {
  fixture *fx = *state;
  rp_lines ls = brk(fx, fx->hy, span(fx, TEXT, &fx->body), 120, RP_ALIGN_JUSTIFY);
  rp_span *rest = NULL;
  assert_int_equal(rp_inline_rest(fx->a, &ls, 0, &rest, &fx->d), RP_OK);
  char buf[1024] = "";
  for (const rp_span *s = rest; s; s = s->next) strncat(buf, s->text, sizeof buf - strlen(buf) - 1);
  assert_string_equal(buf, TEXT);
}

/* ---- brute force: every way to break at spaces and hyphenation points --- */

typedef struct seg {
  double w;    /* pt: the part's width */
  bool hyphen; /* a hyphenation point follows (else a space, or the end) */
} seg;

/* The cost inline.h promises for segs broken after those whose bit is set
 * in mask; INFINITY when a line overflows or a limit is broken. */
static double brute_cost(const seg *s, size_t n, double space, double hyph, double width,
                         unsigned mask) {
  double cost = 0, pen = RP_INLINE_HYPHEN_PENALTY * 10, con = RP_INLINE_CONSEC_PENALTY * 10;
  size_t start = 0, run = 0, lines = 0, ends[32];
  bool hy_line[32];
  for (size_t i = 0; i < n; i++) {
    if (!(i + 1 == n || (mask >> i & 1))) continue;
    double nat = 0;
    for (size_t k = start; k <= i; k++) nat += s[k].w + (k < i && !s[k].hyphen ? space : 0);
    bool h = i + 1 < n && s[i].hyphen;
    if (h) nat += hyph;
    /* a word alone on its line always exists, overfull or not */
    bool whole = true;
    for (size_t k = start; k < i; k++) whole = whole && s[k].hyphen;
    if (nat > width + 1e-6 && !(whole && !h)) return INFINITY;
    hy_line[lines] = h;
    ends[lines++] = i;
    run = h ? run + 1 : 0;
    if (run > 2) return INFINITY;
    if (i + 1 < n)
      cost += (width - nat) * (width - nat) + (h ? pen * pen : 0) + (run >= 2 ? con * con : 0);
    start = i + 1;
  }
  (void)ends;
  if (lines >= 2 && hy_line[lines - 2]) return INFINITY;
  return cost;
}

static void test_brute_force_with_hyphens(void **state) {
  fixture *fx = *state;
  static const char *const texts[] = {
      "Representation of independent broadcasters",
      "Volunteering opportunities for participants",
      "Our organisation offers development programmes",
      "Community broadcasting representation everywhere",
  };
  double space = W(fx, " ", 1), hyph = W(fx, "-", 1);
  size_t hyphenated = 0; /* lines: the comparison is about hyphens */
  for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
    /* the parts as the breaker sees them: words cut at their points */
    seg segs[32];
    size_t n = 0;
    const char *w = texts[t];
    while (*w) {
      size_t len = strcspn(w, " ");
      size_t pos[16], np = rp_hyphen_points(fx->hy, NULL, w, len, pos, 16);
      size_t from = 0;
      for (size_t k = 0; k <= np; k++) {
        size_t to = k < np ? pos[k] : len;
        segs[n++] = (seg){W(fx, w + from, to - from), k < np};
        from = to;
      }
      w += len;
      while (*w == ' ') w++;
    }
    assert_true(n <= 20);
    /* from the widest word: narrower, words break between characters */
    double widest = 0, word = 0;
    for (size_t i = 0; i < n; i++) {
      word += segs[i].w;
      if (!segs[i].hyphen) widest = fmax(widest, word), word = 0;
    }
    for (double width = ceil(widest); width <= 240; width += 2.5) {
      double best = INFINITY;
      for (unsigned mask = 0; mask < 1u << (n - 1); mask++)
        best = fmin(best, brute_cost(segs, n, space, hyph, width, mask));
      rp_lines ls = brk(fx, fx->hy, span(fx, texts[t], &fx->body), width, RP_ALIGN_LEFT);
      if (!(fabs(ls.demerits - best) <= 1e-6 * fmax(1, best)))
        fail_msg("\"%s\" at %g pt: breaker %g, brute force %g", texts[t], width, ls.demerits, best);
      for (size_t j = 0; j < ls.n; j++) hyphenated += ls.lines[j].hyphenated;
    }
  }
  assert_true(hyphenated >= 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_break_points, setup, teardown),
      cmocka_unit_test(test_missing_dictionary_folder),
      cmocka_unit_test_setup_teardown(test_narrow_justified_paragraph, setup, teardown),
      cmocka_unit_test_setup_teardown(test_limits_over_many_widths, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_hyphens_when_style_says_no, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rest_removes_hyphens, setup, teardown),
      cmocka_unit_test_setup_teardown(test_brute_force_with_hyphens, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
