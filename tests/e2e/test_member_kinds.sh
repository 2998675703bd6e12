#!/usr/bin/env bash
# The members' cards in the annual-review layouts: one group per kind, in
# order of first appearance, each card's rule in its group's colour — the
# first kind's, the second's, and one colour for every kind after — whatever
# the members' order and kinds (lib/templates.xml picks the colour by the
# group's position). Checked from the layout dump against the kinds' order
# worked out here from the content: the sample, its members reversed and
# shuffled, one kind, two, and a fourth kind added.
. "$(dirname "$0")/lib.sh"
cd "$SRC"

variants_project <<'PY'
import random, re, sys
src = open(sys.argv[1], encoding="utf-8").read()
lines = src.split("\n")
at = [i for i, l in enumerate(lines) if l.strip().startswith("<member ")]
members = [lines[i] for i in at]
assert len(members) > 10 and all(lines[i].strip().endswith("</member>") for i in at)

def write(name, ms, fix=lambda s: s):
    out = list(lines)
    for i, m in zip(at, ms):
        out[i] = m
    open(f"{sys.argv[2]}/{name}.xml", "w", encoding="utf-8").write(fix("\n".join(out)))

def kind(m, k):
    return re.sub(r'kind="[^"]*"', f'kind="{k}"', m)

shuffled = list(members)
random.Random(7).shuffle(shuffled)
four = [kind(m, "partner") if i % 5 == 2 else m for i, m in enumerate(members)]
random.Random(3).shuffle(four)
partner = '<kind id="affiliate" label="Affiliate" plural="Affiliates"/>'
write("sample", members)
write("reversed", members[::-1])
write("shuffled", shuffled)
write("one-kind", [kind(m, "associate") for m in members])
write("two-kinds", [kind(m, "affiliate" if i % 3 == 0 else "member") for i, m in enumerate(members)])
write("four-kinds", four, lambda s: s.replace(partner, partner + '\n      <kind id="partner" '
                                             'label="Partner" plural="Partners"/>'))
PY

for layout in annual-review annual-review-a5; do
  for doc in sample reversed shuffled one-kind two-kinds four-kinds; do
    name="$layout/$doc"
    out="$TMP/$layout-$doc"
    render_dump "$name" "$proj/data/$doc.xml" "$layout" "$out" || continue
    if /usr/bin/python3 - "$proj/data/$doc.xml" "$out.dump" >"$out.check" 2>&1 <<'PY'; then
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
def bare(s):  # a name without its spaces and hyphens: wrapped lines join as one
    return re.sub(r"[\s\-\u00ad]", "", s)

kinds, order = {}, []
for m in root.find("members").iter("member"):
    kinds[bare("".join(m.itertext()))] = m.get("kind")
    if m.get("kind") not in order:
        order.append(m.get("kind"))
# a card: its rule (a 2pt-wide rect), then the member's name (its lines
# share an id)
cards, rule, name, ident = [], None, "", None
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.split()
    t = re.match(r'\s*text .*? "(.*)" role=\S+ id=(\d+)', line)
    if t and rule and (ident is None or t.group(2) == ident):
        name, ident = name + t.group(1), t.group(2)
        continue
    if rule and bare(name) in kinds:
        cards.append((bare(name), rule))
    rule, name, ident = None, "", None
    if len(f) > 5 and f[0] == "rect" and f[3] == "2.00" and f[5].startswith("fill="):
        rule = f[5][5:]
seen = {n for n, _ in cards}
if seen != set(kinds):
    sys.exit(f"cards for {len(seen)} of {len(kinds)} members; missing {sorted(set(kinds) - seen)[:3]}")
colour = {}
for n, c in cards:
    rank = min(order.index(kinds[n]), 2)  # the first kind, the second, the rest
    if colour.setdefault(rank, c) != c:
        sys.exit(f"{n} ({kinds[n]}, kind {order.index(kinds[n]) + 1} of {len(order)}): "
                 f"rule {c}, not {colour[rank]} as the others")
if len(set(colour.values())) != len(colour):
    sys.exit(f"kinds of different rank share a colour: {colour}")
print(f"{len(cards)} cards, {len(order)} kinds, colours {colour}")
PY
      pass "$name: each card's rule in its kind's colour by order ($(cat "$out.check"))"
    else
      fail "$name: $(cat "$out.check")"
    fi
  done
done

finish
