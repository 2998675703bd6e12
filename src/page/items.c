/* items — see items.h. */
#include "page/items.h"

rp_item *rp_page_add(rp_arena *a, rp_page *p, rp_item_kind kind) {
  rp_item *it = rp_vec_push(a, &p->items, sizeof(rp_item));
  if (it) it->kind = kind;
  return it;
}
