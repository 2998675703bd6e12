/* preflight — what a careful designer would catch before a review goes to
 * print, as a report a person or CI reads (`render --preflight FILE`,
 * docs/preflight.md).
 *
 * Findings are diagnostics with a check code (base/diag.h rp_diag_code).
 * Most are recorded where they arise: bind (required selections that
 * matched nothing, charts without data), layout (text shrunk, cut or taller
 * than its box, characters missing from the fonts, unavoidable widows and
 * orphans), charts (label contrast, map labels set smaller). The rest need
 * the finished pages and are checked here: text contrast with what it
 * stands on, images under 150 dpi at their placed size, images and charts
 * without alternative text. Findings recorded without a page get the first
 * page where an item of the same source landed.
 *
 * The report is JSON (FILE ends in .json) or JUnit XML (.xml, one test case
 * per check, every check listed), written all-or-nothing (base/outfile). */
#ifndef RP_PIPELINE_PREFLIGHT_H
#define RP_PIPELINE_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "page/items.h"
#include "render/probe.h"

#define RP_PREFLIGHT_MIN_DPI 150.0

typedef enum rp_preflight_format {
  RP_PREFLIGHT_NONE, /* the name ends in neither .json nor .xml */
  RP_PREFLIGHT_JSON,
  RP_PREFLIGHT_JUNIT,
} rp_preflight_format;

/* The report's format, from the file name's ending (case-insensitive). */
rp_preflight_format rp_preflight_format_of(const char *path);

/* Checks the laid-out pages of `doc` (contrast, image resolution, alt text)
 * and records each finding in `d` as a coded, finding-only warning (an
 * error under d->strict). `probe` answers the images' pixel sizes (cached:
 * layout already probed them); NULL skips the resolution check. */
void rp_preflight_check(const rp_layout_doc *doc, rp_image_probe *probe, rp_diag *d);

/* render --accessible (docs/accessibility.md): what makes a document
 * inaccessible, recorded as errors with the page and layout line — no title,
 * a figure without alternative text, a heading that skips a level, link text
 * that means nothing out of context ("click here"), text under 4.5:1. */
void rp_accessible_check(const rp_layout_doc *doc, rp_diag *d);

/* Gives each entry of `d` recorded with a source but no page the first page of
 * `doc` holding an item of its source (the layout line, and the content
 * line when known; for a missing character the item of its content nearest
 * before it). Entries whose source no item has keep page 0. */
void rp_preflight_place(const rp_layout_doc *doc, rp_diag *d);

/* What the report says about the run besides its findings. */
typedef struct rp_preflight_run {
  const char *content, *layout; /* paths; layout NULL when not found */
  size_t pages;                 /* 0 when not laid out */
  rp_status status;             /* the run's status so far */
} rp_preflight_run;

/* Writes every entry of `d` as the report at `path` (format from its name).
 * Problems writing it are recorded in `d` (after the report's entries) and
 * returned; nothing is left at `path` then, and an earlier report stays. */
rp_status rp_preflight_write(const char *path, const rp_preflight_run *run, rp_diag *d);

#endif
