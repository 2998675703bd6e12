/* draw — see draw.h. */
#include "charts/draw.h"

#include <math.h>
#include <string.h>

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

double rp_chart_text_width(const rp_chart_out *o, const rp_chart_text *t, const char *s) {
  const rp_font *f = rp_fontset_get(o->fonts, t->font);
  return f && s ? rp_font_width(f, s, strlen(s), t->size, 0) : 0;
}

rp_item *rp_chart_emit_text(rp_chart_out *o, const rp_chart_text *t, const char *s, double x,
                            double y, rp_chart_align align) {
  if (o->failed || !s || !*s) return NULL;
  double w = rp_chart_text_width(o, t, s);
  if (align == RP_CHART_CENTRE) x -= w / 2;
  if (align == RP_CHART_RIGHT) x -= w;
  char *copy = rp_arena_strdup(o->a, s);
  rp_item *it = copy ? add(o, RP_ITEM_TEXT) : NULL;
  if (!it) {
    fail_oom(o);
    return NULL;
  }
  it->x = x, it->y = y, it->w = w, it->h = t->size;
  it->u.text.text = copy;
  it->u.text.font = t->font;
  it->u.text.size = t->size;
  it->u.text.color = t->color;
  return it;
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
