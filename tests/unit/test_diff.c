/* test_diff — diff/: the pixel rule on small made images (a changed pixel, an
 * anti-aliased edge explained by its neighbour, ink where there was paper,
 * the box of the changes, the diff image's colours); and on the sample
 * review, the numbers docs/diff.md gives for the defaults: another
 * rasteriser's anti-aliasing (Cairo's FAST antialias, unhinted glyph
 * metrics) passes at 72 and 50 dpi, one changed word fails on its page only,
 * and a whole page shifted by a quarter pixel is reported. Then rp_diff_run
 * and rp_diff_update on the sample: the same with itself and with goldens
 * written from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
/* after testutil.h (cmocka) */
#include "base/arena.h"
#include "diff/diff.h"
#include "diff/raster.h"
#include "pipeline/pipeline.h"

/* ---- the pixel rule ------------------------------------------------------- */

static cairo_surface_t *blank(int w, int h) {
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_flush(s);
  return s;
}

static uint32_t *px(cairo_surface_t *s, int x, int y) {
  return (uint32_t *)(cairo_image_surface_get_data(s) +
                      (size_t)y * (size_t)cairo_image_surface_get_stride(s)) +
         x;
}

static void test_pixel_rule(void **state) {
  (void)state;
  cairo_surface_t *e = blank(20, 10), *a = blank(20, 10);
  rp_diff_stats st;
  rp_diff_compare(e, a, 32, 1, &st);
  assert_int_equal(st.differing, 0);
  assert_int_equal(st.total, 200);
  assert_true(st.x1 < st.x0);

  /* A grey of 40 below white where the other image is white all round: no
   * neighbour explains it. Under a threshold of 40 it is the same. */
  *px(a, 3, 4) = 0xD7D7D7;
  cairo_surface_mark_dirty(a);
  rp_diff_compare(e, a, 32, 1, &st);
  assert_int_equal(st.differing, 1);
  assert_int_equal(st.max_delta, 40);
  assert_int_equal(st.x0, 3), assert_int_equal(st.x1, 3);
  assert_int_equal(st.y0, 4), assert_int_equal(st.y1, 4);
  rp_diff_compare(e, a, 40, 1, &st);
  assert_int_equal(st.differing, 0);

  /* An anti-aliased edge: a dark column, its neighbour half covered in one
   * image and a quarter in the other (the edge moved a quarter pixel). The
   * half-grey lies between its neighbours' colours: explained within 1 px,
   * not in place. */
  cairo_surface_t *e2 = blank(20, 10), *a2 = blank(20, 10);
  for (int y = 0; y < 10; y++) {
    *px(e2, 10, y) = *px(a2, 10, y) = 0x202020;
    *px(e2, 11, y) = 0x909090; /* half */
    *px(a2, 11, y) = 0xC8C8C8; /* a quarter */
  }
  cairo_surface_mark_dirty(e2);
  cairo_surface_mark_dirty(a2);
  rp_diff_compare(e2, a2, 32, 1, &st);
  assert_int_equal(st.differing, 0);
  rp_diff_compare(e2, a2, 32, 0, &st);
  assert_int_equal(st.differing, 10);

  /* Ink where there was paper, next to ink: a neighbour has the colour, but
   * a difference above 4 × threshold is a changed glyph. */
  *px(a2, 12, 5) = 0x202020;
  cairo_surface_mark_dirty(a2);
  rp_diff_compare(e2, a2, 32, 1, &st);
  assert_int_equal(st.differing, 1);
  assert_int_equal(st.x0, 12);
  cairo_surface_t *img = rp_diff_image(e2, a2, 32, 1, &st);
  assert_int_equal(*px(img, 12, 5) & 0xFFFFFF, 0xE00000);
  assert_int_equal(*px(img, 10, 0) & 0xFFFFFF, 0xC8C8C8); /* dark grey faded to light */
  cairo_surface_destroy(img);
  assert_int_equal(rp_diff_ink(32), 128);
  assert_int_equal(rp_diff_ink(100), 255);

  /* A colour change inside a filled area: every neighbour has the old one. */
  cairo_surface_t *e3 = blank(20, 10), *a3 = blank(20, 10);
  for (int y = 2; y < 8; y++)
    for (int x = 2; x < 18; x++) *px(e3, x, y) = 0x2A7F62, *px(a3, x, y) = 0x2A62A0;
  cairo_surface_mark_dirty(e3);
  cairo_surface_mark_dirty(a3);
  rp_diff_compare(e3, a3, 32, 1, &st);
  assert_int_equal(st.differing, 16 * 6);
  assert_int_equal(st.x0, 2), assert_int_equal(st.x1, 17);
  assert_int_equal(st.y0, 2), assert_int_equal(st.y1, 7);

  /* The diff image: red where pixels differ, the expected page faded to a
   * light grey elsewhere, and a blue outline 3 px around the box. */
  img = rp_diff_image(e3, a3, 32, 1, &st);
  assert_non_null(img);
  assert_int_equal(*px(img, 5, 5) & 0xFFFFFF, 0xE00000);
  assert_int_equal(*px(img, 0, 9) & 0xFFFFFF, 0xFFFFFF); /* white stays white */
  assert_int_equal(*px(img, 0, 0) & 0xFFFFFF, 0xFFFFFF);
  cairo_surface_destroy(img);
  /* the one grey pixel: outlined at x 0..6, y 1..7 */
  rp_diff_compare(e, a, 32, 1, &st);
  img = rp_diff_image(e, a, 32, 1, &st);
  assert_int_equal(*px(img, 3, 4) & 0xFFFFFF, 0xE00000);
  assert_int_equal(*px(img, 0, 1) & 0xFFFFFF, 0x0050FF);
  assert_int_equal(*px(img, 6, 7) & 0xFFFFFF, 0x0050FF);
  assert_int_equal(*px(img, 3, 3) & 0xFFFFFF, 0xFFFFFF);
  cairo_surface_destroy(img);

  cairo_surface_destroy(e), cairo_surface_destroy(a);
  cairo_surface_destroy(e2), cairo_surface_destroy(a2);
  cairo_surface_destroy(e3), cairo_surface_destroy(a3);
}

static void test_px(void **state) {
  (void)state;
  int w, h;
  rp_diff_px(595.2756, 841.8898, 72, &w, &h); /* A4 */
  assert_int_equal(w, 596), assert_int_equal(h, 842);
  rp_diff_px(595.2756, 841.8898, 50, &w, &h);
  assert_int_equal(w, 414), assert_int_equal(h, 585);
  rp_diff_px(72, 144, 72, &w, &h); /* an exact fit gains no pixel */
  assert_int_equal(w, 72), assert_int_equal(h, 144);
}

/* ---- the sample review ----------------------------------------------------- */

static char sample_pdf[4200], word_pdf[4200];

/* The sample, and the sample with one word changed ("support one" → "support
 * any", in the foreword), rendered once. The changed copy lives in a scratch
 * project beside copies of images/, fonts/ and layouts/ (paths in documents
 * stay inside their project). */
static int setup_sample(void **state) {
  (void)state;
  const char *tmp = rp_test_tmpdir();
  snprintf(sample_pdf, sizeof sample_pdf, "%s/sample.pdf", tmp);
  snprintf(word_pdf, sizeof word_pdf, "%s/word.pdf", tmp);
  rp_test_output t = rp_test_run(
      "set -e; cd '%s'; rm -rf '%s/proj'; mkdir -p '%s/proj/data'; cp -r images fonts layouts "
      "'%s/proj/'; cp -r data/map '%s/proj/data/'; "
      "sed 's/support one/support any/' data/ccin-2018-19.xml >'%s/proj/data/word.xml'; "
      "cmp -s data/ccin-2018-19.xml '%s/proj/data/word.xml' && exit 1; exit 0",
      rp_test_src("."), tmp, tmp, tmp, tmp, tmp, tmp);
  if (t.status != 0) fprintf(stderr, "%s", t.err);
  int bad = t.status != 0;
  rp_test_output_free(&t);
  const char *contents[2] = {rp_test_src("data/ccin-2018-19.xml"), NULL};
  char word_xml[4300];
  snprintf(word_xml, sizeof word_xml, "%s/proj/data/word.xml", tmp);
  contents[1] = word_xml;
  const char *outs[2] = {sample_pdf, word_pdf};
  for (int i = 0; i < 2 && !bad; i++) {
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    rp_pipeline_opts o = {.content = contents[i], .layout = "annual-review", .output = outs[i]};
    rp_pipeline_result res;
    if (rp_pipeline_render(a, &o, &d, &res) != RP_OK) {
      rp_test_diag_dump(&d);
      bad = 1;
    }
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
  return bad ? -1 : 0;
}

/* Compares every page of `a` drawn normally with `b` drawn as `how` says at
 * dpi under the defaults; returns the most differing pixels on a page and
 * sets *pages_over to the pages over the default share. */
static long sample_compare(const char *pa, const char *pb, int dpi, const rp_diff_draw *how,
                           int *pages_over, int *first_over) {
  rp_diag d;
  rp_diag_init(&d);
  rp_diff_pdf *a, *b;
  assert_int_equal(rp_diff_pdf_open(pa, &a, &d), RP_OK);
  assert_int_equal(rp_diff_pdf_open(pb, &b, &d), RP_OK);
  assert_int_equal(rp_diff_pdf_pages(a), rp_diff_pdf_pages(b));
  long most = 0;
  *pages_over = 0;
  *first_over = 0;
  for (int i = 0; i < rp_diff_pdf_pages(a); i++) {
    cairo_surface_t *x, *y;
    assert_int_equal(rp_diff_pdf_render(a, i, dpi, NULL, &x, &d), RP_OK);
    assert_int_equal(rp_diff_pdf_render(b, i, dpi, how, &y, &d), RP_OK);
    if (how && (how->dx || how->dy)) {
      /* the page's own edge moved too: keep the 2 px frame as it was */
      int w = cairo_image_surface_get_width(x), h = cairo_image_surface_get_height(x);
      for (int yy = 0; yy < h; yy++)
        for (int xx = 0; xx < w; xx++)
          if (xx < 2 || yy < 2 || xx >= w - 2 || yy >= h - 2) *px(y, xx, yy) = *px(x, xx, yy);
      cairo_surface_mark_dirty(y);
    }
    rp_diff_stats st;
    rp_diff_compare(x, y, RP_DIFF_DEFAULT_THRESHOLD, RP_DIFF_DEFAULT_RADIUS, &st);
    if (st.differing > most) most = st.differing;
    if ((double)st.differing > RP_DIFF_DEFAULT_MAX_SHARE * (double)st.total) {
      if (!*pages_over) *first_over = i + 1;
      (*pages_over)++;
    }
    cairo_surface_destroy(x);
    cairo_surface_destroy(y);
  }
  rp_diff_pdf_free(a);
  rp_diff_pdf_free(b);
  assert_int_equal(d.count, 0);
  rp_diag_fini(&d);
  return most;
}

static void test_sample_noise_passes(void **state) {
  (void)state;
  const rp_diff_draw fast = {.antialias = CAIRO_ANTIALIAS_FAST};
  const rp_diff_draw unhinted = {.no_hint_metrics = true};
  const int dpis[] = {72, 50};
  for (int k = 0; k < 2; k++) {
    int over, first;
    long most = sample_compare(sample_pdf, sample_pdf, dpis[k], &fast, &over, &first);
    fprintf(stderr, "%d dpi, FAST antialias: at most %ld pixels differ on a page\n", dpis[k], most);
    assert_int_equal(over, 0);
    most = sample_compare(sample_pdf, sample_pdf, dpis[k], &unhinted, &over, &first);
    fprintf(stderr, "%d dpi, unhinted metrics: at most %ld pixels differ on a page\n", dpis[k],
            most);
    assert_int_equal(over, 0);
  }
}

static void test_sample_word_fails(void **state) {
  (void)state;
  const int dpis[] = {72, 50};
  for (int k = 0; k < 2; k++) {
    int over, first;
    long most = sample_compare(sample_pdf, word_pdf, dpis[k], NULL, &over, &first);
    fprintf(stderr, "%d dpi, one word changed: %ld pixels differ on page %d\n", dpis[k], most,
            first);
    assert_int_equal(over, 1);
    assert_int_equal(first, 2); /* the foreword's page, and only it */
  }
}

/* A documented limit: Cairo puts glyphs on whole pixels, so a page shifted a
 * quarter pixel has letters a pixel apart, and that is reported. */
static void test_sample_subpixel_shift_differs(void **state) {
  (void)state;
  const rp_diff_draw shift = {.dx = 0.25, .dy = 0.25};
  int over, first;
  long most = sample_compare(sample_pdf, sample_pdf, 72, &shift, &over, &first);
  fprintf(stderr, "72 dpi, shifted 0.25 px: %d pages differ, at most %ld pixels\n", over, most);
  assert_true(over > 0);
}

static void test_run_and_update(void **state) {
  (void)state;
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  rp_diff_opts o = rp_diff_opts_default();
  rp_diff_result r;
  assert_int_equal(rp_diff_run(a, sample_pdf, sample_pdf, &o, &r, &d), RP_OK);
  assert_int_equal(r.dpi, 72);
  assert_true(r.expected_pages > 10);
  assert_int_equal(r.expected_pages, r.actual_pages);
  assert_int_equal(r.differing_pages, 0);
  assert_int_equal((int)r.pages.len, r.expected_pages);

  char dir[4300], out[4300];
  snprintf(dir, sizeof dir, "%s/golden", rp_test_tmpdir());
  snprintf(out, sizeof out, "%s/out", rp_test_tmpdir());
  int pages, dpi;
  assert_int_equal(rp_diff_update(a, dir, sample_pdf, 40, &pages, &dpi, &d), RP_OK);
  assert_int_equal(pages, r.expected_pages);
  assert_int_equal(dpi, 40);
  assert_int_equal(rp_diff_run(a, dir, sample_pdf, &o, &r, &d), RP_OK);
  assert_int_equal(r.dpi, 40);
  assert_int_equal(r.differing_pages, 0);

  o.out_dir = out;
  assert_int_equal(rp_diff_run(a, dir, word_pdf, &o, &r, &d), RP_OK);
  assert_int_equal(r.differing_pages, 1);
  const rp_diff_page *p = &RP_VEC_AT(r.pages, rp_diff_page, 1);
  assert_int_equal(p->verdict, RP_DIFF_PIXELS);
  assert_non_null(p->image);
  assert_true(p->x0 <= p->x1 && p->y0 <= p->y1);
  assert_int_equal(RP_VEC_AT(r.pages, rp_diff_page, 0).verdict, RP_DIFF_SAME);
  assert_null(RP_VEC_AT(r.pages, rp_diff_page, 0).image);
  assert_int_equal(d.count, 0);
  rp_arena_free(a);
  rp_diag_fini(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pixel_rule),
      cmocka_unit_test(test_px),
      cmocka_unit_test(test_sample_noise_passes),
      cmocka_unit_test(test_sample_word_fails),
      cmocka_unit_test(test_sample_subpixel_shift_differs),
      cmocka_unit_test(test_run_and_update),
  };
  return cmocka_run_group_tests(tests, setup_sample, NULL);
}
