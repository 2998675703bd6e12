#!/bin/bash
# A long tagged document's parent tree (render/pdf_tag.c): libharu refuses
# an array of more than 32,767 entries, and the tree has two per page and
# per link, so past 4,096 keys it is a number tree of leaves (/Kids, each
# leaf with its /Limits); and an element with more kids than that has its
# /K written by render itself. The Case Studies Pack at N=5600 (2,800 pages,
# an index linking every study, six elements a study in one section) has
# about 14,000 keys and a section of 33,600 kids: every page's and every
# link's key is found through the leaves, in order, the leaves' limits are
# right, and every kid of the long section is an element whose /P is the
# section. The review keeps its single /Nums.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=0
python3 bench/pack_xml.py 5600 >"$TMP/pack.xml" || fail "pack_xml.py failed"
"$BIN" render "$TMP/pack.xml" -l case-studies -o "$TMP/pack.pdf" -q ||
  fail "the pack at N=5600 did not render"
"$BIN" render data/ccin-2018-19.xml -o "$TMP/review.pdf" -q || fail "the review did not render"
out=$(/usr/bin/python3 - "$TMP/pack.pdf" "$TMP/review.pdf" <<'PYEOF' 2>&1
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
root = pdf.Root.StructTreeRoot
pt = root.ParentTree
assert '/Kids' in pt and '/Nums' not in pt, 'no leaves in a tree of thousands of keys'
keys = {}
prev = -1
for leaf in pt.Kids:
    n, lim = leaf.Nums, leaf.Limits
    ks = [int(n[i]) for i in range(0, len(n), 2)]
    assert len(ks) <= 4096, f'a leaf of {len(ks)} keys'
    assert ks == sorted(ks) and ks[0] > prev, 'keys out of order'
    assert [int(lim[0]), int(lim[1])] == [ks[0], ks[-1]], f'limits {lim} for {ks[0]}..{ks[-1]}'
    prev = ks[-1]
    for i in range(0, len(n), 2):
        keys[int(n[i])] = n[i + 1]
missing = [i for i, pg in enumerate(pdf.pages) if int(pg.StructParents) not in keys]
assert not missing, f'pages without their key: {missing[:5]}'
links = [a for pg in pdf.pages for a in pg.get('/Annots', []) if a.Subtype == '/Link']
assert len(links) >= 5600, f'{len(links)} links'
lost = [a for a in links if int(a.StructParent) not in keys]
assert not lost, f'{len(lost)} links without their key'
assert int(root.ParentTreeNextKey) == max(keys) + 1
big = [k for k in root.K.K if isinstance(k.K, pikepdf.Array) and len(k.K) > 32767]
assert big, 'no element with more kids than a libharu array takes'
for sect in big:
    assert all(isinstance(x, pikepdf.Dictionary) and x.P.objgen == sect.objgen for x in sect.K), \
        'a kid of the long section is not an element pointing back at it'
review = pikepdf.open(sys.argv[2]).Root.StructTreeRoot.ParentTree
assert '/Nums' in review and '/Kids' not in review, 'the review lost its single /Nums'
print(f'{len(pdf.pages)} pages, {len(links)} links, {len(keys)} keys in {len(pt.Kids)} leaves, '
      f'a section of {len(big[0].K)} kids')
PYEOF
) && pass "parent tree: $out" || fail "parent tree: $out"
qpdf --check "$TMP/pack.pdf" >/dev/null 2>&1 && pass "qpdf reads the pack" || fail "qpdf --check fails on the pack"
# The pack at N=220, whose elements, links, destinations and bookmarks are
# written out and freed as the pages go (render/pdf_tag.c, pdf_link.c,
# pdf_outline.c): qpdf reads it, tagcheck.py passes, every bookmark's /Count
# is its open descendants' (as libharu's own hook counts them) and every
# link lands on a page.
python3 bench/pack_xml.py 220 >"$TMP/p220.xml" || fail "pack_xml.py failed"
"$BIN" render "$TMP/p220.xml" -l case-studies -o "$TMP/p220.pdf" -q || fail "the pack at N=220 did not render"
qpdf --check "$TMP/p220.pdf" >/dev/null 2>&1 && pass "N=220: qpdf --check" || fail "N=220: qpdf --check"
out=$(/usr/bin/python3 tests/e2e/tagcheck.py check "$TMP/p220.pdf" 2>&1) && pass "N=220: tagcheck" ||
  fail "N=220: tagcheck: $(echo "$out" | head -5)"
out=$(/usr/bin/python3 - "$TMP/p220.pdf" <<'PYEOF' 2>&1
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
def kids(o):
    k = o.get('/First')
    while k is not None:
        yield k
        k = k.get('/Next')
def visible(o):
    n = 0
    for k in kids(o):
        n += 1
        if int(k.get('/Count', 0)) > 0:
            n += visible(k)
    return n
items = 0
def walk(o, parent):
    global items
    for k in kids(o):
        items += 1
        assert k.Parent.objgen == parent.objgen, 'an item whose /Parent is not its parent'
        if list(kids(k)):
            assert abs(int(k.Count)) == visible(k), f'/Count {k.Count} for {visible(k)} items'
        else:
            assert '/Count' not in k, 'a /Count on an item without children'
        walk(k, k)
root = pdf.Root.Outlines
walk(root, root)
assert int(root.Count) == visible(root), f'root /Count {root.Count}, {visible(root)} open items'
pages = {p.objgen for p in pdf.pages}
links = [a for p in pdf.pages for a in p.get('/Annots', []) if '/Dest' in a]
assert links and all(a.Dest[0].objgen in pages for a in links), 'a link to no page'
print(f'{items} bookmarks, {len(links)} links')
PYEOF
) && pass "N=220: $out" || fail "N=220: $out"
finish
