/* brand — the colours, fonts and parameters of a layout's <brand> elements.
 *
 * Colours are named values that styles, boxes and decorations refer to.
 * Parameters are named values that XPath expressions read as $name: what
 * shared templates leave to each layout (cards per row). Font
 * roles name up to four faces (regular, bold, italic, bold-italic) loaded into
 * the layout's fontset, and may name fallback roles for the characters their
 * faces lack (resolved with the styles, style.c, once every role is known). A face's path is
 * relative to the file that names it (the layout, or a fragment it includes) and must stay inside
 * the layout's project, the folder above the layout's own (base/path.h). */
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
  if (rp_param_find(l, name, strlen(name))) {
    rp_def_error(l, n, "parameter \"%s\" is defined twice; remove or rename one", name);
    return;
  }
  rp_param_def *p = rp_vec_push(l->a, &l->params, sizeof *p);
  if (!p) {
    rp_def_out_of_memory(l);
    return;
  }
  p->name = name;
  p->value = value;
  p->line = (int)xmlGetLineNo(n);
}

static void load_color(rp_layout_def *l, xmlNode *n) {
  const char *name = rp_def_attr(l, n, "name");
  if (!name) return;
  if (color_find(l, name)) {
    rp_def_error(l, n, "colour \"%s\" is defined twice; remove or rename one", name);
    return;
  }
  rp_color c;
  if (!rp_def_color(l, n, "value", &c)) return;
  rp_named_color *nc = rp_vec_push(l->a, &l->colors, sizeof *nc);
  if (!nc) {
    rp_def_out_of_memory(l);
    return;
  }
  nc->name = name;
  nc->color = c;
  nc->line = (int)xmlGetLineNo(n);
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
  for (int i = 0; i < 4; i++) r.face[i] = load_face(l, n, attrs[i]);
  rp_font_role *slot = rp_vec_push(l->a, &l->roles, sizeof *slot);
  if (!slot) {
    rp_def_out_of_memory(l);
    return;
  }
  *slot = r;
}

rp_status rp_brand_load(rp_layout_def *l, xmlNode *brand) {
  size_t errors = l->d->errors;
  for (xmlNode *c = brand->children; c; c = c->next) {
    if (rp_is_element(c, "color")) load_color(l, c);
    if (rp_is_element(c, "font")) load_font(l, c);
    if (rp_is_element(c, "param")) load_param(l, c);
  }
  return l->d->errors == errors ? RP_OK : RP_ERR_INPUT;
}
