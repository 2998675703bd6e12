#!/usr/bin/env bash
# `reviewpdf schema` prints exactly the schemas in the repository (the ones
# the binary validates with), so an editor checks what reviewpdf checks.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
"$BIN" schema content >"$TMP/content.rng" && cmp -s "$TMP/content.rng" data/schema/review.rng &&
  pass "schema content is data/schema/review.rng" || fail "schema content differs from data/schema/review.rng"
"$BIN" schema layout >"$TMP/layout.rng" && cmp -s "$TMP/layout.rng" layouts/schema/layout.rng &&
  pass "schema layout is layouts/schema/layout.rng" || fail "schema layout differs from layouts/schema/layout.rng"
"$BIN" schema content >/dev/full 2>"$TMP/full.txt"
[ $? -eq 1 ] && grep -q "cannot write" "$TMP/full.txt" && pass "a full disk is an error" || fail "writing to /dev/full"
# An editor's validator (xmllint, the same libxml2) accepts the stock documents.
if command -v xmllint >/dev/null; then
  xmllint --noout --relaxng "$TMP/content.rng" data/*.xml 2>"$TMP/xl.txt" &&
    pass "xmllint validates the samples with the printed schema" || fail "xmllint: $(head -3 "$TMP/xl.txt")"
  xmllint --noout --xinclude --relaxng "$TMP/layout.rng" layouts/*.xml 2>"$TMP/xl2.txt" &&
    pass "xmllint validates the stock layouts" || fail "xmllint layouts: $(head -3 "$TMP/xl2.txt")"
else
  fail "xmllint is missing: install libxml2-utils (.ci/deps)"
fi
finish
