#!/usr/bin/env bash
# The stock layouts (layouts/*.xml) for any organisation: no seed wording in
# them; the sample, the sample without its logo, the sample in Welsh and a
# review of every section (tests/data/stock/everything.xml) each render with
# no warning, every text run on enough contrast (tests/e2e/contrast.py), and
# labels in the content's language.
. "$(dirname "$0")/lib.sh"
cd "$SRC"

# 1. No organisation name, year, sector word or place in layouts/ outside
#    comments: every printed word comes from the content or the label tables.
/usr/bin/python3 - "$SRC" >"$TMP/seed.txt" 2>&1 <<'PY'
import glob, re, sys, xml.etree.ElementTree as ET
src = sys.argv[1]
root = ET.parse(f"{src}/data/ccin-2018-19.xml").getroot()
words = {"2018", "2019", "council", "co-operative", "ccin", "policy lab"}
for el in root.iter():
    if el.tag in ("name", "short-name", "organisation", "member", "place", "winner"):
        t = " ".join("".join(el.itertext()).split())
        if len(t) >= 5:
            words.add(t.lower())
    for a in ("region", "place", "organisation", "sponsor", "lead"):
        if el.get(a) and len(el.get(a)) >= 5:
            words.add(el.get(a).lower())
hits = []
for path in sorted(glob.glob(f"{src}/layouts/**/*.xml", recursive=True)):
    text = open(path, encoding="utf-8").read()
    # comments out, keeping line numbers
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    for n, line in enumerate(text.split("\n"), 1):
        low = line.lower()
        for w in words:
            if w in low:
                hits.append(f"{path[len(src) + 1:]}:{n}: {w!r}: {line.strip()}")
print(f"{len(words)} seed words checked")
for h in hits:
    print(h)
sys.exit(1 if hits else 0)
PY
if [ $? -eq 0 ]; then pass "layouts/ holds no seed wording outside comments"; else fail "seed wording in layouts/: $(cat "$TMP/seed.txt")"; fi

# 2. Contents in a scratch project (content paths stay inside it).
proj="$TMP/proj"
mkdir -p "$proj/data" && cp -r images "$proj/"
cp data/ccin-2018-19.xml "$proj/data/sample.xml"
sed '/<logo /d' data/ccin-2018-19.xml >"$proj/data/no-logo.xml"
sed 's/<review version="2" xml:lang="en-GB">/<review version="2" xml:lang="cy">/' \
  data/ccin-2018-19.xml >"$proj/data/welsh.xml"
grep -q 'xml:lang="cy"' "$proj/data/welsh.xml" || fail "welsh.xml: the root's language was not changed"
cp tests/data/stock/everything.xml "$proj/data/everything.xml"
# Only what is required, and sections holding nothing but a title: the cover
# alone, no kicker or heading left standing.
cat >"$proj/data/bare.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<review version="2" xml:lang="en-GB">
  <organisation><name>A</name></organisation>
  <period from="2024-01-01" to="2024-12-31">2024</period>
  <title>T</title>
  <highlights><title>Only a title</title></highlights>
  <awards/>
  <events><title>Nothing on</title></events>
</review>
XML
sed 's/<review version="2" xml:lang="en-GB">/<review version="2" xml:lang="cy">/' \
  tests/data/stock/everything.xml >"$proj/data/everything-cy.xml"

for layout in layouts/*.xml; do
  lname=$(basename "$layout" .xml)
  # The one-page profiles print boards and people, not a review: tests/e2e/test_profiles.sh.
  case "$lname" in *-profile) continue ;; esac
  for doc in sample no-logo welsh everything everything-cy bare; do
    name="$lname/$doc"
    out="$TMP/$lname-$doc"
    render_dump "$name" "$proj/data/$doc.xml" "$layout" "$out" || continue
    if [ -s "$out.err" ]; then fail "$name: warns: $(head -c 800 "$out.err")"; else pass "$name: no warning"; fi
    if /usr/bin/python3 tests/e2e/contrast.py "$out.dump" >"$out.contrast" 2>&1; then
      pass "$name: no text in the colour of what lies under it"
    else
      fail "$name: $(cat "$out.contrast")"
    fi
    pdftotext -raw "$out.pdf" "$out.txt"
  done

  pages=$(pdfinfo "$TMP/$lname-bare.pdf" 2>/dev/null | awk '/^Pages:/{print $2}')
  [ "${pages:-0}" = 1 ] && pass "$lname/bare: the cover alone" || fail "$lname/bare: ${pages:-0} pages"

  # The Case Studies Pack prints the case studies only: its own checks.
  if [ "$lname" = case-studies ]; then
    n=$(grep -c '"CCIN" role=P' "$TMP/$lname-no-logo.dump")
    [ "$n" -ge 1 ] && pass "$lname: a wordmark on the cover" || fail "$lname: no wordmark ($n)"
    # the sample lists no study: its cover, the pack's title and its link
    for w in "Case Studies Pack" "220" "www.councils.coop/case-studies/"; do
      expect_contains "$lname/sample: '$w'" "$TMP/$lname-sample.txt" "$w"
    done
    for w in "astudiaeth achos" "Mynegai yn ôl thema" "DOD O HYD I ASTUDIAETH ACHOS"; do
      expect_contains "$lname/everything-cy: '$w'" "$TMP/$lname-everything-cy.txt" "$w"
    done
    for w in "Index by theme" "case study" "FIND A CASE STUDY"; do
      if grep -qiF -- "$w" "$TMP/$lname-everything-cy.txt"; then fail "$lname/everything-cy: English label '$w' printed"; else pass "$lname/everything-cy: no '$w'"; fi
    done
    if /usr/bin/python3 tests/e2e/expect_text.py "$proj/data/everything.xml" "$TMP/$lname-everything.pdf" \
      organisation/name title strapline case-studies/case-study/title case-studies/case-study/p \
      case-studies/case-study@organisation case-studies/case-study@place \
      case-studies/case-study/figures/figure@label >"$TMP/$lname-everything.expect" 2>&1; then
      pass "$lname/everything: every case study's words in the text"
    else
      fail "$lname/everything: $(cat "$TMP/$lname-everything.expect")"
    fi
    for w in "Index by theme" "150 kW" "Adolygiad blynyddol"; do
      expect_contains "$lname/everything: '$w'" "$TMP/$lname-everything.txt" "$w"
    done
    continue
  fi
  for w in "Only a title" "Nothing on" "AWARDS" "Get in touch"; do
    if grep -qiF -- "$w" "$TMP/$lname-bare.txt"; then fail "$lname/bare: '$w' printed"; else pass "$lname/bare: no '$w'"; fi
  done

  # Without a logo, the organisation's name is a wordmark on the white of
  # both covers, in the brand's colour.
  n=$(grep -c '"CCIN" role=P' "$TMP/$lname-no-logo.dump")
  [ "$n" -ge 2 ] && pass "$lname: a wordmark on both covers" || fail "$lname: no wordmark ($n)"

  # Welsh labels for a Welsh document; the content's own words unchanged.
  for w in CADEIRYDD IS-GADEIRYDD Dyddiad Digwyddiad Lle Statws "AR Y GWEILL" "WEDI’I GWBLHAU" \
    PARHAUS "WEDI’I GYNLLUNIO" "CYSYLLTWCH Â NI" GWE E-BOST "DILYNWCH NI" "Medi 2018" \
    "Member councils" "Review of the year"; do
    expect_words "$lname/welsh: '$w'" "$TMP/$lname-welsh.txt" "$w"
  done
  for w in "Vice-chair" "GET IN TOUCH" "September" "FOLLOW US" "IN PROGRESS"; do
    if grep -qiF -- "$w" "$TMP/$lname-welsh.txt"; then fail "$lname/welsh: English label '$w' printed"; else pass "$lname/welsh: no '$w'"; fi
  done

  # Every section of the made-up review, in both languages.
  if /usr/bin/python3 tests/e2e/expect_text.py "$proj/data/everything.xml" "$TMP/$lname-everything.pdf" \
    organisation/name organisation/short-name title strapline section/title section/p \
    section/table/columns/column section/table/row/cell section/table/note \
    section/callout/title section/list/item@term section/image/caption section/image/credit highlights/item figures/title \
    figures/figure@label boards/board/name members/member awards/category@name \
    awards/category/winner awards/category/citation awards/individuals/individual/name \
    projects/project/title projects/project/partner case-studies/case-study/title \
    events/event/title events/event/place plan/item/title contact/phone contact/address/line \
    contact/social@handle organisation/legal >"$TMP/$lname-everything.expect" 2>&1; then
    pass "$lname/everything: every piece of content in the text"
  else
    fail "$lname/everything: $(cat "$TMP/$lname-everything.expect")"
  fi
  for w in "Full members" Supporters "Adolygiad blynyddol" "AT A GLANCE" "TREASURER" \
    "In kind" "2024–25" "t CO₂e" "−3.2 %" "350 attended" "Hosted" "PAUSED" "CANCELLED" \
    "Due September 2025"; do
    expect_words "$lname/everything: '$w'" "$TMP/$lname-everything.txt" "$w"
  done
  for w in "Aelodau llawn" Cefnogwyr Cynhaliwyd TRYSORYDD "Mewn nwyddau" "WEDI’I OEDI" \
    "WEDI’I GANSLO" "Erbyn Medi 2025"; do
    expect_words "$lname/everything-cy: '$w'" "$TMP/$lname-everything-cy.txt" "$w"
  done
done
finish
