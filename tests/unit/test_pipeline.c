/* The whole pipeline as one library call (src/pipeline): content → bind →
 * layout → PDF on the sample; the same with the arena failing at one
 * allocation after another (every run must end with a clean status, never a
 * crash, nothing leaks under ASan, and no stage may claim success after
 * memory ran out); and output all-or-nothing: a run that fails after the PDF
 * was drawn leaves the previous file as it was and no temporary file. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline/pipeline.h"
#include "testutil.h"

#include "base/limits.h"
#include "render/flate.h"

typedef struct result {
  rp_status status;
  size_t pages;
  size_t items;
} result;

/* Runs the pipeline with the arena failing its nth allocation (0 = never). */
static result run(unsigned long fail_at, const char *out_pdf) {
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  if (fail_at) rp_arena_fail_after(a, fail_at);
  rp_pipeline_opts o = {
      .content = rp_test_src("data/ccin-2018-19.xml"),
      .layout = rp_test_src("layouts/annual-review.xml"),
      .output = out_pdf,
  };
  rp_pipeline_result res;
  rp_status st = rp_pipeline_render(a, &o, &d, &res);
  if (st != RP_OK && !fail_at) rp_test_diag_dump(&d);
  /* A failed run has recorded why; a successful one has no errors. */
  if (st != RP_OK) {
    assert_true(d.errors > 0);
    assert_null(res.written);
  } else {
    assert_int_equal(d.errors, 0);
    assert_non_null(res.doc);
    assert_int_equal(res.pages, res.doc->pages.len);
    if (out_pdf) assert_string_equal(res.written, out_pdf);
  }
  result r = {st, res.pages, res.items};
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

/* Fails the run at one stage, as a stage's own error would. */
static rp_status fail_at_stage(void *user, rp_pipeline_stage stage, rp_diag *d) {
  if (stage != *(rp_pipeline_stage *)user) return RP_OK;
  return rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0, "injected failure at stage %d", (int)stage);
}

static size_t files_in(const char *dir) {
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  size_t n = 0;
  for (struct dirent *e; (e = readdir(dp));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(dp);
  return n;
}

static void test_failure_leaves_previous_output(void **state) {
  (void)state;
  char dir[4096], pdf[4200], dump[4200];
  snprintf(dir, sizeof dir, "%s/atomic", rp_test_tmpdir());
  mkdir(dir, 0777);
  snprintf(pdf, sizeof pdf, "%s/out.pdf", dir);
  snprintf(dump, sizeof dump, "%s/out.dump", dir);
  const char before[] = "the previous PDF";
  FILE *f = fopen(pdf, "wb");
  assert_non_null(f);
  fputs(before, f);
  fclose(f);
  remove(dump);

  rp_pipeline_stage stages[] = {RP_PIPELINE_LOADED, RP_PIPELINE_LAID_OUT, RP_PIPELINE_RENDERED};
  for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    rp_pipeline_opts o = {
        .content = rp_test_src("data/ccin-2018-19.xml"),
        .layout = rp_test_src("layouts/annual-review.xml"),
        .output = pdf,
        .dump = stages[i] == RP_PIPELINE_LOADED ? dump : NULL,
        .hook = fail_at_stage,
        .hook_user = &stages[i],
    };
    rp_pipeline_result res;
    unsigned long threads = rp_flate_workers_started();
    assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_ERR_INPUT);
    assert_true(rp_test_diag_has(&d, "injected failure"));
    assert_null(res.written);
    /* the PDF's document was begun early, on its worker, before the pages
     * were laid out (render.h rp_render_early_start): failing in layout,
     * it is freed (ASan: nothing leaks) and leaves no file */
    assert_int_equal(rp_flate_workers_started(), threads + 1);
    /* Laid out before the render stage failed, not before. */
    if (stages[i] == RP_PIPELINE_RENDERED) assert_true(res.pages > 0);
    if (stages[i] == RP_PIPELINE_LOADED) assert_null(res.doc);
    char buf[64] = "";
    f = fopen(pdf, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, before);
    assert_int_equal(files_in(dir), 1); /* no temporary file, no dump */
    rp_arena_free(a);
    rp_diag_fini(&d);
  }

  /* And with no failure, the PDF and the dump replace what was there. */
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  rp_pipeline_opts o = {
      .content = rp_test_src("data/ccin-2018-19.xml"),
      .layout = rp_test_src("layouts/annual-review.xml"),
      .output = pdf,
      .dump = dump,
      .source_date_epoch = "1546300800",
  };
  rp_pipeline_result res;
  assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_OK);
  assert_string_equal(res.written, pdf);
  assert_non_null(strstr(res.layout_path, "annual-review.xml"));
  struct stat sb;
  assert_int_equal(stat(pdf, &sb), 0);
  assert_true(sb.st_size > 20000);
  assert_int_equal(stat(dump, &sb), 0);
  assert_true(sb.st_size > 1000);
  assert_int_equal(files_in(dir), 2);
  rp_arena_free(a);
  rp_diag_fini(&d);
}

/* Renders `content` with `layout` to `pdf`, binding lazily or whole;
 * returns the layout passes the progress callback saw. */
static int passes_seen;
static void on_progress(void *user, const rp_progress *p) {
  (void)user;
  if (p->stage == RP_PROGRESS_LAYOUT && p->pass > passes_seen) passes_seen = p->pass;
}

static int render_with(const char *content, const char *layout, const char *pdf, bool whole) {
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  passes_seen = 0;
  rp_pipeline_opts o = {.content = content,
                        .layout = layout,
                        .output = pdf,
                        .bind_whole = whole,
                        .progress = on_progress};
  rp_pipeline_result res;
  rp_status st = rp_pipeline_render(a, &o, &d, &res);
  if (st != RP_OK) rp_test_diag_dump(&d);
  assert_int_equal(st, RP_OK);
  rp_arena_free(a);
  rp_diag_fini(&d);
  return passes_seen;
}

static bool same_file(const char *x, const char *y) {
  FILE *a = fopen(x, "rb"), *b = fopen(y, "rb");
  assert_non_null(a);
  assert_non_null(b);
  int ca, cb;
  do {
    ca = getc(a);
    cb = getc(b);
  } while (ca == cb && ca != EOF);
  fclose(a);
  fclose(b);
  return ca == cb;
}

/* bench/pack_xml.py's pack of n studies, written to `pack` (the test is
 * skipped where it cannot be made). */
static void pack_of(int n, char *pack, size_t cap) {
  char cmd[8192];
  snprintf(pack, cap, "%s/pack-%d.xml", rp_test_tmpdir(), n);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %d %s", rp_test_src("bench/pack_xml.py"), n, pack);
  if (system(cmd) != 0) skip();
}

/* Lazy binding (each section bound as layout reaches it, its memory freed
 * once its pages are drawn) makes the same PDF as binding the whole
 * document first: the sample, and a pack long enough to be streamed
 * (bench/pack_xml.py 2200: pages drawn and sections freed as they go),
 * whose text is the same. */
static void test_lazy_binding_same_pdf(void **state) {
  (void)state;
  char lazy[4096], whole[4096], pack[4096];
  snprintf(lazy, sizeof lazy, "%s/lazy.pdf", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/whole.pdf", rp_test_tmpdir());
  const char *sample = rp_test_src("data/ccin-2018-19.xml");
  const char *review = rp_test_src("layouts/annual-review.xml");
  render_with(sample, review, lazy, false);
  render_with(sample, review, whole, true);
  assert_true(same_file(lazy, whole));
  pack_of(2200, pack, sizeof pack);
  char layout[4096];
  snprintf(layout, sizeof layout, "%s", rp_test_src("layouts/case-studies.xml"));
  render_with(pack, layout, lazy, false);
  render_with(pack, layout, whole, true);
  /* laid out once, its {$pages} footers set at the end in a second stream
   * per page (render/pdf_running.c), where whole binding lays it out twice
   * and draws them with the count: the same text on every page */
  char lazy_txt[4096], whole_txt[4096], cmd2[4 * 4096 + 64];
  snprintf(lazy_txt, sizeof lazy_txt, "%s/lazy.txt", rp_test_tmpdir());
  snprintf(whole_txt, sizeof whole_txt, "%s/whole.txt", rp_test_tmpdir());
  snprintf(cmd2, sizeof cmd2, "pdftotext %s %s && pdftotext %s %s", lazy, lazy_txt, whole,
           whole_txt);
  if (system(cmd2) != 0) skip();
  assert_true(same_file(lazy_txt, whole_txt));
  remove(lazy_txt);
  remove(whole_txt);
  remove(pack);
}

/* One layout for page references that all point back (the pack's index):
 * each answered from the pages laid out already, which nothing can move;
 * a short pack's {$pages} is drawn at the end, so it too takes one. The
 * review (pages() for its contents page, not shown in 13 pages) takes one
 * too, proved the last by binding again, as binding whole does; each
 * makes the PDF binding whole (as before) makes. */
static void test_back_references_one_layout(void **state) {
  (void)state;
  char dir[2048], cmd[16384], lazy[4096], whole[4096], layout[4096], pack[4096], review[4096];
  /* a copy of the layouts and the fonts they name (../fonts), as a project */
  snprintf(dir, sizeof dir, "%s/once/layouts", rp_test_tmpdir());
  snprintf(
      cmd, sizeof cmd,
      "rm -rf '%s/once' && mkdir -p '%s/once' && cp -r '%s' '%s' && cp -r '%s' '%s/once/fonts' "
      "&& sed -i 's| / {\\$pages}||' '%s/case-studies.xml'",
      rp_test_tmpdir(), rp_test_tmpdir(), rp_test_src("layouts"), dir, rp_test_src("fonts"),
      rp_test_tmpdir(), dir);
  assert_int_equal(system(cmd), 0);
  snprintf(lazy, sizeof lazy, "%s/once-lazy.pdf", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/once-whole.pdf", rp_test_tmpdir());
  snprintf(layout, sizeof layout, "%s/case-studies.xml", dir);
  snprintf(pack, sizeof pack, "%s", rp_test_src("tests/data/pack/pack-22.xml"));
  assert_int_equal(render_with(pack, layout, lazy, false), 1);
  assert_true(render_with(pack, layout, whole, true) >= 2);
  assert_true(same_file(lazy, whole));
  /* short, kept whole: its {$pages} is drawn at the end, right */
  snprintf(layout, sizeof layout, "%s", rp_test_src("layouts/case-studies.xml"));
  assert_int_equal(render_with(pack, layout, lazy, false), 1);
  assert_true(render_with(pack, layout, whole, true) >= 2);
  assert_true(same_file(lazy, whole));
  snprintf(review, sizeof review, "%s", rp_test_src("data/ccin-2018-19.xml"));
  snprintf(layout, sizeof layout, "%s", rp_test_src("layouts/annual-review.xml"));
  assert_int_equal(render_with(review, layout, lazy, false), 1);
  assert_int_equal(render_with(review, layout, whole, true), 1);
  assert_true(same_file(lazy, whole));
}

/* Renders `content` with `layout` to `pdf`; returns the run's result (its
 * doc lives in *a, which the caller frees) with no warning or error. */
static rp_pipeline_result layouts_of(rp_arena *a, const char *content, const char *layout,
                                     const char *pdf, bool whole) {
  rp_diag d;
  rp_diag_init(&d);
  rp_pipeline_opts o = {.content = content, .layout = layout, .output = pdf, .bind_whole = whole};
  rp_pipeline_result res;
  rp_status st = rp_pipeline_render(a, &o, &d, &res);
  if (st != RP_OK || d.count) rp_test_diag_dump(&d);
  assert_int_equal(st, RP_OK);
  assert_int_equal(d.count, 0);
  rp_diag_fini(&d);
  return res;
}

/* The review's page references settle in one layout: the first takes the
 * document to be short (pages() one page: pipeline.c first_refs) and has
 * no contents page, and binding again with its labels binds the same (13
 * pages are not over 20), so it is the last (two layouts before, the first
 * with a contents page). The long review (Seren, A5: a contents page)
 * takes three: the first has no contents, the second has it with the
 * first's numbers, the third prints them right (two before). Binding
 * whole takes as many, for the same PDF. */
static void test_review_layouts(void **state) {
  (void)state;
  char lazy[4096], whole[4096];
  snprintf(lazy, sizeof lazy, "%s/two-lazy.pdf", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/two-whole.pdf", rp_test_tmpdir());
  const char *cases[][2] = {{"data/ccin-2018-19.xml", "layouts/annual-review.xml"},
                            {"data/seren-solas-2024-25.xml", "layouts/annual-review-a5.xml"}};
  const size_t layouts[] = {1, 3};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    rp_pipeline_result res =
        layouts_of(a, rp_test_src(cases[i][0]), rp_test_src(cases[i][1]), lazy, false);
    assert_int_equal(res.layouts, layouts[i]);
    size_t pages = res.pages;
    rp_arena_free(a);
    a = rp_arena_new();
    assert_non_null(a);
    res = layouts_of(a, rp_test_src(cases[i][0]), rp_test_src(cases[i][1]), whole, true);
    assert_int_equal(res.layouts, layouts[i]);
    assert_int_equal(res.pages, pages);
    rp_arena_free(a);
    assert_true(same_file(lazy, whole));
  }
}

/* The text of page p of doc, its text items joined by spaces. */
static void page_text(const rp_layout_doc *doc, size_t p, char *buf, size_t cap) {
  const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < pg->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
    if (it->kind == RP_ITEM_TEXT && len < cap)
      len += (size_t)snprintf(buf + len, cap - len, "%s ", it->u.text.text);
  }
}

/* Page references that really move (tests/layouts/moves.xml): a contents
 * of two pages shown past 12 pages. The first layout has none (13 pages);
 * the second has it, with the first's numbers, one too low; bound again
 * with the second's labels its numbers differ, so a third layout prints
 * them right. Each number printed is the label of the page where
 * its part starts; binding whole gives the same PDF in as many layouts. */
static void test_moving_references_settle(void **state) {
  (void)state;
  char dir[1024], cmd[16384], layout[4096], lazy[4096], whole[4096];
  snprintf(dir, sizeof dir, "%s/moves", rp_test_tmpdir());
  snprintf(cmd, sizeof cmd,
           "rm -rf '%s' && mkdir -p '%s/layouts' && cp '%s' '%s/layouts/' && cp -r '%s' '%s/fonts'",
           dir, dir, rp_test_src("tests/layouts/moves.xml"), dir, rp_test_src("fonts"), dir);
  assert_int_equal(system(cmd), 0);
  snprintf(layout, sizeof layout, "%s/layouts/moves.xml", dir);
  snprintf(lazy, sizeof lazy, "%s/lazy.pdf", dir);
  snprintf(whole, sizeof whole, "%s/whole.pdf", dir);
  const char *content = rp_test_src("data/ccin-2018-19.xml");
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  rp_pipeline_result res = layouts_of(a, content, layout, lazy, false);
  assert_int_equal(res.layouts, 3);
  assert_int_equal(res.pages, 14);
  const rp_layout_doc *doc = res.doc;
  char text[4096], *at, id[64];
  size_t entries = 0;
  for (size_t p = 0; p < 2; p++) {
    page_text(doc, p, text, sizeof text);
    for (at = strstr(text, "ENTRY "); at; at = strstr(at + 1, "ENTRY ")) {
      char label[16];
      assert_int_equal(sscanf(at, "ENTRY %63s %15s", id, label), 2);
      /* the page where "AT id" is printed has that label */
      char want[128];
      snprintf(want, sizeof want, "AT %s ", id);
      size_t found = SIZE_MAX;
      for (size_t q = 2; q < doc->pages.len && found == SIZE_MAX; q++) {
        char other[4096];
        page_text(doc, q, other, sizeof other);
        if (strstr(other, want)) found = q;
      }
      assert_true(found != SIZE_MAX);
      const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, found);
      assert_string_equal(pg->label ? pg->label : "?", label);
      entries++;
    }
  }
  assert_int_equal(entries, 12);
  rp_arena_free(a);
  a = rp_arena_new();
  assert_non_null(a);
  res = layouts_of(a, content, layout, whole, true);
  assert_int_equal(res.layouts, 3);
  rp_arena_free(a);
  assert_true(same_file(lazy, whole));
}

/* A copy of tests/layouts/NAME.xml in a project of its own (../fonts), its
 * path written to `layout`. */
static void test_layout_copy(const char *name, char *layout, size_t cap) {
  char dir[1024], cmd[16384];
  snprintf(dir, sizeof dir, "%s/%s", rp_test_tmpdir(), name);
  snprintf(cmd, sizeof cmd,
           "rm -rf '%s' && mkdir -p '%s/layouts' && cp '%s/tests/layouts/%s.xml' '%s/layouts/' && "
           "cp -r '%s' '%s/fonts'",
           dir, dir, rp_test_src(""), name, dir, rp_test_src("fonts"), dir);
  assert_int_equal(system(cmd), 0);
  snprintf(layout, cap, "%s/layouts/%s.xml", dir, name);
}

/* Page references whose answers never change what is bound
 * (tests/layouts/pages-once.xml: pages() in a test every count passes,
 * page() backwards): the first layout, which met pages() answered from no
 * page of its own, is held whole and proved the last by binding again with
 * its own labels, so it is drawn as the only one: one layout (two before),
 * to a PDF or to a dump only. Its {$pages} footers print its own count;
 * the PDF is the one binding whole makes. */
static void test_pages_answer_same_one_layout(void **state) {
  (void)state;
  char layout[4096], lazy[4096], whole[4096], dump[4096];
  test_layout_copy("pages-once", layout, sizeof layout);
  snprintf(lazy, sizeof lazy, "%s/pages-once/lazy.pdf", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/pages-once/whole.pdf", rp_test_tmpdir());
  snprintf(dump, sizeof dump, "%s/pages-once/layout.txt", rp_test_tmpdir());
  char content[4096];
  snprintf(content, sizeof content, "%s", rp_test_src("data/ccin-2018-19.xml"));
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  rp_pipeline_result res = layouts_of(a, content, layout, lazy, false);
  assert_int_equal(res.layouts, 1);
  assert_int_equal(res.pages, 12);
  char text[4096], want[64];
  for (size_t p = 0; p < res.doc->pages.len; p++) {
    page_text(res.doc, p, text, sizeof text);
    snprintf(want, sizeof want, "FOOT %zu / 12 ", p + 1);
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "COUNTED"));
    if (p > 0) {
      snprintf(want, sizeof want, "BACK %zu ", p);
      assert_non_null(strstr(text, want));
    }
  }
  rp_arena_free(a);
  a = rp_arena_new();
  assert_non_null(a);
  /* bound whole, page() has no laid-out page to answer from: a stand-in,
   * then the first layout's labels */
  res = layouts_of(a, content, layout, whole, true);
  assert_int_equal(res.layouts, 2);
  rp_arena_free(a);
  assert_true(same_file(lazy, whole));
  /* no PDF: every page kept for the dump, the first layout the last too */
  rp_diag d;
  rp_diag_init(&d);
  a = rp_arena_new();
  assert_non_null(a);
  rp_pipeline_opts o = {.content = content, .layout = layout, .dump = dump};
  assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_OK);
  assert_int_equal(d.count, 0);
  assert_int_equal(res.layouts, 1);
  assert_int_equal(res.pages, 12);
  rp_arena_free(a);
  rp_diag_fini(&d);
}

/* Page references whose answer changes what is bound
 * (tests/layouts/contents-small.xml: a contents of two pages shown when
 * pages() > 3): binding again with the first layout's labels cannot bind
 * the same, so the labels settle in two layouts or more, as binding whole
 * settles them, for the same PDF; each page number the contents prints,
 * read back from the PDF (pdftotext), is the page where its part starts. */
static void test_pages_answer_moves_settles(void **state) {
  (void)state;
  char layout[4096], lazy[4096], whole[4096], content[4096];
  test_layout_copy("contents-small", layout, sizeof layout);
  snprintf(lazy, sizeof lazy, "%s/contents-small/lazy.pdf", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/contents-small/whole.pdf", rp_test_tmpdir());
  snprintf(content, sizeof content, "%s", rp_test_src("data/ccin-2018-19.xml"));
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  rp_pipeline_result res = layouts_of(a, content, layout, lazy, false);
  size_t layouts = res.layouts;
  assert_true(layouts >= 2);
  assert_int_equal(res.pages, 14);
  rp_arena_free(a);
  a = rp_arena_new();
  assert_non_null(a);
  res = layouts_of(a, content, layout, whole, true);
  assert_int_equal(res.layouts, layouts);
  rp_arena_free(a);
  assert_true(same_file(lazy, whole));
  rp_test_output t = rp_test_run("pdftotext -enc UTF-8 '%s' -", lazy);
  if (t.status != 0) {
    rp_test_output_free(&t);
    skip();
  }
  /* the pages, split at pdftotext's form feeds */
  char *pages[32];
  size_t n = 0;
  for (char *at = t.out; at && n < 32; n++) {
    pages[n] = at;
    at = strchr(at, '\f');
    if (at) *at++ = '\0';
  }
  assert_true(n >= 14);
  size_t entries = 0;
  for (char *at = strstr(pages[0], "ENTRY "); at; at = strstr(at + 1, "ENTRY ")) {
    char id[64], want[80];
    unsigned number = 0;
    assert_int_equal(sscanf(at, "ENTRY %63s %u", id, &number), 2);
    snprintf(want, sizeof want, "AT %s\n", id);
    assert_true(number >= 1 && number <= 14);
    assert_non_null(strstr(pages[number - 1], want)); /* printed where it starts */
    for (size_t q = 0; q < 14; q++)
      if (q != number - 1) assert_null(strstr(pages[q], want));
    entries++;
  }
  assert_int_equal(entries, 12);
  rp_test_output_free(&t);
}

/* Each chart is drawn once per run (charts/memo.h): the long review (A5),
 * laid out more than once for its contents, draws its charts (the map
 * among them) in one layout and copies them in the others; the PDF is the
 * one drawing every chart in every layout makes. */
static void test_charts_drawn_once(void **state) {
  (void)state;
  char memo[4096], plain[4096];
  snprintf(memo, sizeof memo, "%s/memo.pdf", rp_test_tmpdir());
  snprintf(plain, sizeof plain, "%s/plain.pdf", rp_test_tmpdir());
  size_t draws[2] = {0}, copies[2] = {0}, charts = 0;
  int passes[2] = {0};
  for (int i = 0; i < 2; i++) {
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    passes_seen = 0;
    rp_pipeline_opts o = {.content = rp_test_src("data/seren-solas-2024-25.xml"),
                          .layout = rp_test_src("layouts/annual-review-a5.xml"),
                          .output = i ? plain : memo,
                          .no_chart_memo = i == 1,
                          .progress = on_progress};
    rp_pipeline_result res;
    rp_status st = rp_pipeline_render(a, &o, &d, &res);
    if (st != RP_OK) rp_test_diag_dump(&d);
    assert_int_equal(st, RP_OK);
    draws[i] = res.chart_draws, copies[i] = res.chart_copies, passes[i] = passes_seen;
    if (i == 0)
      for (size_t p = 0; p < res.doc->pages.len; p++) {
        const rp_page *pg = &RP_VEC_AT(res.doc->pages, rp_page, p);
        for (size_t k = 0; k < pg->items.len; k++) {
          const rp_item *it = &RP_VEC_AT(pg->items, rp_item, k);
          charts += it->kind == RP_ITEM_CHART && it->u.chart.drawn;
        }
      }
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
  assert_true(passes[0] >= 2);
  assert_int_equal(passes[0], passes[1]);
  assert_true(charts >= 3); /* the map and the figures' charts */
  /* drawn once each, copied in every other layout */
  assert_int_equal(draws[0], charts);
  assert_int_equal(copies[0], charts * (size_t)(passes[0] - 1));
  assert_int_equal(draws[1] + copies[1], 0); /* no memo: nothing counted */
  assert_true(same_file(memo, plain));
}

/* The review is laid out once, its pages held whole and drawn at the end:
 * its charts are drawn on the content thread while it goes on, their items
 * put into their pages after (charts/memo.h rp_charts_draw_memo_held), the
 * map among them, and the PDF is the one drawing them where placed
 * (RP_CHARTS_INLINE) makes, with the same counts and no message. */
static void test_charts_drawn_later(void **state) {
  (void)state;
  char pdf[2][4096];
  rp_pipeline_result res[2];
  for (int i = 0; i < 2; i++) {
    snprintf(pdf[i], sizeof pdf[i], "%s/later%d.pdf", rp_test_tmpdir(), i);
    if (i) setenv("RP_CHARTS_INLINE", "1", 1);
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    rp_pipeline_opts o = {.content = rp_test_src("data/ccin-2018-19.xml"),
                          .layout = rp_test_src("layouts/annual-review.xml"),
                          .output = pdf[i]};
    rp_status st = rp_pipeline_render(a, &o, &d, &res[i]);
    unsetenv("RP_CHARTS_INLINE");
    if (st != RP_OK) rp_test_diag_dump(&d);
    assert_int_equal(st, RP_OK);
    assert_int_equal(d.count, 0);
    assert_true(res[i].load_threads);
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
  assert_true(res[0].chart_draws >= 3);
  /* the layout returned before the last of them were in (layout.h defer_charts) */
  assert_true(res[0].charts_deferred);
  assert_false(res[1].charts_deferred);
  assert_int_equal(res[0].pages, res[1].pages);
  assert_int_equal(res[0].items, res[1].items);
  assert_int_equal(res[0].layouts, res[1].layouts);
  assert_int_equal(res[0].chart_later, res[0].chart_draws); /* every one, on the worker */
  assert_int_equal(res[1].chart_later, 0);
  assert_int_equal(res[0].chart_draws, res[1].chart_draws);
  assert_int_equal(res[0].chart_copies, res[1].chart_copies);
  assert_true(same_file(pdf[0], pdf[1]));
}

/* The messages of a run, one string per entry (file:line: message). */
static char *messages_of(const char *content, const char *layout, bool serial, rp_status *st) {
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  char pdf[4096];
  snprintf(pdf, sizeof pdf, "%s/order.pdf", rp_test_tmpdir());
  rp_pipeline_opts o = {.content = content, .layout = layout, .output = pdf, .load_serial = serial};
  rp_pipeline_result res;
  *st = rp_pipeline_render(a, &o, &d, &res);
  size_t cap = 1, len = 0;
  for (size_t i = 0; i < d.count; i++)
    cap += 64 + (d.entries[i].file ? strlen(d.entries[i].file) : 0) +
           (d.entries[i].message ? strlen(d.entries[i].message) : 0);
  char *all = malloc(cap);
  assert_non_null(all);
  all[0] = 0;
  for (size_t i = 0; i < d.count; i++) {
    const rp_diag_entry *e = &d.entries[i];
    len += (size_t)snprintf(all + len, cap - len, "%d %s:%d:%d: %s\n", (int)e->severity,
                            e->file ? e->file : "", e->line, e->col, e->message ? e->message : "");
  }
  rp_arena_free(a);
  rp_diag_fini(&d);
  return all;
}

/* The content and the layout are loaded on two threads at once; the
 * messages are those of loading one after the other, in the same order:
 * an invalid content with an invalid layout (the content's only: the
 * layout is not loaded after a content that failed), a valid content with
 * an invalid layout, an invalid content with a valid layout. */
static void test_two_threads_same_messages(void **state) {
  (void)state;
  char dir[1024], cmd[16384], content[4096], layout[4096];
  snprintf(dir, sizeof dir, "%s/order", rp_test_tmpdir());
  snprintf(cmd, sizeof cmd,
           "rm -rf '%s' && mkdir -p '%s/data' && cp -r '%s' '%s/layouts' && cp -r '%s' '%s/fonts' "
           "&& sed 's|^<review version=\"2\"|<review version=\"2\" bogus=\"1\"|; "
           "s|<title>|<title colour=\"red\">|' '%s' > '%s/data/bad.xml' "
           "&& sed -i 's|^<layout version=\"1\"|<layout version=\"1\" shade=\"9\"|' "
           "'%s/layouts/annual-review.xml'",
           dir, dir, rp_test_src("layouts"), dir, rp_test_src("fonts"), dir,
           rp_test_src("data/ccin-2018-19.xml"), dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(layout, sizeof layout, "%s/layouts/annual-review.xml", dir);
  snprintf(content, sizeof content, "%s/data/bad.xml", dir);
  const char *good_content = rp_test_src("data/ccin-2018-19.xml");
  const char *good_layout = rp_test_src("layouts/annual-review.xml");
  const char *cases[][2] = {{content, layout}, {good_content, layout}, {content, good_layout}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rp_status st_two, st_one;
    char *two = messages_of(cases[i][0], cases[i][1], false, &st_two);
    char *one = messages_of(cases[i][0], cases[i][1], true, &st_one);
    assert_int_equal(st_two, RP_ERR_INPUT);
    assert_int_equal(st_one, st_two);
    assert_string_equal(two, one);
    /* the file at fault, and only it */
    bool bad_content = cases[i][0] == content;
    assert_non_null(strstr(two, bad_content ? "bad.xml" : "annual-review.xml"));
    if (bad_content) assert_null(strstr(two, "annual-review.xml"));
    assert_true(strstr(two, "bogus") || strstr(two, "shade"));
    free(two);
    free(one);
  }
}

/* The map's outline is read ahead on the content thread (charts/memo.h
 * rp_chart_worker_ahead): a run on two threads says what a run on one says
 * (the map reading its outline where placed), word for word, when the
 * outline file is missing, when it is corrupt, and when it is good (then
 * nothing, and the same PDF). */
static void test_outline_ahead_same_messages(void **state) {
  (void)state;
  char dir[1024], cmd[16384], layout[4096], pdf[2][4096];
  snprintf(dir, sizeof dir, "%s/ahead", rp_test_tmpdir());
  snprintf(layout, sizeof layout, "%s/layouts/annual-review.xml", dir);
  char content[4096]; /* the test helpers' buffers are reused */
  snprintf(content, sizeof content, "%s", rp_test_src("data/ccin-2018-19.xml"));
  for (int k = 0; k < 3; k++) {
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s' && mkdir -p '%s/data/map' && cp -r '%s' '%s/layouts' && "
             "cp -r '%s' '%s/fonts'",
             dir, dir, rp_test_src("layouts"), dir, rp_test_src("fonts"), dir);
    assert_int_equal(system(cmd), 0);
    char outline[4096];
    snprintf(outline, sizeof outline, "%s/data/map/uk-outline.txt", dir);
    if (k == 1) {
      FILE *f = fopen(outline, "w");
      assert_non_null(f);
      fputs("# corrupt\nring GB 4\n-3 51\n-2 51\n-2 north\n-3 52\n", f);
      fclose(f);
    }
    if (k == 2) {
      snprintf(cmd, sizeof cmd, "cp '%s' '%s'", rp_test_src("data/map/uk-outline.txt"), outline);
      assert_int_equal(system(cmd), 0);
    }
    rp_status st_two, st_one;
    char *two = messages_of(content, layout, false, &st_two);
    snprintf(pdf[0], sizeof pdf[0], "%s/order.pdf", rp_test_tmpdir());
    snprintf(pdf[1], sizeof pdf[1], "%s/ahead-two.pdf", rp_test_tmpdir());
    if (k == 2) assert_int_equal(rename(pdf[0], pdf[1]), 0);
    char *one = messages_of(content, layout, true, &st_one);
    assert_int_equal(st_two, k == 2 ? RP_OK : RP_ERR_INPUT);
    assert_int_equal(st_one, st_two);
    assert_string_equal(two, one);
    if (k == 0) assert_non_null(strstr(two, "cannot read the map outline"));
    if (k == 0) assert_non_null(strstr(two, "templates.xml:"));
    if (k == 1) assert_non_null(strstr(two, "uk-outline.txt:5:0: malformed map outline"));
    if (k == 2) assert_string_equal(two, "");
    if (k == 2) assert_true(same_file(pdf[0], pdf[1]));
    free(two);
    free(one);
  }
}

/* A map that fails (its outline corrupt) among the charts left drawing
 * when the layout returns (layout.h defer_charts): the messages and status
 * of drawing it where placed (RP_CHARTS_INLINE), word for word, and of a
 * run on one thread; no PDF, nor any file left beside where it would be. */
static void test_deferred_chart_fails_same(void **state) {
  (void)state;
  char dir[1024], cmd[16384], layout[4096], content[4096], pdf[4096];
  snprintf(dir, sizeof dir, "%s/deferred", rp_test_tmpdir());
  snprintf(layout, sizeof layout, "%s/layouts/annual-review.xml", dir);
  snprintf(content, sizeof content, "%s", rp_test_src("data/ccin-2018-19.xml"));
  snprintf(cmd, sizeof cmd,
           "rm -rf '%s' && mkdir -p '%s/data/map' '%s/out' && cp -r '%s' '%s/layouts' && "
           "cp -r '%s' '%s/fonts' && printf '# corrupt\nring GB 4\n-3 51\n-2 51\n-2 north\n"
           "-3 52\n' > '%s/data/map/uk-outline.txt'",
           dir, dir, dir, rp_test_src("layouts"), dir, rp_test_src("fonts"), dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(pdf, sizeof pdf, "%s/out/review.pdf", dir);
  char *msgs[3];
  rp_status sts[3];
  for (int k = 0; k < 3; k++) { /* deferred, inline, one thread */
    if (k == 1) setenv("RP_CHARTS_INLINE", "1", 1);
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    rp_pipeline_opts o = {
        .content = content, .layout = layout, .output = pdf, .load_serial = k == 2};
    rp_pipeline_result res;
    sts[k] = rp_pipeline_render(a, &o, &d, &res);
    unsetenv("RP_CHARTS_INLINE");
    assert_int_equal(res.charts_deferred, k == 0);
    assert_null(res.written);
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < d.count; i++)
      cap += 64 + (d.entries[i].file ? strlen(d.entries[i].file) : 0) +
             (d.entries[i].message ? strlen(d.entries[i].message) : 0);
    msgs[k] = malloc(cap);
    assert_non_null(msgs[k]);
    msgs[k][0] = 0;
    for (size_t i = 0; i < d.count; i++) {
      const rp_diag_entry *e = &d.entries[i];
      len +=
          (size_t)snprintf(msgs[k] + len, cap - len, "%d %s:%d:%d: %s\n", (int)e->severity,
                           e->file ? e->file : "", e->line, e->col, e->message ? e->message : "");
    }
    rp_arena_free(a);
    rp_diag_fini(&d);
    /* nothing in the output's directory: no PDF, no temporary */
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s/out')\"", dir);
    assert_int_equal(system(cmd), 0);
  }
  assert_int_equal(sts[0], RP_ERR_INPUT);
  assert_non_null(strstr(msgs[0], "uk-outline.txt:5:0: malformed map outline"));
  for (int k = 1; k < 3; k++) {
    assert_int_equal(sts[k], sts[0]);
    assert_string_equal(msgs[k], msgs[0]);
  }
  for (int k = 0; k < 3; k++) free(msgs[k]);
}

/* A layout wrong in a way only the schema sees (an attribute the language
 * lacks, in an included file), loaded beside the content on two threads:
 * the schema's one message, word for word, and the same on one thread. */
static void test_schema_only_mistake_two_threads(void **state) {
  (void)state;
  char dir[1024], cmd[8192], layout[4096];
  snprintf(dir, sizeof dir, "%s/schema-only", rp_test_tmpdir());
  snprintf(cmd, sizeof cmd,
           "rm -rf '%s' && mkdir -p '%s' && cp -r '%s' '%s/layouts' && cp -r '%s' '%s/fonts' "
           "&& sed -i '0,/<paragraph /s|<paragraph |<paragraph shade=\"9\" |' "
           "'%s/layouts/lib/templates.xml'",
           dir, dir, rp_test_src("layouts"), dir, rp_test_src("fonts"), dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(layout, sizeof layout, "%s/layouts/annual-review.xml", dir);
  char want[8192];
  snprintf(want, sizeof want,
           "%d %s/layouts/lib/templates.xml:53:0: Element paragraph: attribute shade is not "
           "allowed; allowed attributes: select, test, required, keep-with-next, keep-together, "
           "anchor, break-before, tag, style, height (the language is described in "
           "docs/layout.md)\n",
           (int)RP_SEV_ERROR, dir);
  rp_status st_two, st_one;
  char *two = messages_of(rp_test_src("data/ccin-2018-19.xml"), layout, false, &st_two);
  char *one = messages_of(rp_test_src("data/ccin-2018-19.xml"), layout, true, &st_one);
  assert_int_equal(st_two, RP_ERR_INPUT);
  assert_int_equal(st_one, RP_ERR_INPUT);
  assert_string_equal(two, want);
  assert_string_equal(one, want);
  free(two);
  free(one);
}

/* With two threads, the content's frees the layout's trees (and the one
 * it extends) and the compiled schemas while this one lays out: the same
 * PDF as loading on one, and a second render in the process (whose
 * schemas are compiled again) the same too. */
static void test_two_threads_free_the_loading(void **state) {
  (void)state;
  const char *content = rp_test_src("data/ccin-2018-19.xml");
  const char *layout = rp_test_src("layouts/annual-review-accessible.xml"); /* extends */
  char pdf[3][4096];
  bool threads[3];
  for (int i = 0; i < 3; i++) {
    snprintf(pdf[i], sizeof pdf[i], "%s/tidy-%d.pdf", rp_test_tmpdir(), i);
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    rp_pipeline_opts o = {
        .content = content, .layout = layout, .output = pdf[i], .load_serial = i == 1};
    rp_pipeline_result res;
    assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_OK);
    threads[i] = res.load_threads;
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
  assert_true(threads[0] && !threads[1] && threads[2]);
  assert_true(same_file(pdf[0], pdf[1]));
  assert_true(same_file(pdf[0], pdf[2]));
}

/* A memory budget the user set is met the same way on every run: the
 * content then loads on this thread, after the layout as before, since two
 * threads' allocations interleave differently from run to run. */
static void test_memory_budget_loads_serially(void **state) {
  (void)state;
  char pdf[4096];
  snprintf(pdf, sizeof pdf, "%s/budget.pdf", rp_test_tmpdir());
  bool threads[2];
  for (int i = 0; i < 2; i++) {
    rp_limit_set(RP_LIMIT_MEMORY_MIB, i ? 4096 : 0);
    rp_diag d;
    rp_diag_init(&d);
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    rp_pipeline_opts o = {.content = rp_test_src("data/ccin-2018-19.xml"),
                          .layout = rp_test_src("layouts/annual-review.xml"),
                          .output = pdf};
    rp_pipeline_result res;
    assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_OK);
    threads[i] = res.load_threads;
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
  rp_limit_set(RP_LIMIT_MEMORY_MIB, 0);
  assert_true(threads[0]);  /* the default budget: beside the layout */
  assert_false(threads[1]); /* a budget given: one thread */
}

/* The pack of 220 studies, its index (one long section, a group of tables
 * over every study, in two levelled columns) bound and laid out a piece at
 * a time, makes byte for byte the PDF that binding whole makes. */
static void test_pieces_pack_same_pdf(void **state) {
  (void)state;
  char pieces[4096], whole[4096], pack[4096];
  snprintf(pieces, sizeof pieces, "%s/pieces-220.pdf", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/whole-220.pdf", rp_test_tmpdir());
  pack_of(220, pack, sizeof pack);
  const char *layout = rp_test_src("layouts/case-studies.xml");
  assert_int_equal(render_with(pack, layout, pieces, false), 1);
  assert_true(render_with(pack, layout, whole, true) >= 2);
  assert_true(same_file(pieces, whole));
  remove(pack);
}

/* The layout dump of `content` in `layout`, bound whole or a piece at a
 * time, into `dump`. */
static void dump_with(const char *content, const char *layout, const char *dump, bool whole) {
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  char pdf[4096];
  snprintf(pdf, sizeof pdf, "%s/dumped.pdf", rp_test_tmpdir());
  rp_pipeline_opts o = {
      .content = content, .layout = layout, .output = pdf, .dump = dump, .bind_whole = whole};
  rp_pipeline_result res;
  rp_status st = rp_pipeline_render(a, &o, &d, &res);
  if (st != RP_OK) rp_test_diag_dump(&d);
  assert_int_equal(st, RP_OK);
  rp_arena_free(a);
  rp_diag_fini(&d);
}

/* A pack of 800 studies: most themes' tables in the index have more rows
 * than a part of a table holds (64), so they are bound and laid out in
 * parts, each continuing the column the one before left; the pages (every
 * item, place and structure id) are those binding whole makes. (The PDFs
 * differ: a document this long bound whole is drawn once its pages are
 * counted, not as it goes.) */
static void test_pieces_long_tables_same_pages(void **state) {
  (void)state;
  char pieces[4096], whole[4096], pack[4096];
  snprintf(pieces, sizeof pieces, "%s/pieces-800.dump", rp_test_tmpdir());
  snprintf(whole, sizeof whole, "%s/whole-800.dump", rp_test_tmpdir());
  pack_of(800, pack, sizeof pack);
  const char *layout = rp_test_src("layouts/case-studies.xml");
  dump_with(pack, layout, pieces, false);
  dump_with(pack, layout, whole, true);
  assert_true(same_file(pieces, whole));
  remove(pack);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sample_through_the_library),
      cmocka_unit_test(test_lazy_binding_same_pdf),
      cmocka_unit_test(test_back_references_one_layout),
      cmocka_unit_test(test_charts_drawn_once),
      cmocka_unit_test(test_review_layouts),
      cmocka_unit_test(test_charts_drawn_later),
      cmocka_unit_test(test_moving_references_settle),
      cmocka_unit_test(test_pages_answer_same_one_layout),
      cmocka_unit_test(test_pages_answer_moves_settles),
      cmocka_unit_test(test_two_threads_same_messages),
      cmocka_unit_test(test_schema_only_mistake_two_threads),
      cmocka_unit_test(test_two_threads_free_the_loading),
      cmocka_unit_test(test_outline_ahead_same_messages),
      cmocka_unit_test(test_memory_budget_loads_serially),
      cmocka_unit_test(test_pieces_pack_same_pdf),
      cmocka_unit_test(test_pieces_long_tables_same_pages),
      cmocka_unit_test(test_every_allocation_failure_is_clean),
      cmocka_unit_test(test_failure_leaves_previous_output),
      cmocka_unit_test(test_deferred_chart_fails_same),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
