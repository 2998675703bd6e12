/* kinds — the table of template element kinds: for each, the element that
 * writes it, whether it is inline, and the functions that compile it (at
 * load, compile.c) and bind it (per context node, bind.c).
 *
 * compile.c reads what every element has (select, test, required, keep-*,
 * style) and calls the kind's compile function; bind.c applies select and
 * test and calls its bind function, which appends the blocks it makes (or,
 * for inline kinds, the spans). Adding a kind is an entry here and its two
 * functions; a new kind of block also needs its rp_block_kind
 * (bound/blocks.h) and its place function (layout/place.c). See
 * docs/architecture.md, "Kinds". */
#include <string.h>

#include "template/def.h"

const rp_tkind_def rp_tkinds[] = {
    /* blocks */
    [RP_T_HEADING] = {"heading", RP_T_HEADING, false, false, rp_compile_heading, rp_bind_text,
                      NULL},
    [RP_T_PARAGRAPH] = {"paragraph", RP_T_PARAGRAPH, false, false, rp_compile_paragraph,
                        rp_bind_text, NULL},
    [RP_T_LIST] = {"list", RP_T_LIST, false, false, rp_compile_list, rp_bind_list, NULL},
    /* items bind only inside lists (rp_bind_list) */
    [RP_T_ITEM] = {"item", RP_T_ITEM, false, false, rp_compile_item, NULL, NULL},
    [RP_T_QUOTE] = {"quote", RP_T_QUOTE, false, false, rp_compile_quote, rp_bind_box, NULL},
    [RP_T_BOX] = {"box", RP_T_BOX, false, false, rp_compile_box, rp_bind_box, NULL},
    [RP_T_SHAPE] = {"shape", RP_T_SHAPE, false, false, rp_compile_shape, rp_bind_shape, NULL},
    [RP_T_SPACER] = {"spacer", RP_T_SPACER, false, false, rp_compile_spacer, rp_bind_spacer, NULL},
    [RP_T_CHART] = {"chart", RP_T_CHART, false, false, rp_compile_chart, rp_bind_chart, NULL},
    [RP_T_PAGE_BREAK] = {"page-break", RP_T_PAGE_BREAK, false, false, NULL, rp_bind_break, NULL},
    [RP_T_COLUMN_BREAK] = {"column-break", RP_T_COLUMN_BREAK, false, false, NULL, rp_bind_break,
                           NULL},
    [RP_T_GRID] = {"grid", RP_T_GRID, false, false, rp_compile_grid, rp_bind_grid, NULL},
    [RP_T_COLUMNS] = {"columns", RP_T_COLUMNS, false, false, rp_compile_columns, rp_bind_columns,
                      NULL},
    [RP_T_CARD] = {"card", RP_T_CARD, false, false, rp_compile_card, rp_bind_cell, NULL},
    [RP_T_TABLE] = {"table", RP_T_TABLE, false, false, rp_compile_table, rp_bind_table, NULL},
    /* a table's first child only: the table compiles and binds it */
    [RP_T_HEADER] = {"header", RP_T_HEADER, false, false, NULL, NULL, NULL},
    [RP_T_ROW] = {"row", RP_T_ROW, false, false, rp_compile_row, rp_bind_row, NULL},
    [RP_T_CELL] = {"cell", RP_T_CELL, false, false, rp_compile_cell, rp_bind_cell, NULL},
    [RP_T_STAT] = {"stat", RP_T_STAT, false, false, rp_compile_stat, rp_bind_stat, NULL},
    [RP_T_IMAGE] = {"image", RP_T_IMAGE, false, false, rp_compile_image, rp_bind_image, NULL},
    [RP_T_ENDNOTES] = {"endnotes", RP_T_ENDNOTES, false, false, rp_compile_endnotes,
                       rp_bind_endnotes, NULL},
    /* control */
    [RP_T_FOR_EACH] = {"for-each", RP_T_FOR_EACH, false, false, rp_compile_children,
                       rp_bind_children, NULL},
    [RP_T_IF] = {"if", RP_T_IF, false, false, rp_compile_children, rp_bind_children, NULL},
    [RP_T_GROUP] = {"group", RP_T_GROUP, false, true, rp_compile_group, rp_bind_group, NULL},
    [RP_T_APPLY] = {"apply", RP_T_APPLY, false, false, rp_compile_apply, rp_bind_apply, NULL},
    /* inline */
    [RP_T_TEXT] = {NULL, RP_T_TEXT, true, false, NULL, NULL, rp_bind_inline_text},
    [RP_T_SPAN] = {"span", RP_T_SPAN, true, false, rp_compile_span, NULL, rp_bind_inline_span},
    [RP_T_EM] = {"em", RP_T_EM, true, false, rp_compile_inline_children, NULL, rp_bind_inline_char},
    [RP_T_STRONG] = {"strong", RP_T_STRONG, true, false, rp_compile_inline_children, NULL,
                     rp_bind_inline_char},
    [RP_T_LINK] = {"link", RP_T_LINK, true, false, rp_compile_link, NULL, rp_bind_inline_link},
    [RP_T_COPY] = {"copy", RP_T_COPY, true, false, rp_compile_copy, NULL, rp_bind_inline_copy},
};
_Static_assert(sizeof rp_tkinds / sizeof rp_tkinds[0] == RP_T_KINDS,
               "every template kind needs an entry in template/kinds.c");

const rp_tkind_def *rp_tkind_find(const char *name) {
  for (size_t i = 0; i < RP_T_KINDS; i++)
    /* the first letters apart before a call: most names differ there */
    if (rp_tkinds[i].name && rp_tkinds[i].name[0] == name[0] &&
        strcmp(rp_tkinds[i].name, name) == 0)
      return &rp_tkinds[i];
  return NULL;
}
