#!/usr/bin/env bash
# `cpack -G DEB` makes reviewpdf_<version>_<arch>.deb: it holds the binary,
# the diff helper, the layouts with their fonts, the schemas and the man
# page (gzipped) under /usr, and a machine-readable copyright file and a
# changelog in /usr/share/doc/reviewpdf; its Depends (dpkg-shlibdeps) names the libraries the
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
# cpack builds `preinstall` first: the suite's `build` fixture has left it
# nothing to do, so the binary other tests run is not relinked under them
before=$(stat -c '%i %Y.%y' "$BIN")
(cd "$build" && cpack -G DEB -B "$TMP/pkg" >"$TMP/cpack.txt" 2>&1) || fail "cpack: $(tail -5 "$TMP/cpack.txt")"
[ "$(stat -c '%i %Y.%y' "$BIN")" = "$before" ] && pass "cpack left $BIN as it was" ||
  fail "cpack rebuilt $BIN, which tests beside it run: is ctest's build fixture (tests/CMakeLists.txt) missing?"
[ -f "$deb" ] && pass "cpack made $(basename "$deb")" || { fail "no $deb: $(ls "$TMP/pkg")"; finish; }

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' >"$TMP/contents.txt"
for f in usr/bin/reviewpdf usr/libexec/reviewpdf/reviewpdf-diff usr/share/man/man1/reviewpdf.1.gz \
  usr/share/doc/reviewpdf/copyright usr/share/doc/reviewpdf/changelog.gz \
  usr/share/reviewpdf/layouts/annual-review.xml usr/share/reviewpdf/layouts/deck.xml \
  usr/share/reviewpdf/layouts/lib/brand.xml usr/share/reviewpdf/fonts/OpenSans-Regular.ttf \
  usr/share/reviewpdf/fonts/LICENSE-OpenSans.txt usr/share/reviewpdf/fonts/DejaVuSans.ttf \
  usr/share/reviewpdf/schema/review.rng usr/share/reviewpdf/schema/layout.rng \
  usr/share/reviewpdf/data/map/uk-outline.txt usr/share/reviewpdf/images/ccin-logo.svg; do
  grep -qx "$f" "$TMP/contents.txt" || fail "not in the .deb: $f"
done
grep -qx "usr/share/man/man1/reviewpdf.1" "$TMP/contents.txt" && fail "the man page is not gzipped"
grep -q "^usr/local\|^usr/share/reviewpdf/layouts/.*\.c$" "$TMP/contents.txt" &&
  fail "the .deb holds what it should not: $(grep '^usr/local\|\.c$' "$TMP/contents.txt" | head -3)"
pass "dpkg-deb -c lists binary, diff helper, layouts, fonts, schemas, man page, copyright, changelog"

depends=$(dpkg-deb -f "$deb" Depends)
# the static libxml2 (RP_STATIC_XML) leaves ICU, named by hand, for the
# encodings it converts (src/cli/icu_lazy.c opens it when needed)
xml=libxml2
grep -q '^RP_STATIC_XML:BOOL=ON' "$build/CMakeCache.txt" &&
  xml=libicu$(pkg-config --modversion icu-uc | cut -d. -f1)
# fontconfig, libhyphen and libdeflate linked in (RP_STATIC_LIBS) are no
# dependency of the package (reviewpdf-diff, linked --as-needed, uses none)
shared="libfontconfig1 libhyphen0 libdeflate0"
grep -q '^RP_STATIC_LIBS:BOOL=ON' "$build/CMakeCache.txt" && shared=
for lib in $xml libhpdf-2.3.0 libcairo2 libfreetype6 $shared libharfbuzz0b \
  libharfbuzz-subset0 libjpeg62-turbo libpoppler-glib8 hyphen-en-gb; do
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

# Debian's asks (lintian: no-copyright-file, uncompressed-manual-page,
# no-changelog). The copyright file is machine-readable (DEP-5): a Format
# header, Files paragraphs each with Copyright and License, every licence
# named there given in full or by a License paragraph; it reserves the
# project's rights until it has a licence, and names the licence of every
# font shipped (a font added without its licence fails here) and the map's
# source.
/usr/bin/python3 - "$root" <<'PY' && pass "copyright: DEP-5, every shipped font and the map outline named with their licences" || fail "copyright file"
import glob, os, re, sys
root = sys.argv[1]
text = open(os.path.join(root, "usr/share/doc/reviewpdf/copyright"), encoding="utf-8").read()
paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
def fields(p):
    out, key = {}, None
    for line in p.split("\n"):
        if line[:1] in (" ", "\t"):
            if key is None:
                sys.exit(print("continuation line before any field:", line))
            out[key] += "\n" + line
        else:
            key, _, value = line.partition(":")
            if not _:
                sys.exit(print("not a field:", line))
            out[key] = value.strip()
    return out
ps = [fields(p) for p in paras]
errors = []
if not ps[0].get("Format", "").startswith("https://www.debian.org/doc/packaging-manuals/copyright-format/1.0"):
    errors.append("no DEP-5 Format header")
files = [p for p in ps if "Files" in p]
standalone = {p["License"].split("\n")[0].strip() for p in ps if "License" in p and "Files" not in p}
for p in files:
    if "Copyright" not in p or "License" not in p:
        errors.append(f"Files {p.get('Files')}: no Copyright or License")
        continue
    first, _, body = p["License"].partition("\n")
    for name in re.split(r"\s+(?:and|or)\s+", first.strip()):
        if not body.strip() and name not in standalone:
            errors.append(f"licence {name} has no text")
def covered(rel):  # the last matching paragraph wins, as in DEP-5; '*' alone does not count
    import fnmatch
    hit = None
    for p in files:
        if any(fnmatch.fnmatch(rel, pat) for pat in p["Files"].split()):
            hit = p
    return hit
for font in sorted(glob.glob(os.path.join(root, "usr/share/reviewpdf/fonts/*.ttf"))):
    p = covered("fonts/" + os.path.basename(font))
    if not p or p["Files"].strip() == "*":
        errors.append(f"font {os.path.basename(font)} not named in the copyright file")
for rel, want in [("fonts/OpenSans-Regular.ttf", "Apache-2.0"), ("fonts/DejaVuSans.ttf", "Bitstream-Vera"),
                  ("data/map/uk-outline.txt", "public-domain"), ("src/main.c", "reviewpdf-all-rights-reserved")]:
    p = covered(rel)
    if not p or want not in p["License"].split("\n")[0]:
        errors.append(f"{rel}: licence not {want}")
if "All rights reserved" not in text or "TODO" not in text or "Natural Earth" not in text:
    errors.append("no 'All rights reserved' with a TODO, or no Natural Earth")
if errors:
    print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
# gzip -9n: best compression (XFL 2), no file name (FLG without FNAME), no time stamp (MTIME 0)
for gz in usr/share/man/man1/reviewpdf.1.gz usr/share/doc/reviewpdf/changelog.gz; do
  /usr/bin/python3 - "$root/$gz" <<'PY' && pass "$gz: gzip -9n" || fail "$gz: not gzip -9n"
import gzip, sys
b = open(sys.argv[1], "rb").read()
ok = b[:2] == b"\x1f\x8b" and not (b[3] & 0x08) and b[4:8] == b"\0\0\0\0" and b[8] == 2
gzip.decompress(b)  # whole and readable
sys.exit(0 if ok else 1)
PY
done
clv=$(zcat "$root/usr/share/doc/reviewpdf/changelog.gz" | sed -n '1s/^reviewpdf (\([^)]*\)).*/\1/p')
[ "$clv" = "$version" ] && pass "changelog.gz heads with this version ($version)" ||
  fail "changelog.gz's first entry is '$clv', the package $version: add an entry to packaging/deb/changelog"
# lintian, when installed: no error or warning but the maintainer's
# placeholder address (the owners' to give: README, "Installing"); the
# bundled fonts' warnings are overridden with their reasons
[ -s "$root/usr/share/lintian/overrides/reviewpdf" ] && pass "lintian overrides installed" ||
  fail "no usr/share/lintian/overrides/reviewpdf"
if command -v lintian >/dev/null; then
  lintian "$deb" >"$TMP/lintian.txt" 2>/dev/null
  grep '^[EW]:' "$TMP/lintian.txt" | grep -v 'bogus-mail-host' >"$TMP/lintian-errors.txt"
  [ ! -s "$TMP/lintian-errors.txt" ] && pass "lintian: no errors or warnings (bar the placeholder address)" ||
    fail "lintian: $(cat "$TMP/lintian-errors.txt")"
fi
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
  MANWIDTH=80 man -l "$root/usr/share/man/man1/reviewpdf.1.gz" 2>/dev/null | grep -q "EXIT STATUS" &&
    pass "the packaged man page reads" || fail "the packaged man page"
fi
finish
