#!/usr/bin/env bash
# Independent readers open the samples without a warning and extract the same
# words, typographic characters included (’ – £ and, in the Welsh-Scottish
# sample, ŵ and the subscript ₂): qpdf, poppler, MuPDF and Ghostscript.
# Ghostscript misread every character above U+00FF while the ToUnicode maps
# were wide identity ranges; they now list the characters each font draws.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1

check_readers() { # NAME PDF PHRASE…
  local name=$1 pdf=$2
  shift 2
  local out
  out=$(qpdf --check "$pdf" 2>&1)
  if [ $? -eq 0 ] && ! grep -qi "warning" <<<"$out"; then pass "$name: qpdf clean"; else
    fail "$name: qpdf: $out"; fi
  pdftotext "$pdf" "$TMP/$name.poppler.txt" 2>"$TMP/$name.poppler.err"
  [ -s "$TMP/$name.poppler.err" ] && fail "$name: poppler warned: $(head -3 "$TMP/$name.poppler.err")"
  if command -v mutool >/dev/null; then
    # Debian's mutool is built without ICC support and says so on every run.
    mutool draw -q -F txt -o "$TMP/$name.mupdf.txt" "$pdf" 2>&1 |
      grep -v "ICC support is not available" >"$TMP/$name.mupdf.err"
    [ -s "$TMP/$name.mupdf.err" ] && fail "$name: MuPDF warned: $(head -3 "$TMP/$name.mupdf.err")"
  else
    fail "mutool is missing: install mupdf-tools (.ci/deps)"
  fi
  if command -v gs >/dev/null; then
    gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=txtwrite -sOutputFile="$TMP/$name.gs.txt" "$pdf" \
      2>"$TMP/$name.gs.err" >/dev/null
    [ -s "$TMP/$name.gs.err" ] && fail "$name: Ghostscript warned: $(head -3 "$TMP/$name.gs.err")"
  else
    fail "gs is missing: install ghostscript (.ci/deps)"
  fi
  local phrase reader
  for phrase in "$@"; do
    for reader in poppler mupdf gs; do
      [ -f "$TMP/$name.$reader.txt" ] || continue
      # Readers differ in how they space columns: compare with runs of spaces squeezed.
      if tr -s ' ' <"$TMP/$name.$reader.txt" | grep -qF -- "$phrase"; then :; else
        fail "$name: $reader does not extract '$phrase'"
      fi
    done
  done
  pass "$name: $# phrases extracted alike by poppler, MuPDF and Ghostscript"
}

"$BIN" render data/ccin-2018-19.xml -o "$TMP/ccin.pdf" -q || fail "render ccin"
check_readers ccin "$TMP/ccin.pdf" "Chair’s foreword" "August 2018 – July 2019" \
  "CO-OPERATIVE COUNCILS’ INNOVATION NETWORK" "£9.5bn" "Co-operative of the Year Awards"
"$BIN" render data/seren-solas-2024-25.xml -o "$TMP/seren.pdf" -q || fail "render seren"
check_readers seren "$TMP/seren.pdf" "CO₂e" "Owain Glyndŵr Pryce"
"$BIN" render tests/data/pack/pack-22.xml --layout case-studies -o "$TMP/pack.pdf" -q || fail "render pack"
check_readers pack "$TMP/pack.pdf" "Mutual repair cafés in Oxford" "Index by theme" \
  "Stockport Council" "93%"
finish
