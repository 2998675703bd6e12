/* subset — a face cut down to the characters a document uses, for
 * embedding (HarfBuzz's hb-subset, Debian's libharfbuzz-subset).
 *
 * The PDF then carries only the glyphs drawn and the tables a TrueType font
 * program needs: layout tables (GSUB, GPOS, GDEF, kern) are dropped because
 * positions are already in the page's text operators, glyph names are
 * dropped (post format 3), and so is hinting (the instructions in glyf, and
 * cvt, fpgm, prep: a third of the program; PDF readers rasterise unhinted —
 * poppler, MuPDF, pdf.js and Ghostscript by default — and print has no use
 * for it). The name table keeps only what libharu reads. Advances and the
 * Windows BMP cmap that libharu reads stay as they were, so what layout
 * measured with the whole face is what the subset draws.
 *
 * The program finally embedded (rp_font_subset_file with retain_gids, cut
 * from the one libharu loaded) keeps only what a PDF reader reads of a
 * CIDFontType2 (ISO 32000-1 §9.9: glyf, head, hhea, hmtx, loca, maxp): the
 * CIDToGIDMap gives glyph ids, so cmap goes, and so do name, post, OS/2 and
 * gasp, which only libharu's parser needed. */
#include <hb-subset.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "font/font.h"

static const hb_tag_t dropped[] = {
    HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
    HB_TAG('k', 'e', 'r', 'n'), HB_TAG('D', 'S', 'I', 'G'), HB_TAG('h', 'd', 'm', 'x'),
    HB_TAG('V', 'D', 'M', 'X'), HB_TAG('L', 'T', 'S', 'H'),
};

static const hb_tag_t not_read[] = {
    HB_TAG('c', 'm', 'a', 'p'), HB_TAG('n', 'a', 'm', 'e'), HB_TAG('p', 'o', 's', 't'),
    HB_TAG('O', 'S', '/', '2'), HB_TAG('g', 'a', 's', 'p'),
};

bool rp_font_subset(const rp_font *f, const uint32_t *cps, size_t n, unsigned char **out,
                    size_t *len) {
  return rp_font_subset_file(f->path, cps, n, false, out, len);
}

bool rp_font_subset_file(const char *path, const uint32_t *cps, size_t n, bool retain_gids,
                         unsigned char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
  hb_face_t *face = blob ? hb_face_create(blob, 0) : NULL;
  hb_blob_destroy(blob);
  hb_subset_input_t *in = face ? hb_subset_input_create_or_fail() : NULL;
  hb_face_t *sub = NULL;
  if (in) {
    hb_set_t *unicodes = hb_subset_input_unicode_set(in);
    for (size_t i = 0; i < n; i++) hb_set_add(unicodes, cps[i]);
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) hb_set_add(drop, dropped[i]);
    if (retain_gids)
      for (size_t i = 0; i < sizeof not_read / sizeof not_read[0]; i++)
        hb_set_add(drop, not_read[i]);
    hb_subset_input_set_flags(
        in, HB_SUBSET_FLAGS_NO_HINTING | (retain_gids ? HB_SUBSET_FLAGS_RETAIN_GIDS : 0));
    /* libharu reads the subfamily (ID 2) and the PostScript name (ID 6);
     * nothing reads the rest (copyright, version…) in an embedded font */
    hb_set_t *names = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
    hb_set_clear(names);
    hb_set_add(names, 2);
    hb_set_add(names, 6);
    sub = hb_subset_or_fail(face, in);
  }
  hb_blob_t *bytes = sub ? hb_face_reference_blob(sub) : NULL;
  unsigned size = 0;
  const char *data = bytes ? hb_blob_get_data(bytes, &size) : NULL;
  if (data && size > 0 && (*out = rp_mem_alloc(size))) {
    memcpy(*out, data, size);
    *len = size;
  }
  hb_blob_destroy(bytes);
  hb_face_destroy(sub);
  hb_subset_input_destroy(in);
  hb_face_destroy(face);
  return *out != NULL;
}
