#!/usr/bin/env bash
# `reviewpdf init` makes a project outside the repository that renders at
# once: the skeleton validates, the copied layout finds its fonts and map in
# the project, and the PDF is clean (no warning, the organisation and period
# on the cover, every page's words inside the page). init never writes into a
# folder with anything in it.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
out=$(mktemp -d /tmp/rp-init-XXXXXX)
trap 'rm -rf "$out"' EXIT

proj="$out/harbourside"
"$BIN" init "$proj" --name "Harbourside Tenants’ Federation & Friends" --short HTF \
  --from 2025-04-01 --to 2026-03-31 >"$TMP/init.txt" 2>&1 && pass "init" || fail "init: $(cat "$TMP/init.txt")"
grep -q "next: cd $proj && reviewpdf render data/review.xml" "$TMP/init.txt" || fail "init does not say what to do next"
for f in data/review.xml layouts/annual-review.xml layouts/lib/templates.xml fonts/OpenSans-Regular.ttf \
  fonts/LICENSE-OpenSans.txt data/map/uk-outline.txt; do
  [ -f "$proj/$f" ] || fail "init did not write $f"
done
(cd "$proj" && "$BIN" check data/review.xml >"$TMP/check.txt" 2>&1) && pass "the skeleton validates" ||
  fail "skeleton: $(cat "$TMP/check.txt")"
(cd "$proj" && "$BIN" render data/review.xml -q 2>"$TMP/render.txt") && [ ! -s "$TMP/render.txt" ] &&
  pass "the project renders without a warning" || fail "render in the project: $(cat "$TMP/render.txt")"
pdftotext "$proj/data/review.pdf" "$TMP/review.txt"
expect_contains "organisation on the cover" "$TMP/review.txt" "Harbourside Tenants’ Federation & Friends"
expect_contains "period" "$TMP/review.txt" "April 2025 – March 2026"
expect_contains "placeholders" "$TMP/review.txt" "[Who we are]"
pages=$(pdfinfo "$proj/data/review.pdf" | awk '/^Pages:/{print $2}')
[ "${pages:-0}" -ge 5 ] && pass "$pages pages" || fail "only ${pages:-0} pages"
/usr/bin/python3 tests/e2e/pdfcheck.py geometry "$proj/data/review.pdf" >"$TMP/geo.txt" 2>&1 &&
  pass "no word overlaps or leaves its page" || fail "geometry: $(tail -3 "$TMP/geo.txt")"

# Another stock layout, named; its render command names it.
"$BIN" init "$out/deck" --layout deck --from 2025-01-01 --to 2025-12-31 >"$TMP/deck.txt" 2>&1 || fail "init --layout deck"
grep -q "render data/review.xml --layout deck" "$TMP/deck.txt" || fail "init --layout deck: next step"
(cd "$out/deck" && "$BIN" render data/review.xml --layout deck -q 2>"$TMP/deck-render.txt") &&
  pass "a deck project renders" || fail "deck project: $(cat "$TMP/deck-render.txt")"
pdftotext "$out/deck/data/review.pdf" - | grep -q "January 2025 – December 2025" || fail "deck period"

# Refusals: a folder with something in it (left as it was), bad dates, usage.
mkdir -p "$out/busy" && echo keep >"$out/busy/notes.txt"
"$BIN" init "$out/busy" 2>"$TMP/busy.txt"
[ $? -eq 1 ] && grep -q "not an empty folder" "$TMP/busy.txt" && [ "$(ls "$out/busy")" = notes.txt ] &&
  pass "a folder with files is refused and left alone" || fail "busy folder: $(cat "$TMP/busy.txt")"
"$BIN" init "$out/dates" --from 2026-04-01 --to 2025-03-31 2>"$TMP/dates.txt"
[ $? -eq 1 ] && [ ! -e "$out/dates" ] && pass "dates out of order refused" || fail "bad dates: $(cat "$TMP/dates.txt")"
"$BIN" init 2>/dev/null; [ $? -eq 2 ] && pass "init without a folder is bad usage" || fail "usage"
"$BIN" init "$out/x" --layout no-such-layout 2>"$TMP/nolayout.txt"
[ $? -eq 1 ] && grep -q "no layout named" "$TMP/nolayout.txt" && pass "unknown layout refused" || fail "unknown layout"
finish
