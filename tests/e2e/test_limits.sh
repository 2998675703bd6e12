#!/bin/bash
# The limits of docs/limits.md that can be raised, each found by counting:
# for every one, the smallest value the sample review renders under is found
# by bisection; the render must then succeed at that value (just under the
# limit) and fail one below it (just over) with exit 1, nothing written, and
# a message naming the limit and the variable that raises it. The page limit
# is checked against the page count pdfinfo reads from the PDF. A malformed
# value is a usage error (exit 2).
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
CONTENT=data/ccin-2018-19.xml
OUT="$TMP/out.pdf"

# ok VAR VALUE: renders with VAR=VALUE; true when it succeeds.
ok() {
  rm -f "$OUT"
  env "$1=$2" "$BIN" render "$CONTENT" -o "$OUT" -q 2>"$TMP/err"
}

"$BIN" render "$CONTENT" -o "$TMP/plain.pdf" -q || fail "plain render failed"
pages=$(pdfinfo "$TMP/plain.pdf" | awk '/^Pages:/ {print $2}')

for spec in "RP_MAX_PAGES pages 1 1000" "RP_MAX_ITEMS positioned items 1 100000" \
  "RP_MAX_DEPTH levels of nested elements 1 100" "RP_MAX_FONTS font files 1 64" \
  "RP_MAX_XPATH_NODES nodes selected at once 1 100000" \
  "RP_MAX_MEMORY_MIB over the memory limit 1 4096"; do
  set -- $spec
  var=$1
  hi=${!#}
  lo=${@: -2:1}
  what=$(echo "$spec" | cut -d' ' -f2- | sed 's/ [0-9]* [0-9]*$//')
  ok "$var" "$hi" || {
    fail "$var=$hi: the sample does not render: $(head -c 300 "$TMP/err")"
    continue
  }
  # the smallest value that renders: lo fails, hi renders
  if ok "$var" "$lo"; then
    fail "$var=$lo: the sample renders even so (the limit is not enforced)"
    continue
  fi
  while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    if ok "$var" "$mid"; then hi=$mid; else lo=$mid; fi
  done
  ok "$var" "$hi" && cmp -s "$OUT" "$TMP/plain.pdf" && pass "$var=$hi (just under): renders the same PDF" ||
    fail "$var=$hi: did not render the same PDF"
  ok "$var" $((hi - 1))
  rc=$?
  [ "$rc" -eq 1 ] || fail "$var=$((hi - 1)) (just over): exit $rc, expected 1"
  [ -e "$OUT" ] && fail "$var=$((hi - 1)): a PDF was written"
  grep -qF "$what" "$TMP/err" && grep -qF "$var=N raises it" "$TMP/err" &&
    pass "$var=$((hi - 1)) (just over): refused: $(grep -F "$var" "$TMP/err" | head -1)" ||
    fail "$var=$((hi - 1)): no message naming the limit: $(head -c 300 "$TMP/err")"
  if [ "$var" = RP_MAX_PAGES ]; then
    [ "$hi" = "$pages" ] && pass "the page limit counts the PDF's $pages pages" ||
      fail "the page limit is reached at $hi, the PDF has $pages pages"
  fi
done

RP_MAX_PAGES=lots "$BIN" render "$CONTENT" -o "$OUT" -q 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -qF 'RP_MAX_PAGES="lots" is not a limit' "$TMP/err" &&
  pass "a malformed limit is a usage error" || fail "RP_MAX_PAGES=lots: exit $rc: $(cat "$TMP/err")"
finish
