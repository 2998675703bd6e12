/* diff — `reviewpdf diff EXPECTED ACTUAL [options]`: compares a PDF with a
 * PDF or a folder of goldens (diff/diff.h) and exits like cmp(1): 0 same,
 * 1 different, 2 trouble. `--update` writes the goldens folder instead.
 *
 * This file is linked into reviewpdf-diff only (src/diff_main.c), with
 * poppler; reviewpdf itself runs it through cli/exec.c so that render's
 * start never loads poppler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "diff/diff.h"

static const char usage[] =
    "usage: reviewpdf diff EXPECTED ACTUAL.pdf [options]\n"
    "\n"
    "Rasterises every page of ACTUAL and compares it with EXPECTED: another PDF, or a\n"
    "folder of goldens (page-001.png … and golden.txt, made with --update).\n"
    "\n"
    "  --dpi N            rasterise at N dpi (10 to 600; default: the goldens' dpi,\n"
    "                     or 72 for two PDFs)\n"
    "  --threshold N      a pixel differs when a colour channel differs by more\n"
    "                     than N (0 to 255; default %d), unless by at most 4 N and\n"
    "                     the other page has that colour within --radius px of it\n"
    "                     (an anti-aliased edge, drawn a little differently)\n"
    "  --radius N         how far to look for it (0 to 3 px; default %d; 0 compares\n"
    "                     each pixel in place only)\n"
    "  --max-share F      a page differs when more than this share of its pixels\n"
    "                     differ: a fraction (0.001) or a percentage (0.1%%)\n"
    "                     (default %g %%)\n"
    "  --out DIR          where the diff images go (default: ACTUAL without .pdf,\n"
    "                     plus '-diff'); one page-NNN.png per differing page\n"
    "  --update           write the goldens folder EXPECTED from ACTUAL instead\n"
    "  -q, --quiet        print nothing; the exit status tells\n"
    "  --help             show this help\n"
    "\n"
    "A diff image shows the expected page faded, the differing pixels red and their\n"
    "box outlined in blue.\n"
    "Exit status: 0 same (or goldens written), 1 different, 2 trouble (unreadable or\n"
    "corrupt PDF, missing goldens, bad arguments).\n";

typedef struct diff_opts {
  const char *dpi, *threshold, *max_share, *radius, *out;
  bool update, quiet, help;
} diff_opts;

/* A whole number from lo to hi, or -1. */
static long whole(const char *s, long lo, long hi) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end || v < lo || v > hi) return -1;
  return v;
}

/* A share: "0.001" or "0.1%"; -1 when neither, or outside 0–1. */
static double share(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (end == s) return -1;
  if (*end == '%' && end[1] == '\0') v /= 100, end++;
  if (*end || !(v >= 0 && v <= 1)) return -1;
  return v;
}

static const char *verdict_text(const rp_diff_page *p) {
  switch (p->verdict) {
    case RP_DIFF_ONLY_EXPECTED:
      return "missing from ACTUAL";
    case RP_DIFF_ONLY_ACTUAL:
      return "not in EXPECTED";
    default:
      return "";
  }
}

static void report_page(const rp_diff_page *p, const rp_diff_result *r, double max_share) {
  switch (p->verdict) {
    case RP_DIFF_SAME:
      return;
    case RP_DIFF_ONLY_EXPECTED:
    case RP_DIFF_ONLY_ACTUAL:
      printf("page %d: %s\n", p->page, verdict_text(p));
      return;
    case RP_DIFF_SIZE:
      if (p->exp_w_pt > 0)
        printf("page %d: size differs: expected %.1f × %.1f pt, actual %.1f × %.1f pt\n", p->page,
               p->exp_w_pt, p->exp_h_pt, p->act_w_pt, p->act_h_pt);
      else
        printf(
            "page %d: size differs: expected %d × %d px, actual %d × %d px (%.1f × %.1f pt) "
            "at %d dpi\n",
            p->page, p->exp_w, p->exp_h, p->act_w, p->act_h, p->act_w_pt, p->act_h_pt, r->dpi);
      return;
    case RP_DIFF_PIXELS: {
      double k = 72.0 / r->dpi;
      printf(
          "page %d: %ld of %ld pixels differ (%.3f %%, more than %.3f %%) in the box x %d–%d, "
          "y %d–%d px at %d dpi (x %.0f–%.0f, y %.0f–%.0f pt from the top left)",
          p->page, p->differing, p->total, 100.0 * (double)p->differing / (double)p->total,
          100.0 * max_share, p->x0, p->x1, p->y0, p->y1, r->dpi, p->x0 * k, (p->x1 + 1) * k,
          p->y0 * k, (p->y1 + 1) * k);
      if (p->image) printf("; diff image %s", p->image);
      putchar('\n');
      return;
    }
  }
}

/* ACTUAL.pdf → ACTUAL-diff */
static const char *default_out(rp_arena *a, const char *actual) {
  size_t n = strlen(actual);
  if (n > 4 && strcmp(actual + n - 4, ".pdf") == 0) n -= 4;
  return rp_arena_printf(a, "%.*s-diff", (int)n, actual);
}

int rp_cli_diff(int argc, char **argv) {
  diff_opts o = {0};
  const rp_opt opts[] = {
      {"help", 'h', false, NULL, &o.help},        {"dpi", 0, true, &o.dpi, NULL},
      {"threshold", 0, true, &o.threshold, NULL}, {"max-share", 0, true, &o.max_share, NULL},
      {"radius", 0, true, &o.radius, NULL},       {"out", 0, true, &o.out, NULL},
      {"update", 0, false, NULL, &o.update},      {"quiet", 'q', false, NULL, &o.quiet},
  };
  const char *pos[2];
  int n_pos;
  int rc =
      rp_args_parse("diff", argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), pos, 2, &n_pos);
  if (rc) return 2;
  if (o.help) {
    printf(usage, RP_DIFF_DEFAULT_THRESHOLD, RP_DIFF_DEFAULT_RADIUS,
           100 * RP_DIFF_DEFAULT_MAX_SHARE);
    return 0;
  }
  if (n_pos != 2) {
    fprintf(stderr, "reviewpdf diff: needs EXPECTED and ACTUAL.pdf; see 'reviewpdf diff --help'\n");
    return 2;
  }
  rp_diff_opts dopts = rp_diff_opts_default();
  if (o.dpi && (dopts.dpi = (int)whole(o.dpi, RP_DIFF_MIN_DPI, RP_DIFF_MAX_DPI)) < 0) {
    fprintf(stderr, "reviewpdf diff: --dpi must be a whole number from %d to %d, not '%s'\n",
            RP_DIFF_MIN_DPI, RP_DIFF_MAX_DPI, o.dpi);
    return 2;
  }
  if (o.threshold && (dopts.threshold = (int)whole(o.threshold, 0, 255)) < 0) {
    fprintf(stderr, "reviewpdf diff: --threshold must be a whole number from 0 to 255, not '%s'\n",
            o.threshold);
    return 2;
  }
  if (o.radius && (dopts.radius = (int)whole(o.radius, 0, 3)) < 0) {
    fprintf(stderr, "reviewpdf diff: --radius must be a whole number from 0 to 3, not '%s'\n",
            o.radius);
    return 2;
  }
  if (o.max_share && (dopts.max_share = share(o.max_share)) < 0) {
    fprintf(stderr,
            "reviewpdf diff: --max-share must be a fraction from 0 to 1 (0.001) or a "
            "percentage (0.1%%), not '%s'\n",
            o.max_share);
    return 2;
  }

  rp_diag d;
  rp_diag_init(&d);
  rp_arena *a = rp_arena_new();
  if (!a) {
    fprintf(stderr, "reviewpdf diff: out of memory\n");
    return 2;
  }
  if (o.update) {
    int pages, dpi;
    rp_status st = rp_diff_update(a, pos[0], pos[1], dopts.dpi, &pages, &dpi, &d);
    rp_diag_print(&d, stderr);
    if (!st && !o.quiet) printf("%s: %d pages at %d dpi from %s\n", pos[0], pages, dpi, pos[1]);
    rc = st ? 2 : 0;
  } else {
    dopts.out_dir = o.out ? o.out : default_out(a, pos[1]);
    rp_diff_result r;
    rp_status st = dopts.out_dir ? rp_diff_run(a, pos[0], pos[1], &dopts, &r, &d) : rp_diag_oom(&d);
    rp_diag_print(&d, stderr);
    if (st) {
      rc = 2;
    } else if (r.differing_pages == 0) {
      rc = 0;
    } else {
      rc = 1;
      if (!o.quiet) {
        if (r.expected_pages != r.actual_pages)
          printf("page count differs: expected %d, actual %d\n", r.expected_pages, r.actual_pages);
        for (size_t i = 0; i < r.pages.len; i++)
          report_page(&RP_VEC_AT(r.pages, rp_diff_page, i), &r, dopts.max_share);
        printf("%s %s differ: %d of %d pages\n", pos[0], pos[1], r.differing_pages,
               r.expected_pages > r.actual_pages ? r.expected_pages : r.actual_pages);
      }
    }
  }
  rp_arena_free(a);
  rp_diag_fini(&d);
  return rc;
}
