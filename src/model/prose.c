/* prose — prose blocks wherever they go (docs/content.md, "Prose blocks"):
 * the general layer of the model build (builder.h), knowing nothing of
 * reviews.
 *
 * Walks a container's blocks (p, heading, list, quote, callout, image,
 * table), into lists and callouts, and checks what the schema cannot: that
 * images exist (a warning: the layout shows a placeholder) and that tables
 * are whole — every row as many cells as there are columns, every cell of a
 * number, currency or percent column a number as printed. The tables go to
 * the model (columns, row counts); their cells stay in the tree. */
#include <stdio.h>
#include <string.h>

#include "base/xml.h"
#include "model/builder.h"

static const char *const block_names[] = {"p",       "heading", "list", "quote",
                                          "callout", "image",   "table"};

static bool is_block(const xmlNode *c) {
  for (size_t i = 0; i < sizeof block_names / sizeof block_names[0]; i++)
    if (rp_builder_is(c, block_names[i])) return true;
  return false;
}

static rp_column_type column_type(const char *v) {
  if (!v) return RP_COLUMN_TEXT;
  if (strcmp(v, "number") == 0) return RP_COLUMN_NUMBER;
  if (strcmp(v, "currency") == 0) return RP_COLUMN_CURRENCY;
  if (strcmp(v, "percent") == 0) return RP_COLUMN_PERCENT;
  return RP_COLUMN_TEXT;
}

static const char *const type_names[] = {"text", "number", "currency", "percent"};

static rp_column_align column_align(const char *v, rp_column_type t) {
  if (v && strcmp(v, "left") == 0) return RP_COLUMN_LEFT;
  if (v && strcmp(v, "right") == 0) return RP_COLUMN_RIGHT;
  if (v && strcmp(v, "center") == 0) return RP_COLUMN_CENTER;
  return t == RP_COLUMN_TEXT ? RP_COLUMN_LEFT : RP_COLUMN_RIGHT; /* figures align right */
}

static void check_cells(rp_builder *b, rp_table *t, const xmlNode *row, size_t row_no) {
  size_t n = rp_builder_count(row, "cell");
  if (n != t->n_columns) {
    rp_builder_fail(b, row,
                    "<row> %zu of the table has %zu cell%s, but the table has %zu column%s: give "
                    "every row one <cell> per <column> (an empty <cell/> where there is nothing)",
                    row_no, n, n == 1 ? "" : "s", t->n_columns, t->n_columns == 1 ? "" : "s");
  }
  size_t col = 0;
  RP_FOR_EACH(cell, row, "cell") {
    if (col >= t->n_columns) break;
    const rp_column *c = &t->columns[col++];
    if (c->type == RP_COLUMN_TEXT) continue;
    const char *text = rp_builder_text(b, cell);
    double v;
    bool none;
    if (!text || rp_model_parse_number(text, &v, &none)) continue;
    rp_builder_fail(b, cell,
                    "<cell> \"%s\" (row %zu, column %zu \"%s\") is not a number, but the column "
                    "is of type %s: write the number as printed (1,234  −3.2  (1,200)  £12,500  "
                    "45%%), leave the cell empty or write – for none, or make the column "
                    "type=\"text\"",
                    text, row_no, col, c->heading ? c->heading : "", type_names[c->type]);
  }
}

static void check_table(rp_builder *b, const xmlNode *n) {
  rp_table *t = rp_vec_push(b->a, &b->tables_v, sizeof *t);
  if (!t) {
    b->oom = true;
    return;
  }
  t->id = rp_builder_attr(b, n, "id");
  t->role = rp_builder_attr(b, n, "role");
  t->caption = rp_builder_child_text(b, n, "caption");
  t->line = rp_xml_line(n);
  rp_builder_unique_id(b, &b->tables, "table", t->id, n, b->tables_v.len - 1);
  xmlNode *cols = rp_builder_child(n, "columns");
  size_t nc = rp_builder_count(cols, "column");
  t->columns = rp_builder_alloc(b, nc, sizeof *t->columns);
  if (nc && !t->columns) return;
  RP_FOR_EACH(c, cols, "column") {
    rp_column *col = &t->columns[t->n_columns++];
    col->heading = rp_builder_text(b, c);
    col->type = column_type(rp_builder_attr(b, c, "type"));
    col->align = column_align(rp_builder_attr(b, c, "align"), col->type);
  }
  RP_FOR_EACH(row, n, "row") {
    t->n_rows++;
    if (rp_builder_bool(b, row, "total")) t->n_total_rows++;
    check_cells(b, t, row, t->n_rows);
  }
}

size_t rp_prose_check(rp_builder *b, const xmlNode *container) {
  size_t blocks = 0;
  for (xmlNode *c = container ? container->children : NULL; c; c = c->next) {
    if (!is_block(c)) continue;
    blocks++;
    if (rp_builder_is(c, "list")) {
      RP_FOR_EACH(item, c, "item") rp_prose_check(b, item); /* p and nested lists */
    } else if (rp_builder_is(c, "callout")) {
      rp_prose_check(b, c);
    } else if (rp_builder_is(c, "image")) {
      (void)rp_builder_asset(b, c, "src", "the layout shows a placeholder instead");
    } else if (rp_builder_is(c, "table")) {
      check_table(b, c);
    }
  }
  return blocks;
}

void rp_prose_finish(rp_builder *b) {
  b->m->tables = b->tables_v.data;
  b->m->n_tables = b->tables_v.len;
}

/* An inline <note> (not a table's or the members' note, which are blocks). */
static bool inline_note(const xmlNode *n) {
  return rp_builder_is(n, "note") && n->parent && !rp_builder_is(n->parent, "table") &&
         !rp_builder_is(n->parent, "members");
}

/* Where a note's mark may not go: text that becomes bookmarks, contents
 * entries and running heads, and a note's own text. */
static const char *const no_notes_in[] = {"title", "heading", "strapline", "column", "note"};

void rp_prose_check_notes(rp_builder *b, const xmlNode *n) {
  for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (inline_note(c)) {
      for (const xmlNode *up = c->parent; up && up->type == XML_ELEMENT_NODE; up = up->parent)
        for (size_t i = 0; i < sizeof no_notes_in / sizeof no_notes_in[0]; i++) {
          if (!rp_builder_is(up, no_notes_in[i])) continue;
          rp_builder_fail(b, c,
                          "a <note> inside <%s>: %s; move the note into the text that follows",
                          no_notes_in[i],
                          i + 1 == sizeof no_notes_in / sizeof no_notes_in[0]
                              ? "a note cannot hold another note"
                              : "titles and headings become bookmarks and contents entries, "
                                "which cannot carry a note's mark");
          goto next;
        }
      b->m->n_notes++;
    }
  next:
    rp_prose_check_notes(b, c);
  }
}
