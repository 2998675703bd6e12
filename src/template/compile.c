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
 * Default styles: the template's text is in style "body"; a container with a
 * style= passes it down to what it holds; a heading without style= uses
 * "h<level>" when the brand has it; a quote without style= uses "quote" when
 * the brand has it. Text that ends up with no style is an error. */
#include <string.h>

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
    {"for-each", RP_T_FOR_EACH},
    {"if", RP_T_IF},
    {"group", RP_T_GROUP},
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
      break;
    }
    case RP_T_PARAGRAPH:
      t->style = need_style(l, n, own, sc->dflt, &ok);
      t->children = compile_inline(l, n, sc);
      if (!t->children) t->copy_context = true;
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
    case RP_T_FOR_EACH:
    case RP_T_IF:
      t->children = compile_blocks(l, n, sc);
      break;
    case RP_T_GROUP:
      t->by = expr_attr(l, n, "by", sc->vars, &ok);
      inner.vars = group_vars;
      t->children = compile_blocks(l, n, &inner);
      break;
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

rp_status rp_template_load(rp_layout_def *l, xmlNode *n) {
  size_t errors = l->d->errors;
  const char *name = rp_def_attr(l, n, "name");
  if (!name) return RP_OK;
  if (rp_template_find(l, name))
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
  bool ok = true;
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
    if (strcmp(t->name, name) == 0) return t;
  }
  return NULL;
}
