/* fuzz — what the fuzz targets share (tests/fuzz, docs/fuzzing.md).
 *
 * Each target defines LLVMFuzzerTestOneInput; built with -DRP_FUZZ=ON it is
 * linked with libFuzzer, and in every build it is also linked with replay.c
 * into a plain program that runs files through it (the regression ctest).
 *
 * Documents refer to fonts and images by paths that must stay inside their
 * project, so inputs cannot be read from memory: the first call copies the
 * assets a document may name (fonts/, images/, data/, layouts/, tests/data/,
 * tests/layouts/) into a private folder, and inputs are written there under
 * fixed names, each overwriting the last. */
#ifndef RP_FUZZ_FUZZ_H
#define RP_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The private copy of the project (created on first use; removed at exit). */
const char *rp_fuzz_root(void);
/* Writes data to rp_fuzz_root()/rel and returns the full path (static). */
const char *rp_fuzz_write(const char *rel, const uint8_t *data, size_t size);
/* Path of a file in the private copy (static, rotating 4 slots). */
const char *rp_fuzz_path(const char *rel);
/* Thins the private copy's map outline (data/map/uk-outline.txt) to one
 * point in RP_FUZZ_MAP_STEP of each ring (the first kept; rings of up to
 * 4 * STEP points whole), once per process. For the content and layout
 * targets, which draw the map for most inputs: reading and drawing its 3,900
 * points was 15-18 % of an input's instructions. The map's own code keeps
 * the full outline in the map and chart targets. */
#define RP_FUZZ_MAP_STEP 8
void rp_fuzz_coarse_map(void);
/* Renders `content` through `layout` (paths) as the pipeline does: load,
 * bind, lay out, dump the layout, and when `pdf`, draw and save with libharu
 * to /dev/null (the PDF goes nowhere). Any outcome but a crash is fine:
 * refusals are what hostile input should get. */
void rp_fuzz_render(const char *content, const char *layout, bool pdf);
/* Aborts (a finding) when `d` holds an internal error other than running out
 * of memory: hostile input must get a located refusal, and "layout produced
 * a path with invalid numbers" from render means an earlier stage let
 * something through that no crash would reveal. */
struct rp_diag;
void rp_fuzz_no_internal(const struct rp_diag *d);

/* A reader over the input for targets that build structures from bytes:
 * every getter returns something (zeros once the bytes run out). */
typedef struct rp_fuzz_bytes {
  const uint8_t *p;
  size_t n;
} rp_fuzz_bytes;
uint8_t rp_fuzz_u8(rp_fuzz_bytes *b);
/* A number in [0, max]. */
size_t rp_fuzz_range(rp_fuzz_bytes *b, size_t max);
/* Any double, NaN and infinities included, or a tame one (1 in 2). */
double rp_fuzz_double(rp_fuzz_bytes *b);
/* A NUL-terminated string of up to max bytes taken from the input (static
 * storage is not used: the copy is malloc'd and kept in a pool freed by
 * rp_fuzz_strings_free). */
const char *rp_fuzz_str(rp_fuzz_bytes *b, size_t max);
void rp_fuzz_strings_free(void);

#endif
