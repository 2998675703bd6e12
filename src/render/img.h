/* img — decoding image files into checked pixels for the PDF back end.
 *
 * libharu's own PNG loader aborts the process on a corrupt file and its JPEG
 * loader accepts truncated data, so nothing reaches it undecoded: PNG goes
 * through Cairo (clean errors), JPEG through libjpeg. Pixels are held as
 * premultiplied RGBA so that downsampling averages colour correctly at
 * transparent edges; rp_pixmap_split() turns them into the unpremultiplied
 * colour and alpha planes a PDF image and its SMask want.
 *
 * No libharu here: these functions only read bytes and return pixels or a
 * message, so they can be tested on their own. */
#ifndef RP_RENDER_IMG_H
#define RP_RENDER_IMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on what is decoded (decompression bombs). */
#define RP_IMG_MAX_FILE (100u * 1024u * 1024u) /* bytes */
#define RP_IMG_MAX_SIDE 20000                  /* px */
#define RP_IMG_MAX_PIXELS 50000000.0           /* px, before downsampling */

typedef struct rp_pixmap {
  int w, h;
  uint8_t *rgba; /* premultiplied RGBA, 4 * w * h bytes, malloc'd */
} rp_pixmap;

typedef enum rp_img_format { RP_IMG_UNKNOWN, RP_IMG_PNG, RP_IMG_JPEG } rp_img_format;

/* Frees the pixels; accepts a zeroed pixmap. */
void rp_pixmap_fini(rp_pixmap *pm);

/* Format from the first bytes (signature), not from the file name. */
rp_img_format rp_img_sniff(const uint8_t *data, size_t len);

/* Reads a whole file (at most RP_IMG_MAX_FILE bytes) into malloc'd memory.
 * On failure returns false with a message in err. */
bool rp_img_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen);

/* PNG through Cairo. On failure returns false, *out untouched, message in err. */
bool rp_png_decode(const uint8_t *data, size_t len, rp_pixmap *out, char *err, size_t errlen);

/* A PNG whose compressed data a PDF can take as it is (Flate with the PNG
 * predictor, ISO 32000-1 §7.4.4.4): 8-bit gray or RGB, or a palette of any
 * depth, not interlaced, without alpha or a transparent colour. */
typedef struct rp_png_raw {
  int w, h;
  int bits;            /* per component: 8, or the palette index's 1, 2, 4, 8 */
  int colors;          /* components per pixel in the data: 1 or 3 */
  const uint8_t *plte; /* palette: RGB triples in the file, or NULL */
  int n_plte;          /* entries */
  uint8_t *idat;       /* the IDAT chunks' data joined: one zlib stream, malloc'd */
  size_t idat_len;
} rp_png_raw;

/* Fills *out when the PNG in data (already decoded once by rp_png_decode,
 * so known to be sound) can be passed through; false otherwise (and when out
 * of memory), *out zeroed. out->plte points into data. */
bool rp_png_raw_data(const uint8_t *data, size_t len, rp_png_raw *out);
void rp_png_raw_fini(rp_png_raw *r);

typedef struct rp_jpeg_info {
  int width, height; /* of the file, px */
  int components;    /* 1, 3 or 4 */
  bool clean;        /* decoded without any libjpeg warning */
  bool embeddable;   /* the bytes can go into the PDF as they are: 8-bit
                        Huffman-coded gray or YCbCr/RGB (no CMYK), with a
                        header libharu's marker scan reads correctly */
} rp_jpeg_info;

/* Decodes all of a JPEG (a truncated file is an error, not grey padding).
 * With min_w/min_h > 0 libjpeg's DCT scaling shrinks by 1/2, 1/4 or 1/8 as
 * long as the result stays at least that large. CMYK becomes RGB. */
bool rp_jpeg_decode(const uint8_t *data, size_t len, int min_w, int min_h, rp_pixmap *out,
                    rp_jpeg_info *info, char *err, size_t errlen);

/* Encodes an opaque pixmap as baseline JPEG (gray when all pixels are);
 * *out is malloc'd. */
bool rp_jpeg_encode(const rp_pixmap *pm, int quality, uint8_t **out, size_t *out_len, char *err,
                    size_t errlen);

/* Box-filters the pixmap down to at most max_w × max_h (each axis on its
 * own, never up). Returns false only when out of memory (pixmap unchanged). */
bool rp_pixmap_downsample(rp_pixmap *pm, int max_w, int max_h);

/* True when every pixel has r == g == b. */
bool rp_pixmap_is_gray(const rp_pixmap *pm);

/* Unpremultiplied colour samples (*channels = 1 when gray, else 3) and, when
 * any pixel is not opaque, alpha samples (else *alpha = NULL); malloc'd.
 * False when out of memory. */
bool rp_pixmap_split(const rp_pixmap *pm, uint8_t **color, int *channels, uint8_t **alpha);

#endif
