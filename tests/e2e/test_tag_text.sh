#!/usr/bin/env bash
# Structure elements written as text (render/pdf_tag.c elem_write_text) are
# byte for byte what libharu writes for the objects they stood for
# (RP_TAG_VIA_LIBHARU=1 makes and writes those objects): the review through
# the plain and the accessible layout (headings, figures with /Alt, table
# headers with /A, notes with /ID, links with OBJR, elements across pages
# with MCR), and the pack, whose index links every study (at N=220 its list
# is an element whose text passes 1 KB: spooled at a page's end through
# libharu's stream, not the buffer pdf_tag.c's elem_spool fills).
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=0
python3 bench/pack_xml.py 22 >"$TMP/pack.xml" || fail "pack_xml.py failed"
python3 bench/pack_xml.py 220 >"$TMP/pack220.xml" || fail "pack_xml.py failed"
same() { # NAME CONTENT LAYOUT
  RP_TAG_VIA_LIBHARU=1 "$BIN" render "$2" -l "$3" -o "$TMP/$1.objects.pdf" -q ||
    fail "$1: render through libharu's objects failed"
  "$BIN" render "$2" -l "$3" -o "$TMP/$1.text.pdf" -q || fail "$1: render failed"
  if ! pdfinfo "$TMP/$1.text.pdf" 2>&1 | grep -q "^Tagged: *yes"; then fail "$1: not tagged"; fi
  if cmp -s "$TMP/$1.objects.pdf" "$TMP/$1.text.pdf"; then pass "$1: same bytes"; else
    fail "$1: the elements written as text differ from libharu's"; fi
}
same review data/ccin-2018-19.xml annual-review
same review-accessible data/ccin-2018-19.xml annual-review-accessible
same seren-accessible data/seren-solas-2024-25.xml annual-review-accessible
same pack "$TMP/pack.xml" case-studies
same pack220 "$TMP/pack220.xml" case-studies
# the switch does reach the writer: the accessible review's /Alt and /A
# entries are there, in both
for f in "$TMP/review-accessible.text.pdf"; do
  n=$(qpdf --qdf --object-streams=disable "$f" - 2>/dev/null | grep -c '/Scope /Column')
  if [ "${n:-0}" -gt 0 ]; then pass "table headers' /A written"; else fail "no /A in $f"; fi
done
finish
