/* running — running headers, footers and text decorations, set once the page
 * count is known: {$page}, {$pages} and {$section} are substituted per page,
 * then the text is broken into its box like any paragraph, as an artifact. */
#include <string.h>

#include "layout/flow.h"

/* Substitutes the page variables; other text is copied. */
static char *substitute(rp_arena *a, const char *pattern, const char *page, size_t pages,
                        const char *section) {
  size_t cap = strlen(pattern) + 64 + (section ? strlen(section) : 0) + (page ? strlen(page) : 0);
  char *out = rp_arena_alloc(a, cap * 2);
  if (!out) return NULL;
  size_t o = 0;
  for (const char *p = pattern; *p;) {
    const char *val = NULL;
    char num[32];
    size_t skip = 0;
    if (strncmp(p, "{$pages}", 8) == 0) {
      snprintf(num, sizeof num, "%zu", pages);
      val = num;
      skip = 8;
    } else if (strncmp(p, "{$page}", 7) == 0) {
      val = page ? page : "";
      skip = 7;
    } else if (strncmp(p, "{$section}", 10) == 0) {
      val = section ? section : "";
      skip = 10;
    }
    if (val) {
      size_t n = strlen(val);
      if (o + n + 1 >= cap * 2) break;
      memcpy(out + o, val, n);
      o += n;
      p += skip;
    } else {
      if (o + 2 >= cap * 2) break;
      out[o++] = *p++;
    }
  }
  out[o] = '\0';
  return out;
}

static rp_status set_text(flow *f, size_t page_index, const rp_decoration *dec) {
  if (!dec || !dec->text || !dec->style) return RP_OK;
  rp_page *pg = &RP_VEC_AT(f->doc->pages, rp_page, page_index);
  const page_info *pi = &RP_VEC_AT(f->info, page_info, page_index);
  /* {$pages} counts the pages of the last label run: with a roman-numbered
   * cover, the last page of a 15-page document says "14 / 14". */
  char *text = substitute(f->a, dec->text, pg->label, f->label_number, pi->section);
  if (!text) return rp_diag_oom(f->d);
  rp_span span = {.text = text, .style = dec->style};
  rp_lines ls;
  rp_status st = rp_inline_break(f->a, f->b->fonts, &span, dec->w, 0, dec->style->align, &ls, f->d);
  if (st != RP_OK) return st;
  double y = dec->y;
  for (size_t i = 0; i < ls.n; i++) {
    const rp_line *ln = &ls.lines[i];
    double base = rp_flow_baseline(ln, y);
    for (size_t j = 0; j < ln->n_frags; j++) {
      const rp_frag *fr = &ln->frags[j];
      rp_item *it = rp_page_add(f->a, pg, RP_ITEM_TEXT);
      if (!it) return rp_diag_oom(f->d);
      rp_frag_to_item(fr, dec->x + fr->x, base, it);
      it->role = RP_ROLE_ARTIFACT;
      it->src = dec->src;
    }
    y += ln->leading;
  }
  if (dec->h > 0 && y - dec->y > dec->h + 0.01)
    rp_diag_warn(f->d, dec->src.layout_file, dec->src.layout_line, 0,
                 "running text \"%s\" is taller than its box on page %zu", text, page_index + 1);
  return RP_OK;
}

rp_status rp_flow_running(flow *f) {
  for (size_t p = 0; p < f->doc->pages.len; p++) {
    const page_info *pi = &RP_VEC_AT(f->info, page_info, p);
    const rp_page_variant *v = pi->variant;
    rp_status st = set_text(f, p, v->header);
    if (st == RP_OK) st = set_text(f, p, v->footer);
    for (size_t i = 0; st == RP_OK && i < v->n_decorations; i++)
      if (v->decorations[i].is_text) st = set_text(f, p, &v->decorations[i]);
    if (st != RP_OK) return st;
  }
  return RP_OK;
}
