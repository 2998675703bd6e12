/* pipeline — see pipeline.h. */
#include "pipeline/pipeline.h"
#include "base/limits.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/outfile.h"
#include "base/xml.h"
#include "model/content.h"
#include "pipeline/preflight.h"
#include "render/probe.h"
#include "render/render.h"
#include "template/def.h" /* rp_asset_resolve */
#include "template/project.h"
#include "template/template.h"

/* The first error's status, once a stage has returned RP_OK: under --strict
 * a warning recorded by the stage is an error and stops the run. */
static rp_status settle(rp_status st, const rp_diag *d) {
  return st == RP_OK ? rp_diag_status(d) : st;
}

static void diag_like(rp_diag *to, const rp_diag *d) {
  rp_diag_init(to);
  to->strict = d->strict;
  to->max_entries = d->max_entries;
  to->preflight = d->preflight;
}

static rp_status hook(const rp_pipeline_opts *o, rp_pipeline_stage stage, rp_diag *d) {
  return o->hook ? o->hook(o->hook_user, stage, d) : RP_OK;
}

/* Progress (o->progress): layout calls laid_out as each page is begun, with
 * the count starting again at 1 for each layout pass; render calls written
 * after each page. */
typedef struct progress_state {
  const rp_pipeline_opts *o;
  int pass;
  size_t seen, total; /* pages of this pass so far; of the previous pass */
} progress_state;

static void laid_out(void *user, size_t pages) {
  progress_state *ps = user;
  if (pages == 1) { /* a new pass: the last one's length is the best guess */
    ps->pass++;
    ps->total = ps->seen;
  }
  ps->seen = pages;
  rp_progress pr = {RP_PROGRESS_LAYOUT, pages, ps->total, ps->pass};
  ps->o->progress(ps->o->progress_user, &pr);
}

static void written(void *user, size_t done, size_t total) {
  const rp_pipeline_opts *o = user;
  rp_progress pr = {RP_PROGRESS_WRITE, done, total, 0};
  o->progress(o->progress_user, &pr);
}

static rp_status dump_to(const rp_layout_doc *doc, const char *path, rp_diag *d) {
  rp_outfile of;
  FILE *f = rp_outfile_stream(&of, path, "layout dump", d);
  if (!f) return rp_diag_status(d) != RP_OK ? rp_diag_status(d) : RP_ERR_INPUT;
  /* A write that failed inside stdio (disk full) leaves only the stream's
   * error flag, which rp_layout_dump reports by its status: fclose reports
   * just the last flush. The stream owns the descriptor, so outfile cannot
   * sync it: that is done here. */
  errno = 0;
  bool failed = rp_layout_dump(doc, f) != RP_OK;
  int err = errno;
  if (!failed && (fflush(f) != 0 || (fsync(fileno(f)) != 0 && errno != EINVAL))) {
    failed = true;
    err = errno;
  }
  if (fclose(f) != 0 && !failed) {
    failed = true;
    err = errno;
  }
  if (!failed) return rp_outfile_commit(&of, d);
  rp_outfile_abort(&of);
  return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                       "cannot write the layout dump: %s; check that the disk has room and the "
                       "folder is writable",
                       strerror(err ? err : EIO));
}

/* Writes the preflight report of a run that ended with `st`; returns the
 * run's status, or the report's failure. */
static rp_status preflight(const rp_pipeline_opts *o, const rp_pipeline_result *out,
                           const rp_layout_doc *pages, rp_status st, rp_diag *d) {
  rp_preflight_place(pages, d);
  rp_preflight_run run = {o->content, out->layout_path, pages ? pages->pages.len : 0, st};
  rp_status w = rp_preflight_write(o->preflight, &run, d);
  return st != RP_OK ? st : w;
}

/* The print settings of this run: the layout's, as the options change them. */
static rp_print print_of(const rp_pipeline_opts *o, const rp_layout_def *l) {
  rp_print pr = rp_layout_def_print(l);
  pr.on = o->for_print;
  if (o->bleed_set) pr.bleed = o->bleed;
  if (o->crop_marks) pr.crop_marks = o->crop_marks > 0;
  return pr;
}

/* The PDF at `path`, and the preflight report (*reported) before the PDF is
 * renamed into place: a report that cannot be written keeps the earlier PDF
 * too. */
static rp_render_opts render_opts(const rp_pipeline_opts *o, const rp_layout_def *l,
                                  const char *path, const rp_image_probe *probe) {
  return (rp_render_opts){.source_date_epoch = o->source_date_epoch,
                          .probe = probe,
                          .chart_dpi = o->chart_dpi,
                          .print = print_of(o, l),
                          .out_name = path,
                          .page = o->progress ? written : NULL,
                          .page_user = (void *)o,
                          .leave_memory = o->leave_memory};
}

static rp_status write_pdf(const rp_pipeline_opts *o, const rp_layout_def *l, const char *path,
                           const rp_image_probe *probe, rp_render_early *early,
                           const rp_pipeline_result *out, const rp_layout_doc *pages, rp_diag *d,
                           bool *reported) {
  rp_outfile of = {.fd = -1};
  rp_status st = rp_outfile_open(&of, path, d);
  if (st != RP_OK) return st;
  rp_render_opts ro = render_opts(o, l, path, probe);
  ro.early = early;
  st = settle(rp_render_pdf(pages, &ro, of.tmp_path, d), d);
  if (st == RP_OK) st = hook(o, RP_PIPELINE_RENDERED, d);
  if (st == RP_OK && o->preflight) {
    *reported = true;
    st = preflight(o, out, pages, RP_OK, d);
  }
  if (st == RP_OK) return rp_outfile_commit(&of, d);
  rp_outfile_abort(&of);
  return st;
}

/* Streaming (layout.h page_done): the final layout hands each page on as
 * soon as nothing can change it, render draws it and layout frees it, so
 * that a long document never holds all its pages. The PDF's temporary is
 * opened and render begun with the first page; an error after that aborts
 * both (the earlier PDF stays as it was). A pass that only measures (the
 * first of a layout with page references) hands its pages to no render.
 * A short document — within HOLD_BYTES of items — is not streamed: layout
 * keeps it whole and it is drawn whole, as without streaming, with no
 * further layout pass (render subsets fonts to the characters the whole
 * document draws; a streamed PDF embeds every character a face covers). */
#define HOLD_BYTES (8u << 20)

typedef struct stream {
  const rp_pipeline_opts *o;
  const rp_layout_def *l;
  rp_diag *d;
  bool draw; /* false: a pass that only measures */
  rp_outfile of;
  rp_render_opts ro;
  rp_render *r;                /* begun with the first page handed on, or NULL */
  size_t pages, items;         /* handed on in this pass */
  const rp_image_probe *probe; /* layout's: the SVGs it read, drawn from there */
  rp_render_early *early;      /* the document made while layout runs, or NULL */
} stream;

static rp_render_opts render_opts(const rp_pipeline_opts *o, const rp_layout_def *l,
                                  const char *path, const rp_image_probe *probe);

static rp_status stream_page(void *user, const rp_layout_doc *doc, size_t index) {
  stream *s = user;
  s->pages = index + 1;
  s->items += RP_VEC_AT(doc->pages, rp_page, index).items.len;
  if (s->pages > rp_limit(RP_LIMIT_PAGES))
    return rp_limit_exceeded(s->d, RP_LIMIT_PAGES, NULL, 0, s->pages, "pages");
  if (s->items > rp_limit(RP_LIMIT_ITEMS))
    return rp_limit_exceeded(s->d, RP_LIMIT_ITEMS, NULL, 0, s->items, "positioned items");
  if (!s->draw) return RP_OK;
  if (!s->r) {
    s->of = (rp_outfile){.fd = -1};
    rp_status st = rp_outfile_open(&s->of, s->o->output, s->d);
    if (st != RP_OK) return st;
    s->ro = render_opts(s->o, s->l, s->o->output, s->probe);
    s->ro.early = s->early;
    st = rp_render_begin(&s->ro, s->of.tmp_path, s->d, &s->r);
    if (st != RP_OK) {
      rp_outfile_abort(&s->of);
      return st;
    }
  }
  return rp_render_page(s->r, doc, index);
}

/* Drops what a pass drew (its layout failed, or is not the last) and its counts. */
static void stream_reset(stream *s) {
  if (s->r) {
    rp_render_abort(s->r);
    rp_outfile_abort(&s->of);
  }
  s->r = NULL;
  s->pages = s->items = 0;
}

/* The streamed PDF finished, saved and renamed into place. */
static rp_status stream_end(stream *s, const rp_layout_doc *doc) {
  rp_render *r = s->r;
  s->r = NULL;
  rp_status st = settle(rp_render_end(r, doc), s->d);
  if (st == RP_OK) st = hook(s->o, RP_PIPELINE_RENDERED, s->d);
  if (st == RP_OK) return rp_outfile_commit(&s->of, s->d);
  rp_outfile_abort(&s->of);
  return st;
}

/* Pages and positioned items against their limits (base/limits.h). */
static rp_status within_limits(const rp_layout_doc *doc, rp_diag *d) {
  size_t items = 0;
  for (size_t i = 0; i < doc->pages.len; i++) items += RP_VEC_AT(doc->pages, rp_page, i).items.len;
  if (doc->pages.len > rp_limit(RP_LIMIT_PAGES))
    return rp_limit_exceeded(d, RP_LIMIT_PAGES, NULL, 0, doc->pages.len, "pages");
  if (items > rp_limit(RP_LIMIT_ITEMS))
    return rp_limit_exceeded(d, RP_LIMIT_ITEMS, NULL, 0, items, "positioned items");
  return RP_OK;
}

static void count(const rp_layout_doc *pages, rp_pipeline_result *out) {
  out->pages += pages->pages.len;
  for (size_t i = 0; i < pages->pages.len; i++)
    out->items += RP_VEC_AT(pages->pages, rp_page, i).items.len;
}

/* --split: each item bound and laid out on its own, all of them before any
 * file is written, then one PDF each. */
static rp_status split(rp_arena *a, const rp_pipeline_opts *o, const rp_layout_def *layout,
                       const rp_content *content, const rp_item_list *items, rp_diag *d,
                       rp_pipeline_result *out) {
  const char **names;
  rp_status st = rp_items_names(a, layout, content, items, o->output, d, &names);
  rp_layout_doc **docs = st == RP_OK ? rp_arena_calloc(a, items->n, sizeof *docs) : NULL;
  if (st == RP_OK && !docs) st = rp_diag_oom(d);
  if (st != RP_OK) return st;
  out->files = names;
  out->n_files = items->n;
  rp_image_probe probe;
  rp_image_probe_init(&probe);
  for (size_t i = 0; i < items->n && st == RP_OK; i++) {
    rp_item_list one = {&items->v[i], 1};
    rp_bind_opts bo = {&one, NULL, NULL, false, NULL};
    rp_bound_doc *bound = NULL;
    st = settle(rp_bind_ex(a, layout, content, &bo, d, &bound), d);
    rp_layout_opts lo = {.probe = rp_image_probe_file, .probe_user = &probe};
    if (st == RP_OK) st = settle(rp_layout_run_ex(a, bound, &lo, d, &docs[i]), d);
    if (st == RP_OK) out->layouts++;
    if (st == RP_OK) st = within_limits(docs[i], d);
    if (st == RP_OK) count(docs[i], out);
  }
  rp_image_probe_fini(&probe);
  if (st == RP_OK) out->doc = docs[0];
  if (st == RP_OK) st = hook(o, RP_PIPELINE_LOADED, d);
  if (st == RP_OK) st = hook(o, RP_PIPELINE_LAID_OUT, d);
  for (size_t i = 0; i < items->n && st == RP_OK; i++) {
    bool reported = false; /* no preflight with --split (rp_pipeline_render) */
    st = write_pdf(o, layout, names[i], NULL, NULL, out, docs[i], d, &reported);
    if (st == RP_OK) out->n_written++;
  }
  return st;
}

/* The page labels where each section with an id starts in `doc`, copied into
 * `a` (the layout they come from may be freed). */
static rp_page_refs *page_refs_of(rp_arena *a, const rp_layout_doc *doc) {
  rp_page_refs *r = rp_arena_alloc(a, sizeof *r);
  size_t n = doc->anchors.len;
  const char **ids = rp_arena_calloc(a, n ? n : 1, sizeof *ids);
  const char **labels = rp_arena_calloc(a, n ? n : 1, sizeof *labels);
  if (!r || !ids || !labels) return NULL;
  for (size_t i = 0; i < n; i++) {
    const rp_anchor *an = &RP_VEC_AT(doc->anchors, rp_anchor, i);
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, an->page);
    ids[i] = rp_arena_strdup(a, an->id);
    labels[i] = pg->label ? rp_arena_strdup(a, pg->label) : rp_arena_printf(a, "%zu", an->page + 1);
    if (!ids[i] || !labels[i]) return NULL;
  }
  *r = (rp_page_refs){ids, labels, n, false, doc->pages.len};
  return r;
}

static bool same_refs(const rp_page_refs *x, const rp_page_refs *y) {
  if (x->n != y->n || x->pages != y->pages) return false;
  for (size_t i = 0; i < x->n; i++)
    if (strcmp(x->ids[i], y->ids[i]) != 0 || strcmp(x->labels[i], y->labels[i]) != 0) return false;
  return true;
}

/* A content file whose tree is worth freeing while its layout is drawn,
 * though a pass dropped must then read it again (about 8 % of a short
 * review's time): one of a megabyte or more, whose tree takes some 7 MB. */
static bool long_content(const rp_content *c) {
  struct stat st;
  return stat(c->path, &st) == 0 && st.st_size >= (off_t)1 << 20;
}

/* Worth projecting (model/projection.h): 128 KiB and more. */
static bool projectable(const char *path) {
  struct stat st;
  return path && stat(path, &st) == 0 && st.st_size >= (off_t)128 << 10;
}

/* The content's tree again, after a streamed layout freed it and was then
 * dropped (settle_page_refs): parsed and validated as at first, its
 * messages, given already, not repeated. */
static rp_status reload_tree(rp_content *c, rp_diag *d) {
  rp_diag quiet;
  rp_diag_init(&quiet);
  rp_arena *ma = rp_arena_new();
  rp_content *fresh = NULL;
  rp_status st = ma ? rp_content_load(ma, c->path, &quiet, &fresh) : RP_ERR_INTERNAL;
  if (st == RP_OK) {
    c->doc = fresh->doc;
    fresh->doc = NULL;
  }
  rp_content_free(fresh);
  rp_arena_free(ma);
  rp_diag_fini(&quiet);
  if (st == RP_OK) return RP_OK;
  if (st == RP_ERR_INTERNAL) return rp_diag_oom(d);
  return rp_diag_error(d, RP_ERR_INPUT, c->path, 0, 0,
                       "the content file changed while it was being rendered; render it again");
}

/* Lazy binding (template.h rp_bind_next): layout asks for each section as
 * it reaches it, so that only the sections being laid out and drawn are
 * bound at a time. A binding that records an error binds the rest, thrown
 * away, so that every problem shows, as binding the whole document did.
 * With drop_tree the content's tree is freed once the runs are all bound
 * (a long document's tree is a large part of its memory); a pass dropped
 * after that reads it again. */
typedef struct lazy {
  rp_binding *bn;
  rp_content *content;
  bool drop_tree;
  bool whole; /* rp_pipeline_opts.bind_whole */
  rp_diag *d;
  /* page() from the layout running (a layout with page references) */
  bool live_on;
  rp_live_refs live;
  const void *run; /* the layout running, while a section's body binds */
  /* a first layout that may be the last: drawn until a page() answer
   * comes from elsewhere, then only measuring (lo, s) */
  bool tentative;
  /* … unless it hands no page on (a short document, held whole): it keeps
   * every page, to be the last when binding again with its own labels
   * binds what it was bound from (confirm_first) */
  bool held;
  bool can_hold; /* the tree stays for that binding (rebinds_same) */
  rp_layout_opts *lo;
  stream *s;
} lazy;

static void lazy_end(lazy *lz) {
  rp_bind_free(lz->bn);
  lz->bn = NULL;
}

/* The content's tree freed once nothing is left to bind (lz->drop_tree):
 * the last section's body may still be given a piece at a time. */
static void drop_tree(lazy *lz) {
  if (!rp_bind_done(lz->bn)) return;
  lazy_end(lz);
  xmlFreeDoc(lz->content->doc);
  lz->content->doc = NULL;
}

static rp_status next_section(void *user, rp_arena *a, const rp_section **out) {
  lazy *lz = user;
  rp_status st = settle(rp_bind_next(lz->bn, a, out), lz->d);
  if (st != RP_OK) {
    *out = NULL;
    rp_bind_rest(lz->bn);
    return st;
  }
  if (!*out && lz->drop_tree) drop_tree(lz);
  return RP_OK;
}

static bool live_label(void *user, const char *id, char *buf, size_t cap) {
  const lazy *lz = user;
  return lz->run && rp_layout_final_label(lz->run, id, buf, cap);
}

/* After a section's body, or a piece of it, bound with `st`: a binding
 * that failed binds the rest (every problem shown); a tentative layout
 * that met a page() answered from no laid-out page only measures. */
static rp_status after_binding(lazy *lz, rp_status st) {
  if (st != RP_OK) {
    rp_bind_rest(lz->bn);
    return st;
  }
  if (lz->tentative && lz->live.others > 0) {
    /* a page() or pages() answered from no laid-out page: this layout is
     * the last only if binding again with its labels proves it; another
     * may follow, for which it measures, drawing nothing */
    lz->tentative = false;
    rp_layout_chart_memo_keep(lz->lo->chart_memo, true);
    lz->lo->keep_lines = true;
    lz->s->draw = false;
    /* nothing handed on yet: held whole so far, it goes on holding (a
     * document past hold_bytes then streams, only counting); one that has
     * begun streaming only measures from here, as a first layout did */
    lz->held = lz->can_hold && lz->s->pages == 0;
    if (!lz->held) {
      lz->lo->hold_bytes = 0;
      lz->lo->defer_pages = false;
    }
    if (lz->s->r) {
      rp_render_abort(lz->s->r);
      rp_outfile_abort(&lz->s->of);
      lz->s->r = NULL;
    }
  }
  return RP_OK;
}

static rp_status section_body(void *user, const rp_section *sec, const void *run) {
  lazy *lz = user;
  lz->run = run;
  rp_status st = settle(rp_bind_body(lz->bn, sec), lz->d);
  lz->run = NULL;
  return after_binding(lz, st);
}

/* The next piece of a streamed section's body (rp_bind_piece), as layout
 * reaches it. */
static rp_status section_piece(void *user, const rp_section *sec, const void *run, rp_arena *a,
                               rp_block **first, bool *keeps) {
  lazy *lz = user;
  lz->run = run;
  rp_block *b = NULL;
  rp_status st = settle(rp_bind_piece(lz->bn, sec, a, &b, keeps), lz->d);
  lz->run = NULL;
  *first = st == RP_OK ? b : NULL;
  st = after_binding(lz, st);
  if (st == RP_OK && !b && lz->drop_tree) drop_tree(lz);
  return st;
}

/* Begins binding the content with `bo` into `a` for a layout with `lo`. */
static rp_status lazy_begin(lazy *lz, rp_arena *a, const rp_layout_def *layout,
                            const rp_bind_opts *bo, rp_layout_opts *lo,
                            const rp_bound_doc **bound) {
  lazy_end(lz);
  rp_status st = RP_OK;
  if (!lz->content->doc) st = reload_tree(lz->content, lz->d);
  if (st == RP_OK && lz->whole) {
    rp_bound_doc *doc = NULL;
    st = rp_bind_ex(a, layout, lz->content, bo, lz->d, &doc);
    *bound = doc;
    return settle(st, lz->d);
  }
  rp_bind_opts with = *bo;
  lz->live = (rp_live_refs){.label = live_label, .user = lz};
  if (lz->live_on) with.live = &lz->live;
  with.pieces = true; /* a long section never bound whole */
  if (st == RP_OK) st = rp_bind_begin(a, layout, lz->content, &with, lz->d, &lz->bn, bound);
  lo->next_section = next_section;
  lo->section_body = section_body;
  lo->section_piece = section_piece;
  lo->section_user = lz;
  return settle(st, lz->d);
}

/* Whether the layout bound with trace `tr` recording is final: a binding
 * with that layout's own labels (`refs`) meets every value recorded equal
 * (template.h rp_reftrace), so that laying out again would make the same
 * layout. The binding goes as the layout's went: a section's head, its
 * body, the next one's head, then the pieces of the first, as layout asks
 * (flow.c run_lazy), or whole; it stops at the first value that differs,
 * or once every recorded one was met. Its messages were given already (or
 * are the layout's to give): a quiet record, dropped. Needs the tree the
 * layout was bound from (node sets are compared by node): not after it was
 * dropped (read again: other nodes), nor a projected one (items are read
 * whole and freed as they bind). */
static bool rebinds_same(lazy *lz, rp_arena *parent, const rp_layout_def *layout,
                         const rp_bind_opts *first, const rp_page_refs *refs, rp_reftrace *tr) {
  if (!rp_reftrace_usable(tr) || !lz->content->doc || lz->content->items) return false;
  rp_reftrace_check(tr);
  if (rp_reftrace_met(tr)) return true; /* nothing recorded */
  rp_arena *a = rp_arena_new_child(parent);
  if (!a) return false;
  rp_diag quiet;
  diag_like(&quiet, lz->d);
  rp_bind_opts bo = {first->items, refs, NULL, !lz->whole, tr};
  rp_status st;
  if (lz->whole) {
    rp_bound_doc *doc = NULL;
    st = rp_bind_ex(a, layout, lz->content, &bo, &quiet, &doc);
  } else {
    rp_binding *bn = NULL;
    const rp_bound_doc *doc = NULL;
    const rp_section *cur = NULL, *next = NULL;
    st = rp_bind_begin(a, layout, lz->content, &bo, &quiet, &bn, &doc);
    if (st == RP_OK) st = rp_bind_next(bn, a, &cur);
    if (st == RP_OK && cur) st = rp_bind_body(bn, cur);
    while (st == RP_OK && cur && !rp_reftrace_differs(tr) && !rp_reftrace_met(tr)) {
      st = rp_bind_next(bn, a, &next);
      rp_block *b = NULL;
      bool keeps;
      do {
        if (st == RP_OK && cur->streamed) st = rp_bind_piece(bn, cur, a, &b, &keeps);
      } while (st == RP_OK && b && !rp_reftrace_differs(tr) && !rp_reftrace_met(tr));
      cur = next;
      if (st == RP_OK && cur) st = rp_bind_body(bn, cur);
    }
    rp_bind_free(bn);
  }
  bool same = st == RP_OK && quiet.errors == 0 && rp_reftrace_met(tr);
  rp_diag_fini(&quiet);
  rp_arena_free(a);
  return same;
}

/* The decision point of a layout with page references: it is the last one
 * when every page() it printed was answered from its own pages, laid out
 * before the reference and final (backward references: nothing after can
 * move them; pages() is never known in time), and its {$pages} is right:
 * none printed, or the count it was given (pages_hint) was this layout's,
 * or running texts that print it are drawn at the end (doc->recount is
 * false in each case). */
static bool refs_final(const lazy *lz, const rp_layout_doc *doc) {
  return lz->live_on && !lz->whole && lz->live.others == 0 && !doc->recount;
}

/* Whether the first layout (`doc`, bound with trace `tr` recording), held
 * whole (lz->held: no page handed on, so none dropped or drawn), is the
 * last: binding with its own labels binds what it was bound from
 * (rebinds_same), as when a layout bound with those labels would have
 * them again. Its {$pages} is right: kept whole, its running texts were
 * set with its own count. The labels go in `a` (the layout's arena). */
static bool confirm_first(lazy *lz, rp_arena *a, const rp_layout_def *layout,
                          const rp_bind_opts *first, const rp_layout_doc *doc, rp_reftrace *tr) {
  if (!lz->held || lz->s->pages != 0 || doc->recount) return false;
  rp_page_refs *own = page_refs_of(a, doc);
  if (!own) return false;
  own->final = true; /* the anchors are all known: a missing id is a mistake */
  return rebinds_same(lz, a, layout, first, own, tr);
}

/* What the first layout of a layout with page references is bound with,
 * no layout having counted yet: page() its stand-in ("00", as with no
 * labels), pages() one page: a short document. One that is (the stock
 * layouts show a contents page past 20 pages) is laid out once, its first
 * layout proved the last (confirm_first); a long one takes a layout more
 * than with binding's own stand-in, a million (template/xpathfn.c), whose
 * first layout had the contents already: here the first has none, the
 * second has it with the first's numbers, the third prints them right. */
static const rp_page_refs first_refs = {NULL, NULL, 0, false, 1};

/* A layout that prints page('id') or pages() (a contents page, "see page
 * 12") is laid out again with the page labels the previous layout gave,
 * until they stop changing: a contents page before what it lists is then
 * right, however the change it reflects moved things. A layout whose labels
 * moved is still the last when binding again with them binds what it was
 * bound from (rebinds_same): no layout only to confirm. Usually two
 * layouts; never more than four. Each layout binds and lays out in an arena
 * of its own (`*pass`, holding the one given), freed as soon as its labels
 * are copied out, so that memory holds one layout at a time; the last is
 * handed to `a` by the caller. Streaming (`s`), each layout after the first
 * is drawn as it goes, with {$pages} from the one before: one whose labels
 * or count of pages moved is dropped, drawing and all, for the next. */
static rp_status settle_page_refs(rp_arena *a, rp_arena **pass, const rp_layout_def *layout,
                                  lazy *lz, bool drop_tree, const rp_bind_opts *first,
                                  rp_layout_opts *lo, stream *s, rp_diag *d, rp_layout_doc **pages,
                                  size_t *layouts) {
  enum { MAX_PASSES = 3 };
  rp_page_refs *prev = page_refs_of(a, *pages);
  size_t hint = (*pages)->run_pages;
  rp_status st = RP_OK;
  bool same = false;
  int n = 0;
  rp_reftrace *tr = NULL; /* what page() and pages() gave the layout running */
  while (st == RP_OK) {
    /* the previous layout has given its labels: free it before the next */
    lazy_end(lz);
    rp_arena_free(*pass);
    *pass = NULL;
    *pages = NULL;
    rp_arena *next = prev ? rp_arena_new_child(a) : NULL;
    if (!next) {
      st = rp_diag_oom(d);
      break;
    }
    prev->final = true; /* the anchors are all known now: a missing id is a mistake */
    rp_reftrace_free(tr);
    tr = rp_reftrace_new(); /* NULL: this layout is not confirmed by binding */
    rp_bind_opts bo = {first->items, prev, NULL, false, tr};
    const rp_bound_doc *bound = NULL;
    rp_layout_doc *again = NULL;
    stream_reset(s); /* what the pass before drew, or counted */
    s->draw = true;
    rp_layout_chart_memo_keep(lo->chart_memo, true); /* charts for the layout after, if any */
    lo->keep_lines = true;                           /* and paragraphs */
    lo->pages_hint = hint;
    lo->defer_pages = false; /* the count is the previous layout's */
    /* bound: the tree is not needed while the end of this layout is drawn
     * (the blocks copy what they print) */
    lz->drop_tree = drop_tree;
    st = lazy_begin(lz, next, layout, &bo, lo, &bound);
    if (st == RP_OK) st = rp_layout_run_ex(next, bound, lo, d, &again);
    if (st == RP_OK) ++*layouts;
    lazy_end(lz);
    if (st != RP_OK) {
      rp_arena_free(next);
      break;
    }
    *pass = next;
    *pages = again;
    n++;
    rp_page_refs *now = page_refs_of(a, again);
    same = now && same_refs(prev, now);
    /* labels that moved, but not what this layout was bound from: bound
     * again with them, it binds the same (a contents page shown or not, as
     * before): this layout is the next one */
    if (now && !same && !again->recount) {
      now->final = true;
      same = rebinds_same(lz, a, layout, first, now, tr);
    }
    /* a {$pages} drawn wrong is laid out again even after the last try */
    if (!again->recount && (same || n == MAX_PASSES)) break;
    if (refs_final(lz, again)) {
      same = true;
      break;
    }
    if (n > MAX_PASSES) break; /* cannot happen: the count is the previous one's */
    hint = again->run_pages;
    prev = now;
  }
  rp_reftrace_free(tr);
  if (st == RP_OK && !same)
    rp_diag_warn(d, rp_layout_def_path(layout), 0, 0,
                 "page references still moved after %d layouts: a page number printed by "
                 "page() may be off by one; shorten what the contents lists, or give it room",
                 MAX_PASSES + 1);
  return st;
}

/* The content, loaded on a thread of its own while this one loads the
 * layout: the two are independent, and a short review's loading is a third
 * of its time. The thread first compiles the layout's schema, which this
 * one needs once it has parsed the layout. It has an arena (a child made
 * before it starts) and a diag of its own; libxml2 is set up first
 * (rp_xml_init). Its content given (`loaded`), it compiles the layout's
 * XPath expressions ahead (rp_xpath_ahead: the content is loaded before
 * this one reaches the templates), then stays to free what the loading
 * leaves, once told what (`told`): the compiled schemas and the layout's
 * trees, ~4 M instructions that this thread would spend before laying
 * out; then it draws the charts of a layout that only measures
 * (`charts`, layout.h chart_memo: the review's map among them, ~15 M),
 * till closed and joined at the end of the render (load_end). Between the
 * expressions and being told, it reads the content's logo (`probe`: an
 * SVG's parse is ~4 M instructions), which the cover shows early in the
 * layout: the layout's first image waits for it (probe_ahead). */
typedef struct content_job {
  rp_xml_schema layout_schema; /* compiled first, while the layout is parsed */
  rp_arena *arena;
  const char *path;
  rp_diag d;
  rp_content *content;
  rp_status st;
  bool started;
  pthread_t t;
  pthread_mutex_t mu; /* over loaded, told and what follows */
  pthread_cond_t cv;
  bool loaded, told;
  bool release;          /* the compiled schemas, for the thread to release */
  xmlDocPtr trees[2];    /* the layout's trees, for the thread to free */
  rp_xpath_ahead *ahead; /* the layout's expressions, compiled there once idle */
  /* then, idle, it draws a measuring layout's charts (layout.h chart_memo) */
  struct rp_chart_worker *charts;
  rp_image_probe probe; /* the logo read ahead: given (`probed`), then the other's */
  bool probed;          /* under mu */
  rp_image_probe *into; /* the layout's probe, which takes `probe` (probe_ahead) */
  bool taken;           /* by this thread: `probe` moved into `into` */
} content_job;

/* Heap this thread faults in (rp_mem_prefault) for both: before the
 * content, what the content's tree and the layout's loading take next
 * (this thread's own faults, ~250, cost about what faulting in does);
 * once the content is given, idle till told, what the layouts and the
 * render take. The review's main thread: ~1,400 faults -> ~800, its peak
 * RSS +0.7 MiB (pages faulted in that the heap's reuse leaves untouched). */
#define PREFAULT_FIRST (1u << 20)
#define PREFAULT_NEXT (3u << 20)

static void *load_content(void *user) {
  content_job *j = user;
  rp_xml_schema_prepare(&j->layout_schema);
  rp_mem_prefault(PREFAULT_FIRST);
  rp_content *c = NULL;
  rp_status st = rp_content_load(j->arena, j->path, &j->d, &c);
  /* the logo's path as binding gives it an <image src> from the content
   * (template/bind.c image_path: joined, then cleaned), so that the
   * layout's probe finds it; copied out of the model, freed once given */
  char *logo = NULL;
  if (st == RP_OK && c && c->model && c->model->logo) {
    bool inside;
    const char *path = rp_asset_resolve(j->arena, ".", c->model->logo, NULL, &inside);
    logo = path ? rp_mem_strdup(path) : NULL;
  }
  pthread_mutex_lock(&j->mu);
  j->content = c;
  j->st = st;
  j->loaded = true;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  if (st == RP_OK) rp_mem_prefault(PREFAULT_NEXT);
  /* while the other compiles templates; returns once it is done loading */
  if (j->ahead) rp_xpath_ahead_run(j->ahead);
  if (logo) {
    rp_image_info info;
    rp_image_probe_file(&j->probe, logo, &info);
    rp_mem_free(logo);
  }
  pthread_mutex_lock(&j->mu);
  j->probed = true;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
  /* the faces the layout's styles use, till the other is done loading */
  if (j->ahead) rp_xpath_ahead_read_faces(j->ahead);
  pthread_mutex_lock(&j->mu);
  while (!j->told) pthread_cond_wait(&j->cv, &j->mu);
  pthread_mutex_unlock(&j->mu);
  rp_xpath_ahead_free(j->ahead); /* closed before told */
  for (int i = 0; i < 2; i++) xmlFreeDoc(j->trees[i]);
  if (j->release) rp_xml_schemas_release(); /* safe beside a validation (xml.c) */
  rp_layout_chart_worker_serve(j->charts);  /* until load_end */
  return NULL;
}

/* Waits for the thread's content (and its diag). */
static void load_wait(content_job *j) {
  pthread_mutex_lock(&j->mu);
  while (!j->loaded) pthread_cond_wait(&j->cv, &j->mu);
  pthread_mutex_unlock(&j->mu);
}

/* The layout's image probe (an rp_image_probe_fn) beside the content
 * thread: the first image asked for waits for the logo it reads, takes it
 * into the layout's probe, and every image is then probed there as
 * without the thread. */
static void probe_ahead(void *user, const char *path, rp_image_info *out) {
  content_job *j = user;
  if (!j->taken) {
    pthread_mutex_lock(&j->mu);
    while (!j->probed) pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
    rp_image_probe_take(j->into, &j->probe);
    j->taken = true;
  }
  rp_image_probe_file(j->into, path, out);
}

/* Tells the thread what to free once its content is given: the compiled
 * schemas (`release`) and `trees` (NULL: none). */
static void load_tell(content_job *j, bool release, const xmlDocPtr *trees) {
  pthread_mutex_lock(&j->mu);
  j->release = release;
  if (trees) j->trees[0] = trees[0], j->trees[1] = trees[1];
  j->told = true;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
}

/* The thread, if one was started, done with: told (nothing), joined. */
static void load_end(content_job *j) {
  if (!j->started) return;
  if (!j->told) load_tell(j, false, NULL);
  rp_layout_chart_worker_close(j->charts);
  pthread_join(j->t, NULL);
  rp_image_probe_fini(&j->probe); /* the logo, if no image was asked for */
  rp_layout_chart_worker_free(j->charts);
  j->charts = NULL;
  pthread_cond_destroy(&j->cv);
  pthread_mutex_destroy(&j->mu);
  j->started = false;
}

/* `ahead` (NULL: none) closed when this returns. */
static rp_status load_layout(rp_arena *a, const rp_pipeline_opts *o, rp_diag *d,
                             rp_xpath_ahead *ahead, rp_layout_def **layout, const char **path) {
  rp_status st = rp_layout_find(a, o->layout ? o->layout : "annual-review", d, path);
  if (st == RP_OK) st = rp_layout_def_load_ahead(a, *path, d, ahead, layout);
  rp_xpath_ahead_close(ahead);
  return st;
}

/* The content, then the layout, as if loaded one after the other: the
 * layout only when the content loaded, the content's messages first. The
 * model (model/model.h) serves the checks made while loading; binding
 * reads the tree. It is built in an arena of its own, freed at once. With
 * an injected fault to come (tests), on this thread only: the faults fall
 * in one order. A content that said anything (a warning, which --strict
 * makes an error the layout's loading may see) has its layout loaded again
 * after it, here, exactly as without the thread. With the thread (`j`,
 * ended by load_end), *released says the compiled schemas are left to it. */
static rp_status load(rp_arena *a, const rp_pipeline_opts *o, content_job *j, rp_diag *d,
                      rp_content **content, rp_layout_def **layout, const char **layout_path,
                      bool *threads, bool *released) {
  *released = false;
  rp_arena *model_arena = rp_arena_new_child(a);
  if (!model_arena) return rp_diag_oom(d);
  *j = (content_job){.arena = model_arena, .path = o->content};
  /* Serial under injected faults (they fall in one order), and under a
   * memory budget the user set: two threads' allocations interleave as they
   * may, and a peak near the budget would pass on one run and not the next. */
  bool two = !o->load_serial && !rp_mem_faults_armed() && !rp_arena_faults_armed(a) &&
             !rp_limit_given(RP_LIMIT_MEMORY_MIB);
  if (two) {
    /* one malloc arena for both threads: a second one (glibc's default)
     * keeps the content's freed blocks from the render, +1 MiB peak */
    mallopt(M_ARENA_MAX, 1);
    rp_xml_init();
    j->layout_schema = rp_layout_schema();
    j->ahead = rp_xpath_ahead_new(); /* NULL: compiled here, as without the thread */
    diag_like(&j->d, d);
    two = pthread_mutex_init(&j->mu, NULL) == 0;
    if (two && pthread_cond_init(&j->cv, NULL) != 0) {
      pthread_mutex_destroy(&j->mu);
      two = false;
    }
    if (two) j->charts = rp_layout_chart_worker_new(); /* NULL: charts drawn inline */
    if (two && pthread_create(&j->t, NULL, load_content, j) != 0) {
      pthread_cond_destroy(&j->cv);
      pthread_mutex_destroy(&j->mu);
      two = false;
    }
    j->started = two;
    if (!two) {
      rp_diag_fini(&j->d);
      rp_xpath_ahead_free(j->ahead);
      j->ahead = NULL;
    }
    if (!two) rp_layout_chart_worker_free(j->charts), j->charts = NULL;
  }
  *threads = two;
  rp_status st;
  if (!two) {
    st = rp_content_load(model_arena, o->content, d, content);
  } else {
    rp_diag dl;
    diag_like(&dl, d);
    rp_layout_def *l = NULL;
    const char *path = NULL;
    rp_status lst = load_layout(a, o, &dl, j->ahead, &l, &path);
    load_wait(j);
    bool quiet = j->d.count == 0 && j->d.dropped == 0 && j->d.errors == 0 && j->d.warnings == 0;
    rp_diag_append(d, &j->d);
    rp_diag_fini(&j->d);
    st = j->st;
    *content = j->content;
    if (st == RP_OK && quiet) {
      rp_diag_append(d, &dl);
      *layout = l;
      *layout_path = path;
      l = NULL;
    }
    rp_diag_fini(&dl);
    rp_layout_def_free(l);
    if (st == RP_OK && quiet) st = lst;
    two = quiet; /* else: the layout again, after the content, below */
    /* Loaded (or failed) for good: the thread frees the layout's trees and
     * the schemas while this one goes on; a layout loaded again below
     * validates first, and its trees stay with it. */
    xmlDocPtr trees[2] = {NULL, NULL};
    if (two && *layout) rp_layout_def_take_trees(*layout, trees);
    /* its maps' outlines, read there while idle, before the first map */
    size_t n_outlines = 0;
    const char *const *outlines = *layout ? rp_layout_def_outlines(*layout, &n_outlines) : NULL;
    rp_layout_chart_worker_ahead(j->charts, outlines, n_outlines);
    load_tell(j, two, trees);
    *released = two;
  }
  rp_arena_free(model_arena);
  if (*content) (*content)->model = NULL;
  if (st == RP_OK && !two) st = load_layout(a, o, d, NULL, layout, layout_path);
  return st;
}

/* Content projection (model/projection.h): the layout is loaded first, and
 * when one of its runs streams items whose inside nothing else reads whole,
 * the content is loaded as a skeleton, each item read whole only while its
 * section binds: memory flat in the number of items. Not for --select or
 * --split (they pick items from the whole tree), nor with RP_NO_PROJECT set.
 * A layout that loads with any message is left to load after the content,
 * as always, so that messages keep their order; *layout is then NULL. */
static const rp_projection *project(rp_arena *a, const rp_pipeline_opts *o, const char **path,
                                    rp_layout_def **layout) {
  *layout = NULL;
  const char *off = getenv("RP_NO_PROJECT");
  if (o->select || o->split || (off && *off && strcmp(off, "0") != 0)) return NULL;
  rp_diag quiet;
  rp_diag_init(&quiet);
  rp_projection *p = NULL;
  if (rp_layout_find(a, o->layout ? o->layout : "annual-review", &quiet, path) == RP_OK &&
      rp_layout_def_load(a, *path, &quiet, layout) == RP_OK && quiet.count == 0 &&
      quiet.dropped == 0) {
    if (rp_project_analyse(a, *layout, &p, NULL) != RP_OK) p = NULL;
  } else {
    rp_layout_def_free(*layout);
    *layout = NULL;
    *path = NULL;
  }
  rp_diag_fini(&quiet);
  return p;
}

rp_status rp_pipeline_render(rp_arena *a, const rp_pipeline_opts *o, rp_diag *d,
                             rp_pipeline_result *out) {
  *out = (rp_pipeline_result){0};
  rp_content *content = NULL;
  rp_layout_def *layout = NULL;
  const rp_bound_doc *bound = NULL;
  rp_layout_doc *pages = NULL;
  rp_item_list items = {0};
  lazy lz = {0}; /* the binding, section by section */
  /* what page() and pages() gave the first layout from elsewhere than its
   * own pages (NULL: it is not confirmed by binding) */
  rp_reftrace *tr = NULL;
  /* Images are probed (fully decoded) once each, so layout can fit them
   * and put initials where a photo is missing or unreadable; render draws
   * the SVGs it read (so it lives till the PDF is written) */
  rp_image_probe probe;
  rp_image_probe_init(&probe);

  if (o->preflight) {
    /* a report that cannot be named is a usage error before any work */
    if (rp_preflight_format_of(o->preflight) == RP_PREFLIGHT_NONE)
      return rp_diag_error(d, RP_ERR_USAGE, NULL, 0, 0,
                           "--preflight %s: the report is JSON (name ending .json) or JUnit XML "
                           "(.xml)",
                           o->preflight);
    d->preflight = true;
  }
  /* A long content (a pack of items) may be projected: its layout first,
   * then the content as a skeleton. A short one gains nothing from that
   * (a second pass over its bytes) and loads beside its layout (load). */
  const rp_projection *proj =
      projectable(o->content) ? project(a, o, &out->layout_path, &layout) : NULL;
  rp_status st;
  content_job job = {0};         /* the content's thread, if any: ended at `done` */
  bool released = false;         /* the compiled schemas, by that thread */
  rp_render_early *early = NULL; /* the PDF's document, made while it is laid out */
  if (!layout) {
    st = load(a, o, &job, d, &content, &layout, &out->layout_path, &out->load_threads, &released);
  } else {
    rp_arena *model_arena = rp_arena_new_child(a);
    st = !model_arena ? rp_diag_oom(d)
         : proj       ? rp_content_load_projected(model_arena, o->content, proj, d, &content)
                      : rp_content_load(model_arena, o->content, d, &content);
    rp_arena_free(model_arena);
    if (content) content->model = NULL;
  }
  /* both validated: the compiled schemas' memory goes to the layout and
   * the render (a content read again, reload_tree, compiles its own) */
  if (!released) rp_xml_schemas_release();
  if (st == RP_OK && (o->select || o->split))
    st = rp_items_find(a, layout, content, o->select, d, &items);
  if (st == RP_OK && o->split) {
    st = o->output && !o->dump && !o->dump_stream && !o->preflight
             ? split(a, o, layout, content, &items, d, out)
             : rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0,
                             "rp_pipeline_render: --split needs an output pattern, and no dump "
                             "or preflight report");
    goto done;
  }
  /* the render's document made on its worker thread meanwhile (render.h) */
  if (st == RP_OK && o->output) early = rp_render_early_start(o->output);
  rp_bind_opts bo = {o->select ? &items : NULL, NULL, NULL, false, NULL};
  /* A layout with page references is laid out more than once, each time in
   * an arena of its own (settle_page_refs); the one kept joins `a`. */
  bool refs = st == RP_OK && rp_layout_def_uses_page_refs(layout);
  if (refs) bo.refs = &first_refs;
  rp_arena *pass = refs ? rp_arena_new_child(a) : a;
  if (!pass) st = rp_diag_oom(d);
  /* A PDF, and nothing that needs every page at once (a dump, a report, the
   * accessibility check): the final layout streams. */
  bool streams = o->output && !o->dump && !o->dump_stream && !o->preflight && !o->accessible;
  rp_layout_opts lo = {0};
  /* With page references the first layout may be the last (refs_final):
   * it is drawn, until a page() answer shows it cannot be; then, held
   * whole, it may still be (confirm_first), as may the first of a whole
   * binding: the tree it was bound from stays for that (rebinds_same) */
  bool tentative = refs && !o->bind_whole;
  bool can_hold = refs && content && content->doc && !content->items;
  stream s = {
      .o = o, .l = layout, .d = d, .draw = !refs || tentative, .probe = &probe, .early = early};
  lz = (lazy){.content = content,
              .d = d,
              .whole = o->bind_whole,
              .live_on = refs,
              .tentative = tentative,
              .held = can_hold && !tentative,
              .can_hold = can_hold,
              .lo = &lo,
              .s = &s};
  if (can_hold) tr = rp_reftrace_new();
  bo.trace = tr;
  if (st == RP_OK) {
    /* one layout, streamed: a long content's tree goes once bound */
    lz.drop_tree = !refs && streams && !o->select && long_content(content) && !content->items;
    st = lazy_begin(&lz, pass, layout, &bo, &lo, &bound);
  }
  if (st == RP_OK) st = hook(o, RP_PIPELINE_LOADED, d);
  if (st == RP_OK) {
    progress_state ps = {.o = o};
    lo.probe = rp_image_probe_file;
    lo.probe_user = &probe;
    if (job.started) { /* the logo read there meanwhile */
      job.into = &probe;
      lo.probe = probe_ahead;
      lo.probe_user = &job;
    }
    lo.page = o->progress ? laid_out : NULL;
    lo.page_user = &ps;
    lo.page_done = streams ? stream_page : NULL;
    lo.page_done_user = &s;
    /* the first layout of several only measures: no page kept, unless
     * it may be the last (held whole) */
    lo.hold_bytes = refs && !tentative && !lz.held ? 0 : HOLD_BYTES;
    /* {$pages} set once counted (render/pdf_running.c), so that a layout
     * that draws needs no second pass for it; not in one that only
     * measures page references */
    lo.defer_pages = !refs || tentative || lz.held;
    /* a layout laid out again draws each chart once (NULL: no memory for
     * one, each drawn); freed with the last layout's pages kept */
    if (refs && !o->no_chart_memo) lo.chart_memo = rp_layout_chart_memo_new();
    rp_layout_chart_memo_serve(lo.chart_memo, job.charts); /* the content thread, if any */
    rp_layout_chart_memo_keep(lo.chart_memo, refs && !tentative);
    lo.keep_lines = refs && !tentative; /* paragraphs too (layout/inline.c's memo) */
    /* A layout that may be the last, drawn whole, returns before the last
     * charts handed to the worker are in: what follows it and neither
     * reads a page's items nor records a message is done meanwhile (below).
     * Not where anything else comes between (a dump, a report, checks of
     * every page, --strict: a chart's warning stops the run there). */
    lo.defer_charts = lo.chart_memo && tentative && streams && !d->strict;
    /* no page references: one layout, in an arena of its own, freed if it
     * only counted the pages for {$pages} (too long to hold) */
    rp_arena *la = refs || !streams ? pass : rp_arena_new_child(pass);
    if (!la) st = rp_diag_oom(d);
    if (st == RP_OK) st = rp_layout_run_ex(la, bound, &lo, d, &pages);
    bool pending = st == RP_OK && rp_layout_charts_pending(lo.chart_memo) && lo.defer_charts;
    lo.defer_charts = false;
    if (st == RP_OK && !pending) out->layouts++;
    lazy_end(&lz);
    /* laid out once, if its pages are final (drawn, or kept whole) */
    bool once = false, decided = false;
    if (pending) {
      /* while the worker draws the last charts: whether this layout is the
       * last (below; it reads labels, not items, and records nothing), and
       * if so what is done after the last one anyway; then the charts, and
       * a chart that failed fails the layout as before */
      out->charts_deferred = true;
      once = lz.tentative && refs_final(&lz, pages);
      if (!once) once = confirm_first(&lz, pass, layout, &bo, pages, tr);
      decided = true;
      if (once) {
        rp_layout_lines_done(rp_layout_def_fonts(layout));
        rp_content_drop_tree(content);
      }
      st = rp_layout_charts_settle(lo.chart_memo, pages, st);
      if (st == RP_OK) out->layouts++;
      if (st != RP_OK) pages = NULL, once = false; /* as the layout's own failure leaves them */
    }
    if (st == RP_OK && !refs && pages->recount) {
      /* bound again, section by section, as this layout asks */
      lo.pages_hint = pages->run_pages;
      rp_arena_free(la);
      la = rp_arena_new_child(pass);
      st = la ? lazy_begin(&lz, la, layout, &bo, &lo, &bound) : rp_diag_oom(d);
      if (st == RP_OK) st = rp_layout_run_ex(la, bound, &lo, d, &pages);
      if (st == RP_OK) out->layouts++;
      lazy_end(&lz);
    }
    if (la && la != pass) rp_arena_adopt(pass, la);
    lo.hold_bytes = HOLD_BYTES;
    if (!decided) once = st == RP_OK && refs && lz.tentative && refs_final(&lz, pages);
    if (!decided && st == RP_OK && refs && !once)
      once = confirm_first(&lz, pass, layout, &bo, pages, tr);
    rp_reftrace_free(tr);
    tr = NULL;
    bo.trace = NULL;
    lz.tentative = lz.held = false;
    if (st == RP_OK && refs && !once)
      st = settle_page_refs(a, &pass, layout, &lz,
                            streams && !o->select && long_content(content) && !content->items, &bo,
                            &lo, &s, d, &pages, &out->layouts);
    out->chart_later = rp_layout_chart_memo_later(lo.chart_memo);
    rp_layout_chart_memo_free(lo.chart_memo, &out->chart_draws, &out->chart_copies);
    lo.chart_memo = NULL;
    rp_layout_lines_done(rp_layout_def_fonts(layout)); /* no layout follows */
    if (st == RP_OK && o->preflight) rp_preflight_check(pages, &probe, d);
    if (st == RP_OK && o->accessible) rp_accessible_check(pages, d);
  }
  /* The content's tree served binding only (the layout holds copies of what
   * it draws): free it before the render, which needs the most memory. */
  rp_content_drop_tree(content);             /* a projected content's items too */
  if (refs && pass) rp_arena_adopt(a, pass); /* what pages point into lives as long as a */
  st = settle(st, d);
  if (st == RP_OK && !s.r) st = within_limits(pages, d); /* streamed: page by page */
  if (st == RP_OK) {
    out->doc = pages;
    count(pages, out);
    out->items += s.items;
  }
  if (st == RP_OK && o->dump_stream) st = rp_layout_dump(pages, o->dump_stream);
  if (st == RP_OK && !o->dump_stream && o->dump) st = dump_to(pages, o->dump, d);
  if (st == RP_OK) st = hook(o, RP_PIPELINE_LAID_OUT, d);
  bool reported = false;
  if (st == RP_OK && s.r)
    st = stream_end(&s, pages);
  else if (st == RP_OK && o->output)
    st = write_pdf(o, layout, o->output, &probe, early, out, pages, d, &reported);
  stream_reset(&s); /* after an error: nothing written */
  if (st == RP_OK && o->output) out->written = o->output;
  if (o->preflight && !reported) st = preflight(o, out, pages, st, d);
  if (st == RP_OK && o->leave_memory) return st; /* the process ends next */
done:
  rp_reftrace_free(tr);
  lazy_end(&lz);
  rp_render_early_free(early);
  rp_image_probe_fini(&probe);
  load_end(&job);
  rp_layout_def_free(layout);
  rp_content_free(content);
  return st;
}
