#!/usr/bin/env python3
"""Reads a preflight report (reviewpdf render --preflight) and checks what it
says, for test_preflight.sh.

usage:
  preflight_check.py REPORT counts                  print "check=N ..." for each failing check
  preflight_check.py REPORT expect CHECK PAGE LAYOUT_FILE NEEDLE [CONTENT_FILE CNEEDLE]
      the report has a finding of CHECK on PAGE whose layout position is the
      line of LAYOUT_FILE holding NEEDLE (and whose content position is the
      line of CONTENT_FILE holding CNEEDLE); every other check passes

REPORT is JSON (.json, read with json) or JUnit XML (.xml, read with
xml.etree: testsuites/testsuite/testcase, one testcase per check, a failure
in each failing one whose text lists "page N, layout:line, content:line: …").
Exit 1 with a message when it is not so."""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

CHECKS = ["text-shrunk", "text-overset", "text-ellipsis", "missing-glyph", "image-resolution",
          "alt-text", "contrast", "widow-orphan", "empty-selection", "other", "render"]


def die(msg):
    print(msg)
    sys.exit(1)


def line_of(path, needle):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if needle in line:
            return n
    die(f"{needle!r} is not in {path}")


def same_file(a, b):
    return a is not None and os.path.realpath(a) == os.path.realpath(b)


def read_json(path):
    """[(check, page, (lfile, lline) or None, (cfile, cline) or None)], {check: passed}"""
    r = json.load(open(path, encoding="utf-8"))
    for key in ("report", "version", "content", "layout", "pages", "status", "checks", "findings"):
        if key not in r:
            die(f"{path}: no '{key}'")
    names = [c["name"] for c in r["checks"]]
    if names != CHECKS:
        die(f"{path}: checks {names}, wanted {CHECKS}")
    passed = {c["name"]: c["passed"] for c in r["checks"]}
    out = []
    for f in r["findings"]:
        pos = lambda p: (p["file"], p["line"]) if p else None
        out.append((f["check"], f["page"], pos(f["layout"]), pos(f["content"])))
        if f["check"] == "missing-glyph" and not re.fullmatch(r"U\+[0-9A-F]{4,6}", f.get("character", "")):
            die(f"{path}: a missing-glyph finding without its character: {f}")
    for c in CHECKS:
        n = sum(1 for f in out if f[0] == c)
        if passed[c] != (n == 0) and c != "render":
            die(f"{path}: check {c} passed={passed[c]} with {n} findings")
    return out, passed


WHERE = re.compile(r"^(?:page (\d+))?(?:, )?(?:([^,:]+):(\d+))?(?:, )?(?:([^,:]+):(\d+))?: ")


def read_junit(path):
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        die(f"{path}: root <{root.tag}>, wanted <testsuites>")
    suites = root.findall("testsuite")
    if len(suites) != 1:
        die(f"{path}: {len(suites)} <testsuite>s, wanted 1")
    suite = suites[0]
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    if names != CHECKS:
        die(f"{path}: testcases {names}, wanted {CHECKS}")
    failing = [c for c in cases if c.find("failure") is not None]
    for attr, want in (("tests", len(CHECKS)), ("failures", len(failing))):
        if int(suite.get(attr, -1)) != want or int(root.get(attr, -1)) != want:
            die(f"{path}: {attr}={suite.get(attr)}/{root.get(attr)}, wanted {want}")
    out, passed = [], {}
    for c in cases:
        fail = c.find("failure")
        passed[c.get("name")] = fail is None
        if fail is None:
            continue
        if not fail.get("message") or fail.get("type") != c.get("name"):
            die(f"{path}: failure of {c.get('name')} without message or type")
        for line in (fail.text or "").splitlines():
            m = WHERE.match(line)
            if not m:
                die(f"{path}: a finding of {c.get('name')} without its place: {line!r}")
            page = int(m.group(1)) if m.group(1) else 0
            lpos = (m.group(2), int(m.group(3))) if m.group(2) else None
            cpos = (m.group(4), int(m.group(5))) if m.group(4) else None
            out.append((c.get("name"), page, lpos, cpos))
    return out, passed


def main():
    report, what = sys.argv[1], sys.argv[2]
    findings, passed = (read_json if report.endswith(".json") else read_junit)(report)
    if what == "counts":
        counts = {}
        for f in findings:
            counts[f[0]] = counts.get(f[0], 0) + 1
        print(" ".join(f"{c}={counts[c]}" for c in CHECKS if c in counts) or "clean")
        return 0
    check, page, lfile, needle = sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
    lline = line_of(lfile, needle)
    cfile, cline = None, None
    if len(sys.argv) > 8:
        cfile, cline = sys.argv[7], line_of(sys.argv[7], sys.argv[8])
    mine = [f for f in findings if f[0] == check]
    if not mine:
        die(f"{report}: no {check} finding in {findings}")
    ok = [f for f in mine if f[1] == page and f[2] and same_file(f[2][0], lfile) and f[2][1] == lline
          and (cfile is None or (f[3] and same_file(f[3][0], cfile) and f[3][1] == cline))]
    if not ok:
        die(f"{report}: {check} wanted on page {page} at {lfile}:{lline}"
            f"{f' and {cfile}:{cline}' if cfile else ''}, got {mine}")
    others = sorted({f[0] for f in findings if f[0] != check})
    if others:
        die(f"{report}: other checks failed too: {others}")
    if passed[check] or any(not passed[c] for c in CHECKS if c not in (check, "render")):
        die(f"{report}: pass/fail per check wrong: {passed}")
    print(f"{report}: {check} on page {page} at line {lline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
