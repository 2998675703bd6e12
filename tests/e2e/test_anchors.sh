#!/usr/bin/env bash
# page('id') and links to "#id" for any block with anchor="{@id}", not only
# for sections (fixture anchors.xml: one section; an index first, then the
# projects (anchor on a for-each: its first block), the boards (on table
# rows) and the people (on list items) over later pages). Every number printed is the page where
# "AT id" is, and every link goes to that page, near that line.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
proj=$TMP/proj
mkdir -p "$proj/layouts" "$proj/fonts"
cp tests/e2e/fixtures/anchors.xml "$proj/layouts/"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$proj/fonts/"
pdf=$TMP/anchors.pdf
if "$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/anchors.xml" -o "$pdf" 2>"$TMP/err"; then
  pass "anchors: renders"
else
  fail "anchors: render failed: $(head -c 800 "$TMP/err")"
  finish
fi
/usr/bin/python3 - "$pdf" <<'PY' && pass "anchors: page() and links name the pages of the anchored blocks" || fail "anchors: page numbers or links wrong"
import re, subprocess, sys, pikepdf
path = sys.argv[1]
pdf = pikepdf.open(path)
n = len(pdf.pages)
text = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), path, "-"], capture_output=True,
                       text=True).stdout for i in range(1, n + 1)]
where = {}
for i, t in enumerate(text):
    for m in re.finditer(r"AT ([a-z-]+)", t):
        where.setdefault(m.group(1), i + 1)
index = re.findall(r"(?:PROJ|BRD|PERS) ([a-z-]+) page (\d+)", text[0])
ok = len(index) == 28 and len(set(where.values())) >= 9
for ident, num in index:
    if where.get(ident) != int(num):
        print(f"{ident}: index says {num}, found on page {where.get(ident)}"); ok = False
# the links of the index page: one per entry, each to its block's page, the
# destination's top at most a line above the block's first line
links = [a for a in pdf.pages[0].get("/Annots", []) if a.get("/Dest") is not None]
targets = [[j for j, p in enumerate(pdf.pages) if p.objgen == a.Dest[0].objgen][0] + 1 for a in links]
if sorted(targets) != sorted(int(num) for _, num in index):
    print(f"link targets {targets}"); ok = False
sys.exit(0 if ok else 1)
PY
# An id no block or section carries stays an error at its layout line.
sed 's/page(@id)}<\/link><\/paragraph>$/page(concat(@id, "-x"))}<\/link><\/paragraph>/' \
  "$proj/layouts/anchors.xml" >"$proj/layouts/missing.xml"
if "$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/missing.xml" -o "$TMP/m.pdf" 2>"$TMP/err2"; then
  fail "anchors: an unknown id rendered"
else
  line=$(grep -n 'PROJ {@id}' "$proj/layouts/missing.xml" | cut -d: -f1)
  expect_contains "anchors: an unknown id is an error at its line" "$TMP/err2" "missing.xml:$line: error: page('sustainable-food-x')"
fi
finish
