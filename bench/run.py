#!/usr/bin/env python3
"""reviewpdf benchmark: wall time, peak memory and bytes of the documents users render.

  bench/run.py [--runs N] [--sizes 22,220,2200,22000] [--binary PATH] [--only NAME…]
               [--pack-layout case-studies|annual-review|PATH]

Builds an optimised binary (cmake Release in build-bench/) unless --binary is given, then for
each document renders once to warm the caches and N more times (default 5), and prints the
median and spread (min–max) of wall time, the median peak RSS (wait4's ru_maxrss: the whole
process, as /usr/bin/time reports it) and the PDF's size. Nothing is cached between runs: each
run is a fresh process reading the content, layout, fonts and images from disk.

Documents: the review (data/ + layouts/annual-review.xml), every stock profile layout that
exists, and the Case Studies Pack at each size (bench/pack_xml.py) through
layouts/case-studies.xml, or through the layout --pack-layout names (annual-review: the
review layout the pack went through before the pack layout existed, for comparison with
older figures). Targets from issue 13 are printed beside the figures they judge;
bench/README.md keeps the latest table and the machine it came from.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(bdir):
    subprocess.run(["cmake", "-S", ROOT, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", bdir, "-j2", "--target", "reviewpdf"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(bdir, "reviewpdf")


def run_once(argv):
    """Wall seconds and peak RSS (KiB) of one child process."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"exit {os.waitstatus_to_exitcode(status)}: {' '.join(argv)}")
    return wall, ru.ru_maxrss


def measure(argv, out, runs):
    run_once(argv)  # warm-up
    walls, rss = [], []
    for _ in range(runs):
        w, r = run_once(argv)
        walls.append(w)
        rss.append(r)
    return {"wall": statistics.median(walls), "min": min(walls), "max": max(walls),
            "rss": statistics.median(rss), "bytes": os.path.getsize(out),
            "pages": pages(out)}


def pages(pdf):
    try:
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return None
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def documents(tmp, sizes, pack_layout):
    review = os.path.join(ROOT, "data", "ccin-2018-19.xml")
    yield "review", review, os.path.join(ROOT, "layouts", "annual-review.xml"), []
    for name in ("board-profile", "person-profile"):
        lay = os.path.join(ROOT, "layouts", name + ".xml")
        if os.path.exists(lay):
            yield name, review, lay, []
    if "/" not in pack_layout and not pack_layout.endswith(".xml"):
        pack_layout = os.path.join(ROOT, "layouts", pack_layout + ".xml")
    for n in sizes:
        content = os.path.join(tmp, f"pack-{n}.xml")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "pack_xml.py"), str(n),
                        content], check=True)
        yield f"pack N={n}", content, pack_layout, []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="22,220,2200,22000")
    ap.add_argument("--binary")
    ap.add_argument("--only", nargs="*", help="document names to run (prefix match)")
    ap.add_argument("--pack-layout", default="case-studies",
                    help="the pack's layout: a stock name (case-studies, annual-review) or a path")
    a = ap.parse_args()
    binary = a.binary or build(os.path.join(ROOT, "build-bench"))
    sizes = [int(s) for s in a.sizes.split(",") if s]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, content, layout, extra in documents(tmp, sizes, a.pack_layout):
            if a.only and not any(name.startswith(o) for o in a.only):
                continue
            out = os.path.join(tmp, "out.pdf")
            argv = [binary, "render", content, "--layout", layout, "-o", out, *extra]
            m = measure(argv, out, a.runs)
            rows.append((name, m))
            print(f"{name:16} {m['wall']*1000:8.1f} ms ({m['min']*1000:.1f}–{m['max']*1000:.1f})"
                  f" {m['rss']/1024:7.1f} MiB {m['bytes']/1024:8.1f} KiB"
                  f" {m['pages'] or '?':>5} pages", flush=True)
    judge(rows)


def judge(rows):
    """Issue 13's targets that these figures can judge without the peers installed."""
    by = dict(rows)
    print("\ntargets (issue 13):")
    if "review" in by:
        m = by["review"]
        print(f"  review under 20 MiB peak: {'met' if m['rss'] < 20 * 1024 else 'NOT met'}"
              f" ({m['rss']/1024:.1f} MiB)")
    for n in (2200, 22000):
        m = by.get(f"pack N={n}")
        if m:
            print(f"  pack N={n} under 40 MiB peak: {'met' if m['rss'] < 40 * 1024 else 'NOT met'}"
                  f" ({m['rss']/1024:.1f} MiB)")
    small, big = by.get("pack N=220"), by.get("pack N=2200")
    if small and big:
        ratio = big["wall"] / small["wall"]
        print(f"  time linear in N (N=2200 within 11x of N=220): "
              f"{'met' if ratio <= 11 else 'NOT met'} ({ratio:.1f}x)")


if __name__ == "__main__":
    main()
