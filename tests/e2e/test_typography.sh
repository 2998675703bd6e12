#!/usr/bin/env bash
# Typography end to end (a fixture layout in a scratch project): tabular and
# proportional figures (style figures=) drawn where layout measured them and
# read back whole by pdftotext; format-number's minus sign (U+2212) and narrow
# no-break spaces, set without a warning in a face that lacks U+202F.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
proj=$TMP/proj
mkdir -p "$proj/layouts" "$proj/fonts" "$proj/data"
cp tests/e2e/fixtures/figures.xml "$proj/layouts/"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$proj/fonts/"
cp data/ccin-2018-19.xml "$proj/data/"
cp -r images "$proj/"
pdf=$TMP/figures.pdf
if "$BIN" render "$proj/data/ccin-2018-19.xml" --layout "$proj/layouts/figures.xml" -o "$pdf" \
  --dump-layout "$TMP/figures.txt" 2>"$TMP/err"; then
  if [ -s "$TMP/err" ]; then fail "figures: warnings: $(head -c 800 "$TMP/err")"; else pass "figures: renders without a warning"; fi
else
  fail "figures: render failed: $(head -c 800 "$TMP/err")"
  finish
fi
pdftotext -bbox "$pdf" "$TMP/bbox.html"
# The words as "LINE WORD XMIN XMAX", lines numbered from 1 in page order.
awk '/<word/ {
    match($0, /xMin="[0-9.]+"/); x0 = substr($0, RSTART + 6, RLENGTH - 7)
    match($0, /xMax="[0-9.]+"/); x1 = substr($0, RSTART + 6, RLENGTH - 7)
    match($0, /yMin="[0-9.]+"/); y = substr($0, RSTART + 6, RLENGTH - 7)
    t = $0; sub(/^.*">/, "", t); sub(/<\/word>.*/, "", t)
    if (y != last) { line++; last = y }
    print line, t, x0, x1
  }' "$TMP/bbox.html" >"$TMP/words.txt"
# word LINE WORD FIELD: xmin (3) or xmax (4) of WORD on LINE
word() { awk -v l="$1" -v w="$2" -v f="$3" '$1 == l && $2 == w {print $f; exit}' "$TMP/words.txt"; }
calc() { awk "BEGIN { printf \"%.3f\n\", $1 }"; }
near() { awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN { d = a - b; exit !(d < e && d > -e) }'; }
# lines: 1 the font's own figures, 2 tabular, 3 proportional, 4 proportional bold
for l in 1 2 3 4; do
  for w in 1111 8888; do
    eval "x0_${l}_$w=\$(word $l $w 3) x1_${l}_$w=\$(word $l $w 4)"
    eval "v=\$x0_${l}_$w"
    if [ -n "$v" ]; then pass "figures: line $l reads '$w' whole"; else fail "figures: line $l has no word '$w': $(grep "^$l " "$TMP/words.txt" | tr '\n' ' ')"; finish; fi
  done
done
wid() { calc "$2 - $1"; }
own1=$(wid "$x0_1_1111" "$x1_1_1111") own8=$(wid "$x0_1_8888" "$x1_1_8888")
tab1=$(wid "$x0_2_1111" "$x1_2_1111") tab8=$(wid "$x0_2_8888" "$x1_2_8888")
pro1=$(wid "$x0_3_1111" "$x1_3_1111") pro8=$(wid "$x0_3_8888" "$x1_3_8888")
bold1=$(wid "$x0_4_1111" "$x1_4_1111") bold8=$(wid "$x0_4_8888" "$x1_4_8888")
# Open Sans's own figures are tabular: tabular keeps them; proportional narrows the 1.
if near "$own1" "$own8" 0.05 && near "$tab1" "$tab8" 0.05 && near "$tab1" "$own1" 0.05; then
  pass "figures: tabular 1111 and 8888 are as wide ($tab1 pt)"
else
  fail "figures: tabular widths differ: own $own1/$own8, tabular $tab1/$tab8"
fi
if awk -v a="$pro1" -v b="$pro8" -v c="$bold1" -v d="$bold8" 'BEGIN { exit !(a < b - 3 && c < d - 3) }' &&
  near "$pro8" "$tab8" 0.05; then
  pass "figures: proportional 1111 ($pro1 pt) narrower than 8888 ($pro8 pt), in bold too"
else
  fail "figures: proportional widths: 1111 $pro1, 8888 $pro8, bold $bold1/$bold8"
fi
# Drawn where layout measured: pdftotext boxes a word from its first glyph's
# origin to its last glyph's origin plus the plain glyph's width, so a
# proportional 1's advance is (box of 1111 − plain 1) / 3; the four of them
# move 8888 left by 4 × (plain − proportional), and layout's line (the dump)
# is shorter by as much.
plain=$(calc "$tab1 / 4") pro_adv=$(calc "($pro1 - $tab1 / 4) / 3")
moved=$(calc "4 * ($plain - $pro_adv)")
drawn=$(calc "$x0_2_8888 - $x0_3_8888")
w_tab=$(awk '$1 == "text" && /"Row 1111 8888"/ {n++; if (n == 2) {print $4; exit}}' "$TMP/figures.txt")
w_pro=$(awk '$1 == "text" && /"Row 1111 8888"/ {n++; if (n == 3) {print $4; exit}}' "$TMP/figures.txt")
measured=$(calc "${w_tab:-0} - ${w_pro:-0}")
if near "$drawn" "$moved" 0.05 && near "$measured" "$moved" 0.05; then
  pass "figures: drawn as measured (8888 moved $drawn pt, layout $measured pt, four 1s $moved pt)"
else
  fail "figures: 8888 moved $drawn pt, layout's line shorter by $measured pt, four 1s $moved pt"
fi
pdftotext "$pdf" "$TMP/text.txt"
expect_contains "format-number: a minus sign" "$TMP/text.txt" "−1,234.5"
expect_contains "format-number: grouped by a narrow space, read as a space" "$TMP/text.txt" "33 000"
expect_contains "format-number: a unit after a narrow space" "$TMP/text.txt" "7.4 m"
thin=$(printf '\342\200\211')
if grep -qF "\"−1,234.5 | 33${thin}000 | 7.4${thin}m\"" "$TMP/figures.txt"; then
  pass "format-number: U+202F set as Open Sans's thin space U+2009"
else
  fail "format-number: dump has $(grep -o '"−1,234.5[^"]*"' "$TMP/figures.txt")"
fi
# A value the schema does not know is refused at its line.
sed 's/figures="tabular"/figures="oldstyle"/' "$proj/layouts/figures.xml" >"$proj/layouts/bad.xml"
if "$BIN" render "$proj/data/ccin-2018-19.xml" --layout "$proj/layouts/bad.xml" -o "$TMP/bad.pdf" 2>"$TMP/bad.err"; then
  fail "figures=\"oldstyle\" accepted"
elif grep -q 'bad.xml:1[0-9]' "$TMP/bad.err" && grep -qi 'figures' "$TMP/bad.err"; then
  pass "figures=\"oldstyle\" refused: $(head -1 "$TMP/bad.err" | cut -c1-120)"
else
  fail "figures=\"oldstyle\": $(head -c 400 "$TMP/bad.err")"
fi
finish
