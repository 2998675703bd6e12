#!/usr/bin/env bash
# Charts in the stock layouts, end to end: both samples through the layouts
# render with no warning; every chart is drawn (path items under its figure
# in --dump-layout, no grey slot) with its labels as text items, and those
# labels are real text in the PDF (pdftotext).
. "$(dirname "$0")/lib.sh"
cd "$SRC"

# chart_check NAME DUMP KIND LABEL...: a chart of KIND was drawn, and each
# LABEL is one of its text items.
chart_check() {
  local name=$1 dump=$2 kind=$3
  shift 3
  local ids
  ids=$(awk -v k="kind=$kind" '$1 == "chart" && $0 ~ k" " {for (i = 1; i <= NF; i++) if ($i ~ /^id=/) print substr($i, 4)}' "$dump")
  if [ -z "$ids" ]; then
    fail "$name: no $kind chart in the layout dump"
    return
  fi
  for id in $ids; do
    if ! grep -E "^ *chart .*kind=$kind .* drawn .*id=$id " "$dump" >/dev/null; then
      fail "$name: the $kind chart $id is not marked drawn (render would show a grey slot)"
    fi
    local paths
    paths=$(grep -cE "^ *path .*parent=$id " "$dump")
    # a delta is one mark; every other kind draws more than a frame's worth
    local least=2
    [ "$kind" = delta ] && least=1
    if [ "$paths" -ge "$least" ]; then pass "$name: $kind chart $id drawn as $paths paths"; else fail "$name: $kind chart $id has $paths path items"; fi
  done
  for label in "$@"; do
    if grep -E "^ *text .*parent=($(echo $ids | tr ' ' '|')) " "$dump" | grep -qF -- "\"$label\""; then
      pass "$name: the $kind chart labels '$label'"
    else
      fail "$name: the $kind chart has no text item '$label'"
    fi
  done
}

for content in data/ccin-2018-19.xml data/seren-solas-2024-25.xml; do
  [ -f "$content" ] || continue
  c=$(basename "$content" .xml)
  for layout in layouts/annual-review.xml layouts/annual-review-a5.xml layouts/deck.xml; do
    name="$c/$(basename "$layout" .xml)"
    out="$TMP/${name//\//-}.pdf"
    dump="$TMP/${name//\//-}.dump"
    if ! "$BIN" render "$content" --layout "$layout" -o "$out" --dump-layout "$dump" \
      >/dev/null 2>"$out.err"; then
      fail "$name: render failed: $(head -c 800 "$out.err")"
      continue
    fi
    if [ -s "$out.err" ]; then fail "$name: warns: $(head -c 800 "$out.err")"; else pass "$name: renders with no warning"; fi
    pdftotext "$out" "$out.txt"
    if grep -E "^ *chart " "$dump" | grep -v " drawn " >/dev/null; then
      fail "$name: a chart was left as a grey slot: $(grep -E '^ *chart ' "$dump" | grep -v ' drawn ' | head -2)"
    else
      pass "$name: no chart is left as a grey slot"
    fi
    case $c in
      ccin-2018-19)
        chart_check "$name" "$dump" map "Cardiff Council"
        chart_check "$name" "$dump" donut "Member councils"
        # events a month as bars where the layout has the room ($events-chart:
        # the A5 leaves them to the timeline)
        bars="Events per month|Sep 18"
        if [ "$name" = "$c/annual-review-a5" ]; then
          bars=
          if grep -qE '^ *chart .*kind=bar ' "$dump"; then
            fail "$name: bars a month on the A5 page, which leaves them to the timeline"
          else
            pass "$name: no bars a month on A5 (the timeline shows the year)"
          fi
        else
          chart_check "$name" "$dump" bar "Sep 18" "Dec 18"
        fi
        chart_check "$name" "$dump" timeline "Labour Party Conference"
        chart_check "$name" "$dump" hbar "Councils" "Trade unions"
        chart_check "$name" "$dump" flow "7.4m" "£9.5bn" "residents"
        IFS='|' read -r -a labels <<<"Cardiff Council|Member councils|£9.5bn${bars:+|$bars}"
        for label in "${labels[@]}"; do
          expect_contains "$name: '$label' is text in the PDF" "$out.txt" "$label"
        done
        ;;
      seren-solas-2024-25)
        chart_check "$name" "$dump" map
        chart_check "$name" "$dump" donut "Energy co-operatives"
        chart_check "$name" "$dump" hbar "Membership subscriptions" "Bank interest"
        chart_check "$name" "$dump" delta "−3.2 %"
        # the income lines only: no expenditure line, no total
        if grep -E "^ *text .*\"Staff costs\"" "$dump" | grep -qE "parent=($(awk '$1 == "chart" && / kind=hbar / {for (i = 1; i <= NF; i++) if ($i ~ /^id=/) printf "%s|", substr($i, 4)}' "$dump")x) "; then
          fail "$name: the income chart charts an expenditure line"
        else
          pass "$name: the income chart holds the income lines only"
        fi
        ;;
    esac
  done
done
finish
