/* notes — the layout's <notes> declaration and endnotes (docs/layout.md,
 * "Notes").
 *
 * A <note> in the content's rich text becomes, where spans.c meets it, a
 * mark in the running text (a superscript number) and an rp_note holding
 * the note's own text behind the same number. Numbers count through the
 * document or restart with every section, in the order binding meets the
 * notes (the order the layout prints them). A footnote is left to layout,
 * which sets it at the foot of the column its mark lands in. Endnotes wait
 * in the binding's rp_note_state until an <endnotes/> element, the end of
 * the section (placement="section") or of the document (placement=
 * "document") prints them as paragraphs of role Note. */
#include <string.h>

#include "base/xml.h"
#include "template/def.h"

rp_note_area rp_notes_area(const rp_layout_def *l) {
  (void)l;
  return (rp_note_area){.space = 9, .rule_width = 0.5, .rule_length = 0.25};
}

static bool keyword(rp_layout_def *l, xmlNode *n, const char *attr, const char *const *words,
                    int count, int *out) {
  const char *v = rp_def_attr(l, n, attr);
  if (!v) return true;
  for (int i = 0; i < count; i++)
    if (strcmp(v, words[i]) == 0) {
      *out = i;
      return true;
    }
  rp_def_error(l, n, "<notes %s=\"%s\">: not a known value; see docs/layout.md, \"Notes\"", attr,
               v);
  return false;
}

rp_status rp_notes_load(rp_layout_def *l, xmlNode *n) {
  if (l->notes_declared)
    return rp_def_error(l, n,
                        "a second <notes>: a layout declares how its notes print once; remove "
                        "one (the first is at %s:%d)",
                        l->notes.file, l->notes.line);
  l->notes_declared = true;
  rp_notes_def *nd = &l->notes;
  nd->file = rp_def_file(l, n);
  nd->line = rp_xml_line(n);
  static const char *const places[] = {"foot", "section", "document"};
  static const char *const numbers[] = {"document", "section", "page"};
  int place = RP_NOTES_FOOT, number = RP_NUMBER_DOCUMENT;
  bool ok = keyword(l, n, "placement", places, 3, &place);
  ok = keyword(l, n, "numbering", numbers, 3, &number) && ok;
  if (number == RP_NUMBER_PAGE && place != RP_NOTES_FOOT) {
    rp_def_error(l, n,
                 "<notes numbering=\"page\">: only footnotes can be numbered per page; give "
                 "placement=\"foot\" or number them per document or section");
    ok = false;
  }
  nd->placement = (rp_note_place)place;
  nd->numbering = (rp_note_numbering)number;
  nd->style = rp_def_style_attr(l, n, "style", &ok);
  nd->mark_style = rp_def_style_attr(l, n, "mark-style", &ok);
  double length = nd->area.rule_length;
  ok = rp_def_length(l, n, "space", -1, &nd->area.space) && ok;
  ok = rp_def_length(l, n, "separator-length", 1.0, &length) && ok;
  const char *sep = rp_def_attr(l, n, "separator");
  if (sep && strcmp(sep, "none") == 0)
    nd->area.rule_width = 0;
  else
    ok = rp_def_length(l, n, "separator", -1, &nd->area.rule_width) && ok;
  if (rp_def_attr(l, n, "separator-color")) {
    ok = rp_def_color(l, n, "separator-color", &nd->area.rule_color) && ok;
    nd->rule_color_set = true;
  }
  if (length < 0 || length > 1) {
    rp_def_error(l, n, "<notes separator-length>: give a share of the column from 0%% to 100%%");
    ok = false;
  }
  nd->area.rule_length = length;
  return ok ? RP_OK : RP_ERR_INPUT;
}

bool rp_notes_endnotes(rp_arena *a, const rp_layout_def *l, rp_note_state *ns, rp_blist *out) {
  (void)l;
  for (size_t i = 0; i < ns->pending.len; i++) {
    const rp_note *note = RP_VEC_AT(ns->pending, rp_note *, i);
    rp_block *blk = rp_arena_calloc(a, 1, sizeof *blk);
    if (!blk) return false;
    blk->kind = RP_BLOCK_PARAGRAPH;
    blk->role = RP_ROLE_NOTE;
    blk->style = note->style;
    blk->spans = note->spans;
    blk->src = note->src;
    rp_binder_add(out, blk);
  }
  ns->pending.len = 0;
  return true;
}
