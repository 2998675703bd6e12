#!/usr/bin/env bash
# CLI outcomes as data (tests/e2e/cli-cases.txt): each case gives the expected
# exit status, a fragment stderr must contain, and the arguments. Every case
# that fails must leave an existing output file untouched.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
cp -r tests/data/cli "$TMP/cli"
while IFS='|' read -r name code fragment args; do
  case "$name" in '' | \#*) continue ;; esac
  name=$(echo "$name" | xargs)
  code=$(echo "$code" | xargs)
  fragment=$(echo "$fragment" | sed 's/^ *//;s/ *$//')
  args=$(echo "$args" | sed "s#@TMP@#$TMP#g;s#@SRC@#$SRC#g;s/^ *//")
  # A previous output that a failed run must not touch.
  echo "previous" >"$TMP/out.pdf"
  eval "set -- $args"
  "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  got=$?
  if [ "$got" != "$code" ]; then
    fail "$name: exit $got, expected $code; stderr: $(head -c 600 "$TMP/stderr")"
    continue
  fi
  if [ -n "$fragment" ] && ! grep -qF -- "$fragment" "$TMP/stderr" "$TMP/stdout"; then
    fail "$name: output lacks '$fragment'; stderr: $(head -c 600 "$TMP/stderr")"
    continue
  fi
  if [ "$code" != 0 ] && [ "$(cat "$TMP/out.pdf")" != "previous" ]; then
    fail "$name: a failed run changed the existing output file"
    continue
  fi
  if ls -a "$TMP" | grep -q '^\.out\.pdf\.'; then
    fail "$name: a temporary file was left behind"
    continue
  fi
  pass "$name"
done <"$SRC/tests/e2e/cli-cases.txt"
finish
