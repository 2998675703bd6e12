#!/usr/bin/env bash
# The pipeline's arrows run one way: each module of src/ includes only itself
# and the modules below it (docs/architecture.md, "Modules and their order"),
# and the libraries with one job each stay in the module that has that job
# (libharu in render/, Cairo in charts/, render/ and diff/, FreeType in font/).
set -euo pipefail
src="${RP_SRC:-.}/src"

declare -A allowed=(
  [base]="base"
  [model]="base model"
  [font]="base font"
  [page]="base font page"
  [bound]="base font bound"
  [template]="base model font bound template"
  [charts]="base font bound page charts"
  [svg]="base font page svg"
  [layout]="base font bound page charts layout"
  [render]="base font page layout svg render"
  [diff]="base page render diff"
  [pipeline]="base model font bound page template layout svg render pipeline"
  [cli]="base model font bound page template charts layout svg render diff pipeline cli"
)
declare -A libs=(
  [hpdf.h]="render"
  [cairo.h]="charts render diff"
  [ft2build.h]="font"
  [jpeglib.h]="render cli" # cli/jpeg_lazy.c passes render's calls on to libjpeg, opened on first use
  [hyphen.h]="layout"
)

fail=0
for dir in "$src"/*/; do
  mod=$(basename "$dir")
  if [ -z "${allowed[$mod]+x}" ]; then
    echo "src/$mod: a module the layering check does not know: add it to tests/e2e/test_layering.sh and docs/architecture.md" >&2
    fail=1
    continue
  fi
  while IFS=: read -r file line inc; do
    dep=${inc#*\"}
    dep=${dep%%/*}
    case " ${allowed[$mod]} " in
      *" $dep "*) ;;
      *) echo "${file#"$src"/}:$line: $mod/ includes $dep/, which is not below it" >&2; fail=1 ;;
    esac
  done < <(grep -Hn '^#include "[a-z]*/' "$dir"*.[ch] 2>/dev/null || true)
  for lib in "${!libs[@]}"; do
    case " ${libs[$lib]} " in *" $mod "*) continue ;; esac
    if hits=$(grep -Hn "^#include <$lib>" "$dir"*.[ch] 2>/dev/null); then
      echo "$hits: <$lib> belongs in ${libs[$lib]}/ only" >&2
      fail=1
    fi
  done
done

[ -n "${RP_LAYERING_SELFTEST:-}" ] && exit "$fail"

# The check itself must be able to fail: a planted upward include is caught.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/font"
printf '#include "layout/layout.h"\n' >"$tmp/src/font/bad.c"
if RP_SRC="$tmp" RP_LAYERING_SELFTEST=1 bash "$0" 2>/dev/null; then
  echo "the layering check accepted font/ including layout/" >&2
  fail=1
fi
[ "$fail" -eq 0 ] && echo "layering: every include runs downwards"
exit "$fail"
