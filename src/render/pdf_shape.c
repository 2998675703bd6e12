/* pdf_shape — rectangles (square or rounded corners), lines, ellipses, chart
 * slots, the paths of charts and SVGs, and the ExtGState cache for
 * transparency.
 *
 * Each shape is drawn inside its own q…Q so that colours, line width and
 * alpha never leak into the next item. Colours and graphics state are set
 * before the path starts (libharu refuses them inside an open path). Rounded
 * corners and ellipses are cubic Béziers with the usual circle constant
 * k = 4(√2 − 1)/3. Alpha < 1 uses one ExtGState per (fill, stroke) alpha
 * pair, created once and reused.
 *
 * Path construction and painting operators are written here, not through
 * libharu, which prints every coordinate with five decimals: a map or a logo
 * is thousands of them, the largest part of the file. Coordinates are
 * written with trailing zeros dropped: a chart's or an SVG's path to 1/10 pt
 * (off by 0.05 pt at most, less than a 1200 dpi device pixel of 0.06 pt;
 * shapes that meet share their coordinates, so they round alike), the
 * layout's boxes to 1/100 pt (a rectangle is written as x, y, width and
 * height: its far edge rounds apart from a neighbour's near edge). After a
 * close (h) the current point is the subpath's start, so the move Cairo adds
 * there is written only when a segment follows it. libharu's graphics mode
 * is kept in step where a libharu call follows (a clip path: HPDF_Page_Clip
 * wants a path open). */
#include <math.h>

#include <string.h>

#include "base/mem.h"
#include "base/simplify.h"
#include "render/pdf.h"

#define KAPPA 0.5522847498307936

static float unit(float v) { return v > 0 ? (v < 1 ? v : 1) : 0; }

bool rp_pdf_set_alpha(rp_pdf *p, double fill, double stroke, const rp_src *src) {
  int fk = (int)lround(unit((float)fill) * 1000), sk = (int)lround(unit((float)stroke) * 1000);
  HPDF_ExtGState gs = NULL;
  for (size_t i = 0; i < p->alphas.len && !gs; i++) {
    rp_pdf_alpha *a = &RP_VEC_AT(p->alphas, rp_pdf_alpha, i);
    if (a->fill == fk && a->stroke == sk) gs = a->gs;
  }
  if (!gs) {
    rp_pdf_alpha *a = rp_vec_push(p->scratch, &p->alphas, sizeof *a);
    if (!a) {
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
      return false;
    }
    gs = HPDF_CreateExtGState(p->pdf);
    if (gs) {
      HPDF_ExtGState_SetAlphaFill(gs, (HPDF_REAL)(fk / 1000.0));
      HPDF_ExtGState_SetAlphaStroke(gs, (HPDF_REAL)(sk / 1000.0));
    }
    if (!gs || !rp_pdf_ok(p, "create a transparency state", src)) {
      p->alphas.len--;
      return false;
    }
    *a = (rp_pdf_alpha){fk, sk, gs};
  }
  HPDF_Page_SetExtGState(p->page, gs);
  p->needs_v14 = true;
  return rp_pdf_ok(p, "set transparency", src);
}

/* ---- compact path operators ------------------------------------------ */

/* Operators gathered for the page's content stream; written in blocks. */
typedef struct ops_buf {
  rp_pdf *p;
  bool tenths; /* numbers to 1/10 rather than 1/100 */
  size_t n;
  char s[4096];
} ops_buf;

static void ops_flush(ops_buf *b) {
  if (b->n == 0) return;
  HPDF_PageAttr attr = (HPDF_PageAttr)b->p->page->attr;
  if (rp_pdf_stream_write(attr->stream, b->s, b->n) != HPDF_OK && !b->p->err_no)
    b->p->err_no = HPDF_GetError(b->p->pdf) ? HPDF_GetError(b->p->pdf) : HPDF_FAILD_TO_ALLOC_MEM;
  b->n = 0;
}

/* Room for one operator with six numbers (each at most 24 bytes). */
static void ops_room(ops_buf *b) {
  if (sizeof b->s - b->n < 6 * 24 + 8) ops_flush(b);
}

/* `v` to 1/100 (or 1/10), trailing zeros dropped, then a space: "12.5 ",
 * "-3 " (rp_pdf_put_fixed). */
static void ops_num(ops_buf *b, double v) {
  char *o = rp_pdf_put_fixed(b->s + b->n, v, b->tenths);
  *o++ = ' ';
  b->n = (size_t)(o - b->s);
}

/* An operator ending the numbers before it: "m" → "m\n". */
static void ops_op(ops_buf *b, const char *op) {
  size_t len = strlen(op);
  memcpy(b->s + b->n, op, len);
  b->s[b->n + len] = '\n';
  b->n += len + 1;
}

static void ops_point(ops_buf *b, double x, double y, const char *op) {
  ops_room(b);
  ops_num(b, x);
  ops_num(b, y);
  ops_op(b, op);
}

static void ops_curve(ops_buf *b, double x1, double y1, double x2, double y2, double x3,
                      double y3) {
  ops_room(b);
  ops_num(b, x1), ops_num(b, y1), ops_num(b, x2), ops_num(b, y2), ops_num(b, x3), ops_num(b, y3);
  ops_op(b, "c");
}

static void rounded_rect(ops_buf *b, double x, double y, double w, double h, double r) {
  if (r > w / 2) r = w / 2;
  if (r > h / 2) r = h / 2;
  if (!(r > 0)) {
    ops_room(b);
    ops_num(b, x), ops_num(b, y), ops_num(b, w), ops_num(b, h);
    ops_op(b, "re");
    return;
  }
  double k = r * KAPPA, x1 = x + w, y1 = y + h;
  ops_point(b, x + r, y, "m");
  ops_point(b, x1 - r, y, "l");
  ops_curve(b, x1 - r + k, y, x1, y + r - k, x1, y + r);
  ops_point(b, x1, y1 - r, "l");
  ops_curve(b, x1, y1 - r + k, x1 - r + k, y1, x1 - r, y1);
  ops_point(b, x + r, y1, "l");
  ops_curve(b, x + r - k, y1, x, y1 - r + k, x, y1 - r);
  ops_point(b, x, y + r, "l");
  ops_curve(b, x, y + r - k, x + r - k, y, x + r, y);
  ops_room(b);
  ops_op(b, "h");
}

/* The ellipse inscribed in the box, as four Béziers from its left end,
 * clockwise (as libharu's HPDF_Page_Ellipse draws it). */
static void ellipse(ops_buf *b, double x, double y, double w, double h) {
  double rx = w / 2, ry = h / 2, cx = x + rx, cy = y + ry, kx = rx * KAPPA, ky = ry * KAPPA;
  ops_point(b, cx - rx, cy, "m");
  ops_curve(b, cx - rx, cy + ky, cx - kx, cy + ry, cx, cy + ry);
  ops_curve(b, cx + kx, cy + ry, cx + rx, cy + ky, cx + rx, cy);
  ops_curve(b, cx + rx, cy - ky, cx + kx, cy - ry, cx, cy - ry);
  ops_curve(b, cx - kx, cy - ry, cx - rx, cy - ky, cx - rx, cy);
}

/* A path written for a libharu call that follows (clip, fill): its
 * graphics mode says a path is open, as HPDF_Page_MoveTo would leave it. */
static void ops_end_open_path(ops_buf *b) {
  ops_flush(b);
  HPDF_PageAttr attr = (HPDF_PageAttr)b->p->page->attr;
  if (attr->gmode == HPDF_GMODE_PAGE_DESCRIPTION) attr->gmode = HPDF_GMODE_PATH_OBJECT;
}

void rp_pdf_path_rounded_rect(rp_pdf *p, double x, double y, double w, double h, double r) {
  ops_buf b = {.p = p};
  rounded_rect(&b, x, y, w, h, r);
  ops_end_open_path(&b);
}

void rp_pdf_path_ellipse(rp_pdf *p, double x, double y, double w, double h) {
  ops_buf b = {.p = p};
  ellipse(&b, x, y, w, h);
  ops_end_open_path(&b);
}

/* Opens a q…Q for one painted path: transparency, colours and line width
 * set before the path starts (libharu refuses them inside it). False when
 * the state could not be set up (the error is recorded; nothing to close). */
static bool begin_paint(rp_pdf *p, const rp_src *src, rp_color fill, rp_color stroke, double lw,
                        bool do_fill, bool do_stroke) {
  HPDF_Page pg = p->page;
  HPDF_Page_GSave(pg);
  if (!rp_pdf_ok(p, "save the graphics state", src)) return false;
  double fa = do_fill ? unit(fill.a) : 1, sa = do_stroke ? unit(stroke.a) : 1;
  if ((fa < 1 || sa < 1) && !rp_pdf_set_alpha(p, fa, sa, src)) {
    HPDF_Page_GRestore(pg);
    rp_pdf_ok(p, "restore the graphics state", src);
    return false;
  }
  if (do_fill) rp_pdf_fill_color(p, fill, src);
  if (do_stroke) {
    rp_pdf_stroke_color(p, stroke, src);
    HPDF_Page_SetLineWidth(pg, (HPDF_REAL)lw);
  }
  return true;
}

/* Paints the path in `b` (begun after begin_paint), writes it and closes
 * the q…Q. */
static void end_paint(ops_buf *b, const rp_src *src, bool do_fill, bool do_stroke, bool even_odd) {
  ops_room(b);
  ops_op(b, do_fill && do_stroke ? (even_odd ? "B*" : "B")
            : do_fill            ? (even_odd ? "f*" : "f")
                                 : "S");
  ops_flush(b);
  rp_pdf_ok(b->p, "draw a shape", src);
  HPDF_Page_GRestore(b->p->page);
  rp_pdf_ok(b->p, "restore the graphics state", src);
}

/* Fills and/or strokes one shape; geometry already validated. */
static void paint(rp_pdf *p, const rp_item *it, rp_color fill, rp_color stroke, double lw) {
  bool do_fill = it->kind != RP_ITEM_LINE && unit(fill.a) > 0;
  bool do_stroke = unit(stroke.a) > 0 && lw > 0;
  if (!do_fill && !do_stroke) return;
  double r[4];
  if (it->kind == RP_ITEM_RECT)
    rp_pdf_bleed_rect(p, it, r);
  else
    r[0] = it->x, r[1] = it->y, r[2] = it->w, r[3] = it->h;
  double x = r[0], y = r[1], w = r[2], h = r[3];
  if (it->kind != RP_ITEM_LINE) { /* normalise boxes given by a far corner */
    if (w < 0) x += w, w = -w;
    if (h < 0) y += h, h = -h;
    if (it->kind == RP_ITEM_ELLIPSE && (w <= 0 || h <= 0)) return;
  }
  if (!begin_paint(p, &it->src, fill, stroke, lw, do_fill, do_stroke)) return;
  ops_buf b = {.p = p};
  switch (it->kind) {
    case RP_ITEM_LINE:
      ops_point(&b, x, rp_pdf_y(p, y), "m");
      ops_point(&b, x + w, rp_pdf_y(p, y + h), "l");
      break;
    case RP_ITEM_ELLIPSE:
      ellipse(&b, x, rp_pdf_y(p, y + h), w, h);
      break;
    default:
      rounded_rect(&b, x, rp_pdf_y(p, y + h), w, h, it->u.shape.radius);
      break;
  }
  end_paint(&b, &it->src, do_fill, do_stroke, false);
}

void rp_pdf_draw_shape(rp_pdf *p, const rp_item *it) {
  double v[6] = {it->x, it->y, it->w, it->h, it->u.shape.stroke_width, it->u.shape.radius};
  if (!rp_pdf_finite(v, 6)) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a shape with invalid numbers");
    return;
  }
  if (it->u.shape.stroke_width < 0 || it->u.shape.stroke_width > HPDF_MAX_LINEWIDTH) {
    rp_pdf_item_error(p, RP_ERR_INPUT, it, "line width %g pt is outside 0-%d pt",
                      it->u.shape.stroke_width, HPDF_MAX_LINEWIDTH);
    return;
  }
  paint(p, it, it->u.shape.fill, it->u.shape.stroke, it->u.shape.stroke_width);
}

/* A chart's place until charts/ draws it: a light frame with its label
 * centred, in the fontset's first face. */
void rp_pdf_draw_chart_slot(rp_pdf *p, const rp_item *it) {
  if (it->u.chart.drawn) return; /* its paths and text follow it: it only frames the figure */
  double v[4] = {it->x, it->y, it->w, it->h};
  if (!rp_pdf_finite(v, 4) || it->w <= 0 || it->h <= 0) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a chart slot with invalid size");
    return;
  }
  rp_item frame = *it;
  frame.kind = RP_ITEM_RECT;
  rp_color fill = {0.96f, 0.96f, 0.96f, 1}, stroke = {0.75f, 0.75f, 0.75f, 1};
  paint(p, &frame, fill, stroke, 0.75);

  const char *label = it->u.chart.label;
  if (!label || !label[0]) label = it->u.chart.kind;
  if (!label || !label[0] || !p->doc->fonts || p->doc->fonts->count == 0) return;
  double size = it->h / 4 < 10 ? it->h / 4 : 10;
  /* A label wider than the slot is set smaller rather than spilling out. */
  const rp_font *font = rp_fontset_get(p->doc->fonts, 0);
  double width = rp_font_width(font, label, strlen(label), size, 0);
  if (width > it->w * 0.9) size *= it->w * 0.9 / width;
  if (size < 4) return;
  rp_color grey = {0.45f, 0.45f, 0.45f, 1};
  rp_pdf_draw_centered(p, 0, size, grey, it->x + it->w / 2,
                       rp_pdf_y(p, it->y + it->h / 2) - size * 0.35, label, &it->src);
}

/* pt: a run of straight segments is thinned to within this of its points
 * (rp_simplify): what writing to 1/10 pt moves a point by already. A curve
 * flattened into hundreds of short segments, as an SVG may hold, needs a
 * fraction of them. */
#define THIN 0.05

/* Writes the run of lines of `it` that starts at op i (from the current
 * point cx, cy, in written units: pt / k), thinned; returns the op after
 * it and moves cx, cy to its end. */
static size_t line_run(ops_buf *b, const rp_item *it, size_t i, double k, double *cx, double *cy) {
  rp_pdf *p = b->p;
  size_t end = i;
  while (end < it->u.path.n_ops && it->u.path.ops[end].op == RP_PATH_LINE) end++;
  size_t n = end - i + 1;
  double *pt = n > 2 ? rp_mem_alloc(2 * n * sizeof *pt) : NULL;
  if (pt) {
    pt[0] = *cx, pt[1] = *cy;
    for (size_t j = i; j < end; j++) {
      pt[2 * (j - i + 1)] = it->u.path.ops[j].x[0] / k;
      pt[2 * (j - i + 1) + 1] = rp_pdf_y(p, it->u.path.ops[j].y[0]) / k;
    }
    if (rp_simplify(pt, &n, THIN / k, false)) {
      for (size_t j = 1; j < n; j++) ops_point(b, pt[2 * j], pt[2 * j + 1], "l");
      *cx = pt[2 * (n - 1)], *cy = pt[2 * (n - 1) + 1];
      rp_mem_free(pt);
      return end;
    }
    rp_mem_free(pt);
  }
  if (n > 2) rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
  for (size_t j = i; j < end; j++) {
    *cx = it->u.path.ops[j].x[0] / k, *cy = rp_pdf_y(p, it->u.path.ops[j].y[0]) / k;
    ops_point(b, *cx, *cy, "l");
  }
  return end;
}

/* A path from charts/: segments replayed in page coordinates (y flipped),
 * then filled (non-zero or even-odd) and/or stroked, dashed if asked. */
void rp_pdf_draw_path(rp_pdf *p, const rp_item *it) {
  rp_color fill = it->u.path.fill, stroke = it->u.path.stroke;
  double lw = it->u.path.stroke_width;
  bool do_fill = unit(fill.a) > 0, do_stroke = unit(stroke.a) > 0 && lw > 0;
  if (!do_fill && !do_stroke) return;
  if (!(lw >= 0 && isfinite(lw)) || !it->u.path.ops) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a path with an invalid stroke");
    return;
  }
  bool has_move = false;
  for (size_t i = 0; i < it->u.path.n_ops; i++) {
    const rp_path_op *o = &it->u.path.ops[i];
    double v[6] = {o->x[0], o->y[0], o->x[1], o->y[1], o->x[2], o->y[2]};
    if (!rp_pdf_finite(v, 6)) {
      rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a path with invalid numbers");
      return;
    }
    has_move |= o->op == RP_PATH_MOVE;
  }
  if (!has_move) return; /* nothing drawable: segments before any move are skipped */
  /* libharu refuses a line width or a dash over 100 units (PDF itself has no
   * such limit): a wider stroke, as an SVG logo scaled up can have, is drawn
   * in user space scaled by k, where it is 100 or less. */
  double on = it->u.path.dash[0], off = it->u.path.dash[1];
  bool dashed = do_stroke && on > 0 && off > 0 && isfinite(on) && isfinite(off);
  double widest = fmax(do_stroke ? lw : 0, dashed ? fmax(on, off) : 0);
  double k = widest > HPDF_MAX_LINEWIDTH ? widest / HPDF_MAX_LINEWIDTH : 1;
  if (!begin_paint(p, &it->src, fill, stroke, lw / k, do_fill, do_stroke)) return;
  HPDF_Page pg = p->page;
  if (k != 1) HPDF_Page_Concat(pg, (HPDF_REAL)k, 0, 0, (HPDF_REAL)k, 0, 0);
  if (dashed) {
    /* whole units, at least one: libharu refuses a dash of 0 */
    HPDF_UINT16 dash[2] = {(HPDF_UINT16)fmax(1, lround(on / k)),
                           (HPDF_UINT16)fmax(1, lround(off / k))};
    HPDF_Page_SetDash(pg, dash, 2, 0);
  }
  ops_buf b = {.p = p, .tenths = true};
  bool open = false, written = false;
  double mx = 0, my = 0; /* a move not yet written (open, !moved) */
  double cx = 0, cy = 0; /* the current point */
  bool moved = false;
  for (size_t i = 0; i < it->u.path.n_ops; i++) {
    const rp_path_op *o = &it->u.path.ops[i];
    double x[3] = {o->x[0] / k, o->x[1] / k, o->x[2] / k};
    double y[3] = {rp_pdf_y(p, o->y[0]) / k, rp_pdf_y(p, o->y[1]) / k, rp_pdf_y(p, o->y[2]) / k};
    if (o->op == RP_PATH_MOVE) {
      mx = cx = x[0], my = cy = y[0], open = true, moved = false;
      continue;
    }
    if (!open) continue;
    if (!moved) ops_point(&b, mx, my, "m"), moved = written = true;
    if (o->op == RP_PATH_LINE) {
      i = line_run(&b, it, i, k, &cx, &cy) - 1;
    } else if (o->op == RP_PATH_CURVE) {
      ops_curve(&b, x[0], y[0], x[1], y[1], x[2], y[2]);
      cx = x[2], cy = y[2];
    } else {
      ops_room(&b), ops_op(&b, "h");
      cx = mx, cy = my;
    }
  }
  if (!written) ops_point(&b, mx, my, "m"); /* a lone point: painted as before */
  end_paint(&b, &it->src, do_fill, do_stroke, it->u.path.even_odd);
}
