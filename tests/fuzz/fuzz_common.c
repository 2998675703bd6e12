/* fuzz_common — see fuzz.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "fuzz.h"
#include "pipeline/pipeline.h"
#include "render/render.h"

static char root[4096];

static void remove_root(void) {
  if (!root[0] || getenv("RP_FUZZ_KEEP")) return;
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", root);
}

const char *rp_fuzz_root(void) {
  if (root[0]) return root;
  const char *src = getenv("RP_SRC");
  if (!src || !*src) src = RP_SOURCE_DIR;
  const char *tmp = getenv("TMPDIR");
  snprintf(root, sizeof root, "%s/rp-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(root)) {
    fprintf(stderr, "fuzz: cannot create %s: %s\n", root, strerror(errno));
    abort();
  }
  char cmd[16384];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && cp -R fonts images data layouts '%s'/ && mkdir -p '%s'/tests && "
           "cp -R tests/data tests/layouts '%s'/tests/",
           src, root, root, root);
  if (system(cmd) != 0) {
    fprintf(stderr, "fuzz: cannot copy the project's assets from %s\n", src);
    abort();
  }
  atexit(remove_root);
  return root;
}

const char *rp_fuzz_path(const char *rel) {
  static char buf[4][4200];
  static int slot;
  char *p = buf[slot++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", rp_fuzz_root(), rel);
  return p;
}

const char *rp_fuzz_write(const char *rel, const uint8_t *data, size_t size) {
  static char path[4200];
  snprintf(path, sizeof path, "%s/%s", rp_fuzz_root(), rel);
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    fprintf(stderr, "fuzz: cannot write %s\n", path);
    abort();
  }
  return path;
}

/* Copies the outline's lines, keeping one point in RP_FUZZ_MAP_STEP of each
 * ring. Anything unexpected leaves the file as it was (the full outline). */
static bool thin_outline(FILE *in, FILE *out) {
  char line[512];
  while (fgets(line, sizeof line, in)) {
    char country[8];
    long n;
    if (sscanf(line, "ring %7s %ld", country, &n) != 2) {
      if (fputs(line, out) == EOF) return false;
      continue;
    }
    if (n < 1 || n > 1000000) return false;
    long keep = n <= 4 * RP_FUZZ_MAP_STEP ? n : (n + RP_FUZZ_MAP_STEP - 1) / RP_FUZZ_MAP_STEP;
    long step = keep == n ? 1 : RP_FUZZ_MAP_STEP;
    if (fprintf(out, "ring %s %ld\n", country, keep) < 0) return false;
    for (long i = 0; i < n; i++) {
      if (!fgets(line, sizeof line, in)) return false;
      if (i % step == 0 && fputs(line, out) == EOF) return false;
    }
  }
  return !ferror(in);
}

void rp_fuzz_coarse_map(void) {
  static bool done;
  if (done) return;
  done = true;
  const char *full = rp_fuzz_path("data/map/uk-outline.txt");
  char thin[4300];
  snprintf(thin, sizeof thin, "%s.thin", full);
  FILE *in = fopen(full, "rb"), *out = fopen(thin, "wb");
  bool ok = in && out && thin_outline(in, out);
  if (in) fclose(in);
  if (out && fclose(out) != 0) ok = false;
  if (!ok || rename(thin, full) != 0) {
    fprintf(stderr, "fuzz: the map outline is not thinned (the full one is used)\n");
    remove(thin);
  }
}

/* The pipeline frees the layout (and the fonts the pages use) before it
 * returns, so the PDF is drawn from its hook, once the pages are laid out. */
typedef struct hook_state {
  rp_pipeline_result r;
  bool pdf;
} hook_state;

static rp_status render_hook(void *user, rp_pipeline_stage stage, rp_diag *d) {
  const hook_state *h = user;
  const rp_pipeline_result *r = &h->r;
  if (stage != RP_PIPELINE_LAID_OUT || !r->doc || !h->pdf) return RP_OK;
  const char *keep = getenv("RP_FUZZ_PDF"); /* to look at what an input drew */
  /* Flate over the fonts and pages was a sixth of a content input's time,
   * all of it in zlib, for a PDF that goes nowhere. */
  rp_render_opts ro = {.uncompressed = !(keep && *keep)};
  return rp_render_pdf(r->doc, &ro, keep && *keep ? keep : "/dev/null", d);
}

void rp_fuzz_render(const char *content, const char *layout, bool pdf) {
  rp_arena *a = rp_arena_new();
  if (!a) return;
  rp_diag d;
  rp_diag_init(&d);
  hook_state h = {.pdf = pdf};
  FILE *sink = fopen("/dev/null", "w"); /* the layout dump, exercised and dropped */
  rp_pipeline_opts o = {.content = content,
                        .layout = layout,
                        .dump_stream = sink,
                        .hook = render_hook,
                        .hook_user = &h};
  rp_pipeline_render(a, &o, &d, &h.r);
  if (sink) fclose(sink);
  if (getenv("RP_FUZZ_VERBOSE")) rp_diag_print(&d, stderr);
  rp_fuzz_no_internal(&d);
  rp_diag_fini(&d);
  rp_arena_free(a);
}

void rp_fuzz_no_internal(const rp_diag *d) {
  for (size_t i = 0; i < d->count; i++) {
    const rp_diag_entry *e = &d->entries[i];
    if (e->status != RP_ERR_INTERNAL || strstr(e->message, "out of memory")) continue;
    fprintf(stderr, "fuzz: an internal error, a bug in reviewpdf: %s:%d: %s\n",
            e->file ? e->file : "-", e->line, e->message);
    abort();
  }
}

/* ---- reading structures from bytes ---------------------------------------- */

static char **pool;
static size_t pool_n, pool_cap;

uint8_t rp_fuzz_u8(rp_fuzz_bytes *b) {
  if (!b->n) return 0;
  b->n--;
  return *b->p++;
}

size_t rp_fuzz_range(rp_fuzz_bytes *b, size_t max) {
  size_t v = rp_fuzz_u8(b);
  v = v << 8 | rp_fuzz_u8(b);
  return max == SIZE_MAX ? v : v % (max + 1);
}

double rp_fuzz_double(rp_fuzz_bytes *b) {
  if (rp_fuzz_u8(b) & 1) return (double)rp_fuzz_range(b, 2000) - 500.0;
  double v = 0;
  uint8_t raw[sizeof v] = {0};
  for (size_t i = 0; i < sizeof raw; i++) raw[i] = rp_fuzz_u8(b);
  memcpy(&v, raw, sizeof v);
  return v;
}

const char *rp_fuzz_str(rp_fuzz_bytes *b, size_t max) {
  size_t len = rp_fuzz_range(b, max);
  if (len > b->n) len = b->n;
  char *s = malloc(len + 1);
  if (!s) abort();
  memcpy(s, b->p, len);
  s[len] = 0;
  b->p += len;
  b->n -= len;
  if (pool_n == pool_cap) {
    pool_cap = pool_cap ? pool_cap * 2 : 64;
    pool = realloc(pool, pool_cap * sizeof *pool);
    if (!pool) abort();
  }
  pool[pool_n++] = s;
  return s;
}

void rp_fuzz_strings_free(void) {
  for (size_t i = 0; i < pool_n; i++) free(pool[i]);
  pool_n = 0;
}
