/* schema — `reviewpdf schema content|layout`: prints a RelaxNG schema compiled
 * into the binary, the same text reviewpdf validates with, so that editors
 * (Emacs nXML, VS Code's XML extension) can complete and check documents as
 * people type (docs/editors.md says how to hook them up). */
#include <stdio.h>
#include <string.h>

#include "base/schemas.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: reviewpdf schema content|layout\n"
    "\n"
    "Prints the RelaxNG schema of content documents (data/schema/review.rng) or of\n"
    "layouts (layouts/schema/layout.rng) that this reviewpdf validates with.\n"
    "  reviewpdf schema content > review.rng\n";

int rp_cli_schema(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return 0;
  }
  const char *text = NULL;
  size_t len = 0;
  if (argc == 2 && strcmp(argv[1], "content") == 0) {
    text = rp_schema_review;
    len = rp_schema_review_len;
  } else if (argc == 2 && strcmp(argv[1], "layout") == 0) {
    text = rp_schema_layout;
    len = rp_schema_layout_len;
  } else {
    fputs(usage, stderr);
    return 2;
  }
  if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
    perror("reviewpdf schema: cannot write the schema");
    return 1;
  }
  return 0;
}
