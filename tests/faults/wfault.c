/* wfault — write-fault injection for the end-to-end tests, after sqlite's I/O
 * error injection: an LD_PRELOAD library that makes the Nth write, flush,
 * fsync, close or rename of the output fail, so that every way a disk can
 * refuse is tried at every point of a real render (test_write_faults.sh).
 *
 * It sits under everything that writes the PDF: base/outfile (mkstemp, fsync,
 * close, rename) and libharu's own file stream (fopen, fwrite, fclose), which
 * a hook in base/outfile could not reach. Only files whose path contains
 * RP_WFAULT_MATCH are watched; everything else passes through untouched.
 *
 * Environment:
 *   RP_WFAULT_MATCH  substring of the watched paths (required; else inert)
 *   RP_WFAULT_OP     write | flush | fsync | close | rename
 *   RP_WFAULT_N      fail the Nth call of that operation (1-based; 0: none)
 *   RP_WFAULT_KIND   short (a short write, then ENOSPC) | enospc | eio
 *   RP_WFAULT_PERSIST  1: every call from the Nth on fails (a full disk)
 *   RP_WFAULT_COUNT  a file to which the counts are appended at exit:
 *                    "write=W flush=F fsync=S close=C rename=R"
 * "flush" counts fflush and the flush inside every fclose of a watched
 * stream; a failed close or fclose still releases the descriptor, as the
 * kernel does. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OP_WRITE, OP_FLUSH, OP_FSYNC, OP_CLOSE, OP_RENAME, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"write", "flush", "fsync", "close", "rename"};

static struct {
  int ready;
  const char *match;
  int op;
  long n;
  int kind; /* 0 short, 1 ENOSPC, 2 EIO */
  int persist;
  long count[OP_COUNT];
  int fds[64];
  FILE *files[64];
} st = {.op = -1};

static void report(void) {
  const char *path = getenv("RP_WFAULT_COUNT");
  if (!path || !*path) return;
  FILE *(*real_fopen)(const char *, const char *) = dlsym(RTLD_NEXT, "fopen");
  FILE *f = real_fopen(path, "a");
  if (!f) return;
  fprintf(f, "write=%ld flush=%ld fsync=%ld close=%ld rename=%ld\n", st.count[OP_WRITE],
          st.count[OP_FLUSH], st.count[OP_FSYNC], st.count[OP_CLOSE], st.count[OP_RENAME]);
  fclose(f);
}

static void setup(void) {
  if (st.ready) return;
  st.ready = 1;
  for (int i = 0; i < 64; i++) st.fds[i] = -1;
  st.match = getenv("RP_WFAULT_MATCH");
  if (st.match && !*st.match) st.match = NULL;
  const char *op = getenv("RP_WFAULT_OP");
  for (int i = 0; op && i < OP_COUNT; i++)
    if (strcmp(op, op_names[i]) == 0) st.op = i;
  const char *n = getenv("RP_WFAULT_N");
  st.n = n ? atol(n) : 0;
  const char *kind = getenv("RP_WFAULT_KIND");
  st.kind = !kind || strcmp(kind, "eio") == 0 ? 2 : strcmp(kind, "enospc") == 0 ? 1 : 0;
  const char *persist = getenv("RP_WFAULT_PERSIST");
  st.persist = persist && strcmp(persist, "1") == 0;
  atexit(report);
}

static int watched_path(const char *path) {
  setup();
  return st.match && path && strstr(path, st.match);
}
/* A descriptor of ours, or under a watched stream (fsync(fileno(f))). */
static int watched_fd(int fd) {
  for (int i = 0; fd >= 0 && i < 64; i++)
    if (st.fds[i] == fd || (st.files[i] && fileno(st.files[i]) == fd)) return 1;
  return 0;
}
static int watched_file(FILE *f) {
  for (int i = 0; f && i < 64; i++)
    if (st.files[i] == f) return 1;
  return 0;
}
static void watch_fd(int fd, int on) {
  for (int i = 0; i < 64; i++)
    if (on ? st.fds[i] == -1 : st.fds[i] == fd) {
      st.fds[i] = on ? fd : -1;
      return;
    }
}
static void watch_file(FILE *f, int on) {
  for (int i = 0; i < 64; i++)
    if (on ? st.files[i] == NULL : st.files[i] == f) {
      st.files[i] = on ? f : NULL;
      return;
    }
}

/* Counts a call of `op` on a watched file; true when this one must fail. */
static int fault(int op) {
  setup();
  long k = ++st.count[op];
  if (op != st.op || st.n <= 0) return 0;
  return st.persist ? k >= st.n : k == st.n;
}
static int fault_errno(void) { return st.kind == 2 ? EIO : ENOSPC; }
/* A failed write leaves the stream's error flag set, as glibc's own do
 * (_IO_ERR_SEEN): callers that check ferror() must see it. */
static void stream_error(FILE *f) { f->_flags |= 0x0020; }

#define REAL(ret, name, ...)              \
  static ret (*real_##name)(__VA_ARGS__); \
  if (!real_##name) *(void **)(&real_##name) = dlsym(RTLD_NEXT, #name);

int mkstemp(char *tmpl) {
  REAL(int, mkstemp, char *);
  int fd = real_mkstemp(tmpl);
  if (fd >= 0 && watched_path(tmpl)) watch_fd(fd, 1);
  return fd;
}

int mkostemp(char *tmpl, int flags) {
  REAL(int, mkostemp, char *, int);
  int fd = real_mkostemp(tmpl, flags);
  if (fd >= 0 && watched_path(tmpl)) watch_fd(fd, 1);
  return fd;
}

FILE *fopen(const char *path, const char *mode) {
  REAL(FILE *, fopen, const char *, const char *);
  FILE *f = real_fopen(path, mode);
  if (f && strpbrk(mode, "wa+") && watched_path(path)) watch_file(f, 1);
  return f;
}

FILE *fopen64(const char *path, const char *mode) {
  REAL(FILE *, fopen64, const char *, const char *);
  FILE *f = real_fopen64(path, mode);
  if (f && strpbrk(mode, "wa+") && watched_path(path)) watch_file(f, 1);
  return f;
}

FILE *fdopen(int fd, const char *mode) {
  REAL(FILE *, fdopen, int, const char *);
  FILE *f = real_fdopen(fd, mode);
  if (f && watched_fd(fd)) {
    watch_fd(fd, 0); /* the stream owns it now */
    watch_file(f, 1);
  }
  return f;
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f) {
  REAL(size_t, fwrite, const void *, size_t, size_t, FILE *);
  if (!watched_file(f) || !fault(OP_WRITE)) return real_fwrite(buf, size, n, f);
  size_t done = st.kind == 0 && n > 1 ? real_fwrite(buf, size, n / 2, f) : 0;
  stream_error(f);
  errno = fault_errno();
  return done;
}

int fputs(const char *s, FILE *f) {
  REAL(int, fputs, const char *, FILE *);
  if (!watched_file(f) || !fault(OP_WRITE)) return real_fputs(s, f);
  stream_error(f);
  errno = fault_errno();
  return EOF;
}

int fputc(int c, FILE *f) {
  REAL(int, fputc, int, FILE *);
  if (!watched_file(f) || !fault(OP_WRITE)) return real_fputc(c, f);
  stream_error(f);
  errno = fault_errno();
  return EOF;
}

ssize_t write(int fd, const void *buf, size_t n) {
  REAL(ssize_t, write, int, const void *, size_t);
  if (!watched_fd(fd) || !fault(OP_WRITE)) return real_write(fd, buf, n);
  if (st.kind == 0 && n > 1) return real_write(fd, buf, n / 2);
  errno = fault_errno();
  return -1;
}

int fflush(FILE *f) {
  REAL(int, fflush, FILE *);
  if (!watched_file(f) || !fault(OP_FLUSH)) return real_fflush(f);
  stream_error(f);
  errno = fault_errno();
  return EOF;
}

int fclose(FILE *f) {
  REAL(int, fclose, FILE *);
  if (!watched_file(f)) return real_fclose(f);
  watch_file(f, 0);
  int failed = fault(OP_FLUSH);
  int r = real_fclose(f);
  if (!failed) return r;
  errno = fault_errno();
  return EOF;
}

int fsync(int fd) {
  REAL(int, fsync, int);
  if (!watched_fd(fd) || !fault(OP_FSYNC)) return real_fsync(fd);
  errno = fault_errno();
  return -1;
}

int fdatasync(int fd) {
  REAL(int, fdatasync, int);
  if (!watched_fd(fd) || !fault(OP_FSYNC)) return real_fdatasync(fd);
  errno = fault_errno();
  return -1;
}

int close(int fd) {
  REAL(int, close, int);
  if (!watched_fd(fd)) return real_close(fd);
  watch_fd(fd, 0);
  int failed = fault(OP_CLOSE);
  int r = real_close(fd);
  if (!failed) return r;
  errno = fault_errno();
  return -1;
}

int rename(const char *from, const char *to) {
  REAL(int, rename, const char *, const char *);
  if (!watched_path(to) || !fault(OP_RENAME)) return real_rename(from, to);
  errno = fault_errno();
  return -1;
}
