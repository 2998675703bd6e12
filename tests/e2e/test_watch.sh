#!/usr/bin/env bash
# `reviewpdf watch` renders, then renders again on a change to the content, to
# a file saved into a new folder (a piece to include), and after a broken save
# prints the errors and keeps the last good PDF; Ctrl-C ends it with exit 0.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
proj="$TMP/proj"
"$BIN" init "$proj" --from 2025-04-01 --to 2026-03-31 >/dev/null || fail "init"
cd "$proj" || exit 1
log="$TMP/watch.log"
"$BIN" watch data/review.xml >"$log" 2>&1 &
pid=$!

# Waits until the log has N render lines (at most 10 s).
wait_renders() {
  for _ in $(seq 100); do
    [ "$(grep -c ' render [0-9]*:' "$log")" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
wait_renders 1 && pass "first render" || fail "no first render: $(cat "$log")"
sed -i 's/\[Who we are\]/Who we are, this year/' data/review.xml
wait_renders 2 && pdftotext data/review.pdf - | grep -q "Who we are, this year" &&
  pass "a change to the content renders again" || fail "change not rendered: $(cat "$log")"
cp data/review.pdf "$TMP/good.pdf"
sed -i 's|<title>Who we are, this year</title>|<title>Broken|' data/review.xml
wait_renders 3 && grep -q "not written (data/review.pdf kept as it was)" "$log" &&
  grep -q "review.xml:[0-9]*:[0-9]*: error" "$log" && cmp -s data/review.pdf "$TMP/good.pdf" &&
  pass "a broken save keeps the last good PDF and says where" || fail "broken save: $(cat "$log")"
sed -i 's|<title>Broken|<title>Mended</title>|' data/review.xml
wait_renders 4 && pdftotext data/review.pdf - | grep -q "Mended" && pass "the mended save renders" ||
  fail "mended save: $(cat "$log")"
mkdir -p data/pieces && sleep 0.3 && echo '<p>A piece.</p>' >data/pieces/piece.xml
wait_renders 5 && pass "a file in a new folder renders again" || fail "new folder: $(cat "$log")"
kill -INT "$pid"
wait "$pid"
rc=$?
[ $rc -eq 0 ] && grep -q "stopped after 5 renders" "$log" && pass "Ctrl-C stops cleanly" ||
  fail "stop: rc=$rc $(tail -2 "$log")"
ls data | grep -q '^\.' && fail "temporary files left in data/: $(ls -a data)"
finish
