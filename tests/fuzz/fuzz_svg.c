/* fuzz_svg — an SVG file (the subset of svg/, docs/svg.md): sniffed, loaded
 * (safe XML load, CSS sheets, <use> clones, path data, transforms) and placed
 * as path items into boxes of several shapes. One loaded input in eight (by
 * its bytes, so a replay does the same; every input with RP_FUZZ_PDF) is
 * also the logo of a small content document rendered through annual-review
 * to a PDF that goes nowhere, so render/pdf_svg.c draws it with libharu. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "fuzz.h"
#include "svg/svg.h"

/* The smallest document whose cover shows the organisation's logo. */
static const char fixture[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<review version=\"2\" xml:lang=\"en-GB\">\n"
    "  <organisation><name>Fuzz Network</name>\n"
    "    <logo src=\"../images/fuzz-input.svg\" alt=\"Fuzz logo\"/></organisation>\n"
    "  <period from=\"2019-01-01\" to=\"2019-12-31\">2019</period>\n"
    "  <title>Review of the year</title>\n"
    "  <section id=\"foreword\" role=\"foreword\"><title>Foreword</title><quote>Hi.</quote>"
    "</section>\n"
    "</review>\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)rp_svg_sniff(data, size);
  const char *path = rp_fuzz_write("images/fuzz-input.svg", data, size);
  rp_arena *a = rp_arena_new();
  if (!a) return 0;
  rp_diag d;
  rp_diag_init(&d);
  rp_svg *svg = NULL;
  double w = 0, h = 0;
  rp_status st = rp_svg_load(a, path, &d, &svg, &w, &h);
  if (st == RP_OK && svg) {
    static const double boxes[][4] = {
        {10, 20, 200, 100}, {0, 0, 0, 0}, {5, 5, 1e-6, 300}, {-50, 700, 1e5, 1}};
    rp_src src = {"fuzz.xml", 1, "fuzz.svg", 1};
    for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++) {
      rp_item *items = NULL;
      if (!rp_svg_items(a, svg, boxes[i][0], boxes[i][1], boxes[i][2], boxes[i][3], &src, &items))
        break;
    }
  }
  if (getenv("RP_FUZZ_VERBOSE")) rp_diag_print(&d, stderr);
  rp_fuzz_no_internal(&d);
  rp_diag_fini(&d);
  rp_arena_free(a);
  if (st != RP_OK) return 0;
  uint32_t hash = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < size; i++) hash = (hash ^ data[i]) * 16777619u;
  if (getenv("RP_FUZZ_PDF") || hash % 8 == 0) {
    static bool written; /* rp_fuzz_write's path is reused by the next call */
    if (!written) rp_fuzz_write("data/fuzz-svg.xml", (const uint8_t *)fixture, strlen(fixture));
    written = true;
    rp_fuzz_render(rp_fuzz_path("data/fuzz-svg.xml"), rp_fuzz_path("layouts/annual-review.xml"),
                   true);
  }
  return 0;
}
