#!/usr/bin/env bash
# Fonts named by family (<font family="…">, found through fontconfig): the
# stock review with its body and fallback roles set in "DejaVu Sans" renders
# and embeds DejaVu (fonts-dejavu-core, installed by .ci/deps); the same
# layout naming the same four files by path gives a byte-identical PDF; an
# unknown family, a generic name (a substitute) and a CFF-only family are
# errors at the <font> line naming the family and fc-list; a family lacking
# a slot falls back with a warning; naming both a family and files is refused.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=1700000000

# project NAME SED-SCRIPT: a copy of the stock layouts with lib/brand.xml edited
project() {
  local p="$TMP/$1"
  mkdir -p "$p/data"
  cp -r layouts fonts images "$p/" && cp -r data/map "$p/data/"
  sed -i -e "$2" "$p/layouts/lib/brand.xml"
  echo "$p"
}
# The body role's four lines, and the fallback role's, become one declaration.
body_re='/<font role="body"/,/fallback="fallback"\/>/c\'
fb_re='/<font role="fallback"/,/bold-italic=.*\/>/c\'
fam=$(project family "$fb_re
  <font role=\"fallback\" family=\"DejaVu Sans\"/>
$body_re
  <font role=\"body\" family=\"DejaVu Sans\" fallback=\"fallback\"/>")
files=$(project files "$body_re
  <font role=\"body\" regular=\"../../fonts/DejaVuSans.ttf\" bold=\"../../fonts/DejaVuSans-Bold.ttf\" italic=\"../../fonts/DejaVuSans-Oblique.ttf\" bold-italic=\"../../fonts/DejaVuSans-BoldOblique.ttf\" fallback=\"fallback\"/>")
grep -q 'family="DejaVu Sans" fallback' "$fam/layouts/lib/brand.xml" || fail "fixture: the body role was not replaced"

if "$BIN" render data/ccin-2018-19.xml --layout "$fam/layouts/annual-review.xml" -o "$TMP/family.pdf" \
  -q 2>"$TMP/family.err"; then
  pass "a layout naming \"DejaVu Sans\" by family renders"
  pdffonts "$TMP/family.pdf" >"$TMP/fonts.txt"
  awk 'NR > 2 && $1 ~ /\+DejaVuSans(,|$)/ && $(NF-4) == "yes" {f = 1} END {exit !f}' "$TMP/fonts.txt" &&
    pass "pdffonts shows DejaVuSans embedded" || fail "DejaVuSans not embedded: $(cat "$TMP/fonts.txt")"
  awk 'NR > 2 && $1 ~ /\+DejaVuSans-Bold(,|$)/ {f = 1} END {exit !f}' "$TMP/fonts.txt" &&
    pass "the bold slot is DejaVuSans-Bold" || fail "no DejaVuSans-Bold: $(cat "$TMP/fonts.txt")"
  grep -q OpenSans "$TMP/fonts.txt" && fail "Open Sans still embedded: $(cat "$TMP/fonts.txt")"
else
  fail "render by family: $(head -5 "$TMP/family.err")"
fi
"$BIN" render data/ccin-2018-19.xml --layout "$files/layouts/annual-review.xml" -o "$TMP/files.pdf" \
  -q 2>"$TMP/files.err" || fail "render by files: $(head -5 "$TMP/files.err")"
cmp -s "$TMP/family.pdf" "$TMP/files.pdf" &&
  pass "the same files named by family or by path embed to the same bytes" ||
  fail "family.pdf and files.pdf differ (fontconfig found $(fc-match -f '%{file}' 'DejaVu Sans'))"
"$BIN" render data/ccin-2018-19.xml --layout "$fam/layouts/annual-review.xml" -o "$TMP/again.pdf" -q &&
  cmp -s "$TMP/family.pdf" "$TMP/again.pdf" && pass "rendering by family again gives the same bytes" ||
  fail "a second render by family differs"

# expect_refused NAME FAMILY-ATTRIBUTES FRAGMENT...: exit 1, the <font> line, the fragments
expect_refused() {
  local name=$1 attrs=$2
  shift 2
  local p
  p=$(project "$name" "$body_re
  <font role=\"body\" $attrs fallback=\"fallback\"/>")
  local line
  line=$(grep -n '<font role="body"' "$p/layouts/lib/brand.xml" | cut -d: -f1)
  "$BIN" render data/ccin-2018-19.xml --layout "$p/layouts/annual-review.xml" -o "$TMP/$name.pdf" \
    >"$TMP/$name.out" 2>"$TMP/$name.err"
  local rc=$?
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, not 1"
  [ -e "$TMP/$name.pdf" ] && fail "$name: a PDF was written"
  grep -qF "lib/brand.xml:$line:" "$TMP/$name.err" || fail "$name: no brand.xml:$line: in $(cat "$TMP/$name.err")"
  for frag in "$@"; do
    grep -qF -- "$frag" "$TMP/$name.err" || fail "$name: '$frag' not in: $(cat "$TMP/$name.err")"
  done
  pass "$name: exit 1 at brand.xml:$line naming the family"
}
expect_refused unknown-family 'family="No Such Family 42"' \
  'font family "No Such Family 42" is not installed' "fontconfig would substitute" "fc-list"
expect_refused generic-family 'family="sans-serif"' 'font family "sans-serif" is not installed' "fc-list"
if fc-match -f '%{fontformat}' "Nimbus Sans" | grep -qx CFF && fc-match -f '%{family}' "Nimbus Sans" | grep -q "Nimbus Sans"; then
  expect_refused cff-family 'family="Nimbus Sans"' 'font family "Nimbus Sans"' "CFF" "only TrueType"
fi
expect_refused family-and-file 'family="DejaVu Sans" regular="../../fonts/DejaVuSans.ttf"' 'family'

# A family with no italic face: the slot falls back to the regular face,
# with style.c's warning, as a missing italic file does.
if [ "$(fc-list 'DejaVu Sans Light' file | wc -l)" -eq 1 ]; then
  p=$(project light "$body_re
  <font role=\"body\" family=\"DejaVu Sans Light\" fallback=\"fallback\"/>")
  "$BIN" render data/ccin-2018-19.xml --layout "$p/layouts/annual-review.xml" -o "$TMP/light.pdf" \
    -q 2>"$TMP/light.err" && pass "a family with one face renders" || fail "light: $(head -3 "$TMP/light.err")"
  grep -q "has no bold face" "$TMP/light.err" && pass "its missing faces warn" ||
    fail "no warning for the missing faces: $(head -3 "$TMP/light.err")"
  pdffonts "$TMP/light.pdf" | grep -q "DejaVuSans-ExtraLight" && pass "DejaVu Sans Light embeds ExtraLight" ||
    fail "light: $(pdffonts "$TMP/light.pdf")"
fi
finish
