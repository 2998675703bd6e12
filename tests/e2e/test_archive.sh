#!/usr/bin/env bash
# Screen files are designed to PDF/A-2b (docs/accessibility.md): XMP metadata
# that agrees with the Info dictionary (part 2, conformance B, title, author,
# subject, keywords, producer, creator tool, dates; pdfuaid:part 1, the files
# being tagged), an sRGB output intent
# with its profile, /ID from the content (two equal copies; the same inputs
# the same bytes, other content another ID), PDF 1.7. Every stock layout
# fills title, author, subject and keywords. Print files claim none of it.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1700000000

for layout in annual-review annual-review-a5 annual-review-accessible deck board-profile person-profile case-studies; do
  content=data/ccin-2018-19.xml
  [ "$layout" = case-studies ] && content=tests/data/pack/pack-22.xml
  "$BIN" render "$content" --layout "$layout" -o "$TMP/$layout.pdf" -q || fail "render $layout"
  $PY - "$TMP/$layout.pdf" <<'PY' && pass "$layout: XMP, output intent, /ID, 1.7" || fail "$layout: archival parts"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
ok = True
def check(c, msg):
    global ok
    if not c:
        print("FAIL:", msg); ok = False
info = pdf.docinfo
m = pdf.open_metadata()
check(str(m.get("pdfaid:part")) == "2" and str(m.get("pdfaid:conformance")) == "B", "pdfaid")
ua = m.get("{http://www.aiim.org/pdfua/ns/id/}part")  # pikepdf knows no pdfuaid: prefix
check(str(ua) == "1", f"pdfuaid:part {ua!r}, wanted 1")
for key, xmp in (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Subject", "dc:description"),
                 ("/Keywords", "pdf:Keywords"), ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")):
    v = info.get(key)
    check(v is not None and str(v).strip(), f"Info {key} empty")
    x = m.get(xmp)
    x = x[0] if isinstance(x, list) else x
    check(x is not None and str(x) == str(v), f"XMP {xmp} {x!r} != Info {key} {str(v)!r}")
check(str(m.get("xmp:CreateDate")).startswith("2023-11-14T22:13:20"), "XMP date")
check(str(info.get("/CreationDate")).startswith("D:20231114221320"), "Info date")
meta = pdf.Root.Metadata
check(meta.Type == "/Metadata" and meta.Subtype == "/XML" and "/Filter" not in meta, "metadata stream")
oi = pdf.Root.OutputIntents[0]
check(oi.S == "/GTS_PDFA1" and int(oi.DestOutputProfile.N) == 3, "output intent")
# the profile is sRGB: littleCMS maps every colour of a grid through it as
# through its own sRGB, within one 8-bit step
import io
from PIL import Image, ImageCms
icc = oi.DestOutputProfile.read_bytes()
prof = ImageCms.ImageCmsProfile(io.BytesIO(icc))
check(prof.profile.version >= 2 and prof.profile.xcolor_space.strip() == "RGB", "profile kind")
grid = Image.new("RGB", (64, 64))
grid.putdata([(4 * (i % 64) + 3 * (i // 1024), 4 * (i // 64 % 64), 255 - 4 * (i % 64)) for i in range(4096)])
lab = ImageCms.createProfile("LAB")
a = ImageCms.applyTransform(grid, ImageCms.buildTransform(prof, lab, "RGB", "LAB"))
b = ImageCms.applyTransform(grid, ImageCms.buildTransform(ImageCms.createProfile("sRGB"), lab, "RGB", "LAB"))
worst = max(abs(x - y) for p, q in zip(a.getdata(), b.getdata()) for x, y in zip(p, q))
check(worst <= 1, f"output intent profile is not sRGB: Lab differs by {worst}")
ids = pdf.trailer.ID
check(len(ids) == 2 and bytes(ids[0]) == bytes(ids[1]) and len(bytes(ids[0])) == 16, "ID")
check(pdf.pdf_version == "1.7", f"version {pdf.pdf_version}")
sys.exit(0 if ok else 1)
PY
done

"$BIN" render data/ccin-2018-19.xml -o "$TMP/again.pdf" -q
cmp -s "$TMP/annual-review.pdf" "$TMP/again.pdf" && pass "same inputs, same bytes (the ID too)" || fail "not deterministic"
"$BIN" render data/seren-solas-2024-25.xml -o "$TMP/seren.pdf" -q
$PY - "$TMP/annual-review.pdf" "$TMP/seren.pdf" <<'PY' && pass "another document, another ID" || fail "IDs collide"
import sys, pikepdf
a, b = (bytes(pikepdf.open(f).trailer.ID[0]) for f in sys.argv[1:3])
sys.exit(0 if a != b else 1)
PY
"$BIN" render data/ccin-2018-19.xml --for print -o "$TMP/print.pdf" -q
$PY - "$TMP/print.pdf" <<'PY' && pass "print files claim no PDF/A" || fail "print file claims PDF/A"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
sys.exit(0 if "/Metadata" not in pdf.Root and pdf.Root.OutputIntents[0].S == "/GTS_PDFX" else 1)
PY
finish
