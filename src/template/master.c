/* master — page masters: page size, margins, frames the flow fills, and
 * what is drawn on every page (decorations, running header and footer).
 *
 * A master's own children make its default pages. <first>, <left> and
 * <right> are variants for the first page of a run and for even and odd
 * pages: each starts as a copy of the default and replaces each part it
 * declares (its frames, its decorations, its header, its footer); an empty
 * <header/> or <footer/> removes it. A variant with its own margin but no
 * frame gets one frame filling that margin box.
 *
 * Geometry is in points from the page's top-left corner. Percentages in x and
 * width are of the page width, in y and height of the page height. Texts are
 * patterns evaluated per binding (page variables stay for layout/). */
#include <string.h>

#include "template/def.h"
#include "template/units.h"

typedef struct geom {
  const rp_master_def *m;
  double margin[4]; /* top, right, bottom, left */
} geom;

static const rp_style_def *default_style(rp_layout_def *l, const char *name) {
  const rp_style_def *s = rp_style_find(l, name);
  return s ? s : rp_style_find(l, "body");
}

/* A text decoration's style: its style= (or the default), with align=
 * applied as a copy. */
static const rp_style *text_style(rp_layout_def *l, xmlNode *n, const char *dflt, bool *ok) {
  const rp_style_def *sd = rp_def_style_attr(l, n, "style", ok);
  if (!sd && !xmlHasProp(n, (const xmlChar *)"style")) sd = default_style(l, dflt);
  if (!sd) {
    if (*ok)
      rp_def_error(l, n,
                   "<%s> needs a style: give style=\"…\" or define a style named \"%s\" or "
                   "\"body\"",
                   (const char *)n->name, dflt);
    *ok = false;
    return NULL;
  }
  if (!sd->style) { /* the style failed to resolve: already reported */
    *ok = false;
    return NULL;
  }
  const char *align = rp_def_attr(l, n, "align");
  if (!align) return sd->style;
  rp_style *copy = rp_arena_alloc(l->a, sizeof *copy);
  if (!copy) {
    *ok = rp_def_out_of_memory(l);
    return NULL;
  }
  *copy = *sd->style;
  static const char *const names[] = {"left", "right", "center", "justify"};
  for (int i = 0; i < 4; i++)
    if (strcmp(align, names[i]) == 0) copy->align = (rp_align)i;
  return copy;
}

static rp_src src_of(rp_layout_def *l, const xmlNode *n) {
  return (rp_src){.layout_file = rp_def_file(l, n), .layout_line = (int)xmlGetLineNo(n)};
}

static bool box_paint(rp_layout_def *l, xmlNode *n, rp_boxstyle *b) {
  bool ok = rp_def_color(l, n, "fill", &b->fill);
  ok &= rp_def_color(l, n, "stroke", &b->stroke);
  ok &= rp_def_length(l, n, "stroke-width", RP_NO_PERCENT, &b->stroke_width);
  ok &= rp_def_length(l, n, "radius", RP_NO_PERCENT, &b->radius);
  if (b->stroke.a > 0 && !xmlHasProp(n, (const xmlChar *)"stroke-width")) b->stroke_width = 1;
  return ok;
}

/* Header, footer or <text>: a text box. */
static bool load_text(rp_layout_def *l, xmlNode *n, const geom *g, const char *dflt,
                      rp_decoration *dec, const rp_avt **text) {
  const rp_master_def *m = g->m;
  bool ok = true;
  dec->is_text = true;
  dec->style = text_style(l, n, dflt, &ok);
  dec->src = src_of(l, n);
  double h = dec->style ? dec->style->leading : 12;
  double x = g->margin[3], w = m->width - g->margin[1] - g->margin[3], y;
  if (strcmp((const char *)n->name, "footer") == 0)
    y = m->height - g->margin[2] + (g->margin[2] - h) / 2;
  else
    y = (g->margin[0] - h) / 2;
  ok &= rp_def_length(l, n, "x", m->width, &x);
  ok &= rp_def_length(l, n, "y", m->height, &y);
  if (xmlHasProp(n, (const xmlChar *)"x") && !xmlHasProp(n, (const xmlChar *)"width"))
    w = m->width - g->margin[1] - x;
  ok &= rp_def_length(l, n, "width", m->width, &w);
  ok &= rp_def_length(l, n, "height", m->height, &h);
  dec->x = x;
  dec->y = y;
  dec->w = w;
  dec->h = h;
  xmlChar *content = xmlNodeGetContent(n);
  const char *pattern = content ? (const char *)content : "";
  *text = NULL;
  bool blank = strspn(pattern, " \t\r\n") == strlen(pattern);
  if (!blank) {
    *text = rp_avt_compile(l, n, NULL, pattern, RP_AVT_PAGE, NULL);
    if (!*text) ok = false;
  }
  xmlFree(content);
  return ok;
}

static bool load_shape(rp_layout_def *l, xmlNode *n, const geom *g, rp_decoration *dec) {
  const char *name = (const char *)n->name;
  const rp_master_def *m = g->m;
  dec->shape = strcmp(name, "rounded") == 0  ? RP_SHAPE_ROUNDED
               : strcmp(name, "line") == 0   ? RP_SHAPE_LINE
               : strcmp(name, "circle") == 0 ? RP_SHAPE_CIRCLE
                                             : RP_SHAPE_RECT;
  dec->src = src_of(l, n);
  bool ok = rp_def_length(l, n, "x", m->width, &dec->x);
  ok &= rp_def_length(l, n, "y", m->height, &dec->y);
  ok &= rp_def_length(l, n, "width", m->width, &dec->w);
  ok &= rp_def_length(l, n, "height", m->height, &dec->h);
  ok &= box_paint(l, n, &dec->box);
  if (dec->shape == RP_SHAPE_LINE && dec->box.stroke.a == 0 && ok) {
    rp_def_error(l, n, "<line> needs a stroke colour: add stroke=\"…\"");
    ok = false;
  }
  return ok;
}

static bool load_frame(rp_layout_def *l, xmlNode *n, const geom *g, rp_frame *f) {
  const rp_master_def *m = g->m;
  f->x = g->margin[3];
  f->y = g->margin[0];
  bool ok = rp_def_length(l, n, "x", m->width, &f->x);
  ok &= rp_def_length(l, n, "y", m->height, &f->y);
  f->w = m->width - g->margin[1] - f->x;
  f->h = m->height - g->margin[2] - f->y;
  ok &= rp_def_length(l, n, "width", m->width, &f->w);
  ok &= rp_def_length(l, n, "height", m->height, &f->h);
  f->columns = 1;
  f->gutter = 12;
  ok &= rp_def_int(l, n, "columns", 1, 12, &f->columns);
  ok &= rp_def_length(l, n, "gutter", RP_NO_PERCENT, &f->gutter);
  ok &= rp_def_bool(l, n, "balance", &f->balance);
  if (ok && (f->w <= 0 || f->h <= 0 || f->x < 0 || f->y < 0 || f->x + f->w > m->width + 0.01 ||
             f->y + f->h > m->height + 0.01)) {
    rp_def_error(l, n,
                 "<frame> (%.1fpt, %.1fpt, %.1f × %.1fpt) does not lie on the %.1f × %.1fpt "
                 "page; check its position, size and the margins",
                 f->x, f->y, f->w, f->h, m->width, m->height);
    ok = false;
  }
  if (ok && f->columns > 1 && f->w - (f->columns - 1) * f->gutter <= 0) {
    rp_def_error(l, n, "<frame>: %d columns and their gutters do not fit its width", f->columns);
    ok = false;
  }
  return ok;
}

static bool is_shape(const xmlNode *c) {
  return rp_is_element(c, "rect") || rp_is_element(c, "rounded") || rp_is_element(c, "line") ||
         rp_is_element(c, "circle");
}

/* Loads the page parts of n into v; `base` is what a variant inherits. */
static bool load_variant(rp_layout_def *l, xmlNode *n, const geom *g, const rp_variant_def *base,
                         rp_variant_def *v) {
  bool ok = true;
  size_t n_frames = 0, n_decs = 0;
  bool has_header = false, has_footer = false;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (rp_is_element(c, "frame")) n_frames++;
    if (is_shape(c) || rp_is_element(c, "text")) n_decs++;
    if (rp_is_element(c, "header")) has_header = true;
    if (rp_is_element(c, "footer")) has_footer = true;
  }
  if (base) *v = *base;
  bool own_margin = xmlHasProp(n, (const xmlChar *)"margin");
  if (n_frames > 0 || !base || own_margin) {
    size_t count = n_frames ? n_frames : 1;
    rp_frame *frames = rp_arena_calloc(l->a, count, sizeof *frames);
    if (!frames) return rp_def_out_of_memory(l);
    if (n_frames == 0) {
      frames[0] = (rp_frame){g->margin[3],
                             g->margin[0],
                             g->m->width - g->margin[1] - g->margin[3],
                             g->m->height - g->margin[0] - g->margin[2],
                             1,
                             12,
                             false};
      if (base && base->v.n_frames > 0) {
        frames[0].columns = base->v.frames[0].columns;
        frames[0].gutter = base->v.frames[0].gutter;
        frames[0].balance = base->v.frames[0].balance;
      }
      if (frames[0].w <= 0 || frames[0].h <= 0) {
        rp_def_error(l, n, "the margins leave no room on the page; make them smaller");
        ok = false;
      }
    }
    size_t i = 0;
    for (xmlNode *c = n->children; c; c = c->next)
      if (rp_is_element(c, "frame")) ok &= load_frame(l, c, g, &frames[i++]);
    v->v.frames = frames;
    v->v.n_frames = count;
  }
  if (n_decs > 0) {
    rp_decoration *decs = rp_arena_calloc(l->a, n_decs, sizeof *decs);
    const rp_avt **texts = rp_arena_calloc(l->a, n_decs, sizeof *texts);
    if (!decs || !texts) return rp_def_out_of_memory(l);
    size_t i = 0;
    for (xmlNode *c = n->children; c; c = c->next) {
      if (is_shape(c)) ok &= load_shape(l, c, g, &decs[i++]);
      if (rp_is_element(c, "text")) {
        ok &= load_text(l, c, g, "body", &decs[i], &texts[i]);
        i++;
      }
    }
    v->v.decorations = decs;
    v->v.n_decorations = n_decs;
    v->dec_text = texts;
  } else if (!base) {
    v->v.decorations = NULL;
    v->v.n_decorations = 0;
    v->dec_text = NULL;
  }
  for (xmlNode *c = n->children; c; c = c->next) {
    bool header = rp_is_element(c, "header");
    if (!header && !rp_is_element(c, "footer")) continue;
    rp_decoration *dec = rp_arena_alloc(l->a, sizeof *dec);
    if (!dec) return rp_def_out_of_memory(l);
    const rp_avt *text = NULL;
    ok &= load_text(l, c, g, header ? "header" : "footer", dec, &text);
    if (header) {
      v->v.header = text ? dec : NULL;
      v->header_text = text;
    } else {
      v->v.footer = text ? dec : NULL;
      v->footer_text = text;
    }
  }
  if (!base) {
    if (!has_header) v->v.header = NULL, v->header_text = NULL;
    if (!has_footer) v->v.footer = NULL, v->footer_text = NULL;
  }
  return ok;
}

static bool load_margin(rp_layout_def *l, xmlNode *n, double margin[4]) {
  const char *v = rp_def_attr(l, n, "margin");
  if (!v) return true;
  const char *err = rp_lengths4_parse(v, margin);
  if (err) {
    rp_def_error(l, n, "<%s margin=\"%s\">: %s", (const char *)n->name, v, err);
    return false;
  }
  return true;
}

rp_status rp_master_load(rp_layout_def *l, xmlNode *n) {
  size_t errors = l->d->errors;
  const char *name = rp_def_attr(l, n, "name");
  if (!name) return RP_OK;
  if (rp_master_find(l, name))
    return rp_def_error(l, n, "master \"%s\" is defined twice; remove or rename one", name);
  rp_master_def *m = rp_arena_alloc(l->a, sizeof *m);
  rp_master_def **slot = m ? rp_vec_push(l->a, &l->masters, sizeof *slot) : NULL;
  if (!slot) {
    rp_def_out_of_memory(l);
    return RP_ERR_INTERNAL;
  }
  *slot = m;
  m->name = name;
  m->file = rp_def_file(l, n);
  m->line = (int)xmlGetLineNo(n);
  m->width = l->page_w;
  m->height = l->page_h;
  const char *size = rp_def_attr(l, n, "size");
  if (size) {
    const char *err = rp_page_size_parse(size, &m->width, &m->height);
    if (err) rp_def_error(l, n, "<master size=\"%s\">: %s", size, err);
  }
  if (rp_def_length(l, n, "baseline", RP_NO_PERCENT, &m->baseline) && m->baseline < 0)
    rp_def_error(l, n, "<master baseline=\"…\">: the grid step must be positive");
  geom g = {.m = m, .margin = {56.69, 56.69, 56.69, 56.69}}; /* 20mm */
  load_margin(l, n, g.margin);
  load_variant(l, n, &g, NULL, &m->any);

  struct {
    const char *name;
    rp_variant_def **slot;
  } variants[] = {{"first", &m->first}, {"left", &m->left}, {"right", &m->right}};
  for (xmlNode *c = n->children; c; c = c->next) {
    for (size_t i = 0; i < 3; i++) {
      if (!rp_is_element(c, variants[i].name)) continue;
      rp_variant_def *v = rp_arena_alloc(l->a, sizeof *v);
      if (!v) {
        rp_def_out_of_memory(l);
        return RP_ERR_INTERNAL;
      }
      geom vg = g;
      load_margin(l, c, vg.margin);
      load_variant(l, c, &vg, &m->any, v);
      *variants[i].slot = v;
    }
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}

const rp_master_def *rp_master_find(const rp_layout_def *l, const char *name) {
  for (size_t i = 0; i < l->masters.len; i++) {
    const rp_master_def *m = RP_VEC_AT(l->masters, rp_master_def *, i);
    if (strcmp(m->name, name) == 0) return m;
  }
  return NULL;
}
