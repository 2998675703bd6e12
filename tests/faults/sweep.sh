#!/usr/bin/env bash
# A deeper allocation-fault sweep than test_alloc_faults (not run by ctest):
# RP_FAIL_ALLOC=N for N = FIRST, FIRST+STEP, ... up to the run's allocation
# count, two renders at a time, with a sanitizer build. A point where the
# render does not exit 0 or 3, or a sanitizer reports, is printed with the
# head of its report, kept in OUT/N.err. Other steps and offsets than the
# test's reach other allocations: in session 7 they found a leak in libxml2's
# streaming XPath shortcut, an AVT part left empty and a parser crash under
# a failed allocation, each now fixed and tested.
#
#   tests/faults/sweep.sh BIN CONTENT LAYOUT STEP [FIRST] [OUT]
#   e.g. tests/faults/sweep.sh build-asan/reviewpdf data/ccin-2018-19.xml annual-review 89 13
set -u
[ $# -ge 4 ] || { sed -n 2,13p "$0"; exit 2; }
bin=$(realpath "$1") content=$2 layout=$3 step=$4 first=${5:-1} out=${6:-/tmp/rp-sweep}
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000 ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1
count=$(RP_FAIL_ALLOC=count "$bin" render "$content" -l "$layout" -o "$out/count.pdf" -q 2>&1 |
  sed -n 's/^reviewpdf: allocations: //p')
[ -n "$count" ] || { echo "sweep: no allocation count from $bin"; exit 1; }
echo "sweep: $layout over $content: $count allocations, every ${step}th from $first"
one() {
  local n=$1 rc
  RP_FAIL_ALLOC=$n timeout 120 "$bin" render "$content" -l "$layout" -o "$out/$n.pdf" -q \
    2>"$out/$n.err"
  rc=$?
  rm -f "$out/$n.pdf"
  if { [ $rc -ne 0 ] && [ $rc -ne 3 ]; } || grep -q "Sanitizer\|runtime error" "$out/$n.err"; then
    echo "N=$n exit $rc: $(grep -m4 'ERROR\|SUMMARY\|runtime error\|#[0-4] ' "$out/$n.err" | tr '\n' '|')"
  else
    rm -f "$out/$n.err"
  fi
}
export -f one
export bin content layout out
seq "$first" "$step" "$count" | xargs -P2 -I{} bash -c 'one {}'
echo "sweep: done; reports kept in $out"
