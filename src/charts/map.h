/* map — internal to charts/: the membership map's parts. The outline file
 * read into rings (map_outline.c), label placement around markers
 * (map_labels.c) and the drawing that ties them together (map.c). */
#ifndef RP_CHARTS_MAP_H
#define RP_CHARTS_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "charts/draw.h"

/* One closed ring of the outline: n points, lon/lat pairs in degrees. */
typedef struct rp_map_ring {
  char country[4]; /* "GB", "IE", "IM" */
  size_t n;
  double *pt; /* 2n values: lon0, lat0, lon1, lat1, … */
} rp_map_ring;

typedef struct rp_map_outline {
  rp_map_ring *rings;
  size_t n_rings;
} rp_map_outline;

/* Reads an outline file (format in data/map/uk-outline.txt's header) into
 * arena memory. A file that cannot be read or a malformed line is an input
 * error naming the file and line; `src` names the chart for the unreadable
 * case. Nothing is kept between calls. */
rp_status rp_map_outline_read(rp_arena *a, const char *path, const rp_src *src, rp_diag *d,
                              rp_map_outline *out);

/* Outlines read ahead: a chart worker (memo.c) reads each map's outline
 * file while idle, before the map is asked for (the file is named by the
 * layout, the map's box only by layout's progress). Made and read on the
 * worker's thread only. A file that fails to read is dropped, with its
 * message: the map then reads it itself and reports exactly as without. */
typedef struct rp_map_ahead rp_map_ahead;

/* A set of outline files to read: `paths` copied (at most RP_MAP_AHEAD,
 * each once); NULL when none or out of memory. */
#define RP_MAP_AHEAD 4
rp_map_ahead *rp_map_ahead_new(const char *const *paths, size_t n);
/* Reads the next file not read yet; false once all have been tried. */
bool rp_map_ahead_next(rp_map_ahead *x);
/* The outline read from `path` (counted as used), or NULL (not read yet,
 * or it failed). The rings are shared: read-only. */
const rp_map_outline *rp_map_ahead_find(rp_map_ahead *x, const char *path);
/* How many finds found one. */
size_t rp_map_ahead_used(const rp_map_ahead *x);
void rp_map_ahead_free(rp_map_ahead *x);

/* An axis-aligned rectangle in page points (y down). */
typedef struct rp_map_rect {
  double x0, y0, x1, y1;
} rp_map_rect;

/* A label to place beside its marker (a circle at mx,my of radius mr): its
 * block is w × h. Placement sets x, y (top-left), placed, and leader when
 * the label sits away from its marker joined by a line. */
typedef struct rp_map_label {
  double mx, my, mr; /* pt */
  double w, h;       /* pt */
  double reach;      /* pt: the longest leader allowed (0: none) */
  double x, y;       /* pt, out */
  bool placed, leader;
} rp_map_label;

/* The directions a leader is tried in, on each ring around a marker (cos,
 * sin by point and side), worked out once per map: every placement of its
 * labels walks the same rings. Zeroed to begin; arena-allocated parts. */
#define RP_MAP_RING_POINTS 128 /* at most, on half a ring */
typedef struct rp_map_dirs {
  double *of[RP_MAP_RING_POINTS + 1];
} rp_map_dirs;

/* Places the labels in the given order inside `bounds`, so that none
 * overlaps another label, any marker, any leader line or any rectangle of
 * `avoid`: first the eight positions around the marker, then free space
 * reached by a leader line that crosses no label, marker or other leader.
 * Returns how many could not be placed. `scratch` holds temporary arrays
 * and `dirs`' parts (`dirs` NULL: worked out for this placement only). */
size_t rp_map_labels_place(rp_arena *scratch, rp_map_dirs *dirs, rp_map_label *l, size_t n,
                           const rp_map_rect *avoid, size_t n_avoid, rp_map_rect bounds);

/* RP_CHART_MAP's entry in charts.c's table. */
rp_status rp_chart_draw_map(rp_chart_out *o, const rp_chart *c);

/* The point on the label's block nearest its marker (where a leader ends). */
void rp_map_label_attach(const rp_map_label *l, double *x, double *y);

#endif
