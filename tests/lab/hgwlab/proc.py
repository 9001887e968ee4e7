"""Running commands inside the lab (in UML), and the lab's own log.

Every exec costs ~40 ms in UML and every `ip netns exec` ~120 ms, so helpers here batch:
`ip_batch` configures a namespace with one `ip -n NS -batch -`, `tc_batch` likewise.
"""

import os
import signal
import subprocess
import sys
import time

_T0 = time.monotonic()


class LabError(Exception):
    """A lab step failed; the message says which and why."""


def log(msg):
    """The lab's running commentary: to stdout, or to OUT/lab.log when HGW_QUIET is set (the
    demo keeps its own narration on stdout)."""
    line = "[%7.3f] %s\n" % (time.monotonic() - _T0, msg)
    if os.environ.get("HGW_QUIET"):
        with open(os.path.join(os.environ.get("HGW_OUT", "/tmp"), "lab.log"), "a") as f:
            f.write(line)
        return
    sys.stdout.write(line)
    sys.stdout.flush()


def now_ms():
    """Wall clock in ms since the epoch: comparable with `ip -ts monitor` and `ping -D`."""
    return time.time() * 1000.0


def run(argv, input=None, check=True, timeout=60, env=None, ns=None):
    """Run argv (in netns ns if given); return stdout. Raises LabError with stderr on failure."""
    if ns:
        argv = ["ip", "netns", "exec", ns] + list(argv)
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    try:
        p = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                           env=full_env)
    except subprocess.TimeoutExpired:
        raise LabError("%s: no answer within %ds" % (" ".join(argv), timeout)) from None
    if check and p.returncode != 0:
        raise LabError("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                            (p.stderr or p.stdout).strip()[-2000:]))
    return p.stdout


def ip_batch(ns, lines):
    """Apply `ip` commands in one process; ns None means the root namespace."""
    argv = ["ip"] + (["-n", ns] if ns else []) + ["-batch", "-"]
    run(argv, input=_lines(lines))


def tc_batch(ns, lines):
    run(["tc", "-n", ns, "-batch", "-"], input=_lines(lines))


def sysctl(ns, settings):
    if settings:
        run(["sysctl", "-qw"] + ["%s=%s" % kv for kv in settings.items()], ns=ns)


def _lines(lines):
    if isinstance(lines, str):
        return lines if lines.endswith("\n") else lines + "\n"
    return "".join(l + "\n" for l in lines)


class Processes:
    """The processes the lab started, by PID: teardown ends these and nothing else."""

    def __init__(self):
        self._pids = {}

    def add(self, name, pid):
        self._pids[name] = pid

    def pid(self, name):
        return self._pids.get(name)

    def forget(self, name):
        """The process is gone (killed by a scenario): teardown must not signal its PID,
        which may be reused by then."""
        self._pids.pop(name, None)

    def alive(self, name):
        pid = self._pids.get(name)
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False

    def stop(self, name, timeout=5.0):
        pid = self._pids.pop(name, None)
        if pid is not None:
            _terminate(pid, timeout)

    def stop_all(self):
        for name in reversed(list(self._pids)):
            self.stop(name)


def _terminate(pid, timeout):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        _reap(pid)
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def file_ident(path):
    """What tells a socket file from the one made anew at the same path; None: none there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def pid_gone(pid):
    """No such process, or only its zombie (its parent is PID 1, which reaps when it can)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True
