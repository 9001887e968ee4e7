"""One FRRouting instance per namespace (`-N NS` pathspace: sockets in /run/frr/NS/).

Commands go straight to each daemon's vty unix socket (the protocol vtysh speaks: command, NUL;
reply, three NUL bytes, a status byte), so polling BGP state costs no exec. Whole files are
loaded with `vtysh -f`, the way an operator applies frr.conf.
"""

import json
import os
import signal
import socket
from pathlib import Path

from .proc import LabError, file_ident, log, pid_gone, run
from .wait import wait_until

FRR_LIB = "/usr/lib/frr"
CMD_SUCCESS = 0
CMD_WARNING = 1


class Vty:
    """A vty session with one daemon, already in enable mode."""

    def __init__(self, path, timeout=10.0):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(self.path)
        self.cmd("enable")

    def cmd(self, line):
        """Send one command; return (status, output)."""
        self.sock.sendall(line.encode() + b"\0")
        buf = bytearray()
        while len(buf) < 4 or buf[-4:-1] != b"\0\0\0":
            chunk = self.sock.recv(65536)
            if not chunk:
                raise LabError("%s closed the vty during %r" % (self.path, line))
            buf += chunk
        return buf[-1], buf[:-4].decode(errors="replace")

    def close(self):
        self.sock.close()


class Frr:
    def __init__(self, lab, ns, daemons):
        self.lab = lab
        self.ns = ns
        self.daemons = list(daemons)
        self.rundir = Path("/run/frr") / ns
        self.logdir = lab.logs / ns      # on the host: outlives a UML that hangs
        self._vty = {}

    def start(self):
        for d in (self.rundir, self.logdir):
            run(["install", "-d", "-o", "frr", "-g", "frr", "-m", "755", str(d)])
        for daemon in self.daemons:
            self._start_daemon(daemon)
            if daemon == "zebra":
                # the others connect to zebra at start; give them its socket
                wait_until(lambda: (self.rundir / "zserv.api").is_socket(), 30,
                           "zebra's zserv.api in %s" % self.ns)
        for daemon in self.daemons:
            wait_until(lambda d=daemon: (self.rundir / (d + ".vty")).is_socket(), 30,
                       "%s's vty socket in %s" % (daemon, self.ns))
            self.lab.procs.add("%s-%s" % (daemon, self.ns),
                               int((self.rundir / (daemon + ".pid")).read_text()))

    def _start_daemon(self, daemon):
        argv = [os.path.join(FRR_LIB, daemon), "-d", "-N", self.ns, "-f", "/dev/null",
                "--log", "file:%s/%s.log" % (self.logdir, daemon), "--log-level", "informational"]
        if daemon == "bgpd":
            # the BMP module, as a router running hybridgwd has it (bgpd_options in
            # /etc/frr/daemons): hybridgwd follows BGP sessions over BMP
            argv += ["-M", "bmp"]
        run(argv, ns=self.ns, timeout=60)

    def pid(self, daemon):
        return self.lab.procs.pid("%s-%s" % (daemon, self.ns))

    def kill9(self, daemon):
        """SIGKILL one daemon (it is not the lab's child: -d forks); wait until it is gone;
        returns its PID."""
        name = "%s-%s" % (daemon, self.ns)
        pid = self.lab.procs.pid(name)
        if pid is None:
            raise LabError("%s: no %s started by the lab" % (self.ns, daemon))
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: pid_gone(pid), 10, "%s (pid %d) gone" % (name, pid))
        # gone: the lab must not signal that PID again at teardown (it may be reused)
        self.lab.procs.forget(name)
        c = self._vty.pop(daemon, None)
        if c is not None:
            c.close()
        log("%s: %s (pid %d) killed with SIGKILL" % (self.ns, daemon, pid))
        return pid

    def restart_daemon(self, daemon, timeout=30):
        """Start one daemon again the way start() does (empty: -f /dev/null) and wait for its
        new vty socket (the dead one's socket file may still be there)."""
        sock = self.rundir / (daemon + ".vty")
        stale = file_ident(sock)
        self._start_daemon(daemon)
        wait_until(lambda: sock.is_socket() and file_ident(sock) not in (None, stale), timeout,
                   "%s's new vty socket in %s" % (daemon, self.ns))
        pid = int((self.rundir / (daemon + ".pid")).read_text())
        self.lab.procs.add("%s-%s" % (daemon, self.ns), pid)
        log("%s: %s started again (pid %d)" % (self.ns, daemon, pid))
        return pid

    def stop(self):
        for c in self._vty.values():
            c.close()
        self._vty.clear()
        for daemon in reversed(self.daemons):
            self.lab.procs.stop("%s-%s" % (daemon, self.ns))

    def vty(self, daemon="bgpd"):
        if daemon not in self._vty:
            self._vty[daemon] = Vty(self.rundir / (daemon + ".vty"))
        return self._vty[daemon]

    def cmd(self, line, daemon="bgpd"):
        status, out = self.vty(daemon).cmd(line)
        if status not in (CMD_SUCCESS, CMD_WARNING):
            raise LabError("%s/%s: %r failed (%d): %s" % (self.ns, daemon, line, status,
                                                          out.strip()))
        return out

    def show_json(self, line, daemon="bgpd"):
        out = self.cmd(line, daemon)
        try:
            return json.loads(out) if out.strip() else {}
        except ValueError as e:
            raise LabError("%s/%s: %r: not JSON (%s): %.200s" % (self.ns, daemon, line, e, out))

    def configure(self, lines, daemon="bgpd"):
        """Apply config lines in one `configure terminal` session; raise on the first rejection."""
        v = self.vty(daemon)
        try:
            self.cmd("configure terminal", daemon)
            for line in lines:
                status, out = v.cmd(line)
                if status != CMD_SUCCESS:
                    raise LabError("%s/%s rejected %r: %s" % (self.ns, daemon, line, out.strip()))
        finally:
            v.cmd("end")

    def load_file(self, path):
        """Apply a whole frr.conf through vtysh, which hands each line to the right daemon."""
        vtyconf = Path(self.lab.state) / "vtysh"
        (vtyconf / self.ns).mkdir(parents=True, exist_ok=True)
        (vtyconf / self.ns / "vtysh.conf").touch()
        out = run(["vtysh", "-N", self.ns, "--config_dir", str(vtyconf), "-f", str(path)],
                  check=False, timeout=120)
        if "% " in out or "error" in out.lower():
            raise LabError("vtysh -f %s in %s: %s" % (path, self.ns, out.strip()[-1500:]))
        log("%s: loaded %s" % (self.ns, path))

    # ---- state
    def bgp_peers(self):
        """{neighbor address: summary dict} for IPv4 unicast."""
        s = self.show_json("show bgp ipv4 unicast summary json")
        return s.get("peers", {})

    def bgp_established(self, peer):
        return self.bgp_peers().get(peer, {}).get("state") == "Established"

    def bfd_up(self, peer):
        peers = self.show_json("show bfd peers json", daemon="bfdd")
        return any(p.get("peer") == peer and p.get("status") == "up" for p in peers or [])

    def dump(self, path):
        """Operator-style state dump, for post-mortems."""
        cmds = {"bgpd": ["show bgp summary", "show bgp ipv4 unicast", "show bgp neighbors",
                         "show bgp nexthop", "show running-config"],
                "zebra": ["show ip route", "show interface brief", "show ip nht"],
                "bfdd": ["show bfd peers"]}
        with open(path, "w") as f:
            for daemon in self.daemons:
                for c in cmds.get(daemon, []):
                    try:
                        f.write("### %s: %s\n%s\n" % (daemon, c, self.vty(daemon).cmd(c)[1]))
                    except (OSError, LabError) as e:
                        f.write("### %s: %s failed: %s\n" % (daemon, c, e))
