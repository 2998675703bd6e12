/* fuzz_map — the map outline file (data/map/uk-outline.txt's format), the one
 * data file format reviewpdf parses itself (charts/map_outline.c). */
#include "base/arena.h"
#include "base/diag.h"
#include "charts/map.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = rp_fuzz_write("data/map/fuzz-input.txt", data, size);
  rp_arena *a = rp_arena_new();
  if (!a) return 0;
  rp_diag d;
  rp_diag_init(&d);
  rp_src src = {"fuzz.xml", 1, "fuzz-content.xml", 1};
  rp_map_outline out;
  rp_map_outline_read(a, path, &src, &d, &out);
  rp_diag_fini(&d);
  rp_arena_free(a);
  return 0;
}
