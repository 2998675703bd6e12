/* memo — see memo.h. The key is the chart's fields written out one by one
 * (never a struct's padding), strings with their lengths; entries hash
 * into a fixed table and compare their whole key. */
#include "charts/memo.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/mem.h"
#include "charts/draw.h"
#include "charts/map.h"

enum { BUCKETS = 256 };

typedef struct entry {
  struct entry *next;
  uint64_t hash;
  unsigned char *key;
  size_t key_len;
  rp_item *items; /* as drawn; text and path ops in the memo's arena */
  size_t n_items;
} entry;

typedef struct job job;

struct rp_chart_memo {
  rp_arena *a;
  entry *buckets[BUCKETS];
  size_t draws, hits, later;
  bool keep; /* new drawings are kept (rp_chart_memo_keep) */
  /* drawing on the worker (rp_charts_draw_memo_later) */
  rp_chart_worker *w;
  rp_diag *d;            /* the layout's (rp_chart_memo_begin) */
  const rp_fontset *src; /* the fontset `copy` is of */
  rp_fontset *copy;      /* the worker's faces */
  job *jobs, **tail;     /* handed over, in order, not yet collected */
  rp_status failed;      /* the first job settled that failed */
  unsigned tokens;       /* the last given a held drawing */
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

static rp_status drain(rp_chart_memo *m, rp_status st);
static rp_status settle_to(rp_chart_memo *m, const struct job *upto);
static void prune(rp_chart_memo *m, bool all);

void rp_chart_memo_free(rp_chart_memo *m) {
  if (!m) return;
  drain(m, RP_OK); /* none left, normally: the layout collected them */
  rp_fontset_copy_free(m->copy);
  rp_arena_free(m->a);
  rp_mem_free(m);
}

void rp_chart_memo_keep(rp_chart_memo *m, bool on) {
  if (m) m->keep = on;
}

size_t rp_chart_memo_draws(const rp_chart_memo *m) { return m ? m->draws : 0; }
size_t rp_chart_memo_hits(const rp_chart_memo *m) { return m ? m->hits : 0; }
size_t rp_chart_memo_later(const rp_chart_memo *m) { return m ? m->later : 0; }

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

static const entry *find(const rp_chart_memo *m, const key *k, uint64_t h) {
  for (const entry *e = m->buckets[h % BUCKETS]; e; e = e->next)
    if (e->hash == h && e->key_len == k->len && memcmp(e->key, k->p, k->len) == 0) return e;
  return NULL;
}

/* Whether a drawing that recorded into `d` from `before` on said nothing. */
static bool quiet_since(const rp_diag *d, const rp_diag_mark *before) {
  return d->count + d->dropped == before->count + before->dropped && d->errors == before->errors &&
         d->warnings == before->warnings;
}

rp_status rp_charts_draw_memo(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                              const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                              rp_diag *d) {
  if (!m) return rp_charts_draw(a, c, fonts, box, page, d);
  /* drawings handed over before come first (their memo entries, their messages) */
  rp_status st = m->jobs ? settle_to(m, NULL) : RP_OK;
  if (st != RP_OK) return st;
  prune(m, false);
  key k = {0};
  key_of(&k, c, fonts, box);
  if (k.failed) { /* no memo for this one: drawn as without */
    rp_mem_free(k.p);
    m->draws++;
    return rp_charts_draw(a, c, fonts, box, page, d);
  }
  uint64_t h = fnv1a(k.p, k.len);
  const entry *e = find(m, &k, h);
  if (e) {
    rp_mem_free(k.p);
    m->hits++;
    return replay(e, a, box, page, d);
  }
  size_t from = page->items.len;
  rp_diag_mark said = rp_diag_mark_of(d);
  m->draws++;
  st = rp_charts_draw(a, c, fonts, box, page, d);
  /* a drawing that said something draws again, to say it again */
  if (st == RP_OK && m->keep && quiet_since(d, &said)) keep(m, &k, h, page, from);
  rp_mem_free(k.p);
  return st;
}

/* ---- drawing on the worker ---------------------------------------------- */

/* One drawing handed over: made on the layout's thread, drawn on the
 * worker's (a, c, box, fonts in; page, d, st, wanted out), collected on the
 * layout's. */
struct job {
  job *next;       /* the memo's list, in the order handed over */
  job *queued;     /* the worker's queue */
  const job *lead; /* an equal drawing handed over before (none drawn for this one) */
  key k;
  uint64_t h;
  rp_diag_mark mark; /* the layout's diag when the chart was placed */
  rp_arena *a;       /* the chart copied, and what is drawn */
  const rp_chart *c;
  rp_chart_box box;
  const rp_fontset *fonts; /* the worker's copies */
  rp_page page;
  rp_diag d;
  rp_status st;
  bool done;   /* under the worker's mutex */
  bool wanted; /* a face the copies could not measure: drawn again here */
  bool kept;   /* its items are in the memo */
  bool keep;   /* the memo kept drawings when it was placed */
  bool here;   /* drawn on the layout's thread after all (resolve) */
  bool resolved, settled;
  bool lead_gone, lead_kept; /* its lead freed, and whether it was kept */
  /* its items wanted on its page (rp_charts_draw_memo_held) */
  bool place, placed;
  size_t page_ix;
  unsigned token; /* its frame's u.chart.later */
  rp_arena *ia;   /* the page's, where drawing inline would have put them */
};

struct rp_chart_worker {
  pthread_mutex_t mu; /* over the queue, closed and each job's done */
  pthread_cond_t cv;
  job *head, *last;
  bool closed;
  rp_map_ahead *ahead; /* outlines read first (rp_chart_worker_ahead); then this thread's */
};

rp_chart_worker *rp_chart_worker_new(void) {
  rp_chart_worker *w = rp_mem_calloc(1, sizeof *w);
  if (!w) return NULL;
  if (pthread_mutex_init(&w->mu, NULL) != 0) {
    rp_mem_free(w);
    return NULL;
  }
  if (pthread_cond_init(&w->cv, NULL) != 0) {
    pthread_mutex_destroy(&w->mu);
    rp_mem_free(w);
    return NULL;
  }
  return w;
}

void rp_chart_worker_free(rp_chart_worker *w) {
  if (!w) return;
  rp_map_ahead_free(w->ahead);
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  rp_mem_free(w);
}

void rp_chart_worker_close(rp_chart_worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->closed = true;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* The faces a chart's text may be set in (draw.c face_for). */
static int faces_of(const rp_chart *c, int *out) {
  const rp_chart_text *t[3] = {&c->label, &c->value, &c->heading};
  int n = 0;
  for (int i = 0; i < 3; i++) {
    out[n++] = t[i]->font;
    for (int k = 0; k < t[i]->n_fallback && k < RP_FONT_MAX_FALLBACK; k++)
      out[n++] = t[i]->fallback[k];
  }
  return n;
}

void rp_chart_worker_ahead(rp_chart_worker *w, const char *const *outlines, size_t n) {
  if (!w) return;
  rp_map_ahead *x = rp_map_ahead_new(outlines, n);
  pthread_mutex_lock(&w->mu);
  rp_map_ahead_free(w->ahead);
  w->ahead = x;
  pthread_mutex_unlock(&w->mu);
}

size_t rp_chart_worker_ahead_used(const rp_chart_worker *w) {
  return w ? rp_map_ahead_used(w->ahead) : 0;
}

static void draw_job(rp_chart_worker *w, job *j) {
  j->st = rp_charts_draw_ahead(j->a, j->c, j->fonts, &j->box, &j->page, &j->d, w->ahead);
  int faces[3 * (RP_FONT_MAX_FALLBACK + 1)];
  int n = faces_of(j->c, faces);
  for (int i = 0; i < n; i++) j->wanted = j->wanted || rp_fontset_copy_wanted(j->fonts, faces[i]);
}

void rp_chart_worker_serve(rp_chart_worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  rp_map_ahead *x = w->ahead;
  pthread_mutex_unlock(&w->mu);
  /* the outlines first: given, they were named by the layout's maps, and a
   * map asked for meanwhile would read its outline anyway */
  while (rp_map_ahead_next(x)) {
  }
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->head && !w->closed) pthread_cond_wait(&w->cv, &w->mu);
    job *j = w->head;
    if (!j) break; /* closed, nothing left */
    w->head = j->queued;
    if (!w->head) w->last = NULL;
    pthread_mutex_unlock(&w->mu);
    draw_job(w, j);
    pthread_mutex_lock(&w->mu);
    j->done = true;
    pthread_cond_broadcast(&w->cv);
  }
  pthread_mutex_unlock(&w->mu);
}

void rp_chart_memo_serve(rp_chart_memo *m, rp_chart_worker *w) {
  const char *off = getenv("RP_CHARTS_INLINE");
  if (m) m->w = off && *off && strcmp(off, "0") != 0 ? NULL : w;
}

void rp_chart_memo_begin(rp_chart_memo *m, rp_diag *d) {
  if (m) m->d = d;
}

/* ---- the chart copied for the worker: the layout frees a section's
 * blocks once laid out ----------------------------------------------------- */

static bool dup_s(rp_arena *a, const char **s) {
  if (*s) *s = rp_arena_strdup(a, *s);
  return *s != NULL;
}

static bool dup_strings(rp_arena *a, const char ***v, size_t n) {
  if (!*v) return true;
  const char **c = rp_arena_calloc(a, n ? n : 1, sizeof *c);
  if (!c) return false;
  for (size_t i = 0; i < n; i++)
    if ((c[i] = (*v)[i]) && !dup_s(a, &c[i])) return false;
  *v = c;
  return true;
}

static void *dup_mem(rp_arena *a, const void *p, size_t n) {
  if (!p) return NULL;
  void *c = rp_arena_alloc(a, n ? n : 1);
  if (c && n) memcpy(c, p, n);
  return c;
}

#define DUP_ARRAY(a, v, n) ((v) = dup_mem((a), (v), (n) * sizeof *(v)), (v) || !(n))

static rp_chart *chart_copy(rp_arena *a, const rp_chart *from) {
  rp_chart *c = rp_arena_alloc(a, sizeof *c);
  if (!c) return NULL;
  *c = *from;
  bool ok = (!c->title || dup_s(a, &c->title)) && (!c->alt || dup_s(a, &c->alt)) &&
            dup_strings(a, &c->categories, c->n_categories) &&
            dup_strings(a, &c->displays, c->n_categories) && (!c->unit || dup_s(a, &c->unit)) &&
            (!c->number || dup_s(a, &c->number)) && (!c->centre || dup_s(a, &c->centre)) &&
            (!c->centre_label || dup_s(a, &c->centre_label)) &&
            (!c->delta_display || dup_s(a, &c->delta_display)) &&
            (!c->delta_compared || dup_s(a, &c->delta_compared)) &&
            (!c->outline_path || dup_s(a, &c->outline_path));
  if (ok && c->series && !DUP_ARRAY(a, c->series, c->n_series)) ok = false;
  for (size_t i = 0; ok && c->series && i < c->n_series; i++) {
    rp_chart_series *s = &c->series[i];
    ok = (!s->name || dup_s(a, &s->name)) &&
         (!s->values || DUP_ARRAY(a, s->values, c->n_categories));
  }
  if (ok && c->events && !DUP_ARRAY(a, c->events, c->n_events)) ok = false;
  for (size_t i = 0; ok && c->events && i < c->n_events; i++)
    ok = !c->events[i].label || dup_s(a, &c->events[i].label);
  if (ok && c->points && !DUP_ARRAY(a, c->points, c->n_points)) ok = false;
  for (size_t i = 0; ok && c->points && i < c->n_points; i++)
    ok = (!c->points[i].name || dup_s(a, &c->points[i].name)) &&
         (!c->points[i].kind || dup_s(a, &c->points[i].kind));
  if (ok && c->keys && !DUP_ARRAY(a, c->keys, c->n_keys)) ok = false;
  for (size_t i = 0; ok && c->keys && i < c->n_keys; i++)
    ok = (!c->keys[i].id || dup_s(a, &c->keys[i].id)) &&
         (!c->keys[i].label || dup_s(a, &c->keys[i].label));
  if (ok && c->palette && !DUP_ARRAY(a, c->palette, c->n_palette)) ok = false;
  return ok ? c : NULL;
}

static bool src_copy(rp_arena *a, rp_src *s) {
  return (!s->layout_file || dup_s(a, &s->layout_file)) &&
         (!s->content_file || dup_s(a, &s->content_file));
}

static void job_free(job *j) {
  rp_mem_free(j->k.p);
  rp_diag_fini(&j->d);
  rp_arena_free(j->a);
  rp_mem_free(j);
}

static void wait_done(rp_chart_worker *w, job *j) {
  pthread_mutex_lock(&w->mu);
  while (!j->done) pthread_cond_wait(&w->cv, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

static void diag_like(rp_diag *to, const rp_diag *d) {
  rp_diag_init(to);
  to->strict = d->strict;
  to->max_entries = d->max_entries;
  to->preflight = d->preflight;
}

static bool has_lead(const job *j) { return j->lead || j->lead_gone; }
static bool lead_kept(const job *j) { return j->lead ? j->lead->kept : j->lead_kept; }

/* Job j drawn: waited for, or drawn here when the worker could not (a face
 * its copies could not measure) or made none (an equal one before). */
static void resolve(rp_chart_memo *m, job *j) {
  if (j->resolved) return;
  j->resolved = true;
  wait_done(m->w, j);
  if (lead_kept(j)) return;       /* the equal one before was kept: a copy */
  if (has_lead(j) || j->wanted) { /* drawn here, as it would have been */
    rp_diag_fini(&j->d);
    diag_like(&j->d, m->d);
    j->page = (rp_page){0};
    j->st = rp_charts_draw(j->a, j->c, m->src, &j->box, &j->page, &j->d);
    j->here = true;
  }
}

/* What drawing job j where it was placed makes: its memo entry and counts,
 * its messages in the layout's diag at its mark (`rest`, the jobs after
 * it, have theirs moved accordingly); returns its status. */
static rp_status settle_job(rp_chart_memo *m, job *j, job *rest) {
  resolve(m, j);
  if (lead_kept(j)) {
    m->hits++;
    return RP_OK;
  }
  if (!j->here) m->later++;
  m->draws++;
  rp_diag_mark none = {0};
  if (j->st == RP_OK && quiet_since(&j->d, &none)) {
    if (j->keep) j->kept = keep(m, &j->k, j->h, &j->page, 0);
    return RP_OK;
  }
  rp_diag_mark said = rp_diag_mark_of(&j->d);
  if (j->st != RP_OK) { /* the layout would have stopped here */
    rp_diag_insert(m->d, &j->mark, &j->d, true);
    return j->st;
  }
  size_t added = rp_diag_insert(m->d, &j->mark, &j->d, false);
  for (job *l = rest; l; l = l->next) rp_diag_mark_moved(&l->mark, m->d, &j->mark, &said, added);
  return RP_OK;
}

/* The jobs settled in order through `upto` (NULL: all); after one that
 * failed the rest are only waited for (the layout stopped at it). Returns
 * the failure's status, or RP_OK. */
static rp_status settle_to(rp_chart_memo *m, const job *upto) {
  for (job *j = m->jobs; j; j = j->next) {
    if (!j->settled) {
      j->settled = true;
      if (m->failed == RP_OK) m->failed = settle_job(m, j, j->next);
    }
    if (j == upto) break;
  }
  return m->failed;
}

/* Frees the jobs done with: settled, their items placed or not wanted
 * (`all`: every one, their items dropped). */
static void prune(rp_chart_memo *m, bool all) {
  for (job **pj = &m->jobs; *pj;) {
    job *j = *pj;
    if (!all && !(j->settled && (!j->place || j->placed))) {
      pj = &j->next;
      continue;
    }
    wait_done(m->w, j); /* not left drawing */
    for (job *l = j->next; l; l = l->next)
      if (l->lead == j) l->lead = NULL, l->lead_gone = true, l->lead_kept = j->kept;
    *pj = j->next;
    job_free(j);
  }
  m->tail = &m->jobs;
  while (*m->tail) m->tail = &(*m->tail)->next;
}

/* Every job collected, in order, then freed. */
static rp_status drain(rp_chart_memo *m, rp_status st) {
  rp_status js = settle_to(m, NULL);
  prune(m, true);
  m->failed = RP_OK;
  /* the worker idle (every job drawn): what its faces kerned, kept here,
   * for the render that draws these charts' text */
  if (m->copy) rp_fontset_copy_merge(m->copy, m->src);
  return st == RP_OK ? js : st;
}

rp_status rp_chart_memo_collect(rp_chart_memo *m, rp_status st) {
  if (!m) return st;
  if (m->jobs) st = drain(m, st);
  m->d = NULL;
  return st;
}

bool rp_chart_memo_pending(const rp_chart_memo *m) { return m && m->jobs; }

/* Job j's items put into its page, after its frame (the chart item marked
 * with its token), as drawing there would have put them; none when the
 * frame is gone (its placement undone). The page's arena takes j's. */
static bool splice(job *j, rp_page *pages, size_t n_pages) {
  if (j->page_ix >= n_pages) return true;
  rp_page *pg = &pages[j->page_ix];
  rp_item *base = pg->items.data;
  size_t at = 0;
  while (at < pg->items.len &&
         !(base[at].kind == RP_ITEM_CHART && base[at].u.chart.later == j->token))
    at++;
  if (at == pg->items.len) return true;
  base[at].u.chart.later = 0;
  /* made an artifact since (layout/flow.c rp_flow_make_artifacts): so too
   * the items drawn in it */
  bool artifact = base[at].role == RP_ROLE_ARTIFACT;
  size_t n = j->page.items.len, len = pg->items.len;
  for (size_t i = 0; i < n; i++)
    if (!rp_page_add(j->ia, pg, RP_ITEM_PATH)) {
      pg->items.len = len;
      return false;
    }
  base = pg->items.data;
  memmove(&base[at + 1 + n], &base[at + 1], (len - at - 1) * sizeof *base);
  memcpy(&base[at + 1], j->page.items.data, n * sizeof *base);
  for (size_t i = 0; artifact && i < n; i++) {
    rp_item *it = &base[at + 1 + i];
    if (it->kind == RP_ITEM_BOOKMARK || it->kind == RP_ITEM_LINK) continue;
    it->role = RP_ROLE_ARTIFACT;
    it->struct_id = it->parent_id = 0;
  }
  /* what the items point at lives as long as the page */
  rp_arena_adopt(j->ia, j->a);
  j->a = NULL;
  j->page = (rp_page){0};
  return true;
}

rp_status rp_chart_memo_place(rp_chart_memo *m, rp_page *pages, size_t n_pages, size_t upto) {
  if (!m || !m->jobs) return RP_OK;
  const job *last = NULL;
  for (const job *j = m->jobs; j; j = j->next)
    if (j->place && !j->placed && j->page_ix <= upto) last = j;
  if (!last) return RP_OK;
  rp_status st = settle_to(m, last);
  for (job *j = m->jobs; j && st == RP_OK; j = j->next) {
    if (!j->place || j->placed || j->page_ix > upto) continue;
    j->placed = true;
    if (j->st == RP_OK && !splice(j, pages, n_pages)) st = rp_diag_oom(m->d);
  }
  prune(m, false);
  return st;
}

/* The job for chart c in box, its key taken over; NULL when out of memory
 * (nothing taken). */
static job *job_new(rp_chart_memo *m, key *k, uint64_t h, const rp_chart *c,
                    const rp_fontset *fonts, const rp_chart_box *box, rp_diag *d) {
  if (!m->copy || m->src != fonts) {
    if (m->copy) return NULL; /* another fontset: not this worker's */
    m->copy = rp_fontset_copy_new(fonts);
    if (!m->copy) return NULL;
    m->src = fonts;
  }
  int faces[3 * (RP_FONT_MAX_FALLBACK + 1)];
  int n = faces_of(c, faces);
  for (int i = 0; i < n; i++)
    if (!rp_fontset_copy_face(m->copy, fonts, faces[i])) return NULL;
  job *j = rp_mem_calloc(1, sizeof *j);
  rp_arena *a = j ? rp_arena_new() : NULL;
  rp_chart *cc = a ? chart_copy(a, c) : NULL;
  rp_chart_box b = *box;
  if (!cc || !src_copy(a, &b.src)) {
    rp_arena_free(a);
    rp_mem_free(j);
    return NULL;
  }
  *j = (job){
      .k = *k, .h = h, .mark = rp_diag_mark_of(d), .a = a, .c = cc, .box = b, .fonts = m->copy};
  diag_like(&j->d, d);
  *k = (key){0};
  return j;
}

/* Chart c handed to the worker (a job at the end of the memo's list), or
 * drawn as rp_charts_draw_memo would; `held`: its items wanted on page
 * `page_ix`, *token set when handed over. */
static rp_status hand_over(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                           const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                           rp_diag *d, bool held, size_t page_ix, unsigned *token) {
  if (!m || !m->w || (!held && !m->keep) || d != m->d || d->strict ||
      rp_limit_given(RP_LIMIT_ITEMS) || rp_mem_faults_armed())
    return rp_charts_draw_memo(m, a, c, fonts, box, page, d);
  key k = {0};
  key_of(&k, c, fonts, box);
  if (k.failed) {
    rp_mem_free(k.p);
    return rp_charts_draw_memo(m, a, c, fonts, box, page, d);
  }
  uint64_t h = fnv1a(k.p, k.len);
  const entry *e = find(m, &k, h);
  if (e) { /* copied, as rp_charts_draw_memo would */
    rp_mem_free(k.p);
    m->hits++;
    return replay(e, a, box, page, d);
  }
  const job *lead = NULL;
  for (const job *o = m->jobs; o && !lead; o = o->next)
    if (!has_lead(o) && o->h == h && o->k.len == k.len && memcmp(o->k.p, k.p, k.len) == 0) lead = o;
  /* a held one equal to one handed over: drawn here once that one is in */
  job *j = lead && held ? NULL : job_new(m, &k, h, c, fonts, box, d);
  if (!j) {
    rp_mem_free(k.p);
    return rp_charts_draw_memo(m, a, c, fonts, box, page, d);
  }
  j->lead = lead;
  j->keep = m->keep;
  if (held) {
    j->place = true;
    j->page_ix = page_ix;
    j->ia = a;
    j->token = *token = ++m->tokens ? m->tokens : ++m->tokens; /* never 0 */
  }
  if (!m->tail) m->tail = &m->jobs;
  *m->tail = j;
  m->tail = &j->next;
  if (lead) {
    j->done = true;
    return RP_OK;
  }
  rp_chart_worker *w = m->w;
  pthread_mutex_lock(&w->mu);
  if (w->last)
    w->last->queued = j;
  else
    w->head = j;
  w->last = j;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return RP_OK;
}

rp_status rp_charts_draw_memo_later(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                                    const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                                    rp_diag *d) {
  return hand_over(m, a, c, fonts, box, page, d, false, 0, NULL);
}

rp_status rp_charts_draw_memo_held(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                                   const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                                   size_t page_ix, rp_diag *d, unsigned *token) {
  *token = 0;
  return hand_over(m, a, c, fonts, box, page, d, true, page_ix, token);
}
