/* vocab — the document's own kinds (<vocabulary>, docs/content.md
 * "Vocabulary"): of members, of organisations, of event roles, each with the
 * label layouts print. A layer of the model build (builder.h).
 *
 * Kinds are open: the content declares them, this file checks that each is
 * declared once per `of` and that every reference (member/@kind,
 * seat/organisation/@kind, event/@role) names a declared one. An undeclared
 * kind is reported once, at its first use, with the declaration to add. */
#include <stdio.h>
#include <string.h>

#include "base/xml.h"
#include "model/builder.h"

static const char *const of_names[RP_KIND_OF_COUNT] = {"member", "organisation", "event-role"};

/* What uses a kind, for messages: "members", "board seats' organisations", … */
static const char *const of_users[RP_KIND_OF_COUNT] = {"members", "organisations (board seats)",
                                                       "event roles"};

static int kind_of(const char *v) {
  for (int i = 0; v && i < RP_KIND_OF_COUNT; i++)
    if (strcmp(v, of_names[i]) == 0) return i;
  return -1;
}

static void build_kind(rp_builder *b, const xmlNode *c, rp_kind *k) {
  k->id = rp_builder_attr(b, c, "id");
  k->label = rp_builder_attr(b, c, "label");
  k->plural = rp_builder_attr(b, c, "plural");
  if (!k->plural) k->plural = k->label;
  k->color = rp_builder_attr(b, c, "color");
  k->line = rp_xml_line(c);
  if (!k->label)
    rp_builder_fail(b, c, "<kind> needs a label, the words printed for it (label=\"Full member\")");
  size_t n = rp_builder_count(c, "translation");
  k->translations = rp_builder_alloc(b, n, sizeof *k->translations);
  if (!k->translations) return;
  size_t i = 0;
  RP_FOR_EACH(t, c, "translation") {
    rp_kind_translation *tr = &k->translations[i++];
    xmlChar *lang = xmlNodeGetLang(t);
    tr->lang = rp_builder_keep(b, (const char *)lang);
    xmlFree(lang);
    tr->label = rp_builder_attr(b, t, "label");
    tr->plural = rp_builder_attr(b, t, "plural");
    if (!tr->plural) tr->plural = tr->label;
  }
  k->n_translations = i;
}

void rp_vocab_build(rp_builder *b, const xmlNode *n) {
  rp_model *m = b->m;
  size_t total[RP_KIND_OF_COUNT] = {0};
  RP_FOR_EACH(ks, n, "kinds") {
    int of = kind_of(rp_builder_attr(b, ks, "of"));
    if (of >= 0) total[of] += rp_builder_count(ks, "kind");
  }
  for (int of = 0; of < RP_KIND_OF_COUNT; of++)
    m->kinds[of] = rp_builder_alloc(b, total[of], sizeof *m->kinds[of]);
  RP_FOR_EACH(ks, n, "kinds") {
    const char *of_attr = rp_builder_attr(b, ks, "of");
    int of = kind_of(of_attr);
    if (of < 0) {
      rp_builder_fail(b, ks, "<kinds of=\"%s\"> must be of member, organisation or event-role",
                      of_attr ? of_attr : "");
      continue;
    }
    if (!m->kinds[of]) continue;
    RP_FOR_EACH(c, ks, "kind") {
      size_t i = m->n_kinds[of];
      rp_kind *k = &m->kinds[of][i];
      build_kind(b, c, k);
      const rp_id_entry *dup = rp_builder_idset_add(b, &b->kinds[of], k->id, c, i);
      if (dup) {
        rp_builder_fail(b, c,
                        "<kind id=\"%s\"> is declared twice for %s (first on %s): declare each "
                        "kind once in <kinds of=\"%s\">",
                        k->id, of_users[of], rp_builder_where(b, dup->node, c), of_names[of]);
        continue;
      }
      m->n_kinds[of]++;
    }
  }
}

const char *rp_vocab_ref(rp_builder *b, const xmlNode *n, const char *name, rp_kind_of of) {
  const char *v = rp_builder_attr(b, n, name);
  if (!v || rp_idset_find(&b->kinds[of], v)) return v;
  if (rp_idset_find(&b->kinds_reported[of], v)) return v;
  rp_builder_idset_add(b, &b->kinds_reported[of], v, n, 0);
  const rp_model *m = b->m;
  char list[400] = "";
  size_t len = 0;
  for (size_t i = 0; i < m->n_kinds[of] && len < sizeof list - 1; i++)
    len +=
        (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", m->kinds[of][i].id);
  char why[512];
  if (m->n_kinds[of])
    snprintf(why, sizeof why, "declared for %s: %s", of_users[of], list);
  else
    snprintf(why, sizeof why, "the document declares no kinds of=\"%s\"", of_names[of]);
  rp_builder_fail(b, n,
                  "<%s %s=\"%s\">: the kind \"%s\" is not declared (%s); declare it in "
                  "<vocabulary>: <kinds of=\"%s\"><kind id=\"%s\" label=\"…\"/></kinds>",
                  (const char *)n->name, name, v, v, why, of_names[of], v);
  return v;
}
