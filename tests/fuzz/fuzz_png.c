/* fuzz_png — the PNG decoder render/ and the image probe use (Cairo behind
 * rp_png_decode), then what render does with the pixels: downsample and
 * split into colour and alpha planes. */
#include <stdlib.h>

#include "fuzz.h"
#include "render/img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  rp_pixmap pm = {0};
  rp_img_sniff(data, size);
  if (!rp_png_decode(data, size, &pm, err, sizeof err)) return 0;
  rp_pixmap_is_gray(&pm);
  if (rp_pixmap_downsample(&pm, pm.w / 2 + 1, pm.h / 3 + 1)) {
    uint8_t *color = NULL, *alpha = NULL;
    int channels = 0;
    if (rp_pixmap_split(&pm, &color, &channels, &alpha)) {
      free(color);
      free(alpha);
    }
  }
  rp_pixmap_fini(&pm);
  return 0;
}
