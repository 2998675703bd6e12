/* dump — the positioned items as stable text (--dump-layout). One line per
 * item, fixed two-decimal coordinates, fonts by file name, so a diff of two
 * dumps reads as a diff of two layouts. */
#include <string.h>

#include "layout/layout.h"

static const char *font_name(const rp_layout_doc *doc, int index) {
  if (!doc->fonts || index < 0 || (size_t)index >= doc->fonts->count) return "?";
  const char *p = doc->fonts->fonts[index]->path;
  const char *slash = strrchr(p, '/');
  return slash ? slash + 1 : p;
}

static void put_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', out);
    if (*s == '\n')
      fputs("\\n", out);
    else
      fputc(*s, out);
  }
  fputc('"', out);
}

static void put_color(FILE *out, const char *key, rp_color c) {
  if (c.a <= 0) return;
  fprintf(out, " %s=#%02x%02x%02x", key, (int)(c.r * 255 + 0.5), (int)(c.g * 255 + 0.5),
          (int)(c.b * 255 + 0.5));
  if (c.a < 1) fprintf(out, "/%.2f", c.a);
}

static void put_item(FILE *out, const rp_layout_doc *doc, const rp_item *it) {
  static const char *const kinds[] = {"text", "rect",  "line",     "ellipse", "image",
                                      "link", "chart", "bookmark", "path"};
  fprintf(out, "  %s %.2f %.2f %.2f %.2f", kinds[it->kind], it->x, it->y, it->w, it->h);
  switch (it->kind) {
    case RP_ITEM_TEXT:
      fprintf(out, " %s %.2f", font_name(doc, it->u.text.font), it->u.text.size);
      if (it->u.text.tracking != 0) fprintf(out, " track=%.0f", it->u.text.tracking);
      put_color(out, "color", it->u.text.color);
      fputc(' ', out);
      put_string(out, it->u.text.text);
      break;
    case RP_ITEM_RECT:
    case RP_ITEM_LINE:
    case RP_ITEM_ELLIPSE:
      put_color(out, "fill", it->u.shape.fill);
      put_color(out, "stroke", it->u.shape.stroke);
      if (it->u.shape.stroke.a > 0) fprintf(out, " width=%.2f", it->u.shape.stroke_width);
      if (it->u.shape.radius > 0) fprintf(out, " radius=%.2f", it->u.shape.radius);
      break;
    case RP_ITEM_IMAGE: {
      int i = it->u.image.image;
      fprintf(out, " image=%d", i);
      if (i >= 0 && (size_t)i < doc->images.len) {
        fputc(' ', out);
        put_string(out, RP_VEC_AT(doc->images, rp_image_ref, i).path);
      }
      if (it->u.image.clip == RP_CLIP_CIRCLE) fputs(" clip=circle", out);
      if (it->u.image.clip == RP_CLIP_ROUNDED)
        fprintf(out, " clip=rounded radius=%.2f", it->u.image.radius);
      /* The crop window, when not the whole image (cover). */
      if (it->u.image.sw > 0 && it->u.image.sh > 0 && (it->u.image.sw < 1 || it->u.image.sh < 1))
        fprintf(out, " crop=%.3f,%.3f,%.3f,%.3f", it->u.image.sx, it->u.image.sy, it->u.image.sw,
                it->u.image.sh);
      break;
    }
    case RP_ITEM_LINK:
      if (it->u.link.uri) {
        fputc(' ', out);
        put_string(out, it->u.link.uri);
      } else {
        fprintf(out, " page=%d y=%.2f", it->u.link.dest_page + 1, it->u.link.dest_y);
      }
      break;
    case RP_ITEM_CHART:
      fprintf(out, " kind=%s ref=%s", it->u.chart.kind ? it->u.chart.kind : "-",
              it->u.chart.ref ? it->u.chart.ref : "-");
      if (it->u.chart.drawn) fputs(" drawn", out);
      break;
    case RP_ITEM_BOOKMARK:
      fprintf(out, " level=%d ", it->u.bookmark.level);
      put_string(out, it->u.bookmark.title);
      break;
    case RP_ITEM_PATH:
      /* The segments themselves would drown the dump: their count and the box. */
      fprintf(out, " ops=%zu", it->u.path.n_ops);
      put_color(out, "fill", it->u.path.fill);
      put_color(out, "stroke", it->u.path.stroke);
      if (it->u.path.stroke.a > 0) fprintf(out, " width=%.2f", it->u.path.stroke_width);
      if (it->u.path.dash[0] > 0)
        fprintf(out, " dash=%.1f,%.1f", it->u.path.dash[0], it->u.path.dash[1]);
      if (it->u.path.even_odd) fputs(" evenodd", out);
      break;
  }
  fprintf(out, " role=%s", rp_role_name(it->role));
  if (it->struct_id) fprintf(out, " id=%d", it->struct_id);
  if (it->parent_id) fprintf(out, " parent=%d", it->parent_id);
  if (it->alt) {
    fputs(" alt=", out);
    put_string(out, it->alt);
  }
  if (it->src.layout_line) fprintf(out, " @L%d", it->src.layout_line);
  if (it->src.content_line) fprintf(out, " @C%d", it->src.content_line);
  fputc('\n', out);
}

rp_status rp_layout_dump(const rp_layout_doc *doc, FILE *out) {
  fprintf(out, "document pages=%zu title=", doc->pages.len);
  put_string(out, doc->info.title);
  fputc('\n', out);
  for (size_t i = 0; i < doc->images.len; i++) {
    const rp_image_ref *ref = &RP_VEC_AT(doc->images, rp_image_ref, i);
    fprintf(out, "image %zu ", i);
    put_string(out, ref->path);
    fprintf(out, " max=%.2fx%.2f\n", ref->max_w, ref->max_h);
  }
  for (size_t p = 0; p < doc->pages.len; p++) {
    const rp_page *pg = &RP_VEC_AT(doc->pages, rp_page, p);
    fprintf(out, "page %zu %.2fx%.2f master=%s label=%s\n", p + 1, pg->width, pg->height,
            pg->master ? pg->master : "-", pg->label ? pg->label : "-");
    for (size_t i = 0; i < pg->items.len; i++)
      put_item(out, doc, &RP_VEC_AT(pg->items, rp_item, i));
  }
  return ferror(out) ? RP_ERR_INPUT : RP_OK;
}
