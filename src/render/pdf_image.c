/* pdf_image — image items: each file decoded and embedded once, however many
 * items draw it (cached by its index in rp_layout_doc.images), then placed
 * with an optional circle or rounded-corner clip and a crop window.
 *
 * Resolution: the largest size at which any item draws the whole image
 * (w / sw for a crop) and rp_image_ref.max_w/max_h, at RP_IMAGE_DPI; an image
 * more than SLACK times larger is downsampled to that. PNG is embedded as
 * Flate-compressed pixels with an 8-bit SMask when it has transparency; JPEG
 * is embedded as it is when libjpeg decoded it cleanly and it needs no
 * downsampling, otherwise re-encoded from its decoded, downsampled pixels.
 * A file that cannot be used is a warning, and its items draw nothing
 * (layout decides about placeholders). An SVG is drawn as vector paths
 * instead (pdf_svg.c), clipped to its box like a cropped image. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/mem.h"
#include "render/img.h"
#include "render/pdf.h"
#include "render/pdf_png.h"

#define RP_IMAGE_DPI 300.0
#define SLACK 1.25 /* resample only when this much larger than needed */
#define JPEG_QUALITY 90

static HPDF_Image embed_pixels(rp_pdf *p, const rp_pixmap *pm, char *err, size_t errlen) {
  uint8_t *color = NULL, *alpha = NULL;
  int ch;
  if (!rp_pixmap_split(pm, &color, &ch, &alpha)) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  HPDF_Image img = HPDF_LoadRawImageFromMem(p->pdf, color, (HPDF_UINT)pm->w, (HPDF_UINT)pm->h,
                                            ch == 1 ? HPDF_CS_DEVICE_GRAY : HPDF_CS_DEVICE_RGB, 8);
  if (img && alpha) {
    HPDF_Image mask = HPDF_LoadRawImageFromMem(p->pdf, alpha, (HPDF_UINT)pm->w, (HPDF_UINT)pm->h,
                                               HPDF_CS_DEVICE_GRAY, 8);
    if (mask) HPDF_Image_AddSMask(img, mask);
    p->needs_v14 = true;
  }
  rp_mem_free(color);
  rp_mem_free(alpha);
  return img;
}

static HPDF_Image embed_jpeg(rp_pdf *p, const uint8_t *data, size_t len) {
  return HPDF_LoadJpegImageFromMem(p->pdf, data, (HPDF_UINT)len);
}

/* Target size in pixels for a need in points (0: no limit). */
static int target_px(double pt) {
  double px = ceil(pt / 72.0 * RP_IMAGE_DPI);
  return pt > 0 && px < RP_IMG_MAX_SIDE ? (int)px : 0;
}

static bool too_large(int have, int want) { return want > 0 && have > want * SLACK; }

/* Decodes and embeds one file; NULL with a message in err. */
static HPDF_Image load_file(rp_pdf *p, const char *path, int tw, int th, char *err, size_t errlen) {
  uint8_t *data = NULL, *jpeg = NULL;
  size_t len = 0, jlen = 0;
  rp_pixmap pm = {0};
  HPDF_Image img = NULL;
  if (!rp_img_read_file(path, &data, &len, err, errlen)) return NULL;
  switch (rp_img_sniff(data, len)) {
    case RP_IMG_PNG: {
      if (!rp_png_decode(data, len, &pm, err, errlen)) break;
      /* decoded once, to know it is sound; an opaque one that needs no
       * downsampling goes in as the file has it (pdf_png.h) */
      rp_png_raw raw;
      bool shrink = too_large(pm.w, tw) || too_large(pm.h, th);
      if (!shrink && rp_png_raw_data(data, len, &raw)) {
        img = rp_pdf_png_embed(p, &raw);
        rp_png_raw_fini(&raw);
        break;
      }
      if (shrink && !rp_pixmap_downsample(&pm, tw, th)) {
        snprintf(err, errlen, "out of memory");
        break;
      }
      img = embed_pixels(p, &pm, err, errlen);
      break;
    }
    case RP_IMG_JPEG: {
      rp_jpeg_info info;
      if (!rp_jpeg_decode(data, len, tw, th, &pm, &info, err, errlen)) break;
      bool shrink = too_large(info.width, tw) || too_large(info.height, th);
      if (info.clean && info.embeddable && !shrink) {
        img = embed_jpeg(p, data, len);
        break;
      }
      if (shrink && !rp_pixmap_downsample(&pm, tw, th)) {
        snprintf(err, errlen, "out of memory");
        break;
      }
      if (rp_jpeg_encode(&pm, JPEG_QUALITY, &jpeg, &jlen, err, errlen))
        img = embed_jpeg(p, jpeg, jlen);
      break;
    }
    default:
      snprintf(err, errlen, "it is neither a PNG nor a JPEG file");
      break;
  }
  rp_pixmap_fini(&pm);
  rp_mem_free(data);
  rp_mem_free(jpeg);
  return img;
}

static HPDF_Image image_for(rp_pdf *p, const rp_item *it) {
  int index = it->u.image.image;
  rp_pdf_image *slot = &p->images[index];
  if (slot->state == RP_PDF_IMAGE_LOADED) return slot->image;
  if (slot->state == RP_PDF_IMAGE_FAILED) return NULL;
  const rp_image_ref *ref = &RP_VEC_AT(p->doc->images, rp_image_ref, index);
  char err[300] = "";
  HPDF_Image img = NULL;
  if (ref->path)
    img =
        load_file(p, ref->path, target_px(slot->need_w), target_px(slot->need_h), err, sizeof err);
  HPDF_STATUS no, detail;
  if (rp_pdf_take_error(p, &no, &detail)) {
    /* Everything was checked before libharu saw it: its refusal is our bug. */
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it,
                      "PDF writer failed to embed image %s (libharu error 0x%04X, detail %u)",
                      ref->path ? ref->path : "?", (unsigned)no, (unsigned)detail);
    img = NULL;
  } else if (!img) {
    rp_pdf_item_warn(p, it, "image %s is left out: %s", ref->path ? ref->path : "(no path)",
                     err[0] ? err : "no file");
  }
  slot->state = img ? RP_PDF_IMAGE_LOADED : RP_PDF_IMAGE_FAILED;
  slot->image = img;
  return img;
}

/* The crop window, clamped to the image; all zero means the whole image. */
static void crop_of(const rp_item *it, double *sx, double *sy, double *sw, double *sh) {
  double v[4] = {it->u.image.sx, it->u.image.sy, it->u.image.sw, it->u.image.sh};
  if (!rp_pdf_finite(v, 4) || v[2] <= 0 || v[3] <= 0 || v[2] > 1 || v[3] > 1) {
    *sx = *sy = 0;
    *sw = *sh = 1;
    return;
  }
  *sw = v[2];
  *sh = v[3];
  *sx = v[0] < 0 ? 0 : v[0] > 1 - v[2] ? 1 - v[2] : v[0];
  *sy = v[1] < 0 ? 0 : v[1] > 1 - v[3] ? 1 - v[3] : v[1];
}

void rp_pdf_images_measure(rp_pdf *p, const rp_page *page) {
  const rp_layout_doc *doc = p->doc;
  for (size_t i = p->n_measured; i < doc->images.len && i < p->n_images; i++) {
    const rp_image_ref *ref = &RP_VEC_AT(doc->images, rp_image_ref, i);
    double v[2] = {ref->max_w, ref->max_h};
    if (rp_pdf_finite(v, 2)) {
      p->images[i].need_w = ref->max_w > 0 ? ref->max_w : 0;
      p->images[i].need_h = ref->max_h > 0 ? ref->max_h : 0;
    }
    p->n_measured = i + 1;
  }
  for (size_t k = 0; k < page->items.len; k++) {
    const rp_item *it = &RP_VEC_AT(page->items, rp_item, k);
    if (it->kind != RP_ITEM_IMAGE || it->u.image.image < 0 ||
        (size_t)it->u.image.image >= p->n_measured)
      continue;
    double v[2] = {it->w, it->h}, sx, sy, sw, sh;
    if (!rp_pdf_finite(v, 2)) continue;
    crop_of(it, &sx, &sy, &sw, &sh);
    rp_pdf_image *slot = &p->images[it->u.image.image];
    if (fabs(it->w) / sw > slot->need_w) slot->need_w = fabs(it->w) / sw;
    if (fabs(it->h) / sh > slot->need_h) slot->need_h = fabs(it->h) / sh;
  }
}

void rp_pdf_draw_image(rp_pdf *p, const rp_item *it) {
  double v[5] = {it->x, it->y, it->w, it->h, it->u.image.radius};
  if (!rp_pdf_finite(v, 5) || it->w <= 0 || it->h <= 0 || it->u.image.image < 0 ||
      (size_t)it->u.image.image >= p->doc->images.len) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it,
                      "layout produced an image item with invalid size or image index %d",
                      it->u.image.image);
    return;
  }
  const rp_svg *svg = NULL;
  HPDF_Image img = NULL;
  if (rp_pdf_svg_for(p, it, &svg)) {
    if (!svg) return;
  } else if (!(img = image_for(p, it))) {
    return;
  }
  double sx, sy, sw, sh;
  crop_of(it, &sx, &sy, &sw, &sh);
  double full_w = it->w / sw, full_h = it->h / sh;
  double left = it->x - sx * full_w, top = it->y - sy * full_h;
  bool cropped = sw < 1 || sh < 1;
  double bottom = rp_pdf_y(p, it->y + it->h);

  HPDF_Page_GSave(p->page);
  if (!rp_pdf_ok(p, "save the graphics state", &it->src)) return;
  if (it->u.image.clip == RP_CLIP_CIRCLE) {
    rp_pdf_path_ellipse(p, it->x, bottom, it->w, it->h);
  } else if (it->u.image.clip == RP_CLIP_ROUNDED) {
    rp_pdf_path_rounded_rect(p, it->x, bottom, it->w, it->h, it->u.image.radius);
  } else if (cropped || svg) { /* an SVG is clipped to its view box, as in a browser */
    rp_pdf_path_rounded_rect(p, it->x, bottom, it->w, it->h, 0);
  }
  if (it->u.image.clip != RP_CLIP_NONE || cropped || svg) {
    HPDF_Page_Clip(p->page);
    HPDF_Page_EndPath(p->page);
  }
  if (svg) {
    rp_pdf_draw_svg(p, it, svg, left, top, full_w, full_h);
  } else {
    HPDF_Page_DrawImage(p->page, img, (HPDF_REAL)left, (HPDF_REAL)rp_pdf_y(p, top + full_h),
                        (HPDF_REAL)full_w, (HPDF_REAL)full_h);
    rp_pdf_ok(p, "draw an image", &it->src);
  }
  HPDF_Page_GRestore(p->page);
  rp_pdf_ok(p, "restore the graphics state", &it->src);
}
