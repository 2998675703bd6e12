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
