/* test_objstm — repacking a PDF with object streams (render/objstm.h),
 * checked against the file it came from: every object is found again through
 * the new cross-reference stream (at its offset, or at its index in an object
 * stream) with the same text, streams byte for byte; qpdf reads the result;
 * anything the packer does not know is left alone; every allocation failing
 * in turn gives NOMEM or a good file, nothing leaked (ASan run). */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "testutil.h"

#include "base/mem.h"
#include "render/flate.h"
#include "render/objstm.h"

/* A small PDF as libharu writes one: a stream whose data holds the words
 * "endobj" and "stream", a string in a dictionary holding ">> stream", an
 * indirect Length, a classic table with \r\n entries. */
static char *make_pdf(size_t *len) {
  static const char *objs[] = {
      "<<\n/Type /Catalog\n/Pages 2 0 R\n>>",
      "<<\n/Type /Pages\n/Kids [ 3 0 R ]\n/Count 1\n>>",
      "<<\n/Type /Page\n/Parent 2 0 R\n/MediaBox [ 0 0 200 200 ]\n/Contents 4 0 R\n"
      "/Resources << >>\n>>",
      NULL, /* 4: the stream */
      NULL, /* 5: its length */
      "<<\n/Title (a \\) >> stream \\( string)\n/Producer <3E3E>\n>>",
  };
  static const char data[] = "0 0 1 rg 10 10 50 50 re f\n% endobj stream\n";
  char *buf = malloc(4096);
  size_t n = (size_t)sprintf(buf, "%%PDF-1.3\n%%\xb7\xbe\xad\xaa\n");
  size_t off[7];
  for (int i = 1; i <= 6; i++) {
    off[i] = n;
    if (i == 4)
      n += (size_t)sprintf(buf + n, "4 0 obj\n<<\n/Length 5 0 R\n>>\nstream\n%sendstream\nendobj\n",
                           data);
    else if (i == 5)
      n += (size_t)sprintf(buf + n, "5 0 obj\n%zu\nendobj\n", strlen(data));
    else
      n += (size_t)sprintf(buf + n, "%d 0 obj\n%s\nendobj\n", i, objs[i - 1]);
  }
  size_t xref = n;
  n += (size_t)sprintf(buf + n, "xref\n0 7\n0000000000 65535 f\r\n");
  for (int i = 1; i <= 6; i++) n += (size_t)sprintf(buf + n, "%010zu 00000 n\r\n", off[i]);
  n += (size_t)sprintf(buf + n,
                       "trailer\n<<\n/Root 1 0 R\n/Info 6 0 R\n/ID [ <00FF> <00FF> ]\n/Size 7\n>>\n"
                       "startxref\n%zu\n%%%%EOF\n",
                       xref);
  *len = n;
  return buf;
}

static uint8_t *inflate_all(const uint8_t *z, size_t zlen, size_t *len) {
  size_t cap = 1 << 20;
  uint8_t *out = malloc(cap);
  uLongf n = cap;
  assert_int_equal(uncompress(out, &n, z, (uLong)zlen), Z_OK);
  *len = n;
  return out;
}

/* The data of the stream object starting at s (its /Length is direct). */
static const uint8_t *stream_data(const uint8_t *s, size_t *len) {
  const char *l = strstr((const char *)s, "/Length ");
  assert_non_null(l);
  *len = strtoul(l + 8, NULL, 10);
  const char *d = strstr((const char *)s, "stream\n");
  assert_non_null(d);
  return (const uint8_t *)d + 7;
}

/* The first `needle` in text[from, len) (binary data holds NULs), or NULL. */
static const char *find(const char *text, size_t len, size_t from, const char *needle) {
  return from > len ? NULL : memmem(text + from, len - from, needle, strlen(needle));
}

/* in[0, len) packed (it must be): *out, *out_len as rp_objstm_pack gives
 * them, *xoff where startxref says the xref stream is; returns the output
 * as a NUL-terminated copy (the caller frees it). */
static char *pack_whole(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                        size_t *xoff) {
  assert_int_equal(rp_objstm_pack(in, len, out, out_len), RP_OBJSTM_PACKED);
  char *text = calloc(1, *out_len + 1);
  assert_non_null(text);
  memcpy(text, *out, *out_len);
  const char *sx = find(text, *out_len, 0, "startxref\n");
  assert_non_null(sx);
  *xoff = strtoul(sx + 10, NULL, 10);
  return text;
}

/* The PDF out[0, out_len), written to the test folder as `name`, passes
 * qpdf --check without a warning. */
static void expect_qpdf_clean(const char *name, const uint8_t *out, size_t out_len) {
  const char *path = rp_test_write(name, "");
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fwrite(out, 1, out_len, f);
  fclose(f);
  rp_test_output o = rp_test_run("qpdf --check '%s' 2>&1", path);
  if (o.status != 0) fprintf(stderr, "%s", o.out);
  assert_int_equal(o.status, 0);
  assert_non_null(strstr(o.out, "No syntax or stream encoding errors"));
  rp_test_output_free(&o);
}

static void test_pack_finds_every_object(void **state) {
  (void)state;
  size_t len;
  char *pdf = make_pdf(&len);
  uint8_t *out = NULL;
  size_t out_len = 0, xoff;
  char *text = pack_whole((const uint8_t *)pdf, len, &out, &out_len, &xoff);
  assert_memory_equal(out, "%PDF-1.5", 8); /* version raised for object streams */
  assert_non_null(find(text, out_len, xoff, "/Type /XRef"));
  assert_non_null(find(text, out_len, xoff, "/Root 1 0 R"));
  assert_non_null(find(text, out_len, xoff, "/Info 6 0 R"));
  assert_non_null(find(text, out_len, xoff, "/ID [ <00FF> <00FF> ]"));
  size_t zlen, xlen;
  const uint8_t *z = stream_data(out + xoff, &zlen);
  /* a short table: its rows as they are (no predictor) */
  assert_null(find(text, out_len, xoff, "/DecodeParms"));
  uint8_t *x = inflate_all(z, zlen, &xlen);
  assert_int_equal(xlen % 7, 0);
  size_t entries = xlen / 7;
  assert_int_equal(entries, 9); /* 0–6, one object stream, the xref stream */
  static const char *want[] = {
      NULL, "/Type /Catalog", "/Type /Pages", "/Type /Page", NULL, "42", "a \\) >> stream \\(",
  };
  for (size_t e = 0; e < entries; e++) {
    const uint8_t *r = x + 7 * e;
    size_t a = (size_t)r[1] << 24 | (size_t)r[2] << 16 | (size_t)r[3] << 8 | r[4];
    unsigned b = (unsigned)(r[5] << 8 | r[6]);
    if (e == 0) {
      assert_int_equal(r[0], 0);
      assert_int_equal(b, 65535);
    } else if (e == 4 || e >= 7) { /* streams stay objects at an offset */
      assert_int_equal(r[0], 1);
      char head[32];
      snprintf(head, sizeof head, "%zu 0 obj", e);
      assert_memory_equal(out + a, head, strlen(head));
    } else { /* the rest in the object stream, number 7 */
      assert_int_equal(r[0], 2);
      assert_int_equal(a, 7);
      const uint8_t *os = x + 7 * 7;
      size_t so = (size_t)os[1] << 24 | (size_t)os[2] << 16 | (size_t)os[3] << 8 | os[4];
      assert_non_null(find(text, out_len, so, "/Type /ObjStm"));
      size_t first = strtoul(find(text, out_len, so, "/First ") + 7, NULL, 10), dl;
      size_t slen;
      const uint8_t *sz = stream_data(out + so, &slen);
      uint8_t *d = inflate_all(sz, slen, &dl);
      char *ds = calloc(1, dl + 1);
      memcpy(ds, d, dl);
      /* index b of the header: "num off" */
      char *p = ds;
      unsigned long num = 0, off = 0;
      for (unsigned k = 0; k <= b; k++) {
        num = strtoul(p, &p, 10);
        off = strtoul(p, &p, 10);
      }
      assert_int_equal(num, e);
      assert_memory_equal(ds + first + off, e == 5 ? "42" : "<<", 2);
      assert_true(strstr(ds + first + off, want[e]) != NULL);
      free(ds);
      free(d);
    }
  }
  /* the content stream, byte for byte */
  const char *c = find(text, out_len, 0, "4 0 obj\n<<\n/Length 5 0 R\n>>\nstream\n0 0 1 rg");
  assert_non_null(c);
  assert_non_null(find(text, out_len, (size_t)(c - text), "% endobj stream\nendstream\nendobj"));
  free(x);
  free(text);

  expect_qpdf_clean("packed.pdf", out, out_len); /* qpdf reads it without a warning */
  rp_mem_free(out);
  free(pdf);
}

static void test_unknown_left_alone(void **state) {
  (void)state;
  size_t len;
  char *pdf = make_pdf(&len);
  uint8_t *out = (uint8_t *)"x";
  size_t out_len = 1;
  /* not a PDF; truncated; an encrypted trailer */
  assert_int_equal(
      rp_objstm_pack((const uint8_t *)"hello world, not a PDF at all.....", 34, &out, &out_len),
      RP_OBJSTM_UNCHANGED);
  assert_null(out);
  assert_int_equal(rp_objstm_pack((const uint8_t *)pdf, len / 2, &out, &out_len),
                   RP_OBJSTM_UNCHANGED);
  char *enc = malloc(len + 32);
  char *t = strstr(pdf, "/Size 7");
  size_t head = (size_t)(t - pdf);
  memcpy(enc, pdf, head);
  memcpy(enc + head, "/Encrypt 6 0 R ", 15);
  memcpy(enc + head + 15, pdf + head, len - head);
  /* startxref still points at the table, which comes before the trailer */
  assert_int_equal(rp_objstm_pack((const uint8_t *)enc, len + 15, &out, &out_len),
                   RP_OBJSTM_UNCHANGED);
  /* an offset pointing at the wrong object */
  char *bad = malloc(len);
  memcpy(bad, pdf, len);
  char *entry = strstr(bad, "00000 n\r\n") - 11; /* object 1's entry */
  memcpy(entry, "0000000000", 10);
  assert_int_equal(rp_objstm_pack((const uint8_t *)bad, len, &out, &out_len), RP_OBJSTM_UNCHANGED);
  free(bad);
  free(enc);
  free(pdf);
}

static void test_allocation_failures(void **state) {
  (void)state;
  size_t len;
  char *pdf = make_pdf(&len);
  bool packed = false;
  for (unsigned long n = 1; n < 64 && !packed; n++) {
    uint8_t *out = NULL;
    size_t out_len = 0;
    rp_mem_fail_after(n, false);
    rp_objstm_result r = rp_objstm_pack((const uint8_t *)pdf, len, &out, &out_len);
    rp_mem_fail_after(0, false);
    assert_true(r == RP_OBJSTM_NOMEM || r == RP_OBJSTM_PACKED);
    assert_true((r == RP_OBJSTM_PACKED) == (out != NULL));
    packed = r == RP_OBJSTM_PACKED;
    rp_mem_free(out);
  }
  assert_true(packed);
  rp_mem_forget_failure();
  free(pdf);
}

/* The writer as pdf_doc.c's save drives it: streams written as they come,
 * 450 small objects in between (three object streams), those kept outside
 * through io.keep and fetched back at the end give the same file as kept in
 * the writer's memory; every object is where the xref stream says. */
typedef struct side {
  uint8_t *data;
  size_t len;
  int keeps, fetches;
} side;

static bool side_write(void *user, const void *data, size_t n) {
  side *s = user;
  s->data = realloc(s->data, s->len + n);
  memcpy(s->data + s->len, data, n);
  s->len += n;
  return true;
}

static side kept; /* what io.keep holds */

static bool side_keep(void *user, const void *data, size_t n, uint64_t *at) {
  ((side *)user)->keeps++;
  *at = kept.len;
  return side_write(&kept, data, n);
}

static bool side_fetch(void *user, uint64_t at, void *data, size_t n) {
  ((side *)user)->fetches++;
  assert_true(at + n <= kept.len);
  memcpy(data, kept.data + at, n);
  return true;
}

/* The writer in two steps (rp_objstm_new, objects packed before the file
 * begins, then rp_objstm_header): objects packed in any order, the odd
 * ones first, then the streams and the even ones by number; rp_objstm_has
 * says which are packed; a header after the file began fails the writer.
 * qpdf finds objects from both passes where the file says they are. */
static void test_writer_packs_before_header(void **state) {
  (void)state;
  side out = {0};
  rp_objstm_io io = {.user = &out, .write = side_write};
  rp_objstm *w = rp_objstm_new(&io);
  assert_non_null(w);
  char buf[96];
  for (size_t num = 499; num >= 1; num -= 2) { /* odd ones, falling */
    int n = snprintf(buf, sizeof buf, "<< /N %zu >>", num);
    assert_true(rp_objstm_packed(w, num, (const uint8_t *)buf, (size_t)n));
    if (num == 1) break;
  }
  assert_true(rp_objstm_has(w, 1) && rp_objstm_has(w, 499) && !rp_objstm_has(w, 2));
  assert_false(rp_objstm_has(w, 100000));
  assert_int_equal(out.len, 0); /* nothing written yet */
  static const uint8_t header[] = "%PDF-1.3\n%\xb7\xbe\xad\xaa\n";
  assert_true(rp_objstm_header(w, header, sizeof header - 1));
  for (size_t num = 2; num <= 500; num += 2) {
    if (num % 10 == 0) {
      assert_true(rp_objstm_direct(w, num, 0));
      int n = snprintf(buf, sizeof buf,
                       "%zu 0 obj\n<< /Length 3 >>\nstream\nabc\nendstream\nendobj\n", num);
      assert_true(rp_objstm_write(w, buf, (size_t)n));
      assert_false(rp_objstm_has(w, num));
    } else {
      int n = snprintf(buf, sizeof buf, "<< /N %zu >>", num);
      assert_true(rp_objstm_packed(w, num, (const uint8_t *)buf, (size_t)n));
    }
  }
  assert_true(rp_objstm_end(w, 501, "/Root 1 0 R"));
  rp_objstm_free(w);
  assert_memory_equal(out.data, "%PDF-1.5", 8);
  const char *path = rp_test_write("two-step.pdf", "");
  FILE *f = fopen(path, "wb");
  fwrite(out.data, 1, out.len, f);
  fclose(f);
  rp_test_output o = rp_test_run(
      "qpdf --show-object=499 '%s' && qpdf --show-object=498 '%s' && "
      "qpdf --show-object=490 '%s'",
      path, path, path);
  if (o.status != 0) fprintf(stderr, "%s", o.out);
  assert_int_equal(o.status, 0);
  assert_non_null(strstr(o.out, "/N 499"));
  assert_non_null(strstr(o.out, "/N 498"));
  assert_non_null(strstr(o.out, "/Length 3"));
  rp_test_output_free(&o);
  free(out.data);
  /* a header once the file has begun fails the writer */
  side late = {0};
  io.user = &late;
  w = rp_objstm_new(&io);
  assert_non_null(w);
  assert_true(rp_objstm_header(w, header, sizeof header - 1));
  assert_false(rp_objstm_header(w, header, sizeof header - 1));
  assert_false(rp_objstm_packed(w, 1, (const uint8_t *)"1", 1));
  rp_objstm_free(w);
  free(late.data);
}

/* rp_flate_deflate_within: the same bytes as rp_flate_deflate when they
 * fit in the room given; false and nothing kept when they do not. */
static void test_deflate_within(void **state) {
  (void)state;
  rp_flate *f = rp_flate_new();
  assert_non_null(f);
  uint8_t in[20000];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i % 7 == 0 ? i / 7 : 0);
  uint8_t *full = NULL, *small = NULL;
  size_t full_len = 0, small_len = 0;
  assert_true(rp_flate_deflate(f, in, sizeof in, &full, &full_len));
  assert_true(full_len < sizeof in / 4);
  assert_true(rp_flate_deflate_within(f, in, sizeof in, sizeof in / 4, &small, &small_len));
  assert_int_equal(small_len, full_len);
  assert_memory_equal(small, full, full_len);
  rp_mem_free(small);
  small = (uint8_t *)1;
  assert_false(rp_flate_deflate_within(f, in, sizeof in, full_len / 2, &small, &small_len));
  assert_null(small);
  rp_mem_free(full);
  rp_flate_free(f);
}

/* Object streams deflated on a worker (io.start and io.wait), which
 * refuses every `refuse`th when not 0 (that one is deflated here). */
static rp_flate_worker *worker;
static int refuse, started_n;

static bool worker_start(void *user, rp_flate_job *job) {
  (void)user;
  if (refuse && ++started_n % refuse == 0) return false;
  rp_flate_worker_push(worker, job);
  return true;
}

static bool worker_wait(void *user, rp_flate_job *job) {
  (void)user;
  return rp_flate_worker_wait(worker, job);
}

static void write_file(side *out, bool keep) {
  rp_objstm_io io = {.user = out, .write = side_write};
  if (keep) io.keep = side_keep, io.fetch = side_fetch;
  if (worker) io.start = worker_start, io.wait = worker_wait;
  static const uint8_t header[] = "%PDF-1.3\n%\xb7\xbe\xad\xaa\n";
  rp_objstm *w = rp_objstm_begin(&io, header, sizeof header - 1);
  assert_non_null(w);
  char buf[96];
  for (size_t num = 1; num <= 500; num++) {
    if (num % 10 == 0) { /* a stream object, written at once */
      assert_true(rp_objstm_direct(w, num, 0));
      int n = snprintf(buf, sizeof buf,
                       "%zu 0 obj\n<< /Length 3 >>\nstream\nabc\nendstream\nendobj\n", num);
      assert_true(rp_objstm_write(w, buf, (size_t)n));
    } else {
      int n = snprintf(buf, sizeof buf, "<< /N %zu >>", num);
      assert_true(rp_objstm_packed(w, num, (const uint8_t *)buf, (size_t)n));
    }
  }
  assert_true(rp_objstm_end(w, 501, "/Root 1 0 R"));
  rp_objstm_free(w);
}

static void test_writer_keeps_outside(void **state) {
  (void)state;
  side mem = {0}, out = {0};
  write_file(&mem, false);
  write_file(&out, true);
  assert_int_equal(out.keeps, 3); /* 450 objects, 200 a stream */
  assert_int_equal(out.fetches, 3);
  assert_int_equal(mem.len, out.len);
  assert_memory_equal(mem.data, out.data, mem.len);
  assert_memory_equal(out.data, "%PDF-1.5", 8);
  /* the streams first, in order, then the three object streams */
  char *text = calloc(1, out.len + 1);
  memcpy(text, out.data, out.len);
  const char *s10 = find(text, out.len, 0, "\n10 0 obj\n"),
             *s500 = find(text, out.len, 0, "\n500 0 obj\n");
  const char *os = find(text, out.len, 0, "/Type /ObjStm /N 200 /First");
  assert_non_null(s10);
  assert_non_null(s500);
  assert_non_null(os);
  assert_true(s10 < s500 && s500 < os);
  assert_non_null(find(text, out.len, 0, "/Type /ObjStm /N 50 /First"));
  free(text);
  /* qpdf reads it and finds object 499 in its object stream */
  const char *path = rp_test_write("written.pdf", "");
  FILE *f = fopen(path, "wb");
  fwrite(out.data, 1, out.len, f);
  fclose(f);
  rp_test_output o = rp_test_run("qpdf --show-object=499 '%s' 2>&1", path);
  assert_int_equal(o.status, 0);
  assert_non_null(strstr(o.out, "/N 499"));
  rp_test_output_free(&o);
  free(mem.data);
  free(out.data);
  free(kept.data);
  kept = (side){0};
}

/* The object streams deflated on another thread while the next is filled
 * (two out at most; any not started done by the waiting thread), or some
 * refused by it: the same file as deflating each in turn here. */
static void test_writer_streams_on_a_worker(void **state) {
  (void)state;
  side here = {0};
  write_file(&here, true);
  rp_flate *f = rp_flate_new();
  assert_non_null(f);
  unsigned long before = rp_flate_workers_started();
  worker = rp_flate_worker_new(f);
  assert_non_null(worker);
  for (refuse = 0; refuse <= 2; refuse++) {
    side there = {0};
    free(kept.data);
    kept = (side){0};
    started_n = 0;
    write_file(&there, refuse != 1);
    assert_int_equal(there.len, here.len);
    assert_memory_equal(there.data, here.data, here.len);
    free(there.data);
  }
  rp_flate_worker_free(worker);
  worker = NULL;
  refuse = 0;
  rp_flate_free(f);
  assert_int_equal(rp_flate_workers_started(), before + 1);
  free(here.data);
  free(kept.data);
  kept = (side){0};
}

/* A long table (UP_ROWS rows or more) is written behind PNG's Up filter:
 * /DecodeParms says so, each row is a filter byte (2) and its difference
 * from the row before, and undone, every object is where its row says (at
 * its offset, or in its object stream at its index, the header's number
 * its own); qpdf reads it. */
static void test_long_table_predicted(void **state) {
  (void)state;
  enum { N = 300 }; /* objects 1 … N; every 10th a stream */
  char *buf = malloc(64 * 1024);
  size_t n = (size_t)sprintf(buf, "%%PDF-1.4\n%%\xb7\xbe\xad\xaa\n"), off[N + 1];
  for (int i = 1; i <= N; i++) {
    off[i] = n;
    if (i == 1)
      n += (size_t)sprintf(buf + n, "1 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n");
    else if (i == 2)
      n += (size_t)sprintf(buf + n, "2 0 obj\n<<\n/Type /Pages\n/Kids [ ]\n/Count 0\n>>\nendobj\n");
    else if (i % 10 == 0)
      n += (size_t)sprintf(buf + n, "%d 0 obj\n<<\n/Length 3\n>>\nstream\nabc\nendstream\nendobj\n",
                           i);
    else
      n += (size_t)sprintf(buf + n, "%d 0 obj\n<<\n/S /P\n/K [ %d ]\n/P %d 0 R\n>>\nendobj\n", i, i,
                           i / 2);
  }
  size_t xref = n;
  n += (size_t)sprintf(buf + n, "xref\n0 %d\n0000000000 65535 f\r\n", N + 1);
  for (int i = 1; i <= N; i++) n += (size_t)sprintf(buf + n, "%010zu 00000 n\r\n", off[i]);
  n += (size_t)sprintf(buf + n, "trailer\n<<\n/Root 1 0 R\n/Size %d\n>>\nstartxref\n%zu\n%%%%EOF\n",
                       N + 1, xref);
  uint8_t *out = NULL;
  size_t out_len = 0, xoff;
  char *text = pack_whole((const uint8_t *)buf, n, &out, &out_len, &xoff);
  assert_non_null(find(text, out_len, xoff, "/DecodeParms << /Columns 7 /Predictor 12 >>"));
  size_t zlen, xlen;
  const uint8_t *z = stream_data(out + xoff, &zlen);
  uint8_t *x = inflate_all(z, zlen, &xlen);
  assert_int_equal(xlen % 8, 0);
  size_t entries = xlen / 8;
  assert_true(entries > N);
  for (size_t e = 0; e < entries; e++) { /* undone in place: row e to 7 * e */
    assert_int_equal(x[8 * e], 2);
    for (size_t i = 0; i < 7; i++)
      x[7 * e + i] = (uint8_t)(x[8 * e + 1 + i] + (e ? x[7 * (e - 1) + i] : 0));
  }
  size_t packed = 0;
  for (size_t e = 1; e <= N; e++) {
    const uint8_t *r = x + 7 * e;
    size_t a = (size_t)r[1] << 24 | (size_t)r[2] << 16 | (size_t)r[3] << 8 | r[4];
    unsigned b = (unsigned)(r[5] << 8 | r[6]);
    if (e % 10 == 0) { /* a stream, at its offset */
      assert_int_equal(r[0], 1);
      char head[32];
      snprintf(head, sizeof head, "%zu 0 obj", e);
      assert_memory_equal(out + a, head, strlen(head));
      continue;
    }
    assert_int_equal(r[0], 2); /* in object stream a, at index b */
    const uint8_t *os = x + 7 * a;
    assert_int_equal(os[0], 1);
    size_t so = (size_t)os[1] << 24 | (size_t)os[2] << 16 | (size_t)os[3] << 8 | os[4];
    assert_non_null(find(text, out_len, so, "/Type /ObjStm"));
    size_t slen, dl;
    const uint8_t *sz = stream_data(out + so, &slen);
    uint8_t *d = inflate_all(sz, slen, &dl);
    char *ds = calloc(1, dl + 1), *p;
    memcpy(ds, d, dl);
    p = ds;
    unsigned long num = 0;
    for (unsigned k = 0; k <= b; k++) num = strtoul(p, &p, 10), strtoul(p, &p, 10);
    assert_int_equal(num, e);
    free(ds);
    free(d);
    packed++;
  }
  assert_int_equal(packed, N - N / 10);
  free(x);
  free(text);
  expect_qpdf_clean("predicted.pdf", out, out_len);
  rp_mem_free(out);
  free(buf);
}

/* ---- the writer's memory: bounded whatever the document's size ---- */

static size_t live_peak;

static void sample(void) {
  size_t l = rp_mem_live();
  if (l > live_peak) live_peak = l;
}

/* A file and a spool that keep nothing: only the writer's memory counts. */
static bool count_write(void *user, const void *data, size_t n) {
  (void)data;
  *(size_t *)user += n;
  sample();
  return true;
}

static bool count_keep(void *user, const void *data, size_t n, uint64_t *at) {
  (void)user, (void)data, (void)n;
  *at = 0;
  sample();
  return true;
}

static bool zero_fetch(void *user, uint64_t at, void *data, size_t n) {
  (void)user, (void)at;
  memset(data, 0, n);
  sample();
  return true;
}

/* Writes a file of `n` objects (a stream every 16th, the first packed value
 * 1 MB: a page tree's size), as the save does (rows reserved); the most the
 * writer held above `base` once that value's object stream was closed. */
static size_t save_peak(size_t n, size_t base) {
  size_t written = 0;
  rp_objstm_io io = {
      .user = &written, .write = count_write, .keep = count_keep, .fetch = zero_fetch};
  static const uint8_t header[] = "%PDF-1.3\n%\xb7\xbe\xad\xaa\n";
  rp_objstm *w = rp_objstm_begin(&io, header, sizeof header - 1);
  assert_non_null(w);
  assert_true(rp_objstm_reserve(w, n + 1));
  size_t big_len = (size_t)1 << 20;
  uint8_t *big = malloc(big_len);
  assert_non_null(big);
  for (size_t i = 0; i < big_len; i++) big[i] = (uint8_t)("0123456789 R "[i % 13]);
  char buf[96];
  for (size_t num = 1; num <= n; num++) {
    if (num == 2 * RP_OBJSTM_PER_STREAM) live_peak = 0; /* the large value's stream is closed */
    if (num % 16 == 0) {
      assert_true(rp_objstm_direct(w, num, 0));
      int k = snprintf(buf, sizeof buf, "%zu 0 obj\n<< /Length 0 >>\nstream\n\nendstream\nendobj\n",
                       num);
      assert_true(rp_objstm_write(w, buf, (size_t)k));
    } else if (num == 1) {
      assert_true(rp_objstm_packed(w, num, big, big_len));
    } else {
      int k = snprintf(buf, sizeof buf, "<< /Type /StructElem /S /P /P %zu 0 R /K %zu >>", num / 2,
                       num % 7);
      assert_true(rp_objstm_packed(w, num, (const uint8_t *)buf, (size_t)k));
    }
  }
  free(big);
  assert_true(rp_objstm_end(w, n + 1, "/Root 1 0 R"));
  assert_true(written > n);
  rp_objstm_free(w);
  assert_int_equal(rp_mem_live(), base);
  return live_peak - base;
}

static void test_writer_memory_bounded(void **state) {
  (void)state;
  size_t base = rp_mem_live();
  /* the rows (7 bytes an object, the cross-reference stream's own), and a
   * constant: the compressor (~700 KB), one small object stream */
  size_t rows1 = 20000 + 20000 / 199 + 2, rows2 = 200000 + 200000 / 199 + 2;
  size_t p1 = save_peak(20000, base), p2 = save_peak(200000, base);
  assert_true(p1 > 7 * rows1 && p2 > 7 * rows2);
  size_t fixed1 = p1 - 7 * rows1, fixed2 = p2 - 7 * rows2;
  /* flat: ten times the objects add their rows and nothing else (but 32
   * bytes an object stream); the 1 MB value is not kept (its buffer is
   * freed once its object stream is deflated) */
  assert_true(fixed2 < fixed1 + (64u << 10));
  assert_true(fixed2 < (1u << 20));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pack_finds_every_object),
      cmocka_unit_test(test_long_table_predicted),
      cmocka_unit_test(test_unknown_left_alone),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_writer_keeps_outside),
      cmocka_unit_test(test_writer_packs_before_header),
      cmocka_unit_test(test_deflate_within),
      cmocka_unit_test(test_writer_memory_bounded),
      cmocka_unit_test(test_writer_streams_on_a_worker),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
