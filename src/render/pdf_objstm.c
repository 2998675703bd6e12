/* pdf_objstm — libharu's finished file repacked with object streams and a
 * cross-reference stream (objstm.h says what and why).
 *
 * The input is read through its cross-reference table: each in-use object's
 * offset gives where `N G obj` starts, and the next object's offset (or the
 * table's) bounds where its `endobj` lies, so nothing inside an object
 * (strings, stream data) is ever scanned for keywords except its dictionary,
 * which is tokenised (strings, hex strings, nesting) to see whether a
 * `stream` keyword follows it. Anything unexpected gives
 * RP_OBJSTM_UNCHANGED: the caller writes libharu's bytes as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "render/flate.h"
#include "render/objstm.h"

typedef struct obj_ref {
  size_t num;
  size_t off;      /* in the input */
  size_t end;      /* just after its `endobj` */
  size_t body;     /* start of its value (after `obj` and white space) */
  size_t body_end; /* end of its value (before `endobj`, white space trimmed) */
  unsigned gen;
  bool stream;
} obj_ref;

typedef struct out_buf {
  uint8_t *data;
  size_t len, cap;
  bool nomem;
} out_buf;

static void put(out_buf *b, const void *s, size_t n) {
  if (b->nomem || n == 0) return; /* (memcpy from NULL is undefined even for 0 bytes) */
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) cap *= 2;
    uint8_t *d = rp_mem_realloc(b->data, cap);
    if (!d) {
      b->nomem = true;
      return;
    }
    b->data = d, b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

static void puts_(out_buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(out_buf *b, const char *fmt, unsigned long long v) {
  char tmp[48];
  int n = snprintf(tmp, sizeof tmp, fmt, v);
  put(b, tmp, (size_t)n);
}

/* v and a space (putf's "%llu ", a tenth of its time: two per object packed). */
static void put_num(out_buf *b, unsigned long long v) {
  char d[24];
  size_t n = sizeof d;
  d[--n] = ' ';
  do d[--n] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  put(b, d + n, sizeof d - n);
}

static bool is_ws(uint8_t c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

static bool is_delim(uint8_t c) { return is_ws(c) || strchr("()<>[]{}/%", c) != NULL; }

/* Reads an unsigned decimal at *i (after white space); false if none. */
static bool read_uint(const uint8_t *s, size_t len, size_t *i, unsigned long long *v) {
  while (*i < len && is_ws(s[*i])) (*i)++;
  if (*i >= len || s[*i] < '0' || s[*i] > '9') return false;
  unsigned long long r = 0;
  while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
    if (r > (~0ull - 9) / 10) return false;
    r = r * 10 + (unsigned)(s[*i] - '0');
    (*i)++;
  }
  *v = r;
  return true;
}

/* True when `word` is at s[i] as a whole token. */
static bool word_at(const uint8_t *s, size_t len, size_t i, const char *word) {
  size_t n = strlen(word);
  return i + n <= len && memcmp(s + i, word, n) == 0 && (i + n == len || is_delim(s[i + n]));
}

/* From the `<<` at s[i], the index just after its matching `>>`; 0 when it
 * does not close before `end`. */
static size_t dict_end(const uint8_t *s, size_t i, size_t end) {
  int depth = 0;
  while (i < end) {
    uint8_t c = s[i];
    if (c == '(') { /* literal string: balanced parentheses, \ escapes */
      int nest = 0;
      for (; i < end; i++) {
        if (s[i] == '\\') {
          i++;
        } else if (s[i] == '(') {
          nest++;
        } else if (s[i] == ')' && --nest == 0) {
          break;
        }
      }
      i++;
    } else if (c == '<' && i + 1 < end && s[i + 1] == '<') {
      depth++, i += 2;
    } else if (c == '>' && i + 1 < end && s[i + 1] == '>') {
      i += 2;
      if (--depth == 0) return i;
    } else if (c == '<') { /* hex string */
      while (i < end && s[i] != '>') i++;
      i++;
    } else if (c == '%') {
      while (i < end && s[i] != '\n' && s[i] != '\r') i++;
    } else {
      i++;
    }
  }
  return 0;
}

/* The position of the last "endobj" in s[from, to), or 0. */
static size_t last_endobj(const uint8_t *s, size_t from, size_t to) {
  for (size_t i = to; i >= from + 6; i--)
    if (memcmp(s + i - 6, "endobj", 6) == 0) return i - 6;
  return 0;
}

static int by_offset(const void *a, const void *b) {
  const obj_ref *x = a, *y = b;
  return x->off < y->off ? -1 : x->off > y->off;
}

static int by_number(const void *a, const void *b) {
  const obj_ref *x = a, *y = b;
  return x->num < y->num ? -1 : x->num > y->num;
}

/* Finds the trailer's value of `key` (an indirect reference or an array)
 * in s[from, to): s[*vs, *ve); false when absent or malformed. */
static bool trailer_value(const uint8_t *s, size_t from, size_t to, const char *key, size_t *vs,
                          size_t *ve) {
  size_t n = strlen(key);
  for (size_t i = from; i + n <= to; i++) {
    if (memcmp(s + i, key, n) != 0 || (i + n < to && !is_delim(s[i + n]))) continue;
    size_t j = i + n;
    while (j < to && is_ws(s[j])) j++;
    size_t k = j;
    if (k < to && s[k] == '[') {
      while (k < to && s[k] != ']') k++;
      if (k >= to) return false;
      k++;
    } else {
      unsigned long long a, b;
      if (!read_uint(s, to, &k, &a) || !read_uint(s, to, &k, &b)) return false;
      while (k < to && is_ws(s[k])) k++;
      if (k >= to || s[k] != 'R') return false;
      k++;
    }
    *vs = j, *ve = k;
    return true;
  }
  return false;
}

/* Parses the classic cross-reference table at xref; fills objs (in use,
 * numbered below *size). False when it is not one this packer reads
 * (*n_objs 1) or out of memory (*n_objs 0). */
static bool read_xref(const uint8_t *s, size_t len, size_t xref, obj_ref **objs, size_t *n_objs,
                      size_t *size, size_t *trailer) {
  size_t i = xref + 4, n = 0, cap = 0;
  obj_ref *list = NULL;
  *size = 0;
  for (;;) {
    size_t save = i;
    unsigned long long first, count;
    if (!read_uint(s, len, &i, &first) || !read_uint(s, len, &i, &count)) {
      i = save;
      break;
    }
    if (count > len / 20 || first > len) goto bad;
    for (unsigned long long k = 0; k < count; k++) {
      unsigned long long off, gen;
      if (!read_uint(s, len, &i, &off) || !read_uint(s, len, &i, &gen)) goto bad;
      while (i < len && is_ws(s[i])) i++;
      if (i >= len || (s[i] != 'n' && s[i] != 'f')) goto bad;
      bool used = s[i++] == 'n';
      size_t num = (size_t)(first + k);
      if (num + 1 > *size) *size = num + 1;
      if (!used) continue;
      if (off >= xref || gen > 65535) goto bad;
      if (n == cap) {
        cap = cap ? cap * 2 : 256;
        obj_ref *g = rp_mem_reallocarray(list, cap, sizeof *list);
        if (!g) {
          rp_mem_free(list);
          *objs = NULL;
          return false;
        }
        list = g;
      }
      list[n++] = (obj_ref){.num = num, .off = (size_t)off, .gen = (unsigned)gen};
    }
  }
  while (i < len && is_ws(s[i])) i++;
  if (!word_at(s, len, i, "trailer") || n == 0) goto bad;
  *trailer = i + 7;
  *objs = list;
  *n_objs = n;
  return true;
bad:
  rp_mem_free(list);
  *objs = NULL;
  *n_objs = 1; /* not out of memory: unreadable */
  return false;
}

/* Finds each object's value and whether it is a stream. */
static bool locate(const uint8_t *s, obj_ref *objs, size_t n, size_t xref) {
  qsort(objs, n, sizeof *objs, by_offset);
  for (size_t k = 0; k < n; k++) {
    obj_ref *o = &objs[k];
    size_t limit = k + 1 < n ? objs[k + 1].off : xref;
    size_t i = o->off;
    unsigned long long num, gen;
    if (!read_uint(s, limit, &i, &num) || !read_uint(s, limit, &i, &gen) || num != o->num ||
        gen != o->gen)
      return false;
    while (i < limit && is_ws(s[i])) i++;
    if (!word_at(s, limit, i, "obj")) return false;
    i += 3;
    size_t e = last_endobj(s, i, limit);
    if (e == 0) return false;
    o->end = e + 6;
    while (i < e && is_ws(s[i])) i++;
    size_t be = e;
    while (be > i && is_ws(s[be - 1])) be--;
    if (be <= i) return false;
    o->body = i, o->body_end = be;
    if (i + 1 < be && s[i] == '<' && s[i + 1] == '<') {
      size_t d = dict_end(s, i, be);
      if (d == 0) return false;
      while (d < be && is_ws(s[d])) d++;
      o->stream = word_at(s, be, d, "stream");
    }
  }
  return true;
}

/* ---- the writer ------------------------------------------------------ */

/* A cross-reference row as the stream holds it (W [1 4 2]): type (0 free,
 * 1 at an offset, 2 in an object stream), the offset or the object
 * stream's index (its number added at the end), the generation or the
 * index in the object stream; big-endian. The table is the stream's data:
 * 7 bytes an object, nothing rebuilt at the end. */
enum { ROW = 7 };

/* Rows from which the table is written with the Up predictor (rp_objstm_end). */
#define UP_ROWS 128

/* The most the "num off " pairs of an object stream take: its data is
 * gathered after that much room, the pairs written just before it when it
 * is closed (no copy of the values). */
enum { HEAD_ROOM = RP_OBJSTM_PER_STREAM * 2 * 21 };

/* An object-stream buffer larger than this is freed once its stream is
 * deflated (one large value does not keep its room to the end). */
#define KEEP_CAP ((size_t)256 << 10)

typedef struct kept_stream {
  uint64_t at;               /* where io.keep (or w->kept) has its deflated bytes */
  size_t zlen, count, first; /* /Length, /N, /First */
} kept_stream;

/* An object stream out with io.start's thread: its text and its row. */
enum { OUT = 2 };
typedef struct out_stream {
  rp_flate_job job; /* its input in buf */
  out_buf buf;
  size_t kept; /* its kept_stream */
} out_stream;

struct rp_objstm {
  rp_objstm_io io;
  uint64_t pos;  /* bytes written to the file */
  uint8_t *rows; /* ROW bytes an object */
  size_t n_rows, cap_rows;
  out_buf body;                          /* the current object stream: HEAD_ROOM, then the values */
  size_t pairs[RP_OBJSTM_PER_STREAM][2]; /* its objects' numbers and offsets */
  size_t count;
  size_t value_off; /* where the value being written starts in body */
  bool in_value;    /* rp_objstm_value has started one */
  kept_stream *kept;
  size_t n_kept, cap_kept;
  out_buf mem; /* kept object streams without io.keep */
  rp_flate *flate, *own_flate;
  out_stream out[OUT]; /* out with io.start: the oldest at first_out */
  size_t first_out, n_out;
  out_buf spare; /* a buffer back from one, for the next stream */
  bool nomem, failed;
};

static bool fail(rp_objstm *w, bool nomem) {
  w->nomem |= nomem;
  w->failed = true;
  return false;
}

bool rp_objstm_write(rp_objstm *w, const void *data, size_t n) {
  if (w->failed) return false;
  if (n && !w->io.write(w->io.user, data, n)) return fail(w, false);
  w->pos += n;
  return true;
}

static bool write_str(rp_objstm *w, const char *s) { return rp_objstm_write(w, s, strlen(s)); }

static bool grow_rows(rp_objstm *w, size_t cap) {
  if (cap > SIZE_MAX / ROW) return fail(w, true);
  uint8_t *r = rp_mem_realloc(w->rows, cap * ROW);
  if (!r) return fail(w, true);
  w->rows = r, w->cap_rows = cap;
  return true;
}

/* Sets object `num`'s row, the table grown (free rows) to reach it: by an
 * eighth past what rp_objstm_reserve gave (a large block is remapped by
 * realloc, not copied). */
static bool set_row(rp_objstm *w, size_t num, uint8_t type, uint32_t a, uint16_t b) {
  if (num >= w->cap_rows && !grow_rows(w, num + num / 8 + 1024)) return false;
  if (w->n_rows <= num) {
    memset(w->rows + w->n_rows * ROW, 0, (num + 1 - w->n_rows) * ROW);
    w->n_rows = num + 1;
  }
  uint8_t *r = w->rows + num * ROW;
  r[0] = type;
  r[1] = (uint8_t)(a >> 24), r[2] = (uint8_t)(a >> 16), r[3] = (uint8_t)(a >> 8), r[4] = (uint8_t)a;
  r[5] = (uint8_t)(b >> 8), r[6] = (uint8_t)b;
  return true;
}

bool rp_objstm_reserve(rp_objstm *w, size_t objects) {
  /* with the object streams' rows and the cross-reference stream's */
  size_t cap = objects + objects / (RP_OBJSTM_PER_STREAM - 1) + 2;
  return w->failed ? false : cap <= w->cap_rows || grow_rows(w, cap);
}

rp_objstm *rp_objstm_new(const rp_objstm_io *io) {
  rp_objstm *w = rp_mem_calloc(1, sizeof *w);
  if (!w) return NULL;
  w->io = *io;
  w->flate = io->flate ? io->flate : (w->own_flate = rp_flate_new());
  if (!w->flate) {
    rp_mem_free(w);
    return NULL;
  }
  return w;
}

bool rp_objstm_header(rp_objstm *w, const uint8_t *header, size_t len) {
  if (w->failed) return false;
  if (w->pos != 0) return fail(w, false); /* (the file has begun) */
  uint8_t *h = rp_mem_alloc(len ? len : 1);
  if (!h) return fail(w, true);
  if (len) memcpy(h, header, len);
  if (len > 7 && h[7] < '5') h[7] = '5';
  bool ok = rp_objstm_write(w, h, len);
  rp_mem_free(h);
  return ok;
}

rp_objstm *rp_objstm_begin(const rp_objstm_io *io, const uint8_t *header, size_t len) {
  rp_objstm *w = rp_objstm_new(io);
  if (w && !rp_objstm_header(w, header, len)) {
    rp_objstm_free(w);
    return NULL;
  }
  return w;
}

bool rp_objstm_has(const rp_objstm *w, size_t num) {
  return w && num < w->n_rows && w->rows[num * ROW] == 2;
}

bool rp_objstm_direct(rp_objstm *w, size_t num, unsigned gen) {
  if (w->failed) return false;
  if (w->pos > 0xFFFFFFFFu || gen > 0xFFFF) return fail(w, false);
  return set_row(w, num, 1, (uint32_t)w->pos, (uint16_t)gen);
}

static void drop_body(rp_objstm *w) {
  rp_mem_free(w->body.data);
  w->body = (out_buf){0};
}

/* Keeps object stream `ki`'s deflated bytes z[0, zlen) (io.keep, else in
 * memory). */
static bool keep_stream(rp_objstm *w, size_t ki, const uint8_t *z, size_t zlen) {
  kept_stream *k = &w->kept[ki];
  k->at = w->mem.len, k->zlen = zlen;
  if (w->io.keep ? !w->io.keep(w->io.user, z, zlen, &k->at) : (put(&w->mem, z, zlen), false))
    return fail(w, false);
  return !w->mem.nomem || fail(w, true);
}

/* The oldest stream out with io.start's thread, waited for and kept; its
 * buffer kept for the next (one), or freed. */
static bool finish_oldest(rp_objstm *w) {
  out_stream *o = &w->out[w->first_out];
  bool ok = w->io.wait(w->io.user, &o->job);
  w->first_out = (w->first_out + 1) % OUT;
  w->n_out--;
  ok = ok ? keep_stream(w, o->kept, o->job.out, o->job.out_len) : fail(w, true);
  rp_mem_free(o->job.out);
  o->job.out = NULL;
  if (!w->spare.data && o->buf.cap <= KEEP_CAP)
    w->spare = (out_buf){.data = o->buf.data, .cap = o->buf.cap};
  else
    rp_mem_free(o->buf.data);
  o->buf = (out_buf){0};
  return ok;
}

/* Every stream out waited for (the newest first: the thread takes the
 * oldest, and a job it has not started is done by the waiting thread),
 * then kept in order; or, `drop`, freed. */
static bool finish_all(rp_objstm *w, bool drop) {
  for (size_t i = w->n_out; i-- > 0;) w->io.wait(w->io.user, &w->out[(w->first_out + i) % OUT].job);
  bool ok = true;
  while (w->n_out > 0) {
    if (!drop) {
      ok &= finish_oldest(w);
      continue;
    }
    out_stream *o = &w->out[w->first_out];
    rp_mem_free(o->job.out), rp_mem_free(o->buf.data);
    *o = (out_stream){0};
    w->first_out = (w->first_out + 1) % OUT;
    w->n_out--;
  }
  return ok;
}

/* Deflates the current object stream and keeps it: its "num off " pairs
 * written into the room before its values. With io.start the text is
 * handed to that thread and the next stream filled meanwhile in another
 * buffer; kept when waited for (finish_oldest). */
static bool close_stream(rp_objstm *w) {
  if (w->count == 0) return true;
  if (w->body.nomem) return fail(w, true);
  out_buf head = {0};
  char tmp[HEAD_ROOM];
  head.data = (uint8_t *)tmp, head.cap = sizeof tmp;
  for (size_t i = 0; i < w->count; i++) {
    put_num(&head, w->pairs[i][0]);
    put_num(&head, w->pairs[i][1]);
  }
  size_t first = head.len;
  uint8_t *start = w->body.data + HEAD_ROOM - first;
  memcpy(start, tmp, first);
  size_t len = w->body.len - (HEAD_ROOM - first);
  if (w->n_kept == w->cap_kept) {
    size_t cap = w->cap_kept ? 2 * w->cap_kept : 16;
    kept_stream *k = rp_mem_reallocarray(w->kept, cap, sizeof *k);
    if (!k) return fail(w, true);
    w->kept = k, w->cap_kept = cap;
  }
  size_t ki = w->n_kept;
  w->kept[ki] = (kept_stream){.count = w->count, .first = first};
  if (w->io.start && (w->n_out < OUT || finish_oldest(w))) {
    out_stream *o = &w->out[(w->first_out + w->n_out) % OUT];
    *o = (out_stream){.buf = w->body, .kept = ki, .job = {.in = start, .len = len}};
    if (w->io.start(w->io.user, &o->job)) {
      w->n_out++;
      w->body = w->spare;
      w->spare = (out_buf){0};
      w->n_kept++;
      w->count = 0;
      return true;
    }
    *o = (out_stream){0};
  }
  if (w->failed) return false;
  uint8_t *z = NULL;
  size_t zlen = 0;
  if (!rp_flate_deflate(w->flate, start, len, &z, &zlen)) return fail(w, true);
  if (w->body.cap > KEEP_CAP) drop_body(w);
  bool ok = keep_stream(w, ki, z, zlen);
  rp_mem_free(z);
  if (!ok) return false;
  w->n_kept++;
  w->body.len = 0;
  w->count = 0;
  return true;
}

bool rp_objstm_value(rp_objstm *w, const void *data, size_t n) {
  if (w->failed) return false;
  if (!w->in_value) {
    if (w->body.len == 0) { /* the room for the pairs */
      static const uint8_t room[HEAD_ROOM];
      put(&w->body, room, sizeof room);
    }
    w->value_off = w->body.len;
    w->in_value = true;
  }
  put(&w->body, data, n);
  return !w->body.nomem || fail(w, true);
}

bool rp_objstm_value_end(rp_objstm *w, size_t num) {
  if (!rp_objstm_value(w, NULL, 0) || !set_row(w, num, 2, (uint32_t)w->n_kept, (uint16_t)w->count))
    return false;
  w->in_value = false;
  while (w->body.len > w->value_off && is_ws(w->body.data[w->body.len - 1])) w->body.len--;
  w->pairs[w->count][0] = num;
  w->pairs[w->count][1] = w->value_off - HEAD_ROOM;
  puts_(&w->body, "\n");
  if (w->body.nomem) return fail(w, true);
  return ++w->count < RP_OBJSTM_PER_STREAM || close_stream(w);
}

bool rp_objstm_packed(rp_objstm *w, size_t num, const uint8_t *value, size_t len) {
  return rp_objstm_value(w, value, len) && rp_objstm_value_end(w, num);
}

/* Writes one stream object `num` with dictionary entries `dict` and data. */
static bool put_stream(rp_objstm *w, size_t num, const char *dict, const uint8_t *data,
                       size_t len) {
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%zu 0 obj\n<< ", num);
  write_str(w, tmp);
  write_str(w, dict);
  snprintf(tmp, sizeof tmp, " /Length %zu /Filter /FlateDecode >>\nstream\n", len);
  write_str(w, tmp);
  rp_objstm_write(w, data, len);
  return write_str(w, "\nendstream\nendobj\n");
}

bool rp_objstm_end(rp_objstm *w, size_t size, const char *trailer) {
  if (!close_stream(w) || !finish_all(w, false) || size < w->n_rows || size + w->n_kept < size)
    return fail(w, false);
  drop_body(w);
  rp_mem_free(w->spare.data);
  w->spare = (out_buf){0};
  size_t xnum = size + w->n_kept;
  /* every row, free ones too, before the object streams are written */
  if (!rp_objstm_reserve(w, xnum + 1) || !set_row(w, xnum, 0, 0, 0)) return false;
  set_row(w, 0, 0, 0, 65535);
  /* the object streams, numbered from size on */
  for (size_t k = 0; k < w->n_kept && !w->failed; k++) {
    kept_stream *ks = &w->kept[k];
    uint8_t *z = rp_mem_alloc(ks->zlen ? ks->zlen : 1);
    if (!z) return fail(w, true);
    bool ok = w->io.keep ? w->io.fetch(w->io.user, ks->at, z, ks->zlen)
                         : (memcpy(z, w->mem.data + ks->at, ks->zlen), true);
    char dict[96];
    snprintf(dict, sizeof dict, "/Type /ObjStm /N %zu /First %zu", ks->count, ks->first);
    if (!ok)
      fail(w, false);
    else if (rp_objstm_direct(w, size + k, 0))
      put_stream(w, size + k, dict, z, ks->zlen);
    rp_mem_free(z);
  }
  /* the cross-reference stream: W [1 4 2], an object stream's index made
   * its number */
  if (w->failed || !rp_objstm_direct(w, xnum, 0)) return false;
  for (size_t e = 0; e <= xnum; e++) {
    uint8_t *r = w->rows + e * ROW;
    if (r[0] != 2) continue;
    uint32_t a =
        ((uint32_t)r[1] << 24 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 8 | r[4]) + (uint32_t)size;
    r[1] = (uint8_t)(a >> 24), r[2] = (uint8_t)(a >> 16), r[3] = (uint8_t)(a >> 8),
    r[4] = (uint8_t)a;
  }
  /* Each row made its difference from the one before, behind PNG's Up
   * filter byte (a Predictor of 12, §7.4.4.4): the rows, alike but for a
   * counting index, become mostly zeros, and deflate to a third (the
   * review's 675 rows: 1,334 bytes, then 392). Not for a short table, where
   * the filter bytes and the entry cost more than they save (66 rows: 192
   * bytes, then 222 and 44 of /DecodeParms). In place, from the last row
   * back: row e moves from e * ROW to e * (ROW + 1), past every row not
   * yet moved, and the row before it is still as it was. */
  size_t n_rows = xnum + 1, width = ROW;
  bool up = n_rows >= UP_ROWS;
  if (up && n_rows > SIZE_MAX / (ROW + 1)) return fail(w, true);
  if (up && n_rows * (ROW + 1) > w->cap_rows * ROW) {
    uint8_t *r = rp_mem_realloc(w->rows, n_rows * (ROW + 1));
    if (!r) return fail(w, true);
    w->rows = r, w->cap_rows = n_rows * (ROW + 1) / ROW;
  }
  for (size_t e = up ? n_rows : 0; e-- > 0;) {
    uint8_t row[ROW], *to = w->rows + e * (ROW + 1);
    memcpy(row, w->rows + e * ROW, ROW);
    to[0] = 2; /* Up */
    for (size_t i = 0; i < ROW; i++)
      to[1 + i] = (uint8_t)(row[i] - (e ? w->rows[(e - 1) * ROW + i] : 0));
  }
  if (up) width = ROW + 1;
  uint8_t *z = NULL;
  size_t zlen = 0;
  out_buf dict = {0};
  putf(&dict, "/Type /XRef /Size %llu /W [ 1 4 2 ] ", n_rows);
  if (up) puts_(&dict, "/DecodeParms << /Columns 7 /Predictor 12 >> ");
  puts_(&dict, trailer);
  put(&dict, "", 1);
  /* predicted, the rows deflate to a tenth or less: tried first in a
   * quarter of their size, not the worst case's room beside them (the pack
   * at N=22000: ~440,000 rows, 3.5 MB, at the save's peak) */
  size_t len = n_rows * width;
  bool ok = !dict.nomem &&
            ((up && rp_flate_deflate_within(w->flate, w->rows, len, len / 4 + 1024, &z, &zlen)) ||
             rp_flate_deflate(w->flate, w->rows, len, &z, &zlen));
  if (!ok) {
    rp_mem_free(dict.data);
    return fail(w, true);
  }
  /* (the rows are in z now; z shrunk to its bytes: the rows' room is not
   * held on while the file is written) */
  rp_mem_free(w->rows);
  uint8_t *zs = rp_mem_realloc(z, zlen ? zlen : 1);
  if (zs) z = zs;
  w->rows = NULL, w->n_rows = w->cap_rows = 0;
  uint64_t xoff = w->pos;
  put_stream(w, xnum, (const char *)dict.data, z, zlen);
  rp_mem_free(dict.data);
  rp_mem_free(z);
  char tail[64];
  snprintf(tail, sizeof tail, "startxref\n%llu\n%%%%EOF\n", (unsigned long long)xoff);
  return write_str(w, tail);
}

bool rp_objstm_nomem(const rp_objstm *w) { return !w || w->nomem; }

void rp_objstm_free(rp_objstm *w) {
  if (!w) return;
  finish_all(w, true);
  rp_mem_free(w->spare.data);
  rp_mem_free(w->rows);
  rp_mem_free(w->body.data);
  rp_mem_free(w->kept);
  rp_mem_free(w->mem.data);
  rp_flate_free(w->own_flate);
  rp_mem_free(w);
}

/* ---- repacking a finished file --------------------------------------- */

static bool to_buf(void *user, const void *data, size_t n) {
  out_buf *b = user;
  put(b, data, n);
  return !b->nomem;
}

rp_objstm_result rp_objstm_pack(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (len < 32 || memcmp(in, "%PDF-1.", 7) != 0) return RP_OBJSTM_UNCHANGED;
  /* startxref near the end */
  size_t tail = len > 1024 ? len - 1024 : 0, sx = 0;
  for (size_t i = len - 9; i > tail && !sx; i--)
    if (memcmp(in + i, "startxref", 9) == 0) sx = i;
  size_t i = sx + 9;
  unsigned long long xref_ull;
  if (!sx || !read_uint(in, len, &i, &xref_ull) || xref_ull + 4 > len ||
      memcmp(in + xref_ull, "xref", 4) != 0)
    return RP_OBJSTM_UNCHANGED;
  size_t xref = (size_t)xref_ull;

  obj_ref *objs = NULL;
  size_t n = 0, size = 0, trailer = 0;
  if (!read_xref(in, len, xref, &objs, &n, &size, &trailer))
    return n == 0 ? RP_OBJSTM_NOMEM : RP_OBJSTM_UNCHANGED;
  rp_objstm_result result = RP_OBJSTM_UNCHANGED;
  out_buf b = {0}, tr = {0};
  rp_objstm *w = NULL;

  /* the trailer: Root and Info references, ID; nothing this packer would
   * have to carry over otherwise (encryption, an earlier revision) */
  size_t root_s, root_e, info_s = 0, info_e = 0, id_s = 0, id_e = 0, vs, ve;
  if (!trailer_value(in, trailer, sx, "/Root", &root_s, &root_e) ||
      trailer_value(in, trailer, sx, "/Encrypt", &vs, &ve) ||
      trailer_value(in, trailer, sx, "/Prev", &vs, &ve) ||
      trailer_value(in, trailer, sx, "/XRefStm", &vs, &ve))
    goto done;
  trailer_value(in, trailer, sx, "/Info", &info_s, &info_e);
  trailer_value(in, trailer, sx, "/ID", &id_s, &id_e);
  if (!locate(in, objs, n, xref)) goto done;

  rp_objstm_io io = {.user = &b, .write = to_buf};
  result = RP_OBJSTM_NOMEM;
  w = rp_objstm_begin(&io, in, objs[0].off);
  if (!w) goto done;
  /* streams as they are, in their order */
  for (size_t k = 0; k < n; k++) {
    obj_ref *o = &objs[k];
    if (!o->stream && o->gen == 0) continue;
    rp_objstm_direct(w, o->num, o->gen);
    rp_objstm_write(w, in + o->off, o->end - o->off);
    rp_objstm_write(w, "\n", 1);
  }
  /* the rest in object streams, by number */
  qsort(objs, n, sizeof *objs, by_number);
  for (size_t k = 0; k < n; k++)
    if (!objs[k].stream && objs[k].gen == 0)
      rp_objstm_packed(w, objs[k].num, in + objs[k].body, objs[k].body_end - objs[k].body);
  puts_(&tr, "/Root ");
  put(&tr, in + root_s, root_e - root_s);
  if (info_e) puts_(&tr, " /Info "), put(&tr, in + info_s, info_e - info_s);
  if (id_e) puts_(&tr, " /ID "), put(&tr, in + id_s, id_e - id_s);
  put(&tr, "", 1);
  if (tr.nomem) goto done;
  if (!rp_objstm_end(w, size, (const char *)tr.data)) {
    if (!rp_objstm_nomem(w) && !b.nomem) result = RP_OBJSTM_UNCHANGED; /* offsets past 4 GiB */
    goto done;
  }
  *out = b.data;
  *out_len = b.len;
  b.data = NULL;
  result = RP_OBJSTM_PACKED;
done:
  rp_objstm_free(w);
  rp_mem_free(tr.data);
  rp_mem_free(b.data);
  rp_mem_free(objs);
  return result;
}
