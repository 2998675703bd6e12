#!/usr/bin/env bash
# Footnotes numbered per page (docs/layout.md, "Notes"): bind measures each
# mark with a one-digit stand-in, layout gives the number as the page fills;
# a page with ten notes or more draws "10" … where "0" was measured. The
# wider marks take their room: a mark of two digits is as wide as two, the
# text after it does not overlap it, and a justified line still ends on the
# column's edge (layout takes the difference from its word gaps).
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3
FIX=tests/e2e/fixtures/notes

P="$TMP/proj"
scratch_project "$P"
# fourteen notes in one justified paragraph, numbered per page
$PY - "$FIX/notes.xml" >"$P/data/many.xml" <<'PY'
import sys
src = open(sys.argv[1]).read()
words = "The network met each quarter to compare what its members had learned".split()
parts = [" ".join(words[i % 5:i % 5 + 4]) + f"<note>Source {i + 1}.</note>," for i in range(14)]
print(src[:src.index("<section")] + '<section id="finance" role="finance"><title>Finance</title><p>'
      + " ".join(parts) + " and so on to the end of a paragraph long enough to wrap.</p></section></review>")
PY
sed -e 's/numbering="document"/numbering="page"/' \
    -e '0,/space-after="6pt"\/>/s//space-after="6pt" align="justify"\/>/' \
    "$FIX/notes-layout.xml" >"$P/layouts/page.xml"
"$BIN" render "$P/data/many.xml" --layout "$P/layouts/page.xml" -o "$TMP/many.pdf" \
  --dump-layout "$TMP/many.dump" -q 2>"$TMP/err" || { fail "render: $(cat "$TMP/err")"; finish; }

$PY - "$TMP/many.dump" <<'PY' && pass "marks 10-14 two digits wide, nothing overlapping them, justified lines on the edge" || fail "per-page marks of two digits"
import re, sys
items = []  # (page, x, y, w, size, text, role)
page = 0
for line in open(sys.argv[1]):
    if line.startswith("page "):
        page += 1
        continue
    m = re.match(r'  text ([\d.]+) ([\d.]+) ([\d.]+) [\d.]+ \S+ ([\d.]+) .*?"(.*)" role=(\S+)', line)
    if m:
        x, y, w, size = map(float, m.group(1, 2, 3, 4))
        items.append((page, x, y, w, size, m.group(5), m.group(6)))
errors = []
marks = [it for it in items if it[6] in ("Reference", "Lbl")]
one = {(it[4], it[6]): it[3] for it in marks if len(it[5]) == 1}
two = [it for it in marks if len(it[5]) == 2]
if len(two) < 2 * 5:
    errors.append(f"only {len(two)} two-digit marks (Reference and Lbl): the fixture no longer has 10+ notes a page")
for it in two:
    if it[3] < 1.8 * one[(it[4], it[6])]:
        errors.append(f"mark {it[5]} ({it[6]}) {it[3]:.2f} pt wide, one digit is {one[(it[4], it[6])]:.2f}")
for i, it in enumerate(items[:-1]):
    nxt = items[i + 1]
    if it in two and nxt[0] == it[0] and nxt[1] > it[1] and nxt[1] < it[1] + it[3] - 0.01:
        errors.append(f"'{nxt[5]}' at x {nxt[1]:.2f} overlaps mark {it[5]} ending at {it[1] + it[3]:.2f}")
# the paragraph's lines (not the notes, not its last line) end on the same right edge
body = [it for it in items if it[6] in ("P", "Reference") and it[0] == 1]
lines = {}
for it in body:
    if it[6] == "P":
        lines.setdefault(it[2], []).append(it)
ys = sorted(lines)
ends = [max(t[1] + t[3] for t in lines[y]) for y in ys[1:-1]]  # not the heading, not the last
if ends and max(ends) - min(ends) > 0.05:
    errors.append(f"justified lines end between {min(ends):.2f} and {max(ends):.2f}")
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
finish
