/* inline — breaking a paragraph's styled text into lines.
 *
 * Input is a paragraph's spans (bound/blocks.h): runs of UTF-8 text, each
 * with a resolved style and an optional link. Output is lines of positioned
 * fragments, measured with font.h exactly as libharu will draw them.
 *
 * Text rules: runs of whitespace collapse to one word space; spaces at the
 * start and end of a line are neither drawn nor counted. Lines break at word
 * spaces, at U+200B, and after '-', U+2010, U+2013 or U+2014 when a letter or
 * digit follows (the dash stays at the end of the line); never elsewhere
 * inside a word, unless the word alone is wider than the line. Such a word
 * (a handle, address, URL or path) breaks, without a hyphen, before an '@'
 * that does not open it, after '/' (not between "//"), after '.', '-' or '_'
 * before a letter or digit, and before '?', '#', '&' or '='; a part with no
 * such point that is still too wide breaks between characters. U+2028 (what
 * <br/> becomes) forces a break: consecutive ones count as one, and one at
 * either end of the paragraph is ignored. U+00A0 never breaks; U+00AD is
 * dropped.
 * `uppercase` styles uppercase ASCII and Latin-1 letters (ß → SS).
 *
 * Faces: each character is drawn in the style's font when it has it, else in
 * the first of the style's fallback faces that does (<font fallback>); text
 * is cut into runs by face, each measured and drawn in its own. Characters
 * no face has are replaced (U+2011, U+2212 → '-', curly quotes → straight,
 * U+00A0 → space, U+2026 → "...", others → '?') in the style's font and
 * reported as a warning at the span's content line (else the style's layout
 * line), once per character in a paragraph; the text never holds a character
 * that would print as an empty box.
 *
 * Sub- and superscript spans (rp_span.script) are set at 70 % of the style's
 * size with the baseline raised 0.33 or lowered 0.15 of it; they leave the
 * line's ascent, descent and leading as the style has them.
 *
 * Breaking: total fit, as in Knuth–Plass but without stretch/shrink classes:
 * among all ways to break at the opportunities above, the chosen one has
 * first the fewest breaks between characters, then the fewest at the points
 * inside overlong words, then the least sum of
 * squared slack (line width minus natural width, pt²) over every line but the
 * last and those ending at a forced break, which are free, plus for each
 * hyphenated line a penalty of (RP_INLINE_HYPHEN_PENALTY × size)² and for a second in a
 * row (RP_INLINE_CONSEC_PENALTY ×
 * size)² more. Never three hyphenated lines in a row,
 * nor a hyphen on the line before the last. A line may be
 * overfull only when it holds a single character wider than the line. */
#ifndef RP_LAYOUT_INLINE_H
#define RP_LAYOUT_INLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"
#include "bound/blocks.h"
#include "font/font.h"
#include "layout/hyphen.h"
#include "page/items.h"

/* Demerits of a hyphenated line, and more for the second in a row, as
 * (factor × the style's size)² pt²: comparable to that much slack. */
#define RP_INLINE_HYPHEN_PENALTY 0.8
#define RP_INLINE_CONSEC_PENALTY 1.5

/* A run of text drawn with one style in one face at one position. To draw
 * it: set face `font` at `size`, character spacing tracking * size / 1000
 * pt, and show `text` with its baseline's start at (paragraph left + x, line
 * baseline - rise). Word spacing is never needed: justification is done by
 * placing each word as its own fragment. */
typedef struct rp_frag {
  const char *text;      /* UTF-8 as drawn (uppercased, substituted); NUL-terminated */
  size_t len;            /* bytes of text */
  const rp_style *style; /* borrowed from the span */
  const char *href;      /* link target or NULL, borrowed from the span */
  const rp_span *span;   /* the (first) span its text is from: script, language, source */
  int font;              /* fontset index: the style's font, or one of its fallbacks */
  double size;           /* pt as drawn: the style's, 70 % for sub/superscript */
  double rise;           /* pt the baseline is raised (negative: lowered) */
  double x;              /* pt from the paragraph's left edge, indent and alignment included */
  double width;          /* pt: advance of text, tracking included (rp_font_width) */
  bool space_after;      /* a word space follows in the source (a gap, not drawn) */
} rp_frag;

typedef struct rp_line {
  rp_frag *frags; /* left to right; never empty */
  size_t n_frags;
  double width;    /* pt: natural width of the content (no indent, no stretch) */
  double ascent;   /* pt above the baseline: largest font ascent * size on the line */
  double descent;  /* pt, negative (below the baseline): like rp_font.descent */
  double leading;  /* pt: largest style->leading on the line */
  bool last;       /* the paragraph's last line */
  bool forced;     /* ends at a forced break (<br/>): never justified */
  bool hyphenated; /* ends inside a word: its last fragment ends in the '-' added */
} rp_line;

typedef struct rp_lines {
  rp_line *lines;
  size_t n;
  double demerits; /* pt²: squared slack and hyphen penalties of the breaking chosen */
} rp_lines;

/* Breaks `spans` into lines `width` pt wide; the first line starts
 * `first_indent` pt further right (negative: further left) and is that much
 * narrower (wider). Alignment: left, right, centre place each line's content
 * in its width; justify spreads the slack evenly over the word spaces of
 * every line but the last and lines with a single word, which are left
 * aligned; so are lines ending at a forced break. A line that overflows (one
 * character wider than the line) is left aligned. Adjacent words of the same
 * style, link, face, script and language share one fragment ("a b"), except
 * on justified lines, where every word is its own fragment.
 *
 * Everything in *out is allocated from `a` (texts included; styles, hrefs
 * and rp_frag.span are borrowed from the spans, which rp_inline_rest reads
 * again) and lives as long as the arena; the working data (atoms, breaking
 * tables) lives in a child arena freed before returning. A paragraph with no visible text
 * gives out->n == 0. Characters no face has are warnings in `d` (see above).
 * Returns RP_OK, or
 * RP_ERR_INTERNAL for a span without a style or font, or out of memory, with
 * *out empty. */
rp_status rp_inline_break(rp_arena *a, const rp_fontset *fs, const rp_span *spans, double width,
                          double first_indent, rp_align align, rp_lines *out, rp_diag *d);

/* rp_inline_break, hyphenating the words of styles with `hyphenate` with
 * the dictionaries of `hy` (NULL: none) in each span's language. */
rp_status rp_inline_break_hy(rp_arena *a, const rp_fontset *fs, rp_hyphen *hy, const rp_span *spans,
                             double width, double first_indent, rp_align align, rp_lines *out,
                             rp_diag *d);

/* Whether the paragraphs set from now on are kept (to 2 MB) for a layout
 * known to follow, which then sets them from the memo instead of again;
 * else the memo holds the last few. */
void rp_inline_memo_keep(const rp_fontset *fs, bool on);
/* Back to the last few paragraphs, keeping off: once the last layout is done. */
void rp_inline_memo_trim(const rp_fontset *fs);
/* For tests: how many paragraphs the memo has set so far. */
size_t rp_inline_memo_hits(const rp_fontset *fs);

/* Fills the text fields and geometry of `it` (an RP_ITEM_TEXT) so that it
 * draws `fr` with its baseline starting at (x, baseline); role, structure ids
 * and source are the caller's. */
void rp_frag_to_item(const rp_frag *fr, double x, double baseline, rp_item *it);

/* The text of lines [from, ls->n) as spans again, one per fragment, word
 * spaces and forced breaks restored, added hyphens removed, with their spans' script, language
 * and source — to break the rest of a paragraph at another width (e.g.
 * after a column break into a narrower column). Arena-allocated; *out is NULL
 * when nothing is left. Returns RP_ERR_INTERNAL when out of memory. */
rp_status rp_inline_rest(rp_arena *a, const rp_lines *ls, size_t from, rp_span **out, rp_diag *d);

/* Content widths of a paragraph, pt: *min_w its widest unbreakable piece
 * (the narrowest width it can be set in without breaking inside a word),
 * *max_w its width on one line (its widest line when it has forced breaks).
 * For table columns and shrink-to-fit. Same
 * text rules, warnings and errors as rp_inline_break. */
rp_status rp_inline_measure(rp_arena *a, const rp_fontset *fs, const rp_span *spans, double *min_w,
                            double *max_w, rp_diag *d);

#endif
