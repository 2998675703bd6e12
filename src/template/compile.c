/* compile — templates and the sequence, from XML into rp_tnode trees.
 *
 * Every template element is compiled once at load: its attributes parsed,
 * its styles resolved (the effective style, taking the enclosing default into
 * account, so bind never looks a name up), its XPath compiled with the
 * variables in scope ($key and $group inside <group>). A container (item,
 * quote, box) holds either inline content, which becomes one paragraph, or
 * blocks; with neither it copies the text of its context node. A heading or
 * paragraph with no content likewise copies its context node's rich text.
 *
 * Grids hold cards (boxes that never split), stat tiles and images; tables
 * hold <col> widths (parsed here), an optional <header> and rows of cells.
 * An image's literal src (written in the layout, not from the content) is
 * resolved here, so a path leaving the project is refused before binding.
 *
 * Default styles: the template's text is in style "body"; a container with a
 * style= passes it down to what it holds; a heading without style= uses
 * "h<level>" when the brand has it; a quote without style= uses "quote" when
 * the brand has it. Text that ends up with no style is an error. */
#include <stdlib.h>
#include <string.h>

#include "base/path.h"
#include "template/def.h"
#include "template/units.h"

typedef struct scope {
  const rp_style_def *dflt;   /* style for text that names none */
  const rp_style_def *marker; /* list items: the list's marker style */
  const char *const *vars;    /* variables visible here */
} scope;

static const char *const group_vars[] = {"key", "group", NULL};

static const struct {
  const char *name;
  rp_tkind kind;
} elements[] = {
    {"heading", RP_T_HEADING},
    {"paragraph", RP_T_PARAGRAPH},
    {"list", RP_T_LIST},
    {"item", RP_T_ITEM},
    {"quote", RP_T_QUOTE},
    {"box", RP_T_BOX},
    {"shape", RP_T_SHAPE},
    {"spacer", RP_T_SPACER},
    {"chart", RP_T_CHART},
    {"page-break", RP_T_PAGE_BREAK},
    {"column-break", RP_T_COLUMN_BREAK},
    {"grid", RP_T_GRID},
    {"card", RP_T_CARD},
    {"table", RP_T_TABLE},
    {"header", RP_T_HEADER},
    {"row", RP_T_ROW},
    {"cell", RP_T_CELL},
    {"stat", RP_T_STAT},
    {"image", RP_T_IMAGE},
    {"for-each", RP_T_FOR_EACH},
    {"if", RP_T_IF},
    {"group", RP_T_GROUP},
    {"apply", RP_T_APPLY},
    {"span", RP_T_SPAN},
    {"em", RP_T_EM},
    {"strong", RP_T_STRONG},
    {"link", RP_T_LINK},
    {"copy", RP_T_COPY},
};

static bool kind_of(const xmlNode *n, rp_tkind *out) {
  if (n->type != XML_ELEMENT_NODE) return false;
  for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
    if (strcmp((const char *)n->name, elements[i].name) == 0) {
      *out = elements[i].kind;
      return true;
    }
  return false;
}

static bool is_inline_kind(rp_tkind k) { return k >= RP_T_TEXT; }

static bool blank(const xmlChar *s) {
  return !s || strspn((const char *)s, " \t\r\n") == strlen((const char *)s);
}

static rp_tnode *new_node(rp_layout_def *l, const xmlNode *n, rp_tkind kind) {
  rp_tnode *t = rp_arena_alloc(l->a, sizeof *t);
  if (!t) {
    rp_def_out_of_memory(l);
    return NULL;
  }
  t->kind = kind;
  t->file = rp_def_file(l, n);
  t->line = (int)xmlGetLineNo(n);
  t->keep_with_next = -1;
  return t;
}

static const rp_xexpr *expr_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                                 const char *const *vars, bool *ok) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return NULL;
  const rp_xexpr *e = rp_xexpr_compile(l, n, attr, v, vars);
  if (!e) *ok = false;
  return e;
}

static const rp_avt *avt_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                              const char *const *vars, bool *ok) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return NULL;
  const rp_avt *t = rp_avt_compile(l, n, attr, v, RP_AVT_CONTENT, vars);
  if (!t) *ok = false;
  return t;
}

static rp_tnode *compile_blocks(rp_layout_def *l, xmlNode *parent, const scope *sc);
static rp_tnode *compile_block(rp_layout_def *l, xmlNode *n, const scope *sc);
static rp_tnode *compile_inline(rp_layout_def *l, xmlNode *parent, const scope *sc);

/* The effective style of a text-bearing element; reports when there is none. */
static const rp_style_def *need_style(rp_layout_def *l, const xmlNode *n, const rp_style_def *own,
                                      const rp_style_def *fallback, bool *ok) {
  if (own) return own;
  if (fallback) return fallback;
  if (*ok)
    rp_def_error(l, n,
                 "<%s> has no style: give it style=\"…\", or define a style named \"body\" in "
                 "<brand>",
                 (const char *)n->name);
  *ok = false;
  return NULL;
}

static bool box_attrs(rp_layout_def *l, xmlNode *n, rp_boxstyle *b) {
  bool ok = rp_def_color(l, n, "fill", &b->fill);
  ok &= rp_def_color(l, n, "stroke", &b->stroke);
  ok &= rp_def_length(l, n, "stroke-width", RP_NO_PERCENT, &b->stroke_width);
  ok &= rp_def_length(l, n, "radius", RP_NO_PERCENT, &b->radius);
  ok &= rp_def_color(l, n, "rule", &b->rule);
  ok &= rp_def_length(l, n, "rule-width", RP_NO_PERCENT, &b->rule_width);
  if (b->stroke.a > 0 && !xmlHasProp(n, (const xmlChar *)"stroke-width")) b->stroke_width = 1;
  if (b->rule.a > 0 && !xmlHasProp(n, (const xmlChar *)"rule-width")) b->rule_width = 2;
  const char *pad = rp_def_attr(l, n, "padding");
  if (pad) {
    b->padding_set = true;
    const char *err = rp_lengths4_parse(pad, b->padding);
    if (err) {
      rp_def_error(l, n, "<%s padding=\"%s\">: %s", (const char *)n->name, pad, err);
      ok = false;
    }
  }
  return ok;
}

/* Compiles the content of a container: inline (one paragraph), blocks, or
 * nothing (copy the context node). */
static bool container_content(rp_layout_def *l, xmlNode *n, rp_tnode *t, const scope *sc,
                              bool *ok) {
  bool has_inline = false, has_block = false;
  for (xmlNode *c = n->children; c; c = c->next) {
    rp_tkind k;
    if (c->type == XML_TEXT_NODE && !blank(c->content)) has_inline = true;
    if (kind_of(c, &k)) {
      if (is_inline_kind(k))
        has_inline = true;
      else
        has_block = true;
    }
  }
  if (has_inline && has_block) {
    rp_def_error(l, n,
                 "<%s> mixes text with blocks; put the text in a <paragraph>, or hold only "
                 "text",
                 (const char *)n->name);
    *ok = false;
    return false;
  }
  scope inner = *sc;
  inner.dflt = t->style;
  if (has_inline) {
    t->inline_content = true;
    t->children = compile_inline(l, n, &inner);
  } else if (has_block) {
    t->children = compile_blocks(l, n, &inner);
  } else {
    t->copy_context = true;
  }
  return true;
}

const char *rp_marker_pattern(const char *m) {
  if (!m || strcmp(m, "bullet") == 0) return "\xE2\x80\xA2"; /* • */
  if (strcmp(m, "dash") == 0) return "\xE2\x80\x93";         /* – */
  if (strcmp(m, "none") == 0 || !m[0]) return NULL;
  if (strcmp(m, "number") == 0) return "1.";
  return m;
}

static void list_marker(rp_layout_def *l, xmlNode *n, const scope *sc, rp_tnode *t, bool *ok) {
  const char *m = rp_def_attr(l, n, "marker");
  t->marker = rp_marker_pattern(m);
  if (!m) return;
  const rp_avt *a = rp_avt_compile(l, n, "marker", m, RP_AVT_CONTENT, sc->vars);
  if (!a) {
    *ok = false;
    return;
  }
  if (a->constant) {
    t->marker = rp_marker_pattern(a->constant);
    if (!a->constant[0]) {
      rp_def_error(l, n, "<list marker=\"\">: write marker=\"none\" for no marker");
      *ok = false;
    }
  } else {
    t->marker_avt = a;
  }
}

/* ---- part 2: grids, tables, stat tiles, images ------------------------------ */

/* A <col width>: a length (fixed), "N*" or "*" (a share of what is left, by
 * weight N, at most COL_SHARE_MAX so that shares add up to a finite sum), or
 * "auto" (from the content). Absent: auto. */
#define COL_SHARE_MAX 1000
static bool col_width(rp_layout_def *l, xmlNode *n, rp_table_col *out) {
  *out = (rp_table_col){RP_COL_AUTO, 0};
  const char *v = rp_def_attr(l, n, "width");
  if (!v || strcmp(v, "auto") == 0) return true;
  size_t len = strlen(v);
  if (len > 0 && v[len - 1] == '*') {
    char *end;
    double w = len == 1 ? 1 : strtod(v, &end);
    if (len == 1 || (end == v + len - 1 && w > 0 && w <= COL_SHARE_MAX)) {
      *out = (rp_table_col){RP_COL_SHARE, w};
      return true;
    }
  } else if (!rp_length_parse(v, RP_NO_PERCENT, &out->value) && out->value > 0) {
    out->kind = RP_COL_FIXED;
    return true;
  }
  rp_def_error(l, n,
               "<col width=\"%s\">: expected a length (\"30mm\"), a share (\"2*\", \"*\"; at "
               "most %d*) or \"auto\"",
               v, COL_SHARE_MAX);
  return false;
}

/* Cells wider than the table: a cell's span counts columns of <col>. */
static void check_spans(rp_layout_def *l, const rp_tnode *t, size_t n_cols) {
  for (; t; t = t->next) {
    if (t->kind == RP_T_CELL && (size_t)t->span > n_cols)
      rp_diag_error(l->d, RP_ERR_INPUT, t->file, t->line, 0,
                    "<cell span=\"%d\">: the table has %zu columns (<col> elements); span at "
                    "most %zu",
                    t->span, n_cols, n_cols);
    if (t->kind != RP_T_CELL) check_spans(l, t->children, n_cols);
  }
}

/* A <col align>: a keyword, or a pattern evaluated per column when binding. */
static bool col_align(rp_layout_def *l, xmlNode *n, const scope *sc, rp_col_def *out) {
  static const char *const names[] = {"left", "right", "center"};
  const char *v = rp_def_attr(l, n, "align");
  if (!v) return true;
  if (strchr(v, '{')) {
    out->align_avt = rp_avt_compile(l, n, "align", v, RP_AVT_CONTENT, sc->vars);
    return out->align_avt != NULL;
  }
  for (int i = 0; i < 3; i++)
    if (strcmp(v, names[i]) == 0) {
      out->align_set = true;
      out->align = i == 0 ? RP_ALIGN_LEFT : i == 1 ? RP_ALIGN_RIGHT : RP_ALIGN_CENTER;
      return true;
    }
  rp_def_error(l, n,
               "<col align=\"%s\">: expected left, right or center, or a {pattern} giving one", v);
  return false;
}

/* A table: its columns, its header rows, its rows. Columns that come from
 * the content (select, align="{…}") are kept as written for binding. */
static void compile_table(rp_layout_def *l, xmlNode *n, rp_tnode *t, const scope *sc, bool *ok) {
  rp_vec defs = {0};
  bool dynamic = false;
  scope inner = *sc;
  inner.dflt = t->style;
  rp_tnode *head = NULL, **tail = &head;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (rp_is_element(c, "col")) {
      rp_col_def *col = rp_vec_push(l->a, &defs, sizeof *col);
      if (!col) {
        *ok = rp_def_out_of_memory(l);
        return;
      }
      *ok &= col_width(l, c, &col->col);
      *ok &= col_align(l, c, sc, col);
      col->select = expr_attr(l, c, "select", sc->vars, ok);
      col->file = rp_def_file(l, c);
      col->line = (int)xmlGetLineNo(c);
      dynamic |= col->select || col->align_avt;
      continue;
    }
    rp_tnode *k = NULL;
    if (rp_is_element(c, "header")) {
      k = new_node(l, c, RP_T_HEADER);
      if (k) k->children = compile_blocks(l, c, &inner);
    } else if (c->type == XML_ELEMENT_NODE) {
      k = compile_block(l, c, &inner);
    }
    if (!k) continue;
    *tail = k;
    tail = &k->next;
  }
  t->children = head;
  t->col_defs = defs.data;
  t->n_col_defs = defs.len;
  t->cols_dynamic = dynamic;
  if (dynamic) return; /* how many columns there are, binding tells */
  t->n_cols = defs.len;
  t->cols = defs.len ? rp_arena_calloc(l->a, defs.len, sizeof *t->cols) : NULL;
  if (defs.len && !t->cols) {
    *ok = rp_def_out_of_memory(l);
    return;
  }
  for (size_t i = 0; i < defs.len; i++) t->cols[i] = RP_VEC_AT(defs, rp_col_def, i).col;
  if (t->n_cols) check_spans(l, t->children, t->n_cols);
}

/* grid columns=: a whole number, or a pattern ("{$card-columns}") evaluated
 * when binding. */
static void grid_columns(rp_layout_def *l, xmlNode *n, rp_tnode *t, const scope *sc, bool *ok) {
  const char *v = rp_def_attr(l, n, "columns");
  if (v && strchr(v, '{')) {
    t->columns_avt = avt_attr(l, n, "columns", sc->vars, ok);
    return;
  }
  t->columns = 1;
  *ok &= rp_def_int(l, n, "columns", 1, 12, &t->columns);
}

/* focal="x y" (or one number for both): the point of an image, 0–1 from its
 * left and top, that cover keeps in view. */
static bool focal_point(rp_layout_def *l, xmlNode *n, rp_tnode *t) {
  t->focal_x = t->focal_y = 0.5;
  const char *v = rp_def_attr(l, n, "focal");
  if (!v) return true;
  char *end;
  double x = strtod(v, &end), y = x;
  bool good = end != v;
  if (good && *end) {
    const char *q = end;
    y = strtod(q, &end);
    good = end != q && strspn(end, " ") == strlen(end);
  }
  if (good && x >= 0 && x <= 1 && y >= 0 && y <= 1) {
    t->focal_x = x;
    t->focal_y = y;
    return true;
  }
  rp_def_error(l, n,
               "<image focal=\"%s\">: expected one or two numbers from 0 to 1 (\"0.5 0.3\": "
               "across, then down)",
               v);
  return false;
}

static int keyword(const char *v, const char *const *names, int n, int dflt) {
  if (!v) return dflt;
  for (int i = 0; i < n; i++)
    if (strcmp(v, names[i]) == 0) return i;
  return dflt; /* the schema allows only the names */
}

static void compile_image(rp_layout_def *l, xmlNode *n, rp_tnode *t, const scope *sc, bool *ok) {
  static const char *const fits[] = {"contain", "cover", "fill"};
  static const char *const clips[] = {"none", "circle", "rounded"};
  static const char *const bases[] = {"content", "layout"};
  t->fit = (rp_fit)keyword(rp_def_attr(l, n, "fit"), fits, 3, RP_FIT_CONTAIN);
  t->clip = (rp_clip)keyword(rp_def_attr(l, n, "clip"), clips, 3, RP_CLIP_NONE);
  *ok &= focal_point(l, n, t);
  t->src = avt_attr(l, n, "src", sc->vars, ok);
  t->alt = avt_attr(l, n, "alt", sc->vars, ok);
  t->initials = avt_attr(l, n, "initials", sc->vars, ok);
  t->initials_style = rp_def_style_attr(l, n, "initials-style", ok);
  *ok &= rp_def_color(l, n, "placeholder", &t->placeholder);
  *ok &= rp_def_color(l, n, "fill", &t->box.fill);
  *ok &= rp_def_color(l, n, "stroke", &t->box.stroke);
  *ok &= rp_def_length(l, n, "stroke-width", RP_NO_PERCENT, &t->box.stroke_width);
  if (t->box.stroke.a > 0 && !xmlHasProp(n, (const xmlChar *)"stroke-width"))
    t->box.stroke_width = 1;
  t->box.radius = 6;
  *ok &= rp_def_length(l, n, "radius", RP_NO_PERCENT, &t->box.radius);
  *ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
  *ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
  /* A path written in the layout is the layout's; one from the content, the
   * content's — unless base= says otherwise. */
  const char *base = rp_def_attr(l, n, "base");
  bool literal = t->src && t->src->constant;
  t->src_from_layout = base ? keyword(base, bases, 2, 0) == 1 : literal;
  if (!literal || !t->src_from_layout || !t->src->constant[0]) return;
  bool inside;
  const char *dir = rp_path_dir(l->a, t->file);
  t->image_path = dir ? rp_asset_resolve(l->a, dir, t->src->constant, l->root, &inside) : NULL;
  if (!t->image_path) {
    *ok = rp_def_out_of_memory(l);
  } else if (!inside) {
    rp_def_error(l, n,
                 "<image src=\"%s\"> lies outside the layout's project (%s); copy the image "
                 "into the project, e.g. into images/",
                 t->src->constant, l->root);
    *ok = false;
  }
}

/* height= on a heading or paragraph limits its text, which needs a style
 * that may shrink (min-size) to keep to it. */
static void text_height(rp_layout_def *l, xmlNode *n, rp_tnode *t, bool *ok) {
  if (!xmlHasProp(n, (const xmlChar *)"height")) return;
  if (!rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height)) {
    *ok = false;
    return;
  }
  if (t->style && t->style->style && t->style->style->min_size <= 0) {
    rp_def_error(l, n,
                 "<%s height=\"…\"> limits the text only when it may shrink: give style \"%s\" "
                 "a min-size",
                 (const char *)n->name, t->style->name);
    *ok = false;
  }
}

static rp_tnode *compile_block(rp_layout_def *l, xmlNode *n, const scope *sc) {
  rp_tkind kind;
  if (!kind_of(n, &kind)) return NULL;
  rp_tnode *t = new_node(l, n, kind);
  if (!t) return NULL;
  bool ok = true;
  t->select = expr_attr(l, n, "select", sc->vars, &ok);
  t->test = expr_attr(l, n, "test", sc->vars, &ok);
  ok &= rp_def_bool(l, n, "required", &t->required);
  if (xmlHasProp(n, (const xmlChar *)"keep-with-next")) {
    bool k = false;
    ok &= rp_def_bool(l, n, "keep-with-next", &k);
    t->keep_with_next = k;
  }
  ok &= rp_def_bool(l, n, "keep-together", &t->keep_together);
  const rp_style_def *own = rp_def_style_attr(l, n, "style", &ok);
  scope inner = *sc;

  switch (kind) {
    case RP_T_HEADING: {
      t->level = 1;
      ok &= rp_def_int(l, n, "level", 1, 6, &t->level);
      char hname[4] = {'h', (char)('0' + t->level), 0};
      const rp_style_def *h = rp_style_find(l, hname);
      t->style = need_style(l, n, own, h ? h : sc->dflt, &ok);
      t->bookmark = avt_attr(l, n, "bookmark", sc->vars, &ok);
      t->bookmark_level = 2;
      ok &= rp_def_int(l, n, "bookmark-level", 1, 6, &t->bookmark_level);
      t->children = compile_inline(l, n, sc);
      if (!t->children) t->copy_context = true;
      text_height(l, n, t, &ok);
      break;
    }
    case RP_T_PARAGRAPH:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      t->children = compile_inline(l, n, sc);
      if (!t->children) t->copy_context = true;
      text_height(l, n, t, &ok);
      break;
    case RP_T_LIST:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      t->marker_style = rp_def_style_attr(l, n, "marker-style", &ok);
      if (!t->marker_style) t->marker_style = t->style;
      list_marker(l, n, sc, t, &ok);
      t->start = 1;
      ok &= rp_def_int(l, n, "start", -1000000, 1000000, &t->start);
      if (xmlHasProp(n, (const xmlChar *)"indent")) {
        t->has_indent = true;
        ok &= rp_def_length(l, n, "indent", RP_NO_PERCENT, &t->indent);
      }
      inner.dflt = t->style;
      inner.marker = t->marker_style;
      t->children = compile_blocks(l, n, &inner);
      break;
    case RP_T_ITEM:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      t->marker_style = rp_def_style_attr(l, n, "marker-style", &ok);
      if (!t->marker_style) t->marker_style = sc->marker ? sc->marker : t->style;
      if (ok) container_content(l, n, t, sc, &ok);
      break;
    case RP_T_QUOTE: {
      const rp_style_def *q = rp_style_find(l, "quote");
      t->style = need_style(l, n, own, q ? q : sc->dflt, &ok);
      const char *marks = rp_def_attr(l, n, "marks");
      t->marks = !marks || strcmp(marks, "none") == 0 ? RP_MARKS_NONE
                 : strcmp(marks, "single") == 0       ? RP_MARKS_SINGLE
                                                      : RP_MARKS_DOUBLE;
      ok &= box_attrs(l, n, &t->box);
      if (ok) container_content(l, n, t, sc, &ok);
      break;
    }
    case RP_T_BOX:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      ok &= box_attrs(l, n, &t->box);
      ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      if (ok) container_content(l, n, t, sc, &ok);
      break;
    case RP_T_SHAPE: {
      const char *k = rp_def_attr(l, n, "kind");
      t->shape = !k || strcmp(k, "rect") == 0 ? RP_SHAPE_RECT
                 : strcmp(k, "rounded") == 0  ? RP_SHAPE_ROUNDED
                 : strcmp(k, "line") == 0     ? RP_SHAPE_LINE
                                              : RP_SHAPE_CIRCLE;
      ok &= box_attrs(l, n, &t->box);
      ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      if (ok && t->shape == RP_SHAPE_LINE && t->box.stroke.a == 0) {
        rp_def_error(l, n, "<shape kind=\"line\"> needs a stroke colour: add stroke=\"…\"");
        ok = false;
      }
      break;
    }
    case RP_T_SPACER:
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      break;
    case RP_T_CHART:
      t->chart_kind = rp_def_attr(l, n, "kind");
      t->chart_ref = avt_attr(l, n, "ref", sc->vars, &ok);
      t->alt = avt_attr(l, n, "label", sc->vars, &ok);
      ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      break;
    case RP_T_PAGE_BREAK:
    case RP_T_COLUMN_BREAK:
      break;
    case RP_T_GRID:
      t->style = own ? own : sc->dflt;
      grid_columns(l, n, t, sc, &ok);
      t->gap_x = 12;
      ok &= rp_def_length(l, n, "gap", RP_NO_PERCENT, &t->gap_x);
      t->gap_y = t->gap_x;
      ok &= rp_def_length(l, n, "row-gap", RP_NO_PERCENT, &t->gap_y);
      ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
      bool balance = true;
      ok &= rp_def_bool(l, n, "balance", &balance);
      t->fill_rows = !balance;
      inner.dflt = t->style;
      t->children = compile_blocks(l, n, &inner);
      break;
    case RP_T_CARD:
    case RP_T_CELL:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      ok &= box_attrs(l, n, &t->box);
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      t->keep_together = true; /* a card never splits; nor does a cell (its row moves whole) */
      t->span = 1;
      if (kind == RP_T_CELL) ok &= rp_def_int(l, n, "span", 1, 12, &t->span);
      if (ok) container_content(l, n, t, sc, &ok);
      break;
    case RP_T_TABLE:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      ok &= box_attrs(l, n, &t->box); /* padding: every cell's default; fill, stroke: behind */
      t->box.rule = (rp_color){0};
      t->box.rule_width = 0;
      ok &= rp_def_color(l, n, "rule", &t->rule);
      ok &= rp_def_length(l, n, "rule-width", RP_NO_PERCENT, &t->rule_width);
      ok &= rp_def_color(l, n, "zebra", &t->zebra);
      ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
      compile_table(l, n, t, sc, &ok);
      break;
    case RP_T_ROW:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      ok &= rp_def_color(l, n, "fill", &t->box.fill);
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      inner.dflt = t->style;
      t->children = compile_blocks(l, n, &inner);
      break;
    case RP_T_STAT: {
      t->style = own ? own : sc->dflt;
      const rp_style_def *vs = rp_style_find(l, "stat"), *ls = rp_style_find(l, "stat-label");
      t->value_style = rp_def_style_attr(l, n, "value-style", &ok);
      t->label_style = rp_def_style_attr(l, n, "label-style", &ok);
      if (!t->value_style) t->value_style = need_style(l, n, vs, t->style, &ok);
      if (!t->label_style) t->label_style = ls ? ls : t->style;
      t->value = avt_attr(l, n, "value", sc->vars, &ok);
      t->unit = avt_attr(l, n, "unit", sc->vars, &ok);
      t->label = avt_attr(l, n, "label", sc->vars, &ok);
      ok &= box_attrs(l, n, &t->box);
      ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
      ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
      break;
    }
    case RP_T_IMAGE:
      t->style = own ? own : sc->dflt;
      compile_image(l, n, t, sc, &ok);
      break;
    case RP_T_FOR_EACH:
    case RP_T_IF:
      t->children = compile_blocks(l, n, sc);
      break;
    case RP_T_GROUP:
      t->by = expr_attr(l, n, "by", sc->vars, &ok);
      inner.vars = group_vars;
      t->children = compile_blocks(l, n, &inner);
      break;
    case RP_T_APPLY: {
      /* its templates are checked once all are known (load.c) */
      t->mode = rp_def_attr(l, n, "mode");
      rp_tnode **slot = rp_vec_push(l->a, &l->applies, sizeof *slot);
      if (!slot) return rp_def_out_of_memory(l), NULL;
      *slot = t;
      break;
    }
    default:
      break;
  }
  (void)ok; /* every problem is already reported */
  return t;
}

static rp_tnode *compile_blocks(rp_layout_def *l, xmlNode *parent, const scope *sc) {
  rp_tnode *head = NULL, **tail = &head;
  for (xmlNode *c = parent->children; c; c = c->next) {
    rp_tkind k;
    if (c->type == XML_TEXT_NODE && !blank(c->content)) {
      rp_def_error(l, c, "text directly inside <%s>; put it in a <paragraph>",
                   (const char *)parent->name);
      continue;
    }
    if (!kind_of(c, &k)) continue;
    if (is_inline_kind(k)) {
      rp_def_error(l, c, "<%s> is inline; put it in a <paragraph>", (const char *)c->name);
      continue;
    }
    rp_tnode *t = compile_block(l, c, sc);
    if (!t) continue;
    *tail = t;
    tail = &t->next;
  }
  return head;
}

static rp_tnode *compile_inline(rp_layout_def *l, xmlNode *parent, const scope *sc) {
  rp_tnode *head = NULL, **tail = &head;
  bool any = false;
  for (xmlNode *c = parent->children; c; c = c->next) {
    rp_tnode *t = NULL;
    rp_tkind k;
    bool ok = true;
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (!blank(c->content)) any = true;
      t = new_node(l, c->parent, RP_T_TEXT);
      if (t) {
        /* text nodes have no line of their own in every libxml2: use the parent's */
        t->text =
            rp_avt_compile(l, parent, NULL, (const char *)c->content, RP_AVT_CONTENT, sc->vars);
        if (!t->text) t = NULL;
      }
    } else if (kind_of(c, &k)) {
      any = true;
      if (!is_inline_kind(k)) {
        rp_def_error(l, c, "<%s> is a block and cannot stand inside <%s>", (const char *)c->name,
                     (const char *)parent->name);
        continue;
      }
      t = new_node(l, c, k);
      if (!t) continue;
      switch (k) {
        case RP_T_SPAN:
          t->style = rp_def_style_attr(l, c, "style", &ok);
          t->select = expr_attr(l, c, "select", sc->vars, &ok);
          t->test = expr_attr(l, c, "test", sc->vars, &ok);
          t->separator = rp_def_attr(l, c, "separator");
          t->children = compile_inline(l, c, sc);
          break;
        case RP_T_EM:
        case RP_T_STRONG:
          t->children = compile_inline(l, c, sc);
          break;
        case RP_T_LINK:
          t->href = avt_attr(l, c, "href", sc->vars, &ok);
          t->children = compile_inline(l, c, sc);
          break;
        case RP_T_COPY:
          t->select = expr_attr(l, c, "select", sc->vars, &ok);
          break;
        default:
          break;
      }
    }
    if (!t) continue;
    *tail = t;
    tail = &t->next;
  }
  return any ? head : NULL;
}

/* match="p" is a child test (does the candidate have a <p> child?), almost
 * never what is meant: a bare name or *, with or without a predicate. */
static bool child_test(const char *e) {
  e += strspn(e, " \t\r\n");
  size_t n = *e == '*' ? 1 : 0;
  if (!n && ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || *e == '_'))
    n = strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
  if (!n) return false;
  const char *rest = e + n + strspn(e + n, " \t\r\n");
  return !*rest || *rest == '[';
}

rp_status rp_template_load(rp_layout_def *l, xmlNode *n) {
  size_t errors = l->d->errors;
  const char *name = rp_def_attr(l, n, "name");
  const char *match = rp_def_attr(l, n, "match");
  if (!name && !match)
    return rp_def_error(l, n,
                        "<template> needs a name (for a <run template=\"…\">) or a match (for "
                        "<apply> and a <run> without template), or both");
  if (name && rp_template_find(l, name))
    return rp_def_error(l, n, "template \"%s\" is defined twice; remove or rename one", name);
  rp_template_def *t = rp_arena_alloc(l->a, sizeof *t);
  rp_template_def **slot = t ? rp_vec_push(l->a, &l->templates, sizeof *slot) : NULL;
  if (!slot) {
    rp_def_out_of_memory(l);
    return RP_ERR_INTERNAL;
  }
  *slot = t;
  t->name = name;
  t->file = rp_def_file(l, n);
  t->line = (int)xmlGetLineNo(n);
  t->master_name = rp_def_attr(l, n, "master");
  t->mode = rp_def_attr(l, n, "mode");
  bool ok = true;
  t->match = expr_attr(l, n, "match", NULL, &ok);
  if (t->match && child_test(match))
    rp_def_error(l, n,
                 "<template match=\"%s\"> asks whether the node has such a child; match the node "
                 "itself with match=\"self::%s\" (a catch-all: \"self::*\"), or write "
                 "boolean(…) to test for a child",
                 match, match + strspn(match, " \t\r\n"));
  t->bookmark = avt_attr(l, n, "bookmark", NULL, &ok);
  t->section = avt_attr(l, n, "section", NULL, &ok);
  const char *labels = rp_def_attr(l, n, "page-labels");
  if (labels && strcmp(labels, "continue") != 0) t->page_labels = labels;
  scope sc = {.dflt = rp_style_find(l, "body")};
  t->body = compile_blocks(l, n, &sc);
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}

rp_status rp_sequence_load(rp_layout_def *l, xmlNode *n) {
  size_t errors = l->d->errors;
  if (l->has_sequence)
    return rp_def_error(l, n, "a second <sequence>; a layout has one, listing every run");
  l->has_sequence = true;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (!rp_is_element(c, "run")) continue;
    rp_run_def *r = rp_vec_push(l->a, &l->runs, sizeof *r);
    if (!r) {
      rp_def_out_of_memory(l);
      return RP_ERR_INTERNAL;
    }
    bool ok = true;
    r->template_name = rp_def_attr(l, c, "template");
    r->mode = rp_def_attr(l, c, "mode");
    r->master_name = rp_def_attr(l, c, "master");
    r->select = expr_attr(l, c, "select", NULL, &ok);
    r->new_page = true;
    ok &= rp_def_bool(l, c, "new-page", &r->new_page);
    ok &= rp_def_bool(l, c, "required", &r->required);
    r->file = rp_def_file(l, c);
    r->line = (int)xmlGetLineNo(c);
    if (!r->template_name) r->template_name = "";
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}

const rp_template_def *rp_template_find(const rp_layout_def *l, const char *name) {
  for (size_t i = 0; i < l->templates.len; i++) {
    const rp_template_def *t = RP_VEC_AT(l->templates, rp_template_def *, i);
    if (t->name && strcmp(t->name, name) == 0) return t;
  }
  return NULL;
}

bool rp_mode_eq(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

bool rp_template_mode_exists(const rp_layout_def *l, const char *mode) {
  for (size_t i = 0; i < l->templates.len; i++) {
    const rp_template_def *t = RP_VEC_AT(l->templates, rp_template_def *, i);
    if (t->match && rp_mode_eq(t->mode, mode)) return true;
  }
  return false;
}
