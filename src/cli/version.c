/* version — what `reviewpdf --version` says besides the version: the
 * libraries this binary was built with, asked of the modules that use them
 * (each library stays in its module, docs/architecture.md). */
#include <stdio.h>

#include "base/xml.h"
#include "charts/charts.h"
#include "cli/cli.h"
#include "font/font.h"
#include "render/render.h"

void rp_cli_libraries(FILE *out) {
  char font[96], charts[48], render[96];
  rp_font_libraries(font, sizeof font);
  rp_charts_library(charts, sizeof charts);
  rp_render_libraries(render, sizeof render);
  fprintf(out, "built with %s, %s, %s, %s, libhyphen\n", rp_xml_library(), font, charts, render);
}
