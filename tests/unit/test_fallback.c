/* test_fallback — glyph fallback and rich text from the layout language to
 * the PDF: <font fallback>, text cut into runs by face and measured in each,
 * only the faces used embedded, a character no font has reported at its
 * content line; sub, sup, br and span xml:lang in content.
 *
 * Like test_template, the layout (tests/layouts/fallback.xml) and its content
 * (tests/data/fallback/) are copied with the fonts into a scratch project,
 * <tmp>/proj/{layouts,fonts,data}, since a layout's fonts must lie inside
 * its project. Content is bound without the review schema: the documents are
 * small and only the tree is read. PDFs are read back with pdftotext and
 * pdffonts (poppler-utils). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
/* after testutil.h (cmocka) */
#include "base/xml.h"
#include "layout/inline.h"
#include "layout/layout.h"
#include "model/content.h"
#include "render/render.h"
#include "template/def.h"
#include "template/template.h"

static char proj[4096];

static const char *const copies[][2] = {
    {"tests/layouts/fallback.xml", "layouts/fallback.xml"},
    {"tests/data/fallback/special.xml", "data/special.xml"},
    {"tests/data/fallback/plain.xml", "data/plain.xml"},
    {"fonts/OpenSans-Regular.ttf", "fonts/OpenSans-Regular.ttf"},
    {"fonts/OpenSans-Bold.ttf", "fonts/OpenSans-Bold.ttf"},
    {"fonts/OpenSans-Italic.ttf", "fonts/OpenSans-Italic.ttf"},
    {"fonts/DejaVuSans.ttf", "fonts/DejaVuSans.ttf"},
    {"fonts/DejaVuSans-Bold.ttf", "fonts/DejaVuSans-Bold.ttf"},
};

static int setup_project(void **state) {
  (void)state;
  if (snprintf(proj, sizeof proj, "%s/proj", rp_test_tmpdir()) >= (int)sizeof proj) return -1;
  rp_test_output o = rp_test_run("mkdir -p '%s/layouts' '%s/fonts' '%s/data'", proj, proj, proj);
  int rc = o.status;
  rp_test_output_free(&o);
  for (size_t i = 0; rc == 0 && i < sizeof copies / sizeof copies[0]; i++) {
    o = rp_test_run("cp '%s' '%s/%s'", rp_test_src(copies[i][0]), proj, copies[i][1]);
    rc = o.status;
    rp_test_output_free(&o);
  }
  return rc;
}

static const char *in_proj(const char *rel) {
  static char buf[4][4200];
  static int k;
  k = (k + 1) % 4;
  if (snprintf(buf[k], sizeof buf[k], "%s/%s", proj, rel) >= (int)sizeof buf[k])
    fail_msg("path too long");
  return buf[k];
}

/* The line of a source-tree file that holds `needle` (1-based); 0 if none. */
static int line_of(const char *rel, const char *needle) {
  FILE *f = fopen(rp_test_src(rel), "r");
  if (!f) return 0;
  char line[2048];
  int n = 0, found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    n++;
    if (strstr(line, needle)) found = n;
  }
  fclose(f);
  return found;
}

typedef struct world {
  rp_diag d;
  rp_arena *a;
  rp_layout_def *l;
  rp_content c;
  char content_path[4200];
  rp_bound_doc *b;
  rp_layout_doc *doc;
} world;

/* Loads the layout and binds `content` (a file of data/ in the project);
 * lays it out when `lay` is set. Asserts every step succeeds. */
static void world_open(world *w, const char *content, bool lay) {
  memset(w, 0, sizeof *w);
  rp_diag_init(&w->d);
  w->a = rp_arena_new();
  assert_non_null(w->a);
  snprintf(w->content_path, sizeof w->content_path, "%s/data/%s", proj, content);
  w->c.path = w->content_path;
  rp_status st = rp_layout_def_load(w->a, in_proj("layouts/fallback.xml"), &w->d, &w->l);
  if (st == RP_OK) st = rp_xml_load(w->content_path, NULL, &w->d, &w->c.doc);
  if (st == RP_OK) st = rp_bind(w->a, w->l, &w->c, &w->d, &w->b);
  if (st == RP_OK && lay) st = rp_layout_run(w->a, w->b, &w->d, &w->doc);
  if (st != RP_OK) rp_test_diag_dump(&w->d);
  assert_int_equal(st, RP_OK);
}

static void world_close(world *w) {
  rp_layout_def_free(w->l);
  xmlFreeDoc(w->c.doc);
  rp_arena_free(w->a);
  rp_diag_fini(&w->d);
}

static const rp_style *style(const world *w, const char *name) {
  const rp_style_def *s = rp_style_find(w->l, name);
  assert_non_null(s);
  assert_non_null(s->style);
  return s->style;
}

static bool ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), k = strlen(tail);
  return n >= k && strcmp(s + n - k, tail) == 0;
}

static const char *face_path(const world *w, int index) {
  return rp_fontset_get(w->b->fonts, index)->path;
}

static bool has_entry(const rp_diag *d, const char *needle, const char *file_tail, int line) {
  for (size_t i = 0; i < d->count; i++) {
    const rp_diag_entry *e = &d->entries[i];
    if (e->message && strstr(e->message, needle) && e->file && ends_with(e->file, file_tail) &&
        e->line == line)
      return true;
  }
  return false;
}

/* ---- the layout language ------------------------------------------------------ */

static void test_fallback_faces_per_slot(void **state) {
  (void)state;
  world w;
  world_open(&w, "plain.xml", false);
  assert_int_equal(w.d.count, 0); /* a fallback role with two faces warns of nothing */
  const rp_style *body = style(&w, "body"), *bold = style(&w, "strong-body");
  const rp_style *italic = style(&w, "italic-body"), *none = style(&w, "no-fallback");
  assert_true(ends_with(face_path(&w, body->font), "/OpenSans-Regular.ttf"));
  assert_int_equal(body->n_fallback, 1);
  assert_true(ends_with(face_path(&w, body->fallback[0]), "/DejaVuSans.ttf"));
  /* bold text falls back to the fallback role's bold face */
  assert_true(ends_with(face_path(&w, bold->font), "/OpenSans-Bold.ttf"));
  assert_int_equal(bold->n_fallback, 1);
  assert_true(ends_with(face_path(&w, bold->fallback[0]), "/DejaVuSans-Bold.ttf"));
  /* the fallback role has no italic: its regular serves */
  assert_true(ends_with(face_path(&w, italic->font), "/OpenSans-Italic.ttf"));
  assert_int_equal(italic->n_fallback, 1);
  assert_true(ends_with(face_path(&w, italic->fallback[0]), "/DejaVuSans.ttf"));
  assert_int_equal(none->n_fallback, 0);
  world_close(&w);
}

/* A layout with the given <brand> body, written into the project. */
static const char *brand_layout(const char *name, const char *brand) {
  char text[4096];
  snprintf(text, sizeof text,
           "<?xml version=\"1.0\"?>\n<layout version=\"1\">\n<brand>\n%s\n"
           "<style name=\"body\" font=\"body\"/>\n</brand>\n<master name=\"m\"/>\n"
           "<sequence><run template=\"t\"/></sequence>\n<template name=\"t\"/>\n</layout>\n",
           brand);
  const char *path = in_proj(name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  return path;
}

static rp_diag load_fails(const char *path) {
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  rp_layout_def *l = NULL;
  assert_int_equal(rp_layout_def_load(a, path, &d, &l), RP_ERR_INPUT);
  rp_layout_def_free(l);
  rp_arena_free(a);
  return d;
}

static void test_bad_fallback_names(void **state) {
  (void)state;
  const char *path = brand_layout(
      "layouts/bad-fallback.xml",
      "<font role=\"body\" regular=\"../fonts/OpenSans-Regular.ttf\" fallback=\"nope body\"/>");
  rp_diag d = load_fails(path);
  /* an unknown role and the role itself, at the <font> line */
  if (!has_entry(&d, "unknown font role \"nope\"", "bad-fallback.xml", 4) ||
      !has_entry(&d, "cannot be its own fallback", "bad-fallback.xml", 4)) {
    rp_test_diag_dump(&d);
    fail();
  }
  rp_diag_fini(&d);
  /* the schema refuses what is not a role name */
  path = brand_layout(
      "layouts/bad-fallback2.xml",
      "<font role=\"body\" regular=\"../fonts/OpenSans-Regular.ttf\" fallback=\"1bad\"/>");
  d = load_fails(path);
  if (!has_entry(&d, "fallback", "bad-fallback2.xml", 4)) {
    rp_test_diag_dump(&d);
    fail();
  }
  rp_diag_fini(&d);
}

/* ---- measuring: runs by face ------------------------------------------------- */

static void test_runs_measured_in_their_face(void **state) {
  (void)state;
  world w;
  world_open(&w, "plain.xml", false);
  const rp_style *body = style(&w, "body");
  rp_span sp = {.text =
                    "CO\xE2\x82\x82"
                    "e \xE2\x86\x92 \xCE\xB1\xCE\xB2\xCE\xB3 "
                    "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 x\xE2\x85\x93y",
                .style = body};
  rp_lines ls;
  assert_int_equal(rp_inline_break(w.a, w.b->fonts, &sp, 1000, 0, RP_ALIGN_LEFT, &ls, &w.d), RP_OK);
  assert_int_equal(ls.n, 1);
  assert_int_equal(w.d.count, 0);
  /* What each run holds, and in which face. */
  static const struct {
    const char *text, *face;
  } expect[] = {
      {"CO", "/OpenSans-Regular.ttf"},
      {"\xE2\x82\x82", "/DejaVuSans.ttf"},
      {"e", "/OpenSans-Regular.ttf"},
      {"\xE2\x86\x92", "/DejaVuSans.ttf"},
      /* Open Sans has Greek and Cyrillic: they stay in the primary face */
      {"\xCE\xB1\xCE\xB2\xCE\xB3 \xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 x",
       "/OpenSans-Regular.ttf"},
      {"\xE2\x85\x93", "/DejaVuSans.ttf"},
      {"y", "/OpenSans-Regular.ttf"},
  };
  const rp_line *ln = &ls.lines[0];
  assert_int_equal(ln->n_frags, sizeof expect / sizeof expect[0]);
  double x = 0;
  for (size_t i = 0; i < ln->n_frags; i++) {
    const rp_frag *fr = &ln->frags[i];
    assert_string_equal(fr->text, expect[i].text);
    if (!ends_with(face_path(&w, fr->font), expect[i].face))
      fail_msg("run \"%s\" in %s, expected %s", fr->text, face_path(&w, fr->font), expect[i].face);
    /* measured in its own face (kerned within it), exactly as render draws it */
    const rp_font *f = rp_fontset_get(w.b->fonts, fr->font);
    double wd = rp_font_measure(f, fr->text, fr->len, 10, 0, fr->style->kerning);
    assert_true(fr->width == wd);
    assert_true(fabs(fr->x - x) < 1e-9);
    x +=
        wd + (fr->space_after ? rp_font_width(rp_fontset_get(w.b->fonts, body->font), " ", 1, 10, 0)
                              : 0);
    assert_true(fr->size == 10 && fr->rise == 0);
  }
  assert_true(fabs(ln->width - (ln->frags[ln->n_frags - 1].x + ln->frags[ln->n_frags - 1].width)) <
              1e-9);
  /* line metrics stay the primary face's */
  const rp_font *os = rp_fontset_get(w.b->fonts, body->font);
  assert_true(fabs(ln->ascent - os->ascent * 10 / 1000.0) < 1e-9);
  assert_true(fabs(ln->descent - os->descent * 10 / 1000.0) < 1e-9);
  world_close(&w);
}

/* ---- rich text: spans --------------------------------------------------------- */

static const rp_block *nth_block(const world *w, int n) {
  const rp_block *b = w->b->sections->blocks;
  while (b && n-- > 0) b = b->next;
  assert_non_null(b);
  return b;
}

static void test_rich_spans(void **state) {
  (void)state;
  world w;
  world_open(&w, "special.xml", false);
  const char *doc = "tests/data/fallback/special.xml";
  /* every span records its content file and the line holding it */
  const rp_block *b = nth_block(&w, 2);
  int face_line = line_of(doc, "A face"), cjk_line = line_of(doc, "and \xE4\xB8\xAD twice");
  assert_true(face_line > 0 && cjk_line == face_line + 1);
  int lines_seen = 0;
  for (const rp_span *s = b->spans; s; s = s->next) {
    assert_non_null(s->src_file);
    assert_true(ends_with(s->src_file, "/data/special.xml"));
    if (strstr(s->text, "A face")) lines_seen |= (s->src_line == face_line) << 0;
    if (strstr(s->text, "and \xE4\xB8\xAD")) lines_seen |= (s->src_line == cjk_line) << 1;
    if (strstr(s->text, "end.")) lines_seen |= (s->src_line == cjk_line + 1) << 2;
  }
  assert_int_equal(lines_seen, 7);

  /* sub, sup, span xml:lang, br */
  b = nth_block(&w, 3);
  const rp_span *s = b->spans;
  int seen = 0;
  for (; s; s = s->next) {
    if (strcmp(s->text, "2") == 0 && s->script == RP_SCRIPT_SUB) seen |= 1;
    if (strcmp(s->text, "2") == 0 && s->script == RP_SCRIPT_SUP) seen |= 2;
    if (strstr(s->text, "Diolch") || strstr(s->text, "fawr")) {
      assert_non_null(s->lang);
      assert_string_equal(s->lang, "cy");
      assert_int_equal(s->script, RP_SCRIPT_NONE);
      seen |= 4;
    } else {
      assert_null(s->lang);
    }
    if (strstr(s->text, "\xE2\x80\xA8")) seen |= 8; /* <br/> as U+2028 */
  }
  assert_int_equal(seen, 15);
  world_close(&w);
}

/* ---- layout and PDF ----------------------------------------------------------- */

/* Text items of the document, in order. */
static const rp_item *find_text(const rp_layout_doc *doc, const char *text, size_t *from) {
  size_t k = 0;
  for (size_t p = 0; p < doc->pages.len; p++) {
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
    for (size_t i = 0; i < pg->items.len; i++, k++) {
      const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
      if (k < *from || it->kind != RP_ITEM_TEXT || strcmp(it->u.text.text, text) != 0) continue;
      *from = k + 1;
      return it;
    }
  }
  return NULL;
}

static void test_sub_sup_and_forced_break(void **state) {
  (void)state;
  world w;
  world_open(&w, "special.xml", true);
  if (getenv("RP_DUMP")) rp_layout_dump(w.doc, stderr);
  /* Water is H<sub>2</sub>O and E = mc<sup>2</sup>; <span xml:lang="cy">Diolch yn fawr</span>.<br/>
   * The line before the break is not justified, so its words share items. */
  size_t k = 0;
  const rp_item *h = find_text(w.doc, "Water is H", &k);
  const rp_item *sub = find_text(w.doc, "2", &k);
  const rp_item *o = find_text(w.doc, "O and E = mc", &k);
  const rp_item *sup = find_text(w.doc, "2", &k);
  const rp_item *cy = find_text(w.doc, "Diolch yn fawr", &k);
  const rp_item *dot = find_text(w.doc, ".", &k);
  const rp_item *a = find_text(w.doc, "A", &k);
  const rp_item *next = find_text(w.doc, "new", &k);
  if (!h || !sub || !o || !sup || !cy || !dot || !a || !next) {
    rp_layout_dump(w.doc, stderr);
    fail_msg("the rich paragraph is not set as expected");
  }
  /* 70 % of the size; down 0.15 em and up 0.33 em from the line's baseline */
  assert_true(fabs(sub->u.text.size - 7) < 1e-9 && fabs(sup->u.text.size - 7) < 1e-9);
  assert_true(fabs(sub->h - 7) < 1e-9);
  assert_true(fabs(sub->y - (h->y + 1.5)) < 1e-9);
  assert_true(fabs(sup->y - (h->y - 3.3)) < 1e-9);
  assert_true(o->y == h->y && o->u.text.size == 10 && cy->y == h->y);
  /* drawn where measured: what follows starts where the smaller 2 ends */
  const rp_font *f = rp_fontset_get(w.b->fonts, sub->u.text.font);
  assert_true(sub->w == rp_font_width(f, "2", 1, 7, 0));
  assert_true(fabs(o->x - (sub->x + sub->w)) < 1e-9);
  assert_true(fabs(sub->x - (h->x + h->w)) < 1e-9);
  /* the line height is the style's: the script moves no line */
  assert_true(fabs(a->y - h->y - 14) < 1e-9);
  /* the break: "." ends its line well short of the right edge, unstretched;
   * the next line is justified again (one item per word) */
  const rp_page *pg = &RP_VEC_AT(w.doc->pages, rp_page, 0);
  assert_true(dot->x + dot->w < pg->width - h->x - 100); /* margins are equal */
  assert_true(a->x < h->x + 1e-9 && next->y == a->y);
  world_close(&w);
}

static size_t count_entries(const rp_diag *d, const char *needle) {
  size_t n = 0;
  for (size_t i = 0; i < d->count; i++)
    n += d->entries[i].message && strstr(d->entries[i].message, needle);
  return n;
}

static void test_pdf_text_fonts_and_warnings(void **state) {
  (void)state;
  world w;
  world_open(&w, "special.xml", true);
  char pdf[4300];
  snprintf(pdf, sizeof pdf, "%s/special.pdf", proj);
  rp_status st = rp_render_pdf(w.doc, NULL, pdf, &w.d);
  if (st != RP_OK) rp_test_diag_dump(&w.d);
  assert_int_equal(st, RP_OK);

  /* characters no font has: one warning each, at the content line holding it */
  const char *doc = "tests/data/fallback/special.xml";
  bool ok = has_entry(&w.d, "U+1F600", "/data/special.xml", line_of(doc, "A face")) &&
            has_entry(&w.d, "U+4E2D", "/data/special.xml", line_of(doc, "twice")) &&
            has_entry(&w.d, "U+2082", "/data/special.xml", line_of(doc, "No fallback here")) &&
            count_entries(&w.d, "U+4E2D") == 1 && count_entries(&w.d, "U+1F600") == 1 &&
            count_entries(&w.d, "U+2082") == 1 && w.d.warnings == 3 && w.d.errors == 0;
  if (!ok) {
    rp_test_diag_dump(&w.d);
    fail_msg("expected three warnings at content lines");
  }
  assert_true(count_entries(&w.d, "nor in its fallback") == 2);

  rp_test_output t = rp_test_run("pdftotext -enc UTF-8 '%s' - 2>/dev/null", pdf);
  assert_int_equal(t.status, 0);
  static const char *const words[] = {
      "CO\xE2\x82\x82"
      "e",
      "\xE2\x86\x92",
      "\xCE\xB1\xCE\xB2\xCE\xB3",
      "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
      "\xE2\x85\x93",
      "Diolch",
      "A new line after a break",
  };
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (!strstr(t.out, words[i]))
      fail_msg("\"%s\" not in the text read back:\n%s", words[i], t.out);
  rp_test_output_free(&t);

  rp_test_output fo = rp_test_run("pdffonts '%s' 2>/dev/null", pdf);
  assert_int_equal(fo.status, 0);
  /* the faces drawn from, all embedded; DejaVu bold only where bold text fell back */
  static const char *const faces[] = {"+OpenSans ", "+OpenSans-Bold,", "+OpenSans-Italic,",
                                      "+DejaVuSans,", "+DejaVuSans-Bold,"};
  for (size_t i = 0; i < sizeof faces / sizeof faces[0]; i++)
    if (!strstr(fo.out, faces[i])) fail_msg("%s not in the fonts:\n%s", faces[i], fo.out);
  for (char *line = strstr(fo.out, "DejaVu"); line; line = strstr(line + 1, "DejaVu")) {
    char *eol = strchr(line, '\n');
    if (eol) *eol = '\0';
    if (!strstr(line, " yes ")) fail_msg("not embedded: %s", line);
    if (eol) *eol = '\n';
  }
  rp_test_output_free(&fo);
  world_close(&w);
}

static void test_plain_document_embeds_no_fallback(void **state) {
  (void)state;
  world w;
  world_open(&w, "plain.xml", true);
  char pdf[4300];
  snprintf(pdf, sizeof pdf, "%s/plain.pdf", proj);
  assert_int_equal(rp_render_pdf(w.doc, NULL, pdf, &w.d), RP_OK);
  assert_int_equal(w.d.count, 0);
  rp_test_output fo = rp_test_run("pdffonts '%s' 2>/dev/null", pdf);
  assert_int_equal(fo.status, 0);
  assert_non_null(strstr(fo.out, "+OpenSans "));
  if (strstr(fo.out, "DejaVu")) fail_msg("a fallback face embedded for nothing:\n%s", fo.out);
  rp_test_output_free(&fo);
  world_close(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fallback_faces_per_slot),
      cmocka_unit_test(test_bad_fallback_names),
      cmocka_unit_test(test_runs_measured_in_their_face),
      cmocka_unit_test(test_rich_spans),
      cmocka_unit_test(test_sub_sup_and_forced_break),
      cmocka_unit_test(test_pdf_text_fonts_and_warnings),
      cmocka_unit_test(test_plain_document_embeds_no_fallback),
  };
  return cmocka_run_group_tests(tests, setup_project, NULL);
}
