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
#include <zlib.h>

#include "base/mem.h"
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

/* Deflates `in` into *z (malloc'd through base/mem). */
static bool deflate_all(const uint8_t *in, size_t len, uint8_t **z, size_t *zlen) {
  uLongf cap = compressBound((uLong)len);
  *z = rp_mem_alloc(cap);
  if (!*z) return false;
  if (compress2(*z, &cap, in, (uLong)len, Z_DEFAULT_COMPRESSION) != Z_OK) {
    rp_mem_free(*z);
    *z = NULL;
    return false;
  }
  *zlen = cap;
  return true;
}

/* Writes one stream object `num` with dictionary entries `dict` and data. */
static void put_stream(out_buf *b, size_t num, const char *dict, const uint8_t *data, size_t len) {
  putf(b, "%llu 0 obj\n<< ", num);
  puts_(b, dict);
  putf(b, " /Length %llu /Filter /FlateDecode >>\nstream\n", len);
  put(b, data, len);
  puts_(b, "\nendstream\nendobj\n");
}

typedef struct xref_entry {
  uint8_t type; /* 0 free, 1 at an offset, 2 in an object stream */
  size_t a;     /* offset, or the object stream's number */
  unsigned b;   /* generation, or the index in the object stream */
} xref_entry;

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
  xref_entry *xe = NULL;
  out_buf b = {0}, body = {0};
  uint8_t *z = NULL;

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
  size_t first_off = objs[0].off;

  size_t n_packed = 0;
  for (size_t k = 0; k < n; k++) n_packed += !objs[k].stream && objs[k].gen == 0;
  size_t n_streams = (n_packed + RP_OBJSTM_PER_STREAM - 1) / RP_OBJSTM_PER_STREAM;
  size_t total = size + n_streams + 1; /* + object streams + the xref stream */
  xe = rp_mem_calloc(total, sizeof *xe);
  if (!xe) {
    result = RP_OBJSTM_NOMEM;
    goto done;
  }
  xe[0] = (xref_entry){0, 0, 65535};
  for (size_t k = 1; k < size; k++) xe[k] = (xref_entry){0, 0, 0};

  /* the header, with a version of at least 1.5 */
  put(&b, in, first_off);
  if (b.data && b.len > 7 && b.data[7] < '5') b.data[7] = '5';
  /* streams as they are, in their order */
  for (size_t k = 0; k < n; k++) {
    obj_ref *o = &objs[k];
    if (!o->stream && o->gen == 0) continue;
    xe[o->num] = (xref_entry){1, b.len, o->gen};
    put(&b, in + o->off, o->end - o->off);
    puts_(&b, "\n");
  }
  /* the rest in object streams, by number */
  qsort(objs, n, sizeof *objs, by_number);
  size_t next = size, k = 0;
  out_buf head = {0};
  while (k < n) {
    size_t count = 0;
    head.len = body.len = 0;
    for (; k < n && count < RP_OBJSTM_PER_STREAM; k++) {
      obj_ref *o = &objs[k];
      if (o->stream || o->gen != 0) continue;
      putf(&head, "%llu ", o->num);
      putf(&head, "%llu ", body.len);
      xe[o->num] = (xref_entry){2, next, (unsigned)count};
      put(&body, in + o->body, o->body_end - o->body);
      puts_(&body, "\n");
      count++;
    }
    if (count == 0) break;
    size_t hlen = head.len;
    /* the offsets' line, then the objects */
    put(&head, body.data, body.len);
    size_t zlen = 0;
    if (head.nomem || body.nomem || !deflate_all(head.data, head.len, &z, &zlen)) {
      rp_mem_free(head.data);
      result = RP_OBJSTM_NOMEM;
      goto done;
    }
    char dict[96];
    snprintf(dict, sizeof dict, "/Type /ObjStm /N %zu /First %zu", count, hlen);
    xe[next] = (xref_entry){1, b.len, 0};
    put_stream(&b, next, dict, z, zlen);
    rp_mem_free(z);
    z = NULL;
    next++;
  }
  rp_mem_free(head.data);
  /* the cross-reference stream: W [1 4 2] */
  size_t xnum = next;
  xe[xnum] = (xref_entry){1, b.len, 0};
  if (b.len > 0xFFFFFFFFu) goto done;
  body.len = 0;
  for (size_t e = 0; e <= xnum; e++) {
    uint8_t row[7] = {xe[e].type,
                      (uint8_t)(xe[e].a >> 24),
                      (uint8_t)(xe[e].a >> 16),
                      (uint8_t)(xe[e].a >> 8),
                      (uint8_t)xe[e].a,
                      (uint8_t)(xe[e].b >> 8),
                      (uint8_t)xe[e].b};
    put(&body, row, sizeof row);
  }
  size_t zlen = 0;
  if (body.nomem || !deflate_all(body.data, body.len, &z, &zlen)) {
    result = RP_OBJSTM_NOMEM;
    goto done;
  }
  out_buf dict = {0};
  putf(&dict, "/Type /XRef /Size %llu /W [ 1 4 2 ] /Root ", xnum + 1);
  put(&dict, in + root_s, root_e - root_s);
  if (info_e) puts_(&dict, " /Info "), put(&dict, in + info_s, info_e - info_s);
  if (id_e) puts_(&dict, " /ID "), put(&dict, in + id_s, id_e - id_s);
  put(&dict, "", 1);
  size_t xoff = b.len;
  if (!dict.nomem) put_stream(&b, xnum, (const char *)dict.data, z, zlen);
  bool dict_nomem = dict.nomem;
  rp_mem_free(dict.data);
  putf(&b, "startxref\n%llu\n%%%%EOF\n", xoff);
  if (b.nomem || dict_nomem) {
    result = RP_OBJSTM_NOMEM;
    goto done;
  }
  *out = b.data;
  *out_len = b.len;
  b.data = NULL;
  result = RP_OBJSTM_PACKED;
done:
  rp_mem_free(z);
  rp_mem_free(body.data);
  rp_mem_free(b.data);
  rp_mem_free(xe);
  rp_mem_free(objs);
  return result;
}
