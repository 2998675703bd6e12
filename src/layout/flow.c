/* flow — the page/column cursor and the driver of layout: sections start
 * pages of their master, blocks are placed by block.c, and running headers
 * and footers are set by running.c once a page is final.
 *
 * A page is final when no rewind can reach it: a page before the current
 * one, unless a hold (rp_flow_hold: a balancing or <columns> trial from its
 * mark, an artifact block being placed) reaches back to it. Final pages are
 * handed on in order (opts->page_done) and their arenas freed; without
 * page_done every page is kept until the end, as it always was. */
#include "layout/flow.h"
#include "base/mem.h"
#include "base/roman.h"
#include "charts/memo.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

int rp_flow_id(flow *f) { return ++f->next_id; }

/* Bytes from which a record's vector has an arena of its own: more than
 * an arena's chunk (64 KiB), so that the arena holds the vector alone. */
#define OWN_FROM (64u * 1024u)

/* Pushes an element onto v, a record that grows with the document (a
 * page's, an anchor's): once it is large, held alone in the arena *own,
 * whose doubling moves it to a new arena and frees the old one, where
 * doubling in the run's arena would leave every smaller copy behind (as
 * much again as the vector). A pointer into v is good until the next push.
 * NULL when out of memory. */
static void *own_push(flow *f, rp_arena **own, rp_vec *v, size_t elem) {
  if (v->len == v->cap && (v->cap ? 2 * v->cap : 8) * elem <= OWN_FROM)
    return rp_vec_push(f->a, v, elem); /* small (a short document): as any vector */
  if (v->len == v->cap) {
    size_t cap = 2 * v->cap;
    rp_arena *na = rp_arena_new_child(f->a);
    void *d = na ? rp_arena_alloc_raw(na, cap * elem) : NULL;
    if (!d) {
      rp_arena_free(na);
      return NULL;
    }
    if (v->len) memcpy(d, v->data, v->len * elem);
    rp_arena_free(*own);
    *own = na;
    v->data = d;
    v->cap = cap;
  }
  void *slot = (unsigned char *)v->data + v->len * elem;
  memset(slot, 0, elem);
  v->len++;
  return slot;
}

static void set_column(flow *f) {
  const rp_page_variant *v = f->variant;
  const rp_frame *fr = &v->frames[f->frame];
  int n = fr->columns > 0 ? fr->columns : 1;
  double w = (fr->w - (n - 1) * fr->gutter) / n;
  f->col_x = fr->x + f->column * (w + fr->gutter);
  f->col_w = w;
  f->col_top = fr->y;
  f->col_bottom = fr->y + fr->h;
  f->col_foot = f->col_bottom;
  f->y = f->col_top;
  f->at_top = true;
  f->grid = f->master ? f->master->baseline : 0;
  f->grid_top = f->col_top;
  /* a balancing trial: the frame's columns end higher on the page it levels */
  if (f->balancing && f->doc->pages.len == f->bal_page + 1 && f->frame == f->bal_frame &&
      f->column < RP_MAX_COLUMNS && f->bal_bottom[f->column] < f->col_bottom)
    f->col_bottom = f->bal_bottom[f->column];
}

/* The outline entry of a section, at the cursor. */
static void section_bookmark(flow *f, const rp_section *s) {
  rp_item *bm = rp_page_add(f->ia, f->page, RP_ITEM_BOOKMARK);
  if (!bm) return;
  bm->x = f->col_x;
  bm->y = f->y;
  bm->role = RP_ROLE_NONE;
  bm->u.bookmark.title = s->bookmark;
  bm->u.bookmark.level = 1;
  bm->src = s->src;
}

static size_t hash_id(const char *id) {
  uint64_t h = 14695981039346656037u; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 1099511628211u;
  return (size_t)h;
}

/* The slot of `id`: where it is, or the empty one where it would go. */
static anchor_slot *id_slot(const anchor_index *x, const char *id) {
  size_t mask = x->cap - 1;
  for (size_t i = hash_id(id) & mask;; i = (i + 1) & mask)
    if (!x->slots[i].id || strcmp(x->slots[i].id, id) == 0) return &x->slots[i];
}

/* The anchor of `id` in doc->anchors, or NULL. */
static const rp_anchor *find_anchor(const flow *f, const char *id) {
  if (!f->ids.cap) return NULL;
  const anchor_slot *sl = id_slot(&f->ids, id);
  if (!sl->id || sl->index >= f->doc->anchors.len) return NULL; /* cut back by a rewind */
  const rp_anchor *an = &RP_VEC_AT(f->doc->anchors, rp_anchor, sl->index);
  return strcmp(an->id, id) == 0 ? an : NULL;
}

/* Records in x that `id` is at `index`; false when out of memory. The
 * slots are the allocator's, not the arena's, so that a table outgrown
 * (one slot per study of a pack, twice over) is freed, not left behind;
 * freed at the run's end (rp_layout_run_ex). */
static bool index_put(anchor_index *x, const char *id, size_t index) {
  /* filled to three quarters: linear probing stays short, and an index of
   * every study of a pack takes half what filling to one half took */
  if (4 * (x->used + 1) > 3 * x->cap) {
    anchor_index bigger = {NULL, x->cap ? 2 * x->cap : 64, 0};
    bigger.slots = rp_mem_calloc(bigger.cap, sizeof *bigger.slots);
    if (!bigger.slots) return false;
    for (size_t i = 0; i < x->cap; i++)
      if (x->slots[i].id) {
        *id_slot(&bigger, x->slots[i].id) = x->slots[i];
        bigger.used++;
      }
    rp_mem_free(x->slots);
    *x = bigger;
  }
  anchor_slot *sl = id_slot(x, id);
  if (!sl->id) x->used++;
  *sl = (anchor_slot){id, index};
  return true;
}

/* Notes where the element with id `id` starts, unless an earlier section or
 * block from it did (the first board of the boards). */
static void add_anchor(flow *f, const char *id) {
  if (!id || f->info.len == 0 || find_anchor(f, id)) return;
  /* copied: the anchors outlive the section (bound lazily) they came from */
  const char *copy = rp_arena_strdup(f->a, id);
  rp_anchor *an = copy ? own_push(f, &f->grows.anchors, &f->doc->anchors, sizeof *an) : NULL;
  if (!an) return;
  *an = (rp_anchor){copy, f->info.len - 1, f->y};
  id = copy;
  if (!index_put(&f->ids, id, f->doc->anchors.len - 1)) f->doc->anchors.len--;
}

static void flush_anchors(flow *f) {
  for (int i = 0; i < f->n_pending_anchors; i++) add_anchor(f, f->pending_anchors[i]);
  f->n_pending_anchors = 0;
}

void rp_flow_pend_anchor(flow *f, const char *id) {
  if (f->measuring || !id) return;
  if (f->n_pending_anchors == RP_MAX_ANCHORS) flush_anchors(f);
  f->pending_anchors[f->n_pending_anchors++] = id;
}

/* Section s's first item lands on the current page: at its top when nothing
 * is there yet. */
static void section_starts(flow *f, const rp_section *s) {
  add_anchor(f, s->anchor);
  add_anchor(f, s->outer_anchor);
  if (!s->title || f->info.len == 0) return;
  page_info *pi = &RP_VEC_AT(f->info, page_info, f->info.len - 1);
  if (f->page_blank) pi->section = s->title;
  if (!pi->first_start) pi->first_start = s->title;
  pi->last_start = s->title;
}

rp_item *rp_flow_emit(flow *f, rp_item_kind kind) {
  if (f->measuring || !f->page) return NULL;
  if (f->pending_start) {
    const rp_section *s = f->pending_start;
    f->pending_start = NULL;
    section_starts(f, s);
  }
  if (f->pending_bookmark) {
    /* A section that continued a page: its first item may have moved on to
     * the next column or page, so its entry is set only now, beside it. */
    const rp_section *s = f->pending_bookmark;
    f->pending_bookmark = NULL;
    section_bookmark(f, s);
  }
  if (f->n_pending_anchors) flush_anchors(f);
  rp_item *it = rp_page_add(f->ia, f->page, kind);
  if (it) f->page_blank = false;
  return it;
}

rp_item *rp_flow_emit_box(flow *f, rp_item_kind kind, double x, double y, double w, double h,
                          rp_role role, int sid, int parent, const rp_src *src) {
  rp_item *it = rp_flow_emit(f, kind);
  if (!it) return NULL;
  it->x = x;
  it->y = y;
  it->w = w;
  it->h = h;
  it->role = role;
  it->struct_id = sid;
  it->parent_id = parent;
  it->src = *src;
  return it;
}

void rp_flow_make_artifacts(flow *f, size_t page0, size_t item0) {
  for (size_t p = page0 ? page0 - 1 : 0; p < f->doc->pages.len; p++) {
    rp_page *pg = &RP_VEC_AT(f->doc->pages, rp_page, p);
    for (size_t i = p + 1 == page0 ? item0 : 0; i < pg->items.len; i++) {
      rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
      if (it->kind == RP_ITEM_BOOKMARK || it->kind == RP_ITEM_LINK) continue;
      it->role = RP_ROLE_ARTIFACT;
      it->struct_id = it->parent_id = 0;
    }
  }
}

/* How much wider than the fragment (bind's one-digit stand-in, as measured)
 * the per-page number `num` draws: 0 for numbers of one digit. */
static double mark_growth(const flow *f, const rp_frag *fr, const char *num) {
  const rp_font *font = rp_fontset_get(f->b->fonts, fr->font);
  return rp_font_width(font, num, strlen(num), fr->size, fr->style->tracking) -
         rp_font_width(font, fr->text, fr->len, fr->size, fr->style->tracking);
}

/* Word gaps after fragment i of the line. */
static size_t gaps_after(const rp_line *ln, size_t i) {
  size_t n = 0;
  for (size_t j = i; j + 1 < ln->n_frags; j++) n += ln->frags[j].space_after;
  return n;
}

rp_status rp_flow_emit_frags(flow *f, const rp_line *ln, double x0, double base, rp_role role,
                             int sid, int parent, const rp_src *src) {
  if (f->measuring) return RP_OK;
  /* A mark numbered per page (10 and over) is drawn wider than the stand-in
   * its line was measured with: what follows it moves right by the
   * difference, which a justified line takes back from its word gaps after
   * the mark, so that it still ends on the column's edge. */
  double shift = 0, per_gap = 0;
  bool justified =
      ln->n_frags && ln->frags[0].style->align == RP_ALIGN_JUSTIFY && !ln->last && !ln->forced;
  for (size_t i = 0; i < ln->n_frags; i++) {
    const rp_frag *fr = &ln->frags[i];
    if (i > 0 && ln->frags[i - 1].space_after) shift -= per_gap;
    double x = x0 + fr->x + shift;
    if (fr->span && fr->span->note_label &&
        !rp_flow_emit_box(f, RP_ITEM_RECT, x, base, 0, 0, role, sid, parent, src))
      return rp_diag_oom(f->d); /* the Note first, so that its label goes inside it */
    rp_item *it = rp_flow_emit(f, RP_ITEM_TEXT);
    if (!it) return rp_diag_oom(f->d);
    rp_frag_to_item(fr, x, base, it);
    /* the page keeps its own copy: lines are often broken in a scratch arena */
    it->u.text.text = rp_arena_strndup(f->ia, fr->text, fr->len);
    if (!it->u.text.text) return rp_diag_oom(f->d);
    it->role = role;
    it->struct_id = sid;
    it->parent_id = parent;
    it->src = *src;
    const rp_note *note = fr->span ? fr->span->note : NULL;
    if (note) {
      /* a note's mark: a Reference in the text, the Lbl of the note itself */
      it->role = fr->span->note_label ? RP_ROLE_NOTE_LABEL : RP_ROLE_NOTE_REF;
      it->struct_id = rp_flow_id(f);
      it->parent_id = sid;
      if (note->per_page) {
        /* the number on this page, drawn where bind's one-digit stand-in was measured */
        it->u.text.text = rp_flow_notes_page_mark(f, note, fr->span->note_label);
        if (!it->u.text.text) return rp_diag_oom(f->d);
        double grow = mark_growth(f, fr, it->u.text.text);
        size_t gaps = justified ? gaps_after(ln, i) : 0;
        it->w += grow;
        shift += grow;
        if (gaps) per_gap += grow / (double)gaps;
      }
      if (!fr->span->note_label) {
        rp_status st = rp_flow_notes_reference(f, note, sid);
        if (st != RP_OK) return st;
      }
    }
    if (!fr->href) continue;
    /* The link covers the fragment from ascent to descent. */
    rp_item *link = rp_flow_emit(f, RP_ITEM_LINK);
    if (!link) return rp_diag_oom(f->d);
    const rp_font *font = rp_fontset_get(f->b->fonts, fr->style->font);
    link->x = x;
    link->y = base - font->ascent * fr->style->size / 1000.0;
    link->w = fr->width;
    link->h = (font->ascent - font->descent) * fr->style->size / 1000.0;
    link->role = RP_ROLE_LINK;
    link->struct_id = sid;
    link->src = *src;
    link->u.link.uri = rp_arena_strdup(f->ia, fr->href);
    if (!link->u.link.uri) return rp_diag_oom(f->d);
    link->u.link.dest_page = -1;
  }
  return RP_OK;
}

/* Links to "#id" on page p point at where the section or block from that
 * element starts: at any anchor once the pass has ended, else only at one
 * on a page already final (a later one may still move). A link to an id
 * nothing has stays a URI, which render leaves out with a warning. Returns
 * whether a link is left that a later page may still resolve. */
static bool resolve_links(flow *f, size_t p) {
  rp_page *pg = &RP_VEC_AT(f->doc->pages, rp_page, p);
  bool left = false;
  for (size_t i = 0; i < pg->items.len; i++) {
    rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
    if (it->kind != RP_ITEM_LINK || !it->u.link.uri || it->u.link.uri[0] != '#') continue;
    const rp_anchor *an = find_anchor(f, it->u.link.uri + 1);
    if (!an || (!f->ended && an->page >= f->final)) {
      left = left || !f->ended;
      continue;
    }
    it->u.link.uri = NULL;
    it->u.link.dest_page = (int)an->page;
    it->u.link.dest_y = an->y;
  }
  return left;
}

static void free_page(flow *f, size_t p) {
  rp_arena **pa = &RP_VEC_AT(f->arenas, rp_arena *, p);
  rp_arena_free(*pa);
  *pa = NULL;
  RP_VEC_AT(f->doc->pages, rp_page, p).items = (rp_vec){0};
}

/* Page p, final and its running texts set: handed on, freed. */
static rp_status hand_on(flow *f, size_t p) {
  /* its charts drawn on the worker first (rp_flow_place_chart) */
  rp_status st = rp_chart_memo_place(f->opts->chart_memo, f->doc->pages.data, f->doc->pages.len, p);
  if (st == RP_OK && !f->counting) st = f->opts->page_done(f->opts->page_done_user, f->doc, p);
  free_page(f, p);
  return st;
}

/* Pages before `upto` (and before any hold) are final. With page_done they
 * are held while they take no more than opts->hold_bytes, so that a short
 * document is kept whole (and drawn whole, as without page_done); past
 * that they are handed on in order, each once its links' targets are
 * final too (a contents page linking forward waits for them). Without the
 * count of pages a running text prints ({$pages}), the pass then only
 * counts, for the next one to draw. */
static rp_status release(flow *f, size_t upto) {
  if (upto > f->keep_from) upto = f->keep_from;
  if (!f->opts || !f->opts->page_done) return RP_OK; /* all kept until the end */
  for (; f->final < upto; f->final++)
    f->held += rp_arena_used(RP_VEC_AT(f->arenas, rp_arena *, f->final));
  if (!f->streaming) {
    if (f->ended || f->held <= f->opts->hold_bytes) return RP_OK; /* kept whole so far */
    f->streaming = true;
    f->counting = f->needs_count && !f->opts->pages_hint && !f->opts->defer_pages;
  }
  size_t hint = f->opts->pages_hint, pages = hint && f->needs_count ? hint : f->label_number;
  rp_status st = RP_OK;
  for (; f->done < f->final && st == RP_OK; f->done++) {
    if (!f->counting) {
      if (resolve_links(f, f->done)) break; /* this page and those after wait */
      st = rp_flow_running_page(f, f->done, pages);
    }
    if (st == RP_OK) st = hand_on(f, f->done);
  }
  return st;
}

size_t rp_flow_hold(flow *f) {
  size_t saved = f->keep_from, now = f->doc->pages.len ? f->doc->pages.len - 1 : 0;
  if (now < f->keep_from) f->keep_from = now;
  return saved;
}

rp_status rp_flow_unhold(flow *f, size_t saved) {
  f->keep_from = saved;
  return f->doc->pages.len ? release(f, f->doc->pages.len - 1) : RP_OK;
}

static const rp_page_variant *pick_variant(const rp_master *m, bool first, size_t page_number) {
  if (first && m->first) return m->first;
  if (page_number % 2 == 0 && m->left) return m->left;
  if (page_number % 2 == 1 && m->right) return m->right;
  return &m->any;
}

/* Backgrounds of open boxes: close the segment on this column. */
static void close_box_segments(flow *f);
static void open_box_segments(flow *f);

/* The next page's label in the current run ("iii", "12"). */
static const char *next_label(flow *f) {
  char buf[32];
  f->label_number++;
  if (!f->roman_labels || !rp_roman_format((long)f->label_number, false, buf, sizeof buf))
    snprintf(buf, sizeof buf, "%zu", f->label_number);
  return rp_arena_strdup(f->a, buf);
}

rp_status rp_flow_new_page(flow *f, const rp_master *m, bool first_of_run) {
  rp_status nst = rp_flow_notes_flush(f); /* the last column's footnotes */
  if (nst != RP_OK) return nst;
  size_t number = f->doc->pages.len + 1;
  const rp_page_variant *v = pick_variant(m, first_of_run, number);
  if (v->n_frames == 0)
    return rp_diag_error(f->d, RP_ERR_INPUT, m->src.layout_file, m->src.layout_line, 0,
                         "master \"%s\" has no frame for content; add a <frame>", m->name);
  rp_arena *pa = rp_arena_new_child(f->a);
  rp_arena **slot = pa ? own_push(f, &f->grows.arenas, &f->arenas, sizeof *slot) : NULL;
  if (!slot) {
    rp_arena_free(pa);
    return rp_diag_oom(f->d);
  }
  *slot = pa;
  rp_page *p = own_push(f, &f->grows.pages, &f->doc->pages, sizeof(rp_page));
  page_info *pi = p ? own_push(f, &f->grows.info, &f->info, sizeof(page_info)) : NULL;
  if (!pi) {
    if (p) f->doc->pages.len--; /* the page and its arena go together */
    f->arenas.len--;
    rp_arena_free(pa);
    return rp_diag_oom(f->d);
  }
  p->width = m->width;
  p->height = m->height;
  p->master = m->name;
  p->label = next_label(f);
  f->page_notes = 0; /* notes numbered per page start again */
  pi->variant = v;
  pi->section = f->section ? f->section->title : NULL;
  f->page = p;
  f->ia = pa;
  f->master = m;
  f->variant = v;
  if (f->opts && f->opts->page) f->opts->page(f->opts->page_user, f->doc->pages.len);
  f->frame = 0;
  f->column = 0;
  set_column(f);
  /* Decorations are drawn behind the flow; text decorations are set with the
   * running headers once the page count is known. */
  for (size_t i = 0; i < v->n_decorations; i++) {
    const rp_decoration *dec = &v->decorations[i];
    if (dec->is_text) continue;
    rp_item_kind k = dec->shape == RP_SHAPE_LINE     ? RP_ITEM_LINE
                     : dec->shape == RP_SHAPE_CIRCLE ? RP_ITEM_ELLIPSE
                                                     : RP_ITEM_RECT;
    rp_item *it = rp_page_add(pa, p, k);
    if (!it) return rp_diag_oom(f->d);
    it->x = dec->x;
    it->y = dec->y;
    it->w = dec->w;
    it->h = dec->h;
    it->role = RP_ROLE_ARTIFACT;
    it->bleed = dec->shape == RP_SHAPE_RECT;
    it->u.shape.fill = dec->box.fill;
    it->u.shape.stroke = dec->box.stroke;
    it->u.shape.stroke_width = dec->box.stroke_width;
    it->u.shape.radius = dec->shape == RP_SHAPE_ROUNDED ? dec->box.radius : 0;
    it->src = dec->src;
  }
  f->page_blank = true;
  return release(f, f->doc->pages.len - 1); /* the page before is done with */
}

rp_status rp_flow_next_column(flow *f) {
  if (f->lc) return rp_flow_local_next(f); /* the next column of a <columns> block */
  if (f->measuring) return RP_OK;          /* infinite column: never called for real */
  close_box_segments(f);
  rp_status nst = rp_flow_notes_flush(f);
  if (nst != RP_OK) return nst;
  const rp_frame *fr = &f->variant->frames[f->frame];
  int n = fr->columns > 0 ? fr->columns : 1;
  rp_status st = RP_OK;
  if (f->column + 1 < n) {
    f->column++;
    set_column(f);
  } else if (f->frame + 1 < f->variant->n_frames) {
    f->frame++;
    f->column = 0;
    set_column(f);
  } else {
    st = rp_flow_new_page(f, f->master, false);
  }
  if (st == RP_OK) open_box_segments(f);
  return st;
}

static void close_box_segments(flow *f) {
  for (open_box *ob = f->boxes; ob; ob = ob->outer) {
    const rp_boxstyle *bs = &ob->blk->box;
    double bottom = f->y;
    if (bottom <= ob->seg_top) continue;
    if (!f->page) continue;
    rp_item bg = {0};
    bg.role = RP_ROLE_ARTIFACT;
    bg.src = ob->blk->src;
    int n = 0;
    rp_item items[2];
    if (bs->fill.a > 0 || bs->stroke.a > 0) {
      bg.kind = RP_ITEM_RECT;
      bg.x = ob->x;
      bg.y = ob->seg_top;
      bg.w = ob->w;
      bg.h = bottom - ob->seg_top;
      bg.u.shape.fill = bs->fill;
      bg.u.shape.stroke = bs->stroke;
      bg.u.shape.stroke_width = bs->stroke_width;
      bg.u.shape.radius = bs->radius;
      items[n++] = bg;
    }
    if (bs->rule.a > 0 && bs->rule_width > 0) {
      rp_item r = bg;
      r.kind = RP_ITEM_RECT;
      r.x = ob->x;
      r.y = ob->seg_top;
      r.w = bs->rule_width;
      r.h = bottom - ob->seg_top;
      memset(&r.u, 0, sizeof r.u);
      r.u.shape.fill = bs->rule;
      items[n++] = r;
    }
    for (int i = 0; i < n; i++) {
      if (!rp_page_add(f->ia, f->page, items[i].kind)) return;
      rp_vec *v = &f->page->items;
      rp_item *base = v->data;
      size_t at = ob->insert_at + (size_t)i;
      if (at > v->len - 1) at = v->len - 1;
      memmove(&base[at + 1], &base[at], (v->len - 1 - at) * sizeof(rp_item));
      base[at] = items[i];
    }
  }
}

static void open_box_segments(flow *f) {
  for (open_box *ob = f->boxes; ob; ob = ob->outer) {
    ob->seg_top = f->y;
    ob->insert_at = f->page ? f->page->items.len : 0;
  }
}

/* Called by block.c around a box's children. */
void rp_flow_box_push(flow *f, open_box *ob);
void rp_flow_box_pop(flow *f, open_box *ob);

void rp_flow_box_push(flow *f, open_box *ob) {
  ob->outer = f->boxes;
  ob->seg_top = f->y;
  ob->insert_at = f->page ? f->page->items.len : 0;
  f->boxes = ob;
}

void rp_flow_box_pop(flow *f, open_box *ob) {
  /* Close only this box's last segment. */
  open_box *saved = ob->outer;
  ob->outer = NULL;
  f->boxes = ob;
  if (!f->measuring) close_box_segments(f);
  f->boxes = saved;
}

void rp_flow_mark(flow *f, flow_mark *m) {
  m->f = *f;
  m->pages = f->doc->pages.len;
  m->items = f->page ? f->page->items.len : 0;
  m->info = f->info.len;
  m->anchors = f->doc->anchors.len;
  if (f->page) m->page = *f->page;
  if (f->info.len) m->pinfo = RP_VEC_AT(f->info, page_info, f->info.len - 1);
}

void rp_flow_quiet_begin(flow *f, flow_quiet *q) {
  rp_diag_init(&q->scratch);
  q->scratch.preflight = true; /* widow and orphan findings too */
  q->real = f->d;
  f->d = &q->scratch;
}

void rp_flow_quiet_end(flow *f, flow_quiet *q, size_t *errors, size_t *widows) {
  *errors = q->scratch.errors;
  *widows = 0;
  for (size_t i = 0; i < q->scratch.count; i++)
    if (q->scratch.entries[i].code == RP_DIAG_WIDOW_ORPHAN) ++*widows;
  f->d = q->real;
  rp_diag_fini(&q->scratch);
}

void rp_flow_rewind(flow *f, const flow_mark *m) {
  /* the vectors keep their (possibly moved) storage, cut back to the mark;
   * the pages after it go with their arenas (a hold kept them open) */
  rp_vec info = f->info;
  flow now = *f;
  for (size_t i = m->pages; i < now.arenas.len; i++)
    rp_arena_free(RP_VEC_AT(now.arenas, rp_arena *, i));
  now.arenas.len = m->pages;
  *f = m->f;
  f->arenas = now.arenas;
  f->final = now.final;
  f->done = now.done;
  f->keep_from = now.keep_from;
  f->held = now.held;
  f->streaming = now.streaming;
  f->counting = now.counting;
  f->running = now.running;
  f->ids = now.ids;
  f->titles = now.titles;
  f->retired = now.retired; /* pieces retired since the mark (place_stream) */
  f->grows = now.grows;     /* where the records are now */
  f->retired_from = now.retired_from;
  /* what the caller set for its trials stays */
  f->d = now.d;
  f->balancing = now.balancing;
  f->bal_page = now.bal_page;
  f->bal_frame = now.bal_frame;
  memcpy(f->bal_bottom, now.bal_bottom, sizeof f->bal_bottom);
  f->info = info;
  f->info.len = m->info;
  if (m->info) RP_VEC_AT(f->info, page_info, m->info - 1) = m->pinfo;
  f->doc->pages.len = m->pages;
  f->doc->anchors.len = m->anchors;
  if (!m->f.page) return;
  f->page = &RP_VEC_AT(f->doc->pages, rp_page, m->pages - 1);
  rp_vec items = f->page->items;
  *f->page = m->page;
  f->page->items = items;
  f->page->items.len = m->items;
}

/* A frame that levels its columns where a section's flow ends on a page. */
static bool balances(const rp_master *m) {
  const rp_page_variant *vs[4] = {&m->any, m->first, m->left, m->right};
  for (int i = 0; i < 4; i++)
    for (size_t k = 0; vs[i] && k < vs[i]->n_frames; k++)
      if (vs[i]->frames[k].balance && vs[i]->frames[k].columns > 1) return true;
  return false;
}

/* Places blocks `first` up to `f->stop` with diagnostics going to a scratch
 * record (a trial), or to the real one (d NULL). *fits: no error, and the
 * flow ended on page `page`, frame `frame`. */
static rp_status trial(flow *f, const rp_block *first, place_ctx ctx, size_t page, size_t frame,
                       size_t *widows, bool *fits) {
  flow_quiet q;
  rp_flow_quiet_begin(f, &q);
  rp_status st = rp_flow_place_blocks(f, first, ctx);
  size_t errors, w;
  rp_flow_quiet_end(f, &q, &errors, &w);
  *fits = st == RP_OK && errors == 0 && w <= *widows && f->doc->pages.len == page + 1 &&
          f->frame == frame;
  *widows = w;
  /* only running out of memory is the run's own failure */
  return st == RP_ERR_INTERNAL ? rp_diag_oom(f->d) : RP_OK;
}

/* Back at mark m with the balancing bottoms in force: the column the mark
 * is in ends at its bottom too when it is on the page and frame levelled. */
static void rewind_to(flow *f, const flow_mark *m) {
  rp_flow_rewind(f, m);
  if (m->pages == f->bal_page + 1 && m->f.frame == f->bal_frame && m->f.column < RP_MAX_COLUMNS &&
      f->bal_bottom[m->f.column] < f->col_bottom)
    f->col_bottom = f->bal_bottom[m->f.column];
}

/* Blocks `first` up to f->stop, which end the flow on their last page (a
 * page break or a new page follows): when that page's frame balances, its
 * columns are levelled. The blocks are placed once quietly to learn where
 * they end; then, column by column from the first, the lowest bottom at
 * which they still end there with this and every later column ending at
 * it is searched for (each trial re-placed from the mark): with two
 * columns the second ends within a line of the first; with more, the
 * later ones share what is left as evenly. The blocks are then placed for
 * real with those bottoms. Keeping and widow rules hold because the same
 * placing code runs in shorter columns. */
static rp_status place_levelled(flow *f, const rp_block *first, place_ctx ctx);
static rp_status place_ending(flow *f, const rp_block *first, place_ctx ctx) {
  if (!f->master || !balances(f->master) || f->measuring)
    return rp_flow_place_blocks(f, first, ctx);
  size_t hold = rp_flow_hold(f); /* the trials go back to the mark's page */
  rp_status st = place_levelled(f, first, ctx);
  rp_status un = rp_flow_unhold(f, hold);
  return st != RP_OK ? st : un;
}

static rp_status place_levelled(flow *f, const rp_block *first, place_ctx ctx) {
  flow_mark m;
  rp_flow_mark(f, &m);
  bool ok;
  size_t widows = SIZE_MAX, base; /* as many as the layout without levelling makes */
  rp_status st = trial(f, first, ctx, SIZE_MAX - 1, 0, &widows, &ok);
  base = widows;
  if (st != RP_OK) return st;
  size_t page = f->doc->pages.len - 1, frame = f->frame;
  const rp_frame *fr = &f->variant->frames[frame];
  int n = fr->columns < RP_MAX_COLUMNS ? fr->columns : RP_MAX_COLUMNS, c0 = 0;
  double top = fr->y, hi = fr->y + fr->h;
  if (m.pages == page + 1 && m.f.frame == frame) { /* started on this page: from the cursor */
    top = m.f.y;
    c0 = m.f.column;
  }
  bool level = fr->balance && n > 1 && !f->page_blank && (f->column > c0 || f->y > top);
  rp_flow_rewind(f, &m);
  if (!level) return rp_flow_place_blocks(f, first, ctx);
  f->balancing = true;
  f->bal_page = page;
  f->bal_frame = frame;
  for (int c = 0; c < RP_MAX_COLUMNS; c++) f->bal_bottom[c] = hi;
  for (int c = c0; c + 1 < n; c++) {
    double lo = c == c0 ? top : fr->y;
    hi = f->bal_bottom[c];
    while (hi - lo > 0.25) {
      double mid = (lo + hi) / 2;
      for (int k = c; k < n; k++) f->bal_bottom[k] = mid;
      rewind_to(f, &m);
      widows = base;
      st = trial(f, first, ctx, page, frame, &widows, &ok);
      if (st != RP_OK) break;
      if (ok)
        hi = mid;
      else
        lo = mid;
    }
    for (int k = c; k < n; k++) f->bal_bottom[k] = hi;
    if (st != RP_OK) break;
  }
  rewind_to(f, &m);
  if (st == RP_OK) st = rp_flow_place_blocks(f, first, ctx);
  f->balancing = false;
  return st;
}

/* The blocks of a section: between its top-level page breaks, and before
 * the end when the next section starts a page (`ends_page`), the flow ends
 * on a page, whose columns may be levelled (place_ending). */
static rp_status place_section_blocks(flow *f, const rp_block *first, bool ends_page) {
  place_ctx ctx = {0, 0, 0};
  rp_status st = RP_OK;
  while (st == RP_OK) {
    const rp_block *brk = first;
    while (brk && brk->kind != RP_BLOCK_PAGE_BREAK) brk = brk->next;
    f->stop = brk;
    st = brk || ends_page ? place_ending(f, first, ctx) : rp_flow_place_blocks(f, first, ctx);
    f->stop = NULL;
    if (st != RP_OK || !brk) break;
    rp_block one = *brk;
    one.next = NULL;
    st = rp_flow_place_blocks(f, &one, ctx);
    first = brk->next;
  }
  return st;
}

/* A section that names a label style starts a new run of page labels at 1
 * on its first page ("i, ii" for the front matter, then "1, 2…"). */
static void restart_labels(flow *f, const rp_section *s) {
  f->roman_labels = strcmp(s->page_label_style, "roman") == 0;
  f->label_number = 0;
}

/* A section bound a piece at a time (rp_section.streamed): place_stream. */
typedef struct piece_arena {
  rp_arena *a;
  size_t last; /* the number of the last piece bound into it */
  bool keep;   /* it holds notes */
} piece_arena;

typedef struct body_stream {
  const rp_section *src; /* the section as bound: what pieces are asked for by */
  rp_arena *ca;          /* the section's arena: pieces go there while it is small */
  bool ca_keep;          /* … and one of them holds notes */
  rp_vec arenas;         /* piece_arena, in order; from `from` on not retired */
  size_t from;
  size_t pieces;  /* pieces given so far: the last one's number */
  rp_block *tail; /* the last block given: the next piece follows it */
  bool done;
} body_stream;

static rp_status place_stream(flow *f, body_stream *bs, bool ends_page);

static rp_status run_section(flow *f, const rp_section *s, bool ends_page, body_stream *bs) {
  f->section = s;
  rp_status st = RP_OK;
  bool need_page = !f->page || s->new_page || s->master != f->master;
  if (need_page) {
    /* Reuse a page nothing was placed on (same master). */
    if (f->page && f->page_blank && s->master == f->master) {
      RP_VEC_AT(f->info, page_info, f->info.len - 1).section = s->title;
      if (s->page_label_style) {
        restart_labels(f, s);
        f->page->label = next_label(f);
      }
    } else {
      if (s->page_label_style) restart_labels(f, s);
      st = rp_flow_new_page(f, s->master, true);
      if (st != RP_OK) return st;
    }
  }
  page_info *pi = &RP_VEC_AT(f->info, page_info, f->info.len - 1);
  if (!pi->section) pi->section = s->title;
  f->pending_start = s;
  if (s->bookmark && !need_page) {
    f->pending_bookmark = s; /* set with the section's first item */
  } else if (s->bookmark) {
    rp_item *bm = rp_flow_emit(f, RP_ITEM_BOOKMARK);
    if (bm) {
      bm->x = f->col_x;
      bm->y = f->y;
      bm->u.bookmark.title = s->bookmark;
      bm->u.bookmark.level = 1;
      bm->src = s->src;
      f->page_blank = true; /* a bookmark alone does not make a page used */
    }
  }
  st = s->streamed && bs ? place_stream(f, bs, ends_page)
                         : place_section_blocks(f, s->blocks, ends_page);
  if (st == RP_OK) st = rp_flow_notes_section_end(f);
  if (f->pending_start == s) f->pending_start = NULL; /* nothing placed */
  if (f->pending_bookmark == s) { /* nothing placed: the entry goes where it ended */
    f->pending_bookmark = NULL;
    if (f->page) section_bookmark(f, s);
  }
  flush_anchors(f); /* blocks that placed nothing: where the section ended */
  return st;
}

/* Lazy binding: sections are bound into arenas of about GROUP_BYTES each
 * (one per section would waste most of an arena's first chunk on a short
 * one, and pages held whole hold them all). */
#define GROUP_BYTES (256u * 1024u)

/* Lazy binding: the sections bound into `sa` are laid out, and done with
 * once the pages there are now are handed on — a page begun since has
 * flushed the footnotes of the last column it reached. `keep`: one holds
 * notes (rp_section.keeps_notes), kept to the end. */
static rp_status retire(flow *f, rp_arena *sa, bool keep) {
  retired_section *r = own_push(f, &f->grows.retired, &f->retired, sizeof *r);
  if (!r) {
    rp_arena_adopt(f->a, sa);
    return rp_diag_oom(f->d);
  }
  *r = (retired_section){sa, keep ? SIZE_MAX : f->doc->pages.len};
  return RP_OK;
}

/* Frees the arenas of retired sections whose pages are all handed on. */
static void free_retired(flow *f) {
  for (; f->retired_from < f->retired.len; f->retired_from++) {
    retired_section *r = &RP_VEC_AT(f->retired, retired_section, f->retired_from);
    if (f->done < r->upto) break;
    rp_arena_free(r->a);
    r->a = NULL;
  }
  /* a section a study: those freed leave the queue, not to grow with it */
  if (f->retired_from >= 256 && 2 * f->retired_from >= f->retired.len) {
    f->retired.len -= f->retired_from;
    memmove(f->retired.data, &RP_VEC_AT(f->retired, retired_section, f->retired_from),
            f->retired.len * sizeof(retired_section));
    f->retired_from = 0;
  }
}

/* ---- a section's body in pieces ----------------------------------------------
 *
 * A streamed section's blocks come a piece at a time (opts->section_piece),
 * each linked after the one before, and are placed as they come, so that a
 * long section (an index of every study) never holds all its blocks. A
 * piece's arena is retired once it is placed, and freed, as a section's is,
 * once the pages that may point into it are handed on.
 *
 * Where the flow ends on a page whose frame levels its columns
 * (place_levelled), the levelling goes back to the start of what ends
 * there: it re-places those blocks in shorter columns of the last page.
 * Only that page changes, so it need not go back further than the last
 * piece boundary on an earlier page (the window's start, W): trials placed
 * from there place the pages before the last exactly as the pass from the
 * segment's start did, and count the same widows after it. The pages from
 * W's on are held and its pieces kept until the segment ends; then the
 * flow goes back to W and the window is levelled as place_ending would
 * have levelled the whole segment. Its blocks' diagnostics were recorded
 * when they were first placed: the levelled placing is quiet. */

/* Pieces of a section: bigger ones in arenas of their own of about this. */
#define PIECE_BYTES (64u * 1024u)

/* The next piece of bs, linked after the last: *first NULL when done. */
static rp_status pull(flow *f, body_stream *bs, const rp_block **first) {
  *first = NULL;
  if (bs->done) return RP_OK;
  const rp_layout_opts *o = f->opts;
  rp_arena *a = bs->ca;
  piece_arena *pa =
      bs->arenas.len > bs->from ? &RP_VEC_AT(bs->arenas, piece_arena, bs->arenas.len - 1) : NULL;
  if (rp_arena_used(bs->ca) >= GROUP_BYTES) {
    if (!pa || rp_arena_used(pa->a) >= PIECE_BYTES) {
      pa = rp_vec_push(f->a, &bs->arenas, sizeof *pa);
      if (!pa) return rp_diag_oom(f->d);
      *pa = (piece_arena){rp_arena_new_child(f->a), 0, false};
      if (!pa->a) {
        bs->arenas.len--;
        return rp_diag_oom(f->d);
      }
    }
    a = pa->a;
  }
  rp_block *b = NULL;
  bool keeps = false;
  f->between = true;
  rp_status st = o->section_piece(o->section_user, bs->src, f, a, &b, &keeps);
  f->between = false;
  rp_inline_memo_keep(f->b->fonts, o->keep_lines);
  if (st != RP_OK) return st;
  if (a == bs->ca) {
    bs->ca_keep |= keeps;
  } else {
    pa->keep |= keeps;
    pa->last = bs->pieces + 1;
  }
  if (!b) {
    bs->done = true;
    return RP_OK;
  }
  bs->pieces++;
  if (bs->tail) bs->tail->next = b;
  for (bs->tail = b; bs->tail->next; bs->tail = bs->tail->next) {
  }
  *first = b;
  return RP_OK;
}

/* Retires the piece arenas holding nothing from piece `upto` on. */
static rp_status retire_pieces(flow *f, body_stream *bs, size_t upto) {
  rp_status st = RP_OK;
  for (; bs->from < bs->arenas.len; bs->from++) {
    piece_arena *pa = &RP_VEC_AT(bs->arenas, piece_arena, bs->from);
    if (pa->last >= upto || (bs->from + 1 == bs->arenas.len && !bs->done))
      break; /* the one being filled stays until the body is done */
    if (st == RP_OK)
      st = retire(f, pa->a, pa->keep);
    else
      rp_arena_adopt(f->a, pa->a);
  }
  free_retired(f); /* those whose pages are handed on already */
  return st;
}

/* The first top-level page break from b to the end of the chain given. */
static const rp_block *break_in(const rp_block *b) {
  while (b && b->kind != RP_BLOCK_PAGE_BREAK) b = b->next;
  return b;
}

/* Pages from page `page` on (and those an outer hold keeps) are held. */
static rp_status hold_at(flow *f, size_t outer, size_t page) {
  f->keep_from = page < outer ? page : outer;
  return f->doc->pages.len ? release(f, f->doc->pages.len - 1) : RP_OK;
}

/* The window's levelling: the flow back at W, its blocks placed as
 * place_ending places a segment, quietly. */
static rp_status level_window(flow *f, const flow_mark *w, const rp_block *first,
                              const rp_block *brk) {
  rp_flow_rewind(f, w);
  flow_quiet q;
  rp_flow_quiet_begin(f, &q);
  f->stop = brk;
  rp_status st = place_levelled(f, first, (place_ctx){0, 0, 0});
  f->stop = NULL;
  size_t errors, widows;
  rp_flow_quiet_end(f, &q, &errors, &widows);
  if (st == RP_ERR_INTERNAL) return rp_diag_oom(f->d);
  if (st == RP_OK && errors)
    return rp_diag_error(f->d, RP_ERR_INTERNAL, NULL, 0, 0,
                         "levelling the columns of a streamed section failed");
  return st;
}

static rp_status place_stream(flow *f, body_stream *bs, bool ends_page) {
  place_ctx ctx = {0, 0, 0};
  const rp_block *cur;
  rp_status st = pull(f, bs, &cur);
  bool lev = f->master && balances(f->master) && !f->measuring;
  size_t outer = f->keep_from;
  /* W: the window's start; C: the last piece boundary (W once the flow
   * reaches a later page) */
  flow_mark marks[2], *w = &marks[0], *c = &marks[1];
  while (st == RP_OK && cur) {
    const rp_block *wb = cur, *cb = cur, *brk = NULL;
    size_t wn = bs->pieces, cn = bs->pieces;
    if (lev) {
      rp_flow_mark(f, w);
      *c = *w;
      st = hold_at(f, outer, f->doc->pages.len ? f->doc->pages.len - 1 : 0);
    }
    while (st == RP_OK) {
      brk = break_in(cur);
      f->stop = brk;
      st = rp_flow_place_blocks(f, cur, ctx);
      f->stop = NULL;
      if (st != RP_OK || brk) break;
      st = retire_pieces(f, bs, lev ? wn : bs->pieces + 1);
      if (st == RP_OK) st = pull(f, bs, &cur);
      if (st != RP_OK || !cur) break;
      if (!lev) continue;
      if (f->doc->pages.len > c->pages) { /* C is on a page before: the window starts there */
        *w = *c;
        wb = cb;
        wn = cn;
        st = hold_at(f, outer, w->pages - 1);
        if (st == RP_OK) st = retire_pieces(f, bs, wn);
      }
      rp_flow_mark(f, c);
      cb = cur;
      cn = bs->pieces;
    }
    if (st == RP_OK && lev && (brk || ends_page)) {
      if (f->doc->pages.len > c->pages) {
        *w = *c;
        wb = cb;
      }
      st = level_window(f, w, wb, brk);
    }
    if (lev) {
      rp_status un = hold_at(f, outer, SIZE_MAX);
      if (st == RP_OK) st = un;
    }
    if (st != RP_OK || !brk) break;
    rp_block one = *brk;
    one.next = NULL;
    st = rp_flow_place_blocks(f, &one, ctx);
    cur = brk->next;
    if (st == RP_OK) st = retire_pieces(f, bs, bs->pieces);
    if (st == RP_OK && !cur) st = pull(f, bs, &cur);
  }
  bs->done = true;
  rp_status r = retire_pieces(f, bs, SIZE_MAX);
  return st != RP_OK ? st : r;
}

/* The section as layout keeps it: its title, which pages' running texts
 * print once they are final, copied out of the section's arena, each title
 * once (a pack's studies share a dozen themes); the section itself in one
 * place reused, since nothing points at it once it is laid out. */
static const rp_section *own_section(flow *f, const rp_section *s) {
  f->own = *s;
  if (!s->title) return &f->own;
  const anchor_slot *sl = f->titles.cap ? id_slot(&f->titles, s->title) : NULL;
  if (sl && sl->id) {
    f->own.title = sl->id;
    return &f->own;
  }
  const char *copy = rp_arena_strdup(f->a, s->title);
  if (!copy || !index_put(&f->titles, copy, 0)) return NULL;
  f->own.title = copy;
  return &f->own;
}

bool rp_layout_final_label(const void *run, const char *id, char *buf, size_t cap) {
  const flow *f = run;
  if (!f || !f->between) return false;
  const rp_anchor *an = find_anchor(f, id);
  if (!an || an->page >= f->ref_final) return false;
  const rp_page *pg = &RP_VEC_AT(f->doc->pages, rp_page, an->page);
  if (pg->label)
    snprintf(buf, cap, "%s", pg->label);
  else
    snprintf(buf, cap, "%zu", an->page + 1); /* as the pipeline's page_refs_of */
  return true;
}

/* Section s's body, bound now: after the section before it is laid out. */
static rp_status section_body(flow *f, const rp_section *s, bool flow_ended) {
  const rp_layout_opts *o = f->opts;
  if (!o->section_body) return RP_OK;
  /* Between sections nothing reaches back before the current page (holds
   * and trials are a section's own), and once a flow has ended nothing more
   * is placed on it; a blank page may still get another label. The pieces
   * of a streamed body are answered as the body's start was, so that they
   * print what the body bound whole would. */
  size_t pages = f->doc->pages.len;
  f->ref_final = pages ? pages - 1 : 0;
  if (flow_ended && !f->page_blank) f->ref_final = pages;
  f->between = true;
  rp_status st = o->section_body(o->section_user, s, f);
  f->between = false;
  rp_inline_memo_keep(f->b->fonts, o->keep_lines); /* the caller may have turned it on */
  return st;
}

/* The sections pulled one ahead from opts->next_section (the one after
 * says where this one's flow ends), laid out, their arenas retired. */
static rp_status run_lazy(flow *f) {
  const rp_layout_opts *o = f->opts;
  rp_arena *ca = rp_arena_new_child(f->a), *na = NULL;
  const rp_section *cur = NULL, *next = NULL;
  bool keep = false; /* a section of ca's keeps notes */
  rp_status st = ca ? o->next_section(o->section_user, ca, &cur) : rp_diag_oom(f->d);
  if (st == RP_OK && cur) st = section_body(f, cur, true);
  while (st == RP_OK && cur) {
    na = rp_arena_used(ca) < GROUP_BYTES ? ca : rp_arena_new_child(f->a);
    st = na ? o->next_section(o->section_user, na, &next) : rp_diag_oom(f->d);
    if (st != RP_OK) break;
    keep |= cur->keeps_notes;
    bool ends = !next || next->new_page || next->master != cur->master;
    const rp_section *own = own_section(f, cur);
    body_stream bs = {.src = cur, .ca = ca};
    st = own ? run_section(f, own, ends, &bs) : rp_diag_oom(f->d);
    keep |= bs.ca_keep;
    if (st != RP_OK) break;
    if (na != ca || !next) {
      if (na != ca && !next) {
        rp_arena_free(na);
        na = NULL;
      }
      /* the same arena as ca: retired with it (or, failing, adopted by
       * retire), never adopted again below */
      if (na == ca) na = NULL;
      st = retire(f, ca, keep);
      keep = false;
      ca = NULL;
      if (st != RP_OK) break;
      free_retired(f);
      ca = next ? na : NULL;
    }
    na = NULL;
    cur = next;
    if (cur) st = section_body(f, cur, ends);
  }
  if (na && na != ca) rp_arena_adopt(f->a, na);
  if (ca) rp_arena_adopt(f->a, ca); /* a failed section: pages may point into it */
  return st;
}

rp_status rp_layout_run(rp_arena *a, const rp_bound_doc *b, rp_diag *d, rp_layout_doc **out) {
  return rp_layout_run_ex(a, b, NULL, d, out);
}

/* Whether a running text of a page of `m` prints {$pages}. */
static bool counts_pages(const rp_master *m) {
  const rp_page_variant *vs[4] = {&m->any, m->first, m->left, m->right};
  for (int i = 0; i < 4; i++) {
    if (!vs[i]) continue;
    const rp_decoration *h = vs[i]->header, *ft = vs[i]->footer;
    if ((h && h->text && strstr(h->text, "{$pages}")) ||
        (ft && ft->text && strstr(ft->text, "{$pages}")))
      return true;
    for (size_t k = 0; k < vs[i]->n_decorations; k++) {
      const rp_decoration *dec = &vs[i]->decorations[k];
      if (dec->is_text && dec->text && strstr(dec->text, "{$pages}")) return true;
    }
  }
  return false;
}

/* Every page placed: the rest are final. Kept (no page_done), each gets its
 * running texts and links now, and its arena lives as long as `a`. */
static rp_status finish(flow *f, rp_arena *a) {
  (void)a;
  f->ended = true;
  f->keep_from = SIZE_MAX;
  rp_status st = RP_OK;
  if (f->streaming) {
    st = release(f, f->doc->pages.len);
  } else {
    for (size_t p = 0; p < f->doc->pages.len && st == RP_OK; p++)
      st = rp_flow_running_page(f, p, f->label_number);
    for (size_t p = 0; p < f->doc->pages.len && st == RP_OK; p++) resolve_links(f, p);
  }
  f->doc->run_pages = f->label_number;
  size_t hint = f->opts ? f->opts->pages_hint : 0;
  f->doc->recount =
      f->counting || (f->streaming && f->needs_count && hint && hint != f->label_number);
  return st;
}

void rp_layout_lines_done(const rp_fontset *fs) { rp_inline_memo_trim(fs); }

rp_status rp_layout_run_ex(rp_arena *a, const rp_bound_doc *b, const rp_layout_opts *opts,
                           rp_diag *d, rp_layout_doc **out) {
  *out = NULL;
  rp_layout_doc *doc = rp_arena_alloc(a, sizeof *doc);
  if (!doc) return rp_diag_oom(d);
  doc->fonts = b->fonts;
  doc->info = b->info;
  rp_vec probed = {0};
  /* the run owns the dictionaries: loaded as languages turn up, freed below */
  rp_hyphen *hy = rp_hyphen_new(NULL, b->info.lang);
  if (!hy) return rp_diag_oom(d);
  flow f = {.a = a,
            .d = d,
            .b = b,
            .doc = doc,
            .opts = opts,
            .probed = &probed,
            .hy = hy,
            .keep_from = SIZE_MAX};
  bool lazy = opts && opts->next_section;
  rp_inline_memo_keep(b->fonts, opts && opts->keep_lines);
  for (const rp_section *s = b->sections; s && !lazy && !f.needs_count; s = s->next)
    f.needs_count = s->master && counts_pages(s->master);
  for (size_t i = 0; i < b->n_masters && lazy && !f.needs_count; i++)
    f.needs_count = counts_pages(b->masters[i]);
  rp_status st = RP_OK;
  rp_chart_memo_begin(opts ? opts->chart_memo : NULL, d);
  if (lazy) st = run_lazy(&f);
  for (const rp_section *s = b->sections; s && !lazy && st == RP_OK; s = s->next) {
    /* the next section starts a page of its own: this one's flow ends here */
    bool ends = !s->next || s->next->new_page || s->next->master != s->master;
    st = run_section(&f, s, ends, NULL);
  }
  if (st == RP_OK && doc->pages.len == 0)
    st = rp_diag_error(d, RP_ERR_INPUT, b->layout_path, 0, 0,
                       "the layout produced no pages; add a <run> to its <sequence>");
  if (st == RP_OK) st = rp_flow_notes_flush(&f);
  if (st == RP_OK) st = finish(&f, a);
  /* the charts drawn on the worker: the items of those on pages held put
   * after their frames, the messages of all where they were placed */
  /* or, asked to, left to the caller (rp_layout_charts_settle) */
  if (!(st == RP_OK && opts && opts->defer_charts)) {
    if (st == RP_OK)
      st = rp_chart_memo_place(opts ? opts->chart_memo : NULL, doc->pages.data, doc->pages.len,
                               SIZE_MAX);
    st = rp_chart_memo_collect(opts ? opts->chart_memo : NULL, st);
  }
  if (st == RP_OK) free_retired(&f);
  /* pages not handed on live as long as `a` (all of them when kept), and
   * the sections they may point into */
  for (size_t p = 0; p < f.arenas.len; p++) {
    rp_arena *pa = RP_VEC_AT(f.arenas, rp_arena *, p);
    if (pa) rp_arena_adopt(a, pa);
  }
  for (size_t i = f.retired_from; i < f.retired.len; i++) {
    rp_arena *sa = RP_VEC_AT(f.retired, retired_section, i).a;
    if (sa) rp_arena_adopt(a, sa);
  }
  /* the doc's pages and anchors live as long as it; the rest goes */
  if (f.grows.pages) rp_arena_adopt(a, f.grows.pages);
  if (f.grows.anchors) rp_arena_adopt(a, f.grows.anchors);
  rp_arena_free(f.grows.info);
  rp_arena_free(f.grows.arenas);
  rp_arena_free(f.grows.retired);
  rp_flow_running_fini(&f);
  rp_mem_free(f.ids.slots);
  rp_mem_free(f.titles.slots);
  rp_hyphen_free(hy);
  /* no layout known to follow: the paragraphs kept for one go */
  if (!(opts && opts->keep_lines)) rp_inline_memo_trim(b->fonts);
  if (st != RP_OK) return st;
  *out = doc;
  return RP_OK;
}
