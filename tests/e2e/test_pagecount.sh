#!/bin/bash
# {$pages} in a streamed document (layout.h defer_pages, render/pdf_running.c):
# a document too long to hold whose footer prints "{$page} / {$pages}" is
# laid out once, its footers left off each page and set into a second
# content stream once the pages are counted. The Case Studies Pack at N=400
# through a copy of case-studies.xml without its index (no page() refs, so
# nothing else asks for a second pass) is rendered streamed and kept
# (--dump-layout keeps every page): the same text and pixels page by page;
# the footers read "1 / N" to "N / N"; one layout pass (no "laying out
# again" on a terminal); the tagged-PDF checks pass (the footers are
# artifacts); a print file with the footer in a spot ink too.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=0
PY=/usr/bin/python3
proj="$TMP/proj"
mkdir -p "$proj" && cp -r "$SRC/layouts" "$SRC/fonts" "$proj/" || fail "fixture: copy"
$PY - "$SRC/layouts/case-studies.xml" "$proj/layouts/no-index.xml" <<'EOF' || fail "fixture: no-index layout"
import sys
s = open(sys.argv[1]).read()
run = '    <run template="index" select="/review/case-studies[case-study]"/>\n'
assert run in s
s = s.replace(run, '')
i = s.index('  <template name="index"')
s = s[:i] + s[s.index('</template>', i) + len('</template>'):]
open(sys.argv[2], 'w').write(s)
EOF
grep -q '{page(' "$proj/layouts/no-index.xml" && fail "fixture: the layout still prints page()"
python3 bench/pack_xml.py 400 >"$TMP/pack.xml" || fail "pack_xml.py failed"
L="$proj/layouts/no-index.xml"

"$BIN" render "$TMP/pack.xml" -l "$L" -o "$TMP/streamed.pdf" -q || fail "the streamed pack did not render"
"$BIN" render "$TMP/pack.xml" -l "$L" -o "$TMP/kept.pdf" --dump-layout "$TMP/dump.txt" -q ||
  fail "the kept pack did not render"
cmp -s "$TMP/kept.pdf" "$TMP/streamed.pdf" && fail "the same bytes: was the pack streamed at all?"
same_pages "$TMP/kept.pdf" "$TMP/streamed.pdf"

# the footers: the cover is i, the studies 1..N
n=$((pages - 1))
for p in 2 3 $((pages / 2)) "$pages"; do
  want="$((p - 1)) / $n"
  pdftotext -f "$p" -l "$p" "$TMP/streamed.pdf" - | grep -qxF "$want" &&
    pass "page $p reads \"$want\"" || fail "page $p: no \"$want\" in $(pdftotext -f "$p" -l "$p" "$TMP/streamed.pdf" - | tail -3)"
done
# every page's footer, the first and last included (each page's dictionary is
# written and freed once drawn: the footers are drawn at the end on render's
# own stand-in page, with the names each page gave them)
$PY - "$TMP/streamed.pdf" "$n" <<'EOF' && pass "all $pages footers read \"k / $n\"" || fail "footers"
import subprocess, sys
n = int(sys.argv[2])
text = subprocess.run(["pdftotext", sys.argv[1], "-"], capture_output=True, text=True).stdout
pages = text.split("\f")[:-1]
assert len(pages) == n + 1, len(pages)
bad = [i + 1 for i, t in enumerate(pages[1:], 1) if f"{i} / {n}" not in t.split("\n")]
assert not bad, f"pages without their footer: {bad[:10]}"
EOF
# each study page begins its footer ("12 / ") at the end of its own stream,
# placed as a stand-in count would place it, and two streams every page
# shares finish it: the first shifts the state the page's last Q brings back,
# the second shows the count (render/pdf_running.c, split pages): two
# objects for the whole document, not a second stream per page
$PY - "$TMP/streamed.pdf" "$n" <<'EOF' && pass "each footer begun on its page, the count in one shared stream" || fail "split footers"
import re, sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
codes = lambda s: b"".join(b"\0" + bytes([c]) for c in s.encode())
shared = set()
for i, pg in enumerate(pdf.pages[1:], 2):
    c = pg.obj.Contents
    assert isinstance(c, pikepdf.Array) and len(c) == 3, f"page {i}: Contents {c!r}"
    shared.add((c[0].objgen, c[2].objgen))
    own = c[1].read_bytes()
    tail = own[own.rindex(b"Q\nBT\n"):]
    assert tail.startswith(b"Q\nBT\n/Artifact BMC\n"), f"page {i}: {tail!r}"
    assert tail.endswith(b"(" + codes(f"{i - 1} / ") + b")Tj\n"), f"page {i}: {tail!r}"
assert len(shared) == 1, f"{len(shared)} pairs of shared streams"
pre = pdf.pages[1].obj.Contents[0].read_bytes()
post = pdf.pages[1].obj.Contents[2].read_bytes()
m = re.fullmatch(rb"q 1 0 0 1 ([0-9.]+) 0 cm q 1 0 0 1 -([0-9.]+) 0 cm\n", pre)
assert m and m.group(1) == m.group(2), pre
assert post == b"(" + codes(sys.argv[2]) + b")Tj\nEMC\nET\nQ\n", post
EOF
$PY tests/e2e/tagcheck.py check "$TMP/streamed.pdf" && pass "tagcheck" || fail "tagcheck"
qpdf --check "$TMP/streamed.pdf" >/dev/null && pass "qpdf --check" || fail "qpdf --check"

# one layout pass: a terminal is told of a second one ("laying out again")
if command -v script >/dev/null; then
  RP_PROGRESS_DELAY=0 script -qec "$(printf '%q ' "$BIN" render "$TMP/pack.xml" -l "$L" -o "$TMP/tty.pdf")" \
    /dev/null </dev/null >"$TMP/tty.out" || fail "render under script failed"
  grep -q 'laying out: page' "$TMP/tty.out" && ! grep -q 'laying out again' "$TMP/tty.out" &&
    pass "one layout pass" || fail "passes: $(tr '\r' '\n' <"$TMP/tty.out" | grep -c 'laying out again') lines of a second"
  cmp -s "$TMP/tty.pdf" "$TMP/streamed.pdf" && pass "the same PDF with progress shown" ||
    fail "progress changed the PDF"
fi

# a footer that does not end with the count ("12 of 200 pages") cannot be
# split: each page gets a second stream of its own, filled at the end
sed 's|{\$page} / {\$pages}|{$page} of {$pages} pages|' "$L" >"$proj/layouts/of-pages.xml"
grep -q 'of {\$pages} pages' "$proj/layouts/of-pages.xml" || fail "fixture: of-pages layout"
"$BIN" render "$TMP/pack.xml" -l "$proj/layouts/of-pages.xml" -o "$TMP/of.pdf" -q ||
  fail "the of-pages pack did not render"
qpdf --check "$TMP/of.pdf" >/dev/null && pass "of-pages: qpdf --check" || fail "of-pages: qpdf --check"
$PY - "$TMP/of.pdf" "$n" <<'EOF' && pass "of-pages: every footer in a second stream of its page" || fail "of-pages footers"
import subprocess, sys, pikepdf
n = int(sys.argv[2])
text = subprocess.run(["pdftotext", sys.argv[1], "-"], capture_output=True, text=True).stdout
pages = text.split("\f")[:-1]
assert len(pages) == n + 1, len(pages)
bad = [i + 1 for i, t in enumerate(pages[1:], 1) if f"{i} of {n} pages" not in t.split("\n")]
assert not bad, f"pages without their footer: {bad[:10]}"
pdf = pikepdf.open(sys.argv[1])
seconds = set()
for i, pg in enumerate(pdf.pages[1:], 2):
    c = pg.obj.Contents
    assert isinstance(c, pikepdf.Array) and len(c) == 2, f"page {i}: Contents {c!r}"
    seconds.add(c[1].objgen)
    late = c[1].read_bytes()
    assert late.startswith(b"BT\n/Artifact BMC\n") and late.endswith(b"EMC\nET\n"), late
assert len(seconds) == n, len(seconds)
EOF

# print, the footer in a spot ink: its colour space named on each page
sed -i 's|<color name="muted" value="#5f5f66"/>|<color name="muted" value="#5f5f66" cmyk="0 0 0 70" spot="Grey ink"/>|' \
  "$proj/layouts/lib/brand.xml"
grep -q 'spot="Grey ink"' "$proj/layouts/lib/brand.xml" || fail "fixture: no spot ink"
"$BIN" render "$TMP/pack.xml" -l "$L" -o "$TMP/print.pdf" --for print -q || fail "the print file did not render"
$PY - "$TMP/print.pdf" <<'EOF' && pass "print: the footer in the spot ink its page names" || fail "print: spot footer"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
pg = pdf.pages[-1].obj
late = pg.Contents[1].read_bytes()
late = late[late.rindex(b"Q\nBT\n"):]  # the footer begun at the end of the page
assert b"/RpSpot" in late, late
name = late.split(b"/RpSpot")[1].split()[0]
assert "/RpSpot" + name.decode() in pg.Resources.ColorSpace, list(pg.Resources.ColorSpace.keys())
EOF
pdftotext -f "$pages" -l "$pages" "$TMP/print.pdf" - | grep -qxF "$n / $n" && pass "print: \"$n / $n\"" ||
  fail "print: the last footer"
finish
