/* watch — `reviewpdf watch CONTENT.xml`: renders, then renders again each
 * time an input changes, printing one line per render with its time and
 * any warnings or errors. A broken save leaves the last good PDF in place
 * (the pipeline writes all-or-nothing) and says what is wrong.
 *
 * Inputs are found by watching folders, not files: editors save by writing a
 * new file and renaming it over the old one, which a watch on the old file
 * would lose. The content's project and the layout's project are watched
 * (inotify, every folder to a small depth, new folders as they appear), and
 * a change to any file of a kind reviewpdf reads — XML (content, layout, an
 * XInclude'd piece), images, fonts, map data — starts a render once the
 * changes have settled. Ctrl-C arrives through a signalfd, so no global
 * state is needed to stop cleanly. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/mem.h"
#include "base/path.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "pipeline/pipeline.h"
#include "template/template.h"

static const char usage[] =
    "usage: reviewpdf watch CONTENT.xml [--layout LAYOUT] [-o OUT.pdf] [--strict]\n"
    "\n"
    "Renders, then renders again whenever the content, the layout, a piece either\n"
    "includes, an image or a font changes; one line per render. A save that breaks\n"
    "the document prints the errors and keeps the last good PDF. Ctrl-C stops.\n"
    "\n"
    "  --layout LAYOUT   as for render (default: annual-review)\n"
    "  -o, --output OUT  the PDF to write (default: CONTENT with .pdf)\n"
    "  --strict          treat warnings as errors (the PDF is then not written)\n"
    "  --help            show this help\n";

/* Waiting this long after the last change before rendering lets an editor's
 * write-and-rename, or a save of several files, finish first. */
#define SETTLE_MS 150
#define MAX_DEPTH 4

typedef struct watch_opts {
  const char *content, *layout, *output;
  bool strict, help;
} watch_opts;

/* Files whose change means a render: what reviewpdf reads. */
static bool is_input(const char *name) {
  static const char *const exts[] = {".xml", ".svg", ".png", ".jpg", ".jpeg",
                                     ".ttf", ".txt", ".tsv", ".rng"};
  if (name[0] == '.') return false; /* editors' swap and temporary files */
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    size_t e = strlen(exts[i]);
    if (n > e && strcasecmp(name + n - e, exts[i]) == 0) return true;
  }
  return false;
}

/* The inotify descriptor and the folder each of its watches is on, so that a
 * folder created later (a new piece's home) can be watched too. */
typedef struct watcher {
  int fd;
  rp_arena *a;
  const char *dirs[1024]; /* by watch descriptor */
} watcher;

/* Watches `dir` and the folders under it (hidden ones and build trees left out). */
static void watch_tree(watcher *w, const char *dir, int depth) {
  if (depth > MAX_DEPTH) return;
  int wd = inotify_add_watch(w->fd, dir,
                             IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR);
  if (wd < 0) return;
  if (wd < (int)(sizeof w->dirs / sizeof w->dirs[0])) w->dirs[wd] = rp_arena_strdup(w->a, dir);
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || strncmp(e->d_name, "build", 5) == 0) continue;
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) watch_tree(w, path, depth + 1);
  }
  closedir(d);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One render; prints one line (and the diagnostics). */
static void render_once(const watch_opts *o, int n) {
  rp_mem_forget_failure(); /* each render starts afresh (base/mem.h) */
  rp_diag d;
  rp_diag_init(&d);
  d.strict = o->strict;
  rp_arena *a = rp_arena_new();
  rp_pipeline_opts po = {.content = o->content, .layout = o->layout, .output = o->output};
  rp_pipeline_result res = {0};
  double t0 = now_s();
  rp_status st = a ? rp_pipeline_render(a, &po, &d, &res) : rp_diag_oom(&d);
  double dt = now_s() - t0;
  time_t wall = time(NULL);
  struct tm tm;
  localtime_r(&wall, &tm);
  char clock[16];
  strftime(clock, sizeof clock, "%H:%M:%S", &tm);
  if (st == RP_OK)
    printf("%s render %d: %s, %zu pages, %.2f s%s\n", clock, n, o->output, res.pages, dt,
           d.warnings ? ", with warnings:" : "");
  else
    printf("%s render %d: not written (%s kept as it was):\n", clock, n, o->output);
  fflush(stdout);
  rp_diag_print(&d, stdout);
  fflush(stdout);
  rp_arena_free(a);
  rp_diag_fini(&d);
}

int rp_cli_watch(int argc, char **argv) {
  watch_opts o = {0};
  const rp_opt opts[] = {
      {"help", 'h', false, NULL, &o.help},
      {"layout", 'l', true, &o.layout, NULL},
      {"output", 'o', true, &o.output, NULL},
      {"strict", 0, false, NULL, &o.strict},
  };
  int rc = rp_args_one("watch", argc, argv, opts, (int)(sizeof opts / sizeof opts[0]), usage,
                       &o.help, &o.content);
  if (rc >= 0) return rc;
  rp_arena *a = rp_arena_new();
  if (!a) return 3;
  if (!o.output) o.output = rp_path_with_ext(a, o.content, ".pdf");
  /* The folders to watch: the content's project, and the layout's. */
  const char *content_root = rp_path_project_root(a, o.content);
  const char *layout_path = NULL;
  rp_diag d;
  rp_diag_init(&d);
  rp_layout_find(a, o.layout ? o.layout : "annual-review", &d, &layout_path);
  rp_diag_fini(&d);
  const char *layout_root = layout_path ? rp_path_project_root(a, layout_path) : NULL;
  if (!o.output || !content_root) {
    fprintf(stderr, "reviewpdf watch: cannot open %s; check the path\n", o.content);
    rp_arena_free(a);
    return 1;
  }

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  int sig = sigprocmask(SIG_BLOCK, &mask, NULL) == 0 ? signalfd(-1, &mask, SFD_CLOEXEC) : -1;
  if (ino < 0 || sig < 0) {
    fprintf(stderr, "reviewpdf watch: cannot watch files (%s)\n", strerror(errno));
    rp_arena_free(a);
    return 3;
  }
  watcher *w = rp_arena_calloc(a, 1, sizeof *w);
  if (!w) return 3;
  w->fd = ino;
  w->a = a;
  watch_tree(w, content_root, 0);
  if (layout_root && strcmp(layout_root, content_root) != 0) watch_tree(w, layout_root, 0);
  bool two = layout_root && strcmp(layout_root, content_root) != 0;
  printf("watching %s%s%s; Ctrl-C stops\n", content_root, two ? " and " : "",
         two ? layout_root : "");

  int n = 1;
  render_once(&o, n);
  bool pending = false, stop = false;
  while (!stop) {
    struct pollfd fds[2] = {{ino, POLLIN, 0}, {sig, POLLIN, 0}};
    int r = poll(fds, 2, pending ? SETTLE_MS : -1);
    if (r < 0 && errno != EINTR) break;
    if (r == 0 && pending) { /* settled: render */
      pending = false;
      render_once(&o, ++n);
      continue;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sig, &si, sizeof si) > 0) stop = true;
    }
    if (fds[0].revents & POLLIN) {
      char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
      ssize_t len;
      while ((len = read(ino, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
          const struct inotify_event *ev = (const struct inotify_event *)p;
          if (ev->len && (ev->mask & IN_ISDIR) && (ev->mask & IN_CREATE)) {
            /* a new folder: a piece may be saved into it next */
            const char *parent = ev->wd >= 0 && ev->wd < (int)(sizeof w->dirs / sizeof w->dirs[0])
                                     ? w->dirs[ev->wd]
                                     : NULL;
            char path[4096];
            if (parent && ev->name[0] != '.') {
              snprintf(path, sizeof path, "%s/%s", parent, ev->name);
              watch_tree(w, path, 1);
            }
          } else if (ev->len && is_input(ev->name)) {
            pending = true;
          }
          p += sizeof *ev + ev->len;
        }
      }
    }
  }
  printf("stopped after %d render%s\n", n, n == 1 ? "" : "s");
  close(ino);
  close(sig);
  rp_arena_free(a);
  return 0;
}
