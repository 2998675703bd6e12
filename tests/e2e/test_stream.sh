#!/bin/bash
# Streaming (issue 13): a long document is laid out and drawn page by page
# (layout.h page_done, render.h rp_render_page). The Case Studies Pack at
# N=500 (bench/pack_xml.py) is rendered streamed (a plain render) and kept
# (--dump-layout keeps every page for the dump): the two PDFs have the same
# pages, read back as text and as pixels (their bytes differ: a streamed PDF
# numbers its font objects otherwise; test_fonts checks its faces embed what
# the kept ones do). The sample review and the pack
# at N=220 are short enough to be kept whole: their PDFs are byte for byte
# the kept ones. An error
# after the drawing began (the page limit) leaves the earlier PDF as it was
# and no temporary file behind.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=0
python3 bench/pack_xml.py 500 >"$TMP/pack.xml" || fail "pack_xml.py failed"

"$BIN" render "$TMP/pack.xml" -l case-studies -o "$TMP/streamed.pdf" -q ||
  fail "the streamed pack did not render"
"$BIN" render "$TMP/pack.xml" -l case-studies -o "$TMP/kept.pdf" --dump-layout "$TMP/dump.txt" -q ||
  fail "the kept pack did not render"
same_pages "$TMP/kept.pdf" "$TMP/streamed.pdf"
cmp -s "$TMP/kept.pdf" "$TMP/streamed.pdf" &&
  fail "the pack's PDFs are the same bytes: was it streamed at all?"

python3 bench/pack_xml.py 220 >"$TMP/pack220.xml" || fail "pack_xml.py failed"
for run in "data/ccin-2018-19.xml annual-review" "data/ccin-2018-19.xml case-studies" \
  "$TMP/pack220.xml case-studies"; do
  set -- $run
  "$BIN" render "$1" -l "$2" -o "$TMP/r1.pdf" -q &&
    "$BIN" render "$1" -l "$2" -o "$TMP/r2.pdf" --dump-layout "$TMP/r.txt" -q &&
    cmp -s "$TMP/r1.pdf" "$TMP/r2.pdf" && pass "$(basename "$1") through $2: kept whole, the same bytes" ||
    fail "$(basename "$1") through $2: streamed and kept PDFs differ"
done

# the page limit reached after pages were drawn
mkdir -p "$TMP/out"
echo "earlier" >"$TMP/out/pack.pdf"
RP_MAX_PAGES=$((pages - 5)) "$BIN" render "$TMP/pack.xml" -l case-studies -o "$TMP/out/pack.pdf" \
  -q 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -qF "RP_MAX_PAGES" "$TMP/err" && pass "past the page limit mid-stream: exit 1" ||
  fail "past the page limit mid-stream: exit $rc: $(head -c 300 "$TMP/err")"
[ "$(cat "$TMP/out/pack.pdf")" = earlier ] && [ "$(ls "$TMP/out" | wc -l)" -eq 1 ] &&
  pass "the earlier PDF is kept, nothing else left" || fail "the output folder: $(ls "$TMP/out")"
finish
