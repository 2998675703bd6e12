/* flow — internal to layout/: the cursor that walks frames, columns and
 * pages, and the placing of blocks into it. Shared by flow.c (pages and
 * columns), block.c (placing each kind of block) and running.c (headers and
 * footers). */
#ifndef RP_LAYOUT_FLOW_H
#define RP_LAYOUT_FLOW_H

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

typedef struct page_info {
  const rp_page_variant *variant;
  const char *section;
} page_info;

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
  pending_marker marker;
  bool has_marker;
  int next_id;
} flow;

/* Indentation inside the current column, from enclosing lists and boxes. */
typedef struct place_ctx {
  double left, right; /* pt */
  int parent_id;
} place_ctx;

/* flow.c */
rp_status rp_flow_new_page(flow *f, const rp_master *m, bool first_of_run);
rp_status rp_flow_next_column(flow *f);
rp_item *rp_flow_emit(flow *f, rp_item_kind kind);
int rp_flow_id(flow *f);

/* block.c */
rp_status rp_flow_place_blocks(flow *f, const rp_block *first, place_ctx ctx);
/* Height of `b` set at width `w` from the top of an empty column. */
rp_status rp_flow_measure(flow *f, const rp_block *b, place_ctx ctx, double *height);

/* running.c */
rp_status rp_flow_running(flow *f);

#endif
