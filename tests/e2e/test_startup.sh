#!/usr/bin/env bash
# Process start: the reviewpdf binary built with RP_STATIC_CAIRO (the
# default where libcairo.a and libpixman-1.a exist) has Cairo inside it and
# loads neither the shared Cairo nor X11/xcb, which only Cairo's X11
# surfaces use (CMakeLists.txt: their loading was a fifth of the start).
source "$(dirname "$0")/lib.sh"
cache="$(dirname "$BIN")/CMakeCache.txt"
if grep -q '^RP_STATIC_CAIRO:BOOL=ON' "$cache" 2>/dev/null; then
  needed=$(readelf -d "$BIN" | awk '/NEEDED/{print $5}')
  grep -q cairo <<<"$needed" && fail "the binary still needs the shared Cairo: $needed" ||
    pass "Cairo linked in"
  loaded=$(ldd "$BIN")
  grep -qE 'libX11|libxcb' <<<"$loaded" && fail "X11 is still loaded: $(grep -E 'X11|xcb' <<<"$loaded")" ||
    pass "no X11 or xcb loaded ($(wc -l <<<"$loaded") objects)"
else
  pass "shared Cairo (RP_STATIC_CAIRO off or no static archive): nothing to check"
fi
"$BIN" --version >"$TMP/version.txt" 2>&1 || fail "--version failed"
expect_contains "--version names Cairo" "$TMP/version.txt" "Cairo"
finish
