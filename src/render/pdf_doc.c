/* pdf_doc — the document as a whole: rp_render_begin creates the libharu
 * document, rp_render_page makes and draws one page at a time, in order
 * (after it returns the page's items are not read again), rp_render_end
 * completes links to pages made after them, adds page labels, the
 * structure tree, the Info dictionary and the outline mode, and saves.
 * rp_render_pdf is the three over a whole document; it makes every page and
 * collects every face's characters first, which gives the same bytes as
 * when this file drew whole documents only.
 *
 * Also the shared helpers of the back end: error recording (libharu's error
 * handler only stores the code; rp_pdf_ok() turns it into a diagnostic and
 * resets libharu's sticky error), finite-number checks and UTF-8 cleaning.
 * No setjmp/longjmp: libharu's handler returns and every call is checked. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf_conf.h>
#include <hpdf_utils.h>

#include "base/limits.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "render/flate.h"
#include "render/objstm.h"
#include "render/pdf.h"
#include "render/pdf_running.h"
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

/* libharu's copy, fill and length helpers go a byte at a time: its memory
 * streams copy each byte written to a page or a font through HPDF_MemCpy,
 * each object is cleared by HPDF_MemSet, each string measured by
 * HPDF_StrLen (2.6 M instructions of the review's render, 1.5 M of the
 * early document's encoder tables). libharu calls them through its PLT, so
 * these definitions, exported by the program (a symbol a shared library
 * defines too), are the ones it runs: the same results (the end of what
 * was copied or filled; a length stopped at maxlen unless it is negative),
 * from the C library's. test_hpdf_helpers_replaced checks both. */
HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n) {
  if (!n) return out;
  memmove(out, in, n);
  return out + n;
}

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n) {
  if (!n) return s;
  memset(s, c, n);
  return (HPDF_BYTE *)s + n;
}

HPDF_UINT HPDF_StrLen(const char *s, HPDF_INT maxlen) {
  if (!s) return 0;
  return (HPDF_UINT)(maxlen < 0 ? strlen(s) : strnlen(s, (size_t)maxlen));
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

/* Stand-ins a block of rp_pdf_page_ref's holds. */
#define REF_BLOCK 512

void *rp_pdf_page_ref(const rp_pdf *p, size_t i) {
  return &p->ref_blocks[i / REF_BLOCK][i % REF_BLOCK];
}

/* Makes page `page`'s stand-in (the next one) and takes the page out of
 * the page tree's /Kids again (a proxy and a slot of libharu's list, about
 * 40 bytes a page): write_kids writes /Kids from the stand-ins. */
static bool make_ref(rp_pdf *p, HPDF_Page page) {
  size_t i = p->n_pages;
  if (i % REF_BLOCK == 0) {
    /* (base/mem: the table of blocks; the blocks from the arena) */
    HPDF_Obj_Header **blocks =
        rp_mem_reallocarray(p->ref_blocks, i / REF_BLOCK + 1, sizeof *blocks);
    if (blocks) p->ref_blocks = blocks;
    HPDF_Obj_Header *block = blocks ? rp_arena_alloc(p->scratch, REF_BLOCK * sizeof *block) : NULL;
    if (!block) return false;
    blocks[i / REF_BLOCK] = block;
  }
  HPDF_Obj_Header *ref = rp_pdf_page_ref(p, i);
  *ref = (HPDF_Obj_Header){.obj_id = (page->header.obj_id & 0x00FFFFFF) | HPDF_OTYPE_INDIRECT,
                           .obj_class = HPDF_OCLASS_NULL};
  HPDF_Array kids = HPDF_Dict_GetItem(p->pdf->cur_pages, "Kids", HPDF_OCLASS_ARRAY);
  HPDF_Proxy last =
      kids && kids->list->count ? HPDF_List_ItemAt(kids->list, kids->list->count - 1) : NULL;
  if (!last || last->header.obj_class != HPDF_OCLASS_PROXY || last->obj != page) return false;
  HPDF_List_RemoveByIndex(kids->list, kids->list->count - 1);
  HPDF_Obj_Free(kids->mmgr, last);
  return true;
}

/* Entries libharu's cross-reference list has room for before a page is
 * drawn: more than a page makes (a pack's page: about 40, an index page's
 * a few hundred). */
#define XREF_ROOM 1024

/* libharu's cross-reference list (8 bytes an object) grows by 1,024
 * entries at a time, into a new array the old one is copied into: at the
 * pack's 440,000 objects (N=22000) 430 copies of up to 3.5 MB, and the old
 * and new arrays both held at each (a peak's 3.5 MB). Before each page it
 * is grown here instead, by an eighth and in place where realloc can (a
 * large block is remapped, not copied), once it holds a few thousand. Out of memory: libharu grows
 * it itself when it must, as it would have. */
static void xref_room(rp_pdf *p) {
  HPDF_List l = p->pdf->xref->entries;
  /* (a short document's copies cost little: its list as libharu grows it) */
  if (l->count < 4 * XREF_ROOM || l->block_siz - l->count >= XREF_ROOM) return;
  size_t cap = (size_t)l->count + l->count / 8 + XREF_ROOM;
  if (cap > UINT32_MAX / sizeof(void *)) return;
  void **obj = rp_mem_reallocarray(l->obj, cap, sizeof *obj);
  if (!obj) return;
  l->obj = obj;
  l->block_siz = (HPDF_UINT)cap;
}

/* Makes the PDF page for layout page `i` (the next one) with its size. */
static bool add_page(rp_pdf *p, size_t i) {
  const rp_page *pg = page_at(p->doc, i);
  double wh[2] = {pg->width, pg->height};
  if (!rp_pdf_finite(wh, 2) || pg->width < HPDF_MIN_PAGE_WIDTH || pg->width > HPDF_MAX_PAGE_WIDTH ||
      pg->height < HPDF_MIN_PAGE_HEIGHT || pg->height > HPDF_MAX_PAGE_HEIGHT) {
    rp_pdf_error(p, RP_ERR_INPUT, NULL, 0,
                 "page %zu (master '%s') is %g x %g pt; PDF pages must be 3 to 14400 pt "
                 "on each side",
                 i + 1, pg->master ? pg->master : "?", pg->width, pg->height);
    return false;
  }
  if (p->n_pages == p->cap_pages) {
    /* (base/mem, not the arena: an old array is freed, not left behind) */
    size_t cap = p->cap_pages ? 2 * p->cap_pages : 64;
    HPDF_Page *pages = rp_mem_reallocarray(p->pages, cap, sizeof *pages);
    if (!pages) {
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
      return false;
    }
    p->pages = pages;
    p->cap_pages = cap;
  }
  HPDF_Page page = HPDF_AddPage(p->pdf);
  if (page) {
    HPDF_Page_SetWidth(page, (HPDF_REAL)(pg->width + 2 * p->off));
    HPDF_Page_SetHeight(page, (HPDF_REAL)(pg->height + 2 * p->off));
  }
  if (!page || !rp_pdf_ok(p, "add a page", NULL)) return false;
  if (!make_ref(p, page)) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return false;
  }
  if (p->print.on && !rp_pdf_print_boxes(p, page, pg->width, pg->height)) return false;
  p->pages[p->n_pages++] = page;
  return true;
}

/* Grows an arena array of n elements of `size` to m (zeroed beyond n). */
static void *grown(rp_arena *a, void *old, size_t n, size_t m, size_t size) {
  void *q = rp_arena_calloc(a, m ? m : 1, size);
  if (q && n) memcpy(q, old, n * size);
  return q;
}

/* The per-face and per-image tables, grown to the document's fontset and
 * image list: both may grow between pages while layout runs. */
static bool fit_tables(rp_pdf *p) {
  size_t nf = p->doc->fonts ? p->doc->fonts->count : 0;
  size_t ni = p->doc->images.len;
  if (!p->fonts || nf > p->n_fonts) {
    size_t m = nf > p->n_fonts ? nf : p->n_fonts;
    HPDF_Font *fonts = grown(p->scratch, p->fonts, p->n_fonts, m, sizeof *fonts);
    bool *failed = grown(p->scratch, p->font_failed, p->n_fonts, m, sizeof *failed);
    uint8_t **used = grown(p->scratch, p->font_used, p->n_fonts, m, sizeof *used);
    int *fds = grown(p->scratch, p->font_fds, p->n_fonts, m, sizeof *fds);
    if (!fonts || !failed || !used || !fds) return false;
    for (size_t i = p->n_fonts; i < m; i++) fds[i] = -1;
    p->fonts = fonts;
    p->font_failed = failed;
    p->font_used = used;
    p->font_fds = fds;
    p->n_fonts = m;
  }
  if (!p->images || ni > p->n_images) {
    size_t m = ni > p->n_images ? ni : p->n_images;
    rp_pdf_image *images = grown(p->scratch, p->images, p->n_images, m, sizeof *images);
    if (!images) return false;
    p->images = images;
    p->n_images = m;
  }
  return true;
}

/* Streaming: a face is subset when first drawn, before later pages are
 * known, so it keeps every character it covers (never a missing glyph);
 * rp_pdf_fonts_exact cuts it to those drawn before saving. rp_render_pdf
 * collects the characters drawn instead. */
static bool mark_coverage(rp_pdf *p) {
  for (size_t i = 0; i < p->n_fonts; i++) {
    const rp_font *f = rp_fontset_get(p->doc->fonts, (int)i);
    if (p->font_used[i] || !f) continue;
    uint8_t *bits = rp_arena_calloc(p->scratch, 65536 / 8, 1);
    if (!bits) return false;
    for (uint32_t cp = 0x20; cp < 65536; cp++)
      if (rp_font_covers(f, cp)) bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    p->font_used[i] = bits;
  }
  return true;
}

static void draw_page_items(rp_pdf *p, size_t index);

/* Draws page `index`; the strings made for libharu on the way (cleaned
 * UTF-8, kerned pieces) are freed once it is drawn, so that they do not add
 * up over a long document. */
static void draw_page(rp_pdf *p, size_t index) {
  rp_pdf_text_forget(p); /* (the last page may be freed, and this one made where it was) */
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

/* ---- the spool: finished pages out of memory ------------------------- */

/* libharu keeps every page's content stream in memory until the document is
 * saved, and deflates it then: for a long document the largest part of its
 * memory. A finished page's stream is deflated now instead, by the same
 * libharu function, into one spool file shared by all pages, and replaced by
 * a stream that reads that range back while the document is saved; the
 * dictionary is switched to no filter (so saving copies the bytes as they
 * are) and writes its Filter entry itself. The file is byte for byte what
 * libharu would have written. The spool has no name (O_TMPFILE, or unlinked
 * at once) and sits next to the output, on its file system: gone with its
 * descriptor, whatever happens. */

typedef struct spool_range {
  rp_pdf *p;
  uint64_t off;       /* bytes: where the page's stream starts in the spool */
  HPDF_UINT len, pos; /* its length; the read position */
} spool_range;

/* Writes n bytes at off to the spool file; false (spool_err set) on failure. */
static bool spool_pwrite(rp_pdf *p, const void *ptr, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n && !p->spool_err) {
    ssize_t k = pwrite(p->spool_fd, (const uint8_t *)ptr + done, n - done, (off_t)(off + done));
    if (k > 0)
      done += (size_t)k;
    else if (k < 0 && errno != EINTR)
      p->spool_err = errno;
    else if (k == 0)
      p->spool_err = EIO;
  }
  return !p->spool_err;
}

/* The buffered bytes into the file. */
static bool spool_flush(rp_pdf *p) {
  if (!p->spool_spilt) return true; /* in memory: read from there */
  size_t n = p->spool_used;
  p->spool_used = 0;
  return n == 0 || spool_pwrite(p, p->spool_buf, n, p->spool_len - n);
}

/* Appends n bytes to the spool; false (spool_err set) on failure. The
 * first SPOOL_MEM bytes (render.h spool_memory) stay in memory: a short document (the review's
 * spool is ~150 KB) is saved without a write or read of the file (they were
 * ~1,300 system calls, a few ms). Past that, everything goes to the file,
 * gathered SPOOL_BUF at a time: written as they came, a long document made
 * half a million small writes (a sixth of its time, in the kernel). */
#define SPOOL_BUF (64u << 10)
#define SPOOL_MEM (1u << 20)
static bool spool_spill(rp_pdf *p) {
  p->spool_spilt = true;
  p->spool_used = 0;
  if (p->spool_len && !spool_pwrite(p, p->spool_buf, p->spool_len, 0)) return false;
  if (p->spool_cap > SPOOL_BUF) { /* back to a write buffer's size */
    uint8_t *b = rp_mem_realloc(p->spool_buf, SPOOL_BUF);
    if (b) p->spool_buf = b;
  }
  return true;
}

static bool spool_append(rp_pdf *p, const void *ptr, size_t n) {
  if (p->spool_err) return false;
  if (!p->spool_spilt) {
    size_t need = p->spool_len + n;
    if (need <= p->spool_keep && need > p->spool_cap) {
      size_t cap = p->spool_cap ? p->spool_cap : SPOOL_BUF;
      while (cap < need) cap *= 2;
      uint8_t *b = rp_mem_realloc(p->spool_buf, cap);
      if (b) p->spool_buf = b, p->spool_cap = cap;
    }
    if (need <= p->spool_cap && need <= p->spool_keep) {
      memcpy(p->spool_buf + p->spool_len, ptr, n);
      p->spool_len += n;
      return true;
    }
    if (!spool_spill(p)) return false; /* too long to keep, or no memory for it */
  }
  if (!p->spool_buf && !(p->spool_buf = rp_mem_alloc(SPOOL_BUF))) {
    if (!spool_pwrite(p, ptr, n, p->spool_len)) return false; /* unbuffered, then */
    p->spool_len += n;
    return true;
  }
  if (p->spool_used + n > SPOOL_BUF && !spool_flush(p)) return false;
  if (n >= SPOOL_BUF) {
    if (!spool_pwrite(p, ptr, n, p->spool_len)) return false;
  } else {
    memcpy(p->spool_buf + p->spool_used, ptr, n);
    p->spool_used += n;
  }
  p->spool_len += n;
  return true;
}

static HPDF_STATUS HPDF_STDCALL spool_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT n) {
  rp_pdf *p = s->attr;
  if (!spool_append(p, ptr, n))
    return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)p->spool_err);
  return HPDF_OK;
}

/* Reads n bytes at off from the spool; false (spool_err set) on failure. */
static bool spool_pread(rp_pdf *p, uint64_t off, HPDF_BYTE *buf, size_t n) {
  if (!p->spool_spilt) {
    if (off > p->spool_len || n > p->spool_len - off) {
      if (!p->spool_err) p->spool_err = EIO;
      return false;
    }
    if (n) memcpy(buf, p->spool_buf + off, n);
    return true;
  }
  if (p->spool_used && !spool_flush(p)) return false;
  size_t done = 0;
  while (done < n) {
    ssize_t k = pread(p->spool_fd, buf + done, n - done, (off_t)(off + done));
    if (k > 0) {
      done += (size_t)k;
    } else if (k == 0 || errno != EINTR) {
      if (!p->spool_err) p->spool_err = k < 0 ? errno : EIO;
      return false;
    }
  }
  return true;
}

static HPDF_STATUS HPDF_STDCALL spool_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *size) {
  spool_range *r = s->attr;
  HPDF_UINT n = *size < r->len - r->pos ? *size : r->len - r->pos;
  if (!spool_pread(r->p, r->off + r->pos, ptr, n)) {
    *size = 0;
    return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)r->p->spool_err);
  }
  r->pos += n;
  *size = n;
  return r->pos == r->len ? HPDF_STREAM_EOF : HPDF_OK;
}

/* A seek within a range of `len` bytes read at *at (the spool's and
 * memory's read-back streams). */
static HPDF_STATUS range_seek(HPDF_Stream s, HPDF_UINT *at, HPDF_UINT len, HPDF_INT pos,
                              HPDF_WhenceMode mode) {
  long long to = mode == HPDF_SEEK_SET   ? pos
                 : mode == HPDF_SEEK_CUR ? (long long)*at + pos
                                         : (long long)len + pos;
  if (to < 0 || to > len) return HPDF_SetError(s->error, HPDF_STREAM_EOF, 0);
  *at = (HPDF_UINT)to;
  return HPDF_OK;
}

static HPDF_STATUS HPDF_STDCALL spool_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode) {
  spool_range *r = s->attr;
  return range_seek(s, &r->pos, r->len, pos, mode);
}

static HPDF_INT32 HPDF_STDCALL spool_tell(HPDF_Stream s) {
  return (HPDF_INT32)((spool_range *)s->attr)->pos;
}

static HPDF_UINT32 HPDF_STDCALL spool_size(HPDF_Stream s) { return ((spool_range *)s->attr)->len; }

/* A spool file in the folder of `out_path`, else in TMPDIR; -1 (errno
 * set) when none can be made. */
static int spool_fd_for(const char *out_path) {
  const char *slash = strrchr(out_path, '/');
  char dir[4096];
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else if (slash == out_path)
    snprintf(dir, sizeof dir, "/");
  else
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - out_path), out_path);
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) { /* a file system without O_TMPFILE: a name, unlinked at once */
    char name[4200];
    snprintf(name, sizeof name, "%s/.reviewpdf-spool-XXXXXX", dir);
    fd = mkostemp(name, O_CLOEXEC);
    if (fd >= 0) unlink(name);
  }
  if (fd < 0) {
    FILE *f = tmpfile();
    fd = f ? dup(fileno(f)) : -1;
    if (f) fclose(f);
  }
  return fd;
}

/* Opens the spool for the PDF at `out_path` (spool_fd_for). */
static bool spool_open(rp_pdf *p, const char *out_path) {
  p->spool_fd = spool_fd_for(out_path);
  if (p->spool_fd >= 0) return true;
  rp_pdf_error(p, RP_ERR_INPUT, p->out_name, 0,
               "cannot make a temporary file next to the PDF: %s; check that the folder is "
               "writable",
               strerror(errno));
  return false;
}

/* After a write to the spool: true, with the error recorded, when it failed
 * (libharu's own error for it is taken: ours says why). */
static bool spool_failed(rp_pdf *p) {
  if (!p->spool_err) return false;
  rp_pdf_take_error(p, &(HPDF_STATUS){0}, &(HPDF_STATUS){0});
  rp_pdf_error(p, RP_ERR_INPUT, p->out_name, 0,
               "cannot write the temporary file next to the PDF: %s; check that the disk has room",
               strerror(p->spool_err));
  return true;
}

/* The filter entry libharu itself writes for a Flate stream (HPDF_Dict_Write:
 * after the other entries, as its list puts the Filter array last). */
static HPDF_STATUS HPDF_STDCALL write_flate_filter(HPDF_Dict obj, HPDF_Stream stream) {
  (void)obj;
  return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

/* Stream `s`'s bytes into *raw (base/mem; the caller frees it), *len of
 * them; false when out of memory or libharu could not read it. */
static bool read_stream(HPDF_Stream s, uint8_t **raw, size_t *len) {
  size_t n_all = HPDF_Stream_Size(s), got = 0;
  *len = n_all;
  *raw = rp_mem_alloc(n_all ? n_all : 1);
  if (!*raw) return false;
  if (s->type == HPDF_STREAM_MEMORY) {
    /* its chunks copied whole: HPDF_Stream_Read copies a byte at a time
     * (HPDF_MemCpy), about 2 M instructions of the review */
    HPDF_UINT count = HPDF_MemStream_GetBufCount(s);
    for (HPDF_UINT i = 0; i < count && got <= n_all; i++) {
      HPDF_UINT n = 0;
      const HPDF_BYTE *chunk = HPDF_MemStream_GetBufPtr(s, i, &n);
      if (!chunk || n > n_all - got) break;
      memcpy(*raw + got, chunk, n);
      got += n;
    }
    if (got == n_all) return true; /* (else read it as any stream) */
    got = 0;
  }
  bool ok = HPDF_Stream_Seek(s, 0, HPDF_SEEK_SET) == HPDF_OK;
  while (ok && got < n_all) {
    HPDF_UINT n = n_all - got > 0x10000000 ? 0x10000000 : (HPDF_UINT)(n_all - got);
    HPDF_STATUS st = HPDF_Stream_Read(s, *raw + got, &n);
    got += n;
    ok = (st == HPDF_OK || st == HPDF_STREAM_EOF) && n > 0;
  }
  return ok && got == n_all;
}

/* Stream `s`'s bytes deflated by p->flate into *z (base/mem; the caller
 * frees it); false when out of memory or libharu could not read it. */
static bool deflate_stream(rp_pdf *p, HPDF_Stream s, uint8_t **z, size_t *zlen) {
  *z = NULL;
  uint8_t *raw;
  size_t len;
  bool ok = read_stream(s, &raw, &len) && rp_flate_deflate(p->flate, raw, len, z, zlen);
  rp_mem_free(raw);
  return ok;
}

/* A finished page's content stream, or NULL when it is not to be spooled:
 * a page whose text object or graphics state is still open is left alone
 * (libharu closes those when it saves, writing to the stream). */
static HPDF_Dict page_stream(HPDF_Page page) {
  HPDF_PageAttr attr = page->attr;
  HPDF_Dict c = attr ? attr->contents : NULL;
  if (!c || !c->stream || c->stream != attr->stream || c->write_fn ||
      (c->filter != HPDF_STREAM_FILTER_FLATE_DECODE && c->filter != HPDF_STREAM_FILTER_NONE) ||
      HPDF_Stream_Size(c->stream) == 0)
    return NULL;
  if (attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION || (attr->gstate && attr->gstate->prev))
    return NULL;
  return c;
}

/* Records that keeping a page failed (st: why), unless libharu's error says more. */
static void keep_failed(rp_pdf *p, HPDF_STATUS st) {
  if (rp_pdf_ok(p, "keep a page", NULL))
    rp_pdf_error(
        p, RP_ERR_INTERNAL, NULL, 0,
        st == HPDF_FAILD_TO_ALLOC_MEM ? "out of memory" : "PDF writer failed to keep a page");
}

/* Puts a page's content stream `c`'s data in the spool and makes the
 * stream read it back from there: with `z`, its deflated bytes (zlen of
 * them), else (no filter) its own bytes. st: HPDF_OK, or why its bytes
 * could not be had. `attr`: the page's state while the page is kept (its
 * stream pointer follows), NULL once the page is written (release_page). */
static void spool_stream(rp_pdf *p, HPDF_Dict c, HPDF_PageAttr attr, const uint8_t *z, size_t zlen,
                         HPDF_STATUS st) {
  if (p->spool_err) return; /* reported once; the render fails */
  spool_range *r = rp_arena_alloc(p->scratch, sizeof *r);
  HPDF_Stream w = r ? HPDF_CallbackWriter_New(c->mmgr, spool_write, p) : NULL;
  if (!w) {
    keep_failed(p, HPDF_FAILD_TO_ALLOC_MEM);
    return;
  }
  *r = (spool_range){.p = p, .off = p->spool_len};
  if (st == HPDF_OK && c->filter == HPDF_STREAM_FILTER_FLATE_DECODE) {
    if (!spool_append(p, z, zlen)) st = HPDF_FILE_IO_ERROR;
  } else if (st == HPDF_OK) {
    st = HPDF_Stream_WriteToStream(c->stream, w, c->filter, NULL);
  }
  HPDF_Stream_Free(w);
  uint64_t len = p->spool_len - r->off;
  if (spool_failed(p)) return;
  if (st != HPDF_OK || len > 0x7FFFFFFF) {
    keep_failed(p, st);
    return;
  }
  r->len = (HPDF_UINT)len;
  HPDF_Stream back =
      HPDF_CallbackReader_New(c->mmgr, spool_read, spool_seek, spool_tell, spool_size, r);
  if (!back) {
    keep_failed(p, HPDF_FAILD_TO_ALLOC_MEM);
    return;
  }
  if (attr && attr->stream == c->stream) attr->stream = back;
  HPDF_Stream_Free(c->stream);
  c->stream = back;
  if (c->filter == HPDF_STREAM_FILTER_FLATE_DECODE) c->write_fn = write_flate_filter;
  c->filter = HPDF_STREAM_FILTER_NONE;
}

/* ---- deflating on a second thread ---------------------------------------- */

/* A page's content stream given to the worker (render/flate.h) while the
 * next page is drawn: the spool gets its bytes, and the stream becomes the
 * spool's reader, when the next page is drawn (or the render ends). The
 * spool's layout is not the PDF's: the file is byte for byte what deflating
 * on this thread writes (test_threads.sh compares them). */
/* A stream object whose data is final long before it is saved (an SVG's
 * form, a held document's font maps) deflated on the worker meanwhile
 * (rp_pdf_deflate_early): saving takes its bytes when the stream then holds
 * the same data, as it must. */
typedef struct early_job {
  const void *key; /* the stream object (or its data, till it has one) */
  rp_flate_job job;
  uint8_t *raw; /* the data as given: the job's input, compared when saving */
  struct early_job *next;
} early_job;

/* A page's stream out with the worker. */
typedef struct page_job {
  rp_flate_job job;
  uint8_t *raw;       /* the stream's bytes, the job's input */
  size_t index;       /* the page */
  HPDF_Dict contents; /* its content stream (the page may be freed first) */
} page_job;

/* Pages out with the worker at most: a page is drawn while those before it
 * are deflated, without waiting for each in turn (the map's page took the
 * worker 0.8 ms, and the short page after it waited that long), and the
 * worker catches up by the end. Each holds a page's stream twice (drawn and
 * deflated): 8 cost the pack at N=22000 0.3 MB of peak, 4 nothing. */
#define PAGES_OUT 4
/* A held document's pages all go out with the worker, up to HELD_OUT of
 * them and streams of as many bytes as the spool keeps in memory (1 MiB;
 * the review's 13 pages: 150 KB): nothing needs their bytes before the
 * save, so the pages are drawn without waiting for any (the worker, with
 * the faces' cuts and streams too, was the review's busier thread: main
 * waited for it 1.5 ms of 5), and the two share what is left at the end
 * (deflating_drain). */
#define HELD_OUT 256

struct rp_pdf_deflating {
  rp_flate_worker *worker; /* NULL once stopped */
  page_job *out; /* a ring of n_out (base/mem): the oldest at `first`, `pending` of them */
  size_t n_out, first, pending;
  size_t out_bytes; /* the streams' bytes of the pages out */
  bool declined;    /* no worker: deflate on this thread */
  early_job *early;
};

/* Whether the worker may be used: not with faults injected (they must fall
 * in one order), not under a memory budget (two threads' allocations meet
 * their peak in any order: pipeline.c's load() says why), not when asked
 * (RP_SERIAL_DEFLATE=1: tests compare the two). */
static bool threads_allowed(void) {
  const char *serial = getenv("RP_SERIAL_DEFLATE");
  return !rp_mem_faults_armed() && !rp_limit_given(RP_LIMIT_MEMORY_MIB) &&
         !(serial && *serial && strcmp(serial, "0") != 0);
}

static bool may_thread(const rp_pdf *p) {
  return threads_allowed() && !rp_arena_faults_armed(p->scratch);
}

/* The worker, started on first use (`more`: there is more to deflate than
 * this, or a thread would only cost); NULL when this thread deflates. */
static struct rp_pdf_deflating *worker_of(rp_pdf *p, bool more) {
  struct rp_pdf_deflating *dz = p->deflating;
  if (!dz) {
    if (!more || !p->flate || !may_thread(p)) return NULL;
    dz = p->deflating = rp_mem_calloc(1, sizeof *dz);
    if (dz && !(dz->worker = rp_flate_worker_new(p->flate))) dz->declined = true;
  }
  return dz && !dz->declined && dz->worker ? dz : NULL;
}

/* The oldest page given to the worker, spooled once it is deflated; its stream
 * then written and freed too if its page is written already (release_page
 * ran while the worker deflated; a page kept names its stream still). */
static bool free_page_stream(rp_pdf *p, HPDF_Dict c);
static void spool_oldest(rp_pdf *p) {
  struct rp_pdf_deflating *dz = p->deflating;
  page_job *pj = &dz->out[dz->first];
  bool ok = rp_flate_worker_wait(dz->worker, &pj->job);
  dz->first = (dz->first + 1) % dz->n_out;
  dz->pending--;
  dz->out_bytes -= pj->job.len;
  rp_mem_free(pj->raw);
  pj->raw = NULL;
  HPDF_Page page = p->pages[pj->index];
  spool_stream(p, pj->contents, page ? page->attr : NULL, pj->job.out, pj->job.out_len,
               ok && pj->job.out_len <= 0x7FFFFFFF ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM);
  rp_mem_free(pj->job.out);
  pj->job.out = NULL;
  if (!page) free_page_stream(p, pj->contents);
  pj->contents = NULL;
}

/* The pages given to the worker spooled, in order: those it has done
 * (`all`: every one, waited for). */
static void spool_deflated(rp_pdf *p, bool all) {
  struct rp_pdf_deflating *dz = p->deflating;
  while (dz && dz->pending && (all || rp_flate_worker_done(dz->worker, &dz->out[dz->first].job)))
    spool_oldest(p);
}

/* Gives page `index`'s stream `c` to the worker (those before it that it
 * has done spooled first, and the oldest waited for while the ring is full
 * or more than spool_keep bytes are out); false when it stays with this
 * thread. A held document's last page starts no thread. */
static bool hand_over(rp_pdf *p, size_t index, HPDF_Dict c) {
  struct rp_pdf_deflating *dz = worker_of(p, p->streaming || index + 1 < p->doc->pages.len);
  if (!dz) return false;
  if (!dz->out) { /* (the ring never moves: the worker's queue links its jobs) */
    size_t n = p->streaming ? PAGES_OUT : p->doc->pages.len;
    dz->n_out = n < PAGES_OUT ? PAGES_OUT : n > HELD_OUT ? HELD_OUT : n;
    if (!(dz->out = rp_mem_calloc(dz->n_out, sizeof *dz->out))) return false;
  }
  spool_deflated(p, false);
  while (dz->pending == dz->n_out || (dz->pending && dz->out_bytes > p->spool_keep))
    spool_oldest(p);
  uint8_t *raw;
  size_t len;
  if (!read_stream(c->stream, &raw, &len)) {
    rp_mem_free(raw);
    return false; /* this thread's deflate says why */
  }
  dz->out_bytes += len;
  page_job *pj = &dz->out[(dz->first + dz->pending++) % dz->n_out];
  *pj = (page_job){.raw = raw, .index = index, .contents = c, .job = {.in = raw, .len = len}};
  rp_flate_worker_push(dz->worker, &pj->job);
  return true;
}

/* Starts deflating a copy of data[0, len) on the worker under `key`. */
static void deflate_copy(rp_pdf *p, const void *key, const uint8_t *data, size_t len) {
  struct rp_pdf_deflating *dz = worker_of(p, true);
  early_job *e = dz ? rp_mem_calloc(1, sizeof *e) : NULL;
  uint8_t *raw = e ? rp_mem_alloc(len ? len : 1) : NULL;
  if (!raw) {
    rp_mem_free(e);
    return; /* saving deflates it */
  }
  memcpy(raw, data, len);
  *e = (early_job){.key = key, .raw = raw, .job = {.in = raw, .len = len}, .next = dz->early};
  dz->early = e;
  rp_flate_worker_push(dz->worker, &e->job);
}

void rp_pdf_deflate_early(rp_pdf *p, HPDF_Dict d) {
  if (!d || !d->stream || !worker_of(p, true)) return;
  uint8_t *raw;
  size_t len;
  if (read_stream(d->stream, &raw, &len)) deflate_copy(p, d, raw, len);
  rp_mem_free(raw);
}

bool rp_pdf_deflate_ready(rp_pdf *p) { return worker_of(p, true) != NULL; }

bool rp_pdf_worker_push(rp_pdf *p, rp_flate_job *job) {
  struct rp_pdf_deflating *dz = worker_of(p, true);
  if (dz) rp_flate_worker_push(dz->worker, job);
  return dz != NULL;
}

bool rp_pdf_worker_wait(rp_pdf *p, rp_flate_job *job) {
  struct rp_pdf_deflating *dz = p->deflating;
  return dz && dz->worker ? rp_flate_worker_wait(dz->worker, job) : job->ok;
}

void rp_pdf_deflate_data_early(rp_pdf *p, const void *data, size_t len) {
  if (data && worker_of(p, true)) deflate_copy(p, data, data, len);
}

void rp_pdf_deflate_rekey(rp_pdf *p, const void *data, HPDF_Dict d) {
  for (early_job *e = p->deflating ? p->deflating->early : NULL; e; e = e->next)
    if (e->key == data) e->key = d;
}

/* The pages given to the worker spooled and the streams given early
 * deflated: every job waited for. The worker stays for the object streams
 * (save_objects), and is stopped when the render is freed (deflating_free),
 * or left to the process's end with the rest (leave_memory: waking it to
 * end and joining it was the save's last wait). */
static void deflating_drain(rp_pdf *p) {
  struct rp_pdf_deflating *dz = p->deflating;
  if (!dz || !dz->worker) return;
  /* what the thread has not started, done here meanwhile with this
   * thread's compressor: taken newest first (the last pages, then the
   * fonts' streams), as it takes the oldest */
  for (size_t i = dz->pending; i-- > 0;)
    rp_flate_worker_wait(dz->worker, &dz->out[(dz->first + i) % dz->n_out].job);
  for (early_job *e = dz->early; e; e = e->next) rp_flate_worker_wait(dz->worker, &e->job);
  spool_deflated(p, true);
}

/* Stream `d`'s data deflated into *z (base/mem; the caller frees it): the
 * worker's bytes when it was given the same data early, else deflated
 * here; false when out of memory or libharu could not read it. Every job
 * given early is done (deflating_drain). */
static bool deflate_object(rp_pdf *p, HPDF_Dict d, uint8_t **z, size_t *zlen) {
  *z = NULL;
  uint8_t *raw;
  size_t len;
  if (!read_stream(d->stream, &raw, &len)) {
    rp_mem_free(raw);
    return false;
  }
  struct rp_pdf_deflating *dz = p->deflating;
  early_job **at = dz ? &dz->early : NULL;
  while (at && *at && (*at)->key != d) at = &(*at)->next;
  early_job *e = at ? *at : NULL;
  if (e) *at = e->next;
  bool ok;
  if (e && e->job.ok && e->job.len == len && memcmp(e->raw, raw, len) == 0) {
    *z = e->job.out, *zlen = e->job.out_len;
    e->job.out = NULL;
    ok = true;
  } else {
    ok = rp_flate_deflate(p->flate, raw, len, z, zlen);
  }
  if (e) rp_mem_free(e->job.out), rp_mem_free(e->raw), rp_mem_free(e);
  rp_mem_free(raw);
  return ok;
}

/* Stops the worker (a page given to it is dropped) and frees what it made. */
static void deflating_free(rp_pdf *p) {
  struct rp_pdf_deflating *dz = p->deflating;
  if (!dz) return;
  for (size_t i = 0; i < dz->pending; i++) {
    page_job *pj = &dz->out[(dz->first + i) % dz->n_out];
    if (dz->worker) rp_flate_worker_wait(dz->worker, &pj->job);
    rp_mem_free(pj->raw);
    rp_mem_free(pj->job.out);
  }
  rp_flate_worker_free(dz->worker);
  for (early_job *e = dz->early, *next; e; e = next) {
    next = e->next;
    rp_mem_free(e->job.out), rp_mem_free(e->raw), rp_mem_free(e);
  }
  rp_mem_free(dz->out);
  rp_mem_free(dz);
  p->deflating = NULL;
}

/* Moves a finished page's content stream (deflated unless --uncompressed
 * asked for none) to the spool: deflated on the worker when there is one
 * (spooled when the next page is drawn), else here. */
static void spool_page(rp_pdf *p, size_t index) {
  HPDF_Page page = p->pages[index];
  HPDF_Dict c = page_stream(page);
  if (!c || p->spool_err) return;
  if (c->filter != HPDF_STREAM_FILTER_FLATE_DECODE) {
    spool_stream(p, c, page->attr, NULL, 0, HPDF_OK);
    return;
  }
  if (hand_over(p, index, c)) return;
  uint8_t *z;
  size_t zlen = 0;
  bool ok = deflate_stream(p, c->stream, &z, &zlen);
  spool_stream(p, c, page->attr, z, zlen, ok ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM);
  rp_mem_free(z);
}

/* The PDF file being written. libharu writes in pieces of a few bytes,
 * gathered here into 32 KB writes. A compressed document is written object
 * by object (save_objects): streams go to the file as libharu writes them,
 * every other object's value goes, as libharu writes it, into an object
 * stream (render/objstm.h), whose finished parts wait in the spool; an
 * uncompressed one (debugging) is libharu's own file, every object left
 * readable where libharu put it. */
typedef struct out_file {
  FILE *f;
  int err;      /* errno of the first failed write */
  rp_pdf *p;    /* the document, for its spool */
  rp_objstm *w; /* the object-stream writer, or NULL */
  uint8_t *val; /* the trailer's entries */
  size_t val_len, val_cap;
  bool val_nomem;
  size_t used;
  HPDF_BYTE buf[1 << 15];
} out_file;

static void out_write_file(out_file *o, const void *data, size_t n) {
  errno = 0;
  if (!o->err && n && fwrite(data, 1, n, o->f) != n) o->err = errno ? errno : EIO;
}

static void out_flush(out_file *o) {
  out_write_file(o, o->buf, o->used);
  o->used = 0;
}

static void out_put(out_file *o, const HPDF_BYTE *ptr, size_t n) {
  while (n > 0 && !o->err) {
    size_t k = sizeof o->buf - o->used < n ? sizeof o->buf - o->used : n;
    memcpy(o->buf + o->used, ptr, k);
    o->used += k;
    ptr += k;
    n -= k;
    if (o->used == sizeof o->buf) out_flush(o);
  }
}

/* The object-stream writer's file, and where it keeps finished object
 * streams until the end: the spool. */
static bool io_write(void *user, const void *data, size_t n) {
  out_file *o = user;
  out_put(o, data, n);
  return !o->err;
}

static bool io_keep(void *user, const void *data, size_t n, uint64_t *at) {
  rp_pdf *p = ((out_file *)user)->p;
  *at = p->spool_len;
  return spool_append(p, data, n);
}

static bool io_fetch(void *user, uint64_t at, void *data, size_t n) {
  return spool_pread(((out_file *)user)->p, at, data, n);
}

/* The object streams deflated on the worker while the next is filled, and
 * waited for (pdf_doc.c's save keeps it till the writer is freed). */
static bool io_start(void *user, rp_flate_job *job) {
  return rp_pdf_worker_push(((out_file *)user)->p, job);
}

static bool io_wait(void *user, rp_flate_job *job) {
  return rp_pdf_worker_wait(((out_file *)user)->p, job);
}

static HPDF_STATUS HPDF_STDCALL out_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT n) {
  out_file *o = s->attr;
  if (o->w)
    rp_objstm_write(o->w, ptr, n);
  else
    out_put(o, ptr, n);
  if (o->err) return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)o->err);
  return HPDF_OK;
}

/* libharu's writes of the trailer's entries. */
static HPDF_STATUS HPDF_STDCALL val_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT n) {
  out_file *o = s->attr;
  if (o->val_cap - o->val_len < n) {
    size_t cap = o->val_cap ? o->val_cap : 4096;
    while (cap - o->val_len < n) cap *= 2;
    uint8_t *v = rp_mem_realloc(o->val, cap);
    if (!v) {
      o->val_nomem = true;
      return HPDF_SetError(s->error, HPDF_FAILD_TO_ALLOC_MEM, 0);
    }
    o->val = v, o->val_cap = cap;
  }
  memcpy(o->val + o->val_len, ptr, n);
  o->val_len += n;
  return HPDF_OK;
}

/* libharu's writes of a value to be packed: into the object stream as
 * they come. */
static HPDF_STATUS HPDF_STDCALL pack_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT n) {
  out_file *o = s->attr;
  if (rp_objstm_value(o->w, ptr, n)) return HPDF_OK;
  return HPDF_SetError(s->error,
                       rp_objstm_nomem(o->w) ? HPDF_FAILD_TO_ALLOC_MEM : HPDF_FILE_IO_ERROR, 0);
}

/* Writes dictionary `dict`'s entries to w (the spool's writer, at `off` when
 * they start) as libharu would; with key >= 0 the /StructParent entry is
 * left out and *cut says where it was. */
static HPDF_STATUS put_entries(rp_pdf *p, HPDF_Dict dict, HPDF_Stream w, uint64_t off, long key,
                               uint64_t *cut) {
  HPDF_STATUS st = HPDF_OK;
  for (HPDF_UINT i = 0; st == HPDF_OK && i < dict->list->count; i++) {
    HPDF_DictElement el = HPDF_List_ItemAt(dict->list, i);
    const HPDF_Obj_Header *h = el->value;
    if (!h) st = HPDF_INVALID_OBJECT;
    if (st != HPDF_OK || (h->obj_id & HPDF_OTYPE_HIDDEN)) continue;
    if (key >= 0 && strcmp(el->key, "StructParent") == 0) {
      *cut = p->spool_len - off;
      continue;
    }
    st = HPDF_Stream_WriteEscapeName(w, el->key);
    if (st == HPDF_OK) st = HPDF_Stream_WriteChar(w, ' ');
    if (st == HPDF_OK) st = HPDF_Obj_Write(el->value, w, NULL);
    if (st == HPDF_OK) st = HPDF_Stream_WriteStr(w, "\012");
  }
  return st;
}

/* A libharu stream writing to the spool; NULL (reported, as `what` failing)
 * when memory runs out. */
static HPDF_Stream spool_writer(rp_pdf *p, HPDF_MMgr mm, const char *what) {
  HPDF_Stream w = HPDF_CallbackWriter_New(mm, spool_write, p);
  if (!w && rp_pdf_ok(p, what, NULL)) rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
  return w;
}

#define SLOT_STREAM 0xFFFFFFFFu /* a freed object's key: it is a stream (slot_release) */
/* A freed object's key: a page's /Length, spooled once the worker is done
 * with its page (a time that varies): no key, but not packed early (save). */
#define SLOT_LATE 0xFFFFFFFEu
static bool spool_free(rp_pdf *p, void *obj, const char *text, size_t len, long key);
static bool slot_release(rp_pdf *p, void *obj, uint64_t off, long key, uint64_t cut, uint64_t data);

/* A drawn page's content stream (its data deflated in the spool) once the
 * page's dictionary is spooled too (nothing names it then): the stream's
 * dictionary written as HPDF_Dict_Write would, up to its data, and freed with
 * its /Length object (about 600 bytes a page); the save copies the data
 * after it. */
static bool free_page_stream(rp_pdf *p, HPDF_Dict c) {
  if (!c || !c->stream || c->stream->read_fn != spool_read || c->write_fn != write_flate_filter ||
      c->before_write_fn || c->after_write_fn || p->pdf->compression_mode == HPDF_COMP_NONE ||
      p->spool_err)
    return false;
  const spool_range *r = c->stream->attr;
  HPDF_Number length = HPDF_Dict_GetItem(c, "Length", HPDF_OCLASS_NUMBER);
  HPDF_Stream w = length ? HPDF_CallbackWriter_New(c->mmgr, spool_write, p) : NULL;
  if (!w) {
    rp_pdf_take_error(p, &(HPDF_STATUS){0}, &(HPDF_STATUS){0});
    return false; /* kept as it is */
  }
  uint64_t off = p->spool_len, cut = 0, data = r->off;
  uint32_t n = r->len;
  HPDF_STATUS st = HPDF_Stream_WriteStr(w, "<<\012");
  if (st == HPDF_OK) st = put_entries(p, c, w, off, -1, &cut);
  if (st == HPDF_OK) st = write_flate_filter(c, w);
  if (st == HPDF_OK) st = HPDF_Stream_WriteStr(w, ">>\012stream\015\012");
  HPDF_Stream_Free(w);
  if (spool_failed(p)) return false;
  char len[16];
  snprintf(len, sizeof len, "%u", (unsigned)n);
  if (st != HPDF_OK || !slot_release(p, c, off, (long)SLOT_STREAM - 1, n, data) ||
      !spool_free(p, length, len, strlen(len), (long)SLOT_LATE - 1)) {
    if (!spool_failed(p) && rp_pdf_ok(p, "keep a page", NULL))
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "PDF writer failed to keep a page");
    return false;
  }
  return true;
}

/* A drawn page's dictionary, written to the spool as saving would write it
 * and freed with libharu's state of the page (its graphics state, fonts and
 * resources: about 600 bytes), then its content stream's dictionary
 * (free_page_stream). What refers to the page from here refers to its
 * stand-in (rp_pdf_page_ref). A page libharu would still write to (a text
 * object or a saved state left open), or any page of an uncompressed file
 * (libharu's own save), stays. */
static bool release_page(rp_pdf *p, size_t index) {
  HPDF_Page page = p->pages[index];
  HPDF_PageAttr attr = page ? page->attr : NULL;
  if (!attr || attr->gmode != HPDF_GMODE_PAGE_DESCRIPTION || (attr->gstate && attr->gstate->prev))
    return false;
  HPDF_Dict c = attr->contents;
  if (!rp_pdf_spool_free(p, page, NULL, 0)) return false;
  p->pages[index] = NULL;
  /* libharu's own list of its pages and its current page: nothing reads
   * them once the pages are made, but no pointer to a freed page stays */
  HPDF_List list = p->pdf->page_list;
  if (list && index < list->count && list->obj[index] == page) list->obj[index] = NULL;
  if (p->pdf->cur_page == page) p->pdf->cur_page = NULL;
  if (p->page == page) p->page = NULL;
  free_page_stream(p, c);
  return true;
}

/* The entry of page `page`'s /Annots that refers to `a` (a proxy), or NULL. */
static HPDF_Proxy annot_ref(HPDF_Page page, HPDF_Annotation a) {
  HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
  for (HPDF_UINT i = annots ? annots->list->count : 0; i-- > 0;) {
    HPDF_Proxy x = HPDF_List_ItemAt(annots->list, i);
    if ((x->header.obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_PROXY && x->obj == a) return x;
  }
  return NULL;
}

bool rp_pdf_spool_annot(rp_pdf *p, HPDF_Annotation a, long key) {
  /* -1 for an untagged annotation: then it has no /StructParent to keep out. */
  bool tagged = HPDF_Dict_GetItem(a, "StructParent", HPDF_OCLASS_NUMBER) != NULL;
  if ((tagged && key < 0) || p->spool_err || a->write_fn || a->stream || a->before_write_fn ||
      a->after_write_fn || p->pdf->compression_mode == HPDF_COMP_NONE)
    return false;
  /* the page's /Annots names it by number from here: a stand-in (pdf_tag.c) */
  HPDF_Proxy ref = annot_ref(p->page, a);
  /* (an arena for the page's, made on first use, freed once its dictionary is spooled) */
  if (ref && !p->page_refs) p->page_refs = rp_arena_new_child(p->scratch);
  HPDF_Obj_Header *standin =
      ref ? rp_arena_alloc(p->page_refs ? p->page_refs : p->scratch, sizeof *standin) : NULL;
  if (!standin) return false;
  HPDF_Stream w = spool_writer(p, a->mmgr, "keep a link");
  if (!w) return false;
  uint64_t off = p->spool_len, cut = UINT64_MAX;
  HPDF_STATUS st = HPDF_Stream_WriteStr(w, "<<\012"); /* as HPDF_Dict_Write */
  if (st == HPDF_OK) st = put_entries(p, a, w, off, tagged ? key : -1, &cut);
  if (st == HPDF_OK) st = HPDF_Stream_WriteStr(w, ">>");
  HPDF_Stream_Free(w);
  if (spool_failed(p)) return false;
  if (tagged && cut == UINT64_MAX) return false; /* (the bytes stay unused) */
  *standin = (HPDF_Obj_Header){.obj_id = a->header.obj_id, .obj_class = HPDF_OCLASS_NULL};
  ref->obj = standin;
  if (st != HPDF_OK || !slot_release(p, a, off, tagged ? key : -1, cut, 0)) {
    ref->obj = a;
    if (!spool_failed(p) && rp_pdf_ok(p, "keep a link", NULL))
      rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "PDF writer failed to keep a link");
    return false;
  }
  rp_pdf_tag_annot_gone(p, key);
  return true;
}

/* ---- objects written and freed: the cross-reference keeps an offset ---- */

/* A freed object's slot in libharu's cross-reference list holds, instead of
 * an entry, the spool offset just past its value's trailer, shifted left and
 * odd: no entry pointer is odd. So the list costs 8 bytes for such an object,
 * and nothing else stays of it. The trailer (SLOT_TRAILER bytes, little
 * endian) is the value's length, and for an annotation whose /StructParent
 * is known only at the end (the page count plus its key) the key + 1 and
 * where in the value the entry goes; for a stream (a page's content, its
 * data already in the spool), SLOT_STREAM, the data's length and place. */
enum { SLOT_TRAILER = 20 };

typedef struct slot_info {
  uint64_t off;  /* the value's text */
  uint32_t len;  /* its length */
  uint32_t key1; /* annotation: its key + 1; SLOT_STREAM; SLOT_LATE; 0: none of them */
  uint32_t cut;  /* annotation: where its /StructParent goes; stream: the data's length */
  uint64_t data; /* stream: where its data is */
} slot_info;

static bool slot_spooled(const void *slot) { return ((uintptr_t)slot & 1) != 0; }

static uint32_t get32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put32(uint8_t *b, uint64_t v) {
  for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}

/* Bytes [off, off + len) of the spool into `to`. */
static bool copy_range(rp_pdf *p, uint64_t off, uint32_t len, HPDF_Stream to) {
  uint8_t buf[4096];
  for (uint32_t done = 0; done < len;) {
    uint32_t n = len - done < sizeof buf ? len - done : (uint32_t)sizeof buf;
    if (!spool_pread(p, off + done, buf, n) || HPDF_Stream_Write(to, buf, n) != HPDF_OK)
      return false;
    done += n;
  }
  return true;
}

/* What a freed object's slot says of it; false if the spool cannot say. */
static bool slot_read(rp_pdf *p, const void *slot, slot_info *si) {
  uint64_t end = (uint64_t)((uintptr_t)slot >> 1);
  uint8_t tr[SLOT_TRAILER];
  if (end < SLOT_TRAILER || !spool_pread(p, end - SLOT_TRAILER, tr, SLOT_TRAILER)) return false;
  *si = (slot_info){.len = get32(tr),
                    .key1 = get32(tr + 4),
                    .cut = get32(tr + 8),
                    .data = (uint64_t)get32(tr + 12) | (uint64_t)get32(tr + 16) << 32};
  if (si->len > end - SLOT_TRAILER || (si->key1 != SLOT_STREAM && si->cut > si->len)) return false;
  si->off = end - SLOT_TRAILER - si->len;
  return true;
}

/* The value of a freed object, read back into `to`. */
static bool copy_slot(rp_pdf *p, const slot_info *si, HPDF_Stream to) {
  if (si->key1 == SLOT_STREAM) /* as HPDF_Dict_Write ends a stream */
    return copy_range(p, si->off, si->len, to) && copy_range(p, si->data, si->cut, to) &&
           HPDF_Stream_WriteStr(to, "\012endstream") == HPDF_OK;
  if (!si->key1 || si->key1 == SLOT_LATE) return copy_range(p, si->off, si->len, to);
  char key[48];
  snprintf(key, sizeof key, "/StructParent %ld\012", (long)p->n_pages + (long)si->key1 - 1);
  return copy_range(p, si->off, si->cut, to) && HPDF_Stream_WriteStr(to, key) == HPDF_OK &&
         copy_range(p, si->off + si->cut, si->len - si->cut, to);
}

/* Ends the value written to the spool since `off` (key >= 0: its
 * /StructParent to be written at `cut`; key == SLOT_STREAM: a stream whose
 * `cut` bytes of data are at `data`): its trailer after it, the object freed
 * and its slot made to point there. */
static bool slot_release(rp_pdf *p, void *obj, uint64_t off, long key, uint64_t cut,
                         uint64_t data) {
  HPDF_Obj_Header *h = obj;
  HPDF_List entries = p->pdf->xref->entries;
  uint32_t id = h->obj_id & 0x00FFFFFF;
  uint64_t len = p->spool_len - off;
  uint8_t tr[SLOT_TRAILER];
  put32(tr, len);
  put32(tr + 4, key >= 0 ? (uint64_t)key + 1 : 0);
  put32(tr + 8, key >= 0 && key != SLOT_LATE - 1 ? cut : 0);
  put32(tr + 12, data);
  put32(tr + 16, data >> 32);
  HPDF_XrefEntry e = id < entries->count ? entries->obj[id] : NULL;
  if (len > 0x7FFFFFFF || cut > 0x7FFFFFFF ||
      (key >= 0x7FFFFFFF && key != SLOT_STREAM - 1 && key != SLOT_LATE - 1) || !e ||
      slot_spooled(e) || e->obj != obj || !spool_append(p, tr, SLOT_TRAILER))
    return false;
  HPDF_Obj_ForceFree(p->pdf->mmgr, obj);
  HPDF_FreeMem(p->pdf->mmgr, e);
  entries->obj[id] = (void *)(uintptr_t)(p->spool_len << 1 | 1);
  return true;
}

/* Writes `obj`'s value as saving would (a structure element's by pdf_tag). */
static HPDF_STATUS write_value(rp_pdf *p, void *obj, HPDF_Stream to) {
  HPDF_STATUS st;
  if (rp_pdf_tag_write(p, obj, to, &st)) return st;
  return HPDF_Obj_WriteValue(obj, to, NULL);
}

/* rp_pdf_spool_free, its slot's key `key` (-1: none; SLOT_LATE - 1). */
static bool spool_free(rp_pdf *p, void *obj, const char *text, size_t len, long key) {
  HPDF_Obj_Header *h = obj;
  if (p->spool_err || !(h->obj_id & HPDF_OTYPE_INDIRECT) || (h->obj_id & 0x00FFFFFF) == 0 ||
      ((h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT && ((HPDF_Dict)obj)->stream) ||
      p->pdf->compression_mode == HPDF_COMP_NONE || p->pdf->xref->start_offset != 0)
    return false;
  uint64_t off = p->spool_len;
  HPDF_STATUS st = HPDF_OK;
  if (text) {
    if (!spool_append(p, text, len)) st = HPDF_FILE_IO_ERROR;
  } else {
    HPDF_Stream w = HPDF_CallbackWriter_New(p->pdf->mmgr, spool_write, p);
    st = w ? write_value(p, obj, w) : HPDF_FAILD_TO_ALLOC_MEM;
    if (w) HPDF_Stream_Free(w);
  }
  if (spool_failed(p)) return false;
  if (st != HPDF_OK || !slot_release(p, obj, off, key, 0, 0)) {
    if (spool_failed(p)) return false;
    if (rp_pdf_ok(p, "keep an object", NULL))
      rp_pdf_error(
          p, RP_ERR_INTERNAL, NULL, 0,
          st == HPDF_FAILD_TO_ALLOC_MEM ? "out of memory" : "PDF writer failed to keep an object");
    return false;
  }
  return true;
}

bool rp_pdf_spool_free(rp_pdf *p, void *obj, const char *text, size_t len) {
  return spool_free(p, obj, text, len, -1);
}

/* Before libharu frees the document: the freed objects' slots out of its
 * list (it would free them as entries). */
static void drop_spooled_slots(rp_pdf *p) {
  if (!p->pdf || !p->pdf->xref) return;
  HPDF_List entries = p->pdf->xref->entries;
  HPDF_UINT n = 0;
  for (HPDF_UINT i = 0; i < entries->count; i++)
    if (!slot_spooled(entries->obj[i])) entries->obj[n++] = entries->obj[i];
  entries->count = n;
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

/* The page tree's /Kids and /Count (its last entries), as libharu writes
 * them: its array of the pages' stand-ins (rp_pdf_page_ref) and its count. */
static HPDF_STATUS HPDF_STDCALL write_kids(HPDF_Dict root, HPDF_Stream out) {
  const rp_pdf *p = root->attr;
  HPDF_STATUS st = HPDF_Stream_WriteStr(out, "/Kids [ ");
  char num[32];
  for (size_t i = 0; st == HPDF_OK && i < p->n_pages; i++) {
    const HPDF_Obj_Header *ref = rp_pdf_page_ref(p, i);
    snprintf(num, sizeof num, "%u 0 R ", (unsigned)(ref->obj_id & 0x00FFFFFF));
    st = HPDF_Stream_WriteStr(out, num);
  }
  snprintf(num, sizeof num, "]\012/Count %zu\012", p->n_pages);
  return st == HPDF_OK ? HPDF_Stream_WriteStr(out, num) : st;
}

/* The page tree, every page hanging from its root: /Type, then /Kids and
 * /Count written by write_kids (libharu's before-write hook, which counts
 * the pages in /Kids, goes). */
static void count_pages(rp_pdf *p) {
  HPDF_Pages root = p->pdf->root_pages;
  HPDF_List l = root->list;
  HPDF_DictElement type = l->count == 3 ? HPDF_List_ItemAt(l, 0) : NULL;
  HPDF_DictElement kids = type ? HPDF_List_ItemAt(l, 1) : NULL;
  HPDF_DictElement count = kids ? HPDF_List_ItemAt(l, 2) : NULL;
  if (!count || strcmp(type->key, "Type") != 0 || strcmp(kids->key, "Kids") != 0 ||
      ((HPDF_Array)kids->value)->list->count != 0 || strcmp(count->key, "Count") != 0 ||
      p->pdf->cur_pages != root || root->write_fn) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "PDF writer failed to count the pages");
    return;
  }
  HPDF_Dict_RemoveElement(root, "Count");
  HPDF_Dict_RemoveElement(root, "Kids");
  root->before_write_fn = NULL;
  root->write_fn = write_kids;
  root->attr = p;
}

static void finish(rp_pdf *p, long long epoch) {
  count_pages(p);
  rp_pdf_outline_finish(p);
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

/* A stream reading a buffer: a stream's deflated bytes, written in its
 * place while the document is saved. */
typedef struct mem_range {
  const uint8_t *data;
  HPDF_UINT len, pos;
} mem_range;

static HPDF_STATUS HPDF_STDCALL mem_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *size) {
  mem_range *r = s->attr;
  HPDF_UINT n = *size < r->len - r->pos ? *size : r->len - r->pos;
  memcpy(ptr, r->data + r->pos, n);
  r->pos += n;
  *size = n;
  return r->pos == r->len ? HPDF_STREAM_EOF : HPDF_OK;
}

static HPDF_STATUS HPDF_STDCALL mem_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode) {
  mem_range *r = s->attr;
  return range_seek(s, &r->pos, r->len, pos, mode);
}

static HPDF_INT32 HPDF_STDCALL mem_tell(HPDF_Stream s) {
  return (HPDF_INT32)((mem_range *)s->attr)->pos;
}

static HPDF_UINT32 HPDF_STDCALL mem_size(HPDF_Stream s) { return ((mem_range *)s->attr)->len; }

/* Writes stream object `d` to `file`, its data deflated here (libdeflate)
 * rather than by libharu (zlib) when libharu would deflate it as it is: its
 * before-write hook run first (it may fill the stream: a font's program),
 * the data swapped for its deflated bytes for the write, with no filter
 * for libharu and the Filter entry written by write_flate_filter. */
static HPDF_STATUS write_stream_object(rp_pdf *p, HPDF_Dict d, HPDF_Stream file) {
  if (d->before_write_fn) {
    HPDF_Dict_BeforeWriteFunc before = d->before_write_fn;
    d->before_write_fn = NULL; /* run once, here */
    HPDF_STATUS st = before(d);
    if (st != HPDF_OK) return st;
  }
  if (d->filter != HPDF_STREAM_FILTER_FLATE_DECODE || d->write_fn || d->filterParams ||
      HPDF_Stream_Size(d->stream) == 0 || HPDF_Stream_Size(d->stream) > 0x7FFFFFFF)
    return HPDF_Obj_WriteValue(d, file, NULL);
  uint8_t *z;
  size_t zlen;
  if (!deflate_object(p, d, &z, &zlen) || zlen > 0x7FFFFFFF) {
    rp_mem_free(z);
    return HPDF_SetError(d->error, HPDF_FAILD_TO_ALLOC_MEM, 0);
  }
  mem_range r = {.data = z, .len = (HPDF_UINT)zlen};
  HPDF_Stream back = HPDF_CallbackReader_New(d->mmgr, mem_read, mem_seek, mem_tell, mem_size, &r);
  if (!back) {
    rp_mem_free(z);
    return HPDF_Error_GetCode(d->error);
  }
  HPDF_Stream data = d->stream;
  d->stream = back;
  d->filter = HPDF_STREAM_FILTER_NONE;
  d->write_fn = write_flate_filter;
  HPDF_STATUS st = HPDF_Obj_WriteValue(d, file, NULL);
  d->stream = data;
  d->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  d->write_fn = NULL;
  HPDF_Stream_Free(back);
  rp_mem_free(z);
  if (data->type == HPDF_STREAM_MEMORY) HPDF_MemStream_FreeData(data); /* written: not needed */
  return st;
}

/* The object-stream writer for `o` (its header written by save_objects),
 * deflating on the worker when there is one; NULL when out of memory. */
static rp_objstm *writer_new(rp_pdf *p, out_file *o) {
  rp_objstm_io io = {
      .user = o, .flate = p->flate, .write = io_write, .keep = io_keep, .fetch = io_fetch};
  if (p->deflating && p->deflating->worker) io.start = io_start, io.wait = io_wait;
  return rp_objstm_new(&io);
}

/* Every object spooled by now packed, by number, before the worker's last
 * pages are waited for (deflating_drain): the object streams' text is made
 * while the worker deflates those pages, and each full one is queued
 * behind them (main, waiting, takes the newest job itself), where the save
 * made them only after the wait, leaving the worker idle till the first
 * was full (0.45 ms of the review's 1.6 ms save). Spooled objects are
 * final; a page's /Length is spooled when the worker is done with its page
 * (SLOT_LATE: a time that varies), so it waits for save_objects with the
 * objects still held, and the file is the same every run, threads or
 * none. False when the writer or the spool failed (the save reports it). */
static bool pack_spooled(rp_pdf *p, out_file *o) {
  HPDF_List entries = p->pdf->xref->entries;
  HPDF_Stream pack = HPDF_CallbackWriter_New(p->pdf->mmgr, pack_write, o);
  bool ok = pack && rp_objstm_reserve(o->w, (size_t)entries->count + entries->count / 64);
  for (HPDF_UINT i = 1; ok && i < entries->count; i++) {
    void *e = entries->obj[i];
    slot_info si;
    if (!slot_spooled(e)) continue;
    ok = slot_read(p, e, &si);
    if (!ok || si.key1 == SLOT_STREAM || si.key1 == SLOT_LATE) continue;
    /* a value in memory copied from there, not 4 KB at a time through
     * libharu's stream (copy_slot) */
    if (!si.key1 && !p->spool_spilt)
      ok = rp_objstm_value(o->w, p->spool_buf + si.off, si.len);
    else
      ok = copy_slot(p, &si, pack);
    ok = ok && rp_objstm_value_end(o->w, i);
  }
  if (pack) HPDF_Stream_Free(pack);
  return ok;
}

/* libharu's save (HPDF_SaveToStream) redone object by object for the
 * object-stream writer: the same header, trailer and objects, in the same
 * order, each written by libharu (HPDF_Obj_WriteValue, which runs the
 * objects' before-write hooks as its save does); objects made while saving
 * (a font's program) are met in turn. */
static bool save_objects(rp_pdf *p, out_file *o) {
  HPDF_Doc pdf = p->pdf;
  char head[32];
  int v = snprintf(head, sizeof head, "%%PDF-1.%d\012%%\267\276\255\252\012",
                   2 + (int)pdf->pdf_version);
  if (!o->w) o->w = writer_new(p, o);
  if (!o->w || !rp_objstm_header(o->w, (const uint8_t *)head, (size_t)v)) return false;
  if (HPDF_Dict_Add(pdf->trailer, "Root", pdf->catalog) != HPDF_OK ||
      (pdf->info && HPDF_Dict_Add(pdf->trailer, "Info", pdf->info) != HPDF_OK))
    return false;
  HPDF_Stream file = HPDF_CallbackWriter_New(pdf->mmgr, out_write, o);
  HPDF_Stream pack = file ? HPDF_CallbackWriter_New(pdf->mmgr, pack_write, o) : NULL;
  HPDF_Stream val = pack ? HPDF_CallbackWriter_New(pdf->mmgr, val_write, o) : NULL;
  HPDF_List entries = pdf->xref->entries;
  /* the cross-reference rows at their size (a few more are made while saving) */
  bool ok = val != NULL && pdf->xref->start_offset == 0 && !pdf->xref->prev &&
            rp_objstm_reserve(o->w, (size_t)entries->count + entries->count / 64);
  for (HPDF_UINT i = 1; ok && i < entries->count; i++) { /* grows while saving */
    HPDF_XrefEntry e = HPDF_List_ItemAt(entries, i);
    if (slot_spooled(e)) {                  /* written and freed: its value, read back */
      if (rp_objstm_has(o->w, i)) continue; /* packed already (pack_spooled) */
      slot_info si;
      ok = slot_read(p, e, &si);
      if (ok && si.key1 == SLOT_STREAM) {
        char num[48];
        int n = snprintf(num, sizeof num, "%u 0 obj\012", (unsigned)i);
        ok = rp_objstm_direct(o->w, i, 0) && rp_objstm_write(o->w, num, (size_t)n) &&
             copy_slot(p, &si, file) && rp_objstm_write(o->w, "\012endobj\012", 8);
        continue;
      }
      ok = ok && copy_slot(p, &si, pack) && rp_objstm_value_end(o->w, i);
      continue;
    }
    const HPDF_Obj_Header *h = e->obj;
    bool dict = (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT;
    bool stream = dict && ((HPDF_Dict)h)->stream;
    /* a dictionary that writes its own stream data after ">>" (pdf_running.c's
     * late content streams) is a stream object too: never in an object stream */
    bool own_data = dict && rp_pdf_running_is_stream((HPDF_Dict)h);
    if (stream || own_data || e->gen_no != 0) {
      char num[48];
      int n = snprintf(num, sizeof num, "%u %u obj\012", (unsigned)i, (unsigned)e->gen_no);
      ok = rp_objstm_direct(o->w, i, e->gen_no) && rp_objstm_write(o->w, num, (size_t)n) &&
           (stream ? write_stream_object(p, e->obj, file)
                   : HPDF_Obj_WriteValue(e->obj, file, NULL)) == HPDF_OK &&
           rp_objstm_write(o->w, "\012endobj\012", 8);
      continue;
    }
    HPDF_STATUS st;
    if (rp_pdf_tag_write(p, e->obj, pack, &st))
      ok = st == HPDF_OK;
    else
      ok = HPDF_Obj_WriteValue(e->obj, pack, NULL) == HPDF_OK;
    ok = ok && rp_objstm_value_end(o->w, i);
  }
  /* the trailer's Root, Info and ID */
  static const char *const keys[] = {"Root", "Info", "ID"};
  o->val_len = 0;
  for (size_t k = 0; ok && k < sizeof keys / sizeof *keys; k++) {
    for (HPDF_UINT j = 0; ok && j < pdf->trailer->list->count; j++) {
      HPDF_DictElement el = HPDF_List_ItemAt(pdf->trailer->list, j);
      if (strcmp(el->key, keys[k]) != 0) continue;
      /* (the value itself: a reference is a proxy, written as `N 0 R`) */
      ok = HPDF_Stream_WriteStr(val, k ? " /" : "/") == HPDF_OK &&
           HPDF_Stream_WriteStr(val, keys[k]) == HPDF_OK &&
           HPDF_Stream_WriteChar(val, ' ') == HPDF_OK &&
           HPDF_Obj_Write(el->value, val, NULL) == HPDF_OK;
    }
  }
  ok = ok && val_write(val, (const HPDF_BYTE *)"", 1) == HPDF_OK &&
       rp_objstm_end(o->w, entries->count, (const char *)o->val);
  if (val) HPDF_Stream_Free(val);
  if (pack) HPDF_Stream_Free(pack);
  if (file) HPDF_Stream_Free(file);
  return ok;
}

/* Pages between two rp_mem_trim calls: a long document's layout frees
 * much (placed pages, bound pieces) that glibc would keep resident. */
#define TRIM_PAGES 64

/* Saves the document to `path`. libharu's own file writer ignores what
 * fclose returns, so a disk that fills at the last flush would pass
 * unnoticed: libharu writes through our stream instead, which checks every
 * write, and the flush and the close are checked. Messages name `name` and
 * say why. */
static void save(rp_pdf *p, const char *path, const char *name) {
  HPDF_STATUS no = 0, detail = 0;
  if (!rp_pdf_fonts_exact(p) || !rp_pdf_fonts_embeddable(p)) return;
  /* the objects spooled packed (pack_spooled), then the pages given to the
   * worker spooled (deflated while the document was finished); the object
   * streams are deflated on the worker as the next is filled, and any it
   * has not started when they are waited for, here (flate.h: each thread
   * its compressor). (With one compressor between them this was 0.3 ms
   * slower on a busy machine (session 9): the main thread waited for the
   * worker rather than deflating itself.) */
  out_file *o = rp_arena_alloc(p->scratch, sizeof *o);
  if (!o) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return;
  }
  *o = (out_file){.p = p};
  bool packs = p->pdf->compression_mode != HPDF_COMP_NONE;
  if (packs) {
    /* a long document's freed pages given back before the save's own come
     * (the pack's peak); a short one has little to give and would pay
     * glibc's heap walk and a madvise per hole (the review: 27) */
    if (p->n_pages >= TRIM_PAGES) rp_mem_trim();
    o->w = writer_new(p, o);
    if (o->w) pack_spooled(p, o); /* (a failure fails the writer, or the spool) */
  }
  deflating_drain(p);
  if (p->status != RP_OK) {
    rp_objstm_free(o->w);
    return;
  }
  o->f = fopen(path, "wb");
  if (!o->f) o->err = errno ? errno : EIO;
  bool saved = false;
  if (o->f && packs) {
    saved = save_objects(p, o);
  } else if (o->f) {
    HPDF_Stream s = HPDF_CallbackWriter_New(p->pdf->mmgr, out_write, o);
    if (s) {
      p->pdf->stream = s; /* freed with the document */
      saved = HPDF_SaveToStream(p->pdf) == HPDF_OK;
    }
  }
  out_flush(o);
  bool nomem = o->val_nomem || (o->w && rp_objstm_nomem(o->w) && !o->err && !p->spool_err);
  rp_objstm_free(o->w);
  rp_mem_free(o->val);
  bool composed = saved && !rp_pdf_take_error(p, &no, &detail);
  if (o->f && fflush(o->f) != 0 && !o->err) o->err = errno ? errno : EIO;
  if (o->f && fclose(o->f) != 0 && !o->err) o->err = errno ? errno : EIO;
  if (o->err) {
    rp_pdf_take_error(p, &no, &detail);
    rp_pdf_error(p, RP_ERR_INPUT, name, 0,
                 "cannot write the PDF: %s; check that the disk has room and the folder is "
                 "writable",
                 strerror(o->err));
    return;
  }
  if (p->spool_err) {
    rp_pdf_error(p, RP_ERR_INPUT, name, 0,
                 "cannot read back the temporary file next to the PDF: %s", strerror(p->spool_err));
    return;
  }
  if (!saved && nomem) {
    rp_pdf_take_error(p, &no, &detail);
    rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "out of memory");
    return;
  }
  if (!rp_pdf_fonts_embedded(p)) return;
  if (!composed)
    rp_pdf_error(p, RP_ERR_INTERNAL, name, 0, "cannot compose the PDF (libharu error 0x%04X)",
                 (unsigned)(no ? no : HPDF_GetError(p->pdf)));
}

struct rp_render {
  rp_pdf p;
  rp_render_opts opts;
  long long epoch;      /* SOURCE_DATE_EPOCH, or -1 */
  char *out_path;       /* copied */
  size_t errors_before; /* d->errors at rp_render_begin */
  size_t drawn;         /* pages drawn: the next must be this one */
  bool tagging;         /* the structure tree is started */
};

static void render_free(rp_render *r) {
  if (!r) return;
  deflating_free(&r->p);
  drop_spooled_slots(&r->p);
  rp_pdf_tag_free(&r->p);
  if (r->p.pdf) HPDF_Free(r->p.pdf);
  if (r->p.spool_fd >= 0) close(r->p.spool_fd);
  rp_mem_free(r->p.spool_buf);
  rp_flate_free(r->p.flate);
  rp_pdf_fonts_close(&r->p);
  rp_arena_free(r->p.page_refs); /* (only when a page's drawing stopped) */
  rp_mem_free(r->p.pages);
  rp_mem_free(r->p.ref_blocks);
  rp_arena_free(r->p.scratch);
  rp_mem_free(r->out_path);
  rp_mem_free(r);
}

/* The status to return: the first error, or RP_ERR_INPUT when only
 * warnings were recorded (fatal with --strict, which counts them). */
static rp_status settle(rp_render *r) {
  rp_pdf *p = &r->p;
  if (p->status == RP_OK && p->d->errors > r->errors_before) p->status = RP_ERR_INPUT;
  return p->status;
}

/* ---- made early: the document before its pages ------------------------ */

/* What every render makes before its first page, whatever the pages: the
 * libharu document with UTF-8 set up (its encoder's tables: 1.4 M
 * instructions), the spool, the compressor and the deflate worker. The
 * pipeline asks for them once the layout is loaded, and the worker makes
 * them while layout runs on the caller's thread (the document is the
 * worker's until rp_flate_worker_wait returns for the job that made it:
 * a hand-over, never shared); begin takes them. Without threads (faults
 * armed, a memory budget, RP_SERIAL_DEFLATE) they are made at once on the
 * caller's thread, so that injected faults meet them in one order. A
 * failure is not reported: begin then makes its own, and says why. */
struct rp_render_early {
  rp_flate_job job;        /* first: make_early's argument */
  rp_render *r;            /* what was made (the document in r->p), till begin takes it */
  rp_flate_worker *worker; /* the thread it is made on, then r's deflate worker; or NULL */
  char *out_path;          /* copied: the spool's folder */
};

static bool make_early(rp_flate_job *job) {
  rp_render_early *e = (rp_render_early *)job;
  rp_pdf *p = &e->r->p;
  p->pdf = HPDF_NewEx(on_error, hpdf_alloc, hpdf_free, 0, p);
  if (!p->pdf) return false;
  /* setup's settings (a failure is libharu's error, looked at here) */
  HPDF_SetCompressionMode(p->pdf, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(p->pdf);
  HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
  p->utf8 = HPDF_GetEncoder(p->pdf, "UTF-8");
  if (!p->utf8 || p->err_no || HPDF_GetError(p->pdf) != HPDF_OK) return false;
  p->spool_fd = spool_fd_for(e->out_path);
  return p->spool_fd >= 0;
}

rp_render_early *rp_render_early_start(const char *out_path) {
  rp_render_early *e = rp_mem_calloc(1, sizeof *e);
  rp_render *r = e ? rp_mem_calloc(1, sizeof *r) : NULL;
  size_t len = strlen(out_path);
  char *path = r ? rp_mem_alloc(len + 1) : NULL;
  rp_flate *f = path ? rp_flate_new() : NULL;
  if (!f) {
    rp_mem_free(path), rp_mem_free(r), rp_mem_free(e);
    return NULL;
  }
  memcpy(path, out_path, len + 1);
  r->p.spool_fd = -1;
  r->p.flate = f;
  *e = (rp_render_early){.job = {.make = make_early}, .r = r, .out_path = path};
  e->worker = threads_allowed() ? rp_flate_worker_new(f) : NULL;
  if (e->worker) {
    rp_flate_worker_push(e->worker, &e->job);
  } else {
    e->job.ok = make_early(&e->job);
    e->job.done = true;
  }
  return e;
}

void rp_render_early_free(rp_render_early *e) {
  if (!e) return;
  rp_flate_worker_free(e->worker); /* (the job done first) */
  if (e->r) render_free(e->r);
  rp_mem_free(e->out_path);
  rp_mem_free(e);
}

/* The render made early, for a compressed PDF at `out_path` (its spool in
 * the same folder), waited for and taken from `e`, its worker as its
 * deflate worker; NULL when there is none to take (begin makes all). */
static rp_render *early_take(rp_render_early *e, const rp_render_opts *opts, const char *out_path) {
  if (!e || !e->r || opts->uncompressed) return NULL;
  bool ok = e->worker ? rp_flate_worker_wait(e->worker, &e->job) : e->job.ok;
  const char *a = strrchr(e->out_path, '/'), *b = strrchr(out_path, '/');
  size_t na = a ? (size_t)(a - e->out_path) : 0, nb = b ? (size_t)(b - out_path) : 0;
  if (!ok || na != nb || strncmp(e->out_path, out_path, na) != 0) return NULL;
  rp_render *r = e->r;
  e->r = NULL;
  if (e->worker) {
    r->p.deflating = rp_mem_calloc(1, sizeof *r->p.deflating);
    if (r->p.deflating)
      r->p.deflating->worker = e->worker;
    else
      rp_flate_worker_free(e->worker); /* (one may be started again) */
    e->worker = NULL;
  }
  return r;
}

/* rp_render_begin; with `held`, setup is left to look_ahead (after the
 * faces' cuts are started on the worker: it is the UTF-8 encoder's 256 KB
 * of tables, about 0.2 ms, that the first page's first face waited for).
 * What was made early (opts->early) is taken if it can be. */
static rp_status begin(const rp_render_opts *opts, const char *out_path, rp_diag *d, bool held,
                       rp_render **out) {
  static const rp_render_opts defaults = {0};
  if (!opts) opts = &defaults;
  *out = NULL;
  long long epoch;
  if (rp_pdf_parse_epoch(opts->source_date_epoch, &epoch, d) != RP_OK) return RP_ERR_USAGE;
  rp_render *r = early_take(opts->early, opts, out_path);
  rp_pdf made = r ? r->p : (rp_pdf){.spool_fd = -1}; /* the document made early, or none */
  if (!r) r = rp_mem_calloc(1, sizeof *r);
  size_t len = strlen(out_path);
  char *path = r ? rp_mem_alloc(len + 1) : NULL;
  if (!path) {
    if (made.pdf)
      render_free(r); /* (what was made early) */
    else
      rp_mem_free(r);
    rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
    return RP_ERR_INTERNAL;
  }
  memcpy(path, out_path, len + 1);
  r->out_path = path;
  r->opts = *opts;
  r->opts.early = NULL;
  r->epoch = epoch;
  r->errors_before = d->errors;
  rp_pdf *p = &r->p;
  *p = (rp_pdf){.d = d,
                .pdf = made.pdf,
                .utf8 = made.utf8,
                .flate = made.flate,
                .deflating = made.deflating,
                .chart_dpi = opts->chart_dpi,
                .print = opts->print,
                .streaming = true,
                .spool_fd = made.spool_fd,
                .spool_keep = opts->spool_memory ? opts->spool_memory : SPOOL_MEM,
                .probe = opts->probe,
                .out_name = opts->out_name ? opts->out_name : r->out_path};
  p->off = rp_pdf_print_offset(&p->print);
  p->scratch = rp_arena_new();
  if (!p->scratch) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    goto fail;
  }
  if (made.pdf) { /* (set up, the spool open, compressing) */
    *out = r;
    return RP_OK;
  }
  p->pdf = HPDF_NewEx(on_error, hpdf_alloc, hpdf_free, 0, p);
  if (!p->pdf) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "cannot create a PDF document (out of memory?)");
    goto fail;
  }
  if ((!held && !setup(p, opts)) || !spool_open(p, out_path)) goto fail;
  if (!opts->uncompressed && !(p->flate = rp_flate_new())) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    goto fail;
  }
  *out = r;
  return RP_OK;
fail:;
  rp_status st = settle(r);
  render_free(r);
  return st;
}

rp_status rp_render_begin(const rp_render_opts *opts, const char *out_path, rp_diag *d,
                          rp_render **out) {
  return begin(opts, out_path, d, false, out);
}

/* rp_render_pdf's look ahead: every page made and scanned before the first
 * is drawn, as when pages could only come all at once. The characters of
 * each face are collected (and its cuts started on the worker) before the
 * document is set up (begin's `held`). */
static bool look_ahead(rp_render *r, const rp_layout_doc *doc) {
  rp_pdf *p = &r->p;
  p->doc = doc;
  p->streaming = false;
  if (!fit_tables(p)) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return false;
  }
  /* (set up already when made early) */
  if (!rp_pdf_fonts_collect(p) || (!p->utf8 && !setup(p, &r->opts))) return false;
  for (size_t i = 0; i < doc->pages.len; i++)
    if (!add_page(p, i)) return false;
  if (!(r->tagging = rp_pdf_tag_begin(p))) return false;
  for (size_t i = 0; i < doc->pages.len; i++) {
    const rp_page *pg = page_at(doc, i);
    if (!rp_pdf_tag_scan(p, pg->items.data, pg->items.len)) return false;
    rp_pdf_images_measure(p, pg);
  }
  return true;
}

rp_status rp_render_page(rp_render *r, const rp_layout_doc *doc, size_t index) {
  rp_pdf *p = &r->p;
  p->doc = doc;
  if (index != r->drawn || index >= doc->pages.len) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "page %zu drawn out of order", index + 1);
    return p->status;
  }
  const rp_page *pg = page_at(doc, index);
  if (!fit_tables(p) || (p->streaming && !mark_coverage(p))) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "out of memory");
    return p->status;
  }
  xref_room(p);
  if (index == p->n_pages && !add_page(p, index)) return p->status;
  if (!r->tagging && !(r->tagging = rp_pdf_tag_begin(p))) return p->status;
  if (p->streaming) {
    if (!rp_pdf_tag_scan(p, pg->items.data, pg->items.len)) return p->status;
    rp_pdf_images_measure(p, pg);
  }
  rp_pdf_archive_page(p, pg);
  /* Drawn even after an error on an earlier page, for its diagnostics. */
  draw_page(p, index);
  rp_pdf_running_page(p, index); /* before the page leaves memory */
  rp_pdf_tag_page_end(p);
  spool_page(p, index);
  bool written = release_page(p, index);
  if (p->page_refs && written)
    rp_arena_free(p->page_refs); /* the dictionary is spooled: they are written */
  else if (p->page_refs)
    rp_arena_adopt(p->scratch, p->page_refs);
  p->page_refs = NULL;
  r->drawn++;
  if (r->drawn % TRIM_PAGES == 0) rp_mem_trim();
  if (r->opts.page) r->opts.page(r->opts.page_user, index + 1, doc->pages.len);
  return p->status;
}

rp_status rp_render_end(rp_render *r, const rp_layout_doc *doc) {
  rp_pdf *p = &r->p;
  p->doc = doc;
  if (r->drawn == 0) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "layout produced no pages");
  } else if (r->drawn != doc->pages.len) {
    rp_pdf_error(p, RP_ERR_INTERNAL, NULL, 0, "%zu of %zu pages drawn", r->drawn, doc->pages.len);
  } else {
    if (r->drawn >= TRIM_PAGES) rp_mem_trim(); /* a long document: its last pages freed */
    rp_pdf_running_end(p);                     /* {$pages}, now counted */
    rp_pdf_dests_finish(p);
    finish(p, r->epoch);
  }
  /* With --strict a warning is an error too: write nothing then. */
  if (settle(r) == RP_OK) save(p, r->out_path, r->opts.out_name ? r->opts.out_name : r->out_path);
  rp_status st = settle(r);
  /* (saved: the file closed and the worker stopped; freeing it all took
   * 0.25 M instructions, and closing the spool frees its file) */
  if (st == RP_OK && r->opts.leave_memory) return st;
  render_free(r);
  return st;
}

void rp_render_abort(rp_render *r) { render_free(r); }

rp_status rp_render_pdf(const rp_layout_doc *doc, const rp_render_opts *opts, const char *out_path,
                        rp_diag *d) {
  /* every page is set: the faces' shaping tables go before the compressor
   * and the PDF's objects come (the peak of a short document) */
  rp_fontset_rest(doc->fonts);
  rp_render *r;
  rp_status st = begin(opts, out_path, d, doc->pages.len > 0, &r);
  if (st != RP_OK) return st;
  if (doc->pages.len > 0 && !look_ahead(r, doc)) {
    st = settle(r);
    rp_render_abort(r);
    return st;
  }
  /* A page that could not be drawn stops it; one with an error does not. */
  for (size_t i = 0; i < doc->pages.len && r->drawn == i; i++) rp_render_page(r, doc, i);
  return rp_render_end(r, doc);
}
