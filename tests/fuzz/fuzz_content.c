/* fuzz_content — a content document, rendered through a layout (default the
 * sample's annual-review; RP_FUZZ_LAYOUT names another, relative to the
 * project) to a PDF that goes nowhere. The input sits in data/ of the private
 * copy, so its ../images and ../fonts references resolve as the sample's do. */
#include <stdlib.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *layout = getenv("RP_FUZZ_LAYOUT");
  const char *lpath = rp_fuzz_path(layout && *layout ? layout : "layouts/annual-review.xml");
  rp_fuzz_coarse_map();
  const char *content = rp_fuzz_write("data/fuzz-input.xml", data, size);
  rp_fuzz_render(content, lpath, true);
  return 0;
}
