/* build — the content tree to the model (see build.h): the driver, and the
 * helpers the layers share (builder.h).
 *
 * Runs after rp_xml_load has parsed, XIncluded and validated the document;
 * its output feeds template/ (binding) together with the tree itself.
 *
 * Layers: vocab.c (kinds), prose.c (prose blocks and tables, general to any
 * document), review.c (the typed sections of a review). This file reads the
 * tree and drives them.
 *
 * Invariants:
 * - Nothing in the model points into libxml2: every string is copied into the
 *   arena, text whitespace-collapsed.
 * - Every problem is reported, each as "<element …> what is wrong: what to
 *   do", with the file and line of the element; the build goes on after an
 *   error so that one run shows them all. A model is handed out only when
 *   there were none.
 * - The schema is not trusted for memory safety: a missing element or
 *   attribute gives a NULL field or an error, never a crash.
 * - Ids are unique within their kind (docs/content.md, "Ids"); they are
 *   checked with hash sets, so a huge document costs linear time.
 *
 * Two passes over the top-level elements. The first, silent, indexes section
 * ids and builds the people, since references may come before or after their
 * targets. The second builds and checks everything in document order, so
 * messages come in the order of the file. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "base/path.h"
#include "base/xml.h"
#include "model/build.h"
#include "model/builder.h"

/* ---- id sets ------------------------------------------------------------- */

static size_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)h;
}

const rp_id_entry *rp_idset_find(const rp_idset *s, const char *id) {
  if (!s->cap || !id) return NULL;
  for (size_t i = hash_str(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    if (!s->slots[i].id) return NULL;
    if (strcmp(s->slots[i].id, id) == 0) return &s->slots[i];
  }
}

static void idset_put(rp_id_entry *slots, size_t cap, rp_id_entry e) {
  size_t i = hash_str(e.id) & (cap - 1);
  while (slots[i].id) i = (i + 1) & (cap - 1);
  slots[i] = e;
}

const rp_id_entry *rp_builder_idset_add(rp_builder *b, rp_idset *s, const char *id,
                                        const xmlNode *n, size_t index) {
  if (!id) return NULL;
  const rp_id_entry *old = rp_idset_find(s, id);
  if (old) return old;
  if ((s->len + 1) * 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    rp_id_entry *slots = rp_arena_calloc(b->a, cap, sizeof *slots);
    if (!slots) {
      b->oom = true;
      return NULL;
    }
    for (size_t i = 0; i < s->cap; i++)
      if (s->slots[i].id) idset_put(slots, cap, s->slots[i]);
    s->slots = slots;
    s->cap = cap;
  }
  idset_put(s->slots, s->cap, (rp_id_entry){id, n, index});
  s->len++;
  return NULL;
}

void rp_builder_unique_id(rp_builder *b, rp_idset *s, const char *noun, const char *id,
                          const xmlNode *c, size_t i) {
  const rp_id_entry *dup = rp_builder_idset_add(b, s, id, c, i);
  if (dup)
    rp_builder_fail(b, c,
                    "<%s id=\"%s\"> repeats the id of the %s on %s: %s ids must be unique; "
                    "rename one",
                    (const char *)c->name, id, noun, rp_builder_where(b, dup->node, c), noun);
}

/* ---- messages ------------------------------------------------------------ */

/* The file a node came from: the content file, or an XIncluded file. */
static const char *node_file(const rp_builder *b, const xmlNode *n) {
  return n ? rp_xml_file(n, b->path) : b->path;
}

void rp_builder_fail(rp_builder *b, const xmlNode *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rp_diag_verror(b->d, RP_ERR_INPUT, node_file(b, n), rp_xml_line(n), 0, fmt, ap);
  va_end(ap);
}

void rp_builder_warn(rp_builder *b, const xmlNode *n, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rp_diag_warn(b->d, node_file(b, n), rp_xml_line(n), 0, "%s", msg);
}

const char *rp_builder_where(rp_builder *b, const xmlNode *first, const xmlNode *here) {
  const char *f = node_file(b, first);
  char *s = strcmp(f, node_file(b, here)) == 0
                ? rp_arena_printf(b->a, "line %d", rp_xml_line(first))
                : rp_arena_printf(b->a, "line %d of %s", rp_xml_line(first), f);
  return s ? s : "an earlier line";
}

/* ---- reading the tree ---------------------------------------------------- */

bool rp_builder_is(const xmlNode *n, const char *name) {
  return n && n->type == XML_ELEMENT_NODE && !n->ns &&
         (!name || strcmp((const char *)n->name, name) == 0);
}

xmlNode *rp_builder_next(xmlNode *n, const char *name) {
  while (n && !rp_builder_is(n, name)) n = n->next;
  return n;
}

xmlNode *rp_builder_child(const xmlNode *n, const char *name) {
  return n ? rp_builder_next(n->children, name) : NULL;
}

size_t rp_builder_count(const xmlNode *n, const char *name) {
  size_t k = 0;
  RP_FOR_EACH(c, n, name) k++;
  return k;
}

void *rp_builder_alloc(rp_builder *b, size_t n, size_t size) {
  if (n == 0) return NULL;
  void *p = rp_arena_calloc(b->a, n, size);
  if (!p) b->oom = true;
  return p;
}

const char *rp_builder_keep(rp_builder *b, const char *s) {
  if (!s) return NULL;
  char *p = rp_arena_strdup(b->a, s);
  if (!p) b->oom = true;
  return p;
}

const char *rp_builder_attr(rp_builder *b, const xmlNode *n, const char *name) {
  if (!n) return NULL;
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  if (!v) return NULL;
  const char *s = rp_builder_keep(b, (const char *)v);
  xmlFree(v);
  return s;
}

const char *rp_builder_text(rp_builder *b, const xmlNode *n) {
  if (!n) return NULL;
  char *t = rp_xml_text_collapsed(n);
  if (!t) {
    b->oom = true;
    return NULL;
  }
  const char *s = rp_builder_keep(b, t);
  rp_mem_free(t);
  return s;
}

const char *rp_builder_child_text(rp_builder *b, const xmlNode *n, const char *name) {
  return rp_builder_text(b, rp_builder_child(n, name));
}

/* ---- typed attributes ---------------------------------------------------- */

/* xsd:boolean. Absent → false. */
bool rp_builder_bool(rp_builder *b, const xmlNode *n, const char *name) {
  const char *v = rp_builder_attr(b, n, name);
  if (!v) return false;
  if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) return true;
  if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
    rp_builder_fail(b, n, "<%s %s=\"%s\"> must be true or false", (const char *)n->name, name, v);
  return false;
}

/* A non-negative integer (counts, votes, years). Absent → `dflt`. */
long rp_builder_count_attr(rp_builder *b, const xmlNode *n, const char *name, long dflt) {
  const char *v = rp_builder_attr(b, n, name);
  if (!v) return dflt;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (end == v || *end || x < 0 || v[0] == '-' || v[0] == '+' || v[0] == ' ') {
    rp_builder_fail(b, n, "<%s %s=\"%s\"> must be a whole number, written with digits only",
                    (const char *)n->name, name, v);
    return dflt;
  }
  if (errno == ERANGE) {
    rp_builder_fail(b, n, "<%s %s=\"%s\"> is too large", (const char *)n->name, name, v);
    return dflt;
  }
  return x;
}

/* A year attribute: four digits. Absent → 0. */
int rp_builder_year(rp_builder *b, const xmlNode *n, const char *name) {
  const char *v = rp_builder_attr(b, n, name);
  if (!v) return 0;
  if (strlen(v) != 4 || strspn(v, "0123456789") != 4 || strcmp(v, "0000") == 0) {
    rp_builder_fail(b, n, "<%s %s=\"%s\"> must be a year, four digits (e.g. 2019)",
                    (const char *)n->name, name, v);
    return 0;
  }
  return atoi(v);
}

/* A decimal number; false (after reporting) when absent or malformed. */
bool rp_builder_number(rp_builder *b, const xmlNode *n, const char *name, double *out) {
  const char *v = rp_builder_attr(b, n, name);
  *out = 0;
  if (!v) return false;
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (end == v || *end || !isfinite(x) || errno == ERANGE) {
    rp_builder_fail(b, n,
                    "<%s %s=\"%s\"> must be a number written with digits and an optional point "
                    "(e.g. 9500000000 or -2.16)",
                    (const char *)n->name, name, v);
    return false;
  }
  *out = x;
  return true;
}

/* A date attribute (YYYY-MM-DD). Reports a missing required date, a malformed
 * one and one that does not exist (2019-02-30). */
bool rp_builder_date(rp_builder *b, const xmlNode *n, const char *name, const char *what,
                     bool required, rp_date *out) {
  const char *v = rp_builder_attr(b, n, name);
  *out = (rp_date){0, 0, 0};
  if (!v) {
    if (required)
      rp_builder_fail(b, n, "<%s> needs a %s date (%s=\"YYYY-MM-DD\")", (const char *)n->name, what,
                      name);
    return false;
  }
  if (rp_date_parse(v, out)) return true;
  bool shaped = strlen(v) == 10 && v[4] == '-' && v[7] == '-' && strspn(v, "0123456789") == 4 &&
                strspn(v + 5, "0123456789") == 2 && strspn(v + 8, "0123456789") == 2;
  if (shaped)
    rp_builder_fail(b, n,
                    "<%s %s=\"%s\"> is not a date that exists; check the day and month "
                    "(YYYY-MM-DD)",
                    (const char *)n->name, name, v);
  else
    rp_builder_fail(b, n, "<%s %s=\"%s\"> needs a %s date written as YYYY-MM-DD (e.g. 2018-09-23)",
                    (const char *)n->name, name, v, what);
  return false;
}

bool rp_builder_partial_date(rp_builder *b, const xmlNode *n, const char *name, rp_date *out) {
  const char *v = rp_builder_attr(b, n, name);
  *out = (rp_date){0, 0, 0};
  if (!v) return false;
  if (rp_date_parse_partial(v, out)) return true;
  rp_builder_fail(b, n,
                  "<%s %s=\"%s\"> must be a year, a month or a day that exists, written YYYY, "
                  "YYYY-MM or YYYY-MM-DD (e.g. 2019, 2019-03 or 2019-03-14)",
                  (const char *)n->name, name, v);
  return false;
}

void rp_builder_date_text(rp_date d, char *buf, size_t size) {
  if (d.day)
    snprintf(buf, size, "%04d-%02d-%02d", d.year, d.month, d.day);
  else if (d.month)
    snprintf(buf, size, "%04d-%02d", d.year, d.month);
  else
    snprintf(buf, size, "%04d", d.year);
}

/* ---- assets -------------------------------------------------------------- */

/* Resolves "." and ".." in an absolute path, in place (lexically: the file
 * need not exist). */
static void normalise(char *path) {
  char *out = path, *p = path;
  while (*p) {
    while (*p == '/') p++;
    char *seg = p;
    while (*p && *p != '/') p++;
    size_t len = (size_t)(p - seg);
    if (len == 0 || (len == 1 && seg[0] == '.')) continue;
    if (len == 2 && seg[0] == '.' && seg[1] == '.') {
      while (out > path && *--out != '/') {
      }
      continue;
    }
    *out++ = '/';
    memmove(out, seg, len);
    out += len;
  }
  if (out == path) *out++ = '/';
  *out = '\0';
}

static bool under(const char *path, const char *root) {
  size_t n = strlen(root);
  if (strcmp(root, "/") == 0) return true;
  return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A file the document refers to (logo/@src, person/@photo). Returns the path
 * later stages open (relative to the content file's folder), or NULL when
 * there is none to open. A URL or a path outside the project is an error; a
 * file that does not exist is a warning (`missing` says what happens then). */
const char *rp_builder_asset(rp_builder *b, const xmlNode *n, const char *name,
                             const char *missing) {
  const char *v = rp_builder_attr(b, n, name);
  if (!v || !v[0]) return NULL;
  const char *el = (const char *)n->name;
  size_t scheme = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
  if (scheme > 1 && v[scheme] == ':') {
    rp_builder_fail(
        b, n,
        "<%s %s=\"%s\"> is a URL; reviewpdf reads images only from files: save it in the "
        "project folder and give its path",
        el, name, v);
    return NULL;
  }
  if (b->root && b->dir_abs) {
    char *lexical =
        v[0] == '/' ? rp_arena_strdup(b->a, v) : rp_arena_printf(b->a, "%s/%s", b->dir_abs, v);
    if (!lexical) {
      b->oom = true;
      return NULL;
    }
    normalise(lexical);
    if (!under(lexical, b->root)) {
      rp_builder_fail(b, n,
                      "<%s %s=\"%s\">: path escapes the project folder (%s); keep files inside it "
                      "(paths are relative to the content file)",
                      el, name, v, b->root);
      return NULL;
    }
  }
  char *full = rp_path_join(b->a, b->m->dir, v);
  if (!full) {
    b->oom = true;
    return NULL;
  }
  struct stat sb;
  if (stat(full, &sb) != 0) {
    rp_builder_warn(b, n, "<%s %s=\"%s\"> not found (looked for %s): %s", el, name, v, full,
                    missing);
    return NULL;
  }
  if (b->root && !rp_path_inside(full, b->root)) { /* a symbolic link leading out */
    rp_builder_fail(b, n,
                    "<%s %s=\"%s\">: path escapes the project folder (%s) through a symbolic link; "
                    "copy the file into the project",
                    el, name, v, b->root);
    return NULL;
  }
  if (!S_ISREG(sb.st_mode)) {
    rp_builder_warn(b, n, "<%s %s=\"%s\"> is not a file: %s", el, name, v, missing);
    return NULL;
  }
  return full;
}

/* ---- social links -------------------------------------------------------- */

void rp_builder_socials(rp_builder *b, const xmlNode *parent, rp_social **out, size_t *n_out) {
  size_t n = rp_builder_count(parent, "social");
  rp_social *s = rp_builder_alloc(b, n, sizeof *s);
  *out = s;
  *n_out = s ? n : 0;
  size_t i = 0;
  RP_FOR_EACH(c, parent, "social") {
    const char *network = rp_builder_attr(b, c, "network");
    const char *handle = rp_builder_attr(b, c, "handle");
    const char *href = rp_builder_attr(b, c, "href");
    /* href always wins: the writer knows the profile's address. */
    const char *url = href ? href : rp_model_social_url(b->a, network, handle);
    if (network && handle && !url) {
      const char *h = handle[0] == '@' ? handle + 1 : handle;
      if (!rp_model_social_known(network))
        rp_builder_fail(b, c,
                        "<social network=\"%s\" handle=\"%s\">: reviewpdf cannot make a profile "
                        "link for the network \"%s\": add href=\"https://…\" with the profile's "
                        "address (links are made from the handle only for %s)",
                        network, handle, network, rp_model_social_networks());
      else if (strcmp(network, "mastodon") == 0)
        rp_builder_fail(b, c,
                        "<social network=\"mastodon\" handle=\"%s\"> needs the server: write the "
                        "handle as @name@server (e.g. @coopinnovation@mastodon.social), or add "
                        "href",
                        handle);
      else if (strchr(h, '@'))
        rp_builder_fail(b, c,
                        "<social network=\"%s\" handle=\"%s\">: only mastodon handles have a "
                        "server part; write the handle as @name, or add href",
                        network, handle);
      else
        rp_builder_fail(b, c,
                        "<social network=\"%s\" handle=\"%s\"> cannot be made into a profile "
                        "link: write the handle as @name, or add href",
                        network, handle);
    }
    if (s && i < n) s[i++] = (rp_social){network, handle, url, rp_xml_line(c)};
  }
}

/* Every href (web, a, case-studies) is absolute web, mail or phone: the schema says
 * so too, but a link in a PDF is the one thing a reader can act on. */
static void check_hrefs(rp_builder *b, const xmlNode *n) {
  if (n->type != XML_ELEMENT_NODE) return;
  xmlChar *href = xmlGetNoNsProp(n, (const xmlChar *)"href");
  if (href) {
    const char *h = (const char *)href;
    bool ok = (strncmp(h, "https://", 8) == 0 && h[8]) || (strncmp(h, "http://", 7) == 0 && h[7]) ||
              (strncmp(h, "mailto:", 7) == 0 && h[7]) || (strncmp(h, "tel:", 4) == 0 && h[4]);
    if (ok)
      for (const char *p = h; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ok = false;
    if (!ok)
      rp_builder_fail(b, n,
                      "<%s href=\"%s\"> must be a web, mail or phone address starting with "
                      "https://, http://, mailto: or tel:, without spaces",
                      (const char *)n->name, h);
    xmlFree(href);
  }
  for (const xmlNode *c = n->children; c; c = c->next) check_hrefs(b, c);
}

/* ---- the two passes ------------------------------------------------------ */

/* The top-level elements that are sections (not organisation, period, title,
 * strapline, vocabulary or people). */
static bool is_section(const xmlNode *c) {
  static const char *const front[] = {"organisation", "period",     "title",
                                      "strapline",    "vocabulary", "people"};
  if (c->type != XML_ELEMENT_NODE) return false;
  for (size_t i = 0; i < sizeof front / sizeof front[0]; i++)
    if (rp_builder_is(c, front[i])) return false;
  return true;
}

/* Pass 1: section ids and the people, which references may
 * name before or after their targets. The first of duplicates wins; pass 2
 * reports the others. */
static void collect(rp_builder *b, const xmlNode *root) {
  for (xmlNode *c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (rp_builder_is(c, "people")) rp_review_index_people(b, c);
    if (!is_section(c)) continue;
    const char *id = rp_builder_attr(b, c, "id");
    if (!id || rp_idset_find(&b->sections, id)) continue;
    rp_builder_idset_add(b, &b->sections, id, c, b->section_ids.len);
    const char **slot = rp_vec_push(b->a, &b->section_ids, sizeof *slot);
    if (slot)
      *slot = id;
    else
      b->oom = true;
  }
}

static void check_section_id(rp_builder *b, const xmlNode *c) {
  const char *id = rp_builder_attr(b, c, "id");
  const rp_id_entry *first = rp_idset_find(&b->sections, id);
  if (first && first->node != c)
    rp_builder_fail(b, c,
                    "<%s id=\"%s\"> repeats the id of <%s> on %s: section ids must be unique; "
                    "rename one",
                    (const char *)c->name, id, (const char *)first->node->name,
                    rp_builder_where(b, first->node, c));
}

/* Pass 2: everything else, in document order. */
static void build_all(rp_builder *b, const xmlNode *root) {
  rp_model *m = b->m;
  for (xmlNode *c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    check_hrefs(b, c);
    rp_prose_check_notes(b, c);
    if (is_section(c)) check_section_id(b, c);
    /* The first title is the primary one; later ones are other languages. */
    if (rp_builder_is(c, "title")) {
      const char *t = rp_builder_text(b, c);
      if (!m->title) m->title = t;
      if (t && !t[0]) rp_builder_fail(b, c, "the review's <title> is empty: write the title");
    }
    if (rp_builder_is(c, "strapline")) m->strapline = rp_builder_text(b, c);
    /* Before any reference to a kind: the schema puts it before people and sections. */
    if (rp_builder_is(c, "vocabulary")) rp_vocab_build(b, c);
    rp_review_build(b, c);
  }
  rp_review_finish(b, root);
  rp_prose_finish(b);
}

rp_status rp_model_build(rp_arena *a, xmlDocPtr doc, const char *path, const char *root, rp_diag *d,
                         rp_model **out) {
  *out = NULL;
  size_t errors_before = d->errors;
  rp_builder b = {.a = a, .d = d, .path = path, .root = root};
  rp_model *m = b.m = rp_arena_calloc(a, 1, sizeof *m);
  if (!m) goto oom;
  m->path = rp_builder_keep(&b, path);
  m->dir = rp_path_dir(a, path);
  if (!m->dir) goto oom;
  {
    char real[PATH_MAX];
    if (realpath(m->dir, real) && !(b.dir_abs = rp_arena_strdup(a, real))) goto oom;
    if (!b.dir_abs) b.root = NULL; /* no folder to place paths in: skip the escape check */
  }

  xmlNode *top = xmlDocGetRootElement(doc);
  if (!rp_builder_is(top, "review")) {
    rp_builder_fail(&b, top, "the root element must be <review>, not <%s>",
                    top ? (const char *)top->name : "(none)");
    goto done;
  }
  xmlChar *lang = xmlNodeGetLang(top);
  if (lang) {
    m->lang = rp_builder_keep(&b, (const char *)lang);
    xmlFree(lang);
  }
  collect(&b, top);
  build_all(&b, top);

done:
  if (b.oom) goto oom;
  if (d->errors != errors_before) return RP_ERR_INPUT;
  *out = m;
  return RP_OK;
oom:
  return rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0,
                       "out of memory while building the model of the content");
}
