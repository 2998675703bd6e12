/* pdf_svg — SVG images drawn as vectors: the file is read once per image
 * index by svg/ (a documented subset of SVG, docs/svg.md) and its shapes are
 * replayed as path items, exactly as the charts' paths are (pdf_shape.c),
 * inside the clip that pdf_image.c sets up for the image's box.
 *
 * An SVG is told from PNG and JPEG by its first bytes. Whatever the subset
 * cannot draw is an error at the SVG's file and line, so the run fails and
 * no PDF is written: a logo is never silently drawn with parts missing. */
#include <stdio.h>
#include <string.h>

#include "render/img.h"
#include "render/pdf.h"

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
    if (slot->is_svg) {
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

void rp_pdf_draw_svg(rp_pdf *p, const rp_item *it, const rp_svg *svg, double x, double y, double w,
                     double h) {
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
