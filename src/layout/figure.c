/* figure — blocks that are placed whole and never split: images (or, when
 * an image is absent or unusable, a drawn placeholder with initials) and
 * stat tiles (a big figure with its unit and a label, fitted to the tile).
 *
 * Images. Layout does not decode images; it asks the run's probe
 * (rp_layout_opts, layout.h) once per path for the pixel size and whether
 * render/ will be able to draw the file, and keeps the answer in the flow.
 * A usable image is registered once per path in rp_layout_doc.images
 * (max_w/max_h: the largest size at which the whole image is drawn, so
 * render/ can downsample) and drawn by RP_ITEM_IMAGE items that point at it.
 * The block's box is width × height (0 width = the column's; 0 height = from
 * the image's aspect ratio, or square for a placeholder); the image is fitted
 * into it:
 *   contain — scaled to fit inside, centred (letterboxed): the item is the
 *             scaled image, crop = whole image;
 *   cover   — scaled to fill the box: the item is the box and the crop
 *             window (sx, sy, sw, sh, image units 0..1) is the part shown,
 *             centred on the focal point as far as the image allows;
 *   fill    — stretched to the box.
 * A named image that cannot be used is a warning at the block's layout line;
 * an image block with no path (a person without a photo) is normal data and
 * draws its placeholder silently.
 *
 * Stat tiles. The value (and unit) is set on one line in value_style and
 * shrinks in 0.5 pt steps until it fits the tile's inner width (and height,
 * when the tile has one), down to value_style->min_size or else half its
 * size; beyond that it is an error. Fitting a big figure to its tile is the
 * tile's normal job, so shrinking here is not a warning. */
#include <math.h>
#include <string.h>

#include "layout/flow.h"

#define EPS 1e-6
#define STEP 0.5       /* pt: stat value shrink step */
#define BIG_WIDTH 1e6  /* pt: "one line, however long" */
#define INITIALS 0.4   /* initials cap size: this share of the box's smaller side */
#define INITIALS_W 0.8 /* … and at most this share of its width */

static double avail(const flow *f) { return f->col_bottom - f->y; }
static double column_h(const flow *f) { return f->col_bottom - f->col_top; }

/* ---- images: probing and registering ---------------------------------------- */

/* The probe's answer for `path`, asked once per run. NULL when out of memory.
 * The pointer is valid until the next call. */
static const rp_image_info *probe(flow *f, const char *path) {
  for (size_t i = 0; i < f->probed->len; i++) {
    probed_image *pi = &RP_VEC_AT(*f->probed, probed_image, i);
    if (strcmp(pi->path, path) == 0) return &pi->info;
  }
  /* the path copied: the section (bound lazily) that named it may go */
  const char *copy = rp_arena_strdup(f->a, path);
  probed_image *pi = copy ? rp_vec_push(f->a, f->probed, sizeof *pi) : NULL;
  if (!pi) return NULL;
  pi->path = copy;
  rp_image_info *in = &pi->info;
  if (f->opts && f->opts->probe)
    f->opts->probe(f->opts->probe_user, path, in);
  else
    snprintf(in->problem, sizeof in->problem, "images are not checked in this run");
  in->problem[sizeof in->problem - 1] = '\0';
  if (in->ok && (in->width_px <= 0 || in->height_px <= 0)) {
    in->ok = false;
    snprintf(in->problem, sizeof in->problem, "it has no pixels");
  }
  if (!in->ok && !in->problem[0]) snprintf(in->problem, sizeof in->problem, "it cannot be read");
  return in;
}

/* Index of `path` in doc->images, added on first use; the whole image's
 * drawn size (full_w × full_h pt) raises max_w/max_h. -1 when out of memory. */
static int register_image(flow *f, const char *path, double full_w, double full_h) {
  rp_vec *v = &f->doc->images;
  rp_image_ref *ref = NULL;
  size_t i = 0;
  for (; i < v->len && !ref; i++)
    if (strcmp(RP_VEC_AT(*v, rp_image_ref, i).path, path) == 0)
      ref = &RP_VEC_AT(*v, rp_image_ref, i);
  if (!ref) {
    const char *copy = rp_arena_strdup(f->a, path);
    ref = copy ? rp_vec_push(f->a, v, sizeof *ref) : NULL;
    if (!ref) return -1;
    ref->path = copy;
    i = v->len;
  }
  if (full_w > ref->max_w) ref->max_w = full_w;
  if (full_h > ref->max_h) ref->max_h = full_h;
  return (int)i - 1;
}

/* ---- images: geometry ---------------------------------------------------------- */

typedef struct placed {
  double x, y, w, h;     /* pt: the item */
  double sx, sy, sw, sh; /* crop window, image units */
} placed;

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Where a pw × ph px image goes in the box (x, y, w, h). */
static placed fit_image(const rp_block *b, double x, double y, double w, double h, double pw,
                        double ph) {
  placed p = {x, y, w, h, 0, 0, 1, 1};
  if (b->u.image.fit == RP_FIT_CONTAIN) {
    double k = fmin(w / pw, h / ph);
    p.w = pw * k;
    p.h = ph * k;
    p.x = x + (w - p.w) / 2;
    p.y = y + (h - p.h) / 2;
  } else if (b->u.image.fit == RP_FIT_COVER) {
    double k = fmax(w / pw, h / ph);
    p.sw = fmin(1, w / (pw * k));
    p.sh = fmin(1, h / (ph * k));
    /* Unset or nonsense focal points mean the centre. */
    double fx = b->u.image.focal_x >= 0 && b->u.image.focal_x <= 1 ? b->u.image.focal_x : 0.5;
    double fy = b->u.image.focal_y >= 0 && b->u.image.focal_y <= 1 ? b->u.image.focal_y : 0.5;
    p.sx = clamp(fx - p.sw / 2, 0, 1 - p.sw);
    p.sy = clamp(fy - p.sh / 2, 0, 1 - p.sh);
  }
  return p;
}

/* ---- text helpers ---------------------------------------------------------------- */

/* Emits the lines of `ls` from `top`, each fragment at x0 + its x; returns
 * the y below the last line. */
static rp_status emit_lines(flow *f, const rp_block *b, const rp_lines *ls, double x0, double top,
                            rp_role role, int sid, int parent, double *bottom) {
  double y = top;
  for (size_t i = 0; i < ls->n; i++) {
    const rp_line *ln = &ls->lines[i];
    double base = rp_flow_baseline(ln, y);
    rp_status st = rp_flow_emit_frags(f, ln, x0, base, role, sid, parent, &b->src);
    if (st != RP_OK) return st;
    y += ln->leading;
  }
  *bottom = y;
  return RP_OK;
}

static double lines_height(const rp_lines *ls) {
  double h = 0;
  for (size_t i = 0; i < ls->n; i++) h += ls->lines[i].leading;
  return h;
}

/* ---- placeholders ------------------------------------------------------------------ */

static rp_status emit_placeholder(flow *f, const rp_block *b, double x, double y, double w,
                                  double h, int sid, int parent) {
  if (f->measuring) return RP_OK;
  rp_item_kind kind = b->u.image.clip == RP_CLIP_CIRCLE ? RP_ITEM_ELLIPSE : RP_ITEM_RECT;
  rp_item *it = rp_flow_emit_box(f, kind, x, y, w, h, RP_ROLE_FIGURE, sid, parent, &b->src);
  if (!it) return rp_diag_oom(f->d);
  it->alt = b->alt;
  it->u.shape.fill = b->u.image.placeholder_fill.a > 0 ? b->u.image.placeholder_fill
                                                       : (rp_color){0.86f, 0.86f, 0.86f, 1};
  it->u.shape.radius = b->u.image.clip == RP_CLIP_ROUNDED ? b->box.radius : 0;

  if (!b->u.image.initials || !b->u.image.initials[0] || f->b->fonts->count == 0) return RP_OK;
  /* The initials style gives font, colour, tracking and case; the size is
   * the box's: capitals INITIALS of its smaller side, narrowed to fit. */
  rp_style fallback = {.name = "initials", .font = 0, .color = {0.35f, 0.35f, 0.35f, 1}};
  const rp_style *base = b->u.image.initials_style ? b->u.image.initials_style
                         : b->style                ? b->style
                                                   : &fallback;
  const rp_font *font = rp_fontset_get(f->b->fonts, base->font);
  double cap = font->cap_height > 0 ? font->cap_height : font->ascent * 0.7;
  double size = INITIALS * fmin(w, h) * 1000.0 / (cap > 0 ? cap : 700);
  rp_lines ls = {0};
  for (int pass = 0; pass < 2; pass++) {
    rp_style *st = rp_arena_alloc(f->a, sizeof *st);
    if (!st) return rp_diag_oom(f->d);
    *st = *base;
    st->size = size;
    st->leading = size * 1.2;
    st->align = RP_ALIGN_LEFT;
    st->indent = 0;
    /* in the arena: the lines' fragments point at their span, read when emitted */
    rp_span *span = rp_arena_alloc(f->a, sizeof *span);
    if (!span) return rp_diag_oom(f->d);
    *span = (rp_span){.text = b->u.image.initials, .style = st};
    rp_status r = rp_inline_break(f->a, f->b->fonts, span, BIG_WIDTH, 0, RP_ALIGN_LEFT, &ls, f->d);
    if (r != RP_OK) return r;
    if (ls.n == 0 || ls.lines[0].width <= INITIALS_W * w) break;
    size *= INITIALS_W * w / ls.lines[0].width;
  }
  if (ls.n == 0) return RP_OK;
  const rp_line *ln = &ls.lines[0];
  double x0 = x + (w - ln->width) / 2;
  double base_y = y + h / 2 + cap * size / 2000.0; /* capitals centred */
  return rp_flow_emit_frags(f, ln, x0, base_y, RP_ROLE_FIGURE, sid, parent, &b->src);
}

static void warn_unusable(flow *f, const rp_block *b, const rp_image_info *in) {
  const char *what = b->u.image.initials && b->u.image.initials[0] ? "photo" : "image";
  char drawn[96];
  if (b->u.image.initials && b->u.image.initials[0])
    snprintf(drawn, sizeof drawn, "drawn as initials %.60s", b->u.image.initials);
  else
    snprintf(drawn, sizeof drawn, "drawn as a placeholder");
  char msg[640];
  if (in->missing)
    snprintf(msg, sizeof msg, "%s \"%s\" is missing: %s", what, b->u.image.path, drawn);
  else
    snprintf(msg, sizeof msg, "%s \"%s\" cannot be used (%s): %s", what, b->u.image.path,
             in->problem, drawn);
  rp_flow_warn_once(f, &b->src, msg);
}

bool rp_flow_image_omitted(flow *f, const rp_block *b, rp_status *st) {
  *st = RP_OK;
  if (b->kind != RP_BLOCK_IMAGE || !b->u.image.omit_missing) return false;
  const char *path = b->u.image.path && b->u.image.path[0] ? b->u.image.path : NULL;
  if (!path) return true; /* no photo named: nothing to say */
  const rp_image_info *in = probe(f, path);
  if (!in) {
    *st = rp_diag_oom(f->d);
    return true;
  }
  if (in->ok) return false;
  if (!f->measuring) {
    char msg[640];
    snprintf(msg, sizeof msg, "image \"%s\" %s%s%s: left out with what it keeps with (its caption)",
             path, in->missing ? "is missing" : "cannot be used (", in->missing ? "" : in->problem,
             in->missing ? "" : ")");
    rp_flow_warn_once(f, &b->src, msg);
  }
  return true;
}

/* ---- images: placing ------------------------------------------------------------------ */

static void image_box(const flow *f, const rp_block *b, place_ctx ctx, const rp_image_info *in,
                      double *w, double *h) {
  double outer_w = f->col_w - ctx.left - ctx.right;
  *w = b->width > 0 && b->width < outer_w ? b->width : outer_w;
  if (b->height > 0)
    *h = b->height;
  else if (in->ok)
    *h = *w * in->height_px / in->width_px;
  else
    *h = *w;
}

rp_status rp_flow_place_image(flow *f, const rp_block *b, place_ctx ctx) {
  rp_image_info in = {0};
  const char *path = b->u.image.path && b->u.image.path[0] ? b->u.image.path : NULL;
  if (path) {
    const rp_image_info *pi = probe(f, path);
    if (!pi) return rp_diag_oom(f->d);
    in = *pi;
  }
  if (!f->at_top && b->style) f->y += b->style->space_before;
  double w, h;
  for (;;) {
    image_box(f, b, ctx, &in, &w, &h);
    if (h > column_h(f) + EPS) return rp_flow_no_fit(f, b, h);
    if (h <= avail(f) + EPS || f->at_top) break;
    rp_status st = rp_flow_next_column(f);
    if (st != RP_OK) return st;
  }
  double x = f->col_x + ctx.left, y = f->y;
  int sid = rp_flow_id(f);
  if (!f->measuring) {
    /* The box's own fill and stroke: the letterbox of a contained image. */
    const rp_boxstyle *bs = &b->box;
    if (bs->fill.a > 0 || bs->stroke.a > 0) {
      rp_item_kind kind = b->u.image.clip == RP_CLIP_CIRCLE ? RP_ITEM_ELLIPSE : RP_ITEM_RECT;
      rp_item *bg = rp_flow_emit_box(f, kind, x, y, w, h, RP_ROLE_ARTIFACT, 0, 0, &b->src);
      if (!bg) return rp_diag_oom(f->d);
      bg->u.shape.fill = bs->fill;
      bg->u.shape.stroke = bs->stroke;
      bg->u.shape.stroke_width = bs->stroke_width;
      bg->u.shape.radius = b->u.image.clip == RP_CLIP_ROUNDED ? bs->radius : 0;
    }
    if (in.ok) {
      placed p = fit_image(b, x, y, w, h, in.width_px, in.height_px);
      int index = register_image(f, path, p.w / p.sw, p.h / p.sh);
      rp_item *it = index >= 0 ? rp_flow_emit(f, RP_ITEM_IMAGE) : NULL;
      if (!it) return rp_diag_oom(f->d);
      it->x = p.x;
      it->y = p.y;
      it->w = p.w;
      it->h = p.h;
      it->role = RP_ROLE_FIGURE;
      it->struct_id = sid;
      it->parent_id = ctx.parent_id;
      it->alt = b->alt;
      it->src = b->src;
      it->u.image.image = index;
      it->u.image.clip = b->u.image.clip;
      it->u.image.radius = b->u.image.clip == RP_CLIP_ROUNDED ? bs->radius : 0;
      it->u.image.sx = p.sx;
      it->u.image.sy = p.sy;
      it->u.image.sw = p.sw;
      it->u.image.sh = p.sh;
    } else {
      if (path) warn_unusable(f, b, &in);
      rp_status st = emit_placeholder(f, b, x, y, w, h, sid, ctx.parent_id);
      if (st != RP_OK) return st;
    }
  }
  f->y = y + h;
  f->at_top = false;
  if (b->style) f->y += b->style->space_after;
  return RP_OK;
}

/* ---- stat tiles ---------------------------------------------------------------------- */

typedef struct stat_set {
  rp_lines value, label;
  double gap;       /* pt between value and label */
  double content_h; /* pt: value + gap + label */
} stat_set;

/* Value and unit as one text: a word space before a unit that starts with a
 * letter or digit ("12 members"), none before "%", "°"… ("12%"). */
static const char *value_text(rp_arena *a, const rp_block *b) {
  const char *v = b->u.stat.value ? b->u.stat.value : "";
  const char *u = b->u.stat.unit;
  if (!u || !u[0]) return v;
  unsigned char c = (unsigned char)u[0];
  bool word = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0xC3;
  return rp_arena_printf(a, "%s%s%s", v, word ? " " : "", u);
}

/* Sets value and label into inner_w, in scratch arena `a`; shrinks the value until it is one line
 * and the whole fits inner_h (when > 0). */
static rp_status set_stat(flow *f, rp_arena *a, const rp_block *b, const rp_style *vs,
                          const rp_style *lst, double inner_w, double inner_h, stat_set *out) {
  memset(out, 0, sizeof *out);
  const char *text = value_text(a, b);
  if (!text) return rp_diag_oom(f->d);
  /* in the arena: the value's fragments point at it until they are emitted */
  rp_span *vspan = rp_arena_alloc(a, sizeof *vspan);
  if (!vspan) return rp_diag_oom(f->d);
  *vspan = (rp_span){.text = text, .style = vs};
  double min_w, nat_w;
  rp_status r = rp_inline_measure(a, f->b->fonts, vspan, &min_w, &nat_w, f->d);
  if (r != RP_OK) return r;
  if (lst && b->u.stat.label && b->u.stat.label[0]) {
    rp_span *ls = rp_arena_alloc(a, sizeof *ls);
    if (!ls) return rp_diag_oom(f->d);
    ls->text = b->u.stat.label;
    ls->style = lst;
    rp_block para = {.kind = RP_BLOCK_PARAGRAPH, .style = lst, .spans = ls, .src = b->src};
    rp_arena *keep = f->a;
    f->a = a;
    r = rp_fit_text(f, &para, inner_w, &out->label);
    f->a = keep;
    if (r != RP_OK) return r;
    out->gap = out->label.n ? lst->space_before : 0;
  }
  double label_h = lines_height(&out->label);
  double min = vs->min_size > 0 ? vs->min_size : vs->size / 2;
  double size = vs->size;
  if (nat_w > inner_w && nat_w > 0) /* width is proportional to size */
    size = floor(vs->size * inner_w / nat_w / STEP) * STEP;
  for (; size >= min - EPS; size -= STEP) {
    if (size < min) size = min;
    const rp_style *st = size == vs->size ? vs : rp_fit_style_at(a, vs, size);
    if (!st) return rp_diag_oom(f->d);
    vspan->style = st;
    r = rp_inline_break(a, f->b->fonts, vspan, inner_w, 0, vs->align, &out->value, f->d);
    if (r != RP_OK) return r;
    out->content_h = lines_height(&out->value) + out->gap + label_h;
    bool one_line =
        out->value.n <= 1 && (out->value.n == 0 || out->value.lines[0].width <= inner_w + EPS);
    if (one_line && (inner_h <= 0 || out->content_h <= inner_h + EPS)) return RP_OK;
    if (size <= min) break;
  }
  return rp_diag_error(f->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                       "stat value \"%s\" does not fit its tile (%gpt wide%s) even at %gpt: "
                       "shorten it, widen the tile or lower the value style's min-size",
                       text, inner_w, inner_h > 0 ? rp_arena_printf(a, ", %gpt high", inner_h) : "",
                       min);
}

static rp_status place_stat(flow *f, rp_arena *scratch, const rp_block *b, place_ctx ctx);

/* The tile's lines and its shrinking tries live in a scratch arena freed
 * once it is placed: the items copy what they draw. */
rp_status rp_flow_place_stat(flow *f, const rp_block *b, place_ctx ctx) {
  rp_arena *scratch = rp_arena_new_child(f->a);
  if (!scratch) return rp_diag_oom(f->d);
  rp_status r = place_stat(f, scratch, b, ctx);
  rp_arena_free(scratch);
  return r;
}

static rp_status place_stat(flow *f, rp_arena *scratch, const rp_block *b, place_ctx ctx) {
  const rp_style *vs = b->u.stat.value_style ? b->u.stat.value_style : b->style;
  const rp_style *lst = b->u.stat.label_style ? b->u.stat.label_style : b->style;
  if (!vs)
    return rp_diag_error(f->d, RP_ERR_INTERNAL, b->src.layout_file, b->src.layout_line, 0,
                         "stat tile without a value style");
  const rp_boxstyle *bs = &b->box;
  if (!f->at_top && b->style) f->y += b->style->space_before;
  stat_set s;
  double w, h;
  for (;;) {
    double outer_w = f->col_w - ctx.left - ctx.right;
    w = b->width > 0 && b->width < outer_w ? b->width : outer_w;
    double inner_w = w - bs->padding[1] - bs->padding[3];
    double inner_h = b->height > 0 ? b->height - bs->padding[0] - bs->padding[2] : 0;
    if (inner_w <= 0 || (b->height > 0 && inner_h <= 0))
      return rp_diag_error(f->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                           "stat tile is %gpt x %gpt: no room inside its padding", w, b->height);
    rp_status r = set_stat(f, scratch, b, vs, lst, inner_w, inner_h, &s);
    if (r != RP_OK) return r;
    h = b->height > 0 ? b->height : bs->padding[0] + s.content_h + bs->padding[2];
    if (h > column_h(f) + EPS) return rp_flow_no_fit(f, b, h);
    if (h <= avail(f) + EPS || f->at_top) break;
    r = rp_flow_next_column(f);
    if (r != RP_OK) return r;
  }
  double x = f->col_x + ctx.left, top = f->y;
  if (!f->measuring) {
    if (bs->fill.a > 0 || bs->stroke.a > 0) {
      rp_item *bg = rp_flow_emit(f, RP_ITEM_RECT);
      if (!bg) return rp_diag_oom(f->d);
      bg->x = x;
      bg->y = top;
      bg->w = w;
      bg->h = h;
      bg->role = RP_ROLE_ARTIFACT;
      bg->src = b->src;
      bg->u.shape.fill = bs->fill;
      bg->u.shape.stroke = bs->stroke;
      bg->u.shape.stroke_width = bs->stroke_width;
      bg->u.shape.radius = bs->radius;
    }
    /* Content centred vertically in a tile of fixed height. */
    double inner_h = h - bs->padding[0] - bs->padding[2];
    double y = top + bs->padding[0] + (inner_h - s.content_h) / 2;
    double x0 = x + bs->padding[3];
    rp_status r = emit_lines(f, b, &s.value, x0, y, RP_ROLE_P, rp_flow_id(f), ctx.parent_id, &y);
    if (r == RP_OK)
      r = emit_lines(f, b, &s.label, x0, y + s.gap, RP_ROLE_P, rp_flow_id(f), ctx.parent_id, &y);
    if (r != RP_OK) return r;
  }
  f->y = top + h;
  f->at_top = false;
  if (b->style) f->y += b->style->space_after;
  return RP_OK;
}
