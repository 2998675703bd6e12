#!/usr/bin/env bash
# The fill rule for the A4 review: both samples through layouts/annual-review.xml
# leave at most two inner pages ending above two thirds of their height, and
# the cover carries no running header or footer (tests/e2e/fill.py reads the
# positioned items from --dump-layout).
. "$(dirname "$0")/lib.sh"
cd "$SRC"

for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml; do
  name=$(basename "$content" .xml)
  if ! "$BIN" render "$content" --layout layouts/annual-review.xml -q -o "$TMP/$name.pdf" \
    --dump-layout "$TMP/$name.dump" 2>"$TMP/$name.err"; then
    fail "$name: render failed: $(head -c 800 "$TMP/$name.err")"
    continue
  fi
  if /usr/bin/python3 tests/e2e/fill.py "$TMP/$name.dump" 2 >"$TMP/$name.fill" 2>&1; then
    pass "$name: at most two short inner pages, no running text on the cover"
  else
    fail "$name: $(cat "$TMP/$name.fill")"
  fi
done

# The checker itself fails where it must: a dump with four short inner pages
# and a footer on the cover.
{
  echo "page 1 595.28x841.89 master=cover label=i"
  echo "  text 56.69 807.47 20.78 8.00 F.ttf 8.00 color=#5f5f66 \"1 / 9\" role=artifact @L1"
  for n in 2 3 4 5; do
    echo "page $n 595.28x841.89 master=standard label=$n"
    echo "  text 56.69 200.00 100.00 10.00 F.ttf 10.00 color=#222222 \"short\" role=P id=1 @L1"
  done
  echo "page 6 595.28x841.89 master=back label=6"
} >"$TMP/bad.dump"
/usr/bin/python3 tests/e2e/fill.py "$TMP/bad.dump" 2 >"$TMP/bad.fill" 2>&1
if [ $? -ne 0 ] && grep -q "cover carries running text" "$TMP/bad.fill" \
  && grep -q "4 inner pages end above two thirds" "$TMP/bad.fill"; then
  pass "fill.py fails short pages and a footer on the cover"
else
  fail "fill.py passed a bad dump: $(cat "$TMP/bad.fill")"
fi
finish
