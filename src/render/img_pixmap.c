/* img_pixmap — what the image decoders share: reading a file, recognising
 * its format, area-averaging downsampling, and splitting premultiplied RGBA
 * into the colour and alpha planes of a PDF image and its SMask. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "render/img.h"

void rp_pixmap_fini(rp_pixmap *pm) {
  if (!pm) return;
  rp_mem_free(pm->rgba);
  pm->rgba = NULL;
  pm->w = pm->h = 0;
}

rp_img_format rp_img_sniff(const uint8_t *data, size_t len) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (len >= 8 && memcmp(data, png, 8) == 0) return RP_IMG_PNG;
  if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return RP_IMG_JPEG;
  return RP_IMG_UNKNOWN;
}

bool rp_img_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  if (!f) {
    snprintf(err, errlen, "cannot open it: %s", strerror(errno));
    return false;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "it is not a regular file");
    goto fail;
  }
  if (st.st_size <= 0 || (unsigned long long)st.st_size > RP_IMG_MAX_FILE) {
    snprintf(err, errlen, "its size (%lld bytes) is outside 1 byte to %u MB", (long long)st.st_size,
             RP_IMG_MAX_FILE / (1024u * 1024u));
    goto fail;
  }
  size_t n = (size_t)st.st_size;
  buf = rp_mem_alloc(n);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  if (fread(buf, 1, n, f) != n) {
    snprintf(err, errlen, "cannot read it: %s", ferror(f) ? strerror(errno) : "file shrank");
    goto fail;
  }
  fclose(f);
  *data = buf;
  *len = n;
  return true;
fail:
  rp_mem_free(buf);
  fclose(f);
  return false;
}

/* ---- downsampling ------------------------------------------------------ */

/* Source samples covering output sample o of an axis shrunk from n_src to
 * n_dst: [first, first+count) with weights (the overlap with the output
 * sample's footprint), summing to 1. */
typedef struct span {
  int first, count;
  const float *w;
} span;

static span *make_spans(int n_src, int n_dst, float **weights) {
  span *s = rp_mem_alloc((size_t)n_dst * sizeof *s);
  float *w = rp_mem_alloc(((size_t)n_src + 2 * (size_t)n_dst) * sizeof *w);
  if (!s || !w) {
    rp_mem_free(s);
    rp_mem_free(w);
    return NULL;
  }
  double scale = (double)n_src / n_dst;
  size_t k = 0;
  for (int o = 0; o < n_dst; o++) {
    double a = o * scale, b = (o + 1) * scale;
    int first = (int)floor(a), last = (int)ceil(b) - 1;
    if (last >= n_src) last = n_src - 1;
    s[o].first = first;
    s[o].count = last - first + 1;
    s[o].w = w + k;
    for (int i = first; i <= last; i++) {
      double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
      w[k++] = (float)((hi - lo) / scale);
    }
  }
  *weights = w;
  return s;
}

bool rp_pixmap_downsample(rp_pixmap *pm, int max_w, int max_h) {
  int sw = pm->w, sh = pm->h;
  int dw = max_w > 0 && max_w < sw ? max_w : sw;
  int dh = max_h > 0 && max_h < sh ? max_h : sh;
  if (dw == sw && dh == sh) return true;
  float *wx = NULL, *wy = NULL;
  span *sx = make_spans(sw, dw, &wx), *sy = make_spans(sh, dh, &wy);
  float *acc = rp_mem_alloc((size_t)dw * 4 * sizeof *acc);
  uint8_t *out = rp_mem_alloc((size_t)dw * (size_t)dh * 4);
  bool ok = sx && sy && acc && out;
  for (int oy = 0; ok && oy < dh; oy++) {
    memset(acc, 0, (size_t)dw * 4 * sizeof *acc);
    for (int j = 0; j < sy[oy].count; j++) {
      const uint8_t *src = pm->rgba + (size_t)(sy[oy].first + j) * (size_t)sw * 4;
      float wyj = sy[oy].w[j];
      for (int ox = 0; ox < dw; ox++) {
        float r = 0, g = 0, b = 0, a = 0;
        const uint8_t *px = src + (size_t)sx[ox].first * 4;
        for (int i = 0; i < sx[ox].count; i++, px += 4) {
          float wi = sx[ox].w[i];
          r += wi * px[0], g += wi * px[1], b += wi * px[2], a += wi * px[3];
        }
        float *ac = acc + (size_t)ox * 4;
        ac[0] += wyj * r, ac[1] += wyj * g, ac[2] += wyj * b, ac[3] += wyj * a;
      }
    }
    uint8_t *dst = out + (size_t)oy * (size_t)dw * 4;
    for (int i = 0; i < dw * 4; i++) {
      float v = acc[i] + 0.5f;
      dst[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    /* Rounding must not leave a colour above its alpha (premultiplied). */
    for (int ox = 0; ox < dw; ox++) {
      uint8_t *px = dst + (size_t)ox * 4;
      for (int c = 0; c < 3; c++)
        if (px[c] > px[3]) px[c] = px[3];
    }
  }
  rp_mem_free(sx);
  rp_mem_free(sy);
  rp_mem_free(wx);
  rp_mem_free(wy);
  rp_mem_free(acc);
  if (!ok) {
    rp_mem_free(out);
    return false;
  }
  rp_mem_free(pm->rgba);
  pm->rgba = out;
  pm->w = dw;
  pm->h = dh;
  return true;
}

bool rp_pixmap_is_gray(const rp_pixmap *pm) {
  size_t n = (size_t)pm->w * (size_t)pm->h;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *px = pm->rgba + i * 4;
    if (px[0] != px[1] || px[1] != px[2]) return false;
  }
  return true;
}

bool rp_pixmap_split(const rp_pixmap *pm, uint8_t **color, int *channels, uint8_t **alpha) {
  size_t n = (size_t)pm->w * (size_t)pm->h;
  bool gray = rp_pixmap_is_gray(pm), opaque = true;
  for (size_t i = 0; i < n && opaque; i++) opaque = pm->rgba[i * 4 + 3] == 255;
  int ch = gray ? 1 : 3;
  uint8_t *c = rp_mem_alloc(n * (size_t)ch), *a = opaque ? NULL : rp_mem_alloc(n);
  if (!c || (!opaque && !a)) {
    rp_mem_free(c);
    rp_mem_free(a);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    const uint8_t *px = pm->rgba + i * 4;
    unsigned al = px[3];
    for (int k = 0; k < ch; k++) {
      unsigned v = px[k];
      if (al == 0)
        v = 0;
      else if (al < 255)
        v = (v * 255 + al / 2) / al;
      c[i * (size_t)ch + (size_t)k] = (uint8_t)(v > 255 ? 255 : v);
    }
    if (a) a[i] = (uint8_t)al;
  }
  *color = c;
  *channels = ch;
  *alpha = a;
  return true;
}
