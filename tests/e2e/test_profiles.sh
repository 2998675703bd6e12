#!/usr/bin/env bash
# One-page profiles (layouts/board-profile.xml, layouts/person-profile.xml)
# and the items behind render --select and --split (docs/layout.md, "Items"):
# a page per board and per person in both samples, each person's name, roles,
# organisations and boards on their own page (pdftotext page by page), one
# item selected, one file per item with safe and distinct names, profiles at
# their edges drawn cleanly (tests/e2e/pdfcheck.py), and text that can never
# fit refused with its layout line.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
PY=/usr/bin/python3
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/{print $2}'; }

# expect_pages NAME PDF N
expect_pages() {
  local got
  got=$(pages "$2")
  if [ "${got:-0}" = "$3" ]; then pass "$1: $3 pages"; else fail "$1: ${got:-no} pages, expected $3"; fi
}

# run_ok NAME ARGS...: exit 0 and nothing on stderr.
run_ok() {
  local name=$1
  shift
  if ! "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then
    fail "$name: exit $?: $(head -c 800 "$TMP/stderr")"
    return 1
  fi
  if [ -s "$TMP/stderr" ]; then fail "$name: warns: $(head -c 800 "$TMP/stderr")"; return 1; fi
  return 0
}

# run_fails NAME CODE FRAGMENT ARGS...: that exit status and message.
run_fails() {
  local name=$1 code=$2 fragment=$3
  shift 3
  "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local got=$?
  if [ "$got" != "$code" ]; then
    fail "$name: exit $got, expected $code: $(head -c 800 "$TMP/stderr")"
  elif ! grep -qF -- "$fragment" "$TMP/stderr"; then
    fail "$name: stderr lacks '$fragment': $(head -c 800 "$TMP/stderr")"
  else
    pass "$name: exit $code, '$fragment'"
  fi
}

# --- 1. A page per board and per person; each page holds its own people.
for sample in ccin-2018-19 seren-solas-2024-25; do
  nb=$(xmllint --xpath 'count(/review/boards/board)' "data/$sample.xml")
  np=$(xmllint --xpath 'count(/review/people/person)' "data/$sample.xml")
  for layout in board-profile person-profile; do
    out="$TMP/$sample-$layout.pdf"
    run_ok "$layout × $sample" render "data/$sample.xml" --layout "$layout" -o "$out" -q || continue
    if [ "$layout" = board-profile ]; then n=$nb; else n=$np; fi
    expect_pages "$layout × $sample" "$out" "$n"
    if "$PY" - "data/$sample.xml" "$out" "$layout" >"$TMP/pages.txt" 2>&1 <<'PY'; then
import subprocess, sys, xml.etree.ElementTree as ET
content, pdf, layout = sys.argv[1:]
root = ET.parse(content).getroot()
people = {p.get("id"): p for p in root.iter("person")}
boards = root.findall("boards/board")
def page(n):
    t = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), pdf, "-"], capture_output=True,
                       text=True, check=True).stdout
    return " ".join(t.split())
def name(p):
    return " ".join(p.find("name").text.split())
def norm(s):
    return " ".join(s.split())
problems = []
def want(n, what, s):
    # words wrap across lines: pdftotext joins them with a space, and drops a
    # hyphen that ends a line ("Penny-⏎Evans" reads "PennyEvans")
    hay, s = page_text[n], norm(s)
    if all(v not in hay for v in (s, s.replace("-", "- "), s.replace("-", ""))):
        problems.append(f"page {n}: {what} {s!r} missing")
page_text = {}
if layout == "board-profile":
    for i, b in enumerate(boards, 1):
        page_text[i] = page(i)
        want(i, "board name", b.find("name").text)
        for seat in b.findall("seat"):
            want(i, "person", name(people[seat.get("person")]))
            for r in seat.findall("role"):
                want(i, "role", r.text)
else:
    for i, p in enumerate(root.findall("people/person"), 1):
        page_text[i] = page(i)
        want(i, "name", name(p))
        for b in boards:
            for seat in b.findall(f"seat[@person='{p.get('id')}']"):
                want(i, "board", b.find("name").text)
                for r in seat.findall("role"):
                    want(i, "role", r.text)
                for o in seat.findall("organisation"):
                    want(i, "organisation", o.text)
print("\n".join(problems) or f"{len(page_text)} pages checked")
sys.exit(1 if problems else 0)
PY
      pass "$layout × $sample: $(tail -1 "$TMP/pages.txt")"
    else
      fail "$layout × $sample: $(head -20 "$TMP/pages.txt")"
    fi
  done
done
for f in "$TMP/ccin-2018-19-board-profile.pdf" "$TMP/seren-solas-2024-25-person-profile.pdf"; do
  if qpdf --check "$f" >"$TMP/qpdf.txt" 2>&1; then pass "qpdf --check $(basename "$f")"; else fail "qpdf --check $f: $(tail -5 "$TMP/qpdf.txt")"; fi
done
# A careful designer finds nothing to fix in the samples' profiles (docs/preflight.md).
for sample in ccin-2018-19 seren-solas-2024-25; do
  for layout in board-profile person-profile; do
    if run_ok "preflight $layout × $sample" render "data/$sample.xml" --layout "$layout" \
      -o "$TMP/pf.pdf" --preflight "$TMP/pf.json" -q; then
      n=$("$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$TMP/pf.json")
      [ "$n" = 0 ] && pass "preflight $layout × $sample: no finding" ||
        fail "preflight $layout × $sample: $n findings: $(head -c 800 "$TMP/pf.json")"
    fi
  done
done
# The people on both boards get one page each, listing both boards.
p=$(pdftotext -f 11 -l 11 "$TMP/ccin-2018-19-person-profile.pdf" - | tr '\n' ' ')
case "$p" in
  *"Chris Penberthy"*"CCIN Board"*"Values & Principles Board"*) pass "Chris Penberthy: one page, both boards" ;;
  *) fail "Chris Penberthy's page: $p" ;;
esac

# --- 2. --select: one board, one person.
out=$TMP/select-board.pdf
if run_ok "select a board" render data/ccin-2018-19.xml --layout board-profile \
  --select "/review/boards/board[@id = 'vp-board']" -o "$out" -q; then
  expect_pages "select a board" "$out" 1
  expect_contains "select a board: its name" <(pdftotext "$out" -) "Values & Principles Board"
  if pdftotext "$out" - | grep -q "Sharon Taylor"; then fail "select a board: the other board printed"; else pass "select a board: the other board left out"; fi
fi
out=$TMP/select-person.pdf
if run_ok "select a person" render data/seren-solas-2024-25.xml --layout person-profile \
  --select "//person[@id = 'sian-lloyd-jones']" -o "$out" -q; then
  expect_pages "select a person" "$out" 1
  expect_contains "select a person: the name" <(pdftotext "$out" -) "Siân Lloyd-Jones"
  expect_contains "select a person: the biography" <(pdftotext "$out" - | tr '\n' ' ') "community hydro scheme"
fi
run_fails "select nothing" 1 "--select \"//board[@id = 'nope']\" matches none of the layout's 2 items" \
  render data/ccin-2018-19.xml --layout board-profile --select "//board[@id = 'nope']" -o "$TMP/x.pdf"
run_fails "select not an item" 1 "matches nodes but none of the layout's 21 items" \
  render data/ccin-2018-19.xml --layout person-profile --select "//board" -o "$TMP/x.pdf"
run_fails "select in a layout without items" 1 "the layout has no items" \
  render data/ccin-2018-19.xml --select "//board" -o "$TMP/x.pdf"
[ -e "$TMP/x.pdf" ] && fail "a refused select wrote a file" || pass "a refused select writes nothing"

# --- 3. --split: one file per item, named by the pattern, listed on stdout.
mkdir -p "$TMP/split"
if run_ok "split people" render data/ccin-2018-19.xml --layout person-profile --split \
  -o "$TMP/split/{@id}.pdf"; then
  n=$(ls "$TMP/split" | wc -l)
  [ "$n" = 21 ] && pass "split people: 21 files" || fail "split people: $n files"
  [ "$(wc -l <"$TMP/stdout")" = 21 ] && pass "split people: 21 paths printed" || fail "split people: printed $(cat "$TMP/stdout")"
  for id in sharon-taylor chris-penberthy adam-farrell; do
    f=$TMP/split/$id.pdf
    [ -f "$f" ] && expect_pages "split people: $id.pdf" "$f" 1 || fail "split people: no $id.pdf"
  done
  expect_contains "split people: simon-parkinson.pdf is his" <(pdftotext "$TMP/split/simon-parkinson.pdf" -) "Simon Parkinson"
  [ "$(ls -A "$TMP/split" | grep -cv '\.pdf$')" = 0 ] && pass "split people: no temporary file left" ||
    fail "split people: $(ls -A "$TMP/split")"
fi
mkdir -p "$TMP/split-boards"
if run_ok "split boards, selected" render data/seren-solas-2024-25.xml --layout board-profile \
  --split --select "//board[@id != 'board']" -o "$TMP/split-boards/{position()}-{name}.pdf" -q; then
  ls "$TMP/split-boards" >"$TMP/split-boards.txt"
  expect_contains "split boards: 1-Finance…" "$TMP/split-boards.txt" "1-Finance, Audit and Risk Committee.pdf"
  expect_contains "split boards: 2-Members’ Forum" "$TMP/split-boards.txt" "2-Members’ Forum.pdf"
  [ "$(wc -l <"$TMP/split-boards.txt")" = 2 ] && pass "split boards: 2 files" || fail "split boards: $(cat "$TMP/split-boards.txt")"
fi

# --- 4. Unsafe names from the data; collisions; a pattern that names nothing.
proj=$TMP/proj
mkdir -p "$proj/data/out" && cp -r images "$proj/"
cp tests/data/profiles/odd-people.xml "$proj/data/"
"$BIN" render "$proj/data/odd-people.xml" --layout person-profile --split \
  -o "$proj/data/out/{name}.pdf" >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
[ "$rc" = 0 ] && pass "unsafe names: rendered" || fail "unsafe names: exit $rc: $(cat "$TMP/stderr")"
ls -A "$proj/data/out" >"$TMP/odd.txt"
[ "$(wc -l <"$TMP/odd.txt")" = 7 ] && pass "unsafe names: 7 files in the folder" || fail "unsafe names: $(cat "$TMP/odd.txt")"
[ "$(ls -A "$proj/data" | wc -l)" = 2 ] && [ "$(ls -A "$proj" | wc -l)" = 2 ] && pass "unsafe names: nothing written outside the folder" || fail "unsafe names: $(ls -A "$proj/data")"
[ -e "$proj/escaped.pdf" ] && fail "unsafe names: ../../ climbed out" || pass "unsafe names: ../../ stays in"
grep -q '^\.' "$TMP/odd.txt" && fail "unsafe names: a name starts with a dot" || pass "unsafe names: no leading dot"
if LC_ALL=C grep -qP '[\x00-\x1f\x7f]|\xc2[\x80-\x9f]' "$TMP/odd.txt"; then fail "unsafe names: control characters"; else pass "unsafe names: no control characters"; fi
for want in "___.._escaped.pdf" "_hidden.pdf" "Back_slash and_or Forward.pdf" "Bell_Ringer.pdf" "Pat Plain.pdf"; do
  expect_contains "unsafe names: '$want'" "$TMP/odd.txt" "$want"
done
mkdir -p "$TMP/collide"
run_fails "collision" 1 "both make \"$TMP/collide/true.pdf\"" render "$proj/data/odd-people.xml" \
  --layout person-profile --split -o "$TMP/collide/{boolean(@id)}.pdf"
run_fails "collision, names differing in case" 1 "both make \"$TMP/collide/SAME.pdf\"" \
  render data/ccin-2018-19.xml --layout board-profile --split \
  -o "$TMP/collide/{choose(position() = 1, 'same', 'SAME')}.pdf"
run_fails "empty name" 1 "{@honorific} of -o gives no name for the item <person>" render data/ccin-2018-19.xml \
  --layout person-profile --split -o "$TMP/collide/{@honorific}.pdf"
run_fails "one name for many" 1 "names one file for 21 items" render data/ccin-2018-19.xml \
  --layout person-profile --split -o "$TMP/collide/all.pdf"
[ -z "$(ls -A "$TMP/collide")" ] && pass "refused splits write nothing" || fail "refused splits wrote: $(ls -A "$TMP/collide")"

# --- 5. Edges drawn cleanly: no photo, no role, a very long organisation, a long name.
for layout in board-profile person-profile; do
  out=$TMP/edge-$layout.pdf
  "$BIN" render "$proj/data/odd-people.xml" --layout "$layout" -o "$out" -q 2>"$TMP/edge.err" ||
    fail "edges × $layout: exit $?: $(cat "$TMP/edge.err")"
  if "$PY" tests/e2e/pdfcheck.py geometry "$out" >"$TMP/edge.check" 2>&1 &&
    "$PY" tests/e2e/pdfcheck.py contrast "$out" >>"$TMP/edge.check" 2>&1; then
    pass "edges × $layout: no overlap, nothing off the page, every word legible"
  else
    fail "edges × $layout: $(head -20 "$TMP/edge.check")"
  fi
done
expect_pages "edges × person-profile" "$TMP/edge-person-profile.pdf" 7
expect_pages "edges × board-profile" "$TMP/edge-board-profile.pdf" 1
plain=$(pdftotext -f 5 -l 5 "$TMP/edge-person-profile.pdf" - | tr '\n' ' ')
case "$plain" in
  *"Pat Plain"*"PP"*|*"PP"*"Pat Plain"*) pass "no photo: the initials" ;;
  *) fail "no photo: page 5 is $plain" ;;
esac
case "$plain" in
  *"Northern and Western Isles"*) pass "very long organisation: printed whole" ;;
  *) fail "very long organisation: page 5 is $plain" ;;
esac

# --- 6. What can never fit is refused at its layout line, and nothing is written.
sed 's|<name>Pat Plain</name>|<name>Pat Plain'"$(printf ' Supercalifragilistic%.0s' $(seq 40))"'</name>|' \
  "$proj/data/odd-people.xml" >"$proj/data/never-fits.xml"
run_fails "never fits: person" 1 "profile-common.xml:" render "$proj/data/never-fits.xml" \
  --layout person-profile -o "$TMP/never.pdf"
grep -qF "error: text does not fit even at min-size" "$TMP/stderr" &&
  pass "never fits: person: says why" || fail "never fits: person: $(cat "$TMP/stderr")"
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<review version="2" xml:lang="en-GB"><organisation><name>Crowd</name></organisation>'
  echo '<period from="2030-01-01" to="2030-12-31">2030</period><title>Year</title><people>'
  for i in $(seq 36); do echo "<person id=\"p$i\"><name>Person Number $i</name></person>"; done
  echo '</people><boards id="boards"><board id="crowd"><name>Crowded Board</name>'
  for i in $(seq 36); do echo "<seat person=\"p$i\"><role>Member</role><organisation>Org $i</organisation></seat>"; done
  echo '</board></boards></review>'
} >"$proj/data/crowded.xml"
run_fails "never fits: a board of 36" 1 "board-profile.xml:" render "$proj/data/crowded.xml" \
  --layout board-profile -o "$TMP/never.pdf"
grep -qF "can never fit" "$TMP/stderr" && pass "never fits: board: says why" || fail "never fits: board: $(cat "$TMP/stderr")"
[ -e "$TMP/never.pdf" ] && fail "never fits: a PDF was written" || pass "never fits: no PDF"

# --- 7. Welsh labels for a Welsh document; the content's own words unchanged.
sed 's/<review version="2" xml:lang="en-GB">/<review version="2" xml:lang="cy">/' \
  data/ccin-2018-19.xml >"$proj/data/welsh.xml"
for layout in board-profile person-profile; do
  if run_ok "welsh × $layout" render "$proj/data/welsh.xml" --layout "$layout" -o "$TMP/cy.pdf" -q; then
    pdftotext "$TMP/cy.pdf" "$TMP/cy.txt"
    if [ "$layout" = board-profile ]; then words="PROFFIL Y BWRDD|11 aelod|CADEIRYDD|IS-GADEIRYDD"; else words="PROFFIL|Byrddau|CADEIRYDD|Ar-lein"; fi
    IFS='|' read -ra ws <<<"$words"
    for w in "${ws[@]}" "Sharon Taylor"; do expect_contains "welsh × $layout: '$w'" "$TMP/cy.txt" "$w"; done
    for w in PROFILE Boards members CHAIR; do
      if grep -qF -- "$w" "$TMP/cy.txt"; then fail "welsh × $layout: English '$w' printed"; else pass "welsh × $layout: no '$w'"; fi
    done
  fi
done

finish
