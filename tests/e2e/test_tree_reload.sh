#!/bin/bash
# The content's tree freed while a long document is drawn (pipeline.c): a
# content file of a megabyte or more has its tree freed once a streamed
# layout is bound, and read again if that layout is then dropped for another
# (page numbers that moved). The sample review needs such a third layout, so
# the sample with a megabyte of comment added (a long file, the same tree)
# goes through that path: its PDF is byte for byte the plain sample's, and
# no message is given twice.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=0
proj=$TMP/proj
mkdir -p "$proj/data" && cp -r images "$proj/" || fail "cannot make the project"
cp data/ccin-2018-19.xml "$proj/data/plain.xml"
{
  cat data/ccin-2018-19.xml
  printf '<!--'
  head -c 1100000 /dev/zero | tr '\0' 'x'
  printf -- '-->\n'
} >"$proj/data/long.xml"
"$BIN" render "$proj/data/plain.xml" -l "$SRC/layouts/annual-review.xml" -o "$TMP/plain.pdf" \
  2>"$TMP/plain.err" || fail "the plain sample did not render: $(head -c 400 "$TMP/plain.err")"
"$BIN" render "$proj/data/long.xml" -l "$SRC/layouts/annual-review.xml" -o "$TMP/long.pdf" \
  2>"$TMP/long.err" || fail "the long sample did not render: $(head -c 400 "$TMP/long.err")"
cmp -s "$TMP/plain.pdf" "$TMP/long.pdf" && pass "a tree read again gives the same PDF" ||
  fail "the long sample's PDF differs from the plain one"
sed 's/long\.xml/plain.xml/g' "$TMP/long.err" | grep -v '^/' >"$TMP/long.msgs"
grep -v '^/' "$TMP/plain.err" >"$TMP/plain.msgs"
cmp -s "$TMP/plain.msgs" "$TMP/long.msgs" && pass "the same messages, none repeated" ||
  fail "messages differ: $(diff "$TMP/plain.msgs" "$TMP/long.msgs" | head -5)"
finish
