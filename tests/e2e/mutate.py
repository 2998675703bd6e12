#!/usr/bin/python3
"""Deterministic mutants of a content or layout document, for test_mutations.sh.

    mutate.py flatten LAYOUT OUT
        Writes LAYOUT with its XIncludes expanded in place (text level, so line
        numbers stay meaningful), font paths rewritten for OUT's folder.

    mutate.py generate --kind content|layout --src FILE --out DIR --count N [--first S]
                       [--images DIR]
        Writes N mutants of FILE into DIR, one per seed S, S+1, …: DIR/<kind>-<seed>.xml,
        and prints one line per mutant: seed, path and the mutations applied (tab-separated).
        The same seed always gives the same bytes (Python's random.Random is stable), so a
        failure is reproduced with --first SEED --count 1.

Mutations work on the document's bytes, with regular expressions for tags,
attributes and text: byte flips, line and element deletion and duplication,
truncation, swapped and odd attribute values (numbers, dates, lengths, colours,
XPath, paths), deep nesting, very long words, invalid UTF-8, control
characters, noncharacters, astral-plane characters, empty elements, removed
and added attributes, renamed elements, XIncludes and entity declarations;
and pictures: a corrupted copy of one in --images (cut, flipped bytes, a
stated size of 0 or 65535, garbage after the end) or an odd PNG made here
(huge, 16-bit, palette, many chunks), written beside the mutant
(<kind>-<seed>.png) and named by its logo, a person's photo or an image src.
Standard library only.
"""
import argparse
import os
import re
import struct
import sys
import zlib
from random import Random

# ---- values ------------------------------------------------------------------------------

NUMBERS = ["0", "-0", "-1", "1", "2", "13", "99999999999", "-99999999999", "1e308", "-1e308",
           "1e-308", "1e9999", "NaN", "nan", "Infinity", "-Infinity", "inf", "0x10", "1.5",
           "0.0000001", "007", "+5", ".5", "5.", "1,000", "1" * 400, "٣", "", " ", "two"]
DATES = ["2019-13-45", "2019-02-29", "2020-02-29", "2019-00-00", "0000-01-01", "9999-12-31",
         "99999-01-01", "-2019-01-01", "2019-1-1", "2019", "2019-07", "2019-07-31T10:00",
         "2019-07-31Z", "19-07-31", "2019/07/31", "31-07-2019", "2019-12-32", "2019-04-31",
         "1900-02-29", "2000-02-29", "2019-07-31 ", "２０１９-07-31", ""]
LENGTHS = ["0mm", "-5mm", "1e9pt", "1e308pt", "-1e308mm", "1e9999pt", "NaNpt", "NaN", "infpt",
           "0", "-0", "5", "5 mm", "5MM", "mm", "pt", "1e-308pt", "0.0000001pt", "100%",
           "-100%", "1000%", "100% - 1e9mm", "100% + 100%", "1mm - - 2mm", "1mm -", "- 1mm",
           "1pt 2pt 3pt 4pt 5pt", "0 0 0 0", "-1pt -1pt", "", " ", "99999999999pt", "0x10pt",
           "1,5mm", "+5mm", ".5mm", "5.mm", "3px", "2in", "1cm", "1.2", "0.001",
           "100% - 100%", "50% 50%"]
COLOURS = ["#gggggg", "#fff", "#ffff", "#12345", "#1234567", "#123456789", "#", "", " ",
           "none", "transparent", "black", "white", "red", "nosuch", "accent ", "#FFFFFFFF",
           "#00000000", "rgb(1,2,3)", "link", "paper", "accent", "#5B2A86", "#-12345"]
XPATHS = ["//*", "count(//*)", "1 div 0", "0 div 0", "-1 div 0", "string(/)", "/", ".", "..",
          "../..", "//*//*", "//node()", "//@*", "//text()", "//comment()", "@*", "*",
          "text()", "node()", "/descendant-or-self::node()/descendant-or-self::node()",
          "ancestor-or-self::*", "self::*", "(//*)[last()]", "//*[count(//*) > 0]",
          "//review//review", "$nosuch", "$cards", "$page", "$key", "$group", "nosuch()",
          "person(//*)", "person('')", "person(string(/))", "figure(//@*)", "section(//*)",
          "join(//*, '')", "join(//text(), string(/))", "join(.)", "initials(string(/))",
          "initials('')", "format-number(1 div 0, '#,##0')", "format-number(0 div 0, '0')",
          "format-number(1e308, '0.0%')", "format-number(-1e308, '#,##0.00')",
          "format-number(-1, '')", "format-number(12, '#,##0.00.00')",
          "format-number(1, '#,')", "format-number(1, ',#')", "format-number(1, '%%%')",
          "format-number(1e300, '0.000000000000000000000000000000')",
          "format-number(0.1, '#.##############################')",
          "format-number(string(/), string(/))", "format-date('2019-13-45', 'd MMMM yyyy')",
          "format-date(string(/), 'EEEE')", "format-date('2019-02-29', 'd')",
          "format-date('2019', 'd EEEE')", "format-date('2019-07-31', '')",
          "format-date('-1-01-01', 'yyyy')", "date-range('2019-01-02', '2019-01-01')",
          "date-range(//*, //*)", "date-range('')", "social-url(//*, //@*)",
          "social-url('mastodon', '@@')", "social-url('', '')", "choose(1)",
          "choose(//*, //*, //*)", "concat()", "concat(//*, //*)",
          "substring(string(/), 1 div 0)", "substring(string(/), -1e308, 1e308)",
          "translate(string(/), 'abc', '')", "string-length(string(/))", "sum(//@*)",
          "number('x')", "1e308", "'", '"', "[", "]", "()", "", " ", "|", "@", "::",
          "(" * 40 + "1" + ")" * 40, "1" + "+1" * 3000, "'" + "x" * 100000 + "'",
          "id('sharon-taylor')", "document('x')", "key('a', 'b')", "position() = last()",
          "last()", "name()", "lang('en')", "true()", "false()", "//*[position() = last()]",
          "//person | //seat | //member", "(//* | //@*)[1]", "descendant::*[10000]",
          "following::*", "preceding::*", "namespace::*", "//*[lang('xx')]",
          "count(//*/ancestor::*/descendant::*)"]
PATHS = ["", " ", ".", "..", "/", "/etc/passwd", "/dev/zero", "/dev/urandom", "/proc/self/mem",
         "../../../../etc/passwd", "../images", "../images/", "../images/nope.png",
         "../fonts/OpenSans-Regular.ttf", "../data/sample.xml", "../layouts/annual-review.xml",
         "file:///etc/passwd", "http://example.com/x.png", "https://example.com/x.jpg",
         "data:image/png;base64,iVBORw0KGgo=", "javascript:alert(1)", "mailto:", "?", "#",
         "%2e%2e/x.png", "a\\b.png", "../images/ccin-logo.png#x", "x" * 5000 + ".png",
         "../images/../../x.png", "ccin-logo.png", "../images/ccin-logo.PNG"]
IDS = ["", " ", "nobody", "sharon-taylor", "about", "board", "a b", "x" * 3000, "1", "-",
       "sharon-taylor sharon-taylor", "SHARON-TAYLOR"]
TEXTS = ["", " ", "{", "}", "{{", "}}", "{}", "{/review}", "{$page}", "{$section}", "{$pages}",
         "{//*}", "{string(/)}", "{count(//*)}", "{1 div 0}", "{nosuch()}", "%s%n%x%p",
         "&amp;&lt;&gt;&quot;&apos;", "&#x1F600;", "&#xFFFF;", "&#0;", "&#x85;", "&#xD800;",
         "&nbsp;", "&undefined;", "<![CDATA[ x ]]>", "<!-- c -->", "<?pi x?>", "\t\t", "x" * 80]
ANY = NUMBERS + DATES + LENGTHS + COLOURS + PATHS + IDS + TEXTS + ["true", "false", "yes", "1"]

# Odd values by attribute name; anything else draws from ANY.
CLASS = {}
for _n in ("from", "to", "start", "end", "date", "year", "period"):
    CLASS[_n] = DATES + NUMBERS[:12]
for _n in ("count", "lat", "lon", "votes", "value", "max-funding", "columns", "level",
           "max-lines", "tracking", "version", "min", "max"):
    CLASS[_n] = NUMBERS + ["{" + x + "}" for x in ("1 div 0", "-1", "0", "13", "$nosuch",
                                                   "count(//*)", "'x'", "1e308")]
for _n in ("x", "y", "width", "height", "margin", "padding", "size", "leading",
           "space-before", "space-after", "gap", "row-gap", "gutter", "radius",
           "stroke-width", "rule-width", "indent", "min-size"):
    CLASS[_n] = LENGTHS
for _n in ("fill", "stroke", "color", "rule", "zebra", "placeholder"):
    CLASS[_n] = COLOURS
for _n in ("select", "test", "by"):
    CLASS[_n] = XPATHS
for _n in ("src", "photo", "href", "regular", "bold", "italic", "bold-italic"):
    CLASS[_n] = PATHS + ["{" + x + "}" for x in ("string(/)", "'/etc/passwd'", "//@*",
                                                 "concat('../', 'images/ccin-logo.png')")]
for _n in ("id", "person", "section", "template", "style", "parent", "master", "name",
           "role", "font", "marker-style", "value-style", "label-style", "initials-style"):
    CLASS[_n] = IDS + ["body", "cover", "standard", "h1", "accent", "nosuchstyle"]
CLASS["page"] = CLASS["size"] + ["A0", "A4 sideways", "A4 landscape", "0mm 0mm",
                                 "1e9mm 1e9mm", "-1mm 5mm", "1pt 1pt", "14400pt 14400pt",
                                 "16:9", "4:3 landscape", "letter", "A4  portrait"]
CLASS["focal"] = ["2 2", "-1 -1", "NaN NaN", "0.5", "", "1e308 1e308", "0.5 0.5 0.5", "x y"]
CLASS["marker"] = ["bullet", "(i)", "1.", "a)", "", "{1 div 0}", "x" * 1000, "&#x1F600;"]
CLASS["fit"] = ["contain", "cover", "fill", "none", ""]
CLASS["clip"] = ["circle", "square", "", "rect"]
CLASS["kind"] = ["map", "bar", "member", "associate", "affiliate", "", "x"]

NAMES_POOL = ["p", "span", "box", "item", "list", "paragraph", "grid", "card", "for-each",
              "review", "layout", "template", "brand", "x", "xi:include"]

INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xe2\x82\x28",
                b"\xf0\x28\x8c\xbc", b"\xf0\x90\x28\xbc", b"\xc0\xaf", b"\xe0\x80\xaf",
                b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80",
                b"\xe2\x82", b"\xc3", b"\x80"]
CONTROLS = [bytes([c]) for c in list(range(0, 9)) + [11, 12] + list(range(14, 32)) + [127]]
CONTROLS += [b"\xc2\x80", b"\xc2\x85", b"\xc2\x9f", b"&#1;", b"&#x1b;", b"&#x7f;", b"&#x85;",
             b"\r", b"\r\n", b"\t"]
NONCHARS = [u.encode() for u in ("\uffff", "\ufffe", "\ufdd0", "\ufeff", "\ufffd")]
NONCHARS += [b"&#xFFFF;", b"&#xFFFE;", b"&#xFDD0;", b"&#xD800;", b"&#x110000;"]
ASTRAL = [u.encode() for u in ("\U0001F600", "\U0001F469\u200d\U0001F469\u200d\U0001F467",
                               "\U0010FFFF", "\U0001D518", "\U00020000", "e\u0301\u0301\u0301",
                               "\u202eevil", "\u200b", "\u00ad", "\u00a0", "\u2028", "\u2029",
                               "\U0001F1EC\U0001F1E7", "\uff21", "\u0627\u0644\u0639",
                               "\u4e2d\u6587", "\U0001F600" * 200)]
ASTRAL += [b"&#x1F600;", b"&#x10FFFF;", b"&#128512;"]

# ---- the document as bytes ---------------------------------------------------------------

START = re.compile(rb"<([A-Za-z_][\w.:-]*)((?:\s+[^<>]*?)?)(/?)>")
# A name starts after a character that cannot be in one: without the look-behind,
# a value of 100,000 letters made each of its positions a try at a name (quadratic).
ATTR = re.compile(rb"(?<![\w.:-])([A-Za-z_][\w.:-]*)(\s*=\s*)(\"[^\"<]*\"|'[^'<]*')")
# Unambiguous (white space, then the first other character), so that a long run
# with no "<" after it (a truncated mutant) fails in linear time.
TEXT = re.compile(rb">(\s*[^<\s][^<]*)<")


def start_tags(doc):
    return list(START.finditer(doc))


def element_span(doc, m):
    """(start, end) of the element whose start tag is m, or None if it does not close."""
    if m.group(3) == b"/":
        return m.start(), m.end()
    name = re.escape(m.group(1))
    tag = re.compile(rb"<(/?)" + name + rb"(?=[\s/>])[^<>]*?(/?)>")
    depth = 1
    for t in tag.finditer(doc, m.end()):
        if t.group(2) == b"/":
            continue
        depth += -1 if t.group(1) else 1
        if depth == 0:
            return m.start(), t.end()
    return None


def attrs(doc):
    out = []
    for m in start_tags(doc):
        for a in ATTR.finditer(m.group(2)):
            base = m.start(2)
            out.append((a.group(1).decode(errors="replace"), base + a.start(3) + 1,
                        base + a.end(3) - 1, base + a.start(), base + a.end()))
    return out  # (name, value start, value end, attribute start, attribute end)


def esc(v):
    return v.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def esc_value(v):
    # Entity and character references in TEXTS are meant: keep them, escape the rest.
    if "&" in v and re.fullmatch(r"(?:[^&]|&#?\w+;)*", v):
        return v.replace("<", "&lt;").replace('"', "&quot;")
    return esc(v)


def text_points(doc):
    """Offsets inside text nodes (or just after a start tag when there are none)."""
    pts = [(m.start(1), m.end(1)) for m in TEXT.finditer(doc)]
    return pts


def pick_offset(rng, doc):
    pts = text_points(doc)
    if pts and rng.random() < 0.85:
        a, b = rng.choice(pts)
        return rng.randint(a, b)
    return rng.randrange(len(doc) + 1)


# ---- mutators: each (rng, doc, ctx) -> (doc, description), or None if it does not apply ---

def m_flip_bytes(rng, doc, ctx):
    b = bytearray(doc)
    n = rng.choice([1, 1, 2, 3, 8, 32])
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] = rng.randrange(256) if rng.random() < 0.5 else b[i] ^ (1 << rng.randrange(8))
    return bytes(b), f"flip {n} byte(s)"


def _lines(doc):
    return doc.split(b"\n")


def m_delete_line(rng, doc, ctx):
    ls = _lines(doc)
    i = rng.randrange(len(ls))
    del ls[i]
    return b"\n".join(ls), f"delete line {i + 1}"


def m_duplicate_line(rng, doc, ctx):
    ls = _lines(doc)
    i = rng.randrange(len(ls))
    ls.insert(i, ls[i])
    return b"\n".join(ls), f"duplicate line {i + 1}"


def _element(rng, doc, root_ok=False):
    tags = start_tags(doc)
    if not root_ok:
        tags = tags[1:]
    for _ in range(20):
        if not tags:
            return None
        m = rng.choice(tags)
        span = element_span(doc, m)
        if span:
            return m, span
    return None


def _line_of(doc, off):
    return doc.count(b"\n", 0, off) + 1


def m_delete_element(rng, doc, ctx):
    e = _element(rng, doc)
    if not e:
        return None
    m, (a, b) = e
    return doc[:a] + doc[b:], f"delete <{m.group(1).decode()}> at line {_line_of(doc, a)}"


def m_duplicate_element(rng, doc, ctx):
    e = _element(rng, doc)
    if not e:
        return None
    m, (a, b) = e
    n = rng.choice([1, 1, 2, 50])
    return doc[:b] + doc[a:b] * n + doc[b:], \
        f"duplicate <{m.group(1).decode()}> at line {_line_of(doc, a)} x{n}"


def m_empty_element(rng, doc, ctx):
    e = _element(rng, doc, root_ok=rng.random() < 0.05)
    if not e:
        return None
    m, (a, b) = e
    head = doc[m.start():m.end()]
    if head.endswith(b"/>"):
        return None
    if rng.random() < 0.5:
        new = head[:-1] + b"/>"
    else:
        new = head + b"</" + m.group(1) + b">"
    return doc[:a] + new + doc[b:], f"empty <{m.group(1).decode()}> at line {_line_of(doc, a)}"


def m_rename_element(rng, doc, ctx):
    e = _element(rng, doc, root_ok=rng.random() < 0.05)
    if not e:
        return None
    m, (a, b) = e
    names = sorted({t.group(1) for t in start_tags(doc)}) + [n.encode() for n in NAMES_POOL]
    new = rng.choice(names)
    old = m.group(1)
    body = doc[a:b]
    body = b"<" + new + body[1 + len(old):]
    if body.endswith(b"</" + old + b">"):
        body = body[:-len(old) - 3] + b"</" + new + b">"
    return doc[:a] + body + doc[b:], \
        f"rename <{old.decode()}> at line {_line_of(doc, a)} to <{new.decode()}>"


def m_truncate(rng, doc, ctx):
    i = rng.randrange(len(doc))
    return doc[:i], f"truncate at byte {i}"


def m_swap_attr_values(rng, doc, ctx):
    at = attrs(doc)
    if len(at) < 2:
        return None
    x, y = sorted(rng.sample(range(len(at)), 2))
    (n1, s1, e1, _, _), (n2, s2, e2, _, _) = at[x], at[y]
    v1, v2 = doc[s1:e1], doc[s2:e2]
    out = doc[:s1] + v2 + doc[e1:s2] + v1 + doc[e2:]
    return out, f"swap values of @{n1} (line {_line_of(doc, s1)}) and @{n2} " \
                f"(line {_line_of(doc, s2)})"


def odd_value(rng, name):
    pool = CLASS.get(name, ANY) if rng.random() < 0.8 else ANY
    return rng.choice(pool)


def m_odd_attr_value(rng, doc, ctx):
    at = attrs(doc)
    if not at:
        return None
    if ctx["kind"] == "layout" and rng.random() < 0.6:
        # Favour what the layout language parses: XPath, lengths, colours, numbers.
        typed = [a for a in at if a[0] in CLASS]
        at = typed or at
    name, s, e, _, _ = rng.choice(at)
    v = odd_value(rng, name)
    return doc[:s] + esc_value(v).encode() + doc[e:], \
        f"@{name} at line {_line_of(doc, s)} = {v[:60]!r}"


def m_odd_number(rng, doc, ctx):
    nums = list(re.finditer(rb"(?<![\w#.-])(\d{4}-\d\d-\d\d|\d+(?:\.\d+)?)(?![\w.])", doc))
    if not nums:
        return None
    m = rng.choice(nums)
    v = rng.choice(DATES if b"-" in m.group(1) else NUMBERS)
    # a number in a length keeps its unit: "10pt" stays "<odd>pt"
    return doc[:m.start(1)] + esc(v).encode() + doc[m.end(1):], \
        f"number {m.group(1).decode()} at line {_line_of(doc, m.start())} = {v[:60]!r}"


def m_odd_pattern(rng, doc, ctx):
    exprs = list(re.finditer(rb"\{([^{}<]+)\}", doc))
    if not exprs:
        return None
    m = rng.choice(exprs)
    v = rng.choice(XPATHS)
    return doc[:m.start(1)] + esc(v).encode() + doc[m.end(1):], \
        f"expression {{{m.group(1).decode()[:40]}}} at line {_line_of(doc, m.start())} " \
        f"= {v[:60]!r}"


def m_remove_attr(rng, doc, ctx):
    at = attrs(doc)
    if not at:
        return None
    name, _, _, a, b = rng.choice(at)
    return doc[:a] + doc[b:], f"remove @{name} at line {_line_of(doc, a)}"


def m_add_attr(rng, doc, ctx):
    tags = start_tags(doc)
    if not tags:
        return None
    m = rng.choice(tags)
    names = sorted({a[0] for a in attrs(doc)} | set(CLASS))
    name = rng.choice(names)
    v = odd_value(rng, name)
    i = m.start(2)
    new = f' {name}="{esc_value(v)}"'.encode()
    return doc[:i] + new + doc[i:], \
        f"add @{name}={v[:60]!r} to <{m.group(1).decode()}> at line {_line_of(doc, i)}"


def m_deep_nesting(rng, doc, ctx):
    tags = [t for t in start_tags(doc)[1:] if t.group(3) != b"/"]
    if not tags:
        return None
    m = rng.choice(tags)
    # libxml2 refuses documents nested over 256 deep: test either side of that
    depth = rng.choice([20, 100, 240, 250, 255, 256, 257, 1000, 3000, 20000])
    name = m.group(1) if rng.random() < 0.5 else rng.choice(NAMES_POOL).encode()
    if name == b"xi:include":
        name = b"x"
    nest = (b"<" + name + b">") * depth + b"deep" + (b"</" + name + b">") * depth
    i = m.end()
    return doc[:i] + nest + doc[i:], \
        f"nest <{name.decode()}> {depth} deep in <{m.group(1).decode()}> " \
        f"at line {_line_of(doc, i)}"


def m_long_text(rng, doc, ctx):
    n = rng.choice([100000, 100000, 20000, 1000000])
    kind = rng.choice(["word", "words", "spaces", "attr", "dashes", "wide"])
    if kind == "word":
        s = b"W" * n
    elif kind == "words":
        s = b"word " * (n // 5)
    elif kind == "spaces":
        s = b" " * n
    elif kind == "dashes":
        s = b"-" * n
    elif kind == "wide":
        s = "\u00e9\u2014\u4e2d".encode() * (n // 3)
    else:
        at = attrs(doc)
        if not at:
            return None
        name, s0, e0, _, _ = rng.choice(at)
        return doc[:s0] + b"A" * n + doc[e0:], \
            f"@{name} at line {_line_of(doc, s0)} = {n} x 'A'"
    i = pick_offset(rng, doc)
    return doc[:i] + s + doc[i:], f"insert {n} bytes of {kind} at line {_line_of(doc, i)}"


def _insert(rng, doc, pool, what):
    s = rng.choice(pool)
    at = attrs(doc)
    if at and rng.random() < 0.3:
        name, s0, e0, _, _ = rng.choice(at)
        i = rng.randint(s0, e0)
    else:
        i = pick_offset(rng, doc)
    n = rng.choice([1, 1, 3])
    return doc[:i] + s * n + doc[i:], f"insert {what} {s!r} x{n} at line {_line_of(doc, i)}"


def m_invalid_utf8(rng, doc, ctx):
    return _insert(rng, doc, INVALID_UTF8, "invalid UTF-8")


def m_control(rng, doc, ctx):
    return _insert(rng, doc, CONTROLS, "control character")


def m_nonchar(rng, doc, ctx):
    return _insert(rng, doc, NONCHARS, "noncharacter")


def m_astral(rng, doc, ctx):
    return _insert(rng, doc, ASTRAL, "character")


def m_odd_text(rng, doc, ctx):
    pts = text_points(doc)
    if not pts:
        return None
    a, b = rng.choice(pts)
    v = rng.choice(TEXTS + XPATHS[:20])
    if not v.startswith(("&", "<")) and rng.random() < 0.5:
        v = "{" + v + "}"
    enc = v.encode() if v.startswith(("&", "<")) else esc(v).encode()
    if rng.random() < 0.5:
        return doc[:a] + enc + doc[b:], f"text at line {_line_of(doc, a)} = {v[:60]!r}"
    i = rng.randint(a, b)
    return doc[:i] + enc + doc[i:], f"insert text {v[:60]!r} at line {_line_of(doc, i)}"


def m_xinclude(rng, doc, ctx):
    tags = [t for t in start_tags(doc) if t.group(3) != b"/"]
    if not tags:
        return None
    m = rng.choice(tags)
    href = rng.choice([ctx["name"], ctx["name"], "nope.xml", "/etc/passwd", "../../etc/passwd",
                       "", "#xpointer(/)", "../layouts/annual-review.xml",
                       "../data/sample.xml", "lib/x.xml", "http://example.com/x.xml",
                       "file:///etc/passwd", "sample.xml", ".", "/dev/zero"])
    extra = rng.choice(["", "", ' parse="text"', ' parse="xml" xpointer="xpointer(//*)"',
                        ' encoding="UTF-16"'])
    inc = (f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{esc(href)}"'
           f"{extra}/>").encode()
    i = m.end()
    return doc[:i] + inc + doc[i:], f"xinclude {href!r}{extra} at line {_line_of(doc, i)}"


def m_doctype(rng, doc, ctx):
    if not start_tags(doc):
        return None
    root = start_tags(doc)[0]
    name = root.group(1)
    dt = rng.choice([
        b"<!DOCTYPE %s [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">]>",
        b"<!DOCTYPE %s SYSTEM \"/etc/passwd\">",
        b"<!DOCTYPE %s [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
        b"<!DOCTYPE %s [<!ATTLIST %s version CDATA \"2\">]>",
        b"<!DOCTYPE %s>",
    ])
    dt = dt.replace(b"%s", name)
    i = root.start()
    return doc[:i] + dt + b"\n" + doc[i:], "doctype " + dt[:60].decode()


def m_namespace(rng, doc, ctx):
    if not start_tags(doc):
        return None
    root = start_tags(doc)[0]
    ns = rng.choice([b' xmlns="urn:x"', b' xmlns:xi="urn:x"', b' xml:base="/etc/"',
                     b' xml:lang=""', b' xml:space="preserve"', b' xmlns:x="urn:x" x:y="z"'])
    i = root.start(2)
    return doc[:i] + ns + doc[i:], f"root attribute{ns.decode()}"


def m_encoding(rng, doc, ctx):
    enc = rng.choice([b"UTF-16", b"ISO-8859-1", b"EBCDIC", b"nosuch", b"UTF-32", b"ASCII"])
    out, n = re.subn(rb'encoding="[^"]*"', b'encoding="' + enc + b'"', doc, count=1)
    if rng.random() < 0.3:
        out = b"\xef\xbb\xbf" + out if rng.random() < 0.5 else b"\xff\xfe" + out
        enc += b" + BOM"
    return out, f"encoding {enc.decode()}"


# ---- images: a corrupted or odd picture next to the mutant, which it then names ------------

def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(rng):
    """A PNG of odd but well-formed make: tiny, huge, 16-bit, grey, palette, many chunks."""
    w, h = rng.choice([(1, 1), (3, 1), (1, 3000), (20001, 1), (7100, 7100), (64, 64), (0, 5)])
    depth, ctype = rng.choice([(8, 2), (8, 6), (16, 6), (16, 2), (8, 0), (1, 0), (8, 4),
                               (8, 3), (4, 3)])
    if w * h > 1000000:
        depth, ctype = 8, 0  # a big one stays small on disk and quick to make
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    row = (w * channels * depth + 7) // 8
    raw = (b"\0" + bytes([rng.randrange(256)]) * row) * h
    out = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth,
                                                                     ctype, 0, 0, 0))
    if ctype == 3:
        out += _png_chunk(b"PLTE", bytes(rng.randrange(256) for _ in range(3 * 16)))
        out += _png_chunk(b"tRNS", bytes([0, 128]))
    if rng.random() < 0.3:
        out += _png_chunk(b"tEXt", b"Comment\0" + b"x" * rng.choice([0, 10, 70000]))
    if rng.random() < 0.2:
        out += _png_chunk(b"gAMA", struct.pack(">I", rng.choice([0, 1, 45455, 2 ** 31 - 1])))
    data = zlib.compress(raw, 6)
    if rng.random() < 0.3:  # the data split over many IDAT chunks
        n = max(1, len(data) // 7)
        out += b"".join(_png_chunk(b"IDAT", data[i:i + n]) for i in range(0, len(data), n))
    else:
        out += _png_chunk(b"IDAT", data)
    return out + _png_chunk(b"IEND", b""), f"{w}x{h} depth {depth} type {ctype}"


def corrupt_image(rng, data):
    how = rng.choice(["truncate", "flip", "size", "size", "zero-tail", "garbage-tail", "header"])
    if how == "truncate":
        i = rng.randrange(len(data))
        return data[:i], f"cut at byte {i}"
    if how == "flip":
        b = bytearray(data)
        for _ in range(rng.choice([1, 4, 64])):
            i = rng.randrange(8, len(b))
            b[i] = rng.randrange(256)
        return bytes(b), "bytes flipped"
    if how == "zero-tail":
        i = rng.randrange(len(data) // 2, len(data))
        return data[:i] + b"\0" * (len(data) - i), f"zeros from byte {i}"
    if how == "garbage-tail":
        return data + bytes(rng.randrange(256) for _ in range(1000)), "garbage after the end"
    if how == "header":
        return data[:rng.choice([2, 4, 8, 16, 33])], "header only"
    # the stated size: PNG IHDR (with its CRC fixed) or a JPEG SOF marker
    w, h = rng.choice([(0, 0), (1, 0), (65535, 65535), (2 ** 31 - 1, 1), (20001, 20001),
                       (1, 2 ** 31 - 1), (50000, 1)])
    if data.startswith(b"\x89PNG"):
        ihdr = struct.pack(">II", w, h) + data[24:29]
        b = data[:16] + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)) + data[33:]
        return b, f"IHDR says {w}x{h}"
    for m in re.finditer(rb"\xff[\xc0-\xc2]", data):
        i = m.start() + 5
        return data[:i] + struct.pack(">HH", min(h, 65535), min(w, 65535)) + data[i + 4:], \
            f"SOF says {min(w, 65535)}x{min(h, 65535)}"
    return data[:len(data) // 2], "cut in half"


def m_image(rng, doc, ctx):
    """Writes a broken or odd picture beside the mutant and points the document at it."""
    bases = ctx.get("images") or []
    if bases and rng.random() < 0.7:
        path = rng.choice(bases)
        with open(path, "rb") as f:
            data, what = corrupt_image(rng, f.read())
        what = f"{os.path.basename(path)}, {what}"
        ext = os.path.splitext(path)[1]
    else:
        data, what = make_png(rng)
        ext = ".png"
    if rng.random() < 0.1:
        ext = rng.choice([".jpg", ".png", ".gif", ""])  # a name that lies
    name = os.path.splitext(ctx["name"])[0] + ext
    ctx.setdefault("files", {})[name] = data
    if ctx["kind"] == "content":
        people = [m for m in start_tags(doc) if m.group(1) == b"person"]
        logo = [a for a in attrs(doc) if a[0] == "src"]
        if not people and not logo:
            return None
        if logo and (not people or rng.random() < 0.4):
            _, s0, e0, _, _ = logo[0]
            return doc[:s0] + name.encode() + doc[e0:], f"logo = {name} ({what})"
        m = rng.choice(people)
        i = m.start(2)
        return doc[:i] + f' photo="{name}"'.encode() + doc[i:], \
            f"photo {name} ({what}) at line {_line_of(doc, i)}"
    srcs = [a for a in attrs(doc) if a[0] == "src"]
    if not srcs:
        return None
    _, s0, e0, _, _ = rng.choice(srcs)
    return doc[:s0] + name.encode() + doc[e0:], f"image src {name} ({what}) at line " \
                                                f"{_line_of(doc, s0)}"


MUTATORS = [
    (m_flip_bytes, 6), (m_delete_line, 6), (m_duplicate_line, 5), (m_delete_element, 8),
    (m_duplicate_element, 6), (m_empty_element, 6), (m_rename_element, 3), (m_truncate, 4),
    (m_swap_attr_values, 8), (m_odd_attr_value, 22), (m_odd_number, 8), (m_odd_pattern, 10),
    (m_remove_attr, 7), (m_add_attr, 7), (m_deep_nesting, 3), (m_long_text, 3),
    (m_invalid_utf8, 3), (m_control, 3), (m_nonchar, 3), (m_astral, 5), (m_odd_text, 7),
    (m_xinclude, 2), (m_doctype, 1), (m_namespace, 1), (m_encoding, 1), (m_image, 6),
]


def mutate(doc, kind, name, seed, images=()):
    """The mutant's bytes, what was done, and any files it names ({file name: bytes})."""
    # Seeds of the two kinds are distinct streams; str seeds hash with SHA-512 (stable).
    rng = Random(f"{kind}:{seed}")
    ctx = {"kind": kind, "name": name, "images": sorted(images)}
    fns = [f for f, _ in MUTATORS]
    weights = [w for _, w in MUTATORS]
    n = rng.choices([1, 2, 3], weights=[60, 25, 15])[0]
    done = []
    tries = 0
    while len(done) < n and tries < 50:
        tries += 1
        f = rng.choices(fns, weights=weights)[0]
        if not doc:
            break
        r = f(rng, doc, ctx)
        if r is None or r[0] == doc:
            continue
        doc = r[0]
        done.append(r[1])
    return doc, done, ctx.get("files", {})


# ---- flatten -----------------------------------------------------------------------------

FONT_ATTR = re.compile(rb'\b(regular|bold|italic|bold-italic|outline)="([^"]*)"')


def flatten(path, out_dir_of, depth=0):
    """The text of `path` with <xi:include href="…"/> replaced by the included file's root
    element; font paths made relative to out_dir_of (the folder the result is for)."""
    with open(path, "rb") as f:
        doc = f.read()
    here = os.path.dirname(os.path.abspath(path))
    if depth:
        doc = re.sub(rb"^\s*<\?xml[^>]*\?>\s*", b"", doc)

        def refont(m):
            p = os.path.relpath(os.path.join(here, m.group(2).decode()), out_dir_of)
            return m.group(1) + b'="' + p.encode() + b'"'

        doc = FONT_ATTR.sub(refont, doc)

    def inc(m):
        return flatten(os.path.join(here, m.group(1).decode()), out_dir_of, depth + 1)

    return re.sub(rb'<xi:include\s+href="([^"]+)"\s*/>', inc, doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flatten")
    f.add_argument("layout")
    f.add_argument("out")
    g = sub.add_parser("generate")
    g.add_argument("--kind", choices=["content", "layout"], required=True)
    g.add_argument("--src", required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--count", type=int, default=100)
    g.add_argument("--first", type=int, default=1)
    g.add_argument("--images", default=None,
                   help="a folder of pictures (PNG, JPEG) to corrupt for image mutations")
    a = ap.parse_args()
    if a.cmd == "flatten":
        # The flat layout sits in the same place of its project as the original
        # (layouts/), so paths relative to the layout's folder stay as they are.
        src_dir = os.path.dirname(os.path.abspath(a.layout))
        doc = flatten(a.layout, src_dir)
        with open(a.out, "wb") as fh:
            fh.write(doc)
        return 0
    with open(a.src, "rb") as fh:
        orig = fh.read()
    os.makedirs(a.out, exist_ok=True)
    images = []
    if a.images:
        images = [os.path.join(a.images, f) for f in sorted(os.listdir(a.images))
                  if f.lower().endswith((".png", ".jpg", ".jpeg"))]
    for seed in range(a.first, a.first + a.count):
        name = f"{a.kind}-{seed}.xml"
        doc, done, files = mutate(orig, a.kind, name, seed, images)
        path = os.path.join(a.out, name)
        with open(path, "wb") as fh:
            fh.write(doc)
        for fname, data in files.items():
            with open(os.path.join(a.out, fname), "wb") as fh:
                fh.write(data)
        desc = "; ".join(d.replace("\t", " ").replace("\n", " ") for d in done)
        sys.stdout.write(f"{seed}\t{path}\t{desc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
