/* fuzz_layout — a layout document, rendered with a small content fixture
 * (tests/data/content/full.xml: every kind of block, a few of each; or
 * RP_FUZZ_CONTENT) to a PDF that goes nowhere. The input sits in layouts/ of
 * the private copy, so ../fonts and lib/… references resolve. */
#include <stdlib.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *content = getenv("RP_FUZZ_CONTENT");
  const char *cpath = rp_fuzz_path(content && *content ? content : "tests/data/content/full.xml");
  const char *layout = rp_fuzz_write("layouts/fuzz-input.xml", data, size);
  rp_fuzz_render(cpath, layout);
  return 0;
}
