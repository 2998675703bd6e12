/* pdf_print — what a print file has beyond a screen file (docs/print.md):
 * pages grown by the bleed, TrimBox and BleedBox, crop marks outside the
 * bleed, spot colours as Separation colour spaces, and an output intent
 * naming the printing condition, designed to PDF/X-4.
 *
 * Layout works in trim coordinates; each page's content starts with a
 * translation by the bleed (and the room for crop marks), so nothing else in
 * render/ knows about print geometry except the shapes that extend into the
 * bleed (pdf_shape.c asks rp_pdf_bleed_rect). libharu 2.3.0 has no API for
 * boxes, Separation spaces or output intents without an ICC profile: they
 * are built with its installed object API (hpdf_objects.h), as pdf_font.c
 * does for ToUnicode maps. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "render/pdf.h"

#define MM (72.0 / 25.4)
/* Crop marks: 5 mm long, starting no nearer the trim than the bleed (and
 * 3 mm at least), 0.25 pt — the hairline printers accept. */
#define MARK_LEN (5 * MM)
#define MARK_GAP_MIN (3 * MM)
#define MARK_WIDTH 0.25

static double mark_gap(const rp_print *pr) {
  return pr->bleed > MARK_GAP_MIN ? pr->bleed : MARK_GAP_MIN;
}

double rp_pdf_print_offset(const rp_print *pr) {
  if (!pr->on) return 0;
  return pr->crop_marks ? mark_gap(pr) + MARK_LEN + 1 * MM : pr->bleed;
}

static bool add_box(rp_pdf *p, HPDF_Page page, const char *key, double x0, double y0, double x1,
                    double y1) {
  HPDF_Box box = {(HPDF_REAL)x0, (HPDF_REAL)y0, (HPDF_REAL)x1, (HPDF_REAL)y1};
  HPDF_Array a = HPDF_Box_Array_New(p->pdf->mmgr, box);
  if (!a || HPDF_Dict_Add(page, key, a) != HPDF_OK) {
    if (!p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
  }
  return rp_pdf_ok(p, "set the page's trim and bleed boxes", NULL);
}

bool rp_pdf_print_boxes(rp_pdf *p, HPDF_Page page, double trim_w, double trim_h) {
  double off = p->off, b = p->print.bleed;
  return add_box(p, page, "TrimBox", off, off, off + trim_w, off + trim_h) &&
         add_box(p, page, "BleedBox", off - b, off - b, off + trim_w + b, off + trim_h + b);
}

bool rp_pdf_raw(rp_pdf *p, const char *ops, const rp_src *src) {
  HPDF_PageAttr attr = (HPDF_PageAttr)p->page->attr;
  if (rp_pdf_stream_write(attr->stream, ops, strlen(ops)) != HPDF_OK && !p->err_no)
    p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
  return rp_pdf_ok(p, "write to the page", src);
}

/* A PDF name as written in a file: libharu leaves spaces unescaped, so
 * they and the delimiters ("PANTONE 2607 C") are escaped here as #XX (ISO 32000-1
 * §7.3.5). False when the escaped name is longer than libharu's limit. */
static bool escape_name(const char *in, char *out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (const unsigned char *c = (const unsigned char *)in; *c; c++) {
    bool plain = *c > 0x20 && *c < 0x7f && !strchr("()<>[]{}/%#", *c);
    if (o + (plain ? 1 : 3) >= cap) return false;
    if (plain) {
      out[o++] = (char)*c;
    } else {
      out[o++] = '#', out[o++] = hex[*c >> 4], out[o++] = hex[*c & 15];
    }
  }
  out[o] = '\0';
  return o > 0;
}

/* The tint transform of a spot colour: tint 0 → no ink, 1 → its CMYK. An
 * indirect object, so that every page's colour space can name it. */
static HPDF_Dict tint_function(rp_pdf *p, const float cmyk[4]) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Dict fn = HPDF_Dict_New(mm);
  HPDF_Array domain = HPDF_Array_New(mm), c0 = HPDF_Array_New(mm), c1 = HPDF_Array_New(mm);
  HPDF_STATUS r = fn && domain && c0 && c1 ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK) r = HPDF_Xref_Add(p->pdf->xref, fn);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(fn, "FunctionType", 2);
  if (r == HPDF_OK) r = HPDF_Dict_Add(fn, "Domain", domain);
  if (r == HPDF_OK) r = HPDF_Array_AddReal(domain, 0);
  if (r == HPDF_OK) r = HPDF_Array_AddReal(domain, 1);
  for (int i = 0; i < 4 && r == HPDF_OK; i++) r = HPDF_Array_AddReal(c0, 0);
  for (int i = 0; i < 4 && r == HPDF_OK; i++) r = HPDF_Array_AddReal(c1, cmyk[i]);
  if (r == HPDF_OK) r = HPDF_Dict_Add(fn, "C0", c0);
  if (r == HPDF_OK) r = HPDF_Dict_Add(fn, "C1", c1);
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(fn, "N", 1);
  if (r != HPDF_OK && !p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
  return r == HPDF_OK ? fn : NULL;
}

/* A page's /ColorSpace dictionary: libharu writes names with spaces
 * unescaped ("/PANTONE 2607 C" would be three tokens), so its entries are
 * written by the dictionary's write hook from the spots the page uses. */
typedef struct page_spaces {
  const rp_pdf *p;
  uint64_t used; /* bit i: p->spots[i] */
} page_spaces;

static HPDF_STATUS write_spaces(HPDF_Dict dict, HPDF_Stream out) {
  const page_spaces *ps = dict->attr;
  HPDF_STATUS r = HPDF_OK;
  for (size_t i = 0; i < ps->p->spots.len && r == HPDF_OK; i++) {
    if (!(ps->used >> i & 1)) continue;
    const rp_pdf_spot *s = &RP_VEC_AT(ps->p->spots, rp_pdf_spot, i);
    char line[HPDF_LIMIT_MAX_NAME_LEN + 96];
    snprintf(line, sizeof line, "/%s [/Separation /%s /DeviceCMYK %u 0 R]\012", s->res, s->escaped,
             (unsigned)(s->fn->header.obj_id & 0x00FFFFFFu));
    r = HPDF_Stream_WriteStr(out, line);
  }
  return r;
}

static const char *spot_error(rp_pdf *p, const rp_src *src, const char *what, const char *name) {
  rp_pdf_error(p, RP_ERR_INPUT, src ? src->layout_file : NULL, src ? src->layout_line : 0, what,
               name);
  return NULL;
}

const char *rp_pdf_spot_use(rp_pdf *p, const char *name, const float cmyk[4], const rp_src *src) {
  size_t i = 0;
  for (; i < p->spots.len; i++)
    if (strcmp(RP_VEC_AT(p->spots, rp_pdf_spot, i).name, name) == 0) break;
  if (i == p->spots.len) {
    if (i >= 64)
      return spot_error(p, src, "more than 64 spot colours (the last: \"%s\"); use fewer inks",
                        name);
    rp_pdf_spot *s = rp_vec_push(p->scratch, &p->spots, sizeof *s);
    if (!s) return spot_error(p, NULL, "out of memory%s", "");
    *s = (rp_pdf_spot){.name = name};
    snprintf(s->res, sizeof s->res, "RpSpot%zu", i);
    if (!escape_name(name, s->escaped, sizeof s->escaped))
      return spot_error(p, src,
                        "the spot colour name \"%s\" is empty or too long for a PDF (at most "
                        "about 40 characters); shorten it",
                        name);
    s->fn = tint_function(p, cmyk);
  }
  rp_pdf_spot *s = &RP_VEC_AT(p->spots, rp_pdf_spot, i);
  if (!s->fn || !rp_pdf_ok(p, "define a spot colour", src)) return NULL;

  HPDF_Dict resources = HPDF_Dict_GetItem(p->page, "Resources", HPDF_OCLASS_DICT);
  if (!resources) return spot_error(p, NULL, "a page has no resource dictionary%s", "");
  HPDF_Dict spaces = HPDF_Dict_GetItem(resources, "ColorSpace", HPDF_OCLASS_DICT);
  if (!spaces) {
    page_spaces *ps = rp_arena_alloc(p->scratch, sizeof *ps);
    spaces = ps ? HPDF_Dict_New(p->pdf->mmgr) : NULL;
    if (!spaces || HPDF_Dict_Add(resources, "ColorSpace", spaces) != HPDF_OK) {
      if (!p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
      rp_pdf_ok(p, "name a colour space on the page", src);
      return NULL;
    }
    /* The arena outlives the save; libharu never frees attr. */
    *ps = (page_spaces){p, 0};
    spaces->attr = ps;
    spaces->write_fn = write_spaces;
  }
  ((page_spaces *)spaces->attr)->used |= (uint64_t)1 << i;
  return s->res;
}

/* The registration colour: every separation prints it (crop marks). */
static const char *registration(rp_pdf *p) {
  static const float all[4] = {1, 1, 1, 1};
  return rp_pdf_spot_use(p, "All", all, NULL);
}

/* Eight marks, two at each corner, on the lines of the trim edges. */
static void crop_marks(rp_pdf *p, double trim_w, double trim_h) {
  const char *reg = registration(p);
  if (!reg) return;
  double off = p->off, gap = mark_gap(&p->print);
  double xs[2] = {off, off + trim_w}, ys[2] = {off, off + trim_h};
  char buf[160];
  bool tagged = rp_pdf_tag_open_artifact(p); /* marks for the printer, not content */
  snprintf(buf, sizeof buf, "q /%s CS 1 SCN %.2f w\n", reg, MARK_WIDTH);
  rp_pdf_raw(p, buf, NULL);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) {
      double x = xs[i], y = ys[j];
      double dx = i == 0 ? -1 : 1, dy = j == 0 ? -1 : 1;
      snprintf(buf, sizeof buf, "%.2f %.2f m %.2f %.2f l S %.2f %.2f m %.2f %.2f l S\n",
               x + dx * gap, y, x + dx * (gap + MARK_LEN), y, x, y + dy * gap, x,
               y + dy * (gap + MARK_LEN));
      rp_pdf_raw(p, buf, NULL);
    }
  rp_pdf_raw(p, "Q\n", NULL);
  if (tagged) rp_pdf_tag_close(p);
}

void rp_pdf_print_page_begin(rp_pdf *p, double trim_w, double trim_h) {
  if (!p->print.on) return;
  if (p->print.crop_marks) crop_marks(p, trim_w, trim_h);
  char buf[80];
  snprintf(buf, sizeof buf, "1 0 0 1 %.4f %.4f cm\n", p->off, p->off);
  rp_pdf_raw(p, buf, NULL);
}

bool rp_pdf_bleed_rect(const rp_pdf *p, const rp_item *it, double r[4]) {
  r[0] = it->x, r[1] = it->y, r[2] = it->w, r[3] = it->h;
  if (!p->print.on || !it->bleed || p->print.bleed <= 0) return false;
  const double eps = 0.5, b = p->print.bleed;
  bool moved = false;
  if (it->x <= eps) r[0] -= b, r[2] += b, moved = true;
  if (it->y <= eps) r[1] -= b, r[3] += b, moved = true;
  if (it->x + it->w >= p->page_w - eps) r[2] += b, moved = true;
  if (it->y + it->h >= p->page_h - eps) r[3] += b, moved = true;
  return moved;
}

void rp_pdf_print_safe_check(rp_pdf *p, const rp_item *it) {
  if (!p->print.on || p->safe_warned || it->bleed) return;
  double top, bottom, left = it->x, right = it->x + it->w;
  if (it->kind == RP_ITEM_TEXT) {
    top = it->y - 0.75 * it->h, bottom = it->y + 0.25 * it->h;
  } else if (it->kind == RP_ITEM_IMAGE) {
    top = it->y, bottom = it->y + it->h;
  } else {
    return;
  }
  double s = p->print.safe;
  if (left >= s - 0.01 && top >= s - 0.01 && right <= p->page_w - s + 0.01 &&
      bottom <= p->page_h - s + 0.01)
    return;
  p->safe_warned = true;
  rp_pdf_item_warn(p, it,
                   "%s on page %zu comes within %.1f mm of the trim edge; printers trim with a "
                   "tolerance, so keep text and images %.1f mm inside (move it, or set "
                   "<print safe=\"…\"> in the brand)",
                   it->kind == RP_ITEM_TEXT ? "text" : "an image", p->page_index + 1, s / MM,
                   s / MM);
}

/* The output intent: the registered printing condition the colours are
 * meant for. No ICC profile is embedded (none for print is packaged in
 * Debian); PDF/X allows a registered condition named by identifier. */
static bool output_intent(rp_pdf *p) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Dict oi = HPDF_Dict_New(mm);
  HPDF_Array list = HPDF_Array_New(mm);
  const char *cond = p->print.condition ? p->print.condition : "FOGRA39";
  HPDF_STATUS r = oi && list ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK) r = HPDF_Dict_AddName(oi, "Type", "OutputIntent");
  if (r == HPDF_OK) r = HPDF_Dict_AddName(oi, "S", "GTS_PDFX");
  if (r == HPDF_OK)
    r = HPDF_Dict_Add(oi, "OutputConditionIdentifier", HPDF_String_New(mm, cond, NULL));
  if (r == HPDF_OK)
    r = HPDF_Dict_Add(oi, "RegistryName", HPDF_String_New(mm, "http://www.color.org", NULL));
  if (r == HPDF_OK) r = HPDF_Dict_Add(oi, "Info", HPDF_String_New(mm, cond, NULL));
  if (r == HPDF_OK) r = HPDF_Array_Add(list, oi);
  if (r == HPDF_OK) r = HPDF_Dict_Add(p->pdf->catalog, "OutputIntents", list);
  if (r != HPDF_OK && !p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
  return rp_pdf_ok(p, "add the output intent", NULL);
}

void rp_pdf_print_finish(rp_pdf *p) {
  if (!p->print.on || !output_intent(p)) return;
  HPDF_Dict info = p->pdf->info;
  HPDF_STATUS r = HPDF_OK;
  if (!info) {
    /* Info is made on first use by libharu; make it now. */
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_PRODUCER, "reviewpdf");
    info = p->pdf->info;
  }
  if (info) {
    r = HPDF_Dict_Add(info, "GTS_PDFXVersion", HPDF_String_New(p->pdf->mmgr, "PDF/X-4", NULL));
    if (r == HPDF_OK) r = HPDF_Dict_AddName(info, "Trapped", "False");
  }
  if (r != HPDF_OK && !p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
  rp_pdf_ok(p, "mark the file as PDF/X-4", NULL);
  /* PDF/X-4 is based on PDF 1.6. */
  if (p->pdf->pdf_version < HPDF_VER_16) p->pdf->pdf_version = HPDF_VER_16;
}
