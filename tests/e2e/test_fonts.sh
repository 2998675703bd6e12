#!/usr/bin/env bash
# Embedded fonts are subsets: each font program in the PDF holds the glyphs of
# the characters drawn (plus what they are built from) and only the tables a
# reader reads (glyf head hhea hmtx loca maxp: no layout tables, positions
# are in the page's operators; no cmap, the CIDToGIDMap gives glyphs); the text
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
        if set(t) != {"glyf", "head", "hhea", "hmtx", "loca", "maxp"}:
            print(f"{base}: tables {sorted(t)}, not what a reader reads"); ok = False
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

# A streamed document (the pack at N=500) loads a face before the pages that
# use it are known, yet embeds what the kept one does: per face the same
# characters in ToUnicode, the same /W for them, the same glyphs with
# outlines, and every code drawn mapped to one of them (CIDToGIDMap).
python3 bench/pack_xml.py 500 >"$TMP/pack.xml" || fail "pack_xml.py failed"
"$BIN" render "$TMP/pack.xml" -l case-studies -o "$TMP/streamed.pdf" -q &&
  "$BIN" render "$TMP/pack.xml" -l case-studies -o "$TMP/kept.pdf" --dump-layout "$TMP/dump.txt" -q ||
  fail "the pack did not render"
same="streamed: the same characters, widths and glyphs as kept"
$PY - "$TMP/streamed.pdf" "$TMP/kept.pdf" <<'PY' && pass "$same" || fail "not $same"
import struct, sys, pikepdf
pdfs = []
def faces(path):
    out = {}
    pdfs.append(pikepdf.open(path))
    for page in pdfs[-1].pages:
        for _, font in page.Resources.Font.items():
            out[str(font.BaseFont).split("+", 1)[-1]] = font
    return out
def tounicode(font):
    return {l.split()[0] for l in font.ToUnicode.read_bytes().decode("latin-1").splitlines()
            if l.startswith("<")}
def widths(font):
    w, out = list(font.DescendantFonts[0].W), {}
    for i in range(0, len(w), 2):
        for k, v in enumerate(w[i + 1]):
            out[int(w[i]) + k] = int(v)
    return out
def outlines(data):
    """ids of the glyphs whose outline is not empty"""
    n = struct.unpack(">H", data[4:6])[0]
    t = {}
    for i in range(n):
        tag, _, off, length = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        t[tag] = (off, length)
    head, maxp, loca = t[b"head"][0], t[b"maxp"][0], t[b"loca"]
    glyphs = struct.unpack(">H", data[maxp + 4: maxp + 6])[0]
    long_ = struct.unpack(">h", data[head + 50: head + 52])[0]
    fmt, size = (">I", 4) if long_ else (">H", 2)
    offs = [struct.unpack(fmt, data[loca[0] + size * i: loca[0] + size * (i + 1)])[0]
            for i in range(min(glyphs + 1, loca[1] // size))]
    return {g for g in range(len(offs) - 1) if offs[g + 1] > offs[g]}
s, k = faces(sys.argv[1]), faces(sys.argv[2])
ok = set(s) == set(k) and len(s) > 0
for name in sorted(set(s) & set(k)):
    fs, fk = s[name], k[name]
    codes = tounicode(fs)
    if codes != tounicode(fk):
        print(f"{name}: ToUnicode {len(codes)} vs {len(tounicode(fk))} characters"); ok = False
    if widths(fs) != widths(fk):
        print(f"{name}: /W differs"); ok = False
    prog = fs.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
    drawn = outlines(prog)
    if len(drawn) != len(outlines(fk.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes())):
        print(f"{name}: {len(drawn)} outlines streamed, not as many as kept"); ok = False
    m = fs.DescendantFonts[0].CIDToGIDMap.read_bytes()
    for c in codes:
        cp = int(c[1:-1], 16)
        gid = struct.unpack(">H", m[2 * cp: 2 * cp + 2])[0] if 2 * cp + 2 <= len(m) else 0
        if cp > 0x20 and chr(cp).strip() and gid not in drawn:
            print(f"{name}: U+{cp:04X} maps to glyph {gid}, which has no outline"); ok = False
            break
    if len(m) > 2 * (max(int(c[1:-1], 16) for c in codes) + 1):
        print(f"{name}: CIDToGIDMap runs past the last code drawn"); ok = False
sys.exit(0 if ok else 1)
PY

# The same inputs give the same bytes (the subsets are deterministic too).
"$BIN" render data/ccin-2018-19.xml -o "$TMP/again.pdf" -q
cmp -s "$out" "$TMP/again.pdf" && pass "subsetting is deterministic" || fail "two renders differ"
finish
