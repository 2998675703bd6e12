/* types — the small value types every stage shares: colours, structure
 * roles, clips, source positions and document metadata.
 *
 * They live below every module so that the bound document (bound/), the
 * laid-out pages (page/), charts and the back end can all name them without
 * depending on each other. */
#ifndef RP_BASE_TYPES_H
#define RP_BASE_TYPES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rp_color {
  float r, g, b, a; /* 0..1 */
} rp_color;

/* A brand colour's print form (docs/print.md): its own CMYK, 0..1, and
 * optionally the name of the spot ink it is printed with (a Separation with
 * that CMYK as its alternate). Print output looks colours up by r, g, b. */
typedef struct rp_print_color {
  rp_color rgb;
  float cmyk[4];
  const char *spot; /* borrowed from the layout; NULL: none */
} rp_print_color;

/* Print output settings (a layout's <print>, `render --for print`). */
typedef struct rp_print {
  bool on;                      /* write the print file (else these are unused) */
  double bleed;                 /* pt the page grows by on every side */
  double safe;                  /* pt inside the trim that text and images keep clear of */
  bool crop_marks;              /* trim marks outside the bleed */
  const char *condition;        /* registered printing condition for the output intent */
  const rp_print_color *colors; /* the brand's print colours, borrowed */
  size_t n_colors;
} rp_print;

typedef enum rp_role {
  RP_ROLE_NONE,
  RP_ROLE_ARTIFACT, /* headers, footers, decorative bands: not content */
  RP_ROLE_H1,
  RP_ROLE_H2,
  RP_ROLE_H3,
  RP_ROLE_H4,
  RP_ROLE_H5,
  RP_ROLE_H6,
  RP_ROLE_P,
  RP_ROLE_LIST,
  RP_ROLE_LIST_ITEM,
  RP_ROLE_LIST_LABEL,
  RP_ROLE_LIST_BODY,
  RP_ROLE_QUOTE,
  RP_ROLE_TABLE,
  RP_ROLE_TABLE_ROW,
  RP_ROLE_TABLE_HEADER,
  RP_ROLE_TABLE_CELL,
  RP_ROLE_FIGURE,
  RP_ROLE_LINK,
  RP_ROLE_CAPTION,
  RP_ROLE_SECTION,
  RP_ROLE_NOTE,       /* a footnote or endnote: Note, with an /ID */
  RP_ROLE_NOTE_REF,   /* a note's mark in the running text: Reference */
  RP_ROLE_NOTE_LABEL, /* the mark before the note's own text: Lbl */
} rp_role;

const char *rp_role_name(rp_role r);

typedef enum rp_clip { RP_CLIP_NONE, RP_CLIP_CIRCLE, RP_CLIP_ROUNDED } rp_clip;

/* Where an item or block came from. Files are borrowed, lines 0 when unknown. */
typedef struct rp_src {
  const char *layout_file;
  int layout_line;
  const char *content_file;
  int content_line;
} rp_src;

typedef struct rp_doc_info {
  const char *title, *author, *subject, *keywords, *creator, *lang;
} rp_doc_info;

#endif
