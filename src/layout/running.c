/* running — running headers, footers and text decorations, set on a page
 * once it is final (flow.c): {$page}, {$pages} and {$section} (with
 * {$section-first}, {$section-last}: flow.h page_info) are substituted,
 * then the text is broken into its box like any paragraph, as an artifact.
 * Everything but {$pages} is known once the page is; {$pages} is the
 * count of the whole pass, or a previous pass's (layout.h pages_hint).
 * A streamed pass that knows neither defers the texts printing {$pages}
 * (layout.h defer_pages): the page lists them (rp_page.later) and render
 * has them set here once the pass has counted (rp_layout_running_set),
 * by the same code as a page set with the count. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "layout/flow.h"

/* Bytes of a running text that are set, and of it quoted in messages. A
 * running text is a label set again on every page: a long section title in
 * it (as long as the section, whose pages it heads) made that quadratic. */
#define RUNNING_MAX 1000
#define EXCERPT 40

/* Substitutes the page variables; other text is copied. Keeps at most
 * RUNNING_MAX bytes, cut at a character with "…" appended, and says so in
 * *cut. */
static char *substitute(rp_arena *a, const char *pattern, const char *page, size_t pages,
                        const page_info *pi, bool *cut) {
  char *out = rp_arena_alloc(a, RUNNING_MAX + sizeof "…");
  if (!out) return NULL;
  size_t o = 0;
  *cut = false;
  for (const char *p = pattern; *p && !*cut;) {
    const char *val = p;
    char num[32];
    size_t skip = 0, n;
    if (strncmp(p, "{$pages}", 8) == 0) {
      snprintf(num, sizeof num, "%zu", pages);
      val = num;
      skip = 8;
    } else if (strncmp(p, "{$page}", 7) == 0) {
      val = page ? page : "";
      skip = 7;
    } else if (strncmp(p, "{$section}", 10) == 0) {
      val = pi->section ? pi->section : "";
      skip = 10;
    } else if (strncmp(p, "{$section-first}", 16) == 0) {
      val = pi->first_start ? pi->first_start : pi->section ? pi->section : "";
      skip = 16;
    } else if (strncmp(p, "{$section-last}", 15) == 0) {
      val = pi->last_start ? pi->last_start : pi->section ? pi->section : "";
      skip = 15;
    }
    if (val != p) {
      n = strnlen(val, RUNNING_MAX + 1);
    } else { /* a whole character of the pattern */
      uint32_t cp;
      skip = n = rp_utf8_decode(p, strnlen(p, 4), &cp);
    }
    if (o + n > RUNNING_MAX) {
      n = RUNNING_MAX - o;
      while (n > 0 && ((unsigned char)val[n] & 0xC0) == 0x80) n--; /* inside a character */
      *cut = true;
    }
    memcpy(out + o, val, n);
    o += n;
    p += skip;
  }
  if (*cut) {
    memcpy(out + o, "…", sizeof "…" - 1);
    o += sizeof "…" - 1;
  }
  out[o] = '\0';
  return out;
}

/* The lines a running text was last broken into, by decoration: the same
 * footer on every page ("TN · About") is broken once, not once per page.
 * They live in an arena of the cache's own, dropped with what it holds
 * when it has grown past CACHE_BYTES (a page number differs on every page):
 * the pages' items copy their text. */
#define CACHE_BYTES (256 * 1024)
typedef struct running_cache {
  struct {
    const rp_decoration *dec;
    const char *text;
    rp_lines ls;
  } e[8];
  size_t n, next;
  rp_arena *a;
} running_cache;

static rp_lines *cached(running_cache *c, const rp_decoration *dec, const char *text) {
  for (size_t i = 0; i < c->n; i++)
    if (c->e[i].dec == dec && strcmp(c->e[i].text, text) == 0) return &c->e[i].ls;
  return NULL;
}

static void keep(running_cache *c, const rp_decoration *dec, const char *text, const rp_lines *ls) {
  size_t i = c->n < 8 ? c->n++ : c->next++ % 8;
  c->e[i].dec = dec;
  c->e[i].text = text;
  c->e[i].ls = *ls;
}

/* Appends the items of lines `ls`, set from the top of dec's box, to page
 * pg (in arena pa: the texts are copied); *bottom is where the last ends. */
static rp_status emit_lines(rp_arena *pa, rp_page *pg, const rp_decoration *dec, const rp_lines *ls,
                            double *bottom, rp_diag *d) {
  double y = dec->y;
  for (size_t i = 0; i < ls->n; i++) {
    const rp_line *ln = &ls->lines[i];
    double base = rp_flow_baseline(ln, y);
    for (size_t j = 0; j < ln->n_frags; j++) {
      const rp_frag *fr = &ln->frags[j];
      rp_item *it = rp_page_add(pa, pg, RP_ITEM_TEXT);
      if (!it) return rp_diag_oom(d);
      rp_frag_to_item(fr, dec->x + fr->x, base, it);
      it->u.text.text = rp_arena_strndup(pa, fr->text, fr->len);
      if (!it->u.text.text) return rp_diag_oom(d);
      it->role = RP_ROLE_ARTIFACT;
      it->src = dec->src;
    }
    y += ln->leading;
  }
  *bottom = y;
  return RP_OK;
}

static void cut_message(rp_arena *a, const rp_span *span, char *msg, size_t n) {
  snprintf(msg, n, "running text \"%s\" is longer than %d bytes: only its start is set; shorten it",
           rp_fit_excerpt(a, span, EXCERPT), RUNNING_MAX);
}

/* rp_flow_warn_once without a flow: a deferred text is set after the pass. */
static void warn_once(rp_diag *d, const rp_src *src, const char *msg) {
  for (size_t i = 0; i < d->count; i++) {
    const rp_diag_entry *e = &d->entries[i];
    if (e->line == src->layout_line && e->message && strcmp(e->message, msg) == 0 &&
        ((!e->file && !src->layout_file) ||
         (e->file && src->layout_file && strcmp(e->file, src->layout_file) == 0)))
      return;
  }
  rp_diag_warn_about(d, &(rp_diag_about){.code = RP_DIAG_GENERAL, .src = *src}, "%s", msg);
}

static void warn_overset(rp_diag *d, rp_arena *a, const rp_decoration *dec, const rp_span *span,
                         size_t page_index, double bottom) {
  if (dec->h > 0 && bottom - dec->y > dec->h + 0.01)
    rp_diag_warn_about(
        d,
        &(rp_diag_about){
            .code = RP_DIAG_TEXT_OVERSET, .page = (int)page_index + 1, .src = dec->src},
        "running text \"%s\" is taller than its box on page %zu", rp_fit_excerpt(a, span, EXCERPT),
        page_index + 1);
}

/* A copy of a section name for a deferred text, as long as substitute
 * reads of it (RUNNING_MAX + 1 bytes); NULL stays NULL. */
static bool copy_name(rp_arena *a, const char *s, const char **out) {
  *out = s ? rp_arena_strndup(a, s, strnlen(s, RUNNING_MAX + 1)) : NULL;
  return !s || *out;
}

/* Lists dec on page_index for later (layout.h defer_pages). */
static rp_status defer(flow *f, size_t page_index, const rp_decoration *dec) {
  rp_page *pg = &RP_VEC_AT(f->doc->pages, rp_page, page_index);
  const page_info *pi = &RP_VEC_AT(f->info, page_info, page_index);
  rp_running_later *r = rp_arena_calloc(f->a, 1, sizeof *r);
  if (!r) return rp_diag_oom(f->d);
  r->dec = dec;
  if (strstr(dec->text, "{$section") && (!copy_name(f->a, pi->section, &r->section) ||
                                         !copy_name(f->a, pi->first_start, &r->first_start) ||
                                         !copy_name(f->a, pi->last_start, &r->last_start)))
    return rp_diag_oom(f->d);
  /* in the page's order: after those listed before */
  const rp_running_later **tail = &pg->later;
  while (*tail) tail = (const rp_running_later **)&(*tail)->next;
  *tail = r;
  return RP_OK;
}

/* A streamed pass that has not counted its pages, and defers what prints
 * the count (layout.h defer_pages). */
static bool deferring(const flow *f, const rp_decoration *dec) {
  return f->streaming && f->needs_count && f->opts && !f->opts->pages_hint &&
         f->opts->defer_pages && strstr(dec->text, "{$pages}");
}

static rp_status set_text(flow *f, running_cache *c, size_t page_index, size_t pages,
                          const rp_decoration *dec) {
  if (!dec || !dec->text || !dec->style) return RP_OK;
  if (deferring(f, dec)) return defer(f, page_index, dec);
  rp_page *pg = &RP_VEC_AT(f->doc->pages, rp_page, page_index);
  rp_arena *pa = RP_VEC_AT(f->arenas, rp_arena *, page_index);
  const page_info *pi = &RP_VEC_AT(f->info, page_info, page_index);
  if (c->a && rp_arena_used(c->a) > CACHE_BYTES) {
    rp_arena_free(c->a);
    c->a = NULL;
    c->n = c->next = 0;
  }
  if (!c->a && !(c->a = rp_arena_new_child(f->a))) return rp_diag_oom(f->d);
  /* {$pages} counts the pages of the last label run: with a roman-numbered
   * cover, the last page of a 15-page document says "14 / 14". */
  bool cut;
  const char *text = substitute(c->a, dec->text, pg->label, pages, pi, &cut);
  if (!text) return rp_diag_oom(f->d);
  rp_span span = {.text = text, .style = dec->style};
  if (cut) {
    char msg[160 + EXCERPT];
    cut_message(f->a, &span, msg, sizeof msg);
    rp_flow_warn_once(f, &dec->src, msg);
  }
  rp_lines ls;
  const rp_lines *hit = cached(c, dec, text);
  if (hit) {
    ls = *hit;
  } else {
    /* in the cache's arena: the lines' fragments point at it */
    rp_span *sp = rp_arena_alloc(c->a, sizeof *sp);
    if (!sp) return rp_diag_oom(f->d);
    *sp = span;
    rp_status st = rp_inline_break(c->a, f->b->fonts, sp, dec->w, 0, dec->style->align, &ls, f->d);
    if (st != RP_OK) return st;
    keep(c, dec, text, &ls);
  }
  double bottom;
  rp_status st = emit_lines(pa, pg, dec, &ls, &bottom, f->d);
  if (st == RP_OK) warn_overset(f->d, f->a, dec, &span, page_index, bottom);
  return st;
}

rp_status rp_layout_running_set(rp_arena *a, const rp_layout_doc *doc, size_t index,
                                const rp_running_later *r, size_t pages, rp_page *out, rp_diag *d) {
  const rp_decoration *dec = r->dec;
  const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, index);
  page_info pi = {
      .section = r->section, .first_start = r->first_start, .last_start = r->last_start};
  bool cut;
  const char *text = substitute(a, dec->text, pg->label, pages, &pi, &cut);
  rp_span *sp = text ? rp_arena_alloc(a, sizeof *sp) : NULL;
  if (!sp) return rp_diag_oom(d);
  *sp = (rp_span){.text = text, .style = dec->style};
  if (cut) {
    char msg[160 + EXCERPT];
    cut_message(a, sp, msg, sizeof msg);
    warn_once(d, &dec->src, msg);
  }
  rp_lines ls;
  rp_status st = rp_inline_break(a, doc->fonts, sp, dec->w, 0, dec->style->align, &ls, d);
  double bottom;
  if (st == RP_OK) st = emit_lines(a, out, dec, &ls, &bottom, d);
  if (st == RP_OK) warn_overset(d, a, dec, sp, index, bottom);
  return st;
}

rp_status rp_flow_running_page(flow *f, size_t p, size_t pages) {
  if (!f->running && !(f->running = rp_arena_alloc(f->a, sizeof *f->running)))
    return rp_diag_oom(f->d);
  running_cache *c = f->running;
  const page_info *pi = &RP_VEC_AT(f->info, page_info, p);
  const rp_page_variant *v = pi->variant;
  rp_status st = set_text(f, c, p, pages, v->header);
  if (st == RP_OK) st = set_text(f, c, p, pages, v->footer);
  for (size_t i = 0; st == RP_OK && i < v->n_decorations; i++)
    if (v->decorations[i].is_text) st = set_text(f, c, p, pages, &v->decorations[i]);
  return st;
}

void rp_flow_running_fini(flow *f) {
  if (f->running) rp_arena_free(f->running->a);
  f->running = NULL;
}
