/* svg — see svg.h. The document is read with base/xml (no entities, no
 * network), then walked once: each element's presentation attributes and
 * style="" declarations (the latter winning) are applied over what it
 * inherits, its transform composed onto its parent's, and each shape's
 * outline built in the drawing's px by the path builder (svg_parse.c).
 *
 * Group opacity is carried down into the alpha of each shape inside the
 * group: the same picture unless shapes of one translucent group overlap
 * (docs/svg.md). What the subset does not draw is refused at its element's
 * line; every refusal is recorded, not only the first, and the walk goes on
 * so one run shows them all. */
#include "svg/svg.h"

#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/xml.h"
#include "svg/svg_int.h"

#define SVG_NS "http://www.w3.org/2000/svg"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define REACH 10.0 /* a shape may reach this many times the drawing's size beyond it */
#define OUTLINES "Inkscape: Path > Object to Path; Illustrator: Type > Create Outlines"

typedef enum paint_kind { PAINT_NONE, PAINT_COLOR, PAINT_CURRENT } paint_kind;
typedef struct paint {
  paint_kind kind;
  rp_color c;
} paint;

/* What an element draws with: the inherited properties, and the opacity of
 * its enclosing groups multiplied together. */
typedef struct style {
  paint fill, stroke;
  double fill_op, stroke_op, opacity;
  bool even_odd, hidden;
  double stroke_width, dash[2], dash_offset;
  int cap, join; /* as rp_svg_shape */
  double miter;  /* stroke-miterlimit */
  rp_color color;
} style;

typedef struct walker {
  rp_arena *a;
  rp_diag *d;
  const char *file;
  xmlDocPtr doc;
  rp_vec shapes; /* rp_svg_shape */
  rp_vec rules;  /* rp_svg_rule: the <style> sheets */
  rp_vec ids;    /* id_entry, sorted by id */
  rp_vec hits;   /* const rp_svg_rule *: those matching one element (reused) */
  size_t rule_order;
  size_t budget, elements;
  size_t css_work; /* rules tried × (1 + class list length), summed */
  double w, h;     /* the drawing's size, px */
  bool failed, oom, too_many, too_deep, too_costly;
} walker;

static void refuse(walker *w, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse(walker *w, const xmlNode *n, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  w->failed = true;
  rp_diag_error(w->d, RP_ERR_INPUT, rp_xml_file(n, w->file), rp_xml_line(n), 0, "SVG image: %s",
                msg);
}

static bool is_svg(const xmlNode *n) {
  return n->type == XML_ELEMENT_NODE &&
         (!n->ns || (n->ns->href && strcmp((const char *)n->ns->href, SVG_NS) == 0));
}

static bool named(const xmlNode *n, const char *name) {
  return strcmp((const char *)n->name, name) == 0;
}

typedef struct id_entry {
  const char *id;
  const xmlNode *n;
  size_t order; /* document order: the first of equal ids wins */
} id_entry;

static int cmp_id(const void *x, const void *y) {
  const id_entry *a = x, *b = y;
  int c = strcmp(a->id, b->id);
  return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* Indexes the ids of the elements from n down (before the walk: <use> and
 * url() look them up, and a search per lookup would be quadratic). */
static void index_ids(walker *w, const xmlNode *n) {
  for (; n && !w->oom; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)"id");
    if (v) {
      id_entry *e = rp_vec_push(w->a, &w->ids, sizeof *e);
      const char *copy = rp_arena_strdup(w->a, (const char *)v);
      if (!e || !copy)
        w->oom = true;
      else
        *e = (id_entry){copy, n, w->ids.len};
      xmlFree(v);
    }
    index_ids(w, n->children);
  }
}

/* The element whose id is `id`; NULL if none. */
static const xmlNode *find_id(const walker *w, const char *id) {
  size_t lo = 0, hi = w->ids.len;
  const id_entry *e = w->ids.data;
  while (lo < hi) { /* the first entry not below id */
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(e[mid].id, id) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < w->ids.len && strcmp(e[lo].id, id) == 0 ? e[lo].n : NULL;
}

/* ---- properties ------------------------------------------------------------ */

static bool number_or_pct(const char *v, double *out) {
  const char *s = v;
  if (!rp_svg_number(&s, out)) return false;
  if (*s == '%') *out /= 100, s++;
  while (*s == ' ' || *s == '\t') s++;
  if (*s) return false;
  *out = *out < 0 ? 0 : *out > 1 ? 1 : *out;
  return true;
}

static void set_paint(walker *w, const xmlNode *n, const char *name, const char *v, paint *p) {
  if (strcmp(v, "none") == 0) {
    p->kind = PAINT_NONE;
  } else if (strcmp(v, "currentColor") == 0) {
    p->kind = PAINT_CURRENT;
  } else if (strncmp(v, "url(", 4) == 0) {
    char id[200] = "";
    const char *h = strchr(v, '#');
    if (h) sscanf(h + 1, "%199[^)\"' ]", id);
    const xmlNode *ref = id[0] ? find_id(w, id) : NULL;
    const char *what = ref ? (const char *)ref->name : "paint server";
    refuse(w, n,
           "%s=\"%s\" paints with a <%s>, which cannot be drawn as a flat colour: "
           "replace it with a solid colour (a gradient's middle colour, for example)",
           name, v, what);
  } else if (!rp_svg_color(v, &p->c)) {
    refuse(w, n, "%s=\"%s\" is not a colour: write #rrggbb, rgb(r, g, b) or a CSS colour name",
           name, v);
  } else {
    p->kind = PAINT_COLOR;
  }
}

static bool is_none(const char *v) { return strcmp(v, "none") == 0; }

/* Applies one property; *display_none and *own_opacity get the element's
 * own (not inherited) display and opacity. */
static void apply(walker *w, const xmlNode *n, style *st, const char *name, const char *v,
                  bool *display_none, double *own_opacity) {
  double x;
  bool pct;
  if (strcmp(v, "inherit") == 0) return; /* inherited properties already are */
  if (strcmp(name, "fill") == 0) {
    set_paint(w, n, name, v, &st->fill);
  } else if (strcmp(name, "stroke") == 0) {
    set_paint(w, n, name, v, &st->stroke);
  } else if (strcmp(name, "fill-opacity") == 0 || strcmp(name, "stroke-opacity") == 0 ||
             strcmp(name, "opacity") == 0) {
    if (!number_or_pct(v, &x))
      refuse(w, n, "%s=\"%s\" is not a number from 0 to 1", name, v);
    else if (name[0] == 'f')
      st->fill_op = x;
    else if (name[1] == 't')
      st->stroke_op = x;
    else
      *own_opacity = x;
  } else if (strcmp(name, "fill-rule") == 0) {
    st->even_odd = strcmp(v, "evenodd") == 0;
  } else if (strcmp(name, "stroke-width") == 0) {
    if (!rp_svg_length(v, &x, &pct) || pct || x < 0)
      refuse(w, n, "stroke-width=\"%s\" is not a length: give it in user units (px)", v);
    else
      st->stroke_width = x;
  } else if (strcmp(name, "stroke-dasharray") == 0) {
    double dv[4] = {0};
    int k = 0;
    const char *s = v;
    if (!is_none(v)) {
      while (k < 4 && rp_svg_number(&s, &dv[k])) k++, rp_svg_skip_sep(&s);
      bool two = k == 1 || k == 2 || (k == 4 && dv[0] == dv[2] && dv[1] == dv[3]);
      if (*s || !two || dv[0] < 0 || dv[1] < 0)
        refuse(w, n,
               "stroke-dasharray=\"%s\": only one dash and one gap (two numbers) can be "
               "drawn; simplify the dash pattern or convert the stroke to a path",
               v);
      st->dash[0] = dv[0];
      st->dash[1] = k == 1 ? dv[0] : dv[1];
    } else {
      st->dash[0] = st->dash[1] = 0;
    }
  } else if (strcmp(name, "stroke-dashoffset") == 0) {
    const char *s = v;
    st->dash_offset = rp_svg_number(&s, &x) ? x : 0;
  } else if (strcmp(name, "stroke-linecap") == 0) {
    st->cap = strcmp(v, "round") == 0 ? 1 : strcmp(v, "square") == 0 ? 2 : 0;
  } else if (strcmp(name, "stroke-linejoin") == 0) {
    st->join = strcmp(v, "round") == 0 ? 1 : strcmp(v, "bevel") == 0 ? 2 : 0;
    if (strcmp(v, "arcs") == 0 || strcmp(v, "miter-clip") == 0)
      refuse(w, n, "stroke-linejoin=\"%s\" is not drawn: use miter, round or bevel", v);
  } else if (strcmp(name, "stroke-miterlimit") == 0) {
    const char *s = v;
    if (rp_svg_number(&s, &x) && x >= 1) st->miter = x;
  } else if (strcmp(name, "color") == 0) {
    if (!rp_svg_color(v, &st->color)) refuse(w, n, "color=\"%s\" is not a colour", v);
  } else if (strcmp(name, "display") == 0) {
    *display_none = strcmp(v, "none") == 0;
  } else if (strcmp(name, "visibility") == 0) {
    st->hidden = strcmp(v, "visible") != 0;
  } else if (strcmp(name, "filter") == 0 && !is_none(v)) {
    refuse(w, n,
           "filter=\"%s\": filter effects (blur, shadow…) cannot be drawn as vectors; "
           "remove the filter or export the image as PNG",
           v);
  } else if ((strcmp(name, "clip-path") == 0 || strcmp(name, "mask") == 0) && !is_none(v)) {
    refuse(w, n,
           "%s=\"%s\": clipping and masks are not drawn; apply them to the paths "
           "(Inkscape: Object > Clip > Release and Path > Intersection)",
           name, v);
  } else if (strncmp(name, "marker", 6) == 0 && !is_none(v)) {
    refuse(w, n,
           "%s=\"%s\": markers are not drawn; convert them to paths "
           "(Inkscape: Path > Object to Path)",
           name, v);
  } else if (strcmp(name, "mix-blend-mode") == 0 && strcmp(v, "normal") != 0) {
    refuse(w, n, "mix-blend-mode=\"%s\" is not drawn; flatten the blend in the drawing", v);
  }
}

/* Applies the declarations of `text` ("fill: red; stroke: none"). */
static void declarations(walker *w, const xmlNode *n, style *st, const char *text,
                         bool *display_none, double *own_opacity) {
  char *copy = rp_arena_strdup(w->a, text);
  if (!copy) {
    w->oom = true;
    return;
  }
  char *s = copy;
  while (*s) {
    char *end = strchr(s, ';');
    if (end) *end = '\0';
    char *colon = strchr(s, ':');
    if (colon) {
      *colon = '\0';
      char *name = s, *v = colon + 1;
      while (*name == ' ' || *name == '\t' || *name == '\n' || *name == '\r') name++;
      for (char *e = name + strlen(name); e > name && strchr(" \t\r\n", e[-1]); e--) e[-1] = '\0';
      while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') v++;
      char *imp = strstr(v, "!important");
      if (imp) *imp = '\0';
      for (char *e = v + strlen(v); e > v && strchr(" \t\r\n", e[-1]); e--) e[-1] = '\0';
      if (*name) apply(w, n, st, name, v, display_none, own_opacity);
    }
    if (!end) break;
    s = end + 1;
  }
}

/* Rules in the order they apply: by specificity, then as written. */
static int by_cascade(const void *pa, const void *pb) {
  const rp_svg_rule *a = *(const rp_svg_rule *const *)pa, *b = *(const rp_svg_rule *const *)pb;
  if (a->spec != b->spec) return a->spec < b->spec ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

/* The properties of element n: its presentation attributes, the rules of
 * the <style> sheets that match it, then its style="" declarations. */
static void properties(walker *w, const xmlNode *n, style *st, bool *display_none,
                       double *own_opacity) {
  for (const xmlAttr *at = n->properties; at; at = at->next) {
    if (at->ns || strcmp((const char *)at->name, "style") == 0) continue;
    xmlChar *v = xmlNodeGetContent((const xmlNode *)at);
    if (v) apply(w, n, st, (const char *)at->name, (const char *)v, display_none, own_opacity);
    xmlFree(v);
  }
  /* then the <style> sheets' rules that match, by specificity, then order
   * (all of them: a rule left out would change colours silently) */
  if (w->rules.len > 0 && !w->too_costly) {
    xmlChar *id = xmlGetNoNsProp(n, (const xmlChar *)"id");
    xmlChar *cls = xmlGetNoNsProp(n, (const xmlChar *)"class");
    /* Each rule is tried on each element, a class rule through its class
     * list: counted, so a sheet of a million rules over thousands of
     * elements is refused instead of taking minutes. */
    size_t len = cls ? strlen((const char *)cls) : 0;
    w->css_work += w->rules.len * (1 + len);
    if (w->css_work > RP_SVG_MAX_CSS_WORK) {
      w->too_costly = true;
      refuse(w, n,
             "matching the <style> rules (%zu) against the elements and their class lists "
             "takes more than %zu steps (RP_SVG_MAX_CSS_WORK): write fewer rules, e.g. one "
             "class per colour, or the styles as attributes",
             w->rules.len, (size_t)RP_SVG_MAX_CSS_WORK);
    }
    w->hits.len = 0;
    for (size_t i = 0; i < w->rules.len && !w->too_costly; i++) {
      const rp_svg_rule *r = &RP_VEC_AT(w->rules, rp_svg_rule, i);
      if (!rp_svg_css_match(r, (const char *)n->name, (const char *)id, (const char *)cls))
        continue;
      const rp_svg_rule **slot = rp_vec_push(w->a, &w->hits, sizeof *slot);
      if (!slot) {
        w->oom = true;
        break;
      }
      *slot = r;
    }
    const rp_svg_rule **hit = w->hits.data;
    if (w->hits.len > 1) qsort(hit, w->hits.len, sizeof *hit, by_cascade);
    for (size_t i = 0; i < w->hits.len && !w->oom && !w->too_costly; i++)
      declarations(w, n, st, hit[i]->decls, display_none, own_opacity);
    xmlFree(id);
    xmlFree(cls);
  }
  xmlChar *css = xmlGetNoNsProp(n, (const xmlChar *)"style");
  if (!css) return;
  declarations(w, n, st, (const char *)css, display_none, own_opacity);
  xmlFree(css);
}

/* The <style> sheets of the whole document, read before the walk (a sheet
 * applies to elements before it too). */
static void collect_sheets(walker *w, const xmlNode *n) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (is_svg(n) && named(n, "style")) {
      xmlChar *text = xmlNodeGetContent(n);
      char err[300];
      if (text &&
          !rp_svg_css_parse(w->a, (const char *)text, &w->rules, &w->rule_order, err, sizeof err))
        refuse(w, n, "<style>: %s", err);
      xmlFree(text);
      continue;
    }
    collect_sheets(w, n->children);
  }
}

/* ---- shapes ---------------------------------------------------------------- */

/* A geometry attribute in user units; *ok cleared (and the element refused)
 * when present and not a plain length. */
static double geom(walker *w, const xmlNode *n, const char *name, double dflt, bool *ok) {
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  if (!v) return dflt;
  double x = dflt;
  bool pct = false;
  if (!rp_svg_length((const char *)v, &x, &pct) || pct) {
    refuse(w, n,
           "%s=\"%s\" on <%s> is not a length in user units (percentages, em and ex "
           "are not read): give a number",
           name, (const char *)v, (const char *)n->name);
    *ok = false;
    x = dflt;
  }
  xmlFree(v);
  return x;
}

#define KAPPA 0.5522847498307936

static void ellipse_path(rp_svg_pb *pb, double cx, double cy, double rx, double ry) {
  double kx = rx * KAPPA, ky = ry * KAPPA;
  rp_svg_move(pb, cx + rx, cy);
  rp_svg_curve(pb, cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry);
  rp_svg_curve(pb, cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy);
  rp_svg_curve(pb, cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry);
  rp_svg_curve(pb, cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy);
  rp_svg_close(pb);
}

static void points_path(walker *w, const xmlNode *n, rp_svg_pb *pb, bool close) {
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)"points");
  const char *s = v ? (const char *)v : "";
  double x, y;
  int k = 0;
  while (rp_svg_number(&s, &x)) {
    rp_svg_skip_sep(&s);
    if (!rp_svg_number(&s, &y)) break;
    rp_svg_skip_sep(&s);
    k++ == 0 ? rp_svg_move(pb, x, y) : rp_svg_line(pb, x, y);
  }
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  if (*s)
    refuse(w, n, "points=\"…\" of <%s> cannot be read at \"%.20s\": write pairs of numbers",
           (const char *)n->name, s);
  if (close && k > 0) rp_svg_close(pb);
  xmlFree(v);
}

/* Builds the outline of shape element n; false when it draws nothing or was
 * refused. *fillable is false for <line>, the one shape SVG never fills (an
 * open polyline is filled as if closed, as PDF fills an open path). */
static bool outline(walker *w, const xmlNode *n, rp_svg_pb *pb, bool *fillable) {
  bool ok = true;
  *fillable = true;
  if (named(n, "path")) {
    xmlChar *d = xmlGetNoNsProp(n, (const xmlChar *)"d");
    size_t bad = d ? rp_svg_path_data(pb, (const char *)d) : 0;
    if (bad) {
      refuse(w, n,
             "the path data d=\"…\" cannot be read at character %zu (\"%.20s\"): "
             "re-save the file from a drawing program",
             bad, (const char *)d + bad - 1);
      ok = false;
    }
    xmlFree(d);
  } else if (named(n, "rect")) {
    double x = geom(w, n, "x", 0, &ok), y = geom(w, n, "y", 0, &ok);
    double wd = geom(w, n, "width", 0, &ok), ht = geom(w, n, "height", 0, &ok);
    double rx = geom(w, n, "rx", -1, &ok), ry = geom(w, n, "ry", -1, &ok);
    if (!ok || wd <= 0 || ht <= 0) return false;
    if (rx < 0) rx = ry;
    if (ry < 0) ry = rx;
    if (rx < 0) rx = ry = 0;
    rx = fmin(rx, wd / 2);
    ry = fmin(ry, ht / 2);
    if (rx > 0 && ry > 0) {
      rp_svg_move(pb, x + rx, y);
      rp_svg_line(pb, x + wd - rx, y);
      rp_svg_arc(pb, rx, ry, 0, false, true, x + wd, y + ry);
      rp_svg_line(pb, x + wd, y + ht - ry);
      rp_svg_arc(pb, rx, ry, 0, false, true, x + wd - rx, y + ht);
      rp_svg_line(pb, x + rx, y + ht);
      rp_svg_arc(pb, rx, ry, 0, false, true, x, y + ht - ry);
      rp_svg_line(pb, x, y + ry);
      rp_svg_arc(pb, rx, ry, 0, false, true, x + rx, y);
    } else {
      rp_svg_move(pb, x, y);
      rp_svg_line(pb, x + wd, y);
      rp_svg_line(pb, x + wd, y + ht);
      rp_svg_line(pb, x, y + ht);
    }
    rp_svg_close(pb);
  } else if (named(n, "circle") || named(n, "ellipse")) {
    double cx = geom(w, n, "cx", 0, &ok), cy = geom(w, n, "cy", 0, &ok), rx, ry;
    if (named(n, "circle")) {
      rx = ry = geom(w, n, "r", 0, &ok);
    } else {
      rx = geom(w, n, "rx", 0, &ok);
      ry = geom(w, n, "ry", 0, &ok);
    }
    if (!ok || rx <= 0 || ry <= 0) return false;
    ellipse_path(pb, cx, cy, rx, ry);
  } else if (named(n, "line")) {
    double x1 = geom(w, n, "x1", 0, &ok), y1 = geom(w, n, "y1", 0, &ok);
    double x2 = geom(w, n, "x2", 0, &ok), y2 = geom(w, n, "y2", 0, &ok);
    if (!ok) return false;
    rp_svg_move(pb, x1, y1);
    rp_svg_line(pb, x2, y2);
    *fillable = false;
  } else {
    points_path(w, n, pb, named(n, "polygon"));
  }
  return ok;
}

static rp_color resolve(paint p, const style *st, double op) {
  rp_color c = p.kind == PAINT_CURRENT ? st->color : p.c;
  if (p.kind == PAINT_NONE) c.a = 0;
  c.a = (float)(c.a * op * st->opacity);
  return c;
}

/* Square root of the transform's area scale, and whether it scales x and y
 * alike without skew (a similarity), so a stroke keeps one width. */
static double scale_of(rp_svg_mat m, bool *uniform) {
  double sx2 = m.a * m.a + m.b * m.b, sy2 = m.c * m.c + m.d * m.d, dot = m.a * m.c + m.b * m.d;
  double big = fmax(sx2, sy2);
  *uniform = fabs(sx2 - sy2) <= 1e-6 * big && fabs(dot) <= 1e-6 * big;
  return sqrt(fabs(m.a * m.d - m.b * m.c));
}

static void shape(walker *w, const xmlNode *n, const style *st, rp_svg_mat m) {
  rp_svg_pb pb = {.a = w->a, .m = m, .budget = &w->budget};
  bool fillable;
  bool ok = outline(w, n, &pb, &fillable);
  if (pb.oom) {
    w->oom = true;
    return;
  }
  if (pb.over) {
    refuse(w, n, "the drawing has more than %d path segments: simplify it", RP_SVG_MAX_OPS);
    w->budget = 0;
    return;
  }
  if (!ok || pb.ops.len == 0 || st->hidden) return;
  rp_color fill = fillable ? resolve(st->fill, st, st->fill_op) : (rp_color){0};
  rp_color stroke = resolve(st->stroke, st, st->stroke_op);
  bool uniform;
  double k = scale_of(m, &uniform), lw = st->stroke_width * k;
  bool do_fill = fill.a > 0, do_stroke = stroke.a > 0 && lw > 0;
  if (!do_fill && !do_stroke) return;
  if (do_stroke) {
    const char *what = st->dash_offset != 0 && st->dash[0] > 0 ? "stroke-dashoffset"
                       : !uniform ? "a stroke under a stretched or skewed transform"
                                  : NULL;
    if (what) {
      refuse(w, n,
             "<%s> uses %s, which is not drawn: convert the stroke to a filled path "
             "(Inkscape: Path > Stroke to Path)",
             (const char *)n->name, what);
      return;
    }
  }
  /* Bounds: a shape wholly outside the drawing is clipped away by it (left
   * out: the same picture); one reaching absurdly far is refused. */
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  bool finite = !pb.overflow; /* each point checked: fmin and fmax skip NaN */
  const rp_path_op *ops = pb.ops.data;
  for (size_t i = 0; i < pb.ops.len; i++) {
    int np = ops[i].op == RP_PATH_CURVE ? 3 : ops[i].op == RP_PATH_CLOSE ? 0 : 1;
    for (int j = 0; j < np; j++) {
      finite = finite && isfinite(ops[i].x[j]) && isfinite(ops[i].y[j]);
      x0 = fmin(x0, ops[i].x[j]), x1 = fmax(x1, ops[i].x[j]);
      y0 = fmin(y0, ops[i].y[j]), y1 = fmax(y1, ops[i].y[j]);
    }
  }
  double pad = do_stroke ? lw : 0, reach = REACH * (w->w + w->h);
  if (!finite) {
    refuse(w, n, "<%s> has coordinates too large to draw", (const char *)n->name);
    return;
  }
  if (x1 + pad < 0 || y1 + pad < 0 || x0 - pad > w->w || y0 - pad > w->h) return;
  if (x0 < -reach || y0 < -reach || x1 > w->w + reach || y1 > w->h + reach) {
    refuse(w, n,
           "<%s> reaches more than %g times the image's size beyond its edges: "
           "crop the drawing to its view box",
           (const char *)n->name, REACH);
    return;
  }
  rp_svg_shape *sh = rp_vec_push(w->a, &w->shapes, sizeof *sh);
  if (!sh) {
    w->oom = true;
    return;
  }
  sh->ops = pb.ops.data;
  sh->n_ops = pb.ops.len;
  sh->fill = do_fill ? fill : (rp_color){0};
  sh->stroke = do_stroke ? stroke : (rp_color){0};
  sh->stroke_width = do_stroke ? lw : 0;
  sh->dash[0] = st->dash[0] * k;
  sh->dash[1] = st->dash[1] * k;
  sh->even_odd = st->even_odd;
  sh->cap = st->cap;
  sh->join = st->join;
  sh->miter = st->miter;
  sh->line = rp_xml_line(n);
}

/* ---- the walk ---------------------------------------------------------------- */

static bool is_shape(const xmlNode *n) {
  static const char *names[] = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (named(n, names[i])) return true;
  return false;
}

/* Elements never drawn where they stand: drawn only when referenced (and a
 * reference to one is refused where it is made), or descriptions. */
static bool is_silent(const xmlNode *n) {
  static const char *names[] = {"defs",     "symbol",         "title",          "desc",
                                "metadata", "linearGradient", "radialGradient", "pattern",
                                "clipPath", "mask",           "filter",         "marker"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (named(n, names[i])) return true;
  return false;
}

static void walk(walker *w, const xmlNode *parent, const style *inherited, rp_svg_mat m, int depth);

/* The element a <use> names (href or xlink:href, "#id"), or NULL (refused). */
static const xmlNode *use_target(walker *w, const xmlNode *n) {
  xmlChar *href = xmlGetNoNsProp(n, (const xmlChar *)"href");
  if (!href) href = xmlGetNsProp(n, (const xmlChar *)"href", (const xmlChar *)XLINK_NS);
  const xmlNode *t = NULL;
  if (!href || href[0] != '#')
    refuse(w, n, "<use href=\"%s\">: only a \"#id\" in the same file can be drawn",
           href ? (const char *)href : "");
  else if (!(t = find_id(w, (const char *)href + 1)))
    refuse(w, n, "<use href=\"%s\">: no element has that id", (const char *)href);
  xmlFree(href);
  for (const xmlNode *a = n; t && a; a = a->parent)
    if (a == t) {
      refuse(w, n, "<use> refers to an element that contains it: it would never end");
      return NULL;
    }
  return t;
}

/* Draws element n (a child of a container, or what a <use> names: then
 * `used`, so that it is drawn even inside <defs>, and a <symbol> without a
 * viewBox is a group). */
static void visit(walker *w, const xmlNode *n, const style *inherited, rp_svg_mat m, int depth,
                  bool used) {
  if (++w->elements > RP_SVG_MAX_ELEMENTS) {
    if (!w->too_many)
      refuse(w, n, "more than %d elements (counting those <use> repeats): simplify the drawing",
             RP_SVG_MAX_ELEMENTS);
    w->too_many = true;
    return;
  }
  if (!is_svg(n)) return; /* editors' own elements are not drawn */
  const char *name = (const char *)n->name;
  bool symbol = used && named(n, "symbol");
  if (symbol && xmlHasProp(n, (const xmlChar *)"viewBox")) {
    refuse(w, n, "<symbol> with a viewBox, drawn by <use>, is not drawn: unlink the clones");
    return;
  }
  if (!symbol && is_silent(n)) return;
  if (depth >= RP_SVG_MAX_DEPTH) {
    if (!w->too_deep)
      refuse(w, n, "elements nested more than %d deep (counting <use>): ungroup the drawing",
             RP_SVG_MAX_DEPTH);
    w->too_deep = true;
    return;
  }
  if (named(n, "text") || named(n, "tspan") || named(n, "textPath")) {
    refuse(w, n,
           "<%s> is text, which is not drawn from an SVG image: convert text to "
           "outlines (%s)",
           name, OUTLINES);
    return;
  }
  if (named(n, "image")) {
    refuse(w, n,
           "<image> embeds a raster picture, which is not drawn from an SVG image: "
           "vectorise it, or export the whole logo as PNG");
    return;
  }
  if (named(n, "style")) return; /* read before the walk (collect_sheets) */
  bool use = named(n, "use");
  bool container = named(n, "g") || named(n, "a") || symbol;
  if (!container && !use && !is_shape(n)) {
    refuse(w, n,
           "<%s> is not drawn from an SVG image (docs/svg.md lists what is): "
           "convert it to paths",
           name);
    return;
  }
  style st = *inherited;
  bool none = false;
  double own = 1;
  properties(w, n, &st, &none, &own);
  if (none) return;
  st.opacity = inherited->opacity * own;
  rp_svg_mat here = m;
  xmlChar *tf = xmlGetNoNsProp(n, (const xmlChar *)"transform");
  if (tf) {
    rp_svg_mat t;
    if (rp_svg_transform((const char *)tf, &t))
      here = rp_svg_mul(m, t);
    else
      refuse(w, n,
             "transform=\"%s\" cannot be read: write matrix(), translate(), scale(), "
             "rotate(), skewX() or skewY()",
             (const char *)tf);
    xmlFree(tf);
  }
  if (use) {
    const xmlNode *t = use_target(w, n);
    if (!t) return;
    bool ok = true;
    rp_svg_mat at = {1, 0, 0, 1, geom(w, n, "x", 0, &ok), geom(w, n, "y", 0, &ok)};
    if (ok) visit(w, t, &st, rp_svg_mul(here, at), depth + 1, true);
  } else if (container) {
    walk(w, n, &st, here, depth + 1);
  } else {
    shape(w, n, &st, here);
  }
}

static void walk(walker *w, const xmlNode *parent, const style *inherited, rp_svg_mat m,
                 int depth) {
  for (const xmlNode *n = parent->children; n && !w->oom && !w->too_many && !w->too_deep;
       n = n->next)
    if (n->type == XML_ELEMENT_NODE) visit(w, n, inherited, m, depth, false);
}

/* ---- the root: size and view box ------------------------------------------------ */

/* The root's width or height in px; 0 when absent or a percentage. */
static double root_length(walker *w, const xmlNode *root, const char *name) {
  xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)name);
  if (!v) return 0;
  double x = 0;
  bool pct = false;
  if (!rp_svg_length((const char *)v, &x, &pct) || (!pct && !(x > 0))) {
    refuse(w, root, "%s=\"%s\" of <svg> is not a positive length", name, (const char *)v);
    x = -1;
  } else if (pct) {
    x = 0;
  }
  xmlFree(v);
  return x;
}

/* Size and view box transform; false when refused. */
static bool root_frame(walker *w, const xmlNode *root, rp_svg_mat *m) {
  double rw = root_length(w, root, "width"), rh = root_length(w, root, "height");
  if (rw < 0 || rh < 0) return false;
  double vb[4] = {0};
  bool has_vb = false;
  xmlChar *v = xmlGetNoNsProp(root, (const xmlChar *)"viewBox");
  if (v) {
    const char *s = (const char *)v;
    int k = 0;
    while (k < 4 && rp_svg_number(&s, &vb[k])) k++, rp_svg_skip_sep(&s);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    has_vb = k == 4 && !*s && vb[2] > 0 && vb[3] > 0;
    if (!has_vb)
      refuse(w, root, "viewBox=\"%s\" is not four numbers with a positive width and height",
             (const char *)v);
    xmlFree(v);
    if (!has_vb) return false;
  }
  if (rw == 0 && rh == 0 && has_vb) rw = vb[2], rh = vb[3];
  if (rw == 0 && has_vb) rw = rh * vb[2] / vb[3];
  if (rh == 0 && has_vb) rh = rw * vb[3] / vb[2];
  if (!(rw > 0 && rh > 0)) {
    refuse(w, root, "the image has no size: give <svg> a viewBox (or a width and height)");
    return false;
  }
  if (rw > RP_SVG_MAX_SIDE || rh > RP_SVG_MAX_SIDE || rw < 0.01 || rh < 0.01) {
    refuse(w, root,
           "its size, %g × %g px, is outside 0.01–%g px: give <svg> a sensible "
           "width and height",
           rw, rh, RP_SVG_MAX_SIDE);
    return false;
  }
  w->w = rw;
  w->h = rh;
  if (!has_vb) {
    *m = RP_SVG_IDENTITY;
    return true;
  }
  /* preserveAspectRatio: [defer] <align> [meet | slice]; default xMidYMid meet. */
  double ax = 0.5, ay = 0.5;
  bool none = false, slice = false;
  xmlChar *par = xmlGetNoNsProp(root, (const xmlChar *)"preserveAspectRatio");
  if (par) {
    const char *p = (const char *)par;
    none = strstr(p, "none") != NULL;
    slice = strstr(p, "slice") != NULL;
    if (strstr(p, "xMin")) ax = 0;
    if (strstr(p, "xMax")) ax = 1;
    if (strstr(p, "YMin")) ay = 0;
    if (strstr(p, "YMax")) ay = 1;
    xmlFree(par);
  }
  double sx = rw / vb[2], sy = rh / vb[3];
  if (!none) {
    sx = sy = slice ? fmax(sx, sy) : fmin(sx, sy);
  }
  double tx = -vb[0] * sx + (none ? 0 : (rw - vb[2] * sx) * ax);
  double ty = -vb[1] * sy + (none ? 0 : (rh - vb[3] * sy) * ay);
  *m = (rp_svg_mat){sx, 0, 0, sy, tx, ty};
  return isfinite(tx) && isfinite(ty) && sx > 0 && sy > 0;
}

/* ---- public ----------------------------------------------------------------------- */

bool rp_svg_sniff(const uint8_t *data, size_t len) {
  size_t i = 0;
  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) i = 3;
  while (i < len && strchr(" \t\r\n", data[i]) && data[i]) i++;
  return i < len && data[i] == '<';
}

rp_status rp_svg_load(rp_arena *a, const char *path, rp_diag *d, rp_svg **out, double *width,
                      double *height) {
  *out = NULL;
  if (width) *width = 0;
  if (height) *height = 0;
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
      (unsigned long long)sb.st_size > RP_SVG_MAX_BYTES)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "SVG image: %lld bytes, over the limit of %u: simplify the drawing",
                         (long long)sb.st_size, RP_SVG_MAX_BYTES);
  xmlDocPtr doc = NULL;
  rp_status st = rp_xml_load(path, NULL, d, &doc);
  if (st != RP_OK) return st;
  walker w = {.a = a, .d = d, .file = path, .doc = doc, .budget = RP_SVG_MAX_OPS};
  const xmlNode *root = xmlDocGetRootElement(doc);
  rp_svg_mat m;
  if (!root || !is_svg(root) || !named(root, "svg")) {
    rp_diag_error(d, RP_ERR_INPUT, path, root ? rp_xml_line(root) : 0, 0,
                  "SVG image: the document is not an SVG (its root element is <%s>, not <svg>)",
                  root ? (const char *)root->name : "");
    xmlFreeDoc(doc);
    return RP_ERR_INPUT;
  }
  if (root_frame(&w, root, &m)) {
    if (width) *width = w.w;
    if (height) *height = w.h;
    style base = {.fill = {PAINT_COLOR, {0, 0, 0, 1}},
                  .stroke = {PAINT_NONE, {0, 0, 0, 1}},
                  .fill_op = 1,
                  .stroke_op = 1,
                  .opacity = 1,
                  .stroke_width = 1,
                  .miter = 4,
                  .color = {0, 0, 0, 1}};
    bool none = false;
    double own = 1;
    collect_sheets(&w, root);
    index_ids(&w, root);
    if (w.ids.len > 1) qsort(w.ids.data, w.ids.len, sizeof(id_entry), cmp_id);
    properties(&w, root, &base, &none, &own);
    base.opacity = own;
    xmlChar *tf = xmlGetNoNsProp(root, (const xmlChar *)"transform");
    if (tf) {
      rp_svg_mat t;
      if (rp_svg_transform((const char *)tf, &t))
        m = rp_svg_mul(m, t);
      else
        refuse(&w, root, "transform=\"%s\" cannot be read", (const char *)tf);
      xmlFree(tf);
    }
    if (!none) walk(&w, root, &base, m, 1);
  }
  xmlFreeDoc(doc);
  if (w.oom) return rp_diag_oom(d);
  if (w.failed || w.w <= 0) return rp_diag_status(d) != RP_OK ? rp_diag_status(d) : RP_ERR_INPUT;
  rp_svg *svg = rp_arena_alloc(a, sizeof *svg);
  const char *copy = rp_arena_strdup(a, path);
  if (!svg || !copy) return rp_diag_oom(d);
  svg->path = copy;
  svg->width = w.w;
  svg->height = w.h;
  svg->shapes = w.shapes.data;
  svg->n_shapes = w.shapes.len;
  *out = svg;
  return RP_OK;
}

bool rp_svg_items(rp_arena *a, const rp_svg *svg, double x, double y, double w, double h,
                  const rp_src *src, rp_item **items) {
  *items = NULL;
  if (svg->n_shapes == 0) return true;
  rp_item *it = rp_arena_calloc(a, svg->n_shapes, sizeof *it);
  if (!it) return false;
  double kx = w / svg->width, ky = h / svg->height, k = sqrt(fabs(kx * ky));
  for (size_t i = 0; i < svg->n_shapes; i++) {
    const rp_svg_shape *sh = &svg->shapes[i];
    rp_path_op *ops = rp_arena_calloc(a, sh->n_ops, sizeof *ops);
    if (!ops) return false;
    for (size_t j = 0; j < sh->n_ops; j++) {
      ops[j].op = sh->ops[j].op;
      for (int p = 0; p < 3; p++) {
        ops[j].x[p] = x + sh->ops[j].x[p] * kx;
        ops[j].y[p] = y + sh->ops[j].y[p] * ky;
      }
    }
    it[i].kind = RP_ITEM_PATH;
    it[i].x = x;
    it[i].y = y;
    it[i].w = w;
    it[i].h = h;
    if (src) it[i].src = *src;
    it[i].u.path.ops = ops;
    it[i].u.path.n_ops = sh->n_ops;
    it[i].u.path.fill = sh->fill;
    it[i].u.path.stroke = sh->stroke;
    it[i].u.path.stroke_width = sh->stroke_width * k;
    it[i].u.path.dash[0] = sh->dash[0] * k;
    it[i].u.path.dash[1] = sh->dash[1] * k;
    it[i].u.path.even_odd = sh->even_odd;
  }
  *items = it;
  return true;
}
