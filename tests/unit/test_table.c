/* Unit tests of layout/table.c: column widths (fixed, share, auto), header
 * rows repeated on every page, rows never split, zebra fills, rules, spans,
 * structure roles, rows that can never fit. */
#include "base/mem.h"
#include "layoutfix.h"

static const rp_color ZEBRA = {0.93f, 0.93f, 0.93f, 1};
static const rp_color RULE = {0.5f, 0.5f, 0.5f, 1};

static rp_block *cell(fixture *fx, const rp_style *st, const char *text, int line) {
  rp_block *c = lf_block(fx, RP_BLOCK_CELL, line);
  c->children = lf_para(fx, st, text, line);
  return c;
}

/* A row of n cells with the given texts. */
static rp_block *row(fixture *fx, const rp_style *st, int line, int n, const char **texts) {
  rp_block *r = lf_block(fx, RP_BLOCK_ROW, line);
  rp_block **tail = &r->children;
  for (int i = 0; i < n; i++) lf_append(&tail, cell(fx, st, texts[i], line));
  return r;
}

static rp_block *table(fixture *fx, rp_table_col *cols, size_t n_cols) {
  rp_block *t = lf_block(fx, RP_BLOCK_TABLE, 30);
  t->u.table.cols = cols;
  t->u.table.n_cols = n_cols;
  for (int k = 0; k < 4; k++) t->box.padding[k] = 3;
  return t;
}

/* The 60-row table of members: Name | Region | Amount, one header row. */
static rp_block *members(fixture *fx) {
  static rp_table_col cols[3] = {{RP_COL_SHARE, 1}, {RP_COL_AUTO, 0}, {RP_COL_FIXED, 80}};
  rp_block *t = table(fx, cols, 3);
  t->u.table.header_rows = 1;
  t->u.table.zebra = ZEBRA;
  t->u.table.rule = RULE;
  t->u.table.rule_width = 0.5;
  rp_block **tail = &t->children;
  const char *head[3] = {"Name", "Region", "Amount"};
  lf_append(&tail, row(fx, &fx->bold_st, 31, 3, head));
  for (int i = 1; i <= 60; i++) {
    char name[32], amount[32];
    snprintf(name, sizeof name, "Person %02d", i);
    snprintf(amount, sizeof amount, "£%d,%03d", i, i * 7 % 1000);
    const char *texts[3] = {name, i % 3 ? "North" : "South West", amount};
    lf_append(&tail, row(fx, &fx->body, 1000 + i, 3, texts));
  }
  return t;
}

static void test_header_repeats_rows_never_split(void **state) {
  fixture *fx = *state;
  rp_layout_doc *doc = lf_run(fx, members(fx));
  assert_true(doc->pages.len >= 3);
  lf_assert_inside_frame(doc);
  /* the header on every page, once, above every body row */
  assert_int_equal(lf_count_text(doc, "Name"), (int)doc->pages.len);
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    double head_y = -1;
    int heads = 0;
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      if (it->kind == RP_ITEM_TEXT && strcmp(it->u.text.text, "Amount") == 0) {
        head_y = it->y;
        heads++;
        /* the first page's header is the real one, the others are artifacts */
        assert_int_equal(it->role == RP_ROLE_ARTIFACT, p > 0);
      }
    }
    assert_int_equal(heads, 1);
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      if (it->kind == RP_ITEM_TEXT && strstr(it->u.text.text, "Person"))
        assert_true(it->y > head_y);
    }
  }
  /* every row once, its three cells on one page and one baseline */
  for (int i = 1; i <= 60; i++) {
    char name[32], amount[32];
    snprintf(name, sizeof name, "Person %02d", i);
    snprintf(amount, sizeof amount, "£%d,%03d", i, i * 7 % 1000);
    size_t p1 = 0, p2 = 0;
    rp_item *a = NULL, *b = NULL;
    assert_int_equal(lf_count_text(doc, name), 1);
    assert_true(lf_find_text(doc, name, &p1, &a));
    assert_true(lf_find_text(doc, amount, &p2, &b));
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(p1, p2);
    assert_true(fabs(a->y - b->y) < 0.01);
    /* zebra: the 2nd, 4th… body rows are filled behind their text */
    rp_page *pg = lf_page(doc, p1);
    int filled = 0;
    for (size_t k = 0; k < pg->items.len; k++) {
      rp_item *it = lf_item(pg, k);
      if (it->kind == RP_ITEM_RECT && lf_same_color(it->u.shape.fill, ZEBRA) && a->y > it->y &&
          a->y < it->y + it->h) {
        filled++;
        assert_true(it->w > LF_W - 0.01);
      }
    }
    assert_int_equal(filled, (i - 1) % 2);
  }
}

static void test_rules_between_rows(void **state) {
  fixture *fx = *state;
  rp_layout_doc *doc = lf_run(fx, members(fx));
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    int rows = 0, rules = 0;
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      if (it->kind == RP_ITEM_RECT && it->role == RP_ROLE_TABLE_ROW) rows++;
      if (it->kind == RP_ITEM_LINE) {
        rules++;
        assert_true(lf_same_color(it->u.shape.stroke, RULE));
        assert_true(fabs(it->w - LF_W) < 0.01);
      }
    }
    /* the repeated header has no TR of its own (artifact): rows + 1 on later pages */
    int placed = rows + (p > 0);
    assert_int_equal(rules, placed - 1);
  }
}

static void test_structure_roles(void **state) {
  fixture *fx = *state;
  rp_layout_doc *doc = lf_run(fx, members(fx));
  int table_id = 0, th = 0, td = 0, tr = 0;
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    int tables = 0;
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      if (it->role == RP_ROLE_TABLE) {
        tables++;
        if (!table_id) table_id = it->struct_id;
        assert_int_equal(it->struct_id, table_id);
        /* unpainted: structure only */
        assert_true(it->u.shape.fill.a == 0 && it->u.shape.stroke.a == 0);
      }
    }
    assert_int_equal(tables, 1);
  }
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = lf_page(doc, p);
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = lf_item(pg, i);
      if (it->role == RP_ROLE_TABLE_ROW) {
        tr++;
        assert_int_equal(it->parent_id, table_id);
      }
      if (it->role != RP_ROLE_TABLE_HEADER && it->role != RP_ROLE_TABLE_CELL) continue;
      it->role == RP_ROLE_TABLE_HEADER ? th++ : td++;
      /* the cell's parent is a row; the cell's text has the cell as parent */
      int row_ok = 0, text = 0;
      for (size_t k = 0; k < pg->items.len; k++) {
        rp_item *o = lf_item(pg, k);
        if (o->role == RP_ROLE_TABLE_ROW && o->struct_id == it->parent_id) row_ok = 1;
        if (o->kind == RP_ITEM_TEXT && o->parent_id == it->struct_id) text++;
      }
      assert_true(row_ok);
      assert_int_equal(text, 1);
    }
  }
  assert_int_equal(th, 3);
  assert_int_equal(td, 180);
  assert_int_equal(tr, 61);
}

/* Widths of the cells of the first row, from their TD/TH anchors. */
static int cell_widths(rp_layout_doc *doc, double *w, int max) {
  rp_page *pg = lf_page(doc, 0);
  int n = 0;
  double y = -1;
  for (size_t i = 0; i < pg->items.len && n < max; i++) {
    rp_item *it = lf_item(pg, i);
    if (it->role != RP_ROLE_TABLE_CELL && it->role != RP_ROLE_TABLE_HEADER) continue;
    if (y >= 0 && fabs(it->y - y) > 0.01) break;
    y = it->y;
    w[n++] = it->w;
  }
  return n;
}

static void test_column_widths_add_up(void **state) {
  fixture *fx = *state;
  rp_table_col cols[4] = {
      {RP_COL_FIXED, 60}, {RP_COL_SHARE, 1}, {RP_COL_SHARE, 2}, {RP_COL_AUTO, 0}};
  rp_block *t = table(fx, cols, 4);
  const char *texts[4] = {"Fixed", "One share", "Two shares", "Automatic width"};
  t->children = row(fx, &fx->body, 40, 4, texts);
  rp_layout_doc *doc = lf_run(fx, t);
  double w[4];
  assert_int_equal(cell_widths(doc, w, 4), 4);
  assert_true(fabs(w[0] + w[1] + w[2] + w[3] - LF_W) < 0.01);
  assert_true(fabs(w[0] - 60) < 0.01);
  assert_true(fabs(w[2] - 2 * w[1]) < 0.01);
  /* the auto column gets exactly its text's natural width plus padding */
  rp_span sp = {.text = "Automatic width", .style = &fx->body};
  double mn, mx;
  assert_int_equal(rp_inline_measure(fx->a, &fx->fs, &sp, &mn, &mx, &fx->d), RP_OK);
  assert_true(fabs(w[3] - (mx + 6)) < 0.01);
}

static double natural(fixture *fx, const char *text) {
  rp_span sp = {.text = text, .style = &fx->body};
  double mn, mx;
  assert_int_equal(rp_inline_measure(fx->a, &fx->fs, &sp, &mn, &mx, &fx->d), RP_OK);
  return mx;
}

static void test_auto_columns_fill_and_squeeze(void **state) {
  fixture *fx = *state;
  double w[3];
  /* no cols: three autos; short texts fill the width in proportion */
  rp_block *t = table(fx, NULL, 0);
  const char *short_texts[3] = {"a", "bb bb", "cccc cccc cccc"};
  t->children = row(fx, &fx->body, 40, 3, short_texts);
  assert_int_equal(cell_widths(lf_run(fx, t), w, 3), 3);
  assert_true(fabs(w[0] + w[1] + w[2] - LF_W) < 0.01);
  assert_true(w[0] < w[1] && w[1] < w[2]);

  /* a long text: single words keep their width, the long one takes the rest */
  char *lng = rp_arena_alloc(fx->a, 2000);
  for (int i = 0; i < 60; i++) strcat(lng, "lorem ");
  const char *long_texts[3] = {"Label", lng, "Figure"};
  t = table(fx, NULL, 0);
  t->children = row(fx, &fx->body, 41, 3, long_texts);
  assert_int_equal(cell_widths(lf_run(fx, t), w, 3), 3);
  assert_true(fabs(w[0] + w[1] + w[2] - LF_W) < 0.01);
  assert_true(fabs(w[0] - (natural(fx, "Label") + 6)) < 0.01);
  assert_true(fabs(w[2] - (natural(fx, "Figure") + 6)) < 0.01);

  /* words wider than the table: squeezed in proportion, still the table's width */
  char *word = rp_arena_alloc(fx->a, 200);
  for (int i = 0; i < 25; i++) strcat(word, "xy");
  const char *wide[3] = {word, word, "z"};
  t = table(fx, NULL, 0);
  t->children = row(fx, &fx->body, 42, 3, wide);
  assert_int_equal(cell_widths(lf_run(fx, t), w, 3), 3);
  assert_true(fabs(w[0] + w[1] + w[2] - LF_W) < 0.01);
  assert_true(fabs(w[0] - w[1]) < 0.01 && w[2] < w[0]);
}

static void test_span_covers_columns(void **state) {
  fixture *fx = *state;
  rp_table_col cols[3] = {{RP_COL_FIXED, 100}, {RP_COL_FIXED, 120}, {RP_COL_SHARE, 1}};
  rp_block *t = table(fx, cols, 3);
  const char *texts[2] = {"Spans two", "Third"};
  rp_block *r = row(fx, &fx->body, 40, 2, texts);
  r->children->u.cell.span = 2;
  t->children = r;
  rp_layout_doc *doc = lf_run(fx, t);
  double w[2];
  assert_int_equal(cell_widths(doc, w, 2), 2);
  assert_true(fabs(w[0] - 220) < 0.01);
  assert_true(fabs(w[1] - (LF_W - 220)) < 0.01);
}

static void test_fixed_columns_too_wide(void **state) {
  fixture *fx = *state;
  rp_table_col cols[2] = {{RP_COL_FIXED, 300}, {RP_COL_FIXED, 100}};
  rp_block *t = table(fx, cols, 2);
  const char *texts[2] = {"a", "b"};
  t->children = row(fx, &fx->body, 40, 2, texts);
  rp_layout_doc *out;
  assert_int_equal(lf_try(fx, t, &out), RP_ERR_INPUT);
  assert_int_equal(lf_diag_line(&fx->d, "fixed columns"), 30);
}

static void test_row_taller_than_a_page(void **state) {
  fixture *fx = *state;
  rp_block *t = members(fx);
  char *lng = rp_arena_alloc(fx->a, 8000);
  for (int i = 0; i < 500; i++) strcat(lng, "lorem ");
  rp_block *r = t->children->next->next->next; /* Person 03, layout line 1003 */
  r->children->children = lf_para(fx, &fx->body, lng, 1003);
  rp_layout_doc *out;
  assert_int_equal(lf_try(fx, t, &out), RP_ERR_INPUT);
  assert_null(out);
  assert_true(rp_test_diag_has(&fx->d, "can never fit"));
  assert_int_equal(lf_diag_line(&fx->d, "can never fit"), 1003);
}

static void test_table_moves_with_its_header(void **state) {
  fixture *fx = *state;
  /* 250 pt of text leave 10 pt: header + first row go to the next page together */
  char *lng = rp_arena_alloc(fx->a, 8000);
  rp_block *p = NULL;
  for (int i = 0; i < 17; i++) strcat(lng, "lorem ipsum dolor sit amet consectetur adipiscing ");
  p = lf_para(fx, &fx->body, lng, 5);
  p->next = members(fx);
  rp_layout_doc *doc = lf_run(fx, p);
  size_t pn = 9, ph = 9;
  assert_true(lf_find_text(doc, "Person 01", &pn, NULL));
  assert_true(lf_find_text(doc, "Name", &ph, NULL));
  assert_int_equal(pn, ph);
}

/* A cell's padding="0" means no padding, not "the table's default". */
static void test_cell_padding_zero_is_zero(void **state) {
  fixture *fx = *state;
  static rp_table_col cols[2] = {{RP_COL_SHARE, 1}, {RP_COL_SHARE, 1}};
  rp_block *t = table(fx, cols, 2);
  const char *texts[2] = {"Padded", "Flush"};
  rp_block *r = row(fx, &fx->body, 31, 2, texts);
  rp_block *flush = r->children->next;
  flush->box.padding_set = true; /* all four sides 0 */
  t->children = r;
  rp_layout_doc *doc = lf_run(fx, t);
  double padded_x = -1, flush_x = -1, cell2_x = -1;
  rp_page *p = lf_page(doc, 0);
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = lf_item(p, i);
    if (it->kind == RP_ITEM_TEXT && strcmp(it->u.text.text, "Padded") == 0) padded_x = it->x;
    if (it->kind == RP_ITEM_TEXT && strcmp(it->u.text.text, "Flush") == 0) flush_x = it->x;
    if (it->kind == RP_ITEM_RECT && it->role == RP_ROLE_TABLE_CELL && it->x > cell2_x)
      cell2_x = it->x;
  }
  assert_true(padded_x >= 0 && flush_x >= 0 && cell2_x >= 0);
  assert_float_equal(flush_x, cell2_x, 0.01); /* flush with its cell */
  assert_true(padded_x > fx->frame.x + 2.9);  /* the table's 3pt padding */
}

/* ---- a table in parts (rp_block.u.table.part) ---------------------------------- */

#define INDEX_ROWS 300

/* The index of INDEX_ROWS entries (Title | Page, a share and a fixed
 * column, one header row, zebra and rules), some entries long enough to
 * take several lines (around part boundaries, so that a tall row meets a
 * column's foot there). With `batch` 0 one whole table; else the same in
 * parts of `batch` body rows, as rp_bind_piece gives a long table, each
 * part a block of its own (the last one empty when `empty_last`). */
static rp_block *index_table(fixture *fx, int batch, bool empty_last) {
  static rp_table_col cols[2] = {{RP_COL_SHARE, 1}, {RP_COL_FIXED, 40}};
  const char *head[2] = {"Title", "Page"};
  rp_block *hrow = row(fx, &fx->bold_st, 31, 2, head);
  rp_block *first = NULL, **out = &first, *part = NULL, **tail = NULL;
  for (int i = 0; i < INDEX_ROWS; i++) {
    if (!part || (batch && i % batch == 0)) {
      part = table(fx, cols, 2);
      part->u.table.header_rows = 1;
      part->u.table.zebra = ZEBRA;
      part->u.table.rule = RULE;
      part->u.table.rule_width = 0.5;
      part->style = &fx->body;
      tail = &part->children;
      if (batch) {
        part->u.table.part = RP_TABLE_PART | (i == 0 ? RP_TABLE_FIRST : 0);
        part->u.table.head = hrow;
        part->u.table.row0 = i;
      } else {
        lf_append(&tail, hrow);
      }
      lf_append(&out, part);
    }
    char title[200], page[16];
    bool tall = i % 64 >= 61 || i % 64 == 0 || i == 200;
    snprintf(title, sizeof title, "%s %03d%s", "Study", i,
             tall ? ": a long title that runs over several lines of the index, as a long "
                    "title does, and then some more words to make it taller"
                  : "");
    snprintf(page, sizeof page, "%d", 10 + i / 2);
    const char *texts[2] = {title, page};
    lf_append(&tail, row(fx, &fx->body, 1000 + i, 2, texts));
  }
  if (batch && empty_last) { /* rows that came out empty: a last part with none */
    rp_block *end = table(fx, cols, 2);
    *end = *part;
    end->children = NULL;
    end->next = NULL;
    end->u.table.part = RP_TABLE_PART;
    end->u.table.row0 = INDEX_ROWS;
    lf_append(&out, end);
    part = end;
  }
  if (batch) part->u.table.part |= RP_TABLE_LAST;
  /* a paragraph after it: the table's space after, and the flow going on */
  rp_block *after = lf_para(fx, &fx->body, "After the index.", 40);
  lf_append(&out, after);
  return first;
}

static char *dump_of(const rp_layout_doc *doc) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  assert_non_null(m);
  assert_int_equal(rp_layout_dump(doc, m), RP_OK);
  fclose(m);
  return buf;
}

/* Hands out a section's blocks a piece at a time, as lazy binding does:
 * one section, streamed, its pieces the blocks of `first` one by one. */
typedef struct feed {
  rp_section s;
  bool given;
  rp_block *next;
  size_t pieces;
} feed;

static rp_status feed_section(void *user, rp_arena *a, const rp_section **out) {
  (void)a;
  feed *fd = user;
  *out = fd->given ? NULL : &fd->s;
  fd->given = true;
  return RP_OK;
}

static rp_status feed_body(void *user, const rp_section *s, const void *run) {
  (void)user, (void)s, (void)run;
  return RP_OK;
}

static rp_status feed_piece(void *user, const rp_section *s, const void *run, rp_arena *a,
                            rp_block **first, bool *keeps) {
  (void)s, (void)run, (void)a;
  feed *fd = user;
  *keeps = false;
  *first = fd->next;
  if (fd->next) {
    fd->next = fd->next->next;
    (*first)->next = NULL;
    fd->pieces++;
  }
  return RP_OK;
}

/* A table of 300 rows placed in parts of 64 (and of 1, and 7 with an empty
 * last part), one after another in the flow or a piece at a time as a
 * streamed section gives them (in columns levelled where the flow ends, so
 * that levelling trials go back into the middle of the table), makes
 * exactly the pages the whole table makes: every item, place and structure
 * id — the header row set again atop every column and page, the zebra
 * counted over the whole table, a tall row that does not fit a column's
 * foot moving on with the header, the space after it once. */
static void test_parts_place_as_whole(void **state) {
  fixture *fx = *state;
  for (int balance = 0; balance < 2; balance++) {
    fx->frame.columns = 2;
    fx->frame.gutter = 12;
    fx->frame.balance = balance;
    rp_layout_doc *whole = lf_run(fx, index_table(fx, 0, false));
    char *want = dump_of(whole);
    assert_true(whole->pages.len >= 4);
    /* the header atop each column (but perhaps the last page's second) */
    assert_true(lf_count_text(whole, "Title") >= (int)(2 * whole->pages.len - 1));
    const int batches[3] = {64, 1, 7};
    for (int k = 0; k < 3; k++) {
      for (int streamed = 0; streamed < 2; streamed++) {
        rp_block *parts = index_table(fx, batches[k], k == 2);
        rp_layout_doc *doc = NULL;
        feed fd = {.s = fx->section, .next = parts};
        fd.s.streamed = true;
        if (streamed) {
          fx->opts = (rp_layout_opts){.next_section = feed_section,
                                      .section_body = feed_body,
                                      .section_piece = feed_piece,
                                      .section_user = &fd};
          fx->use_opts = true;
        }
        doc = lf_run(fx, parts);
        fx->use_opts = false;
        if (streamed) assert_true(fd.pieces > INDEX_ROWS / (size_t)batches[k]);
        char *got = dump_of(doc);
        assert_string_equal(got, want);
        free(got);
      }
    }
    free(want);
  }
}

/* A streamed index bound as layout asks, each part of `batch` rows into
 * the arena layout gives (0: the whole table in one piece); the most bytes
 * live (base/mem's count) while it is laid out and its pages handed on. */
typedef struct lazy_index {
  feed fd;
  fixture *fx;
  rp_block *head;
  int rows, batch, next;
  size_t before, peak;
} lazy_index;

static void sample(lazy_index *li) {
  size_t now = rp_mem_live() - li->before;
  if (now > li->peak) li->peak = now;
}

static rp_block *block_in(rp_arena *a, rp_block_kind kind) {
  rp_block *b = rp_arena_alloc(a, sizeof *b);
  assert_non_null(b);
  b->kind = kind;
  b->src.layout_file = "t.xml";
  b->src.layout_line = 50;
  return b;
}

static rp_block *cell_in(rp_arena *a, const rp_style *st, const char *text) {
  rp_block *c = block_in(a, RP_BLOCK_CELL), *p = block_in(a, RP_BLOCK_PARAGRAPH);
  rp_span *sp = rp_arena_alloc(a, sizeof *sp);
  assert_non_null(sp);
  sp->text = rp_arena_strdup(a, text);
  sp->style = p->style = st;
  p->spans = sp;
  c->children = p;
  return c;
}

static rp_status lazy_piece(void *user, const rp_section *s, const void *run, rp_arena *a,
                            rp_block **first, bool *keeps) {
  (void)s, (void)run;
  lazy_index *li = user;
  sample(li);
  *keeps = false;
  *first = NULL;
  if (li->next >= li->rows) return RP_OK;
  static rp_table_col cols[2] = {{RP_COL_SHARE, 1}, {RP_COL_FIXED, 40}};
  rp_block *t = block_in(a, RP_BLOCK_TABLE);
  t->style = &li->fx->body;
  t->u.table.cols = cols;
  t->u.table.n_cols = 2;
  t->u.table.header_rows = 1;
  t->u.table.head = li->head;
  t->u.table.row0 = li->next;
  t->u.table.part = RP_TABLE_PART | (li->next == 0 ? RP_TABLE_FIRST : 0);
  rp_block **tail = &t->children;
  int n = li->batch ? li->batch : li->rows;
  for (int i = 0; i < n && li->next < li->rows; i++, li->next++) {
    char title[64], page[16];
    snprintf(title, sizeof title, "Study %05d in a town", li->next);
    snprintf(page, sizeof page, "%d", 10 + li->next / 2);
    rp_block *r = block_in(a, RP_BLOCK_ROW);
    r->children = cell_in(a, &li->fx->body, title);
    r->children->next = cell_in(a, &li->fx->body, page);
    lf_append(&tail, r);
  }
  if (li->next >= li->rows) t->u.table.part |= RP_TABLE_LAST;
  *first = t;
  return RP_OK;
}

static rp_status lazy_page_done(void *user, const rp_layout_doc *doc, size_t index) {
  (void)doc, (void)index;
  sample(user);
  return RP_OK;
}

static size_t index_peak(fixture *fx, int rows, int batch) {
  lazy_index li = {.fd = {.s = fx->section}, .fx = fx, .rows = rows, .batch = batch};
  li.fd.s.streamed = true;
  const char *head[2] = {"Title", "Page"};
  li.head = row(fx, &fx->bold_st, 31, 2, head);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  li.before = rp_mem_live();
  rp_layout_opts o = {.next_section = feed_section,
                      .section_body = feed_body,
                      .section_piece = lazy_piece,
                      .section_user = &li,
                      .page_done = lazy_page_done,
                      .page_done_user = &li};
  rp_layout_doc *doc = NULL;
  /* feed_section and feed_body read the feed at the start of li */
  assert_int_equal(rp_layout_run_ex(a, &fx->doc, &o, &fx->d, &doc), RP_OK);
  assert_int_equal(li.next, rows);
  assert_true(doc->pages.len > (size_t)rows / 60);
  rp_arena_free(a);
  return li.peak;
}

/* The index's memory is flat in its length: bound a part at a time and
 * laid out as it comes, with its pages handed on, the most a table of
 * 6,000 rows holds is a few bytes a row more than one of 600 (the pages'
 * own records); bound whole (one piece), its rows are all held, well over
 * a kilobyte each. */
static void test_index_memory_flat(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  size_t small = index_peak(fx, 600, 64), large = index_peak(fx, 6000, 64);
  double per_row = ((double)large - (double)small) / 5400;
  size_t w_small = index_peak(fx, 600, 0), w_large = index_peak(fx, 6000, 0);
  double whole_row = ((double)w_large - (double)w_small) / 5400;
  fprintf(stderr,
          "index peak: in parts 600 rows %zu B, 6000 rows %zu B: %.0f B a row; whole: %zu B, "
          "%zu B: %.0f B a row\n",
          small, large, per_row, w_small, w_large, whole_row);
  assert_true(per_row < 40);
  assert_true(whole_row > 1000);
}

/* A streamed section laid out with the layout's arena failing its nth
 * allocation, for every n until a run no longer reaches one: out of memory
 * said, everything freed, never a crash. (A section whose retiring failed
 * had its arena adopted twice, once by retire and once at the end of
 * run_lazy: a cycle that rp_arena_free read after freeing.) */
static void test_lazy_section_faults(void **state) {
  fixture *fx = *state;
  for (unsigned long n = 1;; n++) {
    rp_block *parts = NULL, **tail = &parts;
    for (int i = 0; i < 6; i++) lf_append(&tail, lf_para(fx, &fx->body, "A piece of the body.", i));
    feed fd = {.s = fx->section, .next = parts};
    fd.s.streamed = true;
    rp_layout_opts o = {.next_section = feed_section,
                        .section_body = feed_body,
                        .section_piece = feed_piece,
                        .section_user = &fd};
    rp_arena *a = rp_arena_new();
    assert_non_null(a);
    rp_arena_fail_after(a, n);
    rp_diag d;
    rp_diag_init(&d);
    rp_layout_doc *doc = NULL;
    rp_status st = rp_layout_run_ex(a, &fx->doc, &o, &d, &doc);
    size_t errors = d.errors;
    rp_diag_fini(&d);
    rp_arena_free(a);
    if (st == RP_OK) {
      assert_true(n > 10); /* the failures came first */
      break;
    }
    assert_int_equal(st, RP_ERR_INTERNAL);
    assert_true(errors > 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_header_repeats_rows_never_split, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_cell_padding_zero_is_zero, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_rules_between_rows, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_structure_roles, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_column_widths_add_up, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_auto_columns_fill_and_squeeze, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_span_covers_columns, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_fixed_columns_too_wide, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_row_taller_than_a_page, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_table_moves_with_its_header, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_parts_place_as_whole, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_index_memory_flat, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_lazy_section_faults, lf_setup, lf_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
