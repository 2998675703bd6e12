#!/usr/bin/env bash
# Every stock layout × every sample, read back as a reader would see it
# (tests/e2e/pdfcheck.py): renders with exit 0 and nothing on stderr; every
# piece of content is in the text, its lines broken only at sensible points
# (except what matrix-exceptions.txt excuses, with its reason); no word overlaps another (ink,
# or whole boxes by over a quarter of the smaller) or leaves its page; every word
# stands out from what lies under it. Then "next year": the 2018–19 sample
# moved on a year prints the new period, and the old one only where its
# content still says it (pages, metadata and bookmarks).
# First, the checks themselves must fail on fixtures made to fail them.
. "$(dirname "$0")/lib.sh"
cd "$SRC"
PY=/usr/bin/python3
check() { "$PY" tests/e2e/pdfcheck.py "$@"; }
exceptions=tests/e2e/matrix-exceptions.txt

# render NAME CONTENT LAYOUT OUT: exit 0 and a silent stderr, or a failure.
render() {
  if ! "$BIN" render "$2" --layout "$3" -o "$4" -q 2>"$TMP/$1.err"; then
    fail "$1: render failed: $(head -c 1500 "$TMP/$1.err")"
    return 1
  fi
  if [ -s "$TMP/$1.err" ]; then
    fail "$1: warnings on stderr: $(head -c 1500 "$TMP/$1.err")"
  else
    pass "$1: renders without a warning"
  fi
}

# expect_check NAME WANT(pass|fail) PATTERN CHECK-ARGS...: run a check, want
# it to pass, or to fail with output matching PATTERN.
expect_check() {
  local name=$1 want=$2 pattern=$3
  shift 3
  if check "$@" >"$TMP/$name.check" 2>&1; then got=pass; else got=fail; fi
  if [ "$want" = pass ] && [ "$got" = pass ]; then
    pass "$name: $(tail -1 "$TMP/$name.check")"
  elif [ "$want" = fail ] && [ "$got" = fail ] && grep -qE -- "$pattern" "$TMP/$name.check"; then
    pass "$name: rejected ($(head -1 "$TMP/$name.check" | cut -c1-110))"
  else
    fail "$name: wanted $want${pattern:+ /$pattern/}, got $got:
$(head -40 "$TMP/$name.check")"
  fi
}

# --- 1. The checks can fail: fixtures in a scratch project (layouts/, fonts/, data/).
proj=$TMP/fixtures
mkdir -p "$proj/layouts" "$proj/fonts" "$proj/data" "$proj/images"
cp tests/e2e/fixtures/*.xml "$proj/layouts/"
cp fonts/OpenSans-Regular.ttf fonts/OpenSans-Bold.ttf "$proj/fonts/"
cp data/ccin-2018-19.xml "$proj/data/"
cp -r images/. "$proj/images/"
fx() { render "fixture $1" "$proj/data/ccin-2018-19.xml" "$proj/layouts/$1.xml" "$TMP/fx-$1.pdf"; }
fx ok && {
  expect_check "fixture ok: geometry" pass "" geometry "$TMP/fx-ok.pdf"
  expect_check "fixture ok: contrast" pass "" contrast "$TMP/fx-ok.pdf"
  expect_check "fixture ok: text check misses what the layout leaves out" fail \
    "text: missing .*Sharon Taylor" text "$proj/data/ccin-2018-19.xml" "$TMP/fx-ok.pdf"
}
fx spacing && expect_check "fixture spacing" fail \
  "text: spacing differs in title: Review of the year: the PDF has '.*ye ar" \
  text "$proj/data/ccin-2018-19.xml" "$TMP/fx-spacing.pdf"
fx broken-handle && {
  expect_check "fixture broken-handle: inside a word" fail \
    "text: badly broken organisation/social@handle: @coopinnovation: a line breaks inside a word" \
    text "$proj/data/ccin-2018-19.xml" "$TMP/fx-broken-handle.pdf"
  expect_check "fixture broken-handle: hyphen added" fail \
    "text: badly broken contact#contact/social@handle: @coopcouncils: a hyphen added" \
    text "$proj/data/ccin-2018-19.xml" "$TMP/fx-broken-handle.pdf"
}
fx white-on-white && expect_check "fixture white-on-white" fail \
  "contrast page 1: word 'Invisible'.*#ffffff" contrast "$TMP/fx-white-on-white.pdf"
fx purple-on-purple && expect_check "fixture purple-on-purple" fail \
  "contrast page 1: word 'Purple'.*#5b2a86" contrast "$TMP/fx-purple-on-purple.pdf"
fx overlap && expect_check "fixture overlap" fail \
  "geometry page 1: words overlap: 'Overlapping'" geometry "$TMP/fx-overlap.pdf"
fx tight-leading && expect_check "fixture tight-leading: word boxes, not ink" fail \
  "geometry page 1: word boxes overlap by 3[0-9]% of the smaller: '2018' at .* and 'Tight'" \
  geometry "$TMP/fx-tight-leading.pdf"
fx off-page && expect_check "fixture off-page" fail \
  "geometry page 1: word 'edge' leaves the page" geometry "$TMP/fx-off-page.pdf"
# A layout printing a fixed period, given next year's content (scrubbed, as in 3.).
check next-year "$proj/data/ccin-2018-19.xml" "$proj/data/ccin-2019-20.xml"
check scrub "$proj/data/ccin-2019-20.xml" "$proj/data/scrubbed.xml" "2018–19" "2018-19"
if render "fixture seeded-period" "$proj/data/scrubbed.xml" "$proj/layouts/seeded-period.xml" \
  "$TMP/fx-seeded-period.pdf"; then
  for where in "page 1: prints '2018–19'" "metadata Keywords: prints '2018-19'" "bookmark: prints '2018–19'"; do
    expect_check "fixture seeded-period: $where" fail "stale $where" \
      stale "$TMP/fx-seeded-period.pdf" "2018–19" "2018-19"
  done
fi

# A paragraph running over a page whose foot names, once, the section at the
# page's top ("Section 5 / 26"): the foot is set aside and the paragraph reads on,
# a hyphen of the content's at the line's end ("share-⏎offer") too; a line ending in
# "5 / 26" inside the page stays text.
if (cd tests/e2e && "$PY" - >"$TMP/foot.out" 2>&1) <<'PY'
import pdfcheck as pc
head, want = "Org · Review", "Income from share-offer services fell."
page = lambda n, text, foot: f"{head}\n{text}\nOrg · {foot} {n} / 26"
pages = [page(4, "a", "Intro"), page(5, "b\nIncome from share-", "Numbers"),
         page(6, "offer services fell.", "Finance"), page(7, "c", "Plan")]
full, body = pc.haystacks(pages, pc.soft)
assert pc.needle_pattern(want).search(body), body
full, body = pc.haystacks([page(4, "a", "X"), page(5, "Parts 5 / 26\nd", "Y"), page(6, "e", "Z")], pc.soft)
assert "parts 5 / 26" in body, body
PY
then pass "pdfcheck: a once-named running foot is set aside, text ending '5 / 26' kept"
else fail "pdfcheck running foot: $(cat "$TMP/foot.out")"; fi

# --- 2. The matrix.
for layout in layouts/*.xml; do
  for content in data/*.xml; do
    l=$(basename "$layout" .xml) s=$(basename "$content" .xml)
    out="$TMP/$l--$s.pdf"
    render "$l × $s" "$content" "$layout" "$out" || continue
    expect_check "$l × $s" pass "" all "$content" "$out" --layout "$l" --exceptions "$exceptions"
  done
done

# The pack's own sample: bench/pack_xml.py's 22 case studies (the benchmark's content).
render "case-studies × pack-22" tests/data/pack/pack-22.xml layouts/case-studies.xml \
  "$TMP/case-studies--pack-22.pdf" &&
  expect_check "case-studies × pack-22" pass "" all tests/data/pack/pack-22.xml \
    "$TMP/case-studies--pack-22.pdf" --layout case-studies --exceptions "$exceptions"

# --- 3. Next year: the 2018–19 sample moved on a year (in a scratch project, so
# that its relative paths still find images/). It must render cleanly; then,
# to tell the layout's words from the content's, every mention of 2018–19 the
# content still makes (a board's period, say) is renamed 1999–00: rendered
# again, any 2018–19 left on a page, in the metadata or in a bookmark came
# from the layout.
next=$TMP/next
mkdir -p "$next/data" "$next/images"
cp -r images/. "$next/images/"
check next-year data/ccin-2018-19.xml "$next/data/ccin-2019-20.xml"
check scrub "$next/data/ccin-2019-20.xml" "$next/data/scrubbed.xml" "2018–19" "2018-19"
if grep -q 'from="2019-' "$next/data/ccin-2019-20.xml" && ! grep -q "2018[–-]19" "$next/data/scrubbed.xml"; then
  pass "next year: period moved, old mentions renamed"
else
  fail "next year: period not moved or old mentions left"
fi
for layout in layouts/*.xml; do
  l=$(basename "$layout" .xml)
  render "$l × next year" "$next/data/ccin-2019-20.xml" "$layout" "$TMP/$l--next.pdf" &&
    expect_check "$l × next year: its text, the new period with it" pass "" text \
      "$next/data/ccin-2019-20.xml" "$TMP/$l--next.pdf" --layout "$l" --exceptions "$exceptions"
  render "$l × next year, scrubbed" "$next/data/scrubbed.xml" "$layout" "$TMP/$l--scrubbed.pdf" || continue
  expect_check "$l × next year: no stale period" pass "" \
    stale "$TMP/$l--scrubbed.pdf" "2018–19" "2018-19"
done
finish
