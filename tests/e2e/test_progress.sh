#!/usr/bin/env bash
# Progress on a terminal: `script` gives render a pseudo-terminal, and on
# the pack N=220 it shows pages laid out and pages written on one stderr
# line rewritten with \r, blanked before the output path; -q silences it; on
# a pipe nothing is shown; the PDF is the same either way. RP_PROGRESS_DELAY=0
# takes the half second's wait out, so the test does not depend on the
# machine's speed; a long delay shows nothing.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
export SOURCE_DATE_EPOCH=1700000000
command -v script >/dev/null || { echo "skipped: no script (util-linux)"; finish; exit 0; }
python3 bench/pack_xml.py 220 "$TMP/pack.xml" || fail "pack_xml.py 220"

# tty NAME ARGS...: render under a pseudo-terminal, its output in $TMP/NAME.tty
tty() {
  local name=$1
  shift
  script -qec "$(printf '%q ' "$BIN" render "$TMP/pack.xml" "$@")" /dev/null </dev/null >"$TMP/$name.tty" ||
    fail "$name: render under script failed: $(tr '\r' '\n' <"$TMP/$name.tty" | tail -3)"
}
RP_PROGRESS_DELAY=0 tty tty -o "$TMP/tty.pdf"
out="$TMP/tty.tty"
grep -q $'\rreviewpdf: laying out: page [0-9]' "$out" && pass "a terminal sees pages laid out" ||
  fail "no layout progress: $(cat -A "$out" | head -c 400)"
grep -q $'\rreviewpdf: writing the PDF: ' "$out" && pass "a terminal sees pages written" ||
  fail "no writing progress: $(cat -A "$out" | head -c 400)"
# the line is blanked (\r, spaces, \r) and the path printed after it
blank=$'\r'"$(printf '%67s' '')"$'\r'"$TMP/tty.pdf"
grep -qF -- "$blank" "$out" && pass "the progress line is blanked before the output path" ||
  fail "no blanking before the path: $(cat -A "$out" | tail -c 300)"
[ "$(tr -cd '\n' <"$out" | wc -c)" -eq 1 ] && pass "progress stays on one line (the path ends it)" ||
  fail "progress took $(tr -cd '\n' <"$out" | wc -c) lines"

RP_PROGRESS_DELAY=0 tty quiet -q -o "$TMP/quiet.pdf"
[ ! -s "$TMP/quiet.tty" ] && pass "-q: nothing on the terminal" || fail "-q printed: $(cat -A "$TMP/quiet.tty" | head -c 300)"
RP_PROGRESS_DELAY=60 tty slow -o "$TMP/slow.pdf"
grep -q "laying out\|writing the PDF" "$TMP/slow.tty" && fail "progress before the delay: $(cat -A "$TMP/slow.tty")" ||
  pass "a render shorter than the delay shows no progress"

RP_PROGRESS_DELAY=0 "$BIN" render "$TMP/pack.xml" -o "$TMP/pipe.pdf" 2>"$TMP/pipe.err" | cat >"$TMP/pipe.out"
[ ! -s "$TMP/pipe.err" ] && pass "stderr not a terminal: no progress" || fail "progress on a pipe: $(cat -A "$TMP/pipe.err" | head -c 300)"
cmp -s "$TMP/tty.pdf" "$TMP/pipe.pdf" && cmp -s "$TMP/tty.pdf" "$TMP/quiet.pdf" &&
  pass "the PDF is the same with or without progress" || fail "the PDFs differ"
finish
