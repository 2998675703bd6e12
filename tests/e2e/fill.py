#!/usr/bin/env python3
"""The fill rule, read from `reviewpdf render --dump-layout`: a page's content
bottom is the lowest non-artifact item on it (text at its baseline plus a
quarter of its size for descenders; images, charts and other items at their
box's foot). An inner page (any page but the first) that ends above two
thirds of its height counts as short; at most MAX short pages pass. The first
page (the cover) must carry no running text: no artifact text at all.

usage: fill.py DUMP [MAX]   (prints one line per short page; exit 1 on failure)
"""
import re
import sys

ITEM = re.compile(r"^\s+(\w+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (.*)$")


def pages(path):
    out = []
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^page (\d+) ([\d.]+)x([\d.]+) (.*)$", line)
        if m:
            out.append({"n": int(m.group(1)), "h": float(m.group(3)), "rest": m.group(4),
                        "bottom": 0.0, "running": []})
            continue
        m = ITEM.match(line)
        if not m or not out:
            continue
        kind, x, y, w, h, rest = m.groups()
        y, h = float(y), float(h)
        page = out[-1]
        if "role=artifact" in rest:
            if kind == "text":
                page["running"].append(rest)
            continue
        if "role=none" in rest and kind == "bookmark":
            continue
        # text items: y is the baseline, h the font size
        bottom = y + 0.25 * h if kind == "text" else y + h
        page["bottom"] = max(page["bottom"], bottom)
    return out


def main():
    dump = sys.argv[1]
    most = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    ps = pages(dump)
    ok = True
    if ps and ps[0]["running"]:
        print(f"cover carries running text: {ps[0]['running'][0][:80]}")
        ok = False
    # the back cover (last page) is a composed page like the cover
    short = [p for p in ps[1:-1] if p["bottom"] < p["h"] * 2 / 3]
    for p in short:
        print(f"page {p['n']} ({p['rest']}) ends at {p['bottom'] / p['h']:.0%} of its height")
    if len(short) > most:
        print(f"{len(short)} inner pages end above two thirds (at most {most})")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
