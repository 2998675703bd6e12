/* builder — internal to model/: the state of one model build and the helpers
 * its layers share.
 *
 * build.c owns the builder: it reads the tree (attributes, text, typed
 * values, assets, id sets) and drives the passes. The layers on top each
 * take the builder:
 *   vocab.c   the document's kinds (<vocabulary>) and the checks of kind
 *             references;
 *   prose.c   prose blocks anywhere they go, tables (cells and numbers);
 *   review.c  the typed sections (people, boards, figures, members, awards,
 *             projects, case studies, events, plan, contact).
 * Nothing outside src/model includes this header. */
#ifndef RP_MODEL_BUILDER_H
#define RP_MODEL_BUILDER_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"
#include "model/model.h"

/* ---- id sets ------------------------------------------------------------- */

typedef struct rp_id_entry {
  const char *id;
  const xmlNode *node; /* the element that declared it first */
  size_t index;        /* its position in the model's array */
} rp_id_entry;

/* Open addressing, linear probing; capacity a power of two, at most half full. */
typedef struct rp_idset {
  rp_id_entry *slots;
  size_t cap, len;
} rp_idset;

typedef struct rp_builder {
  rp_arena *a;
  rp_diag *d;
  const char *path; /* content file, as given: messages name it */
  const char *root; /* canonical project root, or NULL */
  char *dir_abs;    /* canonical folder of the content file, or NULL */
  rp_model *m;
  bool oom;                                    /* an arena allocation failed */
  rp_idset sections;                           /* top-level section id → section element */
  rp_vec section_ids;                          /* const char *, in document order (for messages) */
  rp_idset people;                             /* person id → index into m->people */
  rp_idset figures;                            /* figure id → index into m->figures */
  rp_idset kinds[RP_KIND_OF_COUNT];            /* kind id → index into m->kinds[of] */
  rp_idset kinds_reported[RP_KIND_OF_COUNT];   /* undeclared kinds already reported */
  rp_idset tables;                             /* table id → table element */
  rp_vec tables_v;                             /* rp_table, while building */
  rp_vec sections_v;                           /* rp_review_section, while building */
  const xmlNode *typed[RP_SECTION_TYPE_COUNT]; /* the first of each typed section */
} rp_builder;

const rp_id_entry *rp_idset_find(const rp_idset *s, const char *id);
/* Adds `id`. Returns the entry that already held it (a duplicate), or NULL
 * once added (or when out of memory, which sets b->oom). */
const rp_id_entry *rp_builder_idset_add(rp_builder *b, rp_idset *s, const char *id,
                                        const xmlNode *n, size_t index);
/* Adds the id of element `c`; a repeat is an error naming the first. */
void rp_builder_unique_id(rp_builder *b, rp_idset *s, const char *noun, const char *id,
                          const xmlNode *c, size_t i);

/* ---- messages ------------------------------------------------------------ */

void rp_builder_fail(rp_builder *b, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rp_builder_warn(rp_builder *b, const xmlNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "line 11", or "line 11 of parts/people.xml" when `first` is in another
 * file than `here` (XInclude). In the arena: for messages only. */
const char *rp_builder_where(rp_builder *b, const xmlNode *first, const xmlNode *here);

/* ---- reading the tree ---------------------------------------------------- */

bool rp_builder_is(const xmlNode *n, const char *name);
/* The first element named `name` at or after sibling `n` (any element when
 * name is NULL). */
xmlNode *rp_builder_next(xmlNode *n, const char *name);
xmlNode *rp_builder_child(const xmlNode *n, const char *name);
size_t rp_builder_count(const xmlNode *n, const char *name);

#define RP_FOR_EACH(c, parent, name) \
  for (xmlNode *c = rp_builder_child(parent, name); c; c = rp_builder_next(c->next, name))

void *rp_builder_alloc(rp_builder *b, size_t n, size_t size);
const char *rp_builder_keep(rp_builder *b, const char *s);
/* Attribute value copied into the arena; NULL when absent. */
const char *rp_builder_attr(rp_builder *b, const xmlNode *n, const char *name);
/* Whitespace-collapsed text of an element, in the arena; NULL when absent. */
const char *rp_builder_text(rp_builder *b, const xmlNode *n);
const char *rp_builder_child_text(rp_builder *b, const xmlNode *n, const char *name);

/* ---- typed attributes (each reports what is wrong) ----------------------- */

bool rp_builder_bool(rp_builder *b, const xmlNode *n, const char *name);
long rp_builder_count_attr(rp_builder *b, const xmlNode *n, const char *name, long dflt);
int rp_builder_year(rp_builder *b, const xmlNode *n, const char *name);
bool rp_builder_number(rp_builder *b, const xmlNode *n, const char *name, double *out);
bool rp_builder_date(rp_builder *b, const xmlNode *n, const char *name, const char *what,
                     bool required, rp_date *out);
/* YYYY, YYYY-MM or YYYY-MM-DD; absent → false and *out zero, no message. */
bool rp_builder_partial_date(rp_builder *b, const xmlNode *n, const char *name, rp_date *out);
void rp_builder_date_text(rp_date d, char *buf, size_t size);

/* A file the document refers to (logo, photo, image). Returns the path later
 * stages open, or NULL; a URL or a path outside the project is an error, a
 * missing file a warning saying `missing` (what happens instead). */
const char *rp_builder_asset(rp_builder *b, const xmlNode *n, const char *name,
                             const char *missing);

/* The <social> children of `parent`, checked: a known network derives the
 * link from the handle, any other needs href. */
void rp_builder_socials(rp_builder *b, const xmlNode *parent, rp_social **out, size_t *n_out);

/* ---- layers -------------------------------------------------------------- */

/* vocab.c: builds m->kinds from <vocabulary>, reporting repeated ids. Runs
 * in pass 2 at <vocabulary>, which the schema puts before every reference. */
void rp_vocab_build(rp_builder *b, const xmlNode *n);
/* vocab.c: checks that attribute `name` of `n`, when present, names a kind
 * declared of="of"; returns its value (NULL when absent). An undeclared kind
 * is reported once per kind, at its first use. */
const char *rp_vocab_ref(rp_builder *b, const xmlNode *n, const char *name, rp_kind_of of);

/* prose.c: checks the prose blocks among the children of `container` (and
 * within them: lists, quotes, callouts, tables, images); returns how many
 * blocks are direct children. */
size_t rp_prose_check(rp_builder *b, const xmlNode *container);
/* prose.c: hands the tables collected so far to the model. */
void rp_prose_finish(rp_builder *b);
/* Checks the inline <note>s below n (not in titles, headings or other
 * notes) and counts them in the model. */
void rp_prose_check_notes(rp_builder *b, const xmlNode *n);

/* review.c: pass 1 (silent) — the people, so references before and after
 * <people> resolve. */
void rp_review_index_people(rp_builder *b, const xmlNode *n);
/* review.c: pass 2 — builds and checks one top-level element of the review
 * (organisation, period, people, or a section) in document order. */
void rp_review_build(rp_builder *b, const xmlNode *n);
/* review.c: after pass 2 — what needs every section seen. */
void rp_review_finish(rp_builder *b, const xmlNode *root);

#endif
