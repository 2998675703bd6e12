/* pdf_shape — rectangles (square or rounded corners), lines, ellipses, chart
 * slots, and the ExtGState cache for transparency.
 *
 * Each shape is drawn inside its own q…Q so that colours, line width and
 * alpha never leak into the next item. Colours and graphics state are set
 * before the path starts (libharu refuses them inside an open path). Rounded
 * corners are cubic Béziers with the usual circle constant
 * k = 4(√2 − 1)/3; ellipses use libharu's HPDF_Page_Ellipse. Alpha < 1 uses
 * one ExtGState per (fill, stroke) alpha pair, created once and reused. */
#include <math.h>

#include <string.h>

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

void rp_pdf_path_rounded_rect(rp_pdf *p, double x, double y, double w, double h, double r) {
  HPDF_Page pg = p->page;
  if (r > w / 2) r = w / 2;
  if (r > h / 2) r = h / 2;
  if (!(r > 0)) {
    HPDF_Page_Rectangle(pg, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    return;
  }
  double k = r * KAPPA, x1 = x + w, y1 = y + h;
  HPDF_Page_MoveTo(pg, (HPDF_REAL)(x + r), (HPDF_REAL)y);
  HPDF_Page_LineTo(pg, (HPDF_REAL)(x1 - r), (HPDF_REAL)y);
  HPDF_Page_CurveTo(pg, (HPDF_REAL)(x1 - r + k), (HPDF_REAL)y, (HPDF_REAL)x1,
                    (HPDF_REAL)(y + r - k), (HPDF_REAL)x1, (HPDF_REAL)(y + r));
  HPDF_Page_LineTo(pg, (HPDF_REAL)x1, (HPDF_REAL)(y1 - r));
  HPDF_Page_CurveTo(pg, (HPDF_REAL)x1, (HPDF_REAL)(y1 - r + k), (HPDF_REAL)(x1 - r + k),
                    (HPDF_REAL)y1, (HPDF_REAL)(x1 - r), (HPDF_REAL)y1);
  HPDF_Page_LineTo(pg, (HPDF_REAL)(x + r), (HPDF_REAL)y1);
  HPDF_Page_CurveTo(pg, (HPDF_REAL)(x + r - k), (HPDF_REAL)y1, (HPDF_REAL)x,
                    (HPDF_REAL)(y1 - r + k), (HPDF_REAL)x, (HPDF_REAL)(y1 - r));
  HPDF_Page_LineTo(pg, (HPDF_REAL)x, (HPDF_REAL)(y + r));
  HPDF_Page_CurveTo(pg, (HPDF_REAL)x, (HPDF_REAL)(y + r - k), (HPDF_REAL)(x + r - k), (HPDF_REAL)y,
                    (HPDF_REAL)(x + r), (HPDF_REAL)y);
  HPDF_Page_ClosePath(pg);
}

void rp_pdf_path_ellipse(rp_pdf *p, double x, double y, double w, double h) {
  HPDF_Page_Ellipse(p->page, (HPDF_REAL)(x + w / 2), (HPDF_REAL)(y + h / 2), (HPDF_REAL)(w / 2),
                    (HPDF_REAL)(h / 2));
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

/* Paints the path begun after begin_paint and closes its q…Q. */
static void end_paint(rp_pdf *p, const rp_src *src, bool do_fill, bool do_stroke, bool even_odd) {
  HPDF_Page pg = p->page;
  if (do_fill && do_stroke)
    even_odd ? HPDF_Page_EofillStroke(pg) : HPDF_Page_FillStroke(pg);
  else if (do_fill)
    even_odd ? HPDF_Page_Eofill(pg) : HPDF_Page_Fill(pg);
  else
    HPDF_Page_Stroke(pg);
  rp_pdf_ok(p, "draw a shape", src);
  HPDF_Page_GRestore(pg);
  rp_pdf_ok(p, "restore the graphics state", src);
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
  HPDF_Page pg = p->page;
  switch (it->kind) {
    case RP_ITEM_LINE:
      HPDF_Page_MoveTo(pg, (HPDF_REAL)x, (HPDF_REAL)rp_pdf_y(p, y));
      HPDF_Page_LineTo(pg, (HPDF_REAL)(x + w), (HPDF_REAL)rp_pdf_y(p, y + h));
      break;
    case RP_ITEM_ELLIPSE:
      rp_pdf_path_ellipse(p, x, rp_pdf_y(p, y + h), w, h);
      break;
    default:
      rp_pdf_path_rounded_rect(p, x, rp_pdf_y(p, y + h), w, h, it->u.shape.radius);
      break;
  }
  end_paint(p, &it->src, do_fill, do_stroke, false);
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
  bool open = false;
  for (size_t i = 0; i < it->u.path.n_ops; i++) {
    const rp_path_op *o = &it->u.path.ops[i];
    double x[3] = {o->x[0] / k, o->x[1] / k, o->x[2] / k};
    double y[3] = {rp_pdf_y(p, o->y[0]) / k, rp_pdf_y(p, o->y[1]) / k, rp_pdf_y(p, o->y[2]) / k};
    switch (o->op) {
      case RP_PATH_MOVE:
        HPDF_Page_MoveTo(pg, (HPDF_REAL)x[0], (HPDF_REAL)y[0]);
        open = true;
        break;
      case RP_PATH_LINE:
        if (open) HPDF_Page_LineTo(pg, (HPDF_REAL)x[0], (HPDF_REAL)y[0]);
        break;
      case RP_PATH_CURVE:
        if (open)
          HPDF_Page_CurveTo(pg, (HPDF_REAL)x[0], (HPDF_REAL)y[0], (HPDF_REAL)x[1], (HPDF_REAL)y[1],
                            (HPDF_REAL)x[2], (HPDF_REAL)y[2]);
        break;
      case RP_PATH_CLOSE:
        if (open) HPDF_Page_ClosePath(pg);
        break;
    }
  }
  end_paint(p, &it->src, do_fill, do_stroke, it->u.path.even_odd);
}
