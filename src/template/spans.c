/* spans — a paragraph's text as a list of styled runs (rp_span), built from
 * the layout's inline content and the content's rich text.
 *
 * Rich text in the content (docs/content.md, "Rich text") is text with <em>,
 * <strong> and <a href>, nested to any depth: each becomes a character style
 * (em, strong, link) pushed on top of the paragraph style, and <a> also sets
 * the span's href. Any other element met inside rich text (a <p> of a quote
 * copied as one paragraph) counts as a word break.
 *
 * White space is collapsed at the end, across span boundaries: each run of
 * XML white space becomes one space, kept in the span where it began, and
 * none is left at either end of the paragraph. Empty spans are dropped;
 * adjacent spans with the same style and link are merged. */
#include <string.h>

#include "template/def.h"

void rp_spans_begin(rp_span_builder *b, const rp_style_def *para) {
  b->para = para;
  b->n_chars = 0;
  b->href = NULL;
  b->head = NULL;
  b->tail = &b->head;
  b->failed = false;
}

static rp_span *last_span(rp_span_builder *b) {
  if (!b->head) return NULL;
  return (rp_span *)((char *)b->tail - offsetof(rp_span, next));
}

bool rp_spans_text(rp_span_builder *b, const char *text, size_t len) {
  if (len == 0 || b->failed) return !b->failed;
  const rp_style *st =
      rp_style_derive(b->a, b->d, b->l, b->style_cache, b->para, b->chars, b->n_chars);
  rp_span *last = last_span(b);
  if (!st) goto oom;
  if (last && last->style == st && last->href == b->href) {
    char *t = rp_arena_printf(b->a, "%s%.*s", last->text, (int)len, text);
    if (!t) goto oom;
    last->text = t;
    return true;
  }
  rp_span *s = rp_arena_alloc(b->a, sizeof *s);
  if (!s || !(s->text = rp_arena_strndup(b->a, text, len))) goto oom;
  s->style = st;
  s->href = b->href;
  *b->tail = s;
  b->tail = &s->next;
  return true;
oom:
  b->failed = true;
  rp_diag_error(b->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory while binding text");
  return false;
}

static bool push_char(rp_span_builder *b, const char *name) {
  if (b->n_chars == sizeof b->chars / sizeof b->chars[0]) return false;
  const rp_style_def *s = rp_style_char(b->l, name);
  if (!s) return false;
  b->chars[b->n_chars++] = s;
  return true;
}

bool rp_spans_rich(rp_span_builder *b, const xmlNode *n) {
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    const char *t = (const char *)n->content;
    return rp_spans_text(b, t, t ? strlen(t) : 0);
  }
  if (n->type == XML_ATTRIBUTE_NODE) {
    xmlChar *v = xmlNodeGetContent(n);
    bool ok = rp_spans_text(b, v ? (const char *)v : "", v ? strlen((const char *)v) : 0);
    xmlFree(v);
    return ok;
  }
  if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return true;
  for (const xmlNode *c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (!rp_spans_rich(b, c)) return false;
      continue;
    }
    if (c->type != XML_ELEMENT_NODE) continue;
    const char *name = (const char *)c->name;
    bool em = strcmp(name, "em") == 0, strong = strcmp(name, "strong") == 0;
    bool link = strcmp(name, "a") == 0;
    if (!em && !strong && !link) {
      /* another element: its text, set off as words */
      if (!rp_spans_text(b, " ", 1) || !rp_spans_rich(b, c) || !rp_spans_text(b, " ", 1))
        return false;
      continue;
    }
    const char *saved_href = b->href;
    bool pushed = push_char(b, em ? "em" : strong ? "strong" : "link");
    if (link) {
      xmlChar *href = xmlGetNoNsProp(c, (const xmlChar *)"href");
      if (href) {
        b->href = rp_arena_strdup(b->a, (const char *)href);
        xmlFree(href);
        if (!b->href) {
          b->failed = true;
          rp_diag_error(b->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory while binding text");
          return false;
        }
      }
    }
    bool ok = rp_spans_rich(b, c);
    if (pushed) b->n_chars--;
    b->href = saved_href;
    if (!ok) return false;
  }
  return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

rp_span *rp_spans_end(rp_span_builder *b) {
  if (b->failed) return NULL;
  bool after_space = true; /* drops leading white space */
  rp_span *first = NULL, **tail = &first, *prev = NULL;
  for (rp_span *s = b->head; s; s = s->next) {
    char *t = (char *)s->text; /* arena copy owned by this builder */
    size_t o = 0;
    for (size_t i = 0; t[i]; i++) {
      if (is_space(t[i])) {
        if (!after_space) t[o++] = ' ';
        after_space = true;
      } else {
        t[o++] = t[i];
        after_space = false;
      }
    }
    t[o] = '\0';
    if (o == 0) continue;
    if (prev && prev->style == s->style && prev->href == s->href) {
      char *m = rp_arena_printf(b->a, "%s%s", prev->text, t);
      if (m) {
        prev->text = m;
        continue;
      }
    }
    *tail = s;
    tail = &s->next;
    prev = s;
  }
  *tail = NULL;
  /* the trailing space, in whichever span holds it */
  while (first) {
    rp_span *last = first, *before = NULL;
    while (last->next) before = last, last = last->next;
    char *t = (char *)last->text;
    size_t n = strlen(t);
    if (n > 0 && t[n - 1] == ' ') t[--n] = '\0';
    if (n > 0) break;
    if (before)
      before->next = NULL;
    else
      first = NULL;
  }
  return first;
}
