/* hyphen — where a word may be hyphenated, from Debian's libhyphen and its
 * pattern files (hyph_<lang>.dic in /usr/share/hyphen, e.g. hyphen-en-gb).
 *
 * A set belongs to one layout run: it loads each language's dictionary the
 * first time a word of that language is asked about and frees them all with
 * the set. The dictionary for a language tag such as "en-GB" is
 * hyph_en_GB.dic, else hyph_en.dic ("en-GB-x-a": hyph_en_GB_x_a.dic, then
 * hyph_en_GB_x.dic, ...); Debian names its English files by region, so a
 * bare "en" finds none. A language with no dictionary (Welsh,
 * "cy": Debian packages none) is simply not hyphenated, without a warning.
 *
 * Only runs of at least RP_HYPHEN_MIN_WORD letters are hyphenated — ASCII
 * and the Latin letters up to Latin Extended-B (é, ö, ŵ), an apostrophe
 * between two letters counting as part of the word ("organisation’s");
 * runs touching a digit are kept whole — with at least 2 letters before a
 * break and 3 after it, never beside an apostrophe. Hyphens, U+2011 and
 * other punctuation end a run ("co‑operative": "operative" may break). */
#ifndef RP_LAYOUT_HYPHEN_H
#define RP_LAYOUT_HYPHEN_H

#include <stddef.h>

#define RP_HYPHEN_MIN_WORD 6

typedef struct rp_hyphen rp_hyphen;

/* A set finding dictionaries in `dir` (NULL: /usr/share/hyphen); words with
 * no language of their own are in `default_lang` (may be NULL: none).
 * NULL when out of memory. */
rp_hyphen *rp_hyphen_new(const char *dir, const char *default_lang);

void rp_hyphen_free(rp_hyphen *h);

/* What a set hyphenates by (its folder and default language): two sets
 * with equal ones break every word alike. Owned by h. */
void rp_hyphen_ident(const rp_hyphen *h, const char **dir, const char **default_lang);

/* Break points of word[0..len) in language `lang` (NULL: the default): byte
 * offsets, increasing, before which a hyphenated line may end with a '-'.
 * Writes at most `max` into pos and returns how many. */
size_t rp_hyphen_points(rp_hyphen *h, const char *lang, const char *word, size_t len, size_t *pos,
                        size_t max);

#endif
