#!/usr/bin/env bash
# Print output (docs/print.md), read back from the PDF: the page grown by the
# bleed with TrimBox and BleedBox, crop marks outside the bleed, master bands
# extended into it, brand colours as the brand's CMYK and a spot colour as a
# Separation, no RGB colour operators, black text as black ink only, an output
# intent, no links or bookmarks; and the options' and layout's refusals.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3

# A project whose brand gives CMYK forms: accent as a spot ink, teal as CMYK.
proj="$TMP/proj"
mkdir -p "$proj"
cp -r layouts "$proj/layouts"
cp -r fonts images data "$proj/"
sed -i -e 's|<color name="accent" value="#5b2a86"/>|<color name="accent" value="#5b2a86" cmyk="70 95 0 5" spot="PANTONE 2607 C"/>|' \
  -e 's|<color name="teal" value="#007a72"/>|<color name="teal" value="#007a72" cmyk="90 10 55 10"/>|' \
  "$proj/layouts/lib/brand.xml"
grep -q 'spot="PANTONE' "$proj/layouts/lib/brand.xml" || fail "fixture: brand.xml did not take the CMYK forms"

out="$TMP/print.pdf"
if "$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/annual-review.xml" -o "$out" \
  --for print --crop-marks -q 2>"$TMP/err.txt"; then
  pass "print render"
else
  fail "print render failed: $(cat "$TMP/err.txt")"
fi
[ -s "$TMP/err.txt" ] && fail "print render warned: $(cat "$TMP/err.txt")"

$PY - "$out" <<'PY' && pass "boxes, colours, intent, no links" || fail "print file properties"
import re, sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
mm = 72 / 25.4
bleed, off = 3 * mm, 3 * mm + 5 * mm + 1 * mm  # crop marks: gap = bleed (3 mm), 5 mm long, 1 mm room
ok = True
teal_pages = []
def check(cond, msg):
    global ok
    if not cond:
        print("FAIL:", msg); ok = False
for i, page in enumerate(pdf.pages):
    mb = [float(v) for v in page.MediaBox]
    tb = [float(v) for v in page.TrimBox]
    bb = [float(v) for v in page.BleedBox]
    w, h = tb[2] - tb[0], tb[3] - tb[1]
    check(abs(w - 595.28) < 0.1 and abs(h - 841.89) < 0.1, f"page {i+1}: trim {w}x{h} is not A4")
    check(all(abs(a - b) < 0.05 for a, b in zip(tb, [off, off, off + w, off + h])), f"page {i+1}: TrimBox {tb}")
    check(all(abs(a - b) < 0.05 for a, b in zip(bb, [off - bleed, off - bleed, off + w + bleed, off + h + bleed])), f"page {i+1}: BleedBox {bb}")
    check(abs(mb[2] - (w + 2 * off)) < 0.05 and abs(mb[3] - (h + 2 * off)) < 0.05, f"page {i+1}: MediaBox {mb}")
    check("/Annots" not in page, f"page {i+1} has link annotations")
    data = b"".join(c.read_bytes() for c in (page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents])).decode("latin-1")
    check(not re.search(r"(^|\s)[\d.]+ [\d.]+ [\d.]+ (rg|RG)\b", data), f"page {i+1} has RGB colour operators")
    spaces = {}
    if "/ColorSpace" in page.Resources:
        for k, v in page.Resources.ColorSpace.items():
            if isinstance(v, pikepdf.Array) and v[0] == "/Separation":
                spaces[bytes(v[1].unparse())] = (k, v)
    if re.search(r"(^|\s)0\.9 0\.1 0\.55 0\.1 (k|K)\b", data):
        teal_pages.append(i)
    if i == 0:
        reg = spaces.get(b"/All")
        check(reg and f"{reg[0]} CS 1 SCN" in data, "cover: no crop marks in the registration colour")
    if i == 1:
        check(re.search(r"\b0 0 0 0\.867 k\b", data), "page 2: text #222222 is not 86.7 % black ink only")
        spot = spaces.get(b"/PANTONE#202607#20C")
        check(spot and f"{spot[0]} cs 1 scn" in data, f"page 2: accent headings not in the spot colour ({list(spaces)})")
        if spot:
            sep = spot[1]
            check(sep[2] == "/DeviceCMYK", f"spot colour space alternate {sep[2]}")
            check([round(float(v), 3) for v in sep[3].C1] == [0.7, 0.95, 0.0, 0.05], f"spot tint {list(sep[3].C1)}")
check(0 in teal_pages, f"teal is not drawn as the brand's CMYK on the cover (pages {teal_pages})")
check("/Outlines" not in pdf.Root, "print file has bookmarks")
oi = pdf.Root.OutputIntents[0]
check(oi.S == "/GTS_PDFX" and str(oi.OutputConditionIdentifier) == "FOGRA39", f"output intent {oi!r}")
check(str(pdf.docinfo.get("/GTS_PDFXVersion")) == "PDF/X-4", "Info lacks GTS_PDFXVersion")
check(pdf.pdf_version >= "1.6", f"version {pdf.pdf_version}")
sys.exit(0 if ok else 1)
PY

# Pixels: the cover's purple reaches into the bleed, and the crop marks lie
# outside it on the lines of the trim.
pdftoppm -r 72 -f 1 -l 1 -png "$out" "$TMP/cover"
$PY - "$TMP/cover-01.png" <<'PY' && pass "bleed filled, crop marks outside it" || fail "bleed or crop marks not where they belong"
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
mm = 72 / 25.4
off, bleed = 9 * mm, 3 * mm
W, H = im.size
def dark(p): return sum(p) < 300
# Inside the bleed, beside the trim's left edge at mid height: the cover band.
p = im.getpixel((int(off - bleed / 2), H // 2))
ok = p[0] < 200 and p[2] > p[1]
# The media outside the bleed at mid height: paper.
ok &= not dark(im.getpixel((int(off - bleed - 2 * mm), H // 2)))
# A crop mark: on the trim's top line, left of the bleed.
y = int(round(off))
ok &= any(dark(im.getpixel((x, yy))) for x in range(int(off - bleed - 4 * mm), int(off - bleed - 1 * mm)) for yy in (y - 1, y, y + 1))
sys.exit(0 if ok else 1)
PY

# Same inputs, same bytes.
"$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/annual-review.xml" -o "$TMP/again.pdf" \
  --for print --crop-marks -q 2>/dev/null
cmp -s "$out" "$TMP/again.pdf" && pass "print output deterministic" || fail "print output differs between runs"

# --bleed changes the boxes; without crop marks the media box is the bleed box.
"$BIN" render data/ccin-2018-19.xml -o "$TMP/b5.pdf" --for print --bleed 5mm -q 2>/dev/null
$PY - "$TMP/b5.pdf" <<'PY' && pass "--bleed 5mm" || fail "--bleed 5mm boxes"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
p = pdf.pages[0]
b = 5 * 72 / 25.4
tb = [float(v) for v in p.TrimBox]; mb = [float(v) for v in p.MediaBox]
sys.exit(0 if abs(tb[0] - b) < 0.05 and abs(mb[2] - (tb[2] + b)) < 0.05 and [float(v) for v in p.BleedBox] == mb else 1)
PY

# The screen file is untouched by print settings: links and bookmarks, RGB.
"$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/annual-review.xml" -o "$TMP/screen.pdf" -q
$PY - "$TMP/screen.pdf" <<'PY' && pass "screen file keeps links, bookmarks, no boxes" || fail "screen file changed by print settings"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
# (its output intent is the archival sRGB one, not a printing condition)
sys.exit(0 if "/Outlines" in pdf.Root and "/TrimBox" not in pdf.pages[0]
         and all(oi.S == "/GTS_PDFA1" for oi in pdf.Root.OutputIntents) else 1)
PY

# A layout's safe area: text nearer the trim is warned about (exit 0).
sed -i 's|<color name="teal" |<print safe="25mm"/>\n  <color name="teal" |' "$proj/layouts/lib/brand.xml"
"$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/annual-review.xml" -o "$TMP/safe.pdf" --for print -q 2>"$TMP/safe.txt"
rc=$?
[ $rc -eq 0 ] && grep -q "within 25.0 mm of the trim edge" "$TMP/safe.txt" && pass "safe-area warning" ||
  fail "safe-area warning: rc=$rc $(cat "$TMP/safe.txt")"

# Refusals: usage (exit 2) and layout mistakes (exit 1, located).
"$BIN" render data/ccin-2018-19.xml -o "$TMP/x.pdf" --for paper 2>"$TMP/e1.txt"
[ $? -eq 2 ] && grep -q "screen or print" "$TMP/e1.txt" && pass "--for paper refused" || fail "--for paper"
"$BIN" render data/ccin-2018-19.xml -o "$TMP/x.pdf" --bleed 3mm 2>"$TMP/e2.txt"
[ $? -eq 2 ] && grep -q "need --for print" "$TMP/e2.txt" && pass "--bleed alone refused" || fail "--bleed alone"
"$BIN" render data/ccin-2018-19.xml -o "$TMP/x.pdf" --for print --bleed 3furlongs 2>"$TMP/e3.txt"
[ $? -eq 2 ] && pass "bad --bleed refused" || fail "bad --bleed"
sed -i 's| cmyk="90 10 55 10"| spot="Teal ink"|' "$proj/layouts/lib/brand.xml"
"$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/annual-review.xml" -o "$TMP/x.pdf" 2>"$TMP/e4.txt"
[ $? -eq 1 ] && grep -q 'brand.xml:[0-9]*.*needs the CMYK' "$TMP/e4.txt" && pass "spot without cmyk refused at its line" ||
  fail "spot without cmyk: $(cat "$TMP/e4.txt")"
sed -i 's| spot="Teal ink"| cmyk="90 10 155 10"|' "$proj/layouts/lib/brand.xml"
"$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/annual-review.xml" -o "$TMP/x.pdf" 2>"$TMP/e5.txt"
[ $? -eq 1 ] && grep -q 'four percentages' "$TMP/e5.txt" && pass "cmyk over 100 refused" || fail "bad cmyk: $(cat "$TMP/e5.txt")"
[ -e "$TMP/x.pdf" ] && fail "a refused render wrote $TMP/x.pdf"
finish
