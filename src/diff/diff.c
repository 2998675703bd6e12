/* diff — the comparison of a PDF with a PDF or a goldens folder, and the
 * writing of goldens. See diff.h; rasterising and pixels are in raster.c and
 * compare.c. One page of each side is in memory at a time. */
#include "diff/diff.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/outfile.h"
#include "diff/raster.h"

rp_diff_opts rp_diff_opts_default(void) {
  return (rp_diff_opts){
      .threshold = RP_DIFF_DEFAULT_THRESHOLD,
      .max_share = RP_DIFF_DEFAULT_MAX_SHARE,
      .radius = RP_DIFF_DEFAULT_RADIUS,
  };
}

/* ---- goldens folders ------------------------------------------------ */

typedef struct golden {
  const char *dir;
  int dpi, pages;
} golden;

static bool is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* page-001.png … : three digits or more, so a listing sorts in page order. */
static char *page_png(rp_arena *a, const char *dir, int page) {
  return rp_arena_printf(a, "%s/page-%03d.png", dir, page);
}

/* The page number of a name page-NNN.png, or 0. */
static int page_png_number(const char *name) {
  int n = 0, len = 0;
  if (sscanf(name, "page-%d.png%n", &n, &len) != 1 || name[len] != '\0') return 0;
  if (strspn(name + 5, "0123456789") < 3) return 0;
  return n > 0 ? n : 0;
}

/* Reads DIR/golden.txt: "dpi N" and "pages N" lines, '#' comments. */
static rp_status golden_read(rp_arena *a, const char *dir, golden *g, rp_diag *d) {
  *g = (golden){.dir = dir};
  char *path = rp_arena_printf(a, "%s/%s", dir, RP_DIFF_MANIFEST);
  if (!path) return rp_diag_oom(d);
  FILE *f = fopen(path, "r");
  if (!f)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "not a goldens folder (%s); make one with 'reviewpdf diff %s "
                         "ACTUAL.pdf --update'",
                         strerror(errno), dir);
  char line[256];
  int lineno = 0;
  rp_status st = RP_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char key[16];
    int v, len = 0;
    if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#') continue;
    if (sscanf(line, "%15s %d %n", key, &v, &len) == 2 && line[len] == '\0' && v > 0) {
      if (strcmp(key, "dpi") == 0 && v >= RP_DIFF_MIN_DPI && v <= RP_DIFF_MAX_DPI) {
        g->dpi = v;
        continue;
      }
      if (strcmp(key, "pages") == 0 && v <= RP_DIFF_MAX_PAGES) {
        g->pages = v;
        continue;
      }
    }
    st = rp_diag_error(d, RP_ERR_INPUT, path, lineno, 0,
                       "expected 'dpi N' (%d to %d) or 'pages N' (at most %d); regenerate the "
                       "folder with --update",
                       RP_DIFF_MIN_DPI, RP_DIFF_MAX_DPI, RP_DIFF_MAX_PAGES);
  }
  fclose(f);
  if (!st && (!g->dpi || !g->pages))
    st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                       "the manifest lacks its 'dpi' or 'pages' line; regenerate the folder "
                       "with --update");
  return st;
}

static rp_status golden_write_manifest(rp_arena *a, const char *dir, int dpi, int pages,
                                       rp_diag *d) {
  char *path = rp_arena_printf(a, "%s/%s", dir, RP_DIFF_MANIFEST);
  char *text = rp_arena_printf(a,
                               "# Goldens for 'reviewpdf diff': page-001.png … rasterised by "
                               "poppler at this dpi.\n"
                               "# Regenerate: reviewpdf diff THIS-FOLDER ACTUAL.pdf --update\n"
                               "dpi %d\npages %d\n",
                               dpi, pages);
  if (!path || !text) return rp_diag_oom(d);
  rp_outfile of;
  rp_status st = rp_outfile_open(&of, path, d);
  if (st) return st;
  size_t len = strlen(text);
  if (write(of.fd, text, len) != (ssize_t)len) {
    int err = errno;
    rp_outfile_abort(&of);
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot write: %s", strerror(err));
  }
  return rp_outfile_commit(&of, d);
}

/* Removes the page-NNN.png files of DIR numbered above keep. */
static rp_status remove_pages_above(rp_arena *a, const char *dir, int keep, rp_diag *d) {
  DIR *dh = opendir(dir);
  if (!dh)
    return rp_diag_error(d, RP_ERR_INPUT, dir, 0, 0, "cannot list the folder: %s", strerror(errno));
  rp_status st = RP_OK;
  struct dirent *e;
  while ((e = readdir(dh))) {
    int n = page_png_number(e->d_name);
    if (n <= keep) continue;
    char *path = rp_arena_printf(a, "%s/%s", dir, e->d_name);
    if (!path) {
      st = rp_diag_oom(d);
      break;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
      st = rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "cannot remove: %s", strerror(errno));
      break;
    }
  }
  closedir(dh);
  return st;
}

static rp_status ensure_dir(const char *dir, rp_diag *d) {
  if (mkdir(dir, 0777) == 0 || (errno == EEXIST && is_dir(dir))) return RP_OK;
  return rp_diag_error(d, RP_ERR_INPUT, dir, 0, 0,
                       "cannot make the folder: %s; its parent folder must exist", strerror(errno));
}

/* ---- one side of the comparison --------------------------------------- */

typedef struct side {
  const char *path;
  rp_diff_pdf *pdf; /* NULL for a goldens folder */
  golden g;
  int pages;
} side;

static rp_status side_open(rp_arena *a, const char *path, bool may_be_golden, side *s, rp_diag *d) {
  *s = (side){.path = path};
  if (may_be_golden && is_dir(path)) {
    rp_status st = golden_read(a, path, &s->g, d);
    s->pages = s->g.pages;
    return st;
  }
  struct stat sb;
  if (stat(path, &sb) != 0) {
    bool pdf = strlen(path) >= 4 && strcmp(path + strlen(path) - 4, ".pdf") == 0;
    return rp_diag_error(
        d, RP_ERR_INPUT, path, 0, 0, "no such %s%s", pdf ? "PDF" : "file or folder",
        may_be_golden && !pdf ? "; make the goldens folder with 'reviewpdf diff FOLDER ACTUAL.pdf "
                                "--update'"
                              : "");
  }
  rp_status st = rp_diff_pdf_open(path, &s->pdf, d);
  if (!st) s->pages = rp_diff_pdf_pages(s->pdf);
  return st;
}

static void side_close(side *s) {
  rp_diff_pdf_free(s->pdf);
  s->pdf = NULL;
}

static rp_status side_page(rp_arena *a, side *s, int i, int dpi, cairo_surface_t **out,
                           rp_diag *d) {
  if (s->pdf) return rp_diff_pdf_render(s->pdf, i, dpi, NULL, out, d);
  char *path = page_png(a, s->g.dir, i + 1);
  if (!path) return rp_diag_oom(d);
  return rp_diff_png_read(path, out, d);
}

/* ---- the comparison ---------------------------------------------------- */

/* Removes the previous run's diff images from OUT once, before the first new one. */
static rp_status out_prepare(rp_arena *a, const char *out_dir, bool *ready, rp_diag *d) {
  if (*ready) return RP_OK;
  rp_status st = ensure_dir(out_dir, d);
  if (!st) st = remove_pages_above(a, out_dir, 0, d);
  *ready = st == RP_OK;
  return st;
}

static bool same_file(const char *x, const char *y) {
  struct stat sx, sy;
  return stat(x, &sx) == 0 && stat(y, &sy) == 0 && sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

static rp_status compare_page(rp_arena *a, side *exp, side *act, int i, int dpi,
                              const rp_diff_opts *o, bool *out_ready, rp_diff_page *p, rp_diag *d) {
  if (exp->pdf) rp_diff_pdf_size(exp->pdf, i, &p->exp_w_pt, &p->exp_h_pt);
  rp_diff_pdf_size(act->pdf, i, &p->act_w_pt, &p->act_h_pt);
  cairo_surface_t *e = NULL, *x = NULL;
  rp_status st = RP_OK;
  /* two PDFs: sizes in points, before drawing anything */
  if (exp->pdf &&
      (fabs(p->exp_w_pt - p->act_w_pt) > 0.01 || fabs(p->exp_h_pt - p->act_h_pt) > 0.01)) {
    p->verdict = RP_DIFF_SIZE;
    goto out;
  }
  st = side_page(a, exp, i, dpi, &e, d);
  if (!st) st = side_page(a, act, i, dpi, &x, d);
  if (st) goto out;
  p->exp_w = cairo_image_surface_get_width(e), p->exp_h = cairo_image_surface_get_height(e);
  p->act_w = cairo_image_surface_get_width(x), p->act_h = cairo_image_surface_get_height(x);
  if (p->exp_w != p->act_w || p->exp_h != p->act_h) {
    p->verdict = RP_DIFF_SIZE;
    goto out;
  }
  rp_diff_stats s;
  rp_diff_compare(e, x, o->threshold, o->radius, &s);
  p->differing = s.differing, p->total = s.total, p->max_delta = s.max_delta;
  p->x0 = s.x0, p->y0 = s.y0, p->x1 = s.x1, p->y1 = s.y1;
  p->verdict = (double)s.differing > o->max_share * (double)s.total ? RP_DIFF_PIXELS : RP_DIFF_SAME;
  if (p->verdict == RP_DIFF_PIXELS && o->out_dir) {
    st = out_prepare(a, o->out_dir, out_ready, d);
    if (st) goto out;
    cairo_surface_t *img = rp_diff_image(e, x, o->threshold, o->radius, &s);
    const char *path = page_png(a, o->out_dir, i + 1);
    if (!img || !path) {
      cairo_surface_destroy(img);
      st = rp_diag_oom(d);
      goto out;
    }
    st = rp_diff_png_write(img, path, d);
    cairo_surface_destroy(img);
    if (!st) p->image = path;
  }
out:
  cairo_surface_destroy(e);
  cairo_surface_destroy(x);
  return st;
}

rp_status rp_diff_run(rp_arena *a, const char *expected, const char *actual, const rp_diff_opts *o,
                      rp_diff_result *res, rp_diag *d) {
  *res = (rp_diff_result){0};
  side exp, act;
  rp_status st = side_open(a, expected, true, &exp, d);
  rp_status st2 = side_open(a, actual, false, &act, d);
  if (st || st2) goto out;
  int dpi = o->dpi ? o->dpi : RP_DIFF_DEFAULT_DPI;
  if (!exp.pdf) {
    if (o->dpi && o->dpi != exp.g.dpi) {
      st = rp_diag_error(d, RP_ERR_USAGE, expected, 0, 0,
                         "these goldens were made at %d dpi, not %d: leave out --dpi, or "
                         "regenerate them with --update --dpi %d",
                         exp.g.dpi, o->dpi, o->dpi);
      goto out;
    }
    dpi = exp.g.dpi;
  }
  if (o->out_dir && !exp.pdf && is_dir(o->out_dir) && same_file(o->out_dir, expected)) {
    st = rp_diag_error(d, RP_ERR_USAGE, o->out_dir, 0, 0,
                       "the diff images would overwrite the goldens: choose another --out");
    goto out;
  }
  res->dpi = dpi;
  res->expected_pages = exp.pages;
  res->actual_pages = act.pages;
  int n = exp.pages > act.pages ? exp.pages : act.pages;
  bool out_ready = false;
  for (int i = 0; i < n && !st; i++) {
    rp_diff_page *p = rp_vec_push(a, &res->pages, sizeof *p);
    if (!p) {
      st = rp_diag_oom(d);
      break;
    }
    p->page = i + 1;
    if (i >= exp.pages) {
      p->verdict = RP_DIFF_ONLY_ACTUAL;
      rp_diff_pdf_size(act.pdf, i, &p->act_w_pt, &p->act_h_pt);
    } else if (i >= act.pages) {
      p->verdict = RP_DIFF_ONLY_EXPECTED;
      if (exp.pdf) rp_diff_pdf_size(exp.pdf, i, &p->exp_w_pt, &p->exp_h_pt);
    } else {
      st = compare_page(a, &exp, &act, i, dpi, o, &out_ready, p, d);
    }
    if (p->verdict != RP_DIFF_SAME) res->differing_pages++;
  }
out:
  side_close(&exp);
  side_close(&act);
  return st ? st : st2;
}

/* ---- writing goldens ----------------------------------------------------- */

rp_status rp_diff_update(rp_arena *a, const char *dir, const char *actual, int dpi, int *pages,
                         int *dpi_used, rp_diag *d) {
  *pages = 0;
  *dpi_used = 0;
  struct stat sb;
  if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
    return rp_diag_error(d, RP_ERR_USAGE, dir, 0, 0,
                         "--update writes a folder of goldens, and this is a file: name a "
                         "folder");
  if (!dpi) {
    /* keep the folder's dpi when it has one */
    golden g;
    rp_diag quiet;
    rp_diag_init(&quiet);
    if (is_dir(dir) && golden_read(a, dir, &g, &quiet) == RP_OK) dpi = g.dpi;
    rp_diag_fini(&quiet);
    if (!dpi) dpi = RP_DIFF_DEFAULT_DPI;
  }
  side act;
  rp_status st = side_open(a, actual, false, &act, d);
  if (!st) st = ensure_dir(dir, d);
  for (int i = 0; !st && i < act.pages; i++) {
    cairo_surface_t *s = NULL;
    st = rp_diff_pdf_render(act.pdf, i, dpi, NULL, &s, d);
    char *path = st ? NULL : page_png(a, dir, i + 1);
    if (!st && !path) st = rp_diag_oom(d);
    if (!st) st = rp_diff_png_write(s, path, d);
    cairo_surface_destroy(s);
  }
  if (!st) st = remove_pages_above(a, dir, act.pages, d);
  if (!st) st = golden_write_manifest(a, dir, dpi, act.pages, d);
  if (!st) *pages = act.pages, *dpi_used = dpi;
  side_close(&act);
  return st;
}
