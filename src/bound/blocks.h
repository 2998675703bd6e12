/* blocks — the bound document: what template/ produces by binding a layout to
 * content, and what layout/ turns into pages.
 *
 * Styles are fully resolved (inheritance applied, font roles turned into
 * fontset indices, colour names into values). Text is final, except the page
 * variables {$page}, {$pages} and {$section} in running headers and footers,
 * which layout substitutes per page. Everything is arena-allocated. */
#ifndef RP_BOUND_BLOCKS_H
#define RP_BOUND_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/types.h"
#include "bound/chart.h"
#include "font/font.h"

typedef enum rp_align { RP_ALIGN_LEFT, RP_ALIGN_RIGHT, RP_ALIGN_CENTER, RP_ALIGN_JUSTIFY } rp_align;

/* How text sits on a master's baseline grid (rp_master.baseline): AUTO snaps
 * text whose leading is a whole number of grid steps and centres the rest
 * (headings always centre); SNAP puts every baseline on a grid line; CENTRE
 * gives the block a whole number of grid steps with its text centred in
 * them; NONE ignores the grid (layout/flow.c, docs/layout-engine.md). */
typedef enum rp_grid_mode { RP_GRID_AUTO, RP_GRID_SNAP, RP_GRID_CENTRE, RP_GRID_NONE } rp_grid_mode;

/* A resolved paragraph or character style. */
typedef struct rp_style {
  const char *name;
  int font;        /* fontset index */
  double size;     /* pt */
  double leading;  /* pt, baseline to baseline */
  double tracking; /* thousandths of an em */
  rp_color color;
  rp_align align;
  double space_before, space_after; /* pt */
  double indent;                    /* pt, first-line indent */
  bool uppercase;
  bool underline;
  bool keep_with_next; /* headings: never last on a page */
  int max_lines;       /* 0 = unlimited; beyond it: ellipsis + warning */
  double min_size;     /* pt; > 0 allows shrink-to-fit down to it */
  bool hyphenate;      /* words may break at hyphenation points (layout/hyphen.h) */
  bool kerning;        /* the font's pair kerning (font.h rp_font_kern) */
  rp_figures figures;  /* tabular or proportional figures (font.h rp_font_advance) */
  rp_grid_mode grid;   /* on a master's baseline grid */
  const char *src_file;
  int src_line;
  /* faces tried in order for a character `font` lacks (same slot of the
   * role's fallback roles, <font fallback>) */
  int fallback[RP_FONT_MAX_FALLBACK];
  int n_fallback;
} rp_style;

/* Sub- and superscript: set smaller with the baseline shifted (inline.h). */
typedef enum rp_script { RP_SCRIPT_NONE, RP_SCRIPT_SUB, RP_SCRIPT_SUP } rp_script;

struct rp_note;

/* A run of text in one style; spans of a paragraph form a linked list.
 * U+2028 (LINE SEPARATOR, what <br/> becomes) in text forces a line break.
 * A note's mark is a span of its own with `note` set: in the running text a
 * reference (layout reserves the note's room where its line lands), in the
 * note itself its label (`note_label`). */
typedef struct rp_span {
  const char *text; /* UTF-8 */
  const rp_style *style;
  const char *href; /* link target or NULL */
  rp_script script;
  const char *lang;           /* xml:lang of the text (innermost element giving one), or NULL */
  const char *src_file;       /* content file and line the text came from; NULL, 0 for */
  int src_line;               /* the layout's own text (messages then name the style) */
  const struct rp_note *note; /* a note's mark, or NULL */
  bool note_label;            /* … the one before the note's own text */
  struct rp_span *next;
} rp_span;

/* A note (<note> in the content's rich text, docs/content.md): bound where
 * its mark is, numbered by bind. A footnote is set by layout at the foot of
 * the column whose line holds its mark; an endnote was bound as a paragraph
 * where the layout collects them (<endnotes/>, the end of a section). */
typedef struct rp_note {
  const char *mark;      /* "3": the number as printed */
  rp_span *spans;        /* the note as set: its label, a space, its text */
  const rp_style *style; /* the notes' paragraph style */
  bool foot;             /* a footnote */
  bool per_page;         /* numbered from 1 on each page by layout: `mark` is a stand-in */
  rp_src src;            /* the <notes> declaration's line, the <note>'s content line */
} rp_note;

/* Where footnotes go at a column's foot: below a short rule. */
typedef struct rp_note_area {
  double space;       /* pt between the text and the rule; half of it below the rule */
  double rule_width;  /* pt; 0: no rule */
  double rule_length; /* share of the column's width, 0–1 */
  rp_color rule_color;
} rp_note_area;

typedef enum rp_block_kind {
  RP_BLOCK_HEADING,
  RP_BLOCK_PARAGRAPH,
  RP_BLOCK_LIST,  /* children: RP_BLOCK_ITEM */
  RP_BLOCK_ITEM,  /* marker + children blocks (paragraphs, nested lists) */
  RP_BLOCK_QUOTE, /* pull quote: children, with a rule/band from its box style */
  RP_BLOCK_BOX,   /* a container with padding, fill, border; children flow inside */
  RP_BLOCK_SHAPE, /* rect, rounded rect, line, circle */
  RP_BLOCK_SPACER,
  RP_BLOCK_CHART, /* labelled frame until charts/ lands */
  RP_BLOCK_IMAGE, /* part 2 */
  RP_BLOCK_GRID,  /* part 2 */
  RP_BLOCK_TABLE, /* part 2 */
  RP_BLOCK_STAT,  /* part 2 */
  RP_BLOCK_PAGE_BREAK,
  RP_BLOCK_COLUMN_BREAK,
  RP_BLOCK_ROW,     /* table row: children RP_BLOCK_CELL (part 2) */
  RP_BLOCK_CELL,    /* table cell: children blocks (part 2) */
  RP_BLOCK_COLUMNS, /* children flow in `u.columns.count` columns, balanced */
  RP_BLOCK_KINDS    /* how many there are: not a kind */
} rp_block_kind;

/* Image fitting (part 2). */
typedef enum rp_fit { RP_FIT_CONTAIN, RP_FIT_COVER, RP_FIT_FILL } rp_fit;

/* A table column's width (part 2): fixed pt, a share of what is left, or the
 * width its content asks for. */
typedef enum rp_col_kind { RP_COL_AUTO, RP_COL_FIXED, RP_COL_SHARE } rp_col_kind;
typedef struct rp_table_col {
  rp_col_kind kind;
  double value; /* pt for FIXED, weight for SHARE */
} rp_table_col;

typedef enum rp_shape_kind {
  RP_SHAPE_RECT,
  RP_SHAPE_ROUNDED,
  RP_SHAPE_LINE,
  RP_SHAPE_CIRCLE
} rp_shape_kind;

/* Box decoration shared by boxes, quotes, shapes and page decorations. */
typedef struct rp_boxstyle {
  double padding[4];   /* pt: top, right, bottom, left */
  bool padding_set;    /* padding given (so 0 means 0, not "the default") */
  rp_color fill;       /* a == 0: none */
  rp_color stroke;     /* a == 0: none */
  double stroke_width; /* pt */
  double radius;       /* pt */
  rp_color rule;       /* a left rule (pull quotes); a == 0: none */
  double rule_width;   /* pt */
} rp_boxstyle;

/* A bound block: a head every kind has (or most kinds use), then the part
 * of its own kind in `u` (as rp_item has). Read u.<part> only for the kinds
 * that part names; everything is zero where binding did not set it.
 * Adding a kind: its enum value above, its part here (when it needs one),
 * an entry in template/kinds.c and in layout/place.c (docs/architecture.md). */
typedef struct rp_block {
  rp_block_kind kind;
  rp_role role;              /* structure role for tagged PDF */
  const rp_style *style;     /* text blocks; marker style for items; default for the rest */
  rp_span *spans;            /* heading, paragraph: the text; an item or cell: text of its own */
  struct rp_block *children; /* list, item, quote, box, grid, table, row, cell */
  struct rp_block *next;     /* sibling */
  int level;                 /* heading level 1–6; list nesting depth */
  double width, height;      /* pt; 0 = full frame width / natural height */
  rp_boxstyle box;           /* boxes, quotes, shapes, cards, cells, tables, stats, images */
  bool keep_together;        /* never split across pages or columns */
  bool keep_with_next;
  bool tagged;          /* role was given by the layout (tag="…"): kept for headings too */
  bool artifact;        /* tag="artifact": everything it draws is an artifact */
  const char *bookmark; /* outline entry title, or NULL */
  int bookmark_level;
  const char *anchor; /* an id page('id') and links to "#id" find where the block starts, or NULL */
  const char *alt;    /* images and charts: alternative text */
  rp_src src;

  union {
    struct {
      const char *marker; /* "•", "1." … (bind computes it), or NULL */
    } item;
    struct {
      rp_shape_kind kind;
    } shape;
    struct {
      const char *kind, *ref; /* the chart kind and what it charts, as the layout names them */
      const rp_chart *data;   /* what charts/ draws; NULL: a labelled slot */
    } chart;
    /* grid: children are cards (usually boxes), `columns` per row; cards of a
     * row share the tallest one's height; a card never splits. */
    struct {
      int columns;
      double gap_x, gap_y; /* pt: between columns, between rows */
      bool fill_rows;      /* balance="false": full rows first, the last one short */
    } grid;
    /* table: children are RP_BLOCK_ROW, the first `header_rows` repeated on
     * every page the table spans; rows split only between rows. A long
     * table bound a piece at a time (template.h rp_bind_piece) comes in
     * parts, one block each, placed one after the other as one table
     * (layout/table.c): `part` says which (0: the whole table), a part's
     * children are its body rows only, its header rows (`head`, as many as
     * header_rows, at most RP_TABLE_PART_HEAD) are the table's, shared by
     * its parts, and `row0` body rows came in the parts before. Only a table
     * whose column widths do not depend on its rows' content comes in
     * parts, so that its parts place exactly as the whole would. */
    struct {
      rp_table_col *cols;
      size_t n_cols;
      int header_rows;
      rp_color zebra;              /* fill of every other body row; a == 0: none */
      rp_color rule;               /* rule between rows; a == 0: none */
      double rule_width;           /* pt */
      const struct rp_block *head; /* a part's header rows */
      int row0;                    /* a part's first body row, counted over the table */
      unsigned char part;          /* RP_TABLE_PART, | FIRST, | LAST; 0: whole */
    } table;
    /* columns: its children flow in `count` columns `gap` pt apart, inside
     * the column it is placed in; balanced, they end level (layout/columns.c) */
    struct {
      int count;
      double gap;   /* pt */
      bool balance; /* false: fill each column in turn */
    } columns;
    struct {
      int span;           /* how many columns this cell spans (0 or 1 = one) */
      const char *leader; /* repeated after the last line's text up to the cell's edge */
    } cell;
    /* stat tile: a big figure with unit and label, fitted to its box */
    struct {
      const char *value, *unit, *label;
      const rp_style *value_style, *label_style;
    } stat;
    /* image: fit mode, focal point (0..1, 0.5 = centre) for cover, clip; a
     * missing or unreadable image becomes a drawn placeholder with initials */
    struct {
      const char *path; /* resolved file, or NULL */
      rp_fit fit;
      double focal_x, focal_y;
      rp_clip clip;
      const char *initials; /* placeholder text, or NULL */
      const rp_style *initials_style;
      rp_color placeholder_fill;
      bool omit_missing; /* missing="omit": no file, no image (nor what keeps with it) */
    } image;
  } u;
} rp_block;

/* rp_block.u.table.part: a part of a table given in parts (every part has
 * it), the first one, the last one. */
#define RP_TABLE_PART 1u
#define RP_TABLE_FIRST 2u
#define RP_TABLE_LAST 4u
/* A table comes in parts only with at most this many header rows (layout
 * keeps their heights between parts). */
#define RP_TABLE_PART_HEAD 8

/* A cell's span (0 for any other kind): rows hold cells, but a block read
 * as one must not read another kind's part. */
static inline int rp_block_span(const rp_block *b) {
  return b->kind == RP_BLOCK_CELL ? b->u.cell.span : 0;
}

/* Whether b keeps with the block after it: by its own keep-with-next, or,
 * a box, by its last block's — a heading ending a box of its own (a head
 * box) would otherwise be kept with nothing (CSS carries break-after up the
 * same way). Layout moves such blocks on with what follows; binding gives
 * them in one piece with it. */
static inline bool rp_block_keeps_with_next(const rp_block *b) {
  for (;;) {
    if (b->keep_with_next || (b->style && b->style->keep_with_next)) return true;
    if (b->kind != RP_BLOCK_BOX || !b->children) return false;
    for (b = b->children; b->next; b = b->next) {
    }
  }
}

/* An item's marker (NULL for any other kind). */
static inline const char *rp_block_marker(const rp_block *b) {
  return b->kind == RP_BLOCK_ITEM ? b->u.item.marker : NULL;
}

/* A rectangle of the page that text flows into, split in columns. */
typedef struct rp_frame {
  double x, y, w, h; /* pt, relative to the page's top-left */
  int columns;
  double gutter; /* pt */
  bool balance;  /* where a section's flow ends on a page, its columns end level */
} rp_frame;

/* A decorative shape or fixed text on every page of a master. */
typedef struct rp_decoration {
  rp_shape_kind shape;
  bool is_text;
  double x, y, w, h;
  rp_boxstyle box;
  const char *text; /* pattern: may hold {$page} {$pages} {$section} */
  const rp_style *style;
  rp_src src;
} rp_decoration;

/* One variant of a page master (first, left, right or default). */
typedef struct rp_page_variant {
  rp_frame *frames;
  size_t n_frames;
  rp_decoration *decorations; /* drawn in order, behind the flow */
  size_t n_decorations;
  rp_decoration *header, *footer; /* text patterns; NULL when none */
} rp_page_variant;

typedef struct rp_master {
  const char *name;
  double width, height; /* pt */
  double baseline;      /* pt: the baseline grid's step, from each column's top; 0 = none */
  rp_page_variant any;
  rp_page_variant *first, *left, *right; /* NULL: use `any` */
  rp_src src;
} rp_master;

/* One run of the flow: a template applied to content. */
typedef struct rp_section {
  const rp_master *master;
  bool new_page;                /* start on a fresh page (else continue the flow) */
  const char *title;            /* value of {$section} on its pages */
  const char *anchor;           /* the content node's id: page('id') finds where it starts */
  const char *outer_anchor;     /* its parent element's id (a board's boards), or NULL */
  const char *bookmark;         /* outline entry, or NULL */
  const char *page_label_style; /* "decimal", "roman", NULL = continue */
  rp_block *blocks;
  struct rp_section *next; /* NULL in lazy binding (rp_bind_next): ask for the next */
  rp_src src;
  /* bound lazily: it holds notes (a later section may print them, layout
   * caches them by address), so its arena lives as long as the layout */
  bool keeps_notes;
  /* bound lazily a piece at a time (template.h rp_bind_piece): `blocks` is
   * NULL and layout asks for them (rp_layout_opts.section_piece) */
  bool streamed;
} rp_section;

typedef struct rp_bound_doc {
  const rp_fontset *fonts; /* owned by the template loader's rp_layout_def */
  rp_section *sections;
  rp_doc_info info;
  const char *layout_path;
  rp_note_area notes; /* footnotes' separator (bind fills in the defaults) */
  /* the masters the runs may start sections on (each once): what layout
   * reads before the sections when they are bound lazily */
  const rp_master *const *masters;
  size_t n_masters;
} rp_bound_doc;

#endif
