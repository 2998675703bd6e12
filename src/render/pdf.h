/* pdf — the render back end's private interface: one context shared by the
 * small modules of src/render/ (document, fonts, text, shapes, images, links,
 * outline, page labels, info). Not for use outside src/render/.
 *
 * Conventions: every module draws in PDF coordinates computed from layout's
 * top-left, y-down points with rp_pdf_y(); every libharu call is followed by
 * rp_pdf_ok(), which turns libharu's sticky error state into one diagnostic
 * and clears it so that later, independent items can still be drawn. */
#ifndef RP_RENDER_PDF_H
#define RP_RENDER_PDF_H

#include <hpdf.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/utf8.h"
#include "page/items.h"
#include "svg/svg.h"

/* Deepest outline level kept; deeper bookmarks hang under the last one. */
#define RP_PDF_MAX_OUTLINE_DEPTH 8

typedef struct rp_pdf_alpha {
  int fill, stroke; /* alpha in 1/1000 */
  HPDF_ExtGState gs;
} rp_pdf_alpha;

typedef enum rp_pdf_image_state {
  RP_PDF_IMAGE_UNTRIED,
  RP_PDF_IMAGE_LOADED,
  RP_PDF_IMAGE_FAILED,
} rp_pdf_image_state;

typedef struct rp_pdf_image {
  rp_pdf_image_state state;
  HPDF_Image image;
  bool sniffed;          /* the file's first bytes were looked at (pdf_svg.c) */
  bool is_svg;           /* … and they are an SVG's */
  const rp_svg *svg;     /* its drawing; NULL when refused */
  double need_w, need_h; /* pt: largest size at which the whole image is drawn */
} rp_pdf_image;

/* A spot colour used in the document: its Separation colour space, created
 * once and named `res` in the resources of each page that uses it. */
typedef struct rp_pdf_spot {
  const char *name;
  char res[24];                              /* resource name, RpSpotN */
  char escaped[HPDF_LIMIT_MAX_NAME_LEN + 1]; /* the name as PDF writes it */
  HPDF_Dict fn;                              /* tint transform (indirect) */
} rp_pdf_spot;

typedef struct rp_pdf {
  HPDF_Doc pdf;
  const rp_layout_doc *doc;
  rp_diag *d;
  rp_status status;    /* first error this render recorded */
  rp_arena *scratch;   /* strings for libharu; freed with the context */
  rp_arena *tmp;       /* the current page's working strings, freed after it; or NULL */
  rp_arena *page_refs; /* stand-ins the page being drawn's dictionary names, till it is spooled */

  /* libharu's error handler stores the first error since the last check. */
  HPDF_STATUS err_no, err_detail;

  HPDF_Encoder utf8;
  /* one per layout page made so far (rp_render_pdf: all, first); NULL once
   * the page is written and freed (pdf_doc.c release_page) */
  HPDF_Page *pages;
  size_t n_pages;
  size_t cap_pages;
  HPDF_Obj_Header **ref_blocks; /* the pages' stand-ins (rp_pdf_page_ref), a block at a time */
  /* Pages arrive one at a time (rp_render_page without rp_render_pdf's look
   * ahead): links may point past the last page made, and each face is
   * subset to all the characters it covers, since later pages are unknown. */
  bool streaming;
  rp_vec dests; /* rp_pdf_late_dest: destinations on pages not made yet */
  /* Finished pages' content streams, read back while saving (pdf_doc.c). */
  int spool_fd;       /* or -1 */
  uint64_t spool_len; /* bytes written to it, the buffered ones included */
  uint8_t *spool_buf; /* the last spool_used of them, not yet in the file */
  size_t spool_used;
  size_t spool_cap;       /* spool_buf's size until spilt */
  size_t spool_keep;      /* bytes kept in memory before spilling (render.h spool_memory) */
  bool spool_spilt;       /* false: every byte is in spool_buf (a short document's
                           * spool never touches the file: pdf_doc.c spool_append) */
  int spool_err;          /* errno of its first failed write or read */
  struct rp_flate *flate; /* the compressor for every Flate stream (render/flate.h) */
  struct rp_pdf_deflating *deflating; /* pages' streams deflated on a second thread, or NULL */
  const char *out_name;               /* the output as messages name it */
  HPDF_Page page;                     /* page being drawn */
  size_t page_index;                  /* its index */
  double page_w;                      /* its trim width, pt */
  double page_h;                      /* its trim height, pt */

  rp_print print;   /* print output settings (print.on: a print file) */
  double off;       /* print: trim's offset from the media box corner, pt */
  rp_vec spots;     /* rp_pdf_spot: at most 64 */
  bool safe_warned; /* one safe-area warning per render is enough */

  HPDF_Font *fonts; /* per fontset index, loaded on first use */
  bool *font_failed;
  size_t n_fonts;
  uint8_t **font_used; /* per fontset index: bitmap of the BMP characters drawn */
  int *font_fds;       /* per fontset index: its subset's in-memory file, or -1 */
  /* held document: per fontset index, the program to embed (exact_face),
   * made with the face (its deflate started early), or NULL */
  unsigned char **font_program;
  size_t *font_program_len;
  size_t n_programs;                  /* entries in both */
  struct rp_pdf_font_job **font_jobs; /* held document: per fontset index, its cuts made
                                       * on the second thread (pdf_font.c), or NULL */
  size_t n_font_jobs;
  uint8_t **font_drawn; /* streaming: per fontset index, the BMP characters drawn */
  size_t n_drawn;       /* entries in font_drawn */

  rp_vec alphas; /* rp_pdf_alpha: ExtGStates, one per alpha pair */

  rp_pdf_image *images; /* per rp_layout_doc.images index */
  size_t n_images;      /* entries in images (grows with doc->images) */
  size_t n_measured;    /* images whose rp_image_ref sizes were taken */

  HPDF_Outline outline[RP_PDF_MAX_OUTLINE_DEPTH];
  int outline_depth;                            /* levels currently open in outline[] */
  bool outline_late[RP_PDF_MAX_OUTLINE_DEPTH];  /* its destination is a stand-in */
  long outline_tally[RP_PDF_MAX_OUTLINE_DEPTH]; /* its /Count so far (pdf_outline.c) */
  long outline_root_tally;
  bool has_outline;
  HPDF_Obj_Header *outline_refs; /* stand-ins for written items, a block at a time */
  size_t outline_refs_left;      /* unused in the block */

  struct rp_pdf_tag *tag; /* the structure tree being built (pdf_tag.c) */

  const struct rp_image_probe *probe; /* SVGs read by layout's probe (rp_render_opts.probe) */

  uint64_t id_hash[2]; /* /ID: the pages drawn so far (pdf_archive.c) */
  bool id_begun;       /* id_hash holds its start values */

  struct rp_pdf_running *running; /* pdf_running.c: pages whose {$pages} texts wait */
  struct rp_pdf_text *text;       /* pdf_text.c: what the last text object left set, or NULL */

  bool needs_v14; /* transparency used: label the file PDF 1.4 */
  int chart_dpi;  /* > 0: path items rasterised per chart (pdf_raster.c) */
} rp_pdf;

/* ---- pdf_doc.c: context, errors, coordinates ---- */

/* Records an error (all of render's errors pass through here). */
void rp_pdf_error(rp_pdf *p, rp_status status, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Same, placed at an item's layout line. */
void rp_pdf_item_error(rp_pdf *p, rp_status status, const rp_item *it, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Warning at an item's layout line (an error with --strict). */
void rp_pdf_item_warn(rp_pdf *p, const rp_item *it, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Takes libharu's pending error, if any, into *no and *detail, clears it and
 * returns true; false when there is none. */
bool rp_pdf_take_error(rp_pdf *p, HPDF_STATUS *no, HPDF_STATUS *detail);
/* True when libharu reported no error since the last check. Otherwise records
 * RP_ERR_INTERNAL "PDF writer failed to <what>" at `src`, clears libharu's
 * error state and returns false. `src` may be NULL. */
bool rp_pdf_ok(rp_pdf *p, const char *what, const rp_src *src);
/* Page y (layout: from the top, downwards) to PDF y (from the bottom, up). */
static inline double rp_pdf_y(const rp_pdf *p, double y) { return p->page_h - y; }
/* True when all n values are finite and within ±1e6 pt. */
bool rp_pdf_finite(const double *v, size_t n);
/* llround(x), inline: the operators' numbers are rounded with it (40,000
 * calls of the review's pages). Exact below 2^52 (x less its integer part
 * is exact there: the fraction's bits), llround itself past that. */
static inline long long rp_pdf_round(double x) {
  if (!(x > -4503599627370496.0 && x < 4503599627370496.0)) return llround(x);
  long long t = (long long)x; /* toward zero */
  double f = x - (double)t;
  return t + (f >= 0.5) - (f <= -0.5);
}
/* libharu's writer of its memory streams (a page's contents, a form's). */
HPDF_STATUS HPDF_MemStream_WriteFunc(HPDF_Stream stream, const HPDF_BYTE *ptr, HPDF_UINT siz);
/* HPDF_Stream_Write(s, d, n), inline where libharu's memory stream has room
 * for the bytes in its current block (what its write does then: copy them
 * there, unless the stream holds an error): the operators written by hand
 * (marks, colours, moves, strings, paths) are a few thousand small writes a
 * review, ~140 instructions each through libharu. */
static inline HPDF_STATUS rp_pdf_stream_write(HPDF_Stream s, const void *d, size_t n) {
  if (s->type == HPDF_STREAM_MEMORY && s->write_fn == HPDF_MemStream_WriteFunc &&
      s->error->error_no == HPDF_OK && n <= 0xFFFFFFFFu) {
    HPDF_MemStreamAttr a = (HPDF_MemStreamAttr)s->attr;
    if (n <= (size_t)(a->buf_siz - a->w_pos) && a->w_ptr) {
      if (n) memcpy(a->w_ptr, d, n);
      a->w_ptr += n;
      a->w_pos += (HPDF_UINT)n;
      s->size += (HPDF_UINT)n;
      return HPDF_OK;
    }
  }
  return HPDF_Stream_Write(s, (const HPDF_BYTE *)d, (HPDF_UINT)n);
}
/* Writes v to 1/100 (`tenths`: 1/10), rounded as rp_pdf_round, trailing
 * zeros dropped ("12.5", "-3", "0"); returns the end (no NUL; at most 24
 * bytes). The operators' numbers (a review's pages write ~12,500), inline:
 * the unit a constant (a multiply, where a divide by a variable unit took
 * tens of cycles), a page's coordinates (under 1000) without a loop. */
static inline char *rp_pdf_put_fixed(char *o, double v, bool tenths) {
  long long c = rp_pdf_round(v * (tenths ? 10 : 100));
  unsigned long long u = (unsigned long long)c;
  if (c < 0) *o++ = '-', u = 0 - u;
  unsigned long long whole = tenths ? u / 10 : u / 100;
  unsigned frac = (unsigned)(u - whole * (tenths ? 10 : 100));
  if (whole < 1000) {
    unsigned w = (unsigned)whole;
    if (w >= 100) *o++ = (char)('0' + w / 100);
    if (w >= 10) *o++ = (char)('0' + w / 10 % 10);
    *o++ = (char)('0' + w % 10);
  } else {
    char d[24];
    int k = 0;
    do d[k++] = (char)('0' + whole % 10), whole /= 10;
    while (whole > 0);
    while (k > 0) *o++ = d[--k];
  }
  if (frac) {
    *o++ = '.';
    if (tenths) {
      *o++ = (char)('0' + frac);
    } else {
      *o++ = (char)('0' + frac / 10);
      if (frac % 10) *o++ = (char)('0' + frac % 10);
    }
  }
  return o;
}
/* rp_utf8_decode, ASCII inline (most characters drawn are). */
static inline size_t rp_pdf_decode(const char *s, size_t len, uint32_t *cp) {
  if (len && (unsigned char)s[0] < 0x80) {
    *cp = (unsigned char)s[0];
    return 1;
  }
  return rp_utf8_decode(s, len, cp);
}
/* `s` as clean UTF-8 for libharu: invalid bytes and characters beyond the
 * BMP become U+FFFD, control characters a space, at most max_bytes bytes
 * (cut at a character boundary). Allocated from p->tmp while a page is drawn
 * (gone after it: libharu copies what it keeps), else from p->scratch; NULL
 * if out of memory. */
char *rp_pdf_clean_utf8(rp_pdf *p, const char *s, size_t max_bytes);
/* The same for reading only (pdf_text.c): `s` itself when it is clean and
 * short enough already (most text), else rp_pdf_clean_utf8's copy. */
const char *rp_pdf_clean_text(rp_pdf *p, const char *s, size_t max_bytes);

/* ---- pdf_color.c: colours for screen (RGB) or print (CMYK, spot) ---- */

void rp_pdf_fill_color(rp_pdf *p, rp_color c, const rp_src *src);
void rp_pdf_stroke_color(rp_pdf *p, rp_color c, const rp_src *src);
/* The CMYK print uses for c (the brand's own, or converted), 0..1. */
void rp_pdf_cmyk_of(const rp_print *pr, rp_color c, float out[4]);

/* ---- pdf_print.c: print files ---- */

/* How far the trim's corner sits from the media box's: the bleed, plus room
 * for crop marks when there are any; 0 for screen output. */
double rp_pdf_print_offset(const rp_print *pr);
/* Sets TrimBox and BleedBox of a page whose trim is trim_w × trim_h. */
bool rp_pdf_print_boxes(rp_pdf *p, HPDF_Page page, double trim_w, double trim_h);
/* Starts the page being drawn: crop marks, then the move to trim coordinates. */
void rp_pdf_print_page_begin(rp_pdf *p, double trim_w, double trim_h);
/* The item's x, y, w, h grown into the bleed at the page edges it touches,
 * for a master's shape in print output; true when grown. */
bool rp_pdf_bleed_rect(const rp_pdf *p, const rp_item *it, double r[4]);
/* Warns (once) when text or an image comes nearer the trim than the safe area. */
void rp_pdf_print_safe_check(rp_pdf *p, const rp_item *it);
/* Output intent, PDF/X keys and version: after everything else. */
void rp_pdf_print_finish(rp_pdf *p);
/* Appends content operators to the page being drawn. */
bool rp_pdf_raw(rp_pdf *p, const char *ops, const rp_src *src);
/* The resource name, on the page being drawn, of the Separation colour
 * space of spot ink `name` (its CMYK alternate `cmyk`), made on first use;
 * NULL on failure (recorded). */
const char *rp_pdf_spot_use(rp_pdf *p, const char *name, const float cmyk[4], const rp_src *src);

/* ---- pdf_font.c ---- */

/* Longest text item drawn, bytes (layout emits words and lines). */
#define RP_PDF_MAX_TEXT_BYTES 65000

/* Notes which characters each face draws (a pass over every page before
 * drawing), so that each face is embedded as a subset of them. */
bool rp_pdf_fonts_collect(rp_pdf *p);
/* libharu builds a font's descriptor and copies the font's tables while it
 * writes the document; when the copy fails it drops (and leaks) the
 * descriptor without an error code, and the save "succeeds" with a CID font
 * that has neither descriptor nor program (fuzz_font). Before saving,
 * rp_pdf_fonts_embeddable makes that copy once for each face to see that it
 * works; after saving, rp_pdf_fonts_embedded checks every face got its
 * descriptor. Each returns false with an error at the font file recorded. */
bool rp_pdf_fonts_embeddable(rp_pdf *p);
bool rp_pdf_fonts_embedded(rp_pdf *p);
/* Closes the subsets' in-memory files: after the document is saved. */
void rp_pdf_fonts_close(rp_pdf *p);
/* Streaming: notes the characters of clean UTF-8 `text` as drawn with face
 * `font` (false: out of memory). */
bool rp_pdf_font_drawn(rp_pdf *p, int font, const char *text);
/* Streaming, before saving: each face's /W, CIDToGIDMap, ToUnicode and font
 * program cut to the characters drawn (a face loaded before the pages were
 * known covers all it can). False with an error recorded. */
bool rp_pdf_fonts_exact(rp_pdf *p);
/* The libharu font for fontset face `index`, loading and embedding it (a
 * subset of the characters rp_pdf_fonts_collect found) on first use and
 * replacing its ToUnicode CMap. NULL (error recorded once) if it cannot be
 * loaded. */
HPDF_Font rp_pdf_font(rp_pdf *p, int index, const rp_src *src);

/* ---- pdf_text.c ---- */

/* Draws the text items items[from..] that follow each other, batched inside
 * BT…ET while font, size, colour and tracking allow; returns the index of
 * the first item not drawn (> from). */
size_t rp_pdf_draw_text_run(rp_pdf *p, const rp_item *items, size_t from, size_t n);
/* Forgets the text state the last text object left: before a new page. */
void rp_pdf_text_forget(rp_pdf *p);
/* Draws one line of UTF-8 text centred on (cx, baseline) in PDF coordinates. */
void rp_pdf_draw_centered(rp_pdf *p, int font, double size, rp_color c, double cx, double baseline,
                          const char *text, const rp_src *src);

/* ---- pdf_shape.c ---- */

void rp_pdf_draw_shape(rp_pdf *p, const rp_item *it);
void rp_pdf_draw_chart_slot(rp_pdf *p, const rp_item *it);
void rp_pdf_draw_path(rp_pdf *p, const rp_item *it);

/* ---- pdf_raster.c: charts as images (--chart-dpi) ---- */

/* Draws path item items[i] in raster mode: the first path item of a chart on
 * the page draws all of that chart's path items as one image; later ones
 * draw nothing. */
void rp_pdf_draw_path_raster(rp_pdf *p, const rp_item *items, size_t i, size_t n);

/* Adds a rectangle with corner radius r (0: square) to the current path;
 * PDF coordinates, (x, y) = bottom-left. */
void rp_pdf_path_rounded_rect(rp_pdf *p, double x, double y, double w, double h, double r);
/* Adds an ellipse inscribed in the box (x, y) bottom-left, w × h. */
void rp_pdf_path_ellipse(rp_pdf *p, double x, double y, double w, double h);
/* Sets fill and stroke alpha (0..1) through an ExtGState created once per
 * pair of values; call between GSave and GRestore, outside BT…ET. */
bool rp_pdf_set_alpha(rp_pdf *p, double fill, double stroke, const rp_src *src);

/* ---- pdf_image.c ---- */

void rp_pdf_draw_image(rp_pdf *p, const rp_item *it);
/* Records the largest size at which each image is drawn on page `pg`, and
 * the sizes layout gave images not measured yet (rp_image_ref.max_w/max_h).
 * An image is embedded at its first drawing, for the largest size measured
 * by then: rp_render_pdf measures every page first; pages drawn one at a
 * time know only the pages up to the one being drawn. */
void rp_pdf_images_measure(rp_pdf *p, const rp_page *pg);

/* ---- pdf_svg.c ---- */

/* True when image item `it` names an SVG file; *svg is then its drawing,
 * loaded once, or NULL when it was refused (the refusals are errors at the
 * SVG's lines, recorded once). False for anything else (PNG, JPEG). */
bool rp_pdf_svg_for(rp_pdf *p, const rp_item *it, const rp_svg **svg);
/* Draws the SVG as path items into the box x, y, w × h (layout points). */
void rp_pdf_draw_svg(rp_pdf *p, const rp_item *it, const rp_svg *svg, double x, double y, double w,
                     double h);

/* ---- pdf_link.c ---- */

void rp_pdf_draw_link(rp_pdf *p, const rp_item *it);
/* A destination showing page `page` with `y` (layout coordinates) at the top
 * of the window, keeping the reader's zoom. NULL on error (recorded). When
 * streaming, a page not made yet gets a stand-in (the page being drawn)
 * that rp_pdf_dests_finish points at the real page. libharu checks that a
 * destination names a page in memory when it is given to a link or a
 * bookmark: until then it names the page being drawn if its own is freed;
 * call rp_pdf_dest_settle after. */
HPDF_Destination rp_pdf_dest(rp_pdf *p, size_t page, double y, const rp_src *src);
/* Points destination `dst` (rp_pdf_dest's for `page`), checked by libharu,
 * at its page's stand-in (rp_pdf_page_ref), so that it outlives the page's
 * dictionary. */
void rp_pdf_dest_settle(rp_pdf *p, HPDF_Destination dst, size_t page);
/* A destination made before its page: the array to complete at the end. */
typedef struct rp_pdf_late_dest {
  HPDF_Destination dst;
  size_t page;
  double y;
  rp_src src;
} rp_pdf_late_dest;
/* Points the stand-in destinations at their pages: after the last page; a
 * page that never came is an error. */
void rp_pdf_dests_finish(rp_pdf *p);

/* ---- pdf_doc.c: pages ---- */

/* What refers to page `i` (made): a stand-in holding its object number
 * (what a reference to it writes, `N 0 R`), valid until the document is
 * freed. The page tree's /Kids, destinations and the structure tree refer
 * to pages through these, so that a drawn page's dictionary can be written
 * and freed (p->pages[i] NULL from then on). */
void *rp_pdf_page_ref(const rp_pdf *p, size_t i);

/* ---- pdf_doc.c: the spool ---- */

/* Writes a finished link annotation of the page being drawn to the spool
 * and frees it (its /StructParent written when saved, from `key`; the
 * page's /Annots names it by number): after rp_pdf_tag_annot, and only when
 * nothing changes it later (not a stand-in destination). True when done:
 * nothing refers to its destination any more. */
bool rp_pdf_spool_annot(rp_pdf *p, HPDF_Annotation a, long key);

/* Starts deflating stream object `d`'s data on the render's second thread
 * when there is one: its data is final (nothing writes to it before it is
 * saved), and saving, if it deflates the stream, takes the worker's bytes
 * when the data is still the same (else deflates it as always). Nothing
 * happens without a worker or memory for it: the bytes written are the same
 * either way. */
void rp_pdf_deflate_early(rp_pdf *p, HPDF_Dict d);
/* Whether there is a second thread to deflate on (started now if need be). */
bool rp_pdf_deflate_ready(rp_pdf *p);
/* Gives `job` (render/flate.h) to that thread; false when there is none.
 * The job must stay until rp_pdf_worker_wait, or the render's end, which
 * waits for every job given. */
struct rp_flate_job;
bool rp_pdf_worker_push(rp_pdf *p, struct rp_flate_job *job);
/* Waits for a job given; returns its ok. */
bool rp_pdf_worker_wait(rp_pdf *p, struct rp_flate_job *job);
/* The same for data[0, len) that a stream object made later will hold
 * (copied); rp_pdf_deflate_rekey then names that object. */
void rp_pdf_deflate_data_early(rp_pdf *p, const void *data, size_t len);
void rp_pdf_deflate_rekey(rp_pdf *p, const void *data, HPDF_Dict d);

/* Writes a finished indirect object (not a stream) to the spool and frees
 * it: its value as saving would write it (`text`, `len` when given, else
 * libharu's or pdf_tag's writing of it), its slot in the cross-reference
 * list becoming the value's place in the spool (8 bytes, nothing else kept).
 * Nothing may refer to the object's memory afterwards (references to it by
 * number only: a stand-in header, see pdf_tag.c). False, the object kept,
 * when it cannot (--uncompressed; a failure is recorded). */
bool rp_pdf_spool_free(rp_pdf *p, void *obj, const char *text, size_t len);

/* ---- pdf_outline.c ---- */

void rp_pdf_add_bookmark(rp_pdf *p, size_t page, const rp_item *it);
/* The items still open finished and every /Count set: before saving. */
void rp_pdf_outline_finish(rp_pdf *p);

/* ---- pdf_tag.c: tagged PDF ---- */

/* Starts the structure tree: before drawing. */
bool rp_pdf_tag_begin(rp_pdf *p);
/* Notes the ids of a page's items (which list items have a marker drawn):
 * for each page before it is drawn, or for all pages first. */
bool rp_pdf_tag_scan(rp_pdf *p, const rp_item *items, size_t n);
/* Before the page being drawn gets content; `items` are its items. */
void rp_pdf_tag_page_begin(rp_pdf *p, const rp_item *items, size_t n);
/* After the page is drawn: its part of the parent tree is final. */
void rp_pdf_tag_page_end(rp_pdf *p);
/* For every item of the page in order, drawn or not: sections start at
 * level-1 bookmarks, unpainted boxes place their elements (table, row, list). */
void rp_pdf_tag_item(rp_pdf *p, const rp_item *it);
/* Opens the marked content of an item about to be painted (its element's
 * next MCID, or an artifact); true when opened: close it with
 * rp_pdf_tag_close in the same text object or graphics state. */
bool rp_pdf_tag_open(rp_pdf *p, const rp_item *it);
/* Inside BT…ET, before a text item: closes the open sequence, if any, and
 * opens the item's. Close the last with rp_pdf_tag_close before ET. */
void rp_pdf_tag_text(rp_pdf *p, const rp_item *it);
/* Opens an artifact (underlines, crop marks); true when opened. */
bool rp_pdf_tag_open_artifact(rp_pdf *p);
void rp_pdf_tag_close(rp_pdf *p);
/* Link annotation `a` of link item `it`: its Link element's OBJR, its
 * /StructParent and /Contents (the words it covers, else `what`). */
void rp_pdf_tag_annot(rp_pdf *p, const rp_item *it, HPDF_Annotation a, const char *what);
/* The ParentTree index rp_pdf_tag_annot gave annotation `a`, the last it
 * saw (its /StructParent is the page count plus this), or -1 (none). */
long rp_pdf_tag_last_annot(const rp_pdf *p, HPDF_Annotation a);
/* ParentTree, MarkInfo, DisplayDocTitle: before saving. */
void rp_pdf_tag_finish(rp_pdf *p);
/* Writes `obj`'s value to `to` (*st: libharu's status) when it is a
 * structure element's (made when render saves the file itself); false when
 * it is not one. */
bool rp_pdf_tag_write(rp_pdf *p, void *obj, HPDF_Stream to, HPDF_STATUS *st);
/* Frees what the structure tree holds outside render's arena (the Sects
 * not written yet, the per-page and per-annotation tables): with the
 * document. */
void rp_pdf_tag_free(rp_pdf *p);
/* Annotation `key` (rp_pdf_tag_last_annot) is written and freed. */
void rp_pdf_tag_annot_gone(rp_pdf *p, long key);

/* ---- pdf_label.c ---- */

void rp_pdf_add_page_labels(rp_pdf *p);

/* ---- pdf_archive.c: PDF/A-2b for screen files ---- */

/* XMP metadata agreeing with Info (`producer`, `creator` as Info has them),
 * the sRGB output intent, /ID from the content, PDF 1.7; nothing for print
 * files. `epoch` < 0: no dates. */
void rp_pdf_archive_finish(rp_pdf *p, long long epoch, const char *producer, const char *creator);
/* Adds page `pg` (its size, its items' places and text) to the hash /ID is
 * made of: for each page in order, before its items are freed. */
void rp_pdf_archive_page(rp_pdf *p, const rp_page *pg);

/* ---- pdf_info.c ---- */

/* Parses SOURCE_DATE_EPOCH text into *epoch (-1 when NULL or empty);
 * malformed or out-of-range text is RP_ERR_USAGE. */
rp_status rp_pdf_parse_epoch(const char *text, long long *epoch, rp_diag *d);
/* Info dictionary, /Lang and dates; `epoch` < 0: no dates. */
void rp_pdf_set_info(rp_pdf *p, long long epoch);

#endif
