"""hybridgwd in a lab node, configured only the way an operator would: NETCONF (python3-ncclient)
over the daemon's unix socket <state-dir>/netconf.sock.

The transport and the rpc-error helpers are the NETCONF tests' own (tests/netconf/
ncclient_unix.py and nctest.py), imported, not copied. The daemon runs inside the node's
namespace, next to that node's charon (its VICI socket) and FRR (its vty sockets); its log
goes straight to OUT/logs/<node>/hybridgwd.log, so it outlives a UML that hangs.

ncclient's session thread sends a request only at its next 100 ms tick (ncclient 0.6.13,
SSHSession.run): each RPC costs the client ~100 ms whatever the daemon takes (its log says
"... handled in N us"), so edit-config + commit is ~0.3 s of client time.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from . import tools
from .proc import LabError, file_ident, log, now_ms
from .wait import wait_until

sys.path.insert(0, str(tools.TOP / "tests" / "netconf"))
try:
    from lxml import etree
    import ncclient_unix
    import nctest
except ImportError as e:
    raise LabError("the hybridgwd target needs python3-ncclient (and python3-lxml): %s" % e)

NS, NC = nctest.NS, nctest.NC
YANG_DIR = tools.TOP / "yang"


def config_xml(text, operation="replace"):
    """The <config> of an edit-config from a <hybridgw> document (an example file): the whole
    container with nc:operation (replace: the candidate becomes exactly this)."""
    root = etree.fromstring(text.encode() if isinstance(text, str) else text)
    if root.tag != "{%s}hybridgw" % NS:
        raise LabError("not a hybridgw document: root is %s" % root.tag)
    if operation:
        root.set("{%s}operation" % NC, operation)
    config = etree.Element("{%s}config" % NC, nsmap={None: NC})
    config.append(root)
    return etree.tostring(config, encoding="unicode")


class Hybridgwd:
    def __init__(self, lab, ns):
        self.lab = lab
        self.ns = ns
        self.config_dir = Path(lab.state) / ns / "hybridgwd"
        # sockets: a short path (a unix socket's is at most 107 bytes; lab.state is under the
        # run's output directory), on UML's private /run like FRR's
        self.state_dir = Path("/run/hybridgwd") / ns
        self.socket = self.state_dir / "netconf.sock"
        self.logfile = lab.logs / ns / "hybridgwd.log"
        self.name = "hybridgwd-" + ns
        self._popen = None
        self._m = None

    # ---- the process
    def start(self, vici, frr_rundir, fresh=True):
        """Start the daemon. fresh (the lab's first start): empty config and state
        directories. fresh=False: a restart with the directories as the last one left them
        (the daemon restores running from <state-dir>/running.xml)."""
        exe = tools.path("daemons/hybridgwd/hybridgwd")
        self._args = (vici, frr_rundir)
        if fresh:
            # a fresh start: no startup.xml or stale socket from an earlier lab in this boot
            for d in (self.config_dir, self.state_dir):
                shutil.rmtree(d, ignore_errors=True)
                d.mkdir(mode=0o700, parents=True)
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.logfile, "ab")
        argv = ["ip", "netns", "exec", self.ns, exe, "--foreground", "--verbose",
                "--config-dir", str(self.config_dir), "--state-dir", str(self.state_dir),
                "--vici-socket", str(vici), "--frr-rundir", str(frr_rundir)]
        env = dict(os.environ, HYBRIDGWD_YANG_DIR=str(YANG_DIR))
        self._popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, env=env)
        out.close()
        # `ip netns exec` execs the daemon: this PID is hybridgwd's own
        self.lab.procs.add(self.name, self._popen.pid)
        log("%s: hybridgwd started (pid %d), log %s" % (self.ns, self._popen.pid, self.logfile))

    def ctl(self, *args, json_out=False):
        """hybridgwctl in the node, as an operator on the router runs it: (exit status, stdout,
        stderr); with json_out, stdout parsed (None if the command failed)."""
        argv = ["ip", "netns", "exec", self.ns, tools.path("daemons/hybridgwctl/hybridgwctl"),
                "--state-dir", str(self.state_dir)] + list(args) + (["--json"] if json_out else [])
        env = dict(os.environ, HYBRIDGWD_YANG_DIR=str(YANG_DIR))
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if json_out:
            return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr
        return p.returncode, p.stdout, p.stderr

    def scrape(self, port=9474):
        """The metrics endpoint (its default address, in the node) as {(name, labels): value}."""
        out = subprocess.run(["ip", "netns", "exec", self.ns, "curl", "-sf", "--max-time", "10",
                              "http://127.0.0.1:%d/metrics" % port],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        samples = {}
        for line in out.splitlines():
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
            if not m:
                raise LabError("metrics: not a sample line: %r" % line)
            labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or "")))
            samples[(m.group(1), labels)] = float(m.group(4))
        return samples

    def wait_ready(self, timeout=30, stale=None):
        """Wait for the NETCONF socket; stale: the (st_dev, st_ino) of a dead daemon's socket
        left behind, which does not count (the new daemon replaces it)."""
        def ready():
            if self._popen.poll() is not None:
                raise LabError("hybridgwd in %s exited (%s); see %s" % (
                    self.ns, self._popen.returncode, self.logfile))
            ident = file_ident(self.socket) if self.socket.is_socket() else None
            return ident is not None and ident != stale
        wait_until(ready, timeout, "hybridgwd's NETCONF socket %s" % self.socket)

    def alive(self):
        return self._popen is not None and self._popen.poll() is None

    @property
    def pid(self):
        return self._popen.pid if self._popen is not None else None

    def kill9(self):
        """SIGKILL the daemon (no clean-up of its own), reap it; returns its PID."""
        pid = self._popen.pid
        os.kill(pid, signal.SIGKILL)
        self._popen.wait(timeout=10)
        # reaped: the lab must not signal that PID again at teardown (it may be reused)
        self.lab.procs.forget(self.name)
        # its NETCONF session died with it; ncclient's thread notices on its own
        self._m = None
        log("%s: hybridgwd (pid %d) killed with SIGKILL" % (self.ns, pid))
        return pid

    def restart(self, timeout=30):
        """Start the daemon again after kill9() (or a crash): same directories, same
        charon and FRR; wait for its new NETCONF socket."""
        stale = file_ident(self.socket)
        self.start(*self._args, fresh=False)
        self.wait_ready(timeout, stale=stale)

    def log_size(self):
        """Where the log ends now: log_since(this) is what the daemon wrote after."""
        return self.logfile.stat().st_size if self.logfile.exists() else 0

    def log_since(self, offset=0):
        with open(self.logfile, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def stop(self):
        self.close()
        self.lab.procs.stop(self.name)
        if self._popen is not None:
            try:
                self._popen.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass

    # ---- NETCONF
    def session(self):
        """The NETCONF session (one, kept open: a confirmed commit without persist is rolled
        back when the session that issued it ends)."""
        if self._m is None or not self._m.connected:
            self._m = ncclient_unix.connect(str(self.socket), timeout=60)
        return self._m

    def close(self):
        if self._m is not None:
            try:
                self._m.close_session()
            except Exception:  # a session already gone is closed
                pass
            self._m = None

    def _edit_and(self, xml_text, commit_kw, operation="replace"):
        m = self.session()
        errs = nctest.rpc_error(m.edit_config, target="candidate",
                                config=config_xml(xml_text, operation))
        if errs is None:
            errs = nctest.rpc_error(m.commit, **commit_kw)
        if errs is not None:
            # the candidate must not carry a rejected edit into the next commit
            m.discard_changes()
            return False, nctest.describe(errs)
        return True, ""

    def commit(self, xml_text, operation="replace"):
        """edit-config of the candidate (the whole <hybridgw> with nc:operation=replace), then
        commit. Returns (ok, the rpc-errors as text); a rejected edit is discarded."""
        t = now_ms()
        ok, err = self._edit_and(xml_text, {}, operation)
        log("%s: NETCONF commit %s in %.0f ms%s" % (self.ns, "accepted" if ok else "REJECTED",
                                                    now_ms() - t, "" if ok else ": " + err))
        return ok, err

    def confirmed_commit(self, xml_text, timeout, persist=None, operation="replace"):
        """A confirmed commit (RFC 6241 8.4): running has it until `timeout` s pass without a
        confirming commit, then the daemon rolls it back. Returns (ok, rpc-errors)."""
        kw = {"confirmed": True, "timeout": str(int(timeout))}
        if persist:
            kw["persist"] = persist
        ok, err = self._edit_and(xml_text, kw, operation)
        log("%s: NETCONF confirmed commit (%ss) %s%s" % (
            self.ns, timeout, "accepted" if ok else "REJECTED", "" if ok else ": " + err))
        return ok, err

    def confirm(self, persist_id=None):
        """The confirming commit; returns (ok, rpc-errors)."""
        errs = nctest.rpc_error(self.session().commit, persist_id=persist_id)
        return errs is None, nctest.describe(errs) if errs else ""

    def cancel(self, persist_id=None):
        """cancel-commit: roll a pending confirmed commit back now; returns (ok, rpc-errors)."""
        errs = nctest.rpc_error(self.session().cancel_commit, persist_id=persist_id)
        return errs is None, nctest.describe(errs) if errs else ""

    def get_config(self, source="running", flt=None):
        """The datastore as XML text (<data>...</data>)."""
        return self.session().get_config(source, filter=flt).data_xml

    def get(self, flt=None):
        """Configuration and state as XML text; flt is an ncclient filter, e.g.
        ("xpath", "/hgw:hybridgw/hgw:routes")."""
        return self.session().get(filter=flt).data_xml



def pretty(xml_text):
    """A datastore's XML one element a line: equal for equal content from the daemon, and a
    line diff shows what changed."""
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(xml_text.encode(), parser), pretty_print=True,
                          encoding="unicode")
