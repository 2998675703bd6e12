/* flow — internal to layout/: the cursor that walks frames, columns and
 * pages, and the placing of blocks into it. Shared by flow.c (pages and
 * columns), place.c (the table of block kinds and the loop over blocks),
 * block.c, grid.c, table.c, figure.c (placing each kind of block) and
 * running.c (headers and footers). */
#ifndef RP_LAYOUT_FLOW_H
#define RP_LAYOUT_FLOW_H

#include <math.h>
#include <stdbool.h>

#include "layout/inline.h"
#include "layout/layout.h"

/* An open box whose background is drawn per column segment once its extent
 * is known (boxes and quotes that split across columns). */
typedef struct open_box {
  const rp_block *blk;
  double x, w;      /* pt, absolute */
  double seg_top;   /* top of the current segment */
  size_t insert_at; /* item index: backgrounds go behind the content */
  struct open_box *outer;
} open_box;

typedef struct pending_marker {
  const char *text;
  const rp_style *style;
  double x, width; /* marker box: right-aligned inside it */
  int struct_id;
  rp_src src;
} pending_marker;

/* Markers waiting for their item's first line: more than one when an item
 * starts with a nested list ("(iv)" and "a." share a baseline). Deeper
 * nesting than this drops the outermost markers. */
#define RP_MAX_MARKERS 8

/* Columns of a frame or a <columns> block: at most this many. */
#define RP_MAX_COLUMNS 12

/* Anchors of nested blocks that have not emitted anything yet (a box, the
 * heading that opens it): deeper nesting records the outer ones at once. */
#define RP_MAX_ANCHORS 8

/* A line placed while measuring a list item (flow.lines): where it ends and
 * whether its paragraph may break after it. */
typedef struct line_mark {
  size_t index, count; /* line `index` (from 0) of a paragraph of `count` */
  double bottom;       /* pt: cursor after the line */
} line_mark;

/* {$section} is the section in effect at the top of the page (what a book's
 * running foot names); {$section-first} the first section starting on the
 * page, else that one; {$section-last} the last starting on it, else that
 * one (a dictionary's guide words). */
typedef struct page_info {
  const rp_page_variant *variant;
  const char *section;                  /* in effect at the top */
  const char *first_start, *last_start; /* sections whose first item is on the page, or NULL */
} page_info;

/* A <columns> block being placed (columns.c): while its content flows, its
 * columns stand in for the frame's, and moving on from the last of them is
 * either a failed trial or a move of the enclosing flow. */
typedef struct local_cols {
  int n, i;                       /* columns; the current one */
  double w, gap;                  /* pt: each column's width, between columns */
  double left, right;             /* pt: the block's indents inside the enclosing column */
  double top;                     /* pt: the columns' top in this region */
  double bottoms[RP_MAX_COLUMNS]; /* pt: where each column ends in this region */
  double max_y;                   /* pt: the lowest a column of this region reached */
  bool trial;                     /* measuring a bottom: past the last column fails */
  bool overflow;                  /* content ran past the last column */
  double ox, ow, otop, obottom;   /* the enclosing column */
  struct local_cols *outer;
} local_cols;

/* A footnote set at the current column's foot (notes.c). */
typedef struct foot_note {
  const rp_note *note;
  const rp_lines *lines; /* broken at the column's width */
  int sid, parent;       /* its Note element, and the paragraph referencing it */
} foot_note;

/* doc->anchors by id (flow.c): a slot names the index its id was pushed
 * at, and is believed only while that anchor is still there with that id
 * (rewinding cuts doc->anchors back, and leaves its slots behind). */
typedef struct anchor_slot {
  const char *id;
  size_t index;
} anchor_slot;
typedef struct anchor_index {
  anchor_slot *slots;
  size_t cap, used; /* a power of two; slots taken */
} anchor_index;

/* A table that comes in parts (rp_block.u.table.part) while it is being
 * placed: what its next part continues (table.c). Kept in the flow by
 * value, so that a rewind takes it back with the rest. */
typedef struct table_run {
  bool open;    /* a part is placed, the last not yet */
  int id;       /* the table's structure id */
  bool repeat;  /* past its first column segment: header rows are set again */
  size_t rect;  /* the open segment's TABLE rectangle (an item of the current page), */
  double top;   /* … where the segment begins */
  double col_w; /* the column width the header rows' heights are for */
  double head_h[RP_TABLE_PART_HEAD];
} table_run;

typedef struct flow {
  rp_arena *a;
  rp_diag *d;
  const rp_bound_doc *b;
  rp_layout_doc *doc;
  rp_vec info; /* page_info per page */

  bool measuring; /* sandbox: infinite column, nothing emitted */
  const rp_section *section;
  const rp_master *master;
  const rp_page_variant *variant;
  rp_page *page; /* NULL before the first page, and while measuring */
  size_t frame;
  int column;
  double col_x, col_w, col_top, col_bottom; /* current column, absolute pt */
  double y;                                 /* cursor */
  bool at_top;                              /* nothing placed in this column yet */
  bool page_blank;                          /* nothing placed on this page yet */
  open_box *boxes;                          /* innermost first */
  pending_marker markers[RP_MAX_MARKERS];   /* outermost first */
  int n_markers;
  line_mark *lines; /* when not NULL (a measuring sandbox): the first lines placed */
  size_t n_lines, max_lines;
  int next_id;
  bool roman_labels;                  /* current page-label style: lower-case roman, else decimal */
  size_t label_number;                /* number of the last page in the current label run */
  int atomic;                         /* > 0 while placing a grid card or table row: no breaks */
  const rp_section *pending_bookmark; /* a section that continues the page: its outline entry
                                        goes where its first item lands (flow.c) */
  const rp_section *pending_start;    /* a section whose first item is not placed yet: the
                                        page it lands on records it (page_info) */
  const char *pending_anchors[RP_MAX_ANCHORS]; /* blocks' anchors waiting for their first item */
  int n_pending_anchors;
  const rp_layout_opts *opts; /* may be NULL */
  rp_vec *probed;             /* probed_image: probe results per path, shared by measuring copies */
  rp_hyphen *hy;              /* hyphenation dictionaries of this run, shared by measuring copies */
  double grid;                /* pt: the master's baseline grid step; 0 = none */
  double grid_top;      /* pt: where the grid starts (the column's top; shifted in sandboxes) */
  double grid_phase;    /* pt: the cursor after the last line set on the grid, mod grid; */
  bool phase_known;     /* centred blocks end there so that the next line lands on it */
  local_cols *lc;       /* innermost <columns> block being placed, or NULL */
  const rp_block *stop; /* rp_flow_place_blocks ends before this block (a section's page break) */
  /* balancing a frame (flow.c): on page `bal_page`, frame `bal_frame`,
   * column i ends at `bal_bottom[i]` */
  bool balancing;
  size_t bal_page, bal_frame;
  double bal_bottom[RP_MAX_COLUMNS];
  /* footnotes (notes.c) */
  double col_foot;   /* pt: the column's bottom before its notes took their room */
  rp_vec foot;       /* foot_note: the notes set at this column's foot, in order */
  double foot_h;     /* pt they take, separator included (col_foot - col_bottom) */
  bool notes_ok;     /* the lines being emitted were fitted with their notes (block.c) */
  rp_vec deferred;   /* const rp_note *: footnotes of cards, rows, captions: at the section's end */
  rp_vec note_cache; /* notes broken at a width (notes.c) */
  int page_notes;    /* notes numbered per page: how many this page has */
  rp_vec page_marks; /* page_mark: the numbers they were given */
  /* pages (flow.c): each page's items, and what they point at, live in an
   * arena of the page's own, freed once the page is handed on
   * (opts->page_done). Pages before `final` can no longer change; from
   * `keep_from` on they still may (a trial's mark, an artifact block:
   * rp_flow_hold). Rewinding keeps all of these as they are. */
  rp_vec arenas;                 /* rp_arena * per page; NULL once freed */
  rp_arena *ia;                  /* the current page's */
  size_t final;                  /* pages no rewind can reach any more */
  size_t done;                   /* pages handed on, or freed unhanded */
  size_t keep_from;              /* SIZE_MAX: none held */
  size_t held;                   /* bytes of final pages waiting for the count ({$pages}) */
  bool needs_count;              /* a running text prints {$pages} */
  bool streaming;                /* past opts->hold_bytes: final pages are handed on */
  bool counting;                 /* streaming without the count: pages freed unhanded */
  bool ended;                    /* every page placed: the count is known */
  struct running_cache *running; /* running.c: lines of running texts */
  anchor_index ids;              /* doc->anchors by id */
  anchor_index titles;           /* sections' titles, each copied once (own_section) */
  rp_section own;                /* the section being laid out, lazily bound (own_section) */
  /* lazy binding (opts->next_section): the arenas of sections laid out,
   * each freed once the pages before its `upto` are handed on (flow.c) */
  rp_vec retired;      /* retired_section */
  size_t retired_from; /* the first not freed yet */
  bool between;        /* binding a section's body: rp_layout_final_label answers */
  table_run tbl;       /* a table that comes in parts, between its parts (table.c) */
  /* the records that grow with the document, each vector alone in an arena
   * of its own (flow.c own_push): doc->pages, info, arenas, doc->anchors,
   * retired */
  struct {
    rp_arena *pages, *info, *arenas, *anchors, *retired;
  } grows;
  size_t ref_final; /* … from the pages before this one, as when the body began */
} flow;

typedef struct retired_section {
  rp_arena *a;
  size_t upto; /* pages when the section ended; SIZE_MAX: kept to the end */
} retired_section;

/* Everything placing changes, so that trials can be undone: the cursor and
 * its counters, and how far the pages, their items, anchors and page infos
 * went (flow.c). Items of the current page after the mark are dropped, and
 * pages after it. */
typedef struct flow_mark {
  flow f;
  size_t pages, items, info, anchors;
  rp_page page;
  page_info pinfo;
} flow_mark;
void rp_flow_mark(flow *f, flow_mark *m);

/* Diagnostics set aside during a trial: a scratch record that also takes
 * the widow and orphan findings, so that a trial can be refused for making
 * more of them than the layout without it (a column too short to keep two
 * lines together). */
typedef struct flow_quiet {
  rp_diag scratch, *real;
} flow_quiet;
void rp_flow_quiet_begin(flow *f, flow_quiet *q);
/* Back to the real record. *problems: errors and widow/orphan findings. */
void rp_flow_quiet_end(flow *f, flow_quiet *q, size_t *errors, size_t *widows);
/* Back to mark m; f->d and the balancing fields stay what they are. */
void rp_flow_rewind(flow *f, const flow_mark *m);

/* Keeps the current page and every later one open (not handed on) until
 * rp_flow_unhold with the value returned: around a trial that may rewind,
 * or a block whose items are changed once it is placed. */
size_t rp_flow_hold(flow *f);
/* Ends a hold; pages it kept that are final now are handed on. */
rp_status rp_flow_unhold(flow *f, size_t saved);

/* Indentation inside the current column, from enclosing lists and boxes. */
typedef struct place_ctx {
  double left, right; /* pt */
  int parent_id;
} place_ctx;

/* Everything placed since page page0 (the count of pages then) at item
 * item0 becomes an artifact, outside the structure (tag="artifact"); links
 * and bookmarks stay what they are. */
void rp_flow_make_artifacts(flow *f, size_t page0, size_t item0);

/* flow.c */
rp_status rp_flow_new_page(flow *f, const rp_master *m, bool first_of_run);
rp_status rp_flow_next_column(flow *f);
rp_item *rp_flow_emit(flow *f, rp_item_kind kind);
/* Emits an item of `kind` with its box, role, structure ids and source set;
 * NULL when out of memory or measuring. */
rp_item *rp_flow_emit_box(flow *f, rp_item_kind kind, double x, double y, double w, double h,
                          rp_role role, int sid, int parent, const rp_src *src);
/* Emits the fragments of one line from x0 on baseline `base` as text items,
 * with a link item over each fragment that has an href; texts and hrefs are
 * copied into the flow's arena (the line may be freed after). Nothing while
 * measuring; RP_ERR_INTERNAL when out of memory. */
rp_status rp_flow_emit_frags(flow *f, const rp_line *ln, double x0, double base, rp_role role,
                             int sid, int parent, const rp_src *src);
int rp_flow_id(flow *f);
/* Block anchor `id` (rp_block.anchor) is recorded where the next item is
 * emitted: where the block lands, after any move to the next column. */
void rp_flow_pend_anchor(flow *f, const char *id);

/* No widows or orphans: at least this many lines either side of a break. */
#define RP_FLOW_MIN_LINES 2

/* How a kind of block takes up room, for what asks before placing it (a
 * table's column widths, the height that must fit before a break). */
typedef enum rp_flow_extent {
  RP_EXTENT_FLOW,  /* blocks in the flow (or nothing): splits between them */
  RP_EXTENT_TEXT,  /* lines of its own text: splits between lines */
  RP_EXTENT_FIXED, /* its own width and height: never splits */
} rp_flow_extent;

/* A kind of block as layout sees it: one entry per rp_block_kind (place.c). */
typedef struct rp_flow_kind {
  rp_status (*place)(flow *f, const rp_block *b, place_ctx ctx);
  /* Height needed before a break may follow; NULL: measured (place.c). */
  rp_status (*min_start)(flow *f, const rp_block *b, place_ctx ctx, double *h);
  rp_flow_extent extent;
  bool fills_row; /* a box: as a grid card it takes its row's height */
} rp_flow_kind;

/* place.c: the entry of b's kind (an entry placing nothing for a value
 * outside the enum); each block of a chain by its kind's place function. */
const rp_flow_kind *rp_flow_kind_of(const rp_block *b);
rp_status rp_flow_place_blocks(flow *f, const rp_block *first, place_ctx ctx);
/* Height of `b` set at width `w` from the top of an empty column. */
rp_status rp_flow_measure(flow *f, const rp_block *b, place_ctx ctx, double *height);
/* Height of `b` set from the cursor as it stands: below other blocks, with
 * the space before it and before its first blocks (a box's first paragraph),
 * which the top of a column drops. */
rp_status rp_flow_measure_here(flow *f, const rp_block *b, place_ctx ctx, double *height);
/* The same for the chain of blocks from `first` to its end. */
rp_status rp_flow_measure_chain(flow *f, const rp_block *first, place_ctx ctx, double *height);

/* columns.c: a <columns> block, and the move to its next column (called by
 * rp_flow_next_column while one is being placed). */
rp_status rp_flow_place_columns(flow *f, const rp_block *b, place_ctx ctx);
rp_status rp_flow_local_next(flow *f);

/* block.c: the place functions of headings and paragraphs, lists, boxes and
 * quotes, shapes, and chart slots. */
rp_status rp_flow_place_text(flow *f, const rp_block *b, place_ctx ctx);
rp_status rp_flow_place_list(flow *f, const rp_block *b, place_ctx ctx);
rp_status rp_flow_place_box(flow *f, const rp_block *b, place_ctx ctx);
rp_status rp_flow_place_shape(flow *f, const rp_block *b, place_ctx ctx);
rp_status rp_flow_place_chart(flow *f, const rp_block *b, place_ctx ctx);

/* flow.c: an open box's background segments (boxes, quotes, tables). */
void rp_flow_box_push(flow *f, open_box *ob);
void rp_flow_box_pop(flow *f, open_box *ob);

/* The "can never fit" error for `b`, which needs `need` pt (block.c). */
rp_status rp_flow_no_fit(flow *f, const rp_block *b, double need);

/* Baseline of a line whose box starts at `top`: half-leading model. */
static inline double rp_flow_baseline(const rp_line *ln, double top) {
  return top + (ln->leading - (ln->ascent - ln->descent)) / 2 + ln->ascent;
}

/* The baseline grid applies to text in the column itself: not inside boxes,
 * quotes, tables or grid cards, which are measured apart from the page. */
static inline bool rp_flow_on_grid(const flow *f) { return f->grid > 0 && !f->boxes && !f->atomic; }

/* The first grid line at or below `y` (y itself when there is no grid). */
static inline double rp_flow_grid_next(const flow *f, double y) {
  if (f->grid <= 0) return y;
  double k = ceil((y - f->grid_top) / f->grid - 1e-6);
  return f->grid_top + k * f->grid;
}

/* notes.c: footnotes. The room the notes referenced by line `ln` take that
 * the column does not hold yet, added to *need (*counted: notes counted so
 * far in this fitting, so that the separator counts once). */
rp_status rp_flow_notes_need(flow *f, const rp_line *ln, size_t *counted, double *need);
/* The "note taller than the column" error for a line with a footnote that
 * cannot fit even at a column's top; RP_OK when the line has none. */
rp_status rp_flow_notes_too_tall(flow *f, const rp_line *ln);
/* A mark of note n was emitted in paragraph `parent`: the note takes its
 * room at the column's foot, or waits for the section's end. */
rp_status rp_flow_notes_reference(flow *f, const rp_note *n, int parent);
/* The mark of a note numbered per page (rp_note.per_page): the number it
 * was given, or, for its reference (`label` false) met first, the next one
 * on this page. NULL when out of memory. */
const char *rp_flow_notes_page_mark(flow *f, const rp_note *n, bool label);
/* Sets the column's footnotes at its foot and gives the column its room back. */
rp_status rp_flow_notes_flush(flow *f);
/* Footnotes met where they could not be set at a foot: at the section's end. */
rp_status rp_flow_notes_section_end(flow *f);

/* running.c: the running texts of page p, {$pages} printing `pages`
 * (items in the page's arena); the cache they share freed at the end. */
rp_status rp_flow_running_page(flow *f, size_t p, size_t pages);
void rp_flow_running_fini(flow *f);

/* ---- part 2: grids, tables, figures, fitting ---- */

/* A probe result cached for one layout run (flow.probed). */
typedef struct probed_image {
  const char *path;
  rp_image_info info;
} probed_image;

/* grid.c: cards in rows of b->u.grid.columns; a row moves whole to the next column. */
rp_status rp_flow_place_grid(flow *f, const rp_block *b, place_ctx ctx);
/* Cards in row `row` (from 0) of a grid of `n` cards and `columns` columns:
 * balanced (fuller rows first), or every row full but the last with
 * `fill_rows`; 0 past the last row. */
int rp_grid_row_len(int n, int columns, int row, bool fill_rows);
/* Height of the grid's first row: what must fit before a break may follow. */
rp_status rp_flow_grid_min_start(flow *f, const rp_block *b, place_ctx ctx, double *h);

/* table.c: rows of cells, header rows repeated on every column it continues in. */
rp_status rp_flow_place_table(flow *f, const rp_block *b, place_ctx ctx);
/* Height of the header rows and the first body row. */
rp_status rp_flow_table_min_start(flow *f, const rp_block *b, place_ctx ctx, double *h);

/* figure.c: images (or their placeholders) and stat tiles; neither splits. */
rp_status rp_flow_place_image(flow *f, const rp_block *b, place_ctx ctx);
rp_status rp_flow_place_stat(flow *f, const rp_block *b, place_ctx ctx);
/* True when image b is to be left out (missing="omit" and no usable file),
 * with a warning the first time (not while measuring); *st is set to an
 * error when out of memory. */
bool rp_flow_image_omitted(flow *f, const rp_block *b, rp_status *st);

/* fit.c: breaks the text of heading/paragraph `b` into lines `width` pt wide,
 * honouring its style's max_lines (truncate with an ellipsis, warn) and
 * min_size (shrink in 0.5 pt steps, warn; error when even min_size does not
 * fit). Warnings are recorded only when not measuring. */
rp_status rp_fit_text(flow *f, const rp_block *b, double width, rp_lines *out);

/* The hyphenation set for block b's text: the run's, none for headings. */
rp_hyphen *rp_fit_hyphen(const flow *f, const rp_block *b);
/* A copy of `st` (arena) at `size` pt, leading scaled in proportion. */
const rp_style *rp_fit_style_at(rp_arena *a, const rp_style *st, double size);
/* The first `max_bytes` bytes or so of the spans' text, cut at a character
 * boundary, for messages ("…" appended when cut). Never NULL. */
const char *rp_fit_excerpt(rp_arena *a, const rp_span *spans, size_t max_bytes);
/* Records warning `msg` at `src` unless the same one was already recorded
 * (cards and tables re-place the same block). */
void rp_flow_warn_once(flow *f, const rp_src *src, const char *msg);
/* The same with a preflight check code and page (from 1; 0 unknown, found
 * later from where b's items landed: pipeline/preflight.c). */
void rp_flow_warn_code(flow *f, rp_diag_code code, int page, const rp_src *src, const char *msg);

#endif
