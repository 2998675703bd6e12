/* brand — the colours, fonts and parameters of a layout's <brand> elements.
 *
 * Colours are named values that styles, boxes and decorations refer to.
 * Parameters are named values that XPath expressions read as $name: what
 * shared templates leave to each layout (cards per row). Font
 * roles name up to four faces (regular, bold, italic, bold-italic) loaded into
 * the layout's fontset, and may name fallback roles for the characters their
 * faces lack (resolved with the styles, style.c, once every role is known). A face's path is
 * relative to the file that names it (the layout, or a fragment it includes) and must stay inside
 * the layout's project, the folder above the layout's own (base/path.h). A role may instead
 * name a family (<font family>): fontconfig finds its faces on the system (font/family.c). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "template/def.h"
#include "template/units.h"

int rp_font_role_find(const rp_layout_def *l, const char *name) {
  for (size_t i = 0; i < l->roles.len; i++)
    if (strcmp(RP_VEC_AT(l->roles, rp_font_role, i).name, name) == 0) return (int)i;
  return -1;
}

static const rp_named_color *color_find(const rp_layout_def *l, const char *name) {
  for (size_t i = 0; i < l->colors.len; i++) {
    const rp_named_color *c = &RP_VEC_AT(l->colors, rp_named_color, i);
    if (strcmp(c->name, name) == 0) return c;
  }
  return NULL;
}

bool rp_brand_color(const rp_layout_def *l, const char *name, rp_color *out) {
  const rp_named_color *c = color_find(l, name);
  if (c) *out = c->color;
  return c != NULL;
}

bool rp_def_color(rp_layout_def *l, const xmlNode *n, const char *attr, rp_color *out) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return true;
  const rp_named_color *c = color_find(l, v);
  if (c) {
    *out = c->color;
    return true;
  }
  const char *err = rp_color_parse(v, out);
  if (!err) return true;
  if (v[0] == '#')
    rp_def_error(l, n, "<%s %s=\"%s\">: %s", (const char *)n->name, attr, v, err);
  else
    rp_def_error(l, n,
                 "unknown colour \"%s\" in <%s %s>; define it in <brand> with <color "
                 "name=\"%s\" value=\"#rrggbb\"/>, or write #rrggbb",
                 v, (const char *)n->name, attr, v);
  return false;
}

const rp_param_def *rp_param_find(const rp_layout_def *l, const char *name, size_t len) {
  for (size_t i = 0; i < l->params.len; i++) {
    const rp_param_def *p = &RP_VEC_AT(l->params, rp_param_def, i);
    if (strlen(p->name) == len && strncmp(p->name, name, len) == 0) return p;
  }
  return NULL;
}

static void load_param(rp_layout_def *l, xmlNode *n) {
  const char *name = rp_def_attr(l, n, "name");
  const char *value = rp_def_attr(l, n, "value");
  if (!name || !value) return;
  static const char *const reserved[] = {"key",     "group",         "page",        "pages",
                                         "section", "section-first", "section-last"};
  for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    if (strcmp(name, reserved[i]) == 0) {
      rp_def_error(l, n,
                   "<param name=\"%s\">: $%s is a variable of the language; choose another name",
                   name, name);
      return;
    }
  rp_param_def *p = (rp_param_def *)rp_param_find(l, name, strlen(name));
  if (p && !(p->base && !rp_def_from_base(l, n))) {
    rp_def_error(l, n, "parameter \"%s\" is defined twice; remove or rename one", name);
    return;
  }
  /* a layout that extends another gives the base's parameter its own value */
  if (!p) p = rp_vec_push(l->a, &l->params, sizeof *p);
  if (!p) {
    rp_def_out_of_memory(l);
    return;
  }
  p->name = name;
  p->value = value;
  p->line = (int)xmlGetLineNo(n);
  p->base = rp_def_from_base(l, n);
}

/* The print form of a brand colour: cmyk="c m y k" in percent and a spot
 * ink's name, which needs the CMYK it is shown as where the ink is not used
 * (its alternate). Kept in l->print_colors for print output. */
static void load_print_color(rp_layout_def *l, xmlNode *n, rp_color rgb) {
  const char *cmyk = rp_def_attr(l, n, "cmyk");
  const char *spot = rp_def_attr(l, n, "spot");
  if (!cmyk && !spot) return;
  if (!cmyk) {
    rp_def_error(l, n,
                 "<color spot=\"%s\"> needs the CMYK the spot colour is shown as without "
                 "its ink: add cmyk=\"c m y k\"",
                 spot);
    return;
  }
  double v[4];
  const char *p = cmyk;
  for (int i = 0; i < 4; i++) {
    char *end;
    v[i] = strtod(p, &end);
    if (end == p || v[i] < 0 || v[i] > 100) {
      rp_def_error(l, n,
                   "<color cmyk=\"%s\">: write four percentages from 0 to 100, cyan "
                   "magenta yellow black, e.g. cmyk=\"70 95 0 5\"",
                   cmyk);
      return;
    }
    p = end + strspn(end, "%, \t");
  }
  if (*p) {
    rp_def_error(l, n, "<color cmyk=\"%s\">: more than four values; write c m y k", cmyk);
    return;
  }
  rp_print_color *pc = rp_vec_push(l->a, &l->print_colors, sizeof *pc);
  if (!pc) {
    rp_def_out_of_memory(l);
    return;
  }
  *pc = (rp_print_color){
      rgb,
      {(float)(v[0] / 100), (float)(v[1] / 100), (float)(v[2] / 100), (float)(v[3] / 100)},
      spot};
}

static void load_color(rp_layout_def *l, xmlNode *n) {
  const char *name = rp_def_attr(l, n, "name");
  if (!name) return;
  rp_named_color *nc = (rp_named_color *)color_find(l, name);
  if (nc && !(nc->base && !rp_def_from_base(l, n))) {
    rp_def_error(l, n, "colour \"%s\" is defined twice; remove or rename one", name);
    return;
  }
  rp_color c;
  if (!rp_def_color(l, n, "value", &c)) return;
  load_print_color(l, n, c);
  /* a layout that extends another gives the base's colour its own value */
  if (!nc) nc = rp_vec_push(l->a, &l->colors, sizeof *nc);
  if (!nc) {
    rp_def_out_of_memory(l);
    return;
  }
  nc->name = name;
  nc->color = c;
  nc->line = (int)xmlGetLineNo(n);
  nc->base = rp_def_from_base(l, n);
}

/* Loads one face; -1 when absent or failing (the failure is reported). */
static int load_face(rp_layout_def *l, xmlNode *n, const char *attr) {
  const char *rel = rp_def_attr(l, n, attr);
  if (!rel) return -1;
  const char *file = rp_def_file(l, n);
  int line = (int)xmlGetLineNo(n);
  char *dir = rp_path_dir(l->a, file);
  char *full = dir ? rp_path_join(l->a, dir, rel) : NULL;
  if (!full) {
    rp_def_out_of_memory(l);
    return -1;
  }
  if (access(full, F_OK) == 0 && !rp_path_inside(full, l->root)) {
    rp_def_error(l, n,
                 "<font %s=\"%s\"> lies outside the layout's project (%s); copy the font into "
                 "the project, e.g. into fonts/",
                 attr, rel, l->root);
    return -1;
  }
  int index = -1;
  if (rp_fontset_load(&l->fonts, full, file, line, l->d, &index) != RP_OK) return -1;
  return index;
}

static void load_font(rp_layout_def *l, xmlNode *n) {
  const char *role = rp_def_attr(l, n, "role");
  if (!role) return;
  if (rp_font_role_find(l, role) >= 0) {
    rp_def_error(l, n, "font role \"%s\" is defined twice; remove or rename one", role);
    return;
  }
  rp_font_role r = {.name = role,
                    .file = rp_def_file(l, n),
                    .line = (int)xmlGetLineNo(n),
                    .fallback = rp_def_attr(l, n, "fallback")};
  static const char *const attrs[4] = {"regular", "bold", "italic", "bold-italic"};
  const char *family = rp_def_attr(l, n, "family");
  for (int i = 0; i < 4; i++) {
    if (!family) {
      r.face[i] = load_face(l, n, attrs[i]);
      continue;
    }
    /* by family: fontconfig's faces in the same four slots (regular required) */
    if (rp_def_attr(l, n, attrs[i])) {
      rp_def_error(l, n,
                   "<font role=\"%s\">: name the faces by family or by file, not both; remove "
                   "%s=\"…\" or family=\"%s\"",
                   role, attrs[i], family);
      return;
    }
    if (rp_fontset_load_family(&l->fonts, family, i == 1 || i == 3, i >= 2, i == 0, r.file, r.line,
                               l->d, &r.face[i]) != RP_OK)
      break; /* one error per family: the other slots would repeat it */
  }
  rp_font_role *slot = rp_vec_push(l->a, &l->roles, sizeof *slot);
  if (!slot) {
    rp_def_out_of_memory(l);
    return;
  }
  *slot = r;
}

/* <print>: the bleed, safe area, crop marks and printing condition used
 * when the review is rendered for a printer (docs/print.md). */
static void load_print(rp_layout_def *l, xmlNode *n) {
  rp_print *pr = &l->print;
  rp_def_length(l, n, "bleed", RP_NO_PERCENT, &pr->bleed);
  rp_def_length(l, n, "safe", RP_NO_PERCENT, &pr->safe);
  if (pr->bleed < 0 || pr->bleed > 72 || pr->safe < 0 || pr->safe > 72)
    rp_def_error(l, n, "<print>: bleed and safe are lengths from 0 to 25mm (1in)");
  const char *marks = rp_def_attr(l, n, "crop-marks");
  if (marks) pr->crop_marks = strcmp(marks, "true") == 0;
  const char *cond = rp_def_attr(l, n, "condition");
  if (cond) pr->condition = cond;
}

rp_status rp_brand_load(rp_layout_def *l, xmlNode *brand) {
  size_t errors = l->d->errors;
  for (xmlNode *c = brand->children; c; c = c->next) {
    if (rp_is_element(c, "print")) load_print(l, c);
    if (rp_is_element(c, "color")) load_color(l, c);
    if (rp_is_element(c, "font")) load_font(l, c);
    if (rp_is_element(c, "param")) load_param(l, c);
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}
