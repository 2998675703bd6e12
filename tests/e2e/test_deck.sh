#!/usr/bin/env bash
# The deck (layouts/deck.xml): both samples and the review of every section
# as 16:9 slides. Every slide is 16:9; the title slide holds the title and
# period and no running footer; the last slide is the contact; inner slides
# carry the footer (section and slide number); each board's cards keep to at
# most eight a slide; the members' first slide holds the map at full height;
# each project heads a slide, and a lab a slide per subheading; and the deck
# has the slides one idea a slide asks for.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
PY=/usr/bin/python3

for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml; do
  c=$(basename "$content" .xml)
  out="$TMP/$c.pdf"
  if ! "$BIN" render "$content" --layout deck -o "$out" --dump-layout "$TMP/$c.dump" \
    >/dev/null 2>"$TMP/$c.err"; then
    fail "$c: render failed: $(head -c 800 "$TMP/$c.err")"
    continue
  fi
  if [ -s "$TMP/$c.err" ]; then fail "$c: warns: $(head -c 800 "$TMP/$c.err")"; else pass "$c: no warning"; fi

  # Page sizes: every page 960 × 540 pt (338.67 × 190.5 mm), within a point.
  pdfinfo -f 1 -l 999 "$out" >"$TMP/$c.info"
  pages=$(awk '/^Pages:/{print $2}' "$TMP/$c.info")
  bad=$(awk '/^Page +[0-9]+ size:/ {w = $4; h = $6; if (w < 959 || w > 961 || h < 539 || h > 541) print $2 ": " w " x " h}' "$TMP/$c.info")
  n=$(grep -cE '^Page +[0-9]+ size:' "$TMP/$c.info")
  if [ "$n" = "$pages" ] && [ -z "$bad" ]; then pass "$c: all $pages slides are 16:9"; else fail "$c: slides not 16:9 ($n of $pages sized): $bad"; fi

  # A slide per idea: the 2018–19 sample needs well over the A4's 14 pages.
  if [ "${pages:-0}" -ge 20 ]; then pass "$c: $pages slides"; else fail "$c: only ${pages:-0} slides"; fi

  # (the text of a slide with its white space taken out: an address may wrap)
  for p in 1 "$pages"; do
    pdftotext -f "$p" -l "$p" -raw "$out" - | tr -d ' \n' >"$TMP/$c-$p.txt"
  done
  nows() { echo "$1" | tr -d ' \n'; }
  # The title slide: title, period (from the content) and no slide number.
  title=$("$PY" -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(r.find('title').text)" "$content")
  period=$("$PY" -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(r.find('period').text)" "$content")
  expect_contains "$c: the title on slide 1" "$TMP/$c-1.txt" "$(nows "$title")"
  expect_contains "$c: the period on slide 1" "$TMP/$c-1.txt" "$(nows "$period")"
  if pdftotext -f 1 -l 1 -layout "$out" - | grep -qE '(^| {3,})1 *$'; then
    fail "$c: a slide number on the title slide"
  else
    pass "$c: no slide number on the title slide"
  fi
  # The last slide: the contact (its e-mail and web address).
  email=$("$PY" -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(r.find('contact/email').text.strip())" "$content")
  expect_contains "$c: the contact's e-mail on the last slide" "$TMP/$c-$pages.txt" "$email"
  expect_contains "$c: the contact's title on the last slide" "$TMP/$c-$pages.txt" "$(nows "$("$PY" -c "import sys,xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).getroot().find('contact/title').text)" "$content")")"

  # Inner slides: a footer with the slide's number at the foot of each.
  "$PY" - "$out" "$pages" >"$TMP/$c.footer" 2>&1 <<'PY'
import subprocess, sys, re
pdf, pages = sys.argv[1], int(sys.argv[2])
missing = []
for p in range(2, pages):
    words = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-bbox", pdf, "-"],
                           capture_output=True, text=True, check=True).stdout
    # words in the bottom 15 mm (42.5 pt) of the 540 pt slide
    foot = [m.group(3) for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', words)
            if float(m.group(1)) > 540 - 42.5]
    if str(p) not in foot:
        missing.append(p)
print("slides without their number in the footer:", missing)
sys.exit(1 if missing else 0)
PY
  if [ $? -eq 0 ]; then pass "$c: every inner slide has its number in the footer"; else fail "$c: $(cat "$TMP/$c.footer")"; fi

  # Boards: at most eight people's cards a slide (a card's photo or its
  # initials in a circle: an image, or an ellipse tagged Figure).
  "$PY" - "$TMP/$c.dump" >"$TMP/$c.cards" 2>&1 <<'PY'
import re, sys
per_page, page = {}, 0
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"\s*page (\d+)", line)
    if m:
        page = int(m.group(1))
    if re.match(r"\s*ellipse .*role=Figure", line) or re.match(r"\s*image .*clip=circle", line):
        per_page[page] = per_page.get(page, 0) + 1
worst = max(per_page.values()) if per_page else 0
print("most people's cards on one slide:", worst, per_page)
sys.exit(0 if 0 < worst <= 8 else 1)
PY
  if [ $? -eq 0 ]; then pass "$c: $(head -1 "$TMP/$c.cards" | cut -c1-60)"; else fail "$c: $(cat "$TMP/$c.cards")"; fi

  # Projects: each heads a slide of its own (its title the slide's first
  # heading), and a lab's subheadings after its first each head a slide.
  "$PY" - "$TMP/$c.dump" "$content" >"$TMP/$c.projects" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
pages, cur = [], None
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("page "):
        cur = []
        pages.append(cur)
        continue
    m = re.search(r'^\s+text .*?"(.*)" role=(H\d)\b', line)
    if m and cur is not None:
        cur.append(m.group(1))
def heads_slide(text):
    text = " ".join(text.split())
    for p in pages:
        if any(text.startswith(t) for t in p):
            return text.startswith(p[0])
    return False
bad, n = [], 0
for proj in ET.parse(sys.argv[2]).getroot().iter("project"):
    want = [proj.findtext("title")] + ["".join(h.itertext()) for h in proj.findall("heading")[1:]]
    for t in want:
        n += 1
        if not heads_slide(t):
            bad.append(f"'{' '.join(t.split())}' does not head a slide")
print("\n".join(bad) if bad else f"{n} project titles and lab subheadings each head a slide")
sys.exit(1 if bad or not n else 0)
PY
  if [ $? -eq 0 ]; then pass "$c: $(cat "$TMP/$c.projects")"; else fail "$c: $(cat "$TMP/$c.projects")"; fi

  # The members' map: drawn the full height of its slide.
  # (chart X Y W H kind=map: H is the slide's 540 pt)
  if grep -E '^ *chart .*kind=map' "$TMP/$c.dump" | awk '{exit !($5 >= 539 && $5 <= 541)}'; then
    pass "$c: the map is the full height of its slide"
  else
    fail "$c: the map is not full height: $(grep -E '^ *chart .*kind=map' "$TMP/$c.dump" | head -1)"
  fi
done
finish
