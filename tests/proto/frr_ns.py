"""Two FRR instances in network namespaces of our own, joined by a veth pair.

Used by frr_real.py (run by `make check`).  Everything started here is recorded by PID and
stopped by PID; the namespaces carry this process's PID in their names, so two runs (or a
run and the lab) never share anything.  Addresses: 198.18.0.0/15 only.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# the lab's vty client and waits serve here too (tests/lab/hgwlab, plain Python on the host)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
from hgwlab.frr import Vty  # noqa: E402
from hgwlab.wait import wait_until  # noqa: E402

FRR_LIB = "/usr/lib/frr"


def sh(*argv, check=True):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stdout))
    return r.stdout


failures = []


def check(cond, what):
    """One check of a protocol test: printed, and remembered when it fails."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def skip_reason(tool, *needed):
    """Why this machine cannot run a test against real FRR (None if it can): root, FRR, the
    tool under test, any other file in needed, network namespaces."""
    if os.geteuid() != 0:
        return "needs root"
    if not os.path.exists("/usr/lib/frr/bgpd") or not os.path.exists(tool):
        return "needs FRR (/usr/lib/frr) and %s" % tool
    for path in needed:
        if not os.path.exists(path):
            return "needs %s" % path
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        return "needs network namespaces"
    return None


class Router:
    def __init__(self, ns, workdir, daemons, args=None):
        self.ns = ns
        self.args = args or {}  # extra arguments per daemon, e.g. {"bgpd": ["-M", "bmp"]}
        self.rundir = "/run/frr/" + ns
        self.logdir = os.path.join(workdir, ns)
        self.daemons = daemons
        self.pids = {}

    def start(self):
        os.makedirs(self.logdir, exist_ok=True)
        sh("install", "-d", "-o", "frr", "-g", "frr", "-m", "755", self.rundir)
        sh("chown", "frr:frr", self.logdir)
        for d in self.daemons:
            self.start_daemon(d)
        for d in self.daemons:
            wait_until(lambda d=d: os.path.exists("%s/%s.vty" % (self.rundir, d)), 30,
                       "%s.vty in %s" % (d, self.ns))

    def start_daemon(self, d, old_pid=None):
        """Start one daemon; old_pid: the one it replaces (its pid file may be stale)."""
        sh("ip", "netns", "exec", self.ns, os.path.join(FRR_LIB, d), "-d", "-N", self.ns,
           "-f", "/dev/null", "--log", "file:%s/%s.log" % (self.logdir, d),
           "--log-level", "informational", *self.args.get(d, []))
        pidfile = "%s/%s.pid" % (self.rundir, d)

        def new_pid():
            try:
                text = open(pidfile).read().strip()
            except FileNotFoundError:
                return False
            return text.isdigit() and int(text) != old_pid

        wait_until(new_pid, 30, pidfile)
        self.pids[d] = int(open(pidfile).read())
        if d == "zebra":
            wait_until(lambda: os.path.exists(self.rundir + "/zserv.api"), 30,
                       "zserv.api in " + self.ns)

    def kill_daemon(self, d):
        """SIGKILL one daemon this run started (by the PID in its pid file, checked
        against the one recorded at start); returns that PID."""
        pid = int(open("%s/%s.pid" % (self.rundir, d)).read())
        if pid != self.pids.get(d):
            raise RuntimeError("%s.pid holds %d, not the %s we started" % (d, pid, d))
        os.kill(pid, signal.SIGKILL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        del self.pids[d]
        return pid

    def log_path(self, daemon):
        return "%s/%s.log" % (self.logdir, daemon)

    def vty_path(self, daemon):
        return "%s/%s.vty" % (self.rundir, daemon)

    def configure(self, daemon, lines):
        v = Vty(self.vty_path(daemon))
        try:
            v.cmd("configure terminal")
            for line in lines:
                line = line.strip()
                if not line or line.startswith("!"):
                    continue
                st, out = v.cmd(line)
                if st != 0:
                    raise RuntimeError("%s/%s rejected %r: %s" % (self.ns, daemon, line, out))
            v.cmd("end")
        finally:
            v.close()

    def show(self, daemon, line):
        v = Vty(self.vty_path(daemon))
        try:
            return v.cmd(line)[1]
        finally:
            v.close()

    def stop(self):
        for d in reversed(self.daemons):
            pid = self.pids.pop(d, None)
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            end = time.monotonic() + 10
            while time.monotonic() < end:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.rundir, ignore_errors=True)


class Pair:
    """Namespaces hgwA<pid> (the router under test) and hgwB<pid> (its peer)."""

    def __init__(self, daemons_a=("zebra", "staticd", "bgpd", "bfdd"),
                 daemons_b=("zebra", "bgpd", "bfdd"), args_a=None):
        pid = os.getpid()
        self.workdir = tempfile.mkdtemp(prefix="hgw-frr-")
        os.chmod(self.workdir, 0o755)
        self.ns_a, self.ns_b = "hgwA%d" % pid, "hgwB%d" % pid
        # 198.18.N.0/30 with N from the pid, so parallel runs do not collide in logs
        n = pid % 250
        self.addr_a, self.addr_b = "198.18.%d.1" % n, "198.18.%d.2" % n
        self.a = Router(self.ns_a, self.workdir, list(daemons_a), args_a)
        self.b = Router(self.ns_b, self.workdir, list(daemons_b))
        self.made_ns = []

    def setup(self):
        for ns in (self.ns_a, self.ns_b):
            sh("ip", "netns", "add", ns)
            self.made_ns.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        # interfaces and addresses before zebra starts (FRR #13288)
        sh("ip", "-n", self.ns_a, "link", "add", "hgw0", "type", "veth", "peer", "name",
           "hgw0", "netns", self.ns_b)
        for ns, addr in ((self.ns_a, self.addr_a), (self.ns_b, self.addr_b)):
            sh("ip", "-n", ns, "addr", "add", addr + "/30", "dev", "hgw0")
            sh("ip", "-n", ns, "link", "set", "hgw0", "up")
        self.a.start()
        self.b.start()

    def teardown(self):
        for r in (self.a, self.b):
            try:
                r.stop()
            except Exception as e:  # keep tearing down the rest
                print("teardown %s: %s" % (r.ns, e))
        for ns in self.made_ns:
            sh("ip", "netns", "del", ns, check=False)
        self.made_ns = []

    def keep_logs(self):
        return self.workdir
