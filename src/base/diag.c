/* diag — see diag.h. Entries are rp_mem-owned by the rp_diag (not an arena):
 * diagnostics outlive the render that produced them. */
#include "base/diag.h"

#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ENTRIES 200
/* A message longer than this keeps its start and end: what is wrong, and
 * what to do; a long value quoted in the middle is cut. */
#define MAX_MESSAGE 600
#define KEEP_HEAD 360
#define KEEP_TAIL 200

void rp_diag_init(rp_diag *d) { memset(d, 0, sizeof *d); }

void rp_diag_fini(rp_diag *d) {
  if (!d) return;
  for (size_t i = 0; i < d->count; i++) {
    rp_mem_free(d->entries[i].file);
    rp_mem_free(d->entries[i].message);
    rp_mem_free(d->entries[i].layout_file);
    rp_mem_free(d->entries[i].content_file);
  }
  rp_mem_free(d->entries);
  memset(d, 0, sizeof *d);
}

static char *vformat(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *s = rp_mem_alloc((size_t)n + 1);
  if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

static bool utf8_cont(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

/* One line each, of a readable length: control characters (line breaks in
 * quoted content, in libxml2's messages) become one space, and a message
 * quoting a very long value is cut in the middle. In place. */
static void tidy(char *s) {
  size_t o = 0;
  bool in_break = false;
  for (size_t i = 0; s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ctl = c < 0x20 || c == 0x7F;
    if (ctl || (in_break && c == ' ')) {
      if (!in_break && !(o > 0 && s[o - 1] == ' ')) s[o++] = ' ';
      in_break = in_break || ctl;
      continue;
    }
    in_break = false;
    s[o++] = s[i];
  }
  s[o] = '\0';
  if (o <= MAX_MESSAGE) return;
  size_t head = KEEP_HEAD, tail = o - KEEP_TAIL;
  while (head > 0 && utf8_cont(s[head])) head--;
  while (tail < o && utf8_cont(s[tail])) tail++;
  memcpy(s + head, "…", 3);
  memmove(s + head + 3, s + tail, o - tail + 1);
}

const char *rp_diag_code_name(rp_diag_code c) {
  static const char *const names[RP_DIAG_CODE_COUNT] = {
      [RP_DIAG_GENERAL] = "other",
      [RP_DIAG_TEXT_SHRUNK] = "text-shrunk",
      [RP_DIAG_TEXT_OVERSET] = "text-overset",
      [RP_DIAG_TEXT_ELLIPSIS] = "text-ellipsis",
      [RP_DIAG_MISSING_GLYPH] = "missing-glyph",
      [RP_DIAG_IMAGE_DPI] = "image-resolution",
      [RP_DIAG_ALT_TEXT] = "alt-text",
      [RP_DIAG_CONTRAST] = "contrast",
      [RP_DIAG_WIDOW_ORPHAN] = "widow-orphan",
      [RP_DIAG_EMPTY_SELECT] = "empty-selection",
  };
  return c >= 0 && c < RP_DIAG_CODE_COUNT ? names[c] : "other";
}

/* The one place every diagnostic goes through; `ab` (may be NULL) codes it. */
static void report(rp_diag *d, rp_severity sev, rp_status status, const char *file, int line,
                   int col, const rp_diag_about *ab, const char *fmt, va_list ap) {
  if (sev == RP_SEV_ERROR) {
    d->errors++;
    if (d->status == RP_OK) d->status = status;
  } else {
    d->warnings++;
  }
  size_t max = d->max_entries ? d->max_entries : DEFAULT_MAX_ENTRIES;
  if (d->count >= max) {
    d->dropped++;
    return;
  }
  if (d->count == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 16;
    rp_diag_entry *e = rp_mem_reallocarray(d->entries, cap, sizeof *e);
    if (!e) {
      d->dropped++;
      return;
    }
    d->entries = e;
    d->cap = cap;
  }
  rp_diag_entry *e = &d->entries[d->count++];
  e->severity = sev;
  e->status = sev == RP_SEV_ERROR ? status : RP_OK;
  e->file = file ? rp_mem_strdup(file) : NULL;
  e->line = line;
  e->col = col;
  e->message = vformat(fmt, ap);
  if (e->message) tidy(e->message);
  e->code = ab ? ab->code : RP_DIAG_GENERAL;
  e->page = ab ? ab->page : 0;
  e->layout_file = ab && ab->src.layout_file ? rp_mem_strdup(ab->src.layout_file) : NULL;
  e->layout_line = ab ? ab->src.layout_line : 0;
  e->content_file = ab && ab->src.content_file ? rp_mem_strdup(ab->src.content_file) : NULL;
  e->content_line = ab ? ab->src.content_line : 0;
}

rp_status rp_diag_verror(rp_diag *d, rp_status status, const char *file, int line, int col,
                         const char *fmt, va_list ap) {
  if (status == RP_OK) status = RP_ERR_INTERNAL;
  report(d, RP_SEV_ERROR, status, file, line, col, NULL, fmt, ap);
  return status;
}

rp_status rp_diag_error(rp_diag *d, rp_status status, const char *file, int line, int col,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rp_status st = rp_diag_verror(d, status, file, line, col, fmt, ap);
  va_end(ap);
  return st;
}

void rp_diag_warn(rp_diag *d, const char *file, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (d->strict)
    report(d, RP_SEV_ERROR, RP_ERR_INPUT, file, line, col, NULL, fmt, ap);
  else
    report(d, RP_SEV_WARNING, RP_OK, file, line, col, NULL, fmt, ap);
  va_end(ap);
}

void rp_diag_warn_about(rp_diag *d, const rp_diag_about *ab, const char *fmt, ...) {
  if (ab->finding_only && !d->preflight) return;
  const char *file = ab->src.layout_file;
  int line = ab->src.layout_line;
  if ((ab->content_first && ab->src.content_file) || !file) {
    file = ab->src.content_file;
    line = ab->src.content_line;
  }
  va_list ap;
  va_start(ap, fmt);
  if (d->strict)
    report(d, RP_SEV_ERROR, RP_ERR_INPUT, file, line, 0, ab, fmt, ap);
  else
    report(d, RP_SEV_WARNING, RP_OK, file, line, 0, ab, fmt, ap);
  va_end(ap);
}

rp_status rp_diag_oom(rp_diag *d) {
  return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
}

rp_status rp_diag_status(const rp_diag *d) { return d->status; }

void rp_diag_append(rp_diag *to, rp_diag *from) {
  size_t max = to->max_entries ? to->max_entries : DEFAULT_MAX_ENTRIES;
  for (size_t i = 0; i < from->count; i++) {
    rp_diag_entry *e = &from->entries[i];
    bool room = to->count < max;
    if (room && to->count == to->cap) {
      size_t cap = to->cap ? to->cap * 2 : 16;
      rp_diag_entry *grown = rp_mem_reallocarray(to->entries, cap, sizeof *grown);
      if (grown) {
        to->entries = grown;
        to->cap = cap;
      }
      room = grown != NULL;
    }
    if (room) {
      to->entries[to->count++] = *e; /* its strings move with it */
      continue;
    }
    to->dropped++;
    rp_mem_free(e->file);
    rp_mem_free(e->message);
    rp_mem_free(e->layout_file);
    rp_mem_free(e->content_file);
  }
  from->count = 0;
  to->errors += from->errors;
  to->warnings += from->warnings;
  to->dropped += from->dropped;
  if (to->status == RP_OK) to->status = from->status;
  from->errors = from->warnings = from->dropped = 0;
  from->status = RP_OK;
}

rp_diag_mark rp_diag_mark_of(const rp_diag *d) {
  return (rp_diag_mark){d->count, d->errors, d->warnings, d->dropped, d->status};
}

static void entry_free(rp_diag_entry *e) {
  rp_mem_free(e->file);
  rp_mem_free(e->message);
  rp_mem_free(e->layout_file);
  rp_mem_free(e->content_file);
}

size_t rp_diag_insert(rp_diag *to, const rp_diag_mark *m, rp_diag *from, bool cut) {
  size_t max = to->max_entries ? to->max_entries : DEFAULT_MAX_ENTRIES;
  if (cut) {
    for (size_t i = m->count; i < to->count; i++) entry_free(&to->entries[i]);
    to->count = m->count;
    to->errors = m->errors, to->warnings = m->warnings;
    to->dropped = m->dropped, to->status = m->status;
    rp_diag_append(to, from);
    return to->count - m->count;
  }
  /* the entries after the mark set aside, `from`'s appended, then they */
  size_t n_after = to->count - m->count;
  rp_diag_entry *after = NULL;
  if (n_after) {
    after = rp_mem_reallocarray(NULL, n_after, sizeof *after);
    if (!after) { /* out of memory: `from`'s go last, as rp_diag_append */
      size_t was = to->count;
      rp_diag_append(to, from);
      return to->count - was;
    }
    memcpy(after, &to->entries[m->count], n_after * sizeof *after);
  }
  rp_status first = from->status;
  to->count = m->count;
  rp_diag_append(to, from);
  size_t added = to->count - m->count;
  for (size_t i = 0; i < n_after; i++) {
    bool room = to->count < max;
    if (room && to->count == to->cap) {
      rp_diag_entry *grown = rp_mem_reallocarray(to->entries, to->cap * 2, sizeof *grown);
      if (grown) {
        to->entries = grown;
        to->cap *= 2;
      }
      room = grown != NULL;
    }
    if (room) {
      to->entries[to->count++] = after[i];
    } else {
      to->dropped++;
      entry_free(&after[i]);
    }
  }
  rp_mem_free(after);
  /* an error of `from`'s came before any recorded after the mark */
  if (m->status == RP_OK && first != RP_OK) to->status = first;
  return added;
}

void rp_diag_mark_moved(rp_diag_mark *later, const rp_diag *to, const rp_diag_mark *m,
                        const rp_diag_mark *from, size_t added) {
  size_t max = to->max_entries ? to->max_entries : DEFAULT_MAX_ENTRIES;
  later->count += added;
  later->dropped += from->dropped + (from->count - added);
  if (later->count > max) {
    later->dropped += later->count - max;
    later->count = max;
  }
  later->errors += from->errors, later->warnings += from->warnings;
  if (m->status == RP_OK && from->status != RP_OK) later->status = from->status;
}

void rp_diag_print(const rp_diag *d, FILE *out) {
  for (size_t i = 0; i < d->count; i++) {
    const rp_diag_entry *e = &d->entries[i];
    if (e->file) {
      fputs(e->file, out);
      if (e->line > 0) fprintf(out, ":%d", e->line);
      if (e->line > 0 && e->col > 0) fprintf(out, ":%d", e->col);
      fputs(": ", out);
    } else {
      fputs("reviewpdf: ", out);
    }
    fputs(e->severity == RP_SEV_ERROR ? "error: " : "warning: ", out);
    fputs(e->message ? e->message : "(message lost: out of memory)", out);
    fputc('\n', out);
  }
  if (d->dropped) fprintf(out, "reviewpdf: %zu more diagnostics not shown\n", d->dropped);
}
