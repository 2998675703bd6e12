/* font — see font.h. Reads TrueType files with FreeType and keeps, per face,
 * the advance of every BMP code point in libharu's units, so that layout
 * measures exactly what render/ will draw.
 *
 * Where this sits: template/ loads the fonts a layout names (rp_fontset_load),
 * layout/ measures with rp_font_width, render/ hands the same paths to
 * libharu. libharu 2.3.0 is lax with bad files (a truncated TTF loads and
 * embeds silently, or returns NULL with no error), so every file is checked
 * here first: its table directory must lie inside the file, the tables
 * libharu reads must be present and long enough, and the font must have the
 * Unicode character map libharu uses. A font that passes is one libharu
 * loads and embeds.
 *
 * Matching libharu (src/hpdf_fontdef_tt.c, HPDF_TTFontDef_GetCharWidth):
 *   - glyph lookup through the (3,1) format 4 cmap — libharu's first choice;
 *     we select the same subtable in FreeType rather than FreeType's default;
 *   - width = hmtx advance * 1000 / unitsPerEm, unsigned, truncated;
 *   - an unmapped code point maps to glyph 0, so its width is glyph 0's
 *     (libharu's missing_width is computed the same way);
 *   - ascent/descent come from 'hhea' (ascender, descender) * 1000 / upem,
 *     truncated toward zero, falling back to OS/2 typo metrics when the hhea
 *     ascender is 0 — libharu's HPDF_Font_GetAscent/GetDescent agree.
 *
 * Invariants: rp_font_cp_width is always defined (missing code points give
 * missing_width; a block of 256 without any glyph has no table); covered has a bit only for code
 * points mapped to a real glyph (0 < gid < numGlyphs). Loading checks a face whole and copies its
 * metrics out; FreeType faces and the file's mapping are not kept. What measuring needs is read
 * from the file again when first asked (rp_font_read: the widths and coverage; kerner_font: the
 * shaping tables; figures_ready: the figures), the file checked to be the one loaded: a layout
 * names faces (a fallback's four) that a document may never draw. Kerning needs the font's
 * GPOS/kern tables, so each rp_font kerned owns a HarfBuzz font over a copy of them, and a cache
 * of the pairs asked for so far (shaping a pair is slow, asking is frequent). A read that fails
 * later is kept in the face and reported by rp_fontset_check. */
#include "font/font.h"
#include "base/limits.h"
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_MODULE_H
#include FT_ADVANCES_H
#include FT_SFNT_NAMES_H
#include FT_TRUETYPE_IDS_H
#include FT_TRUETYPE_TABLES_H

#include <fontconfig/fontconfig.h>
#include <hb-ot.h>
#include <hb.h>

/* Larger files are refused: CJK fonts reach ~20 MB, nothing sane is bigger. */
#define MAX_FONT_BYTES (64u * 1024u * 1024u)
#define BMP_SIZE 65536u

/* ---- reading big-endian sfnt data ---------------------------------------- */

static uint16_t be16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static int16_t bes16(const unsigned char *p) { return (int16_t)be16(p); }
static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct sfnt {
  const unsigned char *data;
  size_t size;
  unsigned n_tables;
} sfnt;

/* Table `tag` (4 chars) of a directory already checked by check_sfnt; NULL
 * when absent. *len receives its length. */
static const unsigned char *find_table(const sfnt *s, const char *tag, uint32_t *len) {
  for (unsigned i = 0; i < s->n_tables; i++) {
    const unsigned char *e = s->data + 12 + 16 * (size_t)i;
    if (memcmp(e, tag, 4) == 0) {
      *len = be32(e + 12);
      return s->data + be32(e + 8);
    }
  }
  *len = 0;
  return NULL;
}

/* Writes into `why` the reason the file cannot be used, or leaves it empty;
 * sets s->n_tables once the directory is known to be sound.
 * The checks follow what libharu 2.3.0 reads when it loads and embeds a face
 * (LoadFontData: head, maxp, hhea, cmap, hmtx, loca, name, OS/2, glyf). */
static void check_sfnt(sfnt *s, char *why, size_t why_len) {
  why[0] = 0;
  if (s->size < 12) {
    snprintf(why, why_len, "only %zu bytes: not a font", s->size);
    return;
  }
  uint32_t version = be32(s->data);
  if (memcmp(s->data, "OTTO", 4) == 0) {
    snprintf(why, why_len, "an OpenType font with CFF outlines, which libharu cannot embed");
    return;
  }
  if (memcmp(s->data, "ttcf", 4) == 0) {
    snprintf(why, why_len, "a font collection (.ttc), not a single font");
    return;
  }
  if (memcmp(s->data, "wOFF", 4) == 0 || memcmp(s->data, "wOF2", 4) == 0) {
    snprintf(why, why_len, "a WOFF web font");
    return;
  }
  if (version != 0x00010000u && memcmp(s->data, "true", 4) != 0) {
    snprintf(why, why_len, "not a TrueType font");
    return;
  }
  unsigned n = be16(s->data + 4);
  /* libharu refuses more than 10000 bytes of 16-byte directory entries. */
  if (n == 0 || n * 16u > 10000u) {
    snprintf(why, why_len, "corrupt table directory (%u tables)", n);
    return;
  }
  if (12 + 16 * (size_t)n > s->size) {
    snprintf(why, why_len, "truncated: the table directory runs past the end of the file");
    return;
  }
  for (unsigned i = 0; i < n; i++) {
    const unsigned char *e = s->data + 12 + 16 * (size_t)i;
    uint64_t off = be32(e + 8), len = be32(e + 12);
    if (off + len > s->size) {
      snprintf(why, why_len,
               "truncated or corrupt: table '%.4s' ends at byte %llu of a %zu-byte file",
               (const char *)e, (unsigned long long)(off + len), s->size);
      return;
    }
  }
  s->n_tables = n;
  /* Tables libharu needs, with the least length it reads from each. */
  static const struct {
    const char *tag;
    uint32_t min_len;
  } need[] = {{"head", 54}, {"hhea", 36}, {"maxp", 6}, {"hmtx", 4}, {"cmap", 4},
              {"loca", 4},  {"glyf", 0},  {"name", 6}, {"OS/2", 78}};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
    uint32_t len;
    const unsigned char *t = find_table(s, need[i].tag, &len);
    if (!t) {
      snprintf(why, why_len, "it has no '%s' table%s", need[i].tag,
               strcmp(need[i].tag, "glyf") == 0 ? " (no TrueType outlines)" : "");
      return;
    }
    if (len < need[i].min_len) {
      snprintf(why, why_len, "corrupt '%s' table (%u bytes)", need[i].tag, (unsigned)len);
      return;
    }
  }
  uint32_t len, hmtx_len, loca_len;
  const unsigned char *head = find_table(s, "head", &len);
  unsigned upem = be16(head + 18);
  int loca_long = bes16(head + 50);
  if (upem < 16 || upem > 16384 || (loca_long != 0 && loca_long != 1)) {
    snprintf(why, why_len, "corrupt 'head' table");
    return;
  }
  unsigned n_glyphs = be16(find_table(s, "maxp", &len) + 4);
  unsigned n_hmetrics = be16(find_table(s, "hhea", &len) + 34);
  find_table(s, "hmtx", &hmtx_len);
  find_table(s, "loca", &loca_len);
  if (n_glyphs == 0 || n_hmetrics == 0 || n_hmetrics > n_glyphs ||
      hmtx_len < 4u * n_hmetrics + 2u * (n_glyphs - n_hmetrics) ||
      loca_len < (n_glyphs + 1u) * (loca_long ? 4u : 2u)) {
    snprintf(why, why_len, "corrupt glyph tables (maxp, hhea, hmtx and loca disagree)");
    return;
  }
  const unsigned char *os2 = find_table(s, "OS/2", &len);
  unsigned fs_type = be16(os2 + 8);
  if (fs_type & (0x0002 | 0x0100 | 0x0200)) {
    snprintf(why, why_len, "its licence (OS/2 fsType 0x%04x) forbids embedding it in a PDF",
             fs_type);
    return;
  }
  const unsigned char *cmap = find_table(s, "cmap", &len);
  if (be16(cmap) != 0) {
    snprintf(why, why_len, "unsupported 'cmap' table version %u", be16(cmap));
    return;
  }
}

/* ---- loading -------------------------------------------------------------- */

/* A font file's bytes: mapped read-only, not read. Reading copied every
 * byte into freshly faulted anonymous pages (3.6 MB, ~900 page faults for
 * the review's eight faces); a mapping shares the page cache and faults in
 * only the tables read (directory, cmap, hmtx, the shaping tables), sixteen
 * pages at a time. The mapping lives only while a face is being read, over
 * exactly the size fstat gave: a file cut shorter while it is read would
 * fault (SIGBUS) past its new end, so nothing keeps it mapped longer. */
typedef struct font_file {
  const unsigned char *data;
  size_t size;
  void *map; /* munmap'd by file_close; NULL for an empty file */
  struct stat st;
} font_file;

static void file_close(font_file *ff) {
  if (ff->map) munmap(ff->map, ff->size);
  ff->map = NULL;
  ff->data = NULL;
}

/* Maps the file at `path`; on failure writes the reason to `why` and
 * returns false. */
static bool file_open(const char *path, font_file *ff, char *why, size_t why_len) {
  static const unsigned char empty[1];
  memset(ff, 0, sizeof *ff);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(why, why_len, "%s", strerror(errno));
    return false;
  }
  bool ok = false;
  if (fstat(fd, &ff->st) != 0) {
    snprintf(why, why_len, "%s", strerror(errno));
    goto done;
  }
  if (!S_ISREG(ff->st.st_mode)) {
    snprintf(why, why_len, "not a regular file");
    goto done;
  }
  if ((unsigned long long)ff->st.st_size > MAX_FONT_BYTES) {
    snprintf(why, why_len, "%lld bytes, larger than any font should be", (long long)ff->st.st_size);
    goto done;
  }
  ff->size = (size_t)ff->st.st_size;
  ff->data = empty;
  if (ff->size > 0) {
    void *m = mmap(NULL, ff->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      snprintf(why, why_len, "%s", strerror(errno));
      goto done;
    }
    ff->map = m;
    ff->data = m;
  }
  ok = true;
done:
  close(fd);
  return ok;
}

/* The charmap libharu will use (ParseCMap: (3,1) format 4 first, then (1,0)
 * format 0, then (0,3) format 4). Only the Unicode ones are usable: with the
 * Mac Roman byte map libharu would draw the wrong glyphs, so such a font is
 * refused. */
static FT_CharMap libharu_charmap(FT_Face face) {
  FT_CharMap uni = NULL;
  for (int i = 0; i < face->num_charmaps; i++) {
    FT_CharMap cm = face->charmaps[i];
    long fmt = FT_Get_CMap_Format(cm);
    if (cm->platform_id == TT_PLATFORM_MICROSOFT && cm->encoding_id == TT_MS_ID_UNICODE_CS &&
        fmt == 4)
      return cm;
  }
  for (int i = 0; i < face->num_charmaps; i++) {
    FT_CharMap cm = face->charmaps[i];
    long fmt = FT_Get_CMap_Format(cm);
    if (cm->platform_id == TT_PLATFORM_MACINTOSH && cm->encoding_id == TT_MAC_ID_ROMAN && fmt == 0)
      return NULL;
    if (cm->platform_id == TT_PLATFORM_APPLE_UNICODE &&
        cm->encoding_id == TT_APPLE_ID_UNICODE_2_0 && fmt == 4)
      uni = cm;
  }
  return uni;
}

/* libharu (ParseName) needs the PostScript name (6) and subfamily (2) in a
 * Mac Roman or Windows English record, and their lengths + 8 within 127. */
static bool names_ok(FT_Face face) {
  unsigned len[2] = {0, 0}, ulen[2] = {0, 0};
  bool mac[2] = {false, false}, win[2] = {false, false};
  FT_UInt n = FT_Get_Sfnt_Name_Count(face);
  for (FT_UInt i = 0; i < n; i++) {
    FT_SfntName nm;
    if (FT_Get_Sfnt_Name(face, i, &nm) != 0) continue;
    int k = nm.name_id == 6 ? 0 : nm.name_id == 2 ? 1 : -1;
    if (k < 0) continue;
    if (nm.platform_id == TT_PLATFORM_MACINTOSH && nm.encoding_id == TT_MAC_ID_ROMAN) {
      mac[k] = true;
      len[k] = nm.string_len;
    } else if (nm.platform_id == TT_PLATFORM_MICROSOFT && nm.encoding_id == TT_MS_ID_UNICODE_CS &&
               nm.language_id == 0x0409) {
      win[k] = true;
      ulen[k] = nm.string_len;
    }
  }
  for (int k = 0; k < 2; k++) {
    if (!mac[k] && !win[k]) return false;
    if (!mac[k] || len[k] == 0) len[k] = ulen[k] / 2 + ulen[k] % 2;
  }
  return len[0] + len[1] + 8 <= 127;
}

/* Top of glyph `cp`'s outline in thousandths of an em, 0 if it has none. */
static int glyph_top(FT_Face face, uint32_t cp, unsigned upem) {
  FT_UInt gid = FT_Get_Char_Index(face, cp);
  if (gid == 0 || FT_Load_Glyph(face, gid, FT_LOAD_NO_SCALE) != 0) return 0;
  return (int)(face->glyph->metrics.horiBearingY * 1000 / (long)upem);
}

/* The hmtx table when advances can be read from it straight, as FreeType
 * reads them unscaled for a static TrueType face (a glyph past the long
 * metrics takes the last one's): FT_Get_Advances cost some 700 instructions
 * a glyph, 5 M for the review's eight faces. NULL when they must come
 * through FreeType (a table too short for them, a variable font). */
static const unsigned char *raw_hmtx(FT_Face face, const sfnt *s, long *n_long) {
  uint32_t hhea_len, hmtx_len;
  const unsigned char *hhea = find_table(s, "hhea", &hhea_len);
  const unsigned char *hmtx = find_table(s, "hmtx", &hmtx_len);
  *n_long = hhea && hhea_len >= 36 ? be16(hhea + 34) : 0;
  bool raw = hmtx && *n_long >= 1 && *n_long <= face->num_glyphs &&
             hmtx_len / 4 >= (uint32_t)*n_long && !FT_HAS_MULTIPLE_MASTERS(face);
  return raw ? hmtx : NULL;
}

/* Glyph g's advance from a raw hmtx, as libharu computes widths:
 * (HPDF_UINT)advance_width * 1000 / units_per_em. */
static uint16_t raw_width(const unsigned char *hmtx, long n_long, long g, unsigned upem) {
  return (uint16_t)((uint32_t)be16(hmtx + 4 * (g < n_long ? g : n_long - 1)) * 1000u / upem);
}

static const uint8_t no_glyphs[BMP_SIZE / 8]; /* coverage until read, or when reading failed */

/* Fills f's widths and coverage from `face` (its charmap set to libharu's)
 * over the checked file s. Writes a reason to `why` on failure. */
static void read_widths(FT_Face face, const sfnt *s, rp_font *f, char *why, size_t why_len) {
  unsigned upem = (unsigned)f->units_per_em;
  long n_glyphs = face->num_glyphs, n_long;
  const unsigned char *hmtx = raw_hmtx(face, s, &n_long);
  uint16_t *gw = NULL;
  uint8_t *covered = NULL;
  if (!hmtx) {
    /* through FreeType, all in one call (its per-glyph overhead was most of
     * loading a face), glyph by glyph only to name the one that fails */
    gw = rp_mem_alloc((size_t)(n_glyphs ? n_glyphs : 1) * sizeof *gw);
    FT_Fixed *adv = rp_mem_alloc((size_t)(n_glyphs ? n_glyphs : 1) * sizeof *adv);
    if (!gw || !adv) {
      rp_mem_free(adv);
      snprintf(why, why_len, "out of memory");
      goto done;
    }
    bool all =
        n_glyphs > 0 && FT_Get_Advances(face, 0, (FT_UInt)n_glyphs, FT_LOAD_NO_SCALE, adv) == 0;
    for (long g = 0; g < n_glyphs; g++) {
      if ((!all && FT_Get_Advance(face, (FT_UInt)g, FT_LOAD_NO_SCALE, &adv[g]) != 0) ||
          adv[g] < 0) {
        snprintf(why, why_len, "corrupt metrics for glyph %ld", g);
        rp_mem_free(adv);
        goto done;
      }
      gw[g] = (uint16_t)((uint32_t)adv[g] * 1000u / upem);
    }
    rp_mem_free(adv);
  }
  covered = rp_mem_calloc(BMP_SIZE / 8, 1);
  if (!covered) {
    snprintf(why, why_len, "out of memory");
    goto done;
  }
  uint16_t missing = hmtx ? raw_width(hmtx, n_long, 0, upem) : gw[0];
  f->missing_width = missing;
  FT_UInt gid;
  FT_ULong cp = FT_Get_First_Char(face, &gid);
  while (gid != 0) {
    if (cp < BMP_SIZE && (long)gid < n_glyphs) {
      uint16_t *pg = f->width_pages[cp >> 8];
      if (!pg) { /* the first code point of its 256 with a glyph */
        pg = f->width_pages[cp >> 8] = rp_mem_alloc(256 * sizeof *pg);
        if (!pg) {
          snprintf(why, why_len, "out of memory");
          goto done;
        }
        for (int k = 0; k < 256; k++) pg[k] = missing;
      }
      pg[cp & 255] = hmtx ? raw_width(hmtx, n_long, (long)gid, upem) : gw[gid];
      covered[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    }
    cp = FT_Get_Next_Char(face, cp, &gid);
  }
  f->covered = covered;
  covered = NULL;
done:
  rp_mem_free(covered);
  rp_mem_free(gw);
}

/* Checks the face in the checked file s with FreeType as libharu will read
 * it and fills f's metrics; its widths and coverage too when they come
 * through FreeType, else they are left for its first use (f->unread:
 * rp_font_read). Writes a reason to `why` on failure. */
static void read_face(FT_Library lib, const sfnt *s, rp_font *f, char *why, size_t why_len) {
  FT_Face face = NULL;
  FT_Error err = FT_New_Memory_Face(lib, s->data, (FT_Long)s->size, 0, &face);
  if (err != 0) {
    snprintf(why, why_len, "FreeType cannot parse it (error %d)", err);
    return;
  }
  if (!FT_IS_SFNT(face)) {
    snprintf(why, why_len, "not a TrueType font");
    goto done;
  }
  FT_CharMap cm = libharu_charmap(face);
  if (!cm || FT_Set_Charmap(face, cm) != 0) {
    snprintf(why, why_len, "it has no Unicode character map (Windows, format 4)");
    goto done;
  }
  if (!names_ok(face)) {
    snprintf(why, why_len, "its 'name' table lacks a usable PostScript name");
    goto done;
  }
  uint32_t len;
  const unsigned char *head = find_table(s, "head", &len);
  const unsigned char *hhea = find_table(s, "hhea", &len);
  const unsigned char *os2 = find_table(s, "OS/2", &len);
  unsigned upem = be16(head + 18);
  f->units_per_em = (int)upem;

  long n_long;
  const unsigned char *hmtx = raw_hmtx(face, s, &n_long);
  if (hmtx) { /* the rest when first asked: most faces a layout names are never drawn */
    f->missing_width = raw_width(hmtx, n_long, 0, upem);
    f->unread = true;
  } else {
    read_widths(face, s, f, why, why_len);
    if (why[0]) goto done;
  }

  /* hhea, as libharu's ParseHhea; OS/2 typo metrics if the ascender is 0. */
  f->ascent = (int)((int32_t)bes16(hhea + 4) * 1000 / (int32_t)upem);
  f->descent = (int)((int32_t)bes16(hhea + 6) * 1000 / (int32_t)upem);
  if (f->ascent == 0) {
    f->ascent = (int)((int32_t)bes16(os2 + 68) * 1000 / (int32_t)upem);
    f->descent = (int)((int32_t)bes16(os2 + 70) * 1000 / (int32_t)upem);
  }
  if (f->descent > 0) f->descent = -f->descent;
  /* OS/2 version 2+ states them; older fonts: the tops of 'H' and 'x'. */
  uint32_t os2_len;
  find_table(s, "OS/2", &os2_len);
  if (be16(os2) >= 2 && os2_len >= 90) {
    f->x_height = (int)((int32_t)bes16(os2 + 86) * 1000 / (int32_t)upem);
    f->cap_height = (int)((int32_t)bes16(os2 + 88) * 1000 / (int32_t)upem);
  }
  if (f->cap_height <= 0) f->cap_height = glyph_top(face, 'H', upem);
  if (f->x_height <= 0) f->x_height = glyph_top(face, 'x', upem);
  /* For the PDF's font descriptor: the italic angle (post, 16.16 degrees)
   * and the weight class (OS/2). */
  uint32_t post_len;
  const unsigned char *post = find_table(s, "post", &post_len);
  if (post && post_len >= 8) f->italic_angle = (int32_t)be32(post + 4) / 65536.0;
  f->weight = os2_len >= 6 ? be16(os2 + 4) : 400;

done:
  FT_Done_Face(face);
}

/* ---- reading a face's tables on first use ------------------------------------- */

/* What a face needs to read its tables later: the file it was loaded from
 * (to find it unchanged), the FreeType library of its fontset, where the
 * layout named it, and the first failure of a late read, which
 * rp_fontset_check reports there. */
struct rp_font_file {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  FT_Library ft;      /* the fontset's */
  bool figures_read;  /* fig_adv, fig_shift and has_figures are filled */
  bool oom, reported; /* the failure was memory; rp_fontset_check told it */
  /* a copy's (rp_fontset_copy_face): reading the face or failing is the
   * original's to do; `wanted` says the copy met that */
  bool copy, wanted;
  char why[160]; /* the first late read's failure, "" when none */
  int ref_line;
  char ref_file[]; /* the layout that named the face */
};

/* Records the first failure of reading f's tables after loading it. */
static void late_failure(const rp_font *f, const char *why) {
  struct rp_font_file *ff = f->file;
  if (ff->copy) ff->wanted = true;
  if (ff->why[0]) return;
  ff->oom = strcmp(why, "out of memory") == 0;
  snprintf(ff->why, sizeof ff->why, "%s", why[0] ? why : "it cannot be read again");
}

/* Maps f's file again and checks it is the file loaded (same inode, size
 * and modification time: a file cut shorter since would fault past its
 * end) and still sound. Writes a reason to `why` on failure. */
static bool file_reopen(const rp_font *f, font_file *ff, sfnt *s, char *why, size_t why_len) {
  const struct rp_font_file *was = f->file;
  if (!file_open(f->path, ff, why, why_len)) return false;
  if (ff->st.st_dev != was->dev || ff->st.st_ino != was->ino || ff->st.st_size != was->size ||
      ff->st.st_mtim.tv_sec != was->mtime.tv_sec || ff->st.st_mtim.tv_nsec != was->mtime.tv_nsec) {
    snprintf(why, why_len, "the file changed after it was loaded");
    file_close(ff);
    return false;
  }
  *s = (sfnt){.data = ff->data, .size = ff->size};
  check_sfnt(s, why, why_len);
  if (why[0]) {
    file_close(ff);
    return false;
  }
  return true;
}

/* The face's file opened again and its widths read; why[0] set on failure. */
static void reread_widths(rp_font *f, char *why, size_t why_len) {
  font_file ff;
  sfnt s;
  FT_Face face = NULL;
  if (!file_reopen(f, &ff, &s, why, why_len)) return;
  FT_CharMap cm = NULL;
  if (FT_New_Memory_Face(f->file->ft, s.data, (FT_Long)s.size, 0, &face) != 0 ||
      !(cm = libharu_charmap(face)) || FT_Set_Charmap(face, cm) != 0) {
    /* it passed these when loaded: memory ran out (FreeType allocates through base/mem) */
    snprintf(why, why_len, "out of memory");
  } else {
    read_widths(face, &s, f, why, why_len);
  }
  FT_Done_Face(face);
  file_close(&ff);
}

void rp_font_read(const rp_font *cf) {
  rp_font *f = (rp_font *)cf; /* filled through const: a face's tables, read when first asked */
  if (!f->unread || !f->file) return;
  f->unread = false;   /* once, failed or not: a failure is reported by rp_fontset_check */
  if (f->file->copy) { /* the original's to read: measured without glyphs, and said */
    f->file->wanted = true;
    return;
  }
  char why[160] = "";
  reread_widths(f, why, sizeof why);
  if (why[0]) late_failure(f, why);
}

bool rp_font_read_ahead(rp_font *f) {
  if (!f->unread || !f->file || f->file->copy) return !f->unread;
  char why[160] = "";
  int missing = f->missing_width;
  reread_widths(f, why, sizeof why);
  if (!why[0]) {
    f->unread = false;
    return true;
  }
  /* as it was: rp_font_read tries again if the face is asked for, and
   * reports what it finds then */
  for (int i = 0; i < 256; i++) {
    rp_mem_free(f->width_pages[i]);
    f->width_pages[i] = NULL;
  }
  f->missing_width = missing;
  return false;
}

/* ---- kerning --------------------------------------------------------------- */

/* Pair cache: open addressing on a << 16 | b; EMPTY_KEY is U+FFFF twice, a
 * noncharacter pair nobody asks for. */
#define EMPTY_KEY 0xFFFFFFFFu

/* Pairs of the characters most text is made of (printable ASCII, and
 * U+2010..U+202F's dashes and quotes) have a dense table of PAIR_SLOTS²
 * values besides, made on the first pair asked: measuring looks a pair up
 * for every two characters, and the hash's probing was a twentieth of a
 * pack's time. 34 KiB a face. */
#define PAIR_SLOTS 128

typedef struct pair_table {
  uint8_t known[PAIR_SLOTS * PAIR_SLOTS / 8]; /* bit set: pair[] holds the pair's value */
  int16_t pair[PAIR_SLOTS * PAIR_SLOTS];
} pair_table;

/* Shaping plans kept by the kerner, one per set of segment properties its
 * pairs were shaped with (a script, mostly Latin or Common): hb_shape looked
 * the plan up in the face's cache on every pair, a fifth of a pair's cost. */
#define KERN_PLANS 4

/* Most 'kern' subtables a face's pairs are read from without shaping. */
#define KERN_SUBTABLES 8

struct rp_font_kerner {
  hb_font_t *font;
  hb_buffer_t *buf;
  hb_feature_t features[4]; /* ligatures off: a pair must stay two glyphs */
  struct {
    hb_segment_properties_t props;
    hb_shape_plan_t *plan; /* for `font`'s face: dropped with it */
  } plans[KERN_PLANS];
  int n_plans;
  uint32_t *keys;
  int16_t *vals;
  size_t cap, used;  /* cap a power of two */
  pair_table *pairs; /* NULL until the first pair (or when out of memory: the hash serves) */
  /* Glyphs that may start a pair HarfBuzz adjusts (pair_may_move), a bit
   * each below n_glyphs; NULL: any glyph may (not read yet, a table not
   * understood, or out of memory). Read once per face, kept over a rest. */
  uint8_t *movers;
  const uint8_t *subs; /* GSUB's first coverages: in `movers`' block */
  unsigned n_glyphs;
  bool movers_read;
  int32_t slot_glyph[PAIR_SLOTS]; /* plain_glyph + 2 of a dense table's character; 0 unknown */
  /* The 'kern' table's format 0 subtables while `font` is made (its blob
   * referenced): their pairs, in order. */
  hb_blob_t *kern_blob;
  bool kern_found; /* for this `font` */
  struct {
    const unsigned char *pairs;
    unsigned n;
  } kern_subs[KERN_SUBTABLES];
  int n_kern_subs;
};

/* The dense table's slot of cp, -1 when it has none: printable ASCII keeps
 * its code, U+2010..U+202F take the C0 controls' places. */
static inline int pair_slot(uint32_t cp) {
  if (cp >= 0x20 && cp < 0x80) return (int)cp;
  if (cp >= 0x2010 && cp < 0x2030) return (int)(cp - 0x2010);
  return -1;
}

/* Drops k's HarfBuzz font and the plans made for its face. */
static void kerner_drop_font(struct rp_font_kerner *k) {
  for (int i = 0; i < k->n_plans; i++) hb_shape_plan_destroy(k->plans[i].plan);
  k->n_plans = 0;
  hb_blob_destroy(k->kern_blob);
  k->kern_blob = NULL;
  k->n_kern_subs = 0;
  k->kern_found = false;
  hb_font_destroy(k->font);
  k->font = NULL;
}

static void kerner_free(struct rp_font_kerner *k) {
  if (!k) return;
  hb_buffer_destroy(k->buf);
  kerner_drop_font(k);
  rp_mem_free(k->keys);
  rp_mem_free(k->vals);
  rp_mem_free(k->pairs);
  rp_mem_free(k->movers);
  rp_mem_free(k);
}

/* The tables HarfBuzz never reads to shape a pair: outlines and their
 * hinting, names, PostScript names, signatures. Left out of the kerner's copy
 * of a face, they are most of its bytes (DejaVu Sans: 760 KB, 105 KB kept). */
static bool shaping_skips(const unsigned char *tag) {
  static const char skip[][5] = {"glyf", "loca", "post", "name", "fpgm", "prep", "cvt ",
                                 "DSIG", "hdmx", "gasp", "LTSH", "VDMX", "MATH"};
  for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
    if (memcmp(tag, skip[i], 4) == 0) return true;
  return false;
}

/* A copy of the tables a face shapes with, for hb_face_create_for_tables. */
typedef struct shaping_tables {
  size_t n;
  struct {
    hb_tag_t tag;
    hb_blob_t *blob;
  } t[];
} shaping_tables;

static void shaping_tables_free(void *user) {
  shaping_tables *st = user;
  for (size_t i = 0; i < st->n; i++) hb_blob_destroy(st->t[i].blob);
  rp_mem_free(st);
}

static hb_blob_t *shaping_table(hb_face_t *face, hb_tag_t tag, void *user) {
  (void)face;
  const shaping_tables *st = user;
  for (size_t i = 0; i < st->n; i++)
    if (st->t[i].tag == tag) return hb_blob_reference(st->t[i].blob);
  return NULL; /* HarfBuzz takes that as an empty table */
}

/* A HarfBuzz face over copies of the tables shaping reads; NULL when out of
 * memory. */
static hb_face_t *shaping_face(const sfnt *s) {
  shaping_tables *st = rp_mem_calloc(1, sizeof *st + s->n_tables * sizeof st->t[0]);
  if (!st) return NULL;
  for (unsigned i = 0; i < s->n_tables; i++) {
    const unsigned char *e = s->data + 12 + 16 * (size_t)i;
    if (shaping_skips(e)) continue;
    uint32_t len = be32(e + 12);
    if (len == 0) continue; /* absent and empty are the same to HarfBuzz */
    hb_blob_t *b = hb_blob_create_or_fail((const char *)s->data + be32(e + 8), len,
                                          HB_MEMORY_MODE_DUPLICATE, NULL, NULL);
    if (!b) {
      shaping_tables_free(st);
      return NULL;
    }
    st->t[st->n].tag = HB_TAG(e[0], e[1], e[2], e[3]);
    st->t[st->n++].blob = b;
  }
  hb_face_t *face = hb_face_create_for_tables(shaping_table, st, shaping_tables_free);
  if (face == hb_face_get_empty()) return NULL; /* st was freed by HarfBuzz */
  return face;
}

/* f's kerner, made on the first pair asked (a face that is never kerned
 * never reads its shaping tables); its HarfBuzz font is made by
 * kerner_font. NULL when out of memory (recorded: rp_fontset_check). */
static struct rp_font_kerner *kerner_get(const rp_font *cf) {
  rp_font *f = (rp_font *)cf; /* made through const, as the pairs it caches */
  /* (a face not loaded by rp_fontset_load, a test's, has no file) */
  if (f->kerner || !f->file || f->file->why[0]) return f->kerner;
  struct rp_font_kerner *k = rp_mem_calloc(1, sizeof *k);
  if (k) {
    k->buf = hb_buffer_create();
    k->cap = 256;
    k->keys = rp_mem_alloc(k->cap * sizeof *k->keys);
    k->vals = rp_mem_alloc(k->cap * sizeof *k->vals);
  }
  if (!k || !hb_buffer_allocation_successful(k->buf) || !k->keys || !k->vals) {
    kerner_free(k);
    late_failure(f, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < k->cap; i++) k->keys[i] = EMPTY_KEY;
  static const char *const off[4] = {"-liga", "-clig", "-calt", "-dlig"};
  for (int i = 0; i < 4; i++) hb_feature_from_string(off[i], -1, &k->features[i]);
  return f->kerner = k;
}

/* Makes k's HarfBuzz font over a copy of the shaping tables of the file
 * mapped in s, or, s NULL, of f's file mapped again: on the first pair, and
 * after rp_fontset_rest released it. False on failure (recorded). */
static bool kerner_font(const rp_font *f, struct rp_font_kerner *k, const sfnt *s) {
  if (k->font) return true;
  char why[160] = "";
  font_file ff = {0};
  sfnt mine;
  if (!s && !file_reopen(f, &ff, &mine, why, sizeof why)) {
    late_failure(f, why);
    return false;
  }
  hb_face_t *face = shaping_face(s ? s : &mine);
  if (face) k->font = hb_font_create(face); /* scale: units per em */
  hb_face_destroy(face);
  file_close(&ff);
  if (!k->font) late_failure(f, "out of memory");
  return k->font != NULL;
}

/* ---- pairs known unkerned -------------------------------------------------
 * Shaping a pair costs thousands of instructions and most pairs come out 0.
 * For ordinary characters (letters, digits, punctuation, symbols; no marks,
 * spaces or default ignorables) of scripts HarfBuzz's default shaper sets
 * (Latin, Greek, Cyrillic, Common), the first glyph's advance changes only
 *   - through a GSUB lookup starting at it (which may make it another glyph),
 *   - through a GPOS lookup starting at it (single and pair adjustment,
 *     contextual), or a cursive attachment from the second glyph, which
 *     needs the first in the same lookup's coverage,
 *   - through the legacy 'kern' table (HarfBuzz's kern machine), by a pair
 *     of the two glyphs in one of its subtables, the second glyph as GSUB
 *     left it (changed only by a lookup starting at it),
 *   - or by being a mark (GDEF), whose advance is zeroed.
 * So a face's "movers" are the glyphs in the first coverage of any lookup
 * of GSUB or GPOS a plan may apply (live_lookups: a superset of what a plan
 * for these scripts applies), and its "subs" those of GSUB's; a pair is 0
 * without shaping when its first glyph is no mover and, if the face has a
 * 'kern' table, its second glyph is no sub and the pair is in none of the
 * table's subtables. Values are never computed here, only known to be 0:
 * test_font compares every pair of fonts/ with hb_shape's. A face with
 * Apple's tables (morx, kerx, trak...), a 'kern' table of another format or
 * with pairs out of order (HarfBuzz's binary search would be unpredictable),
 * a table this reader does not follow, or more to read than MOVERS_BUDGET,
 * has no movers and every pair is shaped, as before. HarfBuzz's version
 * matters only through the features it turns on unasked (feature_off). */

static void mark_glyph(uint8_t *m, unsigned n, unsigned g) {
  if (g < n) m[g >> 3] |= (uint8_t)(1u << (g & 7));
}

static bool glyph_marked(const uint8_t *m, unsigned n, unsigned g) {
  return g < n && (m[g >> 3] >> (g & 7) & 1);
}

/* Most steps reading a face's movers may take (a hostile font's lookups
 * can name one huge coverage many times over): past it, no movers. */
#define MOVERS_BUDGET (1L << 22)

/* Marks the glyphs of the coverage table at t[off]; false when it does not
 * lie inside t[0..len), has a format HarfBuzz would not read, or *budget
 * runs out. */
static bool mark_coverage(const unsigned char *t, size_t len, size_t off, uint8_t *m, unsigned n,
                          long *budget) {
  if (off == 0 || off + 4 > len) return false;
  const unsigned char *c = t + off;
  unsigned fmt = be16(c), count = be16(c + 2);
  size_t size = fmt == 1 ? 2 : fmt == 2 ? 6 : 0;
  if (!size || off + 4 + size * count > len || (*budget -= count) < 0) return false;
  for (unsigned i = 0; i < count; i++) {
    const unsigned char *e = c + 4 + size * i;
    unsigned first = be16(e), last = fmt == 1 ? first : be16(e + 2);
    if (last >= n) last = n - 1;
    if (first > last) continue;
    if ((*budget -= last - first) < 0) return false;
    for (unsigned g = first; g <= last; g++) mark_glyph(m, n, g);
  }
  return true;
}

/* Marks the first coverage of the subtable at t[st] of a lookup of `type`
 * in GSUB (gsub) or GPOS: the glyphs it may start at. False when it cannot
 * tell. */
static bool mark_subtable(const unsigned char *t, size_t len, size_t st, unsigned type, bool gsub,
                          uint8_t *m, unsigned n, int depth, long *budget) {
  if (st + 4 > len) return false;
  unsigned fmt = be16(t + st);
  unsigned context = gsub ? 5 : 7, chain = gsub ? 6 : 8, extension = gsub ? 7 : 9;
  if (type == extension) {
    if (depth > 0 || fmt != 1 || st + 8 > len) return false;
    unsigned inner = be16(t + st + 2);
    size_t off = st + be32(t + st + 4);
    if (inner == extension || off <= st || off >= len) return false;
    return mark_subtable(t, len, off, inner, gsub, m, n, depth + 1, budget);
  }
  if ((type == context || type == chain) && fmt == 3) {
    size_t at = st + 2; /* context: glyphCount, lookupCount, coverages */
    if (type == chain) at += 2 + 2 * (size_t)be16(t + st + 2); /* past the backtrack */
    if (at + 4 > len || be16(t + at) == 0) return false;
    return mark_coverage(t, len, st + be16(t + at + (type == context ? 4 : 2)), m, n, budget);
  }
  /* every other kind: at +2 */
  return mark_coverage(t, len, st + be16(t + st + 2), m, n, budget);
}

/* Features HarfBuzz leaves off when it shapes a pair as shape_pair does:
 * those font.c turns off, those HarfBuzz turns on only for a fraction slash
 * (no ordinary character), and those it never turns on unasked. */
static bool feature_off(const unsigned char *tag) {
  static const char off[][5] = {
      "liga", "clig", "calt", "dlig", "frac", "numr", "dnom", "aalt", "salt", "swsh", "cswh",
      "smcp", "c2sc", "pcap", "c2pc", "unic", "titl", "case", "cpsp", "zero", "sups", "subs",
      "sinf", "ordn", "hist", "hlig", "tnum", "pnum", "onum", "lnum", "ornm", "nalt", "afrc"};
  for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
    if (memcmp(tag, off[i], 4) == 0) return true;
  /* stylistic sets ss01..ss20 and character variants cv01..cv99 */
  bool digits = tag[2] >= '0' && tag[2] <= '9' && tag[3] >= '0' && tag[3] <= '9';
  return digits && ((tag[0] == 's' && tag[1] == 's') || (tag[0] == 'c' && tag[1] == 'v'));
}

/* Marks in live[] the lookups of GSUB or GPOS table t (count of them) that
 * a plan may apply: those of a feature not off (feature_off), of a
 * language system's required feature, and those no feature names (applied
 * from another lookup, if at all); false when the tables cannot be
 * followed. With feature variations, all. */
static bool live_lookups(const unsigned char *t, size_t len, unsigned count, uint8_t *live,
                         long *budget) {
  size_t features = be16(t + 6), scripts = be16(t + 4);
  if ((be16(t + 2) >= 1 && len >= 14 && be32(t + 10) != 0) || features == 0) {
    memset(live, 1, count);
    return true;
  }
  if (features + 2 > len) return false;
  unsigned n_features = be16(t + features);
  if (features + 2 + 6 * (size_t)n_features > len) return false;
  uint8_t *named = rp_mem_calloc(count ? count : 1, 1);
  uint8_t *required = rp_mem_calloc(n_features ? n_features : 1, 1);
  bool ok = named && required;
  /* the required feature of each script's language systems */
  if (ok && scripts) {
    ok = scripts + 2 <= len && scripts + 2 + 6 * (size_t)be16(t + scripts) <= len;
    for (unsigned i = 0; ok && i < be16(t + scripts); i++) {
      size_t sc = scripts + be16(t + scripts + 2 + 6 * i + 4);
      ok = sc + 4 <= len && sc + 4 + 6 * (size_t)be16(t + sc + 2) <= len &&
           (*budget -= 1 + be16(t + sc + 2)) >= 0;
      for (unsigned j = 0, n_langs = ok ? be16(t + sc + 2) : 0; ok && j <= n_langs; j++) {
        size_t off = j == 0 ? be16(t + sc) : be16(t + sc + 4 + 6 * (j - 1) + 4);
        if (off == 0) continue;
        ok = sc + off + 4 <= len;
        unsigned req = ok ? be16(t + sc + off + 2) : 0xFFFF;
        if (ok && req != 0xFFFF && req < n_features) required[req] = 1;
      }
    }
  }
  for (unsigned i = 0; ok && i < n_features; i++) {
    const unsigned char *rec = t + features + 2 + 6 * i;
    size_t ft = features + be16(rec + 4);
    ok = ft + 4 <= len && ft + 4 + 2 * (size_t)be16(t + ft + 2) <= len &&
         (*budget -= 1 + be16(t + ft + 2)) >= 0;
    bool on = required[i] || !feature_off(rec);
    for (unsigned j = 0; ok && j < be16(t + ft + 2); j++) {
      unsigned lk = be16(t + ft + 4 + 2 * j);
      if (lk >= count) continue; /* no such lookup: nothing applied */
      named[lk] = 1;
      if (on) live[lk] = 1;
    }
  }
  for (unsigned i = 0; ok && i < count; i++)
    if (!named[i]) live[i] = 1;
  rp_mem_free(named);
  rp_mem_free(required);
  return ok;
}

/* Marks the first coverage of every lookup of GSUB or GPOS table t that a
 * plan may apply (live_lookups). */
static bool mark_lookups(const unsigned char *t, size_t len, bool gsub, uint8_t *m, unsigned n,
                         long *budget) {
  if (len == 0) return true; /* no table */
  if (len < 10 || be16(t) != 1) return false;
  size_t list = be16(t + 8);
  if (list == 0) return true;
  if (list + 2 > len) return false;
  unsigned count = be16(t + list);
  if (list + 2 + 2 * (size_t)count > len) return false;
  uint8_t *live = rp_mem_calloc(count ? count : 1, 1);
  if (!live || !live_lookups(t, len, count, live, budget)) {
    rp_mem_free(live);
    return false;
  }
  bool ok = true;
  for (unsigned i = 0; ok && i < count; i++) {
    if (!live[i]) continue;
    size_t lk = list + be16(t + list + 2 + 2 * i);
    ok = lk + 6 <= len && lk + 6 + 2 * (size_t)be16(t + lk + 4) <= len;
    unsigned type = ok ? be16(t + lk) : 0, subs = ok ? be16(t + lk + 4) : 0;
    for (unsigned j = 0; ok && j < subs; j++)
      ok = mark_subtable(t, len, lk + be16(t + lk + 6 + 2 * j), type, gsub, m, n, 0, budget);
  }
  rp_mem_free(live);
  return ok;
}

/* Finds the pairs of each subtable of k's font's 'kern' table (OpenType's
 * version 0, format 0 subtables), keeping the table referenced while the
 * font lives; with `check`, also that each subtable's pairs are in order.
 * False for any other table. */
static bool find_kern_pairs(struct rp_font_kerner *k, bool check) {
  hb_blob_t *b = hb_face_reference_table(hb_font_get_face(k->font), HB_TAG('k', 'e', 'r', 'n'));
  unsigned len = 0;
  const unsigned char *t = (const unsigned char *)hb_blob_get_data(b, &len);
  k->n_kern_subs = 0;
  k->kern_found = true;
  if (len == 0) {
    hb_blob_destroy(b);
    return true;
  }
  k->kern_blob = b;
  unsigned count = len >= 4 ? be16(t + 2) : 0;
  if (len < 4 || be16(t) != 0 || count > KERN_SUBTABLES) return false;
  size_t at = 4;
  for (unsigned i = 0; i < count; i++) {
    if (at + 14 > len || t[at + 4] != 0) return false; /* header; format (high byte) 0 */
    unsigned pairs = be16(t + at + 6);
    size_t size = 14 + 6 * (size_t)pairs;
    /* the last subtable's length may have overflowed its 16 bits (HarfBuzz
     * reads its pairs all the same); another's must be right */
    if (at + size > len || (i + 1 < count && be16(t + at + 2) != size)) return false;
    const unsigned char *p = t + at + 14, *end = p + 6 * (size_t)pairs;
    for (uint32_t prev = 0; check && p < end; p += 6) {
      uint32_t key = be32(p);
      if (key < prev) return false;
      prev = key;
    }
    p = t + at + 14;
    k->kern_subs[i].pairs = p;
    k->kern_subs[i].n = pairs;
    at += size;
  }
  k->n_kern_subs = (int)count;
  return true;
}

/* True when glyphs l, r are a pair of a 'kern' subtable of k's font. */
static bool kern_listed(const struct rp_font_kerner *k, unsigned l, unsigned r) {
  uint32_t key = (uint32_t)l << 16 | r;
  for (int i = 0; i < k->n_kern_subs; i++) {
    const unsigned char *p = k->kern_subs[i].pairs;
    size_t lo = 0, hi = k->kern_subs[i].n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      uint32_t v = be32(p + 6 * mid);
      if (v == key) return true;
      if (v < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  }
  return false;
}

/* Reads k's movers and subs from the face of its font, once. */
static void read_movers(struct rp_font_kerner *k) {
  k->movers_read = true;
  hb_face_t *face = hb_font_get_face(k->font);
  static const char apple[][5] = {"morx", "mort", "kerx", "trak", "ankr", "just"};
  for (size_t i = 0; i < sizeof apple / sizeof apple[0]; i++) {
    hb_blob_t *b = hb_face_reference_table(face, hb_tag_from_string(apple[i], 4));
    unsigned len = hb_blob_get_length(b);
    hb_blob_destroy(b);
    if (len) return;
  }
  unsigned n = hb_face_get_glyph_count(face);
  size_t bytes = ((size_t)n + 7) / 8;
  uint8_t *m = n ? rp_mem_calloc(2, bytes) : NULL; /* movers, then subs */
  if (!m) return;
  bool ok = find_kern_pairs(k, true);
  long budget = MOVERS_BUDGET;
  static const hb_tag_t tables[2] = {HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S')};
  for (int i = 0; i < 2 && ok; i++) {
    hb_blob_t *b = hb_face_reference_table(face, tables[i]);
    unsigned len = 0;
    const unsigned char *t = (const unsigned char *)hb_blob_get_data(b, &len);
    ok = mark_lookups(t, len, i == 0, i == 0 ? m + bytes : m, n, &budget);
    hb_blob_destroy(b);
  }
  if (!ok) {
    rp_mem_free(m);
    return;
  }
  for (size_t i = 0; i < bytes; i++) m[i] |= m[bytes + i];
  k->movers = m;
  k->subs = m + bytes;
  k->n_glyphs = n;
}

/* A character of a pair known unkerned: see above. */
static bool ordinary_char(hb_unicode_funcs_t *u, uint32_t cp) {
#define CAT(c) (1u << HB_UNICODE_GENERAL_CATEGORY_##c)
  /* letters, numbers, punctuation, symbols */
  static const uint32_t ordinary =
      CAT(UPPERCASE_LETTER) | CAT(LOWERCASE_LETTER) | CAT(TITLECASE_LETTER) | CAT(MODIFIER_LETTER) |
      CAT(OTHER_LETTER) | CAT(DECIMAL_NUMBER) | CAT(LETTER_NUMBER) | CAT(OTHER_NUMBER) |
      CAT(CONNECT_PUNCTUATION) | CAT(DASH_PUNCTUATION) | CAT(OPEN_PUNCTUATION) |
      CAT(CLOSE_PUNCTUATION) | CAT(INITIAL_PUNCTUATION) | CAT(FINAL_PUNCTUATION) |
      CAT(OTHER_PUNCTUATION) | CAT(MATH_SYMBOL) | CAT(CURRENCY_SYMBOL) | CAT(MODIFIER_SYMBOL) |
      CAT(OTHER_SYMBOL);
#undef CAT
  if (!(ordinary >> hb_unicode_general_category(u, cp) & 1)) return false;
  /* letters that are default ignorables (Hangul fillers); fraction and
   * division slashes, which turn fractions on (feature_off) */
  if (cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2044 || cp == 0x2215)
    return false;
  hb_script_t script = hb_unicode_script(u, cp);
  return script == HB_SCRIPT_LATIN || script == HB_SCRIPT_COMMON || script == HB_SCRIPT_GREEK ||
         script == HB_SCRIPT_CYRILLIC;
}

/* The glyph HarfBuzz maps ordinary character cp to, -1 for another
 * character, or one HarfBuzz maps to no glyph below n_glyphs or to a mark
 * (GDEF); remembered for the dense table's characters (asked of every
 * pair). */
static int32_t plain_glyph(struct rp_font_kerner *k, uint32_t cp) {
  int slot = pair_slot(cp);
  if (slot >= 0 && k->slot_glyph[slot] != 0) return k->slot_glyph[slot] - 2;
  hb_codepoint_t g;
  /* (a mark's advance is zeroed: GDEF's marks are shaped) */
  int32_t v = ordinary_char(hb_unicode_funcs_get_default(), cp) &&
                      hb_font_get_nominal_glyph(k->font, cp, &g) && g < k->n_glyphs &&
                      hb_ot_layout_get_glyph_class(hb_font_get_face(k->font), g) !=
                          HB_OT_LAYOUT_GLYPH_CLASS_MARK
                  ? (int32_t)g
                  : -1;
  if (slot >= 0) k->slot_glyph[slot] = v + 2;
  return v;
}

/* True when the pair "ab" must be shaped to know its value; false when it
 * is known to be 0. k's font is made. */
static bool pair_may_move(struct rp_font_kerner *k, uint32_t a, uint32_t b) {
  if (!k->movers_read) {
    read_movers(k);
  } else if (k->movers && !k->kern_found && !find_kern_pairs(k, false)) {
    rp_mem_free(k->movers); /* the font made again after a rest reads otherwise */
    k->movers = NULL;
  }
  int32_t ga, gb;
  if (!k->movers || (ga = plain_glyph(k, a)) < 0 || (gb = plain_glyph(k, b)) < 0 ||
      glyph_marked(k->movers, k->n_glyphs, (unsigned)ga))
    return true;
  return k->n_kern_subs && (glyph_marked(k->subs, k->n_glyphs, (unsigned)gb) ||
                            kern_listed(k, (unsigned)ga, (unsigned)gb));
}

/* HarfBuzz's adjustment of a's advance in the pair "ab", thousandths of an em
 * (0 when a released font cannot be made again). */
static int shape_pair(const rp_font *f, struct rp_font_kerner *k, uint32_t a, uint32_t b) {
  int upem = f->units_per_em;
  if (!kerner_font(f, k, NULL)) return 0;
  if (!pair_may_move(k, a, b)) return 0;
  hb_buffer_clear_contents(k->buf);
  hb_codepoint_t cps[2] = {a, b};
  hb_buffer_add_codepoints(k->buf, cps, 2, 0, 2);
  hb_buffer_guess_segment_properties(k->buf);
  hb_buffer_set_direction(k->buf, HB_DIRECTION_LTR);
  /* hb_shape is hb_shape_plan_create_cached2 then hb_shape_plan_execute:
   * the same plan, found here instead of in the face's list each time */
  hb_segment_properties_t props;
  hb_buffer_get_segment_properties(k->buf, &props);
  hb_shape_plan_t *plan = NULL;
  for (int i = 0; i < k->n_plans && !plan; i++)
    if (hb_segment_properties_equal(&k->plans[i].props, &props)) plan = k->plans[i].plan;
  if (!plan && k->n_plans < KERN_PLANS) {
    unsigned n_coords = 0;
    const int *coords = hb_font_get_var_coords_normalized(k->font, &n_coords);
    plan = hb_shape_plan_create_cached2(hb_font_get_face(k->font), &props, k->features, 4, coords,
                                        n_coords, NULL);
    k->plans[k->n_plans].props = props;
    k->plans[k->n_plans++].plan = plan;
  }
  if (plan)
    hb_shape_plan_execute(plan, k->font, k->buf, k->features, 4);
  else /* more scripts than plans kept */
    hb_shape(k->font, k->buf, k->features, 4);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(k->buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(k->buf, NULL);
  if (n != 2 || !pos) return 0;
  long units =
      (long)pos[0].x_advance - (long)hb_font_get_glyph_h_advance(k->font, info[0].codepoint);
  long v = lround((double)units * 1000.0 / upem);
  return v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : (int)v;
}

/* Doubles the cache; false when out of memory (the cache then stays full
 * and pairs are shaped each time). */
static bool kerner_grow(struct rp_font_kerner *k) {
  size_t cap = k->cap * 2;
  uint32_t *keys = rp_mem_alloc(cap * sizeof *keys);
  int16_t *vals = rp_mem_alloc(cap * sizeof *vals);
  if (!keys || !vals) {
    rp_mem_free(keys);
    rp_mem_free(vals);
    return false;
  }
  for (size_t i = 0; i < cap; i++) keys[i] = EMPTY_KEY;
  for (size_t i = 0; i < k->cap; i++) {
    if (k->keys[i] == EMPTY_KEY) continue;
    size_t h = (k->keys[i] * 2654435761u) & (cap - 1);
    while (keys[h] != EMPTY_KEY) h = (h + 1) & (cap - 1);
    keys[h] = k->keys[i];
    vals[h] = k->vals[i];
  }
  rp_mem_free(k->keys);
  rp_mem_free(k->vals);
  k->keys = keys;
  k->vals = vals;
  k->cap = cap;
  return true;
}

/* A dense table with no pair known: only `known` is zeroed, as pair[] is
 * read only where its bit is set (calloc cleared all 34 KiB, heap memory
 * it had to zero). NULL when out of memory. */
static pair_table *pair_table_new(void) {
  pair_table *t = rp_mem_alloc(sizeof *t);
  if (t) memset(t->known, 0, sizeof t->known);
  return t;
}

/* Pairs with a space, or a character the face lacks, are never kerned. */
static bool unkerned(const rp_font *f, uint32_t a, uint32_t b) {
  return a == ' ' || b == ' ' || a == 0xA0 || b == 0xA0 || !rp_font_covers(f, a) ||
         !rp_font_covers(f, b);
}

/* The pair's value through the hash (shaping it the first time). */
static int kern_hashed(const rp_font *f, struct rp_font_kerner *k, uint32_t a, uint32_t b) {
  if (unkerned(f, a, b)) return 0;
  uint32_t key = a << 16 | b;
  size_t h = (key * 2654435761u) & (k->cap - 1);
  while (k->keys[h] != EMPTY_KEY) {
    if (k->keys[h] == key) return k->vals[h];
    h = (h + 1) & (k->cap - 1);
  }
  int v = shape_pair(f, k, a, b);
  if (2 * (k->used + 1) > k->cap && !kerner_grow(k)) return v;
  h = (key * 2654435761u) & (k->cap - 1);
  while (k->keys[h] != EMPTY_KEY) h = (h + 1) & (k->cap - 1);
  k->keys[h] = key;
  k->vals[h] = (int16_t)v;
  k->used++;
  return v;
}

void rp_fontset_rest(const rp_fontset *fs) {
  for (size_t i = 0; fs && i < fs->count; i++) {
    struct rp_font_kerner *k = fs->fonts[i]->kerner;
    if (!k || !k->font) continue;
    kerner_drop_font(k);
  }
}

/* rp_font_kern for a pair of the dense table known already, without a
 * call: measuring asks for every two characters it sets. */
static inline int kern_fast(const rp_font *f, uint32_t a, uint32_t b) {
  const struct rp_font_kerner *k = f->kerner;
  int sa = pair_slot(a), sb = pair_slot(b);
  if (k && k->pairs && sa >= 0 && sb >= 0) {
    size_t i = (size_t)sa * PAIR_SLOTS + (size_t)sb;
    if (k->pairs->known[i >> 3] >> (i & 7) & 1) return k->pairs->pair[i];
  }
  return rp_font_kern(f, a, b);
}

int rp_font_kern(const rp_font *f, uint32_t a, uint32_t b) {
  struct rp_font_kerner *k = f->kerner ? f->kerner : kerner_get(f);
  if (!k) return 0;
  int sa = pair_slot(a), sb = pair_slot(b);
  if (sa < 0 || sb < 0) return kern_hashed(f, k, a, b);
  if (!k->pairs && !(k->pairs = pair_table_new())) return kern_hashed(f, k, a, b);
  pair_table *t = k->pairs;
  size_t i = (size_t)sa * PAIR_SLOTS + (size_t)sb;
  if (t->known[i >> 3] >> (i & 7) & 1) return t->pair[i];
  int v = unkerned(f, a, b) ? 0 : shape_pair(f, k, a, b); /* clamped to int16_t */
  t->pair[i] = (int16_t)v;
  t->known[i >> 3] |= (uint8_t)(1u << (i & 7));
  return v;
}

/* The code point at s[*i], stepping *i past it; ASCII without a call. */
static inline uint32_t next_cp(const char *s, size_t len, size_t *i) {
  unsigned char b = (unsigned char)s[*i];
  if (b < 0x80) {
    ++*i;
    return b;
  }
  uint32_t cp;
  *i += rp_utf8_decode(s + *i, len - *i, &cp);
  return cp;
}

/* ---- figures --------------------------------------------------------------- */

static const uint32_t figure_cps[RP_FONT_N_FIGURES] = {'0',
                                                       '1',
                                                       '2',
                                                       '3',
                                                       '4',
                                                       '5',
                                                       '6',
                                                       '7',
                                                       '8',
                                                       '9',
                                                       ',',
                                                       '.',
                                                       ':',
                                                       '+',
                                                       '-',
                                                       0x2212,
                                                       '$',
                                                       0xA3 /* £ */,
                                                       0x20AC /* € */,
                                                       '%'};

static int figure_index(uint32_t cp) {
  if (cp >= '0' && cp <= '9') return (int)(cp - '0');
  /* a letter is no figure: most characters measured leave here */
  if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return -1;
  for (int i = 10; i < RP_FONT_N_FIGURES; i++)
    if (figure_cps[i] == cp) return i;
  return -1;
}

/* Horizontal middle of a glyph's ink, in font units (its advance's middle
 * when it has no ink). */
static double ink_middle(hb_font_t *font, hb_codepoint_t g) {
  hb_glyph_extents_t e;
  if (hb_font_get_glyph_extents(font, g, &e) && e.width != 0) return e.x_bearing + e.width / 2.0;
  return hb_font_get_glyph_h_advance(font, g) / 2.0;
}

/* Fills f's figure tables: each figure character shaped alone with tnum,
 * then pnum; where the feature replaces its glyph, the replacement's advance
 * (truncated as libharu truncates widths) and the shift that puts the
 * character's own ink where the replacement's is. */
static void read_figures(rp_font *f, const struct rp_font_kerner *k, hb_font_t *outlines) {
  static const hb_tag_t tags[2] = {HB_TAG('t', 'n', 'u', 'm'), HB_TAG('p', 'n', 'u', 'm')};
  hb_face_t *face = hb_font_get_face(k->font);
  unsigned upem = (unsigned)f->units_per_em;
  for (int m = 0; m < 2; m++) {
    for (int i = 0; i < RP_FONT_N_FIGURES; i++) f->fig_adv[m][i] = -1, f->fig_shift[m][i] = 0;
    unsigned idx;
    f->has_figures[m] = hb_ot_layout_language_find_feature(
        face, HB_OT_TAG_GSUB, 0, HB_OT_LAYOUT_DEFAULT_LANGUAGE_INDEX, tags[m], &idx);
    if (!f->has_figures[m]) continue;
    hb_feature_t feats[5];
    memcpy(feats, k->features, sizeof k->features);
    feats[4] = (hb_feature_t){tags[m], 1, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END};
    for (int i = 0; i < RP_FONT_N_FIGURES; i++) {
      hb_codepoint_t own, cp = figure_cps[i];
      if (!rp_font_covers(f, cp) || !hb_font_get_nominal_glyph(k->font, cp, &own)) continue;
      hb_buffer_clear_contents(k->buf);
      hb_buffer_add_codepoints(k->buf, &cp, 1, 0, 1);
      hb_buffer_set_direction(k->buf, HB_DIRECTION_LTR);
      hb_buffer_guess_segment_properties(k->buf);
      hb_shape(k->font, k->buf, feats, 5);
      unsigned n = 0;
      hb_glyph_info_t *info = hb_buffer_get_glyph_infos(k->buf, &n);
      if (n != 1 || info[0].codepoint == own) continue;
      hb_codepoint_t g = info[0].codepoint;
      uint32_t adv = (uint32_t)hb_font_get_glyph_h_advance(k->font, g) * 1000u / upem;
      double shift = (ink_middle(outlines, g) - ink_middle(outlines, own)) * 1000.0 / upem;
      f->fig_adv[m][i] = (int16_t)(adv > INT16_MAX ? INT16_MAX : adv);
      f->fig_shift[m][i] = (int16_t)lround(fmax(-4000, fmin(4000, shift)));
    }
  }
}

/* Fills f's figure tables on the first run set with tabular or
 * proportional figures: the face's file mapped again for the outlines (the
 * kerner keeps none). A failure leaves the font's own figures (recorded). */
static void figures_ready(const rp_font *cf) {
  rp_font *f = (rp_font *)cf; /* filled through const, as the widths */
  if (!f->file || f->file->figures_read) return;
  f->file->figures_read = true;
  char why[160] = "";
  font_file ff;
  sfnt s;
  struct rp_font_kerner *k = kerner_get(f);
  if (!k) return;
  if (!file_reopen(f, &ff, &s, why, sizeof why)) {
    late_failure(f, why);
    return;
  }
  hb_blob_t *blob = kerner_font(f, k, &s)
                        ? hb_blob_create_or_fail((const char *)s.data, (unsigned)s.size,
                                                 HB_MEMORY_MODE_READONLY, NULL, NULL)
                        : NULL;
  hb_face_t *whole = blob ? hb_face_create(blob, 0) : NULL;
  hb_font_t *outlines = whole ? hb_font_create(whole) : NULL;
  hb_face_destroy(whole);
  hb_blob_destroy(blob);
  if (outlines)
    read_figures(f, k, outlines);
  else if (k->font)
    late_failure(f, "out of memory");
  hb_font_destroy(outlines);
  file_close(&ff);
}

bool rp_font_has_figures(const rp_font *f, rp_figures fig) {
  if (fig != RP_FIGURES_TABULAR && fig != RP_FIGURES_PROPORTIONAL) return false;
  figures_ready(f);
  return f->has_figures[fig == RP_FIGURES_TABULAR ? 0 : 1];
}

int rp_font_advance(const rp_font *f, uint32_t cp, rp_figures fig, int *shift) {
  *shift = 0;
  if (cp >= BMP_SIZE) return f->missing_width;
  if (fig == RP_FIGURES_TABULAR || fig == RP_FIGURES_PROPORTIONAL) {
    figures_ready(f);
    int i = figure_index(cp), m = fig == RP_FIGURES_TABULAR ? 0 : 1;
    if (i >= 0 && f->fig_adv[m][i] >= 0) {
      *shift = f->fig_shift[m][i];
      return f->fig_adv[m][i];
    }
  }
  return rp_font_cp_width(f, cp);
}

/* True when `fig` replaces cp's glyph in f. */
static bool replaced(const rp_font *f, uint32_t cp, rp_figures fig) {
  if (fig != RP_FIGURES_TABULAR && fig != RP_FIGURES_PROPORTIONAL) return false;
  figures_ready(f);
  int i = figure_index(cp);
  return i >= 0 && f->fig_adv[fig == RP_FIGURES_TABULAR ? 0 : 1][i] >= 0;
}

int rp_font_kern_fig(const rp_font *f, uint32_t a, uint32_t b, rp_figures fig) {
  if (replaced(f, a, fig) || replaced(f, b, fig)) return 0;
  return kern_fast(f, a, b);
}

double rp_font_measure_fig(const rp_font *f, const char *utf8, size_t len, double size_pt,
                           double tracking, bool kern, rp_figures fig) {
  if (fig == RP_FIGURES_FONT) return rp_font_measure(f, utf8, len, size_pt, tracking, kern);
  int64_t units = 0;
  size_t chars = 0;
  uint32_t prev = 0;
  for (size_t i = 0; i < len; chars++) {
    int shift;
    uint32_t cp = next_cp(utf8, len, &i);
    units += rp_font_advance(f, cp, fig, &shift);
    if (chars > 0 && kern) units += rp_font_kern_fig(f, prev, cp, fig);
    prev = cp;
  }
  return ((double)units + tracking * (double)chars) * size_pt / 1000.0;
}

/* ---- copies for another thread ----------------------------------------------- */

rp_fontset *rp_fontset_copy_new(const rp_fontset *fs) {
  rp_fontset *c = rp_mem_calloc(1, sizeof *c);
  if (c) c->fonts = rp_mem_calloc(fs->count ? fs->count : 1, sizeof *c->fonts);
  if (c && !c->fonts) {
    rp_mem_free(c);
    return NULL;
  }
  if (c) c->count = c->cap = fs->count;
  return c;
}

/* A kerner with k's pairs, its HarfBuzz font made again when a pair is
 * missing (kerner_font). */
static struct rp_font_kerner *kerner_copy(const struct rp_font_kerner *k) {
  struct rp_font_kerner *n = rp_mem_calloc(1, sizeof *n);
  if (!n) return NULL;
  n->buf = hb_buffer_create();
  memcpy(n->features, k->features, sizeof n->features);
  n->cap = k->cap, n->used = k->used;
  n->keys = rp_mem_alloc(k->cap * sizeof *n->keys);
  n->vals = rp_mem_alloc(k->cap * sizeof *n->vals);
  n->pairs = k->pairs ? rp_mem_alloc(sizeof *n->pairs) : NULL;
  if (!hb_buffer_allocation_successful(n->buf) || !n->keys || !n->vals || (k->pairs && !n->pairs)) {
    kerner_free(n);
    return NULL;
  }
  memcpy(n->keys, k->keys, k->cap * sizeof *n->keys);
  memcpy(n->vals, k->vals, k->cap * sizeof *n->vals);
  if (k->pairs) memcpy(n->pairs, k->pairs, sizeof *n->pairs);
  size_t bytes = ((size_t)k->n_glyphs + 7) / 8;
  if (k->movers && (n->movers = rp_mem_alloc(2 * bytes))) {
    memcpy(n->movers, k->movers, 2 * bytes);
    n->subs = n->movers + bytes;
    n->n_glyphs = k->n_glyphs;
    n->movers_read = true;
  } else if (!k->movers) {
    n->movers_read = k->movers_read; /* none to read (else read again) */
  }
  return n;
}

bool rp_fontset_copy_face(rp_fontset *c, const rp_fontset *fs, int index) {
  if (index < 0 || (size_t)index >= c->count || c->fonts[index]) return true;
  const rp_font *f = fs->fonts[index];
  rp_font *n = rp_mem_alloc(sizeof *n);
  size_t fsize = f->file ? sizeof *f->file + strlen(f->file->ref_file) + 1 : 0;
  struct rp_font_file *ff = fsize ? rp_mem_alloc(fsize) : NULL;
  struct rp_font_kerner *k = f->kerner ? kerner_copy(f->kerner) : NULL;
  if (!n || (fsize && !ff) || (f->kerner && !k)) {
    rp_mem_free(n), rp_mem_free(ff), kerner_free(k);
    return false;
  }
  *n = *f; /* widths and coverage shared: read already, or never by the copy */
  if (ff) {
    memcpy(ff, f->file, fsize);
    ff->ft = NULL;
    ff->copy = true;
    ff->wanted = false;
  }
  n->file = ff;
  n->kerner = k;
  c->fonts[index] = n;
  return true;
}

bool rp_fontset_copy_wanted(const rp_fontset *c, int index) {
  const rp_font *f = index >= 0 && (size_t)index < c->count ? c->fonts[index] : NULL;
  return f && f->file && f->file->wanted;
}

/* Adds to k the pairs of `from` it lacks (no memory: fewer). */
static void kerner_merge(struct rp_font_kerner *k, const struct rp_font_kerner *from) {
  if (from->pairs && (k->pairs || (k->pairs = pair_table_new()))) {
    for (size_t i = 0; i < sizeof k->pairs->known; i++) {
      uint8_t add = from->pairs->known[i] & (uint8_t)~k->pairs->known[i];
      for (int b = 0; add && b < 8; b++)
        if (add >> b & 1) k->pairs->pair[i * 8 + (size_t)b] = from->pairs->pair[i * 8 + (size_t)b];
      k->pairs->known[i] |= add;
    }
  }
  for (size_t i = 0; i < from->cap; i++) {
    uint32_t key = from->keys[i];
    if (key == EMPTY_KEY) continue;
    size_t h = (key * 2654435761u) & (k->cap - 1);
    while (k->keys[h] != EMPTY_KEY && k->keys[h] != key) h = (h + 1) & (k->cap - 1);
    if (k->keys[h] == key) continue;
    if (2 * (k->used + 1) > k->cap) {
      if (!kerner_grow(k)) return;
      h = (key * 2654435761u) & (k->cap - 1);
      while (k->keys[h] != EMPTY_KEY) h = (h + 1) & (k->cap - 1);
    }
    k->keys[h] = key;
    k->vals[h] = from->vals[i];
    k->used++;
  }
}

void rp_fontset_copy_merge(rp_fontset *c, const rp_fontset *fs) {
  for (size_t i = 0; c && i < c->count && i < fs->count; i++) {
    const rp_font *from = c->fonts[i];
    struct rp_font_kerner *k = fs->fonts[i]->kerner;
    if (from && from->kerner && k) kerner_merge(k, from->kerner);
  }
}

void rp_fontset_copy_free(rp_fontset *c) {
  if (!c) return;
  for (size_t i = 0; i < c->count; i++) {
    rp_font *f = c->fonts[i];
    if (!f) continue;
    kerner_free(f->kerner);
    rp_mem_free(f->file);
    rp_mem_free(f);
  }
  if (c->memo && c->memo_free) c->memo_free(c->memo); /* a copy that set paragraphs */
  rp_mem_free(c->fonts);
  rp_mem_free(c);
}

/* ---- the fontset ------------------------------------------------------------ */

void rp_fontset_init(rp_fontset *fs) { memset(fs, 0, sizeof *fs); }

static void font_free(rp_font *f) {
  if (!f) return;
  kerner_free(f->kerner);
  rp_mem_free(f->path);
  for (int i = 0; i < 256; i++) rp_mem_free(f->width_pages[i]);
  if (f->covered != no_glyphs) rp_mem_free((uint8_t *)f->covered);
  rp_mem_free(f->file);
  rp_mem_free(f);
}

void rp_fontset_fini(rp_fontset *fs) {
  if (!fs) return;
  if (fs->memo_free) fs->memo_free(fs->memo);
  for (size_t i = 0; i < fs->count; i++) font_free(fs->fonts[i]);
  rp_mem_free(fs->fonts);
  if (fs->ft) FT_Done_Library((FT_Library)fs->ft); /* not FT_Done_FreeType: it frees ft_memory */
  rp_fontset_family_fini(fs);
  memset(fs, 0, sizeof *fs);
}

/* FreeType's blocks while rp_fontset_load reads a face (read_face): it
 * frees them all by its end, so they come from one buffer, handed out in
 * order, rather than from malloc one by one: the layout's fonts are loaded
 * beside the content's thread (pipeline.c), which allocates from the same
 * malloc arena meanwhile, and each block took its lock (the review's 8
 * faces: 1.54 -> 1.38 ms). Not with faults armed or under a memory budget
 * (they count base/mem's blocks); one the buffer cannot hold, or a buffer
 * not emptied, and FreeType allocates as before. */
#define FACE_BUF ((size_t)64 << 10) /* a face of the review's: 7-23 KiB */
#define FACE_HEAD 16                /* before each block: its size */
typedef struct face_buf {
  char *buf;   /* NULL: off */
  size_t used; /* bytes handed out */
  long live;   /* blocks not freed */
} face_buf;
static _Thread_local face_buf face_mem;
/* Buffers with a block FreeType kept past the face (none it documents):
 * kept for good, so that such a block is still known for ours. */
#define FACE_KEPT 8
static _Atomic(char *) face_kept[FACE_KEPT];
static atomic_int face_n_kept;

static bool in_buf(const char *buf, const void *p) {
  return buf && (const char *)p >= buf && (const char *)p < buf + FACE_BUF;
}

static bool in_face_buf(const void *p) {
  if (in_buf(face_mem.buf, p)) return true;
  int n = atomic_load(&face_n_kept);
  for (int i = 0; i < n; i++)
    if (in_buf(atomic_load(&face_kept[i]), p)) return true;
  return false;
}

static size_t face_size(size_t n) { return FACE_HEAD + ((n + 15) & ~(size_t)15); }

/* FreeType allocates through base/mem (fault injection, one count); it
 * zeroes what it needs zeroed itself. */
static void *ft_alloc(FT_Memory m, long size) {
  (void)m;
  size_t n = (size_t)size, need = face_size(n);
  if (face_mem.buf && need <= FACE_BUF - face_mem.used) {
    char *p = face_mem.buf + face_mem.used;
    face_mem.used += need;
    face_mem.live++;
    *(size_t *)p = n;
    (void)rp_mem_fail_now(); /* counted as base/mem counts; never armed here */
    return p + FACE_HEAD;
  }
  return rp_mem_alloc(n);
}
static void ft_free(FT_Memory m, void *block) {
  (void)m;
  if (!block || !in_face_buf(block))
    rp_mem_free(block);
  else if (in_buf(face_mem.buf, block))
    face_mem.live--;
}
static void *ft_realloc(FT_Memory m, long cur, long size, void *block) {
  (void)cur;
  if (!block || !in_face_buf(block)) return rp_mem_realloc(block, (size_t)size);
  size_t *head = (size_t *)((char *)block - FACE_HEAD), had = *head, n = (size_t)size;
  if (n <= had) return block;
  if (in_buf(face_mem.buf, block) &&
      (char *)head + face_size(had) == face_mem.buf + face_mem.used &&
      face_mem.used - face_size(had) + face_size(n) <= FACE_BUF) { /* the last: grown */
    face_mem.used += face_size(n) - face_size(had);
    *head = n;
    return block;
  }
  void *q = ft_alloc(m, size);
  if (!q) return NULL;
  memcpy(q, block, had);
  ft_free(m, block);
  return q;
}

/* read_face with FreeType's blocks in a buffer of this call's, when it can. */
static void read_face_buffered(FT_Library lib, const sfnt *s, rp_font *f, char *why,
                               size_t why_len) {
  /* (a slot left for its buffer, should FreeType keep a block: two
   * threads may take the last at once, so one spare) */
  bool on = !rp_mem_faults_armed() && !rp_limit_given(RP_LIMIT_MEMORY_MIB) &&
            atomic_load(&face_n_kept) < FACE_KEPT - 1;
  face_mem = (face_buf){on ? malloc(FACE_BUF) : NULL, 0, 0};
  read_face(lib, s, f, why, why_len);
  if (face_mem.live == 0) {
    free(face_mem.buf);
  } else { /* one of its blocks still held: the buffer stays, known */
    int i = atomic_fetch_add(&face_n_kept, 1);
    if (i < FACE_KEPT) atomic_store(&face_kept[i], face_mem.buf);
  }
  face_mem = (face_buf){0};
}
static struct FT_MemoryRec_ ft_memory = {NULL, ft_alloc, ft_free, ft_realloc};

/* Index of an already loaded face for `path`: the same string, or, when
 * `st` (the file opened) is given, the same file (device and inode, as the
 * layout may name it by another path); -1. */
static int find_loaded(const rp_fontset *fs, const char *path, const struct stat *st) {
  for (size_t i = 0; i < fs->count; i++) {
    const rp_font *f = fs->fonts[i];
    if (strcmp(f->path, path) == 0) return (int)i;
    if (st && f->file->dev == st->st_dev && f->file->ino == st->st_ino) return (int)i;
  }
  return -1;
}

/* The error for face `path` that cannot be used, at the layout line that
 * named it. */
static rp_status font_error(rp_diag *d, const char *path, const char *ref_file, int ref_line,
                            const char *why) {
  if (strcmp(why, "out of memory") == 0)
    return rp_diag_error(d, RP_ERR_INTERNAL, ref_file, ref_line, 0,
                         "out of memory while loading font \"%s\"", path);
  return rp_diag_error(d, RP_ERR_INPUT, ref_file, ref_line, 0,
                       "font \"%s\" cannot be read (%s): check the path in the layout, use a "
                       "TrueType (.ttf) file",
                       path, why);
}

rp_status rp_fontset_load(rp_fontset *fs, const char *path, const char *ref_file, int ref_line,
                          rp_diag *d, int *index) {
  char why[256] = "";
  font_file ff = {0};
  rp_font *f = NULL;
  rp_status st = RP_OK;

  int found = find_loaded(fs, path, NULL);
  bool opened = found < 0 && file_open(path, &ff, why, sizeof why);
  if (opened) found = find_loaded(fs, path, &ff.st);
  if (found >= 0) {
    file_close(&ff);
    *index = found;
    return RP_OK;
  }
  if (fs->count >= INT_MAX || fs->count >= rp_limit(RP_LIMIT_FONTS)) {
    file_close(&ff);
    return rp_limit_exceeded(d, RP_LIMIT_FONTS, ref_file, ref_line, fs->count + 1, "font files");
  }
  if (!fs->ft) {
    FT_Library lib;
    if (FT_New_Library(&ft_memory, &lib) != 0) {
      file_close(&ff);
      return rp_diag_error(d, RP_ERR_INTERNAL, ref_file, ref_line, 0,
                           "FreeType cannot start (out of memory?)");
    }
    FT_Add_Default_Modules(lib);
    FT_Set_Default_Properties(lib);
    fs->ft = lib;
  }
  if (!opened) goto fail;
  sfnt s = {.data = ff.data, .size = ff.size};
  check_sfnt(&s, why, sizeof why);
  if (why[0]) goto fail;

  const char *ref = ref_file ? ref_file : "";
  f = rp_mem_calloc(1, sizeof *f);
  if (f) {
    f->path = rp_mem_strdup(path);
    f->covered = no_glyphs;
    f->file = rp_mem_calloc(1, sizeof *f->file + strlen(ref) + 1);
  }
  if (!f || !f->path || !f->file) {
    snprintf(why, sizeof why, "out of memory");
    goto fail;
  }
  *f->file = (struct rp_font_file){.dev = ff.st.st_dev,
                                   .ino = ff.st.st_ino,
                                   .size = ff.st.st_size,
                                   .mtime = ff.st.st_mtim,
                                   .ft = (FT_Library)fs->ft,
                                   .ref_line = ref_line};
  memcpy(f->file->ref_file, ref, strlen(ref) + 1);
  /* figures not read yet are the font's own (figures_ready) */
  memset(f->fig_adv, 0xFF, sizeof f->fig_adv);
  read_face_buffered((FT_Library)fs->ft, &s, f, why, sizeof why);
  if (why[0]) goto fail;

  if (fs->count == fs->cap) {
    size_t cap = fs->cap ? fs->cap * 2 : 8;
    rp_font **fonts = rp_mem_realloc(fs->fonts, cap * sizeof *fonts);
    if (!fonts) {
      snprintf(why, sizeof why, "out of memory");
      goto fail;
    }
    fs->fonts = fonts;
    fs->cap = cap;
  }
  f->index = (int)fs->count;
  fs->fonts[fs->count++] = f;
  *index = f->index;
  file_close(&ff);
  return RP_OK;

fail:
  st = font_error(d, path, ref_file, ref_line, why);
  font_free(f);
  file_close(&ff);
  return st;
}

rp_status rp_fontset_check(const rp_fontset *fs, rp_diag *d) {
  rp_status st = RP_OK;
  for (size_t i = 0; fs && i < fs->count; i++) {
    struct rp_font_file *ff = fs->fonts[i]->file;
    if (!ff || !ff->why[0] || ff->reported) continue;
    ff->reported = true;
    st = font_error(d, fs->fonts[i]->path, ff->ref_file[0] ? ff->ref_file : NULL, ff->ref_line,
                    ff->oom ? "out of memory" : ff->why);
  }
  return st;
}

/* ---- measuring ------------------------------------------------------------ */

double rp_font_width(const rp_font *f, const char *utf8, size_t len, double size_pt,
                     double tracking) {
  uint64_t units = 0; /* thousandths of an em, summed as libharu sums them */
  size_t chars = 0;
  for (size_t i = 0; i < len; chars++) {
    uint32_t cp = next_cp(utf8, len, &i);
    units += rp_font_cp_width(f, cp);
  }
  return ((double)units + tracking * (double)chars) * size_pt / 1000.0;
}

double rp_font_measure(const rp_font *f, const char *utf8, size_t len, double size_pt,
                       double tracking, bool kern) {
  if (!kern) return rp_font_width(f, utf8, len, size_pt, tracking);
  int64_t units = 0;
  size_t chars = 0;
  uint32_t prev = 0;
  for (size_t i = 0; i < len; chars++) {
    uint32_t cp = next_cp(utf8, len, &i);
    units += rp_font_cp_width(f, cp);
    if (chars > 0) units += kern_fast(f, prev, cp);
    prev = cp;
  }
  return ((double)units + tracking * (double)chars) * size_pt / 1000.0;
}

int rp_font_kern_join(const rp_font *f, const char *l, size_t llen, const char *r, size_t rlen) {
  if (llen == 0 || rlen == 0) return 0;
  size_t start = llen - rp_utf8_last_len(l, llen);
  uint32_t a, b;
  rp_utf8_decode(l + start, llen - start, &a);
  rp_utf8_decode(r, rlen, &b);
  return rp_font_kern(f, a, b);
}

void rp_font_libraries(char *buf, size_t n) {
  int fc = FcGetVersion();
  snprintf(buf, n, "FreeType %d.%d.%d, HarfBuzz %s, fontconfig %d.%d.%d", FREETYPE_MAJOR,
           FREETYPE_MINOR, FREETYPE_PATCH, hb_version_string(), fc / 10000, fc / 100 % 100,
           fc % 100);
}
