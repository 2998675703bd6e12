#!/usr/bin/python3
"""Writes libFuzzer dictionaries generated from the RelaxNG schemas:
dict.py SRC OUT writes OUT/content.dict (data/schema/review.rng),
OUT/layout.dict (layouts/schema/layout.rng), OUT/xpath.dict (the content
vocabulary, the extension functions, XPath syntax) and OUT/svg.dict (the SVG
subset of docs/svg.md, listed here: svg/ has no schema). Each holds the element
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
# SVG: svg/ has no schema; the subset docs/svg.md describes, and what it refuses.
svg_elements = ["svg", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "g",
                "a", "use", "defs", "symbol", "style", "title", "desc", "metadata", "text",
                "tspan", "image", "linearGradient", "clipPath", "mask", "filter", "marker"]
svg_attributes = ["xmlns", "xmlns:xlink", "width", "height", "viewBox", "preserveAspectRatio",
                  "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
                  "transform", "fill", "stroke", "fill-opacity", "stroke-opacity", "opacity",
                  "fill-rule", "stroke-width", "stroke-linecap", "stroke-linejoin",
                  "stroke-miterlimit", "stroke-dasharray", "display", "visibility", "color",
                  "style", "class", "id", "href", "xlink:href", "clip-path", "mask", "filter"]
svg_values = ["M", "m", "L", "l", "H", "h", "V", "v", "C", "c", "S", "s", "Q", "q", "T", "t",
              "A", "a", "Z", "z", "1e5", "-.5e-3", "0 0 1 1", "matrix(", "translate(", "scale(",
              "rotate(", "skewX(", "skewY(", "none", "currentColor", "transparent", "evenodd",
              "nonzero", "round", "square", "butt", "bevel", "miter", "hidden", "rgb(", "rgba(",
              "#fff", "#12345678", "url(#", "xMidYMid", "xMinYMax", "meet", "slice", "px", "pt",
              "mm", "cm", "in", "pc", "%", "{", "}", ";", ":", ".cls-1", "#id", ",", "/*", "*/",
              "@font-face", "@charset", "http://www.w3.org/2000/svg",
              "http://www.w3.org/1999/xlink"]
write("svg.dict", list(xml_entries(svg_elements, svg_attributes, svg_values)) + common)
