/* check — `reviewpdf check CONTENT.xml`: validate a content document and
 * print a one-line summary of what it holds, in neutral words (the member
 * kinds in the document's own labels). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "model/content.h"

static const char usage[] =
    "usage: reviewpdf check CONTENT.xml [--strict]\n"
    "\n"
    "Validates a content document against the review schema and the rules the\n"
    "schema cannot express (references, dates, paths), then prints a summary.\n"
    "\n"
    "  --strict   treat warnings as errors\n"
    "  --help     show this help\n";

/* Appends ", " (after the first part) and a formatted part to buf. */
static void part(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void part(char *buf, size_t size, const char *fmt, ...) {
  size_t len = strlen(buf);
  if (len && len + 2 < size) {
    memcpy(buf + len, ", ", 3);
    len += 2;
  }
  if (len >= size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + len, size - len, fmt, ap);
  va_end(ap);
}

static const char *plural(size_t n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

/* "21 people, 2 boards (23 seats), …": what the document holds, in neutral
 * words; members counted per kind in the document's own labels. */
static void summarise(const rp_model *m, char *buf, size_t size) {
  buf[0] = '\0';
  size_t general = 0;
  for (size_t i = 0; i < m->n_sections; i++)
    if (m->sections[i].type == RP_SECTION_GENERAL) general++;
  part(buf, size, "%zu %s", m->n_people, plural(m->n_people, "person", "people"));
  if (m->n_boards) {
    size_t seats = rp_model_seat_count(m);
    part(buf, size, "%zu %s (%zu %s)", m->n_boards, plural(m->n_boards, "board", "boards"), seats,
         plural(seats, "seat", "seats"));
  }
  if (m->n_figures)
    part(buf, size, "%zu %s", m->n_figures, plural(m->n_figures, "figure", "figures"));
  if (m->n_members) {
    part(buf, size, "%zu %s (", m->n_members, plural(m->n_members, "member", "members"));
    bool first = true;
    for (size_t i = 0; i < m->n_kinds[RP_KIND_MEMBER]; i++) {
      const rp_kind *k = &m->kinds[RP_KIND_MEMBER][i];
      size_t n = rp_model_member_count(m, k->id);
      if (!n) continue;
      size_t len = strlen(buf);
      snprintf(buf + len, size - len, "%s%zu %s", first ? "" : ", ", n,
               n == 1 ? k->label : k->plural);
      first = false;
    }
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, ")%s", m->members_illustrative ? " marked illustrative" : "");
  }
  if (m->awards.n_categories)
    part(buf, size, "%zu award %s", m->awards.n_categories,
         plural(m->awards.n_categories, "category", "categories"));
  if (m->n_projects)
    part(buf, size, "%zu %s", m->n_projects, plural(m->n_projects, "project", "projects"));
  if (m->n_case_studies)
    part(buf, size, "%zu case %s", m->n_case_studies,
         plural(m->n_case_studies, "study", "studies"));
  if (m->n_events) part(buf, size, "%zu %s", m->n_events, plural(m->n_events, "event", "events"));
  if (m->n_plan) part(buf, size, "%zu plan %s", m->n_plan, plural(m->n_plan, "item", "items"));
  part(buf, size, "%zu %s (%zu general)", m->n_sections,
       plural(m->n_sections, "section", "sections"), general);
  if (m->n_tables) part(buf, size, "%zu %s", m->n_tables, plural(m->n_tables, "table", "tables"));
  if (m->n_notes) part(buf, size, "%zu %s", m->n_notes, plural(m->n_notes, "note", "notes"));
}

int rp_cli_check(int argc, char **argv) {
  bool help = false, strict = false;
  const rp_opt opts[] = {{"help", 'h', false, NULL, &help}, {"strict", 0, false, NULL, &strict}};
  const char *path;
  int rc = rp_args_one("check", argc, argv, opts, 2, usage, &help, &path);
  if (rc >= 0) return rc;
  rp_diag d;
  rp_diag_init(&d);
  d.strict = strict;
  rp_arena *a = rp_arena_new();
  rp_content *c = NULL;
  rp_status st = a ? rp_content_load(a, path, &d, &c) : rp_diag_oom(&d);
  if (st == RP_OK && rp_diag_status(&d) == RP_OK) {
    char line[4096];
    summarise(c->model, line, sizeof line);
    printf("%s: valid; %s\n", path, line);
  }
  rp_diag_print(&d, stderr);
  rc = (int)rp_diag_status(&d);
  rp_content_free(c);
  rp_arena_free(a);
  rp_diag_fini(&d);
  return rc;
}
