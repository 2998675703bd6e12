#!/usr/bin/python3
"""Where a PDF's bytes go: file bytes per kind of object, and the largest objects.

    /usr/bin/python3 bench/pdfbytes.py FILE.pdf [--top N] [--json]

Each indirect object's share is its span in the file (from its offset in the
cross-reference table to the next object's, so the `N 0 obj` line, the
dictionary, the compressed stream data and `endobj` all count); objects in an
object stream share its bytes in proportion to their length. The header, the
cross-reference table or stream and the trailer count as "xref+trailer". An object
is classified by what it is (its /Type, /Subtype or the key that points at it:
/FontFile2, /ToUnicode, /Contents…); objects that say nothing about
themselves (arrays, numbers such as a stream's /Length) take the kind of the
first object that refers to them. Needs pikepdf (Debian python3-pikepdf).
"""
import argparse
import json
import re
import sys
import zlib
from collections import defaultdict

import pikepdf

# key in a referring dictionary → kind of the object it points at
BY_KEY = {
    "/FontFile2": "font program",
    "/FontFile": "font program",
    "/FontFile3": "font program",
    "/ToUnicode": "ToUnicode",
    "/CIDToGIDMap": "CIDToGIDMap",
    "/W": "font widths",
    "/Widths": "font widths",
    "/FontDescriptor": "font dicts",
    "/DescendantFonts": "font dicts",
    "/Contents": "content streams",
    "/SMask": "images",
    "/StructTreeRoot": "structure tree",
    "/ParentTree": "structure tree",
    "/K": "structure tree",
    "/Nums": "structure tree",
    "/Outlines": "outline",
    "/First": "outline",
    "/Last": "outline",
    "/Next": "outline",
    "/Prev": "outline",
    "/Annots": "annotations",
    "/A": "annotations",
    "/Metadata": "metadata+output intent",
    "/DestOutputProfile": "metadata+output intent",
    "/OutputIntents": "metadata+output intent",
    "/ExtGState": "resources",
    "/Font": "resources",
    "/XObject": "resources",
    "/ColorSpace": "resources",
    "/Pattern": "resources",
    "/Shading": "resources",
    "/Resources": "resources",
    "/Info": "document",
    "/PageLabels": "document",
    "/Kids": "pages",
    "/Pages": "pages",
    "/Dests": "outline",
}


def own_kind(obj):
    """The kind an object states itself, or None."""
    if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return None
    t = str(obj.get("/Type", ""))
    s = str(obj.get("/Subtype", ""))
    if t == "/Font":
        return "font dicts"
    if t == "/FontDescriptor":
        return "font dicts"
    if t == "/XObject" or s in ("/Image", "/Form"):
        return "images" if s == "/Image" else "form xobjects"
    if t in ("/StructElem", "/StructTreeRoot", "/MCR", "/OBJR") or "/S" in obj and "/P" in obj:
        return "structure tree"
    if t == "/Annot" or s in ("/Link",):
        return "annotations"
    if t in ("/Page", "/Pages"):
        return "pages"
    if t == "/Catalog":
        return "document"
    if t == "/ExtGState":
        return "resources"
    if t == "/Metadata":
        return "metadata+output intent"
    if t == "/Outlines" or ("/Title" in obj and "/Parent" in obj):
        return "outline"
    if "/CMapType" in obj or "/CMapName" in obj:
        return "ToUnicode"
    if "/N" in obj and "/Alternate" in obj:
        return "metadata+output intent"
    if "/Producer" in obj or "/Creator" in obj or "/Title" in obj:
        return "document"
    if "/Length1" in obj:
        return "font program"
    return None


def classic_offsets(raw, xref):
    """Object number → file offset, from a classic xref table (libharu's)."""
    pos = raw.index(b"xref", xref) + 4
    lines = raw[pos:].lstrip().split(b"\n")
    result = {}
    i = 0
    while True:
        head = lines[i].strip().split()
        if len(head) != 2:
            break
        first, count = int(head[0]), int(head[1])
        for k in range(count):
            entry = lines[i + 1 + k].split()
            if entry[2] == b"n":
                result[first + k] = int(entry[0])
        i += 1 + count
    return result


def stream_at(raw, off):
    """The dictionary text and the (still encoded) data of the stream object at off."""
    start = raw.index(b"stream", off)
    head = raw[off:start]
    n = int(re.search(rb"/Length (\d+)", head).group(1))
    data_at = start + 6 + (2 if raw[start + 6: start + 8] == b"\r\n" else 1)
    return head, raw[data_at: data_at + n]


def layout(raw):
    """(spans, texts, xref bytes): each object's share of the file in bytes,
    its text (dictionary, without stream data) for finding references, and the
    bytes of the cross-reference table or stream and trailer. Objects in an
    object stream share its bytes in proportion to their text's length."""
    m = re.search(rb"startxref\s+(\d+)", raw[-64:])
    if not m:
        sys.exit("no startxref")
    xref = int(m.group(1))
    texts = {}
    if raw[xref: xref + 4] == b"xref":
        offs = classic_offsets(raw, xref)
        packed = {}
        end_all = xref
        xref_bytes = len(raw) - xref
    else:  # a cross-reference stream
        head, data = stream_at(raw, xref)
        rows = zlib.decompress(data)
        w = [int(x) for x in re.search(rb"/W \[ ?(\d+) (\d+) (\d+) ?\]", head).groups()]
        idx = re.search(rb"/Index \[([^\]]*)\]", head)
        size = int(re.search(rb"/Size (\d+)", head).group(1))
        ranges = [int(x) for x in idx.group(1).split()] if idx else [0, size]
        nums = [n for a, c in zip(ranges[::2], ranges[1::2]) for n in range(a, a + c)]
        step = sum(w)
        offs, packed = {}, {}
        for k, num in enumerate(nums):
            row = rows[k * step: (k + 1) * step]
            f = [int.from_bytes(row[sum(w[:j]): sum(w[: j + 1])], "big") if w[j] else (1 if j == 0 else 0)
                 for j in range(3)]
            if f[0] == 1:
                offs[num] = f[1]
            elif f[0] == 2:
                packed[num] = (f[1], f[2])
        end_all = len(raw)
        xref_bytes = 0
    order = sorted(offs.items(), key=lambda kv: kv[1])
    spans = {}
    for i, (num, off) in enumerate(order):
        end = order[i + 1][1] if i + 1 < len(order) else end_all
        spans[num] = end - off
        text = raw[off: off + spans[num]]
        cut = text.find(b"stream")
        texts[num] = text[:cut] if cut >= 0 else text
    if packed:
        xref_num = [n for n, o in offs.items() if o == xref][0]
        xref_bytes = spans.pop(xref_num) + (len(raw) - end_all)
        # each object stream's bytes shared by its objects
        for stm in sorted({s for s, _ in packed.values()}):
            head, data = stream_at(raw, offs[stm])
            body = zlib.decompress(data)
            first = int(re.search(rb"/First (\d+)", head).group(1))
            nums = [int(x) for x in body[:first].split()]
            pairs = list(zip(nums[::2], nums[1::2]))
            total = len(body) - first
            for j, (num, o) in enumerate(pairs):
                end = pairs[j + 1][1] if j + 1 < len(pairs) else total
                texts[num] = body[first + o: first + end]
                spans[num] = spans.get(num, 0) + spans[stm] * (end - o) / total
            del spans[stm]
            texts.pop(stm, None)
    return spans, texts, xref_bytes + (order[0][1] if order else 0)


def measure(path):
    raw = open(path, "rb").read()
    span, texts, xref_bytes = layout(raw)

    kind = {}
    desc = {}
    refs = {}
    with pikepdf.open(path) as pdf:
        for num in span:
            try:
                o = pdf.get_object(num, 0)
            except Exception:
                continue
            k = own_kind(o)
            if k:
                kind[num] = k
            d = ""
            if isinstance(o, pikepdf.Stream):
                f = o.get("/Filter")
                d = "stream %d bytes%s" % (len(o.read_raw_bytes()), " " + f.unparse().decode() if f is not None else "")
            elif isinstance(o, pikepdf.Dictionary):
                d = " ".join(str(k) for k in list(o.keys())[:5])
            elif isinstance(o, pikepdf.Array):
                d = "array of %d" % len(o)
            else:
                d = type(o).__name__
            desc[num] = d
    # References, from the object's text before any stream data: each
    # "N 0 R" under the nearest name before it (the key, or the array's key).
    for num in span:
        text = texts.get(num, b"")
        out = []
        last = None
        for m in re.finditer(rb"(/[A-Za-z0-9]+)|(\d+) 0 R", text):
            if m.group(1):
                last = m.group(1).decode()
            else:
                out.append((last, int(m.group(2))))
        refs[num] = out
    # An object that says nothing takes the kind of the key pointing at it,
    # else of its referrer; repeated until nothing changes.
    for _ in range(16):
        changed = False
        for num in sorted(span):
            for key, target in refs[num]:
                if target in kind or target not in span:
                    continue
                if key == "/Length" and num in kind:
                    kind[target] = kind[num]
                elif key in BY_KEY:
                    kind[target] = BY_KEY[key]
                elif num in kind:
                    kind[target] = kind[num]
                else:
                    continue
                changed = True
        if not changed:
            break

    totals = defaultdict(int)
    counts = defaultdict(int)
    for num, n in span.items():
        k = kind.get(num, "other")
        totals[k] += n
        counts[k] += 1
    totals["xref+trailer"] += xref_bytes
    counts["xref+trailer"] += 1
    top = sorted(span.items(), key=lambda kv: -kv[1])
    return {
        "file": path,
        "bytes": len(raw),
        "objects": len(span),
        "kinds": {k: {"bytes": totals[k], "objects": counts[k]} for k in sorted(totals, key=lambda k: -totals[k])},
        "largest": [{"obj": num, "bytes": n, "kind": kind.get(num, "other"), "what": desc.get(num, "")} for num, n in top],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    r = measure(a.pdf)
    r["largest"] = r["largest"][: a.top]
    if a.json:
        json.dump(r, sys.stdout, indent=1)
        print()
        return
    print("%s: %d bytes, %d objects" % (r["file"], r["bytes"], r["objects"]))
    for k, v in r["kinds"].items():
        print("  %-24s %9d  %5.1f %%  (%d objects)" % (k, v["bytes"], 100.0 * v["bytes"] / r["bytes"], v["objects"]))
    print("largest objects:")
    for o in r["largest"]:
        print("  %5d %9d  %-22s %s" % (o["obj"], o["bytes"], o["kind"], o["what"]))


if __name__ == "__main__":
    main()
