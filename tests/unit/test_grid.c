/* Unit tests of layout/grid.c: cards in rows over pages and columns, equal
 * row heights, cards never split, a card that can never fit. */
#include "layoutfix.h"

static const rp_color CARD_FILL = {0.9f, 0.95f, 1.0f, 1};

/* Card `i`: a box with its name ("Card 07") and 1–12 words ("c07w1 …"). */
static rp_block *card(fixture *fx, int i, int words) {
  rp_block *box = lf_block(fx, RP_BLOCK_BOX, 100 + i);
  box->box.fill = CARD_FILL;
  for (int k = 0; k < 4; k++) box->box.padding[k] = 6;
  char name[32];
  snprintf(name, sizeof name, "Card %02d", i);
  rp_block *n = lf_para(fx, &fx->bold_st, name, 200 + i);
  char text[512] = "";
  for (int w = 1; w <= words; w++)
    snprintf(text + strlen(text), sizeof text - strlen(text), "%sc%02dw%d", w > 1 ? " " : "", i, w);
  n->next = lf_para(fx, &fx->body, text, 300 + i);
  box->children = n;
  return box;
}

static rp_block *grid(fixture *fx, int cards, int columns) {
  rp_block *g = lf_block(fx, RP_BLOCK_GRID, 50);
  g->u.grid.columns = columns;
  g->u.grid.gap_x = 10;
  g->u.grid.gap_y = 8;
  rp_block **tail = &g->children;
  for (int i = 1; i <= cards; i++) lf_append(&tail, card(fx, i, 1 + (i * 7) % 12));
  return g;
}

/* The card rectangle on page p that contains the point (x, y), or NULL;
 * fails if more than one does. */
static rp_item *card_rect_at(rp_page *p, double x, double y) {
  rp_item *found = NULL;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = lf_item(p, i);
    if (it->kind != RP_ITEM_RECT || !lf_same_color(it->u.shape.fill, CARD_FILL)) continue;
    if (x >= it->x - 0.01 && x <= it->x + it->w + 0.01 && y >= it->y - 0.01 &&
        y <= it->y + it->h + 0.01) {
      assert_null(found);
      found = it;
    }
  }
  return found;
}

static void test_grid_of_30_cards_over_pages(void **state) {
  fixture *fx = *state;
  rp_block *intro = lf_para(fx, &fx->body, "Our people", 10);
  intro->next = grid(fx, 30, 3);
  rp_layout_doc *doc = lf_run(fx, intro);
  assert_true(doc->pages.len >= 3);
  lf_assert_inside_frame(doc);

  double card_w = (LF_W - 2 * 10) / 3;
  for (int i = 1; i <= 30; i++) {
    char name[32], word[32];
    snprintf(name, sizeof name, "Card %02d", i);
    snprintf(word, sizeof word, "c%02dw", i);
    /* exactly once, anywhere */
    assert_int_equal(lf_count_text(doc, name), 1);
    size_t p = 0;
    rp_item *t = NULL;
    assert_true(lf_find_text(doc, name, &p, &t));
    assert_non_null(t);
    rp_item *rect = card_rect_at(lf_page(doc, p), t->x + 1, t->y - 1);
    assert_non_null(rect);
    assert_true(fabs(rect->w - card_w) < 0.01);
    /* the card's words: all on the same page, inside its rectangle */
    int seen = 0;
    for (size_t q = 0; q < doc->pages.len; q++)
      for (size_t k = 0; k < lf_page(doc, q)->items.len; k++) {
        rp_item *it = lf_item(lf_page(doc, q), k);
        if (it->kind != RP_ITEM_TEXT || !strstr(it->u.text.text, word)) continue;
        assert_int_equal(q, p);
        assert_ptr_equal(card_rect_at(lf_page(doc, q), it->x + 1, it->y - 1), rect);
        assert_true(it->x + it->w <= rect->x + rect->w + 0.01);
        seen++;
      }
    assert_true(seen >= 1);
  }
  /* rows: card rectangles sharing a top have one height; 3 per full row */
  int rows = 0;
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *a = lf_item(pg, i);
      if (a->kind != RP_ITEM_RECT || fabs(a->x - LF_X) > 0.01) continue;
      rows++;
      int in_row = 0;
      for (size_t j = 0; j < pg->items.len; j++) {
        rp_item *b = lf_item(pg, j);
        if (b->kind != RP_ITEM_RECT || fabs(b->y - a->y) > 0.01) continue;
        assert_true(fabs(b->h - a->h) < 0.01);
        in_row++;
      }
      assert_int_equal(in_row, 3);
    }
  }
  assert_int_equal(rows, 10);
}

static void test_row_heights_follow_the_tallest_card(void **state) {
  fixture *fx = *state;
  rp_block *g = grid(fx, 3, 3);
  g->children->next->children->next =
      lf_para(fx, &fx->body, "a b c d e f g h i j k l m n o p q", 9);
  rp_layout_doc *doc = lf_run(fx, g);
  rp_page *p = lf_page(doc, 0);
  double h[3];
  int n = 0;
  for (size_t i = 0; i < p->items.len; i++)
    if (lf_item(p, i)->kind == RP_ITEM_RECT) h[n++] = lf_item(p, i)->h;
  assert_int_equal(n, 3);
  assert_true(fabs(h[0] - h[1]) < 0.01 && fabs(h[1] - h[2]) < 0.01);
  /* name (14) + at least two body lines (28) + padding (12) */
  assert_true(h[0] >= 14 + 28 + 12 - 0.01);
}

static void test_rows_move_to_the_next_column(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  fx->frame.gutter = 20;
  rp_layout_doc *doc = lf_run(fx, grid(fx, 20, 2));
  lf_assert_inside_frame(doc);
  double col_w = (LF_W - 20) / 2;
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      /* every card inside one column of the frame */
      bool left = it->x >= LF_X - 0.01 && it->x + it->w <= LF_X + col_w + 0.01;
      bool right = it->x >= LF_X + col_w + 20 - 0.01 && it->x + it->w <= LF_X + LF_W + 0.01;
      assert_true(left || right);
    }
  }
  for (int i = 1; i <= 20; i++) {
    char name[32];
    snprintf(name, sizeof name, "Card %02d", i);
    assert_int_equal(lf_count_text(doc, name), 1);
  }
}

static void test_heading_stays_with_the_first_row(void **state) {
  fixture *fx = *state;
  /* 15 lines (210 pt) leave 50 pt: room for the heading and two lines, not for
   * a row of cards (68 pt) */
  rp_block *fill = NULL, **tail = &fill;
  for (int i = 0; i < 15; i++) lf_append(&tail, lf_para(fx, &fx->body, "filler line", 1));
  rp_style h = fx->bold_st;
  h.keep_with_next = true;
  lf_append(&tail, lf_para(fx, &h, "Our people", 2));
  lf_append(&tail, grid(fx, 3, 3));
  rp_layout_doc *doc = lf_run(fx, fill);
  size_t ph = 9, pc = 9;
  assert_true(lf_find_text(doc, "Our people", &ph, NULL));
  assert_true(lf_find_text(doc, "Card 01", &pc, NULL));
  assert_int_equal(ph, 1);
  assert_int_equal(pc, 1);
}

static void test_no_breaks_inside_a_card(void **state) {
  fixture *fx = *state;
  rp_block *g = grid(fx, 3, 3);
  rp_block *name = g->children->next->children;
  rp_block *brk = lf_block(fx, RP_BLOCK_PAGE_BREAK, 8);
  brk->next = name->next;
  name->next = brk;
  rp_layout_doc *doc = lf_run(fx, g);
  assert_int_equal(doc->pages.len, 1);
  lf_assert_inside_frame(doc);
}

static void test_card_taller_than_a_page_is_an_error(void **state) {
  fixture *fx = *state;
  rp_block *g = grid(fx, 4, 2);
  rp_block *tall = g->children->next->next; /* card 3, layout line 103 */
  char *text = rp_arena_alloc(fx->a, 4000);
  for (int i = 0; i < 400; i++) strcat(text, "word ");
  tall->children->next = lf_para(fx, &fx->body, text, 999);
  rp_layout_doc *out;
  assert_int_equal(lf_try(fx, g, &out), RP_ERR_INPUT);
  assert_null(out);
  assert_true(rp_test_diag_has(&fx->d, "can never fit"));
  assert_int_equal(lf_diag_line(&fx->d, "can never fit"), 103);
}

/* Rows of the grid on page 0: the card rectangles grouped by their top, in
 * order; checks each card's width and that rows start at the left. */
static int row_counts(fixture *fx, const rp_block *g, int *counts, int max_rows) {
  rp_layout_doc *doc = lf_run(fx, (rp_block *)g);
  assert_int_equal(doc->pages.len, 1);
  lf_assert_inside_frame(doc);
  double card_w = (LF_W - (g->u.grid.columns - 1) * g->u.grid.gap_x) / g->u.grid.columns;
  rp_page *p = lf_page(doc, 0);
  int rows = 0;
  double last_y = -1;
  int in_row = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = lf_item(p, i);
    if (it->kind != RP_ITEM_RECT || !lf_same_color(it->u.shape.fill, CARD_FILL)) continue;
    assert_true(fabs(it->w - card_w) < 0.01);
    if (rows == 0 || fabs(it->y - last_y) > 0.01) {
      assert_true(rows < max_rows);
      assert_true(it->y > last_y); /* rows top to bottom */
      counts[rows++] = 0;
      in_row = 0;
      last_y = it->y;
    }
    /* left aligned: the k-th card of a row at k × (card + gap) */
    assert_true(fabs(it->x - (LF_X + in_row * (card_w + g->u.grid.gap_x))) < 0.01);
    in_row++;
    counts[rows - 1]++;
  }
  return rows;
}

static void test_short_last_row_is_balanced(void **state) {
  fixture *fx = *state;
  static const struct {
    int cards, columns;
    bool fill_rows;
    int rows[4];
  } cases[] = {
      {7, 3, false, {3, 2, 2}}, {4, 3, false, {2, 2}}, {11, 3, false, {3, 3, 3, 2}},
      {5, 4, false, {3, 2}},    {6, 3, false, {3, 3}}, {1, 3, false, {1}},
      {7, 3, true, {3, 3, 1}},  {4, 3, true, {3, 1}},  {11, 3, true, {3, 3, 3, 2}},
      {5, 4, true, {4, 1}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rp_block *g = lf_block(fx, RP_BLOCK_GRID, 50);
    g->u.grid.columns = cases[c].columns;
    g->u.grid.gap_x = 10;
    g->u.grid.gap_y = 8;
    g->u.grid.fill_rows = cases[c].fill_rows;
    rp_block **tail = &g->children;
    for (int i = 1; i <= cases[c].cards; i++) lf_append(&tail, card(fx, i, 1));
    int got[4] = {0}, expect_rows = 0;
    while (expect_rows < 4 && cases[c].rows[expect_rows]) expect_rows++;
    int rows = row_counts(fx, g, got, 4);
    if (rows != expect_rows) fail_msg("case %zu: %d rows, expected %d", c, rows, expect_rows);
    for (int r = 0; r < rows; r++)
      if (got[r] != cases[c].rows[r])
        fail_msg("case %zu (%d cards in %d columns): row %d has %d cards, expected %d", c,
                 cases[c].cards, cases[c].columns, r, got[r], cases[c].rows[r]);
    rp_diag_fini(&fx->d);
    rp_diag_init(&fx->d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_grid_of_30_cards_over_pages, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_row_heights_follow_the_tallest_card, lf_setup,
                                      lf_teardown),
      cmocka_unit_test_setup_teardown(test_rows_move_to_the_next_column, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_heading_stays_with_the_first_row, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_no_breaks_inside_a_card, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_card_taller_than_a_page_is_an_error, lf_setup,
                                      lf_teardown),
      cmocka_unit_test_setup_teardown(test_short_last_row_is_balanced, lf_setup, lf_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
