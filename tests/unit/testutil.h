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

#endif
