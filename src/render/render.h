/* render — the PDF back end: draws the pages of positioned items that layout
 * produced (page/items.h) with libharu and writes one PDF file.
 *
 * It is the last stage of the pipeline (XML → model → bind → layout →
 * render) and the only module that includes hpdf.h. Everything it hands to
 * libharu is validated first: text becomes clean BMP-only UTF-8, numbers are
 * finite and inside libharu's ranges, images are decoded by Cairo (PNG) or
 * libjpeg (JPEG) and embedded as checked pixels or checked JPEG data.
 *
 * Output is deterministic: the same document and options give the same bytes
 * (no /ID, and dates only from SOURCE_DATE_EPOCH). */
#ifndef RP_RENDER_RENDER_H
#define RP_RENDER_RENDER_H

#include <stdbool.h>

#include "base/diag.h"
#include "page/items.h"

typedef struct rp_render_opts {
  /* Text of SOURCE_DATE_EPOCH (decimal seconds since 1970-01-01 UTC), used for
   * CreationDate and ModDate; NULL or "" writes no dates. Malformed text is a
   * usage error. */
  const char *source_date_epoch;
  /* Debugging: write content streams uncompressed (default, false: Flate). */
  bool uncompressed;
  /* Charts as images: > 0 rasterises each chart's path items (those sharing
   * a parent structure element on a page) with Cairo at this many dots per
   * inch and embeds them as one image with an SMask; 0 (default) draws them
   * as vector paths. Labels stay text either way. */
  int chart_dpi;
  /* Print output (docs/print.md) when print.on: pages grown by the bleed,
   * TrimBox and BleedBox, optional crop marks, CMYK and spot colours, an
   * output intent; no links or bookmarks (printers' files have none). */
  rp_print print;
  /* The name messages give the output, when out_path is a temporary that
   * stands for it (base/outfile.h); NULL: out_path. */
  const char *out_name;
  /* Progress: called after each page is drawn with (pages drawn, pages);
   * NULL: none. Saving the file follows the last call. */
  void (*page)(void *user, size_t done, size_t total);
  void *page_user; /* passed to page */
  /* Bytes of finished streams kept in memory before they go to the spool
   * file next to the output (pdf_doc.c spool_append); 0: 1 MiB. Tests set
   * 1 to take the file's path. */
  size_t spool_memory;
  /* The image probe layout asked (render/probe.h), or NULL: an SVG it read
   * without a message is drawn from its drawing there, not read again. It
   * must live until the render ends. */
  const struct rp_image_probe *probe;
  /* The document made early (rp_render_early_start), or NULL: the render
   * begun with these options takes it when it can (a compressed PDF whose
   * spool goes in the same folder), else makes its own. */
  struct rp_render_early *early;
  /* The process ends once the PDF is committed (pipeline.h leave_memory): a
   * render that succeeded leaves what it holds (libharu's document, the
   * spool, the faces' files) to the process's end rather than free it. */
  bool leave_memory;
} rp_render_opts;

/* Draws every page of `doc` and writes the PDF to `out_path` (created or
 * truncated; the caller makes output all-or-nothing through base/outfile.h).
 * `opts` may be NULL (compressed, no dates).
 *
 * Problems are recorded in `d`: an image that cannot be decoded, a refused
 * link target and other recoverable input problems are warnings and the item
 * is left out; a bad font file or unwritable output is RP_ERR_INPUT; anything
 * libharu refuses after validation is RP_ERR_INTERNAL. Returns RP_OK, or the
 * first error's status. Nothing is written when drawing failed; a failure
 * while saving (every write, the flush and the close are checked) may leave
 * a partial file at out_path.
 *
 * It is rp_render_begin, rp_render_page for each page and rp_render_end,
 * with the whole document known first: every face is subset to the
 * characters drawn and every image embedded for its largest placement. */
rp_status rp_render_pdf(const rp_layout_doc *doc, const rp_render_opts *opts, const char *out_path,
                        rp_diag *d);

/* The same, a page at a time, so that a page's items can be freed once it is
 * drawn (layout's page_done). Pages drawn this way cannot see later pages:
 * a face used on them is embedded with every character it covers (not only
 * those drawn), and an image is embedded for the largest placement on the
 * pages up to the one that first draws it (and its rp_image_ref.max_w/h). */
typedef struct rp_render rp_render;
/* Starts a PDF for out_path (nothing is written until rp_render_end; the
 * path is copied, `opts` too, but what opts points to must live until the
 * end). On success *out is the render, freed by rp_render_end or
 * rp_render_abort; on error *out is NULL and the error is in `d`. */
rp_status rp_render_begin(const rp_render_opts *opts, const char *out_path, rp_diag *d,
                          rp_render **out);
/* Draws page `index` of `doc`; pages come in order 0,1,2…. When it returns,
 * render no longer reads that page's items (the caller may free them; the
 * rp_page itself — size, label, master — stays valid). doc->images, anchors
 * and fonts may have grown since the last call. Returns the render's first
 * error so far (RP_OK when none); the caller then calls rp_render_abort. */
rp_status rp_render_page(rp_render *r, const rp_layout_doc *doc, size_t index);
/* Links to pages drawn later, labels, outline, structure tree, info; saves
 * (as rp_render_pdf); frees r (but after a success with leave_memory).
 * `doc` has every page drawn, and no more. */
rp_status rp_render_end(rp_render *r, const rp_layout_doc *doc);
/* Frees r without writing anything (after an error elsewhere); NULL is fine. */
void rp_render_abort(rp_render *r);

/* What a render makes before its first page, whatever the pages (the PDF
 * document set up for UTF-8, the spool next to `out_path`, the compressor
 * and the deflate worker), made now on the worker's thread while the caller
 * goes on (lays the pages out), or at once on this thread when threads are
 * not used (faults injected, a memory budget: pdf_doc.c). Returns NULL when
 * out of memory (the render then makes them itself). Give it to the
 * render's options (rp_render_opts.early); free it with
 * rp_render_early_free once no render will be begun with it, whether one
 * took it or not. Nothing is reported: a render that cannot take it makes
 * its own and says why that fails. */
typedef struct rp_render_early rp_render_early;
rp_render_early *rp_render_early_start(const char *out_path);
/* Waits for the worker and frees what no render took; NULL is fine. */
void rp_render_early_free(rp_render_early *e);

/* The PDF and image libraries and their versions, for `reviewpdf --version`. */
void rp_render_libraries(char *buf, size_t n);

#endif
