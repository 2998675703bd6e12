/* place — the table of block kinds as layout sees them (rp_flow_kind,
 * flow.h), and the loop that places a chain of blocks into the flow with it.
 *
 * Each kind (bound/blocks.h, rp_block_kind) has one entry: the function
 * that places it (block.c: text, lists, boxes, shapes and chart slots;
 * grid.c, table.c, figure.c: the part-2 kinds; here: spacers and breaks);
 * the height it needs before a break may follow when that is not simply
 * measured (grids, tables: their first row); how it takes up room (lines of
 * text, blocks in the flow, or a fixed size that never splits), which a
 * table's column widths also ask; and whether, as a grid card, it takes its
 * row's height (boxes). The loop keeps a block with keep-with-next on the
 * column of what follows it. Adding a kind: its entry here
 * (docs/architecture.md, "Kinds"). */
#include <math.h>

#include "layout/flow.h"

/* A list item on its own (lists place their items themselves, block.c). */
static rp_status place_children(flow *f, const rp_block *b, place_ctx ctx) {
  return rp_flow_place_blocks(f, b->children, ctx);
}

static rp_status place_spacer(flow *f, const rp_block *b, place_ctx ctx) {
  (void)ctx;
  if (f->at_top) return RP_OK; /* a spacer never starts a column */
  f->y += b->height;
  if (f->y > f->col_bottom) f->y = f->col_bottom;
  return RP_OK;
}

static rp_status place_page_break(flow *f, const rp_block *b, place_ctx ctx) {
  (void)b, (void)ctx;
  /* inside a <columns> block a page break would leave it behind: ignored */
  if (f->measuring || f->atomic || f->page_blank || f->lc) return RP_OK;
  return rp_flow_new_page(f, f->master, false);
}

static rp_status place_column_break(flow *f, const rp_block *b, place_ctx ctx) {
  (void)b, (void)ctx;
  if (f->measuring || f->atomic || f->at_top) return RP_OK;
  return rp_flow_next_column(f);
}

/* Binding puts rows and cells only inside tables, which place them (table.c). */
static rp_status place_outside_table(flow *f, const rp_block *b, place_ctx ctx) {
  (void)ctx;
  return rp_diag_error(f->d, RP_ERR_INTERNAL, b->src.layout_file, b->src.layout_line, 0,
                       "a table %s outside a table", b->kind == RP_BLOCK_ROW ? "row" : "cell");
}

static const rp_flow_kind kinds[] = {
    [RP_BLOCK_HEADING] = {rp_flow_place_text, NULL, RP_EXTENT_TEXT, false},
    [RP_BLOCK_PARAGRAPH] = {rp_flow_place_text, NULL, RP_EXTENT_TEXT, false},
    [RP_BLOCK_LIST] = {rp_flow_place_list, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_ITEM] = {place_children, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_QUOTE] = {rp_flow_place_box, NULL, RP_EXTENT_FLOW, true},
    [RP_BLOCK_BOX] = {rp_flow_place_box, NULL, RP_EXTENT_FLOW, true},
    [RP_BLOCK_SHAPE] = {rp_flow_place_shape, NULL, RP_EXTENT_FIXED, false},
    [RP_BLOCK_SPACER] = {place_spacer, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_CHART] = {rp_flow_place_chart, NULL, RP_EXTENT_FIXED, false},
    [RP_BLOCK_IMAGE] = {rp_flow_place_image, NULL, RP_EXTENT_FIXED, false},
    [RP_BLOCK_GRID] = {rp_flow_place_grid, rp_flow_grid_min_start, RP_EXTENT_FLOW, false},
    [RP_BLOCK_TABLE] = {rp_flow_place_table, rp_flow_table_min_start, RP_EXTENT_FLOW, false},
    [RP_BLOCK_STAT] = {rp_flow_place_stat, NULL, RP_EXTENT_FIXED, false},
    [RP_BLOCK_PAGE_BREAK] = {place_page_break, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_COLUMN_BREAK] = {place_column_break, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_ROW] = {place_outside_table, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_CELL] = {place_outside_table, NULL, RP_EXTENT_FLOW, false},
    [RP_BLOCK_COLUMNS] = {rp_flow_place_columns, NULL, RP_EXTENT_FLOW, false},
};
_Static_assert(sizeof kinds / sizeof kinds[0] == RP_BLOCK_KINDS,
               "every block kind needs an entry in layout/place.c");

/* What a value outside the enum gets: nothing placed. */
static const rp_flow_kind none = {NULL, NULL, RP_EXTENT_FLOW, false};

const rp_flow_kind *rp_flow_kind_of(const rp_block *b) {
  return (unsigned)b->kind < RP_BLOCK_KINDS ? &kinds[b->kind] : &none;
}

static rp_status place_block(flow *f, const rp_block *b, place_ctx ctx) {
  const rp_flow_kind *k = rp_flow_kind_of(b);
  return k->place ? k->place(f, b, ctx) : RP_OK;
}

static double leading_of(const rp_block *b) {
  for (; b; b = b->children) {
    if (b->style) return b->style->leading;
  }
  return 14;
}

/* Makes *m a measuring copy of f: an endless column starting where the
 * cursor is, at its top (`top`: no space before the first block, nor before
 * its own first blocks) or after other blocks. (Filled in place: a flow is a
 * kilobyte, and returning one by value copied it twice.) */
static void sandbox(flow *m, flow *f, bool top) {
  *m = *f;
  m->measuring = true;
  m->page = NULL;
  m->boxes = NULL;
  m->n_markers = 0;
  m->lines = NULL;
  m->lc = NULL;
  m->y = 0;
  m->col_top = 0;
  m->col_bottom = INFINITY;
  m->at_top = top;
  m->grid_top = f->grid_top - f->y;     /* the grid where it is on the page */
  if (!rp_flow_on_grid(f)) m->grid = 0; /* inside a box: off the grid, as when placed */
}

/* Height of blocks `first` to `last` (a chain) set one after the other from
 * the top of an empty column (`top`), or after other blocks. */
static rp_status measure_run(flow *f, const rp_block *first, const rp_block *last, place_ctx ctx,
                             bool top, double *height) {
  flow m;
  sandbox(&m, f, top);
  rp_status st = RP_OK;
  for (const rp_block *k = first; k && st == RP_OK; k = k->next) {
    rp_block one = *k;
    one.next = NULL;
    st = rp_flow_place_blocks(&m, &one, ctx);
    if (k == last) break;
  }
  f->next_id = m.next_id;
  *height = m.y;
  return st;
}

rp_status rp_flow_measure(flow *f, const rp_block *b, place_ctx ctx, double *height) {
  return measure_run(f, b, b, ctx, true, height);
}

rp_status rp_flow_measure_here(flow *f, const rp_block *b, place_ctx ctx, double *height) {
  return measure_run(f, b, b, ctx, f->at_top, height);
}

rp_status rp_flow_measure_chain(flow *f, const rp_block *first, place_ctx ctx, double *height) {
  return measure_run(f, first, NULL, ctx, true, height);
}

/* Height needed before a page break may follow: a block that never splits
 * (or is kept together) whole, text its first RP_FLOW_MIN_LINES lines. */
static rp_status min_start(flow *f, const rp_block *b, place_ctx ctx, double *h) {
  const rp_flow_kind *k = rp_flow_kind_of(b);
  if (k->min_start) return k->min_start(f, b, ctx, h);
  rp_status st = rp_flow_measure(f, b, ctx, h);
  if (st != RP_OK) return st;
  if (b->keep_together || k->extent == RP_EXTENT_FIXED) return RP_OK;
  double cap = RP_FLOW_MIN_LINES * leading_of(b) + (b->style ? b->style->space_before : 0);
  if (*h > cap) *h = cap;
  return RP_OK;
}

/* Height from the cursor that the keep-with-next chain starting at `b` needs
 * in this column: every block of the chain whole (a heading, a kicker, a
 * second heading…), with the space between them, and the start of the block
 * after it (min_start). *last is the chain's last block. From the cursor
 * below other blocks (!top) the chain's first blocks keep their space
 * before, a head box's kicker's too; `top`: as at the top of a column but
 * for b's own space before. */
static rp_status chain_need(flow *f, const rp_block *b, place_ctx ctx, bool top, double *need,
                            const rp_block **last) {
  const rp_block *k = b;
  while (k->next && rp_block_keeps_with_next(k->next)) k = k->next;
  double h;
  rp_status st = measure_run(f, b, k, ctx, top, &h);
  if (st != RP_OK) return st;
  if (top) h += b->style ? b->style->space_before : 0;
  double tail = 0;
  if (k->next) {
    st = min_start(f, k->next, ctx, &tail);
    if (st != RP_OK) return st;
    /* measured from the cursor, not from where it will start: on a grid its
     * first line may snap up to one step lower there */
    if (rp_flow_on_grid(f)) tail += f->grid;
  }
  *need = h + tail;
  *last = k;
  return RP_OK;
}

rp_status rp_flow_place_blocks(flow *f, const rp_block *first, place_ctx ctx) {
  for (const rp_block *b = first; b && b != f->stop; b = b->next) {
    rp_status om;
    if (rp_flow_image_omitted(f, b, &om)) {
      /* no photo: nor its caption, nor anything else it keeps with */
      if (om != RP_OK) return om;
      while (rp_block_keeps_with_next(b) && b->next && b->next != f->stop) b = b->next;
      continue;
    }
    if (rp_block_keeps_with_next(b) && b->next && !f->at_top && !f->measuring) {
      /* A run of keep-with-next blocks (heading → heading → paragraph) moves
       * as one with the first lines of what follows. A run taller than an
       * empty column cannot: then only this block keeps with the next one,
       * and a warning says the chain was broken. */
      double need;
      const rp_block *last;
      rp_status st = chain_need(f, b, ctx, false, &need, &last);
      if (st != RP_OK) return st;
      double alone = need; /* the chain as it would start a column: its tallest */
      if (last != b && need > f->col_bottom - f->col_top + 1e-6)
        st = chain_need(f, b, ctx, true, &alone, &last);
      if (st != RP_OK) return st;
      if (last != b && alone > f->col_bottom - f->col_top + 1e-6) {
        rp_flow_warn_once(f, &b->src,
                          "a run of keep-with-next blocks is taller than a column: it is kept "
                          "together only pairwise; end the run sooner (keep-with-next=\"false\")");
        double h1, h2;
        st = rp_flow_measure_here(f, b, ctx, &h1);
        if (st == RP_OK) st = min_start(f, b->next, ctx, &h2);
        if (st != RP_OK) return st;
        need = h1 + h2;
      }
      if (f->y + need > f->col_bottom + 1e-6) {
        st = rp_flow_next_column(f);
        if (st != RP_OK) return st;
      }
    }
    rp_flow_pend_anchor(f, b->anchor);
    size_t page0 = f->doc->pages.len, item0 = f->page ? f->page->items.len : 0;
    bool artifact = b->artifact && !f->measuring;
    /* its items become artifacts once it is placed: its pages wait for it */
    size_t hold = artifact ? rp_flow_hold(f) : 0;
    rp_status st = place_block(f, b, ctx);
    if (artifact && st == RP_OK) rp_flow_make_artifacts(f, page0, item0);
    if (artifact) {
      rp_status un = rp_flow_unhold(f, hold);
      if (st == RP_OK) st = un;
    }
    if (st != RP_OK) return st;
  }
  return RP_OK;
}
