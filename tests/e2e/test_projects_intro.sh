#!/usr/bin/env bash
# The projects section's introduction in the annual-review layouts
# (lib/templates.xml: two <if>s on one test, a block among the first three
# that is no short paragraph): whatever its blocks — short paragraphs, a
# long one first, a list, a quote or a heading first, one block, none, five
# — every block is printed once, in the content's order, before the first
# project; and when its first three blocks are short paragraphs, the first
# is on the heading's page. Checked from the layout dump.
. "$(dirname "$0")/lib.sh"
cd "$SRC"

proj="$TMP/proj"
mkdir -p "$proj/data" && cp -r images "$proj/"
/usr/bin/python3 - data/ccin-2018-19.xml "$proj/data" <<'PY' || fail "variants not written"
import sys
s = open(sys.argv[1], encoding="utf-8").read()
i = s.index("<projects")
j = s.index("<project ", i)
head = s[i:j]
pre = head[:head.index("</title>") + len("</title>")]
post = head[head.index("<!--", len(pre)):]
long_p = "<p>" + " ".join(["Long introduction %d about the labs and what they are for." % k
                           for k in range(12)]) + "</p>"
def short(k):
    return "<p>Short introduction %d.</p>" % k
variants = {
    "sample": None,
    "long-first": [long_p, short(1), short(2)],
    "list-first": ["<list><item><p>Listed introduction one</p></item>"
                   "<item><p>Listed introduction two</p></item></list>", short(1), short(2)],
    "quote-first": ["<quote><p>Quoted introduction.</p></quote>", short(1), long_p],
    "heading-first": ["<heading>Heading of the introduction</heading>", short(1)],
    "one-short": [short(0)],
    "none": [],
    "five-short": [short(k) for k in range(5)],
    "short-then-long": [short(0), short(1), long_p, short(3)],
}
for name, blocks in variants.items():
    out = s if blocks is None else s[:i] + pre + "\n    " + "\n    ".join(blocks) + "\n    " + post + s[j:]
    open(f"{sys.argv[2]}/{name}.xml", "w", encoding="utf-8").write(out)
PY

for layout in annual-review annual-review-a5; do
  for doc in sample long-first list-first quote-first heading-first one-short none five-short \
    short-then-long; do
    name="$layout/$doc"
    out="$TMP/$layout-$doc"
    if ! "$BIN" render "$proj/data/$doc.xml" --layout "$layout" -o "$out.pdf" \
      --dump-layout "$out.dump" >/dev/null 2>"$out.err"; then
      fail "$name: render failed: $(head -c 800 "$out.err")"
      continue
    fi
    if /usr/bin/python3 - "$proj/data/$doc.xml" "$out.dump" >"$out.check" 2>&1 <<'PY'; then
import re, sys, xml.etree.ElementTree as ET
BLOCKS = ("p", "heading", "list", "quote", "callout", "image", "table")
projects = ET.parse(sys.argv[1]).getroot().find("projects")
intro = [b for b in projects if b.tag in BLOCKS]
def words(e):
    return " ".join("".join(e.itertext()).split())
def bare(t):
    return re.sub(r"[\s\-\u00ad]", "", t)
# the dump's text runs in order, with their page, from the projects' heading on
runs, page = [], 0
for line in open(sys.argv[2], encoding="utf-8"):
    if line.startswith("page "):
        page += 1
    m = re.match(r'\s*text .*? "(.*)" role=', line)
    if m:
        runs.append((page, m.group(1)))
title = words(projects.find("title"))
start = next((k for k, (_, t) in enumerate(runs) if title.startswith(t) and len(t) > 8), None)
if start is None:
    sys.exit(f"the projects' title {title!r} is not in the dump")
heading_page = runs[start][0]
first_project = words(projects.find("project").find("title"))
stream = "".join(bare(t) for _, t in runs[start:])
end = stream.find(bare(first_project))
if end < 0:
    sys.exit("the first project's title is not after the heading")
def leaves(b):  # a block's paragraphs (a list's items, a quote's), or the block
    ps = [words(p) for p in b.iter("p")]
    return ps or [words(b)]
at = 0
for b in intro:
    for text in leaves(b):
        w = bare(text)
        k = stream.find(w, at)
        if k < 0 or k > end:
            sys.exit(f"block {text[:40]!r} not printed in order before the first project")
        again = stream.find(w, k + len(w))
        if 0 <= again < end:
            sys.exit(f"block {text[:40]!r} printed twice")
        at = k + len(w)
def short_p(b):
    return b.tag == "p" and len(words(b)) < 600
kept = intro and all(short_p(b) for b in intro[:3])
if kept:
    first = bare(leaves(intro[0])[0])[:12]
    pages = [p for p, t in runs[start:] if first in bare(t)]
    if not pages or pages[0] != heading_page:
        sys.exit(f"the first block is not on the heading's page {heading_page}: {pages[:1]}")
print(f"{len(intro)} blocks in order{', the first with the heading' if kept else ''}")
PY
      pass "$name: $(cat "$out.check")"
    else
      fail "$name: $(cat "$out.check")"
    fi
  done
done

finish
