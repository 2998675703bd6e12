#!/usr/bin/env bash
# The preflight report (render --preflight, docs/preflight.md): one crafted
# layout per kind of finding (tests/e2e/fixtures/preflight/), each reported
# with its page and its layout (and content) line in both JSON and JUnit XML
# (preflight_check.py parses them with json and xml.etree); a clean fixture
# with every check passing; --strict making a finding fatal without touching
# an earlier PDF; nothing changed without --preflight; the stock samples'
# findings as docs/preflight.md explains them.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
PY=/usr/bin/python3
CHECK="$PY tests/e2e/preflight_check.py"

# A scratch project: layouts/, data/, fonts/, images/ (made here: no binary fixtures).
proj=$TMP/proj
mkdir -p "$proj/layouts" "$proj/data" "$proj/fonts" "$proj/images"
cp tests/e2e/fixtures/preflight/*.xml "$proj/layouts/"
mv "$proj/layouts/review.xml" "$proj/data/"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$proj/fonts/"
$PY - "$proj/images" <<'EOF'
import sys
from PIL import Image
Image.new("RGB", (100, 100), (128, 128, 128)).save(sys.argv[1] + "/small.png")
Image.new("RGB", (1000, 1000), (90, 120, 150)).save(sys.argv[1] + "/large.png")
EOF
content=$proj/data/review.xml

# render NAME FORMAT [ARGS…]: the fixture NAME with a report in FORMAT (json, xml)
render() {
  local name=$1 fmt=$2
  shift 2
  "$BIN" render "$content" --layout "$proj/layouts/$name.xml" -q -o "$TMP/$name.pdf" \
    --preflight "$TMP/$name.$fmt" "$@" 2>"$TMP/$name.$fmt.err"
}

# expect NAME CHECK PAGE LAYOUT-NEEDLE [CONTENT-NEEDLE]: both reports say it
expect() {
  local name=$1 check=$2 page=$3 needle=$4 cneedle=${5:-} lfile=$proj/layouts/$1.xml
  [ "$check" = missing-glyph ] && lfile=$proj/layouts/$1.xml # the style's line
  for fmt in json xml; do
    if ! render "$name" "$fmt"; then
      fail "$name ($fmt): render failed: $(head -c 600 "$TMP/$name.$fmt.err")"
      continue
    fi
    local out
    if out=$($CHECK "$TMP/$name.$fmt" expect "$check" "$page" "$lfile" "$needle" \
      ${cneedle:+"$content" "$cneedle"} 2>&1); then
      pass "$name ($fmt): $check on page $page"
    else
      fail "$name ($fmt): $out"
    fi
  done
}

# --- 1. one fixture per kind of finding --------------------------------------------
expect shrunk text-shrunk 2 'style="fit" height="12mm"'
expect ellipsis text-ellipsis 1 'style="one-line"' 'The network grew'
expect overset text-overset 1 '<text x="15mm"'
expect glyph missing-glyph 2 '<style name="body"' 'snowman'
expect dpi image-resolution 2 'images/small.png'
expect alt alt-text 2 'images/large.png'
expect contrast contrast 2 'style="pale">Barely'
expect widow widow-orphan 1 "p[2]" 'The network grew'
expect empty empty-selection 2 'no-such-element'
expect empty-list empty-selection 2 '<list>'
grep -q '"character": "U+2603"' "$TMP/glyph.json" && pass "glyph: the character named" ||
  fail "glyph: U+2603 not named in $TMP/glyph.json"

# --- 2. a clean layout: every check passes, in both formats ------------------------------
for fmt in json xml; do
  if render clean "$fmt" && [ "$($CHECK "$TMP/clean.$fmt" counts)" = clean ] &&
    [ ! -s "$TMP/clean.$fmt.err" ]; then
    pass "clean ($fmt): no finding"
  else
    fail "clean ($fmt): $($CHECK "$TMP/clean.$fmt" counts 2>&1) $(head -c 400 "$TMP/clean.$fmt.err")"
  fi
done

# --- 3. --strict: a finding is fatal, the earlier PDF stays, the report says why -----------
cp "$TMP/clean.pdf" "$TMP/strict.pdf"
cp "$TMP/strict.pdf" "$TMP/strict.before"
"$BIN" render "$content" --layout "$proj/layouts/contrast.xml" -q -o "$TMP/strict.pdf" \
  --preflight "$TMP/strict.json" --strict 2>"$TMP/strict.err"
rc=$?
if [ $rc -eq 1 ] && cmp -s "$TMP/strict.pdf" "$TMP/strict.before" &&
  grep -q '"check": "contrast", "severity": "error"' "$TMP/strict.json" &&
  grep -q "error: text \"Barely visible" "$TMP/strict.err"; then
  pass "--strict: exit 1, the earlier PDF untouched, the finding an error in the report"
else
  fail "--strict: exit $rc, $(head -c 400 "$TMP/strict.err")"
fi
ls "$TMP"/.strict* "$TMP"/strict.pdf.* 2>/dev/null | grep -q . && fail "--strict: a temporary file left"
"$BIN" render "$content" --layout "$proj/layouts/contrast.xml" -q -o "$TMP/strict2.pdf" \
  --preflight "$TMP/strict2.xml" --strict 2>/dev/null
if [ $? -eq 1 ] && [ ! -e "$TMP/strict2.pdf" ] &&
  $PY - "$TMP/strict2.xml" <<'EOF'; then
import sys, xml.etree.ElementTree as ET
cases = {c.get("name"): c for c in ET.parse(sys.argv[1]).getroot().iter("testcase")}
assert cases["contrast"].find("failure") is not None
assert cases["render"].find("failure") is not None   # the render was refused
EOF
  pass "--strict (JUnit): contrast and render fail, no PDF"
else
  fail "--strict (JUnit): wrong exit, a PDF, or wrong test cases in $TMP/strict2.xml"
fi

# A report that cannot be written fails the run and keeps the earlier PDF.
"$BIN" render "$content" --layout "$proj/layouts/clean.xml" -q -o "$TMP/strict.pdf" \
  --preflight "$TMP/no-such-folder/report.json" 2>"$TMP/unwritable.err"
rc=$?
[ $rc -eq 1 ] && cmp -s "$TMP/strict.pdf" "$TMP/strict.before" &&
  pass "an unwritable report: exit 1, the earlier PDF untouched" ||
  fail "an unwritable report: exit $rc, $(head -c 300 "$TMP/unwritable.err")"

# --- 4. without --preflight nothing changes ------------------------------------------------
"$BIN" render "$content" --layout "$proj/layouts/contrast.xml" -q -o "$TMP/plain.pdf" --strict \
  2>"$TMP/plain.err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$TMP/plain.err" ] && pass "no --preflight: no finding, exit 0 even --strict" ||
  fail "no --preflight: exit $rc, $(head -c 300 "$TMP/plain.err")"
"$BIN" render "$content" --layout "$proj/layouts/clean.xml" -q -o "$TMP/bad.pdf" \
  --preflight "$TMP/report.txt" 2>"$TMP/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "JSON" "$TMP/bad.err" && [ ! -e "$TMP/bad.pdf" ] &&
  pass "--preflight report.txt: bad usage (exit 2)" || fail "--preflight report.txt: exit $rc"

# --- 5. the stock samples: clean ---------------------------------------------------------------
for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml tests/data/pack/pack-22.xml; do
  for layout in annual-review annual-review-a5 annual-review-accessible deck case-studies; do
    name=$(basename "$content" .xml)-$layout
    if ! "$BIN" render "$content" --layout "$layout" -q -o "$TMP/$name.pdf" \
      --preflight "$TMP/$name.json" 2>"$TMP/$name.err"; then
      fail "$name: render failed: $(head -c 400 "$TMP/$name.err")"
      continue
    fi
    counts=$($CHECK "$TMP/$name.json" counts)
    if [ "$counts" = clean ]; then
      pass "$name: clean"
    else
      fail "$name: unexpected findings: $counts: $(grep -o '"message": "[^"]*' "$TMP/$name.json" | head -5)"
    fi
  done
done
finish
