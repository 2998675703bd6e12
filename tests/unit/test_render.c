/* test_render — the PDF back end, checked with the real tools: documents
 * built by hand in an arena are rendered to temporary files, then read back
 * with pdftotext, pdffonts, pdfinfo, pdfimages and qpdf (poppler-utils,
 * qpdf). Images are written here with Cairo (PNG) and libjpeg (JPEG). */
#define _GNU_SOURCE /* dladdr, RTLD_DEFAULT */
#include <cairo.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

/* jpeglib.h needs stdio.h first */
#include <hpdf_utils.h>
#include <jpeglib.h>

#include "testutil.h"

#include "base/arena.h"
#include "base/limits.h"
#include "base/mem.h"
#include "font/font.h"
#include "layout/inline.h"
#include "page/items.h"
#include "render/flate.h"
#include "render/img.h"
#include "render/pdf.h"
#include "render/probe.h"
#include "render/render.h"

#define A4_W 595.2756
#define A4_H 841.8898

/* ---- running tools ------------------------------------------------------ */

typedef struct run_result {
  int status;
  char *out; /* stdout, malloc'd */
  char *err; /* stderr, malloc'd */
} run_result;

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return strdup("");
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  size_t r;
  while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (cap - n < 2) b = realloc(b, cap *= 2);
  }
  b[n] = '\0';
  fclose(f);
  if (len) *len = n;
  return b;
}

/* Runs a shell command; captures stdout and stderr. */
static run_result run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static run_result run(const char *fmt, ...) {
  char cmd[4096], full[8400], errpath[4200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  snprintf(errpath, sizeof errpath, "%s/stderr.txt", rp_test_tmpdir());
  snprintf(full, sizeof full, "%s 2>'%s'", cmd, errpath);
  run_result r = {0};
  FILE *pp = popen(full, "r");
  assert_non_null(pp);
  size_t cap = 65536, n = 0, k;
  r.out = malloc(cap);
  while ((k = fread(r.out + n, 1, cap - n - 1, pp)) > 0) {
    n += k;
    if (cap - n < 2) r.out = realloc(r.out, cap *= 2);
  }
  r.out[n] = '\0';
  int st = pclose(pp);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(errpath, NULL);
  return r;
}

static void run_free(run_result *r) {
  free(r->out);
  free(r->err);
}

static int count_of(const char *hay, const char *needle) {
  int n = 0;
  for (const char *s = hay; (s = strstr(s, needle)); s += strlen(needle)) n++;
  return n;
}

/* True when `out` (pdfinfo-style "Key:   value" lines) has key with a value
 * starting with `value`. */
static bool has_field(const char *out, const char *key, const char *value) {
  size_t kl = strlen(key);
  for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    if (strncmp(l, key, kl) != 0 || l[kl] != ':') continue;
    const char *v = l + kl + 1;
    while (*v == ' ') v++;
    if (strncmp(v, value, strlen(value)) == 0) return true;
  }
  return false;
}

static const char *tmp_path(const char *name) {
  static char bufs[8][4096];
  static int slot;
  char *b = bufs[slot++ % 8];
  snprintf(b, 4096, "%s/%s", rp_test_tmpdir(), name);
  return b;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* ---- test images -------------------------------------------------------- */

/* A w×h PNG: colour bands; with alpha, a transparent left half. */
static void write_png(const char *path, int w, int h, bool alpha) {
  cairo_surface_t *s =
      cairo_image_surface_create(alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0.1, 0.4, 0.8);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.9, 0.2, 0.1);
  cairo_rectangle(cr, 0, h / 2.0, w, h / 2.0);
  cairo_fill(cr);
  if (alpha) {
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_rectangle(cr, 0, 0, w / 2.0, h);
    cairo_fill(cr);
  }
  cairo_destroy(cr);
  assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(s);
}

static void write_truncated(const char *src, const char *dst, double keep) {
  size_t n;
  char *b = slurp(src, &n);
  FILE *f = fopen(dst, "wb");
  assert_non_null(f);
  fwrite(b, 1, (size_t)(n * keep), f);
  fclose(f);
  free(b);
}

static void write_jpeg_cs(const char *path, int w, int h, J_COLOR_SPACE cs) {
  struct jpeg_compress_struct ci;
  struct jpeg_error_mgr jerr;
  ci.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&ci);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  jpeg_stdio_dest(&ci, f);
  ci.image_width = (JDIMENSION)w;
  ci.image_height = (JDIMENSION)h;
  int comps = cs == JCS_GRAYSCALE ? 1 : cs == JCS_CMYK ? 4 : 3;
  ci.input_components = comps;
  ci.in_color_space = cs;
  jpeg_set_defaults(&ci);
  jpeg_set_quality(&ci, 85, TRUE);
  jpeg_start_compress(&ci, TRUE);
  unsigned char *row = malloc((size_t)w * 4);
  while (ci.next_scanline < ci.image_height) {
    for (int x = 0; x < w; x++) {
      unsigned char v[4] = {(unsigned char)(x * 255 / w),
                            (unsigned char)(ci.next_scanline * 255 / ci.image_height), 128, 40};
      memcpy(row + x * comps, v, (size_t)comps);
    }
    JSAMPROW rows[1] = {row};
    jpeg_write_scanlines(&ci, rows, 1);
  }
  jpeg_finish_compress(&ci);
  jpeg_destroy_compress(&ci);
  fclose(f);
  free(row);
}

static void write_jpeg(const char *path, int w, int h) { write_jpeg_cs(path, w, h, JCS_RGB); }

/* ---- building documents ------------------------------------------------- */

typedef struct fixture {
  rp_arena *a;
  rp_fontset fs;
  int regular, bold, italic;
  rp_layout_doc doc;
  rp_diag d;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  fx->a = rp_arena_new();
  rp_fontset_init(&fx->fs);
  rp_diag_init(&fx->d);
  fx->regular = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Regular.ttf");
  fx->bold = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Bold.ttf");
  fx->italic = rp_test_font(&fx->fs, &fx->d, "fonts/OpenSans-Italic.ttf");
  fx->doc.fonts = &fx->fs;
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  rp_diag_fini(&fx->d);
  rp_fontset_fini(&fx->fs);
  rp_arena_free(fx->a);
  free(fx);
  return 0;
}

static rp_page *add_page(fixture *fx, const char *label) {
  rp_page *p = rp_vec_push(fx->a, &fx->doc.pages, sizeof *p);
  p->width = A4_W;
  p->height = A4_H;
  p->label = label;
  p->master = "body";
  return p;
}

static rp_page *page_n(fixture *fx, size_t i) { return &RP_VEC_AT(fx->doc.pages, rp_page, i); }

static rp_item *add_text(fixture *fx, rp_page *p, double x, double y, int font, double size,
                         const char *text) {
  rp_item *it = rp_page_add(fx->a, p, RP_ITEM_TEXT);
  it->x = x;
  it->y = y;
  it->h = size;
  it->u.text.text = text;
  it->u.text.font = font;
  it->u.text.size = size;
  it->u.text.color = (rp_color){0.1f, 0.1f, 0.1f, 1};
  it->w = rp_font_width(rp_fontset_get(&fx->fs, font), text, strlen(text), size, 0);
  return it;
}

static rp_item *add_shape(fixture *fx, rp_page *p, rp_item_kind k, double x, double y, double w,
                          double h) {
  rp_item *it = rp_page_add(fx->a, p, k);
  it->x = x, it->y = y, it->w = w, it->h = h;
  it->u.shape.fill = (rp_color){0.2f, 0.5f, 0.3f, 1};
  it->u.shape.stroke = (rp_color){0, 0, 0, 1};
  it->u.shape.stroke_width = 1;
  return it;
}

static int add_image_ref(fixture *fx, const char *path) {
  rp_image_ref *r = rp_vec_push(fx->a, &fx->doc.images, sizeof *r);
  r->path = rp_arena_strdup(fx->a, path);
  return (int)fx->doc.images.len - 1;
}

static rp_item *add_image(fixture *fx, rp_page *p, int image, double x, double y, double w,
                          double h) {
  rp_item *it = rp_page_add(fx->a, p, RP_ITEM_IMAGE);
  it->x = x, it->y = y, it->w = w, it->h = h;
  it->u.image.image = image;
  it->src.layout_file = "layouts/test.xml";
  it->src.layout_line = 42;
  return it;
}

static rp_item *add_bookmark(fixture *fx, rp_page *p, const char *title, int level, double y) {
  rp_item *it = rp_page_add(fx->a, p, RP_ITEM_BOOKMARK);
  it->y = y;
  it->u.bookmark.title = title;
  it->u.bookmark.level = level;
  return it;
}

static const char *NON_ASCII = "£9.5bn – Co‑operative’s";

/* A page of text in two faces, with info strings. */
static void build_text_doc(fixture *fx) {
  rp_page *p = add_page(fx, NULL);
  add_text(fx, p, 72, 100, fx->bold, 18, "Annual Review 2024");
  add_text(fx, p, 72, 130, fx->regular, 10, NON_ASCII);
  add_text(fx, p, 72, 145, fx->regular, 10, "plain words here");
  fx->doc.info.title = "Annual Review – 2024";
  fx->doc.info.author = "Zoë Example";
  fx->doc.info.subject = "Results";
  fx->doc.info.lang = "en-GB";
}

static rp_status render(fixture *fx, const char *name, const char *epoch) {
  rp_render_opts o = {.source_date_epoch = epoch};
  rp_status st = rp_render_pdf(&fx->doc, &o, tmp_path(name), &fx->d);
  if (st != RP_OK) rp_test_diag_dump(&fx->d);
  return st;
}

/* ---- tests -------------------------------------------------------------- */

/* Path items (charts, the map): filled with the non-zero or even-odd rule,
 * stroked, segments replayed with y flipped — read back as pixels. */
static rp_item *add_path(fixture *fx, rp_page *p, const rp_path_op *ops, size_t n, rp_color fill) {
  rp_item *it = rp_page_add(fx->a, p, RP_ITEM_PATH);
  rp_path_op *copy = rp_arena_alloc(fx->a, n * sizeof *copy);
  memcpy(copy, ops, n * sizeof *copy);
  it->u.path.ops = copy;
  it->u.path.n_ops = n;
  it->u.path.fill = fill;
  return it;
}

static unsigned pixel_red(cairo_surface_t *s, int x, int y) {
  const uint8_t *row = cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s);
  return (((const uint32_t *)row)[x] >> 16) & 0xff;
}

static void test_paths_drawn(void **state) {
  fixture *fx = *state;
  rp_page *p = add_page(fx, NULL);
  rp_color red = {1, 0, 0, 1};
  /* two nested squares: even-odd leaves a hole, non-zero (same winding) does not */
  const rp_path_op rings[] = {
      {RP_PATH_MOVE, {100}, {100}}, {RP_PATH_LINE, {200}, {100}}, {RP_PATH_LINE, {200}, {200}},
      {RP_PATH_LINE, {100}, {200}}, {RP_PATH_CLOSE, {0}, {0}},    {RP_PATH_MOVE, {130}, {130}},
      {RP_PATH_LINE, {170}, {130}}, {RP_PATH_LINE, {170}, {170}}, {RP_PATH_LINE, {130}, {170}},
      {RP_PATH_CLOSE, {0}, {0}},
  };
  add_path(fx, p, rings, 10, red)->u.path.even_odd = true;
  rp_path_op shifted[10];
  memcpy(shifted, rings, sizeof rings);
  for (int i = 0; i < 10; i++) shifted[i].y[0] += 200;
  add_path(fx, p, shifted, 10, red);
  /* a curve from (300,100) bulging down to (400,100): filled below the chord */
  const rp_path_op curve[] = {{RP_PATH_MOVE, {300}, {100}},
                              {RP_PATH_CURVE, {300, 400, 400}, {180, 180, 100}},
                              {RP_PATH_CLOSE, {0}, {0}}};
  add_path(fx, p, curve, 3, red);
  /* nothing drawable (no move) is skipped, not an error */
  add_path(fx, p, curve + 1, 1, red);
  assert_int_equal(render(fx, "paths.pdf", NULL), RP_OK);

  rp_test_output r = rp_test_run("pdftoppm -r 72 -png -f 1 -l 1 -singlefile '%s' '%s'",
                                 tmp_path("paths.pdf"), tmp_path("paths"));
  assert_int_equal(r.status, 0);
  rp_test_output_free(&r);
  cairo_surface_t *s = cairo_image_surface_create_from_png(tmp_path("paths.png"));
  assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  assert_true(pixel_red(s, 110, 110) > 200 && pixel_red(s, 150, 150) == 255);
  /* the even-odd hole is white: green channel high */
  const uint8_t *row = cairo_image_surface_get_data(s) + 150 * cairo_image_surface_get_stride(s);
  assert_true(((((const uint32_t *)row)[150] >> 8) & 0xff) > 200);
  row = cairo_image_surface_get_data(s) + 350 * cairo_image_surface_get_stride(s);
  assert_true(((((const uint32_t *)row)[150] >> 8) & 0xff) < 60); /* non-zero: filled */
  row = cairo_image_surface_get_data(s) + 140 * cairo_image_surface_get_stride(s);
  assert_true(((((const uint32_t *)row)[350] >> 8) & 0xff) < 60); /* below the chord */
  row = cairo_image_surface_get_data(s) + 90 * cairo_image_surface_get_stride(s);
  assert_true(((((const uint32_t *)row)[350] >> 8) & 0xff) >
              200); /* above it: paper (y flipped right) */
  cairo_surface_destroy(s);
}
/* A path's operators are written compactly: coordinates to 1/10 pt, and
 * the move Cairo adds after each close only when a segment follows it. */
static void test_path_operators_compact(void **state) {
  fixture *fx = *state;
  rp_page *p = add_page(fx, NULL);
  const rp_path_op ops[] = {
      {RP_PATH_MOVE, {100.123}, {100}}, {RP_PATH_LINE, {200.66}, {100}},
      {RP_PATH_LINE, {200.66}, {150}},  {RP_PATH_CLOSE, {0}, {0}},
      {RP_PATH_MOVE, {100.123}, {100}}, {RP_PATH_MOVE, {300}, {100}},
      {RP_PATH_LINE, {350}, {100}},     {RP_PATH_LINE, {350}, {150}},
      {RP_PATH_CLOSE, {0}, {0}},        {RP_PATH_MOVE, {300}, {100}},
  };
  add_path(fx, p, ops, sizeof ops / sizeof ops[0], (rp_color){1, 0, 0, 1});
  /* a line of 40 segments, straight but for one point 0.5 pt off it and
   * one 0.02 pt off it: thinned to its ends and the corners around the
   * first */
  rp_path_op seg[41];
  seg[0] = (rp_path_op){RP_PATH_MOVE, {100}, {400}};
  for (int i = 1; i <= 40; i++)
    seg[i] = (rp_path_op){RP_PATH_LINE,
                          {100 + 5.0 * i},
                          {i == 20   ? 400.5
                           : i == 30 ? 400.02
                                     : 400}};
  rp_item *line = add_path(fx, p, seg, 41, (rp_color){0});
  line->u.path.stroke = (rp_color){0, 0, 0, 1};
  line->u.path.stroke_width = 1;
  assert_int_equal(render(fx, "compact.pdf", NULL), RP_OK);
  run_result r =
      run("qpdf --qdf --object-streams=disable '%s' - | tr -d '\\000'", tmp_path("compact.pdf"));
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "100.1 "));
  assert_non_null(strstr(r.out, "200.7 "));
  assert_null(strstr(r.out, "100.12"));
  assert_null(strstr(r.out, "200.66"));
  assert_int_equal(count_of(r.out, " m\n"), 3);     /* one per ring, and the line's */
  assert_int_equal(count_of(r.out, " l\n"), 4 + 4); /* the rings', the line's */
  assert_non_null(
      strstr(r.out, "100 441.9 m\n195 441.9 l\n200 441.4 l\n205 441.9 l\n300 441.9 l\n"));
  assert_int_equal(count_of(r.out, "h\nf\n"), 1);
  assert_int_equal(count_of(r.out, "h\n300 "), 1);
  run_free(&r);
}

static void test_text_extracts_without_cmap_warning(void **state) {
  fixture *fx = *state;
  build_text_doc(fx);
  assert_int_equal(render(fx, "text.pdf", NULL), RP_OK);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  run_result r = run("pdftotext -enc UTF-8 '%s' -", tmp_path("text.pdf"));
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "Annual Review 2024"));
  assert_non_null(strstr(r.out, NON_ASCII));
  assert_non_null(strstr(r.out, "plain words here"));
  assert_null(strstr(r.err, "Invalid"));
  assert_string_equal(r.err, "");
  run_free(&r);
  fprintf(stderr, "one-page text PDF (2 faces): %ld bytes\n", file_size(tmp_path("text.pdf")));
}

/* A text object begins with the font, size and colour the last one left
 * set when only shapes (each in its q…Q) were drawn between them: three
 * text objects, Tf written twice, since an underline's colour (set outside
 * any q…Q) ends what the second left. The words still read in order. */
static void test_text_state_carried(void **state) {
  fixture *fx = *state;
  rp_page *pg = add_page(fx, "1");
  add_text(fx, pg, 72, 100, fx->regular, 10, "first");
  add_shape(fx, pg, RP_ITEM_RECT, 72, 120, 100, 20);
  add_text(fx, pg, 72, 160, fx->regular, 10, "second")->u.text.underline = true;
  add_shape(fx, pg, RP_ITEM_RECT, 72, 180, 100, 20);
  add_text(fx, pg, 72, 220, fx->regular, 10, "third");
  assert_int_equal(render(fx, "carry.pdf", NULL), RP_OK);
  run_result r =
      run("qpdf --qdf --object-streams=disable '%s' - | tr -d '\\000'", tmp_path("carry.pdf"));
  assert_int_equal(r.status, 0);
  assert_int_equal(count_of(r.out, "BT\n"), 3);
  assert_int_equal(count_of(r.out, " Tf\n"), 2);
  assert_int_equal(count_of(r.out, "0 Tc\n"), 2);
  run_free(&r);
  r = run("pdftotext -raw '%s' -", tmp_path("carry.pdf"));
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "first\nsecond\nthird\n"));
  run_free(&r);
}

/* Kerned text as layout sets it and render draws it (in pieces, libharu
 * having no TJ): pdftotext still reads every word whole, and poppler's word
 * boxes start and end where layout measured them (within 0.05 pt); with
 * tracking too. The unkerned line is the control: kerning really moved text. */
static void test_kerned_text_extracts_and_measures(void **state) {
  fixture *fx = *state;
  rp_page *pg = add_page(fx, "1");
  const char *text = "AVAST Today Tyrannical";
  static const char *const words[] = {"AVAST", "Today", "Tyrannical"};
  static const size_t starts[] = {0, 6, 12};
  static const double tracking[] = {0, 60, 0};
  static const bool kern[] = {true, true, false};
  static rp_style st[3];
  double expect_x[3][3], expect_w[3][3];
  for (int i = 0; i < 3; i++) {
    st[i] = (rp_style){.font = fx->regular,
                       .size = 24,
                       .leading = 30,
                       .tracking = tracking[i],
                       .kerning = kern[i],
                       .color = {0, 0, 0, 1}};
    rp_span sp = {.text = text, .style = &st[i]};
    rp_lines ls;
    assert_int_equal(rp_inline_break(fx->a, &fx->fs, &sp, 500, 0, RP_ALIGN_LEFT, &ls, &fx->d),
                     RP_OK);
    assert_int_equal(ls.n, 1);
    const rp_line *ln = &ls.lines[0];
    assert_int_equal(ln->n_frags, 1); /* one item: the words share it */
    rp_item *it = rp_page_add(fx->a, pg, RP_ITEM_TEXT);
    rp_frag_to_item(&ln->frags[0], 50 + ln->frags[0].x, 100 + 60.0 * i, it);
    assert_true(it->u.text.kern == kern[i]);
    const rp_font *f = rp_fontset_get(&fx->fs, fx->regular);
    assert_true(fabs(it->w - rp_font_measure(f, text, strlen(text), 24, tracking[i], kern[i])) <
                1e-9);
    for (int j = 0; j < 3; j++) {
      expect_x[i][j] = it->x + rp_font_measure(f, text, starts[j], 24, tracking[i], kern[i]);
      /* poppler's box ends at the last glyph, before its tracking */
      expect_w[i][j] = rp_font_measure(f, words[j], strlen(words[j]), 24, tracking[i], kern[i]) -
                       tracking[i] * 24 / 1000;
    }
  }
  assert_int_equal(render(fx, "kern.pdf", NULL), RP_OK);
  /* a kerned line is one TJ whose numbers move its pieces (the kerning in
   * thousandths of an em: AV pulls in by 20), not a Td and Tj per piece */
  run_result r =
      run("qpdf --qdf --object-streams=disable '%s' - | tr -d '\\000'", tmp_path("kern.pdf"));
  assert_int_equal(r.status, 0);
  assert_int_equal(count_of(r.out, "]TJ\n"), 2);
  assert_int_equal(count_of(r.out, "Tj\n"), 1);
  assert_int_equal(count_of(r.out, " Td\n"), 3);
  assert_non_null(strstr(r.out, ">20<"));
  run_free(&r);
  /* as written (qpdf's normalising writes strings in hex): literal strings
   * of the codes' bytes, half the characters of hex, kerned or not */
  r = run("qpdf --qdf --normalize-content=n --object-streams=disable '%s' - | tr -d '\\000'",
          tmp_path("kern.pdf"));
  assert_int_equal(r.status, 0);
  assert_int_equal(count_of(r.out, "[(A)20(V)20(AST T)35(oday T)10(yr)10(annical)]TJ\n"), 2);
  assert_int_equal(count_of(r.out, "(AVAST Today Tyrannical)Tj\n"), 1);
  assert_null(strstr(r.out, "<00410056")); /* libharu's hex of "AV" */
  run_free(&r);
  r = run("pdftotext -enc UTF-8 '%s' -", tmp_path("kern.pdf"));
  assert_int_equal(r.status, 0);
  assert_int_equal(count_of(r.out, "AVAST Today Tyrannical\n"), 3);
  run_free(&r);
  r = run("pdftotext -bbox -enc UTF-8 '%s' -", tmp_path("kern.pdf"));
  assert_int_equal(r.status, 0);
  const char *s = r.out;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      s = strstr(s, "<word ");
      assert_non_null(s);
      double x0, y0, x1, y1;
      char word[64];
      assert_int_equal(
          sscanf(s, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%63[^<]", &x0, &y0,
                 &x1, &y1, word),
          5);
      s++;
      assert_string_equal(word, words[j]);
      if (fabs(x0 - expect_x[i][j]) > 0.05 || fabs((x1 - x0) - expect_w[i][j]) > 0.05)
        fail_msg("line %d \"%s\": poppler x %.3f w %.3f, layout x %.3f w %.3f", i, word, x0,
                 x1 - x0, expect_x[i][j], expect_w[i][j]);
    }
  run_free(&r);
  /* kerning moved the text: AV, VA, To, Ty pull in (Open Sans: -20, -20, -35, -10 /1000 em) */
  assert_true(expect_w[2][0] - expect_w[0][0] > 0.2);
  assert_true(expect_w[2][1] - expect_w[0][1] > 0.2);
  assert_true(expect_w[2][2] - expect_w[0][2] > 0.2);
}

static void test_only_used_faces_embedded(void **state) {
  fixture *fx = *state;
  build_text_doc(fx);
  assert_int_equal(render(fx, "fonts.pdf", NULL), RP_OK);
  run_result r = run("pdffonts '%s'", tmp_path("fonts.pdf"));
  assert_int_equal(r.status, 0);
  /* name type encoding emb sub uni: both used faces embedded, with a
   * ToUnicode map; the italic face is loaded but unused. */
  /* libharu names faces by PostScript name: OpenSans, OpenSans-Bold */
  assert_int_equal(count_of(r.out, "+OpenSans "), 1);
  assert_int_equal(count_of(r.out, "+OpenSans-Bold"), 1);
  assert_null(strstr(r.out, "Italic"));
  assert_int_equal(count_of(r.out, "CID TrueType"), 2);
  char *line = strstr(r.out, "+OpenSans ");
  assert_non_null(line);
  char name[128], t1[32], t2[32], enc[64], emb[8], sub[8], uni[8];
  assert_int_equal(
      sscanf(line, "%127s %31s %31s %63s %7s %7s %7s", name, t1, t2, enc, emb, sub, uni), 7);
  assert_string_equal(emb, "yes");
  assert_string_equal(uni, "yes");
  run_free(&r);
}

static void test_info_pages_and_size(void **state) {
  fixture *fx = *state;
  build_text_doc(fx);
  add_page(fx, NULL);
  assert_int_equal(render(fx, "info.pdf", NULL), RP_OK);
  run_result r = run("pdfinfo -enc UTF-8 '%s'", tmp_path("info.pdf"));
  assert_int_equal(r.status, 0);
  assert_true(has_field(r.out, "Title", "Annual Review – 2024\n"));
  assert_true(has_field(r.out, "Author", "Zoë Example\n"));
  assert_true(has_field(r.out, "Creator", "reviewpdf " RP_VERSION "\n"));
  assert_true(has_field(r.out, "Producer", "reviewpdf " RP_VERSION " (Haru"));
  assert_true(has_field(r.out, "Pages", "2\n"));
  assert_true(has_field(r.out, "Page size", "595.276 x 841.89 pts (A4)"));
  assert_true(has_field(r.out, "PDF version", "1.7")); /* archival (PDF/A-2b) */
  assert_null(strstr(r.out, "CreationDate"));
  assert_null(strstr(r.out, "ModDate"));
  run_free(&r);
}

static void test_source_date_epoch(void **state) {
  fixture *fx = *state;
  build_text_doc(fx);
  assert_int_equal(render(fx, "epoch0.pdf", "0"), RP_OK);
  run_result r = run("pdfinfo -isodates '%s'", tmp_path("epoch0.pdf"));
  assert_true(has_field(r.out, "CreationDate", "1970-01-01T00:00:00Z"));
  assert_true(has_field(r.out, "ModDate", "1970-01-01T00:00:00Z"));
  run_free(&r);
  assert_int_equal(render(fx, "epoch1.pdf", "1700000000"), RP_OK);
  r = run("pdfinfo -isodates '%s'", tmp_path("epoch1.pdf"));
  assert_true(has_field(r.out, "CreationDate", "2023-11-14T22:13:20Z"));
  run_free(&r);

  rp_diag d;
  rp_diag_init(&d);
  rp_render_opts o = {.source_date_epoch = "yesterday"};
  assert_int_equal(rp_render_pdf(&fx->doc, &o, tmp_path("epochbad.pdf"), &d), RP_ERR_USAGE);
  assert_true(rp_test_diag_has(&d, "SOURCE_DATE_EPOCH"));
  assert_int_equal(file_size(tmp_path("epochbad.pdf")), -1);
  rp_diag_fini(&d);
}

/* Everything at once, for qpdf --check and determinism. */
static void build_full_doc(fixture *fx) {
  const char *rgb = tmp_path("rgb.png"), *rgba = tmp_path("rgba.png"), *jpg = tmp_path("p.jpg");
  write_png(rgb, 40, 30, false);
  write_png(rgba, 40, 30, true);
  write_jpeg(jpg, 64, 48);
  int i_rgb = add_image_ref(fx, rgb), i_rgba = add_image_ref(fx, rgba),
      i_jpg = add_image_ref(fx, jpg);

  rp_page *p = add_page(fx, "i");
  add_bookmark(fx, p, "Introduction – über", 1, 72);
  add_text(fx, p, 72, 100, fx->bold, 18, "Annual Review 2024");
  rp_item *t = add_text(fx, p, 72, 130, fx->regular, 10, "tracked and underlined");
  t->u.text.tracking = 50;
  t->w = rp_font_width(rp_fontset_get(&fx->fs, fx->regular), t->u.text.text, strlen(t->u.text.text),
                       10, 50);
  t->u.text.underline = true;
  t->u.text.color = (rp_color){0.8f, 0.1f, 0.1f, 1};
  t = add_text(fx, p, 72, 145, fx->regular, 10, "half transparent");
  t->u.text.color.a = 0.5f;
  add_shape(fx, p, RP_ITEM_RECT, 72, 200, 100, 50);
  rp_item *s = add_shape(fx, p, RP_ITEM_RECT, 200, 200, 100, 50);
  s->u.shape.radius = 10;
  s->u.shape.fill.a = 0.4f;
  s = add_shape(fx, p, RP_ITEM_LINE, 72, 300, 200, 0);
  s->u.shape.stroke_width = 2;
  add_shape(fx, p, RP_ITEM_ELLIPSE, 320, 200, 80, 50);
  add_image(fx, p, i_rgb, 72, 400, 80, 60);
  rp_item *im = add_image(fx, p, i_rgba, 200, 400, 80, 60);
  im->u.image.clip = RP_CLIP_CIRCLE;
  im = add_image(fx, p, i_jpg, 320, 400, 80, 60);
  im->u.image.clip = RP_CLIP_ROUNDED;
  im->u.image.radius = 8;
  im->u.image.sx = 0.25, im->u.image.sy = 0, im->u.image.sw = 0.5, im->u.image.sh = 1;
  rp_item *l = rp_page_add(fx->a, p, RP_ITEM_LINK);
  l->x = 72, l->y = 90, l->w = 200, l->h = 20;
  l->u.link.uri = "https://example.org/annual review/2024";
  l->u.link.dest_page = -1;
  rp_item *c = rp_page_add(fx->a, p, RP_ITEM_CHART);
  c->x = 72, c->y = 500, c->w = 300, c->h = 150;
  c->u.chart.kind = "bar";
  c->u.chart.label = "Income by source";

  p = add_page(fx, "1");
  add_bookmark(fx, p, "Finances", 2, 72);
  add_text(fx, p, 72, 100, fx->regular, 12, "Page two");
  l = rp_page_add(fx->a, p, RP_ITEM_LINK);
  l->x = 72, l->y = 90, l->w = 100, l->h = 14;
  l->u.link.dest_page = 0;
  l->u.link.dest_y = 200;
  add_image(fx, p, i_rgb, 72, 400, 80, 60);

  p = add_page(fx, "2");
  add_image(fx, p, i_rgb, 72, 400, 80, 60);
  fx->doc.info.title = "Full";
}

static void test_full_document_passes_qpdf(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  assert_int_equal(render(fx, "full.pdf", "0"), RP_OK);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  run_result r = run("qpdf --check '%s'", tmp_path("full.pdf"));
  if (r.status != 0) fprintf(stderr, "%s\n%s\n", r.out, r.err);
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "No syntax or stream encoding errors found"));
  run_free(&r);
  r = run("pdftotext '%s' -", tmp_path("full.pdf"));
  assert_string_equal(r.err, "");
  assert_non_null(strstr(r.out, "tracked and underlined") ? strstr(r.out, "Page two") : NULL);
  assert_non_null(strstr(r.out, "Income by source"));
  run_free(&r);
  /* transparency needs PDF 1.4, tagging 1.5, PDF/A-2b is made on 1.7 */
  r = run("pdfinfo '%s'", tmp_path("full.pdf"));
  assert_true(has_field(r.out, "PDF version", "1.7"));
  run_free(&r);
}

/* Two PDFs written in the temporary folder: more than a stub, byte for byte equal. */
static void expect_same_pdfs(const char *name_a, const char *name_b) {
  size_t n1, n2;
  char *a = slurp(tmp_path(name_a), &n1), *b = slurp(tmp_path(name_b), &n2);
  assert_true(n1 > 1000);
  assert_int_equal(n1, n2);
  assert_memory_equal(a, b, n1);
  free(a);
  free(b);
}

static void test_output_is_deterministic(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  assert_int_equal(render(fx, "det1.pdf", NULL), RP_OK);
  assert_int_equal(render(fx, "det2.pdf", NULL), RP_OK);
  expect_same_pdfs("det1.pdf", "det2.pdf");
}

/* A render that succeeded with leave_memory (the process ends next) writes
 * the same file and leaves what it held (libharu's document, the spool):
 * more memory live after it than after one that frees. (Not under ASan,
 * whose leak check would see it.) */
static void test_leave_memory_same_file(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  size_t before = rp_mem_live();
  assert_int_equal(render(fx, "freed.pdf", NULL), RP_OK);
  size_t freed = rp_mem_live() - before;
#ifndef RP_ASAN
  rp_render_opts o = {.leave_memory = true};
  before = rp_mem_live();
  assert_int_equal(rp_render_pdf(&fx->doc, &o, tmp_path("left.pdf"), &fx->d), RP_OK);
  size_t left = rp_mem_live() - before;
  assert_true(left > freed + (64u << 10)); /* the document's objects, at least */
  expect_same_pdfs("freed.pdf", "left.pdf");
#else
  (void)freed;
#endif
}

static void test_image_embedded_once(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  assert_int_equal(render(fx, "images.pdf", NULL), RP_OK);
  run_result r = run("pdfimages -list '%s'", tmp_path("images.pdf"));
  assert_int_equal(r.status, 0);
  /* page num type width height color comp bpc enc interp object ... */
  int rgb_uses = 0, objects[16], n_obj = 0;
  char *line = strchr(strchr(r.out, '\n') + 1, '\n') + 1; /* skip the two header lines */
  for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    int page, num, w, h, comp, bpc, obj;
    char type[16], color[16], enc[16], interp[8];
    if (sscanf(line, "%d %d %15s %d %d %15s %d %d %15s %7s %d", &page, &num, type, &w, &h, color,
               &comp, &bpc, enc, interp, &obj) != 11)
      continue;
    if (w == 40 && h == 30 && strcmp(type, "image") == 0 && strcmp(color, "rgb") == 0) {
      bool seen = false;
      for (int i = 0; i < n_obj; i++) seen |= objects[i] == obj;
      if (!seen && n_obj < 16) objects[n_obj++] = obj;
      rgb_uses++;
    }
  }
  /* the RGB and RGBA PNGs are both 40x30: RGB drawn 3 times, RGBA once */
  assert_int_equal(rgb_uses, 4);
  assert_int_equal(n_obj, 2);
  assert_int_equal(count_of(r.out, "smask"), 1);
  assert_int_equal(count_of(r.out, " jpeg "), 1);
  run_free(&r);
}

static void test_truncated_png_warns(void **state) {
  fixture *fx = *state;
  const char *good = tmp_path("big.png"), *bad = tmp_path("truncated.png");
  write_png(good, 300, 200, false);
  write_truncated(good, bad, 0.5);
  int idx = add_image_ref(fx, bad);
  rp_page *p = add_page(fx, NULL);
  add_text(fx, p, 72, 100, fx->regular, 12, "before");
  add_image(fx, p, idx, 72, 200, 100, 80);
  add_image(fx, p, idx, 72, 300, 100, 80);
  assert_int_equal(render(fx, "trunc.pdf", NULL), RP_OK);
  assert_int_equal(fx->d.errors, 0);
  assert_int_equal(fx->d.warnings, 1); /* once per file, not per item */
  assert_true(rp_test_diag_has(&fx->d, "truncated.png is left out"));
  assert_string_equal(fx->d.entries[0].file, "layouts/test.xml");
  assert_int_equal(fx->d.entries[0].line, 42);
  run_result r = run("qpdf --check '%s'", tmp_path("trunc.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
  r = run("pdfimages -list '%s' | tail -n +3 | wc -l", tmp_path("trunc.pdf"));
  assert_int_equal(atoi(r.out), 0);
  run_free(&r);

  /* with --strict the warning is an error and nothing is written */
  rp_diag d;
  rp_diag_init(&d);
  d.strict = true;
  assert_int_equal(rp_render_pdf(&fx->doc, NULL, tmp_path("strict.pdf"), &d), RP_ERR_INPUT);
  assert_int_equal(file_size(tmp_path("strict.pdf")), -1);
  rp_diag_fini(&d);
}

static void test_corrupt_images_warn(void **state) {
  fixture *fx = *state;
  const char *jpg = tmp_path("t.jpg"), *tj = tmp_path("truncated.jpg"),
             *txt = rp_test_write("notimage.png", "hello, not an image\n");
  write_jpeg(jpg, 200, 150);
  write_truncated(jpg, tj, 0.6);
  rp_page *p = add_page(fx, NULL);
  add_image(fx, p, add_image_ref(fx, tj), 72, 72, 100, 75);
  add_image(fx, p, add_image_ref(fx, txt), 72, 200, 100, 75);
  add_image(fx, p, add_image_ref(fx, tmp_path("missing.png")), 72, 300, 100, 75);
  assert_int_equal(render(fx, "corrupt.pdf", NULL), RP_OK);
  assert_int_equal(fx->d.warnings, 3);
  assert_true(rp_test_diag_has(&fx->d, "JPEG file is truncated"));
  assert_true(rp_test_diag_has(&fx->d, "neither a PNG nor a JPEG"));
  assert_true(rp_test_diag_has(&fx->d, "cannot open"));
}

static void test_large_images_downsampled(void **state) {
  fixture *fx = *state;
  const char *jpg = tmp_path("large.jpg"), *png = tmp_path("large.png");
  write_jpeg(jpg, 2000, 1000);
  write_png(png, 1200, 900, true);
  rp_page *p = add_page(fx, NULL);
  /* 72 x 36 pt at 300 dpi = 300 x 150 px */
  add_image(fx, p, add_image_ref(fx, jpg), 72, 72, 72, 36);
  /* 1 inch square, cropped to its left half: the whole image is 2 x 1 in */
  rp_item *it = add_image(fx, p, add_image_ref(fx, png), 72, 200, 72, 72);
  it->u.image.sw = 0.5, it->u.image.sh = 1;
  assert_int_equal(render(fx, "large.pdf", NULL), RP_OK);
  run_result r = run("pdfimages -list '%s'", tmp_path("large.pdf"));
  assert_non_null(strstr(r.out, "image     300   150  rgb     3   8  jpeg"));
  assert_non_null(strstr(r.out, "image     600   300  rgb     3   8  image"));
  assert_non_null(strstr(r.out, "smask     600   300  gray    1   8  image"));
  run_free(&r);
}

/* Small JPEGs are embedded byte for byte. */
static void test_small_jpeg_passthrough(void **state) {
  fixture *fx = *state;
  const char *jpg = tmp_path("small.jpg");
  write_jpeg(jpg, 64, 48);
  rp_page *p = add_page(fx, NULL);
  add_image(fx, p, add_image_ref(fx, jpg), 72, 72, 200, 150);
  assert_int_equal(render(fx, "small.pdf", NULL), RP_OK);
  const char *dir = tmp_path("extract");
  run_result r = run("mkdir -p '%s' && pdfimages -j '%s' '%s/x' && cmp '%s/x-000.jpg' '%s'", dir,
                     tmp_path("small.pdf"), dir, dir, jpg);
  assert_int_equal(r.status, 0);
  run_free(&r);
}

static void test_links_and_outline(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  rp_item *bad = rp_page_add(fx->a, page_n(fx, 1), RP_ITEM_LINK);
  bad->x = 10, bad->y = 10, bad->w = 10, bad->h = 10;
  bad->u.link.uri = "javascript:alert(1)";
  bad->u.link.dest_page = -1;
  assert_int_equal(render(fx, "links.pdf", NULL), RP_OK);
  assert_int_equal(fx->d.warnings, 1);
  assert_true(rp_test_diag_has(&fx->d, "only http, https, mailto and tel"));
  run_result r =
      run("qpdf --qdf --object-streams=disable '%s' - | tr -d '\\000'", tmp_path("links.pdf"));
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "/URI (https://example.org/annual%20review/2024)"));
  assert_null(strstr(r.out, "javascript"));
  assert_int_equal(count_of(r.out, "/Subtype /Link"), 2);
  assert_int_equal(count_of(r.out, "/Border [\n    0\n    0\n    0\n  ]"), 2);
  /* internal link and bookmarks: /XYZ with null left and zoom */
  assert_true(count_of(r.out, "/XYZ\n") >= 3);
  assert_non_null(strstr(r.out, "/PageMode /UseOutlines"));
  run_free(&r);

  r = run("qpdf --json --json-key=outlines '%s'", tmp_path("links.pdf"));
  assert_int_equal(r.status, 0);
  char *first = strstr(r.out, "\"title\": \"Introduction – über\"");
  char *kid = strstr(r.out, "\"title\": \"Finances\"");
  assert_non_null(first);
  assert_non_null(kid);
  /* "Finances" (level 2) is a kid of "Introduction" (level 1) */
  char *kids = strstr(r.out, "\"kids\": [\n");
  assert_non_null(kids);
  assert_true(kids < kid);
  run_free(&r);
}

static void test_page_labels(void **state) {
  fixture *fx = *state;
  const char *labels[] = {NULL, "i", "ii", "iii", "1", "2", "3", "A-1", "A-2", "Back"};
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) add_page(fx, labels[i]);
  assert_int_equal(render(fx, "labels.pdf", NULL), RP_OK);
  run_result r = run("qpdf --json --json-key=pagelabels '%s'", tmp_path("labels.pdf"));
  assert_int_equal(r.status, 0);
  /* ranges start at pages 0 (empty), 1 (roman), 4 (decimal), 7 (A- prefix), 9 (Back) */
  assert_int_equal(count_of(r.out, "\"index\":"), 5);
  assert_non_null(strstr(r.out, "\"/S\": \"/r\""));
  assert_non_null(strstr(r.out, "\"/S\": \"/D\""));
  assert_non_null(strstr(r.out, "\"/P\": \"u:A-\""));
  assert_non_null(strstr(r.out, "\"/P\": \"u:Back\""));
  run_free(&r);
  /* poppler's view: pdfinfo -l shows nothing about labels, but pdftotext
   * would fail on a broken number tree */
  r = run("qpdf --check '%s'", tmp_path("labels.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
}

static void test_bad_items_are_errors(void **state) {
  fixture *fx = *state;
  rp_page *p = add_page(fx, NULL);
  rp_item *t = add_text(fx, p, 72, 100, fx->regular, 12, "too big");
  t->u.text.size = 900;
  t->src.layout_file = "layouts/x.xml";
  t->src.layout_line = 7;
  rp_item *s = add_shape(fx, p, RP_ITEM_RECT, 0, 0, 10, 10);
  s->x = 0.0 / 0.0;
  rp_status st = rp_render_pdf(&fx->doc, NULL, tmp_path("bad.pdf"), &fx->d);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "font size 900 pt"));
  assert_true(rp_test_diag_has(&fx->d, "shape with invalid numbers"));
  assert_int_equal(fx->d.entries[0].line, 7);
  assert_int_equal(file_size(tmp_path("bad.pdf")), -1);
}

/* A size above 0 as a double but 0 as libharu's float (the initials of an
 * image 1e-308pt wide; found by tests/e2e/test_mutations.sh) is refused like
 * any size PDF cannot take, not left to fail in libharu (exit 3). */
static void test_font_size_zero_as_float(void **state) {
  fixture *fx = *state;
  rp_page *p = add_page(fx, NULL);
  rp_item *t = add_text(fx, p, 72, 100, fx->regular, 12, "AB");
  t->u.text.size = 1e-308;
  t->src.layout_file = "layouts/x.xml";
  t->src.layout_line = 9;
  assert_int_equal(rp_render_pdf(&fx->doc, NULL, tmp_path("tiny.pdf"), &fx->d), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "is outside what PDF allows"));
  assert_int_equal(fx->d.entries[0].line, 9);
  assert_int_equal(file_size(tmp_path("tiny.pdf")), -1);
}

static void test_unembeddable_font_is_input_error(void **state) {
  fixture *fx = *state;
  /* A face whose file turns out not to be TrueType when libharu reads it. */
  rp_font fake = *rp_fontset_get(&fx->fs, fx->regular);
  fake.path = (char *)rp_test_write("fake.ttf", "not a font at all");
  rp_font *fonts[1] = {&fake};
  rp_fontset fs = {.fonts = fonts, .count = 1, .cap = 1};
  fx->doc.fonts = &fs;
  rp_page *p = add_page(fx, NULL);
  add_text(fx, p, 72, 100, 0, 12, "one");
  add_text(fx, p, 72, 120, 0, 12, "two");
  assert_int_equal(rp_render_pdf(&fx->doc, NULL, tmp_path("fake.pdf"), &fx->d), RP_ERR_INPUT);
  assert_int_equal(fx->d.errors, 1); /* reported once, not per item */
  assert_true(rp_test_diag_has(&fx->d, "cannot embed this font"));
  assert_non_null(strstr(fx->d.entries[0].file, "fake.ttf"));
  fx->doc.fonts = &fx->fs;
}

/* A progressive JPEG goes in as it is; one with fill bytes before a marker
 * (legal, but libharu's header scan misreads it) is re-encoded. */
static void test_jpeg_header_variants(void **state) {
  fixture *fx = *state;
  const char *prog = tmp_path("prog.jpg"), *plain = tmp_path("plain.jpg"),
             *fill = tmp_path("fill.jpg");
  /* progressive: write through libjpeg with simple progression */
  struct jpeg_compress_struct ci;
  struct jpeg_error_mgr jerr;
  ci.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&ci);
  FILE *f = fopen(prog, "wb");
  jpeg_stdio_dest(&ci, f);
  ci.image_width = 32, ci.image_height = 24, ci.input_components = 3;
  ci.in_color_space = JCS_RGB;
  jpeg_set_defaults(&ci);
  jpeg_simple_progression(&ci);
  jpeg_start_compress(&ci, TRUE);
  unsigned char row[32 * 3];
  for (int x = 0; x < 32 * 3; x++) row[x] = (unsigned char)(x * 2);
  while (ci.next_scanline < ci.image_height) {
    JSAMPROW rows[1] = {row};
    jpeg_write_scanlines(&ci, rows, 1);
  }
  jpeg_finish_compress(&ci);
  jpeg_destroy_compress(&ci);
  fclose(f);
  /* fill bytes: FF D8 FF FF E0 … */
  write_jpeg(plain, 40, 20);
  size_t n;
  char *b = slurp(plain, &n);
  f = fopen(fill, "wb");
  fwrite(b, 1, 2, f);
  fputc(0xFF, f);
  fwrite(b + 2, 1, n - 2, f);
  fclose(f);
  free(b);

  rp_page *p = add_page(fx, NULL);
  add_image(fx, p, add_image_ref(fx, prog), 72, 72, 100, 75);
  add_image(fx, p, add_image_ref(fx, fill), 72, 200, 100, 50);
  assert_int_equal(render(fx, "variants.pdf", NULL), RP_OK);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  const char *dir = tmp_path("variants");
  run_result r =
      run("mkdir -p '%s' && pdfimages -j '%s' '%s/x' && cmp -s '%s/x-000.jpg' '%s' && "
          "! cmp -s '%s/x-001.jpg' '%s'",
          dir, tmp_path("variants.pdf"), dir, dir, prog, dir, fill);
  assert_int_equal(r.status, 0);
  run_free(&r);
  r = run("pdfimages -list '%s'", tmp_path("variants.pdf"));
  assert_non_null(strstr(r.out, "image      40    20  rgb     3   8  jpeg"));
  run_free(&r);
}

static void test_gray_and_cmyk_jpeg(void **state) {
  fixture *fx = *state;
  const char *gray = tmp_path("gray.jpg"), *cmyk = tmp_path("cmyk.jpg");
  write_jpeg_cs(gray, 50, 40, JCS_GRAYSCALE);
  write_jpeg_cs(cmyk, 60, 30, JCS_CMYK);
  rp_page *p = add_page(fx, NULL);
  add_image(fx, p, add_image_ref(fx, gray), 72, 72, 100, 80);
  add_image(fx, p, add_image_ref(fx, cmyk), 72, 200, 120, 60);
  assert_int_equal(render(fx, "jpegs.pdf", NULL), RP_OK);
  run_result r = run("pdfimages -list '%s'", tmp_path("jpegs.pdf"));
  /* gray is embedded as it is; CMYK is converted to RGB and re-encoded */
  assert_non_null(strstr(r.out, "image      50    40  gray    1   8  jpeg"));
  assert_non_null(strstr(r.out, "image      60    30  rgb     3   8  jpeg"));
  run_free(&r);
}

static void test_unwritable_output_is_input_error(void **state) {
  fixture *fx = *state;
  build_text_doc(fx);
  rp_status st = rp_render_pdf(&fx->doc, NULL, "/nonexistent-dir/x.pdf", &fx->d);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "cannot write the PDF"));
}

/* A long document: 200 pages of 40 lines; prints size and time. */
static void test_many_pages(void **state) {
  fixture *fx = *state;
  for (int pg = 0; pg < 200; pg++) {
    char label[16];
    snprintf(label, sizeof label, "%d", pg + 1);
    rp_page *p = add_page(fx, rp_arena_strdup(fx->a, label));
    for (int l = 0; l < 40; l++)
      add_text(fx, p, 72, 72 + l * 17, l % 7 ? fx->regular : fx->bold, 10,
               "The quick brown fox – £9.5bn, Co-operative’s year in review");
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(render(fx, "long.pdf", NULL), RP_OK);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  fprintf(stderr, "200 pages x 40 lines: %ld bytes, %.3f s\n", file_size(tmp_path("long.pdf")),
          (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  run_result r = run("pdfinfo '%s'", tmp_path("long.pdf"));
  assert_true(has_field(r.out, "Pages", "200\n"));
  run_free(&r);
  /* one page-label range for 1..200 */
  r = run("qpdf --json --json-key=pagelabels '%s'", tmp_path("long.pdf"));
  assert_int_equal(count_of(r.out, "\"index\":"), 1);
  run_free(&r);
}

/* A page of tagged content: a section (level-1 bookmark) with a heading, a
 * list of two items with markers, a table row and paragraphs across the
 * page, a note, and two links back to the first page; ids go on rising as
 * layout's do. */
static void add_tagged_page(fixture *fx, int pg, int *id) {
  char label[16];
  snprintf(label, sizeof label, "%d", pg + 1);
  rp_page *p = add_page(fx, rp_arena_strdup(fx->a, label));
  add_bookmark(fx, p, "Study", 1, 72);
  rp_item *it = add_text(fx, p, 72, 80, fx->bold, 16, "A case study");
  it->role = RP_ROLE_H1, it->struct_id = ++*id;
  int list = ++*id;
  rp_item *box = add_shape(fx, p, RP_ITEM_RECT, 72, 100, 400, 40);
  box->role = RP_ROLE_LIST, box->struct_id = list;
  box->u.shape.fill.a = box->u.shape.stroke.a = 0;
  for (int k = 0; k < 2; k++) {
    int li = ++*id;
    it = add_text(fx, p, 72, 110 + 15 * k, fx->regular, 10, "•");
    it->role = RP_ROLE_LIST_LABEL, it->struct_id = li, it->parent_id = list;
    it = add_text(fx, p, 84, 110 + 15 * k, fx->regular, 10, "an item of the list");
    it->role = RP_ROLE_LIST_ITEM, it->struct_id = li, it->parent_id = list;
  }
  int table = ++*id, row = ++*id;
  box = add_shape(fx, p, RP_ITEM_RECT, 72, 150, 400, 20);
  box->role = RP_ROLE_TABLE, box->struct_id = table,
  box->u.shape.fill.a = box->u.shape.stroke.a = 0;
  box = add_shape(fx, p, RP_ITEM_RECT, 72, 150, 400, 20);
  box->role = RP_ROLE_TABLE_ROW, box->struct_id = row, box->parent_id = table;
  box->u.shape.fill.a = box->u.shape.stroke.a = 0;
  for (int c = 0; c < 3; c++) {
    it = add_text(fx, p, 72 + 130 * c, 160, fx->regular, 10, "cell");
    it->role = RP_ROLE_TABLE_CELL, it->struct_id = ++*id, it->parent_id = row;
  }
  for (int l = 0; l < 12; l++) {
    it = add_text(fx, p, 72, 200 + 15 * l, fx->regular, 10, "Words of a paragraph, line by line");
    it->role = RP_ROLE_P, it->struct_id = l % 4 ? *id : ++*id;
  }
  it = add_text(fx, p, 72, 700, fx->regular, 8, "A note at the foot of the page");
  it->role = RP_ROLE_NOTE, it->struct_id = ++*id;
  for (int k = 0; k < 2; k++) {
    it = add_text(fx, p, 72, 400 + 20 * k, fx->regular, 10, "back to the start");
    it->role = RP_ROLE_P, it->struct_id = ++*id;
    rp_item *l = rp_page_add(fx->a, p, RP_ITEM_LINK);
    l->x = 72, l->y = 390 + 20 * k, l->w = 100, l->h = 12, l->struct_id = *id;
    l->u.link.dest_page = 0;
    l->u.link.dest_y = 80;
  }
}

/* The most bytes render holds (base/mem's count, above what was held
 * before it began) drawing `pages` tagged pages one at a time. */
static size_t render_peak(fixture *fx, int pages) {
  int id = 0;
  for (int pg = 0; pg < pages; pg++) add_tagged_page(fx, pg, &id);
  size_t before = rp_mem_live(), peak = 0;
  rp_render *r = NULL;
  /* the spool in its file: kept in memory, its first MiB would count */
  rp_render_opts o = {.source_date_epoch = "0", .spool_memory = 1};
  assert_int_equal(rp_render_begin(&o, tmp_path("flat.pdf"), &fx->d, &r), RP_OK);
  for (size_t i = 0; i < fx->doc.pages.len; i++) {
    rp_layout_doc view = fx->doc;
    view.pages.len = i + 1;
    assert_int_equal(rp_render_page(r, &view, i), RP_OK);
    if (rp_mem_live() - before > peak) peak = rp_mem_live() - before;
  }
  assert_int_equal(rp_render_end(r, &fx->doc), RP_OK);
  return peak;
}

/* Render's memory does not grow with the pages beyond a small constant a
 * page (8 bytes an object in the cross-reference list, a page's stand-in):
 * the page dictionaries, structure tree, links, destinations and bookmarks
 * of drawn pages are written out and freed. Holding the structure tree and
 * links (as before session 7) cost about 10 KB a page of this content, the
 * page objects libharu keeps about 530 bytes (970 B a page before session
 * 8; about 440 now). */
static void test_memory_flat_in_pages(void **state) {
  fixture *fx = *state;
  size_t small = render_peak(fx, 50);
  run_result r = run("qpdf --check '%s'", tmp_path("flat.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
  r = run("pdfinfo -struct '%s' | grep -c 'Sect'", tmp_path("flat.pdf"));
  assert_int_equal(atoi(r.out), 50);
  run_free(&r);
  fx->doc.pages = (rp_vec){0};
  size_t large = render_peak(fx, 500);
  double per_page = ((double)large - (double)small) / 450;
  fprintf(stderr, "render's peak: 50 pages %zu B, 500 pages %zu B: %.0f B a page\n", small, large,
          per_page);
  assert_true(per_page < 600);
  r = run("qpdf --check '%s'", tmp_path("flat.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
}

/* Renders fx->doc a page at a time as layout's page_done does: the
 * document grows by a page before each call, and a drawn page's items are
 * overwritten and dropped at once (render must not read them again). */
static rp_status render_streamed(fixture *fx, const char *name) {
  rp_render *r = NULL;
  rp_render_opts o = {.source_date_epoch = "0"};
  rp_status st = rp_render_begin(&o, tmp_path(name), &fx->d, &r);
  if (st != RP_OK) return st;
  rp_layout_doc view = fx->doc;
  size_t n = fx->doc.pages.len;
  for (size_t i = 0; i < n && st == RP_OK; i++) {
    view.pages.len = i + 1;
    st = rp_render_page(r, &view, i);
    rp_page *pg = page_n(fx, i);
    memset(pg->items.data, 0xA5, pg->items.len * sizeof(rp_item));
    pg->items.data = NULL;
    pg->items.len = 0;
  }
  if (st != RP_OK) {
    rp_render_abort(r);
    return st;
  }
  return rp_render_end(r, &view);
}

/* Pages drawn one at a time: a link on page 1 to page 3 (made later) lands
 * on page 3 at its y, characters first drawn on page 3 are in the face
 * embedded on page 1, and every page looks as when the whole document is
 * rendered at once. */
static void test_pages_streamed(void **state) {
  fixture *fx = *state;
  rp_page *p = add_page(fx, "1");
  add_bookmark(fx, p, "Start", 1, 72);
  add_text(fx, p, 72, 100, fx->regular, 12, "See the last page");
  rp_item *l = rp_page_add(fx->a, p, RP_ITEM_LINK);
  l->x = 72, l->y = 88, l->w = 120, l->h = 16;
  l->u.link.dest_page = 2;
  l->u.link.dest_y = 300;
  p = add_page(fx, "2");
  add_text(fx, p, 72, 100, fx->bold, 12, "Middle");
  p = add_page(fx, "3");
  add_text(fx, p, 72, 300, fx->regular, 12, "Quixotic zephyrs: £9.5bn – Œuvre ß");
  l = rp_page_add(fx->a, p, RP_ITEM_LINK); /* and back to page 1 */
  l->x = 72, l->y = 288, l->w = 120, l->h = 16;
  l->u.link.dest_page = 0;
  l->u.link.dest_y = 100;
  assert_int_equal(render(fx, "whole.pdf", "0"), RP_OK);
  assert_int_equal(render_streamed(fx, "streamed.pdf"), RP_OK);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);

  const char *pdf = tmp_path("streamed.pdf");
  run_result r = run("qpdf --check '%s'", pdf);
  assert_int_equal(r.status, 0);
  run_free(&r);
  /* Each link's target page and top, read with pikepdf. */
  r =
      run("/usr/bin/python3 -c \"import pikepdf, sys\n"
          "pdf = pikepdf.open(sys.argv[1])\n"
          "idx = {p.objgen: i for i, p in enumerate(pdf.pages)}\n"
          "for i, p in enumerate(pdf.pages):\n"
          "  for a in p.get('/Annots', []):\n"
          "    d = a.Dest\n"
          "    print('%%d>%%d %%s %%.2f %%d' %% (i + 1, idx[d[0].objgen] + 1, d[1], float(d[3]),\n"
          "      a.StructParent))\" "
          "'%s'",
          pdf);
  assert_int_equal(r.status, 0);
  /* their ParentTree keys follow the 3 pages' (the second was spooled); the tops to
   * a quarter point (541.89, 741.89 as laid out) */
  assert_string_equal(r.out, "1>3 /XYZ 542.00 3\n3>1 /XYZ 742.00 4\n");
  run_free(&r);

  r = run("pdftotext '%s' -", pdf);
  assert_non_null(strstr(r.out, "Quixotic zephyrs: £9.5bn – Œuvre ß"));
  run_free(&r);
  /* Same pixels, page by page (the faces differ only in unused glyphs). */
  r =
      run("cd '%s' && pdftoppm -r 40 whole.pdf w && pdftoppm -r 40 streamed.pdf s && "
          "cmp w-1.ppm s-1.ppm && cmp w-2.ppm s-2.ppm && cmp w-3.ppm s-3.ppm && echo same",
          rp_test_tmpdir());
  assert_non_null(strstr(r.out, "same"));
  run_free(&r);
}

/* A link to a page that never comes is an error at the end, and nothing is
 * written. */
static void test_streamed_link_past_end(void **state) {
  fixture *fx = *state;
  rp_page *p = add_page(fx, NULL);
  add_text(fx, p, 72, 100, fx->regular, 12, "Nowhere");
  rp_item *l = rp_page_add(fx->a, p, RP_ITEM_LINK);
  l->x = 72, l->y = 88, l->w = 120, l->h = 16;
  l->u.link.dest_page = 5;
  unlink(tmp_path("nowhere.pdf"));
  assert_int_equal(render_streamed(fx, "nowhere.pdf"), RP_ERR_INTERNAL);
  assert_true(rp_test_diag_has(&fx->d, "layout points at page 6 of 1"));
  assert_int_equal(file_size(tmp_path("nowhere.pdf")), -1);
}

/* Open descriptors of this process. */
static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  assert_non_null(d);
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

/* Finished pages go to a nameless spool next to the output: after a
 * render, good or failed, no descriptor stays open and the folder holds
 * only the PDF. */
static void test_spool_leaves_nothing(void **state) {
  fixture *fx = *state;
  for (int pg = 0; pg < 30; pg++) {
    rp_page *p = add_page(fx, NULL);
    for (int l = 0; l < 40; l++) add_text(fx, p, 72, 72 + l * 17, fx->regular, 10, NON_ASCII);
  }
  const char *dir = tmp_path("spool");
  run_result r = run("rm -rf '%s' && mkdir '%s'", dir, dir);
  run_free(&r);
  char out[4200];
  snprintf(out, sizeof out, "%s/out.pdf", dir);
  int before = open_fds();
  assert_int_equal(rp_render_pdf(&fx->doc, NULL, out, &fx->d), RP_OK);
  assert_int_equal(open_fds(), before);
  r = run("ls -A '%s'", dir);
  assert_string_equal(r.out, "out.pdf\n");
  run_free(&r);
  r = run("qpdf --check '%s' >/dev/null && pdftotext -f 30 -l 30 '%s' - | grep -c operative", out,
          out);
  assert_int_equal(r.status, 0);
  assert_int_equal(atoi(r.out), 40); /* the last page's lines, read back from the spool */
  run_free(&r);
  /* the spool kept in memory (as here, ~100 KB) or in its file from the
   * first byte, or spilt part-way: the same file */
  char mem[4200];
  snprintf(mem, sizeof mem, "%s/file.pdf", dir);
  for (size_t keep = 1; keep <= 40001; keep += 40000) {
    rp_render_opts file = {.spool_memory = keep};
    assert_int_equal(rp_render_pdf(&fx->doc, &file, mem, &fx->d), RP_OK);
    r = run("cmp '%s' '%s'", out, mem);
    assert_int_equal(r.status, 0);
    run_free(&r);
  }
  unlink(mem);
  /* uncompressed (the fuzzers' setting): the raw operators go through the spool */
  rp_render_opts raw = {.uncompressed = true};
  assert_int_equal(rp_render_pdf(&fx->doc, &raw, out, &fx->d), RP_OK);
  r = run("qpdf --check '%s' >/dev/null && grep -a -c '^BT$' '%s'", out, out);
  assert_int_equal(r.status, 0);
  assert_true(atoi(r.out) >= 30); /* a text object a page, at least, in plain sight */
  run_free(&r);
  assert_int_equal(open_fds(), before);
  /* a failed render (a link past the last page) */
  rp_item *l = rp_page_add(fx->a, page_n(fx, 0), RP_ITEM_LINK);
  l->x = 72, l->y = 88, l->w = 120, l->h = 16;
  l->u.link.dest_page = 99;
  unlink(out);
  assert_int_equal(render_streamed(fx, "spool/out.pdf"), RP_ERR_INTERNAL);
  assert_int_equal(open_fds(), before);
  r = run("ls -A '%s'", dir);
  assert_string_equal(r.out, "");
  run_free(&r);
}

/* A disk that refuses the spool (here a file size limit) is an input error
 * that says so, once; and one that refuses the PDF itself (/dev/full). */
static void test_spool_and_output_write_failures(void **state) {
  fixture *fx = *state;
  for (int pg = 0; pg < 100; pg++) {
    rp_page *p = add_page(fx, NULL);
    for (int l = 0; l < 40; l++) {
      char line[64];
      snprintf(line, sizeof line, "line %d of page %d, all different", l, pg);
      add_text(fx, p, 72, 72 + l * 17, fx->regular, 10, rp_arena_strdup(fx->a, line));
    }
  }
  struct rlimit old;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
  struct rlimit low = {16 * 1024, old.rlim_max};
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
  unlink(tmp_path("big.pdf"));
  rp_render_opts to_file = {.spool_memory = 1}; /* the spool's file from its first byte */
  rp_status st = rp_render_pdf(&fx->doc, &to_file, tmp_path("big.pdf"), &fx->d);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, was);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "cannot write the temporary file next to the PDF"));
  assert_int_equal(fx->d.errors, 1);
  assert_int_equal(file_size(tmp_path("big.pdf")), -1);

  rp_diag_fini(&fx->d);
  rp_diag_init(&fx->d);
  st = rp_render_pdf(&fx->doc, NULL, "/dev/full", &fx->d);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&fx->d, "cannot write the PDF: No space left on device"));
}

/* Downsampling against a simple model: 2x2 boxes averaged. */
static void test_pixmap_downsample_box(void **state) {
  (void)state;
  rp_pixmap pm = {4, 2, malloc(4 * 2 * 4)};
  for (int i = 0; i < 8; i++) {
    pm.rgba[i * 4 + 0] = (uint8_t)(i * 30);
    pm.rgba[i * 4 + 1] = 100;
    pm.rgba[i * 4 + 2] = (uint8_t)(i % 2 ? 200 : 0);
    pm.rgba[i * 4 + 3] = 255;
  }
  uint8_t want[2][4];
  for (int ox = 0; ox < 2; ox++)
    for (int c = 0; c < 4; c++) {
      int s = pm.rgba[(ox * 2) * 4 + c] + pm.rgba[(ox * 2 + 1) * 4 + c] +
              pm.rgba[(4 + ox * 2) * 4 + c] + pm.rgba[(4 + ox * 2 + 1) * 4 + c];
      want[ox][c] = (uint8_t)((s + 2) / 4);
    }
  assert_true(rp_pixmap_downsample(&pm, 2, 1));
  assert_int_equal(pm.w, 2);
  assert_int_equal(pm.h, 1);
  for (int ox = 0; ox < 2; ox++)
    for (int c = 0; c < 4; c++) assert_true(abs(pm.rgba[ox * 4 + c] - want[ox][c]) <= 1);
  /* never upsamples */
  assert_true(rp_pixmap_downsample(&pm, 10, 10));
  assert_int_equal(pm.w, 2);
  rp_pixmap_fini(&pm);
}

static void test_pixmap_split_unpremultiplies(void **state) {
  (void)state;
  rp_pixmap pm = {2, 1, malloc(8)};
  uint8_t px[8] = {50, 25, 0, 100, 255, 255, 255, 255};
  memcpy(pm.rgba, px, 8);
  uint8_t *color, *alpha;
  int ch;
  assert_true(rp_pixmap_split(&pm, &color, &ch, &alpha));
  assert_int_equal(ch, 3);
  assert_non_null(alpha);
  assert_int_equal(color[0], 128); /* 50 * 255 / 100 */
  assert_int_equal(color[1], 64);
  assert_int_equal(alpha[0], 100);
  assert_int_equal(alpha[1], 255);
  free(color);
  free(alpha);
  rp_pixmap_fini(&pm);
}

/* ---- libharu's byte-at-a-time helpers, replaced (pdf_doc.c) -------------- */

/* libharu 2.3's own, as a model. */
static HPDF_BYTE *model_memcpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n) {
  while (n > 0) *out++ = *in++, n--;
  return out;
}

static void *model_memset(void *s, HPDF_BYTE c, HPDF_UINT n) {
  HPDF_BYTE *b = s;
  while (n > 0) *b++ = c, n--;
  return b;
}

static HPDF_UINT model_strlen(const char *s, HPDF_INT maxlen) {
  HPDF_INT len = 0;
  if (!s) return 0;
  while (*s != 0 && (maxlen < 0 || len < maxlen)) s++, len++;
  return (HPDF_UINT)len;
}

/* The program's HPDF_MemCpy, HPDF_MemSet and HPDF_StrLen are the ones the
 * process resolves (so libharu, calling through its PLT, runs them), and
 * each gives what libharu's own gives: the same bytes and the same end
 * pointer for every length (none, odd, long; a copy within one buffer
 * towards its start, as a list's removal does), the same length for every
 * bound. A program that lost them (not exported, or not linked) fails the
 * first check; one that returned the start, as memcpy does, the others. */
static void test_hpdf_helpers_replaced(void **state) {
  (void)state;
  const char *names[] = {"HPDF_MemCpy", "HPDF_MemSet", "HPDF_StrLen"};
  void *ours[] = {(void *)HPDF_MemCpy, (void *)HPDF_MemSet, (void *)HPDF_StrLen};
  for (size_t i = 0; i < 3; i++) {
    void *found = dlsym(RTLD_DEFAULT, names[i]);
    Dl_info info;
    assert_ptr_equal(found, ours[i]);
    assert_true(dladdr(found, &info) != 0);
    assert_null(strstr(info.dli_fname ? info.dli_fname : "", "libhpdf"));
  }
  HPDF_BYTE src[700], a[720], b[720];
  for (size_t i = 0; i < sizeof src; i++) src[i] = (HPDF_BYTE)(i * 7 + 3);
  for (HPDF_UINT n = 0; n <= sizeof src; n += n < 40 ? 1 : 97) {
    memset(a, 0xAA, sizeof a), memset(b, 0xAA, sizeof b);
    assert_ptr_equal(HPDF_MemCpy(a + 5, src, n), a + 5 + n);
    assert_ptr_equal(model_memcpy(b + 5, src, n), b + 5 + n);
    assert_memory_equal(a, b, sizeof a);
    assert_ptr_equal(HPDF_MemSet(a + 3, (HPDF_BYTE)n, n), a + 3 + n);
    assert_ptr_equal(model_memset(b + 3, (HPDF_BYTE)n, n), b + 3 + n);
    assert_memory_equal(a, b, sizeof a);
    if (n + 9 <= sizeof a) { /* within one buffer, towards its start */
      assert_ptr_equal(HPDF_MemCpy(a, a + 9, n), a + n);
      assert_ptr_equal(model_memcpy(b, b + 9, n), b + n);
      assert_memory_equal(a, b, sizeof a);
    }
  }
  const char *strs[] = {"", "a", "Kids", "/FlateDecode", "a much longer string of words"};
  HPDF_INT bounds[] = {-1, -7, 0, 1, 3, 12, 1000};
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    for (size_t k = 0; k < sizeof bounds / sizeof *bounds; k++)
      assert_int_equal(HPDF_StrLen(strs[i], bounds[k]), model_strlen(strs[i], bounds[k]));
  assert_int_equal(HPDF_StrLen(NULL, -1), 0);
}

/* A memory stream's bytes, in order, and its size. */
static size_t stream_bytes(HPDF_Stream s, unsigned char *out, size_t cap) {
  size_t n = 0;
  for (HPDF_UINT i = 0; i < HPDF_MemStream_GetBufCount(s); i++) {
    HPDF_UINT len = 0;
    HPDF_BYTE *b = HPDF_MemStream_GetBufPtr(s, i, &len);
    assert_non_null(b);
    assert_true(n + len <= cap);
    memcpy(out + n, b, len);
    n += len;
  }
  assert_int_equal(n, HPDF_Stream_Size(s));
  return n;
}

/* rp_pdf_stream_write writes what HPDF_Stream_Write writes: into a memory
 * stream of 16-byte blocks, writes of 0 to 40 bytes (within a block, to its
 * end, across one or more), the same bytes and size; and after the stream
 * records an error, libharu's answer (skipped, nothing written). */
static void test_stream_write_as_libharu(void **state) {
  (void)state;
  HPDF_Doc pdf = HPDF_New(NULL, NULL);
  assert_non_null(pdf);
  HPDF_Stream a = HPDF_MemStream_New(pdf->mmgr, 16), b = HPDF_MemStream_New(pdf->mmgr, 16);
  assert_non_null(a);
  assert_non_null(b);
  unsigned char data[64];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 37 + 11);
  uint32_t x = 7;
  for (int k = 0; k < 400; k++) {
    x = x * 1103515245u + 12345u;
    size_t n = (x >> 16) % 41, at = (x >> 8) % (sizeof data - 40);
    assert_int_equal(rp_pdf_stream_write(a, data + at, n), HPDF_OK);
    assert_int_equal(HPDF_Stream_Write(b, data + at, (HPDF_UINT)n), HPDF_OK);
  }
  static unsigned char got[16384], want[16384];
  size_t na = stream_bytes(a, got, sizeof got), nb = stream_bytes(b, want, sizeof want);
  assert_int_equal(na, nb);
  assert_true(na > 16 * 100);
  assert_memory_equal(got, want, na);
  HPDF_SetError(a->error, HPDF_INVALID_OBJECT, 0); /* (one error record: the document's) */
  assert_int_equal(rp_pdf_stream_write(a, data, 3), HPDF_Stream_Write(b, data, 3));
  assert_int_equal(HPDF_Stream_Size(a), na);
  HPDF_ResetError(pdf);
  HPDF_Stream_Free(a);
  HPDF_Stream_Free(b);
  HPDF_Free(pdf);
}

/* The operators' numbers as pdf_shape.c's ops_num wrote them before
 * rp_pdf_put_fixed (a divide by the unit in a variable, a digit at a time):
 * the model it must equal. */
static char *model_fixed(char *o, double v, bool tenths) {
  int unit = tenths ? 10 : 100;
  long long c = rp_pdf_round(v * unit);
  char tmp[24];
  if (c < 0) *o++ = '-', c = -c;
  long long whole = c / unit;
  int frac = (int)(c % unit), k = 0;
  do tmp[k++] = (char)('0' + whole % 10), whole /= 10;
  while (whole > 0);
  while (k > 0) *o++ = tmp[--k];
  if (frac && tenths) {
    *o++ = '.';
    *o++ = (char)('0' + frac);
  } else if (frac) {
    *o++ = '.';
    *o++ = (char)('0' + frac / 10);
    if (frac % 10) *o++ = (char)('0' + frac % 10);
  }
  return o;
}

static void expect_fixed(double v) {
  for (int t = 0; t < 2; t++) {
    char a[40], b[40];
    char *ea = rp_pdf_put_fixed(a, v, t), *eb = model_fixed(b, v, t);
    *ea = *eb = '\0';
    if (strcmp(a, b) != 0) fail_msg("%.17g to 1/%d: \"%s\", not \"%s\"", v, t ? 10 : 100, a, b);
  }
}

/* rp_pdf_put_fixed writes what the old formatter wrote: the halves of the
 * last digit and the doubles beside them, both signs, -0, every power of
 * ten's edges (one digit more), the operators' range (|v| <= 1e6) densely
 * and at random, and far past it (to 2^53 and 1e16: beyond 9.2e16 a count
 * of hundredths is past a long long, where the old one negated LLONG_MIN). */
static void test_put_fixed_as_before(void **state) {
  (void)state;
  static const double xs[] = {0.0,    0.004,  0.005, 0.0049999999, 0.05,       0.049999,
                              0.095,  0.0951, 0.995, 9.995,        9.99,       99.995,
                              99.99,  100,    1e6,   999999.995,   123456.785, 4503599627370496.0,
                              9.2e15, 1e16};
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
    for (int k = 0; k < 6; k++) {
      double y = k % 2 ? -xs[i] : xs[i];
      if (k >= 2) y = nextafter(y, k >= 4 ? INFINITY : -INFINITY);
      expect_fixed(y);
    }
  expect_fixed(-0.0);
  for (double p = 1; p <= 1e16; p *= 10)
    for (int d = -3; d <= 3; d++) expect_fixed(p + d * 0.001), expect_fixed(-(p + d * 0.01));
  for (long long c = -200000; c <= 200000; c++) { /* every hundredth and its halves */
    expect_fixed((double)c / 100.0);
    expect_fixed(((double)c + 0.5) / 100.0);
    expect_fixed(((double)c + 0.5) / 10.0);
  }
  uint64_t x = 88172645463325252u;
  for (int i = 0; i < 2000000; i++) { /* xorshift: any double up to 1e6, and some larger */
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double v = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * (i % 7 ? 2e6 : i % 2 ? 2e12 : 2e2);
    expect_fixed(v);
  }
}

/* rp_pdf_round is llround: halves away from zero, the doubles next to them,
 * both signs, the operators' range and past 2^52 (where a double is an
 * integer, and past 2^63); rp_pdf_decode is rp_utf8_decode, ASCII or not,
 * at every length left. */
static void test_pdf_round_and_decode(void **state) {
  (void)state;
  /* each with both signs, and the doubles either side */
  static const double xs[] = {0.0,
                              0.5,
                              1.5,
                              2.5,
                              0.49999999999999994,
                              84199.5,
                              1e8 + 0.5,
                              4503599627370495.5,
                              4503599627370496.0,
                              9007199254740993.0,
                              1e18};
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
    for (int k = 0; k < 6; k++) {
      double y = k % 2 ? -xs[i] : xs[i];
      if (k >= 2) y = nextafter(y, k >= 4 ? INFINITY : -INFINITY);
      assert_true(rp_pdf_round(y) == llround(y));
    }
  uint32_t x = 99;
  for (int i = 0; i < 200000; i++) { /* coordinates in hundredths and TJ moves */
    x = x * 1103515245u + 12345u;
    double v = ((double)(x >> 8) - 8388608.0) / (i % 3 ? 100.0 : 7.0) * (i % 5 ? 1.0 : 1e4);
    assert_true(rp_pdf_round(v) == llround(v));
    assert_true(rp_pdf_round(v * 100.0) == llround(v * 100.0));
  }
  const char text[] = "A\x7F\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC3\xE2\x82z";
  size_t len = sizeof text - 1;
  for (size_t i = 0; i <= len; i++)
    for (size_t n = 0; n <= len - i; n++) {
      uint32_t a = 0, b = 1;
      assert_int_equal(rp_pdf_decode(text + i, n, &a), rp_utf8_decode(text + i, n, &b));
      assert_int_equal(a, b);
    }
}

/* ---- deflating on a second thread (render/flate.h) ------------------------ */

/* The worker gives each job what rp_flate_deflate gives for its bytes,
 * whatever their order and size (empty, one byte, incompressible, long). */
static void test_flate_worker_same_bytes(void **state) {
  (void)state;
  enum { JOBS = 24 };
  rp_flate *f = rp_flate_new(), *g = rp_flate_new();
  assert_non_null(f);
  assert_non_null(g);
  unsigned long before = rp_flate_workers_started();
  rp_flate_worker *w = rp_flate_worker_new(f);
  assert_non_null(w);
  assert_int_equal(rp_flate_workers_started(), before + 1);
  uint8_t *in[JOBS];
  rp_flate_job jobs[JOBS];
  uint32_t x = 12345;
  for (int i = 0; i < JOBS; i++) {
    size_t len = i == 0 ? 0 : i == 1 ? 1 : (size_t)(i * i * 997) % 200000;
    in[i] = malloc(len ? len : 1);
    for (size_t k = 0; k < len; k++) {
      x = x * 1103515245u + 12345u;
      /* every third buffer noise; the rest text-like, compressible */
      in[i][k] = i % 3 == 2 ? (uint8_t)(x >> 16) : (uint8_t)("0123 Td (ab) Tj\\n"[(k + i) % 16]);
    }
    jobs[i] = (rp_flate_job){.in = in[i], .len = len};
    rp_flate_worker_push(w, &jobs[i]);
  }
  for (int i = JOBS; i-- > 0;) { /* waited for out of order */
    assert_true(rp_flate_worker_wait(w, &jobs[i]));
    uint8_t *z;
    size_t zlen;
    assert_true(rp_flate_deflate(g, jobs[i].in, jobs[i].len, &z, &zlen));
    assert_int_equal(jobs[i].out_len, zlen);
    assert_memory_equal(jobs[i].out, z, zlen);
    rp_mem_free(z);
    rp_mem_free(jobs[i].out);
    free(in[i]);
  }
  rp_flate_worker_free(w);
  rp_flate_free(f);
  rp_flate_free(g);
}

/* A job the worker has not started is done by the caller that waits for
 * it, with its own compressor, even while the thread is busy with another
 * (render's end: both drain what is left): the thread held in a `make`
 * until released, the second job is done (as rp_flate_deflate does it)
 * while the first still is not. */
static atomic_int hold_worker;

static void sleep_ms(long ms) {
  thrd_sleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L}, NULL);
}

static bool held_make(rp_flate_job *job) {
  (void)job;
  for (int i = 0; i < 5000 && atomic_load(&hold_worker); i++) sleep_ms(1);
  return true;
}

static void test_flate_wait_takes_job_while_busy(void **state) {
  (void)state;
  rp_flate *f = rp_flate_new(), *g = rp_flate_new();
  rp_flate_worker *w = f && g ? rp_flate_worker_new(f) : NULL;
  assert_non_null(w);
  static const char text[] = "0 0 m 100 100 l S BT /F1 12 Tf (abc) Tj ET\n";
  uint8_t in[4096];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)text[i % (sizeof text - 1)];
  atomic_store(&hold_worker, 1);
  rp_flate_job busy = {.make = held_make}, job = {.in = in, .len = sizeof in};
  rp_flate_worker_push(w, &busy);
  sleep_ms(20); /* the thread takes `busy` (if not, `job` is still taken here) */
  rp_flate_worker_push(w, &job);
  assert_true(rp_flate_worker_wait(w, &job));
  assert_false(rp_flate_worker_done(w, &busy)); /* done here, not after it */
  uint8_t *z;
  size_t zlen;
  assert_true(rp_flate_deflate(g, in, sizeof in, &z, &zlen));
  assert_int_equal(job.out_len, zlen);
  assert_memory_equal(job.out, z, zlen);
  atomic_store(&hold_worker, 0);
  assert_true(rp_flate_worker_wait(w, &busy));
  rp_mem_free(z);
  rp_mem_free(job.out);
  rp_flate_worker_free(w);
  rp_flate_free(f);
  rp_flate_free(g);
}

/* While the thread does the job the caller waits for, the caller does the
 * jobs queued after it, newest first, rather than wait idle (render's pages
 * and faces: the thread was the busier one): the thread held in a `make`
 * until both are done, which only the caller can do then. */
typedef struct noted_job {
  rp_flate_job job; /* first: noted_make's argument */
  thrd_t by;
  int order;
} noted_job;

static atomic_int noted, holding;

static bool noted_make(rp_flate_job *job) {
  noted_job *n = (noted_job *)job;
  n->by = thrd_current();
  n->order = atomic_fetch_add(&noted, 1);
  return true;
}

static bool held_till_noted(rp_flate_job *job) {
  (void)job;
  atomic_store(&holding, 1);
  for (int i = 0; i < 5000 && atomic_load(&noted) < 2; i++) sleep_ms(1);
  return true;
}

static void test_flate_wait_does_queued_while_busy(void **state) {
  (void)state;
  rp_flate *f = rp_flate_new();
  rp_flate_worker *w = f ? rp_flate_worker_new(f) : NULL;
  assert_non_null(w);
  atomic_store(&noted, 0);
  atomic_store(&holding, 0);
  rp_flate_job busy = {.make = held_till_noted};
  rp_flate_worker_push(w, &busy);
  for (int i = 0; i < 5000 && !atomic_load(&holding); i++) sleep_ms(1); /* the thread has it */
  assert_true(atomic_load(&holding));
  noted_job older = {.job = {.make = noted_make}}, newer = older;
  rp_flate_worker_push(w, &older.job);
  rp_flate_worker_push(w, &newer.job);
  assert_true(rp_flate_worker_wait(w, &busy));
  assert_int_equal(atomic_load(&noted), 2);
  assert_true(rp_flate_worker_done(w, &older.job) && rp_flate_worker_done(w, &newer.job));
  assert_true(thrd_equal(older.by, thrd_current()) && thrd_equal(newer.by, thrd_current()));
  assert_int_equal(newer.order, 0);
  assert_int_equal(older.order, 1);
  assert_true(rp_flate_worker_wait(w, &older.job) && rp_flate_worker_wait(w, &newer.job));
  rp_flate_worker_free(w);
  rp_flate_free(f);
}

static bool same_file(const char *a, const char *b) {
  size_t la, lb;
  char *x = slurp(a, &la), *y = slurp(b, &lb);
  bool same = x && y && la == lb && memcmp(x, y, la) == 0;
  free(x), free(y);
  return same;
}

/* An SVG is parsed once a run: render draws the drawing layout's probe
 * read (rp_render_opts.probe), not the file again. Shown by changing the
 * file after the probe read it: with the probe the PDF is the first
 * drawing's, byte for byte, without it the second's; an SVG the probe read
 * with an error is read again by render, which reports it. */
static void write_svg(const char *path, const char *fill) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\">"
          "<rect x=\"2\" y=\"2\" width=\"30\" height=\"12\" fill=\"%s\"/></svg>\n",
          fill);
  fclose(f);
}

static rp_status render_probed(fixture *fx, const char *name, const rp_image_probe *pr) {
  rp_render_opts o = {.source_date_epoch = "0", .probe = pr};
  return rp_render_pdf(&fx->doc, &o, tmp_path(name), &fx->d);
}

static void test_svg_parsed_once(void **state) {
  fixture *fx = *state;
  const char *svg = tmp_path("logo.svg");
  write_svg(svg, "#c02020");
  rp_page *p = add_page(fx, NULL);
  add_image(fx, p, add_image_ref(fx, svg), 72, 72, 80, 40);
  assert_int_equal(render_probed(fx, "red.pdf", NULL), RP_OK);
  rp_image_probe pr;
  rp_image_probe_init(&pr);
  rp_image_info info;
  rp_image_probe_file(&pr, svg, &info);
  assert_true(info.ok);
  assert_int_equal(info.width_px, 40);
  assert_non_null(rp_image_probe_svg(&pr, svg));
  write_svg(svg, "#2020c0"); /* the file changes after the probe read it */
  assert_int_equal(render_probed(fx, "probed.pdf", &pr), RP_OK);
  assert_int_equal(render_probed(fx, "blue.pdf", NULL), RP_OK);
  assert_true(same_file(tmp_path("red.pdf"), tmp_path("probed.pdf")));
  assert_false(same_file(tmp_path("red.pdf"), tmp_path("blue.pdf")));
  rp_image_probe_fini(&pr);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  /* read with an error: not kept, and render says why */
  FILE *f = fopen(svg, "wb");
  assert_non_null(f);
  fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect", f);
  fclose(f);
  rp_image_probe_init(&pr);
  rp_image_probe_file(&pr, svg, &info);
  assert_null(rp_image_probe_svg(&pr, svg));
  assert_int_not_equal(render_probed(fx, "broken.pdf", &pr), RP_OK);
  assert_true(fx->d.errors > 0);
  rp_image_probe_fini(&pr);
}

/* A probe filled elsewhere (pipeline.c reads the content's logo on the
 * content thread) and taken into the layout's: the SVG is neither read
 * again by the probe nor by render (the file changed since: the PDF is the
 * first drawing's), an entry the taker had stays its own, and the emptied
 * probe can be finished. */
static void test_svg_probe_taken(void **state) {
  fixture *fx = *state;
  const char *svg = tmp_path("taken.svg");
  char other[4096];
  snprintf(other, sizeof other, "%s", tmp_path("other.svg"));
  write_svg(svg, "#c02020");
  write_svg(other, "#20c020");
  rp_page *p = add_page(fx, NULL);
  add_image(fx, p, add_image_ref(fx, svg), 72, 72, 80, 40);
  assert_int_equal(render_probed(fx, "taken-red.pdf", NULL), RP_OK);
  rp_image_probe ahead, layout;
  rp_image_probe_init(&ahead);
  rp_image_probe_init(&layout);
  rp_image_info info;
  rp_image_probe_file(&ahead, svg, &info);
  rp_image_probe_file(&ahead, other, &info);
  rp_image_probe_file(&layout, other, &info);
  const rp_svg *mine = rp_image_probe_svg(&layout, other);
  assert_non_null(mine);
  write_svg(svg, "#2020c0"); /* changed after the probe ahead read it */
  unlink(other);
  rp_image_probe_take(&layout, &ahead);
  assert_int_equal(ahead.count, 0);
  assert_null(ahead.svgs);
  rp_image_probe_fini(&ahead);
  assert_int_equal(layout.count, 2);
  assert_ptr_equal(rp_image_probe_svg(&layout, other), mine); /* the taker's own */
  assert_non_null(rp_image_probe_svg(&layout, svg));
  rp_image_probe_file(&layout, svg, &info); /* known: not read again */
  assert_true(info.ok);
  assert_int_equal(info.width_px, 40);
  assert_int_equal(layout.count, 2);
  assert_int_equal(render_probed(fx, "taken.pdf", &layout), RP_OK);
  assert_true(same_file(tmp_path("taken-red.pdf"), tmp_path("taken.pdf")));
  rp_image_probe_fini(&layout);
  /* into an empty probe: the drawings' arena moves whole */
  rp_image_probe_init(&ahead);
  rp_image_probe_init(&layout);
  rp_image_probe_file(&ahead, svg, &info);
  rp_image_probe_take(&layout, &ahead);
  assert_non_null(layout.svgs);
  assert_non_null(rp_image_probe_svg(&layout, svg));
  rp_image_probe_fini(&layout);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
}

/* A document of several pages, whole and streamed: the pages' streams
 * deflated on the worker while the next page is drawn give the same file as
 * deflating each on this thread (RP_SERIAL_DEFLATE=1); the worker ran. */
static void build_threaded_doc(fixture *fx) {
  fx->doc.pages.len = 0;
  for (int pg = 0; pg < 9; pg++) {
    char label[16];
    snprintf(label, sizeof label, "%d", pg + 1);
    const char *kept = rp_arena_strdup(fx->a, label);
    rp_page *p = add_page(fx, kept);
    add_bookmark(fx, p, kept, 1, 72);
    for (int l = 0; l < 12 * (pg % 4 + 1); l++)
      add_text(fx, p, 72, 72 + l * 14, l % 5 ? fx->regular : fx->bold, 9,
               pg % 2 ? "Quixotic zephyrs: £9.5bn – Œuvre ß" : "plain words, page after page");
    add_shape(fx, p, RP_ITEM_RECT, 60, 60 + pg * 7, 200, 30);
  }
}

static void test_threaded_deflate_same_pdf(void **state) {
  fixture *fx = *state;
  build_threaded_doc(fx);
  unsigned long before = rp_flate_workers_started();
  assert_int_equal(setenv("RP_SERIAL_DEFLATE", "1", 1), 0);
  assert_int_equal(render(fx, "serial.pdf", "0"), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before);
  assert_int_equal(unsetenv("RP_SERIAL_DEFLATE"), 0);
  assert_int_equal(render(fx, "threaded.pdf", "0"), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before + 1);
  assert_true(same_file(tmp_path("serial.pdf"), tmp_path("threaded.pdf")));
  /* one thread under a memory budget and while a fault is to come */
  rp_limit_set(RP_LIMIT_MEMORY_MIB, 4096);
  assert_int_equal(render(fx, "budget.pdf", "0"), RP_OK);
  rp_limit_set(RP_LIMIT_MEMORY_MIB, 0);
  rp_mem_fail_after(100000000, false);
  assert_int_equal(render(fx, "armed.pdf", "0"), RP_OK);
  rp_mem_fail_after(0, false);
  assert_int_equal(rp_flate_workers_started(), before + 1);
  assert_true(same_file(tmp_path("serial.pdf"), tmp_path("budget.pdf")));
  assert_true(same_file(tmp_path("serial.pdf"), tmp_path("armed.pdf")));
  /* streamed (render_streamed wipes the pages' items: built again) */
  assert_int_equal(setenv("RP_SERIAL_DEFLATE", "1", 1), 0);
  assert_int_equal(render_streamed(fx, "serial-streamed.pdf"), RP_OK);
  assert_int_equal(unsetenv("RP_SERIAL_DEFLATE"), 0);
  build_threaded_doc(fx);
  assert_int_equal(render_streamed(fx, "threaded-streamed.pdf"), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before + 2);
  assert_true(same_file(tmp_path("serial-streamed.pdf"), tmp_path("threaded-streamed.pdf")));
  assert_false(same_file(tmp_path("serial.pdf"), tmp_path("serial-streamed.pdf")));
  if (fx->d.errors + fx->d.warnings) rp_test_diag_dump(&fx->d);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  run_result r = run("qpdf --check '%s'", tmp_path("threaded-streamed.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
  r = run("pdftotext '%s' - | grep -c 'Quixotic'", tmp_path("threaded.pdf"));
  assert_int_equal(atoi(r.out), 24 + 48 + 24 + 48); /* pages 2, 4, 6, 8 */
  run_free(&r);
}

/* A held document's pages all go out with the worker while it is drawn
 * (pdf_doc.c HELD_OUT): past the ring's 256 pages, and past the bytes the
 * spool keeps in memory (the oldest then waited for, at once with a 1-byte
 * spool), the same file as deflating each on this thread. */
static rp_status render_kept(fixture *fx, const char *name, size_t spool_memory) {
  rp_render_opts o = {.source_date_epoch = "0", .spool_memory = spool_memory};
  return rp_render_pdf(&fx->doc, &o, tmp_path(name), &fx->d);
}

static void test_held_pages_out_same_pdf(void **state) {
  fixture *fx = *state;
  fx->doc.pages.len = 0;
  for (int pg = 0; pg < 300; pg++) {
    rp_page *p = add_page(fx, NULL);
    for (int l = 0; l < 2 + pg % 5; l++)
      add_text(fx, p, 72, 72 + l * 14, l % 2 ? fx->bold : fx->regular, 9,
               pg % 3 ? "words on a page" : "Quixotic zephyrs: £9.5bn");
  }
  unsigned long before = rp_flate_workers_started();
  assert_int_equal(setenv("RP_SERIAL_DEFLATE", "1", 1), 0);
  assert_int_equal(render_kept(fx, "serial-300.pdf", 0), RP_OK);
  assert_int_equal(unsetenv("RP_SERIAL_DEFLATE"), 0);
  assert_int_equal(rp_flate_workers_started(), before);
  assert_int_equal(render_kept(fx, "held-300.pdf", 0), RP_OK);
  assert_int_equal(render_kept(fx, "held-300-file.pdf", 1), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before + 2);
  assert_true(same_file(tmp_path("serial-300.pdf"), tmp_path("held-300.pdf")));
  assert_true(same_file(tmp_path("serial-300.pdf"), tmp_path("held-300-file.pdf")));
  if (fx->d.errors + fx->d.warnings) rp_test_diag_dump(&fx->d);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  run_result r = run("qpdf --check '%s'", tmp_path("held-300.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
}

/* The document made early (rp_render_early_start, while layout would run)
 * and taken by the render: the same file as without it, its worker the
 * render's (no second thread). Not taken — a PDF in another folder, an
 * uncompressed one, or no render at all — it is freed whole and changes
 * nothing; a streamed render takes it too. */
static rp_status render_early(fixture *fx, const char *name, const char *early_at,
                              bool uncompressed) {
  rp_render_early *e = rp_render_early_start(early_at);
  assert_non_null(e);
  rp_render_opts o = {.source_date_epoch = "0", .early = e, .uncompressed = uncompressed};
  rp_status st = rp_render_pdf(&fx->doc, &o, tmp_path(name), &fx->d);
  rp_render_early_free(e);
  return st;
}

static size_t entries_in(const char *dir) {
  run_result r = run("ls -A '%s' | wc -l", dir);
  size_t n = (size_t)atol(r.out);
  run_free(&r);
  return n;
}

static void test_early_document_taken(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  unsigned long before = rp_flate_workers_started();
  assert_int_equal(render(fx, "late.pdf", "0"), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before + 1);
  assert_int_equal(render_early(fx, "early.pdf", tmp_path("early.pdf"), false), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before + 2); /* the early one only */
  assert_true(same_file(tmp_path("late.pdf"), tmp_path("early.pdf")));
  /* another folder: not taken (the render starts its own worker) */
  assert_int_equal(render_early(fx, "elsewhere.pdf", "/tmp/rp-early-elsewhere.pdf", false), RP_OK);
  assert_int_equal(rp_flate_workers_started(), before + 4);
  assert_true(same_file(tmp_path("late.pdf"), tmp_path("elsewhere.pdf")));
  /* uncompressed: not taken; the same as such a file without it */
  rp_render_opts u = {.source_date_epoch = "0", .uncompressed = true};
  assert_int_equal(rp_render_pdf(&fx->doc, &u, tmp_path("plain.pdf"), &fx->d), RP_OK);
  assert_int_equal(render_early(fx, "plain-early.pdf", tmp_path("plain-early.pdf"), true), RP_OK);
  assert_true(same_file(tmp_path("plain.pdf"), tmp_path("plain-early.pdf")));
  /* never taken: nothing left in the folder (the spool has no name) */
  size_t files = entries_in(rp_test_tmpdir());
  rp_render_early_free(rp_render_early_start(tmp_path("never.pdf")));
  assert_int_equal(entries_in(rp_test_tmpdir()), files);
  rp_render_early_free(NULL);
  /* streamed, begun with it */
  rp_render_early *e = rp_render_early_start(tmp_path("s.pdf"));
  rp_render *r = NULL;
  rp_render_opts o = {.source_date_epoch = "0", .early = e};
  assert_int_equal(rp_render_begin(&o, tmp_path("early-streamed.pdf"), &fx->d, &r), RP_OK);
  for (size_t i = 0; i < fx->doc.pages.len; i++) {
    rp_layout_doc view = fx->doc;
    view.pages.len = i + 1;
    assert_int_equal(rp_render_page(r, &view, i), RP_OK);
  }
  assert_int_equal(rp_render_end(r, &fx->doc), RP_OK);
  rp_render_early_free(e);
  assert_int_equal(render_streamed(fx, "late-streamed.pdf"), RP_OK);
  assert_true(same_file(tmp_path("late-streamed.pdf"), tmp_path("early-streamed.pdf")));
  if (fx->d.errors + fx->d.warnings) rp_test_diag_dump(&fx->d);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
}

/* Faults through the early document: with a fault armed it is made on this
 * thread, so the Nth allocation of the two (the early document, then the
 * render) fails in one place each time, N dense at first, then spread. A
 * fault in the early document leaves none (NULL), and the render makes
 * its own: the same file. A fault in the render ends it with an error (or
 * one it does without: the pipeline then keeps no file, base/outfile);
 * nothing leaks (ASan) and no thread is started. */
static void test_early_document_faults(void **state) {
  fixture *fx = *state;
  build_text_doc(fx);
  assert_int_equal(render(fx, "ref.pdf", "0"), RP_OK);
  unsigned long threads = rp_flate_workers_started();
  size_t none = 0, failed = 0;
  for (unsigned long n = 1;; n += n < 64 ? 1 : n / 16) {
    rp_diag d;
    rp_diag_init(&d);
    rp_mem_fail_after(n, false);
    rp_render_early *e = rp_render_early_start(tmp_path("faulted.pdf"));
    rp_render_opts o = {.source_date_epoch = "0", .early = e};
    remove(tmp_path("faulted.pdf"));
    rp_status st = rp_render_pdf(&fx->doc, &o, tmp_path("faulted.pdf"), &d);
    rp_render_early_free(e);
    bool hit = rp_mem_failed();
    rp_mem_fail_after(0, false);
    rp_mem_forget_failure();
    if (!e || !hit) { /* no early document, or no fault at all: as ever */
      assert_int_equal(st, RP_OK);
      assert_true(same_file(tmp_path("ref.pdf"), tmp_path("faulted.pdf")));
      none += !e;
    } else if (st != RP_OK) {
      assert_true(st == RP_ERR_INTERNAL || st == RP_ERR_INPUT);
      assert_true(d.errors > 0);
      failed++;
    }
    rp_diag_fini(&d);
    if (!hit) break; /* past the last allocation */
  }
  assert_int_equal(rp_flate_workers_started(), threads);
  assert_true(none >= 3 && failed > 50);
  /* and without one, the render's first allocations failing: what begin
   * made is freed, nothing else (its spool's descriptor is none yet:
   * standard input stays open) */
  for (unsigned long n = 1; n <= 8; n++) {
    rp_diag d;
    rp_diag_init(&d);
    rp_mem_fail_after(n, false);
    rp_render_opts o = {.source_date_epoch = "0"};
    rp_status st = rp_render_pdf(&fx->doc, &o, tmp_path("faulted.pdf"), &d);
    rp_mem_fail_after(0, false);
    rp_mem_forget_failure();
    assert_true(st == RP_OK || st == RP_ERR_INTERNAL);
    assert_true(fcntl(0, F_GETFD) != -1);
    rp_diag_fini(&d);
  }
}

/* A held document's faces are made by render (pdf_font.c type0_new), not
 * by libharu's HPDF_GetFont: the same file either way (RP_HPDF_FONTS=1
 * asks for libharu's), for the full document (three faces, tracking, a
 * chart's label centred by the face's widths) and for text drawn in every
 * face with characters across the plane. */
static void test_type0_fonts_as_libharu(void **state) {
  fixture *fx = *state;
  build_full_doc(fx);
  rp_page *p = add_page(fx, "3");
  add_text(fx, p, 72, 100, fx->italic, 11, NON_ASCII);
  add_text(fx, p, 72, 120, fx->bold, 11, "Œuvre ß – “quoted” € ½ ﬁ ✓ \xef\xbf\xbd");
  add_text(fx, p, 72, 140, fx->regular, 11, "~ {} | ^ ` \\ () ÿ Ā ő Ω");
  rp_item *c = rp_page_add(fx->a, p, RP_ITEM_CHART);
  c->x = 72, c->y = 300, c->w = 300, c->h = 150;
  c->u.chart.kind = "pie";
  c->u.chart.label = "Spend – £ by area";
  assert_int_equal(setenv("RP_HPDF_FONTS", "1", 1), 0);
  assert_int_equal(render(fx, "hpdf-fonts.pdf", "0"), RP_OK);
  assert_int_equal(unsetenv("RP_HPDF_FONTS"), 0);
  assert_int_equal(render(fx, "own-fonts.pdf", "0"), RP_OK);
  assert_int_equal(fx->d.errors + fx->d.warnings, 0);
  assert_true(same_file(tmp_path("hpdf-fonts.pdf"), tmp_path("own-fonts.pdf")));
  run_result r = run("qpdf --check '%s'", tmp_path("own-fonts.pdf"));
  assert_int_equal(r.status, 0);
  run_free(&r);
  r = run("pdffonts '%s' | grep -c 'CID TrueType *Identity-H *yes yes yes'",
          tmp_path("own-fonts.pdf"));
  assert_int_equal(atoi(r.out), 3);
  run_free(&r);
  r = run("pdftotext '%s' - | grep -c 'Spend – £ by area\\|Œuvre ß'", tmp_path("own-fonts.pdf"));
  assert_int_equal(atoi(r.out), 2);
  run_free(&r);
}

/* rp_pdf_clean_text (text passed on as it is when clean) gives what
 * rp_pdf_clean_utf8 gives, for every string of one or two bytes, every
 * three-byte one from E0-EF and F0, the characters around the edges of
 * what is clean, and lengths about the limit. */
static void test_clean_text_as_clean_utf8(void **state) {
  (void)state;
  rp_pdf p = {.scratch = rp_arena_new()};
  assert_non_null(p.scratch);
  char s[8];
  size_t checked = 0, passed = 0;
  for (unsigned a = 1; a < 256; a++)
    for (unsigned b = 0; b < 256; b++)
      for (unsigned c = 0; c < (a >= 0xE0 && a <= 0xF0 && b >= 0x80 && b < 0xC0 ? 256u : 1u); c++) {
        s[0] = (char)a, s[1] = (char)b, s[2] = (char)c, s[3] = 'x', s[4] = '\0';
        if (!c) s[2] = '\0';
        if (!b) s[1] = '\0';
        const char *fast = rp_pdf_clean_text(&p, s, 100);
        const char *slow = rp_pdf_clean_utf8(&p, s, 100);
        assert_non_null(fast);
        assert_non_null(slow);
        if (strcmp(fast, slow) != 0) fail_msg("%02X %02X %02X: '%s' != '%s'", a, b, c, fast, slow);
        checked++;
        passed += fast == s;
        if ((checked & 4095) == 0) { /* the arena grows with every copy */
          rp_arena_free(p.scratch);
          p.scratch = rp_arena_new();
        }
      }
  assert_true(passed > 10000); /* most strings are passed on as they are */
  static const char *const cases[] = {
      "£9.5bn – Co‑operative’s", "tab\there",    "\xEF\xBF\xBD ok", "\xEF\xBF\xBE", "\xEF\xBF\xBF",
      "\xF0\x9F\x98\x80 smile",  "end \xE2\x82", "abcdefghij"};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    for (size_t max = 0; max < 14; max++)
      assert_string_equal(rp_pdf_clean_text(&p, cases[i], max),
                          rp_pdf_clean_utf8(&p, cases[i], max));
  assert_ptr_equal(rp_pdf_clean_text(&p, cases[0], 100), cases[0]);
  rp_arena_free(p.scratch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_text_extracts_without_cmap_warning, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kerned_text_extracts_and_measures, setup, teardown),
      cmocka_unit_test_setup_teardown(test_text_state_carried, setup, teardown),
      cmocka_unit_test(test_put_fixed_as_before),
      cmocka_unit_test(test_stream_write_as_libharu),
      cmocka_unit_test_setup_teardown(test_only_used_faces_embedded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_info_pages_and_size, setup, teardown),
      cmocka_unit_test_setup_teardown(test_source_date_epoch, setup, teardown),
      cmocka_unit_test_setup_teardown(test_full_document_passes_qpdf, setup, teardown),
      cmocka_unit_test_setup_teardown(test_output_is_deterministic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_leave_memory_same_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_image_embedded_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated_png_warns, setup, teardown),
      cmocka_unit_test_setup_teardown(test_corrupt_images_warn, setup, teardown),
      cmocka_unit_test_setup_teardown(test_large_images_downsampled, setup, teardown),
      cmocka_unit_test_setup_teardown(test_small_jpeg_passthrough, setup, teardown),
      cmocka_unit_test_setup_teardown(test_links_and_outline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_page_labels, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_items_are_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_font_size_zero_as_float, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unembeddable_font_is_input_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_jpeg_header_variants, setup, teardown),
      cmocka_unit_test_setup_teardown(test_gray_and_cmyk_jpeg, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unwritable_output_is_input_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_pages, setup, teardown),
      cmocka_unit_test_setup_teardown(test_paths_drawn, setup, teardown),
      cmocka_unit_test_setup_teardown(test_path_operators_compact, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pages_streamed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_streamed_link_past_end, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory_flat_in_pages, setup, teardown),
      cmocka_unit_test_setup_teardown(test_spool_leaves_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_spool_and_output_write_failures, setup, teardown),
      cmocka_unit_test(test_flate_worker_same_bytes),
      cmocka_unit_test(test_clean_text_as_clean_utf8),
      cmocka_unit_test_setup_teardown(test_threaded_deflate_same_pdf, setup, teardown),
      cmocka_unit_test_setup_teardown(test_held_pages_out_same_pdf, setup, teardown),
      cmocka_unit_test(test_flate_wait_takes_job_while_busy),
      cmocka_unit_test(test_flate_wait_does_queued_while_busy),
      cmocka_unit_test(test_hpdf_helpers_replaced),
      cmocka_unit_test(test_pdf_round_and_decode),
      cmocka_unit_test_setup_teardown(test_type0_fonts_as_libharu, setup, teardown),
      cmocka_unit_test_setup_teardown(test_early_document_taken, setup, teardown),
      cmocka_unit_test_setup_teardown(test_early_document_faults, setup, teardown),
      cmocka_unit_test_setup_teardown(test_svg_parsed_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_svg_probe_taken, setup, teardown),
      cmocka_unit_test(test_pixmap_downsample_box),
      cmocka_unit_test(test_pixmap_split_unpremultiplies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
