/* pdf_archive — what makes a screen file archival, designed to PDF/A-2b
 * (ISO 19005-2, level B: the pages look the same in twenty years):
 *
 * - XMP metadata (/Metadata in the catalog, uncompressed) saying the same as
 *   the Info dictionary: title, author, subject, keywords, creator tool,
 *   producer, dates, the PDF/A part and conformance, and (tagged files: all
 *   of them unless tagging failed) the PDF/UA part;
 * - an output intent (GTS_PDFA1) with the sRGB profile every colour of a
 *   screen file is meant in (built here: srgb_profile);
 * - /ID in the trailer, which libharu never writes: two copies of a hash of
 *   what was drawn, so the same inputs still give the same bytes;
 * - PDF 1.7.
 * Fonts are embedded (pdf_font.c) and every page is tagged (pdf_tag.c). A
 * print file (pdf_print.c) is not archival: its output intent is the
 * printer's condition, and PDF/A allows one profile only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render/pdf.h"

/* ---- the sRGB profile ------------------------------------------------------
 * An ICC v4 display profile of sRGB (IEC 61966-2.1) built here, 548 bytes
 * (324 deflated): the D50-adapted primaries, the D50 white, the Bradford
 * adaptation from D65, and the sRGB curve itself as a parametric curve
 * (type 3: gamma 2.4 with the linear toe), shared by the three channels. A
 * v2 profile has to tabulate that curve (Debian's sRGB.icc: 6,922 bytes,
 * 2,449 deflated, three copies of a 1,024-entry table). PDF/A-2 takes ICC
 * profiles up to v4 (ICC.1:2004-10). littleCMS reads it as it reads its own
 * sRGB: every 8-bit colour within one step (test_archive). */

typedef struct icc_buf {
  unsigned char b[640];
  size_t n;
} icc_buf;

static void icc_u32(icc_buf *o, uint32_t v) {
  for (int i = 3; i >= 0; i--) o->b[o->n++] = (unsigned char)(v >> (8 * i));
}
static void icc_u16(icc_buf *o, unsigned v) {
  o->b[o->n++] = (unsigned char)(v >> 8), o->b[o->n++] = (unsigned char)v;
}
static void icc_sig(icc_buf *o, const char *s) { memcpy(o->b + o->n, s, 4), o->n += 4; }
/* s15Fixed16Number */
static void icc_fix(icc_buf *o, double v) { icc_u32(o, (uint32_t)(int32_t)lround(v * 65536)); }
static void icc_xyz(icc_buf *o, double x, double y, double z) {
  icc_sig(o, "XYZ "), icc_u32(o, 0), icc_fix(o, x), icc_fix(o, y), icc_fix(o, z);
}
/* multiLocalizedUnicode with one en-US record of ASCII `s` */
static void icc_mluc(icc_buf *o, const char *s) {
  size_t len = strlen(s);
  icc_sig(o, "mluc"), icc_u32(o, 0), icc_u32(o, 1), icc_u32(o, 12), icc_sig(o, "enUS");
  icc_u32(o, (uint32_t)(2 * len)), icc_u32(o, 28);
  for (size_t i = 0; i < len; i++) icc_u16(o, (unsigned char)s[i]);
}

static size_t srgb_profile(unsigned char *out) {
  static const double chad[9] = {1.0478112,  0.0228866,  -0.0501270, 0.0295424, 0.9904844,
                                 -0.0170491, -0.0092345, 0.0150436,  0.7521316};
  static const char *const sigs[10] = {"desc", "cprt", "wtpt", "chad", "rXYZ",
                                       "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"};
  icc_buf d = {.n = 0}; /* the tags' data, then the header and table before it */
  size_t at[10], len[10];
  for (int t = 0; t < 10; t++) {
    size_t start = d.n;
    switch (t) {
      case 0:
        icc_mluc(&d, "sRGB IEC61966-2.1");
        break;
      case 1:
        icc_mluc(&d, "No copyright, use freely");
        break;
      case 2:
        icc_xyz(&d, 0.9642, 1.0, 0.8249);
        break; /* D50: v4's media white */
      case 3:
        icc_sig(&d, "sf32"), icc_u32(&d, 0);
        for (int i = 0; i < 9; i++) icc_fix(&d, chad[i]);
        break;
      case 4:
        icc_xyz(&d, 0.4360747, 0.2225045, 0.0139322);
        break;
      case 5:
        icc_xyz(&d, 0.3850649, 0.7168786, 0.0971045);
        break;
      case 6:
        icc_xyz(&d, 0.1430804, 0.0606169, 0.7141733);
        break;
      case 7:
        icc_sig(&d, "para"), icc_u32(&d, 0), icc_u16(&d, 3), icc_u16(&d, 0);
        icc_fix(&d, 2.4), icc_fix(&d, 1 / 1.055), icc_fix(&d, 0.055 / 1.055);
        icc_fix(&d, 1 / 12.92), icc_fix(&d, 0.04045);
        break;
      default: /* gTRC, bTRC: the same curve */
        at[t] = at[7], len[t] = len[7];
        continue;
    }
    at[t] = start, len[t] = d.n - start;
    while (d.n % 4) d.b[d.n++] = 0; /* each tag starts on 4 bytes */
  }
  size_t head = 128 + 4 + 12 * 10;
  icc_buf o = {.n = 0};
  icc_u32(&o, (uint32_t)(head + d.n));
  icc_u32(&o, 0);
  icc_u32(&o, 0x04300000); /* v4.3 */
  icc_sig(&o, "mntr"), icc_sig(&o, "RGB "), icc_sig(&o, "XYZ ");
  icc_u16(&o, 2026), icc_u16(&o, 1), icc_u16(&o, 1), icc_u16(&o, 0), icc_u16(&o, 0), icc_u16(&o, 0);
  icc_sig(&o, "acsp");
  while (o.n < 68) o.b[o.n++] = 0; /* platform, flags, device, attributes, intent 0 */
  icc_fix(&o, 0.9642), icc_fix(&o, 1.0), icc_fix(&o, 0.8249); /* the PCS illuminant, D50 */
  while (o.n < 128) o.b[o.n++] = 0;                           /* creator, no profile ID, reserved */
  icc_u32(&o, 10);
  for (int t = 0; t < 10; t++)
    icc_sig(&o, sigs[t]), icc_u32(&o, (uint32_t)(head + at[t])), icc_u32(&o, (uint32_t)len[t]);
  memcpy(out, o.b, o.n);
  memcpy(out + o.n, d.b, d.n);
  return o.n + d.n;
}

/* Appends `s` to the buffer with XML's five characters escaped. */
static void put_xml(char *buf, size_t cap, size_t *o, const char *s) {
  for (; s && *s && *o + 8 < cap; s++) {
    const char *e = *s == '&'    ? "&amp;"
                    : *s == '<'  ? "&lt;"
                    : *s == '>'  ? "&gt;"
                    : *s == '"'  ? "&quot;"
                    : *s == '\'' ? "&apos;"
                                 : NULL;
    if (e) {
      memcpy(buf + *o, e, strlen(e));
      *o += strlen(e);
    } else {
      buf[(*o)++] = *s;
    }
  }
  buf[*o] = '\0';
}

static void put(char *buf, size_t cap, size_t *o, const char *s) {
  size_t n = strlen(s);
  if (*o + n + 1 >= cap) n = cap - *o - 1;
  memcpy(buf + *o, s, n);
  *o += n;
  buf[*o] = '\0';
}

/* The XMP packet; `date` is an ISO 8601 date-time or NULL (no dates). */
static char *xmp(rp_pdf *p, const char *date, const char *producer, const char *creator) {
  const rp_doc_info *in = &p->doc->info;
  size_t cap = 16384, o = 0;
  char *b = rp_arena_alloc(p->scratch, cap);
  if (!b) return NULL;
  const char *title = rp_pdf_clean_utf8(p, in->title ? in->title : "", 2000);
  const char *author = rp_pdf_clean_utf8(p, in->author ? in->author : "", 2000);
  const char *subject = rp_pdf_clean_utf8(p, in->subject ? in->subject : "", 2000);
  const char *keywords = rp_pdf_clean_utf8(p, in->keywords ? in->keywords : "", 2000);
  put(b, cap, &o,
      "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
      "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
      " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      "  <rdf:Description rdf:about=\"\"\n"
      "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
      "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
      "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
      "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"");
  /* a tagged file claims PDF/UA-1, which it is designed to (docs/accessibility.md) */
  if (p->tag) put(b, cap, &o, "\n    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"");
  put(b, cap, &o,
      ">\n"
      "   <pdfaid:part>2</pdfaid:part>\n"
      "   <pdfaid:conformance>B</pdfaid:conformance>\n");
  if (p->tag) put(b, cap, &o, "   <pdfuaid:part>1</pdfuaid:part>\n");
  if (title && title[0]) {
    put(b, cap, &o, "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    put_xml(b, cap, &o, title);
    put(b, cap, &o, "</rdf:li></rdf:Alt></dc:title>\n");
  }
  if (author && author[0]) {
    put(b, cap, &o, "   <dc:creator><rdf:Seq><rdf:li>");
    put_xml(b, cap, &o, author);
    put(b, cap, &o, "</rdf:li></rdf:Seq></dc:creator>\n");
  }
  if (subject && subject[0]) {
    put(b, cap, &o, "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    put_xml(b, cap, &o, subject);
    put(b, cap, &o, "</rdf:li></rdf:Alt></dc:description>\n");
  }
  if (keywords && keywords[0]) {
    put(b, cap, &o, "   <pdf:Keywords>");
    put_xml(b, cap, &o, keywords);
    put(b, cap, &o, "</pdf:Keywords>\n");
  }
  put(b, cap, &o, "   <pdf:Producer>");
  put_xml(b, cap, &o, producer);
  put(b, cap, &o, "</pdf:Producer>\n   <xmp:CreatorTool>");
  put_xml(b, cap, &o, creator);
  put(b, cap, &o, "</xmp:CreatorTool>\n");
  if (date) {
    char line[160];
    snprintf(line, sizeof line,
             "   <xmp:CreateDate>%s</xmp:CreateDate>\n   <xmp:ModifyDate>%s</xmp:ModifyDate>\n",
             date, date);
    put(b, cap, &o, line);
  }
  put(b, cap, &o, "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
  return b;
}

static bool fail(rp_pdf *p, HPDF_STATUS r, const char *what) {
  if (r != HPDF_OK && !p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : r;
  return rp_pdf_ok(p, what, NULL);
}

static bool metadata(rp_pdf *p, const char *packet) {
  HPDF_Dict m = HPDF_DictStream_New(p->pdf->mmgr, p->pdf->xref);
  HPDF_STATUS r = m ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK) m->filter = HPDF_STREAM_FILTER_NONE; /* readable by any tool */
  if (r == HPDF_OK) r = HPDF_Dict_AddName(m, "Type", "Metadata");
  if (r == HPDF_OK) r = HPDF_Dict_AddName(m, "Subtype", "XML");
  if (r == HPDF_OK) r = HPDF_Stream_WriteStr(m->stream, packet);
  if (r == HPDF_OK) r = HPDF_Dict_Add(p->pdf->catalog, "Metadata", m);
  return fail(p, r, "write the XMP metadata");
}

static bool output_intent(rp_pdf *p) {
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Dict icc = HPDF_DictStream_New(mm, p->pdf->xref);
  HPDF_Dict oi = HPDF_Dict_New(mm);
  HPDF_Array list = HPDF_Array_New(mm);
  HPDF_STATUS r = icc && oi && list ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK) icc->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  if (r == HPDF_OK) r = HPDF_Dict_AddNumber(icc, "N", 3);
  unsigned char profile[1280];
  size_t size = srgb_profile(profile);
  if (r == HPDF_OK) r = HPDF_Stream_Write(icc->stream, profile, (HPDF_UINT)size);
  if (r == HPDF_OK) r = HPDF_Dict_AddName(oi, "Type", "OutputIntent");
  if (r == HPDF_OK) r = HPDF_Dict_AddName(oi, "S", "GTS_PDFA1");
  if (r == HPDF_OK)
    r = HPDF_Dict_Add(oi, "OutputConditionIdentifier",
                      HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL));
  if (r == HPDF_OK) r = HPDF_Dict_Add(oi, "Info", HPDF_String_New(mm, "sRGB IEC61966-2.1", NULL));
  if (r == HPDF_OK) r = HPDF_Dict_Add(oi, "DestOutputProfile", icc);
  if (r == HPDF_OK) r = HPDF_Array_Add(list, oi);
  if (r == HPDF_OK) r = HPDF_Dict_Add(p->pdf->catalog, "OutputIntents", list);
  return fail(p, r, "add the sRGB output intent");
}

/* FNV-1a, 64 bits, from `h`: enough to tell documents apart in /ID, which
 * PDF asks to be likely unique, not secret. */
static uint64_t fnv(uint64_t h, const void *data, size_t n) {
  const unsigned char *s = data;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
  return h;
}

static void id_begin(rp_pdf *p) {
  if (p->id_begun) return;
  p->id_hash[0] = 0xcbf29ce484222325ull;
  p->id_hash[1] = 0x84222325cbf29ce4ull;
  p->id_begun = true;
}

/* Two 64-bit hashes of what was drawn: every page's size and text, and the
 * metadata. Pages are added as they are drawn, since their items are freed
 * after (rp_render_page). */
void rp_pdf_archive_page(rp_pdf *p, const rp_page *pg) {
  id_begin(p);
  uint64_t a = p->id_hash[0], b = p->id_hash[1];
  double wh[2] = {pg->width, pg->height};
  a = fnv(a, wh, sizeof wh);
  for (size_t k = 0; k < pg->items.len; k++) {
    const rp_item *it = &RP_VEC_AT(pg->items, rp_item, k);
    double xy[2] = {it->x, it->y};
    b = fnv(b, xy, sizeof xy);
    if (it->kind == RP_ITEM_TEXT && it->u.text.text)
      a = fnv(a, it->u.text.text, strlen(it->u.text.text));
  }
  p->id_hash[0] = a;
  p->id_hash[1] = b;
}

static void content_hash(rp_pdf *p, const char *packet, unsigned char out[16]) {
  id_begin(p);
  uint64_t a = fnv(p->id_hash[0], packet, strlen(packet)), b = p->id_hash[1];
  for (int i = 0; i < 8; i++) {
    out[i] = (unsigned char)(a >> (8 * i));
    out[8 + i] = (unsigned char)(b >> (8 * i));
  }
}

static bool file_id(rp_pdf *p, const char *packet) {
  unsigned char id[16];
  content_hash(p, packet, id);
  HPDF_MMgr mm = p->pdf->mmgr;
  HPDF_Array ids = HPDF_Array_New(mm);
  HPDF_Binary first = HPDF_Binary_New(mm, id, sizeof id);
  HPDF_Binary second = HPDF_Binary_New(mm, id, sizeof id);
  HPDF_STATUS r = ids && first && second ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
  if (r == HPDF_OK) r = HPDF_Array_Add(ids, first);
  if (r == HPDF_OK) r = HPDF_Array_Add(ids, second);
  if (r == HPDF_OK) r = HPDF_Dict_Add(p->pdf->trailer, "ID", ids);
  return fail(p, r, "write the file identifier");
}

void rp_pdf_archive_finish(rp_pdf *p, long long epoch, const char *producer, const char *creator) {
  if (p->print.on) return;
  char date[32] = "";
  if (epoch >= 0) {
    time_t t = (time_t)epoch;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  const char *packet = xmp(p, date[0] ? date : NULL, producer, creator);
  if (!packet) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return;
  }
  if (!metadata(p, packet) || !output_intent(p) || !file_id(p, packet)) return;
  p->pdf->pdf_version = HPDF_VER_17;
}
