/* inline — see inline.h. Three passes over a paragraph:
 *
 *   1. tokenize: the spans' text, uppercased and with missing characters
 *      replaced, is copied into one buffer and cut into atoms — the pieces
 *      between two break opportunities. An atom is one or more pieces (one
 *      per style and link) and records what follows it: a word space (glue
 *      that is dropped at a line end and stretched when justifying), a tight
 *      break (after a dash, at U+200B), a soft break inside an overlong
 *      handle, address, URL or path, a break between the characters of an
 *      overlong word with no such point, or the end of the paragraph.
 *   2. break: a shortest-path search over atom boundaries (Knuth & Plass,
 *      "Breaking Paragraphs into Lines", 1981, reduced to fixed-width glue)
 *      minimising first the breaks between characters, then the soft breaks,
 *      then the sum of squared slack of every line but the last.
 *   3. place: each line becomes fragments with x offsets for its alignment.
 *
 * Invariant: a fragment's width is the sum of the measured widths of what it
 * holds, and x offsets advance by the same numbers, so positions, widths and
 * the breaker's natural widths agree to the last bit of rounding.
 * Passes 1 and 2 (text, pieces, atoms, the breaking tables) work in a
 * scratch arena freed when the paragraph is done: only the lines placed in
 * pass 3 go to the caller's arena, which otherwise grew by every paragraph's
 * working data until the render ended. */
#include "layout/inline.h"
#include "base/mem.h"
#include "base/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* pt: rounding allowance when a line exactly fills its width. */
#define FIT_EPS 1e-6

typedef enum brk {
  BRK_SPACE,  /* a word space follows */
  BRK_TIGHT,  /* a break without a space: after a dash, at U+200B */
  BRK_SOFT,   /* inside a word wider than the line, at a point such as "@" or "/" */
  BRK_CHAR,   /* between two characters of a word wider than the line with no such point */
  BRK_FORCED, /* a forced line break: U+2028, what <br/> becomes */
  BRK_HYPHEN, /* a hyphenation point inside a word: a '-' is drawn if a line ends here */
  BRK_END,    /* end of the paragraph */
} brk;

/* Sub- and superscripts: set at SCRIPT_SCALE of the style's size, the
 * baseline raised SUP_RISE or lowered SUB_DROP of that size. Line ascent,
 * descent and leading stay the style's: a script never moves lines apart. */
#define SCRIPT_SCALE 0.7
#define SUP_RISE 0.33
#define SUB_DROP 0.15

#define HYPHEN_PENALTY RP_INLINE_HYPHEN_PENALTY
#define CONSEC_PENALTY RP_INLINE_CONSEC_PENALTY
#define MAX_CONSEC 2 /* hyphenated lines in a row */

typedef struct piece {
  const rp_style *style;
  const char *href;
  const rp_span *span; /* the first span it holds text of: script, language, source */
  int face;            /* fontset index it is drawn in: the style's font or a fallback */
  size_t off, len;     /* bytes in par.text */
  double width;        /* pt */
} piece;

typedef struct atom {
  size_t p0, np; /* its pieces */
  size_t chars;  /* characters, to know whether it can be split */
  double width;  /* pt */
  double space;  /* pt: the word space after it (BRK_SPACE), in its last piece's style */
  double hyph;   /* pt: the '-' drawn when a line ends after it (BRK_HYPHEN) */
  double size;   /* pt: its last piece's size, to scale hyphen penalties */
  brk brk;
} atom;

typedef struct par {
  rp_arena *a;   /* scratch: freed when the paragraph is done */
  rp_arena *out; /* the caller's: the lines placed */
  const rp_fontset *fs;
  rp_diag *d;
  rp_hyphen *hy; /* NULL: no hyphenation */
  char *text;    /* the paragraph as drawn, atoms back to back without spaces */
  size_t text_len;
  rp_vec pieces; /* piece */
  rp_vec atoms;  /* atom */
  bool atom_open;
  bool dash_pending;   /* the last character was a dash that breaks before a letter */
  size_t word_chars;   /* characters since the last word space */
  uint32_t warned[16]; /* characters no font has, reported for this paragraph */
  size_t n_warned;
  /* for the memo (below): the paragraph's spans in order, and the warnings
   * given, to give them again when the memo sets the paragraph */
  const rp_span *const *span_arr;
  size_t n_spans;
  struct memo_warn {
    uint32_t span, c;
    const char *sub;
  } warns[16];
  size_t n_warns;
  bool warns_lost; /* more than warns[] holds: not memoised */
} par;

#define PIECE(p, i) RP_VEC_AT((p)->pieces, piece, i)
#define ATOM(p, i) RP_VEC_AT((p)->atoms, atom, i)

static rp_status oom(rp_diag *d) {
  return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory while setting text");
}

/* ---- characters ----------------------------------------------------------- */

static bool is_space(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0x2029;
}

/* Dashes after which a line may break: hyphen-minus, hyphen, en dash, em dash.
 * Not U+2011, the non-breaking hyphen. */
static bool is_break_dash(uint32_t c) {
  return c == '-' || c == 0x2010 || c == 0x2013 || c == 0x2014;
}

/* Letters and digits, approximately: ASCII alphanumerics and anything from
 * Latin-1 letters up that is not punctuation, a symbol or private use. */
static bool is_word_char(uint32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  if (c < 0xC0) return c == 0xAA || c == 0xB5 || c == 0xBA;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x2BFF) return false; /* punctuation, symbols, arrows, maths */
  if (c >= 0x3000 && c <= 0x303F) return false; /* CJK punctuation */
  if (c >= 0xE000 && c <= 0xF8FF) return false; /* private use */
  return c < 0xFFF0;
}

/* Uppercase of ASCII and Latin-1 letters into out[]; returns how many
 * characters. Keeps the letter as it is when the font lacks its capital. */
static size_t upper(const rp_font *f, uint32_t c, uint32_t out[2]) {
  if (c == 0xDF) { /* ß */
    out[0] = out[1] = 'S';
    return 2;
  }
  uint32_t u = c;
  if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) u = c - 0x20;
  if (c == 0xFF) u = 0x178; /* ÿ → Ÿ, outside Latin-1 */
  out[0] = u != c && !rp_font_covers(f, u) && rp_font_covers(f, c) ? c : u;
  return 1;
}

/* What to draw instead of a character the font lacks. */
static const char *substitute(uint32_t c) {
  switch (c) {
    case 0x00A0:
      return " ";
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2212:
      return "-";
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
      return "'";
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
      return "\"";
    case 0x2026:
      return "...";
    default:
      return "?";
  }
}

static const rp_font *font_of(const par *p, const rp_style *st) {
  return rp_fontset_get(p->fs, st->font);
}

/* A fixed-width space no face of the style has (Open Sans has no U+202F,
 * the narrow no-break space of "7.4 m" and "33 000") is set as the style
 * font's thin space, else a word space, quietly: the reader loses nothing.
 * It stays inside its word: only is_space characters are break points. */
static uint32_t narrow_space_stand_in(const rp_font *f, uint32_t c) {
  if (!(c >= 0x2007 && c <= 0x200A) && c != 0x202F) return 0;
  return rp_font_covers(f, 0x2009) ? 0x2009 : ' ';
}

/* The face that draws c: the style's own, else its fallbacks in order; -1
 * when none has it. */
static int face_for(const par *p, const rp_style *st, uint32_t c) {
  if (rp_font_covers(font_of(p, st), c)) return st->font;
  for (int i = 0; i < st->n_fallback; i++)
    if (rp_font_covers(rp_fontset_get(p->fs, st->fallback[i]), c)) return st->fallback[i];
  return -1;
}

static bool same_str(const char *x, const char *y) {
  return x == y || (x && y && strcmp(x, y) == 0);
}

/* Warns that no face of span sp's style has c, at the content line holding
 * it (the style's layout line for the layout's own text): once per character
 * in a paragraph, and once per place in the diagnostics, whose record is
 * what keeps re-breaks, repeated headers and shrink-to-fit quiet. */
static void warn_missing(par *p, const rp_span *sp, uint32_t c, const char *sub) {
  for (size_t i = 0; i < p->n_warned; i++)
    if (p->warned[i] == c) return;
  if (p->n_warned < sizeof p->warned / sizeof p->warned[0]) p->warned[p->n_warned++] = c;
  if (p->span_arr) {
    size_t k = 0;
    while (k < p->n_spans && p->span_arr[k] != sp) k++;
    if (p->n_warns < sizeof p->warns / sizeof p->warns[0] && k < p->n_spans)
      p->warns[p->n_warns++] = (struct memo_warn){(uint32_t)k, c, sub};
    else
      p->warns_lost = true;
  }
  const rp_style *st = sp->style;
  char glyph[16] = "";
  if (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0)) {
    glyph[0] = ' ';
    glyph[1] = '\'';
    size_t n = 2 + rp_utf8_encode(c, glyph + 2);
    glyph[n] = '\'';
  }
  char also[512] = "";
  for (int i = 0, o = 0; i < st->n_fallback && o < (int)sizeof also; i++)
    o += snprintf(also + o, sizeof also - (size_t)o, "%s%s", i ? ", " : " (nor in its fallback ",
                  rp_fontset_get(p->fs, st->fallback[i])->path);
  if (also[0]) strncat(also, ")", sizeof also - strlen(also) - 1);
  char msg[1024];
  snprintf(msg, sizeof msg, "character U+%04X%s is not in font %s%s: drawn as '%s'%s", (unsigned)c,
           glyph, font_of(p, st)->path, also, sub,
           c > 0xFFFF ? " (the PDF writer draws only the Basic Multilingual Plane, U+0000-U+FFFF)"
           : st->n_fallback ? ""
                            : "; name a fallback font role that has it (<font fallback>)");
  const char *file = sp->src_file ? sp->src_file : st->src_file;
  int line = sp->src_file ? sp->src_line : st->src_line;
  for (size_t i = 0; i < p->d->count; i++) {
    const rp_diag_entry *e = &p->d->entries[i];
    if (e->message && strcmp(e->message, msg) == 0 && same_str(e->file, file) && e->line == line)
      return;
  }
  rp_diag_about ab = {.code = RP_DIAG_MISSING_GLYPH,
                      .src = {st->src_file, st->src_line, sp->src_file, sp->src_line},
                      .content_first = true};
  rp_diag_warn_about(p->d, &ab, "%s", msg);
}

/* rp_vec_push, without a call while there is room (a paragraph pushes an
 * atom and a piece a word, into vectors reserved beforehand). */
static inline void *push(rp_arena *a, rp_vec *v, size_t elem_size) {
  if (v->len == v->cap) return rp_vec_push(a, v, elem_size);
  void *slot = (unsigned char *)v->data + v->len * elem_size;
  memset(slot, 0, elem_size);
  v->len++;
  return slot;
}

/* ---- pass 1: atoms --------------------------------------------------------- */

static void close_atom(par *p, brk b) {
  if (p->atom_open) {
    ATOM(p, p->atoms.len - 1).brk = b;
    p->atom_open = false;
  } else if ((b == BRK_SPACE || b == BRK_FORCED) && p->atoms.len > 0 &&
             ATOM(p, p->atoms.len - 1).brk != BRK_FORCED) {
    /* U+200B followed by a space; a space or dash followed by <br/>; a space
     * after <br/> leaves it forced (consecutive <br/>s are one) */
    ATOM(p, p->atoms.len - 1).brk = b;
  }
  p->dash_pending = false;
}

static bool same_href(const char *x, const char *y) {
  return x == y || (x && y && strcmp(x, y) == 0);
}

/* Spans whose text may share a piece: same script and language. */
static bool same_kind(const rp_span *x, const rp_span *y) {
  return x == y || (x && y && x->script == y->script && same_str(x->lang, y->lang) &&
                    x->note == y->note && x->note_label == y->note_label);
}

/* Appends one drawn character (n bytes) of span sp, drawn in face `face`,
 * to the open atom. */
static rp_status append(par *p, const rp_span *sp, int face, const char *bytes, size_t n) {
  const rp_style *st = sp->style;
  const char *href = sp->href;
  if (!p->atom_open) {
    atom *at = push(p->a, &p->atoms, sizeof(atom));
    if (!at) return oom(p->d);
    at->p0 = p->pieces.len;
    at->brk = BRK_END;
    p->atom_open = true;
  }
  atom *at = &ATOM(p, p->atoms.len - 1);
  piece *last = at->np ? &PIECE(p, at->p0 + at->np - 1) : NULL;
  if (!last || last->style != st || !same_href(last->href, href) || last->face != face ||
      !same_kind(last->span, sp) || last->off + last->len != p->text_len) {
    last = push(p->a, &p->pieces, sizeof(piece));
    if (!last) return oom(p->d);
    last->style = st;
    last->href = href;
    last->span = sp;
    last->face = face;
    last->off = p->text_len;
    at->np++;
  }
  if (n == 1)
    p->text[p->text_len] = bytes[0]; /* most characters: no call */
  else
    memcpy(p->text + p->text_len, bytes, n);
  p->text_len += n;
  last->len += n;
  at->chars++;
  return RP_OK;
}

/* A style whose faces are all in the fontset. */
static bool style_ok(const rp_fontset *fs, const rp_style *st) {
  if (!st || st->font < 0 || (size_t)st->font >= fs->count || st->n_fallback < 0 ||
      st->n_fallback > RP_FONT_MAX_FALLBACK)
    return false;
  for (int i = 0; i < st->n_fallback; i++)
    if (st->fallback[i] < 0 || (size_t)st->fallback[i] >= fs->count) return false;
  return true;
}

/* Room for `cap` elements in empty vector v, uninitialised (rp_vec_push
 * clears each slot): a paragraph's atoms and pieces interleave in the
 * scratch arena, so neither grows in place, and doubling from 8 copied them
 * at every step. Past `cap` they grow as usual. */
static bool reserve(rp_arena *a, rp_vec *v, size_t cap, size_t elem_size) {
  if (v->len != 0 || v->cap >= cap) return true;
  void *d = rp_arena_alloc_raw(a, cap * elem_size);
  if (!d) return false;
  v->data = d;
  v->cap = cap;
  return true;
}

/* Atoms reserved for a paragraph of `bytes`: a word and its space are
 * rarely under five bytes; capped, so that a long paragraph grows rather
 * than reserving far more than it uses. */
static size_t atoms_for(size_t bytes) {
  size_t n = bytes / 5 + 8;
  return n < 2048 ? n : 2048;
}

static rp_status tokenize(par *p, const rp_span *spans) {
  size_t total = 0, n_spans = 0;
  for (const rp_span *sp = spans; sp; sp = sp->next, n_spans++) {
    if (!style_ok(p->fs, sp->style))
      return rp_diag_error(p->d, RP_ERR_INTERNAL, NULL, 0, 0,
                           "text span without a style or with an unknown font");
    if (sp->text) total += strlen(sp->text);
  }
  /* A byte becomes at most three (an invalid byte turns into U+FFFD). */
  p->text = rp_arena_alloc_raw(p->a, 3 * total + 1); /* written before it is read */
  if (!p->text || !reserve(p->a, &p->atoms, atoms_for(total), sizeof(atom)) ||
      !reserve(p->a, &p->pieces, atoms_for(total) + n_spans, sizeof(piece)))
    return oom(p->d);

  for (const rp_span *sp = spans; sp; sp = sp->next) {
    if (!sp->text) continue;
    const rp_style *st = sp->style;
    const rp_font *f = font_of(p, st);
    size_t n = strlen(sp->text);
    for (size_t i = 0; i < n;) {
      uint32_t cp = (unsigned char)sp->text[i];
      if (cp < 0x80)
        i++; /* ASCII without a call */
      else
        i += rp_utf8_decode(sp->text + i, n - i, &cp);
      if (is_space(cp)) {
        close_atom(p, BRK_SPACE);
        p->word_chars = 0;
        continue;
      }
      if (cp == 0x200B) { /* zero width space: a break opportunity, nothing drawn */
        close_atom(p, BRK_TIGHT);
        p->word_chars = 0;
        continue;
      }
      if (cp == 0x2028) { /* line separator (<br/>): a forced break, nothing drawn */
        close_atom(p, BRK_FORCED);
        p->word_chars = 0;
        continue;
      }
      if (cp == 0x00AD) continue; /* soft hyphen: no hyphenation, never drawn */
      uint32_t chars[2] = {cp, 0};
      size_t nc = st->uppercase ? upper(f, cp, chars) : 1;
      bool own = false; /* the last character went into the style's own face */
      for (size_t k = 0; k < nc; k++) {
        uint32_t c = chars[k];
        if (p->dash_pending && is_word_char(c)) close_atom(p, BRK_TIGHT);
        char enc[4];
        const char *out = enc;
        size_t len;
        int face = face_for(p, st, c);
        uint32_t stand_in = face < 0 ? narrow_space_stand_in(f, c) : 0;
        if (face >= 0 && c < 0x80) {
          enc[0] = (char)c;
          len = 1;
        } else if (face >= 0 || stand_in) {
          len = rp_utf8_encode(stand_in ? stand_in : c, enc);
          if (stand_in) face = st->font;
        } else {
          out = substitute(c);
          len = strlen(out);
          face = st->font;
          warn_missing(p, sp, c, out);
        }
        rp_status s = append(p, sp, face, out, len);
        if (s != RP_OK) return s;
        /* A dash opening a word ("-5", "–and") is no break: nothing before it. */
        p->dash_pending = is_break_dash(c) && p->word_chars > 0;
        p->word_chars++;
        own = face == st->font;
      }
      /* The printable ASCII after it that is neither a space nor a dash and
       * that the face has goes into the same atom and piece, byte for byte,
       * exactly as the loop above would put it there one at a time. */
      if (own && !p->dash_pending && !st->uppercase) {
        size_t j = i;
        while (j < n) {
          unsigned char b = (unsigned char)sp->text[j];
          if (b < 0x21 || b > 0x7E || b == '-' || !rp_font_covers(f, b)) break;
          j++;
        }
        if (j > i) {
          atom *at = &ATOM(p, p->atoms.len - 1);
          piece *last = &PIECE(p, at->p0 + at->np - 1);
          memcpy(p->text + p->text_len, sp->text + i, j - i);
          p->text_len += j - i;
          last->len += j - i;
          at->chars += j - i;
          p->word_chars += j - i;
          i = j;
        }
      }
    }
  }
  if (p->atoms.len > 0) ATOM(p, p->atoms.len - 1).brk = BRK_END;
  p->atom_open = false;
  return RP_OK;
}

/* pt: the size a piece is set at, and how far its baseline is raised. */
static double piece_size(const piece *pc) {
  bool script = pc->span && pc->span->script != RP_SCRIPT_NONE;
  return script ? pc->style->size * SCRIPT_SCALE : pc->style->size;
}

static double piece_rise(const piece *pc) {
  rp_script s = pc->span ? pc->span->script : RP_SCRIPT_NONE;
  return s == RP_SCRIPT_SUP   ? pc->style->size * SUP_RISE
         : s == RP_SCRIPT_SUB ? -pc->style->size * SUB_DROP
                              : 0;
}

/* Width of bytes [off, off + len) of the paragraph in piece pc's face. */
static double piece_width(const par *p, const piece *pc, size_t off, size_t len) {
  return rp_font_measure_fig(rp_fontset_get(p->fs, pc->face), p->text + off, len, piece_size(pc),
                             pc->style->tracking, pc->style->kerning, pc->style->figures);
}

static void measure(par *p) {
  const rp_style *space_style = NULL;
  double space = 0;
  for (size_t i = 0; i < p->pieces.len; i++) {
    piece *pc = &PIECE(p, i);
    pc->width = piece_width(p, pc, pc->off, pc->len);
  }
  for (size_t i = 0; i < p->atoms.len; i++) {
    atom *at = &ATOM(p, i);
    at->width = 0;
    for (size_t q = 0; q < at->np; q++) at->width += PIECE(p, at->p0 + q).width;
    at->space = 0;
    if (at->brk == BRK_SPACE) {
      const rp_style *st = PIECE(p, at->p0 + at->np - 1).style;
      if (st != space_style) /* most spaces are the last one's style */
        space_style = st, space = rp_font_width(font_of(p, st), " ", 1, st->size, st->tracking);
      at->space = space;
    }
  }
}

/* A character of an overlong atom: where it is and what it is. */
typedef struct chpos {
  /* its piece (index in p->pieces) and bytes in par.text: 32 bits suffice
   * (documents are at most RP_XML_MAX_BYTES), and halve a long word's cost */
  uint32_t piece, off, len;
  uint32_t cp;
} chpos;

/* Whether a word may break before character i of cs[0..n) when it is too
 * wide for any line: the points where handles, e-mail addresses, URLs and
 * paths are broken by hand ("@name" / "@social.example", "example.org/" /
 * "annual-review"). Never at the word's first character, nor between "//". */
static bool soft_break_before(const chpos *cs, size_t n, size_t i) {
  if (i == 0 || i >= n) return false;
  uint32_t c = cs[i].cp, prev = cs[i - 1].cp;
  if (c == '@' || c == '?' || c == '#' || c == '&' || c == '=') return true;
  if (i < 2) return false; /* "/usr", ".config": nothing before the mark */
  if (prev == '/') return c != '/';
  return (prev == '.' || prev == '-' || prev == '_') && is_word_char(c);
}

/* Appends to pieces/atoms one atom holding characters cs[a..b) of an atom,
 * split into pieces where cs changes piece, each measured again. */
static rp_status push_range(par *p, rp_vec *pieces, rp_vec *atoms, const chpos *cs, size_t a,
                            size_t b, brk k, double space) {
  atom *na = push(p->a, atoms, sizeof(atom));
  if (!na) return oom(p->d);
  *na = (atom){.p0 = pieces->len, .chars = b - a, .brk = k, .space = space};
  for (size_t i = a; i < b; i++) {
    if (i == a || cs[i].piece != cs[i - 1].piece) {
      piece *np = push(p->a, pieces, sizeof(piece));
      if (!np) return oom(p->d);
      *np = PIECE(p, cs[i].piece);
      np->off = cs[i].off;
      np->len = 0;
      na->np++;
    }
    RP_VEC_AT(*pieces, piece, pieces->len - 1).len += cs[i].len;
  }
  for (size_t q = na->p0; q < pieces->len; q++) {
    piece *pc = &RP_VEC_AT(*pieces, piece, q);
    pc->width = piece_width(p, pc, pc->off, pc->len);
    na->width += pc->width;
  }
  return RP_OK;
}

/* Longest run of characters with no sensible break that is split between
 * every pair of characters; a longer one (a pasted hash, a runaway word: a
 * million characters took 800 MB as one atom per character) is cut into
 * line-wide chunks instead, so it starts on a line of its own. */
#define RP_INLINE_CHAR_RUN 256

/* Appends characters cs[a..b) as atoms each as wide as fits in `limit`
 * (at least one character), broken between characters (BRK_CHAR); the last
 * keeps break k and space. Widths are summed per character to find the cut
 * and measured whole after (kerning), giving back characters if needed. */
static rp_status push_chunks(par *p, rp_vec *pieces, rp_vec *atoms, const chpos *cs, size_t a,
                             size_t b, brk k, double space, double limit) {
  while (a < b) {
    size_t e = a;
    double w = 0;
    while (e < b) {
      const piece *pc = &PIECE(p, cs[e].piece);
      double cw = piece_width(p, pc, cs[e].off, cs[e].len);
      if (e > a && w + cw > limit + FIT_EPS) break;
      w += cw;
      e++;
    }
    for (;;) {
      size_t first = atoms->len;
      rp_status s = push_range(p, pieces, atoms, cs, a, e, e < b ? BRK_CHAR : k, e < b ? 0 : space);
      if (s != RP_OK) return s;
      if (RP_VEC_AT(*atoms, atom, first).width <= limit + FIT_EPS || e - a == 1) break;
      pieces->len = RP_VEC_AT(*atoms, atom, first).p0;
      atoms->len = first;
      e--;
    }
    a = e;
  }
  return RP_OK;
}

/* Splits overlong atom `at` into pieces/atoms: at its soft break points
 * (BRK_SOFT), and each part still wider than `limit` between its characters
 * (BRK_CHAR). The last part keeps the atom's own break and space. */
static rp_status split_atom(par *p, rp_vec *pieces, rp_vec *atoms, const atom *at, double limit) {
  size_t n = 0;
  for (size_t q = 0; q < at->np; q++) n += PIECE(p, at->p0 + q).len; /* ≥ characters */
  chpos *cs = rp_arena_calloc(p->a, n ? n : 1, sizeof *cs);
  if (!cs) return oom(p->d);
  n = 0;
  for (size_t q = 0; q < at->np; q++) {
    const piece *pc = &PIECE(p, at->p0 + q);
    for (size_t off = pc->off; off < pc->off + pc->len;) {
      size_t len = rp_utf8_decode(p->text + off, pc->off + pc->len - off, &cs[n].cp);
      cs[n].piece = (uint32_t)(at->p0 + q);
      cs[n].off = (uint32_t)off;
      cs[n++].len = (uint32_t)len;
      off += len;
    }
  }
  for (size_t a = 0; a < n;) {
    size_t b = a + 1;
    while (b < n && !soft_break_before(cs, n, b)) b++;
    bool last = b == n;
    brk k = last ? at->brk : BRK_SOFT;
    double space = last ? at->space : 0;
    size_t first = atoms->len;
    rp_status s = push_range(p, pieces, atoms, cs, a, b, k, space);
    if (s != RP_OK) return s;
    if (RP_VEC_AT(*atoms, atom, first).width > limit + FIT_EPS && b - a > 1) {
      /* No sensible point left: between characters, as a last resort. */
      pieces->len = RP_VEC_AT(*atoms, atom, first).p0;
      atoms->len = first;
      if (b - a > RP_INLINE_CHAR_RUN) {
        s = push_chunks(p, pieces, atoms, cs, a, b, k, space, limit);
      } else {
        for (size_t i = a; i < b && s == RP_OK; i++)
          s = push_range(p, pieces, atoms, cs, i, i + 1, i + 1 < b ? BRK_CHAR : k,
                         i + 1 < b ? 0 : space);
      }
      if (s != RP_OK) return s;
    }
    a = b;
  }
  return RP_OK;
}

/* Replaces every atom wider than `limit` by the parts split_atom makes, so
 * that a word too long for any line breaks at a sensible point, or failing
 * that between its characters. */
static rp_status split_overlong(par *p, double limit) {
  bool any = false;
  for (size_t i = 0; i < p->atoms.len && !any; i++)
    any = ATOM(p, i).width > limit + FIT_EPS && ATOM(p, i).chars > 1;
  if (!any) return RP_OK;
  rp_vec pieces = {0}, atoms = {0};
  for (size_t i = 0; i < p->atoms.len; i++) {
    atom at = ATOM(p, i);
    if (at.width > limit + FIT_EPS && at.chars > 1) {
      rp_status s = split_atom(p, &pieces, &atoms, &at, limit);
      if (s != RP_OK) return s;
      continue;
    }
    atom *na = push(p->a, &atoms, sizeof(atom));
    if (!na) return oom(p->d);
    *na = at;
    na->p0 = pieces.len;
    for (size_t q = 0; q < at.np; q++) {
      piece *np = push(p->a, &pieces, sizeof(piece));
      if (!np) return oom(p->d);
      *np = PIECE(p, at.p0 + q);
    }
  }
  p->pieces = pieces;
  p->atoms = atoms;
  return RP_OK;
}

/* Whether atom `at` may be hyphenated: a whole word (not a part of an
 * overlong one) in one piece whose style hyphenates and whose face has '-'. */
static bool hyphenable(const par *p, const atom *at) {
  if (at->np != 1 || at->chars < RP_HYPHEN_MIN_WORD) return false;
  if (at->brk == BRK_SOFT || at->brk == BRK_CHAR) return false;
  const piece *pc = &PIECE(p, at->p0);
  return pc->style->hyphenate && rp_font_covers(rp_fontset_get(p->fs, pc->face), '-');
}

/* Cuts every hyphenable word into atoms at its hyphenation points
 * (BRK_HYPHEN); the last part keeps the word's own break and space. */
static rp_status hyphenate(par *p) {
  if (!p->hy) return RP_OK;
  rp_vec pieces = {0}, atoms = {0};
  /* each word's parts: a third more atoms is plenty for most text */
  size_t more = p->atoms.len + p->atoms.len / 3 + 8;
  if (!reserve(p->a, &atoms, more, sizeof(atom)) ||
      !reserve(p->a, &pieces, more + p->pieces.len - p->atoms.len, sizeof(piece)))
    return oom(p->d);
  for (size_t i = 0; i < p->atoms.len; i++) {
    atom at = ATOM(p, i);
    size_t pos[64], n = 0;
    const piece *pc = &PIECE(p, at.p0);
    if (hyphenable(p, &at))
      n = rp_hyphen_points(p->hy, pc->span ? pc->span->lang : NULL, p->text + pc->off, pc->len, pos,
                           sizeof pos / sizeof pos[0]);
    double hyph = n ? rp_font_width(rp_fontset_get(p->fs, pc->face), "-", 1, piece_size(pc),
                                    pc->style->tracking)
                    : 0;
    size_t from = 0;
    for (size_t k = 0; k <= n; k++) {
      size_t to = k < n ? pos[k] : (n ? pc->len : 0);
      atom *na = push(p->a, &atoms, sizeof(atom));
      if (!na) return oom(p->d);
      *na = at;
      na->p0 = pieces.len;
      na->size = piece_size(&PIECE(p, at.p0 + at.np - 1));
      for (size_t q = 0; q < at.np; q++) {
        piece *np = push(p->a, &pieces, sizeof(piece));
        if (!np) return oom(p->d);
        *np = PIECE(p, at.p0 + q);
      }
      if (n == 0) break; /* the atom as it was */
      piece *np = &RP_VEC_AT(pieces, piece, pieces.len - 1);
      np->off = pc->off + from;
      np->len = to - from;
      np->width = piece_width(p, np, np->off, np->len);
      na->width = np->width;
      na->chars = 0;
      for (size_t b = from; b < to; b++)
        na->chars += ((unsigned char)p->text[pc->off + b] & 0xC0) != 0x80;
      if (k < n) {
        na->brk = BRK_HYPHEN;
        na->space = 0;
        na->hyph = hyph;
      }
      from = to;
    }
  }
  p->pieces = pieces;
  p->atoms = atoms;
  return RP_OK;
}

static rp_status prepare(par *p, const rp_span *spans) {
  rp_status s = tokenize(p, spans);
  if (s == RP_OK) measure(p);
  return s;
}

/* ---- pass 2: total-fit breaking -------------------------------------------- */

/* What a way of breaking costs, compared lexicographically: first the
 * breaks between characters, then the soft breaks inside words (so a word is
 * broken only when it is wider than the line, and then as few times as
 * possible), then the squared slack with the hyphen penalties. */
typedef struct cost {
  size_t char_breaks, soft_breaks;
  double slack2; /* pt² */
  bool ok;       /* a way exists */
} cost;

static bool cheaper(cost x, cost y) {
  if (x.char_breaks != y.char_breaks) return x.char_breaks < y.char_breaks;
  if (x.soft_breaks != y.soft_breaks) return x.soft_breaks < y.soft_breaks;
  return x.slack2 < y.slack2;
}

/* States per boundary: how many hyphenated lines in a row end there. */
#define STATES (MAX_CONSEC + 1)

/* Computes line starts: on return (*starts)[0..*n_lines] are atom indices,
 * line j holding atoms [starts[j], starts[j+1]). `pre[i]` is the width of
 * atoms [0, i) with their spaces. Shortest path over atom boundaries and the
 * count of hyphenated lines in a row: best[e * STATES + h] is the cheapest
 * way to set atoms [0, e) with a line ending after e - 1, the last h lines
 * hyphenated. A word's parts between hyphenation points together are one
 * unbreakable piece, the line that always exists. */
static rp_status break_lines(par *p, const double *pre, double width, double first_indent,
                             size_t **starts, size_t *n_lines, double *demerits) {
  size_t n = p->atoms.len;
  /* best[] and from[] are read only where ok[] has the state's bit: not
   * zeroed (a long paragraph's tables are most of its scratch) */
  if (n + 1 > SIZE_MAX / STATES / sizeof(cost)) return oom(p->d);
  cost *best = rp_arena_alloc_raw(p->a, (n + 1) * STATES * sizeof *best);
  size_t *from = rp_arena_alloc_raw(p->a, (n + 1) * STATES * sizeof *from);
  /* bit h of ok[k]: best[k * STATES + h].ok, so that only the states a
   * boundary has are tried (most have state 0 alone) */
  unsigned char *ok = rp_arena_calloc(p->a, n + 1, 1);
  if (!best || !from || !ok) return oom(p->d);
  best[0] = (cost){.ok = true};
  ok[0] = 1;
  double w_first = width - first_indent, w_max = fmax(width, w_first);
  for (size_t e = 1; e <= n; e++) {
    const atom *end = &ATOM(p, e - 1);
    bool hy_end = end->brk == BRK_HYPHEN;
    bool whole = true; /* atoms [k, e) are parts of one word */
    double em = end->size;
    double hyphen_pen = HYPHEN_PENALTY * HYPHEN_PENALTY * em * em;
    double consec_pen = CONSEC_PENALTY * CONSEC_PENALTY * em * em;
    for (size_t k = e; k-- > 0;) {
      if (k + 1 < e && ATOM(p, k).brk == BRK_FORCED) break; /* no line runs past one */
      if (k + 1 < e) whole = whole && ATOM(p, k).brk == BRK_HYPHEN;
      double nat = pre[e] - pre[k] - end->space + (hy_end ? end->hyph : 0);
      double avail = k == 0 ? w_first : width;
      bool single = whole && !hy_end;
      if (!single && nat > w_max + FIT_EPS) break; /* only grows as k falls */
      if (!single && nat > avail + FIT_EPS) continue;
      if (e == n && k > 0 && ATOM(p, k - 1).brk == BRK_HYPHEN) continue; /* before the last */
      double slack = avail - nat;
      for (unsigned m = ok[k]; m; m &= m - 1) {
        size_t hk = (size_t)__builtin_ctz(m);
        cost c = best[k * STATES + hk];
        size_t h = hy_end ? hk + 1 : 0;
        if (h > MAX_CONSEC) continue;
        if (e < n) {
          /* a line ending at a forced break is free, like the last one */
          if (end->brk != BRK_FORCED) c.slack2 += slack * slack;
          if (end->brk == BRK_CHAR) c.char_breaks++;
          if (end->brk == BRK_SOFT) c.soft_breaks++;
          if (hy_end) c.slack2 += hyphen_pen;
          if (h >= 2) c.slack2 += consec_pen;
        }
        cost *b = &best[e * STATES + h];
        if (!(ok[e] >> h & 1) || cheaper(c, *b)) {
          *b = c;
          from[e * STATES + h] = k * STATES + hk;
          ok[e] |= (unsigned char)(1u << h);
        }
      }
    }
  }
  /* The paragraph ends at BRK_END, never at a hyphen: state 0 (which the
   * line of a word's parts together always reaches; were it not, one line,
   * as zeroed tables gave). */
  if (!(ok[n] & 1)) {
    best[n * STATES] = (cost){0};
    from[n * STATES] = 0;
  }
  size_t count = 0;
  for (size_t s = n * STATES; s >= STATES; s = from[s]) count++;
  size_t *st = rp_arena_calloc(p->a, count + 1, sizeof *st);
  if (!st) return oom(p->d);
  st[count] = n;
  size_t j = count;
  for (size_t s = n * STATES; s >= STATES; s = from[s]) st[--j] = from[s] / STATES;
  *starts = st;
  *n_lines = count;
  *demerits = best[n * STATES].slack2;
  return RP_OK;
}

/* ---- pass 3: fragments ----------------------------------------------------- */

static rp_status place_line(par *p, const double *pre, size_t k, size_t e, double width,
                            double first_indent, rp_align align, bool last, rp_line *ln) {
  double avail = k == 0 ? width - first_indent : width;
  double x0 = k == 0 ? first_indent : 0;
  bool hyphenated = ATOM(p, e - 1).brk == BRK_HYPHEN;
  double nat = pre[e] - pre[k] - ATOM(p, e - 1).space + (hyphenated ? ATOM(p, e - 1).hyph : 0);
  size_t gaps = 0, n_pieces = 0, bytes = 0;
  for (size_t i = k; i < e; i++) {
    const atom *at = &ATOM(p, i);
    if (i + 1 < e && at->brk == BRK_SPACE) gaps++;
    n_pieces += at->np;
    for (size_t q = 0; q < at->np; q++) bytes += PIECE(p, at->p0 + q).len;
  }
  double slack = avail - nat;
  bool fits = slack >= -FIT_EPS && isfinite(slack);
  bool forced = ATOM(p, e - 1).brk == BRK_FORCED;
  bool justify = align == RP_ALIGN_JUSTIFY && !last && !forced && gaps > 0 && fits;
  if (!justify && fits && align == RP_ALIGN_RIGHT) x0 += slack;
  if (!justify && fits && align == RP_ALIGN_CENTER) x0 += slack / 2;
  double extra = justify ? slack / (double)gaps : 0;

  /* Room for every piece's bytes, a space between atoms, a NUL per
   * fragment, a hyphen. */
  char *out = rp_arena_alloc(p->out, bytes + (e - k) + n_pieces + 2);
  ln->frags = rp_arena_calloc(p->out, n_pieces, sizeof(rp_frag));
  if (!out || !ln->frags) return oom(p->d);

  rp_frag *cur = NULL;
  double pen = x0, gap = 0;
  bool pending_space = false;
  ln->ascent = ln->descent = ln->leading = 0;
  for (size_t i = k; i < e; i++) {
    const atom *at = &ATOM(p, i);
    for (size_t q = 0; q < at->np; q++) {
      const piece *pc = &PIECE(p, at->p0 + q);
      /* Pieces measured apart stay apart where joining them would kern. */
      bool merge = cur && cur->style == pc->style && same_href(cur->href, pc->href) &&
                   cur->font == pc->face && same_kind(cur->span, pc->span) &&
                   !(pending_space && justify) &&
                   !(!pending_space && pc->style->kerning &&
                     rp_font_kern_join(rp_fontset_get(p->fs, pc->face), cur->text, cur->len,
                                       p->text + pc->off, pc->len));
      if (merge && pending_space) {
        *out++ = ' ';
        cur->len++;
        cur->width += gap;
      } else if (!merge) {
        if (cur) {
          *out++ = '\0';
          cur->space_after = pending_space;
        }
        cur = &ln->frags[ln->n_frags++];
        cur->text = out;
        cur->style = pc->style;
        cur->href = pc->href;
        cur->span = pc->span;
        cur->font = pc->face;
        cur->size = piece_size(pc);
        cur->rise = piece_rise(pc);
        cur->x = pen;
      }
      memcpy(out, p->text + pc->off, pc->len);
      out += pc->len;
      cur->len += pc->len;
      cur->width += pc->width;
      pen += pc->width;
      pending_space = false;

      const rp_font *f = font_of(p, pc->style);
      ln->ascent = fmax(ln->ascent, f->ascent * pc->style->size / 1000.0);
      ln->descent = fmin(ln->descent, f->descent * pc->style->size / 1000.0);
      ln->leading = fmax(ln->leading, pc->style->leading);
    }
    if (i + 1 < e && at->brk == BRK_SPACE) {
      pending_space = true;
      gap = at->space;
      pen += at->space + extra;
    }
  }
  if (hyphenated) {
    *out++ = '-';
    cur->len++;
    cur->width += ATOM(p, e - 1).hyph;
  }
  *out = '\0';
  cur->space_after = ATOM(p, e - 1).brk == BRK_SPACE;
  ln->width = nat;
  ln->hyphenated = hyphenated;
  ln->last = last;
  ln->forced = forced;
  return RP_OK;
}

/* ---- public ---------------------------------------------------------------- */

rp_status rp_inline_break(rp_arena *a, const rp_fontset *fs, const rp_span *spans, double width,
                          double first_indent, rp_align align, rp_lines *out, rp_diag *d) {
  return rp_inline_break_hy(a, fs, NULL, spans, width, first_indent, align, out, d);
}

/* Breaks and places the paragraph; p->a is the scratch arena. */
static rp_status break_par(par *p, const rp_span *spans, double width, double first_indent,
                           rp_align align, rp_lines *out) {
  rp_status s = prepare(p, spans);
  if (s == RP_OK) s = split_overlong(p, width - fmax(first_indent, 0));
  if (s == RP_OK) s = hyphenate(p);
  if (s != RP_OK || p->atoms.len == 0) return s;

  size_t n = p->atoms.len;
  double *pre = rp_arena_calloc(p->a, n + 1, sizeof *pre);
  if (!pre) return oom(p->d);
  for (size_t i = 0; i < n; i++) pre[i + 1] = pre[i] + ATOM(p, i).width + ATOM(p, i).space;

  size_t *starts = NULL, n_lines = 0;
  double demerits = 0;
  s = break_lines(p, pre, width, first_indent, &starts, &n_lines, &demerits);
  if (s != RP_OK) return s;
  rp_line *lines = rp_arena_calloc(p->out, n_lines, sizeof *lines);
  if (!lines) return oom(p->d);
  for (size_t j = 0; j < n_lines; j++) {
    s = place_line(p, pre, starts[j], starts[j + 1], width, first_indent, align, j + 1 == n_lines,
                   &lines[j]);
    if (s != RP_OK) return s;
  }
  out->lines = lines;
  out->n = n_lines;
  out->demerits = demerits;
  return RP_OK;
}

/* ---- memo ------------------------------------------------------------------ */

/* A paragraph is set several times over with the same text at the same
 * width: measured for keep-with-next and orphan control, then placed, and
 * again by each layout of a run with page references. The fontset keeps
 * the last MEMO_SLOTS paragraphs set — every one set while another layout
 * is known to follow (rp_inline_memo_keep), up to MEMO_BYTES — keyed by
 * everything their lines depend on — widths, alignment, dictionaries, and
 * each span's text, link, script, language, note and the style fields
 * inline.c reads, with which spans share a style or note — and copies the
 * lines out again with the current spans' pointers. Nothing outlives the
 * fontset (one render). A paragraph whose setting warned gives the same
 * warnings again. Entries hash into buckets and age on a list, oldest
 * first; a paragraph found moves to its end. */
#define MEMO_SLOTS 32
#define MEMO_BUCKETS 1024
#define MEMO_BYTES ((size_t)2 << 20) /* kept for the next layout: the review takes ~0.3 MB */
#define MEMO_MAX_SPANS 64            /* longer span lists are set afresh each time */

typedef struct memo_entry {
  struct memo_entry *next;            /* in its bucket */
  struct memo_entry *older, *younger; /* on the age list */
  size_t size;                        /* bytes of its block (the entry and all below) */
  size_t lines_size;                  /* bytes of its lines carved (copy_lines) */
  uint64_t hash;
  unsigned char *key;
  size_t key_len;
  rp_lines lines;      /* frags' style, href and span are NULL here */
  double min_w, max_w; /* pt: a measured paragraph's (rp_inline_measure) */
  uint32_t *frag_span; /* index in the spans of each frag, line after line */
  struct memo_warn *warns;
  size_t n_warns;
} memo_entry;

struct rp_inline_memo {
  memo_entry *buckets[MEMO_BUCKETS];
  memo_entry *oldest, *youngest;
  size_t n, bytes;
  size_t hits;        /* paragraphs set from the memo (for tests) */
  bool keep;          /* another layout follows: keep every paragraph (to MEMO_BYTES) */
  unsigned char *buf; /* the key being built */
  size_t cap, len;
  bool failed; /* out of memory building it: this key is not usable */
};

static void age_unlink(struct rp_inline_memo *m, memo_entry *e) {
  if (e->older)
    e->older->younger = e->younger;
  else
    m->oldest = e->younger;
  if (e->younger)
    e->younger->older = e->older;
  else
    m->youngest = e->older;
  e->older = e->younger = NULL;
}

static void age_push(struct rp_inline_memo *m, memo_entry *e) {
  e->older = m->youngest;
  e->younger = NULL;
  if (m->youngest)
    m->youngest->younger = e;
  else
    m->oldest = e;
  m->youngest = e;
}

/* Drops the oldest entry. */
static void memo_evict(struct rp_inline_memo *m) {
  memo_entry *e = m->oldest;
  if (!e) return;
  age_unlink(m, e);
  memo_entry **pp = &m->buckets[e->hash % MEMO_BUCKETS];
  while (*pp != e) pp = &(*pp)->next;
  *pp = e->next;
  m->n--;
  m->bytes -= e->size;
  rp_mem_free(e);
}

static void memo_free(struct rp_inline_memo *m) {
  if (!m) return;
  while (m->oldest) memo_evict(m);
  rp_mem_free(m->buf);
  rp_mem_free(m);
}

/* Room for `need` more bytes of key; false when out of memory (the key is
 * then unusable: m->failed). */
static bool key_reserve(struct rp_inline_memo *m, size_t need) {
  if (m->cap - m->len >= need) return true;
  size_t cap = m->cap ? m->cap : 256;
  while (cap - m->len < need) cap *= 2;
  unsigned char *b = rp_mem_realloc(m->buf, cap);
  if (!b) {
    m->failed = true;
    return false;
  }
  m->buf = b;
  m->cap = cap;
  return true;
}

/* Appends to a key whose room key_reserve made, at cursor *w: a local
 * cursor, not m->len through memory (every memcpy may alias it). */
static inline void key_put(unsigned char **w, const void *bytes, size_t n) {
  memcpy(*w, bytes, n);
  *w += n;
}

/* A string of `len` bytes: its length, then its bytes; NULL differs from "". */
static inline void key_str(unsigned char **w, const char *s, size_t len) {
  size_t n = s ? len : SIZE_MAX;
  key_put(w, &n, sizeof n);
  if (s) key_put(w, s, len);
}

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

/* Index of the first of arr[0..i] with arr[i]'s style, or note. */
static size_t first_same_style(const rp_span *const *arr, size_t i) {
  size_t j = 0;
  while (arr[j]->style != arr[i]->style) j++;
  return j;
}

static size_t first_same_note(const rp_span *const *arr, size_t i) {
  size_t j = 0;
  while (arr[j]->note != arr[i]->note) j++;
  return j;
}

/* The style fields inline.c reads, as keyed. */
typedef struct style_key {
  double size, leading, tracking;
  int font, n_fallback, fallback[RP_FONT_MAX_FALLBACK], figures;
  bool uppercase, hyphenate, kerning;
} style_key;

/* Builds the key of a paragraph into m->buf; false when it cannot be
 * memoised (too many spans, a span the breaker will refuse, no memory).
 * Its size is reckoned first, so that the buffer grows once at most. */
static bool memo_key(struct rp_inline_memo *m, const rp_fontset *fs, rp_hyphen *hyph,
                     const rp_span *const *arr, size_t n, double width, double first_indent,
                     rp_align align) {
  m->len = 0;
  m->failed = false;
  const char *dir = NULL, *lang = NULL;
  bool hy = hyph != NULL;
  if (hy) rp_hyphen_ident(hyph, &dir, &lang);
  size_t dir_len = len_of(dir), lang_len = len_of(lang);
  size_t lens[MEMO_MAX_SPANS][3];
  size_t need = 2 * sizeof(double) + sizeof(int) + sizeof hy + 2 * sizeof(size_t) + dir_len +
                lang_len + sizeof n;
  for (size_t i = 0; i < n; i++) {
    const rp_span *sp = arr[i];
    if (!style_ok(fs, sp->style)) return false; /* the breaker's error, every time */
    lens[i][0] = len_of(sp->href);
    lens[i][1] = len_of(sp->lang);
    lens[i][2] = len_of(sp->text);
    need += 5 * sizeof(size_t) + sizeof(style_key) + 2 * sizeof(int) + lens[i][0] + lens[i][1] +
            lens[i][2];
  }
  if (!key_reserve(m, need)) return false;
  unsigned char *w = m->buf;
  key_put(&w, &width, sizeof width);
  key_put(&w, &first_indent, sizeof first_indent);
  int al = (int)align;
  key_put(&w, &al, sizeof al);
  /* the dictionaries by what they are: each layout has a set of its own */
  key_put(&w, &hy, sizeof hy);
  if (hy) {
    key_str(&w, dir, dir_len);
    key_str(&w, lang, lang_len);
  }
  key_put(&w, &n, sizeof n);
  for (size_t i = 0; i < n; i++) {
    const rp_span *sp = arr[i];
    size_t same_style = first_same_style(arr, i);
    key_put(&w, &same_style, sizeof same_style);
    if (same_style == i) {
      const rp_style *st = sp->style;
      style_key k;
      memset(&k, 0, sizeof k); /* padding too: the key is compared bytewise */
      k.size = st->size;
      k.leading = st->leading;
      k.tracking = st->tracking;
      k.font = st->font;
      k.n_fallback = st->n_fallback;
      for (int f = 0; f < st->n_fallback; f++) k.fallback[f] = st->fallback[f];
      k.figures = (int)st->figures;
      k.uppercase = st->uppercase;
      k.hyphenate = st->hyphenate;
      k.kerning = st->kerning;
      key_put(&w, &k, sizeof k);
    }
    size_t note = sp->note ? first_same_note(arr, i) : SIZE_MAX;
    key_put(&w, &note, sizeof note);
    int kind[2] = {(int)sp->script, sp->note_label};
    key_put(&w, kind, sizeof kind);
    key_str(&w, sp->href, lens[i][0]);
    key_str(&w, sp->lang, lens[i][1]);
    key_str(&w, sp->text, lens[i][2]);
  }
  m->len = (size_t)(w - m->buf);
  return true;
}

/* FNV-1a over bytes [0, n) of k, eight a step, from h. */
static inline uint64_t hash_bytes(uint64_t h, const unsigned char *k, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, k + i, 8);
    h = (h ^ w) * 1099511628211u;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ k[i]) * 1099511628211u;
  return h;
}

/* Bytes of a key hashed at each end (and its length): a long paragraph's
 * key is hashed only there. Keys that differ only in between share a
 * bucket, and memo_find's memcmp tells them apart: a hash only spreads. */
#define KEY_HASHED 48

static uint64_t key_hash(const unsigned char *k, size_t n) {
  uint64_t h = 14695981039346656037u ^ n;
  if (n <= 2 * KEY_HASHED) return hash_bytes(h, k, n);
  return hash_bytes(hash_bytes(h, k, KEY_HASHED), k + n - KEY_HASHED, KEY_HASHED);
}

/* Memory for copy_lines: from an arena (a), or carved from one block
 * sized beforehand (cur): a memo entry is one exact allocation, not an
 * arena's 64 KiB chunk. */
typedef struct carver {
  rp_arena *a;
  unsigned char *cur;
} carver;

#define CARVE_ALIGN(n) (((n) + 15) & ~(size_t)15)

static void *carve(carver *c, size_t size) {
  if (c->a) return rp_arena_alloc_raw(c->a, size ? size : 1);
  void *p = c->cur;
  c->cur += CARVE_ALIGN(size);
  return p;
}

/* Copies lines `ls`, each frag's text after its line's previous one as
 * place_line lays them out; pointers to spans are set from arr by
 * frag_span, or left NULL when arr is NULL. NULL when out of memory. */
static rp_line *copy_lines(carver *c, const rp_lines *ls, const uint32_t *frag_span,
                           const rp_span *const *arr) {
  rp_line *lines = carve(c, ls->n * sizeof *lines);
  if (!lines) return NULL;
  size_t k = 0;
  for (size_t j = 0; j < ls->n; j++) {
    const rp_line *from = &ls->lines[j];
    rp_line *to = &lines[j];
    *to = *from;
    size_t bytes = 0;
    for (size_t q = 0; q < from->n_frags; q++) bytes += from->frags[q].len + 1;
    char *text = carve(c, bytes);
    to->frags = carve(c, from->n_frags * sizeof *to->frags);
    if (!text || !to->frags) return NULL;
    for (size_t q = 0; q < from->n_frags; q++, k++) {
      rp_frag *fr = &to->frags[q];
      *fr = from->frags[q];
      memcpy(text, fr->text, fr->len);
      text[fr->len] = '\0';
      fr->text = text;
      text += fr->len + 1;
      const rp_span *sp = arr ? arr[frag_span[k]] : NULL;
      fr->span = sp;
      fr->style = sp ? sp->style : NULL;
      fr->href = sp ? sp->href : NULL;
    }
  }
  return lines;
}

/* Stores the paragraph just set (key in m->buf) as the youngest entry,
 * then drops the oldest ones past what the memo holds: MEMO_SLOTS, or while
 * keeping, MEMO_BYTES; after keeping, one a paragraph stored, so that the
 * layout that follows finds what the one before set. Returns the entry;
 * NULL when out of memory (nothing stored: the memo only saves time). */
static memo_entry *memo_store(struct rp_inline_memo *m, uint64_t hash, const par *p,
                              const rp_lines *ls) {
  /* the block's size: what carve takes below, in the same order */
  size_t n_frags = 0, lines_size = CARVE_ALIGN(ls->n * sizeof(rp_line));
  for (size_t j = 0; j < ls->n; j++) {
    const rp_line *ln = &ls->lines[j];
    size_t bytes = 0;
    for (size_t q = 0; q < ln->n_frags; q++) bytes += ln->frags[q].len + 1;
    lines_size += CARVE_ALIGN(bytes) + CARVE_ALIGN(ln->n_frags * sizeof(rp_frag));
    n_frags += ln->n_frags;
  }
  size_t size = CARVE_ALIGN(sizeof(memo_entry)) + lines_size + CARVE_ALIGN(m->len) +
                CARVE_ALIGN(n_frags * sizeof(uint32_t)) +
                CARVE_ALIGN(p->n_warns * sizeof(struct memo_warn));
  void *block = rp_mem_alloc(size);
  if (!block) return NULL;
  carver c = {NULL, block};
  memo_entry *e = carve(&c, sizeof *e);
  rp_line *lines = copy_lines(&c, ls, NULL, NULL);
  unsigned char *key = carve(&c, m->len);
  uint32_t *fs = carve(&c, n_frags * sizeof *fs);
  struct memo_warn *w = carve(&c, p->n_warns * sizeof *w);
  size_t k = 0;
  for (size_t j = 0; j < ls->n; j++)
    for (size_t q = 0; q < ls->lines[j].n_frags; q++) {
      const rp_span *sp = ls->lines[j].frags[q].span;
      uint32_t i = 0;
      while (i < p->n_spans && p->span_arr[i] != sp) i++;
      if (i == p->n_spans) { /* not one of the paragraph's spans: never so */
        rp_mem_free(block);
        return NULL;
      }
      fs[k++] = i;
    }
  memcpy(key, m->buf, m->len);
  if (p->n_warns) memcpy(w, p->warns, p->n_warns * sizeof *w);
  *e = (memo_entry){.next = m->buckets[hash % MEMO_BUCKETS],
                    .size = size,
                    .lines_size = lines_size,
                    .hash = hash,
                    .key = key,
                    .key_len = m->len,
                    .lines = {lines, ls->n, ls->demerits},
                    .frag_span = fs,
                    .warns = w,
                    .n_warns = p->n_warns};
  m->buckets[hash % MEMO_BUCKETS] = e;
  age_push(m, e);
  m->n++;
  m->bytes += size;
  if (m->keep) {
    while (m->bytes > MEMO_BYTES && m->n > 1) memo_evict(m);
  } else if (m->n > MEMO_SLOTS) {
    memo_evict(m);
  }
  return e; /* the youngest: never the one evicted */
}

static memo_entry *memo_find(struct rp_inline_memo *m, uint64_t hash) {
  for (memo_entry *e = m->buckets[hash % MEMO_BUCKETS]; e; e = e->next)
    if (e->hash == hash && e->key_len == m->len && memcmp(e->key, m->buf, m->len) == 0) {
      m->hits++;
      age_unlink(m, e); /* set again: the youngest */
      age_push(m, e);
      return e;
    }
  return NULL;
}

/* The fontset's memo, made on first use; NULL when out of memory. */
static struct rp_inline_memo *memo_of(const rp_fontset *fs) {
  if (fs->memo) return fs->memo;
  struct rp_inline_memo *m = rp_mem_calloc(1, sizeof *m);
  if (!m) return NULL;
  rp_fontset *w = (rp_fontset *)fs; /* a cache: see font.h */
  w->memo = m;
  w->memo_free = memo_free;
  return m;
}

/* The spans in arr[] (*n of them) and the memo that may hold their setting;
 * NULL for a list too long to key (set afresh each time) or out of memory. */
static struct rp_inline_memo *memo_spans(const rp_fontset *fs, const rp_span *spans,
                                         const rp_span **arr, size_t *n) {
  *n = 0;
  for (const rp_span *sp = spans; sp && *n <= MEMO_MAX_SPANS; sp = sp->next)
    if ((*n)++ < MEMO_MAX_SPANS) arr[*n - 1] = sp;
  return *n <= MEMO_MAX_SPANS ? memo_of(fs) : NULL;
}

void rp_inline_memo_keep(const rp_fontset *fs, bool on) {
  if (!fs) return;
  struct rp_inline_memo *m = on ? memo_of(fs) : fs->memo;
  if (m) m->keep = on;
}

size_t rp_inline_memo_hits(const rp_fontset *fs) { return fs && fs->memo ? fs->memo->hits : 0; }

void rp_inline_memo_trim(const rp_fontset *fs) {
  struct rp_inline_memo *m = fs ? fs->memo : NULL;
  if (!m) return;
  m->keep = false;
  while (m->n > MEMO_SLOTS) memo_evict(m);
}

rp_status rp_inline_break_hy(rp_arena *a, const rp_fontset *fs, rp_hyphen *hy, const rp_span *spans,
                             double width, double first_indent, rp_align align, rp_lines *out,
                             rp_diag *d) {
  memset(out, 0, sizeof *out);
  if (isnan(width) || isnan(first_indent))
    return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "line width is not a number");
  const rp_span *arr[MEMO_MAX_SPANS];
  size_t n = 0;
  struct rp_inline_memo *m = memo_spans(fs, spans, arr, &n);
  uint64_t hash = 0;
  bool keyed = m && memo_key(m, fs, hy, arr, n, width, first_indent, align);
  if (keyed) {
    hash = key_hash(m->buf, m->len);
    const memo_entry *e = memo_find(m, hash);
    if (e) {
      if (e->n_warns) { /* a par only to give them again: most hits have none */
        par w = {.out = a, .fs = fs, .d = d, .hy = hy, .span_arr = arr, .n_spans = n};
        for (size_t i = 0; i < e->n_warns; i++)
          warn_missing(&w, arr[e->warns[i].span], e->warns[i].c, e->warns[i].sub);
      }
      rp_line *lines = NULL;
      if (e->lines.n) {
#ifdef RP_ARENA_MALLOC
        carver c = {a, NULL}; /* each part its own allocation: ASan sees its bounds */
#else
        /* all in one allocation, of the size memo_store reckoned */
        carver c = {NULL, rp_arena_alloc_raw(a, e->lines_size)};
        if (!c.cur) return oom(d);
#endif
        lines = copy_lines(&c, &e->lines, e->frag_span, arr);
        if (!lines) return oom(d);
      }
      *out = (rp_lines){lines, e->lines.n, e->lines.demerits};
      return RP_OK;
    }
  }

  par p = {.out = a, .fs = fs, .d = d, .hy = hy};
  if (keyed) p.span_arr = arr, p.n_spans = n;
  rp_arena *scratch = rp_arena_scratch(a);
  if (!scratch) return oom(d);
  p.a = scratch;
  rp_status s = break_par(&p, spans, width, first_indent, align, out);
  rp_arena_scratch_end(a, scratch);
  if (s != RP_OK) memset(out, 0, sizeof *out);
  if (s == RP_OK && p.span_arr && !p.warns_lost) memo_store(m, hash, &p, out);
  return s;
}

rp_status rp_inline_rest(rp_arena *a, const rp_lines *ls, size_t from, rp_span **out, rp_diag *d) {
  *out = NULL;
  rp_span **tail = out;
  for (size_t j = from; j < ls->n; j++) {
    const rp_line *ln = &ls->lines[j];
    for (size_t q = 0; q < ln->n_frags; q++) {
      const rp_frag *fr = &ln->frags[q];
      rp_span *sp = rp_arena_alloc(a, sizeof *sp);
      char *text = rp_arena_alloc(a, fr->len + 4);
      if (!sp || !text) {
        *out = NULL;
        return oom(d);
      }
      /* the hyphen a hyphenated line added goes: the word is whole again */
      size_t len = ln->hyphenated && q + 1 == ln->n_frags && fr->len > 0 ? fr->len - 1 : fr->len;
      memcpy(text, fr->text, len);
      text[len] = '\0';
      if (fr->space_after) text[len] = ' ';
      if (ln->forced && q + 1 == ln->n_frags) memcpy(text + len, "\xE2\x80\xA8", 3);
      if (fr->span) *sp = *fr->span; /* script, language, source */
      sp->next = NULL;
      sp->text = text;
      sp->style = fr->style;
      sp->href = fr->href;
      *tail = sp;
      tail = &sp->next;
    }
  }
  return RP_OK;
}

rp_status rp_inline_measure(rp_arena *a, const rp_fontset *fs, const rp_span *spans, double *min_w,
                            double *max_w, rp_diag *d) {
  *min_w = *max_w = 0;
  rp_arena *scratch = rp_arena_scratch(a); /* nothing measured outlives the call */
  if (!scratch) return oom(d);
  par p = {.a = scratch, .out = a, .fs = fs, .d = d};
  /* the memo, keyed as a paragraph set at no width (NaN) with no alignment */
  const rp_span *arr[MEMO_MAX_SPANS];
  size_t n = 0;
  struct rp_inline_memo *m = memo_spans(fs, spans, arr, &n);
  uint64_t hash = 0;
  if (m && memo_key(m, fs, NULL, arr, n, NAN, 0, (rp_align)-1)) {
    hash = key_hash(m->buf, m->len);
    const memo_entry *e = memo_find(m, hash);
    p.span_arr = arr;
    p.n_spans = n;
    if (e) {
      for (size_t i = 0; i < e->n_warns; i++)
        warn_missing(&p, arr[e->warns[i].span], e->warns[i].c, e->warns[i].sub);
      *min_w = e->min_w;
      *max_w = e->max_w;
      rp_arena_scratch_end(a, scratch);
      return RP_OK;
    }
  }
  rp_status s = prepare(&p, spans);
  double total = 0; /* of the line so far: forced breaks end lines */
  for (size_t i = 0; s == RP_OK && i < p.atoms.len; i++) {
    const atom *at = &ATOM(&p, i);
    *min_w = fmax(*min_w, at->width);
    total += at->width + (i + 1 < p.atoms.len ? at->space : 0);
    *max_w = fmax(*max_w, total);
    if (at->brk == BRK_FORCED) total = 0;
  }
  rp_arena_scratch_end(a, scratch);
  if (s == RP_OK && p.span_arr && !p.warns_lost) {
    rp_lines none = {0};
    memo_entry *e = memo_store(m, hash, &p, &none);
    if (e) e->min_w = *min_w, e->max_w = *max_w;
  }
  return s;
}

void rp_frag_to_item(const rp_frag *fr, double x, double baseline, rp_item *it) {
  it->kind = RP_ITEM_TEXT;
  it->x = x;
  it->y = baseline - fr->rise;
  it->w = fr->width;
  it->h = fr->size;
  it->u.text.text = fr->text;
  it->u.text.font = fr->font;
  it->u.text.size = fr->size;
  it->u.text.tracking = fr->style->tracking;
  it->u.text.color = fr->style->color;
  it->u.text.underline = fr->style->underline;
  it->u.text.kern = fr->style->kerning;
  it->u.text.figures = fr->style->figures;
}
