/* asset — the files images name: resolving an <image src> against the layout
 * or the content, and keeping it inside its project.
 *
 * A path is joined to its base folder and cleaned lexically ("." and ".."
 * segments removed), so that messages and layout dumps show the file a
 * reader would expect ("images/logo.png", not "data/../images/logo.png").
 * Whether it lies inside the project is judged on the real location (symbolic
 * links followed) of the deepest part of the cleaned path that exists: a
 * missing photo inside the project is only a warning later (layout/ draws its
 * placeholder), while "../../elsewhere/x.png" is refused whether or not it
 * exists. Everything is allocated from the caller's arena. */
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "template/def.h"

/* Removes empty, "." and ".." segments in place; a ".." that cannot be
 * removed (at the start of a relative path) is kept, one above "/" is
 * dropped. "" becomes ".". */
static void clean(char *s) {
  char *start = s + (s[0] == '/' ? 1 : 0);
  char *out = start; /* the cleaned path so far: [start, out) */
  size_t kept = 0;   /* segments in it other than ".." */
  const char *p = start;
  while (*p) {
    const char *seg = p;
    while (*p && *p != '/') p++;
    size_t len = (size_t)(p - seg);
    if (*p == '/') p++;
    if (len == 0 || (len == 1 && seg[0] == '.')) continue;
    if (len == 2 && seg[0] == '.' && seg[1] == '.') {
      if (kept > 0) { /* drop the last segment and the slash before it */
        while (out > start && out[-1] != '/') out--;
        if (out > start) out--;
        kept--;
        continue;
      }
      if (start != s) continue; /* "/.." is "/" */
    } else {
      kept++;
    }
    if (out > start) *out++ = '/';
    memmove(out, seg, len); /* out never passes seg: the text only shrinks */
    out += len;
  }
  if (out == s) *out++ = '.';
  *out = '\0';
}

const char *rp_asset_resolve(rp_arena *a, const char *dir, const char *rel, const char *root,
                             bool *inside) {
  *inside = false;
  char *path = rp_path_join(a, dir, rel);
  if (!path) return NULL;
  clean(path);
  char *probe = rp_arena_strdup(a, path);
  if (!probe) return NULL;
  /* The deepest existing ancestor: what follows it holds no "..", so the
   * file lies where that ancestor really is, or deeper. */
  while (access(probe, F_OK) != 0) {
    char *slash = strrchr(probe, '/');
    if (!slash) {
      probe = ".";
      break;
    }
    if (slash == probe) {
      probe[1] = '\0';
      break;
    }
    *slash = '\0';
  }
  *inside = root && rp_path_inside(probe, root);
  return path;
}
