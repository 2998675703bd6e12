/* model — the content document as plain C structs.
 *
 * What later stages need typed (dates, numbers, people resolved by id) lives
 * here; everything else is read from the validated XML tree by XPath at bind
 * time (template/). All strings and structs are allocated from the arena
 * passed to rp_content_load and live as long as it; nothing here points into
 * libxml2. Every entity keeps the line it came from for messages. */
#ifndef RP_MODEL_MODEL_H
#define RP_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"

typedef struct rp_date {
  int year, month, day; /* all 0 when absent */
} rp_date;

typedef struct rp_social {
  const char *network; /* "twitter", … */
  const char *handle;  /* "@coopinnovation" */
  const char *url;     /* profile URL derived from network + handle */
} rp_social;

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
  RP_SEAT_MEMBER,
  RP_SEAT_CHAIR,
  RP_SEAT_VICE_CHAIR
} rp_seat_position;

typedef struct rp_seat {
  const rp_person *person;
  rp_seat_position position;
  const char **roles;
  size_t n_roles;
  const char *organisation;
  const char *organisation_kind; /* "council", "business", … */
  int line;
} rp_seat;

typedef struct rp_board {
  const char *id, *name, *period;
  rp_seat *seats;
  size_t n_seats;
  int line;
} rp_board;

typedef struct rp_figure {
  const char *id;
  double value;
  const char *unit;      /* "GBP" or NULL */
  const char *display;   /* "£9.5bn" */
  const char *label;     /* "budget" */
  const char *qualifier; /* "up to", "over", "record" or NULL */
  const char *group;     /* "scale" or NULL */
  int line;
} rp_figure;

typedef enum rp_member_kind { RP_MEMBER, RP_MEMBER_ASSOCIATE, RP_MEMBER_AFFILIATE } rp_member_kind;

typedef struct rp_member {
  const char *name;
  rp_member_kind kind;
  const char *region; /* may be NULL */
  bool has_position;
  double lat, lon; /* WGS84 degrees, when has_position */
  int line;
} rp_member;

typedef struct rp_award_category {
  const char *name;
  const char *winner;
  bool council_award;
  const char *sponsor; /* may be NULL */
  int line;
} rp_award_category;

typedef struct rp_award_individual {
  const char *name;
  const char *citation; /* plain text of the citation */
  int line;
} rp_award_individual;

typedef struct rp_awards {
  const char *title;
  int year;
  long votes;
  rp_award_category *categories;
  size_t n_categories;
  rp_award_individual *individuals;
  size_t n_individuals;
  int line;
} rp_awards;

typedef struct rp_lab {
  const char *id, *title;
  const char *lead; /* lead council, or NULL */
  size_t n_sections;
  int line;
} rp_lab;

typedef struct rp_event {
  const char *title, *place;
  rp_date start, end; /* end == start for one-day events */
  int line;
} rp_event;

typedef struct rp_plan_item {
  const char *title, *detail;
  const char *status; /* "planned", "in-progress", "done", "ongoing" or NULL */
  int line;
} rp_plan_item;

typedef struct rp_model {
  const char *path; /* content file as given */
  const char *dir;  /* its folder: relative asset paths resolve here */
  const char *lang; /* xml:lang of the root, e.g. "en-GB" */

  const char *org_name, *org_short_name, *org_web, *org_email;
  const char *logo, *logo_alt; /* logo path resolved against the content file */
  rp_social *org_socials;
  size_t n_org_socials;

  const char *title, *strapline, *period_text;
  rp_date period_from, period_to;

  rp_person *people;
  size_t n_people;
  rp_board *boards;
  size_t n_boards;
  rp_figure *figures;
  size_t n_figures;
  rp_member *members;
  size_t n_members;
  bool membership_illustrative;
  rp_awards awards; /* title NULL when the document has none */
  rp_lab *labs;
  size_t n_labs;
  long case_study_count;
  const char *case_study_href;
  rp_event *events;
  size_t n_events;
  rp_plan_item *plan;
  size_t n_plan;
} rp_model;

/* Looks a person up by id; NULL if absent. */
const rp_person *rp_model_person(const rp_model *m, const char *id);
/* Number of distinct people sitting on any board. */
size_t rp_model_board_people(const rp_model *m);
size_t rp_model_member_count(const rp_model *m, rp_member_kind kind);
/* "2018-09-23" → date; returns false when malformed or impossible. */
bool rp_date_parse(const char *s, rp_date *out);

#endif
