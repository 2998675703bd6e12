#!/usr/bin/env python3
"""reviewpdf benchmark: wall time, peak memory and bytes of the documents users render, beside
the same documents through another tool.

  bench/run.py [--runs N] [--min-time S] [--warmup N] [--sizes 22,220,2200] [--binary PATH]
               [--only NAME…]
               [--pack-layout case-studies|annual-review|PATH] [--peers auto|none]
               [--peer-python PATH] [--json OUT.json] [--keep DIR]

Builds an optimised binary (cmake Release in build-bench/) unless --binary is given, then for
each document renders it --warmup times to warm the caches (default 1) and --runs more times
(default 5), or more until the timed runs of it and its peers took --min-time seconds (default
2: a 20 ms document is timed ~100 times, so that one slow minute of a shared machine does not
make its median), and prints the median and spread (min–max) of wall time, the median CPU time
(user + system: steadier than wall time on a loaded machine), the median peak RSS
(wait4's ru_maxrss: the whole process, as /usr/bin/time reports it), the PDF's size and pages.
Nothing is cached between runs: each run is a fresh process reading its inputs from disk.

Documents: the review (data/ + layouts/annual-review.xml), every stock profile layout that
exists, and the Case Studies Pack at each size of --sizes (default 22, 220 and 2200; name 22000
to run it): make_content.py's JSON, converted by pack_xml.py for reviewpdf and laid out through
layouts/case-studies.xml (or the layout --pack-layout names). The pack's renders run with
RP_MAX_PAGES raised to at least N + 20 (docs/limits.md: the default 5,000 pages refuses N=22000's
11,000), whatever limit the environment sets otherwise.

Peers: where ReportLab is installed (python3-reportlab; --peer-python names the interpreter,
by default the first of this one and /usr/bin/python3 that imports it), the pack at each size
also goes through bench/peers/reportlab_pack.py from the same JSON, runs paired with
reviewpdf's (one of each in turn, so load changes hit both). Missing, it says so and carries on.
Typst has no Debian 12 package and no input here: it is not timed.

Issue 13's targets are judged at the end against the peer measured in the same run, and against
the issue's own table where no peer was measured. bench/README.md keeps the latest table and
the machine it came from.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
DEFAULT_MAX_PAGES = 5000  # docs/limits.md

# Issue 13's peer figures (wall seconds, peak MiB), for targets no peer in this run can judge.
ISSUE = {("review", "typst"): (0.083, 28), ("review", "reportlab"): (0.216, 36),
         ("pack N=220", "typst"): (0.545, 103), ("pack N=220", "reportlab"): (0.606, 43),
         ("pack N=2200", "typst"): (6.86, 915), ("pack N=2200", "reportlab"): (5.21, 114)}


def build(bdir):
    subprocess.run(["cmake", "-S", ROOT, "-B", bdir, "-DCMAKE_BUILD_TYPE=Release"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", bdir, "-j2", "--target", "reviewpdf"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(bdir, "reviewpdf")


def run_once(argv, env):
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system) of one child process.

    Started by posix_spawn (glibc: clone with CLONE_VM | CLONE_VFORK, then exec), not by
    os.fork: a fork copies this interpreter's page tables and its child takes copy-on-write
    faults before the exec, ~1.3 ms here that belong to the harness, not to the tool measured
    (`reviewpdf --version`: 3.7 ms forked, 2.3 ms spawned). Every tool is started the same way."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        t0 = time.perf_counter()
        try:
            pid = os.posix_spawn(argv[0], argv, env,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                               (os.POSIX_SPAWN_DUP2, devnull, 2)])
        except OSError as e:  # not found, not executable: that tool's failure, not the run's
            raise RuntimeError(f"cannot start {argv[0]}: {e.strerror}") from e
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        # once more with its messages, so that the failure says why
        err = subprocess.run(argv, env=env, capture_output=True, text=True).stderr.strip()
        err = "\n".join(err.splitlines()[:4])  # a failing render may print thousands
        raise RuntimeError(f"exit {os.waitstatus_to_exitcode(status)}: {' '.join(argv)}"
                           + (f"\n{err}" if err else ""))
    return wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime


def measure(jobs, runs, warmup, min_time=0.0):
    """Times each (tool, argv, env, out) job: warm-ups first, then the jobs in turn, runs times
    and on until the turns took min_time seconds.
    A tool whose run fails is dropped from the turns (its error is its result); the others go
    on."""
    failed = {}

    def once(tool, argv, env):
        if tool in failed:
            return None
        try:
            return run_once(argv, env)
        except RuntimeError as e:
            failed[tool] = str(e)
            return None

    for _ in range(warmup):
        for tool, argv, env, _ in jobs:
            once(tool, argv, env)
    got = {tool: ([], [], []) for tool, _, _, _ in jobs}
    turns, began = 0, time.perf_counter()
    while turns < runs or (time.perf_counter() - began < min_time and len(failed) < len(jobs)):
        turns += 1
        for tool, argv, env, _ in jobs:
            r = once(tool, argv, env)
            if r:
                for k in range(3):
                    got[tool][k].append(r[k])
    res = {}
    for tool, _, _, out in jobs:
        walls, rss, cpu = got[tool]
        if tool in failed:
            res[tool] = {"failed": failed[tool]}
            continue
        res[tool] = {"runs": len(walls),
                     "wall": statistics.median(walls), "min": min(walls), "max": max(walls),
                     "cpu": statistics.median(cpu), "rss": statistics.median(rss),
                     "bytes": os.path.getsize(out),
                     "pages": pages(out)}
    return res


def pages(pdf):
    try:
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return None
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def find_reportlab(python):
    """(interpreter, version) of a Python that imports reportlab, or (None, why not)."""
    tries = [python] if python else [sys.executable, "/usr/bin/python3"]
    for py in dict.fromkeys(tries):
        try:
            r = subprocess.run([py, "-c", "import reportlab; print(reportlab.Version)"],
                               capture_output=True, text=True)
        except OSError:
            continue
        if r.returncode == 0:
            return py, r.stdout.strip()
    return None, "not installed (apt-get install python3-reportlab) for " + ", ".join(tries)


def documents(tmp, sizes, pack_layout, binary, peer_py):
    """(name, jobs): each job (tool, argv, env, out). Content is made as it is reached."""
    env = dict(os.environ)
    review = os.path.join(ROOT, "data", "ccin-2018-19.xml")
    layouts = [("review", "annual-review")] + [
        (n, n) for n in ("board-profile", "person-profile")
        if os.path.exists(os.path.join(ROOT, "layouts", n + ".xml"))]
    for name, lay in layouts:
        out = os.path.join(tmp, name + ".pdf")
        yield name, [("reviewpdf", [binary, "render", review, "--layout",
                                    os.path.join(ROOT, "layouts", lay + ".xml"), "-o", out],
                      env, out)]
    if "/" not in pack_layout and not pack_layout.endswith(".xml"):
        pack_layout = os.path.join(ROOT, "layouts", pack_layout + ".xml")
    for n in sizes:
        name = f"pack N={n}"
        yield name, lambda n=n: pack_jobs(tmp, n, pack_layout, binary, peer_py)


def pack_jobs(tmp, n, layout, binary, peer_py):
    js = os.path.join(tmp, f"pack-{n}.json")
    xml = os.path.join(tmp, f"pack-{n}.xml")
    subprocess.run([sys.executable, os.path.join(BENCH, "make_content.py"), "pack", str(n), js],
                   check=True)
    subprocess.run([sys.executable, os.path.join(BENCH, "pack_xml.py"), "--json", js, xml],
                   check=True)
    env = dict(os.environ)
    limit = env.get("RP_MAX_PAGES", "")
    limit = int(limit) if limit.isdigit() else DEFAULT_MAX_PAGES
    # the pack has about N/2 pages, its cover and its index: never more than N + 20
    env["RP_MAX_PAGES"] = str(max(limit, n + 20))
    out = os.path.join(tmp, f"pack-{n}.pdf")
    jobs = [("reviewpdf", [binary, "render", xml, "--layout", layout, "-o", out], env, out)]
    if peer_py:
        peer_out = os.path.join(tmp, f"pack-{n}-reportlab.pdf")
        jobs.append(("reportlab", [peer_py, os.path.join(BENCH, "peers", "reportlab_pack.py"),
                                   js, peer_out], dict(os.environ), peer_out))
    return jobs


def machine():
    load = os.getloadavg()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
            f"{mem:.0f} GiB, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs at least")
    ap.add_argument("--min-time", type=float, default=2.0,
                    help="seconds of timed runs at least per document (more runs for short ones)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before the timed ones")
    ap.add_argument("--sizes", default="22,220,2200",
                    help="the pack's sizes, comma-separated (22000 runs only when named)")
    ap.add_argument("--binary")
    ap.add_argument("--only", nargs="*", help="document names to run (prefix match)")
    ap.add_argument("--pack-layout", default="case-studies",
                    help="the pack's layout: a stock name (case-studies, annual-review) or a path")
    ap.add_argument("--peers", choices=("auto", "none"), default="auto",
                    help="auto: time ReportLab beside reviewpdf where it is installed")
    ap.add_argument("--peer-python", help="the Python that runs ReportLab")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", help="keep the PDFs and pack content in this directory")
    a = ap.parse_args()
    if a.runs < 1 or a.warmup < 0 or a.min_time < 0:
        ap.error("--runs must be at least 1, --warmup and --min-time at least 0")
    sizes = [int(s) for s in a.sizes.split(",") if s]
    peer_py = None
    if a.peers == "auto":
        peer_py, version = find_reportlab(a.peer_python)
        print(f"peer ReportLab: {version if peer_py else ''}"
              f"{' (' + peer_py + ')' if peer_py else version}", flush=True)
        if peer_py:
            font = subprocess.run([peer_py, os.path.join(BENCH, "peers", "reportlab_pack.py"),
                                   "--font"], capture_output=True, text=True).stdout.strip()
            print(f"  its font: {font or '?'}")
        print("peer Typst: not timed (no Debian 12 package, and bench/ has no Typst input)")
    binary = os.path.abspath(a.binary) if a.binary else build(os.path.join(ROOT, "build-bench"))
    print(f"machine: {machine()}", flush=True)
    rows = []
    failed = False
    tmpdir = tempfile.TemporaryDirectory()
    tmp = tmpdir.name
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        tmp = a.keep
    try:
        for name, jobs in documents(tmp, sizes, a.pack_layout, binary, peer_py):
            if a.only and not any(name.startswith(o) for o in a.only):
                continue
            if callable(jobs):
                jobs = jobs()
            for tool, m in measure(jobs, a.runs, a.warmup, a.min_time).items():
                rows.append({"document": name, "tool": tool, **m})
                label = name if tool == "reviewpdf" else f"  {tool}"
                if "failed" in m:  # say so, and carry on with the other documents
                    print(f"{label:16} FAILED: {m['failed']}", flush=True)
                    failed = True
                    continue
                print(f"{label:16} {m['wall']*1000:8.1f} ms ({m['min']*1000:.1f}–"
                      f"{m['max']*1000:.1f}) cpu {m['cpu']*1000:8.1f} ms {m['rss']/1024:7.1f} MiB"
                      f" {m['bytes']/1024:8.1f} KiB"
                      f" {m['pages'] or '?':>5} pages, {m['runs']} runs", flush=True)
    finally:
        tmpdir.cleanup()
    print(f"machine at the end: {machine()}")
    verdicts = judge(rows)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"machine": machine(), "runs": a.runs, "binary": binary, "rows": rows,
                       "targets": verdicts}, f, indent=1)
    sys.exit(1 if failed else 0)


def judge(rows):
    """Issue 13's targets: against the peers measured in this run, else the issue's figures."""
    print("\ntargets (issue 13):")
    rp = {r["document"]: r for r in rows if r["tool"] == "reviewpdf" and "failed" not in r}
    peers = {}
    for r in rows:
        if "failed" in r:
            print(f"  {r['document']} ({r['tool']}): failed, not judged")
        elif r["tool"] != "reviewpdf":
            peers.setdefault(r["document"], {})[r["tool"]] = r
    out = []

    def say(target, met, detail):
        out.append({"target": target, "met": met, "detail": detail})
        print(f"  {target}: {'met' if met else 'NOT met'} ({detail})")

    m = rp.get("review")
    if m:
        say("review under 20 MiB peak", m["rss"] < 20 * 1024, f"{m['rss']/1024:.1f} MiB")
        typst = ISSUE[("review", "typst")][0]
        say("review under a quarter of Typst's wall time", m["wall"] < typst / 4,
            f"{m['wall']:.3f} s against {typst} s/4 = {typst/4:.3f} s, the issue's Typst figure: "
            "Typst is not timed here")
    for name, m in rp.items():
        if not name.startswith("pack N="):
            continue
        measured = peers.get(name, {})
        n = int(name.split("=")[1])
        if measured:
            tool, p = min(measured.items(), key=lambda kv: kv[1]["wall"])
            ratio = m["wall"] / p["wall"]
            detail = (f"{m['wall']:.3f} s against {tool} {p['wall']:.3f} s measured: "
                      f"{ratio:.3f}x; CPU {m['cpu']:.3f} against {p['cpu']:.3f} s: "
                      f"{m['cpu'] / p['cpu']:.3f}x; "
                      f"peak {m['rss']/1024:.1f} against {p['rss']/1024:.1f} MiB, "
                      f"{m['bytes']/1024:.0f} against {p['bytes']/1024:.0f} KiB")
            if n >= 2200:  # the issue sets this target at N=2200; N=22000 is held to it too
                say(f"{name} under a tenth of the fastest peer's wall time", ratio < 0.1, detail)
            else:
                print(f"  {name} beside the fastest peer (no target at this size): {detail}")
        issue = [ISSUE[k] for k in ISSUE if k[0] == name]
        if issue and n >= 2200:
            fastest = min(w for w, _ in issue)
            say(f"{name} under a tenth of the issue's fastest peer", m["wall"] < fastest / 10,
                f"{m['wall']:.3f} s against {fastest} s/10 = {fastest/10:.3f} s")
        if n >= 2200:
            say(f"{name} under 40 MiB peak", m["rss"] < 40 * 1024, f"{m['rss']/1024:.1f} MiB")
    for small, big in ((220, 2200), (2200, 22000)):
        s, b = rp.get(f"pack N={small}"), rp.get(f"pack N={big}")
        if s and b:
            ratio = b["wall"] / s["wall"]
            say(f"time linear in N (N={big} within 11x of N={small})", ratio <= 11,
                f"{ratio:.1f}x")
            for tool, p in peers.get(f"pack N={big}", {}).items():
                q = peers.get(f"pack N={small}", {}).get(tool)
                if q:
                    print(f"    {tool}: {p['wall'] / q['wall']:.1f}x")
    return out


if __name__ == "__main__":
    main()
