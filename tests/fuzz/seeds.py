#!/usr/bin/python3
"""Builds the seed corpora of the fuzz targets from the samples and the test
fixtures: seeds.py SRC OUT writes OUT/<target>/<name> for every target
(docs/fuzzing.md). Needs PIL (Debian python3-pil) for the JPEG seeds."""
import glob
import hashlib
import io
import os
import random
import re
import struct
import sys

src, out = sys.argv[1], sys.argv[2]


def put(target, data, name=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(*patterns):
    for p in patterns:
        yield from sorted(glob.glob(os.path.join(src, p), recursive=True))


def read(path):
    with open(path, "rb") as f:
        return f.read()


# Content and layout documents: every XML file of the repository whose root
# element says which it is.
for path in files("data/*.xml", "tests/**/*.xml", "layouts/**/*.xml"):
    data = read(path)
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", data[:4000], flags=re.S).lstrip()
    if head.startswith(b"<review"):
        put("content", data)
    elif head.startswith(b"<layout"):
        put("layout", data)

# PNG: the logo, the test images, the charts' golden images.
pngs = [p for p in files("**/*.png") if "/build" not in p]
for path in pngs:
    put("png", read(path))

# JPEG: none in the repository; made from the PNGs in the variants render
# handles (baseline, progressive, gray, CMYK, tiny, restart markers).
try:
    from PIL import Image

    for path in pngs[:6]:
        im = Image.open(path).convert("RGB")
        im.thumbnail((160, 160))
        for mode, kw in (("RGB", {}), ("RGB", {"progressive": True}), ("L", {}),
                         ("CMYK", {}), ("RGB", {"quality": 20, "subsampling": 2})):
            b = io.BytesIO()
            im.convert(mode).save(b, "JPEG", **kw)
            put("jpeg", b.getvalue())
    b = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 10, 10)).save(b, "JPEG")
    put("jpeg", b.getvalue())
except ImportError:
    sys.stderr.write("seeds.py: no PIL (python3-pil): no JPEG seeds\n")

# Fonts: the smallest real face and the corrupt fixture (the large faces
# only slow the fuzzer down).
put("font", read(os.path.join(src, "fonts/OpenSans-Regular.ttf")))
put("font", read(os.path.join(src, "tests/data/cli/fonts/corrupt.ttf")))

# XPath: every expression and value template the layouts write.
exprs = set()
for path in files("layouts/**/*.xml", "tests/layouts/*.xml"):
    text = read(path).decode("utf-8", "replace")
    for m in re.finditer(r'\b(?:select|test|by|match|when|value)="([^"]*)"', text):
        exprs.add(m.group(1))
    for m in re.finditer(r">([^<]*\{[^<]*)<", text):
        exprs.add(m.group(1).strip())
for e in sorted(exprs):
    e = e.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
    e = e.replace("&gt;", ">").replace("&amp;", "&")
    put("xpath", e)

# Charts: each kind with a few categories and series (the bytes feed
# fuzz_chart.c's reader; any bytes are valid input).
rng = random.Random(12)
for kind in range(9):
    for n in (0, 3, 12):
        b = bytes([kind, rng.randrange(256)]) + struct.pack(">HH", n, 2)
        b += bytes(rng.randrange(256) for _ in range(400 + 40 * n))
        put("chart", b)

# Map outline: the real file, and its first rings.
outline = read(os.path.join(src, "data/map/uk-outline.txt"))
put("map", outline)
put("map", b"\n".join(outline.split(b"\n")[:60]) + b"\n")

# SVG: every SVG of the repository (the sample's logo), and one small file
# per part of the subset svg/ reads (docs/svg.md), refusals included.
for path in files("images/**/*.svg", "tests/**/*.svg"):
    put("svg", read(path))
HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
for body in [
        'width="100" height="50"><rect x="10" y="20" width="30" height="40" rx="3" fill="#f00"/>',
        'viewBox="0 0 100 80"><circle cx="50" cy="40" r="20" fill="teal" stroke="rgb(255, 0, 0)"'
        ' stroke-width="4" fill-opacity="0.5"/><ellipse cx="5" cy="5" rx="4" ry="2"/>',
        'width="2cm" height="10mm" viewBox="0 0 10 10" preserveAspectRatio="xMinYMax slice">'
        '<g transform="translate(100 50) rotate(90) skewX(10) matrix(1 0 0 1 2 3)" opacity="50%">'
        '<path d="M0 0 L10 0 l0 20 z" opacity="0.5"/><g transform="scale(2)"><line x1="1" y1="0"'
        ' x2="2" y2="0" stroke="black" stroke-width="3" stroke-dasharray="2 1"'
        ' stroke-linecap="round" stroke-linejoin="bevel" stroke-miterlimit="2"/></g></g>',
        'viewBox="0 0 100 100"><path d="M10 50A40 40 0 0 1 90 50" fill="none" stroke="#000"/>'
        '<path d="M0,0Q10,20 20,0T40,0S50-10,60,0C70 10,80 10,90 0z"/>'
        '<path d="m10 10h5v5H10V10z" fill-rule="evenodd"/>'
        '<polyline points="1,2 3,4 5,6"/><polygon points="0 0 10 0 5 5" fill="#1238"/>',
        'viewBox="0 0 10 10"><defs><style>/* Illustrator */ .cls-1{fill:#e30613;}\n'
        '#x, rect.a { stroke: blue; stroke-width: 2px } @font-face { font-family: x }</style>'
        '</defs><rect class="cls-1" width="1" height="1"/><rect id="x" class="a cls-1"'
        ' style="fill:#000;fill-opacity:.3" width="1" height="1"/>',
        'viewBox="0 0 100 100"><defs><rect id="r" width="2" height="2"/><symbol id="s">'
        '<circle r="1" fill="red"/></symbol></defs><use href="#r" x="10" y="20" fill="blue"/>'
        '<use xlink:href="#s" transform="translate(50 50)"/><a><g display="none"><rect/></g>'
        '<rect visibility="hidden" width="5" height="5" color="red" fill="currentColor"/></a>',
        'viewBox="0 0 10 10"><text x="1" y="5">refused</text><rect fill="url(#g)" width="1"'
        ' height="1"/><image href="x.png"/><g clip-path="url(#c)"><rect width="1" height="1"/></g>',
        'viewBox="0 0 10 10"><g id="g"><use href="#g"/></g>']:
    put("svg", '<?xml version="1.0"?>\n' + HEAD + body + "</svg>\n")
