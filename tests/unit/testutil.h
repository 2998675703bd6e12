/* testutil — helpers shared by the unit tests. */
#ifndef RP_TESTUTIL_H
#define RP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the includes above first */
#include <cmocka.h>

#include "base/diag.h"
#include "font/font.h"

/* Absolute path of a file in the source tree ("fonts/OpenSans-Regular.ttf");
 * returns a static buffer per call slot (4 slots, rotating). */
const char *rp_test_src(const char *rel);
/* A fresh scratch folder for this test binary; returns its path. */
const char *rp_test_tmpdir(void);
/* Writes `text` to `dir/name`, returns the path (static rotating buffer). */
const char *rp_test_write(const char *name, const char *text);
/* True when any diagnostic message in d contains `needle`. */
int rp_test_diag_has(const rp_diag *d, const char *needle);
/* Prints every diagnostic (for failing tests). */
void rp_test_diag_dump(const rp_diag *d);
/* Loads the source tree's font `rel` ("fonts/OpenSans-Bold.ttf") into fs,
 * failing the test if it cannot; returns its index. */
int rp_test_font(rp_fontset *fs, rp_diag *d, const char *rel);

/* What a shell command printed, and how it ended. */
typedef struct rp_test_output {
  int status; /* exit status, -1 when killed by a signal */
  char *out;  /* stdout, NUL-terminated, malloc'd */
  char *err;  /* stderr, NUL-terminated, malloc'd */
} rp_test_output;

/* Runs a shell command (printf-style) and captures its stdout and stderr;
 * free the result with rp_test_output_free. */
rp_test_output rp_test_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rp_test_output_free(rp_test_output *o);

#endif
