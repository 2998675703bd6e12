/* svg_css — the part of CSS that drawing programs write into an SVG's
 * <style> (Illustrator's "internal CSS": `.cls-1{fill:#e30613;}`): rules
 * whose selectors are an element name, a .class, an #id or an element with
 * a class or id, comma-separated. The declarations are kept as text and
 * applied by svg.c like a style="" attribute, after the presentation
 * attributes and before style="", in order of specificity and then of
 * appearance (CSS 2.1 §6.4.3). Anything else (descendant or child
 * combinators, pseudo-classes, @media) is refused by the caller with the
 * message given here: a rule silently not applied would change colours. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "svg/svg_int.h"

static const char *skip_space(const char *s) {
  while (*s && isspace((unsigned char)*s)) s++;
  return s;
}

static bool name_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '_'; }

/* One simple selector into *r; false when it is not one we read. */
static bool selector(rp_arena *a, const char *s, size_t len, rp_svg_rule *r) {
  while (len > 0 && isspace((unsigned char)s[len - 1])) len--;
  while (len > 0 && isspace((unsigned char)*s)) s++, len--;
  if (len == 0) return false;
  size_t i = 0;
  while (i < len && name_char(s[i])) i++;
  if (i > 0) {
    r->tag = rp_arena_strndup(a, s, i);
    r->spec += 1;
  }
  if (i < len && (s[i] == '.' || s[i] == '#')) {
    char kind = s[i++];
    size_t start = i;
    while (i < len && name_char(s[i])) i++;
    if (i == start) return false;
    const char *name = rp_arena_strndup(a, s + start, i - start);
    if (kind == '.')
      r->cls = name, r->spec += 10;
    else
      r->id = name, r->spec += 100;
  }
  return i == len && (r->tag || r->cls || r->id);
}

bool rp_svg_css_parse(rp_arena *a, const char *css, rp_vec *rules, size_t *order, char *err,
                      size_t errlen) {
  /* Comments out first (a copy). */
  char *text = rp_arena_strdup(a, css);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  for (char *c = strstr(text, "/*"); c; c = strstr(c, "/*")) {
    char *e = strstr(c + 2, "*/");
    size_t n = e ? (size_t)(e + 2 - c) : strlen(c);
    memset(c, ' ', n);
  }
  const char *s = skip_space(text);
  while (*s) {
    const char *open = strchr(s, '{');
    if (!open) {
      snprintf(err, errlen, "\"%.40s\" is not a CSS rule", s);
      return false;
    }
    const char *close = strchr(open, '}');
    if (!close) {
      snprintf(err, errlen, "a CSS rule is not closed with '}'");
      return false;
    }
    if (*s == '@') {
      /* @font-face and @charset concern text, which is refused anyway */
      if (strncmp(s, "@font-face", 10) != 0 && strncmp(s, "@charset", 8) != 0) {
        snprintf(err, errlen, "\"%.*s\" is not read: write the rules without it", (int)(open - s),
                 s);
        return false;
      }
      if (strncmp(s, "@charset", 8) == 0) close = strchr(s, ';') ? strchr(s, ';') : close;
      s = skip_space(close + 1);
      continue;
    }
    const char *decls = rp_arena_strndup(a, open + 1, (size_t)(close - open - 1));
    if (!decls) {
      snprintf(err, errlen, "out of memory");
      return false;
    }
    for (const char *sel = s; sel < open;) {
      const char *comma = memchr(sel, ',', (size_t)(open - sel));
      const char *end = comma ? comma : open;
      rp_svg_rule r = {.decls = decls, .order = (*order)++};
      if (!selector(a, sel, (size_t)(end - sel), &r)) {
        snprintf(err, errlen,
                 "the CSS selector \"%.*s\" is not read: only element, .class and #id "
                 "selectors are; write the styles as attributes",
                 (int)(end - sel), sel);
        return false;
      }
      rp_svg_rule *slot = rp_vec_push(a, rules, sizeof *slot);
      if (!slot) {
        snprintf(err, errlen, "out of memory");
        return false;
      }
      *slot = r;
      sel = end + (comma ? 1 : 0);
    }
    s = skip_space(close + 1);
  }
  return true;
}

/* True when the space-separated list `classes` holds `cls`. */
static bool has_class(const char *classes, const char *cls) {
  size_t n = strlen(cls);
  for (const char *p = classes; p && *p;) {
    p = skip_space(p);
    const char *e = p;
    while (*e && !isspace((unsigned char)*e)) e++;
    if ((size_t)(e - p) == n && strncmp(p, cls, n) == 0) return true;
    p = e;
  }
  return false;
}

bool rp_svg_css_match(const rp_svg_rule *r, const char *tag, const char *id, const char *classes) {
  if (r->tag && strcmp(r->tag, tag) != 0) return false;
  if (r->id && (!id || strcmp(r->id, id) != 0)) return false;
  if (r->cls && (!classes || !has_class(classes, r->cls))) return false;
  return true;
}
