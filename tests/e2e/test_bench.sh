#!/usr/bin/env bash
# The benchmark's content is the content other tools were timed with: the
# generator in bench/ still gives the same bytes (digests recorded from the
# original), and pack_xml.py carries every title, council, theme, paragraph
# and figure of it into a content document that reviewpdf accepts and renders
# with the text in the PDF. bench/run.py measures the pack in a quick run (N=22,
# one run) with the page limit raised for the pack only, says so and carries on
# when ReportLab is missing, and, where ReportLab is installed, times the same
# JSON through bench/peers/reportlab_pack.py, whose PDF has every study and an
# index whose page numbers are the pages the studies are on.
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

# bench/run.py, quick: the pack at N=22 once, with a page limit under its 13
# pages in the environment (run.py raises it to N for the pack's renders) and
# ReportLab made unreachable (it says so and carries on).
if RP_MAX_PAGES=5 python3 bench/run.py --binary "$BIN" --runs 1 --min-time 0 --warmup 0 --sizes 22 --only pack \
    --peer-python "$TMP/no-python" --json "$TMP/run.json" --keep "$TMP/run" >"$TMP/run.txt" 2>&1; then
  pass "run.py measures the pack past a lower RP_MAX_PAGES"
  expect_contains "run.py says ReportLab is missing" "$TMP/run.txt" "peer ReportLab: not installed"
  python3 - "$TMP/run.json" "$TMP/run/pack-22.pdf" <<'PY' && pass "run.py's figures are the PDF's" || fail "run.py's JSON: $(cat "$TMP/run.json")"
import json, os, subprocess, sys
d = json.load(open(sys.argv[1]))
rows = d["rows"]
assert [(r["document"], r["tool"]) for r in rows] == [("pack N=22", "reviewpdf")], rows
r = rows[0]
assert r["bytes"] == os.path.getsize(sys.argv[2]), r
info = subprocess.run(["pdfinfo", sys.argv[2]], capture_output=True, text=True).stdout
assert f"Pages:           {r['pages']}" in info and r["pages"] >= 10, (r, info)
assert 1024 < r["rss"] < 4 * 2**20 and 0 < r["min"] <= r["wall"] <= r["max"], r
assert 0 < r["cpu"] < 10 * r["max"] + 1, r
assert r["runs"] == 1, r  # --min-time 0: --runs runs, no more
PY
  if cmp -s "$TMP/run/pack-22.xml" tests/data/pack/pack-22.xml; then pass "run.py renders the pack's content"; else
    fail "run.py's pack-22.xml differs from tests/data/pack/pack-22.xml"; fi
else
  fail "run.py failed: $(cat "$TMP/run.txt")"
fi
# The limit stays in force for the other documents (the review has 13 pages).
if RP_MAX_PAGES=5 python3 bench/run.py --binary "$BIN" --runs 1 --min-time 0 --warmup 0 --only review --peers none \
    >"$TMP/review.txt" 2>&1; then
  fail "run.py raised RP_MAX_PAGES for the review too"
else
  expect_contains "the review keeps the page limit" "$TMP/review.txt" "over the limit of 5"
fi
# A render that fails is reported and the run goes on to its end, exiting 1.
if python3 bench/run.py --binary /bin/false --runs 1 --min-time 0 --warmup 0 --sizes 22 --only review pack \
    --peers none >"$TMP/false.txt" 2>&1; then
  fail "run.py exited 0 with a binary that fails"
elif [ "$(grep -c 'FAILED: exit 1' "$TMP/false.txt")" = 2 ]; then
  pass "run.py reports each failed render and carries on"
else
  fail "run.py with a failing binary: $(cat "$TMP/false.txt")"
fi

# --min-time: a short document timed on past --runs until its runs took that long.
if python3 bench/run.py --binary "$BIN" --runs 1 --min-time 0.5 --warmup 0 --only review \
    --peers none --json "$TMP/min.json" >"$TMP/min.txt" 2>&1 &&
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["rows"][0]
assert r["runs"] >= 2 and r["runs"] * r["max"] >= 0.3, r' "$TMP/min.json"; then
  pass "run.py times a short document until --min-time has passed"
else
  fail "run.py --min-time: $(cat "$TMP/min.txt" "$TMP/min.json" 2>/dev/null)"
fi

# A binary that cannot be started is that tool's failure, said as such (run.py spawns
# its children with posix_spawn, which reports a missing file in the parent).
if python3 bench/run.py --binary "$TMP/no-such-binary" --runs 1 --min-time 0 --warmup 0 --only review \
    --peers none >"$TMP/missing.txt" 2>&1; then
  fail "run.py exited 0 with a binary that does not exist"
else
  expect_contains "run.py says a missing binary cannot start" "$TMP/missing.txt" \
    "FAILED: cannot start $TMP/no-such-binary: No such file or directory"
fi

# With ReportLab (python3-reportlab; not a CI dependency): the peer's run.
if peer=$(for py in python3 /usr/bin/python3; do
            "$py" -c 'import reportlab' 2>/dev/null && command -v "$py" && break; done); [ -n "$peer" ]; then
  if python3 bench/run.py --binary "$BIN" --runs 1 --min-time 0 --warmup 0 --sizes 22 --only pack \
      --peer-python "$peer" --json "$TMP/peer.json" --keep "$TMP/peer" >"$TMP/peer.txt" 2>&1; then
    expect_contains "run.py compares the pack with the peer it measured" "$TMP/peer.txt" \
      "pack N=22 beside the fastest peer"
    python3 - "$TMP/peer.json" "$TMP/peer/pack-22-reportlab.pdf" "$TMP/pack.json" <<'PY' \
      && pass "ReportLab's pack: every study, an index with the right pages" || fail "ReportLab's pack"
import json, re, subprocess, sys
d = json.load(open(sys.argv[1]))
peer = [r for r in d["rows"] if r["tool"] == "reportlab"]
assert [r["document"] for r in peer] == ["pack N=22"] and peer[0]["pages"] >= 10, d["rows"]
studies = json.load(open(sys.argv[3]))["case_studies"]
text = subprocess.run(["pdftotext", "-layout", sys.argv[2], "-"], capture_output=True,
                      text=True).stdout.split("\f")
first_index = next(i for i, t in enumerate(text) if "Index by theme" in t)
body, index = text[:first_index], "\n".join(text[first_index:])
for cs in studies:
    on = [i + 1 for i, t in enumerate(body) if cs["title"] in t]
    assert on, f"{cs['title']} not in the body"
    listed = re.findall(re.escape(cs["title"]) + r"[ .]*?([\d, ]+)$", index, re.M)
    assert listed, f"{cs['title']} not in the index"
    pages = {int(p) for p in re.findall(r"\d+", listed[0])}
    assert pages <= set(on) and pages, (cs["title"], listed, on)
PY
  else
    fail "run.py with ReportLab failed: $(cat "$TMP/peer.txt")"
  fi
else
  pass "ReportLab not installed: the peer's run not tested"
fi
finish
