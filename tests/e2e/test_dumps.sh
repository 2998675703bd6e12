#!/usr/bin/env bash
# Layout-dump tests: every tests/dump/<case>/ rendered with --dump-layout and
# compared with its expected dump (or its expected error). See tests/dump/README.md.
. "$(dirname "$0")/lib.sh"
proj="$TMP/proj"
mkdir -p "$proj/layouts" "$proj/data"
cp -r "$SRC/fonts" "$SRC/images" "$proj/"
cp "$SRC/data/ccin-2018-19.xml" "$proj/data/"
for dir in "$SRC"/tests/dump/*/; do
  name=$(basename "$dir")
  [ -f "$dir/layout.xml" ] || continue
  cp "$dir/layout.xml" "$proj/layouts/$name.xml"
  mkdir -p "$proj/layouts/$name"
  find "$dir" -maxdepth 1 -type f ! -name 'expected.*' ! -name layout.xml ! -name content.xml \
    -exec cp {} "$proj/layouts/$name/" \;
  content="$proj/data/ccin-2018-19.xml"
  if [ -f "$dir/content.xml" ]; then
    cp "$dir/content.xml" "$proj/data/$name.xml"
    content="$proj/data/$name.xml"
  fi
  got="$TMP/$name.dump"
  (cd "$proj" && "$BIN" render "$content" --layout "layouts/$name.xml" -o "$TMP/$name.pdf" \
    --dump-layout "$got" -q) 2>"$TMP/$name.err"
  code=$?
  if [ -f "$dir/expected.err" ]; then
    want=$(head -1 "$dir/expected.err")
    if [ "$code" != "$want" ]; then
      fail "$name: exit $code, expected $want: $(head -c 400 "$TMP/$name.err")"
      continue
    fi
    ok=1
    while IFS= read -r frag; do
      [ -n "$frag" ] || continue
      grep -qF -- "$frag" "$TMP/$name.err" || { fail "$name: stderr lacks '$frag': $(head -c 400 "$TMP/$name.err")"; ok=0; }
    done < <(tail -n +2 "$dir/expected.err")
    [ $ok = 1 ] && pass "$name: refused as expected"
    continue
  fi
  if [ "$code" != 0 ]; then
    fail "$name: render failed ($code): $(head -c 600 "$TMP/$name.err")"
    continue
  fi
  # Scratch paths are not part of the layout.
  sed -i "s#$proj/##g" "$got"
  if [ -n "${RP_UPDATE_DUMPS:-}" ]; then
    cp "$got" "$dir/expected.dump"
    pass "$name: expected dump rewritten"
  elif [ ! -f "$dir/expected.dump" ]; then
    fail "$name: no expected.dump (run with RP_UPDATE_DUMPS=1 after checking the output)"
  elif diff -u "$dir/expected.dump" "$got" >"$TMP/$name.diff"; then
    pass "$name: dump matches"
  else
    fail "$name: dump differs from expected:"
    head -40 "$TMP/$name.diff" >&2
  fi
done
finish
