/* types — see types.h. */
#include "base/types.h"

const char *rp_role_name(rp_role r) {
  static const char *const names[] = {
      [RP_ROLE_NONE] = "none",
      [RP_ROLE_ARTIFACT] = "artifact",
      [RP_ROLE_H1] = "H1",
      [RP_ROLE_H2] = "H2",
      [RP_ROLE_H3] = "H3",
      [RP_ROLE_H4] = "H4",
      [RP_ROLE_H5] = "H5",
      [RP_ROLE_H6] = "H6",
      [RP_ROLE_P] = "P",
      [RP_ROLE_LIST] = "L",
      [RP_ROLE_LIST_ITEM] = "LI",
      [RP_ROLE_LIST_LABEL] = "Lbl",
      [RP_ROLE_LIST_BODY] = "LBody",
      [RP_ROLE_QUOTE] = "BlockQuote",
      [RP_ROLE_TABLE] = "Table",
      [RP_ROLE_TABLE_ROW] = "TR",
      [RP_ROLE_TABLE_HEADER] = "TH",
      [RP_ROLE_TABLE_CELL] = "TD",
      [RP_ROLE_FIGURE] = "Figure",
      [RP_ROLE_LINK] = "Link",
      [RP_ROLE_CAPTION] = "Caption",
      [RP_ROLE_SECTION] = "Sect",
      [RP_ROLE_NOTE] = "Note",
      [RP_ROLE_NOTE_REF] = "Reference",
      [RP_ROLE_NOTE_LABEL] = "Lbl",
  };
  return (unsigned)r < sizeof names / sizeof names[0] && names[r] ? names[r] : "?";
}
