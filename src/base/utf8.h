/* utf8 — the one UTF-8 decoder and encoder. Strict (RFC 3629, Unicode §3.9):
 * overlong forms, surrogates (U+D800–DFFF), code points past U+10FFFF and
 * truncated sequences decode as U+FFFD, and the encoder never writes them. */
#ifndef RP_BASE_UTF8_H
#define RP_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one character at s (len bytes left); returns the bytes used, >= 1
 * (so a scan always advances; 1 also when len is 0). A malformed sequence
 * yields U+FFFD and consumes its maximal valid prefix ("U+FFFD Substitution
 * of Maximal Subparts", Unicode §3.9). */
size_t rp_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Writes cp as 1–4 bytes at out (room for 4); returns how many. A surrogate
 * or a value past U+10FFFF is written as U+FFFD. */
size_t rp_utf8_encode(uint32_t cp, char *out);

/* Bytes of the last character of s[0, len), for stepping back; 0 when len is
 * 0. Malformed input steps back one byte. */
size_t rp_utf8_last_len(const char *s, size_t len);

#endif
