/* running — running headers, footers and text decorations, set on a page
 * once it is final (flow.c): {$page}, {$pages} and {$section} (with
 * {$section-first}, {$section-last}: flow.h page_info) are substituted,
 * then the text is broken into its box like any paragraph, as an artifact.
 * Everything but {$pages} is known once the page is; {$pages} is the
 * count of the whole pass, or a previous pass's (layout.h pages_hint). */
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

static rp_status set_text(flow *f, running_cache *c, size_t page_index, size_t pages,
                          const rp_decoration *dec) {
  if (!dec || !dec->text || !dec->style) return RP_OK;
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
    snprintf(msg, sizeof msg,
             "running text \"%s\" is longer than %d bytes: only its start is set; shorten it",
             rp_fit_excerpt(f->a, &span, EXCERPT), RUNNING_MAX);
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
  double y = dec->y;
  for (size_t i = 0; i < ls.n; i++) {
    const rp_line *ln = &ls.lines[i];
    double base = rp_flow_baseline(ln, y);
    for (size_t j = 0; j < ln->n_frags; j++) {
      const rp_frag *fr = &ln->frags[j];
      rp_item *it = rp_page_add(pa, pg, RP_ITEM_TEXT);
      if (!it) return rp_diag_oom(f->d);
      rp_frag_to_item(fr, dec->x + fr->x, base, it);
      it->u.text.text = rp_arena_strndup(pa, fr->text, fr->len);
      if (!it->u.text.text) return rp_diag_oom(f->d);
      it->role = RP_ROLE_ARTIFACT;
      it->src = dec->src;
    }
    y += ln->leading;
  }
  if (dec->h > 0 && y - dec->y > dec->h + 0.01)
    rp_diag_warn_about(
        f->d,
        &(rp_diag_about){
            .code = RP_DIAG_TEXT_OVERSET, .page = (int)page_index + 1, .src = dec->src},
        "running text \"%s\" is taller than its box on page %zu",
        rp_fit_excerpt(f->a, &span, EXCERPT), page_index + 1);
  return RP_OK;
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
