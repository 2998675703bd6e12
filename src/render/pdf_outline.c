/* pdf_outline — bookmark items become the document outline. Level 1 hangs
 * under the outline root, level n under the last bookmark of level n − 1;
 * a level that skips ahead (1 then 3) is placed one below the last one, so
 * the tree never has holes. Top-level entries open to show their children.
 * Titles pass through libharu's UTF-8 encoder (UTF-16BE in the file). */
#include <string.h>

#include "render/pdf.h"

#define MAX_TITLE 1000 /* bytes */

/* Points entry `key` of `d` at `to` instead of `from` when it refers to
 * `from` (a proxy's target). */
static void repoint(HPDF_Dict d, const char *key, const void *from, void *to) {
  for (HPDF_UINT i = 0; d && i < d->list->count; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(d->list, i);
    HPDF_Proxy x = el->value;
    if (strcmp(el->key, key) == 0 && x->header.obj_class == HPDF_OCLASS_PROXY && x->obj == from)
      x->obj = to;
  }
}

/* Finishes the item at `level`: it is finished once the next item at its
 * level or above is added (its /Next set, its children all finished). Its
 * /Count is set here, as libharu's before-write hook would set it, from
 * what its children added up (libharu's hook walks every child, so every
 * item would have to stay); it adds itself to its parent's. Then, unless
 * its destination is a stand-in, it is written to the spool and freed with
 * its destination: its parent's /First and /Last and its next sibling's
 * /Prev name it through a stand-in header (8 bytes; one that claims to be a
 * dictionary, as libharu asks a parent's /First only whether it is there). */
/* Stand-ins a block of outline items' holds. */
#define REF_BLOCK 256

/* A stand-in for a written item, 8 bytes (one arena allocation each took
 * 16); NULL when out of memory. */
static HPDF_Obj_Header *item_ref(rp_pdf *p) {
  if (!p->outline_refs_left) {
    p->outline_refs = rp_arena_alloc(p->scratch, REF_BLOCK * sizeof *p->outline_refs);
    if (!p->outline_refs) return NULL;
    p->outline_refs_left = REF_BLOCK;
  }
  return &p->outline_refs[REF_BLOCK - p->outline_refs_left--];
}

static void finish_item(rp_pdf *p, int level) {
  HPDF_Outline o = p->outline[level - 1];
  if (!o) return;
  p->outline[level - 1] = NULL;
  long n = p->outline_tally[level - 1];
  bool opened = HPDF_Outline_GetOpened(o);
  HPDF_Outline parent = level > 1 ? p->outline[level - 2] : p->pdf->outlines;
  long *up = level > 1 ? &p->outline_tally[level - 2] : &p->outline_root_tally;
  *up += 1 + (opened ? n : 0);
  o->before_write_fn = NULL;
  if (n && HPDF_Dict_AddNumber(o, "Count", (HPDF_INT32)(opened ? n : -n)) != HPDF_OK) {
    rp_pdf_ok(p, "count a bookmark's children", NULL);
    return;
  }
  if (p->outline_late[level - 1] || p->pdf->compression_mode == HPDF_COMP_NONE) return;
  HPDF_Destination dst = HPDF_Dict_GetItem(o, "Dest", HPDF_OCLASS_ARRAY);
  HPDF_Outline next = HPDF_Dict_GetItem(o, "Next", HPDF_OCLASS_DICT);
  HPDF_Obj_Header *ref = item_ref(p);
  if (!ref) return; /* kept as it is */
  *ref = (HPDF_Obj_Header){.obj_id = o->header.obj_id, .obj_class = HPDF_OCLASS_DICT};
  repoint(parent, "First", o, ref);
  repoint(parent, "Last", o, ref);
  repoint(next, "Prev", o, ref);
  if (!rp_pdf_spool_free(p, o, NULL, 0)) {
    repoint(parent, "First", ref, o);
    repoint(parent, "Last", ref, o);
    repoint(next, "Prev", ref, o);
    return;
  }
  if (dst) rp_pdf_spool_free(p, dst, NULL, 0);
}

void rp_pdf_outline_finish(rp_pdf *p) {
  if (!p->has_outline || !p->pdf->outlines) return;
  for (int l = p->outline_depth; l >= 1; l--) finish_item(p, l);
  p->outline_depth = 0;
  /* the root's /Count: its hook, done here as for the items */
  HPDF_Outline root = p->pdf->outlines;
  root->before_write_fn = NULL;
  if (p->outline_root_tally &&
      HPDF_Dict_AddNumber(root, "Count", (HPDF_INT32)p->outline_root_tally) != HPDF_OK)
    rp_pdf_ok(p, "count the bookmarks", NULL);
}

void rp_pdf_add_bookmark(rp_pdf *p, size_t page, const rp_item *it) {
  const char *title = rp_pdf_clean_utf8(p, it->u.bookmark.title, MAX_TITLE);
  if (!title || !title[0]) {
    rp_pdf_item_warn(p, it, "bookmark without a title is left out");
    return;
  }
  int level = it->u.bookmark.level < 1 ? 1 : it->u.bookmark.level;
  if (level > p->outline_depth + 1) level = p->outline_depth + 1;
  if (level > RP_PDF_MAX_OUTLINE_DEPTH) level = RP_PDF_MAX_OUTLINE_DEPTH;
  HPDF_Outline parent = level == 1 ? NULL : p->outline[level - 2];
  HPDF_Outline o = HPDF_CreateOutline(p->pdf, parent, title, p->utf8);
  if (!o || !rp_pdf_ok(p, "add a bookmark", &it->src)) return;
  size_t late = p->dests.len;
  HPDF_Destination dst = rp_pdf_dest(p, page, it->y, &it->src);
  /* the items this one finishes: its previous sibling's subtree, deepest
   * first (each adds itself to its parent's count), then that sibling */
  for (int l = p->outline_depth; l >= level; l--) finish_item(p, l);
  p->outline_tally[level - 1] = 0;
  p->outline_late[level - 1] = p->dests.len != late;
  if (dst) {
    HPDF_Outline_SetDestination(o, dst);
    rp_pdf_dest_settle(p, dst, page);
    rp_pdf_ok(p, "point a bookmark at its page", &it->src);
  }
  if (level == 1) {
    HPDF_Outline_SetOpened(o, HPDF_TRUE);
    rp_pdf_ok(p, "open a bookmark", &it->src);
  }
  p->outline[level - 1] = o;
  p->outline_depth = level;
  p->has_outline = true;
}
