/* xpath — XPath expressions and text patterns in a layout: compiled once at
 * load, evaluated per binding against the content document.
 *
 * A pattern ("{name} — {role}") is literal text with XPath 1.0 expressions in
 * braces; {{ and }} stand for literal braces. Page variables ({$page},
 * {$pages}, {$section}) are allowed only in master texts, where they stay as
 * written for layout/ to fill in per page.
 *
 * At load, besides libxml2's syntax check, each expression is scanned for the
 * functions it calls and the variables it reads, so that a misspelt function
 * or a $key outside <group> is reported with its line before any content is
 * read (libxml2 finds those only when evaluating).
 *
 * libxml2 2.9 reports XPath errors by code, without text, and prints unknown
 * functions through its generic error handler: messages are made here from
 * the code, and the generic handler is captured while a binding runs. */
#include <libxml/hash.h>
#include <libxml/xpathInternals.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/mem.h"
#include "template/def.h"
#include "template/xfast_eval.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlErrorPtr error_ptr;
#endif

/* libxml2's texts for XML_XPATH_EXPRESSION_OK (1200) onwards (xpath.c). */
static const char *code_message(int code, const char *given) {
  static const char *const msgs[] = {
      "Ok",
      "Number encoding",
      "Unfinished literal",
      "Start of literal",
      "Expected $ for variable reference",
      "Undefined variable",
      "Invalid predicate",
      "Invalid expression",
      "Missing closing curly brace",
      "Unregistered function",
      "Invalid operand",
      "Invalid type",
      "Invalid number of arguments",
      "Invalid context size",
      "Invalid context position",
      "Memory allocation error",
      "Syntax error",
      "Resource error",
      "Sub resource error",
      "Undefined namespace prefix",
      "Encoding error",
      "Char out of XML range",
      "Invalid or incomplete context",
      "Stack usage error",
      "Forbidden variable",
  };
  if (given && given[0]) return given;
  int i = code - 1200;
  if (i >= 0 && (size_t)i < sizeof msgs / sizeof msgs[0]) return msgs[i];
  return "XPath error";
}

static void trim_newline(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ')) s[--n] = '\0';
}

static bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static bool is_name_char(unsigned char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
}

static bool word_is(const char *s, size_t n, const char *w) {
  return strlen(w) == n && strncmp(s, w, n) == 0;
}

static bool var_known(const char *s, size_t n, const char *const *vars) {
  for (size_t i = 0; vars && vars[i]; i++)
    if (word_is(s, n, vars[i])) return true;
  return false;
}

/* label('name'): a literal name is checked now, before any content; a
 * computed one when binding. */
static bool check_label(rp_layout_def *l, const xmlNode *n, const char *where, const char *arg) {
  arg += strspn(arg, " \t\r\n");
  if (*arg != '\'' && *arg != '"') return true;
  const char *end = strchr(arg + 1, *arg);
  if (!end) return true; /* libxml2 reports the unfinished literal */
  const char *after = end + 1 + strspn(end + 1, " \t\r\n");
  if (*after != ')') return true;
  return rp_labels_check(l, n, where, arg + 1, (size_t)(end - arg - 1));
}

/* Reports unknown functions and variables; false if any. */
static bool scan_names(rp_layout_def *l, const xmlNode *n, const char *where, const char *e,
                       const char *const *vars) {
  bool ok = true;
  for (const char *p = e; *p;) {
    unsigned char c = (unsigned char)*p;
    if (c == '\'' || c == '"') {
      const char *end = strchr(p + 1, c);
      if (!end) break; /* libxml2 reports the unfinished literal */
      p = end + 1;
      continue;
    }
    if (c == '$') {
      const char *s = ++p;
      while (is_name_char((unsigned char)*p)) p++;
      size_t len = (size_t)(p - s);
      if (len == 0) continue;
      if (word_is(s, len, "page") || word_is(s, len, "pages") || word_is(s, len, "section") ||
          word_is(s, len, "section-first") || word_is(s, len, "section-last")) {
        rp_def_error(l, n,
                     "$%.*s in %s: page variables are written alone in braces, {$%.*s}, and "
                     "only in a master's header, footer or text",
                     (int)len, s, where, (int)len, s);
        ok = false;
      } else if (!var_known(s, len, vars) && !rp_param_find(l, s, len)) {
        rp_def_error(l, n,
                     "unknown variable $%.*s in %s; $key and $group exist only inside "
                     "<group>, and parameters are declared with <param> in <brand>",
                     (int)len, s, where);
        ok = false;
      }
      continue;
    }
    if (c >= '0' && c <= '9') {
      while ((*p >= '0' && *p <= '9') || *p == '.') p++;
      continue;
    }
    if (is_name_start(c)) {
      const char *s = p;
      while (is_name_char((unsigned char)*p)) p++;
      /* an axis ("child::text()"): the name is what follows it */
      for (const char *ax = s; ax + 1 < p; ax++)
        if (ax[0] == ':' && ax[1] == ':') s = ax + 2;
      size_t len = (size_t)(p - s);
      const char *q = p;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q != '(') continue;
      static const char *const not_functions[] = {
          "node", "text", "comment", "processing-instruction", "and", "or", "div", "mod"};
      bool skip = false;
      for (size_t i = 0; i < sizeof not_functions / sizeof not_functions[0]; i++)
        if (word_is(s, len, not_functions[i])) skip = true;
      if (!skip && !rp_xpathfn_known(s, len)) {
        rp_def_error(l, n,
                     "unknown function %.*s() in %s; docs/layout.md lists the functions "
                     "(XPath 1.0 and reviewpdf's own)",
                     (int)len, s, where);
        ok = false;
      }
      if (word_is(s, len, "label")) ok &= check_label(l, n, where, q + 1);
      continue;
    }
    p++;
  }
  return ok;
}

/* attr="text", or {text} when in a pattern: put together by hand, as
 * printf cost a quarter of compiling the expressions. */
static const char *describe(rp_layout_def *l, const char *attr, const char *text) {
  size_t na = attr ? strlen(attr) : 0, nt = strlen(text);
  char *s = rp_arena_alloc_raw(l->a, na + nt + (attr ? 4 : 3));
  if (!s) return NULL;
  char *o = s;
  if (attr) {
    memcpy(o, attr, na);
    o += na;
    *o++ = '=';
    *o++ = '"';
  } else {
    *o++ = '{';
  }
  memcpy(o, text, nt);
  o += nt;
  *o++ = attr ? '"' : '}';
  *o = '\0';
  return s;
}

xmlXPathCompExprPtr rp_xpath_compile(xmlXPathContextPtr ctx, const char *text) {
  char wrapped[1024];
  size_t n = strlen(text);
  if (!strpbrk(text, "([@") && n + 3 <= sizeof wrapped) {
    wrapped[0] = '(';
    memcpy(wrapped + 1, text, n);
    memcpy(wrapped + 1 + n, ")", 2);
    text = wrapped;
  }
  /* libxml2's own allocations, shielded as evaluation's are (def.h) */
  rp_mem_shield(true);
  xmlXPathCompExprPtr comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)text);
  rp_mem_shield(false);
  return comp;
}

int rp_xexpr_step(const char *text, const xmlChar **name) {
  *name = NULL;
  if (strcmp(text, ".") == 0) return RP_XSTEP_SELF;
  int step = RP_XSTEP_CHILD;
  const char *s = text;
  if (*s == '@') {
    step = RP_XSTEP_ATTR;
    s++;
  } else if (strncmp(s, "self::", 6) == 0) {
    step = RP_XSTEP_SELF_NAMED;
    s += 6;
  }
  if (!is_name_start((unsigned char)*s)) return RP_XSTEP_NONE;
  for (const char *c = s + 1; *c; c++)
    if (!is_name_char((unsigned char)*c) || *c == ':') return RP_XSTEP_NONE;
  /* names that are also operators or node types: left to libxml2 */
  static const char *const keywords[] = {"and", "or", "div", "mod", "node", "text", "comment"};
  for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
    if (strcmp(s, keywords[i]) == 0) return RP_XSTEP_NONE;
  *name = (const xmlChar *)s;
  return step;
}

const rp_xexpr *rp_xexpr_compile(rp_layout_def *l, const xmlNode *n, const char *attr,
                                 const char *text, const char *const *vars) {
  const char *where = describe(l, attr, text);
  rp_xexpr *e = rp_arena_alloc(l->a, sizeof *e);
  if (!where || !e) {
    rp_def_out_of_memory(l);
    return NULL;
  }
  l->xp_err[0] = '\0';
  l->xp_err_code = 0;
  l->xp_err_pos = 0;
  if (!rp_def_xpath(l, text, &e->comp)) return NULL; /* compiled once per text */
  e->refs = strstr(text, "page(") || strstr(text, "pages(");
  if (e->refs) l->uses_page_refs = true;
  if (!e->comp) {
    trim_newline(l->xp_err);
    rp_def_error(l, n, "XPath error in %s: %s; check the expression", where,
                 code_message(l->xp_err_code, l->xp_err));
    return NULL;
  }
  if (!scan_names(l, n, where, text, vars)) return NULL;
  e->text = rp_arena_strdup(l->a, text);
  if (!e->text) {
    rp_def_out_of_memory(l);
    return NULL;
  }
  e->where = where;
  e->step = rp_xexpr_step(text, &e->step_name);
  if (e->step == RP_XSTEP_NONE && !e->refs) e->fast = rp_xfast_compile(l->a, text);
  e->file = rp_def_file(l, n);
  e->line = (int)xmlGetLineNo(n);
  return e;
}

static bool is_page_variable(const char *s, size_t n) {
  while (n > 0 && (*s == ' ' || *s == '\t')) s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  return word_is(s, n, "$page") || word_is(s, n, "$pages") || word_is(s, n, "$section") ||
         word_is(s, n, "$section-first") || word_is(s, n, "$section-last");
}

/* The end of the expression starting at p (its closing brace), skipping
 * braces inside string literals; NULL when unterminated. */
static const char *expr_end(const char *p) {
  for (; *p; p++) {
    if (*p == '\'' || *p == '"') {
      const char *q = strchr(p + 1, *p);
      if (!q) return NULL;
      p = q;
    } else if (*p == '}') {
      return p;
    }
  }
  return NULL;
}

const rp_avt *rp_avt_compile(rp_layout_def *l, const xmlNode *n, const char *attr, const char *text,
                             rp_avt_mode mode, const char *const *vars) {
  rp_avt *t = rp_arena_alloc(l->a, sizeof *t);
  rp_vec parts = {0};
  size_t len = strlen(text);
  char *lit = rp_arena_alloc(l->a, len + 1);
  if (!t || !lit) {
    rp_def_out_of_memory(l);
    return NULL;
  }
  const char *what = attr ? attr : "text";
  size_t o = 0;
  bool ok = true;
  for (const char *p = text; *p;) {
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
      lit[o++] = *p;
      p += 2;
      continue;
    }
    if (*p == '}') {
      rp_def_error(l, n, "a lone } in %s \"%s\"; write }} for a literal brace", what, text);
      return NULL;
    }
    if (*p != '{') {
      lit[o++] = *p++;
      continue;
    }
    const char *end = expr_end(p + 1);
    if (!end) {
      rp_def_error(l, n,
                   "a { without its } in %s \"%s\"; close the expression, or write {{ for a "
                   "literal brace",
                   what, text);
      return NULL;
    }
    size_t elen = (size_t)(end - p - 1);
    if (is_page_variable(p + 1, elen) && mode == RP_AVT_PAGE) {
      /* kept for layout/, in canonical form */
      const char *s = p + 1;
      while (*s == ' ' || *s == '\t') s++;
      size_t vlen = strcspn(s, " \t}");
      lit[o++] = '{';
      memcpy(lit + o, s, vlen);
      o += vlen;
      lit[o++] = '}';
      p = end + 1;
      continue;
    }
    if (is_page_variable(p + 1, elen)) {
      rp_def_error(l, n,
                   "{%.*s} in %s: page variables are available only in a master's header, "
                   "footer and text decorations",
                   (int)elen, p + 1, what);
      ok = false;
      p = end + 1;
      continue;
    }
    if (strspn(p + 1, " \t\r\n") >= elen) {
      rp_def_error(l, n, "an empty {} in %s \"%s\"; write {{}} for literal braces", what, text);
      ok = false;
      p = end + 1;
      continue;
    }
    if (o > 0) {
      rp_avt_part *lp = rp_vec_push(l->a, &parts, sizeof *lp);
      if (!lp) {
        rp_def_out_of_memory(l);
        return NULL;
      }
      lp->lit = rp_arena_strndup(l->a, lit, o);
      if (!lp->lit) {
        rp_def_out_of_memory(l);
        return NULL;
      }
      o = 0;
    }
    char *expr = rp_arena_strndup(l->a, p + 1, elen);
    rp_avt_part *ep = rp_vec_push(l->a, &parts, sizeof *ep);
    if (!expr || !ep) {
      rp_def_out_of_memory(l);
      return NULL;
    }
    ep->expr = rp_xexpr_compile(l, n, attr, expr, vars);
    if (!ep->expr) ok = false;
    p = end + 1;
  }
  if (o > 0) {
    rp_avt_part *lp = rp_vec_push(l->a, &parts, sizeof *lp);
    if (!lp) {
      rp_def_out_of_memory(l);
      return NULL;
    }
    lp->lit = rp_arena_strndup(l->a, lit, o);
    if (!lp->lit) {
      rp_def_out_of_memory(l);
      return NULL;
    }
  }
  if (!ok) return NULL;
  t->parts = parts.data;
  t->n = parts.len;
  if (t->n == 0) t->constant = "";
  if (t->n == 1 && t->parts[0].lit) t->constant = t->parts[0].lit;
  return t;
}

/* ---- compiled ahead (template.h) -------------------------------------------- */

/* What the other thread compiled, by text: an open-addressed table, filled
 * there and taken from here (a taken slot keeps its text, so it is not
 * compiled again). Everything under `mu`. */
struct rp_xpath_ahead {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  const xmlDoc *docs[2];
  bool given, closed;
  bool reading;               /* the trees: close waits till it is not */
  char *copy;                 /* the texts found there, each ending in a NUL */
  const char **texts;         /* into copy; NULL: a free slot */
  xmlXPathCompExprPtr *comps; /* NULL: taken (or none) */
  size_t cap;                 /* a power of two, or 0 */
  size_t taken;
  rp_fontset *fonts; /* the layout's, given with the faces to read there */
  int *faces;        /* their indices (owned), n_faces of them */
  size_t n_faces;
  bool faces_given, face_busy; /* close waits till a face is not being read */
};

typedef struct span {
  const char *s;
  size_t n;
} span;

rp_xpath_ahead *rp_xpath_ahead_new(void) {
  rp_xpath_ahead *x = rp_mem_calloc(1, sizeof *x);
  if (!x) return NULL;
  if (pthread_mutex_init(&x->mu, NULL) != 0) {
    rp_mem_free(x);
    return NULL;
  }
  if (pthread_cond_init(&x->cv, NULL) != 0) {
    pthread_mutex_destroy(&x->mu);
    rp_mem_free(x);
    return NULL;
  }
  return x;
}

/* Gives the validated trees (`base` may be NULL) to the other thread. */
void rp_xpath_ahead_give(rp_xpath_ahead *x, const xmlDoc *doc, const xmlDoc *base) {
  pthread_mutex_lock(&x->mu);
  if (!x->closed) {
    x->docs[0] = doc;
    x->docs[1] = base;
    x->given = true;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
}

void rp_xpath_ahead_close(rp_xpath_ahead *x) {
  if (!x) return;
  pthread_mutex_lock(&x->mu);
  x->closed = true;
  pthread_cond_broadcast(&x->cv);
  while (x->reading || x->face_busy) pthread_cond_wait(&x->cv, &x->mu);
  pthread_mutex_unlock(&x->mu);
}

void rp_xpath_ahead_give_faces(rp_xpath_ahead *x, rp_fontset *fs, const int *faces, size_t n) {
  if (!x) return;
  int *copy = n ? rp_mem_alloc(n * sizeof *copy) : NULL;
  if (copy) memcpy(copy, faces, n * sizeof *copy);
  pthread_mutex_lock(&x->mu);
  if (!x->closed && !x->faces_given) {
    x->fonts = fs;
    x->faces = copy;
    x->n_faces = copy ? n : 0;
    x->faces_given = true;
    copy = NULL;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
  rp_mem_free(copy);
}

void rp_xpath_ahead_read_faces(rp_xpath_ahead *x) {
  pthread_mutex_lock(&x->mu);
  while (!x->faces_given && !x->closed) pthread_cond_wait(&x->cv, &x->mu);
  for (size_t i = 0; i < x->n_faces && !x->closed; i++) {
    x->face_busy = true;
    pthread_mutex_unlock(&x->mu);
    rp_font_read_ahead((rp_font *)rp_fontset_get(x->fonts, x->faces[i]));
    pthread_mutex_lock(&x->mu);
    x->face_busy = false;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
}

void rp_xpath_ahead_free(rp_xpath_ahead *x) {
  if (!x) return;
  for (size_t i = 0; i < x->cap; i++) xmlXPathFreeCompExpr(x->comps[i]);
  rp_mem_free(x->copy);
  rp_mem_free(x->texts);
  rp_mem_free(x->comps);
  rp_mem_free(x->faces);
  pthread_cond_destroy(&x->cv);
  pthread_mutex_destroy(&x->mu);
  rp_mem_free(x);
}

/* The slot of the text [s, s + n), or the free one it would take. */
static size_t ahead_slot(const rp_xpath_ahead *x, const char *s, size_t n) {
  size_t h = 14695981039346656037u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
  size_t mask = x->cap - 1, i = h & mask;
  while (x->texts[i] && (strncmp(x->texts[i], s, n) != 0 || x->texts[i][n])) i = (i + 1) & mask;
  return i;
}

xmlXPathCompExprPtr rp_xpath_ahead_take(rp_xpath_ahead *x, const char *text) {
  xmlXPathCompExprPtr comp = NULL;
  pthread_mutex_lock(&x->mu);
  if (x->cap) {
    size_t i = ahead_slot(x, text, strlen(text));
    comp = x->comps[i];
    x->comps[i] = NULL;
    if (comp) x->taken++;
  }
  pthread_mutex_unlock(&x->mu);
  return comp;
}

size_t rp_xpath_ahead_taken(rp_xpath_ahead *x) {
  pthread_mutex_lock(&x->mu);
  size_t n = x->taken;
  pthread_mutex_unlock(&x->mu);
  return n;
}

typedef struct spans {
  span *v;
  size_t n, cap;
} spans;

static bool add_span(spans *out, const char *s, size_t n) {
  if (out->n == out->cap) {
    size_t cap = out->cap ? out->cap * 2 : 256;
    span *v = rp_mem_reallocarray(out->v, cap, sizeof *v);
    if (!v) return false;
    out->v = v;
    out->cap = cap;
  }
  out->v[out->n++] = (span){s, n};
  return true;
}

/* The {…} parts of a pattern, found as rp_avt_compile finds them. */
static bool avt_spans(const char *text, spans *out) {
  for (const char *p = text; *p;) {
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
      p += 2;
      continue;
    }
    if (*p == '}') return true;
    if (*p != '{') {
      p++;
      continue;
    }
    const char *end = expr_end(p + 1);
    if (!end) return true;
    size_t n = (size_t)(end - p - 1);
    if (!is_page_variable(p + 1, n) && strspn(p + 1, " \t\r\n") < n && !add_span(out, p + 1, n))
      return false;
    p = end + 1;
  }
  return true;
}

/* Attributes whose whole value is an expression (rp_def_expr_attr's). */
static bool expr_attr(const char *name) {
  return strcmp(name, "select") == 0 || strcmp(name, "test") == 0 || strcmp(name, "match") == 0 ||
         strcmp(name, "by") == 0 || strcmp(name, "group-by") == 0;
}

/* What `doc` may hold as expressions, in document order (as compiled). */
static bool doc_spans(const xmlDoc *doc, spans *out) {
  const xmlNode *root = xmlDocGetRootElement(doc), *n = root;
  while (n) {
    if (n->type == XML_ELEMENT_NODE) {
      for (const xmlAttr *at = n->properties; at; at = at->next) {
        const xmlNode *t = at->children;
        if (at->ns || !t || t->next || t->type != XML_TEXT_NODE || !t->content) continue;
        const char *v = (const char *)t->content;
        bool ok = expr_attr((const char *)at->name) ? add_span(out, v, strlen(v))
                  : strchr(v, '{')                  ? avt_spans(v, out)
                                                    : true;
        if (!ok) return false;
      }
    } else if (n->type == XML_TEXT_NODE && n->content && strchr((const char *)n->content, '{')) {
      if (!avt_spans((const char *)n->content, out)) return false;
    }
    /* next in document order */
    if (n->type == XML_ELEMENT_NODE && n->children) {
      n = n->children;
      continue;
    }
    while (n != root && !n->next) n = n->parent;
    n = n == root ? NULL : n->next;
  }
  return true;
}

static void ignore_compile_error(void *user, error_ptr e) { (void)user, (void)e; }

/* The texts of `todo` copied out of the trees, one after the other, each
 * span then pointing at its copy; NULL when out of memory. */
static char *copy_out(spans *todo) {
  size_t bytes = 1;
  for (size_t i = 0; i < todo->n; i++) bytes += todo->v[i].n + 1;
  char *copy = rp_mem_alloc(bytes), *o = copy;
  for (size_t i = 0; copy && i < todo->n; i++) {
    memcpy(o, todo->v[i].s, todo->v[i].n);
    o[todo->v[i].n] = '\0';
    todo->v[i].s = o;
    o += todo->v[i].n + 1;
  }
  return copy;
}

void rp_xpath_ahead_run(rp_xpath_ahead *x) {
  pthread_mutex_lock(&x->mu);
  while (!x->given && !x->closed) pthread_cond_wait(&x->cv, &x->mu);
  x->reading = !x->closed;
  pthread_mutex_unlock(&x->mu);
  if (!x->reading) return;
  /* Out of the trees first (a walk, a tenth of the compiling): closing
   * never waits for a compile, however long this thread is kept waiting. */
  spans todo = {0};
  bool ok = true;
  for (int i = 0; i < 2 && ok; i++)
    if (x->docs[i]) ok = doc_spans(x->docs[i], &todo);
  char *copy = ok ? copy_out(&todo) : NULL;
  pthread_mutex_lock(&x->mu);
  x->reading = false;
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
  size_t cap = 16;
  while (cap < todo.n * 2) cap *= 2;
  const char **texts = copy ? rp_mem_calloc(cap, sizeof *texts) : NULL;
  xmlXPathCompExprPtr *comps = texts ? rp_mem_calloc(cap, sizeof *comps) : NULL;
  xmlXPathContextPtr ctx = comps ? xmlXPathNewContext(NULL) : NULL;
  if (ctx) ctx->error = ignore_compile_error;
  pthread_mutex_lock(&x->mu);
  if (ctx) x->copy = copy, x->texts = texts, x->comps = comps, x->cap = cap;
  /* From the last: the loading compiles from the first (taking what is
   * here), so the two meet in the middle rather than compile the same. */
  for (size_t k = todo.n; ctx && k > 0 && !x->closed; k--) {
    size_t i = k - 1;
    size_t at = ahead_slot(x, todo.v[i].s, todo.v[i].n);
    if (x->texts[at]) continue; /* compiled already (or tried) */
    pthread_mutex_unlock(&x->mu);
    xmlXPathCompExprPtr comp = rp_xpath_compile(ctx, todo.v[i].s);
    pthread_mutex_lock(&x->mu);
    x->texts[at] = todo.v[i].s; /* the slot is still free: only this thread fills */
    x->comps[at] = comp;        /* NULL when it does not compile: left to the loading */
  }
  pthread_mutex_unlock(&x->mu);
  xmlXPathFreeContext(ctx);
  if (!ctx) rp_mem_free(copy), rp_mem_free(texts), rp_mem_free(comps);
  rp_mem_free(todo.v);
}

/* ---- evaluation ------------------------------------------------------------ */

static void on_eval_error(void *user, error_ptr e) {
  rp_xeval *x = user;
  if (!e) return;
  x->err_code = e->code;
  if (!x->err[0]) snprintf(x->err, sizeof x->err, "%s", e->message ? e->message : "");
}

/* libxml2 prints "xmlXPathCompOpEval: function foo not found" this way. */
static void on_generic_error(void *user, const char *msg, ...) {
  rp_xeval *x = user;
  if (x->err[0]) return;
  va_list ap;
  va_start(ap, msg);
  vsnprintf(x->err, sizeof x->err, msg, ap);
  va_end(ap);
  trim_newline(x->err);
}

static xmlXPathObjectPtr lookup_var(void *data, const xmlChar *name, const xmlChar *ns) {
  rp_xeval *x = data;
  if (ns) return NULL;
  for (size_t i = x->vars.len; i-- > 0;) {
    const rp_xvar *v = &RP_VEC_AT(x->vars, rp_xvar, i);
    if (strcmp(v->name, (const char *)name) == 0) return xmlXPathObjectCopy(v->value);
  }
  return NULL;
}

rp_status rp_xeval_init(rp_xeval *x, rp_arena *a, rp_diag *d, xmlDocPtr doc,
                        const char *content_file) {
  memset(x, 0, sizeof *x);
  x->a = a;
  x->d = d;
  x->doc = doc;
  x->content_file = content_file;
  x->ctx = xmlXPathNewContext(doc);
  if (!x->ctx) return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
  x->ctx->error = on_eval_error;
  x->ctx->userData = x;
  /* libxml2 keeps freed XPath objects for reuse: thousands of evaluations
   * each made and freed their node sets and strings through malloc */
  xmlXPathContextSetCache(x->ctx, 1, -1, 0);
  rp_xpathfn_register(x->ctx);
  xmlXPathRegisterVariableLookup(x->ctx, lookup_var, x);
  x->saved_generic = xmlGenericError;
  x->saved_generic_ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(x, on_generic_error);
  return RP_OK;
}

void rp_xeval_fini(rp_xeval *x) {
  if (!x->ctx) return;
  while (x->vars.len) rp_xeval_pop(x);
  xmlSetGenericErrorFunc(x->saved_generic_ctx, x->saved_generic);
  rp_xpathfn_fini(x);
  xmlXPathFreeContext(x->ctx);
  x->ctx = NULL;
}

bool rp_xeval_push(rp_xeval *x, const char *name, xmlXPathObjectPtr value) {
  rp_xvar *v = value ? rp_vec_push(x->a, &x->vars, sizeof *v) : NULL;
  if (!v) {
    xmlXPathFreeObject(value);
    return false;
  }
  v->name = name;
  v->value = value;
  return true;
}

void rp_xeval_pop(rp_xeval *x) {
  if (x->vars.len == 0) return;
  xmlXPathFreeObject(RP_VEC_AT(x->vars, rp_xvar, x->vars.len - 1).value);
  x->vars.len--;
}

/* Content position of a node, for messages. */
static int content_line(const xmlNode *n) {
  if (n && n->type == XML_ATTRIBUTE_NODE) n = n->parent;
  long line = n ? xmlGetLineNo(n) : 0;
  return line > 0 ? (int)line : 0;
}

/* True the first time an expression fails: an expression that fails for one
 * node usually fails for all, and one message says it. */
static bool first_failure(rp_xeval *x, const rp_xexpr *e) {
  for (size_t i = 0; i < x->reported.len; i++)
    if (RP_VEC_AT(x->reported, const rp_xexpr *, i) == e) return false;
  const rp_xexpr **slot = rp_vec_push(x->a, &x->reported, sizeof *slot);
  if (slot) *slot = e;
  return true;
}

/* An unprefixed element or attribute named `name`, as a name test
 * without a prefix matches it (no namespace). */
static bool named(const xmlNode *n, const xmlChar *name) {
  return n->ns == NULL && xmlStrEqual(n->name, name);
}

/* Evaluates a simple step (rp_xexpr.step) from `node` into *out, as
 * libxml2 would: the same node set, in document order. False when the step
 * is not simple from this node (left to libxml2). *out NULL: out of memory,
 * as libxml2's evaluator gives. */
static bool simple(const rp_xexpr *e, xmlNodePtr node, xmlXPathObjectPtr *out) {
  if (e->step == RP_XSTEP_NONE || !node) return false;
  bool element = node->type == XML_ELEMENT_NODE;
  switch (e->step) {
    case RP_XSTEP_SELF:
      if (node->type == XML_NAMESPACE_DECL) return false;
      *out = xmlXPathNewNodeSet(node);
      return true;
    case RP_XSTEP_SELF_NAMED:
      if (node->type == XML_NAMESPACE_DECL) return false;
      *out = xmlXPathNewNodeSet(element && named(node, e->step_name) ? node : NULL);
      return true;
    case RP_XSTEP_ATTR: {
      if (node->type == XML_NAMESPACE_DECL) return false;
      xmlAttrPtr at = NULL;
      for (xmlAttrPtr a = element ? node->properties : NULL; a && !at; a = a->next)
        if (named((const xmlNode *)a, e->step_name)) at = a;
      *out = xmlXPathNewNodeSet((xmlNodePtr)at);
      return true;
    }
    case RP_XSTEP_CHILD: {
      if (!element && node->type != XML_DOCUMENT_NODE) return false;
      xmlXPathObjectPtr r = xmlXPathNewNodeSet(NULL);
      for (xmlNodePtr c = node->children; r && c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && named(c, e->step_name) &&
            xmlXPathNodeSetAddUnique(r->nodesetval, c) < 0) {
          xmlXPathFreeObject(r);
          r = NULL;
        }
      *out = r;
      return true;
    }
    default:
      return false;
  }
}

/* rp_xeval_run once the node is lent (x->enter). */
static xmlXPathObjectPtr run(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size) {
  x->ctx->node = node;
  x->ctx->contextSize = size;
  x->ctx->proximityPosition = pos;
  x->err[0] = '\0';
  x->err_code = 0;
  x->cur_file = e->file;
  x->cur_line = e->line;
  x->cur_where = e->where;
  xmlNodePtr outer = x->current;
  x->current = node;
  rp_reftrace *tr = e->refs ? x->trace : NULL;
  size_t ordinal = tr ? rp_reftrace_begin(tr) : 0;
  size_t others = x->live ? x->live->others : 0;
  rp_mem_shield(true); /* libxml2's own allocations here: base/mem.h */
  xmlXPathObjectPtr r = NULL;
  if (!simple(e, node, &r) && !rp_xfast_eval(e->fast, node, x, &r))
    r = xmlXPathCompiledEval(e->comp, x->ctx);
  rp_mem_shield(false);
  x->current = outer;
  if (tr) rp_reftrace_value(tr, ordinal, e, node, r, !x->live || x->live->others != others);
  if (!r && first_failure(x, e)) {
    rp_diag_error(x->d, RP_ERR_INPUT, e->file, e->line, 0,
                  "XPath error in %s: %s (evaluating at %s:%d); check the expression", e->where,
                  code_message(x->err_code, x->err), x->content_file, content_line(node));
  }
  return r;
}

xmlXPathObjectPtr rp_xeval_run(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size) {
  if (x->enter && !x->enter(x->enter_user, node)) return NULL;
  return run(x, e, node, pos, size);
}

static const char *type_name(xmlXPathObjectType t) {
  switch (t) {
    case XPATH_BOOLEAN:
      return "boolean";
    case XPATH_NUMBER:
      return "number";
    case XPATH_STRING:
      return "string";
    default:
      return "value of another kind";
  }
}

rp_status rp_xeval_nodes(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                         xmlXPathObjectPtr *out) {
  *out = NULL;
  xmlXPathObjectPtr r = rp_xeval_run(x, e, node, pos, size);
  if (!r) return RP_ERR_INPUT;
  if (r->type != XPATH_NODESET) {
    const char *type = type_name(r->type);
    xmlXPathFreeObject(r);
    if (!first_failure(x, e)) return RP_ERR_INPUT;
    return rp_diag_error(x->d, RP_ERR_INPUT, e->file, e->line, 0,
                         "%s gives a %s, not nodes; it must select elements of the content "
                         "(e.g. \"board\", not \"string(board)\")",
                         e->where, type);
  }
  size_t n = r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
  if (n > rp_limit(RP_LIMIT_XPATH_NODES)) {
    xmlXPathFreeObject(r);
    return rp_limit_exceeded(x->d, RP_LIMIT_XPATH_NODES, e->file, e->line, n,
                             "nodes selected at once");
  }
  *out = r;
  return RP_OK;
}

rp_status rp_xeval_bool(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                        bool *out) {
  if (x->enter && !x->enter(x->enter_user, node)) return RP_ERR_INPUT;
  /* a test of xfast's forms: its truth, no boolean object made and freed */
  rp_mem_shield(true); /* as in run: what libxml2 allocates for it */
  int t = rp_xfast_truth(e->fast, node, x);
  rp_mem_shield(false);
  if (t >= 0) {
    *out = t == 1;
    return RP_OK;
  }
  xmlXPathObjectPtr r = run(x, e, node, pos, size);
  if (!r) return RP_ERR_INPUT;
  *out = xmlXPathCastToBoolean(r) != 0;
  xmlXPathFreeObject(r);
  return RP_OK;
}

/* Whether attribute step e ("@name") from `node` is read straight from
 * the tree (attr_string) rather than cast from libxml2's node set. */
static bool attr_direct(const rp_xexpr *e, xmlNodePtr node) {
  return e->step == RP_XSTEP_ATTR && node && node->type != XML_NAMESPACE_DECL;
}

/* The value of attribute step e from `node` (attr_direct), as libxml2's
 * string() of the node set gives it: the first matching attribute's text,
 * "" when there is none. False for an attribute made of entity references
 * (libxml2's). */
static bool attr_string(const rp_xexpr *e, xmlNodePtr node, const char **out) {
  *out = "";
  if (node->type != XML_ELEMENT_NODE) return true;
  for (xmlAttrPtr a = node->properties; a; a = a->next) {
    if (!named((const xmlNode *)a, e->step_name)) continue;
    const xmlNode *c = a->children;
    if (!c) return true;
    if (c->next || c->type != XML_TEXT_NODE) return false;
    *out = c->content ? (const char *)c->content : "";
    return true;
  }
  return true;
}

/* Whether simple step e ("name", ".", "self::name") from `node` is read
 * straight from the tree (step_string) rather than cast from the node set
 * simple() makes: where simple() answers. */
static bool step_direct(const rp_xexpr *e, xmlNodePtr node) {
  if (!node || node->type == XML_NAMESPACE_DECL) return false;
  if (e->step == RP_XSTEP_SELF || e->step == RP_XSTEP_SELF_NAMED) return true;
  return e->step == RP_XSTEP_CHILD &&
         (node->type == XML_ELEMENT_NODE || node->type == XML_DOCUMENT_NODE);
}

/* string() of step e from `node` (step_direct), as libxml2 casts the node
 * set: its first node's string value (xmlXPathCastNodeToString), "" for
 * none; to free (NULL: out of memory). */
static xmlChar *step_string(const rp_xexpr *e, xmlNodePtr node) {
  xmlNodePtr first = NULL;
  if (e->step == RP_XSTEP_SELF)
    first = node;
  else if (e->step == RP_XSTEP_SELF_NAMED)
    first = node->type == XML_ELEMENT_NODE && named(node, e->step_name) ? node : NULL;
  else
    for (xmlNodePtr c = node->children; c && !first; c = c->next)
      if (c->type == XML_ELEMENT_NODE && named(c, e->step_name)) first = c;
  return first ? xmlXPathCastNodeToString(first) : xmlStrdup((const xmlChar *)"");
}

/* Parts of a text pattern evaluated at once, without a buffer: more go
 * through avt_long. */
#define AVT_FEW 8

static rp_status avt_long(rp_xeval *x, const rp_avt *t, xmlNodePtr node, int pos, int size,
                          char **out);

rp_status rp_avt_eval(rp_xeval *x, const rp_avt *t, xmlNodePtr node, int pos, int size,
                      char **out) {
  *out = NULL;
  if (t->constant) {
    *out = (char *)t->constant;
    return RP_OK;
  }
  if (t->n > AVT_FEW) return avt_long(x, t, node, pos, size, out);
  /* each part's text (a literal, an attribute's value in the tree, or
   * libxml2's string to free), then one copy into the arena */
  const char *s[AVT_FEW];
  size_t len[AVT_FEW], total = 0;
  xmlChar *val[AVT_FEW] = {0};
  rp_status st = RP_OK;
  size_t i = 0;
  for (; i < t->n; i++) {
    s[i] = t->parts[i].lit;
    const rp_xexpr *e = t->parts[i].expr;
    if (!s[i] && attr_direct(e, node)) {
      /* as rp_xeval_run: the node lent first (a streamed content) */
      if (x->enter && !x->enter(x->enter_user, node)) {
        st = RP_ERR_INPUT;
        break;
      }
      if (!attr_string(e, node, &s[i])) s[i] = NULL;
    } else if (!s[i] && step_direct(e, node)) {
      if (x->enter && !x->enter(x->enter_user, node)) {
        st = RP_ERR_INPUT;
        break;
      }
      rp_mem_shield(true); /* as in run: libxml2 allocates the value */
      val[i] = step_string(e, node);
      rp_mem_shield(false);
      s[i] = val[i] ? (const char *)val[i] : "";
    }
    if (!s[i]) {
      xmlXPathObjectPtr r = rp_xeval_run(x, e, node, pos, size);
      if (!r) {
        st = RP_ERR_INPUT;
        break;
      }
      val[i] = xmlXPathCastToString(r);
      xmlXPathFreeObject(r);
      s[i] = val[i] ? (const char *)val[i] : "";
    }
    len[i] = strlen(s[i]);
    total += len[i];
  }
  if (st == RP_OK) {
    char *buf = rp_arena_alloc_raw(x->a, total + 1);
    if (buf) {
      size_t o = 0;
      for (size_t k = 0; k < t->n; k++) {
        memcpy(buf + o, s[k], len[k]);
        o += len[k];
      }
      buf[o] = '\0';
      *out = buf;
    } else {
      st = rp_diag_error(x->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
    }
  }
  for (size_t k = 0; k < i && k < t->n; k++) xmlFree(val[k]);
  return st;
}

static rp_status avt_long(rp_xeval *x, const rp_avt *t, xmlNodePtr node, int pos, int size,
                          char **out) {
  size_t cap = 64, len = 0;
  char *buf = rp_mem_alloc(cap);
  rp_status st = RP_OK;
  if (!buf) return rp_diag_error(x->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < t->n && st == RP_OK; i++) {
    const char *s = t->parts[i].lit;
    xmlChar *val = NULL;
    if (!s) {
      xmlXPathObjectPtr r = rp_xeval_run(x, t->parts[i].expr, node, pos, size);
      if (!r) {
        st = RP_ERR_INPUT;
        break;
      }
      val = xmlXPathCastToString(r);
      xmlXPathFreeObject(r);
      s = val ? (const char *)val : "";
    }
    size_t n = strlen(s);
    if (len + n + 1 > cap) {
      while (len + n + 1 > cap) cap *= 2;
      char *nb = rp_mem_realloc(buf, cap);
      if (!nb) {
        st = rp_diag_error(x->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
        xmlFree(val);
        break;
      }
      buf = nb;
    }
    memcpy(buf + len, s, n);
    len += n;
    xmlFree(val);
  }
  if (st == RP_OK) {
    *out = rp_arena_strndup(x->a, buf, len);
    if (!*out) st = rp_diag_error(x->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
  }
  rp_mem_free(buf);
  return st;
}
