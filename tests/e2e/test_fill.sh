#!/usr/bin/env bash
# The fill rule for the reviews: both samples through the A4 and the A5
# review leave at most two inner pages ending above two thirds of their
# height (fewer where the design does better today: the most each may leave
# is below), and the cover carries no running header or footer
# (tests/e2e/fill.py reads the positioned items from --dump-layout); and no
# page ends with a heading. Then the policy lab: on A4 a project written up under subheadings (why,
# approach, outcomes) takes a page of its own, its title the first heading of
# the page and all its subheadings on it.
. "$(dirname "$0")/lib.sh"
cd "$SRC"

# LAYOUT SAMPLE MOST-SHORT-PAGES
while read -r layout content most; do
  name=$layout-$(basename "$content" .xml)
  if ! "$BIN" render "$content" --layout "layouts/$layout.xml" -q -o "$TMP/$name.pdf" \
    --dump-layout "$TMP/$name.dump" 2>"$TMP/$name.err"; then
    fail "$name: render failed: $(head -c 800 "$TMP/$name.err")"
    continue
  fi
  if /usr/bin/python3 tests/e2e/fill.py "$TMP/$name.dump" "$most" >"$TMP/$name.fill" 2>&1; then
    pass "$name: at most $most short inner pages, no running text on the cover"
  else
    fail "$name: $(cat "$TMP/$name.fill")"
  fi
  # No heading ends a page: the lowest line of text on a page is not a heading's.
  /usr/bin/python3 - "$TMP/$name.dump" >"$TMP/$name.heads" 2>&1 <<'PY'
import re, sys
bad, page, low = [], 0, None
def close():
    if low and low[1].startswith("H"):
        bad.append(f"page {page} ends with the heading '{low[2]}'")
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"page (\d+) ", line)
    if m:
        close()
        page, low = int(m.group(1)), None
        continue
    m = re.search(r'^\s+text \S+ (\S+) .*?"(.*)" role=(\w+)', line)
    if m and "role=artifact" not in line and (low is None or float(m.group(1)) >= low[0]):
        low = (float(m.group(1)), m.group(3), m.group(2))
close()
print("\n".join(bad) if bad else "no page ends with a heading")
sys.exit(1 if bad else 0)
PY
  if [ $? -eq 0 ]; then pass "$name: $(cat "$TMP/$name.heads")"; else fail "$name: $(cat "$TMP/$name.heads")"; fi
done <<'LIST'
annual-review data/ccin-2018-19.xml 1
annual-review data/seren-solas-2024-25.xml 2
annual-review-a5 data/ccin-2018-19.xml 2
annual-review-a5 data/seren-solas-2024-25.xml 2
case-studies tests/data/pack/pack-22.xml 0
case-studies data/seren-solas-2024-25.xml 1
annual-review-accessible data/ccin-2018-19.xml 3
annual-review-accessible data/seren-solas-2024-25.xml 4
LIST

# The lab's page: its title (an H2, as the other projects' titles, under the
# section's H1) heads the page's text, its subheadings (H3) all on the same
# page, and no other project's title there.
/usr/bin/python3 - "$TMP/annual-review-ccin-2018-19.dump" data/ccin-2018-19.xml \
  >"$TMP/lab.out" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
dump, content = sys.argv[1], sys.argv[2]
root = ET.parse(content).getroot()
labs = [p for p in root.iter("project") if p.find("heading") is not None]
others = [p.findtext("title").strip() for p in root.iter("project") if p.find("heading") is None]
pages, cur = [], None
for line in open(dump, encoding="utf-8"):
    if line.startswith("page "):
        cur = []
        pages.append(cur)
        continue
    m = re.search(r'^\s+text .*?"(.*)" role=(H\d|P)\b', line)
    if m and cur is not None:
        cur.append((m.group(2), m.group(1)))
bad = []
if not labs:
    bad.append("the sample has no lab written up under subheadings")
for lab in labs:
    title = " ".join(lab.findtext("title").split())
    heads = [" ".join("".join(h.itertext()).split()) for h in lab.findall("heading")]
    hit = [i for i, p in enumerate(pages) if any(r == "H2" and title.startswith(t) for r, t in p)]
    if not hit:
        bad.append(f"{title}: no page has it as an H2")
        continue
    page = pages[hit[0]]
    first = next((t for r, t in page if r.startswith("H")), "")
    if not title.startswith(first):
        bad.append(f"{title}: the page's first heading is '{first}'")
    h3 = [t for r, t in page if r == "H3"]
    for h in heads:
        if h not in h3:
            bad.append(f"{title}: subheading '{h}' not on its page")
    for o in others:
        if any(" ".join(o.split()).startswith(t) for r, t in page if r == "H2"):
            bad.append(f"{title}: shares its page with the project '{o}'")
print("\n".join(bad) if bad else f"{len(labs)} lab(s) on a page of their own")
sys.exit(1 if bad else 0)
PY
if [ $? -eq 0 ]; then pass "annual-review: $(cat "$TMP/lab.out")"; else fail "annual-review lab page: $(cat "$TMP/lab.out")"; fi

# The checker itself fails where it must: a dump with four short inner pages
# and a footer on the cover.
{
  echo "page 1 595.28x841.89 master=cover label=i"
  echo "  text 56.69 807.47 20.78 8.00 F.ttf 8.00 color=#5f5f66 \"1 / 9\" role=artifact @L1"
  for n in 2 3 4 5; do
    echo "page $n 595.28x841.89 master=standard label=$n"
    echo "  text 56.69 200.00 100.00 10.00 F.ttf 10.00 color=#222222 \"short\" role=P id=1 @L1"
  done
  echo "page 6 595.28x841.89 master=back label=6"
} >"$TMP/bad.dump"
/usr/bin/python3 tests/e2e/fill.py "$TMP/bad.dump" 2 >"$TMP/bad.fill" 2>&1
if [ $? -ne 0 ] && grep -q "cover carries running text" "$TMP/bad.fill" \
  && grep -q "4 inner pages end above two thirds" "$TMP/bad.fill"; then
  pass "fill.py fails short pages and a footer on the cover"
else
  fail "fill.py passed a bad dump: $(cat "$TMP/bad.fill")"
fi
finish
