/* pipeline — see pipeline.h. */
#include "pipeline/pipeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/outfile.h"
#include "model/content.h"
#include "render/probe.h"
#include "render/render.h"
#include "template/template.h"

/* The first error's status, once a stage has returned RP_OK: under --strict
 * a warning recorded by the stage is an error and stops the run. */
static rp_status settle(rp_status st, const rp_diag *d) {
  return st == RP_OK ? rp_diag_status(d) : st;
}

static rp_status hook(const rp_pipeline_opts *o, rp_pipeline_stage stage, rp_diag *d) {
  return o->hook ? o->hook(o->hook_user, stage, d) : RP_OK;
}

static rp_status dump_to(const rp_layout_doc *doc, const char *path, rp_diag *d) {
  rp_outfile of;
  rp_status st = rp_outfile_open(&of, path, d);
  if (st != RP_OK) return st;
  FILE *f = fdopen(of.fd, "w");
  if (!f) {
    rp_outfile_abort(&of);
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot write the layout dump");
  }
  of.fd = -1; /* the stream owns it now */
  /* A write that failed inside stdio (disk full) leaves only the stream's
   * error flag, which rp_layout_dump reports by its status: fclose reports
   * just the last flush. The stream owns the descriptor, so outfile cannot
   * sync it: that is done here. */
  errno = 0;
  bool failed = rp_layout_dump(doc, f) != RP_OK;
  int err = errno;
  if (!failed && (fflush(f) != 0 || (fsync(fileno(f)) != 0 && errno != EINVAL))) {
    failed = true;
    err = errno;
  }
  if (fclose(f) != 0 && !failed) {
    failed = true;
    err = errno;
  }
  if (failed)
    st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                       "cannot write the layout dump: %s; check that the disk has room and the "
                       "folder is writable",
                       strerror(err ? err : EIO));
  if (st == RP_OK) return rp_outfile_commit(&of, d);
  rp_outfile_abort(&of);
  return st;
}

static rp_status write_pdf(const rp_pipeline_opts *o, const rp_layout_doc *pages, rp_diag *d) {
  rp_outfile of = {.fd = -1};
  rp_status st = rp_outfile_open(&of, o->output, d);
  if (st != RP_OK) return st;
  rp_render_opts ro = {
      .source_date_epoch = o->source_date_epoch, .chart_dpi = o->chart_dpi, .out_name = o->output};
  st = settle(rp_render_pdf(pages, &ro, of.tmp_path, d), d);
  if (st == RP_OK) st = hook(o, RP_PIPELINE_RENDERED, d);
  if (st == RP_OK) return rp_outfile_commit(&of, d);
  rp_outfile_abort(&of);
  return st;
}

rp_status rp_pipeline_render(rp_arena *a, const rp_pipeline_opts *o, rp_diag *d,
                             rp_pipeline_result *out) {
  *out = (rp_pipeline_result){0};
  rp_content *content = NULL;
  rp_layout_def *layout = NULL;
  rp_bound_doc *bound = NULL;
  rp_layout_doc *pages = NULL;

  rp_status st = rp_content_load(a, o->content, d, &content);
  if (st == RP_OK)
    st = rp_layout_find(a, o->layout ? o->layout : "annual-review", d, &out->layout_path);
  if (st == RP_OK) st = rp_layout_def_load(a, out->layout_path, d, &layout);
  if (st == RP_OK) st = rp_bind(a, layout, content, d, &bound);
  if (st == RP_OK) st = hook(o, RP_PIPELINE_LOADED, d);
  if (st == RP_OK) {
    /* Images are probed (fully decoded) once each, so layout can fit them
     * and put initials where a photo is missing or unreadable. */
    rp_image_probe probe;
    rp_image_probe_init(&probe);
    rp_layout_opts lo = {rp_image_probe_file, &probe};
    st = rp_layout_run_ex(a, bound, &lo, d, &pages);
    rp_image_probe_fini(&probe);
  }
  st = settle(st, d);
  if (st == RP_OK) {
    out->doc = pages;
    out->pages = pages->pages.len;
    for (size_t i = 0; i < pages->pages.len; i++)
      out->items += RP_VEC_AT(pages->pages, rp_page, i).items.len;
  }
  if (st == RP_OK && o->dump_stream) st = rp_layout_dump(pages, o->dump_stream);
  if (st == RP_OK && !o->dump_stream && o->dump) st = dump_to(pages, o->dump, d);
  if (st == RP_OK) st = hook(o, RP_PIPELINE_LAID_OUT, d);
  if (st == RP_OK && o->output) st = write_pdf(o, pages, d);
  if (st == RP_OK && o->output) out->written = o->output;
  rp_layout_def_free(layout);
  rp_content_free(content);
  return st;
}
