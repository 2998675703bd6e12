#!/usr/bin/env bash
# The heading over endnotes (docs/layout.md, "Notes"): by default the label
# "notes" in the content's language, tagged H2 (one below the section's H1)
# just before the section's first Note; title= sets another text or, empty,
# none; <endnotes title-level title-style> its level and style; a section
# without notes gets no heading; the deck (endnotes per section) has one on
# each section's notes; a wrong title-style is an error at its line.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3
FIX=tests/e2e/fixtures/notes

P="$TMP/proj"
scratch_project "$P"
cp "$FIX/notes.xml" "$P/data/"
# endnotes per section, and labels in English and Welsh
sed -e 's/placement="foot"/placement="section"/' \
    -e 's|<master name="m"|<labels xml:lang="en-GB"><label name="notes">Notes</label></labels>\n  <labels xml:lang="cy"><label name="notes">Nodiadau</label></labels>\n  &|' \
    "$FIX/notes-layout.xml" >"$P/layouts/end.xml"

render() { # NAME CONTENT LAYOUT → $TMP/NAME.pdf and $TMP/NAME.dump
  "$BIN" render "$2" --layout "$3" -o "$TMP/$1.pdf" --dump-layout "$TMP/$1.dump" -q 2>"$TMP/$1.err" ||
    fail "$1: render failed: $(cat "$TMP/$1.err")"
}

# The dump's text runs in order as "ROLE|TEXT", one a line, with their pages.
runs() { # DUMP
  awk '/^page / {p = $2} /^  text / {
         r = $0; sub(/.* role=/, "", r); sub(/ .*/, "", r)
         t = $0; sub(/^[^"]*"/, "", t); sub(/" role=.*/, "", t)
         print p "|" r "|" t }' "$1"
}

# TITLE ROLE: each section's endnotes start with a heading TITLE tagged ROLE
# on the page of its first note; nothing else is tagged that way.
heading_before_notes() { # NAME DUMP TITLE ROLE
  local out
  if out=$(runs "$2" | $PY -c '
import sys
rows = [l.rstrip("\n").split("|", 2) for l in sys.stdin]
rows = [x for x in rows if x[1] != "artifact"]  # running heads and feet
title, role = sys.argv[1].lower(), sys.argv[2]
note = lambda i: 0 <= i < len(rows) and rows[i][1] in ("Lbl", "Note")
# where the endnotes of a section start: a note label (a Lbl before a Note) after other text
starts = [i for i, (p, r, t) in enumerate(rows)
          if r == "Lbl" and note(i + 1) and rows[i + 1][1] == "Note" and not note(i - 1)]
heads = [i for i, (p, r, t) in enumerate(rows) if r == role and t.lower() == title]
ok = len(starts) == 2 and len(heads) == 2
ok = ok and all(h == s - 1 and rows[h][0] == rows[s][0] for h, s in zip(heads, starts))
if not ok:
    print("note blocks start at runs", starts, "headings at", heads, [rows[s - 1] for s in starts])
sys.exit(0 if ok else 1)
' "$3" "$4"); then
    pass "$1: '$3' ($4) over each section's endnotes, on their page"
  else
    fail "$1: no '$3' ($4) just before each section's endnotes: $out"
  fi
}

render en "$P/data/notes.xml" "$P/layouts/end.xml"
heading_before_notes en "$TMP/en.dump" "Notes" H2
$PY tests/e2e/tagcheck.py check "$TMP/en.pdf" --test-layout && pass "en: tagcheck (H1, then H2 over the notes)" || fail "en: tagcheck"
pdftotext "$TMP/en.pdf" - | grep -c '^Notes$' | grep -qx 2 && pass "en: 'Notes' printed twice, once a section" || fail "en: 'Notes' not printed twice"

# Welsh content: the label from the Welsh table.
sed 's/xml:lang="en-GB"/xml:lang="cy"/' "$P/data/notes.xml" >"$P/data/cy.xml"
render cy "$P/data/cy.xml" "$P/layouts/end.xml"
heading_before_notes cy "$TMP/cy.dump" "Nodiadau" H2

# title="" on <notes>: no heading.
sed 's|<notes |<notes title="" |' "$P/layouts/end.xml" >"$P/layouts/off.xml"
render off "$P/data/notes.xml" "$P/layouts/off.xml"
if runs "$TMP/off.dump" | grep -q '|H2|'; then fail "off: title=\"\" still prints a heading"; else pass "off: title=\"\" prints no heading"; fi
runs "$TMP/off.dump" | grep -q '|Note|' && pass "off: the notes still print" || fail "off: the notes are gone"

# <endnotes> with a title of its own, a level and a style; a section
# without notes left (Projects, after Finance's were printed) gets none.
sed -e 's/placement="section"/placement="document"/' \
    -e 's|<heading level="1">{title}</heading>|&<endnotes title="Sources for {title}" title-level="3" title-style="h1"/>|' \
    "$P/layouts/end.xml" >"$P/layouts/own.xml"
render own "$P/data/notes.xml" "$P/layouts/own.xml"
runs "$TMP/own.dump" >"$TMP/own.runs"
grep -q '|H3|Sources for Projects$' "$TMP/own.runs" && pass "own: <endnotes title> a pattern, tagged H3" || fail "own: no H3 'Sources for Projects': $(grep H3 "$TMP/own.runs")"
grep -q 'Sources for Finance' "$TMP/own.runs" && fail "own: a heading over no notes (Finance's come later)" || pass "own: no heading where no notes are waiting"
grep -q '|H2|Notes$' "$TMP/own.runs" && pass "own: the document's last notes under the <notes>' title" || fail "own: the document's last notes have no title"
grep -F 'Sources for Projects' "$TMP/own.dump" | grep -q 'OpenSans-Bold.ttf 18.00' && pass "own: title-style h1" || fail "own: the title is not in h1"

# The deck: each section's endnotes under "NOTES" (its kicker style), H2.
"$BIN" render data/seren-solas-2024-25.xml --layout deck -o "$TMP/deck.pdf" --dump-layout "$TMP/deck.dump" -q 2>"$TMP/deck.err" || fail "deck: $(cat "$TMP/deck.err")"
heading_before_notes deck "$TMP/deck.dump" "Notes" H2
$PY tests/e2e/tagcheck.py check "$TMP/deck.pdf" && pass "deck: tagcheck" || fail "deck: tagcheck"

# A wrong title-style: an error at the layout's line.
sed 's|<notes |<notes title-style="nope" |' "$P/layouts/end.xml" >"$P/layouts/bad.xml"
"$BIN" render "$P/data/notes.xml" --layout "$P/layouts/bad.xml" -o "$TMP/bad.pdf" -q 2>"$TMP/bad.err"
[ $? = 1 ] && grep -q 'bad.xml:[0-9]*:.*nope' "$TMP/bad.err" && pass "an unknown title-style: an error at its line" || fail "bad title-style: $(cat "$TMP/bad.err")"

finish
