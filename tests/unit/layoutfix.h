/* layoutfix — a bound document built by hand for the layout tests of grids,
 * tables and figures (test_grid.c, test_table.c, test_figure.c): Open Sans,
 * a 400 × 300 pt page with one 360 × 260 pt frame, and helpers to build
 * blocks and inspect pages. Header-only (static inline), so each test
 * executable stays one file plus testutil.c. */
#ifndef RP_TEST_LAYOUTFIX_H
#define RP_TEST_LAYOUTFIX_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/inline.h"
#include "layout/layout.h"
#include "testutil.h"

#define LF_X 20.0
#define LF_Y 20.0
#define LF_W 360.0
#define LF_H 260.0

typedef struct fixture {
  rp_arena *a;
  rp_diag d;
  rp_fontset fs;
  int regular, bold;
  rp_style body, bold_st, big;
  rp_master master;
  rp_frame frame;
  rp_bound_doc doc;
  rp_section section;
  rp_layout_opts opts;
  bool use_opts;
} fixture;

static inline int lf_setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  fx->a = rp_arena_new();
  rp_diag_init(&fx->d);
  rp_fontset_init(&fx->fs);
  assert_int_equal(rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Regular.ttf"), "t", 1,
                                   &fx->d, &fx->regular),
                   RP_OK);
  assert_int_equal(
      rp_fontset_load(&fx->fs, rp_test_src("fonts/OpenSans-Bold.ttf"), "t", 1, &fx->d, &fx->bold),
      RP_OK);
  fx->body = (rp_style){.name = "body",
                        .font = fx->regular,
                        .size = 10,
                        .leading = 14,
                        .color = {0, 0, 0, 1},
                        .align = RP_ALIGN_LEFT};
  fx->bold_st = fx->body;
  fx->bold_st.name = "bold";
  fx->bold_st.font = fx->bold;
  fx->big = fx->bold_st;
  fx->big.name = "big";
  fx->big.size = 40;
  fx->big.leading = 48;
  fx->frame = (rp_frame){.x = LF_X, .y = LF_Y, .w = LF_W, .h = LF_H, .columns = 1};
  fx->master = (rp_master){.name = "test", .width = 400, .height = 300};
  fx->master.any.frames = &fx->frame;
  fx->master.any.n_frames = 1;
  fx->section = (rp_section){.master = &fx->master, .new_page = true, .title = "Sec"};
  fx->doc = (rp_bound_doc){.fonts = &fx->fs, .sections = &fx->section, .layout_path = "t.xml"};
  *state = fx;
  return 0;
}

static inline int lf_teardown(void **state) {
  fixture *fx = *state;
  rp_fontset_fini(&fx->fs);
  rp_diag_fini(&fx->d);
  rp_arena_free(fx->a);
  free(fx);
  return 0;
}

static inline rp_block *lf_block(fixture *fx, rp_block_kind kind, int line) {
  rp_block *b = rp_arena_alloc(fx->a, sizeof *b);
  b->kind = kind;
  b->src.layout_file = "t.xml";
  b->src.layout_line = line;
  return b;
}

static inline rp_span *lf_span(fixture *fx, const rp_style *st, const char *text) {
  rp_span *s = rp_arena_alloc(fx->a, sizeof *s);
  s->text = rp_arena_strdup(fx->a, text);
  s->style = st;
  return s;
}

static inline rp_block *lf_para(fixture *fx, const rp_style *st, const char *text, int line) {
  rp_block *b = lf_block(fx, RP_BLOCK_PARAGRAPH, line);
  b->style = st;
  b->spans = lf_span(fx, st, text);
  return b;
}

/* Appends `b` to the chain whose tail pointer is *tail. */
static inline void lf_append(rp_block ***tail, rp_block *b) {
  **tail = b;
  *tail = &b->next;
}

static inline rp_status lf_try(fixture *fx, rp_block *first, rp_layout_doc **out) {
  fx->section.blocks = first;
  *out = NULL;
  return rp_layout_run_ex(fx->a, &fx->doc, fx->use_opts ? &fx->opts : NULL, &fx->d, out);
}

static inline rp_layout_doc *lf_run(fixture *fx, rp_block *first) {
  rp_layout_doc *out = NULL;
  rp_status st = lf_try(fx, first, &out);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  return out;
}

static inline rp_page *lf_page(rp_layout_doc *doc, size_t i) {
  return &RP_VEC_AT(doc->pages, rp_page, i);
}

static inline rp_item *lf_item(rp_page *p, size_t i) { return &RP_VEC_AT(p->items, rp_item, i); }

/* Every item of the flow (everything but running text) lies inside the frame. */
static inline void lf_assert_inside_frame(rp_layout_doc *doc) {
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < lf_page(doc, p)->items.len; i++) {
      rp_item *it = lf_item(lf_page(doc, p), i);
      double top = it->kind == RP_ITEM_TEXT ? it->y - it->h : it->y;
      double bottom = it->kind == RP_ITEM_TEXT ? it->y : it->y + it->h;
      if (it->x < LF_X - 0.01 || it->x + it->w > LF_X + LF_W + 0.01 || top < LF_Y - 0.01 ||
          bottom > LF_Y + LF_H + 0.01) {
        fprintf(stderr, "outside the frame on page %zu: kind %d at %.2f,%.2f %.2fx%.2f\n", p + 1,
                it->kind, it->x, it->y, it->w, it->h);
        fail();
      }
    }
}

/* The page and item holding text `text` exactly (the first one); false if none. */
static inline bool lf_find_text(rp_layout_doc *doc, const char *text, size_t *page,
                                rp_item **item) {
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < lf_page(doc, p)->items.len; i++) {
      rp_item *it = lf_item(lf_page(doc, p), i);
      if (it->kind == RP_ITEM_TEXT && strcmp(it->u.text.text, text) == 0) {
        if (page) *page = p;
        if (item) *item = it;
        return true;
      }
    }
  return false;
}

/* How many text items, over all pages, contain `needle`. */
static inline int lf_count_text(rp_layout_doc *doc, const char *needle) {
  int n = 0;
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < lf_page(doc, p)->items.len; i++) {
      rp_item *it = lf_item(lf_page(doc, p), i);
      if (it->kind == RP_ITEM_TEXT && strstr(it->u.text.text, needle)) n++;
    }
  return n;
}

static inline bool lf_same_color(rp_color x, rp_color y) {
  return fabsf(x.r - y.r) < 1e-4f && fabsf(x.g - y.g) < 1e-4f && fabsf(x.b - y.b) < 1e-4f &&
         fabsf(x.a - y.a) < 1e-4f;
}

/* The line of the first diagnostic containing `needle`, or -1. */
static inline int lf_diag_line(const rp_diag *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (d->entries[i].message && strstr(d->entries[i].message, needle)) return d->entries[i].line;
  return -1;
}

#endif
