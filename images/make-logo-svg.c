/*
 * make-logo-svg.c: draws images/ccin-logo.svg, the sample organisation's logo as vectors, the
 * same drawing as images/ccin-logo.png (make-logo.c) with its text as outlines.
 *
 * Not part of reviewpdf or its build: a tool kept so the SVG logo can be redrawn.
 *   gcc -std=c17 -Wall -O2 -o /tmp/make-logo-svg images/make-logo-svg.c \
 *       $(pkg-config --cflags --libs cairo freetype2) -lm
 *   /tmp/make-logo-svg fonts/OpenSans-Bold.ttf > images/ccin-logo.svg
 *
 * Geometry and colours are make-logo.c's. Cairo builds each shape and cairo_copy_path reads it
 * back as SVG path data:
 *  - each ring (a rounded square stroked 40 px wide, tilted 45 degrees) becomes the even-odd
 *    fill between its outer and inner edge, which are rounded squares themselves;
 *  - the over/under crossings: make-logo.c clears a band 10 px wider than the ring on either
 *    side before drawing the ring that passes over. SVG has no "clear"; here the band is painted
 *    white, so the logo is meant for a white ground, as the stock layouts place it (the cover's
 *    white, the deck's white panel). The purple ring's lower half, which passes over the teal,
 *    is cut at the rings' centre line: its lower half drawn as arcs from where the line meets
 *    them (cubic Béziers, as the whole rings are; they were a flattened polygon, ~1 KB more);
 *  - the drawing surface is the logo's size: cairo 1.16's cairo_text_path leaves out the glyphs
 *    that fall outside its surface;
 *  - the wordmark is set in fonts/OpenSans-Bold.ttf (FreeType through cairo-ft, slight hinting
 *    and hinted metrics like the PNG's image surface) and cairo_text_path turns it into outlines.
 * The output is deterministic.
 */
#include <cairo-ft.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <math.h>
#include <stdio.h>
#include <string.h>

#define WIDTH_PX 1200
#define HEIGHT_PX 400
#define PI 3.14159265358979323846

#define RING_SIDE 196.0
#define RING_RADIUS 62.0
#define RING_STROKE 40.0
#define RING_GAP 10.0
#define RING_OFFSET 112.0
#define MARK_CX 246.0
#define RING_REACH ((RING_SIDE / 2 - RING_RADIUS) * 1.41421356237 + RING_RADIUS + RING_STROKE / 2)
#define MARK_CY 200.0

static const char *PURPLE = "#5b2a86", *TEAL = "#00857c", *INK = "#33333d", *WHITE = "#ffffff";

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

/* The band a stroke of `width` along ring `cx` covers: between two rounded squares. */
static void band(cairo_t *cr, double cx, double width)
{
    cairo_new_path(cr);
    rounded_square(cr, cx, MARK_CY, RING_SIDE + width, RING_RADIUS + width / 2, PI / 4);
    rounded_square(cr, cx, MARK_CY, RING_SIDE - width, RING_RADIUS - width / 2, PI / 4);
}

static void emit_path(cairo_path_t *p, const char *fill, int even_odd)
{
    printf("  <path fill=\"%s\"%s d=\"", fill, even_odd ? " fill-rule=\"evenodd\"" : "");
    for (int i = 0; i < p->num_data; i += p->data[i].header.length) {
        cairo_path_data_t *d = &p->data[i];
        switch (d->header.type) {
        case CAIRO_PATH_MOVE_TO: printf("M%.2f %.2f", d[1].point.x, d[1].point.y); break;
        case CAIRO_PATH_LINE_TO: printf("L%.2f %.2f", d[1].point.x, d[1].point.y); break;
        case CAIRO_PATH_CURVE_TO:
            printf("C%.2f %.2f %.2f %.2f %.2f %.2f", d[1].point.x, d[1].point.y, d[2].point.x,
                   d[2].point.y, d[3].point.x, d[3].point.y);
            break;
        case CAIRO_PATH_CLOSE_PATH: printf("Z"); break;
        }
    }
    printf("\"/>\n");
}

/* The current path as one SVG path, then cleared. */
static void fill_path(cairo_t *cr, const char *fill, int even_odd)
{
    cairo_path_t *p = cairo_copy_path(cr);
    emit_path(p, fill, even_odd);
    cairo_path_destroy(p);
    cairo_new_path(cr);
}

/* One contour of a ring's band (make-logo.c's rounded square, `side` wide, corners of `radius`,
 * tilted 45 degrees about cx, MARK_CY) below the line y = cut, as arcs: its corners then lie
 * right, below, left and above the centre, and the cut crosses the right and left corner arcs.
 * Forward: from the right end of the cut round the bottom to the left end; else back. */
static void lower_contour(cairo_t *cr, double cx, double side, double radius, double cut,
                          int forward)
{
    double a = (side / 2 - radius) * sqrt(2.0); /* centre to each corner arc's centre */
    double t = asin((cut - MARK_CY) / radius);  /* where the cut meets the side arcs */
    if (forward) {
        cairo_arc(cr, cx + a, MARK_CY, radius, t, PI / 4);
        cairo_arc(cr, cx, MARK_CY + a, radius, PI / 4, 3 * PI / 4);
        cairo_arc(cr, cx - a, MARK_CY, radius, 3 * PI / 4, PI - t);
    } else {
        cairo_arc_negative(cr, cx - a, MARK_CY, radius, PI - t, 3 * PI / 4);
        cairo_arc_negative(cr, cx, MARK_CY + a, radius, 3 * PI / 4, PI / 4);
        cairo_arc_negative(cr, cx + a, MARK_CY, radius, PI / 4, t);
    }
}

/* The lower half (y >= cut) of the band a stroke of `width` along ring `cx` covers, as ONE
 * shape (a U): the outer edge's lower part, then the inner edge's back, in real arcs (cubic
 * Béziers), not flattened. Two shapes filled even-odd would share an edge along the cut, which
 * anti-aliasing shows as a hairline. */
static void fill_lower_half(cairo_t *cr, double cx, double width, const char *fill, double cut)
{
    cairo_new_path(cr);
    lower_contour(cr, cx, RING_SIDE + width, RING_RADIUS + width / 2, cut, 1);
    lower_contour(cr, cx, RING_SIDE - width, RING_RADIUS - width / 2, cut, 0);
    cairo_close_path(cr);
    fill_path(cr, fill, 0);
}

static void draw_mark(cairo_t *cr)
{
    double left = MARK_CX - RING_OFFSET / 2, right = MARK_CX + RING_OFFSET / 2;
    band(cr, left, RING_STROKE);
    fill_path(cr, PURPLE, 1);
    /* Teal passes over purple at the top crossing ... */
    band(cr, right, RING_STROKE + 2 * RING_GAP);
    fill_path(cr, WHITE, 1);
    band(cr, right, RING_STROKE);
    fill_path(cr, TEAL, 1);
    /* ... and purple over teal at the bottom one: purple again below the centre line. */
    /* The white is cut a little below the purple, so no anti-aliased seam shows at the cut. */
    fill_lower_half(cr, left, RING_STROKE + 2 * RING_GAP, WHITE, MARK_CY + 2);
    fill_lower_half(cr, left, RING_STROKE, PURPLE, MARK_CY - 2);
}

static double fit_size(cairo_t *cr, const char *text, double width)
{
    cairo_text_extents_t ext;
    cairo_set_font_size(cr, 100.0);
    cairo_text_extents(cr, text, &ext);
    return 100.0 * width / ext.x_advance;
}

static void draw_text(cairo_t *cr, const char *text, double x, double baseline, double size,
                      const char *colour)
{
    cairo_text_extents_t ext;
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, text, &ext);
    cairo_new_path(cr);
    cairo_move_to(cr, x - ext.x_bearing, baseline);
    cairo_text_path(cr, text);
    fill_path(cr, colour, 0);
}

static double draw_wordmark(cairo_t *cr, double x, int draw)
{
    const char *line1 = "Co-operative Councils", *line2 = "Innovation Network";
    const double name_size = 54.0;
    cairo_text_extents_t e1, e2;
    cairo_set_font_size(cr, name_size);
    cairo_text_extents(cr, line1, &e1);
    cairo_text_extents(cr, line2, &e2);
    double width = e1.width > e2.width ? e1.width : e2.width;
    if (!draw)
        return x + width;
    draw_text(cr, "CCIN", x, 190.0, fit_size(cr, "CCIN", width * 0.70), PURPLE);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, 216.0, width, 6.0);
    fill_path(cr, TEAL, 0);
    draw_text(cr, line1, x, 282.0, name_size, INK);
    draw_text(cr, line2, x, 342.0, name_size, INK);
    return x + width;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-logo-svg FONT.ttf > ccin-logo.svg\n");
        return 2;
    }
    FT_Library ft;
    FT_Face face;
    if (FT_Init_FreeType(&ft) || FT_New_Face(ft, argv[1], 0, &face)) {
        fprintf(stderr, "make-logo-svg: cannot load %s\n", argv[1]);
        return 1;
    }
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, WIDTH_PX, HEIGHT_PX);
    cairo_t *cr = cairo_create(surface);
    cairo_font_face_t *ff = cairo_ft_font_face_create_for_ft_face(face, 0);
    cairo_set_font_face(cr, ff);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_ON);
    cairo_set_font_options(cr, fo);

    printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!-- The CCIN sample logo as vectors, text as outlines (Open Sans Bold).\n"
           "     Generated by images/make-logo-svg.c; do not edit by hand. -->\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
           "viewBox=\"0 0 %d %d\">\n"
           "<title>CCIN – Co-operative Councils Innovation Network</title>\n",
           WIDTH_PX, HEIGHT_PX, WIDTH_PX, HEIGHT_PX);
    double mark_left = MARK_CX - RING_OFFSET / 2 - RING_REACH;
    double mark_right = MARK_CX + RING_OFFSET / 2 + RING_REACH;
    double text_x = mark_right + 36.0;
    double right = draw_wordmark(cr, text_x, 0);
    printf("<g transform=\"translate(%.2f 0)\">\n", (WIDTH_PX - (right - mark_left)) / 2.0 - mark_left);
    draw_mark(cr);
    draw_wordmark(cr, text_x, 1);
    printf("</g>\n</svg>\n");

    int bad = cairo_status(cr) != CAIRO_STATUS_SUCCESS;
    cairo_font_options_destroy(fo);
    cairo_destroy(cr);
    cairo_font_face_destroy(ff);
    cairo_surface_destroy(surface);
    FT_Done_Face(face);
    FT_Done_FreeType(ft);
    return bad;
}
