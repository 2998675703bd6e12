/* pdf_tag — tagged PDF: marked content on the pages and the structure tree
 * (ISO 32000-1 §14.7–14.8), written through libharu's object API since no
 * libharu version writes tagged PDF (../shared/LIBHARU-NOTES.md).
 *
 * Layout already says what each item is (rp_item role, struct_id, parent_id);
 * here each painted item becomes one marked-content sequence, `/Tag <</MCID n>>
 * BDC … EMC` (MCIDs restart on every page), or `/Artifact BMC … EMC` for
 * running heads, page numbers, decorative shapes and bands. Structure
 * elements are made on first sight of their struct_id, in drawing order, which
 * is layout's reading order: Document → Sect per level-1 bookmark (layout's
 * sections) → the elements whose parent_id is 0, and below them by parent_id.
 * Made here, not in layout: the Lbl and LBody of a list item (its marker and
 * its blocks), the Link around a link's words with an OBJR to its annotation.
 * Every content reference is an MCR dictionary with its page, so an element
 * continuing across pages needs nothing special.
 *
 * Nesting: a BDC always closes in the same place it opened — inside one
 * BT…ET for text, outside q…Q for shapes and images — and no sequence spans
 * two items. tests/e2e/tagcheck.py checks the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "render/pdf.h"

/* What an element's /K lists, in order. */
typedef enum kid_kind { KID_MCID, KID_MCR, KID_OBJR, KID_ELEM } kid_kind;

/* One of them: a list node, so that an element with one kid (most) costs
 * one node, not a growable array's first block. */
typedef struct tag_kid {
  struct tag_kid *next;
  uint32_t ref; /* object number: KID_MCR the page, KID_OBJR the annotation, KID_ELEM the element */
  uint32_t n;   /* KID_MCID, KID_MCR: the MCID; KID_OBJR: the page's index */
  uint8_t kind;
} tag_kid;

/* The optional entries of an element, in the order they were given. */
enum { KEY_ID = 1, KEY_A, KEY_PG, KEY_ALT };

/* A structure element. libharu holds only an empty dictionary for it (its
 * object number); its entries live here, a few bytes each, and become
 * libharu objects just while the dictionary is written (materialize), in
 * the order and form they always had: about 1.3 KB less per element while
 * the document is built. */
typedef struct tag_elem {
  void *obj;    /* its object: an elem_ref, or with --uncompressed an empty dictionary */
  uint32_t num; /* its object number */
  uint32_t pg;  /* its /Pg: the object number of the page of its first marks; 0: none */
  rp_role role;
  const char *type;        /* its /S */
  struct tag_elem *parent; /* NULL for Document */
  struct tag_elem *label;  /* LI: its Lbl; made on first use */
  struct tag_elem *body;   /* LI: its LBody; made on first use */
  uint32_t parent_num;     /* its parent's object number (0: the StructTreeRoot) */
  size_t seen;             /* 1 + the last page on which it or an element below it changed */
  int id;                  /* its struct_id in the id table; 0: none */
  bool going;              /* being written and freed (elems_write) */
  bool has_alt;
  bool labelled; /* LI: a marker is drawn for it */
  tag_kid *kids, *last_kid;
  HPDF_BYTE *alt;
  size_t alt_len;
  size_t note; /* Note: its number in the IDTree (from 1) */
  unsigned char keys[4], n_keys;
  struct rp_pdf *p;
} tag_elem;

/* A structure element's entry in libharu's cross-reference table when
 * render saves the file (save_objects in pdf_doc.c): its object number and
 * the element, 16 bytes, where an empty dictionary took about 200. libharu
 * takes it for a null (freeing it so); rp_pdf_tag_write writes it. */
#define ELEM_CLASS (HPDF_OCLASS_NULL | 0xF000)
typedef struct elem_ref {
  HPDF_Obj_Header header;
  tag_elem *e;
} elem_ref;

/* A link annotation still in memory (not spooled: its destination is a
 * stand-in) and its ParentTree index. */
typedef struct annot_entry {
  HPDF_Annotation annot;
  size_t key;
} annot_entry;

/* What the id table knows of a struct_id: its element while it is in
 * memory, and whether a list marker (Lbl) is drawn with it. */
typedef struct id_slot {
  int id; /* 0: empty */
  bool labelled;
  tag_elem *e;
} id_slot;

struct rp_pdf_tag {
  HPDF_Dict root; /* StructTreeRoot */
  tag_elem *doc;  /* Document */
  tag_elem *sect; /* the section being drawn, or NULL before the first */
  /* Every element in memory (each its own allocation), in no order: one
   * left alone for two pages is written to the spool and freed
   * (elems_write), except with --uncompressed (libharu's own save) */
  tag_elem **live;
  size_t n_live, cap_live;
  bool frees;
  /* struct_id -> id_slot, open addressing: the ids of elements in memory
   * and the ids scanned as labelled, not every id of the document */
  id_slot *ids;
  size_t cap_ids, n_ids;
  int max_id;           /* highest id seen so far: ids up to it are kept in the table */
  uint32_t *parent_ids; /* per page: the object number of its array of MCIDs' elements */
  size_t cap_parents;
  HPDF_Array page_arr;       /* the page being drawn's array, written at its end */
  rp_vec mcids;              /* uint32_t: the element of each MCID of the page being drawn */
  HPDF_Obj_Header *standins; /* references by number while an object is written */
  size_t n_standins, cap_standins;
  int next_mcid; /* on the page being drawn */
  rp_vec annots; /* uint32_t (base/mem): each annotation's Link element, by /StructParent */
  rp_vec kept;   /* annot_entry: the annotations in memory, whose /StructParent is set at the end */
  /* The page being drawn: for each item index, the link item whose area holds
   * it (-1: none), and the Link element made for each link item. */
  const rp_item *items;
  int *link_of;
  tag_elem **link_elems;
  size_t n_items;
  bool open;           /* a marked-content sequence is open */
  tag_elem *open_elem; /* its element; NULL for an artifact */
  rp_vec notes;        /* uint32_t: Note elements' object numbers, whose /ID the IDTree maps */
  bool via_libharu; /* elements written through libharu's objects (RP_TAG_VIA_LIBHARU=1: tests) */
};

/* libharu's internal calls skip its error handler: keep the first failure. */
static bool hpdf(rp_pdf *p, HPDF_STATUS r) {
  if (r != HPDF_OK && !p->err_no) p->err_no = r;
  return r == HPDF_OK;
}

static bool fail_oom(rp_pdf *p) {
  rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory while tagging the PDF");
  return false;
}

/* A PDF text string (UTF-16BE with its byte order mark) of `utf8`, from
 * arena `a`: *len bytes; NULL if out of memory. */
static HPDF_BYTE *utf16_of(rp_pdf *p, rp_arena *a, const char *utf8, size_t max_bytes,
                           size_t *len) {
  const char *s = rp_pdf_clean_utf8(p, utf8, max_bytes);
  if (!s) return NULL;
  size_t n = strlen(s);
  HPDF_BYTE *buf = rp_arena_alloc_raw(a, 2 * n + 2);
  if (!buf) return NULL;
  size_t o = 0;
  buf[o++] = 0xFE, buf[o++] = 0xFF;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    i += rp_pdf_decode(s + i, n - i, &cp);
    buf[o++] = (HPDF_BYTE)(cp >> 8), buf[o++] = (HPDF_BYTE)(cp & 0xFF);
  }
  *len = o;
  return buf;
}

/* The same as a libharu object (which copies it: the page's arena will do). */
static HPDF_Binary text_string(rp_pdf *p, const char *utf8, size_t max_bytes) {
  size_t len;
  HPDF_BYTE *buf = utf16_of(p, p->tmp ? p->tmp : p->scratch, utf8, max_bytes, &len);
  return buf ? HPDF_Binary_New(p->pdf->mmgr, buf, (HPDF_UINT)len) : NULL;
}

/* A note's /ID, also its key in the IDTree: numbered with leading zeros so
 * that the keys sort as written. */
static HPDF_Binary note_id(HPDF_MMgr mm, size_t note) {
  char id[32];
  snprintf(id, sizeof id, "note-%06zu", note);
  return HPDF_Binary_New(mm, (HPDF_BYTE *)id, (HPDF_UINT)strlen(id));
}

/* ---- elements: entries made while written ---------------------------- */

/* Room for n more stand-ins. */
static bool standins_room(rp_pdf *p, size_t n) {
  struct rp_pdf_tag *t = p->tag;
  if (t->cap_standins - t->n_standins >= n) return true;
  size_t cap = t->cap_standins ? t->cap_standins : 64;
  while (cap - t->n_standins < n) cap *= 2;
  HPDF_Obj_Header *q =
      rp_arena_grow(p->scratch, t->standins, t->cap_standins * sizeof *q, cap * sizeof *q);
  if (!q) return false;
  t->standins = q;
  t->cap_standins = cap;
  return true;
}

/* A stand-in for object `num`: what libharu needs of an object to write a
 * reference to it (a proxy to it writes `num 0 R`), so that the object
 * itself may be gone (written and freed). Valid until the stand-ins are
 * reset (t->n_standins = 0), after the write it is made for; room made
 * first (standins_room). */
static void *standin(rp_pdf *p, uint32_t num) {
  struct rp_pdf_tag *t = p->tag;
  HPDF_Obj_Header *h = &t->standins[t->n_standins++];
  *h = (HPDF_Obj_Header){.obj_id = num | HPDF_OTYPE_INDIRECT, .obj_class = HPDF_OCLASS_NULL};
  return h;
}

static HPDF_STATUS dict_of_kid(rp_pdf *p, const tag_kid *k, void *page, HPDF_Array into) {
  HPDF_Dict d = HPDF_Dict_New(p->pdf->mmgr);
  if (!d) return HPDF_FAILD_TO_ALLOC_MEM;
  HPDF_STATUS r = HPDF_Array_Add(into, d); /* owned by the array from here */
  if (r != HPDF_OK) return r;
  if (k->kind == KID_MCR) {
    r = HPDF_Dict_AddName(d, "Type", "MCR");
    if (r == HPDF_OK) r = HPDF_Dict_Add(d, "Pg", standin(p, k->ref));
    if (r == HPDF_OK) r = HPDF_Dict_AddNumber(d, "MCID", (HPDF_INT32)k->n);
  } else {
    r = HPDF_Dict_AddName(d, "Type", "OBJR");
    if (r == HPDF_OK) r = HPDF_Dict_Add(d, "Obj", standin(p, k->ref));
    if (r == HPDF_OK) r = HPDF_Dict_Add(d, "Pg", page);
  }
  return r;
}

/* libharu refuses an array of more than this many entries (HPDF_LIMIT_MAX_ARRAY). */
#define HPDF_ARRAY_MAX 32767

static uint32_t obj_num(const void *obj) {
  return ((const HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF;
}

/* The write hook of an element with more kids than a libharu array takes
 * (a long pack's document, every study's elements under it): its /K written
 * here, as libharu would write the array. */
static HPDF_STATUS HPDF_STDCALL write_many_kids(HPDF_Dict dict, HPDF_Stream stream) {
  const tag_elem *e = dict->attr;
  HPDF_STATUS r = HPDF_Stream_WriteStr(stream, "/K [");
  char buf[96];
  for (const tag_kid *k = e->kids; r == HPDF_OK && k; k = k->next) {
    switch (k->kind) {
      case KID_MCID:
        snprintf(buf, sizeof buf, "%u ", (unsigned)k->n);
        break;
      case KID_ELEM:
        snprintf(buf, sizeof buf, "%u 0 R ", (unsigned)k->ref);
        break;
      case KID_MCR:
        snprintf(buf, sizeof buf, "<</Type /MCR /Pg %u 0 R /MCID %u>> ", (unsigned)k->ref,
                 (unsigned)k->n);
        break;
      case KID_OBJR:
        if (k->n >= e->p->n_pages) return HPDF_INVALID_OBJECT;
        snprintf(buf, sizeof buf, "<</Type /OBJR /Obj %u 0 R /Pg %u 0 R>> ", (unsigned)k->ref,
                 (unsigned)obj_num(rp_pdf_page_ref(e->p, k->n)));
        break;
    }
    r = HPDF_Stream_WriteStr(stream, buf);
  }
  return r == HPDF_OK ? HPDF_Stream_WriteStr(stream, "]\012") : r;
}

/* An element's /P. */
static void *parent_ref(const tag_elem *e) {
  return e->parent_num ? standin(e->p, e->parent_num) : e->p->tag->root;
}

/* An element's entries other than /S, /K and /P. */
static HPDF_STATUS add_keys(HPDF_Dict dict, const tag_elem *e) {
  HPDF_MMgr mm = dict->mmgr;
  HPDF_STATUS r = HPDF_OK;
  for (int i = 0; r == HPDF_OK && i < e->n_keys; i++) {
    switch (e->keys[i]) {
      case KEY_ID:
        r = HPDF_Dict_Add(dict, "ID", note_id(mm, e->note));
        break;
      case KEY_A: {
        /* Header cells head their column: the table layouts have header rows. */
        HPDF_Dict a = HPDF_Dict_New(mm);
        r = HPDF_Dict_Add(dict, "A", a);
        if (r == HPDF_OK) r = HPDF_Dict_AddName(a, "O", "Table");
        if (r == HPDF_OK) r = HPDF_Dict_AddName(a, "Scope", "Column");
        break;
      }
      case KEY_PG:
        r = HPDF_Dict_Add(dict, "Pg", standin(e->p, e->pg));
        break;
      case KEY_ALT:
        r = HPDF_Dict_Add(dict, "Alt", HPDF_Binary_New(mm, e->alt, (HPDF_UINT)e->alt_len));
        break;
    }
  }
  return r;
}

/* libharu's before-write hook of an element's dictionary: its entries. */
static HPDF_STATUS HPDF_STDCALL materialize(HPDF_Dict dict) {
  tag_elem *e = dict->attr;
  HPDF_MMgr mm = dict->mmgr;
  size_t n_kids = 0;
  for (const tag_kid *k = e->kids; k && n_kids <= HPDF_ARRAY_MAX; k = k->next) n_kids++;
  e->p->tag->n_standins = 0; /* the last element's are written */
  if (!standins_room(e->p, n_kids > HPDF_ARRAY_MAX ? 2 : n_kids + 2))
    return HPDF_FAILD_TO_ALLOC_MEM;
  if (n_kids > HPDF_ARRAY_MAX) {
    dict->write_fn = write_many_kids;
    HPDF_STATUS r = HPDF_Dict_AddName(dict, "S", e->type);
    if (r == HPDF_OK) r = HPDF_Dict_Add(dict, "P", parent_ref(e));
    return r == HPDF_OK ? add_keys(dict, e) : r;
  }
  HPDF_Array kids = HPDF_Array_New(mm);
  /* libharu's list grows by 20 items, copying all it holds each time: an
   * element of 30,000 kids (a long section) cost 300 M instructions */
  if (kids && n_kids > kids->list->items_per_block) kids->list->items_per_block = (HPDF_UINT)n_kids;
  HPDF_STATUS r = kids ? HPDF_Dict_AddName(dict, "S", e->type) : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK)
    r = HPDF_Dict_Add(dict, "K", kids);
  else if (kids)
    HPDF_Array_Free(kids);
  if (r == HPDF_OK) r = HPDF_Dict_Add(dict, "P", parent_ref(e));
  for (const tag_kid *k = e->kids; r == HPDF_OK && k; k = k->next) {
    if (k->kind == KID_MCID)
      r = HPDF_Array_AddNumber(kids, (HPDF_INT32)k->n);
    else if (k->kind == KID_ELEM)
      r = HPDF_Array_Add(kids, standin(e->p, k->ref));
    else if (k->kind == KID_MCR || k->n < e->p->n_pages)
      r = dict_of_kid(e->p, k, k->kind == KID_OBJR ? rp_pdf_page_ref(e->p, k->n) : NULL, kids);
    else
      r = HPDF_INVALID_OBJECT;
  }
  return r == HPDF_OK ? add_keys(dict, e) : r;
}

/* The after-write hook: the entries go again. */
static HPDF_STATUS HPDF_STDCALL dematerialize(HPDF_Dict dict) {
  for (HPDF_UINT i = 0; i < dict->list->count; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(dict->list, i);
    HPDF_Obj_Free(dict->mmgr, el->value);
    HPDF_FreeMem(dict->mmgr, el);
  }
  HPDF_List_Clear(dict->list);
  return HPDF_OK;
}

/* Notes that e changes on the page being drawn, and so everything above it. */
static void touch(const rp_pdf *p, tag_elem *e) {
  for (size_t seen = p->page_index + 1; e && e->seen != seen; e = e->parent) e->seen = seen;
}

static bool add_kid(rp_pdf *p, tag_elem *e, tag_kid k) {
  tag_kid *node = rp_mem_alloc(sizeof *node);
  if (!node) return fail_oom(p);
  touch(p, e);
  *node = k;
  node->next = NULL;
  if (e->last_kid)
    e->last_kid->next = node;
  else
    e->kids = node;
  e->last_kid = node;
  return true;
}

static const char *type_of(rp_role role) {
  switch (role) {
    case RP_ROLE_NONE:
    case RP_ROLE_ARTIFACT:
    case RP_ROLE_LIST_BODY: /* an item's own text: a P inside the LBody made here */
      return "P";
    default:
      return rp_role_name(role);
  }
}

/* ---- elements written as text ------------------------------------------ */

/* An element's dictionary is written here as the text libharu writes for
 * the objects materialize makes (HPDF_Dict_Write: "<<", each entry as
 * `/Key value` and a line feed, ">>"; arrays "[ " with a space after each
 * value; a reference `N 0 R`; a binary string in upper-case hex), without
 * making them: 13,000 instructions an element through libharu's objects,
 * a tenth of that here (test_render's test_tag_text_as_libharu compares the
 * two on every element of the accessible review). */
typedef struct elem_text {
  HPDF_Stream to; /* NULL: the text stays in b (`overflow`: it did not fit) */
  HPDF_STATUS st;
  bool overflow;
  size_t n;
  char b[1024];
} elem_text;

static void et_flush(elem_text *w) {
  if (w->st == HPDF_OK && w->n)
    w->st = HPDF_Stream_Write(w->to, (const HPDF_BYTE *)w->b, (HPDF_UINT)w->n);
  w->n = 0;
}

static void et_put(elem_text *w, const char *s, size_t n) {
  while (n > 0) {
    if (w->n == sizeof w->b && !w->to) {
      w->overflow = true;
      return;
    }
    if (w->n == sizeof w->b) et_flush(w);
    size_t k = sizeof w->b - w->n < n ? sizeof w->b - w->n : n;
    memcpy(w->b + w->n, s, k);
    w->n += k, s += k, n -= k;
  }
}

static void et_str(elem_text *w, const char *s) { et_put(w, s, strlen(s)); }

static void et_uint(elem_text *w, uint32_t v) {
  char d[10];
  size_t i = sizeof d;
  do d[--i] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  et_put(w, d + i, sizeof d - i);
}

static void et_ref(elem_text *w, uint32_t num) {
  et_uint(w, num);
  et_put(w, " 0 R", 4);
}

static void et_hex(elem_text *w, const HPDF_BYTE *data, size_t len) {
  static const char hex[] = "0123456789ABCDEF";
  et_put(w, "<", 1);
  for (size_t i = 0; i < len; i++) {
    char h[2] = {hex[data[i] >> 4], hex[data[i] & 15]};
    et_put(w, h, 2);
  }
  et_put(w, ">", 1);
}

/* Whether libharu writes `name` as it is (no #xx escapes): letters and digits. */
static bool plain_name(const char *name) {
  for (const char *c = name; *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
      return false;
  return *name != '\0';
}

/* Element e's dictionary as text into w (its stream, or its buffer); false
 * when it is one libharu must write (a /K longer than its arrays, a name it
 * would escape). */
static bool elem_write_text(const tag_elem *e, elem_text *w, HPDF_STATUS *st) {
  size_t n_kids = 0;
  for (const tag_kid *k = e->kids; k && n_kids <= HPDF_ARRAY_MAX; k = k->next) n_kids++;
  if (n_kids > HPDF_ARRAY_MAX || !plain_name(e->type) || e->alt_len > HPDF_LIMIT_MAX_STRING_LEN)
    return false;
  for (const tag_kid *k = e->kids; k; k = k->next)
    if (k->kind == KID_OBJR && k->n >= e->p->n_pages) {
      *st = HPDF_INVALID_OBJECT; /* as materialize */
      return true;
    }
  et_str(w, "<<\012/S /");
  et_str(w, e->type);
  et_str(w, "\012/K [ ");
  for (const tag_kid *k = e->kids; k; k = k->next) {
    switch (k->kind) {
      case KID_MCID:
        et_uint(w, k->n);
        break;
      case KID_ELEM:
        et_ref(w, k->ref);
        break;
      case KID_MCR:
        et_str(w, "<<\012/Type /MCR\012/Pg ");
        et_ref(w, k->ref);
        et_str(w, "\012/MCID ");
        et_uint(w, k->n);
        et_str(w, "\012>>");
        break;
      case KID_OBJR:
        et_str(w, "<<\012/Type /OBJR\012/Obj ");
        et_ref(w, k->ref);
        et_str(w, "\012/Pg ");
        et_ref(w, obj_num(rp_pdf_page_ref(e->p, k->n)));
        et_str(w, "\012>>");
        break;
    }
    et_put(w, " ", 1);
  }
  et_str(w, "]\012/P ");
  et_ref(w, e->parent_num ? e->parent_num : obj_num(e->p->tag->root));
  et_put(w, "\012", 1);
  for (int i = 0; i < e->n_keys; i++) {
    switch (e->keys[i]) {
      case KEY_ID: {
        char id[32];
        snprintf(id, sizeof id, "note-%06zu", e->note);
        et_str(w, "/ID ");
        et_hex(w, (const HPDF_BYTE *)id, strlen(id));
        break;
      }
      case KEY_A:
        et_str(w, "/A <<\012/O /Table\012/Scope /Column\012>>");
        break;
      case KEY_PG:
        et_str(w, "/Pg ");
        et_ref(w, e->pg);
        break;
      case KEY_ALT:
        et_str(w, "/Alt ");
        et_hex(w, e->alt, e->alt_len);
        break;
    }
    et_put(w, "\012", 1);
  }
  et_put(w, ">>", 2);
  if (w->to) et_flush(w);
  *st = w->st;
  return true;
}

bool rp_pdf_tag_write(rp_pdf *p, void *obj, HPDF_Stream to, HPDF_STATUS *st) {
  const elem_ref *ref = obj;
  if (ref->header.obj_class != ELEM_CLASS) return false;
  elem_text w = {.to = to};
  if (!p->tag->via_libharu && elem_write_text(ref->e, &w, st)) return true;
  /* a dictionary just for the write: the entries made, written, freed */
  HPDF_Dict dict = HPDF_Dict_New(p->pdf->mmgr);
  if (!dict) {
    *st = HPDF_FAILD_TO_ALLOC_MEM;
    return true;
  }
  dict->attr = ref->e;
  dict->before_write_fn = materialize;
  dict->after_write_fn = dematerialize;
  *st = HPDF_Dict_Write(dict, to, NULL);
  HPDF_Dict_Free(dict);
  return true;
}

/* Frees e and what it holds (not its object). */
static void elem_free(tag_elem *e) {
  for (tag_kid *k = e->kids, *next; k; k = next) {
    next = k->next;
    rp_mem_free(k);
  }
  rp_mem_free(e->alt);
  rp_mem_free(e);
}

/* A new element of type `type` appended to parent's kids. */
static tag_elem *elem_new(rp_pdf *p, tag_elem *parent, rp_role role, const char *type) {
  struct rp_pdf_tag *t = p->tag;
  if (t->n_live == t->cap_live) {
    size_t cap = t->cap_live ? 2 * t->cap_live : 256;
    tag_elem **live = rp_mem_reallocarray(t->live, cap, sizeof *live);
    if (!live) return fail_oom(p), NULL;
    t->live = live;
    t->cap_live = cap;
  }
  tag_elem *e = rp_mem_calloc(1, sizeof *e);
  if (!e) return fail_oom(p), NULL;
  t->live[t->n_live++] = e; /* owned by the list from here */
  /* Indirect before it enters any container (libharu error 0x1033 otherwise).
   * No /Type: optional for structure elements, and 10 KB in the sample. */
  HPDF_MMgr mm = p->pdf->mmgr;
  if (p->pdf->compression_mode == HPDF_COMP_NONE) { /* libharu's own save writes it */
    HPDF_Dict dict = HPDF_Dict_New(mm);
    if (dict) {
      dict->attr = e;
      dict->before_write_fn = materialize;
      dict->after_write_fn = dematerialize;
    }
    e->obj = dict;
  } else {
    elem_ref *ref = HPDF_GetMem(mm, sizeof *ref);
    if (ref) *ref = (elem_ref){.header.obj_class = ELEM_CLASS, .e = e};
    e->obj = ref;
  }
  e->role = role;
  e->type = type;
  e->parent = parent;
  e->p = p;
  if (!e->obj || !hpdf(p, HPDF_Xref_Add(p->pdf->xref, e->obj))) {
    rp_pdf_ok(p, "add a structure element", NULL);
    e->obj = NULL; /* (libharu freed it) */
    return NULL;
  }
  e->num = obj_num(e->obj);
  e->parent_num = parent ? parent->num : 0;
  touch(p, e);
  if (parent && !add_kid(p, parent, (tag_kid){.kind = KID_ELEM, .ref = e->num})) return NULL;
  if (role == RP_ROLE_NOTE) {
    /* PDF/UA-1 7.9: a Note has an /ID, and the IDTree finds it. */
    uint32_t *slot = rp_vec_push(p->scratch, &p->tag->notes, sizeof *slot);
    if (!slot) return fail_oom(p), NULL;
    *slot = e->num;
    e->note = p->tag->notes.len;
    e->keys[e->n_keys++] = KEY_ID;
  }
  if (role == RP_ROLE_TABLE_HEADER) e->keys[e->n_keys++] = KEY_A;
  return e;
}

static tag_elem *container(rp_pdf *p) { return p->tag->sect ? p->tag->sect : p->tag->doc; }

static tag_elem *lbody_of(rp_pdf *p, tag_elem *li) {
  /* Lbl before LBody even when the body is seen first (an item that starts
   * with a nested list: that list's boxes come before the marker). */
  if (!li->label && li->labelled) li->label = elem_new(p, li, RP_ROLE_LIST_LABEL, "Lbl");
  if (!li->body) li->body = elem_new(p, li, RP_ROLE_LIST_BODY, "LBody");
  return li->body;
}

/* ---- the id table ---------------------------------------------------- */

static size_t id_home(int id, size_t cap) {
  return (size_t)((uint32_t)id * 2654435761u) & (cap - 1);
}

static id_slot *id_find(const struct rp_pdf_tag *t, int id) {
  if (!t->cap_ids) return NULL;
  for (size_t i = id_home(id, t->cap_ids);; i = (i + 1) & (t->cap_ids - 1)) {
    if (t->ids[i].id == id) return &t->ids[i];
    if (t->ids[i].id == 0) return NULL;
  }
}

/* The slot of `id` (> 0), made empty if it had none; NULL if out of memory
 * (recorded). A slot moves when another is added or removed. */
static id_slot *id_add(rp_pdf *p, int id) {
  struct rp_pdf_tag *t = p->tag;
  id_slot *s = id_find(t, id);
  if (s) return s;
  if (2 * (t->n_ids + 1) > t->cap_ids) { /* the old table is left to the arena */
    size_t cap = t->cap_ids ? 2 * t->cap_ids : 256;
    id_slot *ids = rp_arena_calloc(p->scratch, cap, sizeof *ids);
    if (!ids) return fail_oom(p), NULL;
    for (size_t i = 0; i < t->cap_ids; i++) {
      if (!t->ids[i].id) continue;
      size_t j = id_home(t->ids[i].id, cap);
      while (ids[j].id) j = (j + 1) & (cap - 1);
      ids[j] = t->ids[i];
    }
    t->ids = ids;
    t->cap_ids = cap;
  }
  size_t i = id_home(id, t->cap_ids);
  while (t->ids[i].id) i = (i + 1) & (t->cap_ids - 1);
  t->ids[i] = (id_slot){.id = id};
  t->n_ids++;
  return &t->ids[i];
}

/* Empties slot s, moving back the slots after it that would not be found
 * past the hole (linear probing's deletion). */
static void id_remove(struct rp_pdf_tag *t, id_slot *s) {
  size_t mask = t->cap_ids - 1, hole = (size_t)(s - t->ids);
  for (size_t j = (hole + 1) & mask; t->ids[j].id; j = (j + 1) & mask) {
    size_t home = id_home(t->ids[j].id, t->cap_ids);
    /* j stays when its home lies cyclically in (hole, j] */
    bool stays = hole < j ? home > hole && home <= j : home > hole || home <= j;
    if (stays) continue;
    t->ids[hole] = t->ids[j];
    hole = j;
  }
  t->ids[hole] = (id_slot){0};
  t->n_ids--;
}

/* The element of `id` in memory (it changes: touched), or NULL. */
static tag_elem *lookup(const rp_pdf *p, int id) {
  const struct rp_pdf_tag *t = p->tag;
  if (id <= 0 || id > t->max_id) return NULL;
  const id_slot *s = id_find(t, id);
  if (s && s->e) touch(p, s->e);
  return s ? s->e : NULL;
}

/* The element that the children of element `id` go into: a list item's
 * blocks go into its LBody; an id never seen becomes a Div. */
static tag_elem *parent_for(rp_pdf *p, int id) {
  struct rp_pdf_tag *t = p->tag;
  if (id <= 0 || id > t->max_id) return container(p);
  tag_elem *e = lookup(p, id);
  if (!e && (e = elem_new(p, container(p), RP_ROLE_NONE, "Div"))) {
    id_slot *s = id_add(p, id);
    if (!s) return NULL;
    s->e = e;
    e->id = id;
  }
  if (e && e->role == RP_ROLE_LIST_ITEM) return lbody_of(p, e);
  return e ? e : container(p);
}

static void set_alt(rp_pdf *p, tag_elem *e, const char *alt) {
  if (!e || e->has_alt || !alt || !alt[0]) return;
  size_t len;
  HPDF_BYTE *text = utf16_of(p, p->tmp ? p->tmp : p->scratch, alt, 2000, &len);
  e->alt = text ? rp_mem_alloc(len) : NULL;
  if (e->alt) memcpy(e->alt, text, len), e->alt_len = len;
  if (!e->alt) {
    fail_oom(p);
    return;
  }
  e->keys[e->n_keys++] = KEY_ALT;
  e->has_alt = true;
}

/* The element an item belongs to (made on first sight), or NULL for an item
 * outside the structure (artifacts, bookmarks, links' own areas). */
static tag_elem *elem_of(rp_pdf *p, const rp_item *it) {
  struct rp_pdf_tag *t = p->tag;
  if (it->role == RP_ROLE_ARTIFACT || it->kind == RP_ITEM_BOOKMARK || it->kind == RP_ITEM_LINK)
    return NULL;
  tag_elem *e;
  if (it->struct_id <= 0) {
    /* Parts of an element (a chart's paths and labels) or stray content. */
    if (it->parent_id > 0) return parent_for(p, it->parent_id);
    e = elem_new(p, container(p), it->role, type_of(it->role));
  } else {
    e = lookup(p, it->struct_id);
    if (!e) {
      tag_elem *parent = parent_for(p, it->parent_id);
      if (!parent) return NULL;
      rp_role role = it->role;
      e = elem_new(p, parent, role, type_of(role));
      if (!e) return NULL;
      if (it->struct_id <= t->max_id) {
        id_slot *s = id_add(p, it->struct_id);
        if (!s) return NULL;
        s->e = e;
        e->id = it->struct_id;
        e->labelled = s->labelled;
      }
    }
  }
  if (!e) return NULL;
  if (it->alt) set_alt(p, e, it->alt);
  /* A list item's marker: the LI's Lbl. */
  if (it->role == RP_ROLE_LIST_LABEL && e->role == RP_ROLE_LIST_ITEM) {
    if (!e->label) e->label = elem_new(p, e, RP_ROLE_LIST_LABEL, "Lbl");
    return e->label;
  }
  return e;
}

/* The Link element of link item `li` on this page, inside `in`. */
static tag_elem *link_elem(rp_pdf *p, size_t li, tag_elem *in) {
  struct rp_pdf_tag *t = p->tag;
  if (!t->link_elems[li] && in) t->link_elems[li] = elem_new(p, in, RP_ROLE_LINK, "Link");
  return t->link_elems[li];
}

/* Whether drawing the item puts marks on the page. */
static bool paints(const rp_item *it) {
  switch (it->kind) {
    case RP_ITEM_RECT:
    case RP_ITEM_ELLIPSE:
    case RP_ITEM_LINE: {
      bool fill = it->kind != RP_ITEM_LINE && it->u.shape.fill.a > 0;
      bool stroke = it->u.shape.stroke.a > 0 && it->u.shape.stroke_width > 0;
      return fill || stroke;
    }
    case RP_ITEM_CHART:
      return !it->u.chart.drawn;
    case RP_ITEM_LINK:
    case RP_ITEM_BOOKMARK:
      return false;
    default:
      return true;
  }
}

/* ---- document and pages --------------------------------------------- */

bool rp_pdf_tag_begin(rp_pdf *p) {
  struct rp_pdf_tag *t = rp_arena_calloc(p->scratch, 1, sizeof *t);
  if (!t) return fail_oom(p);
  p->tag = t;
  t->frees = p->pdf->compression_mode != HPDF_COMP_NONE; /* else libharu's own save */
  const char *via = getenv("RP_TAG_VIA_LIBHARU");
  t->via_libharu = via && *via && strcmp(via, "0") != 0;
  t->root = HPDF_Dict_New(p->pdf->mmgr);
  if (!t->root || !hpdf(p, HPDF_Xref_Add(p->pdf->xref, t->root)) ||
      !hpdf(p, HPDF_Dict_AddName(t->root, "Type", "StructTreeRoot")) ||
      !hpdf(p, HPDF_Dict_Add(p->pdf->catalog, "StructTreeRoot", t->root)) ||
      !(t->doc = elem_new(p, NULL, RP_ROLE_NONE, "Document")) ||
      !hpdf(p, HPDF_Dict_Add(t->root, "K", t->doc->obj))) {
    if (rp_pdf_ok(p, "start the structure tree", NULL)) fail_oom(p);
    return false;
  }
  return true;
}

bool rp_pdf_tag_scan(rp_pdf *p, const rp_item *items, size_t n) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return true;
  int top = t->max_id;
  for (size_t k = 0; k < n; k++) {
    if (items[k].struct_id > top) top = items[k].struct_id;
    if (items[k].parent_id > top) top = items[k].parent_id;
  }
  t->max_id = top > 100000000 ? 100000000 : top; /* ids beyond: elements of their own */
  for (size_t k = 0; k < n; k++) {
    if (items[k].role != RP_ROLE_LIST_LABEL || items[k].struct_id <= 0 ||
        items[k].struct_id > t->max_id)
      continue;
    id_slot *s = id_add(p, items[k].struct_id);
    if (!s) return false;
    s->labelled = true;
  }
  return true;
}

/* Baseline of text item `it` inside link item `l`'s area. */
static bool inside_link(const rp_item *it, const rp_item *l) {
  return it->kind == RP_ITEM_TEXT && it->struct_id == l->struct_id && it->x >= l->x - 0.5 &&
         it->x < l->x + l->w - 0.5 && it->y >= l->y - 0.5 && it->y <= l->y + l->h + 0.5;
}

void rp_pdf_tag_page_begin(rp_pdf *p, const rp_item *items, size_t n) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  t->next_mcid = 0;
  t->open = false;
  t->items = items;
  t->n_items = n;
  rp_arena *page_arena = p->tmp ? p->tmp : p->scratch; /* the page's, freed after it */
  t->link_of = rp_arena_alloc(page_arena, (n ? n : 1) * sizeof *t->link_of);
  t->link_elems = rp_arena_calloc(page_arena, n ? n : 1, sizeof *t->link_elems);
  bool room = p->page_index < t->cap_parents;
  if (!room) { /* (base/mem: an arena would keep every outgrown copy) */
    size_t cap = t->cap_parents ? 2 * t->cap_parents : 64;
    uint32_t *ids = rp_mem_reallocarray(t->parent_ids, cap, sizeof *ids);
    if (ids) t->parent_ids = ids, t->cap_parents = cap, room = true;
  }
  t->mcids.len = 0;
  HPDF_Array arr = room && t->link_of && t->link_elems ? HPDF_Array_New(p->pdf->mmgr) : NULL;
  if (!arr) {
    fail_oom(p);
    rp_pdf_tag_free(p);
    p->tag = NULL; /* the rest of the document untagged; the render fails anyway */
    return;
  }
  t->page_arr = arr;
  bool added = hpdf(p, HPDF_Xref_Add(p->pdf->xref, arr));
  if (!added) t->page_arr = NULL; /* (libharu freed it) */
  t->parent_ids[p->page_index] = added ? obj_num(arr) : 0;
  if (!added ||
      !hpdf(p, HPDF_Dict_AddNumber(p->page, "StructParents", (HPDF_INT32)p->page_index)) ||
      !hpdf(p, HPDF_Dict_AddName(p->page, "Tabs", "S")))
    rp_pdf_ok(p, "tag a page", NULL);
  for (size_t i = 0; i < n; i++) t->link_of[i] = -1;
  if (p->print.on) return; /* no links in print files */
  /* The words a link covers (layout gives them the link's struct_id). */
  for (size_t l = 0; l < n; l++) {
    if (items[l].kind != RP_ITEM_LINK || items[l].struct_id <= 0) continue;
    for (size_t i = 0; i < n; i++)
      if (t->link_of[i] < 0 && inside_link(&items[i], &items[l])) t->link_of[i] = (int)l;
  }
}

void rp_pdf_tag_item(rp_pdf *p, const rp_item *it) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  if (it->kind == RP_ITEM_BOOKMARK) {
    if (it->u.bookmark.level != 1) return;
    /* No /T: poppler prints UTF-16 titles as bytes; the heading names it. */
    t->sect = elem_new(p, t->doc, RP_ROLE_SECTION, "Sect");
    return;
  }
  if (!paints(it)) elem_of(p, it); /* a structure box: its element, in its place */
}

/* Writes the opening operator; `tag` NULL for an artifact. */
static void open_mc(rp_pdf *p, const char *tag, int mcid) {
  /* "/%s <</MCID %d>> BDC\n" by hand (snprintf's thousand instructions an
   * item were half of the review's tagging while drawing) */
  char buf[64], *o = buf, digits[12];
  size_t len = tag ? strlen(tag) : 0;
  if (tag && len < 32 && mcid >= 0) {
    *o++ = '/', memcpy(o, tag, len), o += len, memcpy(o, " <</MCID ", 9), o += 9;
    int n = 0;
    do digits[n++] = (char)('0' + mcid % 10);
    while ((mcid /= 10) != 0);
    while (n) *o++ = digits[--n];
    memcpy(o, ">> BDC\n", 8);
  } else if (tag) {
    snprintf(buf, sizeof buf, "/%s <</MCID %d>> BDC\n", tag, mcid);
  } else {
    memcpy(buf, "/Artifact BMC\n", 15);
  }
  rp_pdf_raw(p, buf, NULL);
  p->tag->open = true;
}

/* The element a painted item's marks belong to: its own, or the Link made
 * for the words a link covers; NULL for an artifact. */
static tag_elem *target_of(rp_pdf *p, const rp_item *it) {
  struct rp_pdf_tag *t = p->tag;
  tag_elem *e = elem_of(p, it);
  size_t index = (size_t)(it - t->items);
  if (e && index < t->n_items && t->link_of[index] >= 0) {
    tag_elem *l = link_elem(p, (size_t)t->link_of[index], e);
    if (l) e = l;
  }
  return e;
}

/* Pages an element is left alone for before it is written: layout hands on
 * an element's items (and its children's) in reading order, so one not
 * changed on this page or the last has all its kids. */
#define ELEM_REST_PAGES 2

/* Element e to the spool, its object freed: its text made here and handed
 * over whole (through a libharu stream, a writer made and freed for each
 * element was a sixth of the review's tagging at pages' ends); else as
 * when saving (rp_pdf_tag_write). */
static bool elem_spool(rp_pdf *p, tag_elem *e) {
  elem_text w = {0};
  HPDF_STATUS st = HPDF_OK;
  if (!p->tag->via_libharu && elem_write_text(e, &w, &st) && st == HPDF_OK && !w.overflow)
    return rp_pdf_spool_free(p, e->obj, w.b, w.n);
  return rp_pdf_spool_free(p, e->obj, NULL, 0);
}

/* Writes every element in memory that has rested ELEM_REST_PAGES pages
 * (`all`: every one), except the Document and the Sect being drawn, to the
 * spool (each element's object freed: its number stays) and frees them.
 * False when one could not be written (the render fails). */
static bool elems_write(rp_pdf *p, bool all) {
  struct rp_pdf_tag *t = p->tag;
  if (!t->frees) return true;
  size_t now = p->page_index + 1, n_going = 0;
  bool ok = true;
  for (size_t i = 0; ok && i < t->n_live; i++) {
    tag_elem *e = t->live[i];
    if (e == t->doc || e == t->sect || (!all && e->seen + ELEM_REST_PAGES > now)) continue;
    if (e->obj && !elem_spool(p, e)) { /* (none: it failed to be made) */
      if (p->status == RP_OK) fail_oom(p);
      ok = false;
      break;
    }
    e->obj = NULL;
    e->going = true;
    n_going++;
  }
  if (!n_going) return ok;
  /* what pointed at them: the id table, an LI's Lbl and LBody */
  for (size_t i = 0; i < t->n_live; i++) {
    tag_elem *e = t->live[i];
    if (!e->going) continue;
    id_slot *slot = e->id ? id_find(t, e->id) : NULL;
    if (slot && slot->e == e) id_remove(t, slot);
    tag_elem *up = e->parent;
    if (up && !up->going && up->label == e) up->label = NULL;
    if (up && !up->going && up->body == e) up->body = NULL;
  }
  size_t kept = 0;
  for (size_t i = 0; i < t->n_live; i++)
    if (t->live[i]->going)
      elem_free(t->live[i]);
    else
      t->live[kept++] = t->live[i];
  t->n_live = kept;
  return ok;
}

void rp_pdf_tag_free(rp_pdf *p) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  for (size_t i = 0; i < t->n_live; i++) elem_free(t->live[i]);
  rp_mem_free(t->live);
  t->live = NULL;
  t->n_live = t->cap_live = 0;
  rp_mem_free(t->parent_ids);
  t->parent_ids = NULL;
  t->cap_parents = 0;
  rp_mem_free(t->annots.data);
  t->annots = (rp_vec){0};
}
/* The page's array of its MCIDs' elements, written as libharu would and
 * freed; then the Sects done by now. */
void rp_pdf_tag_page_end(rp_pdf *p) {
  struct rp_pdf_tag *t = p->tag;
  if (!t || !t->page_arr) return;
  HPDF_Array arr = t->page_arr;
  t->page_arr = NULL;
  if (t->frees) {
    size_t n = t->mcids.len, o = 0;
    char *text = rp_mem_alloc(4 + 16 * n);
    if (!text) {
      fail_oom(p);
      return;
    }
    text[o++] = '[', text[o++] = ' ';
    for (size_t i = 0; i < n; i++) { /* "%u 0 R ", by hand (sprintf: 700 instructions each) */
      char d[10];
      size_t k = sizeof d;
      uint32_t v = RP_VEC_AT(t->mcids, uint32_t, i);
      do d[--k] = (char)('0' + v % 10);
      while ((v /= 10) != 0);
      memcpy(text + o, d + k, sizeof d - k);
      o += sizeof d - k;
      memcpy(text + o, " 0 R ", 5);
      o += 5;
    }
    text[o++] = ']';
    bool ok = rp_pdf_spool_free(p, arr, text, o);
    rp_mem_free(text);
    if (!ok) {
      if (p->status == RP_OK) fail_oom(p);
      return;
    }
  }
  elems_write(p, false);
}

/* Gives the page's next MCID to e: a plain number in /K while e stays on its
 * first page (its /Pg), an MCR dictionary on any other page. */
static bool claim_mcid(rp_pdf *p, tag_elem *e, const rp_src *src) {
  struct rp_pdf_tag *t = p->tag;
  uint32_t page = obj_num(p->page);
  if (!e->pg) {
    e->pg = page;
    e->keys[e->n_keys++] = KEY_PG;
  }
  bool ok =
      add_kid(p, e,
              e->pg == page ? (tag_kid){.kind = KID_MCID, .n = (uint32_t)t->next_mcid}
                            : (tag_kid){.kind = KID_MCR, .n = (uint32_t)t->next_mcid, .ref = page});
  if (ok && t->frees) {
    uint32_t *slot = rp_vec_push(p->scratch, &t->mcids, sizeof *slot);
    if (slot)
      *slot = e->num;
    else
      ok = fail_oom(p);
  } else if (ok && t->page_arr) {
    ok = hpdf(p, HPDF_Array_Add(t->page_arr, e->obj));
  }
  if (!ok) rp_pdf_ok(p, "tag content", src);
  return ok;
}

/* Opens the sequence of e (NULL: an artifact). */
static void open_for(rp_pdf *p, tag_elem *e, const rp_src *src) {
  struct rp_pdf_tag *t = p->tag;
  if (e && claim_mcid(p, e, src)) {
    open_mc(p, e->type, t->next_mcid++);
    return;
  }
  open_mc(p, NULL, 0); /* an artifact; or, on failure, still balanced */
}

bool rp_pdf_tag_open(rp_pdf *p, const rp_item *it) {
  struct rp_pdf_tag *t = p->tag;
  if (!t || t->open || !paints(it)) return false;
  open_for(p, target_of(p, it), &it->src);
  return true;
}

void rp_pdf_tag_text(rp_pdf *p, const rp_item *it) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  /* One sequence per item, even for the lines of one paragraph: poppler
   * joins the lines of one sequence without a space ("ways ofworking"). */
  rp_pdf_tag_close(p);
  open_for(p, target_of(p, it), &it->src);
}

bool rp_pdf_tag_open_artifact(rp_pdf *p) {
  if (!p->tag || p->tag->open) return false;
  open_mc(p, NULL, 0);
  return true;
}

void rp_pdf_tag_close(rp_pdf *p) {
  if (!p->tag || !p->tag->open) return;
  p->tag->open = false;
  rp_pdf_raw(p, "EMC\n", NULL);
}

void rp_pdf_tag_annot(rp_pdf *p, const rp_item *it, HPDF_Annotation a, const char *what) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  size_t index = (size_t)(it - t->items);
  if (index >= t->n_items) return;
  /* The Link made around its words, else one in the paragraph it sits in. */
  tag_elem *e = t->link_elems[index];
  if (!e) {
    tag_elem *host = lookup(p, it->struct_id);
    e = link_elem(p, index, host ? host : container(p));
  }
  if (!e) return;
  /* Contents: the words the link covers, else where it goes. */
  char words[512] = "";
  size_t o = 0;
  for (size_t i = 0; i < t->n_items; i++) {
    if (t->link_of[i] != (int)index || !t->items[i].u.text.text) continue;
    int n = snprintf(words + o, sizeof words - o, "%s%s", o ? " " : "", t->items[i].u.text.text);
    if (n < 0 || (size_t)n >= sizeof words - o) break;
    o += (size_t)n;
  }
  HPDF_Binary contents = text_string(p, o ? words : what, 1000);
  if (t->annots.len == t->annots.cap) { /* (base/mem, as parent_ids) */
    size_t cap = t->annots.cap ? 2 * t->annots.cap : 64;
    uint32_t *grown = rp_mem_reallocarray(t->annots.data, cap, sizeof *grown);
    if (grown) t->annots.data = grown, t->annots.cap = cap;
  }
  uint32_t *elem =
      t->annots.len < t->annots.cap ? &RP_VEC_AT(t->annots, uint32_t, t->annots.len++) : NULL;
  if (elem) *elem = e->num; /* set at once: finish reads every entry */
  annot_entry *ae = elem ? rp_vec_push(p->scratch, &t->kept, sizeof *ae) : NULL;
  if (ae) *ae = (annot_entry){a, t->annots.len - 1};
  if (!contents || !ae) {
    fail_oom(p);
    return;
  }
  /* Its ParentTree key follows the pages' keys, so it is known only once
   * the last page is: written as 0 here, set in rp_pdf_tag_finish. */
  if (!hpdf(p, HPDF_Dict_Add(a, "Contents", contents)) ||
      !hpdf(p, HPDF_Dict_AddNumber(a, "StructParent", 0)) ||
      !hpdf(p, HPDF_Dict_AddNumber(a, "F", 4)) || /* print */
      !add_kid(p, e, (tag_kid){.kind = KID_OBJR, .ref = obj_num(a), .n = (uint32_t)p->page_index}))
    rp_pdf_ok(p, "tag a link", &it->src);
}

void rp_pdf_tag_annot_gone(rp_pdf *p, long key) {
  struct rp_pdf_tag *t = p->tag;
  if (t && key >= 0 && t->kept.len &&
      RP_VEC_AT(t->kept, annot_entry, t->kept.len - 1).key == (size_t)key)
    t->kept.len--; /* (the last one: it goes just after it is tagged) */
}

long rp_pdf_tag_last_annot(const rp_pdf *p, HPDF_Annotation a) {
  const struct rp_pdf_tag *t = p->tag;
  if (!t || !t->kept.len) return -1;
  const annot_entry *ae = &RP_VEC_AT(t->kept, annot_entry, t->kept.len - 1);
  return ae->annot == a ? (long)ae->key : -1;
}

/* The parent tree's number tree, filled in key order. libharu refuses an
 * array of more than 32,767 entries, so a tree of more than LEAF_PAIRS keys
 * (a long document's pages and links) gets /Kids: leaves of LEAF_PAIRS keys
 * each with its /Limits; a shorter one is the single /Nums it always was. */
enum { LEAF_PAIRS = 4096 };

typedef struct num_tree {
  rp_pdf *p;
  HPDF_Dict root;
  HPDF_Obj_Header *refs; /* stand-ins for the values and leaves, until saved */
  size_t n_refs, cap_refs;
  HPDF_Dict leaf;  /* the leaf being filled, when there are /Kids */
  HPDF_Array kids; /* NULL while the tree is one /Nums */
  HPDF_Array nums; /* the leaf being filled */
  HPDF_Array limits;
  size_t in_leaf; /* keys in the current leaf */
  HPDF_INT32 last;
} num_tree;

/* A stand-in (see standin) for object `num` that lasts until the file is
 * saved: the tree's root keeps references to it. */
static void *tree_ref(num_tree *nt, uint32_t num) {
  if (nt->n_refs == nt->cap_refs) return NULL;
  HPDF_Obj_Header *h = &nt->refs[nt->n_refs++];
  *h = (HPDF_Obj_Header){.obj_id = num | HPDF_OTYPE_INDIRECT, .obj_class = HPDF_OCLASS_NULL};
  return h;
}

/* A full leaf: its last key, and out to the spool (its objects freed). */
static bool leaf_close(num_tree *nt) {
  if (!nt->limits) return true;
  if (!hpdf(nt->p, HPDF_Array_AddNumber(nt->limits, nt->last))) return false;
  HPDF_Dict leaf = nt->leaf;
  nt->leaf = NULL, nt->limits = nt->nums = NULL;
  return !nt->p->tag->frees || rp_pdf_spool_free(nt->p, leaf, NULL, 0);
}

/* Starts the tree in `root` for `keys` keys. */
static bool num_tree_start(num_tree *nt, size_t keys) {
  HPDF_MMgr mm = nt->p->pdf->mmgr;
  const char *name = keys > LEAF_PAIRS ? "Kids" : "Nums";
  HPDF_Array a = HPDF_Array_New(mm);
  if (!a || !hpdf(nt->p, HPDF_Dict_Add(nt->root, name, a))) return false;
  if (keys > LEAF_PAIRS)
    nt->kids = a;
  else
    nt->nums = a;
  nt->in_leaf = keys > LEAF_PAIRS ? LEAF_PAIRS : 0; /* a leaf is made at the first key */
  return true;
}

static bool num_tree_add(num_tree *nt, HPDF_INT32 key, uint32_t value) {
  rp_pdf *p = nt->p;
  HPDF_MMgr mm = p->pdf->mmgr;
  if (nt->kids && nt->in_leaf == LEAF_PAIRS) {
    if (!leaf_close(nt)) return false;
    /* each object owned (libharu frees what it fails to add) before the next is made */
    HPDF_Dict leaf = HPDF_Dict_New(mm);
    if (!leaf || !hpdf(p, HPDF_Xref_Add(p->pdf->xref, leaf))) return false;
    void *ref = tree_ref(nt, obj_num(leaf));
    if (!ref || !hpdf(p, HPDF_Array_Add(nt->kids, ref))) return false;
    nt->leaf = leaf;
    nt->limits = HPDF_Array_New(mm);
    if (!nt->limits || !hpdf(p, HPDF_Dict_Add(leaf, "Limits", nt->limits))) return false;
    nt->nums = HPDF_Array_New(mm);
    if (!nt->nums || !hpdf(p, HPDF_Dict_Add(leaf, "Nums", nt->nums)) ||
        !hpdf(p, HPDF_Array_AddNumber(nt->limits, key)))
      return false;
    nt->in_leaf = 0;
  }
  nt->in_leaf++;
  nt->last = key;
  void *ref = tree_ref(nt, value);
  return ref && hpdf(p, HPDF_Array_AddNumber(nt->nums, key)) &&
         hpdf(p, HPDF_Array_Add(nt->nums, ref));
}

/* A dictionary { /flag true } as the catalog's `key`: owned by the catalog
 * before its entry is added, so that a failure leaks nothing. */
static bool catalog_flag(rp_pdf *p, const char *key, const char *flag) {
  HPDF_Dict d = HPDF_Dict_New(p->pdf->mmgr);
  return d && hpdf(p, HPDF_Dict_Add(p->pdf->catalog, key, d)) &&
         hpdf(p, HPDF_Dict_AddBoolean(d, flag, HPDF_TRUE));
}

void rp_pdf_tag_finish(rp_pdf *p) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Dict tree = HPDF_Dict_New(mm);
  if (!tree) {
    fail_oom(p);
    return;
  }
  t->sect = NULL;
  elems_write(p, true); /* but the Document */
  size_t keys = p->n_pages + t->annots.len;
  num_tree nt = {.p = p, .root = tree, .cap_refs = keys + keys / LEAF_PAIRS + 1};
  nt.refs = rp_arena_calloc(p->scratch, nt.cap_refs, sizeof *nt.refs);
  if (!nt.refs) {
    HPDF_Dict_Free(tree);
    fail_oom(p);
    return;
  }
  bool ok = hpdf(p, HPDF_Xref_Add(p->pdf->xref, tree)) && num_tree_start(&nt, keys);
  for (size_t i = 0; ok && i < p->n_pages; i++)
    ok = i < t->cap_parents && t->parent_ids[i] &&
         num_tree_add(&nt, (HPDF_INT32)i, t->parent_ids[i]);
  /* A spooled annotation (pdf_doc.c) is gone: its key is written when it
   * is saved. */
  for (size_t i = 0; ok && i < t->kept.len; i++) {
    const annot_entry *ae = &RP_VEC_AT(t->kept, annot_entry, i);
    HPDF_Number key = HPDF_Dict_GetItem(ae->annot, "StructParent", HPDF_OCLASS_NUMBER);
    if (key) key->value = (HPDF_INT32)(p->n_pages + ae->key);
    ok = key != NULL;
  }
  for (size_t i = 0; ok && i < t->annots.len; i++)
    ok = num_tree_add(&nt, (HPDF_INT32)(p->n_pages + i), RP_VEC_AT(t->annots, uint32_t, i));
  ok = ok && leaf_close(&nt);
  if (ok && t->notes.len > 0) {
    HPDF_Dict ids = HPDF_Dict_New(mm);
    HPDF_Array names = HPDF_Array_New(mm);
    ok = ids && names && hpdf(p, HPDF_Dict_Add(ids, "Names", names)) &&
         hpdf(p, HPDF_Dict_Add(t->root, "IDTree", ids));
    HPDF_Obj_Header *refs = rp_arena_calloc(p->scratch, t->notes.len, sizeof *refs);
    ok = ok && refs;
    for (size_t i = 0; ok && i < t->notes.len; i++) {
      HPDF_Binary b = note_id(mm, i + 1);
      refs[i] = (HPDF_Obj_Header){.obj_id = RP_VEC_AT(t->notes, uint32_t, i) | HPDF_OTYPE_INDIRECT,
                                  .obj_class = HPDF_OCLASS_NULL};
      ok = b && hpdf(p, HPDF_Array_Add(names, b)) && hpdf(p, HPDF_Array_Add(names, &refs[i]));
    }
  }
  ok = ok && hpdf(p, HPDF_Dict_Add(t->root, "ParentTree", tree)) &&
       hpdf(p, HPDF_Dict_AddNumber(t->root, "ParentTreeNextKey",
                                   (HPDF_INT32)(p->n_pages + t->annots.len))) &&
       catalog_flag(p, "MarkInfo", "Marked") &&
       catalog_flag(p, "ViewerPreferences", "DisplayDocTitle");
  if (!ok) rp_pdf_ok(p, "finish the structure tree", NULL);
  /* /Tabs on pages is PDF 1.5. */
  if (p->pdf->pdf_version < HPDF_VER_15) p->pdf->pdf_version = HPDF_VER_15;
}
