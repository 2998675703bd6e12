/* draw — see draw.h. */
#include "charts/draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/color.h"
#include "base/mem.h"

rp_status rp_chart_out_init(rp_chart_out *o, rp_arena *a, const rp_fontset *fonts,
                            const rp_chart_box *box, rp_page *page, rp_diag *d) {
  *o = (rp_chart_out){.a = a, .page = page, .fonts = fonts, .d = d, .box = box};
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  o->cr = cairo_create(s);
  cairo_surface_destroy(s); /* the context keeps its own reference */
  if (cairo_status(o->cr) != CAIRO_STATUS_SUCCESS) {
    cairo_destroy(o->cr);
    o->cr = NULL;
    return rp_diag_oom(d);
  }
  return RP_OK;
}

void rp_chart_out_fini(rp_chart_out *o) {
  if (o->cr) cairo_destroy(o->cr);
  o->cr = NULL;
}

static bool fail_oom(rp_chart_out *o) {
  if (!o->failed) rp_diag_oom(o->d);
  o->failed = true;
  return false;
}

static rp_item *add(rp_chart_out *o, rp_item_kind kind) {
  rp_item *it = rp_page_add(o->a, o->page, kind);
  if (!it) {
    fail_oom(o);
    return NULL;
  }
  it->role = RP_ROLE_NONE; /* parts of the chart's figure */
  it->parent_id = o->box->struct_id;
  it->src = o->box->src;
  return it;
}

rp_item *rp_chart_emit_path(rp_chart_out *o, rp_color fill, rp_color stroke, double width) {
  if (o->failed) return NULL;
  /* the item's bounds are the curve's, not its control points' (which lie
   * outside a circle) */
  double ex0, ey0, ex1, ey1;
  cairo_path_extents(o->cr, &ex0, &ey0, &ex1, &ey1);
  cairo_path_t *path = cairo_copy_path(o->cr);
  cairo_new_path(o->cr);
  if (!path || path->status != CAIRO_STATUS_SUCCESS) {
    cairo_path_destroy(path);
    fail_oom(o);
    return NULL;
  }
  size_t n = 0;
  for (int i = 0; i < path->num_data; i += path->data[i].header.length) n++;
  rp_item *it = NULL;
  rp_path_op *ops = n ? rp_arena_alloc(o->a, n * sizeof *ops) : NULL;
  if (n && !ops) {
    fail_oom(o);
    goto done;
  }
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  size_t k = 0;
  for (int i = 0; i < path->num_data; i += path->data[i].header.length) {
    const cairo_path_data_t *h = &path->data[i];
    rp_path_op *op = &ops[k++];
    memset(op, 0, sizeof *op);
    int pts = 0;
    switch (h->header.type) {
      case CAIRO_PATH_MOVE_TO:
        op->op = RP_PATH_MOVE, pts = 1;
        break;
      case CAIRO_PATH_LINE_TO:
        op->op = RP_PATH_LINE, pts = 1;
        break;
      case CAIRO_PATH_CURVE_TO:
        op->op = RP_PATH_CURVE, pts = 3;
        break;
      case CAIRO_PATH_CLOSE_PATH:
        op->op = RP_PATH_CLOSE;
        break;
    }
    for (int j = 0; j < pts; j++) {
      op->x[j] = h[j + 1].point.x;
      op->y[j] = h[j + 1].point.y;
      x0 = fmin(x0, op->x[j]), x1 = fmax(x1, op->x[j]);
      y0 = fmin(y0, op->y[j]), y1 = fmax(y1, op->y[j]);
    }
  }
  if (n == 0 || !isfinite(x0)) goto done;
  it = add(o, RP_ITEM_PATH);
  if (!it) goto done;
  if (ex1 > ex0 || ey1 > ey0) x0 = ex0, y0 = ey0, x1 = ex1, y1 = ey1;
  it->x = x0, it->y = y0, it->w = x1 - x0, it->h = y1 - y0;
  it->u.path.ops = ops;
  it->u.path.n_ops = n;
  it->u.path.fill = fill;
  it->u.path.stroke = stroke;
  it->u.path.stroke_width = width;
  it->u.path.even_odd = cairo_get_fill_rule(o->cr) == CAIRO_FILL_RULE_EVEN_ODD;
  double dash[2];
  int nd = cairo_get_dash_count(o->cr);
  if (nd == 2) {
    cairo_get_dash(o->cr, dash, NULL);
    it->u.path.dash[0] = dash[0], it->u.path.dash[1] = dash[1];
  }
done:
  cairo_path_destroy(path);
  return it;
}

/* ---- rings without Cairo's path --------------------------------------------
 * What move_to, line_to and close_path on o->cr, then rp_chart_emit_path,
 * make of closed polylines, worked out here: Cairo's path (cairo-path-fixed.c,
 * 1.16) in 24.8 fixed point, a line to the point it is at dropped (but the
 * first of a subpath, then replaced), one continuing the last in the same
 * direction merged into it, the closing line dropped, and after the last
 * close a move to where that subpath began; its extents as Cairo's path
 * bounder finds them. The map's land is thousands of points, and building
 * Cairo's path, copying and walking it again cost more than the rest of it. */

typedef struct fixpt {
  int32_t x, y;
} fixpt;

/* _cairo_fixed_from_double: d rounded to 1/256 (to even), by the sum's low
 * 32 bits. */
static int32_t to_fixed(double d) {
  double t = d + 26388279066624.0; /* 1.5 × 2^44 */
  uint64_t bits;
  memcpy(&bits, &t, sizeof bits);
  return (int32_t)(uint32_t)bits;
}

static double from_fixed(int32_t f) { return (double)f / 256; }

typedef struct ring_path {
  unsigned char *op; /* RP_PATH_MOVE, _LINE, _CLOSE */
  fixpt *pt;         /* one per move and line */
  size_t n_op, n_pt;
  bool has_cur, needs_move;
  fixpt cur, last_move;
} ring_path;

static void path_add(ring_path *p, unsigned char op, const fixpt *q) {
  p->op[p->n_op++] = op;
  if (q) p->pt[p->n_pt++] = *q;
}

static unsigned char path_last(const ring_path *p) { return p->n_op ? p->op[p->n_op - 1] : 255; }

static void path_drop_line(ring_path *p) { p->n_op--, p->n_pt--; }

static void path_move_to(ring_path *p, fixpt q) {
  if (!p->needs_move) p->needs_move = true;
  p->has_cur = true;
  p->cur = p->last_move = q;
}

static void path_line_to(ring_path *p, fixpt q) {
  if (!p->has_cur) {
    path_move_to(p, q);
    return;
  }
  if (p->needs_move) {
    p->needs_move = false;
    p->last_move = p->cur;
    path_add(p, RP_PATH_MOVE, &p->cur);
  }
  if (path_last(p) != RP_PATH_MOVE && q.x == p->cur.x && q.y == p->cur.y) return;
  if (path_last(p) == RP_PATH_LINE) {
    fixpt pen = p->pt[p->n_pt - 2];
    if (pen.x == p->cur.x && pen.y == p->cur.y) {
      path_drop_line(p); /* the one before went nowhere */
    } else {
      int64_t pdx = (int64_t)p->cur.x - pen.x, pdy = (int64_t)p->cur.y - pen.y;
      int64_t sdx = (int64_t)q.x - p->cur.x, sdy = (int64_t)q.y - p->cur.y;
      /* Cairo's slopes are 32-bit differences, their products 64-bit */
      int32_t a = (int32_t)(uint32_t)pdx, b = (int32_t)(uint32_t)pdy;
      int32_t c = (int32_t)(uint32_t)sdx, e = (int32_t)(uint32_t)sdy;
      bool equal = (int64_t)b * c == (int64_t)e * a;
      bool backwards = ((a ^ c) | (b ^ e)) < 0;
      if (equal && !backwards) path_drop_line(p);
    }
  }
  p->cur = q;
  path_add(p, RP_PATH_LINE, &q);
}

static void path_close(ring_path *p) {
  if (!p->has_cur) return;
  path_line_to(p, p->last_move);
  if (path_last(p) == RP_PATH_LINE) path_drop_line(p);
  p->needs_move = true;
  path_add(p, RP_PATH_CLOSE, NULL);
}

rp_item *rp_chart_emit_rings(rp_chart_out *o, const double *const *rings, const size_t *n,
                             size_t count, rp_color fill, rp_color stroke, double width) {
  if (o->failed) return NULL;
  cairo_matrix_t mx;
  cairo_get_matrix(o->cr, &mx);
  cairo_path_t *was = cairo_copy_path(o->cr);
  bool plain = mx.xx == 1 && mx.yy == 1 && mx.xy == 0 && mx.yx == 0 && mx.x0 == 0 && mx.y0 == 0 &&
               was && was->status == CAIRO_STATUS_SUCCESS && was->num_data == 0 &&
               cairo_get_dash_count(o->cr) == 0;
  cairo_path_destroy(was);
  size_t total = 0;
  for (size_t i = 0; i < count; i++) total += n[i];
  ring_path p = {.needs_move = true};
  if (plain) {
    p.op = rp_mem_alloc(total + 2 * count + 2);
    p.pt = rp_mem_alloc((total + 2 * count + 2) * sizeof *p.pt);
  }
  if (!p.op || !p.pt) { /* Cairo's own way */
    rp_mem_free(p.op), rp_mem_free(p.pt);
    for (size_t i = 0; i < count; i++) {
      for (size_t j = 0; j < n[i]; j++) {
        if (j == 0)
          cairo_move_to(o->cr, rings[i][0], rings[i][1]);
        else
          cairo_line_to(o->cr, rings[i][2 * j], rings[i][2 * j + 1]);
      }
      if (n[i]) cairo_close_path(o->cr);
    }
    return rp_chart_emit_path(o, fill, stroke, width);
  }
  for (size_t i = 0; i < count; i++) {
    for (size_t j = 0; j < n[i]; j++) {
      fixpt q = {to_fixed(rings[i][2 * j]), to_fixed(rings[i][2 * j + 1])};
      if (j == 0)
        path_move_to(&p, q);
      else
        path_line_to(&p, q);
    }
    if (n[i]) path_close(&p);
  }
  bool trailing = p.needs_move && p.has_cur; /* a move after the last close */
  size_t nops = p.n_op + trailing;
  rp_item *it = NULL;
  rp_path_op *ops = nops ? rp_arena_alloc(o->a, nops * sizeof *ops) : NULL;
  if (nops && !ops) {
    fail_oom(o);
    goto done;
  }
  /* the ops, their points' bounds, and the bounder's extents (from a
   * subpath's first line on; a close lines back to its start) */
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  bool has_ext = false;
  fixpt ext0 = {0, 0}, ext1 = {0, 0}, bcur = {0, 0}, bmove = {0, 0};
  size_t k = 0;
  for (size_t i = 0; i < nops; i++) {
    unsigned char op = i < p.n_op ? p.op[i] : RP_PATH_MOVE;
    const fixpt *q = i < p.n_op ? (op == RP_PATH_CLOSE ? NULL : &p.pt[k++]) : &p.cur;
    rp_path_op *o2 = &ops[i]; /* zeroed by the arena */
    o2->op = op;
    fixpt to = bmove;
    if (q) {
      /* finite, never -0: plain comparisons are fmin's and fmax's */
      double x = from_fixed(q->x), y = from_fixed(q->y);
      o2->x[0] = x, o2->y[0] = y;
      x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
      y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
      to = *q;
    }
    if (op == RP_PATH_MOVE) {
      bcur = bmove = to;
      continue;
    }
    if (!has_ext) {
      has_ext = true;
      ext0.x = bcur.x < to.x ? bcur.x : to.x, ext1.x = bcur.x < to.x ? to.x : bcur.x;
      ext0.y = bcur.y < to.y ? bcur.y : to.y, ext1.y = bcur.y < to.y ? to.y : bcur.y;
    } else {
      if (to.x < ext0.x) ext0.x = to.x;
      if (to.x > ext1.x) ext1.x = to.x;
      if (to.y < ext0.y) ext0.y = to.y;
      if (to.y > ext1.y) ext1.y = to.y;
    }
    bcur = to;
  }
  if (nops == 0 || !isfinite(x0)) goto done;
  it = add(o, RP_ITEM_PATH);
  if (!it) goto done;
  if (has_ext) {
    double ex0 = from_fixed(ext0.x), ey0 = from_fixed(ext0.y);
    double ex1 = from_fixed(ext1.x), ey1 = from_fixed(ext1.y);
    if (ex1 > ex0 || ey1 > ey0) x0 = ex0, y0 = ey0, x1 = ex1, y1 = ey1;
  }
  it->x = x0, it->y = y0, it->w = x1 - x0, it->h = y1 - y0;
  it->u.path.ops = ops;
  it->u.path.n_ops = nops;
  it->u.path.fill = fill;
  it->u.path.stroke = stroke;
  it->u.path.stroke_width = width;
  it->u.path.even_odd = cairo_get_fill_rule(o->cr) == CAIRO_FILL_RULE_EVEN_ODD;
done:
  rp_mem_free(p.op), rp_mem_free(p.pt);
  return it;
}

/* The face for code point c: the style's own, else its first fallback that
 * has it, else its own (which draws the missing-glyph mark). */
static int face_for(const rp_chart_out *o, const rp_chart_text *t, uint32_t c) {
  const rp_font *f = rp_fontset_get(o->fonts, t->font);
  if (!f || rp_font_covers(f, c) || c < 0x80) return t->font;
  for (int i = 0; i < t->n_fallback; i++) {
    const rp_font *fb = rp_fontset_get(o->fonts, t->fallback[i]);
    if (fb && rp_font_covers(fb, c)) return t->fallback[i];
  }
  return t->font;
}

/* The length in bytes of the run at s[0..len) set in one face, and that face. */
static size_t face_run(const rp_chart_out *o, const rp_chart_text *t, const char *s, size_t len,
                       int *face) {
  size_t n = 0;
  *face = -1;
  while (n < len) {
    uint32_t c;
    size_t k = rp_utf8_decode(s + n, len - n, &c);
    if (k == 0) k = 1;
    int f = face_for(o, t, c);
    if (*face < 0) *face = f;
    if (f != *face) break;
    n += k;
  }
  return n;
}

double rp_chart_text_width(const rp_chart_out *o, const rp_chart_text *t, const char *s) {
  if (!s) return 0;
  double w = 0;
  for (size_t len = strlen(s), n; len > 0; s += n, len -= n) {
    int face;
    n = face_run(o, t, s, len, &face);
    const rp_font *f = rp_fontset_get(o->fonts, face);
    if (f) w += rp_font_measure(f, s, n, t->size, 0, true);
  }
  return w;
}

/* Emits one text item per run of one face (a label with "CO₂e" takes the
 * fallback face for "₂"), the runs set one after the other, kerned with the
 * font's pairs (measured as render draws them). A pair across two runs is
 * not kerned: the faces differ. */
rp_item *rp_chart_emit_text(rp_chart_out *o, const rp_chart_text *t, const char *s, double x,
                            double y, rp_chart_align align) {
  if (o->failed || !s || !*s) return NULL;
  /* measured first only when the start depends on the width; each run is
   * measured below either way */
  double w = align == RP_CHART_LEFT ? 0 : rp_chart_text_width(o, t, s);
  if (align == RP_CHART_CENTRE) x -= w / 2;
  if (align == RP_CHART_RIGHT) x -= w;
  rp_item *first = NULL;
  for (size_t len = strlen(s), n; len > 0; s += n, len -= n) {
    int face;
    n = face_run(o, t, s, len, &face);
    char *copy = rp_arena_alloc(o->a, n + 1);
    rp_item *it = copy ? add(o, RP_ITEM_TEXT) : NULL;
    if (!it) {
      fail_oom(o);
      return NULL;
    }
    memcpy(copy, s, n);
    copy[n] = 0;
    const rp_font *f = rp_fontset_get(o->fonts, face);
    double rw = f ? rp_font_measure(f, s, n, t->size, 0, true) : 0;
    it->x = x, it->y = y, it->w = rw, it->h = t->size;
    it->u.text.text = copy;
    it->u.text.font = face;
    it->u.text.size = t->size;
    it->u.text.color = t->color;
    it->u.text.kern = true; /* as body text is by default: "To", "AV" spaced by the font */
    if (!first) first = it;
    x += rw;
  }
  return first;
}

rp_color rp_chart_palette(const rp_chart *c, size_t i) {
  if (c->n_palette) return c->palette[i % c->n_palette];
  /* Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
  static const rp_color okabe_ito[] = {
      {0.000f, 0.447f, 0.698f, 1}, {0.902f, 0.624f, 0.000f, 1}, {0.000f, 0.620f, 0.451f, 1},
      {0.800f, 0.475f, 0.655f, 1}, {0.337f, 0.706f, 0.914f, 1}, {0.835f, 0.369f, 0.000f, 1},
      {0.941f, 0.894f, 0.259f, 1}, {0.000f, 0.000f, 0.000f, 1},
  };
  return okabe_ito[i % (sizeof okabe_ito / sizeof okabe_ito[0])];
}

/* ---- shared by the chart kinds ------------------------------------------ */

rp_color rp_chart_series_color(const rp_chart *c, size_t i) {
  if (i < c->n_series && c->series[i].color.a > 0) return c->series[i].color;
  return rp_chart_palette(c, i);
}

/* The WCAG formulas live in base/color.c, shared with the preflight report. */
double rp_chart_luminance(rp_color c) { return rp_color_luminance(c); }

double rp_chart_contrast(rp_color a, rp_color b) { return rp_color_contrast(a, b); }

rp_color rp_chart_text_on(const rp_chart *c, rp_color fill) {
  if (rp_chart_contrast(c->label.color, fill) >= 4.5) return c->label.color;
  rp_color white = {1, 1, 1, 1}, black = {0, 0, 0, 1};
  return rp_chart_contrast(white, fill) >= rp_chart_contrast(black, fill) ? white : black;
}

void rp_chart_check_contrast(rp_chart_out *o, const rp_chart *c, bool values) {
  if (c->background.a <= 0) return;
  const struct {
    const char *role;
    rp_color color;
    bool drawn;
  } roles[] = {{"label", c->label.color, true},
               {"value", c->value.color, values},
               {"heading", c->heading.color, c->title && *c->title}};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    double ratio = rp_chart_contrast(roles[i].color, c->background);
    if (roles[i].drawn && ratio < 4.5)
      rp_diag_warn_about(
          o->d, &(rp_diag_about){.code = RP_DIAG_CONTRAST, .src = o->box->src},
          "the chart's %s text has a contrast of %.1f:1 with its background, below "
          "the 4.5:1 readers need: choose a darker (or, on a dark background, lighter) "
          "colour for it",
          roles[i].role, ratio);
  }
}

/* `len` moved back to a character boundary, without trailing spaces. */
static size_t cut_at(const char *s, size_t len) {
  while (len > 0 && (s[len] & 0xC0) == 0x80) len--;
  while (len > 0 && s[len - 1] == ' ') len--;
  return len;
}

/* Whether s cut at `len` (see cut_at) with "…" fits max_w; buf holds it. */
static bool fits_cut(rp_chart_out *o, const rp_chart_text *t, const char *s, size_t len, char *buf,
                     double max_w) {
  size_t keep = cut_at(s, len);
  memcpy(buf, s, keep);
  memcpy(buf + keep, "\xE2\x80\xA6", 4);
  return keep > 0 && rp_chart_text_width(o, t, buf) <= max_w;
}

rp_item *rp_chart_emit_fit(rp_chart_out *o, const rp_chart_text *t, const char *s, double x,
                           double y, rp_chart_align align, double max_w) {
  if (!s || !*s || o->failed) return NULL;
  rp_chart_text ft = *t;
  double w = rp_chart_text_width(o, &ft, s);
  if (w <= max_w) return rp_chart_emit_text(o, &ft, s, x, y, align);
  double smallest = fmax(fmin(t->size, 5), t->size * 0.7);
  ft.size = fmax(smallest, t->size * max_w / w);
  if (rp_chart_text_width(o, &ft, s) <= max_w) return rp_chart_emit_text(o, &ft, s, x, y, align);
  /* cut at a character boundary, longest prefix + "…" that fits */
  size_t n = strlen(s);
  char *buf = rp_arena_alloc(o->a, n + 4);
  if (!buf) {
    fail_oom(o);
    return NULL;
  }
  /* the longest prefix that fits, found by halving (a label may be a whole
   * document's text: measuring every prefix would take seconds) */
  size_t lo = 0, hi = n; /* prefix lo fits (or is empty); hi does not */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (fits_cut(o, &ft, s, mid, buf, max_w))
      lo = mid;
    else
      hi = mid;
  }
  size_t keep = cut_at(s, lo);
  memcpy(buf, s, keep);
  memcpy(buf + keep, "\xE2\x80\xA6", 4);
  if (keep == 0) return NULL;
  const rp_src *src = &o->box->src;
  rp_diag_warn(o->d, src->layout_file, src->layout_line, 0,
               "chart label \"%s\" is too long for its %.0f pt and was shortened to \"%s\": "
               "shorten it in the content or give the chart more room",
               s, max_w, buf);
  return rp_chart_emit_text(o, &ft, buf, x, y, align);
}

rp_status rp_chart_input_error(rp_chart_out *o, const rp_chart *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const rp_src *src = &o->box->src;
  const char *name = c->title ? c->title : c->alt ? c->alt : "untitled";
  if (src->content_file && src->content_line > 0)
    return rp_diag_error(o->d, RP_ERR_INPUT, src->layout_file, src->layout_line, 0,
                         "chart \"%s\" (data from %s:%d): %s", name, src->content_file,
                         src->content_line, msg);
  return rp_diag_error(o->d, RP_ERR_INPUT, src->layout_file, src->layout_line, 0,
                       "chart \"%s\": %s", name, msg);
}

rp_status rp_chart_check_values(rp_chart_out *o, const rp_chart *c) {
  if (c->n_categories == 0 || !c->categories)
    return rp_chart_input_error(o, c,
                                "it has no categories to chart: check that its data selects "
                                "some rows, or leave the chart out");
  if (c->n_series == 0 || !c->series)
    return rp_chart_input_error(o, c, "it has no series of values: give it at least one");
  size_t values = 0;
  for (size_t s = 0; s < c->n_series; s++) {
    if (!c->series[s].values)
      return rp_chart_input_error(o, c, "series %zu has no values: give it one per category",
                                  s + 1);
    for (size_t i = 0; i < c->n_categories; i++) {
      double v = c->series[s].values[i];
      if (isinf(v))
        return rp_chart_input_error(o, c,
                                    "the value for \"%s\" is infinite: check the data or the "
                                    "expression that computes it (a division by zero?)",
                                    c->categories[i] ? c->categories[i] : "");
      if (!isnan(v)) values++;
    }
  }
  if (values == 0)
    return rp_chart_input_error(o, c,
                                "none of its values is a number: check that its data selects "
                                "numbers (\"33000\", not \"33k\")");
  return RP_OK;
}

size_t rp_chart_label_stride(rp_chart_out *o, const rp_chart *c, double slot, bool across) {
  const rp_chart_text *t = &c->label;
  double need = t->size * (RP_CHART_ASCENT + RP_CHART_DESCENT);
  if (!across) {
    double widest = 0;
    for (size_t i = 0; i < c->n_categories; i++)
      widest = fmax(widest, rp_chart_text_width(o, t, c->categories[i]));
    need = fmin(widest * 0.7, t->size * 6) + 2; /* long names are cut, not spread */
  }
  if (!(slot > 0)) return c->n_categories ? c->n_categories : 1;
  double k = ceil(need / slot);
  if (k < 1) k = 1;
  return k > (double)c->n_categories ? (c->n_categories ? c->n_categories : 1) : (size_t)k;
}

rp_chart_area rp_chart_title(rp_chart_out *o, const rp_chart *c) {
  const rp_chart_box *b = o->box;
  rp_chart_area r = {b->x, b->y, b->w, b->h};
  if (!c->title || !*c->title) return r;
  double sz = c->heading.size;
  if (sz * 2.5 > b->h) return r; /* no room: the chart matters more */
  rp_chart_emit_fit(o, &c->heading, c->title, b->x, b->y + sz * RP_CHART_ASCENT + 1, RP_CHART_LEFT,
                    b->w);
  double used = sz * (RP_CHART_ASCENT + RP_CHART_DESCENT) + sz * 0.6 + 1;
  r.y += used, r.h -= used;
  return r;
}

double rp_chart_legend(rp_chart_out *o, const rp_chart *c, const char *const *labels,
                       const rp_color *colors, size_t n, double x, double y, double w, bool draw) {
  const rp_chart_text *t = &c->label;
  double sw = t->size * 0.8, gap = t->size * 0.4, sep = t->size * 1.2;
  double line = t->size * 1.4, cx = x, cy = y;
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = labels[i] ? labels[i] : "";
    double need = sw + gap + rp_chart_text_width(o, t, s);
    if (cx > x && cx + need > x + w) cx = x, cy += line;
    if (draw) {
      cairo_rectangle(o->cr, cx, cy + (line - sw) / 2 - t->size * 0.15, sw, sw);
      rp_chart_emit_path(o, colors[i], (rp_color){0}, 0);
      rp_chart_emit_fit(o, t, s, cx + sw + gap, cy + line / 2 + t->size * 0.2, RP_CHART_LEFT,
                        x + w - (cx + sw + gap));
    }
    cx += fmin(need, w) + sep;
  }
  return cy + line - y;
}

rp_status rp_chart_series_legend_measure(rp_chart_out *o, const rp_chart *c, const rp_chart_area *r,
                                         rp_chart_series_legend *lg) {
  *lg = (rp_chart_series_legend){0};
  size_t ns = c->n_series;
  if (ns < 2) return RP_OK;
  lg->names = rp_arena_alloc(o->a, ns * sizeof *lg->names);
  lg->colors = rp_arena_alloc(o->a, ns * sizeof *lg->colors);
  if (!lg->names || !lg->colors) return rp_diag_oom(o->d);
  for (size_t s = 0; s < ns; s++) {
    lg->names[s] = c->series[s].name ? c->series[s].name : "";
    lg->colors[s] = rp_chart_series_color(c, s);
  }
  lg->n = ns;
  lg->h =
      rp_chart_legend(o, c, lg->names, lg->colors, ns, r->x, 0, r->w, false) + c->label.size * 0.5;
  if (lg->h > r->h * 0.4) lg->h = 0; /* no room: leave it out */
  return RP_OK;
}

void rp_chart_series_legend_draw(rp_chart_out *o, const rp_chart *c, const rp_chart_area *r,
                                 const rp_chart_series_legend *lg) {
  if (lg->h > 0)
    rp_chart_legend(o, c, lg->names, lg->colors, lg->n, r->x,
                    r->y + r->h - lg->h + c->label.size * 0.5, r->w, true);
}
