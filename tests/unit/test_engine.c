/* Unit tests of the layout engine's pagination rules added for designers
 * (docs/layout-engine.md): keep-together tables, keep-with-next chains,
 * the baseline grid, the section named by running texts. Built by hand on
 * layoutfix.h's 400 × 300 pt page with a 360 × 260 pt frame. */
#include "layoutfix.h"

static rp_block *cell(fixture *fx, const char *text) {
  rp_block *c = lf_block(fx, RP_BLOCK_CELL, 50);
  c->children = lf_para(fx, &fx->body, text, 50);
  return c;
}

/* A table of one column: a header row "Head" and `rows` rows "Row NN". */
static rp_block *table(fixture *fx, int rows) {
  rp_block *t = lf_block(fx, RP_BLOCK_TABLE, 40);
  t->u.table.header_rows = 1;
  for (int k = 0; k < 4; k++) t->box.padding[k] = 2;
  rp_block **tail = &t->children;
  rp_block *h = lf_block(fx, RP_BLOCK_ROW, 41);
  h->children = cell(fx, "Head");
  lf_append(&tail, h);
  for (int i = 1; i <= rows; i++) {
    char s[16];
    snprintf(s, sizeof s, "Row %02d", i);
    rp_block *r = lf_block(fx, RP_BLOCK_ROW, 42);
    r->children = cell(fx, s);
    lf_append(&tail, r);
  }
  return t;
}

/* `n` one-line paragraphs "Line NN" (each 14 pt). */
static rp_block *filler(fixture *fx, int n, rp_block ***tail) {
  rp_block *first = NULL;
  for (int i = 1; i <= n; i++) {
    char s[16];
    snprintf(s, sizeof s, "Line %02d", i);
    rp_block *p = lf_para(fx, &fx->body, s, 10);
    if (!first) first = p;
    lf_append(tail, p);
  }
  return first;
}

/* The page of the first text item containing `text`. */
static size_t page_of(rp_layout_doc *doc, const char *text) {
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < lf_page(doc, p)->items.len; i++) {
      rp_item *it = lf_item(lf_page(doc, p), i);
      if (it->kind == RP_ITEM_TEXT && strstr(it->u.text.text, text)) return p;
    }
  fail_msg("no text \"%s\"", text);
  return SIZE_MAX;
}

/* A table of 8 rows (about 9 × 18 pt) after 13 lines of text (182 pt of
 * 260): it would split; kept together, it starts on the next page whole. */
static void test_table_keep_together_moves(void **state) {
  fixture *fx = *state;
  rp_block *head = NULL, **tail = &head;
  filler(fx, 13, &tail);
  rp_block *t = table(fx, 8);
  lf_append(&tail, t);
  rp_layout_doc *doc = lf_run(fx, head);
  assert_int_equal(page_of(doc, "Row 01"), 0); /* without: split */
  assert_int_not_equal(page_of(doc, "Row 08"), 0);

  rp_block *head2 = NULL, **tail2 = &head2;
  filler(fx, 13, &tail2);
  rp_block *t2 = table(fx, 8);
  t2->keep_together = true;
  lf_append(&tail2, t2);
  doc = lf_run(fx, head2);
  assert_int_equal(page_of(doc, "Row 01"), 1);
  assert_int_equal(page_of(doc, "Row 08"), 1);
  assert_int_equal(lf_count_text(doc, "Head"), 1); /* never split: one header */
  lf_assert_inside_frame(doc);
}

/* A kept-together table taller than a page still splits, its header row
 * repeated on every page, and no page is left empty before it. */
static void test_table_keep_together_too_tall_splits(void **state) {
  fixture *fx = *state;
  rp_block *head = NULL, **tail = &head;
  filler(fx, 3, &tail);
  rp_block *t = table(fx, 40);
  t->keep_together = true;
  lf_append(&tail, t);
  rp_layout_doc *doc = lf_run(fx, head);
  assert_int_equal(page_of(doc, "Row 01"), 0); /* starts right after the text */
  assert_true(doc->pages.len >= 3);
  assert_int_equal(lf_count_text(doc, "Head"), (int)doc->pages.len);
  lf_assert_inside_frame(doc);
}

/* heading → heading → paragraph: the two headings and the paragraph's first
 * two lines move as one; the first heading is never left alone. */
static void test_keep_with_next_chain(void **state) {
  fixture *fx = *state;
  rp_style h = fx->bold_st;
  h.size = 14;
  h.leading = 18;
  h.keep_with_next = true;
  for (int fill = 12; fill <= 17; fill++) {
    rp_block *head = NULL, **tail = &head;
    filler(fx, fill, &tail);
    lf_append(&tail, lf_para(fx, &h, "Chapter", 60));
    lf_append(&tail, lf_para(fx, &h, "Section", 61));
    lf_append(&tail, lf_para(fx, &fx->body,
                             "one two three four five six seven eight nine ten eleven twelve "
                             "thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                             "twenty twenty-one twenty-two twenty-three twenty-four twenty-five "
                             "twenty-six twenty-seven twenty-eight twenty-nine thirty",
                             62));
    rp_layout_doc *doc = lf_run(fx, head);
    size_t a = page_of(doc, "Chapter"), b = page_of(doc, "Section"), c = page_of(doc, "one two");
    if (a != b || b != c)
      fail_msg("after %d lines: headings on pages %zu, %zu, text on %zu", fill, a, b, c);
  }
  assert_int_equal(fx->d.warnings, 0);
}

/* A chain taller than a column cannot move as one: it is kept pairwise,
 * with a warning, and still lays out. */
static void test_keep_with_next_chain_too_long(void **state) {
  fixture *fx = *state;
  rp_style h = fx->bold_st;
  h.size = 14;
  h.leading = 18;
  h.keep_with_next = true;
  rp_block *head = NULL, **tail = &head;
  filler(fx, 5, &tail);
  for (int i = 0; i < 16; i++) lf_append(&tail, lf_para(fx, &h, "Kicker", 70 + i));
  lf_append(&tail, lf_para(fx, &fx->body, "Body text after the run.", 90));
  rp_layout_doc *doc = lf_run(fx, head);
  assert_true(doc->pages.len >= 2);
  assert_true(lf_diag_line(&fx->d, "run of keep-with-next blocks is taller than a column") > 0);
  lf_assert_inside_frame(doc);
}

/* Headings, paragraphs with space after and a lead paragraph of another
 * leading, in two columns over pages. */
static rp_block *grid_doc(fixture *fx, rp_style *h2, rp_style *lead) {
  fx->body.space_after = 6;
  *h2 = fx->bold_st;
  h2->size = 14;
  h2->leading = 18;
  h2->space_before = 12;
  h2->space_after = 5;
  h2->keep_with_next = true;
  *lead = fx->body;
  lead->size = 13;
  lead->leading = 17;
  lead->space_after = 4;
  rp_block *head = NULL, **tail = &head;
  lf_append(&tail, lf_para(fx, lead,
                           "A lead paragraph set larger, on a leading of its own that "
                           "the grid does not divide, over a few lines of the column.",
                           80));
  for (int i = 0; i < 9; i++) {
    char t[32];
    snprintf(t, sizeof t, "Heading %d", i);
    rp_block *h = lf_para(fx, h2, t, 81);
    h->kind = RP_BLOCK_HEADING;
    h->level = 2;
    lf_append(&tail, h);
    for (int k = 0; k < 2 + i % 3; k++)
      lf_append(&tail, lf_para(fx, &fx->body,
                               "Body text of the section, long enough to wrap over several lines "
                               "of a narrow column, with words of every length in it.",
                               82));
  }
  return head;
}

/* Body lines (style body) whose baselines are not a whole number of grid
 * steps below the frame's top; every text item checked against the frame. */
static int off_grid(fixture *fx, rp_layout_doc *doc, double g) {
  int off = 0, body = 0;
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < lf_page(doc, p)->items.len; i++) {
      rp_item *it = lf_item(lf_page(doc, p), i);
      if (it->kind != RP_ITEM_TEXT || it->role == RP_ROLE_ARTIFACT) continue;
      if (it->u.text.size != fx->body.size || it->u.text.font != fx->body.font) continue;
      body++;
      double steps = (it->y - LF_Y) / g;
      if (fabs(steps - round(steps)) > 1e-6) off++;
    }
  assert_true(body > 40);
  return off;
}

static void test_baseline_grid(void **state) {
  fixture *fx = *state;
  rp_style h2, lead;
  fx->frame.columns = 2;
  fx->frame.gutter = 20;
  /* without a grid, space after (6pt) and the headings put lines off it */
  rp_layout_doc *doc = lf_run(fx, grid_doc(fx, &h2, &lead));
  assert_true(off_grid(fx, doc, 14) > 0);

  fx->master.baseline = 14;
  doc = lf_run(fx, grid_doc(fx, &h2, &lead));
  assert_int_equal(off_grid(fx, doc, 14), 0);
  lf_assert_inside_frame(doc);
  /* each heading sits between the body lines around it, none overlapping */
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      if (it->kind != RP_ITEM_TEXT || strncmp(it->u.text.text, "Heading", 7) != 0) continue;
      for (size_t j = 0; j < pg->items.len; j++) {
        rp_item *o = lf_item(pg, j);
        if (o == it || o->kind != RP_ITEM_TEXT || o->role == RP_ROLE_ARTIFACT) continue;
        if (fabs(o->x - it->x) > 1) continue; /* another column */
        double gap = fabs(o->y - it->y);
        assert_true(gap > 13); /* a line apart at least */
      }
      /* and never the last thing in its column: body text follows below it */
      bool followed = false;
      for (size_t j = 0; j < pg->items.len; j++) {
        rp_item *o = lf_item(pg, j);
        followed |= o->kind == RP_ITEM_TEXT && o->role == RP_ROLE_P && fabs(o->x - it->x) < 1 &&
                    o->y > it->y;
      }
      if (!followed) fail_msg("\"%s\" ends its column on page %zu", it->u.text.text, p + 1);
    }
  }
}

/* grid="none" takes a style off the grid; a grid of another step moves
 * snapped text to it (body 14pt on a 7pt grid: every baseline on a line). */
static void test_baseline_grid_modes(void **state) {
  fixture *fx = *state;
  rp_style h2, lead;
  fx->master.baseline = 7;
  rp_layout_doc *doc = lf_run(fx, grid_doc(fx, &h2, &lead));
  assert_int_equal(off_grid(fx, doc, 7), 0);
  fx->body.grid = RP_GRID_NONE;
  fx->master.baseline = 14;
  doc = lf_run(fx, grid_doc(fx, &h2, &lead));
  fx->body.grid = RP_GRID_NONE; /* grid_doc keeps the style's mode */
  assert_true(off_grid(fx, doc, 14) > 0);
}

/* The running footer of page p (its text items joined). */
static const char *footer_of(fixture *fx, rp_layout_doc *doc, size_t p) {
  char *buf = rp_arena_alloc(fx->a, 512);
  buf[0] = '\0';
  rp_page *pg = lf_page(doc, p);
  for (size_t i = 0; i < pg->items.len; i++) {
    rp_item *it = lf_item(pg, i);
    if (it->kind == RP_ITEM_TEXT && it->role == RP_ROLE_ARTIFACT) {
      if (buf[0]) strcat(buf, " ");
      strncat(buf, it->u.text.text, 200);
    }
  }
  return buf;
}

/* Three sections: Alpha (5 lines), Beta continuing the page over two pages
 * and ending in a page break, Gamma continuing on the blank page that
 * leaves. {$section} is the section at the top of the page; -first and
 * -last the first and last starting on it, else that one. */
static void test_running_section_names(void **state) {
  fixture *fx = *state;
  rp_decoration foot = {.is_text = true,
                        .x = 20,
                        .y = 284,
                        .w = 360,
                        .h = 14,
                        .text = "{$section}|{$section-first}|{$section-last}",
                        .style = &fx->body};
  fx->master.any.footer = &foot;
  rp_section beta = {.master = &fx->master, .title = "Beta"};
  rp_section gamma = {.master = &fx->master, .title = "Gamma"};
  fx->section.title = "Alpha";
  fx->section.next = &beta;
  beta.next = &gamma;
  rp_block *b = NULL, **tail = &b;
  filler(fx, 24, &tail); /* 18 on page 2, with 5 on page 1 */
  lf_append(&tail, lf_block(fx, RP_BLOCK_PAGE_BREAK, 99));
  beta.blocks = b;
  rp_block *g = NULL, **gt = &g;
  filler(fx, 2, &gt);
  gamma.blocks = g;
  rp_block *a = NULL, **at = &a;
  filler(fx, 5, &at);
  rp_layout_doc *doc = lf_run(fx, a);
  assert_int_equal(doc->pages.len, 3);
  assert_string_equal(footer_of(fx, doc, 0), "Alpha|Alpha|Beta");
  assert_string_equal(footer_of(fx, doc, 1), "Beta|Beta|Beta");
  assert_string_equal(footer_of(fx, doc, 2), "Gamma|Gamma|Gamma");
}

static void probe_fake(void *user, const char *path, rp_image_info *out) {
  (void)user;
  if (strstr(path, "missing")) {
    out->missing = true;
    return;
  }
  out->ok = true;
  out->width_px = 400;
  out->height_px = 300;
}

/* An image with missing="omit" and no file is left out with what it keeps
 * with (its caption), with a warning; one whose file is there keeps it. */
static void test_missing_photo_takes_its_caption(void **state) {
  fixture *fx = *state;
  fx->opts.probe = probe_fake;
  fx->use_opts = true;
  const char *paths[2] = {"images/missing.png", "images/there.png"};
  rp_block *head = NULL, **tail = &head;
  for (int i = 0; i < 2; i++) {
    rp_block *img = lf_block(fx, RP_BLOCK_IMAGE, 100 + i);
    img->u.image.path = paths[i];
    img->u.image.omit_missing = true;
    img->keep_with_next = true;
    img->height = 60;
    lf_append(&tail, img);
    lf_append(&tail,
              lf_para(fx, &fx->body,
                      i ? "Caption of the photo there" : "Caption of the missing photo", 110 + i));
  }
  lf_append(&tail, lf_para(fx, &fx->body, "After", 120));
  rp_layout_doc *doc = lf_run(fx, head);
  assert_int_equal(lf_count_text(doc, "Caption of the missing photo"), 0);
  assert_int_equal(lf_count_text(doc, "Caption of the photo there"), 1);
  assert_int_equal(lf_count_text(doc, "After"), 1);
  int images = 0, placeholders = 0;
  for (size_t i = 0; i < lf_page(doc, 0)->items.len; i++) {
    rp_item *it = lf_item(lf_page(doc, 0), i);
    images += it->kind == RP_ITEM_IMAGE;
    placeholders += it->kind == RP_ITEM_RECT && it->role == RP_ROLE_FIGURE;
  }
  assert_int_equal(images, 1);
  assert_int_equal(placeholders, 0);
  assert_int_equal(lf_diag_line(&fx->d, "left out with what it keeps with"), 100);
  assert_int_equal(fx->d.warnings, 1);
}

/* Text in a box is set as measured, off the grid (a box is a unit apart
 * from the page); the text after it lands on the grid again. */
static void test_baseline_grid_boxes(void **state) {
  fixture *fx = *state;
  fx->master.baseline = 14;
  rp_style inner = fx->body;
  inner.name = "inner";
  inner.size = 9; /* told apart from the body by size */
  rp_block *head = NULL, **tail = &head;
  filler(fx, 2, &tail);
  rp_block *box = lf_block(fx, RP_BLOCK_BOX, 130);
  box->style = &fx->body;
  box->box.padding[0] = box->box.padding[2] = 5;
  box->box.padding_set = true;
  box->children = lf_para(fx, &inner,
                          "Inside the box, two lines of text set at the width of "
                          "the frame, which is wide, so the words run on and on.",
                          131);
  lf_append(&tail, box);
  filler(fx, 2, &tail);
  rp_layout_doc *doc = lf_run(fx, head);
  rp_page *pg = lf_page(doc, 0);
  double first_inside = -1;
  int inside = 0;
  for (size_t i = 0; i < pg->items.len; i++) {
    rp_item *it = lf_item(pg, i);
    if (it->kind != RP_ITEM_TEXT) continue;
    double steps = (it->y - LF_Y) / 14;
    bool on = fabs(steps - round(steps)) < 1e-6;
    if (it->u.text.size == 9) {
      if (first_inside < 0) first_inside = it->y;
      inside++;
    } else {
      assert_true(on); /* the body, before and after the box */
    }
  }
  assert_true(inside >= 2);
  double steps = (first_inside - LF_Y) / 14;
  assert_true(fabs(steps - round(steps)) > 0.01); /* the box's padding, not snapped away */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_table_keep_together_moves, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_table_keep_together_too_tall_splits, lf_setup,
                                      lf_teardown),
      cmocka_unit_test_setup_teardown(test_keep_with_next_chain, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_keep_with_next_chain_too_long, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_baseline_grid, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_baseline_grid_modes, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_baseline_grid_boxes, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_running_section_names, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_missing_photo_takes_its_caption, lf_setup, lf_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
