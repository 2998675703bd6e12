#!/usr/bin/env bash
# `cmake --install` puts the binary, its diff helper (in libexec), the layouts with
# their fonts and images, the schemas and the man page in the usual places;
# the installed binary renders from any folder with a stock layout by name
# (found beside the binary), and its man page and --version read right.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
build=$(dirname "$BIN")
prefix="$TMP/prefix"
cmake --install "$build" --prefix "$prefix" >"$TMP/install.txt" 2>&1 || fail "cmake --install: $(tail -3 "$TMP/install.txt")"
for f in bin/reviewpdf libexec/reviewpdf/reviewpdf-diff share/reviewpdf/layouts/annual-review.xml \
  share/reviewpdf/layouts/lib/brand.xml share/reviewpdf/fonts/OpenSans-Regular.ttf \
  share/reviewpdf/data/map/uk-outline.txt share/reviewpdf/schema/review.rng \
  share/reviewpdf/schema/layout.rng share/man/man1/reviewpdf.1; do
  [ -e "$prefix/$f" ] && pass "installed $f" || fail "not installed: $f"
done
cmp -s "$prefix/share/reviewpdf/schema/review.rng" data/schema/review.rng || fail "installed review.rng differs"

# From an empty folder elsewhere, a layout by name: ./layouts has none, so
# it comes from the share folder beside the installed binary.
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && "$prefix/bin/reviewpdf" render "$SRC/data/ccin-2018-19.xml" --layout deck \
  -o deck.pdf -q 2>err.txt) && pass "installed binary renders the deck by name" ||
  fail "installed render: $(cat "$TMP/elsewhere/err.txt")"
[ "$(pdfinfo "$TMP/elsewhere/deck.pdf" 2>/dev/null | awk '/^Pages:/{print $2}')" -gt 10 ] ||
  fail "the installed render made no deck"
(cd "$TMP/elsewhere" && "$prefix/bin/reviewpdf" render "$SRC/data/ccin-2018-19.xml" \
  --layout "$prefix/share/reviewpdf/layouts/annual-review.xml" -o review.pdf -q 2>err2.txt) &&
  pass "the installed A4 layout renders (its fonts and map outline installed with it)" ||
  fail "installed A4 layout: $(cat "$TMP/elsewhere/err2.txt")"
"$prefix/bin/reviewpdf" diff "$TMP/elsewhere/deck.pdf" "$TMP/elsewhere/deck.pdf" -q &&
  pass "installed diff finds its helper" || fail "installed diff"

"$prefix/bin/reviewpdf" --version >"$TMP/version.txt"
grep -q "built with libxml2 .*FreeType .*HarfBuzz .*Cairo .*libharu" "$TMP/version.txt" &&
  pass "--version names the libraries" || fail "--version: $(cat "$TMP/version.txt")"
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$prefix/share/man/man1/reviewpdf.1" 2>"$TMP/man.err" >"$TMP/man.txt"
  grep -q "EXIT STATUS" "$TMP/man.txt" && grep -q "reviewpdf diff" "$TMP/man.txt" &&
    [ ! -s "$TMP/man.err" ] && pass "man page renders" || fail "man page: $(head -3 "$TMP/man.err")"
fi
finish
