/* diff — golden-file comparison: two PDFs, or a PDF and a folder of golden
 * PNGs, rasterised page by page with poppler (poppler-glib onto Cairo image
 * surfaces) and compared pixel by pixel (docs/diff.md).
 *
 * A pixel differs when one of its channels differs by more than a threshold;
 * a page differs when more than a share of its pixels differ, or when its
 * size differs, or when only one side has it. For each differing page a diff
 * image is written: the changed pixels in red over a faded expected page,
 * the changed region boxed.
 *
 * This module links poppler, which costs every process start several
 * milliseconds: it lives in the reviewpdf-diff executable, never in the
 * reviewpdf binary that renders (README, "Reviewing a diff"). */
#ifndef RP_DIFF_DIFF_H
#define RP_DIFF_DIFF_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"

/* Defaults measured on the sample review at 72 dpi (docs/diff.md): re-rasterising
 * with a sub-pixel offset stays under both, a one-word change exceeds them. */
#define RP_DIFF_DEFAULT_DPI 72
#define RP_DIFF_MIN_DPI 10
#define RP_DIFF_MAX_DPI 600
#define RP_DIFF_MAX_PAGES 100000 /* in a goldens folder's manifest */
#define RP_DIFF_DEFAULT_THRESHOLD 32
#define RP_DIFF_DEFAULT_MAX_SHARE 0.0001
#define RP_DIFF_DEFAULT_RADIUS 1

/* A folder of goldens holds page-001.png, page-002.png, … and golden.txt,
 * which records the dpi they were rasterised at and their page count. */
#define RP_DIFF_MANIFEST "golden.txt"

typedef struct rp_diff_opts {
  int dpi;             /* 0: the goldens' own dpi, or RP_DIFF_DEFAULT_DPI for two PDFs */
  int threshold;       /* 0–255: a channel difference above this makes a pixel differ */
  double max_share;    /* 0–1: a page differs when more than this share of pixels differ */
  int radius;          /* px: a pixel that the other image matches within this distance is
                          the same edge drawn a little elsewhere (0: in place only) */
  const char *out_dir; /* folder for the diff images (made when needed); NULL: none */
} rp_diff_opts;

/* The options' defaults (RP_DIFF_DEFAULT_*; dpi 0, no diff images). */
rp_diff_opts rp_diff_opts_default(void);

typedef enum rp_diff_verdict {
  RP_DIFF_SAME,          /* no pixel differs, or few enough within the share */
  RP_DIFF_PIXELS,        /* more pixels differ than the share allows */
  RP_DIFF_SIZE,          /* the page's size differs: pixels not compared */
  RP_DIFF_ONLY_EXPECTED, /* the actual document has no such page */
  RP_DIFF_ONLY_ACTUAL,   /* the expected document has no such page */
} rp_diff_verdict;

typedef struct rp_diff_page {
  int page; /* 1-based */
  rp_diff_verdict verdict;
  long differing, total; /* pixels */
  int max_delta;         /* the largest channel difference, 0–255 */
  int x0, y0, x1, y1;    /* px from the top left, inclusive: the box of the differing pixels */
  int exp_w, exp_h, act_w, act_h;                /* px */
  double exp_w_pt, exp_h_pt, act_w_pt, act_h_pt; /* 0 for a golden PNG */
  const char *image;                             /* the diff image written, or NULL */
} rp_diff_page;

typedef struct rp_diff_result {
  int dpi; /* the dpi compared at */
  int expected_pages, actual_pages;
  rp_vec pages; /* rp_diff_page, every page of either side, in order */
  int differing_pages;
} rp_diff_result;

/* Compares ACTUAL (a PDF) with EXPECTED (a PDF, or a folder of goldens).
 * Returns RP_OK when the comparison was made, whatever it found
 * (res->differing_pages says); an error status, recorded in d, when it could
 * not be made: a file unreadable or not a PDF, a missing or incomplete
 * goldens folder, a dpi that disagrees with the goldens', a diff image that
 * cannot be written. The result lives in a. */
rp_status rp_diff_run(rp_arena *a, const char *expected, const char *actual, const rp_diff_opts *o,
                      rp_diff_result *res, rp_diag *d);

/* Writes the goldens folder DIR from ACTUAL (a PDF) at dpi (0: the folder's
 * current dpi, or RP_DIFF_DEFAULT_DPI for a new folder): each page's PNG
 * written all-or-nothing, pages beyond the new count removed, the manifest
 * last. Makes DIR when missing (its parent must exist). *pages gets the
 * count written, *dpi_used the dpi. */
rp_status rp_diff_update(rp_arena *a, const char *dir, const char *actual, int dpi, int *pages,
                         int *dpi_used, rp_diag *d);

#endif
