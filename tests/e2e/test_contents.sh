#!/usr/bin/env bash
# A contents page before what it lists is right: every entry's page number is
# the label of the page where that section's title first appears, and stays
# right after a change that moves the sections (a longer foreword). The stock
# reviews show contents only past 20 pages (public-sector guidance); page()
# of an id no section has is an error at its layout line.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3

check_contents() { # NAME PDF
  $PY - "$2" <<'PY' && pass "$1: contents numbers are the sections' pages" || fail "$1: contents numbers wrong"
import re, subprocess, sys
pdf = sys.argv[1]
n = int([l.split()[1] for l in subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout.splitlines() if l.startswith("Pages:")][0])
pages = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", pdf, "-"], capture_output=True, text=True).stdout for i in range(1, n + 1)]
toc = next(i for i, t in enumerate(pages) if t.lstrip().startswith("Contents"))
# the footer's page label: the number at either end of the page's last line
# (left pages put it first, right pages last)
def label(t):
    last = [l for l in t.splitlines() if l.strip()][-1].split()
    return last[0] if len(last) > 1 and last[1] == "·" else last[-1]
lines = [l.rstrip() for l in pages[toc].splitlines() if l.strip()][1:-1]
entries, pending = [], None
for l in lines:
    parts = l.split()
    if parts and parts[-1].isdigit() and re.search(r"(\. ){3,}|\.{3,}", l):
        # the number on the title's line, after the dots
        entries.append((re.sub(r"\s*\.[\s.]*\d+$", "", " ".join(parts)), parts[-1])); pending = None
    elif parts and parts[-1].isdigit():
        pending = parts[-1]
    elif pending:
        # the title, without its leader of dots
        title = re.sub(r"\s*\.[\s.]*$", "", " ".join(parts))
        entries.append((title, pending)); pending = None
checked = 0
ok = len(entries) >= 8
leaders = sum(1 for l in lines if re.search(r"(\. ){5,}|\.{5,}", l))
if leaders < len(entries):
    print(f"{leaders} leaders for {len(entries)} entries"); ok = False
for title, num in entries:
    # the page where the title is first printed, footers aside
    where = next((i for i, t in enumerate(pages) if i != toc and
                  title in " ".join(" ".join(l.split()) for l in t.splitlines()[:-1])), None)
    if where is None:
        continue  # a title the layout does not print (the boards' own)
    checked += 1
    if label(pages[where]) != num:
        print(f"'{title}': contents says {num}, found on page {where and label(pages[where])}")
        ok = False
if checked < len(entries) - 2:
    print(f"only {checked} of {len(entries)} entries found in the pages"); ok = False
sys.exit(0 if ok else 1)
PY
}

"$BIN" render data/seren-solas-2024-25.xml --layout annual-review-a5 -o "$TMP/a5.pdf" -q || fail "render"
pdftotext "$TMP/a5.pdf" - | grep -q "Contents" && pass "over 20 pages: a contents page" || fail "no contents page"
check_contents "seren A5" "$TMP/a5.pdf"

# Each page number sits on its title's baseline, at the end of the dots (the
# layout dump gives baselines: the number is the text after the leader).
"$BIN" render data/seren-solas-2024-25.xml --layout annual-review-a5 -o "$TMP/a5d.pdf" -q \
  --dump-layout "$TMP/a5.dump" || fail "render with dump"
$PY - "$TMP/a5.dump" <<'PY' && pass "page numbers on the titles' baselines" || fail "page numbers off the titles' baselines"
import re, sys
page, rows = None, []
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if l.startswith("page "):
        page = l.split()[1]
    if page == "2" and l.strip().startswith("text ") and re.search(r'"(\. )+\."', l):
        dots_y = float(l.split()[2])
        nxt = next(n for n in lines[i + 1:] if n.strip().startswith("text "))
        rows.append((dots_y, float(nxt.split()[2])))
print(rows)
sys.exit(0 if len(rows) >= 5 and all(abs(a - b) < 0.01 for a, b in rows) else 1)
PY

# Each entry links to its page: the link annotations' destinations are the
# pages the numbers name (page labels are the PDF's own /PageLabels).
$PY - "$TMP/a5.pdf" <<'PY' && pass "contents entries link to their pages" || fail "contents links"
import subprocess, sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
toc = next(i for i, p in enumerate(pdf.pages)
           if "Contents" in subprocess.run(["pdftotext", "-f", str(i + 1), "-l", str(i + 1), sys.argv[1], "-"],
                                           capture_output=True, text=True).stdout.split("\n")[0:3])
links = [a for a in pdf.pages[toc].get("/Annots", []) if a.get("/Dest") is not None]
targets = {[j for j, p in enumerate(pdf.pages) if p.objgen == a.Dest[0].objgen][0] for a in links}
sys.exit(0 if len(links) >= 16 and all(t > toc for t in targets) and len(targets) >= 8 else 1)
PY

# A change that moves every later section: the foreword three times as long.
$PY - data/seren-solas-2024-25.xml "$TMP/longer.xml" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<section id="foreword".*?</section>', s, re.S)
body = m.group(0)
paras = re.findall(r"<p>.*?</p>", body, re.S)
last = m.start() + body.rindex("</p>") + len("</p>")
s = s[:last] + "\n" + "\n".join(paras * 2) + s[last:]
open(sys.argv[2], "w", encoding="utf-8").write(s.replace('"../images/', '"' + __import__("os").path.abspath("images") + "/"))
PY
"$BIN" render "$TMP/longer.xml" --layout annual-review-a5 -o "$TMP/longer.pdf" -q 2>"$TMP/longer.err" || fail "render longer: $(cat "$TMP/longer.err")"
[ "$(pdfinfo "$TMP/longer.pdf" | awk '/^Pages:/{print $2}')" -gt "$(pdfinfo "$TMP/a5.pdf" | awk '/^Pages:/{print $2}')" ] ||
  fail "the longer foreword did not move anything"
check_contents "seren A5, longer foreword" "$TMP/longer.pdf"

# Short reviews have none.
"$BIN" render data/ccin-2018-19.xml -o "$TMP/a4.pdf" -q
pdftotext "$TMP/a4.pdf" - | grep -q "^Contents$" && fail "a 13-page review shows contents" || pass "13 pages: no contents page"

# page('nope') is an error at the layout line.
mkdir -p "$TMP/proj"
cp -r layouts fonts images data "$TMP/proj/"
sed -i "s|{page(@id)}|{page('nope')}|" "$TMP/proj/layouts/lib/templates.xml"
"$BIN" render data/seren-solas-2024-25.xml --layout "$TMP/proj/layouts/annual-review-a5.xml" -o "$TMP/x.pdf" 2>"$TMP/nope.txt"
[ $? -eq 1 ] && grep -q "templates.xml:[0-9]*: error: page('nope'): no section starts" "$TMP/nope.txt" &&
  pass "page() of an unknown id is a located error" || fail "page('nope'): $(head -2 "$TMP/nope.txt")"
finish
