/* testutil — see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char bufs[4][4096];
static int slot;

static char *next_buf(void) {
  slot = (slot + 1) % 4;
  return bufs[slot];
}

const char *rp_test_src(const char *rel) {
  const char *src = getenv("RP_TEST_SRC");
  char *b = next_buf();
  snprintf(b, 4096, "%s/%s", src ? src : RP_SOURCE_DIR, rel);
  return b;
}

const char *rp_test_tmpdir(void) {
  static char dir[4096];
  if (!dir[0]) {
    const char *base = getenv("RP_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/unit-%ld", base ? base : "/tmp", (long)getpid());
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    if (system(cmd) != 0) return "/tmp";
  }
  return dir;
}

const char *rp_test_write(const char *name, const char *text) {
  char *b = next_buf();
  snprintf(b, 4096, "%s/%s", rp_test_tmpdir(), name);
  FILE *f = fopen(b, "wb");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return b;
}

int rp_test_diag_has(const rp_diag *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (d->entries[i].message && strstr(d->entries[i].message, needle)) return 1;
  return 0;
}

void rp_test_diag_dump(const rp_diag *d) { rp_diag_print(d, stderr); }
