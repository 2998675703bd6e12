/* table — rows of cells with column widths, repeated header rows, zebra
 * fills and rules between rows.
 *
 * Input (bound/blocks.h): a RP_BLOCK_TABLE whose children are
 * RP_BLOCK_ROW, whose children are RP_BLOCK_CELL; a cell holds blocks
 * (children) and/or text of its own (spans, in the cell's style, else the
 * row's, else the table's). The first header_rows rows are the header.
 *
 * Column widths (cols, n_cols; without them every column is auto):
 *   fixed  — value pt;
 *   auto   — from the content: each column's narrowest (widest word) and
 *            natural (one line) widths plus cell padding, over the cells
 *            that do not span, then widened equally where a cell spanning
 *            several needs more than they have; autos get their natural
 *            width when there is room, else their minimum plus a share of
 *            what is left in proportion to (natural − minimum), as HTML's
 *            auto layout does;
 *   share  — what fixed and auto columns leave, by weight (at least their
 *            minimum when autos are squeezed).
 * Without share columns, room left over widens the autos in proportion to
 * their natural width, so the columns fill the table's width; a table of
 * fixed columns only is as wide as their sum. Fixed columns wider than the
 * table are an error; content that cannot fit at any width is squeezed
 * (words then break between characters, inline.h).
 *
 * Pagination: rows split only between rows. The header rows and the first
 * body row start together. On every further column or page the table
 * continues in, the header rows are set again; those copies are artifacts
 * for tagged PDF (the real header is the first). A row that cannot fit an
 * empty column even below the header is an error naming the row's layout
 * line: cells are never split line-wise (a single row taller than a page is
 * a layout mistake, not something to paper over).
 *
 * Structure for tagged PDF: per column segment an unpainted RECT with role
 * TABLE (struct_id = the table), per row an unpainted RECT with role TR
 * (parent = the table), per cell an unpainted RECT with role TH (header
 * rows) or TD (parent = the row); the cell's content has the cell as parent.
 * Fills and rules are artifacts. Unpainted rectangles draw nothing.
 *
 * Decoration: the table's box fill/stroke is drawn behind the whole table
 * per column segment; a row's box fill covers the row; zebra fills every
 * second body row (the 2nd, 4th… body row) that has no fill of its own; a
 * cell's box gives its own fill, stroke and padding (padding defaults to
 * the table's box padding); `rule` draws a line between consecutive rows of
 * a segment (rule_width, default 0.5 pt). */
#include <math.h>
#include <string.h>

#include "layout/flow.h"

#define EPS 1e-6
#define DEFAULT_RULE 0.5 /* pt */

typedef struct table {
  const rp_block *b;
  const rp_block **rows; /* header rows, then body rows */
  size_t n_rows, n_head;
  size_t row0; /* body rows before these (a part's: zebra counts over the table) */
  int n_cols;
  double *min_w, *max_w; /* per column: content widths + padding (auto and share columns) */
  double *width;         /* per column, for the current segment */
  double col_w;          /* the column width the widths were computed for */
  double total_w;
  double *height; /* per row, for the current widths; < 0 = not measured */
  place_ctx ctx;
} table;

static int span_of(const rp_block *cell) {
  return rp_block_span(cell) > 1 ? rp_block_span(cell) : 1;
}

static const double *cell_padding(const table *t, const rp_block *cell) {
  return cell->box.padding_set ? cell->box.padding : t->b->box.padding;
}

/* The cell's text of its own as a paragraph in front of its children. */
static rp_block *cell_content(flow *f, const table *t, const rp_block *row, const rp_block *cell) {
  if (!cell->spans) return cell->children;
  const rp_style *st = cell->style ? cell->style : row->style ? row->style : t->b->style;
  if (!st) return cell->children;
  rp_block *p = rp_arena_alloc(f->a, sizeof *p);
  if (!p) return NULL;
  p->kind = RP_BLOCK_PARAGRAPH;
  p->style = st;
  p->spans = cell->spans;
  p->next = cell->children;
  p->src = cell->src;
  return p;
}

/* ---- content widths ---------------------------------------------------------- */

/* Narrowest and natural widths of a chain of blocks, pt. */
static rp_status content_widths(flow *f, const rp_block *first, double *mn, double *mx) {
  *mn = *mx = 0;
  for (const rp_block *c = first; c; c = c->next) {
    double a = 0, z = 0;
    rp_status st = RP_OK;
    switch (rp_flow_kind_of(c)->extent) {
      case RP_EXTENT_TEXT:
        if (c->spans) st = rp_inline_measure(f->a, f->b->fonts, c->spans, &a, &z, f->d);
        if (c->style && c->style->indent > 0) z += c->style->indent;
        break;
      case RP_EXTENT_FIXED:
        a = z = c->width > 0 ? c->width : 0;
        break;
      case RP_EXTENT_FLOW:
        if (c->children) {
          st = content_widths(f, c->children, &a, &z);
          double pad = c->box.padding[1] + c->box.padding[3];
          a += pad;
          z += pad;
        }
        if (c->width > 0) a = z = c->width;
        break;
    }
    if (st != RP_OK) return st;
    *mn = fmax(*mn, a);
    *mx = fmax(*mx, z);
  }
  return RP_OK;
}

static rp_col_kind kind_of(const table *t, int c);

/* What a cell spanning columns [col, end) needs beyond what those columns
 * already have (`need` against the sum of `have`) is shared out equally
 * among the flexible ones: without it, columns that only spanning cells
 * fill would get no width at all. Fixed columns count at their width. */
static void widen_span(const table *t, int col, int end, double need, double *have) {
  double sum = 0;
  int flex = 0;
  for (int c = col; c < end; c++) {
    if (kind_of(t, c) == RP_COL_FIXED) {
      sum += t->b->u.table.cols[c].value;
    } else {
      sum += have[c];
      flex++;
    }
  }
  if (flex == 0 || need <= sum) return;
  for (int c = col; c < end; c++)
    if (kind_of(t, c) != RP_COL_FIXED) have[c] += (need - sum) / flex;
}

/* Content widths per column: cells spanning one column first, then those
 * spanning several (HTML's automatic table layout). */
static rp_status measure_columns(flow *f, table *t) {
  for (int pass = 0; pass < 2; pass++) {
    for (size_t r = 0; r < t->n_rows; r++) {
      const rp_block *row = t->rows[r];
      int col = 0;
      for (const rp_block *cell = row->children; cell; cell = cell->next) {
        int span = span_of(cell);
        if ((span == 1) == (pass == 0) && col < t->n_cols) {
          double a, z;
          rp_block *content = cell_content(f, t, row, cell);
          if (cell->spans && !content) return rp_diag_oom(f->d);
          rp_status st = content_widths(f, content, &a, &z);
          if (st != RP_OK) return st;
          const double *pad = cell_padding(t, cell);
          a += pad[1] + pad[3];
          z += pad[1] + pad[3];
          if (span == 1) {
            t->min_w[col] = fmax(t->min_w[col], a);
            t->max_w[col] = fmax(t->max_w[col], z);
          } else {
            int end = col + span < t->n_cols ? col + span : t->n_cols;
            widen_span(t, col, end, a, t->min_w);
            widen_span(t, col, end, z, t->max_w);
          }
        }
        col += span;
      }
    }
  }
  return RP_OK;
}

static rp_col_kind kind_of(const table *t, int c) {
  return (size_t)c < t->b->u.table.n_cols && t->b->u.table.cols ? t->b->u.table.cols[c].kind
                                                                : RP_COL_AUTO;
}

/* Widths of the columns for a table `w` pt wide (see the file comment). */
static rp_status column_widths(flow *f, table *t, double w) {
  const rp_block *b = t->b;
  double fixed = 0, weights = 0, a_min = 0, a_max = 0, s_min = 0;
  int autos = 0;
  for (int c = 0; c < t->n_cols; c++) {
    switch (kind_of(t, c)) {
      case RP_COL_FIXED:
        t->width[c] = b->u.table.cols[c].value > 0 ? b->u.table.cols[c].value : 0;
        fixed += t->width[c];
        break;
      case RP_COL_SHARE:
        weights += b->u.table.cols[c].value > 0 ? b->u.table.cols[c].value : 1;
        s_min += t->min_w[c];
        break;
      case RP_COL_AUTO:
        autos++;
        a_min += t->min_w[c];
        a_max += t->max_w[c];
        break;
    }
  }
  double rem = w - fixed;
  if (rem < -EPS)
    return rp_diag_error(f->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                         "the table's fixed columns need %.0fpt but it has %.0fpt; narrow them "
                         "or use shares",
                         fixed, w);
  if (rem < 0) rem = 0;
  double need_min = a_min + s_min;
  for (int c = 0; c < t->n_cols; c++) {
    rp_col_kind k = kind_of(t, c);
    if (k == RP_COL_FIXED) continue;
    double weight =
        k == RP_COL_SHARE ? (b->u.table.cols[c].value > 0 ? b->u.table.cols[c].value : 1) : 0;
    double v;
    if (need_min >= rem) {
      /* Not even the widest words fit: squeeze everything in proportion. */
      v = need_min > 0 ? t->min_w[c] * rem / need_min : 0;
    } else if (a_max + s_min <= rem) {
      /* Autos get their natural width; shares (or, without them, the autos) the rest. */
      double left = rem - a_max;
      if (k == RP_COL_AUTO)
        v = t->max_w[c] + (weights > 0 ? 0 : a_max > 0 ? left * t->max_w[c] / a_max : left / autos);
      else
        v = left * weight / weights;
    } else {
      /* Autos between their minimum and natural widths; shares at their minimum. */
      double left = rem - need_min, spread = a_max - a_min;
      if (k == RP_COL_AUTO)
        v = t->min_w[c] + (spread > 0 ? left * (t->max_w[c] - t->min_w[c]) / spread : 0);
      else
        v = t->min_w[c];
    }
    t->width[c] = v;
  }
  t->total_w = 0;
  for (int c = 0; c < t->n_cols; c++) t->total_w += t->width[c];
  return RP_OK;
}

/* ---- rows --------------------------------------------------------------------------- */

/* A leader (a contents page's dots): the text `fill` repeated, a space
 * between, from after the last line the cell placed (items from `first` on)
 * to `right`, on that line's baseline, in its face, size and colour; never
 * closer than a space to either side. An artifact: readers skip it. */
static rp_status leader(flow *f, size_t first, const char *fill, double right) {
  const rp_item *last = NULL;
  for (size_t i = first; i < f->page->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(f->page->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT) continue;
    if (!last || it->y > last->y + 0.01 || (fabs(it->y - last->y) <= 0.01 && it->x > last->x))
      last = it;
  }
  if (!last) return RP_OK;
  const rp_font *font = rp_fontset_get(f->b->fonts, last->u.text.font);
  double size = last->u.text.size;
  double space = rp_font_width(font, " ", 1, size, 0);
  double unit = rp_font_width(font, fill, strlen(fill), size, 0) + space;
  double from = last->x + last->w + space;
  if (unit <= 0 || right - from < unit) return RP_OK;
  size_t n = (size_t)((right - space - from) / unit), len = strlen(fill);
  if (n == 0) return RP_OK;
  if (n > 2000) n = 2000;
  char *text = rp_arena_alloc(f->ia, n * (len + 1) + 1); /* the page keeps it */
  if (!text) return rp_diag_oom(f->d);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(text + o, fill, len);
    o += len;
    if (i + 1 < n) text[o++] = ' ';
  }
  text[o] = '\0';
  rp_item copy = *last;
  rp_item *it = rp_flow_emit(f, RP_ITEM_TEXT);
  if (!it) return rp_diag_oom(f->d);
  *it = copy;
  it->u.text.text = text;
  it->u.text.underline = false;
  it->u.text.kern = false;
  it->u.text.tracking = 0;
  /* flush right: the dots end at the same place on every line */
  it->w = rp_font_width(font, text, o, size, 0);
  it->x = right - space - it->w;
  it->role = RP_ROLE_ARTIFACT;
  it->struct_id = it->parent_id = 0;
  return RP_OK;
}

/* The baseline of the last text line placed from item `first` on; 0 if none. */
static double last_baseline(const flow *f, size_t first) {
  double y = 0;
  for (size_t i = first; f->page && i < f->page->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(f->page->items, rp_item, i);
    if (it->kind == RP_ITEM_TEXT && it->y > y) y = it->y;
  }
  return y;
}

/* The cell after a leader (a contents page's number) sits on the leader's
 * line, as in a book: its items move down until its last baseline is that
 * line. Never up, and never past the row: a taller cell stays where it is. */
static void sit_on_line(flow *f, size_t first, double line) {
  double last = last_baseline(f, first);
  if (last <= 0 || line <= last) return;
  for (size_t i = first; i < f->page->items.len; i++)
    RP_VEC_AT(f->page->items, rp_item, i).y += line - last;
}

/* The x offset (from the table's left) and width of the cell starting at column `col`. */
static void cell_span(const table *t, int col, int span, double *x, double *w) {
  *x = *w = 0;
  for (int c = 0; c < col && c < t->n_cols; c++) *x += t->width[c];
  for (int c = col; c < col + span && c < t->n_cols; c++) *w += t->width[c];
}

static place_ctx cell_ctx(const flow *f, const table *t, double x, double w, int parent) {
  double outer = f->col_w - t->ctx.left - t->ctx.right;
  place_ctx c = {t->ctx.left + x, t->ctx.right + (outer - x - w), parent};
  return c;
}

/* A cell as the box that places it. */
static rp_status cell_box(flow *f, const table *t, const rp_block *row, const rp_block *cell,
                          double height, rp_block *out) {
  memset(out, 0, sizeof *out);
  out->kind = RP_BLOCK_BOX;
  out->role = cell->role;
  out->children = cell_content(f, t, row, cell);
  if (cell->spans && !out->children) return rp_diag_oom(f->d);
  out->box = cell->box;
  memcpy(out->box.padding, cell_padding(t, cell), sizeof out->box.padding);
  out->height = height;
  out->src = cell->src;
  out->anchor = cell->anchor; /* anchor="{@id}" on a cell */
  return RP_OK;
}

static rp_status row_height(flow *f, table *t, size_t r, double *h) {
  if (t->height[r] >= 0) {
    *h = t->height[r];
    return RP_OK;
  }
  const rp_block *row = t->rows[r];
  double tallest = row->height > 0 ? row->height : 0;
  int col = 0;
  for (const rp_block *cell = row->children; cell; cell = cell->next) {
    double x, w, ch;
    cell_span(t, col, span_of(cell), &x, &w);
    col += span_of(cell);
    rp_block box;
    rp_status st = cell_box(f, t, row, cell, 0, &box);
    if (st == RP_OK) st = rp_flow_measure(f, &box, cell_ctx(f, t, x, w, 0), &ch);
    if (st != RP_OK) return st;
    tallest = fmax(tallest, ch);
  }
  *h = t->height[r] = tallest;
  return RP_OK;
}

/* Places row r at f->y. `repeat`: a header row set again on a later column
 * (all its items become artifacts). `first`: first row of the segment (no
 * rule above it). */
static rp_status place_row(flow *f, table *t, size_t r, int table_id, bool repeat, bool first) {
  const rp_block *b = t->b, *row = t->rows[r];
  double h;
  rp_status st = row_height(f, t, r, &h);
  if (st != RP_OK) return st;
  double x0 = f->col_x + t->ctx.left, top = f->y;
  size_t mark = f->page ? f->page->items.len : 0;
  bool emit = !f->measuring && f->page;
  int row_id = rp_flow_id(f);
  bool header = r < t->n_head;
  if (emit) {
    /* Fill, rule, structure: fills first so they sit behind everything. */
    rp_color fill = row->box.fill;
    if (fill.a <= 0 && !header && b->u.table.zebra.a > 0 && (r - t->n_head + t->row0) % 2 == 1)
      fill = b->u.table.zebra;
    if (fill.a > 0) {
      rp_item *it = rp_flow_emit_box(f, RP_ITEM_RECT, x0, top, t->total_w, h, RP_ROLE_ARTIFACT, 0,
                                     0, &row->src);
      if (!it) return rp_diag_oom(f->d);
      it->u.shape.fill = fill;
    }
    if (!first && b->u.table.rule.a > 0) {
      rp_item *it = rp_flow_emit(f, RP_ITEM_LINE);
      if (!it) return rp_diag_oom(f->d);
      it->x = x0;
      it->y = top;
      it->w = t->total_w;
      it->role = RP_ROLE_ARTIFACT;
      it->src = b->src;
      it->u.shape.stroke = b->u.table.rule;
      it->u.shape.stroke_width = b->u.table.rule_width > 0 ? b->u.table.rule_width : DEFAULT_RULE;
    }
    if (!repeat) rp_flow_pend_anchor(f, row->anchor); /* anchor="{@id}" on a row */
    if (!repeat && !rp_flow_emit_box(f, RP_ITEM_RECT, x0, top, t->total_w, h, RP_ROLE_TABLE_ROW,
                                     row_id, table_id, &row->src))
      return rp_diag_oom(f->d);
  }
  double bottom = f->col_bottom;
  f->col_bottom = INFINITY; /* the row is known to fit: no breaks inside */
  f->atomic++;
  int col = 0;
  double leader_line = 0; /* the baseline a leader ended on, for the cell after it */
  for (const rp_block *cell = row->children; cell && st == RP_OK; cell = cell->next) {
    double x, w;
    cell_span(t, col, span_of(cell), &x, &w);
    col += span_of(cell);
    int cell_id = rp_flow_id(f);
    rp_role role = header ? RP_ROLE_TABLE_HEADER : RP_ROLE_TABLE_CELL;
    if (emit && !repeat &&
        !rp_flow_emit_box(f, RP_ITEM_RECT, x0 + x, top, w, h, role, cell_id, row_id, &cell->src)) {
      st = rp_diag_oom(f->d);
      break;
    }
    rp_block box;
    st = cell_box(f, t, row, cell, h, &box);
    f->y = top;
    f->at_top = true;
    size_t mark_cell = f->page ? f->page->items.len : 0;
    if (st == RP_OK) st = rp_flow_place_blocks(f, &box, cell_ctx(f, t, x, w, cell_id));
    if (st == RP_OK && emit && leader_line > 0) sit_on_line(f, mark_cell, leader_line);
    leader_line = 0;
    if (st == RP_OK && emit && cell->kind == RP_BLOCK_CELL && cell->u.cell.leader) {
      st = leader(f, mark_cell, cell->u.cell.leader, x0 + x + w - cell_padding(t, cell)[1]);
      leader_line = last_baseline(f, mark_cell);
    }
  }
  f->atomic--;
  f->col_bottom = bottom;
  if (st != RP_OK) return st;
  if (repeat && emit) {
    for (size_t i = mark; i < f->page->items.len; i++) {
      rp_item *it = &RP_VEC_AT(f->page->items, rp_item, i);
      it->role = RP_ROLE_ARTIFACT;
      it->struct_id = it->parent_id = 0;
    }
  }
  f->y = top + h;
  f->at_top = false;
  return RP_OK;
}

/* ---- the table -------------------------------------------------------------------------- */

/* The table's rows into t (its arrays in `a`), and, for a whole table, its
 * columns' content widths. A part of a table (rp_block.u.table.part) has
 * its header rows apart, and column widths no content changes. */
static rp_status table_init(flow *f, rp_arena *a, const rp_block *b, place_ctx ctx, table *t) {
  memset(t, 0, sizeof *t);
  t->b = b;
  t->ctx = ctx;
  t->col_w = -1;
  const rp_block *chains[2] = {b->u.table.part ? b->u.table.head : NULL, b->children};
  for (int k = 0; k < 2; k++)
    for (const rp_block *r = chains[k]; r; r = r->next) t->n_rows++;
  t->rows = rp_arena_calloc(a, t->n_rows ? t->n_rows : 1, sizeof *t->rows);
  t->height = rp_arena_calloc(a, t->n_rows ? t->n_rows : 1, sizeof *t->height);
  if (!t->rows || !t->height) return rp_diag_oom(f->d);
  int cols = (int)b->u.table.n_cols;
  size_t i = 0;
  for (int k = 0; k < 2; k++)
    for (const rp_block *r = chains[k]; r; r = r->next, i++) {
      if (r->kind != RP_BLOCK_ROW)
        return rp_diag_error(f->d, RP_ERR_INTERNAL, r->src.layout_file, r->src.layout_line, 0,
                             "a table holds rows only");
      t->rows[i] = r;
      int n = 0;
      for (const rp_block *c = r->children; c; c = c->next) n += span_of(c);
      if (b->u.table.n_cols > 0 && n > (int)b->u.table.n_cols)
        return rp_diag_error(f->d, RP_ERR_INPUT, r->src.layout_file, r->src.layout_line, 0,
                             "this table row has %d cells (spans counted) but the table has %zu "
                             "columns",
                             n, b->u.table.n_cols);
      if (n > cols) cols = n;
    }
  t->n_cols = cols > 0 ? cols : 1;
  t->n_head = b->u.table.header_rows > 0 ? (size_t)b->u.table.header_rows : 0;
  if (t->n_head > t->n_rows) t->n_head = t->n_rows;
  t->row0 = b->u.table.part && b->u.table.row0 > 0 ? (size_t)b->u.table.row0 : 0;
  t->min_w = rp_arena_calloc(a, (size_t)t->n_cols, sizeof(double));
  t->max_w = rp_arena_calloc(a, (size_t)t->n_cols, sizeof(double));
  t->width = rp_arena_calloc(a, (size_t)t->n_cols, sizeof(double));
  if (!t->min_w || !t->max_w || !t->width) return rp_diag_oom(f->d);
  return b->u.table.part ? RP_OK : measure_columns(f, t);
}

/* The widths of t's columns in a column of the flow `col_w` pt wide. */
static rp_status table_widths(flow *f, table *t, double col_w) {
  double outer = col_w - t->ctx.left - t->ctx.right;
  double w = t->b->width > 0 && t->b->width < outer ? t->b->width : outer;
  return column_widths(f, t, w);
}

/* Column widths for the current column of the flow (again when it changed). */
static rp_status table_fit(flow *f, table *t) {
  if (fabs(f->col_w - t->col_w) < 0.01) return RP_OK;
  t->col_w = f->col_w;
  for (size_t r = 0; r < t->n_rows; r++) t->height[r] = -1;
  return table_widths(f, t, f->col_w);
}

static rp_status head_height(flow *f, table *t, double *h) {
  *h = 0;
  for (size_t r = 0; r < t->n_head; r++) {
    double rh;
    rp_status st = row_height(f, t, r, &rh);
    if (st != RP_OK) return st;
    *h += rh;
  }
  return RP_OK;
}

/* The row a "can never fit" should name: its own line, else a cell's, else the table's. */
static const rp_block *blame(const table *t, size_t r) {
  const rp_block *row = t->rows[r];
  if (row->src.layout_line) return row;
  for (const rp_block *c = row->children; c; c = c->next)
    if (c->src.layout_line) return c;
  return t->b;
}

rp_status rp_flow_table_min_start(flow *f, const rp_block *b, place_ctx ctx, double *h) {
  *h = 0;
  table t;
  rp_arena *ta = rp_arena_new_child(f->a);
  if (!ta) return rp_diag_oom(f->d);
  rp_status st = table_init(f, ta, b, ctx, &t);
  if (st == RP_OK) st = table_fit(f, &t);
  if (st == RP_OK) st = head_height(f, &t, h);
  double first = 0;
  if (st == RP_OK && t.n_head < t.n_rows) st = row_height(f, &t, t.n_head, &first);
  *h += first + (b->style ? b->style->space_before : 0);
  if (st == RP_OK && b->keep_together) { /* all of it, when it fits a column at all */
    double whole;
    st = rp_flow_measure(f, b, ctx, &whole);
    whole += b->style ? b->style->space_before : 0;
    if (st == RP_OK && whole <= f->col_bottom - f->col_top + EPS) *h = whole;
  }
  rp_arena_free(ta);
  return st;
}

/* keep-together: a table that fits an empty column starts in the next one
 * rather than split; a taller one splits as any table does. */
static rp_status keep_whole(flow *f, const rp_block *b, place_ctx ctx) {
  if (!b->keep_together || f->measuring || f->at_top || f->atomic) return RP_OK;
  double h;
  rp_status st = rp_flow_measure(f, b, ctx, &h);
  if (st != RP_OK) return st;
  double sb = b->style ? b->style->space_before : 0;
  if (h <= f->col_bottom - f->col_top + EPS && f->y + sb + h > f->col_bottom + EPS)
    return rp_flow_next_column(f);
  return RP_OK;
}

/* A table, or a part of one (rp_block.u.table.part): the first part
 * begins it as a whole table begins, a later one continues the column
 * segment the part before left open (f->tbl), and the last ends it as a
 * whole table ends; between parts the flow holds what the next one needs,
 * so that the parts place, measure and number exactly as the whole would. */
static rp_status place_table(flow *f, rp_arena *ta, const rp_block *b, place_ctx ctx) {
  unsigned part = f->measuring ? 0 : b->u.table.part;
  bool resume = part && !(part & RP_TABLE_FIRST) && f->tbl.open;
  bool last = !part || (part & RP_TABLE_LAST);
  if (part && !resume) f->tbl.open = false;
  table t;
  rp_status st = table_init(f, ta, b, ctx, &t);
  if (st != RP_OK) return st;
  if (t.n_rows == 0 || (b->u.table.part && !resume && t.n_rows == t.n_head)) return RP_OK;
  int table_id;
  bool first_segment = true;
  if (resume) {
    table_id = f->tbl.id;
    first_segment = !f->tbl.repeat;
    t.col_w = f->tbl.col_w;
    for (size_t r = 0; r < t.n_rows; r++)
      t.height[r] = r < t.n_head && r < RP_TABLE_PART_HEAD ? f->tbl.head_h[r] : -1;
    st = table_widths(f, &t, t.col_w);
    if (st != RP_OK) return st;
  } else {
    st = keep_whole(f, b, ctx);
    if (st != RP_OK) return st;
    if (!f->at_top && b->style) f->y += b->style->space_before;
    table_id = rp_flow_id(f);
  }
  /* The table's own fill and border, per column segment, behind its rows. */
  rp_block frame = {.kind = RP_BLOCK_BOX, .src = b->src};
  frame.box.fill = b->box.fill;
  frame.box.stroke = b->box.stroke;
  frame.box.stroke_width = b->box.stroke_width;
  frame.box.radius = b->box.radius;
  open_box ob = {.blk = &frame};
  bool boxed = false, in_segment = resume;
  size_t next = t.n_head; /* next body row */
  size_t anchor = SIZE_MAX;
  double top = 0;
  for (;;) {
    double head = 0, body = 0, x0 = f->col_x + ctx.left;
    bool first_row = true;
    if (in_segment) { /* the segment the part before left open */
      in_segment = false;
      top = f->tbl.top;
      anchor = f->tbl.rect;
      first_row = false;
      ob.x = x0;
      ob.w = t.total_w;
      rp_flow_box_push(f, &ob);
      boxed = true;
    } else {
      st = table_fit(f, &t);
      if (st == RP_OK) st = head_height(f, &t, &head);
      if (st == RP_OK && next < t.n_rows) st = row_height(f, &t, next, &body);
      if (st != RP_OK) break;
      double col_h = f->col_bottom - f->col_top;
      if (head + body > col_h + EPS) {
        const rp_block *who = head > col_h + EPS ? b : blame(&t, next);
        st = rp_diag_error(f->d, RP_ERR_INPUT, who->src.layout_file, who->src.layout_line, 0,
                           "table %s can never fit: %s %.0fpt but the frame's column holds "
                           "%.0fpt; shorten its cells, or use a larger frame",
                           who == b ? "header" : "row",
                           who == b ? "its header rows need" : "with the header rows it needs",
                           head + body, col_h);
        break;
      }
      if (!f->at_top && f->y + head + body > f->col_bottom + EPS) {
        st = rp_flow_next_column(f);
        if (st != RP_OK) break;
        continue;
      }
      /* A segment: header rows, then body rows while they fit. */
      top = f->y;
      ob.x = x0;
      ob.w = t.total_w;
      if (!boxed) {
        rp_flow_box_push(f, &ob);
        boxed = true;
      }
      anchor = SIZE_MAX;
      if (!f->measuring && f->page) {
        if (!rp_flow_emit_box(f, RP_ITEM_RECT, x0, top, t.total_w, 0, RP_ROLE_TABLE, table_id,
                              ctx.parent_id, &b->src)) {
          st = rp_diag_oom(f->d);
          break;
        }
        anchor = f->page->items.len - 1;
      }
      for (size_t r = 0; r < t.n_head && st == RP_OK; r++, first_row = false)
        st = place_row(f, &t, r, table_id, !first_segment, first_row);
    }
    while (st == RP_OK && next < t.n_rows) {
      st = row_height(f, &t, next, &body);
      if (st != RP_OK || (!first_row && f->y + body > f->col_bottom + EPS)) break;
      st = place_row(f, &t, next++, table_id, false, first_row);
      first_row = false;
    }
    if (anchor != SIZE_MAX) RP_VEC_AT(f->page->items, rp_item, anchor).h = f->y - top;
    if (st != RP_OK || next >= t.n_rows) break;
    first_segment = false;
    st = rp_flow_next_column(f);
    if (st != RP_OK) break;
  }
  if (st == RP_OK && !last) { /* the next part continues this segment */
    f->tbl = (table_run){.open = true,
                         .id = table_id,
                         .repeat = !first_segment,
                         .rect = anchor,
                         .top = top,
                         .col_w = t.col_w};
    for (size_t r = 0; r < t.n_head && r < RP_TABLE_PART_HEAD; r++) f->tbl.head_h[r] = t.height[r];
  }
  if (boxed) {
    if (st == RP_OK)
      rp_flow_box_pop(f, &ob);
    else
      f->boxes = ob.outer;
  }
  if (st != RP_OK) return st;
  if (last && b->style) f->y += b->style->space_after;
  return RP_OK;
}

rp_status rp_flow_place_table(flow *f, const rp_block *b, place_ctx ctx) {
  /* its working arrays only while it is placed: a long table's parts each
   * have their own */
  rp_arena *ta = rp_arena_new_child(f->a);
  if (!ta) return rp_diag_oom(f->d);
  rp_status st = place_table(f, ta, b, ctx);
  rp_arena_free(ta);
  return st;
}
