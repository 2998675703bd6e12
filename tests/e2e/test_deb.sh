#!/usr/bin/env bash
# `cpack -G DEB` makes reviewpdf_<version>_<arch>.deb: it holds the binary,
# the diff helper, the layouts with their fonts, the schemas and the man
# page under /usr; its Depends (dpkg-shlibdeps) names the libraries the
# binaries link and the hyphenation patterns, each installable here; and,
# unpacked into a scratch root (dpkg -x), the installed binary renders the
# sample from an empty folder with the stock layout found beside itself, not
# in this source tree. (.ci/deb-clean-root installs it into a clean Debian 12
# root instead, as root with network: minutes, so not part of the suite.)
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
build=$(dirname "$BIN")
for t in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$t" >/dev/null || { echo "skipped: no $t (.ci/deps installs dpkg-dev)"; finish; exit 0; }
done
version=$("$BIN" --version | awk 'NR == 1 {print $2}')
arch=$(dpkg --print-architecture)
deb="$TMP/pkg/reviewpdf_${version}_${arch}.deb"
(cd "$build" && cpack -G DEB -B "$TMP/pkg" >"$TMP/cpack.txt" 2>&1) || fail "cpack: $(tail -5 "$TMP/cpack.txt")"
[ -f "$deb" ] && pass "cpack made $(basename "$deb")" || { fail "no $deb: $(ls "$TMP/pkg")"; finish; }

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' >"$TMP/contents.txt"
for f in usr/bin/reviewpdf usr/bin/reviewpdf-diff usr/share/man/man1/reviewpdf.1 \
  usr/share/reviewpdf/layouts/annual-review.xml usr/share/reviewpdf/layouts/deck.xml \
  usr/share/reviewpdf/layouts/lib/brand.xml usr/share/reviewpdf/fonts/OpenSans-Regular.ttf \
  usr/share/reviewpdf/fonts/LICENSE-OpenSans.txt usr/share/reviewpdf/fonts/DejaVuSans.ttf \
  usr/share/reviewpdf/schema/review.rng usr/share/reviewpdf/schema/layout.rng \
  usr/share/reviewpdf/data/map/uk-outline.txt usr/share/reviewpdf/images/ccin-logo.svg; do
  grep -qx "$f" "$TMP/contents.txt" || fail "not in the .deb: $f"
done
grep -q "^usr/local\|^usr/share/reviewpdf/layouts/.*\.c$" "$TMP/contents.txt" &&
  fail "the .deb holds what it should not: $(grep '^usr/local\|\.c$' "$TMP/contents.txt" | head -3)"
pass "dpkg-deb -c lists binary, diff helper, layouts, fonts, schemas, man page"

depends=$(dpkg-deb -f "$deb" Depends)
for lib in libxml2 libhpdf-2.3.0 libcairo2 libfreetype6 libfontconfig1 libharfbuzz0b \
  libharfbuzz-subset0 libhyphen0 libjpeg62-turbo libpoppler-glib8 hyphen-en-gb; do
  grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
# every dependency is satisfied here (same names and versions as Debian 12's)
IFS=',' read -ra deps <<<"$depends"
for dep in "${deps[@]}"; do
  pkg=$(awk '{print $1}' <<<"$dep")
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    fail "Depends names $pkg, which is not installed here"
done
pass "Depends (dpkg-shlibdeps): $depends"

root="$TMP/root"
dpkg -x "$deb" "$root" || fail "dpkg -x"
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && "$root/usr/bin/reviewpdf" render "$SRC/data/ccin-2018-19.xml" -o review.pdf \
  --preflight report.json -q 2>err.txt) && pass "the unpacked binary renders the sample" ||
  fail "unpacked render: $(head -5 "$TMP/elsewhere/err.txt")"
/usr/bin/python3 - "$TMP/elsewhere/report.json" "$root" <<'PY' && pass "it used the layout unpacked beside it" || fail "layout not from the package"
import json, os, sys
r = json.load(open(sys.argv[1]))
layout = r["layout"]
print("layout:", layout)
sys.exit(0 if layout and os.path.realpath(layout).startswith(os.path.realpath(sys.argv[2]) + "/usr/share/reviewpdf/layouts/") else 1)
PY
[ "$(pdfinfo "$TMP/elsewhere/review.pdf" 2>/dev/null | awk '/^Pages:/{print $2}')" -ge 10 ] ||
  fail "the unpacked render is not the review"
pdffonts "$TMP/elsewhere/review.pdf" | grep -q "OpenSans" && pass "with the packaged fonts embedded" ||
  fail "no Open Sans: $(pdffonts "$TMP/elsewhere/review.pdf")"
"$root/usr/bin/reviewpdf" diff "$TMP/elsewhere/review.pdf" "$TMP/elsewhere/review.pdf" -q &&
  pass "the unpacked diff finds its helper" || fail "unpacked diff"
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$root/usr/share/man/man1/reviewpdf.1" 2>/dev/null | grep -q "EXIT STATUS" &&
    pass "the packaged man page reads" || fail "the packaged man page"
fi
finish
