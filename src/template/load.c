/* load — rp_layout_def_load and rp_layout_find: reading a layout document
 * into the compiled definition of def.h.
 *
 * The layout is parsed by the safe loader (base/xml.c: no network, no
 * entities, XInclude only inside the layout's folder) and validated against
 * the built-in schema. Then, in an order that lets later parts refer to
 * earlier ones: colours and fonts of every <brand>, then styles (which name
 * colours and font roles), then masters (which name styles and colours), then
 * templates, then the sequence; names that refer forward (a template's master,
 * a run's template) are resolved last. Each phase reports every problem it
 * finds before the next runs, so a user sees all of them in one go. */
#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "base/schemas.h"
#include "base/xml.h"
#include "template/def.h"
#include "template/units.h"

typedef struct file_entry {
  const char *key;  /* rp_xml_file's string, owned by the document */
  const char *path; /* its arena copy */
} file_entry;

bool rp_is_element(const xmlNode *n, const char *name) {
  return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

bool rp_def_from_base(const rp_layout_def *l, const xmlNode *n) {
  return n && l->base_doc && n->doc == l->base_doc;
}

const char *rp_def_file(rp_layout_def *l, const xmlNode *n) {
  if (n && n->type != XML_ELEMENT_NODE) n = n->parent;
  /* the extended layout's own nodes are that file's */
  const char *file = rp_xml_file(n, rp_def_from_base(l, n) ? (const char *)n->doc->URL : NULL);
  if (!file) return l->path;
  /* An included file: its name lives in the document; bound blocks keep an
   * arena copy, so that nothing downstream points into libxml2. */
  for (size_t i = 0; i < l->files.len; i++) {
    const file_entry *e = &RP_VEC_AT(l->files, file_entry, i);
    if (e->key == file) return e->path;
  }
  const char *path = rp_arena_strdup(l->a, file);
  file_entry *e = path ? rp_vec_push(l->a, &l->files, sizeof *e) : NULL;
  if (!e) {
    rp_def_out_of_memory(l);
    return l->path;
  }
  e->key = file;
  e->path = path;
  return path;
}

static int node_line(const xmlNode *n) { return rp_xml_line(n); }

rp_status rp_def_error(rp_layout_def *l, const xmlNode *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rp_status st = rp_diag_verror(l->d, RP_ERR_INPUT, n ? rp_def_file(l, n) : l->path,
                                n ? node_line(n) : 0, 0, fmt, ap);
  va_end(ap);
  return st;
}

void rp_def_warn(rp_layout_def *l, const xmlNode *n, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rp_diag_warn(l->d, n ? rp_def_file(l, n) : l->path, n ? node_line(n) : 0, 0, "%s", msg);
}

bool rp_def_out_of_memory(rp_layout_def *l) {
  rp_diag_error(l->d, RP_ERR_INTERNAL, l->path, 0, 0, "out of memory while loading the layout");
  return false;
}

/* The value of `n`'s attribute `name` (no namespace) as the tree holds it,
 * when that is one text: what xmlGetNoNsProp returns, read in place (its
 * copy, and a second walk for an absent one, were a sixth of compiling the
 * templates). *found says whether there is no other answer: else the
 * attribute has several children, or a DTD may give it a default. */
static const char *attr_text(const xmlNode *n, const char *name, bool *found) {
  *found = false;
  if (!n || n->type != XML_ELEMENT_NODE) return NULL;
  for (const xmlAttr *at = n->properties; at; at = at->next) {
    /* the first letters apart before a call: most names differ there */
    if (at->ns || at->name[0] != (xmlChar)name[0] || strcmp((const char *)at->name, name) != 0)
      continue;
    const xmlNode *t = at->children;
    *found = t && !t->next && (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) &&
             t->content;
    return *found ? (const char *)t->content : NULL;
  }
  *found = !n->doc || (!n->doc->intSubset && !n->doc->extSubset);
  return NULL;
}

const char *rp_def_attr(rp_layout_def *l, const xmlNode *n, const char *name) {
  bool found;
  const char *text = attr_text(n, name, &found);
  if (found) {
    if (!text) return NULL;
    const char *s = rp_arena_strdup(l->a, text);
    if (!s) rp_def_out_of_memory(l); /* never mistaken for an absent attribute */
    return s;
  }
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  if (!v) {
    /* there, but libxml2's copy of it failed: never taken for absent (the
     * schema made it required, and the compilers count on it) */
    if (xmlHasNsProp(n, (const xmlChar *)name, NULL)) rp_def_out_of_memory(l);
    return NULL;
  }
  const char *s = rp_arena_strdup(l->a, (const char *)v);
  xmlFree(v);
  if (!s) rp_def_out_of_memory(l); /* never mistaken for an absent attribute */
  return s;
}

static size_t text_hash(const char *s) {
  size_t h = 14695981039346656037u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* The memo's slot for `text`: its own, or the free one it would take. */
static size_t xmemo_slot(const rp_layout_def *l, const char *text) {
  size_t mask = l->xmemo.cap - 1, i = text_hash(text) & mask;
  while (l->xmemo.texts[i] && strcmp(l->xmemo.texts[i], text) != 0) i = (i + 1) & mask;
  return i;
}

/* Room for one more at most half full; false when out of memory (the memo
 * then stays as it was). */
static bool xmemo_room(rp_layout_def *l) {
  if (l->xmemo.cap && (l->xmemo.used + 1) * 2 <= l->xmemo.cap) return true;
  size_t cap = l->xmemo.cap ? l->xmemo.cap * 2 : 256;
  const char **texts = rp_arena_calloc(l->a, cap, sizeof *texts);
  xmlXPathCompExprPtr *comps = rp_arena_calloc(l->a, cap, sizeof *comps);
  if (!texts || !comps) return false;
  const char **old_texts = l->xmemo.texts;
  xmlXPathCompExprPtr *old_comps = l->xmemo.comps;
  size_t old_cap = l->xmemo.cap;
  l->xmemo.texts = texts;
  l->xmemo.comps = comps;
  l->xmemo.cap = cap;
  for (size_t i = 0; i < old_cap; i++) {
    if (!old_texts[i]) continue;
    size_t j = xmemo_slot(l, old_texts[i]);
    texts[j] = old_texts[i];
    comps[j] = old_comps[i];
  }
  return true;
}

bool rp_def_xpath(rp_layout_def *l, const char *text, xmlXPathCompExprPtr *out) {
  *out = NULL;
  if (!xmemo_room(l)) return rp_def_out_of_memory(l);
  size_t i = xmemo_slot(l, text);
  if (l->xmemo.texts[i]) {
    *out = l->xmemo.comps[i];
    return true;
  }
  xmlXPathCompExprPtr *owned = rp_vec_push(l->a, &l->comps, sizeof *owned);
  const char *key = owned ? rp_arena_strdup(l->a, text) : NULL;
  if (!key) {
    if (owned) l->comps.len--;
    return rp_def_out_of_memory(l);
  }
  xmlXPathCompExprPtr comp = l->ahead ? rp_xpath_ahead_take(l->ahead, text) : NULL;
  if (!comp) comp = rp_xpath_compile(l->xp, text);
  if (!comp) {
    l->comps.len--;
    return true;
  }
  *owned = comp;
  l->xmemo.texts[i] = key;
  l->xmemo.comps[i] = comp;
  l->xmemo.used++;
  *out = comp;
  return true;
}

bool rp_def_length(rp_layout_def *l, const xmlNode *n, const char *attr, double percent_of,
                   double *out) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return true;
  const char *err = rp_length_parse(v, percent_of, out);
  if (err) {
    rp_def_error(l, n, "<%s %s=\"%s\">: %s", (const char *)n->name, attr, v, err);
    return false;
  }
  return true;
}

bool rp_def_int(rp_layout_def *l, const xmlNode *n, const char *attr, int lo, int hi, int *out) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return true;
  char *end;
  long x = strtol(v, &end, 10);
  if (end == v || *end || x < lo || x > hi) {
    rp_def_error(l, n, "<%s %s=\"%s\">: expected a whole number from %d to %d",
                 (const char *)n->name, attr, v, lo, hi);
    return false;
  }
  *out = (int)x;
  return true;
}

bool rp_def_bool(rp_layout_def *l, const xmlNode *n, const char *attr, bool *out) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return true;
  const char *err = rp_bool_parse(v, out);
  if (err) {
    rp_def_error(l, n, "<%s %s=\"%s\">: %s", (const char *)n->name, attr, v, err);
    return false;
  }
  return true;
}

/* The elements of the layout (and of its <library> bundles) named `name`. */
static bool collect(rp_layout_def *l, xmlNode *parent, const char *name, rp_vec *out) {
  for (xmlNode *c = parent->children; c; c = c->next) {
    if (rp_is_element(c, "library") && !collect(l, c, name, out)) return false;
    if (!rp_is_element(c, name)) continue;
    xmlNode **slot = rp_vec_push(l->a, out, sizeof *slot);
    if (!slot) return rp_def_out_of_memory(l);
    *slot = c;
  }
  return true;
}

/* Drops from `base` the named parts (masters, templates) that `own` names
 * too: the extending layout's replace the extended one's. */
static void drop_replaced(rp_vec *base, const rp_vec *own) {
  size_t kept = 0;
  for (size_t i = 0; i < base->len; i++) {
    xmlNode *b = RP_VEC_AT(*base, xmlNode *, i);
    xmlChar *name = xmlGetNoNsProp(b, (const xmlChar *)"name");
    bool replaced = false;
    for (size_t k = 0; name && k < own->len && !replaced; k++) {
      xmlChar *other = xmlGetNoNsProp(RP_VEC_AT(*own, xmlNode *, k), (const xmlChar *)"name");
      replaced = other && xmlStrEqual(name, other);
      xmlFree(other);
    }
    xmlFree(name);
    if (!replaced) RP_VEC_AT(*base, xmlNode *, kept++) = b;
  }
  base->len = kept;
}

/* The parts named `name` of the extended layout (when there is one) and then
 * of the layout; with `replace`, a base part the layout names again is left
 * out. */
static bool collect_all(rp_layout_def *l, xmlNode *root, const char *name, bool replace,
                        rp_vec *out) {
  rp_vec own = {0};
  if (l->base_doc && !collect(l, xmlDocGetRootElement(l->base_doc), name, out)) return false;
  if (!collect(l, root, name, &own)) return false;
  if (replace) drop_replaced(out, &own);
  for (size_t i = 0; i < own.len; i++) {
    xmlNode **slot = rp_vec_push(l->a, out, sizeof *slot);
    if (!slot) return rp_def_out_of_memory(l);
    *slot = RP_VEC_AT(own, xmlNode *, i);
  }
  return true;
}

/* The first child element `name` of the layout, else of the layout it extends. */
static xmlNode *own_or_base(const rp_layout_def *l, xmlNode *root, const char *name) {
  for (int pass = 0; pass < 2; pass++) {
    xmlNode *r = pass == 0 ? root : l->base_doc ? xmlDocGetRootElement(l->base_doc) : NULL;
    for (xmlNode *c = r ? r->children : NULL; c; c = c->next)
      if (rp_is_element(c, name)) return c;
  }
  return NULL;
}

static void load_info(rp_layout_def *l, xmlNode *root) {
  for (xmlNode *c = root->children; c; c = c->next) {
    if (!rp_is_element(c, "info")) continue;
    struct {
      const char *attr;
      const rp_avt **slot;
    } fields[] = {{"title", &l->info_title},
                  {"author", &l->info_author},
                  {"subject", &l->info_subject},
                  {"keywords", &l->info_keywords}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
      const char *v = rp_def_attr(l, c, fields[i].attr);
      if (v) *fields[i].slot = rp_avt_compile(l, c, fields[i].attr, v, RP_AVT_CONTENT, NULL);
    }
  }
}

/* Every name a template or run refers to, now that all are known. */
static void resolve_names(rp_layout_def *l) {
  const rp_master_def *first = l->masters.len ? RP_VEC_AT(l->masters, rp_master_def *, 0) : NULL;
  for (size_t i = 0; i < l->templates.len; i++) {
    rp_template_def *t = RP_VEC_AT(l->templates, rp_template_def *, i);
    t->master = t->master_name ? rp_master_find(l, t->master_name) : first;
    if (t->master_name && !t->master) {
      rp_diag_error(l->d, RP_ERR_INPUT, t->file, t->line, 0,
                    "unknown master \"%s\" in <template %s=\"%s\">; define it with "
                    "<master name=\"%s\">",
                    t->master_name, t->name ? "name" : "match",
                    t->name    ? t->name
                    : t->match ? t->match->text
                               : "",
                    t->master_name);
    }
  }
  for (size_t i = 0; i < l->runs.len; i++) {
    rp_run_def *r = &RP_VEC_AT(l->runs, rp_run_def, i);
    if (!r->template_name[0]) {
      /* a run that dispatches by match: some template must have one */
      if (!rp_template_mode_exists(l, r->mode))
        rp_diag_error(l->d, RP_ERR_INPUT, r->file, r->line, 0,
                      "<run> without template= chooses a template by match, but no template "
                      "has match=%s%s%s; add template=\"…\", or a <template match=\"…\"%s%s%s>",
                      r->mode ? " in mode \"" : "", r->mode ? r->mode : "", r->mode ? "\"" : "",
                      r->mode ? " mode=\"" : "", r->mode ? r->mode : "", r->mode ? "\"" : "");
    } else {
      r->tmpl = rp_template_find(l, r->template_name);
      if (!r->tmpl)
        rp_diag_error(l->d, RP_ERR_INPUT, r->file, r->line, 0,
                      "unknown template \"%s\" in <run>; define it with <template name=\"%s\">",
                      r->template_name, r->template_name);
    }
    if (r->master_name) {
      r->master = rp_master_find(l, r->master_name);
      if (!r->master)
        rp_diag_error(l->d, RP_ERR_INPUT, r->file, r->line, 0,
                      "unknown master \"%s\" in <run>; define it with <master name=\"%s\">",
                      r->master_name, r->master_name);
    }
  }
  for (size_t i = 0; i < l->applies.len; i++) {
    const rp_tnode *t = RP_VEC_AT(l->applies, const rp_tnode *, i);
    if (!rp_template_mode_exists(l, t->u.apply.mode))
      rp_diag_error(l->d, RP_ERR_INPUT, t->file, t->line, 0,
                    "<apply%s%s%s> has no template to choose from: no template has match=%s%s%s; "
                    "add a <template match=\"…\"%s%s%s>",
                    t->u.apply.mode ? " mode=\"" : "", t->u.apply.mode ? t->u.apply.mode : "",
                    t->u.apply.mode ? "\"" : "", t->u.apply.mode ? " in mode \"" : "",
                    t->u.apply.mode ? t->u.apply.mode : "", t->u.apply.mode ? "\"" : "",
                    t->u.apply.mode ? " mode=\"" : "", t->u.apply.mode ? t->u.apply.mode : "",
                    t->u.apply.mode ? "\"" : "");
  }
}

/* The faces the styles draw with, each once, in the styles' order: read on
 * the other thread while this one goes on loading (rp_xpath_ahead_give_faces). */
static void give_faces(rp_layout_def *l) {
  if (!l->ahead || l->fonts.count == 0) return;
  int *faces = rp_arena_calloc(l->a, l->fonts.count, sizeof *faces);
  bool *seen = rp_arena_calloc(l->a, l->fonts.count, sizeof *seen);
  if (!faces || !seen) return; /* then each is read on first use */
  size_t n = 0;
  for (size_t i = 0; i < l->styles.len; i++) {
    const rp_style *s = RP_VEC_AT(l->styles, rp_style_def *, i)->style;
    if (!s || s->font < 0 || (size_t)s->font >= l->fonts.count || seen[s->font]) continue;
    seen[s->font] = true;
    faces[n++] = s->font;
  }
  rp_xpath_ahead_give_faces(l->ahead, &l->fonts, faces, n);
}

static rp_status load_body(rp_layout_def *l, rp_diag *d) {
  size_t errors = d->errors;
  xmlNode *root = xmlDocGetRootElement(l->doc);

  xmlNode *base_root = l->base_doc ? xmlDocGetRootElement(l->base_doc) : NULL;
  const char *page = rp_def_attr(l, root, "page");
  if (!page && base_root) page = rp_def_attr(l, base_root, "page");
  l->page_w = 595.28;
  l->page_h = 841.89;
  if (page) {
    const char *err = rp_page_size_parse(page, &l->page_w, &l->page_h);
    if (err) rp_def_error(l, root, "<layout page=\"%s\">: %s", page, err);
  }

  /* Printers' usual asks (docs/print.md); a brand's <print> changes them. */
  l->print = (rp_print){.bleed = 3 * 72 / 25.4, .safe = 5 * 72 / 25.4, .condition = "FOGRA39"};

  rp_vec brands = {0}, masters = {0}, templates = {0}, styles = {0}, labels = {0}, notes = {0};
  if (!collect_all(l, root, "brand", false, &brands) ||
      !collect_all(l, root, "master", true, &masters) ||
      !collect_all(l, root, "template", true, &templates) ||
      !collect_all(l, root, "labels", false, &labels) ||
      !collect_all(l, root, "notes", false, &notes))
    return RP_ERR_INTERNAL;
  for (size_t i = 0; i < brands.len; i++) {
    xmlNode *b = RP_VEC_AT(brands, xmlNode *, i);
    rp_brand_load(l, b);
    for (xmlNode *c = b->children; c; c = c->next)
      if (rp_is_element(c, "style")) {
        xmlNode **slot = rp_vec_push(l->a, &styles, sizeof *slot);
        if (!slot) {
          rp_def_out_of_memory(l);
          return RP_ERR_INTERNAL;
        }
        *slot = c;
      }
  }
  if (l->roles.len == 0 && d->errors == errors)
    rp_def_error(l, root,
                 "the layout declares no font; add <font role=\"body\" regular=\"…\"/> to "
                 "<brand>");
  for (size_t i = 0; i < styles.len; i++) rp_style_collect(l, RP_VEC_AT(styles, xmlNode *, i));
  /* Carry on after errors: later phases skip what failed (a style that did
   * not resolve has no rp_style) and report their own problems too. */
  if (rp_styles_resolve(l) == RP_ERR_INTERNAL) return RP_ERR_INTERNAL;
  give_faces(l);

  /* labels before any expression, so that label('…') can be checked */
  for (size_t i = 0; i < labels.len; i++) rp_labels_load(l, RP_VEC_AT(labels, xmlNode *, i));
  l->notes.area = rp_notes_area(l);
  for (size_t i = 0; i < notes.len; i++) rp_notes_load(l, RP_VEC_AT(notes, xmlNode *, i));
  /* the layout's <info> attributes over the extended layout's */
  if (base_root) load_info(l, base_root);
  load_info(l, root);
  for (size_t i = 0; i < masters.len; i++) rp_master_load(l, RP_VEC_AT(masters, xmlNode *, i));
  if (l->masters.len == 0)
    rp_def_error(l, root, "the layout has no page master; add <master name=\"…\">");
  for (size_t i = 0; i < templates.len; i++)
    rp_template_load(l, RP_VEC_AT(templates, xmlNode *, i));
  xmlNode *sequence = own_or_base(l, root, "sequence");
  if (sequence) rp_sequence_load(l, sequence);
  if (!l->has_sequence)
    rp_def_error(l, root, "the layout has no <sequence>; add one listing the templates to run");
  resolve_names(l);
  return d->errors != errors ? RP_ERR_INPUT : RP_OK;
}

/* <layout extends="other.xml">: loads the layout this one changes, a file
 * in the same folder that extends nothing itself (docs/layout.md, "Extending
 * a layout"). */
static rp_status load_base(rp_layout_def *l, const rp_xml_schema *schema, bool apart) {
  xmlNode *root = xmlDocGetRootElement(l->doc);
  const char *rel = rp_def_attr(l, root, "extends");
  if (!rel) return RP_OK;
  const char *full = rp_path_join(l->a, l->dir, rel);
  if (!full) return rp_diag_error(l->d, RP_ERR_INTERNAL, l->path, 0, 0, "out of memory");
  /* the same rule as XInclude's: a file in the layout's own folder */
  char *dir_real = realpath(l->dir, NULL), *self_real = realpath(l->path, NULL),
       *full_real = realpath(full, NULL);
  bool bad = !dir_real || !full_real || !rp_path_inside(full_real, dir_real) ||
             (self_real && strcmp(full_real, self_real) == 0);
  free(dir_real);
  free(self_real);
  free(full_real);
  if (bad)
    return rp_def_error(l, root,
                        "<layout extends=\"%s\">: name another layout in the same folder "
                        "(e.g. extends=\"annual-review.xml\")",
                        rel);
  rp_status st = apart ? rp_xml_load_apart(full, schema, l->d, &l->base_doc)
                       : rp_xml_load(full, schema, l->d, &l->base_doc);
  if (st != RP_OK) return st;
  xmlNode *base_root = xmlDocGetRootElement(l->base_doc);
  if (xmlHasProp(base_root, (const xmlChar *)"extends"))
    return rp_def_error(l, root,
                        "<layout extends=\"%s\">: that layout extends another itself; extend "
                        "the layout it extends, or copy it",
                        rel);
  return RP_OK;
}

static void on_compile_error(void *user, xmlErrorPtr e) {
  rp_layout_def *l = user;
  if (!e) return;
  l->xp_err_code = e->code;
  l->xp_err_pos = e->int1;
  snprintf(l->xp_err, sizeof l->xp_err, "%s", e->message ? e->message : "");
}

/* The schema's `name` (of a style, template, mode, master, font role …) is
 * text matching [A-Za-z_][A-Za-z0-9_\-]*, a pattern libxml2 compiles again
 * for each of the hundreds of names a layout has. Where every attribute that
 * may hold a name holds one of that form, or holds a "{" (a style given by
 * a pattern, which no name has), xsd:NCName gives the same verdict on each
 * value (and on each word of a font's fallback list): the layout is then
 * checked against the schema with NCName there, without compiling any. The
 * twin is embedded bare (src/base/embed.cmake): no line breaks. */
static const char NAME_PATTERN[] =
    "<define name=\"name\"><data type=\"string\"><param "
    "name=\"pattern\">[A-Za-z_][A-Za-z0-9_\\-]*</param></data>";
static const char NAME_NCNAME[] = "<define name=\"name\"><data type=\"NCName\"/>";

/* Attributes the schema gives a name (layouts/schema/layout.rng), sorted;
 * test_template checks the list against the schema. */
static const char *const NAME_ATTRS[] = {
    "font",         "heading-style", "initials-style", "label-style", "mark-style",
    "marker-style", "master",        "mode",           "name",        "parent",
    "role",         "style",         "template",       "title-style", "value-style"};

/* A name, or a word with a "{" (a style's pattern): on either, NCName and
 * the pattern agree (neither takes a "{"). */
static bool plain_name(const char *s, size_t n) {
  if (memchr(s, '{', n)) return true;
  if (n == 0 || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return false;
  for (size_t i = 1; i < n; i++) {
    char c = s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

static bool names_plain(const xmlDoc *doc) {
  return rp_xml_attrs_all(doc, NAME_ATTRS, sizeof NAME_ATTRS / sizeof NAME_ATTRS[0], "fallback",
                          plain_name);
}

rp_xml_schema rp_layout_schema(void) {
  rp_xml_schema s = {.name = "layouts/schema/layout.rng",
                     .text = rp_schema_layout,
                     .len = rp_schema_layout_len,
                     .doc_hint = "docs/layout.md"};
  s.fast_text = rp_xml_schema_variant(rp_schema_layout_fast, rp_schema_layout_fast_len,
                                      NAME_PATTERN, NAME_NCNAME, &s.fast_len);
  if (s.fast_text) s.fast_ok = names_plain;
  return s;
}

rp_status rp_layout_def_load(rp_arena *a, const char *path, rp_diag *d, rp_layout_def **out) {
  return rp_layout_def_load_ahead(a, path, d, NULL, out);
}

rp_status rp_layout_def_load_ahead(rp_arena *a, const char *path, rp_diag *d, rp_xpath_ahead *ahead,
                                   rp_layout_def **out) {
  *out = NULL;
  size_t errors = d->errors;
  rp_layout_def *l = rp_arena_alloc(a, sizeof *l);
  if (!l) {
    rp_xpath_ahead_close(ahead);
    return rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0, "out of memory");
  }
  l->a = a;
  l->d = d;
  l->path = rp_arena_strdup(a, path);
  l->dir = rp_path_dir(a, path);
  rp_fontset_init(&l->fonts);
  l->fonts_ready = true;
  rp_status st = RP_OK;

  const rp_xml_schema schema = rp_layout_schema();
  /* beside the content's thread (ahead): its trees apart, freed once loaded */
  st =
      ahead ? rp_xml_load_apart(path, &schema, d, &l->doc) : rp_xml_load(path, &schema, d, &l->doc);
  if (st != RP_OK) goto fail;
  st = rp_xml_check_depth(l->doc, path, d);
  if (st != RP_OK) goto fail;
  l->root = rp_path_project_root(a, path);
  if (!l->path || !l->dir || !l->root) {
    st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot resolve the layout's folder");
    goto fail;
  }
  st = load_base(l, &schema, ahead != NULL);
  if (st != RP_OK) goto fail;
  /* valid: the other thread may read the trees, as this one, till closed */
  if (ahead) rp_xpath_ahead_give(ahead, l->doc, l->base_doc);
  l->ahead = ahead;
  l->xp = xmlXPathNewContext(NULL);
  if (!l->xp) {
    st = rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0, "out of memory");
    goto fail;
  }
  l->xp->error = on_compile_error;
  l->xp->userData = l;

  st = load_body(l, d);
  rp_xpath_ahead_close(ahead); /* before the trees may go */
  l->ahead = NULL;
  if (st == RP_OK && d->errors != errors) st = rp_diag_status(d);
  if (st != RP_OK) goto fail;
  l->d = NULL;
  *out = l;
  return RP_OK;

fail:
  rp_xpath_ahead_close(ahead);
  rp_layout_def_free(l);
  if (st == RP_OK) st = RP_ERR_INPUT;
  return st;
}

void rp_layout_def_take_trees(rp_layout_def *l, xmlDocPtr trees[2]) {
  trees[0] = l->doc;
  trees[1] = l->base_doc;
  l->doc = l->base_doc = NULL;
}

void rp_layout_def_free(rp_layout_def *l) {
  if (!l) return;
  for (size_t i = 0; i < l->comps.len; i++)
    xmlXPathFreeCompExpr(RP_VEC_AT(l->comps, xmlXPathCompExprPtr, i));
  l->comps.len = 0;
  xmlXPathFreeContext(l->xp);
  l->xp = NULL;
  if (l->fonts_ready) rp_fontset_fini(&l->fonts);
  l->fonts_ready = false;
  xmlFreeDoc(l->doc);
  l->doc = NULL;
  xmlFreeDoc(l->base_doc);
  l->base_doc = NULL;
}

static bool is_file(const char *p) { return access(p, R_OK) == 0; }

rp_status rp_layout_find(rp_arena *a, const char *name_or_path, rp_diag *d, const char **path) {
  *path = NULL;
  size_t n = strlen(name_or_path);
  if (strchr(name_or_path, '/') || (n > 4 && strcmp(name_or_path + n - 4, ".xml") == 0)) {
    if (!is_file(name_or_path))
      return rp_diag_error(d, RP_ERR_INPUT, name_or_path, 0, 0,
                           "cannot open the layout; check the path and that it is readable");
    *path = rp_arena_strdup(a, name_or_path);
    return *path ? RP_OK : rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
  }
  /* Beside the binary before the configured share folder: an installed tree
   * finds its own layouts wherever it was installed. */
  const char *exe_share = rp_path_exe_share(a);
  const char *dirs[] = {"layouts", exe_share ? rp_arena_printf(a, "%s/layouts", exe_share) : NULL,
                        RP_SOURCE_DIR "/layouts", RP_SHARE_DIR "/layouts"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    if (!dirs[i]) continue;
    char *p = rp_arena_printf(a, "%s/%s.xml", dirs[i], name_or_path);
    if (!p) return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
    if (is_file(p)) {
      *path = p;
      return RP_OK;
    }
  }
  return rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0,
                       "no layout named \"%s\": looked for %s.xml in ./layouts, %s%s%s/layouts "
                       "and %s/layouts; give a path or one of the names there",
                       name_or_path, name_or_path, exe_share ? exe_share : "",
                       exe_share ? "/layouts, " : "", RP_SOURCE_DIR, RP_SHARE_DIR);
}

const rp_style *rp_layout_def_style(const rp_layout_def *l, const char *name) {
  const rp_style_def *s = rp_style_find(l, name);
  return s ? s->style : NULL;
}

bool rp_layout_def_color(const rp_layout_def *l, const char *name, rp_color *out) {
  for (size_t i = 0; i < l->colors.len; i++) {
    const rp_named_color *c = &RP_VEC_AT(l->colors, rp_named_color, i);
    if (strcmp(c->name, name) == 0) {
      *out = c->color;
      return true;
    }
  }
  return false;
}

const rp_fontset *rp_layout_def_fonts(const rp_layout_def *l) { return &l->fonts; }

const char *rp_layout_def_path(const rp_layout_def *l) { return l->path; }
bool rp_layout_def_uses_page_refs(const rp_layout_def *l) { return l->uses_page_refs; }

rp_print rp_layout_def_print(const rp_layout_def *l) {
  rp_print pr = l->print;
  pr.colors = l->print_colors.data;
  pr.n_colors = l->print_colors.len;
  return pr;
}
