/* hyphen — see hyphen.h. A small cache of loaded dictionaries, one entry
 * per language asked about (a missing dictionary is cached as NULL). Words
 * go to libhyphen in UTF-8, lower-cased, as its UTF-8 dictionaries (the
 * .dic's first line) expect; break points are mapped back per character. */
#include "layout/hyphen.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "font/font.h"

#include <hyphen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LANGS 8
#define LEFT_MIN 2
#define RIGHT_MIN 3
#define MAX_WORD 64 /* longer letter runs are kept whole */

typedef struct entry {
  char lang[32];
  HyphenDict *dict; /* NULL: no dictionary for it */
} entry;

struct rp_hyphen {
  char dir[256];
  char default_lang[32];
  entry langs[MAX_LANGS];
  size_t n;
};

rp_hyphen *rp_hyphen_new(const char *dir, const char *default_lang) {
  rp_hyphen *h = rp_mem_calloc(1, sizeof *h);
  if (!h) return NULL;
  snprintf(h->dir, sizeof h->dir, "%s", dir ? dir : "/usr/share/hyphen");
  snprintf(h->default_lang, sizeof h->default_lang, "%s", default_lang ? default_lang : "");
  return h;
}

void rp_hyphen_free(rp_hyphen *h) {
  if (!h) return;
  for (size_t i = 0; i < h->n; i++)
    if (h->langs[i].dict) hnj_hyphen_free(h->langs[i].dict);
  rp_mem_free(h);
}

void rp_hyphen_ident(const rp_hyphen *h, const char **dir, const char **default_lang) {
  *dir = h->dir;
  *default_lang = h->default_lang;
}

static bool is_alpha(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* hyph_<tag with '_'>.dic, then without its last subtag, and so on. */
static HyphenDict *load(const rp_hyphen *h, const char *lang) {
  char tag[32];
  size_t n = 0;
  for (; lang[n] && n + 1 < sizeof tag; n++) {
    char c = lang[n];
    if (!is_alpha((unsigned char)c) && !(c >= '0' && c <= '9') && c != '-' && c != '_')
      return NULL; /* never a path out of the folder */
    tag[n] = c == '-' ? '_' : c;
  }
  tag[n] = '\0';
  char path[512];
  snprintf(path, sizeof path, "%s/hyph_%s.dic", h->dir, tag);
  FILE *f = fopen(path, "r");
  while (!f) { /* en_GB_oxendict, en_GB, en */
    char *cut = strrchr(tag, '_');
    if (!cut) return NULL;
    *cut = '\0';
    snprintf(path, sizeof path, "%s/hyph_%s.dic", h->dir, tag);
    f = fopen(path, "r");
  }
  HyphenDict *d = hnj_hyphen_load_file(f);
  fclose(f);
  return d;
}

static HyphenDict *dict_for(rp_hyphen *h, const char *lang) {
  if (!lang || !*lang) lang = h->default_lang;
  if (!*lang || strlen(lang) >= sizeof h->langs[0].lang) return NULL;
  for (size_t i = 0; i < h->n; i++)
    if (strcmp(h->langs[i].lang, lang) == 0) return h->langs[i].dict;
  HyphenDict *d = load(h, lang);
  if (h->n < MAX_LANGS) {
    snprintf(h->langs[h->n].lang, sizeof h->langs[0].lang, "%s", lang);
    h->langs[h->n++].dict = d;
  } else if (d) {
    hnj_hyphen_free(d); /* more languages than the cache holds: not hyphenated */
    d = NULL;
  }
  return d;
}

/* Letters the patterns may read: ASCII, and Latin-1 to Latin Extended-B
 * (é, ï, ŵ, ŷ…), less × and ÷. */
static bool is_letter(uint32_t c) {
  if (c < 0x80) return is_alpha((unsigned char)c);
  return c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7;
}

static bool is_apostrophe(uint32_t c) { return c == '\'' || c == 0x2019; }

/* Lower case of a letter of is_letter's range, the same length in UTF-8
 * (Latin Extended-A pairs capitals and small letters side by side). */
static uint32_t lower(uint32_t c) {
  if (c < 0x80) return c | 0x20;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c == 0x178) return 0xFF;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  return c;
}

/* The character at word[i] (len bytes in all); its length in *n. */
static uint32_t char_at(const char *word, size_t len, size_t i, size_t *n) {
  uint32_t c;
  *n = rp_utf8_decode(word + i, len - i, &c);
  return c;
}

size_t rp_hyphen_points(rp_hyphen *h, const char *lang, const char *word, size_t len, size_t *pos,
                        size_t max) {
  if (!h || !word) return 0;
  HyphenDict *d = NULL;
  bool looked = false;
  size_t count = 0;
  for (size_t a = 0; a < len;) {
    size_t n;
    uint32_t c = char_at(word, len, a, &n);
    if (!is_letter(c)) {
      a += n;
      continue;
    }
    /* a run of letters, an apostrophe between two of them included
     * ("organisation’s"); its characters' byte offsets in at[] */
    size_t at[MAX_WORD + 1], chars = 0, b = a;
    bool ascii = true;
    while (b < len) {
      c = char_at(word, len, b, &n);
      if (is_apostrophe(c) && b + n < len) {
        size_t m;
        if (!is_letter(char_at(word, len, b + n, &m))) break;
      } else if (!is_letter(c)) {
        break;
      }
      if (chars < MAX_WORD) at[chars] = b;
      chars++, ascii &= c < 0x80, b += n;
    }
    /* a run touching a digit is part of a code or a number: keep it whole */
    bool digit_before = a > 0 && word[a - 1] >= '0' && word[a - 1] <= '9';
    bool digit_after = b < len && word[b] >= '0' && word[b] <= '9';
    if (!digit_before && !digit_after && chars >= RP_HYPHEN_MIN_WORD && chars <= MAX_WORD) {
      if (!looked) {
        d = dict_for(h, lang);
        looked = true;
      }
      if (!d) return 0;
      char low[4 * MAX_WORD + 1], hy[4 * MAX_WORD + 5];
      size_t bytes = 0;
      for (size_t i = a; i < b; i += n)
        bytes += rp_utf8_encode(lower(char_at(word, len, i, &n)), low + bytes);
      low[bytes] = '\0';
      at[chars] = b;
      /* the same bytes as the word (lower() keeps each letter's length);
       * a dictionary in a legacy 8-bit encoding reads ASCII words only */
      if (bytes == b - a && (ascii || d->utf8)) {
        memset(hy, 0, sizeof hy);
        char **rep = NULL;
        int *rpos = NULL, *cut = NULL;
        if (hnj_hyphen_hyphenate3(d, low, (int)bytes, hy, NULL, &rep, &rpos, &cut, LEFT_MIN,
                                  RIGHT_MIN, 0, 0) == 0) {
          /* after character k (its last byte), with LEFT_MIN before it and
           * RIGHT_MIN after; only plain breaks: a changed spelling at a
           * break (rep) is not ours to draw; never beside an apostrophe */
          for (size_t k = LEFT_MIN; k + RIGHT_MIN <= chars; k++) {
            size_t i = at[k] - 1 - a; /* the last byte of character k - 1 */
            uint32_t l, r;
            size_t m;
            l = char_at(word, len, at[k - 1], &m);
            r = char_at(word, len, at[k], &m);
            if ((hy[i] & 1) && !(rep && rep[i]) && !is_apostrophe(l) && !is_apostrophe(r) &&
                count < max)
              pos[count++] = at[k];
          }
        }
        if (rep) {
          for (size_t i = 0; i < bytes; i++) free(rep[i]);
          free(rep);
        }
        free(rpos);
        free(cut);
      }
    }
    a = b;
  }
  return count;
}
