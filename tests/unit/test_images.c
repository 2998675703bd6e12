/* test_images — every image format render/ accepts, embedded and read back.
 *
 * Each test writes its own image with libpng or libjpeg (four solid
 * quadrants of known colours), draws it on a page with rp_render_pdf, then
 * checks the PDF with the real tools: `pdfimages -list` (size, colour space,
 * SMask, encoding, one XObject however often drawn), `pdftoppm -r 72 -png`
 * (the colour at the centre of each quadrant, blended over the white page),
 * `pdfimages -png` (lossless formats keep their exact samples and alpha) and
 * `qpdf --check`. Broken files must become a warning naming the file, never
 * an abort, and the probe layout asks (probe.h) must refuse them too.
 *
 * libharu's own PNG loader aborts the process on a corrupt file
 * (LIBHARU-NOTES.md): this binary replaces it (see "guards") with one that
 * counts calls, and every test's teardown expects none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <png.h>
/* jpeglib.h needs stdio.h first */
#include <jpeglib.h>

#include "testutil.h"

#include "base/arena.h"
#include "font/font.h"
#include "page/items.h"
#include "render/probe.h"
#include "render/render.h"

#include <hpdf.h>

/* Every image is drawn here: x, y, w, h in pt on a PAGE_W × PAGE_H page. */
#define PAGE_W 300.0
#define PAGE_H 200.0
#define IMG_X 50.0
#define IMG_Y 25.0
#define IMG_W 200.0
#define IMG_H 150.0

/* Small test images: odd sizes for PNG (row strides, Adam7 partial passes),
 * whole 16 × 16 MCUs per quadrant for JPEG (no chroma bleed at centres). */
#define SMALL_PNG_W 61
#define SMALL_PNG_H 45
#define SMALL_JPEG_W 128
#define SMALL_JPEG_H 96

#define PNG_TOL 8   /* /255, on the rasterised page */
#define JPEG_TOL 24 /* /255: lossy */

/* ---- guards ------------------------------------------------------------- */

/* Calls that reached libharu's PNG loader. These definitions take the place
 * of libhpdf's for this executable (it links before the shared library), so
 * a call from render/ is counted here instead of handing a PNG to libpng
 * inside libharu. */
static int libharu_png_calls;

HPDF_Image HPDF_LoadPngImageFromMem(HPDF_Doc pdf, const HPDF_BYTE *buffer, HPDF_UINT size) {
  libharu_png_calls++;
  return NULL;
}

HPDF_Image HPDF_LoadPngImageFromFile(HPDF_Doc pdf, const char *filename) {
  libharu_png_calls++;
  return NULL;
}

HPDF_Image HPDF_LoadPngImageFromFile2(HPDF_Doc pdf, const char *filename) {
  libharu_png_calls++;
  return NULL;
}

/* ---- files -------------------------------------------------------------- */

static const char *tmp_path(const char *name) {
  static char bufs[8][4096];
  static int slot;
  char *b = bufs[slot++ % 8];
  snprintf(b, 4096, "%s/%s", rp_test_tmpdir(), name);
  return b;
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static void spill(const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

static int count_of(const char *hay, const char *needle) {
  int n = 0;
  for (const char *s = hay; (s = strstr(s, needle)); s += strlen(needle)) n++;
  return n;
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- writing test images ------------------------------------------------ */

/* Samples of pixel (x, y), one per channel, in the file's bit depth. */
typedef void (*pixel_fn)(const void *ctx, int x, int y, int w, int h, unsigned out[4]);

/* Quadrant of a pixel: 0 top left, 1 top right, 2 bottom left, 3 bottom right. */
static int quadrant(int x, int y, int w, int h) { return (2 * y >= h) * 2 + (2 * x >= w); }

/* ctx: unsigned[4][4], the samples of each quadrant. */
static void quadrant_pixel(const void *ctx, int x, int y, int w, int h, unsigned out[4]) {
  const unsigned(*q)[4] = ctx;
  memcpy(out, q[quadrant(x, y, w, h)], 4 * sizeof *out);
}

/* ctx: NULL. Deterministic noise: deflate cannot shrink it, so IDAT is big. */
static void noise_pixel(const void *ctx, int x, int y, int w, int h, unsigned out[4]) {
  uint32_t v = (uint32_t)x * 73856093u ^ (uint32_t)y * 19349663u;
  v ^= v >> 13, v *= 0x5bd1e995u, v ^= v >> 15;
  for (int c = 0; c < 4; c++) out[c] = (v >> (8 * c)) & 0xFF;
}

typedef struct png_opts {
  int color_type, depth;
  bool interlace;
  const png_color *palette; /* PNG_COLOR_TYPE_PALETTE */
  int n_palette;
  const png_byte *trns; /* palette alpha, or NULL */
  int n_trns;
  png_color_16p trns_color; /* gray or RGB: the transparent colour, or NULL */
} png_opts;

static int png_channels(int color_type) {
  switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return 2;
    case PNG_COLOR_TYPE_RGB:
      return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA:
      return 4;
    default:
      return 1; /* gray, palette */
  }
}

/* Writes a PNG with libpng; samples come from px in the file's depth
 * (16-bit big-endian, sub-byte depths packed from the high bit). */
static void write_png(const char *path, int w, int h, const png_opts *o, pixel_fn px,
                      const void *ctx) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  assert_non_null(png);
  assert_non_null(info);
  png_init_io(png, f);
  png_set_compression_level(png, 1);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, o->depth, o->color_type,
               o->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (o->palette) png_set_PLTE(png, info, o->palette, o->n_palette);
  if (o->trns || o->trns_color) png_set_tRNS(png, info, o->trns, o->n_trns, o->trns_color);
  int ch = png_channels(o->color_type);
  size_t stride = ((size_t)w * (size_t)ch * (size_t)o->depth + 7) / 8;
  png_bytep buf = calloc((size_t)h, stride);
  png_bytepp rows = malloc((size_t)h * sizeof *rows);
  assert_non_null(buf);
  assert_non_null(rows);
  for (int y = 0; y < h; y++) {
    png_bytep row = rows[y] = buf + (size_t)y * stride;
    for (int x = 0; x < w; x++) {
      unsigned s[4];
      px(ctx, x, y, w, h, s);
      for (int c = 0; c < ch; c++) {
        size_t i = (size_t)x * (size_t)ch + (size_t)c;
        if (o->depth == 16) {
          row[2 * i] = (png_byte)(s[c] >> 8);
          row[2 * i + 1] = (png_byte)s[c];
        } else if (o->depth == 8) {
          row[i] = (png_byte)s[c];
        } else {
          size_t bit = i * (size_t)o->depth;
          int shift = 8 - o->depth - (int)(bit % 8);
          row[bit / 8] |= (png_byte)(s[c] << shift);
        }
      }
    }
  }
  png_set_rows(png, info, rows);
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL); /* runs the Adam7 passes */
  png_destroy_write_struct(&png, &info);
  fclose(f);
  free(rows);
  free(buf);
}

typedef struct jpeg_opts {
  J_COLOR_SPACE in;   /* JCS_RGB, JCS_GRAYSCALE or JCS_CMYK samples */
  J_COLOR_SPACE file; /* as stored: JCS_YCbCr, JCS_GRAYSCALE, JCS_CMYK, JCS_YCCK */
  bool progressive;
  bool adobe; /* write the Adobe APP14 marker; CMYK then stored inverted, as Photoshop does */
  int quality;
} jpeg_opts;

/* Writes a JPEG with libjpeg; samples come from px as 8-bit values (CMYK as
 * ink amounts, 255 = full ink, whatever the file stores). */
static void write_jpeg(const char *path, int w, int h, const jpeg_opts *o, pixel_fn px,
                       const void *ctx) {
  struct jpeg_compress_struct ci;
  struct jpeg_error_mgr jerr;
  ci.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&ci);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  jpeg_stdio_dest(&ci, f);
  ci.image_width = (JDIMENSION)w;
  ci.image_height = (JDIMENSION)h;
  int comps = o->in == JCS_GRAYSCALE ? 1 : o->in == JCS_CMYK ? 4 : 3;
  ci.input_components = comps;
  ci.in_color_space = o->in;
  jpeg_set_defaults(&ci);
  jpeg_set_colorspace(&ci, o->file);
  ci.write_Adobe_marker = o->adobe;
  jpeg_set_quality(&ci, o->quality, TRUE);
  if (o->progressive) jpeg_simple_progression(&ci);
  jpeg_start_compress(&ci, TRUE);
  JSAMPLE *row = malloc((size_t)w * 4);
  assert_non_null(row);
  while (ci.next_scanline < ci.image_height) {
    for (int x = 0; x < w; x++) {
      unsigned s[4];
      px(ctx, x, (int)ci.next_scanline, w, h, s);
      for (int c = 0; c < comps; c++) {
        bool invert = comps == 4 && o->adobe;
        row[x * comps + c] = (JSAMPLE)(invert ? 255 - s[c] : s[c]);
      }
    }
    JSAMPROW rows[1] = {row};
    jpeg_write_scanlines(&ci, rows, 1);
  }
  jpeg_finish_compress(&ci);
  jpeg_destroy_compress(&ci);
  fclose(f);
  free(row);
}

/* ---- editing files: chunks, markers, truncation ------------------------- */

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* CRC-32 as PNG chunks use it (ISO 3309, PNG spec §5.5). */
static uint32_t crc32_of(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

/* Offset of the last chunk of `type` in a PNG (its length field), or 0. */
static size_t png_last_chunk(const uint8_t *d, size_t len, const char *type) {
  size_t found = 0;
  for (size_t pos = 8; pos + 12 <= len; pos += 12 + be32(d + pos))
    if (memcmp(d + pos + 4, type, 4) == 0) found = pos;
  return found;
}

/* A copy of the PNG at src whose IHDR claims w × h, with a valid CRC. */
static void png_with_size(const char *src, const char *dst, uint32_t w, uint32_t h) {
  size_t len;
  uint8_t *d = slurp(src, &len);
  assert_memory_equal(d + 12, "IHDR", 4);
  put_be32(d + 16, w);
  put_be32(d + 20, h);
  put_be32(d + 29, crc32_of(d + 12, 17)); /* type + 13 data bytes */
  spill(dst, d, len);
  free(d);
}

/* A copy of the JPEG at src whose SOF0 frame header claims w × h. */
static void jpeg_with_size(const char *src, const char *dst, unsigned w, unsigned h) {
  size_t len, pos = 2;
  uint8_t *d = slurp(src, &len);
  while (pos + 9 < len && !(d[pos] == 0xFF && d[pos + 1] == 0xC0))
    pos += 2 + ((size_t)d[pos + 2] << 8 | d[pos + 3]);
  assert_true(pos + 9 < len);
  d[pos + 5] = (uint8_t)(h >> 8), d[pos + 6] = (uint8_t)h;
  d[pos + 7] = (uint8_t)(w >> 8), d[pos + 8] = (uint8_t)w;
  spill(dst, d, len);
  free(d);
}

/* ---- reading the PDF back ----------------------------------------------- */

typedef struct listed {
  int page;
  char type[16]; /* image, smask */
  int w, h;
  char color[16]; /* rgb, gray, cmyk… */
  int comp, bpc;
  char enc[16]; /* image (raw/Flate), jpeg… */
  int object;
} listed;

/* The rows of `pdfimages -list`; returns how many (at most max). */
static int list_images(const char *pdf, listed *rows, int max) {
  rp_test_output r = rp_test_run("pdfimages -list '%s'", pdf);
  assert_int_equal(r.status, 0);
  int n = 0;
  /* page num type width height color comp bpc enc interp object ID … */
  for (const char *l = r.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    listed e;
    int num;
    char interp[8];
    if (sscanf(l, "%d %d %15s %d %d %15s %d %d %15s %7s %d", &e.page, &num, e.type, &e.w, &e.h,
               e.color, &e.comp, &e.bpc, e.enc, interp, &e.object) != 11)
      continue;
    assert_true(n < max);
    rows[n++] = e;
  }
  rp_test_output_free(&r);
  return n;
}

/* 8-bit pixels read from a PNG file: 3 channels (RGB) or 1 (gray). */
typedef struct pixels {
  int w, h, ch;
  uint8_t *px; /* malloc'd */
} pixels;

static pixels read_png(const char *path, int ch) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&im, path)) fail_msg("cannot read %s: %s", path, im.message);
  im.format = ch == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  pixels p = {(int)im.width, (int)im.height, ch, malloc(PNG_IMAGE_SIZE(im))};
  assert_non_null(p.px);
  if (!png_image_finish_read(&im, NULL, p.px, 0, NULL))
    fail_msg("cannot decode %s: %s", path, im.message);
  return p;
}

static const uint8_t *pixel_at(const pixels *p, int x, int y) {
  assert_true(x >= 0 && x < p->w && y >= 0 && y < p->h);
  return p->px + ((size_t)y * (size_t)p->w + (size_t)x) * (size_t)p->ch;
}

/* Page `page` (1-based) rasterised at 72 dpi: one pixel per point. */
static pixels raster(const char *pdf, int page) {
  const char *root = tmp_path("raster");
  rp_test_output r =
      rp_test_run("pdftoppm -r 72 -png -f %d -l %d -singlefile '%s' '%s'", page, page, pdf, root);
  if (r.status != 0) fail_msg("pdftoppm failed: %s", r.err);
  rp_test_output_free(&r);
  char png[4200];
  snprintf(png, sizeof png, "%s.png", root);
  return read_png(png, 3);
}

static void qpdf_check(const char *pdf) {
  rp_test_output r = rp_test_run("qpdf --check '%s'", pdf);
  if (r.status != 0) fail_msg("qpdf --check %s:\n%s%s", pdf, r.out, r.err);
  assert_non_null(strstr(r.out, "No syntax or stream encoding errors found"));
  rp_test_output_free(&r);
}

/* ---- documents ---------------------------------------------------------- */

typedef struct fixture {
  rp_arena *a;
  rp_fontset fs; /* empty: these pages hold only images */
  rp_layout_doc doc;
  rp_diag d;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  fx->a = rp_arena_new();
  rp_fontset_init(&fx->fs);
  rp_diag_init(&fx->d);
  fx->doc.fonts = &fx->fs;
  libharu_png_calls = 0;
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  assert_int_equal(libharu_png_calls, 0);
  rp_diag_fini(&fx->d);
  rp_fontset_fini(&fx->fs);
  rp_arena_free(fx->a);
  free(fx);
  return 0;
}

static rp_page *add_page(fixture *fx) {
  rp_page *p = rp_vec_push(fx->a, &fx->doc.pages, sizeof *p);
  assert_non_null(p);
  p->width = PAGE_W;
  p->height = PAGE_H;
  p->master = "body";
  return p;
}

static int add_image_ref(fixture *fx, const char *path) {
  rp_image_ref *r = rp_vec_push(fx->a, &fx->doc.images, sizeof *r);
  assert_non_null(r);
  r->path = rp_arena_strdup(fx->a, path);
  return (int)fx->doc.images.len - 1;
}

static rp_item *add_image(fixture *fx, rp_page *p, int image, double x, double y, double w,
                          double h) {
  rp_item *it = rp_page_add(fx->a, p, RP_ITEM_IMAGE);
  assert_non_null(it);
  it->x = x, it->y = y, it->w = w, it->h = h;
  it->u.image.image = image;
  it->src.layout_file = "layouts/images.xml";
  it->src.layout_line = 7;
  return it;
}

/* Renders the document; returns the PDF's path (in the fixture's arena). */
static const char *render(fixture *fx, const char *name) {
  const char *out = rp_arena_strdup(fx->a, tmp_path(name));
  rp_status st = rp_render_pdf(&fx->doc, NULL, out, &fx->d);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  assert_int_equal(st, RP_OK);
  return out;
}

/* ---- the check every good image goes through ---------------------------- */

typedef struct rgba {
  unsigned r, g, b, a; /* 0..255, unpremultiplied */
} rgba;

typedef struct expect {
  int file_w, file_h; /* what the probe reports */
  int w, h;           /* px of the image XObject */
  const char *color;  /* pdfimages' colour column: "rgb" or "gray" */
  const char *enc;    /* "image" (pixels) or "jpeg" */
  bool smask;
  bool lossless;    /* the embedded samples are the file's (± rounding) */
  bool passthrough; /* the JPEG file is embedded byte for byte */
  int tol;          /* per channel on the page, /255 */
  rgba want[4];     /* per quadrant */
} expect;

/* A colour over the white page. */
static unsigned over_white(unsigned c, unsigned a) { return (c * a + 255 * (255 - a) + 127) / 255; }

static bool near(unsigned have, unsigned want, int tol) {
  return abs((int)have - (int)want) <= tol;
}

static const char *QUAD_NAME[4] = {"top left", "top right", "bottom left", "bottom right"};

/* The centre of quadrant q of an area x, y, w, h. */
static void quad_centre(int q, double x, double y, double w, double h, int *cx, int *cy) {
  *cx = (int)(x + w * (q % 2 ? 0.75 : 0.25));
  *cy = (int)(y + h * (q / 2 ? 0.75 : 0.25));
}

/* Each quadrant's centre on page `page` of pdf, drawn at x, y, w, h pt. */
static void check_page_colors(const char *pdf, int page, double x, double y, double w, double h,
                              const rgba want[4], int tol) {
  pixels pg = raster(pdf, page);
  assert_int_equal(pg.w, (int)(PAGE_W + 0.5));
  int bad = 0;
  for (int q = 0; q < 4; q++) {
    int cx, cy;
    quad_centre(q, x, y, w, h, &cx, &cy);
    const uint8_t *px = pixel_at(&pg, cx, cy);
    unsigned exp[3] = {over_white(want[q].r, want[q].a), over_white(want[q].g, want[q].a),
                       over_white(want[q].b, want[q].a)};
    for (int c = 0; c < 3; c++) {
      if (near(px[c], exp[c], tol)) continue;
      fprintf(stderr, "%s page %d, %s quadrant at (%d,%d): have %u %u %u, want %u %u %u (±%d)\n",
              pdf, page, QUAD_NAME[q], cx, cy, px[0], px[1], px[2], exp[0], exp[1], exp[2], tol);
      bad++;
      break;
    }
  }
  free(pg.px);
  assert_int_equal(bad, 0);
}

/* The samples the PDF holds (pdfimages -png): colour and SMask per quadrant. */
static void check_embedded_samples(const char *pdf, const expect *e) {
  const char *root = tmp_path("extract");
  rp_test_output r = rp_test_run("rm -f '%s'-*; pdfimages -png '%s' '%s'", root, pdf, root);
  assert_int_equal(r.status, 0);
  rp_test_output_free(&r);
  char path[4200];
  snprintf(path, sizeof path, "%s-000.png", root);
  pixels color = read_png(path, 3), alpha = {0};
  if (e->smask) {
    snprintf(path, sizeof path, "%s-001.png", root);
    alpha = read_png(path, 1);
  }
  assert_int_equal(color.w, e->w);
  assert_int_equal(color.h, e->h);
  int bad = 0;
  for (int q = 0; q < 4; q++) {
    int cx, cy;
    quad_centre(q, 0, 0, e->w, e->h, &cx, &cy);
    const uint8_t *c = pixel_at(&color, cx, cy);
    unsigned a = e->smask ? pixel_at(&alpha, cx, cy)[0] : 255;
    const rgba *w = &e->want[q];
    /* 2: premultiplying and back loses up to one step each way */
    bool ok = near(a, w->a, 0) &&
              (w->a == 0 || (near(c[0], w->r, 2) && near(c[1], w->g, 2) && near(c[2], w->b, 2)));
    if (!ok) {
      fprintf(stderr, "%s embedded, %s quadrant: have %u %u %u / %u, want %u %u %u / %u\n", pdf,
              QUAD_NAME[q], c[0], c[1], c[2], a, w->r, w->g, w->b, w->a);
      bad++;
    }
  }
  free(color.px);
  free(alpha.px);
  assert_int_equal(bad, 0);
}

/* Draws the image at `path` on a page and checks the PDF against e. */
static void check_image(fixture *fx, const char *file, const expect *e) {
  char path[4096]; /* file may be in one of tmp_path's rotating buffers */
  snprintf(path, sizeof path, "%s", file);
  rp_image_probe pr;
  rp_image_probe_init(&pr);
  rp_image_info info;
  rp_image_probe_file(&pr, path, &info);
  if (!info.ok) fail_msg("probe refused %s: %s", path, info.problem);
  assert_int_equal(info.width_px, e->file_w);
  assert_int_equal(info.height_px, e->file_h);
  rp_image_probe_fini(&pr);

  rp_page *p = add_page(fx);
  add_image(fx, p, add_image_ref(fx, path), IMG_X, IMG_Y, IMG_W, IMG_H);
  char name[300];
  snprintf(name, sizeof name, "%s.pdf", strrchr(path, '/') + 1);
  const char *pdf = render(fx, name);
  if (fx->d.count) rp_test_diag_dump(&fx->d);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);

  listed rows[4];
  int n = list_images(pdf, rows, 4);
  assert_int_equal(n, e->smask ? 2 : 1);
  assert_string_equal(rows[0].type, "image");
  assert_int_equal(rows[0].w, e->w);
  assert_int_equal(rows[0].h, e->h);
  assert_string_equal(rows[0].color, e->color);
  assert_int_equal(rows[0].bpc, 8);
  assert_string_equal(rows[0].enc, e->enc);
  if (e->smask) {
    assert_string_equal(rows[1].type, "smask");
    assert_int_equal(rows[1].w, e->w);
    assert_int_equal(rows[1].h, e->h);
    assert_string_equal(rows[1].color, "gray");
  }

  qpdf_check(pdf);
  check_page_colors(pdf, 1, IMG_X, IMG_Y, IMG_W, IMG_H, e->want, e->tol);
  if (e->lossless) check_embedded_samples(pdf, e);
  if (e->passthrough) {
    const char *root = tmp_path("passthrough");
    rp_test_output r = rp_test_run("rm -f '%s'-*; pdfimages -j '%s' '%s' && cmp '%s-000.jpg' '%s'",
                                   root, pdf, root, root, path);
    if (r.status != 0) fail_msg("%s is not embedded as it is: %s%s", path, r.out, r.err);
    rp_test_output_free(&r);
  }
}

/* ---- PNG ---------------------------------------------------------------- */

/* The quadrant colours: red, green, blue, yellow; and four grey levels. */
static const rgba COLORS[4] = {
    {230, 25, 35, 255}, {20, 170, 60, 255}, {30, 60, 210, 255}, {245, 215, 20, 255}};
static const unsigned GRAYS[4] = {20, 90, 160, 235};
/* Alpha per quadrant for the transparent variants: opaque, half, quarter, none. */
static const unsigned ALPHAS[4] = {255, 128, 64, 0};

/* What a PNG of the test size should give: pixels, lossless, no JPEG. */
static expect png_expect(const char *color, bool smask) {
  return (expect){.file_w = SMALL_PNG_W,
                  .file_h = SMALL_PNG_H,
                  .w = SMALL_PNG_W,
                  .h = SMALL_PNG_H,
                  .color = color,
                  .enc = "image",
                  .smask = smask,
                  .lossless = true,
                  .tol = PNG_TOL};
}

/* Writes and checks an RGB(A) PNG in the given depth and interlacing. */
static void check_rgb_png(fixture *fx, const char *name, int depth, bool alpha, bool interlace) {
  unsigned s[4][4];
  expect e = png_expect("rgb", alpha);
  unsigned scale = depth == 16 ? 257 : 1;
  for (int q = 0; q < 4; q++) {
    e.want[q] = COLORS[q];
    e.want[q].a = alpha ? ALPHAS[q] : 255;
    s[q][0] = COLORS[q].r * scale, s[q][1] = COLORS[q].g * scale, s[q][2] = COLORS[q].b * scale;
    s[q][3] = e.want[q].a * scale;
    /* 16-bit: a low byte unlike the high one, so a swapped or dropped byte shows */
    if (depth == 16)
      for (int c = 0; c < 4; c++) s[q][c] = (s[q][c] & 0xFF00) | 0x2D;
  }
  png_opts o = {.color_type = alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                .depth = depth,
                .interlace = interlace};
  const char *path = tmp_path(name);
  write_png(path, SMALL_PNG_W, SMALL_PNG_H, &o, quadrant_pixel, s);
  check_image(fx, path, &e);
}

static void check_gray_png(fixture *fx, const char *name, int depth, bool alpha) {
  unsigned s[4][4];
  expect e = png_expect("gray", alpha);
  for (int q = 0; q < 4; q++) {
    unsigned a = alpha ? ALPHAS[q] : 255;
    e.want[q] = (rgba){GRAYS[q], GRAYS[q], GRAYS[q], a};
    s[q][0] = depth == 16 ? GRAYS[q] << 8 | 0xA7 : GRAYS[q];
    s[q][1] = depth == 16 ? a << 8 | 0xA7 : a;
  }
  png_opts o = {.color_type = alpha ? PNG_COLOR_TYPE_GRAY_ALPHA : PNG_COLOR_TYPE_GRAY,
                .depth = depth};
  const char *path = tmp_path(name);
  write_png(path, SMALL_PNG_W, SMALL_PNG_H, &o, quadrant_pixel, s);
  check_image(fx, path, &e);
}

static void test_png_rgb8(void **state) { check_rgb_png(*state, "rgb8.png", 8, false, false); }

static void test_png_rgba8_half_transparent(void **state) {
  check_rgb_png(*state, "rgba8.png", 8, true, false);
}

static void test_png_gray8(void **state) { check_gray_png(*state, "gray8.png", 8, false); }

static void test_png_gray_alpha8(void **state) { check_gray_png(*state, "graya8.png", 8, true); }

static void test_png_rgb16(void **state) { check_rgb_png(*state, "rgb16.png", 16, false, false); }

static void test_png_rgba16(void **state) { check_rgb_png(*state, "rgba16.png", 16, true, false); }

static void test_png_gray16(void **state) { check_gray_png(*state, "gray16.png", 16, false); }

static void test_png_interlaced_rgb(void **state) {
  check_rgb_png(*state, "adam7.png", 8, false, true);
}

/* RGB with a tRNS colour key: yellow pixels are transparent. */
static void test_png_rgb_colour_key(void **state) {
  unsigned s[4][4];
  expect e = png_expect("rgb", true);
  for (int q = 0; q < 4; q++) {
    e.want[q] = COLORS[q];
    s[q][0] = COLORS[q].r, s[q][1] = COLORS[q].g, s[q][2] = COLORS[q].b;
  }
  e.want[3].a = 0;
  png_color_16 key = {.red = (png_uint_16)COLORS[3].r,
                      .green = (png_uint_16)COLORS[3].g,
                      .blue = (png_uint_16)COLORS[3].b};
  png_opts o = {.color_type = PNG_COLOR_TYPE_RGB, .depth = 8, .trns_color = &key};
  const char *path = tmp_path("colour-key.png");
  write_png(path, SMALL_PNG_W, SMALL_PNG_H, &o, quadrant_pixel, s);
  check_image(*state, path, &e);
}

/* Palette with a tRNS chunk; 2 bits per pixel, so rows are packed. */
static void test_png_palette_trns(void **state) {
  png_color pal[4];
  png_byte trns[4];
  unsigned s[4][4] = {{0}, {1}, {2}, {3}};
  expect e = png_expect("rgb", true);
  for (int q = 0; q < 4; q++) {
    pal[q] = (png_color){(png_byte)COLORS[q].r, (png_byte)COLORS[q].g, (png_byte)COLORS[q].b};
    trns[q] = (png_byte)ALPHAS[q];
    e.want[q] = COLORS[q];
    e.want[q].a = ALPHAS[q];
  }
  png_opts o = {.color_type = PNG_COLOR_TYPE_PALETTE,
                .depth = 2,
                .palette = pal,
                .n_palette = 4,
                .trns = trns,
                .n_trns = 4};
  const char *path = tmp_path("palette.png");
  write_png(path, SMALL_PNG_W, SMALL_PNG_H, &o, quadrant_pixel, s);
  check_image(*state, path, &e);
}

/* ---- JPEG --------------------------------------------------------------- */

static expect jpeg_expect(const char *color, bool passthrough) {
  return (expect){.file_w = SMALL_JPEG_W,
                  .file_h = SMALL_JPEG_H,
                  .w = SMALL_JPEG_W,
                  .h = SMALL_JPEG_H,
                  .color = color,
                  .enc = "jpeg",
                  .passthrough = passthrough,
                  .tol = JPEG_TOL};
}

static void check_rgb_jpeg(fixture *fx, const char *name, bool progressive) {
  unsigned s[4][4];
  expect e = jpeg_expect("rgb", true);
  for (int q = 0; q < 4; q++) {
    e.want[q] = COLORS[q];
    s[q][0] = COLORS[q].r, s[q][1] = COLORS[q].g, s[q][2] = COLORS[q].b;
  }
  jpeg_opts o = {.in = JCS_RGB, .file = JCS_YCbCr, .progressive = progressive, .quality = 92};
  const char *path = tmp_path(name);
  write_jpeg(path, SMALL_JPEG_W, SMALL_JPEG_H, &o, quadrant_pixel, s);
  check_image(fx, path, &e);
}

static void test_jpeg_baseline_rgb(void **state) { check_rgb_jpeg(*state, "baseline.jpg", false); }

static void test_jpeg_progressive_rgb(void **state) {
  check_rgb_jpeg(*state, "progressive.jpg", true);
}

/* RGB stored without the YCbCr transform: an Adobe marker says so (transform 0). */
static void test_jpeg_rgb_untransformed(void **state) {
  unsigned s[4][4];
  expect e = jpeg_expect("rgb", true);
  for (int q = 0; q < 4; q++) {
    e.want[q] = COLORS[q];
    s[q][0] = COLORS[q].r, s[q][1] = COLORS[q].g, s[q][2] = COLORS[q].b;
  }
  jpeg_opts o = {.in = JCS_RGB, .file = JCS_RGB, .adobe = true, .quality = 92};
  const char *path = tmp_path("adobe-rgb.jpg");
  write_jpeg(path, SMALL_JPEG_W, SMALL_JPEG_H, &o, quadrant_pixel, s);
  check_image(*state, path, &e);
}

static void test_jpeg_gray(void **state) {
  unsigned s[4][4];
  expect e = jpeg_expect("gray", true);
  for (int q = 0; q < 4; q++) {
    e.want[q] = (rgba){GRAYS[q], GRAYS[q], GRAYS[q], 255};
    s[q][0] = GRAYS[q];
  }
  jpeg_opts o = {.in = JCS_GRAYSCALE, .file = JCS_GRAYSCALE, .quality = 92};
  const char *path = tmp_path("gray.jpg");
  write_jpeg(path, SMALL_JPEG_W, SMALL_JPEG_H, &o, quadrant_pixel, s);
  check_image(*state, path, &e);
}

/* CMYK inks per quadrant (255 = full ink) and the RGB they stand for under
 * the naive conversion render/ uses, R = (1 - C)(1 - K). */
static void check_cmyk_jpeg(fixture *fx, const char *name, J_COLOR_SPACE file, bool adobe) {
  static const unsigned INK[4][4] = {
      {10, 230, 220, 20}, {220, 30, 200, 25}, {210, 170, 0, 15}, {5, 30, 230, 10}};
  expect e = jpeg_expect("rgb", false); /* converted to RGB and re-encoded */
  for (int q = 0; q < 4; q++) {
    unsigned k = 255 - INK[q][3];
    e.want[q] = (rgba){(255 - INK[q][0]) * k / 255, (255 - INK[q][1]) * k / 255,
                       (255 - INK[q][2]) * k / 255, 255};
  }
  jpeg_opts o = {.in = JCS_CMYK, .file = file, .adobe = adobe, .quality = 95};
  const char *path = tmp_path(name);
  write_jpeg(path, SMALL_JPEG_W, SMALL_JPEG_H, &o, quadrant_pixel, INK);
  check_image(fx, path, &e);
}

/* Photoshop's way: an Adobe APP14 marker and inverted samples. */
static void test_jpeg_cmyk_adobe_inverted(void **state) {
  check_cmyk_jpeg(*state, "cmyk-adobe.jpg", JCS_CMYK, true);
}

/* Photoshop's other way: the same, colour-transformed to YCCK. */
static void test_jpeg_ycck_adobe_inverted(void **state) {
  check_cmyk_jpeg(*state, "ycck-adobe.jpg", JCS_YCCK, true);
}

/* No Adobe marker: plain CMYK, 0 = no ink. */
static void test_jpeg_cmyk_plain(void **state) {
  check_cmyk_jpeg(*state, "cmyk-plain.jpg", JCS_CMYK, false);
}

/* ---- one XObject, many uses; downsampling ------------------------------- */

static void test_same_image_on_five_pages_is_one_object(void **state) {
  fixture *fx = *state;
  unsigned s[4][4];
  for (int q = 0; q < 4; q++)
    s[q][0] = COLORS[q].r, s[q][1] = COLORS[q].g, s[q][2] = COLORS[q].b, s[q][3] = ALPHAS[q];
  png_opts po = {.color_type = PNG_COLOR_TYPE_RGB_ALPHA, .depth = 8};
  jpeg_opts jo = {.in = JCS_RGB, .file = JCS_YCbCr, .quality = 90};
  const char *png = tmp_path("shared.png"), *jpg = tmp_path("shared.jpg");
  write_png(png, SMALL_PNG_W, SMALL_PNG_H, &po, quadrant_pixel, s);
  write_jpeg(jpg, SMALL_JPEG_W, SMALL_JPEG_H, &jo, quadrant_pixel, s);
  int ip = add_image_ref(fx, png), ij = add_image_ref(fx, jpg);
  for (int i = 0; i < 5; i++) {
    rp_page *p = add_page(fx);
    /* different places and sizes on each page: still one XObject each */
    add_image(fx, p, ip, 10 + i * 5, 10, 100 - i * 10, 75);
    add_image(fx, p, ij, 150, 20 + i * 5, 128, 96);
  }
  const char *pdf = render(fx, "five.pdf");
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);

  listed rows[32];
  int n = list_images(pdf, rows, 32);
  assert_int_equal(n, 15); /* per page: image + smask (PNG), image (JPEG) */
  int png_obj = -1, mask_obj = -1, jpg_obj = -1, pages[6] = {0};
  for (int i = 0; i < n; i++) {
    int *obj = strcmp(rows[i].type, "smask") == 0 ? &mask_obj
               : strcmp(rows[i].enc, "jpeg") == 0 ? &jpg_obj
                                                  : &png_obj;
    if (*obj < 0) *obj = rows[i].object;
    assert_int_equal(rows[i].object, *obj);
    assert_true(rows[i].page >= 1 && rows[i].page <= 5);
    pages[rows[i].page]++;
  }
  for (int pg = 1; pg <= 5; pg++) assert_int_equal(pages[pg], 3);
  /* (pdfimages lists an SMask under the object number of its image) */
  assert_true(png_obj > 0 && mask_obj > 0 && jpg_obj > 0 && png_obj != jpg_obj);

  /* and in the file itself: three image objects in all, one with an SMask */
  rp_test_output r = rp_test_run("qpdf --qdf --object-streams=disable '%s' - | tr -d '\\000'", pdf);
  assert_int_equal(r.status, 0);
  assert_int_equal(count_of(r.out, "/Subtype /Image"), 3);
  assert_int_equal(count_of(r.out, "/SMask "), 1);
  rp_test_output_free(&r);
  qpdf_check(pdf);
}

/* A 4000 × 3000 photo placed at 100 × 75 pt needs 416.7 × 312.5 px at
 * 300 dpi: it is embedded at 417 × 313, colours intact. */
static void test_large_photo_downsampled_to_300dpi(void **state) {
  fixture *fx = *state;
  enum { BIG_W = 4000, BIG_H = 3000 };
  unsigned s[4][4];
  rgba want[4];
  for (int q = 0; q < 4; q++) {
    s[q][0] = COLORS[q].r, s[q][1] = COLORS[q].g, s[q][2] = COLORS[q].b, s[q][3] = 255;
    want[q] = COLORS[q];
  }
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  jpeg_opts jo = {.in = JCS_RGB, .file = JCS_YCbCr, .quality = 85};
  png_opts po = {.color_type = PNG_COLOR_TYPE_RGB, .depth = 8};
  const char *jpg = tmp_path("photo.jpg"), *png = tmp_path("photo.png");
  write_jpeg(jpg, BIG_W, BIG_H, &jo, quadrant_pixel, s);
  write_png(png, BIG_W, BIG_H, &po, quadrant_pixel, s);
  double t_write = seconds_since(&t0);

  rp_image_probe pr;
  rp_image_probe_init(&pr);
  rp_image_info info;
  rp_image_probe_file(&pr, jpg, &info);
  assert_true(info.ok);
  assert_int_equal(info.width_px, BIG_W);
  assert_int_equal(info.height_px, BIG_H);
  rp_image_probe_file(&pr, png, &info);
  assert_true(info.ok);
  assert_int_equal(info.width_px, BIG_W);
  assert_int_equal(info.height_px, BIG_H);
  rp_image_probe_fini(&pr);

  rp_page *p = add_page(fx);
  add_image(fx, p, add_image_ref(fx, jpg), 20, 20, 100, 75);
  /* the PNG twice: the larger placement decides the resolution */
  int ip = add_image_ref(fx, png);
  add_image(fx, p, ip, 150, 20, 50, 37.5);
  add_image(fx, p, ip, 150, 100, 100, 75);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const char *pdf = render(fx, "photo.pdf");
  double t_render = seconds_since(&t0);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);

  listed rows[8];
  int n = list_images(pdf, rows, 8);
  assert_int_equal(n, 3);
  for (int i = 0; i < n; i++) {
    assert_string_equal(rows[i].type, "image");
    assert_int_equal(rows[i].w, 417);
    assert_int_equal(rows[i].h, 313);
    assert_string_equal(rows[i].color, "rgb");
  }
  assert_string_equal(rows[0].enc, "jpeg");
  assert_string_equal(rows[1].enc, "image");
  assert_int_equal(rows[1].object, rows[2].object);
  qpdf_check(pdf);
  check_page_colors(pdf, 1, 20, 20, 100, 75, want, JPEG_TOL);
  check_page_colors(pdf, 1, 150, 100, 100, 75, want, PNG_TOL);
  fprintf(stderr, "4000x3000 JPEG + PNG: written in %.2f s, rendered in %.2f s\n", t_write,
          t_render);
}

/* ---- broken files ------------------------------------------------------- */

typedef struct broken {
  const char *name;
  const char *problem; /* part of the probe's problem text and of the warning */
} broken;

/* Makes every broken file from good ones; returns how many. */
static int make_broken(broken *out) {
  /* a good base PNG: noise, so IDAT is large and spans several chunks */
  char noisy[4096], small[4096], jpg[4096]; /* tmp_path's buffers rotate */
  snprintf(noisy, sizeof noisy, "%s", tmp_path("noise.png"));
  snprintf(small, sizeof small, "%s", tmp_path("base.png"));
  snprintf(jpg, sizeof jpg, "%s", tmp_path("base.jpg"));
  png_opts po = {.color_type = PNG_COLOR_TYPE_RGB, .depth = 8};
  write_png(noisy, 200, 150, &po, noise_pixel, NULL);
  write_png(small, 16, 16, &po, noise_pixel, NULL);
  jpeg_opts jo = {.in = JCS_RGB, .file = JCS_YCbCr, .quality = 90};
  write_jpeg(jpg, 200, 150, &jo, noise_pixel, NULL);
  size_t len;
  int n = 0;

  /* cut in the middle of the last IDAT chunk: nearly every row is there */
  uint8_t *d = slurp(noisy, &len);
  size_t idat = png_last_chunk(d, len, "IDAT");
  assert_true(idat > 0);
  spill(tmp_path("cut-idat.png"), d, idat + 8 + be32(d + idat) / 2);
  out[n++] = (broken){"cut-idat.png", "PNG file cannot be decoded (truncated"};

  /* one bit of the first IDAT's CRC flipped (a critical chunk) */
  for (size_t pos = 8; pos + 12 <= len; pos += 12 + be32(d + pos))
    if (memcmp(d + pos + 4, "IDAT", 4) == 0) {
      d[pos + 8 + be32(d + pos) + 3] ^= 0x01;
      break;
    }
  spill(tmp_path("bad-crc.png"), d, len);
  out[n++] = (broken){"bad-crc.png", "PNG file cannot be decoded (corrupt data"};
  free(d);

  /* compressed data changed inside IDAT, CRC recomputed: only zlib's
   * Adler-32 (or the inflater itself) can notice */
  d = slurp(noisy, &len);
  for (size_t pos = 8; pos + 12 <= len; pos += 12 + be32(d + pos))
    if (memcmp(d + pos + 4, "IDAT", 4) == 0) {
      size_t n_data = be32(d + pos);
      for (size_t k = n_data / 2; k < n_data / 2 + 16; k++) d[pos + 8 + k] ^= 0x55;
      put_be32(d + pos + 8 + n_data, crc32_of(d + pos + 4, 4 + n_data));
      break;
    }
  spill(tmp_path("bad-zlib.png"), d, len);
  out[n++] = (broken){"bad-zlib.png", "PNG file cannot be decoded (corrupt data"};
  free(d);

  spill(tmp_path("empty.png"), (const uint8_t *)"", 0);
  out[n++] = (broken){"empty.png", "size (0 bytes)"};

  rp_test_write("text.png", "This is not a picture.\nJust text with a .png name.\n");
  out[n++] = (broken){"text.png", "neither a PNG nor a JPEG"};

  d = slurp(jpg, &len);
  spill(tmp_path("cut.jpg"), d, len * 6 / 10);
  out[n++] = (broken){"cut.jpg", "JPEG file is truncated"};
  free(d);

  /* a JPEG frame header holds 16-bit sizes: 65500 (libjpeg's maximum) is
   * the closest to 100000 a JPEG can claim; 8000 × 8000 passes the side
   * limit and fails the pixel count */
  jpeg_with_size(jpg, tmp_path("huge.jpg"), 65500, 65500);
  out[n++] = (broken){"huge.jpg", "65500 x 65500 px"};
  jpeg_with_size(jpg, tmp_path("many.jpg"), 8000, 8000);
  out[n++] = (broken){"many.jpg", "8000 x 8000 px"};

  png_with_size(small, tmp_path("huge.png"), 100000, 100000);
  out[n++] = (broken){"huge.png", "100000 x 100000 px"};
  png_with_size(small, tmp_path("many.png"), 15000, 15000);
  out[n++] = (broken){"many.png", "15000 x 15000 px"};
  return n;
}

static void test_broken_files_warn_and_probe_refuses(void **state) {
  fixture *fx = *state;
  broken cases[16];
  int n = make_broken(cases);

  rp_image_probe pr;
  rp_image_probe_init(&pr);
  for (int i = 0; i < n; i++) {
    rp_image_info info;
    rp_image_probe_file(&pr, tmp_path(cases[i].name), &info);
    if (info.ok || !strstr(info.problem, cases[i].problem))
      fail_msg("probe of %s: ok %d, problem \"%s\", expected \"%s\"", cases[i].name, info.ok,
               info.problem, cases[i].problem);
    assert_false(info.missing);
  }
  rp_image_info info;
  rp_image_probe_file(&pr, tmp_path("no-such-file.png"), &info);
  assert_false(info.ok);
  assert_true(info.missing);
  rp_image_probe_fini(&pr);

  /* every broken file drawn twice, around one good image */
  unsigned s[4][4];
  for (int q = 0; q < 4; q++) s[q][0] = COLORS[q].r, s[q][1] = COLORS[q].g, s[q][2] = COLORS[q].b;
  png_opts po = {.color_type = PNG_COLOR_TYPE_RGB, .depth = 8};
  const char *good = tmp_path("good.png");
  write_png(good, SMALL_PNG_W, SMALL_PNG_H, &po, quadrant_pixel, s);
  rp_page *p = add_page(fx);
  add_image(fx, p, add_image_ref(fx, good), IMG_X, IMG_Y, IMG_W, IMG_H); /* image 0 */
  for (int i = 0; i < n; i++)
    add_image(fx, p, add_image_ref(fx, tmp_path(cases[i].name)), 5, 5, 40, 30);
  p = add_page(fx);
  for (int i = 0; i < n; i++) add_image(fx, p, 1 + i, 5 + i, 5, 40, 30);

  const char *pdf = render(fx, "broken.pdf");
  assert_int_equal(fx->d.errors, 0);
  if (fx->d.warnings != (size_t)n) rp_test_diag_dump(&fx->d);
  assert_int_equal(fx->d.warnings, (size_t)n); /* once per file, not per item */
  for (int i = 0; i < n; i++) {
    char want[4400];
    snprintf(want, sizeof want, "image %s is left out", tmp_path(cases[i].name));
    if (!rp_test_diag_has(&fx->d, want) || !rp_test_diag_has(&fx->d, cases[i].problem)) {
      rp_test_diag_dump(&fx->d);
      fail_msg("no warning \"%s … %s\"", want, cases[i].problem);
    }
  }
  listed rows[4];
  assert_int_equal(list_images(pdf, rows, 4), 1);
  assert_int_equal(rows[0].w, SMALL_PNG_W);
  qpdf_check(pdf);
  rgba want[4];
  for (int q = 0; q < 4; q++) want[q] = COLORS[q];
  check_page_colors(pdf, 1, IMG_X, IMG_Y, IMG_W, IMG_H, want, PNG_TOL);
}

/* AddressSanitizer reserves terabytes of address space up front: no cap then. */
#if defined(__SANITIZE_ADDRESS__)
#define CAP_ADDRESS_SPACE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAP_ADDRESS_SPACE 0
#endif
#endif
#ifndef CAP_ADDRESS_SPACE
#define CAP_ADDRESS_SPACE 1
#endif

/* Address space in use now, bytes (/proc/self/statm: size in pages). */
static size_t address_space(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* Headers that claim billions of pixels are refused from the header alone:
 * with the address space capped at 512 MB above what is in use (not under
 * AddressSanitizer, which reserves terabytes), an attempt to allocate the
 * pixels would fail as "out of memory" instead of naming the size. */
static void test_huge_headers_refused_before_allocating(void **state) {
  fixture *fx = *state;
  broken cases[16];
  int n = make_broken(cases);
  const char *huge[] = {"huge.jpg", "many.jpg", "huge.png", "many.png"};
  const char *size_text[4] = {0};
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 4; k++)
      if (strcmp(cases[i].name, huge[k]) == 0) size_text[k] = cases[i].problem;
  rp_page *p = add_page(fx);
  for (int k = 0; k < 4; k++)
    add_image(fx, p, add_image_ref(fx, tmp_path(huge[k])), 10, 10, 50, 50);

  rp_image_info info[4];
  rp_status st;
  struct timespec t0;
  bool capped = false;
  struct rlimit old = {0};
  if (CAP_ADDRESS_SPACE) {
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    struct rlimit cap = old;
    cap.rlim_cur = address_space() + 512u * 1024u * 1024u;
    if (old.rlim_max == RLIM_INFINITY || cap.rlim_cur < old.rlim_max)
      capped = setrlimit(RLIMIT_AS, &cap) == 0;
  }
  /* no cmocka assertions until the cap is lifted */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rp_image_probe pr;
  rp_image_probe_init(&pr);
  for (int k = 0; k < 4; k++) rp_image_probe_file(&pr, tmp_path(huge[k]), &info[k]);
  rp_image_probe_fini(&pr);
  st = rp_render_pdf(&fx->doc, NULL, tmp_path("huge.pdf"), &fx->d);
  double took = seconds_since(&t0);
  if (capped) setrlimit(RLIMIT_AS, &old);

  assert_int_equal(st, RP_OK);
  assert_int_equal(fx->d.warnings, 4);
  for (int k = 0; k < 4; k++) {
    assert_non_null(size_text[k]);
    if (info[k].ok || !strstr(info[k].problem, size_text[k]) ||
        !strstr(info[k].problem, "at most 20000 px a side and 50 million px"))
      fail_msg("probe of %s: \"%s\"", huge[k], info[k].problem);
    assert_true(rp_test_diag_has(&fx->d, tmp_path(huge[k])));
    assert_true(rp_test_diag_has(&fx->d, size_text[k]));
  }
  assert_false(rp_test_diag_has(&fx->d, "out of memory"));
  assert_true(took < 1.0);
  fprintf(stderr, "huge headers refused in %.3f s (address space %s)\n", took,
          capped ? "capped" : "not capped");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_png_rgb8, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_rgba8_half_transparent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_gray8, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_gray_alpha8, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_rgb_colour_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_palette_trns, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_rgb16, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_rgba16, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_gray16, setup, teardown),
      cmocka_unit_test_setup_teardown(test_png_interlaced_rgb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_baseline_rgb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_progressive_rgb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_rgb_untransformed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_gray, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_cmyk_adobe_inverted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_ycck_adobe_inverted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_cmyk_plain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_same_image_on_five_pages_is_one_object, setup, teardown),
      cmocka_unit_test_setup_teardown(test_large_photo_downsampled_to_300dpi, setup, teardown),
      cmocka_unit_test_setup_teardown(test_broken_files_warn_and_probe_refuses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_huge_headers_refused_before_allocating, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
