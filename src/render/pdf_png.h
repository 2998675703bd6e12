/* pdf_png — a PNG's compressed data embedded as it is (render/img.h,
 * rp_png_raw_data): no recompression, and smaller than libharu's deflate of
 * the decoded pixels, which has no predictor. */
#ifndef RP_RENDER_PDF_PNG_H
#define RP_RENDER_PDF_PNG_H

#include "render/img.h"
#include "render/pdf.h"

/* An image XObject holding png's IDAT data with /Predictor 15 (a palette
 * as an /Indexed colour space), or NULL when libharu fails (its error left
 * pending for the caller's rp_pdf_take_error). */
HPDF_Image rp_pdf_png_embed(rp_pdf *p, const rp_png_raw *png);

#endif
