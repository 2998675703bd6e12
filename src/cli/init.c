/* init — `reviewpdf init DIR`: a new project folder that renders at once.
 *
 * It holds a content skeleton (data/review.xml: every section, with
 * placeholders and commented examples, the organisation and period filled
 * in), a copy of the chosen stock layout with its lib/ pieces, and what the
 * layout reads relative to itself — the fonts, and the map outline — so that
 * `reviewpdf render data/review.xml` inside it needs nothing else. init never
 * writes into a folder that has anything in it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/mem.h"
#include "base/path.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "template/template.h"

extern const char rp_embed_skeleton[];
extern const size_t rp_embed_skeleton_len;

static const char usage[] =
    "usage: reviewpdf init DIR [--layout NAME] [--name ORGANISATION] [--short NAME]\n"
    "                      [--from YYYY-MM-DD --to YYYY-MM-DD]\n"
    "\n"
    "Makes a new project folder DIR that renders at once: data/review.xml (every\n"
    "section, with placeholders to replace), a copy of a stock layout and its pieces,\n"
    "and the fonts it uses. DIR must not exist, or be empty.\n"
    "\n"
    "  --layout NAME   the stock layout to copy (default: annual-review; also\n"
    "                  annual-review-a5, deck, board-profile, person-profile,\n"
    "                  case-studies)\n"
    "  --name ORG      the organisation's name (default: DIR's name)\n"
    "  --short NAME    its short name (default: the name)\n"
    "  --from, --to    the year the review covers (default: this April to next March)\n"
    "  --help          show this help\n"
    "\n"
    "Then: cd DIR && reviewpdf render data/review.xml\n";

static const char *const months[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};

/* A calendar date "YYYY-MM-DD" into y, m (1–12); false when malformed. */
static bool parse_date(const char *s, int *y, int *m) {
  int d;
  char extra;
  if (!s || sscanf(s, "%4d-%2d-%2d%c", y, m, &d, &extra) != 3) return false;
  return *y >= 1900 && *y <= 9999 && *m >= 1 && *m <= 12 && d >= 1 && d <= 31 && strlen(s) == 10;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("reviewpdf init: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

/* Writes len bytes to a new file at path (never over an existing one). */
static bool write_new(const char *path, const char *data, size_t len, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, data + done, len - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  return close(fd) == 0 && done == len;
}

static bool copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in) return false;
  struct stat sb;
  char *buf = NULL;
  bool ok = fstat(fileno(in), &sb) == 0 && (buf = rp_mem_alloc((size_t)sb.st_size + 1)) &&
            fread(buf, 1, (size_t)sb.st_size, in) == (size_t)sb.st_size &&
            write_new(to, buf, (size_t)sb.st_size, 0644);
  rp_mem_free(buf);
  fclose(in);
  return ok;
}

/* Copies the regular files and folders under `from` into the new folder
 * `to`, skipping C sources (tools that made the assets) and hidden files. */
static bool copy_tree(rp_arena *a, const char *from, const char *to, int depth) {
  if (depth > 8 || (mkdir(to, 0755) != 0 && errno != EEXIST)) return false;
  DIR *dir = opendir(from);
  if (!dir) return false;
  bool ok = true;
  struct dirent *e;
  while (ok && (e = readdir(dir))) {
    if (e->d_name[0] == '.') continue;
    size_t n = strlen(e->d_name);
    if (n > 2 && strcmp(e->d_name + n - 2, ".c") == 0) continue;
    char *src = rp_arena_printf(a, "%s/%s", from, e->d_name);
    char *dst = rp_arena_printf(a, "%s/%s", to, e->d_name);
    struct stat sb;
    if (!src || !dst || stat(src, &sb) != 0) {
      ok = false;
    } else if (S_ISDIR(sb.st_mode)) {
      ok = copy_tree(a, src, dst, depth + 1);
    } else if (S_ISREG(sb.st_mode)) {
      ok = copy_file(src, dst);
    }
  }
  closedir(dir);
  return ok;
}

/* DIR may not exist yet, or be an empty folder. */
static bool usable_dir(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) return errno == ENOENT && mkdir(path, 0755) == 0;
  struct dirent *e;
  bool empty = true;
  while (empty && (e = readdir(dir)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
  closedir(dir);
  return empty;
}

/* The skeleton with @KEY@ placeholders replaced by XML-escaped values. */
static char *fill_skeleton(rp_arena *a, const char *const *keys, const char *const *values,
                           size_t n) {
  size_t cap = rp_embed_skeleton_len * 2 + 4096, o = 0;
  char *out = rp_arena_alloc(a, cap);
  if (!out) return NULL;
  for (size_t i = 0; i < rp_embed_skeleton_len && o + 1024 < cap;) {
    const char *at = rp_embed_skeleton + i;
    size_t k = 0;
    for (; k < n; k++)
      if (strncmp(at, keys[k], strlen(keys[k])) == 0) break;
    if (k == n) {
      out[o++] = *at;
      i++;
      continue;
    }
    for (const char *v = values[k]; *v && o + 8 < cap; v++) {
      const char *esc = *v == '&' ? "&amp;" : *v == '<' ? "&lt;" : *v == '>' ? "&gt;" : NULL;
      if (esc) {
        memcpy(out + o, esc, strlen(esc));
        o += strlen(esc);
      } else {
        out[o++] = *v;
      }
    }
    i += strlen(keys[k]);
  }
  out[o] = '\0';
  return out;
}

typedef struct init_opts {
  const char *dir, *layout, *name, *short_name, *from, *to;
  bool help;
} init_opts;

static int make_project(rp_arena *a, const init_opts *o) {
  int fy, fm, ty, tm;
  if (!parse_date(o->from, &fy, &fm) || !parse_date(o->to, &ty, &tm) || strcmp(o->from, o->to) > 0)
    return fail("--from %s and --to %s must be dates YYYY-MM-DD, the first not after the last",
                o->from, o->to);
  rp_diag d;
  rp_diag_init(&d);
  const char *layout = NULL;
  rp_status st = rp_layout_find(a, o->layout, &d, &layout);
  if (st != RP_OK) {
    rp_diag_print(&d, stderr);
    rp_diag_fini(&d);
    return 1;
  }
  rp_diag_fini(&d);
  const char *stock_root = rp_path_project_root(a, layout);
  const char *layout_dir = rp_path_dir(a, layout);
  if (!stock_root || !layout_dir) return fail("cannot read the stock layout's folder");
  if (!usable_dir(o->dir))
    return fail("%s is not an empty folder; init never writes over anything: name a new folder",
                o->dir);

  /* The period as printed: "April 2025 – March 2026", or one month. */
  char period[96], board[16], year[8];
  if (fy == ty && fm == tm)
    snprintf(period, sizeof period, "%s %d", months[fm - 1], fy);
  else
    snprintf(period, sizeof period, "%s %d – %s %d", months[fm - 1], fy, months[tm - 1], ty);
  if (fy == ty)
    snprintf(board, sizeof board, "%d", fy);
  else
    snprintf(board, sizeof board, "%d-%02d", fy, ty % 100);
  snprintf(year, sizeof year, "%d", fy);
  const char *keys[] = {"@ORG@",    "@SHORT@",       "@FROM@", "@TO@",
                        "@PERIOD@", "@BOARDPERIOD@", "@YEAR@"};
  const char *values[] = {o->name, o->short_name, o->from, o->to, period, board, year};
  char *content = fill_skeleton(a, keys, values, sizeof keys / sizeof keys[0]);

  const char *name = strrchr(layout, '/') ? strrchr(layout, '/') + 1 : layout;
  char *data = rp_arena_printf(a, "%s/data", o->dir);
  char *layouts = rp_arena_printf(a, "%s/layouts", o->dir);
  char *review = rp_arena_printf(a, "%s/data/review.xml", o->dir);
  char *lay_to = rp_arena_printf(a, "%s/layouts/%s", o->dir, name);
  char *lib_from = rp_arena_printf(a, "%s/lib", layout_dir);
  char *lib_to = rp_arena_printf(a, "%s/layouts/lib", o->dir);
  char *fonts_from = rp_arena_printf(a, "%s/fonts", stock_root);
  char *fonts_to = rp_arena_printf(a, "%s/fonts", o->dir);
  char *map_from = rp_arena_printf(a, "%s/data/map", stock_root);
  char *map_to = rp_arena_printf(a, "%s/data/map", o->dir);
  char *images = rp_arena_printf(a, "%s/images", o->dir);
  if (!content || !data || !layouts || !review || !lay_to || !lib_from || !lib_to || !fonts_from ||
      !fonts_to || !map_from || !map_to || !images)
    return fail("out of memory");
  struct stat sb;
  bool ok = mkdir(data, 0755) == 0 && mkdir(layouts, 0755) == 0 && mkdir(images, 0755) == 0 &&
            write_new(review, content, strlen(content), 0644) && copy_file(layout, lay_to) &&
            (stat(lib_from, &sb) != 0 || copy_tree(a, lib_from, lib_to, 0)) &&
            copy_tree(a, fonts_from, fonts_to, 0) &&
            (stat(map_from, &sb) != 0 || copy_tree(a, map_from, map_to, 0));
  if (!ok)
    return fail("cannot write the project in %s (%s); check the folder's permissions and space",
                o->dir, strerror(errno));
  char base[64];
  snprintf(base, sizeof base, "%.*s", (int)(strlen(name) > 4 ? strlen(name) - 4 : 0), name);
  printf("%s: a new review of %s, %s\n", o->dir, o->name, period);
  printf("next: cd %s && reviewpdf render data/review.xml%s%s\n", o->dir,
         strcmp(base, "annual-review") == 0 ? "" : " --layout ",
         strcmp(base, "annual-review") == 0 ? "" : base);
  return 0;
}

int rp_cli_init(int argc, char **argv) {
  init_opts o = {.layout = "annual-review"};
  const rp_opt opts[] = {
      {"help", 'h', false, NULL, &o.help}, {"layout", 'l', true, &o.layout, NULL},
      {"name", 0, true, &o.name, NULL},    {"short", 0, true, &o.short_name, NULL},
      {"from", 0, true, &o.from, NULL},    {"to", 0, true, &o.to, NULL},
  };
  int rc = rp_args_one("init", argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage,
                       &o.help, &o.dir);
  if (rc >= 0) return rc;
  if ((!o.from) != (!o.to)) {
    fputs(usage, stderr);
    return 2;
  }
  rp_arena *a = rp_arena_new();
  if (!a) return fail("out of memory");
  if (!o.name) {
    const char *slash = strrchr(o.dir, '/');
    o.name = slash && slash[1] ? slash + 1 : o.dir;
  }
  if (!o.short_name) o.short_name = o.name;
  /* The default year: this April to next March, the usual UK financial year. */
  char from[24], to[24];
  if (!o.from) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int y = tm.tm_year + 1900 - (tm.tm_mon < 3 ? 1 : 0);
    snprintf(from, sizeof from, "%04d-04-01", y);
    snprintf(to, sizeof to, "%04d-03-31", y + 1);
    o.from = from;
    o.to = to;
  }
  rc = make_project(a, &o);
  rp_arena_free(a);
  return rc;
}
