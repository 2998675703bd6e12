/* jpeg_lazy — libjpeg's entry points for render/img_jpeg.c, loaded on first
 * use (RP_LAZY_JPEG, CMakeLists.txt; linked into the reviewpdf binary only,
 * never into the engine), as cli/icu_lazy.c does for ICU.
 *
 * Only a document with a JPEG image (a photo; a chart drawn at --chart-dpi
 * is encoded as one) needs libjpeg: the sample review has none. Linked, it
 * was opened, mapped and bound at every start (reviewpdf --version: ~150 K
 * instructions, a fifteenth of the start). These functions pass each call
 * on to libjpeg's own, opened with dlopen the first time one is needed.
 * Without libjpeg (not installed), a decoder or encoder made from here
 * fails through the caller's error_exit, with a message saying so, as a
 * damaged file would: the image is refused, the rest renders.
 *
 * The names are libjpeg's own, not rp_ ones: img_jpeg.c calls them (and
 * the macros jpeg_create_decompress and jpeg_create_compress name
 * jpeg_CreateDecompress and jpeg_CreateCompress). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* jpeglib.h needs size_t and FILE first. */
#include <jpeglib.h>

/* the library of the ABI jpeglib.h describes (Debian's libjpeg62-turbo) */
#if JPEG_LIB_VERSION == 62
#define LIBJPEG "libjpeg.so.62"
#elif JPEG_LIB_VERSION == 70
#define LIBJPEG "libjpeg.so.7"
#elif JPEG_LIB_VERSION == 80
#define LIBJPEG "libjpeg.so.8"
#elif JPEG_LIB_VERSION == 90
#define LIBJPEG "libjpeg.so.9"
#else
#error "jpeg_lazy.c: which libjpeg.so matches this jpeglib.h? (configure with -DRP_LAZY_JPEG=OFF)"
#endif

static struct {
  struct jpeg_error_mgr *(*std_error)(struct jpeg_error_mgr *);
  void (*create_decompress)(j_decompress_ptr, int, size_t);
  void (*create_compress)(j_compress_ptr, int, size_t);
  void (*destroy_decompress)(j_decompress_ptr);
  void (*destroy_compress)(j_compress_ptr);
  void (*mem_src)(j_decompress_ptr, const unsigned char *, unsigned long);
  int (*read_header)(j_decompress_ptr, boolean);
  boolean (*start_decompress)(j_decompress_ptr);
  JDIMENSION (*read_scanlines)(j_decompress_ptr, JSAMPARRAY, JDIMENSION);
  boolean (*finish_decompress)(j_decompress_ptr);
  void (*set_defaults)(j_compress_ptr);
  void (*set_quality)(j_compress_ptr, int, boolean);
  void (*start_compress)(j_compress_ptr, boolean);
  JDIMENSION (*write_scanlines)(j_compress_ptr, JSAMPARRAY, JDIMENSION);
  void (*finish_compress)(j_compress_ptr);
} jpg;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;

static void load(void) {
  void *h = dlopen(LIBJPEG, RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  void *f[] = {
      dlsym(h, "jpeg_std_error"),        dlsym(h, "jpeg_CreateDecompress"),
      dlsym(h, "jpeg_CreateCompress"),   dlsym(h, "jpeg_destroy_decompress"),
      dlsym(h, "jpeg_destroy_compress"), dlsym(h, "jpeg_mem_src"),
      dlsym(h, "jpeg_read_header"),      dlsym(h, "jpeg_start_decompress"),
      dlsym(h, "jpeg_read_scanlines"),   dlsym(h, "jpeg_finish_decompress"),
      dlsym(h, "jpeg_set_defaults"),     dlsym(h, "jpeg_set_quality"),
      dlsym(h, "jpeg_start_compress"),   dlsym(h, "jpeg_write_scanlines"),
      dlsym(h, "jpeg_finish_compress"),
  };
  _Static_assert(sizeof jpg == sizeof f, "a pointer for each function, in order");
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    if (!f[i]) return; /* another library by that name: treated as absent (h kept) */
  /* object pointers to function pointers: POSIX guarantees dlsym's work */
  memcpy(&jpg, f, sizeof jpg);
  loaded = true;
}

static bool ready(void) {
  pthread_once(&once, load);
  return loaded;
}

/* Without libjpeg: an error manager whose only message says so (the
 * caller replaces error_exit and emit_message, as img_jpeg.c does). */
static void no_exit(j_common_ptr cinfo) { (void)cinfo; }
static void no_emit(j_common_ptr cinfo, int level) { (void)cinfo, (void)level; }
static void no_output(j_common_ptr cinfo) { (void)cinfo; }
static void no_reset(j_common_ptr cinfo) { (void)cinfo; }
static void no_format(j_common_ptr cinfo, char *buffer) {
  (void)cinfo;
  snprintf(buffer, JMSG_LENGTH_MAX, "libjpeg (%s) cannot be loaded: install it", LIBJPEG);
}

struct jpeg_error_mgr *jpeg_std_error(struct jpeg_error_mgr *err) {
  if (ready()) return jpg.std_error(err);
  memset(err, 0, sizeof *err);
  err->error_exit = no_exit;
  err->emit_message = no_emit;
  err->output_message = no_output;
  err->format_message = no_format;
  err->reset_error_mgr = no_reset;
  return err;
}

void jpeg_CreateDecompress(j_decompress_ptr cinfo, int version, size_t size) {
  if (ready())
    jpg.create_decompress(cinfo, version, size);
  else
    (*cinfo->err->error_exit)((j_common_ptr)cinfo); /* does not return (img_jpeg.c) */
}

void jpeg_CreateCompress(j_compress_ptr cinfo, int version, size_t size) {
  if (ready())
    jpg.create_compress(cinfo, version, size);
  else
    (*cinfo->err->error_exit)((j_common_ptr)cinfo);
}

/* Nothing was made without libjpeg, so nothing to destroy. */
void jpeg_destroy_decompress(j_decompress_ptr cinfo) {
  if (ready()) jpg.destroy_decompress(cinfo);
}

void jpeg_destroy_compress(j_compress_ptr cinfo) {
  if (ready()) jpg.destroy_compress(cinfo);
}

/* The rest are called only on what jpeg_Create* made: libjpeg is loaded. */
void jpeg_mem_src(j_decompress_ptr cinfo, const unsigned char *buffer, unsigned long size) {
  jpg.mem_src(cinfo, buffer, size);
}

int jpeg_read_header(j_decompress_ptr cinfo, boolean require_image) {
  return jpg.read_header(cinfo, require_image);
}

boolean jpeg_start_decompress(j_decompress_ptr cinfo) { return jpg.start_decompress(cinfo); }

JDIMENSION jpeg_read_scanlines(j_decompress_ptr cinfo, JSAMPARRAY scanlines, JDIMENSION max_lines) {
  return jpg.read_scanlines(cinfo, scanlines, max_lines);
}

boolean jpeg_finish_decompress(j_decompress_ptr cinfo) { return jpg.finish_decompress(cinfo); }

void jpeg_set_defaults(j_compress_ptr cinfo) { jpg.set_defaults(cinfo); }

void jpeg_set_quality(j_compress_ptr cinfo, int quality, boolean force_baseline) {
  jpg.set_quality(cinfo, quality, force_baseline);
}

void jpeg_start_compress(j_compress_ptr cinfo, boolean write_all_tables) {
  jpg.start_compress(cinfo, write_all_tables);
}

JDIMENSION jpeg_write_scanlines(j_compress_ptr cinfo, JSAMPARRAY scanlines, JDIMENSION num_lines) {
  return jpg.write_scanlines(cinfo, scanlines, num_lines);
}

void jpeg_finish_compress(j_compress_ptr cinfo) { jpg.finish_compress(cinfo); }
