#!/usr/bin/env bash
# Footnotes and endnotes (docs/layout.md, "Notes"): a footnote is printed on
# the page of its mark, and moves with the line when text inserted before it
# pushes that line to the next page; numbers run through the document or
# restart per section; endnotes are collected at the end of their section,
# in order; the marks are tagged Reference, the notes Note with an /ID in
# the IDTree; a note inside a heading, or a note taller than a page, is an
# error at its content line.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3
FIX=tests/e2e/fixtures/notes

# A scratch project: data/, layouts/ and fonts/ side by side.
P="$TMP/proj"
scratch_project "$P"
cp "$FIX/notes.xml" "$P/data/"
cp "$FIX/notes-layout.xml" "$P/layouts/"

render() { # NAME CONTENT LAYOUT OUT
  "$BIN" render "$2" --layout "$3" -o "$4" -q 2>"$TMP/$1.err" || { fail "$1: render failed: $(cat "$TMP/$1.err")"; return 1; }
}

page_of() { # PDF TEXT → the first page whose text holds TEXT (0: none)
  local n i
  n=$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')
  for ((i = 1; i <= n; i++)); do
    if pdftotext -f "$i" -l "$i" "$1" - | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$2"; then
      echo "$i"
      return
    fi
  done
  echo 0
}

# Each footnote on the page of its mark: the text just before the mark and the
# note's own words are on the same page, and the note is below the text.
same_page() { # NAME PDF "TEXT BEFORE MARK" "NOTE TEXT"
  local a b
  a=$(page_of "$2" "$3")
  b=$(page_of "$2" "$4")
  if [ "$a" -gt 0 ] && [ "$a" = "$b" ]; then pass "$1: mark and note on page $a"; else fail "$1: mark on page $a, note on page $b"; fi
}

render foot "$P/data/notes.xml" "$P/layouts/notes-layout.xml" "$TMP/foot.pdf" || finish
same_page "note 1" "$TMP/foot.pdf" "Income rose to £1.2m1" "1 Audited accounts, note 3: income."
same_page "note 2" "$TMP/foot.pdf" "months of spending2" "2 Reserves policy, approved by the board"
same_page "note 3" "$TMP/foot.pdf" "held flat3" "3 Excluding the one-off cost"
same_page "note 4 (second section)" "$TMP/foot.pdf" "projects ran4" "4 Listed in full"
before=$(page_of "$TMP/foot.pdf" "months of spending2")
[ "$before" = 1 ] && pass "note 2's line is on page 1 before the insertion" || fail "note 2's line on page $before, not 1: the fixture no longer tests the move"

# The note sits at the foot: below every line of running text on its page,
# after a rule; and it is set smaller than the text.
$PY - "$TMP/foot.pdf" <<'PY' && pass "notes at the foot, below the text, smaller" || fail "notes not at the foot"
import re, subprocess, sys
pdf = sys.argv[1]
html = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
rows = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html)
note = [(float(a), float(b)) for a, b, t in rows if t == "Audited"]
text = [(float(a), float(b)) for a, b, t in rows if t in ("network", "worked.")]
ok = note and text and note[0][0] > max(b for a, b in text)
ok = ok and (note[0][1] - note[0][0]) < 0.85 * (text[0][1] - text[0][0])
sys.exit(0 if ok else 1)
PY

# Text inserted before note 2's line pushes it to page 2: the note follows.
words=$($PY -c "print(' '.join(['inserted'] * 12))")
sed "s/INSERT-HERE/$words/" "$P/data/notes.xml" >"$P/data/moved.xml"
render moved "$P/data/moved.xml" "$P/layouts/notes-layout.xml" "$TMP/moved.pdf" || finish
after=$(page_of "$TMP/moved.pdf" "months of spending2")
[ "$after" = 2 ] && pass "the insertion moves note 2's line to page 2" || fail "note 2's line on page $after after the insertion"
same_page "note 2 moved with its line" "$TMP/moved.pdf" "months of spending2" "2 Reserves policy, approved by the board"
[ "$(page_of "$TMP/moved.pdf" "1 Audited accounts")" = 1 ] && pass "note 1 stays on page 1" || fail "note 1 left page 1"

# Numbering per section: the second section's notes start again at 1.
sed 's/numbering="document"/numbering="section"/' "$P/layouts/notes-layout.xml" >"$P/layouts/per-section.xml"
render section "$P/data/notes.xml" "$P/layouts/per-section.xml" "$TMP/section.pdf" || finish
same_page "per section: note 3 of Finance" "$TMP/section.pdf" "held flat3" "3 Excluding the one-off cost"
same_page "per section: Projects' first note is 1" "$TMP/section.pdf" "projects ran1" "1 Listed in full"
same_page "per section: Projects' second note is 2" "$TMP/section.pdf" "closed early2" "2 Both by agreement"

# Numbering per page (footnotes only): each page's notes start at 1, also after a move.
sed 's/numbering="document"/numbering="page"/' "$P/layouts/notes-layout.xml" >"$P/layouts/per-page.xml"
render page "$P/data/notes.xml" "$P/layouts/per-page.xml" "$TMP/page.pdf" || finish
same_page "per page: page 1's second note is 2" "$TMP/page.pdf" "months of spending2" "2 Reserves policy"
same_page "per page: page 3's note is 1" "$TMP/page.pdf" "held flat1" "1 Excluding the one-off cost"
same_page "per page: page 4's notes are 1 and 2" "$TMP/page.pdf" "closed early2" "2 Both by agreement"
render page-moved "$P/data/moved.xml" "$P/layouts/per-page.xml" "$TMP/page-moved.pdf" || finish
same_page "per page: note 2 moved becomes page 2's first" "$TMP/page-moved.pdf" "months of spending1" "1 Reserves policy"
sed 's/placement="foot" numbering="document"/placement="section" numbering="page"/' \
  "$P/layouts/notes-layout.xml" >"$P/layouts/bad-page.xml"
"$BIN" render "$P/data/notes.xml" --layout "$P/layouts/bad-page.xml" -o "$TMP/bad-page.pdf" -q 2>"$TMP/bad-page.err"
[ $? = 1 ] && grep -q 'bad-page.xml:[0-9]*:.*only footnotes can be numbered per page' "$TMP/bad-page.err" &&
  pass "endnotes numbered per page: an error at the layout line" || fail "bad-page: $(cat "$TMP/bad-page.err")"

# Endnotes at the end of each section, in order, after the section's text.
sed 's/placement="foot"/placement="section"/' "$P/layouts/notes-layout.xml" >"$P/layouts/endnotes.xml"
render endnotes "$P/data/notes.xml" "$P/layouts/endnotes.xml" "$TMP/endnotes.pdf" || finish
pdftotext "$TMP/endnotes.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/endnotes.txt"
$PY - "$TMP/endnotes.txt" <<'PY' && pass "endnotes at the end of their sections, in order" || fail "endnotes out of place"
import sys
t = open(sys.argv[1]).read()
at = lambda s: t.find(s)
order = ["Income rose to £1.2m1", "held flat3", "1 Audited accounts", "2 Reserves policy",
         "3 Excluding the one-off", "Projects", "projects ran4", "closed early5",
         "4 Listed in full", "5 Both by agreement"]
pos = [at(s) for s in order]
missing = [s for s, p in zip(order, pos) if p < 0]
if missing:
    print("missing:", missing)
    sys.exit(1)
sys.exit(0 if pos == sorted(pos) else 1)
PY

# An explicit <endnotes/> prints them where it stands (here before the text).
sed -e 's/placement="foot"/placement="document"/' \
    -e 's|<heading level="1">{title}</heading>|&<endnotes/>|' \
    "$P/layouts/notes-layout.xml" >"$P/layouts/document.xml"
render document "$P/data/notes.xml" "$P/layouts/document.xml" "$TMP/document.pdf" || finish
pdftotext "$TMP/document.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/document.txt"
$PY - "$TMP/document.txt" <<'PY' && pass "placement=document: <endnotes/> prints those collected so far" || fail "<endnotes/> misplaced"
import sys
t = open(sys.argv[1]).read()
# The Projects heading is followed by Finance's three notes; the last two
# notes go at the document's end.
p = t.find("Projects")
ok = p >= 0 and t.find("1 Audited accounts") > p and t.find("3 Excluding") > p
ok = ok and t.find("4 Listed in full") > t.find("closed early5") > p
sys.exit(0 if ok else 1)
PY

# Tagging: marks are Reference, notes Note with an /ID in the IDTree.
$PY - "$TMP/foot.pdf" <<'PY' && pass "Note elements with /ID in the IDTree, Reference marks, Lbl labels" || fail "note tagging"
import sys
import pikepdf
pdf = pikepdf.open(sys.argv[1])
root = pdf.Root.StructTreeRoot
types, notes = {}, []
def walk(e):
    if not isinstance(e, pikepdf.Dictionary) or "/S" not in e:
        return
    s = str(e.S)
    types[s] = types.get(s, 0) + 1
    if s == "/Note":
        notes.append(e)
    k = e.get("/K")
    for c in (k if isinstance(k, pikepdf.Array) else [k] if k is not None else []):
        walk(c)
walk(root.K)
ids = root.IDTree.Names
keys = {bytes(ids[i]): ids[i + 1] for i in range(0, len(ids), 2)}
ok = len(notes) == 5 and types.get("/Reference") == 5 and types.get("/Lbl", 0) >= 5
ok = ok and all(bytes(n.ID) in keys and keys[bytes(n.ID)].objgen == n.objgen for n in notes)
if not ok:
    print(types, len(notes))
sys.exit(0 if ok else 1)
PY
$PY tests/e2e/tagcheck.py check "$TMP/foot.pdf" --test-layout && pass "tagcheck" || fail "tagcheck"
$PY tests/e2e/tagcheck.py check "$TMP/endnotes.pdf" --test-layout && pass "tagcheck (endnotes)" || fail "tagcheck (endnotes)"
# The second sample's notes through the stock layouts: footnotes on A4 (each on the page of
# its mark), endnotes in the deck; tags checked strictly, and the checker catches a Note
# without /ID.
render seren-a4 data/seren-solas-2024-25.xml annual-review "$TMP/seren-a4.pdf" || finish
same_page "seren A4: the surplus's note" "$TMP/seren-a4.pdf" "surplus of £16,3502" "2 Net income before gains"
$PY tests/e2e/tagcheck.py check "$TMP/seren-a4.pdf" && pass "seren A4: tagcheck" || fail "seren A4: tagcheck"
$PY tests/e2e/tagcheck.py selftest "$TMP/seren-a4.pdf" && pass "tagcheck catches a Note without /ID" || fail "tagcheck selftest"
render seren-deck data/seren-solas-2024-25.xml deck "$TMP/seren-deck.pdf" || finish
pdftotext "$TMP/seren-deck.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/seren-deck.txt"
$PY - "$TMP/seren-deck.txt" <<'PY' && pass "seren deck: the finance section's note follows its text" || fail "seren deck: endnote misplaced"
import sys
t = open(sys.argv[1]).read()
mark, note = t.find("surplus of £16,3501"), t.find("1 Net income before gains")
sys.exit(0 if 0 <= mark < note else 1)
PY

"$BIN" check "$P/data/notes.xml" | grep -q ", 5 notes$" && pass "check counts the notes" || fail "check: $("$BIN" check "$P/data/notes.xml")"

# Errors at the content line: a note in a heading, a note in a note.
sed 's|<title>Projects</title>|<title>Projects<note>No.</note></title>|' "$P/data/notes.xml" >"$P/data/bad.xml"
"$BIN" render "$P/data/bad.xml" --layout "$P/layouts/notes-layout.xml" -o "$TMP/bad.pdf" -q 2>"$TMP/bad.err"
[ $? = 1 ] && grep -q "bad.xml:[0-9]*:.*<note> inside <title>" "$TMP/bad.err" && pass "a note in a title is an error at its line" || fail "note in a title: $(cat "$TMP/bad.err")"
sed 's|<note>Both by agreement|<note>Both <note>x</note> by agreement|' "$P/data/notes.xml" >"$P/data/nested.xml"
"$BIN" render "$P/data/nested.xml" --layout "$P/layouts/notes-layout.xml" -o "$TMP/nested.pdf" -q 2>"$TMP/nested.err"
[ $? = 1 ] && grep -q "cannot hold another note" "$TMP/nested.err" && pass "a note in a note is an error" || fail "note in a note: $(cat "$TMP/nested.err")"

# A note taller than the page: an error at the note's content line.
long=$($PY -c "print(' '.join(['This note goes on and on about the accounts.'] * 120))")
sed "s|<note>Both by agreement with their funders.</note>|<note>$long</note>|" "$P/data/notes.xml" >"$P/data/tall.xml"
"$BIN" render "$P/data/tall.xml" --layout "$P/layouts/notes-layout.xml" -o "$TMP/tall.pdf" -q 2>"$TMP/tall.err"
[ $? = 1 ] && grep -q "tall.xml:[0-9]*:.*note 5 cannot fit" "$TMP/tall.err" && [ ! -e "$TMP/tall.pdf" ] &&
  pass "a note taller than the page is an error at its line" || fail "tall note: $(cat "$TMP/tall.err")"

finish
