#!/usr/bin/env bash
# Goldens: each render listed in tests/golden/renders.txt is compared page by
# page with its folder of golden PNGs by `reviewpdf diff` (docs/diff.md), and
# fails when a page drifts; the report and the diff images (in this test's
# scratch folder) say where. RP_UPDATE_GOLDEN=1 rewrites the goldens instead
# (new folders at 50 dpi): README, "Reviewing a diff and updating goldens".
. "$(dirname "$0")/lib.sh"
cd "$SRC"
GOLDEN_DPI=50 # the dpi of new goldens folders: measured in docs/diff.md
update=${RP_UPDATE_GOLDEN:-0}
n=0
while read -r dir content layout opts; do
  case "$dir" in '' | \#*) continue ;; esac
  n=$((n + 1))
  name=$(basename "$dir")
  pdf="$TMP/$name.pdf"
  # shellcheck disable=SC2086 # the options are words
  if ! "$BIN" render "$content" --layout "$layout" $opts -o "$pdf" -q 2>"$TMP/$name.err"; then
    fail "$dir: render failed: $(head -c 600 "$TMP/$name.err")"
    continue
  fi
  if [ "$update" = 1 ]; then
    dpi=()
    [ -f "$dir/golden.txt" ] || dpi=(--dpi "$GOLDEN_DPI")
    if "$BIN" diff "$dir" "$pdf" --update "${dpi[@]}" >"$TMP/$name.out" 2>&1; then
      pass "$dir: updated: $(cat "$TMP/$name.out")"
    else
      fail "$dir: update failed: $(cat "$TMP/$name.out")"
    fi
    continue
  fi
  "$BIN" diff "$dir" "$pdf" --out "$TMP/$name-diff" >"$TMP/$name.out" 2>&1
  case $? in
    0) pass "$dir: every page of $content with $layout matches its golden" ;;
    1) fail "$dir: pages drifted from the goldens (diff images in $TMP/$name-diff; if the change is intended, regenerate with RP_UPDATE_GOLDEN=1):
$(cat "$TMP/$name.out")" ;;
    *) fail "$dir: could not compare: $(cat "$TMP/$name.out")" ;;
  esac
done <tests/golden/renders.txt
[ "$n" -gt 0 ] || fail "tests/golden/renders.txt lists no render"

# The check itself must be able to fail: the first render with a word put
# into the content's first <title> (in a copy of the project) drifts.
if [ "$update" != 1 ]; then
  read -r dir content layout opts < <(grep -v '^ *\(#\|$\)' tests/golden/renders.txt | head -1)
  mkdir -p "$TMP/proj"
  cp -r data images fonts layouts "$TMP/proj/"
  sed '0,/<title>/s//<title>Drift /' "$content" >"$TMP/proj/$content.drift.xml"
  # shellcheck disable=SC2086
  if "$BIN" render "$TMP/proj/$content.drift.xml" --layout "$TMP/proj/$layout" $opts \
    -o "$TMP/drift.pdf" -q 2>"$TMP/drift.err"; then
    "$BIN" diff "$dir" "$TMP/drift.pdf" --out "$TMP/drift-diff" >"$TMP/drift.out" 2>&1
    rc=$?
    if [ $rc = 1 ]; then pass "$dir: a changed word is caught ($(tail -1 "$TMP/drift.out"))"; else fail "$dir: a changed word was not caught (exit $rc): $(cat "$TMP/drift.out")"; fi
  else
    fail "$dir: the drifted render failed: $(head -c 600 "$TMP/drift.err")"
  fi
fi
finish
