/* xml — see xml.h.
 *
 * Errors from libxml2 arrive through its structured error callback. The
 * callback is per-call state (xmlSetStructuredErrorFunc is thread-local in
 * libxml2), installed for the duration of each call and restored after. */
#include "base/xml.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xinclude.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA)

typedef struct err_ctx {
  rp_diag *diag;
  const char *path;
  const char *suffix; /* appended to each message: what to do */
} err_ctx;

static void on_error(void *user, xmlErrorPtr e) {
  err_ctx *ec = user;
  if (!e || e->level == XML_ERR_NONE) return;
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", e->message ? e->message : "XML error");
  size_t n = strlen(msg);
  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
  const char *file = e->file ? e->file : ec->path;
  /* Parser errors carry the column in int2; validity errors do not. */
  int col = e->domain == XML_FROM_PARSER ? e->int2 : 0;
  if (e->level == XML_ERR_WARNING) {
    rp_diag_warn(ec->diag, file, e->line, col, "%s", msg);
    return;
  }
  rp_diag_error(ec->diag, RP_ERR_INPUT, file, e->line, col, "%s%s", msg,
                ec->suffix ? ec->suffix : "");
}

static int has_entity_decls(xmlDocPtr doc) {
  xmlDtdPtr dtds[2] = {doc->intSubset, doc->extSubset};
  for (int i = 0; i < 2; i++) {
    if (!dtds[i]) continue;
    for (xmlNodePtr n = dtds[i]->children; n; n = n->next)
      if (n->type == XML_ENTITY_DECL) return 1;
  }
  return 0;
}

static int is_xinclude(const xmlNode *n) {
  return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         (strcmp((const char *)n->ns->href, "http://www.w3.org/2001/XInclude") == 0 ||
          strcmp((const char *)n->ns->href, "http://www.w3.org/2003/XInclude") == 0);
}

/* Every xi:include must name a file inside the document's folder. */
static void check_xincludes(xmlNodePtr n, const char *dir_real, const char *dir, err_ctx *ec) {
  for (; n; n = n->next) {
    if (is_xinclude(n) && strcmp((const char *)n->name, "include") == 0) {
      char *href = rp_xml_attr(n, "href");
      char *parse = rp_xml_attr(n, "parse");
      int line = rp_xml_line(n);
      if (!href || !href[0] || strchr(href, ':') || href[0] == '/') {
        rp_diag_error(ec->diag, RP_ERR_INPUT, ec->path, line, 0,
                      "<xi:include> href \"%s\" must be a relative path to a file in the "
                      "document's folder",
                      href ? href : "");
      } else {
        char full[PATH_MAX], real[PATH_MAX];
        snprintf(full, sizeof full, "%s/%s", dir, href);
        size_t dn = strlen(dir_real);
        if (!realpath(full, real)) {
          rp_diag_error(ec->diag, RP_ERR_INPUT, ec->path, line, 0,
                        "<xi:include> cannot find \"%s\"; check the path (relative to this "
                        "document)",
                        href);
        } else if (strncmp(real, dir_real, dn) != 0 || real[dn] != '/') {
          rp_diag_error(ec->diag, RP_ERR_INPUT, ec->path, line, 0,
                        "<xi:include> \"%s\" lies outside the document's folder; move the "
                        "file next to the document",
                        href);
        }
      }
      if (parse && strcmp(parse, "xml") != 0)
        rp_diag_error(ec->diag, RP_ERR_INPUT, ec->path, line, 0,
                      "<xi:include parse=\"%s\"> is not supported; include XML only", parse);
      free(href);
      free(parse);
    }
    if (n->type == XML_ELEMENT_NODE) check_xincludes(n->children, dir_real, dir, ec);
  }
}

static rp_status validate(xmlDocPtr doc, const rp_xml_schema *schema, err_ctx *ec) {
  rp_status st = RP_OK;
  xmlRelaxNGParserCtxtPtr pctx = NULL;
  xmlRelaxNGPtr rng = NULL;
  xmlRelaxNGValidCtxtPtr vctx = NULL;
  rp_diag schema_diag;
  rp_diag_init(&schema_diag);
  err_ctx sec = {&schema_diag, schema->name, NULL};

  pctx = xmlRelaxNGNewMemParserCtxt(schema->text, (int)schema->len);
  if (!pctx) goto internal;
  xmlRelaxNGSetParserStructuredErrors(pctx, on_error, &sec);
  rng = xmlRelaxNGParse(pctx);
  if (!rng) goto internal;
  vctx = xmlRelaxNGNewValidCtxt(rng);
  if (!vctx) goto internal;
  xmlRelaxNGSetValidStructuredErrors(vctx, on_error, ec);
  if (xmlRelaxNGValidateDoc(vctx, doc) != 0 && rp_diag_status(ec->diag) == RP_OK)
    rp_diag_error(ec->diag, RP_ERR_INPUT, ec->path, 0, 0, "does not match %s%s", schema->name,
                  ec->suffix ? ec->suffix : "");
  st = rp_diag_status(ec->diag);
  goto done;
internal:
  st = rp_diag_error(ec->diag, RP_ERR_INTERNAL, schema->name, 0, 0,
                     "the built-in schema cannot be loaded (a bug in reviewpdf)");
done:
  xmlRelaxNGFreeValidCtxt(vctx);
  xmlRelaxNGFree(rng);
  xmlRelaxNGFreeParserCtxt(pctx);
  rp_diag_fini(&schema_diag);
  return st;
}

rp_status rp_xml_load(const char *path, const rp_xml_schema *schema, rp_diag *d, xmlDocPtr *out) {
  *out = NULL;
  char suffix[256] = "";
  if (schema && schema->doc_hint)
    snprintf(suffix, sizeof suffix, " (the language is described in %s)", schema->doc_hint);
  err_ctx ec = {d, path, NULL};
  size_t errors_before = d->errors;
  struct stat sb;
  if (stat(path, &sb) != 0)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "cannot open the file; check the path and that it is readable");
  if (!S_ISREG(sb.st_mode))
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "is not a regular file");
  if ((unsigned long long)sb.st_size > RP_XML_MAX_BYTES)
    return rp_diag_error(d, RP_ERR_INPUT, path, 0, 0,
                         "is %lld bytes, over the limit of %u; split it with XInclude",
                         (long long)sb.st_size, RP_XML_MAX_BYTES);

  xmlSetStructuredErrorFunc(&ec, on_error);
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  xmlDocPtr doc = ctxt ? xmlCtxtReadFile(ctxt, path, NULL, PARSE_OPTIONS) : NULL;
  xmlFreeParserCtxt(ctxt);
  if (!doc) {
    if (d->errors == errors_before)
      rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "is not well-formed XML");
    goto fail;
  }
  if (d->errors != errors_before) goto fail;
  if (has_entity_decls(doc)) {
    rp_diag_error(d, RP_ERR_INPUT, path, 1, 0,
                  "entity declarations are not allowed; remove the <!DOCTYPE> and write the "
                  "characters directly (UTF-8)");
    goto fail;
  }

  {
    char dir[PATH_MAX], dir_real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash)
      snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
      snprintf(dir, sizeof dir, ".");
    if (!realpath(dir, dir_real)) snprintf(dir_real, sizeof dir_real, "%s", dir);
    check_xincludes(xmlDocGetRootElement(doc), dir_real, dir, &ec);
    if (d->errors != errors_before) goto fail;
    if (xmlXIncludeProcessFlags(doc, PARSE_OPTIONS | XML_PARSE_NOXINCNODE) < 0 ||
        d->errors != errors_before) {
      if (d->errors == errors_before)
        rp_diag_error(d, RP_ERR_INPUT, path, 0, 0, "XInclude processing failed");
      goto fail;
    }
  }

  if (schema) {
    ec.suffix = suffix;
    if (validate(doc, schema, &ec) != RP_OK) goto fail;
  }
  xmlSetStructuredErrorFunc(NULL, NULL);
  *out = doc;
  return RP_OK;

fail:
  xmlSetStructuredErrorFunc(NULL, NULL);
  xmlFreeDoc(doc);
  return rp_diag_status(d) != RP_OK ? rp_diag_status(d) : RP_ERR_INPUT;
}

int rp_xml_line(const xmlNode *n) { return n ? (int)xmlGetLineNo(n) : 0; }

const char *rp_xml_file(const xmlNode *n, const char *fallback) {
  /* XInclude (with NOXINCNODE) leaves xml:base on the included root. */
  for (const xmlNode *p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
    xmlAttrPtr a = xmlHasNsProp((xmlNodePtr)p, (const xmlChar *)"base", XML_XML_NAMESPACE);
    if (a && a->children && a->children->content) return (const char *)a->children->content;
  }
  return fallback;
}

char *rp_xml_text_collapsed(const xmlNode *n) {
  xmlChar *raw = xmlNodeGetContent(n);
  if (!raw) return NULL;
  size_t len = strlen((const char *)raw);
  char *out = malloc(len + 1);
  if (!out) {
    xmlFree(raw);
    return NULL;
  }
  size_t o = 0;
  int space = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = raw[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = 1;
      continue;
    }
    if (space && o > 0) out[o++] = ' ';
    space = 0;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  xmlFree(raw);
  return out;
}

char *rp_xml_attr(const xmlNode *n, const char *name) {
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  if (!v) return NULL;
  char *s = strdup((const char *)v);
  xmlFree(v);
  return s;
}
