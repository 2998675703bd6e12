/* probe — the image probe layout asks before it places an image: does the
 * file decode completely, and how many pixels is it?
 *
 * It decodes with the same decoders render/ uses to embed images (img.h:
 * Cairo for PNG, libjpeg for JPEG), so "usable" here means "render/ will
 * draw it": a truncated or corrupt file is caught before layout commits to
 * it, and layout draws a placeholder instead. Results are cached per path in
 * an rp_image_probe the caller owns (no globals), so each file is decoded
 * once however many blocks name it.
 *
 * Use: rp_image_probe pr; rp_image_probe_init(&pr);
 *      rp_layout_opts o = {rp_image_probe_file, &pr};
 *      rp_layout_run_ex(a, bound, &o, d, &doc); … rp_image_probe_fini(&pr); */
#ifndef RP_RENDER_PROBE_H
#define RP_RENDER_PROBE_H

#include <stddef.h>

#include "base/arena.h"
#include "layout/layout.h"
#include "svg/svg.h"

typedef struct rp_image_probe_entry {
  char *path; /* malloc'd */
  rp_image_info info;
  const rp_svg *svg; /* an SVG read without a message: its drawing (in `svgs`), or NULL */
} rp_image_probe_entry;

typedef struct rp_image_probe {
  rp_image_probe_entry *entries; /* malloc'd */
  size_t count, cap;
  rp_arena *svgs; /* the SVGs' drawings, kept for render (made on first use) */
} rp_image_probe;

void rp_image_probe_init(rp_image_probe *pr);
/* Frees the cache; accepts a zeroed or already finished probe. */
void rp_image_probe_fini(rp_image_probe *pr);

/* The drawing of the SVG at `path` as the probe read it (svg/svg.h
 * rp_svg_load, which gave no message), or NULL: not probed, not an SVG, or
 * read with messages (render reads it again and reports them). Valid until
 * rp_image_probe_fini: render draws it instead of reading the file again
 * (rp_render_opts.probe), so an SVG is parsed once a run. */
const rp_svg *rp_image_probe_svg(const rp_image_probe *pr, const char *path);

/* An rp_image_probe_fn (layout.h); `user` is an rp_image_probe *. Fills
 * *out: ok with the size in pixels, or !ok with `missing` (no such file) or
 * the reason in `problem`. Never fails; when memory for the cache runs out
 * the answer is still given, just not kept. */
void rp_image_probe_file(void *user, const char *path, rp_image_info *out);

/* Moves into `to` what `from` probed (on another thread, handed over with
 * the usual happens-before: a join, a mutex), with the SVG drawings it
 * keeps, so that a file probed ahead of the layout is not read again; an
 * entry `to` has already stays. `from` is left finished (empty). Memory
 * for `to`'s list running out drops the rest: asked for, they are read
 * again. */
void rp_image_probe_take(rp_image_probe *to, rp_image_probe *from);

#endif
