/* map_labels — places map labels greedily, in the caller's order (the most
 * crowded first): each label tries the eight positions around its marker,
 * then free space joined to the marker by a leader line. What a label may
 * not cover: another label, any marker, any leader, the caller's rectangles,
 * and anything outside the bounds. */
#include <math.h>

#include "charts/map.h"

#define PAD 1.0   /* pt kept clear around labels */
#define MGAP 1.5  /* pt between a marker and its adjacent label */
#define ANGLES 16 /* directions tried for a leader */

typedef struct seg {
  double x0, y0, x1, y1;
} seg;

typedef struct state {
  const rp_map_label *l;
  size_t n;
  const rp_map_rect *avoid;
  size_t n_avoid;
  rp_map_rect bounds;
  rp_map_rect *placed; /* placed label blocks (grown by PAD) */
  size_t n_placed;
  seg *leaders;
  size_t n_leaders;
  rp_arena *scratch;
  rp_map_rect *keep_off; /* each marker's rect, grown by PAD (labels keep off) */
  rp_map_rect *cross;    /* each marker's rect, grown by half a point (leaders) */
  rp_map_dirs *dirs;     /* each ring's directions, worked out once */
} state;

static bool overlap(rp_map_rect a, rp_map_rect b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static rp_map_rect marker_rect(const rp_map_label *m, double pad) {
  return (rp_map_rect){m->mx - m->mr - pad, m->my - m->mr - pad, m->mx + m->mr + pad,
                       m->my + m->mr + pad};
}

/* Liang–Barsky: does the segment touch the rectangle? */
static bool seg_hits_rect(seg s, rp_map_rect r) {
  double t0 = 0, t1 = 1, dx = s.x1 - s.x0, dy = s.y1 - s.y0;
  double p[4] = {-dx, dx, -dy, dy};
  double q[4] = {s.x0 - r.x0, r.x1 - s.x0, s.y0 - r.y0, r.y1 - s.y0};
  for (int i = 0; i < 4; i++) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
    } else {
      double t = q[i] / p[i];
      if (p[i] < 0) {
        if (t > t1) return false;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return false;
        if (t < t1) t1 = t;
      }
    }
  }
  return true;
}

static double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

static bool segs_cross(seg a, seg b) {
  double d1 = cross(a.x1 - a.x0, a.y1 - a.y0, b.x0 - a.x0, b.y0 - a.y0);
  double d2 = cross(a.x1 - a.x0, a.y1 - a.y0, b.x1 - a.x0, b.y1 - a.y0);
  double d3 = cross(b.x1 - b.x0, b.y1 - b.y0, a.x0 - b.x0, a.y0 - b.y0);
  double d4 = cross(b.x1 - b.x0, b.y1 - b.y0, a.x1 - b.x0, a.y1 - b.y0);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

/* Is the block free for label `self`? */
static bool free_rect(const state *s, rp_map_rect r) {
  const rp_map_rect b = s->bounds;
  if (r.x0 < b.x0 || r.y0 < b.y0 || r.x1 > b.x1 || r.y1 > b.y1) return false;
  rp_map_rect g = {r.x0 - PAD, r.y0 - PAD, r.x1 + PAD, r.y1 + PAD};
  for (size_t i = 0; i < s->n_placed; i++)
    if (overlap(g, s->placed[i])) return false;
  for (size_t i = 0; i < s->n; i++)
    if (overlap(r, s->keep_off[i])) return false;
  for (size_t i = 0; i < s->n_avoid; i++)
    if (overlap(r, s->avoid[i])) return false;
  for (size_t i = 0; i < s->n_leaders; i++)
    if (seg_hits_rect(s->leaders[i], g)) return false;
  return true;
}

/* Is the leader from marker `self` free of labels, other markers, other leaders? */
static bool free_leader(const state *s, size_t self, seg ld) {
  for (size_t i = 0; i < s->n_placed; i++)
    if (seg_hits_rect(ld, s->placed[i])) return false;
  for (size_t i = 0; i < s->n; i++)
    if (i != self && seg_hits_rect(ld, s->cross[i])) return false;
  for (size_t i = 0; i < s->n_avoid; i++)
    if (seg_hits_rect(ld, s->avoid[i])) return false;
  for (size_t i = 0; i < s->n_leaders; i++)
    if (segs_cross(ld, s->leaders[i])) return false;
  return true;
}

void rp_map_label_attach(const rp_map_label *l, double *x, double *y) {
  *x = fmin(fmax(l->mx, l->x), l->x + l->w);
  *y = fmin(fmax(l->my, l->y), l->y + l->h);
}

static void accept(state *s, rp_map_label *l, double x, double y, bool leader) {
  l->x = x, l->y = y, l->placed = true, l->leader = leader;
  s->placed[s->n_placed++] = (rp_map_rect){x - PAD, y - PAD, x + l->w + PAD, y + l->h + PAD};
  if (leader) {
    double ax, ay;
    rp_map_label_attach(l, &ax, &ay);
    double dx = ax - l->mx, dy = ay - l->my, len = hypot(dx, dy);
    s->leaders[s->n_leaders++] = (seg){l->mx + dx / len * l->mr, l->my + dy / len * l->mr, ax, ay};
  }
}

/* The eight positions around the marker, right first (how maps are read). */
static bool place_adjacent(state *s, rp_map_label *l) {
  double r = l->mr + MGAP, d = (l->mr * 0.7071) + MGAP * 0.5, w = l->w, h = l->h;
  double mx = l->mx, my = l->my;
  const double pos[8][2] = {
      {mx + r, my - h / 2},     {mx - r - w, my - h / 2}, {mx + d, my - d - h},
      {mx + d, my + d},         {mx - w / 2, my - r - h}, {mx - w / 2, my + r},
      {mx - d - w, my - d - h}, {mx - d - w, my + d},
  };
  for (int i = 0; i < 8; i++) {
    rp_map_rect rc = {pos[i][0], pos[i][1], pos[i][0] + w, pos[i][1] + h};
    if (free_rect(s, rc)) {
      accept(s, l, pos[i][0], pos[i][1], false);
      return true;
    }
  }
  return false;
}

/* Free space on rings (flattened: sideways counts less than up or down)
 * around the marker, nearest first and, on each ring,
 * beside the marker before above or below it; the block is set so that its
 * side facing the marker is where the leader ends. */
static bool place_leader(state *s, size_t self, rp_map_label *l) {
  rp_map_rect b = s->bounds;
  double reach = fmin(hypot(b.x1 - b.x0, b.y1 - b.y0) * 0.6, l->reach);
  double step = fmax(l->h * 0.4, 2.0);
  /* Far out, rings spread and thin out, so the search stays bounded however
   * large the map (a 14400 pt page, a list allowed to go anywhere: tens of
   * millions of places tried per label before; found by fuzz_chart). */
  for (double dist = l->mr + 6; dist <= reach; dist += fmax(step, dist / 16)) {
    /* points on the ring half a line apart (3 pt at least), in pairs mirrored about the
     * horizontal, nearest the horizontal first (right, then left) */
    int half = (int)fmin(RP_MAP_RING_POINTS, ceil(M_PI * dist / fmax(3.0, l->h * 0.5)));
    double *dir = half >= 1 ? s->dirs->of[half] : NULL;
    if (half >= 1 && !dir && (dir = rp_arena_alloc(s->scratch, 8 * (half + 1) * sizeof *dir))) {
      for (int i = 0; i < 4 * (half + 1); i++) dir[2 * i] = NAN; /* not worked out yet */
      s->dirs->of[half] = dir;
    }
    for (int k = 0; k <= half; k++) {
      for (int side = 0; side < 4; side++) {
        if ((k == 0 || k == half) && (side & 1)) continue;
        double v[2], *cs = dir ? &dir[2 * (4 * k + side)] : v;
        if (cs == v || isnan(cs[0])) {
          double th = M_PI * k / half;
          if (side & 1) th = -th;
          if (side & 2) th = M_PI - th;
          cs[0] = cos(th), cs[1] = sin(th);
        }
        double c = cs[0], sn = cs[1];
        /* an ellipse, flatter than a circle: horizontal leaders first */
        double ex = l->mx + c * dist, ey = l->my + sn * dist / 1.6;
        double x, y;
        if (c > 0.3)
          x = ex, y = ey - l->h / 2;
        else if (c < -0.3)
          x = ex - l->w, y = ey - l->h / 2;
        else if (sn < 0)
          x = ex - l->w / 2, y = ey - l->h;
        else
          x = ex - l->w / 2, y = ey;
        rp_map_rect rc = {x, y, x + l->w, y + l->h};
        if (!free_rect(s, rc)) continue;
        rp_map_label t = *l;
        t.x = x, t.y = y;
        double ax, ay;
        rp_map_label_attach(&t, &ax, &ay);
        double dx = ax - l->mx, dy = ay - l->my, len = hypot(dx, dy);
        if (len <= l->mr) continue;
        seg ld = {l->mx + dx / len * l->mr, l->my + dy / len * l->mr, ax, ay};
        if (!free_leader(s, self, ld)) continue;
        accept(s, l, x, y, true);
        return true;
      }
    }
  }
  return false;
}

size_t rp_map_labels_place(rp_arena *scratch, rp_map_dirs *dirs, rp_map_label *l, size_t n,
                           const rp_map_rect *avoid, size_t n_avoid, rp_map_rect bounds) {
  rp_map_dirs own = {{0}};
  state s = {.l = l,
             .n = n,
             .avoid = avoid,
             .n_avoid = n_avoid,
             .bounds = bounds,
             .scratch = scratch,
             .dirs = dirs ? dirs : &own};
  s.placed = rp_arena_calloc(scratch, n + 1, sizeof *s.placed);
  s.leaders = rp_arena_calloc(scratch, n + 1, sizeof *s.leaders);
  s.keep_off = rp_arena_alloc(scratch, (n + 1) * sizeof *s.keep_off);
  s.cross = rp_arena_alloc(scratch, (n + 1) * sizeof *s.cross);
  for (size_t i = 0; i < n; i++) l[i].placed = l[i].leader = false;
  if (!s.placed || !s.leaders || !s.keep_off || !s.cross) return n;
  for (size_t i = 0; i < n; i++) s.keep_off[i] = marker_rect(&l[i], PAD);
  for (size_t i = 0; i < n; i++) s.cross[i] = marker_rect(&l[i], 0.5);
  /* Adjacent places for all first, so that a leader never takes a spot a
   * label could have had beside its own marker; then leaders, lists
   * (blocks three lines tall or more) before single names: they need the
   * most room. */
  double line = INFINITY;
  for (size_t i = 0; i < n; i++) line = fmin(line, l[i].h);
  for (size_t i = 0; i < n; i++) place_adjacent(&s, &l[i]);
  size_t left = 0;
  for (int big = 1; big >= 0; big--)
    for (size_t i = 0; i < n; i++)
      if ((l[i].h >= 3 * line) == big && !l[i].placed && !place_leader(&s, i, &l[i])) left++;
  return left;
}
