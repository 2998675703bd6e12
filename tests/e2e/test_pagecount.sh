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
# each study page has its footer in a second content stream, as an artifact
$PY - "$TMP/streamed.pdf" <<'EOF' && pass "each page's footer in its second stream, an artifact" || fail "second streams"
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
for i, pg in enumerate(pdf.pages[1:], 2):
    c = pg.obj.Contents
    assert isinstance(c, pikepdf.Array) and len(c) == 2, f"page {i}: Contents {c!r}"
    late = c[1].read_bytes()
    assert late.startswith(b"BT\n/Artifact BMC\n") and b" / " not in late, f"page {i}: {late[:80]!r}"
    assert b"/Artifact" in late and late.count(b"BMC") == late.count(b"EMC"), f"page {i}"
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
assert b"/RpSpot" in late, late
name = late.split(b"/RpSpot")[1].split()[0]
assert "/RpSpot" + name.decode() in pg.Resources.ColorSpace, list(pg.Resources.ColorSpace.keys())
EOF
pdftotext -f "$pages" -l "$pages" "$TMP/print.pdf" - | grep -qxF "$n / $n" && pass "print: \"$n / $n\"" ||
  fail "print: the last footer"
finish
