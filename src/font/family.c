/* family — fonts named by family (<font family="DejaVu Sans">), found on the
 * system through fontconfig and loaded like a file (rp_fontset_load).
 *
 * fontconfig always answers a query with *some* font: an unknown family
 * comes back as the configured substitute (DejaVu Sans, usually). A brand
 * that silently changes typeface is worse than a stop, so the face found
 * must carry the family asked for among its family names (compared as
 * fontconfig compares them: ASCII case and spaces ignored); else it is an error
 * naming the family, what fontconfig offered instead, and `fc-list`.
 * Generic names ("sans-serif") are substitutes by that rule, and refused.
 * A face found must be TrueType (libharu embeds nothing else): a CFF
 * OpenType or Type 1 family is an error too. The optional slots (bold,
 * italic, bold italic) are absent when the family has no face of that weight
 * or slant, and style.c's face fallback then applies, with its warning.
 *
 * The fontconfig configuration is built on the first family lookup and kept
 * in the fontset (rp_fontset.fc) until rp_fontset_fini; layouts that name
 * files never start fontconfig. The same file always loads to the same
 * bytes in the PDF, whichever way it was named. */
#include <fontconfig/fontconfig.h>
#include <string.h>

#include "font/font.h"

static const char fc_hint[] =
    "`fc-list : family` lists the installed families; install the family, or name its "
    ".ttf files with regular=\"…\"";

/* The string value `object` #i of a pattern, or NULL. */
static const char *pattern_str(FcPattern *p, const char *object, int i) {
  FcChar8 *s = NULL;
  return FcPatternGetString(p, object, i, &s) == FcResultMatch ? (const char *)s : NULL;
}

/* Family names compare as fontconfig compares them: ASCII case and spaces
 * ignored ("dejavusans" is "DejaVu Sans"). */
static bool same_family(const char *a, const char *b) {
  for (;;) {
    while (*a == ' ') a++;
    while (*b == ' ') b++;
    if (!*a || !*b) return !*a && !*b;
    if (FcToLower((FcChar8)*a) != FcToLower((FcChar8)*b)) return false;
    a++, b++;
  }
}

static bool has_family(FcPattern *p, const char *family) {
  const char *name;
  for (int i = 0; (name = pattern_str(p, FC_FAMILY, i)) != NULL; i++)
    if (same_family(name, family)) return true;
  return false;
}

void rp_fontset_family_fini(rp_fontset *fs) {
  if (fs->fc) FcConfigDestroy((FcConfig *)fs->fc);
  fs->fc = NULL;
}

rp_status rp_fontset_load_family(rp_fontset *fs, const char *family, bool bold, bool italic,
                                 bool required, const char *ref_file, int ref_line, rp_diag *d,
                                 int *index) {
  *index = -1;
  const char *face = bold && italic ? "bold italic" : bold ? "bold" : italic ? "italic" : "regular";
  if (!fs->fc) fs->fc = FcInitLoadConfigAndFonts();
  if (!fs->fc)
    return rp_diag_error(d, RP_ERR_INTERNAL, ref_file, ref_line, 0,
                         "fontconfig cannot start (its configuration in /etc/fonts is broken?), "
                         "so font family \"%s\" cannot be looked up",
                         family);
  FcPattern *want = FcPatternCreate();
  FcPattern *got = NULL;
  rp_status st = RP_OK;
  if (!want || !FcPatternAddString(want, FC_FAMILY, (const FcChar8 *)family) ||
      !FcPatternAddInteger(want, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR) ||
      !FcPatternAddInteger(want, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN) ||
      !FcPatternAddInteger(want, FC_WIDTH, FC_WIDTH_NORMAL) ||
      !FcConfigSubstitute((FcConfig *)fs->fc, want, FcMatchPattern)) {
    st = rp_diag_oom(d);
    goto out;
  }
  FcDefaultSubstitute(want);
  FcResult res = FcResultNoMatch;
  got = FcFontMatch((FcConfig *)fs->fc, want, &res);
  const char *file = got ? pattern_str(got, FC_FILE, 0) : NULL;
  if (!file || !has_family(got, family)) {
    /* an optional face of an installed family: fontconfig offered another
     * family's because this one has none; style.c falls back */
    if (!required) goto out;
    const char *offered = got ? pattern_str(got, FC_FAMILY, 0) : NULL;
    st = rp_diag_error(d, RP_ERR_INPUT, ref_file, ref_line, 0,
                       "font family \"%s\" is not installed%s%s%s; %s", family,
                       offered ? " (fontconfig would substitute \"" : "", offered ? offered : "",
                       offered ? "\")" : "", fc_hint);
    goto out;
  }
  int weight = FC_WEIGHT_REGULAR, slant = FC_SLANT_ROMAN, fc_index = 0;
  FcPatternGetInteger(got, FC_INDEX, 0, &fc_index);
  /* The match is edited for rendering: Debian's 90-synthetic.conf turns a
   * light face into a "bold" one to embolden and a roman one into an oblique
   * to shear. We embed the file as it is, so the face's own weight and slant
   * are read from the file. */
  FcPattern *own = FcFreeTypeQuery((const FcChar8 *)file, (unsigned)fc_index, NULL, NULL);
  if (own) {
    FcPatternGetInteger(own, FC_WEIGHT, 0, &weight);
    FcPatternGetInteger(own, FC_SLANT, 0, &slant);
    FcPatternDestroy(own);
  }
  /* the family lacks this weight or slant: fontconfig's nearest is another face */
  if (!required && ((bold && weight < FC_WEIGHT_DEMIBOLD) || (italic && slant == FC_SLANT_ROMAN)))
    goto out;
  const char *format = pattern_str(got, FC_FONTFORMAT, 0);
  if ((format && strcmp(format, "TrueType") != 0) || fc_index != 0) {
    st = rp_diag_error(d, RP_ERR_INPUT, ref_file, ref_line, 0,
                       "font family \"%s\": its %s face is %s (%s), which cannot be embedded; "
                       "only TrueType fonts can. `fc-list :fontformat=TrueType family` lists "
                       "the TrueType families; or name a .ttf file with regular=\"…\"",
                       family, face, file,
                       fc_index != 0 ? "a face inside a collection"
                       : format      ? format
                                     : "of an unknown format");
    goto out;
  }
  st = rp_fontset_load(fs, file, ref_file, ref_line, d, index);
out:
  if (got) FcPatternDestroy(got);
  if (want) FcPatternDestroy(want);
  return st;
}
