/* grid — cards in rows: `columns` cards per row at equal widths with gaps,
 * each row as tall as its tallest card. The usual card is a box holding a
 * photo, a name and a few lines; any block can be a card.
 *
 * Rules:
 *   - a card never splits: each is measured with the flow's sandbox
 *     (rp_flow_measure) at the card width, and a row that does not fit the
 *     space left moves whole to the next column or page;
 *   - boxes and quotes are stretched to the row's height (their background
 *     and border run to the bottom of the row), other cards keep theirs;
 *   - a card's own space before and after are ignored (the grid's gaps
 *     replace them), so equal backgrounds really are equal;
 *   - gap_y separates rows, but not at the top of a column;
 *   - rows are balanced: n cards in `columns` take ceil(n / columns) rows,
 *     filled as evenly as possible with the fuller rows first (7 in 3:
 *     3, 2, 2), so no card sits alone on a last row; cards keep their width
 *     and rows start at the left. balance="false" (fill_rows) fills every
 *     row but the last;
 *   - a card taller than an empty column can never fit: an error naming the
 *     card's layout line.
 * Cards are placed with the column's bottom lifted out of reach and page and
 * column breaks switched off (flow.atomic): the row is known to fit, so
 * nothing inside a card may start a new column. */
#include <math.h>

#include "layout/flow.h"

#define EPS 1e-6

typedef struct grid_geom {
  int n;          /* cards per row */
  double outer_w; /* pt: space between ctx.left and ctx.right */
  double card_w;  /* pt */
} grid_geom;

static rp_status geometry(flow *f, const rp_block *b, place_ctx ctx, grid_geom *g) {
  g->n = b->u.grid.columns > 0 ? b->u.grid.columns : 1;
  g->outer_w = f->col_w - ctx.left - ctx.right;
  double w = b->width > 0 && b->width < g->outer_w ? b->width : g->outer_w;
  g->card_w = (w - (g->n - 1) * b->u.grid.gap_x) / g->n;
  if (g->card_w <= 1)
    return rp_diag_error(f->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                         "a grid of %d columns with %gpt gaps leaves no room for its cards in "
                         "%.0fpt; use fewer columns or smaller gaps",
                         g->n, b->u.grid.gap_x, w);
  return RP_OK;
}

/* The context that sets a block at card `k`'s position and width. */
static place_ctx card_ctx(const grid_geom *g, const rp_block *b, place_ctx ctx, int k) {
  double left = k * (g->card_w + b->u.grid.gap_x);
  place_ctx c = ctx;
  c.left = ctx.left + left;
  c.right = ctx.right + (g->outer_w - left - g->card_w);
  return c;
}

/* The card as placed in the grid: alone, without its own spacing, and (for
 * boxes) at least `height` tall. */
static rp_status card_copy(flow *f, const rp_block *card, double height, rp_block *out) {
  *out = *card;
  out->next = NULL;
  if (card->style && (card->style->space_before != 0 || card->style->space_after != 0)) {
    rp_style *st = rp_arena_alloc(f->a, sizeof *st);
    if (!st) return rp_diag_oom(f->d);
    *st = *card->style;
    st->space_before = st->space_after = 0;
    out->style = st;
  }
  if (rp_flow_kind_of(card)->fills_row && height > out->height) out->height = height;
  return RP_OK;
}

/* Measures the row of cards cards[0..k); *row_h gets the tallest. A card
 * taller than an empty column is an error (not in the sandbox, whose column
 * has no bottom). */
static rp_status measure_row(flow *f, const rp_block *b, place_ctx ctx, const grid_geom *g,
                             const rp_block *first, int k, double *row_h) {
  *row_h = 0;
  const rp_block *c = first;
  for (int i = 0; i < k; i++, c = c->next) {
    rp_block one;
    rp_status st = card_copy(f, c, 0, &one);
    double h = 0;
    f->atomic++; /* as placed: off the baseline grid */
    if (st == RP_OK) st = rp_flow_measure(f, &one, card_ctx(g, b, ctx, i), &h);
    f->atomic--;
    if (st != RP_OK) return st;
    if (h > f->col_bottom - f->col_top + EPS) return rp_flow_no_fit(f, c, h);
    if (h > *row_h) *row_h = h;
  }
  return RP_OK;
}

static int count_cards(const rp_block *first) {
  int n = 0;
  for (const rp_block *c = first; c; c = c->next) n++;
  return n;
}

/* Cards in row `row` (0-based) of `n` cards in rows of at most `columns`. */
int rp_grid_row_len(int n, int columns, int row, bool fill_rows) {
  if (columns < 1) columns = 1;
  int rows = (n + columns - 1) / columns;
  if (row < 0 || row >= rows) return 0;
  if (fill_rows) return row + 1 < rows ? columns : n - row * columns;
  return n / rows + (row < n % rows ? 1 : 0);
}

rp_status rp_flow_grid_min_start(flow *f, const rp_block *b, place_ctx ctx, double *h) {
  grid_geom g;
  rp_status st = geometry(f, b, ctx, &g);
  if (st != RP_OK) return st;
  int first = rp_grid_row_len(count_cards(b->children), g.n, 0, b->u.grid.fill_rows);
  st = measure_row(f, b, ctx, &g, b->children, first, h);
  if (st == RP_OK && b->style) *h += b->style->space_before;
  return st;
}

rp_status rp_flow_place_grid(flow *f, const rp_block *b, place_ctx ctx) {
  if (!f->at_top && b->style) f->y += b->style->space_before;
  const rp_block *row = b->children;
  int n_cards = count_cards(row), row_no = 0;
  rp_status st = RP_OK;
  while (row) {
    grid_geom g;
    int k = 0;
    double row_h = 0, gap = 0;
    for (;;) {
      /* Geometry again after every column change: the next may be narrower. */
      st = geometry(f, b, ctx, &g);
      k = rp_grid_row_len(n_cards, g.n, row_no, b->u.grid.fill_rows);
      if (st == RP_OK) st = measure_row(f, b, ctx, &g, row, k, &row_h);
      if (st != RP_OK) return st;
      gap = f->at_top || row == b->children ? 0 : b->u.grid.gap_y;
      if (f->at_top || f->y + gap + row_h <= f->col_bottom + EPS) break;
      st = rp_flow_next_column(f);
      if (st != RP_OK) return st;
    }
    f->y += gap;
    double top = f->y, bottom = f->col_bottom;
    f->col_bottom = INFINITY;
    f->atomic++;
    const rp_block *c = row;
    for (int i = 0; i < k && st == RP_OK; i++, c = c->next) {
      rp_block one;
      st = card_copy(f, c, row_h, &one);
      f->y = top;
      f->at_top = true;
      if (st == RP_OK) st = rp_flow_place_blocks(f, &one, card_ctx(&g, b, ctx, i));
    }
    f->atomic--;
    f->col_bottom = bottom;
    if (st != RP_OK) return st;
    f->y = top + row_h;
    f->at_top = false;
    row = c;
    row_no++;
  }
  if (b->style) f->y += b->style->space_after;
  return RP_OK;
}
