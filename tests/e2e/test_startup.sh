#!/usr/bin/env bash
# Process start: the reviewpdf binary built with RP_STATIC_CAIRO (the
# default where libcairo.a and libpixman-1.a exist) has Cairo inside it and
# loads neither the shared Cairo nor X11/xcb, which only Cairo's X11
# surfaces use (CMakeLists.txt: their loading was a fifth of the start);
# likewise libxml2 and ICU (RP_STATIC_XML), and fontconfig, expat, libhyphen
# and libdeflate (RP_STATIC_LIBS); libjpeg is opened when needed (RP_LAZY_JPEG).
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
# RP_STATIC_XML (the default where libxml2.a links with src/cli/icu_lazy.c):
# libxml2 inside the binary, and neither ICU nor the C++ runtime it needs
# loaded at start.
if grep -q '^RP_STATIC_XML:BOOL=ON' "$cache" 2>/dev/null; then
  needed=$(readelf -d "$BIN" | awk '/NEEDED/{print $5}')
  grep -q libxml2 <<<"$needed" && fail "the binary still needs the shared libxml2: $needed" ||
    pass "libxml2 linked in"
  loaded=$(ldd "$BIN")
  grep -qE 'libicu|libstdc\+\+' <<<"$loaded" &&
    fail "ICU is still loaded at start: $(grep -E 'icu|stdc' <<<"$loaded")" ||
    pass "neither ICU nor libstdc++ loaded at start ($(wc -l <<<"$loaded") objects)"
else
  pass "shared libxml2 (RP_STATIC_XML off or no static archive): nothing to check"
fi
# RP_STATIC_LIBS (the default where the archives link): fontconfig with its
# expat, libhyphen and libdeflate inside the binary, none of them loaded at
# start. The renders below hyphenate, compress and look fonts up as before.
if grep -q '^RP_STATIC_LIBS:BOOL=ON' "$cache" 2>/dev/null; then
  needed=$(readelf -d "$BIN" | awk '/NEEDED/{print $5}')
  grep -qE 'libfontconfig|libexpat|libhyphen|libdeflate' <<<"$needed" &&
    fail "the binary still needs a shared library linked in: $needed" ||
    pass "fontconfig, expat, libhyphen and libdeflate linked in"
else
  pass "shared fontconfig, libhyphen, libdeflate (RP_STATIC_LIBS off): nothing to check"
fi
# libm and libc first in the dynamic linker's search order (CMakeLists.txt;
# not in the sanitizer build, whose runtime comes first): the symbols the
# shared libraries bind at start are found sooner.
if ! grep -q '^RP_SANITIZE:BOOL=ON' "$cache" 2>/dev/null; then
  first=$(readelf -d "$BIN" | awk '/NEEDED/{print $5}' | head -2 | tr -d '[]' | tr '\n' ' ')
  [ "$first" = "libm.so.6 libc.so.6 " ] && pass "libm and libc searched first" ||
    fail "the first libraries searched are $first, not libm and libc"
fi
# RP_LAZY_JPEG (src/cli/jpeg_lazy.c): libjpeg is not needed at start, and
# only a document with a JPEG image opens it — the sample does not; the
# sample with a JPEG logo does, and embeds it. Without a usable libjpeg
# (a library by that name with none of its functions, found first), the
# image is refused with a message saying why and the rest renders.
if grep -q '^RP_LAZY_JPEG:BOOL=ON' "$cache" 2>/dev/null; then
  readelf -d "$BIN" | grep -q 'NEEDED.*libjpeg' && fail "libjpeg still needed at start" ||
    pass "libjpeg not needed at start"
  mkdir -p "$TMP/j/data" "$TMP/j/images" "$TMP/j/fake"
  "$BIN" render "$SRC/data/ccin-2018-19.xml" -o "$TMP/j/plain.pdf" -q 2>"$TMP/j/plain.ld" &&
    pdftoppm -jpeg -r 20 -singlefile -f 1 -l 1 "$TMP/j/plain.pdf" "$TMP/j/images/photo" ||
    fail "the sample, or a JPEG of its first page"
  LD_DEBUG=files "$BIN" render "$SRC/data/ccin-2018-19.xml" -o "$TMP/j/plain.pdf" -q 2>"$TMP/j/plain.ld"
  grep -q 'libjpeg' "$TMP/j/plain.ld" && fail "the sample loads libjpeg" ||
    pass "the sample (no JPEG) never loads libjpeg"
  sed 's|"[^"]*ccin-logo.svg"|"../images/photo.jpg"|' "$SRC/data/ccin-2018-19.xml" >"$TMP/j/data/photo.xml"
  cp -r "$SRC/data/map" "$TMP/j/data/"
  LD_DEBUG=files "$BIN" render "$TMP/j/data/photo.xml" -o "$TMP/j/photo.pdf" -q 2>"$TMP/j/photo.ld" ||
    fail "the sample with a JPEG logo: $(grep -v '^ *[0-9]*:' "$TMP/j/photo.ld" | head -3)"
  grep -q 'file=libjpeg.so.[0-9]* .*dynamically loaded' "$TMP/j/photo.ld" &&
    pdfimages -list "$TMP/j/photo.pdf" | grep -q ' jpeg ' &&
    pass "a JPEG logo opens libjpeg and is embedded" ||
    fail "a JPEG logo: libjpeg not opened or no JPEG in the PDF"
  echo 'int not_jpeg(void) { return 0; }' >"$TMP/j/fake.c"
  soname=$(grep -o 'file=libjpeg.so.[0-9]*' "$TMP/j/photo.ld" | head -1 | cut -d= -f2)
  cc -shared -fPIC -o "$TMP/j/fake/${soname:-libjpeg.so.62}" "$TMP/j/fake.c" || fail "cc: the stand-in libjpeg"
  LD_LIBRARY_PATH="$TMP/j/fake" "$BIN" render "$TMP/j/data/photo.xml" -o "$TMP/j/fake.pdf" -q \
    2>"$TMP/j/fake.err" && grep -q 'libjpeg (libjpeg.so.[0-9]*) cannot be loaded' "$TMP/j/fake.err" &&
    pass "without libjpeg: the JPEG refused with the reason, the rest rendered" ||
    fail "without libjpeg: $(head -c 400 "$TMP/j/fake.err")"
else
  pass "libjpeg linked (RP_LAZY_JPEG off): nothing to check"
fi
# ICU still converts what iconv cannot: the sample, encoded in SCSU (ASCII as
# itself, any other character quoted by SQU, 0x0E + UTF-16BE), renders the
# same PDF as in UTF-8 (with the static libxml2, ICU is loaded on this use).
scratch_project "$TMP/p"
mkdir -p "$TMP/p/images" && cp "$SRC"/images/* "$TMP/p/images/"
cp "$SRC/data/ccin-2018-19.xml" "$TMP/p/data/utf8.xml"
/usr/bin/python3 - "$TMP/p/data/utf8.xml" "$TMP/p/data/scsu.xml" <<'PY' || fail "encoding SCSU"
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
t, n = re.subn(r'^<\?xml[^?]*\?>', '<?xml version="1.0" encoding="SCSU"?>', t)
assert n == 1 and any(ord(c) > 127 for c in t)
out = bytearray()
for c in t:
    o = ord(c)
    if o in (9, 10, 13) or 0x20 <= o < 0x80: out.append(o)
    else: out += bytes([0x0E, o >> 8, o & 255])  # BMP only: ord > 0xFFFF would fail here
open(sys.argv[2], "wb").write(out)
PY
for v in utf8 scsu; do
  "$BIN" render "$TMP/p/data/$v.xml" -l annual-review -o "$TMP/$v.pdf" -q 2>"$TMP/$v.err" ||
    fail "render of the $v copy: $(head -3 "$TMP/$v.err")"
done
cmp -s "$TMP/utf8.pdf" "$TMP/scsu.pdf" && pass "a content document in SCSU (through ICU) renders as in UTF-8" ||
  fail "the SCSU copy's PDF differs from the UTF-8 one's"
"$BIN" --version >"$TMP/version.txt" 2>&1 || fail "--version failed"
expect_contains "--version names Cairo" "$TMP/version.txt" "Cairo"
finish
