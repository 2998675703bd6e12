/* flow — the page/column cursor and the driver of layout: sections start
 * pages of their master, blocks are placed by block.c, and running headers
 * and footers are set at the end by running.c. */
#include "layout/flow.h"
#include "base/roman.h"

#include <math.h>
#include <string.h>

int rp_flow_id(flow *f) { return ++f->next_id; }

static void set_column(flow *f) {
  const rp_page_variant *v = f->variant;
  const rp_frame *fr = &v->frames[f->frame];
  int n = fr->columns > 0 ? fr->columns : 1;
  double w = (fr->w - (n - 1) * fr->gutter) / n;
  f->col_x = fr->x + f->column * (w + fr->gutter);
  f->col_w = w;
  f->col_top = fr->y;
  f->col_bottom = fr->y + fr->h;
  f->y = f->col_top;
  f->at_top = true;
  f->grid = f->master ? f->master->baseline : 0;
  f->grid_top = f->col_top;
}

/* The outline entry of a section, at the cursor. */
static void section_bookmark(flow *f, const rp_section *s) {
  rp_item *bm = rp_page_add(f->a, f->page, RP_ITEM_BOOKMARK);
  if (!bm) return;
  bm->x = f->col_x;
  bm->y = f->y;
  bm->role = RP_ROLE_NONE;
  bm->u.bookmark.title = s->bookmark;
  bm->u.bookmark.level = 1;
  bm->src = s->src;
}

/* Section s's first item lands on the current page: at its top when nothing
 * is there yet. */
/* Notes where the element with id `id` starts, unless an earlier section
 * from it did (the first board of the boards). */
static void add_anchor(flow *f, const char *id) {
  if (!id || f->info.len == 0) return;
  for (size_t i = 0; i < f->doc->anchors.len; i++)
    if (strcmp(RP_VEC_AT(f->doc->anchors, rp_anchor, i).id, id) == 0) return;
  rp_anchor *an = rp_vec_push(f->a, &f->doc->anchors, sizeof *an);
  if (an) *an = (rp_anchor){id, f->info.len - 1, f->y};
}

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
  rp_item *it = rp_page_add(f->a, f->page, kind);
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

rp_status rp_flow_emit_frags(flow *f, const rp_line *ln, double x0, double base, rp_role role,
                             int sid, int parent, const rp_src *src) {
  if (f->measuring) return RP_OK;
  for (size_t i = 0; i < ln->n_frags; i++) {
    const rp_frag *fr = &ln->frags[i];
    rp_item *it = rp_flow_emit(f, RP_ITEM_TEXT);
    if (!it) return rp_diag_oom(f->d);
    rp_frag_to_item(fr, x0 + fr->x, base, it);
    it->role = role;
    it->struct_id = sid;
    it->parent_id = parent;
    it->src = *src;
    if (!fr->href) continue;
    /* The link covers the fragment from ascent to descent. */
    rp_item *link = rp_flow_emit(f, RP_ITEM_LINK);
    if (!link) return rp_diag_oom(f->d);
    const rp_font *font = rp_fontset_get(f->b->fonts, fr->style->font);
    link->x = x0 + fr->x;
    link->y = base - font->ascent * fr->style->size / 1000.0;
    link->w = fr->width;
    link->h = (font->ascent - font->descent) * fr->style->size / 1000.0;
    link->role = RP_ROLE_LINK;
    link->struct_id = sid;
    link->src = *src;
    link->u.link.uri = fr->href;
    link->u.link.dest_page = -1;
  }
  return RP_OK;
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
  size_t number = f->doc->pages.len + 1;
  const rp_page_variant *v = pick_variant(m, first_of_run, number);
  if (v->n_frames == 0)
    return rp_diag_error(f->d, RP_ERR_INPUT, m->src.layout_file, m->src.layout_line, 0,
                         "master \"%s\" has no frame for content; add a <frame>", m->name);
  rp_page *p = rp_vec_push(f->a, &f->doc->pages, sizeof(rp_page));
  page_info *pi = rp_vec_push(f->a, &f->info, sizeof(page_info));
  if (!p || !pi) return rp_diag_oom(f->d);
  p->width = m->width;
  p->height = m->height;
  p->master = m->name;
  p->label = next_label(f);
  pi->variant = v;
  pi->section = f->section ? f->section->title : NULL;
  f->page = p;
  f->master = m;
  f->variant = v;
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
    rp_item *it = rp_page_add(f->a, p, k);
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
  return RP_OK;
}

rp_status rp_flow_next_column(flow *f) {
  if (f->measuring) return RP_OK; /* infinite column: never called for real */
  close_box_segments(f);
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
      if (!rp_page_add(f->a, f->page, items[i].kind)) return;
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

/* A section that names a label style starts a new run of page labels at 1
 * on its first page ("i, ii" for the front matter, then "1, 2…"). */
static void restart_labels(flow *f, const rp_section *s) {
  f->roman_labels = strcmp(s->page_label_style, "roman") == 0;
  f->label_number = 0;
}

static rp_status run_section(flow *f, const rp_section *s) {
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
  place_ctx ctx = {0, 0, 0};
  st = rp_flow_place_blocks(f, s->blocks, ctx);
  if (f->pending_start == s) f->pending_start = NULL; /* nothing placed */
  if (f->pending_bookmark == s) { /* nothing placed: the entry goes where it ended */
    f->pending_bookmark = NULL;
    if (f->page) section_bookmark(f, s);
  }
  return st;
}

rp_status rp_layout_run(rp_arena *a, const rp_bound_doc *b, rp_diag *d, rp_layout_doc **out) {
  return rp_layout_run_ex(a, b, NULL, d, out);
}

/* Links to "#id" point at where the section from that element starts, known
 * once every page is laid out (a contents page links forward). A link to an
 * id no section has stays a URI, which render leaves out with a warning. */
static void resolve_internal_links(rp_layout_doc *doc) {
  for (size_t p = 0; p < doc->pages.len; p++) {
    rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
    for (size_t i = 0; i < pg->items.len; i++) {
      rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
      if (it->kind != RP_ITEM_LINK || !it->u.link.uri || it->u.link.uri[0] != '#') continue;
      for (size_t k = 0; k < doc->anchors.len; k++) {
        const rp_anchor *an = &RP_VEC_AT(doc->anchors, rp_anchor, k);
        if (strcmp(an->id, it->u.link.uri + 1) != 0) continue;
        it->u.link.uri = NULL;
        it->u.link.dest_page = (int)an->page;
        it->u.link.dest_y = an->y;
        break;
      }
    }
  }
}

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
  flow f = {.a = a, .d = d, .b = b, .doc = doc, .opts = opts, .probed = &probed, .hy = hy};
  rp_status st = RP_OK;
  for (const rp_section *s = b->sections; s && st == RP_OK; s = s->next) st = run_section(&f, s);
  if (st == RP_OK && doc->pages.len == 0)
    st = rp_diag_error(d, RP_ERR_INPUT, b->layout_path, 0, 0,
                       "the layout produced no pages; add a <run> to its <sequence>");
  if (st == RP_OK) st = rp_flow_running(&f);
  if (st == RP_OK) resolve_internal_links(doc);
  rp_hyphen_free(hy);
  if (st != RP_OK) return st;
  *out = doc;
  return RP_OK;
}
