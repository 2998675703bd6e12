#!/usr/bin/env python3
"""Checks a layout dump (reviewpdf render --dump-layout) for text set in the
colour of what lies under it: for every text run, the background is the fill
of the last shape drawn before it on its page whose box holds the middle of
the run (else the white page), and the contrast ratio of the two colours
(WCAG 2) must be at least MIN. The labels of a drawn chart are left to
charts/, which sets each on a colour it knows (a segment, a marker, the hole
of a donut: shapes this box test cannot see) at 4.5:1 and is tested for it;
test_matrix.sh reads their pixels.

usage: contrast.py DUMP [MIN]   (MIN defaults to 3)
Exit 1 listing every run that fails, with its page and layout line."""
import re
import sys

ITEM = re.compile(r"^\s+(rect|ellipse|text) ([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) (.*)$")


def rgb(hexcol):
    h = hexcol.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(c):
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def main():
    dump = sys.argv[1]
    least = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    page, shapes, bad, runs, charts = "?", [], [], 0, set()
    for line in open(dump, encoding="utf-8"):
        if line.startswith("page "):
            page, shapes = line.split()[1], []
            continue
        if re.match(r"^\s+chart .* drawn ", line):
            charts.add(re.search(r" id=(\d+)", line).group(1))
            continue
        m = ITEM.match(line)
        if not m:
            continue
        kind, x, y, w, h, rest = m.group(1), *map(float, m.group(2, 3, 4, 5)), m.group(6)
        if kind in ("rect", "ellipse"):
            fill = re.search(r"fill=(#[0-9a-fA-F]{6})", rest)
            if fill:
                shapes.append((x, y, w, h, fill.group(1)))
            continue
        col = re.search(r"color=(#[0-9a-fA-F]{6})", rest)
        parent = re.search(r" parent=(\d+)", rest)
        if not col or (parent and parent.group(1) in charts):
            continue
        runs += 1
        size = h  # a run's height field is its font size; y is its baseline
        cx, cy = x + w / 2, y - size * 0.35
        under = "#ffffff"
        for sx, sy, sw, sh, fill in shapes:
            if sx <= cx <= sx + sw and sy <= cy <= sy + sh:
                under = fill
        r = ratio(rgb(col.group(1)), rgb(under))
        if r < least:
            text = re.search(r'"(.*)"', rest)
            where = re.search(r"@L\d+", rest)
            bad.append(f"page {page}: {text.group(1) if text else '?'!r} {col.group(1)} on "
                       f"{under} (ratio {r:.2f}) {where.group(0) if where else ''}")
    if bad:
        print(f"{len(bad)} of {runs} text runs stand on too little contrast in {dump}:")
        for b in bad:
            print("  " + b)
        return 1
    print(f"all {runs} text runs readable in {dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
