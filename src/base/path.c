/* path — see path.h. */
#include "base/path.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *rp_path_dir(rp_arena *a, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return rp_arena_strdup(a, ".");
  if (slash == path) return rp_arena_strdup(a, "/");
  return rp_arena_strndup(a, path, (size_t)(slash - path));
}

char *rp_path_join(rp_arena *a, const char *dir, const char *rel) {
  if (rel[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0) return rp_arena_strdup(a, rel);
  return rp_arena_printf(a, "%s/%s", dir, rel);
}

char *rp_path_project_root(rp_arena *a, const char *doc_path) {
  char *dir = rp_path_dir(a, doc_path);
  if (!dir) return NULL;
  char *parent = rp_arena_printf(a, "%s/..", dir);
  if (!parent) return NULL;
  char buf[PATH_MAX];
  if (!realpath(parent, buf)) return NULL;
  return rp_arena_strdup(a, buf);
}

bool rp_path_inside(const char *path, const char *root) {
  char buf[PATH_MAX];
  if (!realpath(path, buf)) return false;
  size_t n = strlen(root);
  if (strcmp(root, "/") == 0) return true;
  return strncmp(buf, root, n) == 0 && (buf[n] == '/' || buf[n] == '\0');
}

char *rp_path_with_ext(rp_arena *a, const char *path, const char *ext) {
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');
  size_t stem = (dot && (!slash || dot > slash) && dot != path && (!slash || dot > slash + 1))
                    ? (size_t)(dot - path)
                    : strlen(path);
  return rp_arena_printf(a, "%.*s%s", (int)stem, path, ext);
}

char *rp_path_exe_share(rp_arena *a) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return NULL;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (!slash) return NULL;
  *slash = '\0';
  return rp_path_join(a, self, "../share/reviewpdf");
}
