/* The preflight checks on hand-made pages (pipeline/preflight.c) and the
 * coded warnings they rest on (base/diag.c rp_diag_warn_about): a finding
 * that is no fallback is recorded only for a preflight run, strict makes it
 * an error, both source positions and the page are kept; contrast is judged
 * against the shapes under the text (blended by opacity, unknown over an
 * image); a finding without a page gets the page where its source landed. */
#include <math.h>
#include <string.h>

#include "base/color.h"
#include "pipeline/preflight.h"
#include "testutil.h"

static const rp_src SRC = {"l.xml", 12, "c.xml", 40};

static void diag_codes(void **state) {
  (void)state;
  rp_diag d;
  rp_diag_init(&d);
  rp_diag_about only = {.code = RP_DIAG_CONTRAST, .page = 3, .src = SRC, .finding_only = true};
  rp_diag_warn_about(&d, &only, "low %d", 1);
  assert_int_equal(d.count, 0); /* not a preflight run: nothing changes */
  d.preflight = true;
  rp_diag_warn_about(&d, &only, "low %d", 2);
  assert_int_equal(d.count, 1);
  const rp_diag_entry *e = &d.entries[0];
  assert_int_equal(e->severity, RP_SEV_WARNING);
  assert_int_equal(e->code, RP_DIAG_CONTRAST);
  assert_int_equal(e->page, 3);
  assert_string_equal(e->file, "l.xml"); /* printed at the layout line */
  assert_int_equal(e->line, 12);
  assert_string_equal(e->content_file, "c.xml");
  assert_int_equal(e->content_line, 40);
  assert_string_equal(e->message, "low 2");
  rp_diag_about glyph = {.code = RP_DIAG_MISSING_GLYPH, .src = SRC, .content_first = true};
  d.strict = true;
  rp_diag_warn_about(&d, &glyph, "missing");
  assert_int_equal(d.entries[1].severity, RP_SEV_ERROR);
  assert_int_equal(rp_diag_status(&d), RP_ERR_INPUT);
  assert_string_equal(d.entries[1].file, "c.xml"); /* printed at the content line */
  assert_string_equal(d.entries[1].layout_file, "l.xml");
  assert_string_equal(rp_diag_code_name(RP_DIAG_EMPTY_SELECT), "empty-selection");
  assert_string_equal(rp_diag_code_name(RP_DIAG_GENERAL), "other");
  rp_diag_fini(&d);
}

static void formats(void **state) {
  (void)state;
  assert_int_equal(rp_preflight_format_of("out/report.json"), RP_PREFLIGHT_JSON);
  assert_int_equal(rp_preflight_format_of("junit.XML"), RP_PREFLIGHT_JUNIT);
  assert_int_equal(rp_preflight_format_of("report.txt"), RP_PREFLIGHT_NONE);
  assert_int_equal(rp_preflight_format_of(".json"), RP_PREFLIGHT_NONE);
  assert_int_equal(rp_preflight_format_of(NULL), RP_PREFLIGHT_NONE);
  /* the WCAG figures charts and preflight share */
  assert_true(rp_color_contrast((rp_color){0, 0, 0, 1}, (rp_color){1, 1, 1, 1}) > 20.9);
  assert_true(fabs(rp_color_contrast((rp_color){0.5f, 0.5f, 0.5f, 1}, (rp_color){1, 1, 1, 1}) -
                   3.98) < 0.02);
}

typedef struct pages {
  rp_arena *a;
  rp_layout_doc doc;
} pages;

static rp_page *add_page(pages *p) {
  rp_page *pg = rp_vec_push(p->a, &p->doc.pages, sizeof *pg);
  assert_non_null(pg);
  memset(pg, 0, sizeof *pg);
  pg->width = 420;
  pg->height = 595;
  return pg;
}

static rp_item *rect(pages *p, rp_page *pg, double x, double y, double w, double h, rp_color c) {
  rp_item *it = rp_page_add(p->a, pg, RP_ITEM_RECT);
  assert_non_null(it);
  *it = (rp_item){.kind = RP_ITEM_RECT, .x = x, .y = y, .w = w, .h = h};
  it->u.shape.fill = c;
  return it;
}

static rp_item *text(pages *p, rp_page *pg, double x, double y, const char *s, rp_color c,
                     int line) {
  rp_item *it = rp_page_add(p->a, pg, RP_ITEM_TEXT);
  assert_non_null(it);
  *it = (rp_item){.kind = RP_ITEM_TEXT, .x = x, .y = y, .w = 60, .h = 10, .role = RP_ROLE_P};
  it->src = (rp_src){"l.xml", line, "c.xml", 0};
  it->u.text.text = s;
  it->u.text.size = 10;
  it->u.text.color = c;
  return it;
}

static size_t count(const rp_diag *d, rp_diag_code code) {
  size_t n = 0;
  for (size_t i = 0; i < d->count; i++) n += d->entries[i].code == code;
  return n;
}

static void contrast_on_pages(void **state) {
  (void)state;
  pages p = {.a = rp_arena_new()};
  assert_non_null(p.a);
  rp_color grey = {0.6f, 0.6f, 0.6f, 1}, dark = {0.13f, 0.13f, 0.13f, 1};
  rp_color navy = {0.1f, 0.1f, 0.3f, 1}, white = {1, 1, 1, 1};
  rp_page *p1 = add_page(&p);
  text(&p, p1, 20, 40, "dark on paper", dark, 1);            /* fine */
  text(&p, p1, 20, 80, "grey on paper", grey, 2);            /* 2.8:1: a finding */
  rect(&p, p1, 0, 100, 420, 100, navy);                      /* a dark band */
  text(&p, p1, 20, 150, "white on the band", white, 3);      /* fine */
  text(&p, p1, 20, 180, "dark on the band", dark, 4);        /* a finding */
  rect(&p, p1, 0, 300, 420, 100, (rp_color){0, 0, 0, 0.1f}); /* a 10 % tint */
  text(&p, p1, 20, 350, "grey on the tint", grey, 5);        /* a finding */
  rp_item *img = rp_page_add(p.a, p1, RP_ITEM_IMAGE);
  *img = (rp_item){
      .kind = RP_ITEM_IMAGE, .x = 0, .y = 400, .w = 420, .h = 100, .role = RP_ROLE_ARTIFACT};
  img->u.image.image = -1;
  size_t img_at = p1->items.len - 1;                 /* items move as the page grows */
  text(&p, p1, 20, 450, "grey on a photo", grey, 6); /* not judged */
  rp_page *p2 = add_page(&p);
  text(&p, p2, 20, 40, "grey again", grey, 7);
  text(&p, p2, 20, 60, "grey again, same line", grey, 7); /* said once */

  rp_diag d;
  rp_diag_init(&d);
  rp_preflight_check(&p.doc, NULL, &d);
  assert_int_equal(d.count, 0); /* not a preflight run */
  d.preflight = true;
  rp_preflight_check(&p.doc, NULL, &d);
  assert_int_equal(count(&d, RP_DIAG_CONTRAST), 4);
  int lines[] = {2, 4, 5, 7}, pages_of[] = {1, 1, 1, 2};
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(d.entries[i].layout_line, lines[i]);
    assert_int_equal(d.entries[i].page, pages_of[i]);
  }
  assert_non_null(strstr(d.entries[0].message, "#999999 on #ffffff"));
  assert_non_null(strstr(d.entries[2].message, "on #e6e6e6")); /* the tint blended */
  /* no alt on an artifact: not a finding; on a figure it is */
  RP_VEC_AT(RP_VEC_AT(p.doc.pages, rp_page, 0).items, rp_item, img_at).role = RP_ROLE_FIGURE;
  size_t before = d.count;
  rp_preflight_check(&p.doc, NULL, &d);
  assert_int_equal(count(&d, RP_DIAG_ALT_TEXT), 1);
  assert_true(d.count > before);

  /* a finding recorded before the pages: placed where its source landed */
  rp_diag_about shrunk = {.code = RP_DIAG_TEXT_SHRUNK, .src = {"l.xml", 7, NULL, 0}};
  rp_diag_warn_about(&d, &shrunk, "shrunk");
  rp_diag_about nowhere = {.code = RP_DIAG_TEXT_SHRUNK, .src = {"l.xml", 99, NULL, 0}};
  rp_diag_warn_about(&d, &nowhere, "shrunk elsewhere");
  rp_preflight_place(&p.doc, &d);
  assert_int_equal(d.entries[d.count - 2].page, 2);
  assert_int_equal(d.entries[d.count - 1].page, 0);
  rp_diag_fini(&d);
  rp_arena_free(p.a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(diag_codes),
      cmocka_unit_test(formats),
      cmocka_unit_test(contrast_on_pages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
