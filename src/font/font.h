/* font — font faces and their metrics, read from the same TrueType files the
 * PDF back end embeds, so that measuring and drawing agree.
 *
 * Widths follow libharu's arithmetic exactly: each glyph's advance is
 * truncated to integer thousandths of an em (advance * 1000 / unitsPerEm).
 * Kerning, when asked for, comes on top: the font's own pair adjustments as
 * HarfBuzz shapes each pair of characters (GPOS, else 'kern'), rounded to
 * thousandths of an em, so that render can draw them exactly. Tabular or
 * proportional figures (OpenType tnum, pnum), when asked for, change the
 * advance of the digits the feature replaces; render draws the font's own
 * glyph centred where the replacement would stand. Only the Basic
 * Multilingual Plane is usable (libharu's limit).
 * Layout sees fonts only through this header; it never includes hpdf.h. */
#ifndef RP_FONT_FONT_H
#define RP_FONT_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/utf8.h" /* rp_utf8_decode, for the callers of the measures */

/* Which figures (digits, and the signs set with them) a run uses: the
 * font's own, or its tabular (OpenType `tnum`: every digit one width, so
 * columns of numbers line up) or proportional (`pnum`) ones where the font
 * has them. */
typedef enum rp_figures {
  RP_FIGURES_FONT = 0,
  RP_FIGURES_TABULAR = 1,
  RP_FIGURES_PROPORTIONAL = 2
} rp_figures;

/* Characters whose glyphs a figures feature may replace: 0–9 and the signs
 * set among them. */
#define RP_FONT_N_FIGURES 20

typedef struct rp_font {
  char *path; /* as resolved (owned) */
  int index;  /* position in its fontset */
  int units_per_em;
  int ascent, descent; /* thousandths of an em (descent negative) */
  int cap_height, x_height;
  double italic_angle; /* degrees, counter-clockwise from vertical ('post'); 0 upright */
  int weight;          /* OS/2 usWeightClass: 400 regular, 700 bold */
  /* The widths and coverage below are read from the file on the first
   * question about them (rp_font_read: a layout names faces, e.g. a
   * fallback's four, that a document may never draw); until then `unread`. */
  bool unread;
  /* Advance in 1/1000 em per BMP code point, by blocks of 256: NULL for a
   * block without a glyph (each of its code points gives missing_width).
   * Read through rp_font_cp_width. */
  uint16_t *width_pages[256];
  const uint8_t *covered;        /* 65536/8 bits: code point has a glyph (rp_font_covers) */
  int missing_width;             /* thousandths of an em: what libharu uses for a missing glyph */
  struct rp_font_kerner *kerner; /* HarfBuzz font and pair cache, made on the first pair
                                    (owned; private to font.c) */
  struct rp_font_file *file;     /* what reading later needs (owned; private to font.c) */
  /* Per figures style (tabular, proportional) and figure character (font.c's
   * table): the replacing glyph's advance and where the character's own
   * glyph is drawn so that its ink sits where the replacement's would, both
   * in thousandths of an em; advance -1 when the font keeps the glyph.
   * Filled on the first run set with tabular or proportional figures. */
  int16_t fig_adv[2][RP_FONT_N_FIGURES], fig_shift[2][RP_FONT_N_FIGURES];
  bool has_figures[2]; /* the font has the feature at all (tnum, pnum): rp_font_has_figures */
} rp_font;

/* Reads f's widths and coverage from its file, once (the inline readers
 * below call it). A file changed since it was loaded, or memory running
 * out, leaves the face without glyphs: rp_fontset_check reports it. */
void rp_font_read(const rp_font *f);

/* rp_font_read ahead of the first question, on a thread that has the
 * fontset to itself meanwhile (font.h's note on threads: its FreeType
 * library is used). True when f's tables are read; on a failure f is left as
 * it was, unread, for rp_font_read to try (and report) if f is ever asked
 * about. A copy's face (rp_fontset_copy_face) is left alone. */
bool rp_font_read_ahead(rp_font *f);

/* The advance of code point cp in 1/1000 em, as libharu will draw it. */
static inline int rp_font_cp_width(const rp_font *f, uint32_t cp) {
  if (__builtin_expect(f->unread, 0)) rp_font_read(f);
  const uint16_t *pg = cp < 65536 ? f->width_pages[cp >> 8] : NULL;
  return pg ? pg[cp & 255] : f->missing_width;
}

typedef struct rp_fontset {
  rp_font **fonts;
  size_t count, cap;
  void *ft; /* FT_Library, created on the first load; private to font.c */
  void *fc; /* FcConfig, made on the first family lookup; private to family.c */
  /* The line breaker's memo of the paragraphs it set last (layout/inline.c
   * makes and reads it; rp_fontset_fini frees it through memo_free). It is
   * written through a const fontset: a cache of what the fonts measure,
   * living exactly as long as they do. */
  struct rp_inline_memo *memo;
  void (*memo_free)(struct rp_inline_memo *);
} rp_fontset;

void rp_fontset_init(rp_fontset *fs);
void rp_fontset_fini(rp_fontset *fs);

/* Loads (once per file) a TrueType face and returns its index in *index.
 * A missing, unreadable, truncated or non-TrueType file is an input error
 * naming `ref_file:ref_line` (the layout line that referred to it).
 * Loading checks the whole face and reads its metrics; its widths,
 * coverage, kerning and figures are read from the file when first asked
 * for, through const (rp_font_read).
 *
 * Threads: rp_fontset_load touches nothing but `fs`, its faces and `d`
 * (each fontset has its own FreeType library), so distinct fontsets may load
 * on different threads at once. A fontset's faces, read on first use, are
 * then used by one thread at a time: handing the fontset to another thread
 * needs the usual happens-before (a join, a mutex). */
rp_status rp_fontset_load(rp_fontset *fs, const char *path, const char *ref_file, int ref_line,
                          rp_diag *d, int *index);

/* Reports, once, each face that could not be read on first use (its file
 * changed after loading, or memory ran out), at the layout line that named
 * it: an error, as when loading, so that nothing is drawn with the missing
 * widths. Call it once no more text is measured (render does, before
 * saving). */
rp_status rp_fontset_check(const rp_fontset *fs, rp_diag *d);

/* Loads, like rp_fontset_load, the face of font family `family` (a
 * fontconfig family name: "DejaVu Sans") at regular or bold weight, upright
 * or italic, as fontconfig matches it (family.c). *index is -1 with RP_OK
 * when the face is optional (!required) and the family has no face of that
 * weight or slant. Input errors naming `ref_file:ref_line` and the family:
 * the family is not installed (fontconfig would substitute another family;
 * generic names like "sans-serif" count as substitutes), or the face found
 * is not a single TrueType file. */
rp_status rp_fontset_load_family(rp_fontset *fs, const char *family, bool bold, bool italic,
                                 bool required, const char *ref_file, int ref_line, rp_diag *d,
                                 int *index);

/* A copy of a fontset for measuring on another thread while `fs` is used
 * on its own (its faces' lazily filled tables are not to be shared): made
 * empty, its faces copied one by one as needed (rp_fontset_copy_face, on
 * the thread that uses `fs`, before handing the copy over), each with the
 * pairs its face kerned so far and a HarfBuzz font of its own for the
 * rest. Widths and coverage are shared, read-only: a face not yet read is
 * measured without glyphs by the copy, which then says it was wanted
 * (rp_fontset_copy_wanted, of face `index`), as it does when a late read fails: what it
 * measured is then to be measured again with `fs`. Other faces are NULL.
 * The copy lives no longer than `fs`. NULL / false when out of memory. */
rp_fontset *rp_fontset_copy_new(const rp_fontset *fs);
bool rp_fontset_copy_face(rp_fontset *copy, const rp_fontset *fs, int index);
bool rp_fontset_copy_wanted(const rp_fontset *copy, int index);
/* The pairs the copy's faces kerned that their faces in `fs` lack, added
 * to them (the values are the same: what the copy shaped is not shaped
 * again), once the other thread is done with the copy; only faces `fs`
 * kerned already. */
void rp_fontset_copy_merge(rp_fontset *copy, const rp_fontset *fs);
void rp_fontset_copy_free(rp_fontset *copy);

/* Frees the fontconfig configuration (rp_fontset_fini calls it). */
void rp_fontset_family_fini(rp_fontset *fs);

/* Most fallback faces a style may have (layout's <font fallback>). */
#define RP_FONT_MAX_FALLBACK 4

static inline const rp_font *rp_fontset_get(const rp_fontset *fs, int index) {
  return fs->fonts[index];
}

/* True when the face has a glyph for code point cp. */
static inline bool rp_font_covers(const rp_font *f, uint32_t cp) {
  /* inline: the line breaker asks for every character it sets */
  if (__builtin_expect(f->unread, 0)) rp_font_read(f);
  return cp < 0x10000u && (f->covered[cp >> 3] >> (cp & 7) & 1);
}

/* Width in points of UTF-8 text at `size_pt`, with `tracking` extra
 * thousandths of an em after every character. Invalid UTF-8 counts as U+FFFD. */
double rp_font_width(const rp_font *f, const char *utf8, size_t len, double size_pt,
                     double tracking);

/* Kerning between characters a and b (a before b) in thousandths of an em:
 * the change HarfBuzz makes to a's advance when it shapes "ab" with the
 * font's pair kerning, rounded; 0 when the font does not kern the pair, and
 * always 0 next to a space (U+0020, U+00A0), so that words are measured
 * apart. Negative brings b closer. */
int rp_font_kern(const rp_font *f, uint32_t a, uint32_t b);

/* rp_font_width with, when `kern`, rp_font_kern added between every pair of
 * adjacent characters: what render draws for a text item with `kern` set.
 * With kern false it is rp_font_width exactly. */
double rp_font_measure(const rp_font *f, const char *utf8, size_t len, double size_pt,
                       double tracking, bool kern);

/* The advance of cp in thousandths of an em with figures `fig`, and in
 * *shift where its glyph is drawn from the pen: render draws the font's own
 * glyph for cp (libharu draws by character), moved by *shift and followed
 * by the returned advance, which is where the replacing glyph would be. For
 * the font's own figures, or a character the feature leaves alone, that is
 * rp_font_width's advance with no shift. */
int rp_font_advance(const rp_font *f, uint32_t cp, rp_figures fig, int *shift);

/* True when the face has OpenType tabular (RP_FIGURES_TABULAR) or
 * proportional figures; false for RP_FIGURES_FONT. */
bool rp_font_has_figures(const rp_font *f, rp_figures fig);

/* rp_font_kern, but 0 where either character is a figure replaced by `fig`:
 * tabular figures keep their widths, and the pair was kerned for other
 * glyphs. */
int rp_font_kern_fig(const rp_font *f, uint32_t a, uint32_t b, rp_figures fig);

/* rp_font_measure with figures `fig` (rp_font_advance per character, kerning
 * by rp_font_kern_fig): what render draws for a text item with `figures`.
 * With RP_FIGURES_FONT it is rp_font_measure exactly. */
double rp_font_measure_fig(const rp_font *f, const char *utf8, size_t len, double size_pt,
                           double tracking, bool kern, rp_figures fig);

/* rp_font_kern between the last character of l[0..llen) and the first of
 * r[0..rlen): what joining two runs of one face into one would add. */
int rp_font_kern_join(const rp_font *f, const char *l, size_t llen, const char *r, size_t rlen);

/* The face cut down to code points cps[0..n) and what drawing them needs
 * (subset.c): malloc'd TrueType bytes in *out (the caller frees), or false
 * when the face cannot be subset (render refuses it: libharu's parser is
 * weaker than HarfBuzz's). */
bool rp_font_subset(const rp_font *f, const uint32_t *cps, size_t n, unsigned char **out,
                    size_t *len);
/* The same for the TrueType file at `path`; with `retain_gids` every glyph
 * keeps its id (the glyphs not needed are left empty), so that a PDF's
 * CIDToGIDMap made for the whole file stays right. */
bool rp_font_subset_file(const char *path, const uint32_t *cps, size_t n, bool retain_gids,
                         unsigned char **out, size_t *len);

/* Releases each face's HarfBuzz font, the kerner's copy of its shaping
 * tables (most of a face's memory), keeping the pairs it measured: for when
 * no more text is set, e.g. once every page is drawn. A pair not measured
 * before still gets its value, the font made again from the file (0 if that
 * fails). */
void rp_fontset_rest(const rp_fontset *fs);

/* The font libraries and their versions, for `reviewpdf --version`. */
void rp_font_libraries(char *buf, size_t n);

#endif
