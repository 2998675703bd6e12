/* pdf_running — running texts that print {$pages} on a streamed page (see
 * pdf_running.h): a second content stream per such page, filled at the end,
 * or, for the common "{$page} / {$pages}", two streams every such page
 * shares (split pages, below).
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
#include <math.h>
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
  /* split (split_page): the text begun on the page, as drawn there up to
   * the end of its string's codes (no closing parenthesis), where its Td
   * line is in that, the stand-in item's place, and whether it closes with
   * EMC (tagged) */
  bool split, emc;
  uint8_t *begun;
  size_t begun_len, td_at, td_len;
  double x_stand, y_stand;
} later_page;

/* Bytes of content from which the second stream is deflated. */
#define FLATE_FROM 512

struct rp_pdf_running {
  rp_vec pages; /* later_page, in page order */
  /* The streams every split page shares (/Contents [pre page post]), their
   * decoration, and what the first split page's count set: the shift from
   * the stand-in's place and the count's codes. */
  HPDF_Dict pre, post;
  const rp_decoration *dec;
  bool settled;
  double shift;
  uint8_t *suffix;
  size_t suffix_len;
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

/* The bytes drawn into s, in a (NULL when out of memory: recorded). */
static uint8_t *stream_bytes(rp_pdf *p, rp_arena *a, HPDF_Stream s, size_t *len) {
  gather g = {.a = a};
  HPDF_Stream w = HPDF_CallbackWriter_New(p->pdf->mmgr, gather_write, &g);
  HPDF_STATUS st =
      w ? HPDF_Stream_WriteToStream(s, w, HPDF_STREAM_FILTER_NONE, NULL) : HPDF_FAILD_TO_ALLOC_MEM;
  if (w) HPDF_Stream_Free(w);
  *len = g.len;
  if (st == HPDF_OK && !g.failed) return g.data ? g.data : (uint8_t *)"";
  if (rp_pdf_ok(p, "write a running text", NULL)) oom(p);
  return NULL;
}

/* The first `what` (n bytes) in s[0, len), or NULL. */
static const uint8_t *find(const uint8_t *s, size_t len, const char *what, size_t n) {
  for (size_t i = 0; i + n <= len; i++)
    if (s[i] == (uint8_t)what[0] && memcmp(s + i, what, n) == 0) return s + i;
  return NULL;
}

/* ---- split pages ----------------------------------------------------------
 *
 * The common running text "{$page} / {$pages}" on a page of its own costs
 * the page a second stream object (a stream's dictionary, its place in the
 * cross-reference table) for twenty bytes that differ from page to page:
 * the count is the same on every page, only where the text starts depends
 * on it (aligned right, its width). So when the text is one string that
 * ends with the count, the page draws it at once up to the count, placed
 * as a stand-in count would place it, and two streams every such page
 * shares finish it once the count is known:
 *
 *   pre:  q 1 0 0 1 dx 0 cm q 1 0 0 1 -dx 0 cm   (shifted state saved)
 *   page: … its content … Q BT …Tf …rg …Tc x y Td (10 / )Tj
 *   post: (1124)Tj EMC ET Q
 *
 * The page's own content runs in the unshifted state; its last Q brings
 * back the one shifted by dx, the difference between where the real count
 * and the stand-in put the text (the same on every page: the count's width,
 * or half of it, centred); post shows the count where the string left off.
 * Content streams are one stream cut at token boundaries (ISO 32000-1
 * §7.8.2), so a text object may span them. Each page's text is set again
 * at the end with the real count and checked to draw the same bytes but
 * for its Td, moved by dx; a page that would not is an error, not a wrong
 * page (none is known: the conditions below make it so). */

/* The stand-in count a split page's text is placed by: wider than any
 * count, so that a text on one line with it is on one line with the real
 * one. */
#define SPLIT_COUNT 88888888u
#define SPLIT_DIGITS 8

/* Whether running text `dec` can be split: its pattern prints {$pages}
 * once, last, after a character of its own (not right after a variable,
 * whose last character could kern with the count's first). */
static bool splittable(const rp_decoration *dec) {
  const char *q = dec->text ? strstr(dec->text, "{$pages}") : NULL;
  return q && q > dec->text && q[8] == '\0' && q[-1] != '}';
}

/* The shared stream objects, made with the first split page. */
static bool shared_streams(rp_pdf *p, HPDF_MMgr mm) {
  struct rp_pdf_running *r = p->running;
  for (int i = 0; i < 2; i++) {
    HPDF_Dict *d = i ? &r->post : &r->pre;
    if (*d) continue;
    *d = HPDF_Dict_New(mm);
    if (*d && HPDF_Xref_Add(p->pdf->xref, *d) != HPDF_OK) *d = NULL; /* freed by libharu */
    if (!*d) return false;
  }
  return true;
}

/* Begins page lp's text on the page when it can be split (see above);
 * false leaves the page as it was, for a second stream of its own. */
static bool split_page(rp_pdf *p, later_page *lp, rp_arena *a) {
  struct rp_pdf_running *r = p->running;
  const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, lp->index);
  const rp_decoration *dec = pg->later->dec;
  if (pg->later->next || !splittable(dec) || (r->dec && r->dec != dec)) return false;
  rp_diag quiet;
  rp_diag_init(&quiet);
  rp_page stand_in;
  bool ok = set_texts(p, a, lp->index, SPLIT_COUNT, &stand_in, &quiet);
  rp_diag_fini(&quiet);
  if (!ok || stand_in.items.len != 1) return false;
  rp_item one = RP_VEC_AT(stand_in.items, rp_item, 0);
  const char *text = one.kind == RP_ITEM_TEXT ? one.u.text.text : NULL;
  size_t len = text ? strlen(text) : 0;
  char digits[16];
  snprintf(digits, sizeof digits, "%u", SPLIT_COUNT);
  if (len <= SPLIT_DIGITS || strcmp(text + len - SPLIT_DIGITS, digits) != 0 ||
      one.u.text.underline || !(one.u.text.color.a >= 1))
    return false;
  char *prefix = rp_arena_strndup(a, text, len - SPLIT_DIGITS);
  if (!prefix) return false;
  one.u.text.text = prefix;
  rp_page begun = {.width = pg->width, .height = pg->height, .label = pg->label};
  rp_item *it = rp_page_add(a, &begun, RP_ITEM_TEXT);
  if (!it) return false;
  *it = one;

  /* drawn aside, then checked: one string shown, closed as a text run is */
  HPDF_Page page = p->pages[lp->index];
  HPDF_PageAttr attr = page->attr;
  HPDF_Stream real = attr->stream, aside = HPDF_MemStream_New(page->mmgr, 256);
  if (!aside) return false;
  p->tmp = a;
  attr->stream = aside;
  draw_texts(p, &begun, false);
  attr->stream = real;
  p->tmp = NULL;
  size_t n = 0;
  uint8_t *b = p->status == RP_OK ? stream_bytes(p, a, aside, &n) : NULL;
  HPDF_Stream_Free(aside);
  if (!b) return false;
  static const char tj[] = ")Tj\n", emc[] = ")Tj\nEMC\nET\n", et[] = ")Tj\nET\n";
  bool with_emc = n > sizeof emc && memcmp(b + n - (sizeof emc - 1), emc, sizeof emc - 1) == 0;
  size_t close = with_emc ? sizeof emc - 1 : sizeof et - 1;
  if (n <= close + 3 || memcmp(b, "BT\n", 3) != 0 ||
      memcmp(b + n - close, with_emc ? emc : et, close) != 0 || find(b, n, "TJ", 2) != NULL)
    return false;
  size_t begun_len = n - close; /* up to the string's last code */
  const uint8_t *td = find(b, begun_len, " Td\n", 4);
  if (!td || find(td + 4, begun_len - (size_t)(td + 4 - b), " Td\n", 4)) return false;
  size_t td_end = (size_t)(td - b) + 4, td_at = (size_t)(td - b);
  while (td_at > 0 && b[td_at - 1] != '\n') td_at--;

  /* /Contents [pre page post] */
  HPDF_MMgr mm = page->mmgr;
  if (!shared_streams(p, mm)) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
    return true; /* failed: recorded */
  }
  uint8_t *keep = rp_arena_alloc(p->scratch, begun_len);
  HPDF_Array three = keep ? HPDF_Array_New(mm) : NULL;
  bool made = three && HPDF_Array_Add(three, r->pre) == HPDF_OK &&
              HPDF_Array_Add(three, attr->contents) == HPDF_OK &&
              HPDF_Array_Add(three, r->post) == HPDF_OK;
  if (three && !made) HPDF_Array_Free(three);
  if (!made || HPDF_Dict_Add(page, "Contents", three) != HPDF_OK) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
    return true;
  }
  memcpy(keep, b, begun_len);
  *lp = (later_page){.index = lp->index,
                     .names = lp->names,
                     .n_fonts = lp->n_fonts,
                     .n_states = lp->n_states,
                     .spaces_attr = lp->spaces_attr,
                     .spaces_write = lp->spaces_write,
                     .split = true,
                     .emc = with_emc,
                     .begun = keep,
                     .begun_len = begun_len,
                     .td_at = td_at,
                     .td_len = td_end - td_at,
                     .x_stand = one.x,
                     .y_stand = one.y};
  r->dec = dec;
  /* the page's content ends back in the shifted state, then the text up to
   * the count */
  if (HPDF_Stream_Write(real, (const HPDF_BYTE *)"Q\n", 2) != HPDF_OK ||
      HPDF_Stream_Write(real, b, (HPDF_UINT)begun_len) != HPDF_OK ||
      HPDF_Stream_Write(real, (const HPDF_BYTE *)tj, sizeof tj - 1) != HPDF_OK) {
    if (!p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
    rp_pdf_ok(p, "write a running text", NULL);
  }
  return true;
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

  /* begun on the page and ended by the streams split pages share, or ... */
  if (p->status != RP_OK) return;
  rp_arena *sa = rp_arena_new_child(p->scratch);
  if (!sa) return oom(p);
  bool split = split_page(p, lp, sa);
  rp_arena_free(sa);
  if (split || p->status != RP_OK) return;

  /* ... the second stream, after the page's own in /Contents */
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
/* A split page's text set with the count, drawn into `drawn`: the bytes
 * its page began (split_page), its Td moved by the same shift as every
 * other split page's, then the same count. The first sets them. */
static void check_split(rp_pdf *p, rp_arena *a, const later_page *lp, HPDF_Stream drawn,
                        const rp_page *texts) {
  struct rp_pdf_running *r = p->running;
  size_t n;
  const uint8_t *b = stream_bytes(p, a, drawn, &n);
  if (!b) return;
  static const char emc[] = ")Tj\nEMC\nET\n", et[] = ")Tj\nET\n";
  const char *close = lp->emc ? emc : et;
  size_t close_len = strlen(close), td_end = 0;
  size_t after = lp->begun_len - lp->td_at - lp->td_len; /* begun after its Td line */
  const rp_item *it = texts->items.len == 1 ? texts->items.data : NULL;
  bool same = it && it->y == lp->y_stand && n > lp->td_at + close_len &&
              memcmp(b, lp->begun, lp->td_at) == 0;
  if (same) { /* the Td line: where the real count puts the text */
    const uint8_t *td = find(b + lp->td_at, n - lp->td_at, " Td\n", 4);
    same = td && !memchr(b + lp->td_at, '\n', (size_t)(td - b) - lp->td_at);
    td_end = same ? (size_t)(td - b) + 4 : 0;
  }
  same = same && n > td_end + after + close_len &&
         memcmp(b + td_end, lp->begun + lp->td_at + lp->td_len, after) == 0 &&
         memcmp(b + n - close_len, close, close_len) == 0;
  const uint8_t *count = b + td_end + after;
  size_t count_len = same ? n - close_len - td_end - after : 0;
  double shift = it ? it->x - lp->x_stand : 0;
  if (same && !r->settled) {
    r->suffix = rp_arena_alloc(p->scratch, count_len);
    if (!r->suffix) return oom(p);
    memcpy(r->suffix, count, count_len);
    r->suffix_len = count_len;
    r->shift = shift;
    r->settled = true;
  } else if (same) {
    same = count_len == r->suffix_len && memcmp(count, r->suffix, count_len) == 0 &&
           fabs(shift - r->shift) < 1e-6;
  }
  if (!same)
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0,
                 "the running text printing {$pages} on page %zu did not come out as its page "
                 "began it; report this",
                 lp->index + 1);
}

/* `v` to 1/10000, trailing zeros dropped: "-12.3456", "7". */
static char *put_shift(char *o, double v) {
  long long k = llround(v * 10000);
  if (k < 0) *o++ = '-', k = -k;
  o += sprintf(o, "%lld", k / 10000);
  int frac = (int)(k % 10000);
  if (frac) {
    o += sprintf(o, ".%04d", frac);
    while (o[-1] == '0') o--;
  }
  return o;
}

/* Makes dictionary d write itself as a stream of `len` bytes of `data`
 * (copied into p->scratch). False when out of memory (recorded). */
static bool own_bytes(rp_pdf *p, HPDF_Dict d, const void *data, size_t len) {
  late_bytes *b = rp_arena_alloc(p->scratch, sizeof *b + len);
  if (!b) {
    oom(p);
    return false;
  }
  *b = (late_bytes){.data = (uint8_t *)(b + 1), .len = len};
  memcpy(b->data, data, len);
  d->attr = b;
  d->write_fn = write_head;
  d->after_write_fn = write_body;
  return true;
}

/* The streams split pages share, once every split page is checked. */
static void settle_shared(rp_pdf *p) {
  struct rp_pdf_running *r = p->running;
  if (!r->settled) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "split running texts were never set; report this");
    return;
  }
  char pre[96], *o = pre;
  if (llround(r->shift * 10000) == 0) {
    o += sprintf(o, "q\nq\n");
  } else {
    o += sprintf(o, "q 1 0 0 1 ");
    o = put_shift(o, r->shift);
    o += sprintf(o, " 0 cm q 1 0 0 1 ");
    o = put_shift(o, -r->shift);
    o += sprintf(o, " 0 cm\n");
  }
  const char *close = ")Tj\nEMC\nET\nQ\n";
  size_t close_len = strlen(close);
  bool emc = false;
  for (size_t i = 0; i < r->pages.len && !emc; i++) emc = RP_VEC_AT(r->pages, later_page, i).emc;
  if (!emc) close = ")Tj\nET\nQ\n", close_len = strlen(close);
  uint8_t *post = rp_arena_alloc(p->scratch, 1 + r->suffix_len + close_len);
  if (!post) return oom(p);
  post[0] = '(';
  memcpy(post + 1, r->suffix, r->suffix_len);
  memcpy(post + 1 + r->suffix_len, close, close_len);
  if (own_bytes(p, r->pre, pre, (size_t)(o - pre)))
    own_bytes(p, r->post, post, 1 + r->suffix_len + close_len);
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
  if (drawn && p->status == RP_OK) {
    if (lp->split)
      check_split(p, a, lp, drawn, &texts);
    else
      settle_bytes(p, a, lp, drawn);
  }
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
    if (lp->contents || lp->split) finish_page(p, lp, pages);
  }
  if (p->running->pre && p->status == RP_OK) settle_shared(p);
}
