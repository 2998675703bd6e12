/* style — named paragraph and character styles, inheritance and defaults.
 *
 * A style sets some attributes and inherits the rest from its parent (a
 * chain ending in the defaults below); a parent cycle is an error. Character
 * styles (em, strong, link, and any style named by <span style>) are applied
 * on top of the paragraph style of the text they sit in, and carry only the
 * attributes they or their parents set: <strong> inside a 24pt heading stays
 * 24pt. Leading follows size: a style that changes size without giving a
 * leading keeps its parent's ratio of leading to size.
 *
 * Defaults (a style that sets nothing): font role "body" (else the first
 * role declared), regular face, 10pt on 1.2 × size leading, black, left
 * aligned, no spacing, indent or tracking. The faces of a role fall back
 * bold-italic → bold → italic → regular when absent, with a warning. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/def.h"
#include "template/units.h"

#define SET(p, bit) ((p)->set & (1u << (bit)))

/* Bounds that keep text geometry finite: leading as a multiple of the size,
 * and tracking in thousandths of an em, either way. */
#define LEADING_RATIO_MAX 100
#define TRACKING_MAX 1000

static rp_style_props defaults(const rp_layout_def *l) {
  int role = rp_font_role_find(l, "body");
  return (rp_style_props){.role = role >= 0 ? role : 0,
                          .size = 10,
                          .leading = 1.2,
                          .leading_ratio = true,
                          .color = {0, 0, 0, 1},
                          .align = RP_ALIGN_LEFT,
                          .kerning = true};
}

/* `own` over `base`: the attributes own sets replace base's. */
static rp_style_props overlay(rp_style_props base, const rp_style_props *own) {
  rp_style_props r = base;
  if (SET(own, RP_SP_FONT)) r.role = own->role;
  if (SET(own, RP_SP_BOLD)) r.bold = own->bold;
  if (SET(own, RP_SP_ITALIC)) r.italic = own->italic;
  if (SET(own, RP_SP_SIZE)) {
    if (!SET(own, RP_SP_LEADING) && !base.leading_ratio && base.size > 0) {
      r.leading = base.leading / base.size; /* keep the proportion */
      r.leading_ratio = true;
    }
    r.size = own->size;
  }
  if (SET(own, RP_SP_LEADING)) {
    r.leading = own->leading;
    r.leading_ratio = own->leading_ratio;
  }
  if (SET(own, RP_SP_TRACKING)) r.tracking = own->tracking;
  if (SET(own, RP_SP_COLOR)) r.color = own->color;
  if (SET(own, RP_SP_ALIGN)) r.align = own->align;
  if (SET(own, RP_SP_SPACE_BEFORE)) r.space_before = own->space_before;
  if (SET(own, RP_SP_SPACE_AFTER)) r.space_after = own->space_after;
  if (SET(own, RP_SP_INDENT)) r.indent = own->indent;
  if (SET(own, RP_SP_UPPERCASE)) r.uppercase = own->uppercase;
  if (SET(own, RP_SP_UNDERLINE)) r.underline = own->underline;
  if (SET(own, RP_SP_KEEP_WITH_NEXT)) r.keep_with_next = own->keep_with_next;
  if (SET(own, RP_SP_MAX_LINES)) r.max_lines = own->max_lines;
  if (SET(own, RP_SP_MIN_SIZE)) r.min_size = own->min_size;
  if (SET(own, RP_SP_HYPHENATE)) r.hyphenate = own->hyphenate;
  if (SET(own, RP_SP_KERNING)) r.kerning = own->kerning;
  if (SET(own, RP_SP_FIGURES)) r.figures = own->figures;
  if (SET(own, RP_SP_GRID)) r.grid = own->grid;
  r.set = base.set | own->set;
  return r;
}

/* The face of role for bold/italic, falling back when absent. *fallback
 * names what was used instead, or stays NULL. */
static int pick_face(const rp_layout_def *l, int role, bool bold, bool italic,
                     const char **fallback) {
  static const char *const names[4] = {"regular", "bold", "italic", "bold-italic"};
  if (role < 0 || (size_t)role >= l->roles.len) return 0;
  const rp_font_role *r = &RP_VEC_AT(l->roles, rp_font_role, role);
  int want = (bold ? 1 : 0) + (italic ? 2 : 0);
  static const int order[4][4] = {{0, -1}, {1, 0, -1}, {2, 0, -1}, {3, 1, 2, 0}};
  for (int i = 0; i < 4 && order[want][i] >= 0; i++) {
    int f = order[want][i];
    if (r->face[f] >= 0) {
      if (i > 0) *fallback = names[f];
      return r->face[f];
    }
  }
  return 0;
}

/* The faces of the role's fallback roles in the same slot, for characters
 * the style's own face lacks. A fallback role with fewer faces serves every
 * slot from what it has, silently: that is what a fallback is for. */
static void fallback_faces(const rp_layout_def *l, const rp_style_props *p, rp_style *s) {
  s->n_fallback = 0;
  if (p->role < 0 || (size_t)p->role >= l->roles.len) return;
  const rp_font_role *r = &RP_VEC_AT(l->roles, rp_font_role, p->role);
  for (int i = 0; i < r->n_fallback; i++) {
    const char *unused = NULL;
    int face = pick_face(l, r->fallback_role[i], p->bold, p->italic, &unused);
    bool dup = face == s->font;
    for (int k = 0; k < s->n_fallback; k++) dup |= s->fallback[k] == face;
    if (!dup) s->fallback[s->n_fallback++] = face;
  }
}

static void props_to_style(const rp_layout_def *l, const rp_style_props *p, rp_style *s,
                           const char **fallback) {
  s->font = pick_face(l, p->role, p->bold, p->italic, fallback);
  fallback_faces(l, p, s);
  s->size = p->size;
  s->leading = p->leading_ratio ? p->leading * p->size : p->leading;
  s->tracking = p->tracking;
  s->color = p->color;
  s->align = p->align;
  s->space_before = p->space_before;
  s->space_after = p->space_after;
  s->indent = p->indent;
  s->uppercase = p->uppercase;
  s->underline = p->underline;
  s->keep_with_next = p->keep_with_next;
  s->max_lines = p->max_lines;
  s->min_size = p->min_size;
  /* justified text hyphenates unless told not to; other text when told */
  s->hyphenate = SET(p, RP_SP_HYPHENATE) ? p->hyphenate : p->align == RP_ALIGN_JUSTIFY;
  s->kerning = p->kerning;
  s->figures = p->figures;
  s->grid = p->grid;
}

static size_t name_hash(const char *s) {
  size_t h = 14695981039346656037u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* The index's slot for `name`: its style's, or the free one it would take. */
static size_t index_slot(rp_style_def *const *slots, size_t cap, const char *name) {
  size_t mask = cap - 1, i = name_hash(name) & mask;
  while (slots[i] && strcmp(slots[i]->name, name) != 0) i = (i + 1) & mask;
  return i;
}

/* Indexes `s`, just added to l->styles under a name no other there has. The
 * index stays at most half full; when it cannot grow, the list is searched
 * from then on (the same answers, more slowly). */
static void index_add(rp_layout_def *l, rp_style_def *s) {
  if (l->style_index.off) return;
  if ((l->style_index.used + 1) * 2 > l->style_index.cap) {
    size_t cap = l->style_index.cap ? l->style_index.cap * 2 : 256;
    rp_style_def **slots = rp_arena_calloc(l->a, cap, sizeof *slots);
    if (!slots) {
      l->style_index.off = true;
      return;
    }
    for (size_t i = 0; i < l->style_index.cap; i++) {
      rp_style_def *old = l->style_index.slot[i];
      if (old) slots[index_slot(slots, cap, old->name)] = old;
    }
    l->style_index.slot = slots;
    l->style_index.cap = cap;
  }
  l->style_index.slot[index_slot(l->style_index.slot, l->style_index.cap, s->name)] = s;
  l->style_index.used++;
}

const rp_style_def *rp_style_find(const rp_layout_def *l, const char *name) {
  if (!l->style_index.off) {
    if (!l->style_index.cap) return NULL;
    return l->style_index.slot[index_slot(l->style_index.slot, l->style_index.cap, name)];
  }
  for (size_t i = 0; i < l->styles.len; i++) {
    const rp_style_def *s = RP_VEC_AT(l->styles, rp_style_def *, i);
    if (strcmp(s->name, name) == 0) return s;
  }
  return NULL;
}

const rp_style_def *rp_def_style_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                                      bool *ok) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return NULL;
  const rp_style_def *s = rp_style_find(l, v);
  if (!s) {
    rp_def_error(l, n,
                 "unknown style \"%s\" in <%s %s>; define it in <brand> with <style "
                 "name=\"%s\" …/>",
                 v, (const char *)n->name, attr, v);
    *ok = false;
  }
  return s;
}

const rp_style_def *rp_style_char(const rp_layout_def *l, const char *name) {
  return rp_style_find(l, name);
}

/* Reads one length-valued style attribute into *out and sets its bit. */
static void style_length(rp_layout_def *l, xmlNode *n, const char *attr, int bit, double *out,
                         rp_style_props *p) {
  if (!xmlHasProp(n, (const xmlChar *)attr)) return;
  if (rp_def_length(l, n, attr, RP_NO_PERCENT, out)) p->set |= 1u << bit;
}

static void style_bool(rp_layout_def *l, xmlNode *n, const char *attr, int bit, bool *out,
                       rp_style_props *p) {
  if (!xmlHasProp(n, (const xmlChar *)attr)) return;
  if (rp_def_bool(l, n, attr, out)) p->set |= 1u << bit;
}

rp_status rp_style_collect(rp_layout_def *l, xmlNode *n) {
  size_t errors = l->d->errors;
  const char *name = rp_def_attr(l, n, "name");
  if (!name) return RP_OK; /* the schema requires it */
  /* A layout that extends another amends the base's style of the same name:
   * what it sets replaces, the rest stays (docs/layout.md, "Extending a layout"). */
  rp_style_def *amended = (rp_style_def *)rp_style_find(l, name);
  if (amended && !(amended->base && !rp_def_from_base(l, n)))
    return rp_def_error(l, n, "style \"%s\" is defined twice; remove or rename one", name);
  rp_style_def *s = rp_arena_calloc(l->a, 1, sizeof *s);
  rp_style_def **slot = s && !amended ? rp_vec_push(l->a, &l->styles, sizeof *slot) : NULL;
  if (!s || (!amended && !slot)) {
    rp_def_out_of_memory(l);
    return RP_ERR_INTERNAL;
  }
  if (slot) *slot = s;
  s->base = rp_def_from_base(l, n);
  s->name = name;
  if (slot) index_add(l, s);
  s->parent = rp_def_attr(l, n, "parent");
  s->file = rp_def_file(l, n);
  s->line = (int)xmlGetLineNo(n);
  rp_style_props *p = &s->own;

  const char *font = rp_def_attr(l, n, "font");
  if (font) {
    p->role = rp_font_role_find(l, font);
    if (p->role < 0)
      rp_def_error(l, n,
                   "unknown font role \"%s\" in <style name=\"%s\">; declare it in <brand> with "
                   "<font role=\"%s\" regular=\"…\"/>",
                   font, name, font);
    else
      p->set |= 1u << RP_SP_FONT;
  }
  style_bool(l, n, "bold", RP_SP_BOLD, &p->bold, p);
  style_bool(l, n, "italic", RP_SP_ITALIC, &p->italic, p);
  style_length(l, n, "size", RP_SP_SIZE, &p->size, p);
  if (SET(p, RP_SP_SIZE) && p->size <= 0)
    rp_def_error(l, n, "<style name=\"%s\">: size must be more than 0", name);

  const char *leading = rp_def_attr(l, n, "leading");
  if (leading) {
    char *end;
    double ratio = strtod(leading, &end);
    if (end != leading && *end == '\0') {
      /* a bare number: a multiple of the size */
      if (ratio <= LEADING_RATIO_MAX) {
        p->leading = ratio;
        p->leading_ratio = true;
        p->set |= 1u << RP_SP_LEADING;
      } else { /* also NaN */
        rp_def_error(l, n,
                     "<style name=\"%s\">: leading=\"%s\" is a multiple of the size; give at "
                     "most %d, or a length (e.g. \"14pt\")",
                     name, leading, LEADING_RATIO_MAX);
      }
    } else {
      style_length(l, n, "leading", RP_SP_LEADING, &p->leading, p);
    }
    if (SET(p, RP_SP_LEADING) && p->leading <= 0)
      rp_def_error(l, n, "<style name=\"%s\">: leading must be more than 0", name);
  }

  const char *tracking = rp_def_attr(l, n, "tracking");
  if (tracking) {
    char *end;
    p->tracking = strtod(tracking, &end);
    if (end == tracking || *end || !(fabs(p->tracking) <= TRACKING_MAX))
      rp_def_error(l, n,
                   "<style tracking=\"%s\">: tracking is a number of thousandths of an em, "
                   "from -%d to %d (e.g. \"50\")",
                   tracking, TRACKING_MAX, TRACKING_MAX);
    else
      p->set |= 1u << RP_SP_TRACKING;
  }
  if (xmlHasProp(n, (const xmlChar *)"color") && rp_def_color(l, n, "color", &p->color))
    p->set |= 1u << RP_SP_COLOR;

  const char *align = rp_def_attr(l, n, "align");
  if (align) {
    static const char *const names[] = {"left", "right", "center", "justify"};
    for (int i = 0; i < 4; i++)
      if (strcmp(align, names[i]) == 0) {
        p->align = (rp_align)i;
        p->set |= 1u << RP_SP_ALIGN;
      }
  }
  style_length(l, n, "space-before", RP_SP_SPACE_BEFORE, &p->space_before, p);
  style_length(l, n, "space-after", RP_SP_SPACE_AFTER, &p->space_after, p);
  style_length(l, n, "indent", RP_SP_INDENT, &p->indent, p);
  style_bool(l, n, "uppercase", RP_SP_UPPERCASE, &p->uppercase, p);
  style_bool(l, n, "underline", RP_SP_UNDERLINE, &p->underline, p);
  style_bool(l, n, "keep-with-next", RP_SP_KEEP_WITH_NEXT, &p->keep_with_next, p);
  style_bool(l, n, "hyphenate", RP_SP_HYPHENATE, &p->hyphenate, p);
  style_bool(l, n, "kerning", RP_SP_KERNING, &p->kerning, p);
  const char *figures = rp_def_attr(l, n, "figures"); /* the schema allows these three */
  if (figures) {
    static const char *const names[] = {"default", "tabular", "proportional"};
    for (int i = 0; i < 3; i++)
      if (strcmp(figures, names[i]) == 0) {
        p->figures = (rp_figures)i;
        p->set |= 1u << RP_SP_FIGURES;
      }
  }
  const char *grid = rp_def_attr(l, n, "grid");
  if (grid) {
    static const char *const names[] = {"auto", "snap", "centre", "none"};
    for (int i = 0; i < 4; i++)
      if (strcmp(grid, names[i]) == 0) {
        p->grid = (rp_grid_mode)i;
        p->set |= 1u << RP_SP_GRID;
      }
  }
  if (xmlHasProp(n, (const xmlChar *)"max-lines") &&
      rp_def_int(l, n, "max-lines", 0, 1000, &p->max_lines))
    p->set |= 1u << RP_SP_MAX_LINES;
  style_length(l, n, "min-size", RP_SP_MIN_SIZE, &p->min_size, p);
  if (amended) {
    amended->own = overlay(amended->own, &s->own);
    if (s->parent) amended->parent = s->parent;
    amended->file = s->file; /* messages about the style name the amendment */
    amended->line = s->line;
    amended->base = false; /* amended once */
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}

static bool add_builtin(rp_layout_def *l, const char *name, rp_style_props own) {
  if (rp_style_find(l, name)) return true;
  rp_style_def *s = rp_arena_alloc(l->a, sizeof *s);
  rp_style_def **slot = s ? rp_vec_push(l->a, &l->styles, sizeof *slot) : NULL;
  if (!slot) return rp_def_out_of_memory(l);
  *slot = s;
  s->name = name;
  index_add(l, s);
  s->file = l->path;
  s->own = own;
  return true;
}

/* Resolves s and its ancestors; false on a cycle or unknown parent. */
static bool resolve(rp_layout_def *l, rp_style_def *s, const rp_style_props *base) {
  if (s->state == 2) return true;
  if (s->state == 3) return false;
  if (s->state == 1) {
    rp_diag_error(l->d, RP_ERR_INPUT, s->file, s->line, 0,
                  "style \"%s\" inherits from itself (parent cycle); break the cycle of "
                  "parent= attributes",
                  s->name);
    s->state = 3;
    return false;
  }
  s->state = 1;
  rp_style_props parent_full = *base;
  if (s->parent) {
    rp_style_def *p = (rp_style_def *)rp_style_find(l, s->parent);
    if (!p) {
      rp_diag_error(l->d, RP_ERR_INPUT, s->file, s->line, 0,
                    "unknown style \"%s\" in <style name=\"%s\" parent>; define it, or remove "
                    "parent=",
                    s->parent, s->name);
      s->state = 3;
      return false;
    }
    if (!resolve(l, p, base)) {
      if (s->state == 1) s->state = 3;
      return false;
    }
    parent_full = p->full;
  }
  if (s->state == 3) return false; /* reported as part of a cycle */
  s->full = overlay(parent_full, &s->own);
  s->style = rp_arena_alloc(l->a, sizeof *s->style);
  if (!s->style) return rp_def_out_of_memory(l);
  const char *fallback = NULL;
  props_to_style(l, &s->full, s->style, &fallback);
  s->style->name = s->name;
  s->style->src_file = s->file;
  s->style->src_line = s->line;
  if (fallback && s->line > 0)
    rp_diag_warn(l->d, s->file, s->line, 0,
                 "style \"%s\": font role \"%s\" has no %s%s face; using its %s face", s->name,
                 RP_VEC_AT(l->roles, rp_font_role, s->full.role).name, s->full.bold ? "bold" : "",
                 s->full.italic ? (s->full.bold ? "-italic" : "italic") : "", fallback);
  s->state = 2;
  return true;
}

/* Resolves each role's <font fallback> names, once all <brand>s are loaded
 * (a fallback role may be declared after, or in another fragment). */
static void resolve_fallbacks(rp_layout_def *l) {
  for (size_t i = 0; i < l->roles.len; i++) {
    rp_font_role *r = &RP_VEC_AT(l->roles, rp_font_role, i);
    r->n_fallback = 0;
    for (const char *s = r->fallback; s && *s;) {
      size_t n = strcspn(s, " \t\r\n");
      if (n == 0) {
        s++;
        continue;
      }
      char name[128];
      snprintf(name, sizeof name, "%.*s", (int)n, s);
      s += n;
      int role = rp_font_role_find(l, name);
      if (role < 0)
        rp_diag_error(l->d, RP_ERR_INPUT, r->file, r->line, 0,
                      "<font role=\"%s\" fallback>: unknown font role \"%s\"; declare it with "
                      "<font role=\"%s\" regular=\"…\"/>",
                      r->name, name, name);
      else if ((size_t)role == i)
        rp_diag_error(l->d, RP_ERR_INPUT, r->file, r->line, 0,
                      "<font role=\"%s\" fallback>: a role cannot be its own fallback; name "
                      "another role",
                      r->name);
      else if (r->n_fallback == RP_FONT_MAX_FALLBACK)
        rp_diag_error(l->d, RP_ERR_INPUT, r->file, r->line, 0,
                      "<font role=\"%s\" fallback>: at most %d fallback roles; remove \"%s\"",
                      r->name, RP_FONT_MAX_FALLBACK, name);
      else
        r->fallback_role[r->n_fallback++] = role;
    }
  }
}

rp_status rp_styles_resolve(rp_layout_def *l) {
  size_t errors = l->d->errors;
  resolve_fallbacks(l);
  /* The character styles inline markup uses, when the brand defines none. */
  rp_style_props em = {.set = 1u << RP_SP_ITALIC, .italic = true};
  rp_style_props strong = {.set = 1u << RP_SP_BOLD, .bold = true};
  rp_style_props link = {.set = 1u << RP_SP_UNDERLINE, .underline = true};
  for (size_t i = 0; i < l->colors.len; i++) {
    const rp_named_color *c = &RP_VEC_AT(l->colors, rp_named_color, i);
    if (strcmp(c->name, "link") == 0) {
      link.color = c->color;
      link.set |= 1u << RP_SP_COLOR;
    }
  }
  if (!add_builtin(l, "em", em) || !add_builtin(l, "strong", strong) ||
      !add_builtin(l, "link", link))
    return RP_ERR_INTERNAL;
  rp_style_props base = defaults(l);
  for (size_t i = 0; i < l->styles.len; i++) {
    rp_style_def *s = RP_VEC_AT(l->styles, rp_style_def *, i);
    resolve(l, s, &base);
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}

typedef struct derived {
  const rp_style_def *para;
  const rp_style_def **chars;
  size_t n;
  rp_style *style;
} derived;

const rp_style *rp_style_derive(rp_arena *a, rp_diag *d, const rp_layout_def *l, rp_vec *cache,
                                const rp_style_def *para, const rp_style_def *const *chars,
                                size_t n) {
  if (n == 0) return para->style;
  for (size_t i = 0; i < cache->len; i++) {
    const derived *e = &RP_VEC_AT(*cache, derived, i);
    if (e->para == para && e->n == n && memcmp(e->chars, chars, n * sizeof *chars) == 0)
      return e->style;
  }
  rp_style_props p = para->full;
  size_t name_len = strlen(para->name);
  for (size_t i = 0; i < n; i++) {
    p = overlay(p, &chars[i]->full);
    name_len += 1 + strlen(chars[i]->name);
  }
  derived *e = rp_vec_push(a, cache, sizeof *e);
  rp_style *s = rp_arena_alloc(a, sizeof *s);
  char *name = rp_arena_alloc(a, name_len + 1);
  const rp_style_def **copy = rp_arena_calloc(a, n, sizeof *copy);
  if (!e || !s || !name || !copy) return NULL;
  strcpy(name, para->name);
  for (size_t i = 0; i < n; i++) {
    strcat(name, "+");
    strcat(name, chars[i]->name);
    copy[i] = chars[i];
  }
  const char *fallback = NULL;
  props_to_style(l, &p, s, &fallback);
  s->name = name;
  s->src_file = para->file;
  s->src_line = para->line;
  if (fallback)
    rp_diag_warn(d, para->file, para->line, 0,
                 "text in style \"%s\" asks for a %s%s face of font role \"%s\", which it lacks; "
                 "using its %s face",
                 name, p.bold ? "bold" : "", p.italic ? (p.bold ? "-italic" : "italic") : "",
                 RP_VEC_AT(l->roles, rp_font_role, p.role).name, fallback);
  *e = (derived){para, copy, n, s};
  return s;
}
