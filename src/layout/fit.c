/* fit — text that must hold in a fixed space: a cover title, a name on a
 * card, a one-page profile. Called by place_text (block.c) for every heading
 * and paragraph, and by stat tiles for their labels.
 *
 * Two style properties drive it (bound/blocks.h, rp_style):
 *   - min_size > 0 with a constraint (the block's height > 0, or the style's
 *     max_lines > 0): the text is set again 0.5 pt smaller, leading scaled in
 *     proportion, until it fits; a warning says by how much. If it does not
 *     fit even at min_size, that is an error at the block's layout line —
 *     shrinking further, or cutting text the layout promised to show, would
 *     hide the problem.
 *   - max_lines > 0 without min_size: lines beyond it are dropped and the
 *     last kept line ends with "…", set again so it still fits the width;
 *     a warning quotes the text.
 *
 * Styles in blocks are const and shared: shrunk styles are arena copies,
 * and spans are copied to point at them. Warnings are recorded only by the
 * real placement, not by the measuring sandbox, and each once. */
#include <math.h>
#include <string.h>

#include "base/utf8.h"
#include "layout/flow.h"

#define STEP 0.5 /* pt: shrink-to-fit step */
#define EPS 1e-6
#define EXCERPT 40 /* bytes of text quoted in messages */

const rp_style *rp_fit_style_at(rp_arena *a, const rp_style *st, double size) {
  rp_style *c = rp_arena_alloc(a, sizeof *c);
  if (!c) return NULL;
  *c = *st;
  double k = st->size > 0 ? size / st->size : 1;
  c->size = size;
  c->leading = st->leading * k;
  return c;
}

const char *rp_fit_excerpt(rp_arena *a, const rp_span *spans, size_t max_bytes) {
  char *out = rp_arena_alloc(a, max_bytes + 8);
  if (!out) return "";
  size_t n = 0;
  bool cut = false, space = false;
  for (const rp_span *sp = spans; sp && !cut; sp = sp->next) {
    for (const char *p = sp->text ? sp->text : ""; *p; p++) {
      bool ws = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
      if (strncmp(p, "\xE2\x80\xA8", 3) == 0) { /* a forced break (<br/>) */
        ws = true;
        p += 2;
      }
      if (ws) {
        space = n > 0;
        continue;
      }
      /* Stop before a character that would not fit whole. */
      uint32_t cp;
      size_t len = rp_utf8_decode(p, strnlen(p, 4), &cp);
      if (n + space + len > max_bytes) {
        cut = true;
        break;
      }
      if (space) out[n++] = ' ';
      space = false;
      for (size_t i = 0; i < len && p[i]; i++) out[n++] = p[i];
      p += len - 1;
    }
  }
  if (cut) {
    memcpy(out + n, "\xE2\x80\xA6", 3);
    n += 3;
  }
  out[n] = '\0';
  return out;
}

void rp_flow_warn_once(flow *f, const rp_src *src, const char *msg) {
  rp_flow_warn_code(f, RP_DIAG_GENERAL, 0, src, msg);
}

void rp_flow_warn_code(flow *f, rp_diag_code code, int page, const rp_src *src, const char *msg) {
  if (f->measuring) return;
  for (size_t i = 0; i < f->d->count; i++) {
    const rp_diag_entry *e = &f->d->entries[i];
    if (e->line == src->layout_line && e->message && strcmp(e->message, msg) == 0 &&
        ((!e->file && !src->layout_file) ||
         (e->file && src->layout_file && strcmp(e->file, src->layout_file) == 0)))
      return;
  }
  rp_diag_warn_about(f->d, &(rp_diag_about){.code = code, .page = page, .src = *src}, "%s", msg);
}

/* The spans again with every style scaled by `k` (one copy per style). */
static rp_status scale_spans(flow *f, const rp_span *spans, double k, rp_span **out) {
  enum { MAX_STYLES = 16 };
  const rp_style *from[MAX_STYLES], *to[MAX_STYLES];
  size_t n = 0;
  rp_span *head = NULL, **tail = &head;
  for (const rp_span *sp = spans; sp; sp = sp->next) {
    rp_span *c = rp_arena_alloc(f->a, sizeof *c);
    if (!c) return rp_diag_oom(f->d);
    *c = *sp;
    c->next = NULL;
    const rp_style *st = NULL;
    for (size_t i = 0; i < n && !st; i++)
      if (from[i] == sp->style) st = to[i];
    if (!st && sp->style) {
      st = rp_fit_style_at(f->a, sp->style, sp->style->size * k);
      if (!st) return rp_diag_oom(f->d);
      if (n < MAX_STYLES) {
        from[n] = sp->style;
        to[n++] = st;
      }
    }
    c->style = st;
    *tail = c;
    tail = &c->next;
  }
  *out = head;
  return RP_OK;
}

static double height_of(const rp_lines *ls) {
  double h = 0;
  for (size_t i = 0; i < ls->n; i++) h += ls->lines[i].leading;
  return h;
}

static bool fits(const rp_block *b, const rp_lines *ls) {
  int max = b->style->max_lines;
  if (max > 0 && ls->n > (size_t)max) return false;
  if (b->height > 0 && height_of(ls) > b->height + EPS) return false;
  return true;
}

rp_hyphen *rp_fit_hyphen(const flow *f, const rp_block *b) {
  return b->kind == RP_BLOCK_HEADING ? NULL : f->hy; /* headings are never hyphenated */
}

static rp_status shrink(flow *f, const rp_block *b, double width, rp_lines *out) {
  const rp_style *st = b->style;
  double size = st->size, min = st->min_size;
  /* Steps of 0.5 pt from the style's size, the last one exactly min_size. */
  for (double s = size - STEP; size > min; s -= STEP) {
    if (s < min) s = min;
    rp_span *spans = NULL;
    rp_status r = scale_spans(f, b->spans, s / size, &spans);
    if (r != RP_OK) return r;
    rp_lines ls;
    r = rp_inline_break_hy(f->a, f->b->fonts, rp_fit_hyphen(f, b), spans, width,
                           st->indent * s / size, st->align, &ls, f->d);
    if (r != RP_OK) return r;
    if (fits(b, &ls)) {
      char msg[160 + EXCERPT];
      snprintf(msg, sizeof msg, "text shrunk from %gpt to %gpt to fit: \"%s\"", size, s,
               rp_fit_excerpt(f->a, b->spans, EXCERPT));
      rp_flow_warn_code(f, RP_DIAG_TEXT_SHRUNK, 0, &b->src, msg);
      *out = ls;
      return RP_OK;
    }
    if (s <= min) break;
  }
  char limit[64];
  if (st->max_lines > 0 && b->height > 0)
    snprintf(limit, sizeof limit, "%d lines in %gpt", st->max_lines, b->height);
  else if (st->max_lines > 0)
    snprintf(limit, sizeof limit, "%d line%s", st->max_lines, st->max_lines == 1 ? "" : "s");
  else
    snprintf(limit, sizeof limit, "%gpt of height", b->height);
  return rp_diag_error(f->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                       "text does not fit even at min-size %gpt (%s, %gpt wide): \"%s\"; "
                       "shorten it or enlarge the box",
                       min, limit, width, rp_fit_excerpt(f->a, b->spans, EXCERPT));
}

/* ---- truncation with an ellipsis -------------------------------------------- */

/* The text from the last kept line on, as pieces (one per fragment, word
 * spaces restored), and the places it may be cut: before each word space
 * and at its very end. The last line is the longest prefix, cut at such a
 * place, that fits one line with "…" after it (binary search: a longer
 * prefix is never narrower); when not even the first word fits, that word
 * is cut between characters. */
typedef struct piece {
  const rp_span *span; /* style, link, script, language, source; NULL: the block's style */
  const char *text;
  size_t len;
} piece;

typedef struct cut {
  size_t piece, off; /* the prefix: pieces before `piece`, and `off` bytes of it */
} cut;

typedef struct truncation {
  flow *f;
  const rp_block *b;
  double width, indent;
  piece *p;
  size_t n;
  rp_span *spans; /* n + 1 */
} truncation;

static bool trailing_trim(char c) {
  return c == ' ' || c == ',' || c == ';' || c == ':' || c == '.' || c == '-';
}

/* Sets the prefix `c` followed by an ellipsis into *out (one or more lines). */
static rp_status set_prefix(truncation *t, cut c, rp_lines *out) {
  /* Drop spaces and punctuation an ellipsis should not follow. */
  for (;;) {
    if (c.off == 0 && c.piece > 0) {
      c.piece--;
      c.off = t->p[c.piece].len;
      continue;
    }
    if (c.off > 0 && trailing_trim(t->p[c.piece].text[c.off - 1])) {
      c.off--;
      continue;
    }
    break;
  }
  size_t k = 0;
  for (size_t i = 0; i <= c.piece && i < t->n; i++) {
    size_t len = i == c.piece ? c.off : t->p[i].len;
    bool last = i == c.piece;
    if (len == 0 && !last) continue;
    char *text = rp_arena_alloc(t->f->a, len + 4);
    if (!text) return rp_diag_oom(t->f->d);
    memcpy(text, t->p[i].text, len);
    /* The ellipsis joins the last word (no break before it), in its style. */
    if (last) memcpy(text + len, "\xE2\x80\xA6", 4);
    t->spans[k] = t->p[i].span ? *t->p[i].span : (rp_span){.style = t->b->style};
    t->spans[k].text = text;
    t->spans[k].next = NULL;
    if (k > 0) t->spans[k - 1].next = &t->spans[k];
    k++;
  }
  t->spans[k - 1].next = NULL;
  const rp_style *st = t->b->style;
  return rp_inline_break_hy(t->f->a, t->f->b->fonts, rp_fit_hyphen(t->f, t->b), t->spans, t->width,
                            t->indent, st->align, out, t->f->d);
}

static size_t utf8_back(const char *s, size_t off) {
  while (off > 0 && ((unsigned char)s[off - 1] & 0xC0) == 0x80) off--;
  return off > 0 ? off - 1 : 0;
}

static rp_status truncate_lines(flow *f, const rp_block *b, double width, rp_lines *ls) {
  const rp_style *st = b->style;
  size_t max = (size_t)st->max_lines;
  rp_span *rest = NULL;
  rp_status r = rp_inline_rest(f->a, ls, max - 1, &rest, f->d);
  if (r != RP_OK) return r;
  truncation t = {.f = f, .b = b, .width = width, .indent = max == 1 ? st->indent : 0};
  size_t n_cuts = 0;
  for (const rp_span *sp = rest; sp; sp = sp->next) {
    t.n++;
    for (const char *q = sp->text; *q; q++) n_cuts += *q == ' ';
  }
  n_cuts++;
  t.p = rp_arena_calloc(f->a, t.n + 1, sizeof *t.p);
  t.spans = rp_arena_calloc(f->a, t.n + 1, sizeof *t.spans);
  cut *cuts = rp_arena_calloc(f->a, n_cuts, sizeof *cuts);
  if (!t.p || !t.spans || !cuts) return rp_diag_oom(f->d);
  size_t i = 0, nc = 0;
  for (const rp_span *sp = rest; sp; sp = sp->next, i++) {
    t.p[i] = (piece){sp, sp->text, strlen(sp->text)};
    for (size_t o = 0; o < t.p[i].len; o++)
      if (sp->text[o] == ' ') cuts[nc++] = (cut){i, o};
  }
  if (t.n == 0) { /* nothing left to show: an ellipsis alone */
    t.p[0] = (piece){NULL, "", 0};
    t.n = 1;
  }
  cuts[nc++] = (cut){t.n - 1, t.p[t.n - 1].len};

  /* Largest k whose prefix fits: lo fits (or is -1), hi does not. */
  rp_lines line = {0}, best = {0};
  long lo = -1, hi = (long)nc;
  while (hi - lo > 1) {
    long mid = lo + (hi - lo) / 2;
    r = set_prefix(&t, cuts[mid], &line);
    if (r != RP_OK) return r;
    if (line.n <= 1) {
      lo = mid;
      best = line;
    } else {
      hi = mid;
    }
  }
  if (lo < 0) {
    /* Not even the first word: cut it between characters. */
    cut c = cuts[0];
    for (;;) {
      r = set_prefix(&t, c, &best);
      if (r != RP_OK) return r;
      if (best.n <= 1 || (c.piece == 0 && c.off == 0)) break;
      if (c.off == 0) {
        c.piece--;
        c.off = t.p[c.piece].len;
      }
      c.off = utf8_back(t.p[c.piece].text, c.off);
    }
  }
  rp_line *lines = rp_arena_calloc(f->a, max, sizeof *lines);
  if (!lines) return rp_diag_oom(f->d);
  memcpy(lines, ls->lines, (max - 1) * sizeof *lines);
  lines[max - 1] = best.lines[0];
  lines[max - 1].last = true;
  char msg[160 + EXCERPT];
  snprintf(msg, sizeof msg, "text truncated to %zu line%s: \"%s\"", max, max == 1 ? "" : "s",
           rp_fit_excerpt(f->a, b->spans, EXCERPT));
  rp_flow_warn_code(f, RP_DIAG_TEXT_ELLIPSIS, 0, &b->src, msg);
  ls->lines = lines;
  ls->n = max;
  return RP_OK;
}

rp_status rp_fit_text(flow *f, const rp_block *b, double width, rp_lines *out) {
  const rp_style *st = b->style;
  rp_status r = rp_inline_break_hy(f->a, f->b->fonts, rp_fit_hyphen(f, b), b->spans, width,
                                   st->indent, st->align, out, f->d);
  if (r != RP_OK || fits(b, out)) return r;
  bool constrained = st->max_lines > 0 || b->height > 0;
  if (st->min_size > 0 && constrained) return shrink(f, b, width, out);
  if (st->max_lines > 0) return truncate_lines(f, b, width, out);
  return RP_OK; /* a height alone, without min-size, is only a minimum */
}
