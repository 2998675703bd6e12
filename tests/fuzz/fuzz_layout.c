/* fuzz_layout — a layout document, rendered with a small content fixture
 * (tests/data/content/full.xml: every kind of block, a few of each; or
 * RP_FUZZ_CONTENT), laid out and dumped; one input in eight (by its bytes,
 * so a replay does the same) is also drawn to a PDF that goes nowhere:
 * libharu's UTF-8 font setup costs ~20 ms a face and would otherwise be
 * most of the time (the content target draws every input). The input sits
 * in layouts/ of the private copy, so ../fonts and lib/… references resolve. */
#include <stdlib.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *content = getenv("RP_FUZZ_CONTENT");
  const char *cpath = rp_fuzz_path(content && *content ? content : "tests/data/content/full.xml");
  rp_fuzz_coarse_map();
  const char *layout = rp_fuzz_write("layouts/fuzz-input.xml", data, size);
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
  rp_fuzz_render(cpath, layout, getenv("RP_FUZZ_PDF") || h % 8 == 0);
  return 0;
}
