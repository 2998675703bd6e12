/* check — `reviewpdf check CONTENT.xml`: validate a content document and
 * print a one-line summary of what it holds. */
#include <stdio.h>

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

int rp_cli_check(int argc, char **argv) {
  bool help = false, strict = false;
  const rp_opt opts[] = {{"help", 'h', false, NULL, &help}, {"strict", 0, false, NULL, &strict}};
  const char *pos[1];
  int n_pos;
  int rc = rp_args_parse("check", argc, argv, opts, 2, pos, 1, &n_pos);
  if (rc) return rc;
  if (help) {
    fputs(usage, stdout);
    return 0;
  }
  if (n_pos != 1) {
    fputs(usage, stderr);
    return 2;
  }
  rp_diag d;
  rp_diag_init(&d);
  d.strict = strict;
  rp_arena *a = rp_arena_new();
  rp_content *c = NULL;
  rp_status st = a ? rp_content_load(a, pos[0], &d, &c) : rp_diag_oom(&d);
  if (st == RP_OK && rp_diag_status(&d) == RP_OK) {
    const rp_model *m = c->model;
    size_t seats = 0;
    for (size_t i = 0; i < m->n_boards; i++) seats += m->boards[i].n_seats;
    printf(
        "%s: valid: %zu people, %zu boards (%zu seats, %zu people), %zu figures, %zu members "
        "(%zu members, %zu associates, %zu affiliates%s), %zu award categories, %zu "
        "individual awards, %zu policy labs, %zu events, %zu plan items\n",
        pos[0], m->n_people, m->n_boards, seats, rp_model_board_people(m), m->n_figures,
        m->n_members, rp_model_member_count(m, RP_MEMBER),
        rp_model_member_count(m, RP_MEMBER_ASSOCIATE),
        rp_model_member_count(m, RP_MEMBER_AFFILIATE),
        m->membership_illustrative ? ", illustrative" : "", m->awards.n_categories,
        m->awards.n_individuals, m->n_labs, m->n_events, m->n_plan);
  }
  rp_diag_print(&d, stderr);
  rc = (int)rp_diag_status(&d);
  rp_content_free(c);
  rp_arena_free(a);
  rp_diag_fini(&d);
  return rc;
}
