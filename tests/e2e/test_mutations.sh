#!/usr/bin/env bash
# Mutation smoke test: bad input never crashes. mutate.py makes RP_MUTANTS
# (default 150) mutants of the sample content and as many of the sample layout
# (flattened: its lib/ includes expanded), each from a fixed seed; every one
# goes through `check` (content) and `render`, and must end in exit 0 (a PDF
# that passes qpdf --check) or exit 1 (a "file:line: error:" or "reviewpdf:
# error:" message and no PDF, no temporary file) — never 2 or 3, a signal, a
# sanitizer report or a timeout. A failing mutant is kept (RP_TMP/proj/data or
# layouts) and its seed printed; `mutate.py generate --kind K --src S --first SEED
# --count 1 --out DIR` makes it again.
#
#   RP_MUTANTS=2000 RP_BIN=build-asan/reviewpdf RP_SRC=. bash tests/e2e/test_mutations.sh
#
# RP_MUTANT_FIRST (default 1) is the first seed, RP_MUTANT_JOBS (default 2)
# the number of runs at once, RP_MUTANT_TIMEOUT (default 20) seconds a run.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
MUT="$SRC/tests/e2e/mutate.py"
count=${RP_MUTANTS:-150}
first=${RP_MUTANT_FIRST:-1}
jobs=${RP_MUTANT_JOBS:-2}
export TIMEOUT=${RP_MUTANT_TIMEOUT:-20}
export BIN TMP
start=$(date +%s)

# The scratch project: fonts, images, the sample content and the flat layout.
export proj="$TMP/proj"
mkdir -p "$proj/data" "$proj/layouts" "$TMP/results"
cp -r "$SRC/fonts" "$SRC/images" "$proj/"
cp "$SRC/data/ccin-2018-19.xml" "$proj/data/sample.xml"
cp -r "$SRC/data/map" "$proj/data/" # the map outline the layout names
$PY "$MUT" flatten "$SRC/layouts/annual-review.xml" "$proj/layouts/annual-review.xml" ||
  { fail "cannot flatten the sample layout"; finish; }
(cd "$proj" && "$BIN" render data/sample.xml --layout layouts/annual-review.xml \
  -o "$TMP/sample.pdf" -q) 2>"$TMP/sample.err" ||
  { fail "the unmutated sample does not render: $(head -c 600 "$TMP/sample.err")"; finish; }

# Pictures to corrupt: the logo, and JPEGs (baseline and progressive) of the
# sample's first pages.
mkdir -p "$TMP/pictures"
cp "$SRC/images/ccin-logo.png" "$TMP/pictures/"
pdftoppm -jpeg -r 15 -singlefile -f 1 -l 1 "$TMP/sample.pdf" "$TMP/pictures/page" &&
  pdftoppm -jpeg -jpegopt progressive=y,quality=50 -gray -r 10 -singlefile -f 2 -l 2 \
    "$TMP/sample.pdf" "$TMP/pictures/page-progressive" ||
  fail "pdftoppm could not make the JPEGs to corrupt"

$PY "$MUT" generate --kind content --src "$SRC/data/ccin-2018-19.xml" --out "$proj/data" \
  --first "$first" --count "$count" --images "$TMP/pictures" >"$TMP/content.list" &&
  $PY "$MUT" generate --kind layout --src "$proj/layouts/annual-review.xml" \
    --out "$proj/layouts" --first "$first" --count "$count" --images "$TMP/pictures" \
    >"$TMP/layout.list" ||
  { fail "mutate.py failed"; finish; }

# judge WHAT OUT_DIR STATUS STDERR_FILE: prints why the outcome of one run
# is not acceptable, or nothing. OUT_DIR (empty for check) held only -o's PDF.
judge() {
  local what=$1 out=$2 rc=$3 err=$4
  if grep -qE 'Sanitizer|runtime error:' "$err"; then
    echo "$what: sanitizer report: $(grep -m3 -E 'ERROR|runtime error|SUMMARY' "$err")"
  elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "$what: no result after ${TIMEOUT}s (hang?)"
  elif [ "$rc" -ge 128 ]; then
    echo "$what: killed by signal $((rc - 128))"
  elif [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "$what: exit $rc: $(head -c 400 "$err")"
  elif [ "$rc" = 1 ] && ! grep -qE '^(.+:[0-9]+(:[0-9]+)?|reviewpdf): error: .' "$err"; then
    echo "$what: exit 1 without a 'file:line: error:' message: $(head -c 400 "$err")"
  elif [ -n "$out" ] && [ "$rc" = 1 ] && [ -n "$(ls -A "$out")" ]; then
    echo "$what: exit 1 but left $(ls -A "$out" | head -3 | tr '\n' ' ')"
  elif [ -n "$out" ] && [ "$rc" = 0 ] && [ "$(ls -A "$out")" != out.pdf ]; then
    echo "$what: exit 0 but the folder holds: $(ls -A "$out" | head -3 | tr '\n' ' ')"
  elif [ -n "$out" ] && [ "$rc" = 0 ] && ! qpdf --check "$out/out.pdf" >"$out.qpdf" 2>&1; then
    echo "$what: qpdf --check fails: $(grep -v '^checking\|^PDF Version\|^File is' "$out.qpdf" | head -3)"
  fi
}

# Runs one mutant (kind, seed, path) and records its outcome in results/.
run_mutant() {
  local kind=$1 seed=$2 path=$3 name out why="" rc crc=-
  name=$(basename "$path" .xml)
  out="$TMP/results/$name"
  mkdir -p "$out"
  cd "$proj" || return
  local args=(render data/sample.xml --layout "$path" -o "$out/out.pdf" -q)
  if [ "$kind" = content ]; then
    timeout -k 5 "$TIMEOUT" "$BIN" check "$path" >/dev/null 2>"$out.check.err"
    crc=$?
    why=$(judge check "" "$crc" "$out.check.err")
    args=(render "$path" --layout layouts/annual-review.xml -o "$out/out.pdf" -q)
  fi
  timeout -k 5 "$TIMEOUT" "$BIN" "${args[@]}" 2>"$out.err"
  rc=$?
  [ -n "$why" ] || why=$(judge render "$out" "$rc" "$out.err")
  # check and render load content the same way: what check refuses, render refuses.
  if [ -z "$why" ] && [ "$crc" = 1 ] && [ "$rc" = 0 ]; then
    why="check refused it (exit 1) but render wrote a PDF: $(head -c 300 "$out.check.err")"
  fi
  if [ -n "$why" ]; then
    # The mutant stays where it is (its paths resolve there), stderr in results/.
    printf '%s\n' "$kind seed $seed: $why; again: (cd $proj && $BIN ${args[*]}); stderr: $out.err" \
      >"$out.fail"
  else
    echo "$kind $crc $rc" >"$out.ok"
    rm -rf "$out" "$out".*err "$out.qpdf" "${path%.xml}".* # the mutant and its picture
  fi
}
export -f judge run_mutant

while IFS=$'\t' read -r seed path desc; do
  printf '%s\0%s\0%s\0' content "$seed" "$path"
done <"$TMP/content.list" >"$TMP/jobs"
while IFS=$'\t' read -r seed path desc; do
  printf '%s\0%s\0%s\0' layout "$seed" "$path"
done <"$TMP/layout.list" >>"$TMP/jobs"
xargs -0 -n 3 -P "$jobs" bash -c 'run_mutant "$@"' _ <"$TMP/jobs"

for kind in content layout; do
  while IFS=$'\t' read -r seed path desc; do
    name=$(basename "$path" .xml)
    if [ -f "$TMP/results/$name.fail" ]; then
      fail "$(cat "$TMP/results/$name.fail") [mutations: $desc]"
    elif [ ! -f "$TMP/results/$name.ok" ]; then
      fail "$kind seed $seed: no outcome recorded [mutations: $desc]"
    fi
  done <"$TMP/$kind.list"
  ok=$(cat "$TMP"/results/$kind-*.ok 2>/dev/null | sort | uniq -c | tr -s ' ' |
    sed 's/^ //' | awk '{printf "%s%s× check %s render %s", s, $1, $3, $4; s = ", "}')
  pass "$kind: $count mutants from seed $first ($ok)"
done
echo "$((2 * count)) mutants in $(($(date +%s) - start))s"
finish
