/* Unit tests of layout/figure.c and layout/fit.c: image fitting (contain,
 * cover with a focal point, fill), clips, images registered once, drawn
 * placeholders for missing and unreadable photos (through a fake probe and
 * through render/probe.c on real files), stat tiles shrinking their value,
 * max-lines with an ellipsis, shrink-to-fit and its error. */
#include <cairo.h>

#include "layoutfix.h"
#include "render/probe.h"

/* ---- a fake probe: a table of paths ------------------------------------------ */

typedef struct fake_image {
  const char *path;
  int w, h; /* 0: missing */
} fake_image;

typedef struct fake_probe {
  fake_image images[8];
  int calls;
} fake_probe;

static void fake_probe_fn(void *user, const char *path, rp_image_info *out) {
  fake_probe *fp = user;
  fp->calls++;
  memset(out, 0, sizeof *out);
  for (int i = 0; i < 8 && fp->images[i].path; i++)
    if (strcmp(fp->images[i].path, path) == 0) {
      out->ok = fp->images[i].w > 0;
      out->width_px = fp->images[i].w;
      out->height_px = fp->images[i].h;
      if (!out->ok) snprintf(out->problem, sizeof out->problem, "corrupt");
      return;
    }
  out->missing = true;
  snprintf(out->problem, sizeof out->problem, "no such file");
}

static fake_probe *use_fake(fixture *fx) {
  fake_probe *fp = rp_arena_alloc(fx->a, sizeof *fp);
  fp->images[0] = (fake_image){"wide.png", 200, 100};
  fp->images[1] = (fake_image){"tall.jpg", 100, 300};
  fp->images[2] = (fake_image){"broken.png", 0, 0};
  fx->opts = (rp_layout_opts){.probe = fake_probe_fn, .probe_user = fp};
  fx->use_opts = true;
  return fp;
}

static rp_block *image(fixture *fx, const char *path, double w, double h, rp_fit fit, int line) {
  rp_block *b = lf_block(fx, RP_BLOCK_IMAGE, line);
  b->u.image.path = path;
  b->width = w;
  b->height = h;
  b->u.image.fit = fit;
  b->u.image.focal_x = b->u.image.focal_y = 0.5;
  b->alt = "A photo";
  return b;
}

static rp_item *first_of(rp_layout_doc *doc, size_t page, rp_item_kind kind) {
  rp_page *p = lf_page(doc, page);
  for (size_t i = 0; i < p->items.len; i++)
    if (lf_item(p, i)->kind == kind) return lf_item(p, i);
  return NULL;
}

static int count_kind(rp_layout_doc *doc, rp_item_kind kind) {
  int n = 0;
  for (size_t p = 0; p < doc->pages.len; p++)
    for (size_t i = 0; i < lf_page(doc, p)->items.len; i++)
      n += lf_item(lf_page(doc, p), i)->kind == kind;
  return n;
}

/* ---- images ------------------------------------------------------------------------ */

static void test_contain_letterboxes_and_centres(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  rp_layout_doc *doc = lf_run(fx, image(fx, "wide.png", 100, 100, RP_FIT_CONTAIN, 5));
  rp_item *it = first_of(doc, 0, RP_ITEM_IMAGE);
  assert_non_null(it);
  /* 200 x 100 px in a 100 pt square: 100 x 50 pt, 25 pt above and below */
  assert_true(fabs(it->x - LF_X) < 0.01 && fabs(it->w - 100) < 0.01);
  assert_true(fabs(it->y - (LF_Y + 25)) < 0.01 && fabs(it->h - 50) < 0.01);
  assert_true(it->u.image.sx == 0 && it->u.image.sy == 0);
  assert_true(it->u.image.sw == 1 && it->u.image.sh == 1);
  assert_int_equal(it->role, RP_ROLE_FIGURE);
  assert_string_equal(it->alt, "A photo");
  assert_int_equal(it->src.layout_line, 5);
  assert_int_equal(fx->d.count, 0);
}

static void test_cover_crops_around_the_focal_point(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  rp_block *a = image(fx, "wide.png", 100, 100, RP_FIT_COVER, 5);
  a->u.image.focal_x = 0.6; /* window 0.5 wide: 0.35 … 0.85 */
  rp_block *b = image(fx, "wide.png", 100, 100, RP_FIT_COVER, 6);
  b->u.image.focal_x = 0.95; /* clamped to the right edge */
  rp_block *c = image(fx, "tall.jpg", 60, 60, RP_FIT_COVER, 7);
  c->u.image.focal_y = 0.25; /* window 1/3 high: 0.0833 … 0.4167 */
  a->next = b;
  b->next = c;
  rp_layout_doc *doc = lf_run(fx, a);
  rp_item *it[3];
  int n = 0;
  for (size_t i = 0; i < lf_page(doc, 0)->items.len; i++)
    if (lf_item(lf_page(doc, 0), i)->kind == RP_ITEM_IMAGE) it[n++] = lf_item(lf_page(doc, 0), i);
  assert_int_equal(n, 3);
  /* the item is the box; the crop window keeps the box's aspect ratio */
  assert_true(fabs(it[0]->w - 100) < 0.01 && fabs(it[0]->h - 100) < 0.01);
  assert_true(fabs(it[0]->u.image.sw - 0.5) < 1e-9 && fabs(it[0]->u.image.sh - 1) < 1e-9);
  assert_true(fabs(it[0]->u.image.sx - 0.35) < 1e-9 && fabs(it[0]->u.image.sy) < 1e-9);
  assert_true(fabs(it[1]->u.image.sx - 0.5) < 1e-9);
  assert_true(fabs(it[2]->u.image.sw - 1) < 1e-9 && fabs(it[2]->u.image.sh - 1.0 / 3) < 1e-9);
  assert_true(fabs(it[2]->u.image.sy - (0.25 - 1.0 / 6)) < 1e-9);
  /* wide.png drawn whole would be 200 x 100 pt: max size registered */
  rp_image_ref *ref = &RP_VEC_AT(doc->images, rp_image_ref, it[0]->u.image.image);
  assert_true(fabs(ref->max_w - 200) < 0.01 && fabs(ref->max_h - 100) < 0.01);
}

static void test_fill_and_natural_height(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  rp_block *a = image(fx, "wide.png", 120, 40, RP_FIT_FILL, 5);
  a->next = image(fx, "tall.jpg", 50, 0, RP_FIT_CONTAIN, 6); /* height from the aspect: 150 */
  rp_layout_doc *doc = lf_run(fx, a);
  rp_page *p = lf_page(doc, 0);
  rp_item *x = NULL, *y = NULL;
  for (size_t i = 0; i < p->items.len; i++)
    if (lf_item(p, i)->kind == RP_ITEM_IMAGE) *(x ? &y : &x) = lf_item(p, i);
  assert_non_null(y);
  assert_true(fabs(x->w - 120) < 0.01 && fabs(x->h - 40) < 0.01);
  assert_true(fabs(y->y - (LF_Y + 40)) < 0.01 && fabs(y->h - 150) < 0.01);
}

static void test_clip_and_registered_once(void **state) {
  fixture *fx = *state;
  fake_probe *fp = use_fake(fx);
  rp_block *first = NULL, **tail = &first;
  double widths[3] = {50, 80, 60};
  for (int i = 0; i < 3; i++) {
    rp_block *im = image(fx, "wide.png", widths[i], 0, RP_FIT_CONTAIN, 10 + i);
    im->u.image.clip = i == 1 ? RP_CLIP_ROUNDED : RP_CLIP_CIRCLE;
    im->box.radius = 8;
    lf_append(&tail, im);
    if (i < 2) lf_append(&tail, lf_block(fx, RP_BLOCK_PAGE_BREAK, 20));
  }
  rp_layout_doc *doc = lf_run(fx, first);
  assert_int_equal(doc->pages.len, 3);
  assert_int_equal(doc->images.len, 1);
  assert_int_equal(fp->calls, 1);
  for (size_t p = 0; p < 3; p++) {
    rp_item *it = first_of(doc, p, RP_ITEM_IMAGE);
    assert_non_null(it);
    assert_int_equal(it->u.image.image, 0);
    assert_int_equal(it->u.image.clip, p == 1 ? RP_CLIP_ROUNDED : RP_CLIP_CIRCLE);
    assert_true(p == 1 ? fabs(it->u.image.radius - 8) < 0.01 : it->u.image.radius == 0);
  }
  rp_image_ref *ref = &RP_VEC_AT(doc->images, rp_image_ref, 0);
  assert_string_equal(ref->path, "wide.png");
  assert_true(fabs(ref->max_w - 80) < 0.01 && fabs(ref->max_h - 40) < 0.01);
  /* and the dump says so */
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  assert_int_equal(rp_layout_dump(doc, m), RP_OK);
  fclose(m);
  assert_non_null(strstr(buf, "image 0 \"wide.png\" max=80.00x40.00"));
  assert_non_null(strstr(buf, "image=0 \"wide.png\" clip=circle role=Figure"));
  assert_non_null(strstr(buf, "clip=rounded radius=8.00"));
  free(buf);
}

/* The placeholder of a photo: one ellipse and the initials, centred in it. */
static void assert_placeholder(rp_layout_doc *doc, const char *initials, double x, double y,
                               double w, double h) {
  assert_int_equal(count_kind(doc, RP_ITEM_IMAGE), 0);
  assert_int_equal(doc->images.len, 0);
  rp_item *e = first_of(doc, 0, RP_ITEM_ELLIPSE);
  assert_non_null(e);
  assert_true(fabs(e->x - x) < 0.01 && fabs(e->y - y) < 0.01);
  assert_true(fabs(e->w - w) < 0.01 && fabs(e->h - h) < 0.01);
  assert_true(e->u.shape.fill.a > 0);
  assert_int_equal(e->role, RP_ROLE_FIGURE);
  size_t p = 9;
  rp_item *t = NULL;
  assert_true(lf_find_text(doc, initials, &p, &t));
  assert_non_null(t);
  assert_int_equal(p, 0);
  /* centred: horizontally exactly, the capitals vertically about the middle */
  assert_true(fabs(t->x + t->w / 2 - (x + w / 2)) < 0.01);
  assert_true(t->y > y + h / 2 && t->y - t->h * 0.72 < y + h / 2);
  assert_true(t->w <= 0.8 * w + 0.01 && t->h > h / 4);
}

static rp_block *photo(fixture *fx, const char *path) {
  rp_block *b = image(fx, path, 80, 80, RP_FIT_COVER, 33);
  b->u.image.clip = RP_CLIP_CIRCLE;
  b->u.image.initials = "ST";
  b->u.image.initials_style = &fx->bold_st;
  return b;
}

static void test_missing_photo_draws_initials_and_warns(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  rp_layout_doc *doc = lf_run(fx, photo(fx, "images/x.jpg"));
  assert_placeholder(doc, "ST", LF_X, LF_Y, 80, 80);
  assert_int_equal(fx->d.warnings, 1);
  assert_true(rp_test_diag_has(&fx->d, "photo \"images/x.jpg\" is missing: drawn as initials ST"));
  assert_int_equal(lf_diag_line(&fx->d, "is missing"), 33);
}

static void test_no_photo_draws_initials_silently(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  rp_layout_doc *doc = lf_run(fx, photo(fx, NULL));
  assert_placeholder(doc, "ST", LF_X, LF_Y, 80, 80);
  assert_int_equal(fx->d.count, 0);
}

static void test_corrupt_image_and_no_probe(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  rp_block *a = image(fx, "broken.png", 60, 40, RP_FIT_CONTAIN, 40);
  rp_layout_doc *doc = lf_run(fx, a);
  rp_item *r = first_of(doc, 0, RP_ITEM_RECT);
  assert_non_null(r); /* a plain placeholder, no initials */
  assert_true(fabs(r->w - 60) < 0.01 && fabs(r->h - 40) < 0.01);
  assert_int_equal(count_kind(doc, RP_ITEM_TEXT), 0);
  assert_true(rp_test_diag_has(&fx->d, "image \"broken.png\" cannot be used (corrupt)"));
  /* without a probe nothing is usable */
  fx->use_opts = false;
  doc = lf_run(fx, image(fx, "wide.png", 60, 40, RP_FIT_CONTAIN, 41));
  assert_int_equal(count_kind(doc, RP_ITEM_IMAGE), 0);
  assert_int_equal(lf_diag_line(&fx->d, "not checked"), 41);
}

/* ---- through the real probe ------------------------------------------------------ */

static const char *tmp_path(const char *name) {
  static char buf[4][512];
  static int slot;
  char *p = buf[slot++ % 4];
  snprintf(p, 512, "%s/%s", rp_test_tmpdir(), name);
  return p;
}

static void write_png(const char *path, int w, int h) {
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0.2, 0.5, 0.8);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.9, 0.3, 0.1);
  cairo_arc(cr, w / 2.0, h / 2.0, h / 3.0, 0, 6.3);
  cairo_fill(cr);
  cairo_destroy(cr);
  assert_int_equal(cairo_surface_write_to_png(s, path), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(s);
}

/* Copies the first `keep` bytes of `from` into `to`. */
static void truncate_copy(const char *from, const char *to, long keep) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  assert_non_null(in);
  assert_non_null(out);
  for (long i = 0; i < keep; i++) {
    int c = fgetc(in);
    assert_true(c != EOF);
    fputc(c, out);
  }
  fclose(in);
  fclose(out);
}

static void test_real_probe_truncated_png(void **state) {
  fixture *fx = *state;
  const char *good = tmp_path("good.png"), *cut = tmp_path("cut.png");
  write_png(good, 64, 48);
  FILE *f = fopen(good, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  truncate_copy(good, cut, size / 2);

  rp_image_probe pr;
  rp_image_probe_init(&pr);
  fx->opts = (rp_layout_opts){.probe = rp_image_probe_file, .probe_user = &pr};
  fx->use_opts = true;
  rp_block *a = image(fx, good, 100, 0, RP_FIT_CONTAIN, 50);
  rp_block *b = photo(fx, cut);
  b->src.layout_line = 51;
  rp_block *c = image(fx, tmp_path("absent.png"), 30, 30, RP_FIT_CONTAIN, 52);
  a->next = b;
  b->next = c;
  rp_layout_doc *doc = lf_run(fx, a);
  /* the good one: an image 100 x 75 (its 4:3 aspect) */
  rp_item *it = first_of(doc, 0, RP_ITEM_IMAGE);
  assert_non_null(it);
  assert_true(fabs(it->h - 75) < 0.01);
  assert_int_equal(doc->images.len, 1);
  /* the truncated one: initials in an ellipse and a warning at its line */
  rp_item *e = first_of(doc, 0, RP_ITEM_ELLIPSE);
  assert_non_null(e);
  assert_true(lf_find_text(doc, "ST", NULL, NULL));
  assert_int_equal(lf_diag_line(&fx->d, "cannot be used"), 51);
  assert_true(rp_test_diag_has(&fx->d, "PNG"));
  assert_int_equal(lf_diag_line(&fx->d, "is missing"), 52);
  assert_int_equal(fx->d.warnings, 2);
  /* the cache answers again without decoding */
  assert_int_equal(pr.count, 3);
  rp_image_info info;
  rp_image_probe_file(&pr, good, &info);
  assert_true(info.ok);
  assert_int_equal(info.width_px, 64);
  assert_int_equal(info.height_px, 48);
  assert_int_equal(pr.count, 3);
  rp_image_probe_fini(&pr);
  rp_image_probe_fini(&pr); /* twice is harmless */
}

/* ---- stat tiles ---------------------------------------------------------------------- */

static rp_block *stat(fixture *fx, const char *value, const char *unit, const char *label) {
  rp_block *b = lf_block(fx, RP_BLOCK_STAT, 60);
  b->u.stat.value = value;
  b->u.stat.unit = unit;
  b->u.stat.label = label;
  b->u.stat.value_style = &fx->big;
  b->u.stat.label_style = &fx->body;
  b->width = 120;
  b->height = 90;
  for (int k = 0; k < 4; k++) b->box.padding[k] = 10;
  b->box.fill = (rp_color){0.1f, 0.3f, 0.5f, 1};
  return b;
}

static void test_stat_value_shrinks_to_the_tile(void **state) {
  fixture *fx = *state;
  rp_block *a = stat(fx, "1,234,567", NULL, "members in 2019");
  rp_block *b = stat(fx, "42", "%", "growth");
  a->next = b;
  rp_layout_doc *doc = lf_run(fx, a);
  assert_int_equal(fx->d.count, 0); /* a tile's job: no warning */
  rp_item *v = NULL, *l = NULL, *v2 = NULL;
  assert_true(lf_find_text(doc, "1,234,567", NULL, &v));
  assert_true(lf_find_text(doc, "members in 2019", NULL, &l));
  assert_true(lf_find_text(doc, "42%", NULL, &v2));
  assert_non_null(v);
  assert_non_null(l);
  assert_non_null(v2);
  assert_true(v->u.text.size < 40 && v->u.text.size >= 20);
  assert_true(fmod(v->u.text.size, 0.5) == 0);
  assert_true(v->x >= LF_X + 10 - 0.01 && v->x + v->w <= LF_X + 110 + 0.01);
  /* one step larger would not have fitted: it is as large as it can be */
  assert_true(v->w * (v->u.text.size + 0.5) / v->u.text.size > 100);
  assert_true(l->y > v->y && l->y < LF_Y + 90);
  assert_true(v2->u.text.size == 40);
  /* the tile's box */
  rp_item *r = first_of(doc, 0, RP_ITEM_RECT);
  assert_non_null(r);
  assert_true(fabs(r->w - 120) < 0.01 && fabs(r->h - 90) < 0.01);
}

static void test_stat_value_too_long_is_an_error(void **state) {
  fixture *fx = *state;
  rp_style vs = fx->big;
  vs.min_size = 30;
  rp_block *a = stat(fx, "1,234,567", NULL, "members");
  a->u.stat.value_style = &vs;
  rp_layout_doc *out;
  assert_int_equal(lf_try(fx, a, &out), RP_ERR_INPUT);
  assert_int_equal(lf_diag_line(&fx->d, "does not fit its tile"), 60);
}

/* ---- fitting text ---------------------------------------------------------------------- */

static const char *LONG_TEXT =
    "The network grew in every region this year, with new members joining from universities, "
    "industry and government laboratories, and our events reached more people than ever before "
    "thanks to the volunteers who organised them across the country.";

/* Distinct baselines of text items of struct `sid` on page 0. */
static int lines_of(rp_layout_doc *doc, int sid, rp_item **last) {
  rp_page *p = lf_page(doc, 0);
  double y = -1;
  int n = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    rp_item *it = lf_item(p, i);
    if (it->kind != RP_ITEM_TEXT || it->struct_id != sid) continue;
    if (fabs(it->y - y) > 0.01) n++;
    y = it->y;
    *last = it;
  }
  return n;
}

static void test_max_lines_truncates_with_ellipsis(void **state) {
  fixture *fx = *state;
  rp_style st = fx->body;
  st.max_lines = 2;
  st.align = RP_ALIGN_JUSTIFY;
  rp_block *b = lf_para(fx, &st, LONG_TEXT, 70);
  rp_layout_doc *doc = lf_run(fx, b);
  rp_item *last = NULL;
  rp_item *first = first_of(doc, 0, RP_ITEM_TEXT);
  assert_non_null(first);
  assert_int_equal(lines_of(doc, first->struct_id, &last), 2);
  assert_non_null(last);
  size_t n = strlen(last->u.text.text);
  assert_true(n > 3 && strcmp(last->u.text.text + n - 3, "\xE2\x80\xA6") == 0);
  assert_true(last->x + last->w <= LF_X + LF_W + 0.01);
  assert_true(rp_test_diag_has(&fx->d, "text truncated to 2 lines: \"The network grew"));
  assert_int_equal(lf_diag_line(&fx->d, "truncated"), 70);
  assert_int_equal(fx->d.warnings, 1);
}

static void test_max_lines_cuts_an_overlong_word(void **state) {
  fixture *fx = *state;
  rp_style st = fx->body;
  st.max_lines = 1;
  rp_block *box = lf_block(fx, RP_BLOCK_BOX, 71);
  box->width = 60;
  box->children = lf_para(fx, &st, "Supercalifragilisticexpialidocious indeed", 72);
  rp_layout_doc *doc = lf_run(fx, box);
  rp_item *last = NULL, *first = first_of(doc, 0, RP_ITEM_TEXT);
  assert_non_null(first);
  assert_int_equal(lines_of(doc, first->struct_id, &last), 1);
  assert_true(strncmp(first->u.text.text, "Super", 5) == 0);
  size_t n = strlen(first->u.text.text);
  assert_true(strcmp(first->u.text.text + n - 3, "\xE2\x80\xA6") == 0);
  assert_true(first->w <= 60 + 0.01);
  assert_int_equal(lf_diag_line(&fx->d, "truncated to 1 line"), 72);
}

static void test_shrink_to_fit_warns(void **state) {
  fixture *fx = *state;
  rp_style st = fx->big; /* 40 pt */
  st.max_lines = 1;
  st.min_size = 20;
  rp_block *b = lf_para(fx, &st, "Annual Review 2018–19", 80);
  rp_layout_doc *doc = lf_run(fx, b);
  rp_item *last = NULL, *first = first_of(doc, 0, RP_ITEM_TEXT);
  assert_non_null(first);
  assert_int_equal(lines_of(doc, first->struct_id, &last), 1);
  double size = first->u.text.size;
  assert_true(size < 40 && size >= 20 && fmod(size, 0.5) == 0);
  assert_true(first->x + first->w <= LF_X + LF_W + 0.01);
  char want[64];
  snprintf(want, sizeof want, "text shrunk from 40pt to %gpt to fit", size);
  assert_true(rp_test_diag_has(&fx->d, want));
  assert_int_equal(lf_diag_line(&fx->d, "shrunk"), 80);
  /* at 0.5 pt more it would not have fitted on one line */
  assert_true(first->w * (size + 0.5) / size > LF_W);
}

static void test_shrink_to_a_height(void **state) {
  fixture *fx = *state;
  rp_style st = fx->body;
  st.size = 20;
  st.leading = 24;
  st.min_size = 6;
  rp_block *b = lf_para(fx, &st, LONG_TEXT, 85);
  b->height = 60;
  rp_layout_doc *doc = lf_run(fx, b);
  rp_item *last = NULL, *first = first_of(doc, 0, RP_ITEM_TEXT);
  assert_non_null(first);
  int n = lines_of(doc, first->struct_id, &last);
  double size = first->u.text.size;
  assert_true(size < 20);
  assert_true(n * 24 * size / 20 <= 60 + 0.01); /* leading scaled with the size */
  assert_true(rp_test_diag_has(&fx->d, "text shrunk from 20pt"));
}

static void test_does_not_fit_at_min_size(void **state) {
  fixture *fx = *state;
  rp_style st = fx->big;
  st.max_lines = 1;
  st.min_size = 36;
  rp_block *b = lf_para(fx, &st, "Annual Review 2018–19", 90);
  rp_layout_doc *out;
  assert_int_equal(lf_try(fx, b, &out), RP_ERR_INPUT);
  assert_null(out);
  assert_true(rp_test_diag_has(&fx->d, "text does not fit even at min-size 36pt"));
  assert_true(rp_test_diag_has(&fx->d, "shorten it or enlarge the box"));
  assert_int_equal(lf_diag_line(&fx->d, "min-size"), 90);
}

static void test_fit_in_a_grid_card_warns_once(void **state) {
  fixture *fx = *state;
  rp_style st = fx->bold_st;
  st.max_lines = 1;
  rp_block *g = lf_block(fx, RP_BLOCK_GRID, 3);
  g->u.grid.columns = 2;
  rp_block *card = lf_block(fx, RP_BLOCK_BOX, 4);
  card->children = lf_para(fx, &st, "Professor Alexandra Featherstonehaugh-Smythe", 5);
  g->children = card;
  lf_run(fx, g);
  assert_int_equal(fx->d.warnings, 1); /* measured and placed, said once */
}

/* Fault injection: every allocation of a layout with all part-2 blocks fails
 * in turn; each run ends cleanly (ASan checks the rest), and once the
 * allocations stop failing the layout succeeds. */
static void test_out_of_memory_anywhere(void **state) {
  fixture *fx = *state;
  use_fake(fx);
  fx->frame.h = 120;
  rp_block *first = NULL, **tail = &first;
  rp_block *g = lf_block(fx, RP_BLOCK_GRID, 1);
  g->u.grid.columns = 2;
  rp_block **cards = &g->children;
  for (int i = 0; i < 4; i++) {
    rp_block *box = lf_block(fx, RP_BLOCK_BOX, 2);
    box->box.fill = (rp_color){0.9f, 0.9f, 0.9f, 1};
    rp_block *ph = photo(fx, i % 2 ? "wide.png" : "images/x.jpg");
    ph->width = ph->height = 30;
    box->children = ph;
    ph->next = lf_para(fx, &fx->body, "Name of a person", 3);
    lf_append(&cards, box);
  }
  lf_append(&tail, g);
  rp_block *t = lf_block(fx, RP_BLOCK_TABLE, 4);
  t->u.table.header_rows = 1;
  t->u.table.zebra = (rp_color){0.9f, 0.9f, 0.9f, 1};
  t->u.table.rule = t->u.table.zebra;
  rp_block **rows = &t->children;
  for (int r = 0; r < 8; r++) {
    rp_block *row = lf_block(fx, RP_BLOCK_ROW, 5);
    rp_block *c1 = lf_block(fx, RP_BLOCK_CELL, 5), *c2 = lf_block(fx, RP_BLOCK_CELL, 5);
    c1->spans = lf_span(fx, &fx->body, r ? "Row" : "Head");
    c1->style = &fx->body;
    c2->children = lf_para(fx, &fx->body, "12,345", 5);
    c1->next = c2;
    row->children = c1;
    lf_append(&rows, row);
  }
  lf_append(&tail, t);
  rp_block *s = stat(fx, "1,234,567", NULL, "members");
  s->height = 0;
  lf_append(&tail, s);
  rp_style st = fx->big;
  st.max_lines = 1;
  lf_append(&tail, lf_para(fx, &st, LONG_TEXT, 6));
  fx->section.blocks = first;
  rp_status status = RP_ERR_INTERNAL;
  unsigned long n = 1;
  for (; n < 200000 && status != RP_OK; n++) {
    rp_arena *a = rp_arena_new();
    rp_diag d;
    rp_diag_init(&d);
    rp_arena_fail_after(a, n);
    rp_layout_doc *out = NULL;
    status = rp_layout_run_ex(a, &fx->doc, &fx->opts, &d, &out);
    assert_true(status == RP_OK || out == NULL);
    rp_diag_fini(&d);
    rp_arena_free(a);
  }
  assert_int_equal(status, RP_OK);
  assert_true(n > 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_contain_letterboxes_and_centres, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_cover_crops_around_the_focal_point, lf_setup,
                                      lf_teardown),
      cmocka_unit_test_setup_teardown(test_fill_and_natural_height, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_clip_and_registered_once, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_missing_photo_draws_initials_and_warns, lf_setup,
                                      lf_teardown),
      cmocka_unit_test_setup_teardown(test_no_photo_draws_initials_silently, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_corrupt_image_and_no_probe, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_real_probe_truncated_png, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_stat_value_shrinks_to_the_tile, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_stat_value_too_long_is_an_error, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_max_lines_truncates_with_ellipsis, lf_setup,
                                      lf_teardown),
      cmocka_unit_test_setup_teardown(test_max_lines_cuts_an_overlong_word, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_shrink_to_fit_warns, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_shrink_to_a_height, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_does_not_fit_at_min_size, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_fit_in_a_grid_card_warns_once, lf_setup, lf_teardown),
      cmocka_unit_test_setup_teardown(test_out_of_memory_anywhere, lf_setup, lf_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
