#!/usr/bin/env bash
# How a render ends (cli/exit.c). One that succeeded ends at once, without
# freeing: the exit status, messages, printed path and PDF are those of a
# render that ends through main's return, freeing everything (RP_FULL_EXIT=1,
# as under a preloaded library such as valgrind's) — nothing printed is lost
# though stdout is a pipe (fully buffered). No process is left behind: this
# test's Python is made a subreaper, so that any orphan of the processes it
# starts would become its child, to be counted. A render that fails ends as
# before.
source "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
/usr/bin/python3 - "$BIN" "$TMP" <<'PY' || fail "see above"
import ctypes, errno, os, subprocess, sys, time
binary, tmp = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_CHILD_SUBREAPER = 36
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit(print("FAIL: prctl(PR_SET_CHILD_SUBREAPER)"))
bad = 0

def orphans(within=2.0):
    """The orphans reparented here, reaped as they end (within `within` s)."""
    n, end = 0, time.monotonic() + within
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return n
        if pid:
            n += 1
        elif time.monotonic() > end:
            return n + 1000  # still running: never ends
        else:
            time.sleep(0.01)

def render(name, content, extra_env):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", **extra_env)
    out = os.path.join(tmp, name + ".pdf")
    p = subprocess.run([binary, "render", content, "--layout", "annual-review", "-o", out],
                       env=env, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode().replace(out, "OUT"), p.stderr.decode(), out, orphans()

def check(what, ok, detail=""):
    global bad
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else ": " + detail))
    bad += not ok

rc, said, err, pdf, held = render("quick", "data/ccin-2018-19.xml", {})
rc2, said2, err2, pdf2, held2 = render("full", "data/ccin-2018-19.xml", {"RP_FULL_EXIT": "1"})
check("the render succeeds either way", rc == 0 and rc2 == 0, f"exit {rc} and {rc2}: {err} {err2}")
check("the same path printed, the same messages", (said, err) == (said2, err2),
      f"{said!r} {err!r} against {said2!r} {err2!r}")
check("the same PDF committed", open(pdf, "rb").read() == open(pdf2, "rb").read())
check("the path printed (stdout is a pipe)", "OUT" in said, repr(said))
check("no process left behind", held == 0 and held2 == 0, f"{held} and {held2} reaped")
# a render that succeeded with a warning (its logo missing: a copy elsewhere)
os.makedirs(os.path.join(tmp, "away"), exist_ok=True)
warned = os.path.join(tmp, "away", "review.xml")
open(warned, "wb").write(open("data/ccin-2018-19.xml", "rb").read())
rc, said, err, pdf, held = render("warned", warned, {})
rc2, said2, err2, pdf2, held2 = render("warned2", warned, {"RP_FULL_EXIT": "1"})
check("a warning printed, the same either way", rc == rc2 == 0 and "warning" in err and
      (said, err) == (said2, err2), f"exit {rc}, {rc2}: {err!r} against {err2!r}")
check("its PDF the same either way", open(pdf, "rb").read() == open(pdf2, "rb").read())
rc, said, err, pdf, held = render("missing", os.path.join(tmp, "missing.xml"), {})
rc2, said2, err2, _, held2 = render("missing2", os.path.join(tmp, "missing.xml"), {"RP_FULL_EXIT": "1"})
check("a failed render: exit 1, its message, nothing left behind",
      rc == 1 and rc2 == 1 and "cannot open" in err and err == err2 and held == 0,
      f"exit {rc}, {held} reaped: {err!r}")
check("a failed render commits nothing", not os.path.exists(pdf))
sys.exit(1 if bad else 0)
PY
finish
