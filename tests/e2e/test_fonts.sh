#!/usr/bin/env bash
# Embedded fonts are subsets: each font program in the PDF holds the glyphs of
# the characters drawn (plus what they are built from), none of the layout
# tables (positions are in the page's operators) and no glyph names; the text
# still extracts word for word; each ToUnicode lists the characters used; the
# font dictionaries say what libharu leaves out (ordering Identity, italic
# angle, stem width, cap height).
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3

out="$TMP/review.pdf"
"$BIN" render data/ccin-2018-19.xml -o "$out" -q || fail "render"
pdftotext "$out" "$TMP/review.txt"
expect_contains "body text extracts" "$TMP/review.txt" "Committed to finding better ways"
expect_contains "italic text extracts" "$TMP/review.txt" "reclaim the traditions of community action"

$PY - "$out" fonts <<'PY' && pass "font programs are subsets" || fail "font programs are not subsets"
import os, struct, sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
def tables(data):
    n = struct.unpack(">H", data[4:6])[0]
    out = {}
    for i in range(n):
        tag, _, off, length = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        out[tag.decode("latin-1")] = (off, length)
    return out
def glyphs(data, t):
    off = t["maxp"][0]
    return struct.unpack(">H", data[off + 4: off + 6])[0]
ok, seen = True, 0
for page in pdf.pages:
    for name, font in page.Resources.Font.items():
        desc = font.DescendantFonts[0].FontDescriptor
        data = desc.FontFile2.read_bytes()
        base = str(font.BaseFont).split("+", 1)[-1].split(",")[0]
        src = {"OpenSans": "OpenSans-Regular", "OpenSans-Bold": "OpenSans-Bold",
               "OpenSans-Italic": "OpenSans-Italic", "OpenSans-BoldItalic": "OpenSans-BoldItalic",
               "DejaVuSans": "DejaVuSans", "DejaVuSans-Bold": "DejaVuSans-Bold"}.get(base)
        t = tables(data)
        for tag in ("GSUB", "GPOS", "GDEF", "kern"):
            if tag in t:
                print(f"{base}: embedded program keeps {tag}"); ok = False
        n = glyphs(data, t)
        if src:
            full = open(os.path.join(sys.argv[2], src + ".ttf"), "rb").read()
            nfull = glyphs(full, tables(full))
            if not (n < nfull / 2 and len(data) < len(full) / 2):
                print(f"{base}: {n} of {nfull} glyphs, {len(data)} of {len(full)} bytes"); ok = False
        cid = font.DescendantFonts[0]
        if str(cid.CIDSystemInfo.Ordering) != "Identity":
            print(f"{base}: CIDSystemInfo ordering {cid.CIDSystemInfo.Ordering}"); ok = False
        if "/CapHeight" not in desc or int(desc.StemV) <= 0:
            print(f"{base}: descriptor lacks CapHeight or StemV"); ok = False
        if ("Italic" in base) != (float(desc.ItalicAngle) < 0):
            print(f"{base}: ItalicAngle {desc.ItalicAngle}"); ok = False
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        if "bfrange" in cmap:
            print(f"{base}: ToUnicode maps ranges, not the characters used"); ok = False
        pairs = [l.split() for l in cmap.splitlines() if l.startswith("<")]
        if not pairs or any(a != b for a, b in pairs[1:] if a != "<0000>"):
            print(f"{base}: ToUnicode is not the identity of the characters used"); ok = False
        seen += 1
sys.exit(0 if ok and seen else 1)
PY

# The same inputs give the same bytes (the subsets are deterministic too).
"$BIN" render data/ccin-2018-19.xml -o "$TMP/again.pdf" -q
cmp -s "$out" "$TMP/again.pdf" && pass "subsetting is deterministic" || fail "two renders differ"
finish
