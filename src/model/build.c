/* build — the content tree to the model (see build.h), and the checks the
 * schema cannot make.
 *
 * Runs after rp_xml_load has parsed, XIncluded and validated the document;
 * its output feeds template/ (binding) together with the tree itself.
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
 * - Ids are unique within their kind (docs/content.md, "Types"); they are
 *   checked with hash sets, so a huge document costs linear time.
 *
 * Two passes over the top-level elements. The first, silent, indexes section
 * ids and builds the people, since references may come before or after their
 * targets (<foreword person> precedes <people>). The second builds and checks
 * everything in document order, so messages come in the order of the file.
 * docs/loading.md lists the checks. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/path.h"
#include "base/xml.h"
#include "model/build.h"

/* Where members may be placed on the map: the UK and Ireland, generously. */
#define UK_LAT_MIN 49.0
#define UK_LAT_MAX 61.0
#define UK_LON_MIN (-9.0)
#define UK_LON_MAX 2.0

/* ---- id sets ------------------------------------------------------------- */

typedef struct id_entry {
  const char *id;
  const xmlNode *node; /* the element that declared it first */
  size_t index;        /* its position in the model's array */
} id_entry;

/* Open addressing, linear probing; capacity a power of two, at most half full. */
typedef struct idset {
  id_entry *slots;
  size_t cap, len;
} idset;

static size_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)h;
}

static const id_entry *idset_find(const idset *s, const char *id) {
  if (!s->cap || !id) return NULL;
  for (size_t i = hash_str(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    if (!s->slots[i].id) return NULL;
    if (strcmp(s->slots[i].id, id) == 0) return &s->slots[i];
  }
}

static void idset_put(id_entry *slots, size_t cap, id_entry e) {
  size_t i = hash_str(e.id) & (cap - 1);
  while (slots[i].id) i = (i + 1) & (cap - 1);
  slots[i] = e;
}

/* ---- the builder --------------------------------------------------------- */

typedef struct builder {
  rp_arena *a;
  rp_diag *d;
  const char *path; /* content file, as given: messages name it */
  const char *root; /* canonical project root, or NULL */
  char *dir_abs;    /* canonical folder of the content file, or NULL */
  rp_model *m;
  bool oom;           /* an arena allocation failed */
  idset sections;     /* section id → section element */
  rp_vec section_ids; /* const char *, in document order (for messages) */
  idset people;       /* person id → index into m->people */
} builder;

/* Adds `id` to `s`. Returns the entry that already held it (a duplicate), or
 * NULL once added (or when out of memory, which sets b->oom). */
static const id_entry *idset_add(builder *b, idset *s, const char *id, const xmlNode *n,
                                 size_t index) {
  if (!id) return NULL;
  const id_entry *old = idset_find(s, id);
  if (old) return old;
  if ((s->len + 1) * 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    id_entry *slots = rp_arena_calloc(b->a, cap, sizeof *slots);
    if (!slots) {
      b->oom = true;
      return NULL;
    }
    for (size_t i = 0; i < s->cap; i++)
      if (s->slots[i].id) idset_put(slots, cap, s->slots[i]);
    s->slots = slots;
    s->cap = cap;
  }
  idset_put(s->slots, s->cap, (id_entry){id, n, index});
  s->len++;
  return NULL;
}

/* The file a node came from: the content file, or an XIncluded file. */
static const char *node_file(const builder *b, const xmlNode *n) {
  return n ? rp_xml_file(n, b->path) : b->path;
}

static void fail(builder *b, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(builder *b, const xmlNode *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rp_diag_verror(b->d, RP_ERR_INPUT, node_file(b, n), rp_xml_line(n), 0, fmt, ap);
  va_end(ap);
}

static void warn(builder *b, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(builder *b, const xmlNode *n, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rp_diag_warn(b->d, node_file(b, n), rp_xml_line(n), 0, "%s", msg);
}

/* "line 11", or "line 11 of parts/people.xml" when `first` is in another file
 * than `here` (XInclude). In the arena: for messages only. */
static const char *where(builder *b, const xmlNode *first, const xmlNode *here) {
  const char *f = node_file(b, first);
  char *s = strcmp(f, node_file(b, here)) == 0
                ? rp_arena_printf(b->a, "line %d", rp_xml_line(first))
                : rp_arena_printf(b->a, "line %d of %s", rp_xml_line(first), f);
  return s ? s : "an earlier line";
}

/* Adds the id of element `c` (the i-th of its kind) to `s`; a repeat is an
 * error naming the element that had it first. */
static void unique_id(builder *b, idset *s, const char *noun, const char *id, const xmlNode *c,
                      size_t i) {
  const id_entry *dup = idset_add(b, s, id, c, i);
  if (dup)
    fail(b, c, "<%s id=\"%s\"> repeats the id of the %s on %s: %s ids must be unique; rename one",
         (const char *)c->name, id, noun, where(b, dup->node, c), (const char *)c->name);
}

static void *alloc_n(builder *b, size_t n, size_t size) {
  if (n == 0) return NULL;
  void *p = rp_arena_calloc(b->a, n, size);
  if (!p) b->oom = true;
  return p;
}

static const char *keep(builder *b, const char *s) {
  if (!s) return NULL;
  char *p = rp_arena_strdup(b->a, s);
  if (!p) b->oom = true;
  return p;
}

/* ---- reading the tree ---------------------------------------------------- */

static bool is_el(const xmlNode *n, const char *name) {
  return n && n->type == XML_ELEMENT_NODE && !n->ns && strcmp((const char *)n->name, name) == 0;
}

/* The first element named `name` at or after sibling `n`. */
static xmlNode *next_el(xmlNode *n, const char *name) {
  while (n && !is_el(n, name)) n = n->next;
  return n;
}

static xmlNode *child(const xmlNode *n, const char *name) {
  return n ? next_el(n->children, name) : NULL;
}

#define FOR_EACH(c, parent, name) \
  for (xmlNode *c = child(parent, name); c; c = next_el(c->next, name))

static size_t count_children(const xmlNode *n, const char *name) {
  size_t k = 0;
  FOR_EACH(c, n, name) k++;
  return k;
}

/* Attribute value copied into the arena; NULL when absent. */
static const char *attr(builder *b, const xmlNode *n, const char *name) {
  if (!n) return NULL;
  xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
  if (!v) return NULL;
  const char *s = keep(b, (const char *)v);
  xmlFree(v);
  return s;
}

/* Whitespace-collapsed text of an element, in the arena; NULL when absent. */
static const char *text(builder *b, const xmlNode *n) {
  if (!n) return NULL;
  char *t = rp_xml_text_collapsed(n);
  if (!t) {
    b->oom = true;
    return NULL;
  }
  const char *s = keep(b, t);
  free(t);
  return s;
}

static const char *child_text(builder *b, const xmlNode *n, const char *name) {
  return text(b, child(n, name));
}

/* ---- typed attributes ---------------------------------------------------- */

/* xsd:boolean. Absent → false. */
static bool bool_attr(builder *b, const xmlNode *n, const char *name) {
  const char *v = attr(b, n, name);
  if (!v) return false;
  if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) return true;
  if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
    fail(b, n, "<%s %s=\"%s\"> must be true or false", (const char *)n->name, name, v);
  return false;
}

/* A non-negative integer (counts, votes, years). Absent → `dflt`. */
static long count_attr(builder *b, const xmlNode *n, const char *name, long dflt) {
  const char *v = attr(b, n, name);
  if (!v) return dflt;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (end == v || *end || x < 0 || v[0] == '-' || v[0] == '+' || v[0] == ' ') {
    fail(b, n, "<%s %s=\"%s\"> must be a whole number, written with digits only",
         (const char *)n->name, name, v);
    return dflt;
  }
  if (errno == ERANGE) {
    fail(b, n, "<%s %s=\"%s\"> is too large", (const char *)n->name, name, v);
    return dflt;
  }
  return x;
}

/* A year attribute: four digits. Absent → 0. */
static int year_attr(builder *b, const xmlNode *n, const char *name) {
  const char *v = attr(b, n, name);
  if (!v) return 0;
  if (strlen(v) != 4 || strspn(v, "0123456789") != 4 || strcmp(v, "0000") == 0) {
    fail(b, n, "<%s %s=\"%s\"> must be a year, four digits (e.g. 2019)", (const char *)n->name,
         name, v);
    return 0;
  }
  return atoi(v);
}

/* A decimal number; false (after reporting) when absent or malformed. */
static bool number_attr(builder *b, const xmlNode *n, const char *name, double *out) {
  const char *v = attr(b, n, name);
  *out = 0;
  if (!v) return false;
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (end == v || *end || !isfinite(x) || errno == ERANGE) {
    fail(b, n,
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
static bool date_attr(builder *b, const xmlNode *n, const char *name, const char *what,
                      bool required, rp_date *out) {
  const char *v = attr(b, n, name);
  *out = (rp_date){0, 0, 0};
  if (!v) {
    if (required)
      fail(b, n, "<%s> needs a %s date (%s=\"YYYY-MM-DD\")", (const char *)n->name, what, name);
    return false;
  }
  if (rp_date_parse(v, out)) return true;
  bool shaped = strlen(v) == 10 && v[4] == '-' && v[7] == '-' && strspn(v, "0123456789") == 4 &&
                strspn(v + 5, "0123456789") == 2 && strspn(v + 8, "0123456789") == 2;
  if (shaped)
    fail(b, n, "<%s %s=\"%s\"> is not a date that exists; check the day and month (YYYY-MM-DD)",
         (const char *)n->name, name, v);
  else
    fail(b, n, "<%s %s=\"%s\"> needs a %s date written as YYYY-MM-DD (e.g. 2018-09-23)",
         (const char *)n->name, name, v, what);
  return false;
}

static void date_text(rp_date d, char *buf, size_t size) {
  snprintf(buf, size, "%04d-%02d-%02d", d.year, d.month, d.day);
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
static const char *asset(builder *b, const xmlNode *n, const char *name, const char *missing) {
  const char *v = attr(b, n, name);
  if (!v || !v[0]) return NULL;
  const char *el = (const char *)n->name;
  size_t scheme = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
  if (scheme > 1 && v[scheme] == ':') {
    fail(b, n,
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
      fail(b, n,
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
    warn(b, n, "<%s %s=\"%s\"> not found (looked for %s): %s", el, name, v, full, missing);
    return NULL;
  }
  if (b->root && !rp_path_inside(full, b->root)) { /* a symbolic link leading out */
    fail(b, n,
         "<%s %s=\"%s\">: path escapes the project folder (%s) through a symbolic link; "
         "copy the file into the project",
         el, name, v, b->root);
    return NULL;
  }
  if (!S_ISREG(sb.st_mode)) {
    warn(b, n, "<%s %s=\"%s\"> is not a file: %s", el, name, v, missing);
    return NULL;
  }
  return full;
}

/* ---- shared parts -------------------------------------------------------- */

static void build_socials(builder *b, const xmlNode *parent, rp_social **out, size_t *n_out) {
  size_t n = count_children(parent, "social");
  rp_social *s = alloc_n(b, n, sizeof *s);
  *out = s;
  *n_out = s ? n : 0;
  size_t i = 0;
  FOR_EACH(c, parent, "social") {
    const char *network = attr(b, c, "network");
    const char *handle = attr(b, c, "handle");
    const char *url = rp_model_social_url(b->a, network, handle);
    if (network && handle && !url) {
      const char *h = handle[0] == '@' ? handle + 1 : handle;
      if (strcmp(network, "mastodon") == 0)
        fail(b, c,
             "<social network=\"mastodon\" handle=\"%s\"> needs the server: write the "
             "handle as @name@server (e.g. @coopinnovation@mastodon.social)",
             handle);
      else if (strchr(h, '@'))
        fail(b, c,
             "<social network=\"%s\" handle=\"%s\">: only mastodon handles have a "
             "server part; write the handle as @name",
             network, handle);
      else
        fail(b, c,
             "<social network=\"%s\" handle=\"%s\"> cannot be made into a profile "
             "link: the network must be twitter, facebook, instagram, linkedin, youtube or "
             "mastodon, and the handle @name",
             network, handle);
    }
    if (s && i < n) s[i++] = (rp_social){network, handle, url};
  }
}

/* Every href (web, a, case-studies) is absolute web or mail: the schema says
 * so too, but a link in a PDF is the one thing a reader can act on. */
static void check_hrefs(builder *b, const xmlNode *n) {
  if (n->type != XML_ELEMENT_NODE) return;
  xmlChar *href = xmlGetNoNsProp(n, (const xmlChar *)"href");
  if (href) {
    const char *h = (const char *)href;
    bool ok = (strncmp(h, "https://", 8) == 0 && h[8]) || (strncmp(h, "http://", 7) == 0 && h[7]) ||
              (strncmp(h, "mailto:", 7) == 0 && h[7]);
    if (ok)
      for (const char *p = h; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ok = false;
    if (!ok)
      fail(b, n,
           "<%s href=\"%s\"> must be a web or mail address starting with https://, "
           "http:// or mailto:, without spaces",
           (const char *)n->name, h);
    xmlFree(href);
  }
  for (const xmlNode *c = n->children; c; c = c->next) check_hrefs(b, c);
}

/* ---- sections ------------------------------------------------------------ */

static void build_organisation(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  m->org_name = child_text(b, n, "name");
  m->org_short_name = child_text(b, n, "short-name");
  xmlNode *logo = child(n, "logo");
  if (logo) {
    m->logo = asset(b, logo, "src", "the layout leaves the logo out");
    m->logo_alt = attr(b, logo, "alt");
  }
  m->org_web = attr(b, child(n, "web"), "href");
  m->org_email = child_text(b, n, "email");
  build_socials(b, n, &m->org_socials, &m->n_org_socials);
}

static void build_period(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  m->period_text = text(b, n);
  bool from = date_attr(b, n, "from", "first-day", true, &m->period_from);
  bool to = date_attr(b, n, "to", "last-day", true, &m->period_to);
  if (from && to && rp_date_cmp(m->period_to, m->period_from) < 0) {
    char f[48], t[48];
    date_text(m->period_from, f, sizeof f);
    date_text(m->period_to, t, sizeof t);
    fail(b, n, "<period> ends (%s) before it starts (%s): check the dates", t, f);
  }
}

/* Pass 1: the people, so that references before and after <people> resolve.
 * Reports nothing (check_people does, in document order). */
static void index_people(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t count = count_children(n, "person");
  m->people = alloc_n(b, count, sizeof *m->people);
  if (!m->people) return;
  size_t i = 0;
  FOR_EACH(c, n, "person") {
    rp_person *p = &m->people[i];
    p->id = attr(b, c, "id");
    p->line = rp_xml_line(c);
    idset_add(b, &b->people, p->id, c, i); /* the first of duplicates wins */
    p->honorific = attr(b, c, "honorific");
    p->post_nominals = attr(b, c, "post-nominals");
    p->name = child_text(b, c, "name");
    p->display_name = rp_model_display_name(b->a, p->honorific, p->name, p->post_nominals);
    p->initials = rp_model_initials(b->a, p->name);
    if (!p->display_name || !p->initials) b->oom = true;
    i++;
  }
  m->n_people = i;
}

/* Pass 2: what can be wrong with each person; photos and social links. */
static void check_people(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t i = 0;
  FOR_EACH(c, n, "person") {
    if (i >= m->n_people) break;
    rp_person *p = &m->people[i++];
    const id_entry *first = idset_find(&b->people, p->id);
    if (first && first->node != c)
      fail(b, c,
           "<person id=\"%s\"> repeats the id of the person on %s: person ids must be "
           "unique; rename one, or merge the two",
           p->id, where(b, first->node, c));
    p->photo = asset(b, c, "photo", "the layout shows the person's initials instead");
    build_socials(b, c, &p->socials, &p->n_socials);
  }
}

/* The person an attribute names, or NULL after reporting that none has the id. */
static const rp_person *person_ref(builder *b, const xmlNode *n, const char *name) {
  const char *id = attr(b, n, name);
  if (!id) {
    fail(b, n, "<%s> needs a %s attribute naming a <person id> in <people>", (const char *)n->name,
         name);
    return NULL;
  }
  const id_entry *e = idset_find(&b->people, id);
  if (e && e->index < b->m->n_people) return &b->m->people[e->index];
  fail(b, n, "<%s %s=\"%s\">: no <person id=\"%s\"> in <people>: add the person or fix the id",
       (const char *)n->name, name, id, id);
  return NULL;
}

static void check_foreword(builder *b, const xmlNode *n) {
  if (xmlHasProp(n, (const xmlChar *)"person")) (void)person_ref(b, n, "person");
}

static void check_highlights(builder *b, const xmlNode *n) {
  FOR_EACH(c, n, "item") {
    const char *id = attr(b, c, "ref");
    if (!id || idset_find(&b->sections, id)) continue;
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < b->section_ids.len && len < sizeof list - 1; i++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                              RP_VEC_AT(b->section_ids, const char *, i));
    fail(b, c,
         "<item ref=\"%s\"> names no section in this document: use one of the "
         "section ids (%s)",
         id, list[0] ? list : "none");
  }
}

static rp_seat_position seat_position(builder *b, const xmlNode *n) {
  const char *v = attr(b, n, "position");
  if (!v) return RP_SEAT_MEMBER;
  if (strcmp(v, "chair") == 0) return RP_SEAT_CHAIR;
  if (strcmp(v, "vice-chair") == 0) return RP_SEAT_VICE_CHAIR;
  fail(b, n, "<seat position=\"%s\"> must be chair or vice-chair (or absent for a member)", v);
  return RP_SEAT_MEMBER;
}

static void build_board(builder *b, const xmlNode *n, rp_board *board) {
  board->id = attr(b, n, "id");
  board->name = child_text(b, n, "name");
  board->period = attr(b, n, "period");
  board->line = rp_xml_line(n);
  size_t plen = board->period ? strlen(board->period) : 0;
  if (plen == 7 || plen == 9) {
    /* "2018-19" or "2018-2020": the second year must not come first. */
    int from = atoi(board->period), to = atoi(board->period + 5);
    if (plen == 7) {
      to += from / 100 * 100;
      if (to < from && from % 100 >= 90) to += 100; /* 2099-00 */
    }
    if (to < from)
      fail(b, n,
           "<board period=\"%s\"> ends before it starts: write the years as 2019-20 or "
           "2018-2020",
           board->period);
  }
  size_t count = count_children(n, "seat");
  board->seats = alloc_n(b, count, sizeof *board->seats);
  if (!board->seats) return;
  idset seated = {0};
  size_t i = 0;
  FOR_EACH(c, n, "seat") {
    rp_seat *s = &board->seats[i++];
    s->line = rp_xml_line(c);
    s->person = person_ref(b, c, "person");
    s->position = seat_position(b, c);
    if (s->person) {
      const id_entry *dup = idset_add(b, &seated, s->person->id, c, i - 1);
      if (dup)
        fail(b, c,
             "<seat person=\"%s\"> repeats the seat on %s: a person holds one seat per "
             "board; put all their roles in one <seat>",
             s->person->id, where(b, dup->node, c));
    }
    s->n_roles = count_children(c, "role");
    const char **roles = alloc_n(b, s->n_roles, sizeof *roles);
    size_t r = 0;
    FOR_EACH(role, c, "role") if (roles) roles[r++] = text(b, role);
    s->roles = roles;
    if (!roles) s->n_roles = 0;
    xmlNode *org = child(c, "organisation");
    s->organisation = text(b, org);
    s->organisation_kind = attr(b, org, "kind");
  }
  board->n_seats = i;
}

static void build_boards(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t count = count_children(n, "board");
  m->boards = alloc_n(b, count, sizeof *m->boards);
  if (!m->boards) return;
  idset ids = {0};
  size_t i = 0;
  FOR_EACH(c, n, "board") {
    rp_board *board = &m->boards[i];
    build_board(b, c, board);
    unique_id(b, &ids, "board", board->id, c, i);
    i++;
  }
  m->n_boards = i;
}

static void build_figures(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t count = count_children(n, "figure");
  m->figures = alloc_n(b, count, sizeof *m->figures);
  if (!m->figures) return;
  idset ids = {0};
  size_t i = 0;
  FOR_EACH(c, n, "figure") {
    rp_figure *f = &m->figures[i];
    f->id = attr(b, c, "id");
    f->line = rp_xml_line(c);
    unique_id(b, &ids, "figure", f->id, c, i);
    if (!number_attr(b, c, "value", &f->value) && !xmlHasProp(c, (const xmlChar *)"value"))
      fail(b, c, "<figure id=\"%s\"> needs a value, the number as digits (value=\"7400000\")",
           f->id ? f->id : "");
    f->unit = attr(b, c, "unit");
    f->display = attr(b, c, "display");
    f->label = attr(b, c, "label");
    f->qualifier = attr(b, c, "qualifier");
    f->group = attr(b, c, "group");
    i++;
  }
  m->n_figures = i;
}

static void build_membership(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  m->membership_illustrative = bool_attr(b, n, "illustrative");
  size_t count = count_children(n, "member");
  m->members = alloc_n(b, count, sizeof *m->members);
  if (!m->members) return;
  size_t i = 0;
  FOR_EACH(c, n, "member") {
    rp_member *mb = &m->members[i++];
    mb->name = text(b, c);
    mb->line = rp_xml_line(c);
    mb->region = attr(b, c, "region");
    const char *kind = attr(b, c, "kind");
    if (kind && strcmp(kind, "associate") == 0)
      mb->kind = RP_MEMBER_ASSOCIATE;
    else if (kind && strcmp(kind, "affiliate") == 0)
      mb->kind = RP_MEMBER_AFFILIATE;
    else if (kind && strcmp(kind, "member") == 0)
      mb->kind = RP_MEMBER;
    else
      fail(b, c, "<member kind=\"%s\"> must be member, associate or affiliate", kind ? kind : "");
    bool has_lat = xmlHasProp(c, (const xmlChar *)"lat") != NULL;
    bool has_lon = xmlHasProp(c, (const xmlChar *)"lon") != NULL;
    if (has_lat != has_lon) {
      fail(b, c, "<member> has %s but not %s: give both lat and lon, or neither",
           has_lat ? "lat" : "lon", has_lat ? "lon" : "lat");
      continue;
    }
    if (!has_lat) continue;
    bool ok = number_attr(b, c, "lat", &mb->lat);
    ok = number_attr(b, c, "lon", &mb->lon) && ok;
    if (!ok) continue;
    if (mb->lat < UK_LAT_MIN || mb->lat > UK_LAT_MAX || mb->lon < UK_LON_MIN ||
        mb->lon > UK_LON_MAX) {
      fail(b, c,
           "<member lat=\"%g\" lon=\"%g\"> is outside the UK (lat %g to %g, lon %g to %g): "
           "check the coordinates (WGS84 degrees; lat is north, lon is east, negative west)",
           mb->lat, mb->lon, UK_LAT_MIN, UK_LAT_MAX, UK_LON_MIN, UK_LON_MAX);
      continue;
    }
    mb->has_position = true;
  }
  m->n_members = i;
}

static void build_awards(builder *b, const xmlNode *n) {
  rp_awards *aw = &b->m->awards;
  aw->title = child_text(b, n, "title");
  if (!aw->title) aw->title = keep(b, ""); /* title NULL means "no awards" */
  aw->year = year_attr(b, n, "year");
  aw->votes = count_attr(b, n, "votes", 0);
  aw->line = rp_xml_line(n);
  size_t count = count_children(n, "category");
  aw->categories = alloc_n(b, count, sizeof *aw->categories);
  size_t i = 0;
  FOR_EACH(c, n, "category") {
    if (!aw->categories) break;
    rp_award_category *cat = &aw->categories[i++];
    cat->name = attr(b, c, "name");
    cat->winner = child_text(b, c, "winner");
    cat->council_award = bool_attr(b, c, "featured");
    cat->sponsor = attr(b, c, "sponsor");
    cat->line = rp_xml_line(c);
  }
  aw->n_categories = i;
  xmlNode *ind = child(n, "individuals");
  count = count_children(ind, "individual");
  aw->individuals = alloc_n(b, count, sizeof *aw->individuals);
  i = 0;
  FOR_EACH(c, ind, "individual") {
    if (!aw->individuals) break;
    rp_award_individual *in = &aw->individuals[i++];
    in->name = child_text(b, c, "name");
    in->citation = child_text(b, c, "citation");
    in->line = rp_xml_line(c);
  }
  aw->n_individuals = i;
}

static void build_labs(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  year_attr(b, n, "year");
  count_attr(b, n, "max-funding", 0);
  size_t count = count_children(n, "project");
  m->labs = alloc_n(b, count, sizeof *m->labs);
  if (!m->labs) return;
  idset ids = {0};
  size_t i = 0;
  FOR_EACH(c, n, "project") {
    rp_lab *lab = &m->labs[i];
    lab->id = attr(b, c, "id");
    lab->title = child_text(b, c, "title");
    lab->lead = attr(b, c, "lead");
    lab->n_sections = count_children(c, "section");
    lab->line = rp_xml_line(c);
    unique_id(b, &ids, "project", lab->id, c, i);
    i++;
  }
  m->n_labs = i;
}

static void build_case_studies(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  m->case_study_count = count_attr(b, n, "count", 0);
  m->case_study_href = attr(b, n, "href");
  idset ids = {0};
  size_t i = 0;
  FOR_EACH(c, n, "case-study") {
    const char *id = attr(b, c, "id");
    unique_id(b, &ids, "case study", id, c, i++);
  }
}

static void build_events(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  count_attr(b, n, "count", 0);
  size_t count = count_children(n, "event");
  m->events = alloc_n(b, count, sizeof *m->events);
  if (!m->events) return;
  size_t i = 0;
  FOR_EACH(c, n, "event") {
    rp_event *e = &m->events[i++];
    e->title = child_text(b, c, "title");
    e->place = child_text(b, c, "place");
    e->line = rp_xml_line(c);
    bool start = date_attr(b, c, "start", "start", true, &e->start);
    if (!xmlHasProp(c, (const xmlChar *)"end")) {
      e->end = e->start;
      continue;
    }
    bool end = date_attr(b, c, "end", "last-day", false, &e->end);
    if (start && end && rp_date_cmp(e->end, e->start) < 0) {
      char s[48], t[48];
      date_text(e->start, s, sizeof s);
      date_text(e->end, t, sizeof t);
      fail(b, c, "<event> ends (%s) before it starts (%s): check the dates", t, s);
    }
  }
  m->n_events = i;
}

static void build_plan(builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  int from = year_attr(b, n, "from"), to = year_attr(b, n, "to");
  if (from && to && to < from)
    fail(b, n, "<plan> ends (to=\"%d\") before it starts (from=\"%d\"): check the years", to, from);
  size_t count = count_children(n, "item");
  m->plan = alloc_n(b, count, sizeof *m->plan);
  if (!m->plan) return;
  size_t i = 0;
  FOR_EACH(c, n, "item") {
    rp_plan_item *it = &m->plan[i++];
    it->title = child_text(b, c, "title");
    it->detail = child_text(b, c, "detail");
    it->status = attr(b, c, "status");
    it->line = rp_xml_line(c);
  }
  m->n_plan = i;
}

static void check_contact(builder *b, const xmlNode *n) {
  rp_social *socials;
  size_t n_socials;
  build_socials(b, n, &socials, &n_socials); /* checks the handles; layouts bind the rest */
}

/* ---- the two passes ------------------------------------------------------ */

/* Pass 1: section ids and people, which references may name before or after
 * their targets. The first of duplicates wins; pass 2 reports the others. */
static void collect(builder *b, const xmlNode *root) {
  for (xmlNode *c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is_el(c, "people")) index_people(b, c);
    const char *id = attr(b, c, "id");
    if (!id || idset_find(&b->sections, id)) continue;
    idset_add(b, &b->sections, id, c, b->section_ids.len);
    const char **slot = rp_vec_push(b->a, &b->section_ids, sizeof *slot);
    if (slot)
      *slot = id;
    else
      b->oom = true;
  }
}

static void check_section_id(builder *b, const xmlNode *c) {
  const char *id = attr(b, c, "id");
  const id_entry *first = idset_find(&b->sections, id);
  if (first && first->node != c)
    fail(b, c,
         "<%s id=\"%s\"> repeats the id of <%s> on %s: section ids must be unique; "
         "rename one",
         (const char *)c->name, id, (const char *)first->node->name, where(b, first->node, c));
}

/* Pass 2: everything else, in document order. */
static void build_sections(builder *b, const xmlNode *root) {
  static const struct {
    const char *name;
    void (*build)(builder *, const xmlNode *);
  } sections[] = {
      {"organisation", build_organisation},
      {"period", build_period},
      {"people", check_people},
      {"section", check_foreword},
      {"highlights", check_highlights},
      {"boards", build_boards},
      {"figures", build_figures},
      {"members", build_membership},
      {"awards", build_awards},
      {"projects", build_labs},
      {"case-studies", build_case_studies},
      {"events", build_events},
      {"plan", build_plan},
      {"contact", check_contact},
  };
  rp_model *m = b->m;
  for (xmlNode *c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    check_section_id(b, c);
    check_hrefs(b, c);
    if (is_el(c, "title")) m->title = text(b, c);
    if (is_el(c, "strapline")) m->strapline = text(b, c);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
      if (is_el(c, sections[i].name)) sections[i].build(b, c);
  }
}

rp_status rp_model_build(rp_arena *a, xmlDocPtr doc, const char *path, const char *root, rp_diag *d,
                         rp_model **out) {
  *out = NULL;
  size_t errors_before = d->errors;
  builder b = {.a = a, .d = d, .path = path, .root = root};
  rp_model *m = b.m = rp_arena_alloc(a, sizeof *m);
  if (!m) goto oom;
  m->path = keep(&b, path);
  m->dir = rp_path_dir(a, path);
  if (!m->dir) goto oom;
  {
    char real[PATH_MAX];
    if (realpath(m->dir, real) && !(b.dir_abs = rp_arena_strdup(a, real))) goto oom;
    if (!b.dir_abs) b.root = NULL; /* no folder to place paths in: skip the escape check */
  }

  xmlNode *top = xmlDocGetRootElement(doc);
  if (!is_el(top, "review")) {
    fail(&b, top, "the root element must be <review>, not <%s>",
         top ? (const char *)top->name : "(none)");
    goto done;
  }
  xmlChar *lang = xmlNodeGetLang(top);
  if (lang) {
    m->lang = keep(&b, (const char *)lang);
    xmlFree(lang);
  }
  collect(&b, top);
  build_sections(&b, top);

done:
  if (b.oom) goto oom;
  if (d->errors != errors_before) return RP_ERR_INPUT;
  *out = m;
  return RP_OK;
oom:
  return rp_diag_error(d, RP_ERR_INTERNAL, path, 0, 0,
                       "out of memory while building the model of the content");
}
