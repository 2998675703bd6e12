/* img_jpeg — JPEG decoding and encoding with libjpeg.
 *
 * libjpeg reports fatal errors through error_exit, which must not return;
 * its documented way out is longjmp, confined here to one decoder frame and
 * one encoder frame that own no resources (all state lives in a job struct in
 * the caller's frame, which cleans up). Warnings are counted: a file that
 * ends early ("Premature end of JPEG file") is refused rather than padded
 * with grey, and a file with other warnings is re-encoded instead of being
 * embedded as it is. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jpeglib.h needs size_t and FILE first. */
#include <jpeglib.h>
/* message codes (JWRN_JPEG_EOF) and ERREXIT */
#include <jerror.h>

#include "base/mem.h"
#include "render/img.h"

typedef struct err_mgr {
  struct jpeg_error_mgr pub;
  jmp_buf jmp;
  int warnings;
  bool truncated;
  char msg[JMSG_LENGTH_MAX];
} err_mgr;

static void on_error_exit(j_common_ptr cinfo) {
  err_mgr *e = (err_mgr *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, e->msg);
  longjmp(e->jmp, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
  err_mgr *e = (err_mgr *)cinfo->err;
  if (level >= 0) return; /* trace messages */
  if (e->warnings++ == 0) (*cinfo->err->format_message)(cinfo, e->msg);
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) e->truncated = true;
}

static void init_err(err_mgr *e) {
  memset(e, 0, sizeof *e);
  jpeg_std_error(&e->pub);
  e->pub.error_exit = on_error_exit;
  e->pub.emit_message = on_message;
}

/* ---- decoding ---------------------------------------------------------- */

typedef struct dec_job {
  struct jpeg_decompress_struct cinfo;
  err_mgr err;
  const uint8_t *data;
  size_t len;
  int min_w, min_h;
  rp_jpeg_info info;
  uint8_t *rgba; /* output, w*h*4 */
  uint8_t *row;  /* one scanline */
  int w, h;
  const char *refusal; /* a reason found outside libjpeg */
} dec_job;

static void store_row(dec_job *j, int y, int comps) {
  uint8_t *o = j->rgba + (size_t)y * (size_t)j->w * 4;
  const uint8_t *s = j->row;
  bool adobe = j->cinfo.saw_Adobe_marker;
  for (int x = 0; x < j->w; x++, o += 4, s += comps) {
    if (comps == 1) {
      o[0] = o[1] = o[2] = s[0];
    } else if (comps == 3) {
      o[0] = s[0], o[1] = s[1], o[2] = s[2];
    } else {
      /* CMYK; Adobe's files store it inverted (0 = full ink). */
      unsigned c = s[0], m = s[1], yy = s[2], k = s[3];
      if (!adobe) c = 255 - c, m = 255 - m, yy = 255 - yy, k = 255 - k;
      o[0] = (uint8_t)((c * k + 127) / 255);
      o[1] = (uint8_t)((m * k + 127) / 255);
      o[2] = (uint8_t)((yy * k + 127) / 255);
    }
    o[3] = 255;
  }
}

/* True when libharu's own JPEG header scan (hpdf_image.c, LoadJpegHeader)
 * reaches a baseline, extended or progressive frame header whose size and
 * components match what libjpeg found. That scan walks marker segments by
 * their lengths and gives up on fill bytes or anything unexpected, so a
 * file it would refuse is re-encoded instead of handed over. */
static bool libharu_reads_header(const uint8_t *d, size_t len, const dec_job *j) {
  size_t pos = 2;
  while (pos + 4 <= len) {
    unsigned tag = (unsigned)d[pos] << 8 | d[pos + 1];
    unsigned size = (unsigned)d[pos + 2] << 8 | d[pos + 3];
    if (tag == 0xFFC0 || tag == 0xFFC1 || tag == 0xFFC2) {
      if (pos + 10 > len) return false;
      unsigned h = (unsigned)d[pos + 5] << 8 | d[pos + 6];
      unsigned w = (unsigned)d[pos + 7] << 8 | d[pos + 8];
      return d[pos + 4] == 8 && (int)w == j->info.width && (int)h == j->info.height &&
             d[pos + 9] == j->info.components;
    }
    if ((tag & 0xFF00) != 0xFF00 || tag == 0xFFFF || size < 2) return false;
    pos += 2 + (size_t)size;
  }
  return false;
}

/* The frame libjpeg may longjmp back to; owns nothing itself. */
static bool run_decoder(dec_job *j) {
  struct jpeg_decompress_struct *ci = &j->cinfo;
  if (setjmp(j->err.jmp)) return false;
  jpeg_create_decompress(ci);
  jpeg_mem_src(ci, j->data, (unsigned long)j->len);
  jpeg_read_header(ci, TRUE);
  j->info.width = (int)ci->image_width;
  j->info.height = (int)ci->image_height;
  j->info.components = ci->num_components;
  if (ci->image_width == 0 || ci->image_height == 0 || ci->image_width > RP_IMG_MAX_SIDE ||
      ci->image_height > RP_IMG_MAX_SIDE ||
      (double)ci->image_width * ci->image_height > RP_IMG_MAX_PIXELS) {
    j->refusal = "size";
    return false;
  }
  if (ci->num_components != 1 && ci->num_components != 3 && ci->num_components != 4) {
    j->refusal = "components";
    return false;
  }
  j->info.embeddable = !ci->arith_code && ci->data_precision == 8 && ci->num_components != 4 &&
                       libharu_reads_header(j->data, j->len, j);
  if (ci->num_components == 1)
    ci->out_color_space = JCS_GRAYSCALE;
  else if (ci->num_components == 4)
    ci->out_color_space = JCS_CMYK;
  else
    ci->out_color_space = JCS_RGB;
  ci->scale_num = 1;
  ci->scale_denom = 1;
  for (unsigned d = 8; d > 1 && j->min_w > 0 && j->min_h > 0; d /= 2) {
    if ((ci->image_width + d - 1) / d >= (unsigned)j->min_w &&
        (ci->image_height + d - 1) / d >= (unsigned)j->min_h) {
      ci->scale_denom = d;
      break;
    }
  }
  jpeg_start_decompress(ci);
  int comps = ci->output_components;
  j->w = (int)ci->output_width;
  j->h = (int)ci->output_height;
  j->rgba = rp_mem_alloc((size_t)j->w * (size_t)j->h * 4);
  j->row = rp_mem_alloc((size_t)j->w * (size_t)comps);
  if (!j->rgba || !j->row) {
    j->refusal = "memory";
    return false;
  }
  while (ci->output_scanline < ci->output_height) {
    JSAMPROW rows[1] = {j->row};
    int y = (int)ci->output_scanline;
    if (jpeg_read_scanlines(ci, rows, 1) != 1) break;
    store_row(j, y, comps);
  }
  if (ci->output_scanline < ci->output_height) j->err.truncated = true;
  jpeg_finish_decompress(ci);
  return true;
}

bool rp_jpeg_decode(const uint8_t *data, size_t len, int min_w, int min_h, rp_pixmap *out,
                    rp_jpeg_info *info, char *err, size_t errlen) {
  dec_job *j = rp_mem_calloc(1, sizeof *j);
  if (!j) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  init_err(&j->err);
  j->cinfo.err = &j->err.pub;
  j->data = data;
  j->len = len;
  j->min_w = min_w;
  j->min_h = min_h;
  bool ok = run_decoder(j);
  if (!ok) {
    if (!j->refusal)
      snprintf(err, errlen, "the JPEG file cannot be decoded (%s)", j->err.msg);
    else if (strcmp(j->refusal, "size") == 0)
      snprintf(err, errlen,
               "the JPEG image is %d x %d px; at most %d px a side and %.0f million px",
               j->info.width, j->info.height, RP_IMG_MAX_SIDE, RP_IMG_MAX_PIXELS / 1e6);
    else if (strcmp(j->refusal, "components") == 0)
      snprintf(err, errlen, "the JPEG image has %d colour components (1, 3 or 4 are supported)",
               j->info.components);
    else
      snprintf(err, errlen, "out of memory decoding the JPEG file");
  } else if (j->err.truncated) {
    snprintf(err, errlen, "the JPEG file is truncated");
    ok = false;
  }
  jpeg_destroy_decompress(&j->cinfo);
  rp_mem_free(j->row);
  if (ok) {
    j->info.clean = j->err.warnings == 0;
    out->w = j->w;
    out->h = j->h;
    out->rgba = j->rgba;
    if (info) *info = j->info;
  } else {
    rp_mem_free(j->rgba);
  }
  rp_mem_free(j);
  return ok;
}

/* ---- encoding ---------------------------------------------------------- */

/* A growing memory destination whose buffer always belongs to the job (so a
 * failure part-way leaves nothing dangling, unlike jpeg_mem_dest). */
typedef struct enc_job {
  struct jpeg_compress_struct cinfo;
  struct jpeg_destination_mgr dest;
  err_mgr err;
  const rp_pixmap *pm;
  int quality;
  bool gray;
  uint8_t *out;
  size_t cap;
  uint8_t *row;
} enc_job;

static void dest_init(j_compress_ptr ci) { (void)ci; }

static boolean dest_grow(j_compress_ptr ci) {
  enc_job *j = (enc_job *)ci->client_data;
  size_t cap = j->cap * 2;
  uint8_t *b = rp_mem_realloc(j->out, cap);
  if (!b) ERREXIT1(ci, JERR_OUT_OF_MEMORY, 99);
  j->out = b;
  j->dest.next_output_byte = b + j->cap; /* the whole old buffer is full */
  j->dest.free_in_buffer = cap - j->cap;
  j->cap = cap;
  return TRUE;
}

static void dest_term(j_compress_ptr ci) { (void)ci; }

static bool run_encoder(enc_job *j) {
  struct jpeg_compress_struct *ci = &j->cinfo;
  if (setjmp(j->err.jmp)) return false;
  jpeg_create_compress(ci);
  ci->client_data = j;
  j->dest.init_destination = dest_init;
  j->dest.empty_output_buffer = dest_grow;
  j->dest.term_destination = dest_term;
  j->dest.next_output_byte = j->out;
  j->dest.free_in_buffer = j->cap;
  ci->dest = &j->dest;
  ci->image_width = (JDIMENSION)j->pm->w;
  ci->image_height = (JDIMENSION)j->pm->h;
  ci->input_components = j->gray ? 1 : 3;
  ci->in_color_space = j->gray ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(ci);
  jpeg_set_quality(ci, j->quality, TRUE);
  jpeg_start_compress(ci, TRUE);
  int comps = ci->input_components;
  while (ci->next_scanline < ci->image_height) {
    const uint8_t *s = j->pm->rgba + (size_t)ci->next_scanline * (size_t)j->pm->w * 4;
    for (int x = 0; x < j->pm->w; x++)
      for (int c = 0; c < comps; c++) j->row[(size_t)x * (size_t)comps + (size_t)c] = s[x * 4 + c];
    JSAMPROW rows[1] = {j->row};
    jpeg_write_scanlines(ci, rows, 1);
  }
  jpeg_finish_compress(ci);
  return true;
}

bool rp_jpeg_encode(const rp_pixmap *pm, int quality, uint8_t **out, size_t *out_len, char *err,
                    size_t errlen) {
  enc_job *j = rp_mem_calloc(1, sizeof *j);
  uint8_t *row = rp_mem_alloc((size_t)pm->w * 3);
  size_t cap = 65536;
  uint8_t *buf = rp_mem_alloc(cap);
  if (!j || !row || !buf) {
    rp_mem_free(j);
    rp_mem_free(row);
    rp_mem_free(buf);
    snprintf(err, errlen, "out of memory");
    return false;
  }
  init_err(&j->err);
  j->cinfo.err = &j->err.pub;
  j->pm = pm;
  j->quality = quality;
  j->gray = rp_pixmap_is_gray(pm);
  j->row = row;
  j->out = buf;
  j->cap = cap;
  bool ok = run_encoder(j);
  if (!ok) snprintf(err, errlen, "cannot encode JPEG (%s)", j->err.msg);
  size_t used = j->cap - j->dest.free_in_buffer;
  jpeg_destroy_compress(&j->cinfo);
  if (ok) {
    *out = j->out;
    *out_len = used;
  } else {
    rp_mem_free(j->out);
  }
  rp_mem_free(row);
  rp_mem_free(j);
  return ok;
}
