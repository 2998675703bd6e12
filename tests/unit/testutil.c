/* testutil — see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Reads a stream to its end into a NUL-terminated malloc'd buffer. */
static char *read_all(FILE *f) {
  size_t cap = 65536, n = 0, k;
  char *b = malloc(cap);
  assert_non_null(b);
  while (f && (k = fread(b + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 2) {
      b = realloc(b, cap *= 2);
      assert_non_null(b);
    }
  }
  b[n] = '\0';
  return b;
}

rp_test_output rp_test_run(const char *fmt, ...) {
  char cmd[8192], full[12400], errpath[4200];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  assert_true(n > 0 && (size_t)n < sizeof cmd);
  snprintf(errpath, sizeof errpath, "%s/run-stderr.txt", rp_test_tmpdir());
  snprintf(full, sizeof full, "%s 2>'%s'", cmd, errpath);
  rp_test_output o = {0};
  FILE *pp = popen(full, "r");
  assert_non_null(pp);
  o.out = read_all(pp);
  int st = pclose(pp);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  FILE *ef = fopen(errpath, "rb");
  o.err = read_all(ef);
  if (ef) fclose(ef);
  return o;
}

void rp_test_output_free(rp_test_output *o) {
  free(o->out);
  free(o->err);
  o->out = o->err = NULL;
}

int rp_test_font(rp_fontset *fs, rp_diag *d, const char *rel) {
  int index = -1;
  rp_status st = rp_fontset_load(fs, rp_test_src(rel), NULL, 0, d, &index);
  if (st != RP_OK) rp_test_diag_dump(d);
  assert_int_equal(st, RP_OK);
  return index;
}
