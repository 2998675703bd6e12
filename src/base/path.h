/* path — resolving file references made inside documents.
 *
 * A document refers to assets (fonts, images, XIncludes) by paths relative to
 * itself. Such a path must stay inside the document's project: the folder
 * that holds the document's own folder (data/x.xml → the repository root), so
 * `../images/logo.png` works and `../../etc/passwd` is refused. */
#ifndef RP_BASE_PATH_H
#define RP_BASE_PATH_H

#include <stdbool.h>

#include "base/arena.h"

/* Folder part of `path` ("." when it has none), arena-allocated. */
char *rp_path_dir(rp_arena *a, const char *path);
/* `rel` joined to folder `dir` (rel returned as is when absolute). */
char *rp_path_join(rp_arena *a, const char *dir, const char *rel);
/* Project root of a document: the parent of its folder, canonical. NULL if
 * the document's folder does not exist. */
char *rp_path_project_root(rp_arena *a, const char *doc_path);
/* True when `path` exists and its canonical form lies inside `root`. */
bool rp_path_inside(const char *path, const char *root);
/* `path` with its extension replaced by `ext` (which includes the dot). */
char *rp_path_with_ext(rp_arena *a, const char *path, const char *ext);
/* The share folder beside the running binary (<bin>/../share/reviewpdf), so an
 * installed tree finds its layouts wherever it was installed; NULL when the
 * binary's path cannot be read. */
char *rp_path_exe_share(rp_arena *a);

#endif
