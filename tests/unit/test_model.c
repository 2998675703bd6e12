/* test_model — loading content documents into the model (src/model/).
 *
 * The sample document (data/ccin-2018-19.xml) checked against numbers read
 * from the printed review; small broken documents (tests/data/content/), each
 * with the message, file and line it must produce; the derived values
 * (dates, initials, names, links) against simple models; and allocation
 * failure at every point of a load. Runs from the repository root. */
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/build.h"
#include "model/content.h"
#include "testutil.h"

#define SAMPLE "data/ccin-2018-19.xml"
#define FIXTURE(name) "tests/data/content/" name

/* One load: arena, diagnostics and content, freed by unload. */
typedef struct loaded {
  rp_arena *arena;
  rp_diag diag;
  rp_content *content;
  rp_status status;
} loaded;

static loaded *load(const char *path, bool strict) {
  loaded *l = calloc(1, sizeof *l);
  assert_non_null(l);
  l->arena = rp_arena_new();
  assert_non_null(l->arena);
  rp_diag_init(&l->diag);
  l->diag.strict = strict;
  l->status = rp_content_load(l->arena, path, &l->diag, &l->content);
  return l;
}

static void unload(loaded *l) {
  rp_content_free(l->content);
  rp_arena_free(l->arena);
  rp_diag_fini(&l->diag);
  free(l);
}

/* The first diagnostic whose message contains `needle`, or NULL. */
static const rp_diag_entry *find_entry(const rp_diag *d, const char *needle) {
  for (size_t i = 0; i < d->count; i++)
    if (d->entries[i].message && strstr(d->entries[i].message, needle)) return &d->entries[i];
  return NULL;
}

static const rp_model *sample_model(void **state) {
  loaded *l = *state;
  if (l->status != RP_OK) rp_test_diag_dump(&l->diag);
  assert_int_equal(l->status, RP_OK);
  return l->content->model;
}

static int sample_setup(void **state) {
  *state = load(SAMPLE, false);
  return 0;
}

static int sample_teardown(void **state) {
  unload(*state);
  return 0;
}

static bool same_date(rp_date d, int y, int m, int day) {
  return d.year == y && d.month == m && d.day == day;
}

/* ---- the sample ----------------------------------------------------------- */

static void test_sample_loads_cleanly(void **state) {
  loaded *l = *state;
  const rp_model *m = sample_model(state);
  assert_int_equal(l->diag.errors, 0);
  assert_int_equal(l->diag.warnings, 0); /* the logo exists */
  assert_non_null(l->content->doc);
  assert_string_equal(l->content->path, SAMPLE);
  assert_non_null(strstr(m->logo, "images/ccin-logo.svg"));
  assert_string_equal(m->lang, "en-GB");
  assert_string_equal(m->org_name, "Co-operative Councils’ Innovation Network");
  assert_string_equal(m->org_short_name, "CCIN");
  assert_string_equal(m->org.web, "https://www.councils.coop");
  assert_string_equal(m->org.web_text, "www.councils.coop");
  assert_string_equal(m->org.email, "comms@councils.coop");
  assert_int_equal(m->org.n_socials, 1);
  assert_string_equal(m->org.socials[0].url, "https://twitter.com/coopinnovation");
  assert_string_equal(m->title, "Review of the year");
  assert_string_equal(m->period_text, "August 2018 – July 2019");
  assert_string_equal(m->period_short, "2018–19");
  assert_int_equal(m->contact.n_socials, 2);
  assert_string_equal(m->contact.socials[0].url, "https://twitter.com/coopcouncils");
  assert_true(same_date(m->period_from, 2018, 8, 1));
  assert_true(same_date(m->period_to, 2019, 7, 31));
  assert_int_equal(m->case_study_count, 220);
  assert_string_equal(m->case_study_href, "http://www.councils.coop/case-studies/");
}

static void test_sample_boards(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_boards, 2);
  assert_string_equal(m->boards[0].id, "board");
  assert_int_equal(m->boards[0].n_seats, 11);
  assert_string_equal(m->boards[1].name, "Values & Principles Board 2019–20");
  assert_string_equal(m->boards[1].period, "2019-20");
  assert_int_equal(m->boards[1].n_seats, 12);
  assert_int_equal(rp_model_board_people(m), 21);

  const rp_seat *chair = &m->boards[0].seats[0];
  assert_ptr_equal(chair->person, rp_model_person(m, "sharon-taylor"));
  assert_int_equal(chair->position, RP_SEAT_CHAIR);
  assert_int_equal(chair->n_roles, 2);
  assert_string_equal(chair->roles[0], "Chair of CCIN");
  assert_string_equal(chair->roles[1], "Leader");
  assert_string_equal(chair->organisation, "Stevenage Borough Council");
  assert_string_equal(chair->organisation_kind, "council");
  assert_true(chair->line > 0);
  assert_int_equal(m->boards[0].seats[3].position, RP_SEAT_VICE_CHAIR);
  assert_int_equal(m->boards[0].seats[1].position, RP_SEAT_MEMBER);
  /* Chris Penberthy sits on both boards: one person, two seats. */
  assert_ptr_equal(m->boards[0].seats[10].person, m->boards[1].seats[2].person);
  assert_int_equal(m->boards[1].seats[2].position, RP_SEAT_CHAIR);
  assert_int_equal(m->boards[1].seats[0].n_roles, 0);
  assert_string_equal(m->boards[0].seats[8].organisation,
                      "Staffordshire Labour & Co-operative Group");
}

static void test_sample_people(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_people, 21);
  const rp_person *st = rp_model_person(m, "sharon-taylor");
  assert_non_null(st);
  assert_string_equal(st->display_name, "Cllr Sharon Taylor OBE");
  assert_string_equal(st->initials, "ST");
  assert_string_equal(st->honorific, "Cllr");
  assert_string_equal(st->post_nominals, "OBE");
  assert_null(st->photo);
  assert_int_equal(st->n_socials, 1);
  assert_string_equal(st->socials[0].network, "twitter");
  assert_string_equal(st->socials[0].handle, "@SharonStevenage");
  assert_string_equal(st->socials[0].url, "https://twitter.com/SharonStevenage");
  assert_true(st->line > 0);

  assert_string_equal(rp_model_person(m, "liam-orourke")->initials, "LO");
  assert_string_equal(rp_model_person(m, "liam-orourke")->display_name, "Cllr Liam O’Rourke");
  assert_string_equal(rp_model_person(m, "clare-penny-evans")->initials, "CP");
  assert_string_equal(rp_model_person(m, "jonathan-bland")->display_name, "Jonathan Bland");
  assert_null(rp_model_person(m, "jonathan-bland")->honorific);
  assert_null(rp_model_person(m, "nobody"));
}

static void test_sample_events(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_events, 12);
  const rp_event *e = &m->events[0];
  assert_string_equal(e->title, "Labour Party Conference");
  assert_string_equal(e->place, "Liverpool");
  assert_true(same_date(e->start, 2018, 9, 23));
  assert_true(same_date(e->end, 2018, 9, 26));
  e = &m->events[4];
  assert_string_equal(e->title, "Strategy Session for Member Councils");
  assert_true(same_date(e->start, 2019, 1, 9));
  assert_true(same_date(e->end, 2019, 1, 9)); /* one day: end == start */
  e = &m->events[11];
  assert_string_equal(e->title, "Local Government Association Annual Conference & Exhibition");
  assert_string_equal(e->place, "Bournemouth");
  assert_true(same_date(e->start, 2019, 7, 2));
  assert_true(same_date(e->end, 2019, 7, 4));
  assert_true(same_date(m->events[3].start, 2018, 11, 10));
  assert_true(same_date(m->events[3].end, 2018, 11, 10));
  for (size_t i = 1; i < m->n_events; i++) {
    assert_true(m->events[i].line > m->events[i - 1].line);
    assert_true(rp_date_cmp(m->events[i].start, m->events[i - 1].start) > 0);
  }
}

static void test_sample_awards(void **state) {
  const rp_model *m = sample_model(state);
  const rp_awards *aw = &m->awards;
  assert_string_equal(aw->title, "Co-operative of the Year Awards 2019");
  assert_int_equal(aw->year, 2019);
  assert_int_equal(aw->votes, 33000);
  assert_int_equal(aw->n_categories, 4);
  for (size_t i = 0; i < aw->n_categories; i++) {
    assert_int_equal(aw->categories[i].n_winners, 1);
    assert_true(aw->categories[i].winners[0][0] != '\0');
  }
  assert_string_equal(aw->categories[0].name, "Breakthrough co-op of the year");
  assert_string_equal(aw->categories[0].winners[0], "Bristol Wood Recycling Project");
  assert_false(aw->categories[0].featured);
  assert_null(aw->categories[0].sponsor);
  assert_true(aw->categories[3].featured);
  assert_string_equal(aw->categories[3].sponsor, "CCIN");
  assert_string_equal(aw->categories[3].winners[0], "South Tyneside Council");
  assert_int_equal(aw->n_individuals, 2);
  assert_string_equal(aw->individuals[0].name, "Lorraine Power");
  assert_null(aw->individuals[0].citation);
  assert_string_equal(aw->individuals[0].organisation, "Leeds Bread Co-op");
  assert_string_equal(aw->individuals[1].organisation, "Daily Bread Co-op");
  assert_null(aw->individuals[1].href);
  assert_string_equal(aw->individuals[1].citation, "founder");
  assert_string_equal(aw->individuals[1].name, "Roger Sawtell");
}

static void test_sample_projects(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_projects, 5);
  assert_string_equal(m->projects[0].id, "sustainable-food");
  assert_string_equal(m->projects[0].title, "Co-operative Approaches to Sustainable Food");
  assert_null(m->projects[0].lead);
  assert_int_equal(m->projects[0].n_partners, 1);
  assert_string_equal(m->projects[0].partners[0], "Sustainable Food Cities");
  assert_false(m->projects[0].has_funding); /* the source gives no amount per project */
  assert_string_equal(m->projects[1].lead, "Stevenage Borough Council");
  assert_string_equal(m->projects[2].lead, "Plymouth City Council");
  assert_string_equal(m->projects[4].id, "achieving-social-outcomes");
}

/* The vocabulary: the kinds and the labels the layouts print. */
static void test_sample_kinds(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_kinds[RP_KIND_MEMBER], 3);
  assert_int_equal(m->n_kinds[RP_KIND_ORGANISATION], 5);
  assert_int_equal(m->n_kinds[RP_KIND_EVENT_ROLE], 0);
  const rp_kind *k = rp_model_kind(m, RP_KIND_MEMBER, "member");
  assert_non_null(k);
  assert_string_equal(k->label, "Member council");
  assert_string_equal(k->plural, "Member councils");
  assert_string_equal(rp_model_kind(m, RP_KIND_MEMBER, "associate")->plural, "Associate members");
  assert_string_equal(rp_model_kind(m, RP_KIND_MEMBER, "affiliate")->plural, "Affiliates");
  assert_string_equal(rp_model_kind(m, RP_KIND_ORGANISATION, "trade-union")->label, "Trade union");
  assert_null(rp_model_kind(m, RP_KIND_MEMBER, "council")); /* an organisation kind */
  assert_null(rp_model_kind(m, RP_KIND_EVENT_ROLE, "member"));
}

/* The sections in print order, with what layouts need of each. */
static void test_sample_sections(void **state) {
  const rp_model *m = sample_model(state);
  static const char *const order[] = {"about",        "foreword", "highlights", "figures",
                                      "boards",       "members",  "awards",     "projects",
                                      "case-studies", "events",   "plan",       "contact"};
  assert_int_equal(m->n_sections, 12);
  for (size_t i = 0; i < m->n_sections; i++) {
    assert_string_equal(m->sections[i].id, order[i]);
    if (i) assert_true(m->sections[i].line > m->sections[i - 1].line);
  }
  const rp_review_section *about = rp_model_section(m, "about");
  assert_int_equal(about->type, RP_SECTION_GENERAL);
  assert_string_equal(about->role, "about");
  assert_string_equal(about->kicker, "About the Network");
  assert_string_equal(about->title,
                      "Committed to finding better ways of working with local people");
  assert_int_equal(about->n_blocks, 2); /* the key points and a paragraph */
  const rp_review_section *fw = rp_model_section(m, "foreword");
  assert_string_equal(fw->role, "foreword");
  assert_ptr_equal(fw->person, rp_model_person(m, "sharon-taylor"));
  assert_int_equal(fw->n_blocks, 1); /* the pull quote; the signature is no block */
  assert_int_equal(rp_model_section(m, "members")->type, RP_SECTION_MEMBERS);
  assert_string_equal(rp_model_section(m, "members")->element, "members");
  assert_string_equal(rp_model_section(m, "projects")->kicker, "Policy Labs");
  assert_int_equal(rp_model_section(m, "projects")->n_blocks, 3); /* the intro */
  assert_null(rp_model_section(m, "policy-labs"));
  assert_int_equal(m->n_tables, 0);
}

static void test_sample_membership(void **state) {
  const rp_model *m = sample_model(state);
  assert_true(m->members_illustrative);
  assert_int_equal(m->n_members, 43);
  assert_int_equal(rp_model_member_count(m, "member"), 28);
  assert_int_equal(rp_model_member_count(m, "associate"), 6);
  assert_int_equal(rp_model_member_count(m, "affiliate"), 9);
  assert_int_equal(rp_model_member_count(m, "council"), 0);
  const rp_member *first = &m->members[0];
  assert_string_equal(first->name, "Stevenage Borough Council");
  assert_string_equal(first->region, "East of England");
  assert_true(first->has_position);
  assert_true(fabs(first->lat - 51.9020) < 1e-9);
  assert_true(fabs(first->lon - -0.2000) < 1e-9);
  for (size_t i = 0; i < m->n_members; i++)
    assert_int_equal(m->members[i].has_position, strcmp(m->members[i].kind, "affiliate") != 0);
}

static void test_sample_figures(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_figures, 7);
  const rp_figure *f = &m->figures[1];
  assert_string_equal(f->id, "residents");
  assert_true(f->value == 7400000.0);
  assert_string_equal(f->display, "7.4m");
  assert_null(f->unit);
  assert_null(f->currency);
  assert_false(f->has_change);
  f = &m->figures[2];
  assert_string_equal(f->id, "budget");
  assert_true(f->value == 9.5e9);
  assert_null(f->unit);
  assert_string_equal(f->currency, "GBP");
  assert_string_equal(f->display, "£9.5bn");
  assert_string_equal(f->label, "budget");
  assert_string_equal(m->figures[4].qualifier, "up to");
  assert_true(m->figures[4].value == 10000.0);
  /* "28 Councils ➡ 7.4m residents ➡ £9.5bn budget". */
  assert_int_equal(m->n_chains, 1);
  assert_string_equal(m->chains[0].id, "scale");
  assert_int_equal(m->chains[0].n_figures, 3);
  assert_ptr_equal(m->chains[0].figures[0], rp_model_figure(m, "councils"));
  assert_ptr_equal(m->chains[0].figures[2], rp_model_figure(m, "budget"));
}

static void test_sample_plan(void **state) {
  const rp_model *m = sample_model(state);
  assert_int_equal(m->n_plan, 5);
  assert_string_equal(m->plan[0].title, "Induction Programme");
  assert_string_equal(m->plan[0].detail, "pre-Christmas Phase 1 launch");
  assert_string_equal(m->plan[0].status, "in-progress");
  assert_string_equal(m->plan[2].detail, "Working with our MPs & Peers");
  assert_string_equal(m->plan[4].status, "planned");
  assert_int_equal(m->plan[4].state, RP_PLAN_PLANNED);
  assert_int_equal(m->plan[0].state, RP_PLAN_IN_PROGRESS);
  assert_int_equal(m->plan[0].due.year, 0);
}

/* The model outlives the tree: nothing in it may point into libxml2 (ASan
 * reports a use after free otherwise). */
static void test_model_outlives_tree(void **state) {
  loaded *l = load(SAMPLE, false);
  assert_int_equal(l->status, RP_OK);
  const rp_model *m = l->content->model;
  rp_content_free(l->content);
  l->content = NULL;
  size_t total = 0;
  for (size_t i = 0; i < m->n_people; i++)
    total += strlen(m->people[i].display_name) + strlen(m->people[i].name);
  for (size_t i = 0; i < m->n_events; i++) total += strlen(m->events[i].title);
  for (size_t i = 0; i < m->n_members; i++) total += strlen(m->members[i].name);
  total += strlen(m->org_name) + strlen(m->lang) + strlen(m->awards.individuals[1].citation);
  assert_true(total > 1000);
  unload(l);
}

/* ---- small documents ------------------------------------------------------ */

/* A <br/> separates words in XPath string values too (titles and straplines
 * reach bookmarks and alt text through {…}). */
static void test_line_break_is_a_space_in_string_values(void **state) {
  (void)state;
  loaded *l = load("data/seren-solas-2024-25.xml", false);
  assert_int_equal(l->status, RP_OK);
  xmlXPathContextPtr ctx = xmlXPathNewContext(l->content->doc);
  assert_non_null(ctx);
  xmlXPathObjectPtr v = xmlXPathEvalExpression((const xmlChar *)"string(/review/strapline)", ctx);
  assert_non_null(v);
  assert_non_null(strstr((const char *)v->stringval, "Isles: power"));
  xmlXPathFreeObject(v);
  xmlXPathFreeContext(ctx);
  unload(l);
}

static void test_valid_fixture(void **state) {
  loaded *l = load(FIXTURE("valid.xml"), false);
  if (l->status != RP_OK) rp_test_diag_dump(&l->diag);
  assert_int_equal(l->status, RP_OK);
  const rp_model *m = l->content->model;
  assert_string_equal(m->org_name, "Test Councils’ Network"); /* whitespace collapsed */
  assert_string_equal(m->org.socials[0].url, "https://mastodon.social/@test");
  /* A missing logo is a warning, and no logo in the model. */
  assert_int_equal(l->diag.errors, 0);
  assert_int_equal(l->diag.warnings, 1);
  const rp_diag_entry *e = find_entry(&l->diag, "not found");
  assert_non_null(e);
  assert_int_equal(e->severity, RP_SEV_WARNING);
  assert_int_equal(e->line, 7);
  assert_null(m->logo);
  assert_string_equal(m->logo_alt, "Test logo");
  /* A photo that exists is kept, as a path relative to the working folder. */
  const rp_person *ann = rp_model_person(m, "ann-lee");
  assert_string_equal(ann->photo, "tests/data/content/images/ann-lee.png");
  assert_string_equal(ann->display_name, "Dr Ann Lee");
  assert_string_equal(rp_model_person(m, "bo-o-neill")->initials, "BO");
  assert_int_equal(m->boards[0].seats[1].n_roles, 0);
  assert_null(m->boards[0].seats[1].organisation);
  assert_int_equal(rp_model_member_count(m, "member"), 1);
  assert_false(m->members[1].has_position);
  assert_true(same_date(m->events[0].end, 2019, 3, 1));
  assert_true(same_date(m->events[1].start, 2020, 2, 29));
  assert_true(same_date(m->events[1].end, 2020, 2, 29));
  assert_null(m->awards.title); /* no <awards> */
  assert_int_equal(m->n_projects, 0);
  assert_non_null(strstr(l->content->root, "tests/data"));
  unload(l);
}

static void test_strict_makes_warnings_errors(void **state) {
  loaded *l = load(FIXTURE("valid.xml"), true);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_null(l->content);
  assert_true(rp_test_diag_has(&l->diag, "not found"));
  unload(l);
}

typedef struct broken_case {
  const char *file;
  const char *fragment;
  int line;
} broken_case;

static const broken_case broken[] = {
    {"malformed.xml", "Opening and ending tag mismatch", 15},
    {"unknown-element.xml", "Did not expect element venue", 15},
    {"missing-attribute.xml", "Element event", 15},
    {"bad-date.xml", "2019-02-30", 15},
    {"date-timezone.xml", "<event start=\"2019-03-01Z\"> needs a start date written as YYYY-MM-DD",
     15},
    {"end-before-start.xml",
     "<event> ends (2018-09-20) before it starts (2018-09-23): check the dates", 15},
    {"unknown-person.xml", "no <person id=\"nobody\"> in <people>: add the person or fix the id",
     16},
    {"duplicate-id.xml", "<person id=\"ann-lee\"> repeats the id of the person on line 11", 12},
    {"billion-laughs.xml", "entity declarations are not allowed", 4},
    {"xinclude-escape.xml", "lies outside the document's folder", 12},
    {"photo-escape.xml", "path escapes the project folder", 12},
    {"outside-uk.xml", "is outside the UK", 15},
    {"bad-href.xml", "Element a", 15},
    {"empty.xml", "Document is empty", 1},
    {"does-not-exist.xml", "cannot open the file", 0},
    {"version-1.xml",
     "this is a version 1 content document; reviewpdf reads version 2: see docs/content.md, "
     "\"Migrating from version 1\"",
     3},
};

/* Each broken document fails with RP_ERR_INPUT, no content, and an error
 * naming the file and line. */
static void test_broken_documents(void **state) {
  for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
    char path[256];
    snprintf(path, sizeof path, FIXTURE("%s"), broken[i].file);
    loaded *l = load(path, false);
    const rp_diag_entry *e = find_entry(&l->diag, broken[i].fragment);
    if (l->status != RP_ERR_INPUT || !e || !e->file || strcmp(e->file, path) != 0 ||
        e->line != broken[i].line) {
      print_error("%s: expected \"%s\" on line %d; got:\n", path, broken[i].fragment,
                  broken[i].line);
      rp_test_diag_dump(&l->diag);
    }
    assert_int_equal(l->status, RP_ERR_INPUT);
    assert_null(l->content);
    assert_non_null(e);
    assert_int_equal(e->severity, RP_SEV_ERROR);
    assert_int_equal(e->status, RP_ERR_INPUT);
    assert_string_equal(e->file, path);
    assert_int_equal(e->line, broken[i].line);
    unload(l);
  }
}

static void test_malformed_has_column(void **state) {
  loaded *l = load(FIXTURE("malformed.xml"), false);
  const rp_diag_entry *e = find_entry(&l->diag, "mismatch");
  assert_non_null(e);
  assert_int_equal(e->col, 56);
  unload(l);
}

static void test_three_errors_all_reported(void **state) {
  loaded *l = load(FIXTURE("three-errors.xml"), false);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.errors, 3);
  assert_int_equal(l->diag.count, 3);
  const char *fragments[3] = {"no <person id=\"ghost\">", "<figure id=\"members\"> repeats",
                              "<event> ends (2019-05-01) before it starts (2019-05-02)"};
  const int lines[3] = {10, 15, 19};
  for (int i = 0; i < 3; i++) {
    assert_non_null(strstr(l->diag.entries[i].message, fragments[i]));
    assert_int_equal(l->diag.entries[i].line, lines[i]);
    assert_string_equal(l->diag.entries[i].file, FIXTURE("three-errors.xml"));
  }
  unload(l);
}

/* Every other check, each reported, in document order. */
static void test_more_errors_all_reported(void **state) {
  static const broken_case expected[] = {
      {NULL, "<period> ends (2019-01-01) before it starts (2019-12-31)", 5},
      {NULL, "<person photo=\"../../../etc/passwd\">: path escapes the project folder", 9},
      {NULL, "needs the server: write the handle as @name@server", 10},
      {NULL, "<item ref=\"awards\"> names no section", 14},
      {NULL, "<board period=\"2019-18\"> ends before it starts", 16},
      {NULL, "<seat person=\"ann-lee\"> repeats the seat on line 18", 19},
      {NULL, "<board id=\"board\"> repeats the id of the board on line 16", 21},
      {NULL,
       "<member kind=\"member\">: the kind \"member\" is not declared (the document declares no "
       "kinds of=\"member\"); declare it in <vocabulary>: <kinds of=\"member\"><kind "
       "id=\"member\" label=\"…\"/></kinds>",
       25},
      {NULL, "<member lat=\"40.7128\" lon=\"-74.006\"> is outside the UK", 25},
      {NULL, "<member lat=\"-2.1561\" lon=\"53.6097\"> is outside the UK", 26},
      {NULL, "<project id=\"food\"> repeats the id of the project on line 30", 31},
      {NULL, "<case-study id=\"food\"> repeats the id of the case study on line 35", 36},
      {NULL, "<events id=\"about\"> repeats the id of <section> on line 12", 38},
      {NULL, "<plan> ends (to=\"2018\") before it starts (from=\"2020\")", 42},
  };
  size_t n = sizeof expected / sizeof expected[0];
  loaded *l = load(FIXTURE("more-errors.xml"), false);
  if (l->diag.count != n) rp_test_diag_dump(&l->diag);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.count, n);
  for (size_t i = 0; i < n; i++) {
    if (!strstr(l->diag.entries[i].message, expected[i].fragment))
      print_error("entry %zu: %s\n", i, l->diag.entries[i].message);
    assert_non_null(strstr(l->diag.entries[i].message, expected[i].fragment));
    assert_int_equal(l->diag.entries[i].line, expected[i].line);
  }
  /* The highlights message lists the ids there are. */
  assert_non_null(strstr(l->diag.entries[3].message, "about, foreword, highlights, boards"));
  unload(l);
}

/* A version 1 document: one error (no cascade of schema errors). */
static void test_version_1_one_error(void **state) {
  loaded *l = load(FIXTURE("version-1.xml"), false);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.count, 1);
  unload(l);
}

/* Each version 2 check, each reported, in document order. */
static void test_v2_errors_all_reported(void **state) {
  static const broken_case expected[] = {
      {NULL,
       "<social network=\"pixelfed\" handle=\"@x\">: reviewpdf cannot make a profile link "
       "for the network \"pixelfed\": add href=\"https://…\"",
       4},
      {NULL, "<kind id=\"full\"> is declared twice for members (first on line 8)", 8},
      {NULL, "<section person=\"nobody\">: no <person id=\"nobody\"> in <people>", 11},
      {NULL, "<row> 1 of the table has 1 cell, but the table has 2 columns", 14},
      {NULL,
       "<cell> \"about £3k\" (row 2, column 2 \"2019\") is not a number, but the column "
       "is of type currency",
       15},
      {NULL,
       "<item ref=\"nowhere\"> names no section in this document: use one of the section "
       "ids (money)",
       18},
      {NULL,
       "<organisation kind=\"charity\">: the kind \"charity\" is not declared (the document "
       "declares no kinds of=\"organisation\"); declare it in <vocabulary>: <kinds "
       "of=\"organisation\"><kind id=\"charity\" label=\"…\"/></kinds>",
       19},
      {NULL, "<chain id=\"c\" figures=\"a b\">: no <figure id=\"b\"> in <figures>", 20},
      {NULL,
       "<member kind=\"associate\">: the kind \"associate\" is not declared (declared for "
       "members: full)",
       22},
      {NULL, "<member> has lat but not lon: give both lat and lon, or neither", 23},
      {NULL, "<member joined=\"2019-02-30\"> must be a year, a month or a day that exists", 24},
      {NULL, "<funding> needs amount=\"…\"", 27},
      {NULL, "<funding in-kind=\"true\"> needs a note saying what was given", 28},
      {NULL, "<event role=\"spoke\">: the kind \"spoke\" is not declared", 30},
      {NULL, "<item due=\"2019-3\"> must be a year, a month or a day", 31},
      {NULL, "<members> appears a second time (the first is on line 21)", 32},
  };
  size_t n = sizeof expected / sizeof expected[0];
  loaded *l = load(FIXTURE("v2-errors.xml"), false);
  if (l->diag.count != n) rp_test_diag_dump(&l->diag);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.count, n);
  for (size_t i = 0; i < n; i++) {
    if (!strstr(l->diag.entries[i].message, expected[i].fragment))
      print_error("entry %zu: %s\n", i, l->diag.entries[i].message);
    assert_non_null(strstr(l->diag.entries[i].message, expected[i].fragment));
    assert_int_equal(l->diag.entries[i].line, expected[i].line);
    assert_string_equal(l->diag.entries[i].file, FIXTURE("v2-errors.xml"));
  }
  unload(l);
}

/* Everything version 2 adds, valid, in the model. */
static void test_full_fixture(void **state) {
  loaded *l = load(FIXTURE("full.xml"), false);
  if (l->status != RP_OK || l->diag.count) rp_test_diag_dump(&l->diag);
  assert_int_equal(l->status, RP_OK);
  assert_int_equal(l->diag.count, 0); /* no warning either: the image exists */
  const rp_model *m = l->content->model;
  /* The first title and name are the primary ones. */
  assert_string_equal(m->title, "Review of the year");
  assert_string_equal(m->org_name, "Ynni Cymunedol Test");
  assert_string_equal(m->org_legal, "Registered society no. 1234");
  assert_string_equal(m->period_short, "2024–25");
  /* Contact details. */
  assert_int_equal(m->org.n_phones, 1);
  assert_string_equal(m->org.phones[0].label, "Office");
  assert_string_equal(m->org.phones[0].number, "029 2000 0000");
  assert_int_equal(m->org.n_addresses, 1);
  assert_string_equal(m->org.addresses[0].label, "Cardiff office");
  assert_int_equal(m->org.addresses[0].n_lines, 2);
  assert_string_equal(m->org.addresses[0].lines[1], "Cardiff CF10 1AA");
  assert_string_equal(m->org.socials[0].url, "https://bsky.app/profile/test.bsky.social");
  assert_string_equal(m->org.socials[1].url, "https://pixelfed.social/test"); /* href */
  assert_string_equal(rp_model_person(m, "ann-lee")->socials[0].url, "https://x.com/annlee");
  assert_string_equal(m->contact.socials[0].url, "https://www.threads.net/@test");
  assert_string_equal(m->contact.phones[0].number, "029 2000 0001");
  /* Kinds, with a translation. */
  const rp_kind *full = rp_model_kind(m, RP_KIND_MEMBER, "full");
  assert_string_equal(full->plural, "Full members");
  assert_string_equal(full->color, "#5b2a86");
  assert_int_equal(full->n_translations, 1);
  assert_string_equal(full->translations[0].lang, "cy");
  assert_string_equal(full->translations[0].plural, "Aelodau llawn");
  assert_string_equal(rp_model_kind(m, RP_KIND_MEMBER, "supporter")->plural, "Supporter");
  assert_string_equal(m->boards[0].seats[0].organisation_kind, "charity");
  assert_int_equal(m->boards[0].seats[0].position, RP_SEAT_TREASURER);
  /* Sections and tables. */
  assert_int_equal(m->n_sections, 12);
  assert_string_equal(m->sections[0].role, "finance");
  assert_string_equal(m->sections[0].kicker, "Money");
  assert_int_equal(m->sections[0].n_blocks, 3); /* p, table, image; not the signature */
  assert_ptr_equal(m->sections[1].person, rp_model_person(m, "ann-lee"));
  assert_string_equal(m->sections[1].title, "Letter");
  assert_int_equal(m->n_tables, 2);
  const rp_table *t = &m->tables[0];
  assert_string_equal(t->id, "income");
  assert_string_equal(t->caption, "Income and expenditure");
  assert_int_equal(t->n_columns, 4);
  assert_int_equal(t->n_rows, 3);
  assert_int_equal(t->n_total_rows, 1);
  assert_int_equal(t->columns[0].type, RP_COLUMN_TEXT);
  assert_int_equal(t->columns[0].align, RP_COLUMN_LEFT);
  assert_int_equal(t->columns[1].type, RP_COLUMN_CURRENCY);
  assert_int_equal(t->columns[1].align, RP_COLUMN_RIGHT);  /* numbers align right */
  assert_int_equal(t->columns[2].align, RP_COLUMN_CENTER); /* unless told */
  assert_string_equal(t->columns[3].heading, "Share");
  /* Figures with units, currency, a change; the chain in its own order. */
  const rp_figure *cap = rp_model_figure(m, "capacity");
  assert_string_equal(cap->unit, "MW");
  assert_true(cap->has_change);
  assert_true(cap->change.value == -3.2);
  assert_string_equal(cap->change.display, "−3.2 %");
  assert_string_equal(cap->change.compared, "2023–24");
  assert_int_equal(cap->change.better, 1);
  assert_string_equal(rp_model_figure(m, "grants")->currency, "GBP");
  assert_int_equal(m->chains[0].n_figures, 2);
  assert_ptr_equal(m->chains[0].figures[0], rp_model_figure(m, "grants"));
  assert_ptr_equal(m->chains[0].figures[1], cap);
  /* Members: place, joined (year, month, day as given), Ireland on the map. */
  assert_string_equal(m->members[0].place, "Cardiff");
  assert_string_equal(m->members[0].href, "https://example.org/c");
  assert_true(same_date(m->members[0].joined, 2019, 3, 0));
  assert_true(same_date(m->members[1].joined, 2020, 0, 0));
  assert_true(same_date(m->members[2].joined, 2021, 6, 30));
  assert_true(m->members[1].has_position); /* Galway: −9.05 E */
  assert_int_equal(rp_model_member_count(m, "full"), 2);
  /* Awards: two winners, a citation, an individual's organisation and link. */
  const rp_award_category *cat = &m->awards.categories[0];
  assert_string_equal(cat->id, "best");
  assert_int_equal(cat->n_winners, 2);
  assert_string_equal(cat->winners[1], "Two");
  assert_string_equal(cat->citation, "Joint winners.");
  assert_true(cat->featured);
  assert_string_equal(m->awards.individuals[0].organisation, "Bo Co-op");
  assert_string_equal(m->awards.individuals[0].href, "https://example.org/bo");
  /* Projects: an amount, an in-kind grant with its note. */
  assert_true(m->projects[0].has_funding && m->projects[0].has_amount);
  assert_true(m->projects[0].amount == 10000.0);
  assert_string_equal(m->projects[0].currency, "GBP");
  assert_string_equal(m->projects[0].partners[0], "Council");
  assert_true(m->projects[1].in_kind);
  assert_false(m->projects[1].has_amount);
  assert_string_equal(m->projects[1].funding_note, "Office space for a year");
  /* Case study, event, plan. */
  assert_int_equal(m->n_case_studies, 1);
  assert_string_equal(m->case_studies[0].organisation, "Cardiff Co-op");
  assert_string_equal(m->case_studies[0].place, "Cardiff");
  assert_int_equal(m->case_studies[0].n_figures, 1);
  assert_string_equal(m->case_studies[0].figures[0].unit, "kWh");
  assert_null(m->case_studies[0].figures[0].id);
  assert_string_equal(m->events[0].role, "hosted");
  assert_string_equal(m->events[0].region, "Wales");
  assert_int_equal(m->events[0].attendance, 350);
  assert_int_equal(m->plan[0].state, RP_PLAN_PAUSED);
  assert_true(same_date(m->plan[0].due, 2026, 3, 0));
  unload(l);
}

static void test_billion_laughs_refused_quickly(void **state) {
  clock_t t0 = clock();
  loaded *l = load(FIXTURE("billion-laughs.xml"), false);
  double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.errors, 1);
  assert_true(seconds < 1.0);
  unload(l);
}

static void test_xinclude_inside_folder(void **state) {
  loaded *l = load(FIXTURE("xinclude.xml"), false);
  if (l->status != RP_OK) rp_test_diag_dump(&l->diag);
  assert_int_equal(l->status, RP_OK);
  const rp_model *m = l->content->model;
  assert_int_equal(m->n_people, 2);
  const rp_person *bo = rp_model_person(m, "bo-lee");
  assert_non_null(bo);
  assert_string_equal(bo->display_name, "Cllr Bo Lee");
  assert_int_equal(bo->line, 3); /* its line in parts/people.xml */
  /* Paths stay relative to the content document, wherever the text came from. */
  assert_string_equal(bo->photo, "tests/data/content/images/ann-lee.png");
  assert_int_equal(m->n_events, 2);
  assert_int_equal(m->events[0].line, 5);
  assert_true(same_date(m->events[1].end, 2019, 5, 3));
  unload(l);
}

static void test_xinclude_errors_name_the_included_file(void **state) {
  loaded *l = load(FIXTURE("xinclude-bad.xml"), false);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.errors, 1);
  const rp_diag_entry *e = &l->diag.entries[0];
  assert_string_equal(e->file, FIXTURE("parts/people-dup.xml"));
  assert_int_equal(e->line, 3);
  assert_non_null(strstr(e->message, "line 11 of " FIXTURE("xinclude-bad.xml")));
  unload(l);
}

static void test_photo_escapes(void **state) {
  loaded *l = load(FIXTURE("photo-escape.xml"), false);
  assert_int_equal(l->status, RP_ERR_INPUT);
  assert_int_equal(l->diag.errors, 2);
  assert_int_equal(l->diag.entries[0].line, 12);
  assert_int_equal(l->diag.entries[1].line, 13);
  assert_non_null(strstr(l->diag.entries[1].message, "/etc/hostname"));
  unload(l);
}

/* A photo inside the project folder that is a symbolic link leading out. */
static void test_photo_symlink_escape(void **state) {
  char dir[4200], path[4300], link[4300];
  snprintf(dir, sizeof dir, "%s/proj", rp_test_tmpdir());
  mkdir(dir, 0777);
  snprintf(dir, sizeof dir, "%s/proj/data", rp_test_tmpdir());
  mkdir(dir, 0777);
  snprintf(link, sizeof link, "%s/ann.png", dir);
  unlink(link);
  const char *outside = rp_test_write("outside.png", "not in the project");
  assert_int_equal(symlink(outside, link), 0);
  snprintf(path, sizeof path, "%s/doc.xml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(
      "<review version=\"2\" xml:lang=\"en\">\n"
      "<organisation><name>N</name></organisation>\n"
      "<period from=\"2019-01-01\" to=\"2019-12-31\">2019</period><title>T</title>\n"
      "\n"
      "\n"
      "\n"
      "<people><person id=\"ann\" photo=\"ann.png\"><name>Ann</name></person></people>\n"
      "<section id=\"about\"><title>A</title><p>P</p></section>\n"
      "</review>\n",
      f);
  fclose(f);
  loaded *l = load(path, false);
  assert_int_equal(l->status, RP_ERR_INPUT);
  const rp_diag_entry *e = find_entry(&l->diag, "through a symbolic link");
  assert_non_null(e);
  assert_int_equal(e->line, 7);
  unload(l);
}

/* Fault injection: the arena fails at its 1st, 2nd, … allocation. Every run
 * fails cleanly (no content, an error, no leak) until one succeeds. */
static void arena_failure_at_every_allocation(const char *path, size_t people) {
  for (unsigned long n = 1;; n++) {
    assert_true(n < 100000);
    rp_arena *a = rp_arena_new();
    rp_diag d;
    rp_diag_init(&d);
    rp_content *c = NULL;
    rp_arena_fail_after(a, n);
    rp_status st = rp_content_load(a, path, &d, &c);
    if (st == RP_OK) {
      assert_non_null(c);
      assert_int_equal(c->model->n_people, people);
      rp_content_free(c);
      rp_arena_free(a);
      rp_diag_fini(&d);
      assert_true(n > 10);
      break;
    }
    assert_null(c);
    assert_true(d.errors > 0);
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
}

static void test_arena_failure_at_every_allocation(void **state) {
  arena_failure_at_every_allocation(FIXTURE("valid.xml"), 2);
  arena_failure_at_every_allocation(FIXTURE("full.xml"), 1); /* every version 2 part */
}

/* ---- building from trees the schema never saw ---------------------------- */

static rp_status build_text(const char *xml, rp_diag *d, rp_model **m, rp_arena *a) {
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "mem.xml", NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  rp_status st = rp_model_build(a, doc, "mem.xml", NULL, d, m);
  xmlFreeDoc(doc);
  return st;
}

/* Without the schema every required part may be missing: errors or NULL
 * fields, never a crash (ASan and UBSan watch). */
static void test_build_survives_invalid_trees(void **state) {
  static const char *docs[] = {
      "<review/>",
      "<other/>",
      "<review><people><person/><person id='a'/><person id='a'><name/></person>"
      "<person id='u' photo='https://example.com/u.png'/></people>"
      "<boards><board><seat/><seat person='a' position='boss'/><seat person='zz'/></board>"
      "<board id='b'/></boards><figures><figure/><figure id='f' value='x'/></figures>"
      "<members illustrative='maybe'><member/><member kind='member' lat='1'/>"
      "<member kind='member' lat='a' lon='b'/></members>"
      "<awards year='19' votes='-1'><category/><individuals><individual/></individuals></awards>"
      "<projects><project/><project/></projects><case-studies count='x'><case-study/>"
      "</case-studies><events><event/><event start='2019-01-01' end='nope'/></events>"
      "<plan from='20x0'><item/></plan><contact><web href='javascript:alert(1)'/><social/>"
      "<social network='x' handle='@y@z'/>"
      "</contact><section person='q'/><highlights><item/><item ref='none'/></highlights>"
      "<period/><organisation><logo/><web/></organisation></review>",
      /* Version 2 parts, each broken. */
      "<review><vocabulary><kinds/><kinds of='x'><kind/></kinds><kinds of='member'><kind/>"
      "<kind id='a'><translation/></kind><kind id='a' label='A'/></kinds></vocabulary>"
      "<title/><section><title> </title><table/><table><columns/><row><cell/></row></table>"
      "<table><columns><column type='number'/></columns><row/><row><cell>x</cell><cell/></row>"
      "</table><list><item><list><item><table><row/></table></item></list></item></list>"
      "<callout><image/></callout></section>"
      "<figures><figure><change/></figure><figure id='f'><change value='q' better='sideways'/>"
      "</figure><chain/><chain id='c' figures=''/><chain id='c' figures='f  nope '/></figures>"
      "<members><member kind='a' joined='19'/><member kind='zz'/><member kind='zz'/></members>"
      "<members/><projects><project><funding/></project><project id='p'>"
      "<funding in-kind='yes' amount='x'/></project></projects>"
      "<case-studies><case-study><figures><figure/></figures></case-study></case-studies>"
      "<events><event role='r' attendance='-3'/></events><plan><item status='x' due='2019-13'/>"
      "</plan><contact><phone/><address><line/></address><social network='zz' handle='@a'/>"
      "</contact><awards><category><winner/><winner/></category><individuals><individual><a/>"
      "</individual></individuals></awards></review>",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    rp_arena *a = rp_arena_new();
    rp_diag d;
    rp_diag_init(&d);
    rp_model *m = NULL;
    rp_status st = build_text(docs[i], &d, &m, a);
    if (i == 0) {
      assert_int_equal(st, RP_OK); /* nothing there, nothing wrong */
      assert_non_null(m);
      assert_int_equal(m->n_people, 0);
    } else {
      assert_int_equal(st, RP_ERR_INPUT);
      assert_null(m);
    }
    if (i == 1) assert_true(rp_test_diag_has(&d, "root element must be <review>"));
    if (i == 2) {
      assert_true(rp_test_diag_has(&d, "<event> needs a start date (start=\"YYYY-MM-DD\")"));
      assert_true(rp_test_diag_has(&d, "<seat> needs a person attribute"));
      assert_true(
          rp_test_diag_has(&d, "<seat position=\"boss\"> must be chair, vice-chair, co-chair"));
      assert_true(rp_test_diag_has(&d, "<member> has lat but not lon"));
      assert_true(rp_test_diag_has(&d, "<figure value=\"x\"> must be a number"));
      assert_true(rp_test_diag_has(&d, "<awards year=\"19\"> must be a year"));
      assert_true(rp_test_diag_has(&d, "<awards votes=\"-1\"> must be a whole number"));
      assert_true(rp_test_diag_has(&d, "<members illustrative=\"maybe\">"));
      assert_true(rp_test_diag_has(&d, "<period> needs a first-day date"));
      assert_true(rp_test_diag_has(&d, "<event end=\"nope\">"));
      assert_true(
          rp_test_diag_has(&d, "<web href=\"javascript:alert(1)\"> must be a web, mail or phone"));
      assert_true(rp_test_diag_has(&d, "<person photo=\"https://example.com/u.png\"> is a URL"));
      assert_true(rp_test_diag_has(&d, "<social network=\"x\" handle=\"@y@z\">: only mastodon"));
      assert_true(d.errors >= 15);
    }
    if (i == 3) {
      assert_true(rp_test_diag_has(&d, "<kinds of=\"x\"> must be of member, organisation"));
      assert_true(rp_test_diag_has(&d, "<kind> needs a label"));
      assert_true(rp_test_diag_has(&d, "the review's <title> is empty: write the title"));
      assert_true(rp_test_diag_has(&d, "the <title> of <section> is empty: write the title"));
      assert_true(rp_test_diag_has(&d, "<kind id=\"a\"> is declared twice for members"));
      assert_true(rp_test_diag_has(&d, "<row> 1 of the table has 1 cell, but the table has 0"));
      assert_true(rp_test_diag_has(&d, "<cell> \"x\" (row 2, column 1"));
      assert_true(rp_test_diag_has(&d, "<change better=\"sideways\"> must be up or down"));
      assert_true(rp_test_diag_has(&d, "<chain> needs figures"));
      assert_true(rp_test_diag_has(&d, "no <figure id=\"nope\"> in <figures>"));
      assert_true(rp_test_diag_has(&d, "<chain id=\"c\"> repeats the id of the chain"));
      assert_true(rp_test_diag_has(&d, "<member joined=\"19\"> must be a year"));
      assert_true(rp_test_diag_has(&d, "the kind \"zz\" is not declared"));
      assert_true(rp_test_diag_has(&d, "<members> appears a second time (the first is on line 1)"));
      assert_true(rp_test_diag_has(&d, "<funding> needs amount"));
      assert_true(rp_test_diag_has(&d, "<funding in-kind=\"yes\"> must be true or false"));
      assert_true(rp_test_diag_has(&d, "<event role=\"r\">: the kind \"r\" is not declared"));
      assert_true(rp_test_diag_has(&d, "<event attendance=\"-3\"> must be a whole number"));
      assert_true(rp_test_diag_has(&d, "<item status=\"x\"> must be planned"));
      assert_true(rp_test_diag_has(&d, "<item due=\"2019-13\"> must be a year"));
      assert_true(rp_test_diag_has(&d, "network \"zz\": add href"));
      /* One message per undeclared kind, not one per use. */
      size_t zz = 0;
      for (size_t k = 0; k < d.count; k++)
        if (strstr(d.entries[k].message, "kind \"zz\"")) zz++;
      assert_int_equal(zz, 1);
    }
    rp_arena_free(a);
    rp_diag_fini(&d);
  }
}

/* ---- derived values ------------------------------------------------------- */

static void test_date_parse(void **state) {
  rp_date d;
  assert_true(rp_date_parse("2018-09-23", &d));
  assert_true(same_date(d, 2018, 9, 23));
  assert_true(rp_date_parse("2020-02-29", &d)); /* leap year */
  assert_true(rp_date_parse("2000-02-29", &d)); /* divisible by 400 */
  assert_true(rp_date_parse("0001-01-01", &d));
  assert_true(rp_date_parse("9999-12-31", &d));
  static const char *bad[] = {
      "2019-02-29",  "1900-02-29",  "2019-02-30", "2019-04-31", "2019-13-01",  "2019-00-10",
      "2019-01-00",  "0000-01-01",  "2019-1-01",  "2019-01-1",  "19-01-01",    "2019/01/01",
      "2019-01-01Z", " 2019-01-01", "2019-01-0a", "",           "+2019-01-01", "2019-01-32"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    d.year = 99;
    if (rp_date_parse(bad[i], &d)) print_error("accepted \"%s\"\n", bad[i]);
    assert_false(rp_date_parse(bad[i], &d));
    assert_int_equal(d.year, 0); /* cleared on failure */
  }
  assert_false(rp_date_parse(NULL, &d));
  assert_true(rp_date_parse("2019-12-31", NULL));
}

/* rp_date_parse against the C library's calendar: a day exists when mktime
 * does not move it. Every day-of-month 1–31 of 1896–2104. */
static void test_date_parse_against_mktime(void **state) {
  for (int y = 1896; y <= 2104; y++) {
    for (int mo = 1; mo <= 12; mo++) {
      for (int day = 1; day <= 31; day++) {
        struct tm tm = {
            .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = day, .tm_hour = 12, .tm_isdst = -1};
        mktime(&tm);
        bool exists = tm.tm_mday == day && tm.tm_mon == mo - 1;
        char s[48];
        snprintf(s, sizeof s, "%04d-%02d-%02d", y, mo, day);
        rp_date d;
        if (rp_date_parse(s, &d) != exists) print_error("%s: disagrees with mktime\n", s);
        assert_int_equal(rp_date_parse(s, &d), exists);
      }
    }
  }
}

static void test_date_parse_partial(void **state) {
  rp_date d;
  assert_true(rp_date_parse_partial("2019", &d));
  assert_true(same_date(d, 2019, 0, 0));
  assert_true(rp_date_parse_partial("2019-03", &d));
  assert_true(same_date(d, 2019, 3, 0));
  assert_true(rp_date_parse_partial("2020-02-29", &d));
  assert_true(same_date(d, 2020, 2, 29));
  static const char *bad[] = {"19",      "2019-3",   "2019-13", "2019-00", "0000",  "2019-02-30",
                              "2019/03", "2019-03-", "201a",    "",        "2019 ", "+2019"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (rp_date_parse_partial(bad[i], &d)) print_error("accepted \"%s\"\n", bad[i]);
    assert_false(rp_date_parse_partial(bad[i], &d));
    assert_int_equal(d.year, 0);
  }
  assert_false(rp_date_parse_partial(NULL, &d));
}

/* Numbers as printed in table cells. */
static void test_parse_number(void **state) {
  static const struct {
    const char *text;
    double value;
  } good[] = {
      {"1,234", 1234},
      {"−3.2", -3.2},
      {"-3.2", -3.2},
      {"(1,200)", -1200},
      {"£12,500", 12500},
      {"45%", 45},
      {"45 %", 45},
      {"0", 0},
      {"1234567", 1234567},
      {"12,345,678.9", 12345678.9},
      {"£9.5bn", 9.5e9},
      {"7.4m", 7.4e6},
      {"3k", 3000},
      {"€-4", -4},
      {"−£4", -4},
      {"(£1,200)", -1200},
      {"+7", 7},
      {" 12 ", 12},
      {"$1.50", 1.5},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    double v = 99;
    bool none = true;
    bool ok = rp_model_parse_number(good[i].text, &v, &none);
    if (!ok || none || fabs(v - good[i].value) > 1e-6)
      print_error("\"%s\" → %d %g\n", good[i].text, ok, v);
    assert_true(ok);
    assert_false(none);
    assert_true(fabs(v - good[i].value) < 1e-6);
  }
  static const char *const nothing[] = {"", "  ", "–", "—", "-"};
  for (size_t i = 0; i < sizeof nothing / sizeof nothing[0]; i++) {
    double v;
    bool none = false;
    assert_true(rp_model_parse_number(nothing[i], &v, &none));
    assert_true(none);
  }
  static const char *const bad[] = {"abc",    "about £3k", "1,23",  "12,34,567", "1.",  ",123",
                                    "(1,200", "1,200)",    "1.2.3", "12 apples", "£",   "%",
                                    "1e5",    "0x10",      "£ 5",   "5%%",       "--5", "££5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    double v;
    bool none;
    if (rp_model_parse_number(bad[i], &v, &none)) print_error("accepted \"%s\"\n", bad[i]);
    assert_false(rp_model_parse_number(bad[i], &v, &none));
  }
}

static void test_date_cmp(void **state) {
  rp_date a = {2018, 9, 23}, b = {2018, 9, 26}, c = {2019, 1, 1}, d = {2018, 10, 1};
  assert_true(rp_date_cmp(a, b) < 0);
  assert_true(rp_date_cmp(b, a) > 0);
  assert_int_equal(rp_date_cmp(a, a), 0);
  assert_true(rp_date_cmp(c, b) > 0);
  assert_true(rp_date_cmp(d, b) > 0);
}

static void test_initials(void **state) {
  static const char *cases[][2] = {
      {"Sharon Taylor", "ST"},
      {"Liam O’Rourke", "LO"},
      {"Liam O'Rourke", "LO"},
      {"Clare Penny-Evans", "CP"},
      {"Jean-Luc Picard", "JP"},
      {"Cher", "C"},
      {"  ann \n\t lee  ", "AL"},
      {"Ludwig van Beethoven", "LB"},
      {"Émile Zola", "ÉZ"},
      {"élodie durand", "ÉD"},
      {"’Abdul Smith", "AS"},
      {"Mary – Jane", "MJ"},
      {"(Bob) Smith", "BS"},
      {"Łukasz Nowak", "ŁN"},
      {"", ""},
      {"– –", ""},
  };
  rp_arena *a = rp_arena_new();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = rp_model_initials(a, cases[i][0]);
    assert_non_null(got);
    if (strcmp(got, cases[i][1]) != 0) print_error("\"%s\" → \"%s\"\n", cases[i][0], got);
    assert_string_equal(got, cases[i][1]);
  }
  assert_string_equal(rp_model_initials(a, NULL), "");
  rp_arena_free(a);
}

static void test_display_name(void **state) {
  rp_arena *a = rp_arena_new();
  assert_string_equal(rp_model_display_name(a, "Cllr", "Sharon Taylor", "OBE"),
                      "Cllr Sharon Taylor OBE");
  assert_string_equal(rp_model_display_name(a, NULL, "Sharon Taylor", "OBE"), "Sharon Taylor OBE");
  assert_string_equal(rp_model_display_name(a, "Dr", "Ann Lee", NULL), "Dr Ann Lee");
  assert_string_equal(rp_model_display_name(a, "", "Ann Lee", ""), "Ann Lee");
  assert_string_equal(rp_model_display_name(a, NULL, NULL, NULL), "");
  rp_arena_free(a);
}

static void test_social_url(void **state) {
  rp_arena *a = rp_arena_new();
  assert_string_equal(rp_model_social_url(a, "twitter", "@coopinnovation"),
                      "https://twitter.com/coopinnovation");
  assert_string_equal(rp_model_social_url(a, "twitter", "coopinnovation"),
                      "https://twitter.com/coopinnovation");
  assert_string_equal(rp_model_social_url(a, "facebook", "ccin"), "https://www.facebook.com/ccin");
  assert_string_equal(rp_model_social_url(a, "instagram", "@ccin"),
                      "https://www.instagram.com/ccin");
  assert_string_equal(rp_model_social_url(a, "linkedin", "ccin"),
                      "https://www.linkedin.com/in/ccin");
  assert_string_equal(rp_model_social_url(a, "youtube", "@ccin"), "https://www.youtube.com/@ccin");
  assert_string_equal(rp_model_social_url(a, "mastodon", "@ccin@mastodon.social"),
                      "https://mastodon.social/@ccin");
  assert_string_equal(rp_model_social_url(a, "x", "@ccin"), "https://x.com/ccin");
  assert_string_equal(rp_model_social_url(a, "bluesky", "@ccin.bsky.social"),
                      "https://bsky.app/profile/ccin.bsky.social");
  assert_string_equal(rp_model_social_url(a, "threads", "@ccin"), "https://www.threads.net/@ccin");
  assert_string_equal(rp_model_social_url(a, "tiktok", "ccin"), "https://www.tiktok.com/@ccin");
  assert_true(rp_model_social_known("bluesky"));
  assert_true(rp_model_social_known("mastodon"));
  assert_false(rp_model_social_known("pixelfed"));
  assert_false(rp_model_social_known(NULL));
  assert_null(rp_model_social_url(a, "mastodon", "@ccin"));
  assert_null(rp_model_social_url(a, "mastodon", "@ccin@"));
  assert_null(rp_model_social_url(a, "twitter", "@a@b"));
  assert_null(rp_model_social_url(a, "myspace", "@ccin"));
  assert_null(rp_model_social_url(a, "twitter", "@"));
  assert_null(rp_model_social_url(a, NULL, "@ccin"));
  rp_arena_free(a);
}

/* The queries on a model built by hand. */
static void test_model_queries(void **state) {
  rp_person people[3] = {{.id = "a"}, {.id = "b"}, {.id = "c"}};
  rp_seat one[2] = {{.person = &people[0]}, {.person = &people[1]}};
  rp_person stray = {.id = "s"}; /* not in m.people: not counted */
  rp_seat two[4] = {
      {.person = &people[1]}, {.person = &people[0]}, {.person = NULL}, {.person = &stray}};
  rp_board boards[2] = {{.seats = one, .n_seats = 2}, {.seats = two, .n_seats = 4}};
  rp_member members[3] = {{.kind = "member"}, {.kind = "affiliate"}, {.kind = "member"}};
  rp_model m = {.people = people,
                .n_people = 3,
                .boards = boards,
                .n_boards = 2,
                .members = members,
                .n_members = 3};
  assert_ptr_equal(rp_model_person(&m, "b"), &people[1]);
  assert_null(rp_model_person(&m, "d"));
  assert_null(rp_model_person(&m, NULL));
  assert_null(rp_model_person(NULL, "a"));
  assert_int_equal(rp_model_board_people(&m), 2);
  assert_int_equal(rp_model_member_count(&m, "member"), 2);
  assert_int_equal(rp_model_member_count(&m, "affiliate"), 1);
  assert_int_equal(rp_model_member_count(&m, "associate"), 0);
  assert_int_equal(rp_model_member_count(&m, NULL), 0);
  assert_int_equal(rp_model_seat_count(&m), 6);
  rp_model empty = {0};
  assert_int_equal(rp_model_board_people(&empty), 0);
  assert_int_equal(rp_model_board_people(NULL), 0);
}

/* ---- the schema's quicker variant ------------------------------------------ */

static bool is_rng(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Whether pattern `n` (an attribute's, not crossing into elements) reaches a
 * ref to id.type or role.type, through the defines it refers to. */
static bool reaches_id(const xmlNode *root, const xmlNode *n, int depth) {
  if (depth > 32) return false;
  for (const xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || is_rng(c, "element")) continue;
    if (is_rng(c, "ref")) {
      xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
      bool hit = strcmp((const char *)name, "id.type") == 0 ||
                 strcmp((const char *)name, "role.type") == 0;
      for (const xmlNode *d = root->children; d && !hit; d = d->next) {
        if (!is_rng(d, "define")) continue;
        xmlChar *dn = xmlGetProp(d, (const xmlChar *)"name");
        if (xmlStrEqual(dn, name) && reaches_id(root, d, depth + 1)) hit = true;
        xmlFree(dn);
      }
      xmlFree(name);
      if (hit) return true;
    } else if (reaches_id(root, c, depth)) {
      return true;
    }
  }
  return false;
}

static bool content_fast_ok(const rp_xml_schema *s, const char *attr, const char *value) {
  char xml[256];
  snprintf(xml, sizeof xml, "<review><member %s=\"%s\"/></review>", attr, value);
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, 0);
  assert_non_null(doc);
  bool ok = s->fast_ok(doc);
  xmlFreeDoc(doc);
  return ok;
}

static void collect_id_attrs(const xmlNode *root, const xmlNode *n, const rp_xml_schema *s,
                             int *found) {
  for (const xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is_rng(c, "attribute") && reaches_id(root, c, 0)) {
      xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
      const char *a = (const char *)name;
      (*found)++;
      assert_true(content_fast_ok(s, a, "sharon-taylor-2"));
      assert_false(content_fast_ok(s, a, "Sharon"));
      if (strcmp(a, "figures") == 0) { /* a list of ids: words apart */
        assert_true(content_fast_ok(s, a, " a-1  b "));
        assert_false(content_fast_ok(s, a, "a b--c"));
      } else {
        assert_false(content_fast_ok(s, a, " sharon"));
        assert_false(content_fast_ok(s, a, "a b"));
      }
      xmlFree(name);
    }
    collect_id_attrs(root, c, s, found);
  }
}

/* The content schema's quicker variant leaves the id pattern out, on
 * documents whose every attribute that may hold an id or a role holds one of
 * that form: each attribute the schema gives one must be looked at. */
static void test_content_schema_fast_ids(void **state) {
  (void)state;
  rp_xml_schema s = rp_content_schema();
  assert_non_null(s.fast_text);
  assert_non_null(s.fast_ok);
  assert_null(strstr(s.fast_text, "[a-z0-9]+(-[a-z0-9]+)*"));
  xmlDocPtr rng = xmlReadMemory(s.text, (int)s.len, "review.rng", NULL, 0);
  assert_non_null(rng);
  int found = 0;
  collect_id_attrs(xmlDocGetRootElement(rng), xmlDocGetRootElement(rng), &s, &found);
  assert_true(found >= 15);
  xmlFreeDoc(rng);
  /* the pattern's edges */
  assert_true(content_fast_ok(&s, "id", "a"));
  assert_true(content_fast_ok(&s, "id", "2019-20"));
  assert_false(content_fast_ok(&s, "id", "-a"));
  assert_false(content_fast_ok(&s, "id", "a-"));
  assert_false(content_fast_ok(&s, "id", "a--b"));
  assert_false(content_fast_ok(&s, "id", ""));
  assert_false(content_fast_ok(&s, "id", "a_b"));
  assert_true(content_fast_ok(&s, "lang", " Not an id "));
}

/* A bad id is still refused, with the message the full schema gives. */
static void test_content_schema_fast_same_verdict(void **state) {
  (void)state;
  rp_xml_schema s = rp_content_schema();
  const char *xml =
      "<?xml version=\"1.0\"?>\n<review version=\"2\" xml:lang=\"en\">\n"
      "<organisation><name>X</name></organisation>\n"
      "<period from=\"2019-01-01\" to=\"2019-02-01\">p</period>\n<title>T</title>\n"
      "<people><person id=\"%s\"><name>P</name></person></people>\n"
      "<section id=\"f\" person=\"p\"><title>F</title><p>q</p></section>\n</review>\n";
  char good[1024], bad[1024];
  snprintf(good, sizeof good, xml, "p");
  snprintf(bad, sizeof bad, xml, "p--q");
  rp_diag d;
  rp_diag_init(&d);
  xmlDocPtr doc = NULL;
  rp_status st = rp_xml_load(rp_test_write("fastid-good.xml", good), &s, &d, &doc);
  if (st != RP_OK) rp_test_diag_dump(&d);
  assert_int_equal(st, RP_OK);
  xmlFreeDoc(doc);
  rp_diag_fini(&d);
  rp_diag_init(&d);
  assert_int_equal(rp_xml_load(rp_test_write("fastid-bad.xml", bad), &s, &d, &doc), RP_ERR_INPUT);
  bool said = false;
  for (size_t i = 0; i < d.count; i++)
    if (d.entries[i].line == 6 && strstr(d.entries[i].message, "id=\"p--q\"") &&
        strstr(d.entries[i].message, "expected an id"))
      said = true;
  if (!said) rp_test_diag_dump(&d);
  assert_true(said);
  rp_diag_fini(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_sample_loads_cleanly, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_boards, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_people, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_events, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_awards, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_projects, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_kinds, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_sections, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_membership, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_figures, sample_setup, sample_teardown),
      cmocka_unit_test_setup_teardown(test_sample_plan, sample_setup, sample_teardown),
      cmocka_unit_test(test_model_outlives_tree),
      cmocka_unit_test(test_content_schema_fast_ids),
      cmocka_unit_test(test_content_schema_fast_same_verdict),
      cmocka_unit_test(test_valid_fixture),
      cmocka_unit_test(test_strict_makes_warnings_errors),
      cmocka_unit_test(test_broken_documents),
      cmocka_unit_test(test_malformed_has_column),
      cmocka_unit_test(test_three_errors_all_reported),
      cmocka_unit_test(test_more_errors_all_reported),
      cmocka_unit_test(test_version_1_one_error),
      cmocka_unit_test(test_v2_errors_all_reported),
      cmocka_unit_test(test_full_fixture),
      cmocka_unit_test(test_billion_laughs_refused_quickly),
      cmocka_unit_test(test_xinclude_inside_folder),
      cmocka_unit_test(test_xinclude_errors_name_the_included_file),
      cmocka_unit_test(test_photo_escapes),
      cmocka_unit_test(test_photo_symlink_escape),
      cmocka_unit_test(test_arena_failure_at_every_allocation),
      cmocka_unit_test(test_build_survives_invalid_trees),
      cmocka_unit_test(test_date_parse),
      cmocka_unit_test(test_date_parse_against_mktime),
      cmocka_unit_test(test_date_parse_partial),
      cmocka_unit_test(test_parse_number),
      cmocka_unit_test(test_date_cmp),
      cmocka_unit_test(test_initials),
      cmocka_unit_test(test_display_name),
      cmocka_unit_test(test_social_url),
      cmocka_unit_test(test_model_queries),
      cmocka_unit_test(test_line_break_is_a_space_in_string_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
