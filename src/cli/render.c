/* render — `reviewpdf render CONTENT.xml [--layout L] [-o OUT.pdf]`: parses
 * the arguments, runs the whole pipeline (pipeline/pipeline.h: content → bind
 * → layout → PDF, written all-or-nothing) and prints what happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/path.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "pipeline/pipeline.h"
#include "pipeline/preflight.h"
#include "template/units.h"

static const char usage[] =
    "usage: reviewpdf render CONTENT.xml [--layout LAYOUT] [-o OUT.pdf] [options]\n"
    "\n"
    "Lays out a content document with a layout and writes a PDF.\n"
    "\n"
    "  --layout LAYOUT      a layout file, or a name looked up in ./layouts, then in\n"
    "                       the installed share folder (default: annual-review)\n"
    "  -o, --output OUT     the PDF to write (default: CONTENT with .pdf)\n"
    "  --dump-layout FILE   also write the positioned items as text ('-' for stdout)\n"
    "  --strict             treat warnings (fallbacks applied) as errors; with\n"
    "                       --preflight, every finding (exit 1, no PDF written)\n"
    "  --chart-dpi N        draw charts as images at N dpi (36 to 1200) instead of\n"
    "                       vector paths; their labels stay text (default: vector)\n"
    "  --for TARGET         screen (default: links, bookmarks, RGB) or print (a file\n"
    "                       for a printer: bleed, trim box, CMYK; docs/print.md)\n"
    "  --bleed LENGTH       with --for print: the bleed, e.g. 3mm (default: the\n"
    "                       layout's <print bleed>, else 3mm)\n"
    "  --crop-marks         with --for print: add crop marks outside the bleed\n"
    "  --accessible         refuse what makes the PDF inaccessible: no title, a figure\n"
    "                       without alt text, skipped heading levels, link text like\n"
    "                       'click here', text under 4.5:1 (docs/accessibility.md)\n"
    "  --preflight FILE     also write a preflight report: JSON when FILE ends in\n"
    "                       .json, JUnit XML when it ends in .xml (docs/preflight.md)\n"
    "  --select XPATH       render only the layout's items XPATH matches (evaluated on\n"
    "                       the content's root: //person[@id = 'x'], //board[1])\n"
    "  --split              one PDF per item; -o is then a pattern whose {xpath}\n"
    "                       parts are evaluated per item (default: CONTENT-{@id}.pdf)\n"
    "  -q, --quiet          do not print the output path, nor progress on a terminal\n"
    "  --help               show this help\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, gives the PDF's creation date (reproducible builds).\n"
    "Exit status: 0 written (warnings allowed), 1 input refused, 2 bad usage, 3 internal error.\n";

typedef struct render_opts {
  const char *content, *layout, *output, *dump, *chart_dpi, *target, *bleed, *preflight;
  const char *select; /* items: --select XPATH, --split */
  bool split;
  bool strict, quiet, help, crop_marks, accessible;
} render_opts;

/* Progress on a terminal: a render still running after half a second shows
 * where it is on one line of stderr, rewritten with \r at most ten times a
 * second and blanked before anything else is printed. Not on a pipe or a
 * file (a CI log gets no carriage returns), not with -q. RP_PROGRESS_DELAY
 * (seconds) changes the half second: tests set 0, so as not to depend on how
 * fast the machine is. */
#define PROGRESS_AFTER 0.5 /* s */
#define PROGRESS_EVERY 0.1 /* s */
#define PROGRESS_WIDTH 56  /* characters of text after "reviewpdf: " (67 in all) */

typedef struct progress_line {
  double after; /* s before anything is shown */
  struct timespec start, last;
  bool shown; /* the line holds text to blank */
} progress_line;

static double seconds_since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_show(void *user, const rp_progress *p) {
  progress_line *pl = user;
  bool saving = p->stage == RP_PROGRESS_WRITE && p->done == p->total;
  if (seconds_since(&pl->start) < pl->after) return;
  if (pl->shown && !saving && seconds_since(&pl->last) < PROGRESS_EVERY) return;
  clock_gettime(CLOCK_MONOTONIC, &pl->last);
  char text[128];
  if (p->stage == RP_PROGRESS_LAYOUT && p->pass > 1)
    snprintf(text, sizeof text, "laying out again (pass %d, page numbers): page %zu of ~%zu",
             p->pass, p->done, p->total);
  else if (p->stage == RP_PROGRESS_LAYOUT)
    snprintf(text, sizeof text, "laying out: page %zu", p->done);
  else if (!saving)
    snprintf(text, sizeof text, "writing the PDF: page %zu of %zu", p->done, p->total);
  else
    snprintf(text, sizeof text, "writing the PDF: saving %zu pages", p->total);
  fprintf(stderr, "\rreviewpdf: %-*.*s", PROGRESS_WIDTH, PROGRESS_WIDTH, text);
  fflush(stderr);
  pl->shown = true;
}

static void progress_clear(progress_line *pl) {
  if (pl->shown) fprintf(stderr, "\r%*s\r", PROGRESS_WIDTH + (int)sizeof "reviewpdf: " - 1, "");
  pl->shown = false;
}

/* --split without -o: CONTENT-{@id}.pdf beside the content (braces in the
 * content's name doubled, so the pattern keeps them literal). */
static const char *split_default(rp_arena *a, const char *content) {
  const char *stem = rp_path_with_ext(a, content, "");
  size_t n = stem ? strlen(stem) : 0, o = 0;
  char *p = stem ? rp_arena_alloc(a, 2 * n + sizeof "-{@id}.pdf") : NULL;
  if (!p) return NULL;
  for (size_t i = 0; i < n; i++) {
    p[o++] = stem[i];
    if (stem[i] == '{' || stem[i] == '}') p[o++] = stem[i];
  }
  memcpy(p + o, "-{@id}.pdf", sizeof "-{@id}.pdf");
  return p;
}

int rp_cli_render(int argc, char **argv) {
  render_opts o = {0};
  const rp_opt opts[] = {
      {"help", 'h', false, NULL, &o.help},
      {"layout", 'l', true, &o.layout, NULL},
      {"output", 'o', true, &o.output, NULL},
      {"dump-layout", 0, true, &o.dump, NULL},
      {"strict", 0, false, NULL, &o.strict},
      {"quiet", 'q', false, NULL, &o.quiet},
      {"chart-dpi", 0, true, &o.chart_dpi, NULL},
      {"for", 0, true, &o.target, NULL},
      {"bleed", 0, true, &o.bleed, NULL},
      {"crop-marks", 0, false, NULL, &o.crop_marks},
      {"preflight", 0, true, &o.preflight, NULL},
      {"select", 0, true, &o.select, NULL},
      {"accessible", 0, false, NULL, &o.accessible},
      {"split", 0, false, NULL, &o.split},
  };
  int rc = rp_args_one("render", argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage,
                       &o.help, &o.content);
  if (rc >= 0) return rc;
  long chart_dpi = 0;
  if (o.chart_dpi) {
    char *end;
    chart_dpi = strtol(o.chart_dpi, &end, 10);
    if (*o.chart_dpi == '\0' || *end || chart_dpi < 36 || chart_dpi > 1200) {
      fprintf(stderr,
              "reviewpdf render: --chart-dpi must be a whole number from 36 to 1200, not "
              "'%s'\n",
              o.chart_dpi);
      return 2;
    }
  }
  bool for_print = o.target && strcmp(o.target, "print") == 0;
  if (o.target && !for_print && strcmp(o.target, "screen") != 0) {
    fprintf(stderr, "reviewpdf render: --for is screen or print, not '%s'\n", o.target);
    return 2;
  }
  double bleed = -1;
  if (o.bleed) {
    const char *err = rp_length_parse(o.bleed, RP_NO_PERCENT, &bleed);
    if (err || bleed < 0 || bleed > 72) {
      fprintf(stderr, "reviewpdf render: --bleed is a length from 0 to 25mm, e.g. 3mm, not '%s'\n",
              o.bleed);
      return 2;
    }
  }
  if ((o.bleed || o.crop_marks) && !for_print) {
    fputs("reviewpdf render: --bleed and --crop-marks need --for print\n", stderr);
    return 2;
  }
  if (o.preflight && rp_preflight_format_of(o.preflight) == RP_PREFLIGHT_NONE) {
    fprintf(stderr,
            "reviewpdf render: --preflight writes JSON (a name ending .json) or JUnit XML "
            "(.xml), not '%s'\n",
            o.preflight);
    return 2;
  }
  if (o.split && (o.dump || o.preflight)) {
    fprintf(stderr, "reviewpdf render: %s reports on one document; not with --split\n",
            o.dump ? "--dump-layout" : "--preflight");
    return 2;
  }
  if (o.select && !*o.select) {
    fputs("reviewpdf render: --select needs an XPath, e.g. --select \"//board[@id = 'x']\"\n",
          stderr);
    return 2;
  }
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde && strspn(sde, "0123456789") != strlen(sde)) {
    fprintf(stderr, "reviewpdf render: SOURCE_DATE_EPOCH must be a number of seconds, not '%s'\n",
            sde);
    return 2;
  }

  rp_diag d;
  rp_diag_init(&d);
  d.strict = o.strict;
  rp_arena *a = rp_arena_new();
  const char *output = o.output;
  if (a && !output)
    output = o.split ? split_default(a, o.content) : rp_path_with_ext(a, o.content, ".pdf");
  rp_pipeline_opts po = {
      .content = o.content,
      .layout = o.layout,
      .output = output,
      .dump = o.dump,
      .dump_stream = o.dump && strcmp(o.dump, "-") == 0 ? stdout : NULL,
      .source_date_epoch = sde,
      .chart_dpi = (int)chart_dpi,
      .for_print = for_print,
      .bleed_set = o.bleed != NULL,
      .bleed = bleed,
      .crop_marks = o.crop_marks ? 1 : 0,
      .preflight = o.preflight,
      .accessible = o.accessible,
      .select = o.select,
      .split = o.split,
      .leave_memory = rp_cli_may_leave(),
  };
  progress_line pl = {.after = PROGRESS_AFTER};
  const char *delay = getenv("RP_PROGRESS_DELAY");
  if (delay && *delay) pl.after = atof(delay);
  if (!o.quiet && isatty(STDERR_FILENO)) {
    clock_gettime(CLOCK_MONOTONIC, &pl.start);
    po.progress = progress_show;
    po.progress_user = &pl;
  }
  rp_pipeline_result res = {0};
  rp_status st = a && output ? rp_pipeline_render(a, &po, &d, &res) : rp_diag_oom(&d);
  progress_clear(&pl);
  rp_diag_print(&d, stderr);
  if (st == RP_OK && res.written && !o.quiet) printf("%s\n", res.written);
  for (size_t i = 0; !o.quiet && i < res.n_written; i++) printf("%s\n", res.files[i]);
  rc = (int)st;
  if (st == RP_OK && po.leave_memory) return rc; /* main ends the process now */
  rp_arena_free(a);
  rp_diag_fini(&d);
  return rc;
}
