/* hyphen — see hyphen.h. A small cache of loaded dictionaries, one entry
 * per language asked about (a missing dictionary is cached as NULL). */
#include "layout/hyphen.h"

#include <hyphen.h>
#include <stdbool.h>
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
  rp_hyphen *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  snprintf(h->dir, sizeof h->dir, "%s", dir ? dir : "/usr/share/hyphen");
  snprintf(h->default_lang, sizeof h->default_lang, "%s", default_lang ? default_lang : "");
  return h;
}

void rp_hyphen_free(rp_hyphen *h) {
  if (!h) return;
  for (size_t i = 0; i < h->n; i++)
    if (h->langs[i].dict) hnj_hyphen_free(h->langs[i].dict);
  free(h);
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

size_t rp_hyphen_points(rp_hyphen *h, const char *lang, const char *word, size_t len, size_t *pos,
                        size_t max) {
  if (!h || !word) return 0;
  HyphenDict *d = NULL;
  bool looked = false;
  size_t count = 0;
  for (size_t a = 0; a < len;) {
    if (!is_alpha((unsigned char)word[a])) {
      a++;
      continue;
    }
    size_t b = a;
    while (b < len && is_alpha((unsigned char)word[b])) b++;
    /* a run touching a digit or a non-ASCII letter is part of a word we
     * cannot read: keep it whole */
    bool inside =
        (a > 0 &&
         ((unsigned char)word[a - 1] >= 0x80 || (word[a - 1] >= '0' && word[a - 1] <= '9'))) ||
        (b < len && ((unsigned char)word[b] >= 0x80 || (word[b] >= '0' && word[b] <= '9')));
    size_t n = b - a;
    if (!inside && n >= RP_HYPHEN_MIN_WORD && n <= MAX_WORD) {
      if (!looked) {
        d = dict_for(h, lang);
        looked = true;
      }
      if (!d) return 0;
      char lower[MAX_WORD + 1], hy[MAX_WORD + 5];
      for (size_t i = 0; i < n; i++) lower[i] = (char)(word[a + i] | 0x20);
      lower[n] = '\0';
      memset(hy, 0, sizeof hy);
      char **rep = NULL;
      int *rpos = NULL, *cut = NULL;
      if (hnj_hyphen_hyphenate3(d, lower, (int)n, hy, NULL, &rep, &rpos, &cut, LEFT_MIN, RIGHT_MIN,
                                0, 0) == 0) {
        /* only plain breaks: a changed spelling at a break (rep) is not ours to draw */
        for (size_t i = LEFT_MIN - 1; i + RIGHT_MIN < n; i++)
          if ((hy[i] & 1) && !(rep && rep[i]) && count < max) pos[count++] = a + i + 1;
      }
      if (rep) {
        for (size_t i = 0; i < n; i++) free(rep[i]);
        free(rep);
      }
      free(rpos);
      free(cut);
    }
    a = b;
  }
  return count;
}
