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
 * fallback face has) is an error, not a wrong page.
 *
 * The second stream's object is numbered while its page is drawn (the
 * page's /Contents names it) but is a plain dictionary until the end, when
 * its bytes are known: then it writes itself as a stream with a direct
 * /Length (a footer's hundred bytes, kept in memory; a libharu stream would
 * add an object for its length, and memory for a buffer, per page). */
#include <stdio.h>
#include <string.h>

#include "layout/layout.h"
#include "render/pdf_running.h"

/* A resource the page names: key (libharu's "F1", "E2"…) and object. */
typedef struct res_name {
  char key[8];
  void *obj;
} res_name;

/* A second stream's bytes, and the file they are written to. */
typedef struct late_bytes {
  uint8_t *data;
  size_t len;
  bool flate;
  HPDF_Stream out; /* set by write_head for write_body */
} late_bytes;

typedef struct later_page {
  size_t index;
  HPDF_Dict contents; /* the second content stream, a plain dictionary until the end */
  res_name *names;    /* fonts [0, n_fonts), then transparency states */
  size_t n_fonts, n_states;
  /* the page's spot colour spaces (pdf_print.c), kept as their dictionary
   * had them, or NULL */
  void *spaces_attr;
  HPDF_Dict_OnWriteFunc spaces_write;
} later_page;

/* Bytes of content from which the second stream is deflated. */
#define FLATE_FROM 512

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

/* Faces a page's late texts use, kept by name: more than this, all of the page's. */
#define MAX_USED 8

/* The entries of resource dictionary `dict` (NULL: none) whose object is
 * one of used[0, n_used), or every entry when n_used is 0, into out (NULL:
 * only counted); returns how many. */
static size_t pick_names(HPDF_Dict dict, void *const *used, size_t n_used, res_name *out) {
  size_t n = 0;
  for (HPDF_UINT i = 0; dict && i < dict->list->count; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(dict->list, i);
    const HPDF_Obj_Header *h = el ? el->value : NULL;
    if (!h || strlen(el->key) >= sizeof out->key) continue; /* libharu's names are short */
    void *obj = h->obj_class == HPDF_OCLASS_PROXY ? ((HPDF_Proxy)el->value)->obj : el->value;
    bool wanted = n_used == 0;
    for (size_t k = 0; k < n_used && !wanted; k++) wanted = used[k] == obj;
    if (!wanted) continue;
    if (out) {
      memcpy(out[n].key, el->key, strlen(el->key) + 1);
      out[n].obj = obj;
    }
    n++;
  }
  return n;
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
  if (lp) *lp = (later_page){.index = index};
  rp_arena *a = lp ? rp_arena_new_child(p->scratch) : NULL;
  if (!a) return oom(p);

  /* the texts with a stand-in count (the pages begun so far), drawn into a
   * stream thrown away: the page names what they use */
  rp_diag quiet; /* their warnings are given once, at the end */
  rp_diag_init(&quiet);
  rp_page stand_in;
  bool ok = set_texts(p, a, index, p->doc->pages.len, &stand_in, &quiet);
  rp_diag_fini(&quiet);
  HPDF_Stream real = attr->stream, scratch = ok ? HPDF_MemStream_New(mm, 1024) : NULL;
  void *used[MAX_USED];
  size_t n_used = 0;
  if (scratch) {
    p->tmp = a;
    attr->stream = scratch;
    draw_texts(p, &stand_in, false);
    attr->stream = real;
    p->tmp = NULL;
    HPDF_Stream_Free(scratch);
    for (size_t i = 0; i < stand_in.items.len && n_used <= MAX_USED; i++) {
      const rp_item *it = &RP_VEC_AT(stand_in.items, rp_item, i);
      void *f = rp_pdf_font(p, it->u.text.font, &it->src); /* loaded when drawn */
      size_t k = 0;
      while (k < n_used && used[k] != f) k++;
      if (f && k == n_used) {
        if (n_used == MAX_USED)
          n_used = MAX_USED + 1; /* too many: keep all */
        else
          used[n_used++] = f;
      }
    }
  } else if (ok) {
    rp_pdf_ok(p, "draw a page", NULL);
    oom(p);
  }
  rp_arena_free(a);
  if (!scratch) return;
  if (n_used > MAX_USED) n_used = 0;

  /* the names they were given: of the faces they use, and every
   * transparency state (rare in a running text) */
  lp->n_fonts = pick_names(attr->fonts, used, n_used, NULL);
  lp->n_states = pick_names(attr->ext_gstates, NULL, 0, NULL);
  lp->names = rp_arena_alloc(p->scratch, (lp->n_fonts + lp->n_states + 1) * sizeof *lp->names);
  if (!lp->names) return oom(p);
  pick_names(attr->fonts, used, n_used, lp->names);
  pick_names(attr->ext_gstates, NULL, 0, lp->names + lp->n_fonts);
  HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
  HPDF_Dict spaces = res ? HPDF_Dict_GetItem(res, "ColorSpace", HPDF_OCLASS_DICT) : NULL;
  if (spaces) {
    lp->spaces_attr = spaces->attr;
    lp->spaces_write = spaces->write_fn;
  }
  rp_pdf_take_error(p, &(HPDF_STATUS){0}, &(HPDF_STATUS){0}); /* a key not there: no error */

  /* the second stream, after the page's own in /Contents */
  HPDF_Dict c = HPDF_Dict_New(mm);
  if (c && HPDF_Xref_Add(p->pdf->xref, c) != HPDF_OK) c = NULL; /* freed by libharu */
  HPDF_Array both = c ? HPDF_Array_New(mm) : NULL;
  bool made =
      both && HPDF_Array_Add(both, attr->contents) == HPDF_OK && HPDF_Array_Add(both, c) == HPDF_OK;
  if (both && !made) HPDF_Array_Free(both); /* not attached */
  /* Dict_Add frees `both` when it fails */
  if (!made || HPDF_Dict_Add(page, "Contents", both) != HPDF_OK) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
    return;
  }
  lp->contents = c;
}

static HPDF_STATUS HPDF_STDCALL write_head(HPDF_Dict obj, HPDF_Stream out) {
  late_bytes *b = obj->attr;
  char head[64];
  snprintf(head, sizeof head, "/Length %zu\012%s", b->len,
           b->flate ? "/Filter /FlateDecode\012" : "");
  b->out = out;
  return HPDF_Stream_WriteStr(out, head);
}

/* After the dictionary's ">>": the data, as libharu writes a stream's. */
static HPDF_STATUS HPDF_STDCALL write_body(HPDF_Dict obj) {
  late_bytes *b = obj->attr;
  HPDF_STATUS st = HPDF_Stream_WriteStr(b->out, "\012stream\015\012");
  if (st == HPDF_OK && b->len) st = HPDF_Stream_Write(b->out, b->data, (HPDF_UINT)b->len);
  if (st == HPDF_OK) st = HPDF_Stream_WriteStr(b->out, "\012endstream");
  return st;
}

bool rp_pdf_running_is_stream(HPDF_Dict d) { return d->after_write_fn == write_body; }

/* The drawn content, gathered (deflated or not) into memory. */
typedef struct gather {
  rp_arena *a;
  uint8_t *data;
  size_t len, cap;
  bool failed;
} gather;

static HPDF_STATUS HPDF_STDCALL gather_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT n) {
  gather *g = s->attr;
  if (g->len + n > g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 256;
    while (cap < g->len + n) cap *= 2;
    uint8_t *d = rp_arena_alloc(g->a, cap);
    if (!d) {
      g->failed = true;
      return HPDF_SetError(s->error, HPDF_FAILD_TO_ALLOC_MEM, 0);
    }
    if (g->len) memcpy(d, g->data, g->len);
    g->data = d;
    g->cap = cap;
  }
  memcpy(g->data + g->len, ptr, n);
  g->len += n;
  return HPDF_OK;
}

/* The second stream of page lp, its content drawn into `drawn`: made to
 * write itself, its bytes gathered in `a` and copied into p->scratch. False when out of
 * memory (recorded). */
static bool settle_bytes(rp_pdf *p, rp_arena *a, const later_page *lp, HPDF_Stream drawn) {
  gather g = {.a = a};
  /* a footer's hundred bytes: Flate would save less than its /Filter entry
   * costs, and a deflater's set-up is most of the work */
  bool flate = p->pdf->compression_mode != HPDF_COMP_NONE && HPDF_Stream_Size(drawn) >= FLATE_FROM;
  HPDF_Stream w = HPDF_CallbackWriter_New(p->pdf->mmgr, gather_write, &g);
  HPDF_STATUS st =
      w ? HPDF_Stream_WriteToStream(
              drawn, w, flate ? HPDF_STREAM_FILTER_FLATE_DECODE : HPDF_STREAM_FILTER_NONE, NULL)
        : HPDF_FAILD_TO_ALLOC_MEM;
  if (w) HPDF_Stream_Free(w);
  /* the bytes right after their record: one allocation */
  late_bytes *b = st == HPDF_OK && !g.failed ? rp_arena_alloc(p->scratch, sizeof *b + g.len) : NULL;
  if (!b) {
    if (rp_pdf_ok(p, "write a running text", NULL)) oom(p);
    return false;
  }
  *b = (late_bytes){.data = (uint8_t *)(b + 1), .len = g.len, .flate = flate};
  if (g.len) memcpy(b->data, g.data, g.len);
  lp->contents->attr = b;
  lp->contents->write_fn = write_head;
  lp->contents->after_write_fn = write_body;
  return true;
}
/* Draws page lp's texts with the count into its second stream. */
static void finish_page(rp_pdf *p, const later_page *lp, size_t pages) {
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
  HPDF_Stream drawn = HPDF_MemStream_New(page->mmgr, 1024);
  if (!drawn || (!live && (!states || (lp->spaces_attr && !spaces)))) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
  } else {
    HPDF_Dict own_fonts = attr->fonts, own_states = attr->ext_gstates;
    HPDF_Stream own_stream = attr->stream;
    attr->stream = drawn;
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
    attr->stream = own_stream;
    attr->fonts = own_fonts;
    attr->ext_gstates = own_states;
  }
  if (drawn && p->status == RP_OK) settle_bytes(p, a, lp, drawn);
  if (drawn) HPDF_Stream_Free(drawn);
  if (res) HPDF_Dict_RemoveElement(page, "Resources"); /* frees res and spaces */
  if (states) HPDF_Dict_Free(states);
  if (fonts) HPDF_Dict_Free(fonts);
  rp_arena_free(a);
}

void rp_pdf_running_end(rp_pdf *p) {
  if (!p->running) return;
  size_t pages = p->doc->run_pages;
  for (size_t i = 0; i < p->running->pages.len && p->status == RP_OK; i++) {
    const later_page *lp = &RP_VEC_AT(p->running->pages, later_page, i);
    if (lp->contents) finish_page(p, lp, pages);
  }
}
