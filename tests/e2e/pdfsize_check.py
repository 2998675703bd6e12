#!/usr/bin/python3
"""What keeps reviewpdf's files small (issue 13), checked on a rendered PDF.

    pdfsize_check.py FILE.pdf

- every embedded font program carries only the tables a PDF TrueType font
  needs, with no hinting (cvt, fpgm, prep absent or empty) and no more glyphs
  than the characters it shows need (each character one glyph, plus .notdef
  and the parts of composite glyphs);
- each font's ToUnicode map lists exactly the codes its text shows (one
  bfchar a code, code to itself);
- the small objects are in object streams with a cross-reference stream.
Prints what it found; exits 1 on the first property that does not hold.
"""
import re
import struct
import sys

import pikepdf

ALLOWED = {b"OS/2", b"cmap", b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca",
           b"maxp", b"name", b"post", b"prep"}


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def tables(data):
    n = struct.unpack(">H", data[4:6])[0]
    out = {}
    for k in range(n):
        tag, _, off, ln = struct.unpack(">4sIII", data[12 + 16 * k: 28 + 16 * k])
        out[tag] = data[off: off + ln]
    return out


def composite_parts(t):
    """Glyphs that composite glyphs of the program refer to."""
    head, loca, glyf = t[b"head"], t[b"loca"], t[b"glyf"]
    long_loca = struct.unpack(">h", head[50:52])[0] == 1
    n = len(loca) // (4 if long_loca else 2) - 1
    offs = [struct.unpack(">I", loca[4 * i: 4 * i + 4])[0] if long_loca
            else 2 * struct.unpack(">H", loca[2 * i: 2 * i + 2])[0] for i in range(n + 1)]
    parts = set()
    for g in range(n):
        g0, g1 = offs[g], offs[g + 1]
        if g1 - g0 < 10 or struct.unpack(">h", glyf[g0: g0 + 2])[0] >= 0:
            continue
        p = g0 + 10
        while True:
            flags, gid = struct.unpack(">HH", glyf[p: p + 4])
            parts.add(gid)
            p += 4 + (4 if flags & 1 else 2)
            p += 8 if flags & 0x80 else 4 if flags & 0x40 else 2 if flags & 8 else 0
            if not flags & 0x20:
                break
    return parts


def shown_codes(pdf):
    """Codes shown per font object (content streams and forms), by objgen."""
    shown = {}

    def walk(stream, resources):
        fonts = resources.get("/Font", {}) if resources is not None else {}
        xobjects = resources.get("/XObject", {}) if resources is not None else {}
        current = None
        for operands, op in pikepdf.parse_content_stream(stream):
            op = str(op)
            if op == "Tf":
                current = fonts[str(operands[0])].objgen
            elif op in ("Tj", "'", '"', "TJ"):
                strings = operands[-1] if op != "TJ" else [x for x in operands[0] if isinstance(x, pikepdf.String)]
                if op != "TJ":
                    strings = [strings]
                raw = b"".join(bytes(s) for s in strings)
                codes = shown.setdefault(current, set())
                for i in range(0, len(raw) - 1, 2):
                    codes.add(raw[i] << 8 | raw[i + 1])
            elif op == "Do":
                xo = xobjects[str(operands[0])]
                if xo.get("/Subtype") == "/Form":
                    walk(xo, xo.get("/Resources"))

    for page in pdf.pages:
        walk(page, page.obj.get("/Resources"))
    return shown


def main():
    path = sys.argv[1]
    raw = open(path, "rb").read()
    if b"/Type /XRef" not in raw or b"/Type /ObjStm" not in raw:
        fail("no cross-reference stream or object streams")
    pdf = pikepdf.open(path)
    n_objects = len(pdf.objects)
    top_level = len(re.findall(rb"\n\d+ 0 obj\n", raw))
    print(f"objects: {n_objects}, written at the top level: {top_level}")
    if top_level * 2 > n_objects:
        fail("most objects are not in object streams")

    shown = shown_codes(pdf)
    fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type0"]
    if not fonts:
        fail("no Type 0 font")
    for f in fonts:
        name = str(f.BaseFont)
        codes = shown.get(f.objgen, set())
        cmap = f.ToUnicode.read_bytes().decode("latin-1")
        chars = "".join(re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S))
        pairs = re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", chars)
        if "bfrange" in cmap or any(a != b for a, b in pairs):
            fail(f"{name}: ToUnicode is not one bfchar a code, code to itself")
        mapped = {int(a, 16) for a, _ in pairs}
        if mapped != codes:
            fail(f"{name}: ToUnicode lists {len(mapped)} codes, the text shows {len(codes)} "
                 f"(extra {sorted(mapped - codes)[:10]}, missing {sorted(codes - mapped)[:10]})")
        desc = f.DescendantFonts[0].FontDescriptor
        program = desc.FontFile2.read_bytes()
        t = tables(program)
        extra = set(t) - ALLOWED
        if extra:
            fail(f"{name}: tables a PDF does not need: {sorted(extra)}")
        hinting = sum(len(t.get(k, b"")) for k in (b"cvt ", b"fpgm", b"prep"))
        if hinting:
            fail(f"{name}: {hinting} bytes of hinting tables")
        glyphs = struct.unpack(">H", t[b"maxp"][4:6])[0]
        parts = composite_parts(t)
        if glyphs > len(codes) + 1 + len(parts):
            fail(f"{name}: {glyphs} glyphs for {len(codes)} characters ({len(parts)} composite parts)")
        print(f"{name}: {len(codes)} characters, {glyphs} glyphs, {len(program)} bytes, "
              f"tables {b' '.join(sorted(t)).decode()}")
    print("ok")


if __name__ == "__main__":
    main()
