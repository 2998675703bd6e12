/* The whole pipeline as a library: content → bind → layout → PDF, on the
 * sample, and the same with the arena failing at one allocation after
 * another: every run must end with a clean status (never a crash), nothing
 * leaks (ASan), and no stage may claim success after memory ran out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "layout/layout.h"
#include "model/content.h"
#include "render/probe.h"
#include "render/render.h"
#include "template/template.h"
#include "testutil.h"

typedef struct result {
  rp_status status;
  size_t pages;
  size_t items;
} result;

/* Runs the pipeline with the arena failing its nth allocation (0 = never). */
static result run(unsigned long fail_at, const char *out_pdf) {
  result r = {RP_OK, 0, 0};
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  if (fail_at) rp_arena_fail_after(a, fail_at);
  rp_content *c = NULL;
  rp_layout_def *l = NULL;
  rp_bound_doc *b = NULL;
  rp_layout_doc *doc = NULL;
  const char *path = NULL;
  rp_image_probe probe;
  rp_image_probe_init(&probe);
  rp_status st = rp_content_load(a, rp_test_src("data/ccin-2018-19.xml"), &d, &c);
  if (st == RP_OK) st = rp_layout_find(a, rp_test_src("layouts/annual-review.xml"), &d, &path);
  if (st == RP_OK) st = rp_layout_def_load(a, path, &d, &l);
  if (st == RP_OK) st = rp_bind(a, l, c, &d, &b);
  rp_layout_opts lo = {rp_image_probe_file, &probe};
  if (st == RP_OK) st = rp_layout_run_ex(a, b, &lo, &d, &doc);
  if (st == RP_OK && out_pdf) st = rp_render_pdf(doc, NULL, out_pdf, &d);
  if (st == RP_OK) {
    r.pages = doc->pages.len;
    for (size_t i = 0; i < doc->pages.len; i++)
      r.items += RP_VEC_AT(doc->pages, rp_page, i).items.len;
  }
  if (st != RP_OK && !fail_at) rp_test_diag_dump(&d);
  /* A failed run has recorded why; a successful one has no errors. */
  if (st != RP_OK)
    assert_true(d.errors > 0);
  else
    assert_int_equal(d.errors, 0);
  r.status = st;
  rp_image_probe_fini(&probe);
  rp_layout_def_free(l);
  rp_content_free(c);
  rp_arena_free(a);
  rp_diag_fini(&d);
  return r;
}

static void test_sample_through_the_library(void **state) {
  (void)state;
  char pdf[4096];
  snprintf(pdf, sizeof pdf, "%s/sample.pdf", rp_test_tmpdir());
  result r = run(0, pdf);
  assert_int_equal(r.status, RP_OK);
  assert_true(r.pages >= 12 && r.pages <= 24);
  struct stat sb;
  assert_int_equal(stat(pdf, &sb), 0);
  assert_true(sb.st_size > 20000);
}

static void test_every_allocation_failure_is_clean(void **state) {
  (void)state;
  result ok = run(0, NULL);
  assert_int_equal(ok.status, RP_OK);
  /* Fail allocation 1, 2, 3 … densely at first (loading), then with a
   * stride, until a run no longer reaches the failure point. */
  unsigned long n = 1, runs = 0;
  for (;;) {
    result r = run(n, NULL);
    runs++;
    if (r.status == RP_OK) {
      /* The failure point lies beyond the last allocation: same result. */
      assert_int_equal(r.pages, ok.pages);
      assert_int_equal(r.items, ok.items);
      break;
    }
    assert_true(r.status == RP_ERR_INTERNAL || r.status == RP_ERR_INPUT);
    n += n < 200 ? 1 : n / 12;
  }
  assert_true(runs > 200);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sample_through_the_library),
      cmocka_unit_test(test_every_allocation_failure_is_clean),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
