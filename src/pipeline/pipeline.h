/* pipeline — one render from files to files: content load → layout find and
 * load → bind → image probe + layout → optional dump → PDF. The one place the
 * stages are composed, shared by `render`, the tests and (later) `diff`.
 * Sits on top of render/ and below cli/; prints nothing.
 *
 * With `select` only the layout's items that XPath matches are rendered;
 * with `split`, one PDF per item (`output` is then a pattern, see
 * rp_items_names). A split run lays out every item before it writes any
 * file, so content that cannot fit, a bad name or a collision writes
 * nothing; each file is then written all-or-nothing on its own.
 *
 * It owns, for the duration of one call, the loaded content and layout (freed
 * before returning), the image probe, and the temporary output files: the
 * PDF and the dump are each written beside their target and renamed into
 * place only on success, so a failed run leaves an earlier file untouched and
 * no partial or temporary file behind. Everything it returns lives in the
 * caller's arena. */
#ifndef RP_PIPELINE_PIPELINE_H
#define RP_PIPELINE_PIPELINE_H

#include <stdio.h>

#include "base/arena.h"
#include "base/diag.h"
#include "layout/layout.h"

/* Points at which the test hook is called, each after the stage succeeded. */
typedef enum rp_pipeline_stage {
  RP_PIPELINE_LOADED,   /* content and layout loaded, bound */
  RP_PIPELINE_LAID_OUT, /* pages laid out (and dumped, if asked) */
  RP_PIPELINE_RENDERED, /* PDF written to its temporary file, not yet renamed */
} rp_pipeline_stage;

/* Where a render is, for a progress display (cli/render.c, on a terminal). */
typedef enum rp_progress_stage {
  RP_PROGRESS_LAYOUT, /* a page begun: `done` pages so far in layout pass `pass` */
  RP_PROGRESS_WRITE,  /* a page drawn into the PDF: `done` of `total`; saving follows */
} rp_progress_stage;

typedef struct rp_progress {
  rp_progress_stage stage;
  size_t done, total; /* pages; a first layout's total is 0 (unknown) */
  int pass;           /* layout: 1, then 2, 3… when page references lay out again */
} rp_progress;

typedef struct rp_pipeline_opts {
  const char *content; /* content XML path */
  const char *layout;  /* a layout file, or a name rp_layout_find looks up; NULL: annual-review */
  const char *output;  /* PDF to write; NULL: lay out only, write no PDF */
  const char *dump;    /* layout dump file; NULL: none (see dump_stream) */
  FILE *dump_stream;   /* when set, the dump goes here instead of to `dump` */
  const char *source_date_epoch; /* text of SOURCE_DATE_EPOCH, NULL or "" for no dates */
  int chart_dpi;                 /* > 0: charts as images at this resolution (rp_render_opts) */
  const char *select;            /* XPath: render only the items it matches; NULL: all */
  bool split;                    /* one PDF per item; output is a {xpath} pattern (no dump) */
  /* A print file (docs/print.md) instead of a screen file: the layout's
   * <print> settings, with the bleed and crop marks overridden when given. */
  bool for_print;
  bool bleed_set; /* else the layout's bleed (3 mm unless it says) */
  double bleed;   /* pt */
  int crop_marks; /* 0: the layout's; 1 yes; -1 no */
  /* A preflight report to write (pipeline/preflight.h: .json or .xml), or
   * NULL. Its findings are recorded in `d` as warnings (errors when
   * d->strict, stopping the run before the PDF). The report is written
   * however far the run got, even when it failed. */
  const char *preflight;
  /* render --accessible: the accessibility rules are errors (rp_accessible_check) */
  bool accessible;
  /* Tests: called after each stage; a status other than RP_OK (recorded in
   * `d` by the hook) stops the run there as that stage's failure would. */
  rp_status (*hook)(void *user, rp_pipeline_stage stage, rp_diag *d);
  void *hook_user;
  /* Tests: bind the whole document before each layout (rp_bind_ex), as
   * before binding became lazy; the output must be the same. */
  bool bind_whole;
  /* Tests: draw each chart wherever a layout places it, as before charts
   * were drawn once per run (charts/memo.h); the output must be the same. */
  bool no_chart_memo;
  /* Tests: load the content and then the layout on this thread, as before
   * they were loaded on two at once; the messages must be the same. */
  bool load_serial;
  /* The process ends as soon as a run that succeeded returns (cli/exit.c):
   * what the run holds, its threads too, is left to it, not freed; `out`
   * and `d` stay valid. Off: everything freed, threads joined. */
  bool leave_memory;
  /* Progress, page by page (NULL: none): called often, so it should be
   * cheap; it must not print from library code, only cli/ decides. */
  void (*progress)(void *user, const rp_progress *p);
  void *progress_user;
} rp_pipeline_opts;

typedef struct rp_pipeline_result {
  const char *layout_path;  /* the layout file used (arena), NULL before it is found */
  const rp_layout_doc *doc; /* the pages (arena); NULL unless laid out */
  size_t pages, items;      /* counts of doc, 0 unless laid out */
  const char *written;      /* o->output once the PDF is in place, else NULL */
  /* --split: the files written (arena), in item order; the first n_written
   * of n_files are in place (all of them on success). doc is the first's. */
  const char **files;
  size_t n_files, n_written;
  /* Charts drawn, and charts copied from an earlier layout's drawing
   * (charts/memo.h), over every layout of the run that used the memo. */
  size_t chart_draws, chart_copies;
  size_t chart_later; /* of chart_draws, drawn on the content thread meanwhile */
  /* The last layout returned with charts still drawing there, placed once
   * what follows it and needs no page's items was done (layout.h
   * defer_charts). */
  bool charts_deferred;
  /* The content was loaded on a thread of its own, beside the layout. */
  bool load_threads;
  /* Layouts made of the document (page references may take more than one;
   * --split: one per item). */
  size_t layouts;
} rp_pipeline_result;

/* Runs the pipeline with `o`, allocating from `a`. Warnings count as errors
 * when d->strict (the run stops after the stage that recorded them). On
 * success returns RP_OK and fills *out. On failure returns the first error's
 * status with every problem in `d`; *out says how far the run got, and no
 * output file was created or changed (but the preflight report, if asked). */
rp_status rp_pipeline_render(rp_arena *a, const rp_pipeline_opts *o, rp_diag *d,
                             rp_pipeline_result *out);

#endif
