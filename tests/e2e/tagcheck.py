#!/usr/bin/env python3
"""Checks a tagged PDF's structure (docs/accessibility.md lists what and why).

usage:
  tagcheck.py check OUT.pdf [--test-layout]
      every painting operator of every page is inside marked content or an artifact;
      marked content nests with BT/ET and q/Q (a BDC closes in the text object and at the
      q depth where it opened) and never inside other marked content; MCIDs are unique on
      a page and each one is claimed by exactly one structure element, which is the one
      the /ParentTree gives for it; every element's /P is its parent; every Figure has
      /Alt; every Note has an /ID that the /IDTree maps to it; every Link has an OBJR to an annotation with /Contents and a /StructParent
      that leads back to it; every link annotation is in the tree; headings start at H1
      and never skip a level, and a Sect holds one H1 at most; the catalog has /MarkInfo /Marked true, /Lang and
      /ViewerPreferences /DisplayDocTitle true; pages have /StructParents and /Tabs /S.
      --test-layout: for layouts written only for tests, which start their headings at H2
      or give an image no alt text: the first heading may be below H1, a Figure may lack /Alt
  tagcheck.py outline OUT.pdf
      prints the sections and headings in reading order, from `pdfinfo -struct-text`
  tagcheck.py selftest OUT.pdf
      breaks a good PDF in each of the ways above and fails unless `check` catches each
      (a Note without /ID only when the PDF has notes)

Each failure is one line, `TAG page N: what` or `TAG: what`; the exit status is 1.
Needs Debian's python3-pikepdf and poppler-utils.
"""
import re
import subprocess
import sys

import pikepdf
from pikepdf import Name

PAINT = {"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do",
         "BI", "INLINE IMAGE"}
HEADING = re.compile(r"^H([1-6])$")


def key(obj):
    return obj.objgen if obj.is_indirect else id(obj)


def page_marks(pdf, pno, page, errors):
    """MCIDs painted on a page; appends nesting and coverage errors."""
    mcids = []
    stack = []  # (kind, mcid, in_text, q_depth)
    in_text, q = False, 0
    where = f"TAG page {pno}:"
    try:
        ops = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError as e:
        errors.append(f"{where} content stream unreadable: {e}")
        return mcids
    for operands, op in ops:
        op = str(op)
        if op == "BT":
            if in_text:
                errors.append(f"{where} BT inside BT")
            in_text = True
        elif op == "ET":
            if stack and stack[-1][2]:
                errors.append(f"{where} ET while marked content opened inside BT is open")
            in_text = False
        elif op == "q":
            q += 1
        elif op == "Q":
            if stack and q <= stack[-1][3]:
                errors.append(f"{where} Q pops the graphics state marked content opened in")
            q -= 1
        elif op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            if stack:
                errors.append(f"{where} {tag} opens inside other marked content")
            if tag == "/Artifact":
                stack.append(("artifact", None, in_text, q))
            elif mcid is None:
                errors.append(f"{where} {tag} marked content without an MCID")
                stack.append(("other", None, in_text, q))
            else:
                if mcid in mcids:
                    errors.append(f"{where} MCID {mcid} used twice")
                mcids.append(mcid)
                stack.append(("content", mcid, in_text, q))
        elif op == "EMC":
            if not stack:
                errors.append(f"{where} EMC without BDC/BMC")
                continue
            _, mcid, t, d = stack.pop()
            if t != in_text:
                errors.append(f"{where} marked content {mcid} opened {'in' if t else 'outside'} "
                              f"a text object closes {'in' if in_text else 'outside'} one")
            if d != q:
                errors.append(f"{where} marked content {mcid} opened at q depth {d}, closes at {q}")
        elif op in PAINT and not stack:
            errors.append(f"{where} '{op}' painted outside marked content and artifacts")
    if stack:
        errors.append(f"{where} {len(stack)} marked content sequence(s) never closed")
    if in_text:
        errors.append(f"{where} text object never closed")
    return mcids


def check(pdf, lenient=False):
    errors = []
    root = pdf.Root
    if not (root.get("/MarkInfo") and root.MarkInfo.get("/Marked") is True):
        errors.append("TAG: catalog lacks /MarkInfo << /Marked true >>")
    if not str(root.get("/Lang", "")):
        errors.append("TAG: catalog lacks /Lang")
    vp = root.get("/ViewerPreferences")
    if not (vp and vp.get("/DisplayDocTitle") is True):
        errors.append("TAG: catalog lacks /ViewerPreferences /DisplayDocTitle true")
    if "/StructTreeRoot" not in root:
        errors.append("TAG: no /StructTreeRoot")
        return errors
    str_root = root.StructTreeRoot
    nums = {}
    pt = str_root.get("/ParentTree")
    if pt is None:
        errors.append("TAG: structure tree has no /ParentTree")
    else:
        def collect(node):
            if "/Nums" in node:
                arr = node.Nums
                for i in range(0, len(arr), 2):
                    nums[int(arr[i])] = arr[i + 1]
            for kid in node.get("/Kids", []):
                collect(kid)
        collect(pt)
    next_key = int(str_root.get("/ParentTreeNextKey", -1))
    if nums and next_key <= max(nums):
        errors.append(f"TAG: /ParentTreeNextKey {next_key} is not above every key ({max(nums)})")

    page_no = {}
    painted = {}  # (page, mcid)
    annots = {}
    for i, page in enumerate(pdf.pages, 1):
        page_no[page.obj.objgen] = i
        if page.obj.get("/Tabs") != Name.S:
            errors.append(f"TAG page {i}: no /Tabs /S")
        sp = page.obj.get("/StructParents")
        mcids = page_marks(pdf, i, page, errors)
        if sp is None:
            if mcids:
                errors.append(f"TAG page {i}: marked content but no /StructParents")
            sp_arr = None
        else:
            sp_arr = nums.get(int(sp))
            if sp_arr is None:
                errors.append(f"TAG page {i}: /StructParents {int(sp)} not in the /ParentTree")
        for m in mcids:
            painted[(i, m)] = sp_arr[m] if sp_arr is not None and m < len(sp_arr) else None
            if sp_arr is not None and m >= len(sp_arr):
                errors.append(f"TAG page {i}: MCID {m} has no /ParentTree entry")
        for a in page.obj.get("/Annots", []):
            if a.get("/Subtype") == Name.Link:
                annots[a.objgen] = (i, a)

    # /IDTree: element identifiers (PDF/UA-1 7.9: every Note has one)
    ids = {}

    def collect_ids(node):
        names = node.get("/Names", [])
        for i in range(0, len(names) - 1, 2):
            ids[bytes(names[i])] = names[i + 1]
        for kid in node.get("/Kids", []):
            collect_ids(kid)
    if "/IDTree" in str_root:
        collect_ids(str_root.IDTree)

    claimed = {}
    headings = []
    h1s = {}  # a Sect's key → its H1s
    sects = []  # the Sects being walked, innermost last
    seen_objr = set()

    def walk(elem, parent):
        s = str(elem.get("/S", ""))[1:]
        if parent is not None and key(elem.get("/P")) != key(parent):
            errors.append(f"TAG: {s} element's /P is not its parent")
        m = HEADING.match(s)
        if m:
            headings.append(int(m.group(1)))
            if m.group(1) == "1" and sects:
                h1s[sects[-1]] = h1s.get(sects[-1], 0) + 1
        if s == "Sect":
            sects.append(key(elem))
        if s == "Figure" and not lenient and not str(elem.get("/Alt", "")).strip():
            errors.append("TAG: a Figure has no /Alt")
        if s == "Note":
            nid = bytes(elem.get("/ID", b""))
            if not nid:
                errors.append("TAG: a Note has no /ID")
            elif key(ids.get(nid)) != key(elem):
                errors.append(f"TAG: Note {nid.decode('latin-1')} is not in the /IDTree under its /ID")
        kids = elem.get("/K")
        if kids is None:
            kids = []
        elif not isinstance(kids, pikepdf.Array):
            kids = [kids]
        has_objr = False
        for k in kids:
            if isinstance(k, int) or (hasattr(k, "is_integer") and k.is_integer):
                pg = elem.get("/Pg")
                ref = (page_no.get(pg.objgen) if pg is not None else None, int(k))
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.MCR:
                pg = k.get("/Pg", elem.get("/Pg"))
                ref = (page_no.get(pg.objgen) if pg is not None else None, int(k.MCID))
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.OBJR:
                has_objr = True
                a = k.Obj
                seen_objr.add(a.objgen)
                if not str(a.get("/Contents", "")).strip():
                    errors.append("TAG: a link annotation has no /Contents")
                sp = a.get("/StructParent")
                if sp is None or key(nums.get(int(sp))) != key(elem):
                    errors.append("TAG: a link annotation's /StructParent does not lead to its Link")
                continue
            elif isinstance(k, pikepdf.Dictionary):
                walk(k, elem)
                continue
            else:
                errors.append(f"TAG: {s} has a kid of unknown kind")
                continue
            if ref in claimed:
                errors.append(f"TAG page {ref[0]}: MCID {ref[1]} claimed by two elements")
            claimed[ref] = elem
            if ref not in painted:
                errors.append(f"TAG page {ref[0]}: {s} claims MCID {ref[1]}, not on the page")
            elif key(painted[ref]) != key(elem) if painted[ref] is not None else True:
                errors.append(f"TAG page {ref[0]}: /ParentTree gives MCID {ref[1]} to another "
                              f"element than {s}")
        if s == "Link" and not has_objr:
            errors.append("TAG: a Link has no OBJR")
        if s == "Sect":
            sects.pop()

    kids = str_root.get("/K")
    for k in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if k is not None:
            walk(k, str_root)
    for ref in painted:
        if ref not in claimed:
            errors.append(f"TAG page {ref[0]}: MCID {ref[1]} belongs to no element")
    for og, (i, a) in annots.items():
        if og not in seen_objr:
            errors.append(f"TAG page {i}: a link annotation is not in the structure tree")
    # a section has one title: what it holds (a lab page in the projects) ranks below it
    if not lenient and any(n > 1 for n in h1s.values()):
        errors.append(f"TAG: a Sect holds {max(h1s.values())} H1 headings; its parts are H2 and below")
    prev = headings[0] - 1 if lenient and headings else 0
    for h in headings:
        if h > prev + 1:
            errors.append(f"TAG: heading H{h} follows H{prev}: a level is skipped")
        prev = h
    if not painted:
        errors.append("TAG: no marked content at all")
    return errors


def outline(path):
    """Sections and headings, from pdfinfo -struct-text, one a line."""
    out = subprocess.run(["pdfinfo", "-struct-text", path], capture_output=True, text=True,
                         check=True).stdout
    lines, want = [], None
    for line in out.splitlines():
        m = re.match(r"^(\s*)(Sect|H[1-6])\b", line)
        if m:
            depth = len(m.group(1)) // 2
            lines.append("  " * depth + m.group(2))
            want = len(lines) - 1 if m.group(2) != "Sect" else None
        elif want is not None and re.match(r'^\s*"', line):
            lines[want] += " " + line.strip().strip('"')
        elif not re.match(r'^\s*"', line):
            want = None
    return lines


def mutations(path):
    """(what, function that breaks an open pikepdf.Pdf) pairs."""
    def content_edit(fn):
        def run(pdf):
            for page in pdf.pages:
                ops = pikepdf.parse_content_stream(page)
                new = fn(ops)
                if new is not None:
                    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(new))
                    return True
            return False
        return run

    def drop_first_bdc(ops):  # a text item painted untagged
        for i, (o, op) in enumerate(ops):
            if str(op) == "BDC" and i + 1 < len(ops):
                j = next(k for k in range(i, len(ops)) if str(ops[k][1]) == "EMC")
                return ops[:i] + ops[i + 1:j] + ops[j + 1:]
        return None

    def emc_after_et(ops):  # a BDC inside BT closing after ET
        for i, (o, op) in enumerate(ops):
            if str(op) == "EMC" and i + 1 < len(ops) and str(ops[i + 1][1]) == "ET":
                return ops[:i] + [ops[i + 1], ops[i]] + ops[i + 2:]
        return None

    def no_alt(pdf):
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == Name.Figure and "/Alt" in obj:
                del obj["/Alt"]
                return True
        return False

    def skip_level(pdf):
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/P" in obj and obj.get("/S") == Name.H1:
                obj.S = Name.H3
                return True
        return False

    def second_h1(pdf):  # an H2 promoted beside its section's H1
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/P" in obj and obj.get("/S") == Name.H2 \
                    and obj.P.get("/S") == Name.Sect:
                obj.S = Name.H1
                return True
        return False

    def no_objr(pdf):
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == Name.Link:
                obj.K = pikepdf.Array([k for k in obj.K if not (
                    isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.OBJR)])
                return True
        return False

    def parent_tree_off(pdf):
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(1, len(nums), 2):
            arr = nums[i]
            if isinstance(arr, pikepdf.Array) and len(arr) >= 2:
                arr[0], arr[1] = arr[1], arr[0]
                if arr[0].objgen != arr[1].objgen:
                    return True
        return False

    def not_marked(pdf):
        del pdf.Root["/MarkInfo"]
        return True

    def note_without_id(pdf):  # None (not applicable) for a PDF without notes
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == Name.Note and "/ID" in obj:
                del obj["/ID"]
                return True
        return None

    return [("untagged painting", content_edit(drop_first_bdc)),
            ("EMC after ET", content_edit(emc_after_et)),
            ("Figure without /Alt", no_alt),
            ("heading skips a level", skip_level),
            ("two H1 in a Sect", second_h1),
            ("Link without OBJR", no_objr),
            ("ParentTree disagrees", parent_tree_off),
            ("no MarkInfo", not_marked),
            ("Note without /ID", note_without_id)]


def main(argv):
    lenient = "--test-layout" in argv
    argv = [a for a in argv if a != "--test-layout"]
    if len(argv) != 3 or argv[1] not in ("check", "outline", "selftest"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, path = argv[1], argv[2]
    if cmd == "outline":
        print("\n".join(outline(path)))
        return 0
    if cmd == "check":
        with pikepdf.open(path) as pdf:
            errors = check(pdf, lenient)
        for e in errors:
            print(e)
        return 1 if errors else 0
    bad = 0
    with pikepdf.open(path) as pdf:
        if check(pdf):
            print("TAG: selftest needs a PDF that passes")
            return 1
    for what, breaker in mutations(path):
        with pikepdf.open(path) as pdf:
            made = breaker(pdf)
            if made is None:
                continue
            if not made:
                print(f"TAG selftest: could not make '{what}' (nothing to break)")
                bad += 1
                continue
            if not check(pdf):
                print(f"TAG selftest: '{what}' passed the check")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
