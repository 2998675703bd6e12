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

#include "render/pdf.h"

typedef struct tag_elem {
  HPDF_Dict dict;
  HPDF_Array kids;
  rp_role role;
  const char *type;        /* its /S */
  struct tag_elem *parent; /* NULL for Document */
  struct tag_elem *label;  /* LI: its Lbl; made on first use */
  struct tag_elem *body;   /* LI: its LBody; made on first use */
  bool has_alt;
  bool labelled; /* LI: a marker is drawn for it */
  HPDF_Page pg;  /* its /Pg: the page of its first marks */
} tag_elem;

typedef struct annot_entry {
  HPDF_Annotation annot;
  tag_elem *elem;
} annot_entry;

struct rp_pdf_tag {
  HPDF_Dict root; /* StructTreeRoot */
  tag_elem *doc;  /* Document */
  tag_elem *sect; /* the section being drawn, or NULL before the first */
  tag_elem **by_id;
  bool *labelled;      /* by id: a list marker (Lbl) is drawn with it */
  int max_id;          /* highest id seen so far (by_id and labelled have max_id + 1) */
  int cap_id;          /* their room */
  HPDF_Array *parents; /* per page: the element of each MCID */
  size_t cap_parents;
  int next_mcid; /* on the page being drawn */
  rp_vec annots; /* annot_entry, in order of their /StructParent */
  /* The page being drawn: for each item index, the link item whose area holds
   * it (-1: none), and the Link element made for each link item. */
  const rp_item *items;
  int *link_of;
  tag_elem **link_elems;
  size_t n_items;
  bool open;           /* a marked-content sequence is open */
  tag_elem *open_elem; /* its element; NULL for an artifact */
  rp_vec notes;        /* tag_elem *: Note elements, whose /ID the IDTree maps */
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

/* A PDF text string (UTF-16BE with its byte order mark) of `utf8`. */
static HPDF_Binary text_string(rp_pdf *p, const char *utf8, size_t max_bytes) {
  const char *s = rp_pdf_clean_utf8(p, utf8, max_bytes);
  if (!s) return NULL;
  size_t len = strlen(s);
  HPDF_BYTE *buf = rp_arena_alloc(p->scratch, 2 * len + 2);
  if (!buf) return NULL;
  size_t o = 0;
  buf[o++] = 0xFE, buf[o++] = 0xFF;
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    i += rp_utf8_decode(s + i, len - i, &cp);
    buf[o++] = (HPDF_BYTE)(cp >> 8), buf[o++] = (HPDF_BYTE)(cp & 0xFF);
  }
  return HPDF_Binary_New(p->pdf->mmgr, buf, (HPDF_UINT)o);
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

/* A new element of type `type` appended to parent's kids. */
static tag_elem *elem_new(rp_pdf *p, tag_elem *parent, rp_role role, const char *type) {
  tag_elem *e = rp_arena_calloc(p->scratch, 1, sizeof *e);
  if (!e) return fail_oom(p), NULL;
  HPDF_MMgr mm = p->pdf->mmgr;
  e->dict = HPDF_Dict_New(mm);
  e->kids = HPDF_Array_New(mm);
  e->role = role;
  e->type = type;
  e->parent = parent;
  /* Indirect before it enters any container (libharu error 0x1033 otherwise).
   * No /Type: optional for structure elements, and 10 KB in the sample. */
  if (!e->dict || !e->kids || !hpdf(p, HPDF_Xref_Add(p->pdf->xref, e->dict)) ||
      !hpdf(p, HPDF_Dict_AddName(e->dict, "S", type)) ||
      !hpdf(p, HPDF_Dict_Add(e->dict, "K", e->kids)) ||
      !hpdf(p, HPDF_Dict_Add(e->dict, "P", parent ? parent->dict : p->tag->root)) ||
      (parent && !hpdf(p, HPDF_Array_Add(parent->kids, e->dict)))) {
    rp_pdf_ok(p, "add a structure element", NULL);
    return NULL;
  }
  if (role == RP_ROLE_NOTE) {
    /* PDF/UA-1 7.9: a Note has an /ID, and the IDTree finds it. Numbered
     * with leading zeros so that the IDTree's keys sort as written. */
    char id[32];
    snprintf(id, sizeof id, "note-%06zu", p->tag->notes.len + 1);
    HPDF_Binary b = HPDF_Binary_New(mm, (HPDF_BYTE *)id, (HPDF_UINT)strlen(id));
    tag_elem **slot = rp_vec_push(p->scratch, &p->tag->notes, sizeof *slot);
    if (!slot) return fail_oom(p), NULL;
    *slot = e;
    if (!b || !hpdf(p, HPDF_Dict_Add(e->dict, "ID", b))) rp_pdf_ok(p, "name a note", NULL);
  }
  if (role == RP_ROLE_TABLE_HEADER) {
    /* Header cells head their column: the table layouts have header rows. */
    HPDF_Dict a = HPDF_Dict_New(mm);
    if (!a || !hpdf(p, HPDF_Dict_Add(e->dict, "A", a)) ||
        !hpdf(p, HPDF_Dict_AddName(a, "O", "Table")) ||
        !hpdf(p, HPDF_Dict_AddName(a, "Scope", "Column")))
      rp_pdf_ok(p, "describe a header cell", NULL);
  }
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

static tag_elem *lookup(const struct rp_pdf_tag *t, int id) {
  return id > 0 && id <= t->max_id ? t->by_id[id] : NULL;
}

/* The element that the children of element `id` go into: a list item's
 * blocks go into its LBody; an id never seen becomes a Div. */
static tag_elem *parent_for(rp_pdf *p, int id) {
  struct rp_pdf_tag *t = p->tag;
  if (id <= 0 || id > t->max_id) return container(p);
  tag_elem *e = t->by_id[id];
  if (!e) e = t->by_id[id] = elem_new(p, container(p), RP_ROLE_NONE, "Div");
  if (e && e->role == RP_ROLE_LIST_ITEM) return lbody_of(p, e);
  return e ? e : container(p);
}

static void set_alt(rp_pdf *p, tag_elem *e, const char *alt) {
  if (!e || e->has_alt || !alt || !alt[0]) return;
  HPDF_Binary s = text_string(p, alt, 2000);
  if (!s || !hpdf(p, HPDF_Dict_Add(e->dict, "Alt", s))) {
    rp_pdf_ok(p, "give a figure its alternative text", NULL);
    return;
  }
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
    e = lookup(t, it->struct_id);
    if (!e) {
      tag_elem *parent = parent_for(p, it->parent_id);
      if (!parent) return NULL;
      rp_role role = it->role;
      e = elem_new(p, parent, role, type_of(role));
      if (!e) return NULL;
      if (it->struct_id <= t->max_id) {
        t->by_id[it->struct_id] = e;
        e->labelled = t->labelled[it->struct_id];
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
  t->root = HPDF_Dict_New(p->pdf->mmgr);
  if (!t->root || !hpdf(p, HPDF_Xref_Add(p->pdf->xref, t->root)) ||
      !hpdf(p, HPDF_Dict_AddName(t->root, "Type", "StructTreeRoot")) ||
      !hpdf(p, HPDF_Dict_Add(p->pdf->catalog, "StructTreeRoot", t->root)) ||
      !(t->doc = elem_new(p, NULL, RP_ROLE_NONE, "Document")) ||
      !hpdf(p, HPDF_Dict_Add(t->root, "K", t->doc->dict))) {
    if (rp_pdf_ok(p, "start the structure tree", NULL)) fail_oom(p);
    return false;
  }
  return true;
}

/* Makes room in by_id and labelled for ids up to `id`. */
static bool ids_reach(rp_pdf *p, int id) {
  struct rp_pdf_tag *t = p->tag;
  if (id > 100000000) id = 100000000; /* ids beyond: elements of their own */
  if (id <= t->max_id) return true;
  if (id >= t->cap_id) {
    int cap = t->cap_id > id / 2 ? 2 * t->cap_id : id + 1;
    if (cap > 100000001) cap = 100000001;
    tag_elem **by_id = rp_arena_calloc(p->scratch, (size_t)cap, sizeof *by_id);
    bool *labelled = rp_arena_calloc(p->scratch, (size_t)cap, sizeof *labelled);
    if (!by_id || !labelled) return false;
    if (t->cap_id) {
      memcpy(by_id, t->by_id, (size_t)t->cap_id * sizeof *by_id);
      memcpy(labelled, t->labelled, (size_t)t->cap_id * sizeof *labelled);
    }
    t->by_id = by_id;
    t->labelled = labelled;
    t->cap_id = cap;
  }
  t->max_id = id;
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
  if (!ids_reach(p, top)) return fail_oom(p);
  for (size_t k = 0; k < n; k++)
    if (items[k].role == RP_ROLE_LIST_LABEL && items[k].struct_id > 0 &&
        items[k].struct_id <= t->max_id)
      t->labelled[items[k].struct_id] = true;
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
  t->link_of = rp_arena_alloc(p->scratch, (n ? n : 1) * sizeof *t->link_of);
  t->link_elems = rp_arena_calloc(p->scratch, n ? n : 1, sizeof *t->link_elems);
  if (p->page_index >= t->cap_parents) {
    size_t cap = t->cap_parents ? 2 * t->cap_parents : 64;
    HPDF_Array *parents = rp_arena_calloc(p->scratch, cap, sizeof *parents);
    if (parents && t->cap_parents) memcpy(parents, t->parents, t->cap_parents * sizeof *parents);
    t->parents = parents;
    t->cap_parents = parents ? cap : 0;
  }
  HPDF_Array arr = t->parents ? HPDF_Array_New(p->pdf->mmgr) : NULL;
  if (!t->link_of || !t->link_elems || !arr) {
    fail_oom(p);
    p->tag = NULL; /* the rest of the document untagged; the render fails anyway */
    return;
  }
  t->parents[p->page_index] = arr;
  if (!hpdf(p, HPDF_Xref_Add(p->pdf->xref, arr)) ||
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
  char buf[64];
  if (tag)
    snprintf(buf, sizeof buf, "/%s <</MCID %d>> BDC\n", tag, mcid);
  else
    snprintf(buf, sizeof buf, "/Artifact BMC\n");
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

/* Gives the page's next MCID to e: a plain number in /K while e stays on its
 * first page (its /Pg), an MCR dictionary on any other page. */
static bool claim_mcid(rp_pdf *p, tag_elem *e, const rp_src *src) {
  struct rp_pdf_tag *t = p->tag;
  bool ok;
  if (!e->pg) {
    e->pg = p->page;
    if (!hpdf(p, HPDF_Dict_Add(e->dict, "Pg", p->page))) return rp_pdf_ok(p, "tag content", src);
  }
  if (e->pg == p->page) {
    ok = hpdf(p, HPDF_Array_AddNumber(e->kids, t->next_mcid));
  } else {
    HPDF_Dict mcr = HPDF_Dict_New(p->pdf->mmgr);
    ok = mcr && hpdf(p, HPDF_Dict_AddName(mcr, "Type", "MCR")) &&
         hpdf(p, HPDF_Dict_Add(mcr, "Pg", p->page)) &&
         hpdf(p, HPDF_Dict_AddNumber(mcr, "MCID", t->next_mcid)) &&
         hpdf(p, HPDF_Array_Add(e->kids, mcr));
  }
  ok = ok && hpdf(p, HPDF_Array_Add(t->parents[p->page_index], e->dict));
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
    tag_elem *host = lookup(t, it->struct_id);
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
  HPDF_Dict objr = HPDF_Dict_New(p->pdf->mmgr);
  annot_entry *ae = rp_vec_push(p->scratch, &t->annots, sizeof *ae);
  if (ae) *ae = (annot_entry){a, e}; /* set at once: finish reads every entry */
  if (!contents || !objr || !ae) {
    fail_oom(p);
    return;
  }
  /* Its ParentTree key follows the pages' keys, so it is known only once
   * the last page is: written as 0 here, set in rp_pdf_tag_finish. */
  if (!hpdf(p, HPDF_Dict_Add(a, "Contents", contents)) ||
      !hpdf(p, HPDF_Dict_AddNumber(a, "StructParent", 0)) ||
      !hpdf(p, HPDF_Dict_AddNumber(a, "F", 4)) || /* print */
      !hpdf(p, HPDF_Dict_AddName(objr, "Type", "OBJR")) ||
      !hpdf(p, HPDF_Dict_Add(objr, "Obj", a)) || !hpdf(p, HPDF_Dict_Add(objr, "Pg", p->page)) ||
      !hpdf(p, HPDF_Array_Add(e->kids, objr)))
    rp_pdf_ok(p, "tag a link", &it->src);
}

void rp_pdf_tag_finish(rp_pdf *p) {
  struct rp_pdf_tag *t = p->tag;
  if (!t) return;
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Dict tree = HPDF_Dict_New(mm);
  HPDF_Array nums = HPDF_Array_New(mm);
  HPDF_Dict mark = HPDF_Dict_New(mm), prefs = HPDF_Dict_New(mm);
  if (!tree || !nums || !mark || !prefs) {
    fail_oom(p);
    return;
  }
  bool ok =
      hpdf(p, HPDF_Xref_Add(p->pdf->xref, tree)) && hpdf(p, HPDF_Dict_Add(tree, "Nums", nums));
  for (size_t i = 0; ok && i < p->n_pages; i++)
    ok = t->parents[i] && hpdf(p, HPDF_Array_AddNumber(nums, (HPDF_INT32)i)) &&
         hpdf(p, HPDF_Array_Add(nums, t->parents[i]));
  for (size_t i = 0; ok && i < t->annots.len; i++) {
    const annot_entry *ae = &RP_VEC_AT(t->annots, annot_entry, i);
    HPDF_Number key = HPDF_Dict_GetItem(ae->annot, "StructParent", HPDF_OCLASS_NUMBER);
    if (key) key->value = (HPDF_INT32)(p->n_pages + i);
    ok = key && hpdf(p, HPDF_Array_AddNumber(nums, (HPDF_INT32)(p->n_pages + i))) &&
         hpdf(p, HPDF_Array_Add(nums, ae->elem->dict));
  }
  if (ok && t->notes.len > 0) {
    HPDF_Dict ids = HPDF_Dict_New(mm);
    HPDF_Array names = HPDF_Array_New(mm);
    ok = ids && names && hpdf(p, HPDF_Dict_Add(ids, "Names", names)) &&
         hpdf(p, HPDF_Dict_Add(t->root, "IDTree", ids));
    for (size_t i = 0; ok && i < t->notes.len; i++) {
      char id[32];
      snprintf(id, sizeof id, "note-%06zu", i + 1);
      HPDF_Binary b = HPDF_Binary_New(mm, (HPDF_BYTE *)id, (HPDF_UINT)strlen(id));
      ok = b && hpdf(p, HPDF_Array_Add(names, b)) &&
           hpdf(p, HPDF_Array_Add(names, RP_VEC_AT(t->notes, tag_elem *, i)->dict));
    }
  }
  ok = ok && hpdf(p, HPDF_Dict_Add(t->root, "ParentTree", tree)) &&
       hpdf(p, HPDF_Dict_AddNumber(t->root, "ParentTreeNextKey",
                                   (HPDF_INT32)(p->n_pages + t->annots.len))) &&
       hpdf(p, HPDF_Dict_AddBoolean(mark, "Marked", HPDF_TRUE)) &&
       hpdf(p, HPDF_Dict_Add(p->pdf->catalog, "MarkInfo", mark)) &&
       hpdf(p, HPDF_Dict_AddBoolean(prefs, "DisplayDocTitle", HPDF_TRUE)) &&
       hpdf(p, HPDF_Dict_Add(p->pdf->catalog, "ViewerPreferences", prefs));
  if (!ok) rp_pdf_ok(p, "finish the structure tree", NULL);
  /* /Tabs on pages is PDF 1.5. */
  if (p->pdf->pdf_version < HPDF_VER_15) p->pdf->pdf_version = HPDF_VER_15;
}
