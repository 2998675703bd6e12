/* xml — see xml.h.
 *
 * Errors from libxml2 arrive through its structured error callback. The
 * callback is per-call state (xmlSetStructuredErrorFunc is thread-local in
 * libxml2), installed for the duration of each call and restored after.
 *
 * Entities: every file (the document and each file it includes) is parsed
 * with a SAX hook that stops the parser at the first <!ENTITY> declaration,
 * before any entity is expanded, so "billion laughs" documents are refused at
 * once with one clear message rather than by libxml2's amplification limits.
 *
 * XInclude is done here, not by libxml2's engine: that engine parses included
 * files with XML_PARSE_DTDLOAD and without the entity hook, follows nested
 * includes wherever they point, and marks included content with xml:base
 * attributes (which a strict schema rejects) or, for files in the same
 * folder, not at all. Here each include is resolved recursively: the target
 * must lie inside the top document's folder, is parsed with the same safe
 * parser, and its root element replaces the xi:include, carrying its file
 * name in _private (rp_xml_file). Nesting depth, the number of inclusions and
 * their total size are limited, since XInclude can amplify like entities.
 * Only whole-file XML inclusion is supported (no xpointer, no parse="text"). */
#include "base/xml.h"
#include "base/limits.h"

#include "base/mem.h"
#include "base/xml_explain.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlschemastypes.h>
#include <libxml/xpath.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PARSE_OPTIONS \
  (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)
#define MAX_INCLUDE_DEPTH 8
#define MAX_INCLUDES 256
#define MAX_HELD 16 /* distinct unlocated schema messages kept */

/* libxml2 2.12 made the structured error callback take a const pointer. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlErrorPtr error_ptr;
#endif

typedef struct err_ctx {
  rp_diag *diag;
  const char *path;
  const char *suffix; /* appended to each message: what to do */
  int last_line;      /* line of the last schema error reported */
  /* Schema errors libxml2 gives without a node (see validate): held back
   * while `hold` is set, each distinct message kept with the number of
   * times it came and is still to be located; `lost` when there were more
   * distinct messages than room. */
  bool hold;
  int held;
  struct {
    char msg[512];
    int left;
  } held_msgs[MAX_HELD];
  size_t n_held;
  bool lost;
  /* The second, push-mode pass: only errors not reported already, from
   * entry `first` of the diag on. */
  bool again;
  size_t first;
  /* Schema errors: for entry i of the diag, the element libxml2 named and
   * its error code (see explain_all). */
  bool track;
  struct located *where;
  size_t n_where;
} err_ctx;

typedef struct located {
  const xmlNode *node; /* NULL when the entry names none */
  int code;            /* xmlRelaxNGValidErr */
} located;

/* Notes which element the diag's last entry is about, if it was just added. */
static void locate(err_ctx *ec, size_t count_before, const xmlNode *node, int code) {
  size_t i = ec->diag->count;
  if (i == count_before || !ec->track) return;
  located *grown = rp_mem_realloc(ec->where, i * sizeof *grown);
  if (!grown) return;
  for (size_t j = ec->n_where; j < i; j++) grown[j] = (located){NULL, 0};
  grown[i - 1] = (located){node, code};
  ec->where = grown;
  ec->n_where = i;
}

/* libxml2's RelaxNG reports one mistake as a cascade: the element at fault
 * first, then each ancestor "failed to validate content". Ancestors stand on
 * earlier lines, so a generic message on or before the last reported line
 * repeats what was said; later lines are independent mistakes and stay. */
static int is_cascade(const err_ctx *ec, const xmlError *e, int line, const char *msg) {
  if (e->domain != XML_FROM_RELAXNGV || ec->last_line == 0) return 0;
  if (line > ec->last_line) return 0;
  return strstr(msg, "failed to validate content") || strstr(msg, "in interleave") ||
         strstr(msg, "has extra content") || strstr(msg, "Expecting an element");
}

/* What to look for, where libxml2's message does not say. */
static const char *hint(const char *msg) {
  if (strstr(msg, "failed to validate attributes"))
    return ": an attribute it requires is missing, or one is misspelt or has a value the "
           "language does not allow";
  if (strstr(msg, "has extra content"))
    return ": that element, or one after it, is not allowed there, or lacks an attribute or "
           "has one misspelt or with a value the language does not allow";
  return "";
}

static bool reported(const err_ctx *ec, const char *file, int line, const char *msg) {
  const rp_diag *d = ec->diag;
  size_t n = strlen(msg);
  for (size_t i = ec->first; i < d->count; i++) {
    const rp_diag_entry *e = &d->entries[i];
    if (e->line == line && e->file && strcmp(e->file, file) == 0 && e->message &&
        strncmp(e->message, msg, n) == 0)
      return true;
  }
  return false;
}

static void hold(err_ctx *ec, const char *msg) {
  ec->held++;
  for (size_t i = 0; i < ec->n_held; i++) {
    if (strcmp(ec->held_msgs[i].msg, msg) == 0) {
      ec->held_msgs[i].left++;
      return;
    }
  }
  if (ec->n_held == MAX_HELD || strlen(msg) >= sizeof ec->held_msgs[0].msg) {
    ec->lost = true;
    return;
  }
  snprintf(ec->held_msgs[ec->n_held].msg, sizeof ec->held_msgs[0].msg, "%s", msg);
  ec->held_msgs[ec->n_held++].left = 1;
}

/* In the push pass: whether `msg` locates a held error (taking it). Only
 * those are wanted: after a mistake the push interface loses step and
 * blames every element after it ("Did not expect element title there"). */
static bool take_held(err_ctx *ec, const char *msg) {
  for (size_t i = 0; i < ec->n_held; i++) {
    if (ec->held_msgs[i].left > 0 && strcmp(ec->held_msgs[i].msg, msg) == 0) {
      ec->held_msgs[i].left--;
      return true;
    }
  }
  return ec->lost; /* some were not kept: take what comes, as best we can */
}

/* The element a validity error is about, or NULL. libxml2 passes a node,
 * but not always the one its message names: "Element person failed to
 * validate attributes" may come with the person's first child. Where the
 * message names the element, the node or its nearest ancestor of that name
 * is taken; "Element card has extra content: image" is about the image. */
static const xmlNode *subject_of(error_ptr e, const xmlNode *node) {
  const char *name = NULL;
  switch (e->code) {
    case XML_RELAXNG_ERR_ATTRVALID:
    case XML_RELAXNG_ERR_CONTENTVALID:
    case XML_RELAXNG_ERR_ELEMWRONG:
      name = e->str1;
      break;
    case XML_RELAXNG_ERR_INVALIDATTR:
    case XML_RELAXNG_ERR_EXTRACONTENT:
      name = e->str2;
      break;
    default:
      break;
  }
  for (int up = 0; node && node->type == XML_ELEMENT_NODE; node = node->parent, up++) {
    if (!name || strcmp(name, (const char *)node->name) == 0) return node;
    if (up == 2) break;
  }
  return NULL;
}

static void on_error(void *user, error_ptr e) {
  err_ctx *ec = user;
  if (!e || e->level == XML_ERR_NONE) return;
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", e->message ? e->message : "XML error");
  size_t n = strlen(msg);
  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
  const char *file = e->file ? e->file : ec->path;
  int line = e->line;
  /* A validity error names the element at fault: its file is the included
   * one when it came through XInclude (libxml2 names the document). */
  const xmlNode *node = e->domain == XML_FROM_RELAXNGV ? e->node : NULL;
  if (node) {
    file = rp_xml_file(node, file);
    if (line == 0) line = rp_xml_line(node);
  }
  /* Parser errors carry the column in int2; validity errors do not. */
  int col = e->domain == XML_FROM_PARSER ? e->int2 : 0;
  if (e->level == XML_ERR_WARNING) {
    rp_diag_warn(ec->diag, file, line, col, "%s", msg);
    return;
  }
  if (is_cascade(ec, e, line, msg)) return;
  if (e->domain == XML_FROM_RELAXNGV && line == 0 && (ec->hold || ec->again)) {
    if (ec->hold) hold(ec, msg);
    return;
  }
  if (e->domain == XML_FROM_RELAXNGV && line > 0) ec->last_line = line;
  if (ec->again && (reported(ec, file, line, msg) || !take_held(ec, msg))) return;
  size_t before = ec->diag->count;
  rp_diag_error(ec->diag, RP_ERR_INPUT, file, line, col, "%s%s%s", msg, hint(msg),
                ec->suffix ? ec->suffix : "");
  const xmlNode *subject = subject_of(e, node);
  if (subject) locate(ec, before, subject, e->code);
}

#define ENTITY_MESSAGE                                                                   \
  "entity declarations are not allowed; remove the <!DOCTYPE> and write the characters " \
  "directly (UTF-8)"

/* Per-file parse state, reached from SAX callbacks through ctxt->_private. */
typedef struct parse_ctx {
  err_ctx *ec;
  const char *path;
  int refused;
} parse_ctx;

static void refuse_entity(void *ctx) {
  xmlParserCtxtPtr ctxt = ctx;
  parse_ctx *pc = ctxt->_private;
  if (pc && !pc->refused) {
    pc->refused = 1;
    rp_diag_error(pc->ec->diag, RP_ERR_INPUT, pc->path, xmlSAX2GetLineNumber(ctxt),
                  xmlSAX2GetColumnNumber(ctxt), "%s", ENTITY_MESSAGE);
  }
  xmlStopParser(ctxt);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content) {
  refuse_entity(ctx);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation) {
  refuse_entity(ctx);
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

/* A DOCTYPE may stay only if it is harmless: no entities (the SAX hook stops
 * those first; this is the fallback) and no external DTD. None is ever
 * loaded, so naming one is a mistake, and a DTD could bring in entities or
 * attribute defaults from outside the project. */
static int check_doctype(xmlDocPtr doc, const char *path, err_ctx *ec) {
  if (has_entity_decls(doc)) {
    rp_diag_error(ec->diag, RP_ERR_INPUT, path, 1, 0, "%s", ENTITY_MESSAGE);
    return -1;
  }
  xmlDtdPtr dtd = doc->intSubset;
  if (dtd && (dtd->ExternalID || dtd->SystemID)) {
    rp_diag_error(ec->diag, RP_ERR_INPUT, path, 1, 0,
                  "a <!DOCTYPE> naming an external DTD (\"%s\") is not allowed; remove the "
                  "<!DOCTYPE> line",
                  dtd->SystemID ? (const char *)dtd->SystemID : (const char *)dtd->ExternalID);
    return -1;
  }
  return 0;
}

/* Parses one file: no network, no DTD loading, no entity declarations.
 * Returns the tree, or NULL with every error recorded. With `dict`, names
 * are interned there (an included file shares its includer's dictionary, so
 * that its tree can be moved over rather than copied). */
static xmlDocPtr safe_parse(const char *path, err_ctx *ec, xmlDictPtr dict) {
  size_t errors_before = ec->diag->errors;
  parse_ctx pc = {ec, path, 0};
  xmlParserCtxtPtr ctxt = xmlCreateURLParserCtxt(path, PARSE_OPTIONS);
  if (!ctxt) {
    if (ec->diag->errors == errors_before)
      rp_diag_error(ec->diag, RP_ERR_INPUT, path, 0, 0,
                    "cannot open the file; check the path and that it is readable");
    return NULL;
  }
  if (dict && ctxt->dict != dict) {
    /* as libxml2's own XInclude does; the parser compares these by address */
    xmlDictFree(ctxt->dict);
    ctxt->dict = dict;
    xmlDictReference(dict);
    ctxt->str_xml = xmlDictLookup(dict, BAD_CAST "xml", 3);
    ctxt->str_xmlns = xmlDictLookup(dict, BAD_CAST "xmlns", 5);
    ctxt->str_xml_ns = xmlDictLookup(dict, XML_XML_NAMESPACE, 36);
  }
  /* Set after creation: xmlCtxtReset (used by xmlCtxtRead*) would clear _private. */
  ctxt->_private = &pc;
  ctxt->sax->entityDecl = on_entity_decl;
  ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
  xmlParseDocument(ctxt);
  xmlDocPtr doc = ctxt->myDoc;
  ctxt->myDoc = NULL;
  int ok = ctxt->wellFormed && !pc.refused && ec->diag->errors == errors_before;
  xmlFreeParserCtxt(ctxt);
  if (ok && check_doctype(doc, path, ec) != 0) ok = 0;
  if (!ok) {
    xmlFreeDoc(doc);
    if (ec->diag->errors == errors_before)
      rp_diag_error(ec->diag, RP_ERR_INPUT, path, 0, 0, "is not well-formed XML");
    return NULL;
  }
  return doc;
}

static int is_xinclude(const xmlNode *n) {
  return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         (strcmp((const char *)n->ns->href, "http://www.w3.org/2001/XInclude") == 0 ||
          strcmp((const char *)n->ns->href, "http://www.w3.org/2003/XInclude") == 0);
}

static void dir_of(const char *path, char *out, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(out, size, ".");
  else if (slash == path)
    snprintf(out, size, "/");
  else
    snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static int inside_dir(const char *real, const char *dir_real) {
  size_t dn = strlen(dir_real);
  if (strcmp(dir_real, "/") == 0) return 1;
  return strncmp(real, dir_real, dn) == 0 && real[dn] == '/';
}

/* The chain of files being included, for cycle detection. */
typedef struct include_frame {
  const struct include_frame *up;
  const char *real; /* canonical path */
} include_frame;

typedef struct include_state {
  err_ctx *ec;
  xmlDocPtr doc;       /* the document being assembled */
  const char *top_dir; /* canonical folder of the top document */
  size_t count;        /* inclusions so far */
  unsigned long long bytes;
  int limit_reported;
} include_state;

static void expand(xmlNodePtr n, const char *file, const char *dir, const include_frame *frame,
                   int depth, include_state *st);

/* The node after `n` in document order within `root`'s subtree (an
 * element's children first), or NULL past its end. */
static const xmlNode *next_in_tree(const xmlNode *n, const xmlNode *root) {
  if (n->type == XML_ELEMENT_NODE && n->children) return n->children;
  while (n != root && !n->next) n = n->parent;
  return n == root ? NULL : n->next;
}

/* Moves `root`, unlinked from `from`, into `to` (beside `near`), keeping its
 * line numbers (xmlDOMWrapAdoptNode clears them). Both documents share a
 * dictionary, and every namespace its nodes use is declared inside it, but
 * for the xml: one, which each document holds apart. NULL when out of
 * memory (`root` is freed). */
static xmlNodePtr move_tree(xmlNodePtr root, xmlDocPtr from, xmlDocPtr to, xmlNodePtr near) {
  xmlNsPtr xml_ns = NULL;
  if (from->oldNs) {
    xml_ns = xmlSearchNs(to, near, BAD_CAST "xml");
    if (!xml_ns) {
      xmlFreeNode(root);
      return NULL;
    }
  }
  xmlSetTreeDoc(root, to);
  if (!xml_ns) return root;
  for (xmlNodePtr n = root; n; n = (xmlNodePtr)next_in_tree(n, root)) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (n->ns == from->oldNs) n->ns = xml_ns;
    for (xmlAttrPtr at = n->properties; at; at = at->next)
      if (at->ns == from->oldNs) at->ns = xml_ns;
  }
  return root;
}

/* Replaces xi:include element `inc` of `file` by the root element of the file
 * it names, then expands the includes of that. On error `inc` stays (the load
 * fails anyway). */
static void include_one(xmlNodePtr inc, const char *file, const char *dir,
                        const include_frame *frame, int depth, include_state *st) {
  rp_diag *d = st->ec->diag;
  char *href = rp_xml_attr(inc, "href");
  char *parse = rp_xml_attr(inc, "parse");
  char *xpointer = rp_xml_attr(inc, "xpointer");
  int line = rp_xml_line(inc);
  char shown[PATH_MAX], real[PATH_MAX];
  struct stat sb;
  if (parse && strcmp(parse, "xml") != 0) {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                  "<xi:include parse=\"%s\"> is not supported; include XML only", parse);
    goto done;
  }
  if (xpointer) {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                  "<xi:include xpointer> is not supported; include a whole file");
    goto done;
  }
  if (!href || !href[0] || strchr(href, ':') || href[0] == '/') {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                  "<xi:include> href \"%s\" must be a relative path to a file in the "
                  "document's folder",
                  href ? href : "");
    goto done;
  }
  if (strcmp(dir, ".") == 0)
    snprintf(shown, sizeof shown, "%s", href);
  else
    snprintf(shown, sizeof shown, "%s/%s", dir, href);
  if (!realpath(shown, real) || stat(real, &sb) != 0) {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                  "<xi:include> cannot find \"%s\"; check the path (relative to this document)",
                  href);
    goto done;
  }
  if (!inside_dir(real, st->top_dir)) {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                  "<xi:include> \"%s\" lies outside the document's folder; move the file next "
                  "to the document",
                  href);
    goto done;
  }
  for (const include_frame *f = frame; f; f = f->up) {
    if (strcmp(f->real, real) == 0) {
      rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                    "<xi:include> \"%s\" includes a file that is already being included (a "
                    "cycle); remove one of the includes",
                    href);
      goto done;
    }
  }
  if (depth >= MAX_INCLUDE_DEPTH) {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                  "<xi:include> \"%s\" is nested more than %d levels deep; include the files "
                  "from fewer levels",
                  href, MAX_INCLUDE_DEPTH);
    goto done;
  }
  if (!S_ISREG(sb.st_mode)) {
    rp_diag_error(d, RP_ERR_INPUT, file, line, 0, "<xi:include> \"%s\" is not a regular file",
                  href);
    goto done;
  }
  st->count++;
  st->bytes += (unsigned long long)sb.st_size;
  if (st->count > MAX_INCLUDES || st->bytes > RP_XML_MAX_BYTES) {
    if (!st->limit_reported)
      rp_diag_error(d, RP_ERR_INPUT, file, line, 0,
                    "too much is included (over %d inclusions or %u bytes in all); include "
                    "each part once",
                    MAX_INCLUDES, RP_XML_MAX_BYTES);
    st->limit_reported = 1;
    goto done;
  }

  xmlDocPtr sub = safe_parse(shown, st->ec, st->doc->dict);
  if (!sub) goto done;
  /* The root moves over when its names are in this document's dictionary:
   * a deep copy cost more than parsing the file. libxml2 2.9's deep copy
   * leaks the part it built when an allocation fails: shielded like XPath
   * and RelaxNG (base/mem.h). */
  xmlNodePtr root = xmlDocGetRootElement(sub), copy = NULL;
  if (root && sub->dict && sub->dict == st->doc->dict) {
    xmlUnlinkNode(root);
    copy = move_tree(root, sub, st->doc, inc);
  } else if (root) {
    rp_mem_shield(true);
    copy = xmlDocCopyNode(root, st->doc, 1);
    rp_mem_shield(false);
  }
  xmlFreeDoc(sub);
  if (!copy) {
    rp_diag_error(d, RP_ERR_INTERNAL, file, line, 0, "out of memory including \"%s\"", href);
    goto done;
  }
  /* Where the content came from, for rp_xml_file; the dictionary lives as
   * long as the document. */
  if (st->doc->dict)
    copy->_private = (void *)xmlDictLookup(st->doc->dict, (const xmlChar *)shown, -1);
  xmlReplaceNode(inc, copy);
  xmlFreeNode(inc);
  {
    char subdir[PATH_MAX];
    dir_of(shown, subdir, sizeof subdir);
    include_frame here = {frame, real};
    expand(copy, shown, subdir, &here, depth + 1, st);
  }
done:
  rp_mem_free(href);
  rp_mem_free(parse);
  rp_mem_free(xpointer);
}

/* Expands every xi:include at or under `n`, which belongs to `file`. */
static void expand(xmlNodePtr n, const char *file, const char *dir, const include_frame *frame,
                   int depth, include_state *st) {
  if (is_xinclude(n) && strcmp((const char *)n->name, "include") == 0) {
    include_one(n, file, dir, frame, depth, st);
    return;
  }
  if (n->type != XML_ELEMENT_NODE) return;
  xmlNodePtr next;
  for (xmlNodePtr c = n->children; c; c = next) {
    next = c->next; /* c may be replaced */
    expand(c, file, dir, frame, depth, st);
  }
}

/* Whether an error recorded for this document already speaks of the element
 * that `msg` ("Element run failed to validate attributes") names. */
static bool names_element(const err_ctx *ec, const char *msg) {
  char name[128], a[160], b[160];
  if (sscanf(msg, "Element %127s", name) != 1) return false;
  snprintf(a, sizeof a, "element %s", name);
  snprintf(b, sizeof b, "Element %s ", name);
  for (size_t i = ec->first; i < ec->diag->count; i++) {
    const char *m = ec->diag->entries[i].message;
    if (m && (strstr(m, a) || strstr(m, b))) return true;
  }
  return false;
}

/* Validates the children of a node in push mode, as libxml2's reader does:
 * an element the push interface cannot follow is validated whole. Errors
 * then carry the element being pushed. */
static void push_validate(xmlRelaxNGValidCtxtPtr vctx, xmlDocPtr doc, xmlNodePtr n) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      xmlRelaxNGValidatePushCData(vctx, n->content, xmlStrlen(n->content));
    } else if (n->type == XML_ELEMENT_NODE) {
      if (xmlRelaxNGValidatePushElement(vctx, doc, n) == 0) {
        xmlRelaxNGValidateFullElement(vctx, doc, n);
        continue;
      }
      push_validate(vctx, doc, n->children);
      xmlRelaxNGValidatePopElement(vctx, doc, n);
    }
  }
}

/* Whether libxml2's message `code` about an element is explained by our own
 * check of it finding `found` mistakes, `text` of them in its text: then
 * the findings stand in its place. Attribute and value errors, "extra
 * content" naming the element itself (libxml2 says that when an element's
 * attributes fail where it stands) and a failed interleave of the element
 * (attributes may be in one) are; "failed to validate content" only when
 * its text is at fault (otherwise a child is). */
static bool explained(int code, size_t found, size_t text) {
  if (!found) return false;
  switch (code) {
    case XML_RELAXNG_ERR_CONTENTVALID:
    case XML_RELAXNG_ERR_TEXTWRONG:
      return text > 0;
    case XML_RELAXNG_ERR_TYPE:
    case XML_RELAXNG_ERR_TYPEVAL:
    case XML_RELAXNG_ERR_TYPECMP:
    case XML_RELAXNG_ERR_LISTEXTRA:
    case XML_RELAXNG_ERR_LISTEMPTY:
    case XML_RELAXNG_ERR_ATTRNAME:
    case XML_RELAXNG_ERR_ATTRNONS:
    case XML_RELAXNG_ERR_ATTRWRONGNS:
    case XML_RELAXNG_ERR_ATTREXTRANS:
    case XML_RELAXNG_ERR_ATTRVALID:
    case XML_RELAXNG_ERR_EXTRACONTENT:
    case XML_RELAXNG_ERR_INVALIDATTR:
    case XML_RELAXNG_ERR_DATAELEM:
    case XML_RELAXNG_ERR_VALELEM:
    case XML_RELAXNG_ERR_LISTELEM:
    case XML_RELAXNG_ERR_DATATYPE:
    case XML_RELAXNG_ERR_VALUE:
    case XML_RELAXNG_ERR_LIST:
    case XML_RELAXNG_ERR_EXTRADATA:
    case XML_RELAXNG_ERR_LACKDATA:
    case XML_RELAXNG_ERR_ELEMWRONG:
    case XML_RELAXNG_ERR_INTERSEQ: /* attributes in an <interleave> */
    case XML_RELAXNG_ERR_INTERNODATA:
      return true;
    default:
      return false;
  }
}

/* One element libxml2 named, checked by xml_explain. */
typedef struct checked {
  const xmlNode *node;
  rp_diag findings;
  size_t text; /* how many findings concern its text */
  bool said;
} checked;

static bool same_entry(const rp_diag_entry *a, const rp_diag_entry *b) {
  return a->line == b->line && a->severity == b->severity &&
         (a->file == b->file || (a->file && b->file && strcmp(a->file, b->file) == 0)) &&
         a->message && b->message && strcmp(a->message, b->message) == 0;
}

/* Copies `e` to `to` unless an entry of `to` from index `from` on says the same at
 * the same place (libxml2 repeats itself: fifty <title>s on one line are
 * fifty "Element title failed to validate attributes"). */
static void copy_entry(rp_diag *to, size_t from, const rp_diag_entry *e) {
  for (size_t i = from; i < to->count; i++)
    if (same_entry(&to->entries[i], e)) return;
  if (e->severity == RP_SEV_WARNING)
    rp_diag_warn(to, e->file, e->line, e->col, "%s", e->message ? e->message : "");
  else
    rp_diag_error(to, e->status, e->file, e->line, e->col, "%s", e->message ? e->message : "");
}

/* Moves the schema errors gathered in `from` to `to`, in order, except that
 * the messages about an element our own check explains give way to its
 * findings (every mistake in the element, each with the value and what is
 * allowed), said once where the first of them stood. */
static void explain_all(const err_ctx *ec, const rp_diag *from, rp_diag *to,
                        const rp_xml_schema *schema) {
  rp_xml_explain *x = NULL;
  size_t start = to->count; /* this document's entries in `to` */
  checked *seen = NULL;
  size_t n_seen = 0;
  bool tried = false;
  size_t *order = rp_mem_alloc((from->count ? from->count : 1) * sizeof *order);
  for (size_t i = 0; order && i < from->count; i++) order[i] = i;
  /* The push pass's errors come after the tree pass's: put located errors
   * in document order (unlocated ones stay where they are, as fences). */
  for (size_t i = 1; order && i < from->count; i++) {
    size_t k = order[i], j = i;
    const xmlNode *nk = k < ec->n_where ? ec->where[k].node : NULL;
    for (; nk && j > 0; j--) {
      size_t p = order[j - 1];
      const xmlNode *np = p < ec->n_where ? ec->where[p].node : NULL;
      if (!np || xmlXPathCmpNodes((xmlNodePtr)np, (xmlNodePtr)nk) != -1) break;
      order[j] = p;
    }
    order[j] = k;
  }
  for (size_t n = 0; n < from->count; n++) {
    size_t i = order ? order[n] : n;
    const rp_diag_entry *e = &from->entries[i];
    const located *w = i < ec->n_where ? &ec->where[i] : NULL;
    if (!w || !w->node) {
      copy_entry(to, start, e);
      continue;
    }
    if (!tried) {
      tried = true;
      x = rp_xml_explain_new(schema->text, schema->len);
    }
    checked *c = NULL;
    for (size_t j = 0; j < n_seen; j++)
      if (seen[j].node == w->node) c = &seen[j];
    if (!c && x) {
      checked *grown = rp_mem_realloc(seen, (n_seen + 1) * sizeof *grown);
      if (grown) {
        seen = grown;
        c = &seen[n_seen++];
        *c = (checked){.node = w->node};
        rp_diag_init(&c->findings);
        rp_xml_explain_element(x, w->node, rp_xml_file(w->node, ec->path), ec->suffix, &c->findings,
                               &c->text);
      }
    }
    if (!c || !explained(w->code, c->findings.count, c->text)) {
      copy_entry(to, start, e);
      continue;
    }
    if (c->said) continue;
    c->said = true;
    for (size_t j = 0; j < c->findings.count; j++) copy_entry(to, start, &c->findings.entries[j]);
  }
  /* Beyond the record's limit: still counted (they were all errors). */
  to->errors += from->dropped;
  to->dropped += from->dropped;
  for (size_t j = 0; j < n_seen; j++) rp_diag_fini(&seen[j].findings);
  rp_mem_free(seen);
  rp_mem_free(order);
  rp_xml_explain_free(x);
}

/* The built-in schemas, each compiled once per process: compiling one costs
 * more than validating a document against it (a render validates the
 * content, the layout and each layout library; the fuzzers a document per
 * input). A compiled schema is read-only during validation, so it is shared.
 * Kept until rp_xml_schemas_release, like libxml2's own globals. */
typedef struct schema_slot {
  const char *text;
  xmlRelaxNGPtr rng; /* NULL while busy */
  bool busy;         /* being compiled by a thread: others wait for it */
  int users;         /* validations using it now (compile .. done_with) */
  bool doomed;       /* released while in use: its last user frees it */
} schema_slot;
static schema_slot compiled[8];

/* The content and the layout may be validated on two threads at once, the
 * layout's schema compiled ahead on one (rp_xml_schema_prepare) and the
 * table released on one while another validates (pipeline.c): the table is
 * read and written under this lock, each schema compiled outside it, once;
 * a thread that needs one being compiled waits, and one released while in
 * use is freed by its last user. */
static pthread_mutex_t schemas_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t schemas_done = PTHREAD_COND_INITIALIZER;

enum { N_COMPILED = sizeof compiled / sizeof compiled[0] };

static int slot_of(const char *text) {
  for (int i = 0; i < N_COMPILED; i++)
    if (compiled[i].text == text && !compiled[i].doomed) return i;
  return -1;
}

static int free_slot(void) {
  for (int i = 0; i < N_COMPILED; i++)
    if (!compiled[i].text && !compiled[i].doomed) return i;
  return -1;
}

static const char *find(const char *p, const char *end, const char *needle, size_t nf);

/* `text` without its comments and without the blank text between tags
 * (kept inside <value> and <param>, where it is data), in `out` (len + 1
 * bytes); returns its length. libxml2 parses both and then drops them
 * (xmlRelaxNGCleanupTree): a tenth of compiling the built-in schemas went on
 * their documentation and indentation. Made for those schemas: no CDATA. */
static size_t strip_schema(const char *text, size_t len, char *out) {
  const char *p = text, *end = text + len;
  size_t o = 0;
  bool data = false; /* inside <value> or <param> */
  while (p < end) {
    if (*p == '<' && end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
      const char *c = find(p + 4, end, "-->", 3);
      if (!c) break; /* not well-formed: libxml2 will say so */
      p = c + 3;
      continue;
    }
    if (*p == '<') {
      const char *q = p + 1;
      char quote = 0;
      for (; q < end && (quote || *q != '>'); q++)
        if (quote ? *q == quote : (*q == '"' || *q == '\'')) quote = quote ? 0 : *q;
      if (q < end) q++;
      /* a start tag of value or param, not empty: its text is data */
      data = q - p >= 7 && q[-2] != '/' &&
             (memcmp(p + 1, "value", 5) == 0 || memcmp(p + 1, "param", 5) == 0) &&
             (p[6] == '>' || p[6] == ' ' || p[6] == '\t' || p[6] == '\n' || p[6] == '\r');
      memcpy(out + o, p, (size_t)(q - p));
      o += (size_t)(q - p);
      p = q;
      continue;
    }
    const char *q = p;
    bool blank = true;
    for (; q < end && *q != '<'; q++)
      if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') blank = false;
    if (!blank || data) {
      memcpy(out + o, p, (size_t)(q - p));
      o += (size_t)(q - p);
    }
    p = q;
  }
  out[o] = '\0';
  return o;
}

/* ---- regions apart: a compiled schema's memory, a layout's trees ---------
 * The content's thread compiles the layout's schema, then parses the
 * content, while this one parses the layout (pipeline.c), and each makes
 * thousands of small blocks. With one malloc arena (pipeline.c says why
 * one) each waited on the other's lock and pulled the arena's lines over to
 * its core: the layout took twice as long to parse. So what libxml2
 * allocates while a schema is compiled, and while a layout is parsed on
 * that path (rp_xml_load_apart), comes from a region of its own: a few
 * blocks from the heap, handed out in order by the thread that opened it
 * alone; a small block it frees is kept for it to hand out again, any other
 * is only counted. A region's blocks go back to the heap, for the layout
 * and the render to reuse, once it is closed and every block in it is freed
 * (the schemas released, the trees freed); it takes new ones when opened
 * again. One thread at a time has a region open (another allocates as
 * before), and none does under AddressSanitizer (it sees each block), with
 * faults armed or under a memory budget (their counts are of base/mem's
 * blocks). A region full and libxml2 allocates as before. The review's two
 * compiles take 0.7 MiB each and its layout 1.1 MiB, of which 1.3 and 0.9
 * MiB are kept till the content's thread frees them: the rest waits with
 * them (the heap would have reused it), so a thread that frees late lets
 * the layout grow the heap beside them. */
#define REGION_BLOCK ((size_t)256 << 10) /* aligned to its size; from the heap */
#define REGION_BLOCKS 24
#define REGION_SLOTS 128 /* the blocks' table: open addressing, by address */
#define REGION_HEAD 16   /* before each block handed out: its size */
#define REGION_SMALL 32  /* sizes kept for reuse: 16, 32, .. 512 bytes */

typedef struct region {
  _Atomic(char *) blocks[REGION_BLOCKS];
  atomic_int n;             /* blocks taken */
  atomic_size_t refs;       /* blocks handed out not freed, + 1 while open */
  bool open;                /* under region_lock */
  size_t used;              /* in the last block: its opener's only */
  void *kept[REGION_SMALL]; /* freed by the opener, by size: its only */
} region;
enum { REGION_SCHEMAS, REGION_TREES, N_REGIONS };
static region regions[N_REGIONS];
static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int region_all;             /* blocks in all: 0, none to look in */
static _Thread_local region *open_region; /* this thread allocates there */

/* Which region each block belongs to, found from any address in it in a
 * load or two (every block libxml2 frees is looked up while one exists):
 * key = the block's address / REGION_BLOCK + 1; 0 empty, GONE a block given
 * back (probing goes on past it). Written under region_lock. */
#define REGION_GONE UINTPTR_MAX
static _Atomic uintptr_t region_keys[REGION_SLOTS];
static unsigned char region_owner[REGION_SLOTS];

static unsigned region_slot(uintptr_t key) {
  return (unsigned)((key * 0x9E3779B97F4A7C15u) >> 57) % REGION_SLOTS;
}

/* Every block of `r` back to the heap; under region_lock, nothing in them. */
static void region_drop(region *r) {
  int n = atomic_load(&r->n);
  atomic_store_explicit(&r->n, 0, memory_order_release);
  atomic_fetch_sub(&region_all, n);
  for (int i = 0; i < n; i++) {
    char *b = atomic_exchange(&r->blocks[i], NULL);
    uintptr_t key = (uintptr_t)b / REGION_BLOCK + 1;
    for (unsigned j = region_slot(key), k = 0; k < REGION_SLOTS; j = (j + 1) % REGION_SLOTS, k++)
      if (atomic_load(&region_keys[j]) == key) {
        atomic_store(&region_keys[j], REGION_GONE);
        break;
      }
    free(b);
  }
  r->used = 0;
  memset(r->kept, 0, sizeof r->kept);
  if (atomic_load(&region_all) == 0) /* no block anywhere: nothing to find */
    for (int j = 0; j < REGION_SLOTS; j++) atomic_store(&region_keys[j], 0);
}

static void region_unref(region *r) {
  if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1) return;
  pthread_mutex_lock(&region_lock);
  if (atomic_load(&r->refs) == 0 && !r->open) region_drop(r);
  pthread_mutex_unlock(&region_lock);
}

/* This thread allocates in region `r` till region_close, if it can (not
 * within another); true if it does. */
static bool region_open(region *r) {
#ifndef RP_ASAN
  if (open_region || rp_mem_faults_armed() || rp_limit_given(RP_LIMIT_MEMORY_MIB)) return false;
  /* libxml2's globals made before, not in it (kept for good, they would
   * hold it); rp_xml_init made them already where threads load */
  xmlInitParser();
  xmlRelaxNGInitTypes();
  xmlSchemaInitTypes();
  pthread_mutex_lock(&region_lock);
  bool opened = !r->open;
  if (opened) {
    r->open = true;
    open_region = r;
    atomic_fetch_add(&r->refs, 1);
  }
  pthread_mutex_unlock(&region_lock);
  return opened;
#else
  (void)r;
  return false;
#endif
}

static void region_close(void) {
  region *r = open_region;
  if (!r) return;
  /* the copy of the last error libxml2 keeps per thread (its messages
   * were recorded already): the region must not hold one */
  xmlResetLastError();
  open_region = NULL;
  pthread_mutex_lock(&region_lock);
  r->open = false;
  pthread_mutex_unlock(&region_lock);
  region_unref(r);
}

/* The region `p` was handed out from, or NULL. */
static region *region_of(const void *p) {
  if (!atomic_load_explicit(&region_all, memory_order_acquire)) return NULL;
  uintptr_t key = (uintptr_t)p / REGION_BLOCK + 1;
  for (unsigned j = region_slot(key), k = 0; k < REGION_SLOTS; j = (j + 1) % REGION_SLOTS, k++) {
    uintptr_t at = atomic_load_explicit(&region_keys[j], memory_order_acquire);
    if (at == key) return &regions[region_owner[j]];
    if (!at) return NULL;
  }
  return NULL;
}

/* Block `b` made region r's `i`th, entered in the table and counted, all
 * under the lock (a region given back meanwhile clears the table when it
 * sees no block counted); false when the table is full. */
static bool region_enter(region *r, int i, char *b) {
  uintptr_t key = (uintptr_t)b / REGION_BLOCK + 1;
  bool done = false;
  pthread_mutex_lock(&region_lock);
  for (unsigned j = region_slot(key), k = 0; k < REGION_SLOTS && !done;
       j = (j + 1) % REGION_SLOTS, k++) {
    uintptr_t at = atomic_load(&region_keys[j]);
    if (at && at != REGION_GONE) continue;
    region_owner[j] = (unsigned char)(r - regions);
    atomic_store_explicit(&region_keys[j], key, memory_order_release);
    done = true;
  }
  if (done) {
    atomic_store(&r->blocks[i], b);
    atomic_store_explicit(&r->n, i + 1, memory_order_release);
    atomic_fetch_add_explicit(&region_all, 1, memory_order_release);
  }
  pthread_mutex_unlock(&region_lock);
  return done;
}

static size_t region_size(size_t n) { return REGION_HEAD + ((n + 15) & ~(size_t)15); }

/* The kept list for a block of `n` bytes, or -1. */
static int region_kept_class(size_t n) {
  size_t k = (n + 15) / 16;
  return k >= 1 && k <= REGION_SMALL ? (int)k - 1 : -1;
}

/* From this thread's open region; NULL when it is full. */
static void *region_alloc(region *r, size_t n) {
  size_t need = region_size(n);
  int c = region_kept_class(n);
  char *p;
  if (c >= 0 && r->kept[c]) {
    p = (char *)r->kept[c] - REGION_HEAD;
    r->kept[c] = *(void **)r->kept[c];
  } else {
    int last = atomic_load(&r->n) - 1;
    if (need > REGION_BLOCK) return NULL;
    if (last < 0 || r->used + need > REGION_BLOCK) {
      if (last + 1 == REGION_BLOCKS) return NULL;
      char *b = aligned_alloc(REGION_BLOCK, REGION_BLOCK);
      if (!b) return NULL;
      if (!region_enter(r, ++last, b)) {
        free(b);
        return NULL;
      }
      r->used = 0;
    }
    p = atomic_load(&r->blocks[last]) + r->used;
    r->used += need;
  }
  *(size_t *)p = n;
  atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
  (void)rp_mem_fail_now(); /* counted as base/mem counts (RP_FAIL_ALLOC=count); never armed */
  return p + REGION_HEAD;
}

static void *xml_alloc(size_t n) {
  void *p = open_region ? region_alloc(open_region, n) : NULL;
  return p ? p : rp_mem_lib_alloc(n);
}

static void xml_free(void *p) {
  region *r = p ? region_of(p) : NULL;
  if (!r) {
    rp_mem_free(p);
    return;
  }
  int c = region_kept_class(*(size_t *)((char *)p - REGION_HEAD));
  if (r == open_region && c >= 0) { /* kept for the opener to hand out again */
    *(void **)p = r->kept[c];
    r->kept[c] = p;
  }
  region_unref(r);
}

static void *xml_realloc(void *p, size_t n) {
  region *r = p ? region_of(p) : NULL;
  if (!r) return rp_mem_lib_realloc(p, n);
  size_t *head = (size_t *)((char *)p - REGION_HEAD), had = *head;
  if (n <= had) return p;
  /* the last handed out, by the region's opener: grown where it is */
  if (r == open_region) {
    char *b = atomic_load(&r->blocks[atomic_load(&r->n) - 1]);
    if ((char *)head + region_size(had) == b + r->used &&
        r->used - region_size(had) + region_size(n) <= REGION_BLOCK) {
      r->used += region_size(n) - region_size(had);
      *head = n;
      return p;
    }
  }
  void *q = xml_alloc(n);
  if (!q) return NULL;
  memcpy(q, p, had);
  xml_free(p);
  return q;
}

static char *xml_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = xml_alloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

int rp_xml_region_blocks(void) { return atomic_load(&region_all); }

/* The compiled schema of `text`, to be given back with done_with. */
static xmlRelaxNGPtr compile(const char *name, const char *text, size_t len) {
  pthread_mutex_lock(&schemas_lock);
  int i = slot_of(text);
  while (i >= 0 && compiled[i].busy) {
    pthread_cond_wait(&schemas_done, &schemas_lock);
    i = slot_of(text); /* gone: its compiling failed */
  }
  if (i >= 0) {
    xmlRelaxNGPtr rng = compiled[i].rng;
    compiled[i].users++;
    pthread_mutex_unlock(&schemas_lock);
    return rng;
  }
  i = free_slot();
  if (i >= 0) compiled[i].text = text, compiled[i].busy = true;
  pthread_mutex_unlock(&schemas_lock);
  rp_diag schema_diag;
  rp_diag_init(&schema_diag);
  err_ctx sec = {.diag = &schema_diag, .path = name};
  xmlRelaxNGPtr rng = NULL;
  /* Stripped here unless it came bare (a fast twin, src/base/embed.cmake:
   * no line break). Plain malloc: a passing copy, outside the counted
   * memory like the variants. */
  char *bare = memchr(text, '\n', len) ? malloc(len + 1) : NULL;
  size_t bare_len = bare ? strip_schema(text, len, bare) : 0;
  bool apart = region_open(&regions[REGION_SCHEMAS]);
  xmlRelaxNGParserCtxtPtr pctx =
      xmlRelaxNGNewMemParserCtxt(bare ? bare : text, (int)(bare ? bare_len : len));
  if (pctx) {
    xmlRelaxNGSetParserStructuredErrors(pctx, on_error, &sec);
    rng = xmlRelaxNGParse(pctx);
    xmlRelaxNGFreeParserCtxt(pctx);
  }
  if (apart) region_close();
  free(bare);
  rp_diag_fini(&schema_diag);
  if (i >= 0) {
    pthread_mutex_lock(&schemas_lock);
    compiled[i].rng = rng;
    compiled[i].busy = false;
    compiled[i].users = rng ? 1 : 0;
    if (!rng) compiled[i].text = NULL, compiled[i].doomed = false;
    pthread_cond_broadcast(&schemas_done);
    pthread_mutex_unlock(&schemas_lock);
  }
  return rng;
}

/* Gives back what compile gave: freed now if it was not kept (no room in
 * the table) or was released while in use and this was its last user. */
static void done_with(xmlRelaxNGPtr rng) {
  if (!rng) return;
  bool found = false, last = false;
  pthread_mutex_lock(&schemas_lock);
  for (int i = 0; i < N_COMPILED && !found; i++) {
    if (compiled[i].rng != rng) continue;
    found = true;
    if (--compiled[i].users == 0 && compiled[i].doomed) {
      last = true;
      compiled[i] = (schema_slot){0};
    }
  }
  pthread_mutex_unlock(&schemas_lock);
  if (!found || last) xmlRelaxNGFree(rng);
}

void rp_xml_schema_prepare(const rp_xml_schema *schema) {
  const char *text = schema->fast_text ? schema->fast_text : schema->text;
  size_t len = schema->fast_text ? schema->fast_len : schema->len;
  rp_mem_shield(true); /* as validate compiles: libxml2's allocations */
  done_with(compile(schema->name, text, len));
  rp_mem_shield(false);
}

void rp_xml_schemas_release(void) {
  xmlRelaxNGPtr unused[N_COMPILED];
  int n = 0;
  pthread_mutex_lock(&schemas_lock);
  for (int i = 0; i < N_COMPILED; i++) {
    if (!compiled[i].text || compiled[i].doomed) continue;
    if (compiled[i].users > 0 || compiled[i].busy) {
      compiled[i].doomed = true; /* its last user frees it (a busy one: its compiler) */
      continue;
    }
    unused[n++] = compiled[i].rng;
    compiled[i] = (schema_slot){0};
  }
  pthread_mutex_unlock(&schemas_lock);
  for (int i = 0; i < n; i++) xmlRelaxNGFree(unused[i]); /* outside the lock: long */
}

static void ignore_error(void *user, error_ptr e) { (void)user, (void)e; }

/* The fast schema's verdict: true only if it accepts `doc`. */
static bool valid_fast(xmlDocPtr doc, const rp_xml_schema *schema) {
  if (!schema->fast_text || !schema->fast_ok || !schema->fast_ok(doc)) return false;
  xmlRelaxNGPtr rng = compile(schema->name, schema->fast_text, schema->fast_len);
  if (!rng) return false;
  xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(rng);
  bool ok = false;
  if (vctx) {
    xmlRelaxNGSetValidStructuredErrors(vctx, ignore_error, NULL);
    ok = xmlRelaxNGValidateDoc(vctx, doc) == 0;
    xmlRelaxNGFreeValidCtxt(vctx);
  }
  done_with(rng);
  return ok;
}

/* The first `needle` (nf > 0 bytes) in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *needle, size_t nf) {
  while ((size_t)(end - p) >= nf) {
    const char *c = memchr(p, needle[0], (size_t)(end - p) - nf + 1);
    if (!c) return NULL;
    if (memcmp(c, needle, nf) == 0) return c;
    p = c + 1;
  }
  return NULL;
}

static const char *variant_locked(const char *text, size_t len, const char *from, const char *to,
                                  size_t *out_len) {
  static struct {
    const char *text, *from;
    char *variant;
    size_t len;
  } made[4];
  if (!from[0]) return NULL;
  size_t i = 0;
  for (; i < sizeof made / sizeof made[0] && made[i].text; i++)
    if (made[i].text == text && made[i].from == from) break;
  if (i == sizeof made / sizeof made[0]) return NULL;
  if (!made[i].text) {
    const char *end = text + len;
    size_t nf = strlen(from), nt = strlen(to), count = 0;
    for (const char *p = find(text, end, from, nf); p; p = find(p + nf, end, from, nf)) count++;
    if (count == 0) return NULL;
    size_t n = len - count * nf + count * nt, o = 0;
    /* plain malloc: kept until exit, outside reviewpdf's counted memory */
    char *v = malloc(n + 1);
    if (!v) return NULL;
    const char *p = text;
    for (const char *at = find(p, end, from, nf); at; at = find(p, end, from, nf)) {
      memcpy(v + o, p, (size_t)(at - p));
      o += (size_t)(at - p);
      memcpy(v + o, to, nt);
      o += nt;
      p = at + nf;
    }
    memcpy(v + o, p, (size_t)(end - p));
    v[n] = '\0';
    made[i].text = text;
    made[i].from = from;
    made[i].variant = v;
    made[i].len = n;
  }
  *out_len = made[i].len;
  return made[i].variant;
}

const char *rp_xml_schema_variant(const char *text, size_t len, const char *from, const char *to,
                                  size_t *out_len) {
  pthread_mutex_lock(&schemas_lock);
  const char *v = variant_locked(text, len, from, to, out_len);
  pthread_mutex_unlock(&schemas_lock);
  return v;
}

static int cmp_name(const void *key, const void *elem) {
  return strcmp(key, *(const char *const *)elem);
}

/* Bit n of [c] set: some name of the list starts with c and is n < 64
 * bytes long (a longer one sets bit 0: its length is not told). */
typedef uint64_t name_lens[256];

static bool value_ok(const xmlAttr *at, const char *const *attrs, size_t n_attrs, const char *list,
                     const name_lens *lens, bool (*word)(const char *s, size_t n)) {
  const char *name = (const char *)at->name;
  bool is_list = list && strcmp(name, list) == 0;
  size_t len = strlen(name);
  uint64_t firsts = (*lens)[(unsigned char)name[0]];
  /* most attributes are told apart by their first letter and length */
  bool maybe = (firsts & 1) || (len < 64 && (firsts >> len & 1));
  if (!is_list && (!maybe || !bsearch(name, attrs, n_attrs, sizeof *attrs, cmp_name))) return true;
  const xmlNode *t = at->children;
  if (!t || t->next || t->type != XML_TEXT_NODE || !t->content) return false;
  const char *v = (const char *)t->content;
  if (!is_list) return word(v, strlen(v));
  while (*v) {
    v += strspn(v, " \t\r\n");
    size_t w = strcspn(v, " \t\r\n");
    if (w > 0 && !word(v, w)) return false;
    v += w;
  }
  return true;
}

bool rp_xml_attrs_all(const xmlDoc *doc, const char *const *attrs, size_t n_attrs, const char *list,
                      bool (*word)(const char *s, size_t n)) {
  name_lens lens = {0};
  for (size_t i = 0; i < n_attrs; i++) {
    size_t len = strlen(attrs[i]);
    lens[(unsigned char)attrs[i][0]] |= len < 64 ? (uint64_t)1 << len : 1;
  }
  const xmlNode *root = xmlDocGetRootElement(doc);
  for (const xmlNode *n = root; n; n = next_in_tree(n, root)) {
    if (n->type != XML_ELEMENT_NODE) continue;
    for (const xmlAttr *at = n->properties; at; at = at->next)
      if (!value_ok(at, attrs, n_attrs, list, &lens, word)) return false;
  }
  return true;
}

static rp_status validate(xmlDocPtr doc, const rp_xml_schema *schema, err_ctx *ec) {
  if (valid_fast(doc, schema)) return RP_OK;
  rp_status st = RP_OK;
  xmlRelaxNGPtr rng = NULL;
  xmlRelaxNGValidCtxtPtr vctx = NULL;
  rp_diag *out = ec->diag;
  size_t errors_before = out->errors;
  rp_diag found;
  rp_diag_init(&found);

  rng = compile(schema->name, schema->text, schema->len);
  if (!rng) goto internal;
  vctx = xmlRelaxNGNewValidCtxt(rng);
  if (!vctx) goto internal;
  /* Errors are gathered apart, with the element each names, then explained
   * (explain_all) on their way to `out`. */
  ec->diag = &found;
  ec->track = true;
  xmlRelaxNGSetValidStructuredErrors(vctx, on_error, ec);
  ec->hold = true;
  ec->first = 0;
  int invalid = xmlRelaxNGValidateDoc(vctx, doc) != 0;
  ec->hold = false;
  if (ec->held) {
    /* Some errors came without their element (libxml2 loses it in
     * interleaves: "Element member failed to validate attributes"). The
     * push interface keeps it: validate again that way, element by element,
     * to locate those errors (and only those). */
    xmlRelaxNGFreeValidCtxt(vctx);
    vctx = xmlRelaxNGNewValidCtxt(rng);
    if (!vctx) goto internal;
    ec->again = true;
    ec->last_line = 0;
    xmlRelaxNGSetValidStructuredErrors(vctx, on_error, ec);
    push_validate(vctx, doc, doc->children);
    ec->again = false;
    /* Not located, nor said of its element by a located error: report it
     * as it came (libxml2 may blame an earlier sibling for it), once. */
    for (size_t i = 0; i < ec->n_held; i++) {
      const char *msg = ec->held_msgs[i].msg;
      if (ec->held_msgs[i].left > 0 && !names_element(ec, msg))
        rp_diag_error(ec->diag, RP_ERR_INPUT, ec->path, 0, 0, "%s%s%s", msg, hint(msg),
                      ec->suffix ? ec->suffix : "");
    }
  }
  ec->diag = out;
  ec->track = false;
  explain_all(ec, &found, out, schema);
  /* Count this document's errors only: `d` may hold earlier ones. */
  if (invalid && out->errors == errors_before)
    rp_diag_error(out, RP_ERR_INPUT, ec->path, 0, 0, "does not match %s%s", schema->name,
                  ec->suffix ? ec->suffix : "");
  st = out->errors == errors_before ? RP_OK : RP_ERR_INPUT;
  goto done;
internal:
  ec->diag = out;
  ec->track = false;
  st = rp_diag_error(out, RP_ERR_INTERNAL, schema->name, 0, 0,
                     "the built-in schema cannot be loaded (a bug in reviewpdf)");
done:
  xmlRelaxNGFreeValidCtxt(vctx);
  done_with(rng);
  rp_diag_fini(&found);
  rp_mem_free(ec->where);
  ec->where = NULL;
  ec->n_where = 0;
  return st;
}

rp_status rp_xml_validate(xmlDocPtr doc, const char *path, const rp_xml_schema *schema,
                          rp_diag *d) {
  char suffix[256] = "";
  if (schema->doc_hint)
    snprintf(suffix, sizeof suffix, " (the language is described in %s)", schema->doc_hint);
  err_ctx ec = {.diag = d, .path = path, .suffix = suffix};
  xmlSetStructuredErrorFunc(&ec, on_error);
  /* libxml2 2.9's RelaxNG (its automata, regexps and facets) dereferences
   * allocations that failed: no injected faults inside it (base/mem.h). */
  rp_mem_shield(true);
  rp_status st = validate(doc, schema, &ec);
  rp_mem_shield(false);
  xmlSetStructuredErrorFunc(NULL, NULL);
  return st;
}

/* Walks the tree without recursion: later stages recurse. */
rp_status rp_xml_check_depth(xmlDocPtr doc, const char *path, rp_diag *d) {
  size_t max = rp_limit(RP_LIMIT_DEPTH), depth = 1;
  xmlNodePtr root = xmlDocGetRootElement(doc), n = root;
  while (n) {
    if (n->type == XML_ELEMENT_NODE && depth > max)
      return rp_limit_exceeded(d, RP_LIMIT_DEPTH, rp_xml_file(n, path), rp_xml_line(n), depth,
                               "levels of nested elements");
    if (n->type == XML_ELEMENT_NODE && n->children) {
      n = n->children;
      depth++;
      continue;
    }
    while (n != root && !n->next) {
      n = n->parent;
      depth--;
    }
    if (n == root) break;
    n = n->next;
  }
  return RP_OK;
}

static rp_status load(const char *path, const rp_xml_schema *schema, bool apart, rp_diag *d,
                      xmlDocPtr *out) {
  *out = NULL;
  err_ctx ec = {.diag = d, .path = path};
  size_t errors_before = d->errors;
  xmlDocPtr doc = NULL;
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
  apart = apart && region_open(&regions[REGION_TREES]); /* till validation: its blocks pass */
  doc = safe_parse(path, &ec, NULL);
  if (!doc || d->errors != errors_before) goto fail;

  {
    char real[PATH_MAX], dir[PATH_MAX], dir_real[PATH_MAX];
    if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    dir_of(path, dir, sizeof dir);
    dir_of(real, dir_real, sizeof dir_real);
    include_frame top = {NULL, real};
    include_state st = {&ec, doc, dir_real, 0, 0, 0};
    xmlNodePtr next;
    for (xmlNodePtr n = doc->children; n; n = next) {
      next = n->next;
      expand(n, path, dir, &top, 0, &st);
    }
    if (d->errors != errors_before) goto fail;
  }

  if (apart) region_close();
  if (schema && rp_xml_validate(doc, path, schema, d) != RP_OK) goto fail;
  xmlSetStructuredErrorFunc(NULL, NULL);
  *out = doc;
  return RP_OK;

fail:
  if (apart) region_close();
  xmlSetStructuredErrorFunc(NULL, NULL);
  xmlFreeDoc(doc);
  return rp_diag_status(d) != RP_OK ? rp_diag_status(d) : RP_ERR_INPUT;
}

rp_status rp_xml_load(const char *path, const rp_xml_schema *schema, rp_diag *d, xmlDocPtr *out) {
  return load(path, schema, false, d, out);
}

rp_status rp_xml_load_apart(const char *path, const rp_xml_schema *schema, rp_diag *d,
                            xmlDocPtr *out) {
  return load(path, schema, true, d, out);
}

int rp_xml_line(const xmlNode *n) { return n ? (int)xmlGetLineNo(n) : 0; }

const char *rp_xml_file(const xmlNode *n, const char *fallback) {
  /* include_one marks the root of each included tree with its file. Text and
   * attribute nodes belong to the file of their element. */
  if (n && n->type != XML_ELEMENT_NODE) n = n->parent;
  for (const xmlNode *p = n; p && p->type == XML_ELEMENT_NODE; p = p->parent)
    if (p->_private) return (const char *)p->_private;
  return fallback;
}

char *rp_xml_text_collapsed(const xmlNode *n) {
  xmlChar *raw = xmlNodeGetContent(n);
  if (!raw) return NULL;
  size_t len = strlen((const char *)raw);
  char *out = rp_mem_alloc(len + 1);
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
  char *s = rp_mem_strdup((const char *)v);
  xmlFree(v);
  return s;
}

const char *rp_xml_library(void) { return "libxml2 " LIBXML_DOTTED_VERSION; }

/* libxml2's generic errors (printed to stderr by default) are not ours to
 * print; everything that matters arrives through the structured handler. */
static void silent(void *ctx, const char *msg, ...) { (void)ctx, (void)msg; }

void rp_xml_init(void) {
  xmlInitParser();
  /* RelaxNG's datatype library and XML Schema's built-in types are libxml2
   * globals made on first use, without a lock: two threads compiling
   * schemas at once each made a set, and one leaked (test_mutations under
   * ASan, one run in twenty) */
  xmlRelaxNGInitTypes();
  xmlSchemaInitTypes();
  xmlThrDefSetGenericErrorFunc(NULL, silent); /* threads made from now on, as this one */
}

void rp_xml_use_rp_mem(void) {
  xmlMemSetup(xml_free, xml_alloc, xml_realloc, xml_strdup);
  xmlSetGenericErrorFunc(NULL, silent);
}
