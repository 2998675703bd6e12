/* numfmt — see numfmt.h (moved from template/xpathfn.c so charts/ can use it).
 * Negative numbers take a real minus sign (U+2212), as a typesetter sets them:
 * a hyphen is shorter than the figures and sits too low. */
#include "base/numfmt.h"
#include "base/sbuf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MINUS "\xE2\x88\x92"

/* Bytes of a grouping separator at p other than ",": a thin space (U+2009)
 * or a narrow no-break space (U+202F); 0 for anything else. */
static size_t space_sep(const char *p) {
  if ((unsigned char)p[0] != 0xE2 || (unsigned char)p[1] != 0x80) return 0;
  return (unsigned char)p[2] == 0x89 || (unsigned char)p[2] == 0xAF ? 3 : 0;
}

/* Length of a grouping separator at p inside a picture's number part: a
 * comma, or one of the spaces when a digit (# or 0) follows it — "0\u2009m"
 * is a number and its unit, "#\u2009##0" groups with thin spaces. */
static size_t group_sep(const char *p) {
  if (*p == ',') return 1;
  size_t n = space_sep(p);
  return n && (p[n] == '#' || p[n] == '0') ? n : 0;
}

bool rp_format_number(double v, const char *picture, char *out, size_t cap) {
  if (cap == 0) return false;
  rp_sbuf o = {out, cap, 0, false};
  out[0] = '\0';
  if (isnan(v)) {
    rp_sbuf_puts(&o, "NaN");
    return !o.overflow;
  }
  /* prefix, the number part (# 0 , .), suffix */
  const char *num = picture;
  while (*num && !strchr("#0,.", *num)) num++;
  const char *end = num;
  while (*end && (strchr("#0.", *end) || group_sep(end)))
    end += group_sep(end) ? group_sep(end) : 1;
  if (num == end) return false;
  int min_int = 0, min_frac = 0, max_frac = 0, group = 0;
  bool in_frac = false;
  const char *last_comma = NULL; /* the last grouping separator */
  size_t sep_len = 1;
  for (const char *p = num; p < end; p++) {
    size_t g = group_sep(p);
    if (*p == '.') {
      if (in_frac) return false;
      in_frac = true;
    } else if (g) {
      if (in_frac) return false;
      last_comma = p;
      sep_len = g;
      p += g - 1;
    } else if (in_frac) {
      max_frac++;
      if (*p == '0') min_frac++;
    } else if (*p == '0') {
      min_int++;
    }
  }
  if (max_frac > 20) return false; /* beyond a double's precision */
  if (last_comma) {
    for (const char *p = last_comma + sep_len; p < end && *p != '.'; p++) group++;
    if (group == 0) return false;
  }
  bool percent = strchr(picture, '%') != NULL;
  if (percent) v *= 100;
  if (isinf(v)) {
    if (v < 0) rp_sbuf_puts(&o, MINUS);
    rp_sbuf_put(&o, picture, (size_t)(num - picture));
    rp_sbuf_puts(&o, "Infinity");
    rp_sbuf_puts(&o, end);
    return !o.overflow;
  }
  char digits[400];
  snprintf(digits, sizeof digits, "%.*f", max_frac, fabs(v));
  char *dot = strchr(digits, '.');
  char *frac = dot ? dot + 1 : NULL;
  if (dot) *dot = '\0';
  size_t flen = frac ? strlen(frac) : 0;
  while (flen > (size_t)min_frac && frac[flen - 1] == '0') frac[--flen] = '\0';
  const char *ip = digits;
  if (strcmp(ip, "0") == 0 && min_int == 0) ip = "";
  size_t ilen = strlen(ip);
  bool nonzero = strspn(digits, "0") != strlen(digits) || (frac && strspn(frac, "0") != flen);
  if (v < 0 && nonzero) rp_sbuf_puts(&o, MINUS);
  rp_sbuf_put(&o, picture, (size_t)(num - picture));
  size_t pad = (size_t)min_int > ilen ? (size_t)min_int - ilen : 0, all = pad + ilen;
  for (size_t i = 0; i < all; i++) {
    rp_sbuf_put(&o, i < pad ? "0" : ip + (i - pad), 1);
    size_t left = all - i - 1;
    if (group && left > 0 && left % (size_t)group == 0) rp_sbuf_put(&o, last_comma, sep_len);
  }
  if (flen > 0) {
    rp_sbuf_puts(&o, ".");
    rp_sbuf_puts(&o, frac);
  }
  rp_sbuf_puts(&o, end);
  return !o.overflow;
}
