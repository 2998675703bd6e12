#!/usr/bin/env bash
# The benchmark's content is the content other tools were timed with: the
# generator in bench/ still gives the same bytes (digests recorded from the
# original), and pack_xml.py carries every title, council, theme, paragraph
# and figure of it into a content document that reviewpdf accepts and renders
# with the text in the PDF.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1

declare -A want=(
  [22]=98fa25e00ccad4e7a725a760787c4cb4b1440930013754aa99b4920883eeeb24
  [220]=3328a7f14c6491e42260ae85333e72dffc7b6197357219b7137a8fbc97269f48
)
for n in "${!want[@]}"; do
  got=$(python3 bench/make_content.py pack "$n" | sha256sum | cut -d' ' -f1)
  if [ "$got" = "${want[$n]}" ]; then pass "generator pack $n unchanged"; else
    fail "generator pack $n: digest $got, want ${want[$n]} (the content must stay identical)"; fi
done

python3 bench/make_content.py pack 22 "$TMP/pack.json"
python3 bench/pack_xml.py --json "$TMP/pack.json" "$TMP/pack.xml"
python3 - "$TMP/pack.json" "$TMP/pack.xml" <<'PY' && pass "XML carries the JSON's content" || fail "XML differs from the JSON"
import json, sys, xml.etree.ElementTree as ET
data = json.load(open(sys.argv[1], encoding="utf-8"))
root = ET.parse(sys.argv[2]).getroot()
studies = root.findall("./case-studies/case-study")
assert len(studies) == len(data["case_studies"]), "count"
for cs, el in zip(data["case_studies"], studies):
    assert el.findtext("title") == cs["title"], cs["id"]
    assert el.get("organisation") == cs["council"] and el.get("theme") == cs["theme"], cs["id"]
    # the place is the one the JSON's title names ("… in Cardiff")
    assert el.get("place") and cs["title"].endswith(" in " + el.get("place")), cs["id"]
    assert [p.text for p in el.findall("p")] == cs["paragraphs"], cs["id"]
    figs = [(f.get("label"), int(f.get("value")), f.get("unit")) for f in el.findall("figures/figure")]
    assert figs == [(f["label"], f["value"], f["unit"]) for f in cs["figures"]], cs["id"]
PY

# The pack sample the stock-layout tests use is the same content.
if cmp -s "$TMP/pack.xml" tests/data/pack/pack-22.xml; then pass "tests/data/pack/pack-22.xml is pack_xml.py 22"; else
  fail "tests/data/pack/pack-22.xml differs from pack_xml.py 22: python3 bench/pack_xml.py 22 tests/data/pack/pack-22.xml"; fi

if "$BIN" check "$TMP/pack.xml" >"$TMP/check.txt" 2>&1; then pass "pack content is valid"; else
  fail "pack content refused: $(cat "$TMP/check.txt")"; fi
if "$BIN" render "$TMP/pack.xml" -o "$TMP/pack.pdf" 2>"$TMP/render.txt"; then
  pdftotext "$TMP/pack.pdf" "$TMP/pack.txt"
  title=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case_studies"][-1]["title"])' "$TMP/pack.json")
  expect_contains "last study's title in the PDF" "$TMP/pack.txt" "$title"
else
  fail "pack render failed: $(cat "$TMP/render.txt")"
fi
finish
