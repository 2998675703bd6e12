/* pdf_outline — bookmark items become the document outline. Level 1 hangs
 * under the outline root, level n under the last bookmark of level n − 1;
 * a level that skips ahead (1 then 3) is placed one below the last one, so
 * the tree never has holes. Top-level entries open to show their children.
 * Titles pass through libharu's UTF-8 encoder (UTF-16BE in the file). */
#include "render/pdf.h"

#define MAX_TITLE 1000 /* bytes */

/* Moves a finished item to the spool (pdf_doc.c): its title and destination
 * are what it costs, about 500 bytes. An item is finished once the next
 * item at its level or above is added: its /Next is set, its children are
 * all there (its /Count, made as it is written, counts them). What its
 * ancestors' /Count needs of it (/First, /Next, whether it is open) stays. */
static void spool_item(rp_pdf *p, int level) {
  HPDF_Outline o = p->outline[level - 1];
  if (!o || p->outline_late[level - 1] || !rp_pdf_spool_object(p, o)) return;
  static const char *const spent[] = {"Title", "Dest", "Parent", "Prev", "Last", "Count"};
  for (size_t i = 0; i < sizeof spent / sizeof *spent; i++)
    HPDF_Dict_RemoveElement(o, spent[i]); /* (absent: nothing done, no error) */
  p->outline[level - 1] = NULL;
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
  /* the items this one finishes: its previous sibling, that one's subtree */
  for (int l = level; l <= p->outline_depth; l++) spool_item(p, l);
  p->outline_late[level - 1] = p->dests.len != late;
  if (dst) {
    HPDF_Outline_SetDestination(o, dst);
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
