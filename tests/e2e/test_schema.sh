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
finish
