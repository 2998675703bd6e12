/* fuzz_jpeg — the JPEG decoder (libjpeg behind rp_jpeg_decode), whole and
 * with DCT scaling as render uses it for large photos, then re-encoding the
 * pixels as render does for a JPEG it cannot embed as it is. */
#include <stdlib.h>

#include "fuzz.h"
#include "render/img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[256];
  rp_pixmap pm = {0};
  rp_jpeg_info info;
  rp_img_sniff(data, size);
  if (rp_jpeg_decode(data, size, 0, 0, &pm, &info, err, sizeof err)) {
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (pm.w * pm.h <= 256 * 256 && rp_jpeg_encode(&pm, 85, &out, &out_len, err, sizeof err))
      free(out);
    rp_pixmap_fini(&pm);
  }
  if (rp_jpeg_decode(data, size, 8, 8, &pm, &info, err, sizeof err)) rp_pixmap_fini(&pm);
  return 0;
}
