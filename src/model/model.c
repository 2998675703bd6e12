/* model — queries on a built model, and the values the builder derives from
 * the document's text: dates, initials, display names, profile URLs.
 *
 * Pure functions of their arguments: no I/O, no libxml2. Strings they return
 * come from the caller's arena. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "model/build.h"
#include "model/model.h"

const rp_person *rp_model_person(const rp_model *m, const char *id) {
  if (!m || !id) return NULL;
  for (size_t i = 0; i < m->n_people; i++)
    if (m->people[i].id && strcmp(m->people[i].id, id) == 0) return &m->people[i];
  return NULL;
}

/* Seats point into m->people, so a person is an index: mark each seated one.
 * Linear in people and seats; without memory for the marks, quadratic. */
size_t rp_model_board_people(const rp_model *m) {
  if (!m || m->n_people == 0) return 0;
  bool *seated = rp_mem_calloc(m->n_people, sizeof *seated);
  size_t n = 0;
  if (seated) {
    for (size_t b = 0; b < m->n_boards; b++) {
      for (size_t s = 0; s < m->boards[b].n_seats; s++) {
        /* Addresses as integers: a stray pointer is skipped, not compared (UB). */
        uintptr_t p = (uintptr_t)m->boards[b].seats[s].person, base = (uintptr_t)m->people;
        if (p < base || (p - base) % sizeof *m->people != 0) continue;
        size_t i = (p - base) / sizeof *m->people;
        if (i >= m->n_people) continue;
        if (!seated[i]) n++;
        seated[i] = true;
      }
    }
    rp_mem_free(seated);
    return n;
  }
  for (size_t p = 0; p < m->n_people; p++) {
    bool found = false;
    for (size_t b = 0; b < m->n_boards && !found; b++)
      for (size_t s = 0; s < m->boards[b].n_seats && !found; s++)
        if (m->boards[b].seats[s].person == &m->people[p]) found = true;
    if (found) n++;
  }
  return n;
}

size_t rp_model_member_count(const rp_model *m, const char *kind) {
  size_t n = 0;
  for (size_t i = 0; m && kind && i < m->n_members; i++)
    if (m->members[i].kind && strcmp(m->members[i].kind, kind) == 0) n++;
  return n;
}

size_t rp_model_seat_count(const rp_model *m) {
  size_t n = 0;
  for (size_t i = 0; m && i < m->n_boards; i++) n += m->boards[i].n_seats;
  return n;
}

const rp_kind *rp_model_kind(const rp_model *m, rp_kind_of of, const char *id) {
  if (!m || !id || of < 0 || of >= RP_KIND_OF_COUNT) return NULL;
  for (size_t i = 0; i < m->n_kinds[of]; i++)
    if (m->kinds[of][i].id && strcmp(m->kinds[of][i].id, id) == 0) return &m->kinds[of][i];
  return NULL;
}

const rp_review_section *rp_model_section(const rp_model *m, const char *id) {
  for (size_t i = 0; m && id && i < m->n_sections; i++)
    if (m->sections[i].id && strcmp(m->sections[i].id, id) == 0) return &m->sections[i];
  return NULL;
}

const rp_figure *rp_model_figure(const rp_model *m, const char *id) {
  for (size_t i = 0; m && id && i < m->n_figures; i++)
    if (m->figures[i].id && strcmp(m->figures[i].id, id) == 0) return &m->figures[i];
  return NULL;
}

static int days_in_month(int year, int month) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

/* Exactly YYYY-MM-DD (the profile of xsd:date the content language uses: no
 * time zone, four-digit year from 0001). */
bool rp_date_parse(const char *s, rp_date *out) {
  rp_date d = {0, 0, 0};
  if (out) *out = d;
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return false;
  d.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  d.month = (s[5] - '0') * 10 + (s[6] - '0');
  d.day = (s[8] - '0') * 10 + (s[9] - '0');
  if (d.year < 1 || d.month < 1 || d.month > 12) return false;
  if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return false;
  if (out) *out = d;
  return true;
}

bool rp_date_parse_partial(const char *s, rp_date *out) {
  rp_date d = {0, 0, 0};
  if (out) *out = d;
  if (!s) return false;
  size_t len = strlen(s);
  if (len == 10) return rp_date_parse(s, out);
  if (len != 4 && len != 7) return false;
  for (size_t i = 0; i < len; i++)
    if (i != 4 && !isdigit((unsigned char)s[i])) return false;
  d.year = atoi(s);
  if (d.year < 1) return false;
  if (len == 7) {
    if (s[4] != '-') return false;
    d.month = (s[5] - '0') * 10 + (s[6] - '0');
    if (d.month < 1 || d.month > 12) return false;
  }
  if (out) *out = d;
  return true;
}

int rp_date_cmp(rp_date x, rp_date y) {
  if (x.year != y.year) return x.year < y.year ? -1 : 1;
  if (x.month != y.month) return x.month < y.month ? -1 : 1;
  if (x.day != y.day) return x.day < y.day ? -1 : 1;
  return 0;
}

/* ---- initials ------------------------------------------------------------ */

/* Characters that may precede a name's first letter: ASCII punctuation and
 * the typographic quotes and dashes the content language asks for. */
static bool is_lead_punct(uint32_t c) {
  if (c < 0x80) return !isalnum((int)c);
  return c == 0x2018 || c == 0x2019 || c == 0x201C || c == 0x201D || c == 0x00AB || c == 0x00BB ||
         c == 0x2013 || c == 0x2014 || c == 0x00A0;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Appends the first letter of word [w, end) to out (upper-cased where that is
 * a simple mapping: ASCII and Latin-1); returns bytes written (0..4). */
static size_t word_initial(const char *w, const char *end, char *out) {
  const unsigned char *p = (const unsigned char *)w;
  while (p < (const unsigned char *)end) {
    uint32_t cp;
    size_t len = rp_utf8_decode((const char *)p, (size_t)((const unsigned char *)end - p), &cp);
    if (!is_lead_punct(cp)) {
      if (cp < 0x80) {
        out[0] = (char)toupper((int)cp);
        return 1;
      }
      if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) cp -= 0x20; /* Latin-1 lower → upper */
      if (cp >= 0xC0 && cp <= 0xDE && len == 2) return rp_utf8_encode(cp, out);
      memcpy(out, p, len);
      return len;
    }
    p += len;
  }
  return 0;
}

char *rp_model_initials(rp_arena *a, const char *name) {
  char buf[9] = "";
  size_t n = 0;
  const char *first = NULL, *first_end = NULL, *last = NULL, *last_end = NULL;
  for (const char *p = name ? name : ""; *p;) {
    while (*p && is_space(*p)) p++;
    if (!*p) break;
    const char *w = p;
    while (*p && !is_space(*p)) p++;
    /* A word with no letter ("–", "&") does not count as first or last. */
    char probe[4];
    if (word_initial(w, p, probe) == 0) continue;
    if (!first) {
      first = w;
      first_end = p;
    } else {
      last = w;
      last_end = p;
    }
  }
  if (first) n += word_initial(first, first_end, buf + n);
  if (last) n += word_initial(last, last_end, buf + n);
  return rp_arena_strndup(a, buf, n);
}

/* ---- names and links ----------------------------------------------------- */

char *rp_model_display_name(rp_arena *a, const char *honorific, const char *name,
                            const char *post_nominals) {
  const char *parts[3] = {honorific, name, post_nominals};
  size_t len = 0;
  for (int i = 0; i < 3; i++)
    if (parts[i] && parts[i][0]) len += strlen(parts[i]) + 1;
  char *out = rp_arena_alloc(a, len + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (int i = 0; i < 3; i++) {
    if (!parts[i] || !parts[i][0]) continue;
    if (o) out[o++] = ' ';
    size_t l = strlen(parts[i]);
    memcpy(out + o, parts[i], l);
    o += l;
  }
  out[o] = '\0';
  return out;
}

/* Networks whose profile link follows from the handle (docs/content.md,
 * "Social links"). mastodon is handled apart: its handle names the server. */
static const struct {
  const char *network, *prefix;
} sites[] = {
    {"twitter", "https://twitter.com/"},          {"x", "https://x.com/"},
    {"bluesky", "https://bsky.app/profile/"},     {"threads", "https://www.threads.net/@"},
    {"instagram", "https://www.instagram.com/"},  {"facebook", "https://www.facebook.com/"},
    {"linkedin", "https://www.linkedin.com/in/"}, {"youtube", "https://www.youtube.com/@"},
    {"tiktok", "https://www.tiktok.com/@"},
};

bool rp_model_social_known(const char *network) {
  if (!network) return false;
  if (strcmp(network, "mastodon") == 0) return true;
  for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++)
    if (strcmp(network, sites[i].network) == 0) return true;
  return false;
}

const char *rp_model_social_networks(void) {
  return "twitter, x, mastodon, bluesky, threads, instagram, facebook, linkedin, youtube and "
         "tiktok";
}

char *rp_model_social_url(rp_arena *a, const char *network, const char *handle) {
  if (!network || !handle) return NULL;
  const char *h = handle[0] == '@' ? handle + 1 : handle;
  if (!h[0]) return NULL;
  const char *at = strchr(h, '@');
  if (strcmp(network, "mastodon") == 0) {
    if (!at || at == h || !at[1]) return NULL;
    return rp_arena_printf(a, "https://%s/@%.*s", at + 1, (int)(at - h), h);
  }
  if (at) return NULL; /* name@server is a mastodon form only */
  for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++)
    if (strcmp(network, sites[i].network) == 0)
      return rp_arena_printf(a, "%s%s", sites[i].prefix, h);
  return NULL;
}

/* ---- numbers as printed -------------------------------------------------- */

/* Skips `prefix` at *p when it is there. */
static bool eat(const char **p, const char *prefix) {
  size_t n = strlen(prefix);
  if (strncmp(*p, prefix, n) != 0) return false;
  *p += n;
  return true;
}

bool rp_model_parse_number(const char *s, double *out, bool *none) {
  *out = 0;
  *none = false;
  if (!s) return false;
  while (*s == ' ') s++;
  size_t len = strlen(s);
  while (len && s[len - 1] == ' ') len--;
  char buf[128];
  if (len >= sizeof buf) return false;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (!buf[0] || !strcmp(buf, "-") || !strcmp(buf, "\u2013") || !strcmp(buf, "\u2014")) {
    *none = true;
    return true;
  }
  const char *p = buf;
  bool negative = false, paren = false;
  /* Sign and currency in either order: −£3, £−3, (£1,200). */
  bool sign = false, money = false;
  for (int round = 0; round < 2; round++) {
    if (!sign && (eat(&p, "-") || eat(&p, "\u2212") || eat(&p, "\u2013")))
      sign = negative = true;
    else if (!sign && eat(&p, "+"))
      sign = true;
    else if (!sign && !paren && eat(&p, "("))
      sign = paren = negative = true;
    if (!money) money = eat(&p, "\u00a3") || eat(&p, "$") || eat(&p, "\u20ac") || eat(&p, "\u00a5");
  }
  /* Digits in groups of three with commas, or without; then a fraction. */
  double v = 0;
  size_t digits = 0, group = 0;
  bool grouped = false;
  for (; *p; p++) {
    if (isdigit((unsigned char)*p)) {
      v = v * 10 + (*p - '0');
      digits++;
      group++;
    } else if (*p == ',' && digits && (!grouped || group == 3)) {
      grouped = true;
      group = 0;
    } else {
      break;
    }
  }
  if (!digits || (grouped && group != 3)) return false;
  if (*p == '.') {
    p++;
    double scale = 0.1;
    size_t frac = 0;
    for (; isdigit((unsigned char)*p); p++, frac++, scale /= 10) v += (*p - '0') * scale;
    if (!frac) return false;
  }
  /* Scale words and percent, perhaps after a space: "9.5bn", "45 %". */
  if (*p == ' ' && p[1]) p++;
  if (eat(&p, "bn"))
    v *= 1e9;
  else if (eat(&p, "m"))
    v *= 1e6;
  else if (eat(&p, "k"))
    v *= 1e3;
  (void)eat(&p, "%");
  if (paren && !eat(&p, ")")) return false;
  if (*p) return false;
  *out = negative ? -v : v;
  return true;
}
