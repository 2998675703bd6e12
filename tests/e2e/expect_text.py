#!/usr/bin/env python3
"""Checks that a PDF's text (read back with poppler's pdftotext) holds every
string the content document says it should: each XPath in EXPECT is evaluated
on the content XML and every value found must appear in the PDF's text.

usage: expect_text.py CONTENT.xml OUT.pdf [XPATH...]
Exit 1 listing what is missing."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# ElementTree paths (a subset of XPath) of everything the sample review holds
# (content language version 2).
DEFAULT = [
    "organisation/name", "title", "strapline", "period",
    "section/title", "section/list/item", "section/signature/line",
    "highlights/item",
    "people/person/name",
    "boards/board/name", "boards/board/seat/role", "boards/board/seat/organisation",
    "figures/figure@display", "figures/figure@label",
    "members/title", "members/member",
    "awards/title", "awards/category@name", "awards/category/winner",
    "awards/individuals/individual/name", "awards/individuals/individual/organisation",
    "awards/individuals/individual/citation", "awards/caption",
    "projects/title", "projects/project/title", "projects/project/partner",
    "projects/project/heading", "projects/project/list/item@term", "projects/project@lead",
    "case-studies/title",
    "events/title", "events/event/title", "events/event/place", "events/caption",
    "plan/title", "plan/item/title", "plan/item/detail",
    "contact/title", "contact/email", "contact/web", "contact/social@handle",
]


def norm(s):
    s = s.replace("\u00ad", "")
    s = re.sub(r"\s+", " ", s)
    return s.strip()


def values(root, path):
    attr = None
    if "@" in path:
        path, attr = path.split("@", 1)
    for el in root.findall(path):
        v = el.get(attr) if attr else "".join(el.itertext())
        if v and v.strip():
            yield norm(v)


def main():
    content, pdf = sys.argv[1], sys.argv[2]
    paths = sys.argv[3:] or DEFAULT
    root = ET.parse(content).getroot()
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", pdf, "-"], check=True,
                          capture_output=True, text=True).stdout
    # Lines broken after a hyphen or dash join without a space; others with one.
    text = re.sub(r"([-\u2013\u2014])\n", r"\1", text)
    flat = norm(text)
    # A value with no space (a handle, an address, a URL) may break across
    # lines at a sensible point: look for it in the text without white space.
    solid = re.sub(r"\s+", "", text)
    missing, checked = [], 0
    for p in paths:
        for v in values(root, p):
            checked += 1
            if v not in flat and not (" " not in v and v in solid):
                missing.append(f"{p}: {v}")
    if missing:
        print(f"{len(missing)} of {checked} strings missing from {pdf}:")
        for m in missing:
            print("  " + m)
        return 1
    print(f"all {checked} strings found in {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
