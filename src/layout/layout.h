/* layout — turns a bound document (bound/blocks.h) into pages of
 * positioned items (items.h). No libharu or Cairo here: font metrics come
 * through font.h, so layout runs and is tested without a PDF back end.
 *
 * Flow: each section starts on a page of its master (or continues the flow),
 * blocks fill the frames' columns top to bottom, paragraphs split between
 * columns and pages with at least two lines either side of a break, headings
 * stay with what follows, boxes marked keep-together move whole. Content that
 * can never fit (taller than an empty frame) is an error naming the layout
 * line. Running headers and footers are set on each page once it is final;
 * final pages can be handed on and freed as the pass goes (page_done). Grids of cards, tables,
 * images and stat tiles never split inside a card, row, image or tile; text with max-lines or
 * min-size is fitted to its box (grid.c, table.c, figure.c, fit.c; docs/layout-engine.md). */
#ifndef RP_LAYOUT_LAYOUT_H
#define RP_LAYOUT_LAYOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/diag.h"
#include "bound/blocks.h"
#include "page/items.h"

/* What layout needs to know about an image file before placing it: its size
 * in pixels and whether render/ will be able to draw it. */
typedef struct rp_image_info {
  bool ok;                 /* decodes completely: render/ will draw it */
  bool missing;            /* no such file (ok is false) */
  int width_px, height_px; /* when ok */
  char problem[160];       /* when !ok: why, e.g. "the PNG file cannot be decoded (…)" */
} rp_image_info;

/* Fills *out for `path` (as in rp_block.u.image.path). Called at most once per
 * distinct path in a layout run; must not fail: a path it cannot read is
 * reported through out->ok == false. render/probe.h has the real one. */
typedef void (*rp_image_probe_fn)(void *user, const char *path, rp_image_info *out);

typedef struct rp_layout_opts {
  rp_image_probe_fn probe; /* NULL: every image is unusable and drawn as a placeholder */
  void *probe_user;        /* passed to probe */
  /* Progress: called as each page is begun, with the pages so far; NULL: none */
  void (*page)(void *user, size_t pages);
  void *page_user; /* passed to page */
  /* Streaming: called once per page, in order, when nothing later in the
   * pass can change that page (no balancing trial, keep-with-next move,
   * footnote or artifact block can reach back to it) and the targets of
   * its internal links are final too; after it returns the page's items and
   * what they point at are freed (items.len 0; the rp_page keeps size,
   * label, master). A status other than RP_OK stops the layout with it.
   * Final pages are first held while they take no more than hold_bytes of
   * items: a pass that ends within that hands on nothing and keeps every
   * page, as with page_done NULL (a short document is drawn whole). Past
   * it they are handed on, or, when a running text prints {$pages} and
   * pages_hint is 0 (and not defer_pages), the pass only counts: it frees
   * its pages unhanded and sets doc->recount (lay out again with
   * pages_hint = doc->run_pages). */
  rp_status (*page_done)(void *user, const rp_layout_doc *doc, size_t index);
  void *page_done_user;
  size_t hold_bytes;
  /* {$pages} as a previous pass of the same document counted it
   * (doc->run_pages); 0: unknown. A streamed pass whose count differs sets
   * doc->recount. */
  size_t pages_hint;
  /* Lazy binding (template.h rp_bind_next): when set, the sections come
   * from here, not from the bound document's list: each bound into the
   * arena layout gives (a child of the run's), asked for just before the
   * one before it is laid out (*out NULL: none left). Layout frees a
   * section's arena once every page that may point into it was handed on
   * (page_done), or at the end of the run; the arena of a section that
   * keeps_notes lives as long as the run's. A status other than RP_OK stops
   * the layout with it. */
  rp_status (*next_section)(void *user, rp_arena *a, const rp_section **out);
  /* … and each section's body (template.h rp_bind_body) just before it is
   * laid out, after the one before it is: `run` answers
   * rp_layout_final_label meanwhile. NULL: the sections come whole. */
  rp_status (*section_body)(void *user, const rp_section *s, const void *run);
  /* … and, for a section bound a piece at a time (rp_section.streamed),
   * the next piece of its blocks (template.h rp_bind_piece) into the arena
   * given, as layout reaches it: *first NULL when the body is done; *keeps:
   * the arena holds notes and must live as long as the run's. `run`
   * answers rp_layout_final_label as it did when the body began. Layout
   * frees each piece's arena once its pages are handed on and no levelling
   * of a page's columns can go back to it. */
  rp_status (*section_piece)(void *user, const rp_section *s, const void *run, rp_arena *a,
                             rp_block **first, bool *keeps);
  void *section_user;
  /* A streamed pass without pages_hint does not only count: it hands its
   * pages on without the running texts that print {$pages}, each page's
   * listed in rp_page.later, to be set once the count (doc->run_pages) is
   * known, by rp_layout_running_set. The pass is then final (no recount). */
  bool defer_pages;
  /* Charts drawn once per run (charts/memo.h): a later layout of the same
   * run copies an equal chart's items; NULL: each drawn where placed. A
   * layout whose pages only measure — the memo keeps drawings (another
   * layout follows) and hold_bytes is 0, as pipeline.c sets them for such
   * a pass only — leaves the charts' items off its pages: they are drawn on
   * the memo's worker meanwhile (rp_layout_chart_memo_serve), and the
   * layout waits for them at its end. */
  struct rp_chart_memo *chart_memo;
  /* Another layout of the same run is known to follow (read as each
   * section's body is bound, so a caller may turn it on meanwhile): every
   * paragraph set is kept for it (layout/inline.h rp_inline_memo_keep),
   * which sets them again from the memo. A layout run without it ends with
   * the memo back to its last few paragraphs. */
  bool keep_lines;
  /* The charts still drawing on the memo's worker when the layout ends are
   * neither waited for nor placed: the layout returns RP_OK with them
   * pending, and the caller, before it reads any page's items or records
   * any message, calls rp_layout_charts_settle, which makes of them what
   * the layout's end would have (their items, messages and status). Only
   * a layout that ends well; without the memo, nothing. */
  bool defer_charts;
} rp_layout_opts;

/* The paragraphs kept for a layout to follow (rp_layout_opts.keep_lines)
 * dropped: once the run's last layout is done, before its pages are drawn. */
void rp_layout_lines_done(const rp_fontset *fs);

/* A memo for rp_layout_opts.chart_memo, for every layout of one run (NULL
 * when out of memory: charts are then drawn where placed), and its end:
 * how many charts it saw drawn, and copied. */
struct rp_chart_memo *rp_layout_chart_memo_new(void);
/* Whether the charts drawn from now on are kept for later layouts (only
 * while one is known to follow: charts/memo.h rp_chart_memo_keep). */
void rp_layout_chart_memo_keep(struct rp_chart_memo *m, bool on);
void rp_layout_chart_memo_free(struct rp_chart_memo *m, size_t *draws, size_t *copies);
/* How many of the charts drawn were drawn by the worker. */
size_t rp_layout_chart_memo_later(const struct rp_chart_memo *m);
/* Whether charts of the layout just run are still pending (defer_charts). */
bool rp_layout_charts_pending(const struct rp_chart_memo *m);
/* The pending charts of `doc` (the layout run with defer_charts) waited
 * for and placed on its pages, their messages put where they were placed;
 * returns `st`, or the status of the first chart that failed (the layout's
 * own would have been that). */
rp_status rp_layout_charts_settle(struct rp_chart_memo *m, rp_layout_doc *doc, rp_status st);

/* The worker a memo's drawings may be handed to (charts/memo.h
 * rp_chart_worker): made before its thread starts (NULL when out of
 * memory), served on that thread until closed, freed once it is joined.
 * rp_layout_chart_memo_serve gives memo `m` worker `w` (NULL: none; with
 * RP_CHARTS_INLINE set, none either: every chart drawn where placed). */
struct rp_chart_worker *rp_layout_chart_worker_new(void);
/* Outline files the worker reads ahead while idle (charts/memo.h
 * rp_chart_worker_ahead): before it serves. */
void rp_layout_chart_worker_ahead(struct rp_chart_worker *w, const char *const *outlines, size_t n);
void rp_layout_chart_worker_serve(struct rp_chart_worker *w);
void rp_layout_chart_worker_close(struct rp_chart_worker *w);
void rp_layout_chart_worker_free(struct rp_chart_worker *w);
void rp_layout_chart_memo_serve(struct rp_chart_memo *m, struct rp_chart_worker *w);

/* While section_body runs: writes into buf the label of the page where the
 * anchor `id` starts in the layout `run`, when neither can change any more
 * (the page is final, or the flow has ended on it), and returns true;
 * false otherwise (not laid out yet, or still open). */
bool rp_layout_final_label(const void *run, const char *id, char *buf, size_t cap);

/* Lays out `b`. On success *out is arena-allocated and borrows b's fontset.
 * On failure returns RP_ERR_INPUT (content cannot fit…) with the problems in d.
 * `opts` may be NULL (no image probe). Images named by blocks are registered
 * once per path in (*out)->images; a named image the probe rejects becomes a
 * placeholder and a warning. */
rp_status rp_layout_run_ex(rp_arena *a, const rp_bound_doc *b, const rp_layout_opts *opts,
                           rp_diag *d, rp_layout_doc **out);

/* rp_layout_run_ex without options: images are not probed, so every image
 * is drawn as its placeholder (with a warning when a file was named). */
rp_status rp_layout_run(rp_arena *a, const rp_bound_doc *b, rp_diag *d, rp_layout_doc **out);

/* A running text printing {$pages} left off a streamed page (defer_pages),
 * in the order the page would have set it. `dec` is the layout's (it lives
 * as long as the bound document); the section names are copies, made only
 * when the pattern prints them. Allocated in the layout doc's arena. */
typedef struct rp_running_later {
  const rp_decoration *dec;
  const char *section, *first_start, *last_start; /* page_info's, or NULL */
  const struct rp_running_later *next;            /* the page's next, or NULL */
} rp_running_later;

/* Sets running text r of page `index` of doc as the page would have had it
 * with {$pages} printing `pages` (doc->run_pages): the same substitution,
 * lines and places. Its text items (artifacts) are appended to out->items,
 * allocated with everything they point at in `a`. Warnings as layout gives
 * them (a text cut, or taller than its box) go to d; returns RP_OK, or
 * RP_ERR_INTERNAL when out of memory. */
rp_status rp_layout_running_set(rp_arena *a, const rp_layout_doc *doc, size_t index,
                                const rp_running_later *r, size_t pages, rp_page *out, rp_diag *d);

/* Writes the positioned items as stable text, one line each, for tests and
 * review (--dump-layout). Returns RP_ERR_INPUT if writing fails. */
rp_status rp_layout_dump(const rp_layout_doc *doc, FILE *out);

#endif
