/* memo — each chart drawn once per pipeline run: a layout laid out several
 * times (page references) places the same charts again, and the map alone
 * costs some 16 M instructions a draw. The memo keeps the items a chart
 * drew, keyed by everything the drawing reads (the bound chart, its box, the
 * fontset), and hands later passes copies of them.
 *
 * Owned by one run (pipeline.c), never kept between runs. Only drawings
 * that recorded no message are kept, so that a replay adds none where a
 * draw would have; past RP_CHART_MEMO_BYTES nothing more is kept. */
#ifndef RP_CHARTS_MEMO_H
#define RP_CHARTS_MEMO_H

#include "charts/charts.h"

#define RP_CHART_MEMO_BYTES ((size_t)2 << 20)

typedef struct rp_chart_memo rp_chart_memo;

/* A new empty memo, keeping nothing yet; NULL when out of memory (callers
 * draw without one). */
rp_chart_memo *rp_chart_memo_new(void);
/* Whether drawings from now on are kept: only while another layout of the
 * run is known to follow (a layout that may be the last keeps nothing, so
 * that a long document laid out once holds no charts). Copies are made
 * either way. */
void rp_chart_memo_keep(rp_chart_memo *m, bool on);
void rp_chart_memo_free(rp_chart_memo *m);

/* rp_charts_draw through memo `m` (NULL: no memo): the items of an equal
 * earlier drawing are copied into `a` and onto `page` with this box's
 * structure id and source lines, as drawing would have made them. */
rp_status rp_charts_draw_memo(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                              const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                              rp_diag *d);

/* For tests: how many charts were really drawn, and how many replayed. */
size_t rp_chart_memo_draws(const rp_chart_memo *m);
size_t rp_chart_memo_hits(const rp_chart_memo *m);

#endif
