"""Host side: boot one User-Mode Linux instance that runs one job, and collect its outcome.

The host kernel has no ESP, VTI or XFRM interfaces, so everything that needs a tunnel runs in
UML with the host's root file system mounted read-write (hostfs). A job is a shell script
written into the run's output directory; uml-init (PID 1 in UML) runs it and writes its exit
code to OUT/rc. linux.uml itself always exits 0, so that file is the only verdict.

UML forks helper processes; it runs in a session of its own (setsid) so that on a timeout the
whole process group, and nothing else, can be ended by its PGID.
"""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent.parent
TOP = LAB_DIR.parent.parent
INIT = LAB_DIR / "hgwlab" / "uml-init"

REQUIRED = {
    "linux.uml": "user-mode-linux",
    "/usr/lib/ipsec/charon": "strongswan-charon",
    "swanctl": "strongswan-swanctl",
    "/usr/lib/frr/zebra": "frr",
    "ip": "iproute2",
    "tc": "iproute2",
    "ping": "iputils-ping",
    "iptables-legacy": "iptables",
    "modprobe": "kmod",
}


def preflight():
    """Fail early, naming the Debian package, when something the lab runs is missing."""
    missing = []
    for prog, pkg in REQUIRED.items():
        found = os.access(prog, os.X_OK) if prog.startswith("/") else _which(prog)
        if not found:
            missing.append(pkg)
    if not list(Path("/usr/lib/uml/modules").glob("*")):
        missing.append("user-mode-linux")
    try:
        import pytest  # noqa: F401  (only checks it is importable)
    except ImportError:
        missing.append("python3-pytest")
    if missing:
        sys.exit("lab: missing packages: %s (run ./quickstart deps, or apt-get install %s)"
                 % (" ".join(sorted(set(missing))), " ".join(sorted(set(missing)))))
    if os.geteuid() != 0:
        sys.exit("lab: must run as root (network namespaces and UML's hostfs root)")


def _which(prog):
    for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if os.access(os.path.join(d, prog), os.X_OK):
            return True
    return False


def new_out_dir(kind):
    """A fresh output directory under tests/lab/out/ (or $HGW_LAB_OUT), one per run."""
    base = Path(os.environ.get("HGW_LAB_OUT", LAB_DIR / "out"))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = base / ("%s-%s-%d" % (kind, stamp, os.getpid()))
    out.mkdir(parents=True)
    latest = base / ("latest-" + kind)
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(out.name)
    return out


def boot(out, argv, timeout, mem="512M", env=None, follow=True):
    """Run argv inside a fresh UML; return its exit code (124 on timeout, 125 on no verdict).

    argv runs with the repository as working directory and PYTHONPATH set to the lab library.
    With follow, the job's output is copied to our stdout while it runs."""
    out = Path(out)
    env = dict(env or {})
    # scenario knobs (LAB_REKEY_SECONDS=300 ...) reach the job from the caller's environment
    env.update({k: v for k, v in os.environ.items() if k.startswith("LAB_") and k not in env})
    env.setdefault("HGW_TOP", str(TOP))
    env["PYTHONPATH"] = str(LAB_DIR) + ":" + str(TOP / "bench")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    lines = ["set -u"]
    lines += ["export %s=%s" % (k, shlex.quote(v)) for k, v in sorted(env.items())]
    lines.append("cd %s" % shlex.quote(str(TOP)))
    lines.append("exec " + " ".join(shlex.quote(a) for a in argv))
    (out / "job.sh").write_text("\n".join(lines) + "\n")
    for stale in ("rc", "job.log"):
        (out / stale).unlink(missing_ok=True)
    umldir = out / ".uml"
    umldir.mkdir(exist_ok=True)

    cmd = ["linux.uml", "mem=" + mem, "rootfstype=hostfs", "rootflags=/", "rw",
           "init=" + str(INIT), "con=null", "con0=null,fd:1",
           "uml_dir=" + str(umldir), "umid=hgw%d" % os.getpid(), "HGW_OUT=" + str(out)]
    console = open(out / "console.log", "wb")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=console,
                            stderr=subprocess.STDOUT, start_new_session=True)
    console.close()
    pgid = proc.pid
    deadline = time.monotonic() + timeout
    timed_out = False
    pos = 0
    # SIGTERM (CI's time limit, a user's kill) must still end UML: turn it into an exception
    # so the finally below runs.
    old = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        while proc.poll() is None:
            if time.monotonic() > deadline:
                timed_out = True
                print("lab: hard timeout after %ds: ending UML (process group %d)" % (timeout, pgid),
                      file=sys.stderr)
                break
            if follow:
                pos = _follow(out / "job.log", pos)
            time.sleep(0.5)
    finally:
        _end_group(proc, pgid)
        signal.signal(signal.SIGTERM, old)
    if follow:
        _follow(out / "job.log", pos)
    if timed_out:
        return 124
    try:
        return int((out / "rc").read_text().strip())
    except (OSError, ValueError):
        print("lab: the UML job left no exit code; see %s/console.log" % out, file=sys.stderr)
        return 125


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def _follow(path, pos):
    try:
        with open(path, "rb") as f:
            f.seek(pos)
            data = f.read()
    except OSError:
        return pos
    if data:
        sys.stdout.write(data.decode(errors="replace"))
        sys.stdout.flush()
    return pos + len(data)


def _end_group(proc, pgid):
    """End UML and its helpers: only our own process group, by PGID."""
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
        if proc.poll() is not None and not _group_alive(pgid):
            return
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.2)


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
