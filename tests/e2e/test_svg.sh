#!/usr/bin/env bash
# SVG logos, end to end (docs/svg.md): the 2018-19 sample's SVG logo is drawn
# as vector paths — the cover has no image XObject — and looks like the PNG
# logo it replaces (pixels compared at 100 dpi); the PNG logo still renders,
# as an image; the PDF is deterministic; an SVG the subset cannot draw fails
# the run with its file and line and leaves the previous PDF untouched; a
# missing SVG is a warning like a missing PNG (an error with --strict).
. "$(dirname "$0")/lib.sh"
cd "$SRC"
PY=/usr/bin/python3 # has PIL

# A project of our own: content in proj/data, images in proj/images; the
# stock layouts are found in the source tree.
proj="$TMP/proj"
mkdir -p "$proj/data" "$proj/images"
cp images/ccin-logo.png images/ccin-logo.svg "$proj/images/"
# with_logo NAME SRC: the sample with its logo at SRC (relative to data/)
with_logo() {
  sed "s#<logo src=\"[^\"]*\"#<logo src=\"$2\"#" data/ccin-2018-19.xml >"$proj/data/$1.xml"
}

# page1_images PDF: how many images page 1 draws (pdfimages -list rows)
page1_images() { pdfimages -list -f 1 -l 1 "$1" 2>/dev/null | tail -n +3 | grep -c . || true; }

# PAGE_OPS: python defining page_ops(pdf, i): page i's operators with the
# form XObjects it shows (an SVG is drawn once into a form) expanded in place
PAGE_OPS='
import pikepdf
def page_ops(pdf, i):
    page = pdf.pages[i]
    xo = page.obj.get("/Resources", {}).get("/XObject", {})
    out = []
    for o, op in pikepdf.parse_content_stream(page):
        if str(op) == "Do" and str(o[0]) in xo and xo[str(o[0])].get("/Subtype") == "/Form":
            out.extend(pikepdf.parse_content_stream(xo[str(o[0])]))
        else:
            out.append((o, op))
    return out
'

# 1. the sample as it is: its logo is the SVG, drawn as paths
grep -q 'logo src="../images/ccin-logo.svg"' data/ccin-2018-19.xml ||
  fail "the sample's logo is not images/ccin-logo.svg"
"$BIN" render data/ccin-2018-19.xml -q -o "$TMP/svg.pdf" 2>"$TMP/svg.err"
[ $? -eq 0 ] && pass "sample with the SVG logo renders" || fail "sample render: $(cat "$TMP/svg.err")"
[ -s "$TMP/svg.err" ] && fail "warnings with the SVG logo: $(cat "$TMP/svg.err")"
n=$(page1_images "$TMP/svg.pdf")
[ "$n" -eq 0 ] && pass "the cover has no image XObject" || fail "the cover has $n images"
"$BIN" render data/ccin-2018-19.xml -q -o "$TMP/svg2.pdf" 2>/dev/null
cmp -s "$TMP/svg.pdf" "$TMP/svg2.pdf" && pass "deterministic" || fail "two renders differ"
# the cover's content stream fills paths in the logo's purple
$PY - "$TMP/svg.pdf" <<PYEOF && pass "the cover fills paths in the logo's colours" || fail "no logo paths on the cover"
$PAGE_OPS
import sys
pdf = pikepdf.open(sys.argv[1])
ops = page_ops(pdf, 0)
fills = [tuple(round(float(x), 3) for x in o) for o, op in ops if str(op) == "rg"]
purple = (round(0x5b / 255, 3), round(0x2a / 255, 3), round(0x86 / 255, 3))
curves = sum(1 for o, op in ops if str(op) == "c")
sys.exit(0 if purple in fills and curves > 100 else 1)
PYEOF

# the logo on the cover and on the back page is one form XObject, its paths
# written once (issue 13: each was 10 KB of the sample's file)
$PY - "$TMP/svg.pdf" <<'PYEOF' && pass "the logo's paths are in the file once" || fail "the logo's paths are written per page"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
shown = []
for page in pdf.pages:
    xo = page.obj.get("/Resources", {}).get("/XObject", {})
    for o, op in pikepdf.parse_content_stream(page):
        if str(op) == "Do" and xo[str(o[0])].get("/Subtype") == "/Form":
            shown.append(xo[str(o[0])].objgen)
cover_curves = sum(1 for o, op in pikepdf.parse_content_stream(pdf.pages[0]) if str(op) == "c")
print("forms shown:", shown, "curves in the cover's own stream:", cover_curves)
sys.exit(0 if len(shown) == 2 and shown[0] == shown[1] and cover_curves < 20 else 1)
PYEOF

# the logo follows --for print into CMYK like every path (no RGB fill left on the cover)
"$BIN" render data/ccin-2018-19.xml --for print -q -o "$TMP/print.pdf" 2>/dev/null
$PY - "$TMP/print.pdf" <<'PYEOF' && pass "--for print: the logo in CMYK" || fail "--for print: RGB left on the cover"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
ops = [str(op) for o, op in pikepdf.parse_content_stream(pdf.pages[0])]
sys.exit(0 if "rg" not in ops and "RG" not in ops and ops.count("c") > 100 else 1)
PYEOF

# 2. the PNG logo still works, as an image
with_logo png ../images/ccin-logo.png
"$BIN" render "$proj/data/png.xml" -q -o "$TMP/png.pdf" 2>"$TMP/png.err"
[ $? -eq 0 ] && pass "the PNG logo renders" || fail "PNG render: $(cat "$TMP/png.err")"
n=$(page1_images "$TMP/png.pdf")
[ "$n" -ge 1 ] && pass "the PNG logo is an image" || fail "the PNG logo drew $n images"

# 3. the two covers look alike at 100 dpi
pdftoppm -r 100 -f 1 -l 1 -png "$TMP/svg.pdf" "$TMP/c-svg"
pdftoppm -r 100 -f 1 -l 1 -png "$TMP/png.pdf" "$TMP/c-png"
$PY - "$TMP"/c-svg-*1.png "$TMP"/c-png-*1.png <<'PYEOF' && pass "SVG and PNG covers match" || fail "SVG and PNG covers differ"
import sys
from PIL import Image, ImageChops
a, b = (Image.open(p).convert("L") for p in sys.argv[1:3])
d = ImageChops.difference(a, b)
box = d.getbbox()  # the logo is the only difference
h = d.histogram(); n = sum(h)
big = sum(h[65:]) / n
# the logo itself: what differs must be a sliver of its area (anti-aliased edges)
logo = a.crop((0, 0, a.width, a.height // 3))
ink = sum(1 for v in logo.getdata() if v < 200)
diff_ink = sum(1 for v in d.crop((0, 0, a.width, a.height // 3)).getdata() if v > 64)
print(f"bbox {box} big {big:.5f} ink {ink} differing {diff_ink}")
sys.exit(0 if ink > 1000 and diff_ink < 0.05 * ink and (box is None or box[3] < a.height // 3) else 1)
PYEOF

# 3b. an icon as icon sets draw them (strokes with round caps and joins, CSS, <use>)
cat >"$proj/images/icon.svg" <<'SVGEOF'
<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">
  <style>.i { fill: none; stroke: #00857c; stroke-width: 2 }</style>
  <defs><path id="tick" d="M9 12l2 2 4-4"/></defs>
  <g class="i" stroke-linecap="round" stroke-linejoin="round">
    <circle cx="12" cy="12" r="10"/>
    <use href="#tick"/>
  </g>
</svg>
SVGEOF
with_logo icon ../images/icon.svg
"$BIN" render "$proj/data/icon.xml" -q -o "$TMP/icon.pdf" 2>"$TMP/icon.err"
[ $? -eq 0 ] && pass "an icon with round strokes renders" || fail "icon: $(cat "$TMP/icon.err")"
$PY - "$TMP/icon.pdf" <<PYEOF && pass "icon: round caps and joins, teal strokes" || fail "icon: line style lost"
$PAGE_OPS
import sys
pdf = pikepdf.open(sys.argv[1])
ops = [(list(o), str(op)) for o, op in page_ops(pdf, 0)]
caps = [int(o[0]) for o, op in ops if op == "J"]
joins = [int(o[0]) for o, op in ops if op == "j"]
teal = (0.0, round(0x85 / 255, 3), round(0x7c / 255, 3))
strokes = [tuple(round(float(x), 3) for x in o) for o, op in ops if op == "RG"]
n_stroke = sum(1 for o, op in ops if op == "S")
sys.exit(0 if caps.count(1) >= 2 and joins.count(1) >= 2 and teal in strokes and n_stroke >= 2 else 1)
PYEOF

# 4. refusals: located errors, exit 1, the previous PDF untouched
refuse_case() { # NAME SVG-TEXT NEEDLE LINE
  printf '%s\n' "$2" >"$proj/images/$1.svg"
  with_logo "$1" "../images/$1.svg"
  echo "previous" >"$TMP/$1.pdf"
  "$BIN" render "$proj/data/$1.xml" -q -o "$TMP/$1.pdf" 2>"$TMP/$1.err"
  local rc=$?
  [ $rc -eq 1 ] && pass "$1: exit 1" || fail "$1: exit $rc"
  grep -q "^previous$" "$TMP/$1.pdf" && pass "$1: previous PDF untouched" || fail "$1: PDF changed"
  expect_contains "$1: located" "$TMP/$1.err" "images/$1.svg:$4:"
  expect_contains "$1: says what to do" "$TMP/$1.err" "$3"
}
svg='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 10">'
refuse_case text "$svg
<text x=\"1\" y=\"8\">CCIN</text></svg>" "convert text to outlines" 2
refuse_case gradient "$svg
<linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"red\"/></linearGradient>
<rect width=\"30\" height=\"10\" fill=\"url(#g)\"/></svg>" "solid colour" 3
refuse_case malformed "$svg
<rect width=\"30\" height=\"10\"></svg>" "error" 2
refuse_case laughs '<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 10"><desc>&b;</desc></svg>' "entit" 2

# 5. a missing SVG is like a missing PNG: a warning and the wordmark; --strict refuses
with_logo missing ../images/nothing.svg
echo "previous" >"$TMP/missing.pdf"
"$BIN" render "$proj/data/missing.xml" -o "$TMP/missing.pdf" 2>"$TMP/missing.err" >/dev/null
[ $? -eq 0 ] && pass "missing SVG: a warning" || fail "missing SVG: not exit 0"
expect_contains "missing SVG: named" "$TMP/missing.err" "nothing.svg"
echo "previous" >"$TMP/missing.pdf"
"$BIN" render "$proj/data/missing.xml" --strict -o "$TMP/missing.pdf" 2>"$TMP/missing.err" >/dev/null
rc=$?
[ $rc -eq 1 ] && pass "missing SVG --strict: exit 1" || fail "missing SVG --strict: exit $rc"
grep -q "^previous$" "$TMP/missing.pdf" && pass "missing SVG --strict: previous PDF untouched" ||
  fail "missing SVG --strict: PDF changed"
expect_contains "missing SVG --strict: located" "$TMP/missing.err" "missing.xml:"

finish
