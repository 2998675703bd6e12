#!/usr/bin/python3
"""Counts the red (changed) pixels of a `reviewpdf diff` image inside and
outside boxes: diffimage.py IMAGE X0,Y0,X1,Y1 [...] (px, inclusive).
Prints "inside N of AREA outside M", where outside counts red pixels more
than 2 px from every box (an edge's anti-aliasing): the test then checks that
the change is marked where it happened and nowhere else."""
import sys

from PIL import Image


def red(p):
    r, g, b = p[:3]
    return r >= 200 and g <= 60 and b <= 60


def main():
    img = Image.open(sys.argv[1]).convert("RGB")
    boxes = [tuple(int(v) for v in a.split(",")) for a in sys.argv[2:]]
    w, h = img.size
    px = img.load()
    inside = outside = area = 0
    for y in range(h):
        for x in range(w):
            hit = any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes)
            near = any(x0 - 2 <= x <= x1 + 2 and y0 - 2 <= y <= y1 + 2 for x0, y0, x1, y1 in boxes)
            area += hit
            if red(px[x, y]):
                inside += hit
                outside += not near
    print(f"inside {inside} of {area} outside {outside}")


main()
