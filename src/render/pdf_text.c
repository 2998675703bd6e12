/* pdf_text — text items. Layout places each run of text by the start of its
 * baseline (x, y from the page's top-left, y down) in one face, size, colour
 * and tracking; here that becomes Tf / rg / Tc / Td / Tj in PDF space.
 *
 * Consecutive text items share one BT…ET text object; Tf, rg and Tc are
 * written only when they change. Transparency (ExtGState) cannot be set
 * inside a text object, so a run also ends where the alpha changes and a
 * translucent run is wrapped in q…Q. Underlines are filled rectangles drawn
 * after the text object ends.
 *
 * Tracking is extra space after every character, tracking/1000 em: the PDF
 * character spacing Tc = tracking × size / 1000 (ISO 32000-1 §9.3.2), which
 * is what layout's rp_font_width assumes.
 *
 * Kerning and figures (items with `kern`, or tabular or proportional
 * `figures`): libharu has no TJ operator, so such an item is drawn as
 * pieces, a new one wherever a glyph's place (rp_font_measure_fig, what
 * layout measured: kerning, a figure's replaced advance, its glyph's shift)
 * parts from where libharu's widths would put it. The pieces go into one TJ
 * written here (tj_buf), each piece's string holding the codes libharu's Tj
 * would show, as a literal string of bytes (put_codes). The pieces of a word abut or overlap by a
 * fraction of a glyph, so text extraction still reads whole words.
 *
 * Bytes: Td is written to 1/100 pt from the last position as written (no
 * drift), colours to 1/1000 (pdf_color.c); libharu writes five decimals. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <hpdf_utils.h>

#include "render/pdf.h"

/* pt: how far a glyph may sit from where the piece's widths put it before
 * a new piece starts. Positions are written to 1/100 pt (move_text), so a
 * piece for less than half of that would move nothing. */
#define PIECE_SLACK 0.005

static float unit(float v) { return v > 0 ? (v < 1 ? v : 1) : 0; }

/* Alpha in thousandths: items of one text object must share it. */
static int alpha_key(const rp_item *it) { return (int)lround(unit(it->u.text.color.a) * 1000.0f); }

static double char_space(const rp_item *it) {
  return it->u.text.tracking * it->u.text.size / 1000.0;
}

/* Checks what libharu will be given; records why an item is left out. */
static bool text_valid(rp_pdf *p, const rp_item *it) {
  double v[4] = {it->x, it->y, it->u.text.size, it->u.text.tracking};
  if (!rp_pdf_finite(v, 4) || !it->u.text.text) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced a text item without valid %s",
                      it->u.text.text ? "numbers" : "text");
    return false;
  }
  /* libharu takes a float: 1e-308 is more than 0 as a double, not as a float. */
  if ((HPDF_REAL)it->u.text.size <= 0 || it->u.text.size > HPDF_MAX_FONTSIZE) {
    rp_pdf_item_error(p, RP_ERR_INPUT, it, "font size %g pt is outside what PDF allows (0-%d pt)",
                      it->u.text.size, HPDF_MAX_FONTSIZE);
    return false;
  }
  double cs = char_space(it);
  if (cs < HPDF_MIN_CHARSPACE || cs > HPDF_MAX_CHARSPACE) {
    rp_pdf_item_error(p, RP_ERR_INPUT, it,
                      "tracking %g at %g pt gives %g pt between letters; the PDF writer "
                      "allows %d to %d pt",
                      it->u.text.tracking, it->u.text.size, cs, HPDF_MIN_CHARSPACE,
                      HPDF_MAX_CHARSPACE);
    return false;
  }
  return true;
}

/* Graphics state written so far inside the current text object, and where
 * its text line starts (hundredths of a point, as written: 0, 0 at BT). */
typedef struct text_state {
  HPDF_Font font;
  double size, cs;
  rp_color color;
  bool set;
  long long tx, ty;
} text_state;

/* The decimal digits of v (sprintf's "%llu", a tenth of its time: one of
 * these per Td and TJ number). */
static char *put_uint(char *o, unsigned long long v) {
  char d[24];
  int n = 0;
  do d[n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  while (n) *o++ = d[--n];
  return o;
}

/* `c` hundredths as a PDF number, trailing zeros dropped: "12.5", "-3". */
static char *put_hundredths(char *o, long long c) {
  if (c < 0) *o++ = '-', c = -c;
  o = put_uint(o, (unsigned long long)(c / 100));
  int frac = (int)(c % 100);
  if (frac) {
    *o++ = '.';
    *o++ = (char)('0' + frac / 10);
    if (frac % 10) *o++ = (char)('0' + frac % 10);
  }
  return o;
}

/* Moves the text line to x, y (PDF space) with a Td written to 1/100 pt
 * (libharu writes five decimals): the move is from the last position as
 * written, so rounding never accumulates along a line. None when it would
 * be 0 0. libharu's idea of the text matrix is kept in step for the calls
 * that follow (ShowText, and TextOut in a later text object). */
static void move_text(rp_pdf *p, text_state *st, double x, double y) {
  long long nx = rp_pdf_round(x * 100.0), ny = rp_pdf_round(y * 100.0);
  if (nx != st->tx || ny != st->ty) {
    char op[64], *o = put_hundredths(op, nx - st->tx);
    *o++ = ' ';
    o = put_hundredths(o, ny - st->ty);
    memcpy(o, " Td\n", 5);
    rp_pdf_raw(p, op, NULL);
    st->tx = nx, st->ty = ny;
  }
  HPDF_PageAttr attr = (HPDF_PageAttr)p->page->attr;
  attr->text_matrix.x = attr->text_pos.x = (HPDF_REAL)(nx / 100.0);
  attr->text_matrix.y = attr->text_pos.y = (HPDF_REAL)(ny / 100.0);
}

/* Shows `s` with its baseline starting at x, y (PDF space). */
static void text_at(rp_pdf *p, text_state *st, double x, double y, const char *s) {
  move_text(p, st, x, y);
  HPDF_Page_ShowText(p->page, s);
}

/* HPDF_Page_SetFontAndSize inside a text object, without its clearing of
 * 512 bytes (a byte at a time until pdf_doc.c replaced libharu's
 * HPDF_MemSet: then 0.8 M of the review's 1.2 M instructions in it): the
 * same bytes (the size by libharu's HPDF_FToA), the same font resource and
 * graphics state; libharu's own call where it would refuse. */
static void set_font(rp_pdf *p, HPDF_Font font, HPDF_REAL size) {
  HPDF_PageAttr attr = (HPDF_PageAttr)p->page->attr;
  const char *name = attr->gmode == HPDF_GMODE_TEXT_OBJECT && font->mmgr == p->page->mmgr &&
                             HPDF_Font_Validate(font) && size > 0 && size <= HPDF_MAX_FONTSIZE
                         ? HPDF_Page_GetLocalFontName(p->page, font)
                         : NULL;
  if (!name) {
    HPDF_Page_SetFontAndSize(p->page, font, size);
    return;
  }
  /* "/F1 8.5 Tf": a name of letters and digits (libharu's, F1, F2…) needs
   * no escape, and goes with the rest in one write */
  char op[96], *o = op;
  size_t n = strlen(name);
  bool plain = n > 0 && n < 32;
  for (size_t i = 0; plain && i < n; i++)
    plain = (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z') ||
            (name[i] >= '0' && name[i] <= '9');
  if (plain) *o++ = '/', memcpy(o, name, n), o += n;
  *o++ = ' ';
  o = HPDF_FToA(o, size, op + sizeof op - 8);
  memcpy(o, " Tf\012", 5);
  o += 4;
  if ((!plain && HPDF_Stream_WriteEscapeName(attr->stream, name) != HPDF_OK) ||
      rp_pdf_stream_write(attr->stream, op, (size_t)(o - op)) != HPDF_OK)
    return; /* (the error is libharu's, taken by rp_pdf_ok) */
  attr->gstate->font = font;
  attr->gstate->font_size = size;
  attr->gstate->writing_mode = ((HPDF_FontAttr)font->attr)->writing_mode;
}

static void apply_state(rp_pdf *p, text_state *st, HPDF_Font font, const rp_item *it) {
  double size = it->u.text.size, cs = char_space(it);
  rp_color c = it->u.text.color;
  if (!st->set || st->font != font || st->size != size) set_font(p, font, (HPDF_REAL)size);
  if (!st->set || (st->color.r != c.r || st->color.g != c.g || st->color.b != c.b))
    rp_pdf_fill_color(p, c, &it->src);
  if (!st->set || st->cs != cs) HPDF_Page_SetCharSpace(p->page, (HPDF_REAL)cs);
  st->font = font, st->size = size, st->cs = cs, st->color = c, st->set = true;
}

/* The pieces of one item, written as one TJ: [<piece> n <piece> …] TJ, the
 * numbers moving the next piece in thousandths of an em (to 1/10). */
typedef struct tj_buf {
  char *s;
  size_t n, cap;
  bool ok;
  bool array; /* a second piece began: the item is a TJ */
} tj_buf;

/* One byte of a literal string: the delimiters and the escape escaped, and
 * CR, which a reader would turn into LF (ISO 32000-1 §7.3.4.2). */
static char *put_byte(char *o, unsigned b) {
  if (b == '(' || b == ')' || b == '\\') *o++ = '\\';
  if (b == '\r') {
    *o++ = '\\', *o++ = 'r';
    return o;
  }
  *o++ = (char)b;
  return o;
}

/* Writes `text` (clean UTF-8) as a literal string of the codes libharu's Tj
 * would show: two bytes a character, the code being the character's BMP
 * code point (pdf_font.c: libharu's UTF-8 encoder). Written as bytes, not as
 * libharu's hex: half the characters before deflate, and a twentieth fewer
 * bytes after it. Going through HPDF_Page_ShowText cost a width measure, a
 * stream and two copies per piece (a tenth of the pack's instructions).
 * Writes at most 4 bytes a character and 2 more; returns the bytes
 * written, 0 for an empty text or one with a character past the BMP
 * (libharu's then). */
static size_t put_codes(char *out, const char *text, size_t len) {
  char *o = out;
  *o++ = '(';
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    i += rp_pdf_decode(text + i, len - i, &cp);
    if (cp > 0xFFFF) return 0;
    o = put_byte(o, cp >> 8);
    o = put_byte(o, cp & 0xFF);
  }
  *o++ = ')';
  return len ? (size_t)(o - out) : 0;
}

/* Writes n bytes of operators (strings of codes hold NUL bytes: not
 * rp_pdf_raw's C string). */
static void raw_bytes(rp_pdf *p, const char *ops, size_t n, const rp_src *src) {
  HPDF_PageAttr attr = (HPDF_PageAttr)p->page->attr;
  if (rp_pdf_stream_write(attr->stream, ops, n) != HPDF_OK && !p->err_no)
    p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
  rp_pdf_ok(p, "write to the page", src);
}

/* Shows `text` alone (one Tj), written by put_codes where it can. */
static void show_codes(rp_pdf *p, char *scratch, size_t cap, const char *text) {
  size_t len = strlen(text), n = 4 * len + 8 <= cap ? put_codes(scratch, text, len) : 0;
  if (n == 0) {
    HPDF_Page_ShowText(p->page, text);
    return;
  }
  memcpy(scratch + n, "Tj\n", 3);
  raw_bytes(p, scratch, n + 3, NULL);
}

/* Appends the string for `text` to the array. */
static void tj_piece(tj_buf *b, const char *text) {
  if (!b->ok) return;
  size_t len = strlen(text);
  size_t n = b->n + 4 * len + 34 <= b->cap ? put_codes(b->s + b->n, text, len) : 0;
  if (n == 0) {
    b->ok = false;
    return;
  }
  b->n += n;
}

/* Appends the move before the next piece, in tenths of a thousandth of an
 * em (positive: to the left). */
static void tj_move(tj_buf *b, long long tenths) {
  if (!b->ok) return;
  char *o = b->s + b->n; /* between two strings' parentheses: no space needed */
  if (tenths < 0) *o++ = '-', tenths = -tenths;
  o = put_uint(o, (unsigned long long)(tenths / 10));
  if (tenths % 10) *o++ = '.', *o++ = (char)('0' + tenths % 10);
  b->n = (size_t)(o - b->s);
}

/* Shows `text` (clean UTF-8) with its baseline starting at it's x, y. */
static void show_text(rp_pdf *p, text_state *st, const rp_item *it, const char *text) {
  double y = rp_pdf_y(p, it->y);
  const rp_fontset *fs = p->doc->fonts;
  bool placed = it->u.text.kern || it->u.text.figures != RP_FIGURES_FONT;
  const rp_font *f = placed && fs && it->u.text.font >= 0 && (size_t)it->u.text.font < fs->count
                         ? rp_fontset_get(fs, it->u.text.font)
                         : NULL;
  size_t len = strlen(text);
  rp_arena *a = p->tmp ? p->tmp : p->scratch;
  if (!f) { /* one piece: as libharu's widths put it */
    char *codes = rp_arena_alloc_raw(a, 4 * len + 8);
    if (!codes) {
      text_at(p, st, it->x, y, text);
      return;
    }
    move_text(p, st, it->x, y);
    show_codes(p, codes, 4 * len + 8, text);
    return;
  }
  char *buf = rp_arena_alloc_raw(a, len + 1);
  /* every piece's string (four bytes a character at most, as each takes a
   * byte or more) and a number before it */
  tj_buf tj = {.cap = 24 * len + 64, .ok = true};
  if (buf) tj.s = rp_arena_alloc_raw(a, tj.cap);
  if (!buf || !tj.s) {
    text_at(p, st, it->x, y, text);
    return;
  }
  memcpy(buf, text, len + 1);
  double size = it->u.text.size, track = it->u.text.tracking;
  rp_figures fig = it->u.text.figures;
  bool kern = it->u.text.kern;
  /* a TJ number moves by 1/10 of a thousandth of an em: a piece is worth
   * starting for more than that and half a hundredth of a point */
  double slack = fmax(PIECE_SLACK, size / 10000.0);
  /* Where each glyph goes, as rp_font_measure_fig measured it (pen: the
   * advances, kerning and tracking so far, thousandths of an em), against
   * where the current piece would put it (libharu's widths, from where the
   * piece starts as written); a new piece starts wherever the two part. */
  size_t start = 0;
  double x = it->x; /* of the piece starting at `start`, as written */
  int64_t pen = 0, natural = 0;
  size_t chars = 0, piece_chars = 0;
  uint32_t prev = 0;
  for (size_t i = 0; i < len; chars++, piece_chars++) {
    uint32_t cp;
    size_t n = rp_pdf_decode(buf + i, len - i, &cp);
    int shift, adv = rp_font_advance(f, cp, fig, &shift);
    if (i > 0 && kern) pen += rp_font_kern_fig(f, prev, cp, fig);
    double want = it->x + ((double)(pen + shift) + track * (double)chars) * size / 1000.0;
    double at = x + ((double)natural + track * (double)piece_chars) * size / 1000.0;
    if (i == 0) {
      move_text(p, st, shift != 0 ? want : x, y);
      x = (double)st->tx / 100.0;
    } else if (fabs(want - at) > slack) {
      if (!tj.array) { /* a second piece: the item becomes a TJ */
        tj.array = true;
        tj.s[tj.n++] = '[';
      }
      char keep = buf[i];
      buf[i] = '\0';
      tj_piece(&tj, buf + start);
      buf[i] = keep;
      long long move = rp_pdf_round((at - want) * 10000.0 / size);
      tj_move(&tj, move);
      start = i, x = at - (double)move * size / 10000.0, natural = 0, piece_chars = 0;
    }
    natural += rp_font_cp_width(f, cp);
    pen += adv;
    prev = cp;
    i += n;
  }
  if (!tj.array) {
    show_codes(p, tj.s, tj.cap, buf + start);
    return;
  }
  tj_piece(&tj, buf + start);
  if (!tj.ok) {
    rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "out of memory");
    return;
  }
  memcpy(tj.s + tj.n, "]TJ\n", 4);
  raw_bytes(p, tj.s, tj.n + 4, &it->src);
}

/* Underline: a filled rectangle below the baseline, as wide as the text
 * without the tracking after its last character. Thickness and offset follow
 * common font metrics (post table: about 1/15 em, 1/10 em below). */
static void draw_underline(rp_pdf *p, const rp_item *it) {
  double size = it->u.text.size;
  double thick = size / 15.0, w = it->w - char_space(it);
  double v[2] = {it->w, thick};
  if (!rp_pdf_finite(v, 2) || w <= 0) return;
  double top = rp_pdf_y(p, it->y) - size * 0.1;
  rp_pdf_fill_color(p, it->u.text.color, &it->src);
  HPDF_Page_Rectangle(p->page, (HPDF_REAL)it->x, (HPDF_REAL)(top - thick), (HPDF_REAL)w,
                      (HPDF_REAL)thick);
  HPDF_Page_Fill(p->page);
  rp_pdf_ok(p, "draw an underline", &it->src);
}

/* The text state (Tf, Tc, the fill colour) the last text object on the
 * page left set: graphics state, so it outlasts ET. The next text object
 * begins with it when all that was drawn between the two is items that
 * paint inside their own q…Q (shapes, chart paths) or nothing (links,
 * bookmarks, a drawn chart's slot): the map's and the charts' labels
 * between their shapes set their font and colour once, not once a label. */
struct rp_pdf_text {
  HPDF_Page page;
  const rp_item *items; /* the page's, and the end of the run that left it */
  size_t end;
  text_state st;
};

/* Whether items[from]'s run may begin with what the last run left set. */
static bool carries(const rp_pdf *p, const rp_item *items, size_t from) {
  const struct rp_pdf_text *t = p->text;
  if (!t || t->page != p->page || t->items != items || t->end > from || p->chart_dpi > 0)
    return false;
  for (size_t i = t->end; i < from; i++) {
    rp_item_kind k = items[i].kind;
    bool balanced = k == RP_ITEM_RECT || k == RP_ITEM_LINE || k == RP_ITEM_ELLIPSE ||
                    k == RP_ITEM_PATH || k == RP_ITEM_LINK || k == RP_ITEM_BOOKMARK ||
                    (k == RP_ITEM_CHART && items[i].u.chart.drawn);
    if (!balanced) return false;
  }
  return true;
}

const char *rp_pdf_clean_text(rp_pdf *p, const char *s, size_t max_bytes) {
  if (!s) s = "";
  /* BMP characters from U+0020 on, valid UTF-8 (no overlong forms: E0 and
   * ED, whose second byte is limited, are left to rp_pdf_clean_utf8), none
   * of U+007F-U+009F, U+FFFE, U+FFFF */
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  for (unsigned b; (b = u[i]) != 0;) {
    if (b < 0x80) {
      if (b < 0x20 || b == 0x7F) return rp_pdf_clean_utf8(p, s, max_bytes);
      i++;
    } else if (b >= 0xC2 && b <= 0xDF && (u[i + 1] & 0xC0) == 0x80 &&
               (b != 0xC2 || u[i + 1] >= 0xA0)) {
      i += 2;
    } else if (b >= 0xE1 && b <= 0xEF && b != 0xED && (u[i + 1] & 0xC0) == 0x80 &&
               (u[i + 2] & 0xC0) == 0x80 && !(b == 0xEF && u[i + 1] == 0xBF && u[i + 2] >= 0xBE)) {
      i += 3;
    } else {
      return rp_pdf_clean_utf8(p, s, max_bytes);
    }
  }
  return i <= max_bytes ? s : rp_pdf_clean_utf8(p, s, max_bytes);
}

void rp_pdf_text_forget(rp_pdf *p) {
  if (p->text) *p->text = (struct rp_pdf_text){0};
}

size_t rp_pdf_draw_text_run(rp_pdf *p, const rp_item *items, size_t from, size_t n) {
  int alpha = alpha_key(&items[from]);
  size_t end = from + 1;
  while (end < n && items[end].kind == RP_ITEM_TEXT && alpha_key(&items[end]) == alpha) end++;
  if (alpha == 0) return end; /* fully transparent: nothing to draw */

  bool translucent = alpha < 1000, any_underline = false;
  if (translucent) {
    HPDF_Page_GSave(p->page);
    if (!rp_pdf_ok(p, "save the graphics state", &items[from].src) ||
        !rp_pdf_set_alpha(p, alpha / 1000.0, alpha / 1000.0, &items[from].src)) {
      HPDF_Page_GRestore(p->page);
      rp_pdf_ok(p, "restore the graphics state", NULL);
      return end;
    }
  }
  bool carried = !translucent && carries(p, items, from);
  if (p->text) p->text->items = NULL; /* whatever follows, not this run's */
  HPDF_Page_BeginText(p->page);
  if (rp_pdf_ok(p, "begin a text object", &items[from].src)) {
    text_state st = {0};
    if (carried) st = p->text->st, st.tx = st.ty = 0; /* BT: the line starts at 0 0 */
    for (size_t i = from; i < end; i++) {
      const rp_item *it = &items[i];
      if (!text_valid(p, it)) continue;
      const char *text = rp_pdf_clean_text(p, it->u.text.text, RP_PDF_MAX_TEXT_BYTES);
      if (!text || !text[0]) continue;
      HPDF_Font font = rp_pdf_font(p, it->u.text.font, &it->src);
      if (!font) continue;
      if (!rp_pdf_font_drawn(p, it->u.text.font, text))
        rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
      /* Marked content opens and closes inside this BT…ET. */
      rp_pdf_tag_text(p, it);
      apply_state(p, &st, font, it);
      show_text(p, &st, it, text);
      if (!rp_pdf_ok(p, "draw text", &it->src)) st.set = false;
      any_underline |= it->u.text.underline;
    }
    rp_pdf_tag_close(p);
    HPDF_Page_EndText(p->page);
    /* kept for the next run, unless its q…Q ends it or an underline's
     * colour follows it */
    if (rp_pdf_ok(p, "end a text object", &items[from].src) && st.set && !translucent &&
        !any_underline && (p->text || (p->text = rp_arena_calloc(p->scratch, 1, sizeof *p->text))))
      *p->text = (struct rp_pdf_text){p->page, items, end, st};
  }
  if (any_underline)
    for (size_t i = from; i < end; i++)
      if (items[i].u.text.underline && items[i].u.text.text) {
        double v[4] = {items[i].x, items[i].y, items[i].u.text.size, items[i].w};
        if (!rp_pdf_finite(v, 4)) continue;
        /* The words carry the meaning; the rule under them is decoration. */
        bool tagged = rp_pdf_tag_open_artifact(p);
        draw_underline(p, &items[i]);
        if (tagged) rp_pdf_tag_close(p);
      }
  if (translucent) {
    HPDF_Page_GRestore(p->page);
    rp_pdf_ok(p, "restore the graphics state", NULL);
  }
  return end;
}

void rp_pdf_draw_centered(rp_pdf *p, int font_index, double size, rp_color c, double cx,
                          double baseline, const char *utf8, const rp_src *src) {
  const char *text = rp_pdf_clean_utf8(p, utf8, 1000);
  if (!text || !text[0] || size <= 0 || size > HPDF_MAX_FONTSIZE) return;
  HPDF_Font font = rp_pdf_font(p, font_index, src);
  if (!font) return;
  if (!rp_pdf_font_drawn(p, font_index, text)) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return;
  }
  HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)text, (HPDF_UINT)strlen(text));
  double w = tw.width * size / 1000.0;
  HPDF_Page_BeginText(p->page);
  HPDF_Page_SetFontAndSize(p->page, font, (HPDF_REAL)size);
  rp_pdf_fill_color(p, c, src);
  HPDF_Page_SetCharSpace(p->page, 0);
  HPDF_Page_TextOut(p->page, (HPDF_REAL)(cx - w / 2), (HPDF_REAL)baseline, text);
  HPDF_Page_EndText(p->page);
  rp_pdf_ok(p, "draw a label", src);
}
