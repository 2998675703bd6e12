#!/usr/bin/env bash
# The back cover (the contact section) is one page: for each sample through
# the A4 and A5 reviews, everything the contact section prints — its title,
# the web address, e-mail, phones, every address line, the handles and the
# organisation's legal line — is on the PDF's last page. On A5 the second
# sample's six ways to reach it (two phones, two offices, three handles) ran
# onto a second page as cards; layouts/annual-review-a5.xml lists them
# instead ($contact-list).
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
PY=/usr/bin/python3

# The contact section's words, one string a line, from the content itself.
contact_words() { # CONTENT → lines
  $PY - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
c = r.find("contact")
norm = lambda s: " ".join(s.split())
out = [norm("".join(c.find("title").itertext()))]
out += [norm(e.text) for e in c.findall("web") + c.findall("email") + c.findall("phone")]
out += [norm(p.get("label")) for p in c.findall("phone") if p.get("label")]
out += [norm(l.text) for l in c.findall("address/line")]
out += [s.get("handle") for s in c.findall("social")]
legal = r.find("organisation/legal")
if legal is not None:
    out.append(norm("".join(legal.itertext())))
print("\n".join(out))
PY
}

# Compared without white space: a long handle breaks over lines.
squash() { tr -d ' \n\f\t'; }

# The most a back cover is asked to hold: the second sample with a third
# office's phone and a fourth handle (two offices, three phones, four handles).
mkdir -p "$TMP/data"
sed -e 's|<phone label="Edinburgh office">0131 496 0818</phone>|&<phone label="Inverness office">01463 796 000</phone>|' \
    -e 's|<social network="bluesky" handle="@serensolas.bsky.social"/>|&<social network="bluesky" handle="@cymru.serensolas.bsky.social"/>|' \
    data/seren-solas-2024-25.xml >"$TMP/data/most-contacts.xml"
grep -q Inverness "$TMP/data/most-contacts.xml" && grep -q '@cymru' "$TMP/data/most-contacts.xml" ||
  fail "most-contacts: the second sample's contact section has changed; update the sed above"

# (The A4 review's cards, three a row, hold the samples but not that:
# docs/layout.md, "Sharing parts with XInclude", $contact-list.)
for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml "$TMP/data/most-contacts.xml"; do
  name=$(basename "$content" .xml)
  layouts="annual-review annual-review-a5"
  [ "$name" = most-contacts ] && layouts=annual-review-a5
  for layout in $layouts; do
    out="$TMP/$name-$layout.pdf"
    "$BIN" render "$content" --layout "$layout" -o "$out" -q 2>"$TMP/err" || {
      fail "$name $layout: render failed: $(cat "$TMP/err")"
      continue
    }
    pages=$(pdfinfo "$out" | awk '/^Pages:/ {print $2}')
    pdftotext -f "$pages" -l "$pages" "$out" - | squash >"$TMP/last.txt"
    missing=0
    while IFS= read -r w; do
      key=$(printf '%s' "$w" | squash)
      grep -qiF -- "$key" "$TMP/last.txt" || {
        fail "$name $layout: '$w' not on the last page ($pages)"
        missing=1
      }
    done < <(contact_words "$content")
    [ "$missing" = 0 ] && pass "$name $layout: the back cover's text all on the last page ($pages)"
    # the back cover starts on that page: its kicker and title are not on the one before
    title=$(contact_words "$content" | sed -n 1p | squash)
    if pdftotext -f $((pages - 1)) -l $((pages - 1)) "$out" - | squash | grep -qiF -- "$title"; then
      fail "$name $layout: the back cover's title is on page $((pages - 1)): it takes two pages"
    else
      pass "$name $layout: the back cover is one page"
    fi
  done
done

finish
