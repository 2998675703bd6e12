/* utf8 — see utf8.h. */
#include "base/utf8.h"

size_t rp_utf8_decode(const char *s, size_t len, uint32_t *cp) {
  const unsigned char *p = (const unsigned char *)s;
  *cp = 0xFFFD;
  if (len == 0) return 1;
  unsigned b = p[0];
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  size_t need;
  uint32_t c;
  unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
    c = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    c = b & 0x0F;
    if (b == 0xE0) lo = 0xA0; /* overlong */
    if (b == 0xED) hi = 0x9F; /* surrogates */
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    c = b & 0x07;
    if (b == 0xF0) lo = 0x90; /* overlong */
    if (b == 0xF4) hi = 0x8F; /* beyond U+10FFFF */
  } else {
    return 1; /* stray continuation byte, C0/C1 overlong lead, or F5..FF */
  }
  for (size_t k = 1; k <= need; k++) {
    if (k >= len) return k;
    unsigned t = p[k];
    if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xBF)) return k;
    c = c << 6 | (t & 0x3F);
  }
  *cp = c;
  return need + 1;
}

size_t rp_utf8_encode(uint32_t c, char *o) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
  if (c < 0x80) {
    o[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    o[0] = (char)(0xC0 | c >> 6);
    o[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    o[0] = (char)(0xE0 | c >> 12);
    o[1] = (char)(0x80 | (c >> 6 & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | c >> 18);
  o[1] = (char)(0x80 | (c >> 12 & 0x3F));
  o[2] = (char)(0x80 | (c >> 6 & 0x3F));
  o[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

size_t rp_utf8_last_len(const char *s, size_t len) {
  if (len == 0) return 0;
  size_t start = len - 1;
  while (start > 0 && len - start < 4 && ((unsigned char)s[start] & 0xC0) == 0x80) start--;
  uint32_t cp;
  size_t n = rp_utf8_decode(s + start, len - start, &cp);
  return start + n == len ? n : 1;
}
