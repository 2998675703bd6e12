/* svg_parse — SVG's small languages: numbers, lengths, colours, transform
 * lists and path data, and the path builder (svg_int.h). Numbers are read
 * by hand, not with strtod, whose decimal point follows the locale. Arcs
 * become cubic Béziers of at most 90° each (SVG 1.1 F.6.5: endpoint to
 * centre parameterisation, radii scaled up when too small); quadratic
 * curves become the equivalent cubics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svg/svg_int.h"

#define PI 3.14159265358979323846 /* M_PI is POSIX, not C17 */

rp_svg_mat rp_svg_mul(rp_svg_mat m, rp_svg_mat n) {
  return (rp_svg_mat){m.a * n.a + m.c * n.b,       m.b * n.a + m.d * n.b,
                      m.a * n.c + m.c * n.d,       m.b * n.c + m.d * n.d,
                      m.a * n.e + m.c * n.f + m.e, m.b * n.e + m.d * n.f + m.f};
}

/* ---- the path builder ----------------------------------------------------- */

static rp_path_op *push(rp_svg_pb *pb, rp_path_op_kind k) {
  if (pb->oom || pb->over) return NULL;
  if (*pb->budget == 0) {
    pb->over = true;
    return NULL;
  }
  rp_path_op *o = rp_vec_push(pb->a, &pb->ops, sizeof *o);
  if (!o) {
    pb->oom = true;
    return NULL;
  }
  (*pb->budget)--;
  o->op = k;
  return o;
}

static void put(const rp_svg_pb *pb, rp_path_op *o, int i, double x, double y) {
  const rp_svg_mat *m = &pb->m;
  o->x[i] = m->a * x + m->c * y + m->e;
  o->y[i] = m->b * x + m->d * y + m->f;
}

void rp_svg_move(rp_svg_pb *pb, double x, double y) {
  rp_path_op *o = push(pb, RP_PATH_MOVE);
  if (o) put(pb, o, 0, x, y);
  pb->cx = pb->sx = x;
  pb->cy = pb->sy = y;
}

void rp_svg_line(rp_svg_pb *pb, double x, double y) {
  rp_path_op *o = push(pb, RP_PATH_LINE);
  if (o) put(pb, o, 0, x, y);
  pb->cx = x;
  pb->cy = y;
}

void rp_svg_curve(rp_svg_pb *pb, double x1, double y1, double x2, double y2, double x, double y) {
  rp_path_op *o = push(pb, RP_PATH_CURVE);
  if (o) {
    put(pb, o, 0, x1, y1);
    put(pb, o, 1, x2, y2);
    put(pb, o, 2, x, y);
  }
  pb->cx = x;
  pb->cy = y;
}

void rp_svg_close(rp_svg_pb *pb) {
  push(pb, RP_PATH_CLOSE);
  pb->cx = pb->sx;
  pb->cy = pb->sy;
}

void rp_svg_arc(rp_svg_pb *pb, double rx, double ry, double rot_deg, bool large, bool sweep,
                double x2, double y2) {
  double x1 = pb->cx, y1 = pb->cy;
  if (x1 == x2 && y1 == y2) return; /* SVG: an arc to its own start is omitted */
  rx = fabs(rx);
  ry = fabs(ry);
  if (rx == 0 || ry == 0) {
    rp_svg_line(pb, x2, y2);
    return;
  }
  double phi = fmod(rot_deg, 360) * PI / 180, cp = cos(phi), sp = sin(phi);
  double dx = (x1 - x2) / 2, dy = (y1 - y2) / 2;
  double x1p = cp * dx + sp * dy, y1p = -sp * dx + cp * dy;
  /* hypot, not the sum of squares: radii of 1e-200 underflow when squared,
   * and the arc they scale up to is an ordinary one. */
  double lam = hypot(x1p / rx, y1p / ry);
  if (lam > 1) {
    rx *= lam;
    ry *= lam;
  }
  double num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p;
  double den = rx * rx * y1p * y1p + ry * ry * x1p * x1p;
  double coef = den > 0 && num > 0 ? sqrt(num / den) : 0;
  if (large == sweep) coef = -coef;
  double cxp = coef * rx * y1p / ry, cyp = -coef * ry * x1p / rx;
  double cx = cp * cxp - sp * cyp + (x1 + x2) / 2, cy = sp * cxp + cp * cyp + (y1 + y2) / 2;
  double ux = (x1p - cxp) / rx, uy = (y1p - cyp) / ry;
  double vx = (-x1p - cxp) / rx, vy = (-y1p - cyp) / ry;
  double t1 = atan2(uy, ux), dt = atan2(ux * vy - uy * vx, ux * vx + uy * vy);
  if (!sweep && dt > 0) dt -= 2 * PI;
  if (sweep && dt < 0) dt += 2 * PI;
  if (!(isfinite(dt) && isfinite(t1) && isfinite(cx) && isfinite(cy) && isfinite(rx) &&
        isfinite(ry))) {
    pb->overflow = true; /* beyond doubles: the shape is refused (svg.c) */
    return;
  }
  int n = (int)ceil(fabs(dt) / (PI / 2) - 1e-9);
  if (n < 1) n = 1;
  double seg = dt / n, k = 4.0 / 3.0 * tan(seg / 4);
  for (int i = 0; i < n; i++) {
    double a0 = t1 + i * seg, a1 = a0 + seg;
    double c0 = cos(a0), s0 = sin(a0), c1 = cos(a1), s1 = sin(a1);
    double u[3] = {c0 - k * s0, c1 + k * s1, c1}, v[3] = {s0 + k * c0, s1 - k * c1, s1};
    double px[3], py[3];
    for (int j = 0; j < 3; j++) {
      px[j] = cx + rx * u[j] * cp - ry * v[j] * sp;
      py[j] = cy + rx * u[j] * sp + ry * v[j] * cp;
    }
    if (i == n - 1) px[2] = x2, py[2] = y2;
    rp_svg_curve(pb, px[0], py[0], px[1], py[1], px[2], py[2]);
  }
}

/* ---- numbers and lengths ------------------------------------------------- */

static bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

static void skip_wsp(const char **s) {
  while (is_wsp(**s)) (*s)++;
}

void rp_svg_skip_sep(const char **s) {
  skip_wsp(s);
  if (**s == ',') {
    (*s)++;
    skip_wsp(s);
  }
}

bool rp_svg_number(const char **s, double *v) {
  const char *p = *s;
  skip_wsp(&p);
  double sign = 1, mant = 0;
  if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
  int digits = 0, frac = 0;
  while (*p >= '0' && *p <= '9') mant = mant * 10 + (*p++ - '0'), digits++;
  if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
    p++;
    while (*p >= '0' && *p <= '9') mant = mant * 10 + (*p++ - '0'), frac++, digits++;
  } else if (*p == '.' && digits > 0) {
    p++; /* "5." */
  }
  if (digits == 0) return false;
  long ex = 0;
  if ((*p == 'e' || *p == 'E') && ((p[1] >= '0' && p[1] <= '9') ||
                                   ((p[1] == '+' || p[1] == '-') && p[2] >= '0' && p[2] <= '9'))) {
    p++;
    long es = 1;
    if (*p == '+' || *p == '-') es = *p++ == '-' ? -1 : 1;
    while (*p >= '0' && *p <= '9') {
      if (ex < 100000) ex = ex * 10 + (*p - '0');
      p++;
    }
    ex *= es;
  }
  *v = sign * mant * pow(10, (double)(ex - frac));
  *s = p;
  return isfinite(*v);
}

bool rp_svg_length(const char *text, double *px, bool *pct) {
  const char *s = text;
  double v;
  *pct = false;
  if (!text || !rp_svg_number(&s, &v)) return false;
  static const struct {
    const char *unit;
    double px;
  } units[] = {{"px", 1},         {"pt", 96.0 / 72}, {"pc", 16},
               {"mm", 96 / 25.4}, {"cm", 96 / 2.54}, {"in", 96}};
  double k = 1;
  if (*s == '%') {
    *pct = true;
    s++;
  } else {
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
      if (strncmp(s, units[i].unit, 2) == 0) {
        k = units[i].px;
        s += 2;
        break;
      }
  }
  skip_wsp(&s);
  if (*s) return false;
  *px = v * k;
  return isfinite(*px);
}

/* ---- colours ---------------------------------------------------------------- */

typedef struct named {
  const char *name;
  unsigned rgb;
} named;

/* The CSS colour names (CSS Color Module Level 4), sorted for bsearch. */
static const named NAMES[] = {
    {"aliceblue", 0xf0f8ff},
    {"antiquewhite", 0xfaebd7},
    {"aqua", 0x00ffff},
    {"aquamarine", 0x7fffd4},
    {"azure", 0xf0ffff},
    {"beige", 0xf5f5dc},
    {"bisque", 0xffe4c4},
    {"black", 0x000000},
    {"blanchedalmond", 0xffebcd},
    {"blue", 0x0000ff},
    {"blueviolet", 0x8a2be2},
    {"brown", 0xa52a2a},
    {"burlywood", 0xdeb887},
    {"cadetblue", 0x5f9ea0},
    {"chartreuse", 0x7fff00},
    {"chocolate", 0xd2691e},
    {"coral", 0xff7f50},
    {"cornflowerblue", 0x6495ed},
    {"cornsilk", 0xfff8dc},
    {"crimson", 0xdc143c},
    {"cyan", 0x00ffff},
    {"darkblue", 0x00008b},
    {"darkcyan", 0x008b8b},
    {"darkgoldenrod", 0xb8860b},
    {"darkgray", 0xa9a9a9},
    {"darkgreen", 0x006400},
    {"darkgrey", 0xa9a9a9},
    {"darkkhaki", 0xbdb76b},
    {"darkmagenta", 0x8b008b},
    {"darkolivegreen", 0x556b2f},
    {"darkorange", 0xff8c00},
    {"darkorchid", 0x9932cc},
    {"darkred", 0x8b0000},
    {"darksalmon", 0xe9967a},
    {"darkseagreen", 0x8fbc8f},
    {"darkslateblue", 0x483d8b},
    {"darkslategray", 0x2f4f4f},
    {"darkslategrey", 0x2f4f4f},
    {"darkturquoise", 0x00ced1},
    {"darkviolet", 0x9400d3},
    {"deeppink", 0xff1493},
    {"deepskyblue", 0x00bfff},
    {"dimgray", 0x696969},
    {"dimgrey", 0x696969},
    {"dodgerblue", 0x1e90ff},
    {"firebrick", 0xb22222},
    {"floralwhite", 0xfffaf0},
    {"forestgreen", 0x228b22},
    {"fuchsia", 0xff00ff},
    {"gainsboro", 0xdcdcdc},
    {"ghostwhite", 0xf8f8ff},
    {"gold", 0xffd700},
    {"goldenrod", 0xdaa520},
    {"gray", 0x808080},
    {"green", 0x008000},
    {"greenyellow", 0xadff2f},
    {"grey", 0x808080},
    {"honeydew", 0xf0fff0},
    {"hotpink", 0xff69b4},
    {"indianred", 0xcd5c5c},
    {"indigo", 0x4b0082},
    {"ivory", 0xfffff0},
    {"khaki", 0xf0e68c},
    {"lavender", 0xe6e6fa},
    {"lavenderblush", 0xfff0f5},
    {"lawngreen", 0x7cfc00},
    {"lemonchiffon", 0xfffacd},
    {"lightblue", 0xadd8e6},
    {"lightcoral", 0xf08080},
    {"lightcyan", 0xe0ffff},
    {"lightgoldenrodyellow", 0xfafad2},
    {"lightgray", 0xd3d3d3},
    {"lightgreen", 0x90ee90},
    {"lightgrey", 0xd3d3d3},
    {"lightpink", 0xffb6c1},
    {"lightsalmon", 0xffa07a},
    {"lightseagreen", 0x20b2aa},
    {"lightskyblue", 0x87cefa},
    {"lightslategray", 0x778899},
    {"lightslategrey", 0x778899},
    {"lightsteelblue", 0xb0c4de},
    {"lightyellow", 0xffffe0},
    {"lime", 0x00ff00},
    {"limegreen", 0x32cd32},
    {"linen", 0xfaf0e6},
    {"magenta", 0xff00ff},
    {"maroon", 0x800000},
    {"mediumaquamarine", 0x66cdaa},
    {"mediumblue", 0x0000cd},
    {"mediumorchid", 0xba55d3},
    {"mediumpurple", 0x9370db},
    {"mediumseagreen", 0x3cb371},
    {"mediumslateblue", 0x7b68ee},
    {"mediumspringgreen", 0x00fa9a},
    {"mediumturquoise", 0x48d1cc},
    {"mediumvioletred", 0xc71585},
    {"midnightblue", 0x191970},
    {"mintcream", 0xf5fffa},
    {"mistyrose", 0xffe4e1},
    {"moccasin", 0xffe4b5},
    {"navajowhite", 0xffdead},
    {"navy", 0x000080},
    {"oldlace", 0xfdf5e6},
    {"olive", 0x808000},
    {"olivedrab", 0x6b8e23},
    {"orange", 0xffa500},
    {"orangered", 0xff4500},
    {"orchid", 0xda70d6},
    {"palegoldenrod", 0xeee8aa},
    {"palegreen", 0x98fb98},
    {"paleturquoise", 0xafeeee},
    {"palevioletred", 0xdb7093},
    {"papayawhip", 0xffefd5},
    {"peachpuff", 0xffdab9},
    {"peru", 0xcd853f},
    {"pink", 0xffc0cb},
    {"plum", 0xdda0dd},
    {"powderblue", 0xb0e0e6},
    {"purple", 0x800080},
    {"rebeccapurple", 0x663399},
    {"red", 0xff0000},
    {"rosybrown", 0xbc8f8f},
    {"royalblue", 0x4169e1},
    {"saddlebrown", 0x8b4513},
    {"salmon", 0xfa8072},
    {"sandybrown", 0xf4a460},
    {"seagreen", 0x2e8b57},
    {"seashell", 0xfff5ee},
    {"sienna", 0xa0522d},
    {"silver", 0xc0c0c0},
    {"skyblue", 0x87ceeb},
    {"slateblue", 0x6a5acd},
    {"slategray", 0x708090},
    {"slategrey", 0x708090},
    {"snow", 0xfffafa},
    {"springgreen", 0x00ff7f},
    {"steelblue", 0x4682b4},
    {"tan", 0xd2b48c},
    {"teal", 0x008080},
    {"thistle", 0xd8bfd8},
    {"tomato", 0xff6347},
    {"turquoise", 0x40e0d0},
    {"violet", 0xee82ee},
    {"wheat", 0xf5deb3},
    {"white", 0xffffff},
    {"whitesmoke", 0xf5f5f5},
    {"yellow", 0xffff00},
    {"yellowgreen", 0x9acd32},
};

static int cmp_named(const void *k, const void *e) {
  return strcmp((const char *)k, ((const named *)e)->name);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static rp_color from_rgb(unsigned v) {
  return (rp_color){((v >> 16) & 255) / 255.0f, ((v >> 8) & 255) / 255.0f, (v & 255) / 255.0f, 1};
}

static float unit_clamp(double v) { return (float)(v < 0 ? 0 : v > 1 ? 1 : v); }

/* rgb(…) / rgba(…) after the opening parenthesis. */
static bool rgb_func(const char *s, bool alpha, rp_color *out) {
  double c[4] = {0, 0, 0, 1};
  int n = alpha ? 4 : 3;
  for (int i = 0; i < n; i++) {
    if (i > 0) rp_svg_skip_sep(&s);
    if (!rp_svg_number(&s, &c[i])) return false;
    if (*s == '%') {
      c[i] /= 100;
      s++;
    } else if (i < 3) {
      c[i] /= 255;
    }
  }
  skip_wsp(&s);
  if (*s++ != ')') return false;
  skip_wsp(&s);
  if (*s) return false;
  *out = (rp_color){unit_clamp(c[0]), unit_clamp(c[1]), unit_clamp(c[2]), unit_clamp(c[3])};
  return true;
}

bool rp_svg_color(const char *text, rp_color *out) {
  char buf[32];
  size_t n = 0;
  const char *s = text;
  skip_wsp(&s);
  size_t len = strlen(s);
  while (len > 0 && is_wsp(s[len - 1])) len--;
  if (len == 0) return false;
  if (s[0] == '#') {
    int h[8];
    size_t digits = len - 1;
    if (digits != 3 && digits != 6 && digits != 8) return false;
    for (size_t i = 0; i < digits; i++)
      if ((h[i] = hexval(s[1 + i])) < 0) return false;
    if (digits == 3) {
      *out = (rp_color){h[0] / 15.0f, h[1] / 15.0f, h[2] / 15.0f, 1};
    } else {
      *out = (rp_color){(h[0] * 16 + h[1]) / 255.0f, (h[2] * 16 + h[3]) / 255.0f,
                        (h[4] * 16 + h[5]) / 255.0f, 1};
      if (digits == 8) out->a = (h[6] * 16 + h[7]) / 255.0f;
    }
    return true;
  }
  for (n = 0; n < len && n < sizeof buf - 1; n++)
    buf[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] - 'A' + 'a' : s[n]);
  buf[n] = '\0';
  if (n < len) return false;
  if (strncmp(buf, "rgba(", 5) == 0) return rgb_func(s + 5, true, out);
  if (strncmp(buf, "rgb(", 4) == 0) return rgb_func(s + 4, false, out);
  if (strcmp(buf, "transparent") == 0) {
    *out = (rp_color){0, 0, 0, 0};
    return true;
  }
  const named *e = bsearch(buf, NAMES, sizeof NAMES / sizeof NAMES[0], sizeof NAMES[0], cmp_named);
  if (!e) return false;
  *out = from_rgb(e->rgb);
  return true;
}

/* ---- transform lists -------------------------------------------------------- */

/* Up to max numbers inside "( … )"; returns how many, -1 when malformed. */
static int args(const char **s, double *v, int max) {
  skip_wsp(s);
  if (**s != '(') return -1;
  (*s)++;
  int n = 0;
  skip_wsp(s);
  while (**s != ')') {
    if (n > 0) rp_svg_skip_sep(s);
    if (n == max || !rp_svg_number(s, &v[n])) return -1;
    n++;
    skip_wsp(s);
  }
  (*s)++;
  return n;
}

bool rp_svg_transform(const char *text, rp_svg_mat *out) {
  rp_svg_mat m = RP_SVG_IDENTITY;
  const char *s = text;
  static const char *names[] = {"matrix", "translate", "scale", "rotate", "skewX", "skewY"};
  for (;;) {
    rp_svg_skip_sep(&s);
    if (!*s) break;
    int which = -1;
    for (int i = 0; i < 6 && which < 0; i++)
      if (strncmp(s, names[i], strlen(names[i])) == 0) which = i, s += strlen(names[i]);
    double v[6];
    int n = which < 0 ? -1 : args(&s, v, 6);
    rp_svg_mat t = RP_SVG_IDENTITY;
    switch (which) {
      case 0:
        if (n != 6) return false;
        t = (rp_svg_mat){v[0], v[1], v[2], v[3], v[4], v[5]};
        break;
      case 1:
        if (n != 1 && n != 2) return false;
        t.e = v[0];
        t.f = n == 2 ? v[1] : 0;
        break;
      case 2:
        if (n != 1 && n != 2) return false;
        t.a = v[0];
        t.d = n == 2 ? v[1] : v[0];
        break;
      case 3: {
        if (n != 1 && n != 3) return false;
        double r = fmod(v[0], 360) * PI / 180, c = cos(r), sn = sin(r);
        t = (rp_svg_mat){c, sn, -sn, c, 0, 0};
        if (n == 3) {
          rp_svg_mat to = {1, 0, 0, 1, v[1], v[2]}, back = {1, 0, 0, 1, -v[1], -v[2]};
          t = rp_svg_mul(to, rp_svg_mul(t, back));
        }
        break;
      }
      case 4:
      case 5:
        if (n != 1) return false;
        if (which == 4)
          t.c = tan(v[0] * PI / 180);
        else
          t.b = tan(v[0] * PI / 180);
        break;
      default:
        return false;
    }
    m = rp_svg_mul(m, t);
  }
  double all[6] = {m.a, m.b, m.c, m.d, m.e, m.f};
  for (int i = 0; i < 6; i++)
    if (!isfinite(all[i])) return false;
  *out = m;
  return true;
}

/* ---- path data ---------------------------------------------------------------- */

static bool flag(const char **s, bool *f) {
  rp_svg_skip_sep(s);
  if (**s != '0' && **s != '1') return false;
  *f = *(*s)++ == '1';
  return true;
}

size_t rp_svg_path_data(rp_svg_pb *pb, const char *d) {
  const char *s = d;
  char cmd = 0;
  double qx = 0, qy = 0; /* last control point (reflected by S and T) */
  char last = 0;         /* previous command, upper case */
  bool started = false;
  skip_wsp(&s);
  while (*s) {
    const char *at = s;
    if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
      cmd = *s++;
      if (!strchr("MmLlHhVvCcSsQqTtAaZz", cmd)) return 1 + (size_t)(at - d);
    } else if (!cmd) {
      return 1 + (size_t)(at - d);
    } else if (cmd == 'M' || cmd == 'm') {
      cmd = cmd == 'M' ? 'L' : 'l'; /* implicit lineto after a moveto's first pair */
    } else if (cmd == 'Z' || cmd == 'z') {
      return 1 + (size_t)(at - d);
    }
    if (!started && cmd != 'M' && cmd != 'm') return 1 + (size_t)(at - d);
    bool rel = cmd >= 'a';
    char up = (char)(rel ? cmd - 'a' + 'A' : cmd);
    double ox = rel ? pb->cx : 0, oy = rel ? pb->cy : 0;
    double v[7];
    int need = up == 'M' || up == 'L' || up == 'T' ? 2
               : up == 'H' || up == 'V'            ? 1
               : up == 'C'                         ? 6
               : up == 'S' || up == 'Q'            ? 4
               : up == 'A'                         ? 7
                                                   : 0;
    bool large = false, sweep = false;
    for (int i = 0; i < need; i++) {
      if (i > 0) rp_svg_skip_sep(&s);
      bool ok = up == 'A' && i == 3   ? flag(&s, &large)
                : up == 'A' && i == 4 ? flag(&s, &sweep)
                                      : rp_svg_number(&s, &v[i]);
      if (!ok) return 1 + (size_t)(s - d);
    }
    switch (up) {
      case 'M':
        rp_svg_move(pb, ox + v[0], oy + v[1]);
        started = true;
        break;
      case 'L':
        rp_svg_line(pb, ox + v[0], oy + v[1]);
        break;
      case 'H':
        rp_svg_line(pb, ox + v[0], pb->cy);
        break;
      case 'V':
        rp_svg_line(pb, pb->cx, oy + v[0]);
        break;
      case 'C':
        rp_svg_curve(pb, ox + v[0], oy + v[1], ox + v[2], oy + v[3], ox + v[4], oy + v[5]);
        qx = ox + v[2], qy = oy + v[3];
        break;
      case 'S': {
        double x1 = last == 'C' || last == 'S' ? 2 * pb->cx - qx : pb->cx;
        double y1 = last == 'C' || last == 'S' ? 2 * pb->cy - qy : pb->cy;
        rp_svg_curve(pb, x1, y1, ox + v[0], oy + v[1], ox + v[2], oy + v[3]);
        qx = ox + v[0], qy = oy + v[1];
        break;
      }
      case 'Q':
      case 'T': {
        double x0 = pb->cx, y0 = pb->cy, x1, y1, x, y;
        if (up == 'Q') {
          x1 = ox + v[0], y1 = oy + v[1], x = ox + v[2], y = oy + v[3];
        } else {
          bool refl = last == 'Q' || last == 'T';
          x1 = refl ? 2 * x0 - qx : x0, y1 = refl ? 2 * y0 - qy : y0;
          x = ox + v[0], y = oy + v[1];
        }
        rp_svg_curve(pb, x0 + 2.0 / 3 * (x1 - x0), y0 + 2.0 / 3 * (y1 - y0), x + 2.0 / 3 * (x1 - x),
                     y + 2.0 / 3 * (y1 - y), x, y);
        qx = x1, qy = y1;
        break;
      }
      case 'A':
        rp_svg_arc(pb, v[0], v[1], v[2], large, sweep, ox + v[5], oy + v[6]);
        break;
      case 'Z':
        rp_svg_close(pb);
        break;
    }
    last = up;
    rp_svg_skip_sep(&s);
    if (pb->oom || pb->over) break;
  }
  return 0;
}
