/* pdf_label — page labels (ISO 32000-1 §12.4.2) from rp_page.label, so a
 * reader shows "iii" or "12" instead of the physical page number.
 *
 * Each label is read as a numbering style and a value: lower or upper roman
 * ("iv", "XII", canonical spelling only), or decimal with an optional prefix
 * ("12", "A-3"); anything else is a fixed text, and a page without a label
 * gets an empty one. A new label range starts wherever the style or prefix
 * changes or the number does not continue by one; ranges are added in
 * ascending page order as the /PageLabels number tree requires. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/roman.h"
#include "render/pdf.h"

typedef enum style { ST_NONE, ST_DECIMAL, ST_ROMAN_LOWER, ST_ROMAN_UPPER } style;

typedef struct label {
  style st;
  long value;
  const char *prefix; /* may be NULL */
  size_t prefix_len;
} label;

static label parse(const char *s) {
  label l = {ST_NONE, 0, NULL, 0};
  if (!s || !s[0]) return l;
  long v;
  if ((v = rp_roman_value(s, false)) > 0) return (label){ST_ROMAN_LOWER, v, NULL, 0};
  if ((v = rp_roman_value(s, true)) > 0) return (label){ST_ROMAN_UPPER, v, NULL, 0};
  size_t n = strlen(s), k = n;
  while (k > 0 && isdigit((unsigned char)s[k - 1])) k--;
  if (k < n && n - k <= 9 && s[k] != '0') {
    v = 0;
    for (size_t i = k; i < n; i++) v = v * 10 + (s[i] - '0');
    return (label){ST_DECIMAL, v, k ? s : NULL, k};
  }
  return (label){ST_NONE, 0, s, n};
}

static bool continues(const label *prev, const label *cur) {
  if (prev->st != cur->st || prev->prefix_len != cur->prefix_len) return false;
  if (prev->prefix_len && memcmp(prev->prefix, cur->prefix, cur->prefix_len) != 0) return false;
  return cur->st == ST_NONE || cur->value == prev->value + 1;
}

static bool ascii(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) return false;
  return true;
}

/* Adds one range start: through the public API when it can express it,
 * otherwise (no numbering, or a non-ASCII prefix, which HPDF_AddPageLabel
 * would write in its default single-byte encoding) as a hand-built dict. */
static void add_range(rp_pdf *p, size_t page, const label *l) {
  char *prefix = NULL;
  if (l->prefix_len) {
    char *raw = rp_arena_strndup(p->scratch, l->prefix, l->prefix_len);
    prefix = raw ? rp_pdf_clean_utf8(p, raw, 200) : NULL;
    if (!prefix) return;
  }
  static const HPDF_PageNumStyle styles[] = {
      [ST_DECIMAL] = HPDF_PAGE_NUM_STYLE_DECIMAL,
      [ST_ROMAN_LOWER] = HPDF_PAGE_NUM_STYLE_LOWER_ROMAN,
      [ST_ROMAN_UPPER] = HPDF_PAGE_NUM_STYLE_UPPER_ROMAN,
  };
  if (l->st != ST_NONE && (!prefix || ascii(prefix, strlen(prefix)))) {
    HPDF_AddPageLabel(p->pdf, (HPDF_UINT)page, styles[l->st], (HPDF_UINT)l->value, prefix);
    rp_pdf_ok(p, "add a page label", NULL);
    return;
  }
  HPDF_Dict dict = HPDF_Dict_New(p->pdf->mmgr);
  HPDF_STATUS r = dict ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK && l->st != ST_NONE) {
    static const char *const names[] = {
        [ST_DECIMAL] = "D", [ST_ROMAN_LOWER] = "r", [ST_ROMAN_UPPER] = "R"};
    r = HPDF_Dict_AddName(dict, "S", names[l->st]);
    if (r == HPDF_OK && l->value != 1) r = HPDF_Dict_AddNumber(dict, "St", (HPDF_INT32)l->value);
  }
  if (r == HPDF_OK && prefix) {
    HPDF_String str = HPDF_String_New(p->pdf->mmgr, prefix, p->utf8);
    r = str ? HPDF_Dict_Add(dict, "P", str) : HPDF_FAILD_TO_ALLOC_MEM;
  }
  if (r == HPDF_OK) r = HPDF_Catalog_AddPageLabel(p->pdf->catalog, (HPDF_UINT)page, dict);
  if (r != HPDF_OK && !p->err_no) p->err_no = r;
  rp_pdf_ok(p, "add a page label", NULL);
}

void rp_pdf_add_page_labels(rp_pdf *p) {
  bool any = false;
  for (size_t i = 0; i < p->n_pages && !any; i++) {
    const char *s = RP_VEC_AT(p->doc->pages, rp_page, i).label;
    any = s && s[0];
  }
  if (!any) return;
  label prev = {0};
  for (size_t i = 0; i < p->n_pages; i++) {
    label cur = parse(RP_VEC_AT(p->doc->pages, rp_page, i).label);
    if (i == 0 || !continues(&prev, &cur)) add_range(p, i, &cur);
    prev = cur;
  }
}
