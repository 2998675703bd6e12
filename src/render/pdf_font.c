/* pdf_font — fontset faces as libharu fonts: loaded and embedded on first
 * use only (a face no text item uses is not in the file), as Type 0 fonts
 * with libharu's UTF-8 encoder, whose character codes are the characters'
 * BMP code points.
 *
 * libharu writes a malformed ToUnicode CMap for these fonts (an encoding
 * CMap: /CMapType 1, Identity-H ordering, begincidrange, and a one-byte
 * notdef range inside a two-byte code space; poppler warns "Invalid
 * 'begincidrange' operator"). ISO 32000-1 §9.10.3 wants a CMap of type 2
 * mapping codes to UTF-16BE with bfchar/bfrange. Because the codes are the
 * code points, the correct map is the identity of the characters the face
 * draws (one bfchar each, at most 100 per block: the CMap specification's
 * limit, Adobe TN 5014); it replaces libharu's data in the same stream
 * object. Surrogate codes D800–DFFF are not characters and stay unmapped.
 *
 * Each face is embedded as a subset of the characters the document draws
 * with it (font/subset.c), found by one pass over the pages before drawing. */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hpdf_utils.h>

#include "base/mem.h"
#include "render/flate.h"
#include "render/pdf.h"

/* hpdf.h brings in libharu's internal object API (HPDF_FontAttr,
 * HPDF_Dict_*, HPDF_Stream_*): the installed headers expose it. */

static const char CMAP_HEAD[] =
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) "
    "/Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange\n";
static const char CMAP_TAIL[] =
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\n"
    "end\n";

/* The first code point at or after cp set in `bits` (65,536 bits), 0x10000
 * when none: whole words of clear bits are stepped over at once. */
static uint32_t next_bit(const uint8_t *bits, uint32_t cp) {
  while (cp < 0x10000) {
    if ((cp & 63) == 0) {
      uint64_t w;
      memcpy(&w, bits + (cp >> 3), sizeof w);
      if (w == 0) {
        cp += 64;
        continue;
      }
    }
    if (bits[cp >> 3] >> (cp & 7) & 1) return cp;
    cp++;
  }
  return 0x10000;
}

/* Writes a ToUnicode map of the characters drawn with the face (`used`, a
 * bitmap of BMP code points, from rp_pdf_fonts_collect): one bfchar line
 * per character, code to itself. Listing only what is used keeps the map
 * small and is read right by every extractor (Ghostscript misreads wide
 * identity ranges). NULL `used`: no character drawn, an empty map. */
static HPDF_STATUS write_used_cmap(HPDF_Stream s, const uint8_t *used) {
  enum { PER_SECTION = 100 };
  static const char hex[] = "0123456789ABCDEF";
  HPDF_STATUS ret = HPDF_Stream_WriteStr(s, CMAP_HEAD);
  uint32_t block[PER_SECTION];
  int n = 0;
  for (uint32_t cp = used ? next_bit(used, 0) : 0x10000; ret == HPDF_OK;
       cp = next_bit(used, cp + 1)) {
    if (cp < 0x10000 && !(cp >= 0xD800 && cp <= 0xDFFF)) block[n++] = cp;
    if (n == PER_SECTION || (cp == 0x10000 && n > 0)) {
      /* a section, written at once ("<%04X> <%04X>\n" by hand: snprintf
       * was a thousand instructions a character) */
      char text[32 + PER_SECTION * 14], *o = text + snprintf(text, 32, "%d beginbfchar\n", n);
      for (int i = 0; i < n; i++) {
        char code[4] = {hex[block[i] >> 12 & 15], hex[block[i] >> 8 & 15], hex[block[i] >> 4 & 15],
                        hex[block[i] & 15]};
        *o++ = '<', memcpy(o, code, 4), o += 4, memcpy(o, "> <", 3), o += 3;
        memcpy(o, code, 4), o += 4, *o++ = '>', *o++ = '\n';
      }
      ret = HPDF_Stream_Write(s, (const HPDF_BYTE *)text, (HPDF_UINT)(o - text));
      if (ret == HPDF_OK) ret = HPDF_Stream_WriteStr(s, "endbfchar\n");
      n = 0;
    }
    if (cp == 0x10000) break;
  }
  if (ret == HPDF_OK) ret = HPDF_Stream_WriteStr(s, CMAP_TAIL);
  return ret;
}

/* Replaces the font's ToUnicode stream contents and drops the encoding-CMap
 * entries from its dictionary. A font without that stream is left alone. */
static bool fix_to_unicode(rp_pdf *p, HPDF_Font font, const uint8_t *used, const char *path) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  HPDF_Dict cmap = attr ? attr->cmap_stream : NULL;
  if (!cmap || !cmap->stream) return true;
  static const char *const keys[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    /* HPDF_DICT_ITEM_NOT_FOUND is fine: the entry is gone either way. */
    HPDF_STATUS r = HPDF_Dict_RemoveElement(cmap, keys[i]);
    if (r != HPDF_OK && r != HPDF_DICT_ITEM_NOT_FOUND) break;
  }
  HPDF_MemStream_FreeData(cmap->stream);
  if (write_used_cmap(cmap->stream, used) != HPDF_OK && !p->err_no)
    p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : HPDF_FAILD_TO_ALLOC_MEM;
  rp_src src = {.layout_file = path};
  return rp_pdf_ok(p, "write the font's ToUnicode map", &src);
}

/* libharu makes the font descriptor just before it writes the Type 0 font
 * and writes no /CapHeight; this adds it, from the fontdef, just after (the
 * descriptor itself is written later). */
static HPDF_STATUS add_cap_height(HPDF_Dict type0) {
  HPDF_FontAttr attr = type0->attr;
  HPDF_FontDef def = attr ? attr->fontdef : NULL;
  if (!def || !def->descriptor) return HPDF_OK;
  return HPDF_Dict_AddNumber(def->descriptor, "CapHeight", def->cap_height);
}

/* Corrects what libharu writes in the font's dictionaries: the descendant
 * font's CIDSystemInfo ordering (an ordering is "Identity", not the CMap's
 * name "Identity-H"), and the descriptor's italic angle, stem width and cap
 * height, which libharu leaves at 0 or out. */
static bool fix_descriptor(rp_pdf *p, HPDF_Font font, const rp_font *f, const char *path) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  HPDF_Dict cid = attr ? (HPDF_Dict)attr->descendant_font : NULL;
  HPDF_Dict info = cid ? HPDF_Dict_GetItem(cid, "CIDSystemInfo", HPDF_OCLASS_DICT) : NULL;
  HPDF_STATUS r = HPDF_OK;
  if (info) r = HPDF_Dict_Add(info, "Ordering", HPDF_String_New(p->pdf->mmgr, "Identity", NULL));
  HPDF_FontDef def = attr ? attr->fontdef : NULL;
  if (def && !font->after_write_fn) {
    def->italic_angle = (HPDF_INT16)lround(f->italic_angle);
    /* StemV from the weight class: the usual estimate when a font states none. */
    int w = f->weight > 50 ? f->weight : 50;
    def->stemv = (HPDF_UINT16)(10 + 220 * (w - 50) / 900);
    def->cap_height = (HPDF_UINT16)(f->cap_height > 0 ? f->cap_height : 0);
    font->after_write_fn = add_cap_height;
  }
  if (r != HPDF_OK && !p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
  rp_src src = {.layout_file = path};
  return rp_pdf_ok(p, "describe the font", &src);
}

/* ---- glyph lookup ---------------------------------------------------- */

/* libharu finds a character's glyph (HPDF_TTFontDef_GetGlyphid) by a linear
 * search of the cmap's segments, and looks up all 65,536 codes when it makes
 * a face's CIDFontType2 (/W and CIDToGIDMap), then again per character
 * measured: 23 M of the review's 466 M instructions. Between loading the
 * face and making its font, its parsed cmap is rewritten into the same
 * format-4 form with as few segments as possible: each cluster of mapped
 * codes becomes one segment read through the glyph id array, and the
 * closing 0xFFFF segment stays last. Every code maps to the glyph it mapped
 * to before (the font program's own cmap is copied from the file, not from
 * this), so the output is the same, found in a step or two. (A held
 * document's face needs none of this: its font is made from one pass over
 * the cmap, face_gids.) */
enum { CLUSTER_GAP = 64, MAX_SEGS = 16 };

/* The glyph libharu's search gives `u` in segment i (u <= end[i], the first
 * such segment). */
static HPDF_UINT16 seg_glyph(const HPDF_TTF_CmapRange *c, unsigned segs, unsigned i, unsigned u) {
  if (c->start_count[i] > u) return 0;
  if (c->id_range_offset[i] == 0) return (HPDF_UINT16)(u + (unsigned)c->id_delta[i]);
  HPDF_UINT idx = c->id_range_offset[i] / 2 + (u - c->start_count[i]) - (segs - i);
  if (idx >= c->glyph_id_array_count || !c->glyph_id_array) return 0;
  return (HPDF_UINT16)(c->glyph_id_array[idx] + (unsigned)c->id_delta[i]);
}

static void fast_cmap(rp_pdf *p, HPDF_FontDef def) {
  HPDF_TTFontDefAttr attr = def && def->type == HPDF_FONTDEF_TYPE_TRUETYPE ? def->attr : NULL;
  HPDF_TTF_CmapRange *c = attr ? &attr->cmap : NULL;
  unsigned segs = c ? c->seg_count_x2 / 2u : 0;
  if (!c || c->format != 4 || segs == 0 || c->end_count[segs - 1] != 0xFFFF) return;
  for (unsigned i = 1; i < segs; i++)
    if (c->end_count[i] <= c->end_count[i - 1]) return; /* unsorted: left as it is */
  HPDF_UINT16 *gids = rp_mem_alloc(65536 * sizeof *gids);
  if (!gids) return;
  for (unsigned i = 0, u = 0; i < segs; i++) {
    /* the codes before the segment's start map to nothing (seg_glyph's 0):
     * cleared at once, not looked up one by one (1.5 M instructions) */
    unsigned start = c->start_count[i] > u ? c->start_count[i] : u;
    if (start > (unsigned)c->end_count[i] + 1) start = (unsigned)c->end_count[i] + 1;
    memset(gids + u, 0, (start - u) * sizeof *gids);
    for (u = start; u <= c->end_count[i]; u++) gids[u] = seg_glyph(c, segs, i, u);
  }
  /* clusters of mapped codes below 0xFFFF, split at gaps over CLUSTER_GAP */
  unsigned from[MAX_SEGS], to[MAX_SEGS], n = 0, total = 0;
  for (unsigned u = 0; u < 0xFFFF; u++) {
    if (!gids[u]) continue;
    if (n > 0 && u - to[n - 1] <= CLUSTER_GAP) {
      to[n - 1] = u;
      continue;
    }
    if (n == MAX_SEGS - 1) goto done; /* too scattered to gain */
    from[n] = to[n] = u;
    n++;
  }
  for (unsigned j = 0; j < n; j++) {
    /* id_range_offset is 16 bits: the array must stay within its reach */
    if ((total + n + 1 - j) * 2 > 0xFFFF) goto done;
    total += to[j] - from[j] + 1;
  }
  unsigned nsegs = n + 1;
  HPDF_UINT16 *end = HPDF_GetMem(def->mmgr, nsegs * sizeof *end);
  HPDF_UINT16 *start = HPDF_GetMem(def->mmgr, nsegs * sizeof *start);
  HPDF_INT16 *delta = HPDF_GetMem(def->mmgr, nsegs * sizeof *delta);
  HPDF_UINT16 *ro = HPDF_GetMem(def->mmgr, nsegs * sizeof *ro);
  HPDF_UINT16 *arr = total ? HPDF_GetMem(def->mmgr, total * sizeof *arr) : NULL;
  if (!end || !start || !delta || !ro || (total && !arr)) {
    HPDF_FreeMem(def->mmgr, end);
    HPDF_FreeMem(def->mmgr, start);
    HPDF_FreeMem(def->mmgr, delta);
    HPDF_FreeMem(def->mmgr, ro);
    HPDF_FreeMem(def->mmgr, arr);
    HPDF_ResetError(p->pdf);
    goto done;
  }
  unsigned base = 0;
  for (unsigned j = 0; j < n; j++) {
    start[j] = (HPDF_UINT16)from[j];
    end[j] = (HPDF_UINT16)to[j];
    delta[j] = 0;
    /* libharu's index: ro/2 + (u - start) - (segments - j) */
    ro[j] = (HPDF_UINT16)(2 * (base + nsegs - j));
    memcpy(arr + base, gids + from[j], (to[j] - from[j] + 1) * sizeof *arr);
    base += to[j] - from[j] + 1;
  }
  start[n] = end[n] = 0xFFFF;
  ro[n] = 0;
  delta[n] = (HPDF_INT16)(HPDF_UINT16)(gids[0xFFFF] - 0xFFFFu);
  HPDF_FreeMem(def->mmgr, c->end_count);
  HPDF_FreeMem(def->mmgr, c->start_count);
  HPDF_FreeMem(def->mmgr, c->id_delta);
  HPDF_FreeMem(def->mmgr, c->id_range_offset);
  if (c->glyph_id_array) HPDF_FreeMem(def->mmgr, c->glyph_id_array);
  c->end_count = end;
  c->start_count = start;
  c->id_delta = delta;
  c->id_range_offset = ro;
  c->glyph_id_array = arr;
  c->glyph_id_array_count = total;
  c->seg_count_x2 = (HPDF_UINT16)(2 * nsegs);
done:
  rp_mem_free(gids);
}

/* ---- a held document's Type 0 font, made here ----------------------- */

/* HPDF_GetFont makes a face's Type 0 font from its encoder's 65,536 codes:
 * a 128 KB table cleared a byte at a time, each code's glyph looked up, /W
 * and a CIDToGIDMap up to the highest, an encoding CMap written out. With
 * UTF-8's encoder that is 8 M instructions a face; shown a copy of it
 * mapping only the codes the face maps (what this file did before), still
 * 1.7 M (5.3 M of the review's main thread). A held document's face is
 * loaded as a subset of the characters it draws, so type0_new makes its
 * font from the codes the face maps: the objects HPDF_GetFont makes (for a
 * TrueType face and an encoder whose ordering is Identity-H, libharu
 * 2.3.0), numbered in the same order, with the same entries in the same
 * order. It leaves out what this file replaces anyway: the encoding CMap's
 * entries and text (fix_to_unicode writes the ToUnicode map into the same
 * stream) and the CIDToGIDMap's data (exact_gid_map's). The PDF is the
 * same bytes (test_pdf_font's type0 case compares the two). */

/* libharu's width of `text` (its encoder's codes) in the face, in
 * thousandths of an em, with its counts of characters, words and spaces
 * (HPDF_Font_TextWidth; HPDF_Page_ShowText and TextOut ask it too). */
static HPDF_TextWidth type0_text_width(HPDF_Font font, const HPDF_BYTE *text, HPDF_UINT len) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  HPDF_Encoder enc = attr->encoder;
  HPDF_FontDef def = attr->fontdef;
  HPDF_TextWidth tw = {0, 0, 0, 0};
  HPDF_ParseText_Rec state;
  HPDF_Encoder_SetParseText(enc, &state, text, len);
  HPDF_BYTE last = 0;
  for (HPDF_UINT i = 0; i < len; i++) {
    HPDF_ByteType type = enc->byte_type_fn(enc, &state);
    last = text[i];
    HPDF_UINT16 code = last;
    /* (a lead byte and the next make the code: text ends with its NUL) */
    if (type == HPDF_BYTE_TYPE_LEAD) code = (HPDF_UINT16)((code << 8) + text[i + 1]);
    if (type != HPDF_BYTE_TYPE_TRIAL) {
      tw.width += attr->writing_mode == HPDF_WMODE_HORIZONTAL
                      ? (HPDF_UINT)HPDF_TTFontDef_GetCharWidth(def, enc->to_unicode_fn(enc, code))
                      : (HPDF_UINT)(HPDF_INT)(def->font_bbox.top - def->font_bbox.bottom);
      tw.numchars++;
    }
    if (HPDF_IS_WHITE_SPACE(code)) tw.numwords++, tw.numspace++;
  }
  if (!HPDF_IS_WHITE_SPACE(last)) tw.numwords++;
  return tw;
}

/* libharu's fitting of text into a width (HPDF_Page_MeasureText and
 * TextRect): render never asks it, so nothing fits. */
static HPDF_UINT type0_measure_text(HPDF_Font font, const HPDF_BYTE *text, HPDF_UINT len,
                                    HPDF_REAL width, HPDF_REAL font_size, HPDF_REAL char_space,
                                    HPDF_REAL word_space, HPDF_BOOL wordwrap,
                                    HPDF_REAL *real_width) {
  (void)font, (void)text, (void)len, (void)width, (void)font_size, (void)char_space;
  (void)word_space, (void)wordwrap;
  if (real_width) *real_width = 0;
  return 0;
}

static void type0_free(HPDF_Dict font) {
  if (font->attr) HPDF_FreeMem(font->mmgr, font->attr);
}

/* The font descriptor with the font program: `data` (len bytes), or with
 * NULL the program libharu copies from the loaded face (HPDF_TTFontDef_
 * SaveFontData); made as libharu makes it when it writes the font (same
 * entries, same order; the program's stream, then the descriptor,
 * numbered). *program is the program's stream object (NULL if none). On
 * failure the font has no descriptor: what libharu's own hook returns then
 * (its error code, which may be none) is returned. */
static HPDF_STATUS descriptor_new(HPDF_Font font, const unsigned char *data, size_t len,
                                  HPDF_Dict *program) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  HPDF_FontDef def = attr->fontdef;
  HPDF_TTFontDefAttr def_attr = (HPDF_TTFontDefAttr)def->attr;
  HPDF_MMgr mm = font->mmgr;
  *program = NULL;
  HPDF_Dict d = HPDF_Dict_New(mm);
  if (!d) return HPDF_Error_GetCode(font->error);
  HPDF_STATUS r = HPDF_OK;
  if (data || def_attr->embedding) {
    HPDF_Dict prog = HPDF_DictStream_New(mm, attr->xref);
    if (prog)
      r = data ? HPDF_Stream_Write(prog->stream, data, (HPDF_UINT)len)
               : HPDF_TTFontDef_SaveFontData(def, prog->stream);
    if (!prog || r != HPDF_OK) {
      HPDF_Dict_Free(d);
      return HPDF_Error_GetCode(font->error);
    }
    r += HPDF_Dict_Add(d, "FontFile2", prog);
    r += HPDF_Dict_AddNumber(prog, "Length1",
                             data ? (HPDF_INT32)len : (HPDF_INT32)def_attr->length1);
    r += HPDF_Dict_AddNumber(prog, "Length2", 0);
    r += HPDF_Dict_AddNumber(prog, "Length3", 0);
    prog->filter = font->filter;
    *program = prog;
  }
  if (r != HPDF_OK || HPDF_Xref_Add(attr->xref, d) != HPDF_OK) /* (a failed add frees d) */
    return HPDF_Error_GetCode(font->error) ? HPDF_Error_GetCode(font->error) : HPDF_INVALID_OBJECT;
  r += HPDF_Dict_AddName(d, "Type", "FontDescriptor");
  r += HPDF_Dict_AddNumber(d, "Ascent", def->ascent);
  r += HPDF_Dict_AddNumber(d, "Descent", def->descent);
  r += HPDF_Dict_AddNumber(d, "Flags", def->flags);
  r += HPDF_Dict_Add(d, "FontBBox", HPDF_Box_Array_New(mm, def->font_bbox));
  r += HPDF_Dict_AddName(d, "FontName", def_attr->base_font);
  r += HPDF_Dict_AddNumber(d, "ItalicAngle", def->italic_angle);
  r += HPDF_Dict_AddNumber(d, "StemV", def->stemv);
  r += HPDF_Dict_AddNumber(d, "XHeight", def->x_height);
  if (r != HPDF_OK)
    return HPDF_Error_GetCode(font->error) ? HPDF_Error_GetCode(font->error) : HPDF_INVALID_OBJECT;
  def->descriptor = d;
  return HPDF_OK;
}

/* Before the Type 0 font is written (libharu's hook for it): its streams
 * take its filter, the descriptor is made if rp_pdf_fonts_exact made none
 * (the program as loaded), and both fonts name the face and the
 * descendant its descriptor. */
static HPDF_STATUS type0_before_write(HPDF_Dict font) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  HPDF_FontDef def = attr->fontdef;
  if (attr->map_stream) attr->map_stream->filter = font->filter;
  if (attr->cmap_stream) attr->cmap_stream->filter = font->filter;
  if (!def->descriptor) {
    HPDF_Dict program;
    HPDF_STATUS r = descriptor_new(font, NULL, 0, &program);
    if (!def->descriptor) return r; /* (rp_pdf_fonts_embedded says so) */
  }
  const char *name = ((HPDF_TTFontDefAttr)def->attr)->base_font;
  HPDF_STATUS r = HPDF_Dict_AddName(font, "BaseFont", name);
  if (r == HPDF_OK) r = HPDF_Dict_AddName(attr->descendant_font, "BaseFont", name);
  return r == HPDF_OK ? HPDF_Dict_Add(attr->descendant_font, "FontDescriptor", def->descriptor) : r;
}

/* Adds `width` for `code` to /W array w: to the open run (`*run`), or to
 * a new run `code [width …]` when there is none. */
static HPDF_STATUS width_add(HPDF_Array w, HPDF_Array *run, unsigned code, int width) {
  if (!*run) {
    HPDF_STATUS r = HPDF_Array_AddNumber(w, (HPDF_INT32)code);
    if (r == HPDF_OK && !(*run = HPDF_Array_New(w->mmgr))) r = HPDF_Error_GetCode(w->error);
    if (r == HPDF_OK) r = HPDF_Array_Add(w, *run);
    if (r != HPDF_OK) return r;
  }
  return HPDF_Array_AddNumber(*run, width);
}

/* /W of codes 0 … last as libharu makes it: runs of consecutive codes
 * whose width (of glyph gids[code], 0 for a code the face does not map)
 * is not the default, `first [w1 w2 …]`. */
static HPDF_STATUS mapped_widths(HPDF_Array w, HPDF_FontDef def, const HPDF_UINT16 *gids,
                                 unsigned last) {
  int dw = def->missing_width, w0 = HPDF_TTFontDef_GetGidWidth(def, 0);
  HPDF_Array run = NULL;
  HPDF_STATUS r = HPDF_OK;
  for (unsigned cp = 0; cp <= last && r == HPDF_OK; cp++) {
    /* (the usual: glyph 0's width is the default, a code not mapped ends a run) */
    int width = gids[cp] || w0 != dw ? HPDF_TTFontDef_GetGidWidth(def, gids[cp]) : dw;
    if (width == dw) {
      run = NULL;
      continue;
    }
    r = width_add(w, &run, cp, width);
  }
  return r;
}

/* The Type 0 font of face `def` with encoder `enc` (UTF-8's), as
 * HPDF_GetFont makes it, for the codes the face maps: gids[code] is the
 * glyph of each code up to `last`, the highest it maps, 0 for a code it
 * does not. NULL on failure (libharu's error set: what was numbered is
 * freed with the document). */
static HPDF_Font type0_new(rp_pdf *p, HPDF_FontDef def, HPDF_Encoder enc, const HPDF_UINT16 *gids,
                           unsigned last) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Xref xref = p->pdf->xref;
  HPDF_CMapEncoderAttr enc_attr = (HPDF_CMapEncoderAttr)enc->attr;
  HPDF_Dict font = HPDF_Dict_New(mm);
  HPDF_FontAttr attr = font ? HPDF_GetMem(mm, sizeof *attr) : NULL;
  if (!attr) {
    if (font) HPDF_Dict_Free(font);
    return NULL;
  }
  *attr = (HPDF_FontAttr_Rec){.type = HPDF_FONT_TYPE0_TT,
                              .writing_mode = enc_attr->writing_mode,
                              .text_width_fn = type0_text_width,
                              .measure_text_fn = type0_measure_text,
                              .fontdef = def,
                              .encoder = enc,
                              .xref = xref};
  font->header.obj_class |= HPDF_OSUBCLASS_FONT;
  font->free_fn = type0_free;
  font->attr = attr;
  if (HPDF_Xref_Add(xref, font) != HPDF_OK) return NULL; /* (font freed) */
  HPDF_STATUS r = HPDF_Dict_AddName(font, "Type", "Font");
  r += HPDF_Dict_AddName(font, "BaseFont", def->base_font);
  r += HPDF_Dict_AddName(font, "Subtype", "Type0");
  r += HPDF_Dict_AddName(font, "Encoding", "Identity-H");
  attr->cmap_stream = r == HPDF_OK ? HPDF_DictStream_New(mm, xref) : NULL;
  if (!attr->cmap_stream || HPDF_Dict_Add(font, "ToUnicode", attr->cmap_stream) != HPDF_OK)
    return NULL;
  HPDF_Array kids = HPDF_Array_New(mm);
  if (!kids || HPDF_Dict_Add(font, "DescendantFonts", kids) != HPDF_OK) return NULL;
  HPDF_Dict cid = HPDF_Dict_New(mm);
  if (!cid || HPDF_Xref_Add(xref, cid) != HPDF_OK) return NULL;
  font->before_write_fn = type0_before_write;
  r = HPDF_Dict_AddName(cid, "Type", "Font");
  r += HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
  r += HPDF_Dict_AddNumber(cid, "DW", def->missing_width);
  HPDF_Array dw2 = r == HPDF_OK ? HPDF_Array_New(mm) : NULL;
  if (!dw2 || HPDF_Dict_Add(cid, "DW2", dw2) != HPDF_OK) return NULL;
  r = HPDF_Array_AddNumber(dw2, (HPDF_INT32)def->font_bbox.bottom);
  r += HPDF_Array_AddNumber(dw2, (HPDF_INT32)(def->font_bbox.bottom - def->font_bbox.top));
  HPDF_Array w = r == HPDF_OK ? HPDF_Array_New(mm) : NULL;
  if (!w || HPDF_Dict_Add(cid, "W", w) != HPDF_OK || mapped_widths(w, def, gids, last) != HPDF_OK)
    return NULL;
  if (((HPDF_TTFontDefAttr)def->attr)->embedding) {
    attr->map_stream = HPDF_DictStream_New(mm, xref);
    if (!attr->map_stream || HPDF_Dict_Add(cid, "CIDToGIDMap", attr->map_stream) != HPDF_OK)
      return NULL;
  }
  HPDF_Dict info = HPDF_Dict_New(mm);
  if (!info || HPDF_Dict_Add(cid, "CIDSystemInfo", info) != HPDF_OK) return NULL;
  r = HPDF_Dict_Add(info, "Registry", HPDF_String_New(mm, enc_attr->registry, NULL));
  r += HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mm, enc_attr->ordering, NULL));
  r += HPDF_Dict_AddNumber(info, "Supplement", enc_attr->suppliment);
  if (r != HPDF_OK || HPDF_Array_Add(kids, cid) != HPDF_OK) return NULL;
  attr->descendant_font = cid;
  if (HPDF_List_Add(p->pdf->font_mgr, font) != HPDF_OK) return NULL;
  if (p->pdf->compression_mode & HPDF_COMP_METADATA) font->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  return font;
}

/* The glyph of each code face `def` maps, below 0xFFFF, as
 * HPDF_TTFontDef_GetGlyphid finds it, found segment by segment of its
 * format 4 cmap (sorted: a code belongs to the first segment ending at or
 * after it): *gids (base/mem, the caller frees it) holds the glyph of each
 * code up to *last, the highest with a glyph other than 0 (0 if none), and
 * 0 for the others. NULL when the cmap is not of that form or memory runs out. */
static HPDF_UINT16 *face_gids(HPDF_FontDef def, unsigned *last) {
  HPDF_TTFontDefAttr attr = def && def->type == HPDF_FONTDEF_TYPE_TRUETYPE ? def->attr : NULL;
  const HPDF_TTF_CmapRange *c = attr ? &attr->cmap : NULL;
  unsigned segs = c ? c->seg_count_x2 / 2u : 0;
  if (!c || c->format != 4 || segs == 0 || c->end_count[segs - 1] != 0xFFFF) return NULL;
  for (unsigned i = 1; i < segs; i++)
    if (c->end_count[i] <= c->end_count[i - 1]) return NULL; /* unsorted */
  unsigned top = 0; /* the highest code below 0xFFFF a segment holds */
  for (unsigned i = 0; i < segs; i++)
    if (c->start_count[i] <= c->end_count[i] && c->start_count[i] < 0xFFFF)
      top = c->end_count[i] < 0xFFFF ? c->end_count[i] : 0xFFFE;
  HPDF_UINT16 *gids = rp_mem_calloc((size_t)top + 1, sizeof *gids);
  if (!gids) return NULL;
  *last = 0;
  for (unsigned i = 0, u = 0; i < segs && u <= top; i++) {
    unsigned end = c->end_count[i] < top ? c->end_count[i] : top;
    for (u = c->start_count[i] > u ? c->start_count[i] : u; u <= end; u++)
      if ((gids[u] = seg_glyph(c, segs, i, u)) != 0 && u > 0) *last = u;
    u = (unsigned)c->end_count[i] + 1;
  }
  gids[0] = 0; /* (code 0 is none: libharu's encoder maps nothing to it) */
  return gids;
}

/* The libharu font of face `name` for a held document: type0_new's, from
 * the glyphs *gids of the codes it maps up to *n_gids - 1 (face_gids: the
 * caller frees them; exact_gid_map reads them too); HPDF_GetFont's, with
 * *gids NULL, for a face or an encoder type0_new was not written for, or
 * when asked (RP_HPDF_FONTS=1: tests compare the two). */
static HPDF_Font font_of_mapped(rp_pdf *p, const char *name, HPDF_UINT16 **gids, size_t *n_gids) {
  HPDF_FontDef def = HPDF_GetFontDef(p->pdf, name);
  HPDF_Encoder enc = HPDF_GetEncoder(p->pdf, "UTF-8");
  HPDF_CMapEncoderAttr enc_attr =
      enc && enc->type == HPDF_ENCODER_TYPE_DOUBLE_BYTE ? enc->attr : NULL;
  unsigned last = 0;
  *gids = NULL, *n_gids = 0;
  const char *hpdf = getenv("RP_HPDF_FONTS");
  if (enc_attr && strcmp(enc_attr->ordering, "Identity-H") == 0 &&
      !HPDF_Doc_FindFont(p->pdf, name, "UTF-8") && !(hpdf && *hpdf && strcmp(hpdf, "0") != 0))
    *gids = face_gids(def, &last);
  if (*gids && HPDF_TTFontDef_GetGlyphid(def, 0) == 0) {
    *n_gids = (size_t)last + 1;
    return type0_new(p, def, enc, *gids, last);
  }
  rp_mem_free(*gids);
  *gids = NULL;
  fast_cmap(p, def); /* HPDF_GetFont looks every code up */
  return HPDF_GetFont(p->pdf, name, "UTF-8");
}

/* ---- subsets -------------------------------------------------------- */

/* Sets the bit of each BMP character of `text` (clean UTF-8) in `bits`. */
static void set_bits(uint8_t *bits, const char *text) {
  size_t len = strlen(text);
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    i += rp_pdf_decode(text + i, len - i, &cp);
    if (cp < 65536) bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
  }
}

/* Marks the characters of UTF-8 `text` (already clean: BMP only) as used by
 * face `font`. */
static bool mark_text(rp_pdf *p, int font, const char *text) {
  if (font < 0 || (size_t)font >= p->n_fonts || !text) return true;
  if (!p->font_used[font]) {
    p->font_used[font] = rp_arena_calloc(p->scratch, 65536 / 8, 1);
    if (!p->font_used[font]) return false;
  }
  set_bits(p->font_used[font], text);
  return true;
}

static void start_font_jobs(rp_pdf *p, const int *order, size_t n_order);

/* mark_text, noting in order[*n] a face marked for the first time. */
static bool mark_first(rp_pdf *p, int font, const char *text, int *order, size_t *n) {
  bool fresh = font >= 0 && (size_t)font < p->n_fonts && !p->font_used[font];
  if (!mark_text(p, font, text)) return false;
  if (fresh && order && p->font_used[font]) order[(*n)++] = font;
  return true;
}

/* False, with the error recorded, when a face read on first use could not
 * be (its file changed after loading, or memory ran out: rp_fontset_check):
 * what was measured with it is wrong, so nothing is drawn or saved. Asked
 * before a face is given to libharu and before saving (a pair shaped after
 * rp_fontset_rest reads the file again). */
static bool fonts_read(rp_pdf *p) {
  rp_status st = rp_fontset_check(p->doc->fonts, p->d);
  if (st != RP_OK && p->status == RP_OK) p->status = st;
  return st == RP_OK;
}

bool rp_pdf_fonts_collect(rp_pdf *p) {
  const rp_layout_doc *doc = p->doc;
  if (!fonts_read(p)) return false;
  /* every page is set: drawing reads the pairs layout measured, and the
   * pages' items can take the place of the faces' shaping tables */
  rp_fontset_rest(doc->fonts);
  /* the faces in the order the pages first draw them, for start_font_jobs
   * (without memory for it, in fontset order) */
  int *order = p->n_fonts ? rp_arena_calloc(p->scratch, p->n_fonts, sizeof *order) : NULL;
  size_t n_order = 0;
  for (size_t pi = 0; pi < doc->pages.len; pi++) {
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, pi);
    const rp_item *items = pg->items.data;
    /* the cleaned texts are needed only to mark their characters */
    p->tmp = rp_arena_new_child(p->scratch);
    bool ok = p->tmp != NULL;
    for (size_t i = 0; ok && i < pg->items.len; i++) {
      const rp_item *it = &items[i];
      if (it->kind == RP_ITEM_TEXT && it->u.text.text)
        ok = mark_first(p, it->u.text.font,
                        rp_pdf_clean_text(p, it->u.text.text, RP_PDF_MAX_TEXT_BYTES), order,
                        &n_order);
      else if (it->kind == RP_ITEM_CHART && !it->u.chart.drawn) {
        /* rp_pdf_draw_chart_slot's label, in the first face */
        const char *label =
            it->u.chart.label && it->u.chart.label[0] ? it->u.chart.label : it->u.chart.kind;
        ok = !label || mark_first(p, 0, rp_pdf_clean_utf8(p, label, 1000), order, &n_order);
      }
    }
    rp_arena_free(p->tmp);
    p->tmp = NULL;
    if (!ok) {
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
      return false;
    }
  }
  start_font_jobs(p, order, n_order);
  return true;
}

/* The code points set in `bits`, in order, malloc'd (the caller frees):
 * as many as there are, not a whole plane's worth. */
static uint32_t *code_points(const uint8_t *bits, size_t *n) {
  *n = 0;
  for (uint32_t cp = next_bit(bits, 0); cp < 0x10000; cp = next_bit(bits, cp + 1)) ++*n;
  uint32_t *cps = rp_mem_alloc((*n ? *n : 1) * sizeof *cps);
  size_t k = 0;
  for (uint32_t cp = next_bit(bits, 0); cps && cp < 0x10000; cp = next_bit(bits, cp + 1))
    cps[k++] = cp;
  return cps;
}

/* An anonymous in-memory file holding data[0, len), or -1. */
static int memory_file(const unsigned char *data, size_t len) {
  int fd = memfd_create("reviewpdf-font", MFD_CLOEXEC);
  size_t done = 0;
  while (fd >= 0 && done < len) {
    ssize_t w = write(fd, data + done, len - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  if (fd >= 0 && done < len) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* Writes the subset of face `index` (the characters rp_pdf_fonts_collect
 * found) to an anonymous in-memory file and gives its path; false when the
 * face is embedded whole instead (no characters noted, or no memory for the
 * list), with *unreadable set when HarfBuzz could not subset it. The file stays
 * open until the document is saved: libharu reads the font program again
 * when it writes it. */
static bool subset_file(rp_pdf *p, int index, char *path, size_t cap, bool *unreadable) {
  const uint8_t *bits = p->font_used[index];
  if (!bits) return false;
  size_t n;
  uint32_t *cps = code_points(bits, &n);
  if (!cps) return false;
  unsigned char *data = NULL;
  size_t len = 0;
  bool cut = rp_font_subset(rp_fontset_get(p->doc->fonts, index), cps, n, &data, &len);
  rp_mem_free(cps);
  if (!cut) {
    *unreadable = true;
    return false;
  }
  int fd = memory_file(data, len);
  rp_mem_free(data);
  if (fd < 0) return false;
  p->font_fds[index] = fd;
  snprintf(path, cap, "/proc/self/fd/%d", fd);
  return true;
}

/* ---- a held document's faces cut on the render's second thread ---------- */

/* A held document knows every face's characters before its first page is
 * drawn (rp_pdf_fonts_collect): both cuts of each face used (subset_file's
 * and exact_program's, HarfBuzz on files only) are made on the worker
 * meanwhile (pdf_doc.c rp_pdf_worker_push). rp_pdf_font takes them when
 * the face is first drawn; a cut that failed on the worker is made again
 * there, as without it, so the messages are the same. */
struct rp_pdf_font_job {
  rp_flate_job job; /* first: make_font's argument */
  const char *path; /* the face's file */
  uint32_t *cps;    /* its characters (base/mem) */
  size_t n;
  int fd;                 /* subset_file's cut, in memory; or -1 */
  unsigned char *program; /* exact_program's cut (base/mem), or NULL */
  size_t program_len;
};

static bool make_font(rp_flate_job *job) {
  struct rp_pdf_font_job *fj = (struct rp_pdf_font_job *)job;
  unsigned char *data = NULL;
  size_t len = 0;
  if (!rp_font_subset_file(fj->path, fj->cps, fj->n, false, &data, &len)) return false;
  fj->fd = memory_file(data, len);
  rp_mem_free(data);
  if (fj->fd < 0) return false;
  char loaded[64];
  snprintf(loaded, sizeof loaded, "/proc/self/fd/%d", fj->fd);
  if (!rp_font_subset_file(loaded, fj->cps, fj->n, true, &fj->program, &fj->program_len))
    fj->program = NULL;
  return true;
}

/* Starts the cuts of every face the held document draws on the worker, in
 * the order the pages first draw them (order[0..n_order), then any other):
 * the first page waits for its faces only (the review's title face, Open
 * Sans Bold, comes after Regular in the fontset). */
static void start_font_jobs(rp_pdf *p, const int *order, size_t n_order) {
  if (p->streaming || !p->n_fonts || !rp_pdf_deflate_ready(p)) return;
  p->font_jobs = rp_arena_calloc(p->scratch, p->n_fonts, sizeof *p->font_jobs);
  if (!p->font_jobs) return;
  p->n_font_jobs = p->n_fonts;
  for (size_t k = 0; k < n_order + p->n_fonts; k++) {
    size_t i = k < n_order ? (size_t)order[k] : k - n_order;
    const rp_font *f = rp_fontset_get(p->doc->fonts, (int)i);
    if (!p->font_used[i] || p->font_jobs[i] || !f || !f->path) continue;
    struct rp_pdf_font_job *fj = rp_mem_calloc(1, sizeof *fj);
    if (!fj) return;
    *fj = (struct rp_pdf_font_job){.job = {.make = make_font}, .path = f->path, .fd = -1};
    fj->cps = code_points(p->font_used[i], &fj->n);
    if (!fj->cps || !rp_pdf_worker_push(p, &fj->job)) {
      rp_mem_free(fj->cps);
      rp_mem_free(fj);
      return;
    }
    p->font_jobs[i] = fj;
  }
}

/* Face `index`'s job, waited for; NULL when it has none or it failed. */
static struct rp_pdf_font_job *font_job_done(rp_pdf *p, int index) {
  struct rp_pdf_font_job *fj = (size_t)index < p->n_font_jobs ? p->font_jobs[index] : NULL;
  return fj && rp_pdf_worker_wait(p, &fj->job) && fj->fd >= 0 ? fj : NULL;
}

static void font_jobs_free(rp_pdf *p) {
  for (size_t i = 0; i < p->n_font_jobs; i++) {
    struct rp_pdf_font_job *fj = p->font_jobs[i];
    if (!fj) continue;
    if (fj->fd >= 0) close(fj->fd);
    rp_mem_free(fj->cps);
    rp_mem_free(fj->program);
    rp_mem_free(fj);
  }
  p->n_font_jobs = 0;
}

static void not_embeddable(rp_pdf *p, size_t i) {
  rp_pdf_error(p, RP_ERR_INPUT, p->doc->fonts->fonts[i]->path, 0,
               "cannot embed this font in the PDF: the PDF writer could not copy its tables "
               "(the file is damaged or unusual); re-export it as TrueType (.ttf) from a font "
               "editor, or use another font");
}

bool rp_pdf_fonts_embeddable(rp_pdf *p) {
  bool ok = true;
  for (size_t i = 0; p->fonts && i < p->n_fonts; i++) {
    HPDF_FontAttr attr = p->fonts[i] ? (HPDF_FontAttr)p->fonts[i]->attr : NULL;
    /* a descriptor made already holds its program (rp_pdf_fonts_exact) */
    if (!attr || !attr->fontdef || attr->fontdef->descriptor) continue;
    HPDF_Stream s = HPDF_MemStream_New(p->pdf->mmgr, 4096);
    if (!s) return rp_pdf_ok(p, "copy a font", NULL);
    HPDF_STATUS r = HPDF_TTFontDef_SaveFontData(attr->fontdef, s);
    HPDF_Stream_Free(s);
    HPDF_ResetError(p->pdf); /* reading to a table's end leaves HPDF_STREAM_EOF */
    if (r != HPDF_OK) {
      not_embeddable(p, i);
      ok = false;
    }
  }
  return ok;
}

bool rp_pdf_fonts_embedded(rp_pdf *p) {
  bool ok = true;
  for (size_t i = 0; p->fonts && i < p->n_fonts; i++) {
    HPDF_FontAttr attr = p->fonts[i] ? (HPDF_FontAttr)p->fonts[i]->attr : NULL;
    if (!attr || (attr->fontdef && attr->fontdef->descriptor)) continue;
    not_embeddable(p, i);
    ok = false;
  }
  return ok;
}

void rp_pdf_fonts_close(rp_pdf *p) {
  for (size_t i = 0; p->font_fds && i < p->n_fonts; i++)
    if (p->font_fds[i] >= 0) close(p->font_fds[i]);
  for (size_t i = 0; i < p->n_programs; i++) rp_mem_free(p->font_program[i]);
  font_jobs_free(p);
}

static HPDF_STATUS exact_gid_map(HPDF_Font font, const uint8_t *drawn, const HPDF_UINT16 *gids,
                                 size_t n_gids);

/* The program of just the characters face `index` draws, cut from the
 * loaded subset keeping its glyph ids (NULL, 0 when it cannot be: the
 * program as loaded is embedded then). */
static unsigned char *exact_program(rp_pdf *p, size_t index, const uint8_t *drawn, size_t *len) {
  size_t n;
  uint32_t *cps = code_points(drawn, &n);
  if (!cps) return NULL;
  char loaded[64];
  snprintf(loaded, sizeof loaded, "/proc/self/fd/%d", p->font_fds[index]);
  unsigned char *data = NULL;
  *len = 0;
  bool cut = rp_font_subset_file(loaded, cps, n, true, &data, len);
  rp_mem_free(cps);
  return cut ? data : NULL;
}

/* A held document knows every character a face draws when the face is
 * made: its maps are final then, and its program is cut now rather than
 * when saving, and all three deflated on the render's second thread while
 * pages are drawn (pdf_doc.c rp_pdf_deflate_early). exact_face embeds the
 * program kept here (or the worker's, `fj`); without memory for it,
 * exact_face cuts it as always. */
static void early_program(rp_pdf *p, int index, struct rp_pdf_font_job *fj) {
  if (p->font_fds[index] < 0 || !p->font_used[index]) return;
  if (!p->font_program) {
    p->font_program = rp_arena_calloc(p->scratch, p->n_fonts, sizeof *p->font_program);
    p->font_program_len = rp_arena_calloc(p->scratch, p->n_fonts, sizeof *p->font_program_len);
    p->n_programs = p->font_program && p->font_program_len ? p->n_fonts : 0;
  }
  if ((size_t)index >= p->n_programs) return;
  size_t len = fj ? fj->program_len : 0;
  unsigned char *data = fj ? fj->program : NULL; /* cut on the worker */
  if (fj) fj->program = NULL;
  if (!data) data = exact_program(p, (size_t)index, p->font_used[index], &len);
  if (!data) return;
  p->font_program[index] = data;
  p->font_program_len[index] = len;
  rp_pdf_deflate_data_early(p, data, len);
}

HPDF_Font rp_pdf_font(rp_pdf *p, int index, const rp_src *src) {
  const rp_fontset *fs = p->doc->fonts;
  if (!fs || index < 0 || (size_t)index >= fs->count || !fs->fonts[index] ||
      !fs->fonts[index]->path) {
    rp_pdf_error(p, RP_ERR_INTERNAL, src ? src->layout_file : NULL, src ? src->layout_line : 0,
                 "text uses font %d, but the fontset has %zu faces", index, fs ? fs->count : 0);
    return NULL;
  }
  if (p->fonts[index]) return p->fonts[index];
  if (p->font_failed[index]) return NULL;
  if (!fonts_read(p)) {
    p->font_failed[index] = true;
    return NULL;
  }

  const char *path = fs->fonts[index]->path;
  char sub_path[64];
  bool unreadable = false;
  struct rp_pdf_font_job *fj = font_job_done(p, index);
  if (fj) { /* cut on the worker */
    p->font_fds[index] = fj->fd;
    fj->fd = -1;
    snprintf(sub_path, sizeof sub_path, "/proc/self/fd/%d", p->font_fds[index]);
  }
  const char *load =
      fj || subset_file(p, index, sub_path, sizeof sub_path, &unreadable) ? sub_path : path;
  if (unreadable) {
    /* What HarfBuzz cannot read, libharu's parser must not be given: it
     * reads glyph offsets past their table's end (fuzz_font, ASan). */
    rp_pdf_error(p, RP_ERR_INPUT, path, 0,
                 "cannot embed this font in the PDF: its tables cannot be read to take the "
                 "characters used (the file is damaged or unusual); re-export it as TrueType "
                 "(.ttf) from a font editor, or use another font");
    p->font_failed[index] = true;
    return NULL;
  }
  const char *name = HPDF_LoadTTFontFromFile(p->pdf, load, HPDF_TRUE);
  HPDF_Font font = NULL;
  HPDF_STATUS no = 0, detail = 0;
  HPDF_UINT16 *gids = NULL; /* held: the glyph of each code the face maps */
  size_t n_gids = 0;
  if (name && !p->streaming && p->font_used[index]) {
    font = font_of_mapped(p, name, &gids, &n_gids);
  } else if (name) {
    fast_cmap(p, HPDF_GetFontDef(p->pdf, name));
    font = HPDF_GetFont(p->pdf, name, "UTF-8");
  }
  bool failed = rp_pdf_take_error(p, &no, &detail);
  if (!font || failed) {
    rp_mem_free(gids);
    /* A truncated TrueType file gives NULL without an error code. */
    rp_pdf_error(p, RP_ERR_INPUT, path, 0,
                 "cannot embed this font in the PDF (libharu error 0x%04X); only TrueType "
                 "outlines (.ttf) can be embedded",
                 (unsigned)no);
    p->font_failed[index] = true;
    return NULL;
  }
  /* libharu's CIDToGIDMap runs to U+FFFE (128 KB held till saving); the
   * characters known, it ends at the last of them */
  HPDF_STATUS cut = !p->streaming && p->font_used[index]
                        ? exact_gid_map(font, p->font_used[index], gids, n_gids)
                        : HPDF_OK;
  rp_mem_free(gids);
  if (cut != HPDF_OK && !p->err_no) p->err_no = cut;
  if (!rp_pdf_ok(p, "write the font's glyph map", &(rp_src){.layout_file = path}) ||
      !fix_to_unicode(p, font, p->font_used[index], path) ||
      !fix_descriptor(p, font, rp_fontset_get(fs, index), path)) {
    p->font_failed[index] = true;
    return NULL;
  }
  p->fonts[index] = font;
  if (!p->streaming && rp_pdf_deflate_ready(p)) { /* a held document's: see early_program */
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    rp_pdf_deflate_early(p, attr->cmap_stream);
    rp_pdf_deflate_early(p, attr->map_stream);
    early_program(p, index, fj);
  }
  return font;
}

/* ---- exact subsets when streaming ------------------------------------- */

/* A streamed document's face is loaded at its first use, before the pages
 * that use it are known, so it is subset to every character it covers and
 * libharu makes /W and CIDToGIDMap for all of those. The characters drawn
 * are noted as pages are drawn; before saving, rp_pdf_fonts_exact cuts /W,
 * CIDToGIDMap and ToUnicode to them and embeds a program of just their
 * glyphs (a subset of the loaded one that keeps its glyph ids, so that the
 * map and the pages' codes stay right). */

bool rp_pdf_font_drawn(rp_pdf *p, int font, const char *text) {
  if (!p->streaming || font < 0 || !text) return true;
  if ((size_t)font >= p->n_drawn) {
    size_t m = p->n_fonts > (size_t)font ? p->n_fonts : (size_t)font + 1;
    uint8_t **d = rp_arena_calloc(p->scratch, m, sizeof *d);
    if (!d) return false;
    if (p->n_drawn) memcpy(d, p->font_drawn, p->n_drawn * sizeof *d);
    p->font_drawn = d;
    p->n_drawn = m;
  }
  if (!p->font_drawn[font] && !(p->font_drawn[font] = rp_arena_calloc(p->scratch, 65536 / 8, 1)))
    return false;
  set_bits(p->font_drawn[font], text);
  return true;
}

/* /W of the drawn codes, as libharu writes it for all: runs of consecutive
 * codes whose width is not the default, `first [w1 w2 …]`. */
static HPDF_STATUS exact_widths(HPDF_Font font, const uint8_t *drawn) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  HPDF_FontDef def = attr->fontdef;
  HPDF_Dict cid = attr->descendant_font;
  HPDF_Array w = HPDF_Array_New(font->mmgr);
  if (!w) return HPDF_Error_GetCode(font->error);
  HPDF_STATUS r = HPDF_Dict_Add(cid, "W", w);
  HPDF_Array run = NULL;
  uint32_t prev = 0;
  for (uint32_t cp = next_bit(drawn, 0); cp < 0xFFFF && r == HPDF_OK;
       prev = cp, cp = next_bit(drawn, cp + 1)) {
    int width = HPDF_TTFontDef_GetGidWidth(def, HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp));
    if (cp != prev + 1) run = NULL; /* a code not drawn between */
    if (width == def->missing_width) {
      run = NULL;
      continue;
    }
    r = width_add(w, &run, cp, width);
  }
  return r;
}

/* CIDToGIDMap up to the last code drawn: its glyph for each code drawn, 0
 * for the rest; the glyphs from gids[0, n_gids) (face_gids', 0 past them)
 * or, with none, libharu's lookup. */
static HPDF_STATUS exact_gid_map(HPDF_Font font, const uint8_t *drawn, const HPDF_UINT16 *gids,
                                 size_t n_gids) {
  HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
  if (!attr->map_stream) return HPDF_OK;
  HPDF_MemStream_FreeData(attr->map_stream->stream);
  uint32_t last = 0;
  for (uint32_t cp = next_bit(drawn, 0); cp < 0xFFFF; cp = next_bit(drawn, cp + 1)) last = cp;
  HPDF_BYTE *map = rp_mem_calloc(last + 1, 2);
  if (!map) return HPDF_FAILD_TO_ALLOC_MEM;
  for (uint32_t cp = next_bit(drawn, 0); cp <= last; cp = next_bit(drawn, cp + 1)) {
    HPDF_UINT16 gid = !gids         ? HPDF_TTFontDef_GetGlyphid(attr->fontdef, (HPDF_UINT16)cp)
                      : cp < n_gids ? gids[cp]
                                    : 0;
    map[2 * cp] = (HPDF_BYTE)(gid >> 8);
    map[2 * cp + 1] = (HPDF_BYTE)gid;
  }
  HPDF_STATUS r = HPDF_Stream_Write(attr->map_stream->stream, map, (last + 1) * 2);
  rp_mem_free(map);
  return r;
}

/* The font descriptor with the font program `data` (descriptor_new);
 * libharu then leaves it as it is. */
static HPDF_STATUS embed_program(rp_pdf *p, HPDF_Font font, const unsigned char *data, size_t len) {
  HPDF_Dict program;
  HPDF_STATUS r = descriptor_new(font, data, len, &program);
  if (program) rp_pdf_deflate_rekey(p, data, program); /* deflated early, perhaps */
  if (r == HPDF_OK && !((HPDF_FontAttr)font->attr)->fontdef->descriptor) r = HPDF_INVALID_OBJECT;
  return r != HPDF_OK && HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
}

static bool exact_face(rp_pdf *p, size_t i) {
  HPDF_Font font = p->fonts[i];
  const uint8_t *drawn = !p->streaming ? p->font_used[i] : i < p->n_drawn ? p->font_drawn[i] : NULL;
  HPDF_FontAttr attr = font ? (HPDF_FontAttr)font->attr : NULL;
  if (!attr || !drawn || p->font_fds[i] < 0 || !attr->fontdef || attr->fontdef->descriptor)
    return true;
  const char *path = p->doc->fonts->fonts[i]->path;
  size_t len = 0;
  unsigned char *data = i < p->n_programs ? p->font_program[i] : NULL;
  if (data) { /* made with the face (early_program) */
    len = p->font_program_len[i];
    p->font_program[i] = NULL;
  } else {
    size_t n;
    uint32_t *cps = code_points(drawn, &n);
    if (!cps) {
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
      return false;
    }
    char loaded[64];
    snprintf(loaded, sizeof loaded, "/proc/self/fd/%d", p->font_fds[i]);
    bool cut = rp_font_subset_file(loaded, cps, n, true, &data, &len);
    rp_mem_free(cps);
    if (!cut) return true; /* the program as loaded: bigger, still right */
  }
  /* a held document's /W, map and ToUnicode were made for these characters */
  HPDF_STATUS r = p->streaming ? exact_widths(font, drawn) : HPDF_OK;
  if (r == HPDF_OK && p->streaming) r = exact_gid_map(font, drawn, NULL, 0);
  if (r == HPDF_OK && p->streaming && attr->cmap_stream && attr->cmap_stream->stream) {
    HPDF_MemStream_FreeData(attr->cmap_stream->stream);
    r = write_used_cmap(attr->cmap_stream->stream, drawn);
  }
  if (r == HPDF_OK) r = embed_program(p, font, data, len);
  rp_mem_free(data);
  if (r != HPDF_OK && !p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
  rp_src src = {.layout_file = path};
  return rp_pdf_ok(p, "embed the characters drawn with the font", &src);
}

bool rp_pdf_fonts_exact(rp_pdf *p) {
  /* every page is drawn: no more text is set, and saving's buffers can take
   * the place of the faces' shaping tables */
  rp_fontset_rest(p->doc->fonts);
  bool ok = true;
  for (size_t i = 0; p->fonts && i < p->n_fonts; i++) ok &= exact_face(p, i);
  return fonts_read(p) && ok;
}
