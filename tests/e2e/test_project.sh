#!/usr/bin/env bash
# Content projection (model/projection.h, model/stream.c): the pack's content
# is loaded as a skeleton and each study read whole only while its section
# binds. Nothing of that may show: the pack at N=220 is byte for byte the PDF
# of a whole load (RP_NO_PROJECT=1); an error found while a study binds
# names the study's line in the file; a document with a mistake in a study
# (the schema's, the model's, an id repeated in two batches of studies) gets
# exactly the messages and exit status of a whole load.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1

# same NAME CONTENT LAYOUT: projected and whole give the same exit status,
# messages and (when made) bytes.
same() {
  local name=$1 content=$2 layout=$3
  "$BIN" render "$content" --layout "$layout" -q -o "$TMP/$name.p.pdf" 2>"$TMP/$name.p.err"
  local p=$?
  RP_NO_PROJECT=1 "$BIN" render "$content" --layout "$layout" -q -o "$TMP/$name.w.pdf" \
    2>"$TMP/$name.w.err"
  local w=$?
  [ "$p" = "$w" ] && pass "$name: exit $p both ways" || fail "$name: exit $p projected, $w whole"
  cmp -s "$TMP/$name.p.err" "$TMP/$name.w.err" && pass "$name: the same messages" ||
    fail "$name: messages differ: $(diff "$TMP/$name.w.err" "$TMP/$name.p.err" | head -6)"
  if [ "$w" = 0 ]; then
    cmp -s "$TMP/$name.p.pdf" "$TMP/$name.w.pdf" && pass "$name: the same bytes" ||
      fail "$name: the PDFs differ"
  fi
  status=$p
}

$PY bench/pack_xml.py 220 >"$TMP/pack.xml"
same pack-220 "$TMP/pack.xml" case-studies
[ "$status" = 0 ] && [ ! -s "$TMP/pack-220.p.err" ] && pass "pack-220: rendered quietly" ||
  fail "pack-220: $(head -c 400 "$TMP/pack-220.p.err")"

# A project of its own with a layout whose study paragraphs ask for a style
# by the study's id: the one named "cs-150" is not a style, an error at the
# first paragraph of study 150, by its line in the content.
P=$TMP/proj
scratch_project "$P"
cp -r layouts/lib "$P/layouts/" && cp fonts/* "$P/fonts/"
$PY -c 'import sys; t = open("layouts/case-studies.xml").read(); old = """<template match="self::p" mode="study">
    <paragraph/>"""; assert old in t; sys.stdout.write(t.replace(old, """<template match="self::p" mode="study">
    <paragraph style="{choose(../@id = &apos;cs-150&apos;, ../@id, &apos;body&apos;)}"/>"""))' \
    >"$P/layouts/styled.xml"
cp "$TMP/pack.xml" "$P/data/pack.xml"
line=$(grep -n '<case-study id="cs-150"' "$P/data/pack.xml" | cut -d: -f1)
line=$((line + 2)) # its title, then its first paragraph
same bind-error "$P/data/pack.xml" "$P/layouts/styled.xml"
[ "$status" = 1 ] && pass "bind-error: refused" || fail "bind-error: exit $status"
expect_contains "bind-error: the study's line" "$TMP/bind-error.p.err" "pack.xml:$line"
expect_contains "bind-error: the style" "$TMP/bind-error.p.err" '"cs-150"'

# Mistakes in a study: an element the schema does not know (study 7), a
# figure without a value (the model), an id used in two studies 100 apart
# (two batches of the check).
$PY - "$TMP/pack.xml" "$TMP" <<'PY'
import sys
src, out = sys.argv[1:3]
text = open(src, encoding="utf-8").read()
def write(name, old, new, count=1):
    assert old in text, old
    open(f"{out}/{name}.xml", "w", encoding="utf-8").write(text.replace(old, new, count))
write("bad-schema", '<case-study id="cs-7" ', '<case-study id="cs-7" colour="red" ')
write("bad-model", '<figure id="cs-9-1" value="', '<figure id="cs-9-1" value="many')
write("bad-ids", '<case-study id="cs-120" ', '<case-study id="cs-20" ')
PY
for bad in bad-schema bad-model bad-ids; do
  same "$bad" "$TMP/$bad.xml" case-studies
  [ "$status" = 1 ] && [ -s "$TMP/$bad.p.err" ] && pass "$bad: refused with a message" ||
    fail "$bad: exit $status, $(head -c 300 "$TMP/$bad.p.err")"
done

# The index's paths through the projection (docs/loading.md): studies
# without a theme (the index's last table, its test and rows answered a batch
# of studies at a time), keys that need a position (read from kept parts),
# a study's title read from another (kept), a template applied to each study
# from the index (lent whole): each the same bytes as a whole load.
$PY - "$TMP/pack.xml" "$P/data/mixed.xml" <<'PY'
import sys, re
text = open(sys.argv[1], encoding="utf-8").read()
n = [0]
def drop(m):
    n[0] += 1
    return m.group(0) if n[0] % 7 else m.group(1)
text = re.sub(r'(<case-study id="[^"]*") theme="[^"]*"', drop, text)
open(sys.argv[2], "w", encoding="utf-8").write(text)
PY
variant() { # NAME OLD NEW: layouts/case-studies.xml with OLD replaced
  $PY -c 'import sys; t = open("layouts/case-studies.xml").read(); assert sys.argv[1] in t; sys.stdout.write(t.replace(sys.argv[1], sys.argv[2], 1))' \
    "$2" "$3" >"$P/layouts/$1.xml"
}
variant keys '<group select="case-study[@theme]" by="@theme">' \
  '<group select="case-study[@theme]" by="concat(@theme, substring(position(), 9))">'
variant across '{title[1]}</link></paragraph><paragraph' \
  '{title[1]} {$group[1]/title[1]}</link></paragraph><paragraph'
variant applied '<column-break/>' \
  '<column-break/><apply select="case-study[@place][position() &lt; 4]" mode="study-body"/>'
cp layouts/case-studies.xml "$P/layouts/plain.xml"
for v in plain keys across applied; do
  same "mixed-$v" "$P/data/mixed.xml" "$P/layouts/$v.xml"
  [ "$status" = 0 ] && pass "mixed-$v: rendered" || fail "mixed-$v: exit $status"
done

# Projection off for a layout that reads a study's text from outside it:
# the same output either way.
same review data/ccin-2018-19.xml annual-review
finish
