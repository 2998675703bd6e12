/* roman — see roman.h. */
#include "base/roman.h"

#include <string.h>

static const struct {
  long v;
  const char *s;
} digits[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
              {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};

bool rp_roman_format(long v, bool upper, char *out, size_t cap) {
  if (cap == 0) return false;
  out[0] = '\0';
  if (v < 1 || v > 3999) return false;
  size_t o = 0;
  for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++)
    for (; v >= digits[i].v; v -= digits[i].v)
      for (const char *s = digits[i].s; *s; s++) {
        if (o + 1 >= cap) {
          out[0] = '\0';
          return false;
        }
        out[o++] = (char)(upper ? *s - ('a' - 'A') : *s);
      }
  out[o] = '\0';
  return true;
}

long rp_roman_value(const char *s, bool upper) {
  static const char lower_set[] = "ivxlcdm", upper_set[] = "IVXLCDM";
  static const long val[] = {1, 5, 10, 50, 100, 500, 1000};
  const char *set = upper ? upper_set : lower_set;
  size_t n = strlen(s);
  if (n == 0 || n > 15) return 0; /* "mmmdccclxxxviii" (3888) is the longest */
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    const char *a = strchr(set, s[i]);
    if (!a || !s[i]) return 0;
    const char *b = i + 1 < n ? strchr(set, s[i + 1]) : NULL;
    long av = val[a - set], bv = b && s[i + 1] ? val[b - set] : 0;
    v += av < bv ? -av : av;
  }
  /* Read leniently, then accept only the canonical spelling. */
  char buf[16];
  if (!rp_roman_format(v, upper, buf, sizeof buf)) return 0;
  return strcmp(buf, s) == 0 ? v : 0;
}
