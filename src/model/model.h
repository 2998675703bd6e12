/* model — the content document as plain C structs (content language
 * version 2, docs/content.md).
 *
 * What later stages compute from (dates, numbers, people resolved by id,
 * kinds and their labels, the sections in print order) lives here typed;
 * everything else — the prose itself — is read from the validated XML tree by
 * XPath at bind time (template/). All strings and structs are allocated from
 * the arena passed to rp_content_load and live as long as it; nothing here
 * points into libxml2. Every entity keeps the line it came from for
 * messages. */
#ifndef RP_MODEL_MODEL_H
#define RP_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"

/* A date, or part of one: month and day are 0 for "2019" (joined, due), day
 * is 0 for "2019-03". All 0 when absent. */
typedef struct rp_date {
  int year, month, day;
} rp_date;

typedef struct rp_social {
  const char *network; /* "twitter", "bluesky", … (open) */
  const char *handle;  /* "@coopinnovation" */
  const char *url;     /* href when given, else derived from network + handle */
  int line;
} rp_social;

typedef struct rp_phone {
  const char *label; /* "Office", or NULL */
  const char *number;
  int line;
} rp_phone;

typedef struct rp_address {
  const char *label; /* "Cardiff office", or NULL */
  const char **lines;
  size_t n_lines;
  int line;
} rp_address;

/* The ways to reach an organisation: in <organisation> and in <contact>. */
typedef struct rp_contact {
  const char *web;      /* href */
  const char *web_text; /* as printed */
  const char *email;
  rp_phone *phones;
  size_t n_phones;
  rp_address *addresses;
  size_t n_addresses;
  rp_social *socials;
  size_t n_socials;
} rp_contact;

/* ---- vocabulary ---------------------------------------------------------- */

/* What a kind classifies (<kinds of="…">). */
typedef enum rp_kind_of {
  RP_KIND_MEMBER,       /* members/member/@kind */
  RP_KIND_ORGANISATION, /* seat/organisation/@kind */
  RP_KIND_EVENT_ROLE,   /* event/@role */
  RP_KIND_OF_COUNT
} rp_kind_of;

typedef struct rp_kind_translation {
  const char *lang, *label, *plural;
} rp_kind_translation;

typedef struct rp_kind {
  const char *id;
  const char *label;  /* "Member council" */
  const char *plural; /* "Member councils"; the label when not given */
  const char *color;  /* "#5b2a86", or NULL */
  rp_kind_translation *translations;
  size_t n_translations;
  int line;
} rp_kind;

/* ---- people and boards --------------------------------------------------- */

typedef struct rp_person {
  const char *id;                               /* slug */
  const char *honorific, *name, *post_nominals; /* honorific, post_nominals may be NULL */
  const char *display_name;                     /* "Cllr Sharon Taylor OBE" */
  const char *initials;                         /* "ST", for photo placeholders */
  const char *photo; /* path resolved against the content file, or NULL */
  rp_social *socials;
  size_t n_socials;
  int line;
} rp_person;

typedef enum rp_seat_position {
  RP_SEAT_MEMBER, /* position absent or "member" */
  RP_SEAT_CHAIR,
  RP_SEAT_VICE_CHAIR,
  RP_SEAT_CO_CHAIR,
  RP_SEAT_PRESIDENT,
  RP_SEAT_VICE_PRESIDENT,
  RP_SEAT_TREASURER,
  RP_SEAT_SECRETARY
} rp_seat_position;

typedef struct rp_seat {
  const rp_person *person;
  rp_seat_position position;
  const char **roles;
  size_t n_roles;
  const char *organisation;
  const char *organisation_kind; /* a kind id of="organisation", or NULL */
  int line;
} rp_seat;

typedef struct rp_board {
  const char *id, *name, *period;
  rp_seat *seats;
  size_t n_seats;
  int line;
} rp_board;

/* ---- figures ------------------------------------------------------------- */

typedef struct rp_change {
  double value;
  const char *unit, *display, *compared; /* each may be NULL */
  int better;                            /* +1 up is good, -1 down is good, 0 not said */
} rp_change;

typedef struct rp_figure {
  const char *id; /* NULL for a case study's figure without one */
  double value;
  const char *unit;      /* free text: "MW", "t CO₂e", "%", or NULL */
  const char *currency;  /* ISO 4217, or NULL */
  const char *display;   /* "£9.5bn", or NULL: layouts print value and unit */
  const char *label;     /* "budget" */
  const char *qualifier; /* "up to", "over", "record" or NULL */
  bool has_change;
  rp_change change;
  int line;
} rp_figure;

/* Figures shown together, in order ("28 councils ➡ 7.4m residents"). */
typedef struct rp_chain {
  const char *id;
  const rp_figure **figures; /* into rp_model.figures */
  size_t n_figures;
  int line;
} rp_chain;

/* ---- members ------------------------------------------------------------- */

typedef struct rp_member {
  const char *name;
  const char *kind;   /* a kind id of="member" */
  const char *region; /* may be NULL */
  const char *place;  /* may be NULL */
  const char *href;   /* may be NULL */
  rp_date joined;     /* year 0 when absent */
  bool has_position;
  double lat, lon; /* WGS84 degrees, when has_position */
  int line;
} rp_member;

/* ---- awards -------------------------------------------------------------- */

typedef struct rp_award_category {
  const char *id; /* may be NULL */
  const char *name;
  const char **winners;
  size_t n_winners;
  const char *citation; /* plain text, or NULL */
  bool featured;
  const char *sponsor; /* may be NULL */
  int line;
} rp_award_category;

typedef struct rp_award_individual {
  const char *name;
  const char *organisation; /* may be NULL */
  const char *citation;     /* plain text, or NULL */
  const char *href;         /* the <a>'s target, or NULL */
  int line;
} rp_award_individual;

typedef struct rp_awards {
  const char *title; /* NULL when the document has no <awards>, "" when it has no title */
  int year;          /* 0 when not given */
  long votes;        /* 0 when not given */
  rp_award_category *categories;
  size_t n_categories;
  rp_award_individual *individuals;
  size_t n_individuals;
  int line;
} rp_awards;

/* ---- projects, case studies, events, plan -------------------------------- */

typedef struct rp_project {
  const char *id, *title;
  const char *lead; /* lead organisation, or NULL */
  bool has_funding, has_amount, in_kind;
  double amount;            /* when has_amount */
  const char *currency;     /* may be NULL */
  const char *funding_note; /* the funding's text, or NULL */
  const char **partners;
  size_t n_partners;
  int line;
} rp_project;

typedef struct rp_case_study {
  const char *id, *title; /* id may be NULL */
  const char *theme, *organisation, *place, *href;
  rp_figure *figures;
  size_t n_figures;
  int line;
} rp_case_study;

typedef struct rp_event {
  const char *title, *place; /* place may be NULL */
  rp_date start, end;        /* end == start for one-day events */
  const char *role;          /* a kind id of="event-role", or NULL */
  const char *region;        /* may be NULL */
  long attendance;           /* -1 when not given */
  int line;
} rp_event;

typedef enum rp_plan_status {
  RP_PLAN_UNSET,
  RP_PLAN_PLANNED,
  RP_PLAN_IN_PROGRESS,
  RP_PLAN_DONE,
  RP_PLAN_ONGOING,
  RP_PLAN_PAUSED,
  RP_PLAN_CANCELLED
} rp_plan_status;

typedef struct rp_plan_item {
  const char *title, *detail;
  const char *status; /* "planned", "in-progress", … or NULL */
  rp_plan_status state;
  rp_date due; /* year 0 when not given */
  int line;
} rp_plan_item;

/* ---- sections and tables ------------------------------------------------- */

typedef enum rp_section_type {
  RP_SECTION_GENERAL, /* <section> */
  RP_SECTION_HIGHLIGHTS,
  RP_SECTION_BOARDS,
  RP_SECTION_FIGURES,
  RP_SECTION_MEMBERS,
  RP_SECTION_AWARDS,
  RP_SECTION_PROJECTS,
  RP_SECTION_CASE_STUDIES,
  RP_SECTION_EVENTS,
  RP_SECTION_PLAN,
  RP_SECTION_CONTACT,
  RP_SECTION_TYPE_COUNT
} rp_section_type;

/* A top-level section, in document (= print) order. */
typedef struct rp_review_section {
  rp_section_type type;
  const char *element;     /* "section", "members", … */
  const char *id;          /* may be NULL */
  const char *role;        /* <section role>, or NULL */
  const char *kicker;      /* may be NULL */
  const char *title;       /* the primary title's text, or NULL */
  const rp_person *person; /* <section person>, or NULL */
  size_t n_blocks;         /* prose blocks directly in it */
  int line;
} rp_review_section;

typedef enum rp_column_type {
  RP_COLUMN_TEXT,
  RP_COLUMN_NUMBER,
  RP_COLUMN_CURRENCY,
  RP_COLUMN_PERCENT
} rp_column_type;

typedef enum rp_column_align { RP_COLUMN_LEFT, RP_COLUMN_RIGHT, RP_COLUMN_CENTER } rp_column_align;

typedef struct rp_column {
  const char *heading;
  rp_column_type type;
  rp_column_align align; /* given, or right for numeric columns, left otherwise */
} rp_column;

/* A data table, wherever prose goes. Cells stay in the tree; the model has
 * what the checks and a chart need: the columns and the row counts. */
typedef struct rp_table {
  const char *id, *role, *caption; /* each may be NULL */
  rp_column *columns;
  size_t n_columns;
  size_t n_rows, n_total_rows; /* n_rows counts the total rows too */
  int line;
} rp_table;

/* ---- the document -------------------------------------------------------- */

typedef struct rp_model {
  const char *path; /* content file as given */
  const char *dir;  /* its folder: relative asset paths resolve here */
  const char *lang; /* xml:lang of the root, e.g. "en-GB" */

  const char *org_name, *org_short_name, *org_legal;
  const char *logo, *logo_alt; /* logo path resolved against the content file */
  rp_contact org;              /* web, email, phones, addresses, socials */

  const char *title, *strapline, *period_text, *period_short;
  rp_date period_from, period_to;

  rp_kind *kinds[RP_KIND_OF_COUNT];
  size_t n_kinds[RP_KIND_OF_COUNT];

  rp_review_section *sections; /* top-level sections, in print order */
  size_t n_sections;
  rp_table *tables; /* every table, in document order */
  size_t n_tables;
  size_t n_notes; /* inline <note>s: footnotes or endnotes, as the layout says */

  rp_person *people;
  size_t n_people;
  rp_board *boards;
  size_t n_boards;
  rp_figure *figures;
  size_t n_figures;
  rp_chain *chains;
  size_t n_chains;
  rp_member *members;
  size_t n_members;
  bool members_illustrative;
  rp_awards awards; /* title NULL when the document has none */
  rp_project *projects;
  size_t n_projects;
  rp_case_study *case_studies;
  size_t n_case_studies;
  long case_study_count; /* <case-studies count>, 0 when not given */
  const char *case_study_href;
  rp_event *events;
  size_t n_events;
  rp_plan_item *plan;
  size_t n_plan;
  rp_contact contact; /* the <contact> section's details */
} rp_model;

/* Looks a person up by id; NULL if absent. */
const rp_person *rp_model_person(const rp_model *m, const char *id);
/* Looks a declared kind up; NULL if absent. */
const rp_kind *rp_model_kind(const rp_model *m, rp_kind_of of, const char *id);
/* A top-level section by id; NULL if absent. */
const rp_review_section *rp_model_section(const rp_model *m, const char *id);
/* A figure of <figures> by id; NULL if absent. */
const rp_figure *rp_model_figure(const rp_model *m, const char *id);
/* Number of distinct people sitting on any board. */
size_t rp_model_board_people(const rp_model *m);
/* Members of kind `kind` (an id of="member"). */
size_t rp_model_member_count(const rp_model *m, const char *kind);
/* Seats on every board. */
size_t rp_model_seat_count(const rp_model *m);
/* "2018-09-23" → date; returns false when malformed or impossible. */
bool rp_date_parse(const char *s, rp_date *out);
/* "2019", "2019-03" or "2019-03-14" → date with the parts given (the others
 * 0); false when malformed or impossible. */
bool rp_date_parse_partial(const char *s, rp_date *out);
/* A number as printed in a table cell: "1,234", "−3.2", "(1,200)" (negative),
 * "£12,500", "45%", "9.5bn". An empty cell or a dash ("–", "—", "-") is no
 * number: returns true with *none set. False when it is not a number. */
bool rp_model_parse_number(const char *s, double *out, bool *none);

#endif
