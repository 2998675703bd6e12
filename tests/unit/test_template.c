/* test_template — the layout language: units, styles, masters, XPath
 * substitution and extension functions, group-by, rich text, errors with
 * their lines, the shipped layouts against the sample, and fault injection.
 *
 * The layouts under tests/layouts/ name fonts as ../fonts/…; a layout's fonts
 * must lie inside its project (the folder above its own), so the group setup
 * copies tests/layouts/ and the repository's fonts into a scratch project,
 * <tmp>/proj/{layouts,fonts}/, and the tests load the copies. Content is
 * loaded with the review schema (or none, for the small rich-text document)
 * straight into an rp_content: binding reads only its tree and path. */
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#include <libxml/xpathInternals.h>
/* testutil.h brings cmocka */
#include "base/mem.h"
#include "base/path.h"
#include "base/schemas.h"
#include "base/xml.h"
#include "layout/layout.h"
#include "template/def.h"
#include "template/template.h"
#include "template/units.h"
#include "template/xfast_eval.h"

/* ---- fixtures ---------------------------------------------------------------- */

static char proj[4096];

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) return -1;
  FILE *out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    return -1;
  }
  char buf[65536];
  size_t n;
  int rc = 0;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) rc = -1;
  fclose(in);
  if (fclose(out) != 0) rc = -1;
  return rc;
}

static const char *const fixtures[] = {
    "styles.xml",        "exprs.xml",          "events.xml",        "rich.xml",
    "runtime.xml",       "errors.xml",         "cycle.xml",         "bad-xpath.xml",
    "include.xml",       "lib/part.xml",       "schema.xml",        "small.xml",
    "missing-font.xml",  "outside-font.xml",   "part2.xml",         "part2-errors.xml",
    "part2-schema.xml",  "part2-runtime.xml",  "huge-numbers.xml",  "apply.xml",
    "apply-loop.xml",    "apply-errors.xml",   "labels.xml",        "lib/labels.xml",
    "labels-errors.xml", "labels-dup.xml",     "columns.xml",       "columns-errors.xml",
    "functions-v2.xml",  "charts.xml",         "charts-errors.xml", "charts-runtime.xml",
    "extends.xml",       "extends-errors.xml", "extends-base.xml",  "extends-chain.xml",
    "pieces.xml",        "pieces-flat.xml",    "refs.xml",
};
static const char *const fonts[] = {"OpenSans-Regular.ttf", "OpenSans-Bold.ttf",
                                    "OpenSans-Italic.ttf", "OpenSans-BoldItalic.ttf"};

static int setup_project(void **state) {
  (void)state;
  if (snprintf(proj, sizeof proj, "%s/proj", rp_test_tmpdir()) >= (int)sizeof proj) return -1;
  char cmd[8400], from[4096], to[4200];
  if (snprintf(cmd, sizeof cmd, "mkdir -p '%s/layouts/lib' '%s/fonts'", proj, proj) >=
      (int)sizeof cmd)
    return -1;
  if (system(cmd) != 0) return -1;
  for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
    snprintf(from, sizeof from, "%s", rp_test_src("tests/layouts/"));
    strncat(from, fixtures[i], sizeof from - strlen(from) - 1);
    if (snprintf(to, sizeof to, "%s/layouts/%s", proj, fixtures[i]) >= (int)sizeof to) return -1;
    if (copy_file(from, to) != 0) return -1;
  }
  for (size_t i = 0; i < sizeof fonts / sizeof fonts[0]; i++) {
    snprintf(from, sizeof from, "%s", rp_test_src("fonts/"));
    strncat(from, fonts[i], sizeof from - strlen(from) - 1);
    if (snprintf(to, sizeof to, "%s/fonts/%s", proj, fonts[i]) >= (int)sizeof to) return -1;
    if (copy_file(from, to) != 0) return -1;
  }
  /* a font outside the project, for outside-font.xml */
  if (snprintf(to, sizeof to, "%s/outside.ttf", rp_test_tmpdir()) >= (int)sizeof to) return -1;
  return copy_file(rp_test_src("fonts/OpenSans-Regular.ttf"), to);
}

static const char *fixture(const char *name) {
  static char buf[4][4200];
  static int k;
  k = (k + 1) % 4;
  if (snprintf(buf[k], sizeof buf[k], "%s/layouts/%s", proj, name) >= (int)sizeof buf[k])
    fail_msg("path too long");
  return buf[k];
}

/* The line of the fixture (source copy) that holds `needle`; 0 if none. */
/* The first line of the file at `path` holding `needle` (0: none). */
static int line_in(const char *path, const char *needle) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[2048];
  int n = 0, found = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    if (strstr(line, needle)) {
      found = n;
      break;
    }
  }
  fclose(f);
  return found;
}

/* The line of a fixture (tests/layouts/) holding `needle`. */
static int line_of(const char *name, const char *needle) {
  char path[4096];
  snprintf(path, sizeof path, "%s", rp_test_src("tests/layouts/"));
  strncat(path, name, sizeof path - strlen(path) - 1);
  return line_in(path, needle);
}

/* The diagnostic whose message holds `needle`, or NULL. */
static const rp_diag_entry *entry_with(const rp_diag *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (d->entries[i].message && strstr(d->entries[i].message, needle)) return &d->entries[i];
  return NULL;
}

static void expect_error_at(const rp_diag *d, const char *needle, const char *file, int line) {
  const rp_diag_entry *e = entry_with(d, needle);
  if (!e) {
    rp_test_diag_dump(d);
    fail_msg("no diagnostic mentions \"%s\"", needle);
  }
  if (e->severity != RP_SEV_ERROR || e->status != RP_ERR_INPUT || e->line != line || !e->file ||
      !strstr(e->file, file)) {
    rp_test_diag_dump(d);
    fail_msg("expected an input error at %s:%d mentioning \"%s\"; got %s:%d: %s", file, line,
             needle, e->file ? e->file : "?", e->line, e->message);
  }
}

typedef struct world {
  rp_diag d;
  rp_arena *a;
  rp_layout_def *l;
  rp_content c;
  rp_bound_doc *b;
} world;

static void world_init(world *w) {
  memset(w, 0, sizeof *w);
  rp_diag_init(&w->d);
  w->a = rp_arena_new();
  assert_non_null(w->a);
}

static void world_fini(world *w) {
  rp_layout_def_free(w->l);
  xmlFreeDoc(w->c.doc);
  rp_arena_free(w->a);
  rp_diag_fini(&w->d);
}

static rp_status load_content(world *w, const char *path, bool schema) {
  const rp_xml_schema review = {.name = "data/schema/review.rng",
                                .text = rp_schema_review,
                                .len = rp_schema_review_len,
                                .doc_hint = "docs/content.md"};
  w->c.path = path;
  return rp_xml_load(path, schema ? &review : NULL, &w->d, &w->c.doc);
}

/* Loads `layout` and binds it to the content; asserts both succeed. */
static void bind_ok(world *w, const char *layout, const char *content, bool schema) {
  world_init(w);
  rp_status st = rp_layout_def_load(w->a, layout, &w->d, &w->l);
  if (st == RP_OK) st = load_content(w, content, schema);
  if (st == RP_OK) st = rp_bind(w->a, w->l, &w->c, &w->d, &w->b);
  if (st != RP_OK) rp_test_diag_dump(&w->d);
  assert_int_equal(st, RP_OK);
  assert_non_null(w->b);
}

/* The sample's path, in a buffer of its own: bound blocks keep pointing at it. */
static const char *sample(void) {
  static char path[4096];
  if (!path[0]) snprintf(path, sizeof path, "%s", rp_test_src("data/ccin-2018-19.xml"));
  return path;
}

/* The text of a block's spans, concatenated (static buffer). */
static const char *text_of(const rp_block *b) {
  static char buf[8192];
  buf[0] = '\0';
  for (const rp_span *s = b->spans; s; s = s->next)
    strncat(buf, s->text, sizeof buf - strlen(buf) - 1);
  return buf;
}

/* Every text of the document, blocks and their children, one per line. */
static void append_texts(const rp_block *b, char **buf, size_t *len, size_t *cap) {
  for (; b; b = b->next) {
    const char *t = text_of(b);
    size_t n = strlen(t);
    if (*len + n + 2 > *cap) {
      *cap = (*len + n + 2) * 2;
      *buf = realloc(*buf, *cap);
      assert_non_null(*buf);
    }
    memcpy(*buf + *len, t, n);
    *len += n;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = '\0';
    append_texts(b->children, buf, len, cap);
  }
}

static char *all_texts(const rp_bound_doc *doc) {
  size_t len = 0, cap = 1024;
  char *buf = calloc(1, cap);
  assert_non_null(buf);
  for (const rp_section *s = doc->sections; s; s = s->next)
    append_texts(s->blocks, &buf, &len, &cap);
  return buf;
}

static size_t count_sections(const rp_bound_doc *doc) {
  size_t n = 0;
  for (const rp_section *s = doc->sections; s; s = s->next) n++;
  return n;
}

/* ---- units ------------------------------------------------------------------- */

static void test_units_lengths(void **state) {
  (void)state;
  double v;
  assert_null(rp_length_parse("12pt", RP_NO_PERCENT, &v));
  assert_float_equal(v, 12, 1e-9);
  assert_null(rp_length_parse("25.4mm", RP_NO_PERCENT, &v));
  assert_float_equal(v, 72, 1e-9);
  assert_null(rp_length_parse("2.54cm", RP_NO_PERCENT, &v));
  assert_float_equal(v, 72, 1e-9);
  assert_null(rp_length_parse("1in", RP_NO_PERCENT, &v));
  assert_float_equal(v, 72, 1e-9);
  assert_null(rp_length_parse("16px", RP_NO_PERCENT, &v));
  assert_float_equal(v, 12, 1e-9);
  assert_null(rp_length_parse("0", RP_NO_PERCENT, &v));
  assert_float_equal(v, 0, 1e-9);
  assert_null(rp_length_parse("-3pt", RP_NO_PERCENT, &v));
  assert_float_equal(v, -3, 1e-9);
  assert_null(rp_length_parse("50%", 200, &v));
  assert_float_equal(v, 100, 1e-9);
  assert_null(rp_length_parse("100% - 1in", 200, &v));
  assert_float_equal(v, 128, 1e-9);
  assert_null(rp_length_parse(" 10pt + 2pt - 1pt ", RP_NO_PERCENT, &v));
  assert_float_equal(v, 11, 1e-9);

  assert_non_null(strstr(rp_length_parse("12", RP_NO_PERCENT, &v), "needs a unit"));
  assert_non_null(strstr(rp_length_parse("12qq", RP_NO_PERCENT, &v), "unknown unit"));
  assert_non_null(strstr(rp_length_parse("50%", RP_NO_PERCENT, &v), "not allowed"));
  assert_non_null(rp_length_parse("", RP_NO_PERCENT, &v));
  assert_non_null(rp_length_parse("pt", RP_NO_PERCENT, &v));
  assert_non_null(rp_length_parse("10pt 2pt", RP_NO_PERCENT, &v));

  /* Every length lies on some page: at most 200in either way, never inf or NaN. */
  assert_null(rp_length_parse("200in", RP_NO_PERCENT, &v));
  assert_float_equal(v, RP_LENGTH_MAX, 1e-9);
  assert_null(rp_length_parse("-14400pt", RP_NO_PERCENT, &v));
  const char *too_long[] = {"14401pt",           "1e9pt",         "1e308mm", "-1e308mm",
                            "1e308pt + 1e308pt", "99999999999pt", "1e308%"};
  for (size_t i = 0; i < sizeof too_long / sizeof too_long[0]; i++) {
    const char *err = rp_length_parse(too_long[i], 842, &v);
    if (!err || !strstr(err, "at most 200in")) fail_msg("%s: %s", too_long[i], err ? err : "ok");
  }
  assert_non_null(rp_length_parse("1e9999pt", RP_NO_PERCENT, &v));
  assert_non_null(rp_length_parse("NaNpt", RP_NO_PERCENT, &v));
  assert_non_null(rp_length_parse("infpt", RP_NO_PERCENT, &v));

  double four[4];
  assert_null(rp_lengths4_parse("6pt", four));
  assert_float_equal(four[3], 6, 1e-9);
  assert_null(rp_lengths4_parse("1pt 2pt", four));
  assert_float_equal(four[0], 1, 1e-9);
  assert_float_equal(four[1], 2, 1e-9);
  assert_float_equal(four[2], 1, 1e-9);
  assert_float_equal(four[3], 2, 1e-9);
  assert_null(rp_lengths4_parse("1pt 2pt 3pt", four));
  assert_float_equal(four[2], 3, 1e-9);
  assert_float_equal(four[3], 2, 1e-9);
  assert_null(rp_lengths4_parse("1pt 2pt 3pt 4pt", four));
  assert_float_equal(four[3], 4, 1e-9);
  assert_non_null(rp_lengths4_parse("1pt 2pt 3pt 4pt 5pt", four));
  assert_non_null(rp_lengths4_parse("", four));
}

static void test_units_colors(void **state) {
  (void)state;
  rp_color c;
  assert_null(rp_color_parse("#5b2a86", &c));
  assert_float_equal(c.r, 0x5b / 255.0, 1e-6);
  assert_float_equal(c.g, 0x2a / 255.0, 1e-6);
  assert_float_equal(c.b, 0x86 / 255.0, 1e-6);
  assert_float_equal(c.a, 1, 1e-6);
  assert_null(rp_color_parse("#fff", &c));
  assert_float_equal(c.r, 1, 1e-6);
  assert_null(rp_color_parse("#00857c80", &c));
  assert_float_equal(c.a, 0x80 / 255.0, 1e-6);
  assert_null(rp_color_parse("none", &c));
  assert_float_equal(c.a, 0, 1e-6);
  assert_null(rp_color_parse("black", &c));
  assert_float_equal(c.r + c.g + c.b, 0, 1e-6);
  assert_non_null(rp_color_parse("#12", &c));
  assert_non_null(rp_color_parse("#gggggg", &c));
  assert_non_null(rp_color_parse("purple", &c));
}

static void test_units_pages(void **state) {
  (void)state;
  double w, h;
  assert_null(rp_page_size_parse("A4", &w, &h));
  assert_float_equal(w, 595.28, 0.01);
  assert_float_equal(h, 841.89, 0.01);
  assert_null(rp_page_size_parse("A4 landscape", &w, &h));
  assert_float_equal(w, 841.89, 0.01);
  assert_null(rp_page_size_parse("a5", &w, &h));
  assert_float_equal(w, 419.53, 0.01);
  assert_null(rp_page_size_parse("Letter", &w, &h));
  assert_float_equal(h, 792, 0.01);
  assert_null(rp_page_size_parse("16:9", &w, &h)); /* 338.67 × 190.5mm */
  assert_float_equal(w, 960, 0.01);
  assert_float_equal(h, 540, 0.01);
  assert_null(rp_page_size_parse("210mm 297mm", &w, &h));
  assert_float_equal(w, 595.28, 0.01);
  assert_non_null(rp_page_size_parse("A9", &w, &h));
  assert_non_null(rp_page_size_parse("A4 sideways", &w, &h));
  assert_non_null(rp_page_size_parse("10pt 10pt", &w, &h));
}

/* ---- the pure helpers behind the functions ----------------------------------- */

static void test_date_and_number_helpers(void **state) {
  (void)state;
  char out[128];
  assert_true(rp_format_date("2019-02-28", "EEEE d MMMM yyyy", out, sizeof out));
  assert_string_equal(out, "Thursday 28 February 2019");
  assert_true(rp_format_date("2020-02-29", "d/M/yy", out, sizeof out));
  assert_string_equal(out, "29/2/20");
  assert_false(rp_format_date("2019-02-29", "d", out, sizeof out));   /* not a leap year */
  assert_false(rp_format_date("2019-02", "d MMMM", out, sizeof out)); /* no day */
  assert_false(rp_format_date("19-02-01", "d", out, sizeof out));
  assert_false(rp_format_date("2019-02-01", "d MMMM yyyy", out, 5)); /* too small */

  assert_true(rp_date_range("2019-06-20", "2019-06-21", out, sizeof out));
  assert_string_equal(out, "20–21 June 2019");
  assert_true(rp_date_range("2019-06-20", "", out, sizeof out));
  assert_string_equal(out, "20 June 2019");
  assert_false(rp_date_range("2019-06-21", "2019-06-20", out, sizeof out));
  assert_false(rp_date_range("2019-06", NULL, out, sizeof out));

  assert_true(rp_format_number(1234567.891, "#,##0.##", out, sizeof out));
  assert_string_equal(out, "1,234,567.89");
  assert_true(rp_format_number(5, "000", out, sizeof out));
  assert_string_equal(out, "005");
  assert_true(rp_format_number(0.5, "#.0", out, sizeof out));
  assert_string_equal(out, ".5");
  assert_true(rp_format_number(-0.0001, "0.0", out, sizeof out));
  assert_string_equal(out, "0.0");
  assert_true(rp_format_number(1e6, "#,##0 votes", out, sizeof out));
  assert_string_equal(out, "1,000,000 votes");
  assert_false(rp_format_number(1, "abc", out, sizeof out));
}

/* ---- compiled expressions ---------------------------------------------------- */

/* Each distinct expression is compiled once (rp_def_xpath): the stock
 * layout writes "." and "title" dozens of times; every compiled one is
 * owned once (l->comps, freed with the def), and asking again gives the same. */
static void test_xpath_compiled_once(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, rp_test_src("layouts/annual-review.xml"), &w.d, &w.l),
                   RP_OK);
  rp_layout_def *l = w.l;
  assert_true(l->comps.len > 100);
  assert_int_equal(l->comps.len, l->xmemo.used);
  size_t seen = 0;
  for (size_t i = 0; i < l->xmemo.cap; i++) {
    if (!l->xmemo.texts[i]) continue;
    seen++;
    xmlXPathCompExprPtr again = NULL;
    assert_true(rp_def_xpath(l, l->xmemo.texts[i], &again));
    assert_ptr_equal(again, l->xmemo.comps[i]);
  }
  assert_int_equal(seen, l->comps.len);
  xmlXPathCompExprPtr dot = NULL, bad = NULL;
  assert_true(rp_def_xpath(l, ".", &dot));
  assert_non_null(dot);
  assert_int_equal(l->comps.len, seen); /* "." was there: nothing new */
  l->d = &w.d;                          /* as while loading */
  assert_true(rp_def_xpath(l, "a[", &bad));
  assert_null(bad); /* a mistake is compiled (and reported) each time, never kept */
  assert_int_equal(l->comps.len, seen);
  l->d = NULL;
  world_fini(&w);
}

/* The maps' outline files, each once, resolved against the file that names
 * them: what the chart worker reads ahead (rp_layout_def_outlines). */
static void test_map_outlines_listed(void **state) {
  (void)state;
  static const struct {
    const char *layout;
    size_t n;
  } cases[] = {{"layouts/annual-review.xml", 1},
               {"layouts/deck.xml", 1},
               {"layouts/board-profile.xml", 0},
               {"layouts/case-studies.xml", 0}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    world w;
    world_init(&w);
    assert_int_equal(rp_layout_def_load(w.a, rp_test_src(cases[k].layout), &w.d, &w.l), RP_OK);
    size_t n = 99;
    const char *const *v = rp_layout_def_outlines(w.l, &n);
    assert_int_equal(n, cases[k].n);
    for (size_t i = 0; i < n; i++) {
      const char *tail = "data/map/uk-outline.txt";
      assert_true(strlen(v[i]) >= strlen(tail));
      assert_string_equal(v[i] + strlen(v[i]) - strlen(tail), tail);
      FILE *f = fopen(v[i], "rb"); /* resolved: readable from here */
      assert_non_null(f);
      fclose(f);
    }
    world_fini(&w);
  }
}

/* rp_def_attr reads a one-text attribute in place and leaves the rest to
 * xmlGetNoNsProp: both give the same answer on every case the tree can hold
 * (absent, empty, one text, a namespaced twin, a DTD's default), and the
 * arena copy is the caller's. */
static void test_def_attr_as_libxml2(void **state) {
  (void)state;
  static const char xml[] =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE t [<!ATTLIST e dflt CDATA \"from-dtd\">]>\n"
      "<t xmlns:x=\"urn:x\"><e a=\"one\" empty=\"\" x:a=\"ns\" amp=\"a&amp;b&#x41;\"/>"
      "<f x:b=\"only-ns\" c=\"c\"/></t>";
  static const char *const names[] = {"a", "empty", "amp", "dflt", "b", "c", "missing"};
  xmlDocPtr doc = xmlReadMemory(xml, (int)sizeof xml - 1, "t.xml", NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  world w;
  world_init(&w);
  rp_layout_def l = {.a = w.a, .d = &w.d, .path = "t.xml"};
  for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      xmlChar *want = xmlGetNoNsProp(n, (const xmlChar *)names[i]);
      const char *got = rp_def_attr(&l, n, names[i]);
      if (!want) {
        assert_null(got);
      } else {
        assert_non_null(got);
        assert_string_equal(got, (const char *)want);
        assert_ptr_not_equal(got, (const char *)want);
      }
      xmlFree(want);
    }
  }
  /* the cases that matter, spelt out */
  xmlNode *e = xmlDocGetRootElement(doc)->children;
  assert_string_equal(rp_def_attr(&l, e, "a"), "one");
  assert_string_equal(rp_def_attr(&l, e, "empty"), "");
  assert_string_equal(rp_def_attr(&l, e, "amp"), "a&bA");
  assert_string_equal(rp_def_attr(&l, e, "dflt"), "from-dtd");
  assert_null(rp_def_attr(&l, e->next, "b"));
  assert_int_equal(w.d.count, 0);
  world_fini(&w);
  xmlFreeDoc(doc);
}

/* An expression's description in messages: attr="text", or {text} in a
 * pattern. */
static void test_xexpr_where(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, rp_test_src("layouts/annual-review.xml"), &w.d, &w.l),
                   RP_OK);
  rp_layout_def *l = w.l;
  l->d = &w.d; /* as while loading */
  xmlNode *n = xmlDocGetRootElement(l->doc);
  const rp_xexpr *e = rp_xexpr_compile(l, n, "select", "people/person[@role='chair']", NULL);
  assert_non_null(e);
  assert_string_equal(e->where, "select=\"people/person[@role='chair']\"");
  const rp_avt *t = rp_avt_compile(l, n, NULL, "Hello {name}!", RP_AVT_CONTENT, NULL);
  assert_non_null(t);
  assert_int_equal(t->n, 3);
  assert_non_null(t->parts[1].expr);
  assert_string_equal(t->parts[1].expr->where, "{name}");
  e = rp_xexpr_compile(l, n, NULL, "count(x)", NULL);
  assert_non_null(e);
  assert_string_equal(e->where, "{count(x)}");
  assert_int_equal(w.d.count, 0);
  l->d = NULL;
  world_fini(&w);
}

/* ---- expressions compiled ahead (pipeline.c's content thread) -------------- */

static void *run_ahead(void *x) {
  rp_xpath_ahead_run(x);
  return NULL;
}

/* The diag entries of two loads, the same in order, file, line and text. */
static void expect_same_diag(const rp_diag *x, const rp_diag *y) {
  assert_int_equal(x->count, y->count);
  assert_int_equal(x->errors, y->errors);
  for (size_t i = 0; i < x->count; i++) {
    const rp_diag_entry *a = &x->entries[i], *b = &y->entries[i];
    assert_int_equal(a->line, b->line);
    assert_string_equal(a->file ? a->file : "", b->file ? b->file : "");
    assert_string_equal(a->message, b->message);
  }
}

/* The same expressions, by text, in both defs. */
static void expect_same_exprs(rp_layout_def *x, rp_layout_def *y) {
  assert_int_equal(x->comps.len, y->comps.len);
  size_t n = y->comps.len;
  for (size_t i = 0; i < x->xmemo.cap; i++) {
    if (!x->xmemo.texts[i]) continue;
    xmlXPathCompExprPtr c = NULL;
    assert_true(rp_def_xpath(y, x->xmemo.texts[i], &c));
    assert_non_null(c);
    assert_int_equal(y->comps.len, n); /* there already */
  }
}

/* A layout loaded with its expressions compiled ahead on another thread is
 * the one loaded without (rp_layout_def_load_ahead takes them as they come,
 * compiles the rest); a layout with mistakes says the same: schema errors
 * alone when the schema refuses it (its templates' mistakes too are never
 * reported), XPath and other mistakes as without. */
static void test_xpath_ahead(void **state) {
  (void)state;
  /* a layout whose templates have mistakes, and that the schema refuses */
  char bad_path[4200];
  snprintf(bad_path, sizeof bad_path, "%s", fixture("errors-and-schema.xml"));
  {
    FILE *in = fopen(fixture("errors.xml"), "r"), *out = fopen(bad_path, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[2048];
    while (fgets(line, sizeof line, in)) {
      char *root = strstr(line, "<layout ");
      if (root)
        fprintf(out, "%.*s<layout nosuchattr=\"1\" %s", (int)(root - line), line, root + 8);
      else
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
  }
  const char *paths[] = {rp_test_src("layouts/annual-review.xml"),
                         rp_test_src("layouts/deck.xml"),
                         fixture("extends.xml"),
                         fixture("errors.xml"),
                         fixture("bad-xpath.xml"),
                         fixture("schema.xml"),
                         bad_path};
  for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
    world plain, with;
    world_init(&plain);
    world_init(&with);
    rp_status want = rp_layout_def_load(plain.a, paths[k], &plain.d, &plain.l);
    rp_xpath_ahead *x = rp_xpath_ahead_new();
    assert_non_null(x);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_ahead, x), 0);
    rp_status got = rp_layout_def_load_ahead(with.a, paths[k], &with.d, x, &with.l);
    assert_int_equal(pthread_join(t, NULL), 0); /* closed: it has returned */
    assert_int_equal(got, want);
    expect_same_diag(&plain.d, &with.d);
    if (want == RP_OK) expect_same_exprs(plain.l, with.l);
    rp_xpath_ahead_free(x);
    if (k == sizeof paths / sizeof paths[0] - 1) {
      /* the schema's messages alone: none of its templates' */
      assert_null(entry_with(&with.d, "nosuchcolour"));
      assert_non_null(entry_with(&with.d, "nosuchattr"));
    }
    world_fini(&plain);
    world_fini(&with);
  }

  /* Compiled ahead in full (the other thread first): every expression the
   * layout holds is taken from there, none compiled twice; the loading
   * compiles only the one it makes itself (<notes>' title, label('notes')). */
  world plain, with;
  world_init(&plain);
  world_init(&with);
  const char *ar = rp_test_src("layouts/annual-review.xml");
  assert_int_equal(rp_layout_def_load(plain.a, ar, &plain.d, &plain.l), RP_OK);
  rp_xpath_ahead *x = rp_xpath_ahead_new();
  assert_non_null(x);
  rp_xpath_ahead_give(x, plain.l->doc, plain.l->base_doc);
  rp_xpath_ahead_run(x);
  assert_int_equal(rp_layout_def_load_ahead(with.a, ar, &with.d, x, &with.l), RP_OK);
  expect_same_exprs(plain.l, with.l);
  assert_int_equal(rp_xpath_ahead_taken(x), with.l->comps.len - 1);
  xmlXPathCompExprPtr notes = NULL;
  size_t before = with.l->comps.len;
  assert_true(rp_def_xpath(with.l, "label('notes')", &notes));
  assert_non_null(notes);
  assert_int_equal(with.l->comps.len, before);
  rp_xpath_ahead_free(x);
  world_fini(&plain);
  world_fini(&with);

  /* closed before any tree was given (no layout found): it returns */
  x = rp_xpath_ahead_new();
  assert_non_null(x);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, run_ahead, x), 0);
  rp_xpath_ahead_close(x);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(rp_xpath_ahead_taken(x), 0);
  rp_xpath_ahead_free(x);
}

static void *read_faces(void *x) {
  rp_xpath_ahead_read_faces(x);
  return NULL;
}

/* The faces given to the other thread are read there, as on first use, and
 * only those; it returns once they are read, or at once when the loading
 * was over before any were given (and faces given after that are not read). */
static void test_faces_ahead(void **state) {
  (void)state;
  rp_fontset fs;
  rp_diag d;
  rp_fontset_init(&fs);
  rp_diag_init(&d);
  static const char *const files[] = {"fonts/OpenSans-Regular.ttf", "fonts/OpenSans-Bold.ttf",
                                      "fonts/OpenSans-Italic.ttf"};
  int idx[3];
  for (int i = 0; i < 3; i++)
    assert_int_equal(rp_fontset_load(&fs, rp_test_src(files[i]), "l.xml", 1, &d, &idx[i]), RP_OK);
  rp_xpath_ahead *x = rp_xpath_ahead_new();
  assert_non_null(x);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, read_faces, x), 0);
  int given[2] = {idx[1], idx[0]};
  rp_xpath_ahead_give_faces(x, &fs, given, 2);
  assert_int_equal(pthread_join(t, NULL), 0);
  rp_xpath_ahead_close(x);
  rp_xpath_ahead_free(x);
  assert_false(rp_fontset_get(&fs, idx[0])->unread);
  assert_false(rp_fontset_get(&fs, idx[1])->unread);
  assert_true(rp_fontset_get(&fs, idx[2])->unread);

  x = rp_xpath_ahead_new();
  assert_non_null(x);
  assert_int_equal(pthread_create(&t, NULL, read_faces, x), 0);
  rp_xpath_ahead_close(x);
  assert_int_equal(pthread_join(t, NULL), 0);
  rp_xpath_ahead_give_faces(x, &fs, &idx[2], 1); /* too late: dropped */
  rp_xpath_ahead_read_faces(x);                  /* closed: returns */
  rp_xpath_ahead_free(x);
  assert_true(rp_fontset_get(&fs, idx[2])->unread);
  assert_int_equal(d.count, 0);
  rp_fontset_fini(&fs);
  rp_diag_fini(&d);
}

/* ---- styles and masters ------------------------------------------------------ */

static void test_style_inheritance(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("styles.xml"), &w.d, &w.l), RP_OK);
  rp_color accent;
  assert_true(rp_layout_def_color(w.l, "accent", &accent));

  const rp_style *body = rp_layout_def_style(w.l, "body");
  const rp_style *child = rp_layout_def_style(w.l, "child");
  const rp_style *grand = rp_layout_def_style(w.l, "grandchild");
  const rp_style *ratio = rp_layout_def_style(w.l, "ratio");
  assert_non_null(body);
  assert_non_null(child);
  /* the child overrides size and inherits colour, alignment, spacing… */
  assert_float_equal(child->size, 20, 1e-9);
  assert_float_equal(child->color.r, accent.r, 1e-6);
  assert_float_equal(child->color.b, accent.b, 1e-6);
  assert_int_equal(child->align, RP_ALIGN_JUSTIFY);
  assert_float_equal(child->space_after, 6, 1e-9);
  /* hyphenate: by default justified text only; an explicit value inherits */
  assert_true(body->hyphenate);
  assert_true(child->hyphenate);
  assert_false(rp_layout_def_style(w.l, "ragged")->hyphenate);
  assert_true(rp_layout_def_style(w.l, "ragged-hy")->hyphenate);
  assert_false(rp_layout_def_style(w.l, "whole")->hyphenate);
  assert_false(rp_layout_def_style(w.l, "whole-child")->hyphenate);
  /* …and keeps the parent's proportion of leading to size (14/10) */
  assert_float_equal(child->leading, 28, 1e-9);
  /* a grandchild overrides leading and colour, and asks for the bold face */
  assert_float_equal(grand->size, 20, 1e-9);
  assert_float_equal(grand->leading, 22, 1e-9);
  assert_float_equal(grand->color.r, 1, 1e-6);
  assert_int_not_equal(grand->font, body->font);
  /* a bare number is a multiple of the size */
  assert_float_equal(ratio->leading, 15, 1e-9);
  /* no bold-italic face: bold is used, with a warning naming the style */
  const rp_style *bi = rp_layout_def_style(w.l, "bolditalic");
  assert_int_equal(bi->font, grand->font);
  assert_true(rp_test_diag_has(&w.d, "no bold-italic face"));
  /* the built-in character styles exist */
  assert_non_null(rp_layout_def_style(w.l, "strong"));
  assert_non_null(rp_layout_def_style(w.l, "em"));
  assert_non_null(rp_layout_def_style(w.l, "link"));
  assert_int_equal(rp_layout_def_fonts(w.l)->count, 3);
  world_fini(&w);
}

/* <strong> in a 24pt heading stays 24pt: character styles carry only what
 * they set. */
static void test_char_styles_over_heading(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("styles.xml"), sample(), true);
  const rp_style *h1 = rp_layout_def_style(w.l, "h1");
  const rp_style *strong = rp_layout_def_style(w.l, "grandchild"); /* has the bold face */
  const rp_block *b = w.b->sections->blocks;
  assert_int_equal(b->kind, RP_BLOCK_HEADING);
  assert_int_equal(b->role, RP_ROLE_H1);
  assert_string_equal(text_of(b), "Big bold it");
  const rp_span *s = b->spans;
  assert_ptr_equal(s->style, h1);
  assert_string_equal(s->next->text, "bold");
  assert_float_equal(s->next->style->size, 24, 1e-9);
  assert_float_equal(s->next->style->leading, 30, 1e-9);
  assert_true(s->next->style->keep_with_next);
  assert_int_equal(s->next->style->font, strong->font);
  assert_string_equal(s->next->style->name, "h1+strong");
  const rp_span *it = s->next->next->next;
  assert_string_equal(it->text, "it");
  assert_int_not_equal(it->style->font, h1->font);
  world_fini(&w);
}

static void test_style_cycle(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("cycle.xml"), &w.d, &w.l), RP_ERR_INPUT);
  assert_null(w.l);
  expect_error_at(&w.d, "parent cycle", "cycle.xml", line_of("cycle.xml", "name=\"a\""));
  expect_error_at(&w.d, "unknown style \"nosuchparent\"", "cycle.xml",
                  line_of("cycle.xml", "nosuchparent"));
  world_fini(&w);
}

/* Writes a layout of `n` styles s0… (size 1 + i % 97) and `n` labels l0…
 * to the project's many-names.xml; with `faults`, also a style and a label
 * given twice, a label only in Welsh and an unknown style, whose lines go to
 * lines[0..3]. Returns its path. */
static const char *many_names(int n, bool faults, int lines[4]) {
  const char *path = fixture("many-names.xml");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  int line = 1;
  fprintf(f,
          "<layout version=\"1\">\n<brand>\n"
          "<font role=\"body\" regular=\"../fonts/OpenSans-Regular.ttf\"/>\n"
          "<style name=\"body\" font=\"body\"/>\n");
  line += 4;
  for (int i = 0; i < n; i++, line++)
    fprintf(f, "<style name=\"s%d\" parent=\"body\" size=\"%dpt\"/>\n", i, 1 + i % 97);
  if (faults) {
    lines[0] = line++;
    fprintf(f, "<style name=\"s%d\" size=\"9pt\"/>\n", n / 2);
  }
  fprintf(f,
          "</brand>\n<master name=\"m\"/>\n<sequence><run template=\"t\"/></sequence>\n"
          "<labels xml:lang=\"en-GB\">\n");
  line += 4;
  for (int i = 0; i < n; i++, line++) fprintf(f, "<label name=\"l%d\">Label %d</label>\n", i, i);
  if (faults) {
    lines[1] = line++;
    fprintf(f, "<label name=\"l%d\">again</label>\n", n - 1);
  }
  fprintf(f, "</labels>\n<labels xml:lang=\"cy\"><label name=\"w1\">Cymraeg</label></labels>\n");
  line += 2;
  fprintf(
      f,
      "<template name=\"t\">\n<paragraph style=\"s%d\">{label('l0')} {label('l%d')}</paragraph>\n",
      n - 1, n - 1);
  line += 2;
  if (faults) {
    lines[2] = line++;
    fprintf(f, "<paragraph>{label('w1')}</paragraph>\n");
    lines[3] = line++;
    fprintf(f, "<paragraph style=\"nosuch\"/>\n");
  }
  fprintf(f, "</template>\n</layout>\n");
  assert_int_equal(fclose(f), 0);
  return path;
}

/* Styles and labels are found by name through indexes that grow (past 128
 * of each): every one of hundreds is found, with its own settings, and a
 * name given twice, only in another language or unknown is reported at its
 * line, as by a search of the lists. */
static void test_many_names(void **state) {
  (void)state;
  enum { N = 300 };
  int lines[4];
  world w;
  world_init(&w);
  rp_status st = rp_layout_def_load(w.a, many_names(N, false, lines), &w.d, &w.l);
  if (st != RP_OK) rp_test_diag_dump(&w.d);
  assert_int_equal(st, RP_OK);
  for (int i = 0; i < N; i++) {
    char name[16];
    snprintf(name, sizeof name, "s%d", i);
    const rp_style *s = rp_layout_def_style(w.l, name);
    assert_non_null(s);
    assert_float_equal(s->size, 1 + i % 97, 1e-9);
  }
  assert_null(rp_layout_def_style(w.l, "nosuch"));
  assert_null(rp_layout_def_style(w.l, "s"));
  assert_null(rp_layout_def_style(w.l, "s3000"));
  assert_non_null(rp_layout_def_style(w.l, "strong")); /* built in after the brand's */
  world_fini(&w);

  world_init(&w);
  const char *f = many_names(N, true, lines);
  assert_int_equal(rp_layout_def_load(w.a, f, &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d, "style \"s150\" is defined twice", "many-names.xml", lines[0]);
  char first[64];
  snprintf(first, sizeof first, "many-names.xml:%d); remove one", lines[1] - 1);
  expect_error_at(&w.d, "label \"l299\" is given twice for xml:lang=\"en-GB\"", "many-names.xml",
                  lines[1]);
  assert_non_null(strstr(entry_with(&w.d, "label \"l299\"")->message, first));
  expect_error_at(&w.d, "label('w1') in {label('w1')} is only in <labels xml:lang=\"cy\">",
                  "many-names.xml", lines[2]);
  expect_error_at(&w.d, "unknown style \"nosuch\"", "many-names.xml", lines[3]);
  assert_int_equal(w.d.errors, 4);
  world_fini(&w);
}

static void test_masters(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("styles.xml"), sample(), true);
  const rp_master *m = w.b->sections->master;
  assert_non_null(m);
  assert_string_equal(m->name, "m");
  assert_float_equal(m->width, 595.28, 0.01);
  /* default frame: the page inside margin="20mm 15mm 25mm 10mm" */
  assert_int_equal(m->any.n_frames, 1);
  const double mm = 72 / 25.4;
  assert_float_equal(m->any.frames[0].x, 10 * mm, 1e-6);
  assert_float_equal(m->any.frames[0].y, 20 * mm, 1e-6);
  assert_float_equal(m->any.frames[0].w, 595.28 - 25 * mm, 1e-6);
  assert_float_equal(m->any.frames[0].h, 841.89 - 45 * mm, 1e-6);
  /* decorations: percentages of the page, anchored to the far edge */
  assert_int_equal(m->any.n_decorations, 2);
  const rp_decoration *band = &m->any.decorations[0];
  assert_false(band->is_text);
  assert_float_equal(band->w, 595.28, 1e-6);
  assert_float_equal(band->y, 841.89 - 12 * mm, 1e-6);
  assert_true(band->box.fill.a > 0);
  assert_int_equal(band->src.layout_line, line_of("styles.xml", "<rect"));
  /* texts evaluated against the content, page variables left for layout/ */
  assert_string_equal(m->any.header->text, "Head CCIN");
  assert_string_equal(m->any.footer->text, "{$section} – {$page} of {$pages} {x}");
  assert_int_equal(m->any.footer->style->align, RP_ALIGN_RIGHT);
  assert_int_equal(rp_layout_def_style(w.l, "running")->align, RP_ALIGN_JUSTIFY);
  assert_string_equal(m->any.decorations[1].text, "{$page}");
  assert_int_equal(m->any.footer->src.layout_line, line_of("styles.xml", "<footer style"));
  /* first page: no footer, the rest inherited; left pages: their own margins */
  assert_non_null(m->first);
  assert_null(m->first->footer);
  assert_non_null(m->first->header);
  assert_int_equal(m->first->n_decorations, 2);
  assert_non_null(m->left);
  assert_float_equal(m->left->frames[0].x, 15 * mm, 1e-6);
  assert_null(m->right);
  /* the section title for {$section} */
  assert_string_equal(w.b->sections->title, "Review of the year");
  world_fini(&w);

  /* the second master: A5 landscape, two frames */
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("styles.xml"), &w.d, &w.l), RP_OK);
  const rp_master_def *md = rp_master_find(w.l, "two");
  assert_non_null(md);
  assert_float_equal(md->width, 595.28, 0.01);
  assert_float_equal(md->height, 419.53, 0.01);
  assert_int_equal(md->any.v.n_frames, 2);
  assert_int_equal(md->any.v.frames[0].columns, 2);
  assert_float_equal(md->any.v.frames[0].gutter, 6 * mm, 1e-6);
  assert_float_equal(md->any.v.frames[1].w, 595.28 / 2, 1e-6);
  world_fini(&w);
}

/* ---- expressions ----------------------------------------------------------- */

static void test_substitution(void **state) {
  (void)state;
  static const char *const expected[] = {
      "{literal} and {2}",
      "21 people",
      "48",
      "9,507,400,028",
      "23 September 2018",
      "03/09/18 Mon",
      "Jun 2019",
      "23–26 September 2018",
      "30 September – 2 October 2018",
      "30 December 2018 – 2 January 2019",
      "10 November 2018",
      "10 November 2018",
      "23–26 September 2018",
      "10 November 2018",
      "33,000",
      "1,234.50",
      "25.6%",
      "\u2212£7", /* a real minus sign (base/numfmt.c) */
      "£9,500,000,000",
      "Sharon Taylor",
      "Cllr",
      "21",
      "£9.5bn",
      "Co-operative of the Year Awards 2019",
      "LO",
      "Chair of CCIN and Leader",
      "many",
      "https://twitter.com/coopinnovation",
      "https://social.coop/@ccin",
      "true and true",
      "a}b",
      "1/2 councils",
      "2/2 residents",
  };
  world w;
  bind_ok(&w, fixture("exprs.xml"), sample(), true);
  const rp_block *b = w.b->sections->blocks;
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++, b = b->next) {
    assert_non_null(b);
    assert_string_equal(text_of(b), expected[i]);
  }
  assert_null(b);
  assert_int_equal(w.d.count, 0);
  world_fini(&w);
}

static void test_group_by(void **state) {
  (void)state;
  static const char *const months[] = {
      "September 2018: 1 (1/9)", "October 2018: 2 (2/9)",  "November 2018: 1 (3/9)",
      "January 2019: 1 (4/9)",   "February 2019: 1 (5/9)", "March 2019: 1 (6/9)",
      "April 2019: 1 (7/9)",     "June 2019: 3 (8/9)",     "July 2019: 1 (9/9)",
  };
  world w;
  bind_ok(&w, fixture("events.xml"), sample(), true);
  const rp_block *b = w.b->sections->blocks;
  size_t events = 0;
  for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
    assert_non_null(b);
    assert_int_equal(b->kind, RP_BLOCK_HEADING);
    assert_string_equal(text_of(b), months[i]);
    b = b->next;
    assert_int_equal(b->kind, RP_BLOCK_LIST);
    for (const rp_block *it = b->children; it; it = it->next) events++;
    if (i == 7) { /* June: the three events, in document order */
      const rp_block *it = b->children;
      assert_string_equal(text_of(it->children), "Co-operative Party Local Government Conference");
      assert_string_equal(text_of(it->next->children), "PSTA State of Transformation Conference");
      assert_string_equal(text_of(it->next->next->children),
                          "Co-operative Congress and Co-operative of the Year Awards");
    }
    b = b->next;
  }
  assert_null(b);
  assert_int_equal(events, 12);
  /* by place: groups in order of first appearance */
  const rp_block *p = w.b->sections->next->blocks;
  static const char *const places[] = {
      "Liverpool: 1", "Croydon: 1",    "Bristol: 2",   "Gloucester: 1", "Coventry: 1",
      "Dundee: 1",    "Manchester: 2", "Newcastle: 1", "London: 1",     "Bournemouth: 1"};
  for (size_t i = 0; i < sizeof places / sizeof places[0]; i++, p = p->next)
    assert_string_equal(text_of(p), places[i]);
  assert_null(p);
  world_fini(&w);
}

/* ---- rich text, lists, quotes ------------------------------------------------ */

static void expect_span(const rp_span *s, const char *text, const char *style, const char *href) {
  assert_non_null(s);
  assert_string_equal(s->text, text);
  assert_string_equal(s->style->name, style);
  if (href)
    assert_string_equal(s->href, href);
  else
    assert_null(s->href);
}

static void test_rich(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("rich.xml"), rp_test_src("tests/data/template/rich.xml"), false);
  const rp_block *b = w.b->sections->blocks;

  /* em, strong nested in em, a: character styles and href */
  const rp_span *s = b->spans;
  expect_span(s, "Open to ", "body", NULL);
  expect_span(s = s->next, "all ", "body+em", NULL);
  expect_span(s = s->next, "bold", "body+em+strong", NULL);
  expect_span(s = s->next, " ideas, ", "body", NULL);
  expect_span(s = s->next, "see", "body+link", "https://example.org/x");
  expect_span(s = s->next, ".", "body", NULL);
  assert_null(s->next);
  world_fini(&w);
}

static void test_rich_rest(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("rich.xml"), rp_test_src("tests/data/template/rich.xml"), false);
  const rp_block *b = w.b->sections->blocks->next;

  /* white space collapsed across spans, none at the ends */
  const rp_span *s = b->spans;
  expect_span(s, "Hello ", "body", NULL);
  expect_span(s = s->next, "bold ", "body+strong", NULL);
  expect_span(s = s->next, "world", "body", NULL);
  assert_null(s->next);
  b = b->next;
  assert_string_equal(text_of(b), "Spaced out text");
  assert_int_equal(b->src.content_line, 6);
  assert_int_equal(b->src.layout_line, line_of("rich.xml", "p[2]"));
  assert_non_null(strstr(b->src.layout_file, "rich.xml"));
  assert_non_null(strstr(b->src.content_file, "rich.xml"));

  /* markers: a pattern with (i), a. from 3, none, number, evaluated pattern */
  b = b->next;
  static const char *const roman[] = {"(i)", "(ii)", "(iii)", "(iv)"};
  const rp_block *it = b->children;
  assert_int_equal(b->role, RP_ROLE_LIST);
  assert_int_equal(b->level, 1);
  for (int i = 0; i < 4; i++, it = it->next) {
    assert_int_equal(it->kind, RP_BLOCK_ITEM);
    assert_int_equal(it->role, RP_ROLE_LIST_ITEM);
    assert_string_equal(it->u.item.marker, roman[i]);
    assert_string_equal(it->style->name, "marker");
    assert_int_equal(it->children->kind, RP_BLOCK_PARAGRAPH);
    assert_string_equal(it->children->style->name, "body");
  }
  b = b->next;
  assert_string_equal(b->children->u.item.marker, "c.");
  assert_string_equal(b->children->next->u.item.marker, "d.");
  assert_null(b->children->next->next);
  b = b->next;
  assert_null(b->children->u.item.marker);
  assert_string_equal(text_of(b->children->children), "static");
  assert_null(b->children->next); /* test="false()" */
  b = b->next;
  assert_string_equal(b->children->next->next->next->u.item.marker, "4.");
  b = b->next;
  assert_string_equal(b->children->u.item.marker, "I");

  /* quotes: marks around the first and last paragraph */
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_QUOTE);
  assert_int_equal(b->role, RP_ROLE_QUOTE);
  assert_string_equal(text_of(b->children), "“First.");
  assert_string_equal(text_of(b->children->next), "Second.”");
  b = b->next;
  assert_string_equal(text_of(b->children), "‘Just text’");

  /* links: with no text the address shows, without mailto: */
  b = b->next;
  expect_span(b->spans, "a@b.org", "body+link", "mailto:a@b.org");
  b = b->next;
  expect_span(b->spans, "www.councils.coop", "body+link", "https://www.councils.coop");
  b = b->next;
  assert_string_equal(text_of(b), "https://www.councils.coop");

  /* test="nothing" and an empty text leave nothing; then the other blocks */
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_BOX);
  assert_float_equal(b->box.padding[1], 12, 1e-9);
  assert_true(b->box.fill.a > 0);
  assert_string_equal(text_of(b->children), "in a box");
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_SHAPE);
  assert_int_equal(b->u.shape.kind, RP_SHAPE_LINE);
  assert_int_equal(b->role, RP_ROLE_ARTIFACT);
  assert_float_equal(b->box.stroke_width, 1, 1e-9);
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_SPACER);
  assert_float_equal(b->height, 5 * 72 / 25.4, 1e-6);
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_CHART);
  assert_int_equal(b->role, RP_ROLE_FIGURE);
  assert_string_equal(b->alt, "Map of 4 things");
  assert_string_equal(b->u.chart.kind, "bar");
  assert_non_null(b->u.chart.data);
  assert_int_equal(b->u.chart.data->n_categories, 4);
  assert_string_equal(b->u.chart.data->categories[2], "Three");
  assert_float_equal(b->u.chart.data->series[0].values[2], 5, 1e-9);
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_PAGE_BREAK);
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_COLUMN_BREAK);
  assert_null(b->next);
  world_fini(&w);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_load_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("errors.xml"), &w.d, &w.l), RP_ERR_INPUT);
  assert_null(w.l);
  const char *f = "errors.xml";
  expect_error_at(&w.d, "unknown colour \"nosuchcolour\"", f, line_of(f, "nosuchcolour"));
  expect_error_at(&w.d, "unknown font role \"nosuchrole\"", f, line_of(f, "nosuchrole"));
  expect_error_at(&w.d, "needs a unit", f, line_of(f, "size=\"12\""));
  expect_error_at(&w.d, "unknown colour \"nosuchfill\"", f, line_of(f, "nosuchfill"));
  expect_error_at(&w.d, "unknown template \"nosuchtemplate\"", f, line_of(f, "nosuchtemplate"));
  expect_error_at(&w.d, "unknown master \"nosuchmaster\"", f, line_of(f, "nosuchmaster"));
  expect_error_at(&w.d, "unknown style \"nosuchstyle\"", f, line_of(f, "nosuchstyle"));
  expect_error_at(&w.d, "unknown function nosuchfn()", f, line_of(f, "nosuchfn"));
  expect_error_at(&w.d, "unknown variable $key", f, line_of(f, "{$key}"));
  expect_error_at(&w.d, "{$page}", f, line_of(f, "{$page}"));
  assert_int_equal(w.d.errors, 10);
  world_fini(&w);
}

static void test_bad_xpath(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "bad-xpath.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d,
                  "XPath error in select=\"boards/[\": Invalid expression; check the "
                  "expression",
                  f, line_of(f, "boards/["));
  expect_error_at(&w.d, "XPath error in test=\"count((\"", f, line_of(f, "count(("));
  expect_error_at(&w.d, "XPath error in {name/[}", f, line_of(f, "{name/[}"));
  expect_error_at(&w.d, "a { without its }", f, line_of(f, "{unclosed"));
  assert_int_equal(w.d.errors, 4);
  world_fini(&w);
}

/* libxml2 2.9's streaming shortcut for plain paths (no "(", "[" or "@")
 * leaked its pattern when the allocation after it failed; rp_xpath_compile
 * goes around it. Every allocation of the compile fails in turn, through
 * libxml2's own allocator hooks, and nothing may be left held. */
typedef struct {
  long calls, fail_at;
  long live;
} xfault_state;
static xfault_state xfault;

static void *xfault_malloc(size_t n) {
  if (++xfault.calls == xfault.fail_at) return NULL;
  void *p = malloc(n);
  if (p) xfault.live += (long)malloc_usable_size(p);
  return p;
}
static void *xfault_realloc(void *p, size_t n) {
  if (++xfault.calls == xfault.fail_at) return NULL;
  long before = p ? (long)malloc_usable_size(p) : 0;
  void *q = realloc(p, n);
  if (q) xfault.live += (long)malloc_usable_size(q) - before;
  return q;
}
static char *xfault_strdup(const char *s) {
  char *p = xfault_malloc(strlen(s) + 1);
  return p ? strcpy(p, s) : NULL;
}
static void xfault_free(void *p) {
  if (p) xfault.live -= (long)malloc_usable_size(p);
  free(p);
}

static void test_xpath_compile_faults(void **state) {
  (void)state;
  xmlFreeFunc f0;
  xmlMallocFunc m0;
  xmlReallocFunc r0;
  xmlStrdupFunc s0;
  xmlMemGet(&f0, &m0, &r0, &s0);
  xmlMemSetup(xfault_free, xfault_malloc, xfault_realloc, xfault_strdup);
  long leaked_at = 0, compiled = 0;
  /* Round 0 lets libxml2 make its one-time allocations (mutexes, the
   * error state), which stay held by design; round 1 counts. */
  for (long k = 1; k <= 120 && !leaked_at; k++) {
    xfault = (xfault_state){0, k > 60 ? k - 60 : k, 0};
    xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
    xmlXPathCompExprPtr comp = ctx ? rp_xpath_compile(ctx, "section/title") : NULL;
    compiled += k > 60 && comp != NULL;
    xmlXPathFreeCompExpr(comp);
    xmlXPathFreeContext(ctx);
    xmlResetLastError(); /* libxml2's last error keeps a copy of its message */
    if (k > 60 && xfault.live != 0) leaked_at = k - 60;
  }
  xmlMemSetup(f0, m0, r0, s0);
  assert_int_equal(leaked_at, 0);
  assert_true(compiled > 0); /* the sweep reached past the last allocation */
}

/* libxml2's allocator as it was, while a test puts reviewpdf's in (the
 * program's: rp_xml_use_rp_mem), so that libxml2's allocations count and
 * fail as the program's do. */
typedef struct {
  xmlFreeFunc free_fn;
  xmlMallocFunc malloc_fn;
  xmlReallocFunc realloc_fn;
  xmlStrdupFunc strdup_fn;
} xml_hooks;

static xml_hooks use_rp_mem(void) {
  xml_hooks h;
  xmlMemGet(&h.free_fn, &h.malloc_fn, &h.realloc_fn, &h.strdup_fn);
  rp_xml_use_rp_mem();
  return h;
}

static void restore_hooks(xml_hooks h) {
  xmlResetLastError(); /* its copy of the message, in reviewpdf's allocator */
  xmlMemSetup(h.free_fn, h.malloc_fn, h.realloc_fn, h.strdup_fn);
}

/* libxml2 2.9.14 compiles on after a literal's copy fails (its
 * xmlXPathCompLiteral sets no error): a function's argument then compiles
 * to nothing and xmlXPathCompileExpr reads steps[-1] (memcheck), or the
 * literal is dropped. So rp_xpath_compile shields libxml2's allocations:
 * an injected fault due at any of them falls after the compile, which
 * gives the expression whole. Every allocation of each compile in turn,
 * through reviewpdf's allocator as the program installs it. */
static void test_xpath_compile_shielded(void **state) {
  (void)state;
  static const char *const exprs[] = {
      "choose(../@kicker or ../title, join(../@kicker | ../title[1], ' · '), "
      "label('kicker-boards'))",
      "concat('a', \"b\", @c)",
      "@role = 'lead' or parent::section[@role = 'about']",
      "format-number(sum(project/funding/@amount), '#,##0')",
      "count(member[@kind = $k]) > 2",
      "section/title",
  };
  xml_hooks saved = use_rp_mem();
  xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
  assert_non_null(ctx);
  unsigned long tried = 0;
  for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
    unsigned long c0 = rp_mem_count();
    xmlXPathFreeCompExpr(rp_xpath_compile(ctx, exprs[i]));
    unsigned long n = rp_mem_count() - c0;
    assert_true(n > 0);
    for (unsigned long k = 1; k <= n; k++, tried++) {
      rp_mem_forget_failure();
      rp_mem_fail_after(k, false);
      xmlXPathCompExprPtr comp = rp_xpath_compile(ctx, exprs[i]);
      bool failed = rp_mem_failed();
      rp_mem_fail_after(0, false);
      rp_mem_forget_failure();
      if (!comp || failed)
        fail_msg("%s: allocation %lu of %lu failed in the compile", exprs[i], k, n);
      xmlXPathFreeCompExpr(comp);
    }
  }
  xmlXPathFreeContext(ctx);
  restore_hooks(saved);
  assert_true(tried > 30);
}

static void test_runtime_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "runtime.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, sample(), true), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  assert_null(w.b);
  expect_error_at(&w.d, "gives a string, not nodes", f, line_of(f, "string(/review/title)"));
  expect_error_at(&w.d, "\"2018-13-01\" is not a date", f, line_of(f, "2018-13-01"));
  expect_error_at(&w.d, "Invalid number of arguments", f, line_of(f, "person()"));
  /* evaluated for 21 people, failing each time: reported once */
  expect_error_at(&w.d, "{substring()}", f, line_of(f, "substring()"));
  assert_int_equal(w.d.errors, 4);
  /* required selections that match nothing: warnings, in a template and a run */
  assert_int_equal(w.d.warnings, 2);
  const rp_diag_entry *e = entry_with(&w.d, "template \"t\" is left out");
  assert_non_null(e);
  assert_int_equal(e->severity, RP_SEV_WARNING);
  assert_int_equal(e->line, line_of(f, "required=\"true\"/>"));
  world_fini(&w);

  /* --strict: the warnings become errors */
  world_init(&w);
  w.d.strict = true;
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, sample(), true), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  assert_int_equal(w.d.errors, 6);
  assert_int_equal(w.d.warnings, 0);
  world_fini(&w);
}

static void test_include_error_names_fragment(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("include.xml"), &w.d, &w.l), RP_ERR_INPUT);
  const rp_diag_entry *e = entry_with(&w.d, "unknown colour");
  assert_non_null(e);
  assert_non_null(strstr(e->file, "lib/part.xml"));
  assert_int_equal(e->line, line_of("lib/part.xml", "nosuchcolour"));
  world_fini(&w);
}

/* <layout extends>: the base's styles amended (what is set replaces, the
 * rest stays, children inherit the change), a colour's value replaced, a
 * master replaced by name, the base's sequence and templates kept. */
static void test_extends(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("extends.xml"), &w.d, &w.l), RP_OK);
  const rp_style *body = rp_layout_def_style(w.l, "body");
  assert_float_equal(body->size, 12, 1e-9);
  assert_float_equal(body->leading, 12 * 1.4, 1e-9); /* 14pt on 10pt: the proportion kept */
  assert_int_equal(body->align, RP_ALIGN_LEFT);
  assert_float_equal(body->space_after, 6, 1e-9); /* not amended: the base's */
  rp_color teal;
  assert_true(rp_layout_def_color(w.l, "accent", &teal));
  assert_float_equal(teal.g, 0x7a / 255.0, 1e-6);
  assert_float_equal(body->color.g, teal.g, 1e-6); /* the base's style, the new colour */
  /* a child of the amended style inherits the amendment */
  assert_int_equal(rp_layout_def_style(w.l, "ragged-hy")->align, RP_ALIGN_LEFT);
  assert_int_equal(rp_layout_def_style(w.l, "child")->align, RP_ALIGN_LEFT);
  assert_float_equal(rp_layout_def_style(w.l, "extra")->size, 20, 1e-9);
  const rp_param_def *cards = rp_param_find(w.l, "cards", 5);
  assert_non_null(cards);
  assert_string_equal(cards->value, "2");
  /* "two" is the extending layout's (A4, one frame); "m" the base's */
  const rp_master_def *two = rp_master_find(w.l, "two");
  assert_non_null(two);
  assert_non_null(strstr(two->file, "extends.xml"));
  assert_non_null(rp_master_find(w.l, "m"));
  assert_true(w.l->has_sequence);
  assert_int_equal(w.l->masters.len, 2);
  world_fini(&w);

  /* amending twice, a parameter twice: errors at the second, in this file */
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("extends-errors.xml"), &w.d, &w.l),
                   RP_ERR_INPUT);
  const rp_diag_entry *e = entry_with(&w.d, "style \"body\" is defined twice");
  assert_non_null(e);
  assert_non_null(strstr(e->file, "extends-errors.xml"));
  assert_int_equal(e->line, line_of("extends-errors.xml", "13pt"));
  e = entry_with(&w.d, "parameter \"cards\" is defined twice");
  assert_non_null(e);
  assert_int_equal(e->line, line_of("extends-errors.xml", "value=\"1\""));
  world_fini(&w);

  /* one level only */
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("extends-chain.xml"), &w.d, &w.l), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&w.d, "extends another itself"));
  world_fini(&w);
}

static void test_schema_and_fonts(void **state) {
  (void)state;
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("schema.xml"), &w.d, &w.l), RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&w.d, "blink"));
  assert_true(rp_test_diag_has(&w.d, "docs/layout.md"));
  world_fini(&w);

  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("missing-font.xml"), &w.d, &w.l), RP_ERR_INPUT);
  const rp_diag_entry *e = entry_with(&w.d, "nope.ttf");
  assert_non_null(e);
  assert_int_equal(e->line, line_of("missing-font.xml", "nope.ttf"));
  world_fini(&w);

  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("outside-font.xml"), &w.d, &w.l), RP_ERR_INPUT);
  e = entry_with(&w.d, "outside the layout's project");
  assert_non_null(e);
  assert_int_equal(e->line, line_of("outside-font.xml", "outside.ttf"));
  world_fini(&w);

  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("no-such-layout.xml"), &w.d, &w.l),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&w.d, "cannot open"));
  world_fini(&w);
}

static void test_layout_find(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *path = NULL;
  assert_int_equal(rp_layout_find(w.a, "annual-review", &w.d, &path), RP_OK);
  assert_non_null(strstr(path, "layouts/annual-review.xml"));
  assert_int_equal(rp_layout_find(w.a, fixture("small.xml"), &w.d, &path), RP_OK);
  assert_string_equal(path, fixture("small.xml"));
  assert_int_equal(rp_layout_find(w.a, "no-such-layout", &w.d, &path), RP_ERR_INPUT);
  assert_null(path);
  assert_true(rp_test_diag_has(&w.d, "no layout named \"no-such-layout\""));
  assert_int_equal(rp_layout_find(w.a, "missing/x.xml", &w.d, &path), RP_ERR_INPUT);
  world_fini(&w);
}

/* ---- the shipped layouts ----------------------------------------------------- */

static const char *const board_people[] = {
    "Sharon Taylor",   "Peter Bradbury", "Tony Newman",    "Liam O’Rourke", "Clare Penny-Evans",
    "Paul Stewart",    "Martin Judd",    "Jonathan Bland", "Dave Jones",    "Simon Parkinson",
    "Chris Penberthy", "Iain Malcolm",   "Peter Curling",  "Frank Walsh",   "Ken Dalton",
    "Michael Curnow",  "Rebecca Harvey", "Emma Hoddinott", "Nick Matthews", "Matt Dykes",
    "Adam Farrell",
};

/* What the shipped layouts make of the sample, beyond text. */
typedef struct shipped_parts {
  int seats, initials, logos, tables, header_rows, rows;
  char stats[256];  /* every tile's value, in order */
  char charts[256]; /* every chart's kind and its first category, point or event */
} shipped_parts;

static void count_parts(const rp_block *b, shipped_parts *p) {
  for (; b; b = b->next) {
    if (b->kind == RP_BLOCK_BOX && b->keep_together && b->children &&
        b->children->kind == RP_BLOCK_IMAGE && b->children->u.image.initials)
      p->seats++;
    if (b->kind == RP_BLOCK_IMAGE) {
      assert_float_equal(b->u.image.focal_x, 0.5, 0.21); /* 0.5, or 0.5 0.3 for portraits */
      assert_true(b->u.image.focal_y > 0.2);
      if (b->u.image.path) {
        assert_non_null(strstr(b->u.image.path, "images/ccin-logo.svg"));
        assert_null(strstr(b->u.image.path, ".."));
        p->logos++;
      } else {
        assert_non_null(b->u.image.initials);
        p->initials++;
      }
    }
    if (b->kind == RP_BLOCK_STAT) {
      strncat(p->stats, b->u.stat.value, sizeof p->stats - strlen(p->stats) - 2);
      strcat(p->stats, " ");
    }
    if (b->kind == RP_BLOCK_CHART) {
      const rp_chart *c = b->u.chart.data;
      assert_non_null(c);
      const char *first = c->n_categories ? c->categories[0]
                          : c->n_points   ? c->points[0].name
                          : c->n_events   ? c->events[0].label
                                          : "-";
      size_t len = strlen(p->charts);
      snprintf(p->charts + len, sizeof p->charts - len, "%s:%s ", b->u.chart.kind, first);
    }
    if (b->kind == RP_BLOCK_TABLE) {
      p->tables++;
      p->header_rows += b->u.table.header_rows;
      for (const rp_block *r = b->children; r; r = r->next) p->rows++;
    }
    count_parts(b->children, p);
  }
}

static void check_shipped(const char *name) {
  world w;
  const bool a5 = strstr(name, "-a5") != NULL; /* the small page */
  bind_ok(&w, rp_test_src(name), sample(), true);
  assert_int_equal(w.d.count, 0); /* no error, no warning */
  char *texts = all_texts(w.b);
  for (size_t i = 0; i < sizeof board_people / sizeof board_people[0]; i++)
    if (!strstr(texts, board_people[i])) fail_msg("%s: no text names %s", name, board_people[i]);
  /* a sample of every section; labels from the content and the label table */
  static const char *const needles[] = {
      "Review of the year",
      "About the Network", /* the content's kicker */
      "Action-focused",
      "reclaim the traditions",
      "2018–19", /* the highlights' kicker: the period's short form */
      "Highlights",
      "Our boards", /* the label table's kicker for boards with no title */
      "Chair",
      "Vice-chair",
      "Cllr Sharon Taylor OBE",
      "Stevenage Borough Council",
      "Illustrative sample membership",
      "Member councils", /* the kind's plural label, from the content */
      "Associate members",
      "Greenwich Community Development Agency",
      "Sponsored by CCIN",
      "Lorraine Power",
      "Leeds Bread Co-op",
      "Policy Labs",
      "Enable action – key role food",
      "Co-operatives Unleashed",
      "23–26 September 2018",
      "Labour Party Conference",
      "In progress",
      "Get in touch",
      "@coopcouncils",
  };
  for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
    if (!strstr(texts, needles[i])) fail_msg("%s: no text holds \"%s\"", name, needles[i]);
  /* nothing the layouts used to print of their own about the seed */
  static const char *const seed[] = {"The Network in numbers", "Celebrating co-operatives",
                                     "member and associate councils"};
  for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++)
    if (strstr(texts, seed[i])) fail_msg("%s: a text holds \"%s\"", name, seed[i]);
  free(texts);

  /* sections: the cover, one restarting the page labels (bound before any
     layout, when pages() takes the document to be long, it holds the
     contents: a heading and a table), then one per top-level section (a
     section per board) dispatched by match, then the back cover; each with
     a bookmark; footers keep their page variables */
  assert_int_equal(count_sections(w.b), 15);
  const rp_section *opener = w.b->sections->next;
  assert_non_null(opener->blocks);
  assert_int_equal(opener->blocks->kind, RP_BLOCK_BOX);
  assert_non_null(opener->blocks->next);
  assert_int_equal(opener->blocks->next->kind, RP_BLOCK_TABLE);
  assert_string_equal(opener->page_label_style, "decimal");
  bool map = false;
  for (const rp_section *s = w.b->sections; s; s = s->next) {
    if (s == opener) continue;
    assert_non_null(s->master);
    assert_non_null(s->bookmark);
    if (strcmp(s->master->name, "cover") == 0 || strcmp(s->master->name, "back") == 0) {
      assert_true(s->new_page);
      continue;
    }
    /* the openers start a page with a page break (on A4 the highlights, the
       first board, the members); the others follow on, sharing pages (on A5
       every section follows on) */
    bool opens =
        !a5 && (strcmp(s->bookmark, "Highlights") == 0 || strcmp(s->bookmark, "CCIN Board") == 0 ||
                strcmp(s->bookmark, "Membership") == 0);
    assert_non_null(s->blocks);
    assert_int_equal(s->blocks->kind == RP_BLOCK_PAGE_BREAK, opens);
    assert_non_null(s->title);
    const rp_decoration *foot = s->master->any.footer;
    assert_non_null(foot);
    assert_non_null(strstr(foot->text, "{$section}"));
    for (const rp_block *b = s->blocks; b; b = b->next)
      if (b->kind == RP_BLOCK_CHART && strcmp(b->u.chart.kind, "map") == 0) map = true;
  }
  assert_true(map);
  /* part 2: cards, tiles, tables, images */
  shipped_parts parts = {0};
  for (const rp_section *s = w.b->sections; s; s = s->next) count_parts(s->blocks, &parts);
  assert_int_equal(parts.seats, 23);    /* a card per seat of both boards */
  assert_int_equal(parts.initials, 24); /* no photos: initials, for them and the chair */
  assert_int_equal(parts.logos, 2);     /* front and back cover */
  /* the chain is a figure flow and the members by kind a donut, no longer tiles */
  /* the awards show their votes as a figure; the projects, which name no
     amounts, no count tile (a count alone says little beside their cards) */
  assert_string_equal(parts.stats, "33,000 £10,000 220 20 33,000 220 ");
  /* events a month as bars on A4 only: the A5 leaves them to the timeline */
  assert_string_equal(parts.charts, a5 ? "flow:Councils hbar:Councils donut:Member councils "
                                         "map:Stevenage Borough Council "
                                         "timeline:Labour Party Conference "
                                       : "flow:Councils hbar:Councils donut:Member councils "
                                         "map:Stevenage Borough Council bar:Aug 18 "
                                         "timeline:Labour Party Conference ");
  assert_int_equal(parts.tables, 3);            /* contents (bound as if long), events, plan */
  assert_int_equal(parts.header_rows, 2);       /* events and plan, one each */
  assert_int_equal(parts.rows, 9 + 2 + 12 + 5); /* 9 sections with an id and a title listed */
  assert_string_equal(w.b->info.title, "CCIN Review of the year August 2018 – July 2019");
  assert_string_equal(w.b->info.author, "Co-operative Councils’ Innovation Network");
  assert_string_equal(w.b->info.lang, "en-GB");
  assert_non_null(strstr(w.b->info.creator, "reviewpdf"));
  assert_string_equal(w.b->info.keywords,
                      "Co-operative Councils’ Innovation Network, CCIN, Review of the year");
  /* blocks point back at the shared templates and at the content */
  const rp_block *first = opener->next->blocks;
  assert_non_null(strstr(first->src.layout_file, "lib/templates.xml"));
  assert_true(first->src.layout_line > 0);
  assert_non_null(strstr(first->src.content_file, "ccin-2018-19.xml"));
  assert_int_equal(first->src.content_line, line_in(sample(), "<section id=\"about\""));
  assert_ptr_equal(w.b->fonts, rp_layout_def_fonts(w.l));
  world_fini(&w);
}

static void test_annual_review(void **state) {
  (void)state;
  check_shipped("layouts/annual-review.xml");
  world w;
  bind_ok(&w, rp_test_src("layouts/annual-review.xml"), sample(), true);
  const rp_master *m = w.b->sections->next->master;
  assert_string_equal(m->any.footer->text, "CCIN · {$section}");
  assert_string_equal(m->any.decorations[2].text, "{$page} / {$pages}");
  world_fini(&w);
}

static void test_annual_review_a5(void **state) {
  (void)state;
  check_shipped("layouts/annual-review-a5.xml");
  world w;
  bind_ok(&w, rp_test_src("layouts/annual-review-a5.xml"), sample(), true);
  const rp_master *m = w.b->sections->next->master;
  assert_float_equal(m->width, 419.53, 0.01);
  assert_int_equal(m->any.frames[0].columns, 1);
  assert_non_null(m->left);
  assert_string_equal(m->left->footer->text, "{$page} · {$section}");
  world_fini(&w);
}

/* ---- part 2: grids, tables, stat tiles, images -------------------------------- */

static const rp_block *nth_child(const rp_block *b, size_t n) {
  const rp_block *c = b->children;
  for (size_t i = 0; i < n && c; i++) c = c->next;
  assert_non_null(c);
  return c;
}

static size_t n_children(const rp_block *b) {
  size_t n = 0;
  for (const rp_block *c = b->children; c; c = c->next) n++;
  return n;
}

static const rp_section *nth_section(const rp_bound_doc *doc, size_t n) {
  const rp_section *s = doc->sections;
  for (size_t i = 0; i < n && s; i++) s = s->next;
  assert_non_null(s);
  return s;
}

static void assert_src(const rp_block *b, const char *needle) {
  assert_int_equal(b->src.layout_line, line_of("part2.xml", needle));
  assert_non_null(strstr(b->src.layout_file, "part2.xml"));
  assert_non_null(strstr(b->src.content_file, "ccin-2018-19.xml"));
  assert_true(b->src.content_line > 0);
}

static const double MM = 72 / 25.4;

static void test_grid_of_cards(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("part2.xml"), sample(), true);
  const rp_block *g = nth_section(w.b, 0)->blocks;
  assert_int_equal(g->kind, RP_BLOCK_GRID);
  assert_int_equal(g->role, RP_ROLE_NONE);
  assert_int_equal(g->u.grid.columns, 3); /* columns="{$cards}", <param name="cards" value="3"/> */
  assert_float_equal(g->u.grid.gap_x, 4 * MM, 1e-9);
  assert_float_equal(g->u.grid.gap_y, 6 * MM, 1e-9);
  assert_true(g->u.grid.fill_rows); /* balance="false" */
  assert_src(g, "<grid columns=");
  assert_null(g->next);
  assert_int_equal(n_children(g), 11); /* a card per seat of the first board */
  for (const rp_block *c = g->children; c; c = c->next) {
    assert_int_equal(c->kind, RP_BLOCK_BOX);
    assert_true(c->keep_together); /* implied: a card never splits */
    assert_float_equal(c->box.padding[0], 6, 1e-9);
    assert_float_equal(c->box.radius, 4, 1e-9);
    assert_true(c->box.fill.a > 0);
    assert_src(c, "<card select=");
  }
  const rp_block *card = g->children;
  const rp_block *img = card->children;
  assert_int_equal(img->kind, RP_BLOCK_IMAGE);
  assert_int_equal(img->role, RP_ROLE_FIGURE);
  assert_null(img->u.image.path); /* no photo: initials, silently */
  assert_string_equal(img->u.image.initials, "ST");
  assert_string_equal(img->u.image.initials_style->name, "initials");
  assert_string_equal(img->alt, "Sharon Taylor");
  assert_int_equal(img->u.image.clip, RP_CLIP_CIRCLE);
  assert_int_equal(img->u.image.fit, RP_FIT_CONTAIN);
  assert_float_equal(img->u.image.focal_x, 0.5, 1e-9); /* zero would mean the top-left corner */
  assert_float_equal(img->u.image.focal_y, 0.5, 1e-9);
  assert_float_equal(img->width, 20 * MM, 1e-9);
  assert_float_equal(img->height, 20 * MM, 1e-9);
  assert_float_equal(img->u.image.placeholder_fill.r, 0x5b / 255.0, 1e-6);
  const rp_block *name = img->next;
  assert_int_equal(name->kind, RP_BLOCK_PARAGRAPH);
  assert_string_equal(text_of(name), "Sharon Taylor");
  assert_int_equal(name->style->max_lines, 2); /* fitting reaches layout through the style */
  assert_float_equal(name->style->min_size, 8, 1e-9);
  world_fini(&w);
}

static void test_stat_tiles(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("part2.xml"), sample(), true);
  const rp_block *g = nth_section(w.b, 1)->blocks;
  assert_int_equal(g->u.grid.columns, 2);
  assert_float_equal(g->u.grid.gap_x, 3 * MM, 1e-9);
  assert_float_equal(g->u.grid.gap_y, g->u.grid.gap_x, 1e-9); /* row-gap defaults to gap */
  assert_false(g->u.grid.fill_rows); /* rows balanced unless balance="false" */
  assert_int_equal(n_children(g), 7);
  const rp_block *t = g->children;
  assert_int_equal(t->kind, RP_BLOCK_STAT);
  assert_string_equal(t->u.stat.value, "28");
  assert_string_equal(t->u.stat.label, "Councils");
  assert_null(t->u.stat.unit);
  assert_string_equal(t->u.stat.value_style->name,
                      "stat"); /* the brand's "stat" and "stat-label" */
  assert_string_equal(t->u.stat.label_style->name, "stat-label");
  assert_float_equal(t->height, 25 * MM, 1e-9);
  assert_float_equal(t->box.padding[1], 6, 1e-9);
  assert_float_equal(t->box.radius, 3, 1e-9);
  assert_true(t->box.fill.a > 0);
  assert_src(t, "height=\"25mm\""); /* an element's line: where its start tag ends */
  const rp_block *funding = nth_child(g, 4);
  assert_string_equal(funding->u.stat.value, "£10,000");
  assert_string_equal(funding->u.stat.unit, "GBP");
  assert_string_equal(funding->u.stat.value_style->name, "body");
  assert_float_equal(funding->width, 40 * MM, 1e-9);
  assert_src(funding, "value-style=\"body\"");
  world_fini(&w);
}

static void test_table(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("part2.xml"), sample(), true);
  const rp_block *t = nth_section(w.b, 2)->blocks;
  assert_int_equal(t->kind, RP_BLOCK_TABLE);
  assert_int_equal(t->role, RP_ROLE_TABLE);
  assert_src(t, "<table style=");
  assert_int_equal(t->u.table.n_cols, 4);
  assert_int_equal(t->u.table.cols[0].kind, RP_COL_FIXED);
  assert_float_equal(t->u.table.cols[0].value, 30 * MM, 1e-9);
  assert_int_equal(t->u.table.cols[1].kind, RP_COL_SHARE);
  assert_float_equal(t->u.table.cols[1].value, 2, 1e-9);
  assert_int_equal(t->u.table.cols[2].kind, RP_COL_AUTO);
  assert_int_equal(t->u.table.cols[3].kind, RP_COL_AUTO);
  assert_int_equal(t->u.table.header_rows, 1);
  assert_true(t->u.table.zebra.a > 0);
  assert_float_equal(t->u.table.rule.g, 0x85 / 255.0, 1e-6);
  assert_float_equal(t->u.table.rule_width, 0.75, 1e-9);
  assert_float_equal(t->box.rule_width, 0, 1e-9); /* rule= is between rows, not a left rule */
  assert_float_equal(t->box.padding[1], 4, 1e-9);
  assert_string_equal(t->style->name, "cell");
  assert_int_equal(n_children(t), 13); /* the header and 12 events, grouped by month */
  const rp_block *head = t->children;
  assert_int_equal(head->kind, RP_BLOCK_ROW);
  assert_int_equal(head->role, RP_ROLE_TABLE_ROW);
  assert_true(head->box.fill.a > 0);
  assert_int_equal(n_children(head), 3);
  for (const rp_block *c = head->children; c; c = c->next) {
    assert_int_equal(c->kind, RP_BLOCK_CELL);
    assert_int_equal(c->role, RP_ROLE_TABLE_HEADER);
  }
  assert_int_equal(nth_child(head, 2)->u.cell.span, 2);
  assert_string_equal(text_of(head->children->children), "When");
  const rp_block *row = head->next;
  assert_src(row, "<row select=");
  const rp_block *when = row->children, *what = when->next, *where = what->next;
  assert_int_equal(when->role, RP_ROLE_TABLE_CELL);
  assert_int_equal(when->u.cell.span, 1);
  assert_string_equal(text_of(when->children), "23–26 September 2018");
  assert_string_equal(when->children->style->name, "cell"); /* the table's style, inherited */
  assert_string_equal(text_of(what->children), "Labour Party Conference");
  assert_int_equal(where->u.cell.span, 2);
  assert_true(where->box.fill.a > 0);
  assert_string_equal(text_of(where->children), "Liverpool");
  world_fini(&w);
}

static void test_images_and_fitting(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("part2.xml"), sample(), true);
  const rp_block *h = nth_section(w.b, 3)->blocks;
  assert_int_equal(h->kind, RP_BLOCK_HEADING);
  assert_float_equal(h->height, 40 * MM, 1e-9); /* a limit for shrink-to-fit */
  assert_float_equal(h->style->min_size, 20, 1e-9);
  /* from the content: relative to the content file, cleaned of ".." */
  const rp_block *logo = h->next;
  assert_int_equal(logo->kind, RP_BLOCK_IMAGE);
  char want[4200];
  snprintf(want, sizeof want, "%s", rp_test_src("images/ccin-logo.svg"));
  assert_string_equal(logo->u.image.path, want);
  assert_null(strstr(logo->u.image.path, ".."));
  assert_string_equal(logo->alt, "CCIN – Co-operative Councils Innovation Network");
  assert_int_equal(logo->u.image.fit, RP_FIT_CONTAIN);
  assert_float_equal(logo->u.image.focal_x, 0.5, 1e-9);
  assert_null(logo->u.image.initials);
  /* written in the layout: relative to the layout file (missing files are layout's warning) */
  const rp_block *band = logo->next;
  snprintf(want, sizeof want, "%s/images/band.png", proj);
  assert_string_equal(band->u.image.path, want);
  assert_int_equal(band->u.image.fit, RP_FIT_COVER);
  assert_float_equal(band->u.image.focal_x, 0.2, 1e-9);
  assert_float_equal(band->u.image.focal_y, 0.8, 1e-9);
  assert_int_equal(band->u.image.clip, RP_CLIP_ROUNDED);
  assert_float_equal(band->box.radius, 4, 1e-9);
  const rp_block *filled = band->next;
  assert_int_equal(filled->u.image.fit, RP_FIT_FILL);
  assert_float_equal(filled->u.image.focal_x, 0.3, 1e-9); /* one number: both axes */
  assert_float_equal(filled->u.image.focal_y, 0.3, 1e-9);
  world_fini(&w);
}

static void test_asset_paths(void **state) {
  (void)state;
  world w;
  world_init(&w);
  bool inside;
  const char *root = rp_path_project_root(w.a, sample());
  assert_non_null(root);
  const char *data = rp_path_dir(w.a, sample());
  char want[4200];
  snprintf(want, sizeof want, "%s", rp_test_src("images/x.png"));
  assert_string_equal(rp_asset_resolve(w.a, data, "../images/./x.png", root, &inside), want);
  assert_true(inside); /* missing, but inside: layout warns and draws the placeholder */
  rp_asset_resolve(w.a, data, "../../elsewhere/x.png", root, &inside);
  assert_false(inside);
  rp_asset_resolve(w.a, data, "/etc/passwd", root, &inside);
  assert_false(inside);
  rp_asset_resolve(w.a, data, "../data/../images//../../x.png", root, &inside);
  assert_false(inside);
  assert_string_equal(rp_asset_resolve(w.a, "a/b", "../../../c/./d/", NULL, &inside), "../c/d");
  assert_false(inside); /* no root: never inside */
  assert_string_equal(rp_asset_resolve(w.a, "/a", "../../x", NULL, &inside), "/x");
  assert_string_equal(rp_asset_resolve(w.a, ".", "x/..", NULL, &inside), ".");
  world_fini(&w);
}

static void test_part2_load_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "part2-errors.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d, "$key is a variable of the language", f, line_of(f, "name=\"key\""));
  expect_error_at(&w.d, "give style \"body\" a min-size", f, line_of(f, "height=\"20mm\""));
  expect_error_at(&w.d, "<grid columns=\"13\">: expected a whole number from 1 to 12", f,
                  line_of(f, "columns=\"13\""));
  expect_error_at(&w.d, "unknown variable $nosuch", f, line_of(f, "$nosuch"));
  expect_error_at(&w.d, "<col width=\"wide\">: expected a length", f, line_of(f, "wide"));
  expect_error_at(&w.d, "<cell span=\"3\">: the table has 2 columns", f, line_of(f, "span=\"3\""));
  expect_error_at(&w.d, "unknown style \"nosuchstyle\" in <stat value-style>", f,
                  line_of(f, "nosuchstyle"));
  expect_error_at(&w.d, "<image focal=\"2 0.5\">", f, line_of(f, "focal="));
  expect_error_at(&w.d, "lies outside the layout's project", f, line_of(f, "outside.png"));
  expect_error_at(&w.d, "unknown colour \"nosuchcolour\" in <image placeholder>", f,
                  line_of(f, "nosuchcolour"));
  assert_int_equal(w.d.errors, 10);
  world_fini(&w);

  /* a value outside the schema's vocabulary: refused with its line */
  world_init(&w);
  f = "part2-schema.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(
      &w.d, "Element image: fit=\"squash\" is not allowed here; allowed: contain, cover, fill", f,
      line_of(f, "squash"));
  world_fini(&w);
}

/* Numbers that parse but are inf, NaN or beyond any page are load errors with
 * their lines; they used to reach the PDF writer (exit 3). */
static void test_huge_numbers(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "huge-numbers.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d, "<style tracking=\"Infinity\">: tracking is a number", f,
                  line_of(f, "Infinity"));
  expect_error_at(&w.d, "<style tracking=\"99999999999\">: tracking is a number", f,
                  line_of(f, "99999999999\""));
  expect_error_at(&w.d, "leading=\"NaN\" is a multiple of the size; give at most 100", f,
                  line_of(f, "leading=\"NaN\""));
  expect_error_at(&w.d, "leading=\"1e308\"", f, line_of(f, "leading=\"1e308\""));
  expect_error_at(&w.d, "<style size=\"1e308pt\">: a length is at most 200in", f,
                  line_of(f, "1e308pt"));
  expect_error_at(&w.d, "<master margin=\"-1e308mm\">", f, line_of(f, "-1e308mm"));
  expect_error_at(&w.d, "<footer y=\"-1e308% - 15mm\">", f, line_of(f, "-1e308%"));
  expect_error_at(&w.d, "<box padding=\"99999999999pt\">", f, line_of(f, "99999999999pt"));
  expect_error_at(&w.d, "<col width=\"inf*\">", f, line_of(f, "inf*"));
  expect_error_at(&w.d, "<col width=\"1e308*\">", f, line_of(f, "1e308*"));
  assert_int_equal(w.d.errors, 10);
  world_fini(&w);
}

static void test_part2_runtime_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "part2-runtime.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, sample(), true), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  assert_null(w.b);
  expect_error_at(&w.d, "<grid columns> gives \"many\"", f, line_of(f, "<grid"));
  expect_error_at(&w.d, "gives \"../../board.png\" (at ", f, line_of(f, "'../../'"));
  expect_error_at(&w.d, "which lies outside the content's project", f, line_of(f, "'../../'"));
  expect_error_at(&w.d, "a URL; images are read from files", f, line_of(f, "web/@href"));
  const rp_diag_entry *e = entry_with(&w.d, "\"many\"");
  char at[64]; /* and the content line */
  snprintf(at, sizeof at, "ccin-2018-19.xml:%d)", line_in(sample(), "<board id=\"board\""));
  assert_non_null(strstr(e->message, at));
  assert_int_equal(w.d.errors, 3); /* each once, though every board repeats them */
  world_fini(&w);
}

/* ---- fault injection ----------------------------------------------------------- */

/* fault_injection_once's N: one allocation of the whole process from after
 * the world is set up. */
static unsigned long mem_fail_once;

static char *run_small(const char *layout, const char *content, unsigned long fail_at,
                       rp_status *st_out) {
  world w;
  world_init(&w);
  if (fail_at) rp_arena_fail_after(w.a, fail_at);
  if (mem_fail_once) rp_mem_fail_after(mem_fail_once, false);
  rp_status st = rp_layout_def_load(w.a, fixture(layout), &w.d, &w.l);
  if (st == RP_OK) st = load_content(&w, content ? content : sample(), !content);
  if (st == RP_OK) st = rp_bind(w.a, w.l, &w.c, &w.d, &w.b);
  char *texts = NULL;
  if (st == RP_OK) {
    texts = all_texts(w.b);
  } else {
    /* a failure is always explained */
    assert_true(w.d.errors > 0);
    assert_true(w.d.status != RP_OK);
  }
  *st_out = st;
  world_fini(&w);
  return texts;
}

/* Fail the Nth arena allocation, for every N: each run fails cleanly (no
 * crash, no leak under ASan) or gives exactly the full result. */
static void fault_injection(const char *layout, const char *content, const char *needle) {
  rp_status st;
  char *reference = run_small(layout, content, 0, &st);
  assert_int_equal(st, RP_OK);
  assert_non_null(strstr(reference, needle));
  unsigned long n;
  for (n = 1; n < 20000; n++) {
    char *texts = run_small(layout, content, n, &st);
    if (st == RP_OK) {
      assert_string_equal(texts, reference);
      free(texts);
      break;
    }
  }
  assert_true(n < 20000);
  print_message("fault injection: %s needs %lu arena allocations\n", layout, n - 1);
  free(reference);
}

/* One allocation fails, not every later one: RP_FAIL_ALLOC=N as the
 * fault test runs it, where the code after a swallowed failure goes on
 * (base/outfile refuses the file at the end). Nothing may crash, every
 * reported failure is explained, and a run that saw no failure gives the
 * full result. */
static void fault_injection_once(const char *layout, const char *needle, unsigned long stride) {
  rp_status st;
  unsigned long start = rp_mem_count();
  char *reference = run_small(layout, NULL, 0, &st);
  unsigned long count = rp_mem_count() - start;
  assert_int_equal(st, RP_OK);
  assert_non_null(strstr(reference, needle));
  for (unsigned long n = 1; n <= count + 10; n += stride) {
    mem_fail_once = n;
    char *texts = run_small(layout, NULL, 0, &st);
    bool failed = rp_mem_failed();
    mem_fail_once = 0;
    rp_mem_fail_after(0, false);
    rp_mem_forget_failure();
    if (st == RP_OK && !failed) assert_string_equal(texts, reference);
    free(texts);
  }
  free(reference);
}

static void test_fault_injection_once(void **state) {
  (void)state;
  fault_injection_once("small.xml", "Sharon Taylor", 1);
}

/* The same with libxml2's allocations through reviewpdf's allocator, as the
 * program installs it (rp_xml_use_rp_mem): allocations of the layout's load
 * (parse, XInclude, schema, XPath compiled), the content's and the
 * binding's, libxml2's included but where shielded (base/mem.h) — every
 * 11th of some 19,000 (all of them take two minutes, passing); under ASan
 * in the sanitizer pass. test_xpath_compile_shielded fails every one of a
 * compile's. */
static void test_fault_injection_once_libxml2(void **state) {
  (void)state;
  xml_hooks saved = use_rp_mem();
  fault_injection_once("small.xml", "Sharon Taylor", 11);
  restore_hooks(saved);
}

static void test_fault_injection(void **state) {
  (void)state;
  fault_injection("small.xml", NULL, "Sharon Taylor");
}

/* The same through grids, cards, tiles, tables and images. */
static void test_fault_injection_part2(void **state) {
  (void)state;
  fault_injection("part2.xml", NULL, "Labour Party Conference");
}

/* ---- templates chosen by match ------------------------------------------------ */

static const char *prose(void) {
  static char path[4096];
  if (!path[0]) snprintf(path, sizeof path, "%s", rp_test_src("tests/data/template/prose.xml"));
  return path;
}

static void test_apply(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("apply.xml"), prose(), false);
  const char *f = "apply.xml";
  /* a run without template: a section per node, the first matching template */
  assert_int_equal(count_sections(w.b), 3);
  const rp_section *s = w.b->sections;
  assert_string_equal(s->title, "Foreword");
  assert_int_equal(s->src.layout_line, line_of(f, "name=\"foreword\""));
  const rp_block *b = s->blocks;
  assert_int_equal(b->kind, RP_BLOCK_HEADING);
  assert_string_equal(text_of(b), "Foreword");
  b = b->next;
  assert_string_equal(text_of(b), "Foreword by the chair");
  /* apply: each prose block through its template, in document order */
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_PARAGRAPH);
  assert_string_equal(text_of(b), "First para.");
  assert_int_equal(b->src.layout_line, line_of(f, "match=\"self::p\""));
  assert_int_equal(b->src.content_line, line_of("../data/template/prose.xml", "First para."));
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_HEADING);
  assert_int_equal(b->level, 2);
  assert_string_equal(text_of(b), "Sub");
  b = b->next;
  assert_string_equal(text_of(b), "Second para.");
  assert_string_equal(b->spans->next->style->name, "body+em");
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_LIST);
  assert_int_equal(n_children(b), 2);
  assert_null(b->next); /* <mystery>: no template, skipped */
  const rp_diag_entry *e = entry_with(&w.d, "no template matches <mystery>");
  assert_non_null(e);
  assert_int_equal(e->severity, RP_SEV_WARNING);
  assert_int_equal(e->line, line_of(f, "<apply select=\"*[not(self::title)]\"/>"));
  char at[64];
  snprintf(at, sizeof at, "prose.xml:%d)", line_of("../data/template/prose.xml", "<mystery>"));
  assert_non_null(strstr(e->message, at));
  /* a run's mode chooses among its own templates; no match: a warning at the run */
  e = entry_with(&w.d, "no template of mode \"back\" matches <case-studies>");
  assert_non_null(e);
  assert_int_equal(e->line, line_of(f, "mode=\"back\" new-page"));
  assert_int_equal(w.d.warnings, 2);
  const rp_section *back = nth_section(w.b, 2);
  assert_string_equal(back->title, "Figures");
  assert_false(back->new_page);
  assert_string_equal(text_of(back->blocks), "48.2 MW");
  assert_null(back->blocks->next);

  /* the general section template; a mode sets cells apart from sections */
  s = s->next;
  assert_string_equal(s->title, "Finance");
  b = s->blocks->next;
  assert_string_equal(text_of(b), "Money.");
  assert_string_equal(b->style->name, "body");
  b = b->next;
  assert_int_equal(b->kind, RP_BLOCK_TABLE);
  assert_int_equal(n_children(b), 2);
  const rp_block *cell = nth_child(b->children, 1);
  assert_string_equal(text_of(cell->children), "£1,000");
  assert_string_equal(cell->children->style->name, "cell");
  world_fini(&w);
}

static void test_apply_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "apply-errors.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d, "<run> without template= chooses a template by match", f,
                  line_of(f, "nosuchmode"));
  expect_error_at(&w.d, "<apply mode=\"othermode\"> has no template", f, line_of(f, "othermode"));
  expect_error_at(&w.d, "<template> needs a name", f, line_of(f, "neither name"));
  expect_error_at(&w.d, "XPath error in match=\"self::[\"", f, line_of(f, "self::["));
  expect_error_at(&w.d, "match=\"self::section[@role]\"", f, line_of(f, "a child test"));
  expect_error_at(&w.d, "<template match=\"*\"> asks whether", f, line_of(f, "another"));
  assert_int_equal(w.d.errors, 6);
  world_fini(&w);

  /* a template that applies itself: an error at the apply, binding stops */
  world_init(&w);
  f = "apply-loop.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, prose(), false), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  assert_null(w.b);
  expect_error_at(&w.d, "<apply> nested 32 deep", f, line_of(f, "<apply select=\".\"/>"));
  assert_int_equal(w.d.errors, 1);
  world_fini(&w);
}

/* ---- labels per language, kinds from the vocabulary ------------------------------ */

static const char *template_data(const char *name) {
  static char path[4][4096];
  static int k;
  k = (k + 1) % 4;
  snprintf(path[k], sizeof path[k], "%s%s", rp_test_src("tests/data/template/"), name);
  return path[k];
}

/* Binds labels.xml to a document; checks each paragraph's text and the footer. */
static void check_labels(const char *content, const char *const *want, size_t n,
                         const char *footer) {
  world w;
  bind_ok(&w, fixture("labels.xml"), content, false);
  assert_int_equal(w.d.count, 0);
  const rp_block *b = w.b->sections->blocks;
  for (size_t i = 0; i < n; i++, b = b->next) {
    assert_non_null(b);
    if (strcmp(text_of(b), want[i]) != 0)
      fail_msg("%s, paragraph %zu: \"%s\", expected \"%s\"", content, i + 1, text_of(b), want[i]);
  }
  assert_null(b);
  assert_string_equal(w.b->sections->master->any.footer->text, footer);
  world_fini(&w);
}

static void test_labels(void **state) {
  (void)state;
  static const char *const en[] = {
      "Contents",         "Chair",
      "Only here",        "Tuesday 3 September 2024",
      "3 Sep, 3 Oct Thu", "30 September – 2 October 2024",
      "Full member",      "Full members",
      "Associate",        "Full organisation",
      "undeclared",
  };
  check_labels(prose(), en, sizeof en / sizeof en[0], "Page {$page}");
  /* cy-GB: the cy table (by primary subtag), Chair from the default, Welsh
   * month and day names where the table has them, kinds translated */
  static const char *const cy[] = {
      "Cynnwys",           "Chair",
      "Only here",         "Dydd Mawrth 3 Medi 2024",
      "3 Med, 3 Hyd. Thu", "30 Medi – 2 Hydref 2024",
      "Aelod llawn",       "Aelodau llawn",
      "Associate",         "Full organisation",
      "undeclared",
  };
  check_labels(template_data("cy.xml"), cy, sizeof cy / sizeof cy[0], "Tudalen {$page}");
  /* a language no table has: the default table; no vocabulary: the ids */
  static const char *const fr[] = {
      "Contents",
      "Chair",
      "Only here",
      "Tuesday 3 September 2024",
      "3 Sep, 3 Oct Thu",
      "30 September – 2 October 2024",
      "full", /* no kind: an empty paragraph, left out */
      "assoc",
      "full",
      "undeclared",
  };
  check_labels(template_data("fr.xml"), fr, sizeof fr / sizeof fr[0], "Page {$page}");

  /* the pure helpers with names */
  rp_date_names names = {.month = {[1] = "Chwefror"}, .day = {[4] = "Dydd Iau"}};
  char out[128];
  assert_true(
      rp_format_date_in(&names, "2019-02-28", "EEEE d MMMM yyyy, MMM EEE", out, sizeof out));
  assert_string_equal(out, "Dydd Iau 28 Chwefror 2019, Chw Dyd");
  assert_true(rp_date_range_in(&names, "2019-01-31", "2019-02-02", out, sizeof out));
  assert_string_equal(out, "31 January – 2 Chwefror 2019");
}

static void test_labels_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "labels-errors.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, prose(), false), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  /* two sections: the missing label is reported once */
  expect_error_at(&w.d, "label('nosuchlabel'): no <labels> of the layout has this name", f,
                  line_of(f, "'nosuch'"));
  expect_error_at(&w.d, "label('welsh-only') is only in <labels xml:lang=\"cy\">", f,
                  line_of(f, "'-only'"));
  expect_error_at(&w.d, "'plural' or 'singular', not \"many\"", f, line_of(f, "'many'"));
  expect_error_at(&w.d, "no profile address for network \"myspace\" and handle \"@a\"", f,
                  line_of(f, "myspace"));
  assert_int_equal(w.d.errors, 4);
  world_fini(&w);

  world_init(&w);
  f = "labels-dup.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d, "label \"contents\" is given twice for xml:lang=\"en-GB\"", f,
                  line_of(f, "Contents again"));
  /* literal names are checked at load, before any content */
  expect_error_at(&w.d, "label('typo') in {label('typo')}: no <labels> of the layout", f,
                  line_of(f, "'typo'"));
  expect_error_at(&w.d, "label('welsh-only') in {concat(", f, line_of(f, "label( \"welsh-only\""));
  assert_int_equal(w.d.errors, 3);
  world_fini(&w);
}

/* ---- table columns from the content ---------------------------------------------- */

static void expect_cell(const rp_block *cell, const char *text, const char *style, rp_align align) {
  const rp_block *p = cell->children;
  assert_non_null(p);
  assert_string_equal(text_of(p), text);
  assert_string_equal(p->style->name, style);
  if (p->style->align != align)
    fail_msg("cell \"%s\": align %d, expected %d", text, (int)p->style->align, (int)align);
}

static void test_columns(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("columns.xml"), prose(), false);
  const rp_block *t = w.b->sections->blocks;
  assert_int_equal(t->kind, RP_BLOCK_TABLE);
  /* two columns from columns/column, one written */
  assert_int_equal(t->u.table.n_cols, 3);
  assert_int_equal(t->u.table.cols[0].kind, RP_COL_AUTO);
  assert_int_equal(t->u.table.cols[2].kind, RP_COL_SHARE);
  assert_float_equal(t->u.table.cols[2].value, 2, 1e-9);
  assert_int_equal(t->u.table.header_rows, 1);
  assert_int_equal(n_children(t), 3);
  /* header cells repeat per column; the column's alignment beats the one
   * inherited from body (justify), not one the style sets itself */
  const rp_block *head = t->children;
  assert_int_equal(n_children(head), 3);
  expect_cell(nth_child(head, 0), "Item", "cell-head", RP_ALIGN_JUSTIFY);
  expect_cell(nth_child(head, 1), "Amount", "cell-head", RP_ALIGN_RIGHT);
  expect_cell(nth_child(head, 2), "Share", "cell-head", RP_ALIGN_CENTER);
  const rp_block *row = head->next;
  expect_cell(nth_child(row, 0), "Grants", "cell", RP_ALIGN_JUSTIFY);
  expect_cell(nth_child(row, 1), "£1,000", "cell", RP_ALIGN_RIGHT);
  expect_cell(nth_child(row, 2), "83%", "cell-own", RP_ALIGN_LEFT);
  expect_cell(nth_child(row->next, 1), "£200", "cell", RP_ALIGN_RIGHT);
  /* the layout's styles are untouched: aligned copies are the binding's */
  assert_int_equal(rp_layout_def_style(w.l, "cell")->align, RP_ALIGN_JUSTIFY);
  assert_int_equal(rp_layout_def_style(w.l, "cell-head")->align, RP_ALIGN_JUSTIFY);
  world_fini(&w);

  world_init(&w);
  const char *f = "columns-errors.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, prose(), false), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  char msg[4400];
  snprintf(msg, sizeof msg, "this <row> has 1 cells (at %s:%d, counting spans) and the table 3",
           prose(), line_of("../data/template/prose.xml", "<cell>Grants"));
  expect_error_at(&w.d, msg, f, line_of(f, "cell[1]"));
  expect_error_at(&w.d, "<col align> gives \"currency\"", f, line_of(f, "{@type}"));
  assert_int_equal(w.d.errors, 2);
  world_fini(&w);
}

/* ---- social-url, figure, section on content v2 ------------------------------------ */

static void test_functions_v2(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("functions-v2.xml"), prose(), false);
  assert_int_equal(w.d.count, 0);
  static const char *const want[] = {
      "https://bsky.app/profile/example.bsky.social",
      "https://social.coop/@example",
      "https://example.org/tiktok", /* href wins */
      "https://x.com/coopx https://www.threads.net/@a https://www.tiktok.com/@b",
      "https://bsky.app/profile/example.bsky.social https://twitter.com/t",
      "[]",
      "homes MW 2", /* a case study's figures too */
      "Finance capacity 0",
  };
  const rp_block *b = w.b->sections->blocks;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++, b = b->next) {
    assert_non_null(b);
    assert_string_equal(text_of(b), want[i]);
  }
  assert_null(b);
  world_fini(&w);
}

/* The same through templates chosen by match, labels in Welsh, kinds and
 * content-driven table columns. */
static void test_fault_injection_additions(void **state) {
  (void)state;
  fault_injection("apply.xml", prose(), "Second para.");
  fault_injection("labels.xml", template_data("cy.xml"), "Dydd Mawrth 3 Medi 2024");
  fault_injection("columns.xml", prose(), "£1,000");
}

/* ---- the table of kinds -------------------------------------------------------- */

/* Template elements the layout schema defines: every <element> inside the
 * defines that hold template content. */
static bool template_define(const char *name) {
  static const char *const defs[] = {
      "block", "grid",   "card-item",         "table",     "row-item", "cell-item", "stat",
      "image", "inline", "container-content", "chart-data"};
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (strcmp(name, defs[i]) == 0) return true;
  return false;
}

static void schema_elements(xmlNode *n, bool inside, const char **names, size_t *count,
                            size_t cap) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
    bool in = inside;
    if (strcmp((const char *)n->name, "define") == 0)
      in = name && template_define((const char *)name);
    if (in && name && strcmp((const char *)n->name, "element") == 0 && *count < cap) {
      bool seen = false;
      for (size_t i = 0; i < *count; i++) seen |= strcmp(names[i], (const char *)name) == 0;
      if (!seen) names[(*count)++] = strdup((const char *)name);
    }
    xmlFree(name);
    schema_elements(n->children, in, names, count, cap);
  }
}

/* The table of kinds (kinds.c) and the layout schema name the same elements
 * (but <col>, which a table reads itself); each entry sits at its kind's
 * index; inline kinds bind into spans, the others into blocks. */
static void test_kinds_table(void **state) {
  (void)state;
  for (size_t i = 0; i < RP_T_KINDS; i++) {
    const rp_tkind_def *k = &rp_tkinds[i];
    assert_int_equal(k->kind, (int)i);
    assert_true(k->is_inline == (k->kind >= RP_T_TEXT));
    if (k->is_inline) {
      assert_non_null(k->inlined);
      assert_null(k->bind);
    } else {
      assert_null(k->inlined);
    }
    if (k->name) assert_ptr_equal(rp_tkind_find(k->name), k);
  }
  assert_null(rp_tkind_find("col"));
  assert_null(rp_tkind_find("data"));
  assert_null(rp_tkind_find("paragraphs"));
  xmlDocPtr doc = xmlReadFile(rp_test_src("layouts/schema/layout.rng"), NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  const char *names[64];
  size_t n = 0;
  schema_elements(xmlDocGetRootElement(doc), false, names, &n, 64);
  xmlFreeDoc(doc);
  size_t named = 0;
  for (size_t i = 0; i < RP_T_KINDS; i++) named += rp_tkinds[i].name != NULL;
  /* <col> a table reads itself; <data>, <series>, <event>, <point>, <key> a chart */
  static const char *const own[] = {"col", "data", "series", "event", "point", "key"};
  size_t n_own = sizeof own / sizeof own[0];
  assert_int_equal(n, named + n_own);
  for (size_t i = 0; i < n; i++) {
    bool read_by_parent = false;
    for (size_t j = 0; j < n_own; j++) read_by_parent |= strcmp(names[i], own[j]) == 0;
    if (!read_by_parent && !rp_tkind_find(names[i]))
      fail_msg("the schema's <%s> has no entry in template/kinds.c", names[i]);
    free((void *)names[i]);
  }
}

/* ---- charts ---------------------------------------------------------------------- */

static const char *charts_content(void) {
  static char path[4096];
  if (!path[0]) snprintf(path, sizeof path, "%s", rp_test_src("tests/data/template/charts.xml"));
  return path;
}

/* The next chart block of a list. */
static const rp_block *next_chart(const rp_block *b) {
  while (b && b->kind != RP_BLOCK_CHART) b = b->next;
  return b;
}

/* One chart of each kind: its data as the layout selects it, in the order
 * asked for, numbers as people write them; a chart of no data is left out
 * with a warning. */
static void test_charts(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("charts.xml"), charts_content(), false);
  assert_int_equal(w.d.warnings, 1);
  const rp_diag_entry *e = entry_with(&w.d, "has no data");
  assert_non_null(e);
  assert_int_equal(e->severity, RP_SEV_WARNING);
  assert_int_equal(e->line, line_of("charts.xml", "select=\"nothing\"") - 1);
  const rp_block *b = next_chart(w.b->sections->blocks);

  /* flow: the chain's order, not the document's */
  const rp_chart *c = b->u.chart.data;
  assert_int_equal(b->role, RP_ROLE_FIGURE);
  assert_string_equal(b->u.chart.kind, "flow");
  assert_int_equal(c->kind, RP_CHART_FLOW);
  assert_string_equal(c->title, "Scale");
  assert_int_equal(c->n_categories, 3);
  assert_string_equal(c->categories[0], "budget");
  assert_string_equal(c->categories[1], "Councils");
  assert_string_equal(c->displays[0], "£9.5bn");
  assert_string_equal(c->displays[2], "7.4m");
  assert_float_equal(c->series[0].values[0], 9.5e9, 1);
  assert_float_equal(c->value.size, 20, 1e-9); /* value-style="big" */
  assert_true(c->value.color.b > 0.5f);
  assert_float_equal(c->label.size, 7, 1e-9); /* the brand's chart-label */

  /* a table's cells as people write them; a dash is no value */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_int_equal(c->kind, RP_CHART_HBAR);
  assert_int_equal(c->n_categories, 5);
  assert_null(c->displays);
  assert_string_equal(c->unit, "£");
  assert_string_equal(c->number, "#,##0");
  const double income[] = {12500, -1200, -3.2, 7.4e6};
  for (int i = 0; i < 4; i++) assert_float_equal(c->series[0].values[i], income[i], 1e-6);
  assert_true(isnan(c->series[0].values[4]));
  assert_int_equal(c->n_palette, 3);
  assert_true(c->palette[0].g > 0.5f && c->palette[2].r == 1.0f);
  assert_null(b->alt); /* none given: layout asks charts/ for one */

  /* grouped by month, $key and $group */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_string_equal(b->alt, "Events by month");
  assert_int_equal(c->n_categories, 2);
  assert_string_equal(c->categories[0], "Sep 2018");
  assert_string_equal(c->categories[1], "Nov 2018");
  assert_float_equal(c->series[0].values[0], 2, 1e-9);
  assert_float_equal(c->series[0].values[1], 1, 1e-9);

  /* series: categories are the union, a series without a category has none */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_int_equal(c->kind, RP_CHART_LINE);
  assert_true(c->stacked);
  assert_int_equal(c->n_series, 2);
  assert_string_equal(c->series[0].name, "Starts");
  assert_true(c->series[0].color.a > 0);
  assert_true(c->series[1].color.a == 0);
  assert_int_equal(c->n_categories, 3);
  assert_float_equal(c->series[1].values[0], 26, 1e-9);
  assert_true(isnan(c->series[1].values[1]));
  assert_true(c->axis.a == 0);
  assert_true(c->grid.a > 0);

  /* donut: group-by kind with vocabulary labels, a literal category, a centre */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_int_equal(c->n_categories, 3);
  assert_string_equal(c->categories[0], "Members");
  assert_float_equal(c->series[0].values[0], 3, 1e-9);
  assert_string_equal(c->categories[2], "Explicit");
  assert_string_equal(c->centre, "4");
  assert_string_equal(c->centre_label, "members");

  /* timeline */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_int_equal(c->n_events, 3);
  assert_int_equal(c->events[0].start[1], 9);
  assert_int_equal(c->events[0].end[2], 26);
  assert_int_equal(c->events[1].end[0], 0);
  assert_string_equal(c->events[2].label, "Presentation");

  /* delta */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_float_equal(c->delta, -3.2, 1e-9);
  assert_string_equal(c->delta_display, "−3.2 %");
  assert_string_equal(c->delta_compared, "2023–24");
  assert_int_equal(c->better, 1);

  /* map: points with a position, keys with colours by name or literal, the
   * outline resolved against the layout, the inset's corners ordered */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_int_equal(c->n_points, 3);
  assert_string_equal(c->points[1].name, "Glasgow Group");
  assert_string_equal(c->points[1].kind, "associate");
  assert_float_equal(c->points[2].lon, -3.1791, 1e-9);
  assert_int_equal(c->n_keys, 2);
  assert_string_equal(c->keys[1].label, "Associates");
  assert_true(c->keys[1].color.r > 0.3f && c->keys[1].color.a > 0); /* accent */
  assert_non_null(strstr(c->outline_path, "proj/map/outline.txt"));
  assert_true(c->has_inset);
  assert_float_equal(c->inset_lat[0], 51.2, 1e-9);
  assert_float_equal(c->inset_lon[1], 0.4, 1e-9);

  /* months(): every month of a span, across a year's end, in order; a
   * height from a parameter */
  b = next_chart(b->next);
  c = b->u.chart.data;
  assert_float_equal(b->height, 35 * 72 / 25.4, 1e-6);
  assert_int_equal(c->n_categories, 4);
  assert_string_equal(c->categories[0], "2018-11");
  assert_string_equal(c->categories[3], "2019-02");
  assert_float_equal(c->series[0].values[0], 1, 1e-9);
  assert_float_equal(c->series[0].values[1], 0, 1e-9);

  assert_null(next_chart(b->next)); /* the chart of nothing is left out */
  world_fini(&w);
}

static void test_chart_errors(void **state) {
  (void)state;
  world w;
  world_init(&w);
  const char *f = "charts-errors.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_ERR_INPUT);
  expect_error_at(&w.d, "lies outside the layout's project", f, line_of(f, "outside.txt"));
  expect_error_at(&w.d, "<chart inset=\"51 0 north 1\">: expected two corners", f,
                  line_of(f, "north"));
  expect_error_at(&w.d, "<chart kind=\"timeline\"> needs <event", f, line_of(f, "timeline"));
  expect_error_at(&w.d, "unknown colour \"nosuchcolour\"", f, line_of(f, "nosuchcolour"));
  expect_error_at(&w.d, "takes group-by or each-id, not both", f, line_of(f, "each-id"));
  expect_error_at(&w.d, "not a number picture", f, line_of(f, "not a picture"));
  assert_int_equal(w.d.errors, 6);
  world_fini(&w);

  /* what only the content shows: both lines named */
  world_init(&w);
  f = "charts-runtime.xml";
  assert_int_equal(rp_layout_def_load(w.a, fixture(f), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, charts_content(), false), RP_OK);
  assert_int_equal(rp_bind(w.a, w.l, &w.c, &w.d, &w.b), RP_ERR_INPUT);
  expect_error_at(&w.d, "<data value> gives \"lots\" (at ", f, line_of(f, "'bad'"));
  char at[64];
  snprintf(at, sizeof at, "charts.xml:%d)", line_in(charts_content(), "<cell>lots"));
  assert_non_null(strstr(entry_with(&w.d, "\"lots\"")->message, at));
  expect_error_at(&w.d, "gives \"NaN\"", f, line_of(f, "0 div 0"));
  expect_error_at(&w.d, "gives \"Infinity\"", f, line_of(f, "1 div 0"));
  expect_error_at(&w.d, "<event start> gives \"Conference\"", f, line_of(f, "start=\"{title}\""));
  expect_error_at(&w.d, "has no data", f, line_of(f, "required"));
  expect_error_at(&w.d, "months(): \"2019-02\" to \"2018-01\" is not a span of months", f,
                  line_of(f, "months("));
  expect_error_at(&w.d, "<chart height> gives \"\"", f, line_of(f, "height=\"{title}\""));
  assert_int_equal(w.d.errors, 7);
  world_fini(&w);
}

/* The layout schema's quicker variant (rp_layout_schema) replaces the name
 * pattern by NCName, on layouts whose every attribute that may hold a name
 * holds a plain one. Every attribute the schema gives a name must be among
 * those looked at: each found here, with a value NCName takes and the
 * pattern does not, must turn the quick check down. */
static bool fast_ok_on(const rp_xml_schema *s, const char *attr, const char *value) {
  char xml[256];
  snprintf(xml, sizeof xml, "<layout><style %s=\"%s\"/></layout>", attr, value);
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, 0);
  assert_non_null(doc);
  bool ok = s->fast_ok(doc);
  xmlFreeDoc(doc);
  return ok;
}

static void test_layout_schema_fast_names(void **state) {
  (void)state;
  rp_xml_schema s = rp_layout_schema();
  assert_non_null(s.fast_text);
  assert_non_null(s.fast_ok);
  assert_null(strstr(s.fast_text, "[A-Za-z_][A-Za-z0-9_\\-]*"));
  assert_non_null(strstr(s.text, "[A-Za-z_][A-Za-z0-9_\\-]*"));
  xmlDocPtr rng = xmlReadMemory(s.text, (int)s.len, "layout.rng", NULL, 0);
  assert_non_null(rng);
  xmlXPathContextPtr x = xmlXPathNewContext(rng);
  xmlXPathRegisterNs(x, (const xmlChar *)"r",
                     (const xmlChar *)"http://relaxng.org/ns/structure/1.0");
  /* every attribute whose value is, or lists, a name: directly or through
   * a define that holds one (style-ref) */
  xmlXPathObjectPtr refs = xmlXPathEvalExpression(
      (const xmlChar *)"//r:attribute[.//r:ref[@name = 'name']] | //r:attribute[.//r:ref[@name = "
                       "//r:define[.//r:ref[@name = 'name']]/@name]]",
      x);
  assert_non_null(refs);
  int n = refs->nodesetval ? refs->nodesetval->nodeNr : 0;
  assert_true(n >= 20);
  for (int i = 0; i < n; i++) {
    xmlChar *name = xmlGetProp(refs->nodesetval->nodeTab[i], (const xmlChar *)"name");
    assert_non_null(name);
    const char *a = (const char *)name;
    assert_true(fast_ok_on(&s, a, "body-text_2"));
    assert_false(fast_ok_on(&s, a, "body.text"));
    if (strcmp(a, "fallback") == 0) { /* a list: words apart */
      xmlFree(name);
      continue;
    }
    assert_false(fast_ok_on(&s, a, " body"));
    assert_false(fast_ok_on(&s, a,
                            "b\xC3\xB6"
                            "dy"));
    assert_false(fast_ok_on(&s, a, ""));
    xmlFree(name);
  }
  xmlXPathFreeObject(refs);
  xmlXPathFreeContext(x);
  xmlFreeDoc(rng);
  /* a style given by a pattern: neither type takes it as a name */
  assert_true(fast_ok_on(&s, "style", "{choose(@a, 'x', 'y')}"));
  /* a list of names: each word */
  assert_true(fast_ok_on(&s, "fallback", " symbols  emoji "));
  assert_false(fast_ok_on(&s, "fallback", "symbols emo.ji"));
  /* other attributes are not looked at */
  assert_true(fast_ok_on(&s, "select", " a.b "));
}

/* Valid layouts load by the quick schema, invalid ones are told by the
 * full one: a name NCName takes but the pattern does not is still refused,
 * with the pattern in the message. */
static void test_layout_schema_fast_same_verdict(void **state) {
  (void)state;
#define FAST_LAYOUT(NAME)                                                  \
  "<layout version=\"1\">\n  <brand><style name=\"" NAME                   \
  "\" size=\"9pt\"/></brand>\n"                                            \
  "  <master name=\"m\"/>\n  <sequence><run template=\"t\"/></sequence>\n" \
  "  <template name=\"t\"><paragraph style=\"" NAME "\">x</paragraph></template>\n</layout>\n"
  const char *ok = rp_test_write("fastname-ok.xml", FAST_LAYOUT("body_2-x"));
  const char *bad = rp_test_write("fastname-bad.xml", FAST_LAYOUT("body.x"));
  rp_xml_schema s = rp_layout_schema();
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = NULL;
  rp_status st = rp_xml_load(ok, &s, &d, &doc);
  if (st != RP_OK) rp_test_diag_dump(&d);
  assert_int_equal(st, RP_OK);
  xmlFreeDoc(doc);
  rp_diag_fini(&d);
  rp_diag_init(&d);
  assert_int_equal(rp_xml_load(bad, &s, &d, &doc), RP_ERR_INPUT);
  assert_null(doc);
  bool said = false;
  for (size_t i = 0; i < d.count; i++)
    if (strstr(d.entries[i].message, "body.x") &&
        strstr(d.entries[i].message, "[A-Za-z_][A-Za-z0-9_\\-]*"))
      said = true;
  if (!said) rp_test_diag_dump(&d);
  assert_true(said);
  rp_diag_fini(&d);
#undef FAST_LAYOUT
}

/* ---- lazy binding (rp_bind_begin / rp_bind_next) ------------------------------- */

/* Binds w's layout and content section by section, each section into an
 * arena of its own (kept in *arenas, n of them), into a document like
 * rp_bind's: the status of the last rp_bind_next. */
static rp_status bind_lazily(world *w, rp_bound_doc *out, rp_arena ***arenas, size_t *n) {
  rp_binding *bn = NULL;
  const rp_bound_doc *doc = NULL;
  rp_status st = rp_bind_begin(w->a, w->l, &w->c, NULL, &w->d, &bn, &doc);
  if (st != RP_OK) return st;
  *out = *doc;
  rp_section **tail = &out->sections;
  *arenas = NULL;
  *n = 0;
  const rp_section *s;
  do {
    rp_arena *sa = rp_arena_new();
    assert_non_null(sa);
    *arenas = realloc(*arenas, (*n + 1) * sizeof **arenas);
    assert_non_null(*arenas);
    (*arenas)[(*n)++] = sa;
    st = rp_bind_next(bn, sa, &s);
    *tail = (rp_section *)s;
    if (s) tail = &(*tail)->next;
  } while (s);
  rp_bind_free(bn);
  return st;
}

static void free_arenas(rp_arena **arenas, size_t n) {
  for (size_t i = 0; i < n; i++) rp_arena_free(arenas[i]);
  free(arenas);
}

/* Section by section, the sample binds to the same sections with the same
 * texts, titles, anchors and masters as bound whole. */
static void test_lazy_same_sections(void **state) {
  (void)state;
  const char *layouts[] = {"layouts/annual-review.xml", "layouts/case-studies.xml"};
  for (size_t k = 0; k < 2; k++) {
    world w;
    bind_ok(&w, rp_test_src(layouts[k]), sample(), true);
    rp_bound_doc lazy;
    rp_arena **arenas;
    size_t n;
    assert_int_equal(bind_lazily(&w, &lazy, &arenas, &n), RP_OK);
    assert_int_equal(count_sections(&lazy), count_sections(w.b));
    assert_true(count_sections(&lazy) > 1);
    assert_int_equal(n, count_sections(&lazy) + 1); /* the last call gives none */
    char *whole = all_texts(w.b), *parts = all_texts(&lazy);
    assert_string_equal(parts, whole);
    free(whole);
    free(parts);
    const rp_section *x = w.b->sections, *y = lazy.sections;
    for (; x && y; x = x->next, y = y->next) {
      assert_true((x->title == NULL) == (y->title == NULL));
      if (x->title) assert_string_equal(x->title, y->title);
      assert_true((x->anchor == NULL) == (y->anchor == NULL));
      if (x->anchor) assert_string_equal(x->anchor, y->anchor);
      assert_string_equal(x->master->name, y->master->name);
      assert_int_equal(x->new_page, y->new_page);
    }
    /* the masters a section may use are listed for layout */
    assert_true(lazy.n_masters > 0);
    for (const rp_section *s = lazy.sections; s; s = s->next) {
      bool listed = false;
      for (size_t i = 0; i < lazy.n_masters; i++) listed |= lazy.masters[i] == s->master;
      assert_true(listed);
    }
    free_arenas(arenas, n);
    world_fini(&w);
  }
}

/* runtime.xml over the sample twice: `whole` bound whole (it fails, with
 * the problems the tests compare), `lazy` loaded and not bound yet. */
static void runtime_worlds(world *whole, world *lazy) {
  const char *f = "runtime.xml";
  world_init(whole);
  world_init(lazy);
  assert_int_equal(rp_layout_def_load(whole->a, fixture(f), &whole->d, &whole->l), RP_OK);
  assert_int_equal(load_content(whole, sample(), true), RP_OK);
  assert_int_equal(rp_bind(whole->a, whole->l, &whole->c, &whole->d, &whole->b), RP_ERR_INPUT);
  assert_int_equal(rp_layout_def_load(lazy->a, fixture(f), &lazy->d, &lazy->l), RP_OK);
  assert_int_equal(load_content(lazy, sample(), true), RP_OK);
}

/* Section by section, binding records the same problems, in the same order,
 * as binding the whole document, and fails with the same status. */
static void test_lazy_same_errors(void **state) {
  (void)state;
  world whole, lazy;
  runtime_worlds(&whole, &lazy);
  rp_bound_doc doc;
  rp_arena **arenas;
  size_t n;
  assert_int_equal(bind_lazily(&lazy, &doc, &arenas, &n), RP_ERR_INPUT);
  assert_int_equal(lazy.d.errors, whole.d.errors);
  assert_int_equal(lazy.d.warnings, whole.d.warnings);
  assert_int_equal(lazy.d.count, whole.d.count);
  for (size_t i = 0; i < whole.d.count; i++) {
    assert_string_equal(lazy.d.entries[i].message, whole.d.entries[i].message);
    assert_int_equal(lazy.d.entries[i].line, whole.d.entries[i].line);
  }
  free_arenas(arenas, n);
  world_fini(&lazy);
  world_fini(&whole);
}

/* A pack of n case studies, written to a temporary file (path in buf). */
static void write_pack(char *buf, size_t cap, int n) {
  snprintf(buf, cap, "/tmp/rp-lazy-pack-XXXXXX");
  int fd = mkstemp(buf);
  assert_true(fd >= 0);
  FILE *out = fdopen(fd, "w");
  assert_non_null(out);
  fprintf(out,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<review version=\"2\" "
          "xml:lang=\"en-GB\"><organisation><name>Net</name></organisation>"
          "<title>Pack</title><case-studies id=\"case-studies\"><title>Pack</title>\n");
  for (int i = 0; i < n; i++)
    fprintf(out,
            "<case-study id=\"cs-%d\" theme=\"Theme %d\" organisation=\"Council %d\" "
            "place=\"Town %d\"><title>Study %d in Town %d</title><p>The first paragraph of "
            "study %d says what was done and why it mattered to the people there.</p><p>A "
            "second paragraph with the outcome.</p><figures><figure id=\"cs-%d-1\" "
            "value=\"%d\" unit=\"%%\" label=\"more people reached\"/></figures></case-study>\n",
            i, i % 7, i, i, i, i, i, i, 10 + i % 50);
  fprintf(out, "</case-studies></review>\n");
  assert_int_equal(fclose(out), 0);
}

/* What binding keeps between sections does not grow with the document: the
 * memory a pack of 500 studies needs bound lazily is its largest section's
 * (the index) and what every section shares, not 500 studies' blocks. */
static void test_lazy_memory_follows_sections(void **state) {
  (void)state;
  size_t keep[2], total[2], study_max[2];
  const int sizes[2] = {50, 500};
  for (int k = 0; k < 2; k++) {
    char path[64];
    write_pack(path, sizeof path, sizes[k]);
    world w;
    world_init(&w);
    assert_int_equal(rp_layout_def_load(w.a, rp_test_src("layouts/case-studies.xml"), &w.d, &w.l),
                     RP_OK);
    assert_int_equal(load_content(&w, path, false), RP_OK);
    rp_arena *ka = rp_arena_new();
    assert_non_null(ka);
    rp_binding *bn = NULL;
    const rp_bound_doc *doc = NULL;
    assert_int_equal(rp_bind_begin(ka, w.l, &w.c, NULL, &w.d, &bn, &doc), RP_OK);
    total[k] = study_max[k] = 0;
    size_t sections = 0;
    const rp_section *s;
    do {
      rp_arena *sa = rp_arena_new();
      assert_non_null(sa);
      assert_int_equal(rp_bind_next(bn, sa, &s), RP_OK);
      if (s) assert_int_equal(rp_bind_body(bn, s), RP_OK); /* before its arena goes */
      size_t used = rp_arena_used(sa);
      total[k] += used;
      if (s && s->anchor && strncmp(s->anchor, "cs-", 3) == 0 && used > study_max[k])
        study_max[k] = used;
      sections += s != NULL;
      rp_arena_free(sa); /* nothing later points into it */
    } while (s);
    keep[k] = rp_arena_used(ka);
    rp_bind_free(bn);
    rp_arena_free(ka);
    assert_int_equal(sections, (size_t)sizes[k] + 3); /* cover, opening, studies, index */
    world_fini(&w);
    unlink(path);
  }
  /* ten times the studies: ten times the blocks bound in all … */
  assert_true(total[1] > 8 * total[0]);
  /* … but what outlives a section stays the same, and so does a study's */
  assert_true(keep[1] < keep[0] + 4096);
  assert_true(study_max[1] < study_max[0] + 1024);
}

/* ---- a section's body a piece at a time (rp_bind_piece) ------------------------ */

/* The kinds, nesting, anchors and keeping of blocks, one line each. */
static void append_shape(const rp_block *b, int depth, char **buf, size_t *len, size_t *cap) {
  for (; b; b = b->next) {
    char line[512];
    int n = snprintf(line, sizeof line, "%*s%d %s %d%d %d %s\n", depth, "", (int)b->kind,
                     b->anchor ? b->anchor : "-", b->keep_together, b->keep_with_next,
                     b->src.layout_line, text_of(b));
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    if (*len + (size_t)n + 1 > *cap) {
      *cap = (*len + (size_t)n + 1) * 2;
      *buf = realloc(*buf, *cap);
      assert_non_null(*buf);
    }
    memcpy(*buf + *len, line, (size_t)n);
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    append_shape(b->children, depth + 1, buf, len, cap);
  }
}

static char *doc_shape(const rp_bound_doc *doc) {
  size_t len = 0, cap = 1024;
  char *buf = calloc(1, cap);
  assert_non_null(buf);
  for (const rp_section *s = doc->sections; s; s = s->next)
    append_shape(s->blocks, 0, &buf, &len, &cap);
  return buf;
}

/* Binds w's layout and content lazily with pieces, as layout asks for them
 * (the next section's head before the pieces of the one before): every
 * section's pieces joined into its blocks; the arenas in *arenas. *pieces:
 * how many pieces came, *most: the most blocks bound at top level in one. */
typedef struct pieced {
  rp_arena **arenas;
  size_t n_arenas, pieces, most;
  size_t biggest; /* the most bytes one piece took */
} pieced;

static void keep_arena(pieced *p, rp_arena *a) {
  p->arenas = realloc(p->arenas, (p->n_arenas + 1) * sizeof *p->arenas);
  assert_non_null(p->arenas);
  p->arenas[p->n_arenas++] = a;
}

static rp_status pieces_of(world *w, rp_binding *bn, rp_section *s, pieced *p) {
  rp_block **tail = &s->blocks;
  rp_status st;
  for (;;) {
    rp_arena *pa = rp_arena_new();
    assert_non_null(pa);
    keep_arena(p, pa);
    rp_block *first;
    bool keeps;
    st = rp_bind_piece(bn, s, pa, &first, &keeps);
    if (!first) break;
    p->pieces++;
    if (rp_arena_used(pa) > p->biggest) p->biggest = rp_arena_used(pa);
    size_t n = 0;
    for (*tail = first; *tail; tail = &(*tail)->next) n++;
    if (n > p->most) p->most = n;
  }
  (void)w;
  return st;
}

/* The parts of each table given in parts (rp_block.u.table.part) joined
 * into the whole table, as binding whole makes it: its header rows, then
 * every part's body rows, in one block. *tables: tables that came in more
 * than one part; *parts: the most parts one came in. Checks that the parts
 * come in order, first to last, with their rows counted. */
static void join_parts(rp_block *chain, size_t *tables, size_t *parts) {
  for (rp_block *b = chain; b; b = b->next) {
    if (b->kind != RP_BLOCK_TABLE || !b->u.table.part) continue;
    assert_true(b->u.table.part & RP_TABLE_FIRST);
    assert_int_equal(b->u.table.row0, 0);
    rp_block *rows = NULL, **tail = &rows;
    for (rp_block *h = (rp_block *)b->u.table.head; h; h = h->next) {
      *tail = h;
      tail = &h->next;
    }
    size_t n = 0, body = 0;
    rp_block *part = b;
    for (;;) {
      assert_int_equal(part->u.table.row0, (int)body);
      for (rp_block *r = part->children; r; r = r->next) body++;
      *tail = part->children;
      while (*tail) tail = &(*tail)->next;
      n++;
      if (part->u.table.part & RP_TABLE_LAST) break;
      part = part->next;
      assert_non_null(part);
      assert_int_equal(part->kind, RP_BLOCK_TABLE);
      assert_int_equal(part->u.table.part & (RP_TABLE_PART | RP_TABLE_FIRST), RP_TABLE_PART);
      assert_ptr_equal(part->u.table.head, b->u.table.head);
    }
    b->next = part->next;
    b->children = rows;
    b->u.table.part = 0;
    b->u.table.head = NULL;
    if (n > 1) ++*tables;
    if (n > *parts) *parts = n;
  }
}

static rp_status bind_pieced(world *w, rp_bound_doc *out, pieced *p) {
  *p = (pieced){0};
  rp_binding *bn = NULL;
  const rp_bound_doc *doc = NULL;
  rp_bind_opts o = {.pieces = true};
  rp_status st = rp_bind_begin(w->a, w->l, &w->c, &o, &w->d, &bn, &doc);
  if (st != RP_OK) return st;
  *out = *doc;
  rp_section **tail = &out->sections;
  const rp_section *cur = NULL, *next = NULL;
  rp_arena *sa = rp_arena_new();
  keep_arena(p, sa);
  st = rp_bind_next(bn, sa, &cur);
  if (cur) rp_bind_body(bn, cur);
  while (cur) {
    sa = rp_arena_new();
    keep_arena(p, sa);
    rp_status n = rp_bind_next(bn, sa, &next);
    assert_true(cur->streamed);
    assert_null(cur->blocks);
    rp_status ps = pieces_of(w, bn, (rp_section *)cur, p);
    st = n != RP_OK ? n : ps;
    *tail = (rp_section *)cur;
    tail = &(*tail)->next;
    cur = next;
    if (cur) rp_bind_body(bn, cur);
  }
  rp_bind_free(bn);
  return st;
}

static void pieced_free(pieced *p) {
  for (size_t i = 0; i < p->n_arenas; i++) rp_arena_free(p->arenas[i]);
  free(p->arenas);
}

/* Bound a piece at a time, the sample (both stock layouts) and a pack in a
 * layout with a long section (a repeat, a group of tables, a table, a page
 * break, headings kept with what follows) give the same blocks, in the
 * same order, with the same texts, anchors and keeping, as bound whole; the
 * long section comes in many pieces, none of them the whole. */
static void test_pieces_same_blocks(void **state) {
  (void)state;
  char pack[64];
  write_pack(pack, sizeof pack, 120);
  const char *cases[][2] = {{rp_test_src("layouts/annual-review.xml"), sample()},
                            {rp_test_src("layouts/case-studies.xml"), sample()},
                            {fixture("pieces.xml"), pack}};
  for (size_t k = 0; k < 3; k++) {
    world w;
    bind_ok(&w, cases[k][0], cases[k][1], k < 2);
    rp_bound_doc doc;
    pieced p;
    assert_int_equal(bind_pieced(&w, &doc, &p), RP_OK);
    assert_int_equal(count_sections(&doc), count_sections(w.b));
    size_t tables = 0, most_parts = 0;
    for (rp_section *s = doc.sections; s; s = s->next) join_parts(s->blocks, &tables, &most_parts);
    char *whole = doc_shape(w.b), *parts = doc_shape(&doc);
    assert_string_equal(parts, whole);
    free(whole);
    free(parts);
    whole = all_texts(w.b);
    parts = all_texts(&doc);
    assert_string_equal(parts, whole);
    free(whole);
    free(parts);
    if (k == 2) {
      /* 120 paragraphs (the first with the heading kept with it), a break,
       * 7 themes (a heading kept with its table, of fewer rows than a part
       * holds; the first with the heading before them too), a heading kept
       * with the first part of a table of all 120 rows, its second part */
      assert_int_equal(p.pieces, 120 + 1 + 7 + 2);
      assert_int_equal(p.most, 3);
      assert_int_equal(tables, 1);
      assert_int_equal(most_parts, 2);
    } else {
      assert_int_equal(tables, 0);
    }
    pieced_free(&p);
    world_fini(&w);
  }
  unlink(pack);
}

/* The biggest piece of the long section of tests/layouts/pieces.xml bound
 * for a pack of n studies, bytes. */
static size_t biggest_piece(int n) {
  char pack[64];
  write_pack(pack, sizeof pack, n);
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, fixture("pieces.xml"), &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, pack, false), RP_OK);
  rp_bound_doc doc;
  pieced p;
  assert_int_equal(bind_pieced(&w, &doc, &p), RP_OK);
  size_t biggest = p.biggest;
  pieced_free(&p);
  world_fini(&w);
  unlink(pack);
  return biggest;
}

/* A piece at a time, what binding holds at once is flat in the length of
 * the content: a table of every study (the pack's index) comes a batch of
 * rows a piece, so the biggest piece is no bigger for five times the
 * studies, once its 7 themes have a part's rows each (bound whole, a
 * theme's table grows with them). */
static void test_pieces_flat_in_length(void **state) {
  (void)state;
  size_t small = biggest_piece(600), large = biggest_piece(3000);
  fprintf(stderr, "biggest piece: 600 studies %zu B, 3000 studies %zu B\n", small, large);
  assert_true(small > 64 * 200); /* a part of 64 rows: some hundreds of bytes a row */
  assert_true(large <= small + small / 10);
}

/* A piece at a time, binding records the same problems, in the same order
 * and with the same lines, as binding whole, and fails the same way. */
static void test_pieces_same_errors(void **state) {
  (void)state;
  world whole, lazy;
  runtime_worlds(&whole, &lazy);
  rp_bound_doc doc;
  pieced p;
  assert_int_equal(bind_pieced(&lazy, &doc, &p), RP_ERR_INPUT);
  assert_int_equal(lazy.d.errors, whole.d.errors);
  assert_int_equal(lazy.d.warnings, whole.d.warnings);
  assert_int_equal(lazy.d.count, whole.d.count);
  assert_true(whole.d.count > 1);
  for (size_t i = 0; i < whole.d.count; i++) {
    assert_string_equal(lazy.d.entries[i].message, whole.d.entries[i].message);
    assert_int_equal(lazy.d.entries[i].line, whole.d.entries[i].line);
  }
  pieced_free(&p);
  world_fini(&lazy);
  world_fini(&whole);
}

/* Layout driven by a lazy binding, as the pipeline drives it: each page
 * handed on is written down (its items' kinds, boxes and texts) and freed;
 * the most memory held meanwhile above what was held before is measured. */
typedef struct drive {
  rp_binding *bn;
  char *sig;
  size_t len, cap, base, most, pages;
} drive;

static rp_status drive_next(void *u, rp_arena *a, const rp_section **out) {
  return rp_bind_next(((drive *)u)->bn, a, out);
}
static rp_status drive_body(void *u, const rp_section *s, const void *run) {
  (void)run;
  return rp_bind_body(((drive *)u)->bn, s);
}
static rp_status drive_piece(void *u, const rp_section *s, const void *run, rp_arena *a,
                             rp_block **first, bool *keeps) {
  (void)run;
  return rp_bind_piece(((drive *)u)->bn, s, a, first, keeps);
}
static rp_status drive_page(void *u, const rp_layout_doc *doc, size_t index) {
  drive *dr = u;
  const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, index);
  for (size_t i = 0; i < pg->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
    char line[600];
    int n = snprintf(line, sizeof line, "%zu %d %.3f %.3f %.3f %.3f %s\n", index, (int)it->kind,
                     it->x, it->y, it->w, it->h,
                     it->kind == RP_ITEM_TEXT && it->u.text.text ? it->u.text.text : "");
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    if (dr->len + (size_t)n + 1 > dr->cap) {
      dr->cap = (dr->len + (size_t)n + 1) * 2;
      dr->sig = realloc(dr->sig, dr->cap);
      assert_non_null(dr->sig);
    }
    memcpy(dr->sig + dr->len, line, (size_t)n);
    dr->len += (size_t)n;
    dr->sig[dr->len] = '\0';
  }
  size_t live = rp_mem_live();
  if (live > dr->base && live - dr->base > dr->most) dr->most = live - dr->base;
  dr->pages = index + 1;
  return RP_OK;
}

/* Lays out `layout` with the pack of n studies at `path`: lazily (pieces:
 * a piece at a time), or bound whole; pages handed on as they are final. */
static void drive_layout(const char *layout, const char *path, int mode, drive *dr) {
  world w;
  world_init(&w);
  assert_int_equal(rp_layout_def_load(w.a, layout, &w.d, &w.l), RP_OK);
  assert_int_equal(load_content(&w, path, false), RP_OK);
  *dr = (drive){0};
  rp_arena *la = rp_arena_new();
  assert_non_null(la);
  rp_layout_opts lo = {.page_done = drive_page, .page_done_user = dr, .hold_bytes = 0};
  const rp_bound_doc *doc = NULL;
  rp_bound_doc *bound = NULL;
  dr->base = rp_mem_live();
  if (mode == 0) {
    assert_int_equal(rp_bind(la, w.l, &w.c, &w.d, &bound), RP_OK);
    doc = bound;
  } else {
    rp_bind_opts o = {.pieces = mode == 2};
    assert_int_equal(rp_bind_begin(la, w.l, &w.c, &o, &w.d, &dr->bn, &doc), RP_OK);
    lo.next_section = drive_next;
    lo.section_body = drive_body;
    lo.section_piece = mode == 2 ? drive_piece : NULL;
    lo.section_user = dr;
  }
  rp_layout_doc *pages = NULL;
  rp_status st = rp_layout_run_ex(la, doc, &lo, &w.d, &pages);
  if (st != RP_OK) rp_test_diag_dump(&w.d);
  assert_int_equal(st, RP_OK);
  rp_bind_free(dr->bn);
  rp_arena_free(la);
  world_fini(&w);
}

/* Laid out a piece at a time, a long section in two levelled columns (a
 * repeat, a page break, a group of tables, a table) gives the pages it
 * gives bound whole, item for item. */
static void test_pieces_same_pages(void **state) {
  (void)state;
  char pack[64];
  write_pack(pack, sizeof pack, 300);
  drive whole, parts;
  drive_layout(fixture("pieces.xml"), pack, 0, &whole);
  drive_layout(fixture("pieces.xml"), pack, 2, &parts);
  assert_true(whole.pages > 10);
  assert_int_equal(parts.pages, whole.pages);
  assert_string_equal(parts.sig, whole.sig);
  free(whole.sig);
  free(parts.sig);
  unlink(pack);
}

/* The memory a long section's layout holds while its pages are handed on
 * grows with its length a piece at a time only by what every item leaves
 * for later pages (its anchor, for page() and links); bound whole, by its
 * blocks too. */
static void test_pieces_memory_flat(void **state) {
  (void)state;
  size_t most[2][2];
  const int sizes[2] = {1000, 4000};
  for (int k = 0; k < 2; k++) {
    char pack[64];
    write_pack(pack, sizeof pack, sizes[k]);
    for (int mode = 1; mode <= 2; mode++) {
      drive dr;
      drive_layout(fixture("pieces-flat.xml"), pack, mode, &dr);
      most[k][mode - 1] = dr.most;
      free(dr.sig);
    }
    unlink(pack);
  }
  print_message("section bound whole: %zu -> %zu bytes; in pieces: %zu -> %zu\n", most[0][0],
                most[1][0], most[0][1], most[1][1]);
  /* per item added: its anchor's record (id, page, place) and nothing of
   * its blocks, against its blocks and lines bound whole */
  size_t added = (size_t)(sizes[1] - sizes[0]);
  assert_true(most[1][1] < most[0][1] + 200 * added);
  assert_true(most[1][0] > most[0][0] + 1500 * added);
}

/* Binds refs.xml (a paragraph shown over 12 pages, a page(@id) per
 * top-level element with an id) to the sample with `refs`, recording into
 * or checking against tr. */
static void bind_traced(world *w, const rp_page_refs *refs, rp_reftrace *tr) {
  rp_bind_opts o = {.refs = refs, .trace = tr};
  rp_bound_doc *b = NULL;
  rp_status st = rp_bind_ex(w->a, w->l, &w->c, &o, &w->d, &b);
  if (st != RP_OK) rp_test_diag_dump(&w->d);
  assert_int_equal(st, RP_OK);
}

/* A trace records the values of the expressions that call page() or
 * pages() and a binding with other answers checks them: met when every
 * value comes out the same (13 pages are over 12 as 14 are; the same
 * labels), different when one value does (1 page is not over 12; a label
 * that moved), and never met before the value that differs is reached. */
static void test_reftrace_checks_values(void **state) {
  (void)state;
  world w;
  bind_ok(&w, fixture("refs.xml"), sample(), true);
  static const char *const ids[] = {"about",        "foreword", "highlights", "figures",
                                    "boards",       "members",  "awards",     "projects",
                                    "case-studies", "events",   "plan",       "contact"};
  static const char *const labels[] = {"3", "4",  "5",  "6",  "7",  "8",
                                       "9", "10", "11", "12", "13", "14"};
  static const char *const moved[] = {"3", "4",  "5",  "6",  "7",  "8",
                                      "9", "10", "11", "12", "13", "15"};
  const rp_page_refs one = {NULL, NULL, 0, false, 1}, thirteen = {ids, labels, 12, true, 13},
                     fourteen = {ids, labels, 12, true, 14}, later = {ids, moved, 12, true, 14};
  struct {
    const rp_page_refs *recorded, *checked;
    bool met;
  } cases[] = {{&one, &one, true},
               {&one, &thirteen, false},
               {&thirteen, &fourteen, true},
               {&fourteen, &later, false},
               {&fourteen, &fourteen, true}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rp_reftrace *tr = rp_reftrace_new();
    assert_non_null(tr);
    bind_traced(&w, cases[i].recorded, tr);
    assert_true(rp_reftrace_usable(tr));
    assert_false(rp_reftrace_met(tr)); /* recording, not checked */
    rp_reftrace_check(tr);
    assert_false(rp_reftrace_usable(tr));
    bind_traced(&w, cases[i].checked, tr);
    assert_int_equal(rp_reftrace_met(tr), cases[i].met);
    assert_int_equal(rp_reftrace_differs(tr), !cases[i].met);
    rp_reftrace_free(tr);
  }
  rp_reftrace_free(NULL);
  world_fini(&w);
}

/* The simple steps xpath.c evaluates itself (rp_xexpr_step) give the node
 * sets libxml2's evaluator gives, from every kind of context node: names in
 * a namespace (prefixed, or by a default namespace) never match an
 * unprefixed name; attributes only of elements; children of elements and
 * the document. */
static void test_simple_steps_match_libxml2(void **state) {
  (void)state;
  static const char xml[] =
      "<r xmlns:q='urn:q' a='1' q:a='2' lang='x'><t>one</t><q:t>no</q:t><t>two</t><u a='3'/>"
      "text<t/><s xmlns='urn:d'><t>ns</t></s><q:r/></r>";
  xmlDocPtr doc = xmlReadMemory(xml, sizeof xml - 1, "c.xml", NULL, 0);
  assert_non_null(doc);
  xmlNodePtr r = xmlDocGetRootElement(doc), t = r->children, s = NULL, text = NULL;
  for (xmlNodePtr c = r->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE) text = c;
    if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "s") == 0) s = c;
  }
  assert_non_null(s);
  assert_non_null(text);
  xmlNodePtr ctx[] = {(xmlNodePtr)doc, r, t, s, (xmlNodePtr)r->properties, text, s->children};
  static const char *const exprs[] = {".", "@a", "@lang",   "@missing", "t",       "u",
                                      "r", "s",  "self::r", "self::t",  "self::s", "q"};
  const char *not_simple[] = {"t[1]", "q:t", "@q:a", "and", "node", "./t", "self::*", " t"};
  for (size_t i = 0; i < sizeof not_simple / sizeof *not_simple; i++) {
    const xmlChar *name;
    assert_int_equal(rp_xexpr_step(not_simple[i], &name), RP_XSTEP_NONE);
  }
  rp_arena *a = rp_arena_new();
  rp_diag d;
  rp_diag_init(&d);
  rp_xeval x;
  assert_int_equal(rp_xeval_init(&x, a, &d, doc, "c.xml"), RP_OK);
  for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
    rp_xexpr fast = {.text = exprs[i], .where = exprs[i], .file = "l.xml", .line = 1};
    fast.comp = xmlXPathCompile((const xmlChar *)exprs[i]);
    assert_non_null(fast.comp);
    fast.step = rp_xexpr_step(exprs[i], &fast.step_name);
    assert_int_not_equal(fast.step, RP_XSTEP_NONE);
    rp_xexpr slow = fast;
    slow.step = RP_XSTEP_NONE;
    for (size_t c = 0; c < sizeof ctx / sizeof *ctx; c++) {
      xmlXPathObjectPtr f = rp_xeval_run(&x, &fast, ctx[c], 1, 1);
      xmlXPathObjectPtr w = rp_xeval_run(&x, &slow, ctx[c], 1, 1);
      assert_non_null(f);
      assert_non_null(w);
      assert_int_equal(f->type, XPATH_NODESET);
      assert_int_equal(w->type, XPATH_NODESET);
      int nf = f->nodesetval ? f->nodesetval->nodeNr : 0;
      int nw = w->nodesetval ? w->nodesetval->nodeNr : 0;
      if (nf != nw) fail_msg("%s from context %zu: %d nodes, libxml2 %d", exprs[i], c, nf, nw);
      for (int k = 0; k < nf; k++)
        assert_ptr_equal(f->nodesetval->nodeTab[k], w->nodesetval->nodeTab[k]);
      xmlXPathFreeObject(f);
      xmlXPathFreeObject(w);
    }
    xmlXPathFreeCompExpr(fast.comp);
  }
  assert_int_equal(d.count, 0);
  rp_xeval_fini(&x);
  rp_diag_fini(&d);
  rp_arena_free(a);
  xmlFreeDoc(doc);
}

/* Collects every node of the tree under n (elements, attributes, text,
 * comments), n first. */
static void all_nodes(xmlNodePtr n, xmlNodePtr *out, size_t *len, size_t cap) {
  if (*len < cap) out[(*len)++] = n;
  if (n->type == XML_ELEMENT_NODE)
    for (xmlAttrPtr a = n->properties; a; a = a->next)
      if (*len < cap) out[(*len)++] = (xmlNodePtr)a;
  if (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE)
    for (xmlNodePtr c = n->children; c; c = c->next) all_nodes(c, out, len, cap);
}

static bool same_value(xmlXPathObjectPtr f, xmlXPathObjectPtr w) {
  if (f->type != w->type) return false;
  if (f->type == XPATH_BOOLEAN) return f->boolval == w->boolval;
  if (f->type == XPATH_NUMBER) return f->floatval == w->floatval;
  if (f->type == XPATH_STRING) return xmlStrEqual(f->stringval, w->stringval);
  if (f->type != XPATH_NODESET) return false;
  int nf = f->nodesetval ? f->nodesetval->nodeNr : 0;
  int nw = w->nodesetval ? w->nodesetval->nodeNr : 0;
  if (nf != nw) return false;
  for (int k = 0; k < nf; k++)
    if (f->nodesetval->nodeTab[k] != w->nodesetval->nodeTab[k]) return false;
  return true;
}

/* The tests and selections xfast_eval.c evaluates itself give the values
 * libxml2's evaluator gives (type, truth, the same nodes in the same order)
 * from every node of a document with namespaces, empty and missing
 * attributes, text, comments and a processing instruction; and what is not
 * of its forms is left to libxml2. */
static void test_fast_forms_match_libxml2(void **state) {
  (void)state;
  static const char xml[] =
      "<r xmlns:q='urn:q' a='1' q:a='2' role='about'><!-- c --><t role='lead'>one</t>"
      "<q:t role='lead'>no</q:t><t>two<u a=''/></t><u a='3' b='x'/>text<?pi x?>"
      "<section role='about'><p role='lead'/><p/><list role='tiles'><p/></list></section>"
      "<s xmlns='urn:d' role='about'><t>ns</t></s><project><p/><heading/></project>"
      "<project><p role='x'/></project></r>";
  xmlDocPtr doc = xmlReadMemory(xml, sizeof xml - 1, "c.xml", NULL, 0);
  assert_non_null(doc);
  xmlNodePtr nodes[128];
  size_t n_nodes = 0;
  all_nodes((xmlNodePtr)doc, nodes, &n_nodes, sizeof nodes / sizeof *nodes);
  assert_true(n_nodes > 30 && n_nodes < sizeof nodes / sizeof *nodes);
  static const char *const exprs[] = {
      "@a or @b",
      "not(@a)",
      "not(not(@b))",
      "@a and @a != '3'",
      "@a = ''",
      "@a != ''",
      "@role = 'about'",
      "@a = \"1\"",
      "t and @a",
      "u or t",
      "self::section[@role = 'about']",
      "self::role" /* an attribute is never self::name */,
      "not(self::a)",
      "self::p[@role = 'lead' or parent::section[@role = 'about'] or parent::list]",
      "self::p[parent::project[not(heading)]]",
      "self::list[@role = 'principles' or @role = 'tiles']",
      "t[@role = 'lead']",
      "u[@a]",
      "child::t",
      "attribute::role",
      "@*[1]" /* not of the forms: left to libxml2 */,
      "parent::r",
      "..",
      "../u/@a = '3'",
      "../@role != 'about'",
      "t/u/@a = ''",
      "p | heading | list",
      "t | u | section",
      "self::p | self::list",
      "self::t | self::s",
      "not(../t)",
      "@q:a or @a",
      "section/p[@role = 'lead'] and not(project/heading)",
      "t[1]",
      "t[2]",
      "t[position() > 1]",
      "t[position() != 1]",
      "t[position() <= 2]",
      "project[2]",
      "t[@role = 'lead'][1]",
      "t[1][@role = 'lead']",
      "section/p[2]",
      "section/p[1]/@role = 'lead'",
      "not(project[3])",
      "p[1] | self::section[not(p)]",
      "t | self::u",
      "self::section | list | p[position() > 1]",
      "p[2] | list | p[1]",
      "p[1] | p[2]" /* each branch counts every child it names */,
      "*",
      "*[2]",
      "*[not(self::t)]",
      "child::*[@role]",
      "*[1]/@role = 'lead'",
      "self::*",
      "parent::*",
      "../*",
      "section/p[2]",
      "section/*",
      "*/p[1]",
      "t/u",
      "../t/@role",
      "/r",
      "/*",
      "/r/@a",
      "/r/t",
      "/r/*/p",
      "/r/section/p/@role",
      "/r/section/p[2]",
      "/r/u/@a = '3'",
      "not(/r/section)",
      "/r[@role = 'about']",
      "/r/*[not(self::t or self::u)][*[not(self::p)]] | /r/project/p",
      "/r[(t | u | section)[*[not(self::u)]]]",
      "(t | section)[@role]",
      "(p | list)[@role = 'tiles'] | heading",
      "(t | u)[@a][not(@b)]",
      "not((p | heading)[@role])",
      "/r/project/p | /r/section/p | /r/section/list/p",
      "p | section/p | list/p | ..",
      "t | ../u",
      "t[1] | u/v",
      "t | @a",
      "@a | @role | ..",
      "../u | self::*",
      "not(self::*)",
      "not(parent::*)",
      "(self::* | ..)[@role]",
      "@role = $s",
      "$s = @role",
      "@role != $s",
      "$s = 'lead'",
      "'lead' != $s",
      "$n = 3",
      "$n != 3",
      "$n = '3'",
      "$digits = 3",
      "$digits = $n",
      "$s = 3",
      "$s != 3",
      "$e = ''",
      "@a = ../u/@a",
      "@a != ../u/@a",
      "u/@a = /r/u/@a",
      "@role = /r/section[@role = 'about'][1]/@role",
      "'x' = @a",
      "$key = @a",
      "@a = @b",
      "t[@role = $s]",
      "starts-with(@role, $s)",
      "starts-with(@role, 'le')",
      "starts-with(@a, '')",
      "starts-with(@missing, $e)",
      "starts-with($s, @role)",
      "contains(@role, 'ea')",
      "contains($s, @role)",
      "contains(@role, $e)",
      "contains(t/@role, 'lea')",
      "p[contains(@role, 'e')] | list",
      "count(t)",
      "count(*)",
      "count(section/p | section/list/p)",
      "count(/r/*[@role])",
      "count($ns)",
      "count(p[starts-with(@role, $s)])",
      "$s",
      "$n",
      "$e",
      "$ns",
      "$b",
      "$ns and @a",
      "not($e)",
      "3 = $n",
      "$n = @a" /* a number against values: compiled, evaluated by libxml2 */,
      "join(@role | @a, ', ')",
      "join(t, '')",
      "join(t | u/@a | section/p/@role | ../@a, ' / ')",
      "join(*, ', ')" /* blank values and whole elements' text */,
      "join(/r/*/@role, \"'\")",
      "join(missing, ', ')",
      "concat(@role, '-', t, $s)",
      "concat(., '|', ..)",
      "normalize-space(concat('  a ', t, ' b  ', $e))",
      "normalize-space(.)",
      "normalize-space(/r/section)",
      "concat($n, 'x', $b, $digits)",
      "concat(../@a, @a, /r/@role, section/p[2]/@role)",
      "normalize-space(concat(@honorific, ' ', t[2], ' ', @post-nominals))",
      "concat(normalize-space(concat(' x ', @a)), normalize-space(''))",
      "concat('a', \"b'\", missing)",
      "choose(t, t, 'none')",
      "choose(@a, @a, concat('x', @b))",
      "choose(missing, missing, $s)",
      "choose(@a = '1', 'one', choose(@a = '3', 'three', 'other'))",
      "choose(t, u | t, ..)",
      "choose($b, $n, $ns)",
      "choose(not(*), $ns, normalize-space(.))",
      "choose(@role = $s, section/p | /r/u, '')",
      "string-length(normalize-space(.)) >= 3",
      "string-length(@role) = 4",
      "string-length(t) != 3",
      "string-length($s) > 3",
      "string-length('') <= 0",
      "string-length(concat(@a, '\xc3\xa9')) = 2" /* characters, not bytes */,
      "not(self::p) or string-length(normalize-space(.)) >= 600",
      "*[self::t or self::u][position() <= 3][not(self::t) or string-length(normalize-space(.)) >= "
      "3]",
      "(self::t or self::u) and string-length(normalize-space(.)) < 4",
  };
  rp_arena *a = rp_arena_new();
  rp_diag d;
  rp_diag_init(&d);
  rp_xeval x;
  assert_int_equal(rp_xeval_init(&x, a, &d, doc, "c.xml"), RP_OK);
  xmlXPathRegisterNs(x.ctx, (const xmlChar *)"q", (const xmlChar *)"urn:q");
  /* variables of each type; $ns out of document order (section, then t) */
  xmlNodePtr root = xmlDocGetRootElement(doc), sec = NULL, t1 = NULL;
  for (xmlNodePtr c = root->children; c; c = c->next) {
    if (!sec && c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)"section"))
      sec = c;
    if (!t1 && c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)"t")) t1 = c;
  }
  assert_non_null(sec);
  assert_non_null(t1);
  xmlXPathObjectPtr ns = xmlXPathNewNodeSet(sec);
  assert_int_equal(xmlXPathNodeSetAdd(ns->nodesetval, t1), 0);
  assert_true(rp_xeval_push(&x, "s", xmlXPathNewString((const xmlChar *)"lead")));
  assert_true(rp_xeval_push(&x, "n", xmlXPathNewFloat(3)));
  assert_true(rp_xeval_push(&x, "digits", xmlXPathNewString((const xmlChar *)" 3 ")));
  assert_true(rp_xeval_push(&x, "e", xmlXPathNewString((const xmlChar *)"")));
  assert_true(rp_xeval_push(&x, "key", xmlXPathNewString((const xmlChar *)"3")));
  assert_true(rp_xeval_push(&x, "s", xmlXPathNewString((const xmlChar *)"lead"))); /* shadows */
  assert_true(rp_xeval_push(&x, "ns", ns));
  assert_true(rp_xeval_push(&x, "b", xmlXPathNewBoolean(1)));
  size_t fast_ones = 0;
  for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
    rp_xexpr fast = {.text = exprs[i], .where = exprs[i], .file = "l.xml", .line = 1};
    fast.comp = xmlXPathCtxtCompile(x.ctx, (const xmlChar *)exprs[i]);
    if (!fast.comp) fail_msg("libxml2 does not compile %s", exprs[i]);
    fast.fast = rp_xfast_compile(a, exprs[i]);
    fast_ones += fast.fast != NULL;
    rp_xexpr slow = fast;
    slow.fast = NULL;
    for (size_t c = 0; c < n_nodes; c++) {
      xmlXPathObjectPtr f = rp_xeval_run(&x, &fast, nodes[c], 1, 1);
      xmlXPathObjectPtr w = rp_xeval_run(&x, &slow, nodes[c], 1, 1);
      assert_non_null(f);
      assert_non_null(w);
      if (!same_value(f, w))
        fail_msg("%s from node %zu (%s): type %d/%d, libxml2 differs", exprs[i], c,
                 nodes[c]->name ? (const char *)nodes[c]->name : "?", f->type, w->type);
      /* as a test (rp_xeval_bool: xfast's truth, no value made) */
      bool yes = false;
      assert_int_equal(rp_xeval_bool(&x, &fast, nodes[c], 1, 1, &yes), RP_OK);
      if (yes != (xmlXPathCastToBoolean(w) != 0))
        fail_msg("%s from node %zu as a test: %d, libxml2 %d", exprs[i], c, yes,
                 xmlXPathCastToBoolean(w));
      xmlXPathFreeObject(f);
      xmlXPathFreeObject(w);
    }
    xmlXPathFreeCompExpr(fast.comp);
  }
  /* the variables' forms evaluated here, not handed back to libxml2 */
  static const char *const by_xfast[] = {"starts-with(@role, $s)",
                                         "$s = 'lead'",
                                         "$n != '3'",
                                         "count(t)",
                                         "count($ns)",
                                         "$ns",
                                         "@a = ../u/@a",
                                         "join(* | @a, ', ')",
                                         "normalize-space(concat(' ', $n, t, ' '))"};
  for (size_t i = 0; i < sizeof by_xfast / sizeof *by_xfast; i++) {
    xmlXPathObjectPtr r = NULL;
    if (!rp_xfast_eval(rp_xfast_compile(a, by_xfast[i]), root, &x, &r))
      fail_msg("%s left to libxml2", by_xfast[i]);
    xmlXPathFreeObject(r);
  }
  /* all but "@*[1]" and "@q:a or @a" (an attribute wildcard, a prefix) */
  assert_int_equal(fast_ones, sizeof exprs / sizeof *exprs - 2);
  static const char *const not_fast[] = {"@a = 1",
                                         "string-length(.)",
                                         "string-length(.) > $n",
                                         "string-length() > 1",
                                         "string-length(t | u) > 1",
                                         "choose(t, t)",
                                         "choose(count(t), 'a', 'b')",
                                         "choose(t, 1, 2)",
                                         "choose(t, t/../u, 'x')",
                                         "concat('a')",
                                         "normalize-space()",
                                         "normalize-space(@a) = 'x'",
                                         "concat(t | u, 'x')",
                                         "concat(1, 'x')",
                                         "t[normalize-space(.)]",
                                         "join(t, $s)",
                                         "join(t, ',') = 'x'",
                                         "join($ns, ',')",
                                         "count(t) > 1",
                                         "t[count(u)]",
                                         "starts-with(@a, 1)",
                                         "starts-with(t, 'x')",
                                         "contains(., 'x')",
                                         "$q:x",
                                         "'x' = 'x'",
                                         "count(u) = 1",
                                         "//t",
                                         "node()",
                                         "text()",
                                         "string(@a)",
                                         "(t | u)[1]",
                                         "@a = 'x' = 'y'",
                                         "q:t",
                                         "@a < '2'",
                                         "and",
                                         "not(@a) or",
                                         "child::q:t",
                                         "ancestor::r",
                                         ". = 'x'",
                                         "t[last()]",
                                         "t[position() = last()]",
                                         "t[1.5]",
                                         "t[position() > 1 and @a]",
                                         "position()",
                                         "t[-1]",
                                         "(t | u)/@a",
                                         "(t)[1]",
                                         "(t | u)[position() > 1]",
                                         "@*",
                                         "t/../u",
                                         "@a/..",
                                         "/",
                                         "//t | u"};
  for (size_t i = 0; i < sizeof not_fast / sizeof *not_fast; i++)
    if (rp_xfast_compile(a, not_fast[i])) fail_msg("%s should be libxml2's", not_fast[i]);
  assert_int_equal(d.count, 0);
  rp_xeval_fini(&x);
  rp_diag_fini(&d);
  rp_arena_free(a);
  xmlFreeDoc(doc);
}

/* Text patterns whose parts are attribute steps ("{@a}") read the values
 * from the tree (xpath.c attr_string) as libxml2's string() of the step
 * gives them, from every kind of context node: a prefixed attribute is not
 * @a, a missing one is "", one made of entity references is left to
 * libxml2; so do child and self steps ("{u}", "{.}": the first node's
 * text, step_string), a missing child giving ""; literals around them, and
 * more parts than are evaluated at once (AVT_FEW), keep their order. */
static void test_attribute_patterns_match_libxml2(void **state) {
  (void)state;
  static const char xml[] =
      "<!DOCTYPE r [<!ENTITY e 'ent'>]><r xmlns:q='urn:q' a='1' q:a='2' b=''><t a='x&e;y'/>"
      "<u q:a='3' a='&lt;4&gt;' b='b'>text</u><!-- c --><u>two<t>, nested</t></u>text</r>";
  xmlDocPtr doc = xmlReadMemory(xml, sizeof xml - 1, "c.xml", NULL, 0);
  assert_non_null(doc);
  xmlNodePtr nodes[64];
  size_t n_nodes = 0;
  all_nodes((xmlNodePtr)doc, nodes, &n_nodes, sizeof nodes / sizeof *nodes);
  assert_true(n_nodes > 10);
  rp_arena *a = rp_arena_new();
  rp_diag d;
  rp_diag_init(&d);
  rp_xeval x;
  assert_int_equal(rp_xeval_init(&x, a, &d, doc, "c.xml"), RP_OK);
  static const char *const steps[] = {"@a",      "@b",      "@missing", "t", "u",
                                      "missing", "self::u", "self::t",  "."};
  enum { N_STEPS = sizeof steps / sizeof *steps };
  rp_xexpr fast[N_STEPS], slow[N_STEPS];
  for (size_t i = 0; i < N_STEPS; i++) {
    fast[i] = (rp_xexpr){.text = steps[i], .where = steps[i], .file = "l.xml", .line = 1};
    fast[i].comp = xmlXPathCompile((const xmlChar *)steps[i]);
    assert_non_null(fast[i].comp);
    fast[i].step = rp_xexpr_step(steps[i], &fast[i].step_name);
    assert_int_not_equal(fast[i].step, RP_XSTEP_NONE);
    slow[i] = fast[i];
    slow[i].step = RP_XSTEP_NONE;
  }
  /* patterns of 1, 3 and 11 parts: expressions and literals, with each
   * step in turn (+ s) */
  static const int shapes[][11] = {{0, -1}, {-2, 1, 0, -1}, {0, -2, 1, -2, 2, -2, 0, -2, 1, 2, 0}};
  static const size_t lens[] = {1, 3, 11};
  for (size_t k = 0; k < 3 * N_STEPS; k++) {
    rp_avt_part pf[11], ps[11];
    for (size_t i = 0; i < lens[k % 3]; i++) {
      int w = shapes[k % 3][i] < 0 ? -1 : (shapes[k % 3][i] + (int)(k / 3)) % N_STEPS;
      pf[i] = w >= 0 ? (rp_avt_part){NULL, &fast[w]} : (rp_avt_part){"·lit·", NULL};
      ps[i] = w >= 0 ? (rp_avt_part){NULL, &slow[w]} : pf[i];
    }
    rp_avt tf = {pf, lens[k % 3], NULL}, ts = {ps, lens[k % 3], NULL};
    for (size_t c = 0; c < n_nodes; c++) {
      char *vf = NULL, *vs = NULL;
      assert_int_equal(rp_avt_eval(&x, &tf, nodes[c], 1, 1, &vf), RP_OK);
      assert_int_equal(rp_avt_eval(&x, &ts, nodes[c], 1, 1, &vs), RP_OK);
      if (strcmp(vf, vs) != 0)
        fail_msg("pattern %zu from node %zu: \"%s\", libxml2 \"%s\"", k, c, vf, vs);
    }
  }
  /* the entity's attribute through libxml2, whole */
  char *v = NULL;
  rp_avt one = {(rp_avt_part[]){{NULL, &fast[0]}}, 1, NULL};
  assert_int_equal(rp_avt_eval(&x, &one, xmlDocGetRootElement(doc)->children, 1, 1, &v), RP_OK);
  assert_string_equal(v, "xenty");
  for (size_t i = 0; i < N_STEPS; i++) xmlXPathFreeCompExpr(fast[i].comp);
  assert_int_equal(d.count, 0);
  rp_xeval_fini(&x);
  rp_diag_fini(&d);
  rp_arena_free(a);
  xmlFreeDoc(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_attribute_patterns_match_libxml2),
      cmocka_unit_test(test_simple_steps_match_libxml2),
      cmocka_unit_test(test_fast_forms_match_libxml2),
      cmocka_unit_test(test_units_lengths),
      cmocka_unit_test(test_charts),
      cmocka_unit_test(test_chart_errors),
      cmocka_unit_test(test_units_colors),
      cmocka_unit_test(test_units_pages),
      cmocka_unit_test(test_date_and_number_helpers),
      cmocka_unit_test(test_xpath_compiled_once),
      cmocka_unit_test(test_map_outlines_listed),
      cmocka_unit_test(test_def_attr_as_libxml2),
      cmocka_unit_test(test_xexpr_where),
      cmocka_unit_test(test_xpath_ahead),
      cmocka_unit_test(test_style_inheritance),
      cmocka_unit_test(test_char_styles_over_heading),
      cmocka_unit_test(test_style_cycle),
      cmocka_unit_test(test_faces_ahead),
      cmocka_unit_test(test_many_names),
      cmocka_unit_test(test_masters),
      cmocka_unit_test(test_substitution),
      cmocka_unit_test(test_group_by),
      cmocka_unit_test(test_rich),
      cmocka_unit_test(test_rich_rest),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_bad_xpath),
      cmocka_unit_test(test_runtime_errors),
      cmocka_unit_test(test_include_error_names_fragment),
      cmocka_unit_test(test_extends),
      cmocka_unit_test(test_schema_and_fonts),
      cmocka_unit_test(test_layout_find),
      cmocka_unit_test(test_grid_of_cards),
      cmocka_unit_test(test_stat_tiles),
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_images_and_fitting),
      cmocka_unit_test(test_asset_paths),
      cmocka_unit_test(test_part2_load_errors),
      cmocka_unit_test(test_huge_numbers),
      cmocka_unit_test(test_part2_runtime_errors),
      cmocka_unit_test(test_apply),
      cmocka_unit_test(test_apply_errors),
      cmocka_unit_test(test_labels),
      cmocka_unit_test(test_labels_errors),
      cmocka_unit_test(test_columns),
      cmocka_unit_test(test_functions_v2),
      cmocka_unit_test(test_annual_review),
      cmocka_unit_test(test_annual_review_a5),
      cmocka_unit_test(test_fault_injection),
      cmocka_unit_test(test_fault_injection_part2),
      cmocka_unit_test(test_fault_injection_additions),
      cmocka_unit_test(test_kinds_table),
      cmocka_unit_test(test_layout_schema_fast_names),
      cmocka_unit_test(test_layout_schema_fast_same_verdict),
      cmocka_unit_test(test_lazy_same_sections),
      cmocka_unit_test(test_lazy_same_errors),
      cmocka_unit_test(test_lazy_memory_follows_sections),
      cmocka_unit_test(test_xpath_compile_faults),
      cmocka_unit_test(test_xpath_compile_shielded),
      cmocka_unit_test(test_fault_injection_once),
      cmocka_unit_test(test_fault_injection_once_libxml2),
      cmocka_unit_test(test_pieces_same_blocks),
      cmocka_unit_test(test_pieces_same_errors),
      cmocka_unit_test(test_pieces_flat_in_length),
      cmocka_unit_test(test_pieces_same_pages),
      cmocka_unit_test(test_pieces_memory_flat),
      cmocka_unit_test(test_reftrace_checks_values),
  };
  return cmocka_run_group_tests(tests, setup_project, NULL);
}
