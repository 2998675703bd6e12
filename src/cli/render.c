/* render — `reviewpdf render CONTENT.xml [--layout L] [-o OUT.pdf]`: the
 * whole pipeline, content → bind → layout → PDF. The PDF is written to a
 * temporary file beside the target and renamed into place only on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/outfile.h"
#include "base/path.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "layout/layout.h"
#include "model/content.h"
#include "render/probe.h"
#include "render/render.h"
#include "template/template.h"

static const char usage[] =
    "usage: reviewpdf render CONTENT.xml [--layout LAYOUT] [-o OUT.pdf] [options]\n"
    "\n"
    "Lays out a content document with a layout and writes a PDF.\n"
    "\n"
    "  --layout LAYOUT      a layout file, or a name looked up in ./layouts, then in\n"
    "                       the installed share folder (default: annual-review)\n"
    "  -o, --output OUT     the PDF to write (default: CONTENT with .pdf)\n"
    "  --dump-layout FILE   also write the positioned items as text ('-' for stdout)\n"
    "  --strict             treat warnings (fallbacks applied) as errors\n"
    "  -q, --quiet          do not print the output path\n"
    "  --help               show this help\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, gives the PDF's creation date (reproducible builds).\n"
    "Exit status: 0 written (warnings allowed), 1 input refused, 2 bad usage, 3 internal error.\n";

typedef struct render_opts {
  const char *content, *layout, *output, *dump;
  bool strict, quiet, help;
} render_opts;

static rp_status dump_to(const rp_layout_doc *doc, const char *path, rp_diag *d) {
  if (strcmp(path, "-") == 0) return rp_layout_dump(doc, stdout);
  rp_outfile of;
  rp_status st = rp_outfile_open(&of, path, d);
  if (st != RP_OK) return st;
  FILE *f = fdopen(of.fd, "w");
  if (!f) {
    rp_outfile_abort(&of);
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot write the layout dump");
  }
  of.fd = -1; /* the stream owns it now */
  st = rp_layout_dump(doc, f);
  if (fclose(f) != 0 && st == RP_OK)
    st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot write the layout dump");
  if (st == RP_OK) return rp_outfile_commit(&of, d);
  rp_outfile_abort(&of);
  return st;
}

static rp_status run(const render_opts *o, rp_arena *a, rp_diag *d, const char **written) {
  rp_content *content = NULL;
  rp_layout_def *layout = NULL;
  const char *layout_path = NULL;
  rp_bound_doc *bound = NULL;
  rp_layout_doc *pages = NULL;
  rp_outfile of = {.fd = -1};

  rp_status st = rp_content_load(a, o->content, d, &content);
  if (st == RP_OK) st = rp_layout_find(a, o->layout ? o->layout : "annual-review", d, &layout_path);
  if (st == RP_OK) st = rp_layout_def_load(a, layout_path, d, &layout);
  if (st == RP_OK) st = rp_bind(a, layout, content, d, &bound);
  if (st == RP_OK) {
    /* Images are probed (fully decoded) once each, so layout can fit them
     * and put initials where a photo is missing or unreadable. */
    rp_image_probe probe;
    rp_image_probe_init(&probe);
    rp_layout_opts lo = {rp_image_probe_file, &probe};
    st = rp_layout_run_ex(a, bound, &lo, d, &pages);
    rp_image_probe_fini(&probe);
  }
  if (st == RP_OK && rp_diag_status(d) != RP_OK) st = rp_diag_status(d); /* --strict */
  if (st == RP_OK && o->dump) st = dump_to(pages, o->dump, d);
  const char *out = o->output ? o->output : rp_path_with_ext(a, o->content, ".pdf");
  if (st == RP_OK && !out) st = rp_diag_oom(d);
  if (st == RP_OK) st = rp_outfile_open(&of, out, d);
  if (st == RP_OK) {
    rp_render_opts ro = {.source_date_epoch = getenv("SOURCE_DATE_EPOCH")};
    st = rp_render_pdf(pages, &ro, of.tmp_path, d);
    if (st == RP_OK && rp_diag_status(d) != RP_OK) st = rp_diag_status(d);
    if (st == RP_OK)
      st = rp_outfile_commit(&of, d);
    else
      rp_outfile_abort(&of);
  }
  if (st == RP_OK) *written = out;
  rp_layout_def_free(layout);
  rp_content_free(content);
  return st;
}

int rp_cli_render(int argc, char **argv) {
  render_opts o = {0};
  const rp_opt opts[] = {
      {"help", 'h', false, NULL, &o.help},    {"layout", 'l', true, &o.layout, NULL},
      {"output", 'o', true, &o.output, NULL}, {"dump-layout", 0, true, &o.dump, NULL},
      {"strict", 0, false, NULL, &o.strict},  {"quiet", 'q', false, NULL, &o.quiet},
  };
  const char *pos[1];
  int n_pos;
  int rc = rp_args_parse("render", argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 1,
                         &n_pos);
  if (rc) return rc;
  if (o.help) {
    fputs(usage, stdout);
    return 0;
  }
  if (n_pos != 1) {
    fputs(usage, stderr);
    return 2;
  }
  o.content = pos[0];
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
  const char *written = NULL;
  rp_status st = a ? run(&o, a, &d, &written) : rp_diag_oom(&d);
  rp_diag_print(&d, stderr);
  if (st == RP_OK && written && !o.quiet) printf("%s\n", written);
  rc = (int)st;
  rp_arena_free(a);
  rp_diag_fini(&d);
  return rc;
}
