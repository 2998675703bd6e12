/* color — see color.h. Formulas from WCAG 2.1, "relative luminance" and
 * "contrast ratio" (sRGB channels linearised). */
#include "base/color.h"

#include <math.h>

static double linear(double v) { return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4); }

double rp_color_luminance(rp_color c) {
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double rp_color_contrast(rp_color a, rp_color b) {
  double la = rp_color_luminance(a), lb = rp_color_luminance(b);
  return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}
