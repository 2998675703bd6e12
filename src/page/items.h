/* items — the result of layout: pages of positioned items.
 *
 * Plain data, no libharu or Cairo types: render/ draws it, --dump-layout
 * prints it, tests inspect it. Coordinates are points from the page's top-left
 * corner, y growing downwards; text items are placed by their baseline.
 *
 * Each item carries its structure role (for tagged PDF later) and where it
 * came from (layout and content lines, for messages and preflight). Items
 * belonging to one structure element (the lines of a paragraph, the words of
 * a justified line) share a struct_id. */
#ifndef RP_PAGE_ITEMS_H
#define RP_PAGE_ITEMS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/types.h"
#include "font/font.h"

typedef enum rp_item_kind {
  RP_ITEM_TEXT,     /* a run of text in one font, size, colour */
  RP_ITEM_RECT,     /* rectangle, optionally rounded */
  RP_ITEM_LINE,     /* from (x,y) to (x+w, y+h) */
  RP_ITEM_ELLIPSE,  /* inscribed in x,y,w,h */
  RP_ITEM_IMAGE,    /* image_index drawn into x,y,w,h */
  RP_ITEM_LINK,     /* clickable area: uri or internal destination */
  RP_ITEM_CHART,    /* a slot for a chart drawn by charts/ (part 1: labelled frame) */
  RP_ITEM_BOOKMARK, /* outline entry pointing at y on this page */
  RP_ITEM_PATH,     /* a filled and/or stroked path (charts, the map) */
} rp_item_kind;

/* One segment of a path, in page points (top-left origin, y down): a move
 * or line to (x[0], y[0]), a cubic curve through two control points to
 * (x[2], y[2]), or the closing of the current subpath. */
typedef enum rp_path_op_kind {
  RP_PATH_MOVE,
  RP_PATH_LINE,
  RP_PATH_CURVE,
  RP_PATH_CLOSE
} rp_path_op_kind;
typedef struct rp_path_op {
  rp_path_op_kind op;
  double x[3], y[3];
} rp_path_op;

typedef struct rp_item {
  rp_item_kind kind;
  double x, y, w, h; /* pt; for text: x,y = start of baseline, w = advance, h = size */
  rp_role role;
  int struct_id;   /* items of one structure element share it; 0 = none */
  int parent_id;   /* enclosing structure element (list, table…), 0 = none */
  const char *alt; /* figures: alternative text */
  rp_src src;
  bool bleed; /* a master's shape: print output extends the edges it shares with the page */

  union {
    struct {
      const char *text; /* UTF-8, NUL-terminated */
      int font;         /* index into the layout's fontset */
      double size;      /* pt */
      double tracking;  /* extra thousandths of an em per character */
      rp_color color;
      bool underline;
      bool kern; /* draw the font's pair kerning (font.h rp_font_measure) */
      /* draw these figures (font.h rp_font_measure_fig) */
      rp_figures figures;
    } text;
    struct {
      rp_color fill, stroke; /* a == 0: none */
      double stroke_width;   /* pt */
      double radius;         /* pt, rect corners */
    } shape;
    struct {
      int image; /* index into rp_layout_doc.images */
      rp_clip clip;
      double radius; /* for RP_CLIP_ROUNDED */
      /* the part of the image shown (cover/focal point), in 0..1 image units */
      double sx, sy, sw, sh;
    } image;
    struct {
      const char *uri; /* https:, http:, mailto: — or NULL for internal */
      int dest_page;   /* internal: 0-based page, -1 if uri */
      double dest_y;
    } link;
    struct {
      const char *kind; /* chart kind named in the layout ("bar", "map"…) */
      const char *ref;  /* what it charts (an id or XPath in the layout) */
      const char *label;
      bool drawn; /* charts/ drew it as path and text items: render draws no slot */
      /* layout: its items still being drawn on another thread, put after it
       * once drawn (charts/memo.h rp_charts_draw_memo_held); 0: none */
      unsigned later;
    } chart;
    struct {
      const char *title;
      int level; /* 1 = top */
    } bookmark;
    struct {
      const rp_path_op *ops;
      size_t n_ops;
      rp_color fill, stroke; /* a == 0: none */
      double stroke_width;   /* pt */
      double dash[2];        /* on, off (pt); 0 = solid */
      bool even_odd;         /* fill rule */
    } path;
  } u;
} rp_item;

struct rp_running_later; /* layout/layout.h */

typedef struct rp_page {
  double width, height; /* pt */
  const char *label;    /* page label ("i", "1"…), may be NULL */
  const char *master;   /* master name */
  rp_vec items;         /* rp_item */
  /* running texts printing {$pages} left off a streamed page, to be set
   * once the count is known (layout.h defer_pages); NULL: none */
  const struct rp_running_later *later;
} rp_page;

/* An image referenced by items: decoded and checked by render/ (part 2). */
typedef struct rp_image_ref {
  const char *path;    /* resolved path */
  double max_w, max_h; /* largest placed size, pt (for downsampling) */
} rp_image_ref;

/* The whole laid-out document. Allocated from the render's arena; the fontset
 * is borrowed from the bound document. */
/* Where a section with an id starts: page('id') in the next binding. */
typedef struct rp_anchor {
  const char *id;
  size_t page; /* 0-based */
  double y;    /* pt from the page's top */
} rp_anchor;

typedef struct rp_layout_doc {
  rp_vec pages;   /* rp_page */
  rp_vec images;  /* rp_image_ref */
  rp_vec anchors; /* rp_anchor, in document order */
  const rp_fontset *fonts;
  rp_doc_info info;
  size_t run_pages; /* pages of the last label run: what {$pages} prints */
  /* streaming (layout.h page_done): the pages handed on printed a {$pages}
   * other than run_pages, or were freed unhanded: lay out again */
  bool recount;
} rp_layout_doc;

/* Appends an item to a page; NULL when out of memory. */
rp_item *rp_page_add(rp_arena *a, rp_page *p, rp_item_kind kind);

#endif
