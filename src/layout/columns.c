/* columns — a <columns> block (RP_BLOCK_COLUMNS): its children flow in
 * `count` columns inside the column it is placed in, and, balanced, end
 * level. place.c's table calls rp_flow_place_columns; rp_flow_next_column
 * calls rp_flow_local_next while one is being placed, so every kind of block
 * inside moves to the block's next column as it would to a frame's.
 *
 * Balancing searches for the lowest bottom at which the content still fits
 * the block's columns: each trial places it for real from a mark
 * (rp_flow_mark) with diagnostics set aside, and is undone; the same placing
 * code then runs once with that bottom, so keep-with-next, keep-together
 * and the widow and orphan rules hold as anywhere else. Content taller than
 * what is left of the enclosing column moves to the next one when it fits
 * there; taller than an empty column, it fills the block's columns in turn,
 * continuing on the enclosing flow's next column or page (that part is not
 * balanced). The block ends below its tallest column. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "layout/flow.h"

static double col_x(const local_cols *lc) { return lc->ox + lc->left + lc->i * (lc->w + lc->gap); }

static int count_of(const rp_block *b) {
  int n = b->u.columns.count;
  return n < 1 ? 1 : n > RP_MAX_COLUMNS ? RP_MAX_COLUMNS : n;
}

/* A region from the cursor of the enclosing column, column i ending at
 * bottoms[i] (every one at the enclosing column's foot when NULL). */
static void region(flow *f, local_cols *lc, const double *bottoms) {
  lc->ox = f->col_x;
  lc->ow = f->col_w;
  lc->otop = f->col_top;
  lc->obottom = f->col_bottom;
  double width = lc->ow - lc->left - lc->right;
  lc->w = (width - (lc->n - 1) * lc->gap) / lc->n;
  lc->i = 0;
  lc->top = f->y;
  for (int k = 0; k < lc->n; k++) lc->bottoms[k] = bottoms ? bottoms[k] : f->col_bottom;
  lc->max_y = f->y;
  f->col_x = col_x(lc);
  f->col_w = lc->w;
  f->col_top = lc->top;
  f->col_bottom = lc->bottoms[0];
  f->at_top = true;
}

/* Back to the enclosing column, below the tallest of the block's columns. */
static void leave(flow *f, local_cols *lc) {
  if (f->y > lc->max_y) lc->max_y = f->y;
  f->lc = lc->outer;
  f->col_x = lc->ox;
  f->col_w = lc->ow;
  f->col_top = lc->otop;
  f->col_bottom = lc->obottom;
  f->y = lc->max_y;
}

rp_status rp_flow_local_next(flow *f) {
  local_cols *lc = f->lc;
  if (f->y > lc->max_y) lc->max_y = f->y;
  if (lc->i + 1 < lc->n) {
    lc->i++;
    f->col_x = col_x(lc);
    f->col_bottom = lc->bottoms[lc->i];
    f->y = lc->top;
    f->at_top = true;
    return RP_OK;
  }
  lc->overflow = true;
  if (lc->trial) { /* the bottoms tried are too high: the rest runs on, to be undone */
    f->col_bottom = INFINITY;
    return RP_OK;
  }
  /* The enclosing flow moves on (its boxes close their segment at the
   * tallest column), and the block's columns start again at its top. */
  leave(f, lc);
  rp_status st = rp_flow_next_column(f);
  if (st != RP_OK) return st;
  lc->outer = f->lc;
  f->lc = lc;
  region(f, lc, NULL);
  return RP_OK;
}

/* Places b's children in columns ending at bottoms[i]; *over: they ran
 * past the last column. */
static rp_status run(flow *f, const rp_block *b, place_ctx ctx, const double *bottoms, bool trial,
                     bool *over) {
  local_cols lc = {.n = count_of(b),
                   .gap = b->u.columns.gap,
                   .left = ctx.left,
                   .right = ctx.right,
                   .trial = trial,
                   .outer = f->lc};
  if (b->width > 0 && b->width < f->col_w - ctx.left - ctx.right)
    lc.right = f->col_w - ctx.left - b->width;
  region(f, &lc, bottoms);
  f->lc = &lc;
  place_ctx inner = {0, 0, ctx.parent_id};
  rp_status st = rp_flow_place_blocks(f, b->children, inner);
  leave(f, &lc);
  *over = lc.overflow;
  return st;
}

/* Whether b's children fit its columns from the cursor, column i ending at
 * bottoms[i]: placed and undone, with their diagnostics set aside; no more
 * widows or orphans than *widows (set to how many there were). */
static rp_status fits(flow *f, const rp_block *b, place_ctx ctx, const double *bottoms,
                      size_t *widows, bool *yes) {
  size_t hold = rp_flow_hold(f); /* placed and undone: nothing handed on meanwhile */
  flow_mark m;
  rp_flow_mark(f, &m);
  flow_quiet q;
  rp_flow_quiet_begin(f, &q);
  bool over = false;
  rp_status st = run(f, b, ctx, bottoms, true, &over);
  size_t errors, w;
  rp_flow_quiet_end(f, &q, &errors, &w);
  *yes = st == RP_OK && !over && errors == 0 && w <= *widows;
  *widows = w;
  rp_flow_rewind(f, &m);
  rp_status un = rp_flow_unhold(f, hold);
  if (st == RP_ERR_INTERNAL) return rp_diag_oom(f->d);
  return un;
}

/* The bottoms of b's columns from the cursor, when its content fits them
 * ending at `limit` (else *found is false): column by column, the lowest
 * bottom at which the content still fits with that column and every later
 * one ending there. Two columns end within a line of each other; with
 * more, what the first leaves is shared as evenly by the rest. */
static rp_status level(flow *f, const rp_block *b, place_ctx ctx, double one_column, double limit,
                       double *bottoms, bool *found) {
  int n = count_of(b);
  for (int k = 0; k < n; k++) bottoms[k] = fmin(limit, f->y + one_column + 1);
  size_t base = SIZE_MAX; /* no more widows or orphans than in the tallest columns */
  rp_status st = fits(f, b, ctx, bottoms, &base, found);
  if (st != RP_OK || !*found) return st;
  for (int c = 0; c + 1 < n; c++) {
    double lo = f->y, hi = bottoms[c];
    while (hi - lo > 0.25) {
      double mid = (lo + hi) / 2;
      for (int k = c; k < n; k++) bottoms[k] = mid;
      bool yes;
      size_t widows = base;
      st = fits(f, b, ctx, bottoms, &widows, &yes);
      if (st != RP_OK) return st;
      if (yes)
        hi = mid;
      else
        lo = mid;
    }
    for (int k = c; k < n; k++) bottoms[k] = hi;
  }
  return RP_OK;
}

rp_status rp_flow_place_columns(flow *f, const rp_block *b, place_ctx ctx) {
  if (!f->at_top && b->style) f->y += b->style->space_before;
  rp_status st = RP_OK;
  int n = count_of(b);
  double bottoms[RP_MAX_COLUMNS];
  bool found = false;
  if (b->u.columns.balance && n > 1) {
    /* all of it in one of its columns: an upper bound for the search */
    double one;
    flow narrow = *f;
    double width = f->col_w - ctx.left - ctx.right;
    if (b->width > 0 && b->width < width) width = b->width;
    narrow.col_w = (width - (n - 1) * b->u.columns.gap) / n;
    st = rp_flow_measure_chain(&narrow, b->children, (place_ctx){0, 0, ctx.parent_id}, &one);
    f->next_id = narrow.next_id;
    if (st != RP_OK) return st;
    st = level(f, b, ctx, one, f->col_bottom, bottoms, &found);
    if (st == RP_OK && !found && !f->at_top && !f->measuring && !f->atomic &&
        one / n <= f->col_bottom - f->col_top) {
      /* not in what is left of this column: in the next one, if it fits */
      st = rp_flow_next_column(f);
      if (st == RP_OK) st = level(f, b, ctx, one, f->col_bottom, bottoms, &found);
    }
    if (st != RP_OK) return st;
  }
  bool over;
  st = run(f, b, ctx, found ? bottoms : NULL, false, &over);
  if (st != RP_OK) return st;
  f->at_top = false;
  if (b->style) f->y += b->style->space_after;
  return RP_OK;
}
