/* fuzz_xpath — XPath as layouts write it, with reviewpdf's extension
 * functions (format-date, date-range, months, format-number, person, figure,
 * section, join, initials, social-url, choose, label, kind-label): the input
 * is compiled both as an attribute value template ("{…} text {…}") and as a
 * bare expression, and evaluated on the sample's content at the root and at
 * a person, an event and a figure. The sample layout supplies the labels. */
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "fuzz.h"
#include "model/content.h"
#include "template/def.h"
#include "template/template.h"

static rp_arena *keep;
static rp_diag keep_d;
static rp_content *content;
static rp_layout_def *layout;
static xmlNodePtr nodes[4];

static xmlNodePtr first(xmlNodePtr n, const char *name) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (strcmp((const char *)n->name, name) == 0) return n;
    xmlNodePtr c = first(n->children, name);
    if (c) return c;
  }
  return NULL;
}

static void setup(void) {
  if (layout) return;
  keep = rp_arena_new();
  rp_diag_init(&keep_d);
  if (rp_content_load(keep, rp_fuzz_path("data/ccin-2018-19.xml"), &keep_d, &content) != RP_OK ||
      rp_layout_def_load(keep, rp_fuzz_path("layouts/annual-review.xml"), &keep_d, &layout) !=
          RP_OK)
    abort();
  xmlNodePtr root = xmlDocGetRootElement(content->doc);
  nodes[0] = root;
  nodes[1] = first(root, "person");
  nodes[2] = first(root, "event");
  nodes[3] = first(root, "figure");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  char *text = malloc(size + 1);
  rp_arena *a = rp_arena_new();
  if (!text || !a) abort();
  memcpy(text, data, size);
  text[size] = 0;
  rp_diag d;
  rp_diag_init(&d);
  /* Compiling allocates from the layout and keeps the compiled expressions
   * with it: lend it this input's arena, and put back its list after, so
   * that each input frees all it took (libFuzzer's leak check stays quiet
   * and the layout does not grow run after run). */
  rp_arena *saved_a = layout->a;
  rp_vec saved_comps = layout->comps;
  layout->a = a;
  layout->d = &d;
  xmlNodePtr at = xmlDocGetRootElement(layout->doc);
  const rp_avt *avt = rp_avt_compile(layout, at, "fuzz", text, RP_AVT_CONTENT, NULL);
  const rp_xexpr *expr = rp_xexpr_compile(layout, at, "fuzz", text, NULL);
  rp_xeval x = {0};
  if (rp_xeval_init(&x, a, &d, content->doc, content->path) == RP_OK) {
    x.layout = layout;
    for (int i = 0; i < 4; i++) {
      if (!nodes[i]) continue;
      char *out;
      if (avt) rp_avt_eval(&x, avt, nodes[i], 1, 1, &out);
      if (expr) xmlXPathFreeObject(rp_xeval_run(&x, expr, nodes[i], 1, 3));
    }
  }
  rp_xeval_fini(&x);
  for (size_t i = saved_comps.len; i < layout->comps.len; i++)
    xmlXPathFreeCompExpr(RP_VEC_AT(layout->comps, xmlXPathCompExprPtr, i));
  layout->comps = saved_comps;
  layout->a = saved_a;
  layout->d = NULL;
  rp_diag_fini(&d);
  rp_arena_free(a);
  free(text);
  return 0;
}
