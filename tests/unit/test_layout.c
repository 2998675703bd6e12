/* Unit tests of layout/: pages, columns, widows and orphans, keep-with-next,
 * keep-together, running footers, list markers — on bound documents built by
 * hand, so the engine is tested without any layout file. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/inline.h"
#include "layout/layout.h"
#include "testutil.h"

typedef struct fixture {
  rp_arena *a;
  rp_diag d;
  rp_fontset fs;
  rp_style body, h1, folio;
  rp_master master;
  rp_frame frame;
  rp_decoration footer;
  rp_bound_doc doc;
  rp_section section;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  fx->a = rp_arena_new();
  rp_diag_init(&fx->d);
  rp_fontset_init(&fx->fs);
  int regular, bold;
  assert_int_equal(
      rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Regular.ttf"), "t", 1, &fx->d, &regular),
      RP_OK);
  assert_int_equal(
      rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Bold.ttf"), "t", 1, &fx->d, &bold),
      RP_OK);
  fx->body = (rp_style){.name = "body",
                        .font = regular,
                        .size = 10,
                        .leading = 14,
                        .color = {0, 0, 0, 1},
                        .align = RP_ALIGN_LEFT,
                        .space_after = 6};
  fx->h1 = fx->body;
  fx->h1.name = "h1";
  fx->h1.font = bold;
  fx->h1.size = 20;
  fx->h1.leading = 24;
  fx->h1.space_before = 12;
  fx->h1.keep_with_next = true;
  fx->folio = fx->body;
  fx->folio.align = RP_ALIGN_RIGHT;
  /* A small page: 300 x 200 pt, one frame of 10 lines (140 pt). */
  fx->frame = (rp_frame){.x = 20, .y = 20, .w = 260, .h = 140, .columns = 1};
  fx->footer = (rp_decoration){.is_text = true,
                               .x = 20,
                               .y = 170,
                               .w = 260,
                               .h = 14,
                               .text = "{$section} {$page}/{$pages}",
                               .style = &fx->folio};
  fx->master = (rp_master){.name = "test", .width = 300, .height = 200};
  fx->master.any.frames = &fx->frame;
  fx->master.any.n_frames = 1;
  fx->master.any.footer = &fx->footer;
  fx->section =
      (rp_section){.master = &fx->master, .new_page = true, .title = "Sec", .bookmark = "Section"};
  fx->doc = (rp_bound_doc){.fonts = &fx->fs, .sections = &fx->section, .layout_path = "t.xml"};
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  rp_fontset_fini(&fx->fs);
  rp_diag_fini(&fx->d);
  rp_arena_free(fx->a);
  free(fx);
  return 0;
}

static rp_block *para(fixture *fx, const rp_style *st, const char *text) {
  rp_block *b = rp_arena_alloc(fx->a, sizeof *b);
  rp_span *s = rp_arena_alloc(fx->a, sizeof *s);
  s->text = rp_arena_strdup(fx->a, text);
  s->style = st;
  b->kind = st == &fx->h1 ? RP_BLOCK_HEADING : RP_BLOCK_PARAGRAPH;
  b->level = 1;
  b->style = st;
  b->spans = s;
  b->src.layout_file = "t.xml";
  b->src.layout_line = 42;
  return b;
}

/* Words "word000 word001 …" that break into exactly `lines` lines at `width` pt. */
static char *words_at(fixture *fx, int lines, double width) {
  char *s = rp_arena_alloc(fx->a, 20000);
  size_t n = 0;
  for (;;) {
    size_t len = strlen(s);
    sprintf(s + len, "%sword%03zu", n ? " " : "", n);
    rp_span sp = {.text = s, .style = &fx->body};
    rp_lines ls;
    assert_int_equal(rp_inline_break(fx->a, &fx->fs, &sp, width, 0, RP_ALIGN_LEFT, &ls, &fx->d),
                     RP_OK);
    if ((int)ls.n > lines) {
      s[len] = '\0';
      return s;
    }
    n++;
  }
}

static char *words(fixture *fx, int lines) { return words_at(fx, lines, 260); }

static void chain(rp_block **blocks, size_t n) {
  for (size_t i = 0; i + 1 < n; i++) blocks[i]->next = blocks[i + 1];
}

static rp_layout_doc *run(fixture *fx, rp_block *first) {
  fx->section.blocks = first;
  rp_layout_doc *out = NULL;
  rp_status st = rp_layout_run(fx->a, &fx->doc, &fx->d, &out);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  return out;
}

static rp_page *page(rp_layout_doc *doc, size_t i) { return &RP_VEC_AT(doc->pages, rp_page, i); }

/* Lines of struct `sid` on page p (distinct baselines). */
static int lines_on(rp_page *p, int sid) {
  double last = -1;
  int n = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind == RP_ITEM_TEXT && it->struct_id == sid && fabs(it->y - last) > 0.01) {
      n++;
      last = it->y;
    }
  }
  return n;
}

static int first_sid(rp_page *p, rp_role role) {
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind == RP_ITEM_TEXT && it->role == role) return it->struct_id;
  }
  return 0;
}

/* Nothing of the flow may fall outside the frame. */
static void assert_inside_frame(fixture *fx, rp_layout_doc *doc) {
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < page(doc, p)->items.len; i++) {
      rp_item *it = &RP_VEC_AT(page(doc, p)->items, rp_item, i);
      if (it->kind != RP_ITEM_TEXT || it->role == RP_ROLE_ARTIFACT) continue;
      assert_true(it->y <= fx->frame.y + fx->frame.h + 0.01);
      assert_true(it->y - it->h >= fx->frame.y - 0.01);
      assert_true(it->x + it->w <= fx->frame.x + fx->frame.w + 0.5);
    }
}

static void test_long_paragraph_paginates(void **state) {
  fixture *fx = *state;
  rp_block *b = para(fx, &fx->body, words(fx, 25));
  rp_layout_doc *doc = run(fx, b);
  assert_int_equal(doc->pages.len, 3);
  int sid = first_sid(page(doc, 0), RP_ROLE_P);
  int total = 0;
  for (size_t p = 0; p < doc->pages.len; p++) {
    int n = lines_on(page(doc, p), sid);
    assert_true(n >= 2); /* no widows, no orphans */
    total += n;
  }
  assert_int_equal(page(doc, 0)->items.len > 0, 1);
  assert_int_equal(total, 25);
  assert_inside_frame(fx, doc);
}

static void test_no_orphan(void **state) {
  fixture *fx = *state;
  /* 9 lines fill the frame but one line; a following paragraph may not leave one line behind. */
  rp_block *b[2] = {para(fx, &fx->body, words(fx, 8)), para(fx, &fx->body, words(fx, 5))};
  fx->body.space_after = 0;
  chain(b, 2);
  rp_layout_doc *doc = run(fx, b[0]);
  assert_int_equal(doc->pages.len, 2);
  /* the second paragraph's first struct on page 1 holds all its lines, or at least 2 */
  for (size_t p = 0; p < 2; p++) {
    for (size_t i = 0; i < page(doc, p)->items.len; i++) {
      rp_item *it = &RP_VEC_AT(page(doc, p)->items, rp_item, i);
      if (it->kind == RP_ITEM_TEXT && it->role == RP_ROLE_P)
        assert_true(lines_on(page(doc, p), it->struct_id) >= 2);
    }
  }
}

static void test_no_widow(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  /* 11 lines in a 10-line frame: 9 + 2, never 10 + 1. */
  rp_block *b = para(fx, &fx->body, words(fx, 11));
  rp_layout_doc *doc = run(fx, b);
  int sid = first_sid(page(doc, 0), RP_ROLE_P);
  int n0 = lines_on(page(doc, 0), sid), n1 = lines_on(page(doc, 1), sid);
  assert_true(n1 >= 2);
  assert_true(n0 >= 2);
}

static void test_heading_kept_with_next(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  rp_block *b[3] = {para(fx, &fx->body, words(fx, 8)), para(fx, &fx->h1, "Heading"),
                    para(fx, &fx->body, words(fx, 3))};
  chain(b, 3);
  rp_layout_doc *doc = run(fx, b[0]);
  assert_int_equal(doc->pages.len, 2);
  assert_int_equal(first_sid(page(doc, 0), RP_ROLE_H1), 0); /* not left at the foot */
  assert_true(first_sid(page(doc, 1), RP_ROLE_H1) != 0);
  /* and the heading is the first thing on page 2 */
  rp_item *first = NULL;
  for (size_t i = 0; i < page(doc, 1)->items.len && !first; i++) {
    rp_item *it = &RP_VEC_AT(page(doc, 1)->items, rp_item, i);
    if (it->kind == RP_ITEM_TEXT && it->role != RP_ROLE_ARTIFACT) first = it;
  }
  assert_non_null(first);
  assert_int_equal(first->role, RP_ROLE_H1);
}

static void test_two_columns(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  fx->frame.gutter = 20;
  rp_block *b = para(fx, &fx->body, words(fx, 12));
  rp_layout_doc *doc = run(fx, b);
  /* Text appears in both columns of page 1: x ≈ 20 and x ≈ 160. */
  int left = 0, right = 0;
  rp_page *p = page(doc, 0);
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT || it->role == RP_ROLE_ARTIFACT) continue;
    if (fabs(it->x - 20) < 0.5) left++;
    if (fabs(it->x - 160) < 0.5) right++;
    assert_true(it->x + it->w <= (it->x < 150 ? 140.5 : 280.5));
  }
  assert_true(left >= 2);
  assert_true(right >= 2);
}

static void test_footer_page_numbers(void **state) {
  fixture *fx = *state;
  rp_layout_doc *doc = run(fx, para(fx, &fx->body, words(fx, 25)));
  for (size_t p = 0; p < doc->pages.len; p++) {
    char want[64];
    snprintf(want, sizeof want, "%zu/%zu", p + 1, doc->pages.len);
    int found = 0;
    for (size_t i = 0; i < page(doc, p)->items.len; i++) {
      rp_item *it = &RP_VEC_AT(page(doc, p)->items, rp_item, i);
      if (it->kind == RP_ITEM_TEXT && it->role == RP_ROLE_ARTIFACT &&
          strstr(it->u.text.text, want)) {
        found = 1;
        /* right-aligned in its box */
        assert_true(fabs(it->x + it->w - 280) < 0.5);
      }
    }
    assert_true(found);
  }
}

/* A section title as long as its section (a mutant of the sample found it:
 * 100,000 characters in one word) made the footer quadratic: each of the
 * many pages broke the whole title again (here with its page number, so no
 * two pages' footers are the same). Only the start of a running text is set
 * now, with one warning; messages quote an excerpt. */
static void test_footer_long_section_title(void **state) {
  fixture *fx = *state;
  /* "Wéé…": the cut at 1000 bytes falls inside an é, which must not be split */
  char *title = rp_arena_alloc(fx->a, 20002);
  title[0] = 'W';
  for (size_t i = 1; i < 20000; i += 2) memcpy(title + i, "\xc3\xa9", 2);
  fx->section.title = title;
  size_t before = rp_arena_used(fx->a);
  rp_layout_doc *doc = run(fx, para(fx, &fx->h1, title));
  size_t used = rp_arena_used(fx->a) - before;
  assert_true(doc->pages.len > 50);
  for (size_t p = 0; p < doc->pages.len; p++) {
    size_t bytes = 0;
    for (size_t i = 0; i < page(doc, p)->items.len; i++) {
      rp_item *it = &RP_VEC_AT(page(doc, p)->items, rp_item, i);
      if (it->kind != RP_ITEM_TEXT || it->role != RP_ROLE_ARTIFACT) continue;
      bytes += strlen(it->u.text.text);
      for (const char *c = it->u.text.text; *c; c++) /* é whole, or the "…" */
        if (*c == '\xc3')
          assert_true(c[1] == '\xa9');
        else if ((*c & 0xC0) == 0x80)
          assert_true(c[-1] == '\xc3' || c[-1] == '\xe2' || c[-1] == '\x80');
    }
    assert_in_range(bytes, 900, 1010); /* with the "…" */
  }
  /* about 200 KB a page now; it was 2.2 GB, each page breaking all 20,000 characters */
  if (used > 200u << 20) fail_msg("the layout took %zu MB", used >> 20);
  size_t longer = 0;
  for (size_t i = 0; i < fx->d.count; i++) {
    const char *m = fx->d.entries[i].message;
    if (strstr(m, "is longer than 1000 bytes: only its start is set")) longer++;
    if (strlen(m) > 200) fail_msg("a long message: %.200s…", m);
  }
  assert_int_equal(longer, 1);
}

static void test_bookmark_at_section_start(void **state) {
  fixture *fx = *state;
  rp_layout_doc *doc = run(fx, para(fx, &fx->body, "Hello"));
  rp_item *bm = &RP_VEC_AT(page(doc, 0)->items, rp_item, 0);
  assert_int_equal(bm->kind, RP_ITEM_BOOKMARK);
  assert_string_equal(bm->u.bookmark.title, "Section");
  assert_int_equal(bm->u.bookmark.level, 1);
}

static void test_keep_together_never_fits(void **state) {
  fixture *fx = *state;
  rp_block *box = rp_arena_alloc(fx->a, sizeof *box);
  box->kind = RP_BLOCK_BOX;
  box->keep_together = true;
  box->children = para(fx, &fx->body, words(fx, 14));
  box->src.layout_file = "t.xml";
  box->src.layout_line = 7;
  fx->section.blocks = box;
  rp_layout_doc *out = NULL;
  assert_int_equal(rp_layout_run(fx->a, &fx->doc, &fx->d, &out), RP_ERR_INPUT);
  assert_null(out);
  assert_true(rp_test_diag_has(&fx->d, "can never fit"));
  assert_int_equal(fx->d.entries[0].line, 7);
  assert_string_equal(fx->d.entries[0].file, "t.xml");
}

static void test_keep_together_moves(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  rp_block *box = rp_arena_alloc(fx->a, sizeof *box);
  box->kind = RP_BLOCK_BOX;
  box->keep_together = true;
  box->box.fill = (rp_color){1, 0, 0, 1};
  box->children = para(fx, &fx->body, words(fx, 4));
  rp_block *first = para(fx, &fx->body, words(fx, 7));
  first->next = box;
  rp_layout_doc *doc = run(fx, first);
  assert_int_equal(doc->pages.len, 2);
  /* the box's background is on page 2 and behind its text */
  rp_page *p = page(doc, 1);
  size_t rect = SIZE_MAX, text = SIZE_MAX;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind == RP_ITEM_RECT && rect == SIZE_MAX) rect = i;
    if (it->kind == RP_ITEM_TEXT && it->role != RP_ROLE_ARTIFACT && text == SIZE_MAX) text = i;
  }
  assert_true(rect < text);
  assert_true(fabs(RP_VEC_AT(p->items, rp_item, rect).h - 4 * 14) < 0.5);
}

static void test_list_markers_on_first_baseline(void **state) {
  fixture *fx = *state;
  rp_block *list = rp_arena_alloc(fx->a, sizeof *list);
  list->kind = RP_BLOCK_LIST;
  list->style = &fx->body;
  rp_block **tail = &list->children;
  for (int i = 0; i < 3; i++) {
    rp_block *item = rp_arena_alloc(fx->a, sizeof *item);
    item->kind = RP_BLOCK_ITEM;
    item->u.item.marker = rp_arena_printf(fx->a, "%d.", i + 1);
    item->children = para(fx, &fx->body, words(fx, 2));
    *tail = item;
    tail = &item->next;
  }
  rp_layout_doc *doc = run(fx, list);
  rp_page *p = page(doc, 0);
  int markers = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT || it->role != RP_ROLE_LIST_LABEL) continue;
    markers++;
    /* the next body text shares the marker's baseline and starts right of it */
    rp_item *body = &RP_VEC_AT(p->items, rp_item, i + 1);
    assert_true(fabs(body->y - it->y) < 0.01);
    assert_true(body->x >= it->x + it->w);
  }
  assert_int_equal(markers, 3);
}

/* ---- list items across page and column breaks ------------------------------ */

/* Words tagged "<tag>w00 <tag>w01 …" that break into exactly `lines` lines
 * `width` pt wide. */
static char *tagged_words(fixture *fx, const char *tag, int lines, double width) {
  char *s = rp_arena_alloc(fx->a, 4000);
  for (size_t n = 0;; n++) {
    size_t len = strlen(s);
    sprintf(s + len, "%s%sw%02zu", n ? " " : "", tag, n);
    rp_span sp = {.text = s, .style = &fx->body};
    rp_lines ls;
    assert_int_equal(rp_inline_break(fx->a, &fx->fs, &sp, width, 0, RP_ALIGN_LEFT, &ls, &fx->d),
                     RP_OK);
    if ((int)ls.n > lines) {
      s[len] = '\0';
      return s;
    }
  }
}

static rp_block *list_item(fixture *fx, const char *marker) {
  rp_block *it = rp_arena_alloc(fx->a, sizeof *it);
  it->kind = RP_BLOCK_ITEM;
  it->u.item.marker = rp_arena_strdup(fx->a, marker);
  return it;
}

/* An item's first block: a paragraph of `lines` lines tagged `tag`. */
static rp_block *item_para(fixture *fx, const char *tag, int lines, int depth) {
  return para(fx, &fx->body, tagged_words(fx, tag, lines, 260 - 15 * depth));
}

/* Numbered items "(i)" … of every shape: text of one or several lines, of
 * one or several paragraphs, starting with a nested list (markers "5a."),
 * text of their own followed by blocks. Item k's words are tagged "iKK",
 * its nested items' "iKKnJ". */
static rp_block *roman_list(fixture *fx) {
  static const char *const roman[] = {"(i)",  "(ii)",  "(iii)",  "(iv)", "(v)",
                                      "(vi)", "(vii)", "(viii)", "(ix)", "(x)"};
  /* per item: lines of its own text (0: none), then of up to two blocks;
   * a negative count is a nested list of that many one- or three-line items */
  static const int shape[10][3] = {{1, 0, 0},  {3, 0, 0}, {0, 1, 4}, {0, 1, 1},  {0, -2, 2},
                                   {0, -3, 0}, {0, 5, 0}, {1, 2, 0}, {0, -1, 1}, {0, 2, 1}};
  rp_block *list = rp_arena_alloc(fx->a, sizeof *list);
  list->kind = RP_BLOCK_LIST;
  list->style = &fx->body;
  rp_block **tail = &list->children;
  for (int k = 0; k < 10; k++) {
    char tag[16];
    snprintf(tag, sizeof tag, "i%02d", k + 1);
    rp_block *it = list_item(fx, roman[k]);
    if (shape[k][0] > 0) {
      it->spans = rp_arena_alloc(fx->a, sizeof *it->spans);
      it->spans->text = tagged_words(fx, tag, shape[k][0], 245);
      it->spans->style = &fx->body;
    }
    rp_block **ctail = &it->children;
    for (int b = 1; b < 3 && shape[k][b]; b++) {
      rp_block *blk;
      if (shape[k][b] > 0) {
        blk = item_para(fx, tag, shape[k][b], 1);
      } else {
        blk = rp_arena_alloc(fx->a, sizeof *blk);
        blk->kind = RP_BLOCK_LIST;
        blk->style = &fx->body;
        rp_block **ntail = &blk->children;
        for (int j = 1; j <= -shape[k][b]; j++) {
          char ntag[32], nmark[16];
          snprintf(ntag, sizeof ntag, "%sn%d", tag, j);
          snprintf(nmark, sizeof nmark, "%d%c.", k + 1, 'a' + j - 1);
          rp_block *nit = list_item(fx, nmark);
          nit->children = item_para(fx, ntag, j % 2 ? 1 : 3, 2);
          *ntail = nit;
          ntail = &nit->next;
        }
      }
      *ctail = blk;
      ctail = &blk->next;
    }
    *tail = it;
    tail = &it->next;
  }
  return list;
}

/* Checks the item whose marker is `marker` and whose words contain `tag`:
 * the marker is drawn once, on the page and baseline of the item's first
 * line, and that line is not the last of its page or column when the item
 * has more. */
static void check_item(rp_layout_doc *doc, const char *marker, const char *tag, double space) {
  int markers = 0, lines = 0;
  size_t mp = 0, p1 = 0;
  double my = 0, y1 = 0;
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < page(doc, p)->items.len; i++) {
      rp_item *it = &RP_VEC_AT(page(doc, p)->items, rp_item, i);
      if (it->kind != RP_ITEM_TEXT) continue;
      if (it->role == RP_ROLE_LIST_LABEL) {
        if (strcmp(it->u.text.text, marker) == 0) {
          markers++;
          mp = p;
          my = it->y;
        }
        continue;
      }
      if (!strstr(it->u.text.text, tag)) continue;
      if (lines == 0) {
        p1 = p;
        y1 = it->y;
        lines = 1;
      } else if (lines == 1 && (p != p1 || fabs(it->y - y1) > 0.01)) {
        if (p != p1 || it->y < y1)
          fail_msg("%s %s: its first line is the last of page %zu (%gpt before the list)", marker,
                   tag, p1 + 1, space);
        lines = 2;
      }
    }
  if (markers != 1) fail_msg("marker %s drawn %d times (%gpt before)", marker, markers, space);
  assert_true(lines > 0);
  if (mp != p1 || fabs(my - y1) > 0.01)
    fail_msg("marker %s on page %zu at %.2f, its first line on page %zu at %.2f (%gpt before)",
             marker, mp + 1, my, p1 + 1, y1, space);
}

static void test_list_items_across_page_breaks(void **state) {
  fixture *fx = *state;
  for (int columns = 1; columns <= 2; columns++) {
    fx->frame.columns = columns;
    fx->frame.gutter = 20;
    for (double space = 0; space <= 140; space += 2) {
      rp_block *lead = para(fx, &fx->body, "lead");
      rp_block *gap = rp_arena_alloc(fx->a, sizeof *gap);
      gap->kind = RP_BLOCK_SPACER;
      gap->height = space;
      lead->next = gap;
      gap->next = roman_list(fx);
      rp_layout_doc *doc = run(fx, lead);
      for (const rp_block *it = gap->next->children; it; it = it->next) {
        int k = 0;
        for (const rp_block *x = gap->next->children; x != it; x = x->next) k++;
        char tag[16];
        snprintf(tag, sizeof tag, "i%02d", k + 1);
        check_item(doc, it->u.item.marker, tag, space);
        const rp_block *first = it->children;
        if (it->spans || !first || first->kind != RP_BLOCK_LIST) continue;
        int j = 1;
        for (const rp_block *n = first->children; n; n = n->next, j++) {
          char ntag[32];
          snprintf(ntag, sizeof ntag, "%sn%d", tag, j);
          check_item(doc, n->u.item.marker, ntag, space);
        }
      }
    }
  }
}

static void test_links_become_link_items(void **state) {
  fixture *fx = *state;
  rp_block *b = para(fx, &fx->body, "Visit ");
  rp_span *link = rp_arena_alloc(fx->a, sizeof *link);
  link->text = "our site";
  link->style = &fx->body;
  link->href = "https://example.org/";
  b->spans->next = link;
  rp_layout_doc *doc = run(fx, b);
  int found = 0;
  for (size_t i = 0; i < page(doc, 0)->items.len; i++) {
    rp_item *it = &RP_VEC_AT(page(doc, 0)->items, rp_item, i);
    if (it->kind == RP_ITEM_LINK) {
      assert_string_equal(it->u.link.uri, "https://example.org/");
      assert_true(it->w > 10 && it->h > 5);
      found++;
    }
  }
  assert_int_equal(found, 1);
}

static void test_dump_is_stable(void **state) {
  fixture *fx = *state;
  rp_layout_doc *doc = run(fx, para(fx, &fx->body, "Dump \"me\""));
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  assert_int_equal(rp_layout_dump(doc, m), RP_OK);
  fclose(m);
  assert_non_null(strstr(buf, "page 1 300.00x200.00 master=test label=1"));
  assert_non_null(
      strstr(buf, "OpenSans-Regular.ttf 10.00 color=#000000 \"Dump \\\"me\\\"\" role=P"));
  assert_non_null(strstr(buf, "@L42"));
  free(buf);
}

static void test_page_label_runs(void **state) {
  fixture *fx = *state;
  /* Front matter numbered i, ii; the body restarts at 1; {$pages} counts the body. */
  rp_section body = fx->section;
  fx->section.page_label_style = "roman";
  fx->section.blocks = para(fx, &fx->body, words(fx, 15));
  body.page_label_style = "decimal";
  body.title = "Body";
  body.blocks = para(fx, &fx->body, words(fx, 15));
  fx->section.next = &body;
  rp_layout_doc *out = NULL;
  assert_int_equal(rp_layout_run(fx->a, &fx->doc, &fx->d, &out), RP_OK);
  assert_int_equal(out->pages.len, 4);
  const char *want[4] = {"i", "ii", "1", "2"};
  for (size_t p = 0; p < 4; p++) assert_string_equal(page(out, p)->label, want[p]);
  int found = 0;
  rp_page *last = page(out, 3);
  for (size_t i = 0; i < last->items.len; i++) {
    rp_item *it = &RP_VEC_AT(last->items, rp_item, i);
    if (it->kind == RP_ITEM_TEXT && it->role == RP_ROLE_ARTIFACT &&
        strcmp(it->u.text.text, "Body 2/2") == 0)
      found = 1;
  }
  assert_true(found);
}

/* Baselines of body text in the column starting at x on page p. */
static int col_lines(rp_page *p, double x, double *last) {
  int n = 0;
  double prev = -1;
  *last = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT || it->role == RP_ROLE_ARTIFACT || fabs(it->x - x) > 0.5) continue;
    if (fabs(it->y - prev) > 0.01) n++;
    prev = it->y;
    if (it->y > *last) *last = it->y;
  }
  return n;
}

/* A two-column frame with balance: one paragraph of L lines on one page
 * splits as a simple model says: the lowest column height that holds it,
 * ⌈L/2⌉ lines, and the rest; a paragraph too short to split without a widow
 * or an orphan (under 4 lines) stays whole in the first column. */
static void test_balanced_frame_model(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  fx->frame.gutter = 20; /* columns of 120 pt at x 20 and 160 */
  fx->frame.balance = true;
  fx->body.space_after = 0;
  for (int lines = 1; lines <= 20; lines++) {
    rp_layout_doc *doc = run(fx, para(fx, &fx->body, words_at(fx, lines, 120)));
    assert_int_equal(doc->pages.len, 1);
    double yl, yr;
    int left = col_lines(page(doc, 0), 20, &yl), right = col_lines(page(doc, 0), 160, &yr);
    int want = lines < 4 ? lines : (lines + 1) / 2;
    if (left != want || right != lines - want)
      fail_msg("%d lines: %d + %d, want %d + %d", lines, left, right, want, lines - want);
    if (right) assert_true(yl - yr >= -0.01 && yl - yr <= fx->body.leading + 0.01);
  }
}

/* Only the page where the flow ends is levelled: the pages before stay full. */
static void test_balanced_frame_last_page_only(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  fx->frame.gutter = 20;
  fx->frame.balance = true;
  fx->body.space_after = 0;
  rp_layout_doc *doc = run(fx, para(fx, &fx->body, words_at(fx, 26, 120)));
  assert_int_equal(doc->pages.len, 2);
  double y0, y1;
  assert_int_equal(col_lines(page(doc, 0), 20, &y0), 10);
  assert_int_equal(col_lines(page(doc, 0), 160, &y1), 10);
  assert_int_equal(col_lines(page(doc, 1), 20, &y0), 3);
  assert_int_equal(col_lines(page(doc, 1), 160, &y1), 3);
  assert_true(fabs(y0 - y1) < 0.01);
  fx->frame.balance = false; /* as before: the first column fills */
  doc = run(fx, para(fx, &fx->body, words_at(fx, 26, 120)));
  assert_int_equal(col_lines(page(doc, 1), 20, &y0), 6);
  assert_int_equal(col_lines(page(doc, 1), 160, &y1), 0);
}

/* A heading that keeps with the next paragraph is never left at the foot
 * of the first column by levelling. */
static void test_balanced_frame_keeps_heading(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  fx->frame.gutter = 20;
  fx->frame.balance = true;
  fx->body.space_after = 0;
  fx->h1.space_before = 0;
  for (int before = 2; before <= 8; before++) {
    rp_block *b[3] = {para(fx, &fx->body, words_at(fx, before, 120)), para(fx, &fx->h1, "Head"),
                      para(fx, &fx->body, words_at(fx, 4, 120))};
    chain(b, 3);
    rp_layout_doc *doc = run(fx, b[0]);
    assert_int_equal(doc->pages.len, 1);
    /* the heading's line is followed in its column by a body line */
    rp_page *p = page(doc, 0);
    double head_x = -1, head_y = 0, below = -1;
    for (size_t i = 0; i < p->items.len; i++) {
      rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
      if (it->kind != RP_ITEM_TEXT) continue;
      if (it->role == RP_ROLE_H1) head_x = it->x, head_y = it->y;
      if (it->role == RP_ROLE_P && head_x >= 0 && fabs(it->x - head_x) < 0.5 && it->y > head_y)
        below = it->y;
    }
    assert_true(head_x >= 0);
    if (below < 0) fail_msg("%d lines before: the heading ends its column", before);
  }
}

/* n one-line paragraphs "n1"…, in a <columns> block of `count`, then "after". */
static rp_layout_doc *names_block(fixture *fx, int n, int count, bool balance) {
  rp_block *first = NULL, **tail = &first;
  for (int i = 1; i <= n; i++) {
    char t[16];
    snprintf(t, sizeof t, "n%d", i);
    *tail = para(fx, &fx->body, t);
    tail = &(*tail)->next;
  }
  rp_block *cols = rp_arena_alloc(fx->a, sizeof *cols);
  cols->kind = RP_BLOCK_COLUMNS;
  cols->style = &fx->body;
  cols->children = first;
  cols->u.columns.count = count;
  cols->u.columns.gap = 20;
  cols->u.columns.balance = balance;
  cols->next = para(fx, &fx->body, "after");
  return run(fx, cols);
}

static void test_columns_block(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  fx->body.space_before = 0;
  rp_layout_doc *doc = names_block(fx, 7, 2, true); /* columns of 120 pt at x 20 and 160 */
  rp_page *p = page(doc, 0);
  double yl, yr, after = -1, lowest = 0;
  assert_int_equal(col_lines(p, 160, &yr), 3);
  int left = col_lines(p, 20, &yl); /* with "after" */
  assert_int_equal(left, 5);
  /* n1…n4 down the first column, n5…n7 down the second, in order */
  int next = 1;
  double prev_y = 0, prev_x = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT || it->role == RP_ROLE_ARTIFACT) continue;
    if (strcmp(it->u.text.text, "after") == 0) {
      after = it->y;
      continue;
    }
    char want[16];
    snprintf(want, sizeof want, "n%d", next++);
    assert_string_equal(it->u.text.text, want);
    assert_true(it->x > prev_x + 0.5 || it->y > prev_y);
    assert_true(fabs(it->x - (next <= 5 ? 20 : 160)) < 0.5);
    prev_x = it->x, prev_y = it->y;
    if (it->y > lowest) lowest = it->y;
  }
  assert_int_equal(next, 8);
  /* "after" is the line below the taller column: one leading below n4 */
  assert_true(fabs(after - (lowest + fx->body.leading)) < 0.01);
  /* balance="false": the first column fills first */
  doc = names_block(fx, 7, 2, false);
  assert_int_equal(col_lines(page(doc, 0), 160, &yr), 0);
}

/* Three columns of one-line names share them as evenly as one bottom per
 * column allows: ⌈k/3⌉ in the first, the rest halved, the fuller first
 * (7 → 3, 2, 2, not 3, 3, 1). Columns of 73.3 pt at x 20, 113.3, 206.7. */
static void test_columns_block_three(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  for (int k = 1; k <= 21; k++) {
    rp_layout_doc *doc = names_block(fx, k, 3, true);
    double y[3];
    int got[3];
    double w = (260 - 2 * 20) / 3.0;
    for (int c = 0; c < 3; c++) got[c] = col_lines(page(doc, 0), 20 + c * (w + 20), &y[c]);
    got[0]--; /* "after" */
    int want0 = (k + 2) / 3, rest = k - want0, want1 = (rest + 1) / 2;
    if (got[0] != want0 || got[1] != want1 || got[2] != rest - want1)
      fail_msg("%d names: %d %d %d, want %d %d %d", k, got[0], got[1], got[2], want0, want1,
               rest - want1);
  }
}

/* A three-column frame levels as the block does: k one-line paragraphs
 * (up to a page of 30) as ⌈k/3⌉, then the rest halved. */
static void test_balanced_frame_three(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 3;
  fx->frame.gutter = 20;
  fx->frame.balance = true;
  fx->body.space_after = 0;
  double w = (260 - 2 * 20) / 3.0;
  for (int k = 1; k <= 30; k++) {
    rp_block *first = NULL, **tail = &first;
    for (int i = 1; i <= k; i++) {
      char t[16];
      snprintf(t, sizeof t, "n%d", i);
      *tail = para(fx, &fx->body, t);
      tail = &(*tail)->next;
    }
    rp_layout_doc *doc = run(fx, first);
    assert_int_equal(doc->pages.len, 1);
    double y;
    int got[3];
    for (int c = 0; c < 3; c++) got[c] = col_lines(page(doc, 0), 20 + c * (w + 20), &y);
    int want0 = (k + 2) / 3, rest = k - want0, want1 = (rest + 1) / 2;
    if (got[0] != want0 || got[1] != want1 || got[2] != rest - want1)
      fail_msg("%d lines: %d %d %d, want %d %d %d", k, got[0], got[1], got[2], want0, want1,
               rest - want1);
  }
}

/* A paragraph "text¹ more…" of `lines` lines whose mark references a note of
 * `note_lines` lines (7.5/10pt) numbered `mark`. */
static rp_block *noted_para(fixture *fx, const rp_style *note_st, const char *mark, int lines,
                            int note_lines) {
  rp_note *n = rp_arena_calloc(fx->a, 1, sizeof *n);
  n->mark = mark;
  n->style = note_st;
  n->foot = true;
  rp_span *label = rp_arena_calloc(fx->a, 1, sizeof *label);
  rp_span *text = rp_arena_calloc(fx->a, 1, sizeof *text);
  *label = (rp_span){.text = mark,
                     .style = note_st,
                     .script = RP_SCRIPT_SUP,
                     .note = n,
                     .note_label = true,
                     .next = text};
  /* note words break like body words: 7.5pt text in 260pt, about 1.33 body lines a line */
  char *nt = rp_arena_alloc(fx->a, 4000);
  nt[0] = '\0';
  for (int i = 0; i < note_lines * 9; i++) strcat(nt, " note word xx");
  *text = (rp_span){.text = nt, .style = note_st};
  n->spans = label;
  rp_block *b = para(fx, &fx->body, "Marked");
  rp_span *m = rp_arena_calloc(fx->a, 1, sizeof *m);
  rp_span *rest = rp_arena_calloc(fx->a, 1, sizeof *rest);
  *m =
      (rp_span){.text = mark, .style = &fx->body, .script = RP_SCRIPT_SUP, .note = n, .next = rest};
  *rest = (rp_span){.text = lines > 1 ? words(fx, lines - 1) : " end", .style = &fx->body};
  if (lines > 1) {
    char *t = rp_arena_alloc(fx->a, strlen(rest->text) + 2);
    sprintf(t, " %s", rest->text);
    rest->text = t;
  }
  b->spans->next = m;
  return b;
}

/* Footnotes against a simple model, at every position of a page break: after
 * `k` lines of text (k = 0 … 12) comes a paragraph whose first line has a
 * mark of a two-line note, then more text. Whatever the break, the note is on
 * the page of its mark, below every line of text there and below its rule,
 * ending on the frame's bottom; no line of text runs into the notes' room. */
static void test_footnotes_follow_their_line(void **state) {
  fixture *fx = *state;
  rp_style note_st = fx->body;
  note_st.name = "footnote";
  note_st.size = 7.5;
  note_st.leading = 10;
  note_st.space_after = 0;
  fx->doc.notes = (rp_note_area){
      .space = 6, .rule_width = 0.5, .rule_length = 0.25, .rule_color = {0, 0, 0, 1}};
  for (int k = 0; k <= 12; k++) {
    rp_block *b[3] = {k ? para(fx, &fx->body, words(fx, k)) : para(fx, &fx->body, "Start."),
                      noted_para(fx, &note_st, "1", 3, 2), para(fx, &fx->body, words(fx, 4))};
    chain(b, 3);
    rp_layout_doc *doc = run(fx, b[0]);
    int mark_page = -1, note_page = -1, rules = 0;
    for (size_t p = 0; p < doc->pages.len; p++) {
      rp_page *pg = page(doc, p);
      double text_bottom = 0, rule_y = 1e9, note_top = 1e9, note_bottom = 0;
      for (size_t i = 0; i < pg->items.len; i++) {
        rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
        if (it->kind == RP_ITEM_RECT && it->role == RP_ROLE_ARTIFACT && it->h > 0 && it->h < 1) {
          rule_y = it->y;
          rules++;
        }
        if (it->kind != RP_ITEM_TEXT || it->role == RP_ROLE_ARTIFACT) continue;
        if (it->role == RP_ROLE_NOTE_REF) mark_page = (int)p;
        if (it->role == RP_ROLE_NOTE || it->role == RP_ROLE_NOTE_LABEL) {
          note_page = (int)p;
          note_top = fmin(note_top, it->y - it->h);
          note_bottom = fmax(note_bottom, it->y);
        } else {
          text_bottom = fmax(text_bottom, it->y + 0.25 * it->h); /* descenders */
        }
      }
      if (note_bottom > 0) {
        assert_true(rule_y < note_top);
        assert_true(text_bottom <= rule_y + 0.01);
        /* the last note line's box ends on the frame's bottom */
        assert_true(note_bottom <= fx->frame.y + fx->frame.h + 0.01);
        assert_true(note_bottom > fx->frame.y + fx->frame.h - 10);
      }
    }
    assert_true(mark_page >= 0);
    assert_int_equal(mark_page, note_page);
    assert_int_equal(rules, 1);
    assert_inside_frame(fx, doc);
  }
}

/* A note taller than the page is an error at the note's content line. */
static void test_footnote_too_tall(void **state) {
  fixture *fx = *state;
  rp_style note_st = fx->body;
  note_st.size = 7.5;
  note_st.leading = 10;
  fx->doc.notes = (rp_note_area){.space = 6, .rule_width = 0.5, .rule_length = 0.25};
  rp_block *b = noted_para(fx, &note_st, "1", 3, 20);
  rp_note *n = (rp_note *)b->spans->next->note;
  n->src = (rp_src){"t.xml", 3, "c.xml", 17};
  fx->section.blocks = b;
  rp_layout_doc *out = NULL;
  assert_int_equal(rp_layout_run(fx->a, &fx->doc, &fx->d, &out), RP_ERR_INPUT);
  const rp_diag_entry *e = &fx->d.entries[0];
  assert_string_equal(e->file, "c.xml");
  assert_int_equal(e->line, 17);
  assert_non_null(strstr(e->message, "note 1 cannot fit"));
}

/* ---- streaming (layout.h page_done) ---- */

/* A page's items as text: what render would draw from it. */
static char *snap(const rp_page *pg) {
  size_t cap = 256 + pg->items.len * 160, n = 0;
  char *out = malloc(cap);
  n += (size_t)snprintf(out, cap, "%s %s %zu\n", pg->label ? pg->label : "-", pg->master,
                        pg->items.len);
  for (size_t i = 0; i < pg->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
    n += (size_t)snprintf(out + n, cap - n, "%d %d %d %.3f %.3f %.3f %.3f ", it->kind, it->role,
                          it->struct_id, it->x, it->y, it->w, it->h);
    if (it->kind == RP_ITEM_TEXT)
      n += (size_t)snprintf(out + n, cap - n, "%.60s\n", it->u.text.text);
    else if (it->kind == RP_ITEM_LINK)
      n += (size_t)snprintf(out + n, cap - n, "%s %d %.3f\n", it->u.link.uri ? it->u.link.uri : "-",
                            it->u.link.dest_page, it->u.link.dest_y);
    else
      n += (size_t)snprintf(out + n, cap - n, "\n");
  }
  return out;
}

typedef struct sink {
  char *pages[64];        /* what each page held when handed on */
  size_t n, laid_out[64]; /* pages handed on; pages begun at each call */
} sink;

static rp_status sink_page(void *user, const rp_layout_doc *doc, size_t index) {
  sink *k = user;
  if (index != k->n || index >= 64) fail_msg("page %zu handed on after %zu pages", index, k->n);
  for (size_t p = 0; p < index; p++) /* every page before was freed */
    assert_int_equal(RP_VEC_AT(doc->pages, rp_page, p).items.len, 0);
  k->laid_out[k->n] = doc->pages.len;
  k->pages[k->n++] = snap(&RP_VEC_AT(doc->pages, rp_page, index));
  return RP_OK;
}

/* Lays `first` out kept and streamed (with the count from the kept pass as
 * the hint); each page is handed on once, in order, holding exactly what
 * the kept layout's page holds at the end — so nothing changed it after it
 * was handed on — and its items are freed. Without the hint, and a budget
 * it stays within, nothing is handed on and every page is kept as it would
 * be without page_done. Returns the number of pages; *early: pages handed
 * on before the last page was begun. */
static size_t streams_as_kept(fixture *fx, rp_block *first, bool hint, size_t *early) {
  rp_layout_doc *kept = run(fx, first);
  sink k = {0};
  rp_layout_opts o = {.page_done = sink_page,
                      .page_done_user = &k,
                      .pages_hint = hint ? kept->run_pages : 0,
                      .hold_bytes = hint ? 0 : SIZE_MAX};
  rp_layout_doc *doc = NULL;
  assert_int_equal(rp_layout_run_ex(fx->a, &fx->doc, &o, &fx->d, &doc), RP_OK);
  assert_false(doc->recount);
  assert_int_equal(doc->run_pages, kept->run_pages);
  /* a pass that ends within the budget (one page never final before the
   * end) keeps its pages */
  bool whole = !hint || k.n == 0;
  assert_int_equal(k.n, whole ? 0 : kept->pages.len);
  assert_int_equal(doc->pages.len, kept->pages.len);
  *early = 0;
  for (size_t p = 0; p < kept->pages.len; p++) {
    char *want = snap(page(kept, p));
    if (whole) {
      char *got = snap(page(doc, p));
      assert_string_equal(got, want);
      free(got);
      free(want);
      continue;
    }
    assert_string_equal(k.pages[p], want);
    assert_int_equal(page(doc, p)->items.len, 0);
    assert_string_equal(page(doc, p)->label, page(kept, p)->label);
    if (k.laid_out[p] < kept->pages.len) ++*early;
    free(want);
    free(k.pages[p]);
  }
  return kept->pages.len;
}

/* ---- charts drawn on another thread (charts/memo.h rp_charts_draw_memo_held) */

static void *serve_charts(void *w) {
  rp_layout_chart_worker_serve(w);
  return NULL;
}

/* Paragraphs and bar charts, a chart after each (different values). */
static rp_block *charts_between(fixture *fx, int n) {
  static const char *const cats[] = {"North", "South", "East", "West"};
  rp_block *first = NULL, **tail = &first;
  for (int i = 0; i < n; i++) {
    rp_block *p = para(fx, &fx->body, words(fx, 3 + i % 4));
    rp_chart *c = rp_arena_calloc(fx->a, 1, sizeof *c);
    *c = (rp_chart){.kind = RP_CHART_BAR,
                    .label = {.font = fx->body.font, .size = 8, .color = {0, 0, 0, 1}},
                    .value = {.font = fx->body.font, .size = 8, .color = {0, 0, 0, 1}},
                    .heading = {.font = fx->body.font, .size = 10, .color = {0, 0, 0, 1}},
                    .axis = {0.3f, 0.3f, 0.3f, 1},
                    .background = {1, 1, 1, 1}};
    c->categories = (const char **)cats;
    c->n_categories = 4;
    c->series = rp_arena_calloc(fx->a, 1, sizeof *c->series);
    double *v = rp_arena_alloc(fx->a, 4 * sizeof *v);
    for (int k = 0; k < 4; k++) v[k] = 10 + i * 3 + k * (i % 3 + 1);
    c->series[0].values = v;
    c->n_series = 1;
    rp_block *b = rp_arena_calloc(fx->a, 1, sizeof *b);
    b->kind = RP_BLOCK_CHART;
    b->height = 120;
    b->u.chart.kind = "bar";
    b->u.chart.data = c;
    b->src.layout_file = "t.xml";
    b->src.layout_line = 43;
    *tail = p, p->next = b, tail = &b->next;
  }
  return first;
}

/* Charts handed to a worker by a layout whose pages are held (kept whole,
 * or streamed past a budget of 1 byte: each page handed on as soon as it
 * is final) are put into their pages where drawing them there puts them:
 * every page, kept or as handed on, holds what the layout drawing them
 * inline (no memo) holds; and the worker drew them. */
static void test_charts_held_on_worker(void **state) {
  fixture *fx = *state;
  rp_block *first = charts_between(fx, 14);
  rp_layout_doc *kept = run(fx, first);
  assert_true(kept->pages.len >= 4);
  for (int streamed = 0; streamed < 2; streamed++) {
    struct rp_chart_memo *m = rp_layout_chart_memo_new();
    struct rp_chart_worker *w = rp_layout_chart_worker_new();
    assert_non_null(m), assert_non_null(w);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, serve_charts, w), 0);
    rp_layout_chart_memo_serve(m, w);
    sink k = {0};
    rp_layout_opts o = {.page_done = streamed ? sink_page : NULL,
                        .page_done_user = &k,
                        .pages_hint = kept->run_pages,
                        .hold_bytes = streamed ? 1 : SIZE_MAX,
                        .chart_memo = m};
    rp_layout_doc *doc = NULL;
    fx->section.blocks = first;
    assert_int_equal(rp_layout_run_ex(fx->a, &fx->doc, &o, &fx->d, &doc), RP_OK);
    assert_int_equal(fx->d.count, 0);
    assert_int_equal(doc->pages.len, kept->pages.len);
    assert_int_equal(k.n, streamed ? kept->pages.len : 0);
    for (size_t p = 0; p < kept->pages.len; p++) {
      char *want = snap(page(kept, p)), *got = streamed ? k.pages[p] : snap(page(doc, p));
      assert_string_equal(got, want);
      free(got), free(want);
    }
    assert_int_equal(rp_layout_chart_memo_later(m), 14);
    size_t draws = 0, copies = 0;
    rp_layout_chart_memo_free(m, &draws, &copies);
    assert_int_equal(draws, 14);
    rp_layout_chart_worker_close(w);
    assert_int_equal(pthread_join(t, NULL), 0);
    rp_layout_chart_worker_free(w);
  }
}

/* A keep-with-next heading at a page's foot moves to the next page with
 * its paragraph: the page it left is handed on without it. */
static void test_stream_heading_at_foot(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  rp_block *b[4] = {para(fx, &fx->body, words(fx, 8)), para(fx, &fx->h1, "Heading"),
                    para(fx, &fx->body, words(fx, 12)), para(fx, &fx->body, words(fx, 9))};
  chain(b, 4);
  size_t early;
  assert_int_equal(streams_as_kept(fx, b[0], true, &early), 4);
  assert_true(early >= 2); /* with the count known, pages go as they are done */
  assert_int_equal(streams_as_kept(fx, b[0], false, &early), 4); /* within the budget: kept */
}

/* A balanced frame: the trials that level the last page go back to the
 * mark where the section's flow began, pages before it included. */
static void test_stream_balanced_end(void **state) {
  fixture *fx = *state;
  fx->frame.columns = 2;
  fx->frame.gutter = 20;
  fx->frame.balance = true;
  fx->body.space_after = 0;
  size_t early;
  for (int lines = 20; lines <= 60; lines += 7)
    assert_true(streams_as_kept(fx, para(fx, &fx->body, words_at(fx, lines, 120)), true, &early) >=
                1);
  /* a second section on a page of its own: the first's pages go before it */
  rp_section two = fx->section;
  fx->section.next = &two;
  two.blocks = para(fx, &fx->body, words_at(fx, 45, 120));
  assert_int_equal(streams_as_kept(fx, para(fx, &fx->body, words_at(fx, 45, 120)), true, &early),
                   6);
  assert_true(early >= 3);
  fx->section.next = NULL;
}

/* A footnote whose line does not fit with it moves on with its line: the
 * page it would have ended on is handed on without either. */
static void test_stream_footnote_pushed(void **state) {
  fixture *fx = *state;
  rp_style note_st = fx->body;
  note_st.size = 7.5;
  note_st.leading = 10;
  note_st.space_after = 0;
  fx->doc.notes = (rp_note_area){
      .space = 6, .rule_width = 0.5, .rule_length = 0.25, .rule_color = {0, 0, 0, 1}};
  for (int k = 6; k <= 10; k++) {
    rp_block *b[4] = {para(fx, &fx->body, words(fx, k)), noted_para(fx, &note_st, "1", 3, 2),
                      para(fx, &fx->body, words(fx, 14)), para(fx, &fx->body, words(fx, 6))};
    chain(b, 4);
    size_t early;
    assert_true(streams_as_kept(fx, b[0], true, &early) >= 3);
    assert_true(early >= 1);
  }
}

/* Past hold_bytes without the count, the pass only counts: nothing is
 * handed on, and the count is right for the next pass. */
static void test_stream_counts_past_budget(void **state) {
  fixture *fx = *state;
  rp_block *b = para(fx, &fx->body, words(fx, 60));
  rp_layout_doc *kept = run(fx, b);
  sink k = {0};
  rp_layout_opts o = {.page_done = sink_page, .page_done_user = &k, .hold_bytes = 1};
  rp_layout_doc *doc = NULL;
  assert_int_equal(rp_layout_run_ex(fx->a, &fx->doc, &o, &fx->d, &doc), RP_OK);
  assert_true(doc->recount);
  assert_int_equal(k.n, 0);
  assert_int_equal(doc->run_pages, kept->run_pages);
  for (size_t p = 0; p < doc->pages.len; p++) assert_int_equal(page(doc, p)->items.len, 0);
  /* a wrong hint is found out */
  o.hold_bytes = 0;
  o.pages_hint = kept->run_pages + 1;
  assert_int_equal(rp_layout_run_ex(fx->a, &fx->doc, &o, &fx->d, &doc), RP_OK);
  assert_true(doc->recount);
  for (size_t p = 0; p < k.n; p++) free(k.pages[p]);
}

/* With defer_pages, a pass past hold_bytes without the count does not only
 * count: it hands every page on without its {$pages} footer, which the page
 * lists (rp_page.later), and rp_layout_running_set then sets that footer
 * with the count exactly as a kept layout has it, items and all. Within the
 * budget nothing is deferred: the pages are the kept ones. */
static void test_stream_defers_pages(void **state) {
  fixture *fx = *state;
  rp_block *b = para(fx, &fx->body, words(fx, 60));
  rp_layout_doc *kept = run(fx, b);
  assert_true(kept->pages.len >= 3);
  sink k = {0};
  rp_layout_opts o = {
      .page_done = sink_page, .page_done_user = &k, .hold_bytes = 1, .defer_pages = true};
  rp_layout_doc *doc = NULL;
  assert_int_equal(rp_layout_run_ex(fx->a, &fx->doc, &o, &fx->d, &doc), RP_OK);
  assert_false(doc->recount); /* one pass */
  assert_int_equal(doc->run_pages, kept->run_pages);
  assert_int_equal(k.n, kept->pages.len);
  for (size_t p = 0; p < kept->pages.len; p++) {
    const rp_page *pg = page(doc, p);
    assert_int_equal(pg->items.len, 0);
    assert_non_null(pg->later);
    assert_null(pg->later->next);
    assert_ptr_equal(pg->later->dec, &fx->footer);
    assert_string_equal(pg->later->section, "Sec");
    /* the page as handed on, then its footer set with the count */
    rp_page late = {0};
    assert_int_equal(rp_layout_running_set(fx->a, doc, p, pg->later, doc->run_pages, &late, &fx->d),
                     RP_OK);
    assert_true(late.items.len >= 1);
    late.label = pg->label;
    late.master = pg->master;
    char *lines = snap(&late);
    const char *handed = strchr(k.pages[p], '\n') + 1, *set = strchr(lines, '\n') + 1;
    size_t n = page(kept, p)->items.len, handed_n = 0;
    char lab[64], mas[64];
    assert_int_equal(sscanf(k.pages[p], "%63s %63s %zu", lab, mas, &handed_n), 3);
    assert_int_equal(n, handed_n + late.items.len); /* the footer's items, left off */
    char *got = malloc(strlen(handed) + strlen(set) + 64);
    sprintf(got, "%s %s %zu\n%s%s", pg->label, pg->master, n, handed, set);
    char *want = snap(page(kept, p));
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(lines);
    free(k.pages[p]);
  }
  /* within the budget: kept whole, nothing deferred */
  k.n = 0;
  o.hold_bytes = SIZE_MAX;
  assert_int_equal(rp_layout_run_ex(fx->a, &fx->doc, &o, &fx->d, &doc), RP_OK);
  assert_int_equal(k.n, 0);
  for (size_t p = 0; p < kept->pages.len; p++) {
    assert_null(page(doc, p)->later);
    char *got = snap(page(doc, p)), *want = snap(page(kept, p));
    assert_string_equal(got, want);
    free(got);
    free(want);
  }
}

/* A link to a block three pages on: its page waits until the block's page
 * is final, and is handed on pointing at it; a link to an id nothing has
 * keeps its uri, for render to leave out. */
static void test_stream_forward_link(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  rp_block *b[5] = {para(fx, &fx->body, "See "), para(fx, &fx->body, words(fx, 30)),
                    para(fx, &fx->body, "Target"), para(fx, &fx->body, words(fx, 25)),
                    para(fx, &fx->body, "Nowhere ")};
  rp_span *to = rp_arena_alloc(fx->a, sizeof *to), *none = rp_arena_alloc(fx->a, sizeof *none);
  *to = (rp_span){.text = "the target", .style = &fx->body, .href = "#target"};
  *none = (rp_span){.text = "at all", .style = &fx->body, .href = "#missing"};
  b[0]->spans->next = to;
  b[4]->spans->next = none;
  b[2]->anchor = "target";
  chain(b, 5);
  size_t early;
  assert_int_equal(streams_as_kept(fx, b[0], true, &early), 6);
  assert_true(early >= 1); /* the pages after the target's went as they were done */
  rp_layout_doc *kept = run(fx, b[0]);
  int dest = -1;
  const char *left = NULL;
  for (size_t p = 0; p < kept->pages.len; p++)
    for (size_t i = 0; i < page(kept, p)->items.len; i++) {
      const rp_item *it = &RP_VEC_AT(page(kept, p)->items, rp_item, i);
      if (it->kind != RP_ITEM_LINK) continue;
      if (p == 0)
        dest = it->u.link.dest_page;
      else
        left = it->u.link.uri;
    }
  assert_int_equal(dest, 3);
  assert_string_equal(left, "#missing");
}

/* ---- keeping with what follows, from below other blocks -------------------- */

/* The first page (0-based) with a text item containing `want`; -1 when none. */
static int page_with(rp_layout_doc *doc, const char *want) {
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < page(doc, p)->items.len; i++) {
      rp_item *it = &RP_VEC_AT(page(doc, p)->items, rp_item, i);
      if (it->kind == RP_ITEM_TEXT && strstr(it->u.text.text, want)) return (int)p;
    }
  return -1;
}

static rp_block *box_of(fixture *fx, rp_block *first) {
  rp_block *box = rp_arena_alloc(fx->a, sizeof *box);
  box->kind = RP_BLOCK_BOX;
  box->children = first;
  box->src.layout_file = "t.xml";
  box->src.layout_line = 9;
  return box;
}

/* A kept-together box below other blocks needs the space before its first
 * block too (a kicker's), which the top of a column drops: 3 lines (42 pt)
 * fit the 56 pt left, but not with the kicker's 20 pt above them, so the
 * box starts page 2 whole rather than leave its kicker at page 1's foot. */
static void test_keep_together_counts_space_before(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  rp_style kicker = fx->body;
  kicker.space_before = 20;
  rp_block *k = para(fx, &kicker, "KICKER");
  k->next = para(fx, &fx->body, tagged_words(fx, "B", 2, 260));
  rp_block *box = box_of(fx, k);
  box->keep_together = true;
  rp_block *first = para(fx, &fx->body, words(fx, 6));
  first->next = box;
  rp_layout_doc *doc = run(fx, first);
  assert_int_equal(page_with(doc, "KICKER"), 1);
  assert_int_equal(page_with(doc, "Bw00"), 1);
  assert_inside_frame(fx, doc);
}

/* A heading that ends a box of its own (a head box) keeps the box with what
 * follows: 7 lines (98 pt) leave room for the heading (12 + 24 pt), not for
 * the paragraph's first line after it, so box and heading go to page 2. */
static void test_box_ending_in_heading_kept_with_next(void **state) {
  fixture *fx = *state;
  fx->body.space_after = 0;
  rp_block *box = box_of(fx, para(fx, &fx->h1, "Heading"));
  rp_block *b[3] = {para(fx, &fx->body, words(fx, 7)), box,
                    para(fx, &fx->body, tagged_words(fx, "A", 3, 260))};
  chain(b, 3);
  rp_layout_doc *doc = run(fx, b[0]);
  assert_int_equal(page_with(doc, "Heading"), 1);
  assert_int_equal(page_with(doc, "Aw00"), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_long_paragraph_paginates, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_orphan, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_widow, setup, teardown),
      cmocka_unit_test_setup_teardown(test_heading_kept_with_next, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_columns, setup, teardown),
      cmocka_unit_test_setup_teardown(test_footer_page_numbers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_footer_long_section_title, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bookmark_at_section_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_keep_together_never_fits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_keep_together_moves, setup, teardown),
      cmocka_unit_test_setup_teardown(test_keep_together_counts_space_before, setup, teardown),
      cmocka_unit_test_setup_teardown(test_box_ending_in_heading_kept_with_next, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list_markers_on_first_baseline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list_items_across_page_breaks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_links_become_link_items, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dump_is_stable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_page_label_runs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_balanced_frame_model, setup, teardown),
      cmocka_unit_test_setup_teardown(test_balanced_frame_last_page_only, setup, teardown),
      cmocka_unit_test_setup_teardown(test_balanced_frame_keeps_heading, setup, teardown),
      cmocka_unit_test_setup_teardown(test_columns_block, setup, teardown),
      cmocka_unit_test_setup_teardown(test_columns_block_three, setup, teardown),
      cmocka_unit_test_setup_teardown(test_balanced_frame_three, setup, teardown),
      cmocka_unit_test_setup_teardown(test_footnotes_follow_their_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_footnote_too_tall, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_heading_at_foot, setup, teardown),
      cmocka_unit_test_setup_teardown(test_charts_held_on_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_balanced_end, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_footnote_pushed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_counts_past_budget, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_defers_pages, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_forward_link, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
