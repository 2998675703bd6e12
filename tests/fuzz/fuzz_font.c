/* fuzz_font — a TrueType file as far as reviewpdf reads it: the font module
 * (FreeType metrics and coverage, HarfBuzz kerning) measures text with it,
 * and when it loads, a one-page document set in it is rendered, so libharu
 * parses and embeds it too (render/pdf_font.c's checks come first). */
#include <stdio.h>
#include <stdlib.h>

#include "base/diag.h"
#include "font/font.h"
#include "fuzz.h"

static const char layout[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<layout version=\"1\" page=\"A6\">\n"
    "  <brand>\n"
    "    <font role=\"body\" regular=\"../fonts/fuzz-input.ttf\"/>\n"
    "    <style name=\"body\" font=\"body\" size=\"9pt\"/>\n"
    "    <style name=\"h1\" parent=\"body\" size=\"14pt\"/>\n"
    "  </brand>\n"
    "  <master name=\"m\" margin=\"10mm\"/>\n"
    "  <sequence><run template=\"t\" select=\"/review\"/></sequence>\n"
    "  <template name=\"t\">\n"
    "    <heading level=\"1\">{title} AV To Wa ff fi £ – ‘’ ŵ ŷ</heading>\n"
    "    <paragraph>{organisation/name}, {period}</paragraph>\n"
    "  </template>\n"
    "</layout>\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A copy: rp_fuzz_path's four slots rotate, and the fourth font that
   * loaded overwrote this path with the content's, so every later render
   * read the content as its layout and failed before libharu saw a font. */
  static char lpath[4200];
  if (!lpath[0]) {
    snprintf(lpath, sizeof lpath, "%s", rp_fuzz_path("layouts/fuzz-font.xml"));
    FILE *f = fopen(lpath, "w");
    if (!f || fputs(layout, f) < 0 || fclose(f) != 0) abort();
  }
  const char *path = rp_fuzz_write("fonts/fuzz-input.ttf", data, size);
  rp_fontset fs;
  rp_fontset_init(&fs);
  rp_diag d;
  rp_diag_init(&d);
  int index = -1;
  bool ok = rp_fontset_load(&fs, path, "fuzz.xml", 1, &d, &index) == RP_OK;
  if (ok) {
    const rp_font *f = rp_fontset_get(&fs, index);
    static const char text[] = "AVAST Wales Tŷ Newydd – “quoted” ffi 12,345 \xEF\xBF\xBD";
    rp_font_measure(f, text, sizeof text - 1, 10, 20, true);
    rp_font_kern_join(f, "Ta", 2, "Va", 2);
    rp_font_covers(f, 0x0175);
  }
  rp_diag_fini(&d);
  rp_fontset_fini(&fs);
  if (ok) rp_fuzz_render(rp_fuzz_path("tests/data/cli/minimal.xml"), lpath, true);
  return 0;
}
