/* layout — turns a bound document (template/blocks.h) into pages of
 * positioned items (items.h). No libharu or Cairo here: font metrics come
 * through font.h, so layout runs and is tested without a PDF back end.
 *
 * Flow: each section starts on a page of its master (or continues the flow),
 * blocks fill the frames' columns top to bottom, paragraphs split between
 * columns and pages with at least two lines either side of a break, headings
 * stay with what follows, boxes marked keep-together move whole. Content that
 * can never fit (taller than an empty frame) is an error naming the layout
 * line. Running headers and footers are set last, once the page count is
 * known. */
#ifndef RP_LAYOUT_LAYOUT_H
#define RP_LAYOUT_LAYOUT_H

#include <stdio.h>

#include "base/arena.h"
#include "base/diag.h"
#include "layout/items.h"
#include "template/blocks.h"

/* Lays out `b`. On success *out is arena-allocated and borrows b's fontset.
 * On failure returns RP_ERR_INPUT (content cannot fit…) with the problems in d. */
rp_status rp_layout_run(rp_arena *a, const rp_bound_doc *b, rp_diag *d, rp_layout_doc **out);

/* Writes the positioned items as stable text, one line each, for tests and
 * review (--dump-layout). Returns RP_ERR_INPUT if writing fails. */
rp_status rp_layout_dump(const rp_layout_doc *doc, FILE *out);

#endif
