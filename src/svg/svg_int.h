/* svg_int — internal to svg/: the parsers of SVG's small languages (numbers
 * and lengths, colours, transform lists, path data) and the path builder
 * that turns them into rp_path_op segments in the drawing's px. */
#ifndef RP_SVG_INT_H
#define RP_SVG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "svg/svg.h"

/* An affine transform: (x, y) → (a x + c y + e, b x + d y + f). */
typedef struct rp_svg_mat {
  double a, b, c, d, e, f;
} rp_svg_mat;

static const rp_svg_mat RP_SVG_IDENTITY = {1, 0, 0, 1, 0, 0};

/* m × n: n applied first, then m. */
rp_svg_mat rp_svg_mul(rp_svg_mat m, rp_svg_mat n);

/* Collects path segments under a transform. */
typedef struct rp_svg_pb {
  rp_arena *a;
  rp_svg_mat m;
  rp_vec ops;     /* rp_path_op, transformed */
  size_t *budget; /* segments still allowed in the whole file */
  bool oom, over; /* out of memory / budget exhausted */
  bool overflow;  /* an arc's geometry went beyond doubles */
  double cx, cy;  /* current point, untransformed */
  double sx, sy;  /* start of the current subpath, untransformed */
} rp_svg_pb;

void rp_svg_move(rp_svg_pb *pb, double x, double y);
void rp_svg_line(rp_svg_pb *pb, double x, double y);
void rp_svg_curve(rp_svg_pb *pb, double x1, double y1, double x2, double y2, double x, double y);
void rp_svg_close(rp_svg_pb *pb);
/* An elliptical arc from the current point, as SVG's A command. */
void rp_svg_arc(rp_svg_pb *pb, double rx, double ry, double rot_deg, bool large, bool sweep,
                double x, double y);

/* Skips white space and at most one comma. */
void rp_svg_skip_sep(const char **s);
/* A number in SVG's grammar at *s (after white space); advances past it.
 * Locale-independent. False (s unchanged) when there is none. */
bool rp_svg_number(const char **s, double *v);

/* A length ("12", "12px", "3mm", "1in"…) in px; *pct set when it ends in
 * '%' (then *px is the percentage). False when malformed or in em/ex. */
bool rp_svg_length(const char *text, double *px, bool *pct);

/* A colour: #rgb, #rrggbb, #rrggbbaa, rgb()/rgba() (numbers or percentages),
 * a CSS colour name, "transparent". False when none of those. */
bool rp_svg_color(const char *text, rp_color *out);

/* A transform list; false (with *m unchanged) when malformed. */
bool rp_svg_transform(const char *text, rp_svg_mat *m);

/* Path data into pb. Returns 0 when all of it was read, else 1 + the offset
 * of the first character that could not be read (what came before it is
 * kept). */
size_t rp_svg_path_data(rp_svg_pb *pb, const char *d);

/* A CSS rule of a <style> sheet, for one simple selector (svg_css.c). */
typedef struct rp_svg_rule {
  const char *tag, *cls, *id; /* NULL: any */
  int spec;                   /* specificity: 100 per id, 10 per class, 1 per element name */
  size_t order;               /* position in the document's sheets */
  const char *decls;          /* "fill: red; stroke: none" */
} rp_svg_rule;

/* Appends the rules of `css` to *rules (rp_svg_rule, arena), numbering them
 * from *order on. False with the reason in err when part of it is not read. */
bool rp_svg_css_parse(rp_arena *a, const char *css, rp_vec *rules, size_t *order, char *err,
                      size_t errlen);
/* Whether rule r applies to an element with this name, id and class list. */
bool rp_svg_css_match(const rp_svg_rule *r, const char *tag, const char *id, const char *classes);

#endif
