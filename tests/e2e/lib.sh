# Shared by the end-to-end tests: paths from ctest's environment, a scratch
# folder, and small assertion helpers that print what they expected.
set -u
BIN=$(realpath "${RP_BIN:?RP_BIN: path of the reviewpdf binary}")
SRC=${RP_SRC:?RP_SRC: the source tree}
TMP=${RP_TMP:-/tmp/rp-e2e-$$}
rm -rf "$TMP" && mkdir -p "$TMP"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

# expect_contains NAME HAYSTACK_FILE NEEDLE
expect_contains() {
  if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' not found in $2"; fi
}

# The words, whole, in any case: for labels a layout may set in capitals or
# in sentence case (annual-review-accessible sets no capitals).
expect_words() {
  if grep -qiwF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' (any case) not found in $2"; fi
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "all passed"
}

# scratch_project DIR: a project of its own (data/, layouts/ and fonts/ side
# by side, Open Sans in fonts/), for a test's own content and layouts.
scratch_project() {
  mkdir -p "$1/data" "$1/layouts" "$1/fonts" && cp "$SRC"/fonts/OpenSans-*.ttf "$1/fonts/"
}

# variants_project: a project folder, $proj ($TMP/proj: data/, the sample's
# images beside it), for variants of the sample review, written into
# $proj/data by the Python script on stdin, which is given the sample's path
# and $proj/data; fails the test when the script does.
variants_project() {
  proj="$TMP/proj"
  mkdir -p "$proj/data" && cp -r "$SRC/images" "$proj/" &&
    /usr/bin/python3 - "$SRC/data/ccin-2018-19.xml" "$proj/data" || fail "variants not written"
}

# render_dump NAME CONTENT LAYOUT OUT: renders CONTENT through LAYOUT to
# OUT.pdf with its layout dump in OUT.dump, its messages in OUT.err; a failed
# render fails NAME and returns 1.
render_dump() {
  "$BIN" render "$2" --layout "$3" -o "$4.pdf" --dump-layout "$4.dump" >/dev/null 2>"$4.err" &&
    return 0
  fail "$1: render failed: $(head -c 800 "$4.err")"
  return 1
}

# same_pages KEPT STREAMED: the two PDFs have the same page count, the same
# text page by page (pdftotext -layout) and the same pixels at 30 dpi;
# sets $pages to the count.
same_pages() {
  local kept=$1 streamed=$2
  pages=$(pdfinfo "$kept" | awk '/^Pages:/ {print $2}')
  [ "$(pdfinfo "$streamed" | awk '/^Pages:/ {print $2}')" = "$pages" ] &&
    pass "streamed and kept: $pages pages" || fail "streamed and kept differ in pages"
  pdftotext -layout "$kept" "$TMP/kept.txt"
  pdftotext -layout "$streamed" "$TMP/streamed.txt"
  cmp -s "$TMP/kept.txt" "$TMP/streamed.txt" && pass "streamed and kept: the same text, page by page" ||
    fail "streamed and kept: the text differs: $(diff "$TMP/kept.txt" "$TMP/streamed.txt" | head -5)"
  mkdir -p "$TMP/k" "$TMP/s"
  pdftoppm -r 30 "$kept" "$TMP/k/p"
  pdftoppm -r 30 "$streamed" "$TMP/s/p"
  local differ=0 f
  for f in "$TMP"/k/p-*.ppm; do cmp -s "$f" "$TMP/s/$(basename "$f")" || differ=$((differ + 1)); done
  [ "$differ" -eq 0 ] && [ "$(ls "$TMP"/s/p-*.ppm | wc -l)" -eq "$pages" ] &&
    pass "streamed and kept: every page the same pixels" || fail "$differ pages differ in pixels"
}
