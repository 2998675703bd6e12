/* diag — see diag.h. Entries are malloc-owned by the rp_diag (not an arena):
 * diagnostics outlive the render that produced them. */
#include "base/diag.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ENTRIES 200

void rp_diag_init(rp_diag *d) { memset(d, 0, sizeof *d); }

void rp_diag_fini(rp_diag *d) {
  if (!d) return;
  for (size_t i = 0; i < d->count; i++) {
    free(d->entries[i].file);
    free(d->entries[i].message);
  }
  free(d->entries);
  memset(d, 0, sizeof *d);
}

static char *vformat(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

/* The one place every diagnostic goes through. */
static void report(rp_diag *d, rp_severity sev, rp_status status, const char *file, int line,
                   int col, const char *fmt, va_list ap) {
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
    rp_diag_entry *e = realloc(d->entries, cap * sizeof *e);
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
  e->file = file ? strdup(file) : NULL;
  e->line = line;
  e->col = col;
  e->message = vformat(fmt, ap);
}

rp_status rp_diag_verror(rp_diag *d, rp_status status, const char *file, int line, int col,
                         const char *fmt, va_list ap) {
  if (status == RP_OK) status = RP_ERR_INTERNAL;
  report(d, RP_SEV_ERROR, status, file, line, col, fmt, ap);
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
    report(d, RP_SEV_ERROR, RP_ERR_INPUT, file, line, col, fmt, ap);
  else
    report(d, RP_SEV_WARNING, RP_OK, file, line, col, fmt, ap);
  va_end(ap);
}

rp_status rp_diag_oom(rp_diag *d) {
  return rp_diag_error(d, RP_ERR_INTERNAL, NULL, 0, 0, "out of memory");
}

rp_status rp_diag_status(const rp_diag *d) { return d->status; }

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
