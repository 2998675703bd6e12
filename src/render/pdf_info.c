/* pdf_info — the document Info dictionary (Title, Author, Subject, Keywords,
 * Creator, Producer), the catalog's /Lang, and dates.
 *
 * Dates come only from SOURCE_DATE_EPOCH (reproducible-builds.org): without
 * it the file has no CreationDate or ModDate, and since libharu writes no
 * /ID either, the same input always gives the same bytes. Strings go through
 * the UTF-8 encoder (UTF-16BE in the file), which must be current before any
 * HPDF_SetInfoAttr call or non-ASCII text turns into mojibake. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
/* jpeglib.h needs size_t and FILE first. */
#include <jpeglib.h>

#include "render/pdf.h"
#include "render/render.h"

#define MAX_INFO 2000 /* bytes per Info string */
/* 9999-12-31T23:59:59Z: the last second a PDF date can hold. */
#define MAX_EPOCH 253402300799LL

rp_status rp_pdf_parse_epoch(const char *text, long long *epoch, rp_diag *d) {
  *epoch = -1;
  if (!text || !text[0]) return RP_OK;
  bool digits = true;
  for (const char *s = text; *s; s++) digits &= isdigit((unsigned char)*s) != 0;
  errno = 0;
  char *end;
  long long v = digits ? strtoll(text, &end, 10) : -1;
  if (!digits || errno || strlen(text) > 12 || v > MAX_EPOCH)
    return rp_diag_error(d, RP_ERR_USAGE, NULL, 0, 0,
                         "SOURCE_DATE_EPOCH must be a whole number of seconds since "
                         "1970-01-01 UTC (at most %lld), not '%.40s'",
                         MAX_EPOCH, text);
  *epoch = v;
  return RP_OK;
}

static void set_attr(rp_pdf *p, HPDF_InfoType type, const char *value, const char *what) {
  if (!value || !value[0]) return;
  const char *clean = rp_pdf_clean_utf8(p, value, MAX_INFO);
  if (!clean || !clean[0]) return;
  HPDF_SetInfoAttr(p->pdf, type, clean);
  rp_pdf_ok(p, what, NULL);
}

/* BCP 47 tag shape: letters, digits and hyphens, starting with a letter. */
static bool lang_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 35 || !isalpha((unsigned char)s[0])) return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '-') return false;
  return true;
}

void rp_pdf_set_info(rp_pdf *p, long long epoch) {
  const rp_doc_info *info = &p->doc->info;
  set_attr(p, HPDF_INFO_TITLE, info->title, "set the title");
  set_attr(p, HPDF_INFO_AUTHOR, info->author, "set the author");
  set_attr(p, HPDF_INFO_SUBJECT, info->subject, "set the subject");
  set_attr(p, HPDF_INFO_KEYWORDS, info->keywords, "set the keywords");
  const char *creator = info->creator && info->creator[0] ? info->creator : "reviewpdf " RP_VERSION;
  set_attr(p, HPDF_INFO_CREATOR, creator, "set the creator");
  char producer[128];
  snprintf(producer, sizeof producer, "reviewpdf %s (Haru Free PDF Library %s)", RP_VERSION,
           HPDF_GetVersion());
  set_attr(p, HPDF_INFO_PRODUCER, producer, "set the producer");
  /* the XMP says the same as Info (PDF/A), dates included */
  rp_pdf_archive_finish(p, epoch, producer, rp_pdf_clean_utf8(p, creator, MAX_INFO));

  /* A tagged PDF needs its language; content that names none is en-GB. */
  const char *lang = info->lang && info->lang[0] ? info->lang : "en-GB";
  if (lang_ok(lang)) {
    HPDF_String s = HPDF_String_New(p->pdf->mmgr, lang, NULL);
    if (!s || HPDF_Dict_Add(p->pdf->catalog, "Lang", s) != HPDF_OK)
      if (!p->err_no) p->err_no = HPDF_GetError(p->pdf) ? HPDF_GetError(p->pdf) : 1;
    rp_pdf_ok(p, "set the document language", NULL);
  } else {
    rp_diag_warn(p->d, NULL, 0, 0, "document language '%.40s' is not a language tag; left out",
                 lang);
  }

  if (epoch < 0) return;
  time_t t = (time_t)epoch;
  struct tm tm;
  if (!gmtime_r(&t, &tm)) {
    rp_pdf_error(p, RP_ERR_USAGE, NULL, 0, "SOURCE_DATE_EPOCH %lld is not a usable date", epoch);
    return;
  }
  HPDF_Date date = {.year = tm.tm_year + 1900,
                    .month = tm.tm_mon + 1,
                    .day = tm.tm_mday,
                    .hour = tm.tm_hour,
                    .minutes = tm.tm_min,
                    .seconds = tm.tm_sec,
                    .ind = 'Z'};
  HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_CREATION_DATE, date);
  HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_MOD_DATE, date);
  rp_pdf_ok(p, "set the dates", NULL);
}

void rp_render_libraries(char *buf, size_t n) {
  snprintf(buf, n, "libharu %s, libjpeg %d", HPDF_VERSION_TEXT, JPEG_LIB_VERSION);
}
