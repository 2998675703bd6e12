/* chart — the <chart> element: compiled at load, bound to the content into
 * the rp_chart (bound/chart.h) that charts/ draws.
 *
 * A chart's data comes from its children, each evaluated against the chart's
 * context node:
 *   <data>   categories: one per selected node (document order), one per
 *            token of each="{…}" in that order ($id bound: a chain's
 *            figures), one per distinct group-by key in order of first
 *            appearance ($key, $group bound, as in <group>), or one for the
 *            context itself; label, value, display per category;
 *   <series> a named series of <data>: categories are the union of the
 *            series' labels in order of first appearance;
 *   <event>  timeline items; <point> map markers; <key> legend entries.
 * A delta reads value, display, compared and better on the chart itself.
 *
 * Values are read as people write them ("£12,500", "(1,200)", "−3.2",
 * "7.4m") by rp_model_parse_number, whatever the locale; an empty value or a
 * dash is no value (NaN: a gap), anything else that is not a finite number
 * is an error naming the layout line and the content line. A chart whose
 * data selects nothing is left out with a warning (an error when
 * required="true"). */
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/path.h"
#include "model/model.h"
#include "template/def.h"
#include "template/units.h"

/* Indexed by rp_chart_kind. */
static const char *const kind_names[] = {"bar",  "hbar",     "line",  "pie", "donut",
                                         "flow", "timeline", "delta", "map"};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

/* ---- compile ----------------------------------------------------------------- */

/* The variables of the chart's scope and $key, $group, $id. */
static const char *const *data_vars(rp_layout_def *l, const char *const *outer) {
  static const char *const own[] = {"key", "group", "id"};
  size_t n = 0;
  while (outer && outer[n]) n++;
  const char **v = rp_arena_calloc(l->a, n + 4, sizeof *v);
  if (!v) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) v[k++] = outer[i];
  for (size_t i = 0; i < 3; i++) {
    bool have = false;
    for (size_t j = 0; j < n; j++) have |= strcmp(outer[j], own[i]) == 0;
    if (!have) v[k++] = own[i];
  }
  return v;
}

/* A colour written as text: a brand colour's name or a literal. */
static bool color_text(const rp_layout_def *l, const char *v, rp_color *out) {
  return rp_brand_color(l, v, out) || rp_color_parse(v, out) == NULL;
}

static bool palette_attr(rp_layout_def *l, xmlNode *n, rp_tnode *t) {
  const char *v = rp_def_attr(l, n, "palette");
  if (!v) return true;
  size_t cap = strlen(v) / 2 + 1, k = 0;
  rp_color *p = rp_arena_calloc(l->a, cap, sizeof *p);
  char *copy = rp_arena_strdup(l->a, v);
  if (!p || !copy) return rp_def_out_of_memory(l);
  for (char *save = NULL, *tok = strtok_r(copy, " \t\r\n", &save); tok;
       tok = strtok_r(NULL, " \t\r\n", &save)) {
    if (!color_text(l, tok, &p[k])) {
      rp_def_error(l, n,
                   "<chart palette>: unknown colour \"%s\"; name a colour of <brand> or write "
                   "#rrggbb",
                   tok);
      return false;
    }
    k++;
  }
  t->u.chart.palette = k ? p : NULL;
  t->u.chart.n_palette = k;
  return true;
}

/* axis="…", grid="…": a colour, or "none". */
static bool line_color(rp_layout_def *l, xmlNode *n, const char *attr, rp_color *out) {
  const char *v = rp_def_attr(l, n, attr);
  if (v && strcmp(v, "none") == 0) {
    *out = (rp_color){0, 0, 0, 0};
    return true;
  }
  return rp_def_color(l, n, attr, out);
}

static const rp_style_def *text_style(rp_layout_def *l, xmlNode *n, const char *attr,
                                      const char *const *dflt, const rp_style_def *fallback,
                                      bool *ok) {
  const rp_style_def *s = rp_def_style_attr(l, n, attr, ok);
  for (size_t i = 0; !s && dflt[i]; i++) s = rp_style_find(l, dflt[i]);
  if (!s) s = fallback;
  if (!s) {
    rp_def_error(l, n, "<chart>: its text has no style; add %s=\"…\" or a style \"%s\" to <brand>",
                 attr, dflt[0]);
    *ok = false;
  }
  return s;
}

static bool outline_attr(rp_layout_def *l, xmlNode *n, rp_tnode *t) {
  const char *v = rp_def_attr(l, n, "outline");
  if (!v) return true;
  const char *dir = rp_path_dir(l->a, t->file);
  bool inside = false;
  const char *path = dir ? rp_asset_resolve(l->a, dir, v, l->root, &inside) : NULL;
  if (!path) return rp_def_out_of_memory(l);
  if (!inside) {
    rp_def_error(l, n,
                 "<chart outline=\"%s\"> lies outside the layout's project (%s); keep the map "
                 "outline inside it (the path is relative to the layout file)",
                 v, l->root ? l->root : "?");
    return false;
  }
  t->u.chart.outline = path;
  if (t->u.chart.kind != RP_CHART_MAP) return true;
  for (size_t i = 0; i < l->outlines.len; i++)
    if (strcmp(RP_VEC_AT(l->outlines, const char *, i), path) == 0) return true;
  const char **slot = rp_vec_push(l->a, &l->outlines, sizeof *slot);
  if (!slot) return rp_def_out_of_memory(l);
  *slot = path;
  return true;
}

const char *const *rp_layout_def_outlines(const rp_layout_def *l, size_t *n) {
  *n = l->outlines.len;
  return l->outlines.data;
}

static bool inset_attr(rp_layout_def *l, xmlNode *n, rp_tnode *t) {
  const char *v = rp_def_attr(l, n, "inset");
  if (!v) return true;
  double q[4];
  const char *p = v;
  for (int i = 0; i < 4; i++) {
    char *end;
    q[i] = strtod(p, &end);
    if (end == p || !isfinite(q[i])) goto bad;
    p = end;
  }
  while (*p == ' ') p++;
  if (*p || q[0] < -90 || q[0] > 90 || q[2] < -90 || q[2] > 90 || q[0] == q[2] || q[1] == q[3])
    goto bad;
  t->u.chart.has_inset = true;
  /* south, north; west, east */
  t->u.chart.inset[0] = fmin(q[0], q[2]);
  t->u.chart.inset[1] = fmax(q[0], q[2]);
  t->u.chart.inset[2] = fmin(q[1], q[3]);
  t->u.chart.inset[3] = fmax(q[1], q[3]);
  return true;
bad:
  rp_def_error(l, n,
               "<chart inset=\"%s\">: expected two corners as \"lat lon lat lon\" in degrees "
               "(\"51.2 -0.6 51.8 0.4\")",
               v);
  return false;
}

/* The attributes each kind of data child reads into a[0..3]. */
static const char *const src_attrs[][4] = {
    [RP_CSRC_DATA] = {"label", "value", "display", "color"},
    [RP_CSRC_SERIES] = {"name", NULL, NULL, NULL},
    [RP_CSRC_EVENT] = {"start", "end", "label", NULL},
    [RP_CSRC_POINT] = {"name", "kind", "lat", "lon"},
    [RP_CSRC_KEY] = {"id", "label", "color", NULL},
};
static const char *const src_names[] = {"data", "series", "event", "point", "key"};

static rp_chart_src *compile_src(rp_layout_def *l, xmlNode *n, const char *const *vars, bool *ok,
                                 bool in_series);

static rp_chart_src *compile_srcs(rp_layout_def *l, xmlNode *parent, const char *const *vars,
                                  bool *ok, bool in_series) {
  rp_chart_src *head = NULL, **tail = &head;
  for (xmlNode *c = parent->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    rp_chart_src *s = compile_src(l, c, vars, ok, in_series);
    if (!s) continue;
    *tail = s;
    tail = &s->next;
  }
  return head;
}

static rp_chart_src *compile_src(rp_layout_def *l, xmlNode *n, const char *const *vars, bool *ok,
                                 bool in_series) {
  int k = -1;
  for (int i = 0; i < 5; i++)
    if (strcmp((const char *)n->name, src_names[i]) == 0) k = i;
  if (k < 0 || (in_series && k != RP_CSRC_DATA)) {
    rp_def_error(l, n, "<%s> cannot stand in <%s>; it holds %s", (const char *)n->name,
                 in_series ? "series" : "chart",
                 in_series ? "<data>" : "<data>, <series>, <event>, <point> and <key>");
    *ok = false;
    return NULL;
  }
  rp_chart_src *s = rp_arena_calloc(l->a, 1, sizeof *s);
  if (!s) {
    rp_def_out_of_memory(l);
    return NULL;
  }
  s->kind = (rp_chart_src_kind)k;
  s->file = rp_def_file(l, n);
  s->line = (int)xmlGetLineNo(n);
  s->select = rp_def_expr_attr(l, n, "select", vars, ok);
  if (k == RP_CSRC_DATA) {
    s->group_by = rp_def_expr_attr(l, n, "group-by", vars, ok);
    s->each = rp_def_avt_attr(l, n, "each-id", vars, ok);
    if (s->group_by && !s->select) {
      rp_def_error(l, n, "<data group-by> groups the nodes of select=: add select=\"…\"");
      *ok = false;
    }
    if (s->group_by && s->each) {
      rp_def_error(l, n, "<data> takes group-by or each-id, not both");
      *ok = false;
    }
  }
  for (int i = 0; i < 4; i++)
    if (src_attrs[k][i]) s->a[i] = rp_def_avt_attr(l, n, src_attrs[k][i], vars, ok);
  if (k == RP_CSRC_SERIES) {
    *ok &= rp_def_color(l, n, "color", &s->color);
    s->children = compile_srcs(l, n, vars, ok, true);
  }
  if (k == RP_CSRC_DATA && !s->a[1] && !s->a[2]) {
    rp_def_error(l, n, "<data> needs value=\"…\" (a number) or display=\"…\" (a flow's figure)");
    *ok = false;
  }
  return s;
}

/* What each kind must be given. */
static bool check_kind_data(rp_layout_def *l, xmlNode *n, const rp_tnode *t) {
  bool data = false, events = false, points = false;
  for (const rp_chart_src *s = t->u.chart.data; s; s = s->next) {
    data |= s->kind == RP_CSRC_DATA || s->kind == RP_CSRC_SERIES;
    events |= s->kind == RP_CSRC_EVENT;
    points |= s->kind == RP_CSRC_POINT;
  }
  const char *kind = t->u.chart.kind_name;
  switch (t->u.chart.kind) {
    case RP_CHART_TIMELINE:
      if (events) return true;
      rp_def_error(l, n,
                   "<chart kind=\"%s\"> needs <event select=\"…\" start=\"{…}\" label=\"{…}\"/>",
                   kind);
      return false;
    case RP_CHART_MAP:
      if (points && t->u.chart.outline) return true;
      rp_def_error(l, n,
                   "<chart kind=\"map\"> needs outline=\"…\" (the outline file) and <point "
                   "select=\"…\" name=\"{…}\" lat=\"{…}\" lon=\"{…}\"/>");
      return false;
    case RP_CHART_DELTA:
      if (t->u.chart.value) return true;
      rp_def_error(l, n,
                   "<chart kind=\"delta\"> needs value=\"{…}\" (the change, a signed number)");
      return false;
    default:
      if (data) return true;
      rp_def_error(l, n,
                   "<chart kind=\"%s\"> needs its data: <data select=\"…\" label=\"{…}\" "
                   "value=\"{…}\"/> or <series>",
                   kind);
      return false;
  }
}

bool rp_compile_chart(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                      const rp_tscope *sc, bool *ok) {
  t->style = own ? own : sc->dflt;
  const char *kind = rp_def_attr(l, n, "kind");
  size_t k = 0;
  while (kind && k < N_KINDS && strcmp(kind, kind_names[k]) != 0) k++;
  if (!kind || k == N_KINDS) {
    rp_def_error(l, n,
                 "<chart kind=\"%s\">: expected bar, hbar, line, pie, donut, flow, timeline, "
                 "delta or map",
                 kind ? kind : "");
    *ok = false;
    return true;
  }
  t->u.chart.kind = (rp_chart_kind)k;
  t->u.chart.kind_name = kind_names[k];
  t->alt = rp_def_avt_attr(l, n, "alt", sc->vars, ok);
  t->u.chart.title = rp_def_avt_attr(l, n, "title", sc->vars, ok);
  t->u.chart.unit = rp_def_avt_attr(l, n, "unit", sc->vars, ok);
  t->u.chart.centre = rp_def_avt_attr(l, n, "centre", sc->vars, ok);
  t->u.chart.centre_label = rp_def_avt_attr(l, n, "centre-label", sc->vars, ok);
  t->u.chart.value = rp_def_avt_attr(l, n, "value", sc->vars, ok);
  t->u.chart.display = rp_def_avt_attr(l, n, "display", sc->vars, ok);
  t->u.chart.compared = rp_def_avt_attr(l, n, "compared", sc->vars, ok);
  t->u.chart.better = rp_def_avt_attr(l, n, "better", sc->vars, ok);
  t->u.chart.number = rp_def_attr(l, n, "number");
  if (t->u.chart.number) {
    char probe[64];
    if (!rp_format_number(1234.5, t->u.chart.number, probe, sizeof probe)) {
      rp_def_error(l, n, "<chart number=\"%s\">: not a number picture; write one like \"#,##0.0\"",
                   t->u.chart.number);
      *ok = false;
    }
  }
  *ok &= rp_def_bool(l, n, "stacked", &t->u.chart.stacked);
  *ok &= palette_attr(l, n, t);
  static const char *const label_d[] = {"chart-label", "small", NULL};
  static const char *const value_d[] = {"chart-value", "stat", NULL};
  static const char *const heading_d[] = {"chart-title", "h3", NULL};
  t->u.chart.label_style = text_style(l, n, "label-style", label_d, t->style, ok);
  t->u.chart.value_style = text_style(l, n, "value-style", value_d, t->style, ok);
  t->u.chart.heading_style = text_style(l, n, "heading-style", heading_d, t->style, ok);
  t->u.chart.background = (rp_color){1, 1, 1, 1};
  t->u.chart.axis = (rp_color){0.35f, 0.35f, 0.35f, 1};
  t->u.chart.grid = (rp_color){0.85f, 0.85f, 0.85f, 1};
  *ok &= rp_def_color(l, n, "background", &t->u.chart.background);
  *ok &= line_color(l, n, "axis", &t->u.chart.axis);
  *ok &= line_color(l, n, "grid", &t->u.chart.grid);
  *ok &= outline_attr(l, n, t);
  *ok &= inset_attr(l, n, t);
  /* a length, or a pattern giving one ("{$map-height}": a layout's parameter) */
  const char *h = rp_def_attr(l, n, "height"), *w = rp_def_attr(l, n, "width");
  if (h && strchr(h, '{'))
    t->u.chart.height_avt = rp_def_avt_attr(l, n, "height", sc->vars, ok);
  else
    *ok &= rp_def_length(l, n, "height", RP_NO_PERCENT, &t->height);
  if (w && strchr(w, '{'))
    t->u.chart.width_avt = rp_def_avt_attr(l, n, "width", sc->vars, ok);
  else
    *ok &= rp_def_length(l, n, "width", RP_NO_PERCENT, &t->width);
  const char *const *vars = data_vars(l, sc->vars);
  if (!vars) return rp_def_out_of_memory(l);
  t->u.chart.data = compile_srcs(l, n, vars, ok, false);
  if (*ok) *ok = check_kind_data(l, n, t);
  return true;
}

/* ---- bind -------------------------------------------------------------------- */

typedef struct series_b {
  const char *name;
  rp_color color;
  rp_vec cats; /* size_t: category index per value */
  rp_vec vals; /* double */
} series_b;

typedef struct chart_b {
  rp_binder *b;
  const rp_tnode *t;
  rp_chart *c;
  rp_vec labels;   /* const char *: categories */
  rp_vec displays; /* const char *, parallel to labels */
  rp_vec colors;   /* rp_color, parallel to labels: a == 0 for none */
  rp_vec series;   /* series_b */
  rp_vec events;   /* rp_chart_event */
  rp_vec points;   /* rp_map_point */
  rp_vec keys;     /* rp_chart_key */
  bool failed;
} chart_b;

static bool oom(chart_b *cb) {
  cb->failed = true;
  return rp_binder_oom(cb->b);
}

/* Reports a value problem once per data element, naming both lines. */
static void bad_value(chart_b *cb, const rp_chart_src *s, xmlNodePtr node, const char *what,
                      const char *v, const char *todo) {
  cb->failed = true;
  if (!rp_binder_first_report(cb->b, s)) return;
  rp_xeval *x = rp_binder_xeval(cb->b);
  rp_diag_error(rp_binder_diag(cb->b), RP_ERR_INPUT, s->file, s->line, 0,
                "<%s %s> gives \"%s\" (at %s:%d), which is not %s", src_names[s->kind], what, v,
                x->content_file, rp_binder_line(node), todo);
}

/* A number as printed; NaN for none (empty, a dash). */
static bool number(chart_b *cb, const rp_chart_src *s, const char *attr, const char *v,
                   xmlNodePtr node, double *out) {
  *out = NAN;
  if (!v) return true;
  bool none = false;
  double d;
  if (!rp_model_parse_number(v, &d, &none) || (!none && !isfinite(d))) {
    bad_value(cb, s, node, attr, v,
              "a number; write digits as people do (\"12,500\", \"−3.2\", \"(1,200)\", "
              "\"7.4m\") or select a node that holds one");
    return false;
  }
  if (!none) *out = d;
  return true;
}

static size_t category(chart_b *cb, const char *label, const char *display, rp_color color) {
  for (size_t i = 0; i < cb->labels.len; i++)
    if (strcmp(RP_VEC_AT(cb->labels, const char *, i), label) == 0) {
      if (display && !RP_VEC_AT(cb->displays, const char *, i))
        RP_VEC_AT(cb->displays, const char *, i) = display;
      if (color.a > 0 && RP_VEC_AT(cb->colors, rp_color, i).a == 0)
        RP_VEC_AT(cb->colors, rp_color, i) = color;
      return i;
    }
  rp_arena *a = rp_binder_arena(cb->b);
  const char **l = rp_vec_push(a, &cb->labels, sizeof *l);
  const char **d = rp_vec_push(a, &cb->displays, sizeof *d);
  rp_color *c = rp_vec_push(a, &cb->colors, sizeof *c);
  if (!l || !d || !c) {
    oom(cb);
    return (size_t)-1;
  }
  *l = label;
  *d = display;
  *c = color;
  return cb->labels.len - 1;
}

/* One item of a data child, with its context node. */
static void item(chart_b *cb, const rp_chart_src *s, series_b *ser, xmlNodePtr node, int pos,
                 int size) {
  rp_binder *b = cb->b;
  rp_arena *a = rp_binder_arena(b);
  const char *v[4] = {NULL, NULL, NULL, NULL};
  for (int i = 0; i < 4; i++) v[i] = rp_binder_text(b, s->a[i], node, pos, size);
  switch (s->kind) {
    case RP_CSRC_DATA: {
      const char *label = v[0] ? v[0] : "";
      double d;
      if (!number(cb, s, "value", v[1], node, &d)) return;
      rp_color color = {0, 0, 0, 0};
      if (v[3] && !color_text(rp_binder_layout(b), v[3], &color)) {
        bad_value(cb, s, node, "color", v[3],
                  "a colour; give a colour of the layout's <brand> or #rrggbb");
        return;
      }
      size_t ci = category(cb, label, v[2], color);
      if (ci == (size_t)-1) return;
      size_t *cat = rp_vec_push(a, &ser->cats, sizeof *cat);
      double *val = rp_vec_push(a, &ser->vals, sizeof *val);
      if (!cat || !val) {
        oom(cb);
        return;
      }
      *cat = ci;
      *val = d;
      return;
    }
    case RP_CSRC_EVENT: {
      rp_date st, en = {0, 0, 0};
      if (!v[0] || !rp_date_parse_partial(v[0], &st)) {
        bad_value(cb, s, node, "start", v[0] ? v[0] : "",
                  "a date; write it as 2019-03-14, 2019-03 or 2019");
        return;
      }
      if (v[1] && !rp_date_parse_partial(v[1], &en)) {
        bad_value(cb, s, node, "end", v[1], "a date; write it as 2019-03-14, 2019-03 or 2019");
        return;
      }
      rp_chart_event *e = rp_vec_push(a, &cb->events, sizeof *e);
      if (!e) {
        oom(cb);
        return;
      }
      e->label = v[2] ? v[2] : "";
      e->start[0] = st.year, e->start[1] = st.month, e->start[2] = st.day;
      e->end[0] = en.year, e->end[1] = en.month, e->end[2] = en.day;
      return;
    }
    case RP_CSRC_POINT: {
      double lat, lon;
      if (!number(cb, s, "lat", v[2], node, &lat) || !number(cb, s, "lon", v[3], node, &lon))
        return;
      if (isnan(lat) || isnan(lon)) return; /* no position: not on the map */
      if (fabs(lat) > 90 || fabs(lon) > 180) {
        bad_value(cb, s, node, "lat", v[2], "a position; latitude and longitude are degrees");
        return;
      }
      rp_map_point *p = rp_vec_push(a, &cb->points, sizeof *p);
      if (!p) {
        oom(cb);
        return;
      }
      p->name = v[0] ? v[0] : "";
      p->kind = v[1];
      p->lat = lat;
      p->lon = lon;
      return;
    }
    case RP_CSRC_KEY: {
      if (!v[0]) return;
      rp_chart_key *k = rp_vec_push(a, &cb->keys, sizeof *k);
      if (!k) {
        oom(cb);
        return;
      }
      k->id = v[0];
      k->label = v[1] ? v[1] : v[0];
      if (v[2] && !color_text(rp_binder_layout(b), v[2], &k->color))
        bad_value(cb, s, node, "color", v[2],
                  "a colour; give a colour of the layout's <brand> or #rrggbb");
      return;
    }
    case RP_CSRC_SERIES:
      return;
  }
}

/* Runs `item` for each node of select (or the context once). */
static void each_node(chart_b *cb, const rp_chart_src *s, series_b *ser, xmlNodePtr node, int pos,
                      int size) {
  if (!s->select) {
    item(cb, s, ser, node, pos, size);
    return;
  }
  xmlXPathObjectPtr set;
  if (rp_xeval_nodes(rp_binder_xeval(cb->b), s->select, node, pos, size, &set) != RP_OK) {
    cb->failed = true;
    return;
  }
  int n = set && set->nodesetval ? set->nodesetval->nodeNr : 0;
  for (int i = 0; i < n && !cb->failed; i++)
    item(cb, s, ser, set->nodesetval->nodeTab[i], i + 1, n);
  xmlXPathFreeObject(set);
}

/* each-id="{…}": one pass per token with $id bound, in the tokens' order. */
static void each_token(chart_b *cb, const rp_chart_src *s, series_b *ser, xmlNodePtr node, int pos,
                       int size) {
  const char *v = rp_binder_text(cb->b, s->each, node, pos, size);
  if (!v) return;
  char *copy = rp_arena_strdup(rp_binder_arena(cb->b), v);
  if (!copy) {
    oom(cb);
    return;
  }
  rp_xeval *x = rp_binder_xeval(cb->b);
  for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok && !cb->failed;
       tok = strtok_r(NULL, " ", &save)) {
    if (!rp_xeval_push(x, "id", xmlXPathNewString((const xmlChar *)tok))) {
      oom(cb);
      return;
    }
    each_node(cb, s, ser, node, pos, size);
    rp_xeval_pop(x);
  }
}

/* group-by: one pass per distinct key, in order of first appearance. */
static void each_group(chart_b *cb, const rp_chart_src *s, series_b *ser, xmlNodePtr node, int pos,
                       int size) {
  rp_xeval *x = rp_binder_xeval(cb->b);
  rp_arena *a = rp_binder_arena(cb->b);
  xmlXPathObjectPtr set;
  if (rp_xeval_nodes(x, s->select, node, pos, size, &set) != RP_OK) {
    cb->failed = true;
    return;
  }
  int n = set && set->nodesetval ? set->nodesetval->nodeNr : 0;
  const char **keys = n ? rp_arena_calloc(a, (size_t)n, sizeof *keys) : NULL;
  xmlNodeSetPtr *groups = n ? rp_arena_calloc(a, (size_t)n, sizeof *groups) : NULL;
  int n_groups = 0;
  if (n && (!keys || !groups)) {
    oom(cb);
    goto done;
  }
  for (int i = 0; i < n; i++) {
    xmlNodePtr it = set->nodesetval->nodeTab[i];
    xmlXPathObjectPtr k = rp_xeval_run(x, s->group_by, it, i + 1, n);
    if (!k) {
      cb->failed = true;
      goto done;
    }
    xmlChar *key = xmlXPathCastToString(k);
    xmlXPathFreeObject(k);
    if (!key) {
      oom(cb);
      goto done;
    }
    int g = 0;
    while (g < n_groups && strcmp(keys[g], (const char *)key) != 0) g++;
    if (g == n_groups) {
      keys[g] = rp_arena_strdup(a, (const char *)key);
      groups[g] = xmlXPathNodeSetCreate(NULL);
      n_groups++;
      if (!keys[g] || !groups[g]) {
        xmlFree(key);
        oom(cb);
        goto done;
      }
    }
    xmlFree(key);
    xmlXPathNodeSetAdd(groups[g], it);
  }
  for (int g = 0; g < n_groups && !cb->failed; g++) {
    xmlNodePtr first = groups[g]->nodeNr ? groups[g]->nodeTab[0] : node;
    if (!rp_xeval_push(x, "key", xmlXPathNewString((const xmlChar *)keys[g]))) {
      oom(cb);
      goto done;
    }
    xmlXPathObjectPtr obj = xmlXPathWrapNodeSet(groups[g]);
#if LIBXML_VERSION < 21100
    if (!obj) xmlXPathFreeNodeSet(groups[g]); /* freed by a failing wrap only from 2.11 */
#endif
    groups[g] = NULL;
    if (!rp_xeval_push(x, "group", obj)) {
      rp_xeval_pop(x);
      oom(cb);
      goto done;
    }
    item(cb, s, ser, first, g + 1, n_groups);
    rp_xeval_pop(x);
    rp_xeval_pop(x);
  }
done:
  for (int g = 0; g < n_groups; g++)
    if (groups[g]) xmlXPathFreeNodeSet(groups[g]);
  xmlXPathFreeObject(set);
}

static void run_src(chart_b *cb, const rp_chart_src *s, series_b *ser, xmlNodePtr node, int pos,
                    int size) {
  if (s->each)
    each_token(cb, s, ser, node, pos, size);
  else if (s->group_by)
    each_group(cb, s, ser, node, pos, size);
  else
    each_node(cb, s, ser, node, pos, size);
}

static series_b *new_series(chart_b *cb, const char *name, rp_color color) {
  series_b *ser = rp_vec_push(rp_binder_arena(cb->b), &cb->series, sizeof *ser);
  if (!ser) {
    oom(cb);
    return NULL;
  }
  ser->name = name;
  ser->color = color;
  return ser;
}

static rp_chart_text text_of(const rp_style_def *sd) {
  const rp_style *s = sd ? sd->style : NULL;
  if (!s) return (rp_chart_text){.font = 0, .size = 9, .color = {0, 0, 0, 1}};
  rp_chart_text t = {.font = s->font, .size = s->size, .color = s->color};
  /* the style's fallback faces, so "CO₂e" in a label draws like in text */
  for (int i = 0; i < s->n_fallback && i < RP_FONT_MAX_FALLBACK; i++)
    t.fallback[t.n_fallback++] = s->fallback[i];
  return t;
}

/* Copies what was gathered into the chart. */
static bool finish(chart_b *cb) {
  rp_arena *a = rp_binder_arena(cb->b);
  rp_chart *c = cb->c;
  size_t nc = cb->labels.len;
  c->n_categories = nc;
  c->categories = cb->labels.data;
  bool any_display = false;
  for (size_t i = 0; i < nc; i++) any_display |= RP_VEC_AT(cb->displays, const char *, i) != NULL;
  c->displays = any_display ? cb->displays.data : NULL;
  /* every category coloured (a kind's vocabulary colour): the segments' palette */
  bool all_colored = nc > 0;
  for (size_t i = 0; i < nc; i++) all_colored &= RP_VEC_AT(cb->colors, rp_color, i).a > 0;
  if (all_colored) {
    c->palette = cb->colors.data;
    c->n_palette = nc;
  }
  size_t ns = 0;
  for (size_t i = 0; i < cb->series.len; i++) ns += RP_VEC_AT(cb->series, series_b, i).vals.len > 0;
  c->series = ns ? rp_arena_calloc(a, ns, sizeof *c->series) : NULL;
  if (ns && !c->series) return oom(cb);
  size_t k = 0;
  for (size_t i = 0; i < cb->series.len; i++) {
    const series_b *sb = &RP_VEC_AT(cb->series, series_b, i);
    if (!sb->vals.len) continue;
    rp_chart_series *s = &c->series[k++];
    s->name = sb->name;
    s->color = sb->color;
    s->values = rp_arena_calloc(a, nc, sizeof *s->values);
    if (!s->values) return oom(cb);
    for (size_t j = 0; j < nc; j++) s->values[j] = NAN;
    for (size_t j = 0; j < sb->vals.len; j++)
      s->values[RP_VEC_AT(sb->cats, size_t, j)] = RP_VEC_AT(sb->vals, double, j);
  }
  c->n_series = ns;
  c->events = cb->events.data;
  c->n_events = cb->events.len;
  c->points = cb->points.data;
  c->n_points = cb->points.len;
  c->keys = cb->keys.data;
  c->n_keys = cb->keys.len;
  return true;
}

/* Whether there is anything to draw. */
static bool has_data(const rp_chart *c) {
  switch (c->kind) {
    case RP_CHART_TIMELINE:
      return c->n_events > 0;
    case RP_CHART_MAP:
      return c->n_points > 0;
    case RP_CHART_DELTA:
      return !isnan(c->delta);
    default:
      return c->n_categories > 0 && c->n_series > 0;
  }
}

/* height="{…}", width="{…}": the pattern's value read as a length. */
static bool bound_length(rp_binder *b, const rp_tnode *t, const char *attr, const rp_avt *e,
                         xmlNodePtr node, int pos, int size, double *out) {
  if (!e) return true;
  const char *v = rp_binder_text(b, e, node, pos, size);
  const char *err = v ? rp_length_parse(v, RP_NO_PERCENT, out) : "it is empty";
  if (!err && *out > 0 && *out < 14400) return true;
  if (rp_binder_first_report(b, e))
    rp_diag_error(rp_binder_diag(b), RP_ERR_INPUT, t->file, t->line, 0,
                  "<chart %s> gives \"%s\" (at %s:%d): %s; expected a length such as \"60mm\"",
                  attr, v ? v : "", rp_binder_xeval(b)->content_file, rp_binder_line(node),
                  err ? err : "out of range");
  return false;
}

void rp_bind_chart(rp_binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                   rp_blist *out, int depth) {
  (void)depth;
  rp_arena *a = rp_binder_arena(b);
  rp_chart *c = rp_arena_calloc(a, 1, sizeof *c);
  if (!c) {
    rp_binder_oom(b);
    return;
  }
  chart_b cb = {.b = b, .t = t, .c = c};
  rp_diag *diag = rp_binder_diag(b);
  size_t errors = diag->errors; /* an expression failing (reported) fails the chart */
  c->kind = t->u.chart.kind;
  c->title = rp_binder_text(b, t->u.chart.title, node, pos, size);
  c->alt = rp_binder_text(b, t->alt, node, pos, size);
  c->unit = rp_binder_text(b, t->u.chart.unit, node, pos, size);
  c->number = t->u.chart.number;
  c->stacked = t->u.chart.stacked;
  c->centre = rp_binder_text(b, t->u.chart.centre, node, pos, size);
  c->centre_label = rp_binder_text(b, t->u.chart.centre_label, node, pos, size);
  c->delta = NAN;
  if (t->u.chart.value) {
    const char *v = rp_binder_text(b, t->u.chart.value, node, pos, size);
    const rp_chart_src self = {.kind = RP_CSRC_DATA, .file = t->file, .line = t->line};
    bool none = false;
    double d = NAN;
    if (v && (!rp_model_parse_number(v, &d, &none) || (!none && !isfinite(d)))) {
      cb.failed = true;
      if (rp_binder_first_report(b, t))
        rp_diag_error(rp_binder_diag(b), RP_ERR_INPUT, self.file, self.line, 0,
                      "<chart value> gives \"%s\" (at %s:%d), which is not a number; a delta "
                      "charts a signed change (\"−3.2\", \"+6\")",
                      v, rp_binder_xeval(b)->content_file, rp_binder_line(node));
    } else if (v && !none) {
      c->delta = d;
    }
  }
  c->delta_display = rp_binder_text(b, t->u.chart.display, node, pos, size);
  c->delta_compared = rp_binder_text(b, t->u.chart.compared, node, pos, size);
  const char *better = rp_binder_text(b, t->u.chart.better, node, pos, size);
  c->better = !better ? 0 : strcmp(better, "up") == 0 ? 1 : strcmp(better, "down") == 0 ? -1 : 0;
  c->outline_path = t->u.chart.outline;
  c->has_inset = t->u.chart.has_inset;
  c->inset_lat[0] = t->u.chart.inset[0], c->inset_lat[1] = t->u.chart.inset[1];
  c->inset_lon[0] = t->u.chart.inset[2], c->inset_lon[1] = t->u.chart.inset[3];
  c->palette = t->u.chart.palette;
  c->n_palette = t->u.chart.n_palette;
  c->label = text_of(t->u.chart.label_style);
  c->value = text_of(t->u.chart.value_style);
  c->heading = text_of(t->u.chart.heading_style);
  c->axis = t->u.chart.axis;
  c->grid = t->u.chart.grid;
  c->background = t->u.chart.background;

  series_b *lone = NULL;
  for (const rp_chart_src *s = t->u.chart.data; s && !cb.failed; s = s->next) {
    if (s->kind == RP_CSRC_SERIES) {
      series_b *ser = new_series(&cb, rp_binder_text(b, s->a[0], node, pos, size), s->color);
      for (const rp_chart_src *d = s->children; ser && d && !cb.failed; d = d->next)
        run_src(&cb, d, ser, node, pos, size);
      continue;
    }
    if (s->kind == RP_CSRC_DATA && !lone) lone = new_series(&cb, NULL, (rp_color){0, 0, 0, 0});
    run_src(&cb, s, lone, node, pos, size);
  }
  if (cb.failed || diag->errors > errors || !finish(&cb)) return;
  if (!has_data(c)) {
    rp_xeval *x = rp_binder_xeval(b);
    if (t->required)
      rp_diag_error(rp_binder_diag(b), RP_ERR_INPUT, t->file, t->line, 0,
                    "<chart kind=\"%s\"> has no data (at %s:%d): its selections match nothing; "
                    "check their paths against the content",
                    t->u.chart.kind_name, x->content_file, rp_binder_line(node));
    else
      rp_diag_warn_about(
          rp_binder_diag(b),
          &(rp_diag_about){.code = RP_DIAG_EMPTY_SELECT,
                           .src = {t->file, t->line, x->content_file, rp_binder_line(node)}},
          "<chart kind=\"%s\"> has no data (at %s:%d) and is left out; check its "
          "selections, or put it in <if test=\"…\"> to leave it out silently",
          t->u.chart.kind_name, x->content_file, rp_binder_line(node));
    return;
  }
  double height = t->height, width = t->width;
  if (!bound_length(b, t, "height", t->u.chart.height_avt, node, pos, size, &height) ||
      !bound_length(b, t, "width", t->u.chart.width_avt, node, pos, size, &width))
    return;
  rp_block *blk = rp_binder_block(b, t, node, RP_BLOCK_CHART, RP_ROLE_FIGURE);
  if (!blk) return;
  blk->style = t->style ? t->style->style : NULL; /* its space before and after */
  blk->u.chart.kind = t->u.chart.kind_name;
  blk->u.chart.data = c;
  blk->alt = c->alt;
  blk->width = width;
  blk->height = height;
  rp_binder_add(out, blk);
}
