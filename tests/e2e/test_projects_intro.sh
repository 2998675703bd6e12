#!/usr/bin/env bash
# The projects section's introduction in the annual-review layouts
# (lib/templates.xml: two <if>s on one test, a block among the first three
# that is no short paragraph): whatever its blocks — short paragraphs, a
# long one first, a list, a quote or a heading first, one block, none, five
# — every block is printed once, in the content's order, before the first
# project; when its first three blocks are short paragraphs, or its first is
# a short paragraph or quote, the first is on the heading's page; and the
# heading is never the last thing on its page. The heading is walked down
# the page (key points added to the awards before it) so that it meets the
# page's foot in every variant. Checked from the layout dump, and for the
# quote by the page's text (pdftotext).
. "$(dirname "$0")/lib.sh"
cd "$SRC"

variants_project <<'PY'
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
quote = "<quote><p>Quoted introduction.</p></quote>"
variants = {
    "sample": None,
    "long-first": [long_p, short(1), short(2)],
    "list-first": ["<list><item><p>Listed introduction one</p></item>"
                   "<item><p>Listed introduction two</p></item></list>", short(1), short(2)],
    "quote-first": [quote, short(1), long_p],
    "quote-only": [quote],
    "heading-first": ["<heading>Heading of the introduction</heading>", short(1)],
    "one-short": [short(0)],
    "none": [],
    "five-short": [short(k) for k in range(5)],
    "short-then-long": [short(0), short(1), long_p, short(3)],
}
# k key points more in the awards before the projects (every third two lines
# long): the heading lower down its page by a line or two at each step
points = s.index("</list>", s.index("<awards"))
def shifted(doc, k):
    extra = "".join("<item>Extra point %d%s</item>" % (n, " that runs on, as some do, to a second "
                    "line of the page and so moves what follows by another amount" if n % 3 == 2
                    else "") for n in range(k))
    return doc[:points] + extra + doc[points:]
for name, blocks in variants.items():
    out = s if blocks is None else s[:i] + pre + "\n    " + "\n    ".join(blocks) + "\n    " + post + s[j:]
    open(f"{sys.argv[2]}/{name}.xml", "w", encoding="utf-8").write(out)
    if name in ("sample", "long-first", "five-short"):
        continue
    for k in range(1, 14):
        open(f"{sys.argv[2]}/{name}+{k}.xml", "w", encoding="utf-8").write(shifted(out, k))
PY

for layout in annual-review annual-review-a5; do
  for doc in "$proj"/data/*.xml; do
    doc=$(basename "$doc" .xml)
    render_dump "$layout/$doc" "$proj/data/$doc.xml" "$layout" "$TMP/$layout-$doc"
  done
done

# every render's dump against its content: one line each, ok or why not
/usr/bin/python3 - "$proj/data" "$TMP" >"$TMP/checks" 2>&1 <<'PY' || fail "checker failed: $(tail -5 "$TMP/checks")"
import os, re, sys, xml.etree.ElementTree as ET
BLOCKS = ("p", "heading", "list", "quote", "callout", "image", "table")
data, tmp = sys.argv[1], sys.argv[2]
def words(e):
    return " ".join("".join(e.itertext()).split())
def bare(t):
    return re.sub(r"[\s\-\u00ad]", "", t)
def leaves(b):  # a block's paragraphs (a list's items, a quote's), or the block
    ps = [words(p) for p in b.iter("p")]
    return ps or [words(b)]
def check(src, dump):
    projects = ET.parse(src).getroot().find("projects")
    intro = [b for b in projects if b.tag in BLOCKS]
    # the dump's text runs in order, with their page and role, from the projects' heading on
    runs, page = [], 0
    for line in open(dump, encoding="utf-8"):
        if line.startswith("page "):
            page += 1
        m = re.match(r'\s*text .*? "(.*)" role=(\S+)', line)
        if m and m.group(2) != "artifact":
            runs.append((page, m.group(1), m.group(2)))
    title = words(projects.find("title"))
    start = next((k for k, (_, t, _r) in enumerate(runs) if title.startswith(t) and len(t) > 8), None)
    if start is None:
        return f"the projects' title {title!r} is not in the dump"
    heading_page = runs[start][0]
    first_project = words(projects.find("project").find("title"))
    stream = "".join(bare(t) for _, t, _r in runs[start:])
    end = stream.find(bare(first_project))
    if end < 0:
        return "the first project's title is not after the heading"
    at = 0
    for b in intro:
        for text in leaves(b):
            w = bare(text)
            k = stream.find(w, at)
            if k < 0 or k > end:
                return f"block {text[:40]!r} not printed in order before the first project"
            again = stream.find(w, k + len(w))
            if 0 <= again < end:
                return f"block {text[:40]!r} printed twice"
            at = k + len(w)
    # the heading never ends its page: what follows it (the introduction,
    # else the projects) starts there
    after = next(((p, t) for p, t, r in runs[start:] if r != "H1"), None)
    if after is None or after[0] != heading_page:
        return f"the heading ends page {heading_page}: {after[1][:30]!r} on page {after[0]}" \
            if after else "nothing after the heading"
    def short_p(b):
        return b.tag == "p" and len(words(b)) < 600
    kept = intro and (all(short_p(b) for b in intro[:3]) or
                      (intro[0].tag in ("p", "quote") and len(words(intro[0])) < 800))
    if kept:
        first = bare(leaves(intro[0])[0])[:12]
        pages = [p for p, t, _r in runs[start:] if first in bare(t)]
        if not pages or pages[0] != heading_page:
            return f"the first block is not on the heading's page {heading_page}: {pages[:1]}"
    return f"ok: {len(intro)} blocks in order{', the first with the heading' if kept else ''}"
for layout in ("annual-review", "annual-review-a5"):
    for f in sorted(os.listdir(data)):
        doc = f[:-4]
        dump = f"{tmp}/{layout}-{doc}.dump"
        print(f"{layout}/{doc}: " + (check(f"{data}/{f}", dump) if os.path.exists(dump) else "no dump"))
PY
while IFS= read -r line; do
  case "$line" in
    *": ok: "*) pass "$line" ;;
    *) fail "$line" ;;
  esac
done <"$TMP/checks"

# The quote that opens the introduction on the heading's page, by the
# page's own text (at the sample's length the heading nears the foot of
# annual-review's page; a layout that drops the quote's kicker space loses it)
for layout in annual-review annual-review-a5; do
  for doc in quote-first quote-only; do
    pdf="$TMP/$layout-$doc.pdf"
    [ -f "$pdf" ] || continue
    n=$(/usr/bin/python3 -c '
import re, sys
page = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("page "): page += 1
    elif re.search(r"\"CCIN Policy Labs[^\"]*\" role=H1", line): print(page); break
' "$TMP/$layout-$doc.dump")
    pdftotext -f "$n" -l "$n" "$pdf" "$TMP/page.txt"
    if grep -q "CCIN Policy Labs" "$TMP/page.txt" && grep -q "Quoted introduction" "$TMP/page.txt"; then
      pass "$layout/$doc: the heading and the quote on page $n"
    else
      fail "$layout/$doc: page $n has the heading but not the quote: $(tr '\n' ' ' <"$TMP/page.txt" | tail -c 200)"
    fi
  done
done

finish
