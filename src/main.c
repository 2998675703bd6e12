/* main — the subcommand table. Each subcommand lives in cli/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/mem.h"
#include "base/xml.h"
#include "cli/cli.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} command;

static const command commands[] = {
    {"render", rp_cli_render, "lay out a content document and write a PDF"},
    {"check", rp_cli_check, "validate a content document and summarise it"},
    {"diff", rp_cli_diff_exec, "compare a PDF with a PDF or golden PNGs, page by page"},
    {"watch", rp_cli_watch, "render, then render again whenever an input changes"},
    {"init", rp_cli_init, "start a new review: a project folder that renders at once"},
    {"schema", rp_cli_schema, "print the content or layout schema (RelaxNG) for editors"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: reviewpdf <command> [options]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
  fprintf(out,
          "\n'reviewpdf <command> --help' describes a command.\n"
          "exit status: 0 success (warnings allowed), 1 input refused, 2 bad usage, 3 internal "
          "error\n");
}

/* Out of memory is exit 3 whatever the path that met it reported (an XML
 * parse error, a missing font…): nothing was written (base/outfile). */
static int outcome(int rc) {
  const char *fa = getenv("RP_FAIL_ALLOC"); /* "count": how many, for tests/faults */
  if (fa && strcmp(fa, "count") == 0)
    fprintf(stderr, "reviewpdf: allocations: %lu\n", rp_mem_count());
  if (!rp_mem_failed() || rc == 2) return rc;
  if (rp_mem_limit_hit()) { /* the input needs more than allowed: refused */
    char msg[200];
    rp_limit_memory_message(msg, sizeof msg);
    fprintf(stderr, "reviewpdf: error: %s\n", msg);
    return 1;
  }
  if (rc != 3) fprintf(stderr, "reviewpdf: error: out of memory\n");
  return 3;
}

int main(int argc, char **argv) {
  rp_mem_tune_heap();
  rp_mem_huge_heap();
  rp_mem_fail_from_env();
  const char *fa = getenv("RP_FAIL_ALLOC");
  if (!fa || strcmp(fa, "count") != 0) rp_mem_uncounted(); /* nothing will ask for the count */
  rp_xml_use_rp_mem();
  {
    rp_diag d;
    rp_diag_init(&d);
    rp_status st = rp_limits_from_env(&d);
    rp_diag_print(&d, stderr);
    rp_diag_fini(&d);
    if (st != RP_OK) return 2;
  }
  /* no budget of the user's to hold exactly: the default limit is checked
   * against the heap now and then, not counted block by block (base/mem.h) */
  if (!rp_limit_given(RP_LIMIT_MEMORY_MIB) && !rp_mem_faults_armed()) rp_mem_rough(true);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("reviewpdf %s\n", RP_VERSION);
    rp_cli_libraries(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return rp_cli_exit(outcome(commands[i].run(argc - 1, argv + 1)));
  fprintf(stderr, "reviewpdf: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
