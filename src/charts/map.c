/* map — the membership map: the outline (Great Britain and Northern Ireland
 * in the land tone, Ireland and the Isle of Man lighter as context), one
 * marker per place coloured by its kind, a legend of the kinds with counts,
 * and every marker labelled with its name (map_labels.c). Places too close
 * to label one by one become one numbered marker with the list of their
 * names. docs/charts.md, "Membership map", says what is drawn and why. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/color.h"
#include "base/mem.h"
#include "base/simplify.h"
#include "charts/map.h"

#define MARKER_R 2.6    /* pt: one place */
#define LEADER_W 0.5    /* pt */
#define MIN_LABEL 5.0   /* pt: labels are not set smaller than this */
#define SMALL_LABEL 6.0 /* pt: smaller than this only to avoid large groups */
#define MERGE_REACH 7.0 /* label heights: how far a crowded place looks for a group */
#define VIEW_PAD 0.15   /* degrees around what is shown */
#define POINT_SLACK 0.5 /* degrees: how far outside the outline a place may be */
/* pt: outline detail finer than this is not drawn. The outline carries
 * detail for any scale; a printed map of a few inches shows less, and each
 * point is a dozen bytes of the page. A third of a point (0.12 mm, under
 * one and a half 300-dpi dots) is below what the 0.35 pt coast line shows:
 * at 300 dpi the map looks the same as at a quarter point, 620 points (2.3
 * KB of the review) fewer. */
#define SIMPLIFY 0.35

/* ---- colours and contrast ------------------------------------------------ */

static rp_color mix(rp_color a, rp_color b, double t) {
  return (rp_color){(float)(a.r + (b.r - a.r) * t), (float)(a.g + (b.g - a.g) * t),
                    (float)(a.b + (b.b - a.b) * t), 1};
}

/* The text colour, moved towards black or white until it reads at 4.5:1 on
 * both the land and the sea. */
static rp_color readable(rp_color text, rp_color land, rp_color sea) {
  rp_color to = rp_color_luminance(sea) > 0.3 ? (rp_color){0, 0, 0, 1} : (rp_color){1, 1, 1, 1};
  text.a = 1;
  for (int i = 0; i <= 20; i++) {
    rp_color t = mix(text, to, i / 20.0);
    if (rp_color_contrast(t, land) >= 4.5 && rp_color_contrast(t, sea) >= 4.5) return t;
  }
  return to;
}

/* ---- places, kinds and groups ------------------------------------------- */

typedef struct kind {
  const char *id, *label;
  rp_color color;
  size_t count;
} kind;

typedef struct site { /* one marker: a place, or a group of places */
  size_t *members;
  size_t n;
  double x, y, r; /* pt */
  int kind;       /* the members' kind, -1 when mixed */
  char count[16];
} site;

typedef struct map {
  rp_chart_out *o;
  const rp_chart *c;
  rp_arena *a;
  rp_map_outline outline;
  kind *kinds;
  size_t n_kinds;
  int *kind_of;                /* per point */
  double *px, *py;             /* projected points */
  const char **line1, **line2; /* each place's name on one or two lines (line2 NULL) */
  double *w1, *w2;             /* their widths at the label size tried (attempt) */
  /* projection */
  double lon0, lat0, k, s, ox, oy;
  rp_map_rect frame; /* the box less the title */
  rp_color land, context, coast, context_coast, sea, text;
  rp_chart_text label;
  double asc, desc;    /* label block above / below the baseline, in ems */
  unsigned char *mask; /* land raster at 1 px/pt over the frame, or NULL */
  int mask_w, mask_h, mask_stride;
  double **shape;  /* per ring: its points as drawn (make_shapes) */
  size_t *shape_n; /* per ring: how many; NULL when they could not be made */
  /* an inset: shows exactly `view` (lat south, north, lon west, east),
   * its outline clipped to its frame, with no legend of its own */
  bool is_inset;
  double view[4];
  rp_map_dirs *dirs;    /* leader directions, shared by the map's placements */
  rp_map_rect avoid[2]; /* what labels keep clear of besides the legend */
  size_t n_avoid;
} map;

static void project(const map *m, double lon, double lat, double *x, double *y) {
  *x = m->ox + (lon - m->lon0) * m->k * m->s;
  *y = m->oy - (lat - m->lat0) * m->s;
}

static rp_status point_error(map *m, const rp_map_point *p, const char *what) {
  const rp_src *src = &m->o->box->src;
  return rp_diag_error(m->o->d, RP_ERR_INPUT,
                       src->content_file ? src->content_file : src->layout_file,
                       src->content_file ? src->content_line : src->layout_line, 0,
                       "map place \"%s\" (lat %g, lon %g) %s", p->name ? p->name : "(no name)",
                       p->lat, p->lon, what);
}

/* fmin and fmax for numbers (never NaN), inlined: what glibc's minsd and
 * maxsd give, to the sign of a zero (the second when equal). */
static double lo(double a, double b) { return a < b ? a : b; }
static double hi(double a, double b) { return a > b ? a : b; }

/* Checks every point: a finite position inside the outline's box. All bad
 * points are reported, not only the first. */
static rp_status check_points(map *m) {
  double lo0 = INFINITY, la0 = INFINITY, lo1 = -INFINITY, la1 = -INFINITY;
  for (size_t i = 0; i < m->outline.n_rings; i++) {
    const rp_map_ring *r = &m->outline.rings[i];
    for (size_t j = 0; j < r->n; j++) {
      lo0 = lo(lo0, r->pt[2 * j]), lo1 = hi(lo1, r->pt[2 * j]);
      la0 = lo(la0, r->pt[2 * j + 1]), la1 = hi(la1, r->pt[2 * j + 1]);
    }
  }
  rp_status st = RP_OK;
  for (size_t i = 0; i < m->c->n_points; i++) {
    const rp_map_point *p = &m->c->points[i];
    if (!isfinite(p->lat) || !isfinite(p->lon))
      st = point_error(m, p, "has no usable position: give lat and lon as decimal degrees");
    else if (p->lat < la0 - POINT_SLACK || p->lat > la1 + POINT_SLACK ||
             p->lon < lo0 - POINT_SLACK || p->lon > lo1 + POINT_SLACK)
      st = rp_diag_error(
          m->o->d, RP_ERR_INPUT,
          m->o->box->src.content_file ? m->o->box->src.content_file : m->o->box->src.layout_file,
          m->o->box->src.content_file ? m->o->box->src.content_line : m->o->box->src.layout_line, 0,
          "map place \"%s\" (lat %g, lon %g) lies outside the map's outline (lat %.2f to %.2f, "
          "lon %.2f to %.2f): check its coordinates (are lat and lon swapped?)",
          p->name ? p->name : "(no name)", p->lat, p->lon, la0, la1, lo0, lo1);
  }
  return st;
}

/* Kinds in key order, then any kind the keys do not name, in order of first use. */
static rp_status find_kinds(map *m, const rp_chart *c) {
  m->kinds = rp_arena_calloc(m->a, c->n_keys + c->n_points + 1, sizeof *m->kinds);
  if (!m->kinds) return rp_diag_oom(m->o->d);
  for (size_t k = 0; k < c->n_keys; k++) {
    m->kinds[k] = (kind){c->keys[k].id, c->keys[k].label ? c->keys[k].label : c->keys[k].id,
                         c->keys[k].color, 0};
    if (m->kinds[k].color.a == 0) m->kinds[k].color = rp_chart_palette(c, k);
  }
  m->n_kinds = c->n_keys;
  for (size_t i = 0; i < c->n_points; i++) {
    const char *id = c->points[i].kind ? c->points[i].kind : "";
    size_t k = 0;
    while (k < m->n_kinds && strcmp(m->kinds[k].id ? m->kinds[k].id : "", id) != 0) k++;
    if (k == m->n_kinds) {
      m->kinds[k] = (kind){id, *id ? id : "Other", rp_chart_palette(c, k), 0};
      m->n_kinds++;
    }
    m->kinds[k].count++;
  }
  return RP_OK;
}

/* Each of the map's places' kind, as an index into m->kinds. */
static rp_status assign_kinds(map *m) {
  m->kind_of = rp_arena_calloc(m->a, m->c->n_points + 1, sizeof *m->kind_of);
  if (!m->kind_of) return rp_diag_oom(m->o->d);
  for (size_t i = 0; i < m->c->n_points; i++) {
    const char *id = m->c->points[i].kind ? m->c->points[i].kind : "";
    size_t k = 0;
    while (k + 1 < m->n_kinds && strcmp(m->kinds[k].id ? m->kinds[k].id : "", id) != 0) k++;
    m->kind_of[i] = (int)k;
  }
  return RP_OK;
}

/* ---- projection and the outline ----------------------------------------- */

/* Shows Great Britain and Northern Ireland (the UK whole, what readers
 * recognise) and every place; longitude scaled by the cosine of the mean
 * latitude shown, fitted to the area keeping the aspect ratio. */
static void fit(map *m, rp_map_rect area) {
  double lo0 = INFINITY, la0 = INFINITY, lo1 = -INFINITY, la1 = -INFINITY;
  for (size_t i = 0; !m->is_inset && i < m->outline.n_rings; i++) {
    const rp_map_ring *r = &m->outline.rings[i];
    if (strcmp(r->country, "GB") != 0) continue;
    for (size_t j = 0; j < r->n; j++) {
      lo0 = lo(lo0, r->pt[2 * j]), lo1 = hi(lo1, r->pt[2 * j]);
      la0 = lo(la0, r->pt[2 * j + 1]), la1 = hi(la1, r->pt[2 * j + 1]);
    }
  }
  for (size_t i = 0; !m->is_inset && i < m->c->n_points; i++) { /* checked: finite */
    lo0 = lo(lo0, m->c->points[i].lon), lo1 = hi(lo1, m->c->points[i].lon);
    la0 = lo(la0, m->c->points[i].lat), la1 = hi(la1, m->c->points[i].lat);
  }
  if (m->is_inset) {
    la0 = m->view[0], la1 = m->view[1], lo0 = m->view[2], lo1 = m->view[3];
  } else {
    if (!isfinite(lo0)) lo0 = -8.7, lo1 = 1.8, la0 = 49.9, la1 = 60.9; /* no GB rings */
    lo0 -= VIEW_PAD, lo1 += VIEW_PAD, la0 -= VIEW_PAD, la1 += VIEW_PAD;
  }
  m->lat0 = (la0 + la1) / 2, m->lon0 = (lo0 + lo1) / 2;
  m->k = cos(m->lat0 * M_PI / 180);
  double gw = (lo1 - lo0) * m->k, gh = la1 - la0;
  double aw = area.x1 - area.x0, ah = area.y1 - area.y0;
  m->s = fmin(aw / gw, ah / gh);
  m->ox = (area.x0 + area.x1) / 2, m->oy = (area.y0 + area.y1) / 2;
}

/* Sutherland–Hodgman: clips the polygon (in, n) to the inner side of one
 * edge of f (0..3: left, right, top, bottom), into out; returns its size
 * (at most 2n). */
static double inside(const double *p, rp_map_rect f, int side) {
  return side == 0 ? p[0] - f.x0 : side == 1 ? f.x1 - p[0] : side == 2 ? p[1] - f.y0 : f.y1 - p[1];
}
static size_t clip_side(const double *in, size_t n, double *out, rp_map_rect f, int side) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const double *a = &in[2 * ((i + n - 1) % n)], *b = &in[2 * i];
    double ea = inside(a, f, side), eb = inside(b, f, side);
    if ((ea >= 0) != (eb >= 0)) {
      double t = ea / (ea - eb);
      out[2 * k] = a[0] + (b[0] - a[0]) * t, out[2 * k + 1] = a[1] + (b[1] - a[1]) * t, k++;
    }
    if (eb >= 0) out[2 * k] = b[0], out[2 * k + 1] = b[1], k++;
  }
  return k;
}

/* Each ring projected and simplified to what prints (an inset's clipped to
 * its frame), once per map: the mask and the land both draw them. */
static void make_shapes(map *m) {
  size_t nr = m->outline.n_rings;
  m->shape = rp_arena_calloc(m->a, nr + 1, sizeof *m->shape);
  m->shape_n = rp_arena_calloc(m->a, nr + 1, sizeof *m->shape_n);
  if (!m->shape || !m->shape_n) goto oom;
  for (size_t i = 0; i < nr; i++) {
    const rp_map_ring *r = &m->outline.rings[i];
    size_t cap = 16 * r->n + 16, n = r->n; /* four passes, each at most doubling */
    double *a = rp_mem_alloc(cap * 2 * sizeof *a), *b = rp_mem_alloc(cap * 2 * sizeof *b);
    if (!a || !b) {
      rp_mem_free(a), rp_mem_free(b);
      goto oom;
    }
    for (size_t j = 0; j < n; j++)
      project(m, r->pt[2 * j], r->pt[2 * j + 1], &a[2 * j], &a[2 * j + 1]);
    if (!rp_simplify(a, &n, SIMPLIFY, true)) {
      rp_mem_free(a), rp_mem_free(b);
      goto oom;
    }
    for (int side = 0; m->is_inset && side < 4 && n > 0; side++) {
      n = clip_side(a, n, b, m->frame, side);
      double *t = a;
      a = b, b = t;
    }
    m->shape[i] = n ? rp_arena_alloc(m->a, n * 2 * sizeof *m->shape[i]) : NULL;
    if (n && m->shape[i]) memcpy(m->shape[i], a, n * 2 * sizeof *a);
    m->shape_n[i] = m->shape[i] ? n : 0;
    rp_mem_free(a), rp_mem_free(b);
    if (n && !m->shape[i]) goto oom;
  }
  return;
oom:
  if (!m->o->failed) rp_diag_oom(m->o->d);
  m->o->failed = true;
  m->shape_n = NULL;
}

/* Adds the rings of one country (or of all but GB) to the current path. */
static void outline_path(map *m, bool gb) {
  cairo_t *cr = m->o->cr;
  for (size_t i = 0; m->shape_n && i < m->outline.n_rings; i++) {
    if ((strcmp(m->outline.rings[i].country, "GB") == 0) != gb) continue;
    const double *a = m->shape[i];
    size_t n = m->shape_n[i];
    for (size_t j = 0; j < n; j++) {
      if (j == 0)
        cairo_move_to(cr, a[0], a[1]);
      else
        cairo_line_to(cr, a[2 * j], a[2 * j + 1]);
    }
    if (n) cairo_close_path(cr);
  }
}

/* The rings of one country (or of all but GB) as one path item, as
 * outline_path and rp_chart_emit_path would make it. */
static void emit_land(map *m, bool gb, rp_color fill, rp_color stroke, double width) {
  size_t nr = m->shape_n ? m->outline.n_rings : 0, k = 0;
  const double **rings = rp_mem_alloc((nr + 1) * sizeof *rings);
  size_t *n = rp_mem_alloc((nr + 1) * sizeof *n);
  if (!rings || !n) {
    rp_mem_free(rings), rp_mem_free(n);
    outline_path(m, gb);
    rp_chart_emit_path(m->o, fill, stroke, width);
    return;
  }
  for (size_t i = 0; i < nr; i++) {
    if ((strcmp(m->outline.rings[i].country, "GB") == 0) != gb) continue;
    rings[k] = m->shape[i], n[k++] = m->shape_n[i];
  }
  rp_chart_emit_rings(m->o, rings, n, k, fill, stroke, width);
  rp_mem_free(rings), rp_mem_free(n);
}

/* A raster of the land (all countries) at 1 px per pt over the frame: tells
 * which labels sit across a coastline and get a plate. */
static void build_mask(map *m) {
  int w = (int)ceil(m->frame.x1 - m->frame.x0), h = (int)ceil(m->frame.y1 - m->frame.y0);
  if (w <= 0 || h <= 0 || w > 4000 || h > 4000) return;
  /* drawn straight into the map's memory (zeroed: clear), not copied out */
  int stride = cairo_format_stride_for_width(CAIRO_FORMAT_A8, w);
  unsigned char *px = stride > 0 ? rp_arena_alloc(m->a, (size_t)stride * (size_t)h) : NULL;
  if (!px) return; /* no mask: labels get no plates, as when Cairo had no memory */
  cairo_surface_t *s = cairo_image_surface_create_for_data(px, CAIRO_FORMAT_A8, w, h, stride);
  cairo_t *cr = cairo_create(s);
  if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
    cairo_t *keep = m->o->cr;
    m->o->cr = cr;
    cairo_translate(cr, -m->frame.x0, -m->frame.y0);
    outline_path(m, true);
    outline_path(m, false);
    cairo_fill(cr);
    m->o->cr = keep;
    cairo_surface_flush(s);
    if (cairo_status(cr) == CAIRO_STATUS_SUCCESS)
      m->mask = px, m->mask_w = w, m->mask_h = h, m->mask_stride = stride;
  }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
}

/* 0: all sea, 1: all land, in between: across a coastline. */
static double land_share(const map *m, rp_map_rect r) {
  if (!m->mask) return 0;
  int x0 = (int)floor(r.x0 - m->frame.x0), x1 = (int)ceil(r.x1 - m->frame.x0);
  int y0 = (int)floor(r.y0 - m->frame.y0), y1 = (int)ceil(r.y1 - m->frame.y0);
  x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
  x1 = x1 > m->mask_w ? m->mask_w : x1, y1 = y1 > m->mask_h ? m->mask_h : y1;
  long land = 0, all = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++, all++) land += m->mask[(size_t)y * m->mask_stride + x] > 127;
  return all ? (double)land / all : 0;
}

/* ---- text blocks -------------------------------------------------------- */

static double tw(const map *m, const char *s) { return rp_chart_text_width(m->o, &m->label, s); }
static double line_h(const map *m) { return (m->asc + m->desc) * m->label.size; }
static double pitch(const map *m) { return m->label.size * 1.15; }

/* A long name is set on two lines, broken at the space nearest its middle;
 * each line's width kept (w1, w2) for this label size. */
static void wrap(map *m, size_t p) {
  const char *name = m->c->points[p].name ? m->c->points[p].name : "";
  m->line1[p] = name, m->line2[p] = NULL;
  m->w1[p] = tw(m, name), m->w2[p] = 0;
  if (m->w1[p] <= m->label.size * 14) return;
  size_t len = strlen(name), best = 0;
  double mid = len / 2.0;
  for (size_t i = 1; i + 1 < len; i++)
    if (name[i] == ' ' && (best == 0 || fabs(i - mid) < fabs(best - mid))) best = i;
  if (!best) return;
  char *a = rp_arena_strndup(m->a, name, best), *b = rp_arena_strdup(m->a, name + best + 1);
  if (!a || !b) return;
  m->line1[p] = a, m->line2[p] = b;
  m->w1[p] = tw(m, a), m->w2[p] = tw(m, b);
}

static double name_w(const map *m, size_t p) { return fmax(m->w1[p], m->line2[p] ? m->w2[p] : 0); }

/* The label block of a site: its name, or for a group its places' names
 * one under another, each with a dot of its kind. */
static void block_size(const map *m, const site *s, double *w, double *h) {
  size_t lines = 0;
  *w = 0;
  for (size_t i = 0; i < s->n; i++) {
    *w = fmax(*w, name_w(m, s->members[i]));
    lines += m->line2[s->members[i]] ? 2 : 1;
  }
  if (s->n > 1) *w += m->label.size * 0.9; /* the dot column */
  *h = line_h(m) + (lines - 1) * pitch(m);
}

/* ---- grouping ----------------------------------------------------------- */

static size_t find(size_t *parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}
static void join(size_t *parent, size_t i, size_t j) {
  i = find(parent, i), j = find(parent, j);
  if (i != j) parent[i > j ? i : j] = i < j ? i : j;
}

/* Sites from the groups: a group's marker at its members' mean position,
 * big enough for its count. */
static site *make_sites(map *m, size_t *parent, size_t *n_sites) {
  size_t n = m->c->n_points, ns = 0;
  site *sites = rp_arena_calloc(m->a, n + 1, sizeof *sites);
  size_t *slot = rp_arena_calloc(m->a, n + 1, sizeof *slot);
  size_t *mem = rp_arena_calloc(m->a, n + 1, sizeof *mem);
  if (!sites || !slot || !mem) return NULL;
  for (size_t i = 0; i < n; i++)
    if (find(parent, i) == i) slot[i] = ns++;
  for (size_t i = 0; i < n; i++) sites[slot[find(parent, i)]].n++;
  size_t off = 0;
  for (size_t k = 0; k < ns; k++) sites[k].members = mem + off, off += sites[k].n, sites[k].n = 0;
  for (size_t i = 0; i < n; i++) {
    site *s = &sites[slot[find(parent, i)]];
    s->members[s->n++] = i;
  }
  rp_chart_text num = m->c->value;
  num.size = m->label.size * 0.95;
  for (size_t k = 0; k < ns; k++) {
    site *s = &sites[k];
    s->kind = m->kind_of[s->members[0]];
    for (size_t i = 0; i < s->n; i++) {
      s->x += m->px[s->members[i]] / s->n, s->y += m->py[s->members[i]] / s->n;
      if (m->kind_of[s->members[i]] != s->kind) s->kind = -1;
    }
    if (s->n == 1) {
      s->r = MARKER_R;
    } else {
      snprintf(s->count, sizeof s->count, "%zu", s->n);
      double cw = rp_chart_text_width(m->o, &num, s->count);
      s->r = fmax(MARKER_R * 1.9, cw / 2 + 1.8);
    }
  }
  *n_sites = ns;
  return sites;
}

/* How close two markers may be: two places must not touch; a group's
 * marker may overlap a neighbour's edge (both keep their white rims), but
 * not hide its centre, else groups would swallow whole regions. */
static double limit(const site *a, const site *b) {
  return a->n == 1 && b->n == 1 ? a->r + b->r + 0.8 : fmax(a->r, b->r) + 1;
}

/* Joins groups whose markers are too close. Returns true when any joined. */
static bool join_touching(map *m, size_t *parent, const site *sites, size_t ns) {
  bool any = false;
  for (size_t i = 0; i < ns; i++)
    for (size_t j = i + 1; j < ns; j++)
      if (hypot(sites[i].x - sites[j].x, sites[i].y - sites[j].y) < limit(&sites[i], &sites[j])) {
        join(parent, sites[i].members[0], sites[j].members[0]);

        any = true;
      }
  (void)m;
  return any;
}

/* How far the members of two sites joined would lie from their centre. */
static double group_spread(const map *m, const site *a, const site *b) {
  double cx = 0, cy = 0, n = (double)(a->n + b->n), far = 0;
  for (size_t i = 0; i < a->n; i++) cx += m->px[a->members[i]] / n, cy += m->py[a->members[i]] / n;
  for (size_t i = 0; i < b->n; i++) cx += m->px[b->members[i]] / n, cy += m->py[b->members[i]] / n;
  for (size_t i = 0; i < a->n; i++)
    far = fmax(far, hypot(m->px[a->members[i]] - cx, m->py[a->members[i]] - cy));
  for (size_t i = 0; i < b->n; i++)
    far = fmax(far, hypot(m->px[b->members[i]] - cx, m->py[b->members[i]] - cy));
  return far;
}

/* ---- the legend --------------------------------------------------------- */

static void legend_size(const map *m, double *w, double *h) {
  size_t shown = 0;
  *w = *h = 0;
  if (m->is_inset) return;
  for (size_t k = 0; k < m->n_kinds; k++) {
    if (!m->kinds[k].count) continue;
    char buf[512];
    snprintf(buf, sizeof buf, "%s (%zu)", m->kinds[k].label, m->kinds[k].count);
    *w = fmax(*w, tw(m, buf) + m->label.size * 1.1);
    shown++;
  }
  *h = shown ? line_h(m) + (shown - 1) * pitch(m) : 0;
}

/* Where the legend goes: the emptiest of eight places along the frame's
 * edges (its corners, the middles of its sides), kept in from the edges by
 * half the map's margin — off a full-bleed frame's trimmed edge. "Emptiest"
 * costs, in order: an inset or other reserved block (never), a marker
 * under it (10 each), the land it covers (share, 0–1, so beside the map
 * when the frame is wide), the places near it whose names need the room
 * around them (up to 0.5 each, less the further away), then the order
 * below (bottom-left first, as a reader looks for a key). */
static rp_map_rect place_legend(const map *m, const site *sites, size_t ns, double w, double h) {
  rp_map_rect f = m->frame;
  double in = fmax(3, fmin(f.x1 - f.x0, f.y1 - f.y0) * 0.03);
  double l = f.x0 + in, r = f.x1 - in - w, t = f.y0 + in, btm = f.y1 - in - h;
  if (r < l) l = r = f.x0; /* a legend as wide as the frame: no inset */
  if (btm < t) t = btm = f.y0;
  double cx = (l + r) / 2, cy = (t + btm) / 2;
  const double spot[8][2] = {{l, btm}, {l, t},  {r, t},    {r, btm},
                             {l, cy},  {r, cy}, {cx, btm}, {cx, t}};
  double reach = line_h(m) * 4;
  rp_map_rect best = {l, btm, l + w, btm + h};
  double best_cost = INFINITY;
  for (int c = 0; c < 8; c++) {
    rp_map_rect q = {spot[c][0], spot[c][1], spot[c][0] + w, spot[c][1] + h};
    double cost = land_share(m, q) + c * 0.01;
    for (size_t i = 0; i < ns; i++) {
      const site *s = &sites[i];
      if (s->x + s->r > q.x0 - 2 && s->x - s->r < q.x1 + 2 && s->y + s->r > q.y0 - 2 &&
          s->y - s->r < q.y1 + 2) {
        cost += 10;
        continue;
      }
      double dx = fmax(0, fmax(q.x0 - s->x, s->x - q.x1)),
             dy = fmax(0, fmax(q.y0 - s->y, s->y - q.y1)), d = hypot(dx, dy);
      if (d < reach) cost += 0.5 * (1 - d / reach);
    }
    for (size_t i = 0; i < m->n_avoid; i++)
      if (q.x0 < m->avoid[i].x1 && m->avoid[i].x0 < q.x1 && q.y0 < m->avoid[i].y1 &&
          m->avoid[i].y0 < q.y1)
        cost += 100;
    if (cost < best_cost) best_cost = cost, best = q;
  }
  return best;
}

/* ---- drawing ------------------------------------------------------------ */

/* A circle as four quarter curves: symmetric, so its bounds are the circle's
 * (Cairo's arc picks its segments by the device tolerance). */
static void circle(map *m, double x, double y, double r, rp_color fill, rp_color stroke,
                   double width) {
  cairo_t *cr = m->o->cr;
  double k = r * 0.5522847498;
  cairo_move_to(cr, x + r, y);
  cairo_curve_to(cr, x + r, y + k, x + k, y + r, x, y + r);
  cairo_curve_to(cr, x - k, y + r, x - r, y + k, x - r, y);
  cairo_curve_to(cr, x - r, y - k, x - k, y - r, x, y - r);
  cairo_curve_to(cr, x + k, y - r, x + r, y - k, x + r, y);
  cairo_close_path(cr);
  rp_chart_emit_path(m->o, fill, stroke, width);
}

static rp_color site_color(const map *m, const site *s) {
  return s->kind >= 0 ? m->kinds[s->kind].color : (rp_color){0.25f, 0.27f, 0.30f, 1};
}

/* A plate under a line of text that crosses a coastline keeps it clean. */
static void plate(map *m, double x, double base, double w) {
  double size = m->label.size;
  rp_map_rect r = {x - 1, base - m->asc * size - 0.4, x + w + 1, base + m->desc * size + 0.4};
  double share = land_share(m, r);
  if (share <= 0.02 || share >= 0.98) return;
  rp_color c = m->sea;
  c.a = 0.8f;
  cairo_rectangle(m->o->cr, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
  rp_chart_emit_path(m->o, c, (rp_color){0}, 0);
}

static void emit_label(map *m, const site *s, const rp_map_label *l) {
  rp_chart_text t = m->label;
  t.color = m->text;
  double base = l->y + m->asc * t.size;
  if (s->n == 1) {
    /* lines aligned towards the marker */
    size_t p = s->members[0];
    rp_chart_align al = l->x + l->w <= s->x ? RP_CHART_RIGHT
                        : l->x >= s->x      ? RP_CHART_LEFT
                                            : RP_CHART_CENTRE;
    const char *lines[2] = {m->line1[p], m->line2[p]};
    for (size_t i = 0; i < 2 && lines[i]; i++) {
      double w = i ? m->w2[p] : m->w1[p]; /* at this size: attempt's last */
      double x = al == RP_CHART_RIGHT  ? l->x + l->w - w
                 : al == RP_CHART_LEFT ? l->x
                                       : l->x + (l->w - w) / 2;
      plate(m, x, base + i * pitch(m), w);
      rp_chart_emit_text(m->o, &t, lines[i], x, base + i * pitch(m), RP_CHART_LEFT);
    }
    return;
  }
  double dot = t.size * 0.22, y = base, indent = t.size * 0.9;
  for (size_t i = 0; i < s->n; i++) {
    size_t p = s->members[i];
    const char *lines[2] = {m->line1[p], m->line2[p]};
    for (size_t k = 0; k < 2 && lines[k]; k++) {
      plate(m, l->x, y, indent + (k ? m->w2[p] : m->w1[p]));
      if (k == 0)
        circle(m, l->x + dot, y - t.size * 0.3, dot, m->kinds[m->kind_of[p]].color, (rp_color){0},
               0);
      rp_chart_emit_text(m->o, &t, lines[k], l->x + indent, y, RP_CHART_LEFT);
      y += pitch(m);
    }
  }
}

static void emit_legend(map *m, rp_map_rect r) {
  rp_chart_text t = m->label;
  t.color = m->text;
  double y = r.y0 + m->asc * t.size;
  for (size_t k = 0; k < m->n_kinds; k++) {
    if (!m->kinds[k].count) continue;
    circle(m, r.x0 + t.size * 0.35, y - t.size * 0.3, MARKER_R, m->kinds[k].color,
           (rp_color){1, 1, 1, 1}, 0.6);
    char buf[512];
    snprintf(buf, sizeof buf, "%s (%zu)", m->kinds[k].label, m->kinds[k].count);
    rp_chart_emit_text(m->o, &t, buf, r.x0 + t.size * 1.1, y, RP_CHART_LEFT);
    y += pitch(m);
  }
}

/* Orders sites for placement: the most crowded first, then top to bottom
 * (an insertion sort: a map has tens of places, and no globals are needed). */
static void crowd_order(const site *sites, const double *crowd, size_t *order, size_t ns) {
  for (size_t i = 0; i < ns; i++) {
    size_t v = order[i], j = i;
    while (j > 0) {
      size_t u = order[j - 1];
      bool before = crowd[v] != crowd[u]       ? crowd[v] > crowd[u]
                    : sites[v].y != sites[u].y ? sites[v].y < sites[u].y
                                               : v < u;
      if (!before) break;
      order[j] = u, j--;
    }
    order[j] = v;
  }
}

/* One attempt at a label size: groups what cannot be labelled one by one
 * until every site has its label. Returns true when all are placed. */
static bool attempt(map *m, rp_map_rect bounds, bool wide_groups, site **out_sites, size_t *out_ns,
                    rp_map_label **out_labels, rp_map_rect *legend, size_t *grouped) {
  size_t n = m->c->n_points;
  size_t *parent = rp_arena_calloc(m->a, n + 1, sizeof *parent);
  m->line1 = rp_arena_calloc(m->a, n + 1, sizeof *m->line1);
  m->line2 = rp_arena_calloc(m->a, n + 1, sizeof *m->line2);
  m->w1 = rp_arena_calloc(m->a, n + 1, sizeof *m->w1);
  m->w2 = rp_arena_calloc(m->a, n + 1, sizeof *m->w2);
  if (!parent || !m->line1 || !m->line2 || !m->w1 || !m->w2) return false;
  /* each name measured once a size: every round and order reads them */
  for (size_t i = 0; i < n; i++) wrap(m, i);
  for (size_t i = 0; i < n; i++) parent[i] = i;
  double lw, lh;
  legend_size(m, &lw, &lh);
  /* Stages: short leaders and groups of neighbours; then longer leaders;
   * then larger groups. */
  double single_reach = 6, max_spread = 2.5;
  for (size_t round = 0; round <= 2 * n + 2; round++) {
    size_t ns;
    site *sites = make_sites(m, parent, &ns);
    if (!sites) return false;
    if (join_touching(m, parent, sites, ns)) continue;
    *legend = place_legend(m, sites, ns, lw, lh);
    rp_map_label *l = rp_arena_calloc(m->a, ns + 1, sizeof *l);
    size_t *order = rp_arena_calloc(m->a, ns + 1, sizeof *order);
    double *crowd = rp_arena_calloc(m->a, ns + 1, sizeof *crowd);
    if (!l || !order || !crowd) return false;
    for (size_t i = 0; i < ns; i++) {
      order[i] = i;
      for (size_t j = 0; j < ns; j++)
        if (j != i && hypot(sites[i].x - sites[j].x, sites[i].y - sites[j].y) < 40) crowd[i]++;
    }
    /* Greedy placement depends on its order: the most crowded first, then
     * the least crowded first, then reading order; the order leaving the
     * fewest labels out wins. */
    rp_map_rect avoid[3] = {{legend->x0 - 2, legend->y0 - 2, legend->x1 + 2, legend->y1 + 2}};
    size_t n_avoid = lh > 0 ? 1 : 0;
    for (size_t i = 0; i < m->n_avoid; i++) avoid[n_avoid++] = m->avoid[i];
    size_t left = ns + 1;
    rp_map_label *ol = NULL;
    for (int pass = 0; pass < 3 && left > 0; pass++) {
      size_t *ord = rp_arena_calloc(m->a, ns + 1, sizeof *ord);
      rp_map_label *tl = rp_arena_calloc(m->a, ns + 1, sizeof *tl);
      if (!ord || !tl) return false;
      for (size_t i = 0; i < ns; i++) {
        ord[i] = i;
        crowd[i] = pass == 1 ? -crowd[i] : crowd[i];
        if (pass == 2) crowd[i] = 0; /* by y, top to bottom */
      }
      crowd_order(sites, crowd, ord, ns);
      for (size_t k = 0; k < ns; k++) {
        const site *s = &sites[ord[k]];
        tl[k] = (rp_map_label){.mx = s->x, .my = s->y, .mr = s->r};
        block_size(m, s, &tl[k].w, &tl[k].h);
        /* a place's leader stays short (further off, it joins a group); a
         * group's list may go further, to the sea beside the map */
        tl[k].reach = (s->n == 1 ? single_reach : wide_groups ? 1e6 : 14) * line_h(m) + s->r;
      }
      size_t k = rp_map_labels_place(m->a, m->dirs, tl, ns, avoid, n_avoid, bounds);
      if (k < left) left = k, ol = tl, memcpy(order, ord, ns * sizeof *ord);
    }
    for (size_t k = 0; k < ns; k++) l[order[k]] = ol[k];
    if (left == 0) {
      *out_sites = sites, *out_ns = ns, *out_labels = l;
      *grouped = 0;
      for (size_t i = 0; i < ns; i++)
        if (sites[i].n > 1) *grouped += sites[i].n;
      return true;
    }
    /* Unlabelled sites join their nearest neighbours, nearest pairs first,
     * each site in one pair a round, if the group stays small (a town and
     * its neighbours, not a region); when none can, the limit grows. */
    bool any = false;
    bool *used = rp_arena_calloc(m->a, ns + 1, sizeof *used);
    if (!used) return false;
    for (double spread = 2.5; !any && spread <= max_spread; spread *= 2) {
      double limit = spread * line_h(m);
      for (;;) {
        double bd = INFINITY;
        size_t bi = ns, bj = ns;
        for (size_t i = 0; i < ns; i++) {
          if (l[i].placed || used[i]) continue;
          for (size_t j = 0; j < ns; j++) {
            double dd = hypot(sites[i].x - sites[j].x, sites[i].y - sites[j].y);
            if (j != i && !used[j] && dd < bd && group_spread(m, &sites[i], &sites[j]) <= limit)
              bd = dd, bi = i, bj = j;
          }
        }
        if (bi == ns) break;
        join(parent, sites[bi].members[0], sites[bj].members[0]);
        used[bi] = used[bj] = true;
        any = true;
      }
    }
    if (!any && single_reach < 12) {
      single_reach = 12;
      continue;
    }
    if (!any && wide_groups && max_spread < 160) {
      max_spread *= 2;
      continue;
    }
    if (!any) return false;
  }
  return false;
}

/* The map's colours, from what it is printed on. */
static void set_look(map *m) {
  const rp_chart *c = m->c;
  m->sea = c->background.a > 0 ? c->background : (rp_color){1, 1, 1, 1};
  m->sea.a = 1;
  bool light = rp_color_luminance(m->sea) > 0.3;
  rp_color ink = light ? (rp_color){0.33f, 0.40f, 0.49f, 1} : (rp_color){1, 1, 1, 1};
  m->land = mix(m->sea, ink, light ? 0.17 : 0.16);
  m->context = mix(m->sea, ink, 0.07);
  m->coast = mix(m->sea, ink, light ? 0.45 : 0.4);
  m->context_coast = mix(m->sea, ink, light ? 0.22 : 0.2);
  m->text = readable(c->label.color.a > 0 ? c->label.color : (rp_color){0.2f, 0.2f, 0.2f, 1},
                     m->land, m->sea);
}

/* Projects the places into the frame (less a margin for labels) and draws
 * the land: context first, then Great Britain and Northern Ireland. */
static rp_status draw_land(map *m) {
  double fw = m->frame.x1 - m->frame.x0, fh = m->frame.y1 - m->frame.y0;
  double margin = fmax(6, fmin(fw, fh) * 0.06);
  fit(m, (rp_map_rect){m->frame.x0 + margin, m->frame.y0 + margin, m->frame.x1 - margin,
                       m->frame.y1 - margin});
  size_t n = m->c->n_points;
  m->px = rp_arena_calloc(m->a, n + 1, sizeof *m->px);
  m->py = rp_arena_calloc(m->a, n + 1, sizeof *m->py);
  if (!m->px || !m->py) return rp_diag_oom(m->o->d);
  for (size_t i = 0; i < n; i++)
    project(m, m->c->points[i].lon, m->c->points[i].lat, &m->px[i], &m->py[i]);
  make_shapes(m);
  build_mask(m);
  emit_land(m, false, m->context, m->context_coast, 0.35);
  emit_land(m, true, m->land, m->coast, 0.4);
  return m->o->failed ? rp_diag_status(m->o->d) : RP_OK;
}

/* Markers, labels, groups and the legend. */
static rp_status draw_places(map *m) {
  rp_chart_out *o = m->o;
  const rp_chart_box *b = o->box;
  size_t n = m->c->n_points;
  if (n == 0) { /* every place is in the inset: the legend still belongs here */
    double lw, lh;
    legend_size(m, &lw, &lh);
    if (lh > 0) emit_legend(m, place_legend(m, NULL, 0, lw, lh));
    return o->failed ? rp_diag_status(o->d) : RP_OK;
  }
  /* Labels: at the style's size if they fit, else smaller (a warning). */
  site *sites = NULL;
  rp_map_label *l = NULL;
  size_t ns = 0, grouped = 0;
  rp_map_rect legend;
  double size0 = m->label.size;
  bool ok = false;
  /* Groups of near neighbours only, down to 6 pt labels; then groups that
   * reach further, down to the smallest labels. */
  for (int wide = 0; !ok && wide < 2; wide++) {
    m->label.size = size0;
    double lowest = fmin(size0, wide ? MIN_LABEL : SMALL_LABEL);
    while (!ok && m->label.size >= lowest - 1e-9) {
      ok = attempt(m, m->frame, wide, &sites, &ns, &l, &legend, &grouped);
      if (!ok) m->label.size *= 0.9;
    }
  }
  if (o->failed) return rp_diag_status(o->d);
  if (!ok)
    return rp_diag_error(o->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                         "the map%s (%.0f × %.0f pt) is too small to label its %zu places even "
                         "with %.0f pt labels and grouping: give the chart block a larger height "
                         "or width",
                         m->is_inset ? "'s inset" : "", m->frame.x1 - m->frame.x0,
                         m->frame.y1 - m->frame.y0, n, MIN_LABEL);
  if (m->label.size < size0 - 1e-9)
    rp_diag_warn_about(o->d, &(rp_diag_about){.code = RP_DIAG_TEXT_SHRUNK, .src = b->src},
                       "map%s labels set at %.1f pt instead of %.1f pt to fit its %zu places",
                       m->is_inset ? " inset" : "", m->label.size, size0, n);

  rp_color leader = mix(m->sea, m->text, 0.6);
  for (size_t i = 0; i < ns; i++) {
    if (!l[i].leader) continue;
    double ax, ay;
    rp_map_label_attach(&l[i], &ax, &ay);
    double dx = ax - l[i].mx, dy = ay - l[i].my, len = hypot(dx, dy);
    cairo_move_to(o->cr, l[i].mx + dx / len * l[i].mr, l[i].my + dy / len * l[i].mr);
    cairo_line_to(o->cr, ax, ay);
    rp_chart_emit_path(o, (rp_color){0}, leader, LEADER_W);
  }
  rp_color white = {1, 1, 1, 1};
  for (size_t i = 0; i < ns; i++) {
    rp_color col = site_color(m, &sites[i]);
    circle(m, sites[i].x, sites[i].y, sites[i].r, col, white, 0.7);
    if (sites[i].n > 1) {
      rp_chart_text num = m->c->value;
      num.size = m->label.size * 0.95;
      num.color = rp_color_contrast(white, col) >= rp_color_contrast((rp_color){0, 0, 0, 1}, col)
                      ? white
                      : (rp_color){0, 0, 0, 1};
      rp_chart_emit_text(o, &num, sites[i].count, sites[i].x, sites[i].y + num.size * 0.36,
                         RP_CHART_CENTRE);
    }
  }
  for (size_t i = 0; i < ns; i++) emit_label(m, &sites[i], &l[i]);
  if (!m->is_inset) emit_legend(m, legend);
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}

/* The inset's frame: the corner of the main frame, 38 % of it, that
 * covers no marker and the least land; shaped like the inset's area. */
static rp_map_rect inset_frame(const map *m, const double view[4]) {
  rp_map_rect f = m->frame;
  double aw = (view[3] - view[2]) * cos((view[0] + view[1]) / 2 * M_PI / 180);
  double ah = view[1] - view[0];
  double k = fmin((f.x1 - f.x0) * 0.38 / aw, (f.y1 - f.y0) * 0.38 / ah);
  double w = aw * k, h = ah * k;
  const double corner[4][2] = {
      {f.x1 - w, f.y1 - h}, {f.x0, f.y0}, {f.x1 - w, f.y0}, {f.x0, f.y1 - h}};
  rp_map_rect best = {f.x1 - w, f.y1 - h, f.x1, f.y1};
  double best_cost = INFINITY;
  for (int c = 0; c < 4; c++) {
    rp_map_rect r = {corner[c][0], corner[c][1], corner[c][0] + w, corner[c][1] + h};
    double cost = land_share(m, r) + c * 0.01;
    for (size_t i = 0; i < m->c->n_points; i++)
      if (m->px[i] > r.x0 - 4 && m->px[i] < r.x1 + 4 && m->py[i] > r.y0 - 4 && m->py[i] < r.y1 + 4)
        cost += 10;
    if (cost < best_cost) best_cost = cost, best = r;
  }
  return best;
}

/* Splits the chart's places into those in the inset's area and the rest. */
static rp_status split_places(rp_arena *a, const rp_chart *c, rp_chart *outside, rp_chart *in,
                              rp_diag *d) {
  *outside = *c, *in = *c;
  outside->points = rp_arena_calloc(a, c->n_points + 1, sizeof *outside->points);
  in->points = rp_arena_calloc(a, c->n_points + 1, sizeof *in->points);
  if (!outside->points || !in->points) return rp_diag_oom(d);
  outside->n_points = in->n_points = 0;
  for (size_t i = 0; i < c->n_points; i++) {
    const rp_map_point *p = &c->points[i];
    bool inside_area = p->lat >= c->inset_lat[0] && p->lat <= c->inset_lat[1] &&
                       p->lon >= c->inset_lon[0] && p->lon <= c->inset_lon[1];
    if (inside_area)
      in->points[in->n_points++] = *p;
    else
      outside->points[outside->n_points++] = *p;
  }
  return RP_OK;
}

rp_status rp_chart_draw_map(rp_chart_out *o, const rp_chart *c) {
  map m = {.o = o, .c = c, .a = o->a, .label = c->label};
  m.dirs = rp_arena_calloc(o->a, 1, sizeof *m.dirs); /* NULL: each placement its own */
  const rp_chart_box *b = o->box;
  if (m.label.size <= 0 || !isfinite(m.label.size)) m.label.size = 7;
  const rp_font *f = rp_fontset_get(o->fonts, m.label.font);
  /* a label's block: the cap height (plus accents) above the baseline, the
   * descenders below */
  m.asc = f && f->cap_height > 0 ? f->cap_height / 1000.0 + 0.08 : 0.8;
  m.desc = f && f->descent < 0 ? fmin(-f->descent / 1000.0, 0.26) : 0.24;
  const rp_map_outline *ahead = rp_map_ahead_find(o->ahead, c->outline_path);
  rp_status st = RP_OK;
  if (ahead)
    m.outline = *ahead; /* read-only here: shared by every map of the run */
  else
    st = rp_map_outline_read(o->a, c->outline_path, &b->src, o->d, &m.outline);
  if (st != RP_OK) return st;
  if ((st = check_points(&m)) != RP_OK) return st;
  if ((st = find_kinds(&m, c)) != RP_OK) return st;

  m.frame = (rp_map_rect){b->x, b->y, b->x + b->w, b->y + b->h};
  if (c->title) {
    rp_chart_text h = c->heading;
    if (h.size <= 0) h.size = 10;
    rp_chart_emit_text(o, &h, c->title, b->x, b->y + h.size * 0.9, RP_CHART_LEFT);
    m.frame.y0 += h.size * 1.6;
  }
  double fw = m.frame.x1 - m.frame.x0, fh = m.frame.y1 - m.frame.y0;
  if (fw < 40 || fh < 40)
    return rp_diag_error(o->d, RP_ERR_INPUT, b->src.layout_file, b->src.layout_line, 0,
                         "the map needs at least 40 pt × 40 pt for its outline (it has %.0f × "
                         "%.0f): give the chart block a larger height or width",
                         fw, fh);
  set_look(&m);

  bool inset = c->has_inset && c->inset_lat[0] < c->inset_lat[1] &&
               c->inset_lon[0] < c->inset_lon[1] && isfinite(c->inset_lat[0]) &&
               isfinite(c->inset_lat[1]) && isfinite(c->inset_lon[0]) && isfinite(c->inset_lon[1]);
  rp_chart outside, in;
  if (inset) {
    if ((st = split_places(o->a, c, &outside, &in, o->d)) != RP_OK) return st;
    m.c = &outside;
  }
  if ((st = assign_kinds(&m)) != RP_OK) return st;
  if ((st = draw_land(&m)) != RP_OK) return st;

  if (c->n_points == 0) {
    rp_diag_warn(o->d, b->src.layout_file, b->src.layout_line, 0,
                 "the map has no places with a position: the outline is drawn with a note");
    rp_chart_text t = m.label;
    t.color = m.text;
    rp_chart_emit_text(o, &t, "No places with a map position", m.frame.x0,
                       m.frame.y1 - t.size * 0.4, RP_CHART_LEFT);
    return o->failed ? rp_diag_status(o->d) : RP_OK;
  }
  if (!inset) return draw_places(&m);

  /* The inset: where it is on the main map, then its frame in a corner,
   * drawn larger with its own labels. */
  double view[4] = {c->inset_lat[0], c->inset_lat[1], c->inset_lon[0], c->inset_lon[1]};
  map mi = m;
  mi.c = &in;
  mi.is_inset = true;
  memcpy(mi.view, view, sizeof view);
  mi.frame = inset_frame(&m, view);
  mi.mask = NULL, mi.n_avoid = 0;
  mi.shape = NULL, mi.shape_n = NULL; /* its own, at its scale */
  m.avoid[m.n_avoid++] =
      (rp_map_rect){mi.frame.x0 - 3, mi.frame.y0 - 3, mi.frame.x1 + 3, mi.frame.y1 + 3};
  double x0, y0, x1, y1;
  project(&m, view[2], view[1], &x0, &y0);
  project(&m, view[3], view[0], &x1, &y1);
  rp_color edge = mix(m.sea, m.text, 0.7);
  cairo_rectangle(o->cr, x0, y0, x1 - x0, y1 - y0);
  rp_chart_emit_path(o, (rp_color){0}, edge, 0.6);
  /* the area's places are drawn in the inset only: the main map keeps clear
   * of the small frame that marks it */
  m.avoid[m.n_avoid++] = (rp_map_rect){x0 - 1, y0 - 1, x1 + 1, y1 + 1};
  if ((st = draw_places(&m)) != RP_OK) return st;
  cairo_rectangle(o->cr, mi.frame.x0, mi.frame.y0, mi.frame.x1 - mi.frame.x0,
                  mi.frame.y1 - mi.frame.y0);
  rp_chart_emit_path(o, m.sea, (rp_color){0}, 0);
  if ((st = assign_kinds(&mi)) != RP_OK) return st;
  if ((st = draw_land(&mi)) != RP_OK) return st;
  if ((st = draw_places(&mi)) != RP_OK) return st;
  cairo_rectangle(o->cr, mi.frame.x0, mi.frame.y0, mi.frame.x1 - mi.frame.x0,
                  mi.frame.y1 - mi.frame.y0);
  rp_chart_emit_path(o, (rp_color){0}, edge, 0.6);
  return o->failed ? rp_diag_status(o->d) : RP_OK;
}
