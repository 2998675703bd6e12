#!/bin/bash
# Write faults, after sqlite's I/O error injection: a render of the sample
# whose Nth write, flush, fsync, close or rename of the output fails (a short
# write, ENOSPC or EIO; and a disk that stays full from the Nth write on), for
# every N the render makes. Every run must end with exit 1 and a message that
# names the output path (not its temporary), the previous PDF untouched and
# no temporary left behind; the same for the layout dump (the writes at a
# stride). The faults come from wfault.c, preloaded.
source "$(dirname "$0")/../e2e/lib.sh"
SHIM=${RP_WFAULT_LIB:?RP_WFAULT_LIB: path of the wfault library}
cd "$SRC" || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0
OPS="write flush fsync close rename"
runs=0

# render DIR [ENV…]: renders the sample into DIR/out.pdf with the shim; the
# exit status in $rc, stderr in DIR.err.
render() {
  local dir=$1 content=$2 layout=$3
  shift 3
  env RP_WFAULT_MATCH="$dir/" "$@" LD_PRELOAD="$SHIM" \
    "$BIN" render "$content" --layout "$layout" -o "$dir/out.pdf" -q 2>"$dir.err"
  rc=$?
  runs=$((runs + 1))
}

# check NAME DIR PREVIOUS: the outcome of a failed run.
check() {
  local name=$1 dir=$2 previous=$3 left
  [ "$rc" -eq 1 ] || { fail "$name: exit $rc, expected 1: $(head -c 300 "$dir.err")"; return; }
  grep -qF "$dir/out.pdf: error: " "$dir.err" || fail "$name: no message naming $dir/out.pdf"
  grep -qF ".out.pdf." "$dir.err" && fail "$name: the message names the temporary file"
  if [ -n "$previous" ]; then
    cmp -s "$dir/out.pdf" "$previous" || fail "$name: the previous PDF was changed"
    left=$(ls -A "$dir" | grep -vx out.pdf)
  else
    left=$(ls -A "$dir")
  fi
  [ -z "$left" ] || fail "$name: left behind: $left"
}

for case in "data/ccin-2018-19.xml annual-review" "data/seren-solas-2024-25.xml deck"; do
  set -- $case
  content=$1 layout=$2
  base="$TMP/$layout"
  mkdir -p "$base/plain" "$base/count"
  "$BIN" render "$content" --layout "$layout" -o "$base/plain/out.pdf" -q ||
    fail "$layout: plain render failed"

  # The shim alone changes nothing, and says how many calls there are.
  render "$base/count" "$content" "$layout" RP_WFAULT_COUNT="$base/counts"
  [ "$rc" -eq 0 ] || fail "$layout: render under the shim without faults: exit $rc"
  cmp -s "$base/plain/out.pdf" "$base/count/out.pdf" || fail "$layout: the shim changed the PDF"
  read -r counts <"$base/counts"
  echo "$layout: $counts"
  declare -A n=()
  for kv in $counts; do n[${kv%=*}]=${kv#*=}; done
  for op in $OPS; do
    [ "${n[$op]:-0}" -ge 1 ] || fail "$layout: no $op of the output was seen (the shim missed it)"
  done

  previous="$TMP/previous.pdf"
  printf '%%PDF-1.4\n%% an earlier render\n' >"$previous"
  for op in $OPS; do
    kinds="enospc eio"
    [ "$op" = write ] && kinds="short enospc eio"
    for kind in $kinds; do
      for persist in 0 1; do
        [ "$persist" = 1 ] && [ "$op" != write ] && continue
        for ((i = 1; i <= ${n[$op]}; i++)); do
          name="$layout: $op #$i $kind${persist/#1/ persistent}"
          name=${name% 0}
          dir="$base/$op-$kind-$persist-$i"
          mkdir -p "$dir"
          cp "$previous" "$dir/out.pdf"
          render "$dir" "$content" "$layout" RP_WFAULT_OP=$op RP_WFAULT_N=$i \
            RP_WFAULT_KIND=$kind RP_WFAULT_PERSIST=$persist
          check "$name" "$dir" "$previous"
        done
      done
    done
    # With no earlier PDF, a failed run leaves nothing at all.
    dir="$base/$op-fresh"
    mkdir -p "$dir"
    render "$dir" "$content" "$layout" RP_WFAULT_OP=$op RP_WFAULT_N=1 RP_WFAULT_KIND=eio
    check "$layout: $op #1 eio, no earlier PDF" "$dir" ""
  done
  unset n
done
# The layout dump (--dump-layout) is written through stdio in some 18,000
# small writes: every flush, fsync and rename, and the writes at a stride
# (the first, the last, and every 997th), each must fail the run cleanly.
dir0="$TMP/dump"
mkdir -p "$dir0/count"
env RP_WFAULT_MATCH=out.txt RP_WFAULT_COUNT="$dir0/counts" LD_PRELOAD="$SHIM" \
  "$BIN" render data/ccin-2018-19.xml -o "$dir0/count/out.pdf" \
  --dump-layout "$dir0/count/out.txt" -q || fail "dump: render under the shim failed"
read -r counts <"$dir0/counts"
echo "dump: $counts"
declare -A n=()
for kv in $counts; do n[${kv%=*}]=${kv#*=}; done
printf 'an earlier dump\n' >"$TMP/previous.txt"
for op in write flush fsync rename; do
  [ "${n[$op]:-0}" -ge 1 ] || fail "dump: no $op of the dump was seen"
  for ((i = 1; i <= ${n[$op]}; i++)); do
    [ "$op" = write ] && [ "$i" -gt 1 ] && [ "$i" -lt "${n[$op]}" ] && [ $((i % 997)) -ne 0 ] &&
      continue
    dir="$dir0/$op-$i"
    mkdir -p "$dir"
    cp "$TMP/previous.txt" "$dir/out.txt"
    env RP_WFAULT_MATCH=out.txt RP_WFAULT_OP=$op RP_WFAULT_N=$i RP_WFAULT_KIND=enospc \
      LD_PRELOAD="$SHIM" "$BIN" render data/ccin-2018-19.xml -o "$dir/out.pdf" \
      --dump-layout "$dir/out.txt" -q 2>"$dir.err"
    rc=$?
    runs=$((runs + 1))
    name="dump: $op #$i"
    [ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1"
    grep -qF "$dir/out.txt: error: " "$dir.err" || fail "$name: no message naming $dir/out.txt"
    cmp -s "$dir/out.txt" "$TMP/previous.txt" || fail "$name: the previous dump was changed"
    left=$(ls -A "$dir" | grep -vx out.txt)
    [ -z "$left" ] || fail "$name: left behind: $left"
  done
done
echo "$runs renders under injected write faults"
finish
