#!/usr/bin/env bash
# Tagged PDF (docs/accessibility.md): every stock layout × both samples, for
# screen and for print, passes tagcheck.py (marked content, nesting, MCIDs,
# ParentTree, Figure /Alt, Link OBJR and /Contents, heading levels, catalog
# keys); pdfinfo says "Tagged: yes"; pdfinfo -struct-text lists the sample's
# sections and headings in reading order (tests/e2e/fixtures/tagged/); and the
# checker itself catches each kind of breakage (selftest).
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3
CHECK=tests/e2e/tagcheck.py

tagged() { # NAME PDF [CHECK OPTION]
  if pdfinfo "$2" 2>&1 | grep -q "^Tagged: *yes"; then pass "$1: pdfinfo Tagged: yes"; else
    fail "$1: pdfinfo does not say Tagged: yes"; fi
  if $PY $CHECK check "$2" ${3:-} >"$TMP/$1.tag.txt" 2>&1; then pass "$1: structure"; else
    fail "$1: structure: $(head -5 "$TMP/$1.tag.txt")"; fi
}

for sample in ccin-2018-19 seren-solas-2024-25; do
  for layout in layouts/*.xml; do
    name=$sample.$(basename "$layout" .xml)
    if "$BIN" render "data/$sample.xml" --layout "$layout" -o "$TMP/$name.pdf" -q \
      2>"$TMP/$name.err"; then
      tagged "$name" "$TMP/$name.pdf"
    else
      fail "$name: render failed: $(head -3 "$TMP/$name.err")"
    fi
  done
done

# The pack with its own content: 22 studies, their charts and the index's links.
if "$BIN" render tests/data/pack/pack-22.xml --layout case-studies -o "$TMP/pack-22.pdf" -q \
  2>"$TMP/pack-22.err"; then
  tagged pack-22.case-studies "$TMP/pack-22.pdf"
else
  fail "pack-22.case-studies: render failed: $(head -3 "$TMP/pack-22.err")"
fi

# A layout gives a block another structure (tag="Caption") or none
# (tag="artifact": the cover's strapline here): the text is drawn all the same,
# the artifact is outside the structure and the caption is a Caption.
rm -rf "$TMP/tagattr" && mkdir -p "$TMP/tagattr" && cp -r layouts "$TMP/tagattr/" &&
  cp -r fonts images "$TMP/tagattr/" && mkdir -p "$TMP/tagattr/data" && cp -r data/map "$TMP/tagattr/data/"
sed -i -e 's|<paragraph style="cover-strap" select="/review/strapline"/>|<paragraph style="cover-strap" select="/review/strapline" tag="artifact"/>|' \
  -e "s|<paragraph style=\"kicker\">{choose(@kicker, @kicker, label('kicker-about'))}|<paragraph style=\"kicker\" tag=\"Caption\">{choose(@kicker, @kicker, label('kicker-about'))}|" \
  "$TMP/tagattr/layouts/lib/templates.xml"
if "$BIN" render data/ccin-2018-19.xml --layout "$TMP/tagattr/layouts/annual-review.xml" \
  -o "$TMP/tagattr.pdf" -q 2>"$TMP/tagattr.err"; then
  tagged tagattr "$TMP/tagattr.pdf"
  pdftotext "$TMP/tagattr.pdf" - | grep -q "People-centred councils driving" &&
    pass "tag=artifact: the text is drawn" || fail "tag=artifact: the text is gone"
  pdfinfo -struct-text "$TMP/tagattr.pdf" >"$TMP/tagattr.struct" 2>&1
  grep -q "People-centred councils driving" "$TMP/tagattr.struct" &&
    fail "tag=artifact: the text is still in the structure" || pass "tag=artifact: outside the structure"
  pdfinfo -struct-text "$TMP/ccin-2018-19.annual-review.pdf" | grep -q "People-centred councils driving" &&
    pass "without tag=: the strapline is in the structure" || fail "the stock strapline is not in the structure"
  grep -A1 "^ *Caption" "$TMP/tagattr.struct" | grep -q "About the network\|ABOUT THE NETWORK" &&
    pass "tag=Caption: a Caption element" || fail "tag=Caption: no Caption with the kicker: $(grep -c Caption "$TMP/tagattr.struct")"
else
  fail "tag=: render failed: $(head -3 "$TMP/tagattr.err")"
fi
sed 's|<paragraph style="cover-strap" select="/review/strapline" tag="artifact"/>|<paragraph style="cover-strap" select="/review/strapline" tag="Span"/>|' \
  "$TMP/tagattr/layouts/lib/templates.xml" >"$TMP/tagattr/layouts/lib/t2.xml" &&
  mv "$TMP/tagattr/layouts/lib/t2.xml" "$TMP/tagattr/layouts/lib/templates.xml"
"$BIN" render data/ccin-2018-19.xml --layout "$TMP/tagattr/layouts/annual-review.xml" \
  -o "$TMP/tagbad.pdf" -q 2>"$TMP/tagbad.err"
[ $? -eq 1 ] && grep -q 'templates.xml:[0-9]*:.*tag' "$TMP/tagbad.err" &&
  pass "tag=\"Span\": refused at its line" || fail "tag=\"Span\": $(head -2 "$TMP/tagbad.err")"

# Print output keeps its tags (no links there; crop marks are artifacts).
if "$BIN" render data/ccin-2018-19.xml --for print --crop-marks -o "$TMP/print.pdf" -q \
  2>"$TMP/print.err"; then
  tagged print "$TMP/print.pdf"
else
  fail "print: render failed: $(head -3 "$TMP/print.err")"
fi

# Charts drawn as images (--chart-dpi) are tagged as their figures too.
if "$BIN" render data/ccin-2018-19.xml --chart-dpi 72 -o "$TMP/raster.pdf" -q 2>"$TMP/raster.err"; then
  tagged raster "$TMP/raster.pdf"
else
  fail "raster: render failed: $(head -3 "$TMP/raster.err")"
fi

# The layout-dump cases (tests/dump/): tables and lists over pages, columns,
# grids, images; copied into a project as test_dumps.sh does.
proj="$TMP/proj"
mkdir -p "$proj/layouts" "$proj/data"
cp -r fonts images "$proj/"
cp data/ccin-2018-19.xml "$proj/data/"
for dir in tests/dump/*/; do
  case=$(basename "$dir")
  [ -f "$dir/layout.xml" ] && [ ! -f "$dir/expected.err" ] || continue
  cp "$dir/layout.xml" "$proj/layouts/$case.xml"
  mkdir -p "$proj/layouts/$case"
  find "$dir" -maxdepth 1 -type f ! -name 'expected.*' ! -name layout.xml ! -name content.xml \
    -exec cp {} "$proj/layouts/$case/" \;
  content="$proj/data/ccin-2018-19.xml"
  if [ -f "$dir/content.xml" ]; then
    cp "$dir/content.xml" "$proj/data/$case.xml"
    content="$proj/data/$case.xml"
  fi
  if (cd "$proj" && "$BIN" render "$content" --layout "layouts/$case.xml" -o "$TMP/dump-$case.pdf" \
    -q) 2>"$TMP/dump-$case.err"; then
    # Some of these test layouts start their headings at H2 or give images no alt text.
    tagged "dump-$case" "$TMP/dump-$case.pdf" --test-layout
  else
    fail "dump-$case: render failed: $(head -3 "$TMP/dump-$case.err")"
  fi
done

# An item that starts with a nested list: every LI still reads its Lbl first.
cp tests/e2e/fixtures/tagged/nested-list.xml "$proj/layouts/"
if (cd "$proj" && "$BIN" render data/ccin-2018-19.xml --layout layouts/nested-list.xml \
  -o "$TMP/nested.pdf" -q) 2>"$TMP/nested.err"; then
  tagged nested "$TMP/nested.pdf"
  pdfinfo -struct-text "$TMP/nested.pdf" >"$TMP/nested.txt"
  lis=$(grep -c "^ *LI " "$TMP/nested.txt")
  first=$(awk '/^ *LI /{li=1; next} li && /^ *Lbl /{n++} {li=0} END{print n+0}' "$TMP/nested.txt")
  if [ "$lis" -gt 40 ] && [ "$lis" = "$first" ]; then pass "nested: $lis LIs, each Lbl first"; else
    fail "nested: $first of $lis LIs start with their Lbl"; fi
else
  fail "nested: render failed: $(head -3 "$TMP/nested.err")"
fi

# Sections and headings in reading order, as a reader of the tree sees them.
expected=tests/e2e/fixtures/tagged/outline-ccin.txt
$PY $CHECK outline "$TMP/ccin-2018-19.annual-review.pdf" >"$TMP/outline.txt"
if diff -u "$expected" "$TMP/outline.txt" >"$TMP/outline.diff"; then
  pass "outline of the sample matches $expected"
else
  fail "outline differs from $expected: $(head -20 "$TMP/outline.diff")"
fi
[ "$(grep -c "Sect" "$TMP/outline.txt")" -ge 10 ] || fail "outline has fewer than 10 sections"

# The checker fails on each breakage it is meant to catch.
if $PY $CHECK selftest "$TMP/ccin-2018-19.annual-review.pdf" >"$TMP/selftest.txt" 2>&1; then
  pass "checker catches each breakage"
else
  fail "checker selftest: $(head -5 "$TMP/selftest.txt")"
fi
finish
