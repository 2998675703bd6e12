#!/usr/bin/python3
"""UK public sector guidance for documents, checked on a layout dump (--dump-layout):

  python3 tests/e2e/guidance.py DUMP     exit 1 listing what breaks it

Read text is every text run that is not an artifact (running heads and feet) and not inside a
figure (a chart's labels: the figure's alternative text stands for them). The rules:
- at least 12pt (superscripts and subscripts aside: up to 3 characters beside a 12pt run of
  the same element on that line);
- no italic face;
- no words set in capitals (two or more words of three or more capitals in a row; an acronym
  alone is fine);
- left-aligned, not justified: in an element of three lines or more, the lines before the
  last do not all end at the same x (a justified paragraph's do).
Contrast (4.5:1) is contrast.py's and render --accessible's."""
import re
import sys

TEXT = re.compile(r'^\s+text (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) .*?"((?:[^"\\]|\\.)*)" role=(\S+)'
                  r'(?: id=(\d+))?(?: parent=(\d+))?')
CAPS = re.compile(r"\b[A-Z][A-Z’'&-]{2,}\b(?:\s+\b[A-Z][A-Z’'&-]{2,}\b)+")


def runs(path):
    """(page, x, y, width, size, font, text, id) of each read text run."""
    page = 0
    for line in open(path, encoding="utf-8"):
        if line.startswith("page "):
            page += 1
            continue
        m = TEXT.match(line)
        if not m or m.group(8) in ("artifact", "Figure", "none"):
            continue
        x, y, w, size = (float(m.group(i)) for i in (1, 2, 3, 6))
        # a note's mark (Reference) and its number (Lbl) belong to the text they sit in
        eid = m.group(10) if m.group(8) in ("Reference", "Lbl") and m.group(10) else m.group(9)
        yield page, x, y, w, size, m.group(5), m.group(7), eid


def check(path):
    fails = []
    rs = list(runs(path))
    lines = {}  # (page, id, y) → [(x, right, size)]
    for page, x, y, w, size, font, text, eid in rs:
        lines.setdefault((page, eid, round(y, 1)), []).append((x, x + w, size))
    for page, x, y, w, size, font, text, eid in rs:
        if size < 12 - 1e-6:
            near = [s for (p, e, yy), l in lines.items() if p == page and e == eid
                    and abs(yy - y) <= 6 for _, _, s in l]
            if not (len(text.strip()) <= 3 and near and max(near) >= 12):
                fails.append(f"page {page}: {size:g}pt text under 12pt: \"{text}\"")
        if re.search(r"italic|oblique", font, re.I):
            fails.append(f"page {page}: italic text ({font}): \"{text}\"")
        if CAPS.search(text):
            fails.append(f"page {page}: words in capitals: \"{text}\"")
    by_element = {}
    for (page, eid, y), l in lines.items():
        if eid:
            by_element.setdefault(eid, []).append((page, y, max(r for _, r, _ in l)))
    for eid, ls in by_element.items():
        ls.sort()
        ends = [r for _, _, r in ls[:-1]]
        if len(ends) >= 2 and max(ends) - min(ends) < 0.3:
            fails.append(f"page {ls[0][0]}: element {eid} is justified: its {len(ends)} lines "
                         f"before the last all end at x={ends[0]:.2f}")
    return fails, len(rs)


def main():
    fails, n = check(sys.argv[1])
    for f in fails[:40]:
        print(f)
    if len(fails) > 40:
        print(f"… and {len(fails) - 40} more")
    if fails:
        return 1
    print(f"ok: {n} text runs: 12pt or more, upright, no capitals, not justified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
