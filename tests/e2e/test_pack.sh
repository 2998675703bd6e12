#!/usr/bin/env bash
# The Case Studies Pack (layouts/case-studies.xml) with the benchmark's content
# (tests/data/pack/pack-22.xml, bench/pack_xml.py 22), read back per page with
# pdftotext: every study's title, organisation, place and theme on the page
# where it starts, its figures charted there; the index lists every study under
# its theme with the page label of the page its title is printed on, and links
# each entry to that page. Then the same after a change that moves the studies
# (a long study early on): the index follows them.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3

check_pack() { # NAME CONTENT
  local name=$1 content=$2
  if ! "$BIN" render "$content" --layout case-studies -q -o "$TMP/$name.pdf" 2>"$TMP/$name.err"; then
    fail "$name: render failed: $(head -c 600 "$TMP/$name.err")"
    return
  fi
  [ -s "$TMP/$name.err" ] && fail "$name: warns: $(head -c 600 "$TMP/$name.err")"
  if $PY - "$content" "$TMP/$name.pdf" >"$TMP/$name.out" 2>&1 <<'PY'; then
import re, subprocess, sys, xml.etree.ElementTree as ET
import pikepdf

content, pdf_path = sys.argv[1:3]
root = ET.parse(content).getroot()
studies = [{"id": cs.get("id"), "title": cs.findtext("title"), "theme": cs.get("theme"),
            "org": cs.get("organisation"), "place": cs.get("place"),
            "figures": [f.get("label") for f in cs.findall("figures/figure")]}
           for cs in root.findall("case-studies/case-study")]
pdf = pikepdf.open(pdf_path)
n = len(pdf.pages)
labels = [str(p.label) for p in pdf.pages]
text = [" ".join(subprocess.run(["pdftotext", "-raw", "-f", str(i), "-l", str(i), pdf_path, "-"],
                                capture_output=True, text=True, check=True).stdout.split())
        for i in range(1, n + 1)]
bad = []
index_pages = [i for i in range(n) if "Index by theme" in text[i]]
if not index_pages:
    sys.exit("no page says 'Index by theme'")
first_index = index_pages[0]
if index_pages != list(range(first_index, n)):
    bad.append(f"the index is not the last pages: {index_pages}")

# 1. Each study starts on one page before the index: its title, organisation,
#    place and theme there, its figures' labels between there and the page
#    where the next study starts.
start = {}
for s in studies:
    pages = [i for i in range(1, first_index) if s["title"] in text[i]]
    if len(pages) != 1:
        bad.append(f"{s['id']}: title '{s['title']}' on pages {pages}, want exactly one")
        continue
    p = pages[0]
    start[s["id"]] = p
    for what in (s["org"], s["place"], s["theme"].upper()):
        if what not in text[p]:
            bad.append(f"{s['id']}: '{what}' not on page {labels[p]}")
for k, s in enumerate(studies):
    if s["id"] not in start:
        continue
    p = start[s["id"]]
    end = start.get(studies[k + 1]["id"], first_index - 1) if k + 1 < len(studies) else first_index - 1
    near = " ".join(text[p:end + 1])
    for f in s["figures"]:
        if f not in near:
            bad.append(f"{s['id']}: figure '{f}' not on pages {labels[p]}-{labels[end]}")
order = [start[s["id"]] for s in studies if s["id"] in start]
if order != sorted(order):
    bad.append("the studies are not in the content's order")

# 2. The index: under each theme, its studies in the content's order, each
#    with the label of its page.
itext = " ".join(text[first_index:])
for theme in dict.fromkeys(s["theme"] for s in studies):
    members = [s for s in studies if s["theme"] == theme]
    at = itext.find(" " + theme + " ")
    if at < 0:
        bad.append(f"index: no heading '{theme}'")
        continue
    pos = at
    for s in members:
        if s["id"] not in start:
            continue
        want = labels[start[s["id"]]]
        m = re.compile(re.escape(s["title"]) + r"[ .]*?(\d+)\b").search(itext, pos)
        if not m:
            bad.append(f"index: '{s['title']}' not under '{theme}'")
            continue
        if m.group(1) != want:
            bad.append(f"index: '{s['title']}' says page {m.group(1)}, its title is on page {want}")
        pos = m.end()

# 3. The index's links: each study twice (title, number), each to its page.
dest = []
for i in index_pages:
    for a in pdf.pages[i].get("/Annots", []):
        if a.get("/Subtype") != "/Link":
            continue
        d = a.get("/Dest") if "/Dest" in a else a.get("/A", {}).get("/D")
        if d is None:
            bad.append(f"index page {labels[i]}: a link without a destination in the file")
            continue
        dest.append(next(k for k, p in enumerate(pdf.pages) if p.objgen == d[0].objgen))
want = sorted(2 * [start[s["id"]] for s in studies if s["id"] in start])
if sorted(dest) != want:
    bad.append(f"index links go to pages {sorted(dest)}, want {want}")

# 4. About two studies a page.
per_page = len(studies) / max(1, first_index - 1)
if not 1.6 <= per_page <= 2.6:
    bad.append(f"{per_page:.1f} studies a page")
print("\n".join(bad) if bad else
      f"{len(studies)} studies on {first_index - 1} pages ({per_page:.1f} a page), "
      f"each in the index under its theme with its page and a link to it")
sys.exit(1 if bad else 0)
PY
    pass "$name: $(cat "$TMP/$name.out")"
  else
    fail "$name: $(head -30 "$TMP/$name.out")"
  fi
}

check_pack pack-22 tests/data/pack/pack-22.xml

# A change that moves the studies: the second study three times as long (it
# then flows over a page break), and a study moved to a theme of its own.
$PY - tests/data/pack/pack-22.xml "$TMP/moved.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
tree = ET.parse(sys.argv[1])
studies = tree.getroot().findall("case-studies/case-study")
long = studies[1]
paras = long.findall("p")
at = list(long).index(paras[-1]) + 1
for k in range(4):
    p = ET.Element("p")
    p.text = " ".join(x.text for x in paras)
    long.insert(at + k, p)
studies[5].set("theme", "A theme of its own")
tree.write(sys.argv[2], encoding="UTF-8", xml_declaration=True)
PY
check_pack moved "$TMP/moved.xml"
# Studies a pack must also take: one with twelve figures, one with a long
# list, one whose figures are in two units (tiles, not bars), one with no
# figures: each flows or keeps as it should, never an error.
$PY - tests/data/pack/pack-22.xml "$TMP/varied.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
tree = ET.parse(sys.argv[1])
studies = tree.getroot().findall("case-studies/case-study")
figs = studies[0].find("figures")
for k in range(9):
    ET.SubElement(figs, "figure", {"value": str(20 + 7 * k), "unit": "%", "label": f"Measure {k + 1}"})
items = ET.Element("list")
for k in range(40):
    ET.SubElement(items, "item").text = f"Point {k + 1} of the plan"
studies[2].insert(2, items)
studies[3].find("figures/figure").set("unit", "kWh")
studies[4].remove(studies[4].find("figures"))
tree.write(sys.argv[2], encoding="UTF-8", xml_declaration=True)
PY
check_pack varied "$TMP/varied.xml"
# the figures in two units as tiles: the value with its unit, no shared axis
pdftotext -raw "$TMP/varied.pdf" "$TMP/varied.txt"
grep -qE '^[0-9]+ ?kWh$' "$TMP/varied.txt" && pass "varied: a figure in kWh set as a tile" ||
  fail "varied: no tile with the kWh figure"

a=$(pdfinfo "$TMP/pack-22.pdf" | awk '/^Pages:/{print $2}')
b=$(pdfinfo "$TMP/moved.pdf" | awk '/^Pages:/{print $2}')
[ "${b:-0}" -gt "${a:-0}" ] && pass "the long study adds pages ($a → $b)" || fail "moved: $a → $b pages"
finish
