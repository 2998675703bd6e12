#!/usr/bin/env bash
# render --accessible refuses what makes a PDF inaccessible, each at its layout
# line, and writes no PDF: no title, a figure without alt text, a heading that
# skips a level, link text that means nothing out of context, text under
# 4.5:1. Every stock layout passes it with both samples.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
proj=$TMP/proj
mkdir -p "$proj/layouts" "$proj/data" "$proj/fonts" "$proj/images"
cp tests/e2e/fixtures/preflight/review.xml "$proj/data/"
cp tests/e2e/fixtures/preflight/clean.xml tests/e2e/fixtures/preflight/alt.xml \
  tests/e2e/fixtures/preflight/contrast.xml "$proj/layouts/"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$proj/fonts/"
/usr/bin/python3 -c "
from PIL import Image
Image.new('RGB', (1000, 1000), (90, 120, 150)).save('$proj/images/large.png')
Image.new('RGB', (100, 100), (128, 128, 128)).save('$proj/images/small.png')"
c=$proj/data/review.xml
# Variants of the clean fixture, one mistake each.
sed 's|<info title="{/review/title}"/>||' "$proj/layouts/clean.xml" >"$proj/layouts/untitled.xml"
sed 's|<heading level="1">|<heading level="3">|' "$proj/layouts/clean.xml" >"$proj/layouts/skip.xml"
sed 's|<paragraph>Plain words, dark on white.</paragraph>|<paragraph>Our accounts: <link href="https://example.org/accounts">click here</link>.</paragraph>|' \
  "$proj/layouts/clean.xml" >"$proj/layouts/vague.xml"

"$BIN" render "$c" --layout "$proj/layouts/clean.xml" -o "$TMP/clean.pdf" -q --accessible 2>"$TMP/clean.err" &&
  pass "a clean fixture passes" || fail "clean: $(cat "$TMP/clean.err")"

refused() { # NAME NEEDLE
  rm -f "$TMP/$1.pdf"
  "$BIN" render "$c" --layout "$proj/layouts/$1.xml" -o "$TMP/$1.pdf" -q --accessible 2>"$TMP/$1.err"
  local rc=$?
  if [ $rc -eq 1 ] && grep -q -- "$2" "$TMP/$1.err" && [ ! -e "$TMP/$1.pdf" ]; then
    pass "$1: refused ($2)"
  else
    fail "$1: rc=$rc, wanted '$2': $(head -3 "$TMP/$1.err")"
  fi
}
refused untitled "the document has no title"
refused skip "skip a level"
refused vague 'link text "click here" means nothing'
refused alt "alt.xml:[0-9]*: error: page 2: a figure without alternative text"
refused contrast "contrast.xml:[0-9]*: error: .*below 4.5:1"
# Without --accessible the same files render (the rules are the flag's).
"$BIN" render "$c" --layout "$proj/layouts/vague.xml" -o "$TMP/vague.pdf" -q 2>/dev/null &&
  pass "without --accessible the vague link renders" || fail "vague without --accessible"

for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml tests/data/pack/pack-22.xml; do
  for layout in annual-review annual-review-a5 annual-review-accessible deck board-profile person-profile case-studies; do
    # the profiles print boards and people, which the pack's content has none of
    case "$content:$layout" in */pack-22.xml:*-profile) continue ;; esac
    "$BIN" render "$content" --layout "$layout" -o "$TMP/stock.pdf" -q --accessible 2>"$TMP/stock.err" ||
      fail "$(basename "$content") $layout: $(head -2 "$TMP/stock.err")"
  done
done
pass "every stock layout passes --accessible with both samples (and the pack's content)"
finish
