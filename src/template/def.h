/* def — internal to template/: the compiled form of a layout document, shared
 * by the files that build it (load.c, brand.c, style.c, master.c, compile.c,
 * xpath.c, asset.c), the files that evaluate it (bind.c, spans.c, xpathfn.c)
 * and the table of element kinds that joins the two (kinds.c).
 *
 * Loading turns the layout's XML into these structures once: attribute values
 * parsed, style and colour names resolved, XPath expressions compiled. Every
 * name or value a layout can get wrong is checked there, so binding only
 * evaluates. All structures live in the arena given to rp_layout_def_load;
 * compiled expressions, fonts and the XML tree are owned by the def. */
#ifndef RP_TEMPLATE_DEF_H
#define RP_TEMPLATE_DEF_H

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/numfmt.h"
#include "bound/blocks.h"
#include "template/template.h"

/* ---- XPath expressions and text patterns (xpath.c) ---------------------- */

/* A compiled XPath expression and where it was written. */
typedef struct rp_xexpr {
  const char *text;  /* the expression as written */
  const char *where; /* for messages: "select=\"…\"", "text \"…\"" */
  xmlXPathCompExprPtr comp;
  const char *file;
  int line;
  bool refs; /* calls page() or pages(): its values are traced (rp_reftrace) */
  /* A step evaluated without libxml2's evaluator (its fixed cost is most of
   * a binding's time): ".", "@name", "name", "self::name" (xpath.c simple) */
  enum { RP_XSTEP_NONE, RP_XSTEP_SELF, RP_XSTEP_ATTR, RP_XSTEP_CHILD, RP_XSTEP_SELF_NAMED } step;
  const xmlChar *step_name;    /* the name of an ATTR, CHILD or SELF_NAMED step */
  const struct rp_xfast *fast; /* a test or selection xfast_parse.c compiled, or NULL */
} rp_xexpr;

/* The simple step `text` is (its name, when it has one, points into text),
 * or RP_XSTEP_NONE: ".", or an unprefixed name alone, after "@" or
 * "self::"; no spaces, no predicate. */
int rp_xexpr_step(const char *text, const xmlChar **name);

/* A text pattern (attribute value or element text) with {expr} parts.
 * Literal parts have {{ and }} already unescaped. */
typedef struct rp_avt_part {
  const char *lit;      /* literal text, or NULL */
  const rp_xexpr *expr; /* expression, or NULL */
} rp_avt_part;

typedef struct rp_avt {
  rp_avt_part *parts;
  size_t n;
  const char *constant; /* the whole value when it holds no expression, else NULL */
} rp_avt;

/* Where page variables ({$page}, {$pages}, {$section}) may be written. */
typedef enum rp_avt_mode { RP_AVT_CONTENT, RP_AVT_PAGE } rp_avt_mode;

/* ---- styles (brand.c, style.c) -------------------------------------------- */

enum {
  RP_SP_FONT,
  RP_SP_BOLD,
  RP_SP_ITALIC,
  RP_SP_SIZE,
  RP_SP_LEADING,
  RP_SP_TRACKING,
  RP_SP_COLOR,
  RP_SP_ALIGN,
  RP_SP_SPACE_BEFORE,
  RP_SP_SPACE_AFTER,
  RP_SP_INDENT,
  RP_SP_UPPERCASE,
  RP_SP_UNDERLINE,
  RP_SP_KEEP_WITH_NEXT,
  RP_SP_MAX_LINES,
  RP_SP_MIN_SIZE,
  RP_SP_HYPHENATE,
  RP_SP_KERNING,
  RP_SP_FIGURES,
  RP_SP_GRID,
};

/* Style attributes with the mask of those explicitly set. */
typedef struct rp_style_props {
  unsigned set; /* bit (1u << RP_SP_…) per attribute given */
  int role;     /* index into l->roles */
  bool bold, italic;
  double size;    /* pt */
  double leading; /* pt, or a multiple of size when leading_ratio */
  bool leading_ratio;
  double tracking; /* thousandths of an em */
  rp_color color;
  rp_align align;
  double space_before, space_after, indent; /* pt */
  bool uppercase, underline, keep_with_next;
  int max_lines;
  double min_size; /* pt */
  bool hyphenate;  /* set: as given; unset: only when justified */
  bool kerning;    /* the font's pair kerning (default on) */
  /* tabular or proportional figures (default: the font's) */
  rp_figures figures;
  rp_grid_mode grid;
} rp_style_props;

typedef struct rp_style_def {
  const char *name;
  const char *parent; /* name, or NULL */
  const char *file;
  int line;
  rp_style_props own;  /* as written */
  rp_style_props full; /* after inheritance: own over parent's full */
  rp_style *style;     /* resolved, with defaults for what nobody set */
  int state;           /* 0 new, 1 resolving (cycle check), 2 done, 3 failed */
  bool base;           /* from an extended layout: the extending one may amend it */
} rp_style_def;

typedef struct rp_font_role {
  const char *name;
  int face[4]; /* fontset index per regular, bold, italic, bold-italic; -1 absent */
  const char *file;
  int line;
  const char *fallback;                    /* <font fallback>: role names as written, or NULL */
  int fallback_role[RP_FONT_MAX_FALLBACK]; /* resolved by rp_styles_resolve */
  int n_fallback;
} rp_font_role;

typedef struct rp_named_color {
  const char *name;
  rp_color color;
  int line;
  bool base; /* from an extended layout: the extending one may replace it */
} rp_named_color;

/* A layout parameter (<param> in <brand>): a value every XPath expression of
 * the layout reads as $name, so that shared templates can differ per layout
 * (three cards a row on A4, two on A5). */
typedef struct rp_param_def {
  const char *name;
  const char *value;
  int line;
  bool base; /* from an extended layout: the extending one may replace it */
} rp_param_def;

/* ---- page masters (master.c) ---------------------------------------------- */

typedef struct rp_variant_def {
  rp_page_variant v;       /* geometry; texts are filled in per binding */
  const rp_avt **dec_text; /* per decoration: its text pattern, or NULL */
  const rp_avt *header_text, *footer_text;
} rp_variant_def;

typedef struct rp_master_def {
  const char *name;
  const char *file;
  int line;
  double width, height; /* pt */
  double baseline;      /* pt, 0 = no grid */
  rp_variant_def any;
  rp_variant_def *first, *left, *right;
} rp_master_def;

/* ---- templates (compile.c) ------------------------------------------------ */

typedef enum rp_tkind {
  /* blocks */
  RP_T_HEADING,
  RP_T_PARAGRAPH,
  RP_T_LIST,
  RP_T_ITEM,
  RP_T_QUOTE,
  RP_T_BOX,
  RP_T_SHAPE,
  RP_T_SPACER,
  RP_T_CHART,
  RP_T_PAGE_BREAK,
  RP_T_COLUMN_BREAK,
  RP_T_GRID,
  RP_T_COLUMNS, /* its blocks in balanced columns */
  RP_T_CARD,
  RP_T_TABLE,
  RP_T_HEADER, /* a table's header rows: only as the table's first child */
  RP_T_ROW,
  RP_T_CELL,
  RP_T_STAT,
  RP_T_IMAGE,
  RP_T_ENDNOTES, /* the endnotes collected so far (notes.c) */
  /* control */
  RP_T_FOR_EACH,
  RP_T_IF,
  RP_T_GROUP,
  RP_T_APPLY, /* the first matching template's body, per selected node */
  /* inline */
  RP_T_TEXT,
  RP_T_SPAN,
  RP_T_EM,
  RP_T_STRONG,
  RP_T_LINK,
  RP_T_COPY,
  RP_T_KINDS /* how many there are: not a kind */
} rp_tkind;

/* A <col> as written: its width, and the nodes it repeats for and its
 * alignment when those come from the content. */
typedef struct rp_col_def {
  rp_table_col col;        /* width */
  bool align_set;          /* align written as a keyword: */
  rp_align align;          /* … this one */
  const rp_xexpr *select;  /* one column per node (context: the table's), or NULL */
  const rp_avt *align_avt; /* align="{…}", evaluated per column, or NULL */
  const char *file;
  int line;
} rp_col_def;

typedef enum rp_quote_marks { RP_MARKS_NONE, RP_MARKS_DOUBLE, RP_MARKS_SINGLE } rp_quote_marks;

/* A data child of <chart> (chart.c): where its values come from. */
typedef enum rp_chart_src_kind {
  RP_CSRC_DATA,   /* categories: label, value, display */
  RP_CSRC_SERIES, /* a named series holding <data> */
  RP_CSRC_EVENT,  /* timeline items: start, end, label */
  RP_CSRC_POINT,  /* map points: name, kind, lat, lon */
  RP_CSRC_KEY,    /* legend entries: id, label, color */
} rp_chart_src_kind;

typedef struct rp_chart_src {
  rp_chart_src_kind kind;
  const char *file;
  int line;
  const rp_xexpr *select;   /* one item per node (document order), or NULL: the context */
  const rp_xexpr *group_by; /* <data>: one item per distinct key ($key, $group) */
  const rp_avt *each;       /* <data>: one item per token of its value ($id), in that order */
  const rp_avt *a[4];       /* per kind: data label value display; event start end label;
                               point name kind lat lon; key id label color; series name */
  rp_color color;           /* series: its colour (a == 0: the palette's) */
  struct rp_chart_src *children, *next; /* a series' <data> */
} rp_chart_src;

/* One element of a template, compiled: a head every kind has (or most
 * kinds use), then the part of its own kind in `u` (read u.<part> only for
 * the kinds that part names). What each kind compiles from and binds to is
 * in the table of kinds (kinds.c). */
typedef struct rp_tnode {
  rp_tkind kind;
  const char *file;
  int line;
  const rp_xexpr *select, *test; /* blocks: once per selected node, only when test holds */
  bool required;                 /* warn when select matches nothing */
  const rp_style_def *style;     /* NULL: the enclosing default */
  bool inline_content;           /* containers: children are inline → one paragraph */
  bool copy_context;             /* no content: copy the context node's rich text */
  double width, height;          /* pt, 0 = unset */
  /* style="{…}", width="{…}", height="{…}": evaluated per context node by
   * bind (build), which then binds a copy with the values filled in */
  const rp_avt *style_avt, *width_avt, *height_avt;
  bool style_inherited; /* style is the enclosing default (so a pattern's passes down) */
  int break_before;     /* RP_T_PAGE_BREAK or RP_T_COLUMN_BREAK before what it makes; 0: none */
  rp_boxstyle box;
  bool keep_together;
  rp_role tag;          /* tag="…": the structure role it is given; RP_ROLE_NONE: its own */
  int keep_with_next;   /* -1 unset, else 0/1 */
  const rp_avt *alt;    /* images; a chart's label */
  const rp_avt *anchor; /* anchor="{@id}": page('id') and "#id" find the first block it makes */
  struct rp_tnode *children, *next;

  union {
    struct {
      const rp_avt *text;
    } text;
    struct {
      int level;
      const rp_avt *bookmark;
      int bookmark_level;
    } heading;
    struct {
      const rp_style_def *marker_style;
      const char *marker;       /* marker pattern ("•", "1.", "(i)") or NULL */
      const rp_avt *marker_avt; /* marker= with {expressions}: evaluated per list */
      int start;                /* first number */
      bool has_indent;
      double indent; /* marker column width, pt */
    } list;
    struct {
      const rp_style_def *marker_style; /* the list's, unless the item names one */
    } item;
    struct {
      rp_quote_marks marks;
    } quote;
    struct {
      rp_shape_kind kind;
    } shape;
    struct {
      rp_chart_kind kind;
      const char *kind_name; /* as written ("bar") */
      const rp_avt *title, *unit, *centre, *centre_label;
      const char *number; /* format-number picture, or NULL */
      bool stacked;
      rp_color *palette; /* NULL: charts/' default */
      size_t n_palette;
      const rp_style_def *label_style, *value_style, *heading_style;
      rp_color background, axis, grid; /* a == 0 for axis, grid: none */
      const char *outline;             /* map: the outline file, resolved at load */
      bool has_inset;
      double inset[4]; /* lat1 lon1 lat2 lon2 */
      /* delta: the change on the chart element itself */
      const rp_avt *value, *display, *compared, *better;
      struct rp_chart_src *data;            /* <data>, <series>, <event>, <point>, <key> in order */
      const rp_avt *height_avt, *width_avt; /* height="{$…}": a length per binding */
    } chart;
    struct {
      int columns;               /* 1–12, or 0 when columns_avt gives it per binding */
      const rp_avt *columns_avt; /* columns="{$…}" */
      double gap_x, gap_y;       /* pt */
      bool fill_rows;            /* balance="false" */
    } grid;
    struct {
      int count;
      double gap; /* pt */
      bool balance;
    } columns;
    struct {
      rp_table_col *cols;
      size_t n_cols;
      rp_col_def *col_defs; /* every <col>: their widths are cols, unless one has select or */
      size_t n_col_defs;    /* align="{…}" (then cols is NULL: binding makes them) */
      bool cols_dynamic;
      rp_color zebra, rule; /* a == 0: none */
      double rule_width;    /* pt */
    } table;
    struct {
      int span;           /* columns spanned */
      const char *leader; /* leader="." : fills the last line to the cell's edge */
    } cell;
    struct {
      const rp_avt *value, *unit, *label;
      const rp_style_def *value_style, *label_style;
    } stat;
    struct {
      const rp_avt *src;
      bool src_from_layout; /* resolve src against the layout file, not the content */
      const char *path;     /* src resolved at load (a literal path in the layout), or NULL */
      rp_fit fit;
      double focal_x, focal_y;
      rp_clip clip;
      const rp_avt *initials;
      const rp_style_def *initials_style;
      rp_color placeholder;
      bool omit_missing; /* missing="omit" */
    } image;
    struct {
      const rp_xexpr *by;
    } group;
    struct {
      const char *mode; /* the templates it chooses from (NULL: those without mode) */
      int level_offset; /* headings it binds this many levels lower (level-offset) */
    } apply;
    struct {
      const char *separator; /* with select=: text between iterations */
    } span;
    struct {
      const rp_avt *href;
    } link;
    struct {
      const struct rp_tnode *title; /* a heading over them, or NULL: none */
      bool title_set;               /* title= given here, else the <notes>' */
    } endnotes;
  } u;
} rp_tnode;

/* ---- the table of kinds (kinds.c) ----------------------------------------- */

/* What compiling an element sees of where it stands (compile.c). */
typedef struct rp_tscope {
  const rp_style_def *dflt;   /* style for text that names none */
  const rp_style_def *marker; /* list items: the list's marker style */
  const char *const *vars;    /* variables visible here */
} rp_tscope;

/* Binding's state (bind.c) and a list of blocks it appends to. */
typedef struct rp_binder rp_binder;
typedef struct rp_blist {
  rp_block *head, **tail;
} rp_blist;
typedef struct rp_span_builder rp_span_builder;

/* Compiles the kind's own attributes and content into t, whose head (select,
 * test, required, keep-*) compile.c has read; `own` is its style= (blocks
 * only). Problems are reported and clear *ok; false drops the node (out of
 * memory). */
typedef bool (*rp_tcompile_fn)(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                               const rp_tscope *sc, bool *ok);
/* Binds a block element for one context node (select and test applied),
 * appending what it makes to out; `depth` is the list nesting. */
typedef void (*rp_tbind_fn)(rp_binder *b, const rp_tnode *t, xmlNodePtr node, int pos, int size,
                            rp_blist *out, int depth);
/* Binds an inline element into the spans being built. */
typedef void (*rp_tbind_inline_fn)(rp_binder *b, rp_span_builder *sb, const rp_tnode *t,
                                   xmlNodePtr node, int pos, int size);

/* One kind of template element. Adding a kind: its rp_tkind, its part of
 * rp_tnode (if it needs one), an entry in kinds.c with its functions (and,
 * for a new kind of block, the same in bound/blocks.h and layout/place.c). */
typedef struct rp_tkind_def {
  const char *name; /* element name; NULL for text */
  rp_tkind kind;
  bool is_inline;             /* inside text only (span, em, …); else a block or control */
  bool own_select;            /* bind applies select itself (group: the nodes it groups) */
  rp_tcompile_fn compile;     /* NULL: nothing of its own */
  rp_tbind_fn bind;           /* blocks and control; NULL: binds to nothing where it stands */
  rp_tbind_inline_fn inlined; /* inline kinds */
} rp_tkind_def;

/* Indexed by rp_tkind. */
extern const rp_tkind_def rp_tkinds[];
/* The kind of element `name`, or NULL when there is none. */
const rp_tkind_def *rp_tkind_find(const char *name);

/* compile.c: the compile functions of the table. */
bool rp_compile_heading(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                        const rp_tscope *, bool *);
bool rp_compile_paragraph(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                          const rp_tscope *, bool *);
bool rp_compile_list(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_item(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_quote(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_box(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *, const rp_tscope *,
                    bool *);
bool rp_compile_shape(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_spacer(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                       const rp_tscope *, bool *);
bool rp_compile_chart(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_grid(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_columns(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                        const rp_tscope *, bool *);
bool rp_compile_card(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_table(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_row(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *, const rp_tscope *,
                    bool *);
bool rp_compile_cell(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_stat(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_image(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_children(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                         const rp_tscope *, bool *);
bool rp_compile_group(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_apply(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                      const rp_tscope *, bool *);
bool rp_compile_span(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_inline_children(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                                const rp_tscope *, bool *);
bool rp_compile_link(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
bool rp_compile_copy(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                     const rp_tscope *, bool *);
/* notes.c: <endnotes>' title. */
bool rp_compile_endnotes(rp_layout_def *, xmlNode *, rp_tnode *, const rp_style_def *,
                         const rp_tscope *, bool *);

/* For kinds bound in a file of their own (chart.c): bind.c's helpers. */
rp_arena *rp_binder_arena(rp_binder *b);
rp_diag *rp_binder_diag(rp_binder *b);
struct rp_xeval *rp_binder_xeval(rp_binder *b);
const rp_layout_def *rp_binder_layout(const rp_binder *b);
/* A pattern's value, normalized, or NULL when absent, empty or failing. */
const char *rp_binder_text(rp_binder *b, const rp_avt *t, xmlNodePtr node, int pos, int size);
rp_block *rp_binder_block(rp_binder *b, const rp_tnode *t, const xmlNode *node, rp_block_kind k,
                          rp_role role);
void rp_binder_add(rp_blist *out, rp_block *blk);
/* True the first time it is asked about `key`: report an element's problem once. */
bool rp_binder_first_report(rp_binder *b, const void *key);
bool rp_binder_oom(rp_binder *b);
int rp_binder_line(const xmlNode *n);

/* bind.c: the bind functions of the table. */
void rp_bind_text(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_list(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_box(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_shape(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_spacer(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_chart(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_break(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_grid(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_columns(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_cell(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_table(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_row(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_stat(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_image(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_children(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_group(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_apply(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
void rp_bind_inline_text(rp_binder *, rp_span_builder *, const rp_tnode *, xmlNodePtr, int, int);
void rp_bind_inline_span(rp_binder *, rp_span_builder *, const rp_tnode *, xmlNodePtr, int, int);
void rp_bind_inline_char(rp_binder *, rp_span_builder *, const rp_tnode *, xmlNodePtr, int, int);
void rp_bind_inline_link(rp_binder *, rp_span_builder *, const rp_tnode *, xmlNodePtr, int, int);
void rp_bind_inline_copy(rp_binder *, rp_span_builder *, const rp_tnode *, xmlNodePtr, int, int);

typedef struct rp_template_def {
  const char *name;      /* NULL for a template only applied by match */
  const rp_xexpr *match; /* boolean on a candidate node, or NULL */
  const char *mode;      /* NULL: the default mode */
  const char *file;
  int line;
  const char *master_name; /* resolved once every master is known */
  const rp_master_def *master;
  const rp_avt *bookmark, *section;
  const char *page_labels;
  rp_tnode *body;
} rp_template_def;

typedef struct rp_run_def {
  const char *template_name; /* "" when dispatching by match */
  const char *mode;          /* dispatch: the templates' mode */
  const rp_template_def *tmpl;
  const char *master_name;
  const rp_master_def *master;
  const rp_xexpr *select;
  bool new_page, required;
  bool item; /* item="true": each node selected is an item (--select, --split) */
  const char *file;
  int line;
} rp_run_def;

/* ---- labels (labels.c) ---------------------------------------------------- */

typedef struct rp_label_def {
  const char *name, *text; /* text: white space collapsed */
  const char *file;
  int line;
} rp_label_def;

/* Every <labels> of one language, added up. */
typedef struct rp_label_table {
  const char *lang; /* xml:lang as written */
  const char *file; /* its first <labels> */
  int line;
  rp_vec labels; /* rp_label_def */
  struct {       /* the same by name: 1 + their index, 0 a free slot */
    uint32_t *slots;
    size_t cap; /* a power of two, or 0 */
    bool off;   /* out of memory once: the list is searched instead */
  } index;
} rp_label_table;

/* Month and day names for format-date and date-range; NULL entries are
 * English (a short month: the first three characters of its name). */
typedef struct rp_date_names {
  const char *month[12], *month_short[12];
  const char *day[7]; /* Sunday first */
} rp_date_names;

/* ---- notes (notes.c) ------------------------------------------------------ */

typedef enum rp_note_place { RP_NOTES_FOOT, RP_NOTES_SECTION, RP_NOTES_DOCUMENT } rp_note_place;
typedef enum rp_note_numbering {
  RP_NUMBER_DOCUMENT,
  RP_NUMBER_SECTION,
  RP_NUMBER_PAGE /* footnotes only: layout numbers them */
} rp_note_numbering;

/* <notes>: how the content's <note>s print (docs/layout.md, "Notes"). A
 * layout without one sets footnotes numbered through the document, in the
 * style of the paragraph that references them. */
typedef struct rp_notes_def {
  rp_note_place placement;
  rp_note_numbering numbering;
  const rp_style_def *style;      /* the notes' paragraph style; NULL: the referencing one's */
  const rp_style_def *mark_style; /* character style of the marks; NULL: none */
  rp_note_area area;              /* footnotes' separator */
  bool rule_color_set;            /* else the notes' text colour */
  const char *title_text;         /* endnotes' title: the pattern, or NULL: none */
  const rp_tnode *title;          /* … as a heading (kind heading), or NULL: none */
  const char *file;
  int line;
} rp_notes_def;

/* Per binding: the numbers given so far and the endnotes waiting for the
 * place the layout prints them. */
typedef struct rp_note_state {
  int n_document, n_section;
  rp_vec pending; /* rp_note * */
} rp_note_state;

/* Loads a <notes> declaration (at most one). */
rp_status rp_notes_load(rp_layout_def *l, xmlNode *n);
/* When endnotes are pending: appends their title (the <endnotes> element
 * t's, else the <notes>' one; bound with `node` as context), then a
 * paragraph (role Note) per pending endnote to `out`, in order, and empties
 * the list; false when out of memory. */
bool rp_notes_endnotes(rp_binder *b, rp_note_state *ns, const rp_tnode *t, xmlNodePtr node,
                       rp_blist *out);
void rp_bind_endnotes(rp_binder *, const rp_tnode *, xmlNodePtr, int, int, rp_blist *, int);
/* The defaults of the footnotes' separator. */
rp_note_area rp_notes_area(const rp_layout_def *l);

/* ---- the definition ------------------------------------------------------- */

struct rp_layout_def {
  rp_arena *a;
  rp_diag *d; /* during loading only */
  const char *path, *dir, *root;
  xmlDocPtr doc;
  xmlDocPtr base_doc; /* <layout extends>: the layout this one changes, or NULL */
  rp_fontset fonts;
  bool fonts_ready;
  double page_w, page_h; /* layout@page, pt */
  rp_print print;        /* <brand><print>: settings for `render --for print` */
  bool uses_page_refs;   /* some expression calls page() */
  rp_vec print_colors;   /* rp_print_color: brand colours with a CMYK form */
  rp_vec colors;         /* rp_named_color */
  rp_vec params;         /* rp_param_def */
  rp_vec roles;          /* rp_font_role */
  rp_vec styles;         /* rp_style_def * */
  struct {               /* the same by name (rp_style_find): looked up hundreds of times */
    rp_style_def **slot; /* NULL: a free slot */
    size_t cap, used;    /* cap a power of two, or 0 */
    bool off;            /* out of memory once: the list is searched instead */
  } style_index;
  rp_vec masters;       /* rp_master_def * */
  rp_vec templates;     /* rp_template_def * */
  rp_vec runs;          /* rp_run_def */
  rp_vec applies;       /* rp_tnode * of every <apply>, checked once templates are known */
  rp_vec outlines;      /* const char *: each map's outline file, distinct (read ahead) */
  rp_vec label_tables;  /* rp_label_table *, one per language; the first is the default */
  rp_vec comps;         /* xmlXPathCompExprPtr, freed with the def */
  struct {              /* the same, by their text (rp_def_xpath) */
    const char **texts; /* NULL: a free slot */
    xmlXPathCompExprPtr *comps;
    size_t cap, used; /* cap a power of two, or 0 */
  } xmemo;
  xmlXPathContextPtr xp; /* for compiling */
  rp_xpath_ahead *ahead; /* expressions compiled ahead, while loading (or NULL) */
  char xp_err[256];
  int xp_err_code, xp_err_pos;
  const rp_avt *info_title, *info_author, *info_subject, *info_keywords;
  rp_vec files; /* rp_def_file cache: included file names → arena copies */
  bool has_sequence;
  rp_notes_def notes; /* <notes>, or the defaults */
  bool notes_declared;
};

/* The layout's trees, validated, to compile expressions from ahead (xpath.c). */
void rp_xpath_ahead_give(rp_xpath_ahead *x, const xmlDoc *doc, const xmlDoc *base);
/* The compiled `text`, now the caller's, if compiled ahead; else NULL. */
xmlXPathCompExprPtr rp_xpath_ahead_take(rp_xpath_ahead *x, const char *text);
/* How many were taken (tests). */
size_t rp_xpath_ahead_taken(rp_xpath_ahead *x);

/* load.c: where a layout node came from, and reporting against it. */
const char *rp_def_file(rp_layout_def *l, const xmlNode *n);
rp_status rp_def_error(rp_layout_def *l, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rp_def_warn(rp_layout_def *l, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The attribute's value, arena-allocated, or NULL when absent. */
const char *rp_def_attr(rp_layout_def *l, const xmlNode *n, const char *name);
/* `text` compiled in l->xp (rp_xpath_compile), owned by l: an expression
 * written more than once (".", "title", "@href": the review's layout
 * writes 634, 337 of them distinct) is compiled once and shared, as one
 * compiled expression is evaluated again and again anyway. *out is NULL
 * when it does not compile (l->xp_err says why). False only when out of
 * memory (recorded). */
bool rp_def_xpath(rp_layout_def *l, const char *text, xmlXPathCompExprPtr *out);
/* The attribute compiled as an XPath expression / a text pattern ({…} parts),
 * with the scope's variables; NULL when absent, or on error (*ok false,
 * recorded). */
const rp_xexpr *rp_def_expr_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                                 const char *const *vars, bool *ok);
const rp_avt *rp_def_avt_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                              const char *const *vars, bool *ok);
/* Parses a length attribute if present; reports and returns false when bad. */
bool rp_def_length(rp_layout_def *l, const xmlNode *n, const char *attr, double percent_of,
                   double *out);
bool rp_def_int(rp_layout_def *l, const xmlNode *n, const char *attr, int lo, int hi, int *out);
bool rp_def_bool(rp_layout_def *l, const xmlNode *n, const char *attr, bool *out);
bool rp_def_out_of_memory(rp_layout_def *l);
bool rp_is_element(const xmlNode *n, const char *name);
/* Whether n comes from the layout that <layout extends> names (not the one
 * being loaded): its named parts may be replaced or amended. */
bool rp_def_from_base(const rp_layout_def *l, const xmlNode *n);

/* brand.c: colours and fonts. */
rp_status rp_brand_load(rp_layout_def *l, xmlNode *brand);
/* A colour value: a brand colour's name or a literal (units.h). Reports an
 * unknown colour against node n, attribute attr. */
bool rp_def_color(rp_layout_def *l, const xmlNode *n, const char *attr, rp_color *out);
/* The brand colour of that name into *out; false when there is none. */
bool rp_brand_color(const rp_layout_def *l, const char *name, rp_color *out);
int rp_font_role_find(const rp_layout_def *l, const char *name);

/* The parameter of that name, or NULL. */
const rp_param_def *rp_param_find(const rp_layout_def *l, const char *name, size_t len);

/* asset.c: files named by images. `rel` joined to folder `dir` and cleaned
 * of "." and ".." (lexically: "data/../images/a.png" → "images/a.png"),
 * arena-allocated; NULL when out of memory. *inside is whether the path
 * stays inside `root` (the project), judged on the real location of the
 * deepest part of it that exists, so a missing file can still be refused. */
const char *rp_asset_resolve(rp_arena *a, const char *dir, const char *rel, const char *root,
                             bool *inside);

/* style.c */
rp_status rp_style_collect(rp_layout_def *l, xmlNode *style);
rp_status rp_styles_resolve(rp_layout_def *l);
const rp_style_def *rp_style_find(const rp_layout_def *l, const char *name);
/* The style named by attribute attr of n (reported when unknown), or NULL
 * when the attribute is absent. *ok is cleared on error. */
const rp_style_def *rp_def_style_attr(rp_layout_def *l, const xmlNode *n, const char *attr,
                                      bool *ok);
/* The paragraph style `para` with the character styles chars[0..n) applied
 * in order (only the attributes each sets). Cached in `cache` (a vec of
 * derived styles, per binding); allocated from `a`. NULL on out of memory. */
const rp_style *rp_style_derive(rp_arena *a, rp_diag *d, const rp_layout_def *l, rp_vec *cache,
                                const rp_style_def *para, const rp_style_def *const *chars,
                                size_t n);
/* The default character styles: em, strong, link (built in when the brand
 * defines none). */
const rp_style_def *rp_style_char(const rp_layout_def *l, const char *name);

/* master.c */
rp_status rp_master_load(rp_layout_def *l, xmlNode *n);
const rp_master_def *rp_master_find(const rp_layout_def *l, const char *name);

/* compile.c: templates and the sequence. */
/* A marker= value as a pattern: keywords bullet, dash, number, none (NULL). */
const char *rp_marker_pattern(const char *m);
rp_status rp_template_load(rp_layout_def *l, xmlNode *n);
rp_status rp_sequence_load(rp_layout_def *l, xmlNode *n);
const rp_template_def *rp_template_find(const rp_layout_def *l, const char *name);
/* True when some template has a match in `mode` (NULL: the default mode). */
bool rp_template_mode_exists(const rp_layout_def *l, const char *mode);
/* The same mode: both NULL, or equal names. */
bool rp_mode_eq(const char *a, const char *b);

/* xmlXPathCtxtCompile, without libxml2 2.9's streaming shortcut for plain
 * paths: that shortcut leaks its pattern when the allocation after it fails
 * (found by test_alloc_faults), so a plain path is compiled in parentheses,
 * which XPath 1.0 gives the same value. Shielded (base/mem.h): libxml2
 * 2.9.14's xmlXPathCompLiteral returns without an error when copying a
 * literal fails, so a function's argument compiles to nothing and
 * xmlXPathCompileExpr reads steps[-1] (memcheck, `join(a, ' · ')`), or the
 * literal is silently dropped; fixed upstream in 2.11 (7553440), not in
 * Debian 12's. An injected fault due in it falls after it. */
xmlXPathCompExprPtr rp_xpath_compile(xmlXPathContextPtr ctx, const char *text);

/* xpath.c: compiling (at load). `attr` names the attribute for messages.
 * Both report errors against n and return NULL. */
const rp_xexpr *rp_xexpr_compile(rp_layout_def *l, const xmlNode *n, const char *attr,
                                 const char *text, const char *const *vars);
const rp_avt *rp_avt_compile(rp_layout_def *l, const xmlNode *n, const char *attr, const char *text,
                             rp_avt_mode mode, const char *const *vars);

/* ---- evaluation (xpath.c, xpathfn.c) --------------------------------------- */

typedef struct rp_xvar {
  const char *name;
  xmlXPathObjectPtr value; /* owned */
} rp_xvar;

/* Per-binding evaluation state: the XPath context on the content document,
 * the variable stack and the id tables of the extension functions. */
typedef struct rp_xeval {
  rp_arena *a;    /* values: the section being bound (lazy binding) */
  rp_arena *keep; /* caches that outlive a section's arena; NULL: a */
  rp_diag *d;
  xmlDocPtr doc;
  const char *content_file;
  xmlXPathContextPtr ctx;
  rp_vec vars; /* rp_xvar, innermost last */
  char err[256];
  int err_code;
  const char *cur_file; /* the layout element being evaluated, for function errors */
  int cur_line;
  const char *cur_where;
  xmlNodePtr current; /* the context node of the expression being run: current() */
  /* called with the context node before each expression runs (bind: a
   * projected content's item is read whole first); false: the expression
   * is not run (the hook recorded why) */
  bool (*enter)(void *user, xmlNodePtr node);
  void *enter_user;
  const rp_page_refs *refs; /* page(): labels from a previous layout, or NULL */
  rp_live_refs *live;       /* page(): labels from the layout running, first; or NULL */
  rp_reftrace *trace;       /* the values of expressions calling page()/pages(); or NULL */
  /* refs' entries sorted by id (then order), built on page()'s first use for
   * the refs they were built from: a linear search per call was N² */
  const rp_page_refs *refs_sorted_for;
  struct rp_page_ref_entry *refs_sorted;
  void *ids[4];    /* xmlHashTablePtr per id kind, built on first use (xpathfn.c) */
  rp_vec reported; /* const rp_xexpr *: failed once, reported once */
  void *saved_generic_ctx;
  xmlGenericErrorFunc saved_generic;
  const rp_layout_def *layout; /* its labels */
  const char *lang;            /* the content root's xml:lang, or NULL */
  void *label_index[2];        /* labels.c's: chosen language, default; on first use */
  void *label_missing;         /* names reported missing, reported once */
  void *kinds;                 /* xmlHashTablePtr: (id, of) → <kind>, on first use */
  const rp_date_names *date_names;
  bool date_names_done;
} rp_xeval;

rp_status rp_xeval_init(rp_xeval *x, rp_arena *a, rp_diag *d, xmlDocPtr doc,
                        const char *content_file);
void rp_xeval_fini(rp_xeval *x);
/* Evaluates with `node` as context (position pos of size). NULL on error,
 * which is recorded against the expression's layout line. */
xmlXPathObjectPtr rp_xeval_run(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size);
/* The expression's value as nodes (NULL *out set and RP_OK when none), a
 * boolean, a string (arena-allocated). */
rp_status rp_xeval_nodes(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                         xmlXPathObjectPtr *out);
rp_status rp_xeval_bool(rp_xeval *x, const rp_xexpr *e, xmlNodePtr node, int pos, int size,
                        bool *out);
/* Evaluates a pattern to an arena string; page variables stay as written. */
rp_status rp_avt_eval(rp_xeval *x, const rp_avt *t, xmlNodePtr node, int pos, int size, char **out);
/* Variables for $key, $group: push takes ownership of value. */
bool rp_xeval_push(rp_xeval *x, const char *name, xmlXPathObjectPtr value);
void rp_xeval_pop(rp_xeval *x);

/* reftrace.c, for rp_xeval_run: the ordinal of an evaluation of an
 * expression that calls page() or pages(), then its value r (NULL: it
 * failed) at `node`; `others`: an answer it got came from elsewhere than the
 * layout running (rp_live_refs.others grew), so the value is recorded. */
size_t rp_reftrace_begin(rp_reftrace *t);
void rp_reftrace_value(rp_reftrace *t, size_t ordinal, const void *expr, const void *node,
                       xmlXPathObjectPtr r, bool others);

/* xpathfn.c: the extension functions (docs/layout.md, "Functions"). */
void rp_xpathfn_register(xmlXPathContextPtr ctx);
/* True for a function an expression may call: XPath 1.0 core or ours. */
bool rp_xpathfn_known(const char *name, size_t len);
/* join()'s text (xpathfn.c): the string values of set's nodes that are not
 * blank, white space collapsed, `sep` between them; the caller frees it
 * (rp_mem_free); NULL when out of memory. */
char *rp_xpathfn_join(const xmlNodeSet *set, const char *sep);
void rp_xpathfn_fini(rp_xeval *x);
/* Pure helpers behind the functions (also used by tests through XPath). */
bool rp_format_date(const char *iso, const char *picture, char *out, size_t cap);
bool rp_date_range(const char *from, const char *to, char *out, size_t cap);
/* The same with month and day names from `names` (NULL: English). */
bool rp_format_date_in(const rp_date_names *names, const char *iso, const char *picture, char *out,
                       size_t cap);
bool rp_date_range_in(const rp_date_names *names, const char *from, const char *to, char *out,
                      size_t cap);

/* labels.c: <labels> at load; label lookups, date names and kind labels per
 * binding (hash tables built on first use, freed by rp_labels_fini). */
rp_status rp_labels_load(rp_layout_def *l, xmlNode *n);
/* At load: label('name') with a literal name the default table lacks is
 * reported against n (where: the expression, for the message); false then. */
bool rp_labels_check(rp_layout_def *l, const xmlNode *n, const char *where, const char *name,
                     size_t len);
/* The text of label `name` in the chosen table, then (unless chosen_only)
 * the default one; NULL when neither has it. Owned by the layout. */
const char *rp_label_find(rp_xeval *x, const char *name, bool chosen_only);
/* The language of the chosen (or default) table; NULL when there are none. */
const char *rp_label_lang(rp_xeval *x, bool chosen);
/* A language whose table has `name`, or NULL: for messages. */
const char *rp_label_elsewhere(rp_xeval *x, const char *name);
/* True the first time `name` is found missing in this binding. */
bool rp_label_first_miss(rp_xeval *x, const char *name);
/* Date names from the chosen table into *out, NULL for English; false when
 * out of memory. */
bool rp_label_date_names(rp_xeval *x, const rp_date_names **out);
/* The printed label (or plural) of kind `id` declared with `of` in the
 * content's vocabulary, translated for the document's language when it can
 * be; `id` itself when undeclared. xmlFree the result; NULL when out of memory. */
xmlChar *rp_kind_label(rp_xeval *x, const char *of, const char *id, bool plural);
void rp_labels_fini(rp_xeval *x);

/* spans.c: inline content → spans. */
struct rp_span_builder {
  rp_arena *a;
  rp_arena *keep; /* the style cache's styles (outlive a section's arena); NULL: a */
  rp_diag *d;
  const rp_layout_def *l;
  rp_vec *style_cache;
  rp_xeval *x;
  const rp_style_def *para;
  const rp_style_def *chars[16]; /* character style stack */
  size_t n_chars;
  const char *href;
  rp_script script;     /* <sub>, <sup> */
  const char *lang;     /* innermost xml:lang inside the rich text, or NULL */
  const char *src_file; /* stamped on new spans: the content node the text */
  int src_line;         /* comes from (set by rp_spans_rich, or by the caller) */
  rp_span *head, **tail;
  /* The last span's text when the builder grew it (capacity doubling, so
   * that appending piece by piece stays linear): else NULL. */
  char *grown;
  size_t grown_len, grown_cap;
  /* Bytes of text the binding may still append (shared by every builder of
   * one binding; NULL: no limit). Running out fails the builder with
   * over_limit set, and the binder reports it (bind.c, RP_BIND_TEXT_FACTOR). */
  size_t *text_left;
  bool over_limit;
  bool failed;
  /* Notes: numbered and collected here (NULL: a <note> met is left out,
   * as in a note's own text); the note whose mark is being appended, or
   * NULL; whether that mark is the note's label. */
  rp_note_state *notes;
  const rp_note *note;
  bool note_label;
};

void rp_spans_begin(rp_span_builder *b, const rp_style_def *para);
/* Appends text in the current character styles. */
bool rp_spans_text(rp_span_builder *b, const char *text, size_t len);
/* Appends the rich text of content node n (text, em, strong, a, sub, sup,
 * br, span xml:lang), each span stamped with the content line holding it. */
bool rp_spans_rich(rp_span_builder *b, const xmlNode *n);
/* Text appended from now on comes from content node n (its file and line):
 * for text computed from n by {expr} patterns. */
void rp_spans_source(rp_span_builder *b, const xmlNode *n);
/* Whitespace collapsed across spans, empty spans dropped; returns the list. */
rp_span *rp_spans_end(rp_span_builder *b);

#endif
