#!/usr/bin/env bash
# The sample review, end to end: render data/ccin-2018-19.xml through every
# layout in layouts/ (the Case Studies Pack: the pack's sample,
# tests/data/pack/pack-22.xml) and read the PDFs back with poppler and qpdf.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
content=data/ccin-2018-19.xml

for layout in layouts/*.xml; do
  name=$(basename "$layout" .xml)
  # The one-page profiles print boards and people, not a review: tests/e2e/test_profiles.sh.
  case "$name" in *-profile) continue ;; esac
  out="$TMP/$name.pdf"
  c=$content
  [ "$name" = case-studies ] && c=tests/data/pack/pack-22.xml
  if ! "$BIN" render "$c" --layout "$layout" -o "$out" >"$TMP/$name.out" 2>"$TMP/$name.err"; then
    fail "$name: render failed: $(head -c 800 "$TMP/$name.err")"
    continue
  fi
  expect_contains "$name: prints the output path" "$TMP/$name.out" "$out"
  if [ -s "$TMP/$name.err" ]; then fail "$name: warns: $(head -c 800 "$TMP/$name.err")"; else pass "$name: renders with no warning"; fi
  if [ "$name" = case-studies ]; then
    if /usr/bin/python3 tests/e2e/expect_text.py "$c" "$out" organisation/name title strapline \
      case-studies/case-study/title case-studies/case-study/p case-studies/case-study@organisation \
      case-studies/case-study@place case-studies/case-study/figures/figure@label >"$TMP/$name.text" 2>&1; then
      pass "$name: every study's title, organisation, place, paragraphs and figures are in the text"
    else
      fail "$name: $(cat "$TMP/$name.text")"
    fi
  elif /usr/bin/python3 tests/e2e/expect_text.py "$content" "$out" >"$TMP/$name.text" 2>&1; then
    pass "$name: every name, seat, figure, award, lab, event, plan item and contact is in the text"
  else
    fail "$name: $(cat "$TMP/$name.text")"
  fi
  pdftotext -raw "$out" "$TMP/$name.txt"
  case "$name" in case-studies)
    # 22 studies two to a page, the cover and an index page
    pages=$(pdfinfo "$out" | awk '/^Pages:/{print $2}')
    [ "${pages:-0}" = 13 ] && pass "$name: $pages pages" || fail "$name: ${pages:-0} pages, expected 13"
    ;;
  *)
    # Labels the layouts take from the content: kinds' plural labels, the
    # period's short form as the highlights' kicker, the content's kickers.
    for label in "Member councils" "Associate members" "Affiliates" "2018–19" "POLICY LABS" \
      "ABOUT THE NETWORK"; do
      expect_words "$name: prints '$label' from the content" "$TMP/$name.txt" "$label"
    done
    # the cover names the chair (who signs the foreword) and the organisation's handle
    # (the review layouts; a deck may compose its title slide otherwise)
    case "$name" in annual-review*)
      pdftotext -f 1 -l 1 "$out" "$TMP/$name.cover.txt"
      expect_contains "$name: the chair on the cover" "$TMP/$name.cover.txt" "Cllr Sharon Taylor OBE"
      expect_contains "$name: the handle on the cover" "$TMP/$name.cover.txt" "@coopinnovation"
      ;;
    esac
    pages=$(pdfinfo "$out" | awk '/^Pages:/{print $2}')
    # the A4 review sets short sections on a shared page: 12-14 pages; others at least 14
    least=14 most=999
    [ "$name" = annual-review ] && least=12 most=14
    if [ "${pages:-0}" -ge $least ] && [ "${pages:-0}" -le $most ]; then
      pass "$name: $pages pages"
    else
      fail "$name: ${pages:-0} pages, expected $least to $most"
    fi
    ;;
  esac
  if qpdf --check "$out" >"$TMP/$name.qpdf" 2>&1; then pass "$name: qpdf --check"; else fail "$name: qpdf --check: $(tail -5 "$TMP/$name.qpdf")"; fi
  pdffonts "$out" >"$TMP/$name.fonts"
  if awk 'NR>2 && $0 !~ / yes +yes +yes / {bad=1} END {exit bad}' "$TMP/$name.fonts"; then
    pass "$name: every font embedded and subset"
  else
    fail "$name: a font is not embedded: $(cat "$TMP/$name.fonts")"
  fi
  expect_contains "$name: Open Sans embedded" "$TMP/$name.fonts" "OpenSans"
  pdftotext "$out" /dev/null 2>"$TMP/$name.warn"
  if [ -s "$TMP/$name.warn" ]; then fail "$name: poppler warns: $(head -3 "$TMP/$name.warn")"; else pass "$name: poppler reads it silently"; fi
done

# Identical inputs, identical bytes; SOURCE_DATE_EPOCH sets the date.
"$BIN" render "$content" -q -o "$TMP/a.pdf" 2>/dev/null
"$BIN" render "$content" -q -o "$TMP/b.pdf" 2>/dev/null
if cmp -s "$TMP/a.pdf" "$TMP/b.pdf"; then pass "byte-identical renders"; else fail "two renders differ"; fi
SOURCE_DATE_EPOCH=1564617600 "$BIN" render "$content" -q -o "$TMP/dated.pdf" 2>/dev/null
pdfinfo "$TMP/dated.pdf" >"$TMP/dated.info"
expect_contains "SOURCE_DATE_EPOCH becomes CreationDate" "$TMP/dated.info" "2019"
SOURCE_DATE_EPOCH=yesterday "$BIN" render "$content" -q -o "$TMP/bad-epoch.pdf" 2>"$TMP/epoch.err"
[ $? -eq 2 ] && pass "a malformed SOURCE_DATE_EPOCH is a usage error" || fail "malformed SOURCE_DATE_EPOCH not refused"

# Metadata, outline, links.
pdfinfo "$TMP/a.pdf" >"$TMP/a.info"
expect_contains "Info: Title" "$TMP/a.info" "Review of the year"
expect_contains "Info: Author" "$TMP/a.info" "Co-operative Councils"
/usr/bin/python3 - "$TMP/a.pdf" >"$TMP/a.struct" 2>&1 <<'PY'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
titles = []
def walk(items):
    for i in items:
        titles.append(i.title)
        walk(i.children)
with pdf.open_outline() as o:
    walk(o.root)
print("outline:", "|".join(titles))
uris = []
for page in pdf.pages:
    for a in page.get("/Annots", []):
        act = a.get("/A")
        if act is not None and "/URI" in act:
            uris.append(str(act.URI))
print("uris:", " ".join(sorted(set(uris))))
print("labels:", "/PageLabels" in pdf.Root)
PY
expect_contains "outline has the boards" "$TMP/a.struct" "Values & Principles Board"
expect_contains "outline has the events" "$TMP/a.struct" "vents"
expect_contains "mailto link" "$TMP/a.struct" "mailto:comms@councils.coop"
expect_contains "web link" "$TMP/a.struct" "https://www.councils.coop"
expect_contains "social handle link" "$TMP/a.struct" "https://twitter.com/coopinnovation"
expect_contains "page labels" "$TMP/a.struct" "labels: True"

# The default output path is the content's name with .pdf; --dump-layout writes items.
cp "$content" "$TMP/review.xml"
mkdir -p "$TMP/data" && cp "$content" "$TMP/data/review.xml"
(cd "$TMP" && "$BIN" render data/review.xml --layout "$SRC/layouts/annual-review.xml" -q 2>/dev/null)
[ -s "$TMP/data/review.pdf" ] && pass "default output path" || fail "no $TMP/data/review.pdf"
"$BIN" render "$content" -q -o "$TMP/d.pdf" --dump-layout "$TMP/d.txt" 2>/dev/null
expect_contains "dump-layout: pages" "$TMP/d.txt" "page 1 595.28x841.89"
expect_contains "dump-layout: headings carry their role" "$TMP/d.txt" "role=H1"

# Phone numbers are tel: links (the second sample has two offices).
"$BIN" render data/seren-solas-2024-25.xml -q -o "$TMP/phones.pdf" 2>/dev/null
/usr/bin/python3 - "$TMP/phones.pdf" >"$TMP/phones.uris" 2>&1 <<'PY'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
for page in pdf.pages:
    for a in page.get("/Annots", []):
        act = a.get("/A")
        if act is not None and "/URI" in act:
            print(str(act.URI))
PY
expect_contains "phone number is a tel: link" "$TMP/phones.uris" "tel:02920180457"
expect_contains "second phone number is a tel: link" "$TMP/phones.uris" "tel:01314960818"
finish
