/* test_svg — svg/: SVG drawings turned into path shapes (coordinates,
 * colours, transforms, arcs) and the refusals, each at its line. */
#include <math.h>
#include <string.h>

#include "svg/svg.h"
#include "testutil.h"

typedef struct ctx {
  rp_arena *a;
  rp_diag d;
} ctx;

static int setup(void **state) {
  ctx *c = test_calloc(1, sizeof *c);
  c->a = rp_arena_new();
  rp_diag_init(&c->d);
  *state = c;
  return 0;
}

static int teardown(void **state) {
  ctx *c = *state;
  rp_diag_fini(&c->d);
  rp_arena_free(c->a);
  test_free(c);
  return 0;
}

static rp_svg *load_ok(ctx *c, const char *name, const char *text) {
  rp_svg *svg = NULL;
  rp_status st = rp_svg_load(c->a, rp_test_write(name, text), &c->d, &svg, NULL, NULL);
  if (st != RP_OK) rp_test_diag_dump(&c->d);
  assert_int_equal(st, RP_OK);
  assert_non_null(svg);
  return svg;
}

/* Loads text expecting a refusal whose message holds `needle` at `line`. */
static void load_refused(ctx *c, const char *name, const char *text, const char *needle, int line) {
  rp_svg *svg = NULL;
  rp_status st = rp_svg_load(c->a, rp_test_write(name, text), &c->d, &svg, NULL, NULL);
  assert_int_equal(st, RP_ERR_INPUT);
  assert_null(svg);
  if (!rp_test_diag_has(&c->d, needle)) rp_test_diag_dump(&c->d);
  assert_true(rp_test_diag_has(&c->d, needle));
  bool at = false;
  for (size_t i = 0; i < c->d.count; i++)
    if (c->d.entries[i].line == line && c->d.entries[i].file && strstr(c->d.entries[i].file, name))
      at = true;
  assert_true(at);
  rp_diag_fini(&c->d);
  rp_diag_init(&c->d);
}

#define EPS 1e-6
#define HEAD "<svg xmlns=\"http://www.w3.org/2000/svg\" "

static void test_square(void **state) {
  ctx *c = *state;
  rp_svg *svg = load_ok(c, "sq.svg",
                        HEAD
                        "width=\"100\" height=\"50\" viewBox=\"0 0 200 100\">\n"
                        "<rect x=\"10\" y=\"20\" width=\"30\" height=\"40\" "
                        "fill=\"#ff0000\"/></svg>");
  assert_float_equal(svg->width, 100, EPS);
  assert_float_equal(svg->height, 50, EPS);
  assert_int_equal(svg->n_shapes, 1);
  const rp_svg_shape *s = &svg->shapes[0];
  assert_int_equal(s->n_ops, 5);
  /* the viewBox halves everything */
  double want[4][2] = {{5, 10}, {20, 10}, {20, 30}, {5, 30}};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(s->ops[i].op, i == 0 ? RP_PATH_MOVE : RP_PATH_LINE);
    assert_float_equal(s->ops[i].x[0], want[i][0], EPS);
    assert_float_equal(s->ops[i].y[0], want[i][1], EPS);
  }
  assert_int_equal(s->ops[4].op, RP_PATH_CLOSE);
  assert_float_equal(s->fill.r, 1, EPS);
  assert_float_equal(s->fill.g, 0, EPS);
  assert_float_equal(s->fill.a, 1, EPS);
  assert_float_equal(s->stroke.a, 0, EPS);
  assert_int_equal(s->line, 2);

  /* placed into a box: scaled and moved, line widths too */
  rp_item *items = NULL;
  assert_true(rp_svg_items(c->a, svg, 100, 200, 50, 25, NULL, &items));
  assert_int_equal(items[0].kind, RP_ITEM_PATH);
  assert_float_equal(items[0].u.path.ops[0].x[0], 100 + 5 * 0.5, EPS);
  assert_float_equal(items[0].u.path.ops[2].y[0], 200 + 30 * 0.5, EPS);
}

static void test_circle_and_colours(void **state) {
  ctx *c = *state;
  rp_svg *svg = load_ok(c, "circle.svg",
                        HEAD
                        "viewBox=\"0 0 100 100\">"
                        "<circle cx=\"50\" cy=\"40\" r=\"20\" fill=\"teal\" stroke=\"rgb(255, "
                        "0, 0)\" stroke-width=\"4\" fill-opacity=\"0.5\"/></svg>");
  assert_int_equal(svg->n_shapes, 1);
  const rp_svg_shape *s = &svg->shapes[0];
  assert_int_equal(s->n_ops, 6); /* move, four quarter curves, close */
  assert_float_equal(s->ops[0].x[0], 70, EPS);
  assert_float_equal(s->ops[0].y[0], 40, EPS);
  for (int i = 1; i <= 4; i++) {
    assert_int_equal(s->ops[i].op, RP_PATH_CURVE);
    double dx = s->ops[i].x[2] - 50, dy = s->ops[i].y[2] - 40;
    assert_float_equal(sqrt(dx * dx + dy * dy), 20, EPS); /* each ends on the circle */
  }
  assert_float_equal(s->fill.r, 0, EPS);
  assert_float_equal(s->fill.g, 128 / 255.0, 1e-6);
  assert_float_equal(s->fill.b, 128 / 255.0, 1e-6);
  assert_float_equal(s->fill.a, 0.5, 1e-6);
  assert_float_equal(s->stroke.r, 1, EPS);
  assert_float_equal(s->stroke.a, 1, EPS);
  assert_float_equal(s->stroke_width, 4, EPS);
}

static void test_transformed_group(void **state) {
  ctx *c = *state;
  rp_svg *svg = load_ok(c, "group.svg",
                        HEAD
                        "width=\"200\" height=\"200\">\n"
                        "<g transform=\"translate(100 50) rotate(90)\" opacity=\"0.5\" "
                        "style=\"fill: #0000ff; stroke: none\">\n"
                        "<path d=\"M0 0 L10 0 l0 20 z\" opacity=\"0.5\"/>\n"
                        "<g transform=\"scale(2)\"><line x1=\"1\" y1=\"0\" x2=\"2\" y2=\"0\" "
                        "stroke=\"black\" stroke-width=\"3\"/></g>\n"
                        "</g></svg>");
  assert_int_equal(svg->n_shapes, 2);
  const rp_svg_shape *s = &svg->shapes[0];
  /* rotate(90): (x, y) → (−y, x), then + (100, 50) */
  assert_float_equal(s->ops[0].x[0], 100, 1e-9);
  assert_float_equal(s->ops[0].y[0], 50, 1e-9);
  assert_float_equal(s->ops[1].x[0], 100, 1e-9);
  assert_float_equal(s->ops[1].y[0], 60, 1e-9);
  assert_float_equal(s->ops[2].x[0], 80, 1e-9);
  assert_float_equal(s->ops[2].y[0], 60, 1e-9);
  assert_float_equal(s->fill.b, 1, EPS);
  assert_float_equal(s->fill.a, 0.25, 1e-6); /* the group's opacity times its own */
  const rp_svg_shape *l = &svg->shapes[1];
  assert_float_equal(l->fill.a, 0, EPS); /* a line has no fill */
  assert_float_equal(l->stroke_width, 6, 1e-9);
  assert_float_equal(l->ops[0].x[0], 100, 1e-9);
  assert_float_equal(l->ops[0].y[0], 52, 1e-9);
  assert_float_equal(l->ops[1].y[0], 54, 1e-9);
}

static void test_arcs_and_curves(void **state) {
  ctx *c = *state;
  rp_svg *svg = load_ok(c, "arc.svg",
                        HEAD
                        "viewBox=\"0 0 100 100\">"
                        "<path d=\"M10 50A40 40 0 0 1 90 50\" fill=\"none\" stroke=\"#000\" "
                        "stroke-linecap=\"round\" style=\"stroke-linejoin: bevel\"/>"
                        "<path d=\"M0,0Q10,20 20,0T40,0S50-10,60,0C70 10,80 10,90 0z\"/>"
                        "<path d=\"m10 10h5v5H10V10z\" fill-rule=\"evenodd\"/>"
                        "</svg>");
  assert_int_equal(svg->n_shapes, 3);
  const rp_svg_shape *a = &svg->shapes[0];
  assert_int_equal(a->cap, 1); /* round, for render to set */
  assert_int_equal(a->join, 2);
  assert_float_equal(a->miter, 4, 1e-9);
  /* half a circle: two quarter curves, through the top (50, 10) */
  assert_int_equal(a->n_ops, 3);
  assert_float_equal(a->ops[1].x[2], 50, 1e-9);
  assert_float_equal(a->ops[1].y[2], 10, 1e-9);
  assert_float_equal(a->ops[2].x[2], 90, 1e-9);
  assert_float_equal(a->ops[2].y[2], 50, 1e-9);
  double k = 40 * 0.5522847498307936; /* the quarter curve's control arm */
  assert_float_equal(a->ops[1].x[0], 10, 1e-6);
  assert_float_equal(a->ops[1].y[0], 50 - k, 1e-6);
  const rp_svg_shape *q = &svg->shapes[1];
  assert_int_equal(q->ops[1].op, RP_PATH_CURVE);
  /* Q (10,20) from (0,0): cubic controls at 2/3 of the way to it */
  assert_float_equal(q->ops[1].x[0], 20.0 / 3, 1e-9);
  assert_float_equal(q->ops[1].y[0], 40.0 / 3, 1e-9);
  /* T reflects (10,20) about (20,0) to (30,-20) */
  assert_float_equal(q->ops[2].y[0], -40.0 / 3, 1e-9);
  /* S reflects C's… here the T: S's first control is the current point */
  assert_float_equal(q->ops[3].x[0], 40, 1e-9);
  assert_float_equal(q->ops[4].x[2], 90, 1e-9);
  assert_int_equal(q->ops[5].op, RP_PATH_CLOSE);
  const rp_svg_shape *r = &svg->shapes[2];
  assert_true(r->even_odd);
  assert_float_equal(r->ops[2].x[0], 15, 1e-9);
  assert_float_equal(r->ops[2].y[0], 15, 1e-9);
  assert_float_equal(r->ops[3].x[0], 10, 1e-9);
}

static void test_style_sheets(void **state) {
  ctx *c = *state;
  rp_svg *svg =
      load_ok(c, "css.svg",
              HEAD
              "viewBox=\"0 0 10 10\"><defs><style>/* Illustrator */ .cls-1{fill:#e30613;}\n"
              ".cls-2, .cls-3 { fill: #0000ff } rect.cls-3{fill:#00ff00} #x{fill:#ffffff}\n"
              "</style></defs>"
              "<rect class=\"cls-1\" width=\"1\" height=\"1\"/>"
              "<rect class=\"cls-2\" fill=\"black\" width=\"1\" height=\"1\"/>"
              "<rect class=\"a cls-3\" width=\"1\" height=\"1\"/>"
              "<rect id=\"x\" class=\"cls-1\" width=\"1\" height=\"1\"/>"
              "<rect id=\"x\" class=\"cls-1\" style=\"fill:#000\" width=\"1\" height=\"1\"/>"
              "</svg>");
  assert_int_equal(svg->n_shapes, 5);
  unsigned want[5] = {0xe30613, 0x0000ff, 0x00ff00, 0xffffff, 0x000000};
  for (int i = 0; i < 5; i++) {
    const rp_color *f = &svg->shapes[i].fill;
    unsigned got = (unsigned)lround(f->r * 255) << 16 | (unsigned)lround(f->g * 255) << 8 |
                   (unsigned)lround(f->b * 255);
    assert_int_equal(got, want[i]);
  }
  load_refused(c, "css-bad.svg",
               HEAD "viewBox=\"0 0 10 10\">\n<style>g rect { fill: red }</style></svg>", "selector",
               2);
}

static void test_use(void **state) {
  ctx *c = *state;
  rp_svg *svg = load_ok(c, "use.svg",
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        "xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 100 100\">"
                        "<defs><rect id=\"r\" width=\"2\" height=\"2\"/>"
                        "<symbol id=\"s\"><circle r=\"1\" fill=\"red\"/></symbol></defs>"
                        "<use href=\"#r\" x=\"10\" y=\"20\" fill=\"blue\"/>"
                        "<use xlink:href=\"#s\" transform=\"translate(50 50)\"/></svg>");
  assert_int_equal(svg->n_shapes, 2); /* the defs themselves draw nothing */
  assert_float_equal(svg->shapes[0].ops[0].x[0], 10, 1e-9);
  assert_float_equal(svg->shapes[0].ops[0].y[0], 20, 1e-9);
  assert_float_equal(svg->shapes[0].fill.b, 1, 1e-9); /* inherits from the <use> */
  assert_float_equal(svg->shapes[1].ops[0].x[0], 51, 1e-9);
  assert_float_equal(svg->shapes[1].fill.r, 1, 1e-9);
  load_refused(c, "use-loop.svg",
               HEAD "viewBox=\"0 0 10 10\">\n<g id=\"g\"><use href=\"#g\"/></g></svg>",
               "contains it", 2);
  /* clones of clones: 10^8 rectangles in a few lines, stopped by the element limit */
  char *bomb = test_malloc(8000);
  strcpy(bomb, HEAD "viewBox=\"0 0 10 10\"><defs><rect id=\"l0\" width=\"1\" height=\"1\"/>");
  for (int i = 1; i <= 8; i++) {
    char g[600];
    int k = snprintf(g, sizeof g, "<g id=\"l%d\">", i);
    for (int j = 0; j < 10; j++)
      k += snprintf(g + k, sizeof g - (size_t)k, "<use href=\"#l%d\"/>", i - 1);
    snprintf(g + k, sizeof g - (size_t)k, "</g>");
    strcat(bomb, g);
  }
  strcat(bomb, "</defs>\n<use href=\"#l8\"/></svg>");
  svg = NULL;
  assert_int_equal(rp_svg_load(c->a, rp_test_write("bomb.svg", bomb), &c->d, &svg, NULL, NULL),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&c->d, "more than"));
  test_free(bomb);
}

static void test_refusals(void **state) {
  ctx *c = *state;
  load_refused(c, "text.svg", HEAD "viewBox=\"0 0 10 10\">\n<text x=\"1\">Hi</text></svg>",
               "convert text to outlines", 2);
  load_refused(c, "grad.svg",
               HEAD
               "viewBox=\"0 0 10 10\">\n<defs><linearGradient id=\"g\"/></defs>\n"
               "<rect width=\"5\" height=\"5\" fill=\"url(#g)\"/></svg>",
               "<linearGradient>", 3);
  load_refused(c, "bad.svg", HEAD "viewBox=\"0 0 10 10\">\n<rect width=\"5\"></svg>", "", 2);
  load_refused(c, "filter.svg",
               HEAD
               "viewBox=\"0 0 10 10\">\n<g filter=\"url(#f)\"><rect width=\"5\" "
               "height=\"5\"/></g></svg>",
               "filter", 2);
  load_refused(c, "image.svg",
               HEAD
               "viewBox=\"0 0 10 10\">\n\n<image href=\"x.png\" width=\"5\" "
               "height=\"5\"/></svg>",
               "raster", 3);
  load_refused(c, "path.svg", HEAD "viewBox=\"0 0 10 10\">\n<path d=\"M0 0 L 5 x\"/></svg>",
               "cannot be read at character", 2);
  load_refused(c, "nosize.svg", HEAD ">\n<rect width=\"5\" height=\"5\"/></svg>", "no size", 1);
  load_refused(c, "huge.svg", HEAD "width=\"1e30\" height=\"10\"/>", "outside", 1);
  load_refused(c, "skew.svg",
               HEAD
               "viewBox=\"0 0 10 10\">\n<path d=\"M0 0 L5 5\" stroke=\"red\" "
               "transform=\"skewX(30)\"/></svg>",
               "Stroke to Path", 2);
  load_refused(c, "entity.svg",
               "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaa\">"
               "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n" HEAD
               "viewBox=\"0 0 10 10\"><desc>&b;</desc></svg>",
               "", 2);
  /* nothing at all */
  rp_svg *svg = NULL;
  assert_int_equal(rp_svg_load(c->a, "/nonexistent/x.svg", &c->d, &svg, NULL, NULL), RP_ERR_INPUT);
}

static void test_hostile_bounds(void **state) {
  ctx *c = *state;
  /* nesting deeper than the limit is refused, not recursed into */
  char *deep = test_malloc(200000);
  strcpy(deep, HEAD "viewBox=\"0 0 10 10\">\n");
  for (int i = 0; i < 200; i++) strcat(deep, "<g>");
  strcat(deep, "<rect width=\"1\" height=\"1\"/>");
  for (int i = 0; i < 200; i++) strcat(deep, "</g>");
  strcat(deep, "</svg>");
  rp_svg *svg = NULL;
  assert_int_equal(rp_svg_load(c->a, rp_test_write("deep.svg", deep), &c->d, &svg, NULL, NULL),
                   RP_ERR_INPUT);
  assert_true(rp_test_diag_has(&c->d, "nested more than"));
  test_free(deep);
  /* a shape reaching absurdly far is refused; one wholly outside is left out */
  rp_diag_fini(&c->d);
  rp_diag_init(&c->d);
  svg = load_ok(c, "outside.svg",
                HEAD
                "viewBox=\"0 0 10 10\"><rect x=\"50\" y=\"50\" width=\"5\" "
                "height=\"5\"/><rect width=\"1\" height=\"1\"/></svg>");
  assert_int_equal(svg->n_shapes, 1);
  load_refused(c, "far.svg", HEAD "viewBox=\"0 0 10 10\">\n<path d=\"M1 1 L1e12 5 L1 5z\"/></svg>",
               "beyond its edges", 2);
  /* a point that is NaN (inf - inf under a transform) is refused, though
   * fmin and fmax skip it when bounding the shape (fuzz_svg) */
  load_refused(c, "nan.svg",
               HEAD
               "viewBox=\"0 0 10 10\">\n\n<path transform=\"matrix(1e200 0 1e200 0 0 0)\" "
               "d=\"M0 0 L1e200 -1e200 L1e-199 0Z\"/></svg>",
               "coordinates too large to draw", 3);
  /* an arc whose geometry overflows: refused, not cast from NaN to int */
  load_refused(c, "arc-inf.svg",
               HEAD
               "viewBox=\"0 0 10 10\">\n<path d=\"M0 0 m1e308 0 1e308 0 A1 1 0 0 1 5 5\"/>"
               "</svg>",
               "coordinates too large to draw", 2);
  /* radii whose squares underflow are scaled up like any radii too small:
   * the same half circle as radii of 0.001 */
  svg = load_ok(c, "arc-tiny.svg",
                HEAD
                "viewBox=\"0 0 10 10\"><path d=\"M0 0A1e-200 1e-200 0 0 1 6 8\"/>"
                "<path d=\"M0 0A0.001 0.001 0 0 1 6 8\"/></svg>");
  assert_int_equal(svg->n_shapes, 2);
  assert_int_equal(svg->shapes[0].n_ops, 3);
  assert_int_equal(svg->shapes[1].n_ops, 3);
  for (size_t i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      assert_float_equal(svg->shapes[0].ops[i].x[j], svg->shapes[1].ops[i].x[j], 1e-9);
      assert_float_equal(svg->shapes[0].ops[i].y[j], svg->shapes[1].ops[i].y[j], 1e-9);
    }
}

static void test_many_rules(void **state) {
  ctx *c = *state;
  /* every matching rule applies, the last of equal specificity winning (64
   * were kept and the rest dropped silently) */
  char *css = test_malloc(8000);
  strcpy(css, HEAD "viewBox=\"0 0 10 10\"><style>");
  for (int i = 0; i < 69; i++) strcat(css, ".a{fill:#000001}");
  strcat(css, ".a{fill:#ff0000}</style><rect class=\"a\" width=\"1\" height=\"1\"/></svg>");
  rp_svg *svg = load_ok(c, "rules.svg", css);
  assert_int_equal(svg->n_shapes, 1);
  assert_float_equal(svg->shapes[0].fill.r, 1, 1e-6);
  test_free(css);
  /* rules × elements is counted: 30,000 rules over 5,000 elements is refused
   * at the element where the count passes the limit, not matched for long */
  char *big = test_malloc(400000);
  char *p = big + sprintf(big, HEAD "viewBox=\"0 0 10 10\"><style>");
  for (int i = 0; i < 30000; i++) p += sprintf(p, ".a%d{}", i % 10);
  p += sprintf(p, "</style>\n");
  for (int i = 0; i < 5000; i++) p += sprintf(p, "<rect width=\"1\" height=\"1\"/>\n");
  strcpy(p, "</svg>");
  load_refused(c, "costly.svg", big, "RP_SVG_MAX_CSS_WORK",
               3334); /* the root and 3,332 rects fit: the 3,333rd, on line 3,334, passes */
  test_free(big);
}

static void test_sample_logo(void **state) {
  ctx *c = *state;
  rp_svg *svg = NULL;
  double w = 0, h = 0;
  assert_int_equal(rp_svg_load(c->a, rp_test_src("images/ccin-logo.svg"), &c->d, &svg, &w, &h),
                   RP_OK);
  assert_float_equal(w, 1200, EPS); /* the PNG's size, so layout places both alike */
  assert_float_equal(h, 400, EPS);
  assert_true(svg->n_shapes >= 9);
  for (size_t i = 0; i < svg->n_shapes; i++) assert_true(svg->shapes[i].n_ops > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_square, setup, teardown),
      cmocka_unit_test_setup_teardown(test_circle_and_colours, setup, teardown),
      cmocka_unit_test_setup_teardown(test_transformed_group, setup, teardown),
      cmocka_unit_test_setup_teardown(test_arcs_and_curves, setup, teardown),
      cmocka_unit_test_setup_teardown(test_style_sheets, setup, teardown),
      cmocka_unit_test_setup_teardown(test_use, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hostile_bounds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sample_logo, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
