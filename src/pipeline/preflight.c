/* preflight — see preflight.h. */
#include "pipeline/preflight.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/color.h"
#include "base/outfile.h"

#define EXCERPT 40 /* bytes of a text run quoted in a finding */

static bool same_str(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

rp_preflight_format rp_preflight_format_of(const char *path) {
  size_t n = path ? strlen(path) : 0;
  if (n > 5 && strcasecmp(path + n - 5, ".json") == 0) return RP_PREFLIGHT_JSON;
  if (n > 4 && strcasecmp(path + n - 4, ".xml") == 0) return RP_PREFLIGHT_JUNIT;
  return RP_PREFLIGHT_NONE;
}

/* The first `max` bytes or so of s, cut at a character boundary, "…" added. */
static void excerpt(const char *s, char *out, size_t max) {
  size_t n = strlen(s);
  if (n <= max) {
    memcpy(out, s, n + 1);
    return;
  }
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
  memcpy(out, s, max);
  memcpy(out + max, "\xE2\x80\xA6", 4);
}

static void hex(rp_color c, char out[8]) {
  snprintf(out, 8, "#%02x%02x%02x", (int)lround(c.r * 255), (int)lround(c.g * 255),
           (int)lround(c.b * 255));
}

/* ---- contrast --------------------------------------------------------------- */

static bool inside(const rp_item *s, double x, double y) {
  if (x < s->x || x > s->x + s->w || y < s->y || y > s->y + s->h) return false;
  if (s->kind != RP_ITEM_ELLIPSE || s->w <= 0 || s->h <= 0) return true;
  double dx = (x - s->x - s->w / 2) / (s->w / 2), dy = (y - s->y - s->h / 2) / (s->h / 2);
  return dx * dx + dy * dy <= 1;
}

/* What is under (x, y) when item `upto` of page p is drawn: the white page,
 * then every filled rectangle and ellipse before it that holds the point,
 * blended by its opacity. False when an image lies on top of what is known
 * (a photo's colours under text are not judged here). */
static bool background(const rp_page *p, size_t upto, double x, double y, rp_color *out) {
  rp_color bg = {1, 1, 1, 1};
  bool known = true;
  for (size_t i = 0; i < upto; i++) {
    const rp_item *s = &RP_VEC_AT(p->items, rp_item, i);
    if (s->kind == RP_ITEM_IMAGE && inside(s, x, y)) {
      known = false;
      continue;
    }
    if ((s->kind != RP_ITEM_RECT && s->kind != RP_ITEM_ELLIPSE) || s->u.shape.fill.a <= 0 ||
        !inside(s, x, y))
      continue;
    rp_color f = s->u.shape.fill;
    float a = f.a > 1 ? 1 : f.a;
    bg =
        (rp_color){f.r * a + bg.r * (1 - a), f.g * a + bg.g * (1 - a), f.b * a + bg.b * (1 - a), 1};
    if (a >= 1) known = true;
  }
  *out = bg;
  return known;
}

/* Whether struct id `id` is a chart charts/ drew on page p: its labels sit
 * on bars and segments (paths) and charts/ checks their contrast itself. */
static bool drawn_chart(const rp_page *p, int id) {
  if (id == 0) return false;
  for (size_t i = 0; i < p->items.len; i++) {
    const rp_item *c = &RP_VEC_AT(p->items, rp_item, i);
    if (c->kind == RP_ITEM_CHART && c->u.chart.drawn && c->struct_id == id) return true;
  }
  return false;
}

/* One finding per layout line and colour pair on a page: the six numbers
 * of a list, the lines of a paragraph, say the same thing. */
typedef struct seen_pair {
  const char *file;
  int line;
  rp_color fg, bg;
} seen_pair;

static bool seen_before(seen_pair *seen, size_t *n, size_t max, const rp_item *it, rp_color bg) {
  rp_color fg = it->u.text.color;
  for (size_t i = 0; i < *n; i++)
    if (seen[i].line == it->src.layout_line && same_str(seen[i].file, it->src.layout_file) &&
        memcmp(&seen[i].fg, &fg, sizeof fg) == 0 && memcmp(&seen[i].bg, &bg, sizeof bg) == 0)
      return true;
  if (*n < max) seen[(*n)++] = (seen_pair){it->src.layout_file, it->src.layout_line, fg, bg};
  return false;
}

static void check_contrast(const rp_page *p, int page_no, rp_diag *d) {
  seen_pair seen[32];
  size_t n_seen = 0;
  for (size_t i = 0; i < p->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(p->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT || !it->u.text.text || !it->u.text.text[0]) continue;
    if (drawn_chart(p, it->parent_id)) continue;
    /* the middle of the run, a third of the size above its baseline */
    double x = it->x + it->w / 2, y = it->y - it->u.text.size * 0.35;
    rp_color bg, fg = it->u.text.color;
    if (!background(p, i, x, y, &bg)) continue;
    double ratio = rp_color_contrast(fg, bg);
    if (ratio >= RP_MIN_CONTRAST || seen_before(seen, &n_seen, 32, it, bg)) continue;
    char text[EXCERPT + 8], f[8], b[8];
    excerpt(it->u.text.text, text, EXCERPT);
    hex(fg, f);
    hex(bg, b);
    rp_diag_about ab = {
        .code = RP_DIAG_CONTRAST, .page = page_no, .src = it->src, .finding_only = true};
    rp_diag_warn_about(d, &ab,
                       "text \"%s\" (%s on %s) has a contrast of %.2f:1, below %.1f:1: darken "
                       "the text or lighten what it stands on (or the reverse)",
                       text, f, b, ratio, RP_MIN_CONTRAST);
  }
}

/* ---- images: resolution and alt text ------------------------------------------ */

static void check_image(const rp_layout_doc *doc, const rp_item *it, int page_no,
                        rp_image_probe *probe, rp_diag *d) {
  if (it->u.image.image < 0 || (size_t)it->u.image.image >= doc->images.len) return;
  const rp_image_ref *ref = &RP_VEC_AT(doc->images, rp_image_ref, it->u.image.image);
  rp_image_info in;
  rp_image_probe_file(probe, ref->path, &in);
  if (!in.ok || it->w <= 0 || it->h <= 0) return;
  /* the part shown (a cover crop) fills the placed box */
  double sw = it->u.image.sw > 0 ? it->u.image.sw : 1, sh = it->u.image.sh > 0 ? it->u.image.sh : 1;
  double dpi_x = in.width_px * sw / (it->w / 72), dpi_y = in.height_px * sh / (it->h / 72);
  double dpi = fmin(dpi_x, dpi_y);
  if (dpi >= RP_PREFLIGHT_MIN_DPI) return;
  rp_diag_about ab = {
      .code = RP_DIAG_IMAGE_DPI, .page = page_no, .src = it->src, .finding_only = true};
  rp_diag_warn_about(d, &ab,
                     "image \"%s\" is %.0f dpi at its placed size (%d x %d px shown %.0f x %.0f "
                     "pt), under %.0f dpi: use a larger image or place it smaller",
                     ref->path, dpi, in.width_px, in.height_px, it->w, it->h, RP_PREFLIGHT_MIN_DPI);
}

static bool blank(const char *s) {
  for (; s && *s; s++)
    if (!isspace((unsigned char)*s)) return false;
  return true;
}

static void check_alt(const rp_layout_doc *doc, const rp_item *it, int page_no, rp_diag *d) {
  if (it->role == RP_ROLE_ARTIFACT || !blank(it->alt)) return;
  const char *what = "a chart";
  char name[256] = "";
  if (it->kind == RP_ITEM_IMAGE) {
    what = "an image";
    if (it->u.image.image >= 0 && (size_t)it->u.image.image < doc->images.len)
      snprintf(name, sizeof name, " (%s)",
               RP_VEC_AT(doc->images, rp_image_ref, it->u.image.image).path);
  } else if (it->u.chart.kind) {
    snprintf(name, sizeof name, " (%s)", it->u.chart.kind);
  }
  rp_diag_about ab = {
      .code = RP_DIAG_ALT_TEXT, .page = page_no, .src = it->src, .finding_only = true};
  rp_diag_warn_about(d, &ab,
                     "%s%s has no alternative text: give its element an alt=\"…\" saying what "
                     "it shows",
                     what, name);
}

void rp_preflight_check(const rp_layout_doc *doc, rp_image_probe *probe, rp_diag *d) {
  if (!doc || !d->preflight) return;
  for (size_t p = 0; p < doc->pages.len; p++) {
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
    int page_no = (int)p + 1;
    check_contrast(pg, page_no, d);
    for (size_t i = 0; i < pg->items.len; i++) {
      const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
      if (it->kind == RP_ITEM_IMAGE && probe) check_image(doc, it, page_no, probe, d);
      if (it->kind == RP_ITEM_IMAGE || it->kind == RP_ITEM_CHART) check_alt(doc, it, page_no, d);
    }
  }
}

/* ---- render --accessible ------------------------------------------------------ */

/* Link text that says nothing without what surrounds it (GOV.UK, WCAG 2.4.4). */
static bool vague_link_text(const char *t) {
  static const char *const vague[] = {"click here", "here",  "read more", "more",         "link",
                                      "this link",  "click", "this page", "find out more"};
  char buf[64];
  size_t o = 0;
  for (; *t && o + 1 < sizeof buf; t++) {
    char c = *t >= 'A' && *t <= 'Z' ? (char)(*t - 'A' + 'a') : *t;
    if (c == ' ' && (o == 0 || buf[o - 1] == ' ')) continue;
    if (c == '.' || c == ':' || c == '!') continue;
    buf[o++] = c;
  }
  while (o > 0 && buf[o - 1] == ' ') o--;
  buf[o] = '\0';
  for (size_t i = 0; i < sizeof vague / sizeof vague[0]; i++)
    if (strcmp(buf, vague[i]) == 0) return true;
  return false;
}

/* The words of the text items a link covers, joined by spaces. */
static void link_text(const rp_page *pg, const rp_item *link, char *out, size_t cap) {
  size_t o = 0;
  out[0] = '\0';
  for (size_t i = 0; i < pg->items.len; i++) {
    const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
    if (it->kind != RP_ITEM_TEXT || !it->u.text.text) continue;
    double cx = it->x + it->w / 2, cy = it->y - it->h * 0.3;
    if (cx < link->x || cx > link->x + link->w || cy < link->y || cy > link->y + link->h) continue;
    int n = snprintf(out + o, cap - o, "%s%s", o ? " " : "", it->u.text.text);
    if (n < 0 || (size_t)n >= cap - o) break;
    o += (size_t)n;
  }
}

void rp_accessible_check(const rp_layout_doc *doc, rp_diag *d) {
  if (!doc) return;
  if (!doc->info.title || !doc->info.title[0])
    rp_diag_error(d, RP_ERR_INPUT, NULL, 0, 0,
                  "the document has no title: give the layout's <info title=\"…\"> (screen "
                  "readers announce it and windows show it)");
  int last_level = 0;
  for (size_t p = 0; p < doc->pages.len; p++) {
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
    int page_no = (int)p + 1;
    int last_struct = -1;
    for (size_t i = 0; i < pg->items.len; i++) {
      const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
      if (it->kind == RP_ITEM_TEXT && it->role >= RP_ROLE_H1 && it->role <= RP_ROLE_H6 &&
          it->struct_id != last_struct) {
        int level = (int)(it->role - RP_ROLE_H1) + 1;
        last_struct = it->struct_id;
        if (level > last_level + 1)
          rp_diag_error(d, RP_ERR_INPUT, it->src.layout_file, it->src.layout_line, 0,
                        "page %d: a level %d heading after %s (\"%.60s\"): headings may not "
                        "skip a level; use level %d, or a style that looks smaller",
                        page_no, level, last_level ? "a higher level" : "no heading before it",
                        it->u.text.text, last_level + 1);
        last_level = level;
      }
      if ((it->kind == RP_ITEM_IMAGE || it->kind == RP_ITEM_CHART) && it->role == RP_ROLE_FIGURE &&
          (!it->alt || !it->alt[0]))
        rp_diag_error(d, RP_ERR_INPUT, it->src.layout_file, it->src.layout_line, 0,
                      "page %d: a figure without alternative text: give it alt=\"…\" (or "
                      "mark a decorative image as such)",
                      page_no);
      if (it->kind == RP_ITEM_LINK) {
        char text[256];
        link_text(pg, it, text, sizeof text);
        if (vague_link_text(text))
          rp_diag_error(d, RP_ERR_INPUT, it->src.layout_file, it->src.layout_line, 0,
                        "page %d: the link text \"%s\" means nothing out of context: say "
                        "where it goes (\"the 2024 accounts\")",
                        page_no, text);
      }
    }
    /* contrast: the preflight check, as errors */
    bool strict = d->strict, pre = d->preflight;
    d->strict = d->preflight = true;
    check_contrast(pg, page_no, d);
    d->strict = strict;
    d->preflight = pre;
  }
}

/* ---- pages of findings recorded before the pages existed ---------------------- */

static int page_of(const rp_layout_doc *doc, const rp_diag_entry *e) {
  /* the item of the same layout line (and content line, when known) */
  if (e->layout_file && e->layout_line > 0)
    for (size_t p = 0; p < doc->pages.len; p++) {
      const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
      for (size_t i = 0; i < pg->items.len; i++) {
        const rp_src *s = &RP_VEC_AT(pg->items, rp_item, i).src;
        if (s->layout_line == e->layout_line && same_str(s->layout_file, e->layout_file) &&
            (e->content_line == 0 ||
             (s->content_line == e->content_line && same_str(s->content_file, e->content_file))))
          return (int)p + 1;
      }
    }
  /* a selection that placed nothing: where its neighbours in the layout landed */
  if (e->code == RP_DIAG_EMPTY_SELECT && e->layout_file) {
    int best = 0, best_gap = 0;
    for (size_t p = 0; p < doc->pages.len; p++) {
      const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
      for (size_t i = 0; i < pg->items.len; i++) {
        const rp_src *s = &RP_VEC_AT(pg->items, rp_item, i).src;
        int gap = abs(s->layout_line - e->layout_line);
        if (s->layout_line > 0 && same_str(s->layout_file, e->layout_file) &&
            (best == 0 || gap < best_gap)) {
          best = (int)p + 1;
          best_gap = gap;
        }
      }
    }
    if (best) return best;
  }
  /* text from a content line: the text item whose content starts nearest before it */
  if (!e->content_file || e->content_line <= 0) return 0;
  int best = 0, best_line = 0;
  for (size_t p = 0; p < doc->pages.len; p++) {
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
    for (size_t i = 0; i < pg->items.len; i++) {
      const rp_item *it = &RP_VEC_AT(pg->items, rp_item, i);
      const rp_src *s = &it->src;
      if (it->kind == RP_ITEM_TEXT && s->content_line <= e->content_line &&
          s->content_line > best_line && same_str(s->content_file, e->content_file)) {
        best_line = s->content_line;
        best = (int)p + 1;
      }
    }
  }
  return best;
}

void rp_preflight_place(const rp_layout_doc *doc, rp_diag *d) {
  if (!doc) return;
  for (size_t i = 0; i < d->count; i++) {
    rp_diag_entry *e = &d->entries[i];
    if (e->page == 0 && (e->layout_file || e->content_file)) e->page = page_of(doc, e);
  }
}

/* ---- the report ------------------------------------------------------------------ */

/* The checks, in report order: one per code, then two for the rest. */
enum { CHECK_OTHER = RP_DIAG_CODE_COUNT, CHECK_RENDER, N_CHECKS };

static const char *const titles[N_CHECKS] = {
    [RP_DIAG_TEXT_SHRUNK] = "Text shrunk to fit its box",
    [RP_DIAG_TEXT_OVERSET] = "Text that runs past its box",
    [RP_DIAG_TEXT_ELLIPSIS] = "Text cut short with an ellipsis",
    [RP_DIAG_MISSING_GLYPH] = "Characters missing from the fonts",
    [RP_DIAG_IMAGE_DPI] = "Images under 150 dpi at their placed size",
    [RP_DIAG_ALT_TEXT] = "Images and charts without alternative text",
    [RP_DIAG_CONTRAST] = "Text below 4.5:1 contrast with its background",
    [RP_DIAG_WIDOW_ORPHAN] = "Widows and orphans that could not be avoided",
    [RP_DIAG_EMPTY_SELECT] = "Selections that matched nothing",
    [CHECK_OTHER] = "Other warnings (fallbacks applied)",
    [CHECK_RENDER] = "The render itself (errors refusing the input)",
};

static const char *check_name(int c) {
  return c == CHECK_OTHER ? "other" : c == CHECK_RENDER ? "render" : rp_diag_code_name(c);
}

static int check_of(const rp_diag_entry *e) {
  if (e->code != RP_DIAG_GENERAL) return (int)e->code;
  return e->severity == RP_SEV_ERROR ? CHECK_RENDER : CHECK_OTHER;
}

/* "U+00E9" from a missing character's message, or "" */
static void character_of(const rp_diag_entry *e, char out[16]) {
  out[0] = '\0';
  const char *u = e->code == RP_DIAG_MISSING_GLYPH && e->message ? strstr(e->message, "U+") : NULL;
  if (!u) return;
  size_t n = 2 + strspn(u + 2, "0123456789ABCDEF");
  if (n > 2 && n < 16) snprintf(out, 16, "%.*s", (int)n, u);
}

/* The layout and content positions of a coded entry (NULL, 0 when unknown). */
static void where(const rp_diag_entry *e, const char **lf, int *ll, const char **cf, int *cl) {
  *lf = e->layout_file;
  *ll = e->layout_line;
  *cf = e->content_file;
  *cl = e->content_line;
}

/* The render check fails when the run was refused even without an error of
 * its own: findings made errors by --strict stopped it. */
static bool refused(const rp_preflight_run *run, const size_t counts[N_CHECKS], int c) {
  return c == CHECK_RENDER && run->status != RP_OK && counts[c] == 0;
}

static void json_str(FILE *f, const char *s) {
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void json_pos(FILE *f, const char *file, int line) {
  if (!file) {
    fputs("null", f);
    return;
  }
  fputs("{\"file\": ", f);
  json_str(f, file);
  fprintf(f, ", \"line\": %d}", line);
}

static void write_json(FILE *f, const rp_preflight_run *run, const rp_diag *d,
                       const size_t counts[N_CHECKS]) {
  fputs("{\n  \"report\": \"reviewpdf preflight\",\n  \"version\": 1,\n  \"content\": ", f);
  json_str(f, run->content);
  fputs(",\n  \"layout\": ", f);
  json_str(f, run->layout);
  fprintf(f, ",\n  \"pages\": %zu,\n  \"status\": %d,\n  \"checks\": [\n", run->pages,
          (int)run->status);
  for (int c = 1; c < N_CHECKS; c++) {
    fputs("    {\"name\": ", f);
    json_str(f, check_name(c));
    fputs(", \"title\": ", f);
    json_str(f, titles[c]);
    fprintf(f, ", \"findings\": %zu, \"passed\": %s}%s\n", counts[c],
            counts[c] || refused(run, counts, c) ? "false" : "true", c + 1 < N_CHECKS ? "," : "");
  }
  fputs("  ],\n  \"findings\": [", f);
  for (size_t i = 0; i < d->count; i++) {
    const rp_diag_entry *e = &d->entries[i];
    const char *lf, *cf;
    int ll, cl;
    where(e, &lf, &ll, &cf, &cl);
    char ch[16];
    character_of(e, ch);
    fputs(i ? ",\n    {\"check\": " : "\n    {\"check\": ", f);
    json_str(f, check_name(check_of(e)));
    fputs(", \"severity\": ", f);
    json_str(f, e->severity == RP_SEV_ERROR ? "error" : "warning");
    fprintf(f, ", \"page\": %d, \"layout\": ", e->page);
    json_pos(f, lf, ll);
    fputs(", \"content\": ", f);
    json_pos(f, cf, cl);
    fputs(", \"at\": ", f); /* the position printed on stderr: any entry has it */
    json_pos(f, e->file, e->line);
    if (ch[0]) fprintf(f, ", \"character\": \"%s\"", ch);
    fputs(", \"message\": ", f);
    json_str(f, e->message ? e->message : "(message lost: out of memory)");
    fputc('}', f);
  }
  fprintf(f, "%s],\n  \"not_recorded\": %zu\n}\n", d->count ? "\n  " : "", d->dropped);
}

static void xml_str(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
      case '&':
        fputs("&amp;", f);
        break;
      case '<':
        fputs("&lt;", f);
        break;
      case '>':
        fputs("&gt;", f);
        break;
      case '"':
        fputs("&quot;", f);
        break;
      default:
        if (*p < 0x20 && *p != '\n' && *p != '\t')
          fputc(' ', f); /* not allowed in XML 1.0 */
        else
          fputc(*p, f);
    }
  }
}

/* "page 3, layouts/x.xml:12, data/y.xml:40: " (what is known of it) */
static void xml_where(FILE *f, const rp_diag_entry *e) {
  const char *lf, *cf;
  int ll, cl;
  where(e, &lf, &ll, &cf, &cl);
  const char *sep = "";
  if (e->page > 0) {
    fprintf(f, "page %d", e->page);
    sep = ", ";
  }
  if (lf) {
    fputs(sep, f);
    xml_str(f, lf);
    fprintf(f, ":%d", ll);
    sep = ", ";
  }
  if (cf) {
    fputs(sep, f);
    xml_str(f, cf);
    fprintf(f, ":%d", cl);
    sep = ", ";
  }
  if (!lf && !cf && e->file) { /* uncoded: the one position it has */
    fputs(sep, f);
    xml_str(f, e->file);
    fprintf(f, ":%d", e->line);
    sep = ", ";
  }
  if (*sep) fputs(": ", f);
}

static void write_junit(FILE *f, const rp_preflight_run *run, const rp_diag *d,
                        const size_t counts[N_CHECKS]) {
  int failures = 0;
  for (int c = 1; c < N_CHECKS; c++) failures += counts[c] > 0 || refused(run, counts, c);
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<testsuites name=\"reviewpdf preflight\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n"
          "  <testsuite name=\"preflight ",
          N_CHECKS - 1, failures);
  xml_str(f, run->content);
  fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n    <properties>\n",
          N_CHECKS - 1, failures);
  fputs("      <property name=\"content\" value=\"", f);
  xml_str(f, run->content);
  fputs("\"/>\n      <property name=\"layout\" value=\"", f);
  xml_str(f, run->layout);
  fprintf(f,
          "\"/>\n      <property name=\"pages\" value=\"%zu\"/>\n"
          "      <property name=\"status\" value=\"%d\"/>\n    </properties>\n",
          run->pages, (int)run->status);
  for (int c = 1; c < N_CHECKS; c++) {
    fputs("    <testcase classname=\"preflight\" name=\"", f);
    xml_str(f, check_name(c));
    fputs("\">\n", f);
    if (counts[c]) {
      fprintf(f, "      <failure type=\"%s\" message=\"%zu finding%s: ", check_name(c), counts[c],
              counts[c] == 1 ? "" : "s");
      xml_str(f, titles[c]);
      fputs("\">", f);
      for (size_t i = 0; i < d->count; i++) {
        const rp_diag_entry *e = &d->entries[i];
        if (check_of(e) != c) continue;
        xml_where(f, e);
        xml_str(f, e->message);
        fputc('\n', f);
      }
      fputs("</failure>\n", f);
    } else if (refused(run, counts, c)) {
      /* refused through findings made errors (--strict): they are listed above */
      fprintf(f, "      <failure type=\"render\" message=\"the render was refused (exit %d)\"/>\n",
              (int)run->status);
    }
    fputs("      <system-out>", f);
    xml_str(f, titles[c]);
    fputs("</system-out>\n    </testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
}

rp_status rp_preflight_write(const char *path, const rp_preflight_run *run, rp_diag *d) {
  rp_preflight_format fmt = rp_preflight_format_of(path);
  if (fmt == RP_PREFLIGHT_NONE)
    return rp_diag_error(d, RP_ERR_USAGE, path, 0, 0,
                         "a preflight report is written as JSON (.json) or JUnit XML (.xml): "
                         "name the file so");
  size_t counts[N_CHECKS] = {0};
  size_t n = d->count; /* entries recorded from here on are about the report itself */
  for (size_t i = 0; i < n; i++) counts[check_of(&d->entries[i])]++;
  rp_outfile of;
  FILE *f = rp_outfile_stream(&of, path, "preflight report", d);
  if (!f) return rp_diag_status(d) != RP_OK ? rp_diag_status(d) : RP_ERR_INPUT;
  rp_diag view = *d;
  view.count = n;
  if (fmt == RP_PREFLIGHT_JSON)
    write_json(f, run, &view, counts);
  else
    write_junit(f, run, &view, counts);
  bool bad = ferror(f) != 0;
  if (fclose(f) != 0 || bad) {
    rp_outfile_abort(&of);
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "cannot write the preflight report (is the disk full?)");
  }
  return rp_outfile_commit(&of, d);
}
