#!/bin/bash
# Runs every fuzz target (or those named) for SECONDS each, one after the
# other on one core: tests/fuzz/run.sh SECONDS [TARGET...]   (docs/fuzzing.md)
#
# Builds the libFuzzer binaries in build-fuzz/ (clang-14, -DRP_FUZZ=ON) when
# needed, the seed corpora (seeds.py) and dictionaries (dict.py), then keeps
# each target's growing corpus in build-fuzz/corpus/<target>. Crashes, leaks,
# timeouts and out-of-memory inputs land in build-fuzz/findings/<target>/;
# minimise one with `fuzz_<target> -minimize_crash=1 FILE` and add it to
# tests/fuzz/regress/<target>/ with the fix. A summary line per target
# (runs, runs/s, findings) goes to stdout and build-fuzz/fuzz-report.txt.
# RP_FUZZ_TIMEOUT (seconds, default 20) is libFuzzer's per-input limit, in
# wall time: raise it on a loaded machine, where a niced fuzzer can stall for
# longer than that, and replay what it reports to see whether it is slow.
set -u
secs=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
bld=${RP_FUZZ_BUILD:-$src/build-fuzz}
all="content layout png jpeg font xpath chart map svg"
targets=${*:-$all}
cc=${CC:-clang-14}
py=/usr/bin/python3

if [ ! -f "$bld/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$bld" -DCMAKE_C_COMPILER="$cc" -DRP_FUZZ=ON -DRP_NESTED_SANITIZE=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
fi
cmake --build "$bld" -j2 --target $(for t in $targets; do echo "fuzz_$t"; done) >/dev/null || exit 1
$py "$src/tests/fuzz/seeds.py" "$src" "$bld/seeds" || exit 1
$py "$src/tests/fuzz/dict.py" "$src" "$bld/dicts" || exit 1

declare -A max_len=([content]=65536 [layout]=65536 [png]=65536 [jpeg]=65536 [font]=262144
                    [xpath]=1024 [chart]=8192 [map]=70000 [svg]=65536)
declare -A dict=([content]=content [layout]=layout [xpath]=xpath [svg]=svg)
export TMPDIR=${TMPDIR:-/tmp} RP_SRC="$src"
status=0
for t in $targets; do
  mkdir -p "$bld/corpus/$t" "$bld/findings/$t"
  log="$bld/findings/$t/last-run.log"
  args=(-max_total_time="$secs" -timeout="${RP_FUZZ_TIMEOUT:-20}" -rss_limit_mb=2048 -max_len="${max_len[$t]}"
        -print_final_stats=1 -artifact_prefix="$bld/findings/$t/")
  [ -n "${dict[$t]:-}" ] && args+=(-dict="$bld/dicts/${dict[$t]}.dict")
  start=$SECONDS
  "$bld/tests/fuzz/fuzz_$t" "${args[@]}" "$bld/corpus/$t" "$bld/seeds/$t" >"$log" 2>&1
  rc=$? took=$((SECONDS - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(find "$bld/findings/$t" -type f ! -name '*.log' | wc -l)
  line="$t: ${runs:-?} runs in ${took}s, ${speed:-?}/s, exit $rc, findings $found"
  echo "$line" | tee -a "$bld/fuzz-report.txt"
  [ "$rc" -ne 0 ] && status=1
done
exit $status
