#!/usr/bin/python3
"""Writes libFuzzer dictionaries generated from the RelaxNG schemas:
dict.py SRC OUT writes OUT/content.dict (data/schema/review.rng),
OUT/layout.dict (layouts/schema/layout.rng) and OUT/xpath.dict (the content
vocabulary, the extension functions, XPath syntax). Each holds the element
names as tags, attribute names as `name="`, and every enumerated value."""
import os
import re
import sys
import xml.etree.ElementTree as ET

src, out = sys.argv[1], sys.argv[2]
RNG = "{http://relaxng.org/ns/structure/1.0}"


def vocabulary(schema):
    tree = ET.parse(schema)
    elements, attributes, values = set(), set(), set()
    for e in tree.iter():
        name = e.get("name")
        if e.tag == RNG + "element" and name:
            elements.add(name)
        elif e.tag == RNG + "attribute" and name:
            attributes.add(name)
        elif e.tag == RNG + "value" and e.text:
            values.add(e.text.strip())
        elif e.tag == RNG + "param" and name == "pattern" and e.text:
            values.add(e.text.strip())
    return elements, attributes, values


def quote(s):
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if 32 <= ord(c) < 127 else "\\x%02X" % ord(c) for c in s) + '"'


def write(name, entries):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name), "w") as f:
        for e in sorted(set(x for x in entries if x and len(x.encode()) < 128)):
            f.write(quote(e) + "\n")


ce, ca, cv = vocabulary(os.path.join(src, "data/schema/review.rng"))
le, la, lv = vocabulary(os.path.join(src, "layouts/schema/layout.rng"))
common = ['<?xml version="1.0" encoding="UTF-8"?>', "<!--", "-->", "<![CDATA[", "]]>",
          'xml:lang="', 'xml:lang="cy"', "&amp;", "&#x2013;", "\xe2\x80\x93",
          '<xi:include href="', 'xmlns:xi="http://www.w3.org/2001/XInclude"']


def xml_entries(elements, attributes, values):
    for e in elements:
        yield "<%s" % e
        yield "<%s>" % e
        yield "</%s>" % e
    for a in attributes:
        yield ' %s="' % a
    for v in values:
        yield '"%s"' % v
        yield v


write("content.dict", list(xml_entries(ce, ca, cv)) + common + ["2018-08-01", "P1Y"])
write("layout.dict", list(xml_entries(le, la, lv)) + common +
      ["{", "}", "{$page}", "{$pages}", "{$section}", "../fonts/OpenSans-Regular.ttf",
       "../images/ccin-logo.png"])
functions = ["format-date(", "date-range(", "months(", "format-number(", "person(", "figure(",
             "section(", "join(", "initials(", "social-url(", "choose(", "label(",
             "kind-label(", "count(", "sum(", "substring(", "concat(", "translate(",
             "normalize-space(", "string-length(", "position()", "last()", "not(", "id("]
syntax = ["/", "//", "..", "@", "[", "]", "|", " and ", " or ", " div ", " mod ", "!=", "<=",
          "'", '"', "$key", "$group", "*", "node()", "text()", "ancestor::", "following-sibling::",
          "'d MMMM yyyy'", "'#,##0.0'", "'MMMM yyyy'", "NaN", "-0", "1e308"]
write("xpath.dict", functions + syntax + list(ce) + ["@" + a for a in ca] + list(cv))
