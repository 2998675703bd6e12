#!/usr/bin/env bash
# `reviewpdf diff`, end to end (docs/diff.md). Small documents from
# tests/e2e/fixtures/diff/, rendered by reviewpdf, each variant changing one
# thing: identical renders and anti-aliasing noise (a box moved by 0.05 mm)
# compare the same (exit 0); a changed word, a moved box and a changed
# colour differ (exit 1) and their diff image marks the right region and
# nothing else; differing page counts and sizes are reported; goldens are
# written with --update and compared against; unreadable or corrupt PDFs,
# missing or broken goldens folders and bad arguments are trouble (exit 2).
. "$(dirname "$0")/lib.sh"
cd "$SRC"
PY=/usr/bin/python3
P=$TMP/proj
mkdir -p "$P/fonts"
cp -r tests/e2e/fixtures/diff/content tests/e2e/fixtures/diff/layouts "$P/"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$P/fonts/"

# variant NEW FROM SED: a fixture changed in one place (which must change it)
variant() {
  sed "$3" "$P/$2" >"$P/$1"
  if cmp -s "$P/$1" "$P/$2"; then fail "variant $1: '$3' changed nothing in $2"; fi
}
# render NAME CONTENT LAYOUT: $P/NAME.pdf and its layout dump
render() {
  "$BIN" render "$P/$2" --layout "$P/$3" -o "$P/$1.pdf" --dump-layout "$P/$1.dump" -q \
    2>"$P/$1.err" || fail "render $1: $(head -c 400 "$P/$1.err")"
}
# diff_rc NAME WANT ARGS...: runs reviewpdf diff, checks the exit status;
# stdout in $P/NAME.out, stderr in $P/NAME.stderr
diff_rc() {
  local name=$1 want=$2
  shift 2
  "$BIN" diff "$@" >"$P/$name.out" 2>"$P/$name.stderr"
  local got=$?
  if [ "$got" = "$want" ]; then
    pass "$name: exit $want"
  else
    fail "$name: exit $got, expected $want; stdout: $(head -c 400 "$P/$name.out"); stderr: $(head -c 400 "$P/$name.stderr")"
  fi
}
# marks NAME IMAGE BOXES...: the diff image is red in the boxes and nowhere
# else; at least MIN_SHARE percent of the boxes' area is red
marks() {
  local name=$1 image=$2 min=$3
  shift 3
  if [ ! -f "$image" ]; then
    fail "$name: no diff image $image"
    return
  fi
  local r inside area outside
  r=$("$PY" tests/e2e/diffimage.py "$image" "$@")
  read -r _ inside _ area _ outside <<<"$r"
  if [ "$outside" -eq 0 ] && [ $((inside * 100)) -ge $((area * min)) ] && [ "$inside" -gt 0 ]; then
    pass "$name: the diff image marks the change ($r)"
  else
    fail "$name: the diff image should be red in $* (at least $min %) and nowhere else: $r"
  fi
}
# text_box DUMP TEXT: the px box (72 dpi) of the text item starting with TEXT
text_box() {
  awk -v t="\"$2" '$1 == "text" && index($0, t) {
    x = $2; y = $3; w = $4; s = $5
    printf "%d,%d,%d,%d\n", int(x), int(y - s), int(x + w) + 1, int(y + 0.3 * s) + 1
    exit }' "$1"
}

render base content/base.xml layouts/base.xml
render again content/base.xml layouts/base.xml

# ---- the same --------------------------------------------------------------
if cmp -s "$P/base.pdf" "$P/again.pdf"; then pass "renders are deterministic (identical bytes)"; else fail "two renders of the same input differ in bytes"; fi
diff_rc identical 0 "$P/base.pdf" "$P/again.pdf"
[ -s "$P/identical.out" ] && fail "identical: printed '$(head -c 200 "$P/identical.out")'"
[ -e "$P/again-diff" ] && fail "identical: made a diff folder"

# anti-aliasing noise: the box 0.05 mm (0.14 px) right and down redraws its
# edges' grey levels; the defaults let it pass, and it is really there
variant layouts/noise.xml layouts/base.xml 's/x="10mm" y="55mm"/x="10.05mm" y="55.05mm"/'
render noise content/base.xml layouts/noise.xml
diff_rc noise 0 "$P/base.pdf" "$P/noise.pdf"
diff_rc noise-strict 1 "$P/base.pdf" "$P/noise.pdf" --threshold 0 --radius 0 --out "$P/noise-strict"

# ---- real changes ----------------------------------------------------------
variant content/word.xml content/base.xml 's/in spring\./in autumn./'
render word content/word.xml layouts/base.xml
diff_rc word 1 "$P/base.pdf" "$P/word.pdf" --out "$P/word-out"
expect_contains "word: the page is named" "$P/word.out" "page 1: "
expect_contains "word: the image is named" "$P/word.out" "diff image $P/word-out/page-001.png"
expect_contains "word: the summary line" "$P/word.out" "differ: 1 of 1 pages"
b1=$(text_box "$P/base.dump" "Members met in")
b2=$(text_box "$P/word.dump" "Members met in")
# the box of the changed line, at its wider extent
IFS=, read -r x0 y0 x1 y1 <<<"$b1"
IFS=, read -r _ _ x1b _ <<<"$b2"
[ "$x1b" -gt "$x1" ] && x1=$x1b
marks word "$P/word-out/page-001.png" 2 "$x0,$y0,$x1,$y1"
# and the report's box lies inside it
read -r bx0 bx1 by0 by1 < <(sed -nE 's/.*in the box x ([0-9]+)–([0-9]+), y ([0-9]+)–([0-9]+) px.*/\1 \2 \3 \4/p' "$P/word.out")
if [ -n "${bx0:-}" ] && [ "$bx0" -ge "$x0" ] && [ "$bx1" -le "$x1" ] && [ "$by0" -ge "$y0" ] && [ "$by1" -le "$y1" ]; then
  pass "word: the report's box ($bx0–$bx1, $by0–$by1) lies on the changed line"
else
  fail "word: the report's box is not on the changed line ($x0,$y0,$x1,$y1): $(cat "$P/word.out")"
fi
# the default diff folder: beside ACTUAL, named after it
diff_rc word-default-out 1 "$P/base.pdf" "$P/word.pdf"
[ -f "$P/word-diff/page-001.png" ] && pass "word: the diff image goes to ACTUAL-diff/ by default" || fail "word: no $P/word-diff/page-001.png"
# a share large enough lets it pass; -q prints nothing
diff_rc word-share 0 "$P/base.pdf" "$P/word.pdf" --max-share 1% --out "$P/x"
diff_rc word-quiet 1 "$P/base.pdf" "$P/word.pdf" -q --out "$P/x"
[ -s "$P/word-quiet.out" ] && fail "word-quiet: printed something"

# the box: 10 mm, 55 mm, 30 × 15 mm = px 28–113, 155–198 at 72 dpi; moved to
# 60 mm (px 170–255). Its inside, less the anti-aliased edge, must be all red.
variant layouts/moved.xml layouts/base.xml 's/x="10mm" y="55mm"/x="60mm" y="55mm"/'
render moved content/base.xml layouts/moved.xml
diff_rc moved 1 "$P/base.pdf" "$P/moved.pdf" --out "$P/moved-out"
marks moved "$P/moved-out/page-001.png" 95 29,156,112,197 171,156,254,197

variant layouts/colour.xml layouts/base.xml 's/#2a7f62/#2a62a0/'
render colour content/base.xml layouts/colour.xml
diff_rc colour 1 "$P/base.pdf" "$P/colour.pdf" --out "$P/colour-out"
marks colour "$P/colour-out/page-001.png" 95 29,156,112,197

variant content/pages.xml content/base.xml 's#</section>#</section><section id="more" role="about"><title>More</title><p>A second page.</p></section>#'
render pages content/pages.xml layouts/base.xml
diff_rc pages 1 "$P/base.pdf" "$P/pages.pdf"
expect_contains "pages: the counts are reported" "$P/pages.out" "page count differs: expected 1, actual 2"
expect_contains "pages: the extra page is named" "$P/pages.out" "page 2: not in EXPECTED"
diff_rc pages-reversed 1 "$P/pages.pdf" "$P/base.pdf"
expect_contains "pages: a missing page is named" "$P/pages-reversed.out" "page 2: missing from ACTUAL"

variant layouts/size.xml layouts/base.xml 's/page="120mm 90mm"/page="120mm 95mm"/'
render size content/base.xml layouts/size.xml
diff_rc size 1 "$P/base.pdf" "$P/size.pdf"
expect_contains "size: the sizes are reported" "$P/size.out" "page 1: size differs: expected 340.2 × 255.1 pt, actual 340.2 × 269.3 pt"

# ---- goldens -----------------------------------------------------------------
G=$P/golden
diff_rc update 0 "$G" "$P/pages.pdf" --update --dpi 50
expect_contains "update: what was written" "$P/update.out" "2 pages at 50 dpi"
if [ -f "$G/page-001.png" ] && [ -f "$G/page-002.png" ] && grep -qx "dpi 50" "$G/golden.txt" && grep -qx "pages 2" "$G/golden.txt"; then
  pass "update: page-001.png, page-002.png and golden.txt (dpi 50, pages 2)"
else
  fail "update: the goldens folder holds $(ls "$G" | tr '\n' ' ')"
fi
w=$("$PY" -c "from PIL import Image; print(Image.open('$G/page-001.png').size)")
[ "$w" = "(237, 178)" ] && pass "update: 120 × 90 mm at 50 dpi is 237 × 178 px" || fail "update: page-001.png is $w px"
diff_rc golden-same 0 "$G" "$P/pages.pdf"
# a second update from a shorter document keeps the dpi and drops page 2
diff_rc update-shorter 0 "$G" "$P/base.pdf" --update
[ ! -e "$G/page-002.png" ] && grep -qx "pages 1" "$G/golden.txt" && grep -qx "dpi 50" "$G/golden.txt" &&
  pass "update: a shorter document removes page-002.png and keeps 50 dpi" || fail "update: after a shorter document: $(ls "$G" | tr '\n' ' '); $(cat "$G/golden.txt")"
diff_rc golden-base 0 "$G" "$P/base.pdf"
diff_rc golden-word 1 "$G" "$P/word.pdf" --out "$P/golden-word"
[ -f "$P/golden-word/page-001.png" ] && pass "golden-word: diff image written" || fail "golden-word: no diff image"
diff_rc golden-pages 1 "$G" "$P/pages.pdf"
expect_contains "golden-pages: counts" "$P/golden-pages.out" "page count differs: expected 1, actual 2"
diff_rc golden-size 1 "$G" "$P/size.pdf"
expect_contains "golden-size: sizes in px" "$P/golden-size.out" "page 1: size differs: expected 237 × 178 px, actual 237 × 188 px"
diff_rc golden-dpi 2 "$G" "$P/base.pdf" --dpi 72
expect_contains "golden-dpi: says why" "$P/golden-dpi.stderr" "made at 50 dpi, not 72"
diff_rc golden-out-is-golden 2 "$G" "$P/word.pdf" --out "$G"
[ -f "$G/page-001.png" ] || fail "golden-out-is-golden: the golden page was removed"

# ---- trouble -----------------------------------------------------------------
diff_rc missing-golden 2 "$P/no-such-folder" "$P/base.pdf"
expect_contains "missing-golden: says how to make one" "$P/missing-golden.stderr" "--update"
mkdir -p "$P/not-golden"
diff_rc not-golden 2 "$P/not-golden" "$P/base.pdf"
expect_contains "not-golden: names the manifest" "$P/not-golden.stderr" "golden.txt"
cp -r "$G" "$P/incomplete" && rm "$P/incomplete/page-001.png"
diff_rc incomplete-golden 2 "$P/incomplete" "$P/base.pdf"
expect_contains "incomplete-golden: names the page" "$P/incomplete-golden.stderr" "page-001.png"
echo "not a PNG" >"$P/incomplete/page-001.png"
diff_rc corrupt-golden 2 "$P/incomplete" "$P/base.pdf"
expect_contains "corrupt-golden: says so" "$P/corrupt-golden.stderr" "page-001.png: error: not a PNG file"
head -c 100 "$G/page-001.png" >"$P/incomplete/page-001.png"
diff_rc truncated-golden 2 "$P/incomplete" "$P/base.pdf"
expect_contains "truncated-golden: says so" "$P/truncated-golden.stderr" "cannot be decoded"
printf 'dpi fifty\npages 1\n' >"$P/not-golden/golden.txt"
diff_rc bad-manifest 2 "$P/not-golden" "$P/base.pdf"
expect_contains "bad-manifest: names the line" "$P/bad-manifest.stderr" "golden.txt:1:"
head -c 600 "$P/base.pdf" >"$P/truncated.pdf"
diff_rc corrupt-actual 2 "$P/base.pdf" "$P/truncated.pdf"
expect_contains "corrupt-actual: names the file" "$P/corrupt-actual.stderr" "truncated.pdf"
echo "not a PDF" >"$P/text.pdf"
diff_rc not-a-pdf 2 "$P/text.pdf" "$P/base.pdf"
diff_rc missing-actual 2 "$P/base.pdf" "$P/nope.pdf"
diff_rc update-corrupt 2 "$P/golden2" "$P/truncated.pdf" --update
[ -e "$P/golden2/golden.txt" ] && fail "update-corrupt: wrote a manifest"
diff_rc update-onto-file 2 "$P/base.pdf" "$P/word.pdf" --update
cmp -s "$P/base.pdf" "$P/again.pdf" || fail "update-onto-file: the file was changed"
diff_rc no-args 2
diff_rc one-arg 2 "$P/base.pdf"
diff_rc three-args 2 "$P/base.pdf" "$P/base.pdf" "$P/base.pdf"
diff_rc bad-dpi 2 "$P/base.pdf" "$P/base.pdf" --dpi 0
diff_rc bad-threshold 2 "$P/base.pdf" "$P/base.pdf" --threshold 256
diff_rc bad-radius 2 "$P/base.pdf" "$P/base.pdf" --radius 9
diff_rc bad-share 2 "$P/base.pdf" "$P/base.pdf" --max-share 2
diff_rc bad-share-word 2 "$P/base.pdf" "$P/base.pdf" --max-share much
diff_rc unknown-option 2 "$P/base.pdf" "$P/base.pdf" --frob
diff_rc help 0 --help
expect_contains "help: documents --update" "$P/help.out" "--update"
# reviewpdf runs reviewpdf-diff from beside itself; without it, trouble that says so
mkdir -p "$P/solo" && cp "$BIN" "$P/solo/reviewpdf"
"$P/solo/reviewpdf" diff "$P/base.pdf" "$P/base.pdf" 2>"$P/solo.err"
rc=$?
[ $rc = 2 ] && grep -q "cannot run .*reviewpdf-diff" "$P/solo.err" && pass "without reviewpdf-diff beside it: exit 2, named" || fail "without reviewpdf-diff: exit $rc, $(cat "$P/solo.err")"
# and render does not load poppler (docs/diff.md, start-up)
if ldd "$BIN" | grep -q poppler; then fail "reviewpdf links poppler"; else pass "reviewpdf does not link poppler"; fi
"$BIN" --help | grep -q "^  diff " && pass "reviewpdf --help lists diff" || fail "reviewpdf --help does not list diff"

finish
