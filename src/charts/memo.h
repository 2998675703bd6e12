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

/* For tests: how many charts were really drawn, how many replayed, and
 * how many of those drawn were drawn by the worker. */
size_t rp_chart_memo_draws(const rp_chart_memo *m);
size_t rp_chart_memo_hits(const rp_chart_memo *m);
size_t rp_chart_memo_later(const rp_chart_memo *m);

/* ---- drawing on another thread ------------------------------------------
 * A layout whose pages are only measured (another follows, and draws)
 * needs of each chart only what drawing it says and the memo entry for
 * the next layout: rp_charts_draw_memo_later hands such a drawing to a
 * worker, another thread (the idle content thread: pipeline.c), and the
 * layout goes on; rp_chart_memo_collect, at the layout's end, waits for
 * them all, in order, and makes of each what drawing it there would have
 * made: the memo entry, the draw and copy counts, and its messages put
 * into the layout's diag where it was placed (rp_diag_insert) — a drawing
 * that failed ends the layout there, with what was recorded after it
 * dropped. The worker measures with copies of the faces the chart uses
 * (font.h rp_fontset_copy_face): a face it could not measure (not read
 * yet) has the chart drawn again here. Same bytes as drawn inline. */
typedef struct rp_chart_worker rp_chart_worker;

/* A worker with nothing to do yet; NULL when out of memory. */
rp_chart_worker *rp_chart_worker_new(void);
/* The map outline files worker `w` reads first when served, before any
 * drawing (`outlines` copied; on the content thread, idle before layout
 * asks for a chart), so that a map handed to it finds its outline read:
 * the same items and messages (map.h rp_map_ahead). Before serve is
 * called, from the thread that made `w`; NULL `w`: nothing. */
void rp_chart_worker_ahead(rp_chart_worker *w, const char *const *outlines, size_t n);
/* For tests, once served: how many maps found their outline read ahead. */
size_t rp_chart_worker_ahead_used(const rp_chart_worker *w);
/* On the worker's thread: draws what is handed to it, in order, until
 * closed with nothing left. */
void rp_chart_worker_serve(rp_chart_worker *w);
/* Tells serve to return once nothing is left (NULL: nothing to do). */
void rp_chart_worker_close(rp_chart_worker *w);
/* Once serve has returned (its thread joined), or was never called. */
void rp_chart_worker_free(rp_chart_worker *w);

/* The worker memo `m` hands drawings to (NULL: none, all drawn inline;
 * so too with RP_CHARTS_INLINE set in the environment). */
void rp_chart_memo_serve(rp_chart_memo *m, rp_chart_worker *w);

/* rp_charts_draw_memo for a caller that does not need the items on `page`
 * (they are left off it when the drawing is handed over): handed to the
 * worker when the memo has one, keeps drawings, `d` is the one
 * rp_chart_memo_collect will be given and not --strict (a warning that
 * stops the run must stop it where it is made), and no limit of items was
 * set; else as rp_charts_draw_memo. */
rp_status rp_charts_draw_memo_later(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                                    const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                                    rp_diag *d);

/* rp_charts_draw_memo for a layout whose pages are held a while (not
 * handed on as they are made): the drawing handed to the worker as
 * rp_charts_draw_memo_later does (and when it would; the memo need not
 * keep drawings), its items left off `page`, number `page_ix` of the
 * layout's, for now: *token is then set (else 0) and the caller marks the
 * chart's frame item with it (u.chart.later). rp_chart_memo_place puts
 * them in, after that frame, before the page is handed on or used. A
 * chart equal to one still on the worker is drawn here. */
rp_status rp_charts_draw_memo_held(rp_chart_memo *m, rp_arena *a, const rp_chart *c,
                                   const rp_fontset *fonts, const rp_chart_box *box, rp_page *page,
                                   size_t page_ix, rp_diag *d, unsigned *token);
/* Waits for the held drawings of pages up to `upto` (of `pages`, the
 * layout's n_pages) and puts each one's items into its page right after
 * its frame, where drawing there would have put them (an artifact frame
 * makes them artifacts too); a drawing whose frame is gone (its placement
 * undone: the block moved on) is dropped. The drawings handed over before
 * them are settled first (rp_chart_memo_collect), so that a failure stops
 * the layout here with its status. */
rp_status rp_chart_memo_place(rp_chart_memo *m, rp_page *pages, size_t n_pages, size_t upto);

/* The diag of the layout beginning: the one later drawings record into. */
void rp_chart_memo_begin(rp_chart_memo *m, rp_diag *d);
/* Waits for every drawing handed over since rp_chart_memo_begin and
 * settles it (see above); returns the layout's status `st`, or that of the
 * first drawing that failed. */
rp_status rp_chart_memo_collect(rp_chart_memo *m, rp_status st);
/* Whether drawings handed over are not yet collected. */
bool rp_chart_memo_pending(const rp_chart_memo *m);

#endif
