#!/usr/bin/env bash
# annual-review-accessible follows UK public sector guidance for documents
# (docs/accessibility.md): every read text run 12pt or more, upright, in
# sentence case, left-aligned (tests/e2e/guidance.py on the layout dump);
# it passes --accessible (contrast 4.5:1 and the rest); a contents page once
# the review runs past 20 pages. And the checker can fail: the A4 layout breaks
# the first three rules, a copy of the variant with justified body text the last.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
layout=layouts/annual-review-accessible.xml

for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml tests/data/stock/everything.xml; do
  name=$(basename "$content" .xml)
  if ! "$BIN" render "$content" --layout "$layout" --accessible -o "$TMP/$name.pdf" \
    --dump-layout "$TMP/$name.dump" -q 2>"$TMP/$name.err"; then
    fail "$name: render --accessible: $(head -3 "$TMP/$name.err")"
    continue
  fi
  if /usr/bin/python3 tests/e2e/guidance.py "$TMP/$name.dump" >"$TMP/$name.guidance" 2>&1; then
    pass "$name: $(tail -1 "$TMP/$name.guidance")"
  else
    fail "$name: $(head -5 "$TMP/$name.guidance")"
  fi
done

# A contents page past 20 pages (the Seren review), none below (the CCIN one).
pages() { pdfinfo "$1" | awk '/^Pages:/{print $2}'; }
s=$(pages "$TMP/seren-solas-2024-25.pdf") c=$(pages "$TMP/ccin-2018-19.pdf")
pdftotext -f 2 -l 2 "$TMP/seren-solas-2024-25.pdf" "$TMP/seren-2.txt"
pdftotext -f 2 -l 2 "$TMP/ccin-2018-19.pdf" "$TMP/ccin-2.txt"
if [ "${s:-0}" -gt 20 ] && grep -q "^Contents$" "$TMP/seren-2.txt" && grep -q "Financial review" "$TMP/seren-2.txt"; then
  pass "seren: $s pages, a contents page after the cover"
else
  fail "seren: $s pages, page 2: $(head -3 "$TMP/seren-2.txt")"
fi
if [ "${c:-0}" -le 20 ] && ! grep -q "^Contents$" "$TMP/ccin-2.txt"; then
  pass "ccin: $c pages, no contents page"
else
  fail "ccin: $c pages, page 2: $(head -3 "$TMP/ccin-2.txt")"
fi

# The checker fails what breaks the guidance.
"$BIN" render data/ccin-2018-19.xml --layout annual-review -o "$TMP/a4.pdf" \
  --dump-layout "$TMP/a4.dump" -q 2>/dev/null || fail "render annual-review"
/usr/bin/python3 tests/e2e/guidance.py "$TMP/a4.dump" >"$TMP/a4.guidance" 2>&1 &&
  fail "annual-review passes the guidance check"
for rule in "text under 12pt" "italic text" "words in capitals"; do
  expect_contains "the A4 layout fails: $rule" "$TMP/a4.guidance" "$rule"
done
proj=$TMP/proj
mkdir -p "$proj"
cp -r layouts fonts data images "$proj/"
sed 's|<style name="body" size="12pt" leading="17pt" space-after="8.5pt" align="left"/>|<style name="body" size="12pt" leading="17pt" space-after="8.5pt" align="justify"/>|' \
  "$layout" >"$proj/layouts/justified.xml"
grep -q 'align="justify"' "$proj/layouts/justified.xml" || fail "the justified copy was not made"
"$BIN" render "$proj/data/ccin-2018-19.xml" --layout "$proj/layouts/justified.xml" -o "$TMP/j.pdf" \
  --dump-layout "$TMP/j.dump" -q 2>/dev/null || fail "render the justified copy"
/usr/bin/python3 tests/e2e/guidance.py "$TMP/j.dump" >"$TMP/j.guidance" 2>&1 &&
  fail "justified body text passes the guidance check"
expect_contains "justified body text fails" "$TMP/j.guidance" "is justified"
finish
