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

/* Status values double as the process exit codes (README, "Outcomes"). */
typedef enum rp_status {
  RP_OK = 0,
  RP_ERR_INPUT = 1,    /* input refused: bad XML, schema, XPath, font, fit… */
  RP_ERR_USAGE = 2,    /* bad command-line use */
  RP_ERR_INTERNAL = 3, /* a bug in reviewpdf */
} rp_status;

typedef enum rp_severity { RP_SEV_WARNING, RP_SEV_ERROR } rp_severity;

typedef struct rp_diag_entry {
  rp_severity severity;
  rp_status status; /* RP_OK for warnings */
  char *file;       /* may be NULL */
  int line;         /* 0 when unknown */
  int col;          /* 0 when unknown */
  char *message;
} rp_diag_entry;

typedef struct rp_diag {
  rp_diag_entry *entries;
  size_t count, cap;
  size_t errors, warnings;
  rp_status status;   /* first error's status, RP_OK if none */
  bool strict;        /* warnings count as errors (--strict) */
  size_t max_entries; /* stop recording beyond this; 0 = default (200) */
  size_t dropped;
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

/* Records that memory ran out and returns RP_ERR_INTERNAL: the run cannot
 * complete, whatever the input (exit status 3). */
rp_status rp_diag_oom(rp_diag *d);

/* Status of the run so far: the first error's status, or RP_OK. */
rp_status rp_diag_status(const rp_diag *d);

/* Writes every entry as "file:line:col: error: message" (cli/ only). */
void rp_diag_print(const rp_diag *d, FILE *out);

#endif
