/* map_outline — reads the map's outline file: "ring <country> <n>" blocks
 * of n "lon lat" lines, comments (#) and blank lines between blocks. Every
 * line is checked; the first bad one is an error naming it, and no partial
 * outline is returned. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "charts/map.h"

#define MAX_LINE 256       /* longer is malformed: the format's lines are short */
#define MAX_POINTS 1000000 /* a bound on what one file may ask us to allocate */
#define MAX_RINGS 100000

/* The file is read in blocks of its own (not by fgets: stdio's lock and
 * copy per line were most of the map's reading). */
#define BLOCK 65536

typedef struct reader {
  FILE *f;
  const char *path;
  int line;
  rp_diag *d;
  char *buf; /* BLOCK bytes: [pos, len) not read yet */
  size_t pos, len;
  bool eof;
} reader;

static rp_status bad(reader *r, const char *what) {
  return rp_diag_error(r->d, RP_ERR_INPUT, r->path, r->line, 0,
                       "malformed map outline: %s; the format is in the header of "
                       "data/map/uk-outline.txt (\"ring <country> <points>\" then one \"lon lat\" "
                       "line per point)",
                       what);
}

/* At least `want` bytes unread in the block, or all the file has left;
 * false after a read error. */
static bool fill(reader *r, size_t want) {
  if (r->len - r->pos >= want || r->eof) return true;
  memmove(r->buf, r->buf + r->pos, r->len - r->pos);
  r->len -= r->pos;
  r->pos = 0;
  while (r->len < want && !r->eof) {
    size_t got = fread(r->buf + r->len, 1, BLOCK - r->len, r->f);
    r->len += got;
    if (got == 0) {
      if (ferror(r->f)) return false;
      r->eof = true;
    }
  }
  return true;
}

/* The next line, without its newline (or \r\n), NUL-terminated in the
 * block, in *line. Returns 1 for a line, 0 at the end of the file, -1 after
 * recording an error. */
static int next_line(reader *r, char **line) {
  if (!fill(r, MAX_LINE + 2)) {
    r->line++;
    bad(r, "the file cannot be read here");
    return -1;
  }
  if (r->pos == r->len) return 0;
  r->line++;
  char *s = r->buf + r->pos;
  size_t avail = r->len - r->pos;
  char *nl = memchr(s, '\n', avail < MAX_LINE + 1 ? avail : MAX_LINE + 1);
  size_t len = nl ? (size_t)(nl - s) : avail;
  if (!nl && (!r->eof || avail > MAX_LINE)) {
    bad(r, "a line longer than 256 characters");
    return -1;
  }
  r->pos += nl ? len + 1 : len;
  if (len && s[len - 1] == '\r') len--;
  if (memchr(s, '\0', len)) {
    bad(r, "a NUL byte in the line");
    return -1;
  }
  s[len] = '\0'; /* the newline's place, or the \r's; at the end, the block's spare byte */
  *line = s;
  return 1;
}

static bool blank(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return *s == '\0' || *s == '#';
}

/* strtod for the plain decimals an outline is made of ("-5.123456"): at
 * most 15 significant digits and 22 after the point, no exponent. The
 * digits as an integer and 10^k are exact doubles, so one division rounds
 * exactly as strtod does (Clinger's fast path); anything else is left to
 * strtod, which took most of the map's time. */
static double decimal(const char *s, char **end) {
  static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char *p = s;
  while (*p == ' ' || *p == '\t') p++;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+') p++;
  const char *first = p;
  while (*p == '0') p++; /* leading zeros */
  uint64_t m = 0;        /* wraps past 19 digits: then strtod reads it */
  unsigned d;
  const char *from = p;
  while ((d = (unsigned)(*p - '0')) < 10) m = m * 10 + d, p++;
  int digits = (int)(p - from), frac = 0;
  bool any = p > first;
  if (*p == '.') {
    const char *point = ++p;
    while ((d = (unsigned)(*p - '0')) < 10) m = m * 10 + d, p++;
    frac = (int)(p - point);
    any = any || frac > 0;
    digits += frac; /* zeros after the point count, as the digits they hold */
  }
  /* what may follow a number on a good line; else ("1e5", "0x1p3") strtod */
  bool ends = *p == '\0' || *p == ' ' || *p == '\t';
  if (!any || digits > 15 || frac > 22 || !ends) return strtod(s, end);
  *end = (char *)p;
  double v = (double)m / pow10[frac];
  return neg ? -v : v;
}

/* Parses "lon lat" with nothing else on the line. */
static bool parse_point(const char *s, double *lon, double *lat) {
  char *end;
  errno = 0;
  *lon = decimal(s, &end);
  if (end == s || errno) return false;
  s = end;
  *lat = decimal(s, &end);
  if (end == s || errno) return false;
  while (*end == ' ' || *end == '\t') end++;
  return *end == '\0' && isfinite(*lon) && isfinite(*lat);
}

rp_status rp_map_outline_read(rp_arena *a, const char *path, const rp_src *src, rp_diag *d,
                              rp_map_outline *out) {
  *out = (rp_map_outline){0};
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f)
    return rp_diag_error(d, RP_ERR_INPUT, src->layout_file, src->layout_line, 0,
                         "cannot read the map outline %s: %s; the map needs the outline file "
                         "(data/map/uk-outline.txt in the source tree)",
                         path ? path : "(none given)", path ? strerror(errno) : "no path");
  char *block = rp_mem_alloc(BLOCK + 1);
  if (!block) {
    fclose(f);
    return rp_diag_oom(d);
  }
  reader r = {.f = f, .path = path, .d = d, .buf = block};
  rp_status st = RP_OK;
  rp_vec rings = {0};
  char *buf;
  size_t total = 0;
  int got;
  while ((got = next_line(&r, &buf)) == 1) {
    if (blank(buf)) continue;
    char country[8], extra;
    long n;
    if (sscanf(buf, "ring %7s %ld %c", country, &n, &extra) != 2 || strlen(country) > 3) {
      st = bad(&r, "expected a ring header \"ring <country> <points>\"");
      goto done;
    }
    if (n < 3 || n > MAX_POINTS || total + (size_t)n > MAX_POINTS) {
      st = bad(&r, "a ring needs 3 to 1,000,000 points (and the file at most 1,000,000 in all)");
      goto done;
    }
    if (rings.len >= MAX_RINGS) {
      st = bad(&r, "more than 100,000 rings");
      goto done;
    }
    rp_map_ring *ring = rp_vec_push(a, &rings, sizeof *ring);
    double *pt = ring ? rp_arena_calloc(a, (size_t)n * 2, sizeof *pt) : NULL;
    if (!pt) {
      st = rp_diag_oom(d);
      goto done;
    }
    memcpy(ring->country, country, strlen(country) + 1);
    ring->n = (size_t)n;
    ring->pt = pt;
    total += (size_t)n;
    for (long i = 0; i < n; i++) {
      got = next_line(&r, &buf);
      if (got <= 0) {
        if (got == 0) {
          r.line++;
          st = bad(&r, "the file ends inside a ring (fewer points than its header says)");
        } else {
          st = rp_diag_status(d);
        }
        goto done;
      }
      double lon, lat;
      if (!parse_point(buf, &lon, &lat)) {
        st = bad(&r, "expected a point \"lon lat\" (two decimal numbers)");
        goto done;
      }
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
        st = bad(&r, "a point outside -180..180 longitude, -90..90 latitude");
        goto done;
      }
      pt[2 * i] = lon, pt[2 * i + 1] = lat;
    }
  }
  if (got < 0) {
    st = rp_diag_status(d);
    goto done;
  }
  if (rings.len == 0) {
    r.line++;
    st = bad(&r, "no rings in the file");
    goto done;
  }
  out->rings = rings.data;
  out->n_rings = rings.len;
done:
  rp_mem_free(block);
  fclose(f);
  return st;
}

/* ---- read ahead ---------------------------------------------------------- */

struct rp_map_ahead {
  size_t n, next, used;
  struct {
    char *path;
    rp_arena *a; /* the outline's, NULL when not read or failed */
    rp_map_outline o;
  } e[RP_MAP_AHEAD];
};

rp_map_ahead *rp_map_ahead_new(const char *const *paths, size_t n) {
  if (!n) return NULL;
  rp_map_ahead *x = rp_mem_calloc(1, sizeof *x);
  for (size_t i = 0; x && i < n && x->n < RP_MAP_AHEAD; i++) {
    if (!paths[i]) continue;
    bool seen = false;
    for (size_t k = 0; k < x->n; k++) seen = seen || strcmp(x->e[k].path, paths[i]) == 0;
    if (seen) continue;
    if (!(x->e[x->n].path = rp_mem_strdup(paths[i]))) break;
    x->n++;
  }
  if (x && !x->n) {
    rp_mem_free(x);
    x = NULL;
  }
  return x;
}

bool rp_map_ahead_next(rp_map_ahead *x) {
  if (!x || x->next >= x->n) return false;
  size_t i = x->next++;
  rp_arena *a = rp_arena_new();
  rp_diag d;
  rp_diag_init(&d);
  rp_src src = {0};
  /* anything said (an error) drops it: the map reads it again to say it */
  if (a && rp_map_outline_read(a, x->e[i].path, &src, &d, &x->e[i].o) == RP_OK && d.count == 0 &&
      d.dropped == 0 && d.errors == 0 && d.warnings == 0) {
    x->e[i].a = a;
  } else {
    rp_arena_free(a);
    x->e[i].o = (rp_map_outline){0};
  }
  rp_diag_fini(&d);
  return x->next < x->n;
}

const rp_map_outline *rp_map_ahead_find(rp_map_ahead *x, const char *path) {
  for (size_t i = 0; x && path && i < x->n; i++)
    if (x->e[i].a && strcmp(x->e[i].path, path) == 0) {
      x->used++;
      return &x->e[i].o;
    }
  return NULL;
}

size_t rp_map_ahead_used(const rp_map_ahead *x) { return x ? x->used : 0; }

void rp_map_ahead_free(rp_map_ahead *x) {
  if (!x) return;
  for (size_t i = 0; i < x->n; i++) {
    rp_mem_free(x->e[i].path);
    rp_arena_free(x->e[i].a);
  }
  rp_mem_free(x);
}
