#!/usr/bin/env python3
"""Reads a rendered review back and checks what a reader would see.

usage:
  pdfcheck.py text CONTENT.xml OUT.pdf [--layout NAME] [--exceptions FILE]
      every piece of content (titles, names, figures, members, winners, table cells, every
      paragraph whole, ...) is in the PDF's text with its spacing, and breaks across lines
      only at sensible points (a space, a hyphen, after . / @ in a handle or URL; no hyphen
      added inside a handle or URL), except what FILE lists for this layout and sample
  pdfcheck.py geometry OUT.pdf
      no word leaves its page; no two words' ink cores overlap, nor their whole boxes
      (pdftotext -bbox-layout: ascent to descent) by more than a quarter of the smaller box
  pdfcheck.py contrast OUT.pdf
      every word's box holds ink that stands out from the box's background (rendered pixels)
  pdfcheck.py all CONTENT.xml OUT.pdf [--layout NAME] [--exceptions FILE]
      the three above
  pdfcheck.py next-year CONTENT.xml OUT.xml
      writes CONTENT with its period moved on a year (dates, short form, text)
  pdfcheck.py scrub CONTENT.xml OUT.xml OLD [OLD...]
      writes CONTENT with every OLD period (2018–19) replaced by a marker period (1999–00)
  pdfcheck.py stale OUT.pdf OLD [OLD...]
      no OLD string (the previous period) on the PDF's pages, in its metadata or bookmarks:
      render scrubbed content, and any that is left came from the layout

Each failure is one line: `CHECK page N: what`, and the exit status is 1.
Needs poppler-utils (pdftotext, pdftoppm) and python3-pil; no other packages.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML = "{http://www.w3.org/1999/xhtml}"

# ---------------------------------------------------------------- text normalisation

# Hyphens a layout may add or a line break may leave; dashes and minus signs are kept.
HYPHENS = dict.fromkeys(map(ord, "-\u2010\u2011\u00ad"), None)


def squash(s):
    """Text as a reader compares it when spacing is set aside: case, spacing, hyphenation and
    compatibility forms (a subscript ₂ and a <sub>2</sub>, a ligature and its letters) make
    no difference."""
    s = unicodedata.normalize("NFKC", s).casefold().translate(HYPHENS)
    return re.sub(r"\s+", "", s)


def soft(s):
    """Like squash, but spaces and hyphens count: a run of spaces is one space, a run of
    whitespace holding a line break is one line break (a page's text keeps its lines);
    every hyphen is "-"."""
    s = unicodedata.normalize("NFKC", s).casefold().translate(HYPHEN_LIKE)
    return re.sub(r"\s+", lambda m: "\n" if "\n" in m.group(0) else " ", s)


HYPHEN_LIKE = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00ad": "-"})
# A line may end here: a hyphen the layout added (hyphenation), then the break.
BREAK = "(?:-?\n)?"


def needle_chars(needle):
    return soft(needle.replace("\u00ad", "")).replace("\n", " ")


# Where an inline <note> stands in the content's text: its mark, a number the layout makes.
MARK = "\x01"


def needle_pattern(needle):
    """A regex for the content's text in a page's text: a line may break between any two
    characters (after a hyphen the layout adds, or not) and in place of a space; no space
    may be added or lost elsewhere; a note's mark is a number, glued to the word before it.
    Whether a break is a sensible one is bad_breaks'."""
    parts = ["[ \n]" if ch == " " else r"\d{0,3}" if ch == MARK else re.escape(ch)
             for ch in needle_chars(needle)]
    return re.compile(BREAK.join(parts))


# After these a line may break without a hyphen (URLs, handles, paths, ranges)...
BREAK_AFTER = set(".@/_-\u2013\u2014:")
# ...and before these.
BREAK_BEFORE = set("@/")


def whole_words(hay, m):
    """Whether a match starts and ends at word boundaries."""
    first, last = m.group(0)[:1], m.group(0)[-1:]
    before, after = hay[m.start() - 1:m.start()], hay[m.end():m.end() + 1]
    return not (first.isalnum() and before.isalnum()) and not (last.isalnum() and after.isalnum())


def bad_breaks(needle, hay, m, link):
    """The line breaks inside one match of needle in hay that a reader would call wrong: a
    word broken with no hyphen, not after punctuation that allows it; in a handle, an
    address or a URL (link), also a hyphen the layout added (it changes what one types)."""
    nc = needle_chars(needle)
    out, i, j = [], m.start(), 0
    while i < m.end() and j <= len(nc):
        c = hay[i]
        if j < len(nc) and nc[j] == MARK:  # a note's mark: its digits
            while i < m.end() and hay[i].isdigit():
                i += 1
            j += 1
            continue
        if j < len(nc) and (c == nc[j] or (nc[j] == " " and c in " \n")):
            i, j = i + 1, j + 1
            continue
        before, after = nc[max(0, j - 12):j], nc[j:j + 12]
        if c == "-" and hay[i + 1:i + 2] == "\n":
            if link:
                out.append(f"a hyphen added inside it: '{before}-⏎{after}'")
            i += 2
        elif c == "\n":
            if not (j and nc[j - 1] in BREAK_AFTER) and not (j < len(nc) and nc[j] in BREAK_BEFORE):
                out.append(f"a line breaks inside a word with no hyphen: '{before}⏎{after}'")
            i += 1
        else:
            break  # cannot happen for a match of needle_pattern
    return out


def words_of(s):
    return unicodedata.normalize("NFC", s).split()


# ---------------------------------------------------------------- what the content says

# Elements whose whole text must appear (names, titles, short labels).
WHOLE = {
    "title", "name", "short-name", "heading", "winner", "place", "partner", "organisation",
    "role", "member", "cell", "web", "email", "phone", "line", "principle", "period", "a",
    "term", "column",
}
# Prose: the whole text must appear too (read across line, column and page breaks).
PROSE = {
    "p", "citation", "detail", "note", "quote", "strapline", "legal", "attribution", "caption",
    "credit", "item", "point", "summary", "funding",
}
# Inline markup belongs to the enclosing prose.
INLINE = {"em", "strong", "span", "sub", "sup", "br", "a"}
# Subtrees that are data for layouts, not text to print.
SKIP = {"vocabulary", "logo"}
# Attributes that print.
ATTRS = {
    "figure": ["display", "label", "qualifier"],
    "change": ["display"],
    "category": ["name"],
    "individuals": ["title"],
    "social": ["handle"],
    "item": ["term"],
    "project": ["lead"],
    "case-study": ["organisation"],
}


def local(tag):
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def text_of(el):
    """An element's text as printed: a <br/> is a line break, so a space here; an inline
    <note> prints apart, leaving its mark (MARK) on the word before it."""
    parts = []

    def walk(e, top=False):
        if local(e.tag) == "br":
            parts.append(" ")
        if not top and local(e.tag) == "note":
            while parts and parts[-1][-1:].isspace():  # the mark hangs on the word
                parts[-1] = parts[-1].rstrip()
            parts.append(MARK)
            return
        parts.append(e.text or "")
        for c in e:
            walk(c)
            parts.append(c.tail or "")
    walk(el, True)
    return " ".join("".join(parts).split())


def inline_notes(el):
    """The inline <note>s inside el (not a table's or the members' own note)."""
    return [n for n in el.iter() if n is not el and local(n.tag) == "note"]


def is_inline(child, parent):
    tag = local(child.tag)
    return tag in INLINE or (tag == "note" and local(parent.tag) not in ("table", "members"))


def has_block_children(el):
    return any(not is_inline(c, el) for c in el)


def expected(content):
    """(key, needle, what) for every string the content says should print. key is the
    element path from the root (e.g. boards/board/seat/role, figures/figure@display), which
    the exceptions file matches."""
    root = ET.parse(content).getroot()
    out = []

    def add(key, s, what=None):
        s = " ".join(s.split())
        if s:
            out.append((key, s, what or s))

    doc_lang = root.get(XML_LANG, "")

    def walk(el, path, alt=False):
        tag = local(el.tag)
        if tag in SKIP:
            return
        key = f"{path}/{tag}" if path else tag
        if not path and el.get("id"):
            key += "#" + el.get("id")  # top-level sections by id: section#finance/p
        lang = el.get(XML_LANG)
        first_name = tag in ("title", "name") and not alt
        if lang and lang != doc_lang and not first_name:
            key += f"[{lang}]"  # another language's version: section#foreword/p[cy]
        elif alt:
            key += "[alt]"  # a later title or name in the document's own language
        if el.get("kicker"):
            add(f"{key}@kicker", el.get("kicker"))
        for attr in ATTRS.get(tag, []):
            if el.get(attr):
                add(f"{key}@{attr}", el.get(attr))
        if tag == "funding" and el.get("amount"):
            amount = el.get("amount")
            if re.fullmatch(r"\d+", amount):
                amount = f"{int(amount):,}"
            add(f"{key}@amount", amount)
        if (tag in WHOLE or tag in PROSE) and not has_block_children(el):
            for n in inline_notes(el):  # each note's own text, printed apart
                w = words_of(text_of(n))
                add(f"{key}/note", " ".join(w), " ".join(w[:8]) + (" …" if len(w) > 8 else ""))
        if tag in WHOLE and not has_block_children(el):
            add(key, text_of(el))
            return
        if tag in PROSE and not has_block_children(el):
            w = words_of(text_of(el))
            add(key, " ".join(w), " ".join(w[:8]) + (" …" if len(w) > 8 else ""))
            return
        if tag in PROSE:
            # Mixed: its own text (and inline markup) before the first block child is prose
            # too, e.g. a quote's words before its attribution.
            lead = ET.Element(el.tag)
            lead.text = el.text
            for c in el:
                if not is_inline(c, el):
                    break
                lead.append(c)
            w = words_of(text_of(lead))
            if w:
                add(key, " ".join(w), " ".join(w[:8]) + (" …" if len(w) > 8 else ""))
        seen = set()
        for child in el:
            ctag = local(child.tag)
            if is_inline(child, el) and tag not in ("individual",):
                continue
            walk(child, key, ctag in ("title", "name") and ctag in seen)
            seen.add(ctag)

    seen = set()
    for child in root:
        walk(child, "", local(child.tag) == "title" and "title" in seen)
        seen.add(local(child.tag))
    return out


def read_exceptions(path, layout, sample):
    """Lines `LAYOUT-GLOB SAMPLE-GLOB KEY-GLOB reason…`; # starts a comment."""
    rules = []
    if not path:
        return rules
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                sys.exit(f"{path}:{n}: want LAYOUT SAMPLE KEY REASON")
            lg, sg, kg, _ = parts
            if fnmatch.fnmatch(layout, lg) and fnmatch.fnmatch(sample, sg):
                rules.append(kg)
    return rules


# ---------------------------------------------------------------- what the PDF says

def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8")


def pdf_pages_text(pdf):
    """The text of each page in drawing order, lines kept."""
    return run("pdftotext", "-raw", "-enc", "UTF-8", pdf, "-").split("\f")


# A page number beside a "·" ("Section · 4", "4 · Section"), or a page of pages ("5 / 26")
# ending the line: a running foot, also where its words (a section's name) foot one page only.
FOOT = re.compile(r"(^#·)|(·#$)|(#/#$)")


def haystacks(pages, norm, notes=()):
    """The whole text; and the same without running heads and feet (lines that repeat,
    digits aside, on three pages or more) and footnotes (lines of the notes' texts, `notes`
    squashed), so that a paragraph broken across a page reads on. norm normalises each."""
    def is_note(l):
        s = re.sub(r"^\d+", "", squash(l))
        return len(s) >= 8 and any(s in n for n in notes)

    def furniture(l):
        return re.sub(r"\d+", "#", squash(l))
    count = {}
    for p in pages:
        for l in set(furniture(l) for l in p.splitlines() if l.strip()):
            count[l] = count.get(l, 0) + 1
    # a page's first and last lines are running heads and feet already when they
    # repeat on two pages (a section's foot where sections share pages)
    edges = set()
    for p in pages:
        ls = [l for l in p.splitlines() if l.strip()]
        edges.update(furniture(l) for l in ls[:1] + ls[-1:])

    # and a page's edge line that sets a page number beside a "·" ("Section · 4",
    # "4 · Section") or ends in a page of pages ("Section 5 / 26") is a running foot even
    # once (a section whose name foots one page: the page a paragraph runs over from the
    # section before, named by the section at its top)
    def is_furniture(l):
        f = furniture(l)
        n = count.get(f, 0)
        return n >= 3 or (n >= 2 and f in edges) or (f in edges and bool(FOOT.search(f)))

    full = norm("\n".join(pages))
    body = norm("\n".join(l for p in pages for l in p.splitlines()
                          if not is_furniture(l) and not is_note(l)))
    return full, body


def where_differs(needle, hay):
    """Where the page's text parts from the content: the longest start of the content that
    is in the text, and what follows it on each side."""
    nc = needle_chars(needle)
    lo, hi, m = 1, len(nc), None
    while lo <= hi:
        mid = (lo + hi) // 2
        found = needle_pattern(nc[:mid]).search(hay)
        if found:
            lo, m = mid + 1, found
        else:
            hi = mid - 1
    if not m:
        return "not found"
    k = lo - 1
    pdf_next = hay[max(0, m.end() - 12):m.end() + 12].replace("\n", "⏎")
    want = nc[max(0, k - 12):k + 12]
    return f"the PDF has '{pdf_next}' where the content has '{want}'"


def check_text(content, pdf, layout, exceptions):
    sample = os.path.basename(content)
    skip = read_exceptions(exceptions, layout, sample)
    pages = pdf_pages_text(pdf)
    strings = expected(content)
    notes = [squash(n) for k, n, _ in strings
             if k.endswith("/note") and not re.search(r"(table|members)(#[^/]*)?/note$", k)]
    full, body = haystacks(pages, soft, notes)
    sq_full, sq_body = haystacks(pages, squash, notes)
    fails, checked, excused = [], 0, 0
    for key, needle, what in strings:
        if any(fnmatch.fnmatch(key, g) for g in skip):
            excused += 1
            continue
        checked += 1
        pat = needle_pattern(needle)
        link = bool(re.search(r"@handle$|/(web|email|a)$", key)) or "://" in needle
        found = [(hay, m) for hay in (full, body) for m in pat.finditer(hay)]
        if found:
            # A string prints well if one of its occurrences does, preferring occurrences
            # that are whole words (a short string also turns up inside longer ones).
            whole = [(h, m) for h, m in found if whole_words(h, m)] or found
            breaks = [bad_breaks(needle, h, m, link) for h, m in whole]
            if all(breaks):
                fails += [f"text: badly broken {key}: {what}: {b}" for b in breaks[0]]
            continue
        n = squash(needle)
        if n in sq_full or n in sq_body:
            fails.append(f"text: spacing differs in {key}: {what}: {where_differs(needle, body)}")
        else:
            fails.append(f"text: missing {key}: {what}")
    return fails, f"{checked} strings found" + (f" ({excused} excused)" if excused else "")


# ---------------------------------------------------------------- word boxes

def word_boxes(pdf, bleed=0.0):
    """[(width, height, [(x0, y0, x1, y1, text)])] per page, in points from the page's top
    left, y down. poppler drops whatever lies outside the page's crop box, so with bleed > 0
    the boxes are read from a copy whose pages are `bleed` larger on every side: a word
    running off the page is then seen whole."""
    src = pdf
    with tempfile.TemporaryDirectory() as tmp:
        if bleed:
            import pikepdf
            src = os.path.join(tmp, "bleed.pdf")
            with pikepdf.open(pdf) as doc:
                for page in doc.pages:
                    x0, y0, x1, y1 = [float(v) for v in page.mediabox]
                    box = pikepdf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
                    page.obj.MediaBox = box
                    if "/CropBox" in page.obj:
                        del page.obj["/CropBox"]
                doc.save(src)
        raw = run("pdftotext", "-bbox-layout", "-enc", "UTF-8", src, "-")
    root = ET.fromstring(raw)
    pages = []
    for page in root.iter(XHTML + "page"):
        words = [(float(w.get("xMin")) - bleed, float(w.get("yMin")) - bleed,
                  float(w.get("xMax")) - bleed, float(w.get("yMax")) - bleed, w.text or "")
                 for w in page.iter(XHTML + "word")]
        pages.append((float(page.get("width")) - 2 * bleed,
                      float(page.get("height")) - 2 * bleed, words))
    return pages


def core(b):
    """The part of a word's box its glyphs really fill: poppler's box runs from the font's
    ascent to its descent (1.36 em for Open Sans), taller than the ink and than a tight line
    pitch; keep from just above cap height to just above the descenders' end, and 0.4 pt in
    from each side."""
    x0, y0, x1, y1 = b[:4]
    h = y1 - y0
    return (x0 + 0.4, y0 + 0.30 * h, x1 - 0.4, y1 - 0.15 * h)


def check_geometry(pdf, tol=1.0):
    fails = []
    pages = word_boxes(pdf, bleed=300.0)
    for pno, (pw, ph, words) in enumerate(pages, 1):
        for w in words:
            if w[0] < -tol or w[1] < -tol or w[2] > pw + tol or w[3] > ph + tol:
                fails.append(f"geometry page {pno}: word '{w[4]}' leaves the page "
                             f"(box {w[0]:.1f},{w[1]:.1f}–{w[2]:.1f},{w[3]:.1f} on "
                             f"{pw:.1f}×{ph:.1f})")
        cores = sorted((core(w), w) for w in words)
        # Sweep along x: only boxes whose x ranges meet can overlap.
        for i, (a, wa) in enumerate(cores):
            for b, wb in cores[i + 1:]:
                if b[0] >= a[2]:
                    break
                if wa[4] == wb[4] and all(abs(u - v) < 0.5 for u, v in zip(wa[:4], wb[:4])):
                    continue  # one word drawn twice in one place (e.g. fill, then stroke)
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                if dx > 0.5 and dy > 0.5:
                    fails.append(f"geometry page {pno}: words overlap: '{wa[4]}' at "
                                 f"{wa[0]:.1f},{wa[1]:.1f} and '{wb[4]}' at "
                                 f"{wb[0]:.1f},{wb[1]:.1f} ({dx:.1f}×{dy:.1f} pt)")
    return fails + check_boxes(pages)


def check_boxes(pages, share=0.25):
    """The issue's test, literally: two words whose boxes, as poppler reports them
    (`pdftotext -bbox`: font ascent to descent), overlap by more than `share` of the smaller
    box. Stricter than the ink cores above where display type is set on a tight leading: the
    ascenders of one line must not run far into the descenders of the line above."""
    fails = []
    for pno, (_pw, _ph, words) in enumerate(pages, 1):
        boxes = sorted(w for w in words if w[2] > w[0] and w[3] > w[1])
        for i, a in enumerate(boxes):
            area_a = (a[2] - a[0]) * (a[3] - a[1])
            for b in boxes[i + 1:]:
                if b[0] >= a[2]:
                    break
                if a[4] == b[4] and all(abs(u - v) < 0.5 for u, v in zip(a[:4], b[:4])):
                    continue  # one word drawn twice in one place (e.g. fill, then stroke)
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                if dx <= 0 or dy <= 0:
                    continue
                smaller = min(area_a, (b[2] - b[0]) * (b[3] - b[1]))
                if dx * dy > share * smaller:
                    fails.append(f"geometry page {pno}: word boxes overlap by "
                                 f"{100 * dx * dy / smaller:.0f}% of the smaller: '{a[4]}' at "
                                 f"{a[0]:.1f},{a[1]:.1f} and '{b[4]}' at {b[0]:.1f},{b[1]:.1f}")
    return fails


# ---------------------------------------------------------------- contrast

def srgb_luminance(rgb, cache={}):
    if rgb not in cache:
        def lin(c):
            c /= 255.0
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = rgb[:3]
        cache[rgb] = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return cache[rgb]


def contrast(l1, l2):
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


DPI = 120
MIN_RATIO = 3.0


def check_contrast(pdf, dpi=DPI):
    """For each word: the box's most common colour is what lies under the text (glyphs cover
    less than half of a word's box); the word passes if one of its pixels or more differs from that
    colour by a luminance contrast ratio of MIN_RATIO or more. White on white, or purple on
    purple, leaves no such pixel."""
    from PIL import Image
    fails = []
    scale = dpi / 72.0
    pages = word_boxes(pdf)
    with tempfile.TemporaryDirectory() as tmp:
        for pno, (pw, ph, words) in enumerate(pages, 1):
            # One page at a time, uncompressed (PNG encoding costs ten times the rendering).
            base = os.path.join(tmp, "p")
            subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(pno), "-l", str(pno),
                            "-singlefile", pdf, base], check=True)
            with Image.open(base + ".ppm") as page_image:
                im = page_image.convert("RGB")
            for w in words:
                if not any(ch.isalnum() for ch in w[4]):
                    continue  # a lone dash or bullet may be thinner than a pixel's worth
                x0, y0 = max(0, int(w[0] * scale)), max(0, int(w[1] * scale))
                x1, y1 = min(im.width, int(w[2] * scale + 1)), min(im.height, int(w[3] * scale + 1))
                if x1 <= x0 or y1 <= y0:
                    continue  # off the page: the geometry check says so
                colours = im.crop((x0, y0, x1, y1)).getcolors((x1 - x0) * (y1 - y0))
                bg_count, bg = max(colours)
                lb = srgb_luminance(bg)
                ink = sum(n for n, c in colours if contrast(srgb_luminance(c), lb) >= MIN_RATIO)
                if ink < 1:
                    best = max(contrast(srgb_luminance(c), lb) for n, c in colours)
                    fails.append(f"contrast page {pno}: word '{w[4]}' at {w[0]:.1f},{w[1]:.1f} "
                                 f"does not stand out from its background "
                                 f"#{bg[0]:02x}{bg[1]:02x}{bg[2]:02x} (best contrast "
                                 f"{best:.2f}:1, need {MIN_RATIO}:1)")
    return fails


# ---------------------------------------------------------------- next year

def shift_year(m):
    return str(int(m.group(0)) + 1)


def next_year(src, dst):
    """The period moved on a year: from/to dates, the short form and the printed text
    (every four-digit year and two-digit tail inside the period element). Nothing else
    changes: other mentions of the old year stay, as they would in a real next year's draft
    before it is edited."""
    text = open(src, encoding="utf-8").read()
    m = re.search(r"<period\b[^>]*>.*?</period>", text, re.S)
    if not m:
        sys.exit(f"{src}: no <period>")
    old = m.group(0)
    new = re.sub(r"\b(19|20)\d\d\b", shift_year, old)
    # A short form such as 2018–19 or 2018-19: its two-digit tail moves too.
    new = re.sub(r"(\b(?:19|20)\d\d[\u2013-])(\d\d)\b(?![-\d])",
                 lambda mm: mm.group(1) + f"{(int(mm.group(2)) + 1) % 100:02d}", new)
    if new == old:
        sys.exit(f"{src}: the period has no year to move")
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text[:m.start()] + new + text[m.end():])


def scrub(src, dst, olds, marker_year=1999):
    """Content in which every remaining mention of an old period (2018–19, 2018-19) says
    another one (1999–00): rendered, any old period left in the PDF came from the layout,
    and every mention that came from the content shows as the marker instead."""
    text = open(src, encoding="utf-8").read()
    for old in olds:
        m = re.fullmatch(r"((?:19|20)\d\d)(\D+)(\d\d)", old)
        new = f"{marker_year}{m.group(2)}{(marker_year + 1) % 100:02d}" if m else "–"
        text = text.replace(old, new)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)


def pdf_labels(pdf):
    """[(where, text)]: the document information (title, subject, keywords, author) and the
    bookmarks, which a reader sees outside the pages."""
    import pikepdf
    out = []
    with pikepdf.open(pdf) as doc:
        for k, v in doc.docinfo.items():
            if k in ("/Title", "/Subject", "/Keywords", "/Author"):
                out.append((f"metadata {k[1:]}", str(v)))

        def walk(items):
            for i in items:
                out.append(("bookmark", str(i.title)))
                walk(i.children)
        with doc.open_outline() as o:
            walk(o.root)
    return out


def check_stale(pdf, olds):
    """No old string (the previous period) on the PDF's pages, in its metadata or in its
    bookmarks. Given scrubbed content (scrub), every one left came from the layout."""
    lines = [(f"page {pno}", line) for pno, page in enumerate(pdf_pages_text(pdf), 1)
             for line in page.splitlines()]
    return [f"stale {where}: prints '{old}', which the content does not say: '{line.strip()}'"
            for where, line in lines + pdf_labels(pdf) for old in olds if old in line]


# ---------------------------------------------------------------- command line

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["text", "geometry", "contrast", "all", "next-year",
                                        "scrub", "stale"])
    ap.add_argument("args", nargs="+")
    ap.add_argument("--layout", default="")
    ap.add_argument("--exceptions")
    a = ap.parse_args()
    fails, notes = [], []
    if a.command == "next-year":
        next_year(*a.args)
        return 0
    if a.command == "scrub":
        scrub(a.args[0], a.args[1], a.args[2:])
        return 0
    if a.command == "stale":
        fails = check_stale(a.args[0], a.args[1:])
    else:
        pdf = a.args[-1]
        if a.command in ("text", "all"):
            f, note = check_text(a.args[0], pdf, a.layout, a.exceptions)
            fails += f
            notes.append(note)
        if a.command in ("geometry", "all"):
            fails += check_geometry(pdf)
        if a.command in ("contrast", "all"):
            fails += check_contrast(pdf)
    for f in fails:
        print(f)
    if not fails:
        print("ok" + (": " + "; ".join(notes) if notes else ""))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
