/* chart_memo — the memo of charts drawn (charts/memo.h) as layout's users
 * see it: the pipeline makes one per run and hands it to each layout in
 * rp_layout_opts, without including charts/ itself; and the worker that
 * draws a measuring layout's charts on another thread. */
#include "charts/memo.h"
#include "layout/layout.h"

#include <stdint.h>

struct rp_chart_memo *rp_layout_chart_memo_new(void) {
  return rp_chart_memo_new();
}

void rp_layout_chart_memo_keep(struct rp_chart_memo *m, bool on) { rp_chart_memo_keep(m, on); }

void rp_layout_chart_memo_free(struct rp_chart_memo *m, size_t *draws, size_t *copies) {
  if (draws) *draws = rp_chart_memo_draws(m);
  if (copies) *copies = rp_chart_memo_hits(m);
  rp_chart_memo_free(m);
}

size_t rp_layout_chart_memo_later(const struct rp_chart_memo *m) { return rp_chart_memo_later(m); }

bool rp_layout_charts_pending(const struct rp_chart_memo *m) { return rp_chart_memo_pending(m); }

rp_status rp_layout_charts_settle(struct rp_chart_memo *m, rp_layout_doc *doc, rp_status st) {
  /* as rp_layout_run_ex's end */
  if (st == RP_OK) st = rp_chart_memo_place(m, doc->pages.data, doc->pages.len, SIZE_MAX);
  return rp_chart_memo_collect(m, st);
}

void rp_layout_chart_memo_serve(struct rp_chart_memo *m, struct rp_chart_worker *w) {
  rp_chart_memo_serve(m, w);
}

struct rp_chart_worker *rp_layout_chart_worker_new(void) {
  return rp_chart_worker_new();
}
void rp_layout_chart_worker_ahead(struct rp_chart_worker *w, const char *const *outlines,
                                  size_t n) {
  rp_chart_worker_ahead(w, outlines, n);
}
void rp_layout_chart_worker_serve(struct rp_chart_worker *w) { rp_chart_worker_serve(w); }
void rp_layout_chart_worker_close(struct rp_chart_worker *w) { rp_chart_worker_close(w); }
void rp_layout_chart_worker_free(struct rp_chart_worker *w) { rp_chart_worker_free(w); }
