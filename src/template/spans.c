/* spans — a paragraph's text as a list of styled runs (rp_span), built from
 * the layout's inline content and the content's rich text.
 *
 * Rich text in the content (docs/content.md, "Rich text") is text with <em>,
 * <strong>, <a href>, <sub>, <sup>, <span> and <br/>, nested to any depth:
 * em, strong and a become character styles (em, strong, link) pushed on top
 * of the paragraph style, and <a> also sets the span's href; sub and sup set
 * the span's script (the innermost wins); <br/> becomes U+2028, which layout
 * takes as a forced line break; xml:lang on any of them (and on the node
 * itself) is recorded on the spans it holds. Any other element met inside
 * rich text (a <p> of a quote copied as one paragraph) counts as a word
 * break.
 *
 * Every span records the content file and line its text came from, so that
 * layout can point at the content (a character no font has): text is cut
 * into one span per source line. Text appended by the caller gets the
 * builder's current source (rp_spans_source), or none.
 *
 * White space is collapsed at the end, across span boundaries: each run of
 * XML white space becomes one space, kept in the span where it began, and
 * none is left at either end of the paragraph. Empty spans are dropped;
 * adjacent spans alike in everything but their text are merged. */
#include <stdio.h>
#include <string.h>

#include "base/xml.h"
#include "template/def.h"

/* U+2028 LINE SEPARATOR: what <br/> becomes (layout/inline.h). */
#define LINE_SEPARATOR "\xE2\x80\xA8"

void rp_spans_begin(rp_span_builder *b, const rp_style_def *para) {
  b->para = para;
  b->n_chars = 0;
  b->href = NULL;
  b->script = RP_SCRIPT_NONE;
  b->lang = NULL;
  b->src_file = NULL;
  b->src_line = 0;
  b->head = NULL;
  b->tail = &b->head;
  b->grown = NULL;
  b->grown_len = b->grown_cap = 0;
  b->over_limit = false;
  b->failed = false;
  b->note = NULL;
  b->note_label = false;
}

static rp_span *last_span(rp_span_builder *b) {
  if (!b->head) return NULL;
  return (rp_span *)((char *)b->tail - offsetof(rp_span, next));
}

static bool same_str(const char *x, const char *y) {
  return x == y || (x && y && strcmp(x, y) == 0);
}

/* Spans that may be one: the same style, link, script, language and source;
 * never a note's mark. */
static bool alike(const rp_span *s, const rp_style *st, const char *href, rp_script script,
                  const char *lang, const char *file, int line, const rp_note *note) {
  return s->style == st && s->href == href && s->script == script && same_str(s->lang, lang) &&
         s->src_file == file && s->src_line == line && !s->note && !note;
}

static bool oom(rp_span_builder *b) {
  b->failed = true;
  rp_diag_error(b->d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory while binding text");
  return false;
}

/* Appends text to span s in place, growing its buffer by doubling: text
 * copied in small pieces (a <copy> of many nodes) would otherwise be copied
 * whole at every piece, quadratic in time and in arena memory. */
static bool append(rp_span_builder *b, rp_span *s, const char *text, size_t len) {
  size_t have = s->text == b->grown ? b->grown_len : strlen(s->text);
  if (s->text != b->grown || have + len + 1 > b->grown_cap) {
    size_t cap = 2 * (have + len) + 16;
    char *t = rp_arena_alloc(b->a, cap);
    if (!t) return oom(b);
    memcpy(t, s->text, have);
    s->text = b->grown = t;
    b->grown_cap = cap;
  }
  memcpy(b->grown + have, text, len);
  b->grown_len = have + len;
  b->grown[b->grown_len] = '\0';
  return true;
}

bool rp_spans_text(rp_span_builder *b, const char *text, size_t len) {
  if (len == 0 || b->failed) return !b->failed;
  if (b->text_left) {
    if (len > *b->text_left) {
      b->over_limit = b->failed = true;
      return false;
    }
    *b->text_left -= len;
  }
  const rp_style *st = rp_style_derive(b->keep ? b->keep : b->a, b->d, b->l, b->style_cache,
                                       b->para, b->chars, b->n_chars);
  rp_span *last = last_span(b);
  if (!st) return oom(b);
  if (last && alike(last, st, b->href, b->script, b->lang, b->src_file, b->src_line, b->note))
    return append(b, last, text, len);
  rp_span *s = rp_arena_alloc(b->a, sizeof *s);
  if (!s || !(s->text = rp_arena_strndup(b->a, text, len))) return oom(b);
  s->style = st;
  s->href = b->href;
  s->script = b->script;
  s->lang = b->lang;
  s->src_file = b->src_file;
  s->src_line = b->src_line;
  s->note = b->note;
  s->note_label = b->note_label;
  s->next = NULL;
  *b->tail = s;
  b->tail = &s->next;
  return true;
}

/* Sets the builder's source file to n's (the content file, or the file n
 * was XIncluded from), copying a new name into the arena: the content's
 * tree, which owns included names, is gone by the time layout reports. */
static bool source_file(rp_span_builder *b, const xmlNode *n) {
  const char *main = b->x ? b->x->content_file : NULL;
  const char *f = rp_xml_file(n, main);
  if (same_str(f, b->src_file)) return true;
  if (f == main || !f) {
    b->src_file = f;
    return true;
  }
  b->src_file = rp_arena_strdup(b->a, f);
  return b->src_file ? true : oom(b);
}

void rp_spans_source(rp_span_builder *b, const xmlNode *n) {
  if (!n || n->type == XML_DOCUMENT_NODE) {
    b->src_file = NULL;
    b->src_line = 0;
    return;
  }
  const xmlNode *e = n->type == XML_ELEMENT_NODE ? n : n->parent;
  if (source_file(b, n)) b->src_line = e ? rp_xml_line(e) : 0;
}

static int newlines(const char *s) {
  int k = 0;
  for (; s && *s; s++) k += *s == '\n';
  return k;
}

/* The line a text node starts on: its element's line (where the start tag
 * ends, so where the content begins) moved on by what comes before it. */
static int text_start_line(const xmlNode *n) {
  const xmlNode *p = n->parent;
  if (!p || p->type != XML_ELEMENT_NODE) return rp_xml_line(n);
  int line = rp_xml_line(p);
  for (const xmlNode *s = p->children; s && s != n; s = s->next) {
    if (s->type == XML_TEXT_NODE || s->type == XML_CDATA_SECTION_NODE) {
      line += newlines((const char *)s->content);
    } else if (s->type == XML_ELEMENT_NODE) {
      xmlChar *t = xmlNodeGetContent(s);
      line = rp_xml_line(s) + newlines((const char *)t);
      xmlFree(t);
    }
  }
  return line;
}

/* Text `t`, one span per source line starting at *line. */
static bool text_lines(rp_span_builder *b, const char *t, int *line) {
  while (t && *t) {
    const char *nl = strchr(t, '\n');
    size_t len = nl ? (size_t)(nl - t) + 1 : strlen(t);
    b->src_line = *line;
    if (!rp_spans_text(b, t, len)) return false;
    if (nl) ++*line;
    t += len;
  }
  return true;
}

static bool push_char(rp_span_builder *b, const char *name) {
  if (b->n_chars == sizeof b->chars / sizeof b->chars[0]) return false;
  const rp_style_def *s = rp_style_char(b->l, name);
  if (!s) return false;
  b->chars[b->n_chars++] = s;
  return true;
}

/* xml:lang given on n itself (not inherited), in the arena; NULL when none
 * (*ok false when out of memory). */
static const char *own_lang(rp_span_builder *b, const xmlNode *n, bool *ok) {
  *ok = true;
  if (n->type != XML_ELEMENT_NODE) return NULL;
  xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"lang", XML_XML_NAMESPACE);
  if (!v) return NULL;
  const char *copy = rp_arena_strdup(b->a, (const char *)v);
  xmlFree(v);
  if (!copy) *ok = oom(b);
  return copy;
}

static bool rich(rp_span_builder *b, const xmlNode *n, int *line);

/* A <note> in rich text; not a table's or the members' note, which hold
 * rich text themselves. */
static bool inline_note(const xmlNode *n) {
  const xmlNode *p = n->parent;
  return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "note") == 0 && p &&
         p->type == XML_ELEMENT_NODE && strcmp((const char *)p->name, "table") != 0 &&
         strcmp((const char *)p->name, "members") != 0;
}

/* Appends mark `text` of `note` in the marks' style, as a superscript. */
static bool mark(rp_span_builder *b, const rp_note *note, bool label, const char *text) {
  const rp_style_def *ms = b->l->notes.mark_style;
  size_t depth = b->n_chars;
  if (ms && b->n_chars < sizeof b->chars / sizeof b->chars[0]) b->chars[b->n_chars++] = ms;
  rp_script script = b->script;
  const char *href = b->href;
  b->script = RP_SCRIPT_SUP;
  b->href = NULL;
  b->note = note;
  b->note_label = label;
  bool ok = rp_spans_text(b, text, strlen(text));
  b->note = NULL;
  b->note_label = false;
  b->script = script;
  b->href = href;
  b->n_chars = depth;
  return ok;
}

/* A <note>: its number, its text as a note of its own (label, space, rich
 * text, in the notes' style) and its mark here. A note met where notes are
 * not collected (inside a note) is left out: the model refuses those. */
static bool note_element(rp_span_builder *b, const xmlNode *c, int *line) {
  rp_note_state *ns = b->notes;
  if (!ns) return true;
  const rp_notes_def *nd = &b->l->notes;
  ns->n_document++;
  ns->n_section++;
  char num[16];
  if (nd->numbering == RP_NUMBER_PAGE)
    snprintf(num, sizeof num, "0"); /* a stand-in of a digit's width: layout numbers it */
  else
    snprintf(num, sizeof num, "%d",
             nd->numbering == RP_NUMBER_SECTION ? ns->n_section : ns->n_document);
  rp_note *note = rp_arena_calloc(b->a, 1, sizeof *note);
  if (!note || !(note->mark = rp_arena_strdup(b->a, num))) return oom(b);
  note->foot = nd->placement == RP_NOTES_FOOT;
  note->per_page = nd->numbering == RP_NUMBER_PAGE;
  note->src = (rp_src){nd->file, nd->line, b->src_file, rp_xml_line(c)};
  /* the note's own text: a builder of its own, sharing this one's limits */
  rp_span_builder nb = *b;
  rp_spans_begin(&nb, nd->style ? nd->style : b->para);
  nb.notes = NULL;
  nb.note = NULL;
  nb.note_label = false;
  int at = *line;
  bool ok = mark(&nb, note, true, num) && rp_spans_text(&nb, " ", 1) && rich(&nb, c, &at);
  if (nb.over_limit) b->over_limit = true;
  if (!ok) {
    b->failed = true;
    return false;
  }
  note->spans = rp_spans_end(&nb);
  note->style = rp_style_derive(b->keep ? b->keep : b->a, b->d, b->l, b->style_cache,
                                nd->style ? nd->style : b->para, NULL, 0);
  if (!note->style) return oom(b);
  if (!note->foot) {
    rp_note **slot = rp_vec_push(b->a, &ns->pending, sizeof *slot);
    if (!slot) return oom(b);
    *slot = note;
  }
  return mark(b, note, false, num);
}

/* One element inside rich text. */
static bool rich_element(rp_span_builder *b, const xmlNode *c, int *line) {
  const char *name = (const char *)c->name;
  int at = rp_xml_line(c);
  if (at > 0) *line = at;
  b->src_line = *line;
  if (strcmp(name, "br") == 0) return rp_spans_text(b, LINE_SEPARATOR, strlen(LINE_SEPARATOR));
  if (inline_note(c)) return note_element(b, c, line);

  bool ok;
  const char *lang = own_lang(b, c, &ok);
  if (!ok) return false;
  const char *saved_lang = b->lang, *saved_href = b->href;
  rp_script saved_script = b->script;
  if (lang) b->lang = lang;
  bool em = strcmp(name, "em") == 0, strong = strcmp(name, "strong") == 0;
  bool link = strcmp(name, "a") == 0, sub = strcmp(name, "sub") == 0;
  bool sup = strcmp(name, "sup") == 0, span = strcmp(name, "span") == 0;
  bool pushed = false;
  if (!em && !strong && !link && !sub && !sup && !span) {
    /* another element: its text, set off as words */
    ok = rp_spans_text(b, " ", 1) && rich(b, c, line) && rp_spans_text(b, " ", 1);
    b->lang = saved_lang;
    return ok;
  }
  if (em || strong || link) pushed = push_char(b, em ? "em" : strong ? "strong" : "link");
  if (sub || sup) b->script = sub ? RP_SCRIPT_SUB : RP_SCRIPT_SUP;
  if (link) {
    xmlChar *href = xmlGetNoNsProp(c, (const xmlChar *)"href");
    if (href) {
      b->href = rp_arena_strdup(b->a, (const char *)href);
      xmlFree(href);
      if (!b->href) return oom(b);
    }
  }
  ok = rich(b, c, line);
  if (pushed) b->n_chars--;
  b->href = saved_href;
  b->script = saved_script;
  b->lang = saved_lang;
  return ok;
}

/* The rich text of n; *line is the source line reached (counted through
 * the text's newlines, reset at each element's own line). */
static bool rich(rp_span_builder *b, const xmlNode *n, int *line) {
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
    return source_file(b, n) && text_lines(b, (const char *)n->content, line);
  if (n->type == XML_ATTRIBUTE_NODE) {
    xmlChar *v = xmlNodeGetContent(n);
    bool ok = source_file(b, n) && text_lines(b, v ? (const char *)v : "", line);
    xmlFree(v);
    return ok;
  }
  if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE) return true;
  for (const xmlNode *c = n->children; c; c = c->next) {
    bool ok = true;
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      ok = rich(b, c, line);
    else if (c->type == XML_ELEMENT_NODE)
      ok = source_file(b, c) && rich_element(b, c, line);
    if (!ok) return false;
  }
  return true;
}

bool rp_spans_rich(rp_span_builder *b, const xmlNode *n) {
  const char *saved_file = b->src_file, *saved_lang = b->lang;
  int saved_line = b->src_line;
  int line = 0;
  bool ok = true;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
    line = text_start_line(n);
  else if (n->type == XML_ATTRIBUTE_NODE)
    line = n->parent ? rp_xml_line(n->parent) : 0;
  else if (n->type == XML_ELEMENT_NODE)
    line = rp_xml_line(n);
  const char *lang = own_lang(b, n, &ok);
  if (lang) b->lang = lang;
  if (ok && n->type != XML_DOCUMENT_NODE) ok = source_file(b, n);
  if (ok && inline_note(n))
    ok = note_element(b, n, &line); /* <copy select="node()"/> meets the note itself */
  else if (ok)
    ok = rich(b, n, &line);
  /* what the caller appends next keeps its own source and language */
  b->src_file = saved_file;
  b->src_line = saved_line;
  b->lang = saved_lang;
  return ok;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

rp_span *rp_spans_end(rp_span_builder *b) {
  if (b->failed) return NULL;
  b->grown = NULL;         /* collapsing below shortens texts in place */
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
    if (prev && s->note && !s->note_label) {
      /* a mark hangs on the word before it: "revenue <note>" reads "revenue¹" */
      char *pt = (char *)prev->text;
      size_t pn = strlen(pt);
      if (pn > 1 && pt[pn - 1] == ' ') pt[pn - 1] = '\0';
    }
    if (prev &&
        alike(prev, s->style, s->href, s->script, s->lang, s->src_file, s->src_line, s->note) &&
        append(b, prev, t, o))
      continue;
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
