/* units — see units.h. Numbers are read with strtod in the "C" locale (the
 * program never calls setlocale), so "2.5" always means two and a half. */
#include "template/units.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_ws(const char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  return s;
}

/* One term: number and unit. Advances *s past it. */
static const char *parse_term(const char **s, double percent_of, double *out) {
  const char *p = *s;
  if (!isdigit((unsigned char)*p) && *p != '.')
    return "expected a number with a unit (pt, mm, cm, in, px or %)";
  char *end;
  double v = strtod(p, &end);
  if (end == p || !isfinite(v)) return "expected a number with a unit (pt, mm, cm, in, px or %)";
  p = end;
  static const struct {
    const char *name;
    double pt;
  } units[] = {{"pt", 1.0}, {"mm", 72.0 / 25.4}, {"cm", 720.0 / 25.4}, {"in", 72.0}, {"px", 0.75}};
  size_t ulen = 0;
  while (isalpha((unsigned char)p[ulen]) || p[ulen] == '%') ulen++;
  if (ulen == 0) {
    if (v != 0) return "a length needs a unit: pt, mm, cm, in or px (e.g. \"10pt\")";
    *out = 0;
    *s = p;
    return NULL;
  }
  if (ulen == 1 && p[0] == '%') {
    if (percent_of < 0) return "a percentage is not allowed here; give a length (e.g. \"10mm\")";
    *out = v * percent_of / 100.0;
    *s = p + 1;
    return NULL;
  }
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (ulen == strlen(units[i].name) && strncmp(p, units[i].name, ulen) == 0) {
      *out = v * units[i].pt;
      *s = p + ulen;
      return NULL;
    }
  }
  return "unknown unit; use pt, mm, cm, in, px or %";
}

const char *rp_length_parse(const char *s, double percent_of, double *out_pt) {
  if (!s) return "missing length";
  const char *p = skip_ws(s);
  if (!*p) return "empty length";
  double total = 0;
  int sign = 1;
  if (*p == '-') {
    sign = -1;
    p = skip_ws(p + 1);
  } else if (*p == '+') {
    p = skip_ws(p + 1);
  }
  for (;;) {
    double v;
    const char *err = parse_term(&p, percent_of, &v);
    if (err) return err;
    total += sign * v;
    p = skip_ws(p);
    if (!*p) break;
    if (*p == '+')
      sign = 1;
    else if (*p == '-')
      sign = -1;
    else
      return "unexpected text after the length; write e.g. \"12mm\" or \"100% - 12mm\"";
    p = skip_ws(p + 1);
  }
  if (!(fabs(total) <= RP_LENGTH_MAX)) /* also NaN: inf - inf */
    return "a length is at most 200in (14400pt) either way";
  *out_pt = total;
  return NULL;
}

const char *rp_lengths4_parse(const char *s, double out_pt[4]) {
  double v[4];
  int n = 0;
  const char *p = s ? skip_ws(s) : "";
  char buf[64];
  while (*p) {
    size_t len = strcspn(p, " \t\r\n");
    if (n == 4) return "at most four lengths (top, right, bottom, left)";
    if (len >= sizeof buf) return "length too long";
    memcpy(buf, p, len);
    buf[len] = '\0';
    const char *err = rp_length_parse(buf, RP_NO_PERCENT, &v[n]);
    if (err) return err;
    n++;
    p = skip_ws(p + len);
  }
  switch (n) {
    case 0:
      return "expected one to four lengths";
    case 1:
      v[1] = v[2] = v[3] = v[0];
      break;
    case 2:
      v[2] = v[0];
      v[3] = v[1];
      break;
    case 3:
      v[3] = v[1];
      break;
    default:
      break;
  }
  memcpy(out_pt, v, sizeof v);
  return NULL;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const char *rp_color_parse(const char *s, rp_color *out) {
  if (!s) return "missing colour";
  if (strcmp(s, "none") == 0 || strcmp(s, "transparent") == 0) {
    *out = (rp_color){0, 0, 0, 0};
    return NULL;
  }
  if (strcmp(s, "black") == 0) {
    *out = (rp_color){0, 0, 0, 1};
    return NULL;
  }
  if (strcmp(s, "white") == 0) {
    *out = (rp_color){1, 1, 1, 1};
    return NULL;
  }
  if (s[0] != '#') return "unknown colour";
  size_t n = strlen(s + 1);
  int d[8];
  if (n != 3 && n != 6 && n != 8) return "a colour is #rgb, #rrggbb or #rrggbbaa";
  for (size_t i = 0; i < n; i++)
    if ((d[i] = hexval(s[1 + i])) < 0) return "a colour is #rgb, #rrggbb or #rrggbbaa";
  float c[4] = {0, 0, 0, 1};
  for (int i = 0; i < (n == 8 ? 4 : 3); i++)
    c[i] = (float)(n == 3 ? d[i] * 17 : d[2 * i] * 16 + d[2 * i + 1]) / 255.0f;
  *out = (rp_color){c[0], c[1], c[2], c[3]};
  return NULL;
}

const char *rp_page_size_parse(const char *s, double *w_pt, double *h_pt) {
  static const struct {
    const char *name;
    double w, h; /* pt */
  } sizes[] = {
      {"A3", 841.89, 1190.55}, {"A4", 595.28, 841.89}, {"A5", 419.53, 595.28},
      {"A6", 297.64, 419.53},  {"B5", 498.90, 708.66}, {"Letter", 612, 792},
      {"Legal", 612, 1008},    {"16:9", 960, 540},     {"4:3", 720, 540},
  };
  if (!s) return "missing page size";
  const char *p = skip_ws(s);
  size_t len = strcspn(p, " \t\r\n");
  const char *rest = skip_ws(p + len);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    if (len != strlen(sizes[i].name) || strncasecmp(p, sizes[i].name, len) != 0) continue;
    double w = sizes[i].w, h = sizes[i].h;
    if (*rest) {
      size_t olen = strcspn(rest, " \t\r\n");
      if (*skip_ws(rest + olen))
        return "write a size name and an orientation, e.g. \"A4 landscape\"";
      bool landscape = olen == 9 && strncmp(rest, "landscape", 9) == 0;
      if (!landscape && !(olen == 8 && strncmp(rest, "portrait", 8) == 0))
        return "the orientation is \"portrait\" or \"landscape\"";
      if (landscape != (w > h)) {
        double t = w;
        w = h;
        h = t;
      }
    }
    *w_pt = w;
    *h_pt = h;
    return NULL;
  }
  if (!*rest)
    return "unknown page size; use A3, A4, A5, A6, B5, Letter, Legal, 16:9, 4:3 or two lengths";
  char a[64], b[64];
  size_t blen = strcspn(rest, " \t\r\n");
  if (len >= sizeof a || blen >= sizeof b || *skip_ws(rest + blen))
    return "a custom page size is two lengths, width then height (e.g. \"210mm 297mm\")";
  memcpy(a, p, len);
  a[len] = '\0';
  memcpy(b, rest, blen);
  b[blen] = '\0';
  double w, h;
  const char *err = rp_length_parse(a, RP_NO_PERCENT, &w);
  if (!err) err = rp_length_parse(b, RP_NO_PERCENT, &h);
  if (err) return err;
  if (w < 72 || h < 72 || w > RP_LENGTH_MAX || h > RP_LENGTH_MAX)
    return "a page must be between 1in and 200in in each direction";
  *w_pt = w;
  *h_pt = h;
  return NULL;
}

const char *rp_bool_parse(const char *s, bool *out) {
  if (s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)) {
    *out = true;
    return NULL;
  }
  if (s && (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)) {
    *out = false;
    return NULL;
  }
  return "expected true or false";
}
