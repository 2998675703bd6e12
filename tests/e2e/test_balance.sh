#!/usr/bin/env bash
# Balanced columns (issue 11), read back from the PDF's word boxes
# (pdftotext -bbox), fixture balance.xml:
# - a two-column frame with balance="true": on the page where the section's
#   flow ends, the columns' last baselines differ by at most one line (12pt),
#   while with balance="false" they do not; the words come in the same order;
# - a <columns count="3"> block of 21 names: three columns level within a
#   line, names in order down each column, and the paragraph after it starts
#   below the tallest column.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
proj=$TMP/proj
mkdir -p "$proj/layouts" "$proj/fonts"
cp tests/e2e/fixtures/balance.xml "$proj/layouts/"
sed 's/balance="true"/balance="false"/' tests/e2e/fixtures/balance.xml >"$proj/layouts/unbalanced.xml"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$proj/fonts/"
for name in balance unbalanced; do
  if "$BIN" render data/ccin-2018-19.xml --layout "$proj/layouts/$name.xml" -o "$TMP/$name.pdf" 2>"$TMP/$name.err"; then
    pass "$name: renders"
  else
    fail "$name: render failed: $(head -c 800 "$TMP/$name.err")"
    finish
  fi
  pdftotext -bbox "$TMP/$name.pdf" "$TMP/$name.html"
done
/usr/bin/python3 - "$TMP/balance.html" "$TMP/unbalanced.html" <<'PY'
import re, sys
LINE = 12.0  # the body style's leading
def pages(path):
    out = []
    html = open(path).read()
    for m in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, re.S):
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
                 re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', m.group(2))]
        out.append((float(m.group(1)), words))
    return out
def columns(words, edges):
    cols = [[] for _ in edges]
    for w in words:
        k = max(i for i, e in enumerate(edges) if w[0] >= e - 0.5)
        cols[k].append(w)
    return [sorted(c, key=lambda w: (round(w[3], 1), w[0])) for c in cols]
def reading(pages_):
    seq = []
    for width, words in pages_:
        for c in columns(words, [0, width / 2]):
            seq += [w[4] for w in c]
    return seq
ok = True
bal, unb = pages(sys.argv[1]), pages(sys.argv[2])
# page 2 ends the projects section; page 3 is the people's
width, words = bal[1]
left, right = columns(words, [0, width / 2])
d = abs(max(w[3] for w in left) - max(w[3] for w in right))
print(f"balanced: last baselines {max(w[3] for w in left):.2f} and {max(w[3] for w in right):.2f}")
if d > LINE + 0.5:
    print(f"FAIL: balanced columns differ by {d:.2f}pt"); ok = False
uw, uwords = unb[1]
ul, ur = columns(uwords, [0, uw / 2])
du = abs(max(w[3] for w in ul) - (max(w[3] for w in ur) if ur else 42))
if du <= LINE + 0.5:
    print(f"FAIL: the unbalanced fixture is level already ({du:.2f}pt): the test proves nothing"); ok = False
if reading(bal[:2]) != reading(unb[:2]):
    print("FAIL: balancing changed the order of the words"); ok = False
if len(bal) != 3 or max(w[3] for w in bal[0][1]) < 500:
    print("FAIL: the first page should stay full (only the last page is levelled)"); ok = False
# the block of names on page 3
width, words = bal[2]
names = [w for w in words if re.fullmatch(r"N\d+", w[4])]
xs = sorted({round(w[0]) for w in names})
if len(xs) != 3:
    print(f"FAIL: names in {len(xs)} columns, not 3"); ok = False
else:
    cols = [sorted((w for w in names if round(w[0]) == x), key=lambda w: w[1]) for x in xs]
    bottoms = [c[-1][3] for c in cols]
    if max(bottoms) - min(bottoms) > LINE + 0.5:
        print(f"FAIL: the block's columns end at {bottoms}"); ok = False
    order = [int(w[4][1:]) for c in cols for w in c]
    if order != list(range(1, 22)):
        print(f"FAIL: names out of order: {order}"); ok = False
    after = [w for w in words if w[4] == "AFTER"]
    if not after or not (max(bottoms) < after[0][1] < max(bottoms) + 2 * LINE):
        print(f"FAIL: the paragraph after the block is not just below its tallest column: {after} vs {max(bottoms)}")
        ok = False
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] && pass "balance: level columns, words in order, text continues below the block" || fail "balance"
finish
