/*
 * make-logo.c: draws images/ccin-logo.png, the logo of the sample organisation (CCIN).
 *
 * Not part of reviewpdf or its build: a one-off tool kept so the sample logo can be redrawn.
 *   gcc -std=c17 -Wall -O2 -o /tmp/make-logo images/make-logo.c $(pkg-config --cflags --libs cairo)
 *   /tmp/make-logo images/ccin-logo.png
 *
 * The image is 1200x400 px, RGBA, transparent background. The mark is two interlocking rounded
 * rings (purple #5b2a86 and teal #00857c), each passing over the other once, like chain links;
 * the wordmark is "CCIN" over "Co-operative Councils / Innovation Network" in Open Sans Bold,
 * chosen through cairo's toy font API ("Open Sans" must be installed, as it is with Debian's
 * fonts-open-sans; the same face as fonts/OpenSans-Bold.ttf). The drawing is deterministic.
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define WIDTH_PX 1200
#define HEIGHT_PX 400
#define PI 3.14159265358979323846 /* M_PI is POSIX, not C17 */

typedef struct { double r, g, b; } rgb;

static const rgb PURPLE = { 0x5b / 255.0, 0x2a / 255.0, 0x86 / 255.0 };
static const rgb TEAL = { 0x00 / 255.0, 0x85 / 255.0, 0x7c / 255.0 };
static const rgb INK = { 0x33 / 255.0, 0x33 / 255.0, 0x3d / 255.0 };

/* Ring geometry (px): two rounded squares, side RING_SIDE, stroke RING_STROKE, offset along x. */
#define RING_SIDE 196.0
#define RING_RADIUS 62.0
#define RING_STROKE 40.0
#define RING_GAP 10.0   /* transparent margin either side of the ring passing over */
#define RING_OFFSET 112.0
#define MARK_CX 246.0
/* Horizontal reach of one tilted ring from its centre, stroke included. */
#define RING_REACH ((RING_SIDE / 2 - RING_RADIUS) * 1.41421356237 + RING_RADIUS + RING_STROKE / 2)
#define MARK_CY 200.0

static void set_rgb(cairo_t *cr, rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* Path of a rounded square centred on (cx, cy), rotated by angle (radians). */
static void rounded_square(cairo_t *cr, double cx, double cy, double side, double radius,
                           double angle)
{
    double h = side / 2.0;
    cairo_save(cr);
    cairo_translate(cr, cx, cy);
    cairo_rotate(cr, angle);
    cairo_new_sub_path(cr);
    cairo_arc(cr, h - radius, -h + radius, radius, -PI / 2, 0);
    cairo_arc(cr, h - radius, h - radius, radius, 0, PI / 2);
    cairo_arc(cr, -h + radius, h - radius, radius, PI / 2, PI);
    cairo_arc(cr, -h + radius, -h + radius, radius, PI, 3 * PI / 2);
    cairo_close_path(cr);
    cairo_restore(cr);
}

/* One ring of the mark: stroked outline of a rounded square tilted by 45 degrees. */
static void ring_path(cairo_t *cr, double cx)
{
    cairo_new_path(cr);
    rounded_square(cr, cx, MARK_CY, RING_SIDE, RING_RADIUS, PI / 4);
}

/*
 * Draws ring `over` across ring `under` inside the clip region: first clears a band a little
 * wider than the ring (so the crossing reads as over/under on any background), then strokes it.
 */
static void ring_over(cairo_t *cr, double cx, rgb colour)
{
    ring_path(cr, cx);
    cairo_set_line_width(cr, RING_STROKE + 2 * RING_GAP);
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_stroke_preserve(cr);
    cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
    cairo_set_line_width(cr, RING_STROKE);
    set_rgb(cr, colour);
    cairo_stroke(cr);
}

static void draw_mark(cairo_t *cr)
{
    double left = MARK_CX - RING_OFFSET / 2, right = MARK_CX + RING_OFFSET / 2;

    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_width(cr, RING_STROKE);

    ring_path(cr, left);
    set_rgb(cr, PURPLE);
    cairo_stroke(cr);

    /* Teal passes over purple at the top crossing ... */
    ring_over(cr, right, TEAL);

    /* ... and purple passes over teal at the bottom one: redraw purple below the centre line. */
    cairo_save(cr);
    cairo_rectangle(cr, 0, MARK_CY, MARK_CX * 2, HEIGHT_PX - MARK_CY);
    cairo_clip(cr);
    ring_over(cr, left, PURPLE);
    cairo_restore(cr);
}

/* Sets the font and returns the size (px) at which `text` is exactly `width` px wide. */
static double fit_size(cairo_t *cr, const char *text, double width)
{
    cairo_text_extents_t ext;
    cairo_set_font_size(cr, 100.0);
    cairo_text_extents(cr, text, &ext);
    return 100.0 * width / ext.x_advance;
}

static void draw_text(cairo_t *cr, const char *text, double x, double baseline, double size,
                      rgb colour)
{
    cairo_text_extents_t ext;
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, text, &ext);
    cairo_move_to(cr, x - ext.x_bearing, baseline);
    cairo_text_path(cr, text);
    set_rgb(cr, colour);
    cairo_fill(cr);
}

/* Lays out the wordmark from x (px): "CCIN", a teal rule, then the name on two lines whose
 * longer line sets the width of the rule. Returns the right edge of the wordmark. */
static double draw_wordmark(cairo_t *cr, double x, int draw)
{
    const char *line1 = "Co-operative Councils", *line2 = "Innovation Network";
    const double name_size = 54.0;
    cairo_text_extents_t e1, e2;
    double width, big;

    cairo_select_font_face(cr, "Open Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, name_size);
    cairo_text_extents(cr, line1, &e1);
    cairo_text_extents(cr, line2, &e2);
    width = e1.width > e2.width ? e1.width : e2.width;
    if (!draw)
        return x + width;

    big = fit_size(cr, "CCIN", width * 0.70);
    draw_text(cr, "CCIN", x, 190.0, big, PURPLE);

    cairo_rectangle(cr, x, 216.0, width, 6.0);
    set_rgb(cr, TEAL);
    cairo_fill(cr);

    draw_text(cr, line1, x, 282.0, name_size, INK);
    draw_text(cr, line2, x, 342.0, name_size, INK);
    return x + width;
}

int main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : "images/ccin-logo.png";
    cairo_surface_t *surface;
    cairo_t *cr;
    cairo_status_t status;

    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--help") == 0)) {
        fprintf(stderr, "usage: make-logo [OUT.png]\n");
        return 2;
    }

    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, WIDTH_PX, HEIGHT_PX);
    cr = cairo_create(surface);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_BEST);

    /* Centre the lockup (mark, 36 px gap, wordmark) horizontally. */
    {
        double mark_left = MARK_CX - RING_OFFSET / 2 - RING_REACH;
        double mark_right = MARK_CX + RING_OFFSET / 2 + RING_REACH;
        double text_x = mark_right + 36.0;
        double right = draw_wordmark(cr, text_x, 0);
        cairo_translate(cr, (WIDTH_PX - (right - mark_left)) / 2.0 - mark_left, 0);
        draw_mark(cr);
        draw_wordmark(cr, text_x, 1);
    }

    status = cairo_status(cr);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_write_to_png(surface, out);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);

    if (status != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "make-logo: %s: %s\n", out, cairo_status_to_string(status));
        return 1;
    }
    return 0;
}
