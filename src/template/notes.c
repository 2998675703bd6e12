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
 * "document") prints them as paragraphs of role Note, under a title: a
 * heading (level 2 unless title-level says) whose text is the <endnotes>'
 * or the <notes>' title=, by default the label "notes" when the layout's
 * labels have one; title="" prints none. */
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

/* The label "notes" as a pattern, when the default label table has it: the
 * endnotes' title when no title= says otherwise. */
static const char *default_title(const rp_layout_def *l) {
  if (l->label_tables.len == 0) return NULL;
  const rp_label_table *t = RP_VEC_AT(l->label_tables, rp_label_table *, 0);
  for (size_t i = 0; i < t->labels.len; i++)
    if (strcmp(RP_VEC_AT(t->labels, rp_label_def, i).name, "notes") == 0) return "{label('notes')}";
  return NULL;
}

/* A heading over endnotes, compiled as <heading level="…" style="…"
 * keep-with-next="true">text</heading> would be: title-level (default 2),
 * title-style (default h<level>, else body), text the pattern `text`. NULL
 * for no text or an empty one (no title), and on error (*ok cleared). */
static const rp_tnode *title_heading(rp_layout_def *l, xmlNode *n, const char *text, bool *ok) {
  int level = 2;
  bool good = rp_def_int(l, n, "title-level", 1, 6, &level);
  const rp_style_def *style = rp_def_style_attr(l, n, "title-style", &good);
  char hname[4] = {'h', (char)('0' + level), 0};
  if (!style) style = rp_style_find(l, hname);
  if (!style) style = rp_style_find(l, "body");
  if (!good || !text || !text[0]) {
    *ok &= good;
    return NULL;
  }
  if (!style) {
    rp_def_error(l, n, "<%s title>: no style for the title; give title-style=\"…\"",
                 (const char *)n->name);
    *ok = false;
    return NULL;
  }
  rp_tnode *h = rp_arena_calloc(l->a, 1, sizeof *h), *txt = rp_arena_calloc(l->a, 1, sizeof *txt);
  if (!h || !txt) {
    *ok = rp_def_out_of_memory(l);
    return NULL;
  }
  h->kind = RP_T_HEADING;
  txt->kind = RP_T_TEXT;
  h->file = txt->file = rp_def_file(l, n);
  h->line = txt->line = rp_xml_line(n);
  h->style = style;
  h->keep_with_next = 1; /* never the last line of a page, its notes on the next */
  h->u.heading.level = level;
  h->u.heading.bookmark_level = 2;
  txt->u.text.text = rp_avt_compile(l, n, "title", text, RP_AVT_CONTENT, NULL);
  if (!txt->u.text.text) {
    *ok = false;
    return NULL;
  }
  h->children = txt;
  return h;
}

/* The title written on n, else the <notes>' (or the default label). */
static const char *title_text(rp_layout_def *l, xmlNode *n) {
  const char *v = rp_def_attr(l, n, "title");
  if (v) return v;
  if (l->notes_declared && l->notes.title_text) return l->notes.title_text;
  return default_title(l);
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
  nd->title_text = title_text(l, n);
  nd->title = title_heading(l, n, nd->title_text, &ok);
  return ok ? RP_OK : RP_ERR_INPUT;
}

bool rp_compile_endnotes(rp_layout_def *l, xmlNode *n, rp_tnode *t, const rp_style_def *own,
                         const rp_tscope *sc, bool *ok) {
  (void)own, (void)sc;
  /* any title attribute makes a title of its own; else the <notes>' */
  t->u.endnotes.title_set = rp_def_attr(l, n, "title") || rp_def_attr(l, n, "title-style") ||
                            rp_def_attr(l, n, "title-level");
  if (t->u.endnotes.title_set) t->u.endnotes.title = title_heading(l, n, title_text(l, n), ok);
  return true;
}

bool rp_notes_endnotes(rp_binder *b, rp_note_state *ns, const rp_tnode *t, xmlNodePtr node,
                       rp_blist *out) {
  if (ns->pending.len == 0) return true; /* no title over nothing */
  rp_arena *a = rp_binder_arena(b);
  const rp_layout_def *l = rp_binder_layout(b);
  const rp_tnode *title = t && t->u.endnotes.title_set ? t->u.endnotes.title : l->notes.title;
  if (title) rp_tkinds[RP_T_HEADING].bind(b, title, node, 1, 1, out, 0);
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
