/* pdf_color — setting fill and stroke colours for screen or print.
 *
 * Screen output writes every colour as DeviceRGB, to 1/1000. Print output (docs/print.md)
 * writes DeviceCMYK: the brand's own CMYK where the layout gives one, else a
 * conversion of the RGB value; and a brand colour with a spot name as a
 * Separation colour space (the ink's name, with the brand CMYK as the
 * alternate a proof or a four-colour press shows), at full tint.
 *
 * The conversion is the naive, device-independent one (K = 1 − max(R, G, B)):
 * no ICC profile is packaged in Debian for a printing condition, and it has
 * the property printers ask of black and grey text — neutral colours come out
 * as black ink only, never a four-colour mix. Layouts that care about a
 * colour give its CMYK. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/pdf.h"

static float unit(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* The brand's print form of an RGB colour, if it has one. The first brand
 * colour with that exact RGB wins. */
static const rp_print_color *brand_form(const rp_print *pr, rp_color c) {
  for (size_t i = 0; i < pr->n_colors; i++) {
    const rp_color *b = &pr->colors[i].rgb;
    if (b->r == c.r && b->g == c.g && b->b == c.b) return &pr->colors[i];
  }
  return NULL;
}

void rp_pdf_cmyk_of(const rp_print *pr, rp_color c, float out[4]) {
  const rp_print_color *bf = brand_form(pr, c);
  if (bf) {
    for (int i = 0; i < 4; i++) out[i] = unit(bf->cmyk[i]);
    return;
  }
  float r = unit(c.r), g = unit(c.g), b = unit(c.b);
  float max = r > g ? (r > b ? r : b) : (g > b ? g : b);
  if (max <= 0) {
    out[0] = out[1] = out[2] = 0, out[3] = 1;
    return;
  }
  out[0] = (max - r) / max, out[1] = (max - g) / max, out[2] = (max - b) / max, out[3] = 1 - max;
  /* Rounded to 1/1000 so that equal greys give identical operators. */
  for (int i = 0; i < 4; i++) out[i] = (float)((int)(out[i] * 1000 + 0.5f)) / 1000;
}

/* A colour component to 1/1000 (an 8-bit step is 1/255: every 8-bit value
 * comes back the same), trailing zeros and the leading zero dropped:
 * "1", "0", ".5", ".357". libharu writes five decimals. */
static char *put_unit(char *o, float v) {
  int m = (int)lroundf(unit(v) * 1000);
  if (m == 0 || m == 1000) {
    *o++ = m ? '1' : '0';
    return o;
  }
  *o++ = '.';
  for (int d = 100; m > 0; d /= 10) *o++ = (char)('0' + m / d), m %= d; /* m % 1 == 0 */
  return o;
}

static void set(rp_pdf *p, rp_color c, bool stroke, const rp_src *src) {
  HPDF_Page pg = p->page;
  if (!p->print.on) {
    char op[32], *o = put_unit(op, c.r);
    *o++ = ' ';
    o = put_unit(o, c.g);
    *o++ = ' ';
    o = put_unit(o, c.b);
    memcpy(o, stroke ? " RG\n" : " rg\n", 5);
    rp_pdf_raw(p, op, src);
    return;
  }
  float k[4];
  rp_pdf_cmyk_of(&p->print, c, k);
  const rp_print_color *bf = brand_form(&p->print, c);
  if (bf && bf->spot) {
    const char *res = rp_pdf_spot_use(p, bf->spot, k, src);
    if (res) {
      char op[64];
      snprintf(op, sizeof op, stroke ? "/%s CS 1 SCN\n" : "/%s cs 1 scn\n", res);
      rp_pdf_raw(p, op, src);
      return;
    }
  }
  if (stroke)
    HPDF_Page_SetCMYKStroke(pg, k[0], k[1], k[2], k[3]);
  else
    HPDF_Page_SetCMYKFill(pg, k[0], k[1], k[2], k[3]);
}

void rp_pdf_fill_color(rp_pdf *p, rp_color c, const rp_src *src) { set(p, c, false, src); }

void rp_pdf_stroke_color(rp_pdf *p, rp_color c, const rp_src *src) { set(p, c, true, src); }
