/* memo — see memo.h. The key is the chart's fields written out one by one
 * (never a struct's padding), strings with their lengths; entries hash
 * into a fixed table and compare their whole key. */
#include "charts/memo.h"

#include <stdint.h>
#include <string.h>

#include "base/mem.h"

enum { BUCKETS = 256 };

typedef struct entry {
  struct entry *next;
  uint64_t hash;
  unsigned char *key;
  size_t key_len;
  rp_item *items; /* as drawn; text and path ops in the memo's arena */
  size_t n_items;
} entry;

struct rp_chart_memo {
  rp_arena *a;
  entry *buckets[BUCKETS];
  size_t draws, hits;
  bool keep; /* new drawings are kept (rp_chart_memo_keep) */
};

rp_chart_memo *rp_chart_memo_new(void) {
  rp_chart_memo *m = rp_mem_calloc(1, sizeof *m);
  if (m) m->a = rp_arena_new();
  if (m && !m->a) {
    rp_mem_free(m);
    m = NULL;
  }
  return m;
}

void rp_chart_memo_free(rp_chart_memo *m) {
  if (!m) return;
  rp_arena_free(m->a);
  rp_mem_free(m);
}

void rp_chart_memo_keep(rp_chart_memo *m, bool on) {
  if (m) m->keep = on;
}

size_t rp_chart_memo_draws(const rp_chart_memo *m) { return m ? m->draws : 0; }
size_t rp_chart_memo_hits(const rp_chart_memo *m) { return m ? m->hits : 0; }

/* ---- the key ------------------------------------------------------------ */

typedef struct key {
  unsigned char *p;
  size_t len, cap;
  bool failed;
} key;

static void put(key *k, const void *v, size_t n) {
  if (k->failed) return;
  if (k->len + n > k->cap) {
    size_t cap = k->cap ? k->cap * 2 : 1024;
    while (cap < k->len + n) cap *= 2;
    unsigned char *p = rp_mem_realloc(k->p, cap);
    if (!p) {
      k->failed = true;
      return;
    }
    k->p = p;
    k->cap = cap;
  }
  memcpy(k->p + k->len, v, n);
  k->len += n;
}

static void put_z(key *k, size_t v) { put(k, &v, sizeof v); }
static void put_i(key *k, int v) { put(k, &v, sizeof v); }
static void put_d(key *k, double v) { put(k, &v, sizeof v); }

static void put_s(key *k, const char *s) {
  if (!s) {
    put_z(k, SIZE_MAX); /* NULL differs from "" */
    return;
  }
  size_t n = strlen(s);
  put_z(k, n);
  put(k, s, n);
}

static void put_color(key *k, rp_color c) {
  float v[4] = {c.r, c.g, c.b, c.a};
  put(k, v, sizeof v);
}

static void put_text(key *k, const rp_chart_text *t) {
  put_i(k, t->font);
  put_d(k, t->size);
  put_color(k, t->color);
  put_i(k, t->n_fallback);
  for (int i = 0; i < t->n_fallback && i < RP_FONT_MAX_FALLBACK; i++) put_i(k, t->fallback[i]);
}

static void put_strings(key *k, const char *const *v, size_t n) {
  put_z(k, v ? n : SIZE_MAX);
  for (size_t i = 0; v && i < n; i++) put_s(k, v[i]);
}

/* Everything rp_charts_draw reads: the chart, its box (not its structure
 * id or source lines, which the items only carry) and the fontset. */
static void key_of(key *k, const rp_chart *c, const rp_fontset *fonts, const rp_chart_box *b) {
  const void *fs = fonts;
  put(k, &fs, sizeof fs);
  put_d(k, b->x), put_d(k, b->y), put_d(k, b->w), put_d(k, b->h);
  put_i(k, (int)c->kind);
  put_s(k, c->title), put_s(k, c->alt);
  put_strings(k, c->categories, c->n_categories);
  put_strings(k, c->displays, c->n_categories);
  put_z(k, c->n_series);
  for (size_t i = 0; c->series && i < c->n_series; i++) {
    const rp_chart_series *s = &c->series[i];
    put_s(k, s->name);
    put_color(k, s->color);
    put_z(k, s->values ? c->n_categories : SIZE_MAX);
    if (s->values && c->n_categories) put(k, s->values, c->n_categories * sizeof *s->values);
  }
  put_i(k, c->stacked);
  put_s(k, c->unit), put_s(k, c->number), put_s(k, c->centre), put_s(k, c->centre_label);
  put_d(k, c->delta);
  put_s(k, c->delta_display), put_s(k, c->delta_compared);
  put_i(k, c->better);
  put_z(k, c->n_events);
  for (size_t i = 0; c->events && i < c->n_events; i++) {
    put_s(k, c->events[i].label);
    put(k, c->events[i].start, sizeof c->events[i].start);
    put(k, c->events[i].end, sizeof c->events[i].end);
  }
  put_z(k, c->n_points);
  for (size_t i = 0; c->points && i < c->n_points; i++) {
    put_s(k, c->points[i].name), put_s(k, c->points[i].kind);
    put_d(k, c->points[i].lat), put_d(k, c->points[i].lon);
  }
  put_s(k, c->outline_path);
  put_i(k, c->has_inset);
  put(k, c->inset_lat, sizeof c->inset_lat);
  put(k, c->inset_lon, sizeof c->inset_lon);
  put_z(k, c->n_keys);
  for (size_t i = 0; c->keys && i < c->n_keys; i++) {
    put_s(k, c->keys[i].id), put_s(k, c->keys[i].label);
    put_color(k, c->keys[i].color);
  }
  put_z(k, c->n_palette);
  for (size_t i = 0; c->palette && i < c->n_palette; i++) put_color(k, c->palette[i]);
  put_text(k, &c->label), put_text(k, &c->value), put_text(k, &c->heading);
  put_color(k, c->axis), put_color(k, c->grid), put_color(k, c->background);
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211u;
  return h;
}

/* ---- items -------------------------------------------------------------- */

/* Gives item `it` text and path ops of its own in `a`. */
static bool own_parts(rp_arena *a, rp_item *it) {
  if (it->kind == RP_ITEM_TEXT && it->u.text.text) {
    it->u.text.text = rp_arena_strdup(a, it->u.text.text);
    return it->u.text.text != NULL;
  }
  if (it->kind == RP_ITEM_PATH && it->u.path.n_ops) {
    size_t n = it->u.path.n_ops * sizeof *it->u.path.ops;
    rp_path_op *ops = rp_arena_alloc(a, n);
    if (!ops) return false;
    memcpy(ops, it->u.path.ops, n);
    it->u.path.ops = ops;
  }
  return true;
}

static rp_status replay(const entry *e, rp_arena *a, const rp_chart_box *box, rp_page *page,
                        rp_diag *d) {
  for (size_t i = 0; i < e->n_items; i++) {
    rp_item *it = rp_page_add(a, page, e->items[i].kind);
    if (!it) return rp_diag_oom(d);
    *it = e->items[i];
    it->parent_id = box->struct_id;
    it->src = box->src;
    if (!own_parts(a, it)) return rp_diag_oom(d);
  }
  return RP_OK;
}

/* Keeps the items drawn from `from` on, under key k (taken over); false
 * when the memo is full or out of memory (nothing kept, the key freed). */
static bool keep(rp_chart_memo *m, key *k, uint64_t h, const rp_page *page, size_t from) {
  size_t n = page->items.len - from;
  if (rp_arena_used(m->a) + k->len + n * sizeof(rp_item) > RP_CHART_MEMO_BYTES) return false;
  entry *e = rp_arena_calloc(m->a, 1, sizeof *e);
  rp_item *items = n ? rp_arena_alloc(m->a, n * sizeof *items) : NULL;
  unsigned char *kp = rp_arena_alloc(m->a, k->len ? k->len : 1);
  if (!e || (n && !items) || !kp) return false;
  memcpy(kp, k->p, k->len);
  for (size_t i = 0; i < n; i++) {
    items[i] = RP_VEC_AT(page->items, rp_item, from + i);
    if (!own_parts(m->a, &items[i])) return false;
  }
  *e = (entry){m->buckets[h % BUCKETS], h, kp, k->len, items, n};
  m->buckets[h % BUCKETS] = e;
  return true;
}

rp_status rp_charts_draw_memo(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                              const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                              rp_diag *d) {
  if (!m) return rp_charts_draw(a, c, fonts, box, page, d);
  key k = {0};
  key_of(&k, c, fonts, box);
  if (k.failed) { /* no memo for this one: drawn as without */
    rp_mem_free(k.p);
    m->draws++;
    return rp_charts_draw(a, c, fonts, box, page, d);
  }
  uint64_t h = fnv1a(k.p, k.len);
  for (const entry *e = m->buckets[h % BUCKETS]; e; e = e->next)
    if (e->hash == h && e->key_len == k.len && memcmp(e->key, k.p, k.len) == 0) {
      rp_mem_free(k.p);
      m->hits++;
      return replay(e, a, box, page, d);
    }
  size_t from = page->items.len;
  size_t said = d->count + d->dropped, errors = d->errors, warnings = d->warnings;
  m->draws++;
  rp_status st = rp_charts_draw(a, c, fonts, box, page, d);
  /* a drawing that said something draws again, to say it again */
  if (st == RP_OK && m->keep && d->count + d->dropped == said && d->errors == errors &&
      d->warnings == warnings)
    keep(m, &k, h, page, from);
  rp_mem_free(k.p);
  return st;
}
