/* probe — see probe.h. A full decode, not a header read: a PNG cut off in
 * its image data has a perfectly good header, and libharu would abort the
 * process on it (LIBHARU-NOTES.md); JPEG is decoded at libjpeg's 1/8 scale,
 * which still reads every entropy-coded byte, so truncation is seen. An SVG
 * (neither signature, and XML-looking) is read by svg/ for its size. */
#include "render/probe.h"
#include "base/mem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render/img.h"
#include "svg/svg.h"

void rp_image_probe_init(rp_image_probe *pr) { memset(pr, 0, sizeof *pr); }

void rp_image_probe_fini(rp_image_probe *pr) {
  if (!pr) return;
  for (size_t i = 0; i < pr->count; i++) rp_mem_free(pr->entries[i].path);
  rp_mem_free(pr->entries);
  rp_arena_free(pr->svgs);
  memset(pr, 0, sizeof *pr);
}

const rp_svg *rp_image_probe_svg(const rp_image_probe *pr, const char *path) {
  for (size_t i = 0; pr && path && i < pr->count; i++)
    if (strcmp(pr->entries[i].path, path) == 0) return pr->entries[i].svg;
  return NULL;
}

/* An SVG's size (its intrinsic px, rounded; at least 1). Its verdict is
 * render's, as errors that fail the run (pdf_svg.c): so an SVG whose size
 * is known is "ok" here even when its drawing will be refused, and one
 * whose size cannot be read is given 1 × 1 for render to refuse. A drawing
 * read without a message is kept in pr->svgs (*keep; pr NULL: not kept):
 * render draws it, not parsing the file a second time. */
static void probe_svg(rp_image_probe *pr, const char *path, rp_image_info *out,
                      const rp_svg **keep) {
  if (pr && !pr->svgs) pr->svgs = rp_arena_new();
  rp_arena *a = pr && pr->svgs ? rp_arena_new_child(pr->svgs) : rp_arena_new();
  rp_diag d;
  rp_diag_init(&d);
  rp_svg *svg = NULL;
  double w = 0, h = 0;
  rp_status st = a ? rp_svg_load(a, path, &d, &svg, &w, &h) : RP_ERR_INTERNAL;
  bool quiet = st == RP_OK && svg && d.count == 0 && d.errors == 0 && d.warnings == 0 &&
               d.dropped == 0 && d.status == RP_OK;
  rp_diag_fini(&d);
  if (quiet && pr && pr->svgs) {
    rp_arena_adopt(pr->svgs, a);
    *keep = svg;
  } else {
    rp_arena_free(a);
  }
  out->ok = true;
  out->width_px = w >= 1 ? (int)lround(w) : 1;
  out->height_px = h >= 1 ? (int)lround(h) : 1;
}

/* Decodes the file at `path` into *out (*svg: an SVG's drawing, kept in pr). */
static void probe_now(rp_image_probe *pr, const char *path, rp_image_info *out,
                      const rp_svg **svg) {
  memset(out, 0, sizeof *out);
  struct stat st;
  if (stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    out->missing = true;
    snprintf(out->problem, sizeof out->problem, "no such file");
    return;
  }
  uint8_t *data = NULL;
  size_t len = 0;
  if (!rp_img_read_file(path, &data, &len, out->problem, sizeof out->problem)) return;
  rp_pixmap pm = {0};
  switch (rp_img_sniff(data, len)) {
    case RP_IMG_PNG:
      if (rp_png_decode(data, len, &pm, out->problem, sizeof out->problem)) {
        out->ok = true;
        out->width_px = pm.w;
        out->height_px = pm.h;
      }
      break;
    case RP_IMG_JPEG: {
      rp_jpeg_info info;
      if (rp_jpeg_decode(data, len, 1, 1, &pm, &info, out->problem, sizeof out->problem)) {
        out->ok = true;
        out->width_px = info.width;
        out->height_px = info.height;
      }
      break;
    }
    default:
      if (rp_svg_sniff(data, len))
        probe_svg(pr, path, out, svg);
      else
        snprintf(out->problem, sizeof out->problem,
                 "it is neither a PNG nor a JPEG file (nor an SVG)");
      break;
  }
  rp_pixmap_fini(&pm);
  rp_mem_free(data);
  if (out->ok) out->problem[0] = '\0';
}

static rp_image_probe_entry *find(const rp_image_probe *pr, const char *path) {
  for (size_t i = 0; pr && i < pr->count; i++)
    if (strcmp(pr->entries[i].path, path) == 0) return &pr->entries[i];
  return NULL;
}

/* Room for one more entry in pr's list; false when out of memory. */
static bool room(rp_image_probe *pr) {
  if (pr->count < pr->cap) return true;
  size_t cap = pr->cap ? 2 * pr->cap : 16;
  rp_image_probe_entry *e = rp_mem_realloc(pr->entries, cap * sizeof *e);
  if (!e) return false;
  pr->entries = e;
  pr->cap = cap;
  return true;
}

void rp_image_probe_file(void *user, const char *path, rp_image_info *out) {
  rp_image_probe *pr = user;
  const rp_image_probe_entry *known = find(pr, path);
  if (known) {
    *out = known->info;
    return;
  }
  const rp_svg *svg = NULL;
  probe_now(pr, path, out, &svg);
  if (!pr || !room(pr)) return;
  char *copy = rp_mem_strdup(path);
  if (!copy) return;
  pr->entries[pr->count].path = copy;
  pr->entries[pr->count].info = *out;
  pr->entries[pr->count].svg = svg;
  pr->count++;
}

void rp_image_probe_take(rp_image_probe *to, rp_image_probe *from) {
  /* the drawings first: what an entry points into lives as long as `to` */
  if (!to->svgs) {
    to->svgs = from->svgs;
  } else if (from->svgs) {
    rp_arena_adopt(to->svgs, from->svgs);
  }
  from->svgs = NULL;
  for (size_t i = 0; i < from->count; i++) {
    rp_image_probe_entry *e = &from->entries[i];
    if (find(to, e->path) || !room(to)) continue; /* freed with `from` below */
    to->entries[to->count++] = *e;
    e->path = NULL; /* now to's */
  }
  rp_image_probe_fini(from);
}
