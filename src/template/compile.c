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
 * the brand has it. Text that ends up with no style is an error.
 *
 * compile_block reads what every block element has (select, test, required,
 * keep-*, style=) and calls its kind's compile function from the table of
 * kinds (kinds.c); those functions (rp_compile_<kind>) follow it. */
#include <stdlib.h>
#include <string.h>

#include "base/path.h"
#include "template/def.h"
#include "template/units.h"

typedef rp_tscope scope;

static const char *const group_vars[] = {"key", "group", NULL};

/* The element's kind, from the table of kinds (kinds.c). */
static bool kind_of(const xmlNode *n, rp_tkind *out) {
  if (n->type != XML_ELEMENT_NODE) return false;
  const rp_tkind_def *k = rp_tkind_find((const char *)n->name);
  if (!k) return false;
  *out = k->kind;
  return true;
}

static bool is_inline_kind(rp_tkind k) { return rp_tkinds[k].is_inline; }

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

const rp_xexpr *rp_def_expr_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                                 const char *const *vars, bool *ok) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return NULL;
  const rp_xexpr *e = rp_xexpr_compile(l, n, attr, v, vars);
  if (!e) *ok = false;
  return e;
}

const rp_avt *rp_def_avt_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                              const char *const *vars, bool *ok) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return NULL;
  const rp_avt *t = rp_avt_compile(l, n, attr, v, RP_AVT_CONTENT, vars);
  if (!t) *ok = false;
  return t;
}

/* A length attribute, or a pattern giving one (width="{$photo-width}"),
 * evaluated per context node when bound. */
static bool dim_attr(rp_layout_def *l, const xmlNode *n, const char *attr, double *out,
                     const rp_avt **avt, const char *const *vars) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v || !strchr(v, '{')) return rp_def_length(l, n, attr, RP_NO_PERCENT, out);
  *avt = rp_avt_compile(l, n, attr, v, RP_AVT_CONTENT, vars);
  return *avt != NULL;
}
#define WIDTH(t) dim_attr(l, n, "width", &(t)->width, &(t)->width_avt, sc->vars)
#define HEIGHT(t) dim_attr(l, n, "height", &(t)->height, &(t)->height_avt, sc->vars)

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
  t->u.list.marker = rp_marker_pattern(m);
  if (!m) return;
  const rp_avt *a = rp_avt_compile(l, n, "marker", m, RP_AVT_CONTENT, sc->vars);
  if (!a) {
    *ok = false;
    return;
  }
  if (a->constant) {
    t->u.list.marker = rp_marker_pattern(a->constant);
    if (!a->constant[0]) {
      rp_def_error(l, n, "<list marker=\"\">: write marker=\"none\" for no marker");
      *ok = false;
    }
  } else {
    t->u.list.marker_avt = a;
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
    if (t->kind == RP_T_CELL && (size_t)t->u.cell.span > n_cols)
      rp_diag_error(l->d, RP_ERR_INPUT, t->file, t->line, 0,
                    "<cell span=\"%d\">: the table has %zu columns (<col> elements); span at "
                    "most %zu",
                    t->u.cell.span, n_cols, n_cols);
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
      col->select = rp_def_expr_attr(l, c, "select", sc->vars, ok);
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
  t->u.table.col_defs = defs.data;
  t->u.table.n_col_defs = defs.len;
  t->u.table.cols_dynamic = dynamic;
  if (dynamic) return; /* how many columns there are, binding tells */
  t->u.table.n_cols = defs.len;
  t->u.table.cols = defs.len ? rp_arena_calloc(l->a, defs.len, sizeof *t->u.table.cols) : NULL;
  if (defs.len && !t->u.table.cols) {
    *ok = rp_def_out_of_memory(l);
    return;
  }
  for (size_t i = 0; i < defs.len; i++) t->u.table.cols[i] = RP_VEC_AT(defs, rp_col_def, i).col;
  if (t->u.table.n_cols) check_spans(l, t->children, t->u.table.n_cols);
}

/* grid columns=: a whole number, or a pattern ("{$card-columns}") evaluated
 * when binding. */
static void grid_columns(rp_layout_def *l, xmlNode *n, rp_tnode *t, const scope *sc, bool *ok) {
  const char *v = rp_def_attr(l, n, "columns");
  if (v && strchr(v, '{')) {
    t->u.grid.columns_avt = rp_def_avt_attr(l, n, "columns", sc->vars, ok);
    return;
  }
  t->u.grid.columns = 1;
  *ok &= rp_def_int(l, n, "columns", 1, 12, &t->u.grid.columns);
}

/* focal="x y" (or one number for both): the point of an image, 0–1 from its
 * left and top, that cover keeps in view. */
static bool focal_point(rp_layout_def *l, xmlNode *n, rp_tnode *t) {
  t->u.image.focal_x = t->u.image.focal_y = 0.5;
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
    t->u.image.focal_x = x;
    t->u.image.focal_y = y;
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
  t->u.image.fit = (rp_fit)keyword(rp_def_attr(l, n, "fit"), fits, 3, RP_FIT_CONTAIN);
  t->u.image.clip = (rp_clip)keyword(rp_def_attr(l, n, "clip"), clips, 3, RP_CLIP_NONE);
  *ok &= focal_point(l, n, t);
  t->u.image.src = rp_def_avt_attr(l, n, "src", sc->vars, ok);
  t->alt = rp_def_avt_attr(l, n, "alt", sc->vars, ok);
  t->u.image.initials = rp_def_avt_attr(l, n, "initials", sc->vars, ok);
  t->u.image.initials_style = rp_def_style_attr(l, n, "initials-style", ok);
  *ok &= rp_def_color(l, n, "placeholder", &t->u.image.placeholder);
  static const char *const missing[] = {"placeholder", "omit"};
  t->u.image.omit_missing = keyword(rp_def_attr(l, n, "missing"), missing, 2, 0) == 1;
  *ok &= rp_def_color(l, n, "fill", &t->box.fill);
  *ok &= rp_def_color(l, n, "stroke", &t->box.stroke);
  *ok &= rp_def_length(l, n, "stroke-width", RP_NO_PERCENT, &t->box.stroke_width);
  if (t->box.stroke.a > 0 && !xmlHasProp(n, (const xmlChar *)"stroke-width"))
    t->box.stroke_width = 1;
  t->box.radius = 6;
  *ok &= rp_def_length(l, n, "radius", RP_NO_PERCENT, &t->box.radius);
  *ok &= WIDTH(t);
  *ok &= HEIGHT(t);
  /* A path written in the layout is the layout's; one from the content, the
   * content's — unless base= says otherwise. */
  const char *base = rp_def_attr(l, n, "base");
  bool literal = t->u.image.src && t->u.image.src->constant;
  t->u.image.src_from_layout = base ? keyword(base, bases, 2, 0) == 1 : literal;
  if (!literal || !t->u.image.src_from_layout || !t->u.image.src->constant[0]) return;
  bool inside;
  const char *dir = rp_path_dir(l->a, t->file);
  t->u.image.path =
      dir ? rp_asset_resolve(l->a, dir, t->u.image.src->constant, l->root, &inside) : NULL;
  if (!t->u.image.path) {
    *ok = rp_def_out_of_memory(l);
  } else if (!inside) {
    rp_def_error(l, n,
                 "<image src=\"%s\"> lies outside the layout's project (%s); copy the image "
                 "into the project, e.g. into images/",
                 t->u.image.src->constant, l->root);
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

/* tag="…": the structure a block is given in tagged PDF instead of its own
 * (a styled paragraph that is a heading or a caption), or "artifact" for
 * decoration that repeats what the text says (a pull quote). */
static bool tag_attr(rp_layout_def *l, xmlNode *n, rp_role *out) {
  static const rp_role allowed[] = {RP_ROLE_ARTIFACT, RP_ROLE_P,    RP_ROLE_H1, RP_ROLE_H2,
                                    RP_ROLE_H3,       RP_ROLE_H4,   RP_ROLE_H5, RP_ROLE_H6,
                                    RP_ROLE_CAPTION,  RP_ROLE_QUOTE};
  *out = RP_ROLE_NONE;
  const char *v = rp_def_attr(l, n, "tag");
  if (!v) return true;
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (strcmp(v, rp_role_name(allowed[i])) == 0) {
      *out = allowed[i];
      return true;
    }
  rp_def_error(l, n,
               "<%s tag=\"%s\">: a block is tagged artifact, P, H1 to H6, Caption or "
               "BlockQuote",
               (const char *)n->name, v);
  return false;
}

static rp_tnode *compile_block(rp_layout_def *l, xmlNode *n, const scope *sc) {
  rp_tkind kind;
  if (!kind_of(n, &kind)) return NULL;
  rp_tnode *t = new_node(l, n, kind);
  if (!t) return NULL;
  bool ok = true;
  t->select = rp_def_expr_attr(l, n, "select", sc->vars, &ok);
  t->test = rp_def_expr_attr(l, n, "test", sc->vars, &ok);
  ok &= rp_def_bool(l, n, "required", &t->required);
  if (xmlHasProp(n, (const xmlChar *)"keep-with-next")) {
    bool k = false;
    ok &= rp_def_bool(l, n, "keep-with-next", &k);
    t->keep_with_next = k;
  }
  ok &= rp_def_bool(l, n, "keep-together", &t->keep_together);
  ok &= tag_attr(l, n, &t->tag);
  t->anchor = rp_def_avt_attr(l, n, "anchor", sc->vars, &ok);
  const char *brk = rp_def_attr(l, n, "break-before"); /* the schema allows page, column */
  if (brk) t->break_before = strcmp(brk, "column") == 0 ? RP_T_COLUMN_BREAK : RP_T_PAGE_BREAK;
  if (brk && (kind == RP_T_CARD || kind == RP_T_ROW || kind == RP_T_CELL || kind == RP_T_ITEM)) {
    rp_def_error(l, n,
                 "<%s break-before>: cards, rows, cells and items are never split from their "
                 "grid, table or list; put break-before on the block that holds them",
                 (const char *)n->name);
    ok = false;
  }
  const rp_style_def *own = NULL;
  const char *sv = rp_def_attr(l, n, "style");
  if (sv && strchr(sv, '{')) /* a pattern: the style is chosen per context node */
    t->style_avt = rp_def_avt_attr(l, n, "style", sc->vars, &ok);
  else
    own = rp_def_style_attr(l, n, "style", &ok);
  /* the kind's own attributes and content; inline kinds compile only inside
   * text (compile_inline): here they stay empty */
  const rp_tkind_def *k = &rp_tkinds[kind];
  if (k->compile && !k->is_inline && !k->compile(l, n, t, own, sc, &ok)) return NULL;
  t->style_inherited = !own && !t->style_avt && t->style && t->style == sc->dflt;
  return t; /* every problem is already reported */
}

/* ---- the compile functions of the table of kinds (kinds.c) ------------------ */

bool rp_compile_heading(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                        const rp_tscope *sc, bool *ok) {
  t->u.heading.level = 1;
  *ok &= rp_def_int(l, n, "level", 1, 6, &t->u.heading.level);
  char hname[4] = {'h', (char)('0' + t->u.heading.level), 0};
  const rp_style_def *h = rp_style_find(l, hname);
  t->style = need_style(l, n, own, h ? h : sc->dflt, ok);
  t->u.heading.bookmark = rp_def_avt_attr(l, n, "bookmark", sc->vars, ok);
  t->u.heading.bookmark_level = 2;
  *ok &= rp_def_int(l, n, "bookmark-level", 1, 6, &t->u.heading.bookmark_level);
  t->children = compile_inline(l, n, sc);
  if (!t->children) t->copy_context = true;
  text_height(l, n, t, ok);
  return true;
}

bool rp_compile_paragraph(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                          const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  t->children = compile_inline(l, n, sc);
  if (!t->children) t->copy_context = true;
  text_height(l, n, t, ok);
  return true;
}

bool rp_compile_list(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  t->u.list.marker_style = rp_def_style_attr(l, n, "marker-style", ok);
  if (!t->u.list.marker_style) t->u.list.marker_style = t->style;
  list_marker(l, n, sc, t, ok);
  t->u.list.start = 1;
  *ok &= rp_def_int(l, n, "start", -1000000, 1000000, &t->u.list.start);
  if (xmlHasProp(n, (const xmlChar *)"indent")) {
    t->u.list.has_indent = true;
    *ok &= rp_def_length(l, n, "indent", RP_NO_PERCENT, &t->u.list.indent);
  }
  scope inner = *sc;
  inner.dflt = t->style;
  inner.marker = t->u.list.marker_style;
  t->children = compile_blocks(l, n, &inner);
  return true;
}

bool rp_compile_item(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  t->u.item.marker_style = rp_def_style_attr(l, n, "marker-style", ok);
  if (!t->u.item.marker_style) t->u.item.marker_style = sc->marker ? sc->marker : t->style;
  if (*ok) container_content(l, n, t, sc, ok);
  return true;
}

bool rp_compile_quote(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  const rp_style_def *q = rp_style_find(l, "quote");
  t->style = need_style(l, n, own, q ? q : sc->dflt, ok);
  const char *marks = rp_def_attr(l, n, "marks");
  t->u.quote.marks = !marks || strcmp(marks, "none") == 0 ? RP_MARKS_NONE
                     : strcmp(marks, "single") == 0       ? RP_MARKS_SINGLE
                                                          : RP_MARKS_DOUBLE;
  *ok &= box_attrs(l, n, &t->box);
  if (*ok) container_content(l, n, t, sc, ok);
  return true;
}

bool rp_compile_box(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                    const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  *ok &= box_attrs(l, n, &t->box);
  *ok &= WIDTH(t);
  *ok &= HEIGHT(t);
  if (*ok) container_content(l, n, t, sc, ok);
  return true;
}

bool rp_compile_shape(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  (void)own, (void)sc;
  const char *k = rp_def_attr(l, n, "kind");
  t->u.shape.kind = !k || strcmp(k, "rect") == 0 ? RP_SHAPE_RECT
                    : strcmp(k, "rounded") == 0  ? RP_SHAPE_ROUNDED
                    : strcmp(k, "line") == 0     ? RP_SHAPE_LINE
                                                 : RP_SHAPE_CIRCLE;
  *ok &= box_attrs(l, n, &t->box);
  *ok &= WIDTH(t);
  *ok &= HEIGHT(t);
  if (*ok && t->u.shape.kind == RP_SHAPE_LINE && t->box.stroke.a == 0) {
    rp_def_error(l, n, "<shape kind=\"line\"> needs a stroke colour: add stroke=\"…\"");
    *ok = false;
  }
  return true;
}

bool rp_compile_spacer(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                       const rp_tscope *sc, bool *ok) {
  (void)own, (void)sc;
  *ok &= HEIGHT(t);
  return true;
}

bool rp_compile_grid(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  t->style = own ? own : sc->dflt;
  grid_columns(l, n, t, sc, ok);
  t->u.grid.gap_x = 12;
  *ok &= rp_def_length(l, n, "gap", RP_NO_PERCENT, &t->u.grid.gap_x);
  t->u.grid.gap_y = t->u.grid.gap_x;
  *ok &= rp_def_length(l, n, "row-gap", RP_NO_PERCENT, &t->u.grid.gap_y);
  *ok &= WIDTH(t);
  bool balance = true;
  *ok &= rp_def_bool(l, n, "balance", &balance);
  t->u.grid.fill_rows = !balance;
  scope inner = *sc;
  inner.dflt = t->style;
  t->children = compile_blocks(l, n, &inner);
  return true;
}

/* <columns count gap balance>: a box whose content flows in columns. */
bool rp_compile_columns(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                        const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  t->u.columns.count = 2;
  *ok &= rp_def_int(l, n, "count", 1, 12, &t->u.columns.count);
  t->u.columns.gap = 12;
  *ok &= rp_def_length(l, n, "gap", RP_NO_PERCENT, &t->u.columns.gap);
  t->u.columns.balance = true;
  *ok &= rp_def_bool(l, n, "balance", &t->u.columns.balance);
  *ok &= WIDTH(t);
  if (*ok) container_content(l, n, t, sc, ok);
  return true;
}

/* A card or a cell: a box that never splits (a cell's row moves whole). */
static void boxed(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                  const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  *ok &= box_attrs(l, n, &t->box);
  *ok &= HEIGHT(t);
  t->keep_together = true;
}

bool rp_compile_card(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  boxed(l, n, t, own, sc, ok);
  if (*ok) container_content(l, n, t, sc, ok);
  return true;
}

bool rp_compile_cell(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  boxed(l, n, t, own, sc, ok);
  t->u.cell.span = 1;
  *ok &= rp_def_int(l, n, "span", 1, 12, &t->u.cell.span);
  t->u.cell.leader = rp_def_attr(l, n, "leader");
  if (t->u.cell.leader && (!t->u.cell.leader[0] || strlen(t->u.cell.leader) > 8)) {
    rp_def_error(l, n, "<cell leader=\"%s\">: a leader is one to eight characters, e.g. \".\"",
                 t->u.cell.leader);
    *ok = false;
  }
  if (*ok) container_content(l, n, t, sc, ok);
  return true;
}

bool rp_compile_table(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  *ok &= box_attrs(l, n, &t->box); /* padding: every cell's default; fill, stroke: behind */
  t->box.rule = (rp_color){0};
  t->box.rule_width = 0;
  *ok &= rp_def_color(l, n, "rule", &t->u.table.rule);
  *ok &= rp_def_length(l, n, "rule-width", RP_NO_PERCENT, &t->u.table.rule_width);
  *ok &= rp_def_color(l, n, "zebra", &t->u.table.zebra);
  *ok &= WIDTH(t);
  compile_table(l, n, t, sc, ok);
  return true;
}

bool rp_compile_row(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                    const rp_tscope *sc, bool *ok) {
  t->style = need_style(l, n, own, sc->dflt, ok);
  *ok &= rp_def_color(l, n, "fill", &t->box.fill);
  *ok &= HEIGHT(t);
  scope inner = *sc;
  inner.dflt = t->style;
  t->children = compile_blocks(l, n, &inner);
  return true;
}

bool rp_compile_stat(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  t->style = own ? own : sc->dflt;
  const rp_style_def *vs = rp_style_find(l, "stat"), *ls = rp_style_find(l, "stat-label");
  t->u.stat.value_style = rp_def_style_attr(l, n, "value-style", ok);
  t->u.stat.label_style = rp_def_style_attr(l, n, "label-style", ok);
  if (!t->u.stat.value_style) t->u.stat.value_style = need_style(l, n, vs, t->style, ok);
  if (!t->u.stat.label_style) t->u.stat.label_style = ls ? ls : t->style;
  t->u.stat.value = rp_def_avt_attr(l, n, "value", sc->vars, ok);
  t->u.stat.unit = rp_def_avt_attr(l, n, "unit", sc->vars, ok);
  t->u.stat.label = rp_def_avt_attr(l, n, "label", sc->vars, ok);
  *ok &= box_attrs(l, n, &t->box);
  *ok &= WIDTH(t);
  *ok &= HEIGHT(t);
  return true;
}

bool rp_compile_image(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  t->style = own ? own : sc->dflt;
  compile_image(l, n, t, sc, ok);
  return true;
}

/* for-each, if: blocks, in the same scope */
bool rp_compile_children(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                         const rp_tscope *sc, bool *ok) {
  (void)own, (void)ok;
  t->children = compile_blocks(l, n, sc);
  return true;
}

bool rp_compile_group(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  (void)own;
  t->u.group.by = rp_def_expr_attr(l, n, "by", sc->vars, ok);
  scope inner = *sc;
  inner.vars = group_vars;
  t->children = compile_blocks(l, n, &inner);
  return true;
}

/* Its templates are checked once all are known (load.c). */
bool rp_compile_apply(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  (void)own, (void)sc;
  t->u.apply.mode = rp_def_attr(l, n, "mode");
  *ok &= rp_def_int(l, n, "level-offset", 0, 5, &t->u.apply.level_offset);
  rp_tnode **slot = rp_vec_push(l->a, &l->applies, sizeof *slot);
  if (!slot) return rp_def_out_of_memory(l);
  *slot = t;
  return true;
}

/* Inline kinds (compile_inline): no `own` style; <span style> is a character style. */
bool rp_compile_span(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  (void)own;
  t->style = rp_def_style_attr(l, n, "style", ok);
  t->select = rp_def_expr_attr(l, n, "select", sc->vars, ok);
  t->test = rp_def_expr_attr(l, n, "test", sc->vars, ok);
  t->u.span.separator = rp_def_attr(l, n, "separator");
  t->children = compile_inline(l, n, sc);
  return true;
}

/* em, strong: their text */
bool rp_compile_inline_children(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                                const rp_tscope *sc, bool *ok) {
  (void)own, (void)ok;
  t->children = compile_inline(l, n, sc);
  return true;
}

bool rp_compile_link(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  (void)own; /* inline elements get no common attributes: read style= here */
  /* a character style instead of "link" (a contents page's entries) */
  t->style = xmlHasProp(n, (const xmlChar *)"style") ? rp_def_style_attr(l, n, "style", ok) : NULL;
  t->u.link.href = rp_def_avt_attr(l, n, "href", sc->vars, ok);
  t->children = compile_inline(l, n, sc);
  return true;
}

bool rp_compile_copy(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                     const rp_tscope *sc, bool *ok) {
  (void)own;
  t->select = rp_def_expr_attr(l, n, "select", sc->vars, ok);
  return true;
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
        t->u.text.text =
            rp_avt_compile(l, parent, NULL, (const char *)c->content, RP_AVT_CONTENT, sc->vars);
        if (!t->u.text.text) t = NULL;
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
      if (rp_tkinds[k].compile) rp_tkinds[k].compile(l, c, t, NULL, sc, &ok);
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
  t->match = rp_def_expr_attr(l, n, "match", NULL, &ok);
  if (t->match && child_test(match))
    rp_def_error(l, n,
                 "<template match=\"%s\"> asks whether the node has such a child; match the node "
                 "itself with match=\"self::%s\" (a catch-all: \"self::*\"), or write "
                 "boolean(…) to test for a child",
                 match, match + strspn(match, " \t\r\n"));
  t->bookmark = rp_def_avt_attr(l, n, "bookmark", NULL, &ok);
  t->section = rp_def_avt_attr(l, n, "section", NULL, &ok);
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
    r->select = rp_def_expr_attr(l, c, "select", NULL, &ok);
    r->new_page = true;
    ok &= rp_def_bool(l, c, "new-page", &r->new_page);
    ok &= rp_def_bool(l, c, "required", &r->required);
    ok &= rp_def_bool(l, c, "item", &r->item);
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
