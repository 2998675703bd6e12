/* pdf_svg — SVG images drawn as vectors: the file is read once per image
 * index by svg/ (a documented subset of SVG, docs/svg.md), or its drawing
 * taken from layout's image probe, which read it already, and its shapes are
 * replayed as path items, exactly as the charts' paths are (pdf_shape.c),
 * inside the clip that pdf_image.c sets up for the image's box.
 *
 * An SVG is told from PNG and JPEG by its first bytes. Whatever the subset
 * cannot draw is an error at the SVG's file and line, so the run fails and
 * no PDF is written: a logo is never silently drawn with parts missing.
 *
 * A logo on the cover and again on the back page would be its paths twice
 * (10 KB each for the sample's): an SVG is drawn once into a form XObject,
 * at the size of its first use, and every use shows that form, scaled to its
 * box. Only where scaling draws exactly what drawing again would: the same
 * aspect ratio (line widths scale by the square root of the area scale,
 * svg.h), and no shape needing a resource the form would have to carry
 * (transparency, or print's spot inks); otherwise the paths go into the page
 * as before. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/img.h"
#include "render/pdf.h"
#include "render/probe.h"

/* The first bytes of the file, to tell an SVG from a PNG or JPEG. */
static bool looks_svg(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  uint8_t head[256];
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  return rp_img_sniff(head, n) == RP_IMG_UNKNOWN && rp_svg_sniff(head, n);
}

bool rp_pdf_svg_for(rp_pdf *p, const rp_item *it, const rp_svg **svg) {
  rp_pdf_image *slot = &p->images[it->u.image.image];
  const rp_image_ref *ref = &RP_VEC_AT(p->doc->images, rp_image_ref, it->u.image.image);
  if (!slot->sniffed) {
    slot->sniffed = true;
    slot->is_svg = ref->path && looks_svg(ref->path);
    /* parsed once a run: as layout's probe read it, when it gave no message */
    const rp_svg *kept = slot->is_svg ? rp_image_probe_svg(p->probe, ref->path) : NULL;
    if (kept) {
      slot->svg = kept;
      slot->state = RP_PDF_IMAGE_LOADED;
    } else if (slot->is_svg) {
      rp_svg *s = NULL;
      rp_status st = rp_svg_load(p->scratch, ref->path, p->d, &s, NULL, NULL);
      if (st != RP_OK) {
        rp_pdf_item_error(p, st, it, "SVG image %s cannot be drawn (its errors are above)",
                          ref->path);
        s = NULL;
      }
      slot->svg = s;
      slot->state = s ? RP_PDF_IMAGE_LOADED : RP_PDF_IMAGE_FAILED;
    }
  }
  *svg = slot->svg;
  return slot->is_svg;
}

/* Draws the SVG's shapes as path items into the box x, y, w × h (layout
 * points) of the current content stream. */
static void draw_paths(rp_pdf *p, const rp_item *it, const rp_svg *svg, double x, double y,
                       double w, double h) {
  rp_item *items = NULL;
  if (!rp_svg_items(p->scratch, svg, x, y, w, h, &it->src, &items)) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return;
  }
  static const HPDF_LineCap caps[3] = {HPDF_BUTT_END, HPDF_ROUND_END, HPDF_PROJECTING_SCUARE_END};
  static const HPDF_LineJoin joins[3] = {HPDF_MITER_JOIN, HPDF_ROUND_JOIN, HPDF_BEVEL_JOIN};
  for (size_t i = 0; i < svg->n_shapes; i++) {
    const rp_svg_shape *sh = &svg->shapes[i];
    items[i].role = it->role;
    items[i].struct_id = it->struct_id;
    items[i].parent_id = it->parent_id;
    /* Caps, joins and the miter limit (SVG's default 4, PDF's 10) are
     * graphics state: set in a q…Q of their own around the path's. */
    bool stroked = sh->stroke.a > 0 && sh->stroke_width > 0;
    if (stroked) {
      HPDF_Page_GSave(p->page);
      HPDF_Page_SetLineCap(p->page, caps[sh->cap >= 0 && sh->cap < 3 ? sh->cap : 0]);
      HPDF_Page_SetLineJoin(p->page, joins[sh->join >= 0 && sh->join < 3 ? sh->join : 0]);
      HPDF_Page_SetMiterLimit(p->page, (HPDF_REAL)(sh->miter >= 1 ? sh->miter : 4));
      if (!rp_pdf_ok(p, "set the line style", &it->src)) return;
    }
    rp_pdf_draw_path(p, &items[i]);
    if (stroked) {
      HPDF_Page_GRestore(p->page);
      rp_pdf_ok(p, "restore the graphics state", &it->src);
    }
  }
}

/* True when the SVG can go into a form XObject without resources. */
static bool form_eligible(const rp_pdf *p, const rp_svg *svg) {
  if (p->print.on) return false;
  for (size_t i = 0; i < svg->n_shapes; i++) {
    const rp_svg_shape *sh = &svg->shapes[i];
    if ((sh->fill.a > 0 && sh->fill.a < 1) || (sh->stroke.a > 0 && sh->stroke.a < 1)) return false;
  }
  return true;
}

/* The form's size (its BBox), pt. */
static bool form_size(HPDF_Dict form, double *w, double *h) {
  HPDF_Array box = HPDF_Dict_GetItem(form, "BBox", HPDF_OCLASS_ARRAY);
  HPDF_Real bw = box ? HPDF_Array_GetItem(box, 2, HPDF_OCLASS_REAL) : NULL;
  HPDF_Real bh = box ? HPDF_Array_GetItem(box, 3, HPDF_OCLASS_REAL) : NULL;
  if (!bw || !bh || !(bw->value > 0) || !(bh->value > 0)) return false;
  *w = bw->value;
  *h = bh->value;
  return true;
}

/* Makes the form XObject of `svg` drawn w × h, or NULL (error recorded). The
 * page's content stream is swapped for the form's while the paths are
 * written, and the drawing's y axis flipped against the form's height. */
static HPDF_Dict make_form(rp_pdf *p, const rp_item *it, const rp_svg *svg, double w, double h) {
  HPDF_Dict form = HPDF_DictStream_New(p->pdf->mmgr, p->pdf->xref);
  if (!form) {
    rp_pdf_ok(p, "make a form for an SVG", &it->src);
    return NULL;
  }
  form->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
  if (p->pdf->compression_mode & HPDF_COMP_TEXT) form->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  /* A direct object added to a dictionary is the dictionary's, freed by
   * libharu even when adding it fails. */
  HPDF_Array box = HPDF_Array_New(p->pdf->mmgr);
  HPDF_STATUS r = HPDF_Dict_AddName(form, "Type", "XObject");
  if (r == HPDF_OK) r = HPDF_Dict_AddName(form, "Subtype", "Form");
  if (r == HPDF_OK)
    r = box ? HPDF_Dict_Add(form, "BBox", box) : HPDF_FAILD_TO_ALLOC_MEM;
  else if (box)
    HPDF_Array_Free(box);
  const double corners[4] = {0, 0, w, h};
  for (int i = 0; i < 4 && r == HPDF_OK; i++) r = HPDF_Array_AddReal(box, (HPDF_REAL)corners[i]);
  HPDF_Dict res = r == HPDF_OK ? HPDF_Dict_New(p->pdf->mmgr) : NULL;
  if (r == HPDF_OK) r = res ? HPDF_Dict_Add(form, "Resources", res) : HPDF_FAILD_TO_ALLOC_MEM;
  if (r != HPDF_OK) {
    if (!p->err_no) p->err_no = r;
    rp_pdf_ok(p, "make a form for an SVG", &it->src);
    return NULL;
  }
  HPDF_PageAttr attr = (HPDF_PageAttr)p->page->attr;
  HPDF_Stream page_stream = attr->stream;
  double page_h = p->page_h;
  attr->stream = form->stream;
  p->page_h = h;
  draw_paths(p, it, svg, 0, 0, w, h);
  attr->stream = page_stream;
  p->page_h = page_h;
  if (!rp_pdf_ok(p, "draw an SVG into its form", &it->src)) return NULL;
  rp_pdf_deflate_early(p, form); /* drawn once: final */
  return form;
}

void rp_pdf_draw_svg(rp_pdf *p, const rp_item *it, const rp_svg *svg, double x, double y, double w,
                     double h) {
  rp_pdf_image *slot = &p->images[it->u.image.image];
  if (!form_eligible(p, svg) || !(w > 0) || !(h > 0)) {
    draw_paths(p, it, svg, x, y, w, h);
    return;
  }
  /* slot->image is unused for an SVG: it holds the form (an XObject too). */
  double fw = w, fh = h;
  if (!slot->image) slot->image = make_form(p, it, svg, w, h);
  /* the BBox holds floats: a relative 1e-6 is the same aspect */
  if (!slot->image || !form_size(slot->image, &fw, &fh) || fabs(w * fh - h * fw) > 1e-6 * w * fh) {
    draw_paths(p, it, svg, x, y, w, h);
    return;
  }
  HPDF_Page_Concat(p->page, (HPDF_REAL)(w / fw), 0, 0, (HPDF_REAL)(h / fh), (HPDF_REAL)x,
                   (HPDF_REAL)rp_pdf_y(p, y + h));
  HPDF_Page_ExecuteXObject(p->page, slot->image);
  rp_pdf_ok(p, "draw an SVG's form", &it->src);
}
