/* xpathfn — reviewpdf's XPath extension functions, registered on each
 * binding's XPath context (no global state): dates, numbers, lookups by id,
 * joining, initials, social profile URLs, labels and a conditional.
 *
 *   format-date(date, picture)       "2018-09-23", "d MMMM yyyy" → "23 September 2018"
 *   date-range(start, end?)          "23–26 September 2018", "30 September – 2 October 2018"
 *   format-number(number, picture)   33000, "#,##0" → "33,000"
 *   person(ids) figure(ids) section(ids)   the elements with those ids
 *   join(nodes, separator)           string values of nodes, non-empty ones, joined
 *   initials(string)                 "Sharon Taylor" → "ST"
 *   social-url(network, handle)      "twitter", "@coopinnovation" → "https://twitter.com/…"
 *   social-url(social)               its href, or the address from its network and handle
 *   choose(condition, then, else)    then when condition is true, else otherwise
 *   label(name)                      the layout's word for the document's language
 *   kind-label(of, id, 'plural'?)    a kind's printed label from the content's vocabulary
 *
 * The lookups replace XPath's id(), which needs a DTD: ids here are unique
 * per kind, not per document (a section and a figure may share one). Month
 * and weekday names come from the layout's labels for the document's
 * language, else English (labels.c). Profile addresses come from model/'s
 * table of networks, which the content checks use too. A function given a
 * value it cannot use (a malformed date) records an input error naming the
 * layout line and returns an empty string. */
#include <libxml/hash.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/sbuf.h"
#include "model/build.h"
#include "template/def.h"

static const char *const months[12] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
static const char *const weekdays[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

typedef struct ymd {
  int y, m, d; /* m, d 0 when absent */
} ymd;

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" (surrounding white space allowed). */
static bool parse_iso(const char *s, ymd *out) {
  while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') s++;
  size_t n = strcspn(s, " \n\t\r");
  const char *rest = s + n;
  while (*rest == ' ' || *rest == '\n' || *rest == '\t' || *rest == '\r') rest++;
  if (*rest) return false;
  ymd v = {0, 0, 0};
  if (n != 4 && n != 7 && n != 10) return false;
  if (!all_digits(s, 4)) return false;
  v.y = atoi(s);
  if (n >= 7) {
    if (s[4] != '-' || !all_digits(s + 5, 2)) return false;
    v.m = (s[5] - '0') * 10 + (s[6] - '0');
    if (v.m < 1 || v.m > 12) return false;
  }
  if (n == 10) {
    if (s[7] != '-' || !all_digits(s + 8, 2)) return false;
    v.d = (s[8] - '0') * 10 + (s[9] - '0');
    if (v.d < 1 || v.d > month_days(v.y, v.m)) return false;
  }
  *out = v;
  return true;
}

/* Sakamoto's method: 0 = Sunday. */
static int weekday(int y, int m, int d) {
  static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  if (m < 3) y -= 1;
  return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static void putf(rp_sbuf *o, const char *fmt, int v) {
  char b[32];
  int n = snprintf(b, sizeof b, fmt, v);
  rp_sbuf_put(o, b, (size_t)n);
}

/* The first n characters (UTF-8) of s. */
static void put_chars(rp_sbuf *o, const char *s, size_t n) {
  size_t i = 0;
  while (s[i] && n > 0) {
    i++;
    while ((s[i] & 0xC0) == 0x80) i++;
    n--;
  }
  rp_sbuf_put(o, s, i);
}

static bool format_ymd(const rp_date_names *names, const ymd *v, const char *picture, rp_sbuf *o) {
  for (const char *p = picture; *p;) {
    char c = *p;
    size_t run = 1;
    if (c == 'd' || c == 'M' || c == 'y' || c == 'E') {
      while (p[run] == c) run++;
      if ((c == 'd' || c == 'E') && v->d == 0) return false;
      if (c == 'M' && v->m == 0) return false;
      if (c == 'd') putf(o, run >= 2 ? "%02d" : "%d", v->d);
      if (c == 'M') {
        const char *name =
            names && names->month[v->m - 1] ? names->month[v->m - 1] : months[v->m - 1];
        if (run >= 4)
          rp_sbuf_puts(o, name);
        else if (run == 3 && names && names->month_short[v->m - 1])
          rp_sbuf_puts(o, names->month_short[v->m - 1]);
        else if (run == 3)
          put_chars(o, name, 3);
        else
          putf(o, run == 2 ? "%02d" : "%d", v->m);
      }
      if (c == 'y') putf(o, run == 2 ? "%02d" : "%d", run == 2 ? v->y % 100 : v->y);
      if (c == 'E') {
        int k = weekday(v->y, v->m, v->d);
        const char *w = names && names->day[k] ? names->day[k] : weekdays[k];
        if (run >= 4)
          rp_sbuf_puts(o, w);
        else
          put_chars(o, w, 3);
      }
      p += run;
      continue;
    }
    rp_sbuf_put(o, p, 1);
    p++;
  }
  return !o->overflow;
}

bool rp_format_date_in(const rp_date_names *names, const char *iso, const char *picture, char *out,
                       size_t cap) {
  ymd v;
  if (cap == 0 || !parse_iso(iso, &v)) return false;
  rp_sbuf o = {out, cap, 0, false};
  out[0] = '\0';
  return format_ymd(names, &v, picture, &o);
}

bool rp_format_date(const char *iso, const char *picture, char *out, size_t cap) {
  return rp_format_date_in(NULL, iso, picture, out, cap);
}

bool rp_date_range(const char *from, const char *to, char *out, size_t cap) {
  return rp_date_range_in(NULL, from, to, out, cap);
}

bool rp_date_range_in(const rp_date_names *names, const char *from, const char *to, char *out,
                      size_t cap) {
  ymd a, b;
  if (cap == 0 || !parse_iso(from, &a) || a.d == 0) return false;
  bool single = !to || strspn(to, " \t\r\n") == strlen(to);
  if (!single) {
    if (!parse_iso(to, &b) || b.d == 0) return false;
    if (b.y < a.y || (b.y == a.y && (b.m < a.m || (b.m == a.m && b.d < a.d)))) return false;
    single = a.y == b.y && a.m == b.m && a.d == b.d;
  }
  rp_sbuf o = {out, cap, 0, false};
  out[0] = '\0';
  if (single) return format_ymd(names, &a, "d MMMM yyyy", &o);
  if (a.y == b.y && a.m == b.m) {
    putf(&o, "%d", a.d);
    rp_sbuf_puts(&o, "\xE2\x80\x93"); /* en dash, closed up between numbers */
    return format_ymd(names, &b, "d MMMM yyyy", &o);
  }
  if (!format_ymd(names, &a, a.y == b.y ? "d MMMM" : "d MMMM yyyy", &o)) return false;
  rp_sbuf_puts(&o, " \xE2\x80\x93 "); /* spaced en dash between dates with words */
  return format_ymd(names, &b, "d MMMM yyyy", &o);
}

/* ---- the XPath side ------------------------------------------------------- */

static rp_xeval *eval_of(xmlXPathParserContextPtr ctxt) { return ctxt->context->userData; }

static void fn_error(xmlXPathParserContextPtr ctxt, const char *fmt, const char *a, const char *b) {
  rp_xeval *x = eval_of(ctxt);
  xmlNodePtr n = ctxt->context->node;
  if (n && n->type == XML_ATTRIBUTE_NODE) n = n->parent;
  char msg[512];
  snprintf(msg, sizeof msg, fmt, a, b ? b : "");
  rp_diag_error(x->d, RP_ERR_INPUT, x->cur_file, x->cur_line, 0, "%s (in %s, at %s:%ld)", msg,
                x->cur_where ? x->cur_where : "an expression", x->content_file,
                n ? xmlGetLineNo(n) : 0L);
}

static void push_string(xmlXPathParserContextPtr ctxt, const char *s) {
  valuePush(ctxt, xmlXPathNewString((const xmlChar *)s));
}

static void fn_format_date(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(2);
  xmlChar *picture = xmlXPathPopString(ctxt);
  xmlChar *date = xmlXPathPopString(ctxt);
  const rp_date_names *names;
  char out[256];
  if (!date || !picture) {
    xmlFree(date);
    xmlFree(picture);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  if (date[0] == '\0') {
    out[0] = '\0';
  } else if (!rp_label_date_names(eval_of(ctxt), &names)) {
    xmlFree(date);
    xmlFree(picture);
    XP_ERROR(XPATH_MEMORY_ERROR);
  } else if (!rp_format_date_in(names, (const char *)date, (const char *)picture, out,
                                sizeof out)) {
    ymd v;
    fn_error(ctxt,
             parse_iso((const char *)date, &v)
                 ? "format-date(): \"%s\" has no day or month for the picture \"%s\""
                 : "format-date(): \"%s\" is not a date; write YYYY-MM-DD, YYYY-MM or YYYY%s",
             (const char *)date, parse_iso((const char *)date, &v) ? (const char *)picture : "");
    out[0] = '\0';
  }
  xmlFree(date);
  xmlFree(picture);
  push_string(ctxt, out);
}

static void fn_date_range(xmlXPathParserContextPtr ctxt, int nargs) {
  if (nargs != 1 && nargs != 2) XP_ERROR(XPATH_INVALID_ARITY);
  xmlChar *to = nargs == 2 ? xmlXPathPopString(ctxt) : NULL;
  xmlChar *from = xmlXPathPopString(ctxt);
  char out[256];
  if (!from) {
    xmlFree(to);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  const rp_date_names *names;
  if (!rp_label_date_names(eval_of(ctxt), &names)) {
    xmlFree(from);
    xmlFree(to);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  if (!rp_date_range_in(names, (const char *)from, (const char *)to, out, sizeof out)) {
    fn_error(ctxt,
             "date-range(): \"%s\" to \"%s\" is not a range of dates; write YYYY-MM-DD, the "
             "end not before the start",
             (const char *)from, to ? (const char *)to : "");
    out[0] = '\0';
  }
  xmlFree(from);
  xmlFree(to);
  push_string(ctxt, out);
}

/* months(from, to): every month from the one of `from` to the one of `to`,
 * as "YYYY-MM" tokens separated by spaces — a chart's categories per month,
 * months without events included (<data each-id="{months(…)}">). */
static void fn_months(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(2);
  xmlChar *to = xmlXPathPopString(ctxt);
  xmlChar *from = xmlXPathPopString(ctxt);
  char out[240 * 8 + 1];
  size_t n = 0;
  out[0] = '\0';
  ymd a, b;
  if (!from || !to) {
    xmlFree(from);
    xmlFree(to);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  if (!parse_iso((const char *)from, &a) || !parse_iso((const char *)to, &b) || !a.m || !b.m ||
      b.y * 12 + b.m < a.y * 12 + a.m || b.y * 12 + b.m - (a.y * 12 + a.m) >= 240) {
    fn_error(ctxt,
             "months(): \"%s\" to \"%s\" is not a span of months; give two dates (YYYY-MM or "
             "YYYY-MM-DD), the second not before the first and within 20 years of it",
             (const char *)from, (const char *)to);
  } else {
    for (int y = a.y, m = a.m; y * 12 + m <= b.y * 12 + b.m; m = m == 12 ? 1 : m + 1, y += m == 1)
      n += (size_t)snprintf(out + n, sizeof out - n, "%s%04d-%02d", n ? " " : "", y, m);
  }
  xmlFree(from);
  xmlFree(to);
  push_string(ctxt, out);
}

static void fn_format_number(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(2);
  xmlChar *picture = xmlXPathPopString(ctxt);
  double v = xmlXPathPopNumber(ctxt);
  char out[512];
  if (!picture) XP_ERROR(XPATH_MEMORY_ERROR);
  if (!rp_format_number(v, (const char *)picture, out, sizeof out)) {
    fn_error(ctxt,
             "format-number(): the picture \"%s\" is not understood; write e.g. \"#,##0\" or "
             "\"0.0\"%s",
             (const char *)picture, NULL);
    out[0] = '\0';
  }
  xmlFree(picture);
  push_string(ctxt, out);
}

/* Id lookups: the elements that carry ids of each kind: people/person under
 * the root, figures/figure anywhere (a case study has figures of its own),
 * and the top-level elements of the root (any section). */
static void add_entry(xmlHashTablePtr h, xmlNodePtr n) {
  xmlChar *id = xmlGetNoNsProp(n, (const xmlChar *)"id");
  if (id) xmlHashAddEntry(h, id, n); /* the first of duplicates wins */
  xmlFree(id);
}

/* Every figures/figure under n, in document order. */
static void add_figures(xmlHashTablePtr h, xmlNodePtr n) {
  for (xmlNodePtr c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (rp_is_element(c, "figure") && rp_is_element(n, "figures")) add_entry(h, c);
    add_figures(h, c);
  }
}

static xmlHashTablePtr id_table(xmlXPathParserContextPtr ctxt, int kind) {
  rp_xeval *x = eval_of(ctxt);
  if (x->ids[kind]) return x->ids[kind];
  xmlHashTablePtr h = xmlHashCreate(64);
  xmlNodePtr root = xmlDocGetRootElement(x->doc);
  x->ids[kind] = h;
  if (!h || !root) return h;
  if (kind == 1) {
    add_figures(h, root);
    return h;
  }
  for (xmlNodePtr c = root->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (kind == 2) {
      add_entry(h, c);
      continue;
    }
    if (!rp_is_element(c, "people")) continue;
    for (xmlNodePtr e = c->children; e; e = e->next)
      if (rp_is_element(e, "person")) add_entry(h, e);
  }
  return h;
}

static void add_ids(xmlNodeSetPtr out, xmlHashTablePtr h, const xmlChar *ids) {
  const char *p = (const char *)ids;
  while (*p) {
    p += strspn(p, " \t\r\n");
    size_t n = strcspn(p, " \t\r\n");
    if (n == 0) break;
    xmlChar *id = xmlStrndup((const xmlChar *)p, (int)n);
    xmlNodePtr node = id ? xmlHashLookup(h, id) : NULL;
    if (node) xmlXPathNodeSetAdd(out, node);
    xmlFree(id);
    p += n;
  }
}

static void lookup(xmlXPathParserContextPtr ctxt, int nargs, int kind) {
  CHECK_ARITY(1);
  xmlXPathObjectPtr arg = valuePop(ctxt);
  xmlHashTablePtr h = id_table(ctxt, kind);
  xmlNodeSetPtr out = xmlXPathNodeSetCreate(NULL);
  if (!arg || !h || !out) {
    xmlXPathFreeObject(arg);
    xmlXPathFreeNodeSet(out);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  if (arg->type == XPATH_NODESET && arg->nodesetval) {
    for (int i = 0; i < arg->nodesetval->nodeNr; i++) {
      xmlChar *s = xmlXPathCastNodeToString(arg->nodesetval->nodeTab[i]);
      if (s) add_ids(out, h, s);
      xmlFree(s);
    }
  } else {
    xmlChar *s = xmlXPathCastToString(arg);
    if (s) add_ids(out, h, s);
    xmlFree(s);
  }
  xmlXPathFreeObject(arg);
  xmlXPathNodeSetSort(out);
  valuePush(ctxt, xmlXPathWrapNodeSet(out));
}

static void fn_person(xmlXPathParserContextPtr ctxt, int nargs) { lookup(ctxt, nargs, 0); }
static void fn_figure(xmlXPathParserContextPtr ctxt, int nargs) { lookup(ctxt, nargs, 1); }
static void fn_section(xmlXPathParserContextPtr ctxt, int nargs) { lookup(ctxt, nargs, 2); }

/* Appends s with white space collapsed; returns the new length. */
static size_t append_collapsed(char *buf, size_t len, const char *s) {
  bool space = false;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
      space = true;
      continue;
    }
    if (space && len > 0 && buf[len - 1] != ' ') buf[len++] = ' ';
    space = false;
    buf[len++] = *s;
  }
  return len;
}

char *rp_xpathfn_join(const xmlNodeSet *set, const char *sep) {
  size_t total = 1, seplen = strlen(sep);
  int count = set ? set->nodeNr : 0;
  xmlChar **vals = count ? rp_mem_calloc((size_t)count, sizeof *vals) : NULL;
  for (int i = 0; i < count && vals; i++) {
    vals[i] = xmlXPathCastNodeToString(set->nodeTab[i]);
    total += (vals[i] ? strlen((const char *)vals[i]) : 0) + seplen;
  }
  char *buf = rp_mem_alloc(total);
  size_t len = 0;
  if (buf && (vals || count == 0)) {
    for (int i = 0; i < count; i++) {
      if (!vals[i] || strspn((const char *)vals[i], " \t\r\n") == strlen((const char *)vals[i]))
        continue;
      if (len > 0) {
        memcpy(buf + len, sep, seplen);
        len += seplen;
      }
      len = append_collapsed(buf, len, (const char *)vals[i]);
    }
    buf[len] = '\0';
  }
  for (int i = 0; i < count && vals; i++) xmlFree(vals[i]);
  rp_mem_free(vals);
  if (!buf || (!vals && count)) {
    rp_mem_free(buf);
    return NULL;
  }
  return buf;
}

static void fn_join(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(2);
  xmlChar *sep = xmlXPathPopString(ctxt);
  xmlXPathObjectPtr set = valuePop(ctxt);
  if (!sep || !set || set->type != XPATH_NODESET) {
    xmlFree(sep);
    xmlXPathFreeObject(set);
    XP_ERROR(XPATH_INVALID_TYPE);
  }
  char *buf = rp_xpathfn_join(set->nodesetval, (const char *)sep);
  xmlFree(sep);
  xmlXPathFreeObject(set);
  if (!buf) XP_ERROR(XPATH_MEMORY_ERROR);
  push_string(ctxt, buf);
  rp_mem_free(buf);
}

static void fn_initials(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(1);
  xmlChar *s = xmlXPathPopString(ctxt);
  if (!s) XP_ERROR(XPATH_MEMORY_ERROR);
  char out[64];
  size_t o = 0;
  bool start = true;
  for (const unsigned char *p = s; *p && o + 5 < sizeof out; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
      start = true;
      continue;
    }
    if (start) {
      /* the whole UTF-8 sequence of the first character */
      size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
      if (n == 1)
        out[o++] = (char)((*p >= 'a' && *p <= 'z') ? *p - 32 : *p);
      else
        for (size_t i = 0; i < n && p[i]; i++) out[o++] = (char)p[i];
      start = false;
    }
  }
  out[o] = '\0';
  xmlFree(s);
  push_string(ctxt, out);
}

/* s without surrounding white space: a pointer into s, whose end is cut. */
static xmlChar *collapse_ws(xmlChar *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  size_t n = strlen((const char *)s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

/* A profile address from the network table shared with model/; reports
 * what cannot be made into one. Arena-allocated; "" on error. */
static const char *profile_url(xmlXPathParserContextPtr ctxt, xmlChar *network, xmlChar *handle) {
  const char *n = (const char *)collapse_ws(network), *h = (const char *)collapse_ws(handle);
  if (!n[0] && !h[0]) return "";
  const char *url = rp_model_social_url(eval_of(ctxt)->a, n, h);
  if (url) return url;
  char msg[512];
  snprintf(msg, sizeof msg,
           "social-url(): no profile address for network \"%s\" and handle \"%s\"; the known "
           "networks are twitter, x, mastodon (@name@server), bluesky, threads, instagram, "
           "facebook, linkedin, youtube and tiktok, with the handle @name; for any other, give "
           "the social element an href and pass the element",
           n, h);
  fn_error(ctxt, "%s%s", msg, NULL);
  return "";
}

/* social-url(network, handle), or social-url(social element): its href
 * when given, else the address made from its network and handle. */
static void fn_social_url(xmlXPathParserContextPtr ctxt, int nargs) {
  if (nargs != 1 && nargs != 2) XP_ERROR(XPATH_INVALID_ARITY);
  xmlChar *network = NULL, *handle = NULL, *href = NULL;
  if (nargs == 2) {
    handle = xmlXPathPopString(ctxt);
    network = xmlXPathPopString(ctxt);
  } else {
    xmlXPathObjectPtr arg = valuePop(ctxt);
    if (!arg || arg->type != XPATH_NODESET) {
      xmlXPathFreeObject(arg);
      XP_ERROR(XPATH_INVALID_TYPE);
    }
    xmlNodePtr n = arg->nodesetval && arg->nodesetval->nodeNr ? arg->nodesetval->nodeTab[0] : NULL;
    if (n && n->type == XML_ELEMENT_NODE) {
      href = xmlGetNoNsProp(n, (const xmlChar *)"href");
      network = xmlGetNoNsProp(n, (const xmlChar *)"network");
      handle = xmlGetNoNsProp(n, (const xmlChar *)"handle");
    }
    xmlXPathFreeObject(arg);
    if (!network) network = xmlStrdup((const xmlChar *)"");
    if (!handle) handle = xmlStrdup((const xmlChar *)"");
  }
  if (!network || !handle) {
    xmlFree(network);
    xmlFree(handle);
    xmlFree(href);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  const char *url = href && collapse_ws(href)[0] ? (const char *)collapse_ws(href)
                                                 : profile_url(ctxt, network, handle);
  push_string(ctxt, url);
  xmlFree(network);
  xmlFree(handle);
  xmlFree(href);
}

/* label(name): the layout's word for the document's language. */
static void fn_label(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(1);
  xmlChar *name = xmlXPathPopString(ctxt);
  if (!name) XP_ERROR(XPATH_MEMORY_ERROR);
  rp_xeval *x = eval_of(ctxt);
  const char *n = (const char *)name;
  const char *text = rp_label_find(x, n, false);
  if (!text && rp_label_first_miss(x, n)) {
    const char *other = rp_label_elsewhere(x, n);
    const char *dflt = rp_label_lang(x, false);
    char msg[512];
    if (other)
      snprintf(msg, sizeof msg,
               "label('%s') is only in <labels xml:lang=\"%s\">; add it to the default table, "
               "<labels xml:lang=\"%s\"> (the first in the layout)",
               n, other, dflt ? dflt : "?");
    else if (dflt)
      snprintf(msg, sizeof msg,
               "label('%s'): no <labels> of the layout has this name; add <label name=\"%s\">…"
               "</label> to <labels xml:lang=\"%s\">",
               n, n, dflt);
    else
      snprintf(msg, sizeof msg,
               "label('%s'): the layout has no <labels>; add <labels xml:lang=\"en-GB\"><label "
               "name=\"%s\">…</label></labels>",
               n, n);
    fn_error(ctxt, "%s%s", msg, NULL);
  }
  xmlFree(name);
  push_string(ctxt, text ? text : "");
}

/* kind-label(of, id, 'plural'?): a kind's printed label from the content's
 * vocabulary. */
static void fn_kind_label(xmlXPathParserContextPtr ctxt, int nargs) {
  if (nargs != 2 && nargs != 3) XP_ERROR(XPATH_INVALID_ARITY);
  xmlChar *form = nargs == 3 ? xmlXPathPopString(ctxt) : NULL;
  xmlChar *id = xmlXPathPopString(ctxt);
  xmlChar *of = xmlXPathPopString(ctxt);
  xmlChar *out = NULL;
  bool plural = form && xmlStrEqual(form, (const xmlChar *)"plural");
  if (form && !plural && !xmlStrEqual(form, (const xmlChar *)"singular"))
    fn_error(ctxt, "kind-label(): the third argument is 'plural' or 'singular', not \"%s\"%s",
             (const char *)form, NULL);
  if (id && of) {
    /* ids and kinds as written in attributes: surrounding white space is not part of them */
    xmlChar *i = xmlStrdup(id), *o = xmlStrdup(of);
    if (i && o)
      out = rp_kind_label(eval_of(ctxt), (const char *)collapse_ws(o), (const char *)collapse_ws(i),
                          plural);
    xmlFree(i);
    xmlFree(o);
  }
  xmlFree(form);
  xmlFree(id);
  xmlFree(of);
  if (!out) XP_ERROR(XPATH_MEMORY_ERROR);
  push_string(ctxt, (const char *)out);
  xmlFree(out);
}

static void fn_choose(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(3);
  xmlXPathObjectPtr otherwise = valuePop(ctxt);
  xmlXPathObjectPtr then = valuePop(ctxt);
  xmlXPathObjectPtr cond = valuePop(ctxt);
  bool yes = cond && xmlXPathCastToBoolean(cond);
  xmlXPathFreeObject(cond);
  if (yes) {
    xmlXPathFreeObject(otherwise);
    valuePush(ctxt, then);
  } else {
    xmlXPathFreeObject(then);
    valuePush(ctxt, otherwise);
  }
}

/* current(): as in XSLT, the node the whole expression is evaluated for, so
 * a predicate can compare with it: board[seat/@person = current()/@id]. */
static void fn_current(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(0);
  valuePush(ctxt, xmlXPathNewNodeSet(eval_of(ctxt)->current));
}

/* page('id'): the page label of the page where the section made from the
 * content element with that id starts, from the previous layout of the
 * document (the pipeline lays out again until the labels settle). Before
 * any layout, "00": a stand-in as wide as most page numbers. */
struct rp_page_ref_entry {
  const char *id;
  size_t i; /* index in the refs: the first of equal ids wins */
};

static int ref_cmp(const void *a, const void *b) {
  const struct rp_page_ref_entry *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The label of the first entry of r for id, NULL when there is none; false
 * when out of memory. */
static bool page_label(rp_xeval *x, const rp_page_refs *r, const char *id, const char **label) {
  *label = NULL;
  if (r->n == 0) return true;
  if (x->refs_sorted_for != r) {
    struct rp_page_ref_entry *e = rp_arena_calloc(x->keep ? x->keep : x->a, r->n, sizeof *e);
    if (!e) return false;
    for (size_t i = 0; i < r->n; i++) e[i] = (struct rp_page_ref_entry){r->ids[i], i};
    qsort(e, r->n, sizeof *e, ref_cmp);
    x->refs_sorted = e;
    x->refs_sorted_for = r;
  }
  size_t lo = 0, hi = r->n; /* the first entry whose id is not below id */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(x->refs_sorted[mid].id, id) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < r->n && strcmp(x->refs_sorted[lo].id, id) == 0) *label = r->labels[x->refs_sorted[lo].i];
  return true;
}

static void fn_page(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(1);
  xmlChar *id = xmlXPathPopString(ctxt);
  rp_xeval *x = eval_of(ctxt);
  char live[64];
  if (x->live && id && x->live->label(x->live->user, (const char *)id, live, sizeof live)) {
    xmlFree(id);
    push_string(ctxt, live); /* laid out already, where it stays */
    return;
  }
  if (x->live) x->live->others++;
  const rp_page_refs *r = x->refs;
  const char *label = r ? NULL : "00";
  if (r && id && !page_label(eval_of(ctxt), r, (const char *)id, &label)) {
    xmlFree(id);
    XP_ERROR(XPATH_MEMORY_ERROR);
  }
  if (!label && r && !r->final) label = "00";
  if (!label)
    fn_error(ctxt,
             "page('%s'): no section starts from an element with that id, and no block "
             "has it as its anchor; check the id, or give the block anchor=\"{@id}\"%s",
             id ? (const char *)id : "", "");
  xmlFree(id);
  push_string(ctxt, label ? label : "");
}

/* pages(): how many pages the previous layout of the document had: a layout
 * can show a contents page only in a long document. Without any layout's
 * count it is taken to be long (a million); the pipeline gives its first
 * layout a count of its own instead (pipeline.c first_refs). */
static void fn_pages(xmlXPathParserContextPtr ctxt, int nargs) {
  CHECK_ARITY(0);
  rp_xeval *x = eval_of(ctxt);
  if (x->live) x->live->others++; /* the count is known only at the end */
  const rp_page_refs *r = x->refs;
  valuePush(ctxt, xmlXPathNewFloat(r ? (double)r->pages : 1e6));
}

static const struct {
  const char *name;
  xmlXPathFunction fn;
} functions[] = {
    {"format-date", fn_format_date},
    {"date-range", fn_date_range},
    {"months", fn_months},
    {"format-number", fn_format_number},
    {"person", fn_person},
    {"figure", fn_figure},
    {"section", fn_section},
    {"join", fn_join},
    {"initials", fn_initials},
    {"social-url", fn_social_url},
    {"choose", fn_choose},
    {"label", fn_label},
    {"kind-label", fn_kind_label},
    {"current", fn_current},
    {"page", fn_page},
    {"pages", fn_pages},
};

void rp_xpathfn_register(xmlXPathContextPtr ctx) {
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
    xmlXPathRegisterFunc(ctx, (const xmlChar *)functions[i].name, functions[i].fn);
}

bool rp_xpathfn_known(const char *name, size_t len) {
  static const char *const core[] = {
      "last",
      "position",
      "count",
      "id",
      "local-name",
      "namespace-uri",
      "name",
      "string",
      "concat",
      "starts-with",
      "contains",
      "substring-before",
      "substring-after",
      "substring",
      "string-length",
      "normalize-space",
      "translate",
      "boolean",
      "not",
      "true",
      "false",
      "lang",
      "number",
      "sum",
      "floor",
      "ceiling",
      "round",
  };
  for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
    if (strlen(core[i]) == len && strncmp(core[i], name, len) == 0) return true;
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
    if (strlen(functions[i].name) == len && strncmp(functions[i].name, name, len) == 0) return true;
  return false;
}

void rp_xpathfn_fini(rp_xeval *x) {
  rp_labels_fini(x);
  for (size_t i = 0; i < sizeof x->ids / sizeof x->ids[0]; i++) {
    xmlHashFree(x->ids[i], NULL);
    x->ids[i] = NULL;
  }
}
