/* pdf_running — running texts that print {$pages} on a streamed page (see
 * pdf_running.h): a second content stream per such page, filled at the end,
 * or, for the common "{$page} / {$pages}", two streams every such page
 * shares (split pages, below).
 *
 * A finished page's dictionary is written to the spool and freed
 * (pdf_doc.c), its resources with it. So what the late texts name (fonts,
 * transparency states, spot colour spaces) is put on the page while it is
 * drawn, by drawing the texts once with a stand-in count into a stream
 * thrown away; the names the page gave them are kept (one set for all the
 * pages that gave the same: most give the same), and at the end libharu
 * draws on a page of its own making (end_page) holding the same names, so
 * that the second stream says what the page's resources mean. A text whose
 * final form would need a resource the page lacks (a count's digit only a
 * fallback face has) is an error, not a wrong page. What stays of a page
 * till the end is 16 bytes (later_page).
 *
 * The second stream's object is numbered while its page is drawn (the
 * page's /Contents names it) but is a plain dictionary until the end, when
 * its bytes are known: then it writes itself as a stream with a direct
 * /Length (a footer's hundred bytes, kept in memory; a libharu stream would
 * add an object for its length, and memory for a buffer, per page). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "layout/layout.h"
#include "render/pdf_running.h"

/* A resource the page names: key (libharu's "F1", "E2"…) and object. */
typedef struct res_name {
  char key[8];
  void *obj;
} res_name;

/* The names a page gave what its late texts use. */
typedef struct name_set {
  res_name *names; /* fonts [0, n_fonts), then transparency states */
  size_t n_fonts, n_states;
  /* the page's spot colour spaces (pdf_print.c), kept as their dictionary
   * had them, or NULL */
  void *spaces_attr;
  HPDF_Dict_OnWriteFunc spaces_write;
  HPDF_Dict fonts, states; /* at the end: the names as dictionaries, for libharu */
} name_set;

/* A second stream's bytes, and the file they are written to. */
typedef struct late_bytes {
  uint8_t *data;
  size_t len;
  bool flate;
  HPDF_Stream out; /* set by write_head for write_body */
} late_bytes;

/* A page whose late texts wait. */
typedef struct later_page {
  uint32_t index; /* the page */
  uint32_t set;   /* its names: r->sets[set & ~SPLIT]; SPLIT: begun on the page */
  union {
    uint64_t begun;     /* split: a hash of what the page drew of its text */
    HPDF_Dict contents; /* else its second content stream, a plain dictionary till the end */
  } u;
} later_page;

#define SPLIT 0x80000000u

/* Pages a block of r->blocks holds: blocks, not one array grown, so that
 * no outgrown copy is left in the arena. */
#define BLOCK 1024

/* Bytes of content from which the second stream is deflated. */
#define FLATE_FROM 512

struct rp_pdf_running {
  later_page **blocks; /* n_pages of them, BLOCK a block */
  size_t n_pages, cap_blocks;
  rp_vec sets; /* name_set */
  /* The streams every split page shares (/Contents [pre page post]), their
   * decoration, and what the first split page's count set: the shift from
   * the stand-in's place and the count's codes; whether a split page's
   * text closes with EMC (tagged). */
  HPDF_Dict pre, post;
  const rp_decoration *dec;
  bool settled, emc;
  double shift;
  uint8_t *suffix;
  size_t suffix_len;
};

static later_page *page_rec(const struct rp_pdf_running *r, size_t i) {
  return &r->blocks[i / BLOCK][i % BLOCK];
}

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
      if (d != p->d) rp_diag_append(p->d, d); /* what stopped it (a quiet set's) is said */
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

/* What a split page draws of its text: the text set with the stand-in
 * count, as drawn up to the end of its string's codes (no closing
 * parenthesis), where its Td line is in that, whether it closes with EMC
 * (tagged), and the stand-in item's place. */
typedef struct split_text {
  uint8_t *b; /* in the arena begun_split was given */
  size_t len, td_at, td_len;
  bool emc;
  double x, y;
} split_text;

/* FNV-1a: what the end checks a split page's text against. */
static uint64_t hash_of(const uint8_t *b, size_t n) {
  uint64_t h = 0xCBF29CE484222325u;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3u;
  return h;
}

/* Sets page `index`'s text with the stand-in count and draws it up to the
 * count into a stream aside, on `page` (its names: the page itself while
 * it is drawn, end_page's at the end), into *out (arena a). False when the
 * text cannot be split (or an error, recorded). */
static bool begun_split(rp_pdf *p, rp_arena *a, size_t index, HPDF_Page page, split_text *out) {
  const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, index);
  rp_diag quiet;
  rp_diag_init(&quiet);
  rp_page stand_in;
  bool ok = set_texts(p, a, index, SPLIT_COUNT, &stand_in, &quiet);
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
  HPDF_PageAttr attr = page->attr;
  HPDF_Stream real = attr->stream, aside = HPDF_MemStream_New(page->mmgr, 256);
  if (!aside) return false;
  HPDF_Page own = p->page;
  rp_arena *tmp = p->tmp;
  p->page = page;
  p->tmp = a;
  attr->stream = aside;
  draw_texts(p, &begun, false);
  attr->stream = real;
  p->tmp = tmp;
  p->page = own;
  size_t n = 0;
  uint8_t *b = p->status == RP_OK ? stream_bytes(p, a, aside, &n) : NULL;
  HPDF_Stream_Free(aside);
  if (!b) return false;
  static const char emc[] = ")Tj\nEMC\nET\n", et[] = ")Tj\nET\n";
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
  *out = (split_text){.b = b,
                      .len = begun_len,
                      .td_at = td_at,
                      .td_len = td_end - td_at,
                      .emc = with_emc,
                      .x = one.x,
                      .y = one.y};
  return true;
}

/* Begins page `index`'s text on the page when it can be split (see above),
 * into *lp; false leaves the page as it was, for a second stream of its
 * own. */
static bool split_page(rp_pdf *p, size_t index, later_page *lp, rp_arena *a) {
  struct rp_pdf_running *r = p->running;
  const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, index);
  const rp_decoration *dec = pg->later->dec;
  if (pg->later->next || !splittable(dec) || (r->dec && r->dec != dec)) return false;
  HPDF_Page page = p->pages[index];
  split_text st;
  if (!begun_split(p, a, index, page, &st)) return false;

  /* /Contents [pre page post] */
  HPDF_PageAttr attr = page->attr;
  HPDF_MMgr mm = page->mmgr;
  if (!shared_streams(p, mm)) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
    return true; /* failed: recorded */
  }
  HPDF_Array three = HPDF_Array_New(mm);
  bool made = three && HPDF_Array_Add(three, r->pre) == HPDF_OK &&
              HPDF_Array_Add(three, attr->contents) == HPDF_OK &&
              HPDF_Array_Add(three, r->post) == HPDF_OK;
  if (three && !made) HPDF_Array_Free(three);
  if (!made || HPDF_Dict_Add(page, "Contents", three) != HPDF_OK) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
    return true;
  }
  lp->set |= SPLIT;
  lp->u.begun = hash_of(st.b, st.len);
  r->dec = dec;
  r->emc |= st.emc;
  /* the page's content ends back in the shifted state, then the text up to
   * the count */
  static const char tj[] = ")Tj\n";
  HPDF_Stream real = attr->stream;
  if (HPDF_Stream_Write(real, (const HPDF_BYTE *)"Q\n", 2) != HPDF_OK ||
      HPDF_Stream_Write(real, st.b, (HPDF_UINT)st.len) != HPDF_OK ||
      HPDF_Stream_Write(real, (const HPDF_BYTE *)tj, sizeof tj - 1) != HPDF_OK) {
    if (!p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
    rp_pdf_ok(p, "write a running text", NULL);
  }
  return true;
}

/* The same names as a set already kept (the last few looked at: pages
 * give the same names, page after page), or a new one. */
static bool keep_set(rp_pdf *p, name_set *ns, uint32_t *id) {
  rp_vec *sets = &p->running->sets;
  size_t n = ns->n_fonts + ns->n_states;
  for (size_t k = sets->len; k-- > 0 && k + 4 >= sets->len;) {
    const name_set *o = &RP_VEC_AT(*sets, name_set, k);
    if (o->n_fonts == ns->n_fonts && o->n_states == ns->n_states &&
        o->spaces_attr == ns->spaces_attr && o->spaces_write == ns->spaces_write &&
        (n == 0 || memcmp(o->names, ns->names, n * sizeof *ns->names) == 0)) {
      *id = (uint32_t)k;
      return true;
    }
  }
  if (sets->len >= SPLIT) return false;
  res_name *names = rp_arena_alloc(p->scratch, (n ? n : 1) * sizeof *names);
  name_set *o = names ? rp_vec_push(p->scratch, sets, sizeof *o) : NULL;
  if (!o) return false;
  if (n) memcpy(names, ns->names, n * sizeof *names);
  *o = *ns;
  o->names = names;
  *id = (uint32_t)(sets->len - 1);
  return true;
}

/* Room for one more page's record, zeroed; NULL when out of memory. */
static later_page *add_rec(rp_pdf *p) {
  struct rp_pdf_running *r = p->running;
  if (r->n_pages == r->cap_blocks * BLOCK) {
    size_t cap = r->cap_blocks ? 2 * r->cap_blocks : 8;
    later_page **blocks = r->cap_blocks
                              ? rp_arena_grow(p->scratch, r->blocks, r->cap_blocks * sizeof *blocks,
                                              cap * sizeof *blocks)
                              : rp_arena_calloc(p->scratch, cap, sizeof *blocks);
    if (!blocks) return NULL;
    r->blocks = blocks;
    r->cap_blocks = cap;
  }
  size_t b = r->n_pages / BLOCK;
  if (r->n_pages % BLOCK == 0 &&
      !(r->blocks[b] = rp_arena_alloc_raw(p->scratch, BLOCK * sizeof(later_page))))
    return NULL;
  later_page *lp = page_rec(r, r->n_pages++);
  *lp = (later_page){0};
  return lp;
}

void rp_pdf_running_page(rp_pdf *p, size_t index) {
  const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, index);
  if (!pg->later || p->status != RP_OK) return;
  if (!p->running && !(p->running = rp_arena_calloc(p->scratch, 1, sizeof *p->running)))
    return oom(p);
  HPDF_Page page = p->pages[index];
  HPDF_PageAttr attr = page->attr;
  HPDF_MMgr mm = page->mmgr;
  rp_arena *a = rp_arena_new_child(p->scratch);
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
  if (!scratch) {
    rp_arena_free(a);
    return;
  }
  if (n_used > MAX_USED) n_used = 0;

  /* the names they were given: of the faces they use, and every
   * transparency state (rare in a running text) */
  name_set ns = {.n_fonts = pick_names(attr->fonts, used, n_used, NULL),
                 .n_states = pick_names(attr->ext_gstates, NULL, 0, NULL)};
  ns.names = rp_arena_alloc(a, (ns.n_fonts + ns.n_states + 1) * sizeof *ns.names);
  if (!ns.names) {
    rp_arena_free(a);
    return oom(p);
  }
  pick_names(attr->fonts, used, n_used, ns.names);
  pick_names(attr->ext_gstates, NULL, 0, ns.names + ns.n_fonts);
  HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
  HPDF_Dict spaces = res ? HPDF_Dict_GetItem(res, "ColorSpace", HPDF_OCLASS_DICT) : NULL;
  if (spaces) {
    ns.spaces_attr = spaces->attr;
    ns.spaces_write = spaces->write_fn;
  }
  rp_pdf_take_error(p, &(HPDF_STATUS){0}, &(HPDF_STATUS){0}); /* a key not there: no error */
  uint32_t set;
  later_page *lp = keep_set(p, &ns, &set) ? add_rec(p) : NULL;
  rp_arena_free(a);
  if (!lp) return oom(p);
  *lp = (later_page){.index = (uint32_t)index, .set = set};

  /* begun on the page and ended by the streams split pages share, or ... */
  if (p->status != RP_OK) return;
  rp_arena *sa = rp_arena_new_child(p->scratch);
  if (!sa) return oom(p);
  bool split = split_page(p, index, lp, sa);
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
  lp->u.contents = c;
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

/* Second stream `contents`, its content drawn into `drawn`: made to write
 * itself, its bytes gathered in `a` and copied into p->scratch. False when
 * out of memory (recorded). */
static bool settle_bytes(rp_pdf *p, rp_arena *a, HPDF_Dict contents, HPDF_Stream drawn) {
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
  contents->attr = b;
  contents->write_fn = write_head;
  contents->after_write_fn = write_body;
  return true;
}

/* Split page `index`'s text set with the count, drawn into `drawn`: the
 * bytes its page began (`st`, drawn again), its Td moved by the same shift
 * as every other split page's, then the same count. The first sets them. */
static void check_split(rp_pdf *p, rp_arena *a, size_t index, const split_text *st,
                        HPDF_Stream drawn, const rp_page *texts) {
  struct rp_pdf_running *r = p->running;
  size_t n;
  const uint8_t *b = stream_bytes(p, a, drawn, &n);
  if (!b) return;
  static const char emc[] = ")Tj\nEMC\nET\n", et[] = ")Tj\nET\n";
  const char *close = st->emc ? emc : et;
  size_t close_len = strlen(close), td_end = 0;
  size_t after = st->len - st->td_at - st->td_len; /* begun after its Td line */
  const rp_item *it = texts->items.len == 1 ? texts->items.data : NULL;
  bool same = it && it->y == st->y && n > st->td_at + close_len && memcmp(b, st->b, st->td_at) == 0;
  if (same) { /* the Td line: where the real count puts the text */
    const uint8_t *td = find(b + st->td_at, n - st->td_at, " Td\n", 4);
    same = td && !memchr(b + st->td_at, '\n', (size_t)(td - b) - st->td_at);
    td_end = same ? (size_t)(td - b) + 4 : 0;
  }
  same = same && n > td_end + after + close_len &&
         memcmp(b + td_end, st->b + st->td_at + st->td_len, after) == 0 &&
         memcmp(b + n - close_len, close, close_len) == 0;
  const uint8_t *count = b + td_end + after;
  size_t count_len = same ? n - close_len - td_end - after : 0;
  double shift = it ? it->x - st->x : 0;
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
                 index + 1);
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
  const char *close = r->emc ? ")Tj\nEMC\nET\nQ\n" : ")Tj\nET\nQ\n";
  size_t close_len = strlen(close);
  uint8_t *post = rp_arena_alloc(p->scratch, 1 + r->suffix_len + close_len);
  if (!post) return oom(p);
  post[0] = '(';
  memcpy(post + 1, r->suffix, r->suffix_len);
  memcpy(post + 1 + r->suffix_len, close, close_len);
  if (own_bytes(p, r->pre, pre, (size_t)(o - pre)))
    own_bytes(p, r->post, post, 1 + r->suffix_len + close_len);
}

/* A page of libharu's for drawing the late texts of pages whose own page
 * is written and freed: their names, a graphics state, nothing written
 * (not in the cross-reference table). end_page_free frees it. */
static void HPDF_STDCALL end_page_attr_free(HPDF_Dict d) {
  HPDF_PageAttr attr = d->attr;
  if (!attr) return;
  if (attr->gstate) HPDF_GState_Free(d->mmgr, attr->gstate);
  HPDF_FreeMem(d->mmgr, attr);
}

static HPDF_Page end_page_new(rp_pdf *p) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Page page = HPDF_Dict_New(mm);
  HPDF_PageAttr attr = page ? HPDF_GetMem(mm, sizeof *attr) : NULL;
  if (!attr) {
    if (page) HPDF_Dict_Free(page);
    return NULL;
  }
  /* as HPDF_Page_New makes a page's state */
  *attr = (HPDF_PageAttr_Rec){.gmode = HPDF_GMODE_PAGE_DESCRIPTION, .xref = p->pdf->xref};
  page->header.obj_class |= HPDF_OSUBCLASS_PAGE;
  page->attr = attr;
  page->free_fn = end_page_attr_free;
  attr->gstate = HPDF_GState_New(mm, NULL);
  if (!attr->gstate) {
    HPDF_Dict_Free(page);
    return NULL;
  }
  return page;
}

/* Draws page lp's texts with the count into its second stream (split: into
 * a stream thrown away, checked). On its own page while that is in memory,
 * else on `end` with the page's names. */
static void finish_page(rp_pdf *p, const later_page *lp, size_t pages, HPDF_Page end) {
  size_t index = lp->index;
  HPDF_Page live = p->pages[index], page = live ? live : end;
  HPDF_PageAttr attr = page->attr;
  name_set *ns = &RP_VEC_AT(p->running->sets, name_set, lp->set & ~SPLIT);
  rp_arena *a = rp_arena_new_child(p->scratch);
  if (!a) return oom(p);
  rp_page texts;
  if (!set_texts(p, a, index, pages, &texts, p->d)) {
    rp_arena_free(a);
    return;
  }
  if (!live && !ns->fonts) { /* made once for all the pages that gave them */
    ns->fonts = names_dict(p, ns->names, ns->n_fonts);
    ns->states = ns->fonts ? names_dict(p, ns->names + ns->n_fonts, ns->n_states) : NULL;
  }
  HPDF_Dict res = NULL, spaces = NULL;
  if (!live && ns->states && ns->spaces_attr) {
    /* pdf_print.c finds spot colours in the page's resources */
    res = HPDF_Dict_New(page->mmgr);
    spaces = res ? HPDF_Dict_New(page->mmgr) : NULL;
    if (spaces) {
      spaces->attr = ns->spaces_attr;
      spaces->write_fn = ns->spaces_write;
    }
    if (!spaces || HPDF_Dict_Add(res, "ColorSpace", spaces) != HPDF_OK ||
        HPDF_Dict_Add(page, "Resources", res) != HPDF_OK)
      spaces = NULL;
  }
  HPDF_Stream drawn = HPDF_MemStream_New(page->mmgr, 1024);
  bool ready = live || (ns->states && (!ns->spaces_attr || spaces));
  if (!drawn || !ready || attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION) {
    if (rp_pdf_ok(p, "add a content stream", NULL)) oom(p);
  } else {
    HPDF_Stream own_stream = attr->stream;
    attr->stream = drawn;
    if (!live) {
      attr->fonts = ns->fonts;
      attr->ext_gstates = ns->states;
    }
    const rp_page *pg = &RP_VEC_AT(p->doc->pages, rp_page, index);
    p->page = page;
    p->page_index = index;
    p->page_w = pg->width;
    p->page_h = pg->height;
    p->tmp = a;
    draw_texts(p, &texts, true);
    p->tmp = NULL;
    if (!live && (ns->fonts->list->count != ns->n_fonts || ns->states->list->count != ns->n_states))
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0,
                   "the running text printing {$pages} on page %zu needs a face its page "
                   "does not name; report this",
                   index + 1);
    rp_pdf_archive_page(p, &texts); /* /ID covers them too */
    attr->stream = own_stream;
  }
  if (drawn && p->status == RP_OK) {
    if (lp->set & SPLIT) {
      /* what the page began, drawn again: the same bytes */
      split_text st;
      if (!begun_split(p, a, index, page, &st) || hash_of(st.b, st.len) != lp->u.begun) {
        if (p->status == RP_OK)
          rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0,
                       "the running text printing {$pages} on page %zu did not come out as its "
                       "page began it; report this",
                       index + 1);
      } else {
        check_split(p, a, index, &st, drawn, &texts);
      }
    } else {
      settle_bytes(p, a, lp->u.contents, drawn);
    }
  }
  p->page = NULL;
  if (!live) attr->fonts = attr->ext_gstates = NULL;
  if (drawn) HPDF_Stream_Free(drawn);
  if (res) HPDF_Dict_RemoveElement(page, "Resources"); /* frees res and spaces */
  rp_arena_free(a);
}

void rp_pdf_running_end(rp_pdf *p) {
  struct rp_pdf_running *r = p->running;
  if (!r) return;
  size_t pages = p->doc->run_pages;
  HPDF_Page end = end_page_new(p);
  if (!end) return oom(p);
  for (size_t i = 0; i < r->n_pages && p->status == RP_OK; i++) {
    const later_page *lp = page_rec(r, i);
    if (lp->u.contents || (lp->set & SPLIT)) finish_page(p, lp, pages, end);
  }
  HPDF_Dict_Free(end);
  for (size_t i = 0; i < r->sets.len; i++) {
    name_set *ns = &RP_VEC_AT(r->sets, name_set, i);
    if (ns->fonts) HPDF_Dict_Free(ns->fonts);
    if (ns->states) HPDF_Dict_Free(ns->states);
    ns->fonts = ns->states = NULL;
  }
  if (r->pre && p->status == RP_OK) settle_shared(p);
}
