/* pdf_link — link items: clickable rectangles with no visible border,
 * either to a URI (http, https, mailto, tel only: a document must not carry
 * javascript: or file: actions) or to a place in the document.
 *
 * URIs are written as 7-bit ASCII (ISO 32000-1 §12.6.4.7): bytes outside
 * the printable range and the characters RFC 3986 excludes are
 * percent-encoded, which turns an IRI's UTF-8 into a valid URI.
 * Destinations are /XYZ with null left and zoom, so following a link keeps
 * the reader's zoom (libharu's HPDF_Destination_SetXYZ refuses a null zoom,
 * hence the array is written through its object API). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "render/pdf.h"

#define MAX_URI 4000 /* bytes after encoding */

static bool allowed_scheme(const char *uri) {
  static const char *const schemes[] = {"https:", "http:", "mailto:", "tel:"};
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
    if (strncasecmp(uri, schemes[i], strlen(schemes[i])) == 0) return true;
  return false;
}

/* The URI with unsafe bytes percent-encoded; NULL when refused (warned). */
static const char *clean_uri(rp_pdf *p, const rp_item *it) {
  const char *uri = it->u.link.uri;
  if (!allowed_scheme(uri)) {
    if (uri[0] == '#')
      rp_pdf_item_warn(p, it,
                       "link to '%.80s' is left out: no section starts from an element with "
                       "the id '%.80s'; check the id",
                       uri, uri + 1);
    else
      rp_pdf_item_warn(p, it,
                       "link to '%.80s' is left out: only http, https, mailto and tel "
                       "links are written",
                       uri);
    return NULL;
  }
  size_t len = strlen(uri);
  if (len > MAX_URI) {
    rp_pdf_item_warn(p, it, "link to '%.80s…' is left out: longer than %d bytes", uri, MAX_URI);
    return NULL;
  }
  char *out = rp_arena_alloc(p->scratch, len * 3 + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (const unsigned char *s = (const unsigned char *)uri; *s; s++) {
    if (*s > 0x20 && *s < 0x7F && !strchr("\"<>\\^`{|}", *s)) {
      out[o++] = (char)*s;
    } else {
      o += (size_t)snprintf(out + o, 4, "%%%02X", *s);
    }
  }
  out[o] = '\0';
  if (o > MAX_URI) {
    rp_pdf_item_warn(p, it, "link to '%.80s…' is left out: longer than %d bytes", uri, MAX_URI);
    return NULL;
  }
  return out;
}

/* pt to a quarter, as a link's area and a destination's top are written:
 * libharu writes a float's five decimals (766.4978), and a quarter is the
 * finest step a float holds exactly (766.5, 210.25), finer than any reader
 * scrolls or clicks. */
static HPDF_REAL quarters(double v) { return (HPDF_REAL)(round(v * 4) / 4); }

/* The PDF y of the window's top for layout y on page `page` (made). */
static double top_of(const rp_pdf *p, size_t page, double y) {
  double h = RP_VEC_AT(p->doc->pages, rp_page, page).height;
  return (y > 0 && y < h && rp_pdf_finite(&y, 1)) ? h - y : h;
}

static void page_missing(rp_pdf *p, size_t page, const rp_src *src) {
  rp_pdf_error(p, RP_ERR_INTERNAL, src ? src->layout_file : NULL, src ? src->layout_line : 0,
               "layout points at page %zu of %zu", page + 1, p->n_pages);
}

HPDF_Destination rp_pdf_dest(rp_pdf *p, size_t page, double y, const rp_src *src) {
  /* A page ahead of the one being drawn, when pages come one at a time: the
   * page being drawn stands in until rp_pdf_dests_finish. */
  bool later = page >= p->n_pages && p->streaming && p->page;
  if (page >= p->n_pages && !later) {
    page_missing(p, page, src);
    return NULL;
  }
  /* (a page written and freed: the page being drawn, while libharu checks) */
  HPDF_Page target = later || !p->pages[page] ? p->page : p->pages[page];
  if (!target) {
    rp_pdf_error(p, RP_ERR_INTERNAL, src ? src->layout_file : NULL, src ? src->layout_line : 0,
                 "a destination was made while no page is drawn");
    return NULL;
  }
  double top = later ? 0 : top_of(p, page, y);
  HPDF_Destination dst = HPDF_Page_CreateDestination(target);
  if (!dst || !rp_pdf_ok(p, "create a destination", src)) return NULL;
  /* [page /XYZ null top null] (ISO 32000-1 §12.3.2.2, Table 151). */
  HPDF_Array_Clear(dst);
  HPDF_STATUS r = HPDF_Array_Add(dst, target);
  if (r == HPDF_OK) r = HPDF_Array_AddName(dst, "XYZ");
  HPDF_Null left = HPDF_Null_New(dst->mmgr), zoom = HPDF_Null_New(dst->mmgr);
  if (r == HPDF_OK && left) r = HPDF_Array_Add(dst, left);
  if (r == HPDF_OK) r = HPDF_Array_AddReal(dst, quarters(top));
  if (r == HPDF_OK && zoom) r = HPDF_Array_Add(dst, zoom);
  if (r != HPDF_OK || !left || !zoom) {
    if (!p->err_no) p->err_no = r ? r : HPDF_FAILD_TO_ALLOC_MEM;
    rp_pdf_ok(p, "write a destination", src);
    return NULL;
  }
  if (!rp_pdf_ok(p, "write a destination", src)) return NULL;
  if (later) {
    rp_pdf_late_dest *ld = rp_vec_push(p->scratch, &p->dests, sizeof *ld);
    if (!ld) {
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
      return NULL;
    }
    *ld = (rp_pdf_late_dest){dst, page, y, src ? *src : (rp_src){0}};
  }
  return dst;
}

/* The page a destination refers to, as its array holds it: a proxy. */
static HPDF_Proxy dest_ref(HPDF_Destination dst) {
  HPDF_Proxy ref = HPDF_List_ItemAt(dst->list, 0);
  return ref && (ref->header.obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_PROXY ? ref : NULL;
}

void rp_pdf_dest_settle(rp_pdf *p, HPDF_Destination dst, size_t page) {
  HPDF_Proxy ref = dst ? dest_ref(dst) : NULL;
  /* a page not made yet: the page being drawn's until rp_pdf_dests_finish */
  if (ref) ref->obj = rp_pdf_page_ref(p, page < p->n_pages ? page : p->page_index);
}

void rp_pdf_dests_finish(rp_pdf *p) {
  for (size_t i = 0; i < p->dests.len; i++) {
    const rp_pdf_late_dest *ld = &RP_VEC_AT(p->dests, rp_pdf_late_dest, i);
    if (ld->page >= p->n_pages) {
      page_missing(p, ld->page, &ld->src);
      continue;
    }
    /* The array holds the page through a proxy (libharu's reference to an
     * indirect object) and the top as a real: both are changed in place. */
    HPDF_Proxy ref = dest_ref(ld->dst);
    HPDF_Real top = HPDF_List_ItemAt(ld->dst->list, 3);
    if (!ref || !top || (top->header.obj_class & HPDF_OCLASS_ANY) != HPDF_OCLASS_REAL) {
      rp_pdf_error(p, RP_ERR_INTERNAL, ld->src.layout_file, ld->src.layout_line,
                   "PDF writer failed to complete a destination");
      continue;
    }
    ref->obj = rp_pdf_page_ref(p, ld->page);
    top->value = quarters(top_of(p, ld->page, ld->y));
  }
}

void rp_pdf_draw_link(rp_pdf *p, const rp_item *it) {
  double v[5] = {it->x, it->y, it->w, it->h, it->u.link.dest_y};
  if (!rp_pdf_finite(v, 5) || it->w <= 0 || it->h <= 0) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a link with an invalid area");
    return;
  }
  HPDF_Rect r = {quarters(it->x), quarters(rp_pdf_y(p, it->y + it->h)), quarters(it->x + it->w),
                 quarters(rp_pdf_y(p, it->y))};
  HPDF_Annotation a = NULL;
  HPDF_Destination dst = NULL;
  bool final = true;
  char what[64];
  const char *uri = NULL;
  if (it->u.link.uri) {
    uri = clean_uri(p, it);
    if (!uri) return;
    a = HPDF_Page_CreateURILinkAnnot(p->page, r, uri);
  } else {
    snprintf(what, sizeof what, "Go to page %d", it->u.link.dest_page + 1);
    if (it->u.link.dest_page < 0) {
      rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a link with no target");
      return;
    }
    size_t late = p->dests.len;
    dst = rp_pdf_dest(p, (size_t)it->u.link.dest_page, it->u.link.dest_y, &it->src);
    if (!dst) return;
    final = p->dests.len == late; /* a stand-in changes at the end */
    a = HPDF_Page_CreateLinkAnnot(p->page, r, dst);
    rp_pdf_dest_settle(p, dst, (size_t)it->u.link.dest_page);
  }
  if (!a || !rp_pdf_ok(p, "create a link", &it->src)) return;
  HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
  rp_pdf_ok(p, "hide a link's border", &it->src);
  rp_pdf_tag_annot(p, it, a, uri ? uri : what);
  /* its destination, final and referred to by nothing else, goes too */
  if (final && p->status == RP_OK && rp_pdf_spool_annot(p, a, rp_pdf_tag_last_annot(p, a)) && dst)
    rp_pdf_spool_free(p, dst, NULL, 0);
}
