/* test_inline — line breaking and placement with the real Open Sans faces.
 * The breaker is checked against brute force: every way of breaking short
 * paragraphs is enumerated and scored with the cost inline.h defines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
/* after testutil.h (cmocka) */
#include "base/arena.h"
#include "layout/inline.h"

typedef struct fixture {
  rp_arena *a;
  rp_fontset fs;
  rp_diag d;
  rp_style regular, bold, big;
} fixture;

static rp_style make_style(int font, double size, double leading) {
  rp_style s = {0};
  s.name = "test";
  s.font = font;
  s.size = size;
  s.leading = leading;
  s.color.a = 1;
  s.src_file = "layouts/test.xml";
  s.src_line = 3;
  return s;
}

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx) return -1;
  fx->a = rp_arena_new();
  rp_fontset_init(&fx->fs);
  rp_diag_init(&fx->d);
  int r = -1, b = -1;
  if (rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Regular.ttf"), "t", 1, &fx->d, &r) ||
      rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Bold.ttf"), "t", 1, &fx->d, &b)) {
    rp_test_diag_dump(&fx->d);
    return -1;
  }
  fx->regular = make_style(r, 10, 14);
  fx->bold = make_style(b, 10, 14);
  fx->big = make_style(b, 20, 24);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  rp_arena_free(fx->a);
  rp_fontset_fini(&fx->fs);
  rp_diag_fini(&fx->d);
  free(fx);
  return 0;
}

/* Appends a span to the list whose tail pointer is *tail. */
static rp_span *add(fixture *fx, rp_span ***tail, const char *text, const rp_style *st,
                    const char *href) {
  rp_span *sp = rp_arena_alloc(fx->a, sizeof *sp);
  assert_non_null(sp);
  sp->text = text;
  sp->style = st;
  sp->href = href;
  **tail = sp;
  *tail = &sp->next;
  return sp;
}

static rp_span *one(fixture *fx, const char *text, const rp_style *st) {
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, text, st, NULL);
  return head;
}

static double W(fixture *fx, const rp_style *st, const char *s) {
  return rp_font_width(rp_fontset_get(&fx->fs, st->font), s, strlen(s), st->size, st->tracking);
}

static rp_lines brk(fixture *fx, const rp_span *spans, double width, double indent,
                    rp_align align) {
  rp_lines ls;
  rp_status st = rp_inline_break(fx->a, &fx->fs, spans, width, indent, align, &ls, &fx->d);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  return ls;
}

/* A line's text as the source had it: fragments joined, word spaces back. */
static const char *line_text(fixture *fx, const rp_line *ln) {
  size_t n = 1;
  for (size_t i = 0; i < ln->n_frags; i++) n += ln->frags[i].len + 1;
  char *s = rp_arena_alloc(fx->a, n), *o = s;
  for (size_t i = 0; i < ln->n_frags; i++) {
    assert_int_equal(strlen(ln->frags[i].text), ln->frags[i].len); /* NUL-terminated */
    memcpy(o, ln->frags[i].text, ln->frags[i].len);
    o += ln->frags[i].len;
    if (ln->frags[i].space_after && i + 1 < ln->n_frags) *o++ = ' ';
  }
  *o = 0;
  return s;
}

static void assert_lines(fixture *fx, const rp_lines *ls, const char *const *expect, size_t n) {
  if (ls->n != n) {
    for (size_t i = 0; i < ls->n; i++)
      fprintf(stderr, "line %zu: [%s]\n", i, line_text(fx, &ls->lines[i]));
    fail_msg("%zu lines, expected %zu", ls->n, n);
  }
  for (size_t i = 0; i < n; i++) assert_string_equal(line_text(fx, &ls->lines[i]), expect[i]);
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* ---- brute force ------------------------------------------------------------ */

/* The cost inline.h promises to minimise, for words[0..n) broken after the
 * words whose bit is set in `mask`; INFINITY when a line overflows. */
static double brute_cost(const double *w, size_t n, double space, double width, double indent,
                         unsigned mask) {
  double cost = 0;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    bool end = i + 1 == n || (mask >> i & 1);
    if (!end) continue;
    double nat = 0;
    for (size_t k = start; k <= i; k++) nat += w[k] + (k < i ? space : 0);
    double avail = start == 0 ? width - indent : width;
    if (nat > avail + 1e-6 && i > start) return INFINITY;
    if (i + 1 < n) cost += (avail - nat) * (avail - nat);
    start = i + 1;
  }
  return cost;
}

/* Breaks as full as possible, line by line. */
static unsigned greedy_mask(const double *w, size_t n, double space, double width, double indent) {
  unsigned mask = 0;
  double nat = w[0], avail = width - indent;
  for (size_t i = 1; i < n; i++) {
    if (nat + space + w[i] > avail + 1e-6) {
      mask |= 1u << (i - 1);
      nat = w[i];
      avail = width;
    } else {
      nat += space + w[i];
    }
  }
  return mask;
}

static void test_brute_force_random(void **state) {
  fixture *fx = *state;
  srand(20240611);
  int better_than_greedy = 0;
  for (int trial = 0; trial < 600; trial++) {
    rp_style st = fx->regular;
    st.tracking = trial % 3 == 0 ? 25 : 0;
    st.size = 8 + trial % 5;
    size_t n = 1 + (size_t)(rand() % 12);
    char text[512] = "";
    char words[12][16];
    double w[12], maxw = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
      size_t len = 1 + (size_t)(rand() % 9);
      for (size_t k = 0; k < len; k++) words[i][k] = "abcdefghijklmnopqrstuvwxyzMW"[rand() % 28];
      words[i][len] = 0;
      w[i] = W(fx, &st, words[i]);
      if (w[i] > maxw) maxw = w[i];
      strcat(text, i ? (rand() % 4 ? " " : " \n ") : (rand() % 2 ? "" : "  "));
      strcat(text, words[i]);
    }
    double space = W(fx, &st, " ");
    for (size_t i = 0; i < n; i++) total += w[i] + (i + 1 < n ? space : 0);
    static const double indents[] = {0, 0, 12, -6};
    double indent = indents[trial % 4];
    double width = maxw + fmax(indent, 0) + (double)rand() / RAND_MAX * (total - maxw + 10);

    rp_lines ls = brk(fx, one(fx, text, &st), width, indent, RP_ALIGN_LEFT);

    /* The lines hold the words in order; recover where they broke. */
    unsigned mask = 0;
    size_t word = 0;
    for (size_t j = 0; j < ls.n; j++) {
      const rp_line *ln = &ls.lines[j];
      assert_int_equal(ln->n_frags, 1); /* one style, left aligned: merged */
      char buf[512];
      snprintf(buf, sizeof buf, "%s", ln->frags[0].text);
      double nat = 0;
      for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        assert_true(word < n);
        assert_string_equal(tok, words[word]);
        nat += w[word] + (nat > 0 ? space : 0);
        word++;
      }
      assert_true(fabs(ln->width - nat) < 1e-9);
      assert_true(fabs(ln->frags[0].width - nat) < 1e-9);
      assert_true(ln->last == (j + 1 == ls.n));
      if (j + 1 < ls.n) mask |= 1u << (word - 1);
    }
    assert_int_equal(word, n);

    double got = brute_cost(w, n, space, width, indent, mask);
    double best = INFINITY;
    for (unsigned m = 0; m < 1u << (n - 1); m++)
      best = fmin(best, brute_cost(w, n, space, width, indent, m));
    if (!(fabs(got - best) <= 1e-6 * (1 + best)))
      fail_msg("trial %d: cost %.9g, brute force %.9g (\"%s\" at %.3fpt)", trial, got, best, text,
               width);
    double greedy = brute_cost(w, n, space, width, indent, greedy_mask(w, n, space, width, indent));
    assert_true(got <= greedy + 1e-6 * (1 + greedy));
    if (got < greedy - 1e-6) better_than_greedy++;
  }
  /* Total fit is not greedy: it does better on some paragraphs. */
  assert_true(better_than_greedy > 0);
}

/* U+2028, LINE SEPARATOR: what <br/> becomes, a forced break. */
#define LS "\xE2\x80\xA8"

/* brute_cost with forced breaks after the words whose bit is set in
 * `forced`: every way of breaking must break there, and a line ending at a
 * forced break costs nothing, like the last. */
static double brute_cost_forced(const double *w, size_t n, double space, double width,
                                unsigned mask, unsigned forced) {
  if ((mask & forced) != forced) return INFINITY;
  double cost = 0;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(i + 1 == n || (mask >> i & 1))) continue;
    double nat = 0;
    for (size_t k = start; k <= i; k++) nat += w[k] + (k < i ? space : 0);
    if (nat > width + 1e-6 && i > start) return INFINITY;
    if (i + 1 < n && !(forced >> i & 1)) cost += (width - nat) * (width - nat);
    start = i + 1;
  }
  return cost;
}

static void test_brute_force_forced_breaks(void **state) {
  fixture *fx = *state;
  srand(20261204);
  for (int trial = 0; trial < 400; trial++) {
    const rp_style *st = &fx->regular;
    size_t n = 2 + (size_t)(rand() % 10);
    char text[512] = "", words[12][16];
    double w[12], maxw = 0, total = 0;
    unsigned forced = 0;
    for (size_t i = 0; i < n; i++) {
      size_t len = 1 + (size_t)(rand() % 8);
      for (size_t k = 0; k < len; k++) words[i][k] = "abcdefghijklmnopqrstuvwxyzMW"[rand() % 28];
      words[i][len] = 0;
      w[i] = W(fx, st, words[i]);
      maxw = fmax(maxw, w[i]);
      if (i > 0) {
        bool br = rand() % 4 == 0;
        if (br) forced |= 1u << (i - 1);
        /* with or without spaces around it, sometimes doubled */
        static const char *const seps[] = {LS, " " LS " ", LS LS " "};
        strcat(text, br ? seps[rand() % 3] : " ");
      }
      strcat(text, words[i]);
    }
    double space = W(fx, st, " ");
    for (size_t i = 0; i < n; i++) total += w[i] + (i + 1 < n ? space : 0);
    double width = maxw + (double)rand() / RAND_MAX * (total - maxw + 10);
    rp_lines ls = brk(fx, one(fx, text, st), width, 0, RP_ALIGN_JUSTIFY);
    unsigned mask = 0;
    size_t word = 0;
    for (size_t j = 0; j < ls.n; j++) {
      const rp_line *ln = &ls.lines[j];
      for (size_t q = 0; q < ln->n_frags; q++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", ln->frags[q].text);
        for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
          assert_true(word < n);
          assert_string_equal(tok, words[word]);
          word++;
        }
      }
      bool forced_here = j + 1 < ls.n && (forced >> (word - 1) & 1);
      assert_true(ln->forced == forced_here);
      /* justified unless last or forced: then words share fragments */
      if (ln->forced || ln->last) assert_int_equal(ln->n_frags, 1);
      if (j + 1 < ls.n) mask |= 1u << (word - 1);
    }
    assert_int_equal(word, n);
    double got = brute_cost_forced(w, n, space, width, mask, forced);
    double best = INFINITY;
    for (unsigned m = 0; m < 1u << (n - 1); m++)
      best = fmin(best, brute_cost_forced(w, n, space, width, m, forced));
    if (!(fabs(got - best) <= 1e-6 * (1 + best)))
      fail_msg("trial %d: cost %.9g, brute force %.9g (\"%s\" at %.3fpt)", trial, got, best, text,
               width);
  }
}

static void test_forced_break_ends(void **state) {
  fixture *fx = *state;
  /* at either end and doubled: one break */
  rp_lines ls =
      brk(fx, one(fx, LS " Flat 2 " LS LS " 1 High Street" LS "Cardiff " LS, &fx->regular), 400, 0,
          RP_ALIGN_JUSTIFY);
  static const char *const e[] = {"Flat 2", "1 High Street", "Cardiff"};
  assert_lines(fx, &ls, e, 3);
  assert_true(ls.lines[0].forced && ls.lines[1].forced && !ls.lines[2].forced);
  assert_false(ls.lines[0].frags[0].space_after);
  NEAR(ls.lines[0].width, W(fx, &fx->regular, "Flat 2"));
  /* the widest line is the one-line width */
  double mn, mx;
  assert_int_equal(rp_inline_measure(fx->a, &fx->fs, one(fx, "ab cd" LS "wide words", &fx->regular),
                                     &mn, &mx, &fx->d),
                   RP_OK);
  NEAR(mx, W(fx, &fx->regular, "wide words"));
  NEAR(mn, W(fx, &fx->regular, "words"));
  /* a paragraph continued elsewhere keeps its breaks */
  rp_lines three = brk(fx, one(fx, "one two three" LS "four five six" LS "seven", &fx->regular),
                       400, 0, RP_ALIGN_LEFT);
  assert_int_equal(three.n, 3);
  rp_span *rest = NULL;
  assert_int_equal(rp_inline_rest(fx->a, &three, 1, &rest, &fx->d), RP_OK);
  rp_lines again = brk(fx, rest, 400, 0, RP_ALIGN_LEFT);
  static const char *const e2[] = {"four five six", "seven"};
  assert_lines(fx, &again, e2, 2);
  assert_true(again.lines[0].forced);
  assert_int_equal(fx->d.count, 0);
}

static void test_sub_and_superscript(void **state) {
  fixture *fx = *state;
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "CO", &fx->regular, NULL);
  add(fx, &tail, "2", &fx->regular, NULL)->script = RP_SCRIPT_SUB;
  add(fx, &tail, " and m", &fx->regular, NULL);
  add(fx, &tail, "3", &fx->regular, NULL)->script = RP_SCRIPT_SUP;
  rp_lines ls = brk(fx, head, 400, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 1);
  const rp_line *ln = &ls.lines[0];
  assert_int_equal(ln->n_frags, 4);
  const rp_frag *sub = &ln->frags[1], *sup = &ln->frags[3];
  assert_string_equal(sub->text, "2");
  NEAR(sub->size, 7);
  NEAR(sub->rise, -1.5);
  NEAR(sup->size, 7);
  NEAR(sup->rise, 3.3);
  NEAR(ln->frags[0].rise, 0);
  NEAR(ln->frags[0].size, 10);
  /* measured small, and what follows starts where it ends */
  const rp_font *f = rp_fontset_get(&fx->fs, fx->regular.font);
  NEAR(sub->width, rp_font_width(f, "2", 1, 7, 0));
  assert_true(sub->space_after);
  NEAR(ln->frags[2].x, sub->x + sub->width + W(fx, &fx->regular, " "));
  NEAR(sup->x, ln->frags[2].x + ln->frags[2].width);
  NEAR(ln->width, sup->x + sup->width);
  /* the line's metrics are the style's */
  NEAR(ln->ascent, f->ascent * 10 / 1000.0);
  NEAR(ln->descent, f->descent * 10 / 1000.0);
  NEAR(ln->leading, 14);
  /* items: the baseline moves, y growing downwards */
  rp_item it = {0};
  rp_frag_to_item(sup, 100 + sup->x, 50, &it);
  NEAR(it.y, 50 - 3.3);
  NEAR(it.u.text.size, 7);
  NEAR(it.h, 7);
}

/* Words with break points inside: handles, addresses, paths. A unit is the
 * part of a word up to a soft break point (or the word itself); units of a
 * word wider than every line may end a line without a space, and each such
 * break counts before the slack. */
typedef struct unit {
  char text[16];
  double w;
  bool space_after; /* a word space follows; else the next unit is the same word */
} unit;

/* Cost of breaking units[0..n) after the units whose bit is set in `mask`,
 * as (soft breaks, squared slack); soft breaks only where `soft_ok`. Returns
 * false when a line overflows or a break falls where none may. */
static bool brute_cost2(const unit *u, size_t n, const bool *soft_ok, double space, double width,
                        double indent, unsigned mask, size_t *soft, double *slack2) {
  *soft = 0;
  *slack2 = 0;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    bool end = i + 1 == n || (mask >> i & 1);
    if (!end) continue;
    if (i + 1 < n && !u[i].space_after) {
      if (!soft_ok[i]) return false;
      (*soft)++;
    }
    double nat = 0;
    for (size_t k = start; k <= i; k++) nat += u[k].w + (k < i && u[k].space_after ? space : 0);
    double avail = start == 0 ? width - indent : width;
    if (nat > avail + 1e-6 && i > start) return false;
    if (i + 1 < n) *slack2 += (avail - nat) * (avail - nat);
    start = i + 1;
  }
  return true;
}

static void test_brute_force_soft_breaks(void **state) {
  fixture *fx = *state;
  srand(20261204);
  static const char seps[] = "@./_?=";
  int soft_used = 0;
  for (int trial = 0; trial < 600; trial++) {
    rp_style st = fx->regular;
    st.tracking = trial % 3 == 0 ? 25 : 0;
    st.size = 8 + trial % 5;
    unit u[13];
    size_t n = 0, word_first[13], n_words = 0;
    char text[512] = "";
    double space = W(fx, &st, " ");
    while (n < 10) {
      word_first[n_words++] = n;
      size_t parts = rand() % 2 ? 1 : 2 + (size_t)(rand() % 3);
      char word[80] = "";
      char next_sep = 0; /* a mark that opens the next part */
      for (size_t k = 0; k < parts; k++) {
        char part[16];
        size_t len = 1 + (size_t)(rand() % 6), o = 0;
        if (next_sep) part[o++] = next_sep;
        next_sep = 0;
        for (size_t c = 0; c < len; c++) part[o++] = "abcdefghijklmnopqrstuvwxyzMW"[rand() % 28];
        if (k + 1 < parts) {
          /* each boundary a point: before '@' '?' '=', after '.' '/' '_' */
          char sep = seps[rand() % 6];
          if (sep == '@' || sep == '?' || sep == '=')
            next_sep = sep;
          else
            part[o++] = sep;
        }
        part[o] = 0;
        snprintf(u[n].text, sizeof u[n].text, "%s", part);
        u[n].w = W(fx, &st, part);
        u[n].space_after = k + 1 == parts;
        strcat(word, part);
        n++;
      }
      strcat(text, n_words > 1 ? " " : "");
      strcat(text, word);
      if (rand() % 3 == 0) break;
    }
    double maxseg = 0, total = 0;
    for (size_t i = 0; i < n; i++) maxseg = fmax(maxseg, u[i].w);
    static const double indents[] = {0, 0, 12, -6};
    double indent = indents[trial % 4];
    for (size_t i = 0; i < n; i++) total += u[i].w + (u[i].space_after && i + 1 < n ? space : 0);
    double r = (double)rand() / RAND_MAX;
    double width = maxseg + fmax(indent, 0) + r * r * (total - maxseg + 10);
    double limit = width - fmax(indent, 0);
    /* Which units may end a line without a space: those inside a word wider
     * than every line. */
    bool soft_ok[13] = {false};
    for (size_t wi = 0; wi < n_words; wi++) {
      size_t a = word_first[wi], b = wi + 1 < n_words ? word_first[wi + 1] : n;
      char word[80] = "";
      for (size_t i = a; i < b; i++) strcat(word, u[i].text);
      if (W(fx, &st, word) > limit + 1e-6)
        for (size_t i = a; i + 1 < b; i++) soft_ok[i] = true;
    }

    rp_lines ls = brk(fx, one(fx, text, &st), width, indent, RP_ALIGN_LEFT);

    unsigned mask = 0;
    size_t k = 0;
    for (size_t j = 0; j < ls.n; j++) {
      const char *lt = line_text(fx, &ls.lines[j]);
      char built[512] = "";
      assert_true(k < n);
      strcat(built, u[k].text);
      while (strlen(built) < strlen(lt) && k + 1 < n) {
        if (u[k].space_after) strcat(built, " ");
        strcat(built, u[++k].text);
      }
      if (strcmp(built, lt) != 0)
        fail_msg("trial %d line %zu: [%s], expected [%s] (\"%s\" at %.3fpt)", trial, j, lt, built,
                 text, width);
      if (j + 1 < ls.n) mask |= 1u << k;
      k++;
    }
    assert_int_equal(k, n);

    size_t got_soft, best_soft = SIZE_MAX;
    double got, best = INFINITY;
    if (!brute_cost2(u, n, soft_ok, space, width, indent, mask, &got_soft, &got))
      fail_msg("trial %d: a break where none may be (\"%s\" at %.3fpt)", trial, text, width);
    for (unsigned m = 0; m < 1u << (n - 1); m++) {
      size_t so;
      double sl;
      if (!brute_cost2(u, n, soft_ok, space, width, indent, m, &so, &sl)) continue;
      if (so < best_soft || (so == best_soft && sl < best)) {
        best_soft = so;
        best = sl;
      }
    }
    if (got_soft != best_soft || !(fabs(got - best) <= 1e-6 * (1 + best)))
      fail_msg("trial %d: %zu soft breaks, cost %.9g; brute force %zu, %.9g (\"%s\" at %.3fpt)",
               trial, got_soft, got, best_soft, best, text, width);
    if (got_soft > 0) soft_used++;
  }
  /* the trials do exercise the soft points */
  assert_true(soft_used > 50);
}

/* The source text of `ls` with a '|' at every line break: "@a|@b.example". */
static const char *breaks_marked(fixture *fx, const rp_lines *ls) {
  char *out = rp_arena_alloc(fx->a, 1024);
  out[0] = 0;
  for (size_t j = 0; j < ls->n; j++) {
    if (j > 0) strcat(out, "|");
    strcat(out, line_text(fx, &ls->lines[j]));
  }
  return out;
}

/* Every break of `ls` is at a word space, after a dash before a letter, or
 * (with `soft`) at a point inside a handle, address, URL or path; the lines
 * put back together give `text`; none is wider than `width`. */
static void assert_sensible_breaks(fixture *fx, const rp_lines *ls, const char *text, double width,
                                   bool soft) {
  char joined[512] = "";
  for (size_t j = 0; j < ls->n; j++) {
    const rp_line *ln = &ls->lines[j];
    assert_true(ln->width <= width + 1e-6);
    const char *lt = line_text(fx, ln);
    strcat(joined, lt);
    if (j + 1 == ls->n) break;
    if (ln->frags[ln->n_frags - 1].space_after) {
      strcat(joined, " ");
      continue;
    }
    const char *next = line_text(fx, &ls->lines[j + 1]);
    char a = lt[strlen(lt) - 1], b = next[0];
    bool alnum_b = (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
    bool ok = a == '-' && alnum_b;
    if (soft)
      ok = ok || strchr("@?#&=", b) || (a == '/' && b != '/') ||
           (strchr("._", a) && alnum_b && strlen(lt) >= 2);
    if (!ok) fail_msg("break at \"%s\" (%gpt)", breaks_marked(fx, ls), width);
  }
  assert_string_equal(joined, text);
}

static void test_handles_and_urls_break_at_sensible_points(void **state) {
  fixture *fx = *state;
  const rp_style *st = &fx->regular;
  /* The point that makes the fewest lines, then the fullest first line. */
  rp_lines ls = brk(fx, one(fx, "@federation@social.example", st), W(fx, st, "@federation") + 1, 0,
                    RP_ALIGN_LEFT);
  assert_string_equal(breaks_marked(fx, &ls), "@federation|@social.|example");
  ls = brk(fx, one(fx, "https://www.example.org/reports/annual", st),
           W(fx, st, "https://www.example.org/") + 1, 0, RP_ALIGN_LEFT);
  assert_string_equal(breaks_marked(fx, &ls), "https://www.example.org/|reports/annual");
  ls = brk(fx, one(fx, "see https://example.org/a?year=2025&lang=cy", st),
           W(fx, st, "https://example.org/a") + 1, 0, RP_ALIGN_LEFT);
  assert_string_equal(breaks_marked(fx, &ls), "see|https://example.org/a|?year=2025&lang=cy");
  /* Never between the slashes of "//", never after a mark at a word's start. */
  ls = brk(fx, one(fx, "http://x.org", st), W(fx, st, "http://") + 0.5, 0, RP_ALIGN_LEFT);
  assert_string_equal(breaks_marked(fx, &ls), "http://|x.org");
  ls = brk(fx, one(fx, ".config/rp", st), W(fx, st, ".config/") + 1, 0, RP_ALIGN_LEFT);
  assert_string_equal(breaks_marked(fx, &ls), ".config/|rp");
  /* ".|reviewpdf" would be one break, but a lone mark is no sensible line:
   * the word breaks between characters, filling the first line */
  ls = brk(fx, one(fx, ".reviewpdf", st), W(fx, st, "reviewpdf") + 1, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 2);
  assert_true(strncmp(breaks_marked(fx, &ls), ".review", 7) == 0);
  /* Only a part with no point left breaks between characters; the rest of
   * the word still breaks at its points. */
  ls = brk(fx, one(fx, "@Llanfairpwllgwyngyll@x.example", st), W(fx, st, "@Llanfair") + 1, 0,
           RP_ALIGN_LEFT);
  assert_string_equal(breaks_marked(fx, &ls), "@Llanfai|rpwllgwy|ngyll@x.|example");

  /* Every width from the widest part to the whole: breaks only at points. */
  static const char *const tokens[] = {
      "Follow @ynni_cymru@social.example or mail hello.world@ynni-cymru.example",
      "Reports at https://www.ynni.example/en/reports/2024-25/annual_review.pdf?download=1#top",
      "Files in /srv/review/data/second-sample.xml and C:/data",
  };
  for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++)
    for (double w = 60; w < W(fx, st, tokens[i]) + 10; w += 1.7) {
      ls = brk(fx, one(fx, tokens[i], st), w, 0, RP_ALIGN_LEFT);
      assert_sensible_breaks(fx, &ls, tokens[i], w, true);
    }
}

/* Names with particles, accents and hyphens break at spaces and after
 * hyphens only, at every width their longest word fits. */
static void test_names_break_at_spaces_and_hyphens(void **state) {
  fixture *fx = *state;
  static const char *const names[] = {
      "Dafydd ap Gwilym",
      "Si\xC3\xA2n Lloyd-Jones",
      "Gwenllian ferch Rhys ap Gruffydd",
      "M\xC3\xA0iri NicDh\xC3\xB2mhnaill",
      "Se\xC3\xB1ora Mar\xC3\xAD"
      "a de los \xC3\x81ngeles O'Brien-Ni Bhriain",
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    double widest = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", names[i]);
    for (char *t = strtok(buf, " -"); t; t = strtok(NULL, " -"))
      widest = fmax(widest, W(fx, &fx->bold, t) + W(fx, &fx->bold, "-"));
    for (double w = widest; w < W(fx, &fx->bold, names[i]) + 5; w += 0.9) {
      rp_lines ls = brk(fx, one(fx, names[i], &fx->bold), w, 0, RP_ALIGN_CENTER);
      assert_sensible_breaks(fx, &ls, names[i], w, false);
    }
  }
}

/* ---- alignment ---------------------------------------------------------------- */

static void test_align_left_right_center(void **state) {
  fixture *fx = *state;
  const char *text = "one two three";
  double w = W(fx, &fx->regular, text);
  static const rp_align aligns[] = {RP_ALIGN_LEFT, RP_ALIGN_RIGHT, RP_ALIGN_CENTER};
  for (size_t i = 0; i < 3; i++) {
    for (double indent = 0; indent <= 15; indent += 15) {
      rp_lines ls = brk(fx, one(fx, text, &fx->regular), 200, indent, aligns[i]);
      assert_int_equal(ls.n, 1);
      assert_int_equal(ls.lines[0].n_frags, 1);
      const rp_frag *f = &ls.lines[0].frags[0];
      assert_string_equal(f->text, text);
      NEAR(f->width, w);
      NEAR(ls.lines[0].width, w);
      double expect = aligns[i] == RP_ALIGN_LEFT    ? indent
                      : aligns[i] == RP_ALIGN_RIGHT ? 200 - w
                                                    : indent + (200 - indent - w) / 2;
      NEAR(f->x, expect);
    }
  }
  /* Later lines have no indent; right-aligned lines all end at the width. */
  rp_lines ls = brk(fx, one(fx, "alpha beta gamma delta epsilon zeta eta theta", &fx->regular), 80,
                    10, RP_ALIGN_RIGHT);
  assert_true(ls.n > 2);
  for (size_t j = 0; j < ls.n; j++) {
    const rp_line *ln = &ls.lines[j];
    NEAR(ln->frags[ln->n_frags - 1].x + ln->frags[ln->n_frags - 1].width, 80);
  }
}

static void test_justify(void **state) {
  fixture *fx = *state;
  const char *text =
      "The year in review: our members grew by a third, the network reached every region, "
      "and the annual meeting voted for a new five-year strategy.";
  const double width = 150, indent = 12;
  rp_lines ls = brk(fx, one(fx, text, &fx->regular), width, indent, RP_ALIGN_JUSTIFY);
  assert_true(ls.n >= 4);
  for (size_t j = 0; j + 1 < ls.n; j++) {
    const rp_line *ln = &ls.lines[j];
    assert_false(ln->last);
    assert_true(ln->n_frags >= 2);
    NEAR(ln->frags[0].x, j == 0 ? indent : 0);
    const rp_frag *lastf = &ln->frags[ln->n_frags - 1];
    assert_true(fabs(lastf->x + lastf->width - width) < 0.01);
    /* One fragment per word, equal gaps, each at least a word space. */
    double gap0 = ln->frags[1].x - (ln->frags[0].x + ln->frags[0].width);
    assert_true(gap0 >= W(fx, &fx->regular, " ") - 1e-9);
    for (size_t i = 0; i < ln->n_frags; i++) {
      assert_null(strchr(ln->frags[i].text, ' '));
      NEAR(ln->frags[i].width, W(fx, &fx->regular, ln->frags[i].text));
      if (i > 0) NEAR(ln->frags[i].x - (ln->frags[i - 1].x + ln->frags[i - 1].width), gap0);
    }
  }
  /* The last line is not stretched: natural spacing, left aligned, merged. */
  const rp_line *last = &ls.lines[ls.n - 1];
  assert_true(last->last);
  assert_int_equal(last->n_frags, 1);
  NEAR(last->frags[0].x, 0);
  NEAR(last->frags[0].width, W(fx, &fx->regular, last->frags[0].text));
  assert_true(last->frags[0].width < width);
}

static void test_justify_single_word_line_left(void **state) {
  fixture *fx = *state;
  const char *big = "Transformationally";
  double wb = W(fx, &fx->regular, big);
  char text[128];
  snprintf(text, sizeof text, "so %s so", big);
  rp_lines ls = brk(fx, one(fx, text, &fx->regular), wb + 2, 0, RP_ALIGN_JUSTIFY);
  static const char *const expect[] = {"so", "Transformationally", "so"};
  assert_lines(fx, &ls, expect, 3);
  for (size_t j = 0; j < 3; j++) NEAR(ls.lines[j].frags[0].x, 0);
}

/* ---- breaking ---------------------------------------------------------------- */

static void test_long_word_breaks_inside(void **state) {
  fixture *fx = *state;
  /* 2-byte characters throughout: no line may cut one in half. */
  const char *word =
      "Donaudampfschifffahrtsgesellschaftskapit\xC3\xA4nsm\xC3\xBCtze\xC3\xA9\xC3\xA9";
  char text[256];
  snprintf(text, sizeof text, "ab %s cd", word);
  const double width = 60;
  rp_lines ls = brk(fx, one(fx, text, &fx->regular), width, 0, RP_ALIGN_LEFT);
  assert_true(ls.n >= 4);
  /* The word starts where it falls and runs on, every line filled in turn. */
  char joined[256] = "";
  for (size_t j = 0; j < ls.n; j++) {
    const rp_line *ln = &ls.lines[j];
    assert_true(ln->width <= width + 1e-6);
    for (size_t q = 0; q < ln->n_frags; q++) {
      const char *t = ln->frags[q].text;
      for (size_t i = 0; i < ln->frags[q].len;) {
        uint32_t cp;
        i += rp_utf8_decode(t + i, ln->frags[q].len - i, &cp);
        assert_true(cp != 0xFFFD);
      }
      strcat(joined, t);
      if (ln->frags[q].space_after) strcat(joined, " ");
    }
  }
  assert_string_equal(joined, text);
  assert_true(strncmp(line_text(fx, &ls.lines[0]), "ab Don", 6) == 0);
  assert_string_equal(
      line_text(fx, &ls.lines[ls.n - 1]) + strlen(line_text(fx, &ls.lines[ls.n - 1])) - 3, " cd");
}

/* A word too wide only for the indented first line moves down whole. */
static void test_word_wider_than_first_line_only(void **state) {
  fixture *fx = *state;
  const char *word = "Internationalisation";
  double ww = W(fx, &fx->regular, word), width = ww + 5, indent = 20;
  char text[64];
  snprintf(text, sizeof text, "an %s of it", word);
  rp_lines ls = brk(fx, one(fx, text, &fx->regular), width, indent, RP_ALIGN_LEFT);
  static const char *const e[] = {"an", "Internationalisation", "of it"};
  assert_lines(fx, &ls, e, 3);
  /* Wider than every line: broken, filling lines rather than balancing them. */
  ls = brk(fx, one(fx, text, &fx->regular), ww / 2.5, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 4);
  assert_string_equal(line_text(fx, &ls.lines[3]), "of it");
}

static void test_break_after_dashes_not_before(void **state) {
  fixture *fx = *state;
  static const struct {
    const char *text, *l1, *l2, *fits;
  } cases[] = {
      {"well-known", "well-", "known", "well-"},
      {"2019\xE2\x80\x93"
       "2020",
       "2019\xE2\x80\x93", "2020", "2019\xE2\x80\x93"},
      {"yes\xE2\x80\x94no", "yes\xE2\x80\x94", "no", "yes\xE2\x80\x94"},
  };
  for (size_t i = 0; i < 3; i++) {
    double width = fmax(W(fx, &fx->regular, cases[i].fits), W(fx, &fx->regular, cases[i].l2)) + 1;
    assert_true(width < W(fx, &fx->regular, cases[i].text));
    rp_lines ls = brk(fx, one(fx, cases[i].text, &fx->regular), width, 0, RP_ALIGN_LEFT);
    const char *expect[] = {cases[i].l1, cases[i].l2};
    assert_lines(fx, &ls, expect, 2);
    assert_false(ls.lines[0].frags[0].space_after); /* no space in the source */
    NEAR(ls.lines[0].width, W(fx, &fx->regular, cases[i].l1));
  }
  /* Never before a dash, at a word's start, or before punctuation. */
  rp_lines ls =
      brk(fx, one(fx, "xx -5", &fx->regular), W(fx, &fx->regular, "xx -") + 1, 0, RP_ALIGN_LEFT);
  static const char *const e1[] = {"xx", "-5"};
  assert_lines(fx, &ls, e1, 2);
  ls = brk(fx, one(fx, "xx well-(known)", &fx->regular), W(fx, &fx->regular, "well-(known)") + 1, 0,
           RP_ALIGN_LEFT);
  static const char *const e2[] = {"xx", "well-(known)"};
  assert_lines(fx, &ls, e2, 2);
  /* A dash inside a paragraph: the line ends with it. */
  double w3 = fmax(W(fx, &fx->regular, "a long-"), W(fx, &fx->regular, "term plan")) + 1;
  assert_true(w3 < W(fx, &fx->regular, "a long-term"));
  ls = brk(fx, one(fx, "a long-term plan", &fx->regular), w3, 0, RP_ALIGN_LEFT);
  static const char *const e3[] = {"a long-", "term plan"};
  assert_lines(fx, &ls, e3, 2);
}

static void test_zero_width_space_breaks(void **state) {
  fixture *fx = *state;
  rp_lines ls = brk(fx,
                    one(fx,
                        "foo\xE2\x80\x8B"
                        "bar",
                        &fx->regular),
                    W(fx, &fx->regular, "foo") + 1, 0, RP_ALIGN_LEFT);
  static const char *const e[] = {"foo", "bar"};
  assert_lines(fx, &ls, e, 2);
  ls = brk(fx,
           one(fx,
               "foo\xE2\x80\x8B"
               "bar",
               &fx->regular),
           200, 0, RP_ALIGN_LEFT);
  static const char *const e1[] = {"foobar"};
  assert_lines(fx, &ls, e1, 1);
}

static void test_nbsp_never_breaks(void **state) {
  fixture *fx = *state;
  const char *text = "aaa 10\xC2\xA0km";
  rp_lines ls =
      brk(fx, one(fx, text, &fx->regular), W(fx, &fx->regular, "aaa 10 k"), 0, RP_ALIGN_LEFT);
  static const char *const e[] = {"aaa", "10\xC2\xA0km"};
  assert_lines(fx, &ls, e, 2);
  /* Justified: the no-break space is not stretched (it is inside a word). */
  ls = brk(fx, one(fx, "aaa 10\xC2\xA0km bbbb", &fx->regular), W(fx, &fx->regular, "aaa 10 km bb"),
           0, RP_ALIGN_JUSTIFY);
  assert_int_equal(ls.lines[0].n_frags, 2);
  assert_string_equal(ls.lines[0].frags[1].text, "10\xC2\xA0km");
}

static void test_whitespace_collapses(void **state) {
  fixture *fx = *state;
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "  Hello \n\t ", &fx->regular, NULL);
  add(fx, &tail, "  world  ", &fx->regular, NULL);
  add(fx, &tail, "   ", &fx->regular, NULL);
  rp_lines ls = brk(fx, head, 300, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 1);
  assert_int_equal(ls.lines[0].n_frags, 1);
  assert_string_equal(ls.lines[0].frags[0].text, "Hello world");
  NEAR(ls.lines[0].width, W(fx, &fx->regular, "Hello world"));
  /* Spaces at a break are neither drawn nor counted. */
  ls = brk(fx, one(fx, "Hello    world", &fx->regular), W(fx, &fx->regular, "Hello w"), 0,
           RP_ALIGN_RIGHT);
  assert_int_equal(ls.n, 2);
  assert_string_equal(ls.lines[0].frags[0].text, "Hello");
  assert_true(ls.lines[0].frags[0].space_after);
  NEAR(ls.lines[0].frags[0].x + ls.lines[0].frags[0].width, W(fx, &fx->regular, "Hello w"));
  assert_string_equal(ls.lines[1].frags[0].text, "world");
}

static void test_empty_paragraph(void **state) {
  fixture *fx = *state;
  rp_lines ls = brk(fx, NULL, 100, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 0);
  ls = brk(fx, one(fx, "", &fx->regular), 100, 0, RP_ALIGN_JUSTIFY);
  assert_int_equal(ls.n, 0);
  ls = brk(fx, one(fx, " \n\t ", &fx->regular), 100, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 0);
  ls = brk(fx, one(fx, NULL, &fx->regular), 100, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 0);
  assert_int_equal(fx->d.count, 0);
}

/* ---- styles, links, characters -------------------------------------------- */

static void test_mixed_styles(void **state) {
  fixture *fx = *state;
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "Hello ", &fx->regular, NULL);
  add(fx, &tail, "bold", &fx->bold, NULL);
  add(fx, &tail, " world, un", &fx->regular, NULL);
  add(fx, &tail, "bold", &fx->bold, NULL);
  add(fx, &tail, "ed", &fx->regular, NULL);
  rp_lines ls = brk(fx, head, 400, 0, RP_ALIGN_LEFT);
  assert_int_equal(ls.n, 1);
  const rp_line *ln = &ls.lines[0];
  assert_int_equal(ln->n_frags, 5);
  static const char *const texts[] = {"Hello", "bold", "world, un", "bold", "ed"};
  const rp_style *styles[] = {&fx->regular, &fx->bold, &fx->regular, &fx->bold, &fx->regular};
  static const bool spaces[] = {true, true, false, false, false};
  for (size_t i = 0; i < 5; i++) {
    assert_string_equal(ln->frags[i].text, texts[i]);
    assert_ptr_equal(ln->frags[i].style, styles[i]);
    assert_int_equal(ln->frags[i].space_after, spaces[i]);
    NEAR(ln->frags[i].width, W(fx, styles[i], texts[i]));
  }
  /* A word space is measured in the style of the word before it. */
  NEAR(ln->frags[0].x, 0);
  NEAR(ln->frags[1].x, W(fx, &fx->regular, "Hello "));
  NEAR(ln->frags[2].x, ln->frags[1].x + W(fx, &fx->bold, "bold "));
  NEAR(ln->frags[3].x, ln->frags[2].x + ln->frags[2].width);
  NEAR(ln->frags[4].x, ln->frags[3].x + ln->frags[3].width);
  NEAR(ln->width, ln->frags[4].x + ln->frags[4].width);
}

static void test_links_split_fragments(void **state) {
  fixture *fx = *state;
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "see ", &fx->regular, NULL);
  add(fx, &tail, "our web site", &fx->regular, "https://example.org/");
  add(fx, &tail, " today", &fx->regular, NULL);
  rp_lines ls = brk(fx, head, 400, 0, RP_ALIGN_CENTER);
  const rp_line *ln = &ls.lines[0];
  assert_int_equal(ln->n_frags, 3);
  assert_string_equal(ln->frags[1].text, "our web site");
  assert_string_equal(ln->frags[1].href, "https://example.org/");
  assert_null(ln->frags[0].href);
  assert_null(ln->frags[2].href);
  NEAR(ln->width, W(fx, &fx->regular, "see our web site today"));
  NEAR(ln->frags[0].x, (400 - ln->width) / 2);
}

static void test_line_metrics_from_largest_style(void **state) {
  fixture *fx = *state;
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "Big ", &fx->big, NULL);
  add(fx, &tail, "small words that go on to a second line of their own", &fx->regular, NULL);
  rp_lines ls = brk(fx, head, 150, 0, RP_ALIGN_LEFT);
  assert_true(ls.n >= 2);
  const rp_font *fb = rp_fontset_get(&fx->fs, fx->big.font);
  const rp_font *fr = rp_fontset_get(&fx->fs, fx->regular.font);
  NEAR(ls.lines[0].ascent, fb->ascent * 20 / 1000.0);
  NEAR(ls.lines[0].descent, fb->descent * 20 / 1000.0);
  NEAR(ls.lines[0].leading, 24);
  NEAR(ls.lines[1].ascent, fr->ascent * 10 / 1000.0);
  NEAR(ls.lines[1].descent, fr->descent * 10 / 1000.0);
  assert_true(ls.lines[1].descent < 0);
  NEAR(ls.lines[1].leading, 14);
}

/* The memo (inline.c): a paragraph set again with equal spans — new span,
 * style and text objects — gets the same lines, pointing at the new spans,
 * with the same warnings; what differs in a style, or in which spans share
 * one, is set afresh. */
static void test_memo_sets_again_with_current_spans(void **state) {
  fixture *fx = *state;
  rp_style reg[2] = {fx->regular, fx->regular}, bold[2] = {fx->bold, fx->bold};
  rp_span *lists[2];
  rp_lines ls[2];
  rp_diag d[2];
  for (int r = 0; r < 2; r++) {
    rp_span *head = NULL, **tail = &head;
    add(fx, &tail, rp_arena_strdup(fx->a, "Hello there \xE4\xB8\xAD and "), &reg[r], NULL);
    add(fx, &tail, rp_arena_strdup(fx->a, "world wide web"), &bold[r],
        rp_arena_strdup(fx->a, "https://example.org/"));
    add(fx, &tail, rp_arena_strdup(fx->a, " again, with more words to fill lines"), &reg[r], NULL);
    lists[r] = head;
    rp_diag_init(&d[r]);
    assert_int_equal(rp_inline_break(fx->a, &fx->fs, head, 90, 5, RP_ALIGN_JUSTIFY, &ls[r], &d[r]),
                     RP_OK);
    assert_int_equal(d[r].warnings, 1); /* U+4E2D, given again by the memo */
    assert_true(rp_test_diag_has(&d[r], "character U+4E2D"));
  }
  assert_true(ls[0].n > 2);
  assert_int_equal(ls[1].n, ls[0].n);
  assert_true(ls[1].demerits == ls[0].demerits);
  for (size_t j = 0; j < ls[0].n; j++) {
    const rp_line *a = &ls[0].lines[j], *b = &ls[1].lines[j];
    assert_int_equal(b->n_frags, a->n_frags);
    assert_true(a->width == b->width && a->ascent == b->ascent && a->last == b->last);
    for (size_t q = 0; q < a->n_frags; q++) {
      const rp_frag *x = &a->frags[q], *y = &b->frags[q];
      assert_string_equal(x->text, y->text);
      assert_true(x->text != y->text);
      assert_true(x->x == y->x && x->width == y->width && x->space_after == y->space_after);
      /* the second list's own span, style and link */
      bool mine = false;
      for (const rp_span *sp = lists[1]; sp; sp = sp->next) mine = mine || sp == y->span;
      assert_true(mine);
      assert_ptr_equal(y->style, y->span->style);
      assert_ptr_equal(y->href, y->span->href);
      assert_true(y->style == &reg[1] || y->style == &bold[1]);
    }
  }
  for (int r = 0; r < 2; r++) rp_diag_fini(&d[r]);

  /* a style's size changed: set afresh */
  reg[1].size = 12;
  rp_lines big = brk(fx, lists[1], 90, 5, RP_ALIGN_LEFT);
  NEAR(big.lines[0].frags[0].x, 5);
  assert_string_equal(big.lines[0].frags[0].text, "Hello there ?");
  NEAR(big.lines[0].frags[0].width, W(fx, &reg[1], "Hello there ?"));

  /* "ab" in one style object is one fragment; in two equal ones, two */
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "a", &reg[0], NULL);
  add(fx, &tail, "b", &reg[0], NULL);
  rp_lines one_style = brk(fx, head, 400, 0, RP_ALIGN_LEFT);
  assert_int_equal(one_style.lines[0].n_frags, 1);
  head = NULL, tail = &head;
  add(fx, &tail, "a", &reg[0], NULL);
  rp_style copy = reg[0];
  add(fx, &tail, "b", &copy, NULL);
  rp_lines two_styles = brk(fx, head, 400, 0, RP_ALIGN_LEFT);
  assert_int_equal(two_styles.lines[0].n_frags, 2);
}

static void test_missing_glyphs_substituted_and_warned(void **state) {
  fixture *fx = *state;
  const char *text = "well\xE2\x80\x91known \xE4\xB8\xAD \xE4\xB8\xAD";
  for (int round = 0; round < 2; round++) {
    rp_lines ls = brk(fx, one(fx, text, &fx->regular), 400, 0, RP_ALIGN_LEFT);
    assert_int_equal(ls.n, 1);
    assert_string_equal(ls.lines[0].frags[0].text, "well-known ? ?");
    NEAR(ls.lines[0].width, W(fx, &fx->regular, "well-known ? ?"));
    /* Each character once, however often it occurs or is broken. */
    assert_int_equal(fx->d.warnings, 2);
    assert_int_equal(fx->d.errors, 0);
  }
  if (!rp_test_diag_has(&fx->d, "character U+2011 '\xE2\x80\x91' is not in font ") ||
      !rp_test_diag_has(&fx->d, "OpenSans-Regular.ttf: drawn as '-'") ||
      !rp_test_diag_has(&fx->d, "character U+4E2D '\xE4\xB8\xAD' is not in font ") ||
      !rp_test_diag_has(&fx->d, "drawn as '?'")) {
    rp_test_diag_dump(&fx->d);
    fail();
  }
  assert_string_equal(fx->d.entries[0].file, "layouts/test.xml");
  /* U+2011 is a non-breaking hyphen: no break after its substitute. */
  rp_lines ls = brk(fx, one(fx, "xx well\xE2\x80\x91known", &fx->regular),
                    W(fx, &fx->regular, "well-known") + 1, 0, RP_ALIGN_LEFT);
  static const char *const e[] = {"xx", "well-known"};
  assert_lines(fx, &ls, e, 2);
}

static void test_uppercase(void **state) {
  fixture *fx = *state;
  rp_style caps = fx->regular;
  caps.uppercase = true;
  rp_lines ls = brk(fx,
                    one(fx,
                        "Stra\xC3\x9F"
                        "e \xC3\xBC"
                        "ber \xC3\xBF 1\xC2\xBD",
                        &caps),
                    400, 0, RP_ALIGN_LEFT);
  assert_string_equal(ls.lines[0].frags[0].text,
                      "STRASSE \xC3\x9C"
                      "BER \xC5\xB8 1\xC2\xBD");
  assert_int_equal(fx->d.count, 0);
}

/* The spans of `text`, one per character (UTF-8), all in style st. */
static rp_span *per_char(fixture *fx, const char *text, const rp_style *st) {
  rp_span *head = NULL, **tail = &head;
  for (const char *p = text; *p;) {
    size_t n = 1;
    while ((p[n] & 0xC0) == 0x80) n++;
    add(fx, &tail, rp_arena_strndup(fx->a, p, n), st, NULL);
    p += n;
  }
  return head;
}

/* A paragraph set from one span and from one span per character gives
 * the same lines, fragment for fragment: runs of plain ASCII are taken a
 * run at a time (inline.c tokenize) exactly as a character at a time —
 * after dashes, next to characters of a fallback face or replaced ones,
 * with uppercase, kerning and hyphenation. */
static void test_runs_set_as_characters(void **state) {
  fixture *fx = *state;
  int dv = -1;
  assert_int_equal(
      rp_fontset_load(&fx->fs, rp_test_src("fonts/DejaVuSans.ttf"), "t", 1, &fx->d, &dv), RP_OK);
  rp_style kerned = fx->regular, caps = fx->bold, fb = fx->regular;
  kerned.kerning = true;
  kerned.tracking = 20;
  caps.uppercase = true;
  fb.n_fallback = 1;
  fb.fallback[0] = dv;
  const rp_style *styles[] = {&fx->regular, &kerned, &caps, &fb};
  static const char *const texts[] = {
      "co-operate with well-known -5 and a\xE2\x80\x93"
      "b or x\xE2\x80\x94y; AVATAR To Ty.",
      "price \xE2\x82\xAC"
      "12.50, 3\xE2\x86\x92"
      "4 and \xE2\x86\x90left, \xE4\xB8\xAD"
      "x, "
      "e.g. (www.example.org/path?q=1&r=2) name@example.org",
      "tab\tand\nnew\xC2\xA0line straight\xE2\x80\x8Bjoined soft\xC2\xADhyphen \xC3\x9F"
      "trasse \xC3\xA9t\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D [brackets] {braces} ~tilde~",
      "Pneumonoultramicroscopicsilicovolcanoconiosis-and-more words-with-dashes--double"};
  static const double widths[] = {400, 120, 60, 25};
  for (size_t si = 0; si < sizeof styles / sizeof *styles; si++)
    for (size_t ti = 0; ti < sizeof texts / sizeof *texts; ti++)
      for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
        rp_lines a = brk(fx, one(fx, texts[ti], styles[si]), widths[wi], 0, RP_ALIGN_JUSTIFY);
        rp_lines b = brk(fx, per_char(fx, texts[ti], styles[si]), widths[wi], 0, RP_ALIGN_JUSTIFY);
        if (a.n != b.n)
          fail_msg("style %zu text %zu width %g: %zu lines, %zu", si, ti, widths[wi], a.n, b.n);
        assert_true(a.demerits == b.demerits);
        for (size_t j = 0; j < a.n; j++) {
          const rp_line *x = &a.lines[j], *y = &b.lines[j];
          assert_int_equal(x->n_frags, y->n_frags);
          assert_true(x->width == y->width && x->hyphenated == y->hyphenated);
          for (size_t q = 0; q < x->n_frags; q++) {
            const rp_frag *f = &x->frags[q], *g = &y->frags[q];
            if (strcmp(f->text, g->text) != 0)
              fail_msg("style %zu text %zu width %g line %zu: \"%s\", \"%s\"", si, ti, widths[wi],
                       j, f->text, g->text);
            assert_true(f->x == g->x && f->width == g->width && f->font == g->font &&
                        f->space_after == g->space_after);
          }
        }
      }
}

static void test_rest_rebreaks_identically(void **state) {
  fixture *fx = *state;
  rp_span *head = NULL, **tail = &head;
  add(fx, &tail, "A paragraph with ", &fx->regular, NULL);
  add(fx, &tail, "bold", &fx->bold, NULL);
  add(fx, &tail, "face, a long-term view and a ", &fx->regular, NULL);
  add(fx, &tail, "link", &fx->regular, "https://example.org/");
  add(fx, &tail, " that runs over several lines of text.", &fx->regular, NULL);
  rp_lines ls = brk(fx, head, 90, 0, RP_ALIGN_LEFT);
  assert_true(ls.n >= 4);
  rp_span *rest = NULL;
  assert_int_equal(rp_inline_rest(fx->a, &ls, 1, &rest, &fx->d), RP_OK);
  rp_lines again = brk(fx, rest, 90, 0, RP_ALIGN_LEFT);
  assert_int_equal(again.n, ls.n - 1);
  for (size_t j = 0; j < again.n; j++) {
    const rp_line *x = &again.lines[j], *y = &ls.lines[j + 1];
    assert_string_equal(line_text(fx, x), line_text(fx, y));
    assert_int_equal(x->n_frags, y->n_frags);
    for (size_t i = 0; i < x->n_frags; i++) {
      assert_ptr_equal(x->frags[i].style, y->frags[i].style);
      NEAR(x->frags[i].x, y->frags[i].x);
    }
  }
  assert_int_equal(rp_inline_rest(fx->a, &ls, ls.n, &rest, &fx->d), RP_OK);
  assert_null(rest);
}

static void test_measure(void **state) {
  fixture *fx = *state;
  double mn, mx;
  assert_int_equal(
      rp_inline_measure(fx->a, &fx->fs, one(fx, " Hello wonderful  world ", &fx->regular), &mn, &mx,
                        &fx->d),
      RP_OK);
  NEAR(mn, W(fx, &fx->regular, "wonderful"));
  NEAR(mx, W(fx, &fx->regular, "Hello wonderful world"));
  assert_int_equal(rp_inline_measure(fx->a, &fx->fs, NULL, &mn, &mx, &fx->d), RP_OK);
  assert_true(mn == 0 && mx == 0);
}

static void test_bad_span_is_internal_error(void **state) {
  fixture *fx = *state;
  rp_style nofont = fx->regular;
  nofont.font = 99;
  rp_lines ls;
  assert_int_equal(
      rp_inline_break(fx->a, &fx->fs, one(fx, "x", &nofont), 100, 0, RP_ALIGN_LEFT, &ls, &fx->d),
      RP_ERR_INTERNAL);
  assert_int_equal(ls.n, 0);
  assert_int_equal(
      rp_inline_break(fx->a, &fx->fs, one(fx, "x", NULL), 100, 0, RP_ALIGN_LEFT, &ls, &fx->d),
      RP_ERR_INTERNAL);
}

/* Every allocation failing in turn: a clean status, never a crash. */
static void test_out_of_memory(void **state) {
  fixture *fx = *state;
  for (unsigned long n = 1; n < 200; n++) {
    rp_arena *a = rp_arena_new();
    rp_diag d;
    rp_diag_init(&d);
    rp_span sp = {.text = "Some well-known words, with a Donaudampfschifffahrtsgesellschaft.",
                  .style = &fx->regular};
    rp_arena_fail_after(a, n);
    rp_lines ls;
    rp_status st = rp_inline_break(a, &fx->fs, &sp, 60, 5, RP_ALIGN_JUSTIFY, &ls, &d);
    assert_true(st == RP_OK || st == RP_ERR_INTERNAL);
    if (st != RP_OK) assert_int_equal(ls.n, 0);
    rp_diag_fini(&d);
    rp_arena_free(a);
  }
}

/* Sets paragraph i of a set of distinct ones (fresh span and text objects
 * each time) and returns its lines. */
static rp_lines set_nth(fixture *fx, int i) {
  char text[160];
  snprintf(text, sizeof text,
           "Paragraph %d of the kept ones, with words enough to fill two or three lines "
           "at this width",
           i);
  return brk(fx, one(fx, rp_arena_strdup(fx->a, text), &fx->regular), 120, 0, RP_ALIGN_JUSTIFY);
}

static void lines_equal(const rp_lines *x, const rp_lines *y) {
  assert_int_equal(x->n, y->n);
  assert_true(x->demerits == y->demerits);
  for (size_t j = 0; j < x->n; j++) {
    assert_int_equal(x->lines[j].n_frags, y->lines[j].n_frags);
    assert_true(x->lines[j].width == y->lines[j].width);
    for (size_t q = 0; q < x->lines[j].n_frags; q++) {
      assert_string_equal(x->lines[j].frags[q].text, y->lines[j].frags[q].text);
      assert_true(x->lines[j].frags[q].x == y->lines[j].frags[q].x);
    }
  }
}

/* While another layout is known to follow (rp_inline_memo_keep), every
 * paragraph set is kept, not only the last few: the next layout sets each
 * again from the memo, with the same lines. Trimmed (the last layout done),
 * and without keeping, the memo holds the last few only. */
static void test_memo_keeps_paragraphs_for_next_layout(void **state) {
  fixture *fx = *state;
  enum { N = 100 };
  rp_lines first[N];
  rp_inline_memo_keep(&fx->fs, true);
  for (int i = 0; i < N; i++) first[i] = set_nth(fx, i);
  assert_true(first[0].n >= 2);
  size_t hits = rp_inline_memo_hits(&fx->fs);
  assert_int_equal(hits, 0);
  rp_inline_memo_keep(&fx->fs, false); /* the next layout, the last */
  for (int i = 0; i < N; i++) {
    rp_lines again = set_nth(fx, i);
    lines_equal(&first[i], &again);
  }
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + N);
  rp_inline_memo_trim(&fx->fs);
  hits = rp_inline_memo_hits(&fx->fs);
  set_nth(fx, N - 1); /* the youngest stays */
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + 1);
  set_nth(fx, 0); /* the oldest went */
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + 1);

  /* not keeping: N new paragraphs, the first of them gone when set again */
  for (int i = N; i < 2 * N; i++) set_nth(fx, i);
  hits = rp_inline_memo_hits(&fx->fs);
  rp_lines late = set_nth(fx, 2 * N - 1), early = set_nth(fx, N);
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + 1);
  assert_true(late.n >= 2 && early.n >= 2);

  /* measured (a table's column widths) again: from the memo, the same
   * widths, not taken for a paragraph set at some width */
  rp_span *sp = one(fx, "Measured words, and a longer one: Donaudampfschifffahrt", &fx->regular);
  double mn[2], mx[2];
  hits = rp_inline_memo_hits(&fx->fs);
  for (int r = 0; r < 2; r++)
    assert_int_equal(rp_inline_measure(fx->a, &fx->fs, sp, &mn[r], &mx[r], &fx->d), RP_OK);
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + 1);
  assert_true(mn[0] == mn[1] && mx[0] == mx[1]);
  NEAR(mn[0], W(fx, &fx->regular, "Donaudampfschifffahrt"));
  assert_true(mx[0] > mn[0]);
  rp_lines set = brk(fx, sp, 400, 0, RP_ALIGN_LEFT); /* set, not measured: afresh */
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + 1);
  assert_int_equal(set.n, 1);
}

/* The caller's arena keeps only what the lines are made of (their records,
 * fragments and texts): the paragraph's working data (atoms, pieces, the
 * breaking tables) is freed when it is broken, so a long document's memory
 * does not grow with every paragraph it sets. Measuring keeps nothing. */
static void test_working_data_is_not_kept(void **state) {
  fixture *fx = *state;
  char text[8000] = "";
  for (int i = 0; i < 300; i++) strcat(text, i % 7 ? "word " : "Donaudampfschifffahrt ");
  rp_arena *a = rp_arena_new();
  rp_span sp = {.text = text, .style = &fx->regular};
  rp_lines ls;
  assert_int_equal(rp_inline_break(a, &fx->fs, &sp, 200, 0, RP_ALIGN_JUSTIFY, &ls, &fx->d), RP_OK);
  assert_true(ls.n > 20);
  size_t need = ls.n * sizeof(rp_line);
  for (size_t j = 0; j < ls.n; j++) {
    need += ls.lines[j].n_frags * sizeof(rp_frag);
    /* a line's text block: its bytes, a space, a NUL per fragment, a hyphen */
    for (size_t q = 0; q < ls.lines[j].n_frags; q++) need += 2 * ls.lines[j].frags[q].len + 3;
  }
  assert_true(rp_arena_used(a) <= need);
  double mn, mx;
  size_t before = rp_arena_used(a);
  assert_int_equal(rp_inline_measure(a, &fx->fs, &sp, &mn, &mx, &fx->d), RP_OK);
  assert_true(mx > 1000);
  assert_int_equal(rp_arena_used(a), before);
  rp_arena_free(a);
}

/* Kerned styles: words measure with the font's pair kerning; where two
 * words meet at a dash and the pair across it kerns ("-T" in Open Sans),
 * they become two fragments, the second exactly where the first ends, so
 * render draws no kerning layout did not measure. Without kerning the same
 * text is one fragment at plain advances. */
static void test_kerning(void **state) {
  fixture *fx = *state;
  rp_style k = fx->regular, plain = fx->regular;
  k.kerning = true;
  const rp_font *f = rp_fontset_get(&fx->fs, k.font);
  assert_true(rp_font_kern(f, '-', 'T') < 0);
  assert_true(rp_font_kern(f, 'T', 'a') < 0);

  rp_lines ls;
  assert_int_equal(rp_inline_break(fx->a, &fx->fs, one(fx, "Pre-Tax Today", &k), 500, 0,
                                   RP_ALIGN_LEFT, &ls, &fx->d),
                   RP_OK);
  assert_int_equal(ls.n, 1);
  const rp_line *ln = &ls.lines[0];
  assert_int_equal(ln->n_frags, 2);
  assert_string_equal(ln->frags[0].text, "Pre-");
  assert_string_equal(ln->frags[1].text, "Tax Today");
  assert_true(ln->frags[0].width == rp_font_measure(f, "Pre-", 4, 10, 0, true));
  assert_true(fabs(ln->frags[1].x - (ln->frags[0].x + ln->frags[0].width)) < 1e-9);
  assert_true(fabs(ln->frags[1].width - rp_font_measure(f, "Tax Today", 9, 10, 0, true)) < 1e-9);
  /* the line: everything kerned but the pair across the join */
  assert_true(fabs(ln->width - (rp_font_measure(f, "Pre-Tax Today", 13, 10, 0, true) -
                                rp_font_kern(f, '-', 'T') * 10 / 1000.0)) < 1e-9);
  rp_item it = {0};
  rp_frag_to_item(&ln->frags[1], 0, 0, &it);
  assert_true(it.u.text.kern);

  assert_int_equal(rp_inline_break(fx->a, &fx->fs, one(fx, "Pre-Tax Today", &plain), 500, 0,
                                   RP_ALIGN_LEFT, &ls, &fx->d),
                   RP_OK);
  assert_int_equal(ls.lines[0].n_frags, 1);
  assert_true(ls.lines[0].width == rp_font_width(f, "Pre-Tax Today", 13, 10, 0));
  rp_frag_to_item(&ls.lines[0].frags[0], 0, 0, &it);
  assert_false(it.u.text.kern);
}

/* A long paragraph's memo key is hashed at its ends only (inline.c
 * KEY_HASHED): two paragraphs that differ only in the middle, of the same
 * length, fall in one bucket and must still be told apart — each set as
 * itself, the second not taken from the memo for the first. */
static void test_memo_tells_apart_long_keys_alike_at_ends(void **state) {
  fixture *fx = *state;
  char text[2][1200];
  for (int r = 0; r < 2; r++) {
    size_t n = 0;
    for (int w = 0; w < 100; w++) n += (size_t)sprintf(text[r] + n, "word%02d ", w);
    /* the middle: "MMMM" (wide) in one, "iiii" (narrow) in the other */
    memcpy(text[r] + n / 2, r ? "iiii" : "MMMM", 4);
  }
  assert_int_equal(strlen(text[0]), strlen(text[1]));
  size_t hits = rp_inline_memo_hits(&fx->fs);
  rp_lines a =
      brk(fx, one(fx, rp_arena_strdup(fx->a, text[0]), &fx->regular), 200, 0, RP_ALIGN_LEFT);
  rp_lines b =
      brk(fx, one(fx, rp_arena_strdup(fx->a, text[1]), &fx->regular), 200, 0, RP_ALIGN_LEFT);
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits);
  bool wide = false, narrow = false;
  for (size_t j = 0; j < a.n; j++)
    for (size_t q = 0; q < a.lines[j].n_frags; q++)
      wide = wide || strstr(a.lines[j].frags[q].text, "MMMM");
  for (size_t j = 0; j < b.n; j++)
    for (size_t q = 0; q < b.lines[j].n_frags; q++)
      narrow = narrow || strstr(b.lines[j].frags[q].text, "iiii");
  assert_true(wide && narrow);
  /* and each again from the memo, as it was */
  rp_lines a2 =
      brk(fx, one(fx, rp_arena_strdup(fx->a, text[0]), &fx->regular), 200, 0, RP_ALIGN_LEFT);
  rp_lines b2 =
      brk(fx, one(fx, rp_arena_strdup(fx->a, text[1]), &fx->regular), 200, 0, RP_ALIGN_LEFT);
  assert_int_equal(rp_inline_memo_hits(&fx->fs), hits + 2);
  lines_equal(&a, &a2);
  lines_equal(&b, &b2);
}

/* A paragraph of more atoms than reserved for its length (inline.c
 * atoms_for: one-letter words, two bytes an atom) grows its vectors and
 * loses none: every word is set, in order. */
static void test_many_short_words(void **state) {
  fixture *fx = *state;
  enum { WORDS = 3000 };
  char *text = rp_arena_alloc(fx->a, 2 * WORDS + 1);
  for (int i = 0; i < WORDS; i++) text[2 * i] = (char)('a' + i % 26), text[2 * i + 1] = ' ';
  rp_lines ls = brk(fx, one(fx, text, &fx->regular), 300, 0, RP_ALIGN_LEFT);
  assert_true(ls.n > 1);
  int k = 0;
  for (size_t j = 0; j < ls.n; j++)
    for (size_t q = 0; q < ls.lines[j].n_frags; q++)
      for (const char *c = ls.lines[j].frags[q].text; *c; c++) {
        if (*c == ' ') continue;
        assert_int_equal(*c, 'a' + k % 26);
        k++;
      }
  assert_int_equal(k, WORDS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_brute_force_random, setup, teardown),
      cmocka_unit_test_setup_teardown(test_brute_force_forced_breaks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_forced_break_ends, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sub_and_superscript, setup, teardown),
      cmocka_unit_test_setup_teardown(test_brute_force_soft_breaks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_handles_and_urls_break_at_sensible_points, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_names_break_at_spaces_and_hyphens, setup, teardown),
      cmocka_unit_test_setup_teardown(test_align_left_right_center, setup, teardown),
      cmocka_unit_test_setup_teardown(test_justify, setup, teardown),
      cmocka_unit_test_setup_teardown(test_justify_single_word_line_left, setup, teardown),
      cmocka_unit_test_setup_teardown(test_long_word_breaks_inside, setup, teardown),
      cmocka_unit_test_setup_teardown(test_word_wider_than_first_line_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_break_after_dashes_not_before, setup, teardown),
      cmocka_unit_test_setup_teardown(test_zero_width_space_breaks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nbsp_never_breaks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_whitespace_collapses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_paragraph, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mixed_styles, setup, teardown),
      cmocka_unit_test_setup_teardown(test_links_split_fragments, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_metrics_from_largest_style, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_glyphs_substituted_and_warned, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memo_sets_again_with_current_spans, setup, teardown),
      cmocka_unit_test_setup_teardown(test_uppercase, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rest_rebreaks_identically, setup, teardown),
      cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_span_is_internal_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kerning, setup, teardown),
      cmocka_unit_test_setup_teardown(test_runs_set_as_characters, setup, teardown),
      cmocka_unit_test_setup_teardown(test_working_data_is_not_kept, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memo_keeps_paragraphs_for_next_layout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memo_tells_apart_long_keys_alike_at_ends, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_many_short_words, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
