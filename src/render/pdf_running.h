/* pdf_running — running texts that print {$pages} on a streamed page, set
 * once the count is known (layout.h defer_pages). Layout hands such a page
 * on without them (rp_page.later); the page gets a second content stream
 * for them (its /Contents an array), which stays empty until every page is
 * drawn, then is filled with the texts layout sets with the count
 * (rp_layout_running_set): painted last, as on a page set with the count.
 * The second stream shares the page's resources: no object but the stream
 * itself is added per page, and it holds only its bytes in memory. A text
 * that is one string ending with the count ("{$page} / {$pages}") needs no
 * stream of its own: the page draws it up to the count, and two streams all
 * such pages share move it into place and show the count (pdf_running.c,
 * "split pages"). */
#ifndef RP_RENDER_PDF_RUNNING_H
#define RP_RENDER_PDF_RUNNING_H

#include "render/pdf.h"

/* After page `index` is drawn, before its content stream and dictionary
 * leave memory (the spool): when layout left texts off it, makes its second
 * content stream and names on the page (its resources) whatever those texts
 * will use, by drawing them once with a stand-in count into a stream that is
 * thrown away. Errors are recorded in p. */
void rp_pdf_running_page(rp_pdf *p, size_t index);

/* Every page drawn and doc->run_pages known: sets each waiting page's
 * texts with the count and draws them into its second stream (tagged as
 * artifacts). Before the document is finished (labels, structure tree, /ID). */
void rp_pdf_running_end(rp_pdf *p);

/* Whether `d` is one of those second streams: a dictionary that writes its
 * own stream data, so a stream object, never put in an object stream. */
bool rp_pdf_running_is_stream(HPDF_Dict d);

#endif
