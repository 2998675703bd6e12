/* build — internal to model/: turning a content tree into the model, and the
 * values the model derives (initials, display names, profile URLs, dates).
 *
 * content.c loads and validates the document, then calls rp_model_build; the
 * unit tests call the pieces directly. Nothing outside src/model and its tests
 * includes this header: the rest of the program sees model.h and content.h. */
#ifndef RP_MODEL_BUILD_H
#define RP_MODEL_BUILD_H

#include <libxml/tree.h>

#include "base/arena.h"
#include "base/diag.h"
#include "model/model.h"

/* Builds the model of `doc`, the tree of the content file `path`, and makes
 * every check the schema cannot (ids, references, dates, positions, assets:
 * see docs/loading.md). `root` is the project root asset paths must stay in
 * (canonical; NULL skips that check). Every problem found is recorded in `d`,
 * not only the first.
 *
 * Returns RP_OK with *out set, RP_ERR_INPUT when the document has errors, or
 * RP_ERR_INTERNAL when the arena runs out; on failure *out is NULL and what
 * was allocated stays in the arena. The tree need not be valid: an invalid
 * tree gives errors or NULL fields, never a crash. */
rp_status rp_model_build(rp_arena *a, xmlDocPtr doc, const char *path, const char *root, rp_diag *d,
                         rp_model **out);

/* "ST" for "Sharon Taylor": the first letter of the name's first and last
 * words ("Liam O’Rourke" → "LO", "Clare Penny-Evans" → "CP"), upper-cased,
 * skipping leading punctuation. Arena-allocated; "" for a name with no
 * letters; NULL when out of memory. */
char *rp_model_initials(rp_arena *a, const char *name);

/* "Cllr Sharon Taylor OBE": the parts that are present, joined by spaces.
 * Arena-allocated; NULL when out of memory. */
char *rp_model_display_name(rp_arena *a, const char *honorific, const char *name,
                            const char *post_nominals);

/* Profile URL for a handle as printed ("@coopinnovation" on twitter →
 * "https://twitter.com/coopinnovation"; "@name@server" on mastodon →
 * "https://server/@name"; "@name.bsky.social" on bluesky →
 * "https://bsky.app/profile/name.bsky.social"). NULL when the network is
 * unknown, a mastodon
 * handle has no server, or out of memory. */
char *rp_model_social_url(rp_arena *a, const char *network, const char *handle);

/* Whether a link follows from the handle on `network` (twitter, x, mastodon,
 * bluesky, …), and the list of those networks in words, for messages. */
bool rp_model_social_known(const char *network);
const char *rp_model_social_networks(void);

/* <0, 0, >0 as x is before, the same day as, or after y. */
int rp_date_cmp(rp_date x, rp_date y);

#endif
