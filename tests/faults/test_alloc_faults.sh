#!/bin/bash
# Allocation faults, after sqlite's test_malloc.c: a render whose Nth
# allocation fails (RP_FAIL_ALLOC=N; "N+": and every later one), for a dense
# sample of N over every allocation the render makes — reviewpdf's own, its
# arenas', and libxml2's, libharu's and FreeType's, which allocate through
# base/mem. Every run must exit 3 with a message, the previous PDF (and
# preflight report) untouched and no temporary left behind; or, with N past
# the last allocation, exit 0 with the very PDF of the unfaulted run. Never a
# crash, never a partial file, never a PDF with something missing.
#
# RP_FAULT_RUNS (default 300) is about how many N each case tries: every N up
# to a quarter of that, then evenly spread to the end; some also sticky.
source "$(dirname "$0")/../e2e/lib.sh"
cd "$SRC" || exit 1
RUNS=${RP_FAULT_RUNS:-300}
DENSE=$((RUNS / 4 + 1))
export SOURCE_DATE_EPOCH=1700000000
total_runs=0

# check NAME DIR: the outcome of one faulted run in DIR (exit status in $rc).
check() {
  local name=$1 dir=$2 left
  total_runs=$((total_runs + 1))
  if [ "$rc" -eq 0 ]; then
    cmp -s "$dir/out.pdf" "$dir/../plain.pdf" ||
      fail "$name: exit 0 but the PDF differs from the unfaulted one"
    if [ -n "$pre" ]; then
      cmp -s "$dir/pre.json" "$dir/../plain.json" || fail "$name: exit 0 but the report differs"
    fi
    return
  fi
  [ "$rc" -eq 3 ] || {
    fail "$name: exit $rc, expected 3 (or 0): $(head -c 300 "$dir.err")"
    return
  }
  [ -s "$dir.err" ] || fail "$name: exit 3 without a message"
  cmp -s "$dir/out.pdf" "$dir/../previous.pdf" || fail "$name: the previous PDF was changed"
  if [ -n "$pre" ]; then
    cmp -s "$dir/pre.json" "$dir/../previous.json" || fail "$name: the previous report was changed"
  fi
  left=$(ls -A "$dir" | grep -vx 'out.pdf\|pre.json')
  [ -z "$left" ] || fail "$name: left behind: $left"
}

# run NAME DIR SPEC CONTENT LAYOUT: one render with RP_FAIL_ALLOC=SPEC.
run() {
  local name=$1 dir=$2 spec=$3 content=$4 layout=$5
  cp "$dir/../previous.pdf" "$dir/out.pdf"
  [ -z "$pre" ] || cp "$dir/../previous.json" "$dir/pre.json"
  RP_FAIL_ALLOC=$spec timeout 60 "$BIN" render "$content" --layout "$layout" -o "$dir/out.pdf" \
    ${pre:+--preflight "$dir/pre.json"} -q 2>"$dir.err"
  rc=$?
  check "$name N=$spec" "$dir"
}

# A pack of 120 studies (142 KB) is loaded projected (docs/loading.md): the
# skeleton, the batches' checks and each study read whole as it binds.
python3 bench/pack_xml.py 120 "$TMP/pack-120.xml" || fail "bench/pack_xml.py failed"
for case in "data/ccin-2018-19.xml annual-review -" "data/ccin-2018-19.xml board-profile pre" \
  "$TMP/pack-120.xml case-studies -"; do
  set -- $case
  content=$1 layout=$2 pre=${3#-}
  base="$TMP/$layout"
  mkdir -p "$base/run"
  "$BIN" render "$content" --layout "$layout" -o "$base/plain.pdf" \
    ${pre:+--preflight "$base/plain.json"} -q || fail "$layout: plain render failed"
  printf '%%PDF-1.4 previous\n' >"$base/previous.pdf"
  printf '{"previous": true}\n' >"$base/previous.json"
  count=$(RP_FAIL_ALLOC=count "$BIN" render "$content" --layout "$layout" -o "$base/count.pdf" \
    -q 2>&1 | sed -n 's/^reviewpdf: allocations: //p')
  [ -n "$count" ] && [ "$count" -gt 1000 ] || {
    fail "$layout: no allocation count (RP_FAIL_ALLOC=count)"
    continue
  }
  cmp -s "$base/plain.pdf" "$base/count.pdf" || fail "$layout: counting changed the PDF"
  stride=$(((count - DENSE) / (RUNS - DENSE) + 1))
  echo "$layout: $count allocations; every N to $DENSE, then every ${stride}th (sticky every $((stride * 8))th)"
  before=$total_runs
  for ((n = 1; n <= count + 100; n += (n < DENSE ? 1 : stride))); do
    run "$layout" "$base/run" "$n" "$content" "$layout"
    if [ $((n % (stride * 8))) -eq 1 ] || [ "$n" -le 20 ]; then
      run "$layout" "$base/run" "$n+" "$content" "$layout"
    fi
  done
  # Past the last allocation (the count varies a little from run to run:
  # libxml2 seeds its hash tables at random) the render succeeds.
  run "$layout" "$base/run" $((count * 2)) "$content" "$layout"
  [ "$rc" -eq 0 ] || fail "$layout: N past the last allocation: exit $rc"
  echo "$layout: $((total_runs - before)) faulted runs"
done
echo "$total_runs runs in all"
finish
