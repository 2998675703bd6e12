/* review — the typed sections of a review (docs/content.md): the layer of the
 * model build (builder.h) that knows what an annual review holds.
 *
 * Builds the front matter (organisation, period), the people, and each
 * top-level section in document order: its entry in m->sections, its prose
 * (prose.c), and for typed sections their data — boards and seats, figures
 * and chains, members, awards, projects, case studies, events, the plan and
 * the contact details — with the checks the schema cannot make (references,
 * dates, positions, funding, kinds through vocab.c). Typed sections appear at
 * most once each. */
#include <stdio.h>
#include <string.h>

#include "base/xml.h"
#include "model/build.h"
#include "model/builder.h"

/* Where members may be placed on the map: the UK and Ireland, generously. */
#define UK_LAT_MIN 49.0
#define UK_LAT_MAX 61.0
#define UK_LON_MIN (-11.0)
#define UK_LON_MAX 2.5

/* ---- shared parts -------------------------------------------------------- */

static void build_contact(rp_builder *b, const xmlNode *n, rp_contact *ct) {
  xmlNode *web = rp_builder_child(n, "web");
  ct->web = rp_builder_attr(b, web, "href");
  ct->web_text = rp_builder_text(b, web);
  ct->email = rp_builder_child_text(b, n, "email");
  size_t np = rp_builder_count(n, "phone");
  ct->phones = rp_builder_alloc(b, np, sizeof *ct->phones);
  if (ct->phones) {
    RP_FOR_EACH(c, n, "phone") {
      rp_phone *p = &ct->phones[ct->n_phones++];
      p->label = rp_builder_attr(b, c, "label");
      p->number = rp_builder_text(b, c);
      p->line = rp_xml_line(c);
    }
  }
  size_t na = rp_builder_count(n, "address");
  ct->addresses = rp_builder_alloc(b, na, sizeof *ct->addresses);
  if (ct->addresses) {
    RP_FOR_EACH(c, n, "address") {
      rp_address *ad = &ct->addresses[ct->n_addresses++];
      ad->label = rp_builder_attr(b, c, "label");
      ad->line = rp_xml_line(c);
      size_t nl = rp_builder_count(c, "line");
      const char **lines = rp_builder_alloc(b, nl, sizeof *lines);
      if (!lines) continue;
      RP_FOR_EACH(l, c, "line") lines[ad->n_lines++] = rp_builder_text(b, l);
      ad->lines = lines;
    }
  }
  rp_builder_socials(b, n, &ct->socials, &ct->n_socials);
}

/* Plain texts of the children named `name`. */
static const char **texts(rp_builder *b, const xmlNode *n, const char *name, size_t *count) {
  size_t k = rp_builder_count(n, name);
  const char **out = rp_builder_alloc(b, k, sizeof *out);
  *count = 0;
  if (!out) return NULL;
  RP_FOR_EACH(c, n, name) out[(*count)++] = rp_builder_text(b, c);
  return out;
}

/* ---- front matter and people --------------------------------------------- */

static void build_organisation(rp_builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  m->org_name = rp_builder_child_text(b, n, "name");
  m->org_short_name = rp_builder_child_text(b, n, "short-name");
  m->org_legal = rp_builder_child_text(b, n, "legal");
  xmlNode *logo = rp_builder_child(n, "logo");
  if (logo) {
    m->logo = rp_builder_asset(
        b, logo, "src", "the layout leaves the logo out (the stock layouts set the name instead)");
    m->logo_alt = rp_builder_attr(b, logo, "alt");
  }
  build_contact(b, n, &m->org);
}

static void build_period(rp_builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  m->period_text = rp_builder_text(b, n);
  m->period_short = rp_builder_attr(b, n, "short");
  bool from = rp_builder_date(b, n, "from", "first-day", true, &m->period_from);
  bool to = rp_builder_date(b, n, "to", "last-day", true, &m->period_to);
  if (from && to && rp_date_cmp(m->period_to, m->period_from) < 0) {
    char f[48], t[48];
    rp_builder_date_text(m->period_from, f, sizeof f);
    rp_builder_date_text(m->period_to, t, sizeof t);
    rp_builder_fail(b, n, "<period> ends (%s) before it starts (%s): check the dates", t, f);
  }
}

void rp_review_index_people(rp_builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t count = rp_builder_count(n, "person");
  m->people = rp_builder_alloc(b, count, sizeof *m->people);
  if (!m->people) return;
  size_t i = 0;
  RP_FOR_EACH(c, n, "person") {
    rp_person *p = &m->people[i];
    p->id = rp_builder_attr(b, c, "id");
    p->line = rp_xml_line(c);
    rp_builder_idset_add(b, &b->people, p->id, c, i); /* the first of duplicates wins */
    p->honorific = rp_builder_attr(b, c, "honorific");
    p->post_nominals = rp_builder_attr(b, c, "post-nominals");
    p->name = rp_builder_child_text(b, c, "name"); /* the first name is the primary one */
    p->display_name = rp_model_display_name(b->a, p->honorific, p->name, p->post_nominals);
    p->initials = rp_model_initials(b->a, p->name);
    if (!p->display_name || !p->initials) b->oom = true;
    i++;
  }
  m->n_people = i;
}

/* Pass 2: what can be wrong with each person; photos, links, bio. */
static void check_people(rp_builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t i = 0;
  RP_FOR_EACH(c, n, "person") {
    if (i >= m->n_people) break;
    rp_person *p = &m->people[i++];
    const rp_id_entry *first = rp_idset_find(&b->people, p->id);
    if (first && first->node != c)
      rp_builder_fail(b, c,
                      "<person id=\"%s\"> repeats the id of the person on %s: person ids must be "
                      "unique; rename one, or merge the two",
                      p->id, rp_builder_where(b, first->node, c));
    p->photo = rp_builder_asset(b, c, "photo", "the layout shows the person's initials instead");
    rp_builder_socials(b, c, &p->socials, &p->n_socials);
    rp_prose_check(b, rp_builder_child(c, "bio"));
  }
}

/* The person an attribute names, or NULL after reporting that none has the id. */
static const rp_person *person_ref(rp_builder *b, const xmlNode *n, const char *name) {
  const char *id = rp_builder_attr(b, n, name);
  if (!id) {
    rp_builder_fail(b, n, "<%s> needs a %s attribute naming a <person id> in <people>",
                    (const char *)n->name, name);
    return NULL;
  }
  const rp_id_entry *e = rp_idset_find(&b->people, id);
  if (e && e->index < b->m->n_people) return &b->m->people[e->index];
  rp_builder_fail(b, n,
                  "<%s %s=\"%s\">: no <person id=\"%s\"> in <people>: add the person or fix the id",
                  (const char *)n->name, name, id, id);
  return NULL;
}

/* ---- sections ------------------------------------------------------------ */

static void build_general(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  s->role = rp_builder_attr(b, n, "role");
  if (xmlHasProp(n, (const xmlChar *)"person")) s->person = person_ref(b, n, "person");
  s->n_blocks = rp_prose_check(b, n); /* after the attributes: messages in document order */
}

static void check_highlights(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  (void)s;
  RP_FOR_EACH(c, n, "item") {
    const char *id = rp_builder_attr(b, c, "ref");
    if (!id || rp_idset_find(&b->sections, id)) continue;
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < b->section_ids.len && len < sizeof list - 1; i++)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                              RP_VEC_AT(b->section_ids, const char *, i));
    rp_builder_fail(
        b, c,
        "<item ref=\"%s\"> names no section in this document: use one of the section ids "
        "(%s), or give the section an id",
        id, list[0] ? list : "none");
  }
}

static rp_seat_position seat_position(rp_builder *b, const xmlNode *n) {
  static const struct {
    const char *name;
    rp_seat_position position;
  } positions[] = {
      {"member", RP_SEAT_MEMBER},         {"chair", RP_SEAT_CHAIR},
      {"vice-chair", RP_SEAT_VICE_CHAIR}, {"co-chair", RP_SEAT_CO_CHAIR},
      {"president", RP_SEAT_PRESIDENT},   {"vice-president", RP_SEAT_VICE_PRESIDENT},
      {"treasurer", RP_SEAT_TREASURER},   {"secretary", RP_SEAT_SECRETARY},
  };
  const char *v = rp_builder_attr(b, n, "position");
  if (!v) return RP_SEAT_MEMBER;
  for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++)
    if (strcmp(v, positions[i].name) == 0) return positions[i].position;
  rp_builder_fail(
      b, n,
      "<seat position=\"%s\"> must be chair, vice-chair, co-chair, president, vice-president, "
      "treasurer, secretary or member (or absent for a member)",
      v);
  return RP_SEAT_MEMBER;
}

static void build_board(rp_builder *b, const xmlNode *n, rp_board *board) {
  board->id = rp_builder_attr(b, n, "id");
  board->name = rp_builder_child_text(b, n, "name");
  board->period = rp_builder_attr(b, n, "period");
  board->line = rp_xml_line(n);
  size_t plen = board->period ? strlen(board->period) : 0;
  if (plen == 7 || plen == 9) {
    /* "2018-19" or "2018-2020": the second year must not come first. */
    int from = atoi(board->period), to = atoi(board->period + 5);
    if (plen == 7) {
      to += from / 100 * 100;
      if (to < from && from % 100 >= 90) to += 100; /* 2099-00 */
    }
    if (to < from)
      rp_builder_fail(b, n,
                      "<board period=\"%s\"> ends before it starts: write the years as 2019-20 or "
                      "2018-2020",
                      board->period);
  }
  size_t count = rp_builder_count(n, "seat");
  board->seats = rp_builder_alloc(b, count, sizeof *board->seats);
  if (!board->seats) return;
  rp_idset seated = {0};
  size_t i = 0;
  RP_FOR_EACH(c, n, "seat") {
    rp_seat *s = &board->seats[i++];
    s->line = rp_xml_line(c);
    s->person = person_ref(b, c, "person");
    s->position = seat_position(b, c);
    if (s->person) {
      const rp_id_entry *dup = rp_builder_idset_add(b, &seated, s->person->id, c, i - 1);
      if (dup)
        rp_builder_fail(b, c,
                        "<seat person=\"%s\"> repeats the seat on %s: a person holds one seat per "
                        "board; put all their roles in one <seat>",
                        s->person->id, rp_builder_where(b, dup->node, c));
    }
    s->roles = texts(b, c, "role", &s->n_roles);
    xmlNode *org = rp_builder_child(c, "organisation");
    s->organisation = rp_builder_text(b, org);
    if (org) s->organisation_kind = rp_vocab_ref(b, org, "kind", RP_KIND_ORGANISATION);
  }
  board->n_seats = i;
}

static void build_boards(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  s->n_blocks = rp_prose_check(b, n);
  rp_model *m = b->m;
  size_t count = rp_builder_count(n, "board");
  m->boards = rp_builder_alloc(b, count, sizeof *m->boards);
  if (!m->boards) return;
  rp_idset ids = {0};
  size_t i = 0;
  RP_FOR_EACH(c, n, "board") {
    rp_board *board = &m->boards[i];
    build_board(b, c, board);
    rp_builder_unique_id(b, &ids, "board", board->id, c, i);
    i++;
  }
  m->n_boards = i;
}

static void build_figure(rp_builder *b, const xmlNode *c, rp_figure *f) {
  f->id = rp_builder_attr(b, c, "id");
  f->line = rp_xml_line(c);
  if (!rp_builder_number(b, c, "value", &f->value) && !xmlHasProp(c, (const xmlChar *)"value"))
    rp_builder_fail(b, c, "<figure%s%s%s> needs a value, the number as digits (value=\"7400000\")",
                    f->id ? " id=\"" : "", f->id ? f->id : "", f->id ? "\"" : "");
  f->unit = rp_builder_attr(b, c, "unit");
  f->currency = rp_builder_attr(b, c, "currency");
  f->display = rp_builder_attr(b, c, "display");
  f->label = rp_builder_attr(b, c, "label");
  f->qualifier = rp_builder_attr(b, c, "qualifier");
  xmlNode *ch = rp_builder_child(c, "change");
  if (!ch) return;
  f->has_change = true;
  rp_change *d = &f->change;
  if (!rp_builder_number(b, ch, "value", &d->value) && !xmlHasProp(ch, (const xmlChar *)"value"))
    rp_builder_fail(b, ch,
                    "<change> needs a value, the change as a signed number (value=\"-3.2\")");
  d->unit = rp_builder_attr(b, ch, "unit");
  d->display = rp_builder_attr(b, ch, "display");
  d->compared = rp_builder_attr(b, ch, "compared");
  const char *better = rp_builder_attr(b, ch, "better");
  if (better && strcmp(better, "up") == 0)
    d->better = 1;
  else if (better && strcmp(better, "down") == 0)
    d->better = -1;
  else if (better)
    rp_builder_fail(b, ch, "<change better=\"%s\"> must be up or down (which way is good news)",
                    better);
}

static void build_chains(rp_builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t count = rp_builder_count(n, "chain");
  m->chains = rp_builder_alloc(b, count, sizeof *m->chains);
  if (!m->chains) return;
  rp_idset ids = {0};
  RP_FOR_EACH(c, n, "chain") {
    rp_chain *ch = &m->chains[m->n_chains];
    ch->id = rp_builder_attr(b, c, "id");
    ch->line = rp_xml_line(c);
    rp_builder_unique_id(b, &ids, "chain", ch->id, c, m->n_chains);
    m->n_chains++;
    const char *list = rp_builder_attr(b, c, "figures");
    if (!list) {
      rp_builder_fail(b, c, "<chain> needs figures=\"…\": the ids of its figures, in order");
      continue;
    }
    size_t k = 0;
    for (const char *p = list; *p;) {
      p += strspn(p, " \t\r\n");
      if (!*p) break;
      k++;
      p += strcspn(p, " \t\r\n");
    }
    ch->figures = rp_builder_alloc(b, k, sizeof *ch->figures);
    if (!ch->figures) continue;
    for (const char *p = list; *p;) {
      p += strspn(p, " \t\r\n");
      if (!*p) break;
      size_t len = strcspn(p, " \t\r\n");
      char *id = rp_arena_strndup(b->a, p, len);
      p += len;
      if (!id) {
        b->oom = true;
        return;
      }
      const rp_id_entry *e = rp_idset_find(&b->figures, id);
      if (!e || e->index >= m->n_figures) {
        rp_builder_fail(
            b, c,
            "<chain id=\"%s\" figures=\"%s\">: no <figure id=\"%s\"> in <figures>: add the "
            "figure or fix the id",
            ch->id ? ch->id : "", list, id);
        continue;
      }
      ch->figures[ch->n_figures++] = &m->figures[e->index];
    }
  }
}

static void build_figures(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  s->n_blocks = rp_prose_check(b, n);
  rp_model *m = b->m;
  size_t count = rp_builder_count(n, "figure");
  m->figures = rp_builder_alloc(b, count, sizeof *m->figures);
  if (m->figures) {
    RP_FOR_EACH(c, n, "figure") {
      rp_figure *f = &m->figures[m->n_figures];
      build_figure(b, c, f);
      rp_builder_unique_id(b, &b->figures, "figure", f->id, c, m->n_figures);
      m->n_figures++;
    }
  }
  build_chains(b, n);
}

static void build_members(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  rp_model *m = b->m;
  m->members_illustrative = rp_builder_bool(b, n, "illustrative");
  s->n_blocks = rp_prose_check(b, n);
  size_t count = rp_builder_count(n, "member");
  m->members = rp_builder_alloc(b, count, sizeof *m->members);
  if (!m->members) return;
  size_t i = 0;
  RP_FOR_EACH(c, n, "member") {
    rp_member *mb = &m->members[i++];
    mb->name = rp_builder_text(b, c);
    mb->line = rp_xml_line(c);
    mb->region = rp_builder_attr(b, c, "region");
    mb->place = rp_builder_attr(b, c, "place");
    mb->href = rp_builder_attr(b, c, "href");
    mb->kind = rp_vocab_ref(b, c, "kind", RP_KIND_MEMBER);
    if (!mb->kind)
      rp_builder_fail(b, c,
                      "<member> needs a kind, one declared in <kinds of=\"member\"> (kind=\"…\")");
    rp_builder_partial_date(b, c, "joined", &mb->joined);
    bool has_lat = xmlHasProp(c, (const xmlChar *)"lat") != NULL;
    bool has_lon = xmlHasProp(c, (const xmlChar *)"lon") != NULL;
    if (has_lat != has_lon) {
      rp_builder_fail(b, c, "<member> has %s but not %s: give both lat and lon, or neither",
                      has_lat ? "lat" : "lon", has_lat ? "lon" : "lat");
      continue;
    }
    if (!has_lat) continue;
    bool ok = rp_builder_number(b, c, "lat", &mb->lat);
    ok = rp_builder_number(b, c, "lon", &mb->lon) && ok;
    if (!ok) continue;
    if (mb->lat < UK_LAT_MIN || mb->lat > UK_LAT_MAX || mb->lon < UK_LON_MIN ||
        mb->lon > UK_LON_MAX) {
      rp_builder_fail(
          b, c,
          "<member lat=\"%g\" lon=\"%g\"> is outside the UK and Ireland (lat %g to %g, lon %g "
          "to %g): check the coordinates (WGS84 degrees; lat is north, lon is east, negative "
          "west)",
          mb->lat, mb->lon, UK_LAT_MIN, UK_LAT_MAX, UK_LON_MIN, UK_LON_MAX);
      continue;
    }
    mb->has_position = true;
  }
  m->n_members = i;
}

static void build_awards(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  rp_awards *aw = &b->m->awards;
  aw->title = s->title ? s->title : rp_builder_keep(b, ""); /* NULL means "no awards" */
  aw->year = rp_builder_year(b, n, "year");
  aw->votes = rp_builder_count_attr(b, n, "votes", 0);
  aw->line = rp_xml_line(n);
  s->n_blocks = rp_prose_check(b, n);
  size_t count = rp_builder_count(n, "category");
  aw->categories = rp_builder_alloc(b, count, sizeof *aw->categories);
  rp_idset ids = {0};
  RP_FOR_EACH(c, n, "category") {
    if (!aw->categories) break;
    rp_award_category *cat = &aw->categories[aw->n_categories];
    cat->id = rp_builder_attr(b, c, "id");
    rp_builder_unique_id(b, &ids, "category", cat->id, c, aw->n_categories);
    aw->n_categories++;
    cat->name = rp_builder_attr(b, c, "name");
    cat->winners = texts(b, c, "winner", &cat->n_winners);
    cat->citation = rp_builder_child_text(b, c, "citation");
    cat->featured = rp_builder_bool(b, c, "featured");
    cat->sponsor = rp_builder_attr(b, c, "sponsor");
    cat->line = rp_xml_line(c);
  }
  xmlNode *ind = rp_builder_child(n, "individuals");
  count = rp_builder_count(ind, "individual");
  aw->individuals = rp_builder_alloc(b, count, sizeof *aw->individuals);
  RP_FOR_EACH(c, ind, "individual") {
    if (!aw->individuals) break;
    rp_award_individual *in = &aw->individuals[aw->n_individuals++];
    in->name = rp_builder_child_text(b, c, "name");
    in->organisation = rp_builder_child_text(b, c, "organisation");
    in->citation = rp_builder_child_text(b, c, "citation");
    in->href = rp_builder_attr(b, rp_builder_child(c, "a"), "href");
    in->line = rp_xml_line(c);
  }
}

static void build_funding(rp_builder *b, const xmlNode *f, rp_project *p) {
  p->has_funding = true;
  p->in_kind = rp_builder_bool(b, f, "in-kind");
  p->currency = rp_builder_attr(b, f, "currency");
  if (xmlHasProp(f, (const xmlChar *)"amount"))
    p->has_amount = rp_builder_number(b, f, "amount", &p->amount);
  const char *note = rp_builder_text(b, f);
  p->funding_note = note && note[0] ? note : NULL;
  if (!xmlHasProp(f, (const xmlChar *)"amount") && !p->in_kind)
    rp_builder_fail(b, f,
                    "<funding> needs amount=\"…\" (e.g. amount=\"10000\" currency=\"GBP\") or "
                    "in-kind=\"true\" with a note saying what was given");
  if (p->in_kind && !p->funding_note)
    rp_builder_fail(
        b, f,
        "<funding in-kind=\"true\"> needs a note saying what was given, as its text (e.g. "
        "<funding in-kind=\"true\">Office space for a year</funding>)");
}

static void build_projects(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  rp_model *m = b->m;
  rp_builder_year(b, n, "year");
  s->n_blocks = rp_prose_check(b, n);
  size_t count = rp_builder_count(n, "project");
  m->projects = rp_builder_alloc(b, count, sizeof *m->projects);
  if (!m->projects) return;
  rp_idset ids = {0};
  RP_FOR_EACH(c, n, "project") {
    rp_project *p = &m->projects[m->n_projects];
    p->id = rp_builder_attr(b, c, "id");
    p->title = rp_builder_child_text(b, c, "title");
    p->lead = rp_builder_attr(b, c, "lead");
    p->line = rp_xml_line(c);
    rp_builder_unique_id(b, &ids, "project", p->id, c, m->n_projects);
    m->n_projects++;
    xmlNode *f = rp_builder_child(c, "funding");
    if (f) build_funding(b, f, p);
    p->partners = texts(b, c, "partner", &p->n_partners);
    rp_prose_check(b, c);
  }
}

static void build_case_studies(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  rp_model *m = b->m;
  m->case_study_count = rp_builder_count_attr(b, n, "count", 0);
  m->case_study_href = rp_builder_attr(b, n, "href");
  s->n_blocks = rp_prose_check(b, n);
  size_t count = rp_builder_count(n, "case-study");
  m->case_studies = rp_builder_alloc(b, count, sizeof *m->case_studies);
  rp_idset ids = {0};
  RP_FOR_EACH(c, n, "case-study") {
    const char *id = rp_builder_attr(b, c, "id");
    rp_builder_unique_id(b, &ids, "case study", id, c, m->n_case_studies);
    rp_prose_check(b, c);
    if (!m->case_studies) continue;
    rp_case_study *cs = &m->case_studies[m->n_case_studies++];
    cs->id = id;
    cs->title = rp_builder_child_text(b, c, "title");
    cs->theme = rp_builder_attr(b, c, "theme");
    cs->organisation = rp_builder_attr(b, c, "organisation");
    cs->place = rp_builder_attr(b, c, "place");
    cs->href = rp_builder_attr(b, c, "href");
    cs->line = rp_xml_line(c);
    xmlNode *figs = rp_builder_child(c, "figures");
    size_t nf = rp_builder_count(figs, "figure");
    cs->figures = rp_builder_alloc(b, nf, sizeof *cs->figures);
    if (!cs->figures) continue;
    RP_FOR_EACH(f, figs, "figure") build_figure(b, f, &cs->figures[cs->n_figures++]);
  }
}

static void build_events(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  rp_model *m = b->m;
  rp_builder_count_attr(b, n, "count", 0);
  s->n_blocks = rp_prose_check(b, n);
  size_t count = rp_builder_count(n, "event");
  m->events = rp_builder_alloc(b, count, sizeof *m->events);
  if (!m->events) return;
  size_t i = 0;
  RP_FOR_EACH(c, n, "event") {
    rp_event *e = &m->events[i++];
    e->title = rp_builder_child_text(b, c, "title");
    e->place = rp_builder_child_text(b, c, "place");
    e->region = rp_builder_attr(b, c, "region");
    e->role = rp_vocab_ref(b, c, "role", RP_KIND_EVENT_ROLE);
    e->attendance = rp_builder_count_attr(b, c, "attendance", -1);
    e->line = rp_xml_line(c);
    rp_prose_check(b, c);
    bool start = rp_builder_date(b, c, "start", "start", true, &e->start);
    if (!xmlHasProp(c, (const xmlChar *)"end")) {
      e->end = e->start;
      continue;
    }
    bool end = rp_builder_date(b, c, "end", "last-day", false, &e->end);
    if (start && end && rp_date_cmp(e->end, e->start) < 0) {
      char st[48], t[48];
      rp_builder_date_text(e->start, st, sizeof st);
      rp_builder_date_text(e->end, t, sizeof t);
      rp_builder_fail(b, c, "<event> ends (%s) before it starts (%s): check the dates", t, st);
    }
  }
  m->n_events = i;
}

static rp_plan_status plan_status(const char *v) {
  static const char *const names[] = {"planned", "in-progress", "done",
                                      "ongoing", "paused",      "cancelled"};
  for (size_t i = 0; v && i < sizeof names / sizeof names[0]; i++)
    if (strcmp(v, names[i]) == 0) return (rp_plan_status)(i + 1);
  return RP_PLAN_UNSET;
}

static void build_plan(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  rp_model *m = b->m;
  int from = rp_builder_year(b, n, "from"), to = rp_builder_year(b, n, "to");
  if (from && to && to < from)
    rp_builder_fail(b, n, "<plan> ends (to=\"%d\") before it starts (from=\"%d\"): check the years",
                    to, from);
  s->n_blocks = rp_prose_check(b, n);
  size_t count = rp_builder_count(n, "item");
  m->plan = rp_builder_alloc(b, count, sizeof *m->plan);
  if (!m->plan) return;
  size_t i = 0;
  RP_FOR_EACH(c, n, "item") {
    rp_plan_item *it = &m->plan[i++];
    it->title = rp_builder_child_text(b, c, "title");
    it->detail = rp_builder_child_text(b, c, "detail");
    it->status = rp_builder_attr(b, c, "status");
    it->state = plan_status(it->status);
    if (it->status && it->state == RP_PLAN_UNSET)
      rp_builder_fail(b, c,
                      "<item status=\"%s\"> must be planned, in-progress, done, ongoing, paused or "
                      "cancelled",
                      it->status);
    rp_builder_partial_date(b, c, "due", &it->due);
    it->line = rp_xml_line(c);
  }
  m->n_plan = i;
}

static void build_contact_section(rp_builder *b, const xmlNode *n, rp_review_section *s) {
  s->n_blocks = rp_prose_check(b, n);
  build_contact(b, n, &b->m->contact);
}

/* ---- the dispatch -------------------------------------------------------- */

static const struct {
  const char *element;
  rp_section_type type;
  void (*build)(rp_builder *, const xmlNode *, rp_review_section *);
} section_kinds[] = {
    {"section", RP_SECTION_GENERAL, build_general},
    {"highlights", RP_SECTION_HIGHLIGHTS, check_highlights},
    {"boards", RP_SECTION_BOARDS, build_boards},
    {"figures", RP_SECTION_FIGURES, build_figures},
    {"members", RP_SECTION_MEMBERS, build_members},
    {"awards", RP_SECTION_AWARDS, build_awards},
    {"projects", RP_SECTION_PROJECTS, build_projects},
    {"case-studies", RP_SECTION_CASE_STUDIES, build_case_studies},
    {"events", RP_SECTION_EVENTS, build_events},
    {"plan", RP_SECTION_PLAN, build_plan},
    {"contact", RP_SECTION_CONTACT, build_contact_section},
};

static void build_section(rp_builder *b, const xmlNode *n, size_t k) {
  rp_section_type type = section_kinds[k].type;
  if (type != RP_SECTION_GENERAL) {
    if (b->typed[type]) {
      rp_builder_fail(b, n,
                      "<%s> appears a second time (the first is on %s): a document has at most one "
                      "<%s>; merge the two",
                      section_kinds[k].element, rp_builder_where(b, b->typed[type], n),
                      section_kinds[k].element);
      return;
    }
    b->typed[type] = n;
  }
  rp_review_section *s = rp_vec_push(b->a, &b->sections_v, sizeof *s);
  if (!s) {
    b->oom = true;
    return;
  }
  s->type = type;
  s->element = section_kinds[k].element;
  s->id = rp_builder_attr(b, n, "id");
  s->kicker = rp_builder_attr(b, n, "kicker");
  s->title = rp_builder_child_text(b, n, "title");
  RP_FOR_EACH(t, n, "title") {
    const char *tt = rp_builder_text(b, t);
    if (tt && !tt[0])
      rp_builder_fail(b, t, "the <title> of <%s> is empty: write the title%s",
                      section_kinds[k].element,
                      type == RP_SECTION_GENERAL ? "" : ", or leave the <title> out");
  }
  s->line = rp_xml_line(n);
  /* Each builder checks the section's prose (rp_prose_check) after its own
   * attributes, so that messages come in document order. It pushes no
   * sections: s stays valid. */
  section_kinds[k].build(b, n, s);
}

void rp_review_build(rp_builder *b, const xmlNode *n) {
  if (rp_builder_is(n, "organisation")) build_organisation(b, n);
  if (rp_builder_is(n, "period")) build_period(b, n);
  if (rp_builder_is(n, "people")) check_people(b, n);
  for (size_t k = 0; k < sizeof section_kinds / sizeof section_kinds[0]; k++)
    if (rp_builder_is(n, section_kinds[k].element)) build_section(b, n, k);
}

void rp_review_finish(rp_builder *b, const xmlNode *root) {
  (void)root;
  b->m->sections = b->sections_v.data;
  b->m->n_sections = b->sections_v.len;
}
