#!/bin/bash
# valgrind memcheck over real renders: the sample review, both profiles, the
# Case Studies Pack at N=22 (bench/pack_xml.py), and two renders that run out
# of memory part-way (RP_FAIL_ALLOC, base/mem.h) so the error paths are
# checked too. Each must exit as expected with no invalid read or write, no
# use of uninitialised memory and nothing definitely or indirectly lost
# (--error-exitcode). Memory that the libraries keep until exit ("still
# reachable": fontconfig's and libxml2's caches) is not a leak and is not
# counted; no suppressions are needed. Skipped (exit 77) without valgrind.
source "$(dirname "$0")/../e2e/lib.sh"
cd "$SRC" || exit 1
command -v valgrind >/dev/null || {
  echo "SKIP: valgrind is not installed (apt-get install valgrind)"
  exit 77
}
VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --track-origins=no)
python3 bench/pack_xml.py 22 "$TMP/pack.xml" || fail "pack_xml.py 22"

# vg NAME EXPECTED-EXIT ARGS…: one render under memcheck.
vg() {
  local name=$1 want=$2
  shift 2
  "${VG[@]}" --log-file="$TMP/$name.vg" "$BIN" render "$@" -o "$TMP/$name.pdf" -q 2>"$TMP/$name.err"
  local rc=$?
  if [ "$rc" -eq 99 ] || [ -s "$TMP/$name.vg" ]; then
    fail "$name: memcheck found errors:"
    head -60 "$TMP/$name.vg" >&2
  elif [ "$rc" -ne "$want" ]; then
    fail "$name: exit $rc, expected $want: $(head -c 300 "$TMP/$name.err")"
  else
    pass "$name: clean under memcheck (exit $rc)"
  fi
}

vg review 0 data/ccin-2018-19.xml --layout annual-review
vg board-profile 0 data/ccin-2018-19.xml --layout board-profile
vg person-profile 0 data/ccin-2018-19.xml --layout person-profile
vg pack-22 0 "$TMP/pack.xml"
# Out of memory in layout, then in rendering (about half and 95% of the
# sample's allocations, counted now: the count falls as the code gets
# leaner): exit 3, and the error paths free what they took.
total=$(RP_FAIL_ALLOC=count "$BIN" render data/ccin-2018-19.xml --layout annual-review \
  -o "$TMP/count.pdf" 2>&1 | sed -n 's/^reviewpdf: allocations: //p')
[ -n "$total" ] && [ "$total" -gt 1000 ] || fail "RP_FAIL_ALLOC=count gave no count: '$total'"
RP_FAIL_ALLOC=$((total / 2)) vg oom-layout 3 data/ccin-2018-19.xml --layout annual-review
RP_FAIL_ALLOC=$((total * 95 / 100))+ vg oom-render 3 data/ccin-2018-19.xml --layout annual-review
finish
