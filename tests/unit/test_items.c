/* Items (src/template/items.c, docs/layout.md "Items"): which nodes are
 * items, --select among them, file names from a pattern made safe and
 * checked for collisions, current() in predicates; and --split through the
 * pipeline, also with the arena failing one allocation after another. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/content.h"
#include "pipeline/pipeline.h"
#include "template/template.h"
#include "testutil.h"

typedef struct fixture {
  rp_arena *a;
  rp_diag d;
  rp_content *c;
  rp_layout_def *l;
} fixture;

static void load(fixture *f, const char *content, const char *layout) {
  f->a = rp_arena_new();
  assert_non_null(f->a);
  rp_diag_init(&f->d);
  if (rp_content_load(f->a, rp_test_src(content), &f->d, &f->c) != RP_OK ||
      rp_layout_def_load(f->a, rp_test_src(layout), &f->d, &f->l) != RP_OK) {
    rp_test_diag_dump(&f->d);
    fail();
  }
}

static void unload(fixture *f) {
  rp_layout_def_free(f->l);
  rp_content_free(f->c);
  rp_arena_free(f->a);
  rp_diag_fini(&f->d);
}

static void test_items_and_select(void **state) {
  (void)state;
  fixture f;
  load(&f, "data/ccin-2018-19.xml", "layouts/person-profile.xml");
  rp_item_list items;
  assert_int_equal(rp_items_find(f.a, f.l, f.c, NULL, &f.d, &items), RP_OK);
  assert_int_equal(items.n, 21);
  assert_int_equal(items.v[0].line, 49); /* Sharon Taylor, the first person */
  assert_int_equal(rp_items_find(f.a, f.l, f.c, "//person[@honorific = 'Cllr']", &f.d, &items),
                   RP_OK);
  assert_int_equal(items.n, 14);
  /* nodes that are not items, nothing, not nodes, not XPath: each an error */
  assert_int_equal(rp_items_find(f.a, f.l, f.c, "//board", &f.d, &items), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "matches nodes but none of the layout's 21 items"));
  assert_int_equal(rp_items_find(f.a, f.l, f.c, "//person[@id = 'nobody']", &f.d, &items),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "matches none of the layout's 21 items"));
  assert_int_equal(rp_items_find(f.a, f.l, f.c, "count(//person)", &f.d, &items), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "gives a number, not nodes"));
  assert_int_equal(rp_items_find(f.a, f.l, f.c, "//person[", &f.d, &items), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "XPath error in --select \"//person[\""));
  unload(&f);

  load(&f, "data/ccin-2018-19.xml", "layouts/annual-review.xml");
  assert_int_equal(rp_items_find(f.a, f.l, f.c, NULL, &f.d, &items), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "the layout has no items"));
  unload(&f);
}

static void test_names_made_safe(void **state) {
  (void)state;
  fixture f;
  load(&f, "tests/data/profiles/odd-people.xml", "layouts/person-profile.xml");
  rp_item_list items;
  assert_int_equal(rp_items_find(f.a, f.l, f.c, NULL, &f.d, &items), RP_OK);
  assert_int_equal(items.n, 7);
  const char **names;
  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "out/{name}.pdf", &f.d, &names), RP_OK);
  assert_string_equal(names[0], "out/___.._escaped.pdf");
  assert_string_equal(names[1], "out/_hidden.pdf");
  assert_string_equal(names[2], "out/Back_slash and_or Forward.pdf");
  assert_string_equal(names[3], "out/Bell_Ringer.pdf"); /* U+0085, a C1 control */
  assert_string_equal(names[4], "out/Pat Plain.pdf");
  /* literal braces, position() and last(), several parts, a cut at 120 bytes */
  assert_int_equal(
      rp_items_names(f.a, f.l, f.c, &items,
                     "{{x}}-{position()}of{last()}-{@id}-{concat(name, name, name)}", &f.d, &names),
      RP_OK);
  assert_int_equal(strncmp(names[4], "{x}-5of7-plain-Pat PlainPat PlainPat Plain", 41), 0);
  assert_true(strlen(names[5]) <= strlen("{x}-6of7-long-name-") + 120);
  assert_int_equal(f.d.errors, 0);

  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "{boolean(@id)}", &f.d, &names),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "both make \"true\""));
  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "{@id}{@nope}", &f.d, &names),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "{@nope} of -o gives no name"));
  assert_int_equal(
      rp_items_names(f.a, f.l, f.c, &items, "{choose(@id = 'plain', 'DOTTED', @id)}", &f.d, &names),
      RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "both make \"DOTTED\"")); /* and "dotted": by case */
  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "same.pdf", &f.d, &names), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&f.d, "names one file for 7 items"));
  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "x}.pdf", &f.d, &names), RP_ERR_INPUT);
  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "{name.pdf", &f.d, &names), RP_ERR_INPUT);
  assert_int_equal(rp_items_names(f.a, f.l, f.c, &items, "{name[}.pdf", &f.d, &names),
                   RP_ERR_INPUT);
  unload(&f);
}

static size_t pdfs_in(const char *dir) {
  DIR *dp = opendir(dir);
  assert_non_null(dp);
  size_t n = 0;
  for (struct dirent *e; (e = readdir(dp));)
    if (e->d_name[0] != '.') n++;
  closedir(dp);
  return n;
}

/* A split run of board-profile with the arena failing allocation n (0: never). */
static rp_status split(unsigned long fail_at, const char *dir, rp_pipeline_result *res) {
  char pattern[4200];
  snprintf(pattern, sizeof pattern, "%s/{@id}.pdf", dir);
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  if (fail_at) rp_arena_fail_after(a, fail_at);
  rp_pipeline_opts o = {
      .content = rp_test_src("data/ccin-2018-19.xml"),
      .layout = rp_test_src("layouts/board-profile.xml"),
      .output = pattern,
      .split = true,
  };
  rp_status st = rp_pipeline_render(a, &o, &d, res);
  if (st != RP_OK && !fail_at) rp_test_diag_dump(&d);
  assert_true(st == RP_OK ? d.errors == 0 : d.errors > 0);
  if (st == RP_OK) {
    assert_int_equal(res->n_files, 2);
    assert_int_equal(res->n_written, 2);
    assert_non_null(strstr(res->files[1], "/vp-board.pdf"));
    assert_int_equal(res->pages, 2);
  }
  rp_arena_free(a);
  rp_diag_fini(&d);
  return st;
}

static void test_split_through_the_pipeline(void **state) {
  (void)state;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/split", rp_test_tmpdir());
  mkdir(dir, 0777);
  rp_pipeline_result res;
  assert_int_equal(split(0, dir, &res), RP_OK);
  assert_int_equal(pdfs_in(dir), 2);

  /* Every failure is clean; until layout is done, nothing is written. */
  unsigned long n = 1;
  for (int runs = 0;; runs++) {
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/fail-%lu", dir, n);
    mkdir(sub, 0777);
    rp_status st = split(n, sub, &res);
    if (st == RP_OK) {
      assert_true(runs > 100);
      break;
    }
    assert_true(st == RP_ERR_INTERNAL || st == RP_ERR_INPUT);
    assert_int_equal(pdfs_in(sub), res.n_written);
    n += n < 100 ? 1 : n / 8;
  }
}

/* --select through the pipeline: one person, one page. */
static void test_select_through_the_pipeline(void **state) {
  (void)state;
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  rp_pipeline_opts o = {
      .content = rp_test_src("data/ccin-2018-19.xml"),
      .layout = rp_test_src("layouts/person-profile.xml"),
      .select = "//person[@id = 'simon-parkinson']",
  };
  rp_pipeline_result res;
  assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_OK);
  assert_int_equal(res.pages, 1);
  rp_arena_free(a);
  rp_diag_fini(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_items_and_select),
      cmocka_unit_test(test_names_made_safe),
      cmocka_unit_test(test_select_through_the_pipeline),
      cmocka_unit_test(test_split_through_the_pipeline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
