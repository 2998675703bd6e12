/* pdf_doc — rp_render_pdf: the document as a whole. Creates the libharu
 * document, every page (all of them first, so that links and bookmarks can
 * point forwards), draws each page's items in order, then adds page labels,
 * the Info dictionary and the outline mode, and saves.
 *
 * Also the shared helpers of the back end: error recording (libharu's error
 * handler only stores the code; rp_pdf_ok() turns it into a diagnostic and
 * resets libharu's sticky error), finite-number checks and UTF-8 cleaning.
 * No setjmp/longjmp: libharu's handler returns and every call is checked. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/pdf.h"
#include "render/render.h"

/* ---- errors ---------------------------------------------------------- */

static void HPDF_STDCALL on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user) {
  rp_pdf *p = user;
  if (p && !p->err_no) {
    p->err_no = error_no;
    p->err_detail = detail_no;
  }
}

static void verror(rp_pdf *p, rp_status status, const char *file, int line, const char *fmt,
                   va_list ap) {
  if (p->status == RP_OK) p->status = status;
  rp_diag_verror(p->d, status, file, line, 0, fmt, ap);
}

void rp_pdf_error(rp_pdf *p, rp_status status, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(p, status, file, line, fmt, ap);
  va_end(ap);
}

void rp_pdf_item_error(rp_pdf *p, rp_status status, const rp_item *it, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(p, status, it ? it->src.layout_file : NULL, it ? it->src.layout_line : 0, fmt, ap);
  va_end(ap);
}

void rp_pdf_item_warn(rp_pdf *p, const rp_item *it, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rp_diag_warn(p->d, it ? it->src.layout_file : NULL, it ? it->src.layout_line : 0, 0, "%s", msg);
}

bool rp_pdf_take_error(rp_pdf *p, HPDF_STATUS *no, HPDF_STATUS *detail) {
  HPDF_STATUS e = p->err_no, dt = p->err_detail;
  /* Errors raised inside libharu's internal calls can skip the handler but
   * are still sticky: look at the document's state as well. */
  if (!e && p->pdf && HPDF_GetError(p->pdf) != HPDF_OK) {
    e = HPDF_GetError(p->pdf);
    dt = HPDF_GetErrorDetail(p->pdf);
  }
  if (!e) return false;
  if (p->pdf) HPDF_ResetError(p->pdf);
  p->err_no = 0;
  p->err_detail = 0;
  *no = e;
  *detail = dt;
  return true;
}

bool rp_pdf_ok(rp_pdf *p, const char *what, const rp_src *src) {
  HPDF_STATUS no, detail;
  if (!rp_pdf_take_error(p, &no, &detail)) return true;
  rp_pdf_error(p, RP_ERR_INTERNAL, src ? src->layout_file : NULL, src ? src->layout_line : 0,
               "PDF writer failed to %s (libharu error 0x%04X, detail %u)", what, (unsigned)no,
               (unsigned)detail);
  return false;
}

/* ---- small shared helpers -------------------------------------------- */

bool rp_pdf_finite(const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i]) || fabs(v[i]) > 1e6) return false;
  return true;
}

/* Decodes one UTF-8 sequence strictly; returns its length (>= 1) and the code
 * point, or U+FFFD for a malformed sequence (consuming one byte). */
static size_t utf8_next(const unsigned char *s, size_t len, unsigned long *cp) {
  unsigned char b = s[0];
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  size_t n;
  unsigned long c, min;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2, c = b & 0x1F, min = 0x80;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3, c = b & 0x0F, min = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4, c = b & 0x07, min = 0x10000;
  } else {
    *cp = 0xFFFD;
    return 1;
  }
  if (len < n) {
    *cp = 0xFFFD;
    return 1;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    c = (c << 6) | (s[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    *cp = 0xFFFD;
    return 1;
  }
  *cp = c;
  return n;
}

char *rp_pdf_clean_utf8(rp_pdf *p, const char *s, size_t max_bytes) {
  if (!s) s = "";
  size_t len = strlen(s);
  size_t cap = len * 3 + 1; /* each byte can become U+FFFD (3 bytes) */
  if (cap > max_bytes + 1) cap = max_bytes + 1;
  char *out = rp_arena_alloc(p->scratch, cap);
  if (!out) return NULL;
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, o = 0;
  while (i < len) {
    unsigned long cp;
    i += utf8_next(u + i, len - i, &cp);
    /* libharu's UTF-8 encoder covers the Basic Multilingual Plane only. */
    if (cp > 0xFFFF || cp == 0xFFFE) cp = 0xFFFD;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) cp = ' ';
    char enc[3];
    size_t n;
    if (cp < 0x80) {
      enc[0] = (char)cp;
      n = 1;
    } else if (cp < 0x800) {
      enc[0] = (char)(0xC0 | (cp >> 6));
      enc[1] = (char)(0x80 | (cp & 0x3F));
      n = 2;
    } else {
      enc[0] = (char)(0xE0 | (cp >> 12));
      enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
      enc[2] = (char)(0x80 | (cp & 0x3F));
      n = 3;
    }
    if (o + n > cap - 1) break;
    memcpy(out + o, enc, n);
    o += n;
  }
  out[o] = '\0';
  return out;
}

/* ---- the document ---------------------------------------------------- */

static const rp_page *page_at(const rp_layout_doc *doc, size_t i) {
  return &RP_VEC_AT(doc->pages, rp_page, i);
}

/* Creates all pages up front with their sizes. */
static bool create_pages(rp_pdf *p) {
  size_t n = p->doc->pages.len;
  if (n == 0) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "layout produced no pages");
    return false;
  }
  p->pages = rp_arena_calloc(p->scratch, n, sizeof *p->pages);
  if (!p->pages) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    const rp_page *pg = page_at(p->doc, i);
    double wh[2] = {pg->width, pg->height};
    if (!rp_pdf_finite(wh, 2) || pg->width < HPDF_MIN_PAGE_WIDTH ||
        pg->width > HPDF_MAX_PAGE_WIDTH || pg->height < HPDF_MIN_PAGE_HEIGHT ||
        pg->height > HPDF_MAX_PAGE_HEIGHT) {
      rp_pdf_error(p, RP_ERR_INPUT, NULL, 0,
                   "page %zu (master '%s') is %g x %g pt; PDF pages must be 3 to 14400 pt "
                   "on each side",
                   i + 1, pg->master ? pg->master : "?", pg->width, pg->height);
      return false;
    }
    HPDF_Page page = HPDF_AddPage(p->pdf);
    if (page) {
      HPDF_Page_SetWidth(page, (HPDF_REAL)(pg->width + 2 * p->off));
      HPDF_Page_SetHeight(page, (HPDF_REAL)(pg->height + 2 * p->off));
    }
    if (!page || !rp_pdf_ok(p, "add a page", NULL)) return false;
    if (p->print.on && !rp_pdf_print_boxes(p, page, pg->width, pg->height)) return false;
    p->pages[i] = page;
  }
  p->n_pages = n;
  return true;
}

static void draw_page(rp_pdf *p, size_t index) {
  const rp_page *pg = page_at(p->doc, index);
  p->page = p->pages[index];
  p->page_index = index;
  p->page_w = pg->width;
  p->page_h = pg->height;
  const rp_item *items = pg->items.data;
  size_t n = pg->items.len;
  rp_pdf_tag_page_begin(p, items, n);
  rp_pdf_print_page_begin(p, pg->width, pg->height);
  for (size_t i = 0; i < n;) {
    const rp_item *it = &items[i];
    rp_pdf_print_safe_check(p, it);
    rp_pdf_tag_item(p, it);
    /* A print file has no links or bookmarks (printers' checkers refuse
     * them); the screen file keeps them. */
    if (p->print.on && (it->kind == RP_ITEM_LINK || it->kind == RP_ITEM_BOOKMARK)) {
      i++;
      continue;
    }
    if (it->kind == RP_ITEM_TEXT) { /* tagged item by item inside the run */
      size_t end = rp_pdf_draw_text_run(p, items, i, n);
      for (i++; i < end; i++) rp_pdf_tag_item(p, &items[i]);
      continue;
    }
    /* One marked-content sequence per item, around its q…Q. */
    bool tagged = rp_pdf_tag_open(p, it);
    switch (it->kind) {
      case RP_ITEM_RECT:
      case RP_ITEM_LINE:
      case RP_ITEM_ELLIPSE:
        rp_pdf_draw_shape(p, it);
        break;
      case RP_ITEM_IMAGE:
        rp_pdf_draw_image(p, it);
        break;
      case RP_ITEM_LINK:
        rp_pdf_draw_link(p, it);
        break;
      case RP_ITEM_CHART:
        rp_pdf_draw_chart_slot(p, it);
        break;
      case RP_ITEM_BOOKMARK:
        rp_pdf_add_bookmark(p, index, it);
        break;
      case RP_ITEM_PATH:
        if (p->chart_dpi > 0)
          rp_pdf_draw_path_raster(p, items, i, n);
        else
          rp_pdf_draw_path(p, it);
        break;
      default:
        rp_pdf_item_error(p, RP_ERR_INTERNAL, it, "layout produced an item of unknown kind %d",
                          (int)it->kind);
        break;
    }
    if (tagged) rp_pdf_tag_close(p);
    i++;
  }
}

/* Settings that must precede any content: compression, UTF-8 for text and
 * Info strings. */
static bool setup(rp_pdf *p, const rp_render_opts *opts) {
  HPDF_SetCompressionMode(p->pdf, opts->uncompressed ? HPDF_COMP_NONE : HPDF_COMP_ALL);
  if (!rp_pdf_ok(p, "set compression", NULL)) return false;
  HPDF_UseUTFEncodings(p->pdf);
  HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
  if (!rp_pdf_ok(p, "select the UTF-8 encoder", NULL)) return false;
  p->utf8 = HPDF_GetEncoder(p->pdf, "UTF-8");
  return p->utf8 && rp_pdf_ok(p, "select the UTF-8 encoder", NULL);
}

static void finish(rp_pdf *p, long long epoch) {
  rp_pdf_add_page_labels(p);
  rp_pdf_tag_finish(p);
  rp_pdf_set_info(p, epoch);
  if (p->has_outline) {
    HPDF_SetPageMode(p->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    rp_pdf_ok(p, "open the outline pane", NULL);
  }
  /* An SMask alone leaves libharu's version at 1.3; transparency is 1.4. */
  if (p->needs_v14 && p->pdf->pdf_version < HPDF_VER_14) p->pdf->pdf_version = HPDF_VER_14;
  rp_pdf_print_finish(p);
}

static bool alloc_tables(rp_pdf *p) {
  size_t nf = p->doc->fonts ? p->doc->fonts->count : 0;
  size_t ni = p->doc->images.len;
  p->fonts = rp_arena_calloc(p->scratch, nf ? nf : 1, sizeof *p->fonts);
  p->font_failed = rp_arena_calloc(p->scratch, nf ? nf : 1, sizeof *p->font_failed);
  p->font_used = rp_arena_calloc(p->scratch, nf ? nf : 1, sizeof *p->font_used);
  p->font_fds = rp_arena_alloc(p->scratch, (nf ? nf : 1) * sizeof *p->font_fds);
  if (!p->font_fds) return false;
  for (size_t i = 0; i < nf; i++) p->font_fds[i] = -1;
  p->n_fonts = nf;
  p->images = rp_arena_calloc(p->scratch, ni ? ni : 1, sizeof *p->images);
  return p->fonts && p->font_failed && p->font_used && p->images;
}

/* Saves the document to `path`. libharu's own file writer ignores what
 * fclose returns, so a disk that fills at the last flush would pass
 * unnoticed: the PDF goes to libharu's memory stream and is written from
 * there with every call checked. Messages name `name` and say why. */
static void save(rp_pdf *p, const char *path, const char *name) {
  HPDF_STATUS no = 0, detail = 0;
  if (!rp_pdf_fonts_embeddable(p)) return;
  bool saved = HPDF_SaveToStream(p->pdf) == HPDF_OK;
  if (!rp_pdf_fonts_embedded(p)) return;
  if (!saved || rp_pdf_take_error(p, &no, &detail)) {
    rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "cannot compose the PDF (libharu error 0x%04X)",
                 (unsigned)(no ? no : HPDF_GetError(p->pdf)));
    return;
  }
  HPDF_UINT32 left = HPDF_GetStreamSize(p->pdf);
  FILE *f = fopen(path, "wb");
  int err = f ? 0 : errno;
  HPDF_BYTE buf[1 << 15];
  while (f && !err && left > 0) {
    HPDF_UINT32 n = left < sizeof buf ? left : (HPDF_UINT32)sizeof buf;
    HPDF_STATUS r = HPDF_ReadFromStream(p->pdf, buf, &n);
    if ((r != HPDF_OK && r != HPDF_STREAM_EOF) || n == 0 || n > left) {
      rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "cannot read back the PDF (libharu error 0x%04X)",
                   (unsigned)r);
      break;
    }
    errno = 0;
    if (fwrite(buf, 1, n, f) != n) err = errno ? errno : EIO;
    left -= n;
  }
  rp_pdf_take_error(p, &no, &detail); /* the stream's end raises HPDF_STREAM_EOF */
  if (f && fflush(f) != 0 && !err) err = errno ? errno : EIO;
  if (f && fclose(f) != 0 && !err) err = errno ? errno : EIO;
  if (err)
    rp_pdf_error(p, RP_ERR_INPUT, name, 0,
                 "cannot write the PDF: %s; check that the disk has room and the folder is "
                 "writable",
                 strerror(err));
}

rp_status rp_render_pdf(const rp_layout_doc *doc, const rp_render_opts *opts, const char *out_path,
                        rp_diag *d) {
  static const rp_render_opts defaults = {0};
  if (!opts) opts = &defaults;
  long long epoch;
  if (rp_pdf_parse_epoch(opts->source_date_epoch, &epoch, d) != RP_OK) return RP_ERR_USAGE;

  size_t errors_before = d->errors;
  rp_pdf p = {.doc = doc, .d = d, .chart_dpi = opts->chart_dpi, .print = opts->print};
  p.off = rp_pdf_print_offset(&p.print);
  p.scratch = rp_arena_new();
  if (!p.scratch || !alloc_tables(&p)) {
    rp_pdf_error(&p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    goto out;
  }
  p.pdf = HPDF_New(on_error, &p);
  if (!p.pdf) {
    rp_pdf_error(&p, RP_ERR_INTERNAL, NULL, 0, "cannot create a PDF document (out of memory?)");
    goto out;
  }
  if (!setup(&p, opts) || !create_pages(&p) || !rp_pdf_fonts_collect(&p) || !rp_pdf_tag_begin(&p))
    goto out;
  rp_pdf_images_measure(&p);
  for (size_t i = 0; i < p.n_pages; i++) draw_page(&p, i);
  finish(&p, epoch);

  /* With --strict a warning is an error too: write nothing then. */
  if (p.status == RP_OK && d->errors > errors_before) p.status = RP_ERR_INPUT;
  if (p.status != RP_OK) goto out;
  save(&p, out_path, opts->out_name ? opts->out_name : out_path);

out:
  if (p.pdf) HPDF_Free(p.pdf);
  rp_pdf_fonts_close(&p);
  rp_arena_free(p.scratch);
  if (p.status == RP_OK && d->errors > errors_before) p.status = RP_ERR_INPUT;
  return p.status;
}
