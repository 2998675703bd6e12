/* pdf_png — see pdf_png.h. The XObject is built with libharu's object API
 * (HPDF_DictStream_New and friends), as libharu's own PNG loader would, but
 * from data render has checked (that loader aborts the process on a corrupt
 * file, LIBHARU-NOTES.md). The stream's data is already deflated: libharu
 * writes it with no filter of its own, and the dictionary names FlateDecode
 * (through write_fn, as pdf_doc.c's deflated pages do) with the PNG
 * predictor's parameters (ISO 32000-1 §7.4.4.4). */
#include <stdio.h>

#include "render/pdf_png.h"

/* libharu drops a Filter entry of a stream it does not filter itself: the
 * dictionary writes it (HPDF_Dict_Write calls this after the entries). */
static HPDF_STATUS HPDF_STDCALL write_filter(HPDF_Dict obj, HPDF_Stream stream) {
  (void)obj;
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

static HPDF_STATUS add_indexed(rp_pdf *p, HPDF_Dict img, const rp_png_raw *png) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Array cs = HPDF_Array_New(mm);
  if (!cs) return HPDF_FAILD_TO_ALLOC_MEM;
  HPDF_STATUS r = HPDF_Dict_Add(img, "ColorSpace", cs);
  if (r == HPDF_OK) r = HPDF_Array_AddName(cs, "Indexed");
  if (r == HPDF_OK) r = HPDF_Array_AddName(cs, "DeviceRGB");
  if (r == HPDF_OK) r = HPDF_Array_AddNumber(cs, png->n_plte - 1);
  if (r == HPDF_OK) {
    HPDF_Binary lookup = HPDF_Binary_New(mm, (HPDF_BYTE *)png->plte, (HPDF_UINT)(png->n_plte * 3));
    r = lookup ? HPDF_Array_Add(cs, lookup) : HPDF_FAILD_TO_ALLOC_MEM;
  }
  return r;
}

HPDF_Image rp_pdf_png_embed(rp_pdf *p, const rp_png_raw *png) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Dict img = HPDF_DictStream_New(mm, p->pdf->xref);
  if (!img) return NULL;
  img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
  img->filter = HPDF_STREAM_FILTER_NONE; /* the data is deflated already */
  HPDF_STATUS r = HPDF_Dict_AddName(img, "Type", "XObject");
  if (r == HPDF_OK) r = HPDF_Dict_AddName(img, "Subtype", "Image");
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(img, "Width", png->w);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(img, "Height", png->h);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(img, "BitsPerComponent", png->bits);
  if (r == HPDF_OK)
    r = png->plte
            ? add_indexed(p, img, png)
            : HPDF_Dict_AddName(img, "ColorSpace", png->colors == 3 ? "DeviceRGB" : "DeviceGray");
  img->write_fn = write_filter;
  HPDF_Dict parms = r == HPDF_OK ? HPDF_Dict_New(mm) : NULL;
  if (r == HPDF_OK) r = parms ? HPDF_Dict_Add(img, "DecodeParms", parms) : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(parms, "Predictor", 15);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(parms, "Colors", png->colors);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(parms, "BitsPerComponent", png->bits);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(parms, "Columns", png->w);
  if (r == HPDF_OK) r = HPDF_Stream_Write(img->stream, png->idat, (HPDF_UINT)png->idat_len);
  if (r != HPDF_OK) {
    if (!p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
    return NULL; /* the object stays in the xref, unreferenced: libharu frees it */
  }
  return img;
}
