/* block — the place functions of the first kinds of bound block (place.c's
 * table calls them): text (headings, paragraphs) line by line with widow and
 * orphan control, lists with their markers (on the item's first baseline,
 * never with that line alone at the foot of a column), boxes and quotes with
 * backgrounds per column segment, shapes and chart slots. */
#include <math.h>
#include <string.h>

#include "charts/charts.h"
#include "charts/memo.h"
#include "layout/flow.h"

void rp_flow_box_push(flow *f, open_box *ob);
void rp_flow_box_pop(flow *f, open_box *ob);

#define MIN_LINES RP_FLOW_MIN_LINES

static double avail(const flow *f) { return f->col_bottom - f->y; }

static rp_status no_fit(flow *f, const rp_block *b, double need) {
  return rp_diag_error(f->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                       "content can never fit: it needs %.0fpt but the frame's column holds "
                       "%.0fpt; make it smaller, allow it to split, or use a larger frame",
                       need, f->col_bottom - f->col_top);
}

rp_status rp_flow_no_fit(flow *f, const rp_block *b, double need) { return no_fit(f, b, need); }

static rp_role heading_role(int level) {
  if (level < 1) level = 1;
  if (level > 6) level = 6;
  return (rp_role)(RP_ROLE_H1 + level - 1);
}

static rp_status emit_marker(flow *f, const pending_marker *m, double baseline) {
  if (!m->text || !m->text[0] || !m->style) return RP_OK;
  const rp_font *font = rp_fontset_get(f->b->fonts, m->style->font);
  /* kerned and with the style's figures, as its text is ("(iv)", "10.") */
  double w = rp_font_measure_fig(font, m->text, strlen(m->text), m->style->size, m->style->tracking,
                                 m->style->kerning, m->style->figures);
  rp_item *it = rp_flow_emit(f, RP_ITEM_TEXT);
  if (!it) return f->measuring ? RP_OK : rp_diag_oom(f->d);
  /* Markers sit right-aligned in their gutter, a third of an em from the text. */
  double gap = m->style->size / 3;
  it->x = m->x + m->width - gap - w;
  if (it->x < m->x) it->x = m->x;
  it->y = baseline;
  it->w = w;
  it->h = m->style->size;
  it->role = RP_ROLE_LIST_LABEL;
  it->struct_id = m->struct_id;
  it->src = m->src;
  it->u.text.text = m->text;
  it->u.text.font = m->style->font;
  it->u.text.size = m->style->size;
  it->u.text.tracking = m->style->tracking;
  it->u.text.color = m->style->color;
  it->u.text.kern = m->style->kerning;
  it->u.text.figures = m->style->figures;
  return RP_OK;
}

static rp_status emit_line(flow *f, const rp_block *b, const rp_line *ln, double x0, rp_role role,
                           int sid, int parent) {
  double top = f->y;
  double base = rp_flow_baseline(ln, top);
  /* Every marker waiting goes on this baseline: an item's and those of the
   * items whose first block holds it. */
  int n = f->n_markers;
  f->n_markers = 0;
  for (int i = 0; i < n; i++) {
    rp_status st = emit_marker(f, &f->markers[i], base);
    if (st != RP_OK) return st;
  }
  rp_status st = rp_flow_emit_frags(f, ln, x0, base, role, sid, parent, &b->src);
  if (st != RP_OK) return st;
  f->y = top + ln->leading;
  f->at_top = false;
  return RP_OK;
}

/* The top of line `ln` set from cursor `y`: lowered so that its baseline
 * is on the next grid line when `snap`. */
static double line_top(const flow *f, const rp_line *ln, double y, bool snap) {
  if (!snap) return y;
  double base = rp_flow_baseline(ln, y);
  return y + rp_flow_grid_next(f, base) - base;
}

/* A preflight finding: the break after line i + k of b's `left` remaining
 * lines leaves an orphan (its first line alone at this column's foot) or a
 * widow (its last alone at the next column's head), the column being too
 * short to avoid it. */
static void warn_widow(flow *f, const rp_block *b, size_t i, size_t k, size_t left) {
  bool orphan = i == 0 && k < MIN_LINES;
  char msg[200 + 48];
  if (orphan)
    snprintf(msg, sizeof msg,
             "orphan: the first line of \"%s\" stands alone at the foot of a column, which is "
             "too short to keep %d lines together; shorten the text or give it more room",
             rp_fit_excerpt(f->a, b->spans, 40), MIN_LINES);
  else
    snprintf(msg, sizeof msg,
             "widow: the end of \"%s\" (%zu line%s) stands alone at the head of the next "
             "column, as this one is too short to keep %d lines together; shorten the text or "
             "give it more room",
             rp_fit_excerpt(f->a, b->spans, 40), left - k, left - k == 1 ? "" : "s", MIN_LINES);
  rp_diag_about ab = {.code = RP_DIAG_WIDOW_ORPHAN,
                      .page = (int)f->doc->pages.len,
                      .src = b->src,
                      .finding_only = true};
  if (!f->measuring) rp_diag_warn_about(f->d, &ab, "%s", msg);
}

/* Number of lines from `from` that fit in the space left, each with the
 * footnotes it references (notes.c). */
static rp_status lines_that_fit(flow *f, const rp_lines *ls, size_t from, bool snap, size_t *fit) {
  double y = f->y, notes = 0;
  size_t k = 0, counted = 0;
  for (size_t i = from; i < ls->n; i++) {
    rp_status st = rp_flow_notes_need(f, &ls->lines[i], &counted, &notes);
    if (st != RP_OK) return st;
    y = line_top(f, &ls->lines[i], y, snap);
    if (y + ls->lines[i].leading > f->col_bottom - notes + 1e-6) break;
    y += ls->lines[i].leading;
    k++;
  }
  *fit = k;
  return RP_OK;
}

/* How block b's text sits on the baseline grid here (RP_GRID_NONE off it).
 * Body text whose leading is a whole number of grid steps is snapped line by
 * line; headings and text of any other leading are centred in a whole number
 * of steps (the typesetter's rule: body on the grid, display between). */
static rp_grid_mode grid_mode(const flow *f, const rp_block *b) {
  if (!rp_flow_on_grid(f) || !b->style) return RP_GRID_NONE;
  rp_grid_mode m = b->style->grid;
  if (m != RP_GRID_AUTO) return m;
  if (b->kind == RP_BLOCK_HEADING) return RP_GRID_CENTRE;
  double steps = b->style->leading / f->grid;
  return steps > 0.99 && fabs(steps - round(steps)) < 0.01 ? RP_GRID_SNAP : RP_GRID_CENTRE;
}

/* Where a snapped line of style st leaves the cursor, modulo the grid: its
 * top is a grid line less the baseline's offset in the line (half-leading
 * model, as rp_flow_baseline), its end a leading further on. */
static double snap_phase(const flow *f, const rp_style *st) {
  const rp_font *font = rp_fontset_get(f->b->fonts, st->font);
  double asc = font->ascent * st->size / 1000.0, desc = font->descent * st->size / 1000.0;
  double off = (st->leading - (asc - desc)) / 2 + asc;
  double ph = fmod(st->leading - off, f->grid);
  return ph < 0 ? ph + f->grid : ph;
}

/* Centring on the grid: the space to add above text block b, which takes
 * `need` pt from the cursor (its space before, lines and space after): half
 * of what brings its end to where the next snapped line will start without
 * moving — the phase of the block after it when that is snapped text, else
 * of the last line snapped — modulo the grid; the same goes below it
 * (*after). Nothing when that would overrun the column. */
static double centre_slack(const flow *f, const rp_block *b, double need, double *after) {
  *after = 0;
  double g = f->grid, end = f->y + need;
  const rp_block *next = b->next;
  double phase = next && next->spans && next->style && grid_mode(f, next) == RP_GRID_SNAP
                     ? snap_phase(f, next->style)
                 : f->phase_known ? f->grid_phase
                                  : 0;
  double k = ceil((end - f->grid_top - phase) / g - 1e-6);
  double target = f->grid_top + phase + k * g;
  if (target > f->col_bottom + 1e-6) return 0;
  *after = (target - end) / 2;
  return *after;
}

/* Places text block b's lines from `ls` (broken at `width` in `scratch`). */
static rp_status place_lines(flow *f, const rp_block *b, place_ctx ctx, rp_arena *scratch,
                             double width, rp_lines ls);

rp_status rp_flow_place_text(flow *f, const rp_block *b, place_ctx ctx) {
  const rp_style *st = b->style;
  if (!st) return RP_OK;
  double width = f->col_w - ctx.left - ctx.right;
  /* The lines (and any shrink or truncation tries) live in a scratch arena
   * freed once placed: the items copy what they draw (rp_flow_emit_frags),
   * and measuring sandboxes place nothing at all. */
  rp_arena *scratch = rp_arena_scratch(f->a), *keep = f->a;
  if (!scratch) return rp_diag_oom(f->d);
  rp_lines ls;
  f->a = scratch;
  rp_status s = rp_fit_text(f, b, width, &ls); /* max-lines, shrink-to-fit */
  f->a = keep;
  if (s == RP_OK && ls.n > 0) s = place_lines(f, b, ctx, scratch, width, ls);
  rp_arena_scratch_end(keep, scratch);
  return s;
}

static rp_status place_lines(flow *f, const rp_block *b, place_ctx ctx, rp_arena *scratch,
                             double width, rp_lines ls) {
  const rp_style *st = b->style;
  rp_status s = RP_OK;
  rp_role role = b->kind == RP_BLOCK_HEADING && !b->tagged ? heading_role(b->level)
                 : b->role != RP_ROLE_NONE                 ? b->role
                                                           : RP_ROLE_P;
  int sid = rp_flow_id(f);
  rp_grid_mode grid = grid_mode(f, b);
  bool snap = grid == RP_GRID_SNAP;
  double below = 0; /* centring on the grid: space added after the block */
  if (grid == RP_GRID_CENTRE) {
    double need = (f->at_top ? 0 : st->space_before) + st->space_after;
    for (size_t j = 0; j < ls.n; j++) need += ls.lines[j].leading;
    if (f->y + need <= f->col_bottom + 1e-6) f->y += centre_slack(f, b, need, &below);
  }
  if (!f->at_top) f->y += st->space_before;
  if (b->bookmark && !f->measuring) {
    rp_item *bm = rp_flow_emit(f, RP_ITEM_BOOKMARK);
    if (bm) {
      bm->x = f->col_x + ctx.left;
      bm->y = f->y;
      bm->u.bookmark.title = b->bookmark;
      bm->u.bookmark.level = b->bookmark_level > 0 ? b->bookmark_level : 2;
      bm->src = b->src;
    }
  }
  size_t i = 0;
  while (i < ls.n) {
    size_t left = ls.n - i;
    size_t k;
    s = lines_that_fit(f, &ls, i, snap, &k);
    if (s != RP_OK) return s;
    if (k == 0 && f->at_top) {
      /* the first line's footnote may be what does not fit */
      s = rp_flow_notes_too_tall(f, &ls.lines[i]);
      if (s != RP_OK) return s;
    }
    if (k >= left)
      k = left;
    else {
      /* A break falls inside this paragraph: keep MIN_LINES either side. */
      size_t kk = k;
      if (left - kk < MIN_LINES) kk = left > MIN_LINES ? left - MIN_LINES : 0;
      if (kk < MIN_LINES && kk < left) kk = 0;
      if (kk == 0 && f->at_top) kk = k; /* an empty column: the rule cannot be kept */
      if (kk == 0 && f->at_top) return no_fit(f, b, ls.lines[i].leading);
      if (kk > 0 && ((i == 0 && kk < MIN_LINES) || left - kk < MIN_LINES))
        warn_widow(f, b, i, kk, left);
      k = kk;
    }
    double x0 = f->col_x + ctx.left;
    for (size_t j = 0; j < k; j++) {
      f->y = line_top(f, &ls.lines[i + j], f->y, snap);
      f->notes_ok = true; /* fitted with its footnotes */
      s = emit_line(f, b, &ls.lines[i + j], x0, role, sid, ctx.parent_id);
      f->notes_ok = false;
      if (s != RP_OK) return s;
      if (snap) {
        f->grid_phase = fmod(f->y - f->grid_top, f->grid);
        f->phase_known = true;
      }
      if (f->lines && f->n_lines < f->max_lines)
        f->lines[f->n_lines++] = (line_mark){i + j, ls.n, f->y};
    }
    i += k;
    if (i < ls.n) {
      double old_w = f->col_w;
      s = rp_flow_next_column(f);
      if (s != RP_OK) return s;
      if (fabs(f->col_w - old_w) > 0.01) {
        /* A column of another width: break what is left again. */
        rp_span *head = NULL;
        s = rp_inline_rest(scratch, &ls, i, &head, f->d);
        if (s != RP_OK) return s;
        width = f->col_w - ctx.left - ctx.right;
        s = rp_inline_break_hy(scratch, f->b->fonts, rp_fit_hyphen(f, b), head, width, 0, st->align,
                               &ls, f->d);
        if (s != RP_OK) return s;
        i = 0;
      }
    }
  }
  f->y += st->space_after + below;
  return RP_OK;
}

/* Places list item `it` of list `b`: its marker waits for the item's first
 * line (with any marker of an item this list starts), then its text of its
 * own and its blocks. */
static rp_status place_item(flow *f, const rp_block *b, const rp_block *it, place_ctx ctx,
                            double indent, int list_id) {
  const rp_style *ms = it->style ? it->style : b->style;
  int item_id = rp_flow_id(f);
  /* The item's blocks hang under it: an unpainted LI box carries its place in
   * the structure (its marker is drawn with the item's id, as its Lbl). */
  place_ctx inner = {ctx.left + indent, ctx.right, item_id};
  rp_flow_pend_anchor(f, it->anchor); /* lists place their items themselves */
  if (!f->measuring && f->page &&
      !rp_flow_emit_box(f, RP_ITEM_RECT, f->col_x + ctx.left, f->y, 0, 0, RP_ROLE_LIST_ITEM,
                        item_id, list_id, &it->src))
    return rp_diag_oom(f->d);
  int saved = f->n_markers;
  if (f->n_markers == RP_MAX_MARKERS) { /* drop the outermost */
    memmove(f->markers, f->markers + 1, (RP_MAX_MARKERS - 1) * sizeof f->markers[0]);
    f->n_markers--;
  }
  f->markers[f->n_markers++] =
      (pending_marker){rp_block_marker(it), ms, f->col_x + ctx.left, indent, item_id, it->src};
  rp_status st;
  if (it->spans) {
    rp_block para = *it;
    para.kind = RP_BLOCK_PARAGRAPH;
    para.role = RP_ROLE_LIST_BODY;
    para.children = NULL;
    para.next = NULL;
    para.style = it->style ? it->style : b->style;
    st = rp_flow_place_text(f, &para, inner);
    if (st == RP_OK && it->children) st = rp_flow_place_blocks(f, it->children, inner);
  } else {
    st = rp_flow_place_blocks(f, it->children, inner);
  }
  /* An item without a line drops its marker rather than lend it to the next. */
  if (f->n_markers > saved) f->n_markers = saved;
  return st;
}

/* Whether a paragraph may break after line mark `m`: MIN_LINES either side,
 * or its end (as place_text does). */
static bool may_break_after(const line_mark *m) {
  size_t done = m->index + 1;
  return done == m->count || (done >= MIN_LINES && m->count - done >= MIN_LINES);
}

/* Height from the cursor that item `it` needs in this column so that its
 * first line is not the last of the column when the item has more: through
 * its second line, or further to the first place where the paragraphs it
 * crosses may break. 0 for an item of one line. Measured in a sandbox that
 * starts where the cursor is, space before included. */
static rp_status item_start(flow *f, const rp_block *b, const rp_block *it, place_ctx ctx,
                            double indent, int list_id, double *need) {
  line_mark marks[2 * MIN_LINES + 2];
  flow m = *f;
  m.measuring = true;
  m.page = NULL;
  m.boxes = NULL;
  m.lc = NULL;
  m.n_markers = 0;
  m.y = 0;
  m.col_top = 0;
  m.col_bottom = INFINITY;
  m.grid_top = f->grid_top - f->y;
  if (!rp_flow_on_grid(f)) m.grid = 0; /* inside a box: off the grid, as when placed */
  m.lines = marks;
  m.n_lines = 0;
  m.max_lines = sizeof marks / sizeof marks[0];
  *need = 0;
  rp_status st = place_item(&m, b, it, ctx, indent, list_id);
  if (st != RP_OK || m.n_lines < 2) return st;
  size_t last = 1;
  while (last + 1 < m.n_lines && !may_break_after(&marks[last])) last++;
  *need = marks[last].bottom;
  return RP_OK;
}

rp_status rp_flow_place_list(flow *f, const rp_block *b, place_ctx ctx) {
  int list_id = rp_flow_id(f);
  if (!f->at_top && b->style) f->y += b->style->space_before;
  double indent = b->box.padding_set ? b->box.padding[3] : b->style ? b->style->size * 1.5 : 15;
  for (const rp_block *it = b->children; it; it = it->next) {
    if (!f->at_top && !f->measuring && !f->atomic) {
      /* No item's first line alone at the foot of a column: the orphan rule
       * of paragraphs, over the item's blocks. */
      double need;
      rp_status st = item_start(f, b, it, ctx, indent, list_id, &need);
      if (st != RP_OK) return st;
      if (f->y + need > f->col_bottom + 1e-6 && need <= f->col_bottom - f->col_top + 1e-6) {
        st = rp_flow_next_column(f);
        if (st != RP_OK) return st;
      }
    }
    /* An unpainted L box, where the first item goes: the list's place in the
     * structure tree (render/ tags it). */
    if (it == b->children && !f->measuring && f->page &&
        !rp_flow_emit_box(f, RP_ITEM_RECT, f->col_x + ctx.left, f->y, 0, 0, RP_ROLE_LIST, list_id,
                          ctx.parent_id, &b->src))
      return rp_diag_oom(f->d);
    rp_status st = place_item(f, b, it, ctx, indent, list_id);
    if (st != RP_OK) return st;
  }
  if (b->style) f->y += b->style->space_after;
  return RP_OK;
}

/* The space after b's content that placing it adds below its last line:
 * its space after, and through an unpainted box without a bottom padding
 * or height, its last block's. Nothing needs it to fit in the column. */
static double trailing_space(const rp_block *b) {
  double t = 0;
  while (b) {
    t += b->style ? b->style->space_after : 0;
    const rp_boxstyle *bs = &b->box;
    if ((b->kind != RP_BLOCK_BOX && b->kind != RP_BLOCK_QUOTE) || bs->padding[2] > 0 ||
        b->height > 0 || bs->fill.a || bs->stroke.a || bs->rule.a)
      break;
    const rp_block *last = b->children;
    while (last && last->next) last = last->next;
    b = last;
  }
  return t;
}

rp_status rp_flow_place_box(flow *f, const rp_block *b, place_ctx ctx) {
  const rp_boxstyle *bs = &b->box;
  if (b->keep_together && !f->measuring) {
    /* Below other blocks it needs the space before it and before its first
     * blocks (a kicker's) too, which the top of a column drops, though not
     * the space after its last line; and, as ever, all it measures from the
     * top of a column (h). Fitting with all its spaces, it fits an empty
     * column: measured once. */
    double here, h;
    rp_status st = rp_flow_measure_here(f, b, ctx, &here);
    if (st != RP_OK) return st;
    if (here > avail(f) + 1e-6) {
      h = here;
      if (!f->at_top) st = rp_flow_measure(f, b, ctx, &h);
      if (st != RP_OK) return st;
      if (h > f->col_bottom - f->col_top + 1e-6) return no_fit(f, b, h);
      if (!f->at_top && (h > avail(f) + 1e-6 || here - trailing_space(b) > avail(f) + 1e-6))
        st = rp_flow_next_column(f);
      if (st != RP_OK) return st;
    }
  }
  double outer_w = f->col_w - ctx.left - ctx.right;
  double w = b->width > 0 && b->width < outer_w ? b->width : outer_w;
  open_box ob = {.blk = b, .x = f->col_x + ctx.left, .w = w};
  if (!f->at_top && b->style) f->y += b->style->space_before;
  rp_flow_box_push(f, &ob);
  double top = f->y;
  f->y += bs->padding[0];
  place_ctx inner = {ctx.left + bs->padding[3] + (bs->rule_width > 0 ? bs->rule_width : 0),
                     ctx.right + (outer_w - w) + bs->padding[1], ctx.parent_id};
  if (b->role == RP_ROLE_QUOTE) {
    /* An unpainted BlockQuote box: its paragraphs hang under it (render/). */
    inner.parent_id = rp_flow_id(f);
    if (!f->measuring && f->page &&
        !rp_flow_emit_box(f, RP_ITEM_RECT, ob.x, f->y, 0, 0, RP_ROLE_QUOTE, inner.parent_id,
                          ctx.parent_id, &b->src)) {
      f->boxes = ob.outer;
      return rp_diag_oom(f->d);
    }
  }
  bool was_top = f->at_top;
  rp_status st = rp_flow_place_blocks(f, b->children, inner);
  (void)was_top;
  if (st != RP_OK) {
    f->boxes = ob.outer;
    return st;
  }
  f->y += bs->padding[2];
  if (b->height > 0 && f->y - top < b->height) f->y = top + b->height;
  rp_flow_box_pop(f, &ob);
  f->at_top = false;
  if (b->style) f->y += b->style->space_after;
  return RP_OK;
}

/* A block of fixed size that needs `need` pt: moves to the next column when
 * it does not fit in this one; an error when it fits no column. */
static rp_status fixed_room(flow *f, const rp_block *b, double need) {
  if (need > f->col_bottom - f->col_top + 1e-6) return no_fit(f, b, need);
  if (need > avail(f) + 1e-6 && !f->at_top) return rp_flow_next_column(f);
  return RP_OK;
}

rp_status rp_flow_place_shape(flow *f, const rp_block *b, place_ctx ctx) {
  double outer_w = f->col_w - ctx.left - ctx.right;
  double w = b->width > 0 && b->width < outer_w ? b->width : outer_w;
  bool line = b->u.shape.kind == RP_SHAPE_LINE;
  double h = line ? 0 : b->height;
  double need = line ? b->box.stroke_width : h;
  rp_status st = fixed_room(f, b, need);
  if (st != RP_OK) return st;
  rp_item_kind k = line                                 ? RP_ITEM_LINE
                   : b->u.shape.kind == RP_SHAPE_CIRCLE ? RP_ITEM_ELLIPSE
                                                        : RP_ITEM_RECT;
  rp_item *it = rp_flow_emit(f, k);
  if (it) {
    it->x = f->col_x + ctx.left;
    it->y = f->y + (k == RP_ITEM_LINE ? b->box.stroke_width / 2 : 0);
    it->w = k == RP_ITEM_ELLIPSE && b->width <= 0 ? h : w;
    it->h = h;
    it->role = RP_ROLE_ARTIFACT;
    it->src = b->src;
    it->u.shape.fill = b->box.fill;
    it->u.shape.stroke = b->box.stroke;
    it->u.shape.stroke_width = b->box.stroke_width;
    it->u.shape.radius = b->u.shape.kind == RP_SHAPE_ROUNDED ? b->box.radius : 0;
  }
  f->y += need;
  f->at_top = false;
  return RP_OK;
}

/* A chart: a frame item tagged Figure (alt text, source lines) and, when the
 * chart has data, charts/ draws it into the frame as path and text items
 * (the frame is then marked drawn: render shows no slot). A chart without
 * data stays a labelled slot. */
rp_status rp_flow_place_chart(flow *f, const rp_block *b, place_ctx ctx) {
  double outer_w = f->col_w - ctx.left - ctx.right;
  double w = b->width > 0 && b->width < outer_w ? b->width : outer_w;
  double h = b->height;
  double before = b->style ? b->style->space_before : 0,
         after = b->style ? b->style->space_after : 0;
  rp_status st = fixed_room(f, b, h + (f->at_top ? 0 : before));
  if (st != RP_OK) return st;
  if (!f->at_top) f->y += before;
  rp_item *it = rp_flow_emit(f, RP_ITEM_CHART);
  if (it) {
    const rp_chart *c = b->u.chart.data;
    it->x = f->col_x + ctx.left;
    it->y = f->y;
    it->w = w;
    it->h = h;
    it->role = RP_ROLE_FIGURE;
    it->struct_id = rp_flow_id(f);
    it->parent_id = ctx.parent_id;
    it->alt = b->alt;
    if (!it->alt && c) it->alt = rp_charts_alt(f->ia, c);
    it->src = b->src;
    it->u.chart.kind = b->u.chart.kind;
    it->u.chart.ref = b->u.chart.ref;
    it->u.chart.label = it->alt;
    if (c) {
      /* set before drawing: the items charts/ appends may move `it` */
      it->u.chart.drawn = true;
      rp_chart_box box = {it->x, it->y, w, h, it->struct_id, b->src};
      rp_chart_memo *m = f->opts ? f->opts->chart_memo : NULL;
      unsigned token = 0;
      /* a pass whose pages only measure (layout.h chart_memo) needs what
       * drawing says, not its items: drawn on the memo's worker meanwhile */
      if (m && f->opts->hold_bytes == 0)
        st = rp_charts_draw_memo_later(m, f->ia, c, f->b->fonts, &box, f->page, f->d);
      /* else drawn there too, its items put after `it` before the page is
       * handed on (flow.c hand_on) or the layout ends; not in a table row
       * or grid card, whose items are moved, scanned or made artifacts by
       * index once placed (table.c) */
      else if (m && !f->atomic)
        st = rp_charts_draw_memo_held(m, f->ia, c, f->b->fonts, &box, f->page,
                                      (size_t)(f->page - (rp_page *)f->doc->pages.data), f->d,
                                      &token);
      else
        st = rp_charts_draw_memo(m, f->ia, c, f->b->fonts, &box, f->page, f->d);
      if (st != RP_OK) return st;
      if (token) it->u.chart.later = token; /* nothing appended: `it` stays */
    }
  }
  f->y += h + after;
  f->at_top = false;
  return RP_OK;
}
