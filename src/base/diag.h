/* diag — diagnostics: the status values every fallible function returns, and
 * the record of errors and warnings that travels with a render.
 *
 * Library layers record here and return; only cli/ prints. Every error and
 * warning passes through one function (report) so a single breakpoint sees
 * them all. The first error's status is the status of the whole run; later
 * errors are still recorded so a user sees every problem in one go. */
#ifndef RP_BASE_DIAG_H
#define RP_BASE_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/types.h"

/* Status values double as the process exit codes (README, "Outcomes"). */
typedef enum rp_status {
  RP_OK = 0,
  RP_ERR_INPUT = 1,    /* input refused: bad XML, schema, XPath, font, fit… */
  RP_ERR_USAGE = 2,    /* bad command-line use */
  RP_ERR_INTERNAL = 3, /* a bug in reviewpdf */
} rp_status;

typedef enum rp_severity { RP_SEV_WARNING, RP_SEV_ERROR } rp_severity;

/* What a warning is about, for the preflight report (pipeline/preflight.h,
 * docs/preflight.md): one code per check. Everything not listed is
 * RP_DIAG_GENERAL, which every entry recorded by rp_diag_warn/_error has. */
typedef enum rp_diag_code {
  RP_DIAG_GENERAL = 0,
  RP_DIAG_TEXT_SHRUNK,   /* text set smaller to fit its box (min-size) */
  RP_DIAG_TEXT_OVERSET,  /* text taller than its box: it runs past it */
  RP_DIAG_TEXT_ELLIPSIS, /* text cut to max-lines with "…" */
  RP_DIAG_MISSING_GLYPH, /* a character no face of the style has */
  RP_DIAG_IMAGE_DPI,     /* an image under 150 dpi at its placed size */
  RP_DIAG_ALT_TEXT,      /* an image or chart without alternative text */
  RP_DIAG_CONTRAST,      /* text below 4.5:1 contrast with what it stands on */
  RP_DIAG_WIDOW_ORPHAN,  /* a paragraph's line alone at a column's foot or head */
  RP_DIAG_EMPTY_SELECT,  /* a required selection, or an item's data, matched nothing */
  RP_DIAG_CODE_COUNT
} rp_diag_code;

/* The check's stable name in reports ("text-shrunk"…); "other" for GENERAL. */
const char *rp_diag_code_name(rp_diag_code c);

typedef struct rp_diag_entry {
  rp_severity severity;
  rp_status status; /* RP_OK for warnings */
  char *file;       /* may be NULL */
  int line;         /* 0 when unknown */
  int col;          /* 0 when unknown */
  char *message;
  /* Set by rp_diag_warn_about (else GENERAL, 0 and NULL): the check, the
   * page (from 1; 0 unknown, pipeline/preflight.c may find it later) and
   * both source positions, malloc-owned like file. */
  rp_diag_code code;
  int page;
  char *layout_file, *content_file;
  int layout_line, content_line;
} rp_diag_entry;

/* Where and what a coded warning is (rp_diag_warn_about). */
typedef struct rp_diag_about {
  rp_diag_code code;
  int page;           /* from 1; 0 unknown */
  rp_src src;         /* layout and content positions; lines 0 when unknown */
  bool content_first; /* print the content position, else the layout one */
  bool finding_only;  /* a preflight finding that is no fallback: recorded only
                         when d->preflight (so without --preflight nothing changes) */
} rp_diag_about;

typedef struct rp_diag {
  rp_diag_entry *entries;
  size_t count, cap;
  size_t errors, warnings;
  rp_status status;   /* first error's status, RP_OK if none */
  bool strict;        /* warnings count as errors (--strict) */
  size_t max_entries; /* stop recording beyond this; 0 = default (200) */
  size_t dropped;
  bool preflight; /* also record findings that are no fallback (finding_only) */
} rp_diag;

void rp_diag_init(rp_diag *d);
void rp_diag_fini(rp_diag *d);

/* Records an error and returns `status` so callers can `return rp_diag_error(...)`.
 * `file` may be NULL; line/col 0 mean unknown. Never fails: if memory runs out
 * the entry is counted but its text dropped. */
rp_status rp_diag_error(rp_diag *d, rp_status status, const char *file, int line, int col,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));
rp_status rp_diag_verror(rp_diag *d, rp_status status, const char *file, int line, int col,
                         const char *fmt, va_list ap);

/* Records a fallback that was applied. With d->strict it is recorded as an
 * input error instead. */
void rp_diag_warn(rp_diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* rp_diag_warn with a check code (GENERAL for a fallback no check names),
 * a page and both source positions. The
 * printed position is src's layout one (content_first: its content one),
 * falling back to the other when unknown. With ab->finding_only nothing is
 * recorded unless d->preflight; with d->strict it is an error, as any warning. */
void rp_diag_warn_about(rp_diag *d, const rp_diag_about *ab, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records that memory ran out and returns RP_ERR_INTERNAL: the run cannot
 * complete, whatever the input (exit status 3). */
rp_status rp_diag_oom(rp_diag *d);

/* Status of the run so far: the first error's status, or RP_OK. */
rp_status rp_diag_status(const rp_diag *d);

/* Moves every entry of `from` to the end of `to`, in order, as if each had
 * been recorded in `to` then (to's limit applies; the counts and the first
 * error's status join to's); `from` is left empty. For work done on
 * another thread with a diag of its own, merged in a fixed order. */
void rp_diag_append(rp_diag *to, rp_diag *from);

/* Where a diag stood at one moment (rp_diag_mark_of), for recording later,
 * at that place, what work done elsewhere would have recorded then. */
typedef struct rp_diag_mark {
  size_t count, errors, warnings, dropped;
  rp_status status;
} rp_diag_mark;

rp_diag_mark rp_diag_mark_of(const rp_diag *d);

/* Moves every entry of `from` into `to` at mark `m`, as if recorded then:
 * with `cut`, what `to` recorded after the mark is dropped first (the work
 * failed there, and nothing after it would have run); without, the entries
 * recorded after the mark follow `from`'s (to's limit applies to the whole
 * sequence). The counts and the first error's status join to's; `from` is
 * left empty. Returns how many of from's entries `to` kept. */
size_t rp_diag_insert(rp_diag *to, const rp_diag_mark *m, rp_diag *from, bool cut);

/* Moves `later`, a mark of `to` taken after `m`, to where it stands once
 * rp_diag_insert put at `m` entries counted `from` (rp_diag_mark_of before
 * the insert) of which it kept `added`. */
void rp_diag_mark_moved(rp_diag_mark *later, const rp_diag *to, const rp_diag_mark *m,
                        const rp_diag_mark *from, size_t added);

/* Writes every entry as "file:line:col: error: message" (cli/ only). */
void rp_diag_print(const rp_diag *d, FILE *out);

#endif
