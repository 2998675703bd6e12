/* notes — footnotes: the room they take at a column's foot and setting them
 * there (docs/layout-engine.md, "Footnotes").
 *
 * A footnote belongs to the column where the line holding its mark lands.
 * When text is fitted into a column (block.c, lines_that_fit) every line
 * counts the notes it references with it, so a line whose note does not fit
 * moves on to the next column with its note. When the line is emitted the
 * note takes its room: the column's bottom (flow.col_bottom) rises by the
 * note's height, and by the separator's with the column's first note, so
 * that whatever is placed afterwards — text, tables, images, keep-with-next
 * measurements — sees the column as it will be. When the column is left the
 * notes are set from the foot up: a short rule, then each note (its label,
 * its text) in the notes' style, the last ending on the column's original
 * bottom. A note taller than an empty column is an error at its content
 * line: TeX and CSS GCPM split such a note across pages; we refuse it, as a
 * review's note is a sentence or two.
 *
 * Lines placed in grid cards and table rows (flow.atomic), in figure
 * captions and tiles, are placed from a measured height that cannot change
 * afterwards: their footnotes are set at the end of the section instead, as
 * endnotes (rp_flow_notes_section_end). */
#include <stdio.h>
#include <string.h>

#include "layout/flow.h"

typedef struct cached_note {
  const rp_note *note;
  double width; /* pt it was broken at */
  rp_lines lines;
  double height; /* pt: its lines */
} cached_note;

/* The note broken at width w, from the cache or broken now. */
static const cached_note *broken(flow *f, const rp_note *n, double w, rp_status *st) {
  *st = RP_OK;
  for (size_t i = 0; i < f->note_cache.len; i++) {
    const cached_note *c = &RP_VEC_AT(f->note_cache, cached_note, i);
    if (c->note == n && fabs(c->width - w) < 0.01) return c;
  }
  cached_note c = {.note = n, .width = w};
  if (!n->style) return NULL;
  *st =
      rp_inline_break_hy(f->a, f->b->fonts, f->hy, n->spans, w, 0, n->style->align, &c.lines, f->d);
  if (*st != RP_OK) return NULL;
  for (size_t i = 0; i < c.lines.n; i++) c.height += c.lines.lines[i].leading;
  cached_note *slot = rp_vec_push(f->a, &f->note_cache, sizeof *slot);
  if (!slot) {
    *st = rp_diag_oom(f->d);
    return NULL;
  }
  *slot = c;
  return slot;
}

/* A note numbered per page and its number. */
typedef struct page_mark {
  const rp_note *note;
  const char *text;
} page_mark;

const char *rp_flow_notes_page_mark(flow *f, const rp_note *n, bool label) {
  for (size_t i = 0; i < f->page_marks.len; i++) {
    const page_mark *pm = &RP_VEC_AT(f->page_marks, page_mark, i);
    if (pm->note == n) return pm->text;
  }
  if (label) return n->mark; /* never referenced: cannot happen */
  char buf[16];
  snprintf(buf, sizeof buf, "%d", ++f->page_notes);
  page_mark *pm = rp_vec_push(f->a, &f->page_marks, sizeof *pm);
  if (!pm || !(pm->text = rp_arena_strdup(f->a, buf))) return NULL;
  pm->note = n;
  return pm->text;
}

/* The separator's height: space, rule, half the space. */
static double separator(const flow *f) {
  const rp_note_area *a = &f->b->notes;
  return a->space + a->rule_width + a->space / 2;
}

static bool in_column(const flow *f, const rp_note *n) {
  for (size_t i = 0; i < f->foot.len; i++)
    if (RP_VEC_AT(f->foot, foot_note, i).note == n) return true;
  return false;
}

/* Room a note takes below what is set before it in the column. */
static double room(const flow *f, const cached_note *c, size_t before) {
  return c->height + (before == 0 ? separator(f) : c->note->style->space_before);
}

rp_status rp_flow_notes_need(flow *f, const rp_line *ln, size_t *counted, double *need) {
  if (f->measuring || !f->page || f->atomic) return RP_OK;
  for (size_t i = 0; i < ln->n_frags; i++) {
    const rp_span *sp = ln->frags[i].span;
    const rp_note *n = sp ? sp->note : NULL;
    if (!n || sp->note_label || !n->foot || in_column(f, n)) continue;
    rp_status st;
    const cached_note *c = broken(f, n, f->col_w, &st);
    if (!c) return st;
    *need += room(f, c, f->foot.len + *counted);
    ++*counted;
  }
  return RP_OK;
}

rp_status rp_flow_notes_too_tall(flow *f, const rp_line *ln) {
  for (size_t i = 0; i < ln->n_frags; i++) {
    const rp_span *sp = ln->frags[i].span;
    const rp_note *n = sp ? sp->note : NULL;
    if (!n || sp->note_label || !n->foot) continue;
    return rp_diag_error(f->d, RP_ERR_INPUT, n->src.content_file, n->src.content_line, 0,
                         "note %s cannot fit: with the line that references it, it is taller "
                         "than the column it would be set in (%.0fpt); shorten the note, or "
                         "print notes as endnotes (<notes placement=\"section\">, layout %s:%d)",
                         n->mark, f->col_foot - f->col_top,
                         n->src.layout_file ? n->src.layout_file : "", n->src.layout_line);
  }
  return RP_OK;
}

rp_status rp_flow_notes_reference(flow *f, const rp_note *n, int parent) {
  if (f->measuring || !n->foot) return RP_OK;
  if (!f->notes_ok || f->atomic) {
    /* a card, row, caption or tile: at the section's end */
    for (size_t i = 0; i < f->deferred.len; i++)
      if (RP_VEC_AT(f->deferred, const rp_note *, i) == n) return RP_OK;
    const rp_note **slot = rp_vec_push(f->a, &f->deferred, sizeof *slot);
    if (!slot) return rp_diag_oom(f->d);
    *slot = n;
    return RP_OK;
  }
  if (in_column(f, n)) return RP_OK;
  rp_status st;
  const cached_note *c = broken(f, n, f->col_w, &st);
  if (!c) return st;
  double h = room(f, c, f->foot.len);
  foot_note *fn = rp_vec_push(f->a, &f->foot, sizeof *fn);
  if (!fn) return rp_diag_oom(f->d);
  *fn = (foot_note){n, &c->lines, rp_flow_id(f), parent};
  f->foot_h += h;
  f->col_bottom -= h;
  return RP_OK;
}

rp_status rp_flow_notes_flush(flow *f) {
  if (f->measuring || !f->page || f->foot.len == 0) return RP_OK;
  /* the notes' items start no section and carry no bookmark */
  const rp_section *start = f->pending_start, *bookmark = f->pending_bookmark;
  f->pending_start = f->pending_bookmark = NULL;
  const rp_note_area *a = &f->b->notes;
  double y = f->col_foot - f->foot_h + a->space;
  rp_status st = RP_OK;
  if (a->rule_width > 0 && a->rule_length > 0) {
    rp_item *it = rp_flow_emit(f, RP_ITEM_RECT);
    if (!it) {
      st = rp_diag_oom(f->d);
      goto done;
    }
    it->x = f->col_x;
    it->y = y;
    it->w = f->col_w * a->rule_length;
    it->h = a->rule_width;
    it->role = RP_ROLE_ARTIFACT;
    it->u.shape.fill = a->rule_color;
  }
  y += a->rule_width + a->space / 2;
  for (size_t i = 0; i < f->foot.len && st == RP_OK; i++) {
    const foot_note *fn = &RP_VEC_AT(f->foot, foot_note, i);
    if (i > 0) y += fn->note->style->space_before;
    for (size_t k = 0; k < fn->lines->n && st == RP_OK; k++) {
      const rp_line *ln = &fn->lines->lines[k];
      st = rp_flow_emit_frags(f, ln, f->col_x, rp_flow_baseline(ln, y), RP_ROLE_NOTE, fn->sid,
                              fn->parent, &fn->note->src);
      y += ln->leading;
    }
  }
done:
  f->foot.len = 0;
  f->foot_h = 0;
  f->col_bottom = f->col_foot;
  f->pending_start = start;
  f->pending_bookmark = bookmark;
  return st;
}

rp_status rp_flow_notes_section_end(flow *f) {
  if (f->measuring || f->deferred.len == 0) return RP_OK;
  rp_status st = RP_OK;
  for (size_t i = 0; i < f->deferred.len && st == RP_OK; i++) {
    const rp_note *n = RP_VEC_AT(f->deferred, const rp_note *, i);
    rp_block *blk = rp_arena_calloc(f->a, 1, sizeof *blk);
    if (!blk) return rp_diag_oom(f->d);
    blk->kind = RP_BLOCK_PARAGRAPH;
    blk->role = RP_ROLE_NOTE;
    blk->style = n->style;
    blk->spans = n->spans;
    blk->src = n->src;
    place_ctx ctx = {0, 0, 0};
    st = rp_flow_place_text(f, blk, ctx);
  }
  f->deferred.len = 0;
  return st;
}
