/* test_font — font metrics against libharu itself, coverage, refusal of bad
 * files, UTF-8 decoding. */
#include <hb.h>
#include <hpdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
/* after testutil.h (cmocka) */
#include "base/mem.h"
#include "font/font.h"
#include "pipeline/pipeline.h"

/* Open Sans, and DejaVu Sans, the fallback for what Open Sans lacks: runs in
 * either face must measure exactly as libharu draws them. */
static const char *const FACES[] = {
    "fonts/OpenSans-Regular.ttf",   "fonts/OpenSans-Bold.ttf",
    "fonts/OpenSans-Italic.ttf",    "fonts/OpenSans-BoldItalic.ttf",
    "fonts/DejaVuSans.ttf",         "fonts/DejaVuSans-Bold.ttf",
    "fonts/DejaVuSans-Oblique.ttf", "fonts/DejaVuSans-BoldOblique.ttf"};

/* A fontset holding `rel`, loaded through the public API. */
static const rp_font *load(rp_fontset *fs, rp_diag *d, const char *rel) {
  int index = -1;
  rp_status st = rp_fontset_load(fs, rp_test_src(rel), "layout.xml", 7, d, &index);
  if (st != RP_OK) rp_test_diag_dump(d);
  assert_int_equal(st, RP_OK);
  assert_true(index >= 0);
  return rp_fontset_get(fs, index);
}

static void haru_error(HPDF_STATUS no, HPDF_STATUS detail, void *user) {
  (void)user;
  fail_msg("libharu error 0x%04X/%u", (unsigned)no, (unsigned)detail);
}

/* libharu's font for the same file, as render/ loads it. */
static HPDF_Font haru_font(HPDF_Doc pdf, const char *rel) {
  const char *name = HPDF_LoadTTFontFromFile(pdf, rp_test_src(rel), HPDF_TRUE);
  assert_non_null(name);
  HPDF_Font f = HPDF_GetFont(pdf, name, "UTF-8");
  assert_non_null(f);
  return f;
}

static void test_width_matches_libharu(void **state) {
  (void)state;
  static const char *const texts[] = {
      "Hello, world",
      "\xC2\xA3"
      "9.5bn \xE2\x80\x93 \xE2\x80\x99",
      "Annual Review 2024",
      "caf\xC3\xA9 na\xC3\xAFve \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x80\x94 ok",
      "\xE2\x80\x91 not in the font",
      "CO\xE2\x82\x82"
      "e \xE2\x86\x92 \xCE\xB1\xCE\xB2\xCE\xB3 \xE2\x85\x93",
      "",
  };
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  HPDF_Doc pdf = HPDF_New(haru_error, NULL);
  assert_non_null(pdf);
  assert_int_equal(HPDF_UseUTFEncodings(pdf), HPDF_OK);
  for (size_t k = 0; k < sizeof FACES / sizeof FACES[0]; k++) {
    const rp_font *f = load(&fs, &d, FACES[k]);
    HPDF_Font hf = haru_font(pdf, FACES[k]);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
      size_t len = strlen(texts[i]);
      HPDF_TextWidth tw = HPDF_Font_TextWidth(hf, (const HPDF_BYTE *)texts[i], (HPDF_UINT)len);
      double ours = rp_font_width(f, texts[i], len, 10, 0);
      double theirs = tw.width * 10.0 / 1000.0;
      if (ours != theirs)
        fail_msg("%s \"%s\": %.17g vs libharu %.17g", FACES[k], texts[i], ours, theirs);
    }
  }
  HPDF_Free(pdf);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* Every BMP code point, and the face-wide metrics, as libharu has them. */
static void test_all_bmp_widths_and_metrics_match_libharu(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  HPDF_Doc pdf = HPDF_New(haru_error, NULL);
  assert_non_null(pdf);
  HPDF_UseUTFEncodings(pdf);
  for (size_t k = 0; k < sizeof FACES / sizeof FACES[0]; k++) {
    const rp_font *f = load(&fs, &d, FACES[k]);
    HPDF_Font hf = haru_font(pdf, FACES[k]);
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
      int theirs = HPDF_Font_GetUnicodeWidth(hf, (HPDF_UNICODE)cp);
      if (rp_font_cp_width(f, cp) != theirs)
        fail_msg("%s U+%04X: %u vs libharu %d", FACES[k], (unsigned)cp, rp_font_cp_width(f, cp),
                 theirs);
    }
    assert_int_equal(f->ascent, HPDF_Font_GetAscent(hf));
    assert_int_equal(f->descent, HPDF_Font_GetDescent(hf));
    assert_int_equal(f->cap_height, (int)HPDF_Font_GetCapHeight(hf));
    assert_int_equal(f->x_height, (int)HPDF_Font_GetXHeight(hf));
    assert_int_equal(f->units_per_em, 2048);
  }
  HPDF_Free(pdf);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

static void test_width_tracking_and_size(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  const rp_font *f = load(&fs, &d, FACES[0]);
  double expect = (rp_font_cp_width(f, 'A') + rp_font_cp_width(f, 'V') + 2 * 50.0) * 12 / 1000.0;
  assert_true(rp_font_width(f, "AV", 2, 12, 50) == expect);
  /* Invalid UTF-8 is measured as U+FFFD; beyond the BMP as a missing glyph. */
  assert_true(rp_font_width(f, "\xFF", 1, 10, 0) == rp_font_cp_width(f, 0xFFFD) * 10 / 1000.0);
  assert_true(rp_font_width(f, "\xF0\x9F\x98\x80", 4, 10, 0) == f->missing_width * 10 / 1000.0);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

static void test_coverage(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  const rp_font *f = load(&fs, &d, FACES[0]);
  assert_true(rp_font_covers(f, 'A'));
  assert_true(rp_font_covers(f, 0x00A0));
  assert_true(rp_font_covers(f, 0x2013));
  assert_true(rp_font_covers(f, 0x2019));
  assert_false(rp_font_covers(f, 0x2011)); /* non-breaking hyphen: not in Open Sans */
  assert_false(rp_font_covers(f, 0x4E2D));
  assert_false(rp_font_covers(f, 0x1F600));
  assert_int_equal(rp_font_cp_width(f, 0x2011), f->missing_width);
  assert_true(f->ascent > 0 && f->descent < 0);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* Loads `path` expecting refusal; the message names the file and the reason
 * and the diagnostic sits at the layout line that referred to it. */
static void expect_refused(const char *path, const char *reason) {
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  int index = 42;
  rp_status st = rp_fontset_load(&fs, path, "layouts/annual.xml", 12, &d, &index);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_int_equal(index, 42);
  assert_int_equal(fs.count, 0);
  assert_int_equal(d.count, 1);
  assert_string_equal(d.entries[0].file, "layouts/annual.xml");
  assert_int_equal(d.entries[0].line, 12);
  char quoted[4200];
  snprintf(quoted, sizeof quoted, "font \"%s\" cannot be read (", path);
  if (!rp_test_diag_has(&d, quoted) || !rp_test_diag_has(&d, reason) ||
      !rp_test_diag_has(&d, "use a TrueType (.ttf) file")) {
    rp_test_diag_dump(&d);
    fail_msg("expected a message about %s naming \"%s\"", path, reason);
  }
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* Writes n bytes (NULs included) to `name` in the scratch folder. */
static const char *write_bytes(const char *name, const void *data, size_t n) {
  const char *path = rp_test_write(name, "");
  FILE *out = fopen(path, "wb");
  assert_non_null(out);
  assert_int_equal(fwrite(data, 1, n, out), n);
  fclose(out);
  return path;
}

/* A copy of Open Sans Regular cut to `n` bytes in the scratch folder. */
static const char *truncated_copy(const char *name, size_t n) {
  FILE *in = fopen(rp_test_src(FACES[0]), "rb");
  assert_non_null(in);
  char *buf = malloc(n);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, n, in), n);
  fclose(in);
  const char *path = write_bytes(name, buf, n);
  free(buf);
  return path;
}

/* Copies `rel` (a file in the repository) to `name` in the scratch folder. */
static const char *copy_of(const char *rel, const char *name) {
  FILE *in = fopen(rp_test_src(rel), "rb");
  assert_non_null(in);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, in);
  assert_true(n > 0 && n < sizeof buf);
  fclose(in);
  return write_bytes(name, buf, n);
}

static void test_truncated_font_refused(void **state) {
  (void)state;
  char path[4096];
  snprintf(path, sizeof path, "%s", truncated_copy("short.ttf", 1000));
  expect_refused(path, "truncated");
  /* Cut in the 'name' table: libharu 2.3.0 loads and embeds this silently. */
  snprintf(path, sizeof path, "%s", truncated_copy("cut.ttf", 200000));
  expect_refused(path, "of a 200000-byte file");
  /* Cut inside the glyph outlines. */
  snprintf(path, sizeof path, "%s", truncated_copy("cut2.ttf", 50000));
  expect_refused(path, "truncated or corrupt: table '");
  snprintf(path, sizeof path, "%s", truncated_copy("tiny.ttf", 5));
  expect_refused(path, "only 5 bytes");
}

static void test_non_font_refused(void **state) {
  (void)state;
  expect_refused(rp_test_write("notes.ttf", "These are not the glyphs you are looking for.\n"),
                 "not a TrueType font");
  expect_refused(rp_test_write("empty.ttf", ""), "only 0 bytes");
  expect_refused(rp_test_src("fonts/LICENSE-OpenSans.txt"), "not a TrueType font");
  expect_refused(rp_test_src("fonts"), "not a regular file");
}

static void test_cff_and_collections_refused(void **state) {
  (void)state;
  static const char cff[] = "OTTO\x00\x0A\x00\x80\x00\x03\x00\x20 rest of a font";
  static const char ttc[] = "ttcf\x00\x01\x00\x00\x00\x00\x00\x02 and fonts";
  static const char woff[] = "wOFF\x00\x01\x00\x00 and so on";
  expect_refused(write_bytes("cff.otf", cff, sizeof cff - 1), "CFF outlines");
  expect_refused(write_bytes("fonts.ttc", ttc, sizeof ttc - 1), "collection");
  expect_refused(write_bytes("web.woff", woff, sizeof woff - 1), "WOFF");
}

/* Open Sans Regular, read whole; *n receives its size. */
static unsigned char *font_bytes(size_t *n) {
  FILE *in = fopen(rp_test_src(FACES[0]), "rb");
  assert_non_null(in);
  fseek(in, 0, SEEK_END);
  *n = (size_t)ftell(in);
  rewind(in);
  unsigned char *buf = malloc(*n);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, *n, in), *n);
  fclose(in);
  return buf;
}

/* Offset of the directory entry for `tag`. */
static size_t dir_entry(const unsigned char *buf, const char *tag) {
  size_t n = (size_t)(buf[4] << 8 | buf[5]);
  for (size_t i = 0; i < n; i++)
    if (memcmp(buf + 12 + 16 * i, tag, 4) == 0) return 12 + 16 * i;
  fail_msg("no table %s", tag);
  return 0;
}

static size_t table_offset(const unsigned char *buf, const char *tag) {
  const unsigned char *e = buf + dir_entry(buf, tag) + 8;
  return (size_t)e[0] << 24 | (size_t)e[1] << 16 | (size_t)e[2] << 8 | e[3];
}

static HPDF_STATUS haru_last_error;
static void haru_record(HPDF_STATUS no, HPDF_STATUS detail, void *user) {
  (void)detail;
  (void)user;
  haru_last_error = no;
}

/* True when libharu 2.3.0 refuses to load `path`. */
static bool haru_refuses(const char *path) {
  HPDF_Doc pdf = HPDF_New(haru_record, NULL);
  assert_non_null(pdf);
  HPDF_UseUTFEncodings(pdf);
  haru_last_error = 0;
  const char *name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
  HPDF_Free(pdf);
  return name == NULL;
}

/* What libharu needs is checked up front, with a message saying what is wrong;
 * each broken copy is one libharu itself refuses. */
static void test_libharu_requirements_checked(void **state) {
  (void)state;
  size_t n;
  unsigned char *buf = font_bytes(&n);
  char path[4096];

  /* Without an OS/2 table (renamed in the directory). */
  size_t e = dir_entry(buf, "OS/2");
  memcpy(buf + e, "XS/2", 4);
  snprintf(path, sizeof path, "%s", write_bytes("noos2.ttf", buf, n));
  assert_true(haru_refuses(path));
  expect_refused(path, "it has no 'OS/2' table");
  memcpy(buf + e, "OS/2", 4);

  /* Without outlines. */
  e = dir_entry(buf, "glyf");
  memcpy(buf + e, "glyX", 4);
  snprintf(path, sizeof path, "%s", write_bytes("noglyf.ttf", buf, n));
  assert_true(haru_refuses(path));
  expect_refused(path, "no TrueType outlines");
  memcpy(buf + e, "glyf", 4);

  /* Licence forbids embedding: OS/2 fsType = 0x0002 (restricted). */
  size_t os2 = table_offset(buf, "OS/2");
  unsigned char saved[2] = {buf[os2 + 8], buf[os2 + 9]};
  buf[os2 + 8] = 0;
  buf[os2 + 9] = 2;
  snprintf(path, sizeof path, "%s", write_bytes("restricted.ttf", buf, n));
  assert_true(haru_refuses(path));
  assert_int_equal(haru_last_error, HPDF_TTF_CANNOT_EMBEDDING_FONT);
  expect_refused(path, "forbids embedding");
  memcpy(buf + os2 + 8, saved, 2);

  /* A table pointing past the end of the file. */
  e = dir_entry(buf, "kern");
  buf[e + 12] = 0x7F;
  snprintf(path, sizeof path, "%s", write_bytes("badkern.ttf", buf, n));
  expect_refused(path, "table 'kern' ends at byte");

  /* Untouched, the same bytes load. */
  buf[e + 12] = 0;
  snprintf(path, sizeof path, "%s", write_bytes("fine.ttf", buf, n));
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  int index;
  assert_int_equal(rp_fontset_load(&fs, path, "l.xml", 1, &d, &index), RP_OK);
  assert_false(haru_refuses(path));
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
  free(buf);
}

/* A face is read with FreeType's blocks in a buffer (font.c read_face_buffered),
 * and without it when faults are armed: the same metrics either way, for
 * every face the review uses, widths included. */
static void test_face_buffer_same_metrics(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof FACES / sizeof FACES[0]; i++) {
    rp_fontset a, b;
    rp_diag d;
    rp_fontset_init(&a);
    rp_fontset_init(&b);
    rp_diag_init(&d);
    const rp_font *fa = load(&a, &d, FACES[i]);
    rp_mem_fail_after(1ul << 40, false); /* armed, never reached: no buffer */
    const rp_font *fb = load(&b, &d, FACES[i]);
    rp_mem_fail_after(0, false);
    assert_int_equal(fa->units_per_em, fb->units_per_em);
    assert_int_equal(fa->ascent, fb->ascent);
    assert_int_equal(fa->descent, fb->descent);
    assert_int_equal(fa->cap_height, fb->cap_height);
    assert_int_equal(fa->x_height, fb->x_height);
    assert_true(fa->italic_angle == fb->italic_angle);
    assert_int_equal(fa->weight, fb->weight);
    assert_int_equal(fa->missing_width, fb->missing_width);
    for (uint32_t cp = 32; cp < 0x2100; cp++)
      assert_int_equal(rp_font_cp_width(fa, cp), rp_font_cp_width(fb, cp));
    assert_int_equal(d.count, 0);
    rp_diag_fini(&d);
    rp_fontset_fini(&a);
    rp_fontset_fini(&b);
  }
}

static void test_missing_file_refused(void **state) {
  (void)state;
  expect_refused("fonts/no-such-font.ttf", "No such file");
}

static void test_same_path_same_index(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  int a = -1, b = -1, c = -1, e = -1;
  assert_int_equal(rp_fontset_load(&fs, rp_test_src(FACES[0]), "l.xml", 1, &d, &a), RP_OK);
  assert_int_equal(rp_fontset_load(&fs, rp_test_src(FACES[1]), "l.xml", 2, &d, &b), RP_OK);
  assert_int_equal(rp_fontset_load(&fs, rp_test_src(FACES[0]), "l.xml", 3, &d, &c), RP_OK);
  /* Another spelling of the same file. */
  assert_int_equal(
      rp_fontset_load(&fs, rp_test_src("fonts/../fonts/OpenSans-Bold.ttf"), "l.xml", 4, &d, &e),
      RP_OK);
  /* A symbolic link to it and a hard link: the same file by its inode. */
  char copy[4096], sym[4200], hard[4200];
  snprintf(copy, sizeof copy, "%s", copy_of(FACES[2], "linked.ttf"));
  snprintf(sym, sizeof sym, "%s/linked-sym.ttf", rp_test_tmpdir());
  snprintf(hard, sizeof hard, "%s/linked-hard.ttf", rp_test_tmpdir());
  unlink(sym);
  unlink(hard);
  assert_int_equal(symlink(copy, sym), 0);
  assert_int_equal(link(copy, hard), 0);
  int g = -1, h = -1, k = -1;
  assert_int_equal(rp_fontset_load(&fs, copy, "l.xml", 5, &d, &g), RP_OK);
  assert_int_equal(rp_fontset_load(&fs, sym, "l.xml", 6, &d, &h), RP_OK);
  assert_int_equal(rp_fontset_load(&fs, hard, "l.xml", 7, &d, &k), RP_OK);
  assert_int_equal(a, 0);
  assert_int_equal(b, 1);
  assert_int_equal(c, a);
  assert_int_equal(e, b);
  assert_int_equal(g, 2);
  assert_int_equal(h, g);
  assert_int_equal(k, g);
  assert_int_equal(fs.count, 3);
  assert_int_equal(rp_fontset_get(&fs, b)->index, b);
  assert_int_equal(d.count, 0);
  rp_fontset_fini(&fs);
  rp_fontset_fini(&fs); /* idempotent */
  rp_diag_fini(&d);
}

static void test_fini_empty(void **state) {
  (void)state;
  rp_fontset fs;
  rp_fontset_init(&fs);
  rp_fontset_fini(&fs);
  rp_fontset_fini(NULL);
}

typedef struct utf8_case {
  const char *bytes;
  size_t len;
  uint32_t cp;
  size_t used;
} utf8_case;

static void test_utf8_decode_strict(void **state) {
  (void)state;
  static const utf8_case cases[] = {
      {"A", 1, 'A', 1},
      {"\xC3\xA9", 2, 0xE9, 2},
      {"\xE2\x80\x93", 3, 0x2013, 3},
      {"\xEF\xBF\xBD", 3, 0xFFFD, 3},
      {"\xF0\x9F\x98\x80", 4, 0x1F600, 4},
      {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4},
      {"\xC0\xAF", 2, 0xFFFD, 1},         /* overlong '/' */
      {"\xC1\xBF", 2, 0xFFFD, 1},         /* overlong */
      {"\xE0\x80\xAF", 3, 0xFFFD, 1},     /* overlong, 3 bytes */
      {"\xF0\x80\x80\xAF", 4, 0xFFFD, 1}, /* overlong, 4 bytes */
      {"\xED\xA0\x80", 3, 0xFFFD, 1},     /* high surrogate */
      {"\xED\xBF\xBF", 3, 0xFFFD, 1},     /* low surrogate */
      {"\xF4\x90\x80\x80", 4, 0xFFFD, 1}, /* beyond U+10FFFF */
      {"\xF5\x80\x80\x80", 4, 0xFFFD, 1},
      {"\xFF", 1, 0xFFFD, 1},
      {"\x80", 1, 0xFFFD, 1},     /* stray continuation */
      {"\xE2\x80", 2, 0xFFFD, 2}, /* truncated: the valid prefix is one U+FFFD */
      {"\xE2\x80"
       "A",
       3, 0xFFFD, 2},
      {"\xC3"
       "A",
       2, 0xFFFD, 1},
      {"\xF0\x9F\x98", 3, 0xFFFD, 3},
      {"\xE2\x80\x93", 1, 0xFFFD, 1}, /* length limit respected */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint32_t cp = 0;
    size_t used = rp_utf8_decode(cases[i].bytes, cases[i].len, &cp);
    if (cp != cases[i].cp || used != cases[i].used)
      fail_msg("case %zu: U+%04X/%zu, expected U+%04X/%zu", i, (unsigned)cp, used,
               (unsigned)cases[i].cp, cases[i].used);
  }
}

/* Numeric table columns align on the font's default digits: Open Sans's are
 * tabular (one advance for 0–9), so no OpenType `tnum` is needed. A font
 * change that loses this breaks the alignment of every figures column. */
static void test_digits_are_tabular(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  for (size_t k = 0; k < sizeof FACES / sizeof FACES[0]; k++) {
    const rp_font *f = load(&fs, &d, FACES[k]);
    double zero = rp_font_width(f, "0", 1, 10, 0);
    assert_true(zero > 0);
    for (char c = '1'; c <= '9'; c++) {
      double w = rp_font_width(f, &c, 1, 10, 0);
      if (w != zero) fail_msg("%s: digit %c is %gpt wide, 0 is %gpt", FACES[k], c, w, zero);
    }
    /* so any two numbers of as many digits line up, whatever the digits */
    assert_true(rp_font_width(f, "1111.11", 7, 10, 0) == rp_font_width(f, "9080.70", 7, 10, 0));
  }
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* HarfBuzz's own shaping of the pair with every default feature (not
 * through font.c): how far the pair's kerning moves b, in font units. */
static long hb_pair_kern(const char *path, const char *pair) {
  hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
  assert_non_null(blob);
  hb_face_t *face = hb_face_create(blob, 0);
  hb_font_t *font = hb_font_create(face);
  hb_buffer_t *buf = hb_buffer_create();
  hb_buffer_add_utf8(buf, pair, -1, 0, -1);
  hb_buffer_guess_segment_properties(buf);
  hb_shape(font, buf, NULL, 0);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
  assert_int_equal(n, 2);
  long k = pos[0].x_advance - hb_font_get_glyph_h_advance(font, info[0].codepoint);
  hb_buffer_destroy(buf);
  hb_font_destroy(font);
  hb_face_destroy(face);
  hb_blob_destroy(blob);
  return k;
}

/* "AV", "To", "Ty" kern in Open Sans (all four faces) as HarfBuzz shapes
 * them, rounded to thousandths of an em; never next to a space. */
static void test_kerning_pairs_match_harfbuzz(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  static const char *const pairs[] = {"AV", "To", "Ty", "VA", "LT"};
  for (size_t k = 0; k < 4; k++) {
    const rp_font *f = load(&fs, &d, FACES[k]);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
      int ours = rp_font_kern(f, (unsigned char)pairs[i][0], (unsigned char)pairs[i][1]);
      long units = hb_pair_kern(rp_test_src(FACES[k]), pairs[i]);
      if (ours >= 0 || units >= 0)
        fail_msg("%s \"%s\": kern %d (HarfBuzz %ld units), expected negative", FACES[k], pairs[i],
                 ours, units);
      if (ours != lround(units * 1000.0 / f->units_per_em))
        fail_msg("%s \"%s\": %d/1000 em, HarfBuzz %ld/%d", FACES[k], pairs[i], ours, units,
                 f->units_per_em);
      /* asked again: the same answer (from the cache) */
      assert_int_equal(rp_font_kern(f, (unsigned char)pairs[i][0], (unsigned char)pairs[i][1]),
                       ours);
    }
    /* pairs the designer left alone, and anything next to a space */
    assert_int_equal(rp_font_kern(f, 'o', 'n'), 0);
    assert_int_equal(rp_font_kern(f, 'A', ' '), 0);
    assert_int_equal(rp_font_kern(f, ' ', 'V'), 0);
    assert_int_equal(rp_font_kern(f, 0xA0, 'V'), 0);
  }
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* At rest (rp_fontset_rest: HarfBuzz's font released), a face still kerns:
 * the pairs measured before from its cache, one never measured from the
 * font made again from the file (a pair outside the dense ASCII table too),
 * each as HarfBuzz shapes it; and it can rest again. */
static void test_kerning_at_rest(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  const rp_font *f = load(&fs, &d, FACES[0]);
  int av = rp_font_kern(f, 'A', 'V');
  assert_true(av < 0);
  for (int round = 0; round < 2; round++) {
    rp_fontset_rest(&fs);
    assert_int_equal(rp_font_kern(f, 'A', 'V'), av);
    assert_int_equal(rp_font_kern(f, 'T', 'o'),
                     lround(hb_pair_kern(rp_test_src(FACES[0]), "To") * 1000.0 / f->units_per_em));
    /* "ÀV" (U+00C0): the hash, not the dense table; measured at rest */
    int q = rp_font_kern(f, 0xC0, 'V');
    assert_true(q < 0);
    rp_fontset_rest(&fs);
    assert_int_equal(rp_font_kern(f, 0xC0, 'V'), q);
  }
  rp_fontset_rest(&fs);
  assert_true(rp_font_kern(f, 'V', 'A') < 0);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* HarfBuzz's own shaping of code points a, b as font.c shapes a pair (its
 * segment guessed, then left to right; ligatures off) but through hb_shape,
 * rounded to thousandths of an em: what font.c's kept plans must give. */
static int hb_pair_kern_cps(const char *path, uint32_t a, uint32_t b) {
  hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
  assert_non_null(blob);
  hb_face_t *face = hb_face_create(blob, 0);
  hb_font_t *font = hb_font_create(face);
  hb_buffer_t *buf = hb_buffer_create();
  hb_feature_t feats[4];
  static const char *const off[4] = {"-liga", "-clig", "-calt", "-dlig"};
  for (int i = 0; i < 4; i++) hb_feature_from_string(off[i], -1, &feats[i]);
  hb_codepoint_t cps[2] = {a, b};
  hb_buffer_add_codepoints(buf, cps, 2, 0, 2);
  hb_buffer_guess_segment_properties(buf);
  hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
  hb_shape(font, buf, feats, 4);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
  long units = n == 2 ? pos[0].x_advance - hb_font_get_glyph_h_advance(font, info[0].codepoint)
                      : 0; /* not two glyphs (alef lam: a required ligature): font.c says 0 */
  int upem = (int)hb_face_get_upem(face);
  hb_buffer_destroy(buf);
  hb_font_destroy(font);
  hb_face_destroy(face);
  hb_blob_destroy(blob);
  return (int)lround((double)units * 1000.0 / upem);
}

/* Pairs of several scripts (a shaping plan kept for each of the first few,
 * hb_shape for the rest), before and after the face rests: each as hb_shape
 * gives it. */
static void test_kerning_plans_match_hb_shape(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  const char *rel = FACES[4]; /* DejaVu Sans: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic */
  const rp_font *f = load(&fs, &d, rel);
  static const uint32_t pairs[][2] = {
      {'A', 'V'},     {'T', 'o'},     {'1', '7'},     {0x391, 0x3A5},   {0x3A4, 0x3BF},
      {0x413, 0x410}, {0x422, 0x43E}, {0x531, 0x562}, {0x5D0, 0x5D1},   {0x627, 0x644},
      {'L', 0x2019},  {0x201C, 'A'},  {'f', 'i'},     {0x10D0, 0x10D1}, {'V', '.'}};
  size_t n = sizeof pairs / sizeof pairs[0];
  int first[sizeof pairs / sizeof pairs[0]];
  bool some = false;
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < n; i++) {
      uint32_t a = pairs[i][0], b = pairs[i][1];
      if (!rp_font_covers(f, a) || !rp_font_covers(f, b))
        fail_msg("%s lacks U+%04X U+%04X", rel, a, b);
      int ours = rp_font_kern(f, a, b), theirs = hb_pair_kern_cps(rp_test_src(rel), a, b);
      if (ours != theirs)
        fail_msg("round %d U+%04X U+%04X: %d, hb_shape %d", round, a, b, ours, theirs);
      if (round == 0) first[i] = ours;
      assert_int_equal(ours, first[i]);
      some |= ours != 0;
    }
    rp_fontset_rest(&fs); /* the plans go with HarfBuzz's font, and are made again */
  }
  assert_true(some);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* HarfBuzz kept for one face, shaping pairs as font.c does (its own hb_shape
 * per pair), for comparing many pairs. */
typedef struct hb_pairs {
  hb_blob_t *blob;
  hb_face_t *face;
  hb_font_t *font;
  hb_buffer_t *buf;
  hb_feature_t feats[4];
} hb_pairs;

static void hb_pairs_open(hb_pairs *h, const char *path) {
  h->blob = hb_blob_create_from_file_or_fail(path);
  assert_non_null(h->blob);
  h->face = hb_face_create(h->blob, 0);
  h->font = hb_font_create(h->face);
  h->buf = hb_buffer_create();
  static const char *const off[4] = {"-liga", "-clig", "-calt", "-dlig"};
  for (int i = 0; i < 4; i++) hb_feature_from_string(off[i], -1, &h->feats[i]);
}

static int hb_pairs_kern(hb_pairs *h, uint32_t a, uint32_t b) {
  hb_buffer_clear_contents(h->buf);
  hb_codepoint_t cps[2] = {a, b};
  hb_buffer_add_codepoints(h->buf, cps, 2, 0, 2);
  hb_buffer_guess_segment_properties(h->buf);
  hb_buffer_set_direction(h->buf, HB_DIRECTION_LTR);
  hb_shape(h->font, h->buf, h->feats, 4);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(h->buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(h->buf, NULL);
  long units =
      n == 2 ? pos[0].x_advance - hb_font_get_glyph_h_advance(h->font, info[0].codepoint) : 0;
  return (int)lround((double)units * 1000.0 / hb_face_get_upem(h->face));
}

static void hb_pairs_close(hb_pairs *h) {
  hb_buffer_destroy(h->buf);
  hb_font_destroy(h->font);
  hb_face_destroy(h->face);
  hb_blob_destroy(h->blob);
}

/* Every pair of printable ASCII, Latin-1, the general punctuation and some
 * Greek, Cyrillic, marks and ignorables, in the face at `path`, equals what
 * hb_shape gives for it: font.c knows most pairs are 0 without shaping them
 * (their first glyph in no lookup's first coverage, the pair in no 'kern'
 * subtable), and that must never differ from shaping. The pairs from
 * Latin-1 on are asked after a rest (the font made again) and, for half of
 * them, of a copy of the fontset. Returns how many pairs kern. */
static size_t every_pair_matches_hb_shape(const char *path) {
  uint32_t cps[400];
  size_t n = 0;
  for (uint32_t c = 0x21; c < 0x7F; c++) cps[n++] = c;
  size_t ascii = n;
  for (uint32_t c = 0xA1; c <= 0xFF; c++) cps[n++] = c;     /* with U+00AD, soft hyphen */
  for (uint32_t c = 0x2010; c <= 0x2044; c++) cps[n++] = c; /* dashes, quotes, ZWSP..RLO */
  static const uint32_t more[] = {0x391, 0x392, 0x3A4, 0x3A5, 0x3B1,  0x3BF,  0x410,  0x413, 0x422,
                                  0x43E, 0x301, 0x308, 0x34F, 0x2060, 0xFEFF, 0x2212, 0x20AC};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) cps[n++] = more[i];
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  int index = -1;
  assert_int_equal(rp_fontset_load(&fs, path, "layout.xml", 7, &d, &index), RP_OK);
  const rp_font *f = rp_fontset_get(&fs, index);
  hb_pairs h;
  hb_pairs_open(&h, path);
  size_t kerned = 0;
  rp_fontset *copy = NULL;
  for (size_t i = 0; i < n; i++) {
    if (i == ascii) { /* the rest asked after a rest, half of a copy */
      rp_fontset_rest(&fs);
      copy = rp_fontset_copy_new(&fs);
      assert_non_null(copy);
      assert_true(rp_fontset_copy_face(copy, &fs, index));
    }
    const rp_font *g = copy && i % 2 ? rp_fontset_get(copy, index) : f;
    for (size_t j = 0; j < n; j++) {
      uint32_t a = cps[i], b = cps[j];
      int ours = rp_font_kern(g, a, b);
      if (!rp_font_covers(f, a) || !rp_font_covers(f, b)) {
        assert_int_equal(ours, 0);
        continue;
      }
      int theirs = hb_pairs_kern(&h, a, b);
      if (ours != theirs) fail_msg("%s U+%04X U+%04X: %d, hb_shape %d", path, a, b, ours, theirs);
      kerned += ours != 0;
    }
  }
  rp_fontset_copy_free(copy);
  hb_pairs_close(&h);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
  return kerned;
}

/* A copy of face `rel` named `name` with its table `tag` changed by
 * edit(table, length). */
static const char *edited_copy(const char *rel, const char *name, const char *tag,
                               void (*edit)(unsigned char *, size_t)) {
  FILE *in = fopen(rp_test_src(rel), "rb");
  assert_non_null(in);
  static unsigned char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, in);
  assert_true(n > 12 && n < sizeof buf);
  fclose(in);
  unsigned count = (unsigned)buf[4] << 8 | buf[5];
  for (unsigned i = 0; i < count; i++) {
    unsigned char *e = buf + 12 + 16 * i;
    if (memcmp(e, tag, 4) != 0) continue;
    size_t off = (size_t)e[8] << 24 | (size_t)e[9] << 16 | (size_t)e[10] << 8 | e[11];
    size_t len = (size_t)e[12] << 24 | (size_t)e[13] << 16 | (size_t)e[14] << 8 | e[15];
    assert_true(off + len <= n);
    edit(e, 0); /* the directory entry */
    edit(buf + off, len);
    return write_bytes(name, buf, n);
  }
  fail_msg("%s has no '%s'", rel, tag);
  return NULL;
}

/* len 0: a directory entry, renamed 'kerm' (HarfBuzz then sees no 'kern'). */
static void drop_table(unsigned char *t, size_t len) {
  if (len == 0) t[3] = 'm';
}

/* A 'kern' table whose first subtable's first two pairs are out of order. */
static void unsort_kern(unsigned char *t, size_t len) {
  if (len == 0) return;
  assert_true(len > 4 + 14 + 12);
  unsigned char *p = t + 4 + 14, tmp[6];
  memcpy(tmp, p, 6);
  memcpy(p, p + 6, 6);
  memcpy(p + 6, tmp, 6);
}

/* A GSUB of one lookup whose subtables all name one coverage of every
 * glyph (single substitutions by 0): more steps than the movers' reader
 * takes (a hostile font's), so the face is shaped pair by pair. */
static void gsub_huge(unsigned char *t, size_t len) {
  if (len == 0) return;
  memset(t, 0, len);
  /* header 10, lookup list 4, lookup 6 + 2 a subtable, subtable 6, coverage 10 */
  size_t subs = (len - 36) / 2;
  t[1] = 1;            /* version 1.0; no scripts, no features */
  t[8] = 0, t[9] = 10; /* the lookup list */
  unsigned char *ll = t + 10;
  ll[1] = 1, ll[3] = 4; /* one lookup, at +4 */
  unsigned char *lk = ll + 4;
  lk[1] = 1; /* single substitution */
  lk[4] = (unsigned char)(subs >> 8), lk[5] = (unsigned char)subs;
  size_t st = 6 + 2 * subs; /* the one subtable, from the lookup */
  for (size_t i = 0; i < subs; i++)
    lk[6 + 2 * i] = (unsigned char)(st >> 8), lk[7 + 2 * i] = (unsigned char)st;
  unsigned char *sub = lk + st;
  sub[1] = 1, sub[3] = 6; /* format 1, coverage at +6, delta 0 */
  unsigned char *cov = sub + 6;
  cov[1] = 2, cov[3] = 1; /* format 2, one range: 0..65535 */
  cov[6] = cov[7] = 0xFF;
}

static void test_kerning_every_pair_matches_hb_shape(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof FACES / sizeof FACES[0]; k++) {
    size_t kerned = every_pair_matches_hb_shape(rp_test_src(FACES[k]));
    /* the fonts kern (the comparison is not of zeros only) */
    if (kerned < 100) fail_msg("%s: %zu pairs kerned", FACES[k], kerned);
  }
  /* DejaVu Sans without its 'kern' table: its pairs from GPOS alone */
  char path[4096];
  snprintf(path, sizeof path, "%s", edited_copy(FACES[4], "gpos-only.ttf", "kern", drop_table));
  assert_true(every_pair_matches_hb_shape(path) > 100);
  /* DejaVu Sans with a GSUB too long to read (its pairs from GPOS) */
  snprintf(path, sizeof path, "%s", edited_copy(FACES[4], "gsub-huge.ttf", "GSUB", gsub_huge));
  assert_true(every_pair_matches_hb_shape(path) > 100);
  /* Open Sans with its 'kern' pairs out of order: shaped pair by pair */
  snprintf(path, sizeof path, "%s", edited_copy(FACES[0], "unsorted.ttf", "kern", unsort_kern));
  assert_true(every_pair_matches_hb_shape(path) > 100);
}

/* Kerned widths are the unkerned advances (libharu's arithmetic) plus the
 * kerning of each adjacent pair, tracking on top; off, rp_font_width. */
static void test_measure_with_kerning(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  const rp_font *f = load(&fs, &d, FACES[0]);
  const char *t = "AVAST Today";
  size_t len = strlen(t);
  long units = 0;
  for (size_t i = 0; i < len; i++) {
    units += rp_font_cp_width(f, (unsigned char)t[i]);
    if (i > 0) units += rp_font_kern(f, (unsigned char)t[i - 1], (unsigned char)t[i]);
  }
  double kerned = rp_font_measure(f, t, len, 10, 0, true);
  assert_true(kerned == units * 10 / 1000.0);
  assert_true(kerned < rp_font_width(f, t, len, 10, 0));
  assert_true(rp_font_measure(f, t, len, 10, 0, false) == rp_font_width(f, t, len, 10, 0));
  /* words measure apart: the space adds its advance only */
  assert_true(rp_font_measure(f, t, len, 10, 0, true) ==
              rp_font_measure(f, "AVAST", 5, 10, 0, true) + rp_font_width(f, " ", 1, 10, 0) +
                  rp_font_measure(f, "Today", 5, 10, 0, true));
  /* tracking adds after every character, kerned or not */
  assert_true(fabs(rp_font_measure(f, "AV", 2, 12, 50, true) -
                   (rp_font_cp_width(f, 'A') + rp_font_cp_width(f, 'V') +
                    rp_font_kern(f, 'A', 'V') + 100.0) *
                       12 / 1000.0) < 1e-12);
  /* joining "A" and "VAST" adds the pair's kerning */
  assert_int_equal(rp_font_kern_join(f, "A", 1, "VAST", 4), rp_font_kern(f, 'A', 'V'));
  assert_int_equal(rp_font_kern_join(f, "caf\xC3\xA9", 5, "T", 1), rp_font_kern(f, 0xE9, 'T'));
  assert_int_equal(rp_font_kern_join(f, "", 0, "T", 1), 0);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* HarfBuzz's own shaping of one character with `feature` on: its glyph's
 * advance in thousandths of an em (libharu's truncation) and its ink's
 * left edge in font units. */
static int hb_feature_advance(const char *path, uint32_t cp, const char *feature, long *bearing) {
  hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
  assert_non_null(blob);
  hb_face_t *face = hb_face_create(blob, 0);
  hb_font_t *font = hb_font_create(face);
  hb_buffer_t *buf = hb_buffer_create();
  hb_buffer_add_codepoints(buf, &cp, 1, 0, 1);
  hb_buffer_guess_segment_properties(buf);
  hb_feature_t fe;
  assert_true(hb_feature_from_string(feature, -1, &fe));
  hb_shape(font, buf, &fe, 1);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
  assert_int_equal(n, 1);
  hb_glyph_extents_t e;
  assert_true(hb_font_get_glyph_extents(font, info[0].codepoint, &e));
  *bearing = e.x_bearing;
  int adv = (int)((unsigned)hb_font_get_glyph_h_advance(font, info[0].codepoint) * 1000u /
                  hb_face_get_upem(face));
  hb_buffer_destroy(buf);
  hb_font_destroy(font);
  hb_face_destroy(face);
  hb_blob_destroy(blob);
  return adv;
}

/* Figures: Open Sans has tnum and pnum. Its own digits are already tabular,
 * so tabular keeps them ("1111" as wide as "8888"); proportional narrows the
 * 1 (one.pnum), drawn as the plain 1 moved to where one.pnum's ink is.
 * DejaVu Sans has neither feature: its figures stay as they are. */
static void test_figures(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  for (size_t k = 0; k < 4; k++) {
    const rp_font *f = load(&fs, &d, FACES[k]);
    assert_true(rp_font_has_figures(f, RP_FIGURES_TABULAR) &&
                rp_font_has_figures(f, RP_FIGURES_PROPORTIONAL));
    double tab1 = rp_font_measure_fig(f, "1111", 4, 10, 0, true, RP_FIGURES_TABULAR),
           tab8 = rp_font_measure_fig(f, "8888", 4, 10, 0, true, RP_FIGURES_TABULAR);
    assert_true(tab1 == tab8);
    assert_true(tab1 == rp_font_measure(f, "1111", 4, 10, 0, true));
    double pro1 = rp_font_measure_fig(f, "1111", 4, 10, 0, true, RP_FIGURES_PROPORTIONAL),
           pro8 = rp_font_measure_fig(f, "8888", 4, 10, 0, true, RP_FIGURES_PROPORTIONAL);
    if (!(pro1 < pro8 - 1))
      fail_msg("%s: proportional 1111 %g pt, 8888 %g pt", FACES[k], pro1, pro8);
    assert_true(pro8 == tab8); /* only the 1 changes */
    /* as HarfBuzz shapes "1" with pnum: its advance, and the plain 1 moved
     * by the difference of the two glyphs' left bearings (same outline) */
    long b_own, b_pnum;
    int own = hb_feature_advance(rp_test_src(FACES[k]), '1', "-pnum", &b_own);
    int pnum = hb_feature_advance(rp_test_src(FACES[k]), '1', "pnum", &b_pnum);
    assert_int_equal(own, rp_font_cp_width(f, '1'));
    int shift;
    assert_int_equal(rp_font_advance(f, '1', RP_FIGURES_PROPORTIONAL, &shift), pnum);
    assert_int_equal(shift, lround((b_pnum - b_own) * 1000.0 / f->units_per_em));
    assert_true(shift < 0);
    assert_int_equal(rp_font_advance(f, '8', RP_FIGURES_PROPORTIONAL, &shift),
                     rp_font_cp_width(f, '8'));
    assert_int_equal(shift, 0);
    assert_true(fabs(pro1 - (4 * pnum) * 10 / 1000.0) < 1e-9);
    /* figures the feature replaces are not kerned; letters still are */
    assert_int_equal(rp_font_kern_fig(f, '1', '1', RP_FIGURES_PROPORTIONAL), 0);
    assert_int_equal(rp_font_kern_fig(f, 'A', 'V', RP_FIGURES_PROPORTIONAL),
                     rp_font_kern(f, 'A', 'V'));
  }
  for (size_t k = 4; k < 8; k++) {
    const rp_font *f = load(&fs, &d, FACES[k]);
    assert_false(rp_font_has_figures(f, RP_FIGURES_TABULAR) ||
                 rp_font_has_figures(f, RP_FIGURES_PROPORTIONAL));
    for (int fig = RP_FIGURES_TABULAR; fig <= RP_FIGURES_PROPORTIONAL; fig++)
      assert_true(rp_font_measure_fig(f, "2018–19 −3.2", strlen("2018–19 −3.2"), 10, 0, true,
                                      (rp_figures)fig) ==
                  rp_font_measure(f, "2018–19 −3.2", strlen("2018–19 −3.2"), 10, 0, true));
  }
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* A face's widths and coverage are read from its file when first asked
 * for, not when it is loaded: a face a document never uses (a fallback's)
 * is never read past its checks, and its file may go meanwhile. */
static void test_faces_read_on_first_use(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  char used[4096], unused[4096];
  snprintf(used, sizeof used, "%s", copy_of(FACES[4], "used.ttf"));
  snprintf(unused, sizeof unused, "%s", copy_of(FACES[5], "unused.ttf"));
  int a = -1, b = -1;
  assert_int_equal(rp_fontset_load(&fs, used, "l.xml", 1, &d, &a), RP_OK);
  assert_int_equal(rp_fontset_load(&fs, unused, "l.xml", 2, &d, &b), RP_OK);
  const rp_font *f = rp_fontset_get(&fs, a), *g = rp_fontset_get(&fs, b);
  assert_true(f->unread && g->unread);
  /* metrics are read at once: render and layout read them as fields */
  assert_true(g->ascent > 0 && g->descent < 0 && g->cap_height > 0 && g->units_per_em == 2048);
  assert_int_equal(unlink(unused), 0);
  assert_true(rp_font_covers(f, 0x2011)); /* DejaVu has the non-breaking hyphen */
  assert_false(f->unread);
  assert_true(rp_font_cp_width(f, 'A') > 0 && rp_font_cp_width(f, 'A') != f->missing_width);
  assert_true(g->unread);
  assert_int_equal(rp_fontset_check(&fs, &d), RP_OK);
  assert_int_equal(d.count, 0);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* The face's file is cut shorter in place (same inode) after loading, then
 * rewritten whole by another file renamed over it: whatever is read later
 * finds the file is not the one loaded, never reads past its end (no
 * SIGBUS), measures nothing, and rp_fontset_check reports it once, as an
 * input error at the layout line that named the face. */
static void test_file_changed_after_load(void **state) {
  (void)state;
  for (int how = 0; how < 2; how++) {
    rp_fontset fs;
    rp_diag d;
    rp_fontset_init(&fs);
    rp_diag_init(&d);
    char path[4096];
    snprintf(path, sizeof path, "%s", copy_of(FACES[0], "changing.ttf"));
    const rp_font *f = load(&fs, &d, FACES[1]); /* another face, untouched */
    int index = -1;
    assert_int_equal(rp_fontset_load(&fs, path, "layout.xml", 9, &d, &index), RP_OK);
    const rp_font *c = rp_fontset_get(&fs, index);
    int missing = c->missing_width;
    if (how == 0) {
      assert_int_equal(truncate(path, 50000), 0); /* the tables past 50 KB gone */
    } else {
      char other[4096];
      snprintf(other, sizeof other, "%s", truncated_copy("shorter.ttf", 100000));
      assert_int_equal(rename(other, path), 0);
    }
    assert_false(rp_font_covers(c, 'A'));
    assert_int_equal(rp_font_cp_width(c, 'A'), missing);
    assert_int_equal(rp_font_kern(c, 'A', 'V'), 0);
    assert_false(rp_font_has_figures(c, RP_FIGURES_PROPORTIONAL));
    assert_true(rp_font_covers(f, 'A')); /* the other face is read as ever */
    assert_true(rp_font_kern(f, 'A', 'V') < 0);
    assert_int_equal(rp_fontset_check(&fs, &d), RP_ERR_INPUT);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.entries[0].file, "layout.xml");
    assert_int_equal(d.entries[0].line, 9);
    char quoted[4200];
    snprintf(quoted, sizeof quoted,
             "font \"%s\" cannot be read (the file changed after it was loaded)", path);
    if (!rp_test_diag_has(&d, quoted)) {
      rp_test_diag_dump(&d);
      fail_msg("expected: %s", quoted);
    }
    assert_int_equal(rp_fontset_check(&fs, &d), RP_OK); /* once */
    assert_int_equal(d.count, 1);
    rp_fontset_fini(&fs);
    rp_diag_fini(&d);
  }
}

/* A face read ahead (rp_font_read_ahead) is the face read on first use:
 * the same width for every BMP code point, the same coverage; one whose
 * file changed after loading is left as it was, unread, with nothing
 * reported until it is asked about, and then what was always reported. */
static void test_face_read_ahead(void **state) {
  (void)state;
  rp_fontset ahead, lazy;
  rp_diag d;
  rp_fontset_init(&ahead);
  rp_fontset_init(&lazy);
  rp_diag_init(&d);
  for (int k = 0; k < 5; k += 4) { /* Open Sans; DejaVu: its blocks beyond Latin */
    rp_font *a = (rp_font *)load(&ahead, &d, FACES[k]);
    const rp_font *b = load(&lazy, &d, FACES[k]);
    assert_true(a->unread && b->unread);
    assert_true(rp_font_read_ahead(a));
    assert_false(a->unread);
    assert_true(rp_font_read_ahead(a)); /* read already: nothing to do */
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
      if (rp_font_cp_width(a, cp) != rp_font_cp_width(b, cp) ||
          rp_font_covers(a, cp) != rp_font_covers(b, cp))
        fail_msg("%s: U+%04X read ahead differs", FACES[k], (unsigned)cp);
    }
    assert_int_equal(a->missing_width, b->missing_width);
  }

  char path[4096];
  snprintf(path, sizeof path, "%s", copy_of(FACES[0], "changing-ahead.ttf"));
  int index = -1;
  assert_int_equal(rp_fontset_load(&ahead, path, "layout.xml", 12, &d, &index), RP_OK);
  rp_font *c = (rp_font *)rp_fontset_get(&ahead, index);
  int missing = c->missing_width;
  assert_int_equal(truncate(path, 50000), 0);
  assert_false(rp_font_read_ahead(c));
  assert_true(c->unread);
  assert_int_equal(c->missing_width, missing);
  for (int i = 0; i < 256; i++) assert_null(c->width_pages[i]);
  assert_int_equal(rp_fontset_check(&ahead, &d), RP_OK); /* not asked about: nothing to say */
  assert_int_equal(d.count, 0);
  assert_false(rp_font_covers(c, 'A')); /* asked: read, found changed, reported */
  assert_int_equal(rp_fontset_check(&ahead, &d), RP_ERR_INPUT);
  assert_int_equal(d.count, 1);
  assert_int_equal(d.entries[0].line, 12);
  assert_true(rp_test_diag_has(&d, "cannot be read (the file changed after it was loaded)"));
  rp_fontset_fini(&ahead);
  rp_fontset_fini(&lazy);
  rp_diag_fini(&d);
}

/* After rp_fontset_rest a pair not measured before is shaped from the file
 * mapped again: cut shorter meanwhile, it is not read (0, reported), while
 * the pairs measured before keep their values. */
static void test_file_cut_at_rest(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  char path[4096];
  snprintf(path, sizeof path, "%s", copy_of(FACES[0], "resting.ttf"));
  int index = -1;
  assert_int_equal(rp_fontset_load(&fs, path, "layout.xml", 3, &d, &index), RP_OK);
  const rp_font *f = rp_fontset_get(&fs, index);
  int av = rp_font_kern(f, 'A', 'V');
  assert_true(av < 0);
  rp_fontset_rest(&fs);
  assert_int_equal(truncate(path, 1000), 0);
  assert_int_equal(rp_font_kern(f, 'A', 'V'), av);
  assert_int_equal(rp_font_kern(f, 'T', 'o'), 0);
  assert_int_equal(rp_fontset_check(&fs, &d), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&d, "the file changed after it was loaded"));
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* The pipeline's hook after loading cuts the body face's file short; the
 * face is read when layout first measures with it. */
static rp_status cut_font(void *user, rp_pipeline_stage stage, rp_diag *d) {
  (void)d;
  if (stage == RP_PIPELINE_LOADED) assert_int_equal(truncate((const char *)user, 20000), 0);
  return RP_OK;
}

/* A font file changed between loading the layout and laying out: the run
 * fails at the <font> line naming it, and the previous PDF is left as it
 * was. */
static void test_render_refuses_font_changed_after_load(void **state) {
  (void)state;
  char dir[4096], font[4200], layout[4200], pdf[4200];
  snprintf(dir, sizeof dir, "%s/changed", rp_test_tmpdir());
  mkdir(dir, 0777);
  snprintf(font, sizeof font, "%s", copy_of(FACES[0], "changed/body.ttf"));
  snprintf(layout, sizeof layout, "%s",
           rp_test_write("changed/layout.xml",
                         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<layout version=\"1\">\n"
                         "  <brand>\n"
                         "    <font role=\"body\" regular=\"body.ttf\"/>\n"
                         "    <style name=\"body\" font=\"body\"/>\n"
                         "  </brand>\n"
                         "  <master name=\"m\"/>\n"
                         "  <sequence><run template=\"t\"/></sequence>\n"
                         "  <template name=\"t\"><paragraph>AVAST Today</paragraph></template>\n"
                         "</layout>\n"));
  snprintf(pdf, sizeof pdf, "%s", rp_test_write("changed/out.pdf", "the previous PDF"));
  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  assert_non_null(a);
  rp_pipeline_opts o = {.content = rp_test_src("tests/data/cli/minimal.xml"),
                        .layout = layout,
                        .output = pdf,
                        .hook = cut_font,
                        .hook_user = font};
  rp_pipeline_result res;
  assert_int_equal(rp_pipeline_render(a, &o, &d, &res), RP_ERR_INPUT);
  assert_null(res.written);
  if (!rp_test_diag_has(&d, "cannot be read (the file changed after it was loaded)")) {
    rp_test_diag_dump(&d);
    fail_msg("expected the changed font to be reported");
  }
  size_t i = 0;
  while (i < d.count && !strstr(d.entries[i].message, "changed after")) i++;
  assert_true(i < d.count && d.entries[i].line == 4);
  FILE *f = fopen(pdf, "rb");
  assert_non_null(f);
  char buf[64] = "";
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  assert_string_equal(buf, "the previous PDF");
  rp_arena_free(a);
  rp_diag_fini(&d);
}

/* A copy for another thread (rp_fontset_copy_face) measures as its face
 * does: pairs kerned before the copy (dense table and hash), pairs new to
 * it (its own HarfBuzz font), which merged back give its face the same
 * values; a face not read when copied is not read by the copy, which says
 * it was wanted. */
static void test_fontset_copy(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  const rp_font *f = load(&fs, &d, FACES[0]);
  load(&fs, &d, FACES[1]); /* never measured: unread */
  const char *before = "AVAST Today \xC3\x80V", *after = "Wyvern \xC3\x80T fjord";
  double w0 = rp_font_measure(f, before, strlen(before), 10, 0, true);
  rp_fontset *c = rp_fontset_copy_new(&fs);
  assert_non_null(c);
  assert_true(rp_fontset_copy_face(c, &fs, 0));
  assert_true(rp_fontset_copy_face(c, &fs, 1));
  assert_true(rp_fontset_copy_face(c, &fs, 0)); /* once */
  const rp_font *cf = rp_fontset_get(c, 0);
  assert_true(cf != f);
  assert_true(rp_font_measure(cf, before, strlen(before), 10, 0, true) == w0);
  /* pairs new to both, shaped by the copy, then given to its face: the
   * same values there */
  double w1 = rp_font_measure(cf, after, strlen(after), 10, 0, true);
  rp_fontset_copy_merge(c, &fs);
  assert_true(rp_font_measure(f, after, strlen(after), 10, 0, true) == w1);
  rp_fontset_rest(&fs); /* at rest too */
  assert_true(rp_font_measure(f, after, strlen(after), 10, 0, true) == w1);
  assert_false(rp_fontset_copy_wanted(c, 0));
  assert_false(rp_fontset_copy_wanted(c, 1));
  rp_font_measure(rp_fontset_get(c, 1), "AV", 2, 10, 0, true);
  assert_true(rp_fontset_copy_wanted(c, 1));
  assert_true(rp_fontset_get(&fs, 1)->unread); /* the original's still to read */
  rp_fontset_copy_free(c);
  assert_true(rp_font_measure(f, after, strlen(after), 10, 0, true) > 0); /* its own intact */
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_width_matches_libharu),
      cmocka_unit_test(test_all_bmp_widths_and_metrics_match_libharu),
      cmocka_unit_test(test_width_tracking_and_size),
      cmocka_unit_test(test_coverage),
      cmocka_unit_test(test_truncated_font_refused),
      cmocka_unit_test(test_non_font_refused),
      cmocka_unit_test(test_cff_and_collections_refused),
      cmocka_unit_test(test_libharu_requirements_checked),
      cmocka_unit_test(test_missing_file_refused),
      cmocka_unit_test(test_same_path_same_index),
      cmocka_unit_test(test_face_buffer_same_metrics),
      cmocka_unit_test(test_fini_empty),
      cmocka_unit_test(test_utf8_decode_strict),
      cmocka_unit_test(test_digits_are_tabular),
      cmocka_unit_test(test_kerning_pairs_match_harfbuzz),
      cmocka_unit_test(test_kerning_at_rest),
      cmocka_unit_test(test_kerning_plans_match_hb_shape),
      cmocka_unit_test(test_kerning_every_pair_matches_hb_shape),
      cmocka_unit_test(test_fontset_copy),
      cmocka_unit_test(test_measure_with_kerning),
      cmocka_unit_test(test_figures),
      cmocka_unit_test(test_faces_read_on_first_use),
      cmocka_unit_test(test_file_changed_after_load),
      cmocka_unit_test(test_face_read_ahead),
      cmocka_unit_test(test_file_cut_at_rest),
      cmocka_unit_test(test_render_refuses_font_changed_after_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
