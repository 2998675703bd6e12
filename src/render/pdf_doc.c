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

#include <hpdf_conf.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "render/objstm.h"
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

/* libharu allocates through base/mem (counted, and failures remembered),
 * shielded: libharu 2.3's memory stream writes through a NULL buffer after
 * an allocation of it failed, so an injected fault or the memory limit there
 * would crash libharu, not test reviewpdf (base/mem.h). */
static void *HPDF_STDCALL hpdf_alloc(HPDF_UINT size) {
  rp_mem_shield(true);
  void *q = rp_mem_lib_alloc(size);
  rp_mem_shield(false);
  return q;
}
static void HPDF_STDCALL hpdf_free(void *block) { rp_mem_free(block); }

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

char *rp_pdf_clean_utf8(rp_pdf *p, const char *s, size_t max_bytes) {
  if (!s) s = "";
  size_t len = strlen(s);
  size_t cap = len * 3 + 1; /* each byte can become U+FFFD (3 bytes) */
  if (cap > max_bytes + 1) cap = max_bytes + 1;
  char *out = rp_arena_alloc(p->tmp ? p->tmp : p->scratch, cap);
  if (!out) return NULL;
  size_t i = 0, o = 0;
  while (i < len) {
    uint32_t cp;
    i += rp_utf8_decode(s + i, len - i, &cp);
    /* libharu's UTF-8 encoder covers the Basic Multilingual Plane only. */
    if (cp > 0xFFFF || cp == 0xFFFE) cp = 0xFFFD;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) cp = ' ';
    char enc[4];
    size_t n = rp_utf8_encode(cp, enc);
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

static void draw_page_items(rp_pdf *p, size_t index);

/* Draws page `index`; the strings made for libharu on the way (cleaned
 * UTF-8, kerned pieces) are freed once it is drawn, so that they do not add
 * up over a long document. */
static void draw_page(rp_pdf *p, size_t index) {
  p->tmp = rp_arena_new_child(p->scratch);
  if (!p->tmp) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return;
  }
  draw_page_items(p, index);
  rp_arena_free(p->tmp);
  p->tmp = NULL;
}

static void draw_page_items(rp_pdf *p, size_t index) {
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

/* The filter entry libharu itself writes for a Flate stream (HPDF_Dict_Write:
 * after the other entries, as its list puts the Filter array last). */
static HPDF_STATUS HPDF_STDCALL write_flate_filter(HPDF_Dict obj, HPDF_Stream stream) {
  (void)obj;
  return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

/* libharu keeps every page's content stream uncompressed in memory until
 * the document is saved, and deflates it then: for a long document the
 * largest part of its memory. A finished page's stream is deflated now
 * instead, by the same libharu function into a new memory stream that
 * replaces it; the dictionary is switched to no filter (so saving copies the
 * bytes as they are) and writes its Filter entry itself. The file is byte
 * for byte what libharu would have written. A page whose text object or
 * graphics state is still open is left alone: libharu closes those when it
 * saves, writing to the stream. */
static void deflate_page(rp_pdf *p, HPDF_Page page) {
  HPDF_PageAttr attr = page->attr;
  HPDF_Dict c = attr ? attr->contents : NULL;
  if (!c || !c->stream || c->stream != attr->stream ||
      c->filter != HPDF_STREAM_FILTER_FLATE_DECODE || c->write_fn ||
      HPDF_Stream_Size(c->stream) == 0)
    return;
  if (attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION || (attr->gstate && attr->gstate->prev)) return;
  HPDF_Stream z = HPDF_MemStream_New(c->mmgr, HPDF_STREAM_BUF_SIZ);
  if (!z) {
    rp_pdf_ok(p, "compress a page", NULL);
    return;
  }
  if (HPDF_Stream_WriteToStream(c->stream, z, HPDF_STREAM_FILTER_FLATE_DECODE, NULL) != HPDF_OK) {
    HPDF_Stream_Free(z);
    if (!rp_pdf_ok(p, "compress a page", NULL) && p->status == RP_OK)
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "PDF writer failed to compress a page");
    return;
  }
  HPDF_Stream_Free(c->stream);
  c->stream = attr->stream = z;
  c->filter = HPDF_STREAM_FILTER_NONE;
  c->write_fn = write_flate_filter;
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
  /* libharu's file, read back whole, then repacked with object streams
   * (render/objstm.h): its small objects take most of a tagged file. */
  HPDF_UINT32 size = HPDF_GetStreamSize(p->pdf), got = 0;
  uint8_t *raw = rp_mem_alloc(size ? size : 1), *packed = NULL;
  if (!raw) {
    rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "out of memory");
    return;
  }
  while (got < size) {
    HPDF_UINT32 n = size - got;
    HPDF_STATUS r = HPDF_ReadFromStream(p->pdf, raw + got, &n);
    if ((r != HPDF_OK && r != HPDF_STREAM_EOF) || n == 0 || n > size - got) {
      rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "cannot read back the PDF (libharu error 0x%04X)",
                   (unsigned)r);
      rp_mem_free(raw);
      return;
    }
    got += n;
  }
  rp_pdf_take_error(p, &no, &detail); /* the stream's end raises HPDF_STREAM_EOF */
  size_t len = size;
  /* uncompressed (debugging): every object left readable where it is */
  rp_objstm_result packing = p->pdf->compression_mode == HPDF_COMP_NONE
                                 ? RP_OBJSTM_UNCHANGED
                                 : rp_objstm_pack(raw, size, &packed, &len);
  switch (packing) {
    case RP_OBJSTM_PACKED:
      break;
    case RP_OBJSTM_UNCHANGED:
      len = size;
      break;
    case RP_OBJSTM_NOMEM:
      rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "out of memory");
      rp_mem_free(raw);
      return;
  }
  const uint8_t *data = packed ? packed : raw;
  FILE *f = fopen(path, "wb");
  int err = f ? 0 : errno;
  for (size_t done = 0; f && !err && done < len;) {
    size_t n = len - done < (1u << 15) ? len - done : (1u << 15);
    errno = 0;
    if (fwrite(data + done, 1, n, f) != n) err = errno ? errno : EIO;
    done += n;
  }
  rp_mem_free(packed);
  rp_mem_free(raw);
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
  p.pdf = HPDF_NewEx(on_error, hpdf_alloc, hpdf_free, 0, &p);
  if (!p.pdf) {
    rp_pdf_error(&p, RP_ERR_INTERNAL, NULL, 0, "cannot create a PDF document (out of memory?)");
    goto out;
  }
  if (!setup(&p, opts) || !create_pages(&p) || !rp_pdf_fonts_collect(&p) || !rp_pdf_tag_begin(&p))
    goto out;
  rp_pdf_images_measure(&p);
  for (size_t i = 0; i < p.n_pages; i++) {
    draw_page(&p, i);
    deflate_page(&p, p.pages[i]);
    if (opts->page) opts->page(opts->page_user, i + 1, p.n_pages);
  }
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
