/* test_project — the projection analysis (template/project.h): which parts
 * of a streamed run's items a layout reads from outside that run, which of
 * its expressions are answered a batch of items at a time; and the
 * projected load's items (model/stream.c). */
#include "testutil.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "base/xml.h"
#include "model/content.h"
#include "template/project.h"

/* The file's text with `from` replaced by `to` (once; the test fails when
 * `from` is not there). malloc'd. */
static char *edited(const char *rel, const char *from, const char *to) {
  FILE *f = fopen(rp_test_src(rel), "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  text[n] = '\0';
  if (!from) return text;
  char *at = strstr(text, from);
  if (!at) fail_msg("\"%s\" is not in %s", from, rel);
  size_t fl = strlen(from), tl = strlen(to);
  char *out = malloc((size_t)n - fl + tl + 1);
  assert_non_null(out);
  memcpy(out, text, (size_t)(at - text));
  memcpy(out + (at - text), to, tl);
  strcpy(out + (at - text) + tl, at + fl);
  free(text);
  return out;
}

/* The analysis of a layout's text: the projection described, or "-" and
 * the reason. */
static char *analyse(const char *text) {
  xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "layout.xml", NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  rp_arena *a = rp_arena_new();
  rp_projection *p = NULL;
  const char *why = NULL;
  assert_int_equal(rp_project_analyse_doc(a, doc, &p, &why), RP_OK);
  char *s = p ? strdup(rp_projection_describe(a, p)) : NULL;
  if (!p) {
    assert_non_null(why);
    s = malloc(strlen(why) + 3);
    sprintf(s, "- %s", why);
  }
  rp_arena_free(a);
  xmlFreeDoc(doc);
  return s;
}

static void expect(const char *rel, const char *from, const char *to, const char *want) {
  char *text = edited(rel, from, to);
  char *got = analyse(text);
  if (strncmp(got, want, strlen(want)) != 0) fail_msg("got \"%s\", want \"%s\"", got, want);
  free(got);
  free(text);
}

#define PACK "layouts/case-studies.xml"
#define KEPT "review/case-studies/case-study: (4 batched)"

/* The pack: the cover counts and groups by theme, the index groups by
 * theme and lists each study's title and page. A row reads its study while
 * the study is its context (bind reads it whole then: lent); the themes are
 * read across studies, but only by selections and tests that bind answers
 * a batch of studies at a time (each read whole): nothing is kept. */
static void test_pack(void **state) {
  (void)state;
  expect(PACK, NULL, NULL, KEPT);
}

/* The same through the real loader (XIncludes expanded, schema checked). */
static void test_pack_loaded(void **state) {
  (void)state;
  rp_arena *a = rp_arena_new();
  rp_diag d;
  rp_diag_init(&d);
  rp_layout_def *l = NULL;
  assert_int_equal(rp_layout_def_load(a, rp_test_src(PACK), &d, &l), RP_OK);
  rp_projection *p = NULL;
  assert_int_equal(rp_project_analyse(a, l, &p, NULL), RP_OK);
  assert_non_null(p);
  assert_string_equal(rp_projection_describe(a, p), KEPT);
  assert_int_equal(p->n_keep, 0);
  assert_int_equal(p->n_batched, 4);
  const char *want[4] = {"/review/case-studies/case-study/@theme",
                         "/review/case-studies/case-study[@theme]", "case-study[@theme]",
                         "case-study[not(@theme)]"};
  const unsigned uses[4] = {RP_PROJ_TEST, RP_PROJ_NODES, RP_PROJ_NODES,
                            RP_PROJ_TEST | RP_PROJ_NODES};
  for (int i = 0; i < 4; i++) {
    assert_string_equal(p->batched[i].text, want[i]);
    /* each reads only the studies' own attributes: their start tags do */
    assert_int_equal(p->batched[i].uses, uses[i] | RP_PROJ_ATTRS);
  }
  assert_null(rp_projection_find(p, "@theme", 6));
  assert_null(rp_projection_find(p, "title", 5));
  assert_null(rp_projection_find(p, "@id", 3));
  assert_null(rp_projection_find(p, "p", 1));
  rp_layout_def_free(l);
  rp_diag_fini(&d);
  rp_arena_free(a);
}

/* What the index reads decides what is kept: attributes and elements by
 * name, their subtree when their text is read. */
static void test_kept_names(void **state) {
  (void)state;
  /* an existence test keeps the element, not its text */
  expect(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
         "<group select=\"case-study[@theme and figures/figure/@unit]\" by=\"@theme\">",
         "review/case-studies/case-study: @theme figures figures/figure figures/figure/@unit "
         "(3 batched)");
  /* a group's keys are read with its batches (the studies whole)… */
  expect(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
         "<group select=\"case-study[@theme]\" by=\"place\">", KEPT);
  /* …unless they need a position (or the selection cannot be batched):
   * then from the kept parts, a string value with its subtree */
  expect(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
         "<group select=\"case-study[@theme]\" by=\"concat(place, position())\">",
         "review/case-studies/case-study: @theme place(all) (3 batched)");
  expect(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
         "<group select=\"case-study[@theme][1]\" by=\"place\">",
         "review/case-studies/case-study: @theme place(all) (3 batched)");
  /* read from the study a row stands for: not kept (the study is read
   * whole while it is the row's context) */
  expect(PACK, "{title[1]}</link></paragraph><paragraph", "{place}</link></paragraph><paragraph",
         KEPT);
  /* …but the same read of another study is */
  expect(PACK, "{title[1]}</link></paragraph><paragraph",
         "{$group[1]/place}</link></paragraph><paragraph",
         "review/case-studies/case-study: place(all) (4 batched)");
  /* a master's running text with absolute paths only */
  expect(PACK, "<footer style=\"running\" y=\"100% - 15mm\">{$section}</footer>",
         "<footer style=\"running\" y=\"100% - 15mm\">{count(/review/case-studies/case-study"
         "[@organisation])}</footer>",
         "review/case-studies/case-study: @organisation (4 batched)");
  /* the study's own template reads its study whole, but another study
   * (here the one before) only through what is kept */
  expect(PACK, "<paragraph style=\"kicker\" test=\"@theme\">{@theme}</paragraph>",
         "<paragraph style=\"kicker\" test=\"@theme\">{@theme} "
         "{preceding-sibling::case-study[1]/@place}</paragraph>",
         "review/case-studies/case-study: @place (4 batched)");
  expect(PACK, "<paragraph style=\"kicker\" test=\"@theme\">{@theme}</paragraph>",
         "<paragraph style=\"kicker\" test=\"@theme\">{../case-study[1]/p}</paragraph>",
         "review/case-studies/case-study: p(all) (4 batched)");
}

/* What bind can answer a batch of studies at a time: a path to the studies,
 * predicates that read inside each without a position, for a test a path on
 * into them. Anything else reading into studies keeps what it reads. */
static void test_batched_shapes(void **state) {
  (void)state;
  expect(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
         "<group select=\"case-study[not(@theme = 'Housing')][@place != &quot;x&quot;]\" "
         "by=\"@theme\">",
         KEPT);
  /* a function of the value: the predicate could be a position */
  expect(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
         "<group select=\"case-study[string-length(@theme)]\" by=\"@theme\">",
         "review/case-studies/case-study: @theme (3 batched)");
  /* a count is not a path's nodes */
  expect(PACK, "<box test=\"/review/case-studies/case-study/@theme\"",
         "<box test=\"count(/review/case-studies/case-study/@theme) &gt; 0\"",
         "review/case-studies/case-study: @theme (4 batched)");
  /* a select must give the studies themselves, not what is in them (and
   * what the rows read of the titles, their contexts, is kept) */
  expect(PACK, "<row select=\"case-study[not(@theme)]\">",
         "<row select=\"case-study[not(@theme)]/title\">",
         "review/case-studies/case-study: @theme title title/@id title/title(all) (4 batched)");
  /* reading an element of each study: batched, read whole */
  char *text = edited(PACK, "<group select=\"case-study[@theme]\" by=\"@theme\">",
                      "<group select=\"case-study[figures/figure]\" by=\"@theme\">");
  xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "layout.xml", NULL, XML_PARSE_NONET);
  rp_arena *a = rp_arena_new();
  rp_projection *p = NULL;
  assert_int_equal(rp_project_analyse_doc(a, doc, &p, NULL), RP_OK);
  assert_non_null(p);
  assert_int_equal(p->n_keep, 0);
  size_t i = 0;
  while (i < p->n_batched && strcmp(p->batched[i].text, "case-study[figures/figure]") != 0) i++;
  assert_true(i < p->n_batched);
  assert_int_equal(p->batched[i].uses, RP_PROJ_NODES);
  rp_arena_free(a);
  xmlFreeDoc(doc);
  free(text);
  /* an inline element selects for itself: not batched */
  expect(PACK, "<paragraph style=\"index-page\" test=\"@id\">",
         "<paragraph style=\"index-page\" test=\"@id\"><span select=\"../case-study[@place]\">"
         "x</span>",
         "review/case-studies/case-study: @place (4 batched)");
}

/* Expressions that cannot be bounded: no projection. */
static void test_not_projected(void **state) {
  (void)state;
  /* a wildcard into an item */
  expect(PACK, "<row select=\"$group\">", "<row select=\"$group[*]\">", "- a wildcard");
  expect(PACK, "<heading level=\"2\" style=\"index-theme\">{$key}",
         "<heading level=\"2\" style=\"index-theme\">{count($group/*)}", "- a wildcard");
  /* // below an item, or from the root */
  expect(PACK, "<row select=\"$group\">", "<row select=\"$group[.//p]\">", "- a descendant");
  expect(PACK, "<footer style=\"running\" y=\"100% - 15mm\">{$section}</footer>",
         "<footer style=\"running\" y=\"100% - 15mm\">{count(//figure)}</footer>",
         "- a descendant");
  /* the string value of an item, or of what holds them */
  expect(PACK, "{title[1]}</link></paragraph><paragraph",
         "{string($group[1])}</link></paragraph><paragraph", "- the text of an item");
  expect(PACK, "{label('pack-index-kicker')}", "{normalize-space(/review/case-studies)}",
         "- the text of an item");
  /* an axis it does not follow */
  expect(PACK, "<row select=\"$group\">", "<row select=\"$group[following::p]\">",
         "- an axis that cannot be bounded");
  /* figure() finds figures anywhere, in any study */
  expect(PACK, "{label('pack-index-kicker')}", "{figure('cs-1-1')/@label}",
         "- a function that cannot be bounded");
  /* the study's template reading every study's text */
  expect(PACK, "<paragraph style=\"kicker\" test=\"@theme\">{@theme}</paragraph>",
         "<paragraph style=\"kicker\" test=\"@theme\">{string(..)}</paragraph>",
         "- the text of an item");
  /* a relative path in a master: its context is not known */
  expect(PACK, "<footer style=\"running\" y=\"100% - 15mm\">{$section}</footer>",
         "<footer style=\"running\" y=\"100% - 15mm\">{title}</footer>", "- a step from a context");
  /* <copy> of studies that are not its context */
  expect(PACK, "<heading level=\"2\" style=\"index-theme\">{$key}",
         "<heading level=\"2\" style=\"index-theme\">{$key}<copy select=\"$group[1]\"/>",
         "- the text of an item");
}

/* The streamed run's own template reads the whole study (normalize-space(.),
 * its prose): that does not count. Nor does the same read from the index of
 * the studies it applies a template to (each is read whole while it is the
 * template's context), nor an empty paragraph copying its context, a
 * study. */
static void test_inside_does_not_count(void **state) {
  (void)state;
  expect(PACK, "<column-break/>\n    <group",
         "<column-break/>\n    <apply select=\"case-study\" mode=\"study-body\"/>\n    <group",
         KEPT);
  expect(PACK, "test=\"not(@id)\">{title[1]}</paragraph></cell>", "test=\"not(@id)\"/></cell>",
         KEPT);
}

/* Layouts without a run of items named by one path have nothing to stream. */
static void test_no_streamed_run(void **state) {
  (void)state;
  expect("layouts/annual-review.xml", NULL, NULL, "- ");
}

/* The pack's content with n studies (bench/pack_xml.py), its path. */
static const char *pack_content(int n) {
  static char path[4][4096];
  static int k;
  k = (k + 1) % 4;
  snprintf(path[k], sizeof path[k], "%s/pack%d.xml", rp_test_tmpdir(), n);
  rp_test_output o =
      rp_test_run("/usr/bin/python3 '%s' %d > '%s'", rp_test_src("bench/pack_xml.py"), n, path[k]);
  assert_int_equal(o.status, 0);
  rp_test_output_free(&o);
  return path[k];
}

static rp_projection *pack_projection(rp_arena *a, rp_diag *d, rp_layout_def **l) {
  assert_int_equal(rp_layout_def_load(a, rp_test_src(PACK), d, l), RP_OK);
  rp_projection *p = NULL;
  assert_int_equal(rp_project_analyse(a, *l, &p, NULL), RP_OK);
  assert_non_null(p);
  return p;
}

/* The skeleton serialized (malloc'd). */
static char *dump(const rp_content *c) {
  xmlChar *text = NULL;
  int len = 0;
  xmlDocDumpMemory(c->doc, &text, &len);
  assert_non_null(text);
  char *s = strdup((const char *)text);
  xmlFree(text);
  return s;
}

/* The pack's layout, its projection and a diag, for the tests of the
 * projected load (setup and teardown of each). */
typedef struct pack_world {
  rp_arena *a;
  rp_diag d;
  rp_layout_def *l;
  rp_projection *p;
} pack_world;

static int pack_setup(void **state) {
  pack_world *w = calloc(1, sizeof *w);
  if (!w || !(w->a = rp_arena_new())) {
    free(w);
    return -1;
  }
  rp_diag_init(&w->d);
  w->p = pack_projection(w->a, &w->d, &w->l);
  *state = w;
  return 0;
}

static int pack_teardown(void **state) {
  pack_world *w = *state;
  rp_layout_def_free(w->l);
  rp_diag_fini(&w->d);
  rp_arena_free(w->a);
  free(w);
  return 0;
}

/* The items' life (model/stream.c): expansions nest and give the skeleton
 * back as it was; lent items go back at their mark; a batch cycle puts
 * every item back in place; items open when the tree is dropped are
 * forgotten, not walked (the sanitizer pass checks the last). */
static void test_items(void **state) {
  pack_world *w = *state;
  rp_arena *a = w->a;
  rp_projection *p = w->p;
  rp_content *c = NULL;
  assert_int_equal(rp_content_load_projected(a, pack_content(150), p, &w->d, &c), RP_OK);
  assert_non_null(c->items);
  char *before = dump(c);
  xmlNodePtr studies = xmlDocGetRootElement(c->doc)->children;
  while (studies && !xmlStrEqual(studies->name, BAD_CAST "case-studies")) studies = studies->next;
  assert_non_null(studies);
  xmlNodePtr s1 = studies->children, s2;
  while (!xmlStrEqual(s1->name, BAD_CAST "case-study")) s1 = s1->next;
  s2 = s1->next;
  /* a study is its element alone, then whole while expanded (twice: once) */
  assert_true(rp_content_dormant(c->items, s1));
  assert_null(s1->children);
  assert_int_equal(rp_content_expand(c->items, c->path, s1, &w->d), RP_OK);
  assert_int_equal(rp_content_expand(c->items, c->path, s1, &w->d), RP_OK);
  assert_false(rp_content_dormant(c->items, s1));
  assert_non_null(xmlHasProp(s1, BAD_CAST "id"));
  rp_content_collapse(c->items, s1);
  assert_non_null(s1->children);
  rp_content_collapse(c->items, s1);
  assert_null(s1->children);
  assert_null(s1->properties);
  /* lending: what was lent after a mark goes back at it */
  size_t mark = rp_content_mark(c->items);
  assert_int_equal(rp_content_lend(c->items, c->path, s1, &w->d), RP_OK);
  size_t inner = rp_content_mark(c->items);
  assert_int_equal(rp_content_lend(c->items, c->path, s2, &w->d), RP_OK);
  assert_int_equal(rp_content_lend(c->items, c->path, s1, &w->d), RP_OK); /* lent: nothing */
  rp_content_release(c->items, inner);
  assert_true(rp_content_dormant(c->items, s2));
  assert_false(rp_content_dormant(c->items, s1));
  rp_content_release(c->items, mark);
  assert_true(rp_content_dormant(c->items, s1));
  /* batches: only a batch in the tree at a time, its start tags or whole */
  for (int light = 0; light < 2; light++) {
    assert_int_equal(rp_content_batches_begin(c->items, &w->d), RP_OK);
    rp_status st;
    int batches = 0;
    while (rp_content_batch_next(c->items, c->path, light, &w->d, &st)) {
      batches++;
      size_t n = 0;
      for (xmlNodePtr k = studies->children; k; k = k->next) {
        if (!xmlStrEqual(k->name, BAD_CAST "case-study")) continue;
        n++;
        assert_non_null(xmlHasProp(k, BAD_CAST "theme"));
        assert_true(light ? !k->children : k->children != NULL);
      }
      assert_int_equal(n, batches < 3 ? 64 : 150 - 128);
    }
    assert_int_equal(st, RP_OK);
    assert_int_equal(batches, 3);
    rp_content_batches_end(c->items);
    char *after = dump(c);
    assert_string_equal(after, before);
    free(after);
  }
  /* dropped with a study open (a binding stopped by an error) */
  assert_int_equal(rp_content_expand(c->items, c->path, s2, &w->d), RP_OK);
  assert_int_equal(rp_content_lend(c->items, c->path, s1, &w->d), RP_OK);
  rp_content_drop_tree(c);
  assert_null(c->doc);
  rp_content_release(c->items, 0);
  rp_content_free(c);
  assert_int_equal(w->d.count, 0);
  free(before);
}

/* The skeleton grows by a node a study (its element), not by the study. */
static void test_skeleton_flat(void **state) {
  pack_world *w = *state;
  rp_arena *a = w->a;
  rp_projection *p = w->p;
  size_t nodes[2], whole[2];
  const int n[2] = {50, 500};
  for (int i = 0; i < 2; i++) {
    const char *path = pack_content(n[i]);
    rp_content *c = NULL, *full = NULL;
    assert_int_equal(rp_content_load_projected(a, path, p, &w->d, &c), RP_OK);
    assert_non_null(c->items); /* projected, not loaded whole */
    nodes[i] = rp_content_nodes(c);
    assert_int_equal(rp_content_load(a, path, &w->d, &full), RP_OK);
    assert_null(full->items);
    whole[i] = rp_content_nodes(full);
    rp_content_free(c);
    rp_content_free(full);
  }
  assert_int_equal(w->d.count, 0);
  size_t per_item = (nodes[1] - nodes[0]) / 450, whole_per_item = (whole[1] - whole[0]) / 450;
  assert_true(per_item <= 5);
  assert_true(whole_per_item >= 3 * per_item);
}

/* The skeleton's bytes per study (everything the projected load keeps,
 * libxml2's nodes included, counted by base/mem) at two sizes: flat in the
 * study, and small beside the kept values themselves (id, theme, title:
 * ~100 bytes a study). */
static void test_skeleton_bytes(void **state) {
  pack_world *w = *state;
  rp_arena *a = w->a;
  rp_projection *p = w->p;
  size_t bytes[2];
  const int n[2] = {400, 2000};
  { /* what a first load makes once (the schema) */
    rp_content *c = NULL;
    assert_int_equal(rp_content_load_projected(a, pack_content(64), p, &w->d, &c), RP_OK);
    rp_content_free(c);
  }
  for (int i = 0; i < 2; i++) {
    const char *path = pack_content(n[i]);
    size_t before = rp_mem_live();
    rp_content *c = NULL;
    assert_int_equal(rp_content_load_projected(a, path, p, &w->d, &c), RP_OK);
    assert_non_null(c->items);
    bytes[i] = rp_mem_live() - before;
    rp_content_free(c);
  }
  assert_int_equal(w->d.count, 0);
  double per_item = (double)(bytes[1] - bytes[0]) / (n[1] - n[0]);
  double small = (double)bytes[0] / n[0], large = (double)bytes[1] / n[1];
  print_message("skeleton: %.0f bytes a study (%zu at %d, %zu at %d)\n", per_item, bytes[0], n[0],
                bytes[1], n[1]);
  /* the study's element (120 bytes) and its record (24): flat, and under
   * the ~100 bytes of its id, theme and title read whole beside it */
  assert_true(per_item <= 200);
  assert_true(small <= 250 && large <= 200);
}

int main(void) {
  rp_xml_use_rp_mem();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_skeleton_bytes, pack_setup, pack_teardown),
      cmocka_unit_test(test_pack),
      cmocka_unit_test(test_pack_loaded),
      cmocka_unit_test(test_kept_names),
      cmocka_unit_test(test_batched_shapes),
      cmocka_unit_test_setup_teardown(test_items, pack_setup, pack_teardown),
      cmocka_unit_test(test_not_projected),
      cmocka_unit_test(test_inside_does_not_count),
      cmocka_unit_test(test_no_streamed_run),
      cmocka_unit_test_setup_teardown(test_skeleton_flat, pack_setup, pack_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
