/* pdf_running — running texts that print {$pages} on a streamed page (see
 * pdf_running.h): a second content stream per such page, filled at the end.
 *
 * A finished page's dictionary is spooled (pdf_doc.c): its resources are
 * written out and freed. So what the late texts name (fonts, transparency
 * states, spot colour spaces) is put on the page while it is drawn, by
 * drawing the texts once with a stand-in count into a stream thrown away;
 * the names the page gave them are kept, and at the end libharu draws
 * through temporary dictionaries holding the same names, so that the
 * second stream says what the page's resources mean. A text whose final
 * form would need a resource the page lacks (a count's digit only a
 * fallback face has) is an error, not a wrong page. */
#include <string.h>

#include "layout/layout.h"
#include "render/pdf_running.h"

/* A resource the page names: key (libharu's "F1", "E2"…) and object. */
typedef struct res_name {
  char key[8];
  void *obj;
} res_name;

typedef struct later_page {
  size_t index;
  HPDF_Dict contents; /* the second content stream */
  res_name *names;    /* fonts [0, n_fonts), then transparency states */
  size_t n_fonts, n_states;
  /* the page's spot colour spaces (pdf_print.c), kept as their dictionary
   * had them, or NULL */
  void *spaces_attr;
  HPDF_Dict_OnWriteFunc spaces_write;
} later_page;

struct rp_pdf_running {
  rp_vec pages; /* later_page, in page order */
};

static void oom(rp_pdf *p) { rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory"); }

/* The text items of page index's late texts with {$pages} = pages, in
 * `out` (arena a); warnings go to d. */
static bool set_texts(rp_pdf *p, rp_arena *a, size_t index, size_t pages, rp_page *out,
                      rp_diag *d) {
  const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, index);
  *out = (rp_page){.width = pg->width, .height = pg->height, .label = pg->label};
  for (const rp_running_later *r = pg->later; r; r = r->next) {
    rp_status st = rp_layout_running_set(a, p->doc, index, r, pages, out, d);
    if (st != RP_OK) {
      if (p->status == RP_OK) p->status = st;
      return false;
    }
  }
  return true;
}

/* Draws text items as draw_page_items (pdf_doc.c) does, on p->page. */
static void draw_texts(rp_pdf *p, const rp_page *pg, bool checks) {
  const rp_item *items = pg->items.data;
  size_t n = pg->items.len;
  for (size_t i = 0; i < n;) {
    if (checks) rp_pdf_print_safe_check(p, &items[i]);
    rp_pdf_tag_item(p, &items[i]);
    size_t end = rp_pdf_draw_text_run(p, items, i, n);
    for (i++; i < end; i++) {
      if (checks) rp_pdf_print_safe_check(p, &items[i]);
      rp_pdf_tag_item(p, &items[i]);
    }
  }
}

/* Copies the entries of a resource dictionary (NULL: none) into names. */
static bool keep_names(rp_arena *a, HPDF_Dict dict, res_name **names, size_t *n) {
  size_t count = dict ? dict->list->count : 0;
  *n = 0;
  *names = count ? rp_arena_alloc(a, count * sizeof **names) : NULL;
  if (count && !*names) return false;
  for (size_t i = 0; i < count; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(dict->list, (HPDF_UINT)i);
    const HPDF_Obj_Header *h = el ? el->value : NULL;
    if (!h || strlen(el->key) >= sizeof(*names)->key) continue; /* libharu names are short */
    void *obj = h->obj_class == HPDF_OCLASS_PROXY ? ((HPDF_Proxy)el->value)->obj : el->value;
    res_name *r = &(*names)[(*n)++];
    memcpy(r->key, el->key, strlen(el->key) + 1);
    r->obj = obj;
  }
  return true;
}

/* A dictionary of the kept names, for libharu to look them up in. */
static HPDF_Dict names_dict(rp_pdf *p, const res_name *names, size_t n) {
  HPDF_Dict d = HPDF_Dict_New(p->pdf->mmgr);
  for (size_t i = 0; d && i < n; i++)
    if (HPDF_Dict_Add(d, names[i].key, names[i].obj) != HPDF_OK) {
      HPDF_Dict_Free(d);
      return NULL;
    }
  return d;
}

void rp_pdf_running_page(rp_pdf *p, size_t index) {
  const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, index);
  if (!pg->later || p->status != RP_OK) return;
  if (!p->running && !(p->running = rp_arena_calloc(p->scratch, 1, sizeof *p->running)))
    return oom(p);
  HPDF_Page page = p->pages[index];
  HPDF_PageAttr attr = page->attr;
  HPDF_MMgr mm = page->mmgr;
  later_page *lp = rp_vec_push(p->scratch, &p->running->pages, sizeof *lp);
  rp_arena *a = rp_arena_new_child(p->scratch);
  if (!lp || !a) {
    rp_arena_free(a);
    return oom(p);
  }
  *lp = (later_page){.index = index};

  /* the texts with a stand-in count (the pages begun so far), drawn into a
   * stream thrown away: the page names what they use */
  rp_diag quiet; /* their warnings are given once, at the end */
  rp_diag_init(&quiet);
  rp_page stand_in;
  bool ok = set_texts(p, a, index, p->doc->pages.len, &stand_in, &quiet);
  rp_diag_fini(&quiet);
  HPDF_Stream real = attr->stream, scratch = ok ? HPDF_MemStream_New(mm, 1024) : NULL;
  if (scratch) {
    p->tmp = a;
    attr->stream = scratch;
    draw_texts(p, &stand_in, false);
    attr->stream = real;
    p->tmp = NULL;
    HPDF_Stream_Free(scratch);
  } else if (ok) {
    rp_pdf_ok(p, "draw a page", NULL);
    oom(p);
  }
  rp_arena_free(a);
  if (!scratch) return;

  /* the names they were given */
  res_name *fonts, *states;
  if (!keep_names(p->scratch, attr->fonts, &fonts, &lp->n_fonts) ||
      !keep_names(p->scratch, attr->ext_gstates, &states, &lp->n_states))
    return oom(p);
  lp->names = rp_arena_alloc(p->scratch, (lp->n_fonts + lp->n_states + 1) * sizeof *lp->names);
  if (!lp->names) return oom(p);
  if (lp->n_fonts) memcpy(lp->names, fonts, lp->n_fonts * sizeof *fonts);
  if (lp->n_states) memcpy(lp->names + lp->n_fonts, states, lp->n_states * sizeof *states);
  HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
  HPDF_Dict spaces = res ? HPDF_Dict_GetItem(res, "ColorSpace", HPDF_OCLASS_DICT) : NULL;
  if (spaces) {
    lp->spaces_attr = spaces->attr;
    lp->spaces_write = spaces->write_fn;
  }
  rp_pdf_take_error(p, &(HPDF_STATUS){0}, &(HPDF_STATUS){0}); /* a key not there: no error */

  /* the second stream, after the page's own in /Contents */
  HPDF_Dict c = HPDF_DictStream_New(mm, p->pdf->xref);
  HPDF_Array both = c ? HPDF_Array_New(mm) : NULL;
  if (!both || HPDF_Array_Add(both, attr->contents) != HPDF_OK ||
      HPDF_Array_Add(both, c) != HPDF_OK || HPDF_Dict_Add(page, "Contents", both) != HPDF_OK) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
    return;
  }
  if (p->pdf->compression_mode & HPDF_COMP_TEXT) c->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  lp->contents = c;
}

/* Draws page lp's texts with the count into its second stream and hands it
 * to keep. */
static void finish_page(rp_pdf *p, const later_page *lp, size_t pages,
                        void (*keep)(rp_pdf *, HPDF_Page)) {
  HPDF_Page page = p->pages[lp->index];
  HPDF_PageAttr attr = page->attr;
  rp_arena *a = rp_arena_new_child(p->scratch);
  if (!a) return oom(p);
  rp_page texts;
  if (!set_texts(p, a, lp->index, pages, &texts, p->d)) {
    rp_arena_free(a);
    return;
  }
  /* a page whose dictionary is kept in memory (not spooled) names them itself */
  bool live = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT) != NULL;
  rp_pdf_take_error(p, &(HPDF_STATUS){0}, &(HPDF_STATUS){0});
  HPDF_Dict fonts = live ? NULL : names_dict(p, lp->names, lp->n_fonts);
  HPDF_Dict states = fonts ? names_dict(p, lp->names + lp->n_fonts, lp->n_states) : NULL;
  HPDF_Dict res = NULL, spaces = NULL;
  if (states && lp->spaces_attr) { /* pdf_print.c finds spot colours in the page's resources */
    res = HPDF_Dict_New(page->mmgr);
    spaces = res ? HPDF_Dict_New(page->mmgr) : NULL;
    if (spaces) {
      spaces->attr = lp->spaces_attr;
      spaces->write_fn = lp->spaces_write;
    }
    if (!spaces || HPDF_Dict_Add(res, "ColorSpace", spaces) != HPDF_OK ||
        HPDF_Dict_Add(page, "Resources", res) != HPDF_OK)
      spaces = NULL;
  }
  if (!live && (!states || (lp->spaces_attr && !spaces))) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
  } else {
    HPDF_Dict own_contents = attr->contents, own_fonts = attr->fonts,
              own_states = attr->ext_gstates;
    HPDF_Stream own_stream = attr->stream;
    attr->contents = lp->contents;
    attr->stream = lp->contents->stream;
    if (!live) {
      attr->fonts = fonts;
      attr->ext_gstates = states;
    }
    const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, lp->index);
    p->page = page;
    p->page_index = lp->index;
    p->page_w = pg->width;
    p->page_h = pg->height;
    p->tmp = a;
    draw_texts(p, &texts, true);
    p->tmp = NULL;
    if (!live && (fonts->list->count != lp->n_fonts || states->list->count != lp->n_states))
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0,
                   "the running text printing {$pages} on page %zu needs a face its page "
                   "does not name; report this",
                   lp->index + 1);
    rp_pdf_archive_page(p, &texts); /* /ID covers them too */
    keep(p, page);
    attr->contents = own_contents;
    attr->stream = own_stream;
    attr->fonts = own_fonts;
    attr->ext_gstates = own_states;
  }
  if (res) HPDF_Dict_RemoveElement(page, "Resources"); /* frees res and spaces */
  if (states) HPDF_Dict_Free(states);
  if (fonts) HPDF_Dict_Free(fonts);
  rp_arena_free(a);
}

void rp_pdf_running_end(rp_pdf *p, void (*keep)(rp_pdf *p, HPDF_Page page)) {
  if (!p->running) return;
  size_t pages = p->doc->run_pages;
  for (size_t i = 0; i < p->running->pages.len && p->status == RP_OK; i++) {
    const later_page *lp = &RP_VEC_AT(p->running->pages, later_page, i);
    if (lp->contents) finish_page(p, lp, pages, keep);
  }
}
